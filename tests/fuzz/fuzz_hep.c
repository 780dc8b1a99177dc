/* fuzz_hep.c - the HEP v2/v3 decoder (plain and zlib-compressed payload
 * chunks): the input is the UDP payload of one datagram to port 9060,
 * wrapped in a valid Ethernet/IPv4/UDP frame and fed to the decoder. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65000)
        return 0;
    size_t n = 14 + 20 + 8 + size;
    uint8_t *f = calloc(1, n);
    if (f == NULL)
        return 0;
    f[12] = 0x08; /* IPv4 */
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + 8 + size) >> 8);
    ip[3] = (uint8_t)(20 + 8 + size);
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10, ip[15] = 1, ip[16] = 10, ip[19] = 2;
    uint8_t *udp = ip + 20;
    udp[0] = 0x23, udp[1] = 0x84; /* 9060 */
    udp[2] = 0x23, udp[3] = 0x84;
    udp[4] = (uint8_t)((8 + size) >> 8);
    udp[5] = (uint8_t)(8 + size);
    memcpy(udp + 8, data, size);
    dec_ctx *d = NULL;
    if (dec_create(&d, NULL, _sink, NULL) == 0) {
        dec_frame fr = {.ts_us = 1000000, .frame_no = 1, .linktype = 1, .caplen = (uint32_t)n,
                        .wirelen = (uint32_t)n, .data = f};
        dec_frame_in(d, &fr);
        dec_finish(d);
        dec_destroy(d);
    }
    free(f);
    return 0;
}
