/* junit.c - JUnit XML for CI test reporting (Jenkins, GitLab, GitHub
 * test-report actions), valid against docs/junit.xsd.
 *
 *   <testsuites name="sipscope" tests failures errors time>
 *     <testsuite name="INPUTS" tests failures errors skipped time timestamp hostname>
 *       <properties> summary figures of the run </properties>
 *       <testcase classname="call" name="Call-ID ..." time="...">
 *         <failure message="486 Busy Here" type="busy">last messages</failure>
 *
 * Which record is what:
 *   - every record is a testcase, classname = its kind (call,
 *     registration, subscription, options, message, ...);
 *   - a call fails unless answered; any other kind fails when its flow
 *     ended in failure or no_response (rep_out_failed): an OPTIONS ping
 *     nobody answers is as much a signal as a failed REGISTER;
 *   - a record still in progress when a live capture stopped, or with no
 *     outcome, is <skipped>: nothing went wrong yet;
 *   - an input that ended early (truncated file, read error) is a testcase
 *     classname="capture" with an <error>.
 * Testcases are streamed to a temporary file; the header with the counts
 * is written at the end, then the testcases are copied after it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outputs.h"

#define JU_LAST_MSGS 8 /* messages shown in a failure: where it went wrong */

struct rep_junit {
    FILE *out, *cases;
    char *suite;
    uint64_t tests, failures, errors, skipped;
    int64_t first_us, last_us;
    int err;
};

/* See outputs.h. */
int rep_junit_open(rep_junit **out, const char *path, const char *suite_name, char *err, size_t errlen)
{
    rep_junit *j = calloc(1, sizeof *j);
    *out = NULL;
    if (j == NULL || (j->suite = strdup(suite_name && suite_name[0] ? suite_name : "sipscope")) == NULL) {
        free(j);
        snprintf(err, errlen, "out of memory");
        return ENOMEM;
    }
    if ((j->out = fopen(path, "w")) == NULL) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot write JUnit report: %s", path, strerror(e));
        free(j->suite);
        free(j);
        return e;
    }
    if ((j->cases = tmpfile()) == NULL) {
        int e = errno;
        snprintf(err, errlen, "cannot create a temporary file for the JUnit report: %s", strerror(e));
        fclose(j->out);
        free(j->suite);
        free(j);
        return e;
    }
    *out = j;
    return 0;
}

/* One message as a line of a failure's text. */
static void _msg_line(FILE *f, const cor_msg *m)
{
    char tm[32], src[SS_ADDR_STRLEN], dst[SS_ADDR_STRLEN], label[1024];
    rep_out_clock(m->ts_us, tm, sizeof tm);
    ss_addr_format(&m->src, src, sizeof src);
    ss_addr_format(&m->dst, dst, sizeof dst);
    rep_out_msg_label(m, label, sizeof label);
    fprintf(f, "%s %s -&gt; %s ", tm, src, dst);
    rep_out_xml(f, label);
    fputs(m->retransmission ? " (retransmission)\n" : "\n", f);
}

/* See outputs.h. j or rec NULL does nothing. */
void rep_junit_record(rep_junit *j, const cor_record *rec)
{
    if (j == NULL || rec == NULL)
        return;
    FILE *f = j->cases;
    int64_t dur = rec->last_us > rec->first_us ? rec->last_us - rec->first_us : 0;

    if (j->tests == 0 || rec->first_us < j->first_us)
        j->first_us = rec->first_us;
    if (rec->last_us > j->last_us)
        j->last_us = rec->last_us;
    j->tests++;

    fprintf(f, "    <testcase classname=\"%s\" name=\"Call-ID ", cor_kind_name(rec->kind));
    rep_out_xml(f, rec->call_id);
    if ((rec->from && rec->from[0]) || (rec->to && rec->to[0])) {
        fputs(" (", f);
        rep_out_xml(f, rec->from);
        fputs(" -&gt; ", f);
        rep_out_xml(f, rec->to);
        fputc(')', f);
    }
    fprintf(f, "\" time=\"%lld.%06lld\"", (long long)(dur / 1000000), (long long)(dur % 1000000));

    if (rec->outcome == COR_OUT_IN_PROGRESS || rec->outcome == COR_OUT_NONE) {
        j->skipped++;
        fprintf(f, ">\n      <skipped message=\"%s\"/>\n    </testcase>\n",
                rec->outcome == COR_OUT_NONE ? "no outcome" : "still in progress when the capture stopped");
        return;
    }
    if (!rep_out_failed(rec)) {
        fputs("/>\n", f);
        return;
    }
    j->failures++;
    fputs(">\n      <failure message=\"", f);
    if (rec->final_status) {
        fprintf(f, "%u ", rec->final_status);
        rep_out_xml(f, rec->final_reason);
    } else {
        fputs("no final response", f);
    }
    fprintf(f, "\" type=\"%s\">", cor_outcome_name(rec->outcome));
    fprintf(f, "%s %s ended %s", cor_kind_name(rec->kind), rec->kind == COR_KIND_CALL ? "call" : "flow",
            cor_outcome_name(rec->outcome));
    if (rec->final_status) {
        fprintf(f, " with %u ", rec->final_status);
        rep_out_xml(f, rec->final_reason);
    }
    if (rec->user_agent && rec->user_agent[0]) {
        fputs("\nUser-Agent: ", f);
        rep_out_xml(f, rec->user_agent);
    }
    size_t n = rec->msgs ? rec->nmsgs : 0, from = n > JU_LAST_MSGS ? n - JU_LAST_MSGS : 0;
    fprintf(f, "\nlast %zu of %llu messages:\n", n - from,
            (unsigned long long)(rec->nmsgs + rec->msgs_dropped));
    for (size_t i = from; i < n; i++)
        _msg_line(f, &rec->msgs[i]);
    fputs("</failure>\n    </testcase>\n", f);
}

