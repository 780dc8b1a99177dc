/* fuzz_savefile.c - the offline frontend's own pcap record reader
 * (src/capture/savefile.c) against libpcap on hostile files: the input
 * is written to a memory file and read both by cap_open_offline (which
 * takes classic pcap files itself) and by libpcap's pcap_next_ex
 * (tests/unit/capture_diff.h), once with savefile.c mapping the file and
 * once reading it with pread. Every frame and the final error must agree;
 * any difference aborts, so the fuzzer keeps it. */

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../unit/capture_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int fd = memfd_create("fuzz_savefile", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        char path[64];
        size_t frames;
        int savefile;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        for (int no_map = 0; no_map < 2; no_map++) {
            cap_savefile_no_map = no_map;
            const char *why = capture_diff(path, NULL, &frames, &savefile);
            cap_savefile_no_map = 0;
            if (why != NULL) {
                fprintf(stderr, "fuzz_savefile: readers differ (%s) after %zu frames: %s\n",
                        no_map ? "pread" : "mapped", frames, why);
                abort();
            }
        }
    }
    close(fd);
    return 0;
}
