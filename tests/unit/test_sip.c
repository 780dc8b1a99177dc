/* test_sip.c - unit tests for the SIP parser module (src/sip/).
 *
 * Covers framing (sip_frame, sip_looks_like), the parser's SIP/NOT-SIP/
 * MALFORMED policy, compact forms, folding, every header view, multiple
 * messages per buffer, stream completeness, NUL bytes, 10,000 headers and
 * 64 KiB lines, reason phrases, and the RFC 4475 torture messages from
 * ../shared/captures/torture (or $SIPSCOPE_SHARED/captures/torture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "../../src/sip/sip_int.h"

#include "sipscope/sip.h"

/* sip_msg is big; tests reuse one, as callers do. */
static sip_msg g_msg;

#define U8(s) ((const uint8_t *)(s))
#define SL(s) ss_slice_make((s), strlen(s))

static sip_result _parse(const char *s, int stream, size_t *used)
{
    return sip_parse(&g_msg, U8(s), strlen(s), stream, used);
}

static void _assert_slice(ss_slice got, const char *want)
{
    size_t n = strlen(want);
    if (got.len != n || (n && memcmp(got.p, want, n) != 0)) {
        print_error("slice '%.*s' != '%s'\n", (int)got.len, got.p ? (const char *)got.p : "",
                    want);
        fail();
    }
}

static const char *k_invite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: \"Alice A.\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "User-Agent: Test UA/1.0\r\n"
    "Content-Type: application/sdp; charset=utf-8\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

/* ---- framing ---- */

static void test_frame_basic(void **state)
{
    (void)state;
    size_t skip, n;
    const char *s = "\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabcNEXT";
    assert_int_equal(sip_frame(U8(s), strlen(s), 0, &skip, &n), SIP_OK);
    assert_int_equal(skip, 4);
    assert_int_equal(n, strlen("OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabc"));

    /* long form, odd case, folded value, not the first header */
    s = "SIP/2.0 200 OK\r\nVia: x\r\ncOnTeNt-LeNgTh  :\r\n   2\r\n\r\nxyz";
    assert_int_equal(sip_frame(U8(s), strlen(s), 0, &skip, &n), SIP_OK);
    assert_int_equal(n, strlen(s) - 1);

    /* bare LF line ends */
    s = "BYE sip:a@b SIP/2.0\nContent-Length: 1\n\nZ";
    assert_int_equal(sip_frame(U8(s), strlen(s), 0, &skip, &n), SIP_OK);
    assert_int_equal(n, strlen(s));

    /* no Content-Length on a stream: empty body */
    s = "ACK sip:a@b SIP/2.0\r\nVia: x\r\n\r\nGARBAGE";
    assert_int_equal(sip_frame(U8(s), strlen(s), 0, &skip, &n), SIP_OK);
    assert_int_equal(n, strlen(s) - 7);
}

/* The framer's Content-Length test compares the name and then wants
 * SP/HTAB or ':' right after it: a longer name, a shorter one, or a name
 * that only starts like it is no Content-Length (body 0), in either form
 * and any case; each message is checked against the parser in stream
 * mode, which finds the header by its own name lookup. */
static void test_frame_content_length_names(void **state)
{
    (void)state;
    static const struct {
        const char *line; /* the header line, CRLF added */
        size_t body;      /* framed body length */
    } k[] = {
        {"Content-Length: 3", 3},   {"CONTENT-LENGTH:3", 3},   {"content-length \t : 3", 3},
        {"l: 3", 3},                {"L:3", 3},                {"l \t: 3", 3},
        {"Content-Lengthx: 3", 0},  {"Content-Length-X: 3", 0}, {"Content-Lengt: 3", 0},
        {"Content-Length 3", 0},    {"Content-Length", 0},     {"lx: 3", 0},
        {"l", 0},                   {"C", 0},                  {"Call-ID: 3", 0},
        {"Content-Type: 3", 0},     {"Content_Length: 3", 0},  {"Kontent-Length: 3", 0},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        char buf[128];
        int head = snprintf(buf, sizeof buf, "OPTIONS sip:a@b SIP/2.0\r\n%s\r\n\r\n", k[i].line);
        snprintf(buf + head, sizeof buf - (size_t)head, "abcdef");
        size_t skip, n, used;
        print_message("%s\n", k[i].line);
        assert_int_equal(sip_frame(U8(buf), strlen(buf), 0, &skip, &n), SIP_OK);
        assert_int_equal(skip, 0);
        assert_int_equal(n, (size_t)head + k[i].body);
        sip_msg m;
        assert_int_equal(sip_parse(&m, U8(buf), strlen(buf), 1, &used), SIP_OK);
        assert_int_equal(used, n);
    }
}

static void test_frame_incomplete_and_caps(void **state)
{
    (void)state;
    size_t skip, n;
    const char *s = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\n0123456789";
    size_t full = strlen(s);
    for (size_t k = 0; k < full; k++)
        assert_int_equal(sip_frame(U8(s), k, 0, &skip, &n), SIP_INCOMPLETE);
    assert_int_equal(sip_frame(U8(s), full, 0, &skip, &n), SIP_OK);
    assert_int_equal(n, full);

    /* only keep-alives so far */
    assert_int_equal(sip_frame(U8("\r\n\r\n"), 4, 0, &skip, &n), SIP_INCOMPLETE);
    assert_int_equal(skip, 4);

    /* header block beyond the cap */
    s = "INVITE sip:a@b SIP/2.0\r\nSubject: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    assert_int_equal(sip_frame(U8(s), strlen(s), 32, &skip, &n), SIP_MALFORMED);
    assert_int_equal(sip_frame(U8(s), strlen(s), 4096, &skip, &n), SIP_INCOMPLETE);
    /* a start line longer than the cap */
    s = "INVITE sip:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    assert_int_equal(sip_frame(U8(s), strlen(s), 16, &skip, &n), SIP_MALFORMED);
}

static void test_frame_not_sip(void **state)
{
    (void)state;
    size_t skip, n;
    const char *no[] = {
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\n",
        "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n",
        "M-SEARCH * HTTP/1.1\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        assert_int_equal(sip_frame(U8(no[i]), strlen(no[i]), 0, &skip, &n), SIP_NOT_SIP);
        assert_int_equal(sip_looks_like(U8(no[i]), strlen(no[i])), 0);
    }
    static const uint8_t rtp[] = {0x80, 0x00, 0x12, 0x34, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef};
    assert_int_equal(sip_frame(rtp, sizeof(rtp), 0, &skip, &n), SIP_NOT_SIP);
    static const uint8_t nul4[4] = {0};
    assert_int_equal(sip_frame(nul4, 4, 0, &skip, &n), SIP_NOT_SIP);
    /* text with control bytes before the line ends */
    assert_int_equal(sip_frame(U8("INVITE \x01\x02"), 9, 0, &skip, &n), SIP_NOT_SIP);
}

static void test_looks_like(void **state)
{
    (void)state;
    assert_true(sip_looks_like(U8(k_invite), strlen(k_invite)));
    assert_true(sip_looks_like(U8("SIP/2.0 180 Ringing\r\n"), 21));
    assert_true(sip_looks_like(U8("\r\nFOO sip:x SIP/2.0\r\n"), 21));
    assert_true(sip_looks_like(U8("OPTIONS sip:truncated-by-snaplen"), 32));
    assert_false(sip_looks_like(U8("hello"), 5));
    assert_false(sip_looks_like(U8(""), 0));
    assert_false(sip_looks_like(NULL, 10));
    assert_false(sip_looks_like(U8("GET / HTTP/1.0\r\n"), 16));
    assert_false(sip_looks_like(U8("INVITE  \r\n"), 10)); /* no URI, no version */
    assert_false(sip_looks_like(U8("INVITE sip:x\r\n"), 14));
    /* the version found by its usual " SIP/2.0" ending and by the scan back */
    assert_true(sip_looks_like(U8("ACK sip:x sip/2.0\r\n"), 19));
    assert_true(sip_looks_like(U8("ACK sip:x\tSIP/2.0\r\n"), 19));
    assert_true(sip_looks_like(U8("ACK sip:x SIP/2.0 \r\n"), 20));
    assert_true(sip_looks_like(U8("ACK x SIP/2.0\r\n"), 15));
    assert_false(sip_looks_like(U8("ACK  SIP/2.0\r\n"), 14)); /* nothing between */
    assert_false(sip_looks_like(U8("ACK SIP/2.0\r\n"), 13));
    assert_false(sip_looks_like(U8("ACK sip:x SIP/\r\n"), 16));
}

/* ---- parse: basics and policy ---- */

static void test_parse_request(void **state)
{
    (void)state;
    size_t used;
    assert_int_equal(_parse(k_invite, 0, &used), SIP_OK);
    sip_msg *m = &g_msg;
    assert_int_equal(used, strlen(k_invite));
    assert_true(m->is_request);
    assert_int_equal(m->method, SIP_M_INVITE);
    _assert_slice(m->method_name, "INVITE");
    _assert_slice(m->ruri, "sip:bob@biloxi.example.com");
    _assert_slice(m->version, "SIP/2.0");
    _assert_slice(m->call_id, "a84b4c76e66710@pc33.atlanta.example.com");
    assert_int_equal(m->cseq.seq, 314159);
    assert_int_equal(m->cseq.method, SIP_M_INVITE);
    _assert_slice(m->from.display, "Alice A.");
    _assert_slice(m->from.tag, "1928301774");
    _assert_slice(m->from.uri.user, "alice");
    _assert_slice(m->to.display, "Bob");
    assert_int_equal(m->to.tag.len, 0);
    _assert_slice(m->via.transport, "UDP");
    _assert_slice(m->via.host, "pc33.atlanta.example.com");
    assert_int_equal(m->via.port, 5060);
    _assert_slice(m->via.branch, "z9hG4bK776asdhds");
    assert_int_equal(m->via.rport, 0);
    assert_int_equal(m->via_count, 1);
    assert_true(m->has_contact);
    _assert_slice(m->contact.uri.host, "pc33.atlanta.example.com");
    assert_int_equal(m->max_forwards, 70);
    assert_int_equal(m->content_length, 4);
    _assert_slice(m->content_type, "application/sdp");
    _assert_slice(m->user_agent, "Test UA/1.0");
    _assert_slice(m->body, "v=0\n");
    assert_int_equal(m->raw.len, strlen(k_invite));
    assert_int_equal(m->nhdr, 10);
    assert_int_equal(m->nhdr_total, 10);
    assert_int_equal(m->hdr[0].id, SIP_H_VIA);
    _assert_slice(m->hdr[2].name, "To");
    _assert_slice(sip_header_value(m, SIP_H_CSEQ), "314159 INVITE");
    assert_int_equal(sip_header_value(m, SIP_H_SUBJECT).len, 0);
    assert_int_equal(m->defects, 0);
    assert_int_equal(m->expires, -1);
}

