/* test_sdp.c - unit tests for the SDP parser (src/sip/sdp.c).
 *
 * Covers an audio offer (rtpmap + RFC 3551 static payloads), hold in its
 * three spellings (sendonly, inactive, c=0.0.0.0), T.38 from a real capture
 * (../shared/captures/public/ndpi__FAX-Call-t38-CA-TDM-SIP-FB-1.pcap, frames
 * 1394 and 1412, and a MEGACO-wrapped copy from frame 1392), a WebRTC-style
 * BUNDLE offer, MSRP (m=message), multiple media with per-media c=, the
 * media and codec caps, not-SDP inputs, defect bits, CRLF vs LF, and an
 * SDP taken out of a parsed SIP INVITE. Assertions are on exact values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sipscope/sdp.h"
#include "sipscope/sip.h"

/* sdp_session is ~10 KiB; tests reuse one, as callers do. */
static sdp_session g_s, g_s2;
static sip_msg g_msg;

#define U8(s) ((const uint8_t *)(s))

static int _parse(const char *s) { return sdp_parse(U8(s), strlen(s), &g_s); }

static void _assert_slice(ss_slice got, const char *want)
{
    size_t n = strlen(want);
    if (got.len != n || (n && memcmp(got.p, want, n) != 0)) {
        print_error("slice '%.*s' != '%s'\n", (int)got.len, got.p ? (const char *)got.p : "",
                    want);
        fail();
    }
}

static void _assert_codec(const sdp_codec *c, const char *fmt, int pt, sdp_codec_src src,
                          const char *name, uint32_t clock, uint16_t channels, const char *fmtp)
{
    _assert_slice(c->fmt, fmt);
    assert_int_equal(c->pt, pt);
    assert_int_equal(c->src, src);
    _assert_slice(c->name, name);
    assert_int_equal(c->clock, clock);
    assert_int_equal(c->channels, channels);
    _assert_slice(c->fmtp, fmtp);
}

/* ---- audio offer ---- */

static const char *k_offer =
    "v=0\r\n"
    "o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\n"
    "s= \r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 97 101 13 18\r\n"
    "a=rtpmap:97 iLBC/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=fmtp:18 annexb=no\r\n"
    "a=ptime:20\r\n";

static void test_audio_offer(void **state)
{
    (void)state;
    assert_int_equal(_parse(k_offer), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.version, 0);
    assert_int_equal(g_s.has_origin, 1);
    _assert_slice(g_s.origin.username, "alice");
    _assert_slice(g_s.origin.sess_id, "2890844526");
    _assert_slice(g_s.origin.sess_version, "2890844527");
    _assert_slice(g_s.origin.nettype, "IN");
    _assert_slice(g_s.origin.addrtype, "IP4");
    _assert_slice(g_s.origin.address, "host.atlanta.example.com");
    _assert_slice(g_s.name, " ");
    assert_int_equal(g_s.has_conn, 1);
    _assert_slice(g_s.conn.nettype, "IN");
    _assert_slice(g_s.conn.addrtype, "IP4");
    _assert_slice(g_s.conn.address, "192.0.2.10");
    assert_int_equal(g_s.dir, SDP_DIR_NONE);
    assert_int_equal(g_s.raw.len, strlen(k_offer));
    assert_ptr_equal(g_s.raw.p, k_offer);
    assert_int_equal(g_s.head.len, (size_t)(strstr(k_offer, "m=") - k_offer));
    assert_int_equal(g_s.nmedia, 1);
    assert_int_equal(g_s.nmedia_dropped, 0);

    const sdp_media *m = &g_s.media[0];
    assert_int_equal(m->type, SDP_MT_AUDIO);
    _assert_slice(m->type_name, "audio");
    assert_int_equal(m->port, 49170);
    assert_int_equal(m->nports, 1);
    assert_int_equal(m->disabled, 0);
    assert_int_equal(m->proto, SDP_PROTO_RTP_AVP);
    _assert_slice(m->proto_name, "RTP/AVP");
    _assert_slice(m->fmts, "0 8 97 101 13 18");
    assert_int_equal(m->ncodec, 6);
    assert_int_equal(m->ncodec_dropped, 0);
    _assert_codec(&m->codec[0], "0", 0, SDP_CS_STATIC, "PCMU", 8000, 1, "");
    _assert_codec(&m->codec[1], "8", 8, SDP_CS_STATIC, "PCMA", 8000, 1, "");
    _assert_codec(&m->codec[2], "97", 97, SDP_CS_RTPMAP, "iLBC", 8000, 1, "");
    _assert_codec(&m->codec[3], "101", 101, SDP_CS_RTPMAP, "telephone-event", 8000, 1, "0-15");
    _assert_codec(&m->codec[4], "13", 13, SDP_CS_STATIC, "CN", 8000, 1, "");
    _assert_codec(&m->codec[5], "18", 18, SDP_CS_STATIC, "G729", 8000, 1, "annexb=no");
    assert_int_equal(m->dtmf_pt, 101);
    assert_int_equal(m->dir, SDP_DIR_SENDRECV);
    assert_int_equal(m->dir_attr, SDP_DIR_NONE);
    _assert_slice(m->conn.address, "192.0.2.10");
    assert_int_equal(m->ptime, 20);
    assert_int_equal(m->nattr, 5);
    assert_int_equal(m->flags, SDP_MF_RTP);
    assert_int_equal(sdp_media_on_hold(m), 0);
    assert_ptr_equal(m->raw.p, strstr(k_offer, "m=audio"));
    assert_int_equal(m->raw.p + m->raw.len, k_offer + strlen(k_offer));
}

