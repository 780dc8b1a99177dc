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
    if errs:
        bad += 1
        print('FAIL %s: %s' % (cap, '; '.join(sorted(set(errs))[:6])))
    else:
        ok += 1
        print('PASS %s' % cap)
print('%d passed, %d failed' % (ok, bad))
sys.exit(1 if bad else 0)
