/* offline.c - pcap/pcapng files merged by time (capture frontend).
 *
 * Each input keeps its next frame pending in its reader's buffer (libpcap's,
 * or savefile.c's for classic pcap files); cap_next returns the earliest
 * one and advances only that input on the following call, so no frame is
 * ever copied. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sipscope/capture.h"

#include "capture_int.h"

/* stdio's default 4 KiB buffer costs one read() per 4 KiB: a 60 MB
 * capture made 14,700 system calls, a third of the run's time. */
#define CAP_IOBUF (1u << 20)

/* Opens a capture file through our own FILE (stdin and anything fopen
 * refuses go through libpcap's own open, which says why in its error).
 * A classic pcap file's records are then read by savefile.c; anything
 * else by libpcap, through a large buffer. */
static pcap_t *_open_file(cap_input *in, const char *path, char *perr)
{
    FILE *fp = strcmp(path, "-") != 0 ? fopen(path, "rb") : NULL;
    if (fp == NULL)
        return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
    /* when savefile.c will take the records, libpcap reads only the file
     * header through fp: the large buffer is for the other formats */
    struct stat st;
    size_t iobuf = CAP_IOBUF;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (off_t)iobuf)
        iobuf = st.st_size > 4096 ? (size_t)st.st_size : 4096; /* a small file needs less */
    if (!cap_savefile_probe(fileno(fp)) && (in->iobuf = malloc(iobuf)) != NULL)
        setvbuf(fp, in->iobuf, _IOFBF, iobuf);
    /* only this thread reads it: libpcap's two freads per packet need not
     * take the stream lock (-0.6 % instructions per message) */
    __fsetlocking(fp, FSETLOCKING_BYCALLER);
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (p == NULL) {
        fclose(fp); /* libpcap closes it only on success */
        free(in->iobuf);
        in->iobuf = NULL;
        return NULL;
    }
    in->savefile = cap_savefile_open(p, fp);
    return p;
}

char *cap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Reads the input's next record into its pending slot; none once the
 * set is stopped (cap_break). */
static void _cap_advance(cap_input *in, int stop)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    char buf[PCAP_ERRBUF_SIZE + 64];
    if (in->pcap == NULL || (stop && in->savefile)) {
        in->hdr = NULL; /* libpcap's own reads end on pcap_breakloop() */
        return;
    }
    int r = in->savefile ? cap_savefile_next(in->savefile, &h, &d, buf, sizeof buf)
                         : pcap_next_ex(in->pcap, &h, &d);
    if (r == 1) {
        in->hdr = h;
        in->data = d;
        in->frame_no++;
        return;
    }
    in->hdr = NULL;
    if (r == PCAP_ERROR && in->error == NULL) {
        /* A file cut in the middle of a record, or a corrupt record length:
         * keep what was read, say why the rest is missing. */
        if (!in->savefile)
            snprintf(buf, sizeof buf, "%s", pcap_geterr(in->pcap));
        in->error = cap_strdup(buf);
    }
}

