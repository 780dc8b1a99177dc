#!/usr/bin/env python3
"""Hostile and broken input (issue 3): every case is a capture made here,
run through sipscope; the run must not crash, must exit 0 (2 only where the
file itself cannot be opened), must write a valid JSON report, and must
count what it could not read under a named reason.

usage: run.py SIPSCOPE [--quick] [--flood]
  --quick  fewer truncation offsets (for sanitizer builds)
  --flood  also the resource-bound floods (1,000,000 Call-IDs, 100,000 TCP
           streams) with a peak-RSS check"""
import json, os, struct, subprocess, sys, random, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
import pcapgen as pg

SIPSCOPE = os.path.abspath(sys.argv[1])
QUICK = '--quick' in sys.argv
FLOOD = '--flood' in sys.argv
WORK = tempfile.mkdtemp(prefix='sipscope-hostile-')
results = []

def run(cap, extra=(), stdin=None, timeout=600):
    out = os.path.join(WORK, 'r.json')
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([SIPSCOPE, '-r', cap, '--json', out, '-q'] + list(extra),
                       input=stdin, capture_output=True, timeout=timeout)
    rep = None
    if os.path.exists(out):
        raw = open(out, 'rb').read()
        raw.decode('utf-8')              # strict: the report must be valid UTF-8
        rep = json.loads(raw) if raw else None
    return p, rep

def check(name, cond, detail=''):
    results.append((name, bool(cond), detail))
    print(('PASS ' if cond else 'FAIL ') + name + ('' if cond else ': ' + detail))

def write(name, frames, linktype=pg.LINKTYPE_ETHERNET):
    path = os.path.join(WORK, name)
    with open(path, 'wb') as f:
        w = pg.Writer(f, linktype)
        for fr in frames:
            if isinstance(fr, tuple):
                w.frame(fr[0], wirelen=fr[1])
            else:
                w.frame(fr)
    return path

def crashed(p):
    return p.returncode < 0 or p.returncode >= 128 or b'Sanitizer' in p.stderr or b'runtime error' in p.stderr

def call_frames(cid='call-1@test'):
    inv = pg.sip_request('INVITE', cid)
    return [pg.udp_frame(inv),
            pg.udp_frame(pg.sip_response(100, b'Trying', call_id=cid, to_tag=b''), src='10.0.0.2', dst='10.0.0.1'),
            pg.udp_frame(pg.sip_response(180, b'Ringing', call_id=cid), src='10.0.0.2', dst='10.0.0.1'),
            pg.udp_frame(pg.sip_response(200, b'OK', call_id=cid), src='10.0.0.2', dst='10.0.0.1'),
            pg.udp_frame(pg.sip_request('ACK', cid, branch='z9hG4bK-2', to_tag=b'tt1')),
            pg.udp_frame(pg.sip_request('BYE', cid, cseq=2, branch='z9hG4bK-3', to_tag=b'tt1')),
            pg.udp_frame(pg.sip_response(200, b'OK', method='BYE', cseq=2, branch='z9hG4bK-3', call_id=cid),
                         src='10.0.0.2', dst='10.0.0.1')]

# ---- 1. a capture cut at every offset ----
good = write('good.pcap', call_frames())
data = open(good, 'rb').read()
p, rep = run(good)
check('baseline call parses', p.returncode == 0 and rep and rep['summary']['sip_messages'] == 7,
      'rc=%d %s' % (p.returncode, rep and rep['summary']))
step = 7 if QUICK else 1
bad = []
for off in range(0, len(data), step):
    cut = os.path.join(WORK, 'cut.pcap')
    open(cut, 'wb').write(data[:off])
    p, rep = run(cut)
    if crashed(p):
        bad.append('%d: crash rc=%d' % (off, p.returncode))
    elif off < 24:
        if p.returncode != 2 or not p.stderr.strip():
            bad.append('%d: want exit 2 with a message, got %d' % (off, p.returncode))
    elif p.returncode != 0 or rep is None:
        bad.append('%d: rc=%d' % (off, p.returncode))
    else:
        # a cut inside a record must be reported on the input, not hidden
        ends_clean = False
        pos = 24
        while pos < off:
            caplen = struct.unpack_from('<I', data, pos + 8)[0] if pos + 16 <= len(data) else 0
            pos += 16 + caplen
            if pos == off:
                ends_clean = True
        has_err = 'error' in rep['summary']['inputs'][0]
        if has_err == ends_clean and off != 24:
            bad.append('%d: input error=%s but cut %s a record boundary' % (off, has_err, 'at' if ends_clean else 'inside'))
