/* stats.c - response-code and method statistics, call metrics.
 *
 * Counts messages the way `tshark -z sip,stat` does (every packet,
 * retransmissions included) and, from finished records, transactions,
 * outcomes and timings. Memory is fixed at start-up. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* ---- histogram ---- */
static int _hist_bucket(int64_t ms)
{
    if (ms < 0)
        ms = 0;
    if (ms < 1000)
        return (int)ms;
    int b = 1000 + (int)(log((double)ms / 1000.0) / log(1.01));
    return b < REP_HIST_BUCKETS ? b : REP_HIST_BUCKETS - 1;
}

static int64_t _hist_value(int b)
{
    if (b < 1000)
        return b;
    return (int64_t)llround(1000.0 * pow(1.01, b - 1000));
}

void rep_hist_add(rep_hist *h, int64_t ms)
{
    if (h->n == 0 || ms < h->min)
        h->min = ms;
    if (h->n == 0 || ms > h->max)
        h->max = ms;
    h->n++;
    h->sum += (double)ms;
    h->bucket[_hist_bucket(ms)]++;
}

int64_t rep_hist_percentile(const rep_hist *h, double p)
{
    if (h->n == 0)
        return -1;
    /* nearest-rank: the smallest value with at least p% of samples at or below it */
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->n);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (int b = 0; b < REP_HIST_BUCKETS; b++) {
        seen += h->bucket[b];
        if (seen >= rank) {
            if (seen == h->n)
                return h->max; /* the last bucket holds the maximum exactly */
            /* middle of the bucket: within 0.5 % above 1 s, exact below */
            int64_t v = b < 1000 ? b : (_hist_value(b) + _hist_value(b + 1)) / 2;
            return v < h->min ? h->min : v > h->max ? h->max : v;
        }
    }
    return h->max;
}

/* ---- method slots ---- */
int rep_stats_init(rep_stats *s)
{
    memset(s, 0, sizeof *s);
    s->response_ms = calloc(REP_METHOD_SLOTS, sizeof *s->response_ms);
    s->final_matrix = calloc((size_t)REP_METHOD_SLOTS * 600, sizeof *s->final_matrix);
    if (s->response_ms == NULL || s->final_matrix == NULL) {
        rep_stats_free(s);
        return -1;
    }
    return 0;
}

void rep_stats_free(rep_stats *s)
{
    free(s->response_ms);
    free(s->final_matrix);
    s->response_ms = NULL;
    s->final_matrix = NULL;
}

size_t rep_stats_method_slot(rep_stats *s, uint8_t method, const char *name)
{
    if (method != SIP_M_UNKNOWN && method < SIP_M__COUNT)
        return method;
    if (name == NULL)
        name = "";
    for (size_t i = 0; i < s->nother; i++)
        if (strncmp(s->other_name[i], name, sizeof s->other_name[i]) == 0)
            return SIP_M__COUNT + i;
    if (s->nother < REP_OTHER_METHODS) {
        snprintf(s->other_name[s->nother], sizeof s->other_name[s->nother], "%s", name);
        return SIP_M__COUNT + s->nother++;
    }
    return REP_METHOD_SLOTS - 1;
}

const char *rep_stats_method_name(const rep_stats *s, size_t slot)
{
    if (slot < SIP_M__COUNT)
        return sip_method_name((sip_method)slot);
    if (slot - SIP_M__COUNT < s->nother)
        return s->other_name[slot - SIP_M__COUNT];
    return "OTHER";
}

void rep_stats_message(rep_stats *s, const cor_msg *m)
{
    s->messages++;
    if (m->retransmission)
        s->retransmissions++;
    if (m->is_request) {
        size_t slot = rep_stats_method_slot(s, m->method, m->method_name);
        s->requests++;
        s->req[slot]++;
        s->req_retrans[slot] += m->retransmission;
    } else if (m->status >= 100 && m->status <= 699) {
        s->responses++;
        s->resp[m->status]++;
        s->resp_retrans[m->status] += m->retransmission;
        s->cls[m->status / 100]++;
    }
}

