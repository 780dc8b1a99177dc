/* test_decode.c - decode: link layers, tunnels, IP reassembly, TCP streams.
 * Frames are built in memory; each test checks exactly which payloads come
 * out and which counters move. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sipscope/decode.h"
#include "sipscope/sip.h"

/* ---- collected payloads ---- */
#define MAXPL 64
typedef struct got {
    int n;
    char data[MAXPL][4096];
    size_t len[MAXPL];
    dec_payload pl[MAXPL];
} got;

static void _collect(void *user, const dec_payload *pl)
{
    got *g = user;
    if (g->n >= MAXPL)
        return;
    size_t n = pl->data.len < 4095 ? pl->data.len : 4095;
    memcpy(g->data[g->n], pl->data.p, n);
    g->data[g->n][n] = 0;
    g->len[g->n] = pl->data.len;
    g->pl[g->n] = *pl;
    g->n++;
}

/* ---- frame builders ---- */
typedef struct buf {
    uint8_t b[70000];
    size_t n;
} buf;

static void _put(buf *f, const void *p, size_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}
static void _u8(buf *f, uint8_t v) { f->b[f->n++] = v; }
static void _u16(buf *f, uint16_t v) { _u8(f, (uint8_t)(v >> 8)); _u8(f, (uint8_t)v); }
static void _u32(buf *f, uint32_t v) { _u16(f, (uint16_t)(v >> 16)); _u16(f, (uint16_t)v); }

static void _eth(buf *f, uint16_t type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    _put(f, macs, 12);
    _u16(f, type);
}

/* IPv4 header for a payload of plen bytes (proto), fragment fields given */
static void _ip4(buf *f, uint8_t proto, size_t plen, uint16_t id, uint16_t frag, uint8_t last_src)
{
    _u8(f, 0x45);
    _u8(f, 0);
    _u16(f, (uint16_t)(20 + plen));
    _u16(f, id);
    _u16(f, frag);
    _u8(f, 64);
    _u8(f, proto);
    _u16(f, 0);
    uint8_t src[4] = {10, 0, 0, last_src}, dst[4] = {10, 0, 0, 2};
    _put(f, src, 4);
    _put(f, dst, 4);
}

static void _udp(buf *f, uint16_t sport, uint16_t dport, const char *payload, size_t n)
{
    _u16(f, sport);
    _u16(f, dport);
    _u16(f, (uint16_t)(8 + n));
    _u16(f, 0);
    _put(f, payload, n);
}

static void _tcp(buf *f, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags, const char *p,
                 size_t n)
{
    _u16(f, sport);
    _u16(f, dport);
    _u32(f, seq);
    _u32(f, 0);
    _u8(f, 5 << 4);
    _u8(f, flags);
    _u16(f, 65535);
    _u16(f, 0);
    _u16(f, 0);
    _put(f, p, n);
}

static const char SIP1[] = "OPTIONS sip:b@x SIP/2.0\r\nCall-ID: one\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
static const char SIP2[] = "OPTIONS sip:b@x SIP/2.0\r\nCall-ID: two\r\nCSeq: 2 OPTIONS\r\nContent-Length: 5\r\n\r\nhello";

static int64_t g_ts = 1700000000LL * 1000000;

static void _feed(dec_ctx *d, int linktype, const buf *f)
{
    dec_frame fr = {.ts_us = g_ts += 1000, .frame_no = 1, .linktype = linktype,
                    .caplen = (uint32_t)f->n, .wirelen = (uint32_t)f->n, .data = f->b};
    dec_frame_in(d, &fr);
}

static dec_ctx *_dec(got *g, dec_config *cfg)
{
    dec_config def;
    dec_config_default(&def);
    dec_ctx *d = NULL;
    memset(g, 0, sizeof *g);
    assert_int_equal(dec_create(&d, cfg ? cfg : &def, _collect, g), 0);
    return d;
}

static void _udp_frame(buf *f, const char *payload, size_t n)
{
    f->n = 0;
    _eth(f, 0x0800);
    _ip4(f, 17, 8 + n, 1, 0, 1);
    _udp(f, 5060, 5060, payload, n);
}

/* ---- tests ---- */
static void test_ethernet_vlan_qinq_udp(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    buf f = {.n = 0};
    _udp_frame(&f, SIP1, strlen(SIP1));
    _feed(d, 1, &f);
    f.n = 0; /* QinQ: 802.1ad then 802.1Q */
    _eth(&f, 0x88a8);
    _u16(&f, 100);
    _u16(&f, 0x8100);
    _u16(&f, 200);
    _u16(&f, 0x0800);
    _ip4(&f, 17, 8 + strlen(SIP2), 2, 0, 3);
    _udp(&f, 5062, 5060, SIP2, strlen(SIP2));
    _feed(d, 1, &f);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.data[0], SIP1);
    assert_string_equal(g.data[1], SIP2);
    assert_int_equal(g.pl[1].src.port, 5062);
    assert_int_equal(g.pl[1].src.ip[3], 3);
    assert_int_equal(g.pl[1].transport, DEC_TP_UDP);
    assert_true(g.pl[1].flags & DEC_PL_SIP_PORT);
    dec_destroy(d);
}

static void test_other_link_types(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    buf f = {.n = 0};
    /* Linux cooked v1: 14 bytes, then the protocol */
    uint8_t sll[14] = {0};
    _put(&f, sll, 14);
    _u16(&f, 0x0800);
    _ip4(&f, 17, 8 + strlen(SIP1), 1, 0, 1);
    _udp(&f, 5060, 5060, SIP1, strlen(SIP1));
    _feed(d, 113, &f);
    /* SLL2: protocol first, 20 bytes in all */
    f.n = 0;
    _u16(&f, 0x0800);
    uint8_t rest[18] = {0};
    _put(&f, rest, 18);
    _ip4(&f, 17, 8 + strlen(SIP1), 1, 0, 1);
    _udp(&f, 5060, 5060, SIP1, strlen(SIP1));
    _feed(d, 276, &f);
    /* BSD NULL, little-endian AF_INET */
    f.n = 0;
    uint8_t fam[4] = {2, 0, 0, 0};
    _put(&f, fam, 4);
    _ip4(&f, 17, 8 + strlen(SIP1), 1, 0, 1);
    _udp(&f, 5060, 5060, SIP1, strlen(SIP1));
    _feed(d, 0, &f);
    /* raw IP */
    f.n = 0;
    _ip4(&f, 17, 8 + strlen(SIP1), 1, 0, 1);
    _udp(&f, 5060, 5060, SIP1, strlen(SIP1));
    _feed(d, 101, &f);
    assert_int_equal(g.n, 4);
    /* unknown link type: counted, nothing handed on */
    _feed(d, 147, &f);
    assert_int_equal(g.n, 4);
    assert_int_equal(dec_counters(d)[DEC_C_UNSUPPORTED_LINK], 1);
    dec_destroy(d);
}

