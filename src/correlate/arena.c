/* arena.c - per-record bump allocator and the byte hash.
 *
 * A record owns everything it keeps (strings, message and transaction
 * arrays) in one arena, so finishing a record is a handful of free() calls
 * whatever it held, and correlating a message never calls malloc unless a
 * chunk is full. */
#include <stdlib.h>
#include "cor_int.h"

#define COR_ARENA_MIN_CHUNK 4096u
#define COR_ARENA_MAX_CHUNK 65536u

static inline uint64_t _load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t _load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

#define _mix cor_mum

/* rapidhash (Nicolas De Carli, MIT licence; github.com/Nicoshev/rapidhash,
 * v1), itself built on wyhash (Wang Yi, public domain): the secrets and the
 * structure are rapidhash's, the code is a transcription for byte slices.
 * One 128-bit multiply per 16 bytes: Call-IDs, tags, branches and sent-by
 * are 10-40 bytes, so a key costs 2-4 multiplies instead of the two
 * multiplies per 8 bytes the MurmurHash3-style loop took. Every load
 * stays inside p[0..len) (short keys read overlapping words). Passes
 * SMHasher, so every output bit is usable (the distinct counter takes
 * register index and rank from it). */
#define _S0 0x2d358dccaa6c78a5ull
#define _S1 0x8bb84b93962eacc9ull
#define _S2 0x4b33a62ed433d4a3ull

uint64_t cor_hash(const void *vp, size_t len, uint64_t seed)
{
    const uint8_t *p = vp;
    uint64_t a, b;
    seed ^= _mix(seed ^ _S0, _S1) ^ len;
    if (len <= 16) {
        if (len >= 4) {
            const uint8_t *last = p + len - 4;
            size_t delta = (len & 24) >> (len >> 3); /* 0 for 4-7, 4 for 8-16 */
            a = (_load32(p) << 32) | _load32(last);
            b = (_load32(p + delta) << 32) | _load32(last - delta);
        } else if (len > 0) {
            a = ((uint64_t)p[0] << 56) | ((uint64_t)p[len >> 1] << 32) | p[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = len;
        if (i > 48) {
            uint64_t s1 = seed, s2 = seed;
            do {
                seed = _mix(_load64(p) ^ _S0, _load64(p + 8) ^ seed);
                s1 = _mix(_load64(p + 16) ^ _S1, _load64(p + 24) ^ s1);
                s2 = _mix(_load64(p + 32) ^ _S2, _load64(p + 40) ^ s2);
                p += 48;
                i -= 48;
            } while (i >= 48);
            seed ^= s1 ^ s2;
        }
        if (i > 16) {
            seed = _mix(_load64(p) ^ _S2, _load64(p + 8) ^ seed ^ _S1);
            if (i > 32)
                seed = _mix(_load64(p + 16) ^ _S2, _load64(p + 24) ^ seed);
        }
        a = _load64(p + i - 16);
        b = _load64(p + i - 8);
    }
    a ^= _S1;
    b ^= seed;
    cor_mul128(a, b, &a, &b);
    return _mix(a ^ _S0 ^ len, b ^ _S1);
}

#undef _S0
#undef _S1
#undef _S2
#undef _mix

void cor_arena_init(cor_arena *a, void *buf, size_t n)
{
    a->head = NULL;
    a->last = NULL;
    a->last_size = 0;
    a->next_size = COR_ARENA_MIN_CHUNK;
    if (buf != NULL && n > sizeof(cor_arena_chunk)) {
        cor_arena_chunk *ch = buf;
        ch->next = NULL;
        ch->size = n - sizeof *ch;
        ch->used = 0;
        ch->owned = 0;
        a->head = ch;
    }
}

static inline size_t _align_up(size_t v, size_t align) { return (v + align - 1) & ~(align - 1); }

void *cor_arena_alloc(cor_arena *a, size_t size, size_t align)
{
    cor_arena_chunk *ch = a->head;
    if (ch != NULL) {
        size_t off = _align_up(ch->used, align);
        if (off <= ch->size && size <= ch->size - off) {
            ch->used = off + size;
            a->last = ch->data + off;
            a->last_size = size;
            return a->last;
        }
    }
    /* The rest of the current chunk is abandoned: records are short-lived,
     * and chunks double so the waste stays a fraction of what is kept. */
    size_t want = a->next_size;
    if (want < size)
        want = _align_up(size, 16);
    ch = malloc(sizeof *ch + want);
    if (ch == NULL)
        return NULL;
    ch->next = a->head;
    ch->size = want;
    ch->used = size;
    ch->owned = 1;
    a->head = ch;
    if (a->next_size < COR_ARENA_MAX_CHUNK)
        a->next_size *= 2;
    a->last = ch->data;
    a->last_size = size;
    return ch->data;
}

void *cor_arena_grow(cor_arena *a, void *p, size_t old, size_t new_size, size_t align)
{
    if (p != NULL && p == a->last && old == a->last_size) {
        cor_arena_chunk *ch = a->head;
        size_t off = (size_t)((unsigned char *)p - ch->data);
        if (new_size <= ch->size - off) {
            ch->used = off + new_size;
            a->last_size = new_size;
            return p;
        }
    }
    void *q = cor_arena_alloc(a, new_size, align);
    if (q != NULL && old != 0)
        memcpy(q, p, old);
    return q;
}

const char *cor_arena_strndup(cor_arena *a, const void *p, size_t len, size_t cap)
{
    if (len == 0)
        return "";
    if (len > cap)
        len = cap;
    char *s = cor_arena_alloc(a, len + 1, 1);
    if (s == NULL)
        return NULL;
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

void cor_arena_free(cor_arena *a)
{
    cor_arena_chunk *ch = a->head;
    while (ch != NULL) {
        cor_arena_chunk *next = ch->next;
        if (ch->owned)
            free(ch);
        ch = next;
    }
    a->head = NULL;
    a->last = NULL;
    a->last_size = 0;
}
