/* pipeline.h - the stages wired together: decode -> sip -> correlate ->
 * report, fed one captured frame at a time.
 *
 * The CLI, the fuzz targets and live capture all drive analysis through
 * this one piece, so there is one place where a payload becomes a parsed
 * message and a parsed message reaches the correlator. */
#ifndef SIPSCOPE_PIPELINE_H
#define SIPSCOPE_PIPELINE_H

#include "capture.h"
#include "correlate.h"
#include "decode.h"
#include "hep.h"
#include "report.h"

typedef struct ss_pipeline ss_pipeline;

/* Creates the decode and correlate stages, reporting into rep (not owned).
 * Returns 0 or ENOMEM. */
int ss_pipeline_create(ss_pipeline **out, const dec_config *dcfg, const cor_config *ccfg,
                       rep_ctx *rep);

/* --hep-send: every payload that parses as SIP is also mirrored to h as
 * HEPv3 (NULL stops it). h is not owned and must outlive the pipeline's
 * use of it. */
void ss_pipeline_set_hep_sender(ss_pipeline *p, hep_sender *h);

/* One captured frame: decoded, parsed, correlated; timers advanced on
 * capture time. */
void ss_pipeline_frame(ss_pipeline *p, const dec_frame *f);

/* Advances timers without a frame (live capture on a quiet wire). */
void ss_pipeline_tick(ss_pipeline *p, int64_t now_us);

/* Input ended (live=1: a live capture was stopped): flushes streams and
 * finishes every record. */
void ss_pipeline_finish(ss_pipeline *p, int live);

/* Fills info with what every stage counted so far. input_errors must hold
 * cap_input_count(cap) entries; inputs names them. */
void ss_pipeline_info(const ss_pipeline *p, const cap_set *cap, const char *const *inputs,
                      const char **input_errors, rep_run_info *info);

uint64_t ss_pipeline_frames(const ss_pipeline *p);
uint64_t ss_pipeline_messages(const ss_pipeline *p);
uint64_t ss_pipeline_calls(const ss_pipeline *p);

void ss_pipeline_destroy(ss_pipeline *p);

#endif
