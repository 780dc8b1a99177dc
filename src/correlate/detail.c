/* detail.c - per-record conversation detail (include/sipscope/detail.h),
 * derived from each message as the correlator keeps it.
 *
 * Cost: a message whose method carries nothing of interest (100/180 of an
 * INVITE without SDP, ACK without a body, BYE, OPTIONS) returns after one
 * switch; the detail is allocated in the record's arena the first time a
 * message has something. An SDP body (Content-Type application/sdp) is
 * copied, not parsed: outputs parse it when they show it. Retransmissions
 * are skipped: they repeat what was already taken. */
#include <string.h>

#include "cor_int.h"
#include "sipscope/correlate.h"
#include "sipscope/detail.h"
#include "sipscope/sdp.h"
#include "sipscope/sip.h"

#define _DUP_MAX 256u /* longest copy of one detail string */

/* The public detail plus the offer/answer and registration state. */
typedef struct _det {
    cor_detail pub;      /* first: the record points at &pub */
    size_t sdp_cap, notes_cap;
    size_t sdp_bytes;         /* body bytes kept */
    uint32_t offer_cseq;
    uint8_t offer_pending;    /* an offer waits for its answer */
    uint8_t offer_in_request; /* ... and it came in a request */
    uint8_t registered;       /* a REGISTER got a 2xx */
    uint8_t dereg_asked;      /* the latest REGISTER asked expires 0 */
} _det;

static const char *const _note_names[COR_NOTE__COUNT] = {
    "register", "binding", "challenge", "subscription_state", "subscribe", "sipfrag", "refer_to",
    "info", "soap", "compression", "ms_diagnostics", "sdp"};

const char *cor_note_kind_name(cor_note_kind k)
{
    return (unsigned)k < COR_NOTE__COUNT ? _note_names[k] : "unknown";
}

/* ---- body parsers ---- */

static int _xml_name_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':' || c >= 0x80;
}

/* Offset of the first occurrence of lit at or after i in s, or s.len. */
static size_t _find(ss_slice s, size_t i, const char *lit)
{
    size_t n = strlen(lit);
    while (i + n <= s.len) {
        const uint8_t *hit = memchr(s.p + i, lit[0], s.len - i - n + 1);
        if (hit == NULL)
            return s.len;
        i = (size_t)(hit - s.p);
        if (memcmp(hit, lit, n) == 0)
            return i;
        i++;
    }
    return s.len;
}

/* Next start tag at or after *i: skips text, <?...?>, <!--...-->, <!...>
 * and end tags. Returns 0 with the qualified name and *i just past the
 * name, -1 at the end. */
static int _next_start_tag(ss_slice s, size_t *i, ss_slice *qname)
{
    size_t k = *i;
    for (;;) {
        while (k < s.len && s.p[k] != '<')
            k++;
        if (k + 1 >= s.len)
            return -1;
        uint8_t c = s.p[k + 1];
        if (c == '?') {
            k = _find(s, k + 2, "?>");
            if (k >= s.len)
                return -1;
            k += 2;
        } else if (c == '!') {
            k = k + 4 <= s.len && memcmp(s.p + k, "<!--", 4) == 0 ? _find(s, k + 4, "-->") : _find(s, k + 2, ">");
            if (k >= s.len)
                return -1;
            k++;
        } else if (c == '/') {
            k += 2;
        } else {
            size_t j = k + 1;
            while (j < s.len && _xml_name_char(s.p[j]))
                j++;
            if (j == k + 1) {
                k++;
                continue;
            }
            *qname = ss_slice_make(s.p + k + 1, j - k - 1);
            *i = j;
            return 0;
        }
    }
}

/* The part of a qualified name after its prefix. */
static ss_slice _local(ss_slice q)
{
    for (size_t i = q.len; i > 0; i--)
        if (q.p[i - 1] == ':')
            return ss_slice_make(q.p + i, q.len - i);
    return q;
}

