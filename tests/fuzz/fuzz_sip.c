/* fuzz_sip.c - libFuzzer target for the SIP parser module.
 *
 * Runs sip_parse in datagram and stream mode, sip_frame with and without a
 * header cap, sip_looks_like, and every header view over each indexed
 * header. Beyond "no crash" it checks invariants that the rest of the
 * pipeline relies on: every slice lies inside the input, *consumed never
 * exceeds the input, and stream parsing and sip_frame agree on where a
 * message ends. A violated invariant traps so the input is saved. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipscope/sip.h"
#include "../../src/sip/sip_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sip_msg g_m;

#define _CHECK(c)                                                                              \
    do {                                                                                       \
        if (!(c))                                                                              \
            __builtin_trap();                                                                  \
    } while (0)

/* A slice must be NULL/empty or inside [base, base+size]. */
static int _same(ss_slice a, ss_slice b) { return a.p == b.p && a.len == b.len; }

/* sip_parse_name_addr (with its fast path) must give exactly what the
 * general parser gives. */
static void _name_addr_agree(ss_slice v)
{
    sip_name_addr a, b;
    int ra = sip_parse_name_addr(v, &a), rb = sip_int_name_addr_general(v, &b);
    _CHECK(ra == rb);
    _CHECK(sip_int_name_addr_trimmed(sip_int_trim(v), &b) == ra);
    _CHECK(_same(a.display, b.display) && _same(a.tag, b.tag) && _same(a.params, b.params));
    _CHECK(_same(a.uri.raw, b.uri.raw) && _same(a.uri.scheme, b.uri.scheme) &&
           _same(a.uri.user, b.uri.user) && _same(a.uri.host, b.uri.host) && a.uri.port == b.uri.port);
}

static void _via_agree(ss_slice v)
{
    sip_via a, b;
    int ra = sip_parse_via(v, &a), rb = sip_int_via_general(v, &b);
    _CHECK(ra == rb);
    _CHECK(_same(a.protocol, b.protocol) && _same(a.transport, b.transport) &&
           _same(a.sent_by, b.sent_by) && _same(a.host, b.host) && a.port == b.port &&
           _same(a.branch, b.branch) && _same(a.received, b.received) && a.rport == b.rport);
    /* the parser's shortcut: what the fast path alone takes has one value
     * (no ',') and parses as sip_parse_via parses it */
    ss_slice t = sip_int_trim(v);
    if (sip_int_via_fast(t, &b)) {
        _CHECK(ra == 0 && (t.len == 0 || memchr(t.p, ',', t.len) == NULL));
        _CHECK(_same(a.sent_by, b.sent_by) && _same(a.branch, b.branch) && a.port == b.port &&
               _same(a.received, b.received) && a.rport == b.rport);
    }
}

/* sip_parse_cseq (with its fast path) gives what the general parser gives. */
static void _cseq_agree(ss_slice v)
{
    sip_cseq a, b;
    _CHECK(sip_parse_cseq(v, &a) == sip_int_cseq_general(v, &b));
    _CHECK(a.seq == b.seq && _same(a.method_name, b.method_name) && a.method == b.method);
}

/* The Request-URI check gives what its general form gives. */
static void _ruri_agree(ss_slice r) { _CHECK(sip_int_ruri_ok(r) == sip_int_ruri_ok_general(r)); }

/* A header name the prefix match finds is the one the token scan and
 * sip_hdr_lookup find, followed directly by ':'. */
static void _hdr_prefix_agree(const uint8_t *p, size_t n)
{
    size_t nl;
    sip_hdr_id id = sip_int_hdr_prefix(p, n, &nl);
    if (nl == 0) {
        _CHECK(id == SIP_H_OTHER);
        return;
    }
    _CHECK(nl < n && p[nl] == ':' && sip_int_span(p, 0, n, SIP_CT_TOKEN) == nl);
    _CHECK(id != SIP_H_OTHER && sip_hdr_lookup(p, nl) == id);
}

static void _inside(ss_slice s, const uint8_t *base, size_t size)
{
    if (s.len == 0)
        return;
    _CHECK(s.p >= base && s.p + s.len <= base + size && s.p + s.len >= s.p);
}