static void test_parse_response(void **state)
{
    (void)state;
    const char *s = "SIP/2.0 486 Busy Here\r\n"
                    "v: SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKx;received=192.0.2.1;rport=4000\r\n"
                    "f: <sip:a@b>;tag=1\r\nt: <sip:c@d>;tag=2\r\ni: cid1\r\n"
                    "CSeq: 1 INVITE\r\nServer: PBX 9\r\nl: 0\r\n\r\n";
    assert_int_equal(_parse(s, 1, NULL), SIP_OK);
    sip_msg *m = &g_msg;
    assert_false(m->is_request);
    assert_int_equal(m->status, 486);
    _assert_slice(m->reason, "Busy Here");
    _assert_slice(m->via.host, "2001:db8::1");
    assert_int_equal(m->via.port, 5070);
    _assert_slice(m->via.sent_by, "[2001:db8::1]:5070");
    _assert_slice(m->via.received, "192.0.2.1");
    assert_int_equal(m->via.rport, 4000);
    _assert_slice(m->server, "PBX 9");
    assert_int_equal(m->defects, 0);

    /* status line variants */
    assert_int_equal(_parse("SIP/2.0 200\r\n\r\n", 0, NULL), SIP_OK);
    assert_int_equal(g_msg.reason.len, 0);
    assert_int_equal(_parse("sip/2.0 200 OK\r\n\r\n", 0, NULL), SIP_OK);
    assert_int_equal(_parse("SIP/2.0 99 Low\r\n\r\n", 0, NULL), SIP_MALFORMED);
    assert_int_equal(g_msg.error, SIP_E_BAD_STATUS_CODE);
    assert_int_equal(_parse("SIP/2.0 700 High\r\n\r\n", 0, NULL), SIP_MALFORMED);
    assert_int_equal(_parse("SIP/2.0 2000 OK\r\n\r\n", 0, NULL), SIP_MALFORMED);
    assert_int_equal(_parse("SIP/2.0 20x OK\r\n\r\n", 0, NULL), SIP_MALFORMED);
    assert_int_equal(_parse("SIP/3.0 200 OK\r\n\r\n", 0, NULL), SIP_MALFORMED);
    assert_int_equal(g_msg.error, SIP_E_BAD_VERSION);
    assert_int_equal(_parse("SIP/2.0\r\n\r\n", 0, NULL), SIP_MALFORMED);
    assert_int_equal(g_msg.error, SIP_E_BAD_START_LINE);
    size_t used = 0;
    assert_int_equal(_parse("SIP/2.0 999 x\r\n\r\nbody", 0, &used), SIP_MALFORMED);
    assert_int_equal(used, strlen("SIP/2.0 999 x\r\n\r\nbody"));
}

static void test_not_sip(void **state)
{
    (void)state;
    assert_int_equal(_parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, NULL), SIP_NOT_SIP);
    assert_int_equal(_parse("HTTP/1.1 200 OK\r\n\r\n", 0, NULL), SIP_NOT_SIP);
    assert_int_equal(_parse("NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n", 0, NULL),
                     SIP_NOT_SIP);
    assert_int_equal(_parse("hello", 0, NULL), SIP_NOT_SIP);
    assert_int_equal(_parse("", 0, NULL), SIP_NOT_SIP);
    assert_int_equal(_parse("\r\n\r\n", 0, NULL), SIP_NOT_SIP); /* keep-alive */
    assert_int_equal(_parse("\r\n\r\n", 1, NULL), SIP_INCOMPLETE);
    static const uint8_t nul4[4] = {0};
    assert_int_equal(sip_parse(&g_msg, nul4, 4, 0, NULL), SIP_NOT_SIP);
    static const uint8_t rtp[] = {0x80, 0x08, 0x00, 0x01, 0, 0, 0, 160, 1, 2, 3, 4, 0xd5, 0xd5};
    assert_int_equal(sip_parse(&g_msg, rtp, sizeof(rtp), 0, NULL), SIP_NOT_SIP);
    assert_int_equal(sip_parse(&g_msg, NULL, 0, 0, NULL), SIP_NOT_SIP);
    /* request line that does not end in SIP/x */
    assert_int_equal(_parse("INVITE sip:a@b\r\n\r\n", 0, NULL), SIP_NOT_SIP);
    /* SIP-looking, unparsable: malformed, not "not SIP" */
    assert_int_equal(_parse("OPTIONS sip:a@b SIP/1.0\r\n\r\n", 0, NULL), SIP_MALFORMED);
    assert_int_equal(g_msg.error, SIP_E_BAD_VERSION);
    /* datagram without a line end still parses */
    assert_int_equal(_parse("OPTIONS sip:a@b SIP/2.0", 0, NULL), SIP_OK);
    assert_true(g_msg.defects & SIP_DEF_NO_HEADER_END);
}

static void test_unknown_and_ms_methods(void **state)
{
    (void)state;
    assert_int_equal(_parse("FOOBAR sip:a@b SIP/2.0\r\nCSeq: 2 FOOBAR\r\n\r\n", 0, NULL), SIP_OK);
    assert_int_equal(g_msg.method, SIP_M_UNKNOWN);
    _assert_slice(g_msg.method_name, "FOOBAR");
    assert_false(g_msg.defects & SIP_DEF_CSEQ_METHOD_MISMATCH);
    /* methods are case-sensitive */
    assert_int_equal(_parse("invite sip:a@b SIP/2.0\r\n\r\n", 0, NULL), SIP_OK);
    assert_int_equal(g_msg.method, SIP_M_UNKNOWN);

    static const struct { const char *name; sip_method m; } all[] = {
        {"INVITE", SIP_M_INVITE},       {"ACK", SIP_M_ACK},         {"BYE", SIP_M_BYE},
        {"CANCEL", SIP_M_CANCEL},       {"REGISTER", SIP_M_REGISTER}, {"OPTIONS", SIP_M_OPTIONS},
        {"INFO", SIP_M_INFO},           {"MESSAGE", SIP_M_MESSAGE}, {"SUBSCRIBE", SIP_M_SUBSCRIBE},
        {"NOTIFY", SIP_M_NOTIFY},       {"REFER", SIP_M_REFER},     {"PRACK", SIP_M_PRACK},
        {"UPDATE", SIP_M_UPDATE},       {"PUBLISH", SIP_M_PUBLISH}, {"NEGOTIATE", SIP_M_NEGOTIATE},
        {"SERVICE", SIP_M_SERVICE},     {"BENOTIFY", SIP_M_BENOTIFY},
    };
    char buf[128];
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        assert_int_equal(sip_method_from(SL(all[i].name)), all[i].m);
        assert_string_equal(sip_method_name(all[i].m), all[i].name);
        snprintf(buf, sizeof(buf), "%s sip:x@y SIP/2.0\r\nCSeq: 1 %s\r\n\r\n", all[i].name,
                 all[i].name);
        assert_int_equal(_parse(buf, 0, NULL), SIP_OK);
        assert_int_equal(g_msg.method, all[i].m);
        assert_int_equal(g_msg.cseq.method, all[i].m);
    }
    assert_string_equal(sip_method_name(SIP_M_UNKNOWN), "UNKNOWN");
    assert_string_equal(sip_method_name((sip_method)999), "UNKNOWN");
    assert_int_equal(sip_method_from(SL("Invite")), SIP_M_UNKNOWN);
    assert_int_equal(sip_method_from(SS_SLICE_NULL), SIP_M_UNKNOWN);
}

/* ---- headers: names, compact forms, folding ---- */

static void test_hdr_lookup(void **state)
{
    (void)state;
    for (int id = 1; id < SIP_H__COUNT; id++) {
        const char *n = sip_hdr_name((sip_hdr_id)id);
        assert_non_null(n);
        assert_int_equal(sip_hdr_lookup(U8(n), strlen(n)), id);
        char up[64], lo[64];
        size_t k = strlen(n);
        for (size_t i = 0; i <= k; i++) {
            up[i] = (char)((n[i] >= 'a' && n[i] <= 'z') ? n[i] - 32 : n[i]);
            lo[i] = (char)((n[i] >= 'A' && n[i] <= 'Z') ? n[i] + 32 : n[i]);
        }
        assert_int_equal(sip_hdr_lookup(U8(up), k), id);
        assert_int_equal(sip_hdr_lookup(U8(lo), k), id);
    }
    static const struct { char c; sip_hdr_id id; } compact[] = {
        {'i', SIP_H_CALL_ID},       {'f', SIP_H_FROM},           {'t', SIP_H_TO},
        {'v', SIP_H_VIA},           {'m', SIP_H_CONTACT},        {'l', SIP_H_CONTENT_LENGTH},
        {'c', SIP_H_CONTENT_TYPE},  {'k', SIP_H_SUPPORTED},      {'s', SIP_H_SUBJECT},
        {'e', SIP_H_CONTENT_ENCODING}, {'o', SIP_H_EVENT},       {'u', SIP_H_ALLOW_EVENTS},
        {'r', SIP_H_REFER_TO},      {'b', SIP_H_REFERRED_BY},    {'x', SIP_H_SESSION_EXPIRES},
        {'y', SIP_H_IDENTITY},      {'a', SIP_H_ACCEPT_CONTACT}, {'j', SIP_H_REJECT_CONTACT},
        {'d', SIP_H_REQUEST_DISPOSITION},
    };
    for (size_t i = 0; i < sizeof(compact) / sizeof(compact[0]); i++) {
        char c = compact[i].c, C = (char)(c - 32);
        assert_int_equal(sip_hdr_lookup(U8(&c), 1), compact[i].id);
        assert_int_equal(sip_hdr_lookup(U8(&C), 1), compact[i].id);
    }
    assert_int_equal(sip_hdr_lookup(U8("z"), 1), SIP_H_OTHER);
    assert_int_equal(sip_hdr_lookup(U8("X-Call-ID"), 9), SIP_H_X_CID);
    assert_int_equal(sip_hdr_lookup(U8("Call-IE"), 7), SIP_H_OTHER);
    assert_int_equal(sip_hdr_lookup(U8("Contact\0"), 8), SIP_H_OTHER);
    assert_int_equal(sip_hdr_lookup(U8("NewFangledHeader"), 16), SIP_H_OTHER);
    assert_int_equal(sip_hdr_lookup(NULL, 0), SIP_H_OTHER);
    assert_null(sip_hdr_name(SIP_H_OTHER));
    assert_null(sip_hdr_name((sip_hdr_id)1000));
}

static void test_compact_message(void **state)
{
    (void)state;
    const char *s = "SUBSCRIBE sip:p@example.com SIP/2.0\r\n"
                    "v: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                    "f: <sip:a@example.com>;tag=aa\r\n"
                    "t: sip:p@example.com\r\n"
                    "i: compact-1\r\n"
                    "CSeq: 7 SUBSCRIBE\r\n"
                    "m: <sip:a@h>;expires=60\r\n"
                    "o: presence;id=3\r\n"
                    "k: eventlist\r\n"
                    "u: dialog\r\n"
                    "c: application/pidf+xml\r\n"
                    "s: hi\r\n"
                    "e: gzip\r\n"
                    "r: <sip:x@y>\r\n"
                    "b: <sip:z@w>\r\n"
                    "x: 1800\r\n"
                    "y: abc\r\n"
                    "a: *;audio\r\n"
                    "j: *;video\r\n"
                    "d: proxy\r\n"
                    "l: 0\r\n\r\n";
    assert_int_equal(_parse(s, 1, NULL), SIP_OK);
    sip_msg *m = &g_msg;
    _assert_slice(m->call_id, "compact-1");
    _assert_slice(m->event, "presence");
    _assert_slice(m->content_type, "application/pidf+xml");
    assert_int_equal(m->content_length, 0);
    assert_int_equal(m->defects, 0);
    static const sip_hdr_id want[] = {
        SIP_H_VIA, SIP_H_FROM, SIP_H_TO, SIP_H_CALL_ID, SIP_H_CSEQ, SIP_H_CONTACT,
        SIP_H_EVENT, SIP_H_SUPPORTED, SIP_H_ALLOW_EVENTS, SIP_H_CONTENT_TYPE, SIP_H_SUBJECT,
        SIP_H_CONTENT_ENCODING, SIP_H_REFER_TO, SIP_H_REFERRED_BY, SIP_H_SESSION_EXPIRES,
        SIP_H_IDENTITY, SIP_H_ACCEPT_CONTACT, SIP_H_REJECT_CONTACT, SIP_H_REQUEST_DISPOSITION,
        SIP_H_CONTENT_LENGTH,
    };
    assert_int_equal(m->nhdr, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < m->nhdr; i++)
        assert_int_equal(m->hdr[i].id, want[i]);
}

