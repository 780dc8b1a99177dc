/* conv.c - report-wide views of the conversations: registrations per AOR
 * (attempts, results, challenges, binding, a timeline), every
 * subscription, who watches whom, and subscriptions by event package.
 *
 * These outlive the records, so they hold copies; memory is bounded by
 * caps on distinct AORs, subscriptions listed, watcher pairs and event
 * packages (beyond them entries are counted as not listed). */
#include <stdlib.h>
#include <string.h>

#include "detail_int.h"
#include "report_int.h"

#define CONV_MAX_AORS 10000
#define CONV_MAX_SUBS 10000
#define CONV_MAX_WATCH 10000
#define CONV_MAX_EVENTS 64
#define CONV_MAX_TIMELINE 32
#define CONV_MAX_CODES 8
#define CONV_TEXT_ROWS 20 /* AORs and watcher pairs listed in the text report */

typedef enum { _TL_REGISTER = 0, _TL_REFRESH, _TL_DEREGISTER } _tl_type;
static const char *const _tl_names[] = {"register", "refresh", "deregister"};

typedef struct _tl {
    int64_t ts_us;
    uint8_t type;       /* _tl_type */
    uint16_t status;    /* final response, 0 none */
    uint32_t challenges;
    int64_t expires;    /* granted by a 2xx, else asked; -1 none */
} _tl;

typedef struct _aor {
    char *aor, *contact, *realm;
    uint8_t scheme;
    uint16_t last_status;
    int64_t expires_granted;
    uint64_t dialogs, attempts, succeeded, failed, no_response, challenges, deregistrations, refreshes;
    uint16_t code[CONV_MAX_CODES];
    uint64_t code_n[CONV_MAX_CODES];
    _tl tl[CONV_MAX_TIMELINE];
    uint32_t ntl, tl_more;
} _aor;

typedef struct _sub {
    char *call_id, *event, *state, *reason, *subscriber, *resource;
    uint64_t notifies, benotifies, refreshes;
    int64_t expires;
    uint16_t final_status;
} _sub;

typedef struct _watch {
    char *subscriber, *resource, *event, *state;
    uint64_t dialogs;
} _watch;

#define CONV_MAX_KEYS 64

/* A name counted (SOAP action, ms-diagnostics code). */
typedef struct _count {
    char *name;
    uint64_t n;
} _count;

typedef struct _event {
    char *name;
    uint64_t dialogs, active, pending, terminated, other, notifies, refreshes;
} _event;

/* Index over entries by key hash: open addressing, slot = entry index + 1
 * (0 empty); CONV_INDEX slots for at most 10,000 entries keeps probes short. */
#define CONV_INDEX 32768u

struct rep_conv {
    uint32_t aor_idx[CONV_INDEX], watch_idx[CONV_INDEX];
    _aor *aor;
    size_t naor;
    uint64_t aor_more;
    _sub *sub;
    size_t nsub;
    uint64_t sub_more;
    _watch *watch;
    size_t nwatch;
    uint64_t watch_more;
    _event ev[CONV_MAX_EVENTS];
    size_t nev;
    uint64_t ev_more;
    /* sessions, IM, transfers, Microsoft */
    uint64_t im_sessions, pager, in_dialog_messages, info_typing, info_dtmf, info_other;
    uint64_t reinvites, updates, pracks, holds, resumes;
    uint64_t refers, refers_accepted, transfers_ok, transfers_failed, transfers_unknown;
    uint64_t services, negotiate_offered, negotiate_accepted, benotifies;
    _count action[CONV_MAX_KEYS], diag[CONV_MAX_KEYS];
    size_t naction, ndiag;
    uint64_t action_more, diag_more;
};

rep_conv *rep_conv_new(void) { return calloc(1, sizeof(rep_conv)); }

static char *_dup(const char *s) { return strdup(s ? s : ""); }

