/* cor_int.h - internals of the correlator shared by its files: the
 * per-record arena, the distinct Call-ID counter and the byte hash. Not
 * part of the public interface (include/sipscope/correlate.h). */
#ifndef SIPSCOPE_COR_INT_H
#define SIPSCOPE_COR_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "sipscope/sip.h"

/* ---- hashing ---- */

/* Bytes hash with ss_hash_bytes (slice.h): well mixed in every bit (the
 * distinct counter takes register index and rank from it). */

/* Final avalanche of a 64-bit value (MurmurHash3 fmix64). */
static inline uint64_t cor_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* ---- short literal compares ---- */

static inline uint64_t cor_load64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t cor_load32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint16_t cor_load16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* p[0..n) equals lit[0..n): the known strings (method names, reason
 * phrases, content types) and the Call-ID are compared for every message,
 * and most are at most 32 bytes, so overlapping word loads from each side
 * replace a memcmp call or a byte loop. Every load stays inside the n bytes. */
static inline int cor_eq_bytes(const uint8_t *p, const char *lit, size_t n)
{
    if (n > 32)
        return memcmp(p, lit, n) == 0;
    if (n > 16)
        return cor_load64(p) == cor_load64(lit) && cor_load64(p + 8) == cor_load64(lit + 8) &&
               cor_load64(p + n - 16) == cor_load64(lit + n - 16) &&
               cor_load64(p + n - 8) == cor_load64(lit + n - 8);
    if (n >= 8)
        return cor_load64(p) == cor_load64(lit) && cor_load64(p + n - 8) == cor_load64(lit + n - 8);
    if (n >= 4)
        return cor_load32(p) == cor_load32(lit) && cor_load32(p + n - 4) == cor_load32(lit + n - 4);
    if (n >= 2)
        return cor_load16(p) == cor_load16(lit) && cor_load16(p + n - 2) == cor_load16(lit + n - 2);
    return n == 0 || p[0] == (uint8_t)lit[0];
}

/* Backward-shift deletion in a linear-probing table (no deleted markers,
 * so probes stay short however many entries come and go): with the hole
 * at i, the entry at j whose home slot is `home` stays put when its home
 * lies cyclically in (i, j]; otherwise it moves back into the hole. */
static inline int cor_probe_stays(size_t i, size_t j, size_t home)
{
    return i <= j ? (home > i && home <= j) : (home > i || home <= j);
}

/* ---- arena: bump allocation in chunks, freed all at once ---- */

typedef struct cor_arena_chunk {
    struct cor_arena_chunk *next; /* older chunk */
    size_t size;                  /* bytes in data */
    size_t used;
    size_t owned;                 /* 1: malloc'd by the arena; 0: caller's buffer */
    unsigned char data[];         /* offset 32: 16-aligned when the chunk is */
} cor_arena_chunk;

typedef struct cor_arena {
    cor_arena_chunk *head; /* allocations come from here; older chunks follow */
    void *last;            /* most recent allocation, which may grow in place */
    size_t last_size;
    size_t next_size;      /* data bytes of the next chunk */
} cor_arena;

/* Starts an arena whose first chunk lives in buf[0..n) (16-aligned, owned by
 * the caller; n may be 0 with buf NULL). Never fails. */
void cor_arena_init(cor_arena *a, void *buf, size_t n);

/* The part of cor_arena_alloc that takes a new chunk (the current one has
 * no room): out of line, so the usual bump needs no call. */
void *cor_arena_alloc_chunk(cor_arena *a, size_t size);

/* size bytes aligned to align (a power of two <= 16). Returns NULL when
 * malloc fails; the arena stays usable. */
static inline void *cor_arena_alloc(cor_arena *a, size_t size, size_t align)
{
    cor_arena_chunk *ch = a->head;
    if (ch != NULL) {
        size_t off = (ch->used + align - 1) & ~(align - 1);
        if (off <= ch->size && size <= ch->size - off) {
            ch->used = off + size;
            a->last = ch->data + off;
            a->last_size = size;
            return a->last;
        }
    }
    return cor_arena_alloc_chunk(a, size);
}

/* Grows the block p (old bytes) to new bytes: in place when p is the last
 * allocation and its chunk has room, else into a fresh block with the
 * contents copied (the old block stays until the arena is freed). p may be
 * NULL with old 0. Returns NULL on ENOMEM with p untouched. */
void *cor_arena_grow(cor_arena *a, void *p, size_t old, size_t new_size, size_t align);

/* NUL-terminated copy of at most cap bytes of p[0..len) (bytes as they
 * are). Returns "" (static) for len 0, NULL on ENOMEM. */
const char *cor_arena_strndup(cor_arena *a, const void *p, size_t len, size_t cap);

/* Frees every chunk the arena allocated; the caller's first buffer is left. */
void cor_arena_free(cor_arena *a);

/* ---- pool: record blocks that never straddle a page (pool.c) ---- */

/* 1 when every block is its own aligned_alloc (AddressSanitizer builds, so
 * the sanitizer sees each record's lifetime); blocks then come back in no
 * particular order. */
#if defined(__SANITIZE_ADDRESS__)
#define COR_POOL_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COR_POOL_MALLOC 1
#endif
#endif
#ifndef COR_POOL_MALLOC
#define COR_POOL_MALLOC 0
#endif

typedef struct cor_pool {
    size_t block;            /* bytes per block: a power of two, at most 4096 */
    char *cur, *end;         /* the rest of the newest slab */
    void **free;             /* freed blocks, reused last in first out */
    size_t nfree, free_cap;
    void **slabs;            /* every slab, for cor_pool_destroy */
    size_t nslabs, slabs_cap;
} cor_pool;

