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

/* "SDP offer audio PCMU,PCMA sendonly 10.0.0.1:4000 | video ... (hold)" */
static void _sdp_text(const cor_detail *d, uint32_t idx, char *buf, size_t n, size_t *o)
{
    const cor_sdp *s = &d->sdp[idx];
    cor_sdp_view v;
    _ap(buf, n, o, "SDP %s", s->answer ? "answer" : "offer");
    if (!s->answer) {
        uint8_t change[COR_DETAIL_MAX_SDP];
        cor_sdp_summary sum;
        cor_detail_sdp_summary(d, &sum, change);
        if (change[idx] != COR_SDP_NO_CHANGE)
            _ap(buf, n, o, " (%s)", change[idx] == COR_SDP_HOLD ? "hold" : "resume");
    }
    if (cor_sdp_describe(s, &v) != 0) {
        _ap(buf, n, o, " (not SDP)");
        return;
    }
    for (uint32_t i = 0; i < v.nmedia; i++) {
        const cor_media *m = &v.media[i];
        const char *v6 = m->addr.len && memchr(m->addr.p, ':', m->addr.len) ? "[" : "";
        _ap(buf, n, o, "%s %.*s %s", i ? " |" : "", (int)m->type.len, (const char *)m->type.p,
            m->port ? "" : "(rejected) ");
        if (m->rtp)
            _ap(buf, n, o, "%s", m->codecs);
        else
            _ap(buf, n, o, "%.*s %.*s", (int)m->proto.len, (const char *)m->proto.p, (int)m->fmts.len,
                (const char *)m->fmts.p);
        _ap(buf, n, o, " %s", sdp_direction_name((sdp_dir)m->dir));
        if (m->port)
            _ap(buf, n, o, " %s%.*s%s:%u", v6, (int)m->addr.len, (const char *)m->addr.p, v6[0] ? "]" : "",
                m->port);
    }
    if (v.media_more)
        _ap(buf, n, o, " (+%u more)", v.media_more);
}

char *rep_note_text(const cor_record *rec, const cor_note *nt, char *buf, size_t n)
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
        if (d && nt->aux < d->nsdp)
            _sdp_text(d, nt->aux, buf, n, &o);
        break;
    default:
        break;
    }
    return buf;
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

/* ---- JSON ---- */

static json_object *_str_or_null(const char *s) { return s && s[0] ? rep_json_string(s) : NULL; }
static json_object *_int_or_null(int64_t v) { return v >= 0 ? json_object_new_int64(v) : NULL; }
static json_object *_u(uint64_t v) { return json_object_new_int64((int64_t)v); }

static json_object *_slice_or_null(ss_slice v)
{
    char buf[256];
    if (v.len == 0)
        return NULL;
    return rep_json_string(ss_slice_to_cstr(v, buf, sizeof buf));
}

static json_object *_sdp_json(const cor_record *rec, const cor_sdp *s, uint8_t change)
{
    char buf[256];
    cor_sdp_view v;
    int ok = cor_sdp_describe(s, &v) == 0;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "message", s->msg < rec->nmsgs ? _u(s->msg) : NULL);
    json_object_object_add(o, "frame", s->msg < rec->nmsgs ? _u(rec->msgs[s->msg].frame_no) : NULL);
    json_object_object_add(o, "role", json_object_new_string(s->answer ? "answer" : "offer"));
    json_object_object_add(o, "method", json_object_new_string(sip_method_name((sip_method)s->method)));
    json_object_object_add(o, "status", s->status ? json_object_new_int(s->status) : NULL);
    json_object_object_add(o, "cseq", _u(s->cseq));
    json_object_object_add(o, "connection", _slice_or_null(v.conn));
    json_object_object_add(o, "hold_change", change == COR_SDP_HOLD     ? json_object_new_string("hold")
                                             : change == COR_SDP_RESUME ? json_object_new_string("resume")
                                                                        : NULL);
    json_object *media = json_object_new_array();
    for (uint32_t i = 0; ok && i < v.nmedia; i++) {
        const cor_media *m = &v.media[i];
        json_object *mo = json_object_new_object();
        json_object_object_add(mo, "type", rep_json_string(ss_slice_to_cstr(m->type, buf, sizeof buf)));
        json_object_object_add(mo, "port", json_object_new_int(m->port));
        json_object_object_add(mo, "transport", rep_json_string(ss_slice_to_cstr(m->proto, buf, sizeof buf)));
        json_object *codecs = json_object_new_array();
        const char *p = m->codecs;
        while (p && *p) {
            const char *comma = strchr(p, ',');
            size_t l = comma ? (size_t)(comma - p) : strlen(p);
            snprintf(buf, sizeof buf, "%.*s", (int)l, p);
            json_object_array_add(codecs, rep_json_string(buf));
            p = comma ? comma + 1 : NULL;
        }
        json_object_object_add(mo, "codecs", codecs);
        json_object_object_add(mo, "direction", json_object_new_string(sdp_direction_name((sdp_dir)m->dir)));
        json_object_object_add(mo, "address", _slice_or_null(m->addr));
        json_object_object_add(mo, "on_hold", json_object_new_boolean(m->held));
        json_object_array_add(media, mo);
    }
    json_object_object_add(o, "media", media);
    if (v.media_more)
        json_object_object_add(o, "media_not_listed", _u(v.media_more));
    if (!ok)
        json_object_object_add(o, "not_sdp", json_object_new_boolean(1));
    if (s->cut)
        json_object_object_add(o, "body_cut", json_object_new_boolean(1));
    return o;
}

