/* html.c - the HTML report: one self-contained file, no network fetches.
 *
 * Layout: summary figures, failures by code, response-code / method /
 * outcome tables, a setup-time histogram and a response-code chart (inline
 * SVG), then the list of records (sortable, filterable), each with its
 * ladder as inline SVG, hidden until expanded.
 *
 * Streaming: the summary goes on top but is only known at the end, so the
 * head is written at open, each record's rows go to a temporary file as it
 * finishes, and finish writes the summary, copies the rows after it and
 * ends with the script. Only counters stay in memory.
 *
 * Safety: every wire string is HTML-escaped (rep_out_xml). Data for the
 * script is in data-* attributes, read through `dataset`; the script never
 * contains wire text. A Content-Security-Policy allows no fetch at all and
 * only the script carrying this file's random nonce, so even markup that
 * slipped through escaping could not run script. The filters can be preset
 * from the URL fragment (#callid=...&user=...&outcome=...&code=...). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detail_int.h"
#include "outputs.h"
#include "report_int.h"

#define HTML_MAX_LADDERS 5000 /* beyond this, rows only: the page must stay openable */
#define HTML_MAX_BODIES 12    /* message bodies listed per record */

static const int64_t _setup_edges[] = {100, 200, 500, 1000, 2000, 5000}; /* ms */
#define HTML_SETUP_BUCKETS (sizeof _setup_edges / sizeof _setup_edges[0] + 1)

struct rep_html {
    FILE *out, *rows;
    rep_ladder_opts lo;
    int have_lo;
    uint64_t records, ladders;
    uint64_t by_outcome[COR_OUT__COUNT];
    uint64_t setup[HTML_SETUP_BUCKETS];
    char nonce[33];
};

static const char _css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1f2328;background:#fff}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:3px 8px;"
    "text-align:left;vertical-align:top}th{background:#f6f8fa}td.n{text-align:right}"
    ".cards{display:flex;flex-wrap:wrap;gap:8px}.card{border:1px solid #d0d7de;border-radius:6px;"
    "padding:6px 12px;min-width:8em}.card b{display:block;font-size:1.4em}"
    "#calls th[data-key]{cursor:pointer}#calls th[data-dir=asc]::after{content:' \\25B2'}"
    "#calls th[data-dir=desc]::after{content:' \\25BC'}"
    ".o-answered,.o-success{color:#1a7f37}.o-busy,.o-rejected,.o-failed,.o-failure,.o-unanswered,"
    ".o-no_response{color:#cf222e}.o-cancelled,.o-redirected{color:#9a6700}"
    "tr.detail td{background:#fafbfc}.meta{margin:4px 0;font-size:12px;color:#57606a}"
    ".kd{font-size:11px;color:#57606a;max-width:28em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}"
    "ul.notes{margin:4px 0;padding-left:18px;font-size:12px}"
    ".charts{display:flex;flex-wrap:wrap;gap:24px}.filters input,.filters select{margin-right:1em}"
    "code{word-break:break-all}";

/* A fresh nonce for the CSP: the page's own script carries it, nothing
 * else can. */
static void _nonce(char *buf, size_t n)
{
    unsigned char r[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, r, sizeof r) : -1;
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof r) {
        uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)buf;
        for (size_t i = 0; i < sizeof r; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            r[i] = (unsigned char)x;
        }
    }
    for (size_t i = 0; i < sizeof r && 2 * i + 2 < n; i++)
        snprintf(buf + 2 * i, 3, "%02x", r[i]);
}

/* See outputs.h. */
int rep_html_open(rep_html **out, const char *path, const rep_ladder_opts *lo, char *err, size_t errlen)
{
    rep_html *h = calloc(1, sizeof *h);
    *out = NULL;
    if (h == NULL) {
        snprintf(err, errlen, "out of memory");
        return ENOMEM;
    }
    if (lo) {
        h->lo = *lo;
        h->have_lo = 1;
    }
    if ((h->out = fopen(path, "w")) == NULL) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot write HTML report: %s", path, strerror(e));
        free(h);
        return e;
    }
    if ((h->rows = tmpfile()) == NULL) {
        int e = errno;
        snprintf(err, errlen, "cannot create a temporary file for the HTML report: %s", strerror(e));
        fclose(h->out);
        free(h);
        return e;
    }
    _nonce(h->nonce, sizeof h->nonce);
    fprintf(h->out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:; script-src 'nonce-%s'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"sipscope\">\n"
            "<title>sipscope report</title>\n<style>%s</style>\n</head>\n<body>\n"
            "<h1>sipscope report</h1>\n",
            h->nonce, _css);
    *out = h;
    return 0;
}

