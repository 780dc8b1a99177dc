#!/usr/bin/env bash
# Regenerate the transport captures: SIP over IPv6, a Linux "any" capture
# (cooked v2 link layer) and IP-fragmented UDP.
#
#   sipp-ipv6        SIPp UAS/UAC on ::1 ([::1] in Via/Contact/URIs), tcpdump -i lo
#   sipp-any-sll2    SIPp on 127.0.0.1, tcpdump -i any -y LINUX_SLL2 (DLT 276)
#   sipp-fragmented  two network namespaces this script creates (sipscope-a,
#                    sipscope-b) joined by a veth pair, 10.99.0.1/24 and
#                    10.99.0.2/24 inside them only, MTU 1500; the UAC in a sends
#                    INVITEs with a ~3 KB SDP (scenarios/uac-bigsdp.xml), so each
#                    leaves as 3 IP fragments; tcpdump runs inside sipscope-a.
#                    The namespaces are deleted at the end (and on failure).
#
# Like make-captures.sh: each file goes to captures/ only when tshark finds
# exactly the expected SIP messages (up to 3 attempts); everything is bounded
# in time; no packet leaves loopback or the two private namespaces.
#
# Usage: captures/make-transport-captures.sh [NAME...]   (default: all three)
# Needs root (tcpdump, ip netns). Logs go to build/captures-log/.
set -euo pipefail
cd "$(dirname "$0")/.."

SC=captures/scenarios
LOG=build/captures-log
TMP=build/captures-tmp
NS_A=sipscope-a NS_B=sipscope-b
IP_A=10.99.0.1 IP_B=10.99.0.2
mkdir -p "$LOG" "$TMP"

for tool in sipp tcpdump tshark python3 timeout ip ss; do
    command -v "$tool" >/dev/null || { echo "make-transport-captures: $tool not found" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "make-transport-captures: needs root (tcpdump, ip netns)" >&2; exit 2; }

TCPDUMP_PID=
UAS_PID=
netns_down() {
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
}
cleanup() {
    [ -n "$UAS_PID" ] && kill "$UAS_PID" 2>/dev/null || true
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    UAS_PID= TCPDUMP_PID=
    netns_down
}
trap cleanup EXIT

# in_ns NS CMD...: CMD inside namespace NS ("" = this one). ns_prefix NS
# sets NSX to the same as a command prefix, for background jobs (whose $!
# must be the program itself, which `ip netns exec` execs, not a subshell).
in_ns() {
    local ns=$1; shift
    if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}
ns_prefix() {
    NSX=(env)
    [ -n "$1" ] && NSX=(ip netns exec "$1")
    return 0
}

# capture_start NAME NS IFACE LINKTYPE FILTER: tcpdump into $TMP/NAME.pcap.
capture_start() {
    local name=$1 ns=$2 ifc=$3 lt=$4 filter=$5
    local ylt=()
    [ -n "$lt" ] && ylt=(-y "$lt")
    rm -f "$TMP/$name.pcap"
    ns_prefix "$ns"
    "${NSX[@]}" tcpdump -i "$ifc" "${ylt[@]}" -n -U --immediate-mode -s 0 \
        -w "$TMP/$name.pcap" "$filter" 2>"$LOG/$name.tcpdump.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$LOG/$name.tcpdump.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "make-transport-captures: tcpdump did not start (see $LOG/$name.tcpdump.log)" >&2
    return 1
}

capture_stop() {
    sleep 1
    kill -INT "$TCPDUMP_PID" || return 1
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
}

