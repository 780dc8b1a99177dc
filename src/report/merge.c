/* merge.c - `sipscope merge a.json b.json ... [-o out.json] [--no-dialogs]`:
 * several sipscope-report/1 documents into one.
 *
 * What is combined how (docs/report-schema.md, "Merging reports"):
 *   - integer counters are summed, nested maps member by member: summary,
 *     stats maps, anomalies, registration_summary, subscription_summary
 *     (failed_by_code too), subscriptions_by_event, conversation_summary,
 *     metrics.session_attempts / sessions_undecided / failure_causes,
 *     encrypted.tls_flows_not_listed, registrations_not_listed,
 *     subscriptions_not_listed;
 *   - stats.calls outcome counts are summed and asr recomputed;
 *   - distributions (objects with a "count": setup_ms, pdd_ms,
 *     duration_ms, response_ms.<METHOD>, metrics RRD/SRD/SRD_failed/SDD/
 *     SDT, breakdown setup_ms/pdd_ms) combine count, min and max exactly
 *     and avg as the count-weighted mean (each input's avg is rounded to
 *     the ms); percentiles cannot be combined from percentiles, so they
 *     become count-weighted means and the distribution gets
 *     "approximate": true when more than one input (or an already
 *     approximate one) fed it;
 *   - metrics ratios are recomputed from summed counts. Exact from the
 *     counts the report holds: ASR and SER (answered = session_attempts
 *     minus the failure_causes; SER's denominator drops the 3xx causes),
 *     SEER (answered + causes 480, 486, 600, 603) and IRA (no_response +
 *     failed_by_code >= 400 over attempted, from registration_summary).
 *     ISA, SCR and NER depend on facts no count holds (CANCEL without 487,
 *     BYE answered 2xx, alerting before a cancel), so their numerator is
 *     read back from the two-decimal percentage: with a denominator up to
 *     10,000 only one integer rounds to the printed value and the result
 *     stays exact; beyond that (or for an input without the counts) the
 *     numerator is the percentage times the denominator, and the ratio's
 *     name goes into "approximate_ratios";
 *   - metrics.failure_causes_by_reason is summed per key with
 *     breakdown.c's cap: at most REP_BD_CAP keys, later ones into "other";
 *   - breakdowns: per key of the inputs' top[] lists, attempted and
 *     answered summed, ASR recomputed, NER recomputed as metrics' NER,
 *     setup_ms/pdd_ms as distributions; each input's "other" goes into
 *     "other". At most REP_BD_CAP keys are tracked (first come), the calls
 *     of later keys go into "other" and overflow_calls; top[] is the
 *     REP_BD_TOP keys with most attempts (ties by key), the rest summed
 *     into "other". "keys" counts the keys the merge tracked: keys an input
 *     had already summed into its "other" are not known by name;
 *   - summary.first/last are the earliest/latest, summary.inputs are
 *     concatenated; summary.call_ids is summed, which counts a Call-ID seen
 *     in two inputs twice, so call_ids_exact becomes false when merging
 *     more than one document;
 *   - dialogs[] are concatenated in input order, renumbered from 1; each
 *     keeps "source": {"input": index into merged_from, "id": its old id};
 *     related[] ids are renumbered the same way (an id that names a dialog
 *     absent from its input, e.g. filtered out, is dropped);
 *   - registrations[], subscriptions[], watchers[] and
 *     encrypted.tls_flows[] are concatenated in input order, each element
 *     with "source": {"input": index}. They name dialogs by Call-ID, never
 *     by id, so nothing is renumbered; an AOR or watcher seen in two inputs
 *     is listed once per input. --no-dialogs keeps them (they are short
 *     per-AOR / per-subscription lists, not dialogs).
 * A section no input has is left out; an input without a section (an
 * older report) contributes nothing to it. When an input has a "filter", "filters"
 * lists each input's (null for none) by input index. Each input is parsed whole, one
 * at a time; dialogs and the other arrays go to temporary files so a bad
 * input found late leaves no half-written output and memory does not grow
 * with the number of inputs. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "outputs.h"
#include "report_int.h"

#ifndef SIPSCOPE_VERSION
#define SIPSCOPE_VERSION "unknown"
#endif

static const char *const _pcts[] = {"p50", "p90", "p95", "p99"};
#define NPCTS (sizeof _pcts / sizeof _pcts[0])

static const int _flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

static int _is_dist(json_object *o)
{
    json_object *c;
    return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "count", &c) &&
           json_object_is_type(c, json_type_int);
}

static int64_t _int(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : 0;
}

static double _dbl(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_double(v) : 0;
}

static void _set_int(json_object *o, const char *key, int64_t v)
{
    json_object_object_add(o, key, json_object_new_int64(v));
}

static void _set_dbl(json_object *o, const char *key, double v)
{
    json_object_object_add(o, key, json_object_new_double(v));
}

/* Adds distribution src into acc; weighted sums live in "_w<name>" members
 * until _dist_finish. Members src lacks (a breakdown's setup_ms has no
 * min, max or avg) are not made up. */