static void test_folding_and_lws(void **state)
{
    (void)state;
    /* modelled on RFC 4475 wsinv, written independently */
    const char *s = "INVITE sip:u@example.com;unknownparam SIP/2.0\r\n"
                    "TO :\r\n sip:u@example.com ;   tag    = 1918181833n\r\n"
                    "from   : \"J Rosenberg \\\\\\\"\"       <sip:j@example.com>\r\n"
                    "  ;\r\n  tag = 98asjd8\r\n"
                    "MaX-fOrWaRdS: 0068\r\n"
                    "Call-ID: ws.1@192.0.2.1\r\n"
                    "Content-Length   : 3\r\n"
                    "cseq: 0009\r\n  INVITE\r\n"
                    "Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n"
                    "s :\r\n"
                    "NewFangledHeader:   newfangled value\r\n continued newfangled value\r\n"
                    "v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n"
                    "  branch  =   z9hG4bK9ikj8  ,\r\n"
                    " SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239\r\n"
                    "m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
                    "      newvalue ;\r\n  secondparam ; q = 0.33\r\n"
                    "\r\nabc";
    size_t used;
    assert_int_equal(_parse(s, 0, &used), SIP_OK);
    sip_msg *m = &g_msg;
    assert_int_equal(used, strlen(s));
    _assert_slice(m->to.tag, "1918181833n");
    _assert_slice(m->to.uri.host, "example.com");
    _assert_slice(m->from.tag, "98asjd8");
    _assert_slice(m->from.display, "J Rosenberg \\\\\\\"");
    assert_int_equal(m->max_forwards, 68);
    assert_int_equal(m->cseq.seq, 9);
    assert_int_equal(m->cseq.method, SIP_M_INVITE);
    _assert_slice(m->via.transport, "UDP");
    _assert_slice(m->via.host, "192.0.2.2");
    _assert_slice(m->via.branch, "390skdjuw");
    assert_false(sip_branch_is_rfc3261(m->via.branch));
    assert_int_equal(m->via_count, 3);
    _assert_slice(m->contact.display, "Quoted string \\\"\\\"");
    ss_slice q;
    assert_int_equal(sip_param(m->contact.params, "q", &q), 1);
    _assert_slice(q, "0.33");
    assert_int_equal(sip_param(m->contact.params, "newparam", &q), 1);
    _assert_slice(q, "newvalue");
    assert_int_equal(sip_param(m->contact.params, "secondparam", &q), 1);
    assert_int_equal(q.len, 0);
    _assert_slice(m->body, "abc");
    assert_int_equal(m->defects, 0);
    /* the folded value keeps its CRLF+WSP: a slice, not a copy */
    ss_slice nf = sip_header_value(m, SIP_H_OTHER);
    _assert_slice(nf, "newfangled value\r\n continued newfangled value");

    /* a continuation line with nothing above it */
    assert_int_equal(_parse("OPTIONS sip:a@b SIP/2.0\r\n folded\r\nCall-ID: x\r\n\r\n", 0, NULL),
                     SIP_OK);
    assert_true(g_msg.defects & SIP_DEF_BAD_HEADER_LINE);
    _assert_slice(g_msg.call_id, "x");
    /* a line without ':' */
    assert_int_equal(_parse("OPTIONS sip:a@b SIP/2.0\r\nNoColonHere\r\n: empty\r\n\r\n", 0, NULL),
                     SIP_OK);
    assert_true(g_msg.defects & SIP_DEF_BAD_HEADER_LINE);
    assert_int_equal(g_msg.nhdr_total, 0);
}

/* ---- views ---- */

static void test_view_name_addr(void **state)
{
    (void)state;
    sip_name_addr na;
    assert_int_equal(sip_parse_name_addr(SL("\"A \\\"q\\\" B\" <sip:a@h:5062;transport=tcp>;tag=x1;foo"), &na), 0);
    _assert_slice(na.display, "A \\\"q\\\" B");
    _assert_slice(na.uri.scheme, "sip");
    _assert_slice(na.uri.user, "a");
    _assert_slice(na.uri.host, "h");
    assert_int_equal(na.uri.port, 5062);
    _assert_slice(na.uri.raw, "sip:a@h:5062;transport=tcp");
    _assert_slice(na.tag, "x1");
    _assert_slice(na.params, ";tag=x1;foo");

    assert_int_equal(sip_parse_name_addr(SL("Bob Smith <sips:bob@[2001:db8::2]:5061>"), &na), 0);
    _assert_slice(na.display, "Bob Smith");
    _assert_slice(na.uri.host, "2001:db8::2");
    assert_int_equal(na.uri.port, 5061);
    assert_int_equal(na.tag.len, 0);

    /* bare addr-spec: ;tag is a header parameter, not a URI parameter */
    assert_int_equal(sip_parse_name_addr(SL("sip:+15551234@gw.example.com;tag=99;user=phone"), &na), 0);
    _assert_slice(na.uri.raw, "sip:+15551234@gw.example.com");
    _assert_slice(na.uri.user, "+15551234");
    _assert_slice(na.tag, "99");
    assert_int_equal(na.display.len, 0);

    /* no LWS between display and '<' (RFC 4475 lwsdisp) */
    assert_int_equal(sip_parse_name_addr(SL("caller<sip:caller@example.com>;tag=323"), &na), 0);
    _assert_slice(na.display, "caller");
    /* tel URI and a first value of a list */
    assert_int_equal(sip_parse_name_addr(SL("<tel:+1-201-555-0123;ext=1>, <sip:b@c>"), &na), 0);
    _assert_slice(na.uri.user, "+1-201-555-0123");
    assert_int_equal(na.params.len, 0);

    /* defects */
    assert_int_equal(sip_parse_name_addr(SL("\"unterminated <sip:a@b>"), &na), -2);
    assert_int_equal(sip_parse_name_addr(SL("Bell, Alexander <sip:a@b>;tag=1"), &na), -2);
    _assert_slice(na.tag, "1");
    assert_int_equal(sip_parse_name_addr(SL("<sip:a@b"), &na), -1);
    assert_int_equal(sip_parse_name_addr(SL("< sip:a@b >"), &na), -1);
    assert_int_equal(sip_parse_name_addr(SL("sip:a@b?Route=x"), &na), -1);
    assert_int_equal(sip_parse_name_addr(SL("<sip:a@b>;;;"), &na), -1);
    assert_int_equal(sip_parse_name_addr(SL("\"x\" sip:a@b"), &na), -1);
    assert_int_equal(sip_parse_name_addr(SL(""), &na), -1);
    assert_int_equal(sip_parse_name_addr(SL("<sip:>"), &na), -1);
    assert_int_equal(sip_parse_name_addr(SL("<nourischeme>"), &na), -1);
}

static void test_view_uri(void **state)
{
    (void)state;
    sip_uri u;
    assert_int_equal(sip_parse_uri(SL("sip:alice:secret@atlanta.com:5080;transport=udp?subject=x"), &u), 0);
    _assert_slice(u.user, "alice");
    _assert_slice(u.host, "atlanta.com");
    assert_int_equal(u.port, 5080);
    /* user part with ';' (RFC 4475 semiuri) */
    assert_int_equal(sip_parse_uri(SL("sip:user;par=u%40example.net@example.com"), &u), 0);
    _assert_slice(u.user, "user;par=u%40example.net");
    _assert_slice(u.host, "example.com");
    assert_int_equal(sip_parse_uri(SL("sip:[::1]"), &u), 0);
    _assert_slice(u.host, "::1");
    assert_int_equal(u.port, 0);
    assert_int_equal(sip_parse_uri(SL("sip:example.com"), &u), 0);
    assert_int_equal(u.user.len, 0);
    assert_int_equal(sip_parse_uri(SL("tel:+358-555-1234567;postd=pp22"), &u), 0);
    _assert_slice(u.user, "+358-555-1234567");
    assert_int_equal(sip_parse_uri(SL("im:fred@example.com"), &u), 0);
    _assert_slice(u.host, "example.com");
    assert_int_equal(sip_parse_uri(SL("http://www.example.com:8080/x"), &u), 0);
    _assert_slice(u.host, "www.example.com");
    assert_int_equal(u.port, 8080);
    assert_int_equal(sip_parse_uri(SL("urn:service:sos"), &u), 0);
    _assert_slice(u.scheme, "urn");
    assert_int_equal(sip_parse_uri(SL("sip:a@b:99999"), &u), -1);
    assert_int_equal(sip_parse_uri(SL("sip:a@[::1"), &u), -1);
    assert_int_equal(sip_parse_uri(SL("sip:a@"), &u), -1);
    assert_int_equal(sip_parse_uri(SL("no-colon"), &u), -1);
    assert_int_equal(sip_parse_uri(SL(":x"), &u), -1);
    assert_int_equal(sip_parse_uri(SS_SLICE_NULL, &u), -1);
}

static void test_view_via(void **state)
{
    (void)state;
    sip_via v;
    assert_int_equal(sip_parse_via(SL("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKa;rport=5060;received=10.0.0.1"), &v), 0);
    _assert_slice(v.protocol, "SIP/2.0");
    _assert_slice(v.transport, "WSS");
    _assert_slice(v.host, "df7jal23ls0d.invalid");
    assert_int_equal(v.port, 0);
    assert_int_equal(v.rport, 5060);
    _assert_slice(v.received, "10.0.0.1");
    assert_true(sip_branch_is_rfc3261(v.branch));
    assert_int_equal(sip_parse_via(SL("SIP/2.0/UDP 10.1.1.1 : 5060 ; branch = z9hG4bKq , SIP/2.0/TCP x"), &v), 0);
    _assert_slice(v.sent_by, "10.1.1.1 : 5060");
    assert_int_equal(v.port, 5060);
    _assert_slice(v.branch, "z9hG4bKq");
    assert_int_equal(v.rport, -1);
    assert_int_equal(sip_parse_via(SL("SIP/2.0/UDP [fe80::1%25eth0]:5060"), &v), 0);
    _assert_slice(v.host, "fe80::1%25eth0");
    assert_int_equal(sip_parse_via(SL("SIP/2.0/UDP 192.0.2.15;;"), &v), -1);
    assert_int_equal(sip_parse_via(SL("SIP/2.0 host"), &v), -1);
    assert_int_equal(sip_parse_via(SL("SIP/2.0/UDP"), &v), -1);
    assert_int_equal(sip_parse_via(SL("SIP/2.0/UDP h:port"), &v), -1);
    assert_int_equal(sip_parse_via(SL("SIP/2.0/UDP h;rport=99999"), &v), -1);
    assert_int_equal(sip_parse_via(SL(""), &v), -1);
    assert_false(sip_branch_is_rfc3261(SL("z9hG4b")));
    assert_false(sip_branch_is_rfc3261(SL("Z9HG4BK123")));
    assert_true(sip_branch_is_rfc3261(SL("z9hG4bK")));
    assert_false(sip_branch_is_rfc3261(SS_SLICE_NULL));
}

