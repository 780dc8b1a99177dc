/* decode.c - link layers, encapsulations, IPv4/IPv6 and UDP/SCTP: from a
 * captured frame down to transport payloads.
 *
 * Every read goes through the bounds-checked cursor (ss_cursor); a header
 * that does not fit in the captured bytes is counted as truncated and the
 * frame goes no further. Tunnels recurse through dec_ip()/dec_ether() with
 * a depth limit, so a packet cannot make us loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode_int.h"

/* link types (LINKTYPE_* values as libpcap reports them through pcap_datalink) */
enum {
    _LT_NULL = 0,
    _LT_EN10MB = 1,
    _LT_RAW_OPENBSD = 12,
    _LT_RAW_BSD = 14,
    _LT_RAW = 101,
    _LT_LOOP = 108,
    _LT_LINUX_SLL = 113,
    _LT_IPV4 = 228,
    _LT_IPV6 = 229,
    _LT_LINUX_SLL2 = 276,
};

static const char *const _counter_names[DEC_C__COUNT] = {
    [DEC_C_FRAMES] = "frames",
    [DEC_C_PAYLOADS] = "payloads",
    [DEC_C_TRUNCATED] = "truncated",
    [DEC_C_UNSUPPORTED_LINK] = "unsupported_link",
    [DEC_C_NOT_IP] = "not_ip",
    [DEC_C_BAD_IP] = "bad_ip",
    [DEC_C_OTHER_L4] = "other_l4",
    [DEC_C_BAD_UDP] = "bad_udp",
    [DEC_C_BAD_TCP] = "bad_tcp",
    [DEC_C_BAD_SCTP] = "bad_sctp",
    [DEC_C_FRAGMENTS] = "ip_fragments",
    [DEC_C_FRAG_REASSEMBLED] = "ip_reassembled",
    [DEC_C_FRAG_TIMEOUT] = "frag_timeout",
    [DEC_C_FRAG_OVERLAP] = "frag_overlap",
    [DEC_C_FRAG_CAP] = "frag_cap",
    [DEC_C_TCP_SEGMENTS] = "tcp_segments",
    [DEC_C_TCP_RETRANS] = "tcp_retransmitted",
    [DEC_C_TCP_OUT_OF_ORDER] = "tcp_out_of_order",
    [DEC_C_TCP_GAP] = "tcp_gap",
    [DEC_C_TCP_GAP_BYTES] = "tcp_gap_bytes",
    [DEC_C_TCP_CAP] = "tcp_cap",
    [DEC_C_TCP_NOT_SIP] = "tcp_not_sip",
    [DEC_C_TCP_MALFORMED] = "tcp_resync_bytes",
    [DEC_C_TCP_STREAMS] = "tcp_streams",
    [DEC_C_TCP_STREAMS_EVICTED] = "tcp_streams_evicted",
    [DEC_C_TCP_KEEPALIVES] = "tcp_keepalives",
    [DEC_C_TLS_FLOWS] = "tls_flows",
    [DEC_C_ENCAPSULATED] = "encapsulated",
    [DEC_C_TCP_INCOMPLETE_AT_END] = "tcp_incomplete_at_end",
    [DEC_C_HEP] = "hep_packets",
    [DEC_C_BAD_HEP] = "bad_hep",
    [DEC_C_FRAG_DUPLICATE] = "frag_duplicate",
};

const char *dec_counter_name(dec_counter c)
{
    return (unsigned)c < DEC_C__COUNT && _counter_names[c] ? _counter_names[c] : "unknown";
}

int dec_counter_is_anomaly(dec_counter c)
{
    switch (c) {
    case DEC_C_TRUNCATED:
    case DEC_C_UNSUPPORTED_LINK:
    case DEC_C_BAD_IP:
    case DEC_C_BAD_UDP:
    case DEC_C_BAD_TCP:
    case DEC_C_BAD_SCTP:
    case DEC_C_FRAG_TIMEOUT:
    case DEC_C_FRAG_OVERLAP:
    case DEC_C_FRAG_CAP:
    case DEC_C_TCP_GAP:
    case DEC_C_TCP_GAP_BYTES:
    case DEC_C_TCP_CAP:
    case DEC_C_TCP_MALFORMED:
    case DEC_C_TCP_STREAMS_EVICTED:
    case DEC_C_TCP_INCOMPLETE_AT_END:
    case DEC_C_BAD_HEP:
        return 1;
    default:
        return 0;
    }
}

