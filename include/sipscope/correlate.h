/* correlate.h - transactions, dialogs and calls out of a message stream.
 *
 * correlate receives every parsed SIP message with its packet metadata and
 * groups them the RFC 3261 way:
 *   - a transaction is keyed by Via branch + sent-by + CSeq method
 *     (§17.1.3/§17.2.3; ACK for a non-2xx and CANCEL handled as the RFC
 *     says; RFC 2543 fallback without the magic cookie);
 *   - a dialog by Call-ID + From tag + To tag (early dialogs of a forked
 *     INVITE kept apart);
 *   - a "record" groups everything that shares one Call-ID while it is
 *     live (a call, a registration flow, a subscription, an OPTIONS ping).
 *
 * Output goes one way, through the sink callbacks: every message as it is
 * correlated, every record when it is finished (its RFC timers or idle
 * timeout ran out in capture time, or input ended). After dialog_done
 * returns, the record is freed: the sink copies what it keeps.
 * Memory is bounded by live records (cor_config.max_records): a finished
 * record is reported and freed once quiet for settle_s, and only a 16-byte
 * tombstone of its Call-ID stays for the rest of the retransmission window
 * (linger_s), so a late retransmission is still known as one. */
#ifndef SIPSCOPE_CORRELATE_H
#define SIPSCOPE_CORRELATE_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "decode.h"
#include "sip.h"

typedef enum cor_kind {
    COR_KIND_CALL = 0,      /* INVITE */
    COR_KIND_REGISTRATION,  /* REGISTER */
    COR_KIND_SUBSCRIPTION,  /* SUBSCRIBE / NOTIFY / BENOTIFY without one */
    COR_KIND_MESSAGE,       /* MESSAGE (pager mode) */
    COR_KIND_OPTIONS,
    COR_KIND_PUBLISH,
    COR_KIND_SERVICE,       /* Microsoft SERVICE / NEGOTIATE */
    COR_KIND_REFER,         /* out-of-dialog REFER */
    COR_KIND_OTHER,
    COR_KIND__COUNT
} cor_kind;
const char *cor_kind_name(cor_kind k); /* "call", "registration", ... */

/* State of the record's (first) dialog, RFC 3261 §12 terms; non-dialog
 * records go trying -> completed. */
typedef enum cor_state {
    COR_ST_TRYING = 0,  /* request sent, no response yet / only 100 */
    COR_ST_EARLY,       /* provisional with a To tag */
    COR_ST_CONFIRMED,   /* 2xx */
    COR_ST_TERMINATED,  /* BYE answered, or a final non-2xx */
    COR_ST_COMPLETED,   /* non-INVITE flow got its final response */
    COR_ST__COUNT
} cor_state;
const char *cor_state_name(cor_state s);

typedef enum cor_outcome {
    COR_OUT_NONE = 0,     /* not decided */
    COR_OUT_ANSWERED,     /* INVITE got 2xx */
    COR_OUT_BUSY,         /* 486, 600 */
    COR_OUT_REJECTED,     /* other 4xx / 6xx (incl. unanswered auth challenge) */
    COR_OUT_CANCELLED,    /* CANCEL or 487 */
    COR_OUT_REDIRECTED,   /* 3xx */
    COR_OUT_FAILED,       /* 5xx, 408 */
    COR_OUT_UNANSWERED,   /* no final response before Timer B / end of capture */
    COR_OUT_IN_PROGRESS,  /* still live when input stopped (live capture) */
    COR_OUT_SUCCESS,      /* non-INVITE flow ended 2xx */
    COR_OUT_FAILURE,      /* non-INVITE flow ended >= 300 */
    COR_OUT_NO_RESPONSE,  /* non-INVITE flow got no final response */
    COR_OUT__COUNT
} cor_outcome;
const char *cor_outcome_name(cor_outcome o);

/* One message as kept by a record: a compact copy that outlives the packet. */
typedef struct cor_msg {
    int64_t ts_us;
    uint64_t frame_no;
    unsigned input;
    ss_addr src, dst;
    uint8_t transport;      /* dec_transport */
    uint8_t is_request;
    uint8_t retransmission; /* same request/response seen before in this transaction */
    uint8_t state_changed;  /* this message created the record or moved its state */
    uint8_t method;         /* sip_method of the request, or of CSeq for responses */
    uint16_t status;        /* responses */
    uint32_t cseq;
    const char *method_name; /* request method or CSeq method as written (NUL-terminated) */
    const char *reason;      /* reason phrase as written, NUL-terminated ("" if none) */
    uint32_t txn;            /* index of its transaction in the record, or COR_TXN_NONE */
    uint32_t defects;        /* SIP_DEF_* */
    uint32_t body_len;
    const char *content_type; /* "" if none */
} cor_msg;

/* cor_msg.txn of a message outside any kept transaction: no Call-ID, or a
 * record past its transaction cap. */
#define COR_TXN_NONE UINT32_MAX

typedef struct cor_txn {
    uint8_t method;          /* sip_method */
    const char *method_name;
    uint32_t cseq;
    int64_t start_us;        /* first transmission of the request */
    int64_t first_prov_us;   /* first 1xx, 0 if none */
    int64_t final_us;        /* final response, 0 if none */
    uint16_t final_status;   /* 0 if none */
    uint16_t last_status;    /* highest class seen so far */
    uint32_t requests;       /* request packets incl. retransmissions */
    uint32_t responses;
    uint32_t retransmissions;
    uint8_t rfc2543;         /* matched without the magic cookie */
    uint8_t auth_scheme;     /* sip_auth_scheme of a 401/407 challenge, if any */
} cor_txn;