static void test_view_params_cseq_auth_tokens(void **state)
{
    (void)state;
    ss_slice v;
    ss_slice ps = SL(";lr;maddr=\"a;b\";TAG=Ab;x= y ");
    assert_int_equal(sip_param(ps, "lr", &v), 1);
    assert_int_equal(v.len, 0);
    assert_int_equal(sip_param(ps, "maddr", &v), 1);
    _assert_slice(v, "a;b");
    assert_int_equal(sip_param(ps, "tag", &v), 1);
    _assert_slice(v, "Ab");
    assert_int_equal(sip_param(ps, "Tag", NULL), 1);
    assert_int_equal(sip_param(ps, "x", &v), 1);
    _assert_slice(v, "y");
    assert_int_equal(sip_param(ps, "b", &v), 0);
    assert_int_equal(sip_param(SS_SLICE_NULL, "b", &v), 0);

    sip_cseq c;
    assert_int_equal(sip_parse_cseq(SL("4294967295 BYE"), &c), 0);
    assert_int_equal(c.seq, 4294967295u);
    assert_int_equal(c.method, SIP_M_BYE);
    assert_int_equal(sip_parse_cseq(SL("4294967296 BYE"), &c), -1);
    assert_int_equal(sip_parse_cseq(SL("12"), &c), -1);
    assert_int_equal(sip_parse_cseq(SL("x INVITE"), &c), -1);
    assert_int_equal(sip_parse_cseq(SL("1 INVITE junk"), &c), -1);
    assert_int_equal(sip_parse_cseq(SL("1INVITE"), &c), -1);

    static const struct { const char *v; sip_auth_scheme s; const char *realm; } au[] = {
        {"Digest realm=\"atlanta.com\", nonce=\"84a4cc6f\", qop=\"auth\"", SIP_AUTH_DIGEST, "atlanta.com"},
        {"NTLM realm=\"SIP Communications Service\", targetname=\"x\"", SIP_AUTH_NTLM, "SIP Communications Service"},
        {"Kerberos realm=\"SIP Communications Service\"", SIP_AUTH_KERBEROS, "SIP Communications Service"},
        {"TLS-DSK realm=\"SIP Communications Service\", version=4", SIP_AUTH_TLS_DSK, "SIP Communications Service"},
        {"basic realm=r", SIP_AUTH_BASIC, "r"},
        {"NoOneKnowsThisScheme opaque-data=here", SIP_AUTH_OTHER, ""},
        {"Digest nonce=\"a,realm=b\", realm = \"c\"", SIP_AUTH_DIGEST, "c"},
    };
    for (size_t i = 0; i < sizeof(au) / sizeof(au[0]); i++) {
        sip_auth a;
        assert_int_equal(sip_parse_auth(SL(au[i].v), &a), 0);
        assert_int_equal(a.scheme, au[i].s);
        _assert_slice(a.realm, au[i].realm);
    }
    sip_auth a;
    assert_int_equal(sip_parse_auth(SL("  "), &a), -1);
    assert_string_equal(sip_auth_scheme_name(SIP_AUTH_DIGEST), "Digest");
    assert_string_equal(sip_auth_scheme_name(SIP_AUTH_TLS_DSK), "TLS-DSK");
    assert_string_equal(sip_auth_scheme_name(SIP_AUTH_NONE), "");

    _assert_slice(sip_value_token(SL(" presence ;id=1")), "presence");
    _assert_slice(sip_value_token(SL("terminated;reason=timeout")), "terminated");
    _assert_slice(sip_value_token(SL("multipart/mixed;boundary=x")), "multipart/mixed");
    uint64_t n;
    assert_int_equal(sip_parse_uint(SL(" 3600 "), UINT32_MAX, &n), 0);
    assert_int_equal(n, 3600);
    assert_int_equal(sip_parse_uint(SL("256"), 255, &n), -1);
    assert_int_equal(sip_parse_uint(SL("99999999999999999999999"), UINT64_MAX / 10, &n), -1);
    assert_int_equal(sip_parse_uint(SL("-1"), 255, &n), -1);
    assert_int_equal(sip_parse_uint(SL(""), 255, &n), -1);
}

static void test_header_views_in_message(void **state)
{
    (void)state;
    const char *s = "NOTIFY sip:a@h SIP/2.0\r\n"
                    "Via: SIP/2.0/TLS h;branch=z9hG4bK1, SIP/2.0/UDP g;branch=z9hG4bK2\r\n"
                    "Via: SIP/2.0/UDP k;branch=z9hG4bK3;x=\"a,b\"\r\n"
                    "From: <sip:n@h>;tag=f\r\nTo: <sip:a@h>;tag=t\r\nCall-ID: c\r\nCSeq: 2 NOTIFY\r\n"
                    "Event: dialog;id=7\r\n"
                    "Subscription-State: active;expires=599\r\n"
                    "Expires: 600\r\n"
                    "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"
                    "WWW-Authenticate: Digest realm=\"r1\", nonce=\"n\"\r\n"
                    "Proxy-Authorization: NTLM qop=\"auth\", realm=\"SIP Communications Service\"\r\n"
                    "Contact: *\r\n"
                    "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
                    "Content-Length: 0\r\n\r\n";
    assert_int_equal(_parse(s, 1, NULL), SIP_OK);
    sip_msg *m = &g_msg;
    assert_int_equal(m->via_count, 3);
    _assert_slice(m->via.transport, "TLS");
    _assert_slice(m->event, "dialog");
    _assert_slice(m->subscription_state, "active");
    assert_int_equal(m->expires, 600);
    _assert_slice(m->reason_hdr, "SIP;cause=200;text=\"Call completed elsewhere\"");
    assert_int_equal(m->challenge.scheme, SIP_AUTH_DIGEST);
    _assert_slice(m->challenge.realm, "r1");
    assert_int_equal(m->credentials.scheme, SIP_AUTH_NTLM);
    _assert_slice(m->credentials.realm, "SIP Communications Service");
    assert_true(m->contact_star);
    assert_false(m->has_contact);
    assert_int_equal(m->defects, 0);
}

/* ---- bodies, multiple messages, streams ---- */

static void test_body_rules(void **state)
{
    (void)state;
    size_t used;
    /* datagram without Content-Length: body is the rest */
    assert_int_equal(_parse("MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nhello", 0, &used), SIP_OK);
    _assert_slice(g_msg.body, "hello");
    assert_int_equal(g_msg.content_length, -1);
    assert_false(g_msg.defects & SIP_DEF_NO_CONTENT_LENGTH);
    /* stream without Content-Length: no body, defect */
    assert_int_equal(_parse("MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nhello", 1, &used), SIP_OK);
    assert_int_equal(g_msg.body.len, 0);
    assert_true(g_msg.defects & SIP_DEF_NO_CONTENT_LENGTH);
    assert_int_equal(used, strlen("MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n"));
    /* Content-Length larger than the datagram */
    assert_int_equal(_parse("MESSAGE sip:a@b SIP/2.0\r\nl: 50\r\n\r\nhello", 0, &used), SIP_OK);
    assert_true(g_msg.defects & SIP_DEF_BODY_TRUNCATED);
    _assert_slice(g_msg.body, "hello");
    /* ... and on a stream: wait for more */
    assert_int_equal(_parse("MESSAGE sip:a@b SIP/2.0\r\nl: 50\r\n\r\nhello", 1, &used), SIP_INCOMPLETE);
    /* trailing CRLF padding is not "extra" */
    assert_int_equal(_parse("MESSAGE sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhi\r\n\r\n \t", 0, &used), SIP_OK);
    assert_false(g_msg.defects & SIP_DEF_BODY_EXTRA);
    assert_int_equal(used, strlen("MESSAGE sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhi"));
    assert_int_equal(_parse("MESSAGE sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhiX", 0, &used), SIP_OK);
    assert_true(g_msg.defects & SIP_DEF_BODY_EXTRA);
    /* bad Content-Length values */
    const char *bad[] = {"-1", "abc", "1 2", "99999999999999999999999", "", "+3", "0x10"};
    char buf[160];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(buf, sizeof(buf), "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: %s\r\n\r\nzz", bad[i]);
        assert_int_equal(_parse(buf, 0, NULL), SIP_OK);
        assert_true(g_msg.defects & SIP_DEF_BAD_CONTENT_LENGTH);
        assert_int_equal(g_msg.content_length, -1);
        _assert_slice(g_msg.body, "zz");
        assert_int_equal(_parse(buf, 1, NULL), SIP_OK);
        assert_int_equal(g_msg.body.len, 0);
        assert_false(g_msg.defects & SIP_DEF_NO_CONTENT_LENGTH);
    }
    /* binary body with NUL and bare CR (RFC 4475 mpart01 style) */
    static const uint8_t bin[] = "INFO sip:a@b SIP/2.0\r\nContent-Length: 6\r\n\r\n\x00\r\x01\n\x00\xff";
    assert_int_equal(sip_parse(&g_msg, bin, sizeof(bin) - 1, 0, &used), SIP_OK);
    assert_int_equal(g_msg.body.len, 6);
    assert_false(g_msg.defects & SIP_DEF_NUL_IN_HEADERS);
}

static void test_multiple_messages(void **state)
{
    (void)state;
    const char *a = "\r\nBYE sip:a@b SIP/2.0\r\nCall-ID: one\r\nContent-Length: 2\r\n\r\nxy";
    const char *b = "SIP/2.0 200 OK\r\nCall-ID: two\r\nl:0\r\n\r\n";
    const char *c = "\r\n\r\nACK sip:a@b SIP/2.0\nCall-ID: three\nContent-Length: 1\n\nz";
    char buf[512];
    snprintf(buf, sizeof(buf), "%s%s%s", a, b, c);
    size_t len = strlen(buf), off = 0, used;
    const char *ids[] = {"one", "two", "three"};
    for (int stream = 0; stream <= 1; stream++) {
        off = 0;
        for (int i = 0; i < 3; i++) {
            assert_int_equal(sip_parse(&g_msg, U8(buf + off), len - off, stream, &used), SIP_OK);
            _assert_slice(g_msg.call_id, ids[i]);
            size_t skip, n;
            assert_int_equal(sip_frame(U8(buf + off), len - off, 0, &skip, &n), SIP_OK);
            assert_int_equal(skip + n, used);
            off += used;
        }
        assert_int_equal(off, len);
        assert_int_equal(sip_parse(&g_msg, U8(buf + off), len - off, stream, &used),
                         stream ? SIP_INCOMPLETE : SIP_NOT_SIP);
    }
}

static void test_stream_incomplete(void **state)
{
    (void)state;
    size_t full = strlen(k_invite), used, skip, n;
    for (size_t k = 0; k < full; k++) {
        sip_result r = sip_parse(&g_msg, U8(k_invite), k, 1, &used);
        assert_int_equal(r, SIP_INCOMPLETE);
        assert_int_equal(sip_frame(U8(k_invite), k, 0, &skip, &n), SIP_INCOMPLETE);
        /* a datagram cut anywhere past the start line still parses */
        if (k > 41) {
            assert_int_equal(sip_parse(&g_msg, U8(k_invite), k, 0, &used), SIP_OK);
            assert_true(used <= k);
        }
    }
    assert_int_equal(sip_parse(&g_msg, U8(k_invite), full, 1, &used), SIP_OK);
    assert_int_equal(used, full);
}

/* ---- NUL bytes, sizes ---- */

static void test_nul_bytes(void **state)
{
    (void)state;
    static const uint8_t m1[] = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: ab\x00" "cd\r\nSubject: x\r\n\r\n";
    assert_int_equal(sip_parse(&g_msg, m1, sizeof(m1) - 1, 0, NULL), SIP_OK);
    assert_true(g_msg.defects & SIP_DEF_NUL_IN_HEADERS);
    assert_int_equal(g_msg.call_id.len, 5);
    assert_int_equal(g_msg.nhdr, 2);
    /* quoted-pair NUL is legal (RFC 4475 intmeth) */
    static const uint8_t m2[] = "OPTIONS sip:a@b SIP/2.0\r\nTo: \"x\\\x00y\" <sip:a@b>\r\n\r\n";
    assert_int_equal(sip_parse(&g_msg, m2, sizeof(m2) - 1, 0, NULL), SIP_OK);
    assert_false(g_msg.defects & SIP_DEF_NUL_IN_HEADERS);
    assert_int_equal(g_msg.to.display.len, 4);
    /* NUL in a header name splits it: a bad line, not a crash */
    static const uint8_t m3[] = "OPTIONS sip:a@b SIP/2.0\r\nCall\x00-ID: q\r\n\r\n";
    assert_int_equal(sip_parse(&g_msg, m3, sizeof(m3) - 1, 0, NULL), SIP_OK);
    assert_true(g_msg.defects & SIP_DEF_BAD_HEADER_LINE);
    assert_true(g_msg.defects & SIP_DEF_MISSING_CALL_ID);
    /* NUL in the method: not SIP; in the Request-URI: SIP with defects */
    static const uint8_t m4[] = "INV\x00TE sip:a@b SIP/2.0\r\n\r\n";
    assert_int_equal(sip_parse(&g_msg, m4, sizeof(m4) - 1, 0, NULL), SIP_NOT_SIP);
    static const uint8_t m5[] = "INVITE sip:a\x00@b SIP/2.0\r\n\r\n";
    assert_int_equal(sip_parse(&g_msg, m5, sizeof(m5) - 1, 0, NULL), SIP_OK);
    assert_true(g_msg.defects & SIP_DEF_NUL_IN_HEADERS);
}

