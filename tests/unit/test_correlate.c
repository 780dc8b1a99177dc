/* test_correlate.c - correlator unit tests (cmocka).
 *
 * Messages are built by hand as sip_msg values (slices over C strings), so
 * these tests do not depend on the parser. Caller A = 10.0.0.1:5060,
 * callee B = 10.0.0.2:5060; dir 0 means A -> B. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sipscope/correlate.h"
#include "../../src/correlate/cor_int.h" /* COR_DISTINCT_EXACT_MAX */

#define MS 1000LL
#define SEC 1000000LL
#define MAX_DONE 64
#define MAX_SEEN 512

/* What the sink saw of one finished record (the record is freed after
 * record_done returns, so everything is copied). */
typedef struct done_rec {
    uint64_t id;
    char call_id[64], from[64], to[64], from_tag[32], to_tag[32], user_agent[32], final_reason[48];
    cor_kind kind;
    cor_state state;
    cor_outcome outcome;
    uint16_t final_status;
    int64_t first_us, last_us, setup_ms, pdd_ms, duration_ms;
    uint32_t dialogs, retransmissions;
    size_t nmsgs, ntxns;
    uint64_t msgs_dropped;
    uint8_t evicted, at_stop;
    cor_txn txn[8];
    char txn_method[8][16];
    uint8_t msg_retrans[16];
    uint32_t msg_txn[16];
} done_rec;

typedef struct fx {
    cor_ctx *c;
    cor_config cfg;
    done_rec done[MAX_DONE];
    size_t ndone;
    uint64_t total_done;
    size_t nseen;          /* sink->message calls */
    uint8_t retrans[MAX_SEEN];
    uint32_t txn[MAX_SEEN];
    int rec_null[MAX_SEEN];
    char method_seen[MAX_SEEN][16];
    /* defaults for the messages built */
    const char *call_id, *from_tag, *ruri;
    const char *sent_by[2]; /* Via sent-by of each side, NULL: 10.0.0.x:5060 */
    int auth;              /* challenge scheme on 401/407 */
    size_t body_len;
    int64_t expires;       /* Expires header; 0 = absent */
    const char *sub_state; /* Subscription-State token, or NULL */
    sip_msg msg;
} fx;

/* ---- sink ---- */

static void _cp(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "(null)");
}

static void _on_message(void *user, const cor_msg *m, const cor_record *rec)
{
    fx *f = user;
    if (f->nseen < MAX_SEEN) {
        f->retrans[f->nseen] = m->retransmission;
        f->txn[f->nseen] = m->txn;
        f->rec_null[f->nseen] = rec == NULL;
        _cp(f->method_seen[f->nseen], sizeof f->method_seen[0], m->method_name);
    }
    f->nseen++;
}

static void _on_done(void *user, const cor_record *r)
{
    fx *f = user;
    f->total_done++;
    if (f->ndone >= MAX_DONE)
        return;
    done_rec *d = &f->done[f->ndone++];
    memset(d, 0, sizeof *d);
    d->id = r->id;
    _cp(d->call_id, sizeof d->call_id, r->call_id);
    _cp(d->from, sizeof d->from, r->from);
    _cp(d->to, sizeof d->to, r->to);
    _cp(d->from_tag, sizeof d->from_tag, r->from_tag);
    _cp(d->to_tag, sizeof d->to_tag, r->to_tag);
    _cp(d->user_agent, sizeof d->user_agent, r->user_agent);
    _cp(d->final_reason, sizeof d->final_reason, r->final_reason);
    d->kind = r->kind;
    d->state = r->state;
    d->outcome = r->outcome;
    d->final_status = r->final_status;
    d->first_us = r->first_us;
    d->last_us = r->last_us;
    d->setup_ms = r->setup_ms;
    d->pdd_ms = r->pdd_ms;
    d->duration_ms = r->duration_ms;
    d->dialogs = r->dialogs;
    d->retransmissions = r->retransmissions;
    d->nmsgs = r->nmsgs;
    d->ntxns = r->ntxns;
    d->msgs_dropped = r->msgs_dropped;
    d->evicted = r->evicted;
    d->at_stop = r->at_stop;
    for (size_t i = 0; i < r->ntxns && i < 8; i++) {
        d->txn[i] = r->txns[i];
        _cp(d->txn_method[i], sizeof d->txn_method[i], r->txns[i].method_name);
        d->txn[i].method_name = NULL;
    }
    for (size_t i = 0; i < r->nmsgs && i < 16; i++) {
        d->msg_retrans[i] = r->msgs[i].retransmission;
        d->msg_txn[i] = r->msgs[i].txn;
    }
}

/* ---- message builder ---- */

static const char *const _methods[SIP_M__COUNT] = {
    "", "INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "INFO", "MESSAGE", "SUBSCRIBE",
    "NOTIFY", "REFER", "PRACK", "UPDATE", "PUBLISH", "NEGOTIATE", "SERVICE", "BENOTIFY"};

static sip_method _method_of(const char *s)
{
    for (int i = 1; i < SIP_M__COUNT; i++)
        if (strcmp(_methods[i], s) == 0)
            return (sip_method)i;
    return SIP_M_UNKNOWN;
}

static ss_slice _sl(const char *s) { return s ? ss_slice_make(s, strlen(s)) : SS_SLICE_NULL; }

static void _addr(ss_addr *a, int host)
{
    memset(a, 0, sizeof *a);
    a->family = 4;
    a->ip[0] = 10;
    a->ip[3] = (uint8_t)host;
    a->port = 5060;
}

/* One message into the correlator. method != NULL: a request from side
 * dir; else a response with status to a cseq_method request (it travels
 * in direction dir, so its Via sent-by is the other side's). */
static void _feed(fx *f, int64_t t_ms, int dir, const char *method, int status,
                  const char *cseq_method, uint32_t cseq, const char *branch, const char *to_tag)
{
    sip_msg *m = &f->msg;
    memset(m, 0, sizeof *m);
    m->is_request = method != NULL;
    if (method) {
        m->method = _method_of(method);
        m->method_name = _sl(method);
        m->ruri = _sl(f->ruri ? f->ruri : "sip:bob@b.example");
    } else {
        m->status = (uint16_t)status;
        m->reason = _sl(status == 200 ? "OK" : "Whatever");
    }
    const char *cm = cseq_method ? cseq_method : method;
    m->cseq.seq = cseq;
    m->cseq.method = _method_of(cm);
    m->cseq.method_name = _sl(cm);
    m->call_id = _sl(f->call_id);
    m->from.uri.raw = _sl("sip:alice@a.example");
    m->from.tag = _sl(f->from_tag);
    m->to.uri.raw = _sl("sip:bob@b.example");
    m->to.tag = _sl(to_tag);
    int sender = method ? dir : !dir; /* side that sent the request */
    m->via.sent_by = _sl(f->sent_by[sender] ? f->sent_by[sender] : sender == 0 ? "10.0.0.1:5060" : "10.0.0.2:5060");
    m->via.branch = _sl(branch);
    m->via_count = 1;
    m->user_agent = _sl(method && dir == 0 ? "TestUA/1.0" : NULL);
    m->expires = f->expires ? f->expires : -1; /* the parser's "absent" */
    m->subscription_state = _sl(f->sub_state);
    if (status == 401 || status == 407)
        m->challenge.scheme = (sip_auth_scheme)f->auth;
    static const char body[64] = {0};
    m->body = ss_slice_make(body, f->body_len < sizeof body ? f->body_len : 0);

    dec_payload pl;
    memset(&pl, 0, sizeof pl);
    pl.ts_us = t_ms * MS;
    pl.frame_no = f->nseen + 1;
    pl.transport = DEC_TP_UDP;
    _addr(&pl.src, dir == 0 ? 1 : 2);
    _addr(&pl.dst, dir == 0 ? 2 : 1);
    cor_message(f->c, m, &pl);
}

#define REQ(f, t, dir, meth, cseq, br, tt) _feed(f, t, dir, meth, 0, NULL, cseq, br, tt)
#define RSP(f, t, dir, st, meth, cseq, br, tt) _feed(f, t, dir, NULL, st, meth, cseq, br, tt)

