/* test_detail.c - conversation detail (src/correlate/detail.c) and its
 * text forms (src/report/detail_out.c), cmocka.
 *
 * Messages are written by hand as SIP text, parsed by sip_parse and fed to
 * the correlator like the pipeline does; the sink copies the finished
 * record's detail, the text of every note and the summary line. Endpoint
 * A = 10.0.0.1:5060, B = 10.0.0.2:5060; dir 0 means A -> B. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/report/detail_int.h"
#include "../../src/report/report_int.h"
#include "jw_check.h"
#include "sipscope/correlate.h"
#include "sipscope/detail.h"
#include "sipscope/sip.h"

#define MAX_NOTES 32

/* What the sink kept of the (single) finished record. */
typedef struct snap {
    int have, have_detail;
    cor_kind kind;
    cor_detail d;           /* pointers inside are dangling: use the copies */
    char contact[96], realm[64], event[64], resource[64], sub_state[32], sub_reason[32];
    char refer_to[64], transfer_reason[32], service_action[64], comp_off[32], comp_acc[32];
    char ms_reason[96], logon[32], keep_alive[64];
    char note[MAX_NOTES][200];
    uint8_t note_kind[MAX_NOTES];
    uint32_t note_msg[MAX_NOTES];
    size_t nnotes;
    char sdp_role[8][8], sdp_media0[8][160];
    size_t nsdp;
    char summary[600];
    cor_sdp_summary sum;
    uint8_t change[8];
    char json[131072];      /* the record's dialogs[] object in the JSON report */
} snap;

typedef struct fx {
    cor_ctx *c;
    rep_conv *conv;   /* when set, every finished record goes in */
    snap s;
    int64_t ts;
    uint64_t frame;
    char buf[4096];
} fx;

static void _cp(char *dst, size_t n, const char *s) { snprintf(dst, n, "%s", s ? s : "(null)"); }

static json_object *_path(json_object *o, const char *path);

/* The record's dialog as the JSON report writes it (jw_dialog_checked:
 * json-c writes what it parses to byte for byte the same); each note's text
 * must be rep_note_text's line (the report describes all SDP bodies once,
 * rep_note_text one body per note). */
static void _dialog_json(snap *s, const cor_record *r)
{
    char *dialog = jw_dialog_checked(r);
    assert_true(strlen(dialog) < sizeof s->json);
    snprintf(s->json, sizeof s->json, "%s", dialog);
    free(dialog);
    json_object *o = json_tokener_parse(s->json);
    assert_non_null(o);
    assert_int_equal(json_object_object_get_ex(o, "registration", NULL), r->kind == COR_KIND_REGISTRATION);
    assert_int_equal(json_object_object_get_ex(o, "subscription", NULL), r->kind == COR_KIND_SUBSCRIPTION);
    const cor_detail *d = r->detail;
    json_object *notes = _path(o, "notes");
    assert_int_equal(notes ? json_object_array_length(notes) : 0, d ? d->nnotes : 0);
    for (uint32_t i = 0; d && i < d->nnotes; i++) {
        char line[512];
        rep_note_text(r, &d->notes[i], line, sizeof line);
        json_object *text = NULL;
        assert_true(json_object_object_get_ex(json_object_array_get_idx(notes, i), "text", &text));
        assert_string_equal(json_object_get_string(text), line);
    }
    json_object *sdp = _path(o, "sdp");
    assert_int_equal(sdp ? json_object_array_length(sdp) : 0, d ? d->nsdp : 0);
    json_object_put(o);
}

/* One value of the last record's dialog JSON, as JSON text ("null",
 * "\"hold\"", "3"), "(missing)" when absent. */
static const char *_dj(const snap *s, const char *path, char *out, size_t n)
{
    json_object *o = json_tokener_parse(s->json);
    assert_non_null(o);
    json_object *v = NULL;
    int found = 1;
    char key[64];
    json_object *cur = o;
    while (cur && *path) { /* _path, but telling null from missing */
        const char *dot = strchr(path, '.');
        size_t l = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(key, sizeof key, "%.*s", (int)l, path);
        if (json_object_is_type(cur, json_type_array)) {
            v = json_object_array_get_idx(cur, (size_t)atoi(key));
            found = v != NULL;
        } else {
            found = json_object_object_get_ex(cur, key, &v);
        }
        if (!found)
            break;
        cur = v;
        path += l + (dot != NULL);
    }
    snprintf(out, n, "%s", !found ? "(missing)" : v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null");
    json_object_put(o);
    return out;
}

static void _on_done(void *user, const cor_record *r)
{
    snap *s = &((fx *)user)->s;
    if (((fx *)user)->conv)
        rep_conv_record(((fx *)user)->conv, r);
    memset(s, 0, sizeof *s);
    s->have = 1;
    s->kind = r->kind;
    _dialog_json(s, r);
    if (r->detail == NULL)
        return;
    const cor_detail *d = r->detail;
    s->have_detail = 1;
    s->d = *d;
    _cp(s->contact, sizeof s->contact, d->contact);
    _cp(s->realm, sizeof s->realm, d->realm);
    _cp(s->event, sizeof s->event, d->event);
    _cp(s->resource, sizeof s->resource, d->resource);
    _cp(s->sub_state, sizeof s->sub_state, d->sub_state);
    _cp(s->sub_reason, sizeof s->sub_reason, d->sub_reason);
    _cp(s->refer_to, sizeof s->refer_to, d->refer_to);
    _cp(s->transfer_reason, sizeof s->transfer_reason, d->transfer_reason);
    _cp(s->service_action, sizeof s->service_action, d->service_action);
    _cp(s->comp_off, sizeof s->comp_off, d->compression_offered);
    _cp(s->comp_acc, sizeof s->comp_acc, d->compression_accepted);
    _cp(s->ms_reason, sizeof s->ms_reason, d->ms_diag_reason);
    _cp(s->logon, sizeof s->logon, d->logon_data);
    _cp(s->keep_alive, sizeof s->keep_alive, d->keep_alive);
    for (uint32_t i = 0; i < d->nnotes && i < MAX_NOTES; i++) {
        rep_note_text(r, &d->notes[i], s->note[i], sizeof s->note[i]);
        s->note_kind[i] = d->notes[i].kind;
        s->note_msg[i] = d->notes[i].msg;
        s->nnotes++;
    }
    uint8_t change[COR_DETAIL_MAX_SDP];
    cor_detail_sdp_summary(d, &s->sum, change);
    for (uint32_t i = 0; i < d->nsdp && i < 8; i++) {
        const cor_sdp *p = &d->sdp[i];
        cor_sdp_view v;
        _cp(s->sdp_role[i], sizeof s->sdp_role[i], p->answer ? "answer" : "offer");
        assert_int_equal(cor_sdp_describe(p, &v), 0);
        if (v.nmedia)
            snprintf(s->sdp_media0[i], sizeof s->sdp_media0[i], "%.*s %u %.*s %s %.*s %.*s",
                     (int)v.media[0].type.len, (const char *)v.media[0].type.p, v.media[0].port,
                     (int)v.media[0].proto.len, (const char *)v.media[0].proto.p, v.media[0].codecs,
                     (int)v.media[0].addr.len, (const char *)v.media[0].addr.p, (int)v.conn.len,
                     (const char *)v.conn.p);
        s->change[i] = change[i];
        s->nsdp++;
    }
    rep_detail_summary(r, s->summary, sizeof s->summary);
}

static int _setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    cor_config cfg;
    cor_config_default(&cfg);
    cor_sink sink = {NULL, _on_done, f};
    if (f == NULL || cor_create(&f->c, &cfg, &sink) != 0)
        return -1;
    f->ts = 1000000;
    *state = f;
    return 0;
}