/* Grows *arr (elements of size sz) to hold n+1 when n is a power of two. */
static int _room(void **arr, size_t n, size_t sz)
{
    if (n && (n & (n - 1)))
        return 0;
    void *p = realloc(*arr, (n ? 2 * n : 8) * sz);
    if (p == NULL)
        return -1;
    *arr = p;
    return 0;
}

static uint64_t _key_hash(const char *a, const char *b, const char *e)
{
    uint64_t h = ss_hash_bytes(a, strlen(a), 0x616f72);
    if (b)
        h = ss_hash_bytes(b, strlen(b), h);
    if (e)
        h = ss_hash_bytes(e, strlen(e), h);
    return h;
}

static _aor *_aor_get(rep_conv *c, const char *aor)
{
    size_t slot = (size_t)_key_hash(aor, NULL, NULL) & (CONV_INDEX - 1);
    for (; c->aor_idx[slot]; slot = (slot + 1) & (CONV_INDEX - 1))
        if (strcmp(c->aor[c->aor_idx[slot] - 1].aor, aor) == 0)
            return &c->aor[c->aor_idx[slot] - 1];
    if (c->naor >= CONV_MAX_AORS || _room((void **)&c->aor, c->naor, sizeof *c->aor) != 0) {
        c->aor_more++;
        return NULL;
    }
    _aor *a = &c->aor[c->naor];
    memset(a, 0, sizeof *a);
    a->aor = _dup(aor);
    a->contact = _dup("");
    a->realm = _dup("");
    a->expires_granted = -1;
    if (!a->aor || !a->contact || !a->realm) {
        free(a->aor);
        free(a->contact);
        free(a->realm);
        c->aor_more++;
        return NULL;
    }
    c->aor_idx[slot] = (uint32_t)++c->naor;
    return a;
}

static void _code_add(_aor *a, uint16_t code)
{
    for (int i = 0; i < CONV_MAX_CODES; i++) {
        if (a->code[i] == code || a->code[i] == 0) {
            a->code[i] = code;
            a->code_n[i]++;
            return;
        }
    }
}

static void _set(char **dst, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return;
    char *p = strdup(s);
    if (p) {
        free(*dst);
        *dst = p;
    }
}

static int64_t _msg_time(const cor_record *rec, uint32_t msg)
{
    return msg < rec->nmsgs ? rec->msgs[msg].ts_us : rec->first_us;
}

static void _registration(rep_conv *c, const cor_record *rec)
{
    const cor_detail *d = rec->detail;
    _aor *a = _aor_get(c, rec->to ? rec->to : "");
    if (a == NULL)
        return;
    a->dialogs++;
    size_t pos = 0;
    rep_attempt at;
    while (rep_attempt_next(rec, SIP_M_REGISTER, &pos, &at)) {
        a->attempts++;
        a->challenges += at.challenges;
        a->last_status = at.final_status;
        if (at.final_status == 0)
            a->no_response++;
        else if (at.final_status < 300)
            a->succeeded++;
        else {
            a->failed++;
            _code_add(a, at.final_status);
        }
    }
    if (d == NULL)
        return;
    if (d->auth_scheme && !a->scheme) {
        a->scheme = d->cred_scheme ? d->cred_scheme : d->auth_scheme;
        _set(&a->realm, d->realm);
    }
    _set(&a->contact, d->contact);
    if (d->expires_granted >= 0)
        a->expires_granted = d->expires_granted;
    a->refreshes += d->refreshes;
    a->deregistrations += d->deregistered;

    /* the timeline: one entry per REGISTER attempt, challenges folded in */
    _tl *cur = NULL;
    int waiting = 0, ok = 0;
    for (uint32_t i = 0; i < d->nnotes; i++) {
        const cor_note *n = &d->notes[i];
        if (n->kind == COR_NOTE_REGISTER) {
            if (cur && waiting) {
                waiting = 0;
                cur->expires = n->code;
                continue;
            }
            if (a->ntl >= CONV_MAX_TIMELINE) {
                a->tl_more++;
                cur = NULL;
                continue;
            }
            cur = &a->tl[a->ntl++];
            cur->ts_us = _msg_time(rec, n->msg);
            cur->type = n->code == 0 ? _TL_DEREGISTER : ok ? _TL_REFRESH : _TL_REGISTER;
            cur->status = 0;
            cur->challenges = 0;
            cur->expires = n->code;
        } else if (n->kind == COR_NOTE_CHALLENGE && cur) {
            cur->challenges++;
            cur->status = (uint16_t)n->code;
            waiting = 1;
        } else if (n->kind == COR_NOTE_BINDING && cur) {
            cur->status = (uint16_t)n->aux;
            if (n->aux < 300) {
                ok = 1;
                cur->expires = n->code;
            }
            waiting = 0;
            cur = NULL;
        }
    }
}