static void _dist_add(json_object *acc, json_object *src)
{
    int64_t n = _int(src, "count"), an = _int(acc, "count");
    if (n == 0)
        return;
    json_object *v = NULL;
    if (json_object_object_get_ex(src, "min", &v) && v && (an == 0 || _int(src, "min") < _int(acc, "min")))
        _set_int(acc, "min", _int(src, "min"));
    if (json_object_object_get_ex(src, "max", &v) && v && (an == 0 || _int(src, "max") > _int(acc, "max")))
        _set_int(acc, "max", _int(src, "max"));
    _set_int(acc, "count", an + n);
    if (json_object_object_get_ex(src, "avg", &v) && v)
        _set_dbl(acc, "_wavg", _dbl(acc, "_wavg") + _dbl(src, "avg") * (double)n);
    for (size_t i = 0; i < NPCTS; i++) {
        char k[16];
        snprintf(k, sizeof k, "_w%s", _pcts[i]);
        if (json_object_object_get_ex(src, _pcts[i], &v) && v)
            _set_dbl(acc, k, _dbl(acc, k) + _dbl(src, _pcts[i]) * (double)n);
    }
    /* an input that was itself a merge counts as two: already approximate */
    int approx = json_object_object_get_ex(src, "approximate", &v) && json_object_get_boolean(v);
    _set_int(acc, "_inputs", _int(acc, "_inputs") + 1 + approx);
}

/* Adds the accumulator from (of _dist_add) into the accumulator to. */
static void _dist_acc_merge(json_object *to, json_object *from)
{
    int64_t n = _int(from, "count"), tn = _int(to, "count");
    if (n == 0)
        return;
    json_object *v = NULL;
    if (json_object_object_get_ex(from, "min", &v) && (tn == 0 || _int(from, "min") < _int(to, "min")))
        _set_int(to, "min", _int(from, "min"));
    if (json_object_object_get_ex(from, "max", &v) && (tn == 0 || _int(from, "max") > _int(to, "max")))
        _set_int(to, "max", _int(from, "max"));
    _set_int(to, "count", tn + n);
    _set_int(to, "_inputs", _int(to, "_inputs") + _int(from, "_inputs"));
    json_object_object_foreach(from, key, val) {
        (void)val;
        if (key[0] == '_' && key[1] == 'w')
            _set_dbl(to, key, _dbl(to, key) + _dbl(from, key));
    }
}

static void _dist_finish(json_object *d)
{
    int64_t n = _int(d, "count");
    int approx = _int(d, "_inputs") > 1;
    json_object *v = NULL;
    if (n > 0 && json_object_object_get_ex(d, "_wavg", &v))
        _set_int(d, "avg", (int64_t)(_dbl(d, "_wavg") / (double)n + 0.5));
    for (size_t i = 0; i < NPCTS; i++) {
        char k[16];
        snprintf(k, sizeof k, "_w%s", _pcts[i]);
        if (n > 0 && json_object_object_get_ex(d, k, &v))
            _set_int(d, _pcts[i], (int64_t)(_dbl(d, k) / (double)n + 0.5));
        json_object_object_del(d, k);
    }
    json_object_object_del(d, "_wavg");
    json_object_object_del(d, "_inputs");
    if (approx)
        json_object_object_add(d, "approximate", json_object_new_boolean(1));
}

static void _sum_into(json_object *acc, json_object *src);

/* Sums one member of a source object into acc: ints added, objects merged
 * recursively, distributions combined; other values keep the first one
 * seen. */
static void _sum_member(json_object *acc, const char *key, json_object *val)
{
    json_object *a = NULL;
    int have = json_object_object_get_ex(acc, key, &a);
    if (_is_dist(val)) {
        if (!have || !json_object_is_type(a, json_type_object)) {
            a = json_object_new_object();
            _set_int(a, "count", 0);
            json_object_object_add(acc, key, a);
        }
        _dist_add(a, val);
    } else if (json_object_is_type(val, json_type_int)) {
        _set_int(acc, key, (have && a ? json_object_get_int64(a) : 0) + json_object_get_int64(val));
    } else if (json_object_is_type(val, json_type_object)) {
        if (!have || !json_object_is_type(a, json_type_object)) {
            a = json_object_new_object();
            json_object_object_add(acc, key, a);
        }
        _sum_into(a, val);
    } else if (!have) {
        json_object_object_add(acc, key, json_object_get(val));
    }
}

/* Sums every member of src into acc (see _sum_member). */
static void _sum_into(json_object *acc, json_object *src)
{
    json_object_object_foreach(src, key, val) _sum_member(acc, key, val);
}

/* Sums the integer map src into acc keeping at most cap keys besides
 * "other" (breakdown.c's rule): values of keys first seen when acc is full
 * go into "other", as does src's own "other". */
static void _sum_capped(json_object *acc, json_object *src, size_t cap)
{
    json_object_object_foreach(src, key, val) {
        if (!json_object_is_type(val, json_type_int))
            continue;
        json_object *a = NULL;
        int have_other = json_object_object_get_ex(acc, "other", NULL);
        size_t keys = (size_t)json_object_object_length(acc) - (size_t)have_other;
        const char *to = key;
        if (strcmp(key, "other") != 0 && !json_object_object_get_ex(acc, key, NULL) && keys >= cap)
            to = "other";
        json_object_object_get_ex(acc, to, &a);
        _set_int(acc, to, (a ? json_object_get_int64(a) : 0) + json_object_get_int64(val));
    }
}