/* ---- hold ---- */

static void test_hold_sendonly(void **state)
{
    (void)state;
    /* session-level sendonly is inherited; the video section overrides it */
    const char *sdp = "v=0\r\n"
                      "o=- 1 2 IN IP4 10.0.0.1\r\n"
                      "s=-\r\n"
                      "c=IN IP4 10.0.0.1\r\n"
                      "t=0 0\r\n"
                      "a=sendonly\r\n"
                      "m=audio 4000 RTP/AVP 0\r\n"
                      "m=video 4002 RTP/AVP 34\r\n"
                      "a=recvonly\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.dir, SDP_DIR_SENDONLY);
    assert_int_equal(g_s.nmedia, 2);
    assert_int_equal(g_s.media[0].dir, SDP_DIR_SENDONLY);
    assert_int_equal(g_s.media[0].dir_attr, SDP_DIR_NONE);
    assert_int_equal(sdp_media_on_hold(&g_s.media[0]), 1);
    assert_int_equal(g_s.media[1].dir, SDP_DIR_RECVONLY);
    assert_int_equal(g_s.media[1].dir_attr, SDP_DIR_RECVONLY);
    assert_int_equal(sdp_media_on_hold(&g_s.media[1]), 0);
    _assert_codec(&g_s.media[1].codec[0], "34", 34, SDP_CS_STATIC, "H263", 90000, 0, "");
}

static void test_hold_inactive(void **state)
{
    (void)state;
    const char *sdp = "v=0\r\n"
                      "o=- 1 3 IN IP4 10.0.0.1\r\n"
                      "s=-\r\n"
                      "c=IN IP4 10.0.0.1\r\n"
                      "t=0 0\r\n"
                      "m=audio 4000 RTP/AVP 8\r\n"
                      "a=inactive\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.media[0].dir, SDP_DIR_INACTIVE);
    assert_int_equal(sdp_media_on_hold(&g_s.media[0]), 1);
    assert_string_equal(sdp_direction_name(g_s.media[0].dir), "inactive");
}

static void test_hold_c0(void **state)
{
    (void)state;
    /* RFC 2543 hold: the connection address is zeroed, no attribute */
    const char *sdp = "v=0\r\n"
                      "o=- 1 4 IN IP4 10.0.0.1\r\n"
                      "s=-\r\n"
                      "c=IN IP4 0.0.0.0\r\n"
                      "t=0 0\r\n"
                      "m=audio 4000 RTP/AVP 0\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.media[0].dir, SDP_DIR_SENDRECV);
    _assert_slice(g_s.media[0].conn.address, "0.0.0.0");
    assert_int_equal(sdp_media_on_hold(&g_s.media[0]), 1);

    /* a disabled stream is not on hold, whatever its direction */
    const char *off = "v=0\r\no=- 1 4 IN IP4 h\r\ns=-\r\nt=0 0\r\n"
                      "m=audio 0 RTP/AVP 0\r\na=sendonly\r\n";
    assert_int_equal(_parse(off), 0);
    assert_int_equal(g_s.defects, 0); /* no c= needed for a disabled stream */
    assert_int_equal(g_s.media[0].disabled, 1);
    assert_int_equal(g_s.media[0].dir, SDP_DIR_SENDONLY);
    assert_int_equal(sdp_media_on_hold(&g_s.media[0]), 0);
}

/* ---- T.38 (real capture) ---- */

/* ndpi__FAX-Call-t38-CA-TDM-SIP-FB-1.pcap frame 1394, re-INVITE to T.38 */
static const char *k_t38 = "v=0\r\n"
                           "o=- 191 1228500780 IN IP4 10.23.1.52\r\n"
                           "s=IMSS\r\n"
                           "c=IN IP4 10.23.1.52\r\n"
                           "t=0 0\r\n"
                           "m=image 16756 udptl t38\r\n";

