/* fuzz_decode.c - the packet decoder fed a sequence of frames: link
 * layers, tunnels, IP fragment reassembly, TCP reassembly, WebSocket and
 * HEP. The input is cut into frames: [1 byte link type selector][2 bytes
 * length][frame bytes]..., with rising timestamps so timeouts fire too.
 * Small caps make the eviction paths reachable. The whole input is also
 * given to the TLS ClientHello parser (SNI) as a TCP payload, and the TLS
 * flow table is read back at the end. */
#include <stdint.h>
#include <string.h>

#include "sipscope/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void _sink(void *user, const dec_payload *pl)
{
    /* touch every byte handed out: ASan catches a slice past its buffer */
    volatile uint8_t x = 0;
    for (size_t i = 0; i < pl->data.len; i++)
        x ^= pl->data.p[i];
    (void)user;
    (void)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int links[8] = {1, 113, 276, 0, 108, 101, 228, 229};
    dec_config cfg;
    dec_config_default(&cfg);
    cfg.frag_max_pending = 4;
    cfg.frag_max_per_datagram = 8;
    cfg.tcp_max_streams = 4;
    cfg.tcp_stream_buf_max = 8192;
    cfg.tcp_total_buf_max = 32768;
    cfg.frag_timeout_s = 1;
    cfg.tcp_idle_timeout_s = 2;
    cfg.tls_max_flows = 2;
    ss_slice sni;
    if (dec_tls_sni(data, size, &sni) == 0) {
        dec_payload pl = {.data = sni};
        _sink(NULL, &pl);
    }
    (void)dec_tls_handshake_type(data, size);
    dec_ctx *d = NULL;
    if (dec_create(&d, &cfg, _sink, NULL) != 0)
        return 0;
    int64_t ts = 1000000;
    uint64_t no = 0;
    size_t off = 0;
    while (size - off >= 3) {
        int lt = links[data[off] & 7];
        size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (n > size - off)
            n = size - off;
        ts += (int64_t)(data[off - 3] >> 3) * 250000;
        dec_frame f = {.ts_us = ts, .frame_no = ++no, .linktype = lt, .caplen = (uint32_t)n,
                       .wirelen = (uint32_t)n, .data = data + off};
        dec_frame_in(d, &f);
        dec_advance(d, ts);
        off += n;
    }
    dec_finish(d);
    size_t ntls;
    uint64_t not_listed;
    const dec_tls_flow *tls = dec_tls_flows(d, &ntls, &not_listed);
    volatile size_t sum = 0;
    for (size_t i = 0; i < ntls; i++)
        sum += strlen(tls[i].sni) + (size_t)tls[i].bytes;
    (void)sum;
    dec_destroy(d);
    return 0;
}
