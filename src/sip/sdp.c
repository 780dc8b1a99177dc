/* sdp.c - one-pass SDP parser (RFC 8866; RFC 3264 directions; RFC 3551
 * static payload types; RFC 4975 MSRP attributes).
 *
 * Policy: a body whose first line is "v=" is SDP and parses; everything
 * odd after that becomes an SDP_DEF_* bit. Lines end at LF (a CR before it
 * is dropped), so LF-only bodies parse like CRLF ones. A second "v=" ends
 * the description (SIP bodies carry one session; MEGACO bodies that wrap
 * several are cut at the first). Lines that are not <letter>=<value> are
 * skipped, so trailing garbage costs a defect bit, not the parse.
 *
 * Cost: one memchr per line and one scan of each line's fields. Nothing is
 * allocated or copied, and nothing on the stack grows with the input. */
#include "sipscope/sdp.h"

#include <stddef.h>
#include <string.h>

/* Per-parse scratch that is not part of the result. */
typedef struct _pstate {
    int seen_name;         /* s= */
    int seen_timing;       /* t= */
    uint32_t sflags;       /* SDP_MF_* seen at session level, inherited */
    int in_dropped;        /* inside an m= section beyond SDP_MAX_MEDIA */
    const uint8_t *end;    /* end of the last SDP line taken (terminator included) */
} _pstate;

static inline int _wsp(uint8_t c) { return c == ' ' || c == '\t'; }
static inline int _digit(uint8_t c) { return c >= '0' && c <= '9'; }
static inline uint8_t _lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c; }

/* Contract: 1 when s equals the lower-case literal lit of length n,
 * ignoring ASCII case. */
