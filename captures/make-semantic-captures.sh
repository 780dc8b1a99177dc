#!/usr/bin/env bash
# Regenerate the "semantic" SIPp captures of issue #6: registrations with
# Digest/NTLM/Kerberos-style challenges, subscriptions with refreshes, IM
# sessions and pager MESSAGE, Microsoft extensions (NEGOTIATE, SERVICE,
# BENOTIFY), REFER transfers, hold/resume re-INVITEs with UPDATE and PRACK,
# CANCEL and BYE with Reason.  One pcap per flow, described in captures/README.md.
#
# Same method as make-captures.sh (helpers copied from it): tcpdump records
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

SC=captures/scenarios
LOG=build/captures-log
TMP=build/captures-tmp
IP=127.0.0.1
UAS_PORT=5060
mkdir -p "$LOG" "$TMP"

for tool in sipp tcpdump tshark python3 timeout; do
    command -v "$tool" >/dev/null || { echo "make-semantic-captures: $tool not found" >&2; exit 2; }
done

TCPDUMP_PID=
UAS_PID=
cleanup() {
    [ -n "$UAS_PID" ] && kill "$UAS_PID" 2>/dev/null || true
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null || true
}
trap cleanup EXIT

# capture_start NAME FILTER: tcpdump on lo into $TMP/NAME.pcap; waits until it listens.
capture_start() {
    local name=$1 filter=$2
    rm -f "$TMP/$name.pcap"
    tcpdump -i lo -n -U --immediate-mode -s 0 -w "$TMP/$name.pcap" "$filter" 2>"$LOG/$name.tcpdump.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$LOG/$name.tcpdump.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "make-semantic-captures: tcpdump did not start (see $LOG/$name.tcpdump.log)" >&2
    return 1
}

capture_stop() {
    sleep 1                          # let the last packets reach the file
    kill -INT "$TCPDUMP_PID" || return 1
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
}

