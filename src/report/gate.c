/* gate.c - `--fail-if EXPR`: one comparison over the report's tail JSON.
 *
 *   EXPR   := PATH OP NUMBER
 *   PATH   := NAME ( '.' SEGMENT )*          e.g. stats.responses.408
 *   OP     := '<' | '<=' | '>' | '>=' | '==' | '!='
 *   NUMBER := [+-] digits [ '.' digits ] [ (e|E) [+-] digits ] [ '%' ]
 *
 * The language is deliberately this small (no and/or; repeat --fail-if
 * instead) and the full reference with every alias is docs/gating.md.
 * Short names are rewritten at parse time into a full path below `tail`
 * ({"summary", "stats", "anomalies"}), so a misspelt name is a usage error
 * before any capture is read. Counter maps (stats.responses, .requests,
 * .classes, .calls, ...) only list what occurred, so a missing member of
 * one of them is 0; anything else that is missing or null is an error at
 * evaluation time: a gate over data that is not there must not pass
 * silently. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "outputs.h"

#define GATE_MAX_SEGS 8
#define GATE_MAX_PATH 256

typedef enum _op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE } _op;

static const char *const _op_text[] = {"<", "<=", ">", ">=", "==", "!="};

struct rep_gate {
    char *text;                 /* expression as given */
    char path[GATE_MAX_PATH + 32]; /* resolved, dotted: the name plus a prefix */
    char *seg[GATE_MAX_SEGS];      /* into segbuf */
    size_t nseg;
    char segbuf[GATE_MAX_PATH + 32];
    int zero_default;           /* missing member of a counter map reads 0 */
    _op op;
    double num;
};

/* Counter maps under stats: a member exists only when non-zero. */
static const char *const _counter_maps[] = {
    "requests", "responses", "classes", "request_retransmissions", "response_retransmissions",
    "final_by_method", "calls", "dialogs_by_kind",
};

/* Writes "--fail-if 'EXPR': MESSAGE" into err, the expression made safe for
 * a terminal and cut. */
__attribute__((format(printf, 4, 5))) static void _fail(char *err, size_t errlen, const char *expr,
                                                         const char *fmt, ...)
{
    char clean[160], msg[384];
    va_list ap;
    rep_term_clean(expr, strlen(expr), 1, clean, sizeof clean);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (err && errlen)
        snprintf(err, errlen, "--fail-if '%s': %s", clean, msg);
}

/* A token for a message ("end of expression" at the end), cut short. */
static void _tok_text(const char *p, char *buf, size_t n)
{
    if (*p == '\0') {
        snprintf(buf, n, "end of expression");
        return;
    }
    size_t l = 0;
    while (p[l] && !isspace((unsigned char)p[l]) && l < 24)
        l++;
    char raw[32];
    snprintf(raw, sizeof raw, "'%.*s'", (int)l, p);
    rep_term_clean(raw, strlen(raw), 1, buf, n);
}

static int _is_path_char(int c) { return isalnum(c) || c == '_' || c == '-' || c == '.'; }

/* Rewrites a short name into its place in tail; sets *zero when a missing
 * member reads 0. Returns 0, or -1 when the first segment is unknown. */