static _event *_event_get(rep_conv *c, const char *name)
{
    for (size_t i = 0; i < c->nev; i++)
        if (strcmp(c->ev[i].name, name) == 0)
            return &c->ev[i];
    if (c->nev >= CONV_MAX_EVENTS) {
        c->ev_more++;
        return NULL;
    }
    _event *e = &c->ev[c->nev];
    memset(e, 0, sizeof *e);
    if ((e->name = _dup(name)) == NULL)
        return NULL;
    c->nev++;
    return e;
}

static void _subscription(rep_conv *c, const cor_record *rec)
{
    const cor_detail *d = rec->detail;
    const char *event = d && d->event[0] ? d->event : "";
    const char *state = d ? d->sub_state : "";
    const char *resource = rep_resource(rec), *subscriber = rep_subscriber(rec);

    _event *e = _event_get(c, event);
    if (e) {
        e->dialogs++;
        if (strcmp(state, "active") == 0)
            e->active++;
        else if (strcmp(state, "pending") == 0)
            e->pending++;
        else if (strcmp(state, "terminated") == 0)
            e->terminated++;
        else
            e->other++;
        if (d) {
            e->notifies += d->notifies + d->benotifies;
            e->refreshes += d->sub_refreshes;
        }
    }

    if (c->nsub < CONV_MAX_SUBS && _room((void **)&c->sub, c->nsub, sizeof *c->sub) == 0) {
        _sub *s = &c->sub[c->nsub];
        memset(s, 0, sizeof *s);
        s->call_id = _dup(rec->call_id);
        s->event = _dup(event);
        s->state = _dup(state);
        s->reason = _dup(d ? d->sub_reason : "");
        s->subscriber = _dup(subscriber);
        s->resource = _dup(resource);
        if (d) {
            s->notifies = d->notifies;
            s->benotifies = d->benotifies;
            s->refreshes = d->sub_refreshes;
        }
        s->expires = d ? d->sub_expires : -1;
        s->final_status = rec->final_status;
        if (s->call_id && s->event && s->state && s->reason && s->subscriber && s->resource) {
            c->nsub++;
        } else {
            free(s->call_id), free(s->event), free(s->state), free(s->reason), free(s->subscriber),
                free(s->resource);
            c->sub_more++;
        }
    } else {
        c->sub_more++;
    }

    size_t slot = (size_t)_key_hash(subscriber, resource, event) & (CONV_INDEX - 1);
    for (; c->watch_idx[slot]; slot = (slot + 1) & (CONV_INDEX - 1)) {
        _watch *w = &c->watch[c->watch_idx[slot] - 1];
        if (strcmp(w->subscriber, subscriber) == 0 && strcmp(w->resource, resource) == 0 &&
            strcmp(w->event, event) == 0) {
            w->dialogs++;
            _set(&w->state, state);
            return;
        }
    }
    if (c->nwatch >= CONV_MAX_WATCH || _room((void **)&c->watch, c->nwatch, sizeof *c->watch) != 0) {
        c->watch_more++;
        return;
    }
    _watch *w = &c->watch[c->nwatch];
    w->subscriber = _dup(subscriber);
    w->resource = _dup(resource);
    w->event = _dup(event);
    w->state = _dup(state);
    w->dialogs = 1;
    if (w->subscriber && w->resource && w->event && w->state) {
        c->watch_idx[slot] = (uint32_t)++c->nwatch;
    } else {
        free(w->subscriber), free(w->resource), free(w->event), free(w->state);
        c->watch_more++;
    }
}

