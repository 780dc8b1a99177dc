#!/usr/bin/env bash
# Regenerate the "semantic" SIPp captures of issue #6: registrations with
# Digest/NTLM/Kerberos-style challenges, subscriptions with refreshes, IM
# sessions and pager MESSAGE, Microsoft extensions (NEGOTIATE, SERVICE,
# BENOTIFY), REFER transfers, hold/resume re-INVITEs with UPDATE and PRACK,
# CANCEL and BYE with Reason.  One pcap per flow, described in captures/README.md.
#
# Same method as make-captures.sh (the helpers are in captures/lib.sh): tcpdump records
# lo, filtered on the ports of the capture, while SIPp UAS/UAC pairs run one
# after the other on 127.0.0.1 (UAS on 5060, UAC on a port of its own per
# pair); tshark then checks the file holds exactly the expected SIP messages
# before it replaces captures/NAME.pcap.  Everything is bounded in time.
#
# Usage: captures/make-semantic-captures.sh [NAME...]   (default: all)
#        NAME is one of: reg-auth subscribe-refresh im-session pager
#                        ms-service refer-transfer hold-reinvite cancel
# Needs root (or CAP_NET_RAW) for tcpdump on lo.  Logs go to build/captures-log/.
set -euo pipefail
cd "$(dirname "$0")/.."

ME=make-semantic-captures
# shellcheck source=captures/lib.sh
. captures/lib.sh
loopback_setup

# ---- the captures ----
# Ports: UAS always 127.0.0.1:5060; UAC ports per pair:
#   reg-auth 5150-5154, subscribe-refresh 5160-5163, im-session 5170,
#   pager 5175-5176, ms-service 5180-5183, refer-transfer 5190-5191,
#   hold-reinvite 5200-5201, cancel 5210-5211.

make_reg_auth() {
    capture_start reg-auth "" lo "" "udp and port $UAS_PORT and portrange 5150-5154" || return 1
    lo_pair digest       uas-reg-digest.xml uac-reg-digest.xml   5150 1 1 "-nr" "-nr -s alice -au alice -ap secret" || return 1
    lo_pair digest-wrong uas-reg-digest-403.xml uac-reg-digest.xml   5151 1 1 "-nr" "-nr -s carol -au carol -ap wrong" || return 1
    lo_pair ntlm         uas-reg-ntlm.xml   uac-reg-ntlm.xml     5152 1 1 "-nr" "-nr -s erin" || return 1
    lo_pair kerberos     uas-reg-kerberos.xml uac-reg-kerberos.xml 5153 1 1 "-nr" "-nr -s frank" || return 1
    lo_pair proxy        uas-reg-proxy.xml  uac-reg-proxy.xml    5154 1 1 "-nr" "-nr -s dave -au dave -ap s3cret" || return 1
    capture_stop || return 1
    finish reg-auth "26 msgs, 5 Call-IDs: REGISTER=13 200=6 401=5 403=1 407=1" || return 1
}

make_cancel() {
    capture_start cancel "" lo "" "udp and port $UAS_PORT and portrange 5210-5211" || return 1
    lo_pair cancel-ringing uas-cancel-ringing.xml uac-cancel-ringing.xml 5210 1 1 "-nr" "-nr" || return 1
    lo_pair bye-reason     uas-call-reason.xml    uac-call-reason.xml    5211 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish cancel "14 msgs, 2 Call-IDs: ACK=2 BYE=1 CANCEL=1 INVITE=2 100=2 180=2 200=3 487=1" || return 1
}

make_hold_reinvite() {
    capture_start hold-reinvite "" lo "" "udp and port $UAS_PORT and portrange 5200-5201" || return 1
    lo_pair hold  uas-hold.xml  uac-hold.xml  5200 1 1 "-nr" "-nr" || return 1
    lo_pair prack uas-prack.xml uac-prack.xml 5201 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish hold-reinvite "24 msgs, 2 Call-IDs: ACK=4 BYE=2 INVITE=4 PRACK=1 UPDATE=1 100=2 180=1 183=1 200=8" || return 1
}

make_refer_transfer() {
    capture_start refer-transfer "" lo "" "udp and port $UAS_PORT and portrange 5190-5191" || return 1
    lo_pair refer-ok   uas-refer-ok.xml   uac-refer.xml 5190 1 1 "-nr" "-nr" || return 1
    lo_pair refer-busy uas-refer-busy.xml uac-refer.xml 5191 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish refer-transfer "26 msgs, 2 Call-IDs: ACK=2 BYE=2 INVITE=2 NOTIFY=4 REFER=2 100=2 180=2 200=8 202=2" || return 1
}

make_im_session() {
    capture_start im-session "" lo "" "udp and port $UAS_PORT and port 5170" || return 1
    lo_pair im uas-im.xml uac-im.xml 5170 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish im-session "12 msgs, 1 Call-IDs: ACK=1 BYE=1 INFO=1 INVITE=1 MESSAGE=2 100=1 200=5" || return 1
}

make_pager() {
    capture_start pager "" lo "" "udp and port $UAS_PORT and portrange 5175-5176" || return 1
    lo_pair pager-ok  uas-reply-200.xml uac-pager.xml 5175 2 2 "-nr" "-nr -s bob" || return 1
    lo_pair pager-404 uas-reply-404.xml uac-pager.xml 5176 1 1 "-nr" "-nr -s nobody" || return 1
    capture_stop || return 1
    finish pager "6 msgs, 3 Call-IDs: MESSAGE=3 200=2 404=1" || return 1
}

make_subscribe_refresh() {
    capture_start subscribe-refresh "" lo "" "udp and port $UAS_PORT and portrange 5160-5163" || return 1
    lo_pair sub-presence uas-notify-presence.xml uac-sub-presence.xml 5160 1 1 "-nr" "-nr" || return 1
    lo_pair sub-dialog   uas-notify-dialog.xml   uac-sub-dialog.xml   5161 1 1 "-nr" "-nr" || return 1
    lo_pair sub-mwi      uas-notify-mwi.xml      uac-sub-mwi.xml      5162 1 1 "-nr" "-nr -s alice" || return 1
    lo_pair sub-489      uas-reject-489.xml      uac-sub-bad.xml      5163 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish subscribe-refresh "22 msgs, 4 Call-IDs: NOTIFY=5 SUBSCRIBE=6 200=10 489=1" || return 1
}

make_ms_service() {
    capture_start ms-service "" lo "" "udp and port $UAS_PORT and portrange 5180-5183" || return 1
    lo_pair ms-negotiate uas-ms-negotiate.xml uac-ms-negotiate.xml 5180 1 1 "-nr" "-nr" || return 1
    lo_pair ms-service   uas-ms-service.xml   uac-ms-service.xml   5181 1 1 "-nr" "-nr" || return 1
    lo_pair ms-roaming   uas-ms-roaming.xml   uac-ms-roaming.xml   5182 1 1 "-nr" "-nr" || return 1
    lo_pair ms-call      uas-ms-call.xml      uac-ms-call.xml      5183 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish ms-service "13 msgs, 4 Call-IDs: ACK=1 BENOTIFY=1 INVITE=1 NEGOTIATE=1 SERVICE=2 SUBSCRIBE=1 100=1 200=4 488=1" || return 1
}

all=(reg-auth subscribe-refresh im-session pager ms-service refer-transfer hold-reinvite cancel)
[ $# -gt 0 ] && all=("$@")
run_captures "${all[@]}"
