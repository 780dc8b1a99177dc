/* tomb.c - Call-IDs of reported records, kept for their retransmission
 * window (see cor_int.h). Linear probing with backward-shift deletion;
 * the table is rebuilt without the expired entries whenever it would pass
 * three quarters full, so it is sized by the tombstones alive, not by how
 * many ever were. */
#include <stdlib.h>
#include "cor_int.h"

#define TOMBS_MIN_CAP 1024u

static inline uint64_t _key(uint64_t h) { return h ? h : 1; } /* 0 marks an empty slot */

static inline int64_t _sec(int64_t us) { return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000); }

static int _alive(const cor_tombs *t, const cor_tomb *e, int64_t now_us)
{
    return (int64_t)e->expiry_s + t->base_s > _sec(now_us);
}

static void _place(cor_tomb *slot, size_t cap, const cor_tomb *e)
{
    size_t mask = cap - 1;
    size_t i = (size_t)e->hash & mask;
    while (slot[i].hash != 0)
        i = (i + 1) & mask;
    slot[i] = *e;
}

/* Rebuilds into a table where the live entries fill at most half, so that
 * a quarter of it is inserted before the next rebuild (at three quarters:
 * with 16-byte entries, a denser table is worth a few more probes). */
static int _rebuild(cor_tombs *t, int64_t now_us)
{
    size_t live = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i].hash != 0 && _alive(t, &t->slot[i], now_us))
            live++;
    size_t cap = TOMBS_MIN_CAP;
    while (cap < (live + 1) * 2)
        cap *= 2;
    cor_tomb *s = calloc(cap, sizeof *s);
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i].hash != 0 && _alive(t, &t->slot[i], now_us))
            _place(s, cap, &t->slot[i]);
    free(t->slot);
    t->slot = s;
    t->cap = cap;
    t->n = live;
    return 0;
}

static cor_tomb *_find(const cor_tombs *t, uint64_t h)
{
    if (t->cap == 0)
        return NULL;
    size_t mask = t->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (t->slot[i].hash == 0)
            return NULL;
        if (t->slot[i].hash == h)
            return &t->slot[i];
    }
}

int cor_tombs_put(cor_tombs *t, uint64_t hash, uint32_t max_cseq, int64_t expiry_us, int64_t now_us)
{
    uint64_t h = _key(hash);
    if (t->cap == 0)
        t->base_s = _sec(now_us) - 1;
    cor_tomb *e = _find(t, h);
    if (e == NULL) {
        if ((t->n + 1) * 4 > t->cap * 3 && _rebuild(t, now_us) != 0) {
            if (t->n + 1 >= t->cap)
                return -1; /* keep one slot empty: probes must end */
        }
        cor_tomb fresh = {.hash = h};
        _place(t->slot, t->cap, &fresh);
        t->n++;
        e = _find(t, h);
    }
    int64_t rel = _sec(expiry_us + 999999) - t->base_s; /* round up: never early */
    e->expiry_s = rel < 1 ? 1 : rel > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)rel;
    e->max_cseq = max_cseq;
    return 0;
}

const cor_tomb *cor_tombs_get(const cor_tombs *t, uint64_t hash, int64_t now_us)
{
    const cor_tomb *e = _find(t, _key(hash));
    return e && _alive(t, e, now_us) ? e : NULL;
}

void cor_tombs_del(cor_tombs *t, uint64_t hash)
{
    cor_tomb *e = _find(t, _key(hash));
    if (e == NULL)
        return;
    size_t mask = t->cap - 1;
    size_t i = (size_t)(e - t->slot);
    for (size_t j = (i + 1) & mask; t->slot[j].hash != 0; j = (j + 1) & mask) {
        size_t home = (size_t)t->slot[j].hash & mask;
        if (!cor_probe_stays(i, j, home)) {
            t->slot[i] = t->slot[j];
            i = j;
        }
    }
    t->slot[i].hash = 0;
    t->n--;
}

void cor_tombs_free(cor_tombs *t)
{
    free(t->slot);
    t->slot = NULL;
    t->cap = t->n = 0;
}
