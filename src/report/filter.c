/* filter.c - --filter: which finished records the pictures and the JSON
 * dialogs show.
 *
 * An expression is NAME=VALUE:
 *   kind=call,registration,...   record kind (cor_kind_name), any of a list
 *   user=TEXT                    TEXT inside the From or To URI (any case):
 *                                a user part, a host or a whole AOR
 *   code=486,4xx,none            final status: a code, a class, or none
 *   from=TIME  to=TIME           the record's first message at or after
 *                                from, before to; TIME is ISO 8601 UTC
 *                                (2026-11-21T17:35:30[.5][Z]) or seconds
 *                                after the first SIP message (12, 12.5)
 * Several expressions must all hold. Statistics are not filtered: the
 * filter picks records to draw and list, it does not change what counted. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_int.h"

static const char *_trim(const char *s, size_t *len)
{
    while (*len && isspace((unsigned char)*s)) {
        s++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)s[*len - 1]))
        (*len)--;
    return s;
}

/* Seconds (with fraction) as microseconds: "12", "12.5". -1 if not one. */
static int _parse_seconds(const char *s, int64_t *us)
{
    if (!isdigit((unsigned char)*s))
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0' || v < 0 || v > 1e12)
        return -1;
    *us = (int64_t)(v * 1e6 + 0.5);
    return 0;
}

