/* json.c - the JSON report's pieces, built with json-c.
 * Schema: docs/report-schema.md ("sipscope-report/1"). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detail_int.h"
#include "report_int.h"

void rep_format_time(int64_t ts_us, char *buf, size_t n)
{
    time_t sec = (time_t)(ts_us / 1000000);
    int64_t us = ts_us % 1000000;
    if (us < 0) {
        us += 1000000;
        sec -= 1;
    }
    struct tm tm;
    gmtime_r(&sec, &tm);
    char d[32];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%06lldZ", d, (long long)us);
}

json_object *rep_json_string(const char *wire)
{
    if (wire == NULL)
        return json_object_new_string("");
    char *clean = rep_utf8_clean(wire, strlen(wire));
    if (clean == NULL)
        return json_object_new_string("");
    json_object *o = json_object_new_string(clean);
    free(clean);
    return o;
}

static json_object *_ms_or_null(int64_t ms) { return ms >= 0 ? json_object_new_int64(ms) : NULL; }

static json_object *_time(int64_t ts_us)
{
    char buf[40];
    rep_format_time(ts_us, buf, sizeof buf);
    return json_object_new_string(buf);
}

static json_object *_addr(const ss_addr *a)
{
    char buf[SS_ADDR_STRLEN];
    ss_addr_format(a, buf, sizeof buf);
    return json_object_new_string(buf);
}

void rep_json_msg_fields(json_object *o, const cor_msg *m)
{
    json_object_object_add(o, "time", _time(m->ts_us));
    json_object_object_add(o, "frame", json_object_new_int64((int64_t)m->frame_no));
    json_object_object_add(o, "src", _addr(&m->src));
    json_object_object_add(o, "dst", _addr(&m->dst));
    json_object_object_add(o, "transport",
                           json_object_new_string(dec_transport_name((dec_transport)m->transport)));
    if (m->is_request) {
        json_object_object_add(o, "method", rep_json_string(m->method_name));
    } else {
        json_object_object_add(o, "status", json_object_new_int(m->status));
        json_object_object_add(o, "reason", rep_json_string(m->reason));
    }
    json_object_object_add(o, "cseq", json_object_new_int64(m->cseq));
    json_object_object_add(o, "cseq_method", rep_json_string(m->method_name));
    json_object_object_add(o, "retransmission", json_object_new_boolean(m->retransmission));
}

json_object *rep_json_record(const cor_record *rec)
{
    json_object *d = json_object_new_object();
    json_object_object_add(d, "id", json_object_new_int64((int64_t)rec->id));
    json_object_object_add(d, "call_id", rep_json_string(rec->call_id));
    json_object_object_add(d, "kind", json_object_new_string(cor_kind_name(rec->kind)));
    json_object_object_add(d, "from", rep_json_string(rec->from));
    json_object_object_add(d, "to", rep_json_string(rec->to));
    json_object_object_add(d, "from_tag", rep_json_string(rec->from_tag));
    json_object_object_add(d, "to_tag", rep_json_string(rec->to_tag));
    json_object_object_add(d, "user_agent", rep_json_string(rec->user_agent));
    json_object_object_add(d, "state", json_object_new_string(cor_state_name(rec->state)));
    json_object_object_add(d, "outcome", json_object_new_string(cor_outcome_name(rec->outcome)));
    json_object_object_add(d, "final_status",
                           rec->final_status ? json_object_new_int(rec->final_status) : NULL);
    json_object_object_add(d, "final_reason", rep_json_string(rec->final_reason));
    json_object_object_add(d, "start", _time(rec->first_us));
    json_object_object_add(d, "end", _time(rec->last_us));
    json_object_object_add(d, "setup_ms", _ms_or_null(rec->setup_ms));
    json_object_object_add(d, "pdd_ms", _ms_or_null(rec->pdd_ms));
    json_object_object_add(d, "duration_ms", _ms_or_null(rec->duration_ms));
    json_object_object_add(d, "dialogs", json_object_new_int64(rec->dialogs));
    json_object_object_add(d, "retransmissions", json_object_new_int64(rec->retransmissions));
    json_object_object_add(d, "evicted", json_object_new_boolean(rec->evicted));
    json_object_object_add(d, "in_progress_at_stop", json_object_new_boolean(rec->at_stop));
    if (rec->kind == COR_KIND_REGISTRATION || rec->kind == COR_KIND_SUBSCRIPTION)
        json_object_object_add(d, rec->kind == COR_KIND_REGISTRATION ? "registration" : "subscription",
                               rep_json_flow_record(rec));
    rep_json_detail(d, rec);

    json_object *txns = json_object_new_array_ext((int)rec->ntxns);
    for (size_t i = 0; i < rec->ntxns; i++) {
        const cor_txn *t = &rec->txns[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "method", rep_json_string(t->method_name));
        json_object_object_add(o, "cseq", json_object_new_int64(t->cseq));
        json_object_object_add(o, "final_status",
                               t->final_status ? json_object_new_int(t->final_status) : NULL);
        json_object_object_add(o, "response_ms",
                               t->final_us ? json_object_new_int64((t->final_us - t->start_us) / 1000)
                                           : NULL);
        json_object_object_add(o, "requests", json_object_new_int64(t->requests));
        json_object_object_add(o, "responses", json_object_new_int64(t->responses));
        json_object_object_add(o, "retransmissions", json_object_new_int64(t->retransmissions));
        if (t->auth_scheme)
            json_object_object_add(
                o, "auth_scheme",
                json_object_new_string(sip_auth_scheme_name((sip_auth_scheme)t->auth_scheme)));
        json_object_array_add(txns, o);
    }
    json_object_object_add(d, "transactions", txns);

    json_object *msgs = json_object_new_array_ext((int)rec->nmsgs);
    for (size_t i = 0; i < rec->nmsgs; i++) {
        const cor_msg *m = &rec->msgs[i];
        json_object *o = json_object_new_object();
        rep_json_msg_fields(o, m);
        if (m->defects) {
            json_object *defs = json_object_new_array();
            for (int b = 0; b < SIP_DEF__COUNT; b++)
                if (m->defects & (1u << b))
                    json_object_array_add(defs, json_object_new_string(sip_defect_name(1u << b)));
            json_object_object_add(o, "defects", defs);
        }
        json_object_array_add(msgs, o);
    }
    json_object_object_add(d, "messages", msgs);
    if (rec->msgs_dropped)
        json_object_object_add(d, "messages_not_kept", json_object_new_int64((int64_t)rec->msgs_dropped));
    return d;
}

static json_object *_hist(const rep_hist *h)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "count", json_object_new_int64((int64_t)h->n));
    if (h->n) {
        json_object_object_add(o, "min", json_object_new_int64(h->min));
        json_object_object_add(o, "avg", json_object_new_int64((int64_t)(h->sum / (double)h->n + 0.5)));
        json_object_object_add(o, "max", json_object_new_int64(h->max));
        json_object_object_add(o, "p50", json_object_new_int64(rep_hist_percentile(h, 50)));
        json_object_object_add(o, "p90", json_object_new_int64(rep_hist_percentile(h, 90)));
        json_object_object_add(o, "p95", json_object_new_int64(rep_hist_percentile(h, 95)));
        json_object_object_add(o, "p99", json_object_new_int64(rep_hist_percentile(h, 99)));
    }
    return o;
}

json_object *rep_json_hist(const rep_hist *h) { return _hist(h); }

json_object *rep_json_stats(const rep_stats *s)
{
    json_object *st = json_object_new_object();
    json_object *req = json_object_new_object(), *reqr = json_object_new_object();
    for (size_t i = 0; i < REP_METHOD_SLOTS; i++)
        if (s->req[i]) {
            json_object_object_add(req, rep_stats_method_name(s, i), json_object_new_int64((int64_t)s->req[i]));
            json_object_object_add(reqr, rep_stats_method_name(s, i),
                                   json_object_new_int64((int64_t)s->req_retrans[i]));
        }
    json_object *resp = json_object_new_object(), *respr = json_object_new_object();
    for (int code = 100; code < 700; code++)
        if (s->resp[code]) {
            char k[16];
            snprintf(k, sizeof k, "%d", code);
            json_object_object_add(resp, k, json_object_new_int64((int64_t)s->resp[code]));
            json_object_object_add(respr, k, json_object_new_int64((int64_t)s->resp_retrans[code]));
        }
    json_object *cls = json_object_new_object();
    for (int c = 1; c <= 6; c++) {
        char k[16];
        snprintf(k, sizeof k, "%dxx", c);
        json_object_object_add(cls, k, json_object_new_int64((int64_t)s->cls[c]));
    }
    json_object_object_add(st, "requests", req);
    json_object_object_add(st, "responses", resp);
    json_object_object_add(st, "classes", cls);
    json_object_object_add(st, "request_retransmissions", reqr);
    json_object_object_add(st, "response_retransmissions", respr);

    json_object *matrix = json_object_new_object();
    json_object *rtime = json_object_new_object();
    for (size_t i = 0; i < REP_METHOD_SLOTS; i++) {
        json_object *row = NULL;
        for (int code = 100; code < 700; code++) {
            uint32_t v = s->final_matrix[i * 600 + (code - 100)];
            if (!v)
                continue;
            if (!row)
                row = json_object_new_object();
            char k[16];
            snprintf(k, sizeof k, "%d", code);
            json_object_object_add(row, k, json_object_new_int64(v));
        }
        if (s->txn_no_final[i]) {
            if (!row)
                row = json_object_new_object();
            json_object_object_add(row, "none", json_object_new_int64((int64_t)s->txn_no_final[i]));
        }
        if (row)
            json_object_object_add(matrix, rep_stats_method_name(s, i), row);
        if (s->response_ms[i].n)
            json_object_object_add(rtime, rep_stats_method_name(s, i), _hist(&s->response_ms[i]));
    }
    json_object_object_add(st, "final_by_method", matrix);
    json_object_object_add(st, "response_ms", rtime);

    json_object *calls = json_object_new_object();
    uint64_t ncalls = s->records_by_kind[COR_KIND_CALL];
    json_object_object_add(calls, "total", json_object_new_int64((int64_t)ncalls));
    for (int o = 1; o < COR_OUT__COUNT; o++)
        if (s->calls_by_outcome[o])
            json_object_object_add(calls, cor_outcome_name((cor_outcome)o),
                                   json_object_new_int64((int64_t)s->calls_by_outcome[o]));
    json_object_object_add(calls, "asr",
                           ncalls ? json_object_new_double((double)s->calls_by_outcome[COR_OUT_ANSWERED] /
                                                           (double)ncalls)
                                  : NULL);
    json_object_object_add(st, "calls", calls);
    json_object_object_add(st, "setup_ms", _hist(&s->setup_ms));
    json_object_object_add(st, "pdd_ms", _hist(&s->pdd_ms));
    json_object_object_add(st, "duration_ms", _hist(&s->duration_ms));
    json_object *kinds = json_object_new_object();
    for (int k = 0; k < COR_KIND__COUNT; k++)
        if (s->records_by_kind[k])
            json_object_object_add(kinds, cor_kind_name((cor_kind)k),
                                   json_object_new_int64((int64_t)s->records_by_kind[k]));
    json_object_object_add(st, "dialogs_by_kind", kinds);
    return st;
}

json_object *rep_json_summary(const rep_stats *s, const rep_run_info *info)
{
    uint64_t malformed = 0;
    if (info->sip_errors)
        for (int e = 0; e < SIP_E__COUNT; e++)
            malformed += info->sip_errors[e];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "packets", json_object_new_int64((int64_t)info->packets));
    json_object_object_add(o, "sip_messages", json_object_new_int64((int64_t)s->messages));
    json_object_object_add(o, "requests", json_object_new_int64((int64_t)s->requests));
    json_object_object_add(o, "responses", json_object_new_int64((int64_t)s->responses));
    json_object_object_add(o, "malformed", json_object_new_int64((int64_t)malformed));
    json_object_object_add(o, "call_ids", json_object_new_int64((int64_t)info->call_ids));
    json_object_object_add(o, "call_ids_exact", json_object_new_boolean(info->call_ids_exact));
    json_object_object_add(o, "dialogs", json_object_new_int64((int64_t)s->records));
    json_object_object_add(o, "sip_dialogs",
                           json_object_new_int64(info->cor ? (int64_t)info->cor[COR_C_DIALOGS] : 0));
    json_object_object_add(o, "transactions", json_object_new_int64((int64_t)s->transactions));
    json_object_object_add(o, "retransmissions", json_object_new_int64((int64_t)s->retransmissions));
    json_object_object_add(o, "calls", json_object_new_int64((int64_t)s->records_by_kind[COR_KIND_CALL]));
    json_object_object_add(o, "first", info->first_us ? _time(info->first_us) : NULL);
    json_object_object_add(o, "last", info->last_us ? _time(info->last_us) : NULL);
    json_object *inputs = json_object_new_array();
    for (size_t i = 0; i < info->ninputs; i++) {
        json_object *in = json_object_new_object();
        json_object_object_add(in, "name", rep_json_string(info->inputs[i]));
        if (info->input_errors && info->input_errors[i])
            json_object_object_add(in, "error", rep_json_string(info->input_errors[i]));
        json_object_array_add(inputs, in);
    }
    json_object_object_add(o, "inputs", inputs);
    if (info->live) {
        json_object_object_add(o, "pcap_received", json_object_new_int64((int64_t)info->pcap_recv));
        json_object_object_add(o, "pcap_dropped", json_object_new_int64((int64_t)info->pcap_drop));
        json_object_object_add(o, "pcap_ifdropped", json_object_new_int64((int64_t)info->pcap_ifdrop));
    }
    return o;
}

/* Every counter of every stage, by name: zero ones too, so scripts can rely
 * on the paths. */
