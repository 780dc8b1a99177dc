/* test_hep.c - the HEPv3 encoder of --hep-send (src/capture/hep_send.c)
 * against our HEP decoder: hep_parse (src/decode/hep.c) reads back every
 * chunk, and the decoder hands the inner SIP on with the original
 * addresses, ports, transport and time when the packet arrives on a HEP
 * port. IPv4 and IPv6, bounds of the output buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sipscope/decode.h"
#include "sipscope/hep.h"

static const char SIP[] = "OPTIONS sip:bob@example.test SIP/2.0\r\nCall-ID: hep-1\r\n"
                          "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

static ss_addr _v4(uint8_t last, uint16_t port)
{
    ss_addr a = {.family = 4, .port = port};
    a.ip[0] = 192, a.ip[1] = 0, a.ip[2] = 2, a.ip[3] = last;
    return a;
}

static ss_addr _v6(uint8_t last, uint16_t port)
{
    ss_addr a = {.family = 6, .port = port};
    a.ip[0] = 0x20, a.ip[1] = 0x01, a.ip[2] = 0x0d, a.ip[3] = 0xb8, a.ip[15] = last;
    return a;
}

/* The chunk (vendor 0) of the given type in a HEPv3 packet: its value and
 * length, or NULL. Walks the packet independently of hep_parse. */
static const uint8_t *_chunk(const uint8_t *p, size_t len, uint16_t type, size_t *vlen)
{
    size_t off = 6;
    while (off + 6 <= len) {
        uint16_t vendor = (uint16_t)(p[off] << 8 | p[off + 1]);
        uint16_t t = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
        size_t clen = (size_t)(p[off + 4] << 8 | p[off + 5]);
        assert_true(clen >= 6 && off + clen <= len);
        if (vendor == 0 && t == type) {
            *vlen = clen - 6;
            return p + off + 6;
        }
        off += clen;
    }
    return NULL;
}

static uint32_t _be32(const uint8_t *v) { return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]; }

static void _round_trip(const ss_addr *src, const ss_addr *dst, uint8_t proto, int64_t ts_us)
{
    uint8_t pkt[2048];
    size_t n = hep_encode(pkt, sizeof pkt, src, dst, proto, ts_us, 2002, (const uint8_t *)SIP,
                          strlen(SIP));
    assert_true(n > 0);
    assert_memory_equal(pkt, "HEP3", 4);
    assert_int_equal((size_t)(pkt[4] << 8 | pkt[5]), n);
    /* the chunks as HEPv3 defines them */
    size_t vl;
    const uint8_t *v = _chunk(pkt, n, 1, &vl);
    assert_non_null(v);
    assert_int_equal(vl, 1);
    assert_int_equal(v[0], src->family == 4 ? 2 : 10);
    assert_non_null(v = _chunk(pkt, n, 2, &vl));
    assert_int_equal(v[0], proto);
    assert_non_null(v = _chunk(pkt, n, src->family == 4 ? 3 : 5, &vl));
    assert_int_equal(vl, src->family == 4 ? 4 : 16);
    assert_memory_equal(v, src->ip, vl);
    assert_non_null(v = _chunk(pkt, n, src->family == 4 ? 4 : 6, &vl));
    assert_memory_equal(v, dst->ip, vl);
    assert_null(_chunk(pkt, n, src->family == 4 ? 5 : 3, &vl)); /* not the other family's */
    assert_non_null(v = _chunk(pkt, n, 9, &vl));
    assert_int_equal(_be32(v), (uint32_t)(ts_us / 1000000));
    assert_non_null(v = _chunk(pkt, n, 10, &vl));
    assert_int_equal(_be32(v), (uint32_t)(ts_us % 1000000));
    assert_non_null(v = _chunk(pkt, n, 11, &vl));
    assert_int_equal(v[0], 1); /* SIP */
    assert_non_null(v = _chunk(pkt, n, 12, &vl));
    assert_int_equal(_be32(v), 2002);
    assert_non_null(v = _chunk(pkt, n, 15, &vl));
    assert_int_equal(vl, strlen(SIP));
    assert_memory_equal(v, SIP, vl);

    /* our decoder reads back the same */
    hep_packet h;
    assert_int_equal(hep_parse(pkt, n, &h), 0);
    assert_int_equal(h.version, 3);
    assert_int_equal(ss_addr_cmp(&h.src, src), 0);
    assert_int_equal(ss_addr_cmp(&h.dst, dst), 0);
    assert_int_equal(h.src.port, src->port);
    assert_int_equal(h.dst.port, dst->port);
    assert_int_equal(h.ip_proto, proto);
    assert_int_equal(h.proto_type, 1);
    assert_true(h.ts_us == ts_us);
    assert_int_equal(h.compressed, 0);
    assert_int_equal(h.payload.len, strlen(SIP));
    assert_memory_equal(h.payload.p, SIP, h.payload.len);
    /* every shorter prefix is refused, never read past */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = test_malloc(cut ? cut : 1);
        memcpy(copy, pkt, cut);
        assert_true(hep_parse(copy, cut, &h) != 0);
        test_free(copy);
    }
}