/* ---- ratios recomputed from counts ---- */

/* A percentage being recombined: numerator (an estimate when approx) and
 * denominator summed over the inputs. */
typedef struct _ratio {
    double num;
    uint64_t den;
    int approx;
} _ratio;

static void _ratio_add(_ratio *r, double num, int64_t den, int exact)
{
    if (den <= 0)
        return;
    r->num += num;
    r->den += (uint64_t)den;
    r->approx |= !exact;
}

/* Adds the ratio written as the two-decimal percentage pct (json, may be
 * null: denominator 0) over den. Its numerator is the only integer that
 * rounds to the same text when den <= 10,000 (neighbouring numerators are
 * at least 0.01 points apart); otherwise it is estimated. */
static void _ratio_add_pct(_ratio *r, json_object *pct, int64_t den)
{
    if (pct == NULL || den <= 0 || !(json_object_is_type(pct, json_type_double) ||
                                     json_object_is_type(pct, json_type_int)))
        return;
    double p = json_object_get_double(pct), est = p * (double)den / 100.0;
    long long k = llround(est);
    char want[32], got[32];
    snprintf(want, sizeof want, "%.2f", p);
    snprintf(got, sizeof got, "%.2f", 100.0 * (double)k / (double)den);
    int exact = den <= 10000 && k >= 0 && k <= den && strcmp(want, got) == 0;
    _ratio_add(r, exact ? (double)k : est, den, exact);
}

/* The merged percentage (rep_json_pct's format), null when den is 0. */
static json_object *_ratio_json(const _ratio *r)
{
    if (r->den == 0)
        return NULL;
    double n = r->num < 0 ? 0 : r->num;
    return rep_json_pct((uint64_t)llround(n), r->den);
}

/* Finishes every distribution below o. */
static void _finish_dists(json_object *o)
{
    json_object_object_foreach(o, key, val) {
        (void)key;
        if (_is_dist(val))
            _dist_finish(val);
        else if (json_object_is_type(val, json_type_object))
            _finish_dists(val);
    }
}

/* summary: sums, plus the members that are not sums. */
static void _summary_into(json_object *acc, json_object *src, json_object *inputs)
{
    json_object *v = NULL, *f = NULL;
    if (json_object_object_get_ex(src, "inputs", &v) && json_object_is_type(v, json_type_array))
        for (size_t i = 0; i < json_object_array_length(v); i++)
            json_object_array_add(inputs, json_object_get(json_object_array_get_idx(v, i)));
    if (json_object_object_get_ex(src, "first", &v) && json_object_is_type(v, json_type_string) &&
        (!json_object_object_get_ex(acc, "first", &f) || !f ||
         strcmp(json_object_get_string(v), json_object_get_string(f)) < 0))
        json_object_object_add(acc, "first", json_object_new_string(json_object_get_string(v)));
    if (json_object_object_get_ex(src, "last", &v) && json_object_is_type(v, json_type_string) &&
        (!json_object_object_get_ex(acc, "last", &f) || !f ||
         strcmp(json_object_get_string(v), json_object_get_string(f)) > 0))
        json_object_object_add(acc, "last", json_object_new_string(json_object_get_string(v)));
    json_object_object_foreach(src, key, val) {
        if (strcmp(key, "inputs") == 0 || strcmp(key, "first") == 0 || strcmp(key, "last") == 0)
            continue;
        json_object *a = NULL;
        int have = json_object_object_get_ex(acc, key, &a);
        if (json_object_is_type(val, json_type_int))
            _set_int(acc, key, (have && a ? json_object_get_int64(a) : 0) + json_object_get_int64(val));
        else if (json_object_is_type(val, json_type_boolean))
            json_object_object_add(acc, key,
                                   json_object_new_boolean(json_object_get_boolean(val) &&
                                                           (!have || !a || json_object_get_boolean(a))));
        else if (!have)
            json_object_object_add(acc, key, json_object_get(val));
    }
}

/* ---- metrics ---- */

static const char *const _ratio_names[] = {"IRA", "SER", "SEER", "ISA", "SCR", "ASR", "NER"};
enum { R_IRA, R_SER, R_SEER, R_ISA, R_SCR, R_ASR, R_NER, R__COUNT };

static int _ratio_index(const char *name)
{
    for (int i = 0; i < R__COUNT; i++)
        if (strcmp(name, _ratio_names[i]) == 0)
            return i;
    return -1;
}

/* Adds one input's metrics m (and its registration_summary rs, may be
 * NULL) into acc and the ratios r (see the head comment). */
