#!/usr/bin/env bash
# Calls through kamailio, live (issue 6 item 7): SIPp UAC -> kamailio ->
# SIPp UAS on loopback, started here, while sipscope -i lo captures. Needs
# root (-i lo) and kamailio + sipp (tools/install-deps.sh); skipped loudly
# otherwise. Ports 15160-15169: apart from the other tiers.
#  1. proxy chain (captures/kamailio/proxy-chain.cfg): every call is one
#     dialog record with two legs, nothing taken for a retransmission, each
#     leg answered with its own setup time;
#  2. B2BUA stand-in (b2bua-xcid.cfg: another Call-ID downstream, X-CID):
#     every call is two records that name each other in related[].
# Each time the packets sipscope wrote (-w) agree with tshark per message.
set -uo pipefail
cd "$(dirname "$0")/../.."
SIPSCOPE=$(readlink -f "${1:-./sipscope}")
W=$(mktemp -d /tmp/sipscope-proxy.XXXXXX)
chmod 777 "$W"
pass=0 fail=0
ok() { echo "PASS $*"; pass=$((pass+1)); }
ko() { echo "FAIL $*"; fail=$((fail+1)); }
N=3
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

# chain NAME CFG LISTEN_DEFINE PROXY UAS UAC: sipscope -i lo around N calls
# through kamailio; leaves $W/NAME.json and $W/NAME.pcap.
chain() {
    local name=$1 cfg=$2 def=$3 px=$4 uas=$5 uac=$6
    "$SIPSCOPE" -i lo -w "$W/$name.pcap" --json "$W/$name.json" -q --duration 30 \
        "udp and portrange $px-$uac" 2>"$W/$name.sipscope.err" &
    SP=$!
    mkdir -p "$W/run"
    kamailio -f "$PWD/captures/kamailio/$cfg" -DD -E -w "$W/run" -Y "$W/run" -P "$W/run/k.pid" \
        -A "$def=udp:127.0.0.1:$px" -A "UAS_URI=\"sip:127.0.0.1:$uas\"" >"$W/$name.kamailio.log" 2>&1 &
    KP=$!
    timeout 30 sipp -sf captures/scenarios/uas-proxy-call.xml -i 127.0.0.1 -p $uas -m $N -nr -nostdin \
        -timeout 20s >"$W/$name.uas.log" 2>&1 &
    UP=$!
    local rc=0
    if ! wait_udp $px || ! wait_udp $uas; then
        ko "$name: kamailio or the UAS did not start ($(tail -2 "$W/$name.kamailio.log" | tr '\n' ' '))"
        rc=1
    else
        sleep 1 # sipscope's capture is open by now (it started first)
        timeout 30 sipp 127.0.0.1:$px -sf captures/scenarios/uac-proxy-call.xml -s bob -i 127.0.0.1 -p $uac \
            -m $N -r 5 -nr -nostdin -timeout 20s >"$W/$name.uac.log" 2>&1
        local uac_rc=$?
        wait $UP; local uas_rc=$?; UP=
        [ $uac_rc -eq 0 ] && [ $uas_rc -eq 0 ] && ok "$name: $N SIPp calls through kamailio" \
            || { ko "$name: sipp exit UAC=$uac_rc UAS=$uas_rc"; rc=1; }
    fi
    sleep 0.5
    [ -n "$UP" ] && { kill $UP 2>/dev/null; wait $UP 2>/dev/null; UP=; }
    kill -INT $SP; wait $SP; local src=$?; SP=
    kill $KP; wait $KP 2>/dev/null; KP=
    if [ $src -ne 0 ] || [ ! -s "$W/$name.json" ]; then
        ko "$name: sipscope exit $src, no report ($(head -2 "$W/$name.sipscope.err"))"
        return 1
    fi
    if python3 tests/diff/tshark_diff.py --sipscope "$SIPSCOPE" "$W/$name.pcap" >"$W/$name.diff.log" 2>&1; then
        ok "$name: tshark agrees on the captured packets ($(tail -1 "$W/$name.diff.log"))"
    else
        ko "$name: tshark differential: $(tail -3 "$W/$name.diff.log" | tr '\n' ' ')"
    fi
    return $rc
}

# ---- 1. proxy chain: one record, two legs per call ----
if chain proxy proxy-chain.cfg PROXY_LISTEN 15160 15162 15164; then
    got=$(python3 - "$W/proxy.json" <<'PY'
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

# ---- 2. B2BUA stand-in: two records per call, linked by X-CID ----
if chain b2bua b2bua-xcid.cfg B2BUA_LISTEN 15166 15168 15169; then
    got=$(python3 - "$W/b2bua.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
ds = {d['id']: d for d in j['dialogs']}
pairs = 0
for d in ds.values():
    r = d.get('related', [])
    if len(r) == 1 and ds[r[0]].get('related') == [d['id']] and d['call_id'] != ds[r[0]]['call_id'] \
       and (d.get('link_key') == ds[r[0]]['call_id'] or ds[r[0]].get('link_key') == d['call_id']):
        pairs += 1
print(len(ds), pairs // 2, sum(1 for d in ds.values() if d['outcome'] == 'answered'))
PY
)
    want="$((2*N)) $N $((2*N))"
    [ "$got" = "$want" ] && ok "b2bua: $((2*N)) records, $N pairs naming each other (X-CID), all answered" \
        || ko "b2bua: records/linked pairs/answered = '$got', want '$want'"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
