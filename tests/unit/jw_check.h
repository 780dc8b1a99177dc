/* jw_check.h - a record's dialog as the JSON report writes it, checked
 * against json-c (test_detail.c, test_legs.c, test_metrics.c,
 * test_outputs.c). Include after cmocka.h. */
#ifndef SIPSCOPE_TEST_JW_CHECK_H
#define SIPSCOPE_TEST_JW_CHECK_H

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/report/report_int.h"

/* The dialog rep_jw_record writes for r (json.c, detail_out.c, legs.c), as
 * a malloc'd string. It must parse, and json-c must write what it parsed
 * to byte for byte the same (key order, escaping, numbers, null), so the
 * direct writer cannot drift from json-c's layout. */
static inline char *jw_dialog_checked(const cor_record *r)
{
    rep_jw *w = rep_jw_new();
    assert_non_null(w);
    rep_jw_record(w, r);
    size_t len;
    const char *t = rep_jw_text(w, &len);
    assert_true(len > 0);
    char *copy = strndup(t, len);
    assert_non_null(copy);
    rep_jw_free(w);
    json_object *o = json_tokener_parse(copy);
    assert_non_null(o);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                        copy);
    json_object_put(o);
    return copy;
}

#endif
