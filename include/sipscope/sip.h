/* sip.h - SIP message parser (RFC 3261 §7, §20, §25) and framing.
 *
 * The parser copies nothing: every field is a slice into the caller's
 * buffer, valid while that buffer lives. It tells three things apart:
 *   - not SIP at all (RTP, HTTP, garbage)                  -> SIP_NOT_SIP
 *   - SIP that needs more bytes (TCP framing only)        -> SIP_INCOMPLETE
 *   - SIP whose start line or framing is broken           -> SIP_MALFORMED + reason
 * A message whose start line parses is SIP_OK even when headers are odd;
 * such problems are recorded as defect bits (SIP_DEF_*) with names, so the
 * message still counts in statistics (as Wireshark counts it) while the
 * report says what was wrong with it. */
#ifndef SIPSCOPE_SIP_H
#define SIPSCOPE_SIP_H

#include <stddef.h>
#include <stdint.h>
#include "slice.h"

/* ---- methods ---- */
typedef enum sip_method {
    SIP_M_UNKNOWN = 0, /* any other token: kept as it is in method_name */
    SIP_M_INVITE,
    SIP_M_ACK,
    SIP_M_BYE,
    SIP_M_CANCEL,
    SIP_M_REGISTER,
    SIP_M_OPTIONS,
    SIP_M_INFO,
    SIP_M_MESSAGE,
    SIP_M_SUBSCRIBE,
    SIP_M_NOTIFY,
    SIP_M_REFER,
    SIP_M_PRACK,
    SIP_M_UPDATE,
    SIP_M_PUBLISH,
    SIP_M_NEGOTIATE, /* Microsoft [MS-SIPRE] */
    SIP_M_SERVICE,   /* Microsoft, SOAP body */
    SIP_M_BENOTIFY,  /* Microsoft best-effort NOTIFY */
    SIP_M__COUNT
} sip_method;

/* Canonical upper-case name; "UNKNOWN" for SIP_M_UNKNOWN. */
const char *sip_method_name(sip_method m);
/* Case-sensitive lookup (methods are case-sensitive, RFC 3261 §7.1). */
sip_method sip_method_from(ss_slice token);

/* Reason phrase from the IANA SIP response-code registry; NULL if unassigned. */
const char *sip_reason_phrase(int code);

/* ---- headers ---- */
typedef enum sip_hdr_id {
    SIP_H_OTHER = 0,
    SIP_H_ACCEPT,
    SIP_H_ACCEPT_CONTACT,     /* a */
    SIP_H_ALLOW,
    SIP_H_ALLOW_EVENTS,       /* u */
    SIP_H_AUTHORIZATION,
    SIP_H_CALL_ID,            /* i */
    SIP_H_CONTACT,            /* m */
    SIP_H_CONTENT_DISPOSITION,
    SIP_H_CONTENT_ENCODING,   /* e */
    SIP_H_CONTENT_LENGTH,     /* l */
    SIP_H_CONTENT_TYPE,       /* c */
    SIP_H_CSEQ,
    SIP_H_DATE,
    SIP_H_EVENT,              /* o */
    SIP_H_EXPIRES,
    SIP_H_FROM,               /* f */
    SIP_H_IDENTITY,           /* y */
    SIP_H_MAX_FORWARDS,
    SIP_H_MIN_EXPIRES,
    SIP_H_P_ASSERTED_IDENTITY,
    SIP_H_PROXY_AUTHENTICATE,
    SIP_H_PROXY_AUTHORIZATION,
    SIP_H_PROXY_REQUIRE,
    SIP_H_RACK,
    SIP_H_REASON,
    SIP_H_RECORD_ROUTE,
    SIP_H_REFER_TO,           /* r */
    SIP_H_REFERRED_BY,        /* b */
    SIP_H_REJECT_CONTACT,     /* j */
    SIP_H_REQUEST_DISPOSITION,/* d */
    SIP_H_REQUIRE,
    SIP_H_ROUTE,
    SIP_H_RSEQ,
    SIP_H_SERVER,
    SIP_H_SESSION_EXPIRES,    /* x */
    SIP_H_SESSION_ID,         /* RFC 7989 */
    SIP_H_SUBJECT,            /* s */
    SIP_H_SUBSCRIPTION_STATE,
    SIP_H_SUPPORTED,          /* k */
    SIP_H_TO,                 /* t */
    SIP_H_USER_AGENT,
    SIP_H_VIA,                /* v */
    SIP_H_WARNING,
    SIP_H_WWW_AUTHENTICATE,
    SIP_H_X_CID,              /* X-CID / X-Call-ID (B2BUA leg correlation) */
    SIP_H__COUNT
} sip_hdr_id;