/* Contract: see detail.h. */
int cor_soap_element(ss_slice body, ss_slice *name)
{
    ss_slice q, first = SS_SLICE_NULL;
    size_t i = 0;
    *name = SS_SLICE_NULL;
    if (body.p == NULL)
        return -1;
    while (_next_start_tag(body, &i, &q) == 0) {
        ss_slice l = _local(q);
        if (l.len == 0)
            continue;
        if (first.p == NULL)
            first = l;
        if (l.len == 4 && memcmp(l.p, "Body", 4) == 0) {
            /* the element after Body's start tag: skip to its '>' first */
            size_t gt = _find(body, i, ">");
            if (gt >= body.len || (gt > i && body.p[gt - 1] == '/'))
                break;
            i = gt + 1;
            if (_next_start_tag(body, &i, &q) == 0 && _local(q).len) {
                *name = _local(q);
                return 0;
            }
            break;
        }
    }
    if (first.p == NULL)
        return -1;
    *name = first;
    return 0;
}

/* Contract: see detail.h. The SIP parser wants headers after the status
 * line; a sipfrag may end right after it, which it reports as a defect. */
int cor_sipfrag_status(ss_slice body, ss_slice *reason)
{
    static __thread sip_msg m; /* large: kept off the stack */
    size_t used = 0;
    *reason = SS_SLICE_NULL;
    if (body.p == NULL || body.len == 0)
        return -1;
    if (sip_parse(&m, body.p, body.len, 0, &used) != SIP_OK || m.is_request)
        return -1;
    *reason = m.reason;
    return m.status;
}

/* ---- helpers ---- */

static const char *_dup(cor_arena *a, ss_slice s)
{
    const char *p = cor_arena_strndup(a, s.p, s.len, _DUP_MAX);
    return p ? p : "";
}

/* First header of that name (any case) among those the parser did not
 * give an id. */
static ss_slice _hdr_named(const sip_msg *m, const char *name)
{
    for (uint32_t i = 0; i < m->nhdr; i++)
        if (m->hdr[i].id == SIP_H_OTHER && ss_slice_ieq_str(m->hdr[i].name, name))
            return m->hdr[i].value;
    return SS_SLICE_NULL;
}

static _det *_get(cor_arena *a, cor_detail **slot)
{
    if (*slot)
        return (_det *)*slot;
    _det *d = cor_arena_alloc(a, sizeof *d, 8);
    if (d == NULL)
        return NULL;
    memset(d, 0, sizeof *d);
    cor_detail *p = &d->pub;
    p->contact = p->realm = p->logon_data = p->keep_alive = p->schemes_offered = "";
    p->event = p->resource = p->sub_state = p->sub_reason = "";
    p->refer_to = p->transfer_reason = p->service_action = "";
    p->compression_offered = p->compression_accepted = p->ms_diag_reason = "";
    p->expires_asked = p->expires_granted = p->sub_expires = p->ms_diag_code = -1;
    *slot = p;
    return d;
}

/* Appends a note; past the cap it is counted. Returns it or NULL. */
static cor_note *_note(cor_arena *a, _det *d, uint32_t msg, cor_note_kind k, int64_t code)
{
    cor_detail *p = &d->pub;
    if (p->nnotes >= COR_DETAIL_MAX_NOTES) {
        p->notes_more++;
        return NULL;
    }
    if (p->nnotes == d->notes_cap) {
        size_t nc = d->notes_cap ? d->notes_cap * 2 : 4;
        cor_note *n = cor_arena_grow(a, p->notes, p->nnotes * sizeof *n, nc * sizeof *n, 8);
        if (n == NULL)
            return NULL;
        p->notes = n;
        d->notes_cap = nc;
    }
    cor_note *n = &p->notes[p->nnotes++];
    n->msg = msg;
    n->kind = (uint8_t)k;
    n->code = code;
    n->aux = 0;
    n->text = n->text2 = "";
    return n;
}