static int _ieq_lit(ss_slice s, const char *lit, size_t n)
{
    if (s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (_lower(s.p[i]) != (uint8_t)lit[i])
            return 0;
    return 1;
}
#define _IEQ(s, lit) _ieq_lit((s), lit, sizeof(lit) - 1)

/* Contract: 1 when s equals lit exactly (attribute names, RFC 8866 §5.13). */
static int _eq_lit(ss_slice s, const char *lit, size_t n)
{
    return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}
#define _EQ(s, lit) _eq_lit((s), lit, sizeof(lit) - 1)

/* Takes the next SP/HTAB-separated field off the front of *rest; an empty
 * slice (p NULL) when none is left. */
static ss_slice _field(ss_slice *rest)
{
    size_t i = 0;
    while (i < rest->len && _wsp(rest->p[i]))
        i++;
    size_t j = i;
    while (j < rest->len && !_wsp(rest->p[j]))
        j++;
    ss_slice f = j > i ? ss_slice_make(rest->p + i, j - i) : SS_SLICE_NULL;
    rest->p += j;
    rest->len -= j;
    return f;
}

/* Strips SP/HTAB at both ends. */
static ss_slice _trim(ss_slice s)
{
    while (s.len && _wsp(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && _wsp(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* Parses a non-empty run of decimal digits, nothing else, value <= max.
 * Returns 0 and *out, or -1. */
static int _uint(ss_slice s, uint32_t max, uint32_t *out)
{
    uint32_t v = 0;
    if (s.len == 0)
        return -1;
    for (size_t i = 0; i < s.len; i++) {
        if (!_digit(s.p[i]))
            return -1;
        uint32_t d = (uint32_t)(s.p[i] - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* The RTP payload type a format names: 0..127, else -1. */
static int _pt(ss_slice fmt)
{
    uint32_t v;
    if (fmt.len > 3 || _uint(fmt, 127, &v) != 0)
        return -1;
    return (int)v;
}

/* Splits the next line off p[*off..len): *line is the line without CR/LF,
 * *bare_lf is set when it ended in LF without CR. Advances *off past the
 * terminator. */
static void _next_line(const uint8_t *p, size_t len, size_t *off, ss_slice *line, int *bare_lf)
{
    size_t ls = *off;
    const uint8_t *lf = memchr(p + ls, '\n', len - ls);
    size_t le = lf ? (size_t)(lf - p) : len;
    size_t ce = le;
    *bare_lf = 0;
    if (ce > ls && p[ce - 1] == '\r')
        ce--;
    else if (lf)
        *bare_lf = 1;
    *line = ss_slice_make(p + ls, ce - ls);
    *off = lf ? le + 1 : len;
}

/* ---- tables ---- */

static const char *const _dir_names[SDP_DIR__COUNT] = {
    [SDP_DIR_NONE] = "none",
    [SDP_DIR_SENDRECV] = "sendrecv",
    [SDP_DIR_SENDONLY] = "sendonly",
    [SDP_DIR_RECVONLY] = "recvonly",
    [SDP_DIR_INACTIVE] = "inactive",
};

/* Contract: name of d; "unknown" outside the enum. */
const char *sdp_direction_name(sdp_dir d)
{
    if ((unsigned)d >= SDP_DIR__COUNT)
        return "unknown";
    return _dir_names[d];
}

static const char *const _mt_names[SDP_MT__COUNT] = {
    [SDP_MT_OTHER] = "other",     [SDP_MT_AUDIO] = "audio",
    [SDP_MT_VIDEO] = "video",     [SDP_MT_IMAGE] = "image",
    [SDP_MT_APPLICATION] = "application", [SDP_MT_MESSAGE] = "message",
    [SDP_MT_TEXT] = "text",
};

/* Contract: name of t; "unknown" outside the enum. */
const char *sdp_media_type_name(sdp_media_type t)
{
    if ((unsigned)t >= SDP_MT__COUNT)
        return "unknown";
    return _mt_names[t];
}

static const char *const _proto_names[SDP_PROTO__COUNT] = {
    [SDP_PROTO_OTHER] = "other",
    [SDP_PROTO_RTP_AVP] = "RTP/AVP",
    [SDP_PROTO_RTP_AVPF] = "RTP/AVPF",
    [SDP_PROTO_RTP_SAVP] = "RTP/SAVP",
    [SDP_PROTO_RTP_SAVPF] = "RTP/SAVPF",
    [SDP_PROTO_UDP_TLS_RTP_SAVP] = "UDP/TLS/RTP/SAVP",
    [SDP_PROTO_UDP_TLS_RTP_SAVPF] = "UDP/TLS/RTP/SAVPF",
    [SDP_PROTO_UDPTL] = "udptl",
    [SDP_PROTO_UDP_TLS_UDPTL] = "UDP/TLS/UDPTL",
    [SDP_PROTO_TCP_MSRP] = "TCP/MSRP",
    [SDP_PROTO_TCP_TLS_MSRP] = "TCP/TLS/MSRP",
    [SDP_PROTO_UDP_DTLS_SCTP] = "UDP/DTLS/SCTP",
    [SDP_PROTO_TCP_DTLS_SCTP] = "TCP/DTLS/SCTP",
    [SDP_PROTO_UDP] = "UDP",
    [SDP_PROTO_TCP] = "TCP",
};

/* Contract: canonical spelling of p; "unknown" outside the enum. */
const char *sdp_proto_name(sdp_proto p)
{
    if ((unsigned)p >= SDP_PROTO__COUNT)
        return "unknown";
    return _proto_names[p];
}

/* Case-insensitive: "udptl" and "UDPTL" both occur in the wild. */
static sdp_proto _proto_from(ss_slice s)
{
    for (int i = 1; i < SDP_PROTO__COUNT; i++)
        if (ss_slice_ieq_str(s, _proto_names[i]))
            return (sdp_proto)i;
    return SDP_PROTO_OTHER;
}

static sdp_media_type _media_type_from(ss_slice s)
{
    for (int i = 1; i < SDP_MT__COUNT; i++)
        if (ss_slice_ieq_str(s, _mt_names[i]))
            return (sdp_media_type)i;
    return SDP_MT_OTHER;
}

/* RFC 3551 §6 tables 4 and 5; 1 and 2 are reserved (ex-1016, ex-G721). */
static const sdp_static_codec_info _static[35] = {
    [0] = {"PCMU", 8000, 1},   [3] = {"GSM", 8000, 1},     [4] = {"G723", 8000, 1},
    [5] = {"DVI4", 8000, 1},   [6] = {"DVI4", 16000, 1},   [7] = {"LPC", 8000, 1},
    [8] = {"PCMA", 8000, 1},   [9] = {"G722", 8000, 1},    [10] = {"L16", 44100, 2},
    [11] = {"L16", 44100, 1},  [12] = {"QCELP", 8000, 1},  [13] = {"CN", 8000, 1},
    [14] = {"MPA", 90000, 0},  [15] = {"G728", 8000, 1},   [16] = {"DVI4", 11025, 1},
    [17] = {"DVI4", 22050, 1}, [18] = {"G729", 8000, 1},   [25] = {"CelB", 90000, 0},
    [26] = {"JPEG", 90000, 0}, [28] = {"nv", 90000, 0},    [31] = {"H261", 90000, 0},
    [32] = {"MPV", 90000, 0},  [33] = {"MP2T", 90000, 0},  [34] = {"H263", 90000, 0},
};

/* Contract: the table entry for pt, or NULL when pt is not statically
 * assigned (reserved, unassigned, dynamic, negative). */
const sdp_static_codec_info *sdp_static_codec(int pt)
{
    if (pt < 0 || pt > 34 || _static[pt].name == NULL)
        return NULL;
    return &_static[pt];
}

static const char *const _defect_names[SDP_DEF__COUNT] = {
    "bad_version",       "missing_origin",    "bad_origin",     "missing_name",
    "missing_timing",    "bad_connection",    "missing_connection", "bad_media",
    "unknown_direction", "multiple_direction", "bad_rtpmap",    "rtpmap_no_format",
    "bad_line",          "bare_lf",           "second_session", "too_many_media",
    "too_many_codecs",
};

/* Contract: name of one defect bit; NULL for 0, several bits, unknown bit. */
const char *sdp_defect_name(uint32_t bit)
{
    if (bit == 0 || (bit & (bit - 1)) != 0)
        return NULL;
    for (int i = 0; i < SDP_DEF__COUNT; i++)
        if (bit == (1u << i))
            return _defect_names[i];
    return NULL;
}

/* ---- lines ---- */

/* c=<nettype> <addrtype> <connection-address>; the address loses its
 * /ttl and /count suffixes. Returns 0, or -1 when not exactly 3 fields
 * (*c filled as far as it goes). */
static int _conn(ss_slice v, sdp_conn *c)
{
    c->nettype = _field(&v);
    c->addrtype = _field(&v);
    c->address = _field(&v);
    if (c->address.len) {
        const uint8_t *sl = memchr(c->address.p, '/', c->address.len);
        if (sl)
            c->address.len = (size_t)(sl - c->address.p);
    }
    if (c->address.len == 0 || _field(&v).len != 0)
        return -1;
    return 0;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>. */
static int _origin(ss_slice v, sdp_origin *o)
{
    o->username = _field(&v);
    o->sess_id = _field(&v);
    o->sess_version = _field(&v);
    o->nettype = _field(&v);
    o->addrtype = _field(&v);
    o->address = _field(&v);
    if (o->address.len == 0 || _field(&v).len != 0)
        return -1;
    return 0;
}

/* Contract: 1 when the format token fmt is listed in the m= line's raw
 * format list (also beyond the codec cap). */
static int _fmt_listed(ss_slice fmts, ss_slice fmt)
{
    ss_slice f;
    while ((f = _field(&fmts)).len)
        if (ss_slice_eq(f, fmt))
            return 1;
    return 0;
}

/* The indexed codec whose format is fmt (numerically for payload types,
 * so "08" finds "8"); NULL when none. */
static sdp_codec *_codec_for(sdp_media *m, ss_slice fmt)
{
    int pt = _pt(fmt);
    for (uint32_t i = 0; i < m->ncodec; i++) {
        sdp_codec *c = &m->codec[i];
        if (pt >= 0 ? c->pt == pt : ss_slice_eq(c->fmt, fmt))
            return c;
    }
    return NULL;
}

/* Looks up the codec an rtpmap/fmtp line is about; flags a format that the
 * m= line does not list. NULL when there is nothing to fill. */
static sdp_codec *_codec_ref(sdp_session *s, sdp_media *m, ss_slice fmt)
{
    sdp_codec *c = _codec_for(m, fmt);
    if (c == NULL && !_fmt_listed(m->fmts, fmt))
        s->defects |= SDP_DEF_RTPMAP_NO_FORMAT;
    return c;
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<parameters>] */
static void _rtpmap(sdp_session *s, sdp_media *m, ss_slice v)
{
    ss_slice fmt = _field(&v);
    ss_slice enc = _field(&v);
    uint32_t clock = 0, ch = 0;
    if (_pt(fmt) < 0 || enc.len == 0 || _field(&v).len != 0) {
        s->defects |= SDP_DEF_BAD_RTPMAP;
        return;
    }
    const uint8_t *s1 = memchr(enc.p, '/', enc.len);
    if (s1 == NULL) {
        s->defects |= SDP_DEF_BAD_RTPMAP;
        return;
    }
    ss_slice name = ss_slice_make(enc.p, (size_t)(s1 - enc.p));
    ss_slice rest = ss_slice_make(s1 + 1, enc.len - name.len - 1);
    const uint8_t *s2 = rest.len ? memchr(rest.p, '/', rest.len) : NULL;
    ss_slice cs = s2 ? ss_slice_make(rest.p, (size_t)(s2 - rest.p)) : rest;
    int has_ch = s2 != NULL;
    if (name.len == 0 || _uint(cs, UINT32_MAX, &clock) != 0 ||
        (has_ch && _uint(ss_slice_make(s2 + 1, rest.len - cs.len - 1), 255, &ch) != 0)) {
        s->defects |= SDP_DEF_BAD_RTPMAP;
        return;
    }
    sdp_codec *c = _codec_ref(s, m, fmt);
    if (c == NULL || c->src == SDP_CS_RTPMAP)
        return;
    c->src = SDP_CS_RTPMAP;
    c->name = name;
    c->clock = clock;
    c->channels = (uint16_t)(has_ch ? ch : (m->type == SDP_MT_AUDIO ? 1 : 0));
    if (m->dtmf_pt < 0 && _IEQ(name, "telephone-event"))
        m->dtmf_pt = c->pt;
}

/* a=fmtp:<format> <format specific parameters> */
static void _fmtp(sdp_session *s, sdp_media *m, ss_slice v)
{
    ss_slice fmt = _field(&v);
    if (fmt.len == 0) {
        s->defects |= SDP_DEF_BAD_RTPMAP;
        return;
    }
    sdp_codec *c = _codec_ref(s, m, fmt);
    if (c != NULL && c->fmtp.len == 0)
        c->fmtp = _trim(v);
}

/* Maps a direction attribute name; SDP_DIR_NONE when it is none. */
static sdp_dir _dir_from(ss_slice name)
{
    if (_EQ(name, "sendrecv"))
        return SDP_DIR_SENDRECV;
    if (_EQ(name, "sendonly"))
        return SDP_DIR_SENDONLY;
    if (_EQ(name, "recvonly"))
        return SDP_DIR_RECVONLY;
    if (_EQ(name, "inactive"))
        return SDP_DIR_INACTIVE;
    return SDP_DIR_NONE;
}

/* a=<attribute>[:<value>] at session level (m NULL) or in section m. */
static void _attr(sdp_session *s, sdp_media *m, ss_slice v, _pstate *st)
{
    const uint8_t *colon = v.len ? memchr(v.p, ':', v.len) : NULL;
    ss_slice name = _trim(colon ? ss_slice_make(v.p, (size_t)(colon - v.p)) : v);
    ss_slice val = colon ? ss_slice_make(colon + 1, v.len - (size_t)(colon + 1 - v.p))
                         : ss_slice_make(v.p + v.len, 0);
    uint32_t *flags = m ? &m->flags : &st->sflags;
    if (m)
        m->nattr++;

    sdp_dir d = _dir_from(name);
    if (d != SDP_DIR_NONE) {
        sdp_dir *slot = m ? &m->dir_attr : &s->dir;
        if (*slot != SDP_DIR_NONE)
            s->defects |= SDP_DEF_MULTIPLE_DIRECTION; /* the first one stays */
        else
            *slot = d;
        return;
    }
    if (name.len >= 4 && (_ieq_lit(ss_slice_make(name.p, 4), "send", 4) ||
                          _ieq_lit(ss_slice_make(name.p, 4), "recv", 4))) {
        s->defects |= SDP_DEF_UNKNOWN_DIRECTION; /* "sendrcv", "SendOnly" */
        return;
    }
    if (_EQ(name, "rtcp-mux"))
        *flags |= SDP_MF_RTCP_MUX;
    else if (_EQ(name, "ice-ufrag") || _EQ(name, "candidate"))
        *flags |= SDP_MF_ICE;
    else if (_EQ(name, "fingerprint"))
        *flags |= SDP_MF_DTLS;
    else if (_EQ(name, "crypto"))
        *flags |= SDP_MF_SDES;
    if (m == NULL)
        return;
    if (_EQ(name, "rtpmap"))
        _rtpmap(s, m, val);
    else if (_EQ(name, "fmtp"))
        _fmtp(s, m, val);
    else if (_EQ(name, "ptime")) {
        uint32_t ms;
        if (_uint(_trim(val), 1000000, &ms) == 0)
            m->ptime = ms;
    } else if (_EQ(name, "mid") && m->mid.len == 0)
        m->mid = _trim(val);
    else if (_EQ(name, "path") && m->path.len == 0)
        m->path = _trim(val);
    else if (_EQ(name, "accept-types") && m->accept_types.len == 0)
        m->accept_types = _trim(val);
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ...; fills *m as far
 * as the line allows and flags what is missing or bad. */
static void _media(sdp_session *s, sdp_media *m, ss_slice v)
{
    m->dtmf_pt = -1;
    m->nports = 1;
    m->type_name = _field(&v);
    m->type = _media_type_from(m->type_name);
    ss_slice port = _field(&v);
    m->proto_name = _field(&v);
    m->proto = _proto_from(m->proto_name);
    m->fmts = _trim(v);

    const uint8_t *sl = port.len ? memchr(port.p, '/', port.len) : NULL;
    ss_slice pn = sl ? ss_slice_make(port.p, (size_t)(sl - port.p)) : port;
    uint32_t pv = 0, np = 1;
    int bad = _uint(pn, 65535, &pv) != 0;
    if (sl && (_uint(ss_slice_make(sl + 1, port.len - pn.len - 1), 65535, &np) != 0 || np == 0))
        bad = 1;
    if (!bad) {
        m->port = (uint16_t)pv;
        m->nports = (uint16_t)np;
        m->disabled = pv == 0;
    }
    if (bad || m->type_name.len == 0 || m->proto_name.len == 0 || m->fmts.len == 0)
        s->defects |= SDP_DEF_BAD_MEDIA;

    for (size_t i = 0; i + 4 <= m->proto_name.len; i++)
        if (_ieq_lit(ss_slice_make(m->proto_name.p + i, 4), "rtp/", 4)) {
            m->flags |= SDP_MF_RTP;
            break;
        }

    ss_slice rest = m->fmts, f;
    while ((f = _field(&rest)).len) {
        if (m->ncodec == SDP_MAX_CODECS) {
            m->ncodec_dropped++;
            s->defects |= SDP_DEF_TOO_MANY_CODECS;
            continue;
        }
        sdp_codec *c = &m->codec[m->ncodec++];
        memset(c, 0, sizeof *c);
        c->fmt = f;
        c->pt = _pt(f);
        const sdp_static_codec_info *si = (m->flags & SDP_MF_RTP) ? sdp_static_codec(c->pt) : NULL;
        if (si) {
            c->src = SDP_CS_STATIC;
            c->name = ss_slice_make(si->name, strlen(si->name));
            c->clock = si->clock;
            c->channels = si->channels;
        }
    }
}

/* Session-level inheritance and the checks that need the whole body. */
static void _finish(sdp_session *s, const _pstate *st)
{
    if (!s->has_origin)
        s->defects |= SDP_DEF_MISSING_ORIGIN;
    if (!st->seen_name)
        s->defects |= SDP_DEF_MISSING_NAME;
    if (!st->seen_timing)
        s->defects |= SDP_DEF_MISSING_TIMING;
    for (uint32_t i = 0; i < s->nmedia; i++) {
        sdp_media *m = &s->media[i];
        m->dir = m->dir_attr != SDP_DIR_NONE ? m->dir_attr
                 : s->dir != SDP_DIR_NONE    ? s->dir
                                             : SDP_DIR_SENDRECV;
        m->flags |= st->sflags;
        if (!(m->flags & SDP_MF_OWN_CONN)) {
            if (s->has_conn)
                m->conn = s->conn;
            else if (!m->disabled)
                s->defects |= SDP_DEF_MISSING_CONNECTION;
        }
    }
}

/* Contract: see sdp.h. */
int sdp_parse(const uint8_t *p, size_t len, sdp_session *out)
{
    size_t off = 0;
    while (p && off < len && (p[off] == '\r' || p[off] == '\n'))
        off++;
    if (p == NULL || len - off < 2 || p[off] != 'v' || p[off + 1] != '=') {
        memset(out, 0, sizeof *out);
        return -1;
    }
    /* Zeroing all of *out (10 KB, mostly media[] and codec[] slots a
     * typical body never uses) was the largest cost of a parse: clear the
     * session fields here and each section and format as it is taken. */
    memset(out, 0, offsetof(sdp_session, media));
    out->nmedia = out->nmedia_dropped = out->defects = 0;

    _pstate st = {0};
    const uint8_t *start = p + off;
    const uint8_t *head_end = NULL;
    sdp_media *cur = NULL;
    int first = 1;
    st.end = start;

    while (off < len) {
        size_t ls = off;
        ss_slice line;
        int bare_lf;
        _next_line(p, len, &off, &line, &bare_lf);
        if (line.len == 0)
            continue;
        uint8_t t = line.p[0];
        if (line.len < 2 || line.p[1] != '=' || t < 'a' || t > 'z') {
            out->defects |= SDP_DEF_BAD_LINE;
            continue;
        }
        if (t == 'v' && !first) {
            out->defects |= SDP_DEF_SECOND_SESSION;
            break;
        }
        if (bare_lf)
            out->defects |= SDP_DEF_BARE_LF;
        ss_slice v = ss_slice_make(line.p + 2, line.len - 2);

        if (t == 'm') {
            if (cur)
                cur->raw.len = (size_t)(st.end - cur->raw.p);
            if (head_end == NULL)
                head_end = p + ls;
            cur = NULL;
            st.in_dropped = 0;
            if (out->nmedia == SDP_MAX_MEDIA) {
                out->nmedia_dropped++;
                out->defects |= SDP_DEF_TOO_MANY_MEDIA;
                st.in_dropped = 1;
            } else {
                cur = &out->media[out->nmedia++];
                memset(cur, 0, offsetof(sdp_media, codec));
                memset(&cur->ncodec, 0, sizeof *cur - offsetof(sdp_media, ncodec));
                cur->raw.p = p + ls;
                _media(out, cur, v);
            }
        }
        st.end = p + off;
        first = 0;
        if (t == 'm' || st.in_dropped)
            continue;

        switch (t) {
        case 'v': {
            uint32_t ver = 0;
            ss_slice tv = _trim(v);
            size_t k = 0;
            while (k < tv.len && _digit(tv.p[k])) {
                uint32_t d = (uint32_t)(tv.p[k] - '0');
                ver = ver > (UINT32_MAX - d) / 10 ? UINT32_MAX : ver * 10 + d;
                k++;
            }
            out->version = ver;
            if (tv.len == 0 || k != tv.len || ver != 0)
                out->defects |= SDP_DEF_BAD_VERSION;
            break;
        }
        case 'o':
            if (cur == NULL && !out->has_origin) {
                out->has_origin = 1;
                if (_origin(v, &out->origin) != 0)
                    out->defects |= SDP_DEF_BAD_ORIGIN;
            }
            break;
        case 's':
            if (cur == NULL && !st.seen_name) {
                st.seen_name = 1;
                out->name = v;
            }
            break;
        case 't':
            st.seen_timing = 1;
            break;
        case 'c':
            if (cur) {
                if (!(cur->flags & SDP_MF_OWN_CONN)) {
                    cur->flags |= SDP_MF_OWN_CONN;
                    if (_conn(v, &cur->conn) != 0)
                        out->defects |= SDP_DEF_BAD_CONNECTION;
                }
            } else if (!out->has_conn) {
                out->has_conn = 1;
                if (_conn(v, &out->conn) != 0)
                    out->defects |= SDP_DEF_BAD_CONNECTION;
            }
            break;
        case 'a':
            _attr(out, cur, v, &st);
            break;
        default: /* i u e p b r z k and unknown letters: ignored */
            break;
        }
    }
    if (cur)
        cur->raw.len = (size_t)(st.end - cur->raw.p);
    out->raw = ss_slice_make(start, (size_t)(st.end - start));
    out->head = ss_slice_make(start, (size_t)((head_end ? head_end : st.end) - start));
    _finish(out, &st);
    return 0;
}

/* Contract: see sdp.h. */
int sdp_media_on_hold(const sdp_media *m)
{
    if (m->disabled)
        return 0;
    return m->dir == SDP_DIR_SENDONLY || m->dir == SDP_DIR_INACTIVE ||
           _EQ(m->conn.address, "0.0.0.0");
}

/* Contract: see sdp.h. */
int sdp_attr(ss_slice block, const char *name, ss_slice *value)
{
    size_t nlen = strlen(name), off = 0;
    if (block.p == NULL)
        return 0;
    while (off < block.len) {
        ss_slice line;
        int bare_lf;
        _next_line(block.p, block.len, &off, &line, &bare_lf);
        if (line.len < 2 || line.p[0] != 'a' || line.p[1] != '=')
            continue;
        ss_slice v = ss_slice_make(line.p + 2, line.len - 2);
        const uint8_t *colon = v.len ? memchr(v.p, ':', v.len) : NULL;
        ss_slice an = _trim(colon ? ss_slice_make(v.p, (size_t)(colon - v.p)) : v);
        if (!_eq_lit(an, name, nlen))
            continue;
        if (value)
            *value = colon ? ss_slice_make(colon + 1, v.len - (size_t)(colon + 1 - v.p))
                           : ss_slice_make(v.p + v.len, 0);
        return 1;
    }
    return 0;
}
