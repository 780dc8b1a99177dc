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
    'registration_summary.attempted': int, 'subscription_summary.notify_only': int,
    'registrations': list, 'subscriptions': list, 'watchers': list, 'subscriptions_by_event': dict,
    'conversation_summary.im_sessions': int, 'conversation_summary.info.typing': int,
    'conversation_summary.transfers.refers': int, 'conversation_summary.microsoft.service_actions': dict,
    'conversation_summary.microsoft.diagnostics': dict,
}
S, N, I = str, type(None), int
REG = {'aor': S, 'auth_scheme': (S, N), 'result': (S, N), 'realm': (S, N), 'contact': (S, N),
       'expires_granted': (I, N), 'attempts': I, 'succeeded': I, 'failed': I, 'failed_by_code': dict,
       'no_response': I, 'challenges': I, 'refreshes': I, 'deregistrations': I, 'timeline': list}
TIMELINE = {'time': S, 'type': S, 'status': (I, N), 'challenges': I, 'expires': (I, N)}
SUB = {'event': (S, N), 'state': (S, N), 'subscriber': S, 'resource': S, 'notifies': I, 'benotifies': I,
       'refreshes': I, 'terminated_reason': (S, N), 'expires': (I, N)}
WATCH = {'subscriber': S, 'resource': S, 'event': (S, N), 'state': (S, N), 'dialogs': I}
D_REG = {'aor': S, 'auth_scheme': (S, N), 'result': (S, N), 'contact': (S, N), 'expires_requested': (I, N),
         'expires_granted': (I, N), 'realm': (S, N), 'deregistration': bool, 'requests': I, 'refreshes': I}
D_SUB = {'event': (S, N), 'state': (S, N), 'state_history': list, 'subscriber': S, 'resource': S,
         'subscribes': I, 'refreshes': I, 'unsubscribes': I, 'fetches': I, 'notifies': I, 'benotifies': I}
SDP = {'message': (I, N), 'role': S, 'method': S, 'status': (I, N), 'cseq': I, 'connection': (S, N),
       'hold_change': (S, N), 'media': list}
MEDIA = {'type': S, 'port': I, 'transport': S, 'codecs': list, 'direction': S, 'address': (S, N), 'on_hold': bool}
NOTE = {'message': (I, N), 'kind': S, 'text': S}

def check(obj, spec, what, errs):
    for k, t in spec.items():
        if not isinstance(obj, dict) or k not in obj or not isinstance(obj[k], t) or \
                (t is I and isinstance(obj[k], bool)):
            errs.append('%s.%s' % (what, k))
DIALOG = {'call_id': str, 'from': str, 'to': str, 'state': str, 'outcome': str,
          'setup_ms': (int, type(None)), 'duration_ms': (int, type(None)), 'messages': list}
MESSAGE = {'time': str, 'src': str, 'dst': str, 'cseq': int, 'retransmission': bool}
TLS_FLOW = {'client': str, 'server': str, 'first': str, 'last': str, 'packets': int, 'bytes': int,
            'handshake_seen': bool, 'sni': (str, type(None))}

def get(j, path):
    for k in path.split('.'):
        j = j[k]
    return j

def validate(j):
    """What is wrong with report j (one from a capture, or a merge of them)."""
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
    # conversation detail (issue 6)
    for d in j['dialogs']:
        if d['kind'] == 'registration':
            check(d.get('registration'), D_REG, 'dialog.registration', errs)
        if d['kind'] == 'subscription':
            check(d.get('subscription'), D_SUB, 'dialog.subscription', errs)
        for s in d.get('sdp', []):
            check(s, SDP, 'dialog.sdp', errs)
            if s.get('role') not in ('offer', 'answer'):
                errs.append('dialog.sdp.role %r' % s.get('role'))
            for m in s.get('media', []):
                check(m, MEDIA, 'dialog.sdp.media', errs)
        for n in d.get('notes', []):
            check(n, NOTE, 'dialog.notes', errs)
            if n.get('message') is not None and n['message'] >= len(d['messages']):
                errs.append('dialog.notes.message out of range')
    for r in j['registrations']:
        check(r, REG, 'registrations', errs)
        if r.get('result') not in ('success', 'failure', 'no_response', None):
            errs.append('registrations.result %r' % r.get('result'))
        for t in r.get('timeline', []):
            check(t, TIMELINE, 'registrations.timeline', errs)
    aors = {d['registration']['aor'] for d in j['dialogs'] if d['kind'] == 'registration'}
    if aors != {r['aor'] for r in j['registrations']}:
        errs.append('registrations[] AORs differ from the registration dialogs')
    for s in j['subscriptions']:
        check(s, SUB, 'subscriptions', errs)
    for w in j['watchers']:
        check(w, WATCH, 'watchers', errs)
    nsub = sum(1 for d in j['dialogs'] if d['kind'] == 'subscription')
    if len(j['subscriptions']) != nsub:
        errs.append('subscriptions[] has %d, %d subscription dialogs' % (len(j['subscriptions']), nsub))
    if sum(e['dialogs'] for e in j['subscriptions_by_event'].values()) != nsub:
        errs.append('subscriptions_by_event dialogs != subscription dialogs')
    cs = j['conversation_summary']
    if cs['pager_messages'] != sum(1 for d in j['dialogs'] if d['kind'] == 'message'):
        errs.append('conversation_summary.pager_messages != message dialogs')
    if cs['microsoft']['services'] != sum(d.get('microsoft', {}).get('services', 0) for d in j['dialogs']):
        errs.append('conversation_summary.microsoft.services != sum over dialogs')
    if cs['transfers']['refers'] != sum(1 for d in j['dialogs'] if 'refer' in d):
        errs.append('conversation_summary.transfers.refers != dialogs with refer')
    if len(j['dialogs']) != j['summary']['dialogs']:
        errs.append('dialogs[] has %d, summary.dialogs %d' % (len(j['dialogs']), j['summary']['dialogs']))
    return errs

