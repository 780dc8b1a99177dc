/* slice.c - helpers over zero-copy byte ranges. */
#include "sipscope/slice.h"

static inline uint8_t _ascii_lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c; }

int ss_slice_ieq(ss_slice a, ss_slice b)
{
    if (a.len != b.len)
        return 0;
    for (size_t i = 0; i < a.len; i++)
        if (_ascii_lower(a.p[i]) != _ascii_lower(b.p[i]))
            return 0;
    return 1;
}

int ss_slice_ieq_str(ss_slice a, const char *s)
{
    return ss_slice_ieq(a, ss_slice_make(s, strlen(s)));
}

static inline int _is_lws(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

ss_slice ss_slice_trim(ss_slice s)
{
    if (s.p == NULL)
        return s;
    while (s.len && _is_lws(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && _is_lws(s.p[s.len - 1]))
        s.len--;
    return s;
}

char *ss_slice_to_cstr(ss_slice s, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    size_t k = s.len < n - 1 ? s.len : n - 1;
    if (k)
        memcpy(buf, s.p, k);
    buf[k] = '\0';
    return buf;
}

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

#define _mix ss_mum

/* ss_hash_bytes is rapidhash (Nicolas De Carli, MIT licence; github.com/Nicoshev/rapidhash,
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

uint64_t ss_hash_bytes(const void *vp, size_t len, uint64_t seed)
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
    ss_mul128(a, b, &a, &b);
    return _mix(a ^ _S0 ^ len, b ^ _S1);
}

#undef _S0
#undef _S1
#undef _S2
#undef _mix
