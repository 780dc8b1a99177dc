/* correlate.c - records, transactions, dialogs and call outcomes.
 *
 * Per message: one hash lookup on the Call-ID finds the record; inside it a
 * small open-addressing index finds the transaction, a fingerprint set tells
 * retransmissions, and a short array holds the dialogs (forks). Everything a
 * record keeps lives in its arena. Records sit on intrusive lists ordered by
 * capture time (activity, linger, request timers), so cor_advance() looks at
 * three list heads and finishes only what is due. */
#include <errno.h>
#include <stdlib.h>
#include "sipscope/correlate.h"
#include "cor_int.h"

#define COR_STR_MAX 1024u          /* longest copy of a wire string */
/* A record and the first chunk of its arena share one pool block (pool.c),
 * sized so that a typical flow needs no other malloc: a SIPp call (7
 * messages, 3 transactions, its two SDP bodies kept for the conversation
 * detail) uses 2,505 arena bytes of the 3,456 a page leaves; a 4-message
 * REGISTER challenge exchange fits the 1,408 of the smaller block. A record
 * that outgrows its block takes 4 KiB chunks more from malloc. */
#define COR_BLOCK_CALL 4096u
#define COR_BLOCK_OTHER 2048u
#define COR_TXN_FLOOR 64u          /* transactions kept even with a tiny message cap */
#define COR_MAX_DIALOGS 16u        /* tag pairs remembered per record */
#define COR_NO_IDX UINT32_MAX
#define COR_UNSET INT64_MIN      /* a time not seen yet (0 is a valid capture time) */
#define COR_SLOTS_INITIAL 2048u
#define COR_SB_CACHE 32u           /* longest sent-by whose hash a record caches */

/* ---- private structures ---- */

/* Matching state kept next to each public cor_txn (same index). */
typedef struct _txn {
    uint64_t kh;         /* hash of the match key: branch + sent-by, or RFC 2543 fields */
    uint64_t ruri_h;     /* RFC 2543: Request-URI of the request */
    uint64_t to_h;       /* RFC 2543: To tag of a non-INVITE request */
    uint64_t final_to_h; /* To tag of the final response (RFC 2543 ACK matching) */
    const char *final_reason;
    uint8_t has_request; /* 0: created by a response (request not captured) */
    uint8_t initial;     /* INVITE without To tag: creates dialogs, decides the call */
    uint8_t open;        /* counted in rec->open: wants a final response */
    uint8_t timer;       /* counted in rec->timer_open: Timer B/F running */
    uint8_t got_prov;    /* a 1xx arrived (first_prov_us may legitimately be 0) */
} _txn;

typedef struct _dialog {
    uint64_t a_h, b_h;   /* From tag and To tag hashes of the creating response */
    const char *to_tag;
    uint8_t confirmed;
} _dialog;

typedef struct _link {
    struct _rec *prev, *next;
} _link;

typedef struct _list {
    struct _rec *head, *tail;
} _list;

enum { _LINK_ACT = 0, _LINK_PEND = 1, _LINK_NEW = 2 };
/* Timings of pub (_decide_times), so that the message that sets one of
 * their inputs updates only what depends on it. */
enum {
    _T_SETUP = 1,    /* setup_ms: INVITE, 2xx */
    _T_PDD = 2,      /* pdd_ms: INVITE, 18x */
    _T_DURATION = 4, /* duration_ms: 2xx, ACK, BYE */
    _T_ALL = 7,
};
enum { _IN_NONE = 0, _IN_ACTIVE, _IN_LINGER, _IN_ESTABLISHED };

typedef enum _why {
    _WHY_IDLE,
    _WHY_LINGER,
    _WHY_TIMER,
    _WHY_EVICT,
    _WHY_FINISH,
} _why;

typedef struct _rec {
    cor_record pub;          /* first: the sink sees &pub */
    _link link[3];           /* activity list (active or linger), timer list, creation order */
    uint8_t in_act;          /* _IN_* */
    uint8_t in_pend;
    uint8_t ids_from_request; /* from/to/from_tag were taken from a request */
    uint8_t to_tag_confirmed;
    uint8_t cancel_seen;
    uint8_t bye_answered;
    uint8_t scratch_used;    /* scratch holds a live transaction */
    uint8_t last_is_scratch; /* the latest non-ACK transaction is the scratch one */
    uint8_t sub_active;      /* subscription accepted and not terminated (RFC 6665) */
    uint8_t sub_unsubscribe; /* its latest SUBSCRIBE had Expires: 0 */
    uint8_t sb_len1;         /* sent_by cache: its length + 1, 0 = empty */
    uint8_t big_block;       /* its block is from pool_call (kind at creation) */
    uint8_t dirty;           /* an input of the outcome changed since _decide_outcome ran: a
                              * message that moves none (a 1xx, the 200 to a BYE, any
                              * retransmission) does not recompute it */
    uint32_t max_cseq;       /* highest CSeq seen, for its tombstone */
    uint64_t hash;
    uint64_t sid_h;          /* key of this record in ctx->links (Session-ID, or an
                              * X-CID naming a Call-ID not seen yet), else 0 */
    size_t call_id_len;      /* on the wire; the copy may be capped */
    uint64_t sb_key;         /* cor_mix64 of the sent_by hash of sb[0..sb_len1 - 1) */
    uint8_t sb[COR_SB_CACHE]; /* the latest top Via sent-by, when it fits */
    cor_arena arena;

    cor_msg *msgs;
    size_t msgs_cap;
    cor_txn *txns;
    _txn *tx;
    size_t txns_cap;
    uint32_t *tidx;          /* open addressing: txn index + 1, 0 = empty */
    size_t tidx_cap;
    uint64_t *fp;            /* fingerprints of messages seen (0 = empty) */
    size_t fp_cap, fp_n;
    _dialog *dlg;
    size_t ndlg, dlg_cap;
    cor_txn *scratch;        /* a transaction beyond the per-record cap (allocated then) */
    _txn *scratch_tx;
    struct cor_detail *detail; /* detail.c, NULL until a message has some */

    uint32_t dec_inv;        /* the deciding INVITE: latest initial one */
    uint32_t last_inv;       /* latest INVITE of any kind (mid-call captures) */
    uint32_t last_txn;       /* latest non-ACK transaction (non-INVITE outcome) */
    uint32_t open, timer_open;
    uint32_t cancel_cseq;
    int64_t pend_us;         /* start of the latest request whose timer runs */
    int64_t inv_first_us, ring_us, ok_us, ack_us, bye_us; /* COR_UNSET until seen */
} _rec;

_Static_assert(((sizeof(_rec) + 15) & ~(size_t)15) + sizeof(cor_arena_chunk) + 512 <= COR_BLOCK_OTHER,
               "a record and a useful first chunk fit the smaller block");

/* Call-ID table slot: the hash sits next to the pointer so that probing
 * past other Call-IDs does not touch their records (a cache miss each). */
typedef struct _slot {
    uint64_t hash;
    _rec *r; /* NULL = empty */
} _slot;

struct cor_ctx {
    cor_config cfg;
    cor_sink sink;
    _slot *slots;            /* open addressing, linear probing, load <= 1/2 */
    size_t nslots, nrec;
    _list active, linger, pend, established; /* established: confirmed calls */
    _list created;           /* every live record, in creation (id) order */
    uint64_t next_id;
    int64_t now_us;
    uint32_t txn_cap;
    uint64_t counters[COR_C__COUNT];
    char tmp[3][COR_STR_MAX + 1]; /* strings of messages no record keeps */
    cor_distinct distinct;
    cor_tombs tombs;
    cor_links links;         /* Session-ID -> record (links.c) */
    cor_pool pool_call, pool_other; /* record blocks by size (COR_BLOCK_*) */
};

/* ---- names ---- */

static const char *const _kind_names[COR_KIND__COUNT] = {
    "call", "registration", "subscription", "message", "options",
    "publish", "service", "refer", "other"};
static const char *const _state_names[COR_ST__COUNT] = {"trying", "early", "confirmed", "terminated",
                                                       "completed"};
static const char *const _outcome_names[COR_OUT__COUNT] = {
    "none", "answered", "busy", "rejected", "cancelled", "redirected",
    "failed", "unanswered", "in_progress", "success", "failure", "no_response"};
static const char *const _counter_names[COR_C__COUNT] = {
    "messages", "requests", "responses", "retransmissions", "transactions", "records",
    "dialogs", "calls", "uncorrelated", "orphan_responses", "evicted", "msgs_dropped",
    "late_retransmissions"};

/* Canonical method names: a wire name equal to one of these is not copied.
 * Kept here rather than calling sip_method_name() so correlate does not
 * depend on the parser's object file. */