def merged_errors(m, parts, no_dialogs=False):
    """What a merge m of the reports parts does not add up to (merge.c's rules)."""
    errs = []
    if m.get('merged_from') is None or len(m['merged_from']) != len(parts):
        errs.append('merged_from')
    def total(path):
        return sum(get(p, path) for p in parts)
    for path in ('summary.packets', 'summary.sip_messages', 'summary.dialogs', 'stats.classes.2xx',
                 'stats.setup_ms.count', 'anomalies.decode.truncated', 'encrypted.tls_flows_not_listed',
                 'registration_summary.attempted', 'subscription_summary.notify_only',
                 'conversation_summary.info.typing', 'conversation_summary.transfers.refers',
                 'metrics.session_attempts', 'metrics.SRD.count', 'metrics.RRD.count'):
        if get(m, path) != total(path):
            errs.append('%s is %r, the inputs sum to %r' % (path, get(m, path), total(path)))
    ev = {}
    for p in parts:
        for e, o in p['subscriptions_by_event'].items():
            ev[e] = ev.get(e, 0) + o['dialogs']
    if {e: o['dialogs'] for e, o in m['subscriptions_by_event'].items()} != ev:
        errs.append('subscriptions_by_event dialogs are not the sum')
    for name in ('registrations', 'subscriptions', 'watchers'):
        want = [dict(e, source={'input': i}) for i, p in enumerate(parts) for e in p[name]]
        if m[name] != want:
            errs.append('%s[] is not the inputs\' concatenated with source' % name)
    want = [dict(f, source={'input': i}) for i, p in enumerate(parts) for f in p['encrypted']['tls_flows']]
    if m['encrypted']['tls_flows'] != want:
        errs.append('encrypted.tls_flows[] is not the inputs\' concatenated')
    # ratios the counts decide: recomputed exactly
    ms = m['metrics']
    fc = ms['failure_causes']
    att = ms['session_attempts']
    answered = att - sum(fc.values())
    eff = att - sum(n for c, n in fc.items() if c.startswith('3'))
    def pct(n, d):
        return None if d == 0 else float('%.2f' % (100.0 * n / d))
    if ms['ASR'] != pct(answered, att) or ms['SER'] != pct(answered, eff):
        errs.append('metrics ASR/SER not recomputed (%r %r)' % (ms['ASR'], ms['SER']))
    bd = m['breakdowns']['by_endpoint']
    for e in bd['top']:
        if e['ASR'] != pct(e['answered'], e['attempted']) or e['failed'] != e['attempted'] - e['answered']:
            errs.append('breakdowns.by_endpoint %s: ASR/failed' % e['key'])
    if no_dialogs:
        if m['dialogs']:
            errs.append('--no-dialogs kept dialogs')
        return errs
    if len(m['dialogs']) != sum(len(p['dialogs']) for p in parts):
        errs.append('dialogs[] is not every input\'s')
    ids = {}
    for n, d in enumerate(m['dialogs'], 1):
        src = d.get('source', {})
        if d['id'] != n or not isinstance(src.get('input'), int):
            errs.append('dialog %d: id %r, source %r' % (n, d['id'], src))
            continue
        ids[(src['input'], src['id'])] = n
    for d in m['dialogs']:
        old = next(x for x in parts[d['source']['input']]['dialogs'] if x['id'] == d['source']['id'])
        want = [ids[(d['source']['input'], r)] for r in old.get('related', [])
                if (d['source']['input'], r) in ids]
        if d.get('related', []) != want:
            errs.append('dialog %d: related %r, want %r' % (d['id'], d.get('related'), want))
    return errs

ok = bad = 0
reports = []
tmp = tempfile.mkdtemp()
for cap in sorted(glob.glob('captures/*.pcap')):
    out = os.path.join(tmp, os.path.basename(cap) + '.json')
    subprocess.run([SIPSCOPE, '-r', cap, '-q', '--json', out], check=True)
    reports.append(out)
    j = json.load(open(out))
    errs = validate(j)
    if errs:
        bad += 1
        print('FAIL %s: %s' % (cap, '; '.join(sorted(set(errs))[:6])))
    else:
        ok += 1
        print('PASS %s' % cap)
# sipscope merge of every report above: still a valid report, and adding up
parts = [json.load(open(r)) for r in reports]
for label, extra in (('merge', []), ('merge --no-dialogs', ['--no-dialogs'])):
    out = os.path.join(tmp, 'merged.json')
    subprocess.run([SIPSCOPE, 'merge'] + reports + extra + ['-o', out], check=True)
    m = json.load(open(out))
    try:
        errs = merged_errors(m, parts, no_dialogs=bool(extra))
        if not extra:
            errs += validate(m)
    except (KeyError, TypeError) as e:
        errs = ['%s missing or of the wrong type' % e]
    if errs:
        bad += 1
        print('FAIL %s of %d reports: %s' % (label, len(reports), '; '.join(sorted(set(errs))[:6])))
    else:
        ok += 1
        print('PASS %s of %d reports' % (label, len(reports)))
for f in glob.glob(os.path.join(tmp, '*')):
    os.unlink(f)
os.rmdir(tmp)
print('%d passed, %d failed' % (ok, bad))
sys.exit(1 if bad else 0)