static void test_huge_header_count(void **state)
{
    (void)state;
    const size_t count = 10000;
    size_t cap = 64 + count * 32 + 256, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    len += (size_t)snprintf(buf + len, cap - len, "REGISTER sip:r SIP/2.0\r\n");
    for (size_t i = 0; i < count; i++)
        len += (size_t)snprintf(buf + len, cap - len, "X-H%zu: v%zu\r\n", i, i);
    len += (size_t)snprintf(buf + len, cap - len,
                            "Call-ID: last\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n");
    clock_t t0 = clock();
    for (int rep = 0; rep < 20; rep++)
        assert_int_equal(sip_parse(&g_msg, U8(buf), len, 1, NULL), SIP_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(g_msg.nhdr, SIP_MAX_HEADERS);
    assert_int_equal(g_msg.nhdr_total, count + 3);
    assert_true(g_msg.defects & SIP_DEF_TOO_MANY_HEADERS);
    _assert_slice(g_msg.call_id, "last"); /* keys beyond the index still count */
    assert_int_equal(g_msg.cseq.seq, 1);
    assert_int_equal(g_msg.content_length, 0);
    /* linear: 20 x 10,000 headers in well under a second even unoptimised */
    assert_true(secs < 2.0);
    size_t skip, n;
    assert_int_equal(sip_frame(U8(buf), len, 0, &skip, &n), SIP_OK);
    assert_int_equal(n, len);
    assert_int_equal(sip_frame(U8(buf), len, 4096, &skip, &n), SIP_MALFORMED);
    free(buf);
}

static void test_long_header_line(void **state)
{
    (void)state;
    const size_t big = 64 * 1024;
    size_t cap = 2 * big + 512, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    len += (size_t)snprintf(buf + len, cap - len, "INVITE sip:a@b SIP/2.0\r\nSubject: ");
    memset(buf + len, 'S', big);
    len += big;
    len += (size_t)snprintf(buf + len, cap - len, "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa");
    /* a 64 KiB Via line of comma-separated values */
    for (size_t i = 0; len + 40 < cap - 256 && i < big / 24; i++)
        len += (size_t)snprintf(buf + len, cap - len, ",SIP/2.0/UDP h%zu", i % 10);
    len += (size_t)snprintf(buf + len, cap - len, "\r\nCall-ID: long\r\nl: 0\r\n\r\n");
    assert_int_equal(sip_parse(&g_msg, U8(buf), len, 1, NULL), SIP_OK);
    assert_int_equal(sip_header_value(&g_msg, SIP_H_SUBJECT).len, big);
    assert_int_equal(g_msg.via_count, 1 + big / 24);
    _assert_slice(g_msg.call_id, "long");
    assert_int_equal(g_msg.defects & ~(SIP_DEF_MISSING_CSEQ | SIP_DEF_MISSING_FROM | SIP_DEF_MISSING_TO), 0);
    /* a 64 KiB Request-URI */
    len = 0;
    len += (size_t)snprintf(buf + len, cap - len, "OPTIONS sip:");
    memset(buf + len, 'u', big);
    len += big;
    len += (size_t)snprintf(buf + len, cap - len, "@h SIP/2.0\r\n\r\n");
    assert_int_equal(sip_parse(&g_msg, U8(buf), len, 0, NULL), SIP_OK);
    assert_int_equal(g_msg.ruri.len, big + 6);
    free(buf);
}

/* ---- codes and names ---- */

static void test_reason_phrases(void **state)
{
    (void)state;
    static const int iana[] = {
        100, 180, 181, 182, 183, 199, 200, 202, 204, 300, 301, 302, 305, 380, 400, 401, 402,
        403, 404, 405, 406, 407, 408, 410, 412, 413, 414, 415, 416, 417, 420, 421, 422, 423,
        424, 425, 428, 429, 430, 433, 436, 437, 438, 439, 440, 469, 470, 480, 481, 482, 483,
        484, 485, 486, 487, 488, 489, 491, 493, 494, 500, 501, 502, 503, 504, 505, 513, 555,
        580, 600, 603, 604, 606, 607, 608,
    };
    size_t k = 0, registered = 0;
    for (int c = 0; c < 1000; c++) {
        const char *r = sip_reason_phrase(c);
        int listed = k < sizeof(iana) / sizeof(iana[0]) && iana[k] == c;
        if (listed) {
            assert_non_null(r);
            assert_true(strlen(r) > 1);
            k++;
        } else if (r != NULL) {
            print_error("code %d is not in the IANA registry but has '%s'\n", c, r);
            fail();
        }
        registered += r != NULL;
    }
    assert_int_equal(registered, sizeof(iana) / sizeof(iana[0]));
    assert_string_equal(sip_reason_phrase(200), "OK");
    assert_string_equal(sip_reason_phrase(481), "Call/Transaction Does Not Exist");
    assert_string_equal(sip_reason_phrase(504), "Server Time-out");
    assert_string_equal(sip_reason_phrase(603), "Decline");
    assert_string_equal(sip_reason_phrase(608), "Rejected");
    assert_null(sip_reason_phrase(409));
    assert_null(sip_reason_phrase(-1));
}

static void test_names(void **state)
{
    (void)state;
    for (int b = 0; b < SIP_DEF__COUNT; b++) {
        const char *n = sip_defect_name(1u << b);
        assert_non_null(n);
        for (int c = 0; c < b; c++)
            assert_string_not_equal(n, sip_defect_name(1u << c));
    }
    assert_string_equal(sip_defect_name(SIP_DEF_CSEQ_METHOD_MISMATCH), "cseq_method_mismatch");
    assert_null(sip_defect_name(0));
    assert_null(sip_defect_name(3));
    assert_null(sip_defect_name(1u << SIP_DEF__COUNT));
    assert_string_equal(sip_error_name(SIP_E_BAD_START_LINE), "bad_start_line");
    assert_string_equal(sip_error_name(SIP_E_BAD_STATUS_CODE), "bad_status_code");
    for (int e = 0; e < SIP_E__COUNT; e++)
        assert_non_null(sip_error_name((sip_error)e));
    assert_non_null(sip_error_name((sip_error)99));
}

static void test_reuse_clears(void **state)
{
    (void)state;
    assert_int_equal(_parse(k_invite, 0, NULL), SIP_OK);
    assert_int_equal(_parse("SIP/2.0 100 Trying\r\n\r\n", 0, NULL), SIP_OK);
    sip_msg *m = &g_msg;
    assert_false(m->is_request);
    assert_int_equal(m->call_id.len, 0);
    assert_int_equal(m->nhdr, 0);
    assert_int_equal(m->via_count, 0);
    assert_int_equal(m->content_length, -1);
    assert_int_equal(m->max_forwards, -1);
    assert_int_equal(m->via.rport, -1);
    assert_false(m->has_contact);
    assert_int_equal(m->challenge.scheme, SIP_AUTH_NONE);
    assert_int_equal(m->defects, SIP_DEF_MISSING_CALL_ID | SIP_DEF_MISSING_CSEQ |
                                     SIP_DEF_MISSING_FROM | SIP_DEF_MISSING_TO |
                                     SIP_DEF_MISSING_VIA);
}

/* ---- RFC 4475 torture messages ---- */

typedef struct torture_case {
    const char *file;
    sip_result result;
    sip_error error;
    unsigned status;
    uint32_t cseq;
    const char *method; /* "" for responses */
    const char *call_id;
    uint32_t defects; /* exact set */
} torture_case;

/* Generated once from the parser, then checked line by line against the
 * RFC's reason for each message (see MANIFEST.tsv): every INVALID message
 * is either MALFORMED with the matching error or carries the defect that
 * names the RFC's reason; VALID ones carry no defect except where the RFC
 * itself says the message is odd (dblreq's trailing request, insuf's
 * missing headers). */
static const torture_case k_torture[] = {
    {"ersip__badaspec.dat", SIP_OK, SIP_E_NONE, 0, 3923239, "OPTIONS", "badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3", SIP_DEF_BAD_TO},
    {"ersip__badbranch.dat", SIP_OK, SIP_E_NONE, 0, 8, "OPTIONS", "badbranch.sadonfo23i420jv0as0derf3j3n", 0},
    {"ersip__baddate.dat", SIP_OK, SIP_E_NONE, 0, 1392934, "INVITE", "baddate.239423mnsadf3j23lj42--sedfnm234", SIP_DEF_BAD_DATE},
    {"ersip__baddn.dat", SIP_OK, SIP_E_NONE, 0, 3923239, "OPTIONS", "baddn.31415@c.example.com", SIP_DEF_BAD_DISPLAY_NAME},
    {"ersip__badinv01.dat", SIP_OK, SIP_E_NONE, 0, 8, "INVITE", "badinv01.0ha0isndaksdjasdf3234nas", SIP_DEF_BAD_VIA | SIP_DEF_BAD_CONTACT},
    {"ersip__badvers.dat", SIP_MALFORMED, SIP_E_BAD_VERSION, 0, 1, "OPTIONS", "badvers.31417@c.example.com", 0},
    {"ersip__bcast.dat", SIP_OK, SIP_E_NONE, 200, 35, "", "bcast.0384840201234ksdfak3j2erwedfsASdf", 0},
    {"ersip__bext01.dat", SIP_OK, SIP_E_NONE, 0, 8, "OPTIONS", "bext01.0ha0isndaksdj", 0},
    {"ersip__bigcode.dat", SIP_MALFORMED, SIP_E_BAD_STATUS_CODE, 0, 353494, "", "bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i", 0},
    {"ersip__clerr.dat", SIP_OK, SIP_E_NONE, 0, 8, "INVITE", "clerr.0ha0isndaksdjweiafasdk3", SIP_DEF_BODY_TRUNCATED},
    {"ersip__cparam01.dat", SIP_OK, SIP_E_NONE, 0, 2, "REGISTER", "cparam01.70710@saturn.example.com", 0},
    {"ersip__cparam02.dat", SIP_OK, SIP_E_NONE, 0, 3, "REGISTER", "cparam02.70710@saturn.example.com", 0},
    {"ersip__dblreq.dat", SIP_OK, SIP_E_NONE, 0, 8, "REGISTER", "dblreq.0ha0isndaksdj99sdfafnl3lk233412", SIP_DEF_BODY_EXTRA},
    {"ersip__esc01.dat", SIP_OK, SIP_E_NONE, 0, 234234, "INVITE", "esc01.239409asdfakjkn23onasd0-3234", 0},
    {"ersip__esc02.dat", SIP_OK, SIP_E_NONE, 0, 29344, "RE%47IST%45R", "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf", 0},
    {"ersip__escnull.dat", SIP_OK, SIP_E_NONE, 0, 14398234, "REGISTER", "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd", 0},
    {"ersip__escruri.dat", SIP_OK, SIP_E_NONE, 0, 149209342, "INVITE", "escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5", SIP_DEF_BAD_REQUEST_URI},
    {"ersip__insuf.dat", SIP_OK, SIP_E_NONE, 0, 193942, "INVITE", "", SIP_DEF_MISSING_CALL_ID | SIP_DEF_MISSING_FROM | SIP_DEF_MISSING_TO},
    {"ersip__intmeth.dat", SIP_OK, SIP_E_NONE, 0, 139122385, "!interesting-Method0123456789_*+`.%indeed'~", "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", 0},
    {"ersip__inv2543.dat", SIP_OK, SIP_E_NONE, 0, 56, "INVITE", "inv2543.1717@ift.client.example.com", 0},
    {"ersip__invut.dat", SIP_OK, SIP_E_NONE, 0, 235448, "INVITE", "invut.0ha0isndaksdjadsfij34n23d", 0},
    {"ersip__longreq.dat", SIP_OK, SIP_E_NONE, 0, 3882340, "INVITE", "longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallylongcallid", 0},
    {"ersip__ltgtruri.dat", SIP_OK, SIP_E_NONE, 0, 1, "INVITE", "ltgtruri.1@192.0.2.5", SIP_DEF_BAD_REQUEST_URI},
    {"ersip__lwsdisp.dat", SIP_OK, SIP_E_NONE, 0, 60, "OPTIONS", "lwsdisp.1234abcd@funky.example.com", 0},
    {"ersip__lwsruri.dat", SIP_OK, SIP_E_NONE, 0, 2130706432, "INVITE", "lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423", SIP_DEF_BAD_REQUEST_URI},
    {"ersip__lwsstart.dat", SIP_OK, SIP_E_NONE, 0, 1893884, "INVITE", "lwsstart.dfknq234oi243099adsdfnawe3@example.com", SIP_DEF_BAD_START_LINE_SPACING},
    {"ersip__mcl01.dat", SIP_OK, SIP_E_NONE, 0, 15932, "OPTIONS", "mcl01.fhn2323orihawfdoa3o4r52o3irsdf", SIP_DEF_MULTIPLE_CONTENT_LENGTH | SIP_DEF_BODY_EXTRA},
    {"ersip__mismatch01.dat", SIP_OK, SIP_E_NONE, 0, 8, "OPTIONS", "mismatch01.dj0234sxdfl3", SIP_DEF_CSEQ_METHOD_MISMATCH},
    {"ersip__mismatch02.dat", SIP_OK, SIP_E_NONE, 0, 8, "NEWMETHOD", "mismatch02.dj0234sxdfl3", SIP_DEF_CSEQ_METHOD_MISMATCH},
    {"ersip__mpart01.dat", SIP_OK, SIP_E_NONE, 0, 1, "MESSAGE", "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..", 0},
    {"ersip__multi01.dat", SIP_OK, SIP_E_NONE, 0, 5, "INVITE", "multi01.98asdh@192.0.2.1", SIP_DEF_MULTIPLE_SINGLETON},
    {"ersip__ncl.dat", SIP_OK, SIP_E_NONE, 0, 0, "INVITE", "ncl.0ha0isndaksdj2193423r542w35", SIP_DEF_BAD_CONTENT_LENGTH},
    {"ersip__noreason.dat", SIP_OK, SIP_E_NONE, 100, 35, "", "noreason.asndj203insdf99223ndf", 0},
    {"ersip__novelsc.dat", SIP_OK, SIP_E_NONE, 0, 3923423, "OPTIONS", "novelsc.asdfasser0q239nwsdfasdkl34", 0},
    {"ersip__quotbal.dat", SIP_OK, SIP_E_NONE, 0, 8, "INVITE", "quotbal.aksdj", SIP_DEF_BAD_DISPLAY_NAME},
    {"ersip__regaut01.dat", SIP_OK, SIP_E_NONE, 0, 9338, "REGISTER", "regaut01.0ha0isndaksdj", 0},
    {"ersip__regbadct.dat", SIP_OK, SIP_E_NONE, 0, 1, "REGISTER", "regbadct.k345asrl3fdbv@10.0.0.1", SIP_DEF_BAD_CONTACT},
    {"ersip__regescrt.dat", SIP_OK, SIP_E_NONE, 0, 14398234, "REGISTER", "regescrt.k345asrl3fdbv@192.0.2.1", 0},
    {"ersip__scalar02.dat", SIP_OK, SIP_E_NONE, 0, 0, "REGISTER", "scalar02.23o0pd9vanlq3wnrlnewofjas9ui32", SIP_DEF_BAD_CSEQ | SIP_DEF_BAD_EXPIRES | SIP_DEF_BAD_MAX_FORWARDS},
    {"ersip__scalarlg.dat", SIP_OK, SIP_E_NONE, 503, 0, "", "scalarlg.noase0of0234hn2qofoaf0232aewf2394r", SIP_DEF_BAD_CSEQ},
    {"ersip__sdp01.dat", SIP_OK, SIP_E_NONE, 0, 8, "INVITE", "sdp01.ndaksdj9342dasdd", 0},
    {"ersip__semiuri.dat", SIP_OK, SIP_E_NONE, 0, 8, "OPTIONS", "semiuri.0ha0isndaksdj", 0},
    {"ersip__transports.dat", SIP_OK, SIP_E_NONE, 0, 60, "OPTIONS", "transports.kijh4akdnaqjkwendsasfdj", 0},
    {"ersip__trws.dat", SIP_OK, SIP_E_NONE, 0, 238923, "OPTIONS", "trws.oicu34958239neffasdhr2345r", SIP_DEF_BAD_START_LINE_SPACING},
    {"ersip__unkscm.dat", SIP_OK, SIP_E_NONE, 0, 3923423, "OPTIONS", "unkscm.nasdfasser0q239nwsdfasdkl34", 0},
    {"ersip__unksm2.dat", SIP_OK, SIP_E_NONE, 0, 234902, "REGISTER", "unksm2.daksdj@hyphenated-host.example.com", 0},
    {"ersip__unreason.dat", SIP_OK, SIP_E_NONE, 200, 35, "", "unreason.1234ksdfak3j2erwedfsASdf", 0},
    {"ersip__wsinv.dat", SIP_OK, SIP_E_NONE, 0, 9, "INVITE", "wsinv.ndaksdj@192.0.2.1", 0},
    {"ersip__zeromf.dat", SIP_OK, SIP_E_NONE, 0, 39234321, "OPTIONS", "zeromf.jfasdlfnm2o2l43r5u0asdfas", 0},
};

static const char *_shared_dir(char *buf, size_t n)
{
    const char *env = getenv("SIPSCOPE_SHARED");
    snprintf(buf, n, "%s/captures/torture", env && *env ? env : "../shared");
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

static void test_torture(void **state)
{
    (void)state;
    char dir[512], path[1024];
    if (!_shared_dir(dir, sizeof(dir))) {
        fprintf(stderr, "\n*** SKIPPED: torture corpus absent (%s) ***\n\n", dir);
        skip();
    }
    static uint8_t buf[1 << 16];
    unsigned seen = 0;
    for (size_t i = 0; i < sizeof(k_torture) / sizeof(k_torture[0]); i++) {
        const torture_case *t = &k_torture[i];
        snprintf(path, sizeof(path), "%s/%s", dir, t->file);
        FILE *f = fopen(path, "rb");
        if (!f) {
            print_error("%s: missing\n", path);
            fail();
        }
        size_t n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        size_t used = 0;
        sip_result r = sip_parse(&g_msg, buf, n, 0, &used);
        if (r != t->result || g_msg.error != t->error || g_msg.defects != t->defects) {
            print_error("%s: result %d/%d error %s/%s defects %#x/%#x\n", t->file, r, t->result,
                        sip_error_name(g_msg.error), sip_error_name(t->error), g_msg.defects,
                        t->defects);
            fail();
        }
        if (t->status)
            assert_int_equal(g_msg.status, t->status);
        else
            _assert_slice(g_msg.method_name, t->method);
        _assert_slice(g_msg.call_id, t->call_id);
        assert_int_equal(g_msg.cseq.seq, t->cseq);
        assert_true(used <= n);
        /* streams frame them the same way, when the body is all there */
        size_t skip, len;
        if (sip_frame(buf, n, 0, &skip, &len) == SIP_OK && r == SIP_OK &&
            g_msg.content_length >= 0)
            assert_int_equal(skip + len, used);
        seen++;
    }
    assert_int_equal(seen, 49);

    /* a few key fields the table does not hold */
    snprintf(path, sizeof(path), "%s/ersip__transports.dat", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_int_equal(sip_parse(&g_msg, buf, n, 0, NULL), SIP_OK);
    assert_int_equal(g_msg.via_count, 5);
    _assert_slice(g_msg.via.transport, "UDP");
}

/* The name-addr fast path against the general parser, on the forms UAs
 * write and on near misses that must fall back (fuzz_sip does the same on
 * every fuzz input). */
/* The prefix match for common header names (sip_int_hdr_prefix) finds
 * what the token scan plus sip_hdr_lookup finds, and finds the common
 * names themselves; anything else ("Via :", compact forms, other names,
 * truncated lines) is left to the scan. */
static void test_hdr_prefix_agrees(void **state)
{
    (void)state;
    static const char *const common[] = {
        "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type",
        "Max-Forwards", "Allow", "Accept", "Expires", "Route", "Record-Route", "Supported",
        "Subject", "Server", "User-Agent",
    };
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
        char line[64], up[64];
        size_t nl, k = (size_t)snprintf(line, sizeof line, "%s: x", common[i]);
        for (size_t j = 0; j <= k; j++)
            up[j] = (char)((line[j] >= 'a' && line[j] <= 'z') ? line[j] - 32 : line[j]);
        sip_hdr_id want = sip_hdr_lookup(U8(common[i]), strlen(common[i]));
        assert_int_not_equal(want, SIP_H_OTHER);
        assert_int_equal(sip_int_hdr_prefix(U8(line), k, &nl), want);
        assert_int_equal(nl, strlen(common[i]));
        assert_int_equal(sip_int_hdr_prefix(U8(up), k, &nl), want);
        assert_int_equal(nl, strlen(common[i]));
        /* the name alone, or cut before its ':' */
        assert_int_equal(sip_int_hdr_prefix(U8(line), strlen(common[i]), &nl), SIP_H_OTHER);
        assert_int_equal(nl, 0);
    }
    /* every known name in every form, plus near misses: where the prefix
     * match answers, the scan and the lookup give the same */
    static const char *const tails[] = {":", " :", "x:", "-x:", "", ":v", "\t:", "\r\n"};
    for (int id = 1; id < SIP_H__COUNT; id++) {
        const char *n = sip_hdr_name((sip_hdr_id)id);
        for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
            char line[64];
            size_t nl, k = (size_t)snprintf(line, sizeof line, "%s%s", n, tails[t]);
            for (size_t cut = 0; cut <= k; cut++) {
                sip_hdr_id got = sip_int_hdr_prefix(U8(line), cut, &nl);
                if (nl == 0) {
                    assert_int_equal(got, SIP_H_OTHER);
                    continue;
                }
                assert_true(nl < cut && line[nl] == ':');
                assert_int_equal(sip_int_span(U8(line), 0, cut, SIP_CT_TOKEN), nl);
                assert_int_equal(sip_hdr_lookup(U8(line), nl), got);
            }
        }
    }
    size_t nl;
    assert_int_equal(sip_int_hdr_prefix(U8("v: x"), 4, &nl), SIP_H_OTHER); /* compact: scanned */
    assert_int_equal(sip_int_hdr_prefix(U8("Via : x"), 7, &nl), SIP_H_OTHER);
    assert_int_equal(sip_int_hdr_prefix(U8("Viaduct: x"), 10, &nl), SIP_H_OTHER);
    assert_int_equal(sip_int_hdr_prefix(U8("To\x1a x"), 5, &nl), SIP_H_OTHER); /* 0x1a | 0x20 == ':' */
    assert_int_equal(sip_int_hdr_prefix(U8("Content\rLength: x"), 18, &nl), SIP_H_OTHER);
    assert_int_equal(sip_int_hdr_prefix(NULL, 0, &nl), SIP_H_OTHER);
}

/* Ports in URIs, Via sent-by and name-addrs: short and long digit runs,
 * with the eight-bytes-at-a-time path (eight bytes or more left) and the
 * byte loop (fewer), leading zeros, and values past 65535. */
static void test_port_digits(void **state)
{
    (void)state;
    static const struct { const char *uri; int ok; unsigned port; } cases[] = {
        {"sip:h:5060", 1, 5060},            {"sip:h:5060;transport=udp", 1, 5060},
        {"sip:h:0", 1, 0},                  {"sip:h:65535", 1, 65535},
        {"sip:h:65535;x=yyyyyyyy", 1, 65535}, {"sip:h:65536", 0, 0},
        {"sip:h:65536;x=yyyyyyyy", 0, 0},   {"sip:h:0000080", 1, 80},
        {"sip:h:00000000080;x=y", 1, 80},   {"sip:h:1234567;x=y", 0, 0},
        {"sip:h:99999999;x=y", 0, 0},       {"sip:h:99999999999999", 0, 0},
        {"sip:h:7;x=yyyyyyyyyy", 1, 7},     {"sip:h:;x=yyyyyyyyyy", 0, 0},
        {"sip:h:5060\xff\xff\xff\xff\xff", 1, 5060}, {"sip:h:15061:yyyyyy", 1, 15061},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sip_uri u;
        char via[96], na[96];
        int rc = sip_parse_uri(SL(cases[i].uri), &u);
        if (cases[i].ok) {
            assert_int_equal(u.port, cases[i].port);
        } else {
            assert_int_not_equal(rc, 0);
        }
        /* the same host:port in a Via and a name-addr, fast paths and
         * general parsers alike */
        snprintf(via, sizeof via, "SIP/2.0/UDP %s", cases[i].uri + 4);
        snprintf(na, sizeof na, "<%s>", cases[i].uri);
        sip_via v, vg;
        sip_name_addr a, ag;
        int rv = sip_parse_via(SL(via), &v), rvg = sip_int_via_general(SL(via), &vg);
        int ra = sip_parse_name_addr(SL(na), &a), rag = sip_int_name_addr_general(SL(na), &ag);
        assert_int_equal(rv, rvg);
        assert_int_equal(ra, rag);
        if (cases[i].ok && strchr(cases[i].uri, ';') == NULL && strchr(cases[i].uri, '\xff') == NULL &&
            strchr(cases[i].uri + 6, ':') == NULL) {
            assert_int_equal(rv, 0);
            assert_int_equal(v.port, cases[i].port);
            assert_int_equal(ra, 0);
            assert_int_equal(a.uri.port, cases[i].port);
        }
        if (rv == 0)
            assert_int_equal(v.port, vg.port);
        if (ra == 0)
            assert_int_equal(a.uri.port, ag.uri.port);
    }
}

/* A reused sip_msg keeps nothing of the message before: views no header
 * of this message filled (From, To, CSeq, Via, Contact are cleared only
 * when absent) read as absent, whatever the previous message held. */
static void test_reuse_clears_views(void **state)
{
    (void)state;
    static const char *full =
        "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bK1;rport=7\r\n"
        "From: A <sip:a@h:1>;tag=f\r\nTo: B <sip:b@h:2>;tag=t\r\nCall-ID: c\r\n"
        "CSeq: 5 INVITE\r\nContact: <sip:a@h:3>\r\nContent-Length: 0\r\n\r\n";
    static const char *const bare[] = {
        "OPTIONS sip:b@h SIP/2.0\r\nCall-ID: d\r\nContent-Length: 0\r\n\r\n",
        "OPTIONS sip:b@h SIP/2.0\r\nVia: \r\nContact: *\r\nCall-ID: d\r\n\r\n",
        "\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
        size_t used;
        assert_int_equal(_parse(full, 0, &used), SIP_OK);
        assert_int_equal(g_msg.via.rport, 7);
        assert_int_equal(g_msg.contact.uri.port, 3);
        (void)_parse(bare[i], 0, &used);
        assert_null(g_msg.from.uri.raw.p);
        assert_null(g_msg.from.tag.p);
        assert_int_equal(g_msg.from.uri.port, 0);
        assert_null(g_msg.to.tag.p);
        assert_int_equal(g_msg.to.uri.port, 0);
        assert_int_equal(g_msg.cseq.seq, 0);
        assert_null(g_msg.cseq.method_name.p);
        assert_null(g_msg.via.branch.p);
        assert_null(g_msg.via.host.p);
        assert_int_equal(g_msg.via.port, 0);
        assert_int_equal(g_msg.via.rport, -1);
        assert_null(g_msg.contact.uri.raw.p);
        assert_int_equal(g_msg.contact.uri.port, 0);
        assert_int_equal(g_msg.has_contact, 0);
    }
}

/* Start lines around the "SIP/2.0" shortcuts: the version and the
 * spacing defect as the scans find them. */
static void test_start_line_version(void **state)
{
    (void)state;
    static const struct { const char *line; sip_result r; const char *version; uint32_t def; } cases[] = {
        {"SIP/2.0 200 OK", SIP_OK, "SIP/2.0", 0},
        {"sip/2.0 200 OK", SIP_OK, "sip/2.0", 0},
        {"SIP/2.0  200 OK", SIP_OK, "SIP/2.0", SIP_DEF_BAD_START_LINE_SPACING},
        {"SIP/2.0\t200 OK", SIP_OK, "SIP/2.0", SIP_DEF_BAD_START_LINE_SPACING},
        {"SIP/2.00 200 OK", SIP_MALFORMED, "SIP/2.00", 0},
        {"INVITE sip:a@b SIP/2.0", SIP_OK, "SIP/2.0", 0},
        {"INVITE sip:a@b sip/2.0", SIP_OK, "sip/2.0", 0},
        {"INVITE sip:a@b  SIP/2.0", SIP_OK, "SIP/2.0", SIP_DEF_BAD_START_LINE_SPACING},
        {"INVITE sip:a@b\tSIP/2.0", SIP_OK, "SIP/2.0", SIP_DEF_BAD_START_LINE_SPACING},
        {"INVITE sip:a@b SIP/2.0 ", SIP_OK, "SIP/2.0", SIP_DEF_BAD_START_LINE_SPACING},
        {"INVITE sip:a@bXSIP/2.0", SIP_NOT_SIP, "", 0},
        {"INVITE sip:a@b XSIP/2.0", SIP_NOT_SIP, "", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[256];
        size_t used;
        snprintf(msg, sizeof msg,
                 "%s\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\n"
                 "To: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
                 cases[i].line);
        sip_result r = _parse(msg, 0, &used);
        assert_int_equal(r, cases[i].r);
        if (r == SIP_NOT_SIP)
            continue;
        _assert_slice(g_msg.version, cases[i].version);
        assert_int_equal(g_msg.defects & SIP_DEF_BAD_START_LINE_SPACING, cases[i].def);
    }
}

static void test_name_addr_fast_agrees(void **state)
{
    (void)state;
    static const char *const vals[] = {
        "sipp <sip:sipp@127.0.0.1:5061>;tag=11558SIPpTag001",
        "<sip:bob@b.example>",
        "<sip:bob@b.example>;tag=x;epid=1;+sip.instance",
        "sip:sipp@127.0.0.1:5061",
        "sip:a@h;transport=udp;expires=3600",
        "Bob Smith <sips:bob@b.example:5061;transport=tls>;tag=a6c85cf",
        "<sip:b.example>",
        "Bob  Smith   <sip:bob@b.example>;tag=2", /* display trim on the fast path */
        "b <sip:bob@b.example>",
        "<sip:bob@b.example;x=1 >",
        "<sip:bob@[::1]:5060>",
        "\"Bob\" <sip:bob@b.example>;tag=1",
        "<sip:bob@b.example>;tag=\"q\"",
        "<sip:bob@b.example>; tag=1",
        "<sip:bob@b.example>;tag=1,<sip:c@d>",
        "<sip:bob@b.example>;;tag=1",
        "<sip:bob@b.example>;tag=",
        "<sip:bob@b.example>junk",
        "<sip:bob@b.example:99999>",
        "<sip:bob@b.example:>",
        "<sip:user;par=a@b.example>",
        "<sip:bob@b.example?subject=x>",
        "<tel:+15551234>;tag=1",
        "sip:bob@b.example?x=y",
        "sip:bob@b.example ;tag=1",
        "sip:bob@b.example;tag=1@x",
        "sip:j.user@example.com;tag=<7321hj23128", /* fuzz_sip: '<' makes it a name-addr */
        "<sip:alice:secret@a.example>",
        "<SIP:Bob@B.EXAMPLE>;TAG=Upper",
        "<sip:%61lice@a.example>",
        "<sip:bob@b%2eexample>",
        "Bell, Alexander <sip:a.g.bell@bell-tel.com>;tag=43",
        "<sip:bob@b.example",
        "<sip:b@h>;TAG=a;tag=b", /* around the ";tag=" shortcut */
        "<sip:b@h>;x=1;tag=a;tag=b",
        "<sip:b@h>;tag=a b",
        "<sip:b@h>;tag=a,b",
        "<sip:b@h>;tag=\"a\"",
        "<sip:b@h>;tag;tag=a",
        "<sip:b@h>;tags=a;tag=b",
        "<sip:b@h>;tag=;x",
        "<sipx:bob@b.example>", /* around the "sip:" shortcut */
        "<si:bob@b.example>",
        "<sip.x:bob@b.example>",
        "<sIpS:bob@b.example>",
        "<sip:>",
        "<sip:",
        "sips:bob@b.example;tag=1",
        "sip:",
        "<>",
        "",
    };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        ss_slice v = ss_slice_make(vals[i], strlen(vals[i]));
        sip_name_addr a, b;
        int ra = sip_parse_name_addr(v, &a), rb = sip_int_name_addr_general(v, &b);
        assert_int_equal(ra, rb);
#define SAME(f) assert_true(a.f.p == b.f.p && a.f.len == b.f.len)
        SAME(display);
        SAME(tag);
        SAME(params);
        SAME(uri.raw);
        SAME(uri.scheme);
        SAME(uri.user);
        SAME(uri.host);
#undef SAME
        assert_int_equal(a.uri.port, b.uri.port);
    }
}

static void test_via_fast_agrees(void **state)
{
    (void)state;
    static const char *const vals[] = {
        "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-11558-1-0",
        "SIP/2.0/TCP h.example;branch=z9hG4bKx;rport;received=10.0.0.1",
        "SIP/2.0/UDP h:5060;rport=5070;branch=z9hG4bK1",
        "SIP/2.0/UDP h:5060;rport=70000",
        "SIP/2.0/UDP h:5060;rport=x",
        "SIP / 2.0 / UDP h:5060;branch=z9hG4bK1",
        "SIP/2.0/UDP  h:5060;branch=z9hG4bK1",
        "SIP/2.0/UDP\th:5060",
        "SIP/2.0/UDP h : 5060",
        "SIP/2.0/UDP [::1]:5060;branch=z9hG4bK1",
        "SIP/2.0/UDP h:5060;branch=z9hG4bK1,SIP/2.0/UDP g",
        "SIP/2.0/UDP h:5060;branch=\"q\"",
        "SIP/2.0/UDP h:5060;;branch=1",
        "SIP/2.0/UDP h:5060;branch=1 ",
        "SIP/2.0/UDP h:",
        "SIP/2.0/UDP h:99999",
        "SIP/2.0/UDP",
        "SIP/2.0/UDP h;BRANCH=Up;Received=1.2.3.4;RPORT=1",
        "SIP/2.0/UDP h;maddr=224.2.0.1;ttl=16;branch=z9hG4bK1",
        "sip/2.0/udp h:5060;branch=z9hG4bK1", /* the sent-protocol shortcut, any case */
        "SIP/2.0/UDP h;Branch=a;branch=b", /* around the ";branch=" shortcut */
        "SIP/2.0/UDP h;branch=a;BRANCH=b;rport",
        "SIP/2.0/UDP h;branch=",
        "SIP/2.0/UDP h;branch=;rport=5",
        "SIP/2.0/UDP h;branch=a b",
        "SIP/2.0/UDP h;branch=a\"b",
        "SIP/2.0/UDP h;branches=a;branch=b",
        "SIP/2.0/UDP h;branch;branch=b",
        "SIP/2.0/",
        "SIP/2.0/ h",
        "SIP/2.0//UDP h",
        "SIP/2.01/UDP h",
        "SIP/3.0/UDP h",
        "",
    };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        ss_slice v = ss_slice_make(vals[i], strlen(vals[i]));
        sip_via a, b;
        int ra = sip_parse_via(v, &a), rb = sip_int_via_general(v, &b);
        assert_int_equal(ra, rb);
#define SAME(f) assert_true(a.f.p == b.f.p && a.f.len == b.f.len)
        SAME(protocol);
        SAME(transport);
        SAME(sent_by);
        SAME(host);
        SAME(branch);
        SAME(received);
#undef SAME
        assert_int_equal(a.port, b.port);
        assert_int_equal(a.rport, b.rport);
    }
}