static int _teardown(void **state)
{
    fx *f = *state;
    cor_destroy(f->c);
    free(f);
    return 0;
}

/* Sends one message: `head` is the start line and headers, one per '\n'
 * (written with CRLF), Content-Length is added for body. */
static void _send(fx *f, int dir, const char *head, const char *body)
{
    size_t o = 0, bl = body ? strlen(body) : 0;
    for (const char *p = head; *p && o + 4 < sizeof f->buf; p++) {
        if (*p == '\n')
            f->buf[o++] = '\r';
        f->buf[o++] = *p;
    }
    o += (size_t)snprintf(f->buf + o, sizeof f->buf - o, "\r\nContent-Length: %zu\r\n\r\n%s", bl, body ? body : "");
    sip_msg *m = malloc(sizeof *m);
    size_t used = 0;
    assert_non_null(m);
    assert_int_equal(sip_parse(m, (const uint8_t *)f->buf, o, 0, &used), SIP_OK);
    dec_payload pl;
    memset(&pl, 0, sizeof pl);
    pl.ts_us = f->ts;
    f->ts += 10000;
    pl.frame_no = ++f->frame;
    pl.transport = DEC_TP_UDP;
    pl.src.family = pl.dst.family = 4;
    pl.src.ip[0] = pl.dst.ip[0] = 10;
    pl.src.ip[3] = (uint8_t)(dir ? 2 : 1);
    pl.dst.ip[3] = (uint8_t)(dir ? 1 : 2);
    pl.src.port = pl.dst.port = 5060;
    pl.data = ss_slice_make(f->buf, o);
    cor_message(f->c, m, &pl);
    free(m);
}

static void _finish(fx *f)
{
    cor_finish(f->c, 0);
    assert_true(f->s.have);
}

#define A_VIA "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK"
#define B_VIA "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK"
#define REG_HDRS "Call-ID: reg-1\nFrom: <sip:alice@example.com>;tag=a1\n"

/* ---- registration ---- */

static void test_registration_binding(void **state)
{
    fx *f = *state;
    _send(f, 0, "REGISTER sip:example.com SIP/2.0\n" A_VIA "r1\n" REG_HDRS "To: <sip:alice@example.com>\n"
                "CSeq: 1 REGISTER\nContact: <sip:alice@10.0.0.1:5060>;expires=3600", NULL);
    _send(f, 1, "SIP/2.0 401 Unauthorized\n" A_VIA "r1\n" REG_HDRS "To: <sip:alice@example.com>;tag=s1\n"
                "CSeq: 1 REGISTER\nWWW-Authenticate: Digest realm=\"example.com\", nonce=\"x\"", NULL);
    _send(f, 0, "REGISTER sip:example.com SIP/2.0\n" A_VIA "r2\n" REG_HDRS "To: <sip:alice@example.com>\n"
                "CSeq: 2 REGISTER\nContact: <sip:alice@10.0.0.1:5060>\nExpires: 3600\n"
                "Authorization: Digest username=\"alice\", realm=\"example.com\"", NULL);
    _send(f, 1, "SIP/2.0 200 OK\n" A_VIA "r2\n" REG_HDRS "To: <sip:alice@example.com>;tag=s2\n"
                "CSeq: 2 REGISTER\nContact: <sip:alice@10.0.0.1:5060>;expires=1800\n"
                "ms-keep-alive: UAS; tcp=no; hop-hop=yes; end-end=no; timeout=300\n"
                "ms-user-logon-data: RemoteUser", NULL);
    /* a refresh, then the de-registration */
    _send(f, 0, "REGISTER sip:example.com SIP/2.0\n" A_VIA "r3\n" REG_HDRS "To: <sip:alice@example.com>\n"
                "CSeq: 3 REGISTER\nContact: <sip:alice@10.0.0.1:5060>;expires=1800", NULL);
    _send(f, 1, "SIP/2.0 200 OK\n" A_VIA "r3\n" REG_HDRS "To: <sip:alice@example.com>;tag=s3\n"
                "CSeq: 3 REGISTER\nExpires: 1200", NULL);
    _send(f, 0, "REGISTER sip:example.com SIP/2.0\n" A_VIA "r4\n" REG_HDRS "To: <sip:alice@example.com>\n"
                "CSeq: 4 REGISTER\nContact: *\nExpires: 0", NULL);
    _send(f, 1, "SIP/2.0 200 OK\n" A_VIA "r4\n" REG_HDRS "To: <sip:alice@example.com>;tag=s4\n"
                "CSeq: 4 REGISTER", NULL);
    _finish(f);
    snap *s = &f->s;
    assert_int_equal(s->kind, COR_KIND_REGISTRATION);
    assert_true(s->have_detail);
    assert_string_equal(s->contact, "sip:alice@10.0.0.1:5060");
    assert_string_equal(s->realm, "example.com");
    assert_int_equal(s->d.auth_scheme, SIP_AUTH_DIGEST);
    assert_int_equal(s->d.registers, 4);
    assert_int_equal(s->d.refreshes, 1);
    assert_int_equal(s->d.expires_asked, 0);
    assert_int_equal(s->d.expires_granted, 0);
    assert_int_equal(s->d.deregistered, 1);
    assert_string_equal(s->logon, "RemoteUser");
    assert_string_equal(s->keep_alive, "UAS; tcp=no; hop-hop=yes; end-end=no; timeout=300");
    assert_int_equal(s->nnotes, 8);
    assert_string_equal(s->note[0], "register contact sip:alice@10.0.0.1:5060 expires 3600");
    assert_string_equal(s->note[1], "challenge Digest realm \"example.com\"");
    assert_string_equal(s->note[2], "register contact sip:alice@10.0.0.1:5060 expires 3600, Digest credentials");
    assert_int_equal(s->d.cred_scheme, SIP_AUTH_DIGEST);
    assert_string_equal(s->note[3], "binding granted, expires 1800");
    assert_string_equal(s->note[5], "binding granted, expires 1200"); /* Expires, no Contact */
    assert_string_equal(s->note[6], "de-registration (expires 0) contact *");
    assert_string_equal(s->note[7], "binding removed");
    assert_int_equal(s->note_msg[7], 7);
    assert_string_equal(s->summary, "binding sip:alice@10.0.0.1:5060, de-registered, Digest realm \"example.com\", "
                                    "1 refresh");
    char j[256];
    assert_string_equal(_dj(s, "registration.aor", j, sizeof j), "\"sip:alice@example.com\"");
    assert_string_equal(_dj(s, "registration.auth_scheme", j, sizeof j), "\"Digest\"");
    assert_string_equal(_dj(s, "registration.contact", j, sizeof j), "\"sip:alice@10.0.0.1:5060\"");
    assert_string_equal(_dj(s, "registration.expires_requested", j, sizeof j), "0");
    assert_string_equal(_dj(s, "registration.deregistration", j, sizeof j), "true");
    assert_string_equal(_dj(s, "registration.refreshes", j, sizeof j), "1");
    assert_string_equal(_dj(s, "registration.credentials_scheme", j, sizeof j), "\"Digest\"");
    assert_string_equal(_dj(s, "notes.1.kind", j, sizeof j), "\"challenge\"");
    assert_string_equal(_dj(s, "notes.7.message", j, sizeof j), "7");
    assert_string_equal(_dj(s, "session", j, sizeof j), "(missing)");
}

