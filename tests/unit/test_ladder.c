/* test_ladder.c - output safety helpers (report/text.c) and terminal ladder
 * diagrams (report/ladder.c).
 *
 * Records are built by hand, printed into an open_memstream buffer and
 * checked: exact text for a simple call, then properties (arrow direction,
 * columns, marks, no control bytes, no trailing blanks) for the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

#include "sipscope/report.h"

/* Stand-ins for src/correlate so this test builds on its own; weak, so
 * the real ones win whenever the correlate objects are linked in. */
__attribute__((weak)) const char *cor_kind_name(cor_kind k)
{
    static const char *const n[] = {"call",    "registration", "subscription", "message", "options",
                                    "publish", "service",      "refer",        "other"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

__attribute__((weak)) const char *cor_outcome_name(cor_outcome o)
{
    static const char *const n[] = {"none",       "answered",    "busy",    "rejected",
                                    "cancelled",  "redirected",  "failed",  "unanswered",
                                    "in-progress", "success",    "failure", "no-response"};
    return (unsigned)o < sizeof n / sizeof n[0] ? n[o] : "?";
}

/* ---- helpers ---- */

#define T0 (36000LL * 1000000) /* 10:00:00 UTC on 1970-01-01 */

static ss_addr _v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
    ss_addr x;
    memset(&x, 0, sizeof x);
    x.family = 4;
    x.ip[0] = a;
    x.ip[1] = b;
    x.ip[2] = c;
    x.ip[3] = d;
    x.port = port;
    return x;
}

static cor_record _rec(const cor_msg *msgs, size_t n)
{
    cor_record r;
    memset(&r, 0, sizeof r);
    r.id = 1;
    r.call_id = "1-2345@127.0.0.1";
    r.kind = COR_KIND_CALL;
    r.outcome = COR_OUT_ANSWERED;
    r.final_status = 200;
    r.final_reason = "OK";
    r.from = "";
    r.to = "";
    r.user_agent = "";
    r.setup_ms = -1;
    r.pdd_ms = -1;
    r.duration_ms = -1;
    r.msgs = msgs;
    r.nmsgs = n;
    return r;
}

static rep_ladder_opts _opts(unsigned width, int utf8, int color)
{
    rep_ladder_opts o;
    memset(&o, 0, sizeof o);
    o.width = width;
    o.utf8 = utf8;
    o.color = color;
    return o;
}

/* Checks what every ladder must satisfy: lines end in '\n' with no blank
 * before it. */
static void _check_lines(const char *s)
{
    for (const char *p = s; *p; p++)
        if (*p == '\n' && p > s)
            assert_true(p[-1] != ' ');
    size_t n = strlen(s);
    assert_true(n > 0 && s[n - 1] == '\n');
}

/* Prints rec into a malloc'd string (the caller frees it). */
static char *_render(const cor_record *rec, const rep_ladder_opts *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rep_ladder_print(f, rec, o);
    assert_int_equal(fclose(f), 0);
    assert_non_null(buf);
    _check_lines(buf);
    return buf;
}

/* The line of s that contains needle, copied into line (or "" if none). */
static const char *_line_with(const char *s, const char *needle, char *line, size_t n)
{
    const char *hit = strstr(s, needle);
    line[0] = '\0';
    if (hit == NULL)
        return line;
    const char *b = hit, *e = strchr(hit, '\n');
    while (b > s && b[-1] != '\n')
        b--;
    size_t l = e ? (size_t)(e - b) : strlen(b);
    snprintf(line, n, "%.*s", (int)l, b);
    return line;
}

/* The first line made only of blanks and tick glyphs (ANSI codes
 * allowed): the row under the endpoint names. */
static const char *_tick_row(const char *s, const char *tick, char *line, size_t n)
{
    line[0] = '\0';
    for (const char *b = s; *b; b = strchr(b, '\n') + 1) {
        const char *e = strchr(b, '\n'), *p = b;
        int any = 0;
        while (p < e) {
            if (*p == ' ')
                p++;
            else if (strncmp(p, tick, strlen(tick)) == 0)
                p += strlen(tick), any = 1;
            else if (*p == 0x1B)
                p = strchr(p, 'm') + 1;
            else
                break;
        }
        if (p == e && any) {
            snprintf(line, n, "%.*s", (int)(e - b), b);
            break;
        }
    }
    return line;
}

static size_t _count(const char *s, const char *needle)
{
    size_t c = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + strlen(needle), needle))
        c++;
    return c;
}

/* No byte that a terminal would act on, other than '\n' and (when
 * allow_sgr) well-formed SGR sequences "ESC [ digits/; m". */
static void _assert_no_controls(const char *s, int allow_sgr)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0x1B) {
            assert_true(allow_sgr);
            assert_int_equal(p[1], '[');
            p += 2;
            while ((*p >= '0' && *p <= '9') || *p == ';')
                p++;
            assert_int_equal(*p, 'm');
            continue;
        }
        assert_true(*p == '\n' || (*p >= 0x20 && *p != 0x7F));
        /* C1 controls as UTF-8 (C2 80..9F) */
        if (*p == 0xC2)
            assert_true(p[1] < 0x80 || p[1] > 0x9F);
    }
}