static void _metrics_into(json_object *acc, _ratio *r, json_object *m, json_object *rs)
{
    json_object_object_foreach(m, key, val) {
        if (_ratio_index(key) >= 0) {
            if (!json_object_object_get_ex(acc, key, NULL))
                json_object_object_add(acc, key, NULL); /* keeps the member order; set at the end */
        } else if (strcmp(key, "failure_causes_by_reason") == 0 && json_object_is_type(val, json_type_object)) {
            json_object *a = NULL;
            if (!json_object_object_get_ex(acc, key, &a) || !json_object_is_type(a, json_type_object)) {
                a = json_object_new_object();
                json_object_object_add(acc, key, a);
            }
            _sum_capped(a, val, REP_BD_CAP);
        } else {
            _sum_member(acc, key, val);
        }
    }
    int64_t sessions = _int(m, "session_attempts"), not_answered = 0, redirected = 0, seer_failures = 0;
    json_object *fc = NULL, *v = NULL;
    if (json_object_object_get_ex(m, "failure_causes", &fc) && json_object_is_type(fc, json_type_object)) {
        json_object_object_foreach(fc, code, n) {
            int64_t c = json_object_get_int64(n);
            int status = atoi(code); /* "none": 0 */
            not_answered += c;
            if (status >= 300 && status < 400)
                redirected += c;
            if (status == 480 || status == 486 || status == 600 || status == 603)
                seer_failures += c;
        }
    }
    int64_t answered = sessions - not_answered, effective = sessions - redirected;
    if (answered >= 0 && effective >= 0) {
        _ratio_add(&r[R_SER], (double)answered, effective, 1);
        _ratio_add(&r[R_SEER], (double)(answered + seer_failures), effective, 1);
        _ratio_add(&r[R_ASR], (double)answered, sessions, 1);
    } else { /* counts that do not add up (edited by hand?): ASR from its percentage, SER/SEER left out */
        _ratio_add_pct(&r[R_ASR], json_object_object_get_ex(m, "ASR", &v) ? v : NULL, sessions);
        r[R_SER].approx = r[R_SEER].approx = r[R_ASR].approx = 1;
    }
    static const int from_pct[] = {R_ISA, R_SCR, R_NER};
    for (size_t i = 0; i < sizeof from_pct / sizeof from_pct[0]; i++)
        _ratio_add_pct(&r[from_pct[i]], json_object_object_get_ex(m, _ratio_names[from_pct[i]], &v) ? v : NULL,
                       sessions);
    if (rs && json_object_is_type(rs, json_type_object)) {
        int64_t ineffective = _int(rs, "no_response");
        json_object *codes = NULL;
        if (json_object_object_get_ex(rs, "failed_by_code", &codes) && json_object_is_type(codes, json_type_object)) {
            json_object_object_foreach(codes, code, n) {
                if (atoi(code) >= 400)
                    ineffective += json_object_get_int64(n);
            }
        }
        _ratio_add(&r[R_IRA], (double)ineffective, _int(rs, "attempted"), 1);
    } else if (json_object_object_get_ex(m, "IRA", &v) && v) {
        r[R_IRA].approx = 1; /* no attempt count to weigh it by: left out */
    }
}

static void _metrics_finish(json_object *acc, const _ratio *r)
{
    json_object *approx = json_object_new_array();
    _finish_dists(acc);
    for (int i = 0; i < R__COUNT; i++) {
        if (!json_object_object_get_ex(acc, _ratio_names[i], NULL))
            continue;
        json_object_object_add(acc, _ratio_names[i], _ratio_json(&r[i]));
        if (r[i].approx)
            json_object_array_add(approx, json_object_new_string(_ratio_names[i]));
    }
    json_object *other = NULL, *by_reason = NULL;
    if (json_object_object_get_ex(acc, "failure_causes_by_reason", &by_reason) &&
        json_object_object_get_ex(by_reason, "other", &other)) { /* "other" last */
        json_object_get(other);
        json_object_object_del(by_reason, "other");
        json_object_object_add(by_reason, "other", other);
    }
    if (json_object_array_length(approx))
        json_object_object_add(acc, "approximate_ratios", approx);
    else
        json_object_put(approx);
}

/* ---- breakdowns ---- */

static const char *const _bd_names[] = {"by_caller", "by_callee", "by_endpoint", "by_user_agent"};
#define NBD (sizeof _bd_names / sizeof _bd_names[0])

typedef struct _bd_acc {
    json_object *keys;  /* key -> entry accumulator */
    json_object *other; /* entry accumulator */
    int64_t overflow_calls;
    int seen;
} _bd_acc;

/* Entry accumulator: attempted, answered, "_ner" (numerator, estimated
 * when "_ner_approx"), setup_ms and pdd_ms distribution accumulators. */
static json_object *_bd_entry_new(void)
{
    json_object *e = json_object_new_object();
    _set_int(e, "attempted", 0);
    _set_int(e, "answered", 0);
    _set_dbl(e, "_ner", 0);
    _set_int(e, "_ner_approx", 0);
    for (int i = 0; i < 2; i++) {
        json_object *d = json_object_new_object();
        _set_int(d, "count", 0);
        json_object_object_add(e, i ? "pdd_ms" : "setup_ms", d);
    }
    return e;
}

/* Adds a breakdown entry of an input (top[] element or "other") to acc. */
static void _bd_entry_add(json_object *acc, json_object *src)
{
    int64_t att = _int(src, "attempted");
    json_object *v = NULL, *d = NULL;
    _set_int(acc, "attempted", _int(acc, "attempted") + att);
    _set_int(acc, "answered", _int(acc, "answered") + _int(src, "answered"));
    _ratio r = {0, 0, 0};
    _ratio_add_pct(&r, json_object_object_get_ex(src, "NER", &v) ? v : NULL, att);
    _set_dbl(acc, "_ner", _dbl(acc, "_ner") + r.num);
    _set_int(acc, "_ner_approx", _int(acc, "_ner_approx") | r.approx);
    for (int i = 0; i < 2; i++) {
        const char *k = i ? "pdd_ms" : "setup_ms";
        if (json_object_object_get_ex(src, k, &v) && _is_dist(v) && json_object_object_get_ex(acc, k, &d))
            _dist_add(d, v);
    }
}

