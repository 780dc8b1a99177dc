/* events.c - the NDJSON event stream (--events) and one-line dialog
 * summaries (--brief), for watching a live capture as it happens.
 *
 * Events, one JSON object per line, flushed at once so `jq`, Vector or a
 * Kafka producer reading a pipe see them without delay:
 *   {"event":"message", ...}        every SIP message
 *   {"event":"state", ...}          a dialog was created or changed state
 *   {"event":"transaction", ...}    a transaction got its final response
 *   {"event":"dialog_done", ...}    a dialog record finished (calls too) */
#include <string.h>

#include "detail_int.h"
#include "report_int.h"

static void _emit(FILE *out, json_object *o)
{
    fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), out);
    fputc('\n', out);
    fflush(out);
    json_object_put(o);
}

static json_object *_base(const char *event, int64_t ts_us, const cor_record *rec)
{
    char t[40];
    rep_format_time(ts_us, t, sizeof t);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "event", json_object_new_string(event));
    json_object_object_add(o, "time", json_object_new_string(t));
    json_object_object_add(o, "call_id", rep_json_string(rec ? rec->call_id : ""));
    return o;
}

void rep_events_message(FILE *out, const cor_msg *m, const cor_record *rec)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "event", json_object_new_string("message"));
    json_object_object_add(o, "call_id", rep_json_string(rec ? rec->call_id : ""));
    rep_json_msg_fields(o, m);
    _emit(out, o);

    if (rec == NULL)
        return;
    if (m->state_changed) {
        o = _base("state", m->ts_us, rec);
        json_object_object_add(o, "kind", json_object_new_string(cor_kind_name(rec->kind)));
        json_object_object_add(o, "state", json_object_new_string(cor_state_name(rec->state)));
        _emit(out, o);
    }
    if (!m->is_request && m->status >= 200 && !m->retransmission && m->txn < rec->ntxns) {
        const cor_txn *t = &rec->txns[m->txn];
        o = _base("transaction", m->ts_us, rec);
        json_object_object_add(o, "method", rep_json_string(t->method_name));
        json_object_object_add(o, "cseq", json_object_new_int64(t->cseq));
        json_object_object_add(o, "final_status", json_object_new_int(m->status));
        json_object_object_add(o, "response_ms", json_object_new_int64((m->ts_us - t->start_us) / 1000));
        _emit(out, o);
    }
}

void rep_events_record(FILE *out, const cor_record *rec)
{
    json_object *o = _base("dialog_done", rec->last_us, rec);
    json_object_object_add(o, "kind", json_object_new_string(cor_kind_name(rec->kind)));
    json_object_object_add(o, "state", json_object_new_string(cor_state_name(rec->state)));
    json_object_object_add(o, "outcome", json_object_new_string(cor_outcome_name(rec->outcome)));
    json_object_object_add(o, "final_status", rec->final_status ? json_object_new_int(rec->final_status) : NULL);
    json_object_object_add(o, "from", rep_json_string(rec->from));
    json_object_object_add(o, "to", rep_json_string(rec->to));
    json_object_object_add(o, "setup_ms", rec->setup_ms >= 0 ? json_object_new_int64(rec->setup_ms) : NULL);
    json_object_object_add(o, "duration_ms", rec->duration_ms >= 0 ? json_object_new_int64(rec->duration_ms) : NULL);
    json_object_object_add(o, "messages", json_object_new_int64((int64_t)rec->nmsgs));
    json_object_object_add(o, "in_progress_at_stop", json_object_new_boolean(rec->at_stop));
    /* what the conversation did, as the ladder's header line says it
     * (binding, subscription state, hold, transfer ...); absent if nothing */
    char sum[512];
    if (rep_detail_summary(rec, sum, sizeof sum)[0])
        json_object_object_add(o, "summary", json_object_new_string(sum));
    _emit(out, o);
}

void rep_brief_record(FILE *out, const cor_record *rec, int utf8)
{
    char t[40], cid[160], from[128], to[128];
    rep_format_time(rec->first_us, t, sizeof t);
    rep_term_clean(rec->call_id, strlen(rec->call_id), utf8, cid, sizeof cid);
    rep_term_clean(rec->from, strlen(rec->from), utf8, from, sizeof from);
    rep_term_clean(rec->to, strlen(rec->to), utf8, to, sizeof to);
    fprintf(out, "%.10s %.12s  %-12s %-11s", t, t + 11, cor_kind_name(rec->kind), cor_outcome_name(rec->outcome));
    if (rec->final_status)
        fprintf(out, " %3u", rec->final_status);
    else
        fprintf(out, "    ");
    if (rec->setup_ms >= 0)
        fprintf(out, "  setup %lld ms", (long long)rec->setup_ms);
    if (rec->duration_ms >= 0)
        fprintf(out, "  %.3f s", (double)rec->duration_ms / 1000.0);
    fprintf(out, "  %zu msgs  %s -> %s  %s", rec->nmsgs, from, to, cid);
    char sum[512], clean[512];
    if (rep_detail_summary(rec, sum, sizeof sum)[0]) {
        rep_term_clean(sum, strlen(sum), utf8, clean, sizeof clean);
        fprintf(out, "  (%s)", clean);
    }
    fputc('\n', out);
    fflush(out);
}
