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
loopback_setup

# ---- the captures ----
# Ports: UAS always 127.0.0.1:5060; UAC ports per run:
#   sipp-calls 5070-5075, register-challenge 5080, subscribe-notify 5090,
#   message-options 5100-5102, sipp-tcp 5110.

make_sipp_calls() {
    capture_start sipp-calls "" lo "" "udp and port $UAS_PORT and portrange 5070-5079" || return 1
    lo_pair answered   uas-call.xml     uac-call.xml     5070 3 4 "-nr" "-nr" || return 1
    lo_pair busy       uas-reject-486.xml   uac-reject.xml   5071 1 1 "-nr" "-nr" || return 1
    lo_pair forbidden  uas-reject-403.xml   uac-reject.xml   5072 1 1 "-nr" "-nr" || return 1
    lo_pair notfound   uas-reject-404.xml   uac-reject.xml   5073 1 1 "-nr" "-nr" || return 1
    lo_pair cancelled  uas-cancel.xml   uac-cancel.xml   5074 1 1 "-nr" "-nr" || return 1
    # retransmissions wanted here: no -nr on the UAC; no CANCEL/BYE on timeout
    ACCEPT_TIMEOUT=1 \
    lo_pair unanswered uas-noanswer.xml uac-noanswer.xml 5075 1 1 "-default_behaviors none" \
        "-default_behaviors none" || return 1
    capture_stop || return 1
    finish sipp-calls "44 msgs, 8 Call-IDs: ACK=7 BYE=3 CANCEL=1 INVITE=11 100=7 180=4 200=7 403=1 404=1 486=1 487=1" || return 1
}

make_register_challenge() {
    capture_start register-challenge "" lo "" "udp and port $UAS_PORT and port 5080" || return 1
    lo_pair register uas-register.xml uac-register.xml 5080 2 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish register-challenge "12 msgs, 2 Call-IDs: REGISTER=6 200=4 401=2" || return 1
}

make_subscribe_notify() {
    capture_start subscribe-notify "" lo "" "udp and port $UAS_PORT and port 5090" || return 1
    lo_pair subscribe uas-notify.xml uac-subscribe.xml 5090 2 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish subscribe-notify "16 msgs, 2 Call-IDs: NOTIFY=4 SUBSCRIBE=4 200=8" || return 1
}

make_message_options() {
    capture_start message-options "" lo "" "udp and port $UAS_PORT and portrange 5100-5102" || return 1
    lo_pair message     uas-reply-200.xml uac-message.xml 5100 2 2 "-nr" "-nr" || return 1
    lo_pair options-ok  uas-reply-200.xml uac-options.xml 5101 2 2 "-nr" "-nr" || return 1
    lo_pair options-404 uas-reply-404.xml uac-options.xml 5102 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish message-options "10 msgs, 5 Call-IDs: MESSAGE=2 OPTIONS=3 200=4 404=1" || return 1
}

make_sipp_tcp() {
    capture_start sipp-tcp "" lo "" "tcp and port $UAS_PORT" || return 1
    lo_pair tcp-answered uas-call.xml uac-call.xml 5110 3 2 "" "" t1 || return 1
    capture_stop || return 1
    finish sipp-tcp "21 msgs, 3 Call-IDs: ACK=3 BYE=3 INVITE=3 100=3 180=3 200=6" || return 1
}

all=(sipp-calls register-challenge subscribe-notify message-options sipp-tcp)
[ $# -gt 0 ] && all=("$@")
run_captures "${all[@]}"
