/* test_legs.c - one call through a proxy chain (legs), B2BUA links by X-CID
 * and Session-ID, and the Reason header, from correlate to the report
 * pieces (report/legs.c).
 *
 * Messages are SIP text parsed with sip_parse and fed to correlate with
 * hand-set addresses: UAC A = 10.0.0.1:5060, proxy P = 10.0.0.2:5060,
 * UAS B = 10.0.0.3:5060. Every expected figure is counted by hand in the
 * comments. */
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
#include "sipscope/sip.h"

#define MS 1000LL
#define MAXR 8

typedef struct fx {
    cor_ctx *c;
    size_t nmsg, nretrans;
    size_t ndone;
    uint64_t id[MAXR];
    char call_id[MAXR][64], reason[MAXR][96], link[MAXR][64];
    uint64_t related[MAXR][COR_MAX_RELATED];
    uint32_t nrelated[MAXR];
    rep_leg legs[MAXR][4];
    size_t nlegs[MAXR];
    char json[MAXR][4096];
    char ladder[MAXR][4096];
} fx;

static void _on_msg(void *user, const cor_msg *m, const cor_record *rec)
{
    fx *f = user;
    f->nmsg++;
    f->nretrans += m->retransmission;
}

static void _on_done(void *user, const cor_record *r)
{
    fx *f = user;
    assert_true(f->ndone < MAXR);
    size_t i = f->ndone++;
    f->id[i] = r->id;
    snprintf(f->call_id[i], sizeof f->call_id[i], "%s", r->call_id);
    snprintf(f->reason[i], sizeof f->reason[i], "%s", r->reason_hdr);
    snprintf(f->link[i], sizeof f->link[i], "%s", r->link_key);
    f->nrelated[i] = r->nrelated;
    memcpy(f->related[i], r->related, sizeof r->related);
    f->nlegs[i] = rep_legs(r, f->legs[i], 4);
    char *jt = jw_dialog_checked(r); /* the dialog exactly as the JSON report writes it */
    snprintf(f->json[i], sizeof f->json[i], "%s", jt);
    free(jt);
    char *text = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&text, &len);
    rep_alias al;
    memset(&al, 0, sizeof al);
    al.addr.family = 4;
    al.addr.ip[0] = 10;
    al.addr.ip[3] = 2; /* any port */
    snprintf(al.name, sizeof al.name, "proxy");
    rep_ladder_opts o = {100, 0, 0, &al, 1};
    rep_ladder_print(mf, r, &o);
    fclose(mf);
    snprintf(f->ladder[i], sizeof f->ladder[i], "%s", text);
    free(text);
}

static int _setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    cor_sink sink = {_on_msg, _on_done, f};
    assert_int_equal(cor_create(&f->c, NULL, &sink), 0);
    *state = f;
    return 0;
}

static int _teardown(void **state)
{
    fx *f = *state;
    cor_destroy(f->c);
    free(f);
    return 0;
}

static ss_addr _ip(int last)
{
    ss_addr a;
    memset(&a, 0, sizeof a);
    a.family = 4;
    a.ip[0] = 10;
    a.ip[3] = (uint8_t)last;
    a.port = 5060;
    return a;
}

/* Parses text (LF line ends become CRLF) and correlates it, sent from
 * 10.0.0.<src> to 10.0.0.<dst> at ms. */
static void _feed(fx *f, int src, int dst, int64_t ms, const char *text)
{
    char buf[2048];
    size_t n = 0;
    for (const char *p = text; *p && n + 2 < sizeof buf; p++) {
        if (*p == '\n')
            buf[n++] = '\r';
        buf[n++] = *p;
    }
    sip_msg m;
    size_t used = 0;
    assert_int_equal(sip_parse(&m, (const uint8_t *)buf, n, 0, &used), SIP_OK);
    dec_payload pl;
    memset(&pl, 0, sizeof pl);
    pl.ts_us = 1700000000LL * 1000000 + ms * MS;
    pl.src = _ip(src);
    pl.dst = _ip(dst);
    pl.transport = DEC_TP_UDP;
    cor_message(f->c, &m, &pl);
}


