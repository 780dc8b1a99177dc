/* json.c - the JSON report's pieces, built with json-c.
 * Schema: docs/report-schema.md ("sipscope-report/1"). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detail_int.h"
#include "report_int.h"

void rep_format_time(int64_t ts_us, char *buf, size_t n)
{
    time_t sec = (time_t)(ts_us / 1000000);
    int64_t us = ts_us % 1000000;
    if (us < 0) {
        us += 1000000;
        sec -= 1;
    }
    struct tm tm;
    gmtime_r(&sec, &tm);
    char d[32];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%06lldZ", d, (long long)us);
}

/* Eight bytes at a time (SWAR): a word has a byte that is zero when
 * (v - 0x01..) & ~v & 0x80.. is not 0 (exact as a yes / no answer). */
#define _ONES 0x0101010101010101ULL
#define _HIGHS 0x8080808080808080ULL

static inline uint64_t _load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* 1 when s[0..n) is ASCII only (the usual case on the wire), which is
 * valid UTF-8 as it stands: no cleaned copy is needed. */
static int _ascii_n(const char *s, size_t n)
{
    uint64_t high = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        high |= _load8(s + i);
    for (; i < n; i++)
        high |= (unsigned char)s[i];
    return (high & _HIGHS) == 0;
}

static int _plain_ascii(const char *s, size_t *len)
{
    *len = strlen(s);
    return _ascii_n(s, *len);
}

json_object *rep_json_string(const char *wire)
{
    if (wire == NULL)
        return json_object_new_string("");
    size_t len;
    if (_plain_ascii(wire, &len))
        return json_object_new_string_len(wire, (int)len);
    char *clean = rep_utf8_clean(wire, len);
    if (clean == NULL)
        return json_object_new_string("");
    json_object *o = json_object_new_string(clean);
    free(clean);
    return o;
}

static json_object *_time(int64_t ts_us)
{
    char buf[40];
    rep_format_time(ts_us, buf, sizeof buf);
    return json_object_new_string(buf);
}

static json_object *_addr(const ss_addr *a)
{
    char buf[SS_ADDR_STRLEN];
    ss_addr_format(a, buf, sizeof buf);
    return json_object_new_string(buf);
}

void rep_json_msg_fields(json_object *o, const cor_msg *m)
{
    json_object_object_add(o, "time", _time(m->ts_us));
    json_object_object_add(o, "frame", json_object_new_int64((int64_t)m->frame_no));
    json_object_object_add(o, "src", _addr(&m->src));
    json_object_object_add(o, "dst", _addr(&m->dst));
    json_object_object_add(o, "transport",
                           json_object_new_string(dec_transport_name((dec_transport)m->transport)));
    if (m->is_request) {
        json_object_object_add(o, "method", rep_json_string(m->method_name));
    } else {
        json_object_object_add(o, "status", json_object_new_int(m->status));
        json_object_object_add(o, "reason", rep_json_string(m->reason));
    }
    json_object_object_add(o, "cseq", json_object_new_int64(m->cseq));
    json_object_object_add(o, "cseq_method", rep_json_string(m->method_name));
    json_object_object_add(o, "retransmission", json_object_new_boolean(m->retransmission));
}

/* ---- dialogs[]: the direct writer ----
 *
 * Dialogs and their messages are nearly all of a report's bytes (a call is
 * 7 messages, 3 transactions). Building them as json-c objects and having
 * json-c serialize them cost ~28,000 instructions per SIP message (a
 * hash table and a malloc per object and value, a printbuf append per
 * token, snprintf per number): the JSON report ran at a quarter of the
 * analysis speed. Their shape is fixed, so they are written straight into
 * a buffer in the layout json-c writes with JSON_C_TO_STRING_PLAIN |
 * NOSLASHESCAPE, byte for byte (tests/unit/test_outputs.c compares the
 * string escaping with json-c on every ASCII byte, and the golden reports
 * did not change by one byte). The per-kind detail (registration,
 * subscription, SDP offers and answers, notes, legs: detail_out.c,
 * legs.c) is written the same way: built as json-c trees it cost ~11,000
 * instructions per SIP message more, the report ran at 0.3 M messages/s.
 * The unit tests parse what the writer wrote with json-c and compare its
 * re-serialization byte for byte (test_outputs.c, test_detail.c). */

