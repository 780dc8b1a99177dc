/* addr.h - endpoint addresses (IPv4/IPv6 + port) as decoded from packets. */
#ifndef SIPSCOPE_ADDR_H
#define SIPSCOPE_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ss_addr {
    uint8_t family; /* 4 or 6; 0 = unset */
    uint8_t ip[16]; /* IPv4 uses ip[0..3], the rest zero */
    uint16_t port;  /* host byte order */
} ss_addr;

/* Longest text ss_addr_format() writes: "[v6]:65535" plus NUL. */
#define SS_ADDR_STRLEN 56

/* Writes "1.2.3.4:5060" or "[2001:db8::1]:5060" (port omitted when 0).
 * Always NUL-terminates when n > 0; returns the length it wanted. */
int ss_addr_format(const ss_addr *a, char *buf, size_t n);

/* Address without the port: "1.2.3.4" or "2001:db8::1". */
int ss_addr_format_ip(const ss_addr *a, char *buf, size_t n);

/* Total order over family, ip, port (memcmp-like result). */
int ss_addr_cmp(const ss_addr *a, const ss_addr *b);

/* 1 when a and b are the same endpoint, as ss_addr_cmp() == 0 says;
 * inline for per-packet use. The rest of an IPv4 ip[] is zero (above), so
 * one 16-byte compare serves both families. */
static inline int ss_addr_eq(const ss_addr *a, const ss_addr *b)
{
    return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, 16) == 0;
}

/* Hash of ip and port, for table keys. */
uint64_t ss_addr_hash(const ss_addr *a, uint64_t seed);

#endif
