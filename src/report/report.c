/* report.c - the report context: routes correlated messages and finished
 * records to the statistics, the ladder printer, the --messages TSV and the
 * streaming JSON report.
 *
 * The JSON document is written as it goes: the head and each dialog when
 * its record finishes, the summary and statistics at the end. Nothing of a
 * finished record is kept, so memory does not grow with the capture. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detail_int.h"
#include "outputs.h"
#include "report_int.h"

#define REP_JSON_BUF (256 * 1024) /* the JSON report file's stdio buffer */

struct rep_ctx {
    rep_config cfg;
    rep_stats stats;
    rep_metrics metrics; /* RFC 6076 (metrics.c) */
    rep_breakdowns bd;   /* per caller / callee / endpoint / UA (breakdown.c) */
    rep_conv *conv;      /* registrations per AOR, subscriptions (conv.c) */
    FILE *json;
    char *json_buf;           /* its stdio buffer (REP_JSON_BUF bytes) */
    int json_is_stdout;
    uint64_t json_dialogs;
    rep_jw *jw;               /* dialog text for the JSON report */
    int write_error;
    rep_html *html;
    rep_markdown *md;
    rep_junit *junit;
    FILE *svg, *mermaid, *plantuml;
    int svg_done;
    rep_gate **gates;
    size_t ngates;
    rep_filter *filters;   /* --filter: records shown (filter.c) */
    size_t nfilters;
    int64_t origin_us;     /* first SIP message, for --filter offsets */
    int have_origin;
    int gates_held;
};

/* Opens an output file; "-" is stdout (not closed later). */
static FILE *_open_file(const char *path, char *errbuf, size_t errlen, int *err)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        *err = errno;
        snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
    }
    return f;
}

static void _close_file(FILE *f)
{
    if (f && f != stdout)
        fclose(f);
}

static const int _json_flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