static int64_t _expires_param(ss_slice params)
{
    ss_slice v;
    uint64_t n;
    if (sip_param(params, "expires", &v) && sip_parse_uint(v, UINT32_MAX, &n) == 0)
        return (int64_t)n;
    return -1;
}

/* ---- SDP ---- */

/* Writes the codec names of md joined by ',' into buf (cut at n - 1). */
static void _codecs(const sdp_media *md, char *buf, size_t n)
{
    size_t o = 0;
    for (uint32_t i = 0; i < md->ncodec; i++) {
        const sdp_codec *c = &md->codec[i];
        ss_slice nm = c->name.len ? c->name : c->fmt;
        if (i && o + 1 < n)
            buf[o++] = ',';
        size_t k = nm.len < n - 1 - o ? nm.len : n - 1 - o;
        memcpy(buf + o, nm.p, k);
        o += k;
    }
    buf[o] = '\0';
}

/* Contract: see detail.h. */
int cor_sdp_describe(const cor_sdp *s, cor_sdp_view *v)
{
    static __thread sdp_session ss; /* large: kept off the stack */
    memset(v, 0, sizeof *v);
    if (s == NULL || s->body == NULL || sdp_parse(s->body, s->body_len, &ss) != 0)
        return -1;
    if (ss.has_conn)
        v->conn = ss.conn.address;
    for (uint32_t i = 0; i < ss.nmedia; i++) {
        const sdp_media *md = &ss.media[i];
        int held = sdp_media_on_hold(md);
        if (md->type == SDP_MT_MESSAGE)
            v->im = 1;
        if (!md->disabled)
            v->enabled = 1;
        v->held |= (uint8_t)held;
        if (v->nmedia == COR_SDP_MAX_MEDIA) {
            v->media_more++;
            continue;
        }
        cor_media *cm = &v->media[v->nmedia++];
        cm->type = md->type_name;
        cm->proto = md->proto_name;
        cm->addr = md->conn.address;
        _codecs(md, cm->codecs, sizeof cm->codecs);
        cm->port = md->port;
        cm->dir = (uint8_t)md->dir;
        cm->held = (uint8_t)held;
        cm->rtp = (md->flags & SDP_MF_RTP) != 0;
        cm->fmts = md->fmts;
    }
    v->media_more += ss.nmedia_dropped;
    return 0;
}

/* One described body into the summary, in offer/answer order. */
static uint8_t _sdp_fold(const cor_sdp *s, const cor_sdp_view *v, cor_sdp_summary *out)
{
    out->im_session |= v->im;
    if (s->answer || !v->enabled || v->held == out->on_hold)
        return COR_SDP_NO_CHANGE;
    out->on_hold = v->held;
    if (v->held)
        out->holds++;
    else
        out->resumes++;
    return v->held ? COR_SDP_HOLD : COR_SDP_RESUME;
}

/* Contract: see detail.h. */
void cor_detail_sdp_summary(const cor_detail *d, cor_sdp_summary *out, uint8_t *change)
{
    cor_sdp_view v;
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; d && i < d->nsdp; i++) {
        uint8_t ch = cor_sdp_describe(&d->sdp[i], &v) == 0 ? _sdp_fold(&d->sdp[i], &v, out)
                                                           : COR_SDP_NO_CHANGE;
        if (change)
            change[i] = ch;
    }
}

/* Contract: see detail.h. */
void cor_detail_sdp_summary_of(const cor_detail *d, const cor_sdp_view *view, const uint8_t *ok,
                               cor_sdp_summary *out, uint8_t *change)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; d && i < d->nsdp; i++) {
        uint8_t ch = ok[i] ? _sdp_fold(&d->sdp[i], &view[i], out) : COR_SDP_NO_CHANGE;
        if (change)
            change[i] = ch;
    }
}