#define _NAME(s) {s, sizeof s - 1}
static const struct {
    const char *s;
    uint8_t len;
} _method_names[SIP_M__COUNT] = {
    _NAME(""), _NAME("INVITE"), _NAME("ACK"), _NAME("BYE"), _NAME("CANCEL"), _NAME("REGISTER"),
    _NAME("OPTIONS"), _NAME("INFO"), _NAME("MESSAGE"), _NAME("SUBSCRIBE"), _NAME("NOTIFY"),
    _NAME("REFER"), _NAME("PRACK"), _NAME("UPDATE"), _NAME("PUBLISH"), _NAME("NEGOTIATE"),
    _NAME("SERVICE"), _NAME("BENOTIFY")};
#undef _NAME

const char *cor_kind_name(cor_kind k)
{
    return (unsigned)k < COR_KIND__COUNT ? _kind_names[k] : "other";
}

const char *cor_state_name(cor_state s)
{
    return (unsigned)s < COR_ST__COUNT ? _state_names[s] : "trying";
}

const char *cor_outcome_name(cor_outcome o)
{
    return (unsigned)o < COR_OUT__COUNT ? _outcome_names[o] : "none";
}

const char *cor_counter_name(cor_counter c)
{
    return (unsigned)c < COR_C__COUNT ? _counter_names[c] : "unknown";
}

void cor_config_default(cor_config *cfg)
{
    cfg->max_records = 200000;
    cfg->max_msgs_per_record = 2000;
    cfg->settle_s = 2;
    cfg->linger_s = 32;
    cfg->idle_timeout_s = 300;
    cfg->established_timeout_s = 7200;
    cfg->invite_timeout_s = 32;
}

/* ---- small helpers ---- */

static cor_kind _kind_of(sip_method m)
{
    switch (m) {
    case SIP_M_INVITE: return COR_KIND_CALL;
    case SIP_M_REGISTER: return COR_KIND_REGISTRATION;
    case SIP_M_SUBSCRIBE:
    case SIP_M_NOTIFY:
    case SIP_M_BENOTIFY: return COR_KIND_SUBSCRIPTION;
    case SIP_M_MESSAGE: return COR_KIND_MESSAGE;
    case SIP_M_OPTIONS: return COR_KIND_OPTIONS;
    case SIP_M_PUBLISH: return COR_KIND_PUBLISH;
    case SIP_M_SERVICE:
    case SIP_M_NEGOTIATE: return COR_KIND_SERVICE;
    case SIP_M_REFER: return COR_KIND_REFER;
    default: return COR_KIND_OTHER;
    }
}

/* RFC 3261 §8.1.1.7: a branch starting with the magic cookie was built by
 * an RFC 3261 element and is unique per transaction. */
static int _branch_is_rfc3261(ss_slice b)
{
    return b.len >= 7 && cor_eq_bytes(b.p, "z9hG4bK", 7);
}

static inline uint64_t _h(ss_slice s, uint64_t seed)
{
    return ss_hash_bytes(s.p ? s.p : (const uint8_t *)"", s.len, seed);
}

/* Address and port in two 128-bit multiplies (the constants are
 * rapidhash's secrets, as in ss_hash_bytes): the address halves, then family
 * and port with the result, so no address bit can cancel a port bit. */
static inline uint64_t _addr_h(const ss_addr *a, uint64_t seed)
{
    uint64_t lo, hi;
    memcpy(&lo, a->ip, 8);
    memcpy(&hi, a->ip + 8, 8);
    uint64_t h = ss_mum(lo ^ 0x2d358dccaa6c78a5ull ^ seed, hi ^ 0x8bb84b93962eacc9ull);
    return ss_mum(h ^ 0x4b33a62ed433d4a3ull, ((uint64_t)a->family << 16 | a->port) ^ 0x8bb84b93962eacc9ull);
}

static inline int _is_known_method(sip_method m) { return m > SIP_M_UNKNOWN && m < SIP_M__COUNT; }

/* ACK and Microsoft's BENOTIFY ([MS-SIP] best-effort NOTIFY) get no
 * response by definition: they neither keep a record open nor decide its
 * outcome. */
static inline int _wants_response(unsigned m) { return m != SIP_M_ACK && m != SIP_M_BENOTIFY; }

/* Method key inside the transaction hash: the enum, or the name's hash for
 * extension methods (two unknown methods are different transactions). */
static uint64_t _method_key(sip_method m, ss_slice name)
{
    if (_is_known_method(m))
        return (uint64_t)m;
    return _h(name, 0x6d657468) | (1ULL << 63);
}

static inline uint64_t _txn_key(uint64_t base, uint64_t mkey, uint32_t cseq)
{
    return cor_mix64(base ^ (mkey * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)cseq * 0xbf58476d1ce4e5b9ULL));
}

/* lit (n bytes) when s holds exactly those bytes, else NULL. */
static inline const char *_known(ss_slice s, const char *lit, size_t n)
{
    return lit != NULL && s.len == n && s.p != NULL && cor_eq_bytes(s.p, lit, n) ? lit : NULL;
}

/* A string for a message or a record: known (a constant s was found equal
 * to, or NULL), else copied into the record's arena (r != NULL) or into
 * the context's scratch slot (message not kept). Never NULL. */
static const char *_copy(cor_ctx *c, _rec *r, int slot, ss_slice s)
{
    if (s.len == 0 || s.p == NULL)
        return "";
    if (r != NULL) {
        const char *p = cor_arena_strndup(&r->arena, s.p, s.len, COR_STR_MAX);
        return p ? p : "";
    }
    return ss_slice_to_cstr(s, c->tmp[slot], sizeof c->tmp[slot]);
}

/* inline: most strings of a message are known, and then no call is made */
static inline const char *_str(cor_ctx *c, _rec *r, int slot, ss_slice s, const char *known)
{
    return known != NULL ? known : _copy(c, r, slot, s);
}

static inline const char *_method_str(cor_ctx *c, _rec *r, int slot, sip_method m, ss_slice name)
{
    return _str(c, r, slot, name, _is_known_method(m) ? _known(name, _method_names[m].s, _method_names[m].len) : NULL);
}

/* The usual reason phrase of status (*n bytes), or NULL. */
#define _LIT(s) return (*n = sizeof s - 1, s)
static inline const char *_reason_lit(uint16_t status, size_t *n)
{
    switch (status) {
    case 100: _LIT("Trying");
    case 180: _LIT("Ringing");
    case 181: _LIT("Call Is Being Forwarded");
    case 183: _LIT("Session Progress");
    case 200: _LIT("OK");
    case 202: _LIT("Accepted");
    case 401: _LIT("Unauthorized");
    case 403: _LIT("Forbidden");
    case 404: _LIT("Not Found");
    case 407: _LIT("Proxy Authentication Required");
    case 408: _LIT("Request Timeout");
    case 480: _LIT("Temporarily Unavailable");
    case 481: _LIT("Call/Transaction Does Not Exist");
    case 486: _LIT("Busy Here");
    case 487: _LIT("Request Terminated");
    case 500: _LIT("Server Internal Error");
    case 503: _LIT("Service Unavailable");
    case 603: _LIT("Decline");
    default: *n = 0; return NULL;
    }
}
#undef _LIT

/* The interned reason phrase when s is the usual one of status, else NULL. */
static const char *_reason_known(uint16_t status, ss_slice s)
{
    size_t n;
    const char *lit = _reason_lit(status, &n);
    return _known(s, lit, n);
}

/* Asked for every message, most without a body: by length first. */
static const char *_ctype_known(ss_slice s)
{
    const char *t;
    switch (s.len) {
    case 10: t = "text/plain"; break;
    case 15: t = s.p[0] == 'a' ? "application/sdp" : "message/sipfrag"; break;
    case 20: t = "application/pidf+xml"; break;
    case 27: t = "application/dialog-info+xml"; break;
    case 34: t = "application/simple-message-summary"; break;
    default: return NULL;
    }
    return cor_eq_bytes(s.p, t, s.len) ? t : NULL;
}

/* ---- intrusive lists ---- */

static void _list_append(_list *l, _rec *r, int w)
{
    r->link[w].prev = l->tail;
    r->link[w].next = NULL;
    if (l->tail)
        l->tail->link[w].next = r;
    else
        l->head = r;
    l->tail = r;
}

static void _list_remove(_list *l, _rec *r, int w)
{
    if (r->link[w].prev)
        r->link[w].prev->link[w].next = r->link[w].next;
    else
        l->head = r->link[w].next;
    if (r->link[w].next)
        r->link[w].next->link[w].prev = r->link[w].prev;
    else
        l->tail = r->link[w].prev;
    r->link[w].prev = r->link[w].next = NULL;
}

