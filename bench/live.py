#!/usr/bin/env python3
"""bench/live.py - live capture on loopback: how many calls/s each analyzer
(sipscope, sngrep, tshark) follows without losing a SIP message.

SIPp's built-in 'uac' calls bench/uas.xml (INVITE/100/180/200/ACK/BYE/200,
7 messages a call, -nr) on 127.0.0.1 only, ports 18060 (UAS) / 18061 (UAC),
at rising call rates, each step LIVE_STEP seconds long (-m rate*LIVE_STEP).
For every rate each tool gets its own SIPp run, one tool at a time:

  1. the tool starts capturing on lo with the filter
     'udp and host 127.0.0.1 and (port 18060 or port 18061)';
  2. once it holds a packet socket (seen in /proc/net/packet), SIPp runs;
  3. 1 s after SIPp has finished, the tool gets SIGINT (as with Ctrl-C; its
     own --duration / -a duration: is only a safety cap) and must finish
     within LIVE_TAIL_TIMEOUT seconds (less when the budget is nearly spent);
     "tail" = the seconds it needed after the SIGINT: how far behind the wire
     it was, plus writing its report.  A tool still running then is killed
     and the step counts as lost ("UNFIN").

The expected number of SIP messages is what SIPp sent, from the *_Sent
columns of both SIPp -trace_counts files (= 7 x calls when no call failed).
A tool lost messages when it saw fewer, or reports kernel drops:

  sipscope  -i lo -q --json F -B MiB --duration CAP FILTER:
            summary.sip_messages; drops = pcap_dropped + pcap_ifdropped
  sngrep    -N -F -l 1e8 -B MiB -d lo -O DUMP FILTER (SIGINT ends it):
            SIP messages in DUMP (sngrep writes each SIP packet it parsed;
            counted as CSeq lines by build/bench/floor -c); its
            "Dialog count" is reported beside the calls
  tshark    -i lo -q -z sip,stat -a duration:CAP -B MiB -f FILTER:
            "Number of SIP messages"; drops = its "N packets dropped" line

CPU seconds (user+sys, the tool and its children, e.g. tshark's dumpcap)
and the peak RSS come from /usr/bin/time -f '%e %U %S %M'; CPU% is CPU
seconds over the tool's whole wall time (start-up, traffic and tail).

A tool is not run at higher rates once it has lost messages at
LIVE_MAX_LOSSES rates (2).  A step is skipped when it would end past
LIVE_BUDGET seconds (540) of total run time.  SIPp's achieved rate comes from
its -trace_stat (cumulative CallRate of the last line).

Prints the steps and a summary (highest rate each tool followed without
loss, with CPU% and RSS there) and writes build/bench/live-<date>.json (and
live-latest.json).  Needs root or CAP_NET_RAW.

Usage: bench/live.py [RATE...]          (default: LIVE_RATES)
Env: LIVE_RATES ("200 500 1000 2000 4000 8000"), LIVE_STEP (10 s),
     LIVE_BUFFER_MB (32, the kernel capture buffer given to every tool),
     LIVE_TOOLS (sipscope,sngrep,tshark), LIVE_MAX_LOSSES (2), LIVE_BUDGET
     (540 s), LIVE_TAIL_TIMEOUT (120 s), SIPSCOPE (./sipscope), FLOOR
     (build/bench/floor), BENCH_OUT (build/bench), LIVE_KEEP_LOGS=1 (keep the
     per-step SIPp and tool logs, in BENCH_OUT/live-logs-<date>/).
Exit status: 0 (losses are results, not failures), 2 on bad use or when
SIPp/tools are missing.
"""
import datetime
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run as offline  # noqa: E402  (machine(), git_commit(), first_line())

IP = "127.0.0.1"                      # loopback only, never anything else
UAS_PORT, UAC_PORT = 18060, 18061
MEDIA_UAS, MEDIA_UAC = 18200, 18300
FILTER = "udp and host %s and (port %d or port %d)" % (IP, UAS_PORT, UAC_PORT)
SCEN = os.path.join(HERE, "uas.xml")
MSGS_PER_CALL = 7