static void _bd_entry_merge(json_object *to, json_object *from)
{
    json_object *a = NULL, *b = NULL;
    _set_int(to, "attempted", _int(to, "attempted") + _int(from, "attempted"));
    _set_int(to, "answered", _int(to, "answered") + _int(from, "answered"));
    _set_dbl(to, "_ner", _dbl(to, "_ner") + _dbl(from, "_ner"));
    _set_int(to, "_ner_approx", _int(to, "_ner_approx") | _int(from, "_ner_approx"));
    for (int i = 0; i < 2; i++) {
        const char *k = i ? "pdd_ms" : "setup_ms";
        if (json_object_object_get_ex(to, k, &a) && json_object_object_get_ex(from, k, &b))
            _dist_acc_merge(a, b);
    }
}

/* The entry as breakdown.c writes it (key NULL: "other"). */
static json_object *_bd_entry_json(json_object *e, const char *key)
{
    int64_t att = _int(e, "attempted"), ans = _int(e, "answered");
    json_object *o = json_object_new_object(), *d = NULL;
    if (key)
        json_object_object_add(o, "key", json_object_new_string(key));
    _set_int(o, "attempted", att);
    _set_int(o, "answered", ans);
    _set_int(o, "failed", att - ans);
    _ratio ner = {_dbl(e, "_ner"), att > 0 ? (uint64_t)att : 0, 0};
    json_object_object_add(o, "ASR", att > 0 && ans >= 0 ? rep_json_pct((uint64_t)ans, (uint64_t)att) : NULL);
    json_object_object_add(o, "NER", _ratio_json(&ner));
    for (int i = 0; i < 2; i++) {
        const char *k = i ? "pdd_ms" : "setup_ms";
        if (!json_object_object_get_ex(e, k, &d))
            continue;
        _dist_finish(d);
        for (size_t p = 0; p < NPCTS; p++)
            if (!json_object_object_get_ex(d, _pcts[p], NULL))
                json_object_object_add(d, _pcts[p], NULL);
        json_object_object_add(o, k, json_object_get(d));
    }
    if (_int(e, "_ner_approx")) {
        json_object *a = json_object_new_array();
        json_object_array_add(a, json_object_new_string("NER"));
        json_object_object_add(o, "approximate_ratios", a);
    }
    return o;
}

/* Adds one input's breakdown b into acc. */
static void _bd_into(_bd_acc *acc, json_object *b)
{
    json_object *top = NULL, *other = NULL;
    acc->seen = 1;
    acc->overflow_calls += _int(b, "overflow_calls");
    if (json_object_object_get_ex(b, "top", &top) && json_object_is_type(top, json_type_array))
        for (size_t i = 0; i < json_object_array_length(top); i++) {
            json_object *t = json_object_array_get_idx(top, i), *k = NULL, *e = NULL;
            if (!json_object_is_type(t, json_type_object) || !json_object_object_get_ex(t, "key", &k) ||
                !json_object_is_type(k, json_type_string))
                continue;
            const char *key = json_object_get_string(k);
            if (!json_object_object_get_ex(acc->keys, key, &e)) {
                if ((size_t)json_object_object_length(acc->keys) < REP_BD_CAP) {
                    e = _bd_entry_new();
                    json_object_object_add(acc->keys, key, e);
                } else {
                    e = acc->other;
                    acc->overflow_calls += _int(t, "attempted");
                }
            }
            _bd_entry_add(e, t);
        }
    if (json_object_object_get_ex(b, "other", &other) && json_object_is_type(other, json_type_object))
        _bd_entry_add(acc->other, other);
}

typedef struct _bd_sorted {
    const char *key;
    json_object *e;
} _bd_sorted;

static int _bd_cmp(const void *x, const void *y)
{
    const _bd_sorted *a = x, *b = y;
    int64_t na = _int(a->e, "attempted"), nb = _int(b->e, "attempted");
    if (na != nb)
        return na > nb ? -1 : 1;
    return strcmp(a->key, b->key); /* ties by key, as breakdown.c */
}

/* The merged breakdown as breakdown.c writes it; NULL when out of memory. */
static json_object *_bd_json(_bd_acc *acc)
{
    size_t n = (size_t)json_object_object_length(acc->keys);
    _bd_sorted *all = malloc((n ? n : 1) * sizeof *all);
    if (all == NULL)
        return NULL;
    size_t i = 0;
    json_object_object_foreach(acc->keys, key, e) {
        all[i].key = key;
        all[i++].e = e;
    }
    qsort(all, n, sizeof *all, _bd_cmp);
    json_object *o = json_object_new_object(), *top = json_object_new_array();
    _set_int(o, "cap", REP_BD_CAP);
    _set_int(o, "keys", (int64_t)n);
    _set_int(o, "overflow_calls", acc->overflow_calls);
    for (i = 0; i < n; i++)
        if (i < REP_BD_TOP)
            json_object_array_add(top, _bd_entry_json(all[i].e, all[i].key));
        else
            _bd_entry_merge(acc->other, all[i].e);
    json_object_object_add(o, "top", top);
    json_object_object_add(o, "other", _int(acc->other, "attempted") ? _bd_entry_json(acc->other, NULL) : NULL);
    free(all);
    return o;
}