static void _count_add(_count *t, size_t *n, uint64_t *more, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(t[i].name, name) == 0) {
            t[i].n++;
            return;
        }
    if (*n >= CONV_MAX_KEYS || (t[*n].name = strdup(name)) == NULL) {
        (*more)++;
        return;
    }
    t[(*n)++].n = 1;
}

/* Sessions, IM, transfers and Microsoft extensions over all records. SDP
 * is parsed only for records whose messages say it matters (re-INVITE or
 * UPDATE for hold, MESSAGE or INFO for an IM session), so a plain call
 * costs nothing here. */
static void _conversation(rep_conv *c, const cor_record *rec)
{
    const cor_detail *d = rec->detail;
    if (rec->kind == COR_KIND_MESSAGE)
        c->pager++;
    if (d == NULL)
        return;
    if (rec->kind != COR_KIND_MESSAGE)
        c->in_dialog_messages += d->messages;
    c->info_typing += d->info_typing;
    c->info_dtmf += d->info_dtmf;
    c->info_other += d->info_other;
    c->reinvites += d->reinvites;
    c->updates += d->updates;
    c->pracks += d->pracks;
    if (d->nsdp && (d->reinvites || d->updates || d->messages || d->info_typing || d->info_other)) {
        cor_sdp_summary sum;
        cor_detail_sdp_summary(d, &sum, NULL);
        c->im_sessions += sum.im_session;
        c->holds += sum.holds;
        c->resumes += sum.resumes;
    }
    if (d->refer_to[0]) {
        c->refers++;
        c->refers_accepted += d->refer_status >= 200 && d->refer_status < 300;
        if (d->transfer_status >= 200 && d->transfer_status < 300)
            c->transfers_ok++;
        else if (d->transfer_status >= 300)
            c->transfers_failed++;
        else
            c->transfers_unknown++;
    }
    c->services += d->services;
    c->benotifies += d->benotifies;
    c->negotiate_offered += d->compression_offered[0] != '\0';
    c->negotiate_accepted += d->compression_accepted[0] != '\0';
    for (uint32_t i = 0; i < d->nnotes; i++) {
        const cor_note *n = &d->notes[i];
        if (n->kind == COR_NOTE_SOAP) {
            _count_add(c->action, &c->naction, &c->action_more, n->text);
        } else if (n->kind == COR_NOTE_MS_DIAG) {
            char key[32];
            snprintf(key, sizeof key, "%lld", (long long)n->code);
            _count_add(c->diag, &c->ndiag, &c->diag_more, key);
        }
    }
}

void rep_conv_record(rep_conv *c, const cor_record *rec)
{
    if (c == NULL)
        return;
    _conversation(c, rec);
    if (rec->kind == COR_KIND_REGISTRATION)
        _registration(c, rec);
    else if (rec->kind == COR_KIND_SUBSCRIPTION)
        _subscription(c, rec);
}

/* ---- JSON ---- */

static json_object *_s(const char *s) { return s && s[0] ? rep_json_string(s) : NULL; }
static json_object *_u(uint64_t v) { return json_object_new_int64((int64_t)v); }

/* Adds val under a key that came off the wire, made valid UTF-8. */
static void _key_add(json_object *o, const char *key, json_object *val)
{
    char *k = rep_utf8_clean(key, strlen(key));
    json_object_object_add(o, k ? k : "", val);
    free(k);
}

static const char *_result(uint16_t code) { return code == 0 ? "no_response" : code < 300 ? "success" : "failure"; }

