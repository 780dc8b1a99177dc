/* metrics.c - RFC 6076 end-to-end SIP performance metrics, ASR/NER, and the
 * registration and subscription summaries, from finished records.
 *
 * Everything is counters and fixed histograms, fed once per record, so
 * memory stays flat whatever the capture length. Definitions (also in
 * docs/report-schema.md, "metrics"):
 *
 * A session attempt is one call record, judged by its deciding INVITE (the
 * latest initial INVITE: the one answered 2xx, else the last one). Records
 * still being set up when input ended (outcome in_progress, no final
 * response) are not decided and are left out of every ratio
 * (sessions_undecided). "Answered" is a 2xx to that INVITE.
 *
 *   SER  (RFC 6076 §4.6)  answered / (attempts - attempts answered 3xx) x 100
 *   SEER (§4.7)  attempts answered 200/2xx, 480, 486, 600 or 603
 *                / (attempts - attempts answered 3xx) x 100
 *   ISA  (§4.8)  attempts answered 408, 500, 503, 504, or with no final
 *                response at all (a CANCEL without its 487 is not one)
 *                / attempts x 100
 *   SCR  (§4.9)  attempts answered and then ended by a BYE that got a 2xx
 *                / attempts x 100
 *   ASR  (ITU-T E.411)  answered / attempts (seizures) x 100
 *   NER  (ITU-T E.425)  (answered + user busy 486/600 + ring no answer
 *                (480, or cancelled after a non-100 provisional) + terminal
 *                rejection 603) / attempts x 100
 *   SRD  (§4.3)  deciding INVITE -> its first non-100 provisional, else its
 *                final response; "SRD" for answered attempts, "SRD_failed"
 *                for attempts answered 4xx-6xx (3xx and no final: none)
 *   SDD  (§4.4)  first BYE -> its final response (any code); a BYE that
 *                timed out gives no sample (its timer is not in the record)
 *   SDT  (§4.5)  2xx (or ACK) -> BYE of answered attempts: duration_ms
 *
 * A REGISTER attempt is the REGISTER transactions of a record joined by
 * answered challenges (401/407 followed by another REGISTER):
 *   RRD  (§4.1)  first REGISTER of a successful attempt -> its final 2xx,
 *                challenge round trips included
 *   IRA  (§4.2)  attempts ending with a 4xx-6xx (an unanswered 401/407
 *                included) or with no response / attempts x 100
 * SUBSCRIBE attempts are counted the same way (no RFC 6076 metric).
 *
 * Failure causes are counted by final code here; by Reason header (RFC
 * 3326) in breakdown.c (metrics.failure_causes_by_reason). */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

static int _is_challenge(uint16_t code) { return code == 401 || code == 407; }

/* Index of the next transaction of method at or after i, or ntxns. */
static size_t _next_of(const cor_record *rec, uint8_t method, size_t i)
{
    while (i < rec->ntxns && rec->txns[i].method != method)
        i++;
    return i;
}

int rep_attempt_next(const cor_record *rec, uint8_t method, size_t *pos, rep_attempt *a)
{
    memset(a, 0, sizeof *a);
    int started = 0;
    for (size_t i = _next_of(rec, method, *pos); i < rec->ntxns; i = _next_of(rec, method, i + 1)) {
        const cor_txn *t = &rec->txns[i];
        if (!started)
            a->start_us = t->start_us;
        started = 1;
        a->final_us = t->final_us;
        a->final_status = t->final_status;
        if (_is_challenge(t->final_status)) {
            a->challenges++;
            if (_next_of(rec, method, i + 1) < rec->ntxns) {
                a->answered++; /* the next request answers the challenge */
                continue;
            }
        }
        *pos = i + 1;
        return 1;
    }
    *pos = rec->ntxns;
    return 0;
}

