/* report_int.h - private to src/report: the statistics accumulator and the
 * streaming JSON writer that report.c drives. */
#ifndef SIPSCOPE_REPORT_INT_H
#define SIPSCOPE_REPORT_INT_H

#include <json-c/json.h>
#include <stdio.h>
#include "sipscope/report.h"

/* Histogram with 1 ms resolution below 1 s and 1 % above: percentiles in
 * constant memory, whatever the capture length. */
#define REP_HIST_BUCKETS 2000
typedef struct rep_hist {
    uint64_t n;
    int64_t min, max;
    double sum;
    uint32_t bucket[REP_HIST_BUCKETS];
} rep_hist;

void rep_hist_add(rep_hist *h, int64_t ms);
/* p in 0..100; -1 when empty. */
int64_t rep_hist_percentile(const rep_hist *h, double p);

/* Request methods: the known ones by enum, others by name as written. */
#define REP_OTHER_METHODS 64
#define REP_METHOD_SLOTS (SIP_M__COUNT + REP_OTHER_METHODS + 1) /* last: overflow */

typedef struct rep_stats {
    uint64_t messages, requests, responses, retransmissions;
    uint64_t req[REP_METHOD_SLOTS];
    uint64_t req_retrans[REP_METHOD_SLOTS];
    char other_name[REP_OTHER_METHODS][32];
    size_t nother;
    uint64_t resp[700];
    uint64_t resp_retrans[700];
    uint64_t cls[7];
    uint64_t records, records_by_kind[COR_KIND__COUNT];
    uint64_t calls_by_outcome[COR_OUT__COUNT];
    uint64_t flows_by_outcome[COR_OUT__COUNT]; /* non-call records */
    uint64_t transactions;
    rep_hist setup_ms, pdd_ms, duration_ms;
    rep_hist *response_ms; /* per method slot: request -> final response */
    uint32_t *final_matrix; /* [REP_METHOD_SLOTS][600]: transactions by method x final code */
    uint64_t txn_no_final[REP_METHOD_SLOTS];
} rep_stats;

int rep_stats_init(rep_stats *s);
void rep_stats_free(rep_stats *s);
void rep_stats_message(rep_stats *s, const cor_msg *m);
void rep_stats_record(rep_stats *s, const cor_record *rec);
/* Name of a method slot ("INVITE", an unknown method's name, or "OTHER"). */
const char *rep_stats_method_name(const rep_stats *s, size_t slot);
/* Slot for a method as correlate reported it. */
size_t rep_stats_method_slot(rep_stats *s, uint8_t method, const char *name);

void rep_stats_print(FILE *out, const rep_stats *s, const rep_run_info *info);
void rep_stats_print_tshark(FILE *out, const rep_stats *s);

/* JSON pieces (json.c). Strings from the wire are made valid UTF-8. */
json_object *rep_json_string(const char *wire);
json_object *rep_json_record(const cor_record *rec);
/* A message's fields (time, frame, src, dst, transport, method or status +
 * reason, cseq, cseq_method, retransmission) added to o. */
void rep_json_msg_fields(json_object *o, const cor_msg *m);
json_object *rep_json_stats(const rep_stats *s);
json_object *rep_json_summary(const rep_stats *s, const rep_run_info *info);
json_object *rep_json_anomalies(const rep_run_info *info);
/* events.c: --events NDJSON and --brief lines */
void rep_events_message(FILE *out, const cor_msg *m, const cor_record *rec);
void rep_events_record(FILE *out, const cor_record *rec);
void rep_brief_record(FILE *out, const cor_record *rec, int utf8);

/* "2026-11-21T17:04:33.123456Z" */
void rep_format_time(int64_t ts_us, char *buf, size_t n);

#endif
