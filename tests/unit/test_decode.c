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
        _ip4(&f, 17, n, 77, (uint16_t)((more ? 0x2000 : 0) | (off / 8)), 1);
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
    _fragments(d, reversed, 3, 1, 1); /* out of order, last one repeated with other bytes */
    assert_int_equal(g.n, 2);
    assert_int_equal(dec_counters(d)[DEC_C_FRAG_REASSEMBLED], 2);
    /* incomplete: two of three, then the timeout */
    _fragments(d, in_order, 2, 0, 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_vlan_qinq_udp),
        cmocka_unit_test(test_other_link_types),
        cmocka_unit_test(test_truncated_and_bad),
        cmocka_unit_test(test_ipip_and_gre_ppp),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_fragment_cap),
        cmocka_unit_test(test_tcp_framing),
        cmocka_unit_test(test_tcp_out_of_order_retrans_overlap),
        cmocka_unit_test(test_tcp_gap_resync),
        cmocka_unit_test(test_tcp_not_sip_tls_and_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
