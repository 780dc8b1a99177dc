/* fuzz_pcap.c - the whole offline path on hostile capture files: libpcap
 * reads the input from memory (pcap or pcapng), and every frame goes
 * through decode, the SIP parser, correlate and the report (statistics,
 * ladder and JSON written to /dev/null). Nothing may crash, leak or read
 * out of bounds, whatever the file holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipscope/capture.h"
#include "sipscope/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (fp == NULL)
        return 0;
    char err[CAP_ERRBUF_SIZE];
    cap_set *cap = NULL;
    if (cap_open_offline_fp(&cap, fp, "fuzz", err, sizeof err) < 0)
        return 0;

    FILE *devnull = fopen("/dev/null", "w");
    rep_config rc;
    memset(&rc, 0, sizeof rc);
    rc.out = devnull;
    rc.stats = REP_STATS_DEFAULT;
    rc.ladder = 1;
    rc.ladder_opts.width = 100;
    rc.ladder_opts.utf8 = 1;
    rc.json_path = "/dev/null";
    rc.messages_out = devnull;
    rep_ctx *rep = NULL;
    ss_pipeline *p = NULL;
    dec_config dc;
    cor_config cc;
    dec_config_default(&dc);
    cor_config_default(&cc);
    /* small caps so the fuzzer reaches the eviction paths */
    cc.max_records = 8;
    cc.max_msgs_per_record = 16;
    dc.tcp_max_streams = 8;
    dc.frag_max_pending = 8;
    if (rep_create(&rep, &rc, err, sizeof err) == 0 && ss_pipeline_create(&p, &dc, &cc, rep) == 0) {
        dec_frame f;
        while (cap_next(cap, &f) == 1)
            ss_pipeline_frame(p, &f);
        ss_pipeline_finish(p, 0);
        const char *errs[1];
        const char *names[1] = {"fuzz"};
        rep_run_info info;
        ss_pipeline_info(p, cap, names, errs, &info);
        rep_finish(rep, &info);
    }
    ss_pipeline_destroy(p);
    rep_destroy(rep);
    cap_close(cap);
    if (devnull)
        fclose(devnull);
    return 0;
}