int rep_create(rep_ctx **out, const rep_config *cfg, char *errbuf, size_t errlen)
{
    *out = NULL;
    rep_ctx *r = calloc(1, sizeof *r);
    if (r == NULL || rep_stats_init(&r->stats) < 0) {
        free(r);
        snprintf(errbuf, errlen, "out of memory");
        return ENOMEM;
    }
    r->cfg = *cfg;
    r->stats.metrics = &r->metrics;
    if (cfg->nfilter) {
        if ((r->filters = calloc(cfg->nfilter, sizeof *r->filters)) == NULL) {
            rep_destroy(r);
            snprintf(errbuf, errlen, "out of memory");
            return ENOMEM;
        }
        for (size_t i = 0; i < cfg->nfilter; i++)
            if (rep_filter_parse(&r->filters[i], cfg->filter[i], errbuf, errlen) != 0) {
                rep_destroy(r);
                return EINVAL;
            }
        r->nfilters = cfg->nfilter;
    }
    rep_breakdowns_init(&r->bd, REP_BD_CAP);
    if ((r->conv = rep_conv_new()) == NULL) {
        rep_destroy(r);
        snprintf(errbuf, errlen, "out of memory");
        return ENOMEM;
    }
    if (cfg->json_path) {
        if (strcmp(cfg->json_path, "-") == 0) {
            r->json = stdout;
            r->json_is_stdout = 1;
        } else if ((r->json = fopen(cfg->json_path, "w")) == NULL) {
            int e = errno;
            snprintf(errbuf, errlen, "%s: cannot write JSON report: %s", cfg->json_path, strerror(e));
            rep_destroy(r);
            return e;
        } else if ((r->json_buf = malloc(REP_JSON_BUF)) != NULL) {
            /* a dialog's text is ~3 KB: with stdio's 4 KiB buffer nearly
             * every dialog was a write(2) of its own (14,000 for udp-20k);
             * glibc takes no size without a buffer */
            setvbuf(r->json, r->json_buf, _IOFBF, REP_JSON_BUF);
        }
        if ((r->jw = rep_jw_new()) == NULL) {
            rep_destroy(r);
            snprintf(errbuf, errlen, "out of memory");
            return ENOMEM;
        }
        fprintf(r->json, "{\"schema\":\"sipscope-report/1\",\"generator\":{\"name\":\"sipscope\","
                         "\"version\":\"%s\"},\n",
                SIPSCOPE_VERSION);
        if (r->nfilters) {
            /* said up front: dialogs[] below is a selection, the figures after it are not */
            json_object *f = json_object_new_object(), *ex = json_object_new_array();
            for (size_t i = 0; i < r->nfilters; i++)
                json_object_array_add(ex, rep_json_string(r->filters[i].text));
            json_object_object_add(f, "expressions", ex);
            json_object_object_add(f, "applies_to", json_object_new_string("dialogs"));
            fprintf(r->json, "\"filter\":%s,\n", json_object_to_json_string_ext(f, _json_flags));
            json_object_put(f);
        }
        fprintf(r->json, "\"dialogs\":[");
    }
    int e = 0;
    for (size_t i = 0; i < cfg->nfail_if; i++) {
        if (r->gates == NULL && (r->gates = calloc(cfg->nfail_if, sizeof *r->gates)) == NULL) {
            rep_destroy(r);
            snprintf(errbuf, errlen, "out of memory");
            return ENOMEM;
        }
        char gerr[256];
        if (rep_gate_parse(&r->gates[r->ngates], cfg->fail_if[i], gerr, sizeof gerr) != 0) {
            snprintf(errbuf, errlen, "%s", gerr);
            rep_destroy(r);
            return EINVAL;
        }
        r->ngates++;
    }
    if ((cfg->html_path && rep_html_open(&r->html, cfg->html_path, &cfg->ladder_opts, errbuf, errlen) != 0) ||
        (cfg->markdown_path && rep_markdown_open(&r->md, cfg->markdown_path, errbuf, errlen) != 0) ||
        (cfg->junit_path &&
         rep_junit_open(&r->junit, cfg->junit_path, cfg->suite_name ? cfg->suite_name : "sipscope", errbuf,
                        errlen) != 0) ||
        (cfg->svg_path && (r->svg = _open_file(cfg->svg_path, errbuf, errlen, &e)) == NULL) ||
        (cfg->mermaid_path && (r->mermaid = _open_file(cfg->mermaid_path, errbuf, errlen, &e)) == NULL) ||
        (cfg->plantuml_path && (r->plantuml = _open_file(cfg->plantuml_path, errbuf, errlen, &e)) == NULL)) {
        rep_destroy(r);
        return e ? e : EIO;
    }
    if (cfg->messages_out)
        fprintf(cfg->messages_out, "#frame\ttime\tsrc\tdst\ttransport\ttype\tmethod\tstatus\tcall_id\t"
                                   "cseq\tcseq_method\tretrans\n");
    *out = r;
    return 0;
}

/* Call-ID as one TSV field: no tabs, line ends or other controls. */
static void _tsv_field(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f ? ' ' : c, out);
    }
}

void rep_message(rep_ctx *r, const cor_msg *m, const cor_record *rec)
{
    rep_stats_message(&r->stats, m);
    if (!r->have_origin || m->ts_us < r->origin_us) {
        r->origin_us = m->ts_us;
        r->have_origin = 1;
    }
    if (r->cfg.events_out)
        rep_events_message(r->cfg.events_out, m, rec);
    FILE *t = r->cfg.messages_out;
    if (t == NULL)
        return;
    char src[SS_ADDR_STRLEN], dst[SS_ADDR_STRLEN];
    ss_addr_format(&m->src, src, sizeof src);
    ss_addr_format(&m->dst, dst, sizeof dst);
    fprintf(t, "%llu\t%lld.%06lld\t%s\t%s\t%s\t%s\t", (unsigned long long)m->frame_no,
            (long long)(m->ts_us / 1000000), (long long)(m->ts_us % 1000000), src, dst,
            dec_transport_name((dec_transport)m->transport), m->is_request ? "request" : "response");
    if (m->is_request)
        _tsv_field(t, m->method_name);
    fputc('\t', t);
    if (!m->is_request)
        fprintf(t, "%u", m->status);
    fputc('\t', t);
    _tsv_field(t, rec ? rec->call_id : "");
    if (m->defects & (SIP_DEF_MISSING_CSEQ | SIP_DEF_BAD_CSEQ)) {
        fputs("\t\t", t); /* no usable CSeq: say nothing rather than 0 */
    } else {
        fprintf(t, "\t%u\t", m->cseq);
        _tsv_field(t, m->method_name);
    }
    fprintf(t, "\t%d\n", m->retransmission ? 1 : 0);
}