static int _resolve(const char *in, char *out, size_t n, int *zero)
{
    const char *dot = strchr(in, '.');
    size_t head = dot ? (size_t)(dot - in) : strlen(in);
    const char *rest = dot ? dot + 1 : NULL;

    *zero = 0;
#define HEAD_IS(s) (head == strlen(s) && strncmp(in, (s), head) == 0)
    if (HEAD_IS("summary") || HEAD_IS("anomalies")) {
        snprintf(out, n, "%s", in);
    } else if (HEAD_IS("stats")) {
        snprintf(out, n, "%s", in);
        for (size_t i = 0; rest && i < sizeof _counter_maps / sizeof _counter_maps[0]; i++) {
            size_t l = strlen(_counter_maps[i]);
            if (strncmp(rest, _counter_maps[i], l) == 0 && rest[l] == '.' &&
                strcmp(rest, "calls.asr") != 0)
                *zero = 1;
        }
    } else if (HEAD_IS("asr") && !rest) {
        snprintf(out, n, "stats.calls.asr");
    } else if (HEAD_IS("retransmissions") && !rest) {
        snprintf(out, n, "summary.retransmissions");
    } else if (HEAD_IS("malformed") && !rest) {
        snprintf(out, n, "summary.malformed");
    } else if (HEAD_IS("responses") && rest) {
        /* "5xx" is a class, anything else a code */
        size_t l = strlen(rest);
        if (l == 3 && rest[0] >= '1' && rest[0] <= '6' && (rest[1] == 'x' || rest[1] == 'X') &&
            (rest[2] == 'x' || rest[2] == 'X'))
            snprintf(out, n, "stats.classes.%cxx", rest[0]);
        else
            snprintf(out, n, "stats.responses.%s", rest);
        *zero = 1;
    } else if ((HEAD_IS("requests") || HEAD_IS("classes") || HEAD_IS("final_by_method") ||
                HEAD_IS("dialogs_by_kind")) && rest) {
        snprintf(out, n, "stats.%s", in);
        *zero = 1;
    } else if (HEAD_IS("calls") && rest) {
        snprintf(out, n, "stats.%s", in);
        *zero = strcmp(rest, "asr") != 0;
    } else if ((HEAD_IS("setup_ms") || HEAD_IS("pdd_ms") || HEAD_IS("duration_ms") || HEAD_IS("response_ms")) &&
               rest) {
        snprintf(out, n, "stats.%s", in);
    } else {
        return -1;
    }
#undef HEAD_IS
    return 0;
}

/* See outputs.h. */
int rep_gate_parse(rep_gate **out, const char *expr, char *err, size_t errlen)
{
    char tok[64], name[GATE_MAX_PATH];
    const char *p = expr;
    rep_gate *g;

    *out = NULL;
    if (expr == NULL)
        expr = p = "";
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0') {
        _fail(err, errlen, expr, "empty expression; expected PATH OP NUMBER, e.g. 'asr < 0.95'");
        return -1;
    }
    if (!isalpha((unsigned char)*p)) {
        _tok_text(p, tok, sizeof tok);
        _fail(err, errlen, expr, "expected a name such as asr or responses.5xx, got %s", tok);
        return -1;
    }
    const char *b = p;
    while (_is_path_char((unsigned char)*p))
        p++;
    size_t plen = (size_t)(p - b);
    if (plen >= sizeof name) {
        _fail(err, errlen, expr, "name too long");
        return -1;
    }
    memcpy(name, b, plen);
    name[plen] = '\0';
    if (name[plen - 1] == '.' || strstr(name, "..") != NULL) {
        _fail(err, errlen, expr, "empty segment in '%s'", name);
        return -1;
    }

    g = calloc(1, sizeof *g);
    if (g == NULL || (g->text = strdup(expr)) == NULL) {
        free(g);
        if (err && errlen)
            snprintf(err, errlen, "--fail-if: out of memory");
        return -1;
    }
    if (_resolve(name, g->path, sizeof g->path, &g->zero_default) < 0) {
        _fail(err, errlen, expr,
              "unknown name '%s' (use asr, responses.NNN, responses.5xx, calls.OUTCOME, setup_ms.p95, "
              "response_ms.METHOD.p95, retransmissions, malformed, or a path under summary, stats or "
              "anomalies)",
              name);
        goto fail;
    }
    /* split the resolved path */
    snprintf(g->segbuf, sizeof g->segbuf, "%s", g->path);
    for (char *s = g->segbuf, *save = NULL, *t; (t = strtok_r(s, ".", &save)) != NULL; s = NULL) {
        if (g->nseg == GATE_MAX_SEGS) {
            _fail(err, errlen, expr, "path '%s' is too deep", name);
            goto fail;
        }
        g->seg[g->nseg++] = t;
    }

    while (isspace((unsigned char)*p))
        p++;
    if (p[0] == '<' || p[0] == '>') {
        g->op = p[0] == '<' ? (p[1] == '=' ? OP_LE : OP_LT) : (p[1] == '=' ? OP_GE : OP_GT);
        p += p[1] == '=' ? 2 : 1;
    } else if (p[0] == '=' && p[1] == '=') {
        g->op = OP_EQ;
        p += 2;
    } else if (p[0] == '!' && p[1] == '=') {
        g->op = OP_NE;
        p += 2;
    } else if (p[0] == '=') {
        _fail(err, errlen, expr, "'=' is not an operator; did you mean '=='?");
        goto fail;
    } else {
        _tok_text(p, tok, sizeof tok);
        _fail(err, errlen, expr, "expected one of < <= > >= == != after '%s', got %s", name, tok);
        goto fail;
    }

    while (isspace((unsigned char)*p))
        p++;
    /* NUMBER, scanned by hand so strtod's extras (inf, nan, hex) are out */
    const char *n0 = p;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1]))) {
        _fail(err, errlen, expr, "expected a number after '%s'", _op_text[g->op]);
        goto fail;
    }
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if ((*p == 'e' || *p == 'E') &&
        (isdigit((unsigned char)p[1]) || ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
        p += 2;
        while (isdigit((unsigned char)*p))
            p++;
    }
    char num[64];
    if ((size_t)(p - n0) >= sizeof num) {
        _fail(err, errlen, expr, "number too long");
        goto fail;
    }
    memcpy(num, n0, (size_t)(p - n0));
    num[p - n0] = '\0';
    errno = 0;
    g->num = strtod(num, NULL);
    if (errno == ERANGE) {
        _fail(err, errlen, expr, "number '%s' out of range", num);
        goto fail;
    }
    if (*p == '%') {
        g->num /= 100.0;
        p++;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '\0') {
        _tok_text(p, tok, sizeof tok);
        _fail(err, errlen, expr, "unexpected %s after the number (one comparison per --fail-if; "
                                 "and/or are not supported, repeat --fail-if instead)",
              tok);
        goto fail;
    }
    *out = g;
    return 0;
fail:
    rep_gate_free(g);
    return -1;
}