static void test_truncated_and_bad(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    buf f = {.n = 0};
    _udp_frame(&f, SIP1, strlen(SIP1));
    dec_frame fr = {.ts_us = 1, .frame_no = 1, .linktype = 1, .caplen = 50, .wirelen = (uint32_t)f.n,
                    .data = f.b};
    dec_frame_in(d, &fr); /* snaplen cut inside the SIP payload */
    fr.caplen = 10;       /* inside the Ethernet header */
    dec_frame_in(d, &fr);
    f.b[14] = 0x41; /* IHL 1: impossible */
    fr.caplen = (uint32_t)f.n;
    dec_frame_in(d, &fr);
    assert_int_equal(g.n, 0);
    assert_int_equal(dec_counters(d)[DEC_C_TRUNCATED], 2);
    assert_int_equal(dec_counters(d)[DEC_C_BAD_IP], 1);
    f.n = 0;
    _eth(&f, 0x0806); /* ARP */
    _put(&f, "xxxxxxxxxxxxxxxxxxxxxxxxxxxx", 28);
    _feed(d, 1, &f);
    assert_int_equal(dec_counters(d)[DEC_C_NOT_IP], 1);
    dec_destroy(d);
}

static void test_ipip_and_gre_ppp(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    buf f = {.n = 0};
    size_t n = strlen(SIP1);
    _eth(&f, 0x0800);
    _ip4(&f, 4, 20 + 8 + n, 9, 0, 7); /* IP-in-IP */
    _ip4(&f, 17, 8 + n, 1, 0, 1);
    _udp(&f, 5060, 5060, SIP1, n);
    _feed(d, 1, &f);
    f.n = 0;
    _eth(&f, 0x0800);
    _ip4(&f, 47, 4 + 2 + 20 + 8 + n, 9, 0, 7); /* GRE, PPP, IPv4 */
    _u16(&f, 0);
    _u16(&f, 0x880b);
    _u16(&f, 0x0021);
    _ip4(&f, 17, 8 + n, 1, 0, 1);
    _udp(&f, 5060, 5060, SIP1, n);
    _feed(d, 1, &f);
    assert_int_equal(g.n, 2);
    assert_true(g.pl[0].flags & DEC_PL_ENCAPSULATED);
    assert_true(g.pl[1].flags & DEC_PL_ENCAPSULATED);
    assert_int_equal(g.pl[1].src.ip[3], 1); /* the inner addresses */
    assert_int_equal(dec_counters(d)[DEC_C_ENCAPSULATED], 2);
    dec_destroy(d);
}

/* A datagram in three fragments fed in the given order. */
static uint16_t g_frag_id = 77;

static void _fragments(dec_ctx *d, const int *order, int nfrag, int dup_last, int corrupt)
{
    static char big[3000];
    memset(big, 'a', sizeof big);
    memcpy(big, SIP2, strlen(SIP2));
    buf l4 = {.n = 0};
    _udp(&l4, 5060, 5060, big, 1200);
    size_t chunk = 512;
    for (int k = 0; k < nfrag + dup_last; k++) {
        int i = order[k < nfrag ? k : nfrag - 1];
        size_t off = (size_t)i * chunk;
        size_t n = off + chunk < l4.n ? chunk : l4.n - off;
        int more = off + n < l4.n;
        buf f = {.n = 0};
        _eth(&f, 0x0800);
        _ip4(&f, 17, n, g_frag_id, (uint16_t)((more ? 0x2000 : 0) | (off / 8)), 1);
        _put(&f, l4.b + off, n);
        if (corrupt && k == nfrag)
            f.b[f.n - 1] ^= 0xff;
        _feed(d, 1, &f);
    }
}

static void test_ipv4_fragments(void **state)
{
    (void)state;
    got g;
    static const int in_order[] = {0, 1, 2}, reversed[] = {2, 0, 1};
    dec_ctx *d = _dec(&g, NULL);
    _fragments(d, in_order, 3, 0, 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.len[0], 1200);
    assert_memory_equal(g.data[0], SIP2, strlen(SIP2));
    assert_true(g.pl[0].flags & DEC_PL_IP_REASSEMBLED);
    g_frag_id = 78; /* a new datagram: the same fragments under id 77 would be duplicates */
    _fragments(d, reversed, 3, 1, 1); /* out of order, last one repeated with other bytes */
    assert_int_equal(g.n, 2);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_REASSEMBLED], 2);
    /* incomplete: two of three (joining the datagram the changed copy
     * opened: its bytes differ, so it is not a duplicate), then the timeout */
    _fragments(d, in_order, 2, 0, 0);
    g_frag_id = 77;
    assert_int_equal(g.n, 2);
    dec_advance(d, g_ts + 31LL * 1000000);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_TIMEOUT], 1);
    dec_destroy(d);
}

static void test_fragment_cap(void **state)
{
    (void)state;
    got g;
    dec_config cfg;
    dec_config_default(&cfg);
    cfg.frag_max_pending = 2;
    dec_ctx *d = _dec(&g, &cfg);
    for (int id = 0; id < 5; id++) {
        buf f = {.n = 0};
        _eth(&f, 0x0800);
        _ip4(&f, 17, 16, (uint16_t)(100 + id), 0x2000, 1);
        _put(&f, "0123456789abcdef", 16);
        _feed(d, 1, &f);
    }
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_CAP], 3);
    dec_destroy(d);
}

/* TCP: segments given as (seq offset, bytes) over one stream. */
static void _seg(dec_ctx *d, uint32_t seq, const char *p, size_t n, uint8_t flags)
{
    buf f = {.n = 0};
    _eth(&f, 0x0800);
    _ip4(&f, 6, 20 + n, 1, 0, 1);
    _tcp(&f, 40000, 5060, 1000 + seq, flags, p, n);
    _feed(d, 1, &f);
}

static void test_tcp_framing(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    char two[512];
    size_t n1 = strlen(SIP1), n2 = strlen(SIP2);
    memcpy(two, SIP1, n1);
    memcpy(two + n1, SIP2, n2);
    _seg(d, 0, two, n1 + n2, 0x18); /* two messages in one segment */
    assert_int_equal(g.n, 2);
    assert_string_equal(g.data[0], SIP1);
    assert_string_equal(g.data[1], SIP2);
    assert_int_equal(g.pl[0].transport, DEC_TP_TCP);
    /* one message over three segments, with CRLF keep-alives before it */
    uint32_t seq = (uint32_t)(n1 + n2);
    _seg(d, seq, "\r\n\r\n", 4, 0x18);
    seq += 4;
    _seg(d, seq, SIP2, 10, 0x18);
    _seg(d, seq + 10, SIP2 + 10, 30, 0x18);
    assert_int_equal(g.n, 2);
    _seg(d, seq + 40, SIP2 + 40, n2 - 40, 0x18);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.data[2], SIP2);
    assert_true(g.pl[2].flags & DEC_PL_TCP_SEGMENTS);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_KEEPALIVES], 1);
    dec_destroy(d);
}

static void test_tcp_out_of_order_retrans_overlap(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    size_t n = strlen(SIP2);
    _seg(d, (uint32_t)-1, "", 0, 0x02);   /* SYN: the stream starts at 1000 */
    _seg(d, 30, SIP2 + 30, n - 30, 0x18); /* the tail first */
    assert_int_equal(g.n, 0);
    _seg(d, 0, SIP2, 20, 0x18);
    _seg(d, 0, SIP2, 20, 0x18);           /* retransmitted */
    _seg(d, 10, SIP2 + 10, 20, 0x18);     /* overlapping, fills the hole */
    assert_int_equal(g.n, 1);
    assert_string_equal(g.data[0], SIP2);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_OUT_OF_ORDER], 1);
    assert_true(dec_counters(d)[DEC_C_TCP_RETRANS] >= 2);
    _seg(d, 0, SIP2, n, 0x18); /* the whole message again: nothing new */
    assert_int_equal(g.n, 1);
    dec_destroy(d);
}

