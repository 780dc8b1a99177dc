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
 * Also here: the two small body parsers this needs, both bounds-checked
 * and fuzzed (tests/fuzz/fuzz_detail.c). */
#ifndef SIPSCOPE_DETAIL_H
#define SIPSCOPE_DETAIL_H

#include <stddef.h>
#include <stdint.h>
#include "slice.h"

/* One m= line of an offer or answer. */
typedef struct cor_media {
    const char *type;   /* "audio", "video", "message", "image", ... */
    const char *proto;  /* "RTP/AVP", "TCP/MSRP", ... */
    const char *codecs; /* encoding names joined by ',' (rtpmap, else the RFC 3551 table,
                           else the format as written), "" when none */
    const char *addr;   /* connection address (media c=, else session c=), "" if none */
    uint16_t port;
    uint8_t dir;        /* sdp_dir, effective */
    uint8_t held;       /* sdp_media_on_hold() */
} cor_media;

#define COR_SDP_MAX_MEDIA 4 /* m= lines kept per description; more are counted */

/* One SDP body: an offer or the answer to one (RFC 3264). */
typedef struct cor_sdp {
    uint32_t msg;       /* index in cor_record.msgs, COR_TXN_NONE when not kept */
    uint32_t cseq;
    uint16_t status;    /* of the carrying response, 0 for a request */
    uint8_t method;     /* sip_method of the request / CSeq */
    uint8_t answer;     /* 0 offer, 1 answer */
    uint8_t nmedia;     /* in media[] */
    uint8_t media_more; /* m= lines beyond COR_SDP_MAX_MEDIA */
    const char *conn;   /* session-level c= address, "" if none */
    cor_media media[COR_SDP_MAX_MEDIA];
} cor_sdp;

/* A per-message fact worth a line under the message in a ladder. */
typedef enum cor_note_kind {
    COR_NOTE_REGISTER = 0, /* REGISTER: code = expires asked (-1 none), text = Contact URI */
    COR_NOTE_BINDING,      /* final response to REGISTER other than 401/407: aux = status,
                              code = expires granted by a 2xx (-1 none or failure) */
    COR_NOTE_CHALLENGE,    /* 401/407: text = scheme and realm */
    COR_NOTE_SUB_STATE,    /* NOTIFY/BENOTIFY: text = Subscription-State token,
                              code = expires (-1), text2 = reason */
    COR_NOTE_SUBSCRIBE,    /* SUBSCRIBE: code = Expires (-1), text = Event */
    COR_NOTE_SIPFRAG,      /* NOTIFY message/sipfrag: code = status, text = reason */
    COR_NOTE_REFER_TO,     /* REFER: text = Refer-To URI */
    COR_NOTE_INFO,         /* INFO: text = "typing", "dtmf" or the Content-Type */
    COR_NOTE_HOLD,         /* offer putting media on hold: text = direction */
    COR_NOTE_RESUME,       /* offer taking it off hold */
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
    uint32_t unsubscribes;     /* SUBSCRIBE with Expires: 0 */
    uint32_t notifies, benotifies;

    /* sessions and IM */
    uint8_t im_session;        /* an SDP with m=message */
    uint8_t on_hold;           /* latest offer held the media */
    uint32_t messages;         /* MESSAGE requests */
    uint32_t info_typing, info_dtmf, info_other;
    uint32_t reinvites, updates, pracks, holds, resumes;

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
    uint32_t sdp_more;         /* bodies beyond COR_DETAIL_MAX_SDP */
    cor_note *notes;
    uint32_t nnotes;
    uint32_t notes_more;       /* beyond COR_DETAIL_MAX_NOTES */
} cor_detail;

#define COR_DETAIL_MAX_SDP 32
#define COR_DETAIL_MAX_NOTES 64

/* Prototypes */

/* "register", "binding", ... */
const char *cor_note_kind_name(cor_note_kind k);

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
