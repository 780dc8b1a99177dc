/* capture.h - the capture frontend: where frames come from.
 *
 * Offline: one or more pcap/pcapng files (or "-" for stdin), merged by
 * timestamp into one stream, with an optional BPF filter applied to each.
 * Frames are handed out zero-copy: a frame's data stays valid until the
 * next cap_next() call (libpcap reuses its buffer).
 * A file that ends in the middle of a record (truncated capture) is not
 * fatal: its frames up to there are analyzed and the error is kept for the
 * report (cap_input_error). */
#ifndef SIPSCOPE_CAPTURE_H
#define SIPSCOPE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include "decode.h"

#define CAP_ERRBUF_SIZE 512

typedef struct cap_set cap_set;

/* Opens every path (pcap or pcapng; "-" = stdin) and compiles bpf (NULL or
 * "" = none) for each. Returns 0, or -1 with one line of text in errbuf
 * naming the file and the reason; *out is NULL then. */
int cap_open_offline(cap_set **out, const char *const *paths, size_t npaths, const char *bpf,
                     char *errbuf, size_t errlen);

/* Next frame in timestamp order over all inputs (ties: input order).
 * Returns 1 with *f filled, 0 at the end of every input. Never fails:
 * a read error ends that input and is kept for cap_input_error(). */
int cap_next(cap_set *s, dec_frame *f);

size_t cap_input_count(const cap_set *s);
const char *cap_input_name(const cap_set *s, size_t i);
/* libpcap's name for the input's link type, e.g. "EN10MB". */
const char *cap_input_linktype(const cap_set *s, size_t i);
/* Error that ended input i early (e.g. "truncated dump file"), or NULL. */
const char *cap_input_error(const cap_set *s, size_t i);
/* Bytes of input files consumed so far and their total size (0 if unknown,
 * e.g. stdin), for progress. */
void cap_progress(const cap_set *s, uint64_t *done, uint64_t *total);

/* Breaks out of a running capture from a signal handler. */
void cap_break(cap_set *s);

void cap_close(cap_set *s);

#endif
