/* pool.c - records in blocks that never straddle a page.
 *
 * A finished record is read whole by the sinks (statistics, metrics,
 * conversation summary) once it has been quiet for the settle time: seconds
 * of capture, tens of megabytes of other traffic later. By then its lines
 * have left the caches and its pages the TLB, and a record that spans two
 * pages costs two page walks where one would do. malloc puts a 3.7 KB record
 * across a page boundary nine times in ten (3.7 KB of every 4 KB). Measured
 * on udp-20k (perf, cpu-clock): the sinks' first loads of a record took
 * 5.7 % of the run with malloc'd records and 2.8 % with page-aligned ones
 * (aligned_alloc); with this pool the run is 2.5 % shorter (92.3 -> 89.9
 * ms), part of the stall now falling on the record's first touch when it
 * finishes. Prefetching the next records' lines while one was reported did
 * not help at all; loading a byte of each of their pages only moved the
 * stall.
 *
 * So records come from blocks of a power-of-two size (at most a page) cut
 * from page-aligned slabs. Free blocks are reused last in, first out: the
 * block freed last is the one most likely still cached. Fresh slab pages
 * are made present 64 KiB at a time (MADV_POPULATE_WRITE, Linux 5.14)
 * rather than by one page fault each; where the kernel does not know it the
 * pages fault in as usual. Like the heap, the pool holds at most the peak
 * of live records; slabs go back to the system when it is destroyed.
 *
 * Slabs are not advised to be transparent huge pages (MADV_HUGEPAGE),
 * though one TLB entry per 512 records and one fault per slab made the
 * median run up to 3 % shorter: on this project's VM the huge pages also made
 * one run in three or four slow, now and then by seconds. Release builds
 * with and without the advice, alternating (2026-11-22): udp-20k median
 * 72.8 vs 72.5 ms, 90th percentile 115.1 vs 77.0 ms, runs over 80 ms 13 vs
 * 2 of 41; again 69.3 vs 71.3, 81.2 vs 75.1 ms, 5 vs 0 of 41; udp-frag-20k
 * 89.8 vs 91.3 median, 114.5 vs 93.6 p90, 245.5 vs 97.1 ms worst (31 runs);
 * tcp-20k 86.2 vs 88.0, 126.4 vs 98.4, 243.1 vs 124.5 ms (31); udp-200k
 * 634 vs 635 ms median, worst 2,138 vs 674 ms (9). perf put a slow run's
 * time in the kernel zeroing pages (clear_page_erms). Without the advice
 * peak RSS is lower too (udp-200k 26.6 vs 28.1 MB). The system's THP
 * policy still applies ("always" may back slabs with huge pages).
 *
 * Under AddressSanitizer every block is its own aligned_alloc, so the
 * sanitizer sees each record's lifetime; under valgrind the blocks are
 * announced to memcheck as heap blocks for the same reason. */
#include <stdlib.h>
#include <sys/mman.h>
#include "cor_int.h"

#if !COR_POOL_MALLOC && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define _POOL_VALGRIND 1
#endif
#endif

#define _SLAB_BYTES ((size_t)1 << 21) /* 2 MiB: few mappings for the live records */
#define _PAGE 4096u
#define _POPULATE_BYTES ((size_t)1 << 16)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* A page-aligned slab (mmap's alignment is all a block needs). */
static void *_slab_map(void)
{
    void *s = mmap(NULL, _SLAB_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return s == MAP_FAILED ? NULL : s;
}

void cor_pool_init(cor_pool *p, size_t block)
{
    /* a power of two no larger than a page: a block never crosses one */
    if (block == 0 || block > _PAGE || (block & (block - 1)) != 0)
        abort();
    memset(p, 0, sizeof *p);
    p->block = block;
}

/* Appends x to a growable pointer array; -1 on ENOMEM. */
static int _push(void ***v, size_t *n, size_t *cap, void *x)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        void **nv = realloc(*v, nc * sizeof *nv);
        if (nv == NULL)
            return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = x;
    return 0;
}

void *cor_pool_get(cor_pool *p)
{
#if COR_POOL_MALLOC
    return aligned_alloc(p->block, p->block);
#else
    void *b;
    if (p->nfree) {
        b = p->free[--p->nfree];
    } else {
        if (p->cur == p->end) {
            void *s = _slab_map();
            if (s == NULL)
                return NULL;
            if (_push(&p->slabs, &p->nslabs, &p->slabs_cap, s) != 0) {
                munmap(s, _SLAB_BYTES);
                return NULL;
            }
            p->cur = s;
            p->end = p->cur + _SLAB_BYTES;
        }
        b = p->cur;
        if (((uintptr_t)b & (_POPULATE_BYTES - 1)) == 0)
            (void)madvise(b, _POPULATE_BYTES, MADV_POPULATE_WRITE);
        p->cur += p->block;
    }
#ifdef _POOL_VALGRIND
    VALGRIND_MALLOCLIKE_BLOCK(b, p->block, 0, 0);
#endif
    return b;
#endif
}

void cor_pool_put(cor_pool *p, void *b)
{
    if (b == NULL)
        return;
#if COR_POOL_MALLOC
    free(b);
#else
#ifdef _POOL_VALGRIND
    VALGRIND_FREELIKE_BLOCK(b, 0);
#endif
    /* The free list lives outside the blocks: a freed block is never
     * written, so memcheck can hold it inaccessible. If the list cannot
     * grow the block is lost to the pool until it is destroyed. */
    (void)_push(&p->free, &p->nfree, &p->free_cap, b);
#endif
}

void cor_pool_destroy(cor_pool *p)
{
    for (size_t i = 0; i < p->nslabs; i++)
        munmap(p->slabs[i], _SLAB_BYTES);
    free(p->slabs);
    free(p->free);
    memset(p, 0, sizeof *p);
}

_Static_assert(_SLAB_BYTES % _POPULATE_BYTES == 0 && _POPULATE_BYTES % _PAGE == 0,
               "slabs are whole populate steps, which are whole pages");
