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

uint64_t ss_hash_bytes(const void *p, size_t len, uint64_t seed)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}
