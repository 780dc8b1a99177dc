#!/usr/bin/env python3
"""bench/run.py - sipscope measured side by side with tshark, sngrep and the
bare libpcap floor (bench/floor.c), on the captures of bench/gen-captures.sh.

For each capture the tools run interleaved (run 1 of every tool, then run 2,
...), BENCH_RUNS times each (default 5), each under /usr/bin/time -f '%e %M'
(peak RSS; wall time is also taken with a monotonic clock around the process,
at microsecond resolution, since %e has only 10 ms).  Prints a table and the
target checks, and writes it as JSON to build/bench/bench-<date>.json and
build/bench/latest.json.

Usage: bench/run.py [CAPTURE...]
  CAPTURE is a name in the cache (udp-20k, udp-200k, tcp-20k, udp-frag-20k) or a pcap path;
  default: every one of those three found in the cache.
Env: BENCH_RUNS (5), BENCH_CACHE, SIPSCOPE (./sipscope; make bench: build/release/sipscope), FLOOR
     (build/bench/floor), BENCH_OUT (build/bench), BENCH_TIMEOUT (300 s per run),
     BENCH_TOOLS (comma list to run a subset: sipscope,sipscope-json,tshark,
     sngrep,floor), BENCH_PEER_RUNS (runs of tshark and sngrep; default
     BENCH_RUNS).
Exit status: 0 (the MISS lines are informative, not a failure), 2 on bad use.
"""
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.environ.get("BENCH_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
    "sipscope-bench")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# tshark and sngrep can take minutes per run on the big captures (sngrep's TCP
# reassembly is far slower still): BENCH_PEER_RUNS caps their runs.
PEER_RUNS = min(RUNS, int(os.environ.get("BENCH_PEER_RUNS", str(RUNS))))
PEERS = ("tshark", "sngrep")
# absolute: the tools run with a scratch directory as their cwd
SIPSCOPE = os.path.abspath(os.environ.get("SIPSCOPE") or os.path.join(ROOT, "sipscope"))
FLOOR = os.path.abspath(os.environ.get("FLOOR") or os.path.join(ROOT, "build", "bench", "floor"))
OUT = os.environ.get("BENCH_OUT") or os.path.join(ROOT, "build", "bench")
# tshark needs > 10 minutes on udp-200k: a run is killed after BENCH_TIMEOUT
# seconds, the tool's other runs on that capture are skipped, and its time
# counts as a lower bound (shown as ">"), which is enough for the ratio checks.
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "300"))
TIME_BIN = "/usr/bin/time"
DEFAULT_CAPTURES = ["udp-20k", "udp-200k", "tcp-20k", "udp-frag-20k"]

# Targets (sipscope = full analysis, text statistics to /dev/null).
T_RATE = 1.5e6          # SIP messages/s
T_TSHARK = 200.0        # x faster than tshark -z sip,stat
T_SNGREP = 40.0         # x faster than sngrep -N
T_FLOOR = 4.0           # at most this many times the floor's time
T_JSON_RATE = 500e3     # SIP messages/s with the full JSON report
T_RSS_MB = 32.0         # peak RSS
T_RSS_FLAT = 1.2        # udp-200k peak RSS / udp-20k peak RSS
T_TCP = 2.0             # TCP or fragmented time per message / UDP time per message


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def first_line(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=20, text=True, errors="replace")
    except (OSError, subprocess.SubprocessError):
        return None
    for line in p.stdout.splitlines():
        line = line.strip()
        if line and not line.startswith("Running as user"):
            return line
    return None


def machine():
    model = None
    mem_kb = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
                    break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "model_name": model,
        "mem_total_mb": round(mem_kb / 1024) if mem_kb else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def git_commit():
    try:
        p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=10)
        c = p.stdout.strip()
        return c + ("-dirty" if dirty.stdout.strip() else "") if c else None
    except (OSError, subprocess.SubprocessError):
        return None


