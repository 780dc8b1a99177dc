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

/* ---- RFC 6076 metrics, registrations, subscriptions (metrics.c) ---- */

/* One REGISTER (or SUBSCRIBE) attempt inside a record: the transactions of
 * that method joined by answered challenges (a 401/407 followed by another
 * request of the method). */
typedef struct rep_attempt {
    int64_t start_us;       /* first request of the attempt */
    int64_t final_us;       /* final response of its last transaction, 0 if none */
    uint16_t final_status;  /* ... its code, 0 if none */
    uint32_t challenges;    /* 401/407 final responses in the attempt */
    uint32_t answered;      /* ... of them followed by a retry */
} rep_attempt;

/* Walks the attempts of method (sip_method) in rec: *pos starts at 0.
 * Returns 1 with *a filled while there is one, then 0. */
int rep_attempt_next(const cor_record *rec, uint8_t method, size_t *pos, rep_attempt *a);

/* Registrations (REGISTER) or subscriptions (SUBSCRIBE) summed over records. */
typedef struct rep_flows {
    uint64_t records;              /* records of the kind */
    uint64_t without_request;      /* ... with no request of the method (NOTIFY only) */
    uint64_t attempted, succeeded, no_response;
    uint64_t failed_by_code[700];  /* attempts by final code >= 300 */
    uint64_t challenge_round_trips;
} rep_flows;

typedef struct rep_metrics {
    rep_flows reg, sub;
    rep_hist rrd;                  /* successful REGISTER attempts */
    uint64_t sessions;             /* decided call records (session attempts) */
    uint64_t undecided;            /* call records still being set up (not counted) */
    uint64_t answered, redirected, seer, isa, completed, ner;
    uint64_t cause[700];           /* sessions by final code >= 300 */
    uint64_t cause_none;           /* ... with no final response */
    rep_hist srd_ok, srd_fail, sdd, sdt;
} rep_metrics;

/* Adds one finished record (any kind). */
void rep_metrics_record(rep_metrics *m, const cor_record *rec);
/* The "Metrics (RFC 6076)" text section. */
void rep_metrics_print(FILE *out, const rep_metrics *m);
/* metrics{}, registrations{}, subscriptions{} of the report tail. */
json_object *rep_json_metrics(const rep_metrics *m);
/* 100 * num / den with two decimals, written as such; NULL (JSON null)
 * when den is 0 (metrics.c; the breakdowns use it too). */
json_object *rep_json_pct(uint64_t num, uint64_t den);
json_object *rep_json_flows(const rep_flows *f, int subscriptions);
/* How a registration or subscription record's attempts (REGISTER or
 * SUBSCRIBE, rep_attempt_next) ended: its dialogs[].registration /
 * .subscription figures (detail_out.c writes them). */
typedef struct rep_flow_res {
    size_t attempts;
    uint64_t challenges;
    uint16_t final_status; /* of the last attempt, 0 none */
    uint8_t auth_scheme;   /* sip_auth_scheme of the first transaction with one */
    const char *result;    /* "success", "failure", "no_response"; NULL without attempts */
} rep_flow_res;
void rep_flow_result(const cor_record *rec, rep_flow_res *out);

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
    const rep_metrics *metrics; /* printed by rep_stats_print when set */
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
/* The JSON text of dialogs (json.c): written directly, as json-c would
 * write it (see the comment there). rep_jw_record replaces the text held
 * by w; rep_jw_text returns it (len 0 if memory ran out). */
typedef struct rep_jw rep_jw;
rep_jw *rep_jw_new(void);
void rep_jw_free(rep_jw *w);
void rep_jw_record(rep_jw *w, const cor_record *rec);
const char *rep_jw_text(const rep_jw *w, size_t *len);
/* Pieces of the text, for the sections other files write into a dialog
 * (detail_out.c, legs.c): members go as literals (",\"key\":"), values by
 * type. _str: our own text (names, valid UTF-8); _wire: text from the wire
 * (NULL as ""), made valid UTF-8 as rep_json_string makes it; _wire_n: at
 * most n bytes of it, up to a NUL; _wire_or_null: null for NULL or "". */