/* ---- per record ---- */

static void _time_cell(FILE *f, int64_t ts_us)
{
    time_t sec = (time_t)(ts_us / 1000000);
    struct tm tm;
    char d[32];
    gmtime_r(&sec, &tm);
    strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(f, "%s.%03d", d, (int)((ts_us % 1000000 + 1000000) % 1000000 / 1000));
}

/* Message bodies of the record (content type and size; the SDP itself is
 * not kept by correlate). */
static void _bodies(FILE *f, const cor_record *rec)
{
    size_t shown = 0, total = 0;
    for (size_t i = 0; rec->msgs && i < rec->nmsgs; i++)
        total += rec->msgs[i].body_len > 0;
    if (total == 0)
        return;
    fputs("<div class=\"meta\">Bodies: ", f);
    for (size_t i = 0; rec->msgs && i < rec->nmsgs && shown < HTML_MAX_BODIES; i++) {
        const cor_msg *m = &rec->msgs[i];
        char label[1024];
        if (m->body_len == 0)
            continue;
        rep_out_msg_label(m, label, sizeof label);
        fputs(shown ? "; " : "", f);
        rep_out_xml(f, label);
        fputs(": <code>", f);
        rep_out_xml(f, m->content_type && m->content_type[0] ? m->content_type : "(no Content-Type)");
        fprintf(f, "</code> %u bytes", m->body_len);
        shown++;
    }
    if (total > shown)
        fprintf(f, "; %zu more", total - shown);
    fputs("</div>\n", f);
}

/* The conversation's notes (detail.h): one line per note, with the number
 * of the message that carried it. */
