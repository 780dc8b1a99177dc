/* breakdown.c - call figures per caller, callee, endpoint and User-Agent,
 * and failure causes by Reason header (RFC 3326).
 *
 * Each breakdown is a table of keys fed once per finished call record:
 * attempts, answered, failed, NER-effective calls, and setup time / post-dial
 * delay in a small histogram. Memory is bounded: a breakdown tracks at most
 * cap keys (REP_BD_CAP); calls of a key that arrives when the table is full
 * are summed into "other" and counted as overflow. At the end the top
 * entries by attempts are shown (REP_BD_TOP) and the rest of the tracked
 * keys are summed into "other" too.
 *
 * Definitions follow metrics.c: an attempt is a decided call record (still
 * being set up at the end of input: not counted); answered = 2xx to the
 * deciding INVITE; ASR = answered / attempts; NER counts answered, user busy
 * (486, 600), ring no answer (480, or cancelled after a non-100 provisional)
 * and 603. The keys: caller = From URI user@host (port and parameters
 * dropped), callee = To URI user@host, endpoint = each IP address the
 * call's first message went between (a call counts once per address),
 * User-Agent = the record's first User-Agent, "(none)" without one. */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* ---- compact histogram: exact below 128 ms, 8 steps per octave above ---- */

static int _ch_bucket(int64_t ms)
{
    if (ms < 0)
        ms = 0;
    if (ms < 128)
        return (int)ms;
    int oct = 63 - __builtin_clzll((unsigned long long)ms); /* >= 7 */
    int sub = (int)((ms >> (oct - 3)) & 7);
    int b = 128 + (oct - 7) * 8 + sub;
    return b < REP_CHIST_BUCKETS ? b : REP_CHIST_BUCKETS - 1;
}

/* Lowest value of bucket b. */
static int64_t _ch_value(int b)
{
    if (b < 128)
        return b;
    int oct = (b - 128) / 8 + 7, sub = (b - 128) % 8;
    return ((int64_t)8 + sub) << (oct - 3);
}

void rep_chist_add(rep_chist *h, int64_t ms)
{
    if (ms < 0)
        return;
    if (h->n == 0 || ms < h->min)
        h->min = ms;
    if (h->n == 0 || ms > h->max)
        h->max = ms;
    h->n++;
    h->sum += (double)ms;
    h->bucket[_ch_bucket(ms)]++;
}

int64_t rep_chist_percentile(const rep_chist *h, double p)
{
    if (h->n == 0)
        return -1;
    /* nearest rank, as rep_hist_percentile */
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->n + 0.999999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (int b = 0; b < REP_CHIST_BUCKETS; b++) {
        seen += h->bucket[b];
        if (seen >= rank) {
            if (seen == h->n)
                return h->max;
            /* middle of the bucket: exact below 128 ms, within 6.25 % above */
            int64_t v = b < 128 ? b : (_ch_value(b) + _ch_value(b + 1) - 1) / 2;
            return v < h->min ? h->min : v > h->max ? h->max : v;
        }
    }
    return h->max;
}

static void _chist_merge(rep_chist *to, const rep_chist *from)
{
    if (from->n == 0)
        return;
    if (to->n == 0 || from->min < to->min)
        to->min = from->min;
    if (to->n == 0 || from->max > to->max)
        to->max = from->max;
    to->n += from->n;
    to->sum += from->sum;
    for (int b = 0; b < REP_CHIST_BUCKETS; b++)
        to->bucket[b] += from->bucket[b];
}

/* ---- one breakdown ---- */

/* The project's one string hash (rapidhash, slice.c); never 0. */
static uint64_t _key_hash(const char *k)
{
    uint64_t h = ss_hash_bytes(k, strlen(k), 0x62726b646f776e73ull);
    return h ? h : 1;
}

void rep_bd_init(rep_bd *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
}

void rep_bd_free(rep_bd *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->e[i].key);
    free(b->e);
    free(b->idx);
    memset(b, 0, sizeof *b);
}

/* The entry for key, created while under the cap; NULL when full (or out
 * of memory): the caller counts into other. */
