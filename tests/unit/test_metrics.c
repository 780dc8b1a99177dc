/* test_metrics.c - RFC 6076 metrics, ASR/NER and the registration and
 * subscription summaries (report/metrics.c).
 *
 * Records are built by hand with known outcomes and times, fed to a
 * rep_metrics, and every figure is checked against values counted by hand
 * in the comments: through the JSON pieces (what the report writes, so the
 * two-decimal percentages and the nulls are checked too) and the text
 * section. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/report/report_int.h"
#include "jw_check.h"

#define T0 (1700000000LL * 1000000)
#define MS(x) (T0 + (int64_t)(x) * 1000)

/* ---- record builder ---- */

typedef struct _rb {
    cor_record r;
    cor_txn t[8];
    cor_msg m[24];
} _rb;

static void _rb_init(_rb *b, cor_kind kind)
{
    memset(b, 0, sizeof *b);
    b->r.kind = kind;
    b->r.call_id = "c@example.com";
    b->r.from = "sip:alice@example.com";
    b->r.to = "sip:bob@example.com";
    b->r.from_tag = b->r.to_tag = b->r.user_agent = b->r.final_reason = "";
    b->r.setup_ms = b->r.pdd_ms = b->r.duration_ms = -1;
    b->r.first_us = T0;
    b->r.txns = b->t;
    b->r.msgs = b->m;
}

static void _msg(_rb *b, size_t txn, int is_request, uint16_t status, int64_t ms)
{
    assert_true(b->r.nmsgs < sizeof b->m / sizeof b->m[0]);
    cor_msg *m = &b->m[b->r.nmsgs++];
    m->ts_us = MS(ms);
    m->is_request = (uint8_t)is_request;
    m->status = status;
    m->method = b->t[txn].method;
    m->method_name = sip_method_name((sip_method)b->t[txn].method);
    m->reason = m->content_type = "";
    m->txn = (uint32_t)txn;
    b->r.last_us = m->ts_us;
}

/* A transaction: request at start_ms, final response (0: none) at final_ms. */
static size_t _txn(_rb *b, uint8_t method, int64_t start_ms, uint16_t final, int64_t final_ms)
{
    assert_true(b->r.ntxns < sizeof b->t / sizeof b->t[0]);
    size_t i = b->r.ntxns++;
    cor_txn *t = &b->t[i];
    t->method = method;
    t->method_name = sip_method_name((sip_method)method);
    t->cseq = (uint32_t)i + 1;
    t->start_us = MS(start_ms);
    t->requests = 1;
    _msg(b, i, 1, 0, start_ms);
    if (final) {
        t->final_status = t->last_status = final;
        t->final_us = MS(final_ms);
        t->responses = 1;
        _msg(b, i, 0, final, final_ms);
    }
    if (final == 401 || final == 407)
        t->auth_scheme = SIP_AUTH_DIGEST;
    return i;
}

static void _prov(_rb *b, size_t txn, uint16_t code, int64_t ms)
{
    _msg(b, txn, 0, code, ms);
    if (b->t[txn].first_prov_us == 0)
        b->t[txn].first_prov_us = MS(ms);
}

/* One call: INVITE at 0, 100 Trying at 5 ms (never status-indicative),
 * provisional prov (0: none) at prov_ms, final fs (0: none) at final_ms;
 * bye_ms >= 0 adds a BYE answered bye_st after sdd_ms; dur_ms is what
 * correlate would put in duration_ms. */