void rep_conv_json(const rep_conv *c, json_object *tail)
{
    json_object *regs = json_object_new_array();
    for (size_t i = 0; c && i < c->naor; i++) {
        const _aor *a = &c->aor[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "aor", rep_json_string(a->aor));
        json_object_object_add(
            o, "auth_scheme", a->scheme ? json_object_new_string(sip_auth_scheme_name((sip_auth_scheme)a->scheme)) : NULL);
        json_object_object_add(o, "realm", _s(a->realm));
        json_object_object_add(o, "result", a->attempts ? json_object_new_string(_result(a->last_status)) : NULL);
        json_object_object_add(o, "final_status", a->last_status ? json_object_new_int(a->last_status) : NULL);
        json_object_object_add(o, "contact", _s(a->contact));
        json_object_object_add(o, "expires_granted", a->expires_granted >= 0 ? _u((uint64_t)a->expires_granted) : NULL);
        json_object_object_add(o, "dialogs", _u(a->dialogs));
        json_object_object_add(o, "attempts", _u(a->attempts));
        json_object_object_add(o, "succeeded", _u(a->succeeded));
        json_object_object_add(o, "failed", _u(a->failed));
        json_object *codes = json_object_new_object();
        for (int k = 0; k < CONV_MAX_CODES && a->code[k]; k++) {
            char key[16];
            snprintf(key, sizeof key, "%u", a->code[k]);
            json_object_object_add(codes, key, _u(a->code_n[k]));
        }
        json_object_object_add(o, "failed_by_code", codes);
        json_object_object_add(o, "no_response", _u(a->no_response));
        json_object_object_add(o, "challenges", _u(a->challenges));
        json_object_object_add(o, "refreshes", _u(a->refreshes));
        json_object_object_add(o, "deregistrations", _u(a->deregistrations));
        json_object *tl = json_object_new_array();
        for (uint32_t k = 0; k < a->ntl; k++) {
            const _tl *t = &a->tl[k];
            char ts[40];
            json_object *e = json_object_new_object();
            rep_format_time(t->ts_us, ts, sizeof ts);
            json_object_object_add(e, "time", json_object_new_string(ts));
            json_object_object_add(e, "type", json_object_new_string(_tl_names[t->type]));
            json_object_object_add(e, "status", t->status ? json_object_new_int(t->status) : NULL);
            json_object_object_add(e, "challenges", _u(t->challenges));
            json_object_object_add(e, "expires", t->expires >= 0 ? _u((uint64_t)t->expires) : NULL);
            json_object_array_add(tl, e);
        }
        json_object_object_add(o, "timeline", tl);
        if (a->tl_more)
            json_object_object_add(o, "timeline_not_kept", _u(a->tl_more));
        json_object_array_add(regs, o);
    }
    json_object_object_add(tail, "registrations", regs);
    if (c && c->aor_more)
        json_object_object_add(tail, "registrations_not_listed", _u(c->aor_more));

    json_object *subs = json_object_new_array();
    for (size_t i = 0; c && i < c->nsub; i++) {
        const _sub *s = &c->sub[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "call_id", rep_json_string(s->call_id));
        json_object_object_add(o, "event", _s(s->event));
        json_object_object_add(o, "state", _s(s->state));
        json_object_object_add(o, "terminated_reason", _s(s->reason));
        json_object_object_add(o, "subscriber", rep_json_string(s->subscriber));
        json_object_object_add(o, "resource", rep_json_string(s->resource));
        json_object_object_add(o, "expires", s->expires >= 0 ? _u((uint64_t)s->expires) : NULL);
        json_object_object_add(o, "final_status", s->final_status ? json_object_new_int(s->final_status) : NULL);
        json_object_object_add(o, "notifies", _u(s->notifies));
        json_object_object_add(o, "benotifies", _u(s->benotifies));
        json_object_object_add(o, "refreshes", _u(s->refreshes));
        json_object_array_add(subs, o);
    }
    json_object_object_add(tail, "subscriptions", subs);
    if (c && c->sub_more)
        json_object_object_add(tail, "subscriptions_not_listed", _u(c->sub_more));

    json_object *w = json_object_new_array();
    for (size_t i = 0; c && i < c->nwatch; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "subscriber", rep_json_string(c->watch[i].subscriber));
        json_object_object_add(o, "resource", rep_json_string(c->watch[i].resource));
        json_object_object_add(o, "event", _s(c->watch[i].event));
        json_object_object_add(o, "state", _s(c->watch[i].state));
        json_object_object_add(o, "dialogs", _u(c->watch[i].dialogs));
        json_object_array_add(w, o);
    }
    json_object_object_add(tail, "watchers", w);

    json_object *ev = json_object_new_object();
    for (size_t i = 0; c && i < c->nev; i++) {
        const _event *e = &c->ev[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "dialogs", _u(e->dialogs));
        json_object_object_add(o, "active", _u(e->active));
        json_object_object_add(o, "pending", _u(e->pending));
        json_object_object_add(o, "terminated", _u(e->terminated));
        json_object_object_add(o, "no_state", _u(e->other));
        json_object_object_add(o, "notifies", _u(e->notifies));
        json_object_object_add(o, "refreshes", _u(e->refreshes));
        _key_add(ev, e->name[0] ? e->name : "(none)", o);
    }
    json_object_object_add(tail, "subscriptions_by_event", ev);

    json_object *cs = json_object_new_object();
    json_object_object_add(cs, "im_sessions", _u(c ? c->im_sessions : 0));
    json_object_object_add(cs, "pager_messages", _u(c ? c->pager : 0));
    json_object_object_add(cs, "in_dialog_messages", _u(c ? c->in_dialog_messages : 0));
    json_object *info = json_object_new_object();
    json_object_object_add(info, "typing", _u(c ? c->info_typing : 0));
    json_object_object_add(info, "dtmf", _u(c ? c->info_dtmf : 0));
    json_object_object_add(info, "other", _u(c ? c->info_other : 0));
    json_object_object_add(cs, "info", info);
    json_object_object_add(cs, "reinvites", _u(c ? c->reinvites : 0));
    json_object_object_add(cs, "updates", _u(c ? c->updates : 0));
    json_object_object_add(cs, "pracks", _u(c ? c->pracks : 0));
    json_object_object_add(cs, "holds", _u(c ? c->holds : 0));
    json_object_object_add(cs, "resumes", _u(c ? c->resumes : 0));
    json_object *tr = json_object_new_object();
    json_object_object_add(tr, "refers", _u(c ? c->refers : 0));
    json_object_object_add(tr, "accepted", _u(c ? c->refers_accepted : 0));
    json_object_object_add(tr, "succeeded", _u(c ? c->transfers_ok : 0));
    json_object_object_add(tr, "failed", _u(c ? c->transfers_failed : 0));
    json_object_object_add(tr, "unknown", _u(c ? c->transfers_unknown : 0));
    json_object_object_add(cs, "transfers", tr);
    json_object *ms = json_object_new_object();
    json_object_object_add(ms, "services", _u(c ? c->services : 0));
    json_object *acts = json_object_new_object();
    for (size_t i = 0; c && i < c->naction; i++)
        _key_add(acts, c->action[i].name, _u(c->action[i].n));
    json_object_object_add(ms, "service_actions", acts);
    json_object_object_add(ms, "negotiate_offered", _u(c ? c->negotiate_offered : 0));
    json_object_object_add(ms, "negotiate_accepted", _u(c ? c->negotiate_accepted : 0));
    json_object_object_add(ms, "benotifies", _u(c ? c->benotifies : 0));
    json_object *dg = json_object_new_object();
    for (size_t i = 0; c && i < c->ndiag; i++)
        json_object_object_add(dg, c->diag[i].name, _u(c->diag[i].n));
    json_object_object_add(ms, "diagnostics", dg);
    json_object_object_add(cs, "microsoft", ms);
    json_object_object_add(tail, "conversation_summary", cs);
}