static fx *_open(void **state, const cor_config *cfg)
{
    fx *f = *state;
    if (cfg)
        f->cfg = *cfg;
    cor_sink sink = {_on_message, _on_done, f};
    assert_int_equal(cor_create(&f->c, &f->cfg, &sink), 0);
    return f;
}

static int _setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    cor_config_default(&f->cfg);
    f->call_id = "call-1@a.example";
    f->from_tag = "ft1";
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

static const done_rec *_done_one(fx *f)
{
    assert_int_equal(f->ndone, 1);
    return &f->done[0];
}

/* ---- tests ---- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(cor_kind_name(COR_KIND_CALL), "call");
    assert_string_equal(cor_kind_name(COR_KIND_REGISTRATION), "registration");
    assert_string_equal(cor_kind_name(COR_KIND_SUBSCRIPTION), "subscription");
    assert_string_equal(cor_kind_name(COR_KIND_SERVICE), "service");
    assert_string_equal(cor_kind_name(COR_KIND_OTHER), "other");
    assert_string_equal(cor_state_name(COR_ST_EARLY), "early");
    assert_string_equal(cor_state_name(COR_ST_COMPLETED), "completed");
    assert_string_equal(cor_outcome_name(COR_OUT_NONE), "none");
    assert_string_equal(cor_outcome_name(COR_OUT_IN_PROGRESS), "in_progress");
    assert_string_equal(cor_outcome_name(COR_OUT_NO_RESPONSE), "no_response");
    assert_string_equal(cor_counter_name(COR_C_ORPHAN_RESPONSES), "orphan_responses");
    assert_string_equal(cor_counter_name(COR_C_MSGS_DROPPED), "msgs_dropped");
    assert_string_equal(cor_counter_name(COR_C_UNCORRELATED), "uncorrelated");
}

/* cor_eq_bytes against memcmp for every length it handles inline and past
 * it: equal bytes, and each byte changed in turn. The compared buffer is
 * exactly n bytes (malloc'd), so ASan catches a load past either end. */
static void test_eq_bytes(void **state)
{
    (void)state;
    static const char lit[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";
    for (size_t n = 0; n < sizeof lit; n++) {
        uint8_t *p = malloc(n ? n : 1);
        assert_non_null(p);
        memcpy(p, lit, n);
        assert_int_equal(cor_eq_bytes(p, lit, n), 1);
        for (size_t i = 0; i < n; i++) {
            p[i] ^= 0x20;
            assert_int_equal(cor_eq_bytes(p, lit, n), memcmp(p, lit, n) == 0);
            assert_int_equal(cor_eq_bytes(p, lit, n), 0);
            p[i] ^= 0x20;
        }
        free(p);
    }
}

/* Record blocks: aligned to their size (so none crosses a page), distinct
 * while held, every byte writable, reused last in first out once put back,
 * and enough of them to need several slabs. Under ASan each block is its
 * own aligned_alloc, which the same checks hold for. */
static void test_pool_blocks(void **state)
{
    (void)state;
    static const size_t sizes[] = {2048, 4096};
    for (size_t k = 0; k < 2; k++) {
        cor_pool pool;
        size_t bs = sizes[k], n = 3 * ((size_t)2 << 20) / bs; /* three 2 MiB slabs (pool.c) */
        cor_pool_init(&pool, bs);
        unsigned char **b = calloc(n, sizeof *b);
        assert_non_null(b);
        for (size_t i = 0; i < n; i++) {
            b[i] = cor_pool_get(&pool);
            assert_non_null(b[i]);
            assert_int_equal((uintptr_t)b[i] % bs, 0);
            memset(b[i], (int)(i & 0xff), bs);
        }
        for (size_t i = 0; i < n; i++) /* no block handed out twice */
            assert_true(b[i][0] == (unsigned char)(i & 0xff) && b[i][bs - 1] == (unsigned char)(i & 0xff));
#if !COR_POOL_MALLOC
        unsigned char *x = b[n / 2], *y = b[n - 1];
        cor_pool_put(&pool, x);
        cor_pool_put(&pool, y);
        assert_ptr_equal(cor_pool_get(&pool), y); /* the last one put back comes first */
        assert_ptr_equal(cor_pool_get(&pool), x);
#endif
        for (size_t i = 0; i < n; i++)
            cor_pool_put(&pool, b[i]);
        free(b);
        cor_pool_destroy(&pool);
    }
}

static void test_simple_call(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 1000, 0, "INVITE", 1, "z9hG4bKinv1", NULL);
    RSP(f, 1010, 1, 100, "INVITE", 1, "z9hG4bKinv1", NULL);
    RSP(f, 1100, 1, 180, "INVITE", 1, "z9hG4bKinv1", "tt1");
    RSP(f, 3100, 1, 200, "INVITE", 1, "z9hG4bKinv1", "tt1");
    REQ(f, 3150, 0, "ACK", 1, "z9hG4bKack1", "tt1");
    REQ(f, 63100, 0, "BYE", 2, "z9hG4bKbye1", "tt1");
    RSP(f, 63110, 1, 200, "BYE", 2, "z9hG4bKbye1", "tt1");
    assert_int_equal(f->ndone, 0);
    cor_finish(f->c, 0);

    const done_rec *d = _done_one(f);
    assert_int_equal(d->id, 1);
    assert_string_equal(d->call_id, "call-1@a.example");
    assert_string_equal(d->from, "sip:alice@a.example");
    assert_string_equal(d->to, "sip:bob@b.example");
    assert_string_equal(d->from_tag, "ft1");
    assert_string_equal(d->to_tag, "tt1");
    assert_string_equal(d->user_agent, "TestUA/1.0");
    assert_int_equal(d->kind, COR_KIND_CALL);
    assert_int_equal(d->state, COR_ST_TERMINATED);
    assert_int_equal(d->outcome, COR_OUT_ANSWERED);
    assert_int_equal(d->final_status, 200);
    assert_string_equal(d->final_reason, "OK");
    assert_int_equal(d->setup_ms, 2100);
    assert_int_equal(d->pdd_ms, 100);
    assert_int_equal(d->duration_ms, 60000);
    assert_int_equal(d->first_us, 1000 * MS);
    assert_int_equal(d->last_us, 63110 * MS);
    assert_int_equal(d->dialogs, 1);
    assert_int_equal(d->retransmissions, 0);
    assert_int_equal(d->nmsgs, 7);
    assert_int_equal(d->ntxns, 3);
    assert_int_equal(d->evicted, 0);
    assert_int_equal(d->at_stop, 0);

    assert_string_equal(d->txn_method[0], "INVITE");
    assert_int_equal(d->txn[0].cseq, 1);
    assert_int_equal(d->txn[0].start_us, 1000 * MS);
    assert_int_equal(d->txn[0].first_prov_us, 1010 * MS);
    assert_int_equal(d->txn[0].final_us, 3100 * MS);
    assert_int_equal(d->txn[0].final_status, 200);
    assert_int_equal(d->txn[0].last_status, 200);
    assert_int_equal(d->txn[0].requests, 1);
    assert_int_equal(d->txn[0].responses, 3);
    assert_int_equal(d->txn[0].rfc2543, 0);
    assert_string_equal(d->txn_method[1], "ACK");
    assert_int_equal(d->txn[1].requests, 1);
    assert_int_equal(d->txn[1].responses, 0);
    assert_int_equal(d->txn[1].final_status, 0);
    assert_string_equal(d->txn_method[2], "BYE");
    assert_int_equal(d->txn[2].final_status, 200);
    assert_int_equal(d->txn[2].final_us - d->txn[2].start_us, 10 * MS);
    uint32_t want_txn[7] = {0, 0, 0, 0, 1, 2, 2};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(d->msg_txn[i], want_txn[i]);
        assert_int_equal(d->msg_retrans[i], 0);
    }

    const uint64_t *k = cor_counters(f->c);
    assert_int_equal(k[COR_C_MESSAGES], 7);
    assert_int_equal(k[COR_C_REQUESTS], 3);
    assert_int_equal(k[COR_C_RESPONSES], 4);
    assert_int_equal(k[COR_C_TRANSACTIONS], 3);
    assert_int_equal(k[COR_C_RECORDS], 1);
    assert_int_equal(k[COR_C_CALLS], 1);
    assert_int_equal(k[COR_C_DIALOGS], 1);
    assert_int_equal(k[COR_C_RETRANSMISSIONS], 0);
    assert_int_equal(k[COR_C_ORPHAN_RESPONSES], 0);
    assert_int_equal(f->nseen, 7);
    assert_string_equal(f->method_seen[1], "INVITE"); /* responses carry the CSeq method */
}