/* The CSeq fast path against the general parser: the usual forms and
 * near misses (LWS, ten and eleven digits, 2**32, junk after the method). */
static void test_cseq_fast_agrees(void **state)
{
    (void)state;
    static const char *const vals[] = {
        "1 INVITE", "314159 INVITE", "2 BYE", "4294967295 ACK", "4294967296 ACK",
        "0000000001 ACK", "00000000001 ACK", "12345678901 ACK", "1  INVITE", "1\tINVITE",
        " 1 INVITE", "1 INVITE ", "1 INVITE x", "1 INV;ITE", "1 ", "1", "INVITE", "1INVITE",
        "1 invite", "1 FOO", "-1 ACK", "1 A", "",
    };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        ss_slice v = ss_slice_make(vals[i], strlen(vals[i]));
        sip_cseq a, b;
        int ra = sip_parse_cseq(v, &a), rb = sip_int_cseq_general(v, &b);
        assert_int_equal(ra, rb);
        assert_int_equal(a.seq, b.seq);
        assert_true(a.method_name.p == b.method_name.p && a.method_name.len == b.method_name.len);
        assert_int_equal(a.method, b.method);
    }
    sip_cseq c;
    assert_int_equal(sip_parse_cseq(SS_SLICE_LIT("4294967295 ACK"), &c), 0);
    assert_int_equal(c.seq, 4294967295u);
    assert_int_equal(c.method, SIP_M_ACK);
    assert_int_not_equal(sip_parse_cseq(SS_SLICE_LIT("4294967296 ACK"), &c), 0);
}