static void _flows(rep_flows *f, rep_hist *rrd, const cor_record *rec, uint8_t method)
{
    size_t pos = 0;
    rep_attempt a;
    int any = 0;
    f->records++;
    while (rep_attempt_next(rec, method, &pos, &a)) {
        any = 1;
        f->attempted++;
        f->challenge_round_trips += a.answered;
        if (a.final_status >= 200 && a.final_status < 300) {
            f->succeeded++;
            if (rrd && a.final_us >= a.start_us)
                rep_hist_add(rrd, (a.final_us - a.start_us) / 1000);
        } else if (a.final_status >= 300 && a.final_status < 700) {
            f->failed_by_code[a.final_status]++;
        } else {
            f->no_response++;
        }
    }
    if (!any)
        f->without_request++;
}

/* The deciding INVITE: the first one answered 2xx, else the last one. */
static const cor_txn *_deciding_invite(const cor_record *rec, size_t *idx)
{
    const cor_txn *last = NULL;
    for (size_t i = 0; i < rec->ntxns; i++) {
        const cor_txn *t = &rec->txns[i];
        if (t->method != SIP_M_INVITE)
            continue;
        last = t;
        *idx = i;
        if (t->final_status >= 200 && t->final_status < 300)
            break;
    }
    return last;
}

/* First non-100 provisional response of transaction idx, 0 if none kept. */
static int64_t _first_real_prov(const cor_record *rec, size_t idx)
{
    int64_t best = 0;
    for (size_t i = 0; i < rec->nmsgs; i++) {
        const cor_msg *m = &rec->msgs[i];
        if (!m->is_request && m->txn == idx && m->status > 100 && m->status < 200 &&
            (best == 0 || m->ts_us < best))
            best = m->ts_us;
    }
    return best;
}

static void _session(rep_metrics *m, const cor_record *rec)
{
    uint16_t fs = rec->final_status;
    if (fs == 0 && (rec->outcome == COR_OUT_NONE || rec->outcome == COR_OUT_IN_PROGRESS)) {
        m->undecided++;
        return;
    }
    m->sessions++;
    int ok = fs >= 200 && fs < 300;
    int cancelled = rec->outcome == COR_OUT_CANCELLED;
    size_t di = 0;
    const cor_txn *inv = _deciding_invite(rec, &di);
    int64_t prov = inv ? _first_real_prov(rec, di) : 0;
    int alerted = prov != 0 || rec->pdd_ms >= 0;

    if (ok)
        m->answered++;
    else if (fs >= 300 && fs < 700)
        m->cause[fs]++;
    else
        m->cause_none++;
    if (fs >= 300 && fs < 400)
        m->redirected++;
    if (ok || fs == 480 || fs == 486 || fs == 600 || fs == 603)
        m->seer++;
    if (fs == 408 || fs == 500 || fs == 503 || fs == 504 || (fs == 0 && !cancelled))
        m->isa++;
    if (ok || fs == 486 || fs == 600 || fs == 603 || fs == 480 || (cancelled && alerted))
        m->ner++;

    if (inv && (ok || fs >= 400)) {
        int64_t end = prov ? prov : inv->final_us;
        if (end && end >= inv->start_us)
            rep_hist_add(ok ? &m->srd_ok : &m->srd_fail, (end - inv->start_us) / 1000);
    }

    const cor_txn *bye = NULL;
    int bye_ok = 0;
    for (size_t i = 0; i < rec->ntxns; i++) {
        const cor_txn *t = &rec->txns[i];
        if (t->method != SIP_M_BYE)
            continue;
        if (bye == NULL)
            bye = t;
        if (t->final_status >= 200 && t->final_status < 300)
            bye_ok = 1;
    }
    if (bye && bye->final_status && bye->final_us >= bye->start_us)
        rep_hist_add(&m->sdd, (bye->final_us - bye->start_us) / 1000);
    if (ok && bye_ok)
        m->completed++;
    if (ok && rec->duration_ms >= 0)
        rep_hist_add(&m->sdt, rec->duration_ms);
}

void rep_metrics_record(rep_metrics *m, const cor_record *rec)
{
    if (rec->kind == COR_KIND_CALL)
        _session(m, rec);
    else if (rec->kind == COR_KIND_REGISTRATION)
        _flows(&m->reg, &m->rrd, rec, SIP_M_REGISTER);
    else if (rec->kind == COR_KIND_SUBSCRIPTION)
        _flows(&m->sub, NULL, rec, SIP_M_SUBSCRIBE);
}