static void _act_unlink(cor_ctx *c, _rec *r)
{
    if (r->in_act == _IN_ACTIVE)
        _list_remove(&c->active, r, _LINK_ACT);
    else if (r->in_act == _IN_LINGER)
        _list_remove(&c->linger, r, _LINK_ACT);
    else if (r->in_act == _IN_ESTABLISHED)
        _list_remove(&c->established, r, _LINK_ACT);
    r->in_act = _IN_NONE;
}

static void _pend_unlink(cor_ctx *c, _rec *r)
{
    if (r->in_pend)
        _list_remove(&c->pend, r, _LINK_PEND);
    r->in_pend = 0;
}

/* Puts r at the tail of the list its state calls for: linger once nothing
 * more is expected (call terminated, every non-INVITE transaction final),
 * established for a confirmed call or an active subscription (a call may
 * be silent for an hour between its ACK and its BYE, a subscription
 * between NOTIFYs: neither must be cut at the idle timeout),
 * else active (idle timeout). Tail = most recent activity. */
static void _act_touch(cor_ctx *c, _rec *r)
{
    /* a terminated call may still wait for the final response of a CANCEL
     * or BYE that is being retransmitted: it settles once nothing is open */
    int done = r->pub.kind == COR_KIND_CALL ? r->pub.state == COR_ST_TERMINATED && r->open == 0
                                            : r->pub.state == COR_ST_COMPLETED && !r->sub_active;
    _act_unlink(c, r);
    if (done) {
        _list_append(&c->linger, r, _LINK_ACT);
        r->in_act = _IN_LINGER;
    } else if ((r->pub.kind == COR_KIND_CALL && r->pub.state == COR_ST_CONFIRMED) || r->sub_active) {
        _list_append(&c->established, r, _LINK_ACT);
        r->in_act = _IN_ESTABLISHED;
    } else {
        _list_append(&c->active, r, _LINK_ACT);
        r->in_act = _IN_ACTIVE;
    }
}

/* ---- Call-ID table ---- */

static _rec *_lookup(const cor_ctx *c, uint64_t h, ss_slice cid)
{
    size_t mask = c->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const _slot *s = &c->slots[i];
        if (s->r == NULL)
            return NULL;
        if (s->hash != h || s->r->call_id_len != cid.len)
            continue;
        /* the copy is capped; the hash and length cover the rest */
        size_t n = cid.len < COR_STR_MAX ? cid.len : COR_STR_MAX;
        if (cor_eq_bytes(cid.p, s->r->pub.call_id, n))
            return s->r;
    }
}

static void _slot_put(_slot *slots, size_t nslots, uint64_t h, _rec *r)
{
    size_t mask = nslots - 1;
    size_t i = (size_t)h & mask;
    while (slots[i].r != NULL)
        i = (i + 1) & mask;
    slots[i].hash = h;
    slots[i].r = r;
}

/* Inserts r. Returns 0, or -1 when the table is full and cannot grow. */
static int _table_insert(cor_ctx *c, _rec *r)
{
    if ((c->nrec + 1) * 2 > c->nslots) {
        size_t ns = c->nslots * 2;
        _slot *s = calloc(ns, sizeof *s);
        if (s == NULL) {
            if (c->nrec + 1 >= c->nslots)
                return -1; /* keep one slot empty: probes must end */
        } else {
            for (size_t i = 0; i < c->nslots; i++)
                if (c->slots[i].r)
                    _slot_put(s, ns, c->slots[i].hash, c->slots[i].r);
            free(c->slots);
            c->slots = s;
            c->nslots = ns;
        }
    }
    _slot_put(c->slots, c->nslots, r->hash, r);
    c->nrec++;
    return 0;
}

/* Removes r with backward-shift deletion (no deleted markers, so probe lengths
 * stay short however many records come and go). */
static void _table_remove(cor_ctx *c, _rec *r)
{
    size_t mask = c->nslots - 1;
    size_t i = (size_t)r->hash & mask;
    while (c->slots[i].r != r) {
        if (c->slots[i].r == NULL)
            return;
        i = (i + 1) & mask;
    }
    for (size_t j = (i + 1) & mask; c->slots[j].r != NULL; j = (j + 1) & mask) {
        size_t home = (size_t)c->slots[j].hash & mask;
        if (!cor_probe_stays(i, j, home)) {
            c->slots[i] = c->slots[j];
            i = j;
        }
    }
    c->slots[i].r = NULL;
    c->slots[i].hash = 0;
    c->nrec--;
}

/* ---- outcome ---- */

static const cor_txn *_txn_at(const _rec *r, uint32_t i) { return i == COR_NO_IDX ? NULL : &r->txns[i]; }

/* Fills outcome and final status from what the record saw. Its inputs:
 * the kind, the latest transaction (non-INVITE flows) or the deciding
 * INVITE's final response and a CANCEL (calls); whatever sets one of them
 * sets rec->dirty. finishing: the record is being emitted (undecided
 * calls become unanswered or in_progress); why: what finished it. */
static void _decide_outcome(cor_ctx *c, _rec *r, int finishing, int live, _why why)
{
    cor_record *p = &r->pub;
    if (p->kind != COR_KIND_CALL) {
        const cor_txn *t = r->last_is_scratch ? r->scratch : _txn_at(r, r->last_txn);
        const _txn *x = r->last_is_scratch ? r->scratch_tx : t ? &r->tx[r->last_txn] : NULL;
        p->final_status = t ? t->final_status : 0;
        p->final_reason = t && t->final_status ? x->final_reason : "";
        if (t == NULL || t->final_status == 0)
            p->outcome = finishing ? COR_OUT_NO_RESPONSE : COR_OUT_NONE;
        else
            p->outcome = t->final_status < 300 ? COR_OUT_SUCCESS : COR_OUT_FAILURE;
        return;
    }

    uint32_t di = r->dec_inv != COR_NO_IDX ? r->dec_inv : r->last_inv;
    const cor_txn *t = _txn_at(r, di);
    uint16_t fs = t ? t->final_status : 0;
    p->final_status = fs;
    p->final_reason = fs ? r->tx[di].final_reason : "";
    if (fs >= 200 && fs < 300)
        p->outcome = COR_OUT_ANSWERED;
    else if (t && r->cancel_seen && r->cancel_cseq == t->cseq)
        p->outcome = COR_OUT_CANCELLED;
    else if (fs == 0) {
        if (!finishing)
            p->outcome = COR_OUT_NONE;
        else if (live)
            p->outcome = COR_OUT_IN_PROGRESS;
        else if (why == _WHY_TIMER || why == _WHY_IDLE)
            p->outcome = COR_OUT_UNANSWERED;
        else {
            /* end of input or eviction: unanswered once the INVITE is older
             * than Timer B, else it was still being set up */
            int64_t start = t ? t->start_us : p->first_us;
            int64_t age = c->now_us - start;
            p->outcome = age >= (int64_t)c->cfg.invite_timeout_s * 1000000 ? COR_OUT_UNANSWERED
                                                                          : COR_OUT_IN_PROGRESS;
        }
    } else if (fs == 487)
        p->outcome = COR_OUT_CANCELLED;
    else if (fs == 486 || fs == 600)
        p->outcome = COR_OUT_BUSY;
    else if (fs < 400)
        p->outcome = COR_OUT_REDIRECTED;
    else if (fs >= 500 && fs < 600)
        p->outcome = COR_OUT_FAILED;
    else if (fs == 408)
        p->outcome = COR_OUT_FAILED;
    else
        p->outcome = COR_OUT_REJECTED;
}

/* Milliseconds from a to b, -1 when either is unset or b is before a. */
static inline int64_t _span_ms(int64_t a, int64_t b)
{
    return a != COR_UNSET && b != COR_UNSET && b >= a ? (b - a) / 1000 : -1;
}

/* Fills the timings flagged in what (_T_*) of a call (-1 for other kinds)
 * from the times of its INVITE, 18x, 2xx, ACK and BYE. Each of those is set
 * once, so the message that sets it updates the timings that depend on it
 * (what is then a constant and this folds to one span), and a change of
 * kind all of them. */
static inline void _decide_times(_rec *r, unsigned what)
{
    cor_record *p = &r->pub;
    int call = p->kind == COR_KIND_CALL;
    if (what & _T_SETUP)
        p->setup_ms = call ? _span_ms(r->inv_first_us, r->ok_us) : -1;
    if (what & _T_PDD)
        p->pdd_ms = call ? _span_ms(r->inv_first_us, r->ring_us) : -1;
    if (what & _T_DURATION)
        p->duration_ms = call ? _span_ms(r->ok_us != COR_UNSET ? r->ok_us : r->ack_us, r->bye_us) : -1;
}

