#!/usr/bin/env bash
# Proxy chain, live (issue 6 item 7): SIPp UAC -> kamailio -> SIPp UAS on
# loopback, started here, while sipscope -i lo captures. Needs root (-i lo)
# and kamailio + sipp (tools/install-deps.sh); skipped loudly otherwise.
# Ports 15160 (proxy), 15162 (UAS), 15164 (UAC): apart from the other tiers.
# Checks: every call is one dialog record with two legs, nothing taken for
# a retransmission, each leg answered with its own setup time; the packets
# sipscope wrote (-w) agree with tshark message by message.
set -uo pipefail
cd "$(dirname "$0")/../.."
SIPSCOPE=$(readlink -f "${1:-./sipscope}")
W=$(mktemp -d /tmp/sipscope-proxy.XXXXXX)
chmod 777 "$W"
pass=0 fail=0
ok() { echo "PASS $*"; pass=$((pass+1)); }
ko() { echo "FAIL $*"; fail=$((fail+1)); }
PX=15160 UAS=15162 UAC=15164 N=3
SP= KP= UP=
cleanup() {
    for p in $UP $KP $SP; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || ! command -v sipp >/dev/null || ! command -v kamailio >/dev/null; then
    echo "!!! SKIPPED: the proxy tier needs root, sipp and kamailio (tools/install-deps.sh) !!!"
    echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
wait_udp() {
    for _ in $(seq 50); do ss -H -lun "src 127.0.0.1:$1" | grep -q . && return 0; sleep 0.1; done
    return 1
}

"$SIPSCOPE" -i lo -w "$W/proxy.pcap" --json "$W/live.json" -q --duration 30 \
    "udp and portrange $PX-$UAC" 2>"$W/sipscope.err" &
SP=$!
mkdir -p "$W/run"
kamailio -f "$PWD/captures/kamailio/proxy-chain.cfg" -DD -E -w "$W/run" -Y "$W/run" -P "$W/run/k.pid" \
    -A "PROXY_LISTEN=udp:127.0.0.1:$PX" -A "UAS_URI=\"sip:127.0.0.1:$UAS\"" >"$W/kamailio.log" 2>&1 &
KP=$!
timeout 30 sipp -sf captures/scenarios/uas-proxy-call.xml -i 127.0.0.1 -p $UAS -m $N -nr -nostdin \
    -timeout 20s >"$W/uas.log" 2>&1 &
UP=$!
if ! wait_udp $PX || ! wait_udp $UAS; then
    ko "proxy: kamailio or the UAS did not start (see kamailio.log)"; cat "$W/kamailio.log" | tail -5
    echo "$pass passed, $fail failed"; exit 1
fi
sleep 1 # sipscope's capture is open by now (it started first)
timeout 30 sipp 127.0.0.1:$PX -sf captures/scenarios/uac-proxy-call.xml -s bob -i 127.0.0.1 -p $UAC \
    -m $N -r 5 -nr -nostdin -timeout 20s >"$W/uac.log" 2>&1
uac_rc=$?
wait $UP; uas_rc=$?; UP=
sleep 0.5
kill -INT $SP; wait $SP; src=$?; SP=
kill $KP; wait $KP 2>/dev/null; KP=

[ $uac_rc -eq 0 ] && [ $uas_rc -eq 0 ] && ok "proxy: $N SIPp calls through kamailio" \
    || ko "proxy: sipp exit UAC=$uac_rc UAS=$uas_rc"
if [ $src -ne 0 ] || [ ! -s "$W/live.json" ]; then
    ko "proxy: sipscope exit $src, no report ($(head -2 "$W/sipscope.err"))"
else
    got=$(python3 - "$W/live.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
ds = j['dialogs']
print(len(ds), j['summary']['retransmissions'],
      sorted(set(len(d.get('legs', [])) for d in ds)),
      sum(1 for d in ds if d['outcome'] == 'answered'),
      all(l['final_status'] == 200 and l['setup_ms'] is not None for d in ds for l in d.get('legs', [])),
      all(len(set(m['leg'] for m in d['messages'])) == 2 for d in ds))
PY
)
    want="$N 0 [2] $N True True"
    [ "$got" = "$want" ] && ok "proxy: $N dialogs, 2 legs each, 0 retransmissions, every leg answered with its setup time" \
        || ko "proxy: dialogs/retrans/legs/answered/legs-ok/msg-legs = '$got', want '$want'"
fi
if python3 tests/diff/tshark_diff.py --sipscope "$SIPSCOPE" "$W/proxy.pcap" >"$W/diff.log" 2>&1; then
    ok "proxy: tshark agrees on the captured chain ($(tail -1 "$W/diff.log"))"
else
    ko "proxy: tshark differential: $(tail -3 "$W/diff.log" | tr '\n' ' ')"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
