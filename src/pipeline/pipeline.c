/* pipeline.c - decode -> sip -> correlate -> report, one frame at a time.
 *
 * Owns no analysis of its own: it hands each payload decode produces to the
 * SIP parser, each parsed message to correlate, and lets correlate's sink
 * drive the report. What the parser rejects is counted here by reason. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sipscope/pipeline.h"
#include "sipscope/sip.h"

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
    sip_result r = sip_parse(&p->msg, pl->data.p, pl->data.len, stream, &used);
    /* Off the SIP ports a start line alone is weak evidence (an HTTP body
     * can begin "SIP/2.0 200 ok"): there a message must also carry the
     * headers every SIP message has to be taken as SIP. */
    if (r == SIP_OK && !(pl->flags & (DEC_PL_SIP_PORT | DEC_PL_HEP)) &&
        (p->msg.defects & SIP_DEF_MISSING_CALL_ID) && (p->msg.defects & SIP_DEF_MISSING_CSEQ))
        r = SIP_NOT_SIP;
    if (r == SIP_OK) {
        for (uint32_t d = p->msg.defects & ((1u << SIP_DEF__COUNT) - 1); d; d &= d - 1)
            p->sip_defects[__builtin_ctz(d)]++;
        if (p->hep) {
            uint8_t proto = pl->transport == DEC_TP_SCTP ? 132
                          : pl->transport == DEC_TP_UDP  ? 17
                                                         : 6;
            hep_sender_send(p->hep, &pl->src, &pl->dst, proto, pl->ts_us, pl->data.p,
                            pl->data.len);
        }
        cor_message(p->cor, &p->msg, pl);
    } else if (r == SIP_NOT_SIP) {
        p->not_sip++;
        if (pl->flags & DEC_PL_SIP_PORT)
            p->not_sip_on_port++;
    } else {
        /* malformed, or (datagram) a message that cannot be complete */
        sip_error e = r == SIP_MALFORMED ? p->msg.error : SIP_E_BAD_START_LINE;
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
    cor_advance(p->cor, now_us + p->msg_clock_off);
    p->advanced_us = now_us;
}

void ss_pipeline_finish(ss_pipeline *p, int live)
{
    dec_finish(p->dec);
    /* a stopped live capture leaves calls "in progress", not unanswered */
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
uint64_t ss_pipeline_messages(const ss_pipeline *p) { return cor_counters(p->cor)[COR_C_MESSAGES]; }
uint64_t ss_pipeline_calls(const ss_pipeline *p) { return cor_counters(p->cor)[COR_C_CALLS]; }

void ss_pipeline_destroy(ss_pipeline *p)
{
    if (p == NULL)
        return;
    cor_destroy(p->cor);
    dec_destroy(p->dec);
    free(p);
}
