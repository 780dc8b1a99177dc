/* test_outputs.c - the file outputs (report/svg.c, html.c, mermaid.c,
 * markdown.c, junit.c), the --fail-if gate (gate.c) and merge (merge.c).
 *
 * Records are built by hand and rendered into memory or temporary files;
 * checks are structural (elements, arrows, counts) and about escaping: a
 * record whose every wire string is hostile (<script>, quotes, "]]>",
 * invalid UTF-8, ESC, newlines, Mermaid/PlantUML syntax) must come out as
 * inert text in every format. Schema validation (xmllint), Mermaid parsing
 * and the browser check run in tests/outputs/check.sh on real captures. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"

#include "../../src/report/outputs.h"
#include "../../src/report/report_int.h"
#include "jw_check.h"

/* Stand-ins for src/correlate so this test builds on its own; weak, so
 * the real ones win whenever the correlate objects are linked in. */
__attribute__((weak)) const char *cor_kind_name(cor_kind k)
{
    static const char *const n[] = {"call",    "registration", "subscription", "message", "options",
                                    "publish", "service",      "refer",        "other"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

__attribute__((weak)) const char *cor_outcome_name(cor_outcome o)
{
    static const char *const n[] = {"none",        "answered", "busy",    "rejected",   "cancelled", "redirected",
                                    "failed",      "unanswered", "in_progress", "success", "failure",
                                    "no_response"};
    return (unsigned)o < sizeof n / sizeof n[0] ? n[o] : "?";
}

__attribute__((weak)) const char *cor_state_name(cor_state s)
{
    static const char *const n[] = {"trying", "early", "confirmed", "terminated", "completed"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}

/* ---- helpers ---- */

#define T0 (1700000000LL * 1000000)
#define HOSTILE "<script>alert(1)</script> \"q\" 'a' ]]> & \xff\xfe \x1b[31m;#%%{x}`@@enduml\n@enduml\r\n"

static ss_addr _v4(uint8_t d, uint16_t port)
{
    ss_addr x;
    memset(&x, 0, sizeof x);
    x.family = 4;
    x.ip[0] = 10;
    x.ip[3] = d;
    x.port = port;
    return x;
}

static cor_record _rec(const cor_msg *msgs, size_t n)
{
    cor_record r;
    memset(&r, 0, sizeof r);
    r.id = 1;
    r.call_id = "1-2345@127.0.0.1";
    r.kind = COR_KIND_CALL;
    r.outcome = COR_OUT_ANSWERED;
    r.state = COR_ST_TERMINATED;
    r.final_status = 200;
    r.final_reason = "OK";
    r.from = "sip:alice@a.example";
    r.to = "sip:bob@b.example";
    r.from_tag = "";
    r.to_tag = "";
    r.user_agent = "";
    r.setup_ms = 12;
    r.pdd_ms = -1;
    r.duration_ms = -1;
    r.first_us = n ? msgs[0].ts_us : T0;
    r.last_us = n ? msgs[n - 1].ts_us : T0;
    r.msgs = msgs;
    r.nmsgs = n;
    return r;
}

/* A 5-message answered call with a retransmitted INVITE. */
static cor_msg _call[6];
static cor_record _answered(void)
{
    ss_addr a = _v4(1, 5060), b = _v4(2, 5060);
    _call[0] = _req(T0, a, b, "INVITE", 0);
    _call[0].body_len = 120;
    _call[0].content_type = "application/sdp";
    _call[1] = _req(T0 + 500000, a, b, "INVITE", 1);
    _call[2] = _resp(T0 + 510000, b, a, 100, "Trying", 0);
    _call[3] = _resp(T0 + 520000, b, a, 200, "OK", 0);
    _call[4] = _req(T0 + 530000, a, b, "ACK", 0);
    _call[5] = _req(T0 + 900000, a, a, "OPTIONS", 0); /* self-loop */
    return _rec(_call, 6);
}

/* Every wire string hostile. */
static cor_msg _hmsgs[3];
static cor_record _hostile(void)
{
    ss_addr a = _v4(1, 5060), b = _v4(9, 5062);
    _hmsgs[0] = _req(T0, a, b, HOSTILE, 0);
    _hmsgs[0].content_type = HOSTILE;
    _hmsgs[0].body_len = 10;
    _hmsgs[1] = _resp(T0 + 1000, b, a, 486, HOSTILE, 0);
    _hmsgs[2] = _resp(T0 + 2000, b, a, 486, HOSTILE, 1);
    cor_record r = _rec(_hmsgs, 3);
    r.call_id = "cid\" onmouseover=\"alert(1)" HOSTILE;
    r.from = HOSTILE;
    r.to = "<img src=x onerror=alert(2)>";
    r.user_agent = HOSTILE;
    r.final_status = 486;
    r.final_reason = HOSTILE;
    r.outcome = COR_OUT_BUSY;
    r.setup_ms = -1;
    return r;
}

static size_t _count(const char *s, const char *needle)
{
    size_t c = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + strlen(needle), needle))
        c++;
    return c;
}

/* No C0 control except \n (and \t), no DEL, no C1 as UTF-8, valid UTF-8. */
static void _assert_clean_bytes(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x80) {
            assert_true(*p == '\n' || *p == '\t' || (*p >= 0x20 && *p != 0x7F));
            p++;
            continue;
        }
        size_t len = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        assert_true(*p >= 0xC2 && *p <= 0xF4);
        for (size_t i = 1; i < len; i++)
            assert_int_equal(p[i] & 0xC0, 0x80);
        if (*p == 0xC2)
            assert_true(p[1] > 0x9F); /* C1 */
        p += len;
    }
}

/* XML/HTML: nothing of the hostile text can open markup or break out of
 * an attribute. */
static void _assert_xml_inert(const char *s)
{
    _assert_clean_bytes(s);
    assert_null(strstr(s, "<script>alert"));
    assert_null(strstr(s, "<img"));
    assert_null(strstr(s, "\" onmouseover"));
    assert_null(strstr(s, "]]>"));
    assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(s, "\\xFF\\xFE") ? strstr(s, "\\xFF\\xFE") : strstr(s, "\\xff\\xfe"));
}

typedef void (*_render_fn)(FILE *, const cor_record *, const rep_ladder_opts *);

static char *_render_mem(void (*fn)(FILE *, const cor_record *, const rep_ladder_opts *), const cor_record *r,
                         const rep_ladder_opts *lo)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, r, lo);
    assert_int_equal(fclose(f), 0);
    assert_non_null(buf);
    return buf;
}

static char *_svg(const cor_record *r, const rep_ladder_opts *lo, int standalone)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rep_svg_ladder(f, r, lo, standalone);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static char *_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void _tmpname(char *buf, size_t n, const char *suffix)
{
    static int seq;
    snprintf(buf, n, "/tmp/test_outputs.%d.%d%s", (int)getpid(), seq++, suffix);
}

