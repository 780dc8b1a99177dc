/* detail_out.c - a record's conversation detail as text lines (ladder,
 * HTML) and as JSON members of its dialogs[] object.
 * Schema: docs/report-schema.md ("Conversation detail"). */
#include <stdarg.h>
#include <string.h>

#include "detail_int.h"
#include "report_int.h"
#include "sipscope/sdp.h"

/* snprintf at *o into buf[0..n), never past its end. */
static void _ap(char *buf, size_t n, size_t *o, const char *fmt, ...)
{
    if (*o >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *o, n - *o, fmt, ap);
    va_end(ap);
    if (w > 0)
        *o = *o + (size_t)w >= n ? n - 1 : *o + (size_t)w;
}

/* "SDP offer audio PCMU,PCMA sendonly 10.0.0.1:4000 | video ... (hold)",
 * from the body's description v (NULL when it is not SDP) and the change
 * its offer made (COR_SDP_*). */
/* _ap of "%.*s" (s[0..len), up to a NUL) and of "%u", without a format
 * to read: an SDP line is made for every SDP body of every dialog the
 * JSON report writes. */
static void _apn(char *buf, size_t n, size_t *o, const char *s, size_t len)
{
    if (*o >= n)
        return;
    len = len ? strnlen(s, len) : 0; /* an empty slice may have no pointer */
    if (len > n - 1 - *o)
        len = n - 1 - *o;
    if (len)
        memcpy(buf + *o, s, len);
    *o += len;
    buf[*o] = '\0';
}

static void _aps(char *buf, size_t n, size_t *o, const char *s) { _apn(buf, n, o, s, strlen(s)); }