/* ---- derived figures ---- */

static uint64_t _failed(const rep_flows *f, int from)
{
    uint64_t n = 0;
    for (int c = from; c < 700; c++)
        n += f->failed_by_code[c];
    return n;
}

static uint64_t _ira(const rep_metrics *m) { return m->reg.no_response + _failed(&m->reg, 400); }

/* ---- text ---- */

/* "66.67 %" or "-" when den is 0 */
static const char *_pct_text(char *buf, size_t n, uint64_t num, uint64_t den)
{
    if (den == 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2f %%", 100.0 * (double)num / (double)den);
    return buf;
}

static void _print_hist(FILE *out, const char *label, const rep_hist *h)
{
    if (h->n == 0)
        return;
    fprintf(out, "  %-18s min %lld ms, avg %.0f ms, max %lld ms, p50 %lld, p90 %lld, p95 %lld, p99 %lld (n=%llu)\n",
            label, (long long)h->min, h->sum / (double)h->n, (long long)h->max,
            (long long)rep_hist_percentile(h, 50), (long long)rep_hist_percentile(h, 90),
            (long long)rep_hist_percentile(h, 95), (long long)rep_hist_percentile(h, 99),
            (unsigned long long)h->n);
}

static void _print_flows(FILE *out, const char *label, const rep_flows *f)
{
    fprintf(out, "  %-18s %llu attempts: %llu succeeded, %llu failed, %llu no response, "
                 "%llu challenge round trips\n",
            label, (unsigned long long)f->attempted, (unsigned long long)f->succeeded,
            (unsigned long long)_failed(f, 300), (unsigned long long)f->no_response,
            (unsigned long long)f->challenge_round_trips);
}

void rep_metrics_print(FILE *out, const rep_metrics *m)
{
    char a[16], b[16], c[16], d[16], e[16], f[16];
    fprintf(out, "\nMetrics (RFC 6076)\n");
    if (m->sessions == 0 && m->undecided == 0 && m->reg.records == 0 && m->sub.records == 0) {
        fprintf(out, "  none (no calls, registrations or subscriptions)\n");
        return;
    }
    if (m->sessions || m->undecided) {
        uint64_t eff = m->sessions - m->redirected;
        fprintf(out, "  %-18s %llu (not decided yet: %llu)\n", "session attempts",
                (unsigned long long)m->sessions, (unsigned long long)m->undecided);
        fprintf(out, "  SER %s, SEER %s, ISA %s, SCR %s, ASR %s, NER %s\n",
                _pct_text(a, sizeof a, m->answered, eff), _pct_text(b, sizeof b, m->seer, eff),
                _pct_text(c, sizeof c, m->isa, m->sessions), _pct_text(d, sizeof d, m->completed, m->sessions),
                _pct_text(e, sizeof e, m->answered, m->sessions), _pct_text(f, sizeof f, m->ner, m->sessions));
        _print_hist(out, "SRD answered", &m->srd_ok);
        _print_hist(out, "SRD failed", &m->srd_fail);
        _print_hist(out, "SDD", &m->sdd);
        _print_hist(out, "SDT", &m->sdt);
        if (m->sessions > m->answered) {
            fprintf(out, "  %-18s", "failure causes");
            int any = 0;
            for (int code = 300; code < 700; code++)
                if (m->cause[code]) {
                    fprintf(out, "%s %d x%llu", any ? "," : "", code, (unsigned long long)m->cause[code]);
                    any = 1;
                }
            if (m->cause_none)
                fprintf(out, "%s no final response x%llu", any ? "," : "", (unsigned long long)m->cause_none);
            fputc('\n', out);
        }
    }
    if (m->reg.records) {
        _print_flows(out, "registrations", &m->reg);
        fprintf(out, "  IRA %s\n", _pct_text(a, sizeof a, _ira(m), m->reg.attempted));
        _print_hist(out, "RRD", &m->rrd);
    }
    if (m->sub.records) {
        _print_flows(out, "subscriptions", &m->sub);
        if (m->sub.without_request)
            fprintf(out, "  %-18s %llu\n", "NOTIFY only", (unsigned long long)m->sub.without_request);
    }
}

/* ---- JSON ---- */

/* See report_int.h. */
json_object *rep_json_pct(uint64_t num, uint64_t den)
{
    if (den == 0)
        return NULL;
    char buf[32];
    snprintf(buf, sizeof buf, "%.2f", 100.0 * (double)num / (double)den);
    return json_object_new_double_s(strtod(buf, NULL), buf);
}

static json_object *_codes(const uint64_t *by_code, uint64_t none)
{
    json_object *o = json_object_new_object();
    for (int code = 300; code < 700; code++)
        if (by_code[code]) {
            char k[12];
            snprintf(k, sizeof k, "%d", code);
            json_object_object_add(o, k, json_object_new_int64((int64_t)by_code[code]));
        }
    if (none)
        json_object_object_add(o, "none", json_object_new_int64((int64_t)none));
    return o;
}

json_object *rep_json_metrics(const rep_metrics *m)
{
    uint64_t eff = m->sessions - m->redirected;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "RRD", rep_json_hist(&m->rrd));
    json_object_object_add(o, "IRA", rep_json_pct(_ira(m), m->reg.attempted));
    json_object_object_add(o, "SRD", rep_json_hist(&m->srd_ok));
    json_object_object_add(o, "SRD_failed", rep_json_hist(&m->srd_fail));
    json_object_object_add(o, "SDD", rep_json_hist(&m->sdd));
    json_object_object_add(o, "SDT", rep_json_hist(&m->sdt));
    json_object_object_add(o, "SER", rep_json_pct(m->answered, eff));
    json_object_object_add(o, "SEER", rep_json_pct(m->seer, eff));
    json_object_object_add(o, "ISA", rep_json_pct(m->isa, m->sessions));
    json_object_object_add(o, "SCR", rep_json_pct(m->completed, m->sessions));
    json_object_object_add(o, "ASR", rep_json_pct(m->answered, m->sessions));
    json_object_object_add(o, "NER", rep_json_pct(m->ner, m->sessions));
    json_object_object_add(o, "session_attempts", json_object_new_int64((int64_t)m->sessions));
    json_object_object_add(o, "sessions_undecided", json_object_new_int64((int64_t)m->undecided));
    json_object_object_add(o, "failure_causes", _codes(m->cause, m->cause_none));
    return o;
}