void rep_record(rep_ctx *r, const cor_record *rec)
{
    rep_stats_record(&r->stats, rec);
    rep_metrics_record(&r->metrics, rec);
    rep_breakdowns_record(&r->bd, rec);
    rep_conv_record(r->conv, rec);
    if (r->cfg.events_out)
        rep_events_record(r->cfg.events_out, rec);
    /* the CI outputs judge every record; pictures follow --call-id */
    if (r->md)
        rep_markdown_record(r->md, rec);
    if (r->junit)
        rep_junit_record(r->junit, rec);
    /* --filter picks what is drawn and listed; everything above counts all */
    if (r->nfilters && !rep_filter_match(r->filters, r->nfilters, rec, r->origin_us))
        return;
    if (r->html)
        rep_html_record(r->html, rec);
    if (r->cfg.call_id && strcmp(r->cfg.call_id, rec->call_id) != 0)
        return;
    if (r->svg && !r->svg_done && (r->cfg.call_id || rec->kind == COR_KIND_CALL)) {
        rep_svg_ladder(r->svg, rec, &r->cfg.ladder_opts, 1);
        r->svg_done = 1;
    }
    if (r->mermaid)
        rep_mermaid_ladder(r->mermaid, rec, &r->cfg.ladder_opts);
    if (r->plantuml)
        rep_plantuml_ladder(r->plantuml, rec, &r->cfg.ladder_opts);
    if (r->cfg.brief)
        rep_brief_record(r->cfg.out, rec, r->cfg.ladder_opts.utf8);
    if (r->cfg.ladder) {
        rep_ladder_print(r->cfg.out, rec, &r->cfg.ladder_opts);
        fputc('\n', r->cfg.out);
    }
    if (r->json) {
        size_t len;
        rep_jw_record(r->jw, rec);
        const char *s = rep_jw_text(r->jw, &len);
        fputs(r->json_dialogs ? ",\n" : "\n", r->json);
        if (len)
            fwrite(s, 1, len, r->json);
        else /* out of memory for its text: say so in its place, not nothing */
            fprintf(r->json, "{\"id\":%llu,\"error\":\"out of memory\"}", (unsigned long long)rec->id);
        r->json_dialogs++;
    }
}

/* Writes "key":value members of obj (without braces) after a comma. */
static void _json_members(FILE *out, json_object *obj)
{
    json_object_object_foreach(obj, key, val)
    {
        json_object *k = json_object_new_string(key);
        fprintf(out, ",\n%s:%s", json_object_to_json_string_ext(k, _json_flags),
                val ? json_object_to_json_string_ext(val, _json_flags | JSON_C_TO_STRING_SPACED) : "null");
        json_object_put(k);
    }
}

void rep_snapshot(rep_ctx *r, const rep_run_info *info)
{
    char now[40];
    rep_format_time(info->last_us, now, sizeof now);
    fprintf(r->cfg.out, "== snapshot at %s (dialogs still live are not in the call figures) ==\n", now);
    rep_stats_print(r->cfg.out, &r->stats, info);
    fputc('\n', r->cfg.out);
    fflush(r->cfg.out);
}

void rep_flush(rep_ctx *r)
{
    FILE *const files[] = {r->json, r->cfg.out, r->cfg.messages_out, r->svg, r->mermaid, r->plantuml};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (files[i] != NULL)
            fflush(files[i]);
}