/* ---- text ---- */

static const char *_clean(const char *in, char *out, size_t n)
{
    rep_term_clean(in, in ? strlen(in) : 0, 0, out, n);
    return out;
}

static void _print_conversation(FILE *out, const rep_conv *c)
{
    char b1[256];
    if (c->im_sessions + c->pager + c->in_dialog_messages + c->info_typing + c->info_dtmf + c->info_other +
            c->reinvites + c->updates + c->pracks + c->refers + c->services + c->negotiate_offered +
            c->benotifies + c->ndiag ==
        0)
        return;
    fprintf(out, "\nConversations\n");
    if (c->im_sessions || c->pager || c->in_dialog_messages)
        fprintf(out, "  %-18s IM sessions %llu, pager MESSAGE dialogs %llu, MESSAGE in dialogs %llu\n", "messaging",
                (unsigned long long)c->im_sessions, (unsigned long long)c->pager,
                (unsigned long long)c->in_dialog_messages);
    if (c->info_typing + c->info_dtmf + c->info_other)
        fprintf(out, "  %-18s typing %llu, DTMF %llu, other %llu\n", "INFO",
                (unsigned long long)c->info_typing, (unsigned long long)c->info_dtmf,
                (unsigned long long)c->info_other);
    if (c->reinvites + c->updates + c->pracks)
        fprintf(out, "  %-18s re-INVITE %llu, UPDATE %llu, PRACK %llu; hold %llu, resume %llu\n", "in-dialog",
                (unsigned long long)c->reinvites, (unsigned long long)c->updates, (unsigned long long)c->pracks,
                (unsigned long long)c->holds, (unsigned long long)c->resumes);
    if (c->refers)
        fprintf(out, "  %-18s REFER %llu (accepted %llu): succeeded %llu, failed %llu, outcome unknown %llu\n",
                "transfers", (unsigned long long)c->refers, (unsigned long long)c->refers_accepted,
                (unsigned long long)c->transfers_ok, (unsigned long long)c->transfers_failed,
                (unsigned long long)c->transfers_unknown);
    if (c->services) {
        fprintf(out, "  %-18s %llu:", "SERVICE", (unsigned long long)c->services);
        for (size_t i = 0; i < c->naction; i++)
            fprintf(out, "%s %s x%llu", i ? "," : "", _clean(c->action[i].name, b1, sizeof b1),
                    (unsigned long long)c->action[i].n);
        fputc('\n', out);
    }
    if (c->negotiate_offered || c->negotiate_accepted)
        fprintf(out, "  %-18s compression offered %llu, accepted %llu\n", "NEGOTIATE",
                (unsigned long long)c->negotiate_offered, (unsigned long long)c->negotiate_accepted);
    if (c->benotifies)
        fprintf(out, "  %-18s %llu\n", "BENOTIFY", (unsigned long long)c->benotifies);
    if (c->ndiag) {
        fprintf(out, "  %-18s", "ms-diagnostics");
        for (size_t i = 0; i < c->ndiag; i++)
            fprintf(out, "%s %s x%llu", i ? "," : "", c->diag[i].name, (unsigned long long)c->diag[i].n);
        fputc('\n', out);
    }
}