# wait_port PROTO PORT: until something listens on 127.0.0.1:PORT (max 5 s).
wait_port() {
    local proto=$1 port=$2 opt=-lun
    [ "$proto" = tcp ] && opt=-ltn
    for _ in $(seq 50); do
        ss -H $opt "src $IP:$port" 2>/dev/null | grep -q . && return 0
        kill -0 "$UAS_PID" 2>/dev/null || break       # the UAS died
        sleep 0.1
    done
    echo "make-semantic-captures: nothing listens on $proto $IP:$port" >&2
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
        echo "make-semantic-captures: $label: sipp exit UAC=$rc UAS=$urc (logs: $LOG/$label.*)" >&2
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

# finish NAME EXPECTED: compare the tshark summary, move into captures/.
finish() {
    local name=$1 want=$2 got
    got=$(summary "$TMP/$name.pcap")
    if [ "$got" != "$want" ]; then
        echo "make-semantic-captures: $name: unexpected content" >&2
        echo "   want: $want" >&2
        echo "   got:  $got" >&2
        return 1
    fi
    cp "$TMP/$name.pcap" "captures/$name.pcap" && rm -f "$TMP/$name.pcap"
    echo "OK captures/$name.pcap ($(stat -c %s "captures/$name.pcap") bytes): $got"
}

# ---- the captures ----
# Ports: UAS always 127.0.0.1:5060; UAC ports per pair:
#   reg-auth 5150-5154, subscribe-refresh 5160-5163, im-session 5170,
#   pager 5175-5176, ms-service 5180-5183, refer-transfer 5190-5191,
#   hold-reinvite 5200-5201, cancel 5210-5211.

make_reg_auth() {
    capture_start reg-auth "udp and port $UAS_PORT and portrange 5150-5154" || return 1
    pair digest       uas-reg-digest.xml uac-reg-digest.xml   5150 1 1 "-nr" "-nr -s alice -au alice -ap secret" || return 1
    pair digest-wrong uas-reg-digest-403.xml uac-reg-digest.xml   5151 1 1 "-nr" "-nr -s carol -au carol -ap wrong" || return 1
    pair ntlm         uas-reg-ntlm.xml   uac-reg-ntlm.xml     5152 1 1 "-nr" "-nr -s erin" || return 1
    pair kerberos     uas-reg-kerberos.xml uac-reg-kerberos.xml 5153 1 1 "-nr" "-nr -s frank" || return 1
    pair proxy        uas-reg-proxy.xml  uac-reg-proxy.xml    5154 1 1 "-nr" "-nr -s dave -au dave -ap s3cret" || return 1
    capture_stop || return 1
    finish reg-auth "26 msgs, 5 Call-IDs: REGISTER=13 200=6 401=5 403=1 407=1" || return 1
}

make_cancel() {
    capture_start cancel "udp and port $UAS_PORT and portrange 5210-5211" || return 1
    pair cancel-ringing uas-cancel-ringing.xml uac-cancel-ringing.xml 5210 1 1 "-nr" "-nr" || return 1
    pair bye-reason     uas-call-reason.xml    uac-call-reason.xml    5211 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish cancel "14 msgs, 2 Call-IDs: ACK=2 BYE=1 CANCEL=1 INVITE=2 100=2 180=2 200=3 487=1" || return 1
}

make_hold_reinvite() {
    capture_start hold-reinvite "udp and port $UAS_PORT and portrange 5200-5201" || return 1
    pair hold  uas-hold.xml  uac-hold.xml  5200 1 1 "-nr" "-nr" || return 1
    pair prack uas-prack.xml uac-prack.xml 5201 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish hold-reinvite "24 msgs, 2 Call-IDs: ACK=4 BYE=2 INVITE=4 PRACK=1 UPDATE=1 100=2 180=1 183=1 200=8" || return 1
}

make_refer_transfer() {
    capture_start refer-transfer "udp and port $UAS_PORT and portrange 5190-5191" || return 1
    pair refer-ok   uas-refer-ok.xml   uac-refer.xml 5190 1 1 "-nr" "-nr" || return 1
    pair refer-busy uas-refer-busy.xml uac-refer.xml 5191 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish refer-transfer "26 msgs, 2 Call-IDs: ACK=2 BYE=2 INVITE=2 NOTIFY=4 REFER=2 100=2 180=2 200=8 202=2" || return 1
}

make_im_session() {
    capture_start im-session "udp and port $UAS_PORT and port 5170" || return 1
    pair im uas-im.xml uac-im.xml 5170 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish im-session "12 msgs, 1 Call-IDs: ACK=1 BYE=1 INFO=1 INVITE=1 MESSAGE=2 100=1 200=5" || return 1
}

make_pager() {
    capture_start pager "udp and port $UAS_PORT and portrange 5175-5176" || return 1
    pair pager-ok  uas-reply-200.xml uac-pager.xml 5175 2 2 "-nr" "-nr -s bob" || return 1
    pair pager-404 uas-reply-404.xml uac-pager.xml 5176 1 1 "-nr" "-nr -s nobody" || return 1
    capture_stop || return 1
    finish pager "6 msgs, 3 Call-IDs: MESSAGE=3 200=2 404=1" || return 1
}

make_subscribe_refresh() {
    capture_start subscribe-refresh "udp and port $UAS_PORT and portrange 5160-5163" || return 1
    pair sub-presence uas-notify-presence.xml uac-sub-presence.xml 5160 1 1 "-nr" "-nr" || return 1
    pair sub-dialog   uas-notify-dialog.xml   uac-sub-dialog.xml   5161 1 1 "-nr" "-nr" || return 1
    pair sub-mwi      uas-notify-mwi.xml      uac-sub-mwi.xml      5162 1 1 "-nr" "-nr -s alice" || return 1
    pair sub-489      uas-reject-489.xml      uac-sub-bad.xml      5163 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish subscribe-refresh "22 msgs, 4 Call-IDs: NOTIFY=5 SUBSCRIBE=6 200=10 489=1" || return 1
}

make_ms_service() {
    capture_start ms-service "udp and port $UAS_PORT and portrange 5180-5183" || return 1
    pair ms-negotiate uas-ms-negotiate.xml uac-ms-negotiate.xml 5180 1 1 "-nr" "-nr" || return 1
    pair ms-service   uas-ms-service.xml   uac-ms-service.xml   5181 1 1 "-nr" "-nr" || return 1
    pair ms-roaming   uas-ms-roaming.xml   uac-ms-roaming.xml   5182 1 1 "-nr" "-nr" || return 1
    pair ms-call      uas-ms-call.xml      uac-ms-call.xml      5183 1 1 "-nr" "-nr" || return 1
    capture_stop || return 1
    finish ms-service "13 msgs, 4 Call-IDs: ACK=1 BENOTIFY=1 INVITE=1 NEGOTIATE=1 SERVICE=2 SUBSCRIBE=1 100=1 200=4 488=1" || return 1
}

all=(reg-auth subscribe-refresh im-session pager ms-service refer-transfer hold-reinvite cancel)
[ $# -gt 0 ] && all=("$@")
status=0
for name in "${all[@]}"; do
    fn=make_${name//-/_}
    if ! declare -F "$fn" >/dev/null; then
        echo "make-semantic-captures: unknown capture $name" >&2; status=2; continue
    fi
    echo "== $name"
    ok=0
    for attempt in 1 2 3; do
        if "$fn"; then ok=1; break; fi
        echo "make-semantic-captures: $name: attempt $attempt failed" >&2
        cleanup                      # stop what the failed attempt left running
        wait 2>/dev/null || true
        TCPDUMP_PID= UAS_PID=
        sleep 2
    done
    [ "$ok" = 1 ] || status=1
done
exit $status
