/* hep.h - sending HEPv3 (Homer Encapsulation Protocol) to a collector.
 *
 * --hep-send mirrors every SIP message sipscope decodes, with its own
 * addresses, ports and capture time, to a HEP collector (Homer, heplify-
 * server, sngrep -L, sipscope --hep-listen) over UDP: one datagram per
 * message, sent without blocking; a datagram that cannot be sent is
 * counted, never fatal. The packet parser (src/decode/hep.c) is shared by
 * decode, which hands on the inner SIP, and --hep-listen, which needs the
 * agent's capture time for its clock. */
#ifndef SIPSCOPE_HEP_H
#define SIPSCOPE_HEP_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "slice.h"

#define HEP_CAPTURE_ID_DEFAULT 2002u /* the usual agent id (heplify, sngrep) */

typedef struct hep_sender hep_sender;

/* One HEP packet, as hep_parse reads it. */
typedef struct hep_packet {
    ss_addr src, dst;   /* the mirrored message's addresses and ports */
    uint8_t ip_proto;   /* 17, 6, 132 */
    uint8_t proto_type; /* 1 = SIP; 0 when the packet does not say */
    int64_t ts_us;      /* the agent's capture time; 0 when absent (v1) */
    ss_slice payload;   /* points into the packet; zlib data when compressed */
    int compressed;     /* v3 chunk 0x0010 */
    int version;        /* 1, 2 or 3 */
} hep_packet;

/* Reads a HEP v1/v2/v3 packet (bounds-checked; vendor chunks skipped).
 * Returns 0; -1 when p does not start like HEP at all; -2 when it does but
 * is broken (bad lengths, no payload). */
int hep_parse(const uint8_t *p, size_t len, hep_packet *h);

/* Encodes one message as HEPv3 into buf: chunks IP family, IP protocol,
 * source/destination address (IPv4 or IPv6, from src->family), ports,
 * timestamp seconds/microseconds, protocol type 1 (SIP), capture id and the
 * payload (chunk 0x000f). ip_proto is 17 (UDP), 6 (TCP) or 132 (SCTP).
 * Returns the packet's length, or 0 when it does not fit in cap bytes or
 * in HEP's 16-bit length, or when src and dst differ in family. */
size_t hep_encode(uint8_t *buf, size_t cap, const ss_addr *src, const ss_addr *dst,
                  uint8_t ip_proto, int64_t ts_us, uint32_t capture_id, const uint8_t *payload,
                  size_t len);

/* Opens a UDP socket towards url ("udp:ADDR:PORT", an IPv4 or IPv6
 * literal). Returns 0, or -1 with one line in errbuf and *out NULL. */
int hep_sender_open(hep_sender **out, const char *url, uint32_t capture_id, char *errbuf,
                    size_t errlen);

/* Encodes and sends one message (one sendto). Returns 0, or an errno
 * (EMSGSIZE when it cannot be encoded); either way it is counted. */
int hep_sender_send(hep_sender *h, const ss_addr *src, const ss_addr *dst, uint8_t ip_proto,
                    int64_t ts_us, const uint8_t *payload, size_t len);

/* Datagrams sent, and messages that could not be (encoding or sendto
 * failed); err_text is the last failure's reason, "" if none. */
void hep_sender_counts(const hep_sender *h, uint64_t *sent, uint64_t *failed,
                       const char **err_text);

/* Closes the socket; NULL is fine. */
void hep_sender_close(hep_sender *h);

#endif
