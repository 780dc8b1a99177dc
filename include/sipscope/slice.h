/* slice.h - zero-copy byte ranges and the bounds-checked cursor every
 * decoder reads packet bytes through.
 *
 * A slice points into a buffer owned by someone else (libpcap's packet
 * buffer, a reassembled TCP/IP buffer). It is valid only while that buffer
 * lives; copy what must outlive the packet.
 *
 * The cursor is the only way decoders touch wire bytes: every getter checks
 * the remaining length and fails with -1 (leaving the cursor untouched)
 * instead of reading past the end. Wire structs are never dereferenced. */
#ifndef SIPSCOPE_SLICE_H
#define SIPSCOPE_SLICE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ss_slice {
    const uint8_t *p;
    size_t len;
} ss_slice;

#define SS_SLICE_NULL ((ss_slice){NULL, 0})
#define SS_SLICE_LIT(s) ((ss_slice){(const uint8_t *)(s), sizeof(s) - 1})

static inline ss_slice ss_slice_make(const void *p, size_t len)
{
    ss_slice s = {(const uint8_t *)p, len};
    return s;
}

static inline int ss_slice_empty(ss_slice s) { return s.p == NULL || s.len == 0; }

/* 1 when the two slices hold the same bytes. */
static inline int ss_slice_eq(ss_slice a, ss_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* 1 when the slice equals the NUL-terminated string, ASCII case-insensitively. */
int ss_slice_ieq_str(ss_slice a, const char *s);

/* 1 when the two slices are equal ASCII case-insensitively. */
int ss_slice_ieq(ss_slice a, ss_slice b);

/* Strips leading and trailing SP, HTAB, CR and LF (folded header values). */
ss_slice ss_slice_trim(ss_slice s);

/* Copies at most n-1 bytes into buf and NUL-terminates; returns buf.
 * Bytes are copied as they are: callers that print must sanitize. */
char *ss_slice_to_cstr(ss_slice s, char *buf, size_t n);

/* 64x64 -> 128-bit product as its low and high halves: one instruction
 * where the compiler has a 128-bit type, 32-bit halves elsewhere. */
static inline void ss_mul128(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
#ifdef __SIZEOF_INT128__
    __extension__ unsigned __int128 r = (unsigned __int128)a * b;
    *lo = (uint64_t)r;
    *hi = (uint64_t)(r >> 64);
#else
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    *lo = (mid << 32) | (uint32_t)ll;
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* The 128-bit product folded to 64 bits (low half xor high half): the
 * mixing step of wyhash/rapidhash (ss_hash_bytes). Callers xor distinct
 * constants into both operands so that neither is zero for ordinary
 * inputs. */
static inline uint64_t ss_mum(uint64_t a, uint64_t b)
{
    uint64_t lo, hi;
    ss_mul128(a, b, &lo, &hi);
    return lo ^ hi;
}

/* rapidhash of the bytes (one 128-bit multiply per 16 bytes; every load
 * inside p[0..len)); case-sensitive, stable across runs, every output bit
 * usable. The one hash of the project: Call-IDs and keys in correlate,
 * IP fragment keys and contents in decode, report tables. */
uint64_t ss_hash_bytes(const void *p, size_t len, uint64_t seed);

/* ---- bounds-checked cursor ---- */
typedef struct ss_cursor {
    const uint8_t *p;
    const uint8_t *end;
} ss_cursor;

static inline ss_cursor ss_cursor_make(const uint8_t *p, size_t len)
{
    ss_cursor c = {p, p + len};
    return c;
}

static inline size_t ss_cursor_left(const ss_cursor *c) { return (size_t)(c->end - c->p); }

static inline int ss_get_u8(ss_cursor *c, uint8_t *out)
{
    if (c->end - c->p < 1)
        return -1;
    *out = c->p[0];
    c->p += 1;
    return 0;
}

static inline int ss_get_be16(ss_cursor *c, uint16_t *out)
{
    if (c->end - c->p < 2)
        return -1;
    *out = (uint16_t)((c->p[0] << 8) | c->p[1]);
    c->p += 2;
    return 0;
}

static inline int ss_get_be32(ss_cursor *c, uint32_t *out)
{
    if (c->end - c->p < 4)
        return -1;
    *out = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) | ((uint32_t)c->p[2] << 8) |
           (uint32_t)c->p[3];
    c->p += 4;
    return 0;
}

static inline int ss_get_le16(ss_cursor *c, uint16_t *out)
{
    if (c->end - c->p < 2)
        return -1;
    *out = (uint16_t)(c->p[0] | (c->p[1] << 8));
    c->p += 2;
    return 0;
}

static inline int ss_get_le32(ss_cursor *c, uint32_t *out)
{
    if (c->end - c->p < 4)
        return -1;
    *out = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16) |
           ((uint32_t)c->p[3] << 24);
    c->p += 4;
    return 0;
}

/* Copies n bytes out; fails without moving when fewer are left. */
static inline int ss_get_bytes(ss_cursor *c, void *out, size_t n)
{
    if ((size_t)(c->end - c->p) < n)
        return -1;
    memcpy(out, c->p, n);
    c->p += n;
    return 0;
}

/* Hands out the next n bytes as a slice without copying. */
static inline int ss_get_slice(ss_cursor *c, size_t n, ss_slice *out)
{
    if ((size_t)(c->end - c->p) < n)
        return -1;
    out->p = c->p;
    out->len = n;
    c->p += n;
    return 0;
}

static inline int ss_skip(ss_cursor *c, size_t n)
{
    if ((size_t)(c->end - c->p) < n)
        return -1;
    c->p += n;
    return 0;
}

/* Reads without consuming. */
static inline int ss_peek_u8(const ss_cursor *c, size_t off, uint8_t *out)
{
    if ((size_t)(c->end - c->p) <= off)
        return -1;
    *out = c->p[off];
    return 0;
}

#endif
