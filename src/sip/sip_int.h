/* sip_int.h - internals shared by the files of the SIP module (src/sip/).
 *
 * Not a public interface: other modules use include/sipscope/sip.h only.
 * Everything here is defined in frame.c, so that frame.c stays linkable on
 * its own (the TCP reassembler links only it) while parse.c and headers.c
 * reuse the same character classes and start-line checks. */
#ifndef SIPSCOPE_SIP_INT_H
#define SIPSCOPE_SIP_INT_H

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sipscope/sip.h"

/* Character classes (RFC 3261 §25.1), one table lookup per byte. */
#define SIP_CT_TOKEN 0x01 /* token char: alphanum and -.!%*_+`'~ */
#define SIP_CT_WSP   0x02 /* SP, HTAB */
#define SIP_CT_DIGIT 0x04
#define SIP_CT_CTL   0x08 /* 0x00-0x1F and 0x7F, HTAB excluded */
#define SIP_CT_LWS   0x10 /* SP, HTAB, CR, LF */
#define SIP_CT_SCHEME 0x20 /* URI scheme char after the first: alphanum + - . */
#define SIP_CT_HOST  0x40 /* scanned as host text: token chars except '%' */
#define SIP_CT_PVAL  0x80 /* in a parameter value on the fast paths: not CTL, LWS, '"', ',', ';' */

extern const uint8_t sip_int_ctype[256];

static inline int sip_int_is(uint8_t c, uint8_t cls) { return (sip_int_ctype[c] & cls) != 0; }

/* End of the run of cls bytes in p[i..n): the offset of the first byte
 * not in cls, or n. Four bytes per bounds check (the classes are table
 * bits, not ranges, so there is no cheaper SWAR test); header names,
 * hosts, tokens and parameter values are all scanned this way. */
static inline size_t sip_int_span(const uint8_t *p, size_t i, size_t n, uint8_t cls)
{
    for (; i + 4 <= n; i += 4) {
        if (!(sip_int_ctype[p[i]] & cls))
            return i;
        if (!(sip_int_ctype[p[i + 1]] & cls))
            return i + 1;
        if (!(sip_int_ctype[p[i + 2]] & cls))
            return i + 2;
        if (!(sip_int_ctype[p[i + 3]] & cls))
            return i + 3;
    }
    while (i < n && (sip_int_ctype[p[i]] & cls))
        i++;
    return i;
}

#ifdef __SSE2__
/* A 16-byte class test for the fast paths' parameter values (branch,
 * tag: 14-20 bytes, a table lookup per byte). It gives a 16-bit mask, bit
 * k set when byte k of x is in the class; test_sip checks it against
 * sip_int_ctype for every byte value and fuzz_sip against sip_int_span on
 * every input. Hosts were measured too: SIP_CT_HOST needs five ranges and
 * three single bytes, which cost more than the table loop over an IPv4
 * address. */

/* SIP_CT_PVAL: every byte above SP but DEL, '"', ',' and ';'. */
static inline unsigned sip_int_pval_mask16(__m128i x)
{
    __m128i above_sp = _mm_cmpgt_epi8(_mm_xor_si128(x, _mm_set1_epi8((char)0x80)),
                                      _mm_set1_epi8((char)(' ' ^ 0x80)));
    __m128i out = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)),
                               _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
    out = _mm_or_si128(out, _mm_cmpeq_epi8(x, _mm_set1_epi8(',')));
    out = _mm_or_si128(out, _mm_cmpeq_epi8(x, _mm_set1_epi8(';')));
    return (unsigned)_mm_movemask_epi8(_mm_andnot_si128(out, above_sp));
}
#endif

/* sip_int_span(p, i, n, SIP_CT_PVAL): the fast paths' parameter values.
 * With SSE2 (x86-64 always) 16 bytes per step while 16 are left, then,
 * when p[0..n) holds 16, the slice's last 16 bytes once, their mask
 * shifted so that bit 0 is p[i]; shorter slices take the table loop.
 * Every load stays inside p[0..n). The general parsers keep the table
 * loop, so the fast/general comparisons also compare the two scans. */