/* Outcome, final status and timings, all recomputed (a record finishing). */
static void _decide(cor_ctx *c, _rec *r, int finishing, int live, _why why)
{
    _decide_outcome(c, r, finishing, live, why);
    _decide_times(r, _T_ALL);
    r->dirty = 0;
}

/* The outcome, recomputed when the latest message changed an input. */
static inline void _decide_dirty(cor_ctx *c, _rec *r)
{
    if (r->dirty) {
        _decide_outcome(c, r, 0, 0, _WHY_FINISH);
        r->dirty = 0;
    }
}

/* ---- records ---- */

static void _rec_free(cor_ctx *c, _rec *r)
{
    cor_arena_free(&r->arena);
    cor_pool_put(r->big_block ? &c->pool_call : &c->pool_other, r);
}

static void _finish(cor_ctx *c, _rec *r, _why why, int live)
{
    _act_unlink(c, r);
    _pend_unlink(c, r);
    _list_remove(&c->created, r, _LINK_NEW);
    _table_remove(c, r);
    _decide(c, r, 1, live, why);
    if (r->sid_h)
        cor_links_del(&c->links, r->sid_h, r);
    if (why == _WHY_EVICT) {
        r->pub.evicted = 1;
        c->counters[COR_C_EVICTED]++;
    }
    if (why == _WHY_FINISH && live)
        r->pub.at_stop = 1;
    if (c->sink.record_done)
        c->sink.record_done(c->sink.user, &r->pub);
    if (why == _WHY_LINGER && c->cfg.linger_s > c->cfg.settle_s)
        cor_tombs_put(&c->tombs, r->hash, r->max_cseq,
                      r->pub.last_us + (int64_t)c->cfg.linger_s * 1000000, c->now_us);
    _rec_free(c, r);
}

/* The least recently active record (head of an activity list). */
static _rec *_oldest(cor_ctx *c)
{
    _rec *heads[3] = {c->active.head, c->linger.head, c->established.head}, *best = NULL;
    for (int i = 0; i < 3; i++)
        if (heads[i] && (best == NULL || heads[i]->pub.last_us < best->pub.last_us))
            best = heads[i];
    return best;
}

static void _set_ids(_rec *r, const sip_msg *m)
{
    cor_arena *a = &r->arena;
    const char *s;
    s = cor_arena_strndup(a, m->from.uri.raw.p, m->from.uri.raw.len, COR_STR_MAX);
    r->pub.from = s ? s : "";
    s = cor_arena_strndup(a, m->to.uri.raw.p, m->to.uri.raw.len, COR_STR_MAX);
    r->pub.to = s ? s : "";
    s = cor_arena_strndup(a, m->from.tag.p, m->from.tag.len, COR_STR_MAX);
    r->pub.from_tag = s ? s : "";
}

static void _set_kind(cor_ctx *c, _rec *r, cor_kind k)
{
    if (k == COR_KIND_CALL && r->pub.kind != COR_KIND_CALL)
        c->counters[COR_C_CALLS]++;
    r->pub.kind = k;
    r->dirty = 1;
    _decide_times(r, _T_ALL);
}

static _rec *_rec_new(cor_ctx *c, const sip_msg *m, uint64_t h, int64_t ts)
{
    if (c->cfg.max_records && c->nrec >= c->cfg.max_records) {
        _rec *old = _oldest(c);
        if (old)
            _finish(c, old, _WHY_EVICT, 0);
    }
    cor_kind kind = _kind_of(m->is_request ? m->method : m->cseq.method);
    size_t off = (sizeof(_rec) + 15) & ~(size_t)15;
    int big = kind == COR_KIND_CALL;
    _rec *r = cor_pool_get(big ? &c->pool_call : &c->pool_other);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof *r);
    r->big_block = (uint8_t)big;
    cor_arena_init(&r->arena, (unsigned char *)r + off, (big ? COR_BLOCK_CALL : COR_BLOCK_OTHER) - off);
    const char *cid = cor_arena_strndup(&r->arena, m->call_id.p, m->call_id.len, COR_STR_MAX);
    if (cid == NULL) {
        _rec_free(c, r);
        return NULL;
    }
    r->pub.call_id = cid;
    r->call_id_len = m->call_id.len;
    r->hash = h;
    if (_table_insert(c, r) != 0) {
        _rec_free(c, r);
        return NULL;
    }
    r->pub.id = ++c->next_id;
    _list_append(&c->created, r, _LINK_NEW);
    r->pub.kind = COR_KIND_OTHER;
    r->inv_first_us = r->ring_us = r->ok_us = r->ack_us = r->bye_us = COR_UNSET;
    _set_kind(c, r, kind); /* timings -1, outcome due */
    r->pub.state = COR_ST_TRYING;
    r->pub.outcome = COR_OUT_NONE;
    r->pub.to_tag = r->pub.user_agent = r->pub.final_reason = "";
    r->pub.reason_hdr = r->pub.link_key = "";
    _set_ids(r, m);
    r->ids_from_request = m->is_request != 0;
    r->pub.first_us = r->pub.last_us = ts;
    r->dec_inv = r->last_inv = r->last_txn = COR_NO_IDX;
    c->counters[COR_C_RECORDS]++;
    cor_distinct_add(&c->distinct, h);
    return r;
}

/* ---- transactions ---- */

/* Extra checks for RFC 2543 requests, which have no unique branch
 * (RFC 3261 §17.2.3): Request-URI, and To tag for non-INVITE / ACK. */
typedef struct _chk {
    int on;
    uint64_t ruri_h;
    int check_to;
    uint64_t to_h;
    int ack;              /* ACK looking for its INVITE: compare with the final's To tag */
} _chk;

static int _chk_ok(const _txn *x, const cor_txn *t, const _chk *k)
{
    if (k == NULL || !k->on || !x->has_request)
        return 1;
    if (x->ruri_h != k->ruri_h)
        return 0;
    if (k->ack)
        return t->final_status == 0 || x->final_to_h == k->to_h;
    if (k->check_to && x->to_h != k->to_h)
        return 0;
    return 1;
}

static uint32_t _txn_find(const _rec *r, uint64_t kh, sip_method method, uint32_t cseq, const _chk *k)
{
    if (r->tidx == NULL)
        return COR_NO_IDX;
    size_t mask = r->tidx_cap - 1;
    for (size_t i = (size_t)kh & mask;; i = (i + 1) & mask) {
        uint32_t v = r->tidx[i];
        if (v == 0)
            return COR_NO_IDX;
        const _txn *x = &r->tx[v - 1];
        const cor_txn *t = &r->txns[v - 1];
        if (x->kh == kh && t->method == (uint8_t)method && t->cseq == cseq && _chk_ok(x, t, k))
            return v - 1;
    }
}

static void _tidx_put(uint32_t *tidx, size_t cap, uint64_t kh, uint32_t v)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)kh & mask;; i = (i + 1) & mask)
        if (tidx[i] == 0) {
            tidx[i] = v;
            return;
        }
}

/* Makes room for one more transaction. Returns 0, or -1 at the cap or on
 * ENOMEM (the caller then uses the scratch transaction). */
static int _txn_reserve(cor_ctx *c, _rec *r)
{
    size_t n = r->pub.ntxns;
    if (n >= c->txn_cap)
        return -1;
    if (n == r->txns_cap) {
        size_t nc = r->txns_cap ? r->txns_cap * 2 : r->pub.kind == COR_KIND_CALL ? 4 : 2;
        cor_txn *t = cor_arena_grow(&r->arena, r->txns, n * sizeof *t, nc * sizeof *t, 8);
        if (t == NULL)
            return -1;
        r->txns = t;
        _txn *x = cor_arena_grow(&r->arena, r->tx, n * sizeof *x, nc * sizeof *x, 8);
        if (x == NULL)
            return -1; /* txns grew; harmless, cap stays */
        r->tx = x;
        r->txns_cap = nc;
        r->pub.txns = r->txns;
    }
    if ((n + 1) * 2 > r->tidx_cap) {
        size_t nc = r->tidx_cap ? r->tidx_cap * 2 : 8;
        uint32_t *ti = cor_arena_alloc(&r->arena, nc * sizeof *ti, 4);
        if (ti == NULL)
            return -1;
        memset(ti, 0, nc * sizeof *ti);
        for (size_t i = 0; i < n; i++)
            _tidx_put(ti, nc, r->tx[i].kh, (uint32_t)i + 1);
        r->tidx = ti;
        r->tidx_cap = nc;
    }
    return 0;
}

