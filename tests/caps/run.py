#!/usr/bin/env python3
"""Reassembly caps (issue 4): hand-made captures that exceed each cap, run
through the CLI with the cap options, must lose exactly what the cap
drops, count it under its name in the JSON report, and still read every
message the cap leaves alone.

usage: run.py SIPSCOPE      prints PASS/FAIL lines and "N passed, N failed"

  --max-frag-per-datagram  a datagram in more fragments than allowed
  --max-frag-pending       more incomplete datagrams than allowed at once
  --max-tcp-stream-buf     a TCP message larger than the per-direction buffer;
                           segments waiting behind a hole beyond it
  --max-tcp-buf            more buffered bytes over all streams than allowed
  --max-tcp-streams        more half-built connections than allowed; closed
                           connections make room without counting as evicted"""
import json, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))
import pcapgen as pg

SIPSCOPE = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix='sipscope-caps-')
passed = failed = 0

def write(name, frames):
    path = os.path.join(WORK, name + '.pcap')
    with open(path, 'wb') as f:
        w = pg.Writer(f)
        for fr in frames:
            w.frame(fr)
    return path

def run(cap, *opts):
    out = os.path.join(WORK, 'r.json')
    p = subprocess.run([SIPSCOPE, '-r', cap, '-q', '--json', out] + list(opts), capture_output=True)
    if p.returncode != 0:
        raise SystemExit('sipscope %s exited %d: %s' % (' '.join(opts), p.returncode, p.stderr.decode()))
    j = json.load(open(out))
    return j['anomalies']['decode'], j['summary'], sorted(d['call_id'] for d in j['dialogs'])

def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
        print('PASS', name)
    else:
        failed += 1
        print('FAIL %s: got %r, want %r' % (name, got, want))

def keys(dec, *names):
    return {n: dec[n] for n in names}

def msg(cid, body_len=0):
    return pg.sip_request('MESSAGE', cid, body=b'x' * body_len, extra=b'Content-Type: text/plain\r\n')

# ---- fragments per datagram ----
# 'big' leaves in 8 fragments of 256 bytes, 'small' in 3: with a cap of 4,
# fragments 5..8 of 'big' are dropped (4 counted), it never completes and
# times out at the end; 'small' is rebuilt.
big = pg.udp(msg('frag-big', 1700))
small = pg.udp(msg('frag-small', 400))
frames = pg.ipv4_fragments(big, 17, 256, ident=100) + pg.ipv4_fragments(small, 17, 256, ident=101)
assert len(pg.ipv4_fragments(big, 17, 256)) == 8 and len(pg.ipv4_fragments(small, 17, 256)) == 3
cap = write('frag-per-datagram', frames)
dec, summ, ids = run(cap, '--max-frag-per-datagram', '4')
check('--max-frag-per-datagram 4: 4 of 8 fragments dropped, the 3-fragment datagram rebuilt',
      (keys(dec, 'ip_fragments', 'frag_cap', 'ip_reassembled', 'frag_timeout'), ids),
      ({'ip_fragments': 11, 'frag_cap': 4, 'ip_reassembled': 1, 'frag_timeout': 1}, ['frag-small']))
dec, summ, ids = run(cap)
check('default cap (64): both rebuilt',
      (keys(dec, 'frag_cap', 'ip_reassembled'), ids),
      ({'frag_cap': 0, 'ip_reassembled': 2}, ['frag-big', 'frag-small']))

# ---- datagrams pending ----
# first fragments of 5 datagrams, cap 3: the 2 oldest are dropped (1
# fragment each); then the last fragments of 5, 4, 3 complete them; the
# last fragments of 1 and 2 find nothing and time out.
dg = [pg.ipv4_fragments(pg.udp(msg('pend-%d' % i, 400)), 17, 512, ident=200 + i) for i in range(1, 6)]
assert all(len(d) == 2 for d in dg)
frames = [d[0] for d in dg] + [dg[i][1] for i in (4, 3, 2)] + [dg[i][1] for i in (0, 1)]
cap = write('frag-pending', frames)
dec, summ, ids = run(cap, '--max-frag-pending', '3')
check('--max-frag-pending 3: the 2 oldest of 5 datagrams dropped, 3 rebuilt',
      (keys(dec, 'frag_cap', 'ip_reassembled', 'frag_timeout'), ids),
      ({'frag_cap': 2, 'ip_reassembled': 3, 'frag_timeout': 2}, ['pend-3', 'pend-4', 'pend-5']))
dec, summ, ids = run(cap)
check('default pending cap: all 5 rebuilt', (dec['ip_reassembled'], dec['frag_cap']), (5, 0))

# ---- TCP: per-direction buffer ----
# one connection: a small message, a message of ~9 KB in 1000-byte
# segments, another small one. --max-tcp-stream-buf 4096: the big one
# cannot be held; its bytes are counted and the stream re-synchronises on
# the next start line.
a, b, c = msg('tcp-a'), msg('tcp-big', 9000), msg('tcp-c')
seq = 1000
frames = [pg.tcp_frame(b'', seq, flags=0x02)]
seq += 1
for chunk in [a] + [b[i:i + 1000] for i in range(0, len(b), 1000)] + [c]:
    frames.append(pg.tcp_frame(chunk, seq))
    seq += len(chunk)