int cap_open_offline(cap_set **out, const char *const *paths, size_t npaths, const char *bpf,
                     char *errbuf, size_t errlen)
{
    *out = NULL;
    cap_set *s = calloc(1, sizeof *s);
    if (s == NULL || (s->in = calloc(npaths ? npaths : 1, sizeof *s->in)) == NULL) {
        free(s);
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    s->last = -1;
    for (size_t i = 0; i < npaths; i++) {
        s->in[i].fd = -1;
        char perr[PCAP_ERRBUF_SIZE] = "";
        cap_input *in = &s->in[s->n];
        in->pcap = _open_file(in, paths[i], perr);
        if (in->pcap == NULL) {
            /* libpcap says "unknown file format" for non-captures; say it plainly */
            snprintf(errbuf, errlen, "%s: cannot read capture: %s", paths[i], perr);
            cap_close(s);
            return -1;
        }
        s->n++;
        in->name = cap_strdup(paths[i]);
        in->linktype = pcap_datalink(in->pcap);
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
            in->size = (uint64_t)st.st_size;
        if (bpf && *bpf) {
            struct bpf_program prog;
            if (pcap_compile(in->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
                snprintf(errbuf, errlen, "bad filter '%s': %s", bpf, pcap_geterr(in->pcap));
                cap_close(s);
                return -1;
            }
            int r = 0;
            if (in->savefile)
                cap_savefile_set_filter(in->savefile, &prog); /* takes prog */
            else {
                r = pcap_setfilter(in->pcap, &prog);
                pcap_freecode(&prog);
            }
            if (r < 0) {
                snprintf(errbuf, errlen, "%s: cannot set filter: %s", paths[i],
                         pcap_geterr(in->pcap));
                cap_close(s);
                return -1;
            }
        }
        _cap_advance(in, 0);
    }
    *out = s;
    return 0;
}

int cap_open_offline_fp(cap_set **out, FILE *fp, const char *name, char *errbuf, size_t errlen)
{
    *out = NULL;
    cap_set *s = calloc(1, sizeof *s);
    if (s == NULL || (s->in = calloc(1, sizeof *s->in)) == NULL) {
        free(s);
        fclose(fp);
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    s->last = -1;
    char perr[PCAP_ERRBUF_SIZE] = "";
    cap_input *in = &s->in[0];
    in->fd = -1;
    in->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (in->pcap == NULL) {
        snprintf(errbuf, errlen, "%s: cannot read capture: %s", name, perr);
        fclose(fp);
        cap_close(s);
        return -1;
    }
    s->n = 1;
    in->name = cap_strdup(name);
    in->linktype = pcap_datalink(in->pcap);
    _cap_advance(in, 0);
    *out = s;
    return 0;
}

int cap_next(cap_set *s, dec_frame *f)
{
    if (s->live)
        return cap_next_live(s, f);
    if (s->last >= 0) {
        _cap_advance(&s->in[s->last], s->stop);
        s->last = -1;
    }
    ssize_t best = -1;
    int64_t best_ts = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct pcap_pkthdr *h = s->in[i].hdr;
        if (h == NULL)
            continue;
        int64_t ts = cap_ts_us(&h->ts);
        if (best < 0 || ts < best_ts) {
            best = (ssize_t)i;
            best_ts = ts;
        }
    }
    if (best < 0)
        return 0;
    cap_input *in = &s->in[best];
    f->ts_us = best_ts;
    f->frame_no = in->frame_no;
    f->linktype = in->linktype;
    f->caplen = in->hdr->caplen;
    f->wirelen = in->hdr->len;
    f->data = in->data;
    f->input = (unsigned)best;
    s->last = best;
    if (s->dumper.dump)
        cap_dump_frame(s, in);
    return 1;
}

size_t cap_input_count(const cap_set *s) { return s->n; }
const char *cap_input_name(const cap_set *s, size_t i) { return i < s->n ? s->in[i].name : NULL; }
const char *cap_input_error(const cap_set *s, size_t i) { return i < s->n ? s->in[i].error : NULL; }

const char *cap_input_linktype(const cap_set *s, size_t i)
{
    if (i >= s->n)
        return NULL;
    const char *n = pcap_datalink_val_to_name(s->in[i].linktype);
    return n ? n : "unknown";
}

void cap_progress(const cap_set *s, uint64_t *done, uint64_t *total)
{
    *done = *total = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->in[i].size == 0 || s->in[i].pcap == NULL)
            continue;
        FILE *fp = s->in[i].savefile ? NULL : pcap_file(s->in[i].pcap);
        long pos = s->in[i].savefile ? (long)cap_savefile_offset(s->in[i].savefile)
                   : fp                ? ftell(fp)
                                       : -1;
        *total += s->in[i].size;
        *done += pos >= 0 ? (uint64_t)pos : s->in[i].size;
    }
}

void cap_break(cap_set *s)
{
    s->stop = 1;
    for (size_t i = 0; i < s->n; i++)
        if (s->in[i].pcap)
            pcap_breakloop(s->in[i].pcap);
}

void cap_close(cap_set *s)
{
    if (s == NULL)
        return;
    cap_dump_close(s);
    for (size_t i = 0; i < s->n; i++) {
        cap_savefile_close(s->in[i].savefile); /* before pcap_close closes its fd */
        if (s->in[i].pcap)
            pcap_close(s->in[i].pcap);
        free(s->in[i].iobuf); /* after pcap_close, which fclose()s through it */
        cap_hep_free(&s->in[i]);
        free(s->in[i].name);
        free(s->in[i].error);
    }
    free(s->in);
    free(s);
}