static void _call(_rb *b, uint16_t fs, cor_outcome out, uint16_t prov, int64_t prov_ms, int64_t final_ms,
                  int64_t bye_ms, uint16_t bye_st, int64_t sdd_ms, int64_t dur_ms)
{
    _rb_init(b, COR_KIND_CALL);
    size_t inv = _txn(b, SIP_M_INVITE, 0, 0, 0);
    _prov(b, inv, 100, 5);
    if (prov) {
        _prov(b, inv, prov, prov_ms);
        if (prov >= 180 && prov < 190)
            b->r.pdd_ms = prov_ms;
    }
    if (fs) {
        b->t[inv].final_status = fs;
        b->t[inv].final_us = MS(final_ms);
        _msg(b, inv, 0, fs, final_ms);
    }
    if (fs >= 200 && fs < 300) {
        b->r.setup_ms = final_ms;
        _txn(b, SIP_M_ACK, final_ms + 1, 0, 0);
    }
    if (bye_ms >= 0)
        _txn(b, SIP_M_BYE, bye_ms, bye_st, bye_ms + sdd_ms);
    b->r.final_status = fs;
    b->r.outcome = out;
    b->r.duration_ms = dur_ms;
}

/* ---- JSON helpers ---- */

static json_object *_get(json_object *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
        json_object *v = NULL;
        if (!json_object_object_get_ex(o, k, &v))
            fail_msg("missing %s (at %s)", path, k);
        o = v;
    }
    return o;
}

/* The value at path as written in the report ("66.67", "null", "12") */
static const char *_text(json_object *o, const char *path)
{
    json_object *v = _get(o, path);
    return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null";
}

static int64_t _int(json_object *o, const char *path) { return json_object_get_int64(_get(o, path)); }

/* dialogs[].registration / .subscription of one record, as the JSON
 * report writes it (json.c, detail_out.c); the dialog's text must be what
 * json-c writes for what it parses to. Release with json_object_put. */
static json_object *_flow(const cor_record *r)
{
    char *copy = jw_dialog_checked(r);
    json_object *o = json_tokener_parse(copy);
    assert_non_null(o);
    json_object *f = NULL;
    assert_true(json_object_object_get_ex(o, r->kind == COR_KIND_REGISTRATION ? "registration" : "subscription", &f));
    json_object_get(f);
    json_object_put(o);
    free(copy);
    return f;
}

static char *_print(const rep_metrics *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rep_metrics_print(f, m);
    fclose(f);
    return buf;
}

/* ---- sessions ---- */

/* Ten decided calls and one still being set up:
 *   1-5  200 after 180 at 10/20/30/40/50 ms, BYE answered 200 after
 *        2/4/6/8/10 ms, duration 1000..5000 ms
 *   6    200 after 180 at 60 ms, BYE answered 481 after 12 ms (not a
 *        completed session), duration 6000 ms
 *   7    486 at 3000 ms after 180 at 70 ms
 *   8    302 at 15 ms (only 100 Trying before)
 *   9    408 at 32000 ms (only 100 Trying)
 *   10   no final response (unanswered, Timer B)
 *   11   in progress when input ended: not a decided attempt
 * By hand:
 *   attempts 10, undecided 1, answered 6, 3xx 1
 *   SER  = 6 / (10 - 1)        = 66.67 %
 *   SEER = (6 + 486) 7 / 9     = 77.78 %
 *   ISA  = (408 + none) 2 / 10 = 20.00 %
 *   SCR  = calls 1-5, 5 / 10   = 50.00 %
 *   ASR  = 6 / 10              = 60.00 %
 *   NER  = (6 + 486) 7 / 10    = 70.00 %
 *   SRD (answered) 10..60 ms: min 10, max 60, avg 35, p50 (3rd of 6) 30, p90 60
 *   SRD_failed: 486 -> 70 (its 180), 408 -> 32000 (its final): avg 16035
 *   SDD 2..12 ms: avg 7, p50 6
 *   SDT 1000..6000 ms: avg 3500
 *   failure causes: 302, 408, 486 and none, once each */