static void _req(fx *f, int src, int dst, int64_t ms, const char *line, const char *via, const char *cseq,
                 const char *to_tag, const char *cid, const char *extra)
{
    char t[1024];
    snprintf(t, sizeof t, "%s SIP/2.0\nVia: %s\n%sFrom: <sip:alice@a.example>;tag=fa\nTo: <sip:bob@b.example>%s\n"
             "Call-ID: %s\nCSeq: %s\nContent-Length: 0\n\n",
             line, via, extra ? extra : "", to_tag, cid, cseq);
    _feed(f, src, dst, ms, t);
}

static void _resp(fx *f, int src, int dst, int64_t ms, const char *status, const char *via, const char *cseq,
                  const char *to_tag, const char *cid, const char *extra)
{
    char t[1024];
    snprintf(t, sizeof t, "SIP/2.0 %s\nVia: %s\n%sFrom: <sip:alice@a.example>;tag=fa\nTo: <sip:bob@b.example>%s\n"
             "Call-ID: %s\nCSeq: %s\nContent-Length: 0\n\n",
             status, via, extra ? extra : "", to_tag, cid, cseq);
    _feed(f, src, dst, ms, t);
}

#define VA "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa1"
#define VP "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKp1, " VA

/* A -> P -> B: INVITE relayed (P's Via on top), 180 and 200 back through
 * P, ACK on each hop. 14 messages, one record, two legs, and not one
 * retransmission: the relayed INVITE is the same request at another hop. */
static void test_proxy_chain_two_legs(void **state)
{
    fx *f = *state;
    const char *cid = "chain@a.example";
    _req(f, 1, 2, 0, "INVITE sip:bob@b.example", VA, "1 INVITE", "", cid, NULL);
    _resp(f, 2, 1, 1, "100 Trying", VA, "1 INVITE", "", cid, NULL);
    _req(f, 2, 3, 2, "INVITE sip:bob@b.example", VP, "1 INVITE", "", cid, NULL);
    _resp(f, 3, 2, 3, "100 Trying", VP, "1 INVITE", "", cid, NULL);
    _resp(f, 3, 2, 10, "180 Ringing", VP, "1 INVITE", ";tag=tb", cid, NULL);
    _resp(f, 2, 1, 12, "180 Ringing", VA, "1 INVITE", ";tag=tb", cid, NULL);
    _resp(f, 3, 2, 300, "200 OK", VP, "1 INVITE", ";tag=tb", cid, NULL);
    _resp(f, 2, 1, 303, "200 OK", VA, "1 INVITE", ";tag=tb", cid, NULL);
    _req(f, 1, 2, 305, "ACK sip:bob@10.0.0.3", "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa2", "1 ACK", ";tag=tb", cid,
         NULL);
    _req(f, 2, 3, 306, "ACK sip:bob@10.0.0.3",
         "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKp2, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa2", "1 ACK", ";tag=tb",
         cid, NULL);
    cor_finish(f->c, 0);

    assert_int_equal(f->nmsg, 10);
    assert_int_equal(f->nretrans, 0);
    assert_int_equal(f->ndone, 1);
    assert_int_equal(f->nlegs[0], 2);
    /* leg 1: A <-> P: INVITE, 100, 180, 200, ACK = 5 msgs; INVITE at 0,
     * 180 at 12, 200 at 303 */
    const rep_leg *l = &f->legs[0][0];
    assert_int_equal(l->a.ip[3], 1);
    assert_int_equal(l->b.ip[3], 2);
    assert_int_equal(l->msgs, 5);
    assert_int_equal(l->requests, 2);
    assert_int_equal(l->responses, 3);
    assert_int_equal(l->final_status, 200);
    assert_int_equal(l->pdd_ms, 12);
    assert_int_equal(l->setup_ms, 303);
    /* leg 2: P <-> B: INVITE at 2, 180 at 10, 200 at 300 */
    l = &f->legs[0][1];
    assert_int_equal(l->a.ip[3], 2);
    assert_int_equal(l->b.ip[3], 3);
    assert_int_equal(l->msgs, 5);
    assert_int_equal(l->pdd_ms, 8);
    assert_int_equal(l->setup_ms, 298);
    /* the JSON dialog lists both legs and tags each message */
    assert_non_null(strstr(f->json[0], "\"legs\":[{\"leg\":1,\"src\":\"10.0.0.1:5060\",\"dst\":\"10.0.0.2:5060\""));
    assert_non_null(strstr(f->json[0], "\"setup_ms\":298"));
    assert_non_null(strstr(f->json[0], "\"leg\":2}"));
    assert_null(strstr(f->json[0], "\"related\""));
    /* the ladder lists the legs under the arrows, named like the columns */
    assert_non_null(strstr(f->ladder[0], "\n  2 legs (one Call-ID through 2 hops)\n"
                                         "  leg 1  10.0.0.1:5060 <-> proxy  5 msgs  200 OK  setup 303 ms  pdd 12 ms\n"
                                         "  leg 2  proxy <-> 10.0.0.3:5060  5 msgs  200 OK  setup 298 ms  pdd 8 ms\n"));
}

