/* pipeline.c - decode -> sip -> correlate -> report, one frame at a time.
 *
 * Owns no analysis of its own: it hands each payload decode produces to the
 * SIP parser, each parsed message to correlate, and lets correlate's sink
 * drive the report. What the parser rejects is counted here by reason.
 *
 * With a second thread (ss_pipeline_start_thread) the work splits where the
 * data already flows one way: the caller's thread reads, decodes and parses
 * (about three quarters of the instructions per message), the other
 * correlates and reports. Each payload is copied into a slot of a handoff
 * ring and parsed there, so the parsed message's slices stay valid until the
 * correlating thread is done with the slot; timer ticks travel through the
 * same ring, so the correlator sees exactly what it would see in one thread. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "sipscope/pipeline.h"
#include "sipscope/sip.h"

/* payloads up to this size are copied into the slot itself; larger ones
 * (big TCP messages) into a heap buffer the slot keeps until reused */
#define SLOT_INLINE 2048
#define HANDOFF_SLOTS 128

typedef enum slot_kind { SLOT_MESSAGE, SLOT_TICK, SLOT_FINISH, SLOT_STOP } slot_kind;

typedef struct ss_slot {
    slot_kind kind;
    int live;         /* SLOT_FINISH */
    int64_t now_us;   /* SLOT_TICK: correlator clock */
    dec_payload pl;   /* SLOT_MESSAGE: data points into buf or heap */
    uint8_t *heap;
    sip_msg msg;
    uint8_t buf[SLOT_INLINE];
} ss_slot;

struct ss_pipeline {
    dec_ctx *dec;
    cor_ctx *cor;
    rep_ctx *rep;
    hep_sender *hep; /* --hep-send, not owned; NULL if off */
    sip_msg msg; /* reused for every message: large, never on the stack */
    uint64_t frames;
    uint64_t sip_errors[SIP_E__COUNT];
    uint64_t sip_defects[SIP_DEF__COUNT];
    uint64_t not_sip, not_sip_on_port, keepalives;
    int64_t first_us, last_us, advanced_us;
    /* HEP carries the agent's capture time, which is the messages' clock:
     * the correlator's timers run on frame time + this offset (message time
     * of the last payload - time of its frame; 0 for anything but HEP). */
    int64_t frame_us, msg_clock_off;
    /* two threads: the ring, the correlating thread, and what the caller's
     * thread can read about it while it runs */
    int threaded;
    ss_handoff ring;
    pthread_t correlator;
    uint64_t handed;            /* messages put in the ring (caller's thread) */
    _Atomic uint64_t calls_seen; /* COR_C_CALLS, as the correlating thread last saw */
};

static void _sink_message(void *user, const cor_msg *m, const cor_record *rec)
{
    rep_message(((ss_pipeline *)user)->rep, m, rec);
}

static void _sink_record(void *user, const cor_record *rec)
{
    rep_record(((ss_pipeline *)user)->rep, rec);
}

/* NAT keep-alives: CRLF (RFC 5626 §4.4.1) or, from many phones, a few
 * spaces. Counted as such, not as garbage. */
static int _is_keepalive(const uint8_t *d, size_t len)
{
    if (len == 0 || len > 64)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (d[i] != '\r' && d[i] != '\n' && d[i] != ' ' && d[i] != '\t')
            return 0;
    return 1;
}

/* A slot's parsed fields, first headers and first payload bytes are what
 * each side touches; asking for them one message early hides the transfer
 * of those cache lines from the other core. */
static void _prefetch_slot(const ss_slot *s, int write)
{
    if (s == NULL)
        return;
    const char *m = (const char *)&s->msg;
    for (size_t o = 0; o < offsetof(sip_msg, hdr) + 16 * sizeof(sip_header); o += 64) {
        if (write)
            __builtin_prefetch(m + o, 1);
        else
            __builtin_prefetch(m + o, 0);
    }
    for (size_t o = 0; o < 640; o += 64) {
        if (write)
            __builtin_prefetch(s->buf + o, 1);
        else
            __builtin_prefetch(s->buf + o, 0);
    }
}

/* Where a payload of len bytes is copied in the slot: its own buffer, or a
 * heap buffer for a large one (freed when the slot next takes a small
 * payload, so large buffers live only while in flight). NULL: no memory. */
static uint8_t *_slot_bytes(ss_slot *s, size_t len)
{
    if (len <= sizeof s->buf) {
        free(s->heap);
        s->heap = NULL;
        return s->buf;
    }
    free(s->heap);
    s->heap = malloc(len);
    return s->heap;
}

/* Producer: waits until the correlating thread has taken everything. */
static void _drain(ss_pipeline *p)
{
    ss_handoff_flush(&p->ring);
    while (atomic_load_explicit(&p->ring.released, memory_order_acquire) != p->ring.prod_next)
        sched_yield();
}