static inline size_t sip_int_span_pval(const uint8_t *p, size_t i, size_t n)
{
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16) {
        unsigned stop = ~sip_int_pval_mask16(_mm_loadu_si128((const __m128i *)(p + i))) & 0xFFFFu;
        if (stop)
            return i + (size_t)__builtin_ctz(stop);
    }
    if (i < n && n >= 16) {
        unsigned stop = ~sip_int_pval_mask16(_mm_loadu_si128((const __m128i *)(p + n - 16))) & 0xFFFFu;
        stop >>= 16 - (n - i);
        return stop ? i + (size_t)__builtin_ctz(stop) : n;
    }
#endif
    return sip_int_span(p, i, n, SIP_CT_PVAL);
}

static inline uint8_t sip_int_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/* Strips SP/HTAB/CR/LF at both ends (inline: it runs once per header). */
static inline ss_slice sip_int_trim(ss_slice s)
{
    while (s.len && sip_int_is(s.p[0], SIP_CT_LWS)) {
        s.p++;
        s.len--;
    }
    while (s.len && sip_int_is(s.p[s.len - 1], SIP_CT_LWS))
        s.len--;
    return s;
}

/* One chunk of sip_int_ieq_lit: the k bytes at p against the k bytes of
 * lit, k a constant so that the literal folds into an immediate. */
#define SIP_INT_IEQ_CHUNK_(T, k)                                                     \
    static inline int sip_int_ieq##k##_(const uint8_t *p, const char *lit)          \
    {                                                                              \
        T l, x;                                                                    \
        memcpy(&l, lit, k);                                                        \
        memcpy(&x, p, k);                                                          \
        return (T)(x | (T)((l & (T)0x4040404040404040ull) >> 1)) == l;             \
    }
SIP_INT_IEQ_CHUNK_(uint64_t, 8)
SIP_INT_IEQ_CHUNK_(uint32_t, 4)
SIP_INT_IEQ_CHUNK_(uint16_t, 2)
SIP_INT_IEQ_CHUNK_(uint8_t, 1)
#undef SIP_INT_IEQ_CHUNK_

/* 1 when s equals the lower-case literal lit (length n) ignoring ASCII
 * case; n comes from sizeof at the call site, so there is no strlen.
 * Whole words at a time: a lower-case letter has bit 0x40 set, so
 * (lit & 0x40) >> 1 puts 0x20 exactly under the letters, and x | 0x20
 * equals a letter only when x is that letter in either case; the other
 * literal characters ('-', '/', '.', ':', digits: all below 0x40) must
 * match exactly. Literals must not hold other characters from 0x40 up.
 * A length that is no word size is covered by two overlapping words
 * (e.g. 5 = bytes 0-3 and 1-4), all loads inside s: fixed-size loads of
 * a literal fold into constants where a partial copy went through the
 * stack. */
static inline int sip_int_ieq_lit(ss_slice s, const char *lit, size_t n)
{
    if (s.len != n)
        return 0;
    const uint8_t *p = s.p;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (!sip_int_ieq8_(p + i, lit + i))
                return 0;
        return sip_int_ieq8_(p + n - 8, lit + n - 8);
    }
    if (n >= 4)
        return sip_int_ieq4_(p, lit) && sip_int_ieq4_(p + n - 4, lit + n - 4);
    if (n >= 2)
        return sip_int_ieq2_(p, lit) && sip_int_ieq2_(p + n - 2, lit + n - 2);
    return n == 0 || sip_int_ieq1_(p, lit);
}
#define SIP_INT_IEQ(s, lit) sip_int_ieq_lit((s), lit, sizeof(lit) - 1)