json_object *rep_json_flows(const rep_flows *f, int subscriptions)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "dialogs", json_object_new_int64((int64_t)f->records));
    json_object_object_add(o, "attempted", json_object_new_int64((int64_t)f->attempted));
    json_object_object_add(o, "succeeded", json_object_new_int64((int64_t)f->succeeded));
    json_object_object_add(o, "failed", json_object_new_int64((int64_t)_failed(f, 300)));
    json_object_object_add(o, "failed_by_code", _codes(f->failed_by_code, 0));
    json_object_object_add(o, "no_response", json_object_new_int64((int64_t)f->no_response));
    json_object_object_add(o, "challenge_round_trips", json_object_new_int64((int64_t)f->challenge_round_trips));
    if (subscriptions) {
        json_object_object_add(o, "notify_only", json_object_new_int64((int64_t)f->without_request));
    }
    return o;
}

static const char *_result_name(uint16_t code)
{
    return code == 0 ? "no_response" : code < 300 ? "success" : "failure";
}

void rep_flow_result(const cor_record *rec, rep_flow_res *out)
{
    int reg = rec->kind == COR_KIND_REGISTRATION;
    uint8_t method = reg ? SIP_M_REGISTER : SIP_M_SUBSCRIBE;
    size_t pos = 0;
    rep_attempt a;
    memset(out, 0, sizeof *out);
    while (rep_attempt_next(rec, method, &pos, &a)) {
        out->attempts++;
        out->challenges += a.challenges;
        out->final_status = a.final_status;
    }
    for (size_t i = 0; i < rec->ntxns && !out->auth_scheme; i++)
        out->auth_scheme = rec->txns[i].auth_scheme;
    out->result = out->attempts ? _result_name(out->final_status) : NULL;
}
