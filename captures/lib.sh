# captures/lib.sh - what the capture scripts share (sourced, not run):
# tcpdump start/stop, namespace helpers, the tshark summary a capture must
# match, moving a checked capture into captures/ and the retry loop.
# The sourcing script sets ME (its name, for messages) and may define
# cleanup_extra (called by cleanup, e.g. to delete its namespaces).
# shellcheck shell=bash

SC=captures/scenarios
LOG=build/captures-log
TMP=build/captures-tmp
mkdir -p "$LOG" "$TMP"

TCPDUMP_PID=
UAS_PID=

# need_tools TOOL...: exit 2 unless every tool is on PATH.
need_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$ME: $tool not found" >&2; exit 2; }
    done
}

cleanup() {
    [ -n "$UAS_PID" ] && kill "$UAS_PID" 2>/dev/null || true
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    UAS_PID= TCPDUMP_PID=
    if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
    return 0
}

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

# capture_start NAME NS IFACE LINKTYPE FILTER: tcpdump (in namespace NS, ""
# = this one) on IFACE into $TMP/NAME.pcap; waits until it listens.
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
    echo "$ME: tcpdump did not start (see $LOG/$name.tcpdump.log)" >&2
    return 1
}

capture_stop() {
    sleep 1                          # let the last packets reach the file
    kill -INT "$TCPDUMP_PID" || return 1
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
}

# summary FILE [TSHARK ARGS...]: "N msgs, M Call-IDs: ACK=.. INVITE=.. 100=.."
# as tshark sees them.
summary() {
    local f=$1; shift
    tshark -r "$f" "$@" -Y sip -T fields -E occurrence=a -E aggregator='|' \
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

# finish NAME EXPECTED [TSHARK ARGS...]: compare the tshark summary, move
# $TMP/NAME.pcap into captures/.
finish() {
    local name=$1 want=$2 got
    shift 2
    got=$(summary "$TMP/$name.pcap" "$@")
    if [ "$got" != "$want" ]; then
        echo "$ME: $name: unexpected content" >&2
        echo "   want: $want" >&2
        echo "   got:  $got" >&2
        return 1
    fi
    cp "$TMP/$name.pcap" "captures/$name.pcap" && rm -f "$TMP/$name.pcap"
    echo "OK captures/$name.pcap ($(stat -c %s "captures/$name.pcap") bytes): $got"
}

# run_captures NAME...: make_NAME for each (dashes as underscores), up to 3
# attempts each; returns 0 if all succeeded, 1 if one failed, 2 if unknown.
run_captures() {
    local status=0 name fn ok attempt
    for name in "$@"; do
        fn=make_${name//-/_}
        if ! declare -F "$fn" >/dev/null; then
            echo "$ME: unknown capture $name" >&2; status=2; continue
        fi
        echo "== $name"
        ok=0
        for attempt in 1 2 3; do
            if "$fn"; then ok=1; break; fi
            echo "$ME: $name: attempt $attempt failed" >&2
            cleanup                  # stop what the failed attempt left running
            wait 2>/dev/null || true
            sleep 2
        done
        [ "$ok" = 1 ] || status=1
    done
    return $status
}

# ---- SIPp pairs on loopback ----

# loopback_setup: what a script of UAS/UAC pairs on 127.0.0.1 needs (the UAS
# always on 5060).
loopback_setup() {
    IP=127.0.0.1
    UAS_PORT=5060
    need_tools sipp tcpdump tshark python3 timeout
    trap cleanup EXIT
}

# wait_port PROTO PORT: until something listens on $IP:PORT (max 5 s).
wait_port() {
    local proto=$1 port=$2 opt=-lun
    [ "$proto" = tcp ] && opt=-ltn
    for _ in $(seq 50); do
        ss -H $opt "src $IP:$port" 2>/dev/null | grep -q . && return 0
        kill -0 "$UAS_PID" 2>/dev/null || break       # the UAS died
        sleep 0.1
    done
    echo "$ME: nothing listens on $proto $IP:$port" >&2
    return 1
}

# lo_pair LABEL UAS_SCEN UAC_SCEN UAC_PORT CALLS RATE "UAS ARGS" "UAC ARGS" [TRANSPORT]
# Runs a SIPp UAS on $UAS_PORT and a UAC on UAC_PORT for CALLS calls at RATE
# calls/s.  The extra args are word-split (no values with spaces).
lo_pair() {
    local label=$1 uas=$2 uac=$3 uac_port=$4 calls=$5 rate=$6 uas_args=$7 uac_args=$8 tr=${9:-u1}
    local proto=udp
    [ "$tr" = t1 ] && proto=tcp
    # shellcheck disable=SC2086
    timeout 30 sipp -sf "$SC/$uas" -t "$tr" -i $IP -p $UAS_PORT -mi $IP -mp 16000 \
        -m "$calls" -timeout 20s -nostdin -trace_err -error_file "$LOG/$label.uas.err" \
        $uas_args >"$LOG/$label.uas.log" 2>&1 &
    UAS_PID=$!
    wait_port "$proto" "$UAS_PORT" || return 1
    local rc=0
    # shellcheck disable=SC2086
    timeout 30 sipp "$IP:$UAS_PORT" -sf "$SC/$uac" -t "$tr" -s bob -i $IP -p "$uac_port" \
        -mi $IP -mp 16100 -m "$calls" -r "$rate" -timeout 20s -nostdin \
        -trace_err -error_file "$LOG/$label.uac.err" $uac_args \
        >"$LOG/$label.uac.log" 2>&1 || rc=$?
    local urc=0
    wait "$UAS_PID" || urc=$?
    UAS_PID=
    # SIPp counts a call that ended on a recv timeout as failed (exit 1) even
    # when the scenario jumps on; ACCEPT_TIMEOUT=1 accepts that for one pair.
    if [ "${ACCEPT_TIMEOUT:-0}" = 1 ]; then
        [ "$rc" -eq 1 ] && rc=0
        [ "$urc" -eq 1 ] && urc=0
    fi
    if [ "$rc" -ne 0 ] || [ "$urc" -ne 0 ]; then
        echo "$ME: $label: sipp exit UAC=$rc UAS=$urc (logs: $LOG/$label.*)" >&2
        return 1
    fi
    echo "  $label: $calls call(s) ok"
}