/* same capture, frame 1412: audio with G.726 and a T.38 capability */
static const char *k_t38_audio = "v=0\r\n"
                                 "o=- 191 1228500780 IN IP4 10.23.1.52\r\n"
                                 "s=IMSS\r\n"
                                 "c=IN IP4 10.23.1.52\r\n"
                                 "t=0 0\r\n"
                                 "m=audio 16756 RTP/AVP 8 102\r\n"
                                 "a=ptime:20\r\n"
                                 "a=rtpmap:102 telephone-event/8000/1\r\n"
                                 "a=fmtp:102 0-15\r\n"
                                 "a=sqn:0\r\n"
                                 "a=cdsc:1 image udptl t38\r\n";

/* same capture, frame 1392: MEGACO-wrapped, upper-case UDPTL, trailing braces */
static const char *k_t38_megaco = "v=0\r\n"
                                  "o=- 191 1228500780 IN IP4 10.23.1.52\r\n"
                                  "s=-\r\n"
                                  "c=IN IP4 10.23.1.52\r\n"
                                  "t=0 0\r\n"
                                  "m=image 16756 UDPTL t38\r\n"
                                  " }  }  } }}";

static void test_t38_capture(void **state)
{
    (void)state;
    assert_int_equal(_parse(k_t38), 0);
    assert_int_equal(g_s.defects, 0);
    _assert_slice(g_s.origin.username, "-");
    _assert_slice(g_s.origin.sess_id, "191");
    _assert_slice(g_s.origin.sess_version, "1228500780");
    _assert_slice(g_s.origin.address, "10.23.1.52");
    _assert_slice(g_s.name, "IMSS");
    assert_int_equal(g_s.nmedia, 1);
    const sdp_media *m = &g_s.media[0];
    assert_int_equal(m->type, SDP_MT_IMAGE);
    assert_int_equal(m->port, 16756);
    assert_int_equal(m->proto, SDP_PROTO_UDPTL);
    _assert_slice(m->proto_name, "udptl");
    assert_int_equal(m->flags, 0); /* not RTP, connection inherited */
    assert_int_equal(m->ncodec, 1);
    _assert_codec(&m->codec[0], "t38", -1, SDP_CS_NONE, "", 0, 0, "");
    assert_int_equal(m->dtmf_pt, -1);
    _assert_slice(m->conn.address, "10.23.1.52");
    assert_int_equal(m->dir, SDP_DIR_SENDRECV);

    assert_int_equal(_parse(k_t38_audio), 0);
    assert_int_equal(g_s.defects, 0);
    m = &g_s.media[0];
    assert_int_equal(m->ncodec, 2);
    _assert_codec(&m->codec[0], "8", 8, SDP_CS_STATIC, "PCMA", 8000, 1, "");
    _assert_codec(&m->codec[1], "102", 102, SDP_CS_RTPMAP, "telephone-event", 8000, 1, "0-15");
    assert_int_equal(m->dtmf_pt, 102);
    assert_int_equal(m->ptime, 20);
    assert_int_equal(m->nattr, 5);
    ss_slice v;
    assert_int_equal(sdp_attr(m->raw, "cdsc", &v), 1);
    _assert_slice(v, "1 image udptl t38");
    assert_int_equal(sdp_attr(m->raw, "sqn", &v), 1);
    _assert_slice(v, "0");

    assert_int_equal(_parse(k_t38_megaco), 0);
    assert_int_equal(g_s.defects, SDP_DEF_BAD_LINE);
    assert_int_equal(g_s.media[0].proto, SDP_PROTO_UDPTL);
    _assert_slice(g_s.media[0].proto_name, "UDPTL");
    assert_int_equal(g_s.raw.len, (size_t)(strstr(k_t38_megaco, " }") - k_t38_megaco));
    assert_int_equal(g_s.media[0].raw.p + g_s.media[0].raw.len, g_s.raw.p + g_s.raw.len);
}

/* T.38 as most gateways send it (ITU-T T.38 Annex D attributes) */
static void test_t38_attributes(void **state)
{
    (void)state;
    const char *sdp = "v=0\r\n"
                      "o=gw 5 6 IN IP4 192.0.2.1\r\n"
                      "s=fax\r\n"
                      "c=IN IP4 192.0.2.1\r\n"
                      "t=0 0\r\n"
                      "m=audio 0 RTP/AVP 0\r\n"
                      "m=image 40000 udptl t38\r\n"
                      "a=T38FaxVersion:0\r\n"
                      "a=T38MaxBitRate:14400\r\n"
                      "a=T38FaxRateManagement:transferredTCF\r\n"
                      "a=T38FaxMaxDatagram:400\r\n"
                      "a=T38FaxUdpEC:t38UDPRedundancy\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.nmedia, 2);
    assert_int_equal(g_s.media[0].disabled, 1);
    assert_int_equal(g_s.media[1].disabled, 0);
    assert_int_equal(g_s.media[1].nattr, 5);
    ss_slice v;
    assert_int_equal(sdp_attr(g_s.media[1].raw, "T38FaxRateManagement", &v), 1);
    _assert_slice(v, "transferredTCF");
    assert_int_equal(sdp_attr(g_s.media[1].raw, "T38FaxUdpEC", NULL), 1);
    assert_int_equal(sdp_attr(g_s.media[1].raw, "t38faxudpec", NULL), 0); /* case-sensitive */
    assert_int_equal(sdp_attr(g_s.media[0].raw, "T38FaxVersion", NULL), 0);
    assert_int_equal(sdp_attr(g_s.head, "T38FaxVersion", NULL), 0);
}

