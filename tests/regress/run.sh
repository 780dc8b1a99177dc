#!/usr/bin/env bash
# Replays every input that once crashed or misled sipscope:
#   tests/regress/<target>/*   through build/replay/fuzz_<target> (the fuzz
#                               target without libFuzzer), and
#   tests/regress/pcap/*       through the sipscope binary given as $1,
#                               which must exit 0 (or 2 for an unreadable file)
#                               and never crash.
set -uo pipefail
cd "$(dirname "$0")/../.."
SIPSCOPE=${1:-./sipscope}
BUILD=${BUILD:-build}
pass=0 fail=0

${MAKE:-make} --no-print-directory -s replay BUILD="$BUILD" ${SAN:+SAN=$SAN} >/dev/null || { echo "FAIL: building replay drivers"; echo "0 passed, 1 failed"; exit 1; }
for dir in tests/regress/*/; do
    t=$(basename "$dir")
    [ "$t" = pcap ] && continue
    bin="$BUILD/replay/fuzz_$t"
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] || continue
    if [ ! -x "$bin" ]; then echo "FAIL $t: no fuzz target tests/fuzz/fuzz_$t.c"; fail=$((fail+1)); continue; fi
    if "$bin" "$dir" >/dev/null; then pass=$((pass+1)); echo "PASS replay $t"; else fail=$((fail+1)); echo "FAIL replay $t"; fi
done
for f in tests/regress/pcap/*; do
    [ -e "$f" ] || continue
    "$SIPSCOPE" -r "$f" --json /dev/null -q >/dev/null 2>&1
    rc=$?
    if [ $rc -eq 0 ] || [ $rc -eq 2 ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL pcap $f: exit $rc"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
