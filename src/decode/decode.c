/* decode.c - the decoder context: creation, the per-frame entry point,
 * timers, counters and their names, and payload delivery.
 *
 * The layers (link.c, ip.c, defrag.c, udp.c, tcp_stream.c) share the
 * context through dec_int.h; nothing here keeps global state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dec_int.h"

/* Contract: "UDP", "TCP", "SCTP", "WS", "TLS"; "?" for anything else. */
const char *dec_transport_name(dec_transport t)
{
    switch (t) {
    case DEC_TP_UDP: return "UDP";
    case DEC_TP_TCP: return "TCP";
    case DEC_TP_SCTP: return "SCTP";
    case DEC_TP_WS: return "WS";
    case DEC_TP_TLS: return "TLS";
    }
    return "?";
}

/* Indexed by dec_counter; the names are part of the JSON report schema. */
static const struct {
    const char *name;
    int anomaly;
} _counters[DEC_C__COUNT] = {
    [DEC_C_FRAMES] = {"frames", 0},
    [DEC_C_PAYLOADS] = {"payloads", 0},
    [DEC_C_TRUNCATED] = {"truncated", 1},
    [DEC_C_UNSUPPORTED_LINK] = {"unsupported_link", 1},
    [DEC_C_NOT_IP] = {"not_ip", 0},
    [DEC_C_BAD_IP] = {"bad_ip", 1},
    [DEC_C_OTHER_L4] = {"other_l4", 0},
    [DEC_C_BAD_UDP] = {"bad_udp", 1},
    [DEC_C_BAD_TCP] = {"bad_tcp", 1},
    [DEC_C_BAD_SCTP] = {"bad_sctp", 1},
    [DEC_C_FRAGMENTS] = {"fragments", 0},
    [DEC_C_FRAG_REASSEMBLED] = {"frag_reassembled", 0},
    [DEC_C_FRAG_TIMEOUT] = {"frag_timeout", 1},
    [DEC_C_FRAG_OVERLAP] = {"frag_overlap", 1},
    [DEC_C_FRAG_CAP] = {"frag_cap", 1},
    [DEC_C_TCP_SEGMENTS] = {"tcp_segments", 0},
    /* Retransmissions and reordering are normal TCP life; the loss they can
     * hide shows up as tcp_gap. */
    [DEC_C_TCP_RETRANS] = {"tcp_retrans", 0},
    [DEC_C_TCP_OUT_OF_ORDER] = {"tcp_out_of_order", 0},
    [DEC_C_TCP_GAP] = {"tcp_gap", 1},
    [DEC_C_TCP_GAP_BYTES] = {"tcp_gap_bytes", 1},
    [DEC_C_TCP_CAP] = {"tcp_cap", 1},
    [DEC_C_TCP_NOT_SIP] = {"tcp_not_sip", 0},
    [DEC_C_TCP_MALFORMED] = {"tcp_malformed", 1},
    [DEC_C_TCP_STREAMS] = {"tcp_streams", 0},
    [DEC_C_TCP_STREAMS_EVICTED] = {"tcp_streams_evicted", 1},
    [DEC_C_TCP_KEEPALIVES] = {"tcp_keepalives", 0},
    [DEC_C_TLS_FLOWS] = {"tls_flows", 0},
    [DEC_C_ENCAPSULATED] = {"encapsulated", 0},
};

/* Contract: snake_case name of the counter; "unknown" when out of range. */
const char *dec_counter_name(dec_counter c)
{
    if ((unsigned)c >= DEC_C__COUNT || _counters[c].name == NULL)
        return "unknown";
    return _counters[c].name;
}

/* Contract: 1 for counters that mean loss or breakage, 0 otherwise. */
int dec_counter_is_anomaly(dec_counter c)
{
    if ((unsigned)c >= DEC_C__COUNT)
        return 0;
    return _counters[c].anomaly;
}

/* Contract: fills cfg with the documented defaults. */
void dec_config_default(dec_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->sip_ports[0] = 5060;
    cfg->sip_ports[1] = 5061;
    cfg->strict_ports = 0;
    cfg->frag_timeout_s = 30;
    cfg->frag_max_pending = 4096;
    cfg->frag_max_per_datagram = 64;
    cfg->tcp_max_streams = 65536;
    cfg->tcp_stream_buf_max = 256u * 1024;
    cfg->tcp_total_buf_max = 64ull * 1024 * 1024;
    cfg->tcp_idle_timeout_s = 300;
}

/* Contract: see decode.h. A NULL cfg means the defaults; zero limits are
 * replaced by their defaults (a zero cap would drop everything, which no
 * caller means). */
