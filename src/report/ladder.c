/* ladder.c - terminal ladder (sequence) diagrams, one per record.
 *
 * Layout, left to right: a margin with the time of day and the delta from
 * the previous message, then one vertical line per endpoint. Every message
 * is an arrow between two lines, labelled in its middle:
 *
 *   Call-ID a84b4c76e66710  call  answered (200 OK)  setup 12 ms  5 msgs
 *                          10.0.0.1:5060       10.0.0.2:5060
 *                                |                   |
 *   10:00:00.000  +0.000s        |----- INVITE ----->|
 *   10:00:00.001  +0.001s        |<--- 100 Trying ---|
 *
 * Each row is drawn on a canvas of cells (one glyph of up to 4 UTF-8 bytes
 * plus a colour attribute each) and written out with trailing blanks
 * trimmed, so the output depends only on the record and the options: golden
 * tests diff it byte for byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "detail_int.h"
#include "sipscope/report.h"

#define LAD_DEFAULT_WIDTH 100
#define LAD_MIN_WIDTH 40
#define LAD_MIN_SPACING 18 /* columns between two lines: room for "180 Ringing" */
#define LAD_MAX_SPACING 48 /* wider arrows read worse, not better */
#define LAD_TEXT 600       /* bytes for one cleaned label */

/* Colour classes of a cell; LAD_DIM and LAD_BOLD are added on top. */
enum {
    LAD_PLAIN = 0,
    LAD_REQ,
    LAD_1XX,
    LAD_2XX,
    LAD_3XX,
    LAD_ERR,
    LAD_CLASS_MASK = 0x0F,
    LAD_DIM = 0x10,
    LAD_BOLD = 0x20,
};

typedef struct _glyphs {
    const char *vline, *top, *bottom; /* bottom NULL: no closing row */
    const char *line, *retrans;       /* arrow bodies */
    const char *rhead, *lhead;
    const char *tee_r, *tee_l;        /* source end of an arrow */
    const char *loop_top, *loop_bot;  /* corners of a self-loop */
    const char *ellipsis;
} _glyphs;

static const _glyphs _ascii = {"|", "|", NULL, "-", ".", ">", "<", "|", "|", ".", "'", "..."};
static const _glyphs _utf8 = {"│", "┬", "┴", "─", "┄", "►", "◄", "├", "┤", "┐", "┘", "…"};

typedef struct _cell {
    char g[4];
    uint8_t n;    /* bytes in g */
    uint8_t attr; /* LAD_* */
} _cell;

typedef struct _canvas {
    _cell *c;
    size_t w;
} _canvas;

typedef struct _endpoint {
    ss_addr addr;
    const rep_alias *alias; /* NULL: shown as ip:port */
    char label[80];         /* cleaned, possibly truncated */
} _endpoint;

/* Everything the rows need, fixed once per record. */
typedef struct _layout {
    const _glyphs *gl;
    int utf8, color;
    size_t width;  /* terminal columns asked for */
    size_t dw;     /* widest delta text */
    size_t x0;     /* cell of the first endpoint line */
    size_t s;      /* cells from one line to the next */
    size_t n;      /* endpoints */
    int stagger;   /* header labels alternate over two rows */
} _layout;

/* ---- text helpers ---- */

/* Cleans a NUL-terminated wire string (NULL is "") for the terminal and
 * drops blanks at both ends, since a trailing blank would break the
 * no-trailing-space promise of the output. */
static void _clean(const char *in, int utf8, char *out, size_t outsz)
{
    size_t n = rep_term_clean(in, in ? strlen(in) : 0, utf8, out, outsz);
    size_t b = 0;
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    while (out[b] == ' ')
        b++;
    if (b)
        memmove(out, out + b, n - b + 1);
}

/* Bytes of the code point starting at s (1 for a stray byte); never steps
 * over the terminating NUL. */
