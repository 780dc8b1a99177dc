/* capture.h - the capture frontend: where frames come from.
 *
 * Offline: one or more pcap/pcapng files (or "-" for stdin), merged by
 * timestamp into one stream, with an optional BPF filter applied to each.
 * Frames are handed out zero-copy: a frame's data stays valid until the
 * next cap_next() call (libpcap reuses its buffer, and so does the
 * frontend's own reader of classic pcap files, src/capture/savefile.c).
 * A file that ends in the middle of a record (truncated capture) is not
 * fatal: its frames up to there are analyzed and the error is kept for the
 * report (cap_input_error). */
#ifndef SIPSCOPE_CAPTURE_H
#define SIPSCOPE_CAPTURE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "decode.h"

#define CAP_ERRBUF_SIZE 512

typedef struct cap_set cap_set;

/* Opens every path (pcap or pcapng; "-" = stdin) and compiles bpf (NULL or
 * "" = none) for each. Returns 0, or -1 with one line of text in errbuf
 * naming the file and the reason; *out is NULL then. */
int cap_open_offline(cap_set **out, const char *const *paths, size_t npaths, const char *bpf,
                     char *errbuf, size_t errlen);

/* Same for one capture already open as a stream (e.g. fmemopen() in the
 * fuzz targets); takes ownership of fp. */
int cap_open_offline_fp(cap_set **out, FILE *fp, const char *name, char *errbuf, size_t errlen);

/* Live capture on one or more interfaces ("any" included). */
typedef struct cap_live_config {
    const char *const *ifaces;
    size_t nifaces;
    int snaplen;        /* -s; 0 = 262144 */
    int buffer_mib;     /* -B; 0 = libpcap default */
    int promisc;        /* 0 with -p */
    int immediate;      /* deliver packets at once (default 0: libpcap then packs packets
                         * into TPACKET_V3 blocks, handed over at least every 100 ms; in
                         * immediate mode each slot holds one snaplen-sized frame, so the
                         * default 2 MB ring held 8 packets and dropped bursts) */
    const char *bpf;
} cap_live_config;

/* Opens and activates every interface and sets the filter. Warnings from
 * activation go to stderr; errors come back as one line in errbuf and -1. */
int cap_open_live(cap_set **out, const cap_live_config *cfg, char *errbuf, size_t errlen);

/* --hep-listen udp:ADDR:PORT (hep_listen.c): a live input that receives
 * HEP datagrams on a UDP socket bound to ADDR (an IPv4 or IPv6 literal,
 * "[v6]" brackets allowed) and hands each one out as a DLT_RAW frame: a
 * synthesized IPv4/IPv6 + UDP header (sender -> ADDR:PORT, lengths exact)
 * around the datagram, so decode takes it apart on its UDP -> HEP path
 * (PORT must be one of dec_config.hep_ports). The frame's timestamp is the
 * HEP capture time when the packet carries one, else the receive time.
 * cap_next() behaves as for interfaces (-1 after ~100 ms without a
 * datagram, 0 after cap_break()); -w writes the synthesized frames.
 * Returns 0 with *port set to PORT, or -1 with one line in errbuf. */
int cap_open_hep_listen(cap_set **out, const char *url, uint16_t *port, char *errbuf,
                        size_t errlen);

/* Parses "udp:ADDR:PORT" (ADDR an IPv4 literal, an IPv6 literal or
 * "[IPv6]"; PORT 1..65535) into a. Returns 0 or -1 with errbuf. Shared by
 * --hep-listen and --hep-send. */
int cap_parse_udp_url(const char *url, ss_addr *a, char *errbuf, size_t errlen);

/* Writes every frame cap_next() hands out to a pcap file (-w). With
 * rotate_mb (-C) a new file FILE1, FILE2, ... starts past that size; with
 * rotate_secs (-G) the path is a strftime pattern expanded at each rotation.
 * Returns 0 or -1 with errbuf. */
int cap_dump_open(cap_set *s, const char *path, uint64_t rotate_mb, uint32_t rotate_secs,
                  char *errbuf, size_t errlen);

/* -D: prints the interfaces libpcap can open, numbered, as tcpdump does.
 * Returns 0 or -1 with errbuf. */
int cap_list_devices(FILE *out, char *errbuf, size_t errlen);

/* Kernel/interface counters of every live input, summed (pcap_stats works
 * only on live captures). Returns 0, or -1 when not live. */
int cap_live_stats(const cap_set *s, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);

int cap_is_live(const cap_set *s);

/* -Z: gives up root for USER (its uid, gid and groups) once the devices are
 * open. Returns 0 or -1 with errbuf. */
int cap_drop_privileges(const char *user, char *errbuf, size_t errlen);

/* Next frame. Offline: in timestamp order over all inputs (ties: input
 * order); 1 with *f filled, 0 at the end of every input; a read error ends
 * that input and is kept for cap_input_error(). Live: 1 with a frame, -1
 * when none arrived within about 100 ms (so the caller can run timers), 0
 * once stopped by cap_break() or every interface went away. */
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
