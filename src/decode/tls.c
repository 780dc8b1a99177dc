/* tls.c - TLS flows: encrypted SIP (sips:, port 5061) is reported, never
 * decoded or guessed at. Each TLS connection gets one entry in a bounded
 * table (client, server, times, packets, bytes, and the server name the
 * client asked for in its ClientHello, RFC 6066 §3); connections past the
 * cap are counted, not listed. Only TLS streams reach this file, so the
 * SIP hot path pays nothing for it. */
#include <stdlib.h>
#include <string.h>

#include "decode_int.h"

/* Handshake bytes of the first record at p (RFC 8446 §5.1): content type
 * 22, version 3.x, length; 0 and an empty slice when p is something else.
 * The record may be cut short by the segment: what is present is given. */
static int _handshake(const uint8_t *p, size_t len, ss_cursor *hs)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint8_t type, major, minor;
    uint16_t rlen;
    if (ss_get_u8(&c, &type) || ss_get_u8(&c, &major) || ss_get_u8(&c, &minor) ||
        ss_get_be16(&c, &rlen) || type != 22 || major != 3)
        return -1;
    size_t n = ss_cursor_left(&c) < rlen ? ss_cursor_left(&c) : rlen;
    *hs = ss_cursor_make(c.p, n);
    return 0;
}

int dec_tls_handshake_type(const uint8_t *p, size_t len)
{
    ss_cursor hs;
    uint8_t t;
    if (_handshake(p, len, &hs) || ss_get_u8(&hs, &t))
        return -1;
    return t;
}

int dec_tls_sni(const uint8_t *p, size_t len, ss_slice *sni)
{
    *sni = ss_slice_make(NULL, 0);
    ss_cursor c;
    uint8_t t, sid_len, comp_len;
    uint16_t cs_len, ext_total;
    uint32_t hlen;
    uint8_t l3[3];
    if (_handshake(p, len, &c) || ss_get_u8(&c, &t) || t != 1 || ss_get_bytes(&c, l3, 3))
        return -1;
    hlen = (uint32_t)l3[0] << 16 | (uint32_t)l3[1] << 8 | l3[2];
    if (hlen < ss_cursor_left(&c))
        c.end = c.p + hlen;
    /* legacy_version, random, session id, cipher suites, compression */
    if (ss_skip(&c, 2 + 32) || ss_get_u8(&c, &sid_len) || ss_skip(&c, sid_len) ||
        ss_get_be16(&c, &cs_len) || ss_skip(&c, cs_len) || ss_get_u8(&c, &comp_len) ||
        ss_skip(&c, comp_len) || ss_get_be16(&c, &ext_total))
        return -1;
    if (ext_total < ss_cursor_left(&c))
        c.end = c.p + ext_total;
    while (ss_cursor_left(&c) >= 4) {
        uint16_t et, el;
        if (ss_get_be16(&c, &et) || ss_get_be16(&c, &el))
            return -1;
        if (et != 0) { /* server_name */
            if (ss_skip(&c, el))
                return -1;
            continue;
        }
        ss_cursor e = c;
        if (ss_skip(&c, el))
            e.end = c.end; /* cut by the segment: read what is there */
        else
            e.end = e.p + el;
        uint16_t list_len, name_len;
        uint8_t name_type;
        if (ss_get_be16(&e, &list_len) || ss_get_u8(&e, &name_type) || name_type != 0 ||
            ss_get_be16(&e, &name_len) || name_len == 0 || ss_get_slice(&e, name_len, sni))
            return -1;
        return 0;
    }
    return -1;
}

static dec_tls_flow *_flow_at(dec_ctx *d, uint32_t idx)
{
    return idx && idx <= d->ntls ? &d->tls[idx - 1] : NULL;
}

uint32_t dec_tls_flow_open(dec_ctx *d, int64_t ts_us, const ss_addr *src, const ss_addr *dst,
                           const uint8_t *p, size_t len, uint32_t segs)
{
    size_t cap = d->cfg.tls_max_flows;
    if (d->ntls >= cap) {
        d->tls_not_listed++;
        return 0;
    }
    if (d->ntls == d->tls_cap) {
        size_t nc = d->tls_cap ? d->tls_cap * 2 : 16;
        if (nc > cap)
            nc = cap;
        dec_tls_flow *nt = realloc(d->tls, nc * sizeof *nt);
        if (nt == NULL) {
            d->tls_not_listed++;
            return 0;
        }
        d->tls = nt;
        d->tls_cap = nc;
    }
    dec_tls_flow *f = &d->tls[d->ntls];
    memset(f, 0, sizeof *f);
    int ht = dec_tls_handshake_type(p, len);
    /* who is the client: the sender of a ClientHello; the receiver of a
     * ServerHello; else (a connection the capture joined late) the side
     * not on a SIP port, or the one with the higher port */
    int src_client;
    if (ht == 1 || ht == 2)
        src_client = ht == 1;
    else if (dec_is_sip_port(d, src->port) != dec_is_sip_port(d, dst->port))
        src_client = dec_is_sip_port(d, dst->port);
    else
        src_client = src->port > dst->port;
    f->client = src_client ? *src : *dst;
    f->server = src_client ? *dst : *src;
    f->handshake_seen = ht == 1 || ht == 2;
    ss_slice sni;
    if (ht == 1 && dec_tls_sni(p, len, &sni) == 0) {
        size_t n = sni.len < sizeof f->sni - 1 ? sni.len : sizeof f->sni - 1;
        memcpy(f->sni, sni.p, n);
        f->sni[n] = '\0';
    }
    f->first_us = f->last_us = ts_us;
    f->packets = segs;
    f->bytes = len;
    return (uint32_t)++d->ntls;
}

void dec_tls_flow_account(dec_ctx *d, uint32_t idx, int64_t ts_us, size_t bytes)
{
    dec_tls_flow *f = _flow_at(d, idx);
    if (f == NULL)
        return;
    f->packets++;
    f->bytes += bytes;
    if (ts_us > f->last_us)
        f->last_us = ts_us;
}

const dec_tls_flow *dec_tls_flows(const dec_ctx *d, size_t *n, uint64_t *not_listed)
{
    *n = d->ntls;
    if (not_listed)
        *not_listed = d->tls_not_listed;
    return d->tls;
}
