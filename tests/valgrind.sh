#!/usr/bin/env bash
# One golden run under valgrind memcheck: no error, no leak (issue 3).
set -uo pipefail
cd "$(dirname "$0")/.."
SIPSCOPE=${1:-./sipscope}
out=$(mktemp)
valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible -q \
    "$SIPSCOPE" -r captures/sipp-calls.pcap -r captures/sipp-tcp.pcap --ladder --json "$out" >/dev/null 2>"$out.err"
rc=$?
rm -f "$out"
if [ $rc -eq 0 ]; then
    echo "PASS valgrind memcheck: no errors, no leaks"; echo "1 passed, 0 failed"; rm -f "$out.err"; exit 0
fi
cat "$out.err"; rm -f "$out.err"
echo "FAIL valgrind memcheck (exit $rc)"; echo "0 passed, 1 failed"; exit 1