check('truncated at every offset (%d cuts)' % len(range(0, len(data), step)), not bad, '; '.join(bad[:5]))

# ---- 2. snaplen-cut packets ----
fr = call_frames()
cut = write('snaplen.pcap', [(f[:60], len(f)) for f in fr[:3]] + fr[3:])
p, rep = run(cut)
check('snaplen-cut packets counted as truncated',
      p.returncode == 0 and rep['anomalies']['decode']['truncated'] == 3 and rep['summary']['sip_messages'] == 4,
      'rc=%d decode=%s' % (p.returncode, rep and rep['anomalies']['decode']))

# ---- 3. corrupt record length ----
d = bytearray(data)
struct.pack_into('<I', d, 24 + 16 + len(call_frames()[0]) + 8, 0x7ffffff0)   # 2nd record's caplen
path = os.path.join(WORK, 'badlen.pcap'); open(path, 'wb').write(d)
p, rep = run(path)
check('corrupt record length: first frame kept, input error reported',
      p.returncode == 0 and rep['summary']['sip_messages'] == 1 and 'error' in rep['summary']['inputs'][0],
      'rc=%d %s' % (p.returncode, rep and rep['summary']))

# ---- 4. wrong link type ----
path = write('wronglink.pcap', call_frames(), linktype=147)    # LINKTYPE_USER0
p, rep = run(path)
check('unknown link type counted, nothing misread',
      p.returncode == 0 and rep['anomalies']['decode']['unsupported_link'] == 7 and rep['summary']['sip_messages'] == 0,
      'rc=%d %s' % (p.returncode, rep and rep['anomalies']['decode']))
# Ethernet frames declared as raw IP: decode must reject, not misparse
path = write('liar.pcap', call_frames(), linktype=101)
p, rep = run(path)
check('frames under the wrong link type do not crash',
      p.returncode == 0 and rep is not None and rep['summary']['sip_messages'] == 0,
      'rc=%d' % p.returncode)

# ---- 5. pcapng with unknown blocks ----
def pcapng(frames):
    def block(btype, body):
        body += b'\0' * ((4 - len(body) % 4) % 4)
        ln = 12 + len(body)
        return struct.pack('<II', btype, ln) + body + struct.pack('<I', ln)
    out = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack('<HHI', 1, 0, 262144))
    out += block(0x00000BAD, b'what is this block')            # unknown block type
    out += block(0x80000001, b'custom, not copyable')           # reserved-for-local-use block
    t = 1700000000 * 1000000
    for i, f in enumerate(frames):
        t += 1000
        out += block(6, struct.pack('<IIIII', 0, t >> 32, t & 0xffffffff, len(f), len(f)) + f)
        if i == 2:
            out += block(0x00000BAD, b'\xff' * 9)
    return out
path = os.path.join(WORK, 'unknown-blocks.pcapng'); open(path, 'wb').write(pcapng(call_frames()))
p, rep = run(path)
check('pcapng with unknown blocks: every message read',
      p.returncode == 0 and rep['summary']['sip_messages'] == 7, 'rc=%d %s' % (p.returncode, rep and rep['summary']))

# ---- 6. garbage on port 5060 ----
rnd = random.Random(4475)
junk = [pg.udp_frame(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 1400)))) for _ in range(50)]
junk += [pg.udp_frame(b'\0\0\0\0'), pg.udp_frame(b'hello'), pg.udp_frame(b'\r\n\r\n')]
path = write('garbage.pcap', junk + call_frames())
p, rep = run(path)
a = rep and rep['anomalies']
check('garbage on 5060 counted by reason, the call still parsed',
      p.returncode == 0 and rep['summary']['sip_messages'] == 7 and
      a['not_sip_on_sip_port'] + sum(a['malformed'].values()) >= 50,
      'rc=%d %s' % (p.returncode, a))