static void test_tcp_gap_resync(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    size_t n1 = strlen(SIP1), n2 = strlen(SIP2);
    _seg(d, 0, SIP1, 20, 0x18);                 /* start of message 1 */
    _seg(d, (uint32_t)(n1 + 7), SIP2, n2, 0x18); /* bytes 20..n1+7 never captured */
    assert_int_equal(g.n, 0);
    dec_finish(d);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.data[0], SIP2);
    assert_true(g.pl[0].flags & DEC_PL_TCP_AFTER_GAP);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_GAP], 1);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_GAP_BYTES], n1 + 7 - 20);
    dec_destroy(d);
}

static void test_tcp_not_sip_tls_and_caps(void **state)
{
    (void)state;
    got g;
    dec_config cfg;
    dec_config_default(&cfg);
    cfg.tcp_max_streams = 4;
    cfg.tcp_stream_buf_max = 4096;
    dec_ctx *d = _dec(&g, &cfg);
    buf f = {.n = 0};
    _eth(&f, 0x0800);
    _ip4(&f, 6, 20 + 18, 1, 0, 1);
    _tcp(&f, 40000, 443, 1, 0x18, "\x16\x03\x01\x00\x10 hello tls..", 18);
    _feed(d, 1, &f);
    assert_int_equal(dec_counters(d)[DEC_C_TLS_FLOWS], 1);
    f.n = 0;
    _eth(&f, 0x0800);
    _ip4(&f, 6, 20 + 18, 1, 0, 1);
    _tcp(&f, 40001, 80, 1, 0x18, "\x01\x02binary stuff....", 18);
    _feed(d, 1, &f);
    _feed(d, 1, &f);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_NOT_SIP], 2);
    /* six streams under a cap of four: two evicted */
    for (int i = 0; i < 6; i++) {
        f.n = 0;
        _eth(&f, 0x0800);
        _ip4(&f, 6, 20 + 10, 1, 0, 1);
        _tcp(&f, (uint16_t)(50000 + i), 5060, 1, 0x18, "INVITE sip", 10);
        _feed(d, 1, &f);
    }
    assert_true(dec_counters(d)[DEC_C_TCP_STREAMS_EVICTED] >= 2);
    /* a header block that never ends exceeds the per-stream buffer */
    static char junk[2000];
    memset(junk, 'x', sizeof junk);
    _seg(d, 0, "INVITE sip:a@b SIP/2.0\r\nX: ", 27, 0x18);
    for (uint32_t k = 0; k < 4; k++)
        _seg(d, 27 + k * 2000, junk, 2000, 0x18);
    assert_true(dec_counters(d)[DEC_C_TCP_CAP] > 0);
    assert_int_equal(g.n, 0);
    dec_destroy(d);
}

/* ---- more link layers and tunnels ---- */

/* IPv6 header; src/dst differ in the last byte */
static void _ip6(buf *f, uint8_t next, size_t plen)
{
    _u32(f, 0x60000000u);
    _u16(f, (uint16_t)plen);
    _u8(f, next);
    _u8(f, 64);
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
    a[15] = 1;
    _put(f, a, 16);
    a[15] = 2;
    _put(f, a, 16);
}

static void _ip4_udp_sip(buf *f, const char *sip)
{
    size_t n = strlen(sip);
    _ip4(f, 17, 8 + n, 1, 0, 1);
    _udp(f, 5060, 5060, sip, n);
}

static void test_mpls_pppoe_loop_ipv6_links(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    buf f = {.n = 0};
    _eth(&f, 0x8847); /* two labels, bottom of stack on the second */
    _u32(&f, (100u << 12) | 64);
    _u32(&f, (200u << 12) | 0x100 | 64);
    _ip4_udp_sip(&f, SIP1);
    _feed(d, 1, &f);
    f.n = 0; /* 802.1Q + PPPoE session + PPP IPv4 */
    _eth(&f, 0x8100);
    _u16(&f, 5);
    _u16(&f, 0x8864);
    _u8(&f, 0x11);
    _u8(&f, 0);
    _u16(&f, 0x1234);
    _u16(&f, (uint16_t)(2 + 20 + 8 + strlen(SIP1)));
    _u16(&f, 0x0021);
    _ip4_udp_sip(&f, SIP1);
    _feed(d, 1, &f);
    f.n = 0; /* OpenBSD LOOP: family in network byte order */
    _u32(&f, 2);
    _ip4_udp_sip(&f, SIP1);
    _feed(d, 108, &f);
    f.n = 0; /* NULL written by a big-endian host */
    _u32(&f, 2);
    _ip4_udp_sip(&f, SIP1);
    _feed(d, 0, &f);
    f.n = 0; /* DLT_IPV6 */
    _ip6(&f, 17, 8 + strlen(SIP1));
    _udp(&f, 5060, 5060, SIP1, strlen(SIP1));
    _feed(d, 229, &f);
    assert_int_equal(g.n, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(g.data[i], SIP1);
    assert_int_equal(g.pl[4].src.family, 6);
    assert_int_equal(g.pl[4].dst.ip[15], 2);
    f.n = 0; /* MPLS over a pseudowire (not IP): counted, not guessed */
    _eth(&f, 0x8847);
    _u32(&f, (300u << 12) | 0x100 | 64);
    _put(&f, "\x00\x00\x00\x00xxxxxxxxxxxxxxxx", 20);
    _feed(d, 1, &f);
    assert_int_equal(dec_counters(d)[DEC_C_NOT_IP], 1);
    f.n = 0; /* MPLS stack cut before bottom of stack */
    _eth(&f, 0x8847);
    _u32(&f, (300u << 12) | 64);
    _feed(d, 1, &f);
    assert_int_equal(dec_counters(d)[DEC_C_TRUNCATED], 1);
    assert_int_equal(g.n, 5);
    dec_destroy(d);
}

static void test_ipv6_ext_headers_and_fragments(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    size_t n = strlen(SIP2);
    buf f = {.n = 0};
    /* hop-by-hop (8 bytes), destination options (16 bytes), then UDP */
    _eth(&f, 0x86dd);
    _ip6(&f, 0, 8 + 16 + 8 + n);
    _u8(&f, 60);
    _u8(&f, 0);
    _put(&f, "\x01\x04\x00\x00\x00\x00", 6);
    _u8(&f, 17);
    _u8(&f, 1);
    _put(&f, "\x01\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 14);
    _udp(&f, 5060, 5061, SIP2, n);
    _feed(d, 1, &f);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.data[0], SIP2);
    /* the UDP datagram in two fragments, second one first */
    buf l4 = {.n = 0};
    _udp(&l4, 5060, 5060, SIP2, n);
    size_t cut = 48; /* a multiple of 8 */
    for (int k = 1; k >= 0; k--) {
        size_t off = k ? cut : 0, len = k ? l4.n - cut : cut;
        f.n = 0;
        _eth(&f, 0x86dd);
        _ip6(&f, 44, 8 + len);
        _u8(&f, 17);
        _u8(&f, 0);
        _u16(&f, (uint16_t)(off | (k ? 0 : 1)));
        _u32(&f, 0xabcdef01u);
        _put(&f, l4.b + off, len);
        _feed(d, 1, &f);
        assert_int_equal(g.n, k ? 1 : 2);
    }
    assert_string_equal(g.data[1], SIP2);
    assert_true(g.pl[1].flags & DEC_PL_IP_REASSEMBLED);
    assert_int_equal(dec_counters(d)[DEC_C_FRAGMENTS], 2);
    /* an atomic fragment (offset 0, M clear) is not held back (RFC 6946) */
    f.n = 0;
    _eth(&f, 0x86dd);
    _ip6(&f, 44, 8 + l4.n);
    _u8(&f, 17);
    _u8(&f, 0);
    _u16(&f, 0);
    _u32(&f, 7);
    _put(&f, l4.b, l4.n);
    _feed(d, 1, &f);
    assert_int_equal(g.n, 3);
    /* IPv6 payload length beyond the captured bytes */
    f.n = 0;
    _eth(&f, 0x86dd);
    _ip6(&f, 17, 8 + n + 100);
    _udp(&f, 5060, 5060, SIP2, n);
    _feed(d, 1, &f);
    assert_int_equal(g.n, 3);
    assert_int_equal(dec_counters(d)[DEC_C_TRUNCATED], 1);
    dec_destroy(d);
}

/* Feeds l4 as three IPv4 fragments [offs[k], offs[k]+lens[k]) with IP id
 * `id`, in that order; flip_at >= 0 flips a bit at that byte of the second
 * fragment's payload. */
static void _feed_three_fragments(dec_ctx *d, const buf *l4, uint16_t id, const size_t offs[3],
                                  const size_t lens[3], int flip_at)
{
    for (int k = 0; k < 3; k++) {
        buf f = {.n = 0};
        int more = offs[k] + lens[k] < l4->n;
        _eth(&f, 0x0800);
        _ip4(&f, 17, lens[k], id, (uint16_t)((more ? 0x2000 : 0) | (offs[k] / 8)), 1);
        size_t at = f.n;
        _put(&f, l4->b + offs[k], lens[k]);
        if (flip_at >= 0 && k == 1)
            f.b[at + (size_t)flip_at] ^= 0x20;
        _feed(d, 1, &f);
    }
}

/* Two overlapping fragment sets: identical bytes (a duplicate) and
 * differing bytes, where the first fragment's bytes win. */
static void test_ipv4_fragment_duplicate_overlap(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    buf l4 = {.n = 0};
    _udp(&l4, 5060, 5060, SIP2, strlen(SIP2));
    /* [0,64) then [32,end) overlapping 32 bytes, then [0,64) again; the
     * second set with a byte inside the overlap differing */
    size_t offs[3] = {0, 32, 0}, lens[3] = {64, l4.n - 32, 64};
    for (int variant = 0; variant < 2; variant++)
        _feed_three_fragments(d, &l4, (uint16_t)(200 + variant), offs, lens, variant ? 8 : -1);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.data[0], SIP2);
    assert_string_equal(g.data[1], SIP2); /* first come wins */
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_OVERLAP], 1);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_REASSEMBLED], 2);
    /* the third fragment of each set is a copy of the first, arriving
     * after its datagram was rebuilt: a late duplicate, not the start of a
     * new datagram that would later count as timed out */
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_DUPLICATE], 2);
    dec_finish(d);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_TIMEOUT], 0);
    dec_destroy(d);
}

