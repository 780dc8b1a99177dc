/* distinct.c - how many distinct Call-IDs a run saw, in flat memory.
 *
 * An exact set of 64-bit hashes answers up to COR_DISTINCT_EXACT_MAX
 * entries (1 MiB of slots at most); HyperLogLog registers (p=14, 16 KiB,
 * standard error 1.04/sqrt(16384) = 0.8%) are fed from the first Call-ID so
 * that when the set is dropped the estimate already covers everything. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "cor_int.h"

#define COR_DISTINCT_INITIAL 1024u

int cor_distinct_init(cor_distinct *d)
{
    memset(d->reg, 0, sizeof d->reg);
    d->n = 0;
    d->exact = 1;
    d->cap = COR_DISTINCT_INITIAL;
    d->set = calloc(d->cap, sizeof *d->set);
    return d->set ? 0 : ENOMEM;
}

static void _set_put(uint64_t *set, size_t cap, uint64_t h)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask)
        if (set[i] == 0) {
            set[i] = h;
            return;
        }
}

static void _drop_set(cor_distinct *d)
{
    free(d->set);
    d->set = NULL;
    d->cap = 0;
    d->exact = 0;
}

/* Doubles the set, or gives it up (estimate from now on) if that fails. */
static void _set_grow(cor_distinct *d)
{
    size_t ncap = d->cap * 2;
    uint64_t *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL) {
        _drop_set(d);
        return;
    }
    for (size_t i = 0; i < d->cap; i++)
        if (d->set[i])
            _set_put(ns, ncap, d->set[i]);
    free(d->set);
    d->set = ns;
    d->cap = ncap;
}

void cor_distinct_add(cor_distinct *d, uint64_t h)
{
    /* register index from the top bits, rank from the rest */
    uint32_t idx = (uint32_t)(h >> (64 - COR_HLL_P));
    uint64_t w = h << COR_HLL_P;
    uint8_t rank = w ? (uint8_t)(__builtin_clzll(w) + 1) : (uint8_t)(64 - COR_HLL_P + 1);
    if (rank > d->reg[idx])
        d->reg[idx] = rank;

    if (!d->exact)
        return;
    if (h == 0)
        h = 1; /* 0 marks an empty slot */
    size_t mask = d->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (d->set[i] == h)
            return;
        if (d->set[i] == 0)
            break;
    }
    if (d->n + 1 > COR_DISTINCT_EXACT_MAX) {
        _drop_set(d);
        return;
    }
    _set_put(d->set, d->cap, h);
    d->n++;
    if (d->n * 2 > d->cap)
        _set_grow(d);
}

uint64_t cor_distinct_count(const cor_distinct *d, int *exact)
{
    if (d->exact) {
        if (exact)
            *exact = 1;
        return d->n;
    }
    if (exact)
        *exact = 0;
    double m = (double)COR_HLL_M, sum = 0.0;
    unsigned zeros = 0;
    for (size_t i = 0; i < COR_HLL_M; i++) {
        sum += ldexp(1.0, -(int)d->reg[i]);
        zeros += d->reg[i] == 0;
    }
    double alpha = 0.7213 / (1.0 + 1.079 / m);
    double e = alpha * m * m / sum;
    /* small-range correction (linear counting), Flajolet et al. 2007 */
    if (e <= 2.5 * m && zeros != 0)
        e = m * log(m / (double)zeros);
    return (uint64_t)(e + 0.5);
}

void cor_distinct_free(cor_distinct *d)
{
    free(d->set);
    d->set = NULL;
    d->cap = 0;
}
