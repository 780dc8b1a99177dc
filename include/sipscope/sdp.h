/* sdp.h - SDP session description parser (RFC 8866), part of the sip stage.
 *
 * The parser copies nothing and allocates nothing: every field is a slice
 * into the body it was given (valid while that buffer lives), except codec
 * names taken from the RFC 3551 static payload table, which point to static
 * strings (valid forever). Sizes are fixed: SDP_MAX_MEDIA m= sections and
 * SDP_MAX_CODECS formats per section are indexed; what lies beyond the caps
 * is counted, not stored.
 *
 * Policy, as in sip.h: a body whose first line is "v=" is SDP and parses
 * (return 0) whatever follows; oddities become SDP_DEF_* bits with names.
 * Anything else is not SDP (-1). LF-only line ends, blank lines and
 * trailing non-SDP bytes (e.g. a MEGACO wrapper) are tolerated. */
#ifndef SIPSCOPE_SDP_H
#define SIPSCOPE_SDP_H

#include <stddef.h>
#include <stdint.h>
#include "slice.h"

#define SDP_MAX_MEDIA 8   /* m= sections indexed per session */
#define SDP_MAX_CODECS 16 /* formats indexed per m= section */

/* ---- direction (RFC 8866 §6.7, RFC 3264 §5.1) ---- */
typedef enum sdp_dir {
    SDP_DIR_NONE = 0, /* no direction attribute (only in *_attr fields) */
    SDP_DIR_SENDRECV,
    SDP_DIR_SENDONLY,
    SDP_DIR_RECVONLY,
    SDP_DIR_INACTIVE,
    SDP_DIR__COUNT
} sdp_dir;

/* "sendrecv", "sendonly", "recvonly", "inactive"; "none" for SDP_DIR_NONE
 * and "unknown" outside the enum. */
const char *sdp_direction_name(sdp_dir d);

/* ---- media type (RFC 8866 §5.14) ---- */
typedef enum sdp_media_type {
    SDP_MT_OTHER = 0, /* any other token: see sdp_media.type_name */
    SDP_MT_AUDIO,
    SDP_MT_VIDEO,
    SDP_MT_IMAGE,       /* T.38 fax */
    SDP_MT_APPLICATION, /* BFCP, WebRTC data channels */
    SDP_MT_MESSAGE,     /* MSRP (RFC 4975) */
    SDP_MT_TEXT,        /* real-time text (RFC 4103) */
    SDP_MT__COUNT
} sdp_media_type;

/* Lower-case name; "other" for SDP_MT_OTHER, "unknown" outside the enum. */
const char *sdp_media_type_name(sdp_media_type t);

/* ---- transport protocol (RFC 8866 §5.14 and the IANA "proto" registry) ---- */
typedef enum sdp_proto {
    SDP_PROTO_OTHER = 0, /* see sdp_media.proto_name */
    SDP_PROTO_RTP_AVP,
    SDP_PROTO_RTP_AVPF,
    SDP_PROTO_RTP_SAVP,
    SDP_PROTO_RTP_SAVPF,
    SDP_PROTO_UDP_TLS_RTP_SAVP,
    SDP_PROTO_UDP_TLS_RTP_SAVPF,
    SDP_PROTO_UDPTL,         /* T.38 over UDP (ITU-T T.38 Annex D) */
    SDP_PROTO_UDP_TLS_UDPTL, /* RFC 7345 */
    SDP_PROTO_TCP_MSRP,
    SDP_PROTO_TCP_TLS_MSRP,
    SDP_PROTO_UDP_DTLS_SCTP, /* WebRTC data channel (RFC 8841) */
    SDP_PROTO_TCP_DTLS_SCTP,
    SDP_PROTO_UDP,
    SDP_PROTO_TCP,
    SDP_PROTO__COUNT
} sdp_proto;

/* Canonical spelling, e.g. "RTP/SAVPF", "udptl"; "other"/"unknown" else. */
const char *sdp_proto_name(sdp_proto p);

