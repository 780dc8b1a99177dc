/* mermaid.c - Mermaid and PlantUML sequence diagrams, one per record.
 *
 * Same column model as the terminal and SVG ladders: participants P1..Pn
 * in order of first appearance (ip:port, or an alias), one arrow per
 * message. Participants get neutral ids (P1...) so no wire or alias text
 * ever lands where the diagram syntax expects an identifier or keyword;
 * the text only appears after "as" or ":", escaped.
 *
 * Mermaid: requests ->>, responses -->>, " (retrans)" after a
 * retransmission. Mermaid reads ';' as a statement end and '#' as the start
 * of an entity code, and would interpret HTML, so those characters and
 * quotes become its entity codes (#59; #35; #quot; #lt; ...).
 *
 * PlantUML: requests ->, responses -->, retransmissions with the thin head
 * (->> / -->>). Creole markup (**bold**, [[links]], <color>, ~escapes)
 * would act on wire text, so its characters become numeric entities
 * (&#NN;), which PlantUML renders as the character. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detail_int.h"
#include "outputs.h"

/* The notes of message i (detail.h) as "Note over" lines spanning its two
 * participants; *k walks the record's notes, which are in message order.
 * note_fmt gets the participant ids ("P1,P2" or "P1") and writes the
 * note's start; esc writes the text. */
static void _notes(FILE *out, const cor_record *rec, const rep_cols *c, size_t i, uint32_t *k, int mermaid,
                   void (*esc)(FILE *, const char *))
{
    const cor_detail *d = rec->detail;
    char text[600];
    while (d && *k < d->nnotes && (d->notes[*k].msg <= i || d->notes[*k].msg == COR_TXN_NONE)) {
        const cor_note *n = &d->notes[(*k)++];
        if (n->msg != i)
            continue;
        size_t a = c->src[i] + 1, b = c->dst[i] + 1;
        if (mermaid)
            fprintf(out, a == b ? "    Note over P%zu: " : "    Note over P%zu,P%zu: ", a, b);
        else
            fprintf(out, a == b ? "note over P%zu : " : "note over P%zu, P%zu : ", a, b);
        esc(out, rep_note_text(rec, n, text, sizeof text));
        fputc('\n', out);
    }
}

/* Writes wire text escaped for Mermaid (participant aliases, message text,
 * the title). */
static void _mmd_text(FILE *out, const char *wire)
{
    char *s = rep_out_clean(wire);
    if (s == NULL)
        return;
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '"': fputs("#quot;", out); break;
        case ';': fputs("#59;", out); break;
        case '#': fputs("#35;", out); break;
        case '&': fputs("#amp;", out); break;
        case '<': fputs("#lt;", out); break;
        case '>': fputs("#gt;", out); break;
        case '%': fputs("#37;", out); break; /* "%%" starts a comment or directive */
        case '`': fputs("#96;", out); break;
        case '{': fputs("#123;", out); break;
        case '}': fputs("#125;", out); break;
        default: fputc(*p, out);
        }
    }
    free(s);
}

/* Writes wire text escaped for PlantUML. */
static void _puml_text(FILE *out, const char *wire)
{
    char *s = rep_out_clean(wire);
    if (s == NULL)
        return;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        /* always: quoting, entities, markup openers, escape char, links */
        int esc = strchr("\"\\<>&~[]{}|", c) != NULL;
        /* doubled: creole bold, italic, mono, strike, underline, ... */
        if (!esc && c && strchr("*/-_=^'#$@", c) != NULL && (p[1] == *p || p == s))
            esc = 1;
        if (esc && c)
            fprintf(out, "&#%u;", c);
        else
            fputc(*p, out);
    }
    free(s);
}

/* The title text both formats share, through the given escaper. */
static void _title(FILE *out, const cor_record *rec, void (*esc)(FILE *, const char *))
{
    fputs("Call-ID ", out);
    esc(out, rec->call_id);
    fprintf(out, " - %s %s", cor_kind_name(rec->kind), cor_outcome_name(rec->outcome));
    if (rec->final_status) {
        fprintf(out, " (%u ", rec->final_status);
        esc(out, rec->final_reason);
        fputc(')', out);
    }
    if (rec->setup_ms >= 0)
        fprintf(out, " setup %lld ms", (long long)rec->setup_ms);
}

/* See outputs.h. out or rec NULL does nothing. */
void rep_mermaid_ladder(FILE *out, const cor_record *rec, const rep_ladder_opts *lo)
{
    rep_cols c;
    char label[1024];
    uint32_t note = 0;

    if (out == NULL || rec == NULL)
        return;
    fputs("sequenceDiagram\n    title ", out);
    _title(out, rec, _mmd_text);
    fputc('\n', out);
    if (rep_cols_build(&c, rec, lo) < 0) {
        fputs("    %% out of memory: ladder not drawn\n", out);
        return;
    }
    for (size_t i = 0; i < c.n; i++) {
        fprintf(out, "    participant P%zu as ", i + 1);
        if (c.label[i][0])
            _mmd_text(out, c.label[i]);
        else
            fputc('?', out);
        fputc('\n', out);
    }
    for (size_t i = 0; rec->msgs && i < rec->nmsgs; i++) {
        const cor_msg *m = &rec->msgs[i];
        rep_out_msg_label(m, label, sizeof label);
        fprintf(out, "    P%zu%sP%zu: ", c.src[i] + 1, m->is_request ? "->>" : "-->>", c.dst[i] + 1);
        _mmd_text(out, label);
        fputs(m->retransmission ? " (retrans)\n" : "\n", out);
        _notes(out, rec, &c, i, &note, 1, _mmd_text);
    }
    if (rec->msgs_dropped && c.n)
        fprintf(out, "    Note over P1: %llu more messages not kept\n", (unsigned long long)rec->msgs_dropped);
    rep_cols_free(&c);
}

/* See outputs.h. out or rec NULL does nothing. */
void rep_plantuml_ladder(FILE *out, const cor_record *rec, const rep_ladder_opts *lo)
{
    rep_cols c;
    char label[1024];
    uint32_t note = 0;

    if (out == NULL || rec == NULL)
        return;
    fputs("@startuml\ntitle ", out);
    _title(out, rec, _puml_text);
    fputc('\n', out);
    if (rep_cols_build(&c, rec, lo) < 0) {
        fputs("' out of memory: ladder not drawn\n@enduml\n", out);
        return;
    }
    for (size_t i = 0; i < c.n; i++) {
        fputs("participant \"", out);
        if (c.label[i][0])
            _puml_text(out, c.label[i]);
        else
            fputc('?', out);
        fprintf(out, "\" as P%zu\n", i + 1);
    }
    for (size_t i = 0; rec->msgs && i < rec->nmsgs; i++) {
        const cor_msg *m = &rec->msgs[i];
        const char *arrow = m->is_request ? (m->retransmission ? "->>" : "->")
                                          : (m->retransmission ? "-->>" : "-->");
        rep_out_msg_label(m, label, sizeof label);
        fprintf(out, "P%zu %s P%zu : ", c.src[i] + 1, arrow, c.dst[i] + 1);
        _puml_text(out, label);
        fputs(m->retransmission ? " (retrans)\n" : "\n", out);
        _notes(out, rec, &c, i, &note, 0, _puml_text);
    }
    if (rec->msgs_dropped && c.n)
        fprintf(out, "note over P1 : %llu more messages not kept\n", (unsigned long long)rec->msgs_dropped);
    fputs("@enduml\n", out);
    rep_cols_free(&c);
}