cap = write('tcp-stream-buf', frames)
dec, summ, ids = run(cap, '--max-tcp-stream-buf', '4096')
check('--max-tcp-stream-buf 4096: the 9 KB message dropped and counted, the others read',
      (dec['tcp_cap'] > 0, dec['tcp_cap'] + dec['tcp_resync_bytes'] >= 4096, ids),
      (True, True, ['tcp-a', 'tcp-c']))
dec, summ, ids = run(cap)
check('default stream buffer: all 3 read', (dec['tcp_cap'], ids), (0, ['tcp-a', 'tcp-big', 'tcp-c']))

# segments waiting behind a hole beyond the cap: the hole is given up
# (a gap), what follows is read.
seq = 5000
first = msg('gap-lost', 500)
after = [msg('gap-%d' % i, 900) for i in range(6)]
frames = [pg.tcp_frame(b'', seq - 1, flags=0x02, sport=40001)]
pos = seq + len(first)            # 'first' is never captured
for m in after:
    frames.append(pg.tcp_frame(m, pos, sport=40001))
    pos += len(m)
cap = write('tcp-ooo-cap', frames)
dec, summ, ids = run(cap, '--max-tcp-stream-buf', '4096')
check('--max-tcp-stream-buf 4096: waiting segments past the cap give up the hole, then are read',
      (dec['tcp_gap'] >= 1, dec['tcp_gap_bytes'] == len(first), ids),
      (True, True, ['gap-%d' % i for i in range(6)]))

# ---- TCP: all streams together ----
# 4 connections interleaved, each first sends 1500 bytes of a 3 KB message
# (each buffer takes 2048 bytes), then the rest, then a small message.
# --max-tcp-buf 8192: the 4 buffers fill it. Stream 0 cannot grow for its
# second half: its message is dropped whole (counted) and its buffer freed,
# which lets stream 1 grow and finish; the same for streams 2 and 3. Every
# stream re-synchronises, so the small messages after are all read.
frames = []
bigs = [msg('tot-%d' % i, 3000) for i in range(4)]
for i, m in enumerate(bigs):
    frames.append(pg.tcp_frame(b'', 100, flags=0x02, sport=41000 + i))
    frames.append(pg.tcp_frame(m[:1500], 101, sport=41000 + i))
for i, m in enumerate(bigs):
    frames.append(pg.tcp_frame(m[1500:], 101 + 1500, sport=41000 + i))
for i, m in enumerate(bigs):
    frames.append(pg.tcp_frame(msg('after-%d' % i), 101 + len(m), sport=41000 + i))
cap = write('tcp-total-buf', frames)
dec, summ, ids = run(cap, '--max-tcp-buf', '8192')
check('--max-tcp-buf 8192: 2 of 4 big messages dropped whole and counted, 2 read, the small '
      'messages after them all read',
      (dec['tcp_cap'], ids),
      (len(bigs[0]) + len(bigs[2]), sorted(['after-%d' % i for i in range(4)] + ['tot-1', 'tot-3'])))
dec, summ, ids = run(cap)
check('default total buffer: all 8 read', (len(ids), dec['tcp_cap']), (8, 0))

# ---- TCP: streams ----
# 10 connections each leave half a message waiting; --max-tcp-streams 4:
# 6 are evicted (counted, and their half messages as cut off), 4 remain
# cut off at the end. Then 10 connections with whole messages and FIN:
# closed directions make room without counting as evicted.
frames = []
for i in range(10):
    m = msg('half-%d' % i)
    frames.append(pg.tcp_frame(b'', 100, flags=0x02, sport=42000 + i))
    frames.append(pg.tcp_frame(m[:60], 101, sport=42000 + i))
cap = write('tcp-streams-half', frames)
dec, summ, ids = run(cap, '--max-tcp-streams', '4')
check('--max-tcp-streams 4: 10 half-built connections, 6 evicted, 10 cut off',
      keys(dec, 'tcp_streams', 'tcp_streams_evicted', 'tcp_incomplete_at_end'),
      {'tcp_streams': 10, 'tcp_streams_evicted': 6, 'tcp_incomplete_at_end': 10})
frames = []
for i in range(10):
    m = msg('whole-%d' % i)
    frames.append(pg.tcp_frame(b'', 100, flags=0x02, sport=43000 + i))
    frames.append(pg.tcp_frame(m, 101, sport=43000 + i, flags=0x19))
cap = write('tcp-streams-closed', frames)
dec, summ, ids = run(cap, '--max-tcp-streams', '4')
check('--max-tcp-streams 4: 10 closed connections, all read, none evicted',
      (keys(dec, 'tcp_streams', 'tcp_streams_evicted'), len(ids)),
      ({'tcp_streams': 10, 'tcp_streams_evicted': 0}, 10))

for bad in (['--max-tcp-streams', '0'], ['--max-frag-per-datagram', '1'], ['--max-tcp-stream-buf', 'x']):
    p = subprocess.run([SIPSCOPE, '-r', cap, '-q'] + bad, capture_output=True)
    check('%s refused (exit 2)' % ' '.join(bad), p.returncode, 2)

shutil.rmtree(WORK)
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