/* A later fragment spanning an earlier one: its bytes before and after
 * are copied, those the earlier one covered are compared (and lose). */
static void test_ipv4_fragment_spanning_overlap(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    buf l4 = {.n = 0};
    _udp(&l4, 5060, 5060, SIP2, strlen(SIP2));
    /* [16,48), then [0,64) over it, then [64,end); the second set with a
     * byte inside [16,48) differing: the earlier fragment's byte wins */
    size_t offs[3] = {16, 0, 64}, lens[3] = {32, 64, l4.n - 64};
    for (int variant = 0; variant < 2; variant++)
        _feed_three_fragments(d, &l4, (uint16_t)(300 + variant), offs, lens, variant ? 30 : -1);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.data[0], SIP2);
    assert_string_equal(g.data[1], SIP2);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_OVERLAP], 1);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_REASSEMBLED], 2);
    dec_destroy(d);
}

/* A fragment inside a rebuilt datagram that completes a datagram of its
 * own: IP-in-IP whose inner datagram is in two fragments, one sent plain,
 * the other inside an outer datagram that is itself fragmented. The inner
 * datagram is rebuilt while the outer one is still being decoded, so it
 * must not be assembled into the buffer the outer one is decoded from.
 * Every arrival order of both: fragments in order are handed on from the
 * datagram's own store, others are assembled into the shared rebuild
 * buffer, so each pairing of the two ways is taken. */
static void test_ipv4_fragment_inside_fragmented_tunnel(void **state)
{
    (void)state;
    for (int order = 0; order < 4; order++) {
        int inner_reversed = order & 1, outer_reversed = order >> 1;
        got g;
        dec_ctx *d = _dec(&g, NULL);
        buf l4 = {.n = 0};
        _udp(&l4, 5060, 5060, SIP2, strlen(SIP2));
        size_t half = 48; /* a multiple of 8: the inner fragment offset */
        /* the inner fragment sent plain: [0,half), or [half,end) when reversed */
        size_t plain_off = inner_reversed ? half : 0;
        size_t plain_len = inner_reversed ? l4.n - half : half;
        size_t nested_off = inner_reversed ? 0 : half;
        size_t nested_len = l4.n - plain_len;

        buf f = {.n = 0};
        _eth(&f, 0x0800);
        _ip4(&f, 4, 20 + plain_len, 9, 0, 7);
        _ip4(&f, 17, plain_len, 400,
             (uint16_t)((plain_off + plain_len < l4.n ? 0x2000 : 0) | (plain_off / 8)), 1);
        _put(&f, l4.b + plain_off, plain_len);
        _feed(d, 1, &f);

        buf outer = {.n = 0}; /* the outer payload: the other inner fragment */
        _ip4(&outer, 17, nested_len, 400,
             (uint16_t)((nested_off + nested_len < l4.n ? 0x2000 : 0) | (nested_off / 8)), 1);
        _put(&outer, l4.b + nested_off, nested_len);
        size_t cut = 24; /* outer fragments [0,24) and [24,end) */
        for (int k = 0; k < 2; k++) {
            int part = outer_reversed ? 1 - k : k;
            size_t off = part ? cut : 0, n = part ? outer.n - cut : cut;
            f.n = 0;
            _eth(&f, 0x0800);
            _ip4(&f, 4, n, 500, (uint16_t)((part ? 0 : 0x2000) | (off / 8)), 7);
            _put(&f, outer.b + off, n);
            _feed(d, 1, &f);
        }
        print_message("inner %s, outer %s\n", inner_reversed ? "reversed" : "in order",
                      outer_reversed ? "reversed" : "in order");
        assert_int_equal(g.n, 1);
        assert_string_equal(g.data[0], SIP2);
        assert_true(g.pl[0].flags & DEC_PL_IP_REASSEMBLED);
        assert_int_equal(dec_counters(d)[DEC_C_FRAG_REASSEMBLED], 2);
        assert_int_equal(dec_counters(d)[DEC_C_FRAG_OVERLAP], 0);
        dec_destroy(d);
    }
}

