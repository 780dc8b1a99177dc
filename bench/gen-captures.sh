#!/usr/bin/env bash
# bench/gen-captures.sh - make the `make bench` captures with SIPp on loopback.
#
# Every capture is SIPp's built-in 'uac' against bench/uas.xml (the built-in
# 'uas' plus a 100 Trying): INVITE/100/180/200/ACK/BYE/200 = 7 SIP messages
# per call, retransmissions off (-nr) so the count is exact.  tcpdump records
# loopback with a port filter; then the capture is verified (the number of
# "CSeq:" lines, one per SIP message, counted by the floor program, must be
# 7 x calls; SIPp must report no failed call; tcpdump must report 0 packets
# dropped by the kernel).  On a failed check the capture is made again at a
# lower rate.  Everything stays on 127.0.0.1.
#
#   name      transport  calls    ports (UAS/UAC)   media ports
#   udp-20k   UDP (u1)   20,000   15060/15061       17000/17100
#   udp-200k  UDP (u1)   200,000  15060/15061       17000/17100
#   tcp-20k   TCP (t1)   20,000   16060/16061       17200/17300
#   udp-frag-20k UDP (u1) 20,000  18060/18061       17400/17500
#
# udp-frag-20k runs between two network namespaces made here
# (sipscope-bench-a/-b, 10.213.0.1 <-> 10.213.0.2 on a veth pair with MTU 296,
# removed afterwards), so that nearly every SIP message (300-550 bytes) crosses as
# two IP fragments - a stress case for reassembly; the capture is taken on
# the veth, and the fragments are what the analyzers must reassemble.
# Captures are cached outside the repo in $BENCH_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/sipscope-bench/), each with NAME.pcap.stamp
# recording the parameters it was made with; a capture whose stamp matches is
# not made again (FORCE=1 makes it anyway).
#
# Usage: bench/gen-captures.sh [NAME...]      (default: udp-20k udp-200k tcp-20k udp-frag-20k)
# Env:   BENCH_CACHE, BENCH_RATE (calls/s to start with, default 2000), FORCE=1,
#        FLOOR (path of the floor program; built from bench/floor.c if absent)
# Needs root (or CAP_NET_RAW) for tcpdump on lo.  Time: about 10 s per 20k
# calls at 2000 calls/s, plus start-up; udp-200k about 2 minutes.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sipscope-bench}
RATE=${BENCH_RATE:-2000}
IP=127.0.0.1                       # loopback only, never anything else
SCEN=$HERE/uas.xml
MSGS_PER_CALL=7
LOGDIR=$CACHE/logs
FLOOR=${FLOOR:-$ROOT/build/bench/floor}

mkdir -p "$CACHE" "$LOGDIR"

for tool in sipp tcpdump timeout ss; do
    command -v "$tool" >/dev/null || { echo "gen-captures: $tool not found" >&2; exit 2; }
done
if [ ! -x "$FLOOR" ] || [ "$FLOOR" -ot "$HERE/floor.c" ]; then
    mkdir -p "$(dirname "$FLOOR")"
    ${CC:-cc} -O2 -o "$FLOOR" "$HERE/floor.c" -lpcap
fi

TCPDUMP_PID= UAS_PID= UAC_PID=
NS_A=sipscope-bench-a NS_B=sipscope-bench-b FRAG_MTU=296
cleanup() {
    local p
    for p in $UAC_PID $UAS_PID; do kill "$p" 2>/dev/null || true; done
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    UAC_PID= UAS_PID=
}
netns_down() {
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
}
# Two namespaces joined by a veth pair with a small MTU (udp-frag-20k).
netns_up() {
    netns_down
    ip netns add "$NS_A" && ip netns add "$NS_B" &&
    ip link add sbv-a netns "$NS_A" type veth peer name sbv-b netns "$NS_B" &&
    ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up &&
    ip -n "$NS_A" link set sbv-a mtu "$FRAG_MTU" up &&
    ip -n "$NS_B" link set sbv-b mtu "$FRAG_MTU" up &&
    ip -n "$NS_A" addr add 10.213.0.1/24 dev sbv-a &&
    ip -n "$NS_B" addr add 10.213.0.2/24 dev sbv-b
}
trap 'cleanup; netns_down' EXIT
trap 'cleanup; exit 130' INT TERM