# pair LABEL NS_UAS UAS_IP NS_UAC UAC_IP UAS_SCEN UAC_SCEN UAC_PORT CALLS RATE
# SIPp UAS on UAS_IP:5060 (in NS_UAS), UAC on UAC_IP:UAC_PORT (in NS_UAC).
# IPv6 addresses are given bare; the remote is written [v6]:5060.
pair() {
    local label=$1 nsu=$2 uas_ip=$3 nsc=$4 uac_ip=$5 uas=$6 uac=$7 uac_port=$8 calls=$9 rate=${10}
    local remote=$uas_ip:5060
    case $uas_ip in *:*) remote="[$uas_ip]:5060" ;; esac
    ns_prefix "$nsu"
    "${NSX[@]}" timeout 30 sipp -sf "$SC/$uas" -t u1 -i "$uas_ip" -p 5060 -mi "$uas_ip" -mp 16000 \
        -m "$calls" -timeout 20s -nostdin -nr -trace_err -error_file "$LOG/$label.uas.err" \
        >"$LOG/$label.uas.log" 2>&1 &
    UAS_PID=$!
    local up=0
    for _ in $(seq 50); do
        in_ns "$nsu" ss -Hlun "sport = :5060" 2>/dev/null | grep -q . && { up=1; break; }
        kill -0 "$UAS_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ $up = 1 ] || { echo "make-transport-captures: $label: UAS did not start" >&2; return 1; }
    local rc=0 urc=0
    in_ns "$nsc" timeout 30 sipp "$remote" -sf "$SC/$uac" -t u1 -s bob -i "$uac_ip" -p "$uac_port" \
        -mi "$uac_ip" -mp 16100 -m "$calls" -r "$rate" -timeout 20s -nostdin -nr \
        -trace_err -error_file "$LOG/$label.uac.err" >"$LOG/$label.uac.log" 2>&1 || rc=$?
    wait "$UAS_PID" || urc=$?
    UAS_PID=
    if [ "$rc" -ne 0 ] || [ "$urc" -ne 0 ]; then
        echo "make-transport-captures: $label: sipp exit UAC=$rc UAS=$urc (logs: $LOG/$label.*)" >&2
        return 1
    fi
    echo "  $label: $calls call(s) ok"
}

# summary FILE: "N msgs, M Call-IDs: ACK=.. INVITE=.. 100=.." as tshark sees them.
summary() {
    tshark -r "$1" -Y sip -T fields -E occurrence=a -E aggregator='|' \
        -e sip.Method -e sip.Status-Code -e sip.Call-ID 2>/dev/null | python3 -c '
import sys, collections
c = collections.Counter(); ids = set(); n = 0
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    for m in f[0].split("|") if f[0] else []:
        c[m] += 1; n += 1
    for s in f[1].split("|") if len(f) > 1 and f[1] else []:
        c[s] += 1; n += 1
    for i in f[2].split("|") if len(f) > 2 and f[2] else []:
        ids.add(i)
keys = sorted(c, key=lambda k: (k[0].isdigit(), k))
print("%d msgs, %d Call-IDs: %s" % (n, len(ids), " ".join("%s=%d" % (k, c[k]) for k in keys)))'
}

# finish NAME EXPECTED [EXTRA_CHECK]: compare tshark's view, move into captures/.
finish() {
    local name=$1 want=$2 got
    got=$(summary "$TMP/$name.pcap")
    if [ "$got" != "$want" ]; then
        echo "make-transport-captures: $name: unexpected content" >&2
        echo "   want: $want" >&2
        echo "   got:  $got" >&2
        return 1
    fi
    cp "$TMP/$name.pcap" "captures/$name.pcap" && rm -f "$TMP/$name.pcap"
    echo "OK captures/$name.pcap ($(stat -c %s "captures/$name.pcap") bytes): $got"
}

# ---- the captures ----
make_sipp_ipv6() {
    capture_start sipp-ipv6 "" lo "" "ip6 and udp and port 5060 and portrange 5120-5121" || return 1
    pair v6-answered "" ::1 "" ::1 uas-call.xml uac-call.xml 5120 2 2 || return 1
    pair v6-busy "" ::1 "" ::1 uas-reject-486.xml uac-reject.xml 5121 1 1 || return 1
    capture_stop || return 1
    finish sipp-ipv6 "18 msgs, 3 Call-IDs: ACK=3 BYE=2 INVITE=3 100=3 180=2 200=4 486=1"
}