/* New transaction; *ti gets its index, or COR_NO_IDX for the scratch one. */
static cor_txn *_txn_new(cor_ctx *c, _rec *r, uint64_t kh, sip_method method, ss_slice mname,
                         uint32_t cseq, int rfc2543, int64_t ts, uint32_t *ti)
{
    cor_txn *t;
    _txn *x;
    if (_txn_reserve(c, r) == 0) {
        *ti = (uint32_t)r->pub.ntxns;
        t = &r->txns[*ti];
        x = &r->tx[*ti];
        r->pub.ntxns++;
        _tidx_put(r->tidx, r->tidx_cap, kh, *ti + 1);
    } else {
        /* beyond the cap: state is tracked for this message only */
        *ti = COR_NO_IDX;
        if (r->scratch == NULL) {
            r->scratch = cor_arena_alloc(&r->arena, sizeof *r->scratch, 8);
            r->scratch_tx = cor_arena_alloc(&r->arena, sizeof *r->scratch_tx, 8);
            if (r->scratch == NULL || r->scratch_tx == NULL) {
                r->scratch = NULL;
                return NULL;
            }
            memset(r->scratch, 0, sizeof *r->scratch);
            memset(r->scratch_tx, 0, sizeof *r->scratch_tx);
        }
        t = r->scratch;
        x = r->scratch_tx;
        if (x->open)
            r->open--;
        if (x->timer && --r->timer_open == 0)
            _pend_unlink(c, r);
        r->scratch_used = 1;
    }
    c->counters[COR_C_TRANSACTIONS]++;
    if (r->pub.kind != COR_KIND_CALL)
        r->dirty = 1; /* the latest transaction decides */
    memset(t, 0, sizeof *t);
    memset(x, 0, sizeof *x);
    t->method = (uint8_t)method;
    /* the scratch transaction is never shown: copy nothing for it, so a
     * record past its cap stops growing */
    t->method_name = *ti == COR_NO_IDX ? "" : _method_str(c, r, 0, method, mname);
    t->cseq = cseq;
    t->start_us = ts;
    t->rfc2543 = (uint8_t)rfc2543;
    x->kh = kh;
    x->final_reason = "";
    return t;
}

/* Keeps rec->open / rec->timer_open and the timer list in step with one
 * transaction. A timer runs for a request awaiting its final response, as
 * Timer B/F do (RFC 3261 §17.1.1.2, §17.1.2.2): in a call only for the
 * initial INVITE until a provisional arrives, and for BYE, so a call is
 * not cut while it rings or while in-dialog requests go unanswered. */
static void _txn_sync(cor_ctx *c, _rec *r, cor_txn *t, _txn *x)
{
    uint8_t open = _wants_response(t->method) && t->final_status == 0;
    uint8_t timer = 0;
    if (open && x->has_request) {
        if (r->pub.kind != COR_KIND_CALL)
            timer = 1;
        else if (t->method == SIP_M_INVITE)
            timer = x->initial && !x->got_prov;
        else
            timer = t->method == SIP_M_BYE;
    }
    if (open != x->open) {
        r->open += open ? 1u : (uint32_t)-1;
        x->open = open;
    }
    if (timer != x->timer) {
        x->timer = timer;
        if (timer) {
            r->timer_open++;
            r->pend_us = t->start_us;
            _pend_unlink(c, r);
            _list_append(&c->pend, r, _LINK_PEND);
            r->in_pend = 1;
        } else if (--r->timer_open == 0) {
            _pend_unlink(c, r);
        }
    }
}

/* Seen-before test for retransmissions: 1 if fp was already in the set,
 * else adds it (while under the cap) and returns 0. */
static int _fp_seen(cor_ctx *c, _rec *r, uint64_t fp)
{
    if (fp == 0)
        fp = 1;
    if (r->fp != NULL) {
        size_t mask = r->fp_cap - 1;
        for (size_t i = (size_t)fp & mask;; i = (i + 1) & mask) {
            if (r->fp[i] == fp)
                return 1;
            if (r->fp[i] == 0)
                break;
        }
    }
    if (r->fp_n >= c->txn_cap * 4u)
        return 0; /* bounded: later messages are not remembered */
    if ((r->fp_n + 1) * 2 > r->fp_cap) {
        size_t nc = r->fp_cap ? r->fp_cap * 2 : r->pub.kind == COR_KIND_CALL ? 16 : 8;
        uint64_t *f = cor_arena_alloc(&r->arena, nc * sizeof *f, 8);
        if (f == NULL)
            return 0;
        memset(f, 0, nc * sizeof *f);
        for (size_t i = 0; i < r->fp_cap; i++)
            if (r->fp[i]) {
                size_t mask = nc - 1;
                size_t j = (size_t)r->fp[i] & mask;
                while (f[j])
                    j = (j + 1) & mask;
                f[j] = r->fp[i];
            }
        r->fp = f;
        r->fp_cap = nc;
    }
    size_t mask = r->fp_cap - 1;
    size_t i = (size_t)fp & mask;
    while (r->fp[i])
        i = (i + 1) & mask;
    r->fp[i] = fp;
    r->fp_n++;
    return 0;
}

/* ---- dialogs ---- */

/* The dialog of response m's tags, to_h its To tag hash (either
 * direction: in-dialog requests from the callee swap From and To), created
 * when create is set. The From tag is hashed here, for the few responses
 * that ask. */
static _dialog *_dialog_get(cor_ctx *c, _rec *r, const sip_msg *m, uint64_t to_h, int create)
{
    uint64_t from_h = _h(m->from.tag, 0x746f);
    ss_slice to_tag = m->to.tag;
    for (size_t i = 0; i < r->ndlg; i++) {
        _dialog *d = &r->dlg[i];
        if ((d->a_h == from_h && d->b_h == to_h) || (d->a_h == to_h && d->b_h == from_h))
            return d;
    }
    if (!create || r->ndlg >= COR_MAX_DIALOGS)
        return NULL;
    if (r->ndlg == r->dlg_cap) {
        size_t nc = r->dlg_cap ? r->dlg_cap * 2 : 2;
        _dialog *d = cor_arena_grow(&r->arena, r->dlg, r->ndlg * sizeof *d, nc * sizeof *d, 8);
        if (d == NULL)
            return NULL;
        r->dlg = d;
        r->dlg_cap = nc;
    }
    _dialog *d = &r->dlg[r->ndlg++];
    d->a_h = from_h;
    d->b_h = to_h;
    d->to_tag = _str(c, r, 0, to_tag, NULL);
    d->confirmed = 0;
    r->pub.dialogs++;
    c->counters[COR_C_DIALOGS]++;
    if (r->pub.to_tag[0] == '\0')
        r->pub.to_tag = d->to_tag;
    return d;
}

static void _dialog_confirm(_rec *r, _dialog *d)
{
    if (d == NULL)
        return;
    d->confirmed = 1;
    if (!r->to_tag_confirmed) {
        r->to_tag_confirmed = 1;
        r->pub.to_tag = d->to_tag;
    }
}

/* ---- one message ---- */

/* cor_mix64 of the hash of an RFC 3261 transaction's sent-by. A flow's
 * messages mostly carry one top Via (the caller's: its requests and the
 * responses to them), so the record keeps the latest sent-by and its key,
 * and a compare of a few words replaces hashing it again. */
static uint64_t _sent_by_key(_rec *r, ss_slice sb)
{
    if (r->sb_len1 == sb.len + 1 && (sb.len == 0 || cor_eq_bytes(sb.p, (const char *)r->sb, sb.len)))
        return r->sb_key;
    uint64_t key = cor_mix64(_h(sb, 2));
    if (sb.len <= COR_SB_CACHE) {
        if (sb.len)
            memcpy(r->sb, sb.p, sb.len);
        r->sb_len1 = (uint8_t)(sb.len + 1);
        r->sb_key = key;
    }
    return key;
}

/* Request or response inside its record: finds or creates the transaction,
 * tells retransmissions, moves transaction, dialog and call state. Returns
 * the transaction index (COR_NO_IDX if none kept); *retrans is set. */
