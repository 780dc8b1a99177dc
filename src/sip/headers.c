/* headers.c - header-name lookup and structured views of header values
 * (RFC 3261 §20, §25.1; RFC 3966 for tel URIs).
 *
 * Views never copy: every output is a slice into the value they were given.
 * Values may carry folded lines (CRLF followed by SP/HTAB); every scanner
 * here treats CR and LF like SP, so folding needs no unfolding copy. */
#include "sip_int.h"

#include <string.h>

/* ---- name lookup ---- */

static const char *const _hdr_names[SIP_H__COUNT] = {
    [SIP_H_OTHER] = NULL,
    [SIP_H_ACCEPT] = "Accept",
    [SIP_H_ACCEPT_CONTACT] = "Accept-Contact",
    [SIP_H_ALLOW] = "Allow",
    [SIP_H_ALLOW_EVENTS] = "Allow-Events",
    [SIP_H_AUTHORIZATION] = "Authorization",
    [SIP_H_CALL_ID] = "Call-ID",
    [SIP_H_CONTACT] = "Contact",
    [SIP_H_CONTENT_DISPOSITION] = "Content-Disposition",
    [SIP_H_CONTENT_ENCODING] = "Content-Encoding",
    [SIP_H_CONTENT_LENGTH] = "Content-Length",
    [SIP_H_CONTENT_TYPE] = "Content-Type",
    [SIP_H_CSEQ] = "CSeq",
    [SIP_H_DATE] = "Date",
    [SIP_H_EVENT] = "Event",
    [SIP_H_EXPIRES] = "Expires",
    [SIP_H_FROM] = "From",
    [SIP_H_IDENTITY] = "Identity",
    [SIP_H_MAX_FORWARDS] = "Max-Forwards",
    [SIP_H_MIN_EXPIRES] = "Min-Expires",
    [SIP_H_P_ASSERTED_IDENTITY] = "P-Asserted-Identity",
    [SIP_H_PROXY_AUTHENTICATE] = "Proxy-Authenticate",
    [SIP_H_PROXY_AUTHORIZATION] = "Proxy-Authorization",
    [SIP_H_PROXY_REQUIRE] = "Proxy-Require",
    [SIP_H_RACK] = "RAck",
    [SIP_H_REASON] = "Reason",
    [SIP_H_RECORD_ROUTE] = "Record-Route",
    [SIP_H_REFER_TO] = "Refer-To",
    [SIP_H_REFERRED_BY] = "Referred-By",
    [SIP_H_REJECT_CONTACT] = "Reject-Contact",
    [SIP_H_REQUEST_DISPOSITION] = "Request-Disposition",
    [SIP_H_REQUIRE] = "Require",
    [SIP_H_ROUTE] = "Route",
    [SIP_H_RSEQ] = "RSeq",
    [SIP_H_SERVER] = "Server",
    [SIP_H_SESSION_EXPIRES] = "Session-Expires",
    [SIP_H_SESSION_ID] = "Session-ID",
    [SIP_H_SUBJECT] = "Subject",
    [SIP_H_SUBSCRIPTION_STATE] = "Subscription-State",
    [SIP_H_SUPPORTED] = "Supported",
    [SIP_H_TO] = "To",
    [SIP_H_USER_AGENT] = "User-Agent",
    [SIP_H_VIA] = "Via",
    [SIP_H_WARNING] = "Warning",
    [SIP_H_WWW_AUTHENTICATE] = "WWW-Authenticate",
    [SIP_H_X_CID] = "X-CID",
};

/* Contract: canonical long name for id; NULL for SIP_H_OTHER and for
 * values outside the enum. */
const char *sip_hdr_name(sip_hdr_id id)
{
    if ((unsigned)id >= SIP_H__COUNT)
        return NULL;
    return _hdr_names[id];
}

/* Case-insensitive compare of n bytes of a wire name against a lower-case
 * literal of the same length (the caller has matched the length); header
 * names hold only letters and '-', as sip_int_ieq_lit requires. */
static inline int _ieq_lit(const uint8_t *p, const char *lit, size_t n)
{
    return sip_int_ieq_lit(ss_slice_make(p, n), lit, n);
}

#define _IS(lit) _ieq_lit(n, lit, sizeof(lit) - 1)

/* Compact forms (RFC 3261 §7.3.3 and the IANA header registry). */
static sip_hdr_id _compact(uint8_t c)
{
    switch (sip_int_lower(c)) {
    case 'a': return SIP_H_ACCEPT_CONTACT;
    case 'b': return SIP_H_REFERRED_BY;
    case 'c': return SIP_H_CONTENT_TYPE;
    case 'd': return SIP_H_REQUEST_DISPOSITION;
    case 'e': return SIP_H_CONTENT_ENCODING;
    case 'f': return SIP_H_FROM;
    case 'i': return SIP_H_CALL_ID;
    case 'j': return SIP_H_REJECT_CONTACT;
    case 'k': return SIP_H_SUPPORTED;
    case 'l': return SIP_H_CONTENT_LENGTH;
    case 'm': return SIP_H_CONTACT;
    case 'o': return SIP_H_EVENT;
    case 'r': return SIP_H_REFER_TO;
    case 's': return SIP_H_SUBJECT;
    case 't': return SIP_H_TO;
    case 'u': return SIP_H_ALLOW_EVENTS;
    case 'v': return SIP_H_VIA;
    case 'x': return SIP_H_SESSION_EXPIRES;
    case 'y': return SIP_H_IDENTITY;
    }
    return SIP_H_OTHER;
}

/* Contract: id of a header name (long or compact form, any case);
 * SIP_H_OTHER for unknown names. The switch on length and first letter
 * leaves at most two candidates, then one case-insensitive compare
 * decides: no strcasecmp chains on the hot path. */
