#!/usr/bin/env bash
# HEP over the network (issue 4): tests/hep/run.sh SIPSCOPE
#  1. sngrep -I CAPTURE -H udp:127.0.0.1:P (sngrep 1.6 replays a capture as
#     HEPv3) -> sipscope --hep-listen udp:127.0.0.1:P: the statistics
#     (stats.requests, stats.responses, summary.call_ids), the Call-IDs and
#     every message (time, addresses, transport, method/status, Call-ID,
#     CSeq) equal sipscope -r CAPTURE's.
#  2. sipscope -r CAPTURE --hep-send udp:127.0.0.1:P -> sngrep -N -q
#     -L udp:127.0.0.1:P -O out.pcap: out.pcap analysed by sipscope -r holds
#     the same messages and counts.
#  3. sipscope --hep-send -> sipscope --hep-listen, over IPv4 and over ::1.
#     The listener's -w file (synthesized RAW IP/UDP frames around the HEP
#     packets) re-read with -r gives the same again.
#  4. --hep-listen stops on -c and on SIGINT; bad URLs exit 2.
# Loopback only. Needs root (as the other network tiers) and sngrep;
# skipped loudly otherwise. Prints "N passed, N failed"; exit 1 on failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
SIPSCOPE=$(readlink -f "${1:-./sipscope}")
W=$(mktemp -d /tmp/sipscope-hep.XXXXXX)
pass=0 fail=0
pids=()
ok() { echo "PASS $*"; pass=$((pass+1)); }
ko() { echo "FAIL $*"; fail=$((fail+1)); }
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || ! command -v sngrep >/dev/null; then
    echo "!!! SKIPPED: HEP tests need root and sngrep !!!"
    echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
[ -x "$SIPSCOPE" ] || { echo "hep: $SIPSCOPE not executable" >&2; exit 2; }

# A free UDP port on loopback (starting at $1).
free_port() {
    local p=$1
    while ss -Hlun "sport = :$p" | grep -q .; do p=$((p+1)); done
    echo "$p"
}
# Wait until something listens on UDP port $1 (up to 5 s).
wait_listen() {
    for _ in $(seq 50); do ss -Hlun "sport = :$1" | grep -q . && return 0; sleep 0.1; done
    return 1
}

# What must survive a trip through HEP: the counts and one line per message
# (frame number dropped: the order of arrival is the agent's).
signature() { # $1 = json, $2 = messages tsv
    python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print("requests", json.dumps(j["stats"]["requests"], sort_keys=True))
print("responses", json.dumps(j["stats"]["responses"], sort_keys=True))
print("call_ids", j["summary"]["call_ids"])
print("dialogs", sorted(d["call_id"] for d in j["dialogs"]))
rows = [l.rstrip("\n").split("\t")[1:] for l in open(sys.argv[2]) if not l.startswith("#")]
for r in sorted(rows):
    print("msg", *r)
PY
}
analyse() { # $1 = capture, $2 = name
    "$SIPSCOPE" -r "$1" -q --json "$W/$2.json" --messages "$W/$2.tsv" 2>"$W/$2.err" &&
        signature "$W/$2.json" "$W/$2.tsv" >"$W/$2.sig"
}
same() { # $1 = label, $2 = expected sig, $3 = got sig
    if cmp -s "$2" "$3"; then
        ok "$1 ($(grep -c '^msg' "$3") messages, $(sed -n 's/^call_ids //p' "$3") Call-IDs)"
    else
        ko "$1"; diff "$2" "$3" | head -20
    fi
}