void cor_pool_init(cor_pool *p, size_t block);
/* A block-aligned block of p->block bytes, contents undefined; NULL on ENOMEM. */
void *cor_pool_get(cor_pool *p);
void cor_pool_put(cor_pool *p, void *b);
/* Returns every slab; blocks still out become invalid. */
void cor_pool_destroy(cor_pool *p);

/* ---- distinct Call-IDs: exact set, then HyperLogLog ---- */

#define COR_DISTINCT_EXACT_MAX 32768u /* exact entries kept before switching (the set then
                                        * takes 512 KB: capped low so peak memory stays flat) */
#define COR_HLL_P 14
#define COR_HLL_M (1u << COR_HLL_P)

typedef struct cor_distinct {
    uint64_t *set;  /* open addressing over hashes (0 = empty); NULL once estimating */
    size_t cap;     /* slots, a power of two */
    size_t n;       /* distinct hashes in set */
    int exact;      /* 1 while set holds everything seen */
    uint8_t reg[COR_HLL_M]; /* HyperLogLog registers, fed from the start */
} cor_distinct;

/* Returns 0 or ENOMEM. */
int cor_distinct_init(cor_distinct *d);
/* Adds one 64-bit hash. Falls back to the estimate if the set cannot grow. */
void cor_distinct_add(cor_distinct *d, uint64_t h);
/* Exact count while *exact is 1, else the HyperLogLog estimate. */
uint64_t cor_distinct_count(const cor_distinct *d, int *exact);
void cor_distinct_free(cor_distinct *d);

/* ---- tombstones: Call-IDs of records already reported ---- */

/* A finished record is reported once it has been quiet for settle_s; its
 * Call-ID is then remembered, as a hash and the highest CSeq it saw, until
 * its RFC 3261 retransmission window (linger_s) closes, so that a late
 * retransmission is told from a new flow reusing the Call-ID without
 * keeping the record. 16 bytes each, open addressing; expired entries go
 * when the table would grow, so its size follows the tombstones alive
 * (records finished in the last linger_s), not the capture's length. */
typedef struct cor_tomb {
    uint64_t hash;      /* 0 = empty */
    uint32_t max_cseq;
    uint32_t expiry_s;  /* capture second, relative to cor_tombs.base_s */
} cor_tomb;

typedef struct cor_tombs {
    cor_tomb *slot;
    size_t cap, n;      /* cap: a power of two, or 0 before the first insert */
    int64_t base_s;
} cor_tombs;

/* Remembers hash until capture time expiry_us. Returns 0, or -1 without
 * memory (the Call-ID is then forgotten early: a late retransmission
 * would start a new record, nothing worse). */
int cor_tombs_put(cor_tombs *t, uint64_t hash, uint32_t max_cseq, int64_t expiry_us, int64_t now_us);
/* The tombstone of hash alive at now_us, or NULL. */
const cor_tomb *cor_tombs_get(const cor_tombs *t, uint64_t hash, int64_t now_us);
void cor_tombs_del(cor_tombs *t, uint64_t hash);
void cor_tombs_free(cor_tombs *t);
/* ---- B2BUA links: Session-ID hash -> live record (links.c) ---- */

typedef struct cor_link_slot {
    uint64_t h;
    void *rec; /* NULL = empty */
} cor_link_slot;

typedef struct cor_links {
    cor_link_slot *slot; /* open addressing, load <= 1/2 */
    size_t cap, n;
} cor_links;

/* Adds h -> rec (h may repeat). Returns 0, or -1 on ENOMEM (not added). */
int cor_links_put(cor_links *l, uint64_t h, void *rec);
/* A record added with h, or NULL. */
void *cor_links_find(const cor_links *l, uint64_t h);
/* Removes the entry h -> rec if present. */
void cor_links_del(cor_links *l, uint64_t h, const void *rec);
void cor_links_free(cor_links *l);
/* ---- conversation detail (detail.c) ---- */

struct cor_detail;
/* Derives what message m says (registration binding, subscription state,
 * SDP offer/answer, ...) into *slot, allocated in a on first need; msg is
 * its index among the record's kept messages (UINT32_MAX when not kept). */
void cor_detail_message(cor_arena *a, struct cor_detail **slot, const sip_msg *m, uint32_t msg,
                        int retrans);

/* 0 when cor_detail_message has nothing to take from m: inline, so that
 * the correlator skips the call for most messages (provisional responses,
 * ACK and BYE without a body, ...). */
static inline int cor_detail_wanted(const sip_msg *m, int retrans)
{
    if (retrans)
        return 0;
    sip_method method = m->is_request ? m->method : m->cseq.method;
    switch (method) {
    case SIP_M_INVITE:
    case SIP_M_ACK:
    case SIP_M_UPDATE:
    case SIP_M_PRACK:
        /* only SDP, in-dialog requests and failures carry something */
        return !(m->body.len == 0 && !(m->is_request && m->to.tag.len && method != SIP_M_ACK) &&
                 (m->is_request || m->status < 300));
    case SIP_M_REGISTER:
    case SIP_M_SUBSCRIBE:
    case SIP_M_NOTIFY:
    case SIP_M_BENOTIFY:
    case SIP_M_REFER:
    case SIP_M_MESSAGE:
    case SIP_M_INFO:
    case SIP_M_SERVICE:
    case SIP_M_NEGOTIATE:
        return 1;
    default:
        return !m->is_request && m->status >= 300;
    }
}

#endif
