/* lua_query.c -- selector and XPath evaluation for Lua, with caches.
 *
 * Compiled selectors and XPath expressions live in registry tables keyed by
 * their source text, each boxed in a userdata whose __gc frees it, so
 * compilation happens once per state and nothing leaks when the state
 * closes.  The caches are bounded (a script that builds selectors from data
 * cannot grow them without limit): past CACHE_MAX entries a cache starts
 * over.  libxml2's XPath diagnostics are captured (xmlerr.c) and turned into
 * Lua errors; the context and result objects are also boxed, so an error
 * raised while converting results cannot leak them. */
#include <string.h>

#include <lauxlib.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "lua_query.h"
#include "lua_tree.h"
#include "sandbox.h"
#include "xmlerr.h"

#define CACHE_MAX 512
#define SEL_BOX "lode.selector"
#define XP_BOX "lode.xpath"
#define XPRUN_BOX "lode.xpathrun"

lode_engine *lquery_engine(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LQUERY_ENGINE);
    lode_engine *e = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!e)
        luaL_error(L, "lode: no engine attached to this Lua state");
    return e;
}

typedef struct sel_box {
    selector *s;
    const mem *m;
} sel_box;

static int sel_box_gc(lua_State *L)
{
    sel_box *b = luaL_checkudata(L, 1, SEL_BOX);
    if (b->s)
        select_free(b->m, b->s);
    b->s = NULL;
    return 0;
}

/* Pushes the registry cache table name, creating it (with its count in
 * field 0... kept as the table's integer key 0). */
static void push_cache(lua_State *L, const char *name)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, name) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, name);
}

/* Counts an insertion into the cache at the top; starts over when full. */
static void cache_account(lua_State *L, const char *name)
{
    lua_rawgeti(L, -1, 0);
    lua_Integer n = lua_tointeger(L, -1) + 1;
    lua_pop(L, 1);
    if (n > CACHE_MAX) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, name);
        n = 1;
    }
    lua_pushinteger(L, n);
    lua_rawseti(L, -2, 0);
}

