/* lua_query.h -- CSS selectors and XPath for the Lua API, with per-state
 * caches of compiled selectors and expressions. */
#ifndef LODE_LUA_QUERY_H
#define LODE_LUA_QUERY_H

#include <lua.h>
#include <libxml/tree.h>

#include "engine.h"
#include "select.h"

/* Registry key of the engine (lightuserdata) that owns the state. */
#define LQUERY_ENGINE "lode.engine"

/* The engine of the state (raises if none was set). */
lode_engine *lquery_engine(lua_State *L);

/* The compiled selector for the string at idx (compiled once per state).  A
 * malformed selector raises an error quoting it with a caret. */
const selector *lquery_selector(lua_State *L, int idx);

/* Calls cb for each element among scope's descendants that s matches, in
 * document order (cb returns nonzero to stop), under the sandbox's step
 * limit, whose error it raises.  A scope that is not an element or a
 * document has no descendants to match. */
void lquery_each(lua_State *L, const selector *s, xmlNode *scope, int (*cb)(xmlNode *el, void *ud), void *ud);

/* Evaluates the XPath expression at expridx (optional prefix->URI table at
 * nsidx) with node as the context node and pushes the result: an array of
 * nodes (attributes and namespaces as their string values), or a string,
 * number or boolean. */
int lquery_xpath(lua_State *L, xmlNode *node, int expridx, int nsidx, int docidx);

#endif
