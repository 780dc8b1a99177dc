/* fuzz_filter.c - libFuzzer target for the --filter expressions
 * (report/filter.c).
 *
 * The input is an expression (a NUL is where it ends). Every parse must
 * either succeed or fail with a one-line message that starts "--filter '"
 * and has no control bytes (it is echoed to a terminal); a parsed filter
 * keeps the expression as given and answers 0 or 1 on a fixed record, with
 * and without the other expressions of the input's lines ANDed in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/report/report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define _CHECK(c)                                                                              \
    do {                                                                                       \
        if (!(c))                                                                              \
            __builtin_trap();                                                                  \
    } while (0)

static void _no_controls(const char *s)
{
    for (; *s; s++)
        _CHECK((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7F);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *expr = malloc(size + 1);
    if (expr == NULL)
        return 0;
    memcpy(expr, data, size);
    expr[size] = '\0';

    cor_record rec;
    memset(&rec, 0, sizeof rec);
    rec.kind = COR_KIND_CALL;
    rec.from = "sip:alice@a.example";
    rec.to = "sip:bob@b.example";
    rec.final_status = 486;
    rec.first_us = 1700000000LL * 1000000;

    /* each line of the input is one expression */
    rep_filter f[8];
    size_t n = 0;
    for (char *line = expr, *next; line && n < 8; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char err[512] = "";
        int rc = rep_filter_parse(&f[n], line, err, sizeof err);
        _CHECK(rc == 0 || rc == -1);
        if (rc != 0) {
            _CHECK(strncmp(err, "--filter '", 10) == 0);
            _no_controls(err);
            continue;
        }
        _CHECK(strcmp(f[n].text, line) == 0);
        int m = rep_filter_match(&f[n], 1, &rec, rec.first_us - 5000000);
        _CHECK(m == 0 || m == 1);
        n++;
    }
    int all = rep_filter_match(f, n, &rec, 0);
    _CHECK(all == 0 || all == 1);
    free(expr);
    return 0;
}
