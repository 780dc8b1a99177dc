#!/usr/bin/env bash
# Regenerates the captures of calls through kamailio (Debian's package):
#
# proxy-chain.pcap: SIPp UAC 127.0.0.1:5064 -> kamailio 127.0.0.1:5060 ->
#   SIPp UAS 127.0.0.1:5062. kamailio (captures/kamailio/proxy-chain.cfg)
#   record-routes and relays statefully, so every call crosses two hops: the
#   same Call-ID appears on two legs, each with its own Via branch and its
#   own transactions (kamailio answers 100 Trying itself and ACKs a non-2xx
#   final hop by hop). Scenarios uac-proxy-call.xml / uas-proxy-call.xml
#   (Route and Record-Route) for two answered calls, then uac-reject.xml /
#   uas-proxy-reject.xml: a call the UAS answers 486 with a Reason header
#   (Q.850 cause 17), which kamailio relays upstream.
#
# b2bua-xcid.pcap: SIPp UAC 127.0.0.1:5069 -> kamailio 127.0.0.1:5066 ->
#   SIPp UAS 127.0.0.1:5068, kamailio (captures/kamailio/b2bua-xcid.cfg)
#   masking the Call-ID of the outgoing leg (topoh) and adding X-CID with
#   the caller's: two Call-IDs per call, tied by X-CID, as behind a B2BUA.
#   One answered call.
#
# tcpdump records lo; tshark checks the content. Loopback only; needs root
# (tcpdump on lo). Logs in build/captures-log/.
# Usage: captures/make-proxy-capture.sh [proxy-chain|b2bua-xcid ...]
set -euo pipefail
cd "$(dirname "$0")/.."

SC=captures/scenarios
LOG=build/captures-log
TMP=$PWD/build/captures-tmp
IP=127.0.0.1
mkdir -p "$LOG" "$TMP/kamailio-run"

for tool in sipp tcpdump tshark kamailio timeout; do
    command -v "$tool" >/dev/null || { echo "make-proxy-capture: $tool not found" >&2; exit 2; }
done

TCPDUMP_PID= KAM_PID= UAS_PID=
cleanup() {
    [ -n "$UAS_PID" ] && kill "$UAS_PID" 2>/dev/null || true
    [ -n "$KAM_PID" ] && kill "$KAM_PID" 2>/dev/null || true
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null || true
}
trap cleanup EXIT

wait_port() {
    for _ in $(seq 50); do
        ss -H -lun "src $IP:$1" 2>/dev/null | grep -q . && return 0
        sleep 0.1
    done
    echo "make-proxy-capture: nothing listens on udp $IP:$1" >&2
    return 1
}

# start NAME CFG PROXY_PORT LAST_PORT: tcpdump, then kamailio with CFG.
start() {
    local name=$1 cfg=$2 px=$3 last=$4
    rm -f "$TMP/$name.pcap"
    tcpdump -i lo -n -U --immediate-mode -s 0 -w "$TMP/$name.pcap" \
        "udp and host $IP and portrange $px-$last" 2>"$LOG/$name.tcpdump.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 50); do grep -q "listening on" "$LOG/$name.tcpdump.log" 2>/dev/null && break; sleep 0.1; done
    # -DD: stay in the foreground (its children go with it); -E: log to stderr
    kamailio -f "$PWD/$cfg" -DD -E -w "$TMP/kamailio-run" -Y "$TMP/kamailio-run" \
        -P "$TMP/kamailio-run/kamailio.pid" >"$LOG/$name.kamailio.log" 2>&1 &
    KAM_PID=$!
    wait_port "$px"
}

# run LABEL UAS_SCENARIO UAC_SCENARIO CALLS PROXY_PORT UAS_PORT UAC_PORT
run() {
    timeout 30 sipp -sf "$SC/$2" -i $IP -p "$6" -m "$4" -timeout 20s -nostdin -nr \
        -mi $IP -mp 16200 >"$LOG/$1.$2.log" 2>&1 &
    UAS_PID=$!
    wait_port "$6"
    timeout 30 sipp "$IP:$5" -sf "$SC/$3" -s bob -i $IP -p "$7" -m "$4" -r 2 \
        -timeout 20s -nostdin -nr -mi $IP -mp 16300 >"$LOG/$1.$3.log" 2>&1
    wait "$UAS_PID" || { echo "make-proxy-capture: UAS $2 failed (see $LOG)" >&2; return 1; }
    UAS_PID=
}

# finish NAME EXPECTED: stop, check the tshark summary, move into captures/.
finish() {
    local name=$1 want=$2 got
    sleep 1
    kill "$KAM_PID"; wait "$KAM_PID" || true; KAM_PID=
    kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; TCPDUMP_PID=
    got=$(tshark -r "$TMP/$name.pcap" -Y sip -T fields -e sip.Method -e sip.Status-Code -e sip.Call-ID 2>/dev/null |
          python3 -c '
import sys, collections
c = collections.Counter(); ids = set(); n = 0
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    c[f[0] or f[1]] += 1; ids.add(f[2]); n += 1
keys = sorted(c, key=lambda k: (k[0].isdigit(), k))
print("%d msgs, %d Call-IDs: %s" % (n, len(ids), " ".join("%s=%d" % (k, c[k]) for k in keys)))')
    if [ "$got" != "$want" ]; then
        echo "make-proxy-capture: $name: unexpected content" >&2
        echo "   want: $want" >&2
        echo "   got:  $got" >&2
        return 1
    fi
    cp "$TMP/$name.pcap" "captures/$name.pcap"
    echo "OK captures/$name.pcap ($(stat -c %s "captures/$name.pcap") bytes): $got"
}

make_proxy_chain() {
    start proxy-chain captures/kamailio/proxy-chain.cfg 5060 5064
    run proxy-chain uas-proxy-call.xml uac-proxy-call.xml 2 5060 5062 5064
    run proxy-chain uas-proxy-reject.xml uac-reject.xml 1 5060 5062 5064
    finish proxy-chain "36 msgs, 3 Call-IDs: ACK=6 BYE=4 INVITE=6 100=6 180=4 200=8 486=2"
}

make_b2bua_xcid() {
    start b2bua-xcid captures/kamailio/b2bua-xcid.cfg 5066 5069
    run b2bua-xcid uas-proxy-call.xml uac-proxy-call.xml 1 5066 5068 5069
    finish b2bua-xcid "14 msgs, 2 Call-IDs: ACK=2 BYE=2 INVITE=2 100=2 180=2 200=4"
}

all=(proxy-chain b2bua-xcid)
[ $# -gt 0 ] && all=("$@")
for name in "${all[@]}"; do
    fn=make_${name//-/_}
    declare -F "$fn" >/dev/null || { echo "make-proxy-capture: unknown capture $name" >&2; exit 2; }
    "$fn"
done