/* One transport payload holds one SIP message: a TCP/WebSocket payload is
 * exactly one framed message, and in a datagram the bytes after the first
 * message's Content-Length are not a message (RFC 3261 §18.3, RFC 4475
 * §3.1.1.8 "dblreq"); the parser flags them as a defect. */
static void _on_payload(void *user, const dec_payload *pl)
{
    ss_pipeline *p = user;
    int stream = pl->transport == DEC_TP_TCP || pl->transport == DEC_TP_WS;
    size_t used = 0;
    p->msg_clock_off = pl->ts_us - p->frame_us;
    if (_is_keepalive(pl->data.p, pl->data.len)) {
        p->keepalives++;
        return;
    }
    const uint8_t *data = pl->data.p;
    size_t len = pl->data.len;
    sip_msg *msg = &p->msg;
    ss_slot *slot = NULL;
    if (p->threaded) {
        /* parse the slot's copy: the message's slices must outlive this call */
        slot = ss_handoff_acquire(&p->ring);
        _prefetch_slot(ss_handoff_ahead(&p->ring, 1), 1);
        uint8_t *copy = _slot_bytes(slot, len);
        if (copy == NULL) {
            /* no memory for a large payload: let the correlating thread
             * catch up, then handle this one message here, as one thread
             * would (the ring is empty, so the order is kept) */
            _drain(p);
            slot = NULL;
        } else {
            memcpy(copy, data, len);
            data = copy;
            msg = &slot->msg;
        }
    }
    sip_result r = sip_parse(msg, data, len, stream, &used);
    /* Off the SIP ports a start line alone is weak evidence (an HTTP body
     * can begin "SIP/2.0 200 ok"): there a message must also carry the
     * headers every SIP message has to be taken as SIP. */
    if (r == SIP_OK && !(pl->flags & (DEC_PL_SIP_PORT | DEC_PL_HEP)) &&
        (msg->defects & SIP_DEF_MISSING_CALL_ID) && (msg->defects & SIP_DEF_MISSING_CSEQ))
        r = SIP_NOT_SIP;
    if (r == SIP_OK) {
        for (uint32_t d = msg->defects & ((1u << SIP_DEF__COUNT) - 1); d; d &= d - 1)
            p->sip_defects[__builtin_ctz(d)]++;
        if (p->hep) {
            uint8_t proto = pl->transport == DEC_TP_SCTP ? 132
                          : pl->transport == DEC_TP_UDP  ? 17
                                                         : 6;
            hep_sender_send(p->hep, &pl->src, &pl->dst, proto, pl->ts_us, data, len);
        }
        if (slot) {
            slot->kind = SLOT_MESSAGE;
            slot->pl = *pl;
            slot->pl.data = ss_slice_make(data, len);
            ss_handoff_commit(&p->ring);
            p->handed++;
        } else {
            cor_message(p->cor, msg, pl);
        }
    } else if (r == SIP_NOT_SIP) {
        /* an uncommitted slot is simply refilled by the next payload */
        p->not_sip++;
        if (pl->flags & DEC_PL_SIP_PORT)
            p->not_sip_on_port++;
    } else {
        /* malformed, or (datagram) a message that cannot be complete */
        sip_error e = r == SIP_MALFORMED ? msg->error : SIP_E_BAD_START_LINE;
        p->sip_errors[e < SIP_E__COUNT && e != SIP_E_NONE ? e : SIP_E_BAD_START_LINE]++;
    }
}

int ss_pipeline_create(ss_pipeline **out, const dec_config *dcfg, const cor_config *ccfg,
                       rep_ctx *rep)
{
    *out = NULL;
    ss_pipeline *p = calloc(1, sizeof *p);
    if (p == NULL)
        return ENOMEM;
    p->rep = rep;
    cor_sink sink = {_sink_message, _sink_record, p};
    if (dec_create(&p->dec, dcfg, _on_payload, p) != 0 || cor_create(&p->cor, ccfg, &sink) != 0) {
        ss_pipeline_destroy(p);
        return ENOMEM;
    }
    *out = p;
    return 0;
}

void ss_pipeline_set_hep_sender(ss_pipeline *p, hep_sender *h) { p->hep = h; }

void ss_pipeline_frame(ss_pipeline *p, const dec_frame *f)
{
    p->frames++;
    if (p->frames == 1 || f->ts_us < p->first_us)
        p->first_us = f->ts_us;
    if (f->ts_us > p->last_us)
        p->last_us = f->ts_us;
    p->frame_us = f->ts_us;
    int64_t off = p->msg_clock_off;
    dec_frame_in(p->dec, f);
    /* timers run on capture time; a few checks per simulated second suffice */
    if (f->ts_us - p->advanced_us >= 100000 || f->ts_us < p->advanced_us || off != p->msg_clock_off)
        ss_pipeline_tick(p, f->ts_us);
}