struct rep_jw {
    char *p;
    size_t len, cap;
    int nomem;                       /* an allocation failed: the text is cut */
    int64_t time_sec;                /* second whose quoted text is in time_buf */
    char time_buf[48];
    size_t time_len, time_frac;      /* its length, where its microseconds go */
    ss_addr addr[4];                 /* recently written addresses, round robin */
    char addr_buf[4][SS_ADDR_STRLEN * 6 + 2]; /* ... quoted */
    size_t addr_len[4];              /* 0: slot unused */
    unsigned addr_next;
};

rep_jw *rep_jw_new(void)
{
    rep_jw *w = calloc(1, sizeof *w);
    if (w)
        w->time_sec = INT64_MIN;
    return w;
}

void rep_jw_free(rep_jw *w)
{
    if (w) {
        free(w->p);
        free(w);
    }
}

const char *rep_jw_text(const rep_jw *w, size_t *len)
{
    *len = w->nomem ? 0 : w->len;
    return w->p;
}

/* Room for more bytes; on ENOMEM the writer stops (nomem) and writes
 * into nothing: callers check nomem once at the end. */
static int _grow(rep_jw *w, size_t more)
{
    if (w->nomem)
        return -1;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + more)
        cap *= 2;
    char *p = realloc(w->p, cap);
    if (p == NULL) {
        w->nomem = 1;
        return -1;
    }
    w->p = p;
    w->cap = cap;
    return 0;
}

static inline int _room(rep_jw *w, size_t more)
{
    return w->len + more <= w->cap ? 0 : _grow(w, more);
}

static inline void _lit(rep_jw *w, const char *s, size_t n)
{
    if (_room(w, n) == 0) {
        memcpy(w->p + w->len, s, n);
        w->len += n;
    }
}
#define _LIT(w, s) _lit(w, "" s, sizeof(s) - 1) /* literals only */

/* Two digits per division (a report is mostly numbers: frame numbers,
 * ports, CSeqs, milliseconds), written backwards into tmp. */
static const char _digits2[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

static void _int(rep_jw *w, int64_t v)
{
    char tmp[24];
    int n = (int)sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        tmp[--n] = _digits2[d + 1];
        tmp[--n] = _digits2[d];
    }
    if (u >= 10) {
        tmp[--n] = _digits2[u * 2 + 1];
        tmp[--n] = _digits2[u * 2];
    } else {
        tmp[--n] = (char)('0' + u);
    }
    if (v < 0)
        tmp[--n] = '-';
    size_t len = sizeof tmp - (size_t)n;
    if (_room(w, len) != 0)
        return;
    memcpy(w->p + w->len, tmp + n, len);
    w->len += len;
}

static void _int_or_null(rep_jw *w, int present, int64_t v)
{
    if (present)
        _int(w, v);
    else
        _LIT(w, "null");
}

static void _bool(rep_jw *w, int v)
{
    if (v)
        _LIT(w, "true");
    else
        _LIT(w, "false");
}

/* Some byte of x needs an escape: a control byte, '"' or '\\' (bytes
 * 0x80 and up pass, as json-c passes UTF-8). */
static inline uint64_t _escapes8(uint64_t x)
{
    uint64_t q = x ^ (_ONES * '"'), b = x ^ (_ONES * '\\');
    return (((q - _ONES) & ~q) | ((b - _ONES) & ~b) | ((x - _ONES * 0x20) & ~x)) & _HIGHS;
}

