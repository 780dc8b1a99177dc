#!/usr/bin/env bash
# Regenerate the transport captures: SIP over IPv6, a Linux "any" capture
# (cooked v2 link layer), IP-fragmented UDP, segmented TCP and HEP on a
# non-default port.
#
#   sipp-ipv6        SIPp UAS/UAC on ::1 ([::1] in Via/Contact/URIs), tcpdump -i lo
#   sipp-any-sll2    SIPp on 127.0.0.1, tcpdump -i any -y LINUX_SLL2 (DLT 276)
#   sipp-fragmented  two network namespaces this script creates (sipscope-a,
#                    sipscope-b) joined by a veth pair, 10.99.0.1/24 and
#                    10.99.0.2/24 inside them only, MTU 1500; the UAC in a sends
#                    INVITEs with a ~3 KB SDP (scenarios/uac-bigsdp.xml), so each
#                    leaves as 3 IP fragments; tcpdump runs inside sipscope-a.
#                    The namespaces are deleted at the end (and on failure).
#   sipp-tcp-segmented  the same namespaces, MTU 576 (MSS 536 minus options):
#                    SIPp -t t1, 20 calls on one TCP connection, the ~3.3 KB
#                    INVITEs span 7 segments each; SIPp must count 20
#                    successful calls on both sides.
#   hep-port-19062   sngrep -H replays sipp-calls.pcap as HEPv3 to
#                    127.0.0.1:19062, recorded on lo (for --hep-port).
#   tls-5061         openssl s_server/s_client on 127.0.0.1:5061, two TLS
#                    connections (with and without SNI) carrying an OPTIONS.
#
# Like make-captures.sh: each file goes to captures/ only when tshark finds
# exactly the expected SIP messages (up to 3 attempts); everything is bounded
# in time; no packet leaves loopback or the two private namespaces.
#
# Usage: captures/make-transport-captures.sh [NAME...]   (default: all)
# Needs root (tcpdump, ip netns). Logs go to build/captures-log/.
set -euo pipefail
cd "$(dirname "$0")/.."

ME=make-transport-captures
# shellcheck source=captures/lib.sh
. captures/lib.sh
NS_A=sipscope-a NS_B=sipscope-b
IP_A=10.99.0.1 IP_B=10.99.0.2
need_tools sipp tcpdump tshark python3 timeout ip ss
[ "$(id -u)" -eq 0 ] || { echo "$ME: needs root (tcpdump, ip netns)" >&2; exit 2; }

netns_down() {
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
}
cleanup_extra() { netns_down; }
trap cleanup EXIT

# pair LABEL NS_UAS UAS_IP NS_UAC UAC_IP UAS_SCEN UAC_SCEN UAC_PORT CALLS RATE
# SIPp UAS on UAS_IP:5060 (in NS_UAS), UAC on UAC_IP:UAC_PORT (in NS_UAC).
# IPv6 addresses are given bare; the remote is written [v6]:5060.
pair() {
    local label=$1 nsu=$2 uas_ip=$3 nsc=$4 uac_ip=$5 uas=$6 uac=$7 uac_port=$8 calls=$9 rate=${10}
    local remote=$uas_ip:5060 tr=${TR:-u1} lopt=-Hlun
    case $uas_ip in *:*) remote="[$uas_ip]:5060" ;; esac
    [ "$tr" = t1 ] && lopt=-Hltn
    ns_prefix "$nsu"
    "${NSX[@]}" timeout 30 sipp -sf "$SC/$uas" -t "$tr" -i "$uas_ip" -p 5060 -mi "$uas_ip" -mp 16000 \
        -m "$calls" -timeout 20s -nostdin -nr -trace_err -error_file "$LOG/$label.uas.err" \
        >"$LOG/$label.uas.log" 2>&1 &
    UAS_PID=$!
    local up=0
    for _ in $(seq 50); do
        in_ns "$nsu" ss "$lopt" "sport = :5060" 2>/dev/null | grep -q . && { up=1; break; }
        kill -0 "$UAS_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ $up = 1 ] || { echo "make-transport-captures: $label: UAS did not start" >&2; return 1; }
    local rc=0 urc=0
    in_ns "$nsc" timeout 30 sipp "$remote" -sf "$SC/$uac" -t "$tr" -s bob -i "$uac_ip" -p "$uac_port" \
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