/* A datagram in seven fragments, in several arrival orders, one after the
 * other through the same decoder (so the reused datagram record brings its
 * store along): every byte must come out where it was sent. In order, the
 * store grows past its first size while fragments wait in it; the other
 * orders leave the store out of order and are assembled. */
static void test_ipv4_fragment_orders(void **state)
{
    (void)state;
    static const int orders[][7] = {
        {0, 1, 2, 3, 4, 5, 6}, /* in order: handed on from the store */
        {6, 5, 4, 3, 2, 1, 0}, /* reversed */
        {0, 2, 4, 6, 1, 3, 5}, /* interleaved */
        {0, 1, 2, 3, 4, 6, 5}, /* in order but for the last two */
        {1, 2, 3, 4, 5, 6, 0}, /* the first one last */
    };
    static char body[3500];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (char)('!' + i % 89);
    memcpy(body, SIP2, strlen(SIP2));
    buf l4 = {.n = 0};
    _udp(&l4, 5060, 5060, body, sizeof body);
    got g;
    dec_ctx *d = _dec(&g, NULL);
    size_t norders = sizeof orders / sizeof orders[0];
    for (size_t o = 0; o < norders; o++) {
        for (int k = 0; k < 7; k++) {
            size_t off = (size_t)orders[o][k] * 512;
            size_t n = off + 512 < l4.n ? 512 : l4.n - off;
            buf f = {.n = 0};
            _eth(&f, 0x0800);
            _ip4(&f, 17, n, (uint16_t)(600 + o),
                 (uint16_t)((off + n < l4.n ? 0x2000 : 0) | (off / 8)), 1);
            _put(&f, l4.b + off, n);
            _feed(d, 1, &f);
        }
        print_message("order %zu\n", o);
        assert_int_equal(g.n, (int)o + 1);
        assert_int_equal(g.len[o], sizeof body);
        assert_memory_equal(g.data[o], body, sizeof body);
    }
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_REASSEMBLED], norders);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_OVERLAP], 0);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_DUPLICATE], 0);
    dec_destroy(d);
}

/* The same IP id reused later with other bytes is a new datagram, not a
 * duplicate of the one rebuilt before. */
static void test_ipv4_fragment_id_reuse(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    static const int in_order[] = {0, 1, 2};
    _fragments(d, in_order, 3, 0, 0);
    assert_int_equal(g.n, 1);
    /* same id, same offsets, one byte differs in every fragment */
    static char big[3000];
    memset(big, 'b', sizeof big);
    memcpy(big, SIP2, strlen(SIP2));
    buf l4 = {.n = 0};
    _udp(&l4, 5060, 5060, big, 1200);
    for (int i = 0; i < 3; i++) {
        size_t off = (size_t)i * 512, n = off + 512 < l4.n ? 512 : l4.n - off;
        buf f = {.n = 0};
        _eth(&f, 0x0800);
        _ip4(&f, 17, n, 77, (uint16_t)((off + n < l4.n ? 0x2000 : 0) | (off / 8)), 1);
        _put(&f, l4.b + off, n);
        _feed(d, 1, &f);
    }
    assert_int_equal(g.n, 2);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_DUPLICATE], 0);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_REASSEMBLED], 2);
    dec_destroy(d);
}

static void test_vxlan_gtpu_erspan_depth(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    size_t n = strlen(SIP1);
    buf inner = {.n = 0};
    _eth(&inner, 0x0800);
    _ip4_udp_sip(&inner, SIP1);
    buf f = {.n = 0};
    /* VXLAN: UDP 4789, 8-byte header with the I flag, then Ethernet */
    _eth(&f, 0x0800);
    _ip4(&f, 17, 8 + 8 + inner.n, 1, 0, 9);
    _u16(&f, 33333);
    _u16(&f, 4789);
    _u16(&f, (uint16_t)(8 + 8 + inner.n));
    _u16(&f, 0);
    _put(&f, "\x08\x00\x00\x00\x00\x00\x01\x00", 8);
    _put(&f, inner.b, inner.n);
    _feed(d, 1, &f);
    /* GTP-U G-PDU (UDP 2152), no optional fields, then IPv4 */
    f.n = 0;
    _eth(&f, 0x0800);
    _ip4(&f, 17, 8 + 8 + 20 + 8 + n, 1, 0, 9);
    _u16(&f, 2152);
    _u16(&f, 2152);
    _u16(&f, (uint16_t)(8 + 8 + 20 + 8 + n));
    _u16(&f, 0);
    _u8(&f, 0x30);
    _u8(&f, 0xff);
    _u16(&f, (uint16_t)(20 + 8 + n));
    _u32(&f, 1);
    _ip4_udp_sip(&f, SIP1);
    _feed(d, 1, &f);
    /* GRE ERSPAN type II (sequence bit set): 8-byte header, then Ethernet */
    f.n = 0;
    _eth(&f, 0x0800);
    _ip4(&f, 47, 8 + 8 + inner.n, 1, 0, 9);
    _u16(&f, 0x1000);
    _u16(&f, 0x88be);
    _u32(&f, 1);
    _put(&f, "\x10\x01\x00\x00\x00\x00\x00\x00", 8);
    _put(&f, inner.b, inner.n);
    _feed(d, 1, &f);
    /* GRE transparent Ethernet bridging */
    f.n = 0;
    _eth(&f, 0x0800);
    _ip4(&f, 47, 4 + inner.n, 1, 0, 9);
    _u16(&f, 0);
    _u16(&f, 0x6558);
    _put(&f, inner.b, inner.n);
    _feed(d, 1, &f);
    assert_int_equal(g.n, 4);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(g.data[i], SIP1);
        assert_true(g.pl[i].flags & DEC_PL_ENCAPSULATED);
        assert_int_equal(g.pl[i].src.ip[3], 1); /* inner source */
    }
    assert_int_equal(dec_counters(d)[DEC_C_ENCAPSULATED], 4);
    /* twelve IP-in-IP levels: beyond the nesting bound, counted bad_ip */
    f.n = 0;
    _eth(&f, 0x0800);
    for (int lvl = 12; lvl > 0; lvl--)
        _ip4(&f, 4, (size_t)lvl * 20 + 8 + n, 1, 0, 9);
    _ip4_udp_sip(&f, SIP1);
    _feed(d, 1, &f);
    assert_int_equal(g.n, 4);
    assert_int_equal(dec_counters(d)[DEC_C_BAD_IP], 1);
    assert_int_equal(dec_counters(d)[DEC_C_ENCAPSULATED], 5);
    dec_destroy(d);
}