const selector *lquery_selector(lua_State *L, int idx)
{
    size_t len;
    const char *src = luaL_checklstring(L, idx, &len);
    idx = lua_absindex(L, idx);
    push_cache(L, "lode.selcache");
    lua_pushvalue(L, idx);
    if (lua_rawget(L, -2) == LUA_TUSERDATA) {
        sel_box *b = lua_touserdata(L, -1);
        lua_pop(L, 2);
        return b->s;
    }
    lua_pop(L, 1);
    lode_engine *e = lquery_engine(L);
    cache_account(L, "lode.selcache"); /* may start a new cache table */
    sel_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->s = NULL;
    b->m = &e->mem;
    if (luaL_newmetatable(L, SEL_BOX)) {
        lua_pushcfunction(L, sel_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    char err[1024];
    if (select_compile(&e->mem, src, len, &b->s, err, sizeof err) != 0)
        return (const selector *)(luaL_error(L, "bad selector: %s", err), NULL);
    lua_pushvalue(L, idx);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4); /* cache[src] = box */
    const selector *sel = b->s;
    lua_pop(L, 2);
    return sel;
}

typedef struct collect {
    lua_State *L;
    int docidx, first;
    lua_Integer n;
    xmlNode *found;
} collect;

static int on_match(xmlNode *n, void *ud)
{
    collect *c = ud;
    if (c->first) {
        c->found = n;
        return 1;
    }
    ltree_push_node(c->L, c->docidx, n);
    lua_rawseti(c->L, -2, ++c->n);
    return 0;
}

void lquery_each(lua_State *L, const selector *s, xmlNode *scope, int (*cb)(xmlNode *el, void *ud), void *ud)
{
    select_limit lim;
    sandbox_select_limit(L, &lim);
    if (scope && (scope->type == XML_ELEMENT_NODE || scope->type == XML_DOCUMENT_NODE ||
                  scope->type == XML_HTML_DOCUMENT_NODE))
        select_each_limit(s, scope, 0, cb, ud, &lim);
    if (lim.stopped)
        sandbox_charge(L, 0); /* raises the limit's error */
}

int ltree_select(lua_State *L, xmlNode *scope, int docidx, int first)
{
    const selector *s = lquery_selector(L, 2);
    collect c = {L, lua_absindex(L, docidx), first, 0, NULL};
    if (!first)
        lua_newtable(L);
    lquery_each(L, s, scope, on_match, &c);
    if (first)
        ltree_push_node(L, c.docidx, c.found);
    return 1;
}

/* ------------------------------------------------------------------ */
/* XPath                                                               */
/* ------------------------------------------------------------------ */

typedef struct xp_box {
    xmlXPathCompExprPtr comp;
} xp_box;

static int xp_box_gc(lua_State *L)
{
    xp_box *b = luaL_checkudata(L, 1, XP_BOX);
    if (b->comp)
        xmlXPathFreeCompExpr(b->comp);
    b->comp = NULL;
    return 0;
}

typedef struct xprun_box {
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr obj;
} xprun_box;

static int xprun_box_gc(lua_State *L)
{
    xprun_box *b = luaL_checkudata(L, 1, XPRUN_BOX);
    if (b->obj)
        xmlXPathFreeObject(b->obj);
    if (b->ctx)
        xmlXPathFreeContext(b->ctx);
    b->obj = NULL;
    b->ctx = NULL;
    return 0;
}

static void new_box_mt(lua_State *L, const char *name, lua_CFunction gc)
{
    if (luaL_newmetatable(L, name)) {
        lua_pushcfunction(L, gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
}

/* The compiled expression for the string at idx. */
static xmlXPathCompExprPtr compiled(lua_State *L, int idx)
{
    const char *src = luaL_checkstring(L, idx);
    idx = lua_absindex(L, idx);
    push_cache(L, "lode.xpcache");
    lua_pushvalue(L, idx);
    if (lua_rawget(L, -2) == LUA_TUSERDATA) {
        xp_box *b = lua_touserdata(L, -1);
        lua_pop(L, 2);
        return b->comp;
    }
    lua_pop(L, 1);
    cache_account(L, "lode.xpcache");
    xp_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->comp = NULL;
    new_box_mt(L, XP_BOX, xp_box_gc);
    xmlerr x;
    xmlerr_begin(&x, NULL);
    b->comp = xmlXPathCompile(BAD_CAST src);
    xmlerr_end(&x);
    if (!b->comp)
        luaL_error(L, "bad XPath expression '%s': %s", src, x.count ? x.first : "cannot compile");
    lua_pushvalue(L, idx);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    xmlXPathCompExprPtr c = b->comp;
    lua_pop(L, 2);
    return c;
}

/* Registers the prefixes of the table at nsidx, or else every namespace in
 * scope at node (so that "//tei:p" works on a TEI file whose root declares
 * xmlns:tei). */
static void register_namespaces(lua_State *L, xmlXPathContextPtr ctx, xmlNode *node, int nsidx)
{
    if (nsidx && lua_type(L, nsidx) == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, nsidx)) {
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "xpath: namespaces must map prefix strings to URI strings");
            xmlXPathRegisterNs(ctx, BAD_CAST lua_tostring(L, -2), BAD_CAST lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        return;
    }
    xmlNode *el = node;
    if (el->type == XML_DOCUMENT_NODE || el->type == XML_HTML_DOCUMENT_NODE)
        el = xmlDocGetRootElement((xmlDoc *)el);
    while (el && el->type != XML_ELEMENT_NODE)
        el = el->parent;
    for (xmlNode *a = el; a && a->type == XML_ELEMENT_NODE; a = a->parent)
        for (xmlNs *ns = a->nsDef; ns; ns = ns->next)
            if (ns->prefix && !xmlXPathNsLookup(ctx, ns->prefix))
                xmlXPathRegisterNs(ctx, ns->prefix, ns->href);
}

int lquery_xpath(lua_State *L, xmlNode *node, int expridx, int nsidx, int docidx)
{
    expridx = lua_absindex(L, expridx);
    nsidx = lua_absindex(L, nsidx);
    docidx = lua_absindex(L, docidx);
    /* Read the optional namespace table now: the box pushed below would
     * otherwise sit at nsidx when the argument is absent. */
    int has_ns = lua_type(L, nsidx) == LUA_TTABLE;
    if (!has_ns && !lua_isnoneornil(L, nsidx) && nsidx <= lua_gettop(L) && nsidx != docidx)
        return luaL_argerror(L, nsidx, "table of prefix = URI expected");
    xmlXPathCompExprPtr comp = compiled(L, expridx);
    xprun_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->ctx = NULL;
    b->obj = NULL;
    new_box_mt(L, XPRUN_BOX, xprun_box_gc);
    int boxidx = lua_gettop(L);
    b->ctx = xmlXPathNewContext(node->doc);
    if (!b->ctx)
        return luaL_error(L, "out of memory");
    b->ctx->node = node;
    register_namespaces(L, b->ctx, node, has_ns ? nsidx : 0);
    xmlerr x;
    xmlerr_begin(&x, NULL);
    b->obj = xmlXPathCompiledEval(comp, b->ctx);
    xmlerr_end(&x);
    if (!b->obj)
        return luaL_error(L, "XPath '%s' failed: %s", lua_tostring(L, expridx),
                          x.count ? x.first : "evaluation error");
    xmlXPathObjectPtr o = b->obj;
    switch (o->type) {
    case XPATH_NODESET: {
        lua_newtable(L);
        int n = o->nodesetval ? o->nodesetval->nodeNr : 0;
        for (int i = 0; i < n; i++) {
            xmlNode *m = o->nodesetval->nodeTab[i];
            if (m->type == XML_ATTRIBUTE_NODE || m->type == XML_NAMESPACE_DECL) {
                xmlChar *v = m->type == XML_ATTRIBUTE_NODE ? xmlNodeGetContent(m)
                                                           : xmlStrdup(((xmlNs *)m)->href);
                lua_pushstring(L, v ? (const char *)v : "");
                xmlFree(v);
            } else if (m->type == XML_DOCUMENT_NODE || m->type == XML_HTML_DOCUMENT_NODE) {
                lua_pushvalue(L, docidx);
            } else {
                ltree_push_node(L, docidx, m);
            }
            lua_rawseti(L, -2, i + 1);
        }
        break;
    }
    case XPATH_BOOLEAN: lua_pushboolean(L, o->boolval); break;
    case XPATH_NUMBER: {
        double d = o->floatval;
        if (d > -9e15 && d < 9e15 && d == (double)(lua_Integer)d) /* range first: NaN fails it */
            lua_pushinteger(L, (lua_Integer)d);
        else
            lua_pushnumber(L, d);
        break;
    }
    case XPATH_STRING: lua_pushstring(L, o->stringval ? (const char *)o->stringval : ""); break;
    default: lua_pushnil(L); break;
    }
    lua_remove(L, boxidx); /* the box goes to the GC, freeing ctx and obj */
    return 1;
}