void rep_stats_record(rep_stats *s, const cor_record *rec)
{
    s->records++;
    s->records_by_kind[rec->kind]++;
    if (rec->kind == COR_KIND_CALL) {
        s->calls_by_outcome[rec->outcome]++;
        if (rec->setup_ms >= 0)
            rep_hist_add(&s->setup_ms, rec->setup_ms);
        if (rec->pdd_ms >= 0)
            rep_hist_add(&s->pdd_ms, rec->pdd_ms);
        if (rec->duration_ms >= 0)
            rep_hist_add(&s->duration_ms, rec->duration_ms);
    } else {
        s->flows_by_outcome[rec->outcome]++;
    }
    for (size_t i = 0; i < rec->ntxns; i++) {
        const cor_txn *t = &rec->txns[i];
        size_t slot = rep_stats_method_slot(s, t->method, t->method_name);
        s->transactions++;
        if (t->final_status >= 100 && t->final_status <= 699) {
            s->final_matrix[slot * 600 + (t->final_status - 100)]++;
            if (t->final_us >= t->start_us)
                rep_hist_add(&s->response_ms[slot], (t->final_us - t->start_us) / 1000);
        } else {
            s->txn_no_final[slot]++;
        }
    }
}

/* ---- text output ---- */
static const char *const _class_name[7] = {"", "Provisional", "Success", "Redirection",
                                           "Client error", "Server error", "Global failure"};

static void _print_ms(FILE *out, const char *label, const rep_hist *h)
{
    if (h->n == 0)
        return;
    fprintf(out, "  %-18s min %lld ms, avg %.0f ms, max %lld ms, p50 %lld, p90 %lld, p95 %lld, p99 %lld (n=%llu)\n",
            label, (long long)h->min, h->sum / (double)h->n, (long long)h->max,
            (long long)rep_hist_percentile(h, 50), (long long)rep_hist_percentile(h, 90),
            (long long)rep_hist_percentile(h, 95), (long long)rep_hist_percentile(h, 99),
            (unsigned long long)h->n);
}

static uint64_t _sum(const uint64_t *v, size_t n)
{
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++)
        t += v[i];
    return t;
}

