/* handoff.c - the SPSC ring between the parsing and the correlating thread.
 *
 * The counters published/released only grow; slot i lives at i % nslots.
 * Each side keeps its own position in plain fields and touches the shared
 * atomics once per batch, because a cache line bouncing between the two
 * cores on every message would cost more than the work it hands over.
 *
 * Sleeping: the waiting side sets its *_waiting flag and re-checks the
 * counter (both sequentially consistent), the other side stores the counter
 * and then reads the flag; at least one of the two sees the other's store,
 * so a wake-up cannot be lost. The signal is sent under the mutex the waiter
 * holds until cond_wait releases it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"

/* slots handed over per shared write */
#define HANDOFF_BATCH 16
/* polls of the other side's counter before sleeping: long enough to ride
 * over a burst gap, short enough not to burn a core the other side needs */
#define HANDOFF_SPIN 4000

static inline void _cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

int ss_handoff_init(ss_handoff *h, size_t nslots, size_t slot_size)
{
    memset(h, 0, sizeof *h);
    size_t n = 1;
    while (n < nslots)
        n <<= 1;
    if (n < 2 * HANDOFF_BATCH)
        n = 2 * HANDOFF_BATCH;
    slot_size = (slot_size + 63) & ~(size_t)63; /* no false sharing between slots */
    h->slots = calloc(n, slot_size);
    if (h->slots == NULL)
        return ENOMEM;
    h->nslots = n;
    h->slot_size = slot_size;
    atomic_init(&h->published, 0);
    atomic_init(&h->released, 0);
    atomic_init(&h->cons_waiting, 0);
    atomic_init(&h->prod_waiting, 0);
    if (pthread_mutex_init(&h->mu, NULL) != 0) {
        free(h->slots);
        h->slots = NULL;
        return ENOMEM;
    }
    pthread_cond_init(&h->cons_cv, NULL);
    pthread_cond_init(&h->prod_cv, NULL);
    return 0;
}

void ss_handoff_destroy(ss_handoff *h)
{
    if (h->slots == NULL)
        return;
    pthread_cond_destroy(&h->cons_cv);
    pthread_cond_destroy(&h->prod_cv);
    pthread_mutex_destroy(&h->mu);
    free(h->slots);
    h->slots = NULL;
}

static void *_slot(const ss_handoff *h, size_t i)
{
    return h->slots + (i & (h->nslots - 1)) * h->slot_size;
}

static void _wake(ss_handoff *h, atomic_int *waiting, pthread_cond_t *cv)
{
    if (atomic_load(waiting)) {
        pthread_mutex_lock(&h->mu);
        pthread_cond_signal(cv);
        pthread_mutex_unlock(&h->mu);
    }
}

/* Waits until *counter differs from `seen`: for the consumer, until
 * published grows; for the producer, until released does. */
static size_t _wait(ss_handoff *h, atomic_size_t *counter, size_t seen, atomic_int *waiting,
                    pthread_cond_t *cv)
{
    for (int i = 0; i < HANDOFF_SPIN; i++) {
        size_t v = atomic_load_explicit(counter, memory_order_acquire);
        if (v != seen)
            return v;
        _cpu_relax();
    }
    pthread_mutex_lock(&h->mu);
    size_t v;
    for (;;) {
        atomic_store(waiting, 1);
        v = atomic_load(counter);
        if (v != seen)
            break;
        pthread_cond_wait(cv, &h->mu);
    }
    atomic_store(waiting, 0);
    pthread_mutex_unlock(&h->mu);
    return v;
}

void ss_handoff_flush(ss_handoff *h)
{
    if (h->prod_unpublished == h->prod_next)
        return;
    atomic_store(&h->published, h->prod_next);
    h->prod_unpublished = h->prod_next;
    _wake(h, &h->cons_waiting, &h->cons_cv);
}

void *ss_handoff_acquire(ss_handoff *h)
{
    while (h->prod_next - h->prod_seen_released >= h->nslots) {
        h->prod_seen_released = atomic_load_explicit(&h->released, memory_order_acquire);
        if (h->prod_next - h->prod_seen_released < h->nslots)
            break;
        /* full: make sure the consumer has everything before waiting on it */
        ss_handoff_flush(h);
        h->prod_seen_released =
            _wait(h, &h->released, h->prod_seen_released, &h->prod_waiting, &h->prod_cv);
    }
    return _slot(h, h->prod_next);
}

void ss_handoff_commit(ss_handoff *h)
{
    h->prod_next++;
    if (h->prod_next - h->prod_unpublished >= HANDOFF_BATCH)
        ss_handoff_flush(h);
}

static void _release(ss_handoff *h)
{
    if (h->cons_unreleased == h->cons_next)
        return;
    atomic_store(&h->released, h->cons_next);
    h->cons_unreleased = h->cons_next;
    _wake(h, &h->prod_waiting, &h->prod_cv);
}

void *ss_handoff_next(ss_handoff *h)
{
    if (h->cons_next == h->cons_seen) {
        h->cons_seen = atomic_load_explicit(&h->published, memory_order_acquire);
        if (h->cons_next == h->cons_seen) {
            /* empty: give back what was read before waiting for more */
            _release(h);
            h->cons_seen = _wait(h, &h->published, h->cons_seen, &h->cons_waiting, &h->cons_cv);
        }
    }
    return _slot(h, h->cons_next);
}

void ss_handoff_done(ss_handoff *h)
{
    h->cons_next++;
    if (h->cons_next - h->cons_unreleased >= HANDOFF_BATCH)
        _release(h);
}

void *ss_handoff_peek(const ss_handoff *h, size_t ahead)
{
    return h->cons_next + ahead < h->cons_seen ? _slot(h, h->cons_next + ahead) : NULL;
}

void *ss_handoff_ahead(const ss_handoff *h, size_t ahead)
{
    return _slot(h, h->prod_next + ahead);
}
