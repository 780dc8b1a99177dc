/* links.c - B2BUA leg linking: which live record carries a Session-ID.
 *
 * A B2BUA starts a new Call-ID on its outgoing leg; RFC 7989 has it pass the
 * Session-ID UUID on unchanged, and many B2BUAs copy the incoming Call-ID
 * into X-CID / X-Call-ID. correlate resolves X-CID by its Call-ID table;
 * Session-IDs need their own index, kept here: UUID hash -> the first live
 * record that carried it. Only initial INVITEs with a Session-ID add an
 * entry, and a record's entry goes when the record finishes, so the index
 * is bounded by the live records. */
#include <stdlib.h>
#include "cor_int.h"

#define _LINKS_INITIAL 64u

int cor_links_put(cor_links *l, uint64_t h, void *rec)
{
    if ((l->n + 1) * 2 > l->cap) {
        size_t nc = l->cap ? l->cap * 2 : _LINKS_INITIAL;
        cor_link_slot *s = calloc(nc, sizeof *s);
        if (s == NULL)
            return -1;
        for (size_t i = 0; i < l->cap; i++)
            if (l->slot[i].rec) {
                size_t j = (size_t)l->slot[i].h & (nc - 1);
                while (s[j].rec)
                    j = (j + 1) & (nc - 1);
                s[j] = l->slot[i];
            }
        free(l->slot);
        l->slot = s;
        l->cap = nc;
    }
    size_t mask = l->cap - 1, i = (size_t)h & mask;
    while (l->slot[i].rec)
        i = (i + 1) & mask;
    l->slot[i].h = h;
    l->slot[i].rec = rec;
    l->n++;
    return 0;
}

void *cor_links_find(const cor_links *l, uint64_t h)
{
    if (l->cap == 0)
        return NULL;
    size_t mask = l->cap - 1;
    for (size_t i = (size_t)h & mask; l->slot[i].rec; i = (i + 1) & mask)
        if (l->slot[i].h == h)
            return l->slot[i].rec;
    return NULL;
}

void cor_links_del(cor_links *l, uint64_t h, const void *rec)
{
    if (l->cap == 0)
        return;
    size_t mask = l->cap - 1, i = (size_t)h & mask;
    while (l->slot[i].rec != rec) {
        if (l->slot[i].rec == NULL)
            return;
        i = (i + 1) & mask;
    }
    /* backward-shift deletion, as the Call-ID table does */
    for (size_t j = (i + 1) & mask; l->slot[j].rec; j = (j + 1) & mask) {
        size_t home = (size_t)l->slot[j].h & mask;
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            l->slot[i] = l->slot[j];
            i = j;
        }
    }
    l->slot[i].rec = NULL;
    l->slot[i].h = 0;
    l->n--;
}

void cor_links_free(cor_links *l)
{
    free(l->slot);
    l->slot = NULL;
    l->cap = l->n = 0;
}