/* Status codes: the usual "ddd SP" and the forms around it (no reason,
 * HTAB, two or four digits, out of range). */
static void test_status_codes(void **state)
{
    (void)state;
    static const struct { const char *line; int ok; unsigned code; const char *reason; } cases[] = {
        {"SIP/2.0 200 OK", 1, 200, "OK"},       {"SIP/2.0 180 Ringing", 1, 180, "Ringing"},
        {"SIP/2.0 100 ", 1, 100, ""},           {"SIP/2.0 699 x", 1, 699, "x"},
        {"SIP/2.0 200", 1, 200, ""},            {"SIP/2.0 200\tOK", 1, 200, "OK"},
        {"SIP/2.0 099 x", 0, 0, NULL},          {"SIP/2.0 700 x", 0, 0, NULL},
        {"SIP/2.0 20 OK", 0, 0, NULL},          {"SIP/2.0 2000 OK", 0, 0, NULL},
        {"SIP/2.0 20x OK", 0, 0, NULL},         {"SIP/2.0 200x OK", 0, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n", cases[i].line);
        sip_result r = _parse(msg, 0, NULL);
        if (!cases[i].ok) {
            assert_int_equal(r, SIP_MALFORMED);
            assert_int_equal(g_msg.error, SIP_E_BAD_STATUS_CODE);
            continue;
        }
        assert_int_equal(r, SIP_OK);
        assert_int_equal(g_msg.status, cases[i].code);
        _assert_slice(g_msg.reason, cases[i].reason);
    }
}

/* Header values are stored without the LWS around them, whatever the
 * spacing: the usual " value CR" (trimmed by its two ends) and everything
 * around it (no SP, two, HTAB, a lone CR, a control byte next to the
 * ends, folding, an empty value). */
static void test_header_value_trim(void **state)
{
    (void)state;
    static const struct { const char *line; const char *value; } cases[] = {
        {"X-A: a\r\n", "a"},          {"X-B:  b \r\n", "b"},        {"X-C:c\r\n", "c"},
        {"X-D: \r\n", ""},            {"X-E: e\t\r\n", "e"},       {"X-F:\tf\r\n", "f"},
        {"X-G: \x01\r\n", "\x01"},    {"X-H: h\x01\r\n", "h\x01"}, {"X-I: i\r\r\n", "i"},
        {"X-J: j\n", "j"},             {"X-K: k k\r\n", "k k"},      {"X-L: \xc3\xa9\r\n", "\xc3\xa9"},
        {"X-M: m\r\n n \r\n", "m\r\n n"}, {"Subject: s\r\n", "s"},   {"Subject:\r\n", ""},
        {"X-N:  n\r\n", "n"},         {"X-O: o \r\n", "o"},         {"X-P: \tp\r\n", "p"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "OPTIONS sip:b@h SIP/2.0\r\n%sCall-ID: x\r\nContent-Length: 0\r\n\r\n", cases[i].line);
        assert_int_equal(_parse(msg, 0, NULL), SIP_OK);
        assert_true(g_msg.nhdr >= 1);
        if (g_msg.hdr[0].value.len != strlen(cases[i].value) ||
            memcmp(g_msg.hdr[0].value.p, cases[i].value, g_msg.hdr[0].value.len) != 0)
            fail_msg("value of \"%s\": \"%.*s\"", cases[i].line, (int)g_msg.hdr[0].value.len,
                     (const char *)g_msg.hdr[0].value.p);
    }
}

/* The 16-byte parameter-value scan ends where the table loop ends: every
 * byte value at every position of slices from 1 to 40 bytes (both the
 * 16-byte steps and the shifted last 16 bytes), from several starts. */
static void test_span_pval_agrees(void **state)
{
    (void)state;
    uint8_t buf[40];
    for (int c = 0; c < 256; c++) {
        for (size_t n = 1; n <= sizeof buf; n++) {
            for (size_t at = 0; at < n; at++) {
                memset(buf, 'a', n);
                buf[at] = (uint8_t)c;
                const size_t starts[] = {0, 1, at, n - 1, n};
                for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
                    size_t i = starts[k] <= n ? starts[k] : n;
                    size_t want = sip_int_span(buf, i, n, SIP_CT_PVAL);
                    if (sip_int_span_pval(buf, i, n) != want)
                        fail_msg("byte 0x%02x at %zu of %zu from %zu", c, at, n, i);
                }
            }
        }
    }
}