/* "2026-11-21T17:04:33" (UTC, no zone: the Ant format the schema wants). */
static void _stamp(int64_t ts_us, char *buf, size_t n)
{
    time_t sec = ts_us ? (time_t)(ts_us / 1000000) : time(NULL);
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* One <property> per number of summary, and the ASR. */
static void _properties(FILE *out, json_object *tail)
{
    json_object *summary = NULL, *stats = NULL, *calls = NULL, *asr = NULL;
    fputs("    <properties>\n      <property name=\"generator\" value=\"sipscope\"/>\n", out);
    if (tail && json_object_object_get_ex(tail, "summary", &summary) &&
        json_object_is_type(summary, json_type_object)) {
        json_object_object_foreach(summary, key, val) {
            if (!json_object_is_type(val, json_type_int))
                continue;
            fputs("      <property name=\"", out);
            rep_out_xml(out, key);
            fprintf(out, "\" value=\"%lld\"/>\n", (long long)json_object_get_int64(val));
        }
    }
    if (tail && json_object_object_get_ex(tail, "stats", &stats) &&
        json_object_object_get_ex(stats, "calls", &calls) && json_object_object_get_ex(calls, "asr", &asr) &&
        asr != NULL)
        fprintf(out, "      <property name=\"asr\" value=\"%.4f\"/>\n", json_object_get_double(asr));
    fputs("    </properties>\n", out);
}

/* Inputs that ended early, as error testcases (written to f). */
static void _input_errors(rep_junit *j, FILE *f, json_object *tail)
{
    json_object *summary = NULL, *inputs = NULL;
    if (!tail || !json_object_object_get_ex(tail, "summary", &summary) ||
        !json_object_object_get_ex(summary, "inputs", &inputs) || !json_object_is_type(inputs, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(inputs); i++) {
        json_object *in = json_object_array_get_idx(inputs, i), *name = NULL, *e = NULL;
        if (!json_object_object_get_ex(in, "error", &e) || e == NULL)
            continue;
        json_object_object_get_ex(in, "name", &name);
        j->tests++;
        j->errors++;
        fputs("    <testcase classname=\"capture\" name=\"read ", f);
        rep_out_xml(f, name ? json_object_get_string(name) : "?");
        fputs("\" time=\"0\">\n      <error message=\"", f);
        rep_out_xml(f, json_object_get_string(e));
        fputs("\" type=\"input\">the capture ended early; calls after this point are missing</error>\n"
              "    </testcase>\n",
              f);
    }
}

/* See outputs.h. */
int rep_junit_finish(rep_junit *j, json_object *tail)
{
    if (j == NULL)
        return 0;
    char stamp[32], host[256] = "localhost", buf[8192];
    int64_t span = j->last_us > j->first_us ? j->last_us - j->first_us : 0;
    FILE *out = j->out;

    _input_errors(j, j->cases, tail);
    _stamp(j->first_us, stamp, sizeof stamp);
    if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<testsuites name=\"sipscope\" tests=\"%llu\" failures=\"%llu\" errors=\"%llu\" "
            "time=\"%lld.%06lld\">\n",
            (unsigned long long)j->tests, (unsigned long long)j->failures, (unsigned long long)j->errors,
            (long long)(span / 1000000), (long long)(span % 1000000));
    fputs("  <testsuite name=\"", out);
    rep_out_xml(out, j->suite);
    fprintf(out,
            "\" tests=\"%llu\" failures=\"%llu\" errors=\"%llu\" skipped=\"%llu\" time=\"%lld.%06lld\" "
            "timestamp=\"%s\" hostname=\"",
            (unsigned long long)j->tests, (unsigned long long)j->failures, (unsigned long long)j->errors,
            (unsigned long long)j->skipped, (long long)(span / 1000000), (long long)(span % 1000000), stamp);
    rep_out_xml(out, host);
    fputs("\">\n", out);
    _properties(out, tail);

    rewind(j->cases);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, j->cases)) > 0)
        fwrite(buf, 1, n, out);
    if (ferror(j->cases))
        j->err = EIO;
    fputs("  </testsuite>\n</testsuites>\n", out);

    int rc = j->err;
    if (ferror(out))
        rc = EIO;
    if (fclose(out) != 0 && rc == 0)
        rc = errno ? errno : EIO;
    fclose(j->cases);
    free(j->suite);
    free(j);
    return rc;
}