static void test_registration_failure_ms_diagnostics(void **state)
{
    fx *f = *state;
    _send(f, 0, "REGISTER sip:example.com SIP/2.0\n" A_VIA "r1\n" REG_HDRS "To: <sip:alice@example.com>\n"
                "CSeq: 1 REGISTER\nContact: <sip:alice@10.0.0.1:5060>", NULL);
    _send(f, 1, "SIP/2.0 407 Proxy Authentication Required\n" A_VIA "r1\n" REG_HDRS
                "To: <sip:alice@example.com>;tag=s1\nCSeq: 1 REGISTER\n"
                "Proxy-Authenticate: NTLM realm=\"SIP Communications Service\", targetname=\"x\"\n"
                "Proxy-Authenticate: Kerberos realm=\"SIP Communications Service\", targetname=\"y\"", NULL);
    _send(f, 0, "REGISTER sip:example.com SIP/2.0\n" A_VIA "r2\n" REG_HDRS "To: <sip:alice@example.com>\n"
                "CSeq: 2 REGISTER\nContact: <sip:alice@10.0.0.1:5060>\n"
                "Proxy-Authorization: Kerberos realm=\"SIP Communications Service\", gssapi-data=\"t\"", NULL);
    _send(f, 1, "SIP/2.0 403 Forbidden\n" A_VIA "r2\n" REG_HDRS "To: <sip:alice@example.com>;tag=s2\n"
                "CSeq: 2 REGISTER\n"
                "ms-diagnostics: 4005;reason=\"Destination URI either not enabled for SIP or does not exist\";"
                "source=\"pool.example.com\"", NULL);
    _finish(f);
    snap *s = &f->s;
    assert_int_equal(s->d.auth_scheme, SIP_AUTH_NTLM);
    assert_string_equal(s->realm, "SIP Communications Service");
    assert_int_equal(s->d.expires_asked, -1);
    assert_int_equal(s->d.expires_granted, -1);
    assert_int_equal(s->d.deregistered, 0);
    assert_int_equal(s->d.ms_diag_code, 4005);
    assert_string_equal(s->ms_reason, "Destination URI either not enabled for SIP or does not exist");
    assert_int_equal(s->nnotes, 5);
    assert_string_equal(s->note[0], "register contact sip:alice@10.0.0.1:5060");
    assert_string_equal(s->note[1], "challenge NTLM, Kerberos realm \"SIP Communications Service\"");
    assert_string_equal(s->note[2], "register contact sip:alice@10.0.0.1:5060, Kerberos credentials");
    assert_int_equal(s->d.cred_scheme, SIP_AUTH_KERBEROS);
    assert_string_equal(s->note[3], "ms-diagnostics 4005 Destination URI either not enabled for SIP or does not exist");
    assert_string_equal(s->note[4], "registration failed (403)");
}

/* ---- subscription ---- */

#define SUB_HDRS "Call-ID: sub-1\nFrom: <sip:alice@example.com>;tag=a1\n"

