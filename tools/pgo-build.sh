#!/bin/sh
# tools/pgo-build.sh - the release build (`make release`): sipscope compiled
# with GCC's profile-guided optimization.
#
# 1. build OUT/sipscope instrumented (-fprofile-generate);
# 2. train it on the bundled captures (captures/*.pcap: statistics, JSON,
#    ladders, per-message TSV), which writes OUT/**/*.gcda;
# 3. rebuild the same sources into OUT with -fprofile-use.
# The profile only moves code (hot paths laid out straight, cold ones out of
# the way, inlining where calls are frequent): same sources, same output.
# tests/release/check.sh holds the release binary's output to the plain
# build's on every capture. The bench captures are not in the training set.
#
# Usage: tools/pgo-build.sh [OUT]   (default build/release)
# Env:   MAKE, CC. With a compiler that is not GCC, step 3 alone runs
#        (plain -O2) and says so.
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-build/release}
MAKE=${MAKE:-make}
CC=${CC:-cc}

# `make -n release` (and `make -n bench`) still run this script, since its
# recipe line names $(MAKE); the sub-makes below would then only print, and
# the rm -rf would leave no release build at all. GNU make passes the
# one-letter flags as MAKEFLAGS' first word ("n", "ns -j2 ..."; empty or
# starting with '-' when there are none).
make_flags=${MAKEFLAGS:-}
case ${make_flags%% *} in
-*) ;;
*n*) echo "pgo-build: make -n: would rebuild $OUT with a profile"; exit 0 ;;
esac
GEN="-O2 -g -fprofile-generate -fprofile-update=single"
# -Wno-stringop-overread: with the profile, GCC 12 warns about a memchr
# bound in src/sip/frame.c on a path it cannot rule out but that the
# enclosing loop condition excludes (the plain build does not warn).
USE="-O2 -g -fprofile-use -fprofile-partial-training -Wno-missing-profile -Wno-stringop-overread"

rm -rf "$OUT"
if ! "$CC" --version 2>/dev/null | grep -qi 'gcc\|free software foundation'; then
    echo "pgo-build: $CC is not GCC: release build without a profile" >&2
    $MAKE --no-print-directory BUILD="$OUT" "$OUT/sipscope"
    exit 0
fi

$MAKE --no-print-directory BUILD="$OUT" OPT="$GEN" LDFLAGS="-fprofile-generate" "$OUT/sipscope" >/dev/null

. captures/read-options.sh
n=0
for cap in captures/*.pcap; do
    extra=$(capture_read_options "$cap")
    # shellcheck disable=SC2086 # extra is words
    "$OUT/sipscope" -r "$cap" $extra >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    "$OUT/sipscope" -r "$cap" $extra -q --json /dev/null --ladder --messages /dev/null >/dev/null 2>&1 || true
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "pgo-build: no captures/*.pcap to train on" >&2; exit 1; }
g=$(find "$OUT" -name '*.gcda' | wc -l)
[ "$g" -gt 0 ] || { echo "pgo-build: training wrote no profile (.gcda)" >&2; exit 1; }

find "$OUT" \( -name '*.o' -o -name '*.a' \) -delete
rm -f "$OUT/sipscope"
$MAKE --no-print-directory BUILD="$OUT" OPT="$USE" "$OUT/sipscope" >/dev/null
echo "pgo-build: $OUT/sipscope (profile from $n captures, $g object profiles)"
