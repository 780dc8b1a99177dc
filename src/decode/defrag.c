/* defrag.c - IPv4 and IPv6 fragment reassembly.
 *
 * Large INVITEs with SDP (and everything over a small MTU) arrive in
 * fragments. A datagram is keyed by (family, src, dst, id, proto); its
 * fragments are copied as they come, in any order. It is rebuilt once the
 * fragments cover [0, total) with no hole, overlaps resolved first come
 * first served (differing overlapped bytes are counted: they are the mark
 * of an evasion attempt or a broken stack). Incomplete datagrams expire
 * after frag_timeout_s of capture time; pending datagrams and fragments
 * per datagram are capped. A rebuilt datagram leaves a small trace (key and
 * a hash of each of its first fragments) in a direct-mapped table, so a
 * copy of one of its fragments arriving later is counted as a duplicate
 * instead of opening a datagram that could only time out.
 *
 * A datagram keeps the fragments it waits with in one store of its own,
 * appended in arrival order (the record and its store are kept for the next
 * datagram, so the usual traffic mallocs nothing per datagram). When they
 * came in order, each starting where the one before ended (a sender's
 * usual order), the store already is the datagram: the completing fragment
 * is appended and the store handed on, without assembling a copy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode_int.h"

#define _BORROWED UINT32_MAX

typedef struct _frag {
    uint32_t off, len;
    uint32_t at; /* its bytes in the datagram's store; _BORROWED: the completing
                  * fragment, still in the packet */
} _frag;

typedef struct _dgram {
    struct _dgram *next, *prev; /* age order: head is oldest */
    struct _dgram *hnext;       /* hash chain */
    uint8_t family, proto;
    uint8_t src[16], dst[16];
    uint32_t id;
    unsigned bucket; /* its hash chain, so unlinking needs no rehash */
    int64_t first_us;
    uint32_t total; /* from the last fragment; 0 until seen */
    uint32_t nfrag;
    uint8_t in_order; /* every stored fragment sits at its own offset (at == off) */
    uint8_t *store;   /* fragment bytes; kept, with its capacity, when the record is reused */
    uint32_t store_used, store_cap;
    _frag frag[];   /* cfg.frag_max_per_datagram */
} _dgram;

#define _BUCKETS 1024
#define _DONE_FRAGS 8 /* fragments remembered per rebuilt datagram */

/* A rebuilt datagram, remembered for the fragment timeout. */
typedef struct _done {
    uint8_t family, proto;
    uint8_t nfrag;
    uint8_t src[16], dst[16];
    uint32_t id;
    int64_t done_us;
    uint64_t frag_hash[_DONE_FRAGS]; /* offset, length and bytes of each */
} _done;

/* The largest datagram dec_defrag_add accepts (offset + length). */
#define _MAX_DGRAM (65535 + 40)

struct dec_defrag {
    _dgram *bucket[_BUCKETS];
    _done done[_BUCKETS]; /* by the same hash as bucket; a collision overwrites */
    _dgram *head, *tail;
    uint32_t pending, max_pending, max_frags;
    int64_t timeout_us;
    /* Rebuilt datagrams are assembled here rather than in a malloc per
     * datagram; busy while one is being decoded, since a tunnelled packet
     * inside it may be fragmented too (that one gets its own buffer). */
    int rebuild_busy;
    /* One datagram record kept for the next one: with max_frags fragment
     * slots it is too large for malloc's per-thread cache, and the usual
     * traffic has one datagram pending at a time. */
    _dgram *spare;
    uint8_t rebuild[_MAX_DGRAM];
};

int dec_defrag_create(dec_defrag **out, const dec_config *cfg)
{
    dec_defrag *f = calloc(1, sizeof *f);
    if (f == NULL)
        return ENOMEM;
    f->max_pending = cfg->frag_max_pending ? cfg->frag_max_pending : 4096;
    f->max_frags = cfg->frag_max_per_datagram ? cfg->frag_max_per_datagram : 64;
    f->timeout_us = (int64_t)(cfg->frag_timeout_s ? cfg->frag_timeout_s : 30) * 1000000;
    *out = f;
    return 0;
}