size_t rep_json_quote(char *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i = 0;
    out[o++] = '"';
    while (i < n) {
        if (i + 8 <= n) { /* text runs without escapes: a word at a time */
            uint64_t x = _load8(s + i);
            if (_escapes8(x) == 0) {
                memcpy(out + o, &x, 8);
                o += 8;
                i += 8;
                continue;
            }
        }
        unsigned char c = (unsigned char)s[i++];
        if (c >= 0x20 && c != '"' && c != '\\') {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '\\';
        switch (c) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '\b': out[o++] = 'b'; break;
        case '\f': out[o++] = 'f'; break;
        case '\n': out[o++] = 'n'; break;
        case '\r': out[o++] = 'r'; break;
        case '\t': out[o++] = 't'; break;
        default:
            out[o++] = 'u';
            out[o++] = '0';
            out[o++] = '0';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o++] = '"';
    return o;
}

/* Our own text (names, times, addresses): valid UTF-8 already. */
static void _str(rep_jw *w, const char *s)
{
    size_t n = strlen(s);
    if (_room(w, n * 6 + 2) == 0)
        w->len += rep_json_quote(w->p + w->len, s, n);
}

/* Wire text s[0..n) without NUL bytes, cleaned as rep_json_string cleans
 * it. */
static void _wire_n(rep_jw *w, const char *s, size_t n)
{
    if (_ascii_n(s, n)) {
        if (_room(w, n * 6 + 2) == 0)
            w->len += rep_json_quote(w->p + w->len, s, n);
        return;
    }
    char *clean = rep_utf8_clean(s, n);
    if (clean == NULL) {
        w->nomem = 1;
        return;
    }
    _str(w, clean);
    free(clean);
}

/* Wire text, cleaned as rep_json_string cleans it. */
static void _wire(rep_jw *w, const char *wire)
{
    size_t len;
    if (wire == NULL)
        wire = "";
    if (_plain_ascii(wire, &len)) {
        if (_room(w, len * 6 + 2) == 0)
            w->len += rep_json_quote(w->p + w->len, wire, len);
        return;
    }
    _wire_n(w, wire, len);
}

/* rep_format_time, quoted, with the date and clock of the last second
 * kept: most messages share their second with the one before. */
static void _time_of(rep_jw *w, int64_t ts_us)
{
    int64_t sec = ts_us / 1000000, us = ts_us % 1000000;
    if (us < 0) {
        us += 1000000;
        sec -= 1;
    }
    if (sec != w->time_sec) {
        char t[40];
        rep_format_time(sec * 1000000, t, sizeof t); /* "...SS.uuuuuuZ": nothing to escape */
        w->time_len = rep_json_quote(w->time_buf, t, strlen(t));
        w->time_frac = (size_t)(strchr(w->time_buf, '.') - w->time_buf);
        w->time_sec = sec;
    }
    for (size_t i = 6; i >= 1; i--, us /= 10)
        w->time_buf[w->time_frac + i] = (char)('0' + us % 10);
    _lit(w, w->time_buf, w->time_len);
}

/* A call's messages go back and forth between the same few addresses. */
static void _addr_of(rep_jw *w, const ss_addr *a)
{
    for (unsigned i = 0; i < 4; i++)
        if (w->addr_len[i] && memcmp(&w->addr[i], a, sizeof *a) == 0) {
            _lit(w, w->addr_buf[i], w->addr_len[i]);
            return;
        }
    unsigned i = w->addr_next++ & 3;
    char t[SS_ADDR_STRLEN];
    w->addr[i] = *a;
    ss_addr_format(a, t, sizeof t);
    w->addr_len[i] = rep_json_quote(w->addr_buf[i], t, strlen(t));
    _lit(w, w->addr_buf[i], w->addr_len[i]);
}

/* The pieces, for the sections written by detail_out.c, legs.c. */
void rep_jw_lit(rep_jw *w, const char *s, size_t n) { _lit(w, s, n); }
void rep_jw_int(rep_jw *w, int64_t v) { _int(w, v); }
void rep_jw_int_or_null(rep_jw *w, int present, int64_t v) { _int_or_null(w, present, v); }
void rep_jw_bool(rep_jw *w, int v) { _bool(w, v); }
void rep_jw_str(rep_jw *w, const char *s) { _str(w, s); }
void rep_jw_wire(rep_jw *w, const char *wire) { _wire(w, wire); }

void rep_jw_wire_or_null(rep_jw *w, const char *wire)
{
    if (wire && wire[0])
        _wire(w, wire);
    else
        _LIT(w, "null");
}

void rep_jw_wire_n(rep_jw *w, const char *s, size_t n)
{
    _wire_n(w, s, n ? strnlen(s, n) : 0); /* an empty slice may have no pointer */
}
void rep_jw_addr(rep_jw *w, const ss_addr *a) { _addr_of(w, a); }

/* One message, keys in the order of rep_json_msg_fields (events.c), then
 * the leg it travelled on when the call has several (leg > 0). */
static void _message(rep_jw *w, const cor_msg *m, int leg)
{
    _LIT(w, "{\"time\":");
    _time_of(w, m->ts_us);
    _LIT(w, ",\"frame\":");
    _int(w, (int64_t)m->frame_no);
    _LIT(w, ",\"src\":");
    _addr_of(w, &m->src);
    _LIT(w, ",\"dst\":");
    _addr_of(w, &m->dst);
    _LIT(w, ",\"transport\":");
    _str(w, dec_transport_name((dec_transport)m->transport));
    if (m->is_request) {
        _LIT(w, ",\"method\":");
        _wire(w, m->method_name);
    } else {
        _LIT(w, ",\"status\":");
        _int(w, m->status);
        _LIT(w, ",\"reason\":");
        _wire(w, m->reason);
    }
    _LIT(w, ",\"cseq\":");
    _int(w, m->cseq);
    _LIT(w, ",\"cseq_method\":");
    _wire(w, m->method_name);
    _LIT(w, ",\"retransmission\":");
    _bool(w, m->retransmission);
    if (m->defects) {
        _LIT(w, ",\"defects\":[");
        int first = 1;
        for (int b = 0; b < SIP_DEF__COUNT; b++)
            if (m->defects & (1u << b)) {
                if (!first)
                    _LIT(w, ",");
                first = 0;
                _str(w, sip_defect_name(1u << b));
            }
        _LIT(w, "]");
    }
    if (leg > 0) {
        _LIT(w, ",\"leg\":");
        _int(w, leg);
    }
    _LIT(w, "}");
}

static void _transaction(rep_jw *w, const cor_txn *t)
{
    _LIT(w, "{\"method\":");
    _wire(w, t->method_name);
    _LIT(w, ",\"cseq\":");
    _int(w, t->cseq);
    _LIT(w, ",\"final_status\":");
    _int_or_null(w, t->final_status != 0, t->final_status);
    _LIT(w, ",\"response_ms\":");
    _int_or_null(w, t->final_us != 0, (t->final_us - t->start_us) / 1000);
    _LIT(w, ",\"requests\":");
    _int(w, t->requests);
    _LIT(w, ",\"responses\":");
    _int(w, t->responses);
    _LIT(w, ",\"retransmissions\":");
    _int(w, t->retransmissions);
    if (t->auth_scheme) {
        _LIT(w, ",\"auth_scheme\":");
        _str(w, sip_auth_scheme_name((sip_auth_scheme)t->auth_scheme));
    }
    _LIT(w, "}");
}

void rep_jw_record(rep_jw *w, const cor_record *rec)
{
    w->len = 0;
    w->nomem = 0;
    _LIT(w, "{\"id\":");
    _int(w, (int64_t)rec->id);
    _LIT(w, ",\"call_id\":");
    _wire(w, rec->call_id);
    _LIT(w, ",\"kind\":");
    _str(w, cor_kind_name(rec->kind));
    _LIT(w, ",\"from\":");
    _wire(w, rec->from);
    _LIT(w, ",\"to\":");
    _wire(w, rec->to);
    _LIT(w, ",\"from_tag\":");
    _wire(w, rec->from_tag);
    _LIT(w, ",\"to_tag\":");
    _wire(w, rec->to_tag);
    _LIT(w, ",\"user_agent\":");
    _wire(w, rec->user_agent);
    _LIT(w, ",\"state\":");
    _str(w, cor_state_name(rec->state));
    _LIT(w, ",\"outcome\":");
    _str(w, cor_outcome_name(rec->outcome));
    _LIT(w, ",\"final_status\":");
    _int_or_null(w, rec->final_status != 0, rec->final_status);
    _LIT(w, ",\"final_reason\":");
    _wire(w, rec->final_reason);
    _LIT(w, ",\"start\":");
    _time_of(w, rec->first_us);
    _LIT(w, ",\"end\":");
    _time_of(w, rec->last_us);
    _LIT(w, ",\"setup_ms\":");
    _int_or_null(w, rec->setup_ms >= 0, rec->setup_ms);
    _LIT(w, ",\"pdd_ms\":");
    _int_or_null(w, rec->pdd_ms >= 0, rec->pdd_ms);
    _LIT(w, ",\"duration_ms\":");
    _int_or_null(w, rec->duration_ms >= 0, rec->duration_ms);
    _LIT(w, ",\"dialogs\":");
    _int(w, rec->dialogs);
    _LIT(w, ",\"retransmissions\":");
    _int(w, rec->retransmissions);
    _LIT(w, ",\"evicted\":");
    _bool(w, rec->evicted);
    _LIT(w, ",\"in_progress_at_stop\":");
    _bool(w, rec->at_stop);

    /* detail that only some records have, after the common fields */
    rep_leg legs[REP_MAX_LEGS];
    size_t total = rep_legs(rec, legs, REP_MAX_LEGS);
    size_t nlegs = total < 2 ? 0 : total < REP_MAX_LEGS ? total : REP_MAX_LEGS;
    rep_jw_detail(w, rec); /* detail_out.c: registration, subscription, session, ..., sdp, notes */
    rep_jw_legs(w, rec, legs, total); /* legs.c: Reason, B2BUA links, proxy legs */

    _LIT(w, ",\"transactions\":[");
    for (size_t i = 0; i < rec->ntxns; i++) {
        if (i)
            _LIT(w, ",");
        _transaction(w, &rec->txns[i]);
    }
    _LIT(w, "],\"messages\":[");
    for (size_t i = 0; i < rec->nmsgs; i++) {
        if (i)
            _LIT(w, ",");
        _message(w, &rec->msgs[i], nlegs ? rep_leg_of(legs, nlegs, &rec->msgs[i]) + 1 : 0);
    }
    _LIT(w, "]");
    if (rec->msgs_dropped) {
        _LIT(w, ",\"messages_not_kept\":");
        _int(w, (int64_t)rec->msgs_dropped);
    }
    _LIT(w, "}");
}

static json_object *_hist(const rep_hist *h)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "count", json_object_new_int64((int64_t)h->n));
    if (h->n) {
        json_object_object_add(o, "min", json_object_new_int64(h->min));
        json_object_object_add(o, "avg", json_object_new_int64((int64_t)(h->sum / (double)h->n + 0.5)));
        json_object_object_add(o, "max", json_object_new_int64(h->max));
        json_object_object_add(o, "p50", json_object_new_int64(rep_hist_percentile(h, 50)));
        json_object_object_add(o, "p90", json_object_new_int64(rep_hist_percentile(h, 90)));
        json_object_object_add(o, "p95", json_object_new_int64(rep_hist_percentile(h, 95)));
        json_object_object_add(o, "p99", json_object_new_int64(rep_hist_percentile(h, 99)));
    }
    return o;
}