# ---- 7. Content-Length larger / smaller than the body ----
big = pg.sip_request('MESSAGE', 'cl-1@test', body=b'hello').replace(b'Content-Length: 5', b'Content-Length: 500')
small = pg.sip_request('MESSAGE', 'cl-2@test', branch='z9hG4bK-9', body=b'hello world').replace(b'Content-Length: 11', b'Content-Length: 2')
path = write('clen.pcap', [pg.udp_frame(big), pg.udp_frame(small)])
p, rep = run(path)
dfc = rep and rep['anomalies']['defects']
check('Content-Length larger/smaller than the body: both counted with the defect',
      p.returncode == 0 and rep['summary']['sip_messages'] == 2 and dfc['body_truncated'] == 1 and dfc['body_extra'] == 1,
      'rc=%d %s' % (p.returncode, dfc))

# ---- 8. 10,000 headers; 9. a 60 KiB header line; 10. NUL bytes ----
many = pg.sip_request('OPTIONS', 'many@test', extra=b'a:b\r\n' * 10000)   # 50 KB: fits one datagram
longl = pg.sip_request('OPTIONS', 'long@test', branch='z9hG4bK-l', extra=b'X-Long: ' + b'a' * 60000 + b'\r\n')
nul = pg.sip_request('OPTIONS', 'nul@test', branch='z9hG4bK-n', extra=b'X-Nul: a\0b\r\nSubject: \0\0\0\r\n')
path = write('sizes.pcap', [pg.udp_frame(many), pg.udp_frame(longl), pg.udp_frame(nul)])
p, rep = run(path)
check('10,000 headers, 60 KiB line, NUL bytes: all three parsed, header cap flagged',
      p.returncode == 0 and rep['summary']['sip_messages'] == 3 and rep['anomalies']['defects']['too_many_headers'] == 1,
      'rc=%d %s' % (p.returncode, rep and (rep['summary'], rep['anomalies']['defects'])))

# a 64 KiB header line can only come over a stream: TCP, in 1400-byte segments
big = pg.sip_request('OPTIONS', 'tcp-long@test', branch='z9hG4bK-t', extra=b'X-Long: ' + b'b' * 65536 + b'\r\n')
segs = [pg.tcp_frame(big[i:i + 1400], seq=1000 + i) for i in range(0, len(big), 1400)]
path = write('tcp-long.pcap', segs)
p, rep = run(path)
check('64 KiB header line over %d TCP segments: one message' % len(segs),
      p.returncode == 0 and rep['summary']['sip_messages'] == 1, 'rc=%d %s' % (p.returncode, rep and rep['summary']))

# ---- 11. non-UTF-8 and terminal escapes in every field ----
evil = b'\xff\xfe\x1b[2J\x1b]0;pwned\x07\xc3\x28\xe2\x82'
req = (b'INVITE sip:' + evil + b'@10.0.0.2 SIP/2.0\r\n'
       b'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-evil\r\n'
       b'From: "' + evil + b'" <sip:' + evil + b'@10.0.0.1>;tag=' + evil + b'\r\n'
       b'To: <sip:bob@10.0.0.2>\r\nCall-ID: ' + evil + b'\r\nCSeq: 1 INVITE\r\n'
       b'User-Agent: ' + evil + b'\r\nContent-Length: 0\r\n\r\n')
resp = (b'SIP/2.0 486 ' + evil + b'\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-evil\r\n'
        b'From: "x" <sip:a@10.0.0.1>;tag=' + evil + b'\r\nTo: <sip:bob@10.0.0.2>;tag=t\r\nCall-ID: ' + evil +
        b'\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n')
path = write('evil.pcap', [pg.udp_frame(req), pg.udp_frame(resp, src='10.0.0.2', dst='10.0.0.1')])
p, rep = run(path)        # run() already decoded the JSON as strict UTF-8
check('non-UTF-8 in every field: JSON report valid UTF-8', p.returncode == 0 and rep and rep['summary']['sip_messages'] == 2,
      'rc=%d' % p.returncode)
for mode in (['--ascii', '--color=never'], ['--color=always']):
    q = subprocess.run([SIPSCOPE, '-r', path, '--ladder'] + mode, capture_output=True, timeout=60)
    out = q.stdout
    if '--color=always' in mode:
        import re
        out = re.sub(rb'\x1b\[[0-9;]*m', b'', out)     # our own colour codes are fine
    ctl = [c for c in out if (c < 0x20 and c not in (9, 10)) or c == 0x7f]
    check('ladder %s: no control bytes from the wire reach the terminal' % ' '.join(mode),
          q.returncode == 0 and not ctl and b'INVITE' in q.stdout, 'rc=%d ctl=%r' % (q.returncode, ctl[:5]))