int rep_finish(rep_ctx *r, const rep_run_info *info)
{
    if (r->cfg.stats == REP_STATS_DEFAULT) {
        rep_stats_print(r->cfg.out, &r->stats, info);
        rep_breakdowns_print(r->cfg.out, &r->bd, r->cfg.ladder_opts.utf8);
        rep_conv_print(r->cfg.out, r->conv);
    } else if (r->cfg.stats == REP_STATS_TSHARK)
        rep_stats_print_tshark(r->cfg.out, &r->stats);

    int err = 0;
    json_object *tail = json_object_new_object();
    json_object_object_add(tail, "encrypted", rep_json_tls(info));
    json_object_object_add(tail, "summary", rep_json_summary(&r->stats, info));
    json_object_object_add(tail, "stats", rep_json_stats(&r->stats));
    json_object_object_add(tail, "anomalies", rep_json_anomalies(info));
    json_object *metrics = rep_json_metrics(&r->metrics);
    json_object_object_add(metrics, "failure_causes_by_reason", rep_json_reason_causes(&r->bd));
    json_object_object_add(tail, "metrics", metrics);
    json_object_object_add(tail, "breakdowns", rep_json_breakdowns(&r->bd));
    json_object_object_add(tail, "registration_summary", rep_json_flows(&r->metrics.reg, 0));
    json_object_object_add(tail, "subscription_summary", rep_json_flows(&r->metrics.sub, 1));
    rep_conv_json(r->conv, tail);
    if (r->html && rep_html_finish(r->html, tail) != 0)
        err = EIO;
    r->html = NULL;
    if (r->md && rep_markdown_finish(r->md, tail) != 0)
        err = EIO;
    r->md = NULL;
    if (r->junit && rep_junit_finish(r->junit, tail) != 0)
        err = EIO;
    r->junit = NULL;
    if (r->svg && !r->svg_done)
        fprintf(stderr, "sipscope: --svg: no %s to draw\n", r->cfg.call_id ? "dialog with that Call-ID" : "call");
    for (size_t i = 0; i < r->ngates; i++) {
        double v = 0;
        char gerr[256];
        int h = rep_gate_eval(r->gates[i], tail, &v, gerr, sizeof gerr);
        if (h < 0) {
            fprintf(stderr, "sipscope: --fail-if: %s\n", gerr);
            r->gates_held = -1;
        } else if (h > 0) {
            fprintf(stderr, "sipscope: --fail-if '%s' holds (value %g)\n", rep_gate_text(r->gates[i]), v);
            if (r->gates_held >= 0)
                r->gates_held++;
        }
    }
    if (r->json) {
        fprintf(r->json, "]");
        _json_members(r->json, tail);
        fprintf(r->json, "\n}\n");
        if (fflush(r->json) != 0 || ferror(r->json))
            err = errno ? errno : EIO;
        if (!r->json_is_stdout && fclose(r->json) != 0 && !err)
            err = errno ? errno : EIO;
        r->json = NULL;
        free(r->json_buf);
        r->json_buf = NULL;
    }
    json_object_put(tail);
    if (fflush(r->cfg.out) != 0)
        err = err ? err : (errno ? errno : EIO);
    return err;
}

int rep_gates_held(const rep_ctx *r) { return r->gates_held; }

void rep_destroy(rep_ctx *r)
{
    if (r == NULL)
        return;
    if (r->json && !r->json_is_stdout)
        fclose(r->json);
    free(r->json_buf); /* after fclose: it was the stream's buffer */
    rep_jw_free(r->jw);
    _close_file(r->svg);
    _close_file(r->mermaid);
    _close_file(r->plantuml);
    for (size_t i = 0; i < r->ngates; i++)
        rep_gate_free(r->gates[i]);
    free(r->gates);
    free(r->filters);
    rep_stats_free(&r->stats);
    rep_breakdowns_free(&r->bd);
    rep_conv_free(r->conv);
    free(r);
}
