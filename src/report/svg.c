/* svg.c - SVG ladder diagrams, and the helpers every file output shares
 * (wire text cleaning, XML escaping, endpoint columns).
 *
 * The model is the terminal ladder's (ladder.c): one column per endpoint
 * (ip:port or alias) in order of first appearance, one row per message, an
 * arrow between the two columns labelled with the method or "code reason",
 * time of day and delta in a left margin, retransmissions dashed. Colour
 * follows the class: requests blue, 1xx grey, 2xx green, 3xx purple,
 * 4xx-6xx red.
 *
 * Arrowheads are polygons rather than <marker> references: many ladders
 * share one HTML page, and ids would collide between them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detail_int.h"
#include "outputs.h"

#define SVG_MARGIN 160    /* left margin: time of day and delta */
#define SVG_COL_MIN 170   /* px between two lifelines */
#define SVG_COL_MAX 360
#define SVG_TOP 56        /* first arrow row */
#define SVG_ROW 30        /* px per message */
#define SVG_LABEL_MAX 56  /* code points on an arrow; the full text is in <title> */
#define SVG_CHAR_PX 7     /* average width of a 12 px sans-serif character */

/* ---- shared helpers ---- */

/* Code point at p (valid UTF-8, as rep_utf8_clean guarantees) and its
 * length in *len. */