int dec_create(dec_ctx **out, const dec_config *cfg, dec_payload_fn fn, void *user)
{
    dec_config def;
    dec_config_default(&def);
    dec_ctx *d = calloc(1, sizeof *d);
    *out = NULL;
    if (d == NULL)
        return ENOMEM;
    d->cfg = cfg ? *cfg : def;
    if (d->cfg.frag_timeout_s == 0)
        d->cfg.frag_timeout_s = def.frag_timeout_s;
    if (d->cfg.frag_max_pending == 0)
        d->cfg.frag_max_pending = def.frag_max_pending;
    if (d->cfg.frag_max_per_datagram == 0)
        d->cfg.frag_max_per_datagram = def.frag_max_per_datagram;
    if (d->cfg.tcp_max_streams == 0)
        d->cfg.tcp_max_streams = def.tcp_max_streams;
    if (d->cfg.tcp_stream_buf_max == 0)
        d->cfg.tcp_stream_buf_max = def.tcp_stream_buf_max;
    if (d->cfg.tcp_total_buf_max == 0)
        d->cfg.tcp_total_buf_max = def.tcp_total_buf_max;
    if (d->cfg.tcp_idle_timeout_s == 0)
        d->cfg.tcp_idle_timeout_s = def.tcp_idle_timeout_s;
    d->fn = fn;
    d->user = user;
    *out = d;
    return 0;
}

/* Contract: see decode.h. Counts the frame, then walks it from the link
 * layer down; every layer counts why it stopped. */
void dec_frame_in(dec_ctx *d, const dec_frame *f)
{
    DEC_COUNT(d, DEC_C_FRAMES);
    if (f->data == NULL && f->caplen > 0) {
        DEC_COUNT(d, DEC_C_TRUNCATED);
        return;
    }
    dec_pkt pk = {.ts_us = f->ts_us, .frame_no = f->frame_no, .input = f->input};
    dec_int_link(d, &pk, f->linktype, ss_cursor_make(f->data, f->caplen));
}

/* Contract: see decode.h. */
void dec_advance(dec_ctx *d, int64_t now_us)
{
    dec_int_defrag_expire(d, now_us);
    dec_int_tcp_expire(d, now_us);
}

/* Contract: see decode.h. Streams are flushed (their complete messages
 * still handed on), pending fragments counted as timed out. The context
 * stays usable. */
void dec_finish(dec_ctx *d)
{
    dec_int_tcp_clear(d, 1);
    dec_int_defrag_clear(d);
}

const uint64_t *dec_counters(const dec_ctx *d) { return d->c; }

/* Contract: see decode.h. Frees without flushing: no callbacks are made. */
void dec_destroy(dec_ctx *d)
{
    if (d == NULL)
        return;
    dec_int_tcp_clear(d, 0);
    dec_int_defrag_clear(d);
    free(d->tcp_tab);
    free(d->frag_tab);
    free(d);
}

int dec_int_tunnel_enter(dec_ctx *d, dec_pkt *pk)
{
    if (pk->depth >= DEC_MAX_DEPTH) {
        DEC_COUNT(d, DEC_C_BAD_IP);
        return -1;
    }
    pk->depth++;
    pk->flags |= DEC_PL_ENCAPSULATED;
    if (!pk->encap_counted) {
        pk->encap_counted = 1;
        DEC_COUNT(d, DEC_C_ENCAPSULATED);
    }
    return 0;
}

int dec_int_sip_port(const dec_ctx *d, uint16_t port)
{
    for (size_t i = 0; i < sizeof d->cfg.sip_ports / sizeof d->cfg.sip_ports[0]; i++) {
        if (d->cfg.sip_ports[i] == 0)
            break;
        if (d->cfg.sip_ports[i] == port)
            return 1;
    }
    return 0;
}

void dec_int_deliver(dec_ctx *d, const dec_pkt *pk, const ss_addr *src, const ss_addr *dst,
                     dec_transport tp, uint32_t flags, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (dec_int_sip_port(d, src->port) || dec_int_sip_port(d, dst->port))
        flags |= DEC_PL_SIP_PORT;
    else if (d->cfg.strict_ports)
        return;
    dec_payload pl = {
        .ts_us = pk->ts_us,
        .frame_no = pk->frame_no,
        .input = pk->input,
        .src = *src,
        .dst = *dst,
        .transport = tp,
        .flags = flags | pk->flags,
        .data = ss_slice_make(p, n),
    };
    DEC_COUNT(d, DEC_C_PAYLOADS);
    if (d->fn)
        d->fn(d->user, &pl);
}
