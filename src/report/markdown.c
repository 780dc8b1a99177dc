/* markdown.c - a Markdown summary for CI, made to be appended to
 * $GITHUB_STEP_SUMMARY (GitHub renders ```mermaid blocks as diagrams).
 *
 * Content: a summary table, response codes, records by outcome, then the
 * first REP_MD_MAX_FAILED failed records (rep_out_failed) as a table and
 * one Mermaid ladder each. Counters are kept in memory; the failed
 * records' rows and ladders are written to a temporary file as they come,
 * so memory stays flat whatever the capture.
 *
 * GitHub Markdown accepts raw HTML, @mentions, #references and autolinks,
 * so wire text in table cells keeps only letters, digits, blanks and a few
 * harmless punctuation marks as they are; everything else becomes a
 * numeric character reference. Inside the mermaid fences the Mermaid
 * escaping applies (mermaid.c), and a line there never starts with wire
 * text, so a ``` in a header cannot close the fence. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outputs.h"

struct rep_markdown {
    FILE *out, *failed;
    int is_stdout;
    uint64_t records, nfailed, kept;
    uint64_t by_kind_outcome[COR_KIND__COUNT][COR_OUT__COUNT];
};

/* See outputs.h. */
int rep_markdown_open(rep_markdown **out, const char *path, char *err, size_t errlen)
{
    rep_markdown *m = calloc(1, sizeof *m);
    *out = NULL;
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return ENOMEM;
    }
    if (strcmp(path, "-") == 0) {
        m->out = stdout;
        m->is_stdout = 1;
    } else if ((m->out = fopen(path, "a")) == NULL) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot write Markdown summary: %s", path, strerror(e));
        free(m);
        return e;
    }
    if ((m->failed = tmpfile()) == NULL) {
        int e = errno;
        snprintf(err, errlen, "cannot create a temporary file for the Markdown summary: %s", strerror(e));
        if (!m->is_stdout)
            fclose(m->out);
        free(m);
        return e;
    }
    *out = m;
    return 0;
}

/* Writes wire text for a Markdown table cell (see the top comment). */
static void _md_text(FILE *out, const char *wire, size_t max)
{
    char *s = rep_out_clean(wire);
    size_t cps = 0;
    if (s == NULL)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80 && ++cps > max) {
            fputs("\xE2\x80\xA6", out);
            break;
        }
        if (*p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            strchr(" .,-:/;=", *p) != NULL)
            fputc(*p, out);
        else
            fprintf(out, "&#%u;", *p);
    }
    free(s);
}

/* See outputs.h. */
void rep_markdown_record(rep_markdown *m, const cor_record *rec)
{
    if (m == NULL || rec == NULL)
        return;
    m->records++;
    if ((unsigned)rec->kind < COR_KIND__COUNT && (unsigned)rec->outcome < COR_OUT__COUNT)
        m->by_kind_outcome[rec->kind][rec->outcome]++;
    if (!rep_out_failed(rec))
        return;
    m->nfailed++;
    if (m->kept >= REP_MD_MAX_FAILED)
        return;
    m->kept++;
    FILE *f = m->failed;
    fprintf(f, "#### %llu. %s %s", (unsigned long long)m->kept, cor_kind_name(rec->kind),
            cor_outcome_name(rec->outcome));
    if (rec->final_status) {
        fprintf(f, " (%u ", rec->final_status);
        _md_text(f, rec->final_reason, 60);
        fputc(')', f);
    }
    fputs("\n\nCall-ID ", f);
    _md_text(f, rec->call_id, 200);
    if ((rec->from && rec->from[0]) || (rec->to && rec->to[0])) {
        fputs(", ", f);
        _md_text(f, rec->from, 120);
        fputs(" &#8594; ", f);
        _md_text(f, rec->to, 120);
    }
    fputs("\n\n```mermaid\n", f);
    rep_mermaid_ladder(f, rec, NULL);
    fputs("```\n\n", f);
}

static void _row_int(FILE *out, const char *name, json_object *tail, const char *path)
{
    json_object *o = rep_out_jget(tail, path);
    fprintf(out, "| %s | %lld |\n", name, o ? (long long)json_object_get_int64(o) : 0LL);
}

/* See outputs.h. */
int rep_markdown_finish(rep_markdown *m, json_object *tail)
{
    if (m == NULL)
        return 0;
    FILE *out = m->out;
    json_object *asr = rep_out_jget(tail, "stats.calls.asr"), *resp = rep_out_jget(tail, "stats.responses");
    char buf[8192];
    int rc = 0;

    fputs("## sipscope summary\n\n| | |\n|---|---:|\n", out);
    _row_int(out, "packets", tail, "summary.packets");
    _row_int(out, "SIP messages", tail, "summary.sip_messages");
    _row_int(out, "dialogs", tail, "summary.dialogs");
    _row_int(out, "calls", tail, "summary.calls");
    if (asr)
        fprintf(out, "| ASR | %.1f %% |\n", 100.0 * json_object_get_double(asr));
    else
        fputs("| ASR | n/a |\n", out);
    _row_int(out, "retransmissions", tail, "summary.retransmissions");
    _row_int(out, "malformed", tail, "summary.malformed");
    if (rep_out_jget(tail, "stats.setup_ms.p50")) {
        json_object *p50 = rep_out_jget(tail, "stats.setup_ms.p50"), *p95 = rep_out_jget(tail, "stats.setup_ms.p95");
        fprintf(out, "| setup p50 / p95 | %lld / %lld ms |\n", (long long)json_object_get_int64(p50),
                p95 ? (long long)json_object_get_int64(p95) : 0LL);
    }

    fputs("\n### Responses\n\n| code | count |\n|---|---:|\n", out);
    if (resp && json_object_is_type(resp, json_type_object) && json_object_object_length(resp) > 0) {
        json_object_object_foreach(resp, key, val) {
            fputs("| ", out);
            _md_text(out, key, 16);
            fprintf(out, " | %lld |\n", (long long)json_object_get_int64(val));
        }
    } else {
        fputs("| none | 0 |\n", out);
    }

    fputs("\n### Records by outcome\n\n| kind | outcome | records |\n|---|---|---:|\n", out);
    for (int k = 0; k < COR_KIND__COUNT; k++)
        for (int o = 0; o < COR_OUT__COUNT; o++)
            if (m->by_kind_outcome[k][o])
                fprintf(out, "| %s | %s%s | %llu |\n", cor_kind_name((cor_kind)k), cor_outcome_name((cor_outcome)o),
                        rep_out_failed(&(cor_record){.outcome = (cor_outcome)o}) ? " :x:" : "",
                        (unsigned long long)m->by_kind_outcome[k][o]);
    if (m->records == 0)
        fputs("| - | - | 0 |\n", out);

    fprintf(out, "\n### Failed (%llu", (unsigned long long)m->nfailed);
    if (m->nfailed > m->kept)
        fprintf(out, ", the first %llu shown", (unsigned long long)m->kept);
    fputs(")\n\n", out);
    if (m->nfailed == 0)
        fputs("None.\n\n", out);
    rewind(m->failed);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, m->failed)) > 0)
        fwrite(buf, 1, n, out);
    if (ferror(m->failed))
        rc = EIO;

    fflush(out);
    if (ferror(out) && rc == 0)
        rc = EIO;
    if (!m->is_stdout && fclose(out) != 0 && rc == 0)
        rc = errno ? errno : EIO;
    fclose(m->failed);
    free(m);
    return rc;
}