/* Keeps the SDP body of m with its offer/answer role. */
static void _sdp(cor_arena *a, _det *d, const sip_msg *m, uint32_t msg)
{
    cor_detail *p = &d->pub;
    size_t len = m->body.len < COR_SDP_MAX_BODY ? m->body.len : COR_SDP_MAX_BODY;
    if (p->nsdp >= COR_DETAIL_MAX_SDP || d->sdp_bytes + len > COR_DETAIL_MAX_SDP_BYTES) {
        p->sdp_more++;
        return;
    }
    if (p->nsdp == d->sdp_cap) {
        size_t nc = d->sdp_cap ? d->sdp_cap * 2 : 2;
        cor_sdp *n = cor_arena_grow(a, p->sdp, p->nsdp * sizeof *n, nc * sizeof *n, 8);
        if (n == NULL)
            return;
        p->sdp = n;
        d->sdp_cap = nc;
    }
    uint8_t *body = cor_arena_alloc(a, len, 1);
    if (body == NULL)
        return;
    d->sdp_bytes += len;
    memcpy(body, m->body.p, len);
    cor_sdp *o = &p->sdp[p->nsdp];
    o->msg = msg;
    o->cseq = m->cseq.seq;
    o->status = m->is_request ? 0 : m->status;
    o->method = (uint8_t)(m->is_request ? m->method : m->cseq.method);
    o->cut = len < m->body.len;
    o->body = body;
    o->body_len = (uint32_t)len;

    /* RFC 3264 §4: an SDP answering a pending offer of the other side is an
     * answer (repeats of it in 18x and 2xx to the same request too). */
    o->answer = 0;
    if (m->is_request) {
        if (d->offer_pending && !d->offer_in_request) {
            o->answer = 1;
            d->offer_pending = 0;
        } else {
            d->offer_pending = 1;
            d->offer_in_request = 1;
            d->offer_cseq = m->cseq.seq;
        }
    } else if (d->offer_in_request && m->cseq.seq == d->offer_cseq) {
        o->answer = 1;
        d->offer_pending = 0;
    } else {
        d->offer_pending = 1;
        d->offer_in_request = 0;
        d->offer_cseq = m->cseq.seq;
    }
    cor_note *n = _note(a, d, msg, COR_NOTE_SDP, 0);
    if (n)
        n->aux = p->nsdp;
    p->nsdp++;
}

/* ---- per method ---- */

