#!/usr/bin/env python3
"""tshark differential for sipscope (python3 standard library only).

For every capture it compares what sipscope reports with what tshark sees:

  a) counts      tshark -q -z sip,stat (per request method, per status code)
                 vs JSON stats.requests.<METHOD> / stats.responses.<CODE>
  b) call_ids    distinct non-empty sip.Call-ID values vs JSON summary.call_ids
  c) frame:N     per frame, the list of (method-or-status, call_id, cseq, cseq_method)
                 from tshark -T fields vs the lines of sipscope --messages

sipscope is run once per capture: SIPSCOPE -r CAP --json J --messages T -q.
It must exit 0 (a crash, a signal, a timeout or a non-zero exit is a failure).

Disagreements listed in tests/diff/known-differences.tsv are accepted and
printed as "known"; listed entries that no longer differ are reported stale.
tshark output is cached in build/tshark-cache/<sha256 of the capture>.*.

Usage: tshark_diff.py --sipscope PATH [--jobs N] [--verbose] [CAPTURE...]
(run from anywhere; paths are resolved against the repository root)
"""

import argparse
import collections
import concurrent.futures
import fnmatch
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "captures"))
CACHE = os.path.join(ROOT, "build", "tshark-cache")
KNOWN = os.path.join(ROOT, "tests", "diff", "known-differences.tsv")
AGG = "\x1f"                    # tshark -E aggregator: not a character SIP text uses
FIELDS = ["frame.number", "sip.Method", "sip.Status-Code", "sip.Call-ID",
          "sip.CSeq.seq", "sip.CSeq.method", "_ws.col.Info"]
TSHARK_TIMEOUT = 300
SIPSCOPE_TIMEOUT = 120
MAX_DETAILS = 5                 # disagreements shown on a FAIL line


# ---------------------------------------------------------------- tshark side

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_tshark_version = None


def tshark_version():
    global _tshark_version
    if _tshark_version is None:
        out = subprocess.run(["tshark", "--version"], capture_output=True, text=True)
        _tshark_version = out.stdout.splitlines()[0] if out.stdout else "unknown"
    return _tshark_version


