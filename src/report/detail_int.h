/* detail_int.h - private to src/report: how a record's conversation detail
 * (include/sipscope/detail.h) is shown, and the report-wide registration
 * and subscription views built from it (conv.c). */
#ifndef SIPSCOPE_DETAIL_INT_H
#define SIPSCOPE_DETAIL_INT_H

#include <json-c/json.h>
#include <stdio.h>
#include "sipscope/correlate.h"
#include "sipscope/detail.h"

/* detail_out.c */

/* One line for a note, e.g. "SDP offer audio PCMU,PCMA sendonly
 * 127.0.0.1:6000", "binding expires 3600", "Subscription-State
 * terminated;reason=timeout". Wire bytes as they are: callers sanitize.
 * Returns buf. */
char *rep_note_text(const cor_record *rec, const cor_note *n, char *buf, size_t len);

/* A one-line summary of what the record's conversation did ("binding
 * sip:alice@... expires 3600 granted 3600, Digest realm ...", "event
 * presence state terminated (timeout), 3 NOTIFY"), "" when there is
 * nothing to say. Returns buf. */
char *rep_detail_summary(const cor_record *rec, char *buf, size_t len);

/* Who subscribes and to what in a subscription record: From and the first
 * SUBSCRIBE's Request-URI (else To); when the record starts with a NOTIFY
 * (its SUBSCRIBE not captured), From is the notifier, so the two swap. */
const char *rep_subscriber(const cor_record *rec);
const char *rep_resource(const cor_record *rec);

/* Writes the record's detail members of its dialogs[] object with the
 * JSON report's writer (json.c): registration / subscription (by the
 * record's kind, with or without detail), then session, refer, microsoft,
 * sdp and notes (docs/report-schema.md). */
typedef struct rep_jw rep_jw;
void rep_jw_detail(rep_jw *w, const cor_record *rec);

/* conv.c: per-AOR registrations and the subscription list. */
typedef struct rep_conv rep_conv;

/* NULL on ENOMEM. */
rep_conv *rep_conv_new(void);
void rep_conv_record(rep_conv *c, const cor_record *rec);
/* registrations[], subscriptions[], watchers[] into the report tail. */
void rep_conv_json(const rep_conv *c, json_object *tail);
/* The "Registrations by AOR" and "Subscriptions by event package" text
 * sections (nothing when there were none). */
void rep_conv_print(FILE *out, const rep_conv *c);
void rep_conv_free(rep_conv *c);

#endif