static void _registration(json_object *r, const cor_record *rec, const cor_detail *d)
{
    /* the scheme the client answered with is the one in use (Lync offers
     * NTLM and Kerberos, the client picks one) */
    if (d->cred_scheme && d->auth_scheme)
        json_object_object_add(r, "auth_scheme",
                               json_object_new_string(sip_auth_scheme_name((sip_auth_scheme)d->cred_scheme)));
    json_object_object_add(r, "contact", _str_or_null(d->contact));
    json_object_object_add(r, "expires_requested", _int_or_null(d->expires_asked));
    json_object_object_add(r, "expires_granted", _int_or_null(d->expires_granted));
    json_object_object_add(r, "realm", _str_or_null(d->realm));
    json_object_object_add(r, "auth_schemes_offered", _str_or_null(d->schemes_offered));
    json_object_object_add(r, "credentials_scheme",
                           d->cred_scheme ? json_object_new_string(sip_auth_scheme_name((sip_auth_scheme)d->cred_scheme))
                                          : NULL);
    json_object_object_add(r, "deregistration", json_object_new_boolean(d->deregistered));
    json_object_object_add(r, "requests", _u(d->registers));
    json_object_object_add(r, "refreshes", _u(d->refreshes));
    json_object_object_add(r, "ms_user_logon_data", _str_or_null(d->logon_data));
    json_object_object_add(r, "ms_keep_alive", _str_or_null(d->keep_alive));
    (void)rec;
}

static void _subscription(json_object *s, const cor_record *rec, const cor_detail *d)
{
    json_object_object_add(s, "event", _str_or_null(d->event));
    json_object_object_add(s, "state", _str_or_null(d->sub_state));
    json_object *hist = json_object_new_array();
    for (uint32_t i = 0; i < d->nnotes; i++)
        if (d->notes[i].kind == COR_NOTE_SUB_STATE)
            json_object_array_add(hist, rep_json_string(d->notes[i].text));
    json_object_object_add(s, "state_history", hist);
    json_object_object_add(s, "terminated_reason", _str_or_null(d->sub_reason));
    json_object_object_add(s, "expires", _int_or_null(d->sub_expires));
    json_object_object_add(s, "subscriber", rep_json_string(rep_subscriber(rec)));
    json_object_object_add(s, "resource", rep_json_string(rep_resource(rec)));
    json_object_object_add(s, "subscribes", _u(d->subscribes));
    json_object_object_add(s, "refreshes", _u(d->sub_refreshes));
    json_object_object_add(s, "unsubscribes", _u(d->unsubscribes));
    json_object_object_add(s, "fetches", _u(d->fetches));
    json_object_object_add(s, "notifies", _u(d->notifies));
    json_object_object_add(s, "benotifies", _u(d->benotifies));
}