static void _register(cor_arena *a, _det *d, const sip_msg *m, uint32_t msg)
{
    cor_detail *p = &d->pub;
    if (m->is_request) {
        p->registers++;
        int64_t e = m->has_contact ? _expires_param(m->contact.params) : -1;
        if (e < 0)
            e = m->expires;
        if (m->contact_star)
            e = 0;
        p->expires_asked = e;
        d->dereg_asked = e == 0;
        if (d->registered && e != 0)
            p->refreshes++;
        if (p->contact[0] == '\0' && m->has_contact && !m->contact_star)
            p->contact = _dup(a, m->contact.uri.raw);
        if (m->credentials.scheme != SIP_AUTH_NONE)
            p->cred_scheme = (uint8_t)m->credentials.scheme;
        cor_note *n = _note(a, d, msg, COR_NOTE_REGISTER, e);
        if (n) {
            n->text = m->contact_star ? "*" : m->has_contact ? _dup(a, m->contact.uri.raw) : "";
            n->text2 = m->credentials.scheme != SIP_AUTH_NONE ? _dup(a, m->credentials.scheme_name) : "";
        }
        return;
    }
    if (m->status == 401 || m->status == 407) {
        /* every scheme offered: Lync offers NTLM and Kerberos side by side */
        char schemes[96];
        size_t o = 0;
        schemes[0] = '\0';
        for (uint32_t i = 0; i < m->nhdr; i++) {
            if (m->hdr[i].id != SIP_H_WWW_AUTHENTICATE && m->hdr[i].id != SIP_H_PROXY_AUTHENTICATE)
                continue;
            sip_auth au;
            sip_parse_auth(m->hdr[i].value, &au);
            if (au.scheme_name.len == 0 || o + au.scheme_name.len + 3 > sizeof schemes)
                continue;
            if (o) {
                memcpy(schemes + o, ", ", 2);
                o += 2;
            }
            memcpy(schemes + o, au.scheme_name.p, au.scheme_name.len);
            o += au.scheme_name.len;
            schemes[o] = '\0';
        }
        const char *offered = cor_arena_strndup(a, schemes, o, _DUP_MAX);
        offered = offered ? offered : "";
        if (p->auth_scheme == SIP_AUTH_NONE && m->challenge.scheme != SIP_AUTH_NONE) {
            p->auth_scheme = (uint8_t)m->challenge.scheme;
            p->realm = _dup(a, m->challenge.realm);
            p->schemes_offered = offered;
        }
        cor_note *n = _note(a, d, msg, COR_NOTE_CHALLENGE, m->status);
        if (n) {
            n->text = offered;
            n->text2 = _dup(a, m->challenge.realm);
        }
    } else if (m->status >= 200 && m->status < 300) {
        int64_t g = m->has_contact ? _expires_param(m->contact.params) : -1;
        if (g < 0)
            g = m->expires;
        if (d->dereg_asked) {
            p->deregistered = 1;
            g = 0;
        }
        p->expires_granted = g;
        d->registered = 1;
        ss_slice v = _hdr_named(m, "ms-user-logon-data");
        if (v.len)
            p->logon_data = _dup(a, v);
        v = _hdr_named(m, "ms-keep-alive");
        if (v.len)
            p->keep_alive = _dup(a, v);
        cor_note *n = _note(a, d, msg, COR_NOTE_BINDING, g);
        if (n)
            n->aux = m->status;
    } else if (m->status >= 300) {
        cor_note *n = _note(a, d, msg, COR_NOTE_BINDING, -1);
        if (n)
            n->aux = m->status;
    }
}

static void _subscribe(cor_arena *a, _det *d, const sip_msg *m, uint32_t msg)
{
    cor_detail *p = &d->pub;
    if (m->is_request) {
        p->subscribes++;
        if (p->event[0] == '\0' && m->event.len)
            p->event = _dup(a, m->event);
        if (p->resource[0] == '\0')
            p->resource = _dup(a, m->ruri);
        if (m->expires == 0 && m->to.tag.len)
            p->unsubscribes++;
        else if (m->expires == 0)
            p->fetches++;
        else if (m->to.tag.len)
            p->sub_refreshes++;
        cor_note *n = _note(a, d, msg, COR_NOTE_SUBSCRIBE, m->expires);
        if (n) {
            n->text = _dup(a, m->event);
            n->aux = m->to.tag.len != 0;
        }
    } else if (m->status >= 200 && m->status < 300 && m->expires >= 0) {
        p->sub_expires = m->expires;
    }
}

static void _notify(cor_arena *a, _det *d, const sip_msg *m, uint32_t msg, int best_effort)
{
    cor_detail *p = &d->pub;
    if (best_effort)
        p->benotifies++;
    else
        p->notifies++;
    if (p->event[0] == '\0' && m->event.len)
        p->event = _dup(a, m->event);
    if (m->subscription_state.len) {
        ss_slice raw = sip_header_value(m, SIP_H_SUBSCRIPTION_STATE), reason = SS_SLICE_NULL;
        const uint8_t *semi = raw.len ? memchr(raw.p, ';', raw.len) : NULL;
        ss_slice params = semi ? ss_slice_make(semi, raw.len - (size_t)(semi - raw.p)) : SS_SLICE_NULL;
        int64_t e = _expires_param(params);
        sip_param(params, "reason", &reason);
        p->sub_state = _dup(a, m->subscription_state);
        if (reason.len)
            p->sub_reason = _dup(a, reason);
        if (e >= 0)
            p->sub_expires = e;
        cor_note *n = _note(a, d, msg, COR_NOTE_SUB_STATE, e);
        if (n) {
            n->text = p->sub_state;
            n->text2 = reason.len ? p->sub_reason : "";
        }
    }
    if (ss_slice_ieq_str(m->content_type, "message/sipfrag")) {
        ss_slice reason;
        int code = cor_sipfrag_status(m->body, &reason);
        if (code > 0) {
            p->transfer_status = (uint16_t)code;
            p->transfer_reason = _dup(a, reason);
            cor_note *n = _note(a, d, msg, COR_NOTE_SIPFRAG, code);
            if (n)
                n->text = p->transfer_reason;
        }
    }
}