# veth_up MTU: namespaces $NS_A and $NS_B joined by a veth pair with that MTU,
# $IP_A/24 and $IP_B/24, no offloads (the capture shows fragments and
# segments as they would be on a wire).
veth_up() {
    local mtu=$1
    netns_down
    ip netns add "$NS_A" && ip netns add "$NS_B" || return 1
    ip link add veth-ssa netns "$NS_A" type veth peer name veth-ssb netns "$NS_B" || return 1
    in_ns "$NS_A" ip addr add "$IP_A/24" dev veth-ssa
    in_ns "$NS_B" ip addr add "$IP_B/24" dev veth-ssb
    for ns in "$NS_A" "$NS_B"; do
        in_ns "$ns" ip link set lo up
    done
    in_ns "$NS_A" ip link set veth-ssa mtu "$mtu" up
    in_ns "$NS_B" ip link set veth-ssb mtu "$mtu" up
    # one MSS per TCP packet whatever the offloads (ethtool may be absent):
    # gso_max_segs 1 makes TCP hand the device wire-sized segments
    in_ns "$NS_A" ip link set veth-ssa gso_max_segs 1 || return 1
    in_ns "$NS_B" ip link set veth-ssb gso_max_segs 1 || return 1
    if command -v ethtool >/dev/null; then
        in_ns "$NS_A" ethtool -K veth-ssa tx off rx off gso off gro off tso off >/dev/null 2>&1 || true
        in_ns "$NS_B" ethtool -K veth-ssb tx off rx off gso off gro off tso off >/dev/null 2>&1 || true
    fi
    local up=0
    for _ in $(seq 50); do
        ip -n "$NS_A" link show veth-ssa | grep -q 'state UP' &&
            ip -n "$NS_B" link show veth-ssb | grep -q 'state UP' && { up=1; break; }
        sleep 0.1
    done
    [ $up = 1 ] || { echo "$ME: veth pair did not come up" >&2; return 1; }
}