/* Offset of the first LF in p[i..n), or n: the header loop's line end.
 * With SSE2 (x86-64 always) inline, 16 bytes per step while 16 are left,
 * then the slice's last 16 bytes once with the mask shifted so that bit 0
 * is p[i] (every load inside p[0..n)); header lines are 20-60 bytes, where
 * a memchr call cost more in its setup than in its scan. */
static inline size_t sip_int_find_lf(const uint8_t *p, size_t i, size_t n)
{
#ifdef __SSE2__
    const __m128i lf = _mm_set1_epi8('\n');
    for (; i + 16 <= n; i += 16) {
        unsigned hit = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), lf));
        if (hit)
            return i + (size_t)__builtin_ctz(hit);
    }
    if (i < n && n >= 16) {
        unsigned hit = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + n - 16)), lf));
        hit >>= 16 - (n - i);
        return hit ? i + (size_t)__builtin_ctz(hit) : n;
    }
#endif
    const uint8_t *q = i < n ? memchr(p + i, '\n', n - i) : NULL;
    return q ? (size_t)(q - p) : n;
}

/* Offset of the first byte equal to a or b in p[i..n), or n. Eight bytes
 * at a time (SWAR): in v = x ^ (byte * 0x01..01) a matching byte is zero,
 * and (v - 0x01..01) & ~v & 0x80..80 flags it; a borrow can only flag
 * bytes above a real zero, so on a little-endian load the lowest flag is
 * the first match. The loads stay inside p[0..n). Parameter lists and
 * header values are scanned this way several times per message. */
static inline size_t sip_int_find2(const uint8_t *p, size_t i, size_t n, uint8_t a, uint8_t b)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t ma = ones * a, mb = ones * b;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        uint64_t va = x ^ ma, vb = x ^ mb;
        uint64_t hit = (((va - ones) & ~va) | ((vb - ones) & ~vb)) & highs;
        if (hit)
            return i + ((size_t)__builtin_ctzll(hit) >> 3);
    }
#endif
    for (; i < n; i++)
        if (p[i] == a || p[i] == b)
            return i;
    return n;
}

/* 1 when p[0..left) starts with the lower-case literal lit (length n) in
 * any case; see sip_int_ieq_lit for the characters lit may hold. */
static inline int sip_int_starts_lit(const uint8_t *p, size_t left, const char *lit, size_t n)
{
    return left >= n && sip_int_ieq_lit(ss_slice_make(p, n), lit, n);
}

#define SIP_INT_PRE_(lit, hid)                                 \
    do {                                                       \
        if (sip_int_starts_lit(p, left, lit ":", sizeof(lit))) \
            return *name_len = sizeof(lit) - 1, (hid);         \
    } while (0)

/* Contract: with p[0..left) the start of a header line, the id of the
 * header when the line begins with one of the names SIP traffic carries
 * most, written in full and followed directly by ':'; *name_len is then
 * the name's length. Otherwise SIP_H_OTHER and *name_len = 0, and the
 * caller scans the name and asks sip_hdr_lookup. Whenever this finds a
 * name, scanning the token and looking it up gives the same name and id
 * (':' is no token character): it only saves that scan and the lookup
 * for the usual "Name:" (test_sip and fuzz_sip compare the two). Inline:
 * it runs once per header line. */
