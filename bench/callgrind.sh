#!/usr/bin/env bash
# bench/callgrind.sh - instructions per SIP message of `sipscope -r`, under
# callgrind, on a small fixed capture; compared with a recorded baseline.
#
# The captures are the first packets of a bench capture, made once with
# editcap -F pcap (or tcpdump -r -c) into the bench cache (calls cut at the
# end are kept as they are):
#   udp-20k       first 14,000 packets (= 14,000 SIP messages, about 2,000
#                 calls), sample-14k.pcap, baseline bench/BASELINE
#   tcp-20k       first 20,000 packets (16,181 SIP messages; the rest are
#                 TCP acknowledgements), sample-tcp-20k.pcap,
#                 baseline bench/BASELINE.tcp-20k
#   udp-frag-20k  first 28,000 packets (15,079 SIP messages, most in two
#                 fragments), sample-udp-frag-20k.pcap,
#                 baseline bench/BASELINE.udp-frag-20k
# TCP framing and fragment reassembly have their own code, which the UDP
# sample never runs.
# Instruction counts hardly vary from run to run, so this catches a regression
# of a few percent that wall-clock timing on a shared machine would not.
#
# Usage: bench/callgrind.sh [udp-20k|tcp-20k|udp-frag-20k]   (default udp-20k)
# Env:   SIPSCOPE (./sipscope), BENCH_CACHE, BENCH_OUT (build/bench),
#        BASELINE (the capture's file above), UPDATE_BASELINE=1 (record the new figure),
#        CALLGRIND_MAX_REGRESSION=N (exit 1 if instructions/message grew by more
#        than N percent; default: report only).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sipscope-bench}
OUT=${BENCH_OUT:-$ROOT/build/bench}
SIPSCOPE=${SIPSCOPE:-$ROOT/sipscope}
FLOOR=${FLOOR:-$ROOT/build/bench/floor}
CAPTURE=${1:-udp-20k}
case $CAPTURE in
    udp-20k)      PACKETS=14000 SAMPLE=$CACHE/sample-14k.pcap base_file=$HERE/BASELINE ;;
    tcp-20k)      PACKETS=20000 SAMPLE=$CACHE/sample-tcp-20k.pcap base_file=$HERE/BASELINE.tcp-20k ;;
    udp-frag-20k) PACKETS=28000 SAMPLE=$CACHE/sample-udp-frag-20k.pcap base_file=$HERE/BASELINE.udp-frag-20k ;;
    *) echo "usage: bench/callgrind.sh [udp-20k|tcp-20k|udp-frag-20k]" >&2; exit 2 ;;
esac
BASELINE=${BASELINE:-$base_file}
SRC=$CACHE/$CAPTURE.pcap

command -v valgrind >/dev/null || { echo "callgrind: valgrind not found: skipped" >&2; exit 0; }
[ -x "$SIPSCOPE" ] || { echo "callgrind: sipscope not found at $SIPSCOPE (make sipscope): skipped" >&2; exit 0; }
mkdir -p "$OUT"

# The sample is classic pcap, as the bench captures are (tcpdump writes
# them), so that it goes through the same reader (src/capture/savefile.c;
# editcap would write pcapng, which libpcap reads). A sample made before
# the stamp said its format is made again.
if [ ! -s "$SAMPLE" ] || [ ! -f "$SAMPLE.stamp" ] || [ "$SRC.stamp" -nt "$SAMPLE.stamp" ] ||
   ! grep -q '^format=pcap$' "$SAMPLE.stamp" ||
   ! grep -qx "source=$CAPTURE.pcap first_packets=$PACKETS" "$SAMPLE.stamp"; then
    [ -s "$SRC" ] || "$HERE/gen-captures.sh" "$CAPTURE"
    if command -v editcap >/dev/null; then
        editcap -F pcap -r "$SRC" "$SAMPLE.tmp" "1-$PACKETS"
    else
        tcpdump -r "$SRC" -c "$PACKETS" -w "$SAMPLE.tmp" 2>/dev/null
    fi
    mv "$SAMPLE.tmp" "$SAMPLE"
    { echo "source=$CAPTURE.pcap first_packets=$PACKETS"; echo "format=pcap"
      grep '^created=' "$SRC.stamp" || true; } >"$SAMPLE.stamp"
fi
# the sample's identity: a baseline is comparable only on the same bytes
sample_sum=$(cksum <"$SAMPLE" | cut -d' ' -f1)