static uint32_t _rec_update(cor_ctx *c, _rec *r, const sip_msg *m, const dec_payload *pl, int *retrans)
{
    int64_t ts = pl->ts_us;
    int req = m->is_request != 0;
    sip_method method = req ? m->method : m->cseq.method;
    ss_slice mname = req ? m->method_name : m->cseq.method_name;
    uint32_t cseq = m->cseq.seq;
    int rfc3261 = _branch_is_rfc3261(m->via.branch);
    int has_to_tag = !ss_slice_empty(m->to.tag);
    /* tag hashes only where they are used: To for responses (retransmission
     * fingerprint, dialogs) and RFC 2543 matching, From for RFC 2543 here
     * (and dialogs in _dialog_get) */
    uint64_t to_h = !req || !rfc3261 ? _h(m->to.tag, 0x746f) : 0;
    uint64_t from_h = !rfc3261 ? _h(m->from.tag, 0x746f) : 0;

    /* RFC 3261: branch + sent-by. RFC 2543: From tag + sent-by (+ Call-ID,
     * implied by the record, and CSeq, in the key below). */
    uint64_t base = rfc3261 ? _h(m->via.branch, 1) ^ _sent_by_key(r, m->via.sent_by)
                            : _h(m->via.sent_by, 3) ^ cor_mix64(from_h + 0x2543);
    _chk k = {0};
    if (!rfc3261 && req) {
        k.on = 1;
        k.ruri_h = _h(m->ruri, 4);
        k.to_h = to_h;
        k.check_to = method != SIP_M_INVITE;
    }

    uint32_t ti = COR_NO_IDX;
    int created = 0;
    if (req && method == SIP_M_ACK) {
        /* ACK for a non-2xx final shares the INVITE's transaction (§17.1.1.3);
         * ACK for a 2xx has a new branch and stands alone (§13.2.2.4) */
        _chk ka = k;
        ka.ack = 1;
        ti = _txn_find(r, _txn_key(base, SIP_M_INVITE, cseq), SIP_M_INVITE, cseq, &ka);
        if (ti != COR_NO_IDX && r->txns[ti].final_status >= 200 && r->txns[ti].final_status < 300)
            ti = COR_NO_IDX;
    }
    uint64_t kh = _txn_key(base, _method_key(method, mname), cseq);
    if (ti == COR_NO_IDX)
        ti = _txn_find(r, kh, method, cseq, req ? &k : NULL);
    cor_txn *t;
    _txn *x;
    if (ti != COR_NO_IDX) {
        t = &r->txns[ti];
        x = &r->tx[ti];
    } else if (r->scratch_used && r->scratch_tx->kh == kh && r->scratch->method == (uint8_t)method &&
               r->scratch->cseq == cseq) {
        t = r->scratch; /* past the cap, but the same transaction as the last message */
        x = r->scratch_tx;
    } else {
        t = _txn_new(c, r, kh, method, mname, cseq, !rfc3261, ts, &ti);
        if (t == NULL)
            return COR_NO_IDX; /* no memory even for the scratch transaction */
        x = ti == COR_NO_IDX ? r->scratch_tx : &r->tx[ti];
        created = 1;
        /* past the cap a response may belong to a request that was never
         * indexed: only count it when the record still indexes everything */
        if (!req && ti != COR_NO_IDX)
            c->counters[COR_C_ORPHAN_RESPONSES]++;
    }

    /* Same transaction, same message (method or status + To tag, CSeq,
     * body length), same src -> dst: a retransmission (§17.1.1.2,
     * §17.2.1). The body length keeps a 183 re-sent with new SDP apart. */
    *retrans = 0;
    if (ti != COR_NO_IDX) {
        uint64_t fp = (uint64_t)ti * 0x9e3779b97f4a7c15ULL;
        fp ^= (req ? (uint64_t)method + 1 : 0x10000 + (uint64_t)m->status) * 0xbf58476d1ce4e5b9ULL;
        fp ^= (uint64_t)cseq * 0x94d049bb133111ebULL;
        fp ^= req ? 0 : to_h;
        fp ^= _addr_h(&pl->src, 5) ^ cor_mix64(_addr_h(&pl->dst, 6));
        fp ^= (uint64_t)m->body.len << 40;
        int seen = _fp_seen(c, r, cor_mix64(fp));
        *retrans = seen && !created;
    }
    if (*retrans) {
        t->retransmissions++;
        r->pub.retransmissions++;
        c->counters[COR_C_RETRANSMISSIONS]++;
    }

    if (req) {
        t->requests++;
        if (*retrans)
            return ti;
        if (method == SIP_M_INVITE && r->pub.kind != COR_KIND_CALL) {
            _set_kind(c, r, COR_KIND_CALL); /* e.g. an INVITE after an OPTIONS probe */
            r->pub.state = COR_ST_TRYING;   /* from here on, call states */
        }
        if (!r->ids_from_request) {
            _set_ids(r, m);
            r->ids_from_request = 1;
        }
        int joined = t->method != (uint8_t)method; /* ACK inside the INVITE transaction */
        if (!x->has_request && !joined) {
            x->has_request = 1;
            t->start_us = ts;
            x->ruri_h = k.ruri_h;
            x->to_h = to_h;
        }
        switch (method) {
        case SIP_M_INVITE:
            if (ti == COR_NO_IDX)
                break;
            r->last_inv = ti;
            r->dirty = 1;
            if (!has_to_tag && created) {
                x->initial = 1;
                r->dec_inv = ti;
                if (r->inv_first_us == COR_UNSET) {
                    r->inv_first_us = ts;
                    _decide_times(r, _T_SETUP | _T_PDD);
                }
                if (r->pub.state == COR_ST_TERMINATED && !r->bye_answered)
                    r->pub.state = COR_ST_TRYING; /* new attempt, e.g. after a 401/407 */
            }
            break;
        case SIP_M_ACK:
            if (!joined && r->ack_us == COR_UNSET) {
                r->ack_us = ts;
                _decide_times(r, _T_DURATION);
            }
            break;
        case SIP_M_CANCEL:
            r->cancel_seen = 1;
            r->cancel_cseq = cseq;
            r->dirty = 1;
            break;
        case SIP_M_BYE:
            if (r->bye_us == COR_UNSET) {
                r->bye_us = ts;
                _decide_times(r, _T_DURATION);
            }
            break;
        default:
            break;
        }
        if (_wants_response(method) && created) {
            r->last_is_scratch = ti == COR_NO_IDX;
            if (ti != COR_NO_IDX)
                r->last_txn = ti;
        }
        _txn_sync(c, r, t, x);
        return ti;
    }

    /* response */
    uint16_t st = m->status;
    t->responses++;
    if (*retrans)
        return ti;
    if (_wants_response(method) && created) {
        r->last_is_scratch = ti == COR_NO_IDX;
        if (ti != COR_NO_IDX)
            r->last_txn = ti;
    }
    if (st / 100 >= t->last_status / 100)
        t->last_status = st;
    if (st < 200) {
        if (!x->got_prov)
            t->first_prov_us = ts;
        x->got_prov = 1;
    } else if (t->final_status == 0 || (st < 300 && (t->final_status < 200 || t->final_status >= 300))) {
        /* first final, or a 2xx from another fork after a non-2xx */
        t->final_status = st;
        t->final_us = ts;
        x->final_to_h = to_h;
        /* a call is decided by an INVITE transaction, other flows by any */
        if (r->pub.kind != COR_KIND_CALL || method == SIP_M_INVITE)
            r->dirty = 1;
        /* the scratch transaction copies nothing (bounded record); its
         * reason is shown only when interned */
        if (ti != COR_NO_IDX) {
            x->final_reason = _str(c, r, 0, m->reason, _reason_known(st, m->reason));
        } else {
            size_t n;
            const char *lit = _reason_lit(st, &n);
            x->final_reason = lit && ss_slice_ieq_str(m->reason, lit) ? lit : "";
        }
    }
    if ((st == 401 || st == 407) && m->challenge.scheme != SIP_AUTH_NONE)
        t->auth_scheme = (uint8_t)m->challenge.scheme;

    if (method == SIP_M_INVITE && ti != COR_NO_IDX) {
        if (r->last_inv == COR_NO_IDX) {
            r->last_inv = ti;
            r->dirty = 1;
        }
        if (!x->has_request && r->dec_inv == COR_NO_IDX) {
            /* request not captured: the first INVITE seen decides the call */
            x->initial = 1;
            r->dec_inv = ti;
            r->dirty = 1;
        }
        if (x->initial) {
            if (st > 100 && st < 200 && has_to_tag) {
                _dialog_get(c, r, m, to_h, 1);
                if (r->pub.state == COR_ST_TRYING)
                    r->pub.state = COR_ST_EARLY;
            }
            if (st >= 180 && st < 190 && r->ring_us == COR_UNSET) {
                r->ring_us = ts;
                _decide_times(r, _T_PDD);
            }
            if (st >= 200 && st < 300) {
                if (r->ok_us == COR_UNSET) {
                    r->ok_us = ts;
                    _decide_times(r, _T_SETUP | _T_DURATION);
                }
                if (has_to_tag)
                    _dialog_confirm(r, _dialog_get(c, r, m, to_h, 1));
                if (!r->bye_answered)
                    r->pub.state = COR_ST_CONFIRMED;
            } else if (st >= 300 && ti == r->dec_inv &&
                       (r->pub.state == COR_ST_TRYING || r->pub.state == COR_ST_EARLY)) {
                r->pub.state = COR_ST_TERMINATED;
            }
        } else if (st >= 200 && st < 300 && has_to_tag) {
            /* re-INVITE: the dialog exists even if its start was not captured */
            _dialog_confirm(r, _dialog_get(c, r, m, to_h, 1));
            if (r->pub.state == COR_ST_TRYING || r->pub.state == COR_ST_EARLY)
                r->pub.state = COR_ST_CONFIRMED;
        }
    } else if (method == SIP_M_BYE && st >= 200) {
        r->pub.state = COR_ST_TERMINATED;
        r->bye_answered = 1;
    } else if ((method == SIP_M_SUBSCRIBE || method == SIP_M_REFER) && st >= 200 && st < 300 &&
               has_to_tag) {
        _dialog_confirm(r, _dialog_get(c, r, m, to_h, 1)); /* RFC 6665, 3515 */
    }
    _txn_sync(c, r, t, x);
    return ti;
}