static void test_retransmissions(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKr1", NULL);
    REQ(f, 500, 0, "INVITE", 1, "z9hG4bKr1", NULL);          /* Timer A */
    RSP(f, 600, 1, 180, "INVITE", 1, "z9hG4bKr1", "tt");
    RSP(f, 1000, 1, 200, "INVITE", 1, "z9hG4bKr1", "tt");
    RSP(f, 1500, 1, 200, "INVITE", 1, "z9hG4bKr1", "tt");     /* 2xx retransmitted by the UAS */
    REQ(f, 1510, 0, "ACK", 1, "z9hG4bKa1", "tt");
    REQ(f, 1520, 0, "ACK", 1, "z9hG4bKa1", "tt");             /* ACK re-sent for the 2xx */
    RSP(f, 1600, 1, 200, "INVITE", 1, "z9hG4bKr1", "tt-other"); /* another fork: not a copy */
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    uint8_t want[8] = {0, 1, 0, 0, 1, 0, 1, 0};
    for (int i = 0; i < 8; i++)
        assert_int_equal(f->retrans[i], want[i]);
    for (int i = 0; i < 8; i++)
        assert_int_equal(d->msg_retrans[i], want[i]);
    assert_int_equal(d->retransmissions, 3);
    assert_int_equal(d->ntxns, 2);
    assert_int_equal(d->txn[0].requests, 2);
    assert_int_equal(d->txn[0].responses, 4);
    assert_int_equal(d->txn[0].retransmissions, 2);
    assert_int_equal(d->txn[1].retransmissions, 1);
    assert_int_equal(d->setup_ms, 1000); /* from the first transmission */
    assert_int_equal(d->pdd_ms, 600);
    assert_int_equal(d->dialogs, 2);
    assert_string_equal(d->to_tag, "tt");
    assert_int_equal(cor_counters(f->c)[COR_C_RETRANSMISSIONS], 3);
}

/* RFC 3261 §17.2.3: one branch from two sent-bys is two transactions,
 * whichever sent-by the record saw last (it keeps one, with its hash), and
 * for sent-bys too long to keep */
static void test_same_branch_other_sent_by(void **state)
{
    static const char *const sides[][2] = {
        {NULL, NULL},
        {"proxy-with-a-long-name.a.example.org:5060", "proxy-with-a-long-name.b.example.org:5060"},
        {"10.0.0.1:5060", "proxy-with-a-long-name.b.example.org:5060"},
    };
    fx *f = _open(state, NULL);
    for (int k = 0; k < 3; k++) {
        char cid[32];
        snprintf(cid, sizeof cid, "same-branch-%d", k);
        f->call_id = cid;
        f->sent_by[0] = sides[k][0];
        f->sent_by[1] = sides[k][1];
        size_t seen = f->nseen;
        REQ(f, 0, 0, "OPTIONS", 1, "z9hG4bKsame", NULL);
        REQ(f, 1, 1, "OPTIONS", 1, "z9hG4bKsame", NULL);
        REQ(f, 2, 0, "OPTIONS", 1, "z9hG4bKsame", NULL);
        REQ(f, 3, 1, "OPTIONS", 1, "z9hG4bKsame", NULL);
        RSP(f, 4, 1, 200, "OPTIONS", 1, "z9hG4bKsame", "t1");
        assert_int_equal(f->txn[seen], 0);
        assert_int_equal(f->txn[seen + 1], 1);
        assert_int_equal(f->txn[seen + 2], 0);
        assert_int_equal(f->txn[seen + 3], 1);
        assert_int_equal(f->txn[seen + 4], 0);
        assert_int_equal(f->retrans[seen + 1], 0);
        assert_int_equal(f->retrans[seen + 2], 1);
        assert_int_equal(f->retrans[seen + 3], 1);
    }
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 3);
    for (int k = 0; k < 3; k++)
        assert_int_equal(f->done[k].ntxns, 2);
}

static void test_ack_non2xx_joins_invite(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKb1", NULL);
    RSP(f, 10, 1, 100, "INVITE", 1, "z9hG4bKb1", NULL);
    RSP(f, 200, 1, 486, "INVITE", 1, "z9hG4bKb1", "tb");
    REQ(f, 210, 0, "ACK", 1, "z9hG4bKb1", "tb");
    RSP(f, 700, 1, 486, "INVITE", 1, "z9hG4bKb1", "tb"); /* final re-sent: ACK lost */
    REQ(f, 710, 0, "ACK", 1, "z9hG4bKb1", "tb");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->ntxns, 1);
    assert_int_equal(d->txn[0].requests, 3);
    assert_int_equal(d->txn[0].responses, 3);
    assert_int_equal(d->txn[0].retransmissions, 2);
    assert_int_equal(d->msg_txn[3], 0);
    assert_int_equal(d->msg_retrans[3], 0);
    assert_int_equal(d->msg_retrans[4], 1);
    assert_int_equal(d->msg_retrans[5], 1);
    assert_int_equal(d->outcome, COR_OUT_BUSY);
    assert_int_equal(d->state, COR_ST_TERMINATED);
    assert_int_equal(d->final_status, 486);
    assert_int_equal(d->setup_ms, -1);
    assert_int_equal(d->pdd_ms, -1);
    assert_int_equal(d->duration_ms, -1);
    assert_int_equal(d->dialogs, 0);
}

static void test_cancel(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 7, "z9hG4bKc1", NULL);
    RSP(f, 50, 1, 180, "INVITE", 7, "z9hG4bKc1", "tc");
    REQ(f, 4000, 0, "CANCEL", 7, "z9hG4bKc1", NULL);
    RSP(f, 4010, 1, 200, "CANCEL", 7, "z9hG4bKc1", "tc");
    RSP(f, 4020, 1, 487, "INVITE", 7, "z9hG4bKc1", "tc");
    REQ(f, 4030, 0, "ACK", 7, "z9hG4bKc1", "tc");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->ntxns, 2);
    assert_string_equal(d->txn_method[0], "INVITE");
    assert_string_equal(d->txn_method[1], "CANCEL");
    assert_int_equal(d->txn[0].requests, 2); /* INVITE + its ACK */
    assert_int_equal(d->txn[0].final_status, 487);
    assert_int_equal(d->txn[1].final_status, 200);
    assert_int_equal(d->outcome, COR_OUT_CANCELLED);
    assert_int_equal(d->state, COR_ST_TERMINATED);
    assert_int_equal(d->final_status, 487);
    assert_int_equal(d->pdd_ms, 50);
    assert_int_equal(d->setup_ms, -1);
    assert_int_equal(d->dialogs, 1);
}

/* CANCEL seen but the capture missed the 487: still cancelled. */
static void test_cancel_without_487(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKc2", NULL);
    REQ(f, 900, 0, "CANCEL", 1, "z9hG4bKc2", NULL);
    cor_finish(f->c, 0);
    assert_int_equal(_done_one(f)->outcome, COR_OUT_CANCELLED);
}

