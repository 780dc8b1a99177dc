/* fuzz_ws.c - SIP over WebSocket (RFC 7118) in the TCP reassembler: a
 * client's HTTP upgrade request, then the input as the rest of the stream
 * (frames: lengths, masks, fragments, control frames), delivered in
 * segments whose sizes come from the input's first byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipscope/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void _sink(void *user, const dec_payload *pl)
{
    volatile uint8_t x = 0;
    for (size_t i = 0; i < pl->data.len; i++)
        x ^= pl->data.p[i];
    (void)user;
    (void)x;
}

static void _segment(dec_ctx *d, uint32_t seq, uint8_t flags, const uint8_t *p, size_t len, int64_t ts)
{
    static uint8_t f[14 + 20 + 20 + 65536];
    if (len > 65536)
        len = 65536;
    memset(f, 0, 14 + 40);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    size_t tot = 40 + len;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[9] = 6;
    ip[12] = 10, ip[15] = 1, ip[16] = 10, ip[19] = 2;
    uint8_t *t = ip + 20;
    t[0] = 0x9c, t[1] = 0x40; /* 40000 -> 8080 */
    t[2] = 0x1f, t[3] = 0x90;
    t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16), t[6] = (uint8_t)(seq >> 8), t[7] = (uint8_t)seq;
    t[12] = 5 << 4;
    t[13] = flags;
    if (len)
        memcpy(t + 20, p, len);
    dec_frame fr = {.ts_us = ts, .frame_no = 1, .linktype = 1, .caplen = (uint32_t)(14 + tot),
                    .wirelen = (uint32_t)(14 + tot), .data = f};
    dec_frame_in(d, &fr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char upgrade[] = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
    if (size < 1)
        return 0;
    size_t seg = (size_t)data[0] * 16 + 1;
    data++;
    size--;
    dec_config cfg;
    dec_config_default(&cfg);
    cfg.tcp_stream_buf_max = 16384;
    dec_ctx *d = NULL;
    if (dec_create(&d, &cfg, _sink, NULL) != 0)
        return 0;
    uint32_t seq = 1000;
    int64_t ts = 1000000;
    _segment(d, seq - 1, 0x02, NULL, 0, ts);
    _segment(d, seq, 0x18, (const uint8_t *)upgrade, sizeof upgrade - 1, ts);
    seq += sizeof upgrade - 1;
    for (size_t off = 0; off < size; off += seg) {
        size_t n = size - off < seg ? size - off : seg;
        _segment(d, seq, 0x18, data + off, n, ts += 1000);
        seq += (uint32_t)n;
    }
    dec_finish(d);
    dec_destroy(d);
    return 0;
}
