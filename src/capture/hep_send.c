/* hep_send.c - --hep-send: every decoded SIP message as HEPv3 over UDP.
 *
 * The encoder writes into a caller's buffer with explicit bounds (no wire
 * structs); the sender owns one non-blocking UDP socket and a buffer, so
 * mirroring never stalls the capture: a datagram the kernel refuses (full
 * socket buffer, no route, too large) is counted and dropped. The socket
 * is not connected, so a collector that is not running goes unnoticed
 * (ICMP port unreachable is not reported to unconnected UDP sockets). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sipscope/capture.h"
#include "sipscope/hep.h"

struct hep_sender {
    int fd;
    struct sockaddr_storage to;
    socklen_t tolen;
    uint32_t capture_id;
    uint64_t sent, failed;
    char err[128];
    uint8_t buf[65535];
};

typedef struct _w {
    uint8_t *p, *end;
    int bad;
} _w;

static void _bytes(_w *w, const void *v, size_t n)
{
    if (w->bad || (size_t)(w->end - w->p) < n) {
        w->bad = 1;
        return;
    }
    memcpy(w->p, v, n);
    w->p += n;
}

static void _be16(_w *w, uint32_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    _bytes(w, b, 2);
}

static void _be32(_w *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    _bytes(w, b, 4);
}

/* chunk header: vendor 0, type, length (header included) */
static void _chunk(_w *w, uint16_t type, const void *v, size_t n)
{
    if (n > 65535 - 6) {
        w->bad = 1;
        return;
    }
    _be16(w, 0);
    _be16(w, type);
    _be16(w, (uint32_t)(n + 6));
    _bytes(w, v, n);
}

size_t hep_encode(uint8_t *buf, size_t cap, const ss_addr *src, const ss_addr *dst,
                  uint8_t ip_proto, int64_t ts_us, uint32_t capture_id, const uint8_t *payload,
                  size_t len)
{
    if (src->family != dst->family || (src->family != 4 && src->family != 6))
        return 0;
    if (cap > 65535)
        cap = 65535; /* the total length field is 16 bits */
    _w w = {buf, buf + cap, 0};
    int v4 = src->family == 4;
    uint8_t fam = v4 ? 2 : 10; /* AF_INET / AF_INET6 as HEP writes them */
    uint8_t b2[2], b4[4];
    int64_t sec = ts_us >= 0 ? ts_us / 1000000 : 0;
    uint32_t usec = ts_us >= 0 ? (uint32_t)(ts_us % 1000000) : 0;
    uint8_t ptype = 1; /* SIP */
    _bytes(&w, "HEP3", 4);
    _be16(&w, 0); /* total length, filled in below */
    _chunk(&w, 0x0001, &fam, 1);
    _chunk(&w, 0x0002, &ip_proto, 1);
    _chunk(&w, v4 ? 0x0003 : 0x0005, src->ip, v4 ? 4 : 16);
    _chunk(&w, v4 ? 0x0004 : 0x0006, dst->ip, v4 ? 4 : 16);
    b2[0] = (uint8_t)(src->port >> 8), b2[1] = (uint8_t)src->port;
    _chunk(&w, 0x0007, b2, 2);
    b2[0] = (uint8_t)(dst->port >> 8), b2[1] = (uint8_t)dst->port;
    _chunk(&w, 0x0008, b2, 2);
    uint32_t s32 = sec > UINT32_MAX ? UINT32_MAX : (uint32_t)sec;
    b4[0] = (uint8_t)(s32 >> 24), b4[1] = (uint8_t)(s32 >> 16), b4[2] = (uint8_t)(s32 >> 8),
    b4[3] = (uint8_t)s32;
    _chunk(&w, 0x0009, b4, 4);
    b4[0] = (uint8_t)(usec >> 24), b4[1] = (uint8_t)(usec >> 16), b4[2] = (uint8_t)(usec >> 8),
    b4[3] = (uint8_t)usec;
    _chunk(&w, 0x000a, b4, 4);
    _chunk(&w, 0x000b, &ptype, 1);
    _be16(&w, 0);
    _be16(&w, 0x000c);
    _be16(&w, 10);
    _be32(&w, capture_id);
    _chunk(&w, 0x000f, payload, len);
    if (w.bad)
        return 0;
    size_t total = (size_t)(w.p - buf);
    buf[4] = (uint8_t)(total >> 8);
    buf[5] = (uint8_t)total;
    return total;
}

int hep_sender_open(hep_sender **out, const char *url, uint32_t capture_id, char *errbuf,
                    size_t errlen)
{
    *out = NULL;
    ss_addr a;
    if (cap_parse_udp_url(url, &a, errbuf, errlen) < 0)
        return -1;
    hep_sender *h = calloc(1, sizeof *h);
    if (h == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    h->capture_id = capture_id;
    if (a.family == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&h->to;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(a.port);
        memcpy(&sin->sin_addr, a.ip, 4);
        h->tolen = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&h->to;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(a.port);
        memcpy(&sin6->sin6_addr, a.ip, 16);
        h->tolen = sizeof *sin6;
    }
    h->fd = socket(h->to.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (h->fd < 0) {
        snprintf(errbuf, errlen, "%s: %s", url, strerror(errno));
        free(h);
        return -1;
    }
    int snd = 4 * 1024 * 1024;
    (void)setsockopt(h->fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    *out = h;
    return 0;
}

int hep_sender_send(hep_sender *h, const ss_addr *src, const ss_addr *dst, uint8_t ip_proto,
                    int64_t ts_us, const uint8_t *payload, size_t len)
{
    size_t n = hep_encode(h->buf, sizeof h->buf, src, dst, ip_proto, ts_us, h->capture_id,
                          payload, len);
    int err = 0;
    if (n == 0)
        err = EMSGSIZE;
    else if (sendto(h->fd, h->buf, n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&h->to,
                    h->tolen) != (ssize_t)n)
        err = errno ? errno : EIO;
    if (err) {
        h->failed++;
        snprintf(h->err, sizeof h->err, "%s", strerror(err));
        return err;
    }
    h->sent++;
    return 0;
}

void hep_sender_counts(const hep_sender *h, uint64_t *sent, uint64_t *failed,
                       const char **err_text)
{
    *sent = h->sent;
    *failed = h->failed;
    *err_text = h->err;
}

void hep_sender_close(hep_sender *h)
{
    if (h == NULL)
        return;
    if (h->fd >= 0)
        close(h->fd);
    free(h);
}
