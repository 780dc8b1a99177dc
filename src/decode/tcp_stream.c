/* tcp_stream.c - TCP reassembly for SIP (RFC 3261 §18.3).
 *
 * Each direction of a connection is a "half" stream with its own sequence
 * tracking. In-order bytes are cut into whole SIP messages with
 * sip_frame() (header block + Content-Length); each message is handed on
 * as one payload. Out-of-order segments wait (copied) until the hole
 * before them fills; bytes seen twice (retransmissions, overlaps) are
 * dropped. A hole that never fills (segment not captured) is given up
 * when waiting data exceeds the per-stream cap, at the idle timeout or at
 * the end of input: counted as a gap, and the stream re-synchronises at
 * the next line that starts like a SIP message.
 *
 * Fast path: when nothing is buffered and a segment holds whole messages,
 * they are handed on straight from the frame, without a copy. Streams that
 * are not SIP (first bytes not a SIP start line on a non-SIP port, or a
 * TLS handshake) are marked and cost one lookup per segment afterwards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode_int.h"
#include "sipscope/sip.h"

/* _S_WS_HTTP: the HTTP upgrade handshake of a WebSocket (RFC 6455), whose
 * header block is skipped; _S_WS: frames follow (RFC 7118: one SIP message
 * per WebSocket message). */
enum { _S_UNKNOWN = 0, _S_SIP, _S_NOT_SIP, _S_TLS, _S_WS_HTTP, _S_WS };

/* How far behind a closed direction's end a segment may start and still be
 * a retransmission (more than any receive window). */
#define _CLOSED_RETRANS_WINDOW (16u << 20)

typedef struct _seg {
    struct _seg *next; /* sorted by seq */
    uint32_t seq, len;
    uint8_t data[];
} _seg;

typedef struct _half {
    struct _half *hnext;         /* hash chain */
    struct _half *lprev, *lnext; /* activity order: head is least recent */
    ss_addr src, dst;            /* ports included */
    uint64_t hash;
    int64_t last_us;
    uint64_t last_frame; /* frame of the last segment, for what expiry releases */
    unsigned last_input;
    uint32_t next_seq;
    uint8_t state, resync, after_gap, fin;
    uint8_t from_syn; /* opened by a SYN: the first bytes are the stream's first */
    uint32_t tls_flow; /* _S_TLS: 1-based index of its listed flow (tls.c), 0 if not listed */
    uint8_t *buf; /* in-order bytes not yet framed */
    uint32_t len, cap, buf_segs;
    _seg *ooo;
    uint32_t ooo_bytes;
    uint8_t *ws; /* WebSocket message being assembled (unmasked) */
    uint32_t ws_len, ws_cap;
} _half;

struct dec_tcp {
    _half **bucket;
    size_t nbuckets, count;
    _half *head, *tail;
    uint64_t total_bytes; /* buffered over all streams (buffers + waiting segments) */
    const dec_config *cfg;
    /* The half of the latest data segment, NULL once freed: a connection's
     * segments come in runs, and comparing the two ends costs less than
     * hashing them and walking a bucket (with the early return for bare
     * acknowledgements, -3 % instructions on tcp-20k). */
    _half *last;
};

int dec_tcp_create(dec_tcp **out, const dec_config *cfg)
{
    dec_tcp *t = calloc(1, sizeof *t);
    if (t == NULL)
        return ENOMEM;
    t->nbuckets = 1024;
    t->bucket = calloc(t->nbuckets, sizeof *t->bucket);
    if (t->bucket == NULL) {
        free(t);
        return ENOMEM;
    }
    t->cfg = cfg;
    *out = t;
    return 0;
}

/* One hash over both ends, laid out as ss_addr_hash lays out one: two
 * ss_addr_hash calls cost twice the hashing on every segment. */
static uint64_t _key_hash(const ss_addr *src, const ss_addr *dst)
{
    uint8_t key[38];
    const ss_addr *end[2] = {src, dst};
    for (int i = 0; i < 2; i++) {
        uint8_t *k = key + 19 * i;
        k[0] = end[i]->family;
        memcpy(k + 1, end[i]->ip, 16);
        k[17] = (uint8_t)(end[i]->port >> 8);
        k[18] = (uint8_t)end[i]->port;
    }
    return ss_hash_bytes(key, sizeof key, 0x7cb1);
}