static void _notes(FILE *f, const cor_record *rec)
{
    const cor_detail *d = rec->detail;
    char text[600];
    if (d == NULL || d->nnotes == 0)
        return;
    fputs("<ul class=\"notes\">\n", f);
    for (uint32_t i = 0; i < d->nnotes; i++) {
        const cor_note *n = &d->notes[i];
        if (n->msg < rec->nmsgs)
            fprintf(f, "<li>#%u frame %llu: ", n->msg + 1, (unsigned long long)rec->msgs[n->msg].frame_no);
        else
            fputs("<li>", f);
        rep_out_xml(f, rep_note_text(rec, n, text, sizeof text));
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

/* Legs of a call through a proxy chain, the Reason header and the records
 * of its other B2BUA legs (legs.c computes them as for the JSON). */
static void _legs(FILE *f, const cor_record *rec)
{
    if (rec->reason_hdr && rec->reason_hdr[0]) {
        fputs("<div class=\"meta\">Reason: <code>", f);
        rep_out_xml(f, rec->reason_hdr);
        fputs("</code></div>\n", f);
    }
    if (rec->nrelated) {
        fputs("<div class=\"meta related\">related records (B2BUA legs):", f);
        for (uint32_t i = 0; i < rec->nrelated && i < COR_MAX_RELATED; i++)
            fprintf(f, " <a href=\"#rec-%llu\">#%llu</a>", (unsigned long long)rec->related[i],
                    (unsigned long long)rec->related[i]);
        fputs("</div>\n", f);
    }
    rep_leg legs[REP_MAX_LEGS];
    size_t total = rep_legs(rec, legs, REP_MAX_LEGS);
    if (total < 2)
        return;
    size_t n = total < REP_MAX_LEGS ? total : REP_MAX_LEGS;
    fprintf(f, "<table class=\"legs\"><caption>%zu legs: one Call-ID through %zu hops</caption>"
               "<thead><tr><th>leg</th><th>from</th><th>to</th><th>messages</th><th>final</th>"
               "<th>setup ms</th><th>PDD ms</th><th>retransmissions</th></tr></thead><tbody>\n",
            total, total);
    for (size_t i = 0; i < n; i++) {
        const rep_leg *l = &legs[i];
        char a[SS_ADDR_STRLEN], b[SS_ADDR_STRLEN];
        ss_addr_format(&l->a, a, sizeof a);
        ss_addr_format(&l->b, b, sizeof b);
        fprintf(f, "<tr><td class=\"n\">%zu</td><td>%s</td><td>%s</td><td class=\"n\">%u</td><td>", i + 1, a, b,
                l->msgs);
        if (l->final_status) {
            fprintf(f, "%u ", l->final_status);
            rep_out_xml(f, l->final_reason);
        }
        fputs("</td><td class=\"n\">", f);
        if (l->setup_ms >= 0)
            fprintf(f, "%lld", (long long)l->setup_ms);
        fputs("</td><td class=\"n\">", f);
        if (l->pdd_ms >= 0)
            fprintf(f, "%lld", (long long)l->pdd_ms);
        fprintf(f, "</td><td class=\"n\">%u</td></tr>\n", l->retransmissions);
    }
    fputs("</tbody></table>\n", f);
}

/* See outputs.h. */
void rep_html_record(rep_html *h, const cor_record *rec)
{
    if (h == NULL || rec == NULL)
        return;
    FILE *f = h->rows;
    const char *outc = cor_outcome_name(rec->outcome);

    h->records++;
    if ((unsigned)rec->outcome < COR_OUT__COUNT)
        h->by_outcome[rec->outcome]++;
    if (rec->kind == COR_KIND_CALL && rec->setup_ms >= 0) {
        size_t b = 0;
        while (b < HTML_SETUP_BUCKETS - 1 && rec->setup_ms >= _setup_edges[b])
            b++;
        h->setup[b]++;
    }

    /* data-* for the script: filter and sort keys */
    fprintf(f, "<tbody class=\"rec\" id=\"rec-%llu\" data-id=\"%llu\" data-start=\"%lld\" data-kind=\"%s\" data-outcome=\"%s\" "
               "data-code=\"%u\" data-setup=\"%lld\" data-msgs=\"%llu\" data-callid=\"",
            (unsigned long long)rec->id, (unsigned long long)rec->id, (long long)rec->first_us,
            cor_kind_name(rec->kind), outc,
            rec->final_status, (long long)rec->setup_ms,
            (unsigned long long)(rec->nmsgs + rec->msgs_dropped));
    rep_out_xml(f, rec->call_id);
    fputs("\" data-user=\"", f);
    rep_out_xml(f, rec->from);
    fputc(' ', f);
    rep_out_xml(f, rec->to);
    fputs("\">\n<tr class=\"row\"><td class=\"n\">", f);
    fprintf(f, "%llu</td><td>", (unsigned long long)rec->id);
    _time_cell(f, rec->first_us);
    char sum[600];
    rep_detail_summary(rec, sum, sizeof sum);
    fprintf(f, "</td><td>%s", cor_kind_name(rec->kind));
    if (sum[0]) {
        fputs("<div class=\"kd\" title=\"", f);
        rep_out_xml(f, sum);
        fputs("\">", f);
        rep_out_xml(f, sum);
        fputs("</div>", f);
    }
    fputs("</td><td><code>", f);
    rep_out_xml(f, rec->call_id);
    fputs("</code></td><td>", f);
    rep_out_xml(f, rec->from);
    fputs("</td><td>", f);
    rep_out_xml(f, rec->to);
    fprintf(f, "</td><td class=\"o-%s\">%s</td><td>", outc, outc);
    if (rec->final_status) {
        fprintf(f, "%u ", rec->final_status);
        rep_out_xml(f, rec->final_reason);
    }
    fputs("</td><td class=\"n\">", f);
    if (rec->setup_ms >= 0)
        fprintf(f, "%lld", (long long)rec->setup_ms);
    fprintf(f, "</td><td class=\"n\">%llu</td><td><button type=\"button\" class=\"toggle\" "
               "aria-expanded=\"false\">ladder</button></td></tr>\n",
            (unsigned long long)(rec->nmsgs + rec->msgs_dropped));

    fputs("<tr class=\"detail\" hidden><td colspan=\"11\">\n<div class=\"meta\">", f);
    fprintf(f, "state %s, %u dialog%s, %u retransmission%s", cor_state_name(rec->state), rec->dialogs,
            rec->dialogs == 1 ? "" : "s", rec->retransmissions, rec->retransmissions == 1 ? "" : "s");
    if (rec->pdd_ms >= 0)
        fprintf(f, ", PDD %lld ms", (long long)rec->pdd_ms);
    if (rec->duration_ms >= 0)
        fprintf(f, ", duration %lld.%03lld s", (long long)(rec->duration_ms / 1000),
                (long long)(rec->duration_ms % 1000));
    if (rec->user_agent && rec->user_agent[0]) {
        fputs(", User-Agent: <code>", f);
        rep_out_xml(f, rec->user_agent);
        fputs("</code>", f);
    }
    fputs("</div>\n", f);
    _legs(f, rec);
    _notes(f, rec);
    _bodies(f, rec);
    if (h->ladders < HTML_MAX_LADDERS) {
        h->ladders++;
        rep_svg_ladder(f, rec, h->have_lo ? &h->lo : NULL, 0);
    } else {
        fprintf(f, "<div class=\"meta\">ladder not included: over %d ladders in this report (use --svg "
                   "with --call-id)</div>\n",
                HTML_MAX_LADDERS);
    }
    fputs("</td></tr>\n</tbody>\n", f);
}

/* ---- finish: summary, tables, charts ---- */

static long long _jint(json_object *tail, const char *path)
{
    json_object *o = rep_out_jget(tail, path);
    return o ? (long long)json_object_get_int64(o) : 0;
}

static void _card(FILE *out, const char *name, const char *value)
{
    fprintf(out, "<div class=\"card\"><b>%s</b>%s</div>\n", value, name);
}

static void _card_int(FILE *out, const char *name, long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    _card(out, name, b);
}

/* Horizontal bar chart as inline SVG; labels escaped (method names and
 * codes come from the wire). */
static void _bars(FILE *out, const char *title, const char *const *labels, const uint64_t *values,
                  const char *const *colors, size_t n)
{
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (values[i] > max)
            max = values[i];
    unsigned h = 28 + (unsigned)n * 22 + 8, w = 460;
    fprintf(out, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"%u\" "
                 "height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"sans-serif\" font-size=\"12\"><title>",
            w, h, w, h);
    rep_out_xml(out, title);
    fputs("</title><text x=\"0\" y=\"16\" font-weight=\"bold\">", out);
    rep_out_xml(out, title);
    fputs("</text>\n", out);
    if (n == 0)
        fputs("<text x=\"0\" y=\"40\">no data</text>\n", out);
    for (size_t i = 0; i < n; i++) {
        unsigned y = 28 + (unsigned)i * 22, bw = (unsigned)((double)values[i] / (double)max * 300.0);
        fprintf(out, "<g class=\"bar\"><text x=\"90\" y=\"%u\" text-anchor=\"end\">", y + 13);
        rep_out_xml(out, labels[i]);
        fprintf(out, "</text><rect x=\"96\" y=\"%u\" width=\"%u\" height=\"16\" fill=\"%s\"/>"
                     "<text x=\"%u\" y=\"%u\">%llu</text></g>\n",
                y, bw ? bw : 1, colors ? colors[i] : "#1f6feb", 96 + (bw ? bw : 1) + 4, y + 13,
                (unsigned long long)values[i]);
    }
    fputs("</svg></figure>\n", out);
}

static const char *_code_color(const char *code)
{
    switch (code[0]) {
    case '1': return "#6e7781";
    case '2': return "#1a7f37";
    case '3': return "#8250df";
    default: return "#cf222e";
    }
}

/* Table of a counter map (stats.requests etc.) with its retransmissions. */
static void _map_table(FILE *out, json_object *tail, const char *path, const char *retr_path, const char *head)
{
    json_object *map = rep_out_jget(tail, path), *retr = rep_out_jget(tail, retr_path);
    fprintf(out, "<table class=\"counts\"><thead><tr><th>%s</th><th>count</th><th>retransmissions</th>"
                 "</tr></thead><tbody>\n",
            head);
    if (map && json_object_is_type(map, json_type_object)) {
        json_object_object_foreach(map, key, val) {
            json_object *r = NULL;
            fputs("<tr><td>", out);
            rep_out_xml(out, key);
            fprintf(out, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>\n",
                    (long long)json_object_get_int64(val),
                    retr && json_object_object_get_ex(retr, key, &r) ? (long long)json_object_get_int64(r) : 0LL);
        }
    }
    fputs("</tbody></table>\n", out);
}

/* RFC 6076 figures: ratios in percent, delays as p50 / p95 in ms. */
static void _metrics(FILE *out, json_object *tail)
{
    static const char *const ratios[] = {"SER", "SEER", "ISA", "SCR", "ASR", "NER"};
    static const char *const delays[] = {"RRD", "SRD", "SDD", "SDT"};
    char path[64], b[64];
    if (rep_out_jget(tail, "metrics") == NULL)
        return;
    fputs("<h2>RFC 6076 metrics</h2>\n<div class=\"cards\" id=\"metrics\">\n", out);
    for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++) {
        snprintf(path, sizeof path, "metrics.%s", ratios[i]);
        json_object *v = rep_out_jget(tail, path);
        if (v)
            snprintf(b, sizeof b, "%.2f %%", json_object_get_double(v));
        else
            snprintf(b, sizeof b, "n/a");
        _card(out, ratios[i], b);
    }
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        snprintf(path, sizeof path, "metrics.%s.p50", delays[i]);
        if (rep_out_jget(tail, path) == NULL)
            continue;
        long long p50 = _jint(tail, path);
        snprintf(path, sizeof path, "metrics.%s.p95", delays[i]);
        snprintf(b, sizeof b, "%lld / %lld ms", p50, _jint(tail, path));
        snprintf(path, sizeof path, "%s p50 / p95", delays[i]);
        _card(out, path, b);
    }
    fputs("</div>\n", out);
}