static unsigned _hash(const uint8_t *src, const uint8_t *dst, uint32_t id, uint8_t proto)
{
    uint8_t key[32];
    memcpy(key, src, 16);
    memcpy(key + 16, dst, 16);
    uint64_t h = ss_hash_bytes(key, sizeof key, (uint64_t)id << 8 | proto);
    return (unsigned)(h & (_BUCKETS - 1));
}

static void _unlink(dec_defrag *f, _dgram *g)
{
    if (g->prev)
        g->prev->next = g->next;
    else
        f->head = g->next;
    if (g->next)
        g->next->prev = g->prev;
    else
        f->tail = g->prev;
    _dgram **pp = &f->bucket[g->bucket];
    while (*pp && *pp != g)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = g->hnext;
    f->pending--;
}

static void _free_dgram(dec_defrag *f, _dgram *g)
{
    if (f->spare == NULL) {
        f->spare = g;
    } else {
        free(g->store);
        free(g);
    }
}

/* Room for n more bytes in g's store. Returns 0, or -1 without memory. */
static int _store_reserve(_dgram *g, uint32_t n)
{
    if (g->store_cap - g->store_used >= n)
        return 0;
    size_t cap = g->store_cap ? g->store_cap : 2048;
    while (cap - g->store_used < n)
        cap *= 2;
    uint8_t *s = realloc(g->store, cap);
    if (s == NULL)
        return -1;
    g->store = s;
    g->store_cap = (uint32_t)cap;
    return 0;
}

/* The bytes of fragment fr of g; pkt: the packet's, for the borrowed one.
 * (No store yet means only empty fragments were stored.) */
static const uint8_t *_frag_bytes(const _dgram *g, const _frag *fr, const uint8_t *pkt)
{
    return fr->at == _BORROWED || g->store == NULL ? pkt : g->store + fr->at;
}

/* 1 when the fragments cover [0, total) without a hole. */
static int _complete(const _dgram *g)
{
    if (g->total == 0)
        return 0;
    uint32_t covered = 0;
    for (;;) {
        uint32_t best = covered;
        for (uint32_t i = 0; i < g->nfrag; i++)
            if (g->frag[i].off <= covered && g->frag[i].off + g->frag[i].len > best)
                best = g->frag[i].off + g->frag[i].len;
        if (best == covered)
            return 0;
        covered = best;
        if (covered >= g->total)
            return 1;
    }
}

/* Rebuilds the payload into buf (g->total bytes), earliest fragment winning
 * where they overlap.
 * Fragment i is copied except where an earlier one already covered;
 * there its bytes are compared instead (a difference is counted as an
 * overlap). The usual datagram has no overlap: one memcpy per fragment. */
static void _assemble(dec_ctx *d, const _dgram *g, const uint8_t *pkt, uint8_t *buf)
{
    int differ = 0;
    for (uint32_t i = 0; i < g->nfrag; i++) {
        const _frag *fr = &g->frag[i];
        const uint8_t *data = _frag_bytes(g, fr, pkt);
        uint32_t end = fr->off + fr->len < g->total ? fr->off + fr->len : g->total;
        uint32_t pos = fr->off;
        while (pos < end) {
            /* an earlier fragment covering pos, else where the next one starts */
            uint32_t covered_to = 0, next = end;
            for (uint32_t j = 0; j < i; j++) {
                uint32_t a = g->frag[j].off, b = g->frag[j].off + g->frag[j].len;
                if (a <= pos && pos < b && b > covered_to)
                    covered_to = b;
                else if (a > pos && a < next)
                    next = a;
            }
            if (covered_to > pos) {
                uint32_t stop = covered_to < end ? covered_to : end;
                differ |= memcmp(buf + pos, data + (pos - fr->off), stop - pos) != 0;
                pos = stop;
            } else {
                memcpy(buf + pos, data + (pos - fr->off), next - pos);
                pos = next;
            }
        }
    }
    if (differ)
        d->c[DEC_C_FRAG_OVERLAP]++;
}