/* ---- arrays spooled to temporary files ---- */

typedef struct _spool {
    FILE *f;
    uint64_t n;
    int seen;
} _spool;

static void _spool_add(_spool *sp, json_object *elem)
{
    fprintf(sp->f, "%s\n%s", sp->n++ ? "," : "", json_object_to_json_string_ext(elem, _flags));
}

/* Spools every object of arr with "source": {"input": input}. */
static void _spool_array(_spool *sp, json_object *arr, size_t input)
{
    if (!json_object_is_type(arr, json_type_array))
        return;
    sp->seen = 1;
    for (size_t k = 0; k < json_object_array_length(arr); k++) {
        json_object *e = json_object_array_get_idx(arr, k), *src;
        if (!json_object_is_type(e, json_type_object))
            continue;
        src = json_object_new_object();
        _set_int(src, "input", (int64_t)input);
        json_object_object_add(e, "source", src);
        _spool_add(sp, e);
    }
}

/* Writes "name":[...] from the spool (leading ",\n" unless first). */
static void _spool_copy(FILE *out, const char *name, _spool *sp)
{
    char buf[8192];
    size_t n;
    fprintf(out, "\"%s\":[", name);
    rewind(sp->f);
    while ((n = fread(buf, 1, sizeof buf, sp->f)) > 0)
        fwrite(buf, 1, n, out);
    fputs("\n]", out);
}

/* Spools the dialogs of input number input, renumbered after *ndialogs;
 * related[] ids follow their dialogs. */
static void _dialogs_into(_spool *sp, json_object *dialogs, size_t input, uint64_t *ndialogs)
{
    json_object *ids = json_object_new_object(); /* old id -> new id */
    uint64_t next = *ndialogs;
    char k[32];
    for (size_t i = 0; i < json_object_array_length(dialogs); i++) {
        json_object *d = json_object_array_get_idx(dialogs, i);
        if (!json_object_is_type(d, json_type_object))
            continue;
        snprintf(k, sizeof k, "%lld", (long long)_int(d, "id"));
        ++next;
        if (!json_object_object_get_ex(ids, k, NULL))
            _set_int(ids, k, (int64_t)next);
    }
    for (size_t i = 0; i < json_object_array_length(dialogs); i++) {
        json_object *d = json_object_array_get_idx(dialogs, i), *rel = NULL, *to = NULL;
        if (!json_object_is_type(d, json_type_object))
            continue;
        json_object *src = json_object_new_object();
        _set_int(src, "input", (int64_t)input);
        _set_int(src, "id", _int(d, "id"));
        json_object_object_add(d, "source", src);
        _set_int(d, "id", (int64_t)++*ndialogs);
        if (json_object_object_get_ex(d, "related", &rel) && json_object_is_type(rel, json_type_array)) {
            json_object *now = json_object_new_array();
            for (size_t r = 0; r < json_object_array_length(rel); r++) {
                snprintf(k, sizeof k, "%lld", (long long)json_object_get_int64(json_object_array_get_idx(rel, r)));
                if (json_object_object_get_ex(ids, k, &to))
                    json_object_array_add(now, json_object_get(to));
            }
            if (json_object_array_length(now))
                json_object_object_add(d, "related", now);
            else {
                json_object_put(now);
                json_object_object_del(d, "related");
            }
        }
        _spool_add(sp, d);
    }
    json_object_put(ids);
}

static int _usage(void)
{
    fputs("usage: sipscope merge REPORT.json REPORT.json ... [-o OUT.json] [--no-dialogs]\n", stderr);
    return 2;
}

/* The document's error, or NULL when it is a sipscope-report/1. */
static const char *_check(json_object *doc)
{
    json_object *v = NULL;
    if (doc == NULL || !json_object_is_type(doc, json_type_object))
        return "not a JSON object";
    if (!json_object_object_get_ex(doc, "schema", &v) || !json_object_is_type(v, json_type_string) ||
        strcmp(json_object_get_string(v), "sipscope-report/1") != 0)
        return "not a sipscope-report/1 document (no \"schema\": \"sipscope-report/1\")";
    if (!json_object_object_get_ex(doc, "summary", &v) || !json_object_is_type(v, json_type_object))
        return "no summary object (report not finished?)";
    if (!json_object_object_get_ex(doc, "stats", &v) || !json_object_is_type(v, json_type_object))
        return "no stats object";
    if (json_object_object_get_ex(doc, "dialogs", &v) && !json_object_is_type(v, json_type_array))
        return "dialogs is not an array";
    return NULL;
}

/* A path for a one-line message: controls replaced. */
static const char *_safe(const char *path, char *buf, size_t n)
{
    rep_term_clean(path, strlen(path), 1, buf, n);
    return buf;
}