# ---- 1. sngrep -H -> sipscope --hep-listen ----
for cap in captures/sipp-calls.pcap captures/register-challenge.pcap; do
    n=$(basename "$cap" .pcap)
    analyse "$cap" "$n.ref" || { ko "$n: sipscope -r failed"; continue; }
    port=$(free_port 19160)
    "$SIPSCOPE" --hep-listen "udp:127.0.0.1:$port" --duration 4 -q --json "$W/$n.l.json" \
        --messages "$W/$n.l.tsv" 2>"$W/$n.l.err" &
    sp=$!; pids+=($sp)
    wait_listen "$port" || ko "$n: listener did not come up"
    timeout 20 sngrep -N -q -I "$cap" -H "udp:127.0.0.1:$port" >/dev/null 2>"$W/$n.sngrep.err" ||
        ko "$n: sngrep -H exited $?"
    wait $sp; rc=$?
    if [ $rc -ne 0 ]; then ko "$n: --hep-listen exited $rc: $(head -2 "$W/$n.l.err")"; continue; fi
    signature "$W/$n.l.json" "$W/$n.l.tsv" >"$W/$n.l.sig"
    same "sngrep -H -> --hep-listen: $n" "$W/$n.ref.sig" "$W/$n.l.sig"
    hp=$(python3 -c "import json; j=json.load(open('$W/$n.l.json')); print(j['summary']['packets'])")
    refp=$(grep -c '^msg' "$W/$n.ref.sig")
    [ "$hp" = "$refp" ] && ok "$n: one frame per HEP packet ($hp)" || ko "$n: $hp frames for $refp messages"
done

# ---- 2. sipscope --hep-send -> sngrep -L -O ----
for cap in captures/sipp-calls.pcap captures/register-challenge.pcap; do
    n=$(basename "$cap" .pcap)
    port=$(free_port 19170)
    rm -f "$W/$n.sngrep.pcap"
    sngrep -N -q -L "udp:127.0.0.1:$port" -O "$W/$n.sngrep.pcap" >/dev/null 2>"$W/$n.sngrep-l.err" &
    sp=$!; pids+=($sp)
    wait_listen "$port" || ko "$n: sngrep -L did not come up"
    "$SIPSCOPE" -r "$cap" -q --hep-send "udp:127.0.0.1:$port" 2>"$W/$n.send.err" ||
        ko "$n: --hep-send exited $?"
    [ -s "$W/$n.send.err" ] && ko "$n: --hep-send complained: $(head -1 "$W/$n.send.err")"
    sleep 1
    kill -INT $sp; wait $sp
    if [ ! -s "$W/$n.sngrep.pcap" ]; then ko "$n: sngrep wrote no capture"; continue; fi
    analyse "$W/$n.sngrep.pcap" "$n.s" || { ko "$n: sngrep's capture does not read"; continue; }
    same "--hep-send -> sngrep -L -O: $n" "$W/$n.ref.sig" "$W/$n.s.sig"
    if command -v tshark >/dev/null; then
        a=$(tshark -r "$cap" -q -z sip,stat 2>/dev/null | grep -E '^ +[A-Z0-9]' | sort)
        b=$(tshark -r "$W/$n.sngrep.pcap" -q -z sip,stat 2>/dev/null | grep -E '^ +[A-Z0-9]' | sort)
        [ -n "$a" ] && [ "$a" = "$b" ] && ok "$n: tshark -z sip,stat agrees on sngrep's capture" ||
            { ko "$n: tshark sip,stat differs"; diff <(echo "$a") <(echo "$b") | head; }
    fi
done

# ---- 3. sipscope -> sipscope, IPv4 and IPv6 ----
for fam in 127.0.0.1 '[::1]'; do
    for cap in captures/sipp-calls.pcap captures/sipp-tcp.pcap captures/subscribe-notify.pcap; do
        n=$(basename "$cap" .pcap)
        [ -f "$W/$n.ref.sig" ] || analyse "$cap" "$n.ref"
        # 9060 when free: decode knows HEP by port, so the -w file re-reads
        # as HEP only on the default port
        port=$(free_port 9060)
        "$SIPSCOPE" --hep-listen "udp:$fam:$port" --duration 3 -q --json "$W/$n.rt.json" \
            --messages "$W/$n.rt.tsv" -w "$W/$n.rt.pcap" 2>"$W/$n.rt.err" &
        sp=$!; pids+=($sp)
        wait_listen "$port" || ko "$n: listener on $fam did not come up"
        "$SIPSCOPE" -r "$cap" -q --hep-send "udp:$fam:$port" 2>"$W/$n.rts.err" ||
            ko "$n: --hep-send exited $?"
        wait $sp || { ko "$n $fam: --hep-listen exited $?: $(head -2 "$W/$n.rt.err")"; continue; }
        signature "$W/$n.rt.json" "$W/$n.rt.tsv" >"$W/$n.rt.sig"
        same "sipscope --hep-send -> --hep-listen over $fam: $n" "$W/$n.ref.sig" "$W/$n.rt.sig"
        # the listener's -w file: synthesized RAW frames that decode the same
        if [ "$port" != 9060 ]; then
            echo "SKIP --hep-listen -w re-read: port 9060 busy"
        elif analyse "$W/$n.rt.pcap" "$n.rtw"; then
            same "--hep-listen -w re-read: $n over $fam" "$W/$n.ref.sig" "$W/$n.rtw.sig"
        else
            ko "$n: --hep-listen -w file does not read"
        fi
    done