json_object *rep_json_hist(const rep_hist *h) { return _hist(h); }

json_object *rep_json_stats(const rep_stats *s)
{
    json_object *st = json_object_new_object();
    json_object *req = json_object_new_object(), *reqr = json_object_new_object();
    for (size_t i = 0; i < REP_METHOD_SLOTS; i++)
        if (s->req[i]) {
            json_object_object_add(req, rep_stats_method_name(s, i), json_object_new_int64((int64_t)s->req[i]));
            json_object_object_add(reqr, rep_stats_method_name(s, i),
                                   json_object_new_int64((int64_t)s->req_retrans[i]));
        }
    json_object *resp = json_object_new_object(), *respr = json_object_new_object();
    for (int code = 100; code < 700; code++)
        if (s->resp[code]) {
            char k[16];
            snprintf(k, sizeof k, "%d", code);
            json_object_object_add(resp, k, json_object_new_int64((int64_t)s->resp[code]));
            json_object_object_add(respr, k, json_object_new_int64((int64_t)s->resp_retrans[code]));
        }
    json_object *cls = json_object_new_object();
    for (int c = 1; c <= 6; c++) {
        char k[16];
        snprintf(k, sizeof k, "%dxx", c);
        json_object_object_add(cls, k, json_object_new_int64((int64_t)s->cls[c]));
    }
    json_object_object_add(st, "requests", req);
    json_object_object_add(st, "responses", resp);
    json_object_object_add(st, "classes", cls);
    json_object_object_add(st, "request_retransmissions", reqr);
    json_object_object_add(st, "response_retransmissions", respr);

    json_object *matrix = json_object_new_object();
    json_object *rtime = json_object_new_object();
    for (size_t i = 0; i < REP_METHOD_SLOTS; i++) {
        json_object *row = NULL;
        for (int code = 100; code < 700; code++) {
            uint32_t v = s->final_matrix[i * 600 + (code - 100)];
            if (!v)
                continue;
            if (!row)
                row = json_object_new_object();
            char k[16];
            snprintf(k, sizeof k, "%d", code);
            json_object_object_add(row, k, json_object_new_int64(v));
        }
        if (s->txn_no_final[i]) {
            if (!row)
                row = json_object_new_object();
            json_object_object_add(row, "none", json_object_new_int64((int64_t)s->txn_no_final[i]));
        }
        if (row)
            json_object_object_add(matrix, rep_stats_method_name(s, i), row);
        if (s->response_ms[i].n)
            json_object_object_add(rtime, rep_stats_method_name(s, i), _hist(&s->response_ms[i]));
    }
    json_object_object_add(st, "final_by_method", matrix);
    json_object_object_add(st, "response_ms", rtime);

    json_object *calls = json_object_new_object();
    uint64_t ncalls = s->records_by_kind[COR_KIND_CALL];
    json_object_object_add(calls, "total", json_object_new_int64((int64_t)ncalls));
    for (int o = 1; o < COR_OUT__COUNT; o++)
        if (s->calls_by_outcome[o])
            json_object_object_add(calls, cor_outcome_name((cor_outcome)o),
                                   json_object_new_int64((int64_t)s->calls_by_outcome[o]));
    json_object_object_add(calls, "asr",
                           ncalls ? json_object_new_double((double)s->calls_by_outcome[COR_OUT_ANSWERED] /
                                                           (double)ncalls)
                                  : NULL);
    json_object_object_add(st, "calls", calls);
    json_object_object_add(st, "setup_ms", _hist(&s->setup_ms));
    json_object_object_add(st, "pdd_ms", _hist(&s->pdd_ms));
    json_object_object_add(st, "duration_ms", _hist(&s->duration_ms));
    json_object *kinds = json_object_new_object();
    for (int k = 0; k < COR_KIND__COUNT; k++)
        if (s->records_by_kind[k])
            json_object_object_add(kinds, cor_kind_name((cor_kind)k),
                                   json_object_new_int64((int64_t)s->records_by_kind[k]));
    json_object_object_add(st, "dialogs_by_kind", kinds);
    return st;
}