void rep_jw_lit(rep_jw *w, const char *s, size_t n);
#define REP_JW_LIT(w, s) rep_jw_lit((w), "" s, sizeof(s) - 1) /* literals only */
void rep_jw_int(rep_jw *w, int64_t v);
void rep_jw_int_or_null(rep_jw *w, int present, int64_t v);
void rep_jw_bool(rep_jw *w, int v);
void rep_jw_str(rep_jw *w, const char *s);
void rep_jw_wire(rep_jw *w, const char *wire);
void rep_jw_wire_n(rep_jw *w, const char *s, size_t n);
void rep_jw_wire_or_null(rep_jw *w, const char *wire);
void rep_jw_addr(rep_jw *w, const ss_addr *a);
/* s[0..n) as a JSON string the way json-c writes it with NOSLASHESCAPE;
 * out needs n*6+2 bytes; returns the bytes written. */
size_t rep_json_quote(char *out, const char *s, size_t n);
/* A message's fields (time, frame, src, dst, transport, method or status +
 * reason, cseq, cseq_method, retransmission) added to o. */
void rep_json_msg_fields(json_object *o, const cor_msg *m);
json_object *rep_json_stats(const rep_stats *s);
/* count, min, avg, max, p50, p90, p95, p99 of a histogram */
json_object *rep_json_hist(const rep_hist *h);
json_object *rep_json_summary(const rep_stats *s, const rep_run_info *info);
json_object *rep_json_anomalies(const rep_run_info *info);
/* tls.c: the TLS flows of info; the text section is printed only when
 * there is one. */
void rep_tls_print(FILE *out, const rep_run_info *info);
json_object *rep_json_tls(const rep_run_info *info);
/* events.c: --events NDJSON and --brief lines */
void rep_events_message(FILE *out, const cor_msg *m, const cor_record *rec);
void rep_events_record(FILE *out, const cor_record *rec);
void rep_brief_record(FILE *out, const cor_record *rec, int utf8);

/* ---- breakdowns per caller / callee / endpoint / User-Agent (breakdown.c) ---- */

/* Small histogram for per-key figures: exact below 128 ms, then 8 steps
 * per power of two up to ~9 h (a percentile is the middle of its bucket,
 * within 6.25 % of the true value above 128 ms; min and max exact). */
#define REP_CHIST_BUCKETS (128 + 18 * 8)
typedef struct rep_chist {
    uint64_t n;
    int64_t min, max;
    double sum;
    uint32_t bucket[REP_CHIST_BUCKETS];
} rep_chist;
void rep_chist_add(rep_chist *h, int64_t ms);
/* p in 0..100 (nearest rank); -1 when empty. */
int64_t rep_chist_percentile(const rep_chist *h, double p);

#define REP_BD_CAP 1000     /* keys tracked per breakdown */
#define REP_BD_TOP 20       /* entries in the JSON report */
#define REP_BD_TEXT_TOP 5   /* entries in the text statistics */

typedef struct rep_bd_entry {
    char *key;
    uint64_t h;
    uint64_t attempts, answered, ner;
    rep_chist setup, pdd;
} rep_bd_entry;

/* Recently seen raw values (a URI, two addresses) and where they went, so
 * that a run of calls between the same parties skips key making and lookup. */
#define REP_BD_MEMO 4
#define REP_BD_MEMO_RAW 120
typedef struct rep_bd_memo {
    size_t len;             /* 0 = unused */
    size_t idx;             /* entry index, SIZE_MAX = other */
    unsigned char raw[REP_BD_MEMO_RAW];
} rep_bd_memo;

typedef struct rep_bd {
    rep_bd_memo memo[REP_BD_MEMO];
    unsigned memo_next;
    rep_bd_entry *e;        /* tracked keys, in order of arrival */
    size_t n, e_cap, cap;
    uint32_t *idx;          /* open addressing: entry index + 1, 0 = empty */
    size_t idx_cap;
    rep_bd_entry other;     /* calls of keys that came once the table was full */
    uint64_t overflow_calls;
} rep_bd;

/* What one call adds to a key. */
typedef struct rep_bd_call {
    uint8_t answered, ner;
    int64_t setup_ms, pdd_ms; /* -1 n/a */
} rep_bd_call;

void rep_bd_init(rep_bd *b, size_t cap);
void rep_bd_free(rep_bd *b);
void rep_bd_add(rep_bd *b, const char *key, const rep_bd_call *c);
/* Key maker: the text key of raw bytes (a URI, an ss_addr). */
typedef void (*rep_bd_keyfn)(const void *raw, size_t len, char *key, size_t n);
/* As rep_bd_add, with the key made by mk from raw only when raw was not
 * among the last few seen. */
void rep_bd_add_raw(rep_bd *b, const void *raw, size_t len, rep_bd_keyfn mk, const rep_bd_call *c);
/* Top entries by attempts (ties by key) into out[0..top); *other gets the
 * overflow plus every tracked key not shown. Returns the number in out. */