/* The header loop's LF search finds what memchr finds: no LF, one at
 * every position, two, in slices of 0 to 40 bytes from every start. */
static void test_find_lf(void **state)
{
    (void)state;
    uint8_t buf[40];
    for (size_t n = 0; n <= sizeof buf; n++) {
        for (size_t at = 0; at <= n; at++) { /* at == n: no LF */
            memset(buf, 'x', sizeof buf);
            if (at < n)
                buf[at] = '\n';
            if (at + 3 < n)
                buf[at + 3] = '\n';
            for (size_t i = 0; i <= n; i++) {
                const uint8_t *q = i < n ? memchr(buf + i, '\n', n - i) : NULL;
                size_t want = q ? (size_t)(q - buf) : n;
                if (sip_int_find_lf(buf, i, n) != want)
                    fail_msg("LF at %zu of %zu from %zu", at, n, i);
            }
        }
    }
    assert_int_equal(sip_int_find_lf(NULL, 0, 0), 0);
}

/* The case-insensitive literal compare at every length from 0 to 15 (one
 * byte, two and four overlapping bytes, one word, a word plus an
 * overlapping word): either case matches, any one changed byte does not,
 * nor does another length. */
static void test_ieq_lit_lengths(void **state)
{
    (void)state;
    static const char lit[] = "content-length:";
    for (size_t n = 0; n < sizeof lit; n++) {
        uint8_t buf[16];
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)((lit[i] >= 'a' && lit[i] <= 'z') ? lit[i] - 32 : lit[i]);
        assert_true(sip_int_ieq_lit(ss_slice_make(lit, n), lit, n));
        assert_true(sip_int_ieq_lit(ss_slice_make(buf, n), lit, n));
        if (n > 0)
            assert_false(sip_int_ieq_lit(ss_slice_make(buf, n - 1), lit, n));
        for (size_t i = 0; i < n; i++) {
            buf[i] ^= 0x01;
            assert_false(sip_int_ieq_lit(ss_slice_make(buf, n), lit, n));
            buf[i] ^= 0x01 ^ 0x20; /* the other case of a letter; '-' ^ 0x20 is CR */
            assert_int_equal(sip_int_ieq_lit(ss_slice_make(buf, n), lit, n), lit[i] >= 'a');
            buf[i] ^= 0x20;
        }
    }
}

/* The Request-URI check's fast path against the general one, on the
 * usual forms and on near misses that must fall back; the expected
 * answer is checked too, so that both cannot be wrong together. */
static void test_ruri_fast_agrees(void **state)
{
    (void)state;
    static const struct { const char *ruri; int ok; } cases[] = {
        {"sip:bench@127.0.0.1:15060", 1},
        {"sip:bob@b.example", 1},
        {"SIPS:Bob@B.Example:5061", 1},
        {"sip:b.example", 1},
        {"sip:bob@b.example;transport=udp", 1},
        {"sip:bob@b.example;lr;x=1", 1},
        {"sip:bob@b.example;x=a?b", 0},
        {"sip:bob@b.example?subject=x", 0},
        {"sip:bob@b.example;x=a b", 0},
        {"sip:bob@b.example;x=a\tb", 0},
        {"sip:bob@b.example:99999", 0},
        {"sip:bob@b.example:", 0},
        {"sip:bob@b.example:5060x", 0},
        {"sip:bob@b.example>", 0},
        {"<sip:bob@b.example>", 0},
        {"sip:bob:pw@b.example", 1},
        {"sip:user;par=a@b.example", 1},
        {"sip:b.example;x=a@b", 1},
        {"sip:bob@[::1]:5060", 1},
        {"sip:bob@b.example\r", 1},
        {"sip:bob@b.example;x\r", 1},
        {"sip:%61lice@a.example", 1},
        {"sip:", 0},
        {"sip:@b.example", 1},
        {"sips:", 0},
        {"tel:+15551234", 1},
        {"urn:service:sos", 1},
        {"http://x/?a", 1},
        {"sip:bob@b.example;x=1 ", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ss_slice r = ss_slice_make(cases[i].ruri, strlen(cases[i].ruri));
        int general = sip_int_ruri_ok_general(r);
        if (general != cases[i].ok)
            fail_msg("general %d for \"%s\"", general, cases[i].ruri);
        assert_int_equal(sip_int_ruri_ok(r), general);
    }
    assert_int_equal(sip_int_ruri_ok(SS_SLICE_NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_basic),
        cmocka_unit_test(test_frame_content_length_names),
        cmocka_unit_test(test_frame_incomplete_and_caps),
        cmocka_unit_test(test_frame_not_sip),
        cmocka_unit_test(test_looks_like),
        cmocka_unit_test(test_parse_request),
        cmocka_unit_test(test_parse_response),
        cmocka_unit_test(test_not_sip),
        cmocka_unit_test(test_unknown_and_ms_methods),
        cmocka_unit_test(test_hdr_lookup),
        cmocka_unit_test(test_hdr_prefix_agrees),
        cmocka_unit_test(test_port_digits),
        cmocka_unit_test(test_reuse_clears_views),
        cmocka_unit_test(test_start_line_version),
        cmocka_unit_test(test_compact_message),
        cmocka_unit_test(test_folding_and_lws),
        cmocka_unit_test(test_view_name_addr),
        cmocka_unit_test(test_view_uri),
        cmocka_unit_test(test_view_via),
        cmocka_unit_test(test_view_params_cseq_auth_tokens),
        cmocka_unit_test(test_header_views_in_message),
        cmocka_unit_test(test_body_rules),
        cmocka_unit_test(test_multiple_messages),
        cmocka_unit_test(test_stream_incomplete),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_huge_header_count),
        cmocka_unit_test(test_long_header_line),
        cmocka_unit_test(test_reason_phrases),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_reuse_clears),
        cmocka_unit_test(test_torture),
        cmocka_unit_test(test_name_addr_fast_agrees),
        cmocka_unit_test(test_via_fast_agrees),
        cmocka_unit_test(test_ruri_fast_agrees),
        cmocka_unit_test(test_ieq_lit_lengths),
        cmocka_unit_test(test_span_pval_agrees),
        cmocka_unit_test(test_find_lf),
        cmocka_unit_test(test_cseq_fast_agrees),
        cmocka_unit_test(test_header_value_trim),
        cmocka_unit_test(test_status_codes),
    };
    return cmocka_run_group_tests_name("sip", tests, NULL, NULL);
}
