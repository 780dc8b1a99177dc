/* detail.h - what a record's conversation said, beyond transactions and
 * dialogs: the registration binding, the subscription's event and states,
 * IM / INFO / REFER / hold activity, Microsoft SERVICE and NEGOTIATE, and
 * every SDP offer and answer.
 *
 * The correlator derives it message by message (src/correlate/detail.c)
 * and keeps it in the record's arena: cor_record.detail is NULL until a
 * message carries something worth keeping, and every string is a
 * NUL-terminated copy (bytes as on the wire: outputs sanitize). Messages
 * that carry nothing of this (100 Trying, ACK without SDP, BYE) cost one
 * switch on the method.
 *
 * SDP is kept lazily: a message with an SDP body costs its offer/answer
 * role and a copy of the body; the media lines are parsed only when an
 * output asks (cor_sdp_describe, cor_detail_sdp_summary), so a run that
 * prints statistics never parses SDP.
 *
 * Also here: the two small body parsers this needs, both bounds-checked
 * and fuzzed (tests/fuzz/fuzz_detail.c). */
#ifndef SIPSCOPE_DETAIL_H
#define SIPSCOPE_DETAIL_H

#include <stddef.h>
#include <stdint.h>
#include "slice.h"

#define COR_SDP_MAX_BODY 8192 /* bytes of an SDP body kept; longer ones are cut */

/* One SDP body: an offer or the answer to one (RFC 3264). */
typedef struct cor_sdp {
    uint32_t msg;        /* index in cor_record.msgs, COR_TXN_NONE when not kept */
    uint32_t cseq;
    uint16_t status;     /* of the carrying response, 0 for a request */
    uint8_t method;      /* sip_method of the request / CSeq */
    uint8_t answer;      /* 0 offer, 1 answer */
    uint8_t cut;         /* the body was longer than COR_SDP_MAX_BODY */
    const uint8_t *body; /* copy of the body (record's arena) */
    uint32_t body_len;
} cor_sdp;

#define COR_SDP_MAX_MEDIA 4 /* m= lines described per body; more are counted */

/* One m= line, as cor_sdp_describe reads it. Slices point into the
 * record's copy of the body (valid while the record lives). */
typedef struct cor_media {
    ss_slice type;      /* "audio", "video", "message", "image", ... */
    ss_slice proto;     /* "RTP/AVP", "TCP/MSRP", ... */
    ss_slice addr;      /* connection address (media c=, else session c=), empty if none */
    char codecs[128];   /* encoding names (rtpmap, else the RFC 3551 table, else the
                           format as written) joined by ',', cut at the size */
    uint16_t port;
    uint8_t dir;        /* sdp_dir, effective */
    uint8_t held;       /* sdp_media_on_hold() */
    uint8_t rtp;        /* the transport carries RTP (codecs are RTP payload types) */
    ss_slice fmts;      /* the format list as written */
} cor_media;

typedef struct cor_sdp_view {
    ss_slice conn;      /* session-level c= address, empty if none */
    cor_media media[COR_SDP_MAX_MEDIA];
    uint32_t nmedia;
    uint32_t media_more; /* m= lines beyond COR_SDP_MAX_MEDIA */
    uint8_t im;          /* an m=message section (MSRP / IM session) */
    uint8_t enabled;     /* some section has a port other than 0 */
    uint8_t held;        /* some enabled section is held */
} cor_sdp_view;

/* What the offers and answers of a record add up to. */
typedef struct cor_sdp_summary {
    uint32_t holds, resumes; /* offers that put media on hold / took it off */
    uint8_t on_hold;         /* after the latest offer */
    uint8_t im_session;      /* some body has m=message */
} cor_sdp_summary;

/* Change an offer made (cor_detail_sdp_summary's change[]). */
enum { COR_SDP_NO_CHANGE = 0, COR_SDP_HOLD, COR_SDP_RESUME };

/* A per-message fact worth a line under the message in a ladder. */
typedef enum cor_note_kind {
    COR_NOTE_REGISTER = 0, /* REGISTER: code = expires asked (-1 none), text = Contact URI,
                              text2 = scheme of its credentials ("" none) */
    COR_NOTE_BINDING,      /* final response to REGISTER other than 401/407: aux = status,
                              code = expires granted by a 2xx (-1 none or failure) */
    COR_NOTE_CHALLENGE,    /* 401/407: code = status, text = the schemes offered ("NTLM,
                              Kerberos"), text2 = realm of the first */
    COR_NOTE_SUB_STATE,    /* NOTIFY/BENOTIFY: text = Subscription-State token,
                              code = expires (-1), text2 = reason */
    COR_NOTE_SUBSCRIBE,    /* SUBSCRIBE: code = Expires (-1), text = Event, aux = 1 in a
                              dialog (a refresh, or with expires 0 an unsubscribe; outside
                              one, expires 0 is a fetch, RFC 6665 §4.4.3) */
    COR_NOTE_SIPFRAG,      /* NOTIFY message/sipfrag: code = status, text = reason */
    COR_NOTE_REFER_TO,     /* REFER: text = Refer-To URI */
    COR_NOTE_INFO,         /* INFO: text = "typing", "dtmf" or the Content-Type */
    COR_NOTE_SOAP,         /* SERVICE: text = first element in the SOAP Body */
    COR_NOTE_COMPRESSION,  /* NEGOTIATE / its response: text = Compression value */
    COR_NOTE_MS_DIAG,      /* ms-diagnostics / ms-client-diagnostics: code, text = reason */
    COR_NOTE_SDP,          /* text unused: see detail.sdp[aux] */
    COR_NOTE__COUNT
} cor_note_kind;

