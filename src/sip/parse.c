/* parse.c - one-pass SIP message parser (RFC 3261 §7, §20, §25.1).
 *
 * Policy: a message whose start line parses is SIP_OK, whatever its
 * headers look like; header problems become SIP_DEF_* bits. Only a
 * SIP-looking start line that does not parse is SIP_MALFORMED. That way the
 * message still counts (as Wireshark counts it) and the report can say what
 * was wrong with it.
 *
 * Cost: one memchr per line; the common header names are matched with
 * their ':' in one step (sip_int_hdr_prefix), others are scanned and get
 * their id from a length/first-letter switch. Nothing is allocated, nothing is
 * copied, and nothing on the stack grows with the input. */
#include "sip_int.h"

#include <stddef.h>
#include <string.h>

/* Headers that RFC 3261 §7.3.1 allows only once and whose duplicates
 * change meaning (RFC 4475 multi01). */
#define _SINGLETONS                                                                            \
    ((1ull << SIP_H_CALL_ID) | (1ull << SIP_H_CSEQ) | (1ull << SIP_H_FROM) | (1ull << SIP_H_TO) | \
     (1ull << SIP_H_MAX_FORWARDS) | (1ull << SIP_H_EXPIRES) | (1ull << SIP_H_CONTENT_TYPE))

/* Per-parse scratch that is not part of the result. */
typedef struct _pstate {
    uint64_t seen;   /* 1 << sip_hdr_id for every id met so far */
    int cl_bad;      /* the (first) Content-Length was unusable */
    unsigned filled; /* _F_* of the views a header parser has written */
} _pstate;

/* The views whose parsers write every field (each clears its output
 * first): _reset leaves them alone and _clear_unfilled clears those no
 * header filled, so the usual message does not zero them twice. */
#define _F_FROM    0x01u
#define _F_TO      0x02u
#define _F_CSEQ    0x04u
#define _F_VIA     0x08u
#define _F_CONTACT 0x10u

_Static_assert(offsetof(sip_msg, from) < offsetof(sip_msg, to) &&
                   offsetof(sip_msg, to) < offsetof(sip_msg, cseq) &&
                   offsetof(sip_msg, cseq) < offsetof(sip_msg, via) &&
                   offsetof(sip_msg, via) < offsetof(sip_msg, via_count) &&
                   offsetof(sip_msg, via_count) < offsetof(sip_msg, contact) &&
                   offsetof(sip_msg, contact) < offsetof(sip_msg, has_contact) &&
                   offsetof(sip_msg, has_contact) < offsetof(sip_msg, hdr),
               "_reset skips from..via and contact: keep them where they are in sip_msg");

static inline int _wsp(uint8_t c) { return c == ' ' || c == '\t'; }

/* Clears the result without touching hdr[]: the array is 5 KiB and only
 * hdr[0..nhdr) is meaningful, so zeroing it per message would cost more
 * than the parse itself. From, To, CSeq, Via and Contact are left to
 * their parsers or to _clear_unfilled. */
static void _reset(sip_msg *m)
{
    memset(m, 0, offsetof(sip_msg, from));
    memset(&m->via_count, 0, offsetof(sip_msg, contact) - offsetof(sip_msg, via_count));
    memset(&m->has_contact, 0, offsetof(sip_msg, hdr) - offsetof(sip_msg, has_contact));
    m->nhdr = 0;
    m->nhdr_total = 0;
    m->defects = 0;
    m->error = SIP_E_NONE;
    m->content_length = -1;
    m->expires = -1;
    m->max_forwards = -1;
}

/* Clears the views _reset skipped that no header parser wrote, as _reset
 * would have (Via's rport: -1, absent). */
static void _clear_unfilled(sip_msg *m, unsigned filled)
{
    if (!(filled & _F_FROM))
        memset(&m->from, 0, sizeof m->from);
    if (!(filled & _F_TO))
        memset(&m->to, 0, sizeof m->to);
    if (!(filled & _F_CSEQ))
        memset(&m->cseq, 0, sizeof m->cseq);
    if (!(filled & _F_VIA)) {
        memset(&m->via, 0, sizeof m->via);
        m->via.rport = -1;
    }
    if (!(filled & _F_CONTACT))
        memset(&m->contact, 0, sizeof m->contact);
}

