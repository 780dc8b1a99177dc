/* test_handoff.c - the SPSC ring between the parsing and the correlating
 * thread: every slot arrives once, in order, with what the producer wrote,
 * whether the consumer is faster (it sleeps on an empty ring) or slower
 * (the producer sleeps on a full one), across many wrap-arounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <pthread.h>

#include "../../src/pipeline/handoff.h"

typedef struct item {
    uint64_t seq;
    uint64_t check; /* a function of seq spread over the slot */
    unsigned char fill[200];
} item;

typedef struct run {
    ss_handoff h;
    uint64_t n;
    int slow_consumer, slow_producer;
    uint64_t got, bad;
} run;

static void _pause_a_little(unsigned i)
{
    if (i % 512 == 0) {
        struct timespec ts = {0, 200000}; /* 0.2 ms: long enough to make the other side wait */
        nanosleep(&ts, NULL);
    }
}

static void *_consumer(void *arg)
{
    run *r = arg;
    for (;;) {
        item *it = ss_handoff_next(&r->h);
        uint64_t seq = it->seq;
        if (seq == UINT64_MAX) {
            ss_handoff_done(&r->h);
            return NULL;
        }
        if (seq != r->got || it->check != seq * 2654435761u || it->fill[199] != (unsigned char)seq)
            r->bad++;
        r->got++;
        ss_handoff_done(&r->h);
        if (r->slow_consumer)
            _pause_a_little((unsigned)seq);
    }
}

static void _run(run *r, size_t nslots)
{
    assert_int_equal(ss_handoff_init(&r->h, nslots, sizeof(item)), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, _consumer, r), 0);
    for (uint64_t i = 0; i < r->n; i++) {
        item *it = ss_handoff_acquire(&r->h);
        /* a slot acquired but not committed is handed out again */
        if (i % 7 == 0) {
            it->seq = 12345;
            assert_ptr_equal(ss_handoff_acquire(&r->h), it);
        }
        it->seq = i;
        it->check = i * 2654435761u;
        it->fill[199] = (unsigned char)i;
        ss_handoff_commit(&r->h);
        if (i % 1000 == 999)
            ss_handoff_flush(&r->h);
        if (r->slow_producer)
            _pause_a_little((unsigned)i);
    }
    item *end = ss_handoff_acquire(&r->h);
    end->seq = UINT64_MAX;
    ss_handoff_commit(&r->h);
    ss_handoff_flush(&r->h);
    pthread_join(t, NULL);
    ss_handoff_destroy(&r->h);
    assert_int_equal(r->bad, 0);
    assert_int_equal(r->got, r->n);
}

static void test_handoff_in_order_at_full_speed(void **state)
{
    (void)state;
    run r = {.n = 2000000};
    _run(&r, 128);
}

static void test_handoff_slow_consumer_fills_the_ring(void **state)
{
    (void)state;
    run r = {.n = 20000, .slow_consumer = 1};
    _run(&r, 32);
}

static void test_handoff_slow_producer_empties_the_ring(void **state)
{
    (void)state;
    run r = {.n = 20000, .slow_producer = 1};
    _run(&r, 32);
}

static void test_handoff_rounds_slots_up(void **state)
{
    (void)state;
    ss_handoff h;
    assert_int_equal(ss_handoff_init(&h, 100, 10), 0);
    assert_int_equal(h.nslots, 128);
    assert_int_equal(h.slot_size, 64); /* cache-line multiple */
    ss_handoff_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handoff_in_order_at_full_speed),
        cmocka_unit_test(test_handoff_slow_consumer_fills_the_ring),
        cmocka_unit_test(test_handoff_slow_producer_empties_the_ring),
        cmocka_unit_test(test_handoff_rounds_slots_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
