#!/usr/bin/env bash
# Golden tests: tests/golden/run.sh SIPSCOPE [--update] [NAME...]
#
# Each line of tests/golden/MANIFEST is
#     name<TAB>capture<TAB>args<TAB>expected
# capture: path from the repository root ("-" for none); args: sipscope
# arguments, split on spaces, where {cap} is the capture path and {out} a
# temporary file; expected: file under tests/golden/ (e.g. expected/x.txt).
# sipscope runs with TZ=UTC NO_COLOR=1 LC_ALL=C.UTF-8 from the repository
# root; its stdout (or, when the args hold {out}, that file) must equal the
# expected file byte for byte; a unified diff is shown otherwise. A non-zero
# exit status, a missing expected file or a missing capture is a FAIL.
# --update rewrites the expected files from the current output instead
# (review them with `git diff tests/golden/expected` before committing).
# Lines starting with # and blank lines in MANIFEST are ignored.
set -uo pipefail

usage() { echo "usage: $0 SIPSCOPE [--update] [NAME...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
bin=$1; shift
case $bin in -*) usage ;; /*) ;; */*) bin=$PWD/$bin ;; *) bin=$(command -v "$bin" || echo "$bin") ;; esac
update=0
only=()
for a in "$@"; do
    case $a in
        --update) update=1 ;;
        -*) usage ;;
        *) only+=("$a") ;;
    esac
done

cd "$(dirname "$0")/../.." || exit 2
GOLDEN=tests/golden
MANIFEST=$GOLDEN/MANIFEST
[ -x "$bin" ] || { echo "golden: sipscope binary '$bin' not found or not executable" >&2; exit 2; }
[ -f "$MANIFEST" ] || { echo "golden: $MANIFEST missing" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sipscope-golden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

passed=0 failed=0 skipped=0 updated=0
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    case $line in ''|'#'*) continue ;; esac
    IFS=$'\t' read -r name cap args expected extra <<<"$line"
    if [ -z "${name:-}" ] || [ -z "${args:-}" ] || [ -z "${expected:-}" ] || [ -n "${extra:-}" ]; then
        echo "FAIL $MANIFEST:$lineno: want name<TAB>capture<TAB>args<TAB>expected"
        failed=$((failed + 1)); continue
    fi
    if [ ${#only[@]} -gt 0 ]; then
        hit=0; for o in "${only[@]}"; do [ "$o" = "$name" ] && hit=1; done
        [ $hit = 1 ] || continue
    fi
    if [ "$cap" != "-" ] && [ ! -f "$cap" ]; then
        case $cap in
            ../shared/*) echo "SKIP $name: capture $cap absent (shared corpus)"; skipped=$((skipped + 1)) ;;
            *) echo "FAIL $name: capture $cap not found"; failed=$((failed + 1)) ;;
        esac
        continue
    fi
    exp=$GOLDEN/$expected
    out=$tmp/$name.out
    got=$tmp/$name.stdout
    err=$tmp/$name.stderr
    rm -f "$out"
    argv=()
    use_out=0
    read -r -a words <<<"$args"
    for w in "${words[@]}"; do
        case $w in *'{out}'*) use_out=1 ;; esac
        w=${w//\{cap\}/$cap}
        w=${w//\{out\}/$out}
        argv+=("$w")
    done
    TZ=UTC NO_COLOR=1 LC_ALL=C.UTF-8 timeout 120 "$bin" "${argv[@]}" >"$got" 2>"$err" </dev/null
    rc=$?
    if [ $rc -ne 0 ]; then
        what="exited $rc"
        [ $rc -eq 124 ] && what="timed out"
        [ $rc -gt 128 ] && [ $rc -ne 124 ] && what="killed by signal $((rc - 128))"
        echo "FAIL $name: sipscope $what: $bin ${argv[*]}"
        sed 's/^/    stderr: /' "$err" | head -5
        failed=$((failed + 1)); continue
    fi
    result=$got
    if [ $use_out = 1 ]; then
        if [ ! -f "$out" ]; then
            echo "FAIL $name: sipscope wrote no {out} file: $bin ${argv[*]}"
            failed=$((failed + 1)); continue
        fi
        result=$out
    fi
    if [ $update = 1 ]; then
        mkdir -p "$(dirname "$exp")"
        if [ -f "$exp" ] && cmp -s "$result" "$exp"; then
            echo "PASS $name (unchanged)"; passed=$((passed + 1))
        else
            cp "$result" "$exp"; echo "UPDATED $name -> $exp"; updated=$((updated + 1))
        fi
        continue
    fi
    if [ ! -f "$exp" ]; then
        echo "FAIL $name: expected file $exp is missing (create it with: $0 $bin --update $name)"
        failed=$((failed + 1)); continue
    fi
    if cmp -s "$result" "$exp"; then
        echo "PASS $name"; passed=$((passed + 1))
    else
        echo "FAIL $name: output differs from $exp"
        diff -u --label "expected/$name" --label "actual/$name" "$exp" "$result" | head -60 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done <"$MANIFEST"

summary="$passed passed, $failed failed"
[ $skipped -gt 0 ] && summary="$summary, $skipped skipped"
[ $update = 1 ] && summary="$summary, $updated updated"
echo "$summary"
[ $failed -eq 0 ]