static void test_final_status_outcomes(void **state)
{
    static const struct {
        int status;
        cor_outcome want;
    } cases[] = {{486, COR_OUT_BUSY},      {600, COR_OUT_BUSY},       {487, COR_OUT_CANCELLED},
                 {302, COR_OUT_REDIRECTED}, {503, COR_OUT_FAILED},   {408, COR_OUT_FAILED},
                 {404, COR_OUT_REJECTED},  {603, COR_OUT_REJECTED},   {407, COR_OUT_REJECTED},
                 {202, COR_OUT_ANSWERED}};
    fx *f = _open(state, NULL);
    char cid[32], br[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(cid, sizeof cid, "oc-%zu", i);
        snprintf(br, sizeof br, "z9hG4bKoc%zu", i);
        f->call_id = cid;
        REQ(f, (int64_t)i, 0, "INVITE", 1, br, NULL);
        RSP(f, (int64_t)i + 100, 1, cases[i].status, "INVITE", 1, br, "x");
    }
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, sizeof cases / sizeof cases[0]);
    for (size_t i = 0; i < f->ndone; i++) {
        assert_int_equal(f->done[i].final_status, cases[i].status);
        assert_int_equal(f->done[i].outcome, cases[i].want);
    }
}

static void test_auth_retry_answered(void **state)
{
    fx *f = _open(state, NULL);
    f->auth = SIP_AUTH_DIGEST;
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKa1", NULL);
    RSP(f, 20, 1, 407, "INVITE", 1, "z9hG4bKa1", "px");
    REQ(f, 30, 0, "ACK", 1, "z9hG4bKa1", "px");
    REQ(f, 100, 0, "INVITE", 2, "z9hG4bKa2", NULL);
    RSP(f, 110, 1, 100, "INVITE", 2, "z9hG4bKa2", NULL);
    RSP(f, 400, 1, 180, "INVITE", 2, "z9hG4bKa2", "tt");
    RSP(f, 2000, 1, 200, "INVITE", 2, "z9hG4bKa2", "tt");
    REQ(f, 2010, 0, "ACK", 2, "z9hG4bKa3", "tt");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->ntxns, 3);
    assert_int_equal(d->txn[0].final_status, 407);
    assert_int_equal(d->txn[0].auth_scheme, SIP_AUTH_DIGEST);
    assert_int_equal(d->txn[0].requests, 2);
    assert_int_equal(d->txn[1].auth_scheme, SIP_AUTH_NONE);
    assert_int_equal(d->outcome, COR_OUT_ANSWERED);
    assert_int_equal(d->state, COR_ST_CONFIRMED);
    assert_int_equal(d->final_status, 200);
    assert_int_equal(d->setup_ms, 2000); /* from the first INVITE (RFC 6076 SRD) */
    assert_int_equal(d->pdd_ms, 400);
    assert_int_equal(d->dialogs, 1);
}

static void test_auth_not_retried_rejected(void **state)
{
    fx *f = _open(state, NULL);
    f->auth = SIP_AUTH_DIGEST;
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKn1", NULL);
    RSP(f, 20, 1, 401, "INVITE", 1, "z9hG4bKn1", "px");
    REQ(f, 30, 0, "ACK", 1, "z9hG4bKn1", "px");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->outcome, COR_OUT_REJECTED);
    assert_int_equal(d->final_status, 401);
    assert_int_equal(d->state, COR_ST_TERMINATED);
}

static void test_forked_early_dialogs(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKf1", NULL);
    RSP(f, 100, 1, 180, "INVITE", 1, "z9hG4bKf1", "fork-a");
    RSP(f, 150, 1, 180, "INVITE", 1, "z9hG4bKf1", "fork-b");
    RSP(f, 160, 1, 183, "INVITE", 1, "z9hG4bKf1", "fork-a"); /* same dialog */
    RSP(f, 900, 1, 200, "INVITE", 1, "z9hG4bKf1", "fork-b");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->dialogs, 2);
    assert_string_equal(d->to_tag, "fork-b"); /* the confirmed one, not the first early */
    assert_int_equal(d->state, COR_ST_CONFIRMED);
    assert_int_equal(d->outcome, COR_OUT_ANSWERED);
    assert_int_equal(d->pdd_ms, 100);
    assert_int_equal(cor_counters(f->c)[COR_C_DIALOGS], 2);
}

static void test_early_state(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKe1", NULL);
    RSP(f, 10, 1, 100, "INVITE", 1, "z9hG4bKe1", NULL);
    cor_finish(f->c, 1);
    assert_int_equal(_done_one(f)->state, COR_ST_TRYING);
    assert_int_equal(_done_one(f)->dialogs, 0);
    cor_destroy(f->c);
    f->ndone = 0;
    _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKe1", NULL);
    RSP(f, 10, 1, 180, "INVITE", 1, "z9hG4bKe1", "t");
    cor_finish(f->c, 1);
    assert_int_equal(_done_one(f)->state, COR_ST_EARLY);
    assert_string_equal(_done_one(f)->to_tag, "t");
}

/* No magic cookie: RFC 2543 matching on R-URI, tags, CSeq and sent-by. */
static void test_rfc2543(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 5, "oldbranch", NULL);
    REQ(f, 500, 0, "INVITE", 5, "oldbranch", NULL);   /* retransmission */
    RSP(f, 600, 1, 404, "INVITE", 5, "oldbranch", "t4");
    REQ(f, 610, 0, "ACK", 5, "oldbranch", "t4");       /* ACK for non-2xx: same txn */
    f->ruri = "sip:carol@c.example";                   /* other R-URI: another INVITE */
    REQ(f, 620, 0, "INVITE", 5, "oldbranch", NULL);
    f->ruri = NULL;
    REQ(f, 700, 0, "OPTIONS", 6, NULL, NULL);          /* no branch at all */
    RSP(f, 710, 1, 200, "OPTIONS", 6, NULL, "t6");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->ntxns, 3);
    assert_int_equal(d->txn[0].rfc2543, 1);
    assert_int_equal(d->txn[0].requests, 3);
    assert_int_equal(d->txn[0].responses, 1);
    assert_int_equal(d->txn[0].retransmissions, 1);
    assert_int_equal(d->txn[0].final_status, 404);
    assert_int_equal(d->msg_txn[3], 0);
    assert_int_equal(d->msg_txn[4], 1);
    assert_int_equal(d->txn[1].requests, 1);
    assert_int_equal(d->txn[2].final_status, 200);
    assert_int_equal(d->txn[2].rfc2543, 1);
    assert_int_equal(cor_counters(f->c)[COR_C_ORPHAN_RESPONSES], 0);
}

/* RFC 2543 ACK for a 2xx is not part of the INVITE transaction. */
static void test_rfc2543_ack_2xx(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, NULL, NULL);
    RSP(f, 100, 1, 200, "INVITE", 1, NULL, "t1");
    REQ(f, 110, 0, "ACK", 1, NULL, "t1");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->ntxns, 2);
    assert_string_equal(d->txn_method[1], "ACK");
    assert_int_equal(d->outcome, COR_OUT_ANSWERED);
}

static void test_register_challenge_success(void **state)
{
    fx *f = _open(state, NULL);
    f->auth = SIP_AUTH_DIGEST;
    REQ(f, 0, 0, "REGISTER", 1, "z9hG4bKg1", NULL);
    RSP(f, 30, 1, 401, "REGISTER", 1, "z9hG4bKg1", "s1");
    REQ(f, 40, 0, "REGISTER", 2, "z9hG4bKg2", NULL);
    RSP(f, 90, 1, 200, "REGISTER", 2, "z9hG4bKg2", "s2");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->kind, COR_KIND_REGISTRATION);
    assert_int_equal(d->state, COR_ST_COMPLETED);
    assert_int_equal(d->outcome, COR_OUT_SUCCESS);
    assert_int_equal(d->final_status, 200);
    assert_int_equal(d->ntxns, 2);
    assert_int_equal(d->txn[0].auth_scheme, SIP_AUTH_DIGEST);
    assert_int_equal(d->txn[1].final_us - d->txn[1].start_us, 50 * MS);
    assert_int_equal(d->setup_ms, -1);
    assert_int_equal(d->duration_ms, -1);
    assert_int_equal(d->dialogs, 0);
    assert_int_equal(cor_counters(f->c)[COR_C_CALLS], 0);
}

