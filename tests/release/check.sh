#!/usr/bin/env bash
# tests/release/check.sh - the release build (PGO, `make release`) gives the
# same output as the plain build on every capture: statistics (both
# layouts), JSON report, ladders and per-message TSV, byte for byte.
# The profile only changes code layout and inlining, so any difference is
# a compiler or undefined-behaviour bug that the plain build hides.
#
# Usage: tests/release/check.sh PLAIN RELEASE
# Captures: captures/*.pcap, and ../shared/captures/public/*.pcap* when present.
set -uo pipefail
cd "$(dirname "$0")/../.."
PLAIN=${1:-./sipscope}
RELEASE=${2:-build/release/sipscope}
for b in "$PLAIN" "$RELEASE"; do
    [ -x "$b" ] || { echo "release: $b not built"; exit 1; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

caps=(captures/*.pcap)
if [ -d ../shared/captures/public ]; then
    caps+=(../shared/captures/public/*.pcap ../shared/captures/public/*.pcapng)
else
    echo "!!! release: ../shared/captures absent: bundled captures only !!!"
fi

. captures/read-options.sh
run() { # bin cap tag
    local extra
    read -r -a extra <<<"$(capture_read_options "$2")"
    "$1" -r "$2" "${extra[@]}" --stats=tshark >"$tmp/$3.tshark" 2>&1
    "$1" -r "$2" "${extra[@]}" -q --json "$tmp/$3.json" --ladder --messages "$tmp/$3.tsv" \
        >"$tmp/$3.text" 2>"$tmp/$3.err"
    echo "exit $?" >>"$tmp/$3.err"
    "$1" -r "$2" "${extra[@]}" >"$tmp/$3.stats" 2>&1
}

pass=0 fail=0
for cap in "${caps[@]}"; do
    [ -f "$cap" ] || continue
    run "$PLAIN" "$cap" a
    run "$RELEASE" "$cap" b
    bad=""
    for k in tshark json tsv text err stats; do
        cmp -s "$tmp/a.$k" "$tmp/b.$k" || bad="$bad $k"
    done
    if [ -z "$bad" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL release: $cap: output differs:$bad"
        for k in $bad; do diff "$tmp/a.$k" "$tmp/b.$k" | head -5; done
    fi
done
echo "release: $pass captures identical, $fail differ"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