sip_hdr_id sip_hdr_lookup(const uint8_t *n, size_t len)
{
    if (n == NULL || len == 0)
        return SIP_H_OTHER;
    uint8_t c = sip_int_lower(n[0]);
    switch (len) {
    case 1:
        return _compact(n[0]);
    case 2:
        return _IS("to") ? SIP_H_TO : SIP_H_OTHER;
    case 3:
        return _IS("via") ? SIP_H_VIA : SIP_H_OTHER;
    case 4:
        switch (c) {
        case 'c': return _IS("cseq") ? SIP_H_CSEQ : SIP_H_OTHER;
        case 'd': return _IS("date") ? SIP_H_DATE : SIP_H_OTHER;
        case 'f': return _IS("from") ? SIP_H_FROM : SIP_H_OTHER;
        case 'r':
            if (_IS("rack"))
                return SIP_H_RACK;
            return _IS("rseq") ? SIP_H_RSEQ : SIP_H_OTHER;
        }
        break;
    case 5:
        switch (c) {
        case 'a': return _IS("allow") ? SIP_H_ALLOW : SIP_H_OTHER;
        case 'e': return _IS("event") ? SIP_H_EVENT : SIP_H_OTHER;
        case 'r': return _IS("route") ? SIP_H_ROUTE : SIP_H_OTHER;
        case 'x': return _IS("x-cid") ? SIP_H_X_CID : SIP_H_OTHER;
        }
        break;
    case 6:
        switch (c) {
        case 'a': return _IS("accept") ? SIP_H_ACCEPT : SIP_H_OTHER;
        case 'r': return _IS("reason") ? SIP_H_REASON : SIP_H_OTHER;
        case 's': return _IS("server") ? SIP_H_SERVER : SIP_H_OTHER;
        }
        break;
    case 7:
        switch (c) {
        case 'c':
            if (_IS("call-id"))
                return SIP_H_CALL_ID;
            return _IS("contact") ? SIP_H_CONTACT : SIP_H_OTHER;
        case 'e': return _IS("expires") ? SIP_H_EXPIRES : SIP_H_OTHER;
        case 'r': return _IS("require") ? SIP_H_REQUIRE : SIP_H_OTHER;
        case 's': return _IS("subject") ? SIP_H_SUBJECT : SIP_H_OTHER;
        case 'w': return _IS("warning") ? SIP_H_WARNING : SIP_H_OTHER;
        }
        break;
    case 8:
        switch (c) {
        case 'i': return _IS("identity") ? SIP_H_IDENTITY : SIP_H_OTHER;
        case 'r': return _IS("refer-to") ? SIP_H_REFER_TO : SIP_H_OTHER;
        }
        break;
    case 9:
        switch (c) {
        case 's': return _IS("supported") ? SIP_H_SUPPORTED : SIP_H_OTHER;
        case 'x': return _IS("x-call-id") ? SIP_H_X_CID : SIP_H_OTHER;
        }
        break;
    case 10:
        switch (c) {
        case 's': return _IS("session-id") ? SIP_H_SESSION_ID : SIP_H_OTHER;
        case 'u': return _IS("user-agent") ? SIP_H_USER_AGENT : SIP_H_OTHER;
        }
        break;
    case 11:
        switch (c) {
        case 'm': return _IS("min-expires") ? SIP_H_MIN_EXPIRES : SIP_H_OTHER;
        case 'r': return _IS("referred-by") ? SIP_H_REFERRED_BY : SIP_H_OTHER;
        }
        break;
    case 12:
        switch (c) {
        case 'a': return _IS("allow-events") ? SIP_H_ALLOW_EVENTS : SIP_H_OTHER;
        case 'c': return _IS("content-type") ? SIP_H_CONTENT_TYPE : SIP_H_OTHER;
        case 'm': return _IS("max-forwards") ? SIP_H_MAX_FORWARDS : SIP_H_OTHER;
        case 'r': return _IS("record-route") ? SIP_H_RECORD_ROUTE : SIP_H_OTHER;
        }
        break;
    case 13:
        switch (c) {
        case 'a': return _IS("authorization") ? SIP_H_AUTHORIZATION : SIP_H_OTHER;
        case 'p': return _IS("proxy-require") ? SIP_H_PROXY_REQUIRE : SIP_H_OTHER;
        }
        break;
    case 14:
        switch (c) {
        case 'a': return _IS("accept-contact") ? SIP_H_ACCEPT_CONTACT : SIP_H_OTHER;
        case 'c': return _IS("content-length") ? SIP_H_CONTENT_LENGTH : SIP_H_OTHER;
        case 'r': return _IS("reject-contact") ? SIP_H_REJECT_CONTACT : SIP_H_OTHER;
        }
        break;
    case 15:
        return _IS("session-expires") ? SIP_H_SESSION_EXPIRES : SIP_H_OTHER;
    case 16:
        switch (c) {
        case 'c': return _IS("content-encoding") ? SIP_H_CONTENT_ENCODING : SIP_H_OTHER;
        case 'w': return _IS("www-authenticate") ? SIP_H_WWW_AUTHENTICATE : SIP_H_OTHER;
        }
        break;
    case 18:
        switch (c) {
        case 'p': return _IS("proxy-authenticate") ? SIP_H_PROXY_AUTHENTICATE : SIP_H_OTHER;
        case 's': return _IS("subscription-state") ? SIP_H_SUBSCRIPTION_STATE : SIP_H_OTHER;
        }
        break;
    case 19:
        switch (c) {
        case 'c': return _IS("content-disposition") ? SIP_H_CONTENT_DISPOSITION : SIP_H_OTHER;
        case 'p':
            if (_IS("p-asserted-identity"))
                return SIP_H_P_ASSERTED_IDENTITY;
            return _IS("proxy-authorization") ? SIP_H_PROXY_AUTHORIZATION : SIP_H_OTHER;
        case 'r': return _IS("request-disposition") ? SIP_H_REQUEST_DISPOSITION : SIP_H_OTHER;
        }
        break;
    }
    return SIP_H_OTHER;
}

