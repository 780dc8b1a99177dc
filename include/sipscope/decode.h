/* decode.h - from captured frames to transport payloads.
 *
 * decode takes link-layer frames (any libpcap link type it knows), walks
 * link, encapsulation, IP (with fragment reassembly) and UDP/TCP/SCTP, and
 * hands each transport payload to a callback:
 *   - UDP / SCTP DATA: one payload per datagram/chunk, as it is;
 *   - TCP: the stream is reassembled per direction and cut into whole SIP
 *     messages with sip_frame() (RFC 3261 §18.3: Content-Length framing);
 *     one payload per SIP message.
 * Nothing is silently dropped: every frame or byte range decode cannot hand
 * on is counted under a named reason (dec_counter). */
#ifndef SIPSCOPE_DECODE_H
#define SIPSCOPE_DECODE_H

#include <stdint.h>
#include <stddef.h>
#include "addr.h"
#include "slice.h"

typedef enum dec_transport {
    DEC_TP_UDP = 1,
    DEC_TP_TCP,
    DEC_TP_SCTP,
    DEC_TP_WS,  /* WebSocket over TCP (RFC 7118) */
    DEC_TP_TLS, /* never decoded; used for reporting encrypted flows */
} dec_transport;

const char *dec_transport_name(dec_transport t); /* "UDP", "TCP", ... */

/* One captured frame, as the capture frontend hands it over. */
typedef struct dec_frame {
    int64_t ts_us;     /* capture timestamp, microseconds since the epoch */
    uint64_t frame_no; /* 1-based record number within its input */
    int linktype;      /* DLT_* / LINKTYPE_* value from libpcap */
    uint32_t caplen;   /* bytes present in data */
    uint32_t wirelen;  /* bytes on the wire (>= caplen) */
    const uint8_t *data;
    unsigned input; /* index of the input (file or interface) it came from */
} dec_frame;

/* payload flags */
#define DEC_PL_IP_REASSEMBLED 0x0001u  /* built from IP fragments */
#define DEC_PL_TCP_SEGMENTS 0x0002u    /* spans more than one TCP segment */
#define DEC_PL_ENCAPSULATED 0x0004u    /* came out of a tunnel (GRE, IP-in-IP, VXLAN...) */
#define DEC_PL_HEP 0x0008u             /* decapsulated from HEP */
#define DEC_PL_SIP_PORT 0x0010u        /* src or dst port is a configured SIP port */
#define DEC_PL_TCP_AFTER_GAP 0x0020u   /* first message after a stream re-sync */

/* One transport payload: a UDP datagram or one framed SIP message off TCP. */
typedef struct dec_payload {
    int64_t ts_us;     /* time of the frame that completed it */
    uint64_t frame_no; /* that frame's number */
    unsigned input;
    ss_addr src, dst;
    dec_transport transport;
    uint32_t flags; /* DEC_PL_* */
    ss_slice data;  /* valid only during the callback */
} dec_payload;

typedef void (*dec_payload_fn)(void *user, const dec_payload *pl);

/* Reasons a frame (or part of a stream) went no further. Each is counted. */
typedef enum dec_counter {
    DEC_C_FRAMES = 0,        /* every frame seen */
    DEC_C_PAYLOADS,          /* payloads handed on */
    DEC_C_TRUNCATED,         /* caplen shorter than the headers/lengths claim */
    DEC_C_UNSUPPORTED_LINK,  /* link type decode does not know */
    DEC_C_NOT_IP,            /* ARP, LLDP, STP, ... (not an anomaly) */
    DEC_C_BAD_IP,            /* bad IP version / header length / total length */
    DEC_C_OTHER_L4,          /* ICMP, OSPF, ESP, ... (not an anomaly) */
    DEC_C_BAD_UDP,           /* UDP length field inconsistent */
    DEC_C_BAD_TCP,           /* TCP header length bad */
    DEC_C_BAD_SCTP,
    DEC_C_FRAGMENTS,         /* IP fragments received */
    DEC_C_FRAG_REASSEMBLED,  /* datagrams rebuilt from fragments */
    DEC_C_FRAG_TIMEOUT,      /* incomplete datagrams expired */
    DEC_C_FRAG_OVERLAP,      /* overlapping fragments with differing bytes */
    DEC_C_FRAG_CAP,          /* fragments dropped by the per-datagram/pending caps */
    DEC_C_TCP_SEGMENTS,      /* TCP segments with payload */
    DEC_C_TCP_RETRANS,       /* segments whose bytes were already seen */
    DEC_C_TCP_OUT_OF_ORDER,  /* segments buffered ahead of a hole */
    DEC_C_TCP_GAP,           /* holes given up on (bytes never captured) */
    DEC_C_TCP_GAP_BYTES,
    DEC_C_TCP_CAP,           /* bytes dropped by stream/global buffer caps */
    DEC_C_TCP_NOT_SIP,       /* segments on streams that do not carry SIP */
    DEC_C_TCP_MALFORMED,     /* bytes skipped to re-sync on a SIP start line */
    DEC_C_TCP_STREAMS,       /* streams opened */
    DEC_C_TCP_STREAMS_EVICTED, /* streams dropped by the stream cap */
    DEC_C_TCP_KEEPALIVES,    /* CRLF keep-alives skipped (RFC 5626) */
    DEC_C_TLS_FLOWS,         /* TLS handshakes seen (encrypted SIP is not guessed at) */
    DEC_C_ENCAPSULATED,      /* frames that came through a tunnel */
    DEC_C_TCP_INCOMPLETE_AT_END, /* streams holding part of a message when input ended */
    DEC_C_HEP,               /* HEP packets decapsulated */
    DEC_C_BAD_HEP,           /* HEP packets that did not decode */
    DEC_C_FRAG_DUPLICATE,    /* fragments seen before (also after their datagram was rebuilt) */
    DEC_C__COUNT
} dec_counter;

