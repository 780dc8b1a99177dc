#!/usr/bin/env python3
"""The JSON report paths scripts rely on (issue 2, docs/report-schema.md)
exist with the right types on every capture in captures/."""
import glob, json, subprocess, sys, tempfile, os

SIPSCOPE = sys.argv[1]
REQUIRED = {
    'schema': str,
    'summary.packets': int, 'summary.sip_messages': int, 'summary.malformed': int,
    'summary.call_ids': int, 'summary.dialogs': int, 'summary.transactions': int,
    'summary.retransmissions': int, 'stats.requests': dict, 'stats.responses': dict,
    'stats.classes.2xx': int, 'stats.setup_ms.count': int, 'anomalies.decode.truncated': int,
    'dialogs': list, 'encrypted.tls_flows': list, 'encrypted.tls_flows_not_listed': int,
}
DIALOG = {'call_id': str, 'from': str, 'to': str, 'state': str, 'outcome': str,
          'setup_ms': (int, type(None)), 'duration_ms': (int, type(None)), 'messages': list}
MESSAGE = {'time': str, 'src': str, 'dst': str, 'cseq': int, 'retransmission': bool}
TLS_FLOW = {'client': str, 'server': str, 'first': str, 'last': str, 'packets': int, 'bytes': int,
            'handshake_seen': bool, 'sni': (str, type(None))}

def get(j, path):
    for k in path.split('.'):
        j = j[k]
    return j

ok = bad = 0
for cap in sorted(glob.glob('captures/*.pcap')):
    out = tempfile.mktemp(suffix='.json')
    subprocess.run([SIPSCOPE, '-r', cap, '-q', '--json', out], check=True)
    j = json.load(open(out))
    os.unlink(out)
    errs = []
    for p, t in REQUIRED.items():
        try:
            if not isinstance(get(j, p), t):
                errs.append('%s is %s' % (p, type(get(j, p)).__name__))
        except KeyError:
            errs.append('%s missing' % p)
    if j.get('schema') != 'sipscope-report/1':
        errs.append('schema is %r' % j.get('schema'))
    for m, n in j['stats']['requests'].items():
        if not isinstance(n, int):
            errs.append('stats.requests.%s not int' % m)
    if sum(j['stats']['requests'].values()) + sum(j['stats']['responses'].values()) != j['summary']['sip_messages']:
        errs.append('requests + responses != sip_messages')
    for d in j['dialogs']:
        for k, t in DIALOG.items():
            if k not in d or not isinstance(d[k], t):
                errs.append('dialog %s: %s' % (d.get('id'), k))
        for m in d['messages']:
            if not (('method' in m) ^ ('status' in m)):
                errs.append('message without exactly one of method/status')
            for k, t in MESSAGE.items():
                if not isinstance(m.get(k), t):
                    errs.append('message %s' % k)
    for f in j.get('encrypted', {}).get('tls_flows', []):
        for k, t in TLS_FLOW.items():
            if k not in f or not isinstance(f[k], t):
                errs.append('tls flow %s' % k)
    if 'encrypted' in j and len(j['encrypted']['tls_flows']) + j['encrypted']['tls_flows_not_listed'] \
            != j['anomalies']['decode']['tls_flows']:
        errs.append('encrypted.tls_flows + not_listed != anomalies.decode.tls_flows')
    if len(j['dialogs']) != j['summary']['dialogs']:
        errs.append('dialogs[] has %d, summary.dialogs %d' % (len(j['dialogs']), j['summary']['dialogs']))
    if errs:
        bad += 1
        print('FAIL %s: %s' % (cap, '; '.join(sorted(set(errs))[:6])))
    else:
        ok += 1
        print('PASS %s' % cap)
print('%d passed, %d failed' % (ok, bad))
sys.exit(1 if bad else 0)
