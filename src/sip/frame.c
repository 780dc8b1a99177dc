/* frame.c - SIP start-line sniffing and stream framing (RFC 3261 §7.5,
 * §18.3, §20.14).
 *
 * Depends on sip.h and slice.h only: the TCP reassembler links this file
 * without the rest of the parser, so nothing here may call into parse.c or
 * headers.c. The character table and the start-line classifier live here
 * for the same reason and are shared with the parser through sip_int.h. */
#include "sip_int.h"

#include <string.h>

/* V: may appear in a parameter value on the fast paths (all but CTL, LWS,
 * '"', ',' and ';'), so those scan a value with one lookup per byte. */
#define V SIP_CT_PVAL
#define T (SIP_CT_TOKEN | SIP_CT_HOST | V)                   /* other token chars */
#define P (SIP_CT_TOKEN | V)                                 /* '%': token, not host */
#define A (SIP_CT_TOKEN | SIP_CT_HOST | SIP_CT_SCHEME | V)   /* letters, '-', '.', '+' */
#define D (SIP_CT_TOKEN | SIP_CT_DIGIT | SIP_CT_HOST | SIP_CT_SCHEME | V)
#define C SIP_CT_CTL
#define W (SIP_CT_WSP | SIP_CT_LWS)
#define N (SIP_CT_CTL | SIP_CT_LWS)
#define V8 V, V, V, V, V, V, V, V
#define V16 V8, V8

/* RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" /
 * "_" / "+" / "`" / "'" / "~"). A table keeps the hot loops branch-light. */
const uint8_t sip_int_ctype[256] = {
    /* 0x00 */ C, C, C, C, C, C, C, C, C, W, N, C, C, N, C, C,
    /* 0x10 */ C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
    /* 0x20  SP ! " # $ % & ' ( ) * + , - . / */
    W, T, 0, V, V, P, V, T, V, V, T, A, 0, A, A, V,
    /* 0x30  0-9 : ; < = > ? */
    D, D, D, D, D, D, D, D, D, D, V, 0, V, V, V, V,
    /* 0x40  @ A-O */
    V, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
    /* 0x50  P-Z [ \ ] ^ _ */
    A, A, A, A, A, A, A, A, A, A, A, V, V, V, V, T,
    /* 0x60  ` a-o */
    T, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
    /* 0x70  p-z { | } ~ DEL */
    A, A, A, A, A, A, A, A, A, A, A, V, V, V, T, C,
    /* 0x80-0xFF: UTF-8 bytes, allowed in quoted strings, reason phrases
     * and parameter values */
    V16, V16, V16, V16, V16, V16, V16, V16,
};

#undef V
#undef V8
#undef V16
#undef T
#undef P
#undef A
#undef D
#undef C
#undef W
#undef N

/* 1 when p[0..n) equals "SIP/" case-insensitively (n <= 4: as a prefix). */
static int _is_sip_slash_prefix(const uint8_t *p, size_t n)
{
    static const char k[4] = {'s', 'i', 'p', '/'};
    if (n >= 4) /* the usual case: one four-byte compare */
        return SIP_INT_IEQ(ss_slice_make(p, 4), "sip/");
    for (size_t i = 0; i < n && i < 4; i++)
        if (sip_int_lower(p[i]) != (uint8_t)k[i])
            return 0;
    return 1;
}

