#!/usr/bin/env bash
# run-local.sh - the CI example (github-actions.yml, gitlab-ci.yml) run here:
# SIPp UAS + UAC on loopback while tcpdump captures, then sipscope writes
# JUnit, Markdown and HTML and gates on the ASR.
#
# Usage: examples/ci/run-local.sh [SIPSCOPE]   (default ./sipscope)
# Env:   CALLS (default 20), UAS_PORT (5060), UAC_PORT (5071), OUT (build/ci-local),
#        FAIL_IF (default 'asr < 0.95')
# Needs sipp, tcpdump and root (or CAP_NET_RAW) for capturing on lo.
# Exit status: sipscope's (0 pass, 1 a --fail-if condition held, 2 usage
# error), or 3 when the traffic could not be generated/captured.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIPSCOPE=${1:-./sipscope}
CALLS=${CALLS:-20}
UAS_PORT=${UAS_PORT:-5060}
UAC_PORT=${UAC_PORT:-5071}
OUT=${OUT:-build/ci-local}
FAIL_IF=${FAIL_IF:-asr < 0.95}
mkdir -p "$OUT"

for tool in sipp tcpdump timeout; do
    command -v "$tool" >/dev/null || { echo "run-local: $tool not found" >&2; exit 3; }
done
[ -x "$SIPSCOPE" ] || { echo "run-local: $SIPSCOPE not built (make)" >&2; exit 3; }

TCPDUMP_PID= UAS_PID=
cleanup() {
    [ -n "$UAS_PID" ] && kill "$UAS_PID" 2>/dev/null || true
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null || true
}
trap cleanup EXIT

# 1. capture
rm -f "$OUT/cap.pcap"
tcpdump -i lo -n -U -s 0 -w "$OUT/cap.pcap" "udp port $UAS_PORT or udp port $UAC_PORT" 2>"$OUT/tcpdump.log" &
TCPDUMP_PID=$!
for _ in $(seq 50); do grep -q "listening on" "$OUT/tcpdump.log" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$OUT/tcpdump.log" || { echo "run-local: tcpdump did not start" >&2; cat "$OUT/tcpdump.log" >&2; exit 3; }

# 2. traffic: SIPp's built-in UAS and UAC scenarios; both end by -m, and
#    timeout bounds them
timeout 120 sipp -sn uas -i 127.0.0.1 -p "$UAS_PORT" -m "$CALLS" -timeout 60s -nostdin \
    -trace_err -error_file "$OUT/uas-errors.log" >"$OUT/uas.log" 2>&1 &
UAS_PID=$!
sleep 0.5
uac_rc=0
timeout 120 sipp 127.0.0.1:"$UAS_PORT" -sn uac -i 127.0.0.1 -p "$UAC_PORT" -m "$CALLS" -r 10 -d 200 \
    -timeout 60s -nostdin -trace_err -error_file "$OUT/uac-errors.log" >"$OUT/uac.log" 2>&1 || uac_rc=$?
wait "$UAS_PID" || true
UAS_PID=
[ "$uac_rc" = 0 ] || echo "run-local: SIPp UAC exit $uac_rc (see $OUT/uac.log); analysing what was captured" >&2
sleep 1
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
TCPDUMP_PID=
[ -s "$OUT/cap.pcap" ] || { echo "run-local: nothing captured" >&2; exit 3; }

# 3. analysis, as in CI
rm -f "$OUT/summary.md"
set +e
"$SIPSCOPE" -r "$OUT/cap.pcap" --junit "$OUT/junit.xml" --markdown "$OUT/summary.md" --html "$OUT/report.html" \
    --json "$OUT/report.json" --fail-if "$FAIL_IF"
rc=$?
set -e
echo "run-local: sipscope exit $rc; outputs in $OUT/ (junit.xml summary.md report.html report.json)"
exit $rc