def _atomic_write(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(data)
    os.replace(tmp, path)


def _run_tshark(args):
    p = subprocess.run(["tshark"] + args, capture_output=True, timeout=TSHARK_TIMEOUT)
    return (p.returncode, p.stdout.decode("utf-8", "surrogateescape"),
            p.stderr.decode("utf-8", "replace"))


def tshark_outputs(cap):
    """(stat_text, fields_text, meta) for a capture, from the cache when it holds them."""
    os.makedirs(CACHE, exist_ok=True)
    base = os.path.join(CACHE, sha256_file(cap))
    meta_path = base + ".meta.json"
    try:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("tshark") == tshark_version():
            with open(base + ".stat.txt", encoding="utf-8", errors="surrogateescape") as f:
                stat = f.read()
            with open(base + ".fields.tsv", encoding="utf-8", errors="surrogateescape") as f:
                fields = f.read()
            return stat, fields, meta
    except (OSError, ValueError):
        pass
    rc1, stat, err1 = _run_tshark(["-n", "-r", cap, "-q", "-z", "sip,stat"])
    cmd = ["-n", "-r", cap, "-Y", "sip", "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=" + AGG, "-E", "separator=/t", "-E", "quote=n"]
    for fld in FIELDS:
        cmd += ["-e", fld]
    rc2, fields, err2 = _run_tshark(cmd)
    meta = {"tshark": tshark_version(), "capture": os.path.basename(cap),
            "stat_rc": rc1, "fields_rc": rc2, "stderr": (err1 + err2)[-2000:]}
    _atomic_write(base + ".stat.txt", stat)
    _atomic_write(base + ".fields.tsv", fields)
    _atomic_write(meta_path, json.dumps(meta, indent=1) + "\n")
    return stat, fields, meta


def parse_sip_stat(text):
    """-z sip,stat text -> ({method: n}, {code: n}); code is the 3-digit string."""
    req, resp = collections.Counter(), collections.Counter()
    section = None
    for line in text.splitlines():
        if "SIP Status Codes" in line:
            section = "resp"
            continue
        if "List of SIP Request methods" in line:
            section = "req"
            continue
        if line.startswith("*") or line.startswith("="):
            section = None
            continue
        m = re.match(r"^\s*(.*?)\s*:\s*(\d+) Packets\s*$", line)
        if not m or section is None:
            continue
        label, n = m.group(1), int(m.group(2))
        if section == "resp":
            c = re.match(r"^SIP (\d{3})\b", label)
            if c:
                resp[c.group(1)] += n
        else:
            req[label] += n
    return dict(req), dict(resp)


def _split(v):
    return [x for x in v.split(AGG)] if v != "" else []


def _clean_text(s):
    # tshark escapes control characters in -T fields; sipscope turns them into spaces
    s = re.sub(r"\\[tnr]", " ", s)
    s = re.sub(r"[\x00-\x1f\x7f]", " ", s)
    return s.strip()


def _norm_num(s):
    s = s.strip()
    return str(int(s)) if s.isdigit() else s


def parse_fields(text):
    """tshark -T fields output -> {frame: entry}; entry holds the ordered list of
    messages when it can be rebuilt exactly, else the per-field multisets."""
    frames = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        f = line.split("\t")
        f += [""] * (len(FIELDS) - len(f))
        try:
            frame = int(f[0])
        except ValueError:
            continue
        methods, statuses = _split(f[1]), _split(f[2])
        callids = [_clean_text(x) for x in _split(f[3])]
        seqs = [_norm_num(x) for x in _split(f[4])]
        cmeths = _split(f[5])
        info = f[6]
        n = len(methods) + len(statuses)
        # message types in wire order, from the Info column ("Request: ... | Status: ... |")
        kinds = re.findall(r"(?:^|\| )(Request|Status): ", info)
        exact = (len(kinds) == n and len(callids) == n and len(seqs) == n and
                 len(cmeths) == n and kinds.count("Request") == len(methods))
        msgs = None
        if exact:
            msgs, mi, si = [], iter(methods), iter(statuses)
            for k, cid, seq, cm in zip(kinds, callids, seqs, cmeths):
                first = next(mi) if k == "Request" else _norm_num(next(si))
                msgs.append((first, cid, seq, cm))
        frames[frame] = {
            "n": n, "msgs": msgs,
            "firsts": sorted(methods + [_norm_num(s) for s in statuses]),
            "callids": sorted(callids), "seqs": sorted(seqs), "cmeths": sorted(cmeths),
        }
    return frames


# -------------------------------------------------------------- sipscope side

def run_sipscope(sipscope, cap, workdir):
    jpath = os.path.join(workdir, "report.json")
    tpath = os.path.join(workdir, "messages.tsv")
    cmd = [sipscope, "-r", cap, "--json", jpath, "--messages", tpath, "-q"]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=SIPSCOPE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, None, "timed out after %ds: %s" % (SIPSCOPE_TIMEOUT, " ".join(cmd))
    except OSError as e:
        return None, None, "cannot run %s: %s" % (sipscope, e)
    err = p.stderr.decode("utf-8", "replace").strip().splitlines()
    tail = (" [stderr: %s]" % " / ".join(err[-3:])) if err else ""
    if p.returncode < 0:
        return None, None, "sipscope killed by signal %d%s" % (-p.returncode, tail)
    if p.returncode != 0:
        return None, None, "sipscope exited %d%s" % (p.returncode, tail)
    try:
        with open(jpath, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        return None, None, "JSON report unreadable: %s" % e
    try:
        with open(tpath, encoding="utf-8", errors="surrogateescape") as f:
            tsv = f.read()
    except OSError as e:
        return None, None, "--messages output unreadable: %s" % e
    return report, tsv, None


def parse_messages_tsv(text):
    """sipscope --messages -> ({frame: [(first, call_id, cseq, cseq_method)]}, errors)."""
    frames = collections.OrderedDict()
    errors = []
    lines = text.splitlines()
    if not lines or not lines[0].startswith("#"):
        errors.append("messages TSV: first line is not a '#' header")
    for i, line in enumerate(lines):
        if line.startswith("#") or line == "":
            continue
        f = line.split("\t")
        if len(f) != 12:
            errors.append("messages TSV line %d: %d fields, want 12" % (i + 1, len(f)))
            continue
        (frame, _t, _src, _dst, _tp, typ, method, status, cid, cseq, cmeth, _re) = f
        try:
            frame = int(frame)
        except ValueError:
            errors.append("messages TSV line %d: bad frame %r" % (i + 1, frame))
            continue
        first = method if typ == "request" else _norm_num(status)
        frames.setdefault(frame, []).append(
            (first, _clean_text(cid), _norm_num(cseq), cmeth))
    return frames, errors


def _get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


# ------------------------------------------------------------------ compare

def compare(stat, fields, report, tsv):
    """-> list of (check, detail)."""
    out = []
    t_req, t_resp = parse_sip_stat(stat)
    s_req = _get(report, "stats", "requests")
    s_resp = _get(report, "stats", "responses")
    if not isinstance(s_req, dict) or not isinstance(s_resp, dict):
        out.append(("json", "stats.requests / stats.responses missing from the JSON report"))
        s_req, s_resp = s_req if isinstance(s_req, dict) else {}, \
            s_resp if isinstance(s_resp, dict) else {}
    for kind, t, s in (("request", t_req, s_req), ("response", t_resp, s_resp)):
        for key in sorted(set(t) | set(s)):
            tv, sv = t.get(key, 0), s.get(key, 0)
            if tv != sv:
                out.append(("count:%s:%s" % (kind, key),
                            "%s %s: tshark %s, sipscope %s" % (kind, key, tv, sv)))

    tframes = parse_fields(fields)
    t_ids = set()
    for e in tframes.values():
        t_ids.update(c for c in e["callids"] if c)
    s_ids = _get(report, "summary", "call_ids")
    if s_ids != len(t_ids):
        out.append(("call_ids", "distinct Call-IDs: tshark %d, sipscope %s" % (len(t_ids), s_ids)))

    sframes, errors = parse_messages_tsv(tsv)
    for e in errors[:3]:
        out.append(("messages_format", e))
    for frame in sorted(set(tframes) | set(sframes)):
        te = tframes.get(frame, {"n": 0, "msgs": [], "firsts": [], "callids": [],
                                 "seqs": [], "cmeths": []})
        sm = sframes.get(frame, [])
        if te["n"] == 0 and not sm:
            continue            # tshark's "Continuation" frames: no message on either side
        if te["msgs"] is not None:
            if te["msgs"] != sm:
                out.append(("frame:%d" % frame, "frame %d: tshark %s, sipscope %s"
                            % (frame, _fmt(te["msgs"]), _fmt(sm))))
            continue
        # tshark's fields cannot be lined up per message (a header missing or
        # repeated): compare each field as a multiset
        same = (len(sm) == te["n"] and
                sorted(m[0] for m in sm) == te["firsts"] and
                sorted(m[1] for m in sm if m[1]) == sorted(c for c in te["callids"] if c) and
                sorted(m[2] for m in sm if m[2]) == sorted(c for c in te["seqs"] if c) and
                sorted(m[3] for m in sm if m[3]) == sorted(c for c in te["cmeths"] if c))
        if not same:
            out.append(("frame:%d" % frame,
                        "frame %d (fields compared as sets): tshark %d msg(s) %s ids=%s cseq=%s %s, "
                        "sipscope %s" % (frame, te["n"], te["firsts"], te["callids"],
                                         te["seqs"], te["cmeths"], _fmt(sm))))
    return out


def _fmt(msgs):
    return "[" + ", ".join("%s %s %s %s" % m for m in msgs) + "]"


# -------------------------------------------------------- known differences

def load_known(path):
    """-> list of dicts {capture, check, reason, line, used}."""
    known = []
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 3 or not parts[2].strip():
                print("WARNING: %s:%d: want capture<TAB>check<TAB>reason: %r"
                      % (os.path.relpath(path), n, line))
                continue
            known.append({"capture": parts[0].strip(), "check": parts[1].strip(),
                          "reason": parts[2].strip(), "line": n, "used": False})
    return known


def _known_for(known, name, check):
    base = os.path.basename(name)
    for k in known:
        if k["capture"] not in (name, base):
            continue
        if check == "exit":
            if k["check"] == "exit":    # a non-zero exit is only excused by name
                return k
        elif k["check"] == "*" or fnmatch.fnmatchcase(check, k["check"]):
            return k
    return None


# ------------------------------------------------------------------- driver

def list_captures():
    caps = []
    for p in sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap*"))):
        if os.path.isfile(p):
            caps.append((os.path.relpath(p, ROOT), p))
    shared_ok = os.path.isdir(SHARED)
    if shared_ok:
        for sub in ("public", os.path.join("public", "negative")):
            for p in sorted(glob.glob(os.path.join(SHARED, sub, "*"))):
                if os.path.isfile(p):
                    caps.append((os.path.relpath(p, SHARED), p))
    return caps, shared_ok


def check_capture(sipscope, name, path):
    """-> dict(name, status in PASS/FAIL/SKIP, diffs, error, note)."""
    res = {"name": name, "diffs": [], "error": None, "note": None}
    try:
        stat, fields, meta = tshark_outputs(path)
    except subprocess.TimeoutExpired:
        res.update(status="FAIL", error="tshark timed out")
        return res
    tshark_unreadable = meta["fields_rc"] != 0 and not fields.strip() and \
        "Number of SIP messages" not in stat
    with tempfile.TemporaryDirectory(prefix="sipscope-diff-") as wd:
        report, tsv, err = run_sipscope(sipscope, path, wd)
    if tshark_unreadable:
        # nothing to compare with; sipscope only has to survive it
        if err and ("signal" in err or "timed out" in err or "cannot run" in err):
            res.update(status="FAIL", error=err)
        else:
            last = (meta["stderr"].strip().splitlines() or ["?"])[-1]
            res.update(status="SKIP", note="tshark cannot read it: %s" % last)
        return res
    if err:
        res.update(status="FAIL", error=err)
        return res
    res["diffs"] = compare(stat, fields, report, tsv)
    res["status"] = "PASS"
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sipscope", required=True)
    ap.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 2))
    ap.add_argument("--known", default=KNOWN)
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("captures", nargs="*", help="only these (default: all)")
    args = ap.parse_args()

    sipscope = args.sipscope
    if os.sep in sipscope:
        sipscope = os.path.abspath(sipscope)
    else:
        sipscope = shutil.which(sipscope) or sipscope
    if not (os.path.isfile(sipscope) and os.access(sipscope, os.X_OK)):
        print("tshark_diff: sipscope binary %r not found or not executable" % args.sipscope)
        return 2
    if subprocess.run(["sh", "-c", "command -v tshark"], capture_output=True).returncode != 0:
        print("tshark_diff: tshark not found")
        return 2

    caps, shared_ok = list_captures()
    if not shared_ok:
        print("!!! SKIPPED: shared corpus absent (../shared/captures) !!!")
    if args.captures:
        want = [os.path.abspath(c) for c in args.captures]
        caps = [c for c in caps if c[1] in want or c[0] in args.captures or
                os.path.basename(c[1]) in args.captures] + \
               [(os.path.relpath(w, ROOT), w) for w in want
                if w not in [c[1] for c in caps] and os.path.isfile(w)]
    known = load_known(args.known)

    passed = failed = skipped = 0
    compared = set()                # captures whose outputs were compared
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [ex.submit(check_capture, sipscope, name, path) for name, path in caps]
        for fut in futs:
            r = fut.result()
            name = r["name"]
            if r["status"] == "SKIP":
                skipped += 1
                print("SKIP %s: %s" % (name, r["note"]))
                continue
            if r["error"]:
                k = _known_for(known, name, "exit") if "exited" in r["error"] else None
                if k is None:
                    failed += 1
                    print("FAIL %s: %s" % (name, r["error"]))
                    continue
                k["used"] = True
                print("PASS %s (known: %s -- %s)" % (name, r["error"], k["reason"]))
                passed += 1
                continue
            compared.add(name)
            unknown, accepted = [], []
            for check, detail in r["diffs"]:
                k = _known_for(known, name, check)
                if k is None:
                    unknown.append(detail)
                else:
                    k["used"] = True
                    accepted.append((detail, k))
            if unknown:
                failed += 1
                more = len(unknown) - MAX_DETAILS
                print("FAIL %s: %s%s" % (name, "; ".join(unknown[:MAX_DETAILS]),
                                         " (+%d more)" % more if more > 0 else ""))
            else:
                passed += 1
                print("PASS %s%s" % (name, " (%d known difference(s))" % len(accepted)
                                     if accepted else ""))
            shown = accepted if args.verbose else accepted[:MAX_DETAILS]
            said = set()
            for detail, k in shown:
                why = "" if id(k) in said else " -- " + k["reason"]
                said.add(id(k))
                print("  known %s: %s%s" % (name, detail, why))
            if len(shown) < len(accepted):
                print("  known %s: ... %d more (-v lists them)" % (name, len(accepted) - len(shown)))

    ran_base = {os.path.basename(n) for n in compared}
    for k in known:
        if not k["used"] and (k["capture"] in compared or k["capture"] in ran_base):
            print("WARNING: stale known difference (no longer differs): %s:%d %s %s"
                  % (os.path.relpath(args.known, ROOT), k["line"], k["capture"], k["check"]))
    tail = ", %d skipped" % skipped if skipped else ""
    print("%d passed, %d failed%s" % (passed, failed, tail))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