json_object *rep_json_summary(const rep_stats *s, const rep_run_info *info)
{
    uint64_t malformed = 0;
    if (info->sip_errors)
        for (int e = 0; e < SIP_E__COUNT; e++)
            malformed += info->sip_errors[e];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "packets", json_object_new_int64((int64_t)info->packets));
    json_object_object_add(o, "sip_messages", json_object_new_int64((int64_t)s->messages));
    json_object_object_add(o, "requests", json_object_new_int64((int64_t)s->requests));
    json_object_object_add(o, "responses", json_object_new_int64((int64_t)s->responses));
    json_object_object_add(o, "malformed", json_object_new_int64((int64_t)malformed));
    json_object_object_add(o, "call_ids", json_object_new_int64((int64_t)info->call_ids));
    json_object_object_add(o, "call_ids_exact", json_object_new_boolean(info->call_ids_exact));
    json_object_object_add(o, "dialogs", json_object_new_int64((int64_t)s->records));
    json_object_object_add(o, "sip_dialogs",
                           json_object_new_int64(info->cor ? (int64_t)info->cor[COR_C_DIALOGS] : 0));
    json_object_object_add(o, "transactions", json_object_new_int64((int64_t)s->transactions));
    json_object_object_add(o, "retransmissions", json_object_new_int64((int64_t)s->retransmissions));
    json_object_object_add(o, "calls", json_object_new_int64((int64_t)s->records_by_kind[COR_KIND_CALL]));
    json_object_object_add(o, "first", info->first_us ? _time(info->first_us) : NULL);
    json_object_object_add(o, "last", info->last_us ? _time(info->last_us) : NULL);
    json_object *inputs = json_object_new_array();
    for (size_t i = 0; i < info->ninputs; i++) {
        json_object *in = json_object_new_object();
        json_object_object_add(in, "name", rep_json_string(info->inputs[i]));
        if (info->input_errors && info->input_errors[i])
            json_object_object_add(in, "error", rep_json_string(info->input_errors[i]));
        json_object_array_add(inputs, in);
    }
    json_object_object_add(o, "inputs", inputs);
    if (info->live) {
        json_object_object_add(o, "pcap_received", json_object_new_int64((int64_t)info->pcap_recv));
        json_object_object_add(o, "pcap_dropped", json_object_new_int64((int64_t)info->pcap_drop));
        json_object_object_add(o, "pcap_ifdropped", json_object_new_int64((int64_t)info->pcap_ifdrop));
    }
    return o;
}