done

# ---- 4. -c and SIGINT ----
port=$(free_port 19190)
timeout 10 "$SIPSCOPE" --hep-listen "udp:127.0.0.1:$port" -c 5 -q --json "$W/c.json" 2>"$W/c.err" &
sp=$!; pids+=($sp)
wait_listen "$port"
"$SIPSCOPE" -r captures/sipp-calls.pcap -q --hep-send "udp:127.0.0.1:$port" 2>/dev/null
wait $sp; rc=$?
got=$(python3 -c "import json; print(json.load(open('$W/c.json'))['summary']['packets'])" 2>/dev/null)
[ $rc -eq 0 ] && [ "$got" = 5 ] && ok "--hep-listen -c 5 stops after 5 packets" ||
    ko "--hep-listen -c 5: rc $rc, packets '$got'"

port=$(free_port 19190)
"$SIPSCOPE" --hep-listen "udp:127.0.0.1:$port" -q --json "$W/int.json" 2>"$W/int.err" &
sp=$!; pids+=($sp)
wait_listen "$port"
t0=$(date +%s.%N)
kill -INT $sp; wait $sp; rc=$?
dt=$(echo "$(date +%s.%N) - $t0" | bc)
python3 -c "import json; json.load(open('$W/int.json'))" 2>/dev/null && [ $rc -eq 0 ] &&
    ok "--hep-listen stops on SIGINT (${dt}s) with a valid report" || ko "--hep-listen SIGINT: rc $rc"

"$SIPSCOPE" --hep-listen udp:127.0.0.1 2>/dev/null; rc1=$?
"$SIPSCOPE" --hep-listen udp:127.0.0.1:9 -r captures/sipp-calls.pcap 2>/dev/null; rc2=$?
"$SIPSCOPE" -r captures/sipp-calls.pcap --hep-send tcp:127.0.0.1:9 2>/dev/null; rc3=$?
[ $rc1 = 2 ] && [ $rc2 = 2 ] && [ $rc3 = 2 ] && ok "bad --hep-listen/--hep-send arguments exit 2" ||
    ko "bad arguments: exit $rc1 $rc2 $rc3"

# ---- 5. --hep-port: HEP recorded on a non-default port, read offline ----
analyse captures/sipp-calls.pcap calls.ref2
"$SIPSCOPE" -r captures/hep-port-19062.pcap --hep-port 19062 -q --json "$W/hp.json" \
    --messages "$W/hp.tsv" 2>"$W/hp.err" && signature "$W/hp.json" "$W/hp.tsv" >"$W/hp.sig"
same "--hep-port 19062: sngrep's HEP capture = sipp-calls.pcap" "$W/calls.ref2.sig" "$W/hp.sig"
got=$("$SIPSCOPE" -r captures/hep-port-19062.pcap -q --json - | python3 -c \
    "import json,sys; j=json.load(sys.stdin); print(j['summary']['sip_messages'], j['anomalies']['decode']['hep_packets'])")
[ "$got" = "0 0" ] && ok "without --hep-port, port 19062 is not HEP" || ko "without --hep-port: '$got'"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