static size_t _cp_len(const char *s)
{
    size_t k = 1;
    while (k < 4 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k++;
    return k;
}

/* Copies the first maxw code points of s to out (outsz bytes), ending with
 * the ellipsis when s is wider than maxw. When even the ellipsis does not
 * fit, s is just cut. Returns the width written. */
static size_t _fit(const char *s, size_t maxw, const char *ellipsis, char *out, size_t outsz)
{
    size_t w = rep_display_width(s), ew = rep_display_width(ellipsis);
    size_t keep = w <= maxw ? w : (maxw > ew ? maxw - ew : maxw);
    int ell = w > maxw && maxw > ew;
    size_t o = 0, i = 0;

    if (outsz == 0)
        return 0;
    for (size_t c = 0; c < keep && s[i]; c++) {
        size_t k = _cp_len(s + i);
        if (o + k >= outsz)
            break;
        memcpy(out + o, s + i, k);
        o += k;
        i += k;
    }
    if (ell && o + strlen(ellipsis) < outsz) {
        memcpy(out + o, ellipsis, strlen(ellipsis));
        o += strlen(ellipsis);
    }
    out[o] = '\0';
    return rep_display_width(out);
}

/* ---- canvas ---- */

static void _cv_clear(_canvas *cv)
{
    for (size_t i = 0; i < cv->w; i++) {
        cv->c[i].g[0] = ' ';
        cv->c[i].n = 1;
        cv->c[i].attr = LAD_PLAIN;
    }
}

/* Puts one glyph (a single code point) at cell x; cells past the right
 * edge are dropped, not an error. */
static void _cv_put(_canvas *cv, size_t x, const char *g, uint8_t attr)
{
    if (x >= cv->w)
        return;
    size_t n = strlen(g);
    if (n > sizeof cv->c[x].g)
        n = sizeof cv->c[x].g;
    memcpy(cv->c[x].g, g, n);
    cv->c[x].n = (uint8_t)n;
    cv->c[x].attr = attr;
}

/* Writes cleaned UTF-8 text from cell x, one code point per cell. Returns
 * the cells used. */
static size_t _cv_text(_canvas *cv, size_t x, const char *s, uint8_t attr)
{
    size_t used = 0;
    while (*s) {
        size_t k = _cp_len(s);
        if (x + used < cv->w) {
            _cell *c = &cv->c[x + used];
            memcpy(c->g, s, k);
            c->n = (uint8_t)k;
            c->attr = attr;
        }
        used++;
        s += k;
    }
    return used;
}

static void _sgr(FILE *out, uint8_t attr)
{
    static const char *const fg[] = {"", ";36", ";33", ";32", ";35", ";31"};
    unsigned cls = attr & LAD_CLASS_MASK;

    if (attr == LAD_PLAIN) {
        fputs("\033[0m", out);
        return;
    }
    fprintf(out, "\033[0%s%s%sm", (attr & LAD_BOLD) ? ";1" : "", (attr & LAD_DIM) ? ";2" : "",
            cls < sizeof fg / sizeof fg[0] ? fg[cls] : "");
}

/* Writes the canvas as one line: trailing blanks dropped, colour changes
 * as SGR sequences only when color is set, reset before the newline. */
static void _cv_emit(FILE *out, const _canvas *cv, int color)
{
    size_t end = cv->w;
    uint8_t cur = LAD_PLAIN;

    while (end > 0 && cv->c[end - 1].n == 1 && cv->c[end - 1].g[0] == ' ')
        end--;
    for (size_t i = 0; i < end; i++) {
        const _cell *c = &cv->c[i];
        if (color && c->attr != cur) {
            _sgr(out, c->attr);
            cur = c->attr;
        }
        fwrite(c->g, 1, c->n, out);
    }
    if (color && cur != LAD_PLAIN)
        _sgr(out, LAD_PLAIN);
    fputc('\n', out);
}

/* ---- endpoints ---- */

/* The alias naming a: an exact ip+port entry wins over an IP-only one
 * (port 0), whatever their order on the command line. */
const rep_alias *rep_alias_for(const ss_addr *a, const rep_ladder_opts *o)
{
    const rep_alias *ip_only = NULL;
    size_t iplen = a->family == 4 ? 4 : 16;

    for (size_t i = 0; o->aliases && i < o->naliases; i++) {
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

/* Column of address a, or -1. Addresses under one alias name share a
 * column: naming an IP means "this box", whatever port it used. */
static long _col_find(const _endpoint *eps, size_t n, const ss_addr *a, const rep_alias *al)
{
    for (size_t i = 0; i < n; i++) {
        if (al != NULL) {
            if (eps[i].alias != NULL &&
                strncmp(eps[i].alias->name, al->name, sizeof al->name) == 0)
                return (long)i;
        } else if (eps[i].alias == NULL && ss_addr_cmp(&eps[i].addr, a) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static size_t _col_of(const _endpoint *eps, size_t n, const ss_addr *a, const rep_ladder_opts *o)
{
    long c = _col_find(eps, n, a, rep_alias_for(a, o));
    return c < 0 ? 0 : (size_t)c; /* every address was added up front */
}

/* Adds a as a new column unless it already has one. */
static void _col_add(_endpoint *eps, size_t *n, const ss_addr *a, const rep_ladder_opts *o)
{
    const rep_alias *al = rep_alias_for(a, o);

    if (_col_find(eps, *n, a, al) >= 0)
        return;
    _endpoint *e = &eps[(*n)++];
    e->addr = *a;
    e->alias = al;
    if (al != NULL) {
        char name[sizeof al->name + 1];
        memcpy(name, al->name, sizeof al->name);
        name[sizeof al->name] = '\0';
        _clean(name, o->utf8, e->label, sizeof e->label);
        if (e->label[0] == '\0')
            snprintf(e->label, sizeof e->label, "?");
    } else {
        ss_addr_format(a, e->label, sizeof e->label);
    }
}

/* ---- message text ---- */

/* The arrow label: method for a request, "code reason" for a response,
 * " (retrans)" after a retransmission. */
static void _msg_label(const cor_msg *m, int utf8, char *out, size_t outsz)
{
    char txt[LAD_TEXT];
    size_t o;

    if (m->is_request) {
        _clean(m->method_name, utf8, txt, sizeof txt);
        o = (size_t)snprintf(out, outsz, "%s", txt[0] ? txt : "?");
    } else {
        _clean(m->reason, utf8, txt, sizeof txt);
        o = (size_t)snprintf(out, outsz, "%u%s%s", m->status, txt[0] ? " " : "", txt);
    }
    if (m->retransmission && o < outsz)
        snprintf(out + o, outsz - o, " (retrans)");
}

static uint8_t _msg_attr(const cor_msg *m)
{
    uint8_t a;

    if (m->is_request)
        a = LAD_REQ;
    else if (m->status < 100)
        a = LAD_PLAIN;
    else if (m->status < 200)
        a = LAD_1XX;
    else if (m->status < 300)
        a = LAD_2XX;
    else if (m->status < 400)
        a = LAD_3XX;
    else
        a = LAD_ERR;
    return m->retransmission ? (uint8_t)(a | LAD_DIM) : a;
}

/* "HH:MM:SS.mmm" of a capture time, UTC; times before 1970 wrap the same
 * way (floor division) instead of printing negative fields. */
static void _fmt_time(int64_t ts_us, char *buf, size_t n)
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

/* "+1.234s" (or "-0.002s" when inputs merged out of order), truncated to
 * the millisecond. */
static void _fmt_delta(int64_t d_us, char *buf, size_t n)
{
    uint64_t a = d_us < 0 ? (uint64_t)0 - (uint64_t)d_us : (uint64_t)d_us;
    snprintf(buf, n, "%c%llu.%03llus", d_us < 0 ? '-' : '+', (unsigned long long)(a / 1000000),
             (unsigned long long)(a % 1000000 / 1000));
}

/* ---- layout ---- */

/* Header label i starts this many cells left of its line (centred). */
static size_t _hdr_left(size_t lw) { return lw ? (lw - 1) / 2 : 0; }

/* Whether the labels of lines i and j (j > i, lines dx cells apart) leave
 * at least two blanks between them. */
static int _hdr_clear(size_t lwi, size_t lwj, size_t dx)
{
    size_t right_i = lwi ? lwi - 1 - _hdr_left(lwi) : 0;
    return right_i + _hdr_left(lwj) + 3 <= dx;
}

/* Fixes spacing and header layout. Spacing is what the widest label needs,
 * at most LAD_MAX_SPACING, shrunk to fit o->width but never below
 * LAD_MIN_SPACING: with too many endpoints lines run long rather than
 * arrows becoming unreadable. Header labels that collide are staggered
 * over two rows; spacing grows until they fit there whole (the cut below
 * is only a safety net). */
static void _layout_make(_layout *L, _endpoint *eps, size_t n, size_t maxlabel)
{
    size_t maxhdr = 0, ideal, s;

    for (size_t i = 0; i < n; i++) {
        size_t w = rep_display_width(eps[i].label);
        if (w > maxhdr)
            maxhdr = w;
    }
    ideal = 24;
    if (maxlabel + 8 > ideal)
        ideal = maxlabel + 8;
    if (maxhdr + 3 > ideal)
        ideal = maxhdr + 3;
    if (ideal > LAD_MAX_SPACING)
        ideal = LAD_MAX_SPACING;

    size_t x0 = 16 + L->dw; /* time, 2 blanks, delta, 2 blanks */
    size_t rres = n ? rep_display_width(eps[n - 1].label) / 2 + 1 : 1;
    size_t avail = L->width > x0 + rres ? L->width - x0 - rres : 0;
    s = n > 1 ? avail / (n - 1) : avail;
    if (s > ideal)
        s = ideal;
    if (s < LAD_MIN_SPACING)
        s = LAD_MIN_SPACING;
    /* A cut address is useless: widen until staggered labels fit whole. */
    if (n > 1 && s < (maxhdr + 4) / 2)
        s = (maxhdr + 4) / 2;

    L->stagger = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (!_hdr_clear(rep_display_width(eps[i].label), rep_display_width(eps[i + 1].label), s))
            L->stagger = 1;
    if (L->stagger) {
        for (size_t i = 0; i < n; i++) {
            char tmp[sizeof eps[i].label];
            _fit(eps[i].label, 2 * s - 3, L->gl->ellipsis, tmp, sizeof tmp);
            memcpy(eps[i].label, tmp, sizeof tmp);
        }
    }
    if (n > 0 && _hdr_left(rep_display_width(eps[0].label)) > x0)
        x0 = _hdr_left(rep_display_width(eps[0].label));
    L->x0 = x0;
    L->s = s;
    L->n = n;
}

static size_t _line_x(const _layout *L, size_t col) { return L->x0 + col * L->s; }

/* Cells a row may use: up to the last line plus room right of it for the
 * last header label or a self-loop label. */
static size_t _canvas_width(const _layout *L, const _endpoint *eps)
{
    size_t last = L->n ? _line_x(L, L->n - 1) : L->x0;
    size_t right = L->s;
    size_t half = L->n ? rep_display_width(eps[L->n - 1].label) / 2 + 1 : 0;
    return last + (half > right ? half : right) + 1;
}

static void _draw_lines(_canvas *cv, const _layout *L, const char *g)
{
    for (size_t i = 0; i < L->n; i++)
        _cv_put(cv, _line_x(L, i), g, LAD_PLAIN);
}

static void _draw_header(FILE *out, _canvas *cv, const _layout *L, const _endpoint *eps)
{
    for (int row = 0; row < (L->stagger ? 2 : 1); row++) {
        _cv_clear(cv);
        for (size_t i = (size_t)row; i < L->n; i += L->stagger ? 2 : 1) {
            size_t x = _line_x(L, i), left = _hdr_left(rep_display_width(eps[i].label));
            _cv_text(cv, x > left ? x - left : 0, eps[i].label, LAD_BOLD);
        }
        _cv_emit(out, cv, L->color);
    }
    _cv_clear(cv);
    _draw_lines(cv, L, L->gl->top);
    _cv_emit(out, cv, L->color);
}

/* One message: an arrow between two lines, or a two-row loop when source
 * and destination share a line. */
static void _draw_msg(FILE *out, _canvas *cv, const _layout *L, const cor_msg *m, size_t a, size_t b,
                      int64_t prev_us)
{
    const _glyphs *gl = L->gl;
    char label[LAD_TEXT], fitted[LAD_TEXT], tm[32], dl[32], margin[96];
    uint8_t attr = _msg_attr(m);
    const char *body = m->retransmission ? gl->retrans : gl->line;

    _msg_label(m, L->utf8, label, sizeof label);
    _fmt_time(m->ts_us, tm, sizeof tm);
    _fmt_delta(m->ts_us - prev_us, dl, sizeof dl);
    snprintf(margin, sizeof margin, "%s  %*s", tm, (int)L->dw, dl); /* decimal points line up */

    _cv_clear(cv);
    _draw_lines(cv, L, gl->vline);
    _cv_text(cv, 0, margin, LAD_PLAIN);

    size_t xa = _line_x(L, a), xb = _line_x(L, b);
    if (a == b) {
        size_t room = a + 1 < L->n ? L->s : cv->w - xa;
        room = room > 6 ? room - 6 : 0;
        _fit(label, room, gl->ellipsis, fitted, sizeof fitted);
        if (L->utf8)
            _cv_put(cv, xa, gl->tee_r, attr);
        _cv_put(cv, xa + 1, body, attr);
        _cv_put(cv, xa + 2, body, attr);
        _cv_put(cv, xa + 3, gl->loop_top, attr);
        _cv_text(cv, xa + 5, fitted, attr);
        _cv_emit(out, cv, L->color);

        _cv_clear(cv);
        _draw_lines(cv, L, gl->vline);
        _cv_put(cv, xa + 1, gl->lhead, attr);
        _cv_put(cv, xa + 2, body, attr);
        _cv_put(cv, xa + 3, gl->loop_bot, attr);
        _cv_emit(out, cv, L->color);
        return;
    }

    size_t lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
    size_t len = hi - lo - 1; /* cells strictly between the two lines */
    for (size_t x = lo + 1; x < hi; x++)
        _cv_put(cv, x, body, attr);
    if (xa < xb) {
        _cv_put(cv, hi - 1, gl->rhead, attr);
        if (L->utf8)
            _cv_put(cv, lo, gl->tee_r, attr);
    } else {
        _cv_put(cv, lo + 1, gl->lhead, attr);
        if (L->utf8)
            _cv_put(cv, hi, gl->tee_l, attr);
    }
    /* Centre the label on the body without the head, so both sides show
     * the same run of line; keep a body cell and a blank on each side. */
    size_t lw = _fit(label, len > 6 ? len - 6 : 0, gl->ellipsis, fitted, sizeof fitted);
    if (lw > 0) {
        size_t start = (xa < xb ? lo + 1 : lo + 2) + (len - 1 - lw) / 2;
        _cv_put(cv, start - 1, " ", attr);
        _cv_text(cv, start, fitted, attr);
        _cv_put(cv, start + lw, " ", attr);
    }
    _cv_emit(out, cv, L->color);
}

/* Notes of message i (registration, subscription, SDP, ... detail.h) as
 * dim rows under its arrow, starting right of its leftmost line and
 * running up to the terminal width; *k walks the record's notes, which are
 * in message order. */
static void _draw_notes(FILE *out, _canvas *nv, const _layout *L, const cor_record *rec, size_t i, size_t a,
                        size_t b, uint32_t *k)
{
    const cor_detail *d = rec->detail;
    char text[LAD_TEXT], clean[LAD_TEXT], fitted[LAD_TEXT];
    while (d && *k < d->nnotes && (d->notes[*k].msg <= i || d->notes[*k].msg == COR_TXN_NONE)) {
        const cor_note *n = &d->notes[(*k)++];
        if (n->msg != i)
            continue;
        size_t x = _line_x(L, a < b ? a : b) + 2;
        _clean(rep_note_text(rec, n, text, sizeof text), L->utf8, clean, sizeof clean);
        _fit(clean, nv->w > x ? nv->w - x : 0, L->gl->ellipsis, fitted, sizeof fitted);
        _cv_clear(nv);
        _draw_lines(nv, L, L->gl->vline);
        _cv_text(nv, x, fitted, LAD_DIM);
        _cv_emit(out, nv, L->color);
    }
}

/* ---- the record ---- */

static void _print_title(FILE *out, const cor_record *rec, const _layout *L)
{
    char cid[1024], cidf[1024], reason[LAD_TEXT];
    const char *kind = cor_kind_name(rec->kind), *outc = cor_outcome_name(rec->outcome);
    uint64_t total = (uint64_t)rec->nmsgs + rec->msgs_dropped;

    _clean(rec->call_id, L->utf8, cid, sizeof cid);
    _fit(cid, 256, L->gl->ellipsis, cidf, sizeof cidf);
    if (L->color)
        fputs("\033[1m", out);
    fprintf(out, "Call-ID %s  %s  %s", cidf[0] ? cidf : "(none)", kind ? kind : "?", outc ? outc : "?");
    if (rec->final_status) {
        _clean(rec->final_reason, L->utf8, reason, sizeof reason);
        fprintf(out, " (%u%s%s)", rec->final_status, reason[0] ? " " : "", reason);
    }
    if (rec->setup_ms >= 0)
        fprintf(out, "  setup %lld ms", (long long)rec->setup_ms);
    if (rec->duration_ms >= 0)
        fprintf(out, "  duration %lld.%03lld s", (long long)(rec->duration_ms / 1000),
                (long long)(rec->duration_ms % 1000));
    fprintf(out, "  %llu msg%s", (unsigned long long)total, total == 1 ? "" : "s");
    if (rec->retransmissions)
        fprintf(out, "  %u retrans", rec->retransmissions);
    if (rec->evicted)
        fputs("  [evicted]", out);
    if (rec->at_stop)
        fputs("  [live at stop]", out);
    if (L->color)
        fputs("\033[0m", out);
    fputc('\n', out);

    /* Who called whom and with what, cut to the terminal width. */
    char from[LAD_TEXT], to[LAD_TEXT], ua[LAD_TEXT], line[3 * LAD_TEXT + 32], fitted[sizeof line];
    _clean(rec->from, L->utf8, from, sizeof from);
    _clean(rec->to, L->utf8, to, sizeof to);
    _clean(rec->user_agent, L->utf8, ua, sizeof ua);
    if (!from[0] && !to[0] && !ua[0])
        return;
    int o = 0;
    if (from[0] || to[0])
        o = snprintf(line, sizeof line, "  %s -> %s", from[0] ? from : "?", to[0] ? to : "?");
    if (ua[0] && o >= 0 && (size_t)o < sizeof line)
        snprintf(line + o, sizeof line - (size_t)o, "  UA: %s", ua);
    _fit(line, L->width, L->gl->ellipsis, fitted, sizeof fitted);
    fprintf(out, "%s\n", fitted);

    /* what the conversation did: binding, subscription, IM, transfer */
    char sum[LAD_TEXT];
    rep_detail_summary(rec, sum, sizeof sum);
    if (sum[0]) {
        _clean(sum, L->utf8, line, sizeof line);
        _fit(line, L->width > 2 ? L->width - 2 : 0, L->gl->ellipsis, fitted, sizeof fitted);
        fprintf(out, "  %s\n", fitted);
    }
}

/* Prints one record's ladder (see report.h). out or rec NULL does nothing;
 * o NULL means ASCII, no colour, 100 columns. If memory runs out, a line
 * says so instead of the diagram. */
void rep_ladder_print(FILE *out, const cor_record *rec, const rep_ladder_opts *o)
{
    static const rep_ladder_opts defaults = {LAD_DEFAULT_WIDTH, 0, 0, NULL, 0};
    _layout L;
    _endpoint *eps = NULL;
    _canvas cv = {NULL, 0}, nv = {NULL, 0};
    uint32_t note = 0;
    size_t n = 0, maxlabel = 0;
    char buf[LAD_TEXT];

    if (out == NULL || rec == NULL)
        return;
    if (o == NULL)
        o = &defaults;
    memset(&L, 0, sizeof L);
    L.utf8 = o->utf8 != 0;
    L.color = o->color != 0;
    L.gl = L.utf8 ? &_utf8 : &_ascii;
    L.width = o->width == 0 ? LAD_DEFAULT_WIDTH : (o->width < LAD_MIN_WIDTH ? LAD_MIN_WIDTH : o->width);

    _print_title(out, rec, &L);
    rep_links_print(out, rec, L.utf8); /* legs.c: Reason, related records */
    const cor_msg *msgs = rec->msgs;
    size_t nmsgs = msgs ? rec->nmsgs : 0;
    if (nmsgs == 0) {
        if (rec->msgs_dropped == 0)
            fputs("(no messages kept)\n", out);
        goto dropped;
    }

    eps = calloc(2 * nmsgs, sizeof *eps);
    if (eps == NULL)
        goto oom;
    for (size_t i = 0; i < nmsgs; i++) {
        _col_add(eps, &n, &msgs[i].src, o);
        _col_add(eps, &n, &msgs[i].dst, o);
        _msg_label(&msgs[i], L.utf8, buf, sizeof buf);
        size_t w = rep_display_width(buf);
        if (w > maxlabel)
            maxlabel = w;
        char dl[32];
        _fmt_delta(i ? msgs[i].ts_us - msgs[i - 1].ts_us : 0, dl, sizeof dl);
        if (strlen(dl) > L.dw)
            L.dw = strlen(dl);
    }
    _layout_make(&L, eps, n, maxlabel);

    cv.w = _canvas_width(&L, eps);
    cv.c = malloc(cv.w * sizeof *cv.c);
    nv.w = cv.w > L.width ? cv.w : L.width;
    nv.c = malloc(nv.w * sizeof *nv.c);
    if (cv.c == NULL || nv.c == NULL)
        goto oom;

    _draw_header(out, &cv, &L, eps);
    for (size_t i = 0; i < nmsgs; i++) {
        const cor_msg *m = &msgs[i];
        size_t a = _col_of(eps, n, &m->src, o), b = _col_of(eps, n, &m->dst, o);
        _draw_msg(out, &cv, &L, m, a, b, i ? msgs[i - 1].ts_us : m->ts_us);
        _draw_notes(out, &nv, &L, rec, i, a, b, &note);
    }
    if (L.gl->bottom) {
        _cv_clear(&cv);
        _draw_lines(&cv, &L, L.gl->bottom);
        _cv_emit(out, &cv, L.color);
    }
    rep_legs_print(out, rec, o, L.utf8); /* legs.c: one line per hop */

dropped:
    if (rec->msgs_dropped)
        fprintf(out, "%s %llu more message%s not kept\n", L.gl->ellipsis,
                (unsigned long long)rec->msgs_dropped, rec->msgs_dropped == 1 ? "" : "s");
    free(cv.c);
    free(nv.c);
    free(eps);
    return;
oom:
    fputs("(ladder: out of memory)\n", out);
    free(cv.c);
    free(nv.c);
    free(eps);
}