static rep_bd_entry *_bd_get(rep_bd *b, const char *key)
{
    uint64_t h = _key_hash(key);
    if (b->idx_cap) {
        size_t mask = b->idx_cap - 1;
        for (size_t i = (size_t)h & mask; b->idx[i]; i = (i + 1) & mask) {
            rep_bd_entry *e = &b->e[b->idx[i] - 1];
            if (e->h == h && strcmp(e->key, key) == 0)
                return e;
        }
    }
    if (b->n >= b->cap)
        return NULL;
    if (b->n == b->e_cap) {
        size_t nc = b->e_cap ? b->e_cap * 2 : 8;
        if (nc > b->cap)
            nc = b->cap;
        rep_bd_entry *e = realloc(b->e, nc * sizeof *e);
        if (e == NULL)
            return NULL;
        b->e = e;
        b->e_cap = nc;
    }
    if ((b->n + 1) * 2 > b->idx_cap) {
        size_t nc = b->idx_cap ? b->idx_cap * 2 : 16;
        uint32_t *ix = calloc(nc, sizeof *ix);
        if (ix == NULL)
            return NULL;
        for (size_t i = 0; i < b->n; i++) {
            size_t j = (size_t)b->e[i].h & (nc - 1);
            while (ix[j])
                j = (j + 1) & (nc - 1);
            ix[j] = (uint32_t)i + 1;
        }
        free(b->idx);
        b->idx = ix;
        b->idx_cap = nc;
    }
    char *k = strdup(key);
    if (k == NULL)
        return NULL;
    rep_bd_entry *e = &b->e[b->n];
    memset(e, 0, sizeof *e);
    e->key = k;
    e->h = h;
    size_t mask = b->idx_cap - 1, j = (size_t)h & mask;
    while (b->idx[j])
        j = (j + 1) & mask;
    b->idx[j] = (uint32_t)++b->n;
    return e;
}

static void _bd_count(rep_bd *b, rep_bd_entry *e, const rep_bd_call *c)
{
    if (e == NULL) {
        e = &b->other;
        b->overflow_calls++;
    }
    e->attempts++;
    e->answered += c->answered;
    e->ner += c->ner;
    if (c->setup_ms >= 0)
        rep_chist_add(&e->setup, c->setup_ms);
    if (c->pdd_ms >= 0)
        rep_chist_add(&e->pdd, c->pdd_ms);
}

void rep_bd_add(rep_bd *b, const char *key, const rep_bd_call *c) { _bd_count(b, _bd_get(b, key), c); }

void rep_bd_add_raw(rep_bd *b, const void *raw, size_t len, rep_bd_keyfn mk, const rep_bd_call *c)
{
    for (unsigned i = 0; i < REP_BD_MEMO; i++) {
        const rep_bd_memo *m = &b->memo[i];
        if (m->len == len && len && memcmp(m->raw, raw, len) == 0) {
            _bd_count(b, m->idx == SIZE_MAX ? NULL : &b->e[m->idx], c);
            return;
        }
    }
    char key[512];
    mk(raw, len, key, sizeof key);
    rep_bd_entry *e = _bd_get(b, key);
    if (len && len <= REP_BD_MEMO_RAW) {
        rep_bd_memo *m = &b->memo[b->memo_next++ % REP_BD_MEMO];
        m->len = len;
        m->idx = e ? (size_t)(e - b->e) : SIZE_MAX;
        memcpy(m->raw, raw, len);
    }
    _bd_count(b, e, c);
}

static int _cmp_entries(const void *x, const void *y)
{
    const rep_bd_entry *a = *(const rep_bd_entry *const *)x, *b = *(const rep_bd_entry *const *)y;
    if (a->attempts != b->attempts)
        return a->attempts > b->attempts ? -1 : 1;
    return strcmp(a->key, b->key); /* stable output for ties */
}

size_t rep_bd_top(const rep_bd *b, size_t top, const rep_bd_entry **out, rep_bd_entry *other)
{
    *other = b->other;
    const rep_bd_entry **all = malloc((b->n ? b->n : 1) * sizeof *all);
    if (all == NULL)
        return 0;
    for (size_t i = 0; i < b->n; i++)
        all[i] = &b->e[i];
    qsort(all, b->n, sizeof *all, _cmp_entries);
    size_t n = b->n < top ? b->n : top;
    for (size_t i = 0; i < n; i++)
        out[i] = all[i];
    for (size_t i = n; i < b->n; i++) {
        other->attempts += all[i]->attempts;
        other->answered += all[i]->answered;
        other->ner += all[i]->ner;
        _chist_merge(&other->setup, &all[i]->setup);
        _chist_merge(&other->pdd, &all[i]->pdd);
    }
    free(all);
    return n;
}