/* ---- start line ---- */

/* Contract: 1 when v is "SIP/2.0" (the version is case-insensitive,
 * RFC 3261 §7.1). */
static int _is_sip20(ss_slice v) { return SIP_INT_IEQ(v, "sip/2.0"); }

/* Checks the Request-URI for what RFC 4475 §3.1.2.7/8/11 reject: <>
 * around it, embedded LWS, escaped headers ('?' after the host part);
 * sip_int_ruri_ok (headers.c) decides. */
static void _check_ruri(sip_msg *m)
{
    if (!sip_int_ruri_ok(m->ruri))
        m->defects |= SIP_DEF_BAD_REQUEST_URI;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF; b[0..e) is the
 * line without CR/LF and starts "token SP" (the classifier checked). */
static int _request_line(sip_msg *m, const uint8_t *b, size_t e)
{
    size_t i = sip_int_span(b, 0, e, SIP_CT_TOKEN);
    m->is_request = 1;
    m->method_name = ss_slice_make(b, i);
    m->method = sip_method_from(m->method_name);

    size_t t = e;
    while (t > i && _wsp(b[t - 1]))
        t--;
    if (t < e)
        m->defects |= SIP_DEF_BAD_START_LINE_SPACING; /* RFC 4475 trws */
    size_t v = t;
    if (t >= i + 8 && SIP_INT_IEQ(ss_slice_make(b + t - 8, 8), " sip/2.0"))
        v = t - 7; /* the usual version: no scan back */
    else
        while (v > i && !_wsp(b[v - 1]))
            v--;
    m->version = ss_slice_make(b + v, t - v);
    size_t a = i;
    while (a < v && _wsp(b[a]))
        a++;
    size_t z = v;
    while (z > a && _wsp(b[z - 1]))
        z--;
    if (a - i != 1 || v - z != 1 || b[i] != ' ' || b[v - 1] != ' ')
        m->defects |= SIP_DEF_BAD_START_LINE_SPACING; /* RFC 4475 lwsstart */
    m->ruri = ss_slice_make(b + a, z - a);
    if (!_is_sip20(m->version)) {
        m->error = SIP_E_BAD_VERSION; /* RFC 4475 badvers */
        return -1;
    }
    if (m->ruri.len == 0) {
        m->error = SIP_E_BAD_START_LINE;
        return -1;
    }
    _check_ruri(m);
    return 0;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF. */
static int _status_line(sip_msg *m, const uint8_t *b, size_t e)
{
    size_t v = 0;
    if (e >= 8 && SIP_INT_IEQ(ss_slice_make(b, 8), "sip/2.0 "))
        v = 7; /* the usual version: no scan */
    else
        while (v < e && !_wsp(b[v]))
            v++;
    m->version = ss_slice_make(b, v);
    if (!_is_sip20(m->version)) {
        m->error = SIP_E_BAD_VERSION;
        return -1;
    }
    if (v == e) {
        m->error = SIP_E_BAD_START_LINE;
        return -1;
    }
    size_t c = v;
    while (c < e && _wsp(b[c]))
        c++;
    if (c - v != 1 || b[v] != ' ')
        m->defects |= SIP_DEF_BAD_START_LINE_SPACING;
    size_t d = c;
    unsigned code = 0;
    unsigned d0, d1, d2, dg;
    if (e - c >= 4 && (d0 = (unsigned)b[c] - '0') <= 9 && (d1 = (unsigned)b[c + 1] - '0') <= 9 &&
        (d2 = (unsigned)b[c + 2] - '0') <= 9 && b[c + 3] == ' ') {
        code = d0 * 100 + d1 * 10 + d2; /* the usual "200 ": where the loop stops */
        d = c + 3;
    } else {
        while (d < e && (dg = (unsigned)b[d] - '0') <= 9 && d - c < 4) {
            code = code * 10 + dg;
            d++;
        }
    }
    if (d - c != 3 || (d < e && !_wsp(b[d])) || code < 100 || code > 699) {
        m->error = SIP_E_BAD_STATUS_CODE; /* RFC 4475 bigcode */
        return -1;
    }
    m->status = (uint16_t)code;
    if (d == e) {
        m->reason = ss_slice_make(b + d, 0);
        m->defects |= SIP_DEF_BAD_START_LINE_SPACING; /* no SP before the reason */
    } else {
        m->reason = ss_slice_make(b + d + 1, e - d - 1);
    }
    return 0;
}

/* ---- headers ---- */

/* Counts the comma-separated values of a Via header (quotes respected);
 * sets *empty when one of them is empty (RFC 4475 badinv01 ",;,,"). */
static uint32_t _count_values(ss_slice v, int *empty)
{
    *empty = 0;
    if (v.len == 0) {
        *empty = 1;
        return 0;
    }
    if (!memchr(v.p, ',', v.len))
        return 1;
    uint32_t n = 0;
    size_t i = 0;
    int nonblank = 0;
    while (i <= v.len) {
        if (i == v.len || v.p[i] == ',') {
            if (nonblank)
                n++;
            else
                *empty = 1;
            nonblank = 0;
            i++;
            continue;
        }
        if (v.p[i] == '"') {
            nonblank = 1;
            for (i++; i < v.len && v.p[i] != '"'; i++)
                if (v.p[i] == '\\')
                    i++;
            if (i < v.len)
                i++;
            continue;
        }
        if (!sip_int_is(v.p[i], SIP_CT_LWS))
            nonblank = 1;
        i++;
    }
    return n;
}

/* RFC 3261 §20.17: SIP-date is an RFC 1123 date, always in "GMT". */
static int _date_ok(ss_slice v)
{
    return v.len >= 3 && memcmp(v.p + v.len - 3, "GMT", 3) == 0;
}

static void _name_addr(sip_msg *m, ss_slice v, sip_name_addr *out, uint32_t bad)
{
    int rc = sip_int_name_addr_trimmed(v, out); /* _header trimmed v */
    if (rc == -2)
        m->defects |= SIP_DEF_BAD_DISPLAY_NAME;
    else if (rc != 0)
        m->defects |= bad;
}

/* Handles one complete header (folded continuations included). Inlined
 * into both places _headers hands a header on: a call per header cost
 * more than the header ids and the switch below. */
/* sip_int_trim for a header value: the usual " value CR" (one SP after
 * the ':', the CR of the CRLF) is recognised by its two ends; anything
 * else goes through the loops. Bytes above SP are never LWS. */
static inline ss_slice _trim_value(ss_slice v)
{
    if (v.len >= 3 && v.p[0] == ' ' && v.p[1] > ' ' && v.p[v.len - 1] == '\r' && v.p[v.len - 2] > ' ')
        return ss_slice_make(v.p + 1, v.len - 2);
    return sip_int_trim(v);
}

static inline __attribute__((always_inline)) void _header(sip_msg *m, _pstate *st, sip_hdr_id id, ss_slice name, ss_slice value)
{
    value = _trim_value(value);
    m->nhdr_total++;
    if (m->nhdr < SIP_MAX_HEADERS) {
        sip_header *h = &m->hdr[m->nhdr++];
        h->id = id;
        h->name = name;
        h->value = value;
    } else {
        m->defects |= SIP_DEF_TOO_MANY_HEADERS;
    }
    if (id == SIP_H_OTHER)
        return;

    uint64_t bit = 1ull << id;
    int first = !(st->seen & bit);
    st->seen |= bit;
    if (!first && (bit & _SINGLETONS)) {
        m->defects |= SIP_DEF_MULTIPLE_SINGLETON;
        return; /* the first one stays authoritative */
    }

    uint64_t u;
    int empty;
    switch (id) {
    case SIP_H_CALL_ID:
        m->call_id = value;
        break;
    case SIP_H_CSEQ:
        st->filled |= _F_CSEQ;
        if (sip_parse_cseq(value, &m->cseq) != 0)
            m->defects |= SIP_DEF_BAD_CSEQ;
        break;
    case SIP_H_FROM:
        st->filled |= _F_FROM;
        _name_addr(m, value, &m->from, SIP_DEF_BAD_FROM);
        break;
    case SIP_H_TO:
        st->filled |= _F_TO;
        _name_addr(m, value, &m->to, SIP_DEF_BAD_TO);
        break;
    case SIP_H_VIA: {
        /* the usual single Via: the fast path alone, which only takes a
         * value without ',' (one value, none empty) */
        if (m->via_count == 0 && sip_int_via_fast(value, &m->via)) {
            st->filled |= _F_VIA;
            m->via_count = 1;
            break;
        }
        uint32_t n = _count_values(value, &empty);
        if (empty)
            m->defects |= SIP_DEF_BAD_VIA;
        if (m->via_count == 0 && n > 0) {
            st->filled |= _F_VIA;
            if (sip_parse_via(value, &m->via) != 0)
                m->defects |= SIP_DEF_BAD_VIA;
        }
        m->via_count += n;
        break;
    }
    case SIP_H_CONTACT:
        if (!first)
            break;
        if (value.len == 1 && value.p[0] == '*') {
            m->contact_star = 1;
            break;
        }
        m->has_contact = 1;
        st->filled |= _F_CONTACT;
        _name_addr(m, value, &m->contact, SIP_DEF_BAD_CONTACT);
        break;
    case SIP_H_CONTENT_LENGTH:
        if (!first) {
            m->defects |= SIP_DEF_MULTIPLE_CONTENT_LENGTH; /* RFC 4475 mcl01 */
            break;
        }
        if (sip_int_parse_content_length(value, &m->content_length) != 0) {
            m->content_length = -1;
            st->cl_bad = 1;
            m->defects |= SIP_DEF_BAD_CONTENT_LENGTH; /* RFC 4475 ncl */
        }
        break;
    case SIP_H_CONTENT_TYPE:
        m->content_type = sip_value_token(value);
        break;
    case SIP_H_EXPIRES:
        if (sip_parse_uint(value, UINT32_MAX, &u) == 0)
            m->expires = (int64_t)u;
        else
            m->defects |= SIP_DEF_BAD_EXPIRES;
        break;
    case SIP_H_MAX_FORWARDS:
        if (sip_parse_uint(value, 255, &u) == 0)
            m->max_forwards = (int32_t)u;
        else
            m->defects |= SIP_DEF_BAD_MAX_FORWARDS;
        break;
    case SIP_H_EVENT:
        if (first)
            m->event = sip_value_token(value);
        break;
    case SIP_H_SUBSCRIPTION_STATE:
        if (first)
            m->subscription_state = sip_value_token(value);
        break;
    case SIP_H_REASON:
        if (first)
            m->reason_hdr = value;
        break;
    case SIP_H_USER_AGENT:
        if (first)
            m->user_agent = value;
        break;
    case SIP_H_SERVER:
        if (first)
            m->server = value;
        break;
    case SIP_H_WWW_AUTHENTICATE:
    case SIP_H_PROXY_AUTHENTICATE:
        if (m->challenge.scheme == SIP_AUTH_NONE)
            sip_parse_auth(value, &m->challenge);
        break;
    case SIP_H_AUTHORIZATION:
    case SIP_H_PROXY_AUTHORIZATION:
        if (m->credentials.scheme == SIP_AUTH_NONE)
            sip_parse_auth(value, &m->credentials);
        break;
    case SIP_H_DATE:
        if (!_date_ok(value))
            m->defects |= SIP_DEF_BAD_DATE; /* RFC 4475 baddate */
        break;
    default:
        break;
    }
}

/* Walks header lines from b[from] up to the blank line that ends the
 * header block (CRLF, or a bare LF as sip_frame accepts); a line starting
 * with SP/HTAB continues the header above it (RFC 3261 §7.3.1 folding).
 * Finding the end in the same pass saves a second scan of the block.
 * Returns 1 with *hdr_end (where the blank line starts) and *body, or 0
 * when b[0..n) ends first (*hdr_end = *body = n). */
static int _headers(sip_msg *m, _pstate *st, const uint8_t *b, size_t from, size_t n,
                    size_t *hdr_end, size_t *body)
{
    size_t i = from;
    int have = 0, found = 0;
    ss_slice name = SS_SLICE_NULL;
    sip_hdr_id id = SIP_H_OTHER;
    size_t va = 0, vb = 0;
    *hdr_end = *body = n;
    while (i < n) {
        uint8_t c = b[i];
        if (c == '\n' || c == '\r') {
            if (c == '\n' || (i + 1 < n && b[i + 1] == '\n')) {
                *hdr_end = i;
                *body = i + (c == '\n' ? 1 : 2);
                found = 1;
                break;
            }
            if (i + 1 == n)
                break; /* half of the final CRLF */
        }
        size_t e = sip_int_find_lf(b, i, n);
        if (_wsp(c)) {
            if (have)
                vb = e;
            else
                m->defects |= SIP_DEF_BAD_HEADER_LINE;
        } else {
            if (have)
                _header(m, st, id, name, ss_slice_make(b + va, vb - va));
            have = 0;
            size_t nl;
            id = sip_int_hdr_prefix(b + i, e - i, &nl);
            if (nl) { /* "Name:" with a common name: no scan, no lookup */
                have = 1;
                name = ss_slice_make(b + i, nl);
                va = i + nl + 1;
                vb = e;
                i = e + 1;
                continue;
            }
            size_t k = sip_int_span(b, i, e, SIP_CT_TOKEN);
            size_t ne = k;
            while (k < e && _wsp(b[k]))
                k++;
            if (ne == i || k == e || b[k] != ':') {
                m->defects |= SIP_DEF_BAD_HEADER_LINE;
            } else {
                have = 1;
                name = ss_slice_make(b + i, ne - i);
                id = sip_hdr_lookup(name.p, name.len);
                va = k + 1;
                vb = e;
            }
        }
        i = e + 1;
    }
    if (have)
        _header(m, st, id, name, ss_slice_make(b + va, vb - va));
    return found;
}

/* NUL is legal only as a quoted-pair ("\" %x00, RFC 4475 intmeth). */
static int _stray_nul(const uint8_t *b, size_t n)
{
    const uint8_t *q = b, *end = b + n;
    while (q < end && (q = memchr(q, 0, (size_t)(end - q))) != NULL) {
        if (q == b || q[-1] != '\\')
            return 1;
        q++;
    }
    return 0;
}

/* 1 when b[0..n) is only SP/HTAB/CR/LF (padding after a datagram body). */
static int _only_lws(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!sip_int_is(b[i], SIP_CT_LWS))
            return 0;
    return 1;
}

/* Contract: see sip.h. On SIP_OK, m->raw spans start line to body end and
 * *consumed = leading CRLFs + m->raw.len. On SIP_MALFORMED, *consumed is
 * the whole datagram, or (stream) the framed message. consumed may be NULL.
 * Only m->hdr[0..m->nhdr) is written; older entries beyond stay stale. */
sip_result sip_parse(sip_msg *m, const uint8_t *p, size_t len, int stream, size_t *consumed)
{
    size_t unused, s = 0, le, hdr_end, body;
    _pstate st = {0, 0, 0};
    if (consumed == NULL)
        consumed = &unused;
    *consumed = 0;
    _reset(m);
    if (p == NULL)
        len = 0;
    while (s < len && (p[s] == '\r' || p[s] == '\n'))
        s++;
    if (s == len) {
        _clear_unfilled(m, 0);
        return stream ? SIP_INCOMPLETE : SIP_NOT_SIP; /* keep-alive or nothing */
    }
    const uint8_t *b = p + s;
    size_t n = len - s;

    sip_result r = sip_int_classify_start(b, n, !stream, &le);
    if (r != SIP_OK) {
        _clear_unfilled(m, 0);
        return r;
    }
    size_t sl = le;
    while (sl > 0 && b[sl - 1] == '\r')
        sl--;
    /* '/' is not a token char, so "SIP/" can only begin a status line. */
    int bad = sl >= 4 && SIP_INT_IEQ(ss_slice_make(b, 4), "sip/") ? _status_line(m, b, sl)
                                                                  : _request_line(m, b, sl);
    int found = _headers(m, &st, b, le < n ? le + 1 : n, n, &hdr_end, &body);
    _clear_unfilled(m, st.filled);
    if (!found) {
        if (stream)
            return SIP_INCOMPLETE;
        m->defects |= SIP_DEF_NO_HEADER_END;
    }
    if (_stray_nul(b, hdr_end))
        m->defects |= SIP_DEF_NUL_IN_HEADERS;

    /* Body: Content-Length bytes; a datagram without one runs to its end
     * (RFC 3261 §18.3), a stream without one has none. */
    size_t avail = n - body, blen;
    if (m->content_length >= 0) {
        if ((uint64_t)m->content_length > avail) {
            if (stream)
                return SIP_INCOMPLETE;
            m->defects |= SIP_DEF_BODY_TRUNCATED; /* RFC 4475 clerr */
            blen = avail;
        } else {
            blen = (size_t)m->content_length;
        }
    } else if (stream) {
        if (!st.cl_bad)
            m->defects |= SIP_DEF_NO_CONTENT_LENGTH;
        blen = 0;
    } else {
        blen = avail;
    }
    size_t end = body + blen;
    if (!stream && end < n && !_only_lws(b + end, n - end))
        m->defects |= SIP_DEF_BODY_EXTRA; /* RFC 4475 dblreq */
    m->body = ss_slice_make(b + body, blen);
    m->raw = ss_slice_make(b, end);

    if (bad) {
        *consumed = stream ? s + end : len;
        return SIP_MALFORMED;
    }
    *consumed = s + end;

    if (ss_slice_empty(m->call_id))
        m->defects |= SIP_DEF_MISSING_CALL_ID;
    if (!(st.seen & (1ull << SIP_H_CSEQ)))
        m->defects |= SIP_DEF_MISSING_CSEQ;
    else if (m->is_request && !(m->defects & SIP_DEF_BAD_CSEQ) &&
             !ss_slice_eq(m->cseq.method_name, m->method_name))
        m->defects |= SIP_DEF_CSEQ_METHOD_MISMATCH; /* RFC 4475 mismatch01/02 */
    if (!(st.seen & (1ull << SIP_H_FROM)))
        m->defects |= SIP_DEF_MISSING_FROM;
    if (!(st.seen & (1ull << SIP_H_TO)))
        m->defects |= SIP_DEF_MISSING_TO;
    if (!(st.seen & (1ull << SIP_H_VIA)))
        m->defects |= SIP_DEF_MISSING_VIA;
    return SIP_OK;
}

/* Contract: value of the first indexed header with that id, or an empty
 * slice (also for ids only present beyond SIP_MAX_HEADERS). */
ss_slice sip_header_value(const sip_msg *m, sip_hdr_id id)
{
    for (uint32_t i = 0; i < m->nhdr && i < SIP_MAX_HEADERS; i++)
        if (m->hdr[i].id == id)
            return m->hdr[i].value;
    return SS_SLICE_NULL;
}

/* ---- names for reports ---- */

static const char *const _defect_names[SIP_DEF__COUNT] = {
    "missing_call_id",      "missing_cseq",         "bad_cseq",
    "cseq_method_mismatch", "missing_from",         "missing_to",
    "missing_via",          "bad_via",              "bad_from",
    "bad_to",               "bad_content_length",   "multiple_content_length",
    "body_truncated",       "body_extra",           "no_content_length",
    "bad_header_line",      "too_many_headers",     "bad_request_uri",
    "bad_start_line_spacing", "multiple_singleton", "bad_expires",
    "bad_max_forwards",     "bad_display_name",     "nul_in_headers",
    "no_header_end",        "bad_date",             "bad_contact",
};

/* Contract: name of exactly one defect bit; NULL when bit is 0, has more
 * than one bit set, or is not a known defect. */
const char *sip_defect_name(uint32_t bit)
{
    if (bit == 0 || (bit & (bit - 1)) != 0)
        return NULL;
    for (int i = 0; i < SIP_DEF__COUNT; i++)
        if (bit == (1u << i))
            return _defect_names[i];
    return NULL;
}

static const char *const _error_names[SIP_E__COUNT] = {
    [SIP_E_NONE] = "none",
    [SIP_E_BAD_START_LINE] = "bad_start_line",
    [SIP_E_BAD_VERSION] = "bad_version",
    [SIP_E_BAD_STATUS_CODE] = "bad_status_code",
    [SIP_E_BAD_METHOD] = "bad_method",
    [SIP_E_HEADER_TOO_LONG] = "header_too_long",
};

/* Contract: name of e; "unknown" for values outside the enum. */
const char *sip_error_name(sip_error e)
{
    if ((unsigned)e >= SIP_E__COUNT)
        return "unknown";
    return _error_names[e];
}