/* ---- RFC 3551 static payload types ---- */
typedef struct sdp_static_codec_info {
    const char *name;  /* encoding name as RFC 3551 §6 writes it, e.g. "PCMU" */
    uint32_t clock;    /* Hz */
    uint16_t channels; /* 1 or 2 for audio, 0 for video */
} sdp_static_codec_info;

/* The RFC 3551 table entry for payload type pt (0..34), or NULL for an
 * unassigned, reserved or dynamic payload type. */
const sdp_static_codec_info *sdp_static_codec(int pt);

/* ---- parsed description ---- */

/* c= line (RFC 8866 §5.7). address is without the /ttl and /count suffixes. */
typedef struct sdp_conn {
    ss_slice nettype;  /* "IN" */
    ss_slice addrtype; /* "IP4", "IP6" */
    ss_slice address;  /* host or address, e.g. "0.0.0.0" */
} sdp_conn;

/* o= line (RFC 8866 §5.2). */
typedef struct sdp_origin {
    ss_slice username;
    ss_slice sess_id;
    ss_slice sess_version;
    ss_slice nettype;
    ss_slice addrtype;
    ss_slice address;
} sdp_origin;

typedef enum sdp_codec_src {
    SDP_CS_NONE = 0, /* format only: dynamic pt without rtpmap, or non-RTP */
    SDP_CS_STATIC,   /* from the RFC 3551 table */
    SDP_CS_RTPMAP,   /* from a=rtpmap (wins over the table) */
} sdp_codec_src;

/* One format of an m= line, resolved to a codec for RTP media. */
typedef struct sdp_codec {
    ss_slice fmt;      /* the format as written: "0", "101", "t38", "*" */
    int pt;            /* 0..127 when fmt is such a number, else -1 */
    sdp_codec_src src;
    ss_slice name;     /* encoding name ("opus", "PCMU"); empty with SDP_CS_NONE */
    uint32_t clock;    /* Hz; 0 when unknown */
    uint16_t channels; /* rtpmap's third field; 1 when absent for audio, else 0 */
    ss_slice fmtp;     /* a=fmtp parameters, empty when absent */
} sdp_codec;

/* Media flags (sdp_media.flags): attributes seen in the section. */
#define SDP_MF_RTCP_MUX    (1u << 0) /* a=rtcp-mux */
#define SDP_MF_ICE         (1u << 1) /* a=ice-ufrag / a=candidate */
#define SDP_MF_DTLS        (1u << 2) /* a=fingerprint (DTLS-SRTP) */
#define SDP_MF_SDES        (1u << 3) /* a=crypto (SDES-SRTP, RFC 4568) */
#define SDP_MF_RTP         (1u << 4) /* proto carries RTP ("RTP/" in it) */
#define SDP_MF_OWN_CONN    (1u << 5) /* media-level c= (else inherited) */

typedef struct sdp_media {
    ss_slice raw;       /* the section: its m= line to the end of its last line */
    sdp_media_type type;
    ss_slice type_name; /* as written */
    uint16_t port;
    uint16_t nports;    /* from port/number; 1 when absent */
    int disabled;       /* port 0 (RFC 3264 §5.1: stream rejected/removed) */
    sdp_proto proto;
    ss_slice proto_name; /* as written */
    ss_slice fmts;       /* the raw format list */
    sdp_codec codec[SDP_MAX_CODECS];
    uint32_t ncodec;         /* formats indexed */
    uint32_t ncodec_dropped; /* formats beyond SDP_MAX_CODECS */
    int dtmf_pt;             /* first telephone-event payload type, -1 none */
    sdp_conn conn;           /* media-level c=, else the session's; may be empty */
    sdp_dir dir;             /* effective: own attribute, else session, else sendrecv */
    sdp_dir dir_attr;        /* the section's own attribute; NONE when absent */
    uint32_t ptime;          /* a=ptime in ms; 0 when absent */
    ss_slice mid;            /* a=mid value */
    ss_slice path;           /* MSRP a=path (RFC 4975 §8.2) */
    ss_slice accept_types;   /* MSRP a=accept-types */
    uint32_t nattr;          /* a= lines in the section */
    uint32_t flags;          /* SDP_MF_* */
} sdp_media;