/* ---- WebRTC ---- */

static const char *k_webrtc =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS stream0\r\n"
    "a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:EsAw\r\n"
    "a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n"
    "a=ice-options:trickle\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=sendrecv\r\n"
    "a=msid:stream0 track0\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:13 CN/8000\r\n"
    "a=rtpmap:110 telephone-event/48000\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:3735928559 cname:4TOk42mSjXCkVIa6\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:EsAw\r\n"
    "a=mid:1\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:98 H264/90000\r\n"
    "a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:2\r\n"
    "a=sctp-port:5000\r\n"
    "a=max-message-size:262144\r\n";

static void test_webrtc(void **state)
{
    (void)state;
    assert_int_equal(_parse(k_webrtc), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.has_conn, 0);
    _assert_slice(g_s.origin.sess_id, "4611731400430051336");
    assert_int_equal(g_s.nmedia, 3);

    const sdp_media *a = &g_s.media[0];
    assert_int_equal(a->proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
    assert_int_equal(a->port, 9);
    assert_int_equal(a->ncodec, 8);
    _assert_codec(&a->codec[0], "111", 111, SDP_CS_RTPMAP, "opus", 48000, 2,
                  "minptime=10;useinbandfec=1");
    _assert_codec(&a->codec[1], "63", 63, SDP_CS_RTPMAP, "red", 48000, 2, "111/111");
    _assert_codec(&a->codec[2], "9", 9, SDP_CS_RTPMAP, "G722", 8000, 1, "");
    _assert_codec(&a->codec[5], "13", 13, SDP_CS_RTPMAP, "CN", 8000, 1, "");
    _assert_codec(&a->codec[6], "110", 110, SDP_CS_RTPMAP, "telephone-event", 48000, 1, "");
    assert_int_equal(a->dtmf_pt, 110);
    _assert_slice(a->mid, "0");
    assert_int_equal(a->dir, SDP_DIR_SENDRECV);
    assert_int_equal(a->dir_attr, SDP_DIR_SENDRECV);
    assert_int_equal(a->flags,
                     SDP_MF_RTP | SDP_MF_RTCP_MUX | SDP_MF_ICE | SDP_MF_DTLS | SDP_MF_OWN_CONN);
    assert_int_equal(a->nattr, 22);
    /* c=0.0.0.0 with ICE is not hold, but the RFC 2543 rule cannot tell */
    assert_int_equal(sdp_media_on_hold(a), 1);

    const sdp_media *v = &g_s.media[1];
    assert_int_equal(v->type, SDP_MT_VIDEO);
    assert_int_equal(v->ncodec, 3);
    _assert_codec(&v->codec[0], "96", 96, SDP_CS_RTPMAP, "VP8", 90000, 0, "");
    _assert_codec(&v->codec[1], "97", 97, SDP_CS_RTPMAP, "rtx", 90000, 0, "apt=96");
    _assert_codec(&v->codec[2], "98", 98, SDP_CS_RTPMAP, "H264", 90000, 0,
                  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
    assert_int_equal(v->dir, SDP_DIR_RECVONLY);
    _assert_slice(v->mid, "1");

    const sdp_media *d = &g_s.media[2];
    assert_int_equal(d->type, SDP_MT_APPLICATION);
    assert_int_equal(d->proto, SDP_PROTO_UDP_DTLS_SCTP);
    _assert_codec(&d->codec[0], "webrtc-datachannel", -1, SDP_CS_NONE, "", 0, 0, "");
    assert_int_equal(d->flags, SDP_MF_DTLS | SDP_MF_OWN_CONN); /* fingerprint is session-level */
    ss_slice sv;
    assert_int_equal(sdp_attr(d->raw, "sctp-port", &sv), 1);
    _assert_slice(sv, "5000");
    assert_int_equal(sdp_attr(g_s.head, "group", &sv), 1);
    _assert_slice(sv, "BUNDLE 0 1 2");
    assert_int_equal(sdp_attr(g_s.head, "extmap-allow-mixed", &sv), 1);
    assert_int_equal(sv.len, 0);
}

/* RTP/SAVP with SDES keys */
static void test_savp_sdes(void **state)
{
    (void)state;
    const char *sdp = "v=0\r\n"
                      "o=- 7 7 IN IP6 2001:db8::1\r\n"
                      "s=-\r\n"
                      "c=IN IP6 2001:db8::1\r\n"
                      "t=0 0\r\n"
                      "m=audio 30000 RTP/SAVP 9 101\r\n"
                      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
                      "a=rtpmap:101 telephone-event/8000\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects, 0);
    _assert_slice(g_s.conn.addrtype, "IP6");
    _assert_slice(g_s.media[0].conn.address, "2001:db8::1");
    assert_int_equal(g_s.media[0].proto, SDP_PROTO_RTP_SAVP);
    assert_int_equal(g_s.media[0].flags, SDP_MF_RTP | SDP_MF_SDES);
    _assert_codec(&g_s.media[0].codec[0], "9", 9, SDP_CS_STATIC, "G722", 8000, 1, "");
}

/* ---- MSRP ---- */

static void test_msrp(void **state)
{
    (void)state;
    const char *sdp = "v=0\r\n"
                      "o=alice 2890844526 2890844527 IN IP4 alice.example.com\r\n"
                      "s= \r\n"
                      "c=IN IP4 alice.example.com\r\n"
                      "t=0 0\r\n"
                      "m=message 7394 TCP/MSRP *\r\n"
                      "a=accept-types:message/cpim text/plain text/html\r\n"
                      "a=accept-wrapped-types:text/plain image/jpeg\r\n"
                      "a=path:msrp://alice.example.com:7394/2s93i93idj;tcp\r\n"
                      "m=message 7395 TCP/TLS/MSRP *\r\n"
                      "a=path:msrps://alice.example.com:7395/9di4ea;tcp\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.nmedia, 2);
    const sdp_media *m = &g_s.media[0];
    assert_int_equal(m->type, SDP_MT_MESSAGE);
    assert_string_equal(sdp_media_type_name(m->type), "message");
    assert_int_equal(m->port, 7394);
    assert_int_equal(m->proto, SDP_PROTO_TCP_MSRP);
    assert_int_equal(m->ncodec, 1);
    _assert_codec(&m->codec[0], "*", -1, SDP_CS_NONE, "", 0, 0, "");
    _assert_slice(m->accept_types, "message/cpim text/plain text/html");
    _assert_slice(m->path, "msrp://alice.example.com:7394/2s93i93idj;tcp");
    _assert_slice(m->conn.address, "alice.example.com");
    assert_int_equal(g_s.media[1].proto, SDP_PROTO_TCP_TLS_MSRP);
    _assert_slice(g_s.media[1].path, "msrps://alice.example.com:7395/9di4ea;tcp");
    assert_int_equal(g_s.media[1].accept_types.len, 0);
    assert_string_equal(sdp_proto_name(g_s.media[1].proto), "TCP/TLS/MSRP");
}

/* ---- multiple media, per-media c=, port ranges, multicast ---- */

static void test_multiple_media(void **state)
{
    (void)state;
    const char *sdp = "v=0\r\n"
                      "o=- 1 1 IN IP4 198.51.100.1\r\n"
                      "s=conf\r\n"
                      "i=a session\r\n"
                      "u=http://example.com/\r\n"
                      "e=j.doe@example.com\r\n"
                      "p=+1 617 555-6011\r\n"
                      "c=IN IP4 198.51.100.1\r\n"
                      "b=AS:256\r\n"
                      "t=0 0\r\n"
                      "r=7d 1h 0 25h\r\n"
                      "m=audio 49170/2 RTP/AVP 3 4 96\r\n"
                      "c=IN IP4 233.252.0.1/127/3\r\n"
                      "a=rtpmap:96 L16/16000/2\r\n"
                      "m=video 0 RTP/AVP 31\r\n"
                      "m=text 11000 RTP/AVP 98 100\r\n"
                      "a=rtpmap:98 t140/1000\r\n"
                      "a=rtpmap:100 red/1000\r\n"
                      "a=fmtp:100 98/98/98\r\n"
                      "m=application 50000 TCP/BFCP *\r\n"
                      "a=floorctrl:c-only\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.nmedia, 4);
    const sdp_media *m = &g_s.media[0];
    assert_int_equal(m->port, 49170);
    assert_int_equal(m->nports, 2);
    _assert_slice(m->conn.address, "233.252.0.1");
    assert_int_equal(m->flags, SDP_MF_RTP | SDP_MF_OWN_CONN);
    _assert_codec(&m->codec[0], "3", 3, SDP_CS_STATIC, "GSM", 8000, 1, "");
    _assert_codec(&m->codec[1], "4", 4, SDP_CS_STATIC, "G723", 8000, 1, "");
    _assert_codec(&m->codec[2], "96", 96, SDP_CS_RTPMAP, "L16", 16000, 2, "");

    m = &g_s.media[1];
    assert_int_equal(m->type, SDP_MT_VIDEO);
    assert_int_equal(m->disabled, 1);
    _assert_codec(&m->codec[0], "31", 31, SDP_CS_STATIC, "H261", 90000, 0, "");
    _assert_slice(m->conn.address, "198.51.100.1");

    m = &g_s.media[2];
    assert_int_equal(m->type, SDP_MT_TEXT);
    _assert_codec(&m->codec[0], "98", 98, SDP_CS_RTPMAP, "t140", 1000, 0, "");
    _assert_codec(&m->codec[1], "100", 100, SDP_CS_RTPMAP, "red", 1000, 0, "98/98/98");

    m = &g_s.media[3];
    assert_int_equal(m->type, SDP_MT_APPLICATION);
    assert_int_equal(m->proto, SDP_PROTO_OTHER);
    _assert_slice(m->proto_name, "TCP/BFCP");
    assert_int_equal(m->flags, 0);
    /* every section ends where the next begins */
    for (int i = 0; i < 3; i++)
        assert_ptr_equal(g_s.media[i].raw.p + g_s.media[i].raw.len, g_s.media[i + 1].raw.p);
}

/* A non-RTP proto gets no static codec even for a numeric format. */
static void test_static_only_for_rtp(void **state)
{
    (void)state;
    const char *sdp = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\n"
                      "m=application 5000 UDP 0 8\r\n"
                      "m=audio 5002 TCP/RTP/AVP 0\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s.media[0].proto, SDP_PROTO_UDP);
    _assert_codec(&g_s.media[0].codec[0], "0", 0, SDP_CS_NONE, "", 0, 0, "");
    assert_int_equal(g_s.media[1].proto, SDP_PROTO_OTHER);
    _assert_codec(&g_s.media[1].codec[0], "0", 0, SDP_CS_STATIC, "PCMU", 8000, 1, "");
}

/* ---- caps ---- */

static void test_caps_exceeded(void **state)
{
    (void)state;
    char buf[4096];
    int n = snprintf(buf, sizeof buf, "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\n"
                                      "m=audio 1000 RTP/AVP");
    for (int pt = 96; pt < 116; pt++) /* 20 formats */
        n += snprintf(buf + n, sizeof buf - (size_t)n, " %d", pt);
    n += snprintf(buf + n, sizeof buf - (size_t)n,
                  "\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:115 AMR/8000\r\n");
    for (int i = 1; i < 10; i++) /* 9 more sections: 10 in all */
        n += snprintf(buf + n, sizeof buf - (size_t)n,
                      "m=video %d RTP/AVP 96\r\nc=IN IP4 10.0.0.%d\r\na=inactive\r\n", 2000 + i, i);
    assert_true(n > 0 && (size_t)n < sizeof buf);

    assert_int_equal(sdp_parse(U8(buf), (size_t)n, &g_s), 0);
    assert_int_equal(g_s.defects, SDP_DEF_TOO_MANY_MEDIA | SDP_DEF_TOO_MANY_CODECS);
    assert_int_equal(g_s.nmedia, SDP_MAX_MEDIA);
    assert_int_equal(g_s.nmedia_dropped, 2);
    const sdp_media *m = &g_s.media[0];
    assert_int_equal(m->ncodec, SDP_MAX_CODECS);
    assert_int_equal(m->ncodec_dropped, 4);
    _assert_codec(&m->codec[0], "96", 96, SDP_CS_RTPMAP, "opus", 48000, 2, "");
    _assert_codec(&m->codec[15], "111", 111, SDP_CS_NONE, "", 0, 0, "");
    assert_int_equal(g_s.media[7].port, 2007);
    _assert_slice(g_s.media[7].conn.address, "10.0.0.7");
    assert_int_equal(g_s.media[7].dir, SDP_DIR_INACTIVE);
    /* the dropped sections' lines are in raw, not in the last indexed one */
    assert_int_equal(g_s.raw.len, (size_t)n);
    assert_ptr_equal(g_s.media[7].raw.p + g_s.media[7].raw.len, strstr(buf, "m=video 2008"));
}

/* ---- not SDP ---- */

static void test_not_sdp(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "v", "V=0\r\n", " v=0\r\n", "o=- 1 1 IN IP4 h\r\nv=0\r\n",
        "INVITE sip:a@b SIP/2.0\r\n", "<?xml version=\"1.0\"?>", "\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        g_s.nmedia = 99;
        assert_int_equal(_parse(bad[i]), -1);
        assert_int_equal(g_s.nmedia, 0);
        assert_int_equal(g_s.defects, 0);
        assert_null(g_s.raw.p);
    }
    static const uint8_t bin[] = {0x80, 0x08, 0x00, 0x01, 'v', '=', '0', 0};
    assert_int_equal(sdp_parse(bin, sizeof bin, &g_s), -1);
    assert_int_equal(sdp_parse(NULL, 0, &g_s), -1);
    /* leading blank lines are skipped; a lone v= line is SDP */
    assert_int_equal(_parse("\r\nv=0"), 0);
    assert_int_equal(g_s.raw.len, 3);
    assert_int_equal(g_s.defects,
                     SDP_DEF_MISSING_ORIGIN | SDP_DEF_MISSING_NAME | SDP_DEF_MISSING_TIMING);
}

/* ---- defects ---- */

static void test_defects(void **state)
{
    (void)state;
    const char *sdp = "v=1\r\n"
                      "s=-\r\n"
                      "c=IN IP4\r\n"
                      "x\r\n"
                      "a=sendrecv\r\n"
                      "a=sendrecv\r\n"
                      "m=audio xyz RTP/AVP 0\r\n"
                      "a=sendrcv\r\n"
                      "a=rtpmap:0 PCMU\r\n"
                      "a=rtpmap:97 AMR/8000\r\n"
                      "m=audio 5000 RTP/AVP\r\n"
                      "m=audio 5002 RTP/AVP 0\r\n"
                      "a=fmtp:96 mode=20\r\n"
                      "v=0\r\n"
                      "m=video 5004 RTP/AVP 31\r\n";
    assert_int_equal(_parse(sdp), 0);
    assert_int_equal(g_s.defects,
                     SDP_DEF_BAD_VERSION | SDP_DEF_MISSING_ORIGIN | SDP_DEF_MISSING_TIMING |
                         SDP_DEF_BAD_CONNECTION | SDP_DEF_BAD_LINE | SDP_DEF_MULTIPLE_DIRECTION |
                         SDP_DEF_BAD_MEDIA | SDP_DEF_UNKNOWN_DIRECTION | SDP_DEF_BAD_RTPMAP |
                         SDP_DEF_RTPMAP_NO_FORMAT | SDP_DEF_SECOND_SESSION);
    assert_int_equal(g_s.version, 1);
    assert_int_equal(g_s.nmedia, 3);
    assert_int_equal(g_s.dir, SDP_DIR_SENDRECV);
    const sdp_media *m = &g_s.media[0];
    assert_int_equal(m->port, 0);
    assert_int_equal(m->disabled, 0); /* a bad port is not port 0 */
    assert_int_equal(m->dir_attr, SDP_DIR_NONE);
    _assert_codec(&m->codec[0], "0", 0, SDP_CS_STATIC, "PCMU", 8000, 1, "");
    assert_int_equal(g_s.media[1].ncodec, 0);
    /* parsing stopped at the second v= */
    assert_ptr_equal(g_s.raw.p + g_s.raw.len, strstr(sdp, "v=0"));

    /* missing connection: neither level has c= */
    assert_int_equal(_parse("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 4 RTP/AVP 0\r\n"), 0);
    assert_int_equal(g_s.defects, SDP_DEF_MISSING_CONNECTION);
    assert_int_equal(g_s.media[0].conn.address.len, 0);

    /* bad origin: five fields; filled as far as they go */
    assert_int_equal(_parse("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n"), 0);
    assert_int_equal(g_s.defects, SDP_DEF_BAD_ORIGIN);
    _assert_slice(g_s.origin.addrtype, "IP4");
    assert_int_equal(g_s.origin.address.len, 0);

    /* huge v= saturates; bad nports */
    assert_int_equal(_parse("v=99999999999\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nc=IN IP4 h\r\n"
                            "m=audio 4/0 RTP/AVP 0\r\nm=audio 70000 RTP/AVP 0\r\n"),
                     0);
    assert_int_equal(g_s.version, UINT32_MAX);
    assert_int_equal(g_s.defects, SDP_DEF_BAD_VERSION | SDP_DEF_BAD_MEDIA);
}

/* ---- line ends ---- */

static void _to_lf(const char *in, char *out)
{
    for (; *in; in++)
        if (*in != '\r')
            *out++ = *in;
    *out = '\0';
}

static void test_crlf_vs_lf(void **state)
{
    (void)state;
    static char lf[4096];
    _to_lf(k_webrtc, lf);
    assert_int_equal(_parse(k_webrtc), 0);
    assert_int_equal(sdp_parse(U8(lf), strlen(lf), &g_s2), 0);
    assert_int_equal(g_s.defects, 0);
    assert_int_equal(g_s2.defects, SDP_DEF_BARE_LF);
    assert_int_equal(g_s2.nmedia, g_s.nmedia);
    assert_int_equal(g_s2.raw.len, strlen(lf));
    for (uint32_t i = 0; i < g_s.nmedia; i++) {
        const sdp_media *a = &g_s.media[i], *b = &g_s2.media[i];
        assert_int_equal(a->ncodec, b->ncodec);
        assert_int_equal(a->nattr, b->nattr);
        assert_int_equal(a->flags, b->flags);
        assert_int_equal(a->dir, b->dir);
        assert_true(ss_slice_eq(a->mid, b->mid));
        for (uint32_t k = 0; k < a->ncodec; k++) {
            assert_true(ss_slice_eq(a->codec[k].name, b->codec[k].name));
            assert_true(ss_slice_eq(a->codec[k].fmtp, b->codec[k].fmtp));
            assert_int_equal(a->codec[k].clock, b->codec[k].clock);
        }
    }
    /* mixed endings, no final line end, CR not part of values */
    assert_int_equal(_parse("v=0\no=- 1 1 IN IP4 h\r\ns=x\nc=IN IP4 h\r\nt=0 0\nm=audio 1 RTP/AVP 8"),
                     0);
    assert_int_equal(g_s.defects, SDP_DEF_BARE_LF);
    _assert_slice(g_s.origin.address, "h");
    _assert_slice(g_s.name, "x");
    _assert_slice(g_s.media[0].fmts, "8");
    _assert_codec(&g_s.media[0].codec[0], "8", 8, SDP_CS_STATIC, "PCMA", 8000, 1, "");
}

/* ---- SDP out of a SIP message ---- */

static void test_from_sip_body(void **state)
{
    (void)state;
    static char msg[2048];
    int n = snprintf(msg, sizeof msg,
                     "SIP/2.0 200 OK\r\n"
                     "Via: SIP/2.0/UDP 10.35.60.100;branch=z9hG4bK1\r\n"
                     "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\n"
                     "Call-ID: c1\r\nCSeq: 1 INVITE\r\n"
                     "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                     strlen(k_t38_audio), k_t38_audio);
    size_t used;
    assert_int_equal(sip_parse(&g_msg, U8(msg), (size_t)n, 0, &used), SIP_OK);
    assert_int_equal(sdp_parse(g_msg.body.p, g_msg.body.len, &g_s), 0);
    assert_int_equal(g_s.defects, 0);
    assert_ptr_equal(g_s.raw.p, g_msg.body.p);
    assert_int_equal(g_s.media[0].dtmf_pt, 102);
}

/* ---- names and tables ---- */

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(sdp_direction_name(SDP_DIR_NONE), "none");
    assert_string_equal(sdp_direction_name(SDP_DIR_SENDRECV), "sendrecv");
    assert_string_equal(sdp_direction_name(SDP_DIR_SENDONLY), "sendonly");
    assert_string_equal(sdp_direction_name(SDP_DIR_RECVONLY), "recvonly");
    assert_string_equal(sdp_direction_name(SDP_DIR_INACTIVE), "inactive");
    assert_string_equal(sdp_direction_name((sdp_dir)42), "unknown");
    assert_string_equal(sdp_media_type_name(SDP_MT_IMAGE), "image");
    assert_string_equal(sdp_media_type_name(SDP_MT_OTHER), "other");
    assert_string_equal(sdp_proto_name(SDP_PROTO_UDPTL), "udptl");
    assert_string_equal(sdp_proto_name(SDP_PROTO_RTP_SAVPF), "RTP/SAVPF");
    assert_string_equal(sdp_proto_name((sdp_proto)-1), "unknown");

    static const struct {
        int pt;
        const char *name;
        uint32_t clock;
        uint16_t ch;
    } want[] = {{0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},
                {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},   {10, "L16", 44100, 2},
                {13, "CN", 8000, 1},    {18, "G729", 8000, 1},  {26, "JPEG", 90000, 0},
                {31, "H261", 90000, 0}, {34, "H263", 90000, 0}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const sdp_static_codec_info *c = sdp_static_codec(want[i].pt);
        assert_non_null(c);
        assert_string_equal(c->name, want[i].name);
        assert_int_equal(c->clock, want[i].clock);
        assert_int_equal(c->channels, want[i].ch);
    }
    static const int none[] = {-1, 1, 2, 19, 20, 24, 27, 29, 30, 35, 96, 127, 128, 100000};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_null(sdp_static_codec(none[i]));

    for (int b = 0; b < SDP_DEF__COUNT; b++) {
        const char *nm = sdp_defect_name(1u << b);
        assert_non_null(nm);
        for (int k = 0; k < b; k++)
            assert_string_not_equal(nm, sdp_defect_name(1u << k));
    }
    assert_string_equal(sdp_defect_name(SDP_DEF_MISSING_ORIGIN), "missing_origin");
    assert_null(sdp_defect_name(0));
    assert_null(sdp_defect_name(3));
    assert_null(sdp_defect_name(1u << SDP_DEF__COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audio_offer),     cmocka_unit_test(test_hold_sendonly),
        cmocka_unit_test(test_hold_inactive),   cmocka_unit_test(test_hold_c0),
        cmocka_unit_test(test_t38_capture),     cmocka_unit_test(test_t38_attributes),
        cmocka_unit_test(test_webrtc),          cmocka_unit_test(test_savp_sdes),
        cmocka_unit_test(test_msrp),            cmocka_unit_test(test_multiple_media),
        cmocka_unit_test(test_static_only_for_rtp), cmocka_unit_test(test_caps_exceeded),
        cmocka_unit_test(test_not_sdp),         cmocka_unit_test(test_defects),
        cmocka_unit_test(test_crlf_vs_lf),      cmocka_unit_test(test_from_sip_body),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