scen_sum=$(cksum <"$SCEN" | cut -d' ' -f1)

# params NAME TRANSPORT CALLS: the stamp's parameter line.
params() {
    echo "params=v1 name=$1 transport=$2 calls=$3 msgs_per_call=$MSGS_PER_CALL uas_xml_cksum=$scen_sum uac=builtin"
}

# wait_listen PROTO PORT PID [IP [NETNS]]: until something listens on
# IP:PORT (default 127.0.0.1), max 10 s.
wait_listen() {
    local opt=-lun ip=${4:-$IP} nsx=()
    [ "$1" = tcp ] && opt=-ltn
    [ -n "${5:-}" ] && nsx=(ip netns exec "$5")
    for _ in $(seq 100); do
        "${nsx[@]}" ss -H $opt "src $ip:$2" 2>/dev/null | grep -q . && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# attempt NAME TRANSPORT CALLS UAS_PORT UAC_PORT MEDIA_BASE RATE: one try; 0 if verified.
attempt() {
    local name=$1 tr=$2 calls=$3 uas_port=$4 uac_port=$5 mp=$6 rate=$7
    local proto=udp filter tmp=$CACHE/.$name.tmp.pcap log=$LOGDIR/$name
    local ip_uas=$IP ip_uac=$IP ifc=lo ns_uas= nsx_uas=() nsx_uac=()
    [ "$tr" = t1 ] && proto=tcp
    filter="$proto and host $IP and (port $uas_port or port $uac_port)"
    if [ "$name" = udp-frag-20k ]; then
        netns_up || { echo "  cannot make the namespaces (needs root)" >&2; return 1; }
        ip_uac=10.213.0.1 ip_uas=10.213.0.2 ifc=sbv-a ns_uas=$NS_B
        nsx_uas=(ip netns exec "$NS_B") nsx_uac=(ip netns exec "$NS_A")
        filter="ip"                          # fragments carry no ports; nothing else runs there
    fi
    # Generous bound: 4x the nominal duration plus a minute.
    local limit=$(( calls / rate * 4 + 60 ))
    local want=$(( calls * MSGS_PER_CALL ))
    rm -f "$tmp" "$log".*

    "${nsx_uac[@]}" tcpdump -i "$ifc" -n -s 0 -B 65536 -w "$tmp" "$filter" 2>"$log.tcpdump.log" &
    TCPDUMP_PID=$!
    local up=0
    for _ in $(seq 100); do
        grep -q "listening on" "$log.tcpdump.log" 2>/dev/null && { up=1; break; }
        sleep 0.1
    done
    [ $up = 1 ] || { echo "  tcpdump did not start (see $log.tcpdump.log)" >&2; return 1; }

    (cd "$LOGDIR" && exec "${nsx_uas[@]}" timeout "$limit" sipp -sf "$SCEN" -t "$tr" -i "$ip_uas" \
        -p "$uas_port" -mi "$ip_uas" -mp "$mp" -m "$calls" -nr -nostdin -timeout "${limit}s" \
        -buff_size 8388608 >"$log.uas.log" 2>&1) &
    UAS_PID=$!
    wait_listen "$proto" "$uas_port" "$UAS_PID" "$ip_uas" "$ns_uas" ||
        { echo "  UAS did not start (see $log.uas.log)" >&2; return 1; }

    (cd "$LOGDIR" && exec "${nsx_uac[@]}" timeout "$limit" sipp "$ip_uas:$uas_port" -sn uac -t "$tr" \
        -s bench -i "$ip_uac" -p "$uac_port" -mi "$ip_uac" -mp $(( mp + 100 )) -m "$calls" \
        -r "$rate" -rp 1000 -l $(( rate * 4 )) -nr -nostdin -timeout "${limit}s" \
        -buff_size 8388608 >"$log.uac.log" 2>&1) &
    UAC_PID=$!

    local t0=$SECONDS next=10 rc=0 urc=0
    while kill -0 "$UAC_PID" 2>/dev/null; do
        sleep 1
        if [ $(( SECONDS - t0 )) -ge $next ]; then
            printf '  %s: %3ds, %s captured\n' "$name" $(( SECONDS - t0 )) \
                "$(du -h "$tmp" 2>/dev/null | cut -f1)"
            next=$(( next + 10 ))
        fi
    done
    wait "$UAC_PID" || rc=$?
    UAC_PID=
    wait "$UAS_PID" || urc=$?
    UAS_PID=
    sleep 1                                  # let tcpdump write the tail
    kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=

    local dropped
    dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$log.tcpdump.log")
    local counts pk cseq
    counts=$("$FLOOR" -c "$tmp" 2>/dev/null || echo "0 0 0")
    pk=$(echo "$counts" | cut -d' ' -f1)
    cseq=$(echo "$counts" | cut -d' ' -f3)
    if [ "$name" = udp-frag-20k ]; then
        # a CSeq line may sit in a second fragment, which the floor does not
        # rebuild: count the messages with tshark, which does
        cseq=$(tshark -r "$tmp" -Y sip -T fields -e sip.CSeq.seq 2>/dev/null | grep -c . || true)
    fi
    echo "  $name @ ${rate} calls/s: $(( SECONDS - t0 ))s, $pk packets, $cseq SIP messages" \
         "(want $want), kernel drops ${dropped:-?}, sipp exit UAC=$rc UAS=$urc"
    local ok=1
    [ "$rc" -eq 0 ] && [ "$urc" -eq 0 ] || { echo "  sipp failed calls (logs: $log.uac.log $log.uas.log)" >&2; ok=0; }
    [ "${dropped:-x}" = 0 ] || { echo "  tcpdump dropped packets (or no statistics)" >&2; ok=0; }
    [ "$cseq" = "$want" ] || { echo "  SIP message count $cseq != $want" >&2; ok=0; }
    [ $ok = 1 ] || return 1

    mv "$tmp" "$CACHE/$name.pcap"
    {
        params "$name" "$tr" "$calls"
        echo "rate=$rate"
        echo "packets=$pk"
        echo "sip_messages=$cseq"
        echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "sipp=$(sipp -v 2>&1 | grep -o 'v[0-9][^ ]*' | head -1)"
    } >"$CACHE/$name.pcap.stamp"
    echo "OK $CACHE/$name.pcap ($(du -h "$CACHE/$name.pcap" | cut -f1))"
}

# gen NAME TRANSPORT CALLS UAS_PORT UAC_PORT MEDIA_BASE
gen() {
    local name=$1 tr=$2 calls=$3
    local pcap=$CACHE/$name.pcap stamp=$CACHE/$name.pcap.stamp
    if [ "${FORCE:-0}" != 1 ] && [ -s "$pcap" ] && [ -f "$stamp" ] &&
       grep -qxF "$(params "$name" "$tr" "$calls")" "$stamp"; then
        echo "== $name: cached ($pcap)"
        return 0
    fi
    echo "== $name: $calls calls over $tr on $IP (starting at $RATE calls/s)"
    local r
    for r in "$RATE" $(( RATE / 2 )) $(( RATE / 4 )); do
        [ "$r" -ge 1 ] || continue
        if attempt "$@" "$r"; then return 0; fi
        cleanup
        echo "  $name: retrying at a lower rate" >&2
        sleep 3                              # let the ports free up
    done
    echo "gen-captures: $name: could not make a verified capture (logs in $LOGDIR)" >&2
    return 1
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(udp-20k udp-200k tcp-20k udp-frag-20k)
status=0
for n in "${names[@]}"; do
    case $n in
        udp-20k)  gen udp-20k  u1 20000  15060 15061 17000 || status=1 ;;
        udp-200k) gen udp-200k u1 200000 15060 15061 17000 || status=1 ;;
        tcp-20k)  gen tcp-20k  t1 20000  16060 16061 17200 || status=1 ;;
        udp-frag-20k) gen udp-frag-20k u1 20000 18060 18061 17400 || status=1 ;;
        *) echo "gen-captures: unknown capture $n (udp-20k udp-200k tcp-20k udp-frag-20k)" >&2; status=2 ;;
    esac
done
exit $status
