/* tree_edit.h -- structural edits that never free or merge nodes.
 *
 * libxml2's own helpers are unsafe under Lua handles: xmlAddChild and
 * xmlAddNextSibling *merge* adjacent text nodes and free the one added,
 * xmlNodeSetContent frees the children it replaces, xmlReplaceNode leaves
 * the caller to free.  A Lua script may hold a handle to any of those
 * nodes, so lode edits trees only through these functions: they relink
 * pointers, and nodes that leave the tree are parked (doc_detached) until
 * the document itself is freed. */
#ifndef LODE_TREE_EDIT_H
#define LODE_TREE_EDIT_H

#include <libxml/tree.h>

/* Detaches n from its parent and siblings (n keeps its subtree). */
void tree_unlink(xmlNode *n);
/* Links the detached node n as the last / first child of parent. */
void tree_append(xmlNode *parent, xmlNode *n);
void tree_prepend(xmlNode *parent, xmlNode *n);
/* Links the detached node n just before / after ref (which has a parent). */
void tree_insert_before(xmlNode *ref, xmlNode *n);
void tree_insert_after(xmlNode *ref, xmlNode *n);
/* 1 if n is attached to its document (its ancestors reach the doc node). */
int tree_attached(const xmlNode *n);
/* 1 if a is n or one of n's ancestors. */
int tree_is_ancestor(const xmlNode *a, const xmlNode *n);
/* Element depth of n (the root element is 1). */
unsigned tree_depth(const xmlNode *n);

#endif
