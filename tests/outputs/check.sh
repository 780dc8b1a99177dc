#!/usr/bin/env bash
# check.sh SIPSCOPE - end-to-end checks of the file outputs on real captures.
#
# For captures/*.pcap and a generated hostile capture (make_hostile.py):
#   - --html/--svg/--mermaid/--plantuml/--markdown/--junit are written;
#   - the SVG ladder is well-formed XML (xmllint --noout), the JUnit file
#     validates against docs/junit.xsd;
#   - every Mermaid diagram parses with the real mermaid parser
#     (mermaid_parse.mjs; mermaid + jsdom are npm-installed once into
#     build/outputs/node, SKIPPED when npm cannot);
#   - --fail-if exit codes: 0 when the condition does not hold, 1 when it
#     holds, 2 for a usage error; every example path of docs/gating.md,
#     true and false;
#   - with chromium installed, dom_check.js loads the reports in headless
#     Chromium (record count, ladder arrows, filters, hostile capture runs
#     nothing) and keeps a screenshot as build/outputs/report.png.
# Exit 0 when everything ran passed.
set -u
SIPSCOPE=${1:?usage: check.sh SIPSCOPE}
SIPSCOPE=$(cd "$(dirname "$SIPSCOPE")" && pwd)/$(basename "$SIPSCOPE")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/outputs
mkdir -p "$out"
cd "$root" || exit 2

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# value PATH JSON: a number from a sipscope-report/1 file (0 when absent)
value() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[2]))
o = d
for k in sys.argv[1].split('.'):
    o = o.get(k) if isinstance(o, dict) else None
print(0 if o is None else o)
EOF
}

