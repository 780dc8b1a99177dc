#!/usr/bin/env bash
# tshark differential: tests/diff/run.sh SIPSCOPE [-v] [--jobs N] [CAPTURE...]
# Compares sipscope with tshark on captures/*.pcap* and, when present,
# ../shared/captures/public/* and ../shared/captures/public/negative/*:
# per-method / per-code counts, distinct Call-IDs, and every SIP message per
# frame. Accepted disagreements: tests/diff/known-differences.tsv.
# tshark results are cached in build/tshark-cache/. Exit 0 only if all pass.
set -uo pipefail
if [ $# -lt 1 ] || [ "${1:0:1}" = "-" ]; then
    echo "usage: $0 SIPSCOPE [-v] [--jobs N] [CAPTURE...]" >&2
    exit 2
fi
bin=$1; shift
case $bin in /*) ;; */*) bin=$PWD/$bin ;; esac
cd "$(dirname "$0")/../.." || exit 2
command -v tshark >/dev/null || { echo "tests/diff: tshark not found (apt-get install tshark)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "tests/diff: python3 not found" >&2; exit 2; }
exec python3 tests/diff/tshark_diff.py --sipscope "$bin" "$@"
