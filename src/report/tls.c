/* tls.c - encrypted flows in the reports: the TLS connections decode saw
 * (SIP over TLS is never decoded, so these are what a reader must know is
 * missing from the message counts). Text after the anomalies, JSON under
 * `encrypted`. */
#include <inttypes.h>

#include "report_int.h"

#define _TEXT_ROWS 50 /* the text report lists this many, then says how many more */

static void _fmt_ms(int64_t us, char *buf, size_t n)
{
    snprintf(buf, n, "%" PRId64 ".%03" PRId64 " s", us / 1000000, (us % 1000000) / 1000);
}

void rep_tls_print(FILE *out, const rep_run_info *info)
{
    if (info->ntls_flows == 0 && info->tls_flows_not_listed == 0)
        return;
    fprintf(out, "\nEncrypted flows (TLS, not decoded)\n");
    fprintf(out, "  %-40s %-40s %8s %10s %10s  %s\n", "client", "server", "packets", "bytes",
            "duration", "SNI");
    for (size_t i = 0; i < info->ntls_flows && i < _TEXT_ROWS; i++) {
        const dec_tls_flow *f = &info->tls_flows[i];
        char c[SS_ADDR_STRLEN], s[SS_ADDR_STRLEN], dur[32];
        ss_addr_format(&f->client, c, sizeof c);
        ss_addr_format(&f->server, s, sizeof s);
        _fmt_ms(f->last_us - f->first_us, dur, sizeof dur);
        fprintf(out, "  %-40s %-40s %8" PRIu64 " %10" PRIu64 " %10s  %s\n", c, s, f->packets,
                f->bytes, dur, f->sni[0] ? f->sni : "-");
    }
    if (info->ntls_flows > _TEXT_ROWS)
        fprintf(out, "  ... %zu more in the JSON report\n", info->ntls_flows - _TEXT_ROWS);
    if (info->tls_flows_not_listed)
        fprintf(out, "  %" PRIu64 " more flows not listed (table full)\n", info->tls_flows_not_listed);
}

json_object *rep_json_tls(const rep_run_info *info)
{
    json_object *o = json_object_new_object();
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < info->ntls_flows; i++) {
        const dec_tls_flow *f = &info->tls_flows[i];
        json_object *e = json_object_new_object();
        char a[SS_ADDR_STRLEN], t[40];
        ss_addr_format(&f->client, a, sizeof a);
        json_object_object_add(e, "client", json_object_new_string(a));
        ss_addr_format(&f->server, a, sizeof a);
        json_object_object_add(e, "server", json_object_new_string(a));
        rep_format_time(f->first_us, t, sizeof t);
        json_object_object_add(e, "first", json_object_new_string(t));
        rep_format_time(f->last_us, t, sizeof t);
        json_object_object_add(e, "last", json_object_new_string(t));
        json_object_object_add(e, "packets", json_object_new_int64((int64_t)f->packets));
        json_object_object_add(e, "bytes", json_object_new_int64((int64_t)f->bytes));
        json_object_object_add(e, "handshake_seen", json_object_new_boolean(f->handshake_seen));
        json_object_object_add(e, "sni", f->sni[0] ? rep_json_string(f->sni) : NULL);
        json_object_array_add(arr, e);
    }
    json_object_object_add(o, "tls_flows", arr);
    json_object_object_add(o, "tls_flows_not_listed",
                           json_object_new_int64((int64_t)info->tls_flows_not_listed));
    return o;
}