static void test_sctp_udp_checks(void **state)
{
    (void)state;
    got g;
    dec_config cfg;
    dec_config_default(&cfg);
    cfg.strict_ports = 1;
    dec_ctx *d = _dec(&g, &cfg);
    size_t n1 = strlen(SIP1), n2 = strlen(SIP2);
    size_t c1 = 16 + n1, c2 = 16 + n2;
    size_t p1 = (c1 + 3) & ~(size_t)3, p2 = (c2 + 3) & ~(size_t)3;
    buf f = {.n = 0};
    _eth(&f, 0x0800);
    _ip4(&f, 132, 12 + p1 + 8 + p2, 1, 0, 1);
    _u16(&f, 5060);
    _u16(&f, 5060);
    _u32(&f, 0x11223344u);
    _u32(&f, 0);
    /* DATA chunk 1, unfragmented (B|E) */
    _u8(&f, 0);
    _u8(&f, 3);
    _u16(&f, (uint16_t)c1);
    _u32(&f, 1);
    _u16(&f, 0);
    _u16(&f, 0);
    _u32(&f, 0);
    _put(&f, SIP1, n1);
    for (size_t k = c1; k < p1; k++)
        _u8(&f, 0);
    /* a SACK chunk between them (ignored) */
    _u8(&f, 3);
    _u8(&f, 0);
    _u16(&f, 8);
    _u32(&f, 0);
    _u8(&f, 0);
    _u8(&f, 3);
    _u16(&f, (uint16_t)c2);
    _u32(&f, 2);
    _u16(&f, 0);
    _u16(&f, 1);
    _u32(&f, 0);
    _put(&f, SIP2, n2);
    for (size_t k = c2; k < p2; k++)
        _u8(&f, 0);
    _feed(d, 1, &f);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.data[0], SIP1);
    assert_string_equal(g.data[1], SIP2);
    assert_int_equal(g.pl[1].transport, DEC_TP_SCTP);
    /* UDP length below the header: bad_udp */
    f.n = 0;
    _eth(&f, 0x0800);
    _ip4(&f, 17, 8 + n1, 1, 0, 1);
    _udp(&f, 5060, 5060, SIP1, n1);
    f.b[14 + 20 + 4] = 0;
    f.b[14 + 20 + 5] = 4;
    _feed(d, 1, &f);
    assert_int_equal(dec_counters(d)[DEC_C_BAD_UDP], 1);
    /* strict ports: a payload between two other ports is not handed on */
    f.n = 0;
    _eth(&f, 0x0800);
    _ip4(&f, 17, 8 + n1, 1, 0, 1);
    _udp(&f, 7000, 7001, SIP1, n1);
    _feed(d, 1, &f);
    /* an empty datagram is not handed on either */
    f.n = 0;
    _eth(&f, 0x0800);
    _ip4(&f, 17, 8, 1, 0, 1);
    _udp(&f, 5060, 5060, "", 0);
    _feed(d, 1, &f);
    assert_int_equal(g.n, 2);
    assert_int_equal(dec_counters(d)[DEC_C_PAYLOADS], 2);
    dec_destroy(d);
}

/* TCP between the given ports; payload of n bytes. */
static void _seg_ports(dec_ctx *d, uint16_t sport, uint16_t dport, uint8_t src, uint32_t seq,
                       const char *p, size_t n, uint8_t flags)
{
    buf f = {.n = 0};
    _eth(&f, 0x0800);
    _ip4(&f, 6, 20 + n, 1, 0, src);
    f.b[f.n - 1] = src == 1 ? 2 : 1; /* the peer */
    _tcp(&f, sport, dport, seq, flags, p, n);
    _feed(d, 1, &f);
}

static void test_tcp_tls_midstream_and_lifecycle(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    /* TLS application data on 5061, the capture joined late: both sides
     * make one TLS flow, and nothing is "resynced" as SIP */
    _seg_ports(d, 40000, 5061, 1, 77, "\x17\x03\x03\x00\x20 encrypted........", 24, 0x18);
    _seg_ports(d, 5061, 40000, 2, 99, "\x17\x03\x03\x00\x20 encrypted........", 24, 0x18);
    _seg_ports(d, 40000, 5061, 1, 101, "\x17\x03\x03\x00\x20 encrypted........", 24, 0x18);
    assert_int_equal(dec_counters(d)[DEC_C_TLS_FLOWS], 1);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_MALFORMED], 0);
    assert_int_equal(g.n, 0);
    /* listed with its endpoints: no handshake seen, so the side on the SIP
     * port is the server; every segment of both directions counts */
    size_t ntls;
    uint64_t not_listed;
    const dec_tls_flow *tf = dec_tls_flows(d, &ntls, &not_listed);
    assert_int_equal(ntls, 1);
    assert_int_equal(not_listed, 0);
    char a[SS_ADDR_STRLEN];
    ss_addr_format(&tf[0].client, a, sizeof a);
    assert_string_equal(a, "10.0.0.1:40000");
    ss_addr_format(&tf[0].server, a, sizeof a);
    assert_string_equal(a, "10.0.0.2:5061");
    assert_int_equal(tf[0].packets, 3);
    assert_int_equal(tf[0].bytes, 72);
    assert_int_equal(tf[0].handshake_seen, 0);
    assert_string_equal(tf[0].sni, "");
    assert_true(tf[0].last_us - tf[0].first_us == 2000);
    /* FIN after a complete message: the direction is released, and data
     * on the same ports later starts a new one */
    size_t n1 = strlen(SIP1);
    uint64_t streams = dec_counters(d)[DEC_C_TCP_STREAMS];
    _seg_ports(d, 41000, 5060, 1, 500, SIP1, n1, 0x19); /* PSH|ACK|FIN */
    assert_int_equal(g.n, 1);
    _seg_ports(d, 41000, 5060, 1, 9000, SIP1, n1, 0x18);
    assert_int_equal(g.n, 2);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_STREAMS], streams + 2);
    /* RST with half a message waiting: counted as cut off */
    _seg_ports(d, 41000, 5060, 1, 9000 + (uint32_t)n1, SIP1, 20, 0x18);
    _seg_ports(d, 5060, 41000, 2, 1, "", 0, 0x04);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_INCOMPLETE_AT_END], 1);
    /* the same ports right after the RST: a new direction, not the one
     * just freed (tcp_stream.c keeps the half of the latest segment at
     * hand; under ASan a stale one would be a use after free) */
    streams = dec_counters(d)[DEC_C_TCP_STREAMS];
    _seg_ports(d, 41000, 5060, 1, 20000, SIP1, n1, 0x18);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.data[2], SIP1);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_STREAMS], streams + 1);
    /* idle timeout: a hole that never fills is given up, what follows it
     * is delivered, marked as after a gap */
    size_t n2 = strlen(SIP2);
    _seg_ports(d, 42000, 5060, 1, 1, SIP2, 10, 0x18);
    _seg_ports(d, 42000, 5060, 1, 1 + (uint32_t)n2, SIP1, n1, 0x18);
    assert_int_equal(g.n, 3);
    dec_advance(d, g_ts + 301LL * 1000000);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.data[3], SIP1);
    assert_true(g.pl[3].flags & DEC_PL_TCP_AFTER_GAP);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_GAP_BYTES], n2 - 10);
    dec_destroy(d);
}

/* A TLS 1.3-style ClientHello record: session id, 2 cipher suites, one
 * compression method, a supported_versions extension, then server_name. */
