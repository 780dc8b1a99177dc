/* capture_int.h - private to src/capture: the input set shared by the
 * offline and live frontends. */
#ifndef SIPSCOPE_CAPTURE_INT_H
#define SIPSCOPE_CAPTURE_INT_H

#include <pcap/pcap.h>
#include <sys/types.h>
#include "sipscope/capture.h"

/* Classic pcap records read without libpcap's per-packet copies
 * (savefile.c). */
typedef struct cap_savefile cap_savefile;

/* 1 when fd is a regular file whose header says pcap 2.4 (read with
 * pread, so a FILE on fd is left where it is). */
int cap_savefile_probe(int fd);
/* NULL unless fp is a regular file holding a pcap 2.4 capture of a link
 * type sipscope decodes, already opened and checked by libpcap as p.
 * The file is mapped where it can be (see savefile.c: a SIGBUS handler is
 * then installed), else read with pread(). */
cap_savefile *cap_savefile_open(pcap_t *p, FILE *fp);
/* Runs prog on every record from now on, as pcap_setfilter() would;
 * takes it over (pcap_freecode at close). */
void cap_savefile_set_filter(cap_savefile *f, struct bpf_program *prog);
/* pcap_next_ex()'s results: 1 with the next record that passes the
 * filter (valid until the next call), 0 at the end of the file, -1 with
 * libpcap's words for a truncated file or a bad record in err. */
int cap_savefile_next(cap_savefile *f, struct pcap_pkthdr **hdr, const u_char **data, char *err,
                      size_t errlen);
/* File offset of the next record. */
uint64_t cap_savefile_offset(const cap_savefile *f);
void cap_savefile_close(cap_savefile *f);
/* Nonzero: files opened from now on are read with pread() even where
 * they could be mapped (the tests run both modes; sipscope never sets it). */
extern int cap_savefile_no_map;

typedef struct cap_input {
    pcap_t *pcap;
    cap_savefile *savefile; /* offline: records read by savefile.c, else NULL */
    char *name;
    int linktype;
    const struct pcap_pkthdr *hdr; /* pending frame (offline), NULL once ended */
    const uint8_t *data;
    uint64_t frame_no;
    uint64_t size;  /* file size, 0 if unknown */
    char *error;    /* what ended it early */
    int fd;         /* live: selectable fd, -1 if none */
    int ended;      /* live: no more frames */
    struct cap_hep *hep; /* --hep-listen socket state (hep_listen.c), else NULL */
    char *iobuf;    /* offline: the FILE's read buffer (freed after pcap_close) */
} cap_input;

typedef struct cap_dumper {
    char *path;          /* as given, may hold strftime conversions with -G */
    pcap_dumper_t *dump;
    uint64_t bytes;      /* in the current file */
    unsigned files;      /* files opened so far */
    int64_t opened_us;   /* capture time the current file was opened */
    uint64_t rotate_bytes;
    uint32_t rotate_secs;
} cap_dumper;

struct cap_set {
    cap_input *in;
    size_t n;
    ssize_t last; /* input whose frame was handed out last */
    int live;
    volatile int stop;
    cap_dumper dumper; /* -w: frames handed out are written here */
};

char *cap_strdup(const char *s);

/* Capture time in microseconds. pcapng stores 64-bit timestamps, so a
 * corrupt file can hold any value: saturate at +-1e17 us (year ~5000) so
 * that later timer arithmetic (time + timeout) cannot overflow either. */
static inline int64_t cap_ts_us(const struct timeval *tv)
{
    const int64_t lim_s = 100000000000LL; /* 1e11 s = 1e17 us */
    int64_t sec = (int64_t)tv->tv_sec;
    if (sec > lim_s)
        return lim_s * 1000000;
    if (sec < -lim_s)
        return -lim_s * 1000000;
    return sec * 1000000 + (int64_t)tv->tv_usec;
}

/* --hep-listen (hep_listen.c): the next datagram as a frame, with
 * pcap_next_ex()'s results (1 frame, 0 none waiting, PCAP_ERROR with
 * in->error set); frees the socket state. */
int cap_hep_next(cap_input *in, struct pcap_pkthdr **h, const u_char **d);
void cap_hep_free(cap_input *in);

/* cap_next() for live inputs (live.c). */
int cap_next_live(cap_set *s, dec_frame *f);
void cap_dump_close(cap_set *s);

/* Writes the frame to the -w file, rotating as configured. */
void cap_dump_frame(cap_set *s, const cap_input *in);

#endif