const char *dec_transport_name(dec_transport t)
{
    switch (t) {
    case DEC_TP_UDP: return "UDP";
    case DEC_TP_TCP: return "TCP";
    case DEC_TP_SCTP: return "SCTP";
    case DEC_TP_WS: return "WS";
    case DEC_TP_TLS: return "TLS";
    }
    return "?";
}

void dec_config_default(dec_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->sip_ports[0] = 5060;
    cfg->sip_ports[1] = 5061;
    cfg->hep_ports[0] = 9060;
    cfg->frag_timeout_s = 30;
    cfg->frag_max_pending = 4096;
    cfg->frag_max_per_datagram = 64;
    cfg->tcp_max_streams = 65536;
    cfg->tcp_stream_buf_max = 256 * 1024;
    cfg->tcp_total_buf_max = 64ull * 1024 * 1024;
    cfg->tcp_idle_timeout_s = 300;
    cfg->tls_max_flows = 1024;
}

int dec_config_add_hep_port(dec_config *cfg, uint16_t port)
{
    for (int i = 0; i < DEC_MAX_HEP_PORTS; i++) {
        if (cfg->hep_ports[i] == port)
            return 0;
        if (cfg->hep_ports[i] == 0) {
            cfg->hep_ports[i] = port;
            return 0;
        }
    }
    return -1;
}

static int _is_hep_port(const dec_ctx *d, uint16_t port)
{
    return (d->port_kind[port] & DEC_PORT_HEP) != 0;
}

static void _port_kinds(dec_ctx *d)
{
    for (int i = 0; i < 8 && d->cfg.sip_ports[i]; i++)
        d->port_kind[d->cfg.sip_ports[i]] |= DEC_PORT_SIP;
    for (int i = 0; i < DEC_MAX_HEP_PORTS && d->cfg.hep_ports[i]; i++)
        d->port_kind[d->cfg.hep_ports[i]] |= DEC_PORT_HEP;
    d->port_kind[DEC_VXLAN_PORT] |= DEC_PORT_TUNNEL;
    d->port_kind[DEC_GTPU_PORT] |= DEC_PORT_TUNNEL;
}

int dec_create(dec_ctx **out, const dec_config *cfg, dec_payload_fn fn, void *user)
{
    *out = NULL;
    dec_ctx *d = calloc(1, sizeof *d);
    if (d == NULL)
        return ENOMEM;
    if (cfg)
        d->cfg = *cfg;
    else
        dec_config_default(&d->cfg);
    d->fn = fn;
    d->user = user;
    _port_kinds(d);
    if (dec_defrag_create(&d->defrag, &d->cfg) != 0 || dec_tcp_create(&d->tcp, &d->cfg) != 0) {
        dec_destroy(d);
        return ENOMEM;
    }
    *out = d;
    return 0;
}

void dec_emit(dec_ctx *d, const dec_pkt *pk, uint16_t sport, uint16_t dport, dec_transport tp,
              const uint8_t *data, size_t len, uint32_t extra_flags)
{
    dec_payload pl;
    pl.ts_us = pk->frame->ts_us;
    pl.frame_no = pk->frame->frame_no;
    pl.input = pk->frame->input;
    pl.src = pk->src;
    pl.dst = pk->dst;
    pl.src.port = sport;
    pl.dst.port = dport;
    pl.transport = tp;
    pl.flags = pk->flags | extra_flags;
    if ((d->port_kind[sport] | d->port_kind[dport]) & DEC_PORT_SIP)
        pl.flags |= DEC_PL_SIP_PORT;
    else if (d->cfg.strict_ports && !(pl.flags & DEC_PL_HEP))
        return;
    pl.data = ss_slice_make(data, len);
    d->c[DEC_C_PAYLOADS]++;
    d->fn(d->user, &pl);
}

/* Marks the packet as tunnelled; counted once per frame. */
static int _enter_tunnel(dec_ctx *d, dec_pkt *pk)
{
    if (++pk->depth > DEC_MAX_DEPTH) {
        d->c[DEC_C_BAD_IP]++;
        return -1;
    }
    pk->flags |= DEC_PL_ENCAPSULATED;
    if (!pk->counted_encap) {
        pk->counted_encap = 1;
        d->c[DEC_C_ENCAPSULATED]++;
    }
    return 0;
}