#undef _IS

/* ---- scanning helpers ---- */

static inline int _lws(uint8_t c) { return sip_int_is(c, SIP_CT_LWS); }

static size_t _skip_lws(const uint8_t *p, size_t i, size_t n)
{
    while (i < n && _lws(p[i]))
        i++;
    return i;
}

/* With p[i] == '"', returns the offset just past the closing quote, or n+1
 * when the quoted string does not end (quoted-pair "\x" escapes any byte). */
static size_t _skip_quoted(const uint8_t *p, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (p[i] == '\\') {
            i++;
            continue;
        }
        if (p[i] == '"')
            return i + 1;
    }
    return n + 1;
}

/* Offset of the first `stop` byte at or after i that is outside quoted
 * strings, or n. */
static size_t _find_unquoted(const uint8_t *p, size_t i, size_t n, uint8_t stop)
{
    while (i < n) {
        i = sip_int_find2(p, i, n, stop, '"');
        if (i >= n || p[i] == stop)
            return i < n ? i : n;
        i = _skip_quoted(p, i, n); /* n + 1 when the quote does not end */
    }
    return n;
}

static ss_slice _trim(const uint8_t *p, size_t a, size_t b)
{
    return sip_int_trim(ss_slice_make(p + a, b - a));
}

/* Removes one pair of surrounding double quotes, if present. */
static ss_slice _unquote(ss_slice v)
{
    if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') {
        v.p++;
        v.len -= 2;
    }
    return v;
}

/* Steps through a ';' parameter list (RFC 3261 generic-param): from *i,
 * skips LWS, expects ';', then name [= value]. Returns 1 with *name and
 * *value (unquoted; empty without '='), 0 at the end, -1 for an element
 * that is not a parameter (";;", junk instead of ';' - RFC 4475 badinv01);
 * after -1 the walk may continue. One pass serves validation and lookup. */
static int _next_param(const uint8_t *p, size_t n, size_t *i, ss_slice *name, ss_slice *value)
{
    size_t k = _skip_lws(p, *i, n);
    if (k == n) {
        *i = n;
        return 0;
    }
    if (p[k] != ';') {
        size_t e = _find_unquoted(p, k, n, ';');
        *i = e;
        return -1;
    }
    size_t e = _find_unquoted(p, k + 1, n, ';');
    size_t a = _skip_lws(p, k + 1, e), t = a;
    while (t < e && sip_int_is(p[t], SIP_CT_TOKEN))
        t++;
    *i = e;
    *name = ss_slice_make(p + a, t - a);
    *value = ss_slice_make(p + t, 0);
    size_t q = _skip_lws(p, t, e);
    if (t == a || (q < e && p[q] != '='))
        return -1;
    if (q < e)
        *value = _unquote(_trim(p, q + 1, e));
    return 1;
}

/* ---- parameters ---- */

/* Case-insensitive compare against a caller's string of any case. */
static int _ieq_any(const uint8_t *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sip_int_lower(p[i]) != sip_int_lower((uint8_t)s[i]))
            return 0;
    return 1;
}

/* Contract: see sip.h. Elements are split on ';' outside quoted strings;
 * names and values may be surrounded by LWS ("; tag = x"). */
int sip_param(ss_slice params, const char *name, ss_slice *value)
{
    if (params.p == NULL || name == NULL)
        return 0;
    size_t nl = strlen(name); /* our literal, not wire data */
    const uint8_t *p = params.p;
    size_t n = params.len, i = 0;
    while (i < n) {
        size_t e = _find_unquoted(p, i, n, ';');
        size_t eq = _find_unquoted(p, i, e, '=');
        ss_slice k = _trim(p, i, eq);
        if (k.len == nl && _ieq_any(k.p, name, nl)) {
            if (value)
                *value = eq < e ? _unquote(_trim(p, eq + 1, e)) : ss_slice_make(k.p + k.len, 0);
            return 1;
        }
        i = e + 1;
    }
    return 0;
}

/* ---- numbers ---- */

int sip_parse_uint(ss_slice value, uint64_t max, uint64_t *out)
{
    const uint8_t *p = value.p;
    size_t n = value.len, i = p ? _skip_lws(p, 0, n) : 0;
    if (i == n || !sip_int_is(p[i], SIP_CT_DIGIT))
        return -1;
    uint64_t v = 0;
    for (; i < n && sip_int_is(p[i], SIP_CT_DIGIT); i++) {
        v = v * 10 + (uint64_t)(p[i] - '0');
        if (v > max)
            return -1; /* checked each digit, so v*10 cannot wrap first */
    }
    if (_skip_lws(p, i, n) != n)
        return -1;
    *out = v;
    return 0;
}

/* ---- URI ---- */

/* Port digits at p[k..n): returns the end of the digit run and sets *v
 * to its value, or to 65536 when the value passes 65535 (a run of leading
 * zeros is fine). When the value holds eight bytes the run is found and
 * read eight bytes at a time (SWAR; the load stays inside p[0..n)): a digit byte b
 * has b & 0xF0 == 0x30 and (b + 6) & 0xF0 == 0x30, so in m below exactly
 * the bytes that are not digits are non-zero (a carry out of a byte above
 * 0xF9 only reaches bytes after a non-digit), and the lowest set bit
 * marks the end of the run. Shifting the run to the top bytes leaves
 * zero bytes (digit value 0) in front, and three multiply-shift steps add
 * up pairs, quads and the two halves (the usual eight-digit parse). */