const char *dec_counter_name(dec_counter c); /* "truncated", "bad_ip", ... */
/* 1 for counters that mean something was lost or broken (reported as anomalies). */
int dec_counter_is_anomaly(dec_counter c);

#define DEC_MAX_HEP_PORTS 8

typedef struct dec_config {
    uint16_t sip_ports[8]; /* default {5060, 5061}; 0 ends the list */
    int strict_ports;      /* 1: only payloads on sip_ports are handed on */
    uint32_t frag_timeout_s;        /* default 30 */
    uint32_t frag_max_pending;      /* datagrams being rebuilt, default 4096 */
    uint32_t frag_max_per_datagram; /* fragments, default 64 */
    uint32_t tcp_max_streams;       /* default 65536 */
    uint32_t tcp_stream_buf_max;    /* bytes buffered per direction, default 256 KiB */
    uint64_t tcp_total_buf_max;     /* all streams, default 64 MiB */
    uint32_t tcp_idle_timeout_s;    /* default 300 */
    uint16_t hep_ports[DEC_MAX_HEP_PORTS]; /* UDP ports carrying HEP, default {9060}; 0 ends */
    uint32_t tls_max_flows;         /* TLS flows listed (dec_tls_flows), default 1024 */
} dec_config;

void dec_config_default(dec_config *cfg);

/* Adds port to cfg->hep_ports (--hep-port, the --hep-listen port). Returns 0
 * (also when it is there already), or -1 when the list is full. */
int dec_config_add_hep_port(dec_config *cfg, uint16_t port);

typedef struct dec_ctx dec_ctx;

/* Creates a decoder that calls fn(user, payload) for every payload.
 * Returns 0, or ENOMEM with *out set to NULL. */
int dec_create(dec_ctx **out, const dec_config *cfg, dec_payload_fn fn, void *user);

/* Decodes one frame; calls the payload callback zero or more times before
 * returning. Never fails: problems are counted. */
void dec_frame_in(dec_ctx *d, const dec_frame *f);

/* Expires fragments and idle streams older than now_us (capture time). */
void dec_advance(dec_ctx *d, int64_t now_us);

/* End of input: flushes what streams still hold (counted as gaps if
 * incomplete) and releases reassembly state. */
void dec_finish(dec_ctx *d);

const uint64_t *dec_counters(const dec_ctx *d); /* DEC_C__COUNT values */

/* An encrypted (TLS) TCP connection: reported, never decoded. */
typedef struct dec_tls_flow {
    ss_addr client, server; /* ports included */
    int64_t first_us, last_us;
    uint64_t packets, bytes; /* TCP segments with payload and their bytes, both ways */
    int handshake_seen;      /* 1: a Client/ServerHello named the client; 0: the capture
                              * joined late and the client is the side off the SIP
                              * port (or with the higher port) */
    char sni[256];           /* server_name of the ClientHello (RFC 6066), "" if none */
} dec_tls_flow;

/* The TLS flows listed so far, in order of appearance (*n of them); flows
 * beyond cfg.tls_max_flows are counted in *not_listed (may be NULL) and in
 * DEC_C_TLS_FLOWS. Valid until the next call into d. */
const dec_tls_flow *dec_tls_flows(const dec_ctx *d, size_t *n, uint64_t *not_listed);

/* TLS ClientHello parsing, bounds-checked, on the bytes of a TCP payload
 * starting with a TLS record. dec_tls_handshake_type: the handshake
 * message type of the first record (1 ClientHello, 2 ServerHello), or -1.
 * dec_tls_sni: 0 with *sni pointing into p at the server_name host name
 * (RFC 6066 §3), or -1 when p holds no ClientHello with one. */
int dec_tls_handshake_type(const uint8_t *p, size_t len);
int dec_tls_sni(const uint8_t *p, size_t len, ss_slice *sni);

/* Frees everything; NULL is fine. */
void dec_destroy(dec_ctx *d);

#endif