/* ---- the set of breakdowns ---- */

static const char *const _bd_names[REP_BD__COUNT] = {"by_caller", "by_callee", "by_endpoint",
                                                     "by_user_agent", "by_reason"};

int rep_breakdowns_init(rep_breakdowns *s, size_t cap)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < REP_BD__COUNT; i++)
        rep_bd_init(&s->bd[i], cap);
    return 0;
}

void rep_breakdowns_free(rep_breakdowns *s)
{
    for (int i = 0; i < REP_BD__COUNT; i++)
        rep_bd_free(&s->bd[i]);
}

/* "user@host" of a URI as correlate kept it (port and parameters dropped),
 * the number of a tel: URI, or the URI itself when it does not parse. */
void rep_uri_user_host(const char *uri, char *buf, size_t n)
{
    sip_uri u;
    ss_slice raw = ss_slice_make(uri, strlen(uri));
    if (raw.len == 0) {
        snprintf(buf, n, "(none)");
        return;
    }
    if (sip_parse_uri(raw, &u) != 0 || (u.user.len == 0 && u.host.len == 0)) {
        snprintf(buf, n, "%s", uri);
        return;
    }
    if (u.host.len == 0)
        snprintf(buf, n, "%.*s", (int)u.user.len, (const char *)u.user.p);
    else if (u.user.len == 0)
        snprintf(buf, n, "%.*s", (int)u.host.len, (const char *)u.host.p);
    else
        snprintf(buf, n, "%.*s@%.*s", (int)u.user.len, (const char *)u.user.p, (int)u.host.len,
                 (const char *)u.host.p);
}

/* "Q.850;cause=16" / "SIP;cause=480" of a Reason value (first reason of a
 * list), or the protocol token alone without a cause. */
void rep_reason_key(const char *reason, char *buf, size_t n)
{
    ss_slice v = ss_slice_trim(ss_slice_make(reason, strlen(reason)));
    size_t end = 0;
    while (end < v.len && v.p[end] != ',')
        end++;
    v.len = end;
    ss_slice proto = sip_value_token(v);
    size_t semi = 0;
    while (semi < v.len && v.p[semi] != ';')
        semi++;
    ss_slice params = ss_slice_make(v.p + semi, v.len - semi), cause;
    if (sip_param(params, "cause", &cause) && cause.len)
        snprintf(buf, n, "%.*s;cause=%.*s", (int)proto.len, (const char *)proto.p, (int)cause.len,
                 (const char *)cause.p);
    else
        snprintf(buf, n, "%.*s", (int)proto.len, (const char *)proto.p);
}

static void _uri_key(const void *raw, size_t len, char *key, size_t n)
{
    char uri[1100];
    snprintf(uri, sizeof uri, "%.*s", (int)len, (const char *)raw);
    rep_uri_user_host(uri, key, n);
}

static void _text_key(const void *raw, size_t len, char *key, size_t n)
{
    snprintf(key, n, "%.*s", (int)len, (const char *)raw);
}

static void _ip_key(const void *raw, size_t len, char *key, size_t n)
{
    ss_addr a;
    memcpy(&a, raw, sizeof a < len ? sizeof a : len);
    ss_addr_format_ip(&a, key, n);
}

/* An address as raw key bytes: the port does not count. */
static ss_addr _ip_only(const ss_addr *in)
{
    ss_addr a;
    memset(&a, 0, sizeof a);
    a.family = in->family;
    memcpy(a.ip, in->ip, sizeof a.ip);
    return a;
}

/* NER (ITU-T E.425) counts this call: the rule of metrics.c. */
static int _ner(const cor_record *rec)
{
    uint16_t fs = rec->final_status;
    if ((fs >= 200 && fs < 300) || fs == 486 || fs == 600 || fs == 603 || fs == 480)
        return 1;
    if (rec->outcome != COR_OUT_CANCELLED)
        return 0;
    if (rec->pdd_ms >= 0)
        return 1;
    for (size_t i = 0; i < rec->nmsgs; i++)
        if (!rec->msgs[i].is_request && rec->msgs[i].method == SIP_M_INVITE && rec->msgs[i].status > 100 &&
            rec->msgs[i].status < 200)
            return 1;
    return 0;
}

