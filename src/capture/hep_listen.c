/* hep_listen.c - --hep-listen: HEP datagrams from a UDP socket as frames.
 *
 * A capture agent (Kamailio siptrace, heplify, sngrep -H, sipscope
 * --hep-send) mirrors SIP to us over UDP. Each datagram becomes one DLT_RAW
 * frame: a synthesized IPv4 or IPv6 header and a UDP header (sender ->
 * listening address and port, every length exact, IPv4 header checksum
 * valid) around the datagram, so decode's existing UDP -> HEP path takes it
 * apart and the inner SIP keeps the agent's addresses and capture time. The
 * input is "live": the socket is polled with the interfaces' 100 ms timeout
 * (live.c), and -w writes the synthesized frames to a RAW pcap. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "capture_int.h"
#include "sipscope/hep.h"

#define _HDR_MAX (40 + 8)    /* IPv6 + UDP */
#define _DGRAM_MAX 65535     /* largest datagram we take whole */

struct cap_hep {
    ss_addr local;           /* bound address and port */
    struct pcap_pkthdr hdr;  /* the frame handed out last */
    uint8_t buf[_HDR_MAX + _DGRAM_MAX];
};

int cap_parse_udp_url(const char *url, ss_addr *a, char *errbuf, size_t errlen)
{
    memset(a, 0, sizeof *a);
    if (strncmp(url, "udp:", 4) != 0) {
        snprintf(errbuf, errlen, "'%s': want udp:ADDR:PORT", url);
        return -1;
    }
    const char *host = url + 4, *colon = strrchr(host, ':');
    char ip[64];
    if (colon == NULL || colon == host || (size_t)(colon - host) >= sizeof ip) {
        snprintf(errbuf, errlen, "'%s': want udp:ADDR:PORT", url);
        return -1;
    }
    size_t hl = (size_t)(colon - host);
    if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') { /* [v6] */
        host++;
        hl -= 2;
    }
    memcpy(ip, host, hl);
    ip[hl] = '\0';
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || port < 1 || port > 65535) {
        snprintf(errbuf, errlen, "'%s': bad port", url);
        return -1;
    }
    if (inet_pton(AF_INET, ip, a->ip) == 1) {
        a->family = 4;
    } else if (inet_pton(AF_INET6, ip, a->ip) == 1) {
        a->family = 6;
    } else {
        snprintf(errbuf, errlen, "'%s': '%s' is not an IPv4 or IPv6 address", url, ip);
        return -1;
    }
    a->port = (uint16_t)port;
    return 0;
}

