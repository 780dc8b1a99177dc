/* addr.c - formatting and comparing endpoint addresses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sipscope/addr.h"
#include "sipscope/slice.h"

int ss_addr_format_ip(const ss_addr *a, char *buf, size_t n)
{
    char tmp[INET6_ADDRSTRLEN];
    if (a->family == 4)
        inet_ntop(AF_INET, a->ip, tmp, sizeof tmp);
    else if (a->family == 6)
        inet_ntop(AF_INET6, a->ip, tmp, sizeof tmp);
    else
        strcpy(tmp, "?");
    return snprintf(buf, n, "%s", tmp);
}

/* Decimal digits of v at p; returns the count. */
static int _put_dec(char *p, unsigned v)
{
    char tmp[10];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < k; i++)
        p[i] = tmp[k - 1 - i];
    return k;
}

int ss_addr_format(const ss_addr *a, char *buf, size_t n)
{
    if (a->family == 4 && n >= sizeof "255.255.255.255:65535") {
        /* the common case, written directly: inet_ntop and two snprintf
         * calls cost ~3,000 instructions, and every message has two */
        int k = 0;
        for (int i = 0; i < 4; i++) {
            if (i)
                buf[k++] = '.';
            k += _put_dec(buf + k, a->ip[i]);
        }
        if (a->port) {
            buf[k++] = ':';
            k += _put_dec(buf + k, a->port);
        }
        buf[k] = '\0';
        return k;
    }
    char ip[INET6_ADDRSTRLEN];
    ss_addr_format_ip(a, ip, sizeof ip);
    if (a->port == 0)
        return snprintf(buf, n, "%s", ip);
    if (a->family == 6)
        return snprintf(buf, n, "[%s]:%u", ip, a->port);
    return snprintf(buf, n, "%s:%u", ip, a->port);
}

int ss_addr_cmp(const ss_addr *a, const ss_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    int r = memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16);
    if (r)
        return r;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    return 0;
}

uint64_t ss_addr_hash(const ss_addr *a, uint64_t seed)
{
    uint8_t key[19];
    key[0] = a->family;
    memcpy(key + 1, a->ip, 16);
    key[17] = (uint8_t)(a->port >> 8);
    key[18] = (uint8_t)a->port;
    return ss_hash_bytes(key, sizeof key, seed);
}