def tools_available(tmpdir):
    """name -> (argv builder, version) for the tools that exist; logs the rest."""
    tools = {}
    if os.access(SIPSCOPE, os.X_OK):
        ver = first_line([SIPSCOPE, "--version"])
        tools["sipscope"] = (lambda cap: [SIPSCOPE, "-r", cap], ver)
        jpath = os.path.join(tmpdir, "x.json")
        tools["sipscope-json"] = (lambda cap: [SIPSCOPE, "-r", cap, "-q", "--json", jpath], ver)
    else:
        log("run.py: sipscope not found at %s (make sipscope, or set SIPSCOPE): skipped" % SIPSCOPE)
    tshark = shutil.which("tshark")
    if tshark:
        tools["tshark"] = (lambda cap: [tshark, "-q", "-z", "sip,stat", "-r", cap],
                           first_line([tshark, "-v"]))
    else:
        log("run.py: tshark not found: skipped")
    sngrep = shutil.which("sngrep")
    if sngrep:
        # -N no interface, -q don't print dialogs, -F ignore config files,
        # -l: the default capture.limit (20000 dialogs) would stop storing
        # calls past the first 20000, so lift it above any capture's size.
        tools["sngrep"] = (lambda cap: [sngrep, "-N", "-q", "-F", "-l", "100000000", "-I", cap],
                           first_line([sngrep, "-V"]))
    else:
        log("run.py: sngrep not found: skipped")
    if not os.access(FLOOR, os.X_OK):
        src = os.path.join(HERE, "floor.c")
        os.makedirs(os.path.dirname(FLOOR), exist_ok=True)
        cc = os.environ.get("CC", "cc")
        r = subprocess.run([cc, "-O2", "-o", FLOOR, src, "-lpcap"])
        if r.returncode != 0:
            log("run.py: could not build the floor program")
    if os.access(FLOOR, os.X_OK):
        tools["floor"] = (lambda cap: [FLOOR, cap], "bench/floor.c")
    want = os.environ.get("BENCH_TOOLS")
    if want:
        keep = set(w.strip() for w in want.split(","))
        tools = {k: v for k, v in tools.items() if k in keep}
    return tools


def run_once(argv, tmpdir):
    """(wall seconds, time's %e, peak RSS KB, exit status)."""
    tfile = os.path.join(tmpdir, "time.out")
    use_time = os.access(TIME_BIN, os.X_OK)
    cmd = [TIME_BIN, "-o", tfile, "-f", "%e %M"] + argv if use_time else argv
    try:
        os.unlink(tfile)
    except OSError:
        pass
    t0 = time.perf_counter()
    try:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=tmpdir, start_new_session=True)
    except OSError as e:
        log("run.py: %s: %s" % (argv[0], e))
        return None
    fired = []

    def kill():
        fired.append(1)
        os.killpg(p.pid, signal.SIGKILL)

    killer = threading.Timer(TIMEOUT, kill)
    killer.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    killer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    if fired:
        return "timeout"
    if os.WIFSIGNALED(status):
        return None
    e_wall, rss = None, None
    if use_time:
        try:
            with open(tfile) as f:
                for line in f:
                    parts = line.split()
                    # time prints "Command exited with non-zero status N" first on failure
                    if len(parts) == 2:
                        try:
                            e_wall, rss = float(parts[0]), int(parts[1])
                        except ValueError:
                            pass
        except OSError:
            pass
    if rss is None and ru is not None:
        rss = ru.ru_maxrss
    return wall, e_wall, rss, p.returncode


def resolve_capture(name):
    if os.sep in name or name.endswith((".pcap", ".pcapng")):
        path = name
        label = os.path.basename(name).rsplit(".", 1)[0]
    else:
        path = os.path.join(CACHE, name + ".pcap")
        label = name
    return label, path


def stamp_messages(path):
    try:
        with open(path + ".stamp") as f:
            for line in f:
                if line.startswith("sip_messages="):
                    return int(line.split("=", 1)[1])
    except (OSError, ValueError):
        pass
    return None


