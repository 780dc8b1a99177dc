"""pcapgen - writes small pcap files frame by frame, for the hand-made edge
captures of the test suite (broken input, floods, TCP/IP reassembly edges).

Only what the tests need: Ethernet/IPv4/IPv6, UDP, TCP segments with chosen
sequence numbers, IPv4 fragments. Checksums are filled in (tshark checks
none by default, but real stacks would)."""
import struct

LINKTYPE_ETHERNET = 1

def _csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s >> 16) + (s & 0xffff)
    return ~s & 0xffff

def ip4(s):
    return bytes(int(x) for x in s.split('.'))

class Writer:
    """pcap writer; frames get increasing timestamps unless given one."""
    def __init__(self, f, linktype=LINKTYPE_ETHERNET, snaplen=262144, t0=1700000000.0):
        self.f = f
        self.t = t0
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype))

    def frame(self, data, ts=None, wirelen=None, caplen=None):
        if ts is None:
            self.t += 0.001
            ts = self.t
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        if usec >= 1000000:
            sec, usec = sec + 1, usec - 1000000
        cap = len(data) if caplen is None else caplen
        self.f.write(struct.pack('<IIII', sec, usec, cap, len(data) if wirelen is None else wirelen))
        self.f.write(data[:cap])

def ether(payload, ethertype=0x0800):
    return b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + struct.pack('!H', ethertype) + payload

def ipv4(payload, proto, src='10.0.0.1', dst='10.0.0.2', ident=1, frag_off=0, more=False, total=None):
    flags = (0x2000 if more else 0) | (frag_off // 8)
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total if total is not None else 20 + len(payload),
                      ident, flags, 64, proto, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack('!H', _csum(hdr)) + hdr[12:]
    return hdr + payload

def udp(payload, sport=5060, dport=5060):
    return struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload

def tcp(payload, sport, dport, seq, ack=0, flags=0x18):
    """flags: 0x02 SYN, 0x10 ACK, 0x18 PSH|ACK, 0x01 FIN, 0x04 RST"""
    return struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack, 5 << 4, flags, 65535, 0, 0) + payload

def udp_frame(payload, src='10.0.0.1', dst='10.0.0.2', sport=5060, dport=5060, ident=1):
    return ether(ipv4(udp(payload, sport, dport), 17, src, dst, ident))

def tcp_frame(payload, seq, src='10.0.0.1', dst='10.0.0.2', sport=40000, dport=5060, flags=0x18, ack=0):
    return ether(ipv4(tcp(payload, sport, dport, seq, ack, flags), 6, src, dst))

def ipv4_fragments(l4, proto, size, src='10.0.0.1', dst='10.0.0.2', ident=7):
    """Splits an L4 datagram into IPv4 fragments of `size` bytes (multiple of 8)."""
    out = []
    for off in range(0, len(l4), size):
        chunk = l4[off:off + size]
        out.append(ether(ipv4(chunk, proto, src, dst, ident, off, off + size < len(l4))))
    return out

def sip_request(method='INVITE', call_id='c1@test', cseq=1, branch='z9hG4bK-1', body=b'',
                extra=b'', ruri=b'sip:bob@10.0.0.2', from_tag=b'ft1', to_tag=b'', via_host=b'10.0.0.1:5060'):
    if isinstance(call_id, str):
        call_id = call_id.encode()
    to = b'<sip:bob@10.0.0.2>' + ((b';tag=' + to_tag) if to_tag else b'')
    hdr = (method.encode() + b' ' + ruri + b' SIP/2.0\r\n'
           b'Via: SIP/2.0/UDP ' + via_host + b';branch=' + branch.encode() + b'\r\n'
           b'Max-Forwards: 70\r\n'
           b'From: <sip:alice@10.0.0.1>;tag=' + from_tag + b'\r\n'
           b'To: ' + to + b'\r\n'
           b'Call-ID: ' + call_id + b'\r\n'
           b'CSeq: ' + str(cseq).encode() + b' ' + method.encode() + b'\r\n' + extra +
           b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n')
    return hdr + body

def sip_response(code=200, reason=b'OK', method='INVITE', call_id='c1@test', cseq=1, branch='z9hG4bK-1',
                 to_tag=b'tt1', extra=b'', body=b''):
    if isinstance(call_id, str):
        call_id = call_id.encode()
    return (b'SIP/2.0 ' + str(code).encode() + b' ' + reason + b'\r\n'
            b'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=' + branch.encode() + b'\r\n'
            b'From: <sip:alice@10.0.0.1>;tag=ft1\r\n'
            b'To: <sip:bob@10.0.0.2>;tag=' + to_tag + b'\r\n'
            b'Call-ID: ' + call_id + b'\r\n'
            b'CSeq: ' + str(cseq).encode() + b' ' + method.encode() + b'\r\n' + extra +
            b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body)
