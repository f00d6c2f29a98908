/* node_text.h -- the text of a subtree, the one definition shared by
 * node:text() in Lua, node values in records and `lode query --text`. */
#ifndef LODE_NODE_TEXT_H
#define LODE_NODE_TEXT_H

#include <libxml/tree.h>

#include "buf.h"

/* Bytes of entity text one call may add (HARDENING 1.2: a few hundred KB
 * of references to one entity would otherwise become gigabytes). */
#define NODE_TEXT_ENTITY_MAX ((size_t)16 << 20)

/* Appends the text below n to out: every text and CDATA node in document
 * order, plus the text of predefined and (small) internal entities that
 * references stand for; a comment or PI gives its own content.  With
 * normalize, runs of whitespace (space, tab, CR, LF, FF and U+00A0) become
 * one space and the result is trimmed.  Nothing is allocated but out's
 * growth (sticky: check buf_ok).  Returns 0, or -1 when the entity text
 * passed NODE_TEXT_ENTITY_MAX (the references from there on added
 * nothing): callers report that as an error. */
int node_text_append(const xmlNode *n, buf *out, int normalize);

#endif