/* ---- L4 ---- */

/* GTP-U (3GPP TS 29.281): mobile-core captures carry the subscriber's IP
 * packets, SIP/IMS included, inside UDP 2152. */
static int _gtpu(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint8_t flags, type, next = 0;
    uint16_t glen;
    if (ss_get_u8(&c, &flags) || ss_get_u8(&c, &type) || ss_get_be16(&c, &glen) || ss_skip(&c, 4))
        return -1;
    if ((flags >> 5) != 1 || type != 0xff) /* version 1, G-PDU only */
        return -1;
    if (flags & 0x07) { /* sequence number, N-PDU, next extension type */
        if (ss_skip(&c, 3) || ss_get_u8(&c, &next))
            return -1;
        while (next) {
            uint8_t elen;
            if (ss_get_u8(&c, &elen) || elen == 0 || ss_skip(&c, (size_t)elen * 4 - 2) ||
                ss_get_u8(&c, &next))
                return -1;
        }
    }
    uint8_t v;
    if (ss_peek_u8(&c, 0, &v) || ((v >> 4) != 4 && (v >> 4) != 6))
        return -1;
    if (_enter_tunnel(d, pk) < 0)
        return 0;
    dec_ip(d, pk, c.p, ss_cursor_left(&c));
    return 0;
}

