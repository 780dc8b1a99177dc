/* dec_int.h - internals shared by the files of the decode module (src/decode/).
 *
 * Not a public interface: other modules use include/sipscope/decode.h only.
 * The layers call each other top-down through these dec_int_* entry points:
 * link.c -> ip.c -> defrag.c / udp.c / tcp_stream.c -> decode.c (delivery).
 * Tunnels re-enter the top (ip.c calls dec_int_ether() for GRE/VXLAN), so
 * every layer receives the per-frame state in a dec_pkt and bounds nesting
 * through its depth field. */
#ifndef SIPSCOPE_DEC_INT_H
#define SIPSCOPE_DEC_INT_H

#include "sipscope/decode.h"

/* Tunnels deeper than this are counted bad_ip and go no further: real
 * captures nest two or three levels; more is a crafted packet. */
#define DEC_MAX_DEPTH 8

/* Per-frame state, carried down through the layers of one frame. */
typedef struct dec_pkt {
    int64_t ts_us;
    uint64_t frame_no;
    unsigned input;
    uint32_t flags;   /* DEC_PL_* gathered on the way down */
    unsigned depth;   /* tunnels entered */
    int encap_counted;
} dec_pkt;

/* Key of one IP datagram being rebuilt (RFC 791 §3.2, RFC 8200 §4.5). */
typedef struct dec_frag_key {
    uint8_t family;
    uint8_t proto; /* IPv4 protocol / IPv6 Next Header after the Fragment header */
    uint8_t src[16], dst[16];
    uint32_t id;
} dec_frag_key;

typedef struct dec_dgram dec_dgram;   /* defrag.c */
typedef struct dec_stream dec_stream; /* tcp_stream.c */

struct dec_ctx {
    dec_config cfg;
    dec_payload_fn fn;
    void *user;
    uint64_t c[DEC_C__COUNT];

    /* defrag.c: pending datagrams, hashed and in arrival order */
    dec_dgram **frag_tab;
    size_t frag_nbuckets; /* power of two; 0 until the first fragment */
    dec_dgram *frag_oldest, *frag_newest;
    uint32_t frag_pending;

    /* tcp_stream.c: streams, hashed and in least-recently-used order */
    dec_stream **tcp_tab;
    size_t tcp_nbuckets;
    size_t tcp_nstreams;
    dec_stream *tcp_lru_head, *tcp_lru_tail; /* head = idle longest */
    uint64_t tcp_buffered; /* bytes held by all streams (in-order + out-of-order) */
};

#define DEC_COUNT(d, ctr) ((d)->c[(ctr)]++)

/* Marks the frame as tunnelled (counted once per frame) and enters one more
 * level. Returns 0, or -1 (counted bad_ip) when the nesting is too deep. */
int dec_int_tunnel_enter(dec_ctx *d, dec_pkt *pk);

/* ---- link.c ---- */
/* Decodes a frame of the given link type. */
void dec_int_link(dec_ctx *d, dec_pkt *pk, int linktype, ss_cursor c);
/* Decodes an Ethernet frame (also inside GRE 0x6558, ERSPAN, VXLAN). */
void dec_int_ether(dec_ctx *d, dec_pkt *pk, ss_cursor c);
/* Dispatches on an EtherType (VLAN, MPLS, PPPoE, IPv4, IPv6, ...). */
void dec_int_ethertype(dec_ctx *d, dec_pkt *pk, uint16_t type, ss_cursor c);
/* Dispatches on a PPP protocol number (RFC 1661; 0x0021 IPv4, 0x0057 IPv6). */
void dec_int_ppp_proto(dec_ctx *d, dec_pkt *pk, uint16_t proto, ss_cursor c);

/* ---- ip.c ---- */
/* Decodes an IP packet, version taken from the first nibble. */
void dec_int_ip(dec_ctx *d, dec_pkt *pk, ss_cursor c);
void dec_int_ipv4(dec_ctx *d, dec_pkt *pk, ss_cursor c);
void dec_int_ipv6(dec_ctx *d, dec_pkt *pk, ss_cursor c);
/* Hands one complete L4 payload (protocol proto, addresses without ports)
 * to UDP/TCP/SCTP or a tunnel. */
void dec_int_l4(dec_ctx *d, dec_pkt *pk, uint8_t proto, const ss_addr *src, const ss_addr *dst,
                ss_cursor c);

/* ---- defrag.c ---- */
/* Takes one fragment [off, off+n) of the datagram key; more is the MF/M flag.
 * Returns 1 when this fragment completed the datagram: *out is then a
 * malloc'd buffer of *out_len bytes (the reassembled L4 payload) that the
 * caller frees. Returns 0 otherwise (kept, duplicate, or dropped and counted). */
int dec_int_defrag(dec_ctx *d, const dec_frag_key *key, uint32_t off, int more,
                   const uint8_t *p, size_t n, int64_t ts_us, uint8_t **out, size_t *out_len);
/* Drops datagrams whose first fragment is older than the timeout. */
void dec_int_defrag_expire(dec_ctx *d, int64_t now_us);
/* Drops every pending datagram, counting each as timed out. */
void dec_int_defrag_clear(dec_ctx *d);

/* ---- udp.c ---- */
void dec_int_udp(dec_ctx *d, dec_pkt *pk, const ss_addr *src, const ss_addr *dst, ss_cursor c);
void dec_int_sctp(dec_ctx *d, dec_pkt *pk, const ss_addr *src, const ss_addr *dst, ss_cursor c);

/* ---- tcp_stream.c ---- */
void dec_int_tcp(dec_ctx *d, dec_pkt *pk, const ss_addr *src, const ss_addr *dst, ss_cursor c);
void dec_int_tcp_expire(dec_ctx *d, int64_t now_us);
/* Flushes and frees every stream (dec_finish, dec_destroy). */
void dec_int_tcp_clear(dec_ctx *d, int flush);

/* ---- decode.c ---- */
/* 1 when port is one of the configured SIP ports. */
int dec_int_sip_port(const dec_ctx *d, uint16_t port);
/* Hands one payload to the callback (ports in src/dst). Empty payloads and,
 * with strict_ports, payloads off the SIP ports are not handed on. */
void dec_int_deliver(dec_ctx *d, const dec_pkt *pk, const ss_addr *src, const ss_addr *dst,
                     dec_transport tp, uint32_t flags, const uint8_t *p, size_t n);

#endif