make_sipp_any_sll2() {
    capture_start sipp-any-sll2 "" any LINUX_SLL2 "udp and port 5060 and port 5130" || return 1
    pair any-answered "" 127.0.0.1 "" 127.0.0.1 uas-call.xml uac-call.xml 5130 2 2 || return 1
    capture_stop || return 1
    # one record per packet: libpcap skips loopback's outgoing copy on "any" too
    [ "$(tshark -r "$TMP/sipp-any-sll2.pcap" -T fields -e frame.number 2>/dev/null | wc -l)" = 14 ] ||
        { echo "make-transport-captures: sipp-any-sll2: not 14 frames" >&2; return 1; }
    local lt
    lt=$(tcpdump -r "$TMP/sipp-any-sll2.pcap" -c 1 2>&1 >/dev/null | grep -o 'LINUX_SLL2' || true)
    [ "$lt" = LINUX_SLL2 ] || { echo "make-transport-captures: sipp-any-sll2: link type is not LINUX_SLL2" >&2; return 1; }
    finish sipp-any-sll2 "14 msgs, 2 Call-IDs: ACK=2 BYE=2 INVITE=2 100=2 180=2 200=4"
}

make_sipp_fragmented() {
    netns_down
    ip netns add "$NS_A" && ip netns add "$NS_B" || return 1
    ip link add veth-ssa netns "$NS_A" type veth peer name veth-ssb netns "$NS_B" || return 1
    in_ns "$NS_A" ip addr add "$IP_A/24" dev veth-ssa
    in_ns "$NS_B" ip addr add "$IP_B/24" dev veth-ssb
    for ns in "$NS_A" "$NS_B"; do
        in_ns "$ns" ip link set lo up
    done
    in_ns "$NS_A" ip link set veth-ssa mtu 1500 up
    in_ns "$NS_B" ip link set veth-ssb mtu 1500 up
    # no offloads: the capture shows the fragments as they would be on a wire
    in_ns "$NS_A" ethtool -K veth-ssa tx off rx off gso off gro off >/dev/null 2>&1 || true
    in_ns "$NS_B" ethtool -K veth-ssb tx off rx off gso off gro off >/dev/null 2>&1 || true
    local up=0
    for _ in $(seq 50); do
        ip -n "$NS_A" link show veth-ssa | grep -q 'state UP' &&
            ip -n "$NS_B" link show veth-ssb | grep -q 'state UP' && { up=1; break; }
        sleep 0.1
    done
    [ $up = 1 ] || { echo "make-transport-captures: veth pair did not come up" >&2; return 1; }
    capture_start sipp-fragmented "$NS_A" veth-ssa "" \
        "host $IP_A and host $IP_B and (udp port 5060 or (ip[6:2] & 0x1fff != 0))" || return 1
    pair fragmented "$NS_B" "$IP_B" "$NS_A" "$IP_A" uas-call.xml uac-bigsdp.xml 5140 2 2 || return 1
    capture_stop || return 1
    local frags
    frags=$(tshark -r "$TMP/sipp-fragmented.pcap" -Y 'ip.flags.mf == 1 || ip.frag_offset > 0' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    [ "$frags" = 6 ] || { echo "make-transport-captures: sipp-fragmented: $frags fragments, want 6 (2 INVITEs x 3)" >&2; return 1; }
    finish sipp-fragmented "14 msgs, 2 Call-IDs: ACK=2 BYE=2 INVITE=2 100=2 180=2 200=4" || return 1
    netns_down
}

all=(sipp-ipv6 sipp-any-sll2 sipp-fragmented)
[ $# -gt 0 ] && all=("$@")
status=0
for name in "${all[@]}"; do
    fn=make_${name//-/_}
    if ! declare -F "$fn" >/dev/null; then
        echo "make-transport-captures: unknown capture $name" >&2; status=2; continue
    fi
    echo "== $name"
    ok=0
    for attempt in 1 2 3; do
        if "$fn"; then ok=1; break; fi
        echo "make-transport-captures: $name: attempt $attempt failed" >&2
        cleanup
        sleep 1
    done
    [ $ok = 1 ] || status=1
done
netns_down
exit $status
