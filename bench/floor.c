/* bench/floor.c - the "bare libpcap floor" for `make bench`.
 *
 * Reads every packet of a capture with pcap_next_ex() and scans its payload
 * for line ends (memchr for '\n'), counting them.  No SIP parsing, no state:
 * this is the least work any SIP analyzer reading the same file must do, so
 * sipscope's time is reported as a multiple of this one.
 *
 * Usage: floor [-c] FILE
 *   prints "<packets> <line-ends>" on stdout.
 *   -c  also counts lines that begin with "CSeq:" (one per SIP message, also
 *       when TCP carries several messages in one segment) and prints it as a
 *       third number; bench/gen-captures.sh uses it to verify a capture.
 *
 * The payload is found by skipping the link, IP and UDP/TCP headers for the
 * link types a SIP capture usually has (Ethernet, Linux cooked v1/v2, BSD
 * loopback, raw IP); anything else is scanned whole.
 */
#define _GNU_SOURCE
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Offset of the IP header for the link type, or -1 when unknown. */
static long link_offset(int dlt, const uint8_t *p, uint32_t len, int *ethertype)
{
    *ethertype = -1;
    switch (dlt) {
    case DLT_EN10MB: {
        long off = 14;
        if (len < 14) return -1;
        int et = p[12] << 8 | p[13];
        while ((et == 0x8100 || et == 0x88a8) && len >= (uint32_t)off + 4) {
            et = p[off + 2] << 8 | p[off + 3];
            off += 4;
        }
        *ethertype = et;
        return off;
    }
    case DLT_LINUX_SLL:
        if (len < 16) return -1;
        *ethertype = p[14] << 8 | p[15];
        return 16;
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
        if (len < 20) return -1;
        *ethertype = p[0] << 8 | p[1];
        return 20;
#endif
    case DLT_NULL:
    case DLT_LOOP:
        return 4;
    case DLT_RAW:
#ifdef DLT_IPV4
    case DLT_IPV4:
    case DLT_IPV6:
#endif
        return 0;
    default:
        return -1;
    }
}

/* Offset of the transport payload, or 0 (scan everything) when unknown. */
static uint32_t payload_offset(int dlt, const uint8_t *p, uint32_t len)
{
    int et;
    long off = link_offset(dlt, p, len, &et);
    if (off < 0 || (uint32_t)off >= len) return 0;
    const uint8_t *ip = p + off;
    uint32_t left = len - (uint32_t)off;
    int proto;
    uint32_t iphl;
    if ((ip[0] >> 4) == 4 && (et < 0 || et == 0x0800)) {
        if (left < 20) return 0;
        iphl = (uint32_t)(ip[0] & 0x0f) * 4;
        proto = ip[9];
        if ((ip[6] & 0x1f) | ip[7]) return len;         /* later fragment: no header to see */
    } else if ((ip[0] >> 4) == 6 && (et < 0 || et == 0x86dd)) {
        if (left < 40) return 0;
        iphl = 40;
        proto = ip[6];
    } else {
        return 0;
    }
    if (iphl > left) return 0;
    off += iphl;
    left -= iphl;
    if (proto == 17) {
        if (left < 8) return len;
        return (uint32_t)off + 8;
    }
    if (proto == 6) {
        if (left < 20) return len;
        uint32_t thl = (uint32_t)(p[off + 12] >> 4) * 4;
        if (thl > left) return len;
        return (uint32_t)off + thl;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int cseq = 0;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0) cseq = 1;
        else if (!file) file = argv[i];
        else file = NULL, i = argc;
    }
    if (!file) {
        fprintf(stderr, "usage: floor [-c] FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(file, err);
    if (!pc) {
        fprintf(stderr, "floor: %s\n", err);
        return 1;
    }
    int dlt = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long long packets = 0, lines = 0, cseqs = 0;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        packets++;
        uint32_t off = payload_offset(dlt, data, h->caplen);
        const uint8_t *s = data + off, *end = data + h->caplen;
        if (cseq && end - s >= 5 && memcmp(s, "CSeq:", 5) == 0) cseqs++;
        const uint8_t *nl;
        while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
            lines++;
            s = nl + 1;
            if (cseq && end - s >= 5 && memcmp(s, "CSeq:", 5) == 0) cseqs++;
        }
    }
    if (rc == -1) fprintf(stderr, "floor: %s: %s\n", file, pcap_geterr(pc));
    pcap_close(pc);
    if (cseq) printf("%llu %llu %llu\n", packets, lines, cseqs);
    else printf("%llu %llu\n", packets, lines);
    return rc == -1;
}
