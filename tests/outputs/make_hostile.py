#!/usr/bin/env python3
"""make_hostile.py OUT.pcap - a capture whose header text tries to inject
markup and script into every output format: Call-ID, From, User-Agent and
reason phrases carrying <script>, event-handler attributes, quotes, ']]>',
invalid UTF-8, ESC and Mermaid/PlantUML syntax. Any of it running in the
HTML report would change document.title to contain PWNED.

Three records: the hostile call (486), a normal answered call, and a call
rejected 503 with quotes in its Call-ID."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import pcapgen as P  # noqa: E402

EVIL = (b"<script>document.title='PWNED'</script>\"'><img src=x onerror=\"document.title='PWNED'\">"
        b" ]]> \xff\xfe \x1b[31m ;#quot;%%{init}%% @enduml [[http://x]]")
EVIL_CID = b"evil-<script>document.title='PWNED'</script>\"onmouseover=\"document.title='PWNED'"


def _from(msg, disp):
    return msg.replace(b'From: <sip:alice@10.0.0.1>', b'From: "' + disp + b'" <sip:alice@10.0.0.1>')


def main(path):
    with open(path, 'wb') as f:
        w = P.Writer(f)
        a, b = '10.0.0.1', '10.0.0.2'

        def req(m, **kw):
            w.frame(P.udp_frame(m, src=a, dst=b))

        def rsp(m):
            w.frame(P.udp_frame(m, src=b, dst=a))

        # 1: hostile, busy
        inv = _from(P.sip_request('INVITE', call_id=EVIL_CID, branch='z9hG4bK-e1',
                                  extra=b'User-Agent: ' + EVIL + b'\r\n'), EVIL.replace(b'"', b"'"))
        req(inv)
        rsp(P.sip_response(486, b'Busy ' + EVIL, call_id=EVIL_CID, branch='z9hG4bK-e1'))
        req(P.sip_request('ACK', call_id=EVIL_CID, branch='z9hG4bK-e1', to_tag=b'tt1'))

        # 2: normal answered call with SDP
        sdp = b'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'
        req(P.sip_request('INVITE', call_id='ok-call@test', branch='z9hG4bK-o1', body=sdp,
                          extra=b'Content-Type: application/sdp\r\n'))
        rsp(P.sip_response(100, b'Trying', call_id='ok-call@test', branch='z9hG4bK-o1', to_tag=b''))
        rsp(P.sip_response(180, b'Ringing', call_id='ok-call@test', branch='z9hG4bK-o1'))
        rsp(P.sip_response(200, b'OK', call_id='ok-call@test', branch='z9hG4bK-o1'))
        req(P.sip_request('ACK', call_id='ok-call@test', branch='z9hG4bK-o2', to_tag=b'tt1'))
        req(P.sip_request('BYE', call_id='ok-call@test', cseq=2, branch='z9hG4bK-o3', to_tag=b'tt1'))
        rsp(P.sip_response(200, b'OK', method='BYE', call_id='ok-call@test', cseq=2, branch='z9hG4bK-o3'))

        # 3: quotes in the Call-ID, 503
        cid = "q'\"uote@test"
        req(P.sip_request('INVITE', call_id=cid, branch='z9hG4bK-q1'))
        rsp(P.sip_response(503, b'Service "Unavailable"', call_id=cid, branch='z9hG4bK-q1'))
        req(P.sip_request('ACK', call_id=cid, branch='z9hG4bK-q1', to_tag=b'tt1'))


if __name__ == '__main__':
    main(sys.argv[1])