RATES = [int(x) for x in os.environ.get("LIVE_RATES", "200 500 1000 2000 4000 8000")
         .replace(",", " ").split()]
STEP_S = int(os.environ.get("LIVE_STEP", "10"))
BUFFER_MB = int(os.environ.get("LIVE_BUFFER_MB", "32"))
MAX_LOSSES = int(os.environ.get("LIVE_MAX_LOSSES", "2"))
BUDGET = float(os.environ.get("LIVE_BUDGET", "540"))
TAIL_TIMEOUT = float(os.environ.get("LIVE_TAIL_TIMEOUT", "120"))
TOOLS = [t.strip() for t in os.environ.get("LIVE_TOOLS", "sipscope,sngrep,tshark").split(",")
         if t.strip()]
SIPSCOPE = os.path.abspath(os.environ.get("SIPSCOPE") or os.path.join(ROOT, "sipscope"))
FLOOR = os.path.abspath(os.environ.get("FLOOR") or os.path.join(ROOT, "build", "bench", "floor"))
OUT = os.environ.get("BENCH_OUT") or os.path.join(ROOT, "build", "bench")
KEEP_LOGS = os.environ.get("LIVE_KEEP_LOGS") == "1"
TIME_BIN = "/usr/bin/time"
READY_TIMEOUT = 20.0
SETTLE_S = 0.5                        # after the packet socket appears (filter, threads)
DRAIN_S = 1.0                         # after SIPp ends, before the SIGINT


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

def pgroup_pids(pgid):
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            # field 5 (pgrp) comes after "pid (comm) state ppid"
            if int(st[st.rindex(")") + 2:].split()[2]) == pgid:
                pids.append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return pids


def packet_socket_inodes():
    inodes = set()
    try:
        with open("/proc/net/packet") as f:
            next(f)
            for line in f:
                parts = line.split()
                if parts:
                    inodes.add(parts[-1])
    except (OSError, StopIteration):
        pass
    return inodes


def has_packet_socket(pgid):
    """True once a process of the group holds an AF_PACKET socket."""
    inodes = packet_socket_inodes()
    if not inodes:
        return False
    for pid in pgroup_pids(pgid):
        try:
            for fd in os.listdir("/proc/%d/fd" % pid):
                try:
                    link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
                except OSError:
                    continue
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return True
        except OSError:
            pass
    return False


def udp_listening(port):
    want = "0100007F:%04X" % port
    try:
        with open("/proc/net/udp") as f:
            return any(line.split()[1] == want for line in list(f)[1:])
    except OSError:
        return False


def wait_pid(p, timeout):
    """Exit code of Popen p, or None if it is still running after timeout s."""
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def stop_group(p, sig, grace):
    """Send sig to p's process group; SIGKILL after grace s. True if it exited in time."""
    if p.poll() is not None:
        return True
    try:
        os.killpg(p.pid, sig)
    except OSError:
        pass
    if wait_pid(p, grace) is not None:
        return True
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        pass
    p.wait()
    return False


# ---------------------------------------------------------------- SIPp

def last_csv_row(pattern):
    """(header, last row) of SIPp's ';'-separated CSV matching pattern, or (None, None)."""
    files = glob.glob(pattern)
    if not files:
        return None, None
    with open(files[0], errors="replace") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    if len(lines) < 2:
        return None, None
    return lines[0].split(";"), lines[-1].split(";")


def sent_messages(header, row):
    """Messages SIPp put on the wire: every *_Sent column plus their retransmissions."""
    if not header:
        return None
    vals = dict(zip(header, row))
    total = 0
    for k, v in vals.items():
        if k.endswith("_Sent"):
            total += int(v or 0)
            total += int(vals.get(k[:-5] + "_Retrans") or 0)
    return total