void rep_conv_print(FILE *out, const rep_conv *c)
{
    char b1[256], b2[256], b3[256];
    if (c == NULL)
        return;
    _print_conversation(out, c);
    if (c->naor) {
        fprintf(out, "\nRegistrations by AOR\n");
        for (size_t i = 0; i < c->naor && i < CONV_TEXT_ROWS; i++) {
            const _aor *a = &c->aor[i];
            fprintf(out, "  %s  attempts %llu: succeeded %llu, failed %llu", _clean(a->aor, b1, sizeof b1),
                    (unsigned long long)a->attempts, (unsigned long long)a->succeeded,
                    (unsigned long long)a->failed);
            for (int k = 0; k < CONV_MAX_CODES && a->code[k]; k++)
                fprintf(out, "%s%u x%llu", k ? ", " : " (", a->code[k], (unsigned long long)a->code_n[k]);
            if (a->code[0])
                fputc(')', out);
            fprintf(out, ", no response %llu, challenges %llu", (unsigned long long)a->no_response,
                    (unsigned long long)a->challenges);
            if (a->scheme)
                fprintf(out, " (%s%s%s%s)", sip_auth_scheme_name((sip_auth_scheme)a->scheme),
                        a->realm[0] ? " realm \"" : "", _clean(a->realm, b2, sizeof b2), a->realm[0] ? "\"" : "");
            if (a->refreshes)
                fprintf(out, ", refreshes %llu", (unsigned long long)a->refreshes);
            if (a->deregistrations)
                fprintf(out, ", de-registrations %llu", (unsigned long long)a->deregistrations);
            if (a->contact[0])
                fprintf(out, "\n    contact %s", _clean(a->contact, b3, sizeof b3));
            if (a->expires_granted == 0)
                fprintf(out, "%sbinding removed", a->contact[0] ? ", " : "\n    ");
            else if (a->expires_granted > 0)
                fprintf(out, "%sexpires %lld granted", a->contact[0] ? ", " : "\n    ",
                        (long long)a->expires_granted);
            fputc('\n', out);
        }
        if (c->naor > CONV_TEXT_ROWS || c->aor_more)
            fprintf(out, "  ... %llu more AORs (JSON registrations[])\n",
                    (unsigned long long)(c->naor - (c->naor > CONV_TEXT_ROWS ? CONV_TEXT_ROWS : c->naor) + c->aor_more));
    }
    if (c->nev) {
        fprintf(out, "\nSubscriptions by event package\n");
        for (size_t i = 0; i < c->nev; i++) {
            const _event *e = &c->ev[i];
            fprintf(out, "  %-28s dialogs %llu: active %llu, pending %llu, terminated %llu, no state %llu; "
                         "NOTIFY %llu, refreshes %llu\n",
                    e->name[0] ? _clean(e->name, b1, sizeof b1) : "(no Event)", (unsigned long long)e->dialogs,
                    (unsigned long long)e->active, (unsigned long long)e->pending,
                    (unsigned long long)e->terminated, (unsigned long long)e->other,
                    (unsigned long long)e->notifies, (unsigned long long)e->refreshes);
        }
        fprintf(out, "  who watches whom:\n");
        for (size_t i = 0; i < c->nwatch && i < CONV_TEXT_ROWS; i++)
            fprintf(out, "    %s -> %s  %s  %s (%llu)\n", _clean(c->watch[i].subscriber, b1, sizeof b1),
                    _clean(c->watch[i].resource, b2, sizeof b2),
                    c->watch[i].event[0] ? _clean(c->watch[i].event, b3, sizeof b3) : "(no Event)",
                    c->watch[i].state[0] ? c->watch[i].state : "no state", (unsigned long long)c->watch[i].dialogs);
        if (c->nwatch > CONV_TEXT_ROWS || c->watch_more)
            fprintf(out, "    ... %llu more (JSON watchers[])\n",
                    (unsigned long long)(c->nwatch - (c->nwatch > CONV_TEXT_ROWS ? CONV_TEXT_ROWS : c->nwatch) +
                                         c->watch_more));
    }
}

void rep_conv_free(rep_conv *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->naction; i++)
        free(c->action[i].name);
    for (size_t i = 0; i < c->ndiag; i++)
        free(c->diag[i].name);
    for (size_t i = 0; i < c->naor; i++) {
        free(c->aor[i].aor);
        free(c->aor[i].contact);
        free(c->aor[i].realm);
    }
    free(c->aor);
    for (size_t i = 0; i < c->nsub; i++) {
        _sub *s = &c->sub[i];
        free(s->call_id), free(s->event), free(s->state), free(s->reason), free(s->subscriber), free(s->resource);
    }
    free(c->sub);
    for (size_t i = 0; i < c->nwatch; i++) {
        _watch *w = &c->watch[i];
        free(w->subscriber), free(w->resource), free(w->event), free(w->state);
    }
    free(c->watch);
    for (size_t i = 0; i < c->nev; i++)
        free(c->ev[i].name);
    free(c);
}