static void _msg_fill(cor_msg *cm, const sip_msg *m, const dec_payload *pl)
{
    memset(cm, 0, sizeof *cm);
    cm->ts_us = pl->ts_us;
    cm->frame_no = pl->frame_no;
    cm->input = pl->input;
    cm->src = pl->src;
    cm->dst = pl->dst;
    cm->transport = (uint8_t)pl->transport;
    cm->is_request = m->is_request != 0;
    cm->method = (uint8_t)(m->is_request ? m->method : m->cseq.method);
    cm->status = m->is_request ? 0 : m->status;
    cm->cseq = m->cseq.seq;
    cm->defects = m->defects;
    cm->body_len = (uint32_t)(m->body.len > UINT32_MAX ? UINT32_MAX : m->body.len);
    cm->txn = COR_TXN_NONE;
}

/* Strings of a message: into the record's arena when it keeps the message
 * (r != NULL), else into the context's scratch slots. */
static void _msg_strings(cor_ctx *c, _rec *r, cor_msg *cm, const sip_msg *m)
{
    if (m->is_request)
        cm->method_name = _method_str(c, r, 0, m->method, m->method_name);
    else
        cm->method_name = _method_str(c, r, 0, m->cseq.method, m->cseq.method_name);
    cm->reason = m->is_request ? "" : _str(c, r, 1, m->reason, _reason_known(m->status, m->reason));
    cm->content_type = _str(c, r, 2, m->content_type, _ctype_known(m->content_type));
}

/* Appends the message to the record, or counts it as not kept. Returns the
 * stored copy, or NULL. */
static cor_msg *_rec_keep(cor_ctx *c, _rec *r, const cor_msg *cm)
{
    size_t n = r->pub.nmsgs;
    if (n >= c->cfg.max_msgs_per_record)
        return NULL;
    if (n == r->msgs_cap) {
        size_t nc = r->msgs_cap ? r->msgs_cap * 2 : r->pub.kind == COR_KIND_CALL ? 8 : 4;
        if (nc > c->cfg.max_msgs_per_record)
            nc = c->cfg.max_msgs_per_record;
        cor_msg *a = cor_arena_grow(&r->arena, r->msgs, n * sizeof *a, nc * sizeof *a, 8);
        if (a == NULL)
            return NULL;
        r->msgs = a;
        r->msgs_cap = nc;
        r->pub.msgs = a;
    }
    r->msgs[n] = *cm;
    r->pub.nmsgs = n + 1;
    return &r->msgs[n];
}

/* A message whose Call-ID belongs to a record already reported: a
 * retransmission within the window when its CSeq is not new (it is counted
 * and handed on without a record), else a new flow reusing the Call-ID
 * (returns 0: the caller starts a record). */
static int _late(cor_ctx *c, cor_msg *cm, const sip_msg *m, uint64_t h)
{
    const cor_tomb *t = cor_tombs_get(&c->tombs, h, c->now_us);
    if (t == NULL)
        return 0;
    if (m->cseq.seq > t->max_cseq || (m->defects & (SIP_DEF_MISSING_CSEQ | SIP_DEF_BAD_CSEQ))) {
        cor_tombs_del(&c->tombs, h);
        return 0;
    }
    cm->retransmission = 1;
    c->counters[COR_C_RETRANSMISSIONS]++;
    c->counters[COR_C_LATE]++;
    _msg_strings(c, NULL, cm, m);
    if (c->sink.message)
        c->sink.message(c->sink.user, cm, NULL);
    return 1;
}

/* Subscription lifetime (RFC 6665): accepted by a 2xx to SUBSCRIBE unless
 * it unsubscribed (Expires: 0), kept alive by NOTIFYs in state active or
 * pending, ended by Subscription-State: terminated. */
static void _sub_track(_rec *r, const sip_msg *m)
{
    if (r->pub.kind != COR_KIND_SUBSCRIPTION)
        return;
    if (m->is_request && m->method == SIP_M_SUBSCRIBE) {
        r->sub_unsubscribe = m->expires == 0;
    } else if (!m->is_request && m->cseq.method == SIP_M_SUBSCRIBE && m->status >= 200 && m->status < 300) {
        r->sub_active = !r->sub_unsubscribe && m->expires != 0;
    } else if (m->is_request && (m->method == SIP_M_NOTIFY || m->method == SIP_M_BENOTIFY) &&
               !ss_slice_empty(m->subscription_state)) {
        r->sub_active = !ss_slice_ieq_str(m->subscription_state, "terminated");
    }
}

/* ---- Reason header and B2BUA links (only the messages that carry them) ---- */

/* Keeps the Reason header (RFC 3326) that explains how a call ended: the
 * one of a final response >= 300 to an INVITE wins over one of a CANCEL or
 * BYE, which only fills an empty slot. */
static void _rec_reason(cor_ctx *c, _rec *r, const sip_msg *m)
{
    int final_fail = !m->is_request && m->cseq.method == SIP_M_INVITE && m->status >= 300;
    int ender = m->is_request && (m->method == SIP_M_CANCEL || m->method == SIP_M_BYE);
    if (final_fail || (ender && r->pub.reason_hdr[0] == '\0'))
        r->pub.reason_hdr = _str(c, r, 0, m->reason_hdr, NULL);
}

static void _relate(_rec *a, _rec *b)
{
    if (a == b)
        return;
    for (uint32_t i = 0; i < a->pub.nrelated; i++)
        if (a->pub.related[i] == b->pub.id)
            return;
    if (a->pub.nrelated < COR_MAX_RELATED)
        a->pub.related[a->pub.nrelated++] = b->pub.id;
    if (b->pub.nrelated < COR_MAX_RELATED)
        b->pub.related[b->pub.nrelated++] = a->pub.id;
}

/* ctx->links key of "an X-CID names the Call-ID whose table hash is h". */
static inline uint64_t _xcid_key(uint64_t call_id_hash) { return cor_mix64(call_id_hash ^ 0x78636964) | 1; }

/* A record just created by an INVITE: links it to the live record named by
 * X-CID / X-Call-ID (a Call-ID), else to the first live record with the
 * same Session-ID local UUID (RFC 7989 §6: intermediaries pass it on).
 * An X-CID naming a Call-ID not seen yet (the capture saw the B2BUA's
 * outgoing leg first) is indexed, so that Call-ID links back when it comes. */
static void _rec_link(cor_ctx *c, _rec *r, const sip_msg *m)
{
    if (c->links.n) {
        _rec *o = cor_links_find(&c->links, _xcid_key(r->hash));
        if (o != NULL)
            _relate(r, o);
    }
    ss_slice xcid = {0}, sid = {0};
    for (uint32_t i = 0; i < m->nhdr; i++) {
        if (m->hdr[i].id == SIP_H_X_CID && ss_slice_empty(xcid))
            xcid = ss_slice_trim(m->hdr[i].value);
        else if (m->hdr[i].id == SIP_H_SESSION_ID && ss_slice_empty(sid))
            sid = ss_slice_trim(m->hdr[i].value);
    }
    if (!ss_slice_empty(xcid)) {
        r->pub.link_key = _str(c, r, 0, xcid, NULL);
        uint64_t h = ss_hash_bytes(xcid.p, xcid.len, 0x63616c6c);
        _rec *o = _lookup(c, h, xcid);
        if (o != NULL)
            _relate(r, o);
        else if (cor_links_put(&c->links, _xcid_key(h), r) == 0)
            r->sid_h = _xcid_key(h);
        return;
    }
    size_t n = 0;
    while (n < sid.len && sid.p[n] != ';' && sid.p[n] != ' ' && sid.p[n] != '\t')
        n++;
    /* a null UUID (all zeros) means "not known yet" and links nothing */
    int null_uuid = 1;
    for (size_t i = 0; i < n; i++)
        null_uuid &= sid.p[i] == '0';
    if (n == 0 || null_uuid)
        return;
    ss_slice uuid = ss_slice_make(sid.p, n);
    r->pub.link_key = _str(c, r, 0, uuid, NULL);
    uint64_t h = ss_hash_bytes(uuid.p, uuid.len, 0x73657373) | 1;
    _rec *o = cor_links_find(&c->links, h);
    if (o != NULL)
        _relate(r, o);
    else if (cor_links_put(&c->links, h, r) == 0)
        r->sid_h = h;
}

