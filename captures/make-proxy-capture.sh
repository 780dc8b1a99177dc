#!/usr/bin/env bash
# Regenerates captures/proxy-chain.pcap: SIP calls through a real proxy.
#
#   SIPp UAC 127.0.0.1:5064 -> kamailio 127.0.0.1:5060 -> SIPp UAS 127.0.0.1:5062
#
# kamailio (Debian's package, config captures/kamailio/proxy-chain.cfg)
# record-routes and relays statefully, so every call crosses two hops: the
# same Call-ID appears on two legs, each with its own Via branch and its own
# transactions (kamailio answers 100 Trying itself and ACKs a non-2xx final
# hop by hop). Scenarios uac-proxy-call.xml / uas-proxy-call.xml (Route and
# Record-Route) for two answered calls, then uac-reject.xml /
# uas-proxy-reject.xml: a call the UAS answers 486 with a Reason header
# (Q.850 cause 17), which kamailio relays upstream.
# tcpdump records lo; tshark checks the content. Loopback only; needs root
# (tcpdump on lo). Logs in build/captures-log/.
set -euo pipefail
cd "$(dirname "$0")/.."

SC=captures/scenarios
CFG=captures/kamailio/proxy-chain.cfg
LOG=build/captures-log
TMP=$PWD/build/captures-tmp
IP=127.0.0.1
PROXY_PORT=5060 UAS_PORT=5062 UAC_PORT=5064
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

pcap=$TMP/proxy-chain.pcap
rm -f "$pcap"
tcpdump -i lo -n -U --immediate-mode -s 0 -w "$pcap" \
    "udp and host $IP and portrange $PROXY_PORT-$UAC_PORT" 2>"$LOG/proxy-chain.tcpdump.log" &
TCPDUMP_PID=$!
for _ in $(seq 50); do grep -q "listening on" "$LOG/proxy-chain.tcpdump.log" 2>/dev/null && break; sleep 0.1; done

# -DD: stay in the foreground (its children are killed with it); -E: log to stderr
kamailio -f "$PWD/$CFG" -w "$TMP/kamailio-run" -DD -E -Y "$TMP/kamailio-run" -P "$TMP/kamailio-run/kamailio.pid" \
    >"$LOG/proxy-chain.kamailio.log" 2>&1 &
KAM_PID=$!
wait_port $PROXY_PORT

# run UAS_SCENARIO UAC_SCENARIO CALLS
run() {
    timeout 30 sipp -sf "$SC/$1" -i $IP -p $UAS_PORT -m "$3" -timeout 20s -nostdin -nr \
        -mi $IP -mp 16200 >"$LOG/proxy-chain.$1.log" 2>&1 &
    UAS_PID=$!
    wait_port $UAS_PORT
    timeout 30 sipp "$IP:$PROXY_PORT" -sf "$SC/$2" -s bob -i $IP -p $UAC_PORT -m "$3" -r 2 \
        -timeout 20s -nostdin -nr -mi $IP -mp 16300 >"$LOG/proxy-chain.$2.log" 2>&1
    wait "$UAS_PID" || { echo "make-proxy-capture: UAS $1 failed (see $LOG)" >&2; return 1; }
    UAS_PID=
}
run uas-proxy-call.xml uac-proxy-call.xml 2
run uas-proxy-reject.xml uac-reject.xml 1

sleep 1
kill "$KAM_PID"; wait "$KAM_PID" || true; KAM_PID=
kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; TCPDUMP_PID=

want="36 msgs, 3 Call-IDs: ACK=6 BYE=4 INVITE=6 100=6 180=4 200=8 486=2"
got=$(tshark -r "$pcap" -Y sip -T fields -e sip.Method -e sip.Status-Code -e sip.Call-ID 2>/dev/null |
      python3 -c '
import sys, collections
c = collections.Counter(); ids = set(); n = 0
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    c[f[0] or f[1]] += 1; ids.add(f[2]); n += 1
keys = sorted(c, key=lambda k: (k[0].isdigit(), k))
print("%d msgs, %d Call-IDs: %s" % (n, len(ids), " ".join("%s=%d" % (k, c[k]) for k in keys)))')
if [ "$got" != "$want" ]; then
    echo "make-proxy-capture: unexpected content" >&2
    echo "   want: $want" >&2
    echo "   got:  $got" >&2
    exit 1
fi
cp "$pcap" captures/proxy-chain.pcap
echo "OK captures/proxy-chain.pcap ($(stat -c %s captures/proxy-chain.pcap) bytes): $got"