# SIP messages: sipscope's own summary.sip_messages, else the floor's CSeq lines.
msgs=
tmpjson=$(mktemp "${TMPDIR:-/tmp}/sipscope-cg.XXXXXX.json")
trap 'rm -f "$tmpjson"' EXIT
if "$SIPSCOPE" -r "$SAMPLE" -q --json "$tmpjson" >/dev/null 2>&1; then
    msgs=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["summary"]["sip_messages"]))' \
           "$tmpjson" 2>/dev/null || true)
fi
if [ -z "$msgs" ]; then
    [ -x "$FLOOR" ] || ${CC:-cc} -O2 -o "$FLOOR" "$HERE/floor.c" -lpcap
    msgs=$("$FLOOR" -c "$SAMPLE" | cut -d' ' -f3)
    echo "callgrind: SIP message count from the floor program (sipscope's JSON had none)"
fi
[ "${msgs:-0}" -gt 0 ] || { echo "callgrind: no SIP messages in $SAMPLE" >&2; exit 1; }

cgout=$OUT/callgrind.out.sample
[ "$CAPTURE" = udp-20k ] || cgout=$OUT/callgrind.out.$CAPTURE
echo "callgrind: valgrind --tool=callgrind sipscope -r $(basename "$SAMPLE") ($msgs SIP messages)"
cglog=$OUT/callgrind.log
[ "$CAPTURE" = udp-20k ] || cglog=$OUT/callgrind.$CAPTURE.log
valgrind --tool=callgrind --callgrind-out-file="$cgout" "$SIPSCOPE" -r "$SAMPLE" \
    >/dev/null 2>"$cglog" || {
    echo "callgrind: valgrind/sipscope failed (see $cglog)" >&2; exit 1; }
# "summary: N" (older valgrind: "totals: N") holds the total Ir
ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$cgout" | head -1)
[ -n "$ir" ] || ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$cgout" | head -1)
[ -n "$ir" ] || { echo "callgrind: no instruction total in $cgout" >&2; exit 1; }
ipm=$(python3 -c "print('%.1f' % ($ir / $msgs))")
echo "callgrind: $ir instructions, $msgs SIP messages: $ipm instructions/message"
echo "callgrind: profile in $cgout (callgrind_annotate $cgout | head -40)"

commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
record() {
    cat >"$BASELINE" <<EOF
# bench/$(basename "$BASELINE") - instructions per SIP message of \`sipscope -r\` under
# callgrind, on the first $PACKETS packets of $CAPTURE (bench/callgrind.sh).
# Re-record with: UPDATE_BASELINE=1 bench/callgrind.sh $CAPTURE
instructions_per_message=$ipm
instructions=$ir
sip_messages=$msgs
sample_cksum=$sample_sum
recorded=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$commit
valgrind=$(valgrind --version 2>/dev/null)
EOF
}

if [ ! -f "$BASELINE" ]; then
    record
    echo "callgrind: baseline recorded in ${BASELINE#"$ROOT"/} ($ipm instructions/message)"
    exit 0
fi
base=$(sed -n 's/^instructions_per_message=//p' "$BASELINE" | head -1)
base_sum=$(sed -n 's/^sample_cksum=//p' "$BASELINE" | head -1)
base_when=$(sed -n 's/^recorded=//p' "$BASELINE" | head -1)
base_commit=$(sed -n 's/^commit=//p' "$BASELINE" | head -1)
[ -n "$base" ] || { echo "callgrind: $BASELINE has no instructions_per_message=" >&2; exit 1; }
if [ -n "$base_sum" ] && [ "$base_sum" != "$sample_sum" ]; then
    echo "callgrind: note: the sample capture differs from the baseline's (regenerated udp-20k?);" \
         "the comparison is approximate"
fi
change=$(python3 -c "print('%+.2f' % (($ipm - $base) / $base * 100))")
echo "callgrind: baseline $base instructions/message (recorded $base_when at $base_commit)"
echo "callgrind: change: ${change}% instructions/message"
if [ "${UPDATE_BASELINE:-0}" = 1 ]; then
    record
    echo "callgrind: baseline updated"
fi
if [ -n "${CALLGRIND_MAX_REGRESSION:-}" ] &&
   python3 -c "import sys; sys.exit(0 if $change > ${CALLGRIND_MAX_REGRESSION} else 1)"; then
    echo "callgrind: REGRESSION: more than ${CALLGRIND_MAX_REGRESSION}% more instructions per message" >&2
    exit 1
fi
exit 0
