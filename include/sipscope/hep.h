/* hep.h - sending HEPv3 (Homer Encapsulation Protocol) to a collector.
 *
 * --hep-send mirrors every SIP message sipscope decodes, with its own
 * addresses, ports and capture time, to a HEP collector (Homer, heplify-
 * server, sngrep -L, sipscope --hep-listen) over UDP: one datagram per
 * message, sent without blocking; a datagram that cannot be sent is
 * counted, never fatal. (Decoding HEP is decode's job: src/decode/hep.c.) */
#ifndef SIPSCOPE_HEP_H
#define SIPSCOPE_HEP_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"

#define HEP_CAPTURE_ID_DEFAULT 2002u /* the usual agent id (heplify, sngrep) */

typedef struct hep_sender hep_sender;

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