int cap_open_hep_listen(cap_set **out, const char *url, uint16_t *port, char *errbuf,
                        size_t errlen)
{
    *out = NULL;
    ss_addr la;
    if (cap_parse_udp_url(url, &la, errbuf, errlen) < 0)
        return -1;
    cap_set *s = calloc(1, sizeof *s);
    if (s == NULL || (s->in = calloc(1, sizeof *s->in)) == NULL) {
        free(s);
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    s->live = 1;
    s->last = -1;
    cap_input *in = &s->in[0];
    in->fd = -1;
    s->n = 1;
    in->name = cap_strdup(url);
    in->linktype = DLT_RAW;
    in->hep = calloc(1, sizeof *in->hep);
    /* a handle with no source: it gives -w its link type and snaplen */
    in->pcap = pcap_open_dead(DLT_RAW, _HDR_MAX + _DGRAM_MAX);
    if (in->name == NULL || in->hep == NULL || in->pcap == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        cap_close(s);
        return -1;
    }
    in->hep->local = la;

    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    if (la.family == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(la.port);
        memcpy(&sin->sin_addr, la.ip, 4);
        sl = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(la.port);
        memcpy(&sin6->sin6_addr, la.ip, 16);
        sl = sizeof *sin6;
    }
    in->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (in->fd < 0 || bind(in->fd, (struct sockaddr *)&ss, sl) < 0) {
        snprintf(errbuf, errlen, "%s: %s", url, strerror(errno));
        cap_close(s);
        return -1;
    }
    /* agents send in bursts (sngrep -I replays a whole file at once): a
     * larger receive buffer than the default ~200 KB; a refusal is fine */
    int rcv = 8 * 1024 * 1024;
    (void)setsockopt(in->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    *port = la.port;
    *out = s;
    return 0;
}

static void _put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Writes the IP + UDP header for n payload bytes from src to dst in front
 * of the datagram (which recvfrom placed at buf + _HDR_MAX). Returns the
 * offset of the frame's first byte in buf. */
static size_t _synthesize(uint8_t *buf, const ss_addr *src, const ss_addr *dst, size_t n)
{
    uint8_t *udp = buf + _HDR_MAX - 8;
    _put16(udp, src->port);
    _put16(udp + 2, dst->port);
    _put16(udp + 4, (uint32_t)(n + 8));
    _put16(udp + 6, 0); /* no checksum */
    if (dst->family == 4) {
        uint8_t *ip = udp - 20;
        memset(ip, 0, 20);
        ip[0] = 0x45;
        _put16(ip + 2, (uint32_t)(n + 28));
        ip[8] = 64;
        ip[9] = 17;
        memcpy(ip + 12, src->ip, 4);
        memcpy(ip + 16, dst->ip, 4);
        uint32_t sum = 0;
        for (int i = 0; i < 20; i += 2)
            sum += (uint32_t)ip[i] << 8 | ip[i + 1];
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        _put16(ip + 10, ~sum & 0xffff);
        return (size_t)(ip - buf);
    }
    uint8_t *ip = udp - 40;
    memset(ip, 0, 40);
    ip[0] = 0x60;
    _put16(ip + 4, (uint32_t)(n + 8));
    ip[6] = 17;
    ip[7] = 64;
    memcpy(ip + 8, src->ip, 16);
    memcpy(ip + 24, dst->ip, 16);
    return (size_t)(ip - buf);
}

int cap_hep_next(cap_input *in, struct pcap_pkthdr **h, const u_char **d)
{
    struct cap_hep *st = in->hep;
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    /* an IPv4 datagram is at most 65507 bytes, an IPv6 one (no jumbograms)
     * 65527: both fit, so MSG_TRUNC only reports what cannot happen */
    ssize_t n = recvfrom(in->fd, st->buf + _HDR_MAX, _DGRAM_MAX, MSG_DONTWAIT | MSG_TRUNC,
                         (struct sockaddr *)&from, &fl);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return 0;
        char buf[256];
        snprintf(buf, sizeof buf, "%s: recvfrom: %s", in->name, strerror(errno));
        if (in->error == NULL)
            in->error = cap_strdup(buf);
        return PCAP_ERROR;
    }
    size_t len = (size_t)n, caplen = len;
    if (caplen > _DGRAM_MAX)
        caplen = _DGRAM_MAX;
    ss_addr src, dst = st->local;
    memset(&src, 0, sizeof src);
    if (from.ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&from;
        src.family = 4;
        memcpy(src.ip, &sin->sin_addr, 4);
        src.port = ntohs(sin->sin_port);
    } else {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&from;
        src.family = 6;
        memcpy(src.ip, &sin6->sin6_addr, 16);
        src.port = ntohs(sin6->sin6_port);
        if (dst.family == 4) /* cannot happen on an AF_INET socket; keep it consistent */
            dst.family = 6;
    }
    if (src.family == 4 && len > 65535 - 28)
        len = caplen = 65535 - 28;
    size_t off = _synthesize(st->buf, &src, &dst, len);
    size_t hdr = _HDR_MAX - off;
    hep_packet hp;
    int64_t ts = hep_parse(st->buf + _HDR_MAX, caplen, &hp) == 0 ? hp.ts_us : 0;
    if (ts <= 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        ts = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
    }
    st->hdr.ts.tv_sec = (time_t)(ts / 1000000);
    st->hdr.ts.tv_usec = (suseconds_t)(ts % 1000000);
    st->hdr.caplen = (bpf_u_int32)(hdr + caplen);
    st->hdr.len = (bpf_u_int32)(hdr + len);
    *h = &st->hdr;
    *d = st->buf + off;
    return 1;
}

void cap_hep_free(cap_input *in)
{
    if (in->hep == NULL)
        return;
    if (in->fd >= 0)
        close(in->fd);
    in->fd = -1;
    free(in->hep);
    in->hep = NULL;
}