typedef struct cor_note {
    uint32_t msg;       /* index in cor_record.msgs, COR_TXN_NONE when not kept */
    uint8_t kind;       /* cor_note_kind */
    int64_t code;
    uint32_t aux;
    const char *text;   /* "" when none */
    const char *text2;  /* "" when none */
} cor_note;

typedef struct cor_detail {
    /* registration (REGISTER) */
    const char *contact;       /* Contact URI of the first REGISTER, "" if none */
    int64_t expires_asked;     /* latest REGISTER: Contact;expires, else Expires; -1 none */
    int64_t expires_granted;   /* latest 2xx: Contact;expires, else Expires; -1 none */
    const char *realm;         /* of the first challenge, "" if none */
    uint8_t auth_scheme;       /* sip_auth_scheme of the first challenge */
    uint8_t cred_scheme;       /* sip_auth_scheme of the latest credentials sent */
    const char *schemes_offered; /* schemes of the first challenge's WWW-/Proxy-Authenticate
                                    headers joined by ", ", "" if none */
    uint8_t deregistered;      /* a REGISTER with expires 0 / Contact: * got a 2xx */
    uint32_t registers;        /* REGISTER requests (no retransmissions) */
    uint32_t refreshes;        /* REGISTER transactions after a first 2xx, expires > 0 */
    const char *logon_data;    /* ms-user-logon-data of a 2xx, "" if none */
    const char *keep_alive;    /* ms-keep-alive of a 2xx, "" if none */

    /* subscription (SUBSCRIBE / NOTIFY / BENOTIFY) */
    const char *event;         /* Event package, "" if none */
    const char *resource;      /* Request-URI of the first SUBSCRIBE, "" if none */
    const char *sub_state;     /* latest Subscription-State token, "" if none */
    const char *sub_reason;    /* ;reason= of a terminated state, "" if none */
    int64_t sub_expires;       /* latest granted expiry (2xx Expires or state ;expires), -1 none */
    uint32_t subscribes;       /* SUBSCRIBE requests */
    uint32_t sub_refreshes;    /* in-dialog SUBSCRIBE with expires > 0 */
    uint32_t unsubscribes;     /* in-dialog SUBSCRIBE with Expires: 0 */
    uint32_t fetches;          /* initial SUBSCRIBE with Expires: 0 (one-time fetch) */
    uint32_t notifies, benotifies;

    /* sessions and IM (hold and IM sessions: cor_detail_sdp_summary) */
    uint32_t messages;         /* MESSAGE requests */
    uint32_t info_typing, info_dtmf, info_other;
    uint32_t reinvites, updates, pracks;

    /* REFER */
    const char *refer_to;      /* "" if none */
    uint16_t refer_status;     /* final response to the REFER, 0 if none */
    uint16_t transfer_status;  /* latest sipfrag status, 0 if none */
    const char *transfer_reason;

    /* Microsoft */
    const char *service_action; /* first SOAP element of the latest SERVICE, "" if none */
    uint32_t services;
    const char *compression_offered;  /* NEGOTIATE Compression, "" if none */
    const char *compression_accepted; /* its 2xx Compression, "" if none */
    int64_t ms_diag_code;      /* latest ms-diagnostics code, -1 none */
    const char *ms_diag_reason;

    cor_sdp *sdp;
    uint32_t nsdp;
    uint32_t sdp_more;         /* bodies beyond COR_DETAIL_MAX_SDP or COR_DETAIL_MAX_SDP_BYTES */
    cor_note *notes;
    uint32_t nnotes;
    uint32_t notes_more;       /* beyond COR_DETAIL_MAX_NOTES */
} cor_detail;

#define COR_DETAIL_MAX_SDP 32
#define COR_DETAIL_MAX_SDP_BYTES 32768 /* SDP bytes kept per record */
#define COR_DETAIL_MAX_NOTES 64

/* Prototypes */

/* "register", "binding", ... */
const char *cor_note_kind_name(cor_note_kind k);

/* Parses the kept body of s into *v. Returns 0, or -1 when it is not SDP
 * (*v zeroed). */
int cor_sdp_describe(const cor_sdp *s, cor_sdp_view *v);

/* Walks the record's offers in order: hold and resume (RFC 3264 §8.4: an
 * offer making enabled media sendonly/inactive or 0.0.0.0, and one taking
 * it back), IM sessions. change may be NULL, else it gets d->nsdp entries
 * (COR_SDP_*). d may be NULL (all zero). */
void cor_detail_sdp_summary(const cor_detail *d, cor_sdp_summary *out, uint8_t *change);

/* The same from bodies described already: view[i] / ok[i] (cor_sdp_describe
 * returned 0) for each of d->nsdp bodies, so a writer that shows every
 * body's media too parses each once. */
void cor_detail_sdp_summary_of(const cor_detail *d, const cor_sdp_view *view, const uint8_t *ok,
                               cor_sdp_summary *out, uint8_t *change);

/* The local name of the first element inside the SOAP Body of body[0..len)
 * ("setPresence" for <m:setPresence ...>), or, without a Body element, of
 * the document's root element. Prologue, comments and processing
 * instructions are skipped. Returns 0 with *name a slice of the body, -1
 * when there is no such element. Never reads outside the body. */
int cor_soap_element(ss_slice body, ss_slice *name);

/* Status of a message/sipfrag body (RFC 3420) whose first line is a SIP
 * status line, parsed by the SIP parser. Returns the code (100..699) with
 * *reason a slice of the body, or -1. */
int cor_sipfrag_status(ss_slice body, ss_slice *reason);

#endif