static uint64_t _frag_hash(uint32_t offset, size_t len, const uint8_t *p)
{
    return ss_hash_bytes(p, len, (uint64_t)offset << 32 | (uint32_t)len);
}

/* 1 when the fragment is a copy of one of a datagram rebuilt less than the
 * timeout ago (same key, offset, length and bytes). */
static int _late_duplicate(const dec_defrag *f, unsigned b, const dec_pkt *pk, uint32_t id,
                           uint8_t proto, uint32_t offset, const uint8_t *p, size_t len)
{
    const _done *e = &f->done[b];
    if (e->nfrag == 0 || e->id != id || e->proto != proto || e->family != pk->src.family ||
        memcmp(e->src, pk->src.ip, 16) != 0 || memcmp(e->dst, pk->dst.ip, 16) != 0)
        return 0;
    if (pk->frame->ts_us < e->done_us ||
        (uint64_t)pk->frame->ts_us - (uint64_t)e->done_us > (uint64_t)f->timeout_us)
        return 0;
    uint64_t h = _frag_hash(offset, len, p);
    for (unsigned i = 0; i < e->nfrag; i++)
        if (e->frag_hash[i] == h)
            return 1;
    return 0;
}

static void _remember(dec_defrag *f, unsigned b, const _dgram *g, const uint8_t *pkt,
                      int64_t now_us)
{
    _done *e = &f->done[b];
    e->family = g->family;
    e->proto = g->proto;
    e->id = g->id;
    memcpy(e->src, g->src, 16);
    memcpy(e->dst, g->dst, 16);
    e->done_us = now_us;
    e->nfrag = (uint8_t)(g->nfrag < _DONE_FRAGS ? g->nfrag : _DONE_FRAGS);
    for (unsigned i = 0; i < e->nfrag; i++)
        e->frag_hash[i] = _frag_hash(g->frag[i].off, g->frag[i].len, _frag_bytes(g, &g->frag[i], pkt));
}