/* See outputs.h. */
int rep_merge_main(int argc, char **argv)
{
    const char *outpath = NULL;
    int no_dialogs = 0, rc = 2;
    char **in = calloc((size_t)(argc > 0 ? argc : 1), sizeof *in);
    size_t nin = 0;
    char sbuf[512];

    if (in == NULL) {
        fputs("sipscope merge: out of memory\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc) {
                free(in);
                return _usage();
            }
            outpath = argv[++i];
        } else if (strcmp(argv[i], "--no-dialogs") == 0) {
            no_dialogs = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            free(in);
            _usage();
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "sipscope merge: unknown option %s\n", _safe(argv[i], sbuf, sizeof sbuf));
            free(in);
            return _usage();
        } else {
            in[nin++] = argv[i];
        }
    }
    if (nin == 0) {
        free(in);
        return _usage();
    }

    json_object *summary = json_object_new_object(), *stats = json_object_new_object();
    json_object *anomalies = json_object_new_object(), *inputs = json_object_new_array();
    json_object *from = json_object_new_array(), *metrics = json_object_new_object();
    /* each input's "filter" (or null), by input index: a merged report's
     * dialogs were chosen by the filter of the input each came from */
    json_object *filters = json_object_new_array();
    int any_filter = 0;
    /* summed sections, in output order after metrics and breakdowns */
    static const char *const sums[] = {"registration_summary", "subscription_summary", "subscriptions_by_event",
                                       "conversation_summary"};
    enum { NSUMS = sizeof sums / sizeof sums[0] };
    json_object *summed[NSUMS];
    int summed_seen[NSUMS] = {0}, metrics_seen = 0, encrypted_seen = 0;
    _ratio ratios[R__COUNT];
    _bd_acc bd[NBD];
    /* spooled arrays: dialogs, encrypted.tls_flows, then these */
    static const char *const lists[] = {"registrations", "subscriptions", "watchers"};
    enum { NLISTS = sizeof lists / sizeof lists[0] };
    _spool dlg = {tmpfile(), 0, 1}, tls = {tmpfile(), 0, 0}, list[NLISTS];
    int64_t tls_not_listed = 0, regs_not_listed = 0, subs_not_listed = 0;
    FILE *out = NULL;
    uint64_t ndialogs = 0;
    int spools_ok = dlg.f && tls.f;

    memset(ratios, 0, sizeof ratios);
    for (size_t s = 0; s < NSUMS; s++)
        summed[s] = json_object_new_object();
    for (size_t b = 0; b < NBD; b++) {
        bd[b].keys = json_object_new_object();
        bd[b].other = _bd_entry_new();
        bd[b].overflow_calls = 0;
        bd[b].seen = 0;
    }
    for (size_t l = 0; l < NLISTS; l++) {
        list[l].f = tmpfile();
        list[l].n = 0;
        list[l].seen = 0;
        spools_ok = spools_ok && list[l].f;
    }
    if (!spools_ok) {
        fprintf(stderr, "sipscope merge: cannot create a temporary file: %s\n", strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < nin; i++) {
        json_object *doc = json_object_from_file(in[i]), *v = NULL, *rs = NULL;
        const char *why = doc ? _check(doc) : json_util_get_last_err();
        if (why != NULL) {
            char w[256];
            rep_term_clean(why, strcspn(why, "\n"), 1, w, sizeof w);
            fprintf(stderr, "sipscope merge: %s: %s\n", _safe(in[i], sbuf, sizeof sbuf),
                    doc ? w : (w[0] ? w : "cannot read JSON"));
            json_object_put(doc);
            goto done;
        }
        json_object_array_add(from, json_object_new_string(in[i]));
        if (json_object_object_get_ex(doc, "filter", &v) && json_object_is_type(v, json_type_object)) {
            any_filter = 1;
            json_object_array_add(filters, json_object_get(v));
        } else {
            json_object_array_add(filters, NULL);
        }
        json_object_object_get_ex(doc, "summary", &v);
        _summary_into(summary, v, inputs);
        json_object_object_get_ex(doc, "stats", &v);
        _sum_into(stats, v);
        if (json_object_object_get_ex(doc, "anomalies", &v) && json_object_is_type(v, json_type_object))
            _sum_into(anomalies, v);
        for (size_t s = 0; s < NSUMS; s++)
            if (json_object_object_get_ex(doc, sums[s], &v) && json_object_is_type(v, json_type_object)) {
                summed_seen[s] = 1;
                _sum_into(summed[s], v);
            }
        if (json_object_object_get_ex(doc, "metrics", &v) && json_object_is_type(v, json_type_object)) {
            metrics_seen = 1;
            json_object_object_get_ex(doc, "registration_summary", &rs);
            _metrics_into(metrics, ratios, v, rs);
        }
        if (json_object_object_get_ex(doc, "breakdowns", &v) && json_object_is_type(v, json_type_object))
            for (size_t b = 0; b < NBD; b++) {
                json_object *one = NULL;
                if (json_object_object_get_ex(v, _bd_names[b], &one) && json_object_is_type(one, json_type_object))
                    _bd_into(&bd[b], one);
            }
        if (json_object_object_get_ex(doc, "encrypted", &v) && json_object_is_type(v, json_type_object)) {
            json_object *flows = NULL;
            encrypted_seen = 1;
            tls_not_listed += _int(v, "tls_flows_not_listed");
            if (json_object_object_get_ex(v, "tls_flows", &flows))
                _spool_array(&tls, flows, i);
        }
        for (size_t l = 0; l < NLISTS; l++)
            if (json_object_object_get_ex(doc, lists[l], &v))
                _spool_array(&list[l], v, i);
        regs_not_listed += _int(doc, "registrations_not_listed");
        subs_not_listed += _int(doc, "subscriptions_not_listed");
        if (!no_dialogs && json_object_object_get_ex(doc, "dialogs", &v))
            _dialogs_into(&dlg, v, i, &ndialogs);
        json_object_put(doc);
    }

    /* what is not a plain sum */
    json_object *calls = NULL;
    if (json_object_object_get_ex(stats, "calls", &calls) && calls) {
        int64_t total = _int(calls, "total"), ans = _int(calls, "answered");
        json_object_object_add(calls, "asr", total ? json_object_new_double((double)ans / (double)total) : NULL);
    }
    _finish_dists(stats);
    _metrics_finish(metrics, ratios);
    json_object_object_add(summary, "inputs", json_object_get(inputs));
    if (nin > 1)
        json_object_object_add(summary, "call_ids_exact", json_object_new_boolean(0));

    if (outpath == NULL || strcmp(outpath, "-") == 0)
        out = stdout;
    else if ((out = fopen(outpath, "w")) == NULL) {
        fprintf(stderr, "sipscope merge: %s: %s\n", _safe(outpath, sbuf, sizeof sbuf), strerror(errno));
        goto done;
    }
    fprintf(out, "{\"schema\":\"sipscope-report/1\",\"generator\":{\"name\":\"sipscope\",\"version\":\"%s\"},\n",
            SIPSCOPE_VERSION);
    fprintf(out, "\"merged_from\":%s,\n", json_object_to_json_string_ext(from, _flags));
    if (any_filter)
        fprintf(out, "\"filters\":%s,\n", json_object_to_json_string_ext(filters, _flags));
    _spool_copy(out, "dialogs", &dlg);
    if (encrypted_seen) {
        fputs(",\n\"encrypted\":{", out);
        _spool_copy(out, "tls_flows", &tls);
        fprintf(out, ",\"tls_flows_not_listed\":%lld}", (long long)tls_not_listed);
    }
    fprintf(out, ",\n\"summary\":%s", json_object_to_json_string_ext(summary, _flags));
    fprintf(out, ",\n\"stats\":%s", json_object_to_json_string_ext(stats, _flags));
    fprintf(out, ",\n\"anomalies\":%s", json_object_to_json_string_ext(anomalies, _flags));
    if (metrics_seen)
        fprintf(out, ",\n\"metrics\":%s", json_object_to_json_string_ext(metrics, _flags));
    int any_bd = 0;
    for (size_t b = 0; b < NBD; b++)
        any_bd |= bd[b].seen;
    if (any_bd) {
        fputs(",\n\"breakdowns\":{", out);
        for (size_t b = 0, first = 1; b < NBD; b++) {
            if (!bd[b].seen)
                continue;
            json_object *o = _bd_json(&bd[b]);
            fprintf(out, "%s\"%s\":%s", first ? "" : ",", _bd_names[b],
                    o ? json_object_to_json_string_ext(o, _flags) : "null");
            json_object_put(o);
            first = 0;
        }
        fputc('}', out);
    }
    for (size_t s = 0; s < 2; s++) /* the two attempt summaries */
        if (summed_seen[s])
            fprintf(out, ",\n\"%s\":%s", sums[s], json_object_to_json_string_ext(summed[s], _flags));
    for (size_t l = 0; l < NLISTS; l++) {
        if (!list[l].seen)
            continue;
        fputs(",\n", out);
        _spool_copy(out, lists[l], &list[l]);
        if (l == 0 && regs_not_listed)
            fprintf(out, ",\n\"registrations_not_listed\":%lld", (long long)regs_not_listed);
        if (l == 1 && subs_not_listed)
            fprintf(out, ",\n\"subscriptions_not_listed\":%lld", (long long)subs_not_listed);
    }
    for (size_t s = 2; s < NSUMS; s++)
        if (summed_seen[s])
            fprintf(out, ",\n\"%s\":%s", sums[s], json_object_to_json_string_ext(summed[s], _flags));
    fputs("}\n", out);
    rc = 0;
    if (ferror(out) || ferror(dlg.f) || ferror(tls.f))
        rc = 2;
    for (size_t l = 0; l < NLISTS; l++)
        if (ferror(list[l].f))
            rc = 2;
    int is_stdout = out == stdout;
    if (is_stdout ? fflush(out) != 0 : fclose(out) != 0)
        rc = 2;
    if (rc)
        fprintf(stderr, "sipscope merge: %s: write error\n", outpath ? _safe(outpath, sbuf, sizeof sbuf) : "stdout");

done:
    if (dlg.f)
        fclose(dlg.f);
    if (tls.f)
        fclose(tls.f);
    for (size_t l = 0; l < NLISTS; l++)
        if (list[l].f)
            fclose(list[l].f);
    for (size_t s = 0; s < NSUMS; s++)
        json_object_put(summed[s]);
    for (size_t b = 0; b < NBD; b++) {
        json_object_put(bd[b].keys);
        json_object_put(bd[b].other);
    }
    json_object_put(summary);
    json_object_put(stats);
    json_object_put(anomalies);
    json_object_put(metrics);
    json_object_put(inputs);
    json_object_put(from);
    json_object_put(filters);
    free(in);
    return rc;
}
