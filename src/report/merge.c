/* merge.c - `sipscope merge a.json b.json ... [-o out.json] [--no-dialogs]`:
 * several sipscope-report/1 documents into one.
 *
 * What is combined how:
 *   - integer counters (summary, stats maps, anomalies) are summed,
 *     nested maps (final_by_method) member by member;
 *   - stats.calls outcome counts are summed and asr recomputed;
 *   - distributions (objects with a "count": setup_ms, pdd_ms,
 *     duration_ms, response_ms.<METHOD>) combine count, min and max
 *     exactly and avg as the count-weighted mean (each input's avg is
 *     rounded to the ms); percentiles cannot be combined from percentiles,
 *     so they become count-weighted means and the distribution gets
 *     "approximate": true;
 *   - summary.first/last are the earliest/latest, summary.inputs are
 *     concatenated; summary.call_ids is summed, which counts a Call-ID seen
 *     in two inputs twice, so call_ids_exact becomes false when merging
 *     more than one document;
 *   - dialogs[] are concatenated in input order, renumbered from 1; each
 *     keeps "source": {"input": index into merged_from, "id": its old id}.
 * Each input is parsed whole, one at a time; dialogs go to a temporary
 * file so a bad input found late leaves no half-written output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outputs.h"

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
 * until _dist_finish. */
static void _dist_add(json_object *acc, json_object *src)
{
    int64_t n = _int(src, "count"), an = _int(acc, "count");
    if (n == 0)
        return;
    json_object *v;
    if (an == 0 || (json_object_object_get_ex(src, "min", &v) && _int(src, "min") < _int(acc, "min")))
        _set_int(acc, "min", _int(src, "min"));
    if (an == 0 || _int(src, "max") > _int(acc, "max"))
        _set_int(acc, "max", _int(src, "max"));
    _set_int(acc, "count", an + n);
    _set_dbl(acc, "_wavg", _dbl(acc, "_wavg") + _dbl(src, "avg") * (double)n);
    for (size_t i = 0; i < NPCTS; i++) {
        char k[16];
        snprintf(k, sizeof k, "_w%s", _pcts[i]);
        _set_dbl(acc, k, _dbl(acc, k) + _dbl(src, _pcts[i]) * (double)n);
    }
    _set_int(acc, "_inputs", _int(acc, "_inputs") + 1);
}

static void _dist_finish(json_object *d)
{
    int64_t n = _int(d, "count");
    int approx = _int(d, "_inputs") > 1;
    if (n > 0) {
        _set_int(d, "avg", (int64_t)(_dbl(d, "_wavg") / (double)n + 0.5));
        for (size_t i = 0; i < NPCTS; i++) {
            char k[16];
            snprintf(k, sizeof k, "_w%s", _pcts[i]);
            _set_int(d, _pcts[i], (int64_t)(_dbl(d, k) / (double)n + 0.5));
            json_object_object_del(d, k);
        }
    }
    json_object_object_del(d, "_wavg");
    json_object_object_del(d, "_inputs");
    if (approx)
        json_object_object_add(d, "approximate", json_object_new_boolean(1));
}

/* Sums src into acc: ints added, objects merged recursively,
 * distributions combined; other values keep the first one seen. */
static void _sum_into(json_object *acc, json_object *src)
{
    json_object_object_foreach(src, key, val) {
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
    json_object *from = json_object_new_array();
    FILE *dlg = tmpfile(), *out = NULL;
    uint64_t ndialogs = 0;

    if (dlg == NULL) {
        fprintf(stderr, "sipscope merge: cannot create a temporary file: %s\n", strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < nin; i++) {
        json_object *doc = json_object_from_file(in[i]), *v = NULL;
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
        json_object_object_get_ex(doc, "summary", &v);
        _summary_into(summary, v, inputs);
        json_object_object_get_ex(doc, "stats", &v);
        _sum_into(stats, v);
        if (json_object_object_get_ex(doc, "anomalies", &v) && json_object_is_type(v, json_type_object))
            _sum_into(anomalies, v);
        if (!no_dialogs && json_object_object_get_ex(doc, "dialogs", &v)) {
            for (size_t k = 0; k < json_object_array_length(v); k++) {
                json_object *d = json_object_array_get_idx(v, k), *src = json_object_new_object();
                if (!json_object_is_type(d, json_type_object)) {
                    json_object_put(src);
                    continue;
                }
                json_object_object_add(src, "input", json_object_new_int64((int64_t)i));
                json_object_object_add(src, "id", json_object_new_int64(_int(d, "id")));
                json_object_object_add(d, "source", src);
                _set_int(d, "id", (int64_t)++ndialogs);
                fprintf(dlg, "%s\n%s", ndialogs > 1 ? "," : "", json_object_to_json_string_ext(d, _flags));
            }
        }
        json_object_put(doc);
    }

    /* what is not a plain sum */
    json_object *calls = NULL;
    if (json_object_object_get_ex(stats, "calls", &calls) && calls) {
        int64_t total = _int(calls, "total"), ans = _int(calls, "answered");
        json_object_object_add(calls, "asr", total ? json_object_new_double((double)ans / (double)total) : NULL);
    }
    _finish_dists(stats);
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
    fprintf(out, "\"merged_from\":%s,\n\"dialogs\":[", json_object_to_json_string_ext(from, _flags));
    rewind(dlg);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, dlg)) > 0)
        fwrite(buf, 1, n, out);
    fprintf(out, "\n],\n\"summary\":%s,\n", json_object_to_json_string_ext(summary, _flags));
    fprintf(out, "\"stats\":%s,\n", json_object_to_json_string_ext(stats, _flags));
    fprintf(out, "\"anomalies\":%s}\n", json_object_to_json_string_ext(anomalies, _flags));
    rc = 0;
    if (ferror(out) || ferror(dlg))
        rc = 2;
    int is_stdout = out == stdout;
    if (is_stdout ? fflush(out) != 0 : fclose(out) != 0)
        rc = 2;
    if (rc)
        fprintf(stderr, "sipscope merge: %s: write error\n", outpath ? _safe(outpath, sbuf, sizeof sbuf) : "stdout");

done:
    if (dlg)
        fclose(dlg);
    json_object_put(summary);
    json_object_put(stats);
    json_object_put(anomalies);
    json_object_put(inputs);
    json_object_put(from);
    free(in);
    return rc;
}
