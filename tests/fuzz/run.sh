#!/usr/bin/env bash
# Runs each libFuzzer target for $1 seconds. Seeds: tests/fuzz/seeds/<target>/
# if present, the RFC 4475 torture messages for the SIP parser, and our own
# and the shared captures for everything that reads pcaps or packets.
# Crashes are written to tests/regress/<target-without-fuzz_>/ so that the
# normal suite replays them; the run fails if any target found one.
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=$1; shift
status=0
for bin in "$@"; do
    name=$(basename "$bin")
    short=${name#fuzz_}
    corpus=build-fuzz/corpus/$name
    mkdir -p "$corpus" "tests/regress/$short"
    seeds=()
    [ -d "tests/fuzz/seeds/$name" ] && seeds+=("tests/fuzz/seeds/$name")
    case $short in
        sip|sdp) [ -d ../shared/captures/torture ] && seeds+=(../shared/captures/torture) ;;
        gate|hep|ws|filter) ;;
        *) seeds+=(captures); [ -d ../shared/captures/public ] && seeds+=(../shared/captures/public) ;;
    esac
    echo "== fuzz $name for ${secs}s (seeds: ${seeds[*]:-none})"
    log=build-fuzz/$name.log
    if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
            -artifact_prefix="tests/regress/$short/" -print_final_stats=1 \
            "$corpus" "${seeds[@]}" >"$log" 2>&1; then
        echo "FAIL $name: finding saved under tests/regress/$short/ (log $log)"
        tail -30 "$log"
        status=1
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" | sed "s/^/  $name /"
done
exit $status
