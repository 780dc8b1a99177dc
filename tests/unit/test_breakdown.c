/* test_breakdown.c - calls per caller / callee / endpoint / User-Agent and
 * failure causes by Reason header (report/breakdown.c), against figures
 * counted by hand in the comments; the key cap and its "other" bucket; the
 * compact histogram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/report/report_int.h"

typedef struct _rb {
    cor_record r;
    cor_msg m[4];
} _rb;

/* A decided call from..to with final code fs, setup / pdd (ms, -1 n/a),
 * first message src_ip -> dst_ip (last octet of 10.0.0.x). */
static void _call(_rb *b, const char *from, const char *to, const char *ua, uint16_t fs, cor_outcome out,
                  int64_t setup, int64_t pdd, int src_ip, int dst_ip, const char *reason)
{
    memset(b, 0, sizeof *b);
    b->r.kind = COR_KIND_CALL;
    b->r.call_id = "c";
    b->r.from = from;
    b->r.to = to;
    b->r.user_agent = ua;
    b->r.from_tag = b->r.to_tag = b->r.final_reason = b->r.link_key = "";
    b->r.reason_hdr = reason;
    b->r.final_status = fs;
    b->r.outcome = out;
    b->r.setup_ms = setup;
    b->r.pdd_ms = pdd;
    b->r.duration_ms = -1;
    cor_msg *m = &b->m[0];
    m->is_request = 1;
    m->method = SIP_M_INVITE;
    m->src.family = m->dst.family = 4;
    m->src.ip[0] = m->dst.ip[0] = 10;
    m->src.ip[3] = (uint8_t)src_ip;
    m->dst.ip[3] = (uint8_t)dst_ip;
    m->src.port = m->dst.port = 5060;
    m->method_name = "INVITE";
    m->reason = m->content_type = "";
    b->r.msgs = b->m;
    b->r.nmsgs = 1;
}

static const rep_bd_entry *_find(const rep_bd *b, const char *key)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->e[i].key, key) == 0)
            return &b->e[i];
    fail_msg("no key %s", key);
    return NULL;
}

/* Five records:
 *  1 alice -> bob    UA X/1, 200, setup 100, pdd 20, 10.0.0.1 -> .2
 *  2 alice -> carol  UA X/1, 486, pdd 30, 10.0.0.1 -> .2, Reason SIP;cause=486
 *  3 dave  -> bob    UA Y/2, 503, no pdd, 10.0.0.3 -> .2, Reason Q.850;cause=34
 *  4 alice -> bob    no UA, cancelled (487) after 180 (pdd 40), .1 -> .2,
 *                    Reason Q.850;cause=16 on the CANCEL
 *  5 alice -> bob    still being set up at the end: not counted
 * caller alice@a.example: 1, 2, 4 = 3 attempts, 1 answered, NER 3 (200,
 *   486, cancelled after ringing) -> ASR 33.33, NER 100.00; pdd 20/30/40:
 *   p50 30, p90 40; setup 100 (n=1). dave@a.example: 1 attempt, NER 0.
 * callee bob@b.example: 1, 3, 4 = 3 attempts, 1 answered, NER 2 (1, 4)
 *   -> 66.67; carol: 1 attempt, NER 1.
 * endpoint 10.0.0.2: 4 attempts; 10.0.0.1: 3; 10.0.0.3: 1.
 * User-Agent X/1: 2, Y/2: 1, (none): 1.
 * Reason: SIP;cause=486 x1, Q.850;cause=34 x1, Q.850;cause=16 x1. */