json_object *rep_json_anomalies(const rep_run_info *info)
{
    json_object *o = json_object_new_object();
    json_object *mal = json_object_new_object();
    if (info->sip_errors)
        for (int e = 1; e < SIP_E__COUNT; e++)
            json_object_object_add(mal, sip_error_name((sip_error)e),
                                   json_object_new_int64((int64_t)info->sip_errors[e]));
    json_object_object_add(o, "malformed", mal);
    json_object_object_add(o, "not_sip_payloads", json_object_new_int64((int64_t)info->sip_not_sip));
    json_object_object_add(o, "keepalives", json_object_new_int64((int64_t)info->sip_keepalives));
    json_object_object_add(o, "not_sip_on_sip_port",
                           json_object_new_int64((int64_t)info->sip_not_sip_on_port));
    json_object *def = json_object_new_object();
    if (info->sip_defects)
        for (int b = 0; b < SIP_DEF__COUNT; b++)
            json_object_object_add(def, sip_defect_name(1u << b),
                                   json_object_new_int64((int64_t)info->sip_defects[b]));
    json_object_object_add(o, "defects", def);
    json_object *dec = json_object_new_object();
    if (info->dec)
        for (int c = 0; c < DEC_C__COUNT; c++)
            json_object_object_add(dec, dec_counter_name((dec_counter)c),
                                   json_object_new_int64((int64_t)info->dec[c]));
    json_object_object_add(o, "decode", dec);
    json_object *cor = json_object_new_object();
    if (info->cor)
        for (int c = 0; c < COR_C__COUNT; c++)
            json_object_object_add(cor, cor_counter_name((cor_counter)c),
                                   json_object_new_int64((int64_t)info->cor[c]));
    json_object_object_add(o, "correlate", cor);
    return o;
}