/* Maps a header name (long or compact form, any case) to its id. */
sip_hdr_id sip_hdr_lookup(const uint8_t *name, size_t len);
/* Canonical long name, e.g. "Call-ID"; NULL for SIP_H_OTHER. */
const char *sip_hdr_name(sip_hdr_id id);

typedef struct sip_header {
    sip_hdr_id id;
    ss_slice name;  /* as written (may be compact) */
    ss_slice value; /* trimmed; may contain folded CRLF+WSP, treat as LWS */
} sip_header;

/* ---- structured views ---- */
typedef struct sip_uri {
    ss_slice raw;    /* the whole URI */
    ss_slice scheme; /* "sip", "sips", "tel", ... */
    ss_slice user;   /* may be empty; for tel: the number */
    ss_slice host;   /* may be empty for non-SIP schemes; IPv6 without [] */
    uint16_t port;   /* 0 if absent */
} sip_uri;

typedef struct sip_name_addr {
    ss_slice display; /* unquoted display name contents, or empty */
    sip_uri uri;
    ss_slice tag;     /* the tag parameter, or empty */
    ss_slice params;  /* header parameters after the URI, raw */
} sip_name_addr;

typedef struct sip_via {
    ss_slice protocol;  /* "SIP/2.0" */
    ss_slice transport; /* "UDP", "TCP", "TLS", "WS", "SCTP", ... */
    ss_slice sent_by;   /* host[:port] as written */
    ss_slice host;      /* IPv6 without [] */
    uint16_t port;      /* 0 if absent */
    ss_slice branch;    /* empty if absent */
    ss_slice received;
    int32_t rport;      /* -1 absent, 0 present without value, else the value */
} sip_via;

#define SIP_MAGIC_COOKIE "z9hG4bK"
/* 1 when the branch starts with the RFC 3261 magic cookie. */
int sip_branch_is_rfc3261(ss_slice branch);

typedef struct sip_cseq {
    uint32_t seq;
    ss_slice method_name;
    sip_method method;
} sip_cseq;

typedef enum sip_auth_scheme {
    SIP_AUTH_NONE = 0,
    SIP_AUTH_DIGEST,
    SIP_AUTH_NTLM,
    SIP_AUTH_KERBEROS,
    SIP_AUTH_TLS_DSK,
    SIP_AUTH_BASIC,
    SIP_AUTH_OTHER,
} sip_auth_scheme;

const char *sip_auth_scheme_name(sip_auth_scheme s); /* "Digest", "NTLM", ... "" for NONE */

typedef struct sip_auth {
    sip_auth_scheme scheme;
    ss_slice scheme_name; /* as written */
    ss_slice realm;       /* unquoted, may be empty */
} sip_auth;