void rep_stats_print(FILE *out, const rep_stats *s, const rep_run_info *info)
{
    uint64_t malformed = info->sip_errors ? _sum(info->sip_errors, SIP_E__COUNT) : 0;
    char t0[40] = "-", t1[40] = "-";
    if (info->first_us)
        rep_format_time(info->first_us, t0, sizeof t0);
    if (info->last_us)
        rep_format_time(info->last_us, t1, sizeof t1);

    fprintf(out, "== sipscope summary ==\n");
    fprintf(out, "Packets      %llu (%s .. %s, %.3f s)\n", (unsigned long long)info->packets, t0, t1,
            info->last_us > info->first_us ? (double)(info->last_us - info->first_us) / 1e6 : 0.0);
    fprintf(out, "SIP messages %llu: %llu requests, %llu responses, %llu retransmissions, %llu malformed\n",
            (unsigned long long)s->messages, (unsigned long long)s->requests,
            (unsigned long long)s->responses, (unsigned long long)s->retransmissions,
            (unsigned long long)malformed);
    fprintf(out, "Dialogs      %llu (Call-IDs %s%llu), transactions %llu\n",
            (unsigned long long)s->records, info->call_ids_exact ? "" : "~",
            (unsigned long long)info->call_ids, (unsigned long long)s->transactions);
    fprintf(out, "  by kind   ");
    int any = 0;
    for (int k = 0; k < COR_KIND__COUNT; k++)
        if (s->records_by_kind[k]) {
            fprintf(out, "%s %s %llu", any ? "," : "", cor_kind_name((cor_kind)k),
                    (unsigned long long)s->records_by_kind[k]);
            any = 1;
        }
    fprintf(out, "%s\n", any ? "" : " none");

    uint64_t calls = s->records_by_kind[COR_KIND_CALL];
    if (calls) {
        fprintf(out, "Calls        %llu:", (unsigned long long)calls);
        any = 0;
        for (int o = 0; o < COR_OUT__COUNT; o++)
            if (s->calls_by_outcome[o]) {
                fprintf(out, "%s %s %llu", any ? "," : "", cor_outcome_name((cor_outcome)o),
                        (unsigned long long)s->calls_by_outcome[o]);
                any = 1;
            }
        /* ASR (ITU-T E.411): answered seizures over all seizures */
        fprintf(out, "\n  ASR        %.1f %%\n",
                100.0 * (double)s->calls_by_outcome[COR_OUT_ANSWERED] / (double)calls);
        _print_ms(out, "setup time", &s->setup_ms);
        _print_ms(out, "post-dial delay", &s->pdd_ms);
        _print_ms(out, "duration", &s->duration_ms);
    }

    fprintf(out, "\nRequests                                  packets  retrans\n");
    for (size_t i = 0; i < REP_METHOD_SLOTS; i++)
        if (s->req[i])
            fprintf(out, "  %-38s %9llu %8llu\n", rep_stats_method_name(s, i),
                    (unsigned long long)s->req[i], (unsigned long long)s->req_retrans[i]);
    if (s->requests == 0)
        fprintf(out, "  (none)\n");

    fprintf(out, "\nResponses                                 packets  retrans\n");
    for (int c = 1; c <= 6; c++) {
        if (s->cls[c] == 0)
            continue;
        fprintf(out, "  %dxx %-34s %9llu\n", c, _class_name[c], (unsigned long long)s->cls[c]);
        for (int code = c * 100; code < c * 100 + 100; code++) {
            if (s->resp[code] == 0)
                continue;
            const char *phrase = sip_reason_phrase(code);
            fprintf(out, "    %d %-32.32s %9llu %8llu\n", code, phrase ? phrase : "",
                    (unsigned long long)s->resp[code], (unsigned long long)s->resp_retrans[code]);
        }
    }
    if (s->responses == 0)
        fprintf(out, "  (none)\n");

    /* method x final code: only the codes that occur, as columns */
    int codes[600], ncodes = 0;
    for (int code = 100; code < 700; code++) {
        for (size_t i = 0; i < REP_METHOD_SLOTS; i++)
            if (s->final_matrix[i * 600 + (code - 100)]) {
                codes[ncodes++] = code;
                break;
            }
    }
    if (s->transactions) {
        fprintf(out, "\nTransactions by method x final response\n  %-12s", "");
        for (int j = 0; j < ncodes; j++)
            fprintf(out, " %5d", codes[j]);
        fprintf(out, "  %7s\n", "none");
        for (size_t i = 0; i < REP_METHOD_SLOTS; i++) {
            uint64_t row = s->txn_no_final[i];
            for (int j = 0; j < ncodes; j++)
                row += s->final_matrix[i * 600 + (codes[j] - 100)];
            if (row == 0)
                continue;
            fprintf(out, "  %-12.12s", rep_stats_method_name(s, i));
            for (int j = 0; j < ncodes; j++) {
                uint32_t v = s->final_matrix[i * 600 + (codes[j] - 100)];
                if (v)
                    fprintf(out, " %5u", v);
                else
                    fprintf(out, " %5s", ".");
            }
            fprintf(out, "  %7llu\n", (unsigned long long)s->txn_no_final[i]);
        }
        int anyr = 0;
        for (size_t i = 0; i < REP_METHOD_SLOTS; i++)
            if (s->response_ms[i].n) {
                if (!anyr)
                    fprintf(out, "\nResponse time (request -> final response)\n");
                anyr = 1;
                _print_ms(out, rep_stats_method_name(s, i), &s->response_ms[i]);
            }
    }

    if (s->metrics)
        rep_metrics_print(out, s->metrics);

    /* what could not be read: every reason that counted something */
    fprintf(out, "\nAnomalies\n");
    any = 0;
    if (info->sip_errors)
        for (int e = 1; e < SIP_E__COUNT; e++)
            if (info->sip_errors[e]) {
                fprintf(out, "  malformed SIP: %-24s %llu\n", sip_error_name((sip_error)e),
                        (unsigned long long)info->sip_errors[e]);
                any = 1;
            }
    if (info->sip_not_sip_on_port) {
        fprintf(out, "  not SIP on a SIP port            %llu\n",
                (unsigned long long)info->sip_not_sip_on_port);
        any = 1;
    }
    if (info->sip_defects)
        for (int b = 0; b < SIP_DEF__COUNT; b++)
            if (info->sip_defects[b]) {
                fprintf(out, "  defect: %-31s %llu\n", sip_defect_name(1u << b),
                        (unsigned long long)info->sip_defects[b]);
                any = 1;
            }
    if (info->dec)
        for (int c = 0; c < DEC_C__COUNT; c++)
            if (info->dec[c] && dec_counter_is_anomaly((dec_counter)c)) {
                fprintf(out, "  decode: %-31s %llu\n", dec_counter_name((dec_counter)c),
                        (unsigned long long)info->dec[c]);
                any = 1;
            }
    if (info->cor) {
        static const cor_counter shown[] = {COR_C_UNCORRELATED, COR_C_ORPHAN_RESPONSES,
                                            COR_C_EVICTED, COR_C_MSGS_DROPPED};
        for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
            if (info->cor[shown[i]]) {
                fprintf(out, "  correlate: %-28s %llu\n", cor_counter_name(shown[i]),
                        (unsigned long long)info->cor[shown[i]]);
                any = 1;
            }
    }
    for (size_t i = 0; i < info->ninputs && info->input_errors; i++)
        if (info->input_errors[i]) {
            fprintf(out, "  input %s: %s\n", info->inputs[i], info->input_errors[i]);
            any = 1;
        }
    if (info->live)
        fprintf(out, "  capture: received %llu, dropped by kernel %llu, by interface %llu\n",
                (unsigned long long)info->pcap_recv, (unsigned long long)info->pcap_drop,
                (unsigned long long)info->pcap_ifdrop);
    if (!any && !info->live)
        fprintf(out, "  none\n");
    if (info->sip_keepalives)
        fprintf(out, "(keep-alives: %llu whitespace-only datagrams, not counted as SIP)\n",
                (unsigned long long)info->sip_keepalives);
    rep_tls_print(out, info);
}