static void _info(cor_arena *a, _det *d, const sip_msg *m, uint32_t msg)
{
    cor_detail *p = &d->pub;
    ss_slice ct = m->content_type;
    const char *what;
    if (ss_slice_ieq_str(ct, "application/im-iscomposing+xml")) {
        p->info_typing++;
        what = "typing";
    } else if (ss_slice_ieq_str(ct, "application/dtmf-relay") || ss_slice_ieq_str(ct, "application/dtmf") ||
               ss_slice_ieq_str(ct, "audio/telephone-event")) {
        p->info_dtmf++;
        what = "dtmf";
    } else {
        p->info_other++;
        what = ct.len ? _dup(a, ct) : "no body";
    }
    cor_note *n = _note(a, d, msg, COR_NOTE_INFO, 0);
    if (n)
        n->text = what;
}

static void _ms_diag(cor_arena *a, cor_detail **slot, const sip_msg *m, uint32_t msg)
{
    ss_slice v = _hdr_named(m, "ms-diagnostics");
    if (v.len == 0)
        v = _hdr_named(m, "ms-client-diagnostics");
    if (v.len == 0)
        v = _hdr_named(m, "ms-diagnostics-public");
    if (v.len == 0)
        return;
    _det *d = _get(a, slot);
    if (d == NULL)
        return;
    const uint8_t *semi = memchr(v.p, ';', v.len);
    ss_slice code = semi ? ss_slice_make(v.p, (size_t)(semi - v.p)) : v, reason = SS_SLICE_NULL;
    uint64_t c = 0;
    if (sip_parse_uint(code, 999999, &c) != 0)
        return;
    if (semi)
        sip_param(ss_slice_make(semi, v.len - (size_t)(semi - v.p)), "reason", &reason);
    d->pub.ms_diag_code = (int64_t)c;
    d->pub.ms_diag_reason = _dup(a, reason);
    cor_note *n = _note(a, d, msg, COR_NOTE_MS_DIAG, (int64_t)c);
    if (n)
        n->text = d->pub.ms_diag_reason;
}

/* Content-Type application/sdp, any case; asked of every INVITE, UPDATE,
 * PRACK and ACK message with a body, so compared inline, eight bytes at a
 * time: bytes 0-7 and 7-14. OR-ing 0x20 into a letter's byte folds exactly
 * its upper case onto it; the '/' (byte 11) is compared as it is. */
static int _is_sdp(const sip_msg *m)
{
    static const char lit[] = "application/sdp";
    ss_slice ct = m->content_type;
    if (m->body.len == 0 || ct.len != sizeof lit - 1)
        return 0;
    uint64_t lo, hi, want_lo, want_hi;
    memcpy(&lo, ct.p, 8);
    memcpy(&hi, ct.p + 7, 8);
    memcpy(&want_lo, lit, 8);
    memcpy(&want_hi, lit + 7, 8);
    /* byte 4 of the upper half is the '/': no fold there (either byte order) */
    uint64_t fold_hi = 0x2020202020202020ull;
    ((uint8_t *)&fold_hi)[4] = 0;
    return (lo | 0x2020202020202020ull) == want_lo && (hi | fold_hi) == want_hi;
}

/* Contract: derives what message m says into the detail at *slot
 * (allocated in a on first need); msg is its index in the record's kept
 * messages (COR_TXN_NONE when not kept), retrans 1 for a retransmission.
 * Allocation failures lose the piece of detail, nothing else. */