/* ---- defects: SDP, but not as RFC 8866 says ---- */
#define SDP_DEF_BAD_VERSION       (1u << 0)  /* v= other than 0 */
#define SDP_DEF_MISSING_ORIGIN    (1u << 1)
#define SDP_DEF_BAD_ORIGIN        (1u << 2)  /* not 6 fields */
#define SDP_DEF_MISSING_NAME      (1u << 3)  /* no s= */
#define SDP_DEF_MISSING_TIMING    (1u << 4)  /* no t= */
#define SDP_DEF_BAD_CONNECTION    (1u << 5)  /* c= not 3 fields */
#define SDP_DEF_MISSING_CONNECTION (1u << 6) /* an enabled m= with no c= anywhere */
#define SDP_DEF_BAD_MEDIA         (1u << 7)  /* m= line: fields missing, bad port */
#define SDP_DEF_UNKNOWN_DIRECTION (1u << 8)  /* a=send.../recv... not one of the four */
#define SDP_DEF_MULTIPLE_DIRECTION (1u << 9) /* two direction attributes, one level */
#define SDP_DEF_BAD_RTPMAP        (1u << 10) /* a=rtpmap / a=fmtp that does not parse */
#define SDP_DEF_RTPMAP_NO_FORMAT  (1u << 11) /* rtpmap/fmtp for a format not on the m= line */
#define SDP_DEF_BAD_LINE          (1u << 12) /* a line that is not <letter>=<value> */
#define SDP_DEF_BARE_LF           (1u << 13) /* LF without CR ending a line */
#define SDP_DEF_SECOND_SESSION    (1u << 14) /* another v= line: parsing stopped there */
#define SDP_DEF_TOO_MANY_MEDIA    (1u << 15) /* more than SDP_MAX_MEDIA sections */
#define SDP_DEF_TOO_MANY_CODECS   (1u << 16) /* more than SDP_MAX_CODECS formats */
#define SDP_DEF__COUNT 17

/* Name of one defect bit, e.g. "missing_origin"; NULL if bit unknown. */
const char *sdp_defect_name(uint32_t bit);

typedef struct sdp_session {
    ss_slice raw;      /* v= line to the end of the last SDP line parsed */
    ss_slice head;     /* session-level lines: v= up to the first m= */
    uint32_t version;  /* v= value (saturates) */
    int has_origin;
    sdp_origin origin;
    ss_slice name;     /* s= */
    int has_conn;
    sdp_conn conn;     /* session-level c= */
    sdp_dir dir;       /* session-level direction attribute; NONE when absent */
    sdp_media media[SDP_MAX_MEDIA];
    uint32_t nmedia;         /* sections indexed */
    uint32_t nmedia_dropped; /* sections beyond SDP_MAX_MEDIA */
    uint32_t defects;        /* SDP_DEF_* */
} sdp_session;

/* Prototypes */

/* Parses the SDP body p[0..len). Leading CR/LF are skipped; the first line
 * must then start "v=". Returns 0 with *out filled (defects in
 * out->defects), or -1 when the body is not SDP; *out is zeroed then.
 * On success, slots past media[nmedia - 1] and codec[ncodec - 1] are not
 * touched (they hold whatever was there before): read only up to the counts.
 * Never reads outside p[0..len), never allocates. */
int sdp_parse(const uint8_t *p, size_t len, sdp_session *out);

/* 1 when the media is held (RFC 3264 §8.4 and the older RFC 2543 way):
 * enabled and sendonly or inactive, or its connection address is 0.0.0.0. */
int sdp_media_on_hold(const sdp_media *m);

/* Looks up attribute `name` (case-sensitive, RFC 8866 §5.13) in a block of
 * SDP lines (sdp_session.head or sdp_media.raw). Returns 1 and *value (the
 * text after ':', empty for a property attribute) for the first match,
 * 0 when absent. value may be NULL. */
int sdp_attr(ss_slice block, const char *name, ss_slice *value);

#endif