static size_t _client_hello(uint8_t *out, const char *host)
{
    buf b = {.n = 0};
    size_t hl = strlen(host);
    _u8(&b, 22); _u16(&b, 0x0301); _u16(&b, 0); /* record, length patched */
    _u8(&b, 1); _u8(&b, 0); _u16(&b, 0);        /* ClientHello, length patched */
    _u16(&b, 0x0303);
    for (int i = 0; i < 32; i++)
        _u8(&b, (uint8_t)i);
    _u8(&b, 4); _u32(&b, 0xdeadbeef);           /* session id */
    _u16(&b, 4); _u16(&b, 0x1301); _u16(&b, 0x1302);
    _u8(&b, 1); _u8(&b, 0);
    size_t ext_at = b.n;
    _u16(&b, 0);
    _u16(&b, 43); _u16(&b, 3); _u8(&b, 2); _u16(&b, 0x0304); /* supported_versions */
    _u16(&b, 0); _u16(&b, (uint16_t)(hl + 5)); _u16(&b, (uint16_t)(hl + 3));
    _u8(&b, 0); _u16(&b, (uint16_t)hl); _put(&b, host, hl);
    size_t ext = b.n - ext_at - 2, hs = b.n - 9, rec = b.n - 5;
    b.b[ext_at] = (uint8_t)(ext >> 8); b.b[ext_at + 1] = (uint8_t)ext;
    b.b[7] = (uint8_t)(hs >> 8); b.b[8] = (uint8_t)hs;
    b.b[3] = (uint8_t)(rec >> 8); b.b[4] = (uint8_t)rec;
    memcpy(out, b.b, b.n);
    return b.n;
}

static void test_tls_client_hello_sni_and_table(void **state)
{
    (void)state;
    uint8_t ch[512];
    size_t n = _client_hello(ch, "sip.example.test");
    ss_slice sni;
    assert_int_equal(dec_tls_handshake_type(ch, n), 1);
    assert_int_equal(dec_tls_sni(ch, n, &sni), 0);
    assert_true(ss_slice_ieq_str(sni, "sip.example.test"));
    /* cut anywhere: no read past the end, and a name only when all of it is there */
    for (size_t cut = 0; cut < n; cut++) {
        int r = dec_tls_sni(ch, cut, &sni);
        assert_true(r == -1 || (sni.p + sni.len <= ch + cut && sni.len > 0));
        assert_int_equal(r, cut == n ? 0 : -1);
    }
    /* lengths that lie: a host name longer than what follows; an
     * extension longer than the bytes there (a ClientHello cut by its
     * segment) still gives a name that is wholly present */
    uint8_t bad[512];
    memcpy(bad, ch, n);
    bad[n - 16 - 2] = 0xff; /* host name length, high byte */
    assert_int_equal(dec_tls_sni(bad, n, &sni), -1);
    memcpy(bad, ch, n);
    bad[n - 16 - 5 - 2] = 0xff; /* server_name extension length, high byte */
    assert_int_equal(dec_tls_sni(bad, n, &sni), 0);
    assert_int_equal(sni.len, 16);
    const uint8_t app[] = {0x17, 3, 3, 0, 2, 1, 2};
    assert_int_equal(dec_tls_handshake_type(app, sizeof app), -1);
    assert_int_equal(dec_tls_sni(app, sizeof app, &sni), -1);

    /* the table: the ClientHello's sender is the client, SNI kept; the cap
     * lists one flow and counts the next */
    got g;
    dec_config cfg;
    dec_config_default(&cfg);
    cfg.tls_max_flows = 1;
    dec_ctx *d = _dec(&g, &cfg);
    _seg_ports(d, 50000, 5061, 1, 1, (const char *)ch, n, 0x18);
    _seg_ports(d, 5061, 50000, 2, 1, "\x16\x03\x03\x00\x04\x02\x00\x00\x00", 9, 0x18);
    _seg_ports(d, 50001, 5061, 1, 1, (const char *)ch, n, 0x18);
    size_t ntls;
    uint64_t not_listed;
    const dec_tls_flow *tf = dec_tls_flows(d, &ntls, &not_listed);
    assert_int_equal(dec_counters(d)[DEC_C_TLS_FLOWS], 2);
    assert_int_equal(ntls, 1);
    assert_int_equal(not_listed, 1);
    assert_string_equal(tf[0].sni, "sip.example.test");
    assert_int_equal(tf[0].handshake_seen, 1);
    assert_int_equal(tf[0].packets, 2);
    assert_int_equal(tf[0].bytes, n + 9);
    assert_int_equal(tf[0].client.port, 50000);
    assert_int_equal(g.n, 0);
    dec_destroy(d);
}

/* A segment retransmitted after the FIN that closed its direction is a
 * retransmission: the message it holds was handed on already. */
static void test_tcp_retransmit_after_fin(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    size_t n1 = strlen(SIP1), n2 = strlen(SIP2);
    _seg_ports(d, 43000, 5060, 1, 1, "", 0, 0x02); /* SYN */
    _seg_ports(d, 43000, 5060, 1, 2, SIP2, n2, 0x18);
    _seg_ports(d, 43000, 5060, 1, 2 + (uint32_t)n2, SIP1, n1, 0x19); /* PSH|ACK|FIN */
    assert_int_equal(g.n, 2);
    uint64_t retrans = dec_counters(d)[DEC_C_TCP_RETRANS];
    _seg_ports(d, 43000, 5060, 1, 2 + (uint32_t)n2, SIP1, n1, 0x19); /* the same again */
    _seg_ports(d, 43000, 5060, 1, 2, SIP2, n2, 0x18);               /* an older one */
    assert_int_equal(g.n, 2);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_RETRANS], retrans + 2);
    /* a new connection on the same ports whose SYN was not captured still
     * starts a new stream */
    _seg_ports(d, 43000, 5060, 1, 700000, SIP1, n1, 0x18);
    assert_int_equal(g.n, 3);
    dec_finish(d);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_INCOMPLETE_AT_END], 0);
    dec_destroy(d);
}

/* Sequence numbers wrap: a message across 2^32 is rebuilt. */
static void test_tcp_seq_wraparound(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    size_t n2 = strlen(SIP2);
    uint32_t seq = 0xffffffffu - 20;
    _seg_ports(d, 43000, 5060, 1, seq - 1, "", 0, 0x02);
    _seg_ports(d, 43000, 5060, 1, seq + 40, SIP2 + 40, n2 - 40, 0x18); /* after the wrap, early */
    _seg_ports(d, 43000, 5060, 1, seq, SIP2, 40, 0x18);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.data[0], SIP2);
    assert_true(g.pl[0].flags & DEC_PL_TCP_SEGMENTS);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_GAP], 0);
    dec_destroy(d);
}

/* IPv4 total length 0 (TSO, captured on the sending host) runs to the end
 * of the frame; a UDP length beyond a complete IP payload is bad_udp. */
static void test_ipv4_tso_and_udp_length(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    size_t n1 = strlen(SIP1);
    buf f = {.n = 0};
    _udp_frame(&f, SIP1, n1);
    f.b[14 + 2] = 0;
    f.b[14 + 3] = 0;
    _feed(d, 1, &f);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.data[0], SIP1);
    _udp_frame(&f, SIP1, n1);
    f.b[14 + 20 + 5] += 10; /* UDP length 10 past the IP payload */
    _feed(d, 1, &f);
    assert_int_equal(g.n, 1);
    assert_int_equal(dec_counters(d)[DEC_C_BAD_UDP], 1);
    assert_int_equal(dec_counters(d)[DEC_C_TRUNCATED], 0);
    dec_destroy(d);
}

/* Which streams count as SIP: HTTP after a SYN is not SIP even on 5060; a
 * "SIP/2.0" answer to an HTTP client is not SIP (an evasion); a capture
 * that joins a SIP port mid-message skips to the next start line. */
