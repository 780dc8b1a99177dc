/* fuzz_savefile.c - the offline frontend's own pcap record reader
 * (src/capture/savefile.c) against libpcap on hostile files: the input
 * is written to a memory file and read both by cap_open_offline (which
 * takes classic pcap files itself) and by libpcap's pcap_next_ex from
 * memory. Every frame and the final error must agree; any difference
 * aborts, so the fuzzer keeps it. */

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sipscope/capture.h"
#include "../../src/capture/capture_int.h" /* cap_ts_us: the frontend's time saturation */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void _differ(const char *what)
{
    fprintf(stderr, "fuzz_savefile: readers differ: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int fd = memfd_create("fuzz_savefile", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], perr[PCAP_ERRBUF_SIZE], err[CAP_ERRBUF_SIZE];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const char *paths[1] = {path};
    cap_set *s = NULL;
    int rc = cap_open_offline(&s, paths, 1, NULL, err, sizeof err);
    FILE *fp = fmemopen((void *)data, size, "rb");
    pcap_t *p = fp ? pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr)
                   : NULL;
    if (fp && p == NULL)
        fclose(fp);
    if (fp && (rc == 0) != (p != NULL))
        _differ("one opened the file, the other did not");
    if (rc == 0 && p != NULL) {
        for (;;) {
            struct pcap_pkthdr *h;
            const u_char *d;
            dec_frame f;
            int r = pcap_next_ex(p, &h, &d);
            int c = cap_next(s, &f);
            if (r != 1) {
                const char *e = cap_input_error(s, 0);
                if (c != 0)
                    _differ("cap_next has a frame past libpcap's last");
                if ((r == PCAP_ERROR) != (e != NULL) || (e && strcmp(e, pcap_geterr(p)) != 0))
                    _differ("the final error");
                break;
            }
            if (c != 1)
                _differ("cap_next ended early");
            if (f.caplen != h->caplen || f.wirelen != h->len ||
                f.ts_us != cap_ts_us(&h->ts) ||
                memcmp(f.data, d, h->caplen) != 0)
                _differ("a frame");
        }
    }
    if (p)
        pcap_close(p);
    cap_close(s);
    close(fd);
    return 0;
}