static inline sip_hdr_id sip_int_hdr_prefix(const uint8_t *p, size_t left, size_t *name_len)
{
    *name_len = 0;
    if (left < 3)
        return SIP_H_OTHER;
    switch (p[0] | 0x20) {
    case 'a':
        SIP_INT_PRE_("allow", SIP_H_ALLOW);
        SIP_INT_PRE_("accept", SIP_H_ACCEPT);
        break;
    case 'c':
        switch (p[1] | 0x20) {
        case 'a': SIP_INT_PRE_("call-id", SIP_H_CALL_ID); break;
        case 's': SIP_INT_PRE_("cseq", SIP_H_CSEQ); break;
        case 'o':
            SIP_INT_PRE_("contact", SIP_H_CONTACT);
            SIP_INT_PRE_("content-length", SIP_H_CONTENT_LENGTH);
            SIP_INT_PRE_("content-type", SIP_H_CONTENT_TYPE);
            break;
        }
        break;
    case 'e': SIP_INT_PRE_("expires", SIP_H_EXPIRES); break;
    case 'f': SIP_INT_PRE_("from", SIP_H_FROM); break;
    case 'm': SIP_INT_PRE_("max-forwards", SIP_H_MAX_FORWARDS); break;
    case 'r':
        SIP_INT_PRE_("route", SIP_H_ROUTE);
        SIP_INT_PRE_("record-route", SIP_H_RECORD_ROUTE);
        break;
    case 's':
        SIP_INT_PRE_("supported", SIP_H_SUPPORTED);
        SIP_INT_PRE_("subject", SIP_H_SUBJECT);
        SIP_INT_PRE_("server", SIP_H_SERVER);
        break;
    case 't': SIP_INT_PRE_("to", SIP_H_TO); break;
    case 'u': SIP_INT_PRE_("user-agent", SIP_H_USER_AGENT); break;
    case 'v': SIP_INT_PRE_("via", SIP_H_VIA); break;
    }
    return SIP_H_OTHER;
}

#undef SIP_INT_PRE_

/* sip_parse_name_addr for a value already trimmed of LWS at both ends
 * (as the parser hands header values on): the same result without the
 * second trim. */
int sip_int_name_addr_trimmed(ss_slice value, sip_name_addr *out);
/* The Via fast path alone, for a trimmed value: 1 when it parsed the
 * value (exactly as sip_parse_via would), 0 when the general parser must
 * decide. It takes only single-valued Vias: a value it parses holds no
 * ','. */
int sip_int_via_fast(ss_slice value, sip_via *out);

/* 1 when a Request-URI as written is acceptable: no LWS inside, no <>
 * around it, a URI sip_parse_uri parses, and for sip/sips no '?'
 * (escaped headers) after the host part (RFC 4475 §3.1.2.7/8/11); 0
 * otherwise. The usual "sip:user@host[:port]" is decided in one forward
 * pass without sip_parse_uri. */
int sip_int_ruri_ok(ss_slice ruri);
/* sip_int_ruri_ok without its fast path: the reference it must agree with
 * (fuzz_sip, test_sip). */
int sip_int_ruri_ok_general(ss_slice ruri);

/* sip_parse_name_addr without its fast path (headers.c): the reference the
 * fast path must agree with (fuzz_sip, test_sip). */
int sip_int_name_addr_general(ss_slice value, sip_name_addr *out);
/* sip_parse_via without its fast path, likewise. */
int sip_int_via_general(ss_slice value, sip_via *out);

/* sip_parse_cseq without its fast path, likewise. */
int sip_int_cseq_general(ss_slice value, sip_cseq *out);

/* Classifies the bytes at p as the beginning of a SIP start line.
 * Returns SIP_OK when the first line is complete and SIP-like (a request
 * line whose last element starts "SIP/", or a line starting "SIP/");
 * *line_end is then the offset of the line's LF (so the line is
 * p[0..*line_end) with a possible trailing CR). Returns SIP_INCOMPLETE when
 * no LF is present yet and the bytes so far are a consistent prefix, and
 * SIP_NOT_SIP otherwise. With at_eof (a datagram: no more bytes will come)
 * a missing LF ends the line at len and SIP_INCOMPLETE is never returned.
 * p must not begin with CR/LF (skip them first). */
sip_result sip_int_classify_start(const uint8_t *p, size_t len, int at_eof, size_t *line_end);

/* Parses a Content-Length value: LWS (folding included), digits, LWS.
 * Returns 0 and *out on success; -1 when not a non-negative decimal that
 * fits an int64 (empty, sign, junk after, overflow). */
int sip_int_parse_content_length(ss_slice value, int64_t *out);

#endif
