/* decode_int.h - private to src/decode: the decoder context shared by the
 * link/IP walker (decode.c), IP reassembly (defrag.c), TCP reassembly
 * (tcp_stream.c) and HEP (hep.c). */
#ifndef SIPSCOPE_DECODE_INT_H
#define SIPSCOPE_DECODE_INT_H

#include "sipscope/decode.h"

#define DEC_MAX_DEPTH 8 /* nested tunnels before we stop trusting the packet */

typedef struct dec_defrag dec_defrag;
typedef struct dec_tcp dec_tcp;

/* What the walker knows about the packet while it descends. */
typedef struct dec_pkt {
    const dec_frame *frame;
    ss_addr src, dst; /* IP layer (ports filled by L4) */
    uint32_t flags;   /* DEC_PL_* gathered so far */
    int depth;
    int counted_encap;
} dec_pkt;

/* An SCTP user message split over DATA chunks (B ... E), being rebuilt. */
#define DEC_SCTP_PENDING 16
typedef struct dec_sctp_frag {
    ss_addr src, dst;
    uint16_t sid, ssn;
    uint32_t next_tsn;
    uint8_t *buf;
    uint32_t len;
    int64_t ts_us;
} dec_sctp_frag;

/* What a UDP/TCP port number means to the decoder, by port: one load per
 * port instead of walking the configured lists for every packet. */
#define DEC_PORT_SIP    0x01u /* cfg.sip_ports */
#define DEC_PORT_HEP    0x02u /* cfg.hep_ports */
#define DEC_PORT_TUNNEL 0x04u /* DEC_VXLAN_PORT, DEC_GTPU_PORT */

#define DEC_VXLAN_PORT 4789 /* RFC 7348 */
#define DEC_GTPU_PORT  2152 /* 3GPP TS 29.281 */

struct dec_ctx {
    dec_sctp_frag sctp[DEC_SCTP_PENDING];
    dec_config cfg;
    uint8_t port_kind[65536]; /* DEC_PORT_* bits, from cfg at dec_create */
    dec_payload_fn fn;
    void *user;
    uint64_t c[DEC_C__COUNT];
    dec_defrag *defrag;
    dec_tcp *tcp;
    int64_t now_us;
    dec_tls_flow *tls; /* tls.c: listed TLS flows, ntls of tls_cap */
    size_t ntls, tls_cap;
    uint64_t tls_not_listed;
};

/* Hands one payload to the user, stamped with the packet's frame. */
void dec_emit(dec_ctx *d, const dec_pkt *pk, uint16_t sport, uint16_t dport, dec_transport tp,
              const uint8_t *data, size_t len, uint32_t extra_flags);

/* An IP datagram's payload (after any reassembly): dispatches on proto. */
void dec_ip_payload(dec_ctx *d, dec_pkt *pk, uint8_t proto, const uint8_t *p, size_t len);

/* An IPv4 or IPv6 packet starting at p. */
void dec_ip(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len);

/* An Ethernet frame (also inside GRE/VXLAN). */
void dec_ether(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len);

static inline int dec_is_sip_port(const dec_ctx *d, uint16_t port)
{
    return (d->port_kind[port] & DEC_PORT_SIP) != 0;
}

/* defrag.c */
int dec_defrag_create(dec_defrag **out, const dec_config *cfg);
/* Adds a fragment; when it completes a datagram, calls dec_ip_payload
 * with the rebuilt payload (and DEC_PL_IP_REASSEMBLED). */
void dec_defrag_add(dec_ctx *d, dec_pkt *pk, uint32_t id, uint8_t proto, uint32_t offset, int more,
                    const uint8_t *p, size_t len);
void dec_defrag_advance(dec_ctx *d, int64_t now_us);
void dec_defrag_destroy(dec_defrag *f);

/* tcp_stream.c */
int dec_tcp_create(dec_tcp **out, const dec_config *cfg);
void dec_tcp_segment(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len);
void dec_tcp_advance(dec_ctx *d, int64_t now_us);
void dec_tcp_finish(dec_ctx *d);
void dec_tcp_destroy(dec_tcp *t);

/* tls.c: a TLS connection seen first at p (len bytes over segs segments,
 * sent src -> dst): lists it and returns its 1-based index, or 0 when the
 * table is full (counted). account adds one segment of bytes to flow idx
 * (0: nothing). */
uint32_t dec_tls_flow_open(dec_ctx *d, int64_t ts_us, const ss_addr *src, const ss_addr *dst,
                           const uint8_t *p, size_t len, uint32_t segs);
void dec_tls_flow_account(dec_ctx *d, uint32_t idx, int64_t ts_us, size_t bytes);

/* hep.c: a UDP payload on a HEP port; 0 if it decoded as HEP. */
int dec_hep(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len);

#endif
