/* handoff.h - a single-producer, single-consumer ring of slots between the
 * thread that reads, decodes and parses and the thread that correlates and
 * reports (ss_pipeline with two threads).
 *
 * Order is kept: the consumer sees slots exactly in the order the producer
 * published them, so the correlator's view (messages interleaved with timer
 * ticks) is the same as in one thread and so is every report.
 *
 * Slots are reused in place: the producer writes a slot it acquired, then
 * publishes it; the consumer reads it, then releases it. Publishing and
 * releasing are batched (one shared-cache-line write per batch), and a side
 * that finds the ring empty (full) spins briefly and then sleeps on a
 * condition variable, so an idle side costs no CPU. */
#ifndef SIPSCOPE_PIPELINE_HANDOFF_H
#define SIPSCOPE_PIPELINE_HANDOFF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ss_handoff {
    size_t nslots;      /* a power of two */
    size_t slot_size;
    unsigned char *slots;
    /* producer side: next slot to write, first not yet published */
    size_t prod_next, prod_unpublished;
    /* consumer side: next slot to read, first not yet released */
    size_t cons_next, cons_unreleased;
    size_t cons_seen;   /* consumer's last view of published (no atomic) */
    size_t prod_seen_released;
    _Alignas(64) atomic_size_t published;
    _Alignas(64) atomic_size_t released;
    _Alignas(64) atomic_int cons_waiting, prod_waiting;
    pthread_mutex_t mu;
    pthread_cond_t cons_cv, prod_cv;
} ss_handoff;

/* nslots (rounded up to a power of two) slots of slot_size bytes, zeroed.
 * Returns 0 or ENOMEM. */
int ss_handoff_init(ss_handoff *h, size_t nslots, size_t slot_size);
void ss_handoff_destroy(ss_handoff *h);

/* Producer: the next slot to fill (waits while the ring is full). The same
 * slot is returned again until ss_handoff_commit is called, so a slot that
 * turned out not to be wanted (a payload that is not SIP) is simply refilled. */
void *ss_handoff_acquire(ss_handoff *h);
/* Producer: the acquired slot is filled; it is published with its batch. */
void ss_handoff_commit(ss_handoff *h);
/* Producer: publish every committed slot now (before a pause in input, at
 * the end). */
void ss_handoff_flush(ss_handoff *h);

/* Consumer: the next published slot (waits until there is one). */
void *ss_handoff_next(ss_handoff *h);
/* Consumer: done with the slot ss_handoff_next returned. */
void ss_handoff_done(ss_handoff *h);

/* Consumer: the slot `ahead` places after the current one if it is
 * published already (to prefetch it), else NULL. */
void *ss_handoff_peek(const ss_handoff *h, size_t ahead);
/* Producer: the slot `ahead` places after the one being filled (may still
 * be in the consumer's hands: only for prefetching). */
void *ss_handoff_ahead(const ss_handoff *h, size_t ahead);

#endif
