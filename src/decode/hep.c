/* hep.c - HEP (Homer Encapsulation Protocol) v2 and v3.
 *
 * Capture agents (Kamailio's siptrace, heplify, sngrep, captagent) mirror
 * each SIP message inside a HEP packet that carries the message's own
 * addresses, ports and capture time. We hand on the inner SIP with those,
 * so a HEP feed analyses as if captured at the agent. HEPv3 payloads may
 * be zlib-compressed (chunk type 0x0010). */
#include <string.h>
#include <zlib.h>

#include "decode_int.h"
#include "sipscope/hep.h"

enum {
    _H_FAMILY = 1,
    _H_PROTO = 2,
    _H_SRC4 = 3,
    _H_DST4 = 4,
    _H_SRC6 = 5,
    _H_DST6 = 6,
    _H_SPORT = 7,
    _H_DPORT = 8,
    _H_TS_SEC = 9,
    _H_TS_USEC = 10,
    _H_PROTO_TYPE = 11, /* 1 = SIP */
    _H_PAYLOAD = 15,
    _H_PAYLOAD_Z = 16,
};

/* A SIP message is at most 64 KiB on UDP; larger inflated payloads are cut
 * there and counted as bad. */
static uint8_t _inflated[65536];

static int _v3(const uint8_t *p, size_t len, hep_packet *h)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint16_t total;
    if (ss_skip(&c, 4) || ss_get_be16(&c, &total) || total < 6 || total > len)
        return -1;
    c.end = p + total;
    uint32_t sec = 0, usec = 0;
    while (ss_cursor_left(&c) >= 6) {
        uint16_t vendor, type, clen;
        ss_slice v;
        if (ss_get_be16(&c, &vendor) || ss_get_be16(&c, &type) || ss_get_be16(&c, &clen) ||
            clen < 6 || ss_get_slice(&c, (size_t)clen - 6, &v))
            return -1;
        if (vendor != 0)
            continue; /* vendor-specific chunks are not ours to read */
        ss_cursor vc = ss_cursor_make(v.p, v.len);
        switch (type) {
        case _H_FAMILY: break;
        case _H_PROTO: ss_get_u8(&vc, &h->ip_proto); break;
        case _H_SRC4: if (v.len == 4) { h->src.family = 4; memcpy(h->src.ip, v.p, 4); } break;
        case _H_DST4: if (v.len == 4) { h->dst.family = 4; memcpy(h->dst.ip, v.p, 4); } break;
        case _H_SRC6: if (v.len == 16) { h->src.family = 6; memcpy(h->src.ip, v.p, 16); } break;
        case _H_DST6: if (v.len == 16) { h->dst.family = 6; memcpy(h->dst.ip, v.p, 16); } break;
        case _H_SPORT: ss_get_be16(&vc, &h->src.port); break;
        case _H_DPORT: ss_get_be16(&vc, &h->dst.port); break;
        case _H_TS_SEC: ss_get_be32(&vc, &sec); break;
        case _H_TS_USEC: ss_get_be32(&vc, &usec); break;
        case _H_PROTO_TYPE: ss_get_u8(&vc, &h->proto_type); break;
        case _H_PAYLOAD: h->payload = v; h->compressed = 0; break;
        case _H_PAYLOAD_Z: h->payload = v; h->compressed = 1; break;
        default: break;
        }
    }
    if (sec)
        h->ts_us = (int64_t)sec * 1000000 + (usec < 1000000 ? usec : 0);
    return h->payload.p ? 0 : -1;
}

static int _v2(const uint8_t *p, size_t len, hep_packet *h)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint8_t ver, hlen, family, proto;
    if (ss_get_u8(&c, &ver) || ss_get_u8(&c, &hlen) || ss_get_u8(&c, &family) ||
        ss_get_u8(&c, &proto) || ss_get_be16(&c, &h->src.port) || ss_get_be16(&c, &h->dst.port))
        return -1;
    size_t alen = family == 2 ? 4 : family == 10 ? 16 : 0;
    if ((ver != 1 && ver != 2) || alen == 0)
        return -1;
    h->src.family = h->dst.family = alen == 4 ? 4 : 6;
    if (ss_get_bytes(&c, h->src.ip, alen) || ss_get_bytes(&c, h->dst.ip, alen))
        return -1;
    h->ip_proto = proto;
    if (ver == 2) { /* time header, written in the agent's (little-endian) order */
        uint32_t sec, usec;
        if (ss_get_le32(&c, &sec) || ss_get_le32(&c, &usec) || ss_skip(&c, 4))
            return -1;
        if (sec)
            h->ts_us = (int64_t)sec * 1000000 + (usec < 1000000 ? usec : 0);
    }
    h->payload = ss_slice_make(c.p, ss_cursor_left(&c));
    h->proto_type = 1;
    return h->payload.len ? 0 : -1;
}

int hep_parse(const uint8_t *p, size_t len, hep_packet *h)
{
    memset(h, 0, sizeof *h);
    int r;
    if (len >= 4 && memcmp(p, "HEP3", 4) == 0) {
        h->version = 3;
        r = _v3(p, len, h);
    } else if (len >= 2 && (p[0] == 1 || p[0] == 2) && p[1] >= 16 && p[1] <= len) {
        h->version = p[0];
        r = _v2(p, len, h);
    } else {
        return -1;
    }
    return r == 0 ? 0 : -2;
}

int dec_hep(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    hep_packet h;
    int r = hep_parse(p, len, &h);
    if (r == -1)
        return -1; /* not HEP: let the caller treat it as a plain payload */
    if (r != 0 || (h.proto_type != 0 && h.proto_type != 1)) {
        d->c[DEC_C_BAD_HEP]++;
        return 0;
    }
    ss_slice body = h.payload;
    if (h.compressed) {
        uLongf out = sizeof _inflated;
        if (uncompress(_inflated, &out, h.payload.p, h.payload.len) != Z_OK) {
            d->c[DEC_C_BAD_HEP]++;
            return 0;
        }
        body = ss_slice_make(_inflated, out);
    }
    d->c[DEC_C_HEP]++;
    dec_frame inner = *pk->frame;
    if (h.ts_us)
        inner.ts_us = h.ts_us;
    dec_pkt ipk = *pk;
    ipk.frame = &inner;
    ipk.src = h.src;
    ipk.dst = h.dst;
    ipk.flags |= DEC_PL_HEP;
    dec_transport tp = h.ip_proto == 6 ? DEC_TP_TCP : h.ip_proto == 132 ? DEC_TP_SCTP : DEC_TP_UDP;
    dec_emit(d, &ipk, h.src.port, h.dst.port, tp, body.p, body.len, 0);
    return 0;
}