python3 "$here/make_hostile.py" "$out/hostile.pcap" || bad "make_hostile.py"
caps=(captures/*.pcap "$out/hostile.pcap")

for cap in "${caps[@]}"; do
    name=$(basename "$cap" .pcap)
    o="$out/$name"
    rm -f "$o".{json,html,svg,mmd,puml,md,xml}
    if ! "$SIPSCOPE" -r "$cap" --json "$o.json" --html "$o.html" --mermaid "$o.mmd" --plantuml "$o.puml" \
        --markdown "$o.md" --junit "$o.xml" >/dev/null 2>"$o.err"; then
        bad "$name: sipscope exited $? ($(head -1 "$o.err"))"
        continue
    fi
    dialogs=$(value summary.dialogs "$o.json")
    for f in json html mmd puml md xml; do
        # ladders (mmd, puml) are empty when no record was found
        if [ -s "$o.$f" ] || { [ "$dialogs" = 0 ] && [ -e "$o.$f" ]; }; then ok
        else bad "$name: $o.$f missing or empty"; fi
    done
    # the SVG of one call (the first record's Call-ID)
    cid=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["dialogs"]; print(d[0]["call_id"] if d else "")' "$o.json")
    if [ -n "$cid" ]; then
        "$SIPSCOPE" -r "$cap" --call-id "$cid" --svg "$o.svg" >/dev/null 2>&1 || bad "$name: --svg run failed"
        if xmllint --noout "$o.svg" 2>"$o.svg.err" && grep -q '<g class="msg ' "$o.svg"; then ok
        else bad "$name: SVG not well-formed or without arrows: $(head -2 "$o.svg.err")"; fi
    fi
    if xmllint --noout --schema docs/junit.xsd "$o.xml" 2>"$o.xml.err"; then ok
    else bad "$name: JUnit does not validate: $(grep -v validates "$o.xml.err" | head -3)"; fi
    tests=$(grep -o '<testsuite name="[^"]*" tests="[0-9]*"' "$o.xml" | grep -o 'tests="[0-9]*"' | tr -dc 0-9)
    [ "$tests" -ge "$dialogs" ] 2>/dev/null && ok || bad "$name: JUnit tests=$tests < dialogs=$dialogs"
    [ "$(grep -c '^@startuml' "$o.puml")" = "$(grep -c '^@enduml' "$o.puml")" ] && ok || bad "$name: PlantUML blocks"
    grep -q '^## sipscope summary' "$o.md" && ok || bad "$name: Markdown summary heading"
    [ "$(grep -c '<script' "$o.html")" = 1 ] && ok || bad "$name: HTML has other <script> than ours"
    # legs, related records, breakdowns, RFC 6076 figures, registrations, subscriptions and
    # watchers in the HTML agree with the JSON
    if msg=$(python3 - "$o.json" "$o.html" 2>&1 <<'PY'
import json, re, sys
j = json.load(open(sys.argv[1])); h = open(sys.argv[2], encoding='utf-8').read()
legs = [d for d in j['dialogs'] if d.get('legs')]
tables = re.findall(r'<table class="legs"><caption>(\d+) legs', h)
if sorted(int(t) for t in tables) != sorted(len(d['legs']) for d in legs):
    sys.exit('legs tables %s, JSON legs %s' % (tables, [len(d['legs']) for d in legs]))
rel = sum(len(d.get('related', [])) for d in j['dialogs'])
if len(re.findall(r'<a href="#rec-\d+">#\d+</a>', h)) != rel:
    sys.exit('related links != %d' % rel)
for by, b in j['breakdowns'].items():
    m = re.search(r'<table class="bd" data-by="%s">.*?</table>' % by, h, re.S)
    if len(b['top']) != (len(re.findall(r'<tr><td>', m.group(0))) if m else 0):
        sys.exit('breakdown %s: %d top entries in the JSON' % (by, len(b['top'])))
if j['metrics'].get('SER') is not None and '<b>%.2f %%</b>' % j['metrics']['SER'] not in h:
    sys.exit('SER %.2f not in the HTML' % j['metrics']['SER'])
for key in ('registrations', 'subscriptions', 'watchers'):
    m = re.search(r'<table class="conv" id="%s">.*?</table>' % key, h, re.S)
    if len(j.get(key, [])) != (len(re.findall(r'<tr><td', m.group(0))) if m else 0):
        sys.exit('%s: %d in the JSON, %s rows in the HTML' % (key, len(j.get(key, [])),
                 len(re.findall(r'<tr><td', m.group(0))) if m else 'no table'))
PY
    ); then ok; else bad "$name: HTML vs JSON: $msg"; fi
done

# ---- gating ----
# expect CODE ARGS...: sipscope exits CODE
expect() {
    local want=$1
    shift
    "$SIPSCOPE" "$@" >/dev/null 2>"$out/gate.err"
    local rc=$?
    if [ "$rc" = "$want" ]; then ok; else bad "exit $rc, want $want: sipscope $* ($(head -1 "$out/gate.err"))"; fi
}
cap=captures/sipp-calls.pcap
j=$out/sipp-calls.json
paths=(asr responses.5xx responses.4xx responses.408 responses.200 stats.responses.200 stats.responses.408
       setup_ms.p95 stats.setup_ms.p95 retransmissions summary.retransmissions calls.failed calls.answered
       calls.total malformed response_ms.INVITE.p95)
i=0
for p in "${paths[@]}"; do
    jp=$p
    case $p in
        asr) jp=stats.calls.asr ;;
        responses.[1-6]xx) jp=stats.classes.${p#responses.} ;;
        responses.*) jp=stats.responses.${p#responses.} ;;
        setup_ms.* | response_ms.* | calls.*) jp=stats.$p ;;
        retransmissions | malformed) jp=summary.$p ;;
    esac
    v=$(value "$jp" "$j")
    trues=(">= $v" "<= $v" "== $v" "> $v - 1" "< $v + 1")
    falses=("!= $v" "> $v" "< $v")
    t=${trues[$((i % 5))]}
    f=${falses[$((i % 3))]}
    case $t in *" - 1") t="> $(python3 -c "print($v - 1)")" ;; *" + 1") t="< $(python3 -c "print($v + 1)")" ;; esac
    expect 1 -r "$cap" --fail-if "$p $t"
    expect 0 -r "$cap" --fail-if "$p $f"
    i=$((i + 1))
done
asr=$(value stats.calls.asr "$j")
if python3 -c "import sys; sys.exit(0 if $asr < 0.95 else 1)"; then expect 1 -r "$cap" --fail-if 'asr < 0.95'
else expect 0 -r "$cap" --fail-if 'asr < 0.95'; fi
expect 0 -r "$cap" --fail-if 'responses.599 > 0' --fail-if 'calls.total < 0'
expect 1 -r "$cap" --fail-if 'responses.599 > 0' --fail-if 'calls.total >= 0'
expect 2 -r "$cap" --fail-if 'asr <'
expect 2 -r "$cap" --fail-if 'nosuch > 1'
expect 2 -r "$cap" --fail-if 'asr = 1'
expect 2 -r "$cap" --fail-if 'asr < 1 and malformed > 0'
expect 2 -r "$cap" --fail-if 'summary.nosuch > 1'
expect 2 -r captures/register-challenge.pcap --fail-if 'asr < 0.95' # no calls: asr is null
"$SIPSCOPE" -r "$cap" --fail-if 'asr <' >/dev/null 2>"$out/gate.err"
grep -q "expected a number after '<'" "$out/gate.err" && ok || bad "gate message: $(cat "$out/gate.err")"

# ---- Mermaid: the real parser ----
node_dir=$out/node
if [ ! -d "$node_dir/node_modules/mermaid" ] && command -v npm >/dev/null; then
    mkdir -p "$node_dir"
    (cd "$node_dir" && [ -f package.json ] || echo '{"private":true}' >package.json
     npm install --no-audit --no-fund --silent mermaid jsdom >/dev/null 2>&1) || true
fi
if [ -d "$node_dir/node_modules/mermaid" ] && [ -d "$node_dir/node_modules/jsdom" ]; then
    if node "$here/mermaid_parse.mjs" "$node_dir" "$out"/*.mmd "$out"/*.md; then ok; else bad "mermaid parse"; fi
else
    echo "*** SKIPPED: mermaid parse (npm could not install mermaid + jsdom into $node_dir) ***"
fi

# ---- browser ----
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$chrome" ]; then
    records=$(value summary.dialogs "$j")
    answered=$(value stats.calls.answered "$j")
    if node "$here/dom_check.js" "$chrome" "$out/sipp-calls.html" "$records" "$answered" "$out/hostile.html" \
        "$out/report.png"; then ok; else bad "dom_check.js"; fi
else
    echo "*****************************************************"
    echo "*** SKIPPED: chromium not installed (DOM checks)  ***"
    echo "*****************************************************"
fi

echo "outputs: $pass passed, $fail failed"
[ "$fail" = 0 ]
