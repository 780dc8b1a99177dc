/* fuzz_sdp.c - libFuzzer target for the SDP parser (src/sip/sdp.c).
 *
 * Runs sdp_parse on the input and reads every byte of every slice it hands
 * out, so ASan reports a slice that reaches outside the input. Beyond "no
 * crash" it checks the invariants callers rely on: slices lie inside the
 * input (codec names from the static table excepted), counts stay within
 * the caps, only named defect bits are set, a failed parse leaves *out
 * zeroed, and the effective direction of each section is never NONE.
 * sdp_attr runs over the session head and every section. A violated
 * invariant traps so the input is saved. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipscope/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sdp_session g_s;
static volatile uint8_t g_sink;

#define _CHECK(c)                                                                              \
    do {                                                                                       \
        if (!(c))                                                                              \
            __builtin_trap();                                                                  \
    } while (0)

/* A slice must be empty or inside [base, base+size]; its bytes are read. */
static void _inside(ss_slice s, const uint8_t *base, size_t size)
{
    if (s.len == 0)
        return;
    _CHECK(s.p >= base && s.p + s.len <= base + size && s.p + s.len >= s.p);
    uint8_t x = 0;
    for (size_t i = 0; i < s.len; i++)
        x ^= s.p[i];
    g_sink = x;
}

static void _conn(const sdp_conn *c, const uint8_t *p, size_t n)
{
    _inside(c->nettype, p, n);
    _inside(c->addrtype, p, n);
    _inside(c->address, p, n);
}

static void _media(const sdp_media *m, const sdp_session *s, const uint8_t *p, size_t n)
{
    _inside(m->raw, p, n);
    _CHECK(m->raw.p >= s->raw.p && m->raw.p + m->raw.len <= s->raw.p + s->raw.len);
    _inside(m->type_name, p, n);
    _inside(m->proto_name, p, n);
    _inside(m->fmts, p, n);
    _inside(m->mid, p, n);
    _inside(m->path, p, n);
    _inside(m->accept_types, p, n);
    _conn(&m->conn, p, n);
    _CHECK(m->ncodec <= SDP_MAX_CODECS);
    _CHECK(m->ncodec_dropped == 0 || m->ncodec == SDP_MAX_CODECS);
    _CHECK(m->dir != SDP_DIR_NONE && m->dir < SDP_DIR__COUNT);
    _CHECK(m->dtmf_pt >= -1 && m->dtmf_pt <= 127);
    _CHECK(!m->disabled || m->port == 0);
    _CHECK(m->nports >= 1);
    (void)sdp_media_type_name(m->type);
    (void)sdp_proto_name(m->proto);
    (void)sdp_direction_name(m->dir);
    (void)sdp_media_on_hold(m);
    for (uint32_t i = 0; i < m->ncodec; i++) {
        const sdp_codec *c = &m->codec[i];
        _inside(c->fmt, p, n);
        _CHECK(c->fmt.len > 0);
        _inside(c->fmtp, p, n);
        _CHECK(c->pt >= -1 && c->pt <= 127);
        if (c->src == SDP_CS_STATIC) {
            const sdp_static_codec_info *si = sdp_static_codec(c->pt);
            _CHECK(si != NULL && c->name.p == (const uint8_t *)si->name);
        } else {
            _inside(c->name, p, n);
            _CHECK(c->src == SDP_CS_RTPMAP || c->name.len == 0);
        }
    }
    ss_slice v;
    if (sdp_attr(m->raw, "rtpmap", &v))
        _inside(v, p, n);
    if (sdp_attr(m->raw, "fmtp", &v))
        _inside(v, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* copy so that ASan catches a read one past the end of the input */
    uint8_t *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    if (size)
        memcpy(buf, data, size);

    int r = sdp_parse(buf, size, &g_s);
    _CHECK(r == 0 || r == -1);
    if (r == -1) {
        _CHECK(g_s.nmedia == 0 && g_s.defects == 0 && g_s.raw.p == NULL);
    } else {
        _inside(g_s.raw, buf, size);
        _inside(g_s.head, buf, size);
        _CHECK(g_s.raw.len >= 2 && g_s.raw.p[0] == 'v' && g_s.raw.p[1] == '=');
        _CHECK(g_s.head.p == g_s.raw.p && g_s.head.len <= g_s.raw.len);
        _inside(g_s.name, buf, size);
        _inside(g_s.origin.username, buf, size);
        _inside(g_s.origin.sess_id, buf, size);
        _inside(g_s.origin.sess_version, buf, size);
        _inside(g_s.origin.nettype, buf, size);
        _inside(g_s.origin.addrtype, buf, size);
        _inside(g_s.origin.address, buf, size);
        _conn(&g_s.conn, buf, size);
        _CHECK(g_s.nmedia <= SDP_MAX_MEDIA);
        _CHECK(g_s.nmedia_dropped == 0 || g_s.nmedia == SDP_MAX_MEDIA);
        _CHECK(g_s.dir < SDP_DIR__COUNT);
        for (uint32_t i = 0; i < g_s.nmedia; i++)
            _media(&g_s.media[i], &g_s, buf, size);
        for (int b = 0; b < SDP_DEF__COUNT; b++)
            if (g_s.defects & (1u << b))
                _CHECK(sdp_defect_name(1u << b) != NULL);
        _CHECK((g_s.defects >> SDP_DEF__COUNT) == 0);
        ss_slice v;
        if (sdp_attr(g_s.head, "group", &v))
            _inside(v, buf, size);
    }
    /* the whole input as an attribute block, too */
    ss_slice v;
    if (sdp_attr(ss_slice_make(buf, size), "x", &v))
        _inside(v, buf, size);
    free(buf);
    return 0;
}
