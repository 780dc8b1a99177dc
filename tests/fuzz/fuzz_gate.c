/* fuzz_gate.c - libFuzzer target for the --fail-if language (report/gate.c).
 *
 * The input is an expression (a NUL is where it ends). Every parse must
 * either succeed or fail with a message that starts "--fail-if '" and has
 * no control bytes (the expression came from a command line or a CI file
 * and is echoed to a terminal); a parsed gate is evaluated against a fixed
 * small tail object and must answer 1, 0, or -1 with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/report/outputs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define _CHECK(c)                                                                              \
    do {                                                                                       \
        if (!(c))                                                                              \
            __builtin_trap();                                                                  \
    } while (0)

static json_object *g_tail;

static const char _tail_text[] =
    "{\"summary\":{\"packets\":10,\"malformed\":1,\"retransmissions\":2,\"inputs\":[{\"name\":\"a\"}],"
    "\"first\":\"2023-01-01T00:00:00.000000Z\",\"call_ids_exact\":true},"
    "\"stats\":{\"responses\":{\"200\":3,\"486\":1},\"classes\":{\"2xx\":3,\"4xx\":1,\"5xx\":0},"
    "\"requests\":{\"INVITE\":4},\"calls\":{\"total\":4,\"answered\":3,\"busy\":1,\"asr\":0.75},"
    "\"setup_ms\":{\"count\":3,\"min\":1,\"avg\":2,\"max\":3,\"p50\":2,\"p95\":3},\"pdd_ms\":{\"count\":0},"
    "\"response_ms\":{\"INVITE\":{\"count\":4,\"p95\":9}},\"final_by_method\":{\"INVITE\":{\"200\":3}}},"
    "\"anomalies\":{\"decode\":{\"truncated\":0}}}";

static void _no_controls(const char *s)
{
    for (; *s; s++)
        _CHECK((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7F);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512], *expr;
    rep_gate *g = NULL;

    if (g_tail == NULL)
        g_tail = json_tokener_parse(_tail_text);
    if (size > 4096)
        return 0;
    expr = malloc(size + 1);
    if (expr == NULL)
        return 0;
    memcpy(expr, data, size);
    expr[size] = '\0';

    err[0] = '\0';
    int rc = rep_gate_parse(&g, expr, err, sizeof err);
    if (rc != 0) {
        _CHECK(rc == -1 && g == NULL);
        _CHECK(strncmp(err, "--fail-if '", 11) == 0);
        _no_controls(err);
    } else {
        _CHECK(g != NULL && strcmp(rep_gate_text(g), expr) == 0);
        double v = 0;
        err[0] = '\0';
        int r = rep_gate_eval(g, g_tail, &v, err, sizeof err);
        _CHECK(r == 1 || r == 0 || r == -1);
        if (r < 0) {
            _CHECK(strncmp(err, "--fail-if '", 11) == 0);
            _no_controls(err);
        }
        _CHECK(rep_gate_eval(g, NULL, NULL, err, sizeof err) == -1);
        rep_gate_free(g);
    }
    free(expr);
    return 0;
}
