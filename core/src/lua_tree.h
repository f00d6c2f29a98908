/* lua_tree.h -- the document tree as Lua values (lua_doc.c, lua_node.c).
 *
 * A document userdata ("lode.document") holds one reference to a lode_doc;
 * its first user value is the node cache, a weak-valued table from
 * lightuserdata(xmlNode*) to the node's userdata, so there is one userdata
 * per node at a time and `==` and table keys work.  A node userdata
 * ("lode.node") holds the xmlNode* and pins its document through its first
 * user value.  Nodes are never freed while the document lives (tree_edit.h),
 * so a node userdata can never point at freed memory, whatever the script
 * does. */
#ifndef LODE_LUA_TREE_H
#define LODE_LUA_TREE_H

#include <lua.h>
#include <libxml/tree.h>

#include "buf.h"
#include "doc.h"

#define LTREE_DOC "lode.document"
#define LTREE_NODE "lode.node"

typedef struct ltree_doc {
    lode_doc *doc; /* NULL once closed */
} ltree_doc;

typedef struct ltree_node {
    xmlNode *node;
} ltree_node;

/* Registers the document metatable (idempotent); the node metatable is
 * registered with the state's first node (ltree_push_node). */
void ltree_open(lua_State *L);

/* Pushes a new document userdata that takes one reference to d. */
void ltree_push_doc(lua_State *L, lode_doc *d);
/* The lode_doc of the document userdata at idx (raises if not one). */
lode_doc *ltree_check_doc(lua_State *L, int idx);
/* Pushes the unique userdata of n; docidx is the stack index of n's
 * document userdata.  Pushes nil for NULL. */
void ltree_push_node(lua_State *L, int docidx, xmlNode *n);
/* The node of the node userdata at idx (raises if not one). */
xmlNode *ltree_check_node(lua_State *L, int idx);
/* Pushes the document userdata of the node userdata at idx. */
void ltree_push_owner(lua_State *L, int idx);

/* Queries scope's descendants with the selector at stack index 2 and pushes
 * an array of nodes (first == 0) or the first match or nil (first == 1). */
int ltree_select(lua_State *L, xmlNode *scope, int docidx, int first);
/* The bulk edits of ltree_edit_all. */
enum { LTREE_UNWRAP_ALL, LTREE_REMOVE_ALL, LTREE_RENAME_ALL, LTREE_KEEP_ATTRS_ALL };
/* Edits every element among scope's descendants that matches the selector
 * at stack index 2, all matched before any is changed: op LTREE_REMOVE_ALL
 * removes, LTREE_UNWRAP_ALL unwraps (never the root element),
 * LTREE_RENAME_ALL renames to the name at index 3, LTREE_KEEP_ATTRS_ALL
 * keeps only the attributes named at indices 3 and up.  Pushes how many
 * were changed. */
int ltree_edit_all(lua_State *L, lode_doc *d, xmlNode *scope, int op);
/* Builds an element in d from the arguments (name [, attrs] [, child...])
 * starting at stack index base and pushes it; prefixes resolve at context. */
int ltree_make_element(lua_State *L, int docidx, lode_doc *d, int base, xmlNode *context);
/* Renders n (the whole document if n is its root or NULL) with the writer
 * fmt and pushes the string; raises with the writer's message on failure. */
int ltree_write_subtree(lua_State *L, lode_doc *d, xmlNode *n, const char *fmt);
/* Pushes a userdata that owns a new, empty buf (freed by its __gc, so a Lua
 * error cannot leak it) and returns the buf. */
buf *ltree_push_buf(lua_State *L, const mem *m);

/* The state's scratch buffer, emptied: for a function that fills it in C
 * without calling Lua, then pushes the result.  Its memory comes from the
 * state's allocator and stays with the state (a Lua error cannot leak it);
 * the next call may reuse or replace it.  Pushes nothing; may raise a
 * memory error the first time.  NULL while the state closes (a script's
 * finalizer running after the buffer's own): use ltree_push_buf then. */
buf *ltree_scratch_buf(lua_State *L);
/* The two metatables (idempotent): ltree_open makes the document's, the
 * first ltree_push_node the node's. */
void ltree_open_node(lua_State *L);
void ltree_open_doc(lua_State *L);

#endif