static void test_tcp_sip_or_not(void **state)
{
    (void)state;
    got g;
    dec_ctx *d = _dec(&g, NULL);
    static const char http[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    _seg_ports(d, 5060, 8888, 1, 10, "", 0, 0x02);
    _seg_ports(d, 5060, 8888, 1, 11, http, strlen(http), 0x18);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_NOT_SIP], 1);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_MALFORMED], 0);
    _seg_ports(d, 44000, 80, 1, 1, get, strlen(get), 0x18);
    _seg_ports(d, 80, 44000, 2, 1, SIP1, strlen(SIP1), 0x18);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_NOT_SIP], 3);
    assert_int_equal(g.n, 0);
    /* mid-message on 5060: the body tail is skipped, the next message is
     * handed on as after a re-sync */
    char mid[512];
    size_t tail = 12, n1 = strlen(SIP1);
    memcpy(mid, "a=sendrecv\r\n", tail); /* an SDP line end */
    memcpy(mid + tail, SIP1, n1);
    _seg_ports(d, 45000, 5060, 1, 777, mid, tail + n1, 0x18);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.data[0], SIP1);
    assert_true(g.pl[0].flags & DEC_PL_TCP_AFTER_GAP);
    assert_int_equal(dec_counters(d)[DEC_C_TCP_MALFORMED], tail);
    dec_destroy(d);
}

/* ---- real captures (skipped when the shared corpus is absent) ---- */
#define CAPDIR "/work/shared/captures/public/"

static unsigned g_cap_sip;
static void _count_sip(void *user, const dec_payload *pl)
{
    unsigned *tp = user;
    tp[pl->transport & 7]++;
    if (sip_looks_like(pl->data.p, pl->data.len))
        g_cap_sip++;
}

static uint32_t _rd32(const uint8_t *p, int swap)
{
    return swap ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
                : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}

/* Decodes a classic pcap file (not pcapng) with a minimal reader, so this
 * test needs no libpcap. Returns -1 when the file is not there. */
static int _decode_pcap(const char *name, unsigned *tp, const uint64_t **ctr_out, dec_ctx **dout)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", CAPDIR, name);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    uint8_t gh[24], rh[16];
    static uint8_t pkt[262144];
    if (fread(gh, 1, 24, fp) != 24) {
        fclose(fp);
        return -1;
    }
    uint32_t magic = _rd32(gh, 0);
    int swap = !(magic == 0xa1b2c3d4u || magic == 0xa1b23c4du);
    int nsec = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
    int lt = (int)(_rd32(gh + 20, swap) & 0x0fffffff);
    dec_ctx *d = NULL;
    assert_int_equal(dec_create(&d, NULL, _count_sip, tp), 0);
    uint64_t no = 0;
    while (fread(rh, 1, 16, fp) == 16) {
        uint32_t cap = _rd32(rh + 8, swap), wire = _rd32(rh + 12, swap);
        if (cap > sizeof pkt || fread(pkt, 1, cap, fp) != cap)
            break;
        int64_t ts = (int64_t)_rd32(rh, swap) * 1000000 + _rd32(rh + 4, swap) / (nsec ? 1000 : 1);
        dec_frame fr = {.ts_us = ts, .frame_no = ++no, .linktype = lt, .caplen = cap,
                        .wirelen = wire, .data = pkt};
        dec_frame_in(d, &fr);
        dec_advance(d, ts);
    }
    fclose(fp);
    dec_finish(d);
    *ctr_out = dec_counters(d);
    *dout = d;
    return 0;
}

static void test_real_captures(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        unsigned sip, udp, tcp, sctp;
    } caps[] = {
        /* IPv4 in IPv4, SIP over TCP inside */
        {"sngrep__ipip.pcap", 4, 0, 4, 0},
        /* SIP over SCTP, Linux cooked; the INVITE in fragmented DATA chunks */
        {"heplify__sip_sctp.pcap", 4, 0, 0, 4},
        /* TCP segments that need reassembly */
        {"suricataverify__sip-tcp-method__sip-tcp.pcap", 2, 0, 2, 0},
        /* IPv6 SIP in GTP-U over Linux cooked; TCP and UDP (tshark: 17) */
        {"arkime__gtp-iphone.pcap", 17, 40, 13, 0},
        /* raw IP link type */
        {"heplify__ipip0.pcap", 8, 8, 0, 0},
        /* TCP with retransmissions next to HTTPS */
        {"heplify__sip_ipv4_tcp_retrans.pcap", 8, 4, 4, 0},
    };
    int ran = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        unsigned tp[8] = {0};
        const uint64_t *c;
        dec_ctx *d;
        g_cap_sip = 0;
        if (_decode_pcap(caps[i].file, tp, &c, &d) != 0) {
            fprintf(stderr, "SKIP real capture %s%s: not found\n", CAPDIR, caps[i].file);
            continue;
        }
        ran++;
        if (g_cap_sip != caps[i].sip || tp[DEC_TP_UDP] != caps[i].udp ||
            tp[DEC_TP_TCP] != caps[i].tcp || tp[DEC_TP_SCTP] != caps[i].sctp)
            fprintf(stderr, "%s: sip %u udp %u tcp %u sctp %u\n", caps[i].file, g_cap_sip,
                    tp[DEC_TP_UDP], tp[DEC_TP_TCP], tp[DEC_TP_SCTP]);
        assert_int_equal(g_cap_sip, caps[i].sip);
        assert_int_equal(tp[DEC_TP_UDP], caps[i].udp);
        assert_int_equal(tp[DEC_TP_TCP], caps[i].tcp);
        assert_int_equal(tp[DEC_TP_SCTP], caps[i].sctp);
        assert_int_equal(c[DEC_C_TCP_GAP] + c[DEC_C_TRUNCATED] + c[DEC_C_BAD_IP], 0);
        dec_destroy(d);
    }
    if (ran == 0)
        fprintf(stderr, "SKIP test_real_captures: %s absent, no capture decoded\n", CAPDIR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_vlan_qinq_udp),
        cmocka_unit_test(test_other_link_types),
        cmocka_unit_test(test_truncated_and_bad),
        cmocka_unit_test(test_ipip_and_gre_ppp),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_ipv4_fragment_inside_fragmented_tunnel),
        cmocka_unit_test(test_ipv4_fragment_orders),
        cmocka_unit_test(test_fragment_cap),
        cmocka_unit_test(test_tcp_framing),
        cmocka_unit_test(test_tcp_out_of_order_retrans_overlap),
        cmocka_unit_test(test_tcp_gap_resync),
        cmocka_unit_test(test_tcp_not_sip_tls_and_caps),
        cmocka_unit_test(test_mpls_pppoe_loop_ipv6_links),
        cmocka_unit_test(test_ipv6_ext_headers_and_fragments),
        cmocka_unit_test(test_ipv4_fragment_duplicate_overlap),
        cmocka_unit_test(test_ipv4_fragment_spanning_overlap),
        cmocka_unit_test(test_ipv4_fragment_id_reuse),
        cmocka_unit_test(test_tcp_retransmit_after_fin),
        cmocka_unit_test(test_vxlan_gtpu_erspan_depth),
        cmocka_unit_test(test_sctp_udp_checks),
        cmocka_unit_test(test_tls_client_hello_sni_and_table),
        cmocka_unit_test(test_tcp_tls_midstream_and_lifecycle),
        cmocka_unit_test(test_tcp_seq_wraparound),
        cmocka_unit_test(test_ipv4_tso_and_udp_length),
        cmocka_unit_test(test_tcp_sip_or_not),
        cmocka_unit_test(test_real_captures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
