/* text.c - making wire text safe to print.
 *
 * Everything a SIP message carries (reason phrases, method tokens, Call-IDs,
 * User-Agent strings) is attacker-controlled. Printed raw to a terminal, an
 * ESC sequence can recolour, move the cursor, retitle the window or worse;
 * in JSON, invalid UTF-8 makes the whole document unparsable. These helpers
 * are the one place that turns wire bytes into text that is safe for each
 * destination. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipscope/report.h"

/* Length of the well-formed UTF-8 sequence at p (n bytes available), or 0
 * when p[0] does not start one. Follows Unicode table 3-7 exactly, so
 * overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF),
 * code points past U+10FFFF (F4 90.., F5..FF) and sequences cut short are
 * all ill-formed. The decoded code point goes to *cp. */
static size_t _utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
    size_t len;
    uint32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0; /* below is overlong */
        else if (c == 0xED)
            hi = 0x9F; /* above is a surrogate */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90; /* below is overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above is past U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    v = (v << 6) | (p[1] & 0x3Fu);
    for (size_t i = 2; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    *cp = v;
    return len;
}

/* Code points a terminal must not receive from the wire: C0 and DEL, C1
 * (U+009B is CSI on terminals that honour 8-bit controls), and the
 * invisible format characters that reorder or hide text - bidi embeddings,
 * overrides and isolates ("Trojan Source"), zero-width characters, the
 * line/paragraph separators and the BOM. */
static int _cp_unsafe(uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F)
        return 1;
    if (cp >= 0x80 && cp <= 0x9F)
        return 1;
    if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
        (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF)
        return 1;
    return 0;
}

/* Bytes taken by the escape sequence that starts with the ESC at p (n >= 1
 * bytes available), ECMA-48 framing: CSI (ESC [ params intermediates
 * final), the string controls OSC/DCS/SOS/PM/APC up to BEL or ST, or ESC,
 * intermediates and a final byte. A sequence left unfinished ends at the
 * first byte that cannot continue it; a string control without its
 * terminator takes only "ESC x", so the text after it still shows. */
static size_t _esc_len(const unsigned char *p, size_t n)
{
    size_t i;

    if (n < 2)
        return 1;
    if (p[1] == '[') {
        i = 2;
        while (i < n && p[i] >= 0x30 && p[i] <= 0x3F)
            i++;
        while (i < n && p[i] >= 0x20 && p[i] <= 0x2F)
            i++;
        if (i < n && p[i] >= 0x40 && p[i] <= 0x7E)
            i++;
        return i;
    }
    if (p[1] == ']' || p[1] == 'P' || p[1] == 'X' || p[1] == '^' || p[1] == '_') {
        for (i = 2; i < n; i++) {
            if (p[i] == 0x07)
                return i + 1;
            if (p[i] == 0x1B && i + 1 < n && p[i + 1] == '\\')
                return i + 2;
        }
        return 2;
    }
    i = 1;
    while (i < n && p[i] >= 0x20 && p[i] <= 0x2F)
        i++;
    if (i < n && p[i] >= 0x30 && p[i] <= 0x7E)
        i++;
    return i;
}

/* Copies wire text for a terminal (see report.h). One '?' stands for each
 * whole escape sequence, each unsafe code point and each byte of invalid
 * UTF-8; with utf8=0 every non-ASCII byte is a '?', so the output is pure
 * printable ASCII. Output stops early, on a character boundary, when out
 * is full. in may be NULL (len ignored). Returns the bytes written. */
size_t rep_term_clean(const char *in, size_t len, int utf8, char *out, size_t outsz)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;

    if (outsz == 0)
        return 0;
    if (in == NULL)
        len = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t k, nq = 1; /* bytes consumed, '?' to write */
        int copy = 0;

        if (p[i] == 0x1B) {
            k = _esc_len(p + i, len - i);
        } else if ((k = _utf8_seq(p + i, len - i, &cp)) == 0) {
            k = 1;
        } else if (!utf8 && cp >= 0x80) {
            nq = k; /* the contract: one '?' per non-ASCII byte */
        } else if (!_cp_unsafe(cp)) {
            copy = 1;
        }
        size_t need = copy ? k : nq;
        if (need > outsz - 1 - o)
            break;
        if (copy)
            memcpy(out + o, p + i, k);
        else
            memset(out + o, '?', nq);
        o += need;
        i += k;
    }
    out[o] = '\0';
    return o;
}

/* Copies wire text into valid UTF-8 (see report.h). A NUL byte inside
 * len is written as "\x00" too, since the result is a C string and would
 * otherwise end there. Valid control characters are kept: the JSON writer
 * escapes them. Returns a malloc'd string, or NULL on ENOMEM. */
char *rep_utf8_clean(const char *in, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)in;

    if (in == NULL)
        len = 0;
    if (len > (SIZE_MAX - 1) / 4)
        return NULL;
    char *out = malloc(len * 4 + 1); /* worst case: every byte -> \xNN */
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = _utf8_seq(p + i, len - i, &cp);
        if (k == 0 || p[i] == 0) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[p[i] >> 4];
            out[o++] = hex[p[i] & 0x0F];
            i++;
        } else {
            memcpy(out + o, p + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    return out;
}

/* Columns a cleaned string takes: one per code point, i.e. every byte that
 * is not a UTF-8 continuation byte. Wide (CJK) and combining characters
 * are not special-cased; that would need locale tables and would make the
 * output depend on the machine. NULL counts as 0. */
size_t rep_display_width(const char *s)
{
    size_t w = 0;

    if (s == NULL)
        return 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}