static const char *_tail_text =
    "{\"summary\":{\"packets\":100,\"sip_messages\":90,\"requests\":45,\"responses\":45,\"malformed\":2,"
    "\"call_ids\":10,\"call_ids_exact\":true,\"dialogs\":10,\"sip_dialogs\":9,\"transactions\":20,"
    "\"retransmissions\":3,\"calls\":8,\"first\":\"2023-11-14T22:13:20.000000Z\","
    "\"last\":\"2023-11-14T22:13:21.000000Z\",\"inputs\":[{\"name\":\"a.pcap\"}]},"
    "\"stats\":{\"requests\":{\"INVITE\":10,\"<b>X</b>\":1},\"responses\":{\"200\":8,\"408\":1,\"486\":1},"
    "\"classes\":{\"1xx\":0,\"2xx\":8,\"3xx\":0,\"4xx\":2,\"5xx\":0,\"6xx\":0},"
    "\"request_retransmissions\":{\"INVITE\":2},\"response_retransmissions\":{\"200\":1},"
    "\"final_by_method\":{\"INVITE\":{\"200\":6,\"486\":1}},"
    "\"calls\":{\"total\":8,\"answered\":6,\"busy\":1,\"failed\":1,\"asr\":0.75},"
    "\"setup_ms\":{\"count\":6,\"min\":10,\"avg\":50,\"max\":200,\"p50\":40,\"p90\":150,\"p95\":180,\"p99\":200},"
    "\"pdd_ms\":{\"count\":0},"
    "\"response_ms\":{\"INVITE\":{\"count\":8,\"min\":1,\"avg\":20,\"max\":300,\"p50\":10,\"p90\":200,\"p95\":250,"
    "\"p99\":300}},\"dialogs_by_kind\":{\"call\":8}},"
    "\"anomalies\":{\"malformed\":{\"bad_start_line\":2},\"not_sip_payloads\":1}}";

static json_object *_tail(void)
{
    json_object *t = json_tokener_parse(_tail_text);
    assert_non_null(t);
    return t;
}

/* ---- SVG ---- */