static _half *_lookup(dec_tcp *t, const ss_addr *src, const ss_addr *dst, uint64_t h)
{
    for (_half *s = t->bucket[h & (t->nbuckets - 1)]; s; s = s->hnext)
        if (s->hash == h && ss_addr_eq(&s->src, src) && ss_addr_eq(&s->dst, dst))
            return s;
    return NULL;
}

static void _lru_unlink(dec_tcp *t, _half *s)
{
    if (s->lprev)
        s->lprev->lnext = s->lnext;
    else
        t->head = s->lnext;
    if (s->lnext)
        s->lnext->lprev = s->lprev;
    else
        t->tail = s->lprev;
    s->lprev = s->lnext = NULL;
}

static void _lru_append(dec_tcp *t, _half *s)
{
    s->lprev = t->tail;
    s->lnext = NULL;
    if (t->tail)
        t->tail->lnext = s;
    else
        t->head = s;
    t->tail = s;
}

static void _drop_data(dec_tcp *t, _half *s)
{
    t->total_bytes -= s->cap;
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = s->buf_segs = 0;
    while (s->ooo) {
        _seg *n = s->ooo->next;
        t->total_bytes -= s->ooo->len;
        free(s->ooo);
        s->ooo = n;
    }
    s->ooo_bytes = 0;
    free(s->ws);
    s->ws = NULL;
    s->ws_len = s->ws_cap = 0;
}

static void _free_half(dec_tcp *t, _half *s)
{
    _half **pp = &t->bucket[s->hash & (t->nbuckets - 1)];
    while (*pp && *pp != s)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = s->hnext;
    _lru_unlink(t, s);
    _drop_data(t, s);
    t->count--;
    if (t->last == s)
        t->last = NULL;
    free(s);
}

static void _grow(dec_tcp *t)
{
    size_t n = t->nbuckets * 2;
    _half **nb = calloc(n, sizeof *nb);
    if (nb == NULL)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < t->nbuckets; i++)
        for (_half *s = t->bucket[i], *next; s; s = next) {
            next = s->hnext;
            s->hnext = nb[s->hash & (n - 1)];
            nb[s->hash & (n - 1)] = s;
        }
    free(t->bucket);
    t->bucket = nb;
    t->nbuckets = n;
}

/* n new bytes cannot be buffered: they and the part of the message built
 * so far are dropped (counted), and the stream looks for the next start
 * line. Keeping the partial message would make the next message its body. */
static int _cap_drop(dec_ctx *d, _half *s, size_t n)
{
    d->c[DEC_C_TCP_CAP] += s->len + n;
    d->tcp->total_bytes -= s->cap;
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = s->buf_segs = 0;
    s->resync = 1;
    return -1;
}

/* Appends bytes to the half's buffer, within the per-stream and global
 * caps. Returns 0, or -1 when the bytes were dropped (counted). */