static void _check_msg(const sip_msg *m, const uint8_t *p, size_t n)
{
    _inside(m->raw, p, n);
    _inside(m->method_name, p, n);
    _inside(m->ruri, p, n);
    if (m->is_request)
        _ruri_agree(m->ruri);
    _inside(m->call_id, p, n);
    _inside(m->from.uri.raw, p, n);
    _inside(m->from.tag, p, n);
    _inside(m->to.tag, p, n);
    _inside(m->via.branch, p, n);
    _inside(m->via.host, p, n);
    _inside(m->cseq.method_name, p, n);
    _inside(m->body, p, n);
    _inside(m->content_type, p, n);
    _inside(m->challenge.realm, p, n);
    _CHECK(m->nhdr <= SIP_MAX_HEADERS && m->nhdr <= m->nhdr_total);
    _CHECK(m->body.len == 0 || m->body.p + m->body.len <= m->raw.p + m->raw.len);
    for (int b = 0; b < SIP_DEF__COUNT; b++)
        if (m->defects & (1u << b))
            _CHECK(sip_defect_name(1u << b) != NULL);
    _CHECK((m->defects >> SIP_DEF__COUNT) == 0);
}

/* Runs every view over every indexed header, whatever its id. */
static void _views(const sip_msg *m, const uint8_t *p, size_t n)
{
    for (uint32_t i = 0; i < m->nhdr; i++) {
        ss_slice v = m->hdr[i].value;
        sip_name_addr na;
        sip_via via;
        sip_uri u;
        sip_cseq cs;
        sip_auth au;
        ss_slice pv;
        uint64_t x;
        _inside(v, p, n);
        (void)sip_parse_name_addr(v, &na);
        _name_addr_agree(v);
        _inside(na.display, p, n);
        _inside(na.uri.host, p, n);
        _inside(na.params, p, n);
        _inside(na.tag, p, n);
        (void)sip_parse_via(v, &via);
        _via_agree(v);
        _ruri_agree(v);
        _cseq_agree(v);
        _inside(via.sent_by, p, n);
        _inside(via.received, p, n);
        (void)sip_parse_uri(v, &u);
        _inside(u.user, p, n);
        (void)sip_parse_cseq(v, &cs);
        (void)sip_parse_auth(v, &au);
        _inside(au.realm, p, n);
        if (sip_param(v, "tag", &pv))
            _inside(pv, p, n);
        _inside(sip_value_token(v), p, n);
        (void)sip_parse_uint(v, UINT32_MAX, &x);
        (void)sip_hdr_name(sip_hdr_lookup(m->hdr[i].name.p, m->hdr[i].name.len));
    }
    (void)sip_reason_phrase(m->status);
    (void)sip_method_name(m->method);
    (void)sip_branch_is_rfc3261(m->via.branch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    _name_addr_agree(ss_slice_make(data, size)); /* the whole input as one value */
    _via_agree(ss_slice_make(data, size));
    _ruri_agree(ss_slice_make(data, size));
    _cseq_agree(ss_slice_make(data, size));
    for (size_t i = 0; i < size && i < 24; i++) { /* the 16-byte scans */
        _CHECK(sip_int_span_pval(data, i, size) == sip_int_span(data, i, size, SIP_CT_PVAL));
        const uint8_t *lf = memchr(data + i, '\n', size - i);
        _CHECK(sip_int_find_lf(data, i, size) == (lf ? (size_t)(lf - data) : size));
    }
    _hdr_prefix_agree(data, size);
    for (size_t i = 0; i < size; i++) /* every line start */
        if (data[i] == '\n')
            _hdr_prefix_agree(data + i + 1, size - i - 1);
    size_t used = 0, skip = 0, len = 0;

    /* datagram mode, then whatever follows the first message */
    size_t off = 0;
    for (int k = 0; k < 8 && off < size; k++) {
        sip_result r = sip_parse(&g_m, data + off, size - off, 0, &used);
        _CHECK(r != SIP_INCOMPLETE);
        if (r == SIP_NOT_SIP)
            break;
        _CHECK(used <= size - off);
        _check_msg(&g_m, data + off, size - off);
        if (r == SIP_OK)
            _views(&g_m, data + off, size - off);
        if (used == 0)
            break;
        off += used;
    }

    /* stream mode must agree with the framer */
    sip_result rs = sip_parse(&g_m, data, size, 1, &used);
    sip_result rf = sip_frame(data, size, 0, &skip, &len);
    if (rs == SIP_OK) {
        _check_msg(&g_m, data, size);
        _CHECK(used <= size);
        _CHECK(rf == SIP_OK && skip + len == used);
    }
    if (rf == SIP_OK)
        _CHECK(skip + len <= size && len > 0);
    (void)sip_frame(data, size, 64, &skip, &len);
    (void)sip_looks_like(data, size);
    (void)sip_error_name(g_m.error);
    return 0;
}