/* See outputs.h. */
int rep_gate_eval(const rep_gate *g, json_object *tail, double *value, char *err, size_t errlen)
{
    json_object *o = tail;
    double v;

    if (g == NULL || tail == NULL) {
        if (err && errlen)
            snprintf(err, errlen, "--fail-if: no report to evaluate");
        return -1;
    }
    int missing = 0;
    for (size_t i = 0; i < g->nseg && !missing; i++) {
        json_object *next = NULL;
        if (json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, g->seg[i], &next)) {
            o = next;
            if (o == NULL && i + 1 < g->nseg) {
                _fail(err, errlen, g->text, "%s is null in the report", g->path);
                return -1;
            }
        } else if (g->zero_default && i >= 2 && json_object_is_type(o, json_type_object)) {
            /* below stats.<counter map>: nothing of that was counted */
            missing = 1;
        } else {
            _fail(err, errlen, g->text, "%s is not in the report (see docs/gating.md)", g->path);
            return -1;
        }
    }
    if (missing) {
        v = 0;
    } else if (o == NULL) {
        _fail(err, errlen, g->text, "%s is null in the report (e.g. asr with no calls): nothing to compare",
              g->path);
        return -1;
    } else if (json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)) {
        v = json_object_get_double(o);
    } else if (json_object_is_type(o, json_type_boolean)) {
        v = json_object_get_boolean(o) ? 1 : 0;
    } else {
        _fail(err, errlen, g->text, "%s is %s in the report, not a number", g->path,
              json_object_is_type(o, json_type_object) ? "an object" : "not numeric");
        return -1;
    }
    if (value)
        *value = v;
    switch (g->op) {
    case OP_LT: return v < g->num;
    case OP_LE: return v <= g->num;
    case OP_GT: return v > g->num;
    case OP_GE: return v >= g->num;
    case OP_EQ: return v == g->num;
    case OP_NE: return v != g->num;
    }
    return -1;
}

void rep_gate_free(rep_gate *g)
{
    if (g == NULL)
        return;
    free(g->text);
    free(g);
}

const char *rep_gate_text(const rep_gate *g) { return g ? g->text : ""; }