static void test_subscription_lifecycle(void **state)
{
    fx *f = *state;
    _send(f, 0, "SUBSCRIBE sip:bob@example.com SIP/2.0\n" A_VIA "s1\n" SUB_HDRS "To: <sip:bob@example.com>\n"
                "CSeq: 1 SUBSCRIBE\nEvent: presence\nExpires: 600\nContact: <sip:alice@10.0.0.1>", NULL);
    _send(f, 1, "SIP/2.0 200 OK\n" A_VIA "s1\n" SUB_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 1 SUBSCRIBE\nExpires: 600", NULL);
    _send(f, 1, "NOTIFY sip:alice@10.0.0.1 SIP/2.0\n" B_VIA "n1\nCall-ID: sub-1\nFrom: <sip:bob@example.com>;tag=b1\n"
                "To: <sip:alice@example.com>;tag=a1\nCSeq: 1 NOTIFY\nEvent: presence\n"
                "Subscription-State: active;expires=599\nContent-Type: application/pidf+xml", "<presence/>");
    /* the NOTIFY again (retransmission): counted once */
    _send(f, 1, "NOTIFY sip:alice@10.0.0.1 SIP/2.0\n" B_VIA "n1\nCall-ID: sub-1\nFrom: <sip:bob@example.com>;tag=b1\n"
                "To: <sip:alice@example.com>;tag=a1\nCSeq: 1 NOTIFY\nEvent: presence\n"
                "Subscription-State: active;expires=599\nContent-Type: application/pidf+xml", "<presence/>");
    _send(f, 0, "SIP/2.0 200 OK\n" B_VIA "n1\nCall-ID: sub-1\nFrom: <sip:bob@example.com>;tag=b1\n"
                "To: <sip:alice@example.com>;tag=a1\nCSeq: 1 NOTIFY", NULL);
    _send(f, 0, "SUBSCRIBE sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "s2\n" SUB_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 2 SUBSCRIBE\nEvent: presence\nExpires: 600", NULL);
    _send(f, 1, "SIP/2.0 200 OK\n" A_VIA "s2\n" SUB_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 2 SUBSCRIBE\nExpires: 300", NULL);
    _send(f, 1, "NOTIFY sip:alice@10.0.0.1 SIP/2.0\n" B_VIA "n2\nCall-ID: sub-1\nFrom: <sip:bob@example.com>;tag=b1\n"
                "To: <sip:alice@example.com>;tag=a1\nCSeq: 2 NOTIFY\nEvent: presence\n"
                "Subscription-State: terminated;reason=noresource", NULL);
    _finish(f);
    snap *s = &f->s;
    assert_int_equal(s->kind, COR_KIND_SUBSCRIPTION);
    assert_string_equal(s->event, "presence");
    assert_string_equal(s->resource, "sip:bob@example.com");
    assert_string_equal(s->sub_state, "terminated");
    assert_string_equal(s->sub_reason, "noresource");
    assert_int_equal(s->d.subscribes, 2);
    assert_int_equal(s->d.sub_refreshes, 1);
    assert_int_equal(s->d.unsubscribes, 0);
    assert_int_equal(s->d.notifies, 2);
    assert_int_equal(s->d.benotifies, 0);
    assert_int_equal(s->d.sub_expires, 300);
    assert_int_equal(s->nnotes, 4);
    assert_string_equal(s->note[0], "subscribe presence expires 600");
    assert_string_equal(s->note[1], "Subscription-State active expires 599");
    assert_string_equal(s->note[2], "refresh presence expires 600");
    assert_string_equal(s->note[3], "Subscription-State terminated reason noresource");
    char j[256];
    assert_string_equal(_dj(s, "subscription.event", j, sizeof j), "\"presence\"");
    assert_string_equal(_dj(s, "subscription.state_history", j, sizeof j), "[\"active\",\"terminated\"]");
    assert_string_equal(_dj(s, "subscription.terminated_reason", j, sizeof j), "\"noresource\"");
    assert_string_equal(_dj(s, "subscription.expires", j, sizeof j), "300");
    assert_string_equal(_dj(s, "subscription.resource", j, sizeof j), "\"sip:bob@example.com\"");
    assert_string_equal(_dj(s, "subscription.subscribes", j, sizeof j), "2");
    assert_string_equal(s->summary, "event presence, state terminated (noresource), 2 NOTIFY, 1 refresh, "
                                    "sip:alice@example.com watches sip:bob@example.com");
}

static void test_benotify_roaming(void **state)
{
    fx *f = *state;
    _send(f, 0, "SUBSCRIBE sip:alice@example.com SIP/2.0\n" A_VIA "s1\n" SUB_HDRS "To: <sip:alice@example.com>\n"
                "CSeq: 1 SUBSCRIBE\nEvent: vnd-microsoft-roaming-contacts\nSupported: ms-benotify\nExpires: 0", NULL);
    _send(f, 1, "SIP/2.0 200 OK\n" A_VIA "s1\n" SUB_HDRS "To: <sip:alice@example.com>;tag=b1\n"
                "CSeq: 1 SUBSCRIBE\nExpires: 28800", NULL);
    for (int i = 0; i < 3; i++) {
        char h[512];
        snprintf(h, sizeof h, "BENOTIFY sip:alice@10.0.0.1 SIP/2.0\n" B_VIA "bn%d\nCall-ID: sub-1\n"
                              "From: <sip:alice@example.com>;tag=b1\nTo: <sip:alice@example.com>;tag=a1\n"
                              "CSeq: %d BENOTIFY\nEvent: vnd-microsoft-roaming-contacts\n"
                              "Content-Type: application/vnd-microsoft-roaming-contacts+xml",
                 i, i + 1);
        _send(f, 1, h, "<contactDelta/>");
    }
    _finish(f);
    assert_int_equal(f->s.d.benotifies, 3);
    assert_int_equal(f->s.d.fetches, 1);
    assert_int_equal(f->s.d.unsubscribes, 0);
    assert_string_equal(f->s.note[0], "fetch vnd-microsoft-roaming-contacts");
    assert_int_equal(f->s.d.notifies, 0);
    assert_int_equal(f->s.d.sub_expires, 28800);
    assert_string_equal(f->s.event, "vnd-microsoft-roaming-contacts");
    assert_string_equal(f->s.sub_state, "");
}

/* ---- sessions ---- */

#define CALL_HDRS "Call-ID: call-1\nFrom: <sip:alice@example.com>;tag=a1\n"
#define SDP_A(dir) "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" \
                   "m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=" dir "\r\n"
#define SDP_B(dir) "v=0\r\no=- 2 2 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n" \
                   "m=audio 5000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=" dir "\r\n"

static void _invite(fx *f, int cseq, const char *branch, int in_dialog, const char *sdp, const char *ans)
{
    char h[512];
    snprintf(h, sizeof h, "INVITE sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "%s\n" CALL_HDRS
                          "To: <sip:bob@example.com>%s\nCSeq: %d INVITE\nContact: <sip:alice@10.0.0.1>%s",
             branch, in_dialog ? ";tag=b1" : "", cseq, sdp ? "\nContent-Type: application/sdp" : "");
    _send(f, 0, h, sdp);
    snprintf(h, sizeof h, "SIP/2.0 200 OK\n" A_VIA "%s\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                          "CSeq: %d INVITE\nContact: <sip:bob@10.0.0.2>%s",
             branch, cseq, ans ? "\nContent-Type: application/sdp" : "");
    _send(f, 1, h, ans);
}

static void _ack(fx *f, int cseq, const char *branch, const char *sdp)
{
    char h[512];
    snprintf(h, sizeof h, "ACK sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "%s\n" CALL_HDRS
                          "To: <sip:bob@example.com>;tag=b1\nCSeq: %d ACK%s",
             branch, cseq, sdp ? "\nContent-Type: application/sdp" : "");
    _send(f, 0, h, sdp);
}

static void test_hold_resume_and_info(void **state)
{
    fx *f = *state;
    _invite(f, 1, "i1", 0, SDP_A("sendrecv"), SDP_B("sendrecv"));
    _ack(f, 1, "k1", NULL);
    _send(f, 0, "INFO sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "f1\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 2 INFO\nContent-Type: application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
    _invite(f, 3, "i2", 1, SDP_A("sendonly"), SDP_B("recvonly"));
    _ack(f, 3, "k2", NULL);
    _invite(f, 4, "i3", 1, SDP_A("sendrecv"), SDP_B("sendrecv"));
    _ack(f, 4, "k3", NULL);
    _send(f, 0, "BYE sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "y1\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 5 BYE", NULL);
    _finish(f);
    snap *s = &f->s;
    assert_int_equal(s->kind, COR_KIND_CALL);
    assert_int_equal(s->d.reinvites, 2);
    assert_int_equal(s->sum.holds, 1);
    assert_int_equal(s->sum.resumes, 1);
    assert_int_equal(s->sum.on_hold, 0);
    assert_int_equal(s->change[0], COR_SDP_NO_CHANGE);
    assert_int_equal(s->change[2], COR_SDP_HOLD);
    assert_int_equal(s->change[3], COR_SDP_NO_CHANGE); /* the answer changes nothing */
    assert_int_equal(s->change[4], COR_SDP_RESUME);
    assert_int_equal(s->d.info_dtmf, 1);
    assert_int_equal(s->d.info_typing, 0);
    assert_int_equal(s->sum.im_session, 0);
    assert_int_equal(s->nsdp, 6);
    assert_string_equal(s->sdp_role[0], "offer");
    assert_string_equal(s->sdp_role[1], "answer");
    assert_string_equal(s->sdp_role[2], "offer");
    assert_string_equal(s->sdp_role[3], "answer");
    assert_string_equal(s->sdp_media0[0], "audio 4000 RTP/AVP PCMU,PCMA,telephone-event 10.0.0.1 10.0.0.1");
    assert_string_equal(s->note[0], "SDP offer audio PCMU,PCMA,telephone-event sendrecv 10.0.0.1:4000");
    assert_string_equal(s->note[1], "SDP answer audio PCMU,telephone-event sendrecv 10.0.0.2:5000");
    assert_string_equal(s->note[2], "INFO dtmf");
    assert_string_equal(s->note[3], "SDP offer (hold) audio PCMU,PCMA,telephone-event sendonly 10.0.0.1:4000");
    assert_string_equal(s->note[4], "SDP answer audio PCMU,telephone-event recvonly 10.0.0.2:5000");
    assert_string_equal(s->note[5], "SDP offer (resume) audio PCMU,PCMA,telephone-event sendrecv 10.0.0.1:4000");
    assert_int_equal(s->nnotes, 7);
    assert_string_equal(s->summary, "1 INFO DTMF, 2 re-INVITE, hold 1, resume 1");
    char j[256];
    assert_string_equal(_dj(s, "session.holds", j, sizeof j), "1");
    assert_string_equal(_dj(s, "session.info", j, sizeof j), "{\"typing\":0,\"dtmf\":1,\"other\":0}");
    assert_string_equal(_dj(s, "sdp.0.hold_change", j, sizeof j), "null");
    assert_string_equal(_dj(s, "sdp.2.hold_change", j, sizeof j), "\"hold\"");
    assert_string_equal(_dj(s, "sdp.4.hold_change", j, sizeof j), "\"resume\"");
    assert_string_equal(_dj(s, "sdp.1.role", j, sizeof j), "\"answer\"");
    assert_string_equal(_dj(s, "sdp.1.status", j, sizeof j), "200");
    assert_string_equal(_dj(s, "sdp.0.status", j, sizeof j), "null");
    assert_string_equal(_dj(s, "sdp.0.connection", j, sizeof j), "\"10.0.0.1\"");
    assert_string_equal(_dj(s, "sdp.0.media.0.codecs", j, sizeof j), "[\"PCMU\",\"PCMA\",\"telephone-event\"]");
    assert_string_equal(_dj(s, "sdp.2.media.0.direction", j, sizeof j), "\"sendonly\"");
    assert_string_equal(_dj(s, "sdp.0.media.0.port", j, sizeof j), "4000");
}

/* Content-Type application/sdp in any case is SDP; a byte off anywhere,
 * the '/' included (0x0f is '/' with the case bit cleared), is not */
static void test_sdp_content_type_case(void **state)
{
    fx *f = *state;
    static const char *const types[] = {"APPLICATION/SDP", "Application/Sdp", "application\x0fsdp",
                                        "applicationOsdp", "application/sdq", "Bpplication/sdp",
                                        "application/sdpp", "application/sd", "aPPLICATIOn/sDp"};
    for (int i = 0; i < 9; i++) {
        char h[512];
        snprintf(h, sizeof h, "INVITE sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "ct%d\n" CALL_HDRS
                              "To: <sip:bob@example.com>;tag=b1\nCSeq: %d INVITE\nContent-Type: %s",
                 i, 1 + i, types[i]);
        _send(f, 0, h, SDP_A("sendrecv"));
    }
    _finish(f);
    assert_int_equal(f->s.nsdp, 3);
    assert_int_equal(f->s.d.reinvites, 9);
}

/* RFC 2543 hold (c=0.0.0.0), and the caps on kept SDP bodies and notes */
static void test_old_hold_and_caps(void **state)
{
    fx *f = *state;
    const char *held = "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                       "m=audio 4000 RTP/AVP 0\r\n";
    _invite(f, 1, "i0", 0, SDP_A("sendrecv"), SDP_B("sendrecv"));
    _invite(f, 2, "h0", 1, held, SDP_B("sendrecv"));
    for (int i = 0; i < 20; i++) {
        char br[16];
        snprintf(br, sizeof br, "x%d", i);
        _invite(f, 3 + i, br, 1, SDP_A("sendrecv"), SDP_B("sendrecv"));
    }
    for (int i = 0; i < 50; i++) {
        char h[512];
        snprintf(h, sizeof h, "INFO sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "inf%d\n" CALL_HDRS
                              "To: <sip:bob@example.com>;tag=b1\nCSeq: %d INFO\nContent-Type: application/dtmf-relay",
                 i, 100 + i);
        _send(f, 0, h, "Signal=1\r\n");
    }
    _finish(f);
    snap *s = &f->s;
    assert_int_equal(s->d.nsdp, COR_DETAIL_MAX_SDP);
    assert_int_equal(s->d.sdp_more, 44 - COR_DETAIL_MAX_SDP);
    assert_int_equal(s->sum.holds, 1);   /* the 0.0.0.0 offer */
    assert_int_equal(s->sum.resumes, 1); /* the next sendrecv one */
    assert_int_equal(s->change[2], COR_SDP_HOLD);
    assert_int_equal(s->d.info_dtmf, 50); /* counted beyond the notes cap */
    assert_int_equal(s->d.nnotes, COR_DETAIL_MAX_NOTES);
    assert_int_equal(s->d.notes_more, COR_DETAIL_MAX_SDP + 50 - COR_DETAIL_MAX_NOTES);
    assert_int_equal(s->d.reinvites, 21);
}

static void test_late_offer(void **state)
{
    fx *f = *state;
    _invite(f, 1, "i1", 0, NULL, SDP_B("sendrecv"));
    _ack(f, 1, "k1", SDP_A("sendrecv"));
    _finish(f);
    assert_int_equal(f->s.nsdp, 2);
    assert_string_equal(f->s.sdp_role[0], "offer");  /* in the 200 */
    assert_string_equal(f->s.sdp_role[1], "answer"); /* in the ACK */
    assert_int_equal(f->s.d.reinvites, 0);
}

static void test_im_session(void **state)
{
    fx *f = *state;
    const char *msrp = "v=0\r\no=- 0 0 IN IP4 10.0.0.1\r\ns=session\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
                       "m=message 5060 sip null\r\na=accept-types:text/plain\r\n";
    _invite(f, 1, "i1", 0, msrp, msrp);
    _ack(f, 1, "k1", NULL);
    _send(f, 0, "INFO sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "f1\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 2 INFO\nContent-Type: application/im-iscomposing+xml",
          "<isComposing><state>active</state></isComposing>");
    _send(f, 0, "MESSAGE sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "m1\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 3 MESSAGE\nContent-Type: text/plain", "hello");
    _send(f, 0, "MESSAGE sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "m2\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 4 MESSAGE\nContent-Type: text/plain", "again");
    _finish(f);
    assert_int_equal(f->s.sum.im_session, 1);
    assert_int_equal(f->s.d.messages, 2);
    assert_int_equal(f->s.d.info_typing, 1);
    assert_string_equal(f->s.sdp_media0[0], "message 5060 sip null 10.0.0.1 10.0.0.1");
    assert_string_equal(f->s.note[2], "INFO typing");
    assert_string_equal(f->s.summary, "IM session, 2 MESSAGE, 1 INFO typing");
    assert_string_equal(f->s.note[0], "SDP offer message sip null sendrecv 10.0.0.1:5060");
}

static void test_refer_transfer(void **state)
{
    fx *f = *state;
    _invite(f, 1, "i1", 0, SDP_A("sendrecv"), SDP_B("sendrecv"));
    _ack(f, 1, "k1", NULL);
    _send(f, 1, "REFER sip:alice@10.0.0.1 SIP/2.0\n" B_VIA "rf1\nCall-ID: call-1\n"
                "From: <sip:bob@example.com>;tag=b1\nTo: <sip:alice@example.com>;tag=a1\nCSeq: 1 REFER\n"
                "Refer-To: \"Carol\" <sip:carol@example.com?Replaces=x>", NULL);
    _send(f, 0, "SIP/2.0 202 Accepted\n" B_VIA "rf1\nCall-ID: call-1\n"
                "From: <sip:bob@example.com>;tag=b1\nTo: <sip:alice@example.com>;tag=a1\nCSeq: 1 REFER", NULL);
    _send(f, 0, "NOTIFY sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "nt1\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 2 NOTIFY\nEvent: refer\nSubscription-State: active;expires=60\n"
                "Content-Type: message/sipfrag;version=2.0", "SIP/2.0 100 Trying\r\n");
    _send(f, 0, "NOTIFY sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "nt2\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 3 NOTIFY\nEvent: refer\nSubscription-State: terminated;reason=noresource\n"
                "Content-Type: message/sipfrag", "SIP/2.0 486 Busy Here\r\n");
    _finish(f);
    snap *s = &f->s;
    assert_string_equal(s->refer_to, "sip:carol@example.com?Replaces=x");
    assert_int_equal(s->d.refer_status, 202);
    assert_int_equal(s->d.transfer_status, 486);
    assert_string_equal(s->transfer_reason, "Busy Here");
    assert_string_equal(s->event, "refer");
    assert_string_equal(s->note[2], "Refer-To sip:carol@example.com?Replaces=x");
    assert_string_equal(s->note[4], "transfer progress: 100 Trying");
    assert_string_equal(s->note[6], "transfer progress: 486 Busy Here");
    char j[256];
    assert_string_equal(_dj(s, "refer.refer_to", j, sizeof j), "\"sip:carol@example.com?Replaces=x\"");
    assert_string_equal(_dj(s, "refer.status", j, sizeof j), "202");
    assert_string_equal(_dj(s, "refer.transfer_status", j, sizeof j), "486");
    assert_string_equal(_dj(s, "refer.transfer_reason", j, sizeof j), "\"Busy Here\"");
}

static void test_service_and_negotiate(void **state)
{
    fx *f = *state;
    _send(f, 0, "NEGOTIATE sip:example.com SIP/2.0\n" A_VIA "g1\nCall-ID: ms-1\n"
                "From: <sip:alice@example.com>;tag=a1\nTo: <sip:example.com>\nCSeq: 1 NEGOTIATE\n"
                "Compression: LZ77-8K", NULL);
    _send(f, 1, "SIP/2.0 200 OK\n" A_VIA "g1\nCall-ID: ms-1\nFrom: <sip:alice@example.com>;tag=a1\n"
                "To: <sip:example.com>;tag=s1\nCSeq: 1 NEGOTIATE\nCompression: LZ77-8K", NULL);
    _send(f, 0, "SERVICE sip:alice@example.com SIP/2.0\n" A_VIA "v1\nCall-ID: ms-1\n"
                "From: <sip:alice@example.com>;tag=a1\nTo: <sip:alice@example.com>\nCSeq: 2 SERVICE\n"
                "Content-Type: application/SOAP+xml",
          "<?xml version=\"1.0\"?>\r\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">"
          "<!-- <SOAP-ENV:Body><wrong/> -->"
          "<SOAP-ENV:Body>\r\n  <m:setPresence xmlns:m=\"http://schemas.microsoft.com/winrtc/2002/11/sip\">"
          "<m:presentity m:uri=\"sip:alice@example.com\"/></m:setPresence></SOAP-ENV:Body></SOAP-ENV:Envelope>");
    _send(f, 1, "SIP/2.0 200 OK\n" A_VIA "v1\nCall-ID: ms-1\nFrom: <sip:alice@example.com>;tag=a1\n"
                "To: <sip:alice@example.com>;tag=s2\nCSeq: 2 SERVICE", NULL);
    _finish(f);
    snap *s = &f->s;
    assert_string_equal(s->comp_off, "LZ77-8K");
    assert_string_equal(s->comp_acc, "LZ77-8K");
    assert_int_equal(s->d.services, 1);
    assert_string_equal(s->service_action, "setPresence");
    assert_string_equal(s->note[0], "Compression LZ77-8K offered");
    assert_string_equal(s->note[1], "Compression LZ77-8K accepted");
    assert_string_equal(s->note[2], "SOAP setPresence");
    assert_string_equal(s->summary, "SERVICE setPresence; compression LZ77-8K accepted");
}

static void test_plain_call_has_no_detail(void **state)
{
    fx *f = *state;
    _invite(f, 1, "i1", 0, NULL, NULL);
    _ack(f, 1, "k1", NULL);
    _send(f, 0, "BYE sip:bob@10.0.0.2 SIP/2.0\n" A_VIA "y1\n" CALL_HDRS "To: <sip:bob@example.com>;tag=b1\n"
                "CSeq: 2 BYE", NULL);
    _finish(f);
    assert_false(f->s.have_detail);
}

/* ---- body parsers ---- */

static const char *_soap(const char *body, char *out, size_t n)
{
    ss_slice name;
    if (cor_soap_element(ss_slice_make(body, strlen(body)), &name) != 0)
        return "(none)";
    snprintf(out, n, "%.*s", (int)name.len, (const char *)name.p);
    return out;
}

static void test_soap_element(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(_soap("<s:Envelope><s:Body><addContact/></s:Body></s:Envelope>", b, sizeof b), "addContact");
    assert_string_equal(_soap("<?xml version=\"1.0\"?><setContainerMembers xmlns=\"x\"/>", b, sizeof b),
                        "setContainerMembers");
    assert_string_equal(_soap("<Envelope><Body attr=\"a>b\"><x:y:deep/></Body></Envelope>", b, sizeof b),
                        "deep");
    assert_string_equal(_soap("<a:Envelope><a:Body/></a:Envelope>", b, sizeof b), "Envelope");
    assert_string_equal(_soap("<!DOCTYPE x><!-- c --><root/>", b, sizeof b), "root");
    assert_string_equal(_soap("<s:Body><", b, sizeof b), "Body"); /* nothing after Body: the root */
    assert_string_equal(_soap("plain text", b, sizeof b), "(none)");
    assert_string_equal(_soap("<!-- unterminated <a/>", b, sizeof b), "(none)");
    assert_string_equal(_soap("<?pi", b, sizeof b), "(none)");
    assert_string_equal(_soap("<", b, sizeof b), "(none)");
    assert_string_equal(_soap("</end><:/>", b, sizeof b), "(none)"); /* prefix only: no local name */
    ss_slice name;
    assert_int_equal(cor_soap_element(SS_SLICE_NULL, &name), -1);
}

static void test_sipfrag_status(void **state)
{
    (void)state;
    ss_slice r;
    const char *a = "SIP/2.0 603 Declined\r\n";
    assert_int_equal(cor_sipfrag_status(ss_slice_make(a, strlen(a)), &r), 603);
    assert_int_equal(r.len, 8);
    assert_memory_equal(r.p, "Declined", 8);
    const char *b = "SIP/2.0 200 OK";
    assert_int_equal(cor_sipfrag_status(ss_slice_make(b, strlen(b)), &r), 200);
    const char *c = "INVITE sip:x@y SIP/2.0\r\n";
    assert_int_equal(cor_sipfrag_status(ss_slice_make(c, strlen(c)), &r), -1);
    const char *d = "SIP/2.0 99 Bad\r\n";
    assert_int_equal(cor_sipfrag_status(ss_slice_make(d, strlen(d)), &r), -1);
    assert_int_equal(cor_sipfrag_status(SS_SLICE_NULL, &r), -1);
    const char *e = "garbage";
    assert_int_equal(cor_sipfrag_status(ss_slice_make(e, strlen(e)), &r), -1);
}

/* ---- report-wide views (src/report/conv.c) ---- */

static json_object *_path(json_object *o, const char *path)
{
    char key[64];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t l = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(key, sizeof key, "%.*s", (int)l, path);
        json_object *next = NULL;
        if (json_object_is_type(o, json_type_array))
            next = json_object_array_get_idx(o, (size_t)atoi(key));
        else if (!json_object_object_get_ex(o, key, &next))
            return NULL;
        o = next;
        path += l + (dot != NULL);
    }
    return o;
}

static const char *_jstr(json_object *tail, const char *path)
{
    json_object *o = _path(tail, path);
    return o ? json_object_get_string(o) : "(missing)";
}

static void _register(fx *f, const char *cid, int cseq, const char *branch, const char *extra, int status,
                      const char *resp_extra)
{
    char h[768];
    snprintf(h, sizeof h, "REGISTER sip:example.com SIP/2.0\n" A_VIA "%s\nCall-ID: %s\n"
                          "From: <sip:alice@example.com>;tag=a1\nTo: <sip:alice@example.com>\nCSeq: %d REGISTER\n"
                          "Contact: <sip:alice@10.0.0.1:5060>%s",
             branch, cid, cseq, extra);
    _send(f, 0, h, NULL);
    snprintf(h, sizeof h, "SIP/2.0 %d Whatever\n" A_VIA "%s\nCall-ID: %s\nFrom: <sip:alice@example.com>;tag=a1\n"
                          "To: <sip:alice@example.com>;tag=s\nCSeq: %d REGISTER%s",
             status, branch, cid, cseq, resp_extra);
    _send(f, 1, h, NULL);
}

/* The text report's conversation sections, as a malloc'd string. */
static char *_conv_text(const rep_conv *conv)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    rep_conv_print(out, conv);
    fclose(out);
    return text;
}

static void test_conv_views(void **state)
{
    fx *f = *state;
    f->conv = rep_conv_new();
    assert_non_null(f->conv);
    /* alice: challenged sign-in, a refresh, then (another Call-ID) a 403 */
    _register(f, "r-1", 1, "a1", ";expires=600", 401, "\nWWW-Authenticate: Digest realm=\"example.com\"");
    _register(f, "r-1", 2, "a2", ";expires=600\nAuthorization: Digest realm=\"example.com\"", 200,
              "\nContact: <sip:alice@10.0.0.1:5060>;expires=300");
    _register(f, "r-1", 3, "a3", ";expires=600", 200, "\nExpires: 300");
    cor_finish(f->c, 0);
    _register(f, "r-2", 1, "b1", "", 403, "");
    cor_finish(f->c, 0);
    /* a presence subscription, terminated */
    test_subscription_lifecycle(state);
    /* a call with a transfer that failed */
    test_refer_transfer(state);
    /* SERVICE and NEGOTIATE */
    test_service_and_negotiate(state);

    json_object *tail = json_object_new_object();
    rep_conv_json(f->conv, tail);
    assert_string_equal(_jstr(tail, "registrations.0.aor"), "sip:alice@example.com");
    assert_null(_path(tail, "registrations.1"));
    assert_string_equal(_jstr(tail, "registrations.0.attempts"), "3");
    assert_string_equal(_jstr(tail, "registrations.0.succeeded"), "2");
    assert_string_equal(_jstr(tail, "registrations.0.failed"), "1");
    assert_string_equal(_jstr(tail, "registrations.0.failed_by_code.403"), "1");
    assert_string_equal(_jstr(tail, "registrations.0.challenges"), "1");
    assert_string_equal(_jstr(tail, "registrations.0.result"), "failure");
    assert_string_equal(_jstr(tail, "registrations.0.auth_scheme"), "Digest");
    assert_string_equal(_jstr(tail, "registrations.0.realm"), "example.com");
    assert_string_equal(_jstr(tail, "registrations.0.expires_granted"), "300");
    assert_string_equal(_jstr(tail, "registrations.0.timeline.0.type"), "register");
    assert_string_equal(_jstr(tail, "registrations.0.timeline.0.challenges"), "1");
    assert_string_equal(_jstr(tail, "registrations.0.timeline.0.expires"), "300");
    assert_string_equal(_jstr(tail, "registrations.0.timeline.1.type"), "refresh");
    assert_string_equal(_jstr(tail, "registrations.0.timeline.2.type"), "register");
    assert_string_equal(_jstr(tail, "registrations.0.timeline.2.status"), "403");
    assert_string_equal(_jstr(tail, "subscriptions.0.event"), "presence");
    assert_string_equal(_jstr(tail, "subscriptions.0.state"), "terminated");
    assert_string_equal(_jstr(tail, "subscriptions.0.terminated_reason"), "noresource");
    assert_string_equal(_jstr(tail, "watchers.0.subscriber"), "sip:alice@example.com");
    assert_string_equal(_jstr(tail, "watchers.0.resource"), "sip:bob@example.com");
    assert_string_equal(_jstr(tail, "subscriptions_by_event.presence.terminated"), "1");
    assert_string_equal(_jstr(tail, "conversation_summary.transfers.refers"), "1");
    assert_string_equal(_jstr(tail, "conversation_summary.transfers.failed"), "1");
    assert_string_equal(_jstr(tail, "conversation_summary.microsoft.service_actions.setPresence"), "1");
    assert_string_equal(_jstr(tail, "conversation_summary.microsoft.negotiate_accepted"), "1");
    json_object_put(tail);

    char *text = _conv_text(f->conv);
    assert_non_null(strstr(text, "  sip:alice@example.com  attempts 3: succeeded 2, failed 1 (403 x1), no response 0, "
                                 "challenges 1 (Digest realm \"example.com\"), refreshes 1\n"));
    assert_non_null(strstr(text, "  transfers          REFER 1 (accepted 1): succeeded 0, failed 1, outcome unknown 0\n"));
    assert_non_null(strstr(text, "    sip:alice@example.com -> sip:bob@example.com  presence  terminated (1)\n"));
    free(text);
    rep_conv_free(f->conv);
    f->conv = NULL;
}

/* many AORs: found again through the index, the text lists 20 */
static void test_conv_many_aors(void **state)
{
    fx *f = *state;
    f->conv = rep_conv_new();
    assert_non_null(f->conv);
    for (int round = 0; round < 2; round++)
        for (int u = 0; u < 25; u++) {
            char h[512], cid[32];
            snprintf(cid, sizeof cid, "m-%d-%d", round, u);
            snprintf(h, sizeof h, "REGISTER sip:example.com SIP/2.0\n" A_VIA "m%d%d\nCall-ID: %s\n"
                                  "From: <sip:u%d@example.com>;tag=a1\nTo: <sip:u%d@example.com>\n"
                                  "CSeq: 1 REGISTER\nContact: <sip:u%d@10.0.0.1>",
                     round, u, cid, u, u, u);
            _send(f, 0, h, NULL);
            snprintf(h, sizeof h, "SIP/2.0 200 OK\n" A_VIA "m%d%d\nCall-ID: %s\n"
                                  "From: <sip:u%d@example.com>;tag=a1\nTo: <sip:u%d@example.com>;tag=s\n"
                                  "CSeq: 1 REGISTER\nExpires: %d",
                     round, u, cid, u, u, 60 + round);
            _send(f, 1, h, NULL);
            cor_finish(f->c, 0);
        }
    json_object *tail = json_object_new_object();
    rep_conv_json(f->conv, tail);
    assert_int_equal(json_object_array_length(_path(tail, "registrations")), 25);
    assert_string_equal(_jstr(tail, "registrations.24.aor"), "sip:u24@example.com");
    assert_string_equal(_jstr(tail, "registrations.24.dialogs"), "2");
    assert_string_equal(_jstr(tail, "registrations.24.expires_granted"), "61");
    json_object_put(tail);
    char *text = _conv_text(f->conv);
    assert_non_null(strstr(text, "  sip:u19@example.com  attempts 2"));
    assert_null(strstr(text, "  sip:u20@example.com  attempts"));
    assert_non_null(strstr(text, "  ... 5 more AORs (JSON registrations[])\n"));
    free(text);
    rep_conv_free(f->conv);
    f->conv = NULL;
}

/* an unsolicited NOTIFY (MWI from the voicemail server): the subscriber is
 * its To, the resource its From */
static void test_notify_only_roles(void **state)
{
    fx *f = *state;
    f->conv = rep_conv_new();
    assert_non_null(f->conv);
    _send(f, 1, "NOTIFY sip:alice@10.0.0.1 SIP/2.0\n" B_VIA "mw1\nCall-ID: mwi-1\n"
                "From: <sip:voicemail@example.com>;tag=v1\nTo: <sip:alice@example.com>\nCSeq: 1 NOTIFY\n"
                "Event: message-summary\nSubscription-State: active\nContent-Type: application/simple-message-summary",
          "Messages-Waiting: yes\r\n");
    _send(f, 0, "SIP/2.0 200 OK\n" B_VIA "mw1\nCall-ID: mwi-1\nFrom: <sip:voicemail@example.com>;tag=v1\n"
                "To: <sip:alice@example.com>;tag=a9\nCSeq: 1 NOTIFY", NULL);
    _finish(f);
    assert_string_equal(f->s.summary, "event message-summary, state active, 1 NOTIFY");
    json_object *tail = json_object_new_object();
    rep_conv_json(f->conv, tail);
    assert_string_equal(_jstr(tail, "watchers.0.subscriber"), "sip:alice@example.com");
    assert_string_equal(_jstr(tail, "watchers.0.resource"), "sip:voicemail@example.com");
    assert_string_equal(_jstr(tail, "subscriptions.0.event"), "message-summary");
    json_object_put(tail);
    rep_conv_free(f->conv);
    f->conv = NULL;
}

static void test_note_names(void **state)
{
    (void)state;
    assert_string_equal(cor_note_kind_name(COR_NOTE_REGISTER), "register");
    assert_string_equal(cor_note_kind_name(COR_NOTE_SDP), "sdp");
    assert_string_equal(cor_note_kind_name(COR_NOTE__COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registration_binding, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_registration_failure_ms_diagnostics, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_subscription_lifecycle, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_benotify_roaming, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_hold_resume_and_info, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_sdp_content_type_case, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_late_offer, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_old_hold_and_caps, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_im_session, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_refer_transfer, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_service_and_negotiate, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_plain_call_has_no_detail, _setup, _teardown),
        cmocka_unit_test(test_soap_element),
        cmocka_unit_test(test_sipfrag_status),
        cmocka_unit_test_setup_teardown(test_conv_views, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_conv_many_aors, _setup, _teardown),
        cmocka_unit_test_setup_teardown(test_notify_only_roles, _setup, _teardown),
        cmocka_unit_test(test_note_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