q = subprocess.run([SIPSCOPE, '-r', path], capture_output=True, timeout=60)
check('statistics with hostile input: no control bytes',
      q.returncode == 0 and not [c for c in q.stdout if c < 0x20 and c not in (9, 10)], 'rc=%d' % q.returncode)

# ---- 12. input that cannot be opened: one line, exit 2 ----
for label, args in (('missing file', ['-r', os.path.join(WORK, 'nope.pcap')]),
                    ('not a capture', ['-r', __file__]),
                    ('bad filter', ['-r', good, 'port', 'banana'])):
    q = subprocess.run([SIPSCOPE] + args, capture_output=True, timeout=60)
    lines = q.stderr.decode(errors='replace').strip().splitlines()
    check('%s: one clear line on stderr, exit 2' % label, q.returncode == 2 and len(lines) == 1 and 'sipscope:' in lines[0],
          'rc=%d stderr=%r' % (q.returncode, lines))

# ---- 13. floods: memory bounded by live dialogs, not by the capture ----
def peak_rss_kb(args, stdin_path):
    tf = os.path.join(WORK, 'time.txt')
    with open(stdin_path, 'rb') as fin:
        q = subprocess.run(['/usr/bin/time', '-f', '%M', '-o', tf, SIPSCOPE] + args, stdin=fin,
                           capture_output=True, timeout=900)
    return q, int(open(tf).read().strip().splitlines()[-1])

if FLOOD:
    n = 1000000
    path = os.path.join(WORK, 'flood-callids.pcap')
    with open(path, 'wb') as f:
        w = pg.Writer(f)
        t = 1700000000.0
        tmpl = pg.udp_frame(pg.sip_request('INVITE', 'flood-%07d@test' % 0, branch='z9hG4bK-%07d' % 0))
        a = tmpl.index(b'flood-0000000'); b = tmpl.index(b'z9hG4bK-0000000') + 8
        buf = bytearray(tmpl)
        for i in range(n):
            s = b'%07d' % i
            buf[a + 6:a + 13] = s
            buf[b:b + 7] = s
            t += 0.00001
            w.frame(bytes(buf), ts=t)
    q, rss = peak_rss_kb(['-r', '-', '--json', os.path.join(WORK, 'flood.json'), '-q', '--max-dialogs', '50000'], path)
    rep = json.load(open(os.path.join(WORK, 'flood.json')))
    check('1,000,000 distinct Call-IDs: peak RSS %d MB under 256 MB, evictions counted' % (rss // 1024),
          q.returncode == 0 and rss < 256 * 1024 and rep['anomalies']['correlate']['evicted'] >= n - 50000
          and rep['summary']['sip_messages'] == n,
          'rc=%d rss=%d KB %s' % (q.returncode, rss, rep['anomalies']['correlate']))
    ids = rep['summary']['call_ids']
    check('1,000,000 distinct Call-IDs estimated within 2 %% (got %d)' % ids, abs(ids - n) <= n * 0.02, str(ids))
    os.unlink(path)

    n = 100000
    path = os.path.join(WORK, 'flood-tcp.pcap')
    with open(path, 'wb') as f:
        w = pg.Writer(f)
        half = b'INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK-x\r\nX-Pad: ' + b'p' * 200
        for i in range(n):
            src = '10.%d.%d.%d' % (1 + i // 65536, (i // 256) % 256, i % 256)
            w.frame(pg.tcp_frame(half, seq=1000, src=src, sport=10000 + i % 50000))
    q, rss = peak_rss_kb(['-r', '-', '--json', os.path.join(WORK, 'tcp.json'), '-q'], path)
    rep = json.load(open(os.path.join(WORK, 'tcp.json')))
    dec = rep['anomalies']['decode']
    check('100,000 half-open TCP streams: peak RSS %d MB under 256 MB, evictions or caps counted' % (rss // 1024),
          q.returncode == 0 and rss < 256 * 1024 and dec['tcp_streams'] >= 1 and
          (dec['tcp_streams_evicted'] > 0 or dec['tcp_cap'] > 0 or dec['tcp_gap'] > 0),
          'rc=%d rss=%d KB %s' % (q.returncode, rss, dec))
    os.unlink(path)

ok = sum(1 for r in results if r[1])
print('%d passed, %d failed' % (ok, len(results) - ok))
sys.exit(0 if ok == len(results) else 1)