def count_messages(path, tmpdir, tools):
    """(count, source): sipscope's summary.sip_messages, else the stamp, else floor -c."""
    expected = stamp_messages(path)
    if "sipscope-json" in tools or os.access(SIPSCOPE, os.X_OK):
        jpath = os.path.join(tmpdir, "count.json")
        try:
            subprocess.run([SIPSCOPE, "-r", path, "-q", "--json", jpath], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=TIMEOUT)
            with open(jpath) as f:
                n = int(json.load(f)["summary"]["sip_messages"])
            if expected is not None and n != expected:
                log("run.py: WARNING: %s: sipscope counts %d SIP messages, the capture holds %d"
                    % (path, n, expected))
            return n, "sipscope summary.sip_messages"
        except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError) as e:
            log("run.py: %s: no message count from sipscope's JSON (%s); falling back" % (path, e))
    if expected is not None:
        return expected, "capture stamp (verified at generation)"
    if os.access(FLOOR, os.X_OK):
        p = subprocess.run([FLOOR, "-c", path], stdout=subprocess.PIPE, text=True)
        try:
            return int(p.stdout.split()[2]), "floor -c (CSeq lines)"
        except (IndexError, ValueError):
            pass
    return None, None


def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    names = argv or [n for n in DEFAULT_CAPTURES if os.path.exists(os.path.join(CACHE, n + ".pcap"))]
    if not names:
        log("run.py: no captures in %s: run bench/gen-captures.sh first" % CACHE)
        return 2
    tmpdir = tempfile.mkdtemp(prefix="sipscope-bench.")
    tools = tools_available(tmpdir)
    if not tools:
        log("run.py: no tool to run")
        return 2
    started = datetime.datetime.now(datetime.timezone.utc)
    rows = []
    captures = {}
    for name in names:
        label, path = resolve_capture(name)
        path = os.path.abspath(path)
        if not os.path.exists(path):
            log("run.py: capture %s not found (%s): skipped; make it with bench/gen-captures.sh"
                % (label, path))
            continue
        # warm the page cache so the first tool isn't charged for the disk
        with open(path, "rb") as f:
            while f.read(1 << 20):
                pass
        msgs, src = count_messages(path, tmpdir, tools)
        captures[label] = {"path": path, "bytes": os.path.getsize(path), "sip_messages": msgs,
                           "sip_messages_from": src}
        log("== %s: %s SIP messages (%s), %d runs of %s"
            % (label, msgs, src, RUNS, ", ".join(tools)))
        samples = {t: [] for t in tools}
        failed = {t: 0 for t in tools}
        timed_out = set()
        for i in range(RUNS):
            for t, (build, _) in tools.items():
                if t in PEERS and i >= PEER_RUNS:
                    continue
                if t in timed_out:
                    continue                 # one timeout is enough: the time is a lower bound
                r = run_once(build(path), tmpdir)
                if r == "timeout":
                    timed_out.add(t)
                    log("   run %d %s: killed after BENCH_TIMEOUT=%gs; its time is reported as a"
                        " lower bound and its other runs are skipped" % (i + 1, t, TIMEOUT))
                    continue
                if r is None or r[3] != 0:
                    failed[t] += 1
                    log("   run %d %s: %s" % (i + 1, t, "timeout/error" if r is None
                                              else "exit status %d" % r[3]))
                    continue
                samples[t].append(r)
            log("   run %d/%d done" % (i + 1, RUNS))
        for t, rs in samples.items():
            row = {"tool": t, "capture": label, "runs": len(rs), "failed_runs": failed[t]}
            if t in timed_out and not rs:
                # only a lower bound: the tool did not finish within the timeout
                rs = [(TIMEOUT, None, None, None)]
                row["timed_out"] = True
            if rs:
                walls = [r[0] for r in rs]
                rss = [r[2] for r in rs if r[2] is not None]
                row.update({
                    "median_wall_s": statistics.median(walls),
                    "min_wall_s": min(walls),
                    "walls_s": walls,
                    "time_e_s": [r[1] for r in rs],
                    "peak_rss_mb": max(rss) / 1024.0 if rss else None,
                })
                row["msgs_per_s"] = msgs / row["median_wall_s"] if msgs else None
            rows.append(row)
        # ratios, once every tool of this capture has a median
        by = {r["tool"]: r for r in rows if r["capture"] == label and r.get("median_wall_s")}
        for r in rows:
            if r["capture"] != label or not r.get("median_wall_s"):
                continue
            m = r["median_wall_s"]
            r["vs_tshark"] = by["tshark"]["median_wall_s"] / m if "tshark" in by else None
            r["vs_sngrep"] = by["sngrep"]["median_wall_s"] / m if "sngrep" in by else None
            r["vs_floor"] = m / by["floor"]["median_wall_s"] if "floor" in by else None

    # ---- table ----
    mach = machine()
    print("sipscope bench  %s  commit %s" % (started.strftime("%Y-%m-%d %H:%M:%S UTC"), git_commit()))
    print("machine: %s, %s CPUs, %s MB RAM, Linux %s" % (mach["model_name"], mach["nproc"],
                                                        mach["mem_total_mb"], mach["kernel"]))
    for t, (_, ver) in tools.items():
        print("  %-14s %s" % (t, ver or "?"))
    if "sipscope" in tools:
        print("sipscope binary: %s%s" % (os.path.relpath(SIPSCOPE, ROOT),
                                         " (release build: PGO, make release)" if "release" in SIPSCOPE else ""))
    print("runs per tool: %d (interleaved%s); wall = median of runs"
          % (RUNS, "; tshark/sngrep: %d" % PEER_RUNS if PEER_RUNS != RUNS else ""))
    print()
    hdr = ("tool", "capture", "median s", "min s", "RSS MB", "SIP msg/s", "vs tshark",
           "vs sngrep", "vs floor")
    w = (14, 9, 9, 9, 8, 11, 10, 10, 9)
    print("  ".join(h.ljust(w[0]) if i == 0 else h.rjust(w[i]) if i > 1 else h.ljust(w[i])
                    for i, h in enumerate(hdr)))
    def lb(cap, peer):
        return ">" if any(x.get("timed_out") for x in rows
                          if x["tool"] == peer and x["capture"] == cap) else ""

    for r in rows:
        if not r.get("median_wall_s"):
            print("%-14s  %-9s  (no successful run)" % (r["tool"], r["capture"]))
            continue
        if r.get("timed_out"):
            print("%-14s  %-9s  %9s  (did not finish within BENCH_TIMEOUT)"
                  % (r["tool"], r["capture"], ">%g" % TIMEOUT))
            continue
        cells = [r["tool"].ljust(w[0]), r["capture"].ljust(w[1]),
                 fmt(r["median_wall_s"], ".4f").rjust(w[2]), fmt(r["min_wall_s"], ".4f").rjust(w[3]),
                 fmt(r["peak_rss_mb"], ".1f").rjust(w[4]),
                 (fmt(r["msgs_per_s"] / 1e6, ".3f") + "M" if r.get("msgs_per_s") else "-").rjust(w[5]),
                 (lb(r["capture"], "tshark") + fmt(r.get("vs_tshark"), ".1f") + "x"
                  if r.get("vs_tshark") else "-").rjust(w[6]),
                 (lb(r["capture"], "sngrep") + fmt(r.get("vs_sngrep"), ".1f") + "x"
                  if r.get("vs_sngrep") else "-").rjust(w[7]),
                 (fmt(r.get("vs_floor"), ".2f") + "x" if r.get("vs_floor") else "-").rjust(w[8])]
        print("  ".join(cells))
    print()

    # ---- targets ----
    checks = []

    def check(name, ok, detail):
        checks.append({"check": name, "result": "SKIP" if ok is None else ("PASS" if ok else "MISS"),
                       "detail": detail})

    def get(tool, cap, key):
        for r in rows:
            if r["tool"] == tool and r["capture"] == cap:
                return r.get(key)
        return None

    caps = list(captures)
    for cap in caps:
        v = get("sipscope", cap, "msgs_per_s")
        check("%s: sipscope >= %.1fM SIP msg/s" % (cap, T_RATE / 1e6), None if v is None else v >= T_RATE,
              "%s msg/s" % fmt(v, ",.0f"))
        for peer, target in (("tshark", T_TSHARK), ("sngrep", T_SNGREP)):
            v = get("sipscope", cap, "vs_" + peer)
            bound = get(peer, cap, "timed_out")
            ok = None if v is None else v >= target
            if bound and not ok:
                ok = None                    # a lower bound below the target says nothing
            check("%s: sipscope >= %.0fx %s" % (cap, target, peer), ok,
                  "%s%sx%s" % (">" if bound else "", fmt(v, ".1f"),
                               " (%s timed out)" % peer if bound else ""))
        v = get("sipscope", cap, "vs_floor")
        check("%s: sipscope within %.0fx of the floor" % (cap, T_FLOOR), None if v is None else v <= T_FLOOR,
              "%sx the floor's time" % fmt(v, ".2f"))
        v = get("sipscope-json", cap, "msgs_per_s")
        check("%s: sipscope --json >= %.0fk SIP msg/s" % (cap, T_JSON_RATE / 1e3),
              None if v is None else v >= T_JSON_RATE, "%s msg/s" % fmt(v, ",.0f"))
        for t in ("sipscope", "sipscope-json"):
            v = get(t, cap, "peak_rss_mb")
            check("%s: %s peak RSS <= %.0f MB" % (cap, t, T_RSS_MB), None if v is None else v <= T_RSS_MB,
                  "%s MB" % fmt(v, ".1f"))
    for t in ("sipscope", "sipscope-json"):
        a, b = get(t, "udp-20k", "peak_rss_mb"), get(t, "udp-200k", "peak_rss_mb")
        ok = None if a is None or b is None else b <= T_RSS_FLAT * a
        check("RSS flat: %s udp-200k <= %.1fx udp-20k" % (t, T_RSS_FLAT), ok,
              "%s MB vs %s MB" % (fmt(b, ".1f"), fmt(a, ".1f")) if ok is not None
              else "needs udp-20k and udp-200k")
    tu = get("sipscope", "udp-20k", "median_wall_s")
    mu = captures.get("udp-20k", {}).get("sip_messages")
    for cap, label in (("tcp-20k", "TCP"), ("udp-frag-20k", "fragmented UDP")):
        tt = get("sipscope", cap, "median_wall_s")
        mt = captures.get(cap, {}).get("sip_messages")
        name = "%s per message within %.0fx of UDP" % (label, T_TCP)
        if tu and tt and mu and mt:
            pu, pt = tu / mu, tt / mt
            check(name, pt <= T_TCP * pu,
                  "%.1f ns vs %.1f ns per message (%.2fx)" % (pt * 1e9, pu * 1e9, pt / pu))
        else:
            check(name, None, "needs udp-20k and " + cap)

    print("targets:")
    for c in checks:
        print("  %-4s  %-50s %s" % (c["result"], c["check"], c["detail"]))

    # ---- JSON ----
    doc = {
        "format": "sipscope-bench/1",
        "date": started.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": mach,
        "runs": RUNS,
        "peer_runs": PEER_RUNS,
        "tools": {t: {"argv": b("CAPTURE"), "version": v} for t, (b, v) in tools.items()},
        "captures": captures,
        "rows": rows,
        "checks": checks,
    }
    os.makedirs(OUT, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    path = os.path.join(OUT, "bench-%s.json" % stamp)
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    shutil.copyfile(path, os.path.join(OUT, "latest.json"))
    print()
    rel = os.path.relpath(path, os.getcwd())
    print("written: %s (and latest.json)" % (path if rel.startswith("..") else rel))
    shutil.rmtree(tmpdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