void rep_breakdowns_record(rep_breakdowns *s, const cor_record *rec)
{
    if (rec->kind != COR_KIND_CALL)
        return;
    uint16_t fs = rec->final_status;
    if (fs == 0 && (rec->outcome == COR_OUT_NONE || rec->outcome == COR_OUT_IN_PROGRESS))
        return; /* not decided: as metrics.c */
    rep_bd_call c = {fs >= 200 && fs < 300, (uint8_t)_ner(rec), rec->setup_ms, rec->pdd_ms};
    char key[512];
    const char *from = rec->from && rec->from[0] ? rec->from : "", *to = rec->to && rec->to[0] ? rec->to : "";
    const char *ua = rec->user_agent && rec->user_agent[0] ? rec->user_agent : "(none)";
    if (from[0])
        rep_bd_add_raw(&s->bd[REP_BD_CALLER], from, strlen(from), _uri_key, &c);
    else
        rep_bd_add(&s->bd[REP_BD_CALLER], "(none)", &c);
    if (to[0])
        rep_bd_add_raw(&s->bd[REP_BD_CALLEE], to, strlen(to), _uri_key, &c);
    else
        rep_bd_add(&s->bd[REP_BD_CALLEE], "(none)", &c);
    rep_bd_add_raw(&s->bd[REP_BD_UA], ua, strlen(ua), _text_key, &c);
    if (rec->nmsgs) {
        ss_addr a = _ip_only(&rec->msgs[0].src), b = _ip_only(&rec->msgs[0].dst);
        rep_bd_add_raw(&s->bd[REP_BD_ENDPOINT], &a, sizeof a, _ip_key, &c);
        if (memcmp(&a, &b, sizeof a) != 0)
            rep_bd_add_raw(&s->bd[REP_BD_ENDPOINT], &b, sizeof b, _ip_key, &c);
    }
    if (!c.answered && rec->reason_hdr && rec->reason_hdr[0]) {
        rep_reason_key(rec->reason_hdr, key, sizeof key);
        rep_bd_add(&s->bd[REP_BD_REASON], key[0] ? key : "(empty)", &c);
    }
}

/* ---- output ---- */

static json_object *_chist_json(const rep_chist *h)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "count", json_object_new_int64((int64_t)h->n));
    static const int ps[] = {50, 90, 95, 99};
    for (size_t i = 0; i < 4; i++) {
        char k[8];
        snprintf(k, sizeof k, "p%d", ps[i]);
        json_object_object_add(o, k, h->n ? json_object_new_int64(rep_chist_percentile(h, ps[i])) : NULL);
    }
    return o;
}

static json_object *_entry_json(const rep_bd_entry *e, const char *key)
{
    json_object *o = json_object_new_object();
    if (key)
        json_object_object_add(o, "key", rep_json_string(key));
    json_object_object_add(o, "attempted", json_object_new_int64((int64_t)e->attempts));
    json_object_object_add(o, "answered", json_object_new_int64((int64_t)e->answered));
    json_object_object_add(o, "failed", json_object_new_int64((int64_t)(e->attempts - e->answered)));
    json_object_object_add(o, "ASR", rep_json_pct(e->answered, e->attempts));
    json_object_object_add(o, "NER", rep_json_pct(e->ner, e->attempts));
    json_object_object_add(o, "setup_ms", _chist_json(&e->setup));
    json_object_object_add(o, "pdd_ms", _chist_json(&e->pdd));
    return o;
}

json_object *rep_json_breakdown(const rep_bd *b, size_t top)
{
    const rep_bd_entry **sel = malloc((top ? top : 1) * sizeof *sel);
    rep_bd_entry other;
    size_t n = sel ? rep_bd_top(b, top, sel, &other) : 0;
    if (sel == NULL)
        other = b->other;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "cap", json_object_new_int64((int64_t)b->cap));
    json_object_object_add(o, "keys", json_object_new_int64((int64_t)b->n));
    json_object_object_add(o, "overflow_calls", json_object_new_int64((int64_t)b->overflow_calls));
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(arr, _entry_json(sel[i], sel[i]->key));
    json_object_object_add(o, "top", arr);
    json_object_object_add(o, "other", other.attempts ? _entry_json(&other, NULL) : NULL);
    free(sel);
    return o;
}