sip_result sip_int_classify_start(const uint8_t *p, size_t len, int at_eof, size_t *line_end)
{
    if (len == 0)
        return at_eof ? SIP_NOT_SIP : SIP_INCOMPLETE;
    size_t seen = sip_int_find_lf(p, 0, len);
    /* A datagram ends the line where it ends. */
    int whole = seen < len || at_eof;

    /* Status line: "SIP/" says enough; the parser checks the version. */
    if (_is_sip_slash_prefix(p, seen)) {
        if (seen >= 4) {
            if (!whole)
                return SIP_INCOMPLETE;
            *line_end = seen;
            return SIP_OK;
        }
        /* Fewer than 4 bytes of "SIP/": could also be a method like "SUB..". */
        if (!whole)
            return SIP_INCOMPLETE;
    }

    /* Request line: method token, SP, ..., SP, "SIP/" version. */
    size_t i = sip_int_span(p, 0, seen, SIP_CT_TOKEN);
    if (i == seen)
        return (whole || i == 0) ? SIP_NOT_SIP : SIP_INCOMPLETE;
    if (i == 0 || p[i] != ' ')
        return SIP_NOT_SIP;

    if (!whole) {
        /* Binary payloads (RTP, TLS) contain control bytes early; text
         * protocols do not, so keep waiting only for clean text. */
        for (size_t k = i; k < seen; k++)
            if (sip_int_is(p[k], SIP_CT_CTL) && !(p[k] == '\r' && k + 1 == seen))
                return SIP_NOT_SIP; /* a final CR may be half of the CRLF */
        return SIP_INCOMPLETE;
    }

    /* The last element after trailing SP/HTAB/CR decides: "SIP/x" vs "HTTP/x". */
    size_t e = seen;
    while (e > i && (p[e - 1] == '\r' || p[e - 1] == ' ' || p[e - 1] == '\t'))
        e--;
    size_t v = e;
    if (e >= i + 8 && SIP_INT_IEQ(ss_slice_make(p + e - 8, 8), " sip/2.0"))
        v = e - 7; /* the usual version: where the scan back would stop */
    else
        while (v > i && p[v - 1] != ' ' && p[v - 1] != '\t')
            v--;
    if (v <= i + 1 || e - v < 5 || !_is_sip_slash_prefix(p + v, 4))
        return SIP_NOT_SIP;
    /* Something other than blanks must sit between the method and version. */
    size_t u = i;
    while (u < v && (p[u] == ' ' || p[u] == '\t'))
        u++;
    if (u == v)
        return SIP_NOT_SIP;
    *line_end = seen;
    return SIP_OK;
}

int sip_int_parse_content_length(ss_slice value, int64_t *out)
{
    size_t i = 0, n = value.len;
    const uint8_t *p = value.p;
    while (i < n && sip_int_is(p[i], SIP_CT_LWS))
        i++;
    if (i == n || !sip_int_is(p[i], SIP_CT_DIGIT))
        return -1;
    int64_t v = 0;
    while (i < n && sip_int_is(p[i], SIP_CT_DIGIT)) {
        if (v > (INT64_MAX - 9) / 10)
            return -1; /* overflow: RFC 4475 scalar02/scalarlg */
        v = v * 10 + (p[i] - '0');
        i++;
    }
    while (i < n && sip_int_is(p[i], SIP_CT_LWS))
        i++;
    if (i != n)
        return -1;
    *out = v;
    return 0;
}

/* Where the header line p[ls..e) names Content-Length or its compact form
 * "l" (any case) followed by optional SP/HTAB and ':', the offset of the
 * ':'; else 0 (ls > 0: the start line comes first). A name is the longest
 * token at the line start, and neither SP/HTAB nor ':' is a token
 * character, so comparing the literal and then finding SP/HTAB or ':'
 * right after it is the same test as scanning the name first, without
 * the scan of every other name that starts with 'c' (Call-ID, CSeq,
 * Contact, Content-Type): a third of sip_frame's instructions on tcp-20k
 * went to it. */
static size_t _content_length_colon(const uint8_t *p, size_t ls, size_t e)
{
    size_t k;
    uint8_t c0 = sip_int_lower(p[ls]);
    if (c0 == 'l')
        k = ls + 1;
    else if (c0 == 'c' && sip_int_starts_lit(p + ls, e - ls, "content-length", 14))
        k = ls + 14;
    else
        return 0;
    while (k < e && sip_int_is(p[k], SIP_CT_WSP))
        k++;
    return k < e && p[k] == ':' ? k : 0;
}

