/* methods.c - SIP method names (RFC 3261 §7.1 and extensions).
 *
 * Methods are case-sensitive tokens, so "invite" is an unknown method, not
 * INVITE. Unknown methods are kept as written by the parser (method_name). */
#include "sipscope/sip.h"

#include <string.h>

static const char *const _method_names[SIP_M__COUNT] = {
    [SIP_M_UNKNOWN] = "UNKNOWN",     [SIP_M_INVITE] = "INVITE",
    [SIP_M_ACK] = "ACK",             [SIP_M_BYE] = "BYE",
    [SIP_M_CANCEL] = "CANCEL",       [SIP_M_REGISTER] = "REGISTER",
    [SIP_M_OPTIONS] = "OPTIONS",     [SIP_M_INFO] = "INFO",
    [SIP_M_MESSAGE] = "MESSAGE",     [SIP_M_SUBSCRIBE] = "SUBSCRIBE",
    [SIP_M_NOTIFY] = "NOTIFY",       [SIP_M_REFER] = "REFER",
    [SIP_M_PRACK] = "PRACK",         [SIP_M_UPDATE] = "UPDATE",
    [SIP_M_PUBLISH] = "PUBLISH",     [SIP_M_NEGOTIATE] = "NEGOTIATE",
    [SIP_M_SERVICE] = "SERVICE",     [SIP_M_BENOTIFY] = "BENOTIFY",
};

/* Contract: canonical upper-case name of m; "UNKNOWN" for SIP_M_UNKNOWN and
 * for values outside the enum. Never NULL. */
const char *sip_method_name(sip_method m)
{
    if ((unsigned)m >= SIP_M__COUNT)
        return _method_names[SIP_M_UNKNOWN];
    return _method_names[m];
}

/* 1 when the slice is exactly the literal (case-sensitive). */
static int _is(ss_slice t, const char *lit, size_t n)
{
    return t.len == n && memcmp(t.p, lit, n) == 0;
}

/* Contract: the method for a token, case-sensitively; SIP_M_UNKNOWN for
 * anything else (including empty and lower-case spellings). Dispatches on
 * the length first so a lookup costs at most two memcmp calls. */
sip_method sip_method_from(ss_slice t)
{
    if (t.p == NULL)
        return SIP_M_UNKNOWN;
    switch (t.len) {
    case 3:
        if (_is(t, "ACK", 3))
            return SIP_M_ACK;
        if (_is(t, "BYE", 3))
            return SIP_M_BYE;
        break;
    case 4:
        if (_is(t, "INFO", 4))
            return SIP_M_INFO;
        break;
    case 5:
        if (_is(t, "REFER", 5))
            return SIP_M_REFER;
        if (_is(t, "PRACK", 5))
            return SIP_M_PRACK;
        break;
    case 6:
        switch (t.p[0]) {
        case 'I': return _is(t, "INVITE", 6) ? SIP_M_INVITE : SIP_M_UNKNOWN;
        case 'C': return _is(t, "CANCEL", 6) ? SIP_M_CANCEL : SIP_M_UNKNOWN;
        case 'N': return _is(t, "NOTIFY", 6) ? SIP_M_NOTIFY : SIP_M_UNKNOWN;
        case 'U': return _is(t, "UPDATE", 6) ? SIP_M_UPDATE : SIP_M_UNKNOWN;
        }
        break;
    case 7:
        switch (t.p[0]) {
        case 'O': return _is(t, "OPTIONS", 7) ? SIP_M_OPTIONS : SIP_M_UNKNOWN;
        case 'M': return _is(t, "MESSAGE", 7) ? SIP_M_MESSAGE : SIP_M_UNKNOWN;
        case 'P': return _is(t, "PUBLISH", 7) ? SIP_M_PUBLISH : SIP_M_UNKNOWN;
        case 'S': return _is(t, "SERVICE", 7) ? SIP_M_SERVICE : SIP_M_UNKNOWN;
        }
        break;
    case 8:
        if (_is(t, "REGISTER", 8))
            return SIP_M_REGISTER;
        if (_is(t, "BENOTIFY", 8))
            return SIP_M_BENOTIFY;
        break;
    case 9:
        if (_is(t, "SUBSCRIBE", 9))
            return SIP_M_SUBSCRIBE;
        if (_is(t, "NEGOTIATE", 9))
            return SIP_M_NEGOTIATE;
        break;
    }
    return SIP_M_UNKNOWN;
}
