#!/usr/bin/env python3
"""Writes the IP fragment seeds of fuzz_decode (tests/fuzz/seeds/fuzz_decode/frag-*).

fuzz_decode cuts its input into frames: [1 byte link selector][2 bytes
length, big-endian][frame]; selector 0 is Ethernet with no time step. The
seeds are a SIP INVITE with SDP (a 1,200-byte UDP datagram) in 512-byte
IPv4 fragments in several orders, and an IP-in-IP tunnel whose inner
datagram is fragmented and one of whose inner fragments travels inside an
outer datagram that is itself fragmented, so that the fuzzer starts from
every way reassembly hands a datagram on (from the datagram's own store,
from the rebuild buffer, nested).

Usage: tests/fuzz/gen_decode_frag_seeds.py tests/fuzz/seeds/fuzz_decode
"""
import os
import struct
import sys


def checksum(header):
    s = sum(struct.unpack('!%dH' % (len(header) // 2), header))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def ip4(proto, payload, ident, flags_offset, src=b'\x0a\x00\x00\x01', dst=b'\x0a\x00\x00\x02'):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, flags_offset, 64, proto, 0,
                    src, dst)
    return h[:10] + struct.pack('!H', checksum(h)) + h[12:] + payload


def ether(packet):
    return b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00' + packet


def udp(data, sport=5060, dport=5060):
    return struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data


SIP = (b"INVITE sip:bob@example.com SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
       b"Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\n"
       b"From: <sip:alice@example.com>;tag=1928301774\r\n"
       b"Call-ID: a84b4c76e66710@pc33\r\nCSeq: 314159 INVITE\r\n"
       b"Contact: <sip:alice@10.0.0.1>\r\nContent-Type: application/sdp\r\n"
       b"Content-Length: 900\r\n\r\n") + b"v=0\r\n" + b"a=x\r\n" * 179


def fragments(l4, ident, order, chunk=512, proto=17):
    frames = []
    for i in order:
        off = i * chunk
        part = l4[off:off + chunk]
        more = off + len(part) < len(l4)
        frames.append(ether(ip4(proto, part, ident, (0x2000 if more else 0) | off // 8)))
    return frames


def records(frames):
    return b''.join(b'\x00' + struct.pack('!H', len(f)) + f for f in frames)


def main(outdir):
    l4 = udp(SIP)
    n = (len(l4) + 511) // 512
    seeds = {
        'frag-in-order': fragments(l4, 1, range(n)),
        'frag-reversed': fragments(l4, 2, reversed(range(n))),
        'frag-last-two-swapped': fragments(l4, 3, list(range(n - 2)) + [n - 1, n - 2]),
    }
    half = 48  # the inner fragment boundary (a multiple of 8)
    # inner [0,48) plain; inner [48,end) inside an outer datagram cut at 24
    nested = ip4(17, l4[half:], 400, half // 8)
    seeds['frag-inside-fragmented-tunnel'] = [
        ether(ip4(4, ip4(17, l4[:half], 400, 0x2000), 9, 0)),
        ether(ip4(4, nested[:24], 500, 0x2000)),
        ether(ip4(4, nested[24:], 500, 24 // 8)),
    ]
    # reversed: inner [48,end) plain first; the outer's second fragment first
    nested = ip4(17, l4[:half], 401, 0x2000)
    seeds['frag-inside-fragmented-tunnel-reversed'] = [
        ether(ip4(4, ip4(17, l4[half:], 401, half // 8), 9, 0)),
        ether(ip4(4, nested[24:], 501, 24 // 8)),
        ether(ip4(4, nested[:24], 501, 0x2000)),
    ]
    os.makedirs(outdir, exist_ok=True)
    for name, frames in seeds.items():
        with open(os.path.join(outdir, name), 'wb') as f:
            f.write(records(frames))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'tests/fuzz/seeds/fuzz_decode')