/* "2026-11-21T17:35:30", optional ".fraction", optional "Z". */
static int _parse_iso(const char *s, int64_t *us)
{
    int y, mo, d, h, mi, se, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    const char *p = s + n;
    int64_t frac = 0;
    if (*p == '.') {
        int64_t scale = 100000;
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        for (; isdigit((unsigned char)*p); p++) {
            frac += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0')
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    *us = (int64_t)timegm(&tm) * 1000000 + frac;
    return 0;
}

static int _kind_from(const char *name, size_t len)
{
    for (int k = 0; k < COR_KIND__COUNT; k++) {
        const char *kn = cor_kind_name((cor_kind)k);
        if (strlen(kn) == len && strncmp(kn, name, len) == 0)
            return k;
    }
    return -1;
}

/* One code item: "486", "4xx", "none". */
static int _code_item(rep_filter *f, const char *s, size_t len)
{
    if (len == 4 && strncmp(s, "none", 4) == 0) {
        f->code_none = 1;
        return 0;
    }
    if (len == 3 && s[0] >= '1' && s[0] <= '6' && (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X')) {
        f->code_class |= 1u << (s[0] - '0');
        return 0;
    }
    if (len == 3 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2])) {
        int c = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
        if (c < 100 || c > 699)
            return -1;
        if (f->ncodes == REP_FILTER_CODES)
            return -1;
        f->codes[f->ncodes++] = (uint16_t)c;
        return 0;
    }
    return -1;
}

/* The expression for an error message: control bytes (it is echoed to a
 * terminal) become '?', and it is cut at 64 bytes. */
static const char *_shown(const char *expr, char *buf, size_t n)
{
    size_t i = 0;
    for (; expr[i] && i + 1 < n && i < 64; i++) {
        unsigned char c = (unsigned char)expr[i];
        buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    buf[i] = '\0';
    return buf;
}

int rep_filter_parse(rep_filter *f, const char *raw, char *err, size_t errlen)
{
    char shown[80];
    const char *expr = _shown(raw, shown, sizeof shown);
    memset(f, 0, sizeof *f);
    if (strlen(raw) >= sizeof f->text) {
        snprintf(err, errlen, "--filter '%s...': longer than %zu bytes", expr, sizeof f->text - 1);
        return -1;
    }
    for (const char *p = raw; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            snprintf(err, errlen, "--filter '%s': control character in the expression", expr);
            return -1;
        }
    snprintf(f->text, sizeof f->text, "%s", raw);
    const char *eq = strchr(raw, '=');
    if (eq == NULL) {
        snprintf(err, errlen, "--filter '%s': expected NAME=VALUE (kind, user, code, from, to)", expr);
        return -1;
    }
    size_t nl = (size_t)(eq - raw), vl = strlen(eq + 1);
    const char *name = _trim(raw, &nl), *val = _trim(eq + 1, &vl);
    char v[sizeof f->text];
    if (vl == 0 || vl >= sizeof v) {
        snprintf(err, errlen, "--filter '%s': %s value", expr, vl ? "too long a" : "empty");
        return -1;
    }
    memcpy(v, val, vl);
    v[vl] = '\0';

#define _IS(s) (nl == sizeof(s) - 1 && strncmp(name, s, nl) == 0)
    if (_IS("kind")) {
        f->what = REP_FILTER_KIND;
        for (const char *p = v; *p;) {
            size_t n = strcspn(p, ",");
            size_t tl = n;
            const char *t = _trim(p, &tl);
            int k = _kind_from(t, tl);
            if (k < 0) {
                snprintf(err, errlen,
                         "--filter '%s': unknown kind '%.*s' (call, registration, subscription, message, "
                         "options, publish, service, refer, other)",
                         expr, (int)tl, t);
                return -1;
            }
            f->kinds |= 1u << k;
            p += n + (p[n] == ',');
        }
    } else if (_IS("user")) {
        f->what = REP_FILTER_USER;
        snprintf(f->user, sizeof f->user, "%s", v);
    } else if (_IS("code")) {
        f->what = REP_FILTER_CODE;
        for (const char *p = v; *p;) {
            size_t n = strcspn(p, ",");
            size_t tl = n;
            const char *t = _trim(p, &tl);
            if (_code_item(f, t, tl) != 0) {
                snprintf(err, errlen, "--filter '%s': bad code '%.*s' (a code 100-699, a class like 4xx, "
                                      "or none)",
                         expr, (int)tl, t);
                return -1;
            }
            p += n + (p[n] == ',');
        }
    } else if (_IS("from") || _IS("to")) {
        f->what = _IS("from") ? REP_FILTER_FROM : REP_FILTER_TO;
        if (_parse_iso(v, &f->time_us) == 0) {
            f->absolute = 1;
        } else if (_parse_seconds(v, &f->time_us) != 0) {
            snprintf(err, errlen, "--filter '%s': bad time '%s' (ISO 8601 UTC like 2026-11-21T17:35:30Z, "
                                  "or seconds after the first SIP message)",
                     expr, v);
            return -1;
        }
    } else {
        snprintf(err, errlen, "--filter '%s': unknown name '%.*s' (kind, user, code, from, to)", expr, (int)nl,
                 name);
        return -1;
    }
#undef _IS
    return 0;
}

static int _icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return 1;
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

static int _match_one(const rep_filter *f, const cor_record *rec, int64_t origin_us)
{
    switch (f->what) {
    case REP_FILTER_KIND:
        return (f->kinds >> rec->kind) & 1u;
    case REP_FILTER_USER:
        return _icontains(rec->from, f->user) || _icontains(rec->to, f->user);
    case REP_FILTER_CODE: {
        uint16_t c = rec->final_status;
        if (c == 0)
            return f->code_none;
        if ((f->code_class >> (c / 100)) & 1u)
            return 1;
        for (size_t i = 0; i < f->ncodes; i++)
            if (f->codes[i] == c)
                return 1;
        return 0;
    }
    case REP_FILTER_FROM:
    case REP_FILTER_TO: {
        int64_t t = f->absolute ? f->time_us : origin_us + f->time_us;
        return f->what == REP_FILTER_FROM ? rec->first_us >= t : rec->first_us < t;
    }
    }
    return 0;
}

int rep_filter_match(const rep_filter *f, size_t n, const cor_record *rec, int64_t origin_us)
{
    for (size_t i = 0; i < n; i++)
        if (!_match_one(&f[i], rec, origin_us))
            return 0;
    return 1;
}

int rep_filter_check(const char *expr, char *err, size_t errlen)
{
    rep_filter f;
    return rep_filter_parse(&f, expr, err, errlen);
}
