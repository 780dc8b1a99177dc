/* test_filter.c - the --filter expression parser and matcher
 * (report/filter.c): every name, lists, classes, both time forms, the
 * AND of several expressions, and a one-line error for each bad form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/report/report_int.h"

/* 2026-11-21T17:35:30Z */
#define T_1735_30 (1795282530LL * 1000000)

static cor_record _rec(cor_kind k, const char *from, const char *to, uint16_t fs, int64_t first_us)
{
    cor_record r;
    memset(&r, 0, sizeof r);
    r.kind = k;
    r.from = from;
    r.to = to;
    r.final_status = fs;
    r.first_us = first_us;
    return r;
}

static rep_filter _ok(const char *expr)
{
    rep_filter f;
    char err[256] = "";
    int rc = rep_filter_parse(&f, expr, err, sizeof err);
    if (rc != 0)
        fail_msg("'%s' rejected: %s", expr, err);
    return f;
}

static void _bad(const char *expr, const char *want)
{
    rep_filter f;
    char err[256] = "";
    assert_int_equal(rep_filter_parse(&f, expr, err, sizeof err), -1);
    assert_null(strchr(err, '\n'));
    if (strstr(err, want) == NULL)
        fail_msg("'%s': error '%s' lacks '%s'", expr, err, want);
    assert_int_equal(rep_filter_check(expr, err, sizeof err), -1);
}

static void test_kind(void **state)
{
    rep_filter f = _ok("kind=call, registration");
    cor_record a = _rec(COR_KIND_CALL, "", "", 200, 0), b = _rec(COR_KIND_REGISTRATION, "", "", 200, 0),
               c = _rec(COR_KIND_OPTIONS, "", "", 200, 0);
    assert_int_equal(rep_filter_match(&f, 1, &a, 0), 1);
    assert_int_equal(rep_filter_match(&f, 1, &b, 0), 1);
    assert_int_equal(rep_filter_match(&f, 1, &c, 0), 0);
    f = _ok("kind=service");
    c.kind = COR_KIND_SERVICE;
    assert_int_equal(rep_filter_match(&f, 1, &c, 0), 1);
    assert_int_equal(rep_filter_match(&f, 1, &a, 0), 0);
}

static void test_user(void **state)
{
    rep_filter f = _ok("user=Alice");
    cor_record a = _rec(COR_KIND_CALL, "sip:alice@a.example", "sip:bob@b.example", 200, 0);
    cor_record b = _rec(COR_KIND_CALL, "sip:carol@c.example", "sip:ALICE@a.example:5060", 200, 0);
    cor_record c = _rec(COR_KIND_CALL, "sip:carol@c.example", "sip:bob@b.example", 200, 0);
    assert_int_equal(rep_filter_match(&f, 1, &a, 0), 1); /* From */
    assert_int_equal(rep_filter_match(&f, 1, &b, 0), 1); /* To, any case */
    assert_int_equal(rep_filter_match(&f, 1, &c, 0), 0);
    f = _ok("user=bob@b.example"); /* a whole AOR */
    assert_int_equal(rep_filter_match(&f, 1, &a, 0), 1);
    assert_int_equal(rep_filter_match(&f, 1, &b, 0), 0);
}

static void test_code(void **state)
{
    rep_filter f = _ok("code=4xx,503,none");
    cor_record r = _rec(COR_KIND_CALL, "", "", 486, 0);
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 1);
    r.final_status = 503;
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 1);
    r.final_status = 500;
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 0);
    r.final_status = 0;
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 1);
    r.final_status = 200;
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 0);
    f = _ok("code=200");
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 1);
    r.final_status = 0;
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 0);
}

static void test_time_window(void **state)
{
    /* offsets from origin 1000 s: from=2 .. to=5.5 is [1002, 1005.5) s */
    int64_t origin = 1000LL * 1000000;
    rep_filter w[2] = {_ok("from=2"), _ok("to=5.5")};
    cor_record r = _rec(COR_KIND_CALL, "", "", 200, origin + 1999999);
    assert_int_equal(rep_filter_match(w, 2, &r, origin), 0);
    r.first_us = origin + 2000000;
    assert_int_equal(rep_filter_match(w, 2, &r, origin), 1);
    r.first_us = origin + 5499999;
    assert_int_equal(rep_filter_match(w, 2, &r, origin), 1);
    r.first_us = origin + 5500000;
    assert_int_equal(rep_filter_match(w, 2, &r, origin), 0);
    /* ISO 8601 UTC, with and without Z and fraction: origin does not matter */
    rep_filter f = _ok("from=2026-11-21T17:35:30Z");
    assert_int_equal(f.time_us, T_1735_30);
    f = _ok("to=2026-11-21T17:35:30.25");
    assert_int_equal(f.time_us, T_1735_30 + 250000);
    r.first_us = T_1735_30 + 249999;
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 1);
    r.first_us = T_1735_30 + 250000;
    assert_int_equal(rep_filter_match(&f, 1, &r, 0), 0);
}

/* every expression must hold */
static void test_and(void **state)
{
    rep_filter f[3] = {_ok("kind=call"), _ok("code=4xx"), _ok("user=bob")};
    cor_record r = _rec(COR_KIND_CALL, "sip:alice@a", "sip:bob@b", 486, 0);
    assert_int_equal(rep_filter_match(f, 3, &r, 0), 1);
    r.final_status = 200;
    assert_int_equal(rep_filter_match(f, 3, &r, 0), 0);
    r.final_status = 404;
    r.kind = COR_KIND_MESSAGE;
    assert_int_equal(rep_filter_match(f, 3, &r, 0), 0);
    assert_int_equal(rep_filter_match(f, 0, &r, 0), 1); /* no filter: everything */
}

static void test_errors(void **state)
{
    _bad("call", "expected NAME=VALUE");
    _bad("kind=", "empty value");
    _bad("kind=calls", "unknown kind 'calls'");
    _bad("kind=call,,x", "unknown kind ''");
    _bad("state=terminated", "unknown name 'state'");
    _bad("code=7xx", "bad code '7xx'");
    _bad("code=99", "bad code '99'");
    _bad("code=700", "bad code '700'");
    _bad("code=4x", "bad code '4x'");
    _bad("from=yesterday", "bad time 'yesterday'");
    _bad("from=-5", "bad time '-5'");
    _bad("to=2026-11-21 17:35:30", "bad time");
    _bad("to=2026-02-30T25:00:00Z", "bad time");
    _bad("to=2026-11-21T17:35:30+01:00", "bad time");
    /* echoed to a terminal: control bytes never come back */
    _bad("user=a\x1b[31mred", "--filter 'user=a?[31mred': control character");
    char longexpr[400];
    memset(longexpr, 'a', sizeof longexpr - 1);
    memcpy(longexpr, "user=", 5);
    longexpr[sizeof longexpr - 1] = '\0';
    _bad(longexpr, "longer than 255 bytes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind),  cmocka_unit_test(test_user), cmocka_unit_test(test_code),
        cmocka_unit_test(test_time_window), cmocka_unit_test(test_and), cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