make_sipp_fragmented() {
    veth_up 1500 || return 1
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

# SIP over one TCP connection through a 576-byte MTU (MSS 536): every INVITE
# (~3.3 KB with its SDP) spans 7 segments; 20 calls share the connection.
TCP_CALLS=20
make_sipp_tcp_segmented() {
    veth_up 576 || return 1
    capture_start sipp-tcp-segmented "$NS_A" veth-ssa "" \
        "host $IP_A and host $IP_B and tcp port 5060" || return 1
    TR=t1 pair tcp-segmented "$NS_B" "$IP_B" "$NS_A" "$IP_A" uas-call.xml uac-bigsdp.xml 5150 \
        "$TCP_CALLS" 10 || return 1
    capture_stop || return 1
    # SIPp's own count: every call successful on both sides
    local l
    for l in uac uas; do
        grep -Eq "Successful call +\| +[0-9]+ +\| +$TCP_CALLS\b" "$LOG/tcp-segmented.$l.log" 2>/dev/null ||
            [ "$(sed -n 's/.*Successful call[^|]*|[^|]*| *\([0-9]*\).*/\1/p' "$LOG/tcp-segmented.$l.log" | tail -1)" = "$TCP_CALLS" ] ||
            { echo "$ME: sipp-tcp-segmented: SIPp $l did not report $TCP_CALLS successful calls" >&2; return 1; }
    done
    local syns
    syns=$(tshark -r "$TMP/sipp-tcp-segmented.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    [ "$syns" = 1 ] || { echo "$ME: sipp-tcp-segmented: $syns connections, want 1" >&2; return 1; }
    local multi
    multi=$(tshark -r "$TMP/sipp-tcp-segmented.pcap" -Y 'sip.Method == "INVITE" && tcp.segment.count >= 2' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    [ "$multi" = "$TCP_CALLS" ] ||
        { echo "$ME: sipp-tcp-segmented: $multi INVITEs over 2+ segments, want $TCP_CALLS" >&2; return 1; }
    local n=$((TCP_CALLS * 7)) c=$TCP_CALLS
    finish sipp-tcp-segmented "$n msgs, $c Call-IDs: ACK=$c BYE=$c INVITE=$c 100=$c 180=$c 200=$((2 * c))" || return 1
    netns_down
}

# HEP on a port other than 9060: sngrep replays captures/sipp-calls.pcap as
# HEPv3 to 127.0.0.1:HEP_PORT, where a python socket swallows them (without a
# listener the ICMP errors make sngrep's connected socket drop datagrams).
# Read with --hep-port 19062. tshark 4.0 has no HEP dissector, so the
# check is on the frame count: one HEP datagram per SIP message (44).
HEP_PORT=19062
make_hep_port_19062() {
    need_tools sngrep
    capture_start hep-port-19062 "" lo "" "udp and dst port $HEP_PORT" || return 1
    timeout 30 python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.settimeout(3)
try:
    while True: s.recv(65535)
except socket.timeout: pass' "$HEP_PORT" &
    UAS_PID=$!
    for _ in $(seq 50); do ss -Hlun "sport = :$HEP_PORT" | grep -q . && break; sleep 0.1; done
    timeout 20 sngrep -N -q -I captures/sipp-calls.pcap -H "udp:127.0.0.1:$HEP_PORT" \
        >/dev/null 2>"$LOG/hep-port-19062.sngrep.log" || return 1
    wait "$UAS_PID" || true
    UAS_PID=
    capture_stop || return 1
    local n
    n=$(tshark -r "$TMP/hep-port-19062.pcap" -T fields -e frame.number 2>/dev/null | wc -l)
    [ "$n" = 44 ] || { echo "$ME: hep-port-19062: $n datagrams, want 44" >&2; return 1; }
    cp "$TMP/hep-port-19062.pcap" captures/hep-port-19062.pcap && rm -f "$TMP/hep-port-19062.pcap"
    echo "OK captures/hep-port-19062.pcap: $n HEP datagrams"
}

# TLS on 5061 (SIPp 3.6 in Debian is built without TLS): openssl s_server
# on 127.0.0.1:5061 with a throw-away self-signed certificate; two
# s_client connections each send one SIP OPTIONS through the tunnel, the
# first with SNI sip.sipscope.test, the second without (-noservername).
# sipscope must list 2 encrypted flows and find 0 SIP messages; tshark
# must see 2 ClientHellos (one with that server_name) and no SIP.
make_tls_5061() {
    need_tools openssl
    local key=$TMP/tls.key crt=$TMP/tls.crt
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=sip.sipscope.test \
        -keyout "$key" -out "$crt" >"$LOG/tls.req.log" 2>&1 || return 1
    capture_start tls-5061 "" lo "" "tcp and port 5061" || return 1
    timeout 20 openssl s_server -accept 127.0.0.1:5061 -cert "$crt" -key "$key" -naccept 2 \
        -quiet < <(sleep 12) >"$LOG/tls.server.log" 2>&1 &
    UAS_PID=$!
    for _ in $(seq 50); do ss -Hltn "sport = :5061" | grep -q . && break; sleep 0.1; done
    local opts msg
    msg=$'OPTIONS sip:bob@sip.sipscope.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bK-tls1\r\nFrom: <sip:alice@sipscope.test>;tag=a1\r\nTo: <sip:bob@sipscope.test>\r\nCall-ID: tls-1@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n'
    for opts in "-servername sip.sipscope.test" "-noservername"; do
        # shellcheck disable=SC2086
        { printf '%s' "$msg"; sleep 0.5; } | timeout 10 openssl s_client -connect 127.0.0.1:5061 $opts \
            -quiet -no_ign_eof >>"$LOG/tls.client.log" 2>&1 || true
    done
    wait "$UAS_PID" || true
    UAS_PID=
    capture_stop || return 1
    grep -q "OPTIONS sip:bob" "$LOG/tls.server.log" || { echo "$ME: tls-5061: the server got no OPTIONS" >&2; return 1; }
    local hellos sni
    hellos=$(tshark -r "$TMP/tls-5061.pcap" -Y 'tls.handshake.type == 1' -T fields -e frame.number 2>/dev/null | wc -l)
    sni=$(tshark -r "$TMP/tls-5061.pcap" -Y 'tls.handshake.type == 1' -T fields \
        -e tls.handshake.extensions_server_name 2>/dev/null | tr '\n' ',')
    [ "$hellos" = 2 ] && [ "$sni" = "sip.sipscope.test,," ] ||
        { echo "$ME: tls-5061: ClientHellos $hellos, SNI '$sni'" >&2; return 1; }
    finish tls-5061 "0 msgs, 0 Call-IDs: " || return 1
}

all=(sipp-ipv6 sipp-any-sll2 sipp-fragmented sipp-tcp-segmented hep-port-19062 tls-5061)
[ $# -gt 0 ] && all=("$@")
status=0
run_captures "${all[@]}" || status=$?
netns_down
exit $status