/* Every counter of every stage, by name: zero ones too, so scripts can rely
 * on the paths. */
json_object *rep_json_anomalies(const rep_run_info *info)
{
    json_object *o = json_object_new_object();
    json_object *mal = json_object_new_object();
    if (info->sip_errors)
        for (int e = 1; e < SIP_E__COUNT; e++)
            json_object_object_add(mal, sip_error_name((sip_error)e),
                                   json_object_new_int64((int64_t)info->sip_errors[e]));
    json_object_object_add(o, "malformed", mal);
    json_object_object_add(o, "not_sip_payloads", json_object_new_int64((int64_t)info->sip_not_sip));
    json_object_object_add(o, "keepalives", json_object_new_int64((int64_t)info->sip_keepalives));
    json_object_object_add(o, "not_sip_on_sip_port",
                           json_object_new_int64((int64_t)info->sip_not_sip_on_port));
    json_object *def = json_object_new_object();
    if (info->sip_defects)
        for (int b = 0; b < SIP_DEF__COUNT; b++)
            json_object_object_add(def, sip_defect_name(1u << b),
                                   json_object_new_int64((int64_t)info->sip_defects[b]));
    json_object_object_add(o, "defects", def);
    json_object *dec = json_object_new_object();
    if (info->dec)
        for (int c = 0; c < DEC_C__COUNT; c++)
            json_object_object_add(dec, dec_counter_name((dec_counter)c),
                                   json_object_new_int64((int64_t)info->dec[c]));
    json_object_object_add(o, "decode", dec);
    json_object *cor = json_object_new_object();
    if (info->cor)
        for (int c = 0; c < COR_C__COUNT; c++)
            json_object_object_add(cor, cor_counter_name((cor_counter)c),
                                   json_object_new_int64((int64_t)info->cor[c]));
    json_object_object_add(o, "correlate", cor);
    return o;
}
