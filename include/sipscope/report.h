/* report.h - everything sipscope writes: statistics, ladders, JSON.
 *
 * report only reads what correlate hands it (cor_msg, cor_record) and the
 * counters of the earlier stages at the end; it changes nothing upstream.
 * Records arrive as they finish and are written out at once (the JSON
 * report streams its dialogs[]), so memory does not grow with the capture. */
#ifndef SIPSCOPE_REPORT_H
#define SIPSCOPE_REPORT_H

#include <stdio.h>
#include <stdint.h>
#include "addr.h"
#include "correlate.h"

/* ---- output safety (report/text.c) ---- */

/* Copies wire text for a terminal: control bytes (C0, DEL, C1, ESC
 * sequences) become '?', invalid UTF-8 bytes become '?'; valid UTF-8 is
 * kept when utf8=1, else every non-ASCII byte becomes '?'. Always
 * NUL-terminates (outsz > 0). Returns the bytes written (without NUL). */
size_t rep_term_clean(const char *in, size_t len, int utf8, char *out, size_t outsz);

/* Copies wire text into valid UTF-8 for JSON: invalid bytes become the
 * text "\xNN" (backslash, x, two hex digits). Returns a malloc'd string or
 * NULL on ENOMEM. */
char *rep_utf8_clean(const char *in, size_t len);

/* Number of terminal columns a cleaned UTF-8 string takes (1 per code point). */
size_t rep_display_width(const char *s);

/* ---- ladder diagrams (report/ladder.c) ---- */

typedef struct rep_alias {
    ss_addr addr; /* port 0 = any port of that IP */
    char name[64];
} rep_alias;

typedef struct rep_ladder_opts {
    unsigned width;          /* terminal columns, >= 40 */
    int utf8;                /* box drawing; else plain ASCII */
    int color;               /* ANSI colours */
    const rep_alias *aliases;
    size_t naliases;
} rep_ladder_opts;

/* Prints one record's ladder: a title line (Call-ID, kind, outcome), one
 * column per endpoint (ip:port or alias) in order of first appearance, and
 * one arrow per message with its time, delta, method or code + reason, a
 * mark on retransmissions. Wire text is cleaned with rep_term_clean. */
void rep_ladder_print(FILE *out, const cor_record *rec, const rep_ladder_opts *o);

/* ---- the report context (report/report.c, stats.c, json.c) ---- */

typedef enum rep_stats_mode {
    REP_STATS_NONE = 0,
    REP_STATS_DEFAULT,
    REP_STATS_TSHARK, /* the layout of `tshark -q -z sip,stat` */
} rep_stats_mode;

typedef struct rep_config {
    FILE *out;                 /* stdout: stats, ladders */
    rep_stats_mode stats;
    int ladder;
    const char *call_id;       /* ladder/json only this Call-ID, or NULL */
    rep_ladder_opts ladder_opts;
    const char *json_path;     /* NULL, a path, or "-" */
    FILE *messages_out;        /* --messages: one TSV line per SIP message */
    const char *html_path;     /* self-contained HTML report */
    const char *svg_path;      /* SVG ladder of one call (--call-id, else the first call) */
    const char *mermaid_path;  /* Mermaid sequence diagrams ("-" = stdout) */
    const char *plantuml_path; /* PlantUML sequence diagrams ("-" = stdout) */
    const char *markdown_path; /* Markdown CI summary */
    const char *junit_path;    /* JUnit XML */
    const char *suite_name;    /* JUnit test suite name (the inputs) */
    FILE *events_out;          /* --events: NDJSON event stream */
    int brief;                 /* --brief: one line per finished dialog on out */
    const char *const *fail_if; /* --fail-if expressions (docs/gating.md) */
    size_t nfail_if;
    const char *const *filter;  /* --filter expressions, all must hold (report/filter.c) */
    size_t nfilter;
} rep_config;

/* What the earlier stages counted, handed over once at the end. */
typedef struct rep_run_info {
    const char *const *inputs;
    size_t ninputs;
    uint64_t packets;          /* frames read */
    const uint64_t *dec;       /* DEC_C__COUNT */
    const uint64_t *sip_errors;/* SIP_E__COUNT: malformed by reason */
    uint64_t sip_not_sip;      /* payloads that were not SIP */
    uint64_t sip_not_sip_on_port; /* ... of them on a SIP port (garbage on 5060) */
    uint64_t sip_keepalives;   /* whitespace-only datagrams (NAT keep-alives) */
    const uint64_t *sip_defects; /* SIP_DEF__COUNT: messages per defect */
    const uint64_t *cor;       /* COR_C__COUNT */
    uint64_t call_ids;
    int call_ids_exact;
    int64_t first_us, last_us;
    const char *const *input_errors; /* per input: error that ended it early, or NULL */
    uint64_t pcap_recv, pcap_drop, pcap_ifdrop; /* live only */
    int live;
    const dec_tls_flow *tls_flows; /* encrypted flows listed by decode */
    size_t ntls_flows;
    uint64_t tls_flows_not_listed; /* beyond decode's table cap */
} rep_run_info;

typedef struct rep_ctx rep_ctx;

/* Checks one --filter expression (kind=, user=, code=, from=, to=).
 * Returns 0, or -1 with a one-line message in err. */
int rep_filter_check(const char *expr, char *err, size_t errlen);

/* Opens outputs (the JSON file). Returns 0, or an errno with a message in
 * errbuf (errlen bytes). */
int rep_create(rep_ctx **out, const rep_config *cfg, char *errbuf, size_t errlen);

/* A correlated message (rec may be NULL). */
void rep_message(rep_ctx *r, const cor_msg *m, const cor_record *rec);

/* A finished record: ladder printed / JSON dialog written now. */
void rep_record(rep_ctx *r, const cor_record *rec);

/* Live capture: prints the statistics so far (--interval, SIGUSR1) without
 * ending anything. */
void rep_snapshot(rep_ctx *r, const rep_run_info *info);

/* Live capture: hands what the outputs buffered (JSON report, ladders,
 * --messages, SVG/Mermaid/PlantUML) to the kernel, so files follow the
 * capture within the caller's period rather than in 256 KiB steps. */
void rep_flush(rep_ctx *r);

/* Writes statistics and closes the JSON report. Returns 0 or an errno
 * (write error). */
int rep_finish(rep_ctx *r, const rep_run_info *info);

/* Number of --fail-if conditions that held at rep_finish (each is said on
 * stderr); -1 when one could not be evaluated. */
int rep_gates_held(const rep_ctx *r);

void rep_destroy(rep_ctx *r);

/* `sipscope merge a.json b.json ... [-o out.json]`: combines reports. */
int rep_merge_main(int argc, char **argv);

#endif