static void test_register_failure(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "REGISTER", 1, "z9hG4bKh1", NULL);
    RSP(f, 30, 1, 401, "REGISTER", 1, "z9hG4bKh1", "s1");
    REQ(f, 40, 0, "REGISTER", 2, "z9hG4bKh2", NULL);
    RSP(f, 90, 1, 403, "REGISTER", 2, "z9hG4bKh2", "s2");
    cor_finish(f->c, 0);
    assert_int_equal(_done_one(f)->outcome, COR_OUT_FAILURE);
    assert_int_equal(_done_one(f)->final_status, 403);
}

static void test_options_no_response(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "OPTIONS", 1, "z9hG4bKo1", NULL);
    REQ(f, 500, 0, "OPTIONS", 1, "z9hG4bKo1", NULL);
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->kind, COR_KIND_OPTIONS);
    assert_int_equal(d->state, COR_ST_TRYING);
    assert_int_equal(d->outcome, COR_OUT_NO_RESPONSE);
    assert_int_equal(d->final_status, 0);
    assert_int_equal(d->retransmissions, 1);
    assert_int_equal(d->ntxns, 1);
}

static void test_orphan_response_and_kinds(void **state)
{
    fx *f = _open(state, NULL);
    f->call_id = "orphan";
    RSP(f, 0, 1, 200, "OPTIONS", 3, "z9hG4bKq", "t");
    f->call_id = "sub";
    REQ(f, 1, 0, "SUBSCRIBE", 1, "z9hG4bKs1", NULL);
    RSP(f, 2, 1, 200, "SUBSCRIBE", 1, "z9hG4bKs1", "st");
    f->call_id = "msg";
    REQ(f, 3, 0, "MESSAGE", 1, "z9hG4bKm1", NULL);
    f->call_id = "svc";
    REQ(f, 4, 0, "SERVICE", 1, "z9hG4bKv1", NULL);
    f->call_id = "x";
    REQ(f, 5, 0, "FOO", 1, "z9hG4bKx1", NULL);
    RSP(f, 6, 1, 501, "FOO", 1, "z9hG4bKx1", "t");
    f->call_id = "upgrade";
    REQ(f, 7, 0, "OPTIONS", 1, "z9hG4bKu1", NULL);
    RSP(f, 8, 1, 200, "OPTIONS", 1, "z9hG4bKu1", "t");
    REQ(f, 9, 0, "INVITE", 2, "z9hG4bKu2", NULL);
    RSP(f, 10, 1, 180, "INVITE", 2, "z9hG4bKu2", "t");
    cor_finish(f->c, 1);
    assert_int_equal(f->ndone, 6);
    assert_int_equal(f->done[0].kind, COR_KIND_OPTIONS);
    assert_int_equal(f->done[0].outcome, COR_OUT_SUCCESS);
    assert_int_equal(f->done[0].ntxns, 1);
    assert_int_equal(f->done[0].txn[0].responses, 1);
    assert_int_equal(f->done[0].txn[0].requests, 0);
    assert_int_equal(f->done[1].kind, COR_KIND_SUBSCRIPTION);
    assert_int_equal(f->done[1].dialogs, 1);
    assert_string_equal(f->done[1].to_tag, "st");
    assert_int_equal(f->done[2].kind, COR_KIND_MESSAGE);
    assert_int_equal(f->done[2].outcome, COR_OUT_NO_RESPONSE);
    assert_int_equal(f->done[3].kind, COR_KIND_SERVICE);
    assert_int_equal(f->done[4].kind, COR_KIND_OTHER);
    assert_string_equal(f->done[4].txn_method[0], "FOO");
    assert_int_equal(f->done[4].outcome, COR_OUT_FAILURE);
    assert_int_equal(f->done[5].kind, COR_KIND_CALL);
    assert_int_equal(f->done[5].state, COR_ST_EARLY);
    assert_int_equal(f->done[5].outcome, COR_OUT_IN_PROGRESS);
    assert_int_equal(f->done[5].at_stop, 1);
    const uint64_t *k = cor_counters(f->c);
    assert_int_equal(k[COR_C_ORPHAN_RESPONSES], 1);
    assert_int_equal(k[COR_C_CALLS], 1);
    assert_int_equal(k[COR_C_RECORDS], 6);
}

static void test_uncorrelated(void **state)
{
    fx *f = _open(state, NULL);
    f->call_id = NULL;
    REQ(f, 0, 0, "OPTIONS", 1, "z9hG4bKz", NULL);
    assert_int_equal(f->nseen, 1);
    assert_int_equal(f->rec_null[0], 1);
    assert_int_equal(f->txn[0], COR_TXN_NONE);
    assert_string_equal(f->method_seen[0], "OPTIONS");
    assert_int_equal(cor_counters(f->c)[COR_C_UNCORRELATED], 1);
    assert_int_equal(cor_counters(f->c)[COR_C_RECORDS], 0);
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 0);
}

static void test_linger(void **state)
{
    fx *f = _open(state, NULL); /* settle 2 s, linger 32 s */
    REQ(f, 0, 0, "OPTIONS", 1, "z9hG4bKl1", NULL);
    RSP(f, 10, 1, 200, "OPTIONS", 1, "z9hG4bKl1", "t");
    cor_advance(f->c, 2 * SEC + 9 * MS);
    assert_int_equal(f->ndone, 0);
    cor_advance(f->c, 2 * SEC + 10 * MS); /* quiet for settle_s: reported and freed */
    const done_rec *d = _done_one(f);
    assert_int_equal(d->outcome, COR_OUT_SUCCESS);
    assert_int_equal(d->state, COR_ST_COMPLETED);
    assert_int_equal(d->nmsgs, 2);
    /* its 200 again within the window: a late retransmission, no record */
    RSP(f, 5000, 1, 200, "OPTIONS", 1, "z9hG4bKl1", "t");
    assert_int_equal(f->nseen, 3);
    assert_int_equal(f->rec_null[2], 1);
    assert_int_equal(f->retrans[2], 1);
    const uint64_t *k = cor_counters(f->c);
    assert_int_equal(k[COR_C_LATE], 1);
    assert_int_equal(k[COR_C_RETRANSMISSIONS], 1);
    assert_int_equal(k[COR_C_RECORDS], 1);
    assert_int_equal(k[COR_C_UNCORRELATED], 0);
    /* a new CSeq on the same Call-ID within the window: a new flow */
    REQ(f, 6000, 0, "OPTIONS", 2, "z9hG4bKl2", NULL);
    assert_int_equal(k[COR_C_RECORDS], 2);
    assert_int_equal(f->rec_null[3], 0);
    RSP(f, 6010, 1, 200, "OPTIONS", 2, "z9hG4bKl2", "t");
    cor_advance(f->c, 9 * SEC);
    assert_int_equal(f->ndone, 2);
    /* after the window closed (32 s after the last message, rounded up to
     * the second) even an old
     * CSeq starts a record: nothing remembers the Call-ID any more */
    REQ(f, 6010 + 33000, 0, "OPTIONS", 1, "z9hG4bKl1", NULL); /* whole seconds: +1 */
    assert_int_equal(k[COR_C_LATE], 1);
    assert_int_equal(k[COR_C_RECORDS], 3);
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 3);
    assert_int_equal(f->done[2].id, 3);
    int exact = 0;
    assert_int_equal(cor_distinct_call_ids(f->c, &exact), 1);
    assert_int_equal(exact, 1);
}

static void test_linger_off(void **state)
{
    cor_config cfg;
    cor_config_default(&cfg);
    cfg.linger_s = 0; /* no tombstones: a repeat after the report is a new record */
    fx *f = _open(state, &cfg);
    REQ(f, 0, 0, "OPTIONS", 1, "z9hG4bKo1", NULL);
    RSP(f, 10, 1, 200, "OPTIONS", 1, "z9hG4bKo1", "t");
    cor_advance(f->c, 3 * SEC);
    assert_int_equal(f->ndone, 1);
    RSP(f, 3100, 1, 200, "OPTIONS", 1, "z9hG4bKo1", "t");
    assert_int_equal(cor_counters(f->c)[COR_C_LATE], 0);
    assert_int_equal(cor_counters(f->c)[COR_C_RECORDS], 2);
    assert_int_equal(cor_counters(f->c)[COR_C_ORPHAN_RESPONSES], 1);
}