#define COR_MAX_RELATED 4 /* linked records remembered per record */

typedef struct cor_record {
    uint64_t id;               /* 1-based, in creation order */
    const char *call_id;       /* NUL-terminated copy */
    cor_kind kind;
    cor_state state;
    cor_outcome outcome;
    const char *from;          /* From URI of the first request */
    const char *to;            /* To URI of the first request */
    const char *from_tag;
    const char *to_tag;        /* of the confirmed (or first early) dialog */
    const char *user_agent;    /* first User-Agent seen, "" if none */
    uint16_t final_status;     /* final code of the deciding transaction, 0 if none */
    const char *final_reason;
    int64_t first_us, last_us;
    int64_t setup_ms;          /* INVITE -> 2xx, -1 if n/a */
    int64_t pdd_ms;            /* INVITE -> first 18x, -1 if n/a */
    int64_t duration_ms;       /* 2xx/ACK -> BYE, -1 if n/a */
    uint32_t dialogs;          /* distinct dialogs (tag pairs) seen, forks included */
    uint32_t retransmissions;
    const cor_msg *msgs;
    size_t nmsgs;
    uint64_t msgs_dropped;     /* beyond cor_config.max_msgs_per_record */
    const cor_txn *txns;
    size_t ntxns;
    const char *reason_hdr;    /* Reason header (RFC 3326) of the deciding final
                                * response, else of the CANCEL or BYE; "" if none */
    const char *link_key;      /* B2BUA correlation of the first INVITE: X-CID /
                                * X-Call-ID value, else the Session-ID (RFC 7989)
                                * local UUID; "" if none */
    uint64_t related[COR_MAX_RELATED]; /* ids of records linked by link_key */
    uint32_t nrelated;
    const struct cor_detail *detail; /* conversation detail (detail.h), NULL if none */
    uint8_t evicted;           /* finished early by the max_records cap */
    uint8_t at_stop;           /* still live when input ended */
} cor_record;

typedef struct cor_sink {
    /* every correlated message; rec is NULL when it could not be grouped
     * (no Call-ID). Called before the record may finish. */
    void (*message)(void *user, const cor_msg *m, const cor_record *rec);
    /* a record is finished and about to be freed */
    void (*record_done)(void *user, const cor_record *rec);
    void *user;
} cor_sink;

typedef struct cor_config {
    uint32_t max_records;          /* live records cap, oldest evicted; default 200000; 0 = none */
    uint32_t max_msgs_per_record;  /* default 2000 */
    uint32_t settle_s;             /* a finished record is reported after this long without a
                                    * message (an ACK or a retransmission may still come); default 2 */
    uint32_t linger_s;             /* its Call-ID is remembered for late retransmissions until this
                                    * long after its last message; default 32 (Timer J/L) */
    uint32_t idle_timeout_s;       /* a record with no message this long finishes; default 300 */
    uint32_t established_timeout_s; /* ... for a confirmed call (no BYE yet); default 7200 */
    uint32_t invite_timeout_s;     /* INVITE without a final response: Timer B, default 32 */
} cor_config;

void cor_config_default(cor_config *cfg);

typedef enum cor_counter {
    COR_C_MESSAGES = 0,
    COR_C_REQUESTS,
    COR_C_RESPONSES,
    COR_C_RETRANSMISSIONS,
    COR_C_TRANSACTIONS,
    COR_C_RECORDS,
    COR_C_DIALOGS,           /* distinct tag pairs */
    COR_C_CALLS,
    COR_C_UNCORRELATED,      /* no Call-ID */
    COR_C_ORPHAN_RESPONSES,  /* response with no matching request seen */
    COR_C_EVICTED,           /* records finished by the max_records cap */
    COR_C_MSGS_DROPPED,      /* messages not kept by the per-record cap */
    COR_C_LATE,              /* retransmissions of a record already reported (no record) */
    COR_C__COUNT
} cor_counter;
const char *cor_counter_name(cor_counter c);

typedef struct cor_ctx cor_ctx;

/* Returns 0 or ENOMEM. */
int cor_create(cor_ctx **out, const cor_config *cfg, const cor_sink *sink);

/* Correlates one parsed message (m->... slices valid only during the call;
 * pl carries time, addresses, transport, frame). Calls sink->message once,
 * and sink->record_done for records that finished. */
void cor_message(cor_ctx *c, const sip_msg *m, const dec_payload *pl);

/* Finishes records whose timers ran out at capture time now_us. */
void cor_advance(cor_ctx *c, int64_t now_us);

/* Input ended: finishes every live record (at_stop set when live=1, i.e.
 * the capture was stopped rather than ending). */
void cor_finish(cor_ctx *c, int live);

const uint64_t *cor_counters(const cor_ctx *c);

/* Distinct Call-IDs seen over the whole run. Exact up to a bound, then an
 * estimate (HyperLogLog) so memory stays flat; *exact tells which. */
uint64_t cor_distinct_call_ids(const cor_ctx *c, int *exact);

void cor_destroy(cor_ctx *c);

#endif