static void _apu(char *buf, size_t n, size_t *o, unsigned v)
{
    char t[12];
    size_t k = sizeof t;
    do {
        t[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    _apn(buf, n, o, t + k, sizeof t - k);
}

static void _sdp_text(const cor_sdp *s, const cor_sdp_view *v, uint8_t change, char *buf, size_t n, size_t *o)
{
    _aps(buf, n, o, s->answer ? "SDP answer" : "SDP offer");
    if (!s->answer && change != COR_SDP_NO_CHANGE)
        _aps(buf, n, o, change == COR_SDP_HOLD ? " (hold)" : " (resume)");
    if (v == NULL) {
        _aps(buf, n, o, " (not SDP)");
        return;
    }
    for (uint32_t i = 0; i < v->nmedia; i++) {
        const cor_media *m = &v->media[i];
        int v6 = m->addr.len && memchr(m->addr.p, ':', m->addr.len);
        _aps(buf, n, o, i ? " | " : " ");
        _apn(buf, n, o, (const char *)m->type.p, m->type.len);
        _aps(buf, n, o, m->port ? " " : " (rejected) ");
        if (m->rtp) {
            _aps(buf, n, o, m->codecs);
        } else {
            _apn(buf, n, o, (const char *)m->proto.p, m->proto.len);
            _aps(buf, n, o, " ");
            _apn(buf, n, o, (const char *)m->fmts.p, m->fmts.len);
        }
        _aps(buf, n, o, " ");
        _aps(buf, n, o, sdp_direction_name((sdp_dir)m->dir));
        if (m->port) {
            _aps(buf, n, o, v6 ? " [" : " ");
            _apn(buf, n, o, (const char *)m->addr.p, m->addr.len);
            _aps(buf, n, o, v6 ? "]:" : ":");
            _apu(buf, n, o, m->port);
        }
    }
    if (v->media_more) {
        _aps(buf, n, o, " (+");
        _apu(buf, n, o, v->media_more);
        _aps(buf, n, o, " more)");
    }
}

/* The record's SDP bodies described once for everything that shows them
 * (the sdp[] array and the notes): the hold / resume change of each offer
 * and each body's media; each body is parsed once. */
typedef struct sdp_all {
    cor_sdp_summary sum;
    uint8_t change[COR_DETAIL_MAX_SDP];
    cor_sdp_view view[COR_DETAIL_MAX_SDP];
    uint8_t ok[COR_DETAIL_MAX_SDP]; /* view[i] is SDP */
} sdp_all;

static void _sdp_describe_all(const cor_detail *d, sdp_all *a)
{
    for (uint32_t i = 0; i < d->nsdp && i < COR_DETAIL_MAX_SDP; i++)
        a->ok[i] = cor_sdp_describe(&d->sdp[i], &a->view[i]) == 0;
    cor_detail_sdp_summary_of(d, a->view, a->ok, &a->sum, a->change);
}

/* A note's line; all NULL: the record's SDP is not described yet (one
 * note alone: only its body is). */
static char *_note_text(const cor_record *rec, const cor_note *nt, const sdp_all *all, char *buf, size_t n)
{
    const cor_detail *d = rec->detail;
    size_t o = 0;
    buf[0] = '\0';
    switch ((cor_note_kind)nt->kind) {
    case COR_NOTE_REGISTER:
        if (nt->code == 0)
            _ap(buf, n, &o, "de-registration (expires 0)%s%s", nt->text[0] ? " contact " : "", nt->text);
        else if (nt->code > 0)
            _ap(buf, n, &o, "register contact %s expires %lld", nt->text[0] ? nt->text : "(none)",
                (long long)nt->code);
        else
            _ap(buf, n, &o, "register contact %s", nt->text[0] ? nt->text : "(none)");
        if (nt->text2[0])
            _ap(buf, n, &o, ", %s credentials", nt->text2);
        break;
    case COR_NOTE_BINDING:
        if (nt->aux >= 300)
            _ap(buf, n, &o, "registration failed (%u)", nt->aux);
        else if (nt->code == 0)
            _ap(buf, n, &o, "binding removed");
        else if (nt->code > 0)
            _ap(buf, n, &o, "binding granted, expires %lld", (long long)nt->code);
        else
            _ap(buf, n, &o, "binding granted");
        break;
    case COR_NOTE_CHALLENGE:
        _ap(buf, n, &o, "challenge %s", nt->text[0] ? nt->text : "(no scheme)");
        if (nt->text2[0])
            _ap(buf, n, &o, " realm \"%s\"", nt->text2);
        break;
    case COR_NOTE_SUB_STATE:
        _ap(buf, n, &o, "Subscription-State %s", nt->text);
        if (nt->text2[0])
            _ap(buf, n, &o, " reason %s", nt->text2);
        if (nt->code >= 0)
            _ap(buf, n, &o, " expires %lld", (long long)nt->code);
        break;
    case COR_NOTE_SUBSCRIBE:
        _ap(buf, n, &o, "%s %s", nt->code == 0 ? (nt->aux ? "unsubscribe" : "fetch") : nt->aux ? "refresh" : "subscribe",
            nt->text[0] ? nt->text : "(no Event)");
        if (nt->code > 0)
            _ap(buf, n, &o, " expires %lld", (long long)nt->code);
        break;
    case COR_NOTE_SIPFRAG:
        _ap(buf, n, &o, "transfer progress: %lld %s", (long long)nt->code, nt->text);
        break;
    case COR_NOTE_REFER_TO:
        _ap(buf, n, &o, "Refer-To %s", nt->text);
        break;
    case COR_NOTE_INFO:
        _ap(buf, n, &o, "INFO %s", nt->text);
        break;
    case COR_NOTE_SOAP:
        _ap(buf, n, &o, "SOAP %s", nt->text);
        break;
    case COR_NOTE_COMPRESSION:
        _ap(buf, n, &o, "Compression %s %s", nt->text, nt->code ? "accepted" : "offered");
        break;
    case COR_NOTE_MS_DIAG:
        _ap(buf, n, &o, "ms-diagnostics %lld%s%s", (long long)nt->code, nt->text[0] ? " " : "", nt->text);
        break;
    case COR_NOTE_SDP:
        if (d == NULL || nt->aux >= d->nsdp || nt->aux >= COR_DETAIL_MAX_SDP)
            break;
        if (all) {
            _sdp_text(&d->sdp[nt->aux], all->ok[nt->aux] ? &all->view[nt->aux] : NULL, all->change[nt->aux], buf,
                      n, &o);
        } else {
            const cor_sdp *s = &d->sdp[nt->aux];
            uint8_t change[COR_DETAIL_MAX_SDP];
            cor_sdp_summary sum;
            cor_sdp_view v;
            change[nt->aux] = COR_SDP_NO_CHANGE;
            if (!s->answer)
                cor_detail_sdp_summary(d, &sum, change);
            _sdp_text(s, cor_sdp_describe(s, &v) == 0 ? &v : NULL, change[nt->aux], buf, n, &o);
        }
        break;
    default:
        break;
    }
    return buf;
}

char *rep_note_text(const cor_record *rec, const cor_note *nt, char *buf, size_t n)
{
    return _note_text(rec, nt, NULL, buf, n);
}

/* The record began with a NOTIFY / BENOTIFY and saw no SUBSCRIBE. */
static int _notify_first(const cor_record *rec)
{
    const cor_detail *d = rec->detail;
    if (d && d->subscribes)
        return 0;
    if (rec->nmsgs == 0 || !rec->msgs[0].is_request)
        return 0;
    return rec->msgs[0].method == SIP_M_NOTIFY || rec->msgs[0].method == SIP_M_BENOTIFY;
}

const char *rep_subscriber(const cor_record *rec) { return _notify_first(rec) ? rec->to : rec->from; }

const char *rep_resource(const cor_record *rec)
{
    const cor_detail *d = rec->detail;
    if (d && d->resource[0])
        return d->resource;
    return _notify_first(rec) ? rec->from : rec->to;
}

char *rep_detail_summary(const cor_record *rec, char *buf, size_t n)
{
    const cor_detail *d = rec->detail;
    cor_sdp_summary sdp;
    size_t o = 0;
    buf[0] = '\0';
    if (d == NULL)
        return buf;
    cor_detail_sdp_summary(d, &sdp, NULL);
    if (d->registers) {
        _ap(buf, n, &o, "binding %s", d->contact[0] ? d->contact : "(no contact)");
        if (d->deregistered)
            _ap(buf, n, &o, ", de-registered");
        else if (d->expires_granted >= 0)
            _ap(buf, n, &o, ", expires %lld granted", (long long)d->expires_granted);
        if (d->auth_scheme)
            _ap(buf, n, &o, ", %s%s%s%s", sip_auth_scheme_name((sip_auth_scheme)(d->cred_scheme ? d->cred_scheme : d->auth_scheme)),
                d->realm[0] ? " realm \"" : "", d->realm, d->realm[0] ? "\"" : "");
        if (d->refreshes)
            _ap(buf, n, &o, ", %u refresh%s", d->refreshes, d->refreshes == 1 ? "" : "es");
    }
    /* the implicit subscription of a REFER is told by the transfer line */
    int refer_sub = d->refer_to[0] && strcmp(d->event, "refer") == 0;
    if ((d->subscribes || d->notifies || d->benotifies) && !refer_sub) {
        _ap(buf, n, &o, "%sevent %s", o ? "; " : "", d->event[0] ? d->event : "(none)");
        if (d->sub_state[0])
            _ap(buf, n, &o, ", state %s%s%s%s", d->sub_state, d->sub_reason[0] ? " (" : "", d->sub_reason,
                d->sub_reason[0] ? ")" : "");
        _ap(buf, n, &o, ", %u NOTIFY", d->notifies);
        if (d->benotifies)
            _ap(buf, n, &o, ", %u BENOTIFY", d->benotifies);
        if (d->sub_refreshes)
            _ap(buf, n, &o, ", %u refresh%s", d->sub_refreshes, d->sub_refreshes == 1 ? "" : "es");
        if (d->subscribes)
            _ap(buf, n, &o, ", %s watches %s", rep_subscriber(rec), rep_resource(rec));
    }
    if (sdp.im_session)
        _ap(buf, n, &o, "%sIM session", o ? "; " : "");
    if (d->messages)
        _ap(buf, n, &o, "%s%u MESSAGE", o ? ", " : "", d->messages);
    if (d->info_typing)
        _ap(buf, n, &o, "%s%u INFO typing", o ? ", " : "", d->info_typing);
    if (d->info_dtmf)
        _ap(buf, n, &o, "%s%u INFO DTMF", o ? ", " : "", d->info_dtmf);
    if (d->info_other)
        _ap(buf, n, &o, "%s%u INFO other", o ? ", " : "", d->info_other);
    if (d->reinvites)
        _ap(buf, n, &o, "%s%u re-INVITE", o ? ", " : "", d->reinvites);
    if (d->updates)
        _ap(buf, n, &o, "%s%u UPDATE", o ? ", " : "", d->updates);
    if (d->pracks)
        _ap(buf, n, &o, "%s%u PRACK", o ? ", " : "", d->pracks);
    if (sdp.holds || sdp.resumes)
        _ap(buf, n, &o, "%shold %u, resume %u", o ? ", " : "", sdp.holds, sdp.resumes);
    if (d->refer_to[0]) {
        _ap(buf, n, &o, "%sREFER to %s", o ? "; " : "", d->refer_to);
        if (d->refer_status)
            _ap(buf, n, &o, " (%u)", d->refer_status);
        if (d->transfer_status)
            _ap(buf, n, &o, ", transfer %u %s", d->transfer_status, d->transfer_reason);
    }
    if (d->services) {
        _ap(buf, n, &o, "%sSERVICE", o ? "; " : "");
        int any = 0;
        for (uint32_t i = 0; i < d->nnotes; i++)
            if (d->notes[i].kind == COR_NOTE_SOAP) {
                _ap(buf, n, &o, "%s %s", any ? "," : "", d->notes[i].text);
                any = 1;
            }
        if (!any)
            _ap(buf, n, &o, " (no SOAP body)");
    }
    if (d->compression_offered[0] || d->compression_accepted[0])
        _ap(buf, n, &o, "%scompression %s%s", o ? "; " : "",
            d->compression_offered[0] ? d->compression_offered : d->compression_accepted,
            d->compression_accepted[0] ? " accepted" : " not accepted");
    if (d->ms_diag_code >= 0)
        _ap(buf, n, &o, "%sms-diagnostics %lld %s", o ? "; " : "", (long long)d->ms_diag_code, d->ms_diag_reason);
    return buf;
}

/* ---- JSON ----
 *
 * Written with the JSON report's writer (json.c) in json-c's plain layout:
 * members as literals, values by type. A member that json-c would hold as
 * NULL is written null. */

#define _LIT(w, s) REP_JW_LIT(w, s)

static void _int_or_null(rep_jw *w, int64_t v) { rep_jw_int_or_null(w, v >= 0, v); }

/* A slice as rep_json_string(ss_slice_to_cstr(v, buf[256])) would give it. */
static void _slice(rep_jw *w, ss_slice v)
{
    rep_jw_wire_n(w, (const char *)v.p, v.len < 255 ? v.len : 255);
}

static void _slice_or_null(rep_jw *w, ss_slice v)
{
    if (v.len == 0)
        _LIT(w, "null");
    else
        _slice(w, v);
}

static void _sdp_json(rep_jw *w, const cor_record *rec, const cor_sdp *s, uint8_t change, const cor_sdp_view *v)
{
    static const cor_sdp_view none; /* not SDP: no connection, no media */
    if (v == NULL)
        v = &none;
    _LIT(w, "{\"message\":");
    rep_jw_int_or_null(w, s->msg < rec->nmsgs, s->msg);
    _LIT(w, ",\"frame\":");
    rep_jw_int_or_null(w, s->msg < rec->nmsgs, s->msg < rec->nmsgs ? (int64_t)rec->msgs[s->msg].frame_no : 0);
    _LIT(w, ",\"role\":");
    rep_jw_str(w, s->answer ? "answer" : "offer");
    _LIT(w, ",\"method\":");
    rep_jw_str(w, sip_method_name((sip_method)s->method));
    _LIT(w, ",\"status\":");
    rep_jw_int_or_null(w, s->status != 0, s->status);
    _LIT(w, ",\"cseq\":");
    rep_jw_int(w, s->cseq);
    _LIT(w, ",\"connection\":");
    _slice_or_null(w, v->conn);
    _LIT(w, ",\"hold_change\":");
    if (change == COR_SDP_HOLD)
        _LIT(w, "\"hold\"");
    else if (change == COR_SDP_RESUME)
        _LIT(w, "\"resume\"");
    else
        _LIT(w, "null");
    _LIT(w, ",\"media\":[");
    for (uint32_t i = 0; i < v->nmedia; i++) {
        const cor_media *m = &v->media[i];
        if (i)
            _LIT(w, ",");
        _LIT(w, "{\"type\":");
        _slice(w, m->type);
        _LIT(w, ",\"port\":");
        rep_jw_int(w, m->port);
        _LIT(w, ",\"transport\":");
        _slice(w, m->proto);
        _LIT(w, ",\"codecs\":[");
        const char *p = m->codecs;
        for (int first = 1; p && *p; first = 0) {
            const char *comma = strchr(p, ',');
            size_t l = comma ? (size_t)(comma - p) : strlen(p);
            if (!first)
                _LIT(w, ",");
            rep_jw_wire_n(w, p, l < 255 ? l : 255);
            p = comma ? comma + 1 : NULL;
        }
        _LIT(w, "],\"direction\":");
        rep_jw_str(w, sdp_direction_name((sdp_dir)m->dir));
        _LIT(w, ",\"address\":");
        _slice_or_null(w, m->addr);
        _LIT(w, ",\"on_hold\":");
        rep_jw_bool(w, m->held);
        _LIT(w, "}");
    }
    _LIT(w, "]");
    if (v->media_more) {
        _LIT(w, ",\"media_not_listed\":");
        rep_jw_int(w, v->media_more);
    }
    if (v == &none)
        _LIT(w, ",\"not_sdp\":true");
    if (s->cut)
        _LIT(w, ",\"body_cut\":true");
    _LIT(w, "}");
}

/* What every registration / subscription has, detail or not. */
static void _flow_result(rep_jw *w, const rep_flow_res *f, const char *auth_scheme)
{
    _LIT(w, ",\"auth_scheme\":");
    if (auth_scheme)
        rep_jw_str(w, auth_scheme);
    else
        _LIT(w, "null");
    _LIT(w, ",\"result\":");
    if (f->result)
        rep_jw_str(w, f->result);
    else
        _LIT(w, "null");
    _LIT(w, ",\"final_status\":");
    rep_jw_int_or_null(w, f->final_status != 0, f->final_status);
    _LIT(w, ",\"attempts\":");
    rep_jw_int(w, (int64_t)f->attempts);
    _LIT(w, ",\"challenges\":");
    rep_jw_int(w, (int64_t)f->challenges);
}

static void _registration(rep_jw *w, const cor_record *rec, const cor_detail *d)
{
    rep_flow_res f;
    rep_flow_result(rec, &f);
    const char *scheme = f.auth_scheme ? sip_auth_scheme_name((sip_auth_scheme)f.auth_scheme) : NULL;
    /* the scheme the client answered with is the one in use (Lync offers
     * NTLM and Kerberos, the client picks one) */
    if (d && d->cred_scheme && d->auth_scheme)
        scheme = sip_auth_scheme_name((sip_auth_scheme)d->cred_scheme);
    _LIT(w, ",\"registration\":{\"aor\":");
    rep_jw_wire(w, rec->to);
    _flow_result(w, &f, scheme);
    if (d) {
        _LIT(w, ",\"contact\":");
        rep_jw_wire_or_null(w, d->contact);
        _LIT(w, ",\"expires_requested\":");
        _int_or_null(w, d->expires_asked);
        _LIT(w, ",\"expires_granted\":");
        _int_or_null(w, d->expires_granted);
        _LIT(w, ",\"realm\":");
        rep_jw_wire_or_null(w, d->realm);
        _LIT(w, ",\"auth_schemes_offered\":");
        rep_jw_wire_or_null(w, d->schemes_offered);
        _LIT(w, ",\"credentials_scheme\":");
        if (d->cred_scheme)
            rep_jw_str(w, sip_auth_scheme_name((sip_auth_scheme)d->cred_scheme));
        else
            _LIT(w, "null");
        _LIT(w, ",\"deregistration\":");
        rep_jw_bool(w, d->deregistered);
        _LIT(w, ",\"requests\":");
        rep_jw_int(w, d->registers);
        _LIT(w, ",\"refreshes\":");
        rep_jw_int(w, d->refreshes);
        _LIT(w, ",\"ms_user_logon_data\":");
        rep_jw_wire_or_null(w, d->logon_data);
        _LIT(w, ",\"ms_keep_alive\":");
        rep_jw_wire_or_null(w, d->keep_alive);
    }
    _LIT(w, "}");
}

/* The texts of the record's notes of one kind, in order, as a JSON array
 * (Subscription-State history, SOAP actions). */
static void _note_texts(rep_jw *w, const cor_detail *d, cor_note_kind kind)
{
    int first = 1;
    _LIT(w, "[");
    for (uint32_t i = 0; i < d->nnotes; i++)
        if (d->notes[i].kind == kind) {
            if (!first)
                _LIT(w, ",");
            first = 0;
            rep_jw_wire(w, d->notes[i].text);
        }
    _LIT(w, "]");
}

static void _subscription(rep_jw *w, const cor_record *rec, const cor_detail *d)
{
    rep_flow_res f;
    rep_flow_result(rec, &f);
    _LIT(w, ",\"subscription\":{\"event\":");
    rep_jw_wire_or_null(w, d ? d->event : NULL);
    _LIT(w, ",\"state\":");
    rep_jw_wire_or_null(w, d ? d->sub_state : NULL);
    _flow_result(w, &f, f.auth_scheme ? sip_auth_scheme_name((sip_auth_scheme)f.auth_scheme) : NULL);
    if (d) {
        _LIT(w, ",\"state_history\":");
        _note_texts(w, d, COR_NOTE_SUB_STATE);
        _LIT(w, ",\"terminated_reason\":");
        rep_jw_wire_or_null(w, d->sub_reason);
        _LIT(w, ",\"expires\":");
        _int_or_null(w, d->sub_expires);
        _LIT(w, ",\"subscriber\":");
        rep_jw_wire(w, rep_subscriber(rec));
        _LIT(w, ",\"resource\":");
        rep_jw_wire(w, rep_resource(rec));
        _LIT(w, ",\"subscribes\":");
        rep_jw_int(w, d->subscribes);
        _LIT(w, ",\"refreshes\":");
        rep_jw_int(w, d->sub_refreshes);
        _LIT(w, ",\"unsubscribes\":");
        rep_jw_int(w, d->unsubscribes);
        _LIT(w, ",\"fetches\":");
        rep_jw_int(w, d->fetches);
        _LIT(w, ",\"notifies\":");
        rep_jw_int(w, d->notifies);
        _LIT(w, ",\"benotifies\":");
        rep_jw_int(w, d->benotifies);
    }
    _LIT(w, "}");
}

void rep_jw_detail(rep_jw *w, const cor_record *rec)
{
    const cor_detail *d = rec->detail;
    if (rec->kind == COR_KIND_REGISTRATION)
        _registration(w, rec, d);
    else if (rec->kind == COR_KIND_SUBSCRIPTION)
        _subscription(w, rec, d);
    if (d == NULL)
        return;
    sdp_all described; /* ~27 KB of stack, nothing on the heap per record */
    sdp_all *all = NULL;
    if (d->nsdp) {
        all = &described;
        _sdp_describe_all(d, all);
    } else {
        cor_detail_sdp_summary(d, &described.sum, NULL);
    }
    const cor_sdp_summary *sdp = &described.sum;
    if (sdp->im_session || d->messages || d->info_typing || d->info_dtmf || d->info_other || d->reinvites ||
        d->updates || d->pracks || sdp->holds || sdp->resumes) {
        _LIT(w, ",\"session\":{\"im_session\":");
        rep_jw_bool(w, sdp->im_session);
        _LIT(w, ",\"messages\":");
        rep_jw_int(w, d->messages);
        _LIT(w, ",\"info\":{\"typing\":");
        rep_jw_int(w, d->info_typing);
        _LIT(w, ",\"dtmf\":");
        rep_jw_int(w, d->info_dtmf);
        _LIT(w, ",\"other\":");
        rep_jw_int(w, d->info_other);
        _LIT(w, "},\"reinvites\":");
        rep_jw_int(w, d->reinvites);
        _LIT(w, ",\"updates\":");
        rep_jw_int(w, d->updates);
        _LIT(w, ",\"pracks\":");
        rep_jw_int(w, d->pracks);
        _LIT(w, ",\"holds\":");
        rep_jw_int(w, sdp->holds);
        _LIT(w, ",\"resumes\":");
        rep_jw_int(w, sdp->resumes);
        _LIT(w, ",\"on_hold\":");
        rep_jw_bool(w, sdp->on_hold);
        _LIT(w, "}");
    }
    if (d->refer_to[0] || d->refer_status || d->transfer_status) {
        _LIT(w, ",\"refer\":{\"refer_to\":");
        rep_jw_wire_or_null(w, d->refer_to);
        _LIT(w, ",\"status\":");
        rep_jw_int_or_null(w, d->refer_status != 0, d->refer_status);
        _LIT(w, ",\"transfer_status\":");
        rep_jw_int_or_null(w, d->transfer_status != 0, d->transfer_status);
        _LIT(w, ",\"transfer_reason\":");
        rep_jw_wire_or_null(w, d->transfer_reason);
        _LIT(w, "}");
    }
    if (d->services || d->compression_offered[0] || d->compression_accepted[0] || d->ms_diag_code >= 0 ||
        d->benotifies) {
        _LIT(w, ",\"microsoft\":{\"services\":");
        rep_jw_int(w, d->services);
        _LIT(w, ",\"service_action\":");
        rep_jw_wire_or_null(w, d->service_action);
        _LIT(w, ",\"service_actions\":");
        _note_texts(w, d, COR_NOTE_SOAP);
        _LIT(w, ",\"compression_offered\":");
        rep_jw_wire_or_null(w, d->compression_offered);
        _LIT(w, ",\"compression_accepted\":");
        rep_jw_wire_or_null(w, d->compression_accepted);
        _LIT(w, ",\"benotifies\":");
        rep_jw_int(w, d->benotifies);
        _LIT(w, ",\"diagnostics_code\":");
        _int_or_null(w, d->ms_diag_code);
        _LIT(w, ",\"diagnostics_reason\":");
        rep_jw_wire_or_null(w, d->ms_diag_reason);
        _LIT(w, "}");
    }
    if (d->nsdp) {
        _LIT(w, ",\"sdp\":[");
        for (uint32_t i = 0; i < d->nsdp && i < COR_DETAIL_MAX_SDP; i++) {
            if (i)
                _LIT(w, ",");
            _sdp_json(w, rec, &d->sdp[i], all->change[i], all->ok[i] ? &all->view[i] : NULL);
        }
        _LIT(w, "]");
        if (d->sdp_more) {
            _LIT(w, ",\"sdp_not_kept\":");
            rep_jw_int(w, d->sdp_more);
        }
    }
    if (d->nnotes) {
        char text[512];
        _LIT(w, ",\"notes\":[");
        for (uint32_t i = 0; i < d->nnotes; i++) {
            const cor_note *nt = &d->notes[i];
            if (i)
                _LIT(w, ",");
            _LIT(w, "{\"message\":");
            rep_jw_int_or_null(w, nt->msg < rec->nmsgs, nt->msg);
            _LIT(w, ",\"kind\":");
            rep_jw_str(w, cor_note_kind_name((cor_note_kind)nt->kind));
            _LIT(w, ",\"text\":");
            rep_jw_wire(w, _note_text(rec, nt, all, text, sizeof text));
            _LIT(w, "}");
        }
        _LIT(w, "]");
    }
}