void rep_json_detail(json_object *o, const cor_record *rec)
{
    const cor_detail *d = rec->detail;
    json_object *sub = NULL;
    if (d == NULL)
        return;
    if (json_object_object_get_ex(o, "registration", &sub) && sub)
        _registration(sub, rec, d);
    if (json_object_object_get_ex(o, "subscription", &sub) && sub)
        _subscription(sub, rec, d);
    cor_sdp_summary sdp;
    uint8_t change[COR_DETAIL_MAX_SDP];
    cor_detail_sdp_summary(d, &sdp, change);
    if (sdp.im_session || d->messages || d->info_typing || d->info_dtmf || d->info_other || d->reinvites ||
        d->updates || d->pracks || sdp.holds || sdp.resumes) {
        json_object *s = json_object_new_object();
        json_object_object_add(s, "im_session", json_object_new_boolean(sdp.im_session));
        json_object_object_add(s, "messages", _u(d->messages));
        json_object *info = json_object_new_object();
        json_object_object_add(info, "typing", _u(d->info_typing));
        json_object_object_add(info, "dtmf", _u(d->info_dtmf));
        json_object_object_add(info, "other", _u(d->info_other));
        json_object_object_add(s, "info", info);
        json_object_object_add(s, "reinvites", _u(d->reinvites));
        json_object_object_add(s, "updates", _u(d->updates));
        json_object_object_add(s, "pracks", _u(d->pracks));
        json_object_object_add(s, "holds", _u(sdp.holds));
        json_object_object_add(s, "resumes", _u(sdp.resumes));
        json_object_object_add(s, "on_hold", json_object_new_boolean(sdp.on_hold));
        json_object_object_add(o, "session", s);
    }
    if (d->refer_to[0] || d->refer_status || d->transfer_status) {
        json_object *r = json_object_new_object();
        json_object_object_add(r, "refer_to", _str_or_null(d->refer_to));
        json_object_object_add(r, "status", d->refer_status ? json_object_new_int(d->refer_status) : NULL);
        json_object_object_add(r, "transfer_status",
                               d->transfer_status ? json_object_new_int(d->transfer_status) : NULL);
        json_object_object_add(r, "transfer_reason", _str_or_null(d->transfer_reason));
        json_object_object_add(o, "refer", r);
    }
    if (d->services || d->compression_offered[0] || d->compression_accepted[0] || d->ms_diag_code >= 0 ||
        d->benotifies) {
        json_object *m = json_object_new_object();
        json_object_object_add(m, "services", _u(d->services));
        json_object_object_add(m, "service_action", _str_or_null(d->service_action));
        json_object *acts = json_object_new_array();
        for (uint32_t i = 0; i < d->nnotes; i++)
            if (d->notes[i].kind == COR_NOTE_SOAP)
                json_object_array_add(acts, rep_json_string(d->notes[i].text));
        json_object_object_add(m, "service_actions", acts);
        json_object_object_add(m, "compression_offered", _str_or_null(d->compression_offered));
        json_object_object_add(m, "compression_accepted", _str_or_null(d->compression_accepted));
        json_object_object_add(m, "benotifies", _u(d->benotifies));
        json_object_object_add(m, "diagnostics_code", _int_or_null(d->ms_diag_code));
        json_object_object_add(m, "diagnostics_reason", _str_or_null(d->ms_diag_reason));
        json_object_object_add(o, "microsoft", m);
    }
    if (d->nsdp) {
        json_object *a = json_object_new_array_ext((int)d->nsdp);
        for (uint32_t i = 0; i < d->nsdp; i++)
            json_object_array_add(a, _sdp_json(rec, &d->sdp[i], change[i]));
        json_object_object_add(o, "sdp", a);
        if (d->sdp_more)
            json_object_object_add(o, "sdp_not_kept", _u(d->sdp_more));
    }
    if (d->nnotes) {
        json_object *a = json_object_new_array_ext((int)d->nnotes);
        char text[512];
        for (uint32_t i = 0; i < d->nnotes; i++) {
            const cor_note *nt = &d->notes[i];
            json_object *n = json_object_new_object();
            json_object_object_add(n, "message", nt->msg < rec->nmsgs ? _u(nt->msg) : NULL);
            json_object_object_add(n, "kind", json_object_new_string(cor_note_kind_name((cor_note_kind)nt->kind)));
            json_object_object_add(n, "text", rep_json_string(rep_note_text(rec, nt, text, sizeof text)));
            json_object_array_add(a, n);
        }
        json_object_object_add(o, "notes", a);
    }
}