static void test_encode_parse_v4(void **state)
{
    (void)state;
    ss_addr a = _v4(10, 5060), b = _v4(20, 5070);
    _round_trip(&a, &b, 17, 1795282525750519LL);
    _round_trip(&b, &a, 6, 1795282525000000LL);
    _round_trip(&a, &b, 132, 1000000LL);
}

static void test_encode_parse_v6(void **state)
{
    (void)state;
    ss_addr a = _v6(1, 5060), b = _v6(2, 40000);
    _round_trip(&a, &b, 17, 1795282525999999LL);
    _round_trip(&b, &a, 6, 1700000000123456LL);
}

static void test_encode_refuses(void **state)
{
    (void)state;
    uint8_t pkt[256];
    ss_addr a = _v4(1, 5060), b6 = _v6(2, 5060);
    /* families differ */
    assert_int_equal(hep_encode(pkt, sizeof pkt, &a, &b6, 17, 1, 2002, (const uint8_t *)SIP, 10), 0);
    /* the buffer is too small, by one byte and by much */
    ss_addr b = _v4(2, 5060);
    size_t n = hep_encode(pkt, sizeof pkt, &a, &b, 17, 1000000, 2002, (const uint8_t *)SIP, strlen(SIP));
    assert_true(n > 0);
    assert_int_equal(hep_encode(pkt, n - 1, &a, &b, 17, 1000000, 2002, (const uint8_t *)SIP, strlen(SIP)), 0);
    assert_int_equal(hep_encode(pkt, 10, &a, &b, 17, 1000000, 2002, (const uint8_t *)SIP, strlen(SIP)), 0);
    /* a payload beyond HEP's 16-bit length */
    static uint8_t big[70000], out[70000];
    assert_int_equal(hep_encode(out, sizeof out, &a, &b, 17, 1000000, 2002, big, sizeof big), 0);
}

/* The whole path: encoded packet in a UDP datagram to 9060 (DLT_RAW). */
typedef struct seen {
    int n;
    dec_payload pl;
    char data[512];
} seen;

static void _collect(void *user, const dec_payload *pl)
{
    seen *s = user;
    s->n++;
    s->pl = *pl;
    size_t n = pl->data.len < sizeof s->data - 1 ? pl->data.len : sizeof s->data - 1;
    memcpy(s->data, pl->data.p, n);
    s->data[n] = 0;
}

static void test_encode_then_decoder(void **state)
{
    (void)state;
    uint8_t frame[2048];
    ss_addr src = _v6(7, 5062), dst = _v6(8, 5060);
    int64_t ts = 1795282525750519LL;
    size_t n = hep_encode(frame + 28, sizeof frame - 28, &src, &dst, 6, ts, 2002,
                          (const uint8_t *)SIP, strlen(SIP));
    assert_true(n > 0);
    uint8_t *ip = frame, *udp = frame + 20;
    memset(frame, 0, 28);
    ip[0] = 0x45;
    ip[2] = (uint8_t)((n + 28) >> 8), ip[3] = (uint8_t)(n + 28);
    ip[8] = 64, ip[9] = 17;
    ip[12] = 127, ip[15] = 1, ip[16] = 127, ip[19] = 1;
    udp[0] = 0x9c, udp[1] = 0x40; /* 40000 */
    udp[2] = 9060 >> 8, udp[3] = 9060 & 0xff;
    udp[4] = (uint8_t)((n + 8) >> 8), udp[5] = (uint8_t)(n + 8);
    seen s = {0};
    dec_ctx *d = NULL;
    assert_int_equal(dec_create(&d, NULL, _collect, &s), 0);
    dec_frame f = {.ts_us = 42, .frame_no = 1, .linktype = 101, .caplen = (uint32_t)(n + 28),
                   .wirelen = (uint32_t)(n + 28), .data = frame};
    dec_frame_in(d, &f);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.data, SIP);
    assert_int_equal(ss_addr_cmp(&s.pl.src, &src), 0);
    assert_int_equal(ss_addr_cmp(&s.pl.dst, &dst), 0);
    assert_int_equal(s.pl.transport, DEC_TP_TCP);
    assert_true(s.pl.ts_us == ts);
    assert_true(s.pl.flags & DEC_PL_HEP);
    assert_int_equal(dec_counters(d)[DEC_C_HEP], 1);
    dec_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_parse_v4),
        cmocka_unit_test(test_encode_parse_v6),
        cmocka_unit_test(test_encode_refuses),
        cmocka_unit_test(test_encode_then_decoder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
