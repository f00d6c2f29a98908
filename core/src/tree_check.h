/* tree_check.h -- structural invariants of a libxml2 tree built or changed by
 * lode (cf. cmark_node_check).  Used by the unit tests after every reader,
 * writer round trip and mutation, and by debug builds. */
#ifndef LODE_TREE_CHECK_H
#define LODE_TREE_CHECK_H

#include <stddef.h>
#include <libxml/tree.h>

/* Returns 0 if doc is consistent: every node's parent/doc pointers, sibling
 * links (prev/next/last), element and attribute names non-empty valid UTF-8,
 * text content valid UTF-8 without NUL, and exactly one root element for
 * XML documents.  Otherwise returns -1 and writes what is wrong to err. */
int tree_check(const xmlDoc *doc, char *err, size_t errlen);

/* Returns 1 if the elements under root (root itself level 1) nest deeper
 * than limit levels, else 0.  Iterative.  The readers' max_depth check. */
int tree_too_deep(const xmlNode *root, unsigned limit);

#endif