static void test_svg_structure(void **state)
{
    (void)state;
    cor_record r = _answered();
    char *s = _svg(&r, NULL, 0);
    assert_null(strstr(s, "<?xml"));
    assert_int_equal(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
    assert_int_equal(_count(s, "<g class=\"msg "), 6);
    assert_int_equal(_count(s, "<g class=\"endpoint\">"), 2);
    assert_int_equal(_count(s, "stroke-dasharray"), 1); /* the retransmitted INVITE */
    assert_int_equal(_count(s, "class=\"msg req retrans\""), 1);
    assert_non_null(strstr(s, ">10.0.0.1:5060<"));
    assert_non_null(strstr(s, ">200 OK<"));
    assert_non_null(strstr(s, ">INVITE (retrans)<"));
    assert_non_null(strstr(s, "#1a7f37")); /* 2xx green */
    assert_non_null(strstr(s, " +0.500s<"));
    assert_non_null(strstr(s, "<path d=\"M")); /* the self-loop */
    assert_int_equal(_count(s, "<svg"), 1);
    assert_int_equal(_count(s, "</svg>"), 1);
    free(s);

    s = _svg(&r, NULL, 1);
    assert_int_equal(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=", 50), 0);
    free(s);
}

static void test_svg_aliases(void **state)
{
    (void)state;
    cor_record r = _answered();
    rep_alias al[1];
    memset(al, 0, sizeof al);
    al[0].addr = _v4(2, 0);
    snprintf(al[0].name, sizeof al[0].name, "pbx <core>");
    rep_ladder_opts lo;
    memset(&lo, 0, sizeof lo);
    lo.aliases = al;
    lo.naliases = 1;
    char *s = _svg(&r, &lo, 1);
    assert_non_null(strstr(s, ">pbx &lt;core&gt;<"));
    assert_null(strstr(s, "10.0.0.2:5060"));
    free(s);
}

static void test_svg_hostile(void **state)
{
    (void)state;
    cor_record r = _hostile();
    char *s = _svg(&r, NULL, 1);
    _assert_xml_inert(s);
    free(s);
}

static void test_svg_empty(void **state)
{
    (void)state;
    cor_record r = _rec(NULL, 0);
    r.msgs_dropped = 3;
    char *s = _svg(&r, NULL, 1);
    assert_non_null(strstr(s, "no messages kept"));
    assert_non_null(strstr(s, "3 more messages not kept"));
    assert_non_null(strstr(s, "</svg>"));
    free(s);
    rep_svg_ladder(NULL, &r, NULL, 1); /* no crash */
}

static void test_out_clean(void **state)
{
    (void)state;
    char *s = rep_out_clean("a\x1b[31mb\xc2\x9b" "c\xe2\x80\xae" "d\xff\n\te");
    assert_string_equal(s, "a[31mbcd\\xFFe");
    free(s);
    s = rep_out_clean(NULL);
    assert_string_equal(s, "");
    free(s);
}

/* ---- Mermaid / PlantUML ---- */

static void test_mermaid_structure(void **state)
{
    (void)state;
    cor_record r = _answered();
    char *s = _render_mem(rep_mermaid_ladder, &r, NULL);
    assert_int_equal(strncmp(s, "sequenceDiagram\n", 16), 0);
    assert_non_null(strstr(s, "    participant P1 as 10.0.0.1:5060\n"));
    assert_non_null(strstr(s, "    participant P2 as 10.0.0.2:5060\n"));
    assert_non_null(strstr(s, "    P1->>P2: INVITE\n"));
    assert_non_null(strstr(s, "    P1->>P2: INVITE (retrans)\n"));
    assert_non_null(strstr(s, "    P2-->>P1: 200 OK\n"));
    assert_non_null(strstr(s, "    P1->>P1: OPTIONS\n"));
    assert_int_equal(_count(s, "\n"), 1 + 1 + 2 + 6);
    free(s);
}

static void test_mermaid_hostile(void **state)
{
    (void)state;
    cor_record r = _hostile();
    char *s = _render_mem(rep_mermaid_ladder, &r, NULL);
    _assert_clean_bytes(s);
    /* one statement per line: title, 2 participants, 3 messages */
    assert_int_equal(_count(s, "\n"), 1 + 1 + 2 + 3);
    for (const char *p = s; (p = strchr(p, ';')) != NULL; p++) { /* ';' only ends an entity */
        const char *b = p;
        while (b > s && (isalnum((unsigned char)b[-1])))
            b--;
        assert_true(b > s && b[-1] == '#' && b < p);
    }
    assert_null(strchr(s, '"'));
    assert_null(strchr(s, '<'));
    assert_null(strchr(s, '%'));
    assert_non_null(strstr(s, "#lt;script#gt;"));
    assert_non_null(strstr(s, "#quot;q#quot;"));
    free(s);
}

static void test_plantuml(void **state)
{
    (void)state;
    cor_record r = _answered();
    char *s = _render_mem(rep_plantuml_ladder, &r, NULL);
    assert_int_equal(strncmp(s, "@startuml\n", 10), 0);
    assert_non_null(strstr(s, "participant \"10.0.0.1:5060\" as P1\n"));
    assert_non_null(strstr(s, "P1 -> P2 : INVITE\n"));
    assert_non_null(strstr(s, "P1 ->> P2 : INVITE (retrans)\n"));
    assert_non_null(strstr(s, "P2 --> P1 : 200 OK\n"));
    assert_non_null(strstr(s, "\n@enduml\n"));
    free(s);

    r = _hostile();
    s = _render_mem(rep_plantuml_ladder, &r, NULL);
    _assert_clean_bytes(s);
    assert_int_equal(_count(s, "\n@enduml"), 1);
    assert_int_equal(_count(s, "\n"), 1 + 1 + 2 + 3 + 1);
    /* quotes, markup and escapes only as entities */
    for (const char *p = s; (p = strstr(p, "participant \"")) != NULL; p++) {
        const char *q = strchr(p + 13, '"');
        assert_non_null(q);
        assert_int_equal(strncmp(q, "\" as P", 6), 0);
    }
    assert_null(strstr(s, "<script"));
    assert_null(strchr(s, '\\'));
    assert_null(strchr(s, '['));
    free(s);
}

/* ---- HTML ---- */

static void test_html_report(void **state)
{
    (void)state;
    char path[128], err[256];
    rep_html *h = NULL;
    _tmpname(path, sizeof path, ".html");
    assert_int_equal(rep_html_open(&h, path, NULL, err, sizeof err), 0);
    cor_record a = _answered(), b = _hostile();
    rep_html_record(h, &a);
    rep_html_record(h, &b);
    json_object *tail = _tail();
    assert_int_equal(rep_html_finish(h, tail), 0);
    json_object_put(tail);

    char *s = _slurp(path);
    unlink(path);
    assert_int_equal(strncmp(s, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(s, "Content-Security-Policy"));
    assert_non_null(strstr(s, "default-src 'none'"));
    for (const char *p = strstr(s, "http:"); p; p = strstr(p + 4, "http:")) /* no fetch anywhere */
        assert_int_equal(strncmp(p, "http://www.w3.org/2000/svg", 26), 0);
    assert_null(strstr(s, "src=\"http"));
    assert_int_equal(_count(s, "<script"), 1); /* ours only */
    assert_int_equal(_count(s, "<tbody class=\"rec\""), 2);
    assert_int_equal(_count(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\""), 2);
    assert_int_equal(_count(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\""), 2);
    assert_non_null(strstr(s, "data-callid=\"1-2345@127.0.0.1\""));
    assert_non_null(strstr(s, "data-callid=\"cid&quot; onmouseover=&quot;alert(1)&lt;script&gt;"));
    assert_non_null(strstr(s, "data-outcome=\"busy\""));
    assert_non_null(strstr(s, "data-code=\"486\""));
    assert_non_null(strstr(s, "&lt;b&gt;X&lt;/b&gt;")); /* method name from stats */
    assert_non_null(strstr(s, "75.0 %"));               /* ASR */
    assert_non_null(strstr(s, "application/sdp"));
    assert_non_null(strstr(s, "<td>408</td>")); /* failures by code */
    _assert_xml_inert(s);
    free(s);

    assert_int_not_equal(rep_html_open(&h, "/nonexistent/dir/x.html", NULL, err, sizeof err), 0);
    assert_null(h);
    assert_non_null(strstr(err, "/nonexistent/dir/x.html"));
}

/* ---- Markdown ---- */

static void test_markdown(void **state)
{
    (void)state;
    char path[128], err[256];
    rep_markdown *m = NULL;
    _tmpname(path, sizeof path, ".md");
    assert_int_equal(rep_markdown_open(&m, path, err, sizeof err), 0);
    cor_record a = _answered(), b = _hostile();
    rep_markdown_record(m, &a);
    for (int i = 0; i < 60; i++)
        rep_markdown_record(m, &b);
    json_object *tail = _tail();
    assert_int_equal(rep_markdown_finish(m, tail), 0);

    char *s = _slurp(path);
    assert_non_null(strstr(s, "## sipscope summary\n"));
    assert_non_null(strstr(s, "| ASR | 75.0 % |\n"));
    assert_non_null(strstr(s, "| 486 | 1 |\n"));
    assert_non_null(strstr(s, "| call | answered | 1 |\n"));
    assert_non_null(strstr(s, "| call | busy :x: | 60 |\n"));
    assert_non_null(strstr(s, "### Failed (60, the first 50 shown)"));
    assert_int_equal(_count(s, "```mermaid\n"), REP_MD_MAX_FAILED);
    assert_int_equal(_count(s, "```"), 2 * REP_MD_MAX_FAILED);
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<img"));
    char *fence = strstr(s, "```mermaid");
    assert_non_null(fence);
    *fence = '\0'; /* outside the diagrams '@' is an entity: no @mentions */
    assert_null(strstr(s, "@enduml"));
    *fence = '`';
    assert_null(strstr(s, "https:"));
    _assert_clean_bytes(s);
    free(s);

    /* appends: a second summary after the first */
    assert_int_equal(rep_markdown_open(&m, path, err, sizeof err), 0);
    assert_int_equal(rep_markdown_finish(m, tail), 0);
    s = _slurp(path);
    assert_int_equal(_count(s, "## sipscope summary\n"), 2);
    assert_non_null(strstr(s, "None.\n"));
    free(s);
    unlink(path);
    json_object_put(tail);
}

/* ---- JUnit ---- */

static void test_junit(void **state)
{
    (void)state;
    char path[128], err[256];
    rep_junit *j = NULL;
    _tmpname(path, sizeof path, ".xml");
    assert_int_equal(rep_junit_open(&j, path, "a.pcap <b>.pcap", err, sizeof err), 0);
    cor_record a = _answered(), b = _hostile();
    rep_junit_record(j, &a);
    rep_junit_record(j, &b);
    cor_record reg = _answered();
    reg.kind = COR_KIND_REGISTRATION;
    reg.outcome = COR_OUT_NO_RESPONSE;
    reg.final_status = 0;
    rep_junit_record(j, &reg);
    cor_record live = _answered();
    live.outcome = COR_OUT_IN_PROGRESS;
    rep_junit_record(j, &live);
    cor_record opt = _answered();
    opt.kind = COR_KIND_OPTIONS;
    opt.outcome = COR_OUT_SUCCESS;
    rep_junit_record(j, &opt);

    json_object *tail = _tail(), *inputs = NULL, *summary = NULL;
    json_object_object_get_ex(tail, "summary", &summary);
    json_object_object_get_ex(summary, "inputs", &inputs);
    json_object_object_add(json_object_array_get_idx(inputs, 0), "error",
                           json_object_new_string("truncated <record>"));
    assert_int_equal(rep_junit_finish(j, tail), 0);
    json_object_put(tail);

    char *s = _slurp(path);
    unlink(path);
    assert_int_equal(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 51), 0);
    assert_non_null(strstr(s, "<testsuite name=\"a.pcap &lt;b&gt;.pcap\" tests=\"6\" failures=\"2\" errors=\"1\" "
                              "skipped=\"1\""));
    assert_non_null(strstr(s, "timestamp=\"2023-11-14T22:13:20\""));
    assert_int_equal(_count(s, "<testcase "), 6);
    assert_int_equal(_count(s, "<testcase classname=\"call\""), 3);
    assert_int_equal(_count(s, "<testcase classname=\"registration\""), 1);
    assert_int_equal(_count(s, "<testcase classname=\"options\""), 1);
    assert_int_equal(_count(s, "<testcase classname=\"capture\""), 1);
    assert_non_null(strstr(s, "<failure message=\"486 &lt;script&gt;"));
    assert_non_null(strstr(s, "type=\"busy\""));
    assert_non_null(strstr(s, "<failure message=\"no final response\" type=\"no_response\""));
    assert_non_null(strstr(s, "<skipped message="));
    assert_non_null(strstr(s, "<error message=\"truncated &lt;record&gt;\""));
    assert_non_null(strstr(s, "<property name=\"packets\" value=\"100\"/>"));
    assert_non_null(strstr(s, "<property name=\"asr\" value=\"0.7500\"/>"));
    assert_non_null(strstr(s, "last 3 of 3 messages:"));
    assert_non_null(strstr(s, "name=\"Call-ID 1-2345@127.0.0.1 (sip:alice@a.example -&gt; sip:bob@b.example)\" "
                              "time=\"0.900000\""));
    _assert_xml_inert(s);
    free(s);
}

/* ---- gate ---- */

typedef struct _gcase {
    const char *expr;
    int want; /* 1 holds, 0 not, -1 eval error */
} _gcase;

static void test_gate_table(void **state)
{
    (void)state;
    static const _gcase cases[] = {
        {"asr < 0.95", 1},
        {"asr < 0.5", 0},
        {"asr < 95%", 1},
        {"  asr>=0.75  ", 1},
        {"stats.calls.asr == 0.75", 1},
        {"responses.5xx > 0", 0},
        {"responses.4xx >= 2", 1},
        {"responses.4XX == 2", 1},
        {"responses.408 == 1", 1},
        {"responses.503 > 0", 0},
        {"responses.503 == 0", 1},
        {"stats.responses.408 > 0", 1},
        {"stats.responses.404 != 0", 0},
        {"stats.final_by_method.BYE.200 == 0", 1},
        {"setup_ms.p95 > 150", 1},
        {"setup_ms.p95 > 2000", 0},
        {"stats.setup_ms.p95 <= 180", 1},
        {"retransmissions > 2", 1},
        {"summary.retransmissions > 10", 0},
        {"calls.failed >= 1", 1},
        {"calls.failed > 1", 0},
        {"calls.cancelled > 0", 0},
        {"calls.answered < 6", 0},
        {"calls.total == 8", 1},
        {"malformed > 0", 1},
        {"malformed > 5", 0},
        {"response_ms.INVITE.p95 > 200", 1},
        {"response_ms.INVITE.p95 > 1000", 0},
        {"anomalies.malformed.bad_start_line == 2", 1},
        {"summary.call_ids_exact == 1", 1},
        {"requests.INVITE >= 10", 1},
        {"summary.packets > 1e3", 0},
        {"summary.packets < -1", 0},
        /* evaluation errors: not in the report */
        {"summary.nosuch > 1", -1},
        {"response_ms.BYE.p95 > 1", -1},
        {"stats.calls > 1", -1},
        {"pdd_ms.p95 > 1", -1},
        {"summary.first > 1", -1},
        {"summary.inputs.x > 1", -1},
    };
    json_object *tail = _tail();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rep_gate *g = NULL;
        char err[512] = "";
        double v = -12345;
        if (rep_gate_parse(&g, cases[i].expr, err, sizeof err) != 0)
            fail_msg("parse '%s': %s", cases[i].expr, err);
        int got = rep_gate_eval(g, tail, &v, err, sizeof err);
        if (got != cases[i].want)
            fail_msg("'%s': got %d want %d (value %g, err %s)", cases[i].expr, got, cases[i].want, v, err);
        if (got < 0)
            assert_non_null(strstr(err, "--fail-if '"));
        assert_string_equal(rep_gate_text(g), cases[i].expr);
        rep_gate_free(g);
    }
    json_object_put(tail);

    /* asr with no calls: null, an error rather than a pass */
    json_object *t2 = json_tokener_parse("{\"stats\":{\"calls\":{\"total\":0,\"asr\":null}}}");
    rep_gate *g = NULL;
    char err[512];
    assert_int_equal(rep_gate_parse(&g, "asr < 0.95", err, sizeof err), 0);
    assert_int_equal(rep_gate_eval(g, t2, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "null"));
    assert_int_equal(rep_gate_eval(g, NULL, NULL, err, sizeof err), -1);
    rep_gate_free(g);
    json_object_put(t2);
    rep_gate_free(NULL);
}

static void test_gate_syntax_errors(void **state)
{
    (void)state;
    static const struct {
        const char *expr, *msg;
    } cases[] = {
        {"asr <", "--fail-if 'asr <': expected a number after '<'"},
        {"", "empty expression"},
        {"   ", "empty expression"},
        {"asr", "expected one of < <= > >= == != after 'asr', got end of expression"},
        {"asr = 1", "did you mean '=='"},
        {"asr => 1", "did you mean '=='"},
        {"foo < 1", "unknown name 'foo'"},
        {"responses < 1", "unknown name 'responses'"},
        {"asr < 1 and calls.failed > 0", "unexpected 'and' after the number"},
        {"< 1", "expected a name"},
        {"1 < asr", "expected a name"},
        {"asr < abc", "expected a number after '<'"},
        {"asr < 0x10", "unexpected 'x10'"},
        {"asr < inf", "expected a number"},
        {"asr < nan", "expected a number"},
        {"asr..x < 1", "empty segment"},
        {"asr. < 1", "empty segment"},
        {"asr <= ", "expected a number after '<='"},
        {"asr != -", "expected a number after '!='"},
        {"asr < 1e999", "out of range"},
        {"stats.a.b.c.d.e.f.g.h.i < 1", "too deep"},
        {"asr \x1b[2J< 1", "expected one of"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rep_gate *g = (rep_gate *)1;
        char err[512] = "";
        assert_int_equal(rep_gate_parse(&g, cases[i].expr, err, sizeof err), -1);
        assert_null(g);
        if (strstr(err, cases[i].msg) == NULL)
            fail_msg("'%s': message '%s' lacks '%s'", cases[i].expr, err, cases[i].msg);
        assert_null(strchr(err, '\x1b'));
    }
    rep_gate *g = NULL;
    char err[16];
    assert_int_equal(rep_gate_parse(&g, "asr <", err, sizeof err), -1); /* short buffer: cut, terminated */
    assert_int_equal(strlen(err), sizeof err - 1);
}

/* ---- merge ---- */

static void _write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_merge(void **state)
{
    (void)state;
    char a[128], b[128], o[128], bad[128];
    _tmpname(a, sizeof a, ".json");
    _tmpname(b, sizeof b, ".json");
    _tmpname(o, sizeof o, ".json");
    _tmpname(bad, sizeof bad, ".json");
    char doc[4096];
    snprintf(doc, sizeof doc,
             "{\"schema\":\"sipscope-report/1\",\"generator\":{\"name\":\"sipscope\"},\"dialogs\":"
             "[{\"id\":1,\"call_id\":\"x\"},{\"id\":2,\"call_id\":\"y\"}],%s",
             _tail_text + 1);
    _write(a, doc);
    _write(b,
           "{\"schema\":\"sipscope-report/1\",\"dialogs\":[{\"id\":1,\"call_id\":\"z\"}],"
           "\"filter\":{\"expressions\":[\"code=5xx\"],\"applies_to\":\"dialogs\"},"
           "\"summary\":{\"packets\":10,\"retransmissions\":1,\"calls\":2,\"first\":\"2023-11-14T22:00:00.000000Z\","
           "\"last\":\"2023-11-14T23:00:00.000000Z\",\"inputs\":[{\"name\":\"b.pcap\"}]},"
           "\"stats\":{\"responses\":{\"200\":1,\"503\":1},\"classes\":{\"5xx\":1},"
           "\"calls\":{\"total\":2,\"answered\":1,\"failed\":1,\"asr\":0.5},"
           "\"setup_ms\":{\"count\":2,\"min\":5,\"avg\":100,\"max\":400,\"p50\":100,\"p90\":300,\"p95\":400,"
           "\"p99\":400},\"final_by_method\":{\"INVITE\":{\"200\":1,\"503\":1}}},"
           "\"anomalies\":{\"malformed\":{\"bad_start_line\":1}}}");
    _write(bad, "{\"schema\":\"other/1\"}");

    char *argv[] = {"merge", a, b, "-o", o, NULL};
    assert_int_equal(rep_merge_main(5, argv), 0);
    json_object *m = json_object_from_file(o);
    assert_non_null(m);
    json_object *v;
    rep_gate *g;
    char err[256];
#define GATE(expr, want)                                                                                            \
    do {                                                                                                            \
        assert_int_equal(rep_gate_parse(&g, expr, err, sizeof err), 0);                                             \
        int _r = rep_gate_eval(g, m, NULL, err, sizeof err);                                                        \
        if (_r != (want))                                                                                           \
            fail_msg("merged: '%s' got %d (%s)", expr, _r, err);                                                    \
        rep_gate_free(g);                                                                                           \
    } while (0)
    GATE("summary.packets == 110", 1);
    GATE("retransmissions == 4", 1);
    GATE("calls.total == 10", 1);
    GATE("calls.answered == 7", 1);
    GATE("asr == 0.7", 1);
    GATE("responses.200 == 9", 1);
    GATE("responses.503 == 1", 1);
    GATE("responses.5xx == 1", 1);
    GATE("stats.final_by_method.INVITE.200 == 7", 1);
    GATE("setup_ms.count == 8", 1);
    GATE("setup_ms.min == 5", 1);
    GATE("setup_ms.max == 400", 1);
    GATE("setup_ms.avg == 63", 1);         /* (50*6 + 100*2) / 8 = 62.5 */
    GATE("stats.setup_ms.approximate == 1", 1);
    GATE("response_ms.INVITE.p95 == 250", 1); /* one input only: exact */
    GATE("anomalies.malformed.bad_start_line == 3", 1);
    GATE("summary.call_ids_exact == 0", 1);
#undef GATE
    assert_true(json_object_object_get_ex(m, "summary", &v));
    assert_true(json_object_object_get_ex(v, "first", &v));
    assert_string_equal(json_object_get_string(v), "2023-11-14T22:00:00.000000Z");
    assert_true(json_object_object_get_ex(m, "dialogs", &v));
    assert_int_equal(json_object_array_length(v), 3);
    json_object *d3 = json_object_array_get_idx(v, 2), *x;
    assert_true(json_object_object_get_ex(d3, "id", &x));
    assert_int_equal(json_object_get_int(x), 3);
    assert_true(json_object_object_get_ex(d3, "source", &x));
    assert_true(json_object_object_get_ex(m, "merged_from", &v));
    assert_int_equal(json_object_array_length(v), 2);
    /* input 1's filter chose its dialogs; input 0 had none */
    assert_true(json_object_object_get_ex(m, "filters", &v));
    assert_int_equal(json_object_array_length(v), 2);
    assert_null(json_object_array_get_idx(v, 0));
    assert_true(json_object_object_get_ex(json_object_array_get_idx(v, 1), "expressions", &x));
    assert_string_equal(json_object_get_string(json_object_array_get_idx(x, 0)), "code=5xx");
    assert_true(json_object_object_get_ex(m, "schema", &v));
    assert_string_equal(json_object_get_string(v), "sipscope-report/1");
    json_object_put(m);

    char *argv_aa[] = {"merge", a, a, "-o", o, NULL}; /* no input filtered: no "filters" */
    assert_int_equal(rep_merge_main(5, argv_aa), 0);
    m = json_object_from_file(o);
    assert_false(json_object_object_get_ex(m, "filters", &v));
    json_object_put(m);

    char *argv2[] = {"merge", a, b, "--no-dialogs", "-o", o, NULL};
    assert_int_equal(rep_merge_main(6, argv2), 0);
    m = json_object_from_file(o);
    assert_true(json_object_object_get_ex(m, "dialogs", &v));
    assert_int_equal(json_object_array_length(v), 0);
    json_object_put(m);

    char *argv3[] = {"merge", a, bad, "-o", o, NULL};
    assert_int_equal(rep_merge_main(5, argv3), 2);
    char *argv4[] = {"merge", a, "/nonexistent.json", NULL};
    assert_int_equal(rep_merge_main(3, argv4), 2);
    char *argv5[] = {"merge", NULL};
    assert_int_equal(rep_merge_main(1, argv5), 2);
    char *argv6[] = {"merge", a, "--bogus", NULL};
    assert_int_equal(rep_merge_main(3, argv6), 2);
    unlink(a);
    unlink(b);
    unlink(o);
    unlink(bad);
}

/* The value at a dotted path of a merged document; fails the test when absent. */
static json_object *_at(json_object *m, const char *path)
{
    char parent[256];
    const char *last = strrchr(path, '.');
    json_object *p = m, *v = NULL;
    if (last) {
        snprintf(parent, sizeof parent, "%.*s", (int)(last - path), path);
        p = rep_out_jget(m, parent);
    }
    if (!json_object_is_type(p, json_type_object) || !json_object_object_get_ex(p, last ? last + 1 : path, &v))
        fail_msg("merged: no %s", path); /* a null value is there: returns NULL */
    return v;
}

#define AT_INT(m, path, want) assert_int_equal(json_object_get_int64(_at(m, path)), (want))
#define AT_DBL(m, path, want) assert_float_equal(json_object_get_double(_at(m, path)), (want), 1e-9)
#define AT_STR(m, path, want) assert_string_equal(json_object_get_string(_at(m, path)), (want))

/* Two hand-written reports whose merged figures can be worked out by hand
 * (the working is in the comments next to each check). */
static const char *_merge_c =
    "{\"schema\":\"sipscope-report/1\","
    "\"dialogs\":[{\"id\":1,\"call_id\":\"c1\",\"related\":[2]},{\"id\":2,\"call_id\":\"c2\",\"related\":[1,9]}],"
    "\"encrypted\":{\"tls_flows\":[{\"client\":\"10.0.0.1:40000\",\"server\":\"10.0.0.2:5061\",\"packets\":4}],"
    "\"tls_flows_not_listed\":1},"
    "\"summary\":{\"packets\":1},\"stats\":{},\"anomalies\":{},"
    /* 4 attempts: 2 answered (1 completed), 486, 503 */
    "\"metrics\":{\"RRD\":{\"count\":2,\"min\":10,\"avg\":20,\"max\":30,\"p50\":10,\"p90\":30,\"p95\":30,\"p99\":30},"
    "\"IRA\":50.0,\"SRD\":{\"count\":0},\"SER\":50.0,\"SEER\":75.0,\"ISA\":25.0,\"SCR\":25.0,\"ASR\":50.0,"
    "\"NER\":75.0,\"session_attempts\":4,\"sessions_undecided\":1,\"failure_causes\":{\"486\":1,\"503\":1},"
    "\"failure_causes_by_reason\":{\"SIP;cause=503\":1}},"
    "\"breakdowns\":{\"by_caller\":{\"cap\":1000,\"keys\":3,\"overflow_calls\":0,\"top\":["
    "{\"key\":\"alice@a\",\"attempted\":2,\"answered\":1,\"failed\":1,\"ASR\":50.0,\"NER\":50.0,"
    "\"setup_ms\":{\"count\":1,\"p50\":100,\"p90\":100,\"p95\":100,\"p99\":100},"
    "\"pdd_ms\":{\"count\":0,\"p50\":null,\"p90\":null,\"p95\":null,\"p99\":null}},"
    "{\"key\":\"bob@b\",\"attempted\":1,\"answered\":1,\"failed\":0,\"ASR\":100.0,\"NER\":100.0,"
    "\"setup_ms\":{\"count\":1,\"p50\":50,\"p90\":50,\"p95\":50,\"p99\":50},"
    "\"pdd_ms\":{\"count\":0,\"p50\":null,\"p90\":null,\"p95\":null,\"p99\":null}}],"
    "\"other\":{\"attempted\":1,\"answered\":0,\"failed\":1,\"ASR\":0.0,\"NER\":0.0,"
    "\"setup_ms\":{\"count\":0},\"pdd_ms\":{\"count\":0}}}},"
    "\"registration_summary\":{\"dialogs\":2,\"attempted\":2,\"succeeded\":1,\"failed\":1,"
    "\"failed_by_code\":{\"403\":1},\"no_response\":0,\"challenge_round_trips\":1},"
    "\"subscription_summary\":{\"dialogs\":1,\"failed_by_code\":{\"489\":1},\"notify_only\":0},"
    "\"registrations\":[{\"aor\":\"sip:a@x\",\"attempts\":2}],\"registrations_not_listed\":2,"
    "\"subscriptions\":[{\"call_id\":\"s1\",\"event\":\"presence\"}],\"watchers\":[],"
    "\"subscriptions_by_event\":{\"presence\":{\"dialogs\":1,\"notifies\":2}},"
    "\"conversation_summary\":{\"transfers\":{\"refers\":1},\"microsoft\":{\"service_actions\":{\"setPresence\":1}}}}";

static const char *_merge_d =
    "{\"schema\":\"sipscope-report/1\","
    "\"dialogs\":[{\"id\":5,\"call_id\":\"d5\",\"related\":[4]},{\"id\":4,\"call_id\":\"d4\",\"related\":[5]}],"
    "\"summary\":{\"packets\":2},\"stats\":{},\"anomalies\":{},"
    /* 3 attempts: 1 answered (not completed), 302, no final response */
    "\"metrics\":{\"RRD\":{\"count\":1,\"min\":40,\"avg\":40,\"max\":40,\"p50\":40,\"p90\":40,\"p95\":40,\"p99\":40},"
    "\"IRA\":100.0,\"SRD\":{\"count\":0},\"SER\":50.0,\"SEER\":50.0,\"ISA\":33.33,\"SCR\":0.0,\"ASR\":33.33,"
    "\"NER\":33.33,\"session_attempts\":3,\"sessions_undecided\":0,\"failure_causes\":{\"302\":1,\"none\":1},"
    "\"failure_causes_by_reason\":{\"SIP;cause=503\":2,\"SIP;cause=480\":1}},"
    "\"breakdowns\":{\"by_caller\":{\"cap\":1000,\"keys\":2,\"overflow_calls\":0,\"top\":["
    "{\"key\":\"bob@b\",\"attempted\":3,\"answered\":0,\"failed\":3,\"ASR\":0.0,\"NER\":33.33,"
    "\"setup_ms\":{\"count\":0,\"p50\":null,\"p90\":null,\"p95\":null,\"p99\":null},"
    "\"pdd_ms\":{\"count\":0,\"p50\":null,\"p90\":null,\"p95\":null,\"p99\":null}},"
    "{\"key\":\"carol@c\",\"attempted\":2,\"answered\":2,\"failed\":0,\"ASR\":100.0,\"NER\":100.0,"
    "\"setup_ms\":{\"count\":2,\"p50\":200,\"p90\":300,\"p95\":300,\"p99\":300},"
    "\"pdd_ms\":{\"count\":2,\"p50\":10,\"p90\":20,\"p95\":20,\"p99\":20}}],\"other\":null}},"
    "\"registration_summary\":{\"dialogs\":1,\"attempted\":1,\"succeeded\":0,\"failed\":0,"
    "\"failed_by_code\":{},\"no_response\":1,\"challenge_round_trips\":0},"
    "\"subscription_summary\":{\"dialogs\":2,\"failed_by_code\":{\"489\":1,\"403\":2},\"notify_only\":1},"
    "\"registrations\":[{\"aor\":\"sip:b@x\",\"attempts\":1}],"
    "\"watchers\":[{\"subscriber\":\"w\",\"resource\":\"r\"}],"
    "\"subscriptions_by_event\":{\"presence\":{\"dialogs\":1,\"notifies\":1},\"dialog\":{\"dialogs\":1}},"
    "\"conversation_summary\":{\"transfers\":{\"refers\":2},"
    "\"microsoft\":{\"service_actions\":{\"setPresence\":2,\"addContact\":1}}}}";

static void test_merge_sections(void **state)
{
    (void)state;
    char c[128], d[128], o[128];
    _tmpname(c, sizeof c, ".json");
    _tmpname(d, sizeof d, ".json");
    _tmpname(o, sizeof o, ".json");
    _write(c, _merge_c);
    _write(d, _merge_d);
    char *argv[] = {"merge", c, d, "-o", o, NULL};
    assert_int_equal(rep_merge_main(5, argv), 0);
    json_object *m = json_object_from_file(o), *v, *e;
    assert_non_null(m);

    /* metrics: 7 attempts, causes 486, 503, 302, none -> 3 answered, 6 not redirected */
    AT_INT(m, "metrics.session_attempts", 7);
    AT_INT(m, "metrics.sessions_undecided", 1);
    AT_INT(m, "metrics.failure_causes.486", 1);
    AT_INT(m, "metrics.failure_causes.none", 1);
    AT_DBL(m, "metrics.ASR", 42.86);  /* 3/7 */
    AT_DBL(m, "metrics.SER", 50.0);   /* 3/6 */
    AT_DBL(m, "metrics.SEER", 66.67); /* (3 + 486)/6 */
    AT_DBL(m, "metrics.ISA", 28.57);  /* (503 + no final)/7, D's 1 read back from 33.33 of 3 */
    AT_DBL(m, "metrics.SCR", 14.29);  /* (1 + 0)/7 */
    AT_DBL(m, "metrics.NER", 57.14);  /* (3 + 1)/7 */
    AT_DBL(m, "metrics.IRA", 66.67);  /* (403 + no response)/(2 + 1) */
    assert_false(json_object_object_get_ex(_at(m, "metrics"), "approximate_ratios", NULL));
    AT_INT(m, "metrics.RRD.count", 3);
    AT_INT(m, "metrics.RRD.min", 10);
    AT_INT(m, "metrics.RRD.max", 40);
    AT_INT(m, "metrics.RRD.avg", 27); /* (20*2 + 40)/3 = 26.7 */
    AT_INT(m, "metrics.RRD.p50", 20); /* (10*2 + 40)/3, approximate */
    assert_true(json_object_get_boolean(_at(m, "metrics.RRD.approximate")));
    AT_INT(m, "metrics.SRD.count", 0);
    AT_INT(m, "metrics.failure_causes_by_reason.SIP;cause=503", 3);
    AT_INT(m, "metrics.failure_causes_by_reason.SIP;cause=480", 1);

    /* breakdowns: bob 1+3 attempts, alice 2, carol 2 (tie: by key), C's other */
    AT_INT(m, "breakdowns.by_caller.keys", 3);
    AT_INT(m, "breakdowns.by_caller.cap", 1000);
    AT_INT(m, "breakdowns.by_caller.overflow_calls", 0);
    v = _at(m, "breakdowns.by_caller.top");
    assert_int_equal(json_object_array_length(v), 3);
    e = json_object_array_get_idx(v, 0);
    AT_STR(e, "key", "bob@b");
    AT_INT(e, "attempted", 4);
    AT_INT(e, "answered", 1);
    AT_INT(e, "failed", 3);
    AT_DBL(e, "ASR", 25.0);
    AT_DBL(e, "NER", 50.0); /* (1 + 1)/4 */
    AT_INT(e, "setup_ms.count", 1);
    AT_INT(e, "setup_ms.p50", 50);
    assert_false(json_object_object_get_ex(_at(e, "setup_ms"), "approximate", NULL)); /* one input fed it */
    assert_null(_at(e, "pdd_ms.p50"));
    AT_STR(json_object_array_get_idx(v, 1), "key", "alice@a");
    e = json_object_array_get_idx(v, 2);
    AT_STR(e, "key", "carol@c");
    AT_DBL(e, "ASR", 100.0);
    AT_INT(e, "pdd_ms.p90", 20);
    AT_INT(m, "breakdowns.by_caller.other.attempted", 1);
    AT_INT(m, "breakdowns.by_caller.other.failed", 1);
    assert_false(json_object_object_get_ex(_at(m, "breakdowns"), "by_callee", NULL)); /* no input had it */

    /* summed sections */
    AT_INT(m, "registration_summary.attempted", 3);
    AT_INT(m, "registration_summary.no_response", 1);
    AT_INT(m, "registration_summary.failed_by_code.403", 1);
    AT_INT(m, "subscription_summary.dialogs", 3);
    AT_INT(m, "subscription_summary.notify_only", 1);
    AT_INT(m, "subscription_summary.failed_by_code.489", 2);
    AT_INT(m, "subscription_summary.failed_by_code.403", 2);
    AT_INT(m, "subscriptions_by_event.presence.dialogs", 2);
    AT_INT(m, "subscriptions_by_event.presence.notifies", 3);
    AT_INT(m, "subscriptions_by_event.dialog.dialogs", 1);
    AT_INT(m, "conversation_summary.transfers.refers", 3);
    AT_INT(m, "conversation_summary.microsoft.service_actions.setPresence", 3);
    AT_INT(m, "conversation_summary.microsoft.service_actions.addContact", 1);

    /* arrays: concatenated in input order with their input; D has no encrypted, no subscriptions */
    v = _at(m, "encrypted.tls_flows");
    assert_int_equal(json_object_array_length(v), 1);
    AT_INT(json_object_array_get_idx(v, 0), "source.input", 0);
    AT_INT(m, "encrypted.tls_flows_not_listed", 1);
    v = _at(m, "registrations");
    assert_int_equal(json_object_array_length(v), 2);
    AT_STR(json_object_array_get_idx(v, 1), "aor", "sip:b@x");
    AT_INT(json_object_array_get_idx(v, 1), "source.input", 1);
    AT_INT(m, "registrations_not_listed", 2);
    assert_int_equal(json_object_array_length(_at(m, "subscriptions")), 1);
    v = _at(m, "watchers");
    assert_int_equal(json_object_array_length(v), 1);
    AT_INT(json_object_array_get_idx(v, 0), "source.input", 1);

    /* dialogs: C 1,2 -> 1,2; D 5,4 -> 3,4; related[] follows, C's 9 (not in C) dropped */
    v = _at(m, "dialogs");
    assert_int_equal(json_object_array_length(v), 4);
    static const int want_related[4] = {2, 1, 4, 3};
    for (size_t i = 0; i < 4; i++) {
        json_object *dl = json_object_array_get_idx(v, i), *rel = _at(dl, "related");
        AT_INT(dl, "id", (int64_t)i + 1);
        assert_int_equal(json_object_array_length(rel), 1);
        assert_int_equal(json_object_get_int(json_object_array_get_idx(rel, 0)), want_related[i]);
    }
    AT_INT(json_object_array_get_idx(v, 2), "source.id", 5);
    json_object_put(m);

    /* --no-dialogs keeps the arrays; a report without the new sections adds nothing to them */
    char *argv2[] = {"merge", c, d, "--no-dialogs", "-o", o, NULL};
    assert_int_equal(rep_merge_main(6, argv2), 0);
    m = json_object_from_file(o);
    assert_int_equal(json_object_array_length(_at(m, "dialogs")), 0);
    assert_int_equal(json_object_array_length(_at(m, "registrations")), 2);
    json_object_put(m);
    _write(d, "{\"schema\":\"sipscope-report/1\",\"summary\":{\"packets\":5},\"stats\":{}}");
    assert_int_equal(rep_merge_main(5, argv), 0);
    m = json_object_from_file(o);
    AT_INT(m, "metrics.session_attempts", 4);
    AT_DBL(m, "metrics.NER", 75.0);
    AT_INT(m, "metrics.RRD.avg", 20);
    assert_false(json_object_object_get_ex(_at(m, "metrics.RRD"), "approximate", NULL));
    AT_INT(m, "subscription_summary.dialogs", 1);
    assert_int_equal(json_object_array_length(_at(m, "registrations")), 1);
    json_object_put(m);
    char *argv3[] = {"merge", d, "-o", o, NULL}; /* only old reports: no new section appears */
    assert_int_equal(rep_merge_main(4, argv3), 0);
    m = json_object_from_file(o);
    assert_false(json_object_object_get_ex(m, "metrics", NULL));
    assert_false(json_object_object_get_ex(m, "encrypted", NULL));
    assert_false(json_object_object_get_ex(m, "registrations", NULL));
    json_object_put(m);

    /* a percentage over more than 10,000 attempts cannot be read back exactly */
    _write(d, "{\"schema\":\"sipscope-report/1\",\"summary\":{},\"stats\":{},\"metrics\":{\"ISA\":12.34,"
              "\"session_attempts\":20000,\"failure_causes\":{\"408\":2468}}}");
    assert_int_equal(rep_merge_main(5, argv), 0);
    m = json_object_from_file(o);
    AT_DBL(m, "metrics.ISA", 12.34); /* (1 + 2468)/20004 */
    AT_DBL(m, "metrics.ASR", 87.65); /* (2 + 17532)/20004 = 0.87652: exact from the counts */
    v = _at(m, "metrics.approximate_ratios");
    assert_int_equal(json_object_array_length(v), 1);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "ISA");
    json_object_put(m);
    unlink(c);
    unlink(d);
    unlink(o);
}

/* A breakdown key cap of REP_BD_CAP over the merge: keys first seen when
 * it is full go into other and overflow_calls. */
static void test_merge_breakdown_cap(void **state)
{
    (void)state;
    char p[2][128], o[128];
    static const int nkeys[2] = {REP_BD_CAP - 10, 25};
    for (int f = 0; f < 2; f++) {
        _tmpname(p[f], sizeof p[f], ".json");
        json_object *doc = json_tokener_parse("{\"schema\":\"sipscope-report/1\",\"summary\":{},\"stats\":{},"
                                              "\"breakdowns\":{\"by_callee\":{\"overflow_calls\":1,\"top\":[]}},"
                                              "\"metrics\":{\"failure_causes_by_reason\":{\"other\":2}}}");
        json_object *top = rep_out_jget(doc, "breakdowns.by_callee.top");
        json_object *reasons = rep_out_jget(doc, "metrics.failure_causes_by_reason");
        for (int k = 0; k < nkeys[f]; k++) {
            char key[32];
            snprintf(key, sizeof key, "%c%d", f ? 'g' : 'k', k);
            json_object *e = json_object_new_object();
            json_object_object_add(e, "key", json_object_new_string(key));
            json_object_object_add(e, "attempted", json_object_new_int(f ? 1 : 2));
            json_object_object_add(e, "answered", json_object_new_int(1));
            json_object_array_add(top, e);
            json_object_object_add(reasons, key, json_object_new_int(1));
        }
        assert_int_equal(json_object_to_file(p[f], doc), 0);
        json_object_put(doc);
    }
    _tmpname(o, sizeof o, ".json");
    char *argv[] = {"merge", p[0], p[1], "-o", o, NULL};
    assert_int_equal(rep_merge_main(5, argv), 0);
    json_object *m = json_object_from_file(o);
    assert_non_null(m);
    AT_INT(m, "breakdowns.by_callee.keys", REP_BD_CAP);          /* 990 k + the first 10 g */
    AT_INT(m, "breakdowns.by_callee.overflow_calls", 2 + 15);    /* the inputs' 1 each + 15 g keys */
    assert_int_equal(json_object_array_length(_at(m, "breakdowns.by_callee.top")), REP_BD_TOP);
    /* ties of 2 attempts sorted by key: k0, k1, k10, k100, ... */
    AT_STR(json_object_array_get_idx(_at(m, "breakdowns.by_callee.top"), 0), "key", "k0");
    AT_STR(json_object_array_get_idx(_at(m, "breakdowns.by_callee.top"), 2), "key", "k10");
    AT_INT(m, "breakdowns.by_callee.other.attempted", 990 * 2 + 25 - 20 * 2);
    AT_INT(m, "breakdowns.by_callee.other.answered", 990 + 25 - 20);
    AT_DBL(m, "breakdowns.by_callee.other.ASR", 50.64); /* 995 / 1965 */
    json_object *r = _at(m, "metrics.failure_causes_by_reason");
    assert_int_equal(json_object_object_length(r), REP_BD_CAP + 1);
    AT_INT(r, "other", 2 + 2 + 15);
    AT_INT(r, "g9", 1);
    assert_false(json_object_object_get_ex(r, "g10", NULL));
    json_object_put(m);
    unlink(p[0]);
    unlink(p[1]);
    unlink(o);
}

/* ---- the JSON report's direct writer against json-c ---- */

static const int JFLAGS = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

/* Every ASCII byte, alone and inside text, quoted as json-c quotes it. */
static void test_json_quote_matches_jsonc(void **state)
{
    (void)state;
    char in[8], out[64];
    for (int c = 1; c < 128; c++) {
        snprintf(in, sizeof in, "a%cb", c);
        json_object *o = json_object_new_string(in);
        const char *want = json_object_to_json_string_ext(o, JFLAGS);
        size_t n = rep_json_quote(out, in, strlen(in));
        out[n] = '\0';
        assert_string_equal(out, want);
        json_object_put(o);
    }
    const char *utf8 = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e \"q\" \\ / \t";
    json_object *o = json_object_new_string(utf8);
    char big[256];
    size_t n = rep_json_quote(big, utf8, strlen(utf8));
    big[n] = '\0';
    assert_string_equal(big, json_object_to_json_string_ext(o, JFLAGS));
    json_object_put(o);
}

/* A dialog with every optional part: the text must parse, carry the
 * values, and equal json-c's own serialization of what it parsed to. */
static void test_json_dialog_matches_jsonc(void **state)
{
    (void)state;
    cor_msg msgs[2];
    memset(msgs, 0, sizeof msgs);
    msgs[0].ts_us = 1700000000123456LL;
    msgs[0].frame_no = 7;
    msgs[0].src.family = 4;
    msgs[0].src.ip[0] = 10, msgs[0].src.ip[3] = 1, msgs[0].src.port = 5060;
    msgs[0].dst.family = 6;
    msgs[0].dst.ip[15] = 1, msgs[0].dst.port = 5062;
    msgs[0].is_request = 1;
    msgs[0].method_name = "INVITE";
    msgs[0].reason = "";
    msgs[0].cseq = 4294967295u;
    msgs[1] = msgs[0];
    msgs[1].ts_us = 1700000001000001LL;
    msgs[1].is_request = 0;
    msgs[1].status = 401;
    msgs[1].reason = "Unauth\xe9\x01rized \"x\"";
    msgs[1].retransmission = 1;
    msgs[1].defects = SIP_DEF_BAD_VIA | SIP_DEF_BAD_CONTACT;
    cor_txn txn;
    memset(&txn, 0, sizeof txn);
    txn.method_name = "INVITE";
    txn.cseq = 1;
    txn.start_us = 1000;
    txn.final_us = 251000;
    txn.final_status = 401;
    txn.requests = 1;
    txn.responses = 1;
    txn.auth_scheme = SIP_AUTH_DIGEST;
    cor_record rec;
    memset(&rec, 0, sizeof rec);
    rec.id = 42;
    rec.call_id = "cid\x80<&>@h";
    rec.kind = COR_KIND_CALL;
    rec.from = "sip:a@h";
    rec.to = "sip:b@h";
    rec.from_tag = "ft";
    rec.to_tag = "";
    rec.user_agent = "UA\\1";
    rec.final_status = 401;
    rec.final_reason = "Unauthorized";
    rec.first_us = msgs[0].ts_us;
    rec.last_us = msgs[1].ts_us;
    rec.setup_ms = -1;
    rec.pdd_ms = 3;
    rec.duration_ms = -1;
    rec.msgs = msgs;
    rec.nmsgs = 2;
    rec.txns = &txn;
    rec.ntxns = 1;
    rec.msgs_dropped = 5;

    char *copy = jw_dialog_checked(&rec);
    json_object *o = json_tokener_parse(copy);
    assert_non_null(o);

    json_object *v, *m, *x;
    assert_true(json_object_object_get_ex(o, "call_id", &v));
    assert_string_equal(json_object_get_string(v), "cid\\x80<&>@h");
    assert_true(json_object_object_get_ex(o, "setup_ms", &v));
    assert_null(v);
    assert_true(json_object_object_get_ex(o, "pdd_ms", &v));
    assert_int_equal(json_object_get_int(v), 3);
    assert_true(json_object_object_get_ex(o, "messages_not_kept", &v));
    assert_int_equal(json_object_get_int(v), 5);
    assert_true(json_object_object_get_ex(o, "transactions", &v));
    x = json_object_array_get_idx(v, 0);
    assert_true(json_object_object_get_ex(x, "response_ms", &v));
    assert_int_equal(json_object_get_int(v), 250);
    assert_true(json_object_object_get_ex(x, "auth_scheme", &v));
    assert_string_equal(json_object_get_string(v), "Digest");
    assert_true(json_object_object_get_ex(o, "messages", &m));
    assert_int_equal(json_object_array_length(m), 2);
    x = json_object_array_get_idx(m, 0);
    assert_true(json_object_object_get_ex(x, "time", &v));
    assert_string_equal(json_object_get_string(v), "2023-11-14T22:13:20.123456Z");
    assert_true(json_object_object_get_ex(x, "src", &v));
    assert_string_equal(json_object_get_string(v), "10.0.0.1:5060");
    assert_true(json_object_object_get_ex(x, "dst", &v));
    assert_string_equal(json_object_get_string(v), "[::1]:5062");
    assert_true(json_object_object_get_ex(x, "cseq", &v));
    assert_int_equal(json_object_get_int64(v), 4294967295LL);
    x = json_object_array_get_idx(m, 1);
    assert_true(json_object_object_get_ex(x, "time", &v));
    assert_string_equal(json_object_get_string(v), "2023-11-14T22:13:21.000001Z");
    assert_true(json_object_object_get_ex(x, "reason", &v));
    assert_string_equal(json_object_get_string(v), "Unauth\\xE9\x01rized \"x\"");
    assert_true(json_object_object_get_ex(x, "defects", &v));
    assert_int_equal(json_object_array_length(v), 2);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "bad_via");
    json_object_put(o);
    free(copy);
}