static void test_breakdowns_hand_counted(void **state)
{
    rep_breakdowns s;
    rep_breakdowns_init(&s, REP_BD_CAP);
    _rb b;
    _call(&b, "sip:alice@a.example:5070;transport=udp", "sip:bob@b.example", "X/1", 200, COR_OUT_ANSWERED, 100,
          20, 1, 2, "");
    rep_breakdowns_record(&s, &b.r);
    _call(&b, "sip:alice@a.example", "sip:carol@b.example", "X/1", 486, COR_OUT_BUSY, -1, 30, 1, 2,
          "SIP;cause=486;text=\"Busy Here\"");
    rep_breakdowns_record(&s, &b.r);
    _call(&b, "sip:dave@a.example", "sip:bob@b.example", "Y/2", 503, COR_OUT_FAILED, -1, -1, 3, 2,
          "Q.850 ;cause=34 ;text=\"No circuit\"");
    rep_breakdowns_record(&s, &b.r);
    _call(&b, "sip:alice@a.example", "sip:bob@b.example:5060", "", 487, COR_OUT_CANCELLED, -1, 40, 1, 2,
          "Q.850;cause=16");
    rep_breakdowns_record(&s, &b.r);
    _call(&b, "sip:alice@a.example", "sip:bob@b.example", "X/1", 0, COR_OUT_IN_PROGRESS, -1, -1, 1, 2, "");
    rep_breakdowns_record(&s, &b.r);

    const rep_bd_entry *e = _find(&s.bd[REP_BD_CALLER], "alice@a.example");
    assert_int_equal(s.bd[REP_BD_CALLER].n, 2);
    assert_int_equal(e->attempts, 3);
    assert_int_equal(e->answered, 1);
    assert_int_equal(e->ner, 3);
    assert_int_equal(e->pdd.n, 3);
    assert_int_equal(rep_chist_percentile(&e->pdd, 50), 30);
    assert_int_equal(rep_chist_percentile(&e->pdd, 90), 40);
    assert_int_equal(e->setup.n, 1);
    assert_int_equal(rep_chist_percentile(&e->setup, 99), 100);
    e = _find(&s.bd[REP_BD_CALLER], "dave@a.example");
    assert_int_equal(e->attempts, 1);
    assert_int_equal(e->ner, 0);

    e = _find(&s.bd[REP_BD_CALLEE], "bob@b.example");
    assert_int_equal(e->attempts, 3);
    assert_int_equal(e->answered, 1);
    assert_int_equal(e->ner, 2);
    assert_int_equal(_find(&s.bd[REP_BD_CALLEE], "carol@b.example")->ner, 1);

    assert_int_equal(_find(&s.bd[REP_BD_ENDPOINT], "10.0.0.2")->attempts, 4);
    assert_int_equal(_find(&s.bd[REP_BD_ENDPOINT], "10.0.0.1")->attempts, 3);
    assert_int_equal(_find(&s.bd[REP_BD_ENDPOINT], "10.0.0.3")->attempts, 1);
    assert_int_equal(_find(&s.bd[REP_BD_UA], "X/1")->attempts, 2);
    assert_int_equal(_find(&s.bd[REP_BD_UA], "Y/2")->attempts, 1);
    assert_int_equal(_find(&s.bd[REP_BD_UA], "(none)")->attempts, 1);

    assert_int_equal(s.bd[REP_BD_REASON].n, 3);
    assert_int_equal(_find(&s.bd[REP_BD_REASON], "SIP;cause=486")->attempts, 1);
    assert_int_equal(_find(&s.bd[REP_BD_REASON], "Q.850;cause=34")->attempts, 1);
    assert_int_equal(_find(&s.bd[REP_BD_REASON], "Q.850;cause=16")->attempts, 1);

    /* JSON: the caller breakdown, top entry first, percentages to 2 places */
    json_object *o = rep_json_breakdowns(&s);
    const char *js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(js, "\"by_caller\":{\"cap\":1000,\"keys\":2,\"overflow_calls\":0,\"top\":[{\"key\":"
                               "\"alice@a.example\",\"attempted\":3,\"answered\":1,\"failed\":2,\"ASR\":33.33,"
                               "\"NER\":100.00,\"setup_ms\":{\"count\":1,\"p50\":100"));
    assert_non_null(strstr(js, "\"key\":\"bob@b.example\",\"attempted\":3,\"answered\":1,\"failed\":2,"
                               "\"ASR\":33.33,\"NER\":66.67"));
    json_object_put(o);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    rep_breakdowns_print(f, &s, 0);
    fclose(f);
    assert_non_null(strstr(text, "  caller (From), 2 keys\n    alice@a.example"));
    assert_non_null(strstr(text, "failure causes by Reason header: SIP;cause=486 x1, Q.850;cause=34 x1, "
                                 "Q.850;cause=16 x1"));
    free(text);
    rep_breakdowns_free(&s);
}

