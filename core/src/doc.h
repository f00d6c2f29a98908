/* doc.h -- the document object. */
#ifndef LODE_DOC_H
#define LODE_DOC_H

#include <libxml/tree.h>
#include "engine.h"

struct lode_doc {
    lode_engine *engine;
    xmlDoc *xml;
    char *name;         /* source name (mem_alloc) */
    const char *format; /* static format name */
};

#endif