/* ---- the JSON writer's integers: every digit count and both ends ---- */
static void test_jw_int(void **state)
{
    (void)state;
    static const int64_t vals[] = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 123456789,
                                   -1, -9, -10, -99, -100, -12345, 9999999999LL, INT64_MAX,
                                   INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        rep_jw *w = rep_jw_new();
        assert_non_null(w);
        rep_jw_int(w, vals[i]);
        size_t len = 0;
        const char *t = rep_jw_text(w, &len);
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)vals[i]);
        assert_int_equal(len, strlen(want));
        assert_memory_equal(t, want, len);
        rep_jw_free(w);
    }
    /* and every value up to 100,000 */
    for (int64_t v = -1000; v <= 100000; v++) {
        rep_jw *w = rep_jw_new();
        rep_jw_int(w, v);
        size_t len = 0;
        const char *t = rep_jw_text(w, &len);
        char want[32];
        int n = snprintf(want, sizeof want, "%lld", (long long)v);
        if ((size_t)n != len || memcmp(t, want, len) != 0)
            fail_msg("rep_jw_int(%lld) wrote '%.*s'", (long long)v, (int)len, t);
        rep_jw_free(w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_clean),
        cmocka_unit_test(test_jw_int),
        cmocka_unit_test(test_svg_structure),
        cmocka_unit_test(test_svg_aliases),
        cmocka_unit_test(test_svg_hostile),
        cmocka_unit_test(test_svg_empty),
        cmocka_unit_test(test_mermaid_structure),
        cmocka_unit_test(test_mermaid_hostile),
        cmocka_unit_test(test_plantuml),
        cmocka_unit_test(test_html_report),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_gate_table),
        cmocka_unit_test(test_gate_syntax_errors),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_merge_sections),
        cmocka_unit_test(test_merge_breakdown_cap),
        cmocka_unit_test(test_json_quote_matches_jsonc),
        cmocka_unit_test(test_json_dialog_matches_jsonc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