def run_sipp(rate, d):
    """Run UAS + UAC at rate calls/s in directory d; a dict of what happened."""
    calls = rate * STEP_S
    limit = int(calls / rate * 4 + 60)     # generous safety bound
    common = ["-i", IP, "-nr", "-nostdin", "-trace_counts", "-fd", "1",
              "-buff_size", "8388608", "-timeout", "%ds" % limit]
    uas_cmd = ["sipp", "-sf", SCEN, "-p", str(UAS_PORT), "-mi", IP, "-mp", str(MEDIA_UAS),
               "-m", str(calls)] + common
    uac_cmd = ["sipp", "%s:%d" % (IP, UAS_PORT), "-sn", "uac", "-s", "bench",
               "-p", str(UAC_PORT), "-mi", IP, "-mp", str(MEDIA_UAC), "-m", str(calls),
               "-r", str(rate), "-rp", "1000", "-l", str(rate * 4),
               "-trace_stat", "-trace_screen"] + common
    res = {"requested_cps": rate, "calls": calls}
    with open(os.path.join(d, "uas.out"), "w") as o:
        uas = subprocess.Popen(uas_cmd, cwd=d, stdin=subprocess.DEVNULL, stdout=o,
                               stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.monotonic()
    while not udp_listening(UAS_PORT):
        if uas.poll() is not None or time.monotonic() - t0 > 10:
            stop_group(uas, signal.SIGKILL, 1)
            res["error"] = "SIPp UAS did not start (see uas.out)"
            return res
        time.sleep(0.05)
    t0 = time.monotonic()
    with open(os.path.join(d, "uac.out"), "w") as o:
        uac = subprocess.Popen(uac_cmd, cwd=d, stdin=subprocess.DEVNULL, stdout=o,
                               stderr=subprocess.STDOUT, start_new_session=True)
    rc = wait_pid(uac, limit + 10)
    if rc is None:
        stop_group(uac, signal.SIGKILL, 1)
    res["wall_s"] = time.monotonic() - t0
    res["uac_exit"] = rc
    # the UAS exits by itself after -m calls; if a call failed it waits: then
    # its last -fd 1 line (written after the traffic stopped) has the counts.
    urc = wait_pid(uas, 2.5)
    if urc is None:
        stop_group(uas, signal.SIGINT, 3)
    res["uas_exit"] = urc
    h_uac, r_uac = last_csv_row(os.path.join(d, "uac_*_counts.csv"))
    h_uas, r_uas = last_csv_row(os.path.join(d, "uas_*_counts.csv"))
    a, b = sent_messages(h_uac, r_uac), sent_messages(h_uas, r_uas)
    res["sent_uac"], res["sent_uas"] = a, b
    res["sent_messages"] = a + b if a is not None and b is not None else None
    h, r = last_csv_row(os.path.join(d, "uac_*_.csv"))
    if h:
        st = dict(zip(h, r))

        def num(k):
            try:
                return float(st[k])
            except (KeyError, ValueError):
                return None
        res["achieved_cps"] = num("CallRate(C)")
        res["created"] = num("OutgoingCall(C)")
        res["successful"] = num("SuccessfulCall(C)")
        res["failed"] = num("FailedCall(C)")
    if res["sent_messages"] is None:
        res["error"] = "no SIPp -trace_counts output (see uac.out, uas.out)"
    return res


# ---------------------------------------------------------------- tools

def tool_argv(name, d, cap_s):
    """(argv, result parser) of a tool capturing in directory d."""
    if name == "sipscope":
        js = os.path.join(d, "sipscope.json")
        return ([SIPSCOPE_RUN, "-i", "lo", "--duration", str(cap_s), "--json", js, "-q",
                 "-B", str(BUFFER_MB)] + FILTER.split(), lambda: parse_sipscope(js))
    if name == "sngrep":
        dump = os.path.join(d, "sngrep.pcap")
        # The filter goes as separate words: sngrep takes the first word as a
        # payload match expression unless the rest is not a valid BPF filter
        # ("and host ..." is not), then it uses all the words as the filter.
        return (["sngrep", "-N", "-F", "-l", "100000000", "-B", str(BUFFER_MB), "-d", "lo",
                 "-O", dump] + FILTER.split(), lambda: parse_sngrep(d, dump))
    if name == "tshark":
        return (["tshark", "-i", "lo", "-q", "-z", "sip,stat", "-a", "duration:%d" % cap_s,
                 "-B", str(BUFFER_MB), "-f", FILTER], lambda: parse_tshark(d))
    raise ValueError(name)


def parse_sipscope(js):
    with open(js) as f:
        doc = json.load(f)
    s = doc["summary"]
    return {"seen_messages": s.get("sip_messages"),
            "kernel_drops": (s.get("pcap_dropped") or 0) + (s.get("pcap_ifdropped") or 0),
            "pcap_received": s.get("pcap_received"),
            "pcap_dropped": s.get("pcap_dropped"),
            "pcap_ifdropped": s.get("pcap_ifdropped"),
            "answered": doc.get("stats", {}).get("calls", {}).get("answered")}


def parse_sngrep(d, dump):
    r = {"kernel_drops": None}
    with open(os.path.join(d, "tool.out"), errors="replace") as f:
        counts = re.findall(r"Dialog count: (\d+)", f.read())
    r["dialogs"] = int(counts[-1]) if counts else None
    if os.path.exists(dump) and os.access(FLOOR, os.X_OK):
        p = subprocess.run([FLOOR, "-c", dump], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True)
        try:
            r["seen_messages"] = int(p.stdout.split()[2])
        except (IndexError, ValueError):
            pass
    try:
        os.unlink(dump)
    except OSError:
        pass
    return r


def parse_tshark(d):
    with open(os.path.join(d, "tool.out"), errors="replace") as f:
        out = f.read()
    with open(os.path.join(d, "tool.err"), errors="replace") as f:
        err = f.read()
    r = {}
    m = re.search(r"Number of SIP messages: (\d+)", out)
    r["seen_messages"] = int(m.group(1)) if m else None
    m = re.search(r"(\d+) packets? captured", err)
    r["captured"] = int(m.group(1)) if m else None
    r["kernel_drops"] = sum(int(x) for x in re.findall(r"(\d+) packets? dropped", err))
    return r


def read_time(path):
    """(wall, user, sys, maxrss KB) from /usr/bin/time's last line, or Nones."""
    try:
        with open(path) as f:
            for line in reversed(f.read().splitlines()):
                parts = line.split()
                if len(parts) == 4:
                    try:
                        return float(parts[0]), float(parts[1]), float(parts[2]), int(parts[3])
                    except ValueError:
                        continue
    except OSError:
        pass
    return None, None, None, None


def step(tool, rate, d, tail_limit):
    """One tool at one rate with its own SIPp run; tail_limit: seconds allowed after SIGINT."""
    os.makedirs(d, exist_ok=True)
    cap_s = int(rate * STEP_S / rate * 4 + 60)
    argv, parse = tool_argv(tool, d, cap_s)
    tfile = os.path.join(d, "tool.time")
    env = dict(os.environ, TMPDIR=d)          # tshark's dumpcap spool file goes there
    with open(os.path.join(d, "tool.out"), "w") as o, open(os.path.join(d, "tool.err"), "w") as e:
        p = subprocess.Popen([TIME_BIN, "-o", tfile, "-f", "%e %U %S %M"] + argv, cwd=d, env=env,
                             stdin=subprocess.DEVNULL, stdout=o, stderr=e, start_new_session=True)
    r = {"tool": tool, "rate": rate, "argv": argv}
    t0 = time.monotonic()
    while not has_packet_socket(p.pid):
        if p.poll() is not None or time.monotonic() - t0 > READY_TIMEOUT:
            stop_group(p, signal.SIGKILL, 1)
            r["error"] = "did not start capturing (see %s)" % os.path.join(d, "tool.err")
            return r
        time.sleep(0.05)
    time.sleep(SETTLE_S)
    r["ready_s"] = time.monotonic() - t0
    r["sipp"] = run_sipp(rate, d)
    time.sleep(DRAIN_S)
    t_int = time.monotonic()
    # SIGINT to the group, as Ctrl-C would: /usr/bin/time ignores it, the tool
    # (and tshark's dumpcap) stop capturing and write their results.
    finished = stop_group(p, signal.SIGINT, tail_limit)
    r["tail_s"] = time.monotonic() - t_int
    r["finished"] = finished
    r["exit"] = p.returncode
    wall, user, sys_, rss = read_time(tfile)
    r["wall_s"], r["user_s"], r["sys_s"] = wall, user, sys_
    r["cpu_s"] = user + sys_ if user is not None else None
    r["cpu_pct"] = 100.0 * r["cpu_s"] / wall if r["cpu_s"] is not None and wall else None
    r["peak_rss_mb"] = rss / 1024.0 if rss is not None else None
    if finished:
        try:
            r.update(parse())
        except (OSError, ValueError, KeyError, TypeError) as ex:
            r["error"] = "no result from %s: %s" % (tool, ex)
    else:
        r["error"] = "still running %.0fs after SIGINT: killed" % tail_limit
    exp = r["sipp"].get("sent_messages")
    r["expected_messages"] = exp
    seen = r.get("seen_messages")
    r["missing"] = exp - seen if exp is not None and seen is not None else None
    if r["sipp"].get("error") or exp is None:
        r["verdict"] = "invalid"           # no ground truth: neither loss nor success
    elif not finished:
        r["verdict"] = "unfinished"        # still busy with the backlog: no count
    elif seen is None:
        r["verdict"] = "lost"
    elif (r["missing"] or 0) > 0 or (r.get("kernel_drops") or 0) > 0:
        r["verdict"] = "lost"
    else:
        r["verdict"] = "ok"
    if r.get("missing") is not None and r["missing"] < 0:
        r["note"] = "saw %d messages more than SIPp sent" % -r["missing"]
    return r


# ---------------------------------------------------------------- main

def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def check_tools():
    missing = []
    for b in ("sipp", TIME_BIN):
        if not shutil.which(b):
            missing.append(b)
    avail = []
    for t in TOOLS:
        if t == "sipscope":
            ok = os.access(SIPSCOPE, os.X_OK)
        elif t in ("sngrep", "tshark"):
            ok = shutil.which(t) is not None
        else:
            log("live.py: unknown tool %s (sipscope, sngrep, tshark)" % t)
            continue
        if ok:
            avail.append(t)
        else:
            log("live.py: %s not found: skipped" % t)
    return missing, avail


def main(argv):
    global SIPSCOPE_RUN
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    rates = [int(a) for a in argv] if argv else RATES
    missing, tools = check_tools()
    if missing or not tools:
        log("live.py: missing %s" % ", ".join(missing or ["every tool"]))
        return 2
    if "sngrep" in tools and not os.access(FLOOR, os.X_OK):
        log("live.py: %s not found (make -f bench/bench.mk bench-floor): sngrep's message"
            " count is unavailable, only its dialog count is shown" % FLOOR)
    for port in (UAS_PORT, UAC_PORT):
        if udp_listening(port):
            log("live.py: UDP port %d on %s is in use" % (port, IP))
            return 2
    started = datetime.datetime.now(datetime.timezone.utc)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    tmp = tempfile.mkdtemp(prefix="sipscope-live.")
    logroot = os.path.join(OUT, "live-logs-" + stamp) if KEEP_LOGS else tmp
    # a private copy: the tree may be rebuilt while we run
    SIPSCOPE_RUN = SIPSCOPE
    if "sipscope" in tools:
        SIPSCOPE_RUN = os.path.join(tmp, "sipscope")
        shutil.copy2(SIPSCOPE, SIPSCOPE_RUN)
    versions = {"sipp": offline.first_line(["sipp", "-v"])}
    for t in tools:
        versions[t] = offline.first_line({"sipscope": [SIPSCOPE_RUN, "--version"],
                                          "sngrep": ["sngrep", "-V"],
                                          "tshark": ["tshark", "-v"]}[t])
    log("live.py: rates %s calls/s, %d s each, tools %s, capture buffer %d MiB, filter '%s'"
        % (" ".join(map(str, rates)), STEP_S, ",".join(tools), BUFFER_MB, FILTER))
    t_start = time.monotonic()
    steps = []
    losses = {t: 0 for t in tools}
    skipped = []
    # cost of a step beyond the traffic: start-up, drain, tail (tshark's grows)
    overhead = {t: 5.0 for t in tools}

    def interrupted(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)
    try:
        for rate in rates:
            for tool in tools:
                if losses[tool] >= MAX_LOSSES:
                    skipped.append({"tool": tool, "rate": rate,
                                    "why": "lost messages at %d rates already" % MAX_LOSSES})
                    continue
                est = STEP_S + overhead[tool]
                if time.monotonic() - t_start + est > BUDGET:
                    skipped.append({"tool": tool, "rate": rate,
                                    "why": "LIVE_BUDGET=%gs would be exceeded" % BUDGET})
                    log("   %-8s @ %5d/s: skipped (budget)" % (tool, rate))
                    continue
                d = os.path.join(logroot, "%s-%d" % (tool, rate))
                t0 = time.monotonic()
                # the tail may not push the run much past the budget
                tail_limit = max(15.0, min(TAIL_TIMEOUT,
                                           BUDGET + 60 - (time.monotonic() - t_start) - est))
                r = step(tool, rate, d, tail_limit)
                took = time.monotonic() - t0
                overhead[tool] = max(overhead[tool], took - STEP_S)
                r["step_s"] = took
                steps.append(r)
                if r["verdict"] in ("lost", "unfinished"):
                    losses[tool] += 1
                s = r["sipp"]
                log("   %-8s @ %5d/s: sipp %s cps, %s/%s msgs, drops %s, cpu %ss (%s%%), "
                    "rss %s MB, tail %ss -> %s%s"
                    % (tool, rate, fmt(s.get("achieved_cps"), ".0f"), fmt(r.get("seen_messages"), "d"),
                       fmt(r.get("expected_messages"), "d"), fmt(r.get("kernel_drops"), "d"),
                       fmt(r.get("cpu_s"), ".2f"), fmt(r.get("cpu_pct"), ".0f"),
                       fmt(r.get("peak_rss_mb"), ".0f"), fmt(r.get("tail_s"), ".1f"),
                       r["verdict"].upper(),
                       "  (%s)" % (r.get("error") or s.get("error")) if r.get("error") or s.get("error")
                       else ""))
                time.sleep(0.5)            # let the ports go
    except KeyboardInterrupt:
        log("live.py: interrupted; reporting the steps done")

    # ---- summary per tool ----
    summary = {}
    for t in tools:
        rs = [r for r in steps if r["tool"] == t]
        ok = [r for r in rs if r["verdict"] == "ok"]
        lost = [r for r in rs if r["verdict"] in ("lost", "unfinished")]
        best = max(ok, key=lambda r: r["rate"]) if ok else None
        summary[t] = {
            "highest_clean_rate": best["rate"] if best else None,
            "achieved_cps": best["sipp"].get("achieved_cps") if best else None,
            "cpu_pct": best.get("cpu_pct") if best else None,
            "cpu_s": best.get("cpu_s") if best else None,
            "peak_rss_mb": best.get("peak_rss_mb") if best else None,
            "tail_s": best.get("tail_s") if best else None,
            "first_loss_rate": min(r["rate"] for r in lost) if lost else None,
            "first_loss_verdict": min(lost, key=lambda r: r["rate"])["verdict"] if lost else None,
            "top_rate_tried": max(r["rate"] for r in rs) if rs else None,
            "clean_at_every_rate_tried": bool(rs) and not lost and len(ok) == len(rs),
        }

    # ---- table ----
    mach = offline.machine()
    print("sipscope live bench  %s  commit %s" % (started.strftime("%Y-%m-%d %H:%M:%S UTC"),
                                                  offline.git_commit()))
    print("machine: %s, %s CPUs, %s MB RAM, Linux %s" % (mach["model_name"], mach["nproc"],
                                                        mach["mem_total_mb"], mach["kernel"]))
    for t, v in versions.items():
        print("  %-9s %s" % (t, v or "?"))
    print("lo, filter '%s', capture buffer %d MiB each, %d s of calls per step, one tool at a time"
          % (FILTER, BUFFER_MB, STEP_S))
    print()
    hdr = ("rate", "sipp cps", "tool", "sent", "seen", "missing", "drops", "CPU s", "CPU%",
           "RSS MB", "tail s", "result")
    w = (6, 8, 8, 8, 8, 7, 6, 6, 5, 7, 6, 6)
    print("  ".join(h.rjust(w[i]) if i != 2 else h.ljust(w[i]) for i, h in enumerate(hdr)))
    for r in sorted(steps, key=lambda r: (r["rate"], tools.index(r["tool"]))):
        s = r["sipp"]
        cells = [str(r["rate"]), fmt(s.get("achieved_cps"), ".0f"), r["tool"],
                 fmt(r.get("expected_messages"), "d"), fmt(r.get("seen_messages"), "d"),
                 fmt(r.get("missing"), "d"), fmt(r.get("kernel_drops"), "d", "n/a"),
                 fmt(r.get("cpu_s"), ".2f"), fmt(r.get("cpu_pct"), ".0f"),
                 fmt(r.get("peak_rss_mb"), ".0f"), fmt(r.get("tail_s"), ".1f"),
                 {"ok": "ok", "lost": "LOST", "unfinished": "UNFIN", "invalid": "n/a"}[r["verdict"]]]
        print("  ".join(c.rjust(w[i]) if i != 2 else c.ljust(w[i]) for i, c in enumerate(cells)))
    print()
    print("highest rate without a lost message (CPU%, RSS and tail at that rate):")
    print("  %-8s  %11s  %8s  %5s  %7s  %6s  %s" % ("tool", "calls/s", "sipp cps", "CPU%",
                                                   "RSS MB", "tail s", "first loss at"))
    for t, s in summary.items():
        top = ""
        if s["clean_at_every_rate_tried"]:
            top = "none up to %d/s (the top rate tried)" % s["top_rate_tried"]
        elif s["first_loss_rate"]:
            top = "%d/s%s" % (s["first_loss_rate"], " (did not finish its backlog)"
                              if s["first_loss_verdict"] == "unfinished" else "")
        print("  %-8s  %11s  %8s  %5s  %7s  %6s  %s"
              % (t, (">=" if s["clean_at_every_rate_tried"] else "") +
                 fmt(s["highest_clean_rate"], "d", "none"),
                 fmt(s["achieved_cps"], ".0f"), fmt(s["cpu_pct"], ".0f"),
                 fmt(s["peak_rss_mb"], ".0f"), fmt(s["tail_s"], ".1f"), top))
    for k in skipped:
        if "budget" in k["why"]:
            print("  skipped: %s at %d/s (%s)" % (k["tool"], k["rate"], k["why"]))
    print("sent = SIP messages SIPp sent (both sides, -trace_counts); drops = kernel drops the"
          " tool reports (n/a: sngrep reports none); tail = seconds to finish after SIGINT;"
          " CPU% = (user+sys)/wall of the tool's run; UNFIN: still busy after the tail limit,"
          " killed (counts as a loss)")
    sys.stdout.flush()

    doc = {
        "format": "sipscope-bench-live/1",
        "date": started.isoformat(timespec="seconds"),
        "commit": offline.git_commit(),
        "machine": mach,
        "versions": versions,
        "filter": FILTER,
        "interface": "lo",
        "address": IP,
        "ports": {"uas": UAS_PORT, "uac": UAC_PORT},
        "buffer_mib": BUFFER_MB,
        "step_s": STEP_S,
        "rates": rates,
        "max_losses": MAX_LOSSES,
        "budget_s": BUDGET,
        "total_s": time.monotonic() - t_start,
        "steps": steps,
        "skipped": skipped,
        "summary": summary,
    }
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "live-%s.json" % stamp)
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    shutil.copyfile(path, os.path.join(OUT, "live-latest.json"))
    rel = os.path.relpath(path, os.getcwd())
    print("written: %s (and live-latest.json)%s" % (path if rel.startswith("..") else rel,
                                                   "; logs in %s" % logroot if KEEP_LOGS else ""))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


SIPSCOPE_RUN = SIPSCOPE

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
