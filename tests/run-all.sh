#!/usr/bin/env bash
# `make test`: every tier, in order of speed. Each tier prints its own
# results; this script prints the tally of tiers and fails if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

MAKE=${MAKE:-make}
passed=0 failed=0 failed_names=""

tier() {
    local name=$1; shift
    echo "=== tier: $name"
    if "$@"; then
        passed=$((passed + 1)); echo "=== tier $name: PASS"
    else
        failed=$((failed + 1)); failed_names="$failed_names $name"; echo "=== tier $name: FAIL"
    fi
}

if [ ! -d ../shared/captures ]; then
    echo "!!! SKIPPED: ../shared/captures is absent: corpus and torture tiers run on our own captures only !!!"
fi

tier unit        $MAKE --no-print-directory unit
tier golden      $MAKE --no-print-directory golden
tier schema      python3 tests/schema_check.py ./sipscope
tier hostile     $MAKE --no-print-directory hostile
tier caps        $MAKE --no-print-directory caps
tier regress     tests/regress/run.sh ./sipscope
tier diff        $MAKE --no-print-directory diff
tier live        tests/live/run.sh ./sipscope
tier proxy       tests/proxy/run.sh ./sipscope
tier hep         tests/hep/run.sh ./sipscope
tier outputs     tests/outputs/check.sh ./sipscope
tier release     bash -c "$MAKE --no-print-directory release && tests/release/check.sh ./sipscope build/release/sipscope"
tier asan        $MAKE --no-print-directory test-asan
tier valgrind    tests/valgrind.sh ./sipscope
tier fuzz-smoke  $MAKE --no-print-directory fuzz-smoke

echo
echo "tiers failed:${failed_names:- none}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