void ss_pipeline_tick(ss_pipeline *p, int64_t now_us)
{
    dec_advance(p->dec, now_us);
    if (p->threaded) {
        ss_slot *s = ss_handoff_acquire(&p->ring);
        s->kind = SLOT_TICK;
        s->now_us = now_us + p->msg_clock_off;
        ss_handoff_commit(&p->ring);
    } else {
        cor_advance(p->cor, now_us + p->msg_clock_off);
    }
    p->advanced_us = now_us;
}

/* The correlating thread: takes slots in order until told to end. */
static void *_correlator_main(void *arg)
{
    ss_pipeline *p = arg;
    for (;;) {
        ss_slot *s = ss_handoff_next(&p->ring);
        _prefetch_slot(ss_handoff_peek(&p->ring, 1), 0);
        switch (s->kind) {
        case SLOT_MESSAGE:
            cor_message(p->cor, &s->msg, &s->pl);
            atomic_store_explicit(&p->calls_seen, cor_counters(p->cor)[COR_C_CALLS],
                                  memory_order_relaxed);
            break;
        case SLOT_TICK:
            cor_advance(p->cor, s->now_us);
            break;
        case SLOT_FINISH:
            cor_finish(p->cor, s->live);
            /* fall through */
        case SLOT_STOP:
            ss_handoff_done(&p->ring);
            return NULL;
        }
        ss_handoff_done(&p->ring);
    }
}

int ss_pipeline_start_thread(ss_pipeline *p)
{
    if (p->threaded)
        return 0;
    int err = ss_handoff_init(&p->ring, HANDOFF_SLOTS, sizeof(ss_slot));
    if (err)
        return err;
    /* signals (SIGINT, SIGUSR1 ...) stay with the caller's thread, which
     * owns the capture loop they act on */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&p->correlator, NULL, _correlator_main, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        ss_handoff_destroy(&p->ring);
        return err;
    }
    p->threaded = 1;
    return 0;
}

/* Ends the correlating thread with a last slot of `kind`; back to one
 * thread. */
static void _stop_thread(ss_pipeline *p, slot_kind kind, int live)
{
    if (!p->threaded)
        return;
    ss_slot *s = ss_handoff_acquire(&p->ring);
    s->kind = kind;
    s->live = live;
    ss_handoff_commit(&p->ring);
    ss_handoff_flush(&p->ring);
    pthread_join(p->correlator, NULL);
    p->threaded = 0;
    for (size_t i = 0; i < p->ring.nslots; i++)
        free(((ss_slot *)(p->ring.slots + i * p->ring.slot_size))->heap);
    ss_handoff_destroy(&p->ring);
}

void ss_pipeline_finish(ss_pipeline *p, int live)
{
    dec_finish(p->dec);
    /* a stopped live capture leaves calls "in progress", not unanswered */
    if (p->threaded)
        _stop_thread(p, SLOT_FINISH, live);
    else
        cor_finish(p->cor, live);
}

void ss_pipeline_info(const ss_pipeline *p, const cap_set *cap, const char *const *inputs,
                      const char **input_errors, rep_run_info *info)
{
    size_t n = cap ? cap_input_count(cap) : 0;
    for (size_t i = 0; i < n; i++)
        input_errors[i] = cap_input_error(cap, i);
    int exact = 1;
    memset(info, 0, sizeof *info);
    info->inputs = inputs;
    info->ninputs = n;
    info->packets = p->frames;
    info->dec = dec_counters(p->dec);
    info->sip_errors = p->sip_errors;
    info->sip_not_sip = p->not_sip;
    info->sip_not_sip_on_port = p->not_sip_on_port;
    info->sip_keepalives = p->keepalives;
    info->sip_defects = p->sip_defects;
    info->cor = cor_counters(p->cor);
    info->first_us = p->first_us;
    info->last_us = p->last_us;
    info->input_errors = input_errors;
    info->call_ids = cor_distinct_call_ids(p->cor, &exact);
    info->call_ids_exact = exact;
    info->tls_flows = dec_tls_flows(p->dec, &info->ntls_flows, &info->tls_flows_not_listed);
    if (cap && cap_is_live(cap)) {
        info->live = 1;
        cap_live_stats(cap, &info->pcap_recv, &info->pcap_drop, &info->pcap_ifdrop);
    }
}

uint64_t ss_pipeline_frames(const ss_pipeline *p) { return p->frames; }
/* While the correlating thread runs, its counters are its own: progress
 * shows what was handed to it and the calls it last published. */
uint64_t ss_pipeline_messages(const ss_pipeline *p)
{
    return p->threaded ? p->handed : cor_counters(p->cor)[COR_C_MESSAGES];
}

uint64_t ss_pipeline_calls(const ss_pipeline *p)
{
    return p->threaded ? atomic_load_explicit(&((ss_pipeline *)p)->calls_seen, memory_order_relaxed)
                       : cor_counters(p->cor)[COR_C_CALLS];
}

void ss_pipeline_destroy(ss_pipeline *p)
{
    if (p == NULL)
        return;
    _stop_thread(p, SLOT_STOP, 0);
    cor_destroy(p->cor);
    dec_destroy(p->dec);
    free(p);
}
