/* doc.h -- the document object. */
#ifndef LODE_DOC_H
#define LODE_DOC_H

#include <libxml/tree.h>
#include "engine.h"

/* A document is shared between its owner (the host or the runner) and the
 * Lua values that point into it: lode_doc_free() drops one reference and the
 * last one frees the tree, so no Lua node can outlive its document.  Nodes a
 * script removes or creates but never inserts are parked under `detached`
 * (an element outside the tree) instead of being freed, so a stale Lua
 * handle never points at freed memory; they go with the document. */
struct lode_doc {
    lode_engine *engine;
    xmlDoc *xml;
    char *name;         /* source name (mem_alloc) */
    const char *format; /* static format name */
    int refs;           /* owners: 1 at creation */
    size_t bytes;       /* size of the source, 0 if unknown (a hint for Lua's collector) */
    unsigned long edits; /* bumped by every structural or attribute edit from Lua, so
                            caches of match results know when to start over */
    xmlNode *detached;  /* parking element for nodes outside the tree, or NULL */
};

/* Takes one more reference to d. */
void doc_retain(lode_doc *d);
/* The parking element of d, created on first use; NULL on OOM. */
xmlNode *doc_detached(lode_doc *d);

#endif