/* An accepted subscription stays live between NOTIFYs (RFC 6665) and is
 * reported once terminated and quiet. */
static void test_subscription_lifetime(void **state)
{
    fx *f = _open(state, NULL);
    f->expires = 600;
    REQ(f, 0, 0, "SUBSCRIBE", 1, "z9hG4bKs1", NULL);
    RSP(f, 10, 1, 200, "SUBSCRIBE", 1, "z9hG4bKs1", "st");
    f->sub_state = "active";
    REQ(f, 20, 1, "NOTIFY", 1, "z9hG4bKn1", "ft1");
    RSP(f, 30, 0, 200, "NOTIFY", 1, "z9hG4bKn1", "ft1");
    cor_advance(f->c, 400 * SEC); /* past the idle timeout: still live */
    assert_int_equal(f->ndone, 0);
    f->sub_state = "terminated";
    REQ(f, 400000, 1, "NOTIFY", 2, "z9hG4bKn2", "ft1");
    RSP(f, 400010, 0, 200, "NOTIFY", 2, "z9hG4bKn2", "ft1");
    cor_advance(f->c, 402 * SEC + 10 * MS);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->nmsgs, 6);
    assert_int_equal(d->outcome, COR_OUT_SUCCESS);
}

static void test_call_linger_after_bye(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKw1", NULL);
    RSP(f, 100, 1, 200, "INVITE", 1, "z9hG4bKw1", "t");
    REQ(f, 110, 0, "ACK", 1, "z9hG4bKw2", "t");
    REQ(f, 5000, 1, "BYE", 1, "z9hG4bKw3", "ft1"); /* callee hangs up: tags swapped */
    RSP(f, 5010, 0, 200, "BYE", 1, "z9hG4bKw3", "ft1");
    cor_advance(f->c, 7 * SEC);
    assert_int_equal(f->ndone, 0);
    RSP(f, 6000, 0, 200, "BYE", 1, "z9hG4bKw3", "ft1"); /* retransmission extends the grace */
    cor_advance(f->c, 7 * SEC + 10 * MS);
    assert_int_equal(f->ndone, 0);
    cor_advance(f->c, 8 * SEC);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->state, COR_ST_TERMINATED);
    assert_int_equal(d->outcome, COR_OUT_ANSWERED);
    assert_int_equal(d->duration_ms, 4900);
    assert_int_equal(d->dialogs, 1);
    assert_int_equal(d->retransmissions, 1);
    /* the BYE once more after the report: still known as a retransmission */
    REQ(f, 9000, 1, "BYE", 1, "z9hG4bKw3", "ft1");
    assert_int_equal(cor_counters(f->c)[COR_C_LATE], 1);
    assert_int_equal(cor_counters(f->c)[COR_C_RECORDS], 1);
}

/* sngrep__aaa.pcap: the INVITE ends 408 while its CANCEL, never answered,
 * is retransmitted every 4 s (T2): the record must not settle between
 * them and lose the later copies. */
static void test_settle_waits_for_open(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKc1", NULL);
    RSP(f, 10, 1, 100, "INVITE", 1, "z9hG4bKc1", NULL);
    REQ(f, 1000, 0, "CANCEL", 1, "z9hG4bKc1", NULL);
    RSP(f, 2000, 1, 408, "INVITE", 1, "z9hG4bKc1", "t");
    REQ(f, 2010, 0, "ACK", 1, "z9hG4bKc1", "t");
    cor_advance(f->c, 5 * SEC);
    REQ(f, 5000, 0, "CANCEL", 1, "z9hG4bKc1", NULL);
    cor_advance(f->c, 9 * SEC);
    REQ(f, 9000, 0, "CANCEL", 1, "z9hG4bKc1", NULL);
    assert_int_equal(f->ndone, 0);
    assert_int_equal(f->rec_null[6], 0);
    assert_int_equal(f->retrans[6], 1);
    RSP(f, 9500, 1, 408, "CANCEL", 1, "z9hG4bKc1", NULL);
    cor_advance(f->c, 11 * SEC + 500 * MS); /* nothing open: settles 2 s later */
    const done_rec *d = _done_one(f);
    assert_int_equal(d->nmsgs, 8);
    assert_int_equal(d->outcome, COR_OUT_CANCELLED);
    assert_int_equal(cor_counters(f->c)[COR_C_LATE], 0);
}

static void test_invite_timer(void **state)
{
    fx *f = _open(state, NULL); /* invite_timeout 32 s */
    REQ(f, 1000, 0, "INVITE", 1, "z9hG4bKt1", NULL);
    REQ(f, 1500, 0, "INVITE", 1, "z9hG4bKt1", NULL); /* retransmission does not restart it */
    cor_advance(f->c, 33 * SEC - 1);
    assert_int_equal(f->ndone, 0);
    cor_advance(f->c, 33 * SEC);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->outcome, COR_OUT_UNANSWERED);
    assert_int_equal(d->state, COR_ST_TRYING);
    assert_int_equal(d->final_status, 0);
}

/* A provisional stops Timer B (RFC 3261 §17.1.1.2): a ringing call lives
 * on until its idle timeout. */
static void test_ringing_idle(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKi1", NULL);
    RSP(f, 100, 1, 180, "INVITE", 1, "z9hG4bKi1", "t");
    cor_advance(f->c, 60 * SEC);
    assert_int_equal(f->ndone, 0);
    RSP(f, 61000, 1, 200, "INVITE", 1, "z9hG4bKi1", "t"); /* answered after 61 s of ringing */
    REQ(f, 61010, 0, "ACK", 1, "z9hG4bKi2", "t");
    /* confirmed now: only the established timeout (2 h) ends it, not idle */
    cor_advance(f->c, 61010 * MS + 7200 * SEC - 1);
    assert_int_equal(f->ndone, 0);
    cor_advance(f->c, 61010 * MS + 7200 * SEC);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->outcome, COR_OUT_ANSWERED);
    assert_int_equal(d->state, COR_ST_CONFIRMED);
    assert_int_equal(d->setup_ms, 61000);
    assert_int_equal(d->duration_ms, -1);
}

static void test_idle_unanswered_and_order(void **state)
{
    cor_config cfg;
    cor_config_default(&cfg);
    cfg.idle_timeout_s = 10;
    cfg.linger_s = 5;
    fx *f = _open(state, &cfg);
    f->call_id = "ring";
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKr1", NULL);
    RSP(f, 100, 1, 180, "INVITE", 1, "z9hG4bKr1", "t");   /* idle due at 10.1 s */
    f->call_id = "opt";
    REQ(f, 2000, 0, "OPTIONS", 1, "z9hG4bKo1", NULL);
    RSP(f, 2010, 1, 200, "OPTIONS", 1, "z9hG4bKo1", "t"); /* linger due at 7.01 s */
    f->call_id = "bye";
    REQ(f, 3000, 0, "BYE", 1, "z9hG4bKb1", "t");          /* idle due at 13 s, before Timer F */
    cor_advance(f->c, 11 * SEC);
    assert_int_equal(f->ndone, 2);
    assert_string_equal(f->done[0].call_id, "opt");
    assert_string_equal(f->done[1].call_id, "ring");
    assert_int_equal(f->done[1].outcome, COR_OUT_UNANSWERED);
    assert_int_equal(f->done[1].state, COR_ST_EARLY);
    cor_advance(f->c, 13 * SEC - 1);
    assert_int_equal(f->ndone, 2);
    cor_advance(f->c, 13 * SEC);
    assert_int_equal(f->ndone, 3);
    assert_string_equal(f->done[2].call_id, "bye");
    assert_int_equal(f->done[2].kind, COR_KIND_OTHER);
    assert_int_equal(f->done[2].outcome, COR_OUT_NO_RESPONSE);
}

/* A confirmed call silent for longer than the idle timeout is still one
 * call: its BYE an hour later belongs to it. Only the (longer)
 * established timeout ends it. */
