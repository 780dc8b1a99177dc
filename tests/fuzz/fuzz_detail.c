/* fuzz_detail.c - libFuzzer target for the conversation-detail parsers and
 * derivation (src/correlate/detail.c) and their text/JSON forms
 * (src/report/detail_out.c).
 *
 * The first byte picks what the rest of the input is:
 *   0 mod 3: a SOAP body for cor_soap_element - the name must lie inside
 *            the input, be non-empty and carry no prefix;
 *   1 mod 3: a message/sipfrag body for cor_sipfrag_status - the code is
 *            100..699 or -1, the reason inside the input;
 *   2 mod 3: SIP messages separated by NUL bytes, parsed and correlated
 *            like the pipeline does; every finished record's notes,
 *            summary and JSON dialog are rendered (ASan checks the reads);
 *            the JSON must parse and re-serialize with json-c to the same
 *            bytes.
 * A violated invariant traps so the input is saved. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/report/detail_int.h"
#include "../../src/report/report_int.h"
#include "sipscope/correlate.h"
#include "sipscope/detail.h"
#include "sipscope/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define _CHECK(c)                                                                              \
    do {                                                                                       \
        if (!(c))                                                                              \
            __builtin_trap();                                                                  \
    } while (0)

static volatile size_t g_sink;
static sip_msg g_m;

static void _inside(ss_slice s, const uint8_t *base, size_t size)
{
    if (s.len == 0)
        return;
    _CHECK(s.p >= base && s.p + s.len <= base + size);
}

static void _done(void *user, const cor_record *rec)
{
    (void)user;
    char buf[600];
    const cor_detail *d = rec->detail;
    if (d == NULL)
        return;
    _CHECK(d->nnotes <= COR_DETAIL_MAX_NOTES && d->nsdp <= COR_DETAIL_MAX_SDP);
    for (uint32_t i = 0; i < d->nnotes; i++) {
        _CHECK(d->notes[i].msg == COR_TXN_NONE || d->notes[i].msg < rec->nmsgs);
        g_sink += strlen(rep_note_text(rec, &d->notes[i], buf, sizeof buf));
    }
    for (uint32_t i = 0; i < d->nsdp; i++) {
        cor_sdp_view v;
        _CHECK(d->sdp[i].body_len <= COR_SDP_MAX_BODY);
        if (cor_sdp_describe(&d->sdp[i], &v) == 0)
            _CHECK(v.nmedia <= COR_SDP_MAX_MEDIA && strlen(v.media[0].codecs) < sizeof v.media[0].codecs);
    }
    g_sink += strlen(rep_detail_summary(rec, buf, sizeof buf));
    /* the dialog as the JSON report writes it (json.c, detail_out.c,
     * legs.c): valid JSON, in json-c's own layout byte for byte */
    rep_jw *w = rep_jw_new();
    if (w == NULL)
        return;
    rep_jw_record(w, rec);
    size_t len;
    const char *text = rep_jw_text(w, &len);
    if (len) {
        json_tokener *tok = json_tokener_new();
        json_object *o = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
        if (tok) {
            _CHECK(o != NULL && json_tokener_get_parse_end(tok) == len);
            size_t n;
            const char *again =
                json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
            _CHECK(n == len && memcmp(again, text, len) == 0);
            g_sink += n;
            json_object_put(o);
            json_tokener_free(tok);
        }
    }
    rep_jw_free(w);
}

static void _messages(const uint8_t *p, size_t n)
{
    cor_ctx *c;
    cor_config cfg;
    cor_config_default(&cfg);
    cor_sink sink = {NULL, _done, NULL};
    if (cor_create(&c, &cfg, &sink) != 0)
        return;
    uint64_t frame = 0;
    while (n > 0) {
        const uint8_t *nul = memchr(p, 0, n);
        size_t len = nul ? (size_t)(nul - p) : n, used = 0;
        if (sip_parse(&g_m, p, len, 0, &used) == SIP_OK) {
            dec_payload pl;
            memset(&pl, 0, sizeof pl);
            pl.ts_us = (int64_t)++frame * 1000;
            pl.frame_no = frame;
            pl.transport = DEC_TP_UDP;
            pl.src.family = pl.dst.family = 4;
            pl.src.ip[3] = (uint8_t)(frame & 1);
            pl.data = ss_slice_make(p, len);
            cor_message(c, &g_m, &pl);
        }
        p += len + (nul != NULL);
        n -= len + (nul != NULL);
    }
    cor_finish(c, 0);
    cor_destroy(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    ss_slice body = ss_slice_make(p, n), out;
    switch (data[0] % 3) {
    case 0:
        if (cor_soap_element(body, &out) == 0) {
            _CHECK(out.len > 0);
            _inside(out, p, n);
            _CHECK(memchr(out.p, ':', out.len) == NULL);
        } else {
            _CHECK(out.len == 0);
        }
        break;
    case 1: {
        int code = cor_sipfrag_status(body, &out);
        _CHECK(code == -1 || (code >= 100 && code <= 699));
        _inside(out, p, n);
        break;
    }
    default:
        _messages(p, n);
        break;
    }
    return 0;
}
