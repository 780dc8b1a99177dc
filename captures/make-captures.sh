#!/usr/bin/env bash
# Regenerate the SIPp-made test captures in captures/*.pcap.
#
# Each capture: tcpdump records loopback (filtered on the ports used) while one
# or more SIPp UAS/UAC pairs run one after the other on 127.0.0.1; then tshark
# checks that the file holds exactly the expected SIP messages.  Everything is
# bounded in time (sipp -timeout, `timeout`, recv timeouts) and stays on
# 127.0.0.1: UAS on 5060, UAC on a port of its own per run (see PORTS below).
#
# Usage: captures/make-captures.sh [NAME...]   (default: all captures)
#        NAME is one of: sipp-calls register-challenge subscribe-notify
#                        message-options sipp-tcp
# Needs root (or CAP_NET_RAW) for tcpdump on lo.  Logs go to build/captures-log/.
set -euo pipefail
cd "$(dirname "$0")/.."

ME=make-captures
# shellcheck source=captures/lib.sh
. captures/lib.sh
IP=127.0.0.1
UAS_PORT=5060
need_tools sipp tcpdump tshark python3 timeout
trap cleanup EXIT

# wait_port PROTO PORT: until something listens on 127.0.0.1:PORT (max 5 s).
wait_port() {
    local proto=$1 port=$2 opt=-lun
    [ "$proto" = tcp ] && opt=-ltn
    for _ in $(seq 50); do
        ss -H $opt "src $IP:$port" 2>/dev/null | grep -q . && return 0
        kill -0 "$UAS_PID" 2>/dev/null || break       # the UAS died
        sleep 0.1
    done
    echo "make-captures: nothing listens on $proto $IP:$port" >&2
    return 1
}

# pair LABEL UAS_SCEN UAC_SCEN UAC_PORT CALLS RATE "UAS ARGS" "UAC ARGS" [TRANSPORT]
# Runs a SIPp UAS on $UAS_PORT and a UAC on UAC_PORT for CALLS calls at RATE
# calls/s.  The extra args are word-split (no values with spaces).
pair() {
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
        echo "make-captures: $label: sipp exit UAC=$rc UAS=$urc (logs: $LOG/$label.*)" >&2
        return 1
    fi
    echo "  $label: $calls call(s) ok"
}

# ---- the captures ----
# Ports: UAS always 127.0.0.1:5060; UAC ports per run:
#   sipp-calls 5070-5075, register-challenge 5080, subscribe-notify 5090,
#   message-options 5100-5102, sipp-tcp 5110.

make_sipp_calls() {
    capture_start sipp-calls "" lo "" "udp and port $UAS_PORT and portrange 5070-5079" || return 1
    pair answered   uas-call.xml     uac-call.xml     5070 3 4 "-nr" "-nr" || return 1
    pair busy       uas-reject-486.xml   uac-reject.xml   5071 1 1 "-nr" "-nr" || return 1
    pair forbidden  uas-reject-403.xml   uac-reject.xml   5072 1 1 "-nr" "-nr" || return 1
    pair notfound   uas-reject-404.xml   uac-reject.xml   5073 1 1 "-nr" "-nr" || return 1
    pair cancelled  uas-cancel.xml   uac-cancel.xml   5074 1 1 "-nr" "-nr" || return 1
    # retransmissions wanted here: no -nr on the UAC; no CANCEL/BYE on timeout
    ACCEPT_TIMEOUT=1 \
    pair unanswered uas-noanswer.xml uac-noanswer.xml 5075 1 1 "-default_behaviors none" \
        "-default_behaviors none" || return 1
    capture_stop || return 1
    finish sipp-calls "44 msgs, 8 Call-IDs: ACK=7 BYE=3 CANCEL=1 INVITE=11 100=7 180=4 200=7 403=1 404=1 486=1 487=1" || return 1
}

make_register_challenge() {
    capture_start register-challenge "" lo "" "udp and port $UAS_PORT and port 5080" || return 1
    pair register uas-register.xml uac-register.xml 5080 2 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish register-challenge "12 msgs, 2 Call-IDs: REGISTER=6 200=4 401=2" || return 1
}

make_subscribe_notify() {
    capture_start subscribe-notify "" lo "" "udp and port $UAS_PORT and port 5090" || return 1
    pair subscribe uas-notify.xml uac-subscribe.xml 5090 2 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish subscribe-notify "16 msgs, 2 Call-IDs: NOTIFY=4 SUBSCRIBE=4 200=8" || return 1
}

make_message_options() {
    capture_start message-options "" lo "" "udp and port $UAS_PORT and portrange 5100-5102" || return 1
    pair message     uas-reply-200.xml uac-message.xml 5100 2 2 "-nr" "-nr" || return 1
    pair options-ok  uas-reply-200.xml uac-options.xml 5101 2 2 "-nr" "-nr" || return 1
    pair options-404 uas-reply-404.xml uac-options.xml 5102 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish message-options "10 msgs, 5 Call-IDs: MESSAGE=2 OPTIONS=3 200=4 404=1" || return 1
}

make_sipp_tcp() {
    capture_start sipp-tcp "" lo "" "tcp and port $UAS_PORT" || return 1
    pair tcp-answered uas-call.xml uac-call.xml 5110 3 2 "" "" t1 || return 1
    capture_stop || return 1
    finish sipp-tcp "21 msgs, 3 Call-IDs: ACK=3 BYE=3 INVITE=3 100=3 180=3 200=6" || return 1
}

all=(sipp-calls register-challenge subscribe-notify message-options sipp-tcp)
[ $# -gt 0 ] && all=("$@")
run_captures "${all[@]}"