/* The layout of `tshark -q -z sip,stat` (Wireshark 4.0), for users who diff
 * against it. tshark lists codes in hash order; we sort them. */
void rep_stats_print_tshark(FILE *out, const rep_stats *s)
{
    fprintf(out, "\n===================================================================\n");
    fprintf(out, "SIP Statistics\n\n");
    fprintf(out, "Number of SIP messages: %llu\n", (unsigned long long)s->messages);
    fprintf(out, "Number of resent SIP messages: %llu\n", (unsigned long long)s->retransmissions);
    fprintf(out, "\n* SIP Status Codes in reply packets\n");
    for (int code = 100; code < 700; code++) {
        if (s->resp[code] == 0)
            continue;
        const char *phrase = sip_reason_phrase(code);
        fprintf(out, "  SIP %d %s : %5llu Packets\n", code, phrase ? phrase : "Unknown",
                (unsigned long long)s->resp[code]);
    }
    fprintf(out, "\n* List of SIP Request methods\n");
    for (size_t i = 0; i < REP_METHOD_SLOTS; i++)
        if (s->req[i])
            fprintf(out, "  %-15s : %5llu Packets\n", rep_stats_method_name(s, i),
                    (unsigned long long)s->req[i]);
    if (s->setup_ms.n) {
        fprintf(out, "\n* Average setup time %.0f ms\n Min %lld ms\n Max %lld ms\n",
                s->setup_ms.sum / (double)s->setup_ms.n, (long long)s->setup_ms.min,
                (long long)s->setup_ms.max);
    }
    fprintf(out, "===================================================================\n");
}
