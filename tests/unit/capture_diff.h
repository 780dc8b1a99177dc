/* capture_diff.h - the offline frontend against libpcap on one file, shared
 * by test_capture.c (cmocka) and tests/fuzz/fuzz_savefile.c (libFuzzer).
 *
 * capture_diff() reads path with cap_open_offline() (which takes classic
 * pcap files itself, src/capture/savefile.c) and with libpcap's
 * pcap_next_ex(), side by side. Every frame (time, captured and wire
 * length, bytes) and the final error must agree. Returns NULL when they
 * do, else what differs first. *frames counts the frames read; *savefile
 * is 1 when cap_open_offline chose its own reader, 0 when libpcap's, -1
 * when neither reader opened the file. */
#ifndef SIPSCOPE_TEST_CAPTURE_DIFF_H
#define SIPSCOPE_TEST_CAPTURE_DIFF_H

#include <pcap/pcap.h>
#include <string.h>

#include "sipscope/capture.h"
#include "../../src/capture/capture_int.h" /* cap_set, cap_ts_us */

static inline const char *capture_diff(const char *path, const char *bpf, size_t *frames,
                                       int *savefile)
{
    char perr[PCAP_ERRBUF_SIZE], err[CAP_ERRBUF_SIZE];
    const char *paths[1] = {path};
    const char *why = NULL;
    cap_set *s = NULL;
    *frames = 0;
    *savefile = -1;
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
    int rc = cap_open_offline(&s, paths, 1, bpf, err, sizeof err);
    if ((p != NULL) != (rc == 0)) {
        why = "one reader opened the file, the other did not";
    } else if (p != NULL) {
        *savefile = s->in[0].savefile != NULL;
        struct bpf_program prog;
        if (bpf && (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
                    pcap_setfilter(p, &prog) != 0))
            why = "libpcap refused the filter";
        if (bpf && why == NULL)
            pcap_freecode(&prog);
        while (why == NULL) {
            struct pcap_pkthdr *h;
            const u_char *d;
            dec_frame f;
            int r = pcap_next_ex(p, &h, &d);
            int c = cap_next(s, &f);
            if (r != 1) {
                const char *e = cap_input_error(s, 0);
                if (c != 0)
                    why = "cap_next has a frame past libpcap's last";
                else if ((r == PCAP_ERROR) != (e != NULL) || (e && strcmp(e, pcap_geterr(p)) != 0))
                    why = "the final error";
                break;
            }
            if (c != 1) {
                why = "cap_next ended before libpcap";
                break;
            }
            ++*frames;
            if (f.frame_no != *frames)
                why = "a frame number";
            else if (f.ts_us != cap_ts_us(&h->ts))
                why = "a time stamp";
            else if (f.caplen != h->caplen || f.wirelen != h->len)
                why = "a captured or wire length";
            else if (memcmp(f.data, d, h->caplen) != 0)
                why = "a frame's bytes";
        }
    }
    if (p)
        pcap_close(p);
    cap_close(s);
    return why;
}

#endif
