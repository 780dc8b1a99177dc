/* legs.c - the legs of one call (RFC 3261 §16 proxy chains) and its links
 * to other records (B2BUA legs), for the ladder and the JSON report.
 *
 * A stateful proxy relays a request with its own Via on top, so each hop
 * has its own transactions under the same Call-ID (correlate keys them by
 * branch + sent-by, and the retransmission fingerprint by src -> dst, so a
 * relayed request is never taken for a retransmission). What tells the hops
 * apart in the record is who talked to whom: a leg is the set of messages
 * exchanged between one pair of addresses, named after the side that sent
 * the first of them (upstream -> downstream). Legs are computed from the
 * record's kept messages when an output asks, never on the message path. */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Unordered address pair equality. */
static int _same_pair(const rep_leg *l, const cor_msg *m)
{
    return (ss_addr_cmp(&l->a, &m->src) == 0 && ss_addr_cmp(&l->b, &m->dst) == 0) ||
           (ss_addr_cmp(&l->a, &m->dst) == 0 && ss_addr_cmp(&l->b, &m->src) == 0);
}

int rep_leg_of(const rep_leg *legs, size_t n, const cor_msg *m)
{
    for (size_t i = 0; i < n; i++)
        if (_same_pair(&legs[i], m))
            return (int)i;
    return -1;
}

/* The leg's own setup: its first INVITE request -> the first 18x / 2xx /
 * final response to that INVITE (same CSeq) on the same leg. */
static void _leg_times(const cor_record *rec, rep_leg *l, size_t li, const rep_leg *legs, size_t n)
{
    int64_t inv = -1, ring = -1, ok = -1;
    uint32_t cseq = 0;
    for (size_t i = 0; i < rec->nmsgs; i++) {
        const cor_msg *m = &rec->msgs[i];
        if (m->method != SIP_M_INVITE || rep_leg_of(legs, n, m) != (int)li)
            continue;
        if (m->is_request) {
            if (inv < 0) {
                inv = m->ts_us;
                cseq = m->cseq;
            }
            continue;
        }
        if (inv < 0 || m->cseq != cseq)
            continue;
        if (m->status >= 180 && m->status < 190 && ring < 0)
            ring = m->ts_us;
        if (m->status >= 200 && (l->final_status == 0 || (m->status < 300 && l->final_status >= 300))) {
            l->final_status = m->status;
            l->final_reason = m->reason;
            if (m->status < 300)
                ok = m->ts_us;
        }
    }
    l->setup_ms = inv >= 0 && ok >= inv ? (ok - inv) / 1000 : -1;
    l->pdd_ms = inv >= 0 && ring >= inv ? (ring - inv) / 1000 : -1;
}

size_t rep_legs(const cor_record *rec, rep_leg *out, size_t cap)
{
    size_t n = 0, total = 0;
    for (size_t i = 0; i < rec->nmsgs; i++) {
        const cor_msg *m = &rec->msgs[i];
        int li = rep_leg_of(out, n, m);
        if (li < 0) {
            total++;
            if (n == cap)
                continue; /* beyond cap: counted, not described */
            rep_leg *l = &out[n];
            memset(l, 0, sizeof *l);
            l->a = m->src;
            l->b = m->dst;
            l->first_us = m->ts_us;
            l->final_reason = "";
            li = (int)n++;
        }
        rep_leg *l = &out[li];
        l->msgs++;
        l->last_us = m->ts_us;
        if (m->is_request)
            l->requests++;
        else
            l->responses++;
        if (m->retransmission)
            l->retransmissions++;
    }
    for (size_t i = 0; i < n; i++)
        _leg_times(rec, &out[i], i, out, n);
    return total;
}

/* ---- JSON (the JSON report's writer, json.c) ---- */