static uint32_t _cp(const unsigned char *p, size_t *len)
{
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    if (p[0] < 0xE0 && p[1]) {
        *len = 2;
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if (p[0] < 0xF0 && p[1] && p[2]) {
        *len = 3;
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    if (p[1] && p[2] && p[3]) {
        *len = 4;
        return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
               ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    }
    *len = 1; /* cut sequence: cannot happen after rep_utf8_clean */
    return 0xFFFD;
}

/* Characters no output format should receive from the wire: controls
 * (XML 1.0 forbids most C0 outright, a newline would end a Mermaid or
 * PlantUML statement), the non-characters XML forbids, and the invisible
 * ones that reorder or hide text ("Trojan Source"). */
static int _cp_drop(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
           cp == 0xFFFE || cp == 0xFFFF;
}

/* See outputs.h. */
char *rep_out_clean(const char *wire)
{
    char *s = rep_utf8_clean(wire ? wire : "", wire ? strlen(wire) : 0);
    if (s == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; s[i];) {
        size_t k;
        uint32_t cp = _cp((const unsigned char *)s + i, &k);
        if (!_cp_drop(cp)) {
            memmove(s + o, s + i, k);
            o += k;
        }
        i += k;
    }
    s[o] = '\0';
    return s;
}

/* Escapes already-clean text for XML; one function so attribute values and
 * character data can never be escaped differently. */
static void _xml_clean_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break; /* "]]>" must not appear in character data */
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* See outputs.h. On ENOMEM writes nothing: losing a label beats writing
 * unescaped wire text. */
void rep_out_xml(FILE *out, const char *wire)
{
    char *s = rep_out_clean(wire);
    if (s == NULL)
        return;
    _xml_clean_text(out, s);
    free(s);
}

/* The alias naming a: an exact ip+port entry wins over an IP-only one
 * (port 0), as in ladder.c. */
static const rep_alias *_alias_for(const ss_addr *a, const rep_ladder_opts *o)
{
    const rep_alias *ip_only = NULL;
    size_t iplen = a->family == 4 ? 4 : 16;

    for (size_t i = 0; o && o->aliases && i < o->naliases; i++) {
        const rep_alias *al = &o->aliases[i];
        if (al->addr.family != a->family || memcmp(al->addr.ip, a->ip, iplen) != 0)
            continue;
        if (al->addr.port == a->port)
            return al;
        if (al->addr.port == 0 && ip_only == NULL)
            ip_only = al;
    }
    return ip_only;
}

/* Column of address a, adding one when it has none. Addresses under one
 * alias name share a column: naming an IP means "this box". */
static size_t _col(rep_cols *c, ss_addr *addrs, const rep_alias **als, const ss_addr *a,
                   const rep_ladder_opts *o)
{
    const rep_alias *al = _alias_for(a, o);
    for (size_t i = 0; i < c->n; i++) {
        if (al != NULL) {
            if (als[i] != NULL && strncmp(als[i]->name, al->name, sizeof al->name) == 0)
                return i;
        } else if (als[i] == NULL && ss_addr_cmp(&addrs[i], a) == 0) {
            return i;
        }
    }
    size_t i = c->n++;
    addrs[i] = *a;
    als[i] = al;
    if (al != NULL)
        snprintf(c->label[i], sizeof c->label[i], "%.*s", (int)sizeof al->name, al->name);
    else
        ss_addr_format(a, c->label[i], sizeof c->label[i]);
    return i;
}

/* See outputs.h. */
int rep_cols_build(rep_cols *c, const cor_record *rec, const rep_ladder_opts *lo)
{
    size_t n = rec->msgs ? rec->nmsgs : 0;
    memset(c, 0, sizeof *c);
    if (n == 0)
        return 0;
    ss_addr *addrs = calloc(2 * n, sizeof *addrs);
    const rep_alias **als = calloc(2 * n, sizeof *als);
    c->label = calloc(2 * n, sizeof *c->label);
    c->src = calloc(n, sizeof *c->src);
    c->dst = calloc(n, sizeof *c->dst);
    if (addrs == NULL || als == NULL || c->label == NULL || c->src == NULL || c->dst == NULL) {
        free(addrs);
        free(als);
        rep_cols_free(c);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        c->src[i] = _col(c, addrs, als, &rec->msgs[i].src, lo);
        c->dst[i] = _col(c, addrs, als, &rec->msgs[i].dst, lo);
    }
    free(addrs);
    free(als);
    return 0;
}

void rep_cols_free(rep_cols *c)
{
    free(c->label);
    free(c->src);
    free(c->dst);
    memset(c, 0, sizeof *c);
}

/* See outputs.h. */
void rep_out_msg_label(const cor_msg *m, char *out, size_t outsz)
{
    if (m->is_request)
        snprintf(out, outsz, "%s", m->method_name && m->method_name[0] ? m->method_name : "?");
    else
        snprintf(out, outsz, "%u%s%s", m->status, m->reason && m->reason[0] ? " " : "",
                 m->reason ? m->reason : "");
}

/* See outputs.h. Floor division so times before 1970 do not print
 * negative fields. */
void rep_out_clock(int64_t ts_us, char *buf, size_t n)
{
    int64_t sec = ts_us / 1000000, us = ts_us % 1000000;
    if (us < 0) {
        us += 1000000;
        sec--;
    }
    int64_t day = sec % 86400;
    if (day < 0)
        day += 86400;
    snprintf(buf, n, "%02d:%02d:%02d.%03d", (int)(day / 3600), (int)(day / 60 % 60), (int)(day % 60),
             (int)(us / 1000));
}

/* See outputs.h. */
int rep_out_failed(const cor_record *rec)
{
    switch (rec->outcome) {
    case COR_OUT_BUSY:
    case COR_OUT_REJECTED:
    case COR_OUT_CANCELLED:
    case COR_OUT_REDIRECTED:
    case COR_OUT_FAILED:
    case COR_OUT_UNANSWERED:
    case COR_OUT_FAILURE:
    case COR_OUT_NO_RESPONSE:
        return 1;
    default:
        return 0;
    }
}

/* ---- SVG ---- */

/* CSS class and colour of a message's arrow. */
static const char *_cls(const cor_msg *m, const char **color)
{
    if (m->is_request) {
        *color = "#1f6feb";
        return "req";
    }
    if (m->status >= 100 && m->status < 200) {
        *color = "#6e7781";
        return "r1xx";
    }
    if (m->status >= 200 && m->status < 300) {
        *color = "#1a7f37";
        return "r2xx";
    }
    if (m->status >= 300 && m->status < 400) {
        *color = "#8250df";
        return "r3xx";
    }
    *color = "#cf222e";
    return "rerr";
}

/* Writes clean text cut to max code points (an ellipsis marks the cut). */
static void _xml_cut(FILE *out, const char *wire, size_t max)
{
    char *s = rep_out_clean(wire);
    if (s == NULL)
        return;
    size_t i = 0, cps = 0;
    while (s[i] && cps < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        cps++;
    }
    int cut = s[i] != '\0';
    s[i] = '\0';
    _xml_clean_text(out, s);
    if (cut)
        fputs("\xE2\x80\xA6", out);
    free(s);
}

static size_t _cp_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* See outputs.h. out or rec NULL does nothing; if memory runs out the SVG
 * holds the title and a note instead of the diagram. */
void rep_svg_ladder(FILE *out, const cor_record *rec, const rep_ladder_opts *lo, int standalone)
{
    rep_cols c;
    char label[1024], tm[32];
    size_t maxlab = 0;
    const cor_detail *dt = rec ? rec->detail : NULL;
    uint32_t note = 0;
    char ntext[600], nfirst[600];

    if (out == NULL || rec == NULL)
        return;
    size_t n = rec->msgs ? rec->nmsgs : 0;
    int ok = rep_cols_build(&c, rec, lo) == 0;
    if (!ok)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        rep_out_msg_label(&rec->msgs[i], label, sizeof label);
        size_t w = _cp_count(label);
        if (w > SVG_LABEL_MAX)
            w = SVG_LABEL_MAX;
        if (w + (rec->msgs[i].retransmission ? 10 : 0) > maxlab)
            maxlab = w + (rec->msgs[i].retransmission ? 10 : 0);
    }
    unsigned colw = (unsigned)(maxlab * SVG_CHAR_PX + 40);
    colw = colw < SVG_COL_MIN ? SVG_COL_MIN : (colw > SVG_COL_MAX ? SVG_COL_MAX : colw);
    size_t ncols = c.n ? c.n : 1;
    unsigned width = SVG_MARGIN + (unsigned)ncols * colw + 40;
    unsigned height = SVG_TOP + (unsigned)n * SVG_ROW + 30;
    if (width < 520)
        width = 520;

    if (standalone)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" role=\"img\" width=\"%u\" "
            "height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"sans-serif\" font-size=\"12\">\n",
            width, height, width, height);
    fputs("<title>Call-ID ", out);
    rep_out_xml(out, rec->call_id);
    fputs("</title>\n", out);
    fprintf(out, "<rect width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n", width, height);

    /* title line */
    fputs("<text class=\"title\" x=\"6\" y=\"16\" font-weight=\"bold\">", out);
    _xml_cut(out, rec->call_id, 80);
    fprintf(out, "  %s  %s", cor_kind_name(rec->kind), cor_outcome_name(rec->outcome));
    if (rec->final_status) {
        fprintf(out, " (%u ", rec->final_status);
        _xml_cut(out, rec->final_reason, 40);
        fputs(")", out);
    }
    if (rec->setup_ms >= 0)
        fprintf(out, "  setup %lld ms", (long long)rec->setup_ms);
    fputs("</text>\n", out);

    if (!ok)
        fputs("<text x=\"6\" y=\"40\">(ladder: out of memory)</text>\n", out);
    else if (n == 0)
        fputs("<text x=\"6\" y=\"40\">(no messages kept)</text>\n", out);

    /* endpoint headers and lifelines */
    for (size_t i = 0; i < c.n; i++) {
        unsigned x = SVG_MARGIN + (unsigned)i * colw + colw / 2;
        fprintf(out,
                "<g class=\"endpoint\"><rect x=\"%u\" y=\"24\" width=\"%u\" height=\"18\" rx=\"3\" "
                "fill=\"#f6f8fa\" stroke=\"#57606a\"/><text x=\"%u\" y=\"37\" text-anchor=\"middle\" "
                "font-weight=\"bold\">",
                x - (colw - 12) / 2, colw - 12, x);
        _xml_cut(out, c.label[i], (colw - 16) / SVG_CHAR_PX);
        fprintf(out, "</text><line x1=\"%u\" y1=\"42\" x2=\"%u\" y2=\"%u\" stroke=\"#8c959f\"/></g>\n", x,
                x, height - 10);
    }

    /* arrows */
    for (size_t i = 0; i < n; i++) {
        const cor_msg *m = &rec->msgs[i];
        const char *color;
        const char *cls = _cls(m, &color);
        unsigned y = SVG_TOP + (unsigned)i * SVG_ROW + 12;
        unsigned xa = SVG_MARGIN + (unsigned)c.src[i] * colw + colw / 2;
        unsigned xb = SVG_MARGIN + (unsigned)c.dst[i] * colw + colw / 2;
        const char *dash = m->retransmission ? " stroke-dasharray=\"5 3\"" : "";
        int64_t d = i ? m->ts_us - rec->msgs[i - 1].ts_us : 0;
        uint64_t ad = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

        rep_out_msg_label(m, label, sizeof label);
        rep_out_clock(m->ts_us, tm, sizeof tm);
        fprintf(out, "<g class=\"msg %s%s\"><title>", cls, m->retransmission ? " retrans" : "");
        rep_out_xml(out, label);
        fputs(m->retransmission ? " (retransmission)" : "", out);
        /* the message's notes (detail.h): all in the tooltip, the first
         * one in small type under the arrow, where the row has room */
        const char *first_note = NULL;
        while (dt && note < dt->nnotes && (dt->notes[note].msg <= i || dt->notes[note].msg == COR_TXN_NONE)) {
            const cor_note *nt = &dt->notes[note++];
            if (nt->msg != i)
                continue;
            fputs("\n", out);
            rep_out_xml(out, rep_note_text(rec, nt, ntext, sizeof ntext));
            if (first_note == NULL) {
                snprintf(nfirst, sizeof nfirst, "%s", ntext);
                first_note = nfirst;
            }
        }
        fputs("</title>", out);
        if (first_note) {
            unsigned span = xa > xb ? xa - xb : xb - xa;
            size_t room = (span > 60 ? span : 60) / 5;
            fprintf(out, "<text class=\"note\" x=\"%u\" y=\"%u\" font-size=\"9\" fill=\"#57606a\"%s>",
                    xa == xb ? xa + 36 : (xa + xb) / 2, y + 12, xa == xb ? "" : " text-anchor=\"middle\"");
            _xml_cut(out, first_note, room);
            fputs("</text>", out);
        }
        fprintf(out,
                "<text x=\"6\" y=\"%u\" font-family=\"monospace\" font-size=\"11\" fill=\"#57606a\">%s "
                "%c%llu.%03llus</text>",
                y + 4, tm, d < 0 ? '-' : '+', (unsigned long long)(ad / 1000000),
                (unsigned long long)(ad % 1000000 / 1000));
        if (xa == xb) { /* a message to itself: a loop on the lifeline */
            fprintf(out,
                    "<path d=\"M%u %u h30 v14 h-24\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s/>"
                    "<polygon points=\"%u,%u %u,%u %u,%u\" fill=\"%s\"/>"
                    "<text x=\"%u\" y=\"%u\" fill=\"%s\">",
                    xa, y - 7, color, dash, xa, y + 7, xa + 8, y + 3, xa + 8, y + 11, color, xa + 36, y + 4,
                    color);
        } else {
            int right = xb > xa;
            unsigned tip = xb, base = right ? xb - 9 : xb + 9;
            fprintf(out,
                    "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"%s\" stroke-width=\"1.5\"%s/>"
                    "<polygon points=\"%u,%u %u,%u %u,%u\" fill=\"%s\"/>"
                    "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\" fill=\"%s\">",
                    xa, y, base, y, color, dash, tip, y, base, y - 4, base, y + 4, color, (xa + xb) / 2, y - 4,
                    color);
        }
        _xml_cut(out, label, SVG_LABEL_MAX);
        if (m->retransmission)
            fputs(" (retrans)", out);
        fputs("</text></g>\n", out);
    }
    if (rec->msgs_dropped)
        fprintf(out, "<text x=\"6\" y=\"%u\">\xE2\x80\xA6 %llu more messages not kept</text>\n", height - 8,
                (unsigned long long)rec->msgs_dropped);
    fputs("</svg>\n", out);
    rep_cols_free(&c);
}

/* See outputs.h. */
json_object *rep_out_jget(json_object *o, const char *path)
{
    char key[64];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t l = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(key, sizeof key, "%.*s", (int)l, path);
        json_object *next = NULL;
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &next))
            return NULL;
        o = next;
        path += l + (dot != NULL);
    }
    return o;
}