/* The same INVITE sent twice on the same hop is a retransmission; relayed
 * to the next hop it is not. */
static void test_relay_vs_retransmission(void **state)
{
    fx *f = *state;
    const char *cid = "rt@a.example";
    _req(f, 1, 2, 0, "INVITE sip:bob@b.example", VA, "1 INVITE", "", cid, NULL);
    _req(f, 2, 3, 1, "INVITE sip:bob@b.example", VP, "1 INVITE", "", cid, NULL);
    _req(f, 1, 2, 500, "INVITE sip:bob@b.example", VA, "1 INVITE", "", cid, NULL);
    _req(f, 2, 3, 501, "INVITE sip:bob@b.example", VP, "1 INVITE", "", cid, NULL);
    cor_finish(f->c, 0);
    assert_int_equal(f->nretrans, 2); /* the two at 500 and 501 ms */
    assert_int_equal(f->nlegs[0], 2);
    assert_int_equal(f->legs[0][0].retransmissions, 1);
    assert_int_equal(f->legs[0][1].retransmissions, 1);
}

/* A B2BUA: leg 1 (Call-ID in@a) comes in, leg 2 (out@b) goes out with
 * X-CID naming leg 1. Both records list each other; the Reason of the 486
 * is kept on leg 2, and the one of the BYE-less CANCEL on leg 1. */
static void test_b2bua_xcid_and_reason(void **state)
{
    fx *f = *state;
    _req(f, 1, 2, 0, "INVITE sip:bob@b.example", VA, "1 INVITE", "", "in@a", NULL);
    _req(f, 2, 3, 5, "INVITE sip:bob@b.example", "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb2b", "1 INVITE", "",
         "out@b", "X-CID: in@a\n");
    _resp(f, 3, 2, 50, "486 Busy Here", "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb2b", "1 INVITE", ";tag=x", "out@b",
          "Reason: SIP ;cause=486 ;text=\"Busy\"\n");
    _resp(f, 2, 1, 60, "480 Temporarily Unavailable", VA, "1 INVITE", ";tag=y", "in@a",
          "Reason: Q.850;cause=17;text=\"User busy\", SIP;cause=486\n");
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 2);
    size_t in = strcmp(f->call_id[0], "in@a") == 0 ? 0 : 1, out = 1 - in;
    assert_int_equal(f->nrelated[in], 1);
    assert_int_equal(f->related[in][0], f->id[out]);
    assert_int_equal(f->nrelated[out], 1);
    assert_int_equal(f->related[out][0], f->id[in]);
    assert_string_equal(f->link[out], "in@a");
    assert_string_equal(f->link[in], "");
    assert_string_equal(f->reason[out], "SIP ;cause=486 ;text=\"Busy\"");
    char key[64];
    rep_reason_key(f->reason[out], key, sizeof key);
    assert_string_equal(key, "SIP;cause=486");
    rep_reason_key(f->reason[in], key, sizeof key);
    assert_string_equal(key, "Q.850;cause=17");
    assert_non_null(strstr(f->json[in], "\"related\":["));
    assert_non_null(strstr(f->json[out], "\"link_key\":\"in@a\""));
    assert_non_null(strstr(f->json[out], "\"reason_header\":\"SIP ;cause=486 ;text=\\\"Busy\\\"\""));
    char want[128];
    snprintf(want, sizeof want, "\n  related: #%llu  (linked by in@a)\n", (unsigned long long)f->id[in]);
    assert_non_null(strstr(f->ladder[out], want));
    assert_non_null(strstr(f->ladder[out], "\n  Reason: SIP ;cause=486 ;text=\"Busy\"\n"));
    assert_null(strstr(f->ladder[out], "legs"));
}