json_object *rep_json_breakdowns(const rep_breakdowns *s)
{
    json_object *o = json_object_new_object();
    for (int i = 0; i < REP_BD_REASON; i++)
        json_object_object_add(o, _bd_names[i], rep_json_breakdown(&s->bd[i], REP_BD_TOP));
    return o;
}

json_object *rep_json_reason_causes(const rep_breakdowns *s)
{
    const rep_bd *b = &s->bd[REP_BD_REASON];
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < b->n; i++)
        json_object_object_add(o, b->e[i].key, json_object_new_int64((int64_t)b->e[i].attempts));
    if (b->other.attempts)
        json_object_object_add(o, "other", json_object_new_int64((int64_t)b->other.attempts));
    return o;
}

static void _print_one(FILE *out, const char *label, const rep_bd *b, int utf8)
{
    const rep_bd_entry *sel[REP_BD_TEXT_TOP];
    rep_bd_entry other;
    size_t n = rep_bd_top(b, REP_BD_TEXT_TOP, sel, &other);
    if (n == 0 && other.attempts == 0)
        return;
    fprintf(out, "  %s, %zu key%s%s\n", label, b->n, b->n == 1 ? "" : "s",
            b->overflow_calls ? " (cap reached: later keys in other)" : "");
    for (size_t i = 0; i <= n; i++) {
        const rep_bd_entry *e = i < n ? sel[i] : &other;
        if (i == n && other.attempts == 0)
            break;
        char key[64], asr[16], ner[16], setup[16], pdd[16];
        const char *k = i < n ? e->key : "(other)";
        rep_term_clean(k, strlen(k), utf8, key, sizeof key);
        snprintf(asr, sizeof asr, "%.1f %%", 100.0 * (double)e->answered / (double)e->attempts);
        snprintf(ner, sizeof ner, "%.1f %%", 100.0 * (double)e->ner / (double)e->attempts);
        if (e->setup.n)
            snprintf(setup, sizeof setup, "%lld ms", (long long)rep_chist_percentile(&e->setup, 50));
        else
            snprintf(setup, sizeof setup, "-");
        if (e->pdd.n)
            snprintf(pdd, sizeof pdd, "%lld ms", (long long)rep_chist_percentile(&e->pdd, 50));
        else
            snprintf(pdd, sizeof pdd, "-");
        fprintf(out, "    %-34s %8llu %8llu %7s %7s %9s %9s\n", key, (unsigned long long)e->attempts,
                (unsigned long long)e->answered, asr, ner, setup, pdd);
    }
}

void rep_breakdowns_print(FILE *out, const rep_breakdowns *s, int utf8)
{
    int any = 0;
    for (int i = 0; i < REP_BD_REASON; i++)
        any |= s->bd[i].n != 0 || s->bd[i].other.attempts != 0;
    if (!any)
        return;
    fprintf(out, "\nCalls by caller, callee, endpoint, User-Agent (top %d)\n", REP_BD_TEXT_TOP);
    fprintf(out, "    %-34s %8s %8s %7s %7s %9s %9s\n", "", "attempts", "answered", "ASR", "NER", "setup p50",
            "pdd p50");
    _print_one(out, "caller (From)", &s->bd[REP_BD_CALLER], utf8);
    _print_one(out, "callee (To)", &s->bd[REP_BD_CALLEE], utf8);
    _print_one(out, "endpoint (IP)", &s->bd[REP_BD_ENDPOINT], utf8);
    _print_one(out, "User-Agent", &s->bd[REP_BD_UA], utf8);
    const rep_bd *r = &s->bd[REP_BD_REASON];
    if (r->n || r->other.attempts) {
        fprintf(out, "  failure causes by Reason header:");
        for (size_t i = 0; i < r->n; i++) {
            char key[128];
            rep_term_clean(r->e[i].key, strlen(r->e[i].key), utf8, key, sizeof key);
            fprintf(out, "%s %s x%llu", i ? "," : "", key, (unsigned long long)r->e[i].attempts);
        }
        if (r->other.attempts)
            fprintf(out, ", other x%llu", (unsigned long long)r->other.attempts);
        fputc('\n', out);
    }
}
