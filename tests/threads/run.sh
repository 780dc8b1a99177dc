#!/usr/bin/env bash
# tests/threads/run.sh SIPSCOPE - one thread or two, the same analysis.
#
# With --threads 2 the caller's thread reads, decodes and parses while a
# second one correlates and reports (src/pipeline/handoff.c). Nothing a
# user sees may depend on that: for every capture in captures/ and the
# shared corpus (public/ and public/negative/), the ladder and statistics
# on stdout, the JSON report, the NDJSON events, stderr and the exit status
# of --threads 1 and --threads 2 must be byte-identical.
# Then the two-thread path runs under ThreadSanitizer (a build in
# build-tsan/) on our own captures: any data race fails the tier.
# Env: SKIP_TSAN=1 skips the ThreadSanitizer part.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
bin=${1:-./sipscope}
[ -x "$bin" ] || { echo "threads: $bin not found" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sipscope-threads.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC NO_COLOR=1 LC_ALL=C.UTF-8

caps=(captures/*.pcap captures/*.pcapng)
if [ -d ../shared/captures/public ]; then
    caps+=(../shared/captures/public/*.pcap* ../shared/captures/public/negative/*)
else
    echo "!!! SKIPPED: ../shared/captures absent: comparing on our own captures only !!!"
fi

passed=0 failed=0
run() { # threads capture -> files in $tmp/t$1.*
    local t=$1 cap=$2
    "$bin" -r "$cap" --threads "$t" --ladder --json "$tmp/t$t.json" --events "$tmp/t$t.ev" \
        >"$tmp/t$t.out" 2>"$tmp/t$t.err"
    echo $? >"$tmp/t$t.rc"
}
for cap in "${caps[@]}"; do
    [ -f "$cap" ] || continue
    run 1 "$cap"
    run 2 "$cap"
    bad=
    for part in out json ev err rc; do
        cmp -s "$tmp/t1.$part" "$tmp/t2.$part" || bad="$bad $part"
    done
    if [ -z "$bad" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $cap: --threads 1 and 2 differ in:$bad"
        diff "$tmp/t1.out" "$tmp/t2.out" | head -5
    fi
done
echo "threads: $passed captures identical with 1 and 2 threads, $failed differ"

if [ "${SKIP_TSAN:-0}" != 1 ]; then
    if make --no-print-directory -s -j2 BUILD=build-tsan OPT="-O1 -g -fsanitize=thread" \
            LDFLAGS=-fsanitize=thread build-tsan/sipscope build-tsan/tests/test_handoff >"$tmp/tsan.build" 2>&1; then
        tsan_bad=0
        if ! TSAN_OPTIONS=halt_on_error=1:exitcode=66 build-tsan/tests/test_handoff >"$tmp/tsan.log" 2>&1; then
            echo "FAIL ThreadSanitizer: test_handoff"; tail -30 "$tmp/tsan.log"; tsan_bad=1
        fi
        for cap in captures/*.pcap captures/*.pcapng; do
            [ -f "$cap" ] || continue
            TSAN_OPTIONS=halt_on_error=1:exitcode=66 build-tsan/sipscope -r "$cap" --threads 2 \
                --ladder --json /dev/null >/dev/null 2>"$tmp/tsan.log"
            if [ $? -eq 66 ] || grep -q "ThreadSanitizer" "$tmp/tsan.log"; then
                echo "FAIL ThreadSanitizer: $cap"; head -40 "$tmp/tsan.log"; tsan_bad=1
            fi
        done
        if [ $tsan_bad = 0 ]; then
            echo "PASS ThreadSanitizer: test_handoff and every capture in captures/ with --threads 2"
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    else
        echo "FAIL ThreadSanitizer build"; tail -20 "$tmp/tsan.build"; failed=$((failed + 1))
    fi
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