/* Calls per caller, callee, endpoint and User-Agent: the top entries. */
static void _breakdowns(FILE *out, json_object *tail)
{
    static const char *const keys[] = {"by_caller", "by_callee", "by_endpoint", "by_user_agent"};
    static const char *const titles[] = {"caller (From)", "callee (To)", "endpoint (IP)", "User-Agent"};
    json_object *bd = rep_out_jget(tail, "breakdowns");
    if (bd == NULL)
        return;
    fputs("<h2>Calls by caller, callee, endpoint and User-Agent</h2>\n<div class=\"charts\" id=\"breakdowns\">\n",
          out);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_object *top = rep_out_jget(rep_out_jget(bd, keys[i]), "top");
        if (top == NULL || !json_object_is_type(top, json_type_array) || json_object_array_length(top) == 0)
            continue;
        fprintf(out, "<table class=\"bd\" data-by=\"%s\"><caption>%s</caption><thead><tr><th>%s</th>"
                     "<th>attempted</th><th>answered</th><th>ASR %%</th><th>NER %%</th>"
                     "<th>setup p50 ms</th><th>PDD p50 ms</th></tr></thead><tbody>\n",
                keys[i], titles[i], titles[i]);
        for (size_t k = 0; k < json_object_array_length(top); k++) {
            json_object *e = json_object_array_get_idx(top, k), *v;
            fputs("<tr><td>", out);
            rep_out_xml(out, (v = rep_out_jget(e, "key")) ? json_object_get_string(v) : "?");
            fprintf(out, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>", _jint(e, "attempted"),
                    _jint(e, "answered"));
            const char *const ratio[] = {"ASR", "NER"};
            for (int r = 0; r < 2; r++)
                if ((v = rep_out_jget(e, ratio[r])) != NULL)
                    fprintf(out, "<td class=\"n\">%.1f</td>", json_object_get_double(v));
                else
                    fputs("<td></td>", out);
            const char *const pct[] = {"setup_ms.p50", "pdd_ms.p50"};
            for (int q = 0; q < 2; q++)
                if (rep_out_jget(e, pct[q]))
                    fprintf(out, "<td class=\"n\">%lld</td>", _jint(e, pct[q]));
                else
                    fputs("<td></td>", out);
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
    }
    fputs("</div>\n", out);
}