static void _udp(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint16_t sport, dport, ulen;
    if (ss_get_be16(&c, &sport) || ss_get_be16(&c, &dport) || ss_get_be16(&c, &ulen) || ss_skip(&c, 2)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    size_t plen = ss_cursor_left(&c);
    if (ulen < 8) {
        d->c[DEC_C_BAD_UDP]++;
        return;
    }
    if ((size_t)ulen - 8 > plen) {
        /* IP already checked its own length against the captured bytes,
         * so a UDP length beyond the IP payload is a bad field, not a
         * snaplen cut */
        d->c[DEC_C_BAD_UDP]++;
        return;
    }
    plen = (size_t)ulen - 8; /* Ethernet padding is not payload */
    if (plen == 0)
        return;
    if ((d->port_kind[sport] | d->port_kind[dport]) & (DEC_PORT_TUNNEL | DEC_PORT_HEP)) {
        if (dport == DEC_VXLAN_PORT || sport == DEC_VXLAN_PORT) { /* 8-byte header, then Ethernet */
            uint8_t fl;
            if (plen > 8 && ss_peek_u8(&c, 0, &fl) == 0 && (fl & 0x08)) {
                if (_enter_tunnel(d, pk) == 0)
                    dec_ether(d, pk, c.p + 8, plen - 8);
                return;
            }
        }
        if ((dport == DEC_GTPU_PORT || sport == DEC_GTPU_PORT) && _gtpu(d, pk, c.p, plen) == 0)
            return;
        if ((_is_hep_port(d, dport) || _is_hep_port(d, sport)) && dec_hep(d, pk, c.p, plen) == 0)
            return;
    }
    dec_emit(d, pk, sport, dport, DEC_TP_UDP, c.p, plen, 0);
}

/* A DATA chunk that is one fragment of a user message (RFC 9260 §6.9):
 * fragments of one message have consecutive TSNs, B on the first and E on
 * the last. Large INVITEs (SIP-I with ISUP bodies) come this way. */
static void _sctp_fragment(dec_ctx *d, dec_pkt *pk, uint16_t sport, uint16_t dport, uint8_t flags,
                           uint32_t tsn, uint16_t sid, uint16_t ssn, const uint8_t *data, size_t n)
{
    ss_addr src = pk->src, dst = pk->dst;
    src.port = sport;
    dst.port = dport;
    dec_sctp_frag *slot = NULL, *oldest = &d->sctp[0];
    for (int i = 0; i < DEC_SCTP_PENDING; i++) {
        dec_sctp_frag *f = &d->sctp[i];
        if (f->buf && f->sid == sid && f->ssn == ssn && ss_addr_cmp(&f->src, &src) == 0 &&
            ss_addr_cmp(&f->dst, &dst) == 0) {
            slot = f;
            break;
        }
        if (f->buf == NULL || (oldest->buf && f->ts_us < oldest->ts_us))
            oldest = f;
    }
    if (flags & 0x02) { /* B: a new message starts */
        if (slot == NULL)
            slot = oldest;
        if (slot->buf) {
            d->c[DEC_C_FRAG_TIMEOUT]++; /* the one it replaces never completed */
            free(slot->buf);
        }
        memset(slot, 0, sizeof *slot);
        slot->src = src;
        slot->dst = dst;
        slot->sid = sid;
        slot->ssn = ssn;
        slot->next_tsn = tsn;
    } else if (slot == NULL || slot->next_tsn != tsn) {
        d->c[DEC_C_FRAG_CAP]++; /* a middle or end without its beginning */
        return;
    }
    if ((size_t)slot->len + n > 256 * 1024) {
        d->c[DEC_C_FRAG_CAP]++;
        free(slot->buf);
        memset(slot, 0, sizeof *slot);
        return;
    }
    uint8_t *nb = realloc(slot->buf, slot->len + n + 1);
    if (nb == NULL) {
        d->c[DEC_C_FRAG_CAP]++;
        return;
    }
    memcpy(nb + slot->len, data, n);
    slot->buf = nb;
    slot->len += (uint32_t)n;
    slot->next_tsn = tsn + 1;
    slot->ts_us = pk->frame->ts_us;
    if (flags & 0x01) { /* E: complete */
        d->c[DEC_C_FRAG_REASSEMBLED]++;
        dec_emit(d, pk, sport, dport, DEC_TP_SCTP, slot->buf, slot->len, DEC_PL_IP_REASSEMBLED);
        free(slot->buf);
        memset(slot, 0, sizeof *slot);
    }
}

/* SCTP (RFC 9260): every DATA chunk carries one user message, or one
 * fragment of it (SIP over SCTP sends one SIP message per user message,
 * RFC 4168). */
static void _sctp(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint16_t sport, dport;
    if (ss_get_be16(&c, &sport) || ss_get_be16(&c, &dport) || ss_skip(&c, 8)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    while (ss_cursor_left(&c) >= 4) {
        uint8_t type, flags;
        uint16_t clen;
        const uint8_t *chunk = c.p;
        if (ss_get_u8(&c, &type) || ss_get_u8(&c, &flags) || ss_get_be16(&c, &clen))
            break;
        if (clen < 4 || (size_t)clen - 4 > ss_cursor_left(&c)) {
            d->c[clen < 4 ? DEC_C_BAD_SCTP : DEC_C_TRUNCATED]++;
            return;
        }
        if (type == 0 && clen > 16) { /* DATA: TSN, stream id, stream seq, PPID, then data */
            uint32_t tsn = ((uint32_t)chunk[4] << 24) | ((uint32_t)chunk[5] << 16) |
                           ((uint32_t)chunk[6] << 8) | chunk[7];
            uint16_t sid = (uint16_t)((chunk[8] << 8) | chunk[9]);
            uint16_t ssn = (uint16_t)((chunk[10] << 8) | chunk[11]);
            if ((flags & 0x03) == 0x03)
                dec_emit(d, pk, sport, dport, DEC_TP_SCTP, chunk + 16, (size_t)clen - 16, 0);
            else
                _sctp_fragment(d, pk, sport, dport, flags, tsn, sid, ssn, chunk + 16, (size_t)clen - 16);
        }
        size_t padded = ((size_t)clen + 3) & ~(size_t)3;
        if (ss_skip(&c, padded - 4))
            break;
    }
}

/* GRE (RFC 2784/2890), with PPP inside (PPTP-style, RFC 2637), transparent
 * Ethernet bridging and ERSPAN type II/III mirror sessions. */
static void _ppp(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len);

static void _gre(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint16_t flags, proto;
    if (ss_get_be16(&c, &flags) || ss_get_be16(&c, &proto)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    int version = flags & 7;
    size_t skip = 0;
    if (flags & 0x8000) /* checksum present (+ reserved) */
        skip += 4;
    if (flags & 0x2000) /* key (version 1: payload length + call id) */
        skip += 4;
    if (flags & 0x1000) /* sequence number */
        skip += 4;
    if (version == 1 && (flags & 0x0080)) /* enhanced GRE acknowledgment */
        skip += 4;
    if (ss_skip(&c, skip)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    if (_enter_tunnel(d, pk) < 0)
        return;
    const uint8_t *q = c.p;
    size_t left = ss_cursor_left(&c);
    switch (proto) {
    case 0x0800:
    case 0x86dd:
        dec_ip(d, pk, q, left);
        return;
    case 0x880b:
        _ppp(d, pk, q, left);
        return;
    case 0x6558:
        dec_ether(d, pk, q, left);
        return;
    case 0x88be: /* ERSPAN type II: 8-byte header (type I has none, seq bit clear) */
        if (flags & 0x1000) {
            if (left < 8) {
                d->c[DEC_C_TRUNCATED]++;
                return;
            }
            dec_ether(d, pk, q + 8, left - 8);
        } else {
            dec_ether(d, pk, q, left);
        }
        return;
    case 0x22eb: { /* ERSPAN type III: 12 bytes, +8 with the optional subheader */
        uint8_t o;
        size_t h = 12;
        if (ss_peek_u8(&c, 11, &o) == 0 && (o & 0x01))
            h += 8;
        if (left < h) {
            d->c[DEC_C_TRUNCATED]++;
            return;
        }
        dec_ether(d, pk, q + h, left - h);
        return;
    }
    default:
        d->c[DEC_C_OTHER_L4]++;
    }
}

static void _ppp(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint8_t b0, b1;
    if (ss_peek_u8(&c, 0, &b0) || ss_peek_u8(&c, 1, &b1)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    if (b0 == 0xff && b1 == 0x03) /* address + control, when not compressed away */
        ss_skip(&c, 2);
    uint16_t proto;
    uint8_t first;
    if (ss_peek_u8(&c, 0, &first)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    if (first & 1) { /* protocol field compression: one byte */
        ss_get_u8(&c, &first);
        proto = first;
    } else if (ss_get_be16(&c, &proto)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    if (proto == 0x0021 || proto == 0x0057)
        dec_ip(d, pk, c.p, ss_cursor_left(&c));
    else
        d->c[DEC_C_NOT_IP]++;
}

void dec_ip_payload(dec_ctx *d, dec_pkt *pk, uint8_t proto, const uint8_t *p, size_t len)
{
    switch (proto) {
    case 17:
        _udp(d, pk, p, len);
        return;
    case 6:
        dec_tcp_segment(d, pk, p, len);
        return;
    case 132:
        _sctp(d, pk, p, len);
        return;
    case 4:  /* IP-in-IP */
    case 41: /* IPv6-in-IP */
        if (_enter_tunnel(d, pk) == 0)
            dec_ip(d, pk, p, len);
        return;
    case 47:
        _gre(d, pk, p, len);
        return;
    default:
        /* ICMP, ESP, OSPF...: no SIP here (an ICMP error quoting a SIP
         * datagram is not a message on the wire) */
        d->c[DEC_C_OTHER_L4]++;
    }
}

static void _ipv4(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint8_t vihl, tos, ttl, proto;
    uint16_t total, id, frag;
    if (ss_get_u8(&c, &vihl) || ss_get_u8(&c, &tos) || ss_get_be16(&c, &total) ||
        ss_get_be16(&c, &id) || ss_get_be16(&c, &frag) || ss_get_u8(&c, &ttl) ||
        ss_get_u8(&c, &proto) || ss_skip(&c, 2)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    size_t tot = total;
    if (tot == 0 && !(frag & 0x3fff))
        /* TCP segmentation offload: the host captured its own large
         * segment before the NIC split it, with total length 0 (as
         * Wireshark reads it, the packet runs to the end of the frame) */
        tot = len > 0xffff ? 0xffff : len;
    if (ihl < 20 || tot < ihl) {
        d->c[DEC_C_BAD_IP]++;
        return;
    }
    if (ss_cursor_left(&c) < 8) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    memset(&pk->src, 0, sizeof pk->src);
    memset(&pk->dst, 0, sizeof pk->dst);
    pk->src.family = pk->dst.family = 4;
    ss_get_bytes(&c, pk->src.ip, 4);
    ss_get_bytes(&c, pk->dst.ip, 4);
    if (len < tot) {
        /* cut by the snaplen (a TSO capture with total 0 is handled above) */
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    if (ss_skip(&c, ihl - 20)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    const uint8_t *payload = c.p;
    size_t plen = tot - ihl; /* trailing Ethernet padding is not ours */
    uint32_t offset = (uint32_t)(frag & 0x1fff) * 8;
    int more = (frag & 0x2000) != 0;
    if (more || offset) {
        dec_defrag_add(d, pk, id, proto, offset, more, payload, plen);
        return;
    }
    dec_ip_payload(d, pk, proto, payload, plen);
}

static void _ipv6(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint32_t vtf;
    uint16_t plen;
    uint8_t next, hop;
    if (ss_get_be32(&c, &vtf) || ss_get_be16(&c, &plen) || ss_get_u8(&c, &next) ||
        ss_get_u8(&c, &hop) || ss_cursor_left(&c) < 32) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    memset(&pk->src, 0, sizeof pk->src);
    memset(&pk->dst, 0, sizeof pk->dst);
    pk->src.family = pk->dst.family = 6;
    ss_get_bytes(&c, pk->src.ip, 16);
    ss_get_bytes(&c, pk->dst.ip, 16);
    if (ss_cursor_left(&c) < plen) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    c.end = c.p + plen; /* jumbograms (plen 0) are not SIP's business */
    for (int hdrs = 0; hdrs < 16; hdrs++) {
        switch (next) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        case 51: { /* AH: length in 4-byte units, others in 8-byte units */
            uint8_t nh, hl;
            if (ss_get_u8(&c, &nh) || ss_get_u8(&c, &hl)) {
                d->c[DEC_C_TRUNCATED]++;
                return;
            }
            size_t skip = next == 51 ? ((size_t)hl + 2) * 4 - 2 : ((size_t)hl + 1) * 8 - 2;
            if (ss_skip(&c, skip)) {
                d->c[DEC_C_TRUNCATED]++;
                return;
            }
            next = nh;
            continue;
        }
        case 44: { /* fragment */
            uint8_t nh, rsv;
            uint16_t offm;
            uint32_t ident;
            if (ss_get_u8(&c, &nh) || ss_get_u8(&c, &rsv) || ss_get_be16(&c, &offm) ||
                ss_get_be32(&c, &ident)) {
                d->c[DEC_C_TRUNCATED]++;
                return;
            }
            uint32_t off = (uint32_t)(offm >> 3) * 8;
            int more = offm & 1;
            if (off == 0 && !more) { /* atomic fragment (RFC 6946) */
                next = nh;
                continue;
            }
            dec_defrag_add(d, pk, ident, nh, off, more, c.p, ss_cursor_left(&c));
            return;
        }
        case 59: /* no next header */
            return;
        default:
            dec_ip_payload(d, pk, next, c.p, ss_cursor_left(&c));
            return;
        }
    }
    d->c[DEC_C_BAD_IP]++;
}

void dec_ip(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    if (len < 1) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    switch (p[0] >> 4) {
    case 4:
        _ipv4(d, pk, p, len);
        return;
    case 6:
        _ipv6(d, pk, p, len);
        return;
    default:
        d->c[DEC_C_BAD_IP]++;
    }
}

/* Ethertype dispatch after the link header: VLAN tags (802.1Q, QinQ), MPLS
 * label stacks and PPPoE sessions are peeled off first. */
static void _ethertype(dec_ctx *d, dec_pkt *pk, uint16_t type, ss_cursor c)
{
    for (int layers = 0; layers < 16; layers++) {
        switch (type) {
        case 0x0800:
        case 0x86dd:
            dec_ip(d, pk, c.p, ss_cursor_left(&c));
            return;
        case 0x8100:
        case 0x88a8:
        case 0x9100:
        case 0x9200:
            if (ss_skip(&c, 2) || ss_get_be16(&c, &type)) {
                d->c[DEC_C_TRUNCATED]++;
                return;
            }
            continue;
        case 0x8847:
        case 0x8848: {
            uint32_t label;
            do {
                if (ss_get_be32(&c, &label)) {
                    d->c[DEC_C_TRUNCATED]++;
                    return;
                }
            } while (!(label & 0x100));
            uint8_t v;
            if (ss_peek_u8(&c, 0, &v)) {
                d->c[DEC_C_TRUNCATED]++;
                return;
            }
            /* no type field after MPLS: the first nibble tells IPv4 from IPv6;
             * anything else is a pseudowire we do not follow */
            if ((v >> 4) == 4 || (v >> 4) == 6)
                dec_ip(d, pk, c.p, ss_cursor_left(&c));
            else
                d->c[DEC_C_NOT_IP]++;
            return;
        }
        case 0x8864: /* PPPoE session: 6-byte header, then PPP without address/control */
            if (ss_skip(&c, 6)) {
                d->c[DEC_C_TRUNCATED]++;
                return;
            }
            _ppp(d, pk, c.p, ss_cursor_left(&c));
            return;
        default:
            d->c[DEC_C_NOT_IP]++;
            return;
        }
    }
    d->c[DEC_C_BAD_IP]++;
}

void dec_ether(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    ss_cursor c = ss_cursor_make(p, len);
    uint16_t type;
    if (ss_skip(&c, 12) || ss_get_be16(&c, &type)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    if (type < 0x0600) { /* 802.3 length field: LLC, not IP */
        d->c[DEC_C_NOT_IP]++;
        return;
    }
    _ethertype(d, pk, type, c);
}

void dec_frame_in(dec_ctx *d, const dec_frame *f)
{
    d->c[DEC_C_FRAMES]++;
    dec_pkt pk;
    memset(&pk, 0, sizeof pk);
    pk.frame = f;
    ss_cursor c = ss_cursor_make(f->data, f->caplen);
    uint16_t type;
    uint32_t fam;
    switch (f->linktype) {
    case _LT_EN10MB:
        dec_ether(d, &pk, f->data, f->caplen);
        return;
    case _LT_LINUX_SLL: /* 16 bytes, protocol last */
        if (ss_skip(&c, 14) || ss_get_be16(&c, &type)) {
            d->c[DEC_C_TRUNCATED]++;
            return;
        }
        _ethertype(d, &pk, type, c);
        return;
    case _LT_LINUX_SLL2: /* 20 bytes, protocol first */
        if (ss_get_be16(&c, &type) || ss_skip(&c, 18)) {
            d->c[DEC_C_TRUNCATED]++;
            return;
        }
        _ethertype(d, &pk, type, c);
        return;
    case _LT_NULL: /* 4-byte family in the capturing host's byte order */
    case _LT_LOOP: /* ... in network byte order */
        if (f->linktype == _LT_LOOP ? ss_get_be32(&c, &fam) : ss_get_le32(&c, &fam)) {
            d->c[DEC_C_TRUNCATED]++;
            return;
        }
        if (f->linktype == _LT_NULL && fam > 0xffff) /* written big-endian */
            fam = ((fam >> 24) & 0xff) | ((fam >> 8) & 0xff00);
        /* AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD */
        if (fam == 2 || fam == 24 || fam == 28 || fam == 30)
            dec_ip(d, &pk, c.p, ss_cursor_left(&c));
        else
            d->c[DEC_C_NOT_IP]++;
        return;
    case _LT_RAW:
    case _LT_RAW_BSD:
    case _LT_RAW_OPENBSD:
    case _LT_IPV4:
    case _LT_IPV6:
        dec_ip(d, &pk, f->data, f->caplen);
        return;
    default:
        d->c[DEC_C_UNSUPPORTED_LINK]++;
    }
}

void dec_advance(dec_ctx *d, int64_t now_us)
{
    if (now_us > d->now_us)
        d->now_us = now_us;
    dec_defrag_advance(d, now_us);
    dec_tcp_advance(d, now_us);
}

void dec_finish(dec_ctx *d)
{
    dec_tcp_finish(d);
    /* datagrams still missing fragments will never complete */
    dec_defrag_advance(d, INT64_MAX);
}

const uint64_t *dec_counters(const dec_ctx *d) { return d->c; }

void dec_destroy(dec_ctx *d)
{
    if (d == NULL)
        return;
    for (int i = 0; i < DEC_SCTP_PENDING; i++)
        free(d->sctp[i].buf);
    dec_defrag_destroy(d->defrag);
    dec_tcp_destroy(d->tcp);
    free(d->tls);
    free(d);
}