/* ---- defects: parsed, but not as RFC 3261 says ---- */
#define SIP_DEF_MISSING_CALL_ID      (1u << 0)
#define SIP_DEF_MISSING_CSEQ         (1u << 1)
#define SIP_DEF_BAD_CSEQ             (1u << 2)
#define SIP_DEF_CSEQ_METHOD_MISMATCH (1u << 3)
#define SIP_DEF_MISSING_FROM         (1u << 4)
#define SIP_DEF_MISSING_TO           (1u << 5)
#define SIP_DEF_MISSING_VIA          (1u << 6)
#define SIP_DEF_BAD_VIA              (1u << 7)
#define SIP_DEF_BAD_FROM             (1u << 8)
#define SIP_DEF_BAD_TO               (1u << 9)
#define SIP_DEF_BAD_CONTENT_LENGTH   (1u << 10) /* not a number, negative, overflow */
#define SIP_DEF_MULTIPLE_CONTENT_LENGTH (1u << 11)
#define SIP_DEF_BODY_TRUNCATED       (1u << 12) /* Content-Length > bytes present */
#define SIP_DEF_BODY_EXTRA           (1u << 13) /* bytes after Content-Length (UDP) */
#define SIP_DEF_NO_CONTENT_LENGTH    (1u << 14) /* stream transport without one */
#define SIP_DEF_BAD_HEADER_LINE      (1u << 15) /* line without ':' or bad name */
#define SIP_DEF_TOO_MANY_HEADERS     (1u << 16) /* more than SIP_MAX_HEADERS indexed */
#define SIP_DEF_BAD_REQUEST_URI      (1u << 17) /* LWS / <> / escaped headers in R-URI */
#define SIP_DEF_BAD_START_LINE_SPACING (1u << 18) /* extra SP in start line */
#define SIP_DEF_MULTIPLE_SINGLETON   (1u << 19) /* e.g. two To, two Call-ID */
#define SIP_DEF_BAD_EXPIRES          (1u << 20)
#define SIP_DEF_BAD_MAX_FORWARDS     (1u << 21)
#define SIP_DEF_BAD_DISPLAY_NAME     (1u << 22) /* unterminated quote, non-token */
#define SIP_DEF_NUL_IN_HEADERS       (1u << 23)
#define SIP_DEF_NO_HEADER_END        (1u << 24) /* datagram ended before CRLFCRLF */
#define SIP_DEF_BAD_DATE             (1u << 25) /* Date not an RFC 1123 date in GMT */
#define SIP_DEF_BAD_CONTACT          (1u << 26) /* e.g. addr-spec with '?' not in <> */
#define SIP_DEF__COUNT 27

/* Name of one defect bit, e.g. "cseq_method_mismatch"; NULL if bit unknown. */
const char *sip_defect_name(uint32_t bit);

/* ---- why a message is malformed (not counted as a SIP message) ---- */
typedef enum sip_error {
    SIP_E_NONE = 0,
    SIP_E_BAD_START_LINE,  /* SIP-like but the start line does not parse */
    SIP_E_BAD_VERSION,     /* not SIP/2.0 */
    SIP_E_BAD_STATUS_CODE, /* not 3 digits 100..699 */
    SIP_E_BAD_METHOD,      /* method is not a token */
    SIP_E_HEADER_TOO_LONG, /* start line or header block beyond the cap (stream) */
    SIP_E__COUNT
} sip_error;

const char *sip_error_name(sip_error e); /* "bad_start_line", ... */

typedef enum sip_result {
    SIP_OK = 0,
    SIP_NOT_SIP,
    SIP_INCOMPLETE,
    SIP_MALFORMED,
} sip_result;

#define SIP_MAX_HEADERS 128

typedef struct sip_msg {
    ss_slice raw;       /* the whole message: start line to end of body */
    int is_request;

    /* request line */
    sip_method method;
    ss_slice method_name; /* as written, also for known methods */
    ss_slice ruri;        /* Request-URI as written */
    /* status line */
    uint16_t status;
    ss_slice reason;      /* reason phrase as written (may be empty) */
    ss_slice version;

    /* correlation keys and views (empty/zero when absent; see defects) */
    ss_slice call_id;
    sip_name_addr from, to;
    sip_cseq cseq;
    sip_via via;          /* top-most Via */
    uint32_t via_count;
    sip_name_addr contact;    /* first Contact, if any */
    int has_contact;
    int contact_star;         /* "Contact: *" */
    int64_t content_length;   /* -1 when absent or bad */
    ss_slice content_type;    /* media type without parameters */
    int64_t expires;          /* Expires header, -1 when absent */
    int32_t max_forwards;     /* -1 when absent */
    ss_slice event;           /* Event package token, without parameters */
    ss_slice subscription_state; /* state token: active/pending/terminated */
    ss_slice reason_hdr;      /* Reason header value, raw */
    ss_slice user_agent;
    ss_slice server;
    sip_auth challenge;       /* WWW-Authenticate / Proxy-Authenticate (first) */
    sip_auth credentials;     /* Authorization / Proxy-Authorization (first) */
    ss_slice body;            /* Content-Length bytes after the blank line */

    /* every header, in order; first SIP_MAX_HEADERS only */
    sip_header hdr[SIP_MAX_HEADERS];
    uint32_t nhdr;          /* headers indexed */
    uint32_t nhdr_total;    /* headers seen, including those not indexed */

    uint32_t defects;       /* SIP_DEF_* bits */
    sip_error error;        /* with SIP_MALFORMED */
} sip_msg;