static void test_established_call_outlives_idle(void **state)
{
    cor_config cfg;
    cor_config_default(&cfg);
    cfg.idle_timeout_s = 300;
    cfg.established_timeout_s = 7200;
    fx *f = _open(state, &cfg);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKe1", NULL);
    RSP(f, 100, 1, 200, "INVITE", 1, "z9hG4bKe1", "t");
    REQ(f, 110, 0, "ACK", 1, "z9hG4bKe2", "t");
    cor_advance(f->c, 3600 * SEC);
    assert_int_equal(f->ndone, 0);
    REQ(f, 3600 * 1000, 0, "BYE", 2, "z9hG4bKe3", "t");
    RSP(f, 3600 * 1000 + 5, 1, 200, "BYE", 2, "z9hG4bKe3", "t");
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->kind, COR_KIND_CALL);
    assert_int_equal(d->state, COR_ST_TERMINATED);
    assert_int_equal(d->duration_ms, 3600 * 1000 - 100);
    assert_int_equal(d->nmsgs, 5);

    /* but a confirmed call that never ends is let go after established_timeout_s */
    f->ndone = 0;
    f->call_id = "forever";
    REQ(f, 10000 * 1000, 0, "INVITE", 1, "z9hG4bKf1", NULL);
    RSP(f, 10000 * 1000 + 50, 1, 200, "INVITE", 1, "z9hG4bKf1", "t");
    cor_advance(f->c, (int64_t)(10000 + 7200) * SEC);
    assert_int_equal(f->ndone, 0);
    cor_advance(f->c, (int64_t)(10000 + 7200 + 1) * SEC);
    assert_int_equal(f->ndone, 1);
    assert_int_equal(f->done[0].outcome, COR_OUT_ANSWERED);
}

/* BYE without a response ends a call once Timer F would have. */
static void test_bye_unanswered_timer(void **state)
{
    fx *f = _open(state, NULL);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bKy1", NULL);
    RSP(f, 100, 1, 200, "INVITE", 1, "z9hG4bKy1", "t");
    REQ(f, 110, 0, "ACK", 1, "z9hG4bKy2", "t");
    REQ(f, 10000, 0, "BYE", 2, "z9hG4bKy3", "t");
    cor_advance(f->c, 42 * SEC - 1);
    assert_int_equal(f->ndone, 0);
    cor_advance(f->c, 42 * SEC);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->outcome, COR_OUT_ANSWERED);
    assert_int_equal(d->state, COR_ST_CONFIRMED);
    assert_int_equal(d->duration_ms, 9900);
}

static void test_finish_live_and_order(void **state)
{
    fx *f = _open(state, NULL);
    f->call_id = "b";
    REQ(f, 5000, 0, "INVITE", 1, "z9hG4bK1", NULL);
    f->call_id = "a";
    REQ(f, 2000, 0, "INVITE", 1, "z9hG4bK2", NULL); /* earlier time, later id */
    f->call_id = "c";
    REQ(f, 2000, 0, "INVITE", 1, "z9hG4bK3", NULL);
    cor_finish(f->c, 1);
    assert_int_equal(f->ndone, 3);
    assert_string_equal(f->done[0].call_id, "a");
    assert_string_equal(f->done[1].call_id, "c");
    assert_string_equal(f->done[2].call_id, "b");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(f->done[i].outcome, COR_OUT_IN_PROGRESS);
        assert_int_equal(f->done[i].at_stop, 1);
        assert_int_equal(f->done[i].state, COR_ST_TRYING);
    }
}

/* At the end of input records come out by first message then id, whatever
 * their activity order; a record whose first message moves back (packets
 * out of time order) moves ahead of those created before it. */
static void test_finish_order_first_us(void **state)
{
    fx *f = _open(state, NULL);
    f->call_id = "a";
    REQ(f, 1000, 0, "INVITE", 1, "z9hG4bK1", NULL);
    f->call_id = "b";
    REQ(f, 2000, 0, "INVITE", 1, "z9hG4bK2", NULL);
    f->call_id = "c";
    REQ(f, 2000, 0, "INVITE", 1, "z9hG4bK3", NULL);
    f->call_id = "a";
    RSP(f, 3000, 1, 180, "INVITE", 1, "z9hG4bK1", "t"); /* a is now the latest active */
    cor_finish(f->c, 1);
    assert_int_equal(f->ndone, 3);
    assert_string_equal(f->done[0].call_id, "a");
    assert_string_equal(f->done[1].call_id, "b");
    assert_string_equal(f->done[2].call_id, "c");

    f->ndone = 0;
    f->call_id = "d";
    REQ(f, 5000, 0, "INVITE", 1, "z9hG4bK4", NULL);
    f->call_id = "e";
    REQ(f, 6000, 0, "INVITE", 1, "z9hG4bK5", NULL);
    RSP(f, 4000, 1, 100, "INVITE", 1, "z9hG4bK5", NULL); /* e's first message is now 4000 */
    cor_finish(f->c, 1);
    assert_int_equal(f->ndone, 2);
    assert_string_equal(f->done[0].call_id, "e");
    assert_int_equal(f->done[0].first_us, 4000 * MS);
    assert_string_equal(f->done[1].call_id, "d");
}

/* End of a file: an INVITE older than Timer B is unanswered, a young one
 * in progress. */
static void test_finish_offline_age(void **state)
{
    fx *f = _open(state, NULL);
    f->call_id = "old";
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bK1", NULL);
    RSP(f, 10, 1, 180, "INVITE", 1, "z9hG4bK1", "t");
    f->call_id = "young";
    REQ(f, 40000, 0, "INVITE", 1, "z9hG4bK2", NULL);
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 2);
    assert_int_equal(f->done[0].outcome, COR_OUT_UNANSWERED);
    assert_int_equal(f->done[0].at_stop, 0);
    assert_int_equal(f->done[1].outcome, COR_OUT_IN_PROGRESS);
}

static void test_eviction(void **state)
{
    cor_config cfg;
    cor_config_default(&cfg);
    cfg.max_records = 2;
    fx *f = _open(state, &cfg);
    f->call_id = "e1";
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bK1", NULL);
    f->call_id = "e2";
    REQ(f, 10, 0, "INVITE", 1, "z9hG4bK2", NULL);
    f->call_id = "e1";
    RSP(f, 20, 1, 180, "INVITE", 1, "z9hG4bK1", "t"); /* e1 active again: e2 is oldest */
    f->call_id = "e3";
    REQ(f, 30, 0, "INVITE", 1, "z9hG4bK3", NULL);
    assert_int_equal(f->ndone, 1);
    assert_string_equal(f->done[0].call_id, "e2");
    assert_int_equal(f->done[0].evicted, 1);
    assert_int_equal(f->done[0].outcome, COR_OUT_IN_PROGRESS);
    assert_int_equal(cor_counters(f->c)[COR_C_EVICTED], 1);
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 3);
    assert_string_equal(f->done[1].call_id, "e1");
    assert_int_equal(f->done[1].evicted, 0);
    assert_string_equal(f->done[2].call_id, "e3");
}

static void test_msgs_cap(void **state)
{
    cor_config cfg;
    cor_config_default(&cfg);
    cfg.max_msgs_per_record = 3;
    fx *f = _open(state, &cfg);
    REQ(f, 0, 0, "INVITE", 1, "z9hG4bK1", NULL);
    RSP(f, 10, 1, 100, "INVITE", 1, "z9hG4bK1", NULL);
    RSP(f, 20, 1, 180, "INVITE", 1, "z9hG4bK1", "t");
    RSP(f, 30, 1, 200, "INVITE", 1, "z9hG4bK1", "t");
    REQ(f, 40, 0, "ACK", 1, "z9hG4bK2", "t");
    assert_int_equal(f->nseen, 5);
    assert_string_equal(f->method_seen[4], "ACK");
    assert_int_equal(f->txn[4], 1);
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->nmsgs, 3);
    assert_int_equal(d->msgs_dropped, 2);
    assert_int_equal(d->outcome, COR_OUT_ANSWERED); /* state still follows every message */
    assert_int_equal(d->ntxns, 2);
    assert_int_equal(cor_counters(f->c)[COR_C_MSGS_DROPPED], 2);
}