static inline size_t _port(const uint8_t *p, size_t k, size_t n, uint32_t *v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (k < n && n >= 8) {
        uint64_t x;
        if (n - k >= 8) {
            memcpy(&x, p + k, 8);
        } else {
            /* fewer than eight bytes left (a port at the end of the
             * value): the value's last eight bytes, shifted so that p[k]
             * comes first; the zero bytes shifted in end the run */
            memcpy(&x, p + n - 8, 8);
            x >>= 8 * (8 - (n - k));
        }
        uint64_t m = ((x & 0xF0F0F0F0F0F0F0F0ull) ^ 0x3030303030303030ull) |
                     (((x + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) ^ 0x3030303030303030ull);
        if (m != 0) { /* the run ends within these eight bytes */
            unsigned len = (unsigned)__builtin_ctzll(m) >> 3;
            if (len == 0) {
                *v = 0;
                return k;
            }
            uint64_t d = (x & 0x0F0F0F0F0F0F0F0Full) << (8 * (8 - len));
            d = (d * 10 + (d >> 8)) & 0x00FF00FF00FF00FFull;
            d = (d * 100 + (d >> 16)) & 0x0000FFFF0000FFFFull;
            d = (d * 10000 + (d >> 32)) & 0xFFFFFFFFull;
            *v = d > 65535 ? 65536 : (uint32_t)d;
            return k + len;
        }
    }
#endif
    uint32_t val = 0;
    unsigned dg;
    while (k < n && (dg = (unsigned)p[k] - '0') <= 9 && val <= 65535) {
        val = val * 10 + dg;
        k++;
    }
    *v = val > 65535 ? 65536 : val;
    return k;
}

/* Parses host[:port] at p[i..n) into out->host/port; returns the offset
 * after it or (size_t)-1 on a malformed host or port. */
static size_t _hostport(const uint8_t *p, size_t i, size_t n, ss_slice *host, uint16_t *port)
{
    size_t h0 = i, h1;
    if (i < n && p[i] == '[') {
        const uint8_t *rb = memchr(p + i, ']', n - i);
        if (!rb)
            return (size_t)-1;
        h0 = i + 1;
        h1 = (size_t)(rb - p);
        i = h1 + 1;
    } else {
        i = sip_int_span(p, i, n, SIP_CT_HOST);
        h1 = i;
    }
    *host = ss_slice_make(p + h0, h1 - h0);
    if (h1 == h0)
        return (size_t)-1;
    size_t k = _skip_lws(p, i, n);
    if (k < n && p[k] == ':') {
        k = _skip_lws(p, k + 1, n);
        uint32_t v;
        size_t d = k;
        k = _port(p, k, n, &v);
        if (k == d || v > 65535)
            return (size_t)-1;
        *port = (uint16_t)v;
        return k;
    }
    return i;
}

/* Contract: see sip.h. For sip/sips the user part ends at the first '@'
 * (users may hold ';' '?' ':' - RFC 4475 semiuri, intmeth); the password
 * after ':' is not part of user. */
int sip_parse_uri(ss_slice raw, sip_uri *out)
{
    memset(out, 0, sizeof(*out));
    raw = sip_int_trim(raw);
    out->raw = raw;
    const uint8_t *p = raw.p;
    size_t n = raw.len, i = 0;
    if (n == 0 || !((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z'))
        return -1;
    i = sip_int_span(p, i, n, SIP_CT_SCHEME);
    if (i == n || p[i] != ':')
        return -1;
    out->scheme = ss_slice_make(p, i);
    size_t r = i + 1;
    int is_sip = SIP_INT_IEQ(out->scheme, "sip") || SIP_INT_IEQ(out->scheme, "sips");

    if (SIP_INT_IEQ(out->scheme, "tel")) {
        size_t e = r;
        while (e < n && p[e] != ';' && p[e] != '?')
            e++;
        out->user = ss_slice_make(p + r, e - r);
        return e > r ? 0 : -1;
    }
    int hier = 0;
    if (!is_sip && n - r >= 2 && p[r] == '/' && p[r + 1] == '/') {
        r += 2; /* http://, and other hierarchical schemes */
        hier = 1;
    }

    const uint8_t *at = memchr(p + r, '@', n - r);
    size_t hp = r;
    if (at) {
        size_t ue = r, ae = (size_t)(at - p);
        while (ue < ae && p[ue] != ':')
            ue++;
        out->user = ss_slice_make(p + r, ue - r);
        hp = ae + 1;
    } else if (!is_sip && !hier) {
        return 0; /* urn:, data:, ... : opaque, nothing more to extract */
    }
    size_t e = _hostport(p, hp, n, &out->host, &out->port);
    if (e == (size_t)-1)
        return is_sip ? -1 : 0;
    if (is_sip && e < n && p[e] != ';' && p[e] != '?')
        return -1;
    return 0;
}

/* ---- name-addr ---- */

/* Contract: 1 when a token display name p[a..b) is tokens separated by
 * LWS (RFC 3261 §25.1 display-name = *(token LWS) / quoted-string). */
static int _display_tokens_ok(const uint8_t *p, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (!sip_int_is(p[i], SIP_CT_TOKEN) && !_lws(p[i]) && p[i] < 0x80)
            return 0;
    return 1;
}

/* ---- name-addr fast path ----
 * Nearly every UA writes From/To/Contact as
 *     [token display] <sip:user@host[:port][;uri-params]>[;name[=value]]...
 *     sip:user@host[:port][;name[=value]]...            (bare addr-spec)
 * without quotes, escapes, inner whitespace, ',' or IPv6 brackets. For
 * those, one forward pass gives exactly what the general parser below
 * gives, at a third of the cost (From, To and Contact were a quarter of
 * the per-message work). Anything else returns 0 and the general parser
 * decides. fuzz_sip runs both on every input the fast path takes and traps
 * on any difference (sip_int_name_addr_general). */
/* Token at p[i..n); returns its end (== i when none). */
static inline size_t _token_end(const uint8_t *p, size_t i, size_t n)
{
    return sip_int_span(p, i, n, SIP_CT_TOKEN);
}

/* Shared by the fast paths. (size_t)-1 means "not the simple form". */
#define _NOT_SIMPLE ((size_t)-1)

/* host[:port] from p[h]: host characters, then ':' and 1-5 digits up to
 * 65535, no LWS, no brackets. Returns the offset after it. Always inlined:
 * as a call (four or five per message) its entry, exit and the stores
 * through host/port cost a third of its work (measured). */
static inline __attribute__((always_inline)) size_t _fast_hostport(const uint8_t *p, size_t h, size_t n, ss_slice *host, uint16_t *port)
{
    size_t e = sip_int_span(p, h, n, SIP_CT_HOST);
    if (e == h)
        return _NOT_SIMPLE;
    *host = ss_slice_make(p + h, e - h);
    *port = 0;
    if (e < n && p[e] == ':') {
        uint32_t pv;
        size_t q = _port(p, e + 1, n, &pv);
        if (q == e + 1 || pv > 65535)
            return _NOT_SIMPLE;
        *port = (uint16_t)pv;
        e = q;
    }
    return e;
}

/* One ";name[=value]" at p[i] (p[i] must be ';'), the value free of
 * quotes, ',' and whitespace. Returns the offset after it; *value is
 * empty (at the end of the name) without '='. */
/* The value part of _fast_param, from p[v] just after the '=': returns
 * the offset after it with *value, or _NOT_SIMPLE. Also called directly
 * where ";tag=" or ";branch=" was matched in one compare (the token scan
 * of the name stops at its '='). */
static inline size_t _fast_param_value(const uint8_t *p, size_t v, size_t n, ss_slice *value)
{
    size_t ve = sip_int_span_pval(p, v, n);
    if (ve < n && p[ve] != ';')
        return _NOT_SIMPLE;
    *value = ss_slice_make(p + v, ve - v);
    return ve;
}

static inline size_t _fast_param(const uint8_t *p, size_t i, size_t n, ss_slice *name, ss_slice *value)
{
    if (p[i] != ';')
        return _NOT_SIMPLE;
    size_t a = i + 1, nt = _token_end(p, a, n), ve = nt;
    if (nt == a)
        return _NOT_SIMPLE;
    if (nt < n && p[nt] == '=') {
        ve = sip_int_span_pval(p, nt + 1, n);
        if (ve < n && p[ve] != ';')
            return _NOT_SIMPLE;
    } else if (nt < n && p[nt] != ';') {
        return _NOT_SIMPLE;
    }
    *name = ss_slice_make(p + a, nt - a);
    *value = ve > nt ? ss_slice_make(p + nt + 1, ve - nt - 1) : ss_slice_make(p + nt, 0);
    return ve;
}

/* Always inlined into its one caller, sip_int_name_addr_trimmed, which
 * GCC left as a call: three per message (measured). */
static inline __attribute__((always_inline)) int _name_addr_fast(ss_slice v, sip_name_addr *out)
{
    const uint8_t *p = v.p;
    size_t n = v.len, d = _token_end(p, 0, n);
    while (d < n && p[d] == ' ')
        d = _token_end(p, d + 1, n);
    if (d == n)
        return 0;
    int angle = p[d] == '<';
    size_t u = angle ? d + 1 : 0;
    /* bare: the general parser takes the first '<' anywhere for the start
     * of a name-addr, even inside a parameter value */
    if (!angle && (p[d] != ':' || memchr(p, ' ', d) != NULL || memchr(p + d, '<', n - d) != NULL))
        return 0;

    /* scheme: sip or sips ("sip:" itself in one compare: the scheme scan
     * stops at its ':') */
    size_t k = u + 3;
    if (!sip_int_starts_lit(p + u, n - u, "sip:", 4)) {
        k = sip_int_span(p, u, n, SIP_CT_SCHEME);
        if (k == u || k == n || p[k] != ':' || !((p[u] | 0x20) >= 'a' && (p[u] | 0x20) <= 'z'))
            return 0;
        if (!SIP_INT_IEQ(ss_slice_make(p + u, k - u), "sips"))
            return 0;
    }
    ss_slice scheme = ss_slice_make(p + u, k - u);
    size_t r = k + 1, t = _token_end(p, r, n);

    /* user@ (token characters only, so no ':' password) */
    ss_slice user = SS_SLICE_NULL;
    size_t h = r;
    if (t < n && p[t] == '@') {
        user = ss_slice_make(p + r, t - r);
        h = t + 1;
    } else if (memchr(p + r, '@', n - r) != NULL) {
        return 0; /* an '@' further on would make the general parser see a user */
    }

    /* host[:port] */
    ss_slice host;
    uint16_t port;
    size_t e = _fast_hostport(p, h, n, &host, &port);
    if (e == _NOT_SIMPLE)
        return 0;

    /* end of the URI: '>' (after any uri-params) or, bare, ';' or the end */
    size_t uri_end, after;
    if (angle) {
        if (e == n)
            return 0;
        if (p[e] == '>') {
            uri_end = e;
        } else if (p[e] == ';' || p[e] == '?') {
            const uint8_t *gt = memchr(p + e, '>', n - e);
            if (gt == NULL || _lws(gt[-1]))
                return 0;
            uri_end = (size_t)(gt - p);
        } else {
            return 0;
        }
        after = uri_end + 1;
    } else {
        if (e < n && p[e] != ';')
            return 0;
        uri_end = after = e;
    }

    /* header parameters: ;token[=value] with no quote, ',' or whitespace */
    ss_slice tag = SS_SLICE_NULL, pn, pv;
    for (size_t i = after; i < n;) {
        if (tag.p == NULL && sip_int_starts_lit(p + i, n - i, ";tag=", 5)) {
            if ((i = _fast_param_value(p, i + 5, n, &tag)) == _NOT_SIMPLE)
                return 0;
            continue;
        }
        if ((i = _fast_param(p, i, n, &pn, &pv)) == _NOT_SIMPLE)
            return 0;
        if (tag.p == NULL && SIP_INT_IEQ(pn, "tag"))
            tag = pv;
    }

    /* every field written once (no memset first); p[0..d) holds only
     * token characters and SP, so the display trim strips SP */
    ss_slice display = SS_SLICE_NULL;
    if (angle) {
        size_t da = 0, db = d;
        while (db > 0 && p[db - 1] == ' ')
            db--;
        while (da < db && p[da] == ' ')
            da++;
        display = ss_slice_make(p + da, db - da);
    }
    *out = (sip_name_addr){
        .display = display,
        .uri = {.raw = ss_slice_make(p + u, uri_end - u),
                .scheme = scheme,
                .user = user,
                .host = host,
                .port = port},
        .tag = tag,
        .params = ss_slice_make(p + after, n - after),
    };
    return 1;
}

int sip_parse_name_addr(ss_slice value, sip_name_addr *out)
{
    return sip_int_name_addr_trimmed(sip_int_trim(value), out);
}

/* Contract: see sip_int.h. */
int sip_int_name_addr_trimmed(ss_slice value, sip_name_addr *out)
{
    if (_name_addr_fast(value, out))
        return 0;
    return sip_int_name_addr_general(value, out);
}

/* Contract: see sip.h. Only the first value of a comma list is parsed;
 * its header parameters end at the first ',' outside quotes. */
int sip_int_name_addr_general(ss_slice value, sip_name_addr *out)
{
    memset(out, 0, sizeof(*out));
    ss_slice v = sip_int_trim(value);
    const uint8_t *p = v.p;
    size_t n = v.len, i = 0, uri_a, uri_b, after;
    int rc = 0;
    if (n == 0)
        return -1;

    if (p[0] == '"') {
        size_t q = _skip_quoted(p, 0, n);
        if (q > n) {
            out->display = ss_slice_make(p + 1, n - 1);
            return -2; /* RFC 4475 quotbal: everything is inside the quote */
        }
        out->display = ss_slice_make(p + 1, q - 2);
        i = _skip_lws(p, q, n);
        if (i == n || p[i] != '<')
            return -1;
    } else {
        const uint8_t *lt = memchr(p, '<', n);
        if (lt) {
            i = (size_t)(lt - p);
            out->display = _trim(p, 0, i);
            if (!_display_tokens_ok(p, 0, i))
                rc = -2; /* RFC 4475 baddn: "Bell, Alexander <sip:...>" */
        }
    }

    if (i < n && p[i] == '<') {
        const uint8_t *gt = memchr(p + i, '>', n - i);
        if (!gt)
            return -1;
        uri_a = i + 1;
        uri_b = (size_t)(gt - p);
        after = uri_b + 1;
        /* RFC 4475 badaspec: no LWS inside the angle brackets. */
        if (uri_b > uri_a && (_lws(p[uri_a]) || _lws(p[uri_b - 1])))
            rc = -1;
    } else {
        /* Bare addr-spec: ';' starts header parameters (RFC 3261 §20.10). */
        uri_a = 0;
        uri_b = 0;
        while (uri_b < n && p[uri_b] != ';' && p[uri_b] != ',' && !_lws(p[uri_b]))
            uri_b++;
        after = uri_b;
        if (memchr(p, '?', uri_b))
            rc = -1; /* RFC 4475 regbadct: must be enclosed in <> */
    }
    if (sip_parse_uri(ss_slice_make(p + uri_a, uri_b - uri_a), &out->uri) != 0)
        rc = -1;
    size_t pe = _find_unquoted(p, after, n, ',');
    out->params = _trim(p, after, pe);
    ss_slice pn, pv;
    size_t it = 0;
    int r;
    while ((r = _next_param(out->params.p, out->params.len, &it, &pn, &pv)) != 0) {
        if (r < 0)
            rc = -1;
        else if (out->tag.p == NULL && SIP_INT_IEQ(pn, "tag"))
            out->tag = pv;
    }
    return rc;
}

/* ---- Request-URI ---- */

/* Contract: see sip_int.h. */
int sip_int_ruri_ok_general(ss_slice r)
{
    sip_uri u;
    if (sip_int_find2(r.p, 0, r.len, ' ', '\t') < r.len)
        return 0;
    if (r.len == 0 || r.p[0] == '<' || sip_parse_uri(r, &u) != 0)
        return 0;
    if (SIP_INT_IEQ(u.scheme, "sip") || SIP_INT_IEQ(u.scheme, "sips")) {
        const uint8_t *from = u.host.p ? u.host.p : r.p;
        size_t left = r.len - (size_t)(from - r.p);
        if (memchr(from, '?', left))
            return 0;
    }
    return 1;
}

/* The Request-URI fast path: "sip:" or "sips:", token user and '@' (or
 * none), host[:port] as _fast_hostport takes it, then the end or ';'
 * uri-parameters. Those hold no LWS, '<', '@' or '?' up to the
 * parameters, so sip_parse_uri parses them and only the parameters need
 * the LWS and '?' checks. Returns 1 or 0 as sip_int_ruri_ok_general
 * would, -1 when that must decide. */
static int _ruri_fast(ss_slice r)
{
    const uint8_t *p = r.p;
    size_t n = r.len, u;
    if (sip_int_starts_lit(p, n, "sip:", 4))
        u = 4;
    else if (sip_int_starts_lit(p, n, "sips:", 5))
        u = 5;
    else
        return -1;
    size_t t = _token_end(p, u, n), h = u;
    if (t < n && p[t] == '@')
        h = t + 1;
    else if (memchr(p + u, '@', n - u) != NULL)
        return -1; /* the general parser's user part ends at the first '@' */
    ss_slice host;
    uint16_t port;
    size_t e = _fast_hostport(p, h, n, &host, &port);
    if (e == _NOT_SIMPLE)
        return -1;
    if (e == n)
        return 1;
    if (p[e] != ';')
        return -1;
    return sip_int_find2(p, e, n, ' ', '\t') == n && memchr(p + e, '?', n - e) == NULL;
}

/* Contract: see sip_int.h. */
int sip_int_ruri_ok(ss_slice r)
{
    int ok = _ruri_fast(r);
    return ok >= 0 ? ok : sip_int_ruri_ok_general(r);
}

/* ---- Via ---- */


/* Via fast path, as for name-addr above: "SIP/2.0/UDP host[:port]" then
 * ;name[=value] parameters, with single spaces, no quotes, no second value
 * (','), no IPv6 brackets. Same result as the general parser, which takes
 * everything else (fuzz_sip compares the two). Returns 1 when it parsed. */
static int _via_fast(ss_slice v, sip_via *out)
{
    const uint8_t *p = v.p;
    size_t n = v.len, ve;
    if (n > 8 && SIP_INT_IEQ(ss_slice_make(p, 8), "sip/2.0/")) {
        ve = 7; /* the usual sent-protocol: the two token scans below give 3 and 7 */
    } else {
        size_t pe = _token_end(p, 0, n);
        if (pe == 0 || pe == n || p[pe] != '/')
            return 0;
        ve = _token_end(p, pe + 1, n);
        if (ve == pe + 1 || ve == n || p[ve] != '/')
            return 0;
    }
    size_t te = _token_end(p, ve + 1, n);
    if (te == ve + 1 || te == n || p[te] != ' ')
        return 0;
    size_t sb = te + 1;
    while (sb < n && p[sb] == ' ')
        sb++;
    ss_slice host;
    uint16_t port;
    size_t e = _fast_hostport(p, sb, n, &host, &port);
    if (e == _NOT_SIMPLE)
        return 0;
    ss_slice branch = SS_SLICE_NULL, received = SS_SLICE_NULL;
    int32_t rport = -1;
    for (size_t i = e; i < n;) {
        ss_slice name, val;
        if (branch.p == NULL && sip_int_starts_lit(p + i, n - i, ";branch=", 8)) {
            if ((i = _fast_param_value(p, i + 8, n, &branch)) == _NOT_SIMPLE)
                return 0;
            continue;
        }
        if ((i = _fast_param(p, i, n, &name, &val)) == _NOT_SIMPLE)
            return 0;
        if (branch.p == NULL && SIP_INT_IEQ(name, "branch")) {
            branch = val;
        } else if (received.p == NULL && SIP_INT_IEQ(name, "received")) {
            received = val;
        } else if (rport < 0 && SIP_INT_IEQ(name, "rport")) {
            uint64_t rp;
            if (val.len == 0)
                rport = 0;
            else if (sip_parse_uint(val, 65535, &rp) == 0)
                rport = (int32_t)rp;
            else
                return 0;
        }
    }
    *out = (sip_via){
        .protocol = ss_slice_make(p, ve),
        .transport = ss_slice_make(p + ve + 1, te - ve - 1),
        .sent_by = ss_slice_make(p + sb, e - sb),
        .host = host,
        .port = port,
        .branch = branch,
        .received = received,
        .rport = rport,
    }; /* every field written once, no memset first */
    return 1;
}

int sip_parse_via(ss_slice value, sip_via *out)
{
    if (_via_fast(sip_int_trim(value), out))
        return 0;
    return sip_int_via_general(value, out);
}

/* Contract: see sip_int.h. */
int sip_int_via_fast(ss_slice value, sip_via *out) { return _via_fast(value, out); }

/* Contract: see sip.h. rport: -1 absent, 0 without value, else the port. */
int sip_int_via_general(ss_slice value, sip_via *out)
{
    memset(out, 0, sizeof(*out));
    out->rport = -1;
    ss_slice v = sip_int_trim(value);
    const uint8_t *p = v.p;
    size_t n = v.len;
    if (n == 0)
        return -1;

    /* sent-protocol = protocol-name SLASH protocol-version SLASH transport */
    size_t a = 0, e = _token_end(p, a, n);
    if (e == a)
        return -1;
    size_t k = _skip_lws(p, e, n);
    if (k == n || p[k] != '/')
        return -1;
    k = _skip_lws(p, k + 1, n);
    size_t ve = _token_end(p, k, n);
    if (ve == k)
        return -1;
    out->protocol = ss_slice_make(p + a, ve - a);
    k = _skip_lws(p, ve, n);
    if (k == n || p[k] != '/')
        return -1;
    k = _skip_lws(p, k + 1, n);
    size_t te = _token_end(p, k, n);
    if (te == k)
        return -1;
    out->transport = ss_slice_make(p + k, te - k);

    /* LWS sent-by */
    size_t sb = _skip_lws(p, te, n);
    if (sb == te || sb == n)
        return -1;
    size_t se = _hostport(p, sb, n, &out->host, &out->port);
    if (se == (size_t)-1)
        return -1;
    out->sent_by = ss_slice_make(p + sb, se - sb);

    /* *( SEMI via-params ), up to the next value */
    size_t pe = _find_unquoted(p, se, n, ',');
    ss_slice params = _trim(p, se, pe), pn, pv;
    int rc = 0, r;
    size_t it = 0;
    while ((r = _next_param(params.p, params.len, &it, &pn, &pv)) != 0) {
        if (r < 0) {
            rc = -1;
        } else if (out->branch.p == NULL && SIP_INT_IEQ(pn, "branch")) {
            out->branch = pv;
        } else if (out->received.p == NULL && SIP_INT_IEQ(pn, "received")) {
            out->received = pv;
        } else if (out->rport < 0 && SIP_INT_IEQ(pn, "rport")) {
            uint64_t port;
            if (pv.len == 0)
                out->rport = 0;
            else if (sip_parse_uint(pv, 65535, &port) == 0)
                out->rport = (int32_t)port;
            else
                rc = -1;
        }
    }
    return rc;
}

/* Contract: 1 when branch starts with "z9hG4bK" (RFC 3261 §8.1.1.7); the
 * cookie is case-sensitive. A bare cookie (RFC 4475 badbranch) counts. */
int sip_branch_is_rfc3261(ss_slice branch)
{
    return branch.p != NULL && branch.len >= 7 && memcmp(branch.p, SIP_MAGIC_COOKIE, 7) == 0;
}

/* ---- CSeq, tokens, auth ---- */

/* CSeq fast path: "digits SP method" as nearly every UA writes it (up to
 * ten digits, at most 2**32-1, one SP, a token to the end). Returns 1 with
 * what sip_int_cseq_general gives, 0 when that must decide. */
static inline int _cseq_fast(ss_slice v, sip_cseq *out)
{
    const uint8_t *p = v.p;
    size_t n = v.len, i = 0;
    uint64_t seq = 0;
    unsigned dg;
    while (i < n && i < 10 && (dg = (unsigned)p[i] - '0') <= 9) {
        seq = seq * 10 + dg;
        i++;
    }
    if (i == 0 || i == n || p[i] != ' ' || seq > UINT32_MAX)
        return 0;
    size_t me = _token_end(p, i + 1, n);
    if (me != n || me == i + 1)
        return 0;
    ss_slice method = ss_slice_make(p + i + 1, n - i - 1);
    *out = (sip_cseq){.seq = (uint32_t)seq, .method_name = method, .method = sip_method_from(method)};
    return 1;
}

int sip_parse_cseq(ss_slice value, sip_cseq *out)
{
    if (_cseq_fast(value, out))
        return 0;
    return sip_int_cseq_general(value, out);
}

/* Contract: see sip.h (sip_parse_cseq). */
int sip_int_cseq_general(ss_slice value, sip_cseq *out)
{
    memset(out, 0, sizeof(*out));
    const uint8_t *p = value.p;
    size_t n = value.len, i = p ? _skip_lws(p, 0, n) : 0, d = i;
    uint64_t seq = 0;
    int rc = 0;
    while (i < n && sip_int_is(p[i], SIP_CT_DIGIT)) {
        if (seq <= UINT32_MAX)
            seq = seq * 10 + (uint64_t)(p[i] - '0');
        i++;
    }
    if (i == d || seq > UINT32_MAX)
        rc = -1; /* RFC 4475 scalar02/scalarlg: beyond 2**32-1 */
    else
        out->seq = (uint32_t)seq;
    size_t m = _skip_lws(p, i, n);
    if (m == i && i < n)
        rc = -1;
    size_t me = _token_end(p, m, n);
    out->method_name = ss_slice_make(p ? p + m : NULL, me - m);
    out->method = sip_method_from(out->method_name);
    if (me == m || _skip_lws(p, me, n) != n)
        rc = -1;
    return rc;
}

ss_slice sip_value_token(ss_slice value)
{
    if (value.p == NULL)
        return value;
    const uint8_t *semi = memchr(value.p, ';', value.len);
    size_t e = semi ? (size_t)(semi - value.p) : value.len;
    return _trim(value.p, 0, e);
}

static const char *const _auth_names[] = {
    [SIP_AUTH_NONE] = "",          [SIP_AUTH_DIGEST] = "Digest", [SIP_AUTH_NTLM] = "NTLM",
    [SIP_AUTH_KERBEROS] = "Kerberos", [SIP_AUTH_TLS_DSK] = "TLS-DSK", [SIP_AUTH_BASIC] = "Basic",
    [SIP_AUTH_OTHER] = "other",
};

/* Contract: display name of a scheme; "" for NONE, "other" for OTHER and
 * for values outside the enum. */
const char *sip_auth_scheme_name(sip_auth_scheme s)
{
    if ((unsigned)s > SIP_AUTH_OTHER)
        return _auth_names[SIP_AUTH_OTHER];
    return _auth_names[s];
}

/* Contract: see sip.h. Auth parameters are comma-separated (RFC 3261
 * §25.1 digest-cln), unlike the ';' parameters of other headers. */
int sip_parse_auth(ss_slice value, sip_auth *out)
{
    memset(out, 0, sizeof(*out));
    const uint8_t *p = value.p;
    size_t n = value.len, a = p ? _skip_lws(p, 0, n) : 0, e = _token_end(p, a, n);
    if (e == a)
        return -1;
    ss_slice s = ss_slice_make(p + a, e - a);
    out->scheme_name = s;
    if (SIP_INT_IEQ(s, "digest"))
        out->scheme = SIP_AUTH_DIGEST;
    else if (SIP_INT_IEQ(s, "ntlm"))
        out->scheme = SIP_AUTH_NTLM;
    else if (SIP_INT_IEQ(s, "kerberos"))
        out->scheme = SIP_AUTH_KERBEROS;
    else if (SIP_INT_IEQ(s, "tls-dsk"))
        out->scheme = SIP_AUTH_TLS_DSK;
    else if (SIP_INT_IEQ(s, "basic"))
        out->scheme = SIP_AUTH_BASIC;
    else
        out->scheme = SIP_AUTH_OTHER;

    size_t i = e;
    while (i < n) {
        size_t ce = _find_unquoted(p, i, n, ',');
        size_t eq = _find_unquoted(p, i, ce, '=');
        ss_slice k = _trim(p, i, eq);
        if (eq < ce && k.len == 5 && _ieq_lit(k.p, "realm", 5)) {
            out->realm = _unquote(_trim(p, eq + 1, ce));
            break;
        }
        i = ce + 1;
    }
    return 0;
}