/* Quick test whether bytes begin like a SIP start line (a method token
 * followed by SP and a URI, or "SIP/"). Used for heuristics on any port. */
int sip_looks_like(const uint8_t *p, size_t len);

/* Parses one message from p[0..len).
 * stream=0 (datagram): the message ends at Content-Length (or at the end of
 *   the datagram when absent); *consumed tells where it ended, so a caller
 *   can look for another message after it.
 * stream=1 (TCP/WS): without the full header block and body, returns
 *   SIP_INCOMPLETE.
 * Returns SIP_OK with *m filled, SIP_NOT_SIP, SIP_INCOMPLETE, or
 * SIP_MALFORMED with m->error set. *consumed is set for SIP_OK and
 * SIP_MALFORMED (bytes to skip). Leading CRLFs are skipped and counted in
 * *consumed. Never reads outside p[0..len). */
sip_result sip_parse(sip_msg *m, const uint8_t *p, size_t len, int stream, size_t *consumed);

/* Stream framing without a full parse, for TCP reassembly: finds where the
 * SIP message starting at p ends (header block + Content-Length).
 * Returns SIP_OK with *msg_len, SIP_INCOMPLETE, SIP_NOT_SIP, or
 * SIP_MALFORMED (e.g. header block beyond max_header_bytes). Leading CRLF
 * keep-alives are reported through *skip (bytes to drop before the message). */
sip_result sip_frame(const uint8_t *p, size_t len, size_t max_header_bytes, size_t *skip,
                     size_t *msg_len);

/* First header with that id, or an empty slice. */
ss_slice sip_header_value(const sip_msg *m, sip_hdr_id id);

/* The views below fill *out as far as the input allows, also on failure.
 * They return 0 when the value is well-formed, -1 when it is not. Values may
 * contain folded lines (CRLF + WSP); they count as whitespace. */

/* Parses a name-addr / addr-spec header value (From, To, Contact, Refer-To);
 * only the first value of a comma list. Returns -2 when only the display
 * name is malformed (unterminated quote, non-token characters), -1 for any
 * other defect (missing '>', LWS inside <>, '?'/',' in a bare addr-spec,
 * empty parameters, unparsable URI). */
int sip_parse_name_addr(ss_slice value, sip_name_addr *out);
/* Parses one Via value (the first of a comma list); LWS around '/' and ':'
 * is allowed (RFC 3261 §25.1 SLASH, COLON). */
int sip_parse_via(ss_slice value, sip_via *out);
/* Parses a URI: scheme, user, host, port for sip/sips (and user@host forms
 * of other schemes); the number of a tel URI goes into user. */
int sip_parse_uri(ss_slice raw, sip_uri *out);
/* Looks up a ;name=value parameter in a parameter list, case-insensitively.
 * Returns 1 when present (*value is the value with quotes removed, empty
 * for a parameter without '='), 0 when absent. value may be NULL. */
int sip_param(ss_slice params, const char *name, ss_slice *value);
/* Parses a CSeq value: 32-bit number, LWS, method token. */
int sip_parse_cseq(ss_slice value, sip_cseq *out);
/* Parses a challenge or credentials value (WWW-/Proxy-Authenticate,
 * Authorization): scheme and the realm parameter. */
int sip_parse_auth(ss_slice value, sip_auth *out);
/* The leading token/media type of a value, before any ';' parameter and
 * without surrounding LWS (Event, Subscription-State, Content-Type). */
ss_slice sip_value_token(ss_slice value);
/* Parses a decimal number surrounded by optional LWS, at most max.
 * Returns 0 and *out, or -1 (empty, not digits, above max). */
int sip_parse_uint(ss_slice value, uint64_t max, uint64_t *out);

#endif
