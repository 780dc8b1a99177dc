/* arena.c - per-record bump allocator.
 *
 * A record owns everything it keeps (strings, message and transaction
 * arrays) in one arena, so finishing a record is a handful of free() calls
 * whatever it held, and correlating a message never calls malloc unless a
 * chunk is full. */
#include <stdlib.h>
#include "cor_int.h"

#define COR_ARENA_MIN_CHUNK 4096u
#define COR_ARENA_MAX_CHUNK 65536u

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

void *cor_arena_alloc_chunk(cor_arena *a, size_t size)
{
    /* The rest of the current chunk is abandoned: records are short-lived,
     * and chunks double so the waste stays a fraction of what is kept. */
    size_t want = a->next_size;
    if (want < size)
        want = _align_up(size, 16);
    cor_arena_chunk *ch = malloc(sizeof *ch + want);
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