/* One walk over the header lines after the start line (whose LF is at
 * p[le]): finds the blank line that ends them (CRLF, or a bare LF) and the
 * first Content-Length header, whose value may go on over folded lines
 * (continuations start with SP/HTAB, so they end before the blank line).
 * The first Content-Length decides: *cl is its value, or 0 when it is
 * unusable or absent (a stream cannot be framed on a bad value; the parser
 * records the defect). Returns 1 with *hdr_end (where the blank line
 * starts) and *body, or 0 when p[0..len) ends first.
 *
 * A TCP segment's messages are framed here and then parsed: this used to be
 * two walks (header end, then Content-Length), about 8 % of tcp-20k. */
static int _frame_headers(const uint8_t *p, size_t len, size_t le, size_t *hdr_end, size_t *body,
                          int64_t *cl)
{
    int have_cl = 0;
    *cl = 0;
    for (size_t i = le; i < len;) { /* p[i] is the LF ending a line */
        size_t ls = i + 1;
        if (ls >= len)
            return 0;
        if (p[ls] == '\n' || (p[ls] == '\r' && ls + 1 < len && p[ls + 1] == '\n')) {
            *hdr_end = ls;
            *body = ls + (p[ls] == '\n' ? 1 : 2);
            return 1;
        }
        size_t e = sip_int_find_lf(p, ls, len); /* inline: lines are short */
        size_t k;
        if (!have_cl && (k = _content_length_colon(p, ls, e)) != 0) {
            have_cl = 1;
            size_t ve = e; /* extend over continuation lines */
            while (ve + 1 < len && sip_int_is(p[ve + 1], SIP_CT_WSP))
                ve = sip_int_find_lf(p, ve + 1, len);
            int64_t v;
            if (sip_int_parse_content_length(ss_slice_make(p + k + 1, ve - k - 1), &v) == 0)
                *cl = v;
        }
        i = e;
    }
    return 0;
}

/* Contract: 1 when p[0..len) begins like a SIP start line. A complete first
 * line must be "token SP ... SP SIP/..." or start "SIP/"; an incomplete one
 * (no LF yet, e.g. snaplen-truncated) only has to be a clean prefix of one.
 * Leading CRLFs are skipped. Never reads outside p[0..len). */
int sip_looks_like(const uint8_t *p, size_t len)
{
    size_t i = 0, le;
    if (p == NULL)
        return 0;
    while (i < len && (p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i == len)
        return 0;
    sip_result r = sip_int_classify_start(p + i, len - i, 0, &le);
    if (r == SIP_INCOMPLETE)
        /* Too short to judge: a lone "I" is not evidence of SIP. */
        return len - i >= 8;
    return r == SIP_OK;
}

/* Contract: see sip.h. max_header_bytes 0 means no cap. On SIP_OK,
 * *skip + *msg_len bytes form the keep-alives plus one message. *skip is
 * set for every result; *msg_len is 0 unless SIP_OK. A bad or missing
 * Content-Length frames as an empty body (the parser flags it). */
sip_result sip_frame(const uint8_t *p, size_t len, size_t max_header_bytes, size_t *skip,
                     size_t *msg_len)
{
    size_t s = 0, le, hdr_end, body;
    *msg_len = 0;
    if (p == NULL)
        len = 0;
    while (s < len && (p[s] == '\r' || p[s] == '\n'))
        s++;
    *skip = s;
    if (s == len)
        return SIP_INCOMPLETE;
    const uint8_t *m = p + s;
    size_t n = len - s;
    size_t cap = max_header_bytes ? max_header_bytes : SIZE_MAX;
    size_t lim = n < cap ? n : cap;

    sip_result r = sip_int_classify_start(m, lim, 0, &le);
    if (r == SIP_NOT_SIP)
        return SIP_NOT_SIP;
    if (r == SIP_INCOMPLETE)
        return n >= cap ? SIP_MALFORMED : SIP_INCOMPLETE;

    int64_t cl;
    if (!_frame_headers(m, lim, le, &hdr_end, &body, &cl))
        return n >= cap ? SIP_MALFORMED : SIP_INCOMPLETE;

    if ((uint64_t)cl > SIZE_MAX - body)
        return SIP_MALFORMED; /* cannot be represented, let alone buffered */
    size_t total = body + (size_t)cl;
    if (total > n)
        return SIP_INCOMPLETE;
    *msg_len = total;
    return SIP_OK;
}