void cor_detail_message(cor_arena *a, cor_detail **slot, const sip_msg *m, uint32_t msg, int retrans)
{
    if (!cor_detail_wanted(m, retrans))
        return;
    sip_method method = m->is_request ? m->method : m->cseq.method;
    if (!m->is_request && m->status >= 300)
        _ms_diag(a, slot, m, msg);

    _det *d;
    switch (method) {
    case SIP_M_INVITE:
    case SIP_M_ACK:
    case SIP_M_UPDATE:
    case SIP_M_PRACK:
    {
        int sdp = _is_sdp(m);
        if (m->is_request && !sdp && (method == SIP_M_ACK || (method == SIP_M_INVITE && !m->to.tag.len)))
            return;
        if (!m->is_request && !sdp)
            return;
        if ((d = _get(a, slot)) == NULL)
            return;
        if (m->is_request) {
            if (method == SIP_M_INVITE && m->to.tag.len)
                d->pub.reinvites++;
            else if (method == SIP_M_UPDATE)
                d->pub.updates++;
            else if (method == SIP_M_PRACK)
                d->pub.pracks++;
        }
        if (sdp && (m->is_request || m->status < 300))
            _sdp(a, d, m, msg);
        return;
    }
    case SIP_M_REGISTER:
        if ((d = _get(a, slot)) != NULL)
            _register(a, d, m, msg);
        return;
    case SIP_M_SUBSCRIBE:
        if ((d = _get(a, slot)) != NULL)
            _subscribe(a, d, m, msg);
        return;
    case SIP_M_NOTIFY:
    case SIP_M_BENOTIFY:
        if (m->is_request && (d = _get(a, slot)) != NULL)
            _notify(a, d, m, msg, method == SIP_M_BENOTIFY);
        return;
    case SIP_M_REFER:
        if ((d = _get(a, slot)) == NULL)
            return;
        if (m->is_request) {
            sip_name_addr na;
            ss_slice v = sip_header_value(m, SIP_H_REFER_TO);
            if (v.len == 0)
                return;
            sip_parse_name_addr(v, &na);
            d->pub.refer_to = _dup(a, na.uri.raw.len ? na.uri.raw : v);
            cor_note *n = _note(a, d, msg, COR_NOTE_REFER_TO, 0);
            if (n)
                n->text = d->pub.refer_to;
        } else if (m->status >= 200) {
            d->pub.refer_status = m->status;
        }
        return;
    case SIP_M_MESSAGE:
        if (m->is_request && (d = _get(a, slot)) != NULL)
            d->pub.messages++;
        return;
    case SIP_M_INFO:
        if (m->is_request && (d = _get(a, slot)) != NULL)
            _info(a, d, m, msg);
        return;
    case SIP_M_SERVICE:
        if (m->is_request && (d = _get(a, slot)) != NULL) {
            ss_slice el;
            d->pub.services++;
            if (m->body.len && cor_soap_element(m->body, &el) == 0) {
                d->pub.service_action = _dup(a, el);
                cor_note *n = _note(a, d, msg, COR_NOTE_SOAP, 0);
                if (n)
                    n->text = d->pub.service_action;
            }
        }
        return;
    case SIP_M_NEGOTIATE: {
        ss_slice v = _hdr_named(m, "Compression");
        if (v.len == 0 || (!m->is_request && (m->status < 200 || m->status >= 300)))
            return;
        if ((d = _get(a, slot)) == NULL)
            return;
        const char *s = _dup(a, v);
        if (m->is_request)
            d->pub.compression_offered = s;
        else
            d->pub.compression_accepted = s;
        cor_note *n = _note(a, d, msg, COR_NOTE_COMPRESSION, m->is_request ? 0 : m->status);
        if (n)
            n->text = s;
        return;
    }
    default:
        return;
    }
}