/* A string member as a cell (escaped), empty when absent. */
static void _str_cell(FILE *out, json_object *o, const char *key)
{
    json_object *v = rep_out_jget(o, key);
    fputs("<td>", out);
    if (v != NULL && !json_object_is_type(v, json_type_null))
        rep_out_xml(out, json_object_get_string(v));
    fputs("</td>", out);
}

/* Registrations per AOR, subscriptions and who watches whom: the JSON's
 * registrations[], subscriptions[] and watchers[] as tables (each already
 * capped by the report; the "... not listed" count follows). */
static void _conv_tables(FILE *out, json_object *tail)
{
    static const struct {
        const char *key, *title, *more;
        const char *const cols[12]; /* string members, then integer ones after NULL */
        const char *const ints[8];
    } t[] = {
        {"registrations", "Registrations", "registrations_not_listed",
         {"aor", "auth_scheme", "realm", "result", "contact", NULL},
         {"final_status", "attempts", "succeeded", "failed", "challenges", "refreshes", "deregistrations", NULL}},
        {"subscriptions", "Subscriptions", "subscriptions_not_listed",
         {"event", "subscriber", "resource", "state", "terminated_reason", NULL},
         {"final_status", "expires", "notifies", "benotifies", "refreshes", NULL}},
        {"watchers", "Watchers (who watches whom)", "watchers_not_listed",
         {"subscriber", "resource", "event", "state", NULL},
         {"dialogs", NULL}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_object *a = rep_out_jget(tail, t[i].key);
        if (a == NULL || !json_object_is_type(a, json_type_array) || json_object_array_length(a) == 0)
            continue;
        fprintf(out, "<h2>%s</h2>\n<table class=\"conv\" id=\"%s\"><thead><tr>", t[i].title, t[i].key);
        for (size_t c = 0; t[i].cols[c]; c++)
            fprintf(out, "<th>%s</th>", t[i].cols[c]);
        for (size_t c = 0; t[i].ints[c]; c++)
            fprintf(out, "<th>%s</th>", t[i].ints[c]);
        fputs("</tr></thead><tbody>\n", out);
        for (size_t k = 0; k < json_object_array_length(a); k++) {
            json_object *e = json_object_array_get_idx(a, k);
            fputs("<tr>", out);
            for (size_t c = 0; t[i].cols[c]; c++)
                _str_cell(out, e, t[i].cols[c]);
            for (size_t c = 0; t[i].ints[c]; c++)
                if (rep_out_jget(e, t[i].ints[c]))
                    fprintf(out, "<td class=\"n\">%lld</td>", _jint(e, t[i].ints[c]));
                else
                    fputs("<td></td>", out);
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
        long long more = _jint(tail, t[i].more);
        if (more > 0)
            fprintf(out, "<div class=\"meta\">%lld more not listed (JSON %s)</div>\n", more, t[i].more);
    }
}

static void _summary(rep_html *h, json_object *tail)
{
    FILE *out = h->out;
    char b[64];
    json_object *asr = rep_out_jget(tail, "stats.calls.asr");

    fputs("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">\n", out);
    _card_int(out, "packets", _jint(tail, "summary.packets"));
    _card_int(out, "SIP messages", _jint(tail, "summary.sip_messages"));
    _card_int(out, "dialogs", _jint(tail, "summary.dialogs"));
    _card_int(out, "calls", _jint(tail, "summary.calls"));
    if (asr)
        snprintf(b, sizeof b, "%.1f %%", 100.0 * json_object_get_double(asr));
    else
        snprintf(b, sizeof b, "n/a");
    _card(out, "ASR (answered / calls)", b);
    _card_int(out, "retransmissions", _jint(tail, "summary.retransmissions"));
    _card_int(out, "malformed", _jint(tail, "summary.malformed"));
    if (rep_out_jget(tail, "stats.setup_ms.p50")) {
        snprintf(b, sizeof b, "%lld / %lld ms", _jint(tail, "stats.setup_ms.p50"), _jint(tail, "stats.setup_ms.p95"));
        _card(out, "setup p50 / p95", b);
    }
    fputs("</div>\n", out);

    json_object *inputs = rep_out_jget(tail, "summary.inputs");
    if (inputs && json_object_is_type(inputs, json_type_array)) {
        fputs("<p>Inputs: ", out);
        for (size_t i = 0; i < json_object_array_length(inputs); i++) {
            json_object *in = json_object_array_get_idx(inputs, i);
            json_object *name = rep_out_jget(in, "name"), *e = rep_out_jget(in, "error");
            fputs(i ? ", <code>" : "<code>", out);
            rep_out_xml(out, name ? json_object_get_string(name) : "?");
            fputs("</code>", out);
            if (e) {
                fputs(" (ended early: ", out);
                rep_out_xml(out, json_object_get_string(e));
                fputc(')', out);
            }
        }
        fputs("</p>\n", out);
    }

    /* failures by code */
    json_object *resp = rep_out_jget(tail, "stats.responses");
    fputs("<h2>Failures by code</h2>\n<table id=\"failures\"><thead><tr><th>code</th><th>responses</th></tr>"
          "</thead><tbody>\n",
          out);
    int any = 0;
    if (resp && json_object_is_type(resp, json_type_object)) {
        json_object_object_foreach(resp, key, val) {
            if (atoi(key) < 400)
                continue;
            any = 1;
            fputs("<tr><td>", out);
            rep_out_xml(out, key);
            fprintf(out, "</td><td class=\"n\">%lld</td></tr>\n", (long long)json_object_get_int64(val));
        }
    }
    if (!any)
        fputs("<tr><td colspan=\"2\">none</td></tr>\n", out);
    fputs("</tbody></table>\n", out);

    /* outcomes */
    fputs("<h2>Outcomes</h2>\n<table id=\"outcomes\"><thead><tr><th>outcome</th><th>records</th></tr></thead>"
          "<tbody>\n",
          out);
    for (int o = 0; o < COR_OUT__COUNT; o++)
        if (h->by_outcome[o])
            fprintf(out, "<tr><td class=\"o-%s\">%s</td><td class=\"n\">%llu</td></tr>\n",
                    cor_outcome_name((cor_outcome)o), cor_outcome_name((cor_outcome)o),
                    (unsigned long long)h->by_outcome[o]);
    fputs("</tbody></table>\n", out);

    _metrics(out, tail);
    _breakdowns(out, tail);
    _conv_tables(out, tail);

    fputs("<h2>Responses and requests</h2>\n<div class=\"charts\">\n", out);
    _map_table(out, tail, "stats.responses", "stats.response_retransmissions", "response code");
    _map_table(out, tail, "stats.requests", "stats.request_retransmissions", "method");
    fputs("</div>\n<h2>Charts</h2>\n<div class=\"charts\">\n", out);

    /* setup-time histogram, from the records seen */
    static const char *const blabels[HTML_SETUP_BUCKETS] = {"< 100 ms", "100-200 ms", "200-500 ms", "0.5-1 s",
                                                            "1-2 s",    "2-5 s",      ">= 5 s"};
    _bars(out, "Call setup time (INVITE to 2xx)", blabels, h->setup, NULL, HTML_SETUP_BUCKETS);

    /* response codes */
    size_t n = resp && json_object_is_type(resp, json_type_object) ? (size_t)json_object_object_length(resp) : 0;
    if (n > 40)
        n = 40; /* a chart of more bars reads worse than the table above */
    const char **labels = n ? calloc(n, sizeof *labels) : NULL;
    const char **colors = n ? calloc(n, sizeof *colors) : NULL;
    uint64_t *vals = n ? calloc(n, sizeof *vals) : NULL;
    size_t k = 0;
    if (labels && colors && vals) {
        json_object_object_foreach(resp, key, val) {
            if (k == n)
                break;
            labels[k] = key;
            colors[k] = _code_color(key);
            vals[k++] = (uint64_t)json_object_get_int64(val);
        }
    }
    _bars(out, "Responses by code", labels, vals, colors, k);
    free(labels);
    free(colors);
    free(vals);
    fputs("</div>\n</section>\n", out);
}

static const char _script[] =
    "(function(){'use strict';\n"
    "var tbl=document.getElementById('calls');\n"
    "function recs(){return Array.prototype.slice.call(tbl.tBodies);}\n"
    "var f={callid:document.getElementById('f-callid'),user:document.getElementById('f-user'),"
    "outcome:document.getElementById('f-outcome'),code:document.getElementById('f-code')};\n"
    "function has(v,q){return v.toLowerCase().indexOf(q.toLowerCase())>=0;}\n"
    "function apply(){var n=0;recs().forEach(function(b){var d=b.dataset;"
    "var ok=(!f.callid.value||has(d.callid,f.callid.value))&&(!f.user.value||has(d.user,f.user.value))"
    "&&(!f.outcome.value||d.outcome===f.outcome.value)&&(!f.code.value||d.code.indexOf(f.code.value)===0);"
    "b.hidden=!ok;if(ok)n++;});document.getElementById('shown').textContent=String(n);}\n"
    "Object.keys(f).forEach(function(k){f[k].addEventListener('input',apply);"
    "f[k].addEventListener('change',apply);});\n"
    "tbl.tHead.addEventListener('click',function(e){var th=e.target.closest('th[data-key]');if(!th)return;"
    "var k=th.dataset.key,num=th.dataset.num==='1',dir=th.dataset.dir==='asc'?'desc':'asc';"
    "Array.prototype.forEach.call(tbl.tHead.querySelectorAll('th'),function(t){delete t.dataset.dir;});"
    "th.dataset.dir=dir;var a=recs();a.sort(function(x,y){var p=x.dataset[k]||'',q=y.dataset[k]||'';"
    "var c=num?(parseFloat(p)||0)-(parseFloat(q)||0):p.localeCompare(q);return dir==='asc'?c:-c;});"
    "a.forEach(function(b){tbl.appendChild(b);});});\n"
    "tbl.addEventListener('click',function(e){var b=e.target.closest('button.toggle');if(!b)return;"
    "var d=b.closest('tbody').querySelector('tr.detail');d.hidden=!d.hidden;"
    "b.setAttribute('aria-expanded',String(!d.hidden));});\n"
    "var h=new URLSearchParams(location.hash.slice(1));Object.keys(f).forEach(function(k){"
    "if(h.has(k))f[k].value=h.get(k);});\n"
    "if(h.get('expand')==='all')recs().forEach(function(b){b.querySelector('tr.detail').hidden=false;});\n"
    "apply();document.title='sipscope report: '+recs().length+' records';"
    "document.body.setAttribute('data-ready','1');})();\n";

/* See outputs.h. */
int rep_html_finish(rep_html *h, json_object *tail)
{
    if (h == NULL)
        return 0;
    FILE *out = h->out;
    char buf[8192];
    int rc = 0;

    _summary(h, tail);
    fprintf(out, "<section id=\"list\"><h2>Records (<span id=\"shown\">%llu</span> of %llu shown)</h2>\n",
            (unsigned long long)h->records, (unsigned long long)h->records);
    fputs("<p class=\"filters\">Call-ID <input id=\"f-callid\" type=\"search\"> "
          "user <input id=\"f-user\" type=\"search\"> outcome <select id=\"f-outcome\"><option value=\"\">any"
          "</option>",
          out);
    for (int o = 0; o < COR_OUT__COUNT; o++)
        if (h->by_outcome[o])
            fprintf(out, "<option>%s</option>", cor_outcome_name((cor_outcome)o));
    fputs("</select> code <input id=\"f-code\" type=\"search\" size=\"4\"></p>\n", out);
    fputs("<table id=\"calls\"><thead><tr><th data-key=\"id\" data-num=\"1\">#</th>"
          "<th data-key=\"start\" data-num=\"1\">start (UTC)</th><th data-key=\"kind\">kind</th>"
          "<th data-key=\"callid\">Call-ID</th><th data-key=\"user\">from</th><th>to</th>"
          "<th data-key=\"outcome\">outcome</th><th data-key=\"code\" data-num=\"1\">final</th>"
          "<th data-key=\"setup\" data-num=\"1\">setup ms</th><th data-key=\"msgs\" data-num=\"1\">msgs</th>"
          "<th>ladder</th></tr></thead>\n",
          out);
    rewind(h->rows);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, h->rows)) > 0)
        fwrite(buf, 1, n, out);
    if (ferror(h->rows))
        rc = EIO;
    fputs("</table>\n</section>\n", out);
    fprintf(out, "<script nonce=\"%s\">\n%s</script>\n</body>\n</html>\n", h->nonce, _script);

    if (ferror(out) && rc == 0)
        rc = EIO;
    if (fclose(out) != 0 && rc == 0)
        rc = errno ? errno : EIO;
    fclose(h->rows);
    free(h);
    return rc;
}
