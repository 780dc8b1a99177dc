/* fixtures.h - cor_msg builders shared by the report tests (test_ladder.c,
 * test_outputs.c): a request or a response between two addresses, with the
 * strings a correlated message always has ("" where empty). */
#ifndef SIPSCOPE_TEST_FIXTURES_H
#define SIPSCOPE_TEST_FIXTURES_H

#include <string.h>
#include "sipscope/correlate.h"

static inline cor_msg _req(int64_t ts, ss_addr src, ss_addr dst, const char *method, int retrans)
{
    cor_msg m;
    memset(&m, 0, sizeof m);
    m.ts_us = ts;
    m.src = src;
    m.dst = dst;
    m.is_request = 1;
    m.retransmission = (uint8_t)retrans;
    m.method_name = method;
    m.reason = "";
    m.content_type = "";
    m.cseq = 1;
    return m;
}

/* A response to an INVITE (CSeq 1). */
static inline cor_msg _resp(int64_t ts, ss_addr src, ss_addr dst, unsigned code, const char *reason, int retrans)
{
    cor_msg m = _req(ts, src, dst, "INVITE", retrans);
    m.is_request = 0;
    m.status = (uint16_t)code;
    m.reason = reason;
    return m;
}

#endif