static int _buf_append(dec_ctx *d, _half *s, const uint8_t *p, size_t n)
{
    dec_tcp *t = d->tcp;
    if ((size_t)s->len + n > d->cfg.tcp_stream_buf_max)
        return _cap_drop(d, s, n);
    if (s->len + n > s->cap) {
        size_t nc = s->cap ? s->cap : 2048;
        while (nc < s->len + n)
            nc *= 2;
        if (t->total_bytes - s->cap + nc > d->cfg.tcp_total_buf_max)
            return _cap_drop(d, s, n);
        uint8_t *nbuf = realloc(s->buf, nc);
        if (nbuf == NULL)
            return _cap_drop(d, s, n);
        t->total_bytes += nc - s->cap;
        s->buf = nbuf;
        s->cap = (uint32_t)nc;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += (uint32_t)n;
    return 0;
}

/* Offset of the first line start at or after `from` that begins like a SIP
 * message, or len when there is none. */
static size_t _find_sip_line(const uint8_t *p, size_t len, size_t from)
{
    for (size_t i = from; i < len; i++) {
        if (i > 0 && p[i - 1] != '\n')
            continue;
        if (sip_looks_like(p + i, len - i))
            return i;
    }
    return len;
}

/* 1 when p starts like a TLS record (RFC 8446 §5.1): content type
 * change_cipher_spec..application_data, then version 3.x. A capture that
 * starts mid-connection sees application data (0x17) first, not the
 * handshake; no SIP message starts with these bytes. */
static int _tls_record(const uint8_t *p, size_t len)
{
    return len >= 3 && p[0] >= 0x14 && p[0] <= 0x17 && p[1] == 0x03 && p[2] <= 0x04;
}

/* 1 when more than span microseconds lie between then and now. Capture
 * timestamps are not trusted: no signed overflow for any pair. */
static int _older_than(int64_t then, int64_t now, int64_t span)
{
    return now > then && (uint64_t)now - (uint64_t)then > (uint64_t)span;
}

/* The other direction of s's connection, or NULL. */
static _half *_reverse(dec_tcp *t, const _half *s)
{
    return _lookup(t, &s->dst, &s->src, _key_hash(&s->dst, &s->src));
}

/* 1 when the header block p[0..len) names a WebSocket upgrade. */
static int _ws_upgrade(const uint8_t *p, size_t len)
{
    static const char needle[] = "websocket";
    const size_t n = sizeof needle - 1;
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && (p[i + k] | 0x20) == needle[k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

/* End of an HTTP header block (after CRLFCRLF), or 0 when not all here. */
static size_t _http_end(const uint8_t *p, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (p[i] == '\n' && p[i - 1] == '\r' && p[i - 2] == '\n' && p[i - 3] == '\r')
            return i + 1;
    return 0;
}

/* WebSocket frames (RFC 6455 §5.2): unmasks the payload and assembles
 * fragmented messages; each complete text/binary message is handed on as
 * one SIP payload. Returns the bytes used up. */
static size_t _ws_frames(dec_ctx *d, _half *s, const dec_pkt *pk, const uint8_t *p, size_t len,
                         uint32_t segs)
{
    size_t off = 0;
    while (len - off >= 2) {
        ss_cursor c = ss_cursor_make(p + off, len - off);
        uint8_t b0 = 0, b1 = 0;
        if (ss_get_u8(&c, &b0) || ss_get_u8(&c, &b1))
            break;
        uint64_t plen = b1 & 0x7f;
        if (plen == 126) {
            uint16_t v;
            if (ss_get_be16(&c, &v))
                break;
            plen = v;
        } else if (plen == 127) {
            uint32_t hi, lo;
            if (ss_get_be32(&c, &hi) || ss_get_be32(&c, &lo))
                break;
            plen = ((uint64_t)hi << 32) | lo;
        }
        uint8_t key[4] = {0, 0, 0, 0};
        if ((b1 & 0x80) && ss_get_bytes(&c, key, 4))
            break;
        if (plen > d->cfg.tcp_stream_buf_max) {
            /* no SIP message is that large: not a stream we can follow */
            d->c[DEC_C_TCP_CAP] += len - off;
            s->state = _S_NOT_SIP;
            return len;
        }
        if (ss_cursor_left(&c) < plen)
            break;
        uint8_t op = b0 & 0x0f;
        if (op <= 2) { /* continuation, text, binary */
            if (s->ws_len + plen > s->ws_cap) {
                size_t nc = s->ws_cap ? s->ws_cap : 2048;
                while (nc < s->ws_len + plen)
                    nc *= 2;
                uint8_t *nb = nc <= d->cfg.tcp_stream_buf_max ? realloc(s->ws, nc) : NULL;
                if (nb == NULL) {
                    d->c[DEC_C_TCP_CAP] += plen;
                    s->ws_len = 0;
                    off += (size_t)(c.p - (p + off)) + plen;
                    continue;
                }
                d->tcp->total_bytes += nc - s->ws_cap;
                s->ws = nb;
                s->ws_cap = (uint32_t)nc;
            }
            for (uint64_t i = 0; i < plen; i++)
                s->ws[s->ws_len + i] = c.p[i] ^ key[i & 3];
            s->ws_len += (uint32_t)plen;
            if (b0 & 0x80) { /* FIN: the message is complete */
                if (s->ws_len)
                    dec_emit(d, pk, s->src.port, s->dst.port, DEC_TP_WS, s->ws, s->ws_len,
                             segs > 1 ? DEC_PL_TCP_SEGMENTS : 0);
                s->ws_len = 0;
            }
        }
        /* close, ping, pong: nothing for us */
        off += (size_t)(c.p - (p + off)) + plen;
    }
    return off;
}

/* Cuts p[0..len) into messages; returns how many bytes were used up (the
 * rest is an incomplete message to keep). segs: segments the bytes came
 * from, for the payload flag. */
static size_t _frame(dec_ctx *d, _half *s, const dec_pkt *pk, const uint8_t *p, size_t len,
                     uint32_t segs)
{
    size_t off = 0;
    int sip_port = dec_is_sip_port(d, s->src.port) || dec_is_sip_port(d, s->dst.port);
    while (off < len) {
        if (s->state == _S_WS)
            return off + _ws_frames(d, s, pk, p + off, len - off, segs);
        if (s->state == _S_WS_HTTP) {
            size_t end = _http_end(p + off, len - off);
            if (end == 0)
                return len - off > 16384 ? (s->state = _S_NOT_SIP, len) : off;
            off += end;
            s->state = _S_WS;
            continue;
        }
        if (s->state == _S_UNKNOWN) {
            /* a connection carries one protocol: when the other side
             * already proved not to be SIP (an HTTP client, say), a SIP
             * status line in the answer is an evasion, not SIP */
            _half *rev = _reverse(d->tcp, s);
            if (rev && rev->state == _S_NOT_SIP) {
                s->state = _S_NOT_SIP;
                d->c[DEC_C_TCP_NOT_SIP]++;
                return len;
            }
            /* an HTTP upgrade to WebSocket, from the client ("GET ...") or
             * the server ("HTTP/1.1 101"): SIP follows in frames */
            if (len - off >= 4 && (memcmp(p + off, "GET ", 4) == 0 || memcmp(p + off, "HTTP", 4) == 0)) {
                size_t end = _http_end(p + off, len - off);
                if (end == 0 && len - off < 16384)
                    return off; /* wait for the whole header block */
                if (end && _ws_upgrade(p + off, end)) {
                    s->state = _S_WS_HTTP;
                    continue;
                }
            }
            if (_tls_record(p + off, len - off)) {
                /* TLS (a handshake, or records of a connection the capture
                 * joined late): encrypted SIP is reported, never guessed
                 * at. One flow per connection, whichever side shows it. */
                _half *r = _reverse(d->tcp, s);
                s->state = _S_TLS;
                if (r == NULL || r->state != _S_TLS) {
                    d->c[DEC_C_TLS_FLOWS]++;
                    s->tls_flow = dec_tls_flow_open(d, pk->frame->ts_us, &s->src, &s->dst, p + off,
                                                    len - off, segs);
                } else {
                    s->tls_flow = r->tls_flow;
                    dec_tls_flow_account(d, s->tls_flow, pk->frame->ts_us, len - off);
                }
                if (r && r->state == _S_UNKNOWN) {
                    r->state = _S_TLS;
                    r->tls_flow = s->tls_flow;
                }
                return len;
            }
            size_t skip0, mlen0;
            sip_result r0 = sip_frame(p + off, len - off, d->cfg.tcp_stream_buf_max, &skip0, &mlen0);
            if (r0 == SIP_NOT_SIP) {
                /* on a SIP port the capture may have joined mid-message;
                 * after a SYN it cannot have */
                if (!sip_port || d->cfg.strict_ports || s->from_syn) {
                    s->state = _S_NOT_SIP;
                    d->c[DEC_C_TCP_NOT_SIP]++;
                    return len;
                }
                /* a SIP port, capture started mid-message: find the next one */
                s->state = _S_SIP;
                s->resync = 1;
            } else if (r0 == SIP_INCOMPLETE && skip0 == 0 && mlen0 == 0 && len - off < 8) {
                return off; /* too few bytes to tell yet */
            } else {
                s->state = _S_SIP;
            }
        }
        if (s->resync) {
            size_t at = _find_sip_line(p, len, off);
            if (at == len) {
                /* keep a tail: a start line may be split across segments */
                size_t keep = len - off > 256 ? 256 : len - off;
                d->c[DEC_C_TCP_MALFORMED] += len - off - keep;
                return len - keep;
            }
            d->c[DEC_C_TCP_MALFORMED] += at - off;
            off = at;
            s->resync = 0;
            s->after_gap = 1;
        }
        size_t skip = 0, mlen = 0;
        sip_result r = sip_frame(p + off, len - off, d->cfg.tcp_stream_buf_max, &skip, &mlen);
        if (skip) {
            d->c[DEC_C_TCP_KEEPALIVES]++;
            off += skip;
        }
        if (r == SIP_OK) {
            uint32_t fl = (segs > 1 ? DEC_PL_TCP_SEGMENTS : 0) | (s->after_gap ? DEC_PL_TCP_AFTER_GAP : 0);
            s->after_gap = 0;
            dec_emit(d, pk, s->src.port, s->dst.port, DEC_TP_TCP, p + off, mlen, fl);
            off += mlen;
            continue;
        }
        if (r == SIP_INCOMPLETE)
            break;
        /* garbage inside a SIP stream, or a header block beyond the cap */
        s->resync = 1;
        if (r == SIP_MALFORMED) {
            d->c[DEC_C_TCP_MALFORMED]++;
            off++;
        }
    }
    return off;
}

/* Frames what is buffered, keeping the unframed rest at the front. */
static void _frame_buf(dec_ctx *d, _half *s, const dec_pkt *pk)
{
    if (s->len == 0)
        return;
    size_t used = _frame(d, s, pk, s->buf, s->len, s->buf_segs);
    if (s->state == _S_NOT_SIP || s->state == _S_TLS) {
        _drop_data(d->tcp, s);
        return;
    }
    if (used) {
        memmove(s->buf, s->buf + used, s->len - used);
        s->len -= (uint32_t)used;
        s->buf_segs = s->len ? 1 : 0;
    }
}

/* Gives up the hole before the first waiting segment: counts it as a gap,
 * drops the half-built message, and continues from that segment. */
static void _skip_hole(dec_ctx *d, _half *s)
{
    if (s->ooo == NULL)
        return;
    uint32_t missing = s->ooo->seq - s->next_seq;
    d->c[DEC_C_TCP_GAP]++;
    d->c[DEC_C_TCP_GAP_BYTES] += missing;
    if (s->len) {
        d->c[DEC_C_TCP_MALFORMED] += s->len; /* the message the hole cut */
        s->len = 0;
        s->buf_segs = 0;
    }
    s->next_seq = s->ooo->seq;
    s->resync = 1;
}

/* Moves waiting segments that have become contiguous into the buffer.
 * When the next one would overflow the per-stream cap, what the buffer
 * holds is framed first: a run of waiting segments larger than the cap
 * (after a hole is given up) is several messages, not one too large. */
static void _drain(dec_ctx *d, _half *s, const dec_pkt *pk)
{
    while (s->ooo) {
        _seg *g = s->ooo;
        int32_t rel = (int32_t)(g->seq - s->next_seq);
        if (rel > 0)
            return;
        s->ooo = g->next;
        s->ooo_bytes -= g->len;
        d->tcp->total_bytes -= g->len;
        /* bytes of g already delivered; unsigned, as rel may be INT32_MIN */
        uint32_t seen = s->next_seq - g->seq;
        if (seen < g->len) {
            size_t n = g->len - seen;
            if (s->len && (size_t)s->len + n > d->cfg.tcp_stream_buf_max) {
                _frame_buf(d, s, pk);
                if (s->state == _S_NOT_SIP || s->state == _S_TLS) {
                    free(g);
                    return;
                }
            }
            if (_buf_append(d, s, g->data + seen, n) == 0)
                s->buf_segs++;
            s->next_seq += (uint32_t)n;
        }
        free(g);
    }
}

static void _wait_segment(dec_ctx *d, _half *s, uint32_t seq, const uint8_t *p, size_t n)
{
    dec_tcp *t = d->tcp;
    _seg **pp = &s->ooo;
    while (*pp && (int32_t)((*pp)->seq - seq) < 0)
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq && (*pp)->len >= n) {
        d->c[DEC_C_TCP_RETRANS]++;
        return;
    }
    if (t->total_bytes + n > d->cfg.tcp_total_buf_max) {
        d->c[DEC_C_TCP_CAP] += n;
        return;
    }
    _seg *g = malloc(sizeof *g + n);
    if (g == NULL) {
        d->c[DEC_C_TCP_CAP] += n;
        return;
    }
    g->seq = seq;
    g->len = (uint32_t)n;
    memcpy(g->data, p, n);
    g->next = *pp;
    *pp = g;
    s->ooo_bytes += (uint32_t)n;
    t->total_bytes += n;
    d->c[DEC_C_TCP_OUT_OF_ORDER]++;
}

static _half *_open_half(dec_ctx *d, const ss_addr *src, const ss_addr *dst, uint64_t h)
{
    dec_tcp *t = d->tcp;
    if (t->count >= d->cfg.tcp_max_streams && t->head) {
        /* the least recently active stream makes room; a closed one with
         * nothing left is no loss */
        _half *old = t->head;
        if (old->len || old->ooo)
            d->c[DEC_C_TCP_INCOMPLETE_AT_END]++;
        if (!(old->fin && old->len == 0 && old->ooo == NULL))
            d->c[DEC_C_TCP_STREAMS_EVICTED]++;
        _free_half(t, old);
    }
    _half *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->src = *src;
    s->dst = *dst;
    s->hash = h;
    _half *r = _reverse(t, s);
    if (r && r->state == _S_TLS) {
        s->state = _S_TLS; /* the other side already showed TLS */
        s->tls_flow = r->tls_flow;
    }
    size_t b = h & (t->nbuckets - 1);
    s->hnext = t->bucket[b];
    t->bucket[b] = s;
    _lru_append(t, s);
    t->count++;
    d->c[DEC_C_TCP_STREAMS]++;
    if (t->count > t->nbuckets)
        _grow(t);
    return s;
}

void dec_tcp_segment(dec_ctx *d, dec_pkt *pk, const uint8_t *p, size_t len)
{
    dec_tcp *t = d->tcp;
    ss_cursor c = ss_cursor_make(p, len);
    uint16_t sport, dport, win;
    uint32_t seq, ack;
    uint8_t offx, flags;
    if (ss_get_be16(&c, &sport) || ss_get_be16(&c, &dport) || ss_get_be32(&c, &seq) ||
        ss_get_be32(&c, &ack) || ss_get_u8(&c, &offx) || ss_get_u8(&c, &flags) ||
        ss_get_be16(&c, &win)) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    size_t hl = (size_t)(offx >> 4) * 4;
    if (hl < 20) {
        d->c[DEC_C_BAD_TCP]++;
        return;
    }
    if (hl > len) {
        d->c[DEC_C_TRUNCATED]++;
        return;
    }
    const uint8_t *payload = p + hl;
    size_t plen = len - hl;
    ss_addr src = pk->src, dst = pk->dst;
    src.port = sport;
    dst.port = dport;
    int syn = flags & 0x02, fin = flags & 0x01, rst = flags & 0x04;
    if (plen == 0 && !syn && !fin && !rst)
        return; /* a bare acknowledgement: nothing for either half */
    _half *s = t->last;
    uint64_t h;
    if (s && ss_addr_eq(&s->src, &src) && ss_addr_eq(&s->dst, &dst)) {
        h = s->hash;
    } else {
        h = _key_hash(&src, &dst);
        s = _lookup(t, &src, &dst, h);
    }

    if (rst) { /* both directions are over; a half-built message never ends */
        _half *r = _lookup(t, &dst, &src, _key_hash(&dst, &src));
        if (s && (s->len || s->ooo))
            d->c[DEC_C_TCP_INCOMPLETE_AT_END]++;
        if (r && (r->len || r->ooo))
            d->c[DEC_C_TCP_INCOMPLETE_AT_END]++;
        if (s)
            _free_half(t, s);
        if (r)
            _free_half(t, r);
        return;
    }
    if (syn) {
        if (s && (s->len || s->ooo))
            d->c[DEC_C_TCP_INCOMPLETE_AT_END]++;
        if (s)
            _free_half(t, s);
        /* the SYN fixes where the byte stream starts, so a first data
         * segment that arrives out of order is recognised as such; the
         * stream cap bounds what half-open connections can cost */
        s = _open_half(d, &src, &dst, h);
        if (s == NULL)
            return;
        seq += 1;
        s->next_seq = seq;
        s->from_syn = 1;
        s->last_us = pk->frame->ts_us;
        s->last_frame = pk->frame->frame_no;
        s->last_input = pk->frame->input;
    }
    if (plen == 0) {
        if (fin && s)
            s->fin = 1;
        return;
    }
    d->c[DEC_C_TCP_SEGMENTS]++;
    /* A closed direction (FIN seen) stays until the idle timeout, a SYN or
     * a RST, so a retransmission of its last segments is recognised as
     * such instead of reopening it and handing its messages on again. Bytes
     * beyond the FIN (or far behind it) belong to a new connection whose
     * SYN the capture missed. */
    if (s && s->fin && s->len == 0 && s->ooo == NULL) {
        int32_t after = (int32_t)(seq - s->next_seq);
        if (after >= 0 || s->next_seq - seq > _CLOSED_RETRANS_WINDOW) {
            _free_half(t, s);
            s = NULL;
        }
    }
    if (s == NULL) {
        s = _open_half(d, &src, &dst, h);
        if (s == NULL) {
            d->c[DEC_C_TCP_CAP] += plen;
            return;
        }
        s->next_seq = seq; /* capture began mid-connection */
    }
    s->last_us = pk->frame->ts_us;
    s->last_frame = pk->frame->frame_no;
    s->last_input = pk->frame->input;
    t->last = s;
    _lru_unlink(t, s);
    _lru_append(t, s);
    if (s->state == _S_NOT_SIP || s->state == _S_TLS) {
        d->c[DEC_C_TCP_NOT_SIP]++;
        if (s->state == _S_TLS)
            dec_tls_flow_account(d, s->tls_flow, pk->frame->ts_us, plen);
        return;
    }

    int32_t rel = (int32_t)(seq - s->next_seq);
    if (rel < 0) {
        /* bytes already seen; unsigned, as rel may be INT32_MIN */
        uint32_t seen = s->next_seq - seq;
        if (seen >= plen) {
            d->c[DEC_C_TCP_RETRANS]++;
            return;
        }
        d->c[DEC_C_TCP_RETRANS]++; /* partly seen: keep the new tail */
        payload += seen;
        plen -= seen;
        seq = s->next_seq;
        rel = 0;
    }
    if (rel > 0) {
        _wait_segment(d, s, seq, payload, plen);
        if (s->ooo_bytes > d->cfg.tcp_stream_buf_max) {
            _skip_hole(d, s);
            _drain(d, s, pk);
            _frame_buf(d, s, pk);
        }
        return;
    }

    s->next_seq += (uint32_t)plen;
    if (s->len == 0 && s->ooo == NULL) {
        /* fast path: frame straight from the packet, copy only a remainder */
        size_t used = _frame(d, s, pk, payload, plen, 1);
        if (s->state == _S_NOT_SIP || s->state == _S_TLS)
            return;
        if (used < plen && _buf_append(d, s, payload + used, plen - used) == 0)
            s->buf_segs = 1;
    } else {
        if (_buf_append(d, s, payload, plen) == 0)
            s->buf_segs++;
        _drain(d, s, pk);
        _frame_buf(d, s, pk);
    }
    if (fin)
        s->fin = 1;
}

/* Streams idle past the timeout: give up their holes, frame what follows,
 * and let them go. */
static void _expire(dec_ctx *d, _half *s, const dec_pkt *pk)
{
    while (s->ooo) {
        _skip_hole(d, s);
        _drain(d, s, pk);
        _frame_buf(d, s, pk);
    }
    if (s->len)
        d->c[DEC_C_TCP_INCOMPLETE_AT_END]++;
    _free_half(d->tcp, s);
}

void dec_tcp_advance(dec_ctx *d, int64_t now_us)
{
    dec_tcp *t = d->tcp;
    int64_t idle = (int64_t)(d->cfg.tcp_idle_timeout_s ? d->cfg.tcp_idle_timeout_s : 300) * 1000000;
    dec_frame fr;
    memset(&fr, 0, sizeof fr);
    fr.ts_us = now_us;
    dec_pkt pk;
    memset(&pk, 0, sizeof pk);
    pk.frame = &fr;
    while (t->head && _older_than(t->head->last_us, now_us, idle)) {
        _half *s = t->head;
        fr.frame_no = s->last_frame;
        fr.input = s->last_input;
        pk.src = s->src;
        pk.dst = s->dst;
        _expire(d, s, &pk);
    }
}

void dec_tcp_finish(dec_ctx *d)
{
    dec_tcp *t = d->tcp;
    dec_frame fr;
    memset(&fr, 0, sizeof fr);
    dec_pkt pk;
    memset(&pk, 0, sizeof pk);
    pk.frame = &fr;
    while (t->head) {
        _half *s = t->head;
        fr.ts_us = s->last_us;
        fr.frame_no = s->last_frame;
        fr.input = s->last_input;
        pk.src = s->src;
        pk.dst = s->dst;
        _expire(d, s, &pk);
    }
}

void dec_tcp_destroy(dec_tcp *t)
{
    if (t == NULL)
        return;
    while (t->head)
        _free_half(t, t->head);
    free(t->bucket);
    free(t);
}