void rep_jw_legs(rep_jw *w, const cor_record *rec, const rep_leg *legs, size_t total)
{
    if (rec->reason_hdr && rec->reason_hdr[0]) {
        REP_JW_LIT(w, ",\"reason_header\":");
        rep_jw_wire(w, rec->reason_hdr);
    }
    if (rec->link_key && rec->link_key[0]) {
        REP_JW_LIT(w, ",\"link_key\":");
        rep_jw_wire(w, rec->link_key);
    }
    if (rec->nrelated) {
        REP_JW_LIT(w, ",\"related\":[");
        for (uint32_t i = 0; i < rec->nrelated && i < COR_MAX_RELATED; i++) {
            if (i)
                REP_JW_LIT(w, ",");
            rep_jw_int(w, (int64_t)rec->related[i]);
        }
        REP_JW_LIT(w, "]");
    }

    if (total < 2)
        return; /* one hop: the dialog itself is the leg */
    size_t n = total < REP_MAX_LEGS ? total : REP_MAX_LEGS;
    REP_JW_LIT(w, ",\"legs\":[");
    for (size_t i = 0; i < n; i++) {
        const rep_leg *l = &legs[i];
        if (i)
            REP_JW_LIT(w, ",");
        REP_JW_LIT(w, "{\"leg\":");
        rep_jw_int(w, (int64_t)i + 1);
        REP_JW_LIT(w, ",\"src\":");
        rep_jw_addr(w, &l->a);
        REP_JW_LIT(w, ",\"dst\":");
        rep_jw_addr(w, &l->b);
        REP_JW_LIT(w, ",\"messages\":");
        rep_jw_int(w, l->msgs);
        REP_JW_LIT(w, ",\"requests\":");
        rep_jw_int(w, l->requests);
        REP_JW_LIT(w, ",\"responses\":");
        rep_jw_int(w, l->responses);
        REP_JW_LIT(w, ",\"retransmissions\":");
        rep_jw_int(w, l->retransmissions);
        REP_JW_LIT(w, ",\"final_status\":");
        rep_jw_int_or_null(w, l->final_status != 0, l->final_status);
        REP_JW_LIT(w, ",\"setup_ms\":");
        rep_jw_int_or_null(w, l->setup_ms >= 0, l->setup_ms);
        REP_JW_LIT(w, ",\"pdd_ms\":");
        rep_jw_int_or_null(w, l->pdd_ms >= 0, l->pdd_ms);
        REP_JW_LIT(w, "}");
    }
    REP_JW_LIT(w, "]");
    if (total > n) {
        REP_JW_LIT(w, ",\"legs_not_shown\":");
        rep_jw_int(w, (int64_t)(total - n));
    }
}

/* ---- ladder ---- */

void rep_links_print(FILE *out, const cor_record *rec, int utf8)
{
    char clean[512];
    if (rec->reason_hdr && rec->reason_hdr[0]) {
        rep_term_clean(rec->reason_hdr, strlen(rec->reason_hdr), utf8, clean, sizeof clean);
        fprintf(out, "  Reason: %s\n", clean);
    }
    if (rec->nrelated) {
        fputs("  related:", out);
        for (uint32_t i = 0; i < rec->nrelated && i < COR_MAX_RELATED; i++)
            fprintf(out, " #%llu", (unsigned long long)rec->related[i]);
        if (rec->link_key && rec->link_key[0]) {
            rep_term_clean(rec->link_key, strlen(rec->link_key), utf8, clean, sizeof clean);
            fprintf(out, "  (linked by %s)", clean);
        }
        fputc('\n', out);
    }
}

/* An endpoint as the ladder columns name it: alias, else ip:port. */
static void _endpoint_name(const ss_addr *a, const rep_ladder_opts *o, int utf8, char *buf, size_t n)
{
    const rep_alias *al = o ? rep_alias_for(a, o) : NULL;
    if (al != NULL)
        rep_term_clean(al->name, strnlen(al->name, sizeof al->name), utf8, buf, n);
    else
        ss_addr_format(a, buf, n);
}

void rep_legs_print(FILE *out, const cor_record *rec, const rep_ladder_opts *o, int utf8)
{
    char clean[512];
    rep_leg legs[REP_MAX_LEGS];
    size_t total = rep_legs(rec, legs, REP_MAX_LEGS);
    if (total < 2)
        return;
    size_t n = total < REP_MAX_LEGS ? total : REP_MAX_LEGS;
    fprintf(out, "  %zu legs (one Call-ID through %zu hops)\n", total, total);
    for (size_t i = 0; i < n; i++) {
        const rep_leg *l = &legs[i];
        char a[256], b[256];
        _endpoint_name(&l->a, o, utf8, a, sizeof a);
        _endpoint_name(&l->b, o, utf8, b, sizeof b);
        fprintf(out, "  leg %zu  %s %s %s  %u msg%s", i + 1, a, utf8 ? "\u2194" : "<->", b, l->msgs,
                l->msgs == 1 ? "" : "s");
        if (l->final_status) {
            rep_term_clean(l->final_reason, strlen(l->final_reason), utf8, clean, sizeof clean);
            fprintf(out, "  %u%s%s", l->final_status, clean[0] ? " " : "", clean);
        }
        if (l->setup_ms >= 0)
            fprintf(out, "  setup %lld ms", (long long)l->setup_ms);
        if (l->pdd_ms >= 0)
            fprintf(out, "  pdd %lld ms", (long long)l->pdd_ms);
        if (l->retransmissions)
            fprintf(out, "  %u retrans", l->retransmissions);
        fputc('\n', out);
    }
    if (total > n)
        fprintf(out, "  ... %zu more legs\n", total - n);
}