/* Cap 2: a a b c c d -> a (2) and b (1) tracked; c, c, d counted in other
 * (overflow 3). Top 1: a; other = overflow 3 + b 1 = 4 attempts. */
static void test_cap_and_other(void **state)
{
    rep_bd b;
    rep_bd_init(&b, 2);
    const char *keys[] = {"a", "a", "b", "c", "c", "d"};
    for (size_t i = 0; i < 6; i++) {
        rep_bd_call c = {i == 0, 0, -1, (int64_t)i};
        rep_bd_add(&b, keys[i], &c);
    }
    assert_int_equal(b.n, 2);
    assert_int_equal(b.overflow_calls, 3);
    const rep_bd_entry *top[1];
    rep_bd_entry other;
    assert_int_equal(rep_bd_top(&b, 1, top, &other), 1);
    assert_string_equal(top[0]->key, "a");
    assert_int_equal(top[0]->attempts, 2);
    assert_int_equal(top[0]->answered, 1);
    assert_int_equal(other.attempts, 4);
    assert_int_equal(other.pdd.n, 4);      /* pdd 2 (b), 3, 4, 5 */
    assert_int_equal(other.pdd.min, 2);
    assert_int_equal(other.pdd.max, 5);
    json_object *o = rep_json_breakdown(&b, 1);
    const char *js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(js, "\"cap\":2,\"keys\":2,\"overflow_calls\":3"));
    assert_non_null(strstr(js, "\"other\":{\"attempted\":4,\"answered\":0,\"failed\":4"));
    json_object_put(o);
    rep_bd_free(&b);
}

/* Exact below 128 ms; above, the middle of a 1/8-octave bucket: 1000 ms
 * falls in [960, 1024) -> 991. */
static void test_chist(void **state)
{
    rep_chist h;
    memset(&h, 0, sizeof h);
    assert_int_equal(rep_chist_percentile(&h, 50), -1);
    for (int v = 1; v <= 100; v++)
        rep_chist_add(&h, v);
    assert_int_equal(rep_chist_percentile(&h, 50), 50);
    assert_int_equal(rep_chist_percentile(&h, 90), 90);
    assert_int_equal(rep_chist_percentile(&h, 99), 99);
    assert_int_equal(rep_chist_percentile(&h, 100), 100);
    memset(&h, 0, sizeof h);
    rep_chist_add(&h, 500);
    rep_chist_add(&h, 1000);
    rep_chist_add(&h, 5000);
    assert_int_equal(rep_chist_percentile(&h, 50), 991);
    assert_int_equal(rep_chist_percentile(&h, 99), 5000);
    rep_chist_add(&h, INT64_MAX / 2); /* beyond the last bucket: clamped there */
    assert_int_equal(rep_chist_percentile(&h, 100), INT64_MAX / 2);
}

static void test_keys(void **state)
{
    char k[128];
    rep_uri_user_host("sip:alice@a.example:5070;transport=udp", k, sizeof k);
    assert_string_equal(k, "alice@a.example");
    rep_uri_user_host("tel:+15551234", k, sizeof k);
    assert_string_equal(k, "+15551234");
    rep_uri_user_host("sip:proxy.example", k, sizeof k);
    assert_string_equal(k, "proxy.example");
    rep_uri_user_host("", k, sizeof k);
    assert_string_equal(k, "(none)");
    rep_reason_key("Q.850;cause=16;text=\"Normal call clearing\"", k, sizeof k);
    assert_string_equal(k, "Q.850;cause=16");
    rep_reason_key("  SIP ; cause = 580, Q.850;cause=47", k, sizeof k);
    assert_string_equal(k, "SIP;cause=580");
    rep_reason_key("preemption;cause=1", k, sizeof k);
    assert_string_equal(k, "preemption;cause=1");
    rep_reason_key("SIP", k, sizeof k);
    assert_string_equal(k, "SIP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breakdowns_hand_counted),
        cmocka_unit_test(test_cap_and_other),
        cmocka_unit_test(test_chist),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