void cor_message(cor_ctx *c, const sip_msg *m, const dec_payload *pl)
{
    int64_t ts = pl->ts_us;
    if (ts > c->now_us)
        c->now_us = ts;
    c->counters[COR_C_MESSAGES]++;
    c->counters[m->is_request ? COR_C_REQUESTS : COR_C_RESPONSES]++;

    cor_msg cm;
    _msg_fill(&cm, m, pl);
    _rec *r = NULL;
    int created = 0;
    if (!ss_slice_empty(m->call_id)) {
        uint64_t h = ss_hash_bytes(m->call_id.p, m->call_id.len, 0x63616c6c);
        r = _lookup(c, h, m->call_id);
        if (r == NULL && _late(c, &cm, m, h))
            return;
        if (r == NULL)
            created = (r = _rec_new(c, m, h, ts)) != NULL;
    }
    if (r == NULL) {
        /* no Call-ID (or no memory for a record): nothing to group it with */
        c->counters[COR_C_UNCORRELATED]++;
        _msg_strings(c, NULL, &cm, m);
        if (c->sink.message)
            c->sink.message(c->sink.user, &cm, NULL);
        return;
    }

    if (ts < r->pub.first_us)
        r->pub.first_us = ts;
    if (ts > r->pub.last_us)
        r->pub.last_us = ts;
    if (r->pub.user_agent[0] == '\0' && !ss_slice_empty(m->user_agent))
        r->pub.user_agent = _str(c, r, 0, m->user_agent, NULL);

    int retrans = 0;
    cor_state before = r->pub.state;
    int first = r->pub.nmsgs == 0 && r->pub.msgs_dropped == 0;
    cm.txn = _rec_update(c, r, m, pl, &retrans);
    cm.retransmission = (uint8_t)retrans;
    if (!(m->defects & (SIP_DEF_MISSING_CSEQ | SIP_DEF_BAD_CSEQ)) && m->cseq.seq > r->max_cseq)
        r->max_cseq = m->cseq.seq;
    if (!retrans)
        _sub_track(r, m);
    if (!ss_slice_empty(m->reason_hdr) && !retrans)
        _rec_reason(c, r, m);
    if (created && m->is_request && m->method == SIP_M_INVITE)
        _rec_link(c, r, m);
    if (r->pub.kind != COR_KIND_CALL)
        r->pub.state = r->open == 0 ? COR_ST_COMPLETED : COR_ST_TRYING;
    _decide_dirty(c, r);
    _act_touch(c, r);
    cm.state_changed = (uint8_t)(first || r->pub.state != before);

    const cor_msg *out = &cm;
    int keep = r->pub.nmsgs < c->cfg.max_msgs_per_record;
    _msg_strings(c, keep ? r : NULL, &cm, m);
    cor_msg *kept = keep ? _rec_keep(c, r, &cm) : NULL;
    if (cor_detail_wanted(m, retrans))
        cor_detail_message(&r->arena, &r->detail, m, kept ? (uint32_t)(kept - r->msgs) : COR_TXN_NONE, retrans);
    r->pub.detail = r->detail;
    if (kept != NULL) {
        out = kept;
    } else {
        r->pub.msgs_dropped++;
        c->counters[COR_C_MSGS_DROPPED]++;
    }
    if (c->sink.message)
        c->sink.message(c->sink.user, out, &r->pub);
}

/* ---- time ---- */

/* Deadline of the head of each list; INT64_MAX when empty. */
static int64_t _due(const cor_ctx *c, int which, _rec **out)
{
    _rec *r;
    int64_t d;
    if (which == 0) {
        r = c->active.head;
        d = r ? r->pub.last_us + (int64_t)c->cfg.idle_timeout_s * 1000000 : INT64_MAX;
    } else if (which == 1) {
        r = c->linger.head;
        d = r ? r->pub.last_us + (int64_t)c->cfg.settle_s * 1000000 : INT64_MAX;
    } else if (which == 3) {
        r = c->established.head;
        d = r ? r->pub.last_us + (int64_t)c->cfg.established_timeout_s * 1000000 : INT64_MAX;
    } else {
        r = c->pend.head;
        d = r ? r->pend_us + (int64_t)c->cfg.invite_timeout_s * 1000000 : INT64_MAX;
    }
    *out = r;
    return d;
}

void cor_advance(cor_ctx *c, int64_t now_us)
{
    if (now_us > c->now_us)
        c->now_us = now_us;
    for (;;) {
        /* earliest deadline first, so records come out in finishing order */
        _rec *best = NULL, *r;
        int64_t bd = INT64_MAX;
        int bw = 0;
        for (int w = 0; w < 4; w++) {
            int64_t d = _due(c, w, &r);
            if (r && d < bd) {
                bd = d;
                best = r;
                bw = w;
            }
        }
        if (best == NULL || bd > now_us)
            return;
        _finish(c, best, bw == 0 || bw == 3 ? _WHY_IDLE : bw == 1 ? _WHY_LINGER : _WHY_TIMER, 0);
    }
}

static int _cmp_first(const void *a, const void *b)
{
    const _rec *x = *(const _rec *const *)a, *y = *(const _rec *const *)b;
    if (x->pub.first_us != y->pub.first_us)
        return x->pub.first_us < y->pub.first_us ? -1 : 1;
    return x->pub.id < y->pub.id ? -1 : x->pub.id > y->pub.id;
}

void cor_finish(cor_ctx *c, int live)
{
    if (c->nrec == 0)
        return;
    /* Records come out by first message, then id. Creation order is id
     * order and mostly first-message order too (a record's first_us moves
     * back only when packets arrive out of time order): then no sort. */
    int64_t prev = INT64_MIN;
    _rec *r;
    for (r = c->created.head; r; r = r->link[_LINK_NEW].next) {
        if (r->pub.first_us < prev)
            break;
        prev = r->pub.first_us;
    }
    if (r == NULL) {
        while ((r = c->created.head) != NULL)
            _finish(c, r, _WHY_FINISH, live);
        return;
    }
    _rec **all = malloc(c->nrec * sizeof *all);
    size_t n = 0;
    if (all == NULL) {
        /* no memory to sort: emit in activity order rather than lose them */
        while ((r = _oldest(c)) != NULL)
            _finish(c, r, _WHY_FINISH, live);
        return;
    }
    for (r = c->created.head; r; r = r->link[_LINK_NEW].next)
        all[n++] = r;
    qsort(all, n, sizeof *all, _cmp_first);
    for (size_t i = 0; i < n; i++)
        _finish(c, all[i], _WHY_FINISH, live);
    free(all);
}

/* ---- lifecycle ---- */

int cor_create(cor_ctx **out, const cor_config *cfg, const cor_sink *sink)
{
    *out = NULL;
    cor_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return ENOMEM;
    if (cfg)
        c->cfg = *cfg;
    else
        cor_config_default(&c->cfg);
    if (sink)
        c->sink = *sink;
    cor_pool_init(&c->pool_call, COR_BLOCK_CALL);
    cor_pool_init(&c->pool_other, COR_BLOCK_OTHER);
    c->txn_cap = c->cfg.max_msgs_per_record > COR_TXN_FLOOR ? c->cfg.max_msgs_per_record : COR_TXN_FLOOR;
    c->nslots = COR_SLOTS_INITIAL;
    c->slots = calloc(c->nslots, sizeof *c->slots);
    if (c->slots == NULL || cor_distinct_init(&c->distinct) != 0) {
        cor_destroy(c);
        return ENOMEM;
    }
    *out = c;
    return 0;
}

const uint64_t *cor_counters(const cor_ctx *c) { return c->counters; }

uint64_t cor_distinct_call_ids(const cor_ctx *c, int *exact)
{
    return cor_distinct_count(&c->distinct, exact);
}

void cor_destroy(cor_ctx *c)
{
    if (c == NULL)
        return;
    if (c->slots) {
        for (size_t i = 0; i < c->nslots; i++)
            if (c->slots[i].r)
                _rec_free(c, c->slots[i].r);
        free(c->slots);
    }
    cor_distinct_free(&c->distinct);
    cor_tombs_free(&c->tombs);
    cor_links_free(&c->links);
    cor_pool_destroy(&c->pool_call);
    cor_pool_destroy(&c->pool_other);
    free(c);
}