static void _feed_ten_calls(rep_metrics *m)
{
    _rb b;
    for (int i = 1; i <= 6; i++) {
        _call(&b, 200, COR_OUT_ANSWERED, 180, 10 * i, 1000, 1000 + 1000 * i, i <= 5 ? 200 : 481, 2 * i,
              1000 * i);
        rep_metrics_record(m, &b.r);
    }
    _call(&b, 486, COR_OUT_BUSY, 180, 70, 3000, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    _call(&b, 302, COR_OUT_REDIRECTED, 0, 0, 15, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    _call(&b, 408, COR_OUT_FAILED, 0, 0, 32000, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    _call(&b, 0, COR_OUT_UNANSWERED, 0, 0, 0, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    _call(&b, 0, COR_OUT_IN_PROGRESS, 0, 0, 0, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
}

static void test_sessions_ratios(void **state)
{
    (void)state;
    rep_metrics *m = calloc(1, sizeof *m);
    assert_non_null(m);
    _feed_ten_calls(m);
    json_object *j = rep_json_metrics(m);
    assert_int_equal(_int(j, "session_attempts"), 10);
    assert_int_equal(_int(j, "sessions_undecided"), 1);
    assert_string_equal(_text(j, "SER"), "66.67");
    assert_string_equal(_text(j, "SEER"), "77.78");
    assert_string_equal(_text(j, "ISA"), "20.00");
    assert_string_equal(_text(j, "SCR"), "50.00");
    assert_string_equal(_text(j, "ASR"), "60.00");
    assert_string_equal(_text(j, "NER"), "70.00");
    /* no registration in this set */
    assert_string_equal(_text(j, "IRA"), "null");
    assert_int_equal(_int(j, "RRD.count"), 0);
    /* failure causes by final code */
    assert_int_equal(_int(j, "failure_causes.302"), 1);
    assert_int_equal(_int(j, "failure_causes.408"), 1);
    assert_int_equal(_int(j, "failure_causes.486"), 1);
    assert_int_equal(_int(j, "failure_causes.none"), 1);
    assert_int_equal(json_object_object_length(_get(j, "failure_causes")), 4);
    json_object_put(j);
    free(m);
}

static void test_sessions_delays(void **state)
{
    (void)state;
    rep_metrics *m = calloc(1, sizeof *m);
    assert_non_null(m);
    _feed_ten_calls(m);
    json_object *j = rep_json_metrics(m);
    assert_int_equal(_int(j, "SRD.count"), 6);
    assert_int_equal(_int(j, "SRD.min"), 10);
    assert_int_equal(_int(j, "SRD.max"), 60);
    assert_int_equal(_int(j, "SRD.avg"), 35);
    assert_int_equal(_int(j, "SRD.p50"), 30);
    assert_int_equal(_int(j, "SRD.p90"), 60);
    assert_int_equal(_int(j, "SRD.p99"), 60);
    assert_int_equal(_int(j, "SRD_failed.count"), 2);
    assert_int_equal(_int(j, "SRD_failed.min"), 70);
    assert_int_equal(_int(j, "SRD_failed.max"), 32000);
    assert_int_equal(_int(j, "SRD_failed.avg"), 16035);
    assert_int_equal(_int(j, "SRD_failed.p50"), 70);
    assert_int_equal(_int(j, "SDD.count"), 6);
    assert_int_equal(_int(j, "SDD.min"), 2);
    assert_int_equal(_int(j, "SDD.max"), 12);
    assert_int_equal(_int(j, "SDD.avg"), 7);
    assert_int_equal(_int(j, "SDD.p50"), 6);
    assert_int_equal(_int(j, "SDT.count"), 6);
    assert_int_equal(_int(j, "SDT.min"), 1000);
    assert_int_equal(_int(j, "SDT.max"), 6000);
    assert_int_equal(_int(j, "SDT.avg"), 3500);
    /* above 1 s the histogram has 1 % buckets: p50 within 1 % of 3000 */
    int64_t p50 = _int(j, "SDT.p50");
    assert_true(p50 >= 2970 && p50 <= 3030);
    json_object_put(j);

    char *txt = _print(m);
    assert_non_null(strstr(txt, "Metrics (RFC 6076)\n"));
    assert_non_null(strstr(txt, "session attempts   10 (not decided yet: 1)\n"));
    assert_non_null(strstr(txt, "SER 66.67 %, SEER 77.78 %, ISA 20.00 %, SCR 50.00 %, ASR 60.00 %, NER 70.00 %\n"));
    assert_non_null(strstr(txt, "SRD answered       min 10 ms, avg 35 ms, max 60 ms, p50 30, p90 60"));
    assert_non_null(strstr(txt, "failure causes     302 x1, 408 x1, 486 x1, no final response x1\n"));
    assert_null(strstr(txt, "registrations"));
    free(txt);
    free(m);
}

/* The NER and SEER edges:
 *   a  480            SEER yes, NER yes (ring no answer), ISA no
 *   b  600            SEER yes, NER yes (user busy)
 *   c  603            SEER yes, NER yes (terminal rejection)
 *   d  487 after 180  SEER no,  NER yes (ring no answer: cancelled after alerting)
 *   e  487, only 100  SEER no,  NER no
 *   f  CANCEL, no 487 (outcome cancelled, no final): ISA no, cause "none"
 *   g  503            ISA yes;  h  504  ISA yes;  i  500  ISA yes
 *   j  404            nothing
 * 10 attempts, none 3xx, none answered:
 *   SER 0/10 = 0.00, SEER 3/10 = 30.00, NER 4/10 = 40.00, ISA 3/10 = 30.00,
 *   SCR 0.00, ASR 0.00; SRD_failed from a-e, g-j (f has no final): 9 samples */
static void test_sessions_ner_edges(void **state)
{
    (void)state;
    rep_metrics *m = calloc(1, sizeof *m);
    assert_non_null(m);
    _rb b;
    static const uint16_t codes[] = {480, 600, 603};
    for (size_t i = 0; i < 3; i++) {
        _call(&b, codes[i], codes[i] == 480 ? COR_OUT_REJECTED : COR_OUT_BUSY, 180, 40, 900, -1, 0, 0, -1);
        rep_metrics_record(m, &b.r);
    }
    _call(&b, 487, COR_OUT_CANCELLED, 180, 40, 5000, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    _call(&b, 487, COR_OUT_CANCELLED, 0, 0, 500, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    _call(&b, 0, COR_OUT_CANCELLED, 0, 0, 0, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    static const uint16_t fail[] = {503, 504, 500, 404};
    for (size_t i = 0; i < 4; i++) {
        _call(&b, fail[i], fail[i] == 404 ? COR_OUT_REJECTED : COR_OUT_FAILED, 0, 0, 100, -1, 0, 0, -1);
        rep_metrics_record(m, &b.r);
    }
    json_object *j = rep_json_metrics(m);
    assert_int_equal(_int(j, "session_attempts"), 10);
    assert_string_equal(_text(j, "SER"), "0.00");
    assert_string_equal(_text(j, "SEER"), "30.00");
    assert_string_equal(_text(j, "NER"), "40.00");
    assert_string_equal(_text(j, "ISA"), "30.00");
    assert_string_equal(_text(j, "SCR"), "0.00");
    assert_string_equal(_text(j, "ASR"), "0.00");
    assert_int_equal(_int(j, "SRD.count"), 0);
    assert_int_equal(_int(j, "SRD_failed.count"), 9);
    assert_int_equal(_int(j, "failure_causes.487"), 2);
    assert_int_equal(_int(j, "failure_causes.none"), 1);
    json_object_put(j);
    free(m);
}

/* Only redirects: SER and SEER have a zero denominator (null), the others
 * are 0 %; nothing at all: every ratio null, text says none. */
static void test_zero_denominators(void **state)
{
    (void)state;
    rep_metrics *m = calloc(1, sizeof *m);
    assert_non_null(m);
    json_object *j = rep_json_metrics(m);
    static const char *const all[] = {"IRA", "SER", "SEER", "ISA", "SCR", "ASR", "NER"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_string_equal(_text(j, all[i]), "null");
    assert_int_equal(_int(j, "SRD.count"), 0);
    json_object_put(j);
    char *txt = _print(m);
    assert_string_equal(txt, "\nMetrics (RFC 6076)\n  none (no calls, registrations or subscriptions)\n");
    free(txt);

    _rb b;
    _call(&b, 302, COR_OUT_REDIRECTED, 0, 0, 10, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    _call(&b, 301, COR_OUT_REDIRECTED, 0, 0, 10, -1, 0, 0, -1);
    rep_metrics_record(m, &b.r);
    j = rep_json_metrics(m);
    assert_string_equal(_text(j, "SER"), "null");
    assert_string_equal(_text(j, "SEER"), "null");
    assert_string_equal(_text(j, "ASR"), "0.00");
    assert_string_equal(_text(j, "ISA"), "0.00");
    json_object_put(j);
    txt = _print(m);
    assert_non_null(strstr(txt, "SER -, SEER -, ISA 0.00 %"));
    free(txt);
    free(m);
}

/* ---- registrations ---- */

/* R1  REGISTER, 401 at 5, REGISTER at 20, 200 at 30     RRD 30, 1 round trip
 * R2  REGISTER, 200 at 12                               RRD 12
 * R3  REGISTER, 403 at 8                                ineffective
 * R4  REGISTER, no response                             ineffective
 * R5  REGISTER, 407 at 6, never answered                ineffective (challenge not answered)
 * R6  REGISTER, 401 at 4, REGISTER at 10, 200 at 45,    RRD 45, 1 round trip
 *     then a refresh REGISTER at 60000, 200 at 60003    RRD 3 (a second attempt)
 * attempts 7, succeeded 4, IRA 3/7 = 42.86 %, failed_by_code {403, 407},
 * no_response 1, round trips 2; RRD {3, 12, 30, 45}: avg 22.5 -> 23, p50 12 */
static void _feed_registrations(rep_metrics *m, _rb *b, size_t nb)
{
    assert_true(nb >= 6);
    _rb_init(&b[0], COR_KIND_REGISTRATION);
    _txn(&b[0], SIP_M_REGISTER, 0, 401, 5);
    _txn(&b[0], SIP_M_REGISTER, 20, 200, 30);
    _rb_init(&b[1], COR_KIND_REGISTRATION);
    _txn(&b[1], SIP_M_REGISTER, 0, 200, 12);
    _rb_init(&b[2], COR_KIND_REGISTRATION);
    _txn(&b[2], SIP_M_REGISTER, 0, 403, 8);
    _rb_init(&b[3], COR_KIND_REGISTRATION);
    _txn(&b[3], SIP_M_REGISTER, 0, 0, 0);
    _rb_init(&b[4], COR_KIND_REGISTRATION);
    _txn(&b[4], SIP_M_REGISTER, 0, 407, 6);
    _rb_init(&b[5], COR_KIND_REGISTRATION);
    _txn(&b[5], SIP_M_REGISTER, 0, 401, 4);
    _txn(&b[5], SIP_M_REGISTER, 10, 200, 45);
    _txn(&b[5], SIP_M_REGISTER, 60000, 200, 60003);
    for (size_t i = 0; i < 6; i++) {
        b[i].r.to = "sip:alice@example.com";
        rep_metrics_record(m, &b[i].r);
    }
}

static void test_registrations(void **state)
{
    (void)state;
    rep_metrics *m = calloc(1, sizeof *m);
    _rb *b = calloc(6, sizeof *b);
    assert_non_null(m);
    assert_non_null(b);
    _feed_registrations(m, b, 6);

    json_object *j = rep_json_metrics(m);
    assert_string_equal(_text(j, "IRA"), "42.86");
    assert_int_equal(_int(j, "RRD.count"), 4);
    assert_int_equal(_int(j, "RRD.min"), 3);
    assert_int_equal(_int(j, "RRD.max"), 45);
    assert_int_equal(_int(j, "RRD.avg"), 23);
    assert_int_equal(_int(j, "RRD.p50"), 12);
    assert_int_equal(_int(j, "RRD.p90"), 45);
    assert_int_equal(_int(j, "RRD.p95"), 45);
    assert_int_equal(_int(j, "RRD.p99"), 45);
    assert_string_equal(_text(j, "SER"), "null");
    assert_int_equal(_int(j, "session_attempts"), 0);
    json_object_put(j);

    j = rep_json_flows(&m->reg, 0);
    assert_int_equal(_int(j, "dialogs"), 6);
    assert_int_equal(_int(j, "attempted"), 7);
    assert_int_equal(_int(j, "succeeded"), 4);
    assert_int_equal(_int(j, "failed"), 2);
    assert_int_equal(_int(j, "failed_by_code.403"), 1);
    assert_int_equal(_int(j, "failed_by_code.407"), 1);
    assert_int_equal(json_object_object_length(_get(j, "failed_by_code")), 2);
    assert_int_equal(_int(j, "no_response"), 1);
    assert_int_equal(_int(j, "challenge_round_trips"), 2);
    assert_false(json_object_object_get_ex(j, "notify_only", NULL));
    json_object_put(j);

    /* per dialog */
    j = _flow(&b[0].r);
    assert_string_equal(_text(j, "aor"), "\"sip:alice@example.com\"");
    assert_string_equal(_text(j, "auth_scheme"), "\"Digest\"");
    assert_string_equal(_text(j, "result"), "\"success\"");
    assert_int_equal(_int(j, "final_status"), 200);
    assert_int_equal(_int(j, "attempts"), 1);
    assert_int_equal(_int(j, "challenges"), 1);
    json_object_put(j);
    j = _flow(&b[1].r);
    assert_string_equal(_text(j, "auth_scheme"), "null");
    assert_int_equal(_int(j, "challenges"), 0);
    json_object_put(j);
    j = _flow(&b[3].r);
    assert_string_equal(_text(j, "result"), "\"no_response\"");
    assert_string_equal(_text(j, "final_status"), "null");
    json_object_put(j);
    j = _flow(&b[4].r);
    assert_string_equal(_text(j, "result"), "\"failure\"");
    assert_int_equal(_int(j, "final_status"), 407);
    assert_int_equal(_int(j, "challenges"), 1);
    json_object_put(j);
    j = _flow(&b[5].r);
    assert_int_equal(_int(j, "attempts"), 2);
    assert_int_equal(_int(j, "challenges"), 1);
    json_object_put(j);

    char *txt = _print(m);
    assert_non_null(strstr(txt, "registrations      7 attempts: 4 succeeded, 2 failed, 1 no response, "
                                "2 challenge round trips\n  IRA 42.86 %\n"));
    assert_non_null(strstr(txt, "RRD                min 3 ms, avg 22 ms, max 45 ms, p50 12, p90 45"));
    assert_null(strstr(txt, "session attempts"));
    free(txt);
    free(b);
    free(m);
}

/* The attempt walk on its own: other methods in between are skipped. */
static void test_attempt_walk(void **state)
{
    (void)state;
    _rb b;
    _rb_init(&b, COR_KIND_REGISTRATION);
    _txn(&b, SIP_M_REGISTER, 0, 407, 2);
    _txn(&b, SIP_M_OPTIONS, 3, 200, 4);
    _txn(&b, SIP_M_REGISTER, 5, 401, 7);
    _txn(&b, SIP_M_REGISTER, 9, 200, 11);
    size_t pos = 0;
    rep_attempt a;
    assert_int_equal(rep_attempt_next(&b.r, SIP_M_REGISTER, &pos, &a), 1);
    assert_int_equal(a.start_us, MS(0));
    assert_int_equal(a.final_us, MS(11));
    assert_int_equal(a.final_status, 200);
    assert_int_equal(a.challenges, 2);
    assert_int_equal(a.answered, 2);
    assert_int_equal(rep_attempt_next(&b.r, SIP_M_REGISTER, &pos, &a), 0);
    pos = 0;
    assert_int_equal(rep_attempt_next(&b.r, SIP_M_SUBSCRIBE, &pos, &a), 0);
}

/* ---- subscriptions ---- */

/* S1 SUBSCRIBE 200, then NOTIFY 200        attempt, succeeded
 * S2 NOTIFY only                           notify_only
 * S3 SUBSCRIBE 489                         attempt, failed 489
 * S4 SUBSCRIBE 407, SUBSCRIBE 202          attempt, succeeded, 1 round trip */
static void test_subscriptions(void **state)
{
    (void)state;
    rep_metrics *m = calloc(1, sizeof *m);
    _rb *b = calloc(4, sizeof *b);
    assert_non_null(m);
    assert_non_null(b);
    for (int i = 0; i < 4; i++)
        _rb_init(&b[i], COR_KIND_SUBSCRIPTION);
    _txn(&b[0], SIP_M_SUBSCRIBE, 0, 200, 5);
    _txn(&b[0], SIP_M_NOTIFY, 6, 200, 7);
    _txn(&b[1], SIP_M_NOTIFY, 0, 200, 1);
    _txn(&b[2], SIP_M_SUBSCRIBE, 0, 489, 3);
    _txn(&b[3], SIP_M_SUBSCRIBE, 0, 407, 3);
    _txn(&b[3], SIP_M_SUBSCRIBE, 10, 202, 12);
    for (int i = 0; i < 4; i++)
        rep_metrics_record(m, &b[i].r);

    json_object *j = rep_json_flows(&m->sub, 1);
    assert_int_equal(_int(j, "dialogs"), 4);
    assert_int_equal(_int(j, "attempted"), 3);
    assert_int_equal(_int(j, "succeeded"), 2);
    assert_int_equal(_int(j, "failed"), 1);
    assert_int_equal(_int(j, "failed_by_code.489"), 1);
    assert_int_equal(_int(j, "no_response"), 0);
    assert_int_equal(_int(j, "challenge_round_trips"), 1);
    assert_int_equal(_int(j, "notify_only"), 1);
    json_object_put(j);

    /* subscriptions feed no RFC 6076 figure */
    j = rep_json_metrics(m);
    assert_int_equal(_int(j, "RRD.count"), 0);
    assert_string_equal(_text(j, "IRA"), "null");
    json_object_put(j);

    j = _flow(&b[0].r);
    assert_string_equal(_text(j, "event"), "null");
    assert_string_equal(_text(j, "state"), "null");
    assert_string_equal(_text(j, "result"), "\"success\"");
    assert_int_equal(_int(j, "final_status"), 200);
    json_object_put(j);
    j = _flow(&b[1].r);
    assert_string_equal(_text(j, "result"), "null");
    assert_int_equal(_int(j, "attempts"), 0);
    json_object_put(j);
    j = _flow(&b[3].r);
    assert_string_equal(_text(j, "auth_scheme"), "\"Digest\"");
    assert_int_equal(_int(j, "final_status"), 202);
    json_object_put(j);

    char *txt = _print(m);
    assert_non_null(strstr(txt, "subscriptions      3 attempts: 2 succeeded, 1 failed, 0 no response, "
                                "1 challenge round trips\n  NOTIFY only        1\n"));
    free(txt);
    free(b);
    free(m);
}

/* Other kinds (OPTIONS, MESSAGE) change nothing. */
static void test_other_kinds_ignored(void **state)
{
    (void)state;
    rep_metrics *m = calloc(1, sizeof *m);
    assert_non_null(m);
    _rb b;
    _rb_init(&b, COR_KIND_OPTIONS);
    _txn(&b, SIP_M_OPTIONS, 0, 200, 1);
    rep_metrics_record(m, &b.r);
    _rb_init(&b, COR_KIND_MESSAGE);
    _txn(&b, SIP_M_MESSAGE, 0, 0, 0);
    rep_metrics_record(m, &b.r);
    rep_metrics zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(m, &zero, sizeof zero);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sessions_ratios),
        cmocka_unit_test(test_sessions_delays),
        cmocka_unit_test(test_sessions_ner_edges),
        cmocka_unit_test(test_zero_denominators),
        cmocka_unit_test(test_registrations),
        cmocka_unit_test(test_attempt_walk),
        cmocka_unit_test(test_subscriptions),
        cmocka_unit_test(test_other_kinds_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
