/* doc.h -- the document object. */
#ifndef LODE_DOC_H
#define LODE_DOC_H

#include <libxml/tree.h>
#include "engine.h"

/* A document is shared between its owner (the host or the runner) and the
 * Lua values that point into it: lode_doc_free() drops one reference and the
 * last one frees the tree, so no Lua node can outlive its document.  Nodes a
 * script removes or creates but never inserts are parked (remembered in
 * `parked`) instead of being freed, so a stale Lua
 * handle never points at freed memory; they go with the document.  Parked
 * nodes stay unlinked (no parent, no siblings), so nothing in the tree API
 * can see or reach the list. */
struct lode_doc {
    lode_engine *engine;
    xmlDoc *xml;
    char *name;         /* source name (mem_alloc) */
    const char *format; /* static format name */
    int refs;           /* owners: 1 at creation */
    size_t bytes;       /* size of the source, 0 if unknown (a hint for Lua's collector) */
    unsigned long edits; /* bumped by every structural or attribute edit from Lua, so
                            caches of match results know when to start over */
    xmlNode **parked;   /* nodes that left the tree or were never in it (mem_alloc) */
    size_t nparked, capparked;
    struct json_t *meta; /* metadata from lode_doc_set_meta: a jansson object (one
                            reference, dropped with the document), or NULL */
};

/* Takes one more reference to d. */
void doc_retain(lode_doc *d);
/* Remembers n (unlinked) so that it is freed with d if it is still
 * detached then.  Returns 0, or -1 on OOM (n is then not remembered). */
int doc_park(lode_doc *d, xmlNode *n);
/* Makes room to park `more` nodes without allocating: 0, or -1 on OOM. */
int doc_park_reserve(lode_doc *d, size_t more);

#endif