size_t rep_bd_top(const rep_bd *b, size_t top, const rep_bd_entry **out, rep_bd_entry *other);

enum { REP_BD_CALLER = 0, REP_BD_CALLEE, REP_BD_ENDPOINT, REP_BD_UA, REP_BD_REASON, REP_BD__COUNT };
typedef struct rep_breakdowns {
    rep_bd bd[REP_BD__COUNT]; /* REP_BD_REASON: failed calls by Reason header */
} rep_breakdowns;

int rep_breakdowns_init(rep_breakdowns *s, size_t cap);
void rep_breakdowns_free(rep_breakdowns *s);
void rep_breakdowns_record(rep_breakdowns *s, const cor_record *rec);
/* "user@host" of a URI ("(none)" for ""), "Q.850;cause=16" of a Reason value. */
void rep_uri_user_host(const char *uri, char *buf, size_t n);
void rep_reason_key(const char *reason, char *buf, size_t n);
json_object *rep_json_breakdown(const rep_bd *b, size_t top);
/* breakdowns{by_caller, by_callee, by_endpoint, by_user_agent} */
json_object *rep_json_breakdowns(const rep_breakdowns *s);
/* failed calls by Reason key, for metrics.failure_causes_by_reason */
json_object *rep_json_reason_causes(const rep_breakdowns *s);
void rep_breakdowns_print(FILE *out, const rep_breakdowns *s, int utf8);

/* ---- --filter (filter.c) ---- */

enum { REP_FILTER_KIND = 1, REP_FILTER_USER, REP_FILTER_CODE, REP_FILTER_FROM, REP_FILTER_TO };
#define REP_FILTER_CODES 16

typedef struct rep_filter {
    int what;                 /* REP_FILTER_* */
    char text[256];           /* the expression as given */
    uint32_t kinds;           /* bit per cor_kind */
    char user[256];
    uint16_t codes[REP_FILTER_CODES];
    size_t ncodes;
    uint32_t code_class;      /* bit c for "cxx" */
    int code_none;
    int64_t time_us;          /* absolute, or offset from the first SIP message */
    int absolute;
} rep_filter;

/* Parses one NAME=VALUE expression. Returns 0, or -1 with a one-line
 * message in err. */
int rep_filter_parse(rep_filter *f, const char *expr, char *err, size_t errlen);
/* 1 when rec satisfies every one of f[0..n) (origin_us: time of the first
 * SIP message, for offsets). */
int rep_filter_match(const rep_filter *f, size_t n, const cor_record *rec, int64_t origin_us);

/* ---- legs of a call and linked records (legs.c) ---- */

#define REP_MAX_LEGS 16 /* legs described per record; more are counted */

typedef struct rep_leg {
    ss_addr a, b;              /* a sent the leg's first message (upstream side) */
    uint32_t msgs, requests, responses, retransmissions;
    int64_t first_us, last_us;
    int64_t setup_ms, pdd_ms;  /* leg's first INVITE -> its 2xx / first 18x; -1 n/a */
    uint16_t final_status;     /* final response to that INVITE on the leg, 0 if none */
    const char *final_reason;
} rep_leg;

/* Splits rec's kept messages into legs (one per address pair, in order of
 * first message); fills at most cap of them. Returns the number of legs. */
size_t rep_legs(const cor_record *rec, rep_leg *out, size_t cap);
/* Index of m's leg in legs[0..n), or -1. */
int rep_leg_of(const rep_leg *legs, size_t n, const cor_msg *m);
/* Writes reason_header, link_key, related[] (when present) and, for a
 * record with several legs (legs[0..total) from rep_legs), legs[] as
 * members of its dialog object; the JSON writer tags each message with its
 * "leg". */
void rep_jw_legs(rep_jw *w, const cor_record *rec, const rep_leg *legs, size_t total);
/* Ladder lines under the title: Reason header, related records. */
void rep_links_print(FILE *out, const cor_record *rec, int utf8);
/* Ladder lines under the arrows: one per leg, when there are several;
 * endpoints named by o's aliases as the columns are. */
void rep_legs_print(FILE *out, const cor_record *rec, const rep_ladder_opts *o, int utf8);
/* The alias naming a (exact ip+port before IP-only), or NULL (ladder.c). */
const rep_alias *rep_alias_for(const ss_addr *a, const rep_ladder_opts *o);

/* "2026-11-21T17:04:33.123456Z" */
void rep_format_time(int64_t ts_us, char *buf, size_t n);

#endif