/* Keep-alive OPTIONS on one Call-ID: transactions are indexed and capped,
 * so the record neither goes quadratic nor grows without bound. */
static void test_many_transactions(void **state)
{
    cor_config cfg;
    cor_config_default(&cfg);
    cfg.max_msgs_per_record = 500;
    fx *f = _open(state, &cfg);
    char br[32];
    for (uint32_t i = 0; i < 20000; i++) {
        snprintf(br, sizeof br, "z9hG4bKka%u", i);
        REQ(f, (int64_t)i * 10, 0, "OPTIONS", i + 1, br, NULL);
        RSP(f, (int64_t)i * 10 + 1, 1, 200, "OPTIONS", i + 1, br, "t");
    }
    cor_finish(f->c, 0);
    const done_rec *d = _done_one(f);
    assert_int_equal(d->ntxns, 500);
    assert_int_equal(d->nmsgs, 500);
    assert_int_equal(d->msgs_dropped, 39500);
    assert_int_equal(d->retransmissions, 0);
    assert_int_equal(d->outcome, COR_OUT_SUCCESS);
    assert_int_equal(d->state, COR_ST_COMPLETED);
    assert_int_equal(cor_counters(f->c)[COR_C_TRANSACTIONS], 20000);
    assert_int_equal(cor_counters(f->c)[COR_C_ORPHAN_RESPONSES], 0);
}

static void test_long_call_id(void **state)
{
    fx *f = _open(state, NULL);
    static char a[2001], b[2001];
    memset(a, 'x', 2000);
    memcpy(b, a, sizeof b);
    b[1500] = 'y'; /* differs beyond the copied 1 KiB */
    f->call_id = a;
    REQ(f, 0, 0, "OPTIONS", 1, "z9hG4bK1", NULL);
    RSP(f, 1, 1, 200, "OPTIONS", 1, "z9hG4bK1", "t");
    f->call_id = b;
    REQ(f, 2, 0, "OPTIONS", 1, "z9hG4bK2", NULL);
    cor_finish(f->c, 0);
    assert_int_equal(f->ndone, 2);
    assert_int_equal(f->done[0].nmsgs, 2);
    assert_int_equal(cor_counters(f->c)[COR_C_RECORDS], 2);
}

/* Many live records, half of them finishing (table removals), then every
 * survivor must still be found: no new record for their next message. */
static void test_table_churn(void **state)
{
    fx *f = _open(state, NULL);
    char cid[32];
    const int n = 6000;
    for (int i = 0; i < n; i++) {
        snprintf(cid, sizeof cid, "churn-%d", i);
        f->call_id = cid;
        REQ(f, i, 0, i % 2 ? "INVITE" : "OPTIONS", 1, "z9hG4bK1", NULL);
        if (i % 2 == 0)
            RSP(f, i, 1, 200, "OPTIONS", 1, "z9hG4bK1", "t"); /* completed: lingers */
    }
    cor_advance(f->c, 33 * SEC + n * MS); /* OPTIONS linger out; INVITEs hit Timer B too */
    assert_int_equal(f->total_done, n);
    /* fresh batch, then remove every other one by linger while the rest live */
    for (int i = 0; i < n; i++) {
        snprintf(cid, sizeof cid, "churn2-%d", i);
        f->call_id = cid;
        REQ(f, 100000, 0, "INVITE", 1, "z9hG4bK1", NULL);
        RSP(f, 100001, 1, 180, "INVITE", 1, "z9hG4bK1", "t");
        if (i % 2 == 0)
            RSP(f, 100002, 1, 486, "INVITE", 1, "z9hG4bK1", "t");
    }
    cor_advance(f->c, 100002 * MS + 32 * SEC);
    assert_int_equal(f->total_done, n + n / 2);
    uint64_t recs = cor_counters(f->c)[COR_C_RECORDS];
    for (int i = 1; i < n; i += 2) {
        snprintf(cid, sizeof cid, "churn2-%d", i);
        f->call_id = cid;
        RSP(f, 140000, 1, 200, "INVITE", 1, "z9hG4bK1", "t");
    }
    assert_int_equal(cor_counters(f->c)[COR_C_RECORDS], recs);
    assert_int_equal(cor_counters(f->c)[COR_C_ORPHAN_RESPONSES], 0);
    cor_finish(f->c, 0);
    assert_int_equal(f->total_done, 2 * n);
    /* the OPTIONS settle first (2 s), in id order; the INVITEs wait for Timer B */
    for (int i = 0; i < MAX_DONE; i++)
        assert_int_equal(f->done[i].id, 2 * i + 1);
}

static void test_distinct_exact(void **state)
{
    cor_config cfg;
    cor_config_default(&cfg);
    cfg.max_records = 100;
    fx *f = _open(state, &cfg);
    char cid[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 5000; i++) {
            snprintf(cid, sizeof cid, "d-%d", i);
            f->call_id = cid;
            REQ(f, round * 1000 + i, 0, "OPTIONS", 1, "z9hG4bK1", NULL);
        }
    int exact = 0;
    assert_int_equal(cor_distinct_call_ids(f->c, &exact), 5000);
    assert_int_equal(exact, 1);
    assert_int_equal(cor_counters(f->c)[COR_C_RECORDS], 10000);
}

static void test_distinct_estimate(void **state)
{
    cor_config cfg;
    cor_config_default(&cfg);
    cfg.max_records = 1000;
    fx *f = _open(state, &cfg);
    char cid[48];
    const int n = 200000;
    int exact = 1;
    for (int i = 0; i < n; i++) {
        snprintf(cid, sizeof cid, "%08x-%d@host.example", (unsigned)i * 2654435761u, i);
        f->call_id = cid;
        REQ(f, i, 0, "OPTIONS", 1, "z9hG4bK1", NULL);
        if (i + 1 == (int)COR_DISTINCT_EXACT_MAX) {
            assert_int_equal(cor_distinct_call_ids(f->c, &exact), COR_DISTINCT_EXACT_MAX);
            assert_int_equal(exact, 1);
        }
    }
    uint64_t est = cor_distinct_call_ids(f->c, &exact);
    assert_int_equal(exact, 0);
    assert_in_range(est, (uint64_t)(n * 0.97), (uint64_t)(n * 1.03));
    /* repeats do not move the estimate */
    for (int i = 0; i < 1000; i++) {
        snprintf(cid, sizeof cid, "%08x-%d@host.example", (unsigned)i * 2654435761u, i);
        f->call_id = cid;
        REQ(f, n + i, 0, "OPTIONS", 1, "z9hG4bK1", NULL);
    }
    assert_int_equal(cor_distinct_call_ids(f->c, &exact), est);
    assert_int_equal(f->total_done, cor_counters(f->c)[COR_C_EVICTED]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_eq_bytes),
        cmocka_unit_test(test_pool_blocks),
        cmocka_unit_test_setup_teardown(test_simple_call, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_retransmissions, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_same_branch_other_sent_by, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_ack_non2xx_joins_invite, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_cancel, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_cancel_without_487, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_final_status_outcomes, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_auth_retry_answered, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_auth_not_retried_rejected, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_forked_early_dialogs, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_early_state, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_rfc2543, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_rfc2543_ack_2xx, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_register_challenge_success, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_register_failure, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_options_no_response, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_orphan_response_and_kinds, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_uncorrelated, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_linger, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_call_linger_after_bye, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_linger_off, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_settle_waits_for_open, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_subscription_lifetime, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_invite_timer, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_ringing_idle, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_idle_unanswered_and_order, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_established_call_outlives_idle, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_bye_unanswered_timer, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_finish_live_and_order, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_finish_order_first_us, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_finish_offline_age, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_eviction, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_msgs_cap, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_many_transactions, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_long_call_id, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_table_churn, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_distinct_exact, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_distinct_estimate, _setup, _teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