void dec_defrag_add(dec_ctx *d, dec_pkt *pk, uint32_t id, uint8_t proto, uint32_t offset, int more,
                    const uint8_t *p, size_t len)
{
    dec_defrag *f = d->defrag;
    d->c[DEC_C_FRAGMENTS]++;
    if (offset + len > _MAX_DGRAM) { /* no datagram is that long */
        d->c[DEC_C_BAD_IP]++;
        return;
    }
    unsigned b = _hash(pk->src.ip, pk->dst.ip, id, proto);
    _dgram *g = f->bucket[b];
    while (g && !(g->id == id && g->proto == proto && g->family == pk->src.family &&
                  memcmp(g->src, pk->src.ip, 16) == 0 && memcmp(g->dst, pk->dst.ip, 16) == 0))
        g = g->hnext;
    if (g == NULL) {
        if (_late_duplicate(f, b, pk, id, proto, offset, p, len)) {
            d->c[DEC_C_FRAG_DUPLICATE]++;
            return;
        }
        if (f->pending >= f->max_pending) {
            /* make room: the oldest pending datagram is the least likely to complete */
            _dgram *old = f->head;
            _unlink(f, old);
            d->c[DEC_C_FRAG_CAP] += old->nfrag;
            _free_dgram(f, old);
        }
        /* frag[] is written as fragments come: only the header is zeroed,
         * all but the store a reused record brings along */
        uint8_t *store = NULL;
        uint32_t store_cap = 0;
        if (f->spare) {
            g = f->spare;
            f->spare = NULL;
            store = g->store;
            store_cap = g->store_cap;
        } else {
            g = malloc(sizeof *g + f->max_frags * sizeof(_frag));
            if (g == NULL) {
                d->c[DEC_C_FRAG_CAP]++;
                return;
            }
        }
        memset(g, 0, sizeof *g);
        g->store = store;
        g->store_cap = store_cap;
        g->in_order = 1;
        g->bucket = b;
        g->family = pk->src.family;
        g->proto = proto;
        g->id = id;
        memcpy(g->src, pk->src.ip, 16);
        memcpy(g->dst, pk->dst.ip, 16);
        g->first_us = pk->frame->ts_us;
        g->hnext = f->bucket[b];
        f->bucket[b] = g;
        g->prev = f->tail;
        if (f->tail)
            f->tail->next = g;
        else
            f->head = g;
        f->tail = g;
        f->pending++;
    }
    if (g->nfrag >= f->max_frags) {
        d->c[DEC_C_FRAG_CAP]++;
        return;
    }
    /* an exact duplicate adds nothing */
    for (uint32_t i = 0; i < g->nfrag; i++)
        if (g->frag[i].off == offset && g->frag[i].len == len &&
            (len == 0 || memcmp(_frag_bytes(g, &g->frag[i], p), p, len) == 0)) {
            d->c[DEC_C_FRAG_DUPLICATE]++;
            return;
        }
    /* The fragment borrows the packet's bytes until we know whether it
     * completes the datagram: the one that does (usually the last) is
     * stored only when that makes the store the datagram itself. */
    _frag *fr = &g->frag[g->nfrag++];
    *fr = (_frag){(uint32_t)offset, (uint32_t)len, _BORROWED};
    uint32_t total_before = g->total;
    if (!more)
        g->total = offset + (uint32_t)len;
    int in_place = g->in_order && offset == g->store_used; /* it continues the store */
    if (!_complete(g)) {
        if (_store_reserve(g, (uint32_t)len) != 0) {
            g->nfrag--;
            g->total = total_before;
            d->c[DEC_C_FRAG_CAP]++;
            return;
        }
        if (len)
            memcpy(g->store + g->store_used, p, len);
        fr->at = g->store_used;
        g->store_used += (uint32_t)len;
        g->in_order = (uint8_t)in_place;
        return;
    }

    uint32_t total = g->total;
    int own = 0;
    uint8_t *buf;
    if (in_place && offset + len == total && _store_reserve(g, (uint32_t)len) == 0) {
        /* in order from 0 to the end: no overlap is possible, and the
         * store plus this fragment is the datagram */
        if (len)
            memcpy(g->store + g->store_used, p, len);
        fr->at = g->store_used;
        g->store_used += (uint32_t)len;
        buf = g->store;
    } else {
        own = f->rebuild_busy;
        buf = own ? malloc(total) : f->rebuild;
        if (buf != NULL)
            _assemble(d, g, p, buf);
    }
    _remember(f, b, g, p, pk->frame->ts_us);
    _unlink(f, g);
    if (buf == NULL) {
        _free_dgram(f, g);
        d->c[DEC_C_FRAG_CAP]++;
        return;
    }
    d->c[DEC_C_FRAG_REASSEMBLED]++;
    uint32_t saved = pk->flags;
    pk->flags |= DEC_PL_IP_REASSEMBLED;
    int uses_rebuild = buf == f->rebuild;
    f->rebuild_busy += uses_rebuild;
    dec_ip_payload(d, pk, proto, buf, total);
    f->rebuild_busy -= uses_rebuild;
    pk->flags = saved;
    if (own)
        free(buf);
    /* only now: a datagram rebuilt in its own store is decoded from it, and
     * fragments inside it (a fragmented tunnel) must not take the record */
    _free_dgram(f, g);
}

void dec_defrag_advance(dec_ctx *d, int64_t now_us)
{
    dec_defrag *f = d->defrag;
    /* unsigned difference: capture timestamps may be anything, and
     * dec_finish passes INT64_MAX */
    while (f->head && now_us > f->head->first_us &&
           (uint64_t)now_us - (uint64_t)f->head->first_us > (uint64_t)f->timeout_us) {
        _dgram *g = f->head;
        _unlink(f, g);
        d->c[DEC_C_FRAG_TIMEOUT]++;
        _free_dgram(f, g);
    }
}

void dec_defrag_destroy(dec_defrag *f)
{
    if (f == NULL)
        return;
    while (f->head) {
        _dgram *g = f->head;
        _unlink(f, g);
        _free_dgram(f, g);
    }
    if (f->spare)
        free(f->spare->store);
    free(f->spare);
    free(f);
}