/* ---- text.c ---- */

typedef struct clean_case {
    const char *in;
    size_t len;
    int utf8;
    const char *want;
} clean_case;

#define CC(lit, utf8, want) {lit, sizeof(lit) - 1, utf8, want}

static void test_term_clean_table(void **state)
{
    (void)state;
    static const clean_case cases[] = {
        CC("Ringing", 1, "Ringing"),
        CC("", 1, ""),
        CC("caf\xC3\xA9", 1, "caf\xC3\xA9"),                   /* 2-byte kept */
        CC("caf\xC3\xA9", 0, "caf??"),                         /* ASCII: per byte */
        CC("\xE2\x94\x82x", 1, "\xE2\x94\x82x"),               /* 3-byte kept */
        CC("\xF0\x9F\x98\x80", 1, "\xF0\x9F\x98\x80"),         /* 4-byte kept */
        CC("\x1B[31mRed\x1B[0m", 1, "?Red?"),                 /* CSI swallowed */
        CC("\x1B[1;31;4mX", 0, "?X"),
        CC("\x1B]0;owned\x07" "after", 1, "?after"),             /* OSC to BEL */
        CC("\x1B]8;;http://x\x1B\\link", 1, "?link"),         /* OSC to ST */
        CC("\x1B]0;no end", 1, "?0;no end"),                  /* unterminated */
        CC("\x1B", 1, "?"),
        CC("a\x1B", 1, "a?"),
        CC("\x1B\x1B[2J", 1, "??"),
        CC("\x1B[31", 1, "?"),                                /* cut-off CSI */
        CC("\x1B" "c", 1, "?"),                               /* RIS */
        CC("\x1B(B", 1, "?"),                                 /* charset */
        CC("a\x07" "b\r\n\t", 1, "a?b???"),                   /* C0 */
        CC("a\0b", 1, "a?b"),                                 /* NUL inside len */
        CC("\x7F", 1, "?"),                                   /* DEL */
        CC("\xC2\x9B" "31m", 1, "?31m"),                      /* C1 CSI as UTF-8 */
        CC("\xC2\x85", 1, "?"),                               /* NEL */
        CC("\x9B" "31m", 1, "?31m"),                          /* raw C1 byte */
        CC("\x9B" "31m", 0, "?31m"),
        CC("\xC0\xAF", 1, "??"),                              /* overlong '/' */
        CC("\xE0\x80\xAF", 1, "???"),                         /* overlong 3-byte */
        CC("\xF0\x80\x80\xAF", 1, "????"),                    /* overlong 4-byte */
        CC("\xED\xA0\x80", 1, "???"),                         /* surrogate D800 */
        CC("\xED\xBF\xBF", 1, "???"),                         /* surrogate DFFF */
        CC("\xF4\x90\x80\x80", 1, "????"),                    /* > U+10FFFF */
        CC("\xE2\x82", 1, "??"),                              /* truncated */
        CC("\xE2\x82" "A", 1, "??A"),
        CC("\xF0\x9F\x98", 1, "???"),
        CC("\xFF\xFE", 1, "??"),
        CC("\x80", 1, "?"),                                   /* lone continuation */
        CC("a\xE2\x80\xAE" "b", 1, "a?b"),                    /* RLO (bidi override) */
        CC("\xE2\x81\xA6x\xE2\x81\xA9", 1, "?x?"),            /* bidi isolates */
        CC("zero\xE2\x80\x8Bwidth", 1, "zero?width"),
        CC("\xEF\xBB\xBFx", 1, "?x"),                         /* BOM */
        CC("\xE2\x80\xA8", 1, "?"),                           /* line separator */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[128];
        size_t n = rep_term_clean(cases[i].in, cases[i].len, cases[i].utf8, out, sizeof out);
        if (strcmp(out, cases[i].want) != 0)
            print_error("case %zu: got \"%s\" want \"%s\"\n", i, out, cases[i].want);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
}

static void test_term_clean_bounds(void **state)
{
    (void)state;
    char out[8];
    /* never splits a code point: 3 x U+00E9 (6 bytes) + "é" does not fit in 7 */
    size_t n = rep_term_clean("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 8, 1, out, sizeof out);
    assert_int_equal(n, 6);
    assert_string_equal(out, "\xC3\xA9\xC3\xA9\xC3\xA9");
    n = rep_term_clean("abcdefghij", 10, 1, out, sizeof out);
    assert_int_equal(n, 7);
    assert_string_equal(out, "abcdefg");
    n = rep_term_clean("abc", 3, 1, out, 1);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    n = rep_term_clean(NULL, 5, 1, out, sizeof out);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    /* every byte value, both modes: output stays printable */
    char all[256], big[1024];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    for (int u = 0; u < 2; u++) {
        rep_term_clean(all, sizeof all, u, big, sizeof big);
        _assert_no_controls(big, 0);
        if (!u)
            for (const char *p = big; *p; p++)
                assert_true((unsigned char)*p < 0x80);
    }
}

typedef struct utf8_case {
    const char *in;
    size_t len;
    const char *want;
} utf8_case;

#define UC(lit, want) {lit, sizeof(lit) - 1, want}

static void test_utf8_clean_table(void **state)
{
    (void)state;
    static const utf8_case cases[] = {
        UC("", ""),
        UC("200 OK", "200 OK"),
        UC("caf\xC3\xA9", "caf\xC3\xA9"),
        UC("\xE2\x94\x82", "\xE2\x94\x82"),
        UC("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"),
        UC("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"),      /* U+10FFFF is valid */
        UC("\xC2\x85", "\xC2\x85"),                      /* C1 is valid UTF-8 */
        UC("\x1B[31m", "\x1B[31m"),                      /* JSON escapes it */
        UC("\xFF", "\\xFF"),
        UC("a\xFE" "b", "a\\xFEb"),
        UC("\xC0\xAF", "\\xC0\\xAF"),                    /* overlong */
        UC("\xC1\xBF", "\\xC1\\xBF"),
        UC("\xE0\x9F\xBF", "\\xE0\\x9F\\xBF"),
        UC("\xF0\x8F\xBF\xBF", "\\xF0\\x8F\\xBF\\xBF"),
        UC("\xED\xA0\x80", "\\xED\\xA0\\x80"),           /* surrogates */
        UC("\xED\xB2\x80", "\\xED\\xB2\\x80"),
        UC("\xF4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"),  /* > U+10FFFF */
        UC("\xF5\x80\x80\x80", "\\xF5\\x80\\x80\\x80"),
        UC("\xE2\x82", "\\xE2\\x82"),                    /* truncated */
        UC("\xE2\x82" "A", "\\xE2\\x82A"),
        UC("\xC3", "\\xC3"),
        UC("\x80\xBF", "\\x80\\xBF"),                    /* lone continuations */
        UC("a\0b", "a\\x00b"),                           /* NUL would end the string */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = rep_utf8_clean(cases[i].in, cases[i].len);
        assert_non_null(got);
        if (strcmp(got, cases[i].want) != 0)
            print_error("case %zu: got \"%s\" want \"%s\"\n", i, got, cases[i].want);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
    char *got = rep_utf8_clean(NULL, 3);
    assert_non_null(got);
    assert_string_equal(got, "");
    free(got);
}

static void test_display_width(void **state)
{
    (void)state;
    assert_int_equal(rep_display_width(NULL), 0);
    assert_int_equal(rep_display_width(""), 0);
    assert_int_equal(rep_display_width("abc"), 3);
    assert_int_equal(rep_display_width("a\xC3\xA9\xE2\x94\x82\xF0\x9F\x98\x80"), 4);
}

/* ---- ladder.c ---- */

static const char _simple_ascii[] =
    "Call-ID 1-2345@127.0.0.1  call  answered (200 OK)  setup 12 ms  duration 2.001 s  7 msgs\n"
    "  sip:alice@example.com -> sip:bob@example.com  UA: sipp\n"
    "                 127.0.0.1:5061          127.0.0.1:5060\n"
    "                       |                       |\n"
    "10:00:00.000  +0.000s  |------- INVITE ------->|\n"
    "10:00:00.001  +0.001s  |<----- 100 Trying -----|\n"
    "10:00:00.012  +0.011s  |<---- 180 Ringing -----|\n"
    "10:00:00.012  +0.000s  |<------- 200 OK -------|\n"
    "10:00:00.013  +0.001s  |-------- ACK --------->|\n"
    "10:00:02.013  +2.000s  |-------- BYE --------->|\n"
    "10:00:02.014  +0.001s  |<------- 200 OK -------|\n";

static const char _simple_utf8[] =
    "Call-ID 1-2345@127.0.0.1  call  answered (200 OK)  setup 12 ms  duration 2.001 s  7 msgs\n"
    "  sip:alice@example.com -> sip:bob@example.com  UA: sipp\n"
    "                 127.0.0.1:5061          127.0.0.1:5060\n"
    "                       ┬                       ┬\n"
    "10:00:00.000  +0.000s  ├─────── INVITE ───────►│\n"
    "10:00:00.001  +0.001s  │◄───── 100 Trying ─────┤\n"
    "10:00:00.012  +0.011s  │◄──── 180 Ringing ─────┤\n"
    "10:00:00.012  +0.000s  │◄─────── 200 OK ───────┤\n"
    "10:00:00.013  +0.001s  ├──────── ACK ─────────►│\n"
    "10:00:02.013  +2.000s  ├──────── BYE ─────────►│\n"
    "10:00:02.014  +0.001s  │◄─────── 200 OK ───────┤\n"
    "                       ┴                       ┴\n";

/* INVITE / 100 / 180 / 200 / ACK / BYE / 200 between a (UAC) and b. */
static size_t _simple_call(cor_msg *m, ss_addr a, ss_addr b)
{
    m[0] = _req(T0, a, b, "INVITE", 0);
    m[1] = _resp(T0 + 1000, b, a, 100, "Trying", 0);
    m[2] = _resp(T0 + 12000, b, a, 180, "Ringing", 0);
    m[3] = _resp(T0 + 12400, b, a, 200, "OK", 0);
    m[4] = _req(T0 + 13400, a, b, "ACK", 0);
    m[5] = _req(T0 + 2013400, a, b, "BYE", 0);
    m[6] = _resp(T0 + 2014400, b, a, 200, "OK", 0);
    return 7;
}

static cor_record _simple_rec(cor_msg *m)
{
    size_t n = _simple_call(m, _v4(127, 0, 0, 1, 5061), _v4(127, 0, 0, 1, 5060));
    cor_record r = _rec(m, n);
    r.setup_ms = 12;
    r.duration_ms = 2001;
    r.from = "sip:alice@example.com";
    r.to = "sip:bob@example.com";
    r.user_agent = "sipp";
    return r;
}

static void test_ladder_simple_ascii(void **state)
{
    (void)state;
    cor_msg m[8];
    cor_record r = _simple_rec(m);
    rep_ladder_opts o = _opts(80, 0, 0);
    char *s = _render(&r, &o);
    if (strcmp(s, _simple_ascii) != 0)
        print_error("got:\n%s", s);
    assert_string_equal(s, _simple_ascii);
    free(s);
}

static void test_ladder_simple_utf8(void **state)
{
    (void)state;
    cor_msg m[8];
    cor_record r = _simple_rec(m);
    rep_ladder_opts o = _opts(80, 1, 0);
    char *s = _render(&r, &o);
    if (strcmp(s, _simple_utf8) != 0)
        print_error("got:\n%s", s);
    assert_string_equal(s, _simple_utf8);
    free(s);
}

static void test_ladder_deterministic(void **state)
{
    (void)state;
    cor_msg m[8];
    cor_record r = _simple_rec(m);
    rep_ladder_opts o = _opts(120, 1, 1);
    char *a = _render(&r, &o), *b = _render(&r, &o);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void test_ladder_directions(void **state)
{
    (void)state;
    cor_msg m[8];
    char line[512];
    ss_addr a = _v4(10, 0, 0, 1, 5060), b = _v4(10, 0, 0, 2, 5060);
    /* the callee (b) shows up first, so it owns the left column */
    m[0] = _req(T0, b, a, "OPTIONS", 0);
    m[1] = _resp(T0 + 5000, a, b, 200, "OK", 0);
    m[2] = _req(T0 + 6000, a, b, "INFO", 0);
    cor_record r = _rec(m, 3);
    rep_ladder_opts o = _opts(80, 0, 0);
    char *s = _render(&r, &o);

    _line_with(s, "10.0.0.1:5060", line, sizeof line);
    assert_true(strstr(line, "10.0.0.2:5060") < strstr(line, "10.0.0.1:5060")); /* first appearance */
    _line_with(s, "OPTIONS", line, sizeof line);
    assert_non_null(strstr(line, "|---"));
    assert_non_null(strstr(line, "-->|"));
    assert_null(strchr(line, '<'));
    _line_with(s, "200 OK -", line, sizeof line);
    assert_non_null(strstr(line, "|<--"));
    assert_null(strchr(line, '>'));
    _line_with(s, "INFO", line, sizeof line);
    assert_non_null(strstr(line, "|<--"));
    assert_non_null(strstr(line, "10:00:00.006  +0.001s"));
    free(s);
}

static void test_ladder_three_endpoints(void **state)
{
    (void)state;
    cor_msg m[8];
    char line[512];
    ss_addr a = _v4(10, 0, 0, 1, 5060), p = _v4(10, 0, 0, 2, 5060), b = _v4(10, 0, 0, 3, 5060);
    m[0] = _req(T0, a, p, "INVITE", 0);
    m[1] = _req(T0 + 1000, p, b, "INVITE", 0);
    m[2] = _resp(T0 + 2000, b, p, 486, "Busy Here", 0);
    m[3] = _resp(T0 + 3000, p, a, 486, "Busy Here", 0);
    m[4] = _req(T0 + 4000, b, a, "NOTIFY", 0); /* spans all three */
    cor_record r = _rec(m, 5);
    r.outcome = COR_OUT_BUSY;
    r.final_status = 486;
    r.final_reason = "Busy Here";
    rep_ladder_opts o = _opts(100, 0, 0);
    char *s = _render(&r, &o);

    assert_non_null(strstr(s, "busy (486 Busy Here)"));
    _line_with(s, "10.0.0.1:5060", line, sizeof line);
    char *x1 = strstr(line, "10.0.0.1"), *x2 = strstr(line, "10.0.0.2"), *x3 = strstr(line, "10.0.0.3");
    assert_true(x1 && x2 && x3 && x1 < x2 && x2 < x3);
    /* the tick row under the header has exactly three lines */
    _tick_row(s, "|", line, sizeof line);
    assert_int_equal(_count(line, "|"), 3);
    /* second INVITE starts at the middle line: blank between lines 1 and 2 */
    _line_with(s, "10:00:00.001", line, sizeof line);
    assert_non_null(strstr(line, "|  "));
    assert_non_null(strstr(line, "-->|"));
    /* the NOTIFY goes right to left across the middle line */
    _line_with(s, "NOTIFY", line, sizeof line);
    assert_non_null(strstr(line, "|<--"));
    assert_int_equal(_count(line, "|"), 2);
    free(s);
}

static void test_ladder_retrans(void **state)
{
    (void)state;
    cor_msg m[4];
    char line[512];
    ss_addr a = _v4(10, 0, 0, 1, 5060), b = _v4(10, 0, 0, 2, 5060);
    m[0] = _req(T0, a, b, "INVITE", 0);
    m[1] = _req(T0 + 500000, a, b, "INVITE", 1);
    m[2] = _resp(T0 + 600000, b, a, 180, "Ringing", 0);
    m[3] = _resp(T0 + 700000, b, a, 180, "Ringing", 1);
    cor_record r = _rec(m, 4);
    r.retransmissions = 2;
    rep_ladder_opts o = _opts(80, 0, 0);
    char *s = _render(&r, &o);
    assert_non_null(strstr(s, "  2 retrans\n"));
    assert_int_equal(_count(s, "(retrans)"), 2);
    _line_with(s, "INVITE (retrans)", line, sizeof line);
    assert_non_null(strstr(line, "..>|"));
    assert_null(strstr(line, "--"));
    _line_with(s, "180 Ringing (retrans)", line, sizeof line);
    assert_non_null(strstr(line, "|<.."));
    _line_with(s, "+0.500s", line, sizeof line);
    assert_non_null(strstr(line, "(retrans)"));
    free(s);

    o = _opts(80, 1, 0);
    s = _render(&r, &o);
    _line_with(s, "INVITE (retrans)", line, sizeof line);
    assert_non_null(strstr(line, "┄►│"));
    free(s);
}

static void test_ladder_aliases(void **state)
{
    (void)state;
    cor_msg m[8];
    char line[512];
    ss_addr ua = _v4(192, 168, 1, 10, 5060), px1 = _v4(10, 0, 0, 1, 5060), px2 = _v4(10, 0, 0, 1, 5080);
    ss_addr gw = _v4(10, 0, 0, 9, 5060);
    rep_alias al[3];
    memset(al, 0, sizeof al);
    al[0].addr = _v4(10, 0, 0, 1, 0); /* any port */
    snprintf(al[0].name, sizeof al[0].name, "proxy");
    al[1].addr = _v4(192, 168, 1, 10, 5060);
    snprintf(al[1].name, sizeof al[1].name, "alice");
    al[2].addr = _v4(10, 0, 0, 9, 5061); /* wrong port: not gw */
    snprintf(al[2].name, sizeof al[2].name, "notgw");
    m[0] = _req(T0, ua, px1, "INVITE", 0);
    m[1] = _req(T0 + 1000, px2, gw, "INVITE", 0);
    m[2] = _req(T0 + 2000, px1, px2, "OPTIONS", 0); /* same column: self-loop */
    cor_record r = _rec(m, 3);
    rep_ladder_opts o = _opts(100, 0, 0);
    o.aliases = al;
    o.naliases = 3;
    char *s = _render(&r, &o);
    _line_with(s, "alice", line, sizeof line);
    assert_non_null(strstr(line, "proxy"));
    assert_non_null(strstr(line, "10.0.0.9:5060"));
    assert_null(strstr(s, "notgw"));
    assert_null(strstr(s, "10.0.0.1:"));
    assert_int_equal(_count(line, "proxy"), 1); /* both proxy ports: one column */
    _line_with(s, "OPTIONS", line, sizeof line);
    assert_non_null(strstr(line, "|--. OPTIONS"));
    assert_non_null(strstr(s, "|<-'"));
    free(s);

    /* an exact ip:port alias wins over an IP-only one listed before it */
    al[1].addr = _v4(10, 0, 0, 1, 5080);
    snprintf(al[1].name, sizeof al[1].name, "proxy-tls\x1B[2J");
    s = _render(&r, &o);
    _assert_no_controls(s, 0);
    _line_with(s, "proxy", line, sizeof line);
    assert_non_null(strstr(line, "proxy-tls?"));
    assert_non_null(strstr(line, "192.168.1.10:5060"));
    _line_with(s, "OPTIONS", line, sizeof line);
    assert_non_null(strstr(line, "-->|")); /* two columns now: a real arrow */
    free(s);
}

static void test_ladder_hostile_text(void **state)
{
    (void)state;
    cor_msg m[4];
    ss_addr a = _v4(10, 0, 0, 1, 5060), b = _v4(10, 0, 0, 2, 5060);
    m[0] = _req(T0, a, b, "INV\x1B[31mITE\x07", 0);
    m[1] = _resp(T0 + 1000, b, a, 200, "\x1B[31mOK\x07\r\nX\xFF\xC0\xAF\xC2\x9B" "2J\x1B]0;pwn\x07", 0);
    m[2] = _resp(T0 + 2000, b, a, 180, "\x1B", 0);
    m[3] = _req(T0 + 3000, a, b, "\x7F\x1B[1A\xE2\x80\xAE", 1);
    cor_record r = _rec(m, 4);
    r.call_id = "evil\x1B]0;title\x07\x1B[2J\r@host";
    r.final_reason = "\x1B[5mOK\x0B";
    r.user_agent = "UA\x1B[8m\x08\x08\x08";
    r.from = "sip:\x1B[41m@x";
    r.to = "\xE2\x80\xAE" "sip:b";
    for (int mode = 0; mode < 4; mode++) {
        rep_ladder_opts o = _opts(mode & 1 ? 40 : 100, mode >> 1, 0);
        char *s = _render(&r, &o);
        _assert_no_controls(s, 0);
        assert_non_null(strstr(s, "Call-ID evil???@host  call"));
        assert_non_null(strstr(s, "?OK"));
        free(s);
        o.color = 1;
        s = _render(&r, &o);
        _assert_no_controls(s, 1);
        free(s);
    }
}

static void test_ladder_missing_fields(void **state)
{
    (void)state;
    cor_msg m[2];
    ss_addr a = _v4(10, 0, 0, 1, 5060), b = _v4(10, 0, 0, 2, 5060);
    m[0] = _req(T0, a, b, NULL, 0);
    m[1] = _resp(T0 + 1000, b, a, 603, NULL, 0);
    cor_record r = _rec(m, 2);
    r.call_id = NULL;
    r.from = r.to = r.user_agent = r.final_reason = NULL;
    char *s = _render(&r, NULL);
    assert_non_null(strstr(s, "Call-ID (none)"));
    assert_non_null(strstr(s, " ? "));
    assert_non_null(strstr(s, " 603 "));
    free(s);
    rep_ladder_print(NULL, &r, NULL);
    rep_ladder_print(stdout, NULL, NULL);
}

static void test_ladder_color(void **state)
{
    (void)state;
    cor_msg m[8];
    cor_record r = _simple_rec(m);
    for (int u = 0; u < 2; u++) {
        rep_ladder_opts o = _opts(80, u, 0);
        char *s = _render(&r, &o);
        assert_null(strchr(s, 0x1B));
        free(s);
        o.color = 1;
        s = _render(&r, &o);
        assert_non_null(strchr(s, 0x1B));
        assert_non_null(strstr(s, "\033[0;36m")); /* requests */
        assert_non_null(strstr(s, "\033[0;33m")); /* 1xx */
        assert_non_null(strstr(s, "\033[0;32m")); /* 2xx */
        _assert_no_controls(s, 1);
        /* the last SGR of every line is a reset: no colour leaks out */
        for (const char *p = strchr(s, '\n'); p; p = strchr(p + 1, '\n')) {
            const char *b = p, *last = NULL;
            while (b > s && b[-1] != '\n')
                b--;
            for (const char *q = b; q < p; q++)
                if (*q == 0x1B)
                    last = q;
            if (last)
                assert_memory_equal(last, "\033[0m", 4);
        }
        free(s);
    }
    /* 4xx red, retransmission dim */
    m[1] = _resp(T0 + 1000, m[1].src, m[1].dst, 486, "Busy Here", 1);
    rep_ladder_opts o = _opts(80, 0, 1);
    char *s = _render(&r, &o);
    assert_non_null(strstr(s, "\033[0;2;31m"));
    free(s);
}

static void test_ladder_utf8_glyphs(void **state)
{
    (void)state;
    cor_msg m[8];
    cor_record r = _simple_rec(m);
    rep_ladder_opts o = _opts(80, 1, 0);
    char *s = _render(&r, &o);
    assert_non_null(strstr(s, "│"));
    assert_non_null(strstr(s, "─"));
    assert_non_null(strstr(s, "►"));
    assert_non_null(strstr(s, "◄"));
    assert_non_null(strstr(s, "┬"));
    free(s);
    o.utf8 = 0;
    s = _render(&r, &o);
    for (const char *p = s; *p; p++)
        assert_true((unsigned char)*p < 0x80);
    free(s);
}

static void test_ladder_narrow_truncates(void **state)
{
    (void)state;
    cor_msg m[2];
    char line[512];
    ss_addr a = _v4(10, 0, 0, 1, 5060), b = _v4(10, 0, 0, 2, 5060);
    m[0] = _req(T0, a, b, "INVITE", 0);
    m[1] = _resp(T0 + 1000, b, a, 403, "Forbidden - your account has been suspended, call support", 0);
    cor_record r = _rec(m, 2);
    r.user_agent = "A very long user agent string that goes on and on past any terminal";
    for (int u = 0; u < 2; u++) {
        rep_ladder_opts o = _opts(40, u, 0);
        char *s = _render(&r, &o);
        _line_with(s, "403", line, sizeof line);
        assert_non_null(strstr(line, u ? "…" : "..."));
        assert_null(strstr(line, "support"));
        assert_non_null(strstr(line, u ? "◄" : "|<"));
        assert_non_null(strstr(line, u ? "┤" : "|"));
        _line_with(s, "UA:", line, sizeof line);
        assert_true(rep_display_width(line) <= 40);
        free(s);
    }
    /* width below the contract's minimum, and 0 (default), still work */
    for (unsigned w = 0; w < 41; w += 10) {
        rep_ladder_opts o = _opts(w, 0, 0);
        char *s = _render(&r, &o);
        assert_non_null(strstr(s, "INVITE"));
        free(s);
    }
}

static void test_ladder_many_endpoints(void **state)
{
    (void)state;
    enum { N = 12 };
    cor_msg m[2 * N];
    char line[4096];
    for (int i = 0; i < N; i++) {
        ss_addr a = _v4(10, 0, 0, (uint8_t)(i + 1), 5060), b = _v4(10, 0, 0, (uint8_t)((i + 1) % N + 1), 5060);
        m[2 * i] = _req(T0 + i * 1000, a, b, "INVITE", 0);
        m[2 * i + 1] = _resp(T0 + i * 1000 + 500, b, a, 100, "Trying", 0);
    }
    cor_record r = _rec(m, 2 * N);
    for (int mode = 0; mode < 4; mode++) {
        rep_ladder_opts o = _opts(40, mode & 1, mode >> 1);
        char *s = _render(&r, &o);
        _tick_row(s, mode & 1 ? "┬" : "|", line, sizeof line);
        assert_int_equal(_count(line, mode & 1 ? "┬" : "|"), N);
        /* the wrap-around message crosses every line */
        _line_with(s, "10:00:00.011", line, sizeof line);
        assert_non_null(strstr(line, "INVITE"));
        free(s);
    }
}

static void test_ladder_ipv6_stagger(void **state)
{
    (void)state;
    cor_msg m[2];
    ss_addr a, b;
    memset(&a, 0, sizeof a);
    a.family = 6;
    for (int i = 0; i < 16; i++)
        a.ip[i] = (uint8_t)(0x20 + i);
    a.port = 5060;
    b = a;
    b.ip[15] = 0x99;
    m[0] = _req(T0, a, b, "MESSAGE", 0);
    m[1] = _resp(T0 + 1000, b, a, 202, "Accepted", 0);
    cor_record r = _rec(m, 2);
    rep_ladder_opts o = _opts(60, 0, 0);
    char *s = _render(&r, &o);
    /* labels too wide for one row go on two; both addresses appear in full */
    assert_non_null(strstr(s, "[2021:2223:2425:2627:2829:2a2b:2c2d:2e2f]:5060\n"));
    assert_non_null(strstr(s, "[2021:2223:2425:2627:2829:2a2b:2c2d:2e99]:5060\n"));
    free(s);
}

static void test_ladder_empty_and_dropped(void **state)
{
    (void)state;
    cor_record r = _rec(NULL, 0);
    r.msgs_dropped = 5;
    rep_ladder_opts o = _opts(80, 0, 0);
    char *s = _render(&r, &o);
    assert_non_null(strstr(s, "  5 msgs\n"));
    assert_non_null(strstr(s, "\n... 5 more messages not kept\n"));
    free(s);

    r.msgs_dropped = 0;
    s = _render(&r, &o);
    assert_non_null(strstr(s, "(no messages kept)\n"));
    free(s);

    cor_msg m[8];
    r = _simple_rec(m);
    r.msgs_dropped = 1;
    r.evicted = 1;
    o.utf8 = 1;
    s = _render(&r, &o);
    assert_non_null(strstr(s, "  8 msgs  [evicted]\n"));
    assert_non_null(strstr(s, "┴\n… 1 more message not kept\n"));
    free(s);
}

static void test_ladder_self_loop_and_times(void **state)
{
    (void)state;
    cor_msg m[3];
    char line[512];
    ss_addr a = _v4(10, 0, 0, 1, 5060);
    m[0] = _req(-1500, a, a, "OPTIONS", 0);              /* before the epoch */
    m[1] = _resp(4000000000LL, a, a, 200, "OK", 0);      /* +4000 s later */
    m[2] = _resp(3999990000LL, a, a, 200, "OK", 1);      /* out of order */
    cor_record r = _rec(m, 3);
    for (int u = 0; u < 2; u++) {
        rep_ladder_opts o = _opts(80, u, 0);
        char *s = _render(&r, &o);
        _line_with(s, "OPTIONS", line, sizeof line);
        assert_non_null(strstr(line, "23:59:59.998  "));
        assert_non_null(strstr(line, u ? "├──┐ OPTIONS" : "|--. OPTIONS"));
        assert_non_null(strstr(s, u ? "│◄─┘" : "|<-'"));
        assert_non_null(strstr(s, "+4000.001s"));
        assert_non_null(strstr(s, "   -0.010s"));
        free(s);
    }
}

/* xorshift64: a fixed seed keeps the stress test reproducible. */
static uint64_t _rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void _rnd_text(uint64_t *x, char *buf, size_t n)
{
    static const char *const bits[] = {"\x1B[", "\x1B]", "\x07", "\xC2\x9B", "\xE2\x80\xAE", "\xF0\x9F",
                                       "\xED\xA0\x80", "OK", " ", "\xC3\xA9", "m", "\r\n", "\xFF"};
    size_t o = 0, k = _rnd(x) % 12;
    for (size_t i = 0; i < k; i++) {
        if (_rnd(x) % 3 == 0) {
            char c = (char)(_rnd(x) % 255 + 1);
            if (o + 1 < n)
                buf[o++] = c;
        } else {
            const char *b = bits[_rnd(x) % (sizeof bits / sizeof bits[0])];
            size_t l = strlen(b);
            if (o + l < n) {
                memcpy(buf + o, b, l);
                o += l;
            }
        }
    }
    buf[o] = '\0';
}

/* Random records (endpoints, times, wire text of random bytes) in every
 * mode and width: nothing crashes (run under ASan), no control byte gets
 * out, no line ends in a blank. */
static void test_ladder_stress(void **state)
{
    (void)state;
    enum { MAXM = 40 };
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    static char text[MAXM][2][64];
    static char cid[64], ua[64];
    cor_msg m[MAXM];
    rep_alias al[2];
    memset(al, 0, sizeof al);
    al[0].addr = _v4(10, 0, 0, 1, 0);
    snprintf(al[0].name, sizeof al[0].name, "\x1B[31mgw\xFF");
    al[1].addr = _v4(10, 0, 0, 2, 5060);
    memset(al[1].name, 'A', sizeof al[1].name); /* not NUL-terminated */

    for (int it = 0; it < 300; it++) {
        size_t n = _rnd(&x) % MAXM, neps = _rnd(&x) % 20 + 1;
        int64_t t = (int64_t)(_rnd(&x) % 100000000000ULL) - 50000000000LL;
        for (size_t i = 0; i < n; i++) {
            ss_addr a = _v4(10, 0, 0, (uint8_t)(_rnd(&x) % neps), (uint16_t)(5060 + _rnd(&x) % 2));
            ss_addr b = _v4(10, 0, 0, (uint8_t)(_rnd(&x) % neps), 5060);
            if (_rnd(&x) % 7 == 0) {
                a.family = 6;
                a.ip[15] = a.ip[3];
                a.ip[3] = 0;
            }
            _rnd_text(&x, text[i][0], sizeof text[i][0]);
            _rnd_text(&x, text[i][1], sizeof text[i][1]);
            t += (int64_t)(_rnd(&x) % 3000000) - 100000;
            if (_rnd(&x) % 2)
                m[i] = _req(t, a, b, text[i][0], (int)(_rnd(&x) % 2));
            else
                m[i] = _resp(t, a, b, (unsigned)(_rnd(&x) % 1000), text[i][1], (int)(_rnd(&x) % 2));
        }
        cor_record r = _rec(m, n);
        _rnd_text(&x, cid, sizeof cid);
        _rnd_text(&x, ua, sizeof ua);
        r.call_id = cid;
        r.user_agent = ua;
        r.final_reason = text[0][1];
        r.final_status = (uint16_t)(_rnd(&x) % 700);
        r.msgs_dropped = _rnd(&x) % 3;
        r.setup_ms = (int64_t)(_rnd(&x) % 5000) - 1;
        rep_ladder_opts o = _opts((unsigned)(_rnd(&x) % 300), (int)(_rnd(&x) % 2), (int)(_rnd(&x) % 2));
        if (_rnd(&x) % 2) {
            o.aliases = al;
            o.naliases = 2;
        }
        char *s = _render(&r, &o);
        _assert_no_controls(s, o.color);
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_term_clean_table),
        cmocka_unit_test(test_term_clean_bounds),
        cmocka_unit_test(test_utf8_clean_table),
        cmocka_unit_test(test_display_width),
        cmocka_unit_test(test_ladder_simple_ascii),
        cmocka_unit_test(test_ladder_simple_utf8),
        cmocka_unit_test(test_ladder_deterministic),
        cmocka_unit_test(test_ladder_directions),
        cmocka_unit_test(test_ladder_three_endpoints),
        cmocka_unit_test(test_ladder_retrans),
        cmocka_unit_test(test_ladder_aliases),
        cmocka_unit_test(test_ladder_hostile_text),
        cmocka_unit_test(test_ladder_missing_fields),
        cmocka_unit_test(test_ladder_color),
        cmocka_unit_test(test_ladder_utf8_glyphs),
        cmocka_unit_test(test_ladder_narrow_truncates),
        cmocka_unit_test(test_ladder_many_endpoints),
        cmocka_unit_test(test_ladder_ipv6_stagger),
        cmocka_unit_test(test_ladder_empty_and_dropped),
        cmocka_unit_test(test_ladder_self_loop_and_times),
        cmocka_unit_test(test_ladder_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