/* The capture sees the B2BUA's outgoing leg (X-CID: in2@a) before the
 * incoming one: the incoming record links back when it is created. */
static void test_b2bua_xcid_outgoing_first(void **state)
{
    fx *f = *state;
    _req(f, 2, 3, 0, "INVITE sip:bob@b.example", "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKo1", "1 INVITE", "",
         "out2@b", "X-Call-ID: in2@a\n");
    _req(f, 1, 2, 1, "INVITE sip:bob@b.example", VA, "1 INVITE", "", "other@a", NULL);
    _req(f, 1, 2, 2, "INVITE sip:bob@b.example", VA, "1 INVITE", "", "in2@a", NULL);
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 3);
    size_t out = 3, in = 3, other = 3;
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(f->call_id[i], "out2@b") == 0)
            out = i;
        else if (strcmp(f->call_id[i], "in2@a") == 0)
            in = i;
        else
            other = i;
    }
    assert_true(out < 3 && in < 3 && other < 3);
    assert_int_equal(f->nrelated[other], 0);
    assert_int_equal(f->nrelated[out], 1);
    assert_int_equal(f->related[out][0], f->id[in]);
    assert_int_equal(f->nrelated[in], 1);
    assert_int_equal(f->related[in][0], f->id[out]);
    assert_string_equal(f->link[out], "in2@a");
}

/* RFC 7989: three legs with the same Session-ID local UUID link to the
 * first; a null UUID links nothing. */
static void test_session_id(void **state)
{
    fx *f = *state;
    const char *sid = "Session-ID: ab30317f1a784dc48ff824d0d3715d86;remote=00000000000000000000000000000000\n";
    _req(f, 1, 2, 0, "INVITE sip:bob@b.example", VA, "1 INVITE", "", "s1", sid);
    _req(f, 2, 3, 1, "INVITE sip:bob@b.example", "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKs2", "1 INVITE", "", "s2",
         sid);
    _req(f, 2, 4, 2, "INVITE sip:bob@b.example", "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKs3", "1 INVITE", "", "s3",
         sid);
    _req(f, 1, 2, 3, "INVITE sip:bob@b.example", "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKs4", "1 INVITE", "", "s4",
         "Session-ID: 00000000000000000000000000000000\n");
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 4);
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(f->call_id[i], "s1") == 0) {
            assert_int_equal(f->nrelated[i], 2); /* s2 and s3 */
            assert_string_equal(f->link[i], "ab30317f1a784dc48ff824d0d3715d86");
        } else if (strcmp(f->call_id[i], "s4") == 0) {
            assert_int_equal(f->nrelated[i], 0);
            assert_string_equal(f->link[i], "");
        } else {
            assert_int_equal(f->nrelated[i], 1);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_proxy_chain_two_legs, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_relay_vs_retransmission, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_b2bua_xcid_and_reason, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_b2bua_xcid_outgoing_first, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_session_id, _setup, _teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
