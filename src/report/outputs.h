/* outputs.h - private to src/report: the file outputs beside the JSON
 * report (HTML, SVG, Mermaid, PlantUML, Markdown, JUnit), the --fail-if
 * gate and `sipscope merge`.
 *
 * Every writer follows the report model: records come in one at a time as
 * correlate finishes them and are freed right after the call, so a writer
 * copies what it keeps and keeps only bounded state (counters, capped
 * lists); the rest of a file is streamed. At the end the caller hands the
 * same `tail` object the JSON report ends with ({"summary", "stats",
 * "anomalies"}, docs/report-schema.md) to the *_finish functions.
 *
 * Every string that came off the wire is escaped for the format it lands
 * in; see rep_out_clean() for the common first step. */
#ifndef SIPSCOPE_REPORT_OUTPUTS_H
#define SIPSCOPE_REPORT_OUTPUTS_H

#include <json-c/json.h>
#include <stdio.h>

#include "sipscope/report.h"

/* ---- HTML report (html.c): one self-contained file, no network ---- */

typedef struct rep_html rep_html;

/* Creates path and writes the document head. lo (may be NULL) names
 * endpoints in the ladders. Returns 0, or an errno with a message in err. */
int rep_html_open(rep_html **out, const char *path, const rep_ladder_opts *lo, char *err, size_t errlen);
/* Streams one record: its row in the call list and its ladder (inline SVG,
 * hidden until expanded). h NULL does nothing. */
void rep_html_record(rep_html *h, const cor_record *rec);
/* Writes summary, tables and charts from tail (may be NULL), then the call
 * list, closes the file and frees h. Returns 0 or an errno (write error). */
int rep_html_finish(rep_html *h, json_object *tail);

/* ---- SVG ladder (svg.c) ---- */

/* One record's ladder as SVG. standalone=1: a whole document with an XML
 * declaration and xmlns; 0: an inline <svg> element for HTML. */
void rep_svg_ladder(FILE *out, const cor_record *rec, const rep_ladder_opts *lo, int standalone);

/* ---- Mermaid / PlantUML sequence diagrams (mermaid.c) ---- */

/* `sequenceDiagram` text (without a ``` fence). */
void rep_mermaid_ladder(FILE *out, const cor_record *rec, const rep_ladder_opts *lo);
/* `@startuml` ... `@enduml`. */
void rep_plantuml_ladder(FILE *out, const cor_record *rec, const rep_ladder_opts *lo);

/* ---- Markdown CI summary (markdown.c) ---- */

typedef struct rep_markdown rep_markdown;

/* Opens path for appending (so it can be $GITHUB_STEP_SUMMARY); "-" is
 * stdout. Returns 0 or an errno with a message in err. */
int rep_markdown_open(rep_markdown **out, const char *path, char *err, size_t errlen);
/* Counts the record; keeps a Mermaid ladder of it if it is one of the first
 * REP_MD_MAX_FAILED failed ones. */
void rep_markdown_record(rep_markdown *m, const cor_record *rec);
/* Writes the tables and the kept ladders, closes and frees m. Returns 0 or
 * an errno. */
int rep_markdown_finish(rep_markdown *m, json_object *tail);

#define REP_MD_MAX_FAILED 50

/* ---- JUnit XML (junit.c) ---- */

typedef struct rep_junit rep_junit;

/* suite_name: the capture input(s), e.g. "a.pcap b.pcap". Returns 0 or an
 * errno with a message in err. */
int rep_junit_open(rep_junit **out, const char *path, const char *suite_name, char *err, size_t errlen);
/* One testcase per record (see junit.c for which kinds can fail). */
void rep_junit_record(rep_junit *j, const cor_record *rec);
/* Writes <testsuites> with the counts, the streamed testcases and the run
 * summary as properties; closes and frees j. Returns 0 or an errno. */
int rep_junit_finish(rep_junit *j, json_object *tail);

/* ---- gating: --fail-if EXPR (gate.c, language in docs/gating.md) ---- */

typedef struct rep_gate rep_gate;

/* Parses EXPR. Returns 0, or -1 with a one-line message in err such as
 * "--fail-if 'asr <': expected a number after '<'". */
int rep_gate_parse(rep_gate **out, const char *expr, char *err, size_t errlen);
/* Evaluates g against tail. Returns 1 when the condition holds, 0 when not,
 * -1 (message in err) when the path does not exist in tail. *value (may be
 * NULL) gets the left-hand value. */
int rep_gate_eval(const rep_gate *g, json_object *tail, double *value, char *err, size_t errlen);
void rep_gate_free(rep_gate *g);
/* The expression as given (for messages). */
const char *rep_gate_text(const rep_gate *g);

/* ---- sipscope merge (merge.c) ---- */

/* `sipscope merge a.json b.json ... [-o out.json] [--no-dialogs]`; argv[0]
 * is "merge". Returns the exit status: 0, or 2 with one line on stderr. */
int rep_merge_main(int argc, char **argv);

/* ---- shared by the writers (svg.c) ---- */

/* Wire text made printable: valid UTF-8 (invalid bytes as "\xNN", like the
 * JSON report), with control characters (C0, DEL, C1) and invisible
 * reordering characters (bidi overrides, zero-width) dropped. NULL is "".
 * Returns a malloc'd string or NULL on ENOMEM. */
char *rep_out_clean(const char *wire);

/* Writes wire text escaped for XML/HTML character data and attribute
 * values ("..." or '...'): & < > " ' as entities, after rep_out_clean. */
void rep_out_xml(FILE *out, const char *wire);

/* Endpoint columns of a record, as the terminal ladder draws them: in
 * order of first appearance, addresses under one alias in one column. */
typedef struct rep_cols {
    size_t n;
    char (*label)[80];  /* per column: alias name (raw) or "ip:port" */
    size_t *src, *dst;  /* per message: column index */
} rep_cols;

/* Returns 0 or -1 (ENOMEM; c is then empty). */
int rep_cols_build(rep_cols *c, const cor_record *rec, const rep_ladder_opts *lo);
void rep_cols_free(rep_cols *c);

/* Arrow label of a message, raw (not escaped): method, or "code reason". */
void rep_out_msg_label(const cor_msg *m, char *out, size_t outsz);

/* The member of a JSON report object at a dotted path ("stats.calls.asr";
 * keys without dots), or NULL. */
json_object *rep_out_jget(json_object *o, const char *path);

/* "HH:MM:SS.mmm" UTC of a capture time. */
void rep_out_clock(int64_t ts_us, char *buf, size_t n);

/* Whether a record counts as failed for CI outputs: a call not answered,
 * or any other kind ending in failure/no_response. In-progress records
 * (live capture stopped) are not failures. */
int rep_out_failed(const cor_record *rec);

#endif
