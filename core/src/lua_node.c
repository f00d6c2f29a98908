/* lua_node.c -- the node userdata ("lode.node"): navigation, reading,
 * querying and editing of the tree from Lua.
 *
 * Error styles (docs/lua-api.md): wrong argument types and impossible edits
 * (inserting a node into itself, removing the document's root) raise with a
 * position; nothing here returns nil,msg except lookups that simply find
 * nothing.  Every edit goes through tree_edit.c, so no node is ever freed or
 * merged while the document lives. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "buf.h"
#include "doc.h"
#include "format.h"
#include "lua_query.h"
#include "lua_tree.h"
#include "node_text.h"
#include "sandbox.h"
#include "tree_edit.h"
#include "utf8.h"

/* ------------------------------------------------------------------ */
/* userdata plumbing                                                   */
/* ------------------------------------------------------------------ */

static lode_doc *owner_doc(lua_State *L, int idx)
{
    lua_getiuservalue(L, idx, 1);
    lode_doc *d = ltree_check_doc(L, -1);
    lua_pop(L, 1);
    return d;
}

/* A node is usable while its document is.  The check matters in one case
 * only: a finalizer (__gc of a script's table) that runs after the
 * document's own finalizer in the same collection cycle and still holds a
 * node; without it that node would point into a freed tree. */
xmlNode *ltree_check_node(lua_State *L, int idx)
{
    ltree_node *u = luaL_checkudata(L, idx, LTREE_NODE);
    lua_getiuservalue(L, idx, 1);
    ltree_doc *d = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!d || !d->doc)
        luaL_error(L, "the node's document was already freed");
    return u->node;
}

void ltree_push_owner(lua_State *L, int idx)
{
    lua_getiuservalue(L, idx, 1);
}

void ltree_push_node(lua_State *L, int docidx, xmlNode *n)
{
    if (!n) {
        lua_pushnil(L);
        return;
    }
    docidx = lua_absindex(L, docidx);
    lua_getiuservalue(L, docidx, 1); /* cache */
    lua_pushlightuserdata(L, n);
    if (lua_rawget(L, -2) != LUA_TNIL) {
        lua_remove(L, -2); /* cache */
        return;
    }
    lua_pop(L, 1);
    ltree_node *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->node = n;
    if (luaL_getmetatable(L, LTREE_NODE) == LUA_TNIL) {
        /* the state's first node: its metatable, with the hundred methods,
         * is made now, not at start-up (a script may never see a node) */
        lua_pop(L, 1);
        ltree_open_node(L);
        luaL_getmetatable(L, LTREE_NODE);
    }
    lua_setmetatable(L, -2);
    lua_pushvalue(L, docidx);
    lua_setiuservalue(L, -2, 1); /* pin the document */
    lua_pushlightuserdata(L, n);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4); /* cache[n] = userdata */
    lua_remove(L, -2); /* cache */
}

/* Pushes n as a node of the same document as the node at self. */
static void push_sibling_node(lua_State *L, int self, xmlNode *n)
{
    if (!n) {
        lua_pushnil(L);
        return;
    }
    ltree_push_owner(L, self);
    ltree_push_node(L, -1, n);
    lua_remove(L, -2);
}

static int is_element(const xmlNode *n)
{
    return n && n->type == XML_ELEMENT_NODE;
}

static int is_html(const xmlNode *n)
{
    return n->doc && n->doc->type == XML_HTML_DOCUMENT_NODE;
}

/* ------------------------------------------------------------------ */
/* reading                                                             */
/* ------------------------------------------------------------------ */

static const char *type_name(const xmlNode *n)
{
    switch (n->type) {
    case XML_ELEMENT_NODE: return "element";
    case XML_TEXT_NODE: return "text";
    case XML_CDATA_SECTION_NODE: return "cdata";
    case XML_COMMENT_NODE: return "comment";
    case XML_PI_NODE: return "pi";
    case XML_ENTITY_REF_NODE: return "entity";
    default: return "other";
    }
}

/* [-0, +1, -] node:type() -> "element"|"text"|"cdata"|"comment"|"pi"|"entity" */
static int node_type(lua_State *L)
{
    lua_pushstring(L, type_name(ltree_check_node(L, 1)));
    return 1;
}

/* [-0, +1, -] node:name() -> tag name with prefix ("p", "svg:rect"), or
 * "#text", "#comment", "#cdata", PI target, entity name */
static int node_name(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    switch (n->type) {
    case XML_ELEMENT_NODE:
        if (n->ns && n->ns->prefix)
            lua_pushfstring(L, "%s:%s", (const char *)n->ns->prefix, (const char *)n->name);
        else
            lua_pushstring(L, (const char *)n->name);
        break;
    case XML_TEXT_NODE: lua_pushliteral(L, "#text"); break;
    case XML_CDATA_SECTION_NODE: lua_pushliteral(L, "#cdata"); break;
    case XML_COMMENT_NODE: lua_pushliteral(L, "#comment"); break;
    default: lua_pushstring(L, n->name ? (const char *)n->name : ""); break;
    }
    return 1;
}

/* Whether attribute a of n is the one `name` (with an optional "prefix:")
 * names, as node:attr finds it. */
static int attr_named(const xmlNode *n, const xmlAttr *a, const char *name)
{
    if (a->ns && a->ns->prefix) {
        const char *colon = strchr(name, ':');
        size_t pl = colon ? (size_t)(colon - name) : 0;
        return colon && strlen((const char *)a->ns->prefix) == pl && memcmp(a->ns->prefix, name, pl) == 0 &&
               strcmp((const char *)a->name, colon + 1) == 0;
    }
    /* no namespace: the whole name, colon and all (the HTML parser keeps
     * xmlns:og or xml:lang as plain names) */
    return is_html(n) ? xmlStrcasecmp(a->name, BAD_CAST name) == 0 : strcmp((const char *)a->name, name) == 0;
}

/* Finds attribute name (with an optional "prefix:") on n. */
static xmlAttr *find_attr(xmlNode *n, const char *name)
{
    for (xmlAttr *a = n->properties; a; a = a->next)
        if (attr_named(n, a, name))
            return a;
    return NULL;
}

/* Pushes the value of attribute a (concatenated text children). */
static void push_attr_value(lua_State *L, const xmlAttr *a)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const xmlNode *c = a->children; c; c = c->next)
        if (c->content)
            luaL_addstring(&b, (const char *)c->content);
    luaL_pushresult(&b);
}

/* [-0, +1, e] node:attr(name) -> string|nil */
static int node_attr(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    const char *name = luaL_checkstring(L, 2);
    xmlAttr *a = is_element(n) ? find_attr(n, name) : NULL;
    if (!a)
        lua_pushnil(L);
    else
        push_attr_value(L, a);
    return 1;
}

/* [-0, +1, e] node:attrs() -> {name = value, ...} */
static int node_attrs(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lua_newtable(L);
    if (!is_element(n))
        return 1;
    for (xmlAttr *a = n->properties; a; a = a->next) {
        if (a->ns && a->ns->prefix)
            lua_pushfstring(L, "%s:%s", (const char *)a->ns->prefix, (const char *)a->name);
        else
            lua_pushstring(L, (const char *)a->name);
        push_attr_value(L, a);
        lua_rawset(L, -3);
    }
    return 1;
}

/* [-0, +1, e] node:has_class(name) -> boolean */
static int node_has_class(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    size_t cl;
    const char *c = luaL_checklstring(L, 2, &cl);
    xmlAttr *a = is_element(n) ? find_attr(n, "class") : NULL;
    int found = 0;
    if (a && a->children && a->children->content && cl) {
        const char *s = (const char *)a->children->content;
        while (*s && !found) {
            while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f')
                s++;
            const char *e = s;
            while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r' && *e != '\f')
                e++;
            if ((size_t)(e - s) == cl && memcmp(s, c, cl) == 0)
                found = 1;
            s = e;
        }
    }
    lua_pushboolean(L, found);
    return 1;
}

/* [-0, +1, e] node:text([how]) -> string.  how = "raw" (default: all
 * descendant text concatenated) or "normalize" (whitespace runs collapsed to
 * one space, trimmed). */
static int node_text(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    static const char *const hows[] = {"raw", "normalize", NULL};
    int how = luaL_checkoption(L, 2, "raw", hows);
    buf *b = ltree_scratch_buf(L);
    int boxed = !b; /* the state is closing: a buffer of its own, freed here */
    if (boxed)
        b = ltree_push_buf(L, &owner_doc(L, 1)->engine->mem);
    if (node_text_append(n, b, how == 1) < 0)
        return luaL_error(L, "text: entity references in the node expand to more than %d MiB (limit)",
                          (int)(NODE_TEXT_ENTITY_MAX >> 20));
    if (!buf_ok(b))
        return luaL_error(L, "out of memory");
    lua_pushlstring(L, b->ptr ? b->ptr : "", b->len);
    if (boxed)
        buf_free(b);
    return 1;
}

/* [-0, +1, -] node:line() -> integer|nil (source line, where known) */
static int node_line(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    long line = xmlGetLineNo(n);
    if (line > 0)
        lua_pushinteger(L, line);
    else
        lua_pushnil(L);
    return 1;
}

/* [-0, +1, e] node:path() -> string, an XPath locating the node
 * ("/html/body/p[3]") */
static int node_path(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    xmlChar *p = xmlGetNodePath(n);
    if (!p)
        return luaL_error(L, "out of memory");
    lua_pushstring(L, (const char *)p); /* on a memory error, p leaks once: acceptable */
    xmlFree(p);
    return 1;
}

/* ------------------------------------------------------------------ */
/* navigation                                                          */
/* ------------------------------------------------------------------ */

/* [-0, +1, -] node:parent() -> node|nil (nil for the root element) */
static int node_parent(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    xmlNode *p = n->parent;
    push_sibling_node(L, 1, is_element(p) ? p : NULL);
    return 1;
}

/* [-0, +1, -] node:next() / node:prev() -> the next/previous sibling of any
 * kind (text included), or nil */
static int node_next(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    push_sibling_node(L, 1, n->parent ? n->next : NULL);
    return 1;
}

static int node_prev(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    push_sibling_node(L, 1, n->parent ? n->prev : NULL);
    return 1;
}

/* [-0, +1, -] node:next_element() / node:prev_element() -> element|nil */
static int node_next_element(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    xmlNode *s = n->parent ? n->next : NULL;
    while (s && !is_element(s))
        s = s->next;
    push_sibling_node(L, 1, s);
    return 1;
}

static int node_prev_element(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    xmlNode *s = n->parent ? n->prev : NULL;
    while (s && !is_element(s))
        s = s->prev;
    push_sibling_node(L, 1, s);
    return 1;
}

/* [-0, +1, -] node:first_child() / node:last_child() -> node|nil */
static int node_first_child(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    push_sibling_node(L, 1, is_element(n) ? n->children : NULL);
    return 1;
}

static int node_last_child(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    push_sibling_node(L, 1, is_element(n) ? n->last : NULL);
    return 1;
}

/* [-0, +1, e] node:children([kind]) -> array of child nodes.  kind
 * "all" (default: elements, text, comments, ...) or "elements". */
static int node_children(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    static const char *const kinds[] = {"all", "elements", NULL};
    int only_elements = luaL_checkoption(L, 2, "all", kinds);
    lua_newtable(L);
    if (!is_element(n))
        return 1;
    ltree_push_owner(L, 1);
    int docidx = lua_gettop(L);
    lua_Integer i = 0;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (only_elements && !is_element(c))
            continue;
        ltree_push_node(L, docidx, c);
        lua_rawseti(L, -3, ++i);
    }
    lua_pop(L, 1);
    return 1;
}

/* [-0, +1, -] node:doc() -> the document */
static int node_doc(lua_State *L)
{
    ltree_check_node(L, 1);
    ltree_push_owner(L, 1);
    return 1;
}

/* ------------------------------------------------------------------ */
/* querying                                                            */
/* ------------------------------------------------------------------ */

/* [-0, +1, e] node:select(selector) -> array of matching descendants, in
 * document order.  A malformed selector raises with a caret. */
static int node_select(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    ltree_push_owner(L, 1);
    return ltree_select(L, n, lua_gettop(L), 0);
}

/* [-0, +1, e] node:first(selector) -> the first matching descendant or nil */
static int node_first(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    ltree_push_owner(L, 1);
    return ltree_select(L, n, lua_gettop(L), 1);
}

/* [-0, +1, e] node:matches(selector) -> boolean */
static int node_matches(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    const selector *s = lquery_selector(L, 2);
    select_limit lim;
    sandbox_select_limit(L, &lim);
    int m = is_element(n) && select_matches_limit(s, n, NULL, &lim);
    if (lim.stopped)
        sandbox_charge(L, 0); /* raises the limit's error */
    lua_pushboolean(L, m);
    return 1;
}

/* [-0, +1, e] node:closest(selector) -> the node itself or its nearest
 * ancestor that matches, or nil */
static int node_closest(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    const selector *s = lquery_selector(L, 2);
    select_limit lim;
    sandbox_select_limit(L, &lim);
    for (xmlNode *a = n; a; a = a->parent) {
        int m = is_element(a) && select_matches_limit(s, a, NULL, &lim);
        if (lim.stopped)
            sandbox_charge(L, 0);
        if (m) {
            push_sibling_node(L, 1, a);
            return 1;
        }
    }
    lua_pushnil(L);
    return 1;
}

/* [-0, +1, e] node:xpath(expr [, namespaces]) -> array of nodes (attributes
 * as their string values) | string | number | boolean */
static int node_xpath(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lua_settop(L, 3); /* expr, namespaces (or nil) */
    ltree_push_owner(L, 1);
    return lquery_xpath(L, n, 2, 3, 4);
}

/* ------------------------------------------------------------------ */
/* editing                                                             */
/* ------------------------------------------------------------------ */

/* Parks n (already unlinked): it stays valid until the document goes.  On
 * OOM n is freed (it was unreachable from Lua until now) and we raise. */
static void park_new(lua_State *L, lode_doc *d, xmlNode *n)
{
    if (doc_park(d, n) < 0) {
        xmlFreeNode(n);
        luaL_error(L, "out of memory");
    }
}

/* Unlinks n and parks it (it stays valid until the document goes).  The
 * parking slot is taken first, so a memory error leaves the tree as it was. */
static void detach(lua_State *L, lode_doc *d, xmlNode *n)
{
    if (doc_park(d, n) < 0)
        luaL_error(L, "out of memory");
    d->edits++;
    tree_unlink(n);
}

/* 1 if n is the document's root element (which must stay in place). */
static int is_root(const xmlNode *n)
{
    return n->parent && (n->parent->type == XML_DOCUMENT_NODE || n->parent->type == XML_HTML_DOCUMENT_NODE) &&
           n->type == XML_ELEMENT_NODE;
}

/* Argument at idx as a node to insert near target (in document d): a node
 * of the same document is moved; a node of another document is copied; a
 * string becomes a new text node.  Raises if the move would put an
 * ancestor inside its own descendant. */
static xmlNode *insertable(lua_State *L, lode_doc *d, int idx, const xmlNode *target_parent)
{
    xmlNode *n;
    if (lua_type(L, idx) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (!utf8_xml_text((const unsigned char *)s, len))
            luaL_argerror(L, idx, "text must be valid UTF-8 without control characters (XML cannot hold them)");
        n = xmlNewDocTextLen(d->xml, BAD_CAST s, (int)len);
        if (!n)
            luaL_error(L, "out of memory");
        park_new(L, d, n); /* owned by the document until linked */
        return n;
    }
    n = ltree_check_node(L, idx);
    /* Only content: a doctype moved into an element is lost (unlinking it
     * clears doc->intSubset, and xmlFreeNodeList skips DTD nodes). */
    if (strcmp(type_name(n), "other") == 0)
        luaL_argerror(L, idx, "cannot insert a document, attribute or doctype");
    if (n->doc != d->xml) {
        xmlNode *copy = xmlDocCopyNode(n, d->xml, 1);
        if (!copy)
            luaL_error(L, "out of memory");
        park_new(L, d, copy);
        return copy;
    }
    if (is_root(n))
        luaL_argerror(L, idx, "cannot move the root element out of its place");
    if (target_parent && tree_is_ancestor(n, target_parent))
        luaL_error(L, "cannot insert a node into itself or its own descendant");
    return n;
}

/* Checks that n can take children. */
static void check_container(lua_State *L, xmlNode *n, const char *what)
{
    if (!is_element(n))
        luaL_error(L, "%s: only elements have children (this is a %s node)", what, type_name(n));
}

static int insert(lua_State *L, int where)
{
    xmlNode *n = ltree_check_node(L, 1);
    lode_doc *d = owner_doc(L, 1);
    int top = lua_gettop(L);
    if (top < 2)
        luaL_argerror(L, 2, "node or string expected");
    if (where == 'a' || where == 'p')
        check_container(L, n, where == 'a' ? "append" : "prepend");
    else if (!n->parent || n->parent->type != XML_ELEMENT_NODE)
        luaL_error(L, "%s: the node has no parent element", where == 'b' ? "before" : "after");
    xmlNode *prev = NULL;
    d->edits++;
    /* Several arguments are inserted in the order given. */
    for (int i = 2; i <= top; i++) {
        xmlNode *c = insertable(L, d, i, where == 'a' || where == 'p' ? n : n->parent);
        if (c == n)
            luaL_argerror(L, i, "cannot insert a node next to itself");
        tree_unlink(c);
        if (where == 'a')
            tree_append(n, c);
        else if (where == 'p')
            prev ? tree_insert_after(prev, c) : tree_prepend(n, c);
        else if (where == 'b')
            tree_insert_before(n, c);
        else
            prev ? tree_insert_after(prev, c) : tree_insert_after(n, c);
        prev = c;
    }
    lua_settop(L, 1);
    return 1;
}

/* [-0, +1, e] node:append(x, ...) / node:prepend(x, ...) -> node.  x is a
 * node (moved; copied if from another document) or a string (new text). */
static int node_append(lua_State *L) { return insert(L, 'a'); }
static int node_prepend(lua_State *L) { return insert(L, 'p'); }
/* [-0, +1, e] node:before(x, ...) / node:after(x, ...) -> node */
static int node_before(lua_State *L) { return insert(L, 'b'); }
static int node_after(lua_State *L) { return insert(L, 'f'); }

/* [-0, +1, e] node:remove() -> node (detached; it can be inserted again) */
static int node_remove(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lode_doc *d = owner_doc(L, 1);
    if (n->parent) {
        if (is_root(n))
            return luaL_error(L, "remove: cannot remove the root element");
        detach(L, d, n);
    }
    lua_settop(L, 1);
    return 1;
}

/* [-0, +1, e] node:replace(x) -> x's node (n is detached) */
static int node_replace(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lode_doc *d = owner_doc(L, 1);
    if (!n->parent)
        return luaL_error(L, "replace: the node is not in the document");
    if (n->parent->type != XML_ELEMENT_NODE)
        return luaL_error(L, "replace: cannot replace the root element");
    xmlNode *c = insertable(L, d, 2, n->parent);
    if (c == n) {
        lua_settop(L, 1);
        return 1;
    }
    if (tree_is_ancestor(n, c))
        return luaL_error(L, "replace: cannot replace a node by its own descendant");
    d->edits++;
    tree_unlink(c);
    tree_insert_before(n, c);
    detach(L, d, n);
    push_sibling_node(L, 1, c);
    return 1;
}

/* The namespace declared for the prefix of name (colon points into name)
 * in scope at context, or NULL. */
static xmlNs *find_ns(xmlDoc *doc, xmlNode *context, const char *name, const char *colon)
{
    char prefix[128];
    size_t pl = (size_t)(colon - name);
    if (pl == 0 || pl >= sizeof prefix)
        return NULL;
    memcpy(prefix, name, pl);
    prefix[pl] = 0;
    return xmlSearchNs(doc, context, BAD_CAST prefix);
}

/* Creates an element named name (with an optional "prefix:" resolved on
 * context) in d, parked. */
/* Is name (len bytes, no NUL among them) a valid element name? */
static int is_element_name(const char *name, size_t len)
{
    return len && strlen(name) == len && utf8_validate((const unsigned char *)name, len, NULL) == 0 &&
           xmlValidateName(BAD_CAST name, 0) == 0;
}

/* Removes every attribute of element n but those named at stack indices
 * first..last (as node:attr finds them).  Whether one was removed. */
static int keep_only(lua_State *L, xmlNode *n, int first, int last)
{
    int dropped = 0;
    xmlAttr *next;
    for (xmlAttr *a = n->properties; a; a = next) {
        next = a->next;
        int keep = 0;
        for (int i = first; i <= last && !keep; i++)
            keep = attr_named(n, a, lua_tostring(L, i));
        if (!keep) {
            xmlRemoveProp(a);
            dropped = 1;
        }
    }
    return dropped;
}

static xmlNode *new_element(lua_State *L, lode_doc *d, const char *name, xmlNode *context)
{
    if (!is_element_name(name, strlen(name)))
        luaL_error(L, "'%s' is not a valid element name", name);
    const char *colon = strchr(name, ':');
    xmlNs *ns = NULL;
    if (colon && d->xml->type != XML_HTML_DOCUMENT_NODE) {
        /* In XML a prefix must be declared (HTML names may hold colons). */
        ns = find_ns(d->xml, context, name, colon);
        if (!ns)
            luaL_error(L, "namespace prefix of '%s' is not declared", name);
    } else if (!colon && context && is_element(context) && context->ns && !context->ns->prefix) {
        ns = context->ns; /* inherit the default namespace, as a parser would */
    }
    xmlNode *e = xmlNewDocNode(d->xml, ns, BAD_CAST(ns && colon ? colon + 1 : name), NULL);
    if (e && !e->name) { /* libxml2 2.9.14 makes it without its name then */
        xmlFreeNode(e);
        e = NULL;
    }
    if (!e)
        luaL_error(L, "out of memory");
    park_new(L, d, e);
    return e;
}

/* [-0, +1, e] node:wrap(x) -> the wrapper.  x is an element (moved in
 * place of the node, which becomes its last child) or a tag name. */
static int node_wrap(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lode_doc *d = owner_doc(L, 1);
    if (!n->parent || n->parent->type != XML_ELEMENT_NODE)
        return luaL_error(L, "wrap: the node has no parent element");
    xmlNode *w;
    if (lua_type(L, 2) == LUA_TSTRING)
        w = new_element(L, d, lua_tostring(L, 2), n->parent);
    else {
        w = insertable(L, d, 2, n->parent);
        if (!is_element(w))
            return luaL_argerror(L, 2, "an element or a tag name expected");
        if (w == n || tree_is_ancestor(n, w))
            return luaL_error(L, "wrap: cannot wrap a node in itself or its descendant");
    }
    d->edits++;
    tree_unlink(w);
    tree_insert_before(n, w);
    tree_unlink(n);
    tree_append(w, n);
    push_sibling_node(L, 1, w);
    return 1;
}

/* [-0, +1, e] node:unwrap() -> the first of the former children, or nil.
 * The element is replaced by its children and detached. */
static int node_unwrap(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lode_doc *d = owner_doc(L, 1);
    check_container(L, n, "unwrap");
    if (!n->parent || n->parent->type != XML_ELEMENT_NODE)
        return luaL_error(L, "unwrap: the element has no parent element (the root cannot be unwrapped)");
    xmlNode *first = n->children;
    d->edits++;
    while (n->children) {
        xmlNode *c = n->children;
        tree_unlink(c);
        tree_insert_before(n, c);
    }
    detach(L, d, n);
    push_sibling_node(L, 1, first);
    return 1;
}

/* ---- bulk edits: remove_all, unwrap_all, rename_all, keep_attrs_all ---- */

/* The matches, collected before the tree changes (select_each's callback
 * must not change it), as pointers in a luaL_Buffer: its memory is the Lua
 * state's and goes with it on an error. */
typedef struct edit_all {
    luaL_Buffer b;
    size_t n;
    int prune; /* remove_all: a match's descendants go with it, so the walk
                  need not look at them */
} edit_all;

static int on_edit_match(xmlNode *n, void *ud)
{
    edit_all *e = ud;
    luaL_addlstring(&e->b, (const char *)&n, sizeof n);
    e->n++;
    return e->prune && !is_root(n) ? SELECT_SKIP_BELOW : 0;
}

/* rename_all: one element to rename and its new name (a string anchored
 * on the Lua stack for the whole call). */
typedef struct rename_match {
    xmlNode *n;
    const char *name;
} rename_match;

/* rename_all's map form: the map copied out of the Lua table (keys sorted,
 * strings in the same userdata), so that nothing a finalizer might do to
 * the table during the walk can pull a string from under it. */
typedef struct map_entry {
    const char *key, *val;
} map_entry;

typedef struct rename_map {
    const map_entry *v;
    size_t n;
    edit_all *e;
} rename_map;

/* n's name becomes nm; the old one is freed unless the document's
 * dictionary holds it (as xmlNodeSetName does, which cannot report a
 * failed copy and leaves the element without a name). */
static void set_name(xmlNode *n, const xmlChar *nm)
{
    xmlDict *dict = n->doc ? n->doc->dict : NULL;
    const xmlChar *old = n->name;
    n->name = nm;
    if (old && !(dict && xmlDictOwns(dict, old)))
        xmlFree((xmlChar *)old);
}

/* A valid element name at stack index idx, or raises. */
static const char *check_element_name(lua_State *L, int idx)
{
    size_t len;
    const char *name = luaL_checklstring(L, idx, &len);
    if (!is_element_name(name, len))
        luaL_argerror(L, idx, "not a valid element name");
    return name;
}

/* Renames every m[i].n to m[i].name (a prefix resolved at each element; in
 * XML an undeclared one raises before anything is renamed).  The new names
 * are all made first (from the document's dictionary when it has one, else
 * copies), so that out of memory leaves the tree as it was. */
static lua_Integer rename_pairs(lua_State *L, lode_doc *d, const rename_match *m, size_t n)
{
    int xml = d->xml->type != XML_HTML_DOCUMENT_NODE;
    for (size_t i = 0; xml && i < n; i++) {
        const char *colon = strchr(m[i].name, ':');
        if (colon && !find_ns(d->xml, m[i].n, m[i].name, colon))
            luaL_error(L, "rename_all: namespace prefix of '%s' is not declared at <%s> (line %d)", m[i].name,
                       (const char *)m[i].n->name, (int)xmlGetLineNo(m[i].n));
    }
    /* in Lua's memory (lode's allocator): an error cannot leak it */
    const xmlChar **names = lua_newuserdatauv(L, (n ? n : 1) * sizeof *names, 0);
    xmlDict *dict = d->xml->dict;
    for (size_t i = 0; i < n; i++) {
        const char *colon = xml ? strchr(m[i].name, ':') : NULL;
        const char *local = colon ? colon + 1 : m[i].name;
        names[i] = dict ? xmlDictLookup(dict, BAD_CAST local, -1) : xmlStrdup(BAD_CAST local);
        if (!names[i]) {
            for (size_t k = 0; !dict && k < i; k++)
                xmlFree((xmlChar *)names[k]);
            luaL_error(L, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        const char *colon = xml ? strchr(m[i].name, ':') : NULL;
        if (colon)
            xmlSetNs(m[i].n, find_ns(d->xml, m[i].n, m[i].name, colon));
        set_name(m[i].n, names[i]);
    }
    lua_pop(L, 1);
    if (n)
        d->edits++;
    return (lua_Integer)n;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const map_entry *)a)->key, ((const map_entry *)b)->key);
}

/* Orders key against n's name as node:name() gives it ("prefix:local" in
 * XML when the element has a prefix), like strcmp. */
static int cmp_qname(const char *key, const xmlNode *n)
{
    const unsigned char *k = (const unsigned char *)key;
    if (n->ns && n->ns->prefix) {
        for (const xmlChar *p = n->ns->prefix; *p; p++, k++)
            if (*k != *p)
                return (int)*k - (int)*p;
        if (*k != ':')
            return (int)*k - ':';
        k++;
    }
    return strcmp((const char *)k, (const char *)n->name);
}

static int on_map_match(xmlNode *n, void *ud)
{
    rename_map *rm = ud;
    size_t lo = 0, hi = rm->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_qname(rm->v[mid].key, n);
        if (c == 0) {
            rename_match pair = {n, rm->v[mid].val};
            luaL_addlstring(&rm->e->b, (const char *)&pair, sizeof pair);
            rm->e->n++;
            return 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* rename_all(map): the table at stack index 2 copied (validated: names to
 * valid element names) into a userdata pushed on the stack; one walk over
 * scope's descendant elements collects those whose name is a key. */
static lua_Integer rename_by_map(lua_State *L, lode_doc *d, xmlNode *scope)
{
    lua_settop(L, 2);
    size_t n = 0, bytes = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        size_t kl, vl;
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "rename_all: the map's keys and values must be element names (strings)");
        const char *k = lua_tolstring(L, -2, &kl);
        const char *v = lua_tolstring(L, -1, &vl);
        if (!kl || strlen(k) != kl)
            luaL_error(L, "rename_all: '%s' is not an element name", k);
        if (!is_element_name(v, vl))
            luaL_error(L, "rename_all: '%s' is not a valid element name", v);
        n++;
        bytes += kl + vl + 2;
        lua_pop(L, 1);
    }
    map_entry *v = lua_newuserdatauv(L, n * sizeof *v + bytes + 1, 0); /* index 3 */
    char *p = (char *)(v + n), *end = p + bytes;
    size_t i = 0;
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        size_t kl = 0, vl = 0;
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kl) : NULL;
        const char *val = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &vl) : NULL;
        if (!k || !val || i == n || kl + vl + 2 > (size_t)(end - p))
            luaL_error(L, "rename_all: the map changed while it was read");
        v[i].key = memcpy(p, k, kl + 1);
        p += kl + 1;
        v[i].val = memcpy(p, val, vl + 1);
        p += vl + 1;
        i++;
        lua_pop(L, 1);
    }
    n = i;
    qsort(v, n, sizeof *v, cmp_entry);
    lua_pushliteral(L, "*"); /* index 4 */
    const selector *all = lquery_selector(L, 4);
    edit_all e;
    e.n = 0;
    e.prune = 0;
    luaL_buffinit(L, &e.b);
    rename_map rm = {v, n, &e};
    if (n)
        lquery_each(L, all, scope, on_map_match, &rm);
    return rename_pairs(L, d, (const rename_match *)(void *)luaL_buffaddr(&e.b), e.n);
}

/* keep_attrs_all: every match keeps only the attributes named at stack
 * indices 3 and up (as node:keep_attrs). */
static lua_Integer keep_attrs_matches(lua_State *L, lode_doc *d, xmlNode **m, size_t n)
{
    int top = lua_gettop(L) - 1; /* the matches' buffer is on top */
    lua_Integer changed = 0;
    for (size_t i = 0; i < n; i++)
        changed += keep_only(L, m[i], 3, top);
    if (changed)
        d->edits++;
    return changed;
}

int ltree_edit_all(lua_State *L, lode_doc *d, xmlNode *scope, int op)
{
    if (op == LTREE_RENAME_ALL && lua_type(L, 2) == LUA_TTABLE) {
        lua_pushinteger(L, rename_by_map(L, d, scope));
        return 1;
    }
    const selector *s = lquery_selector(L, 2);
    if (op == LTREE_RENAME_ALL) {
        check_element_name(L, 3);
        lua_settop(L, 3);
    } else if (op == LTREE_KEEP_ATTRS_ALL) {
        for (int i = 3; i <= lua_gettop(L); i++)
            luaL_checkstring(L, i);
    } else {
        lua_settop(L, 2);
    }
    edit_all e;
    e.n = 0;
    e.prune = op == LTREE_REMOVE_ALL;
    luaL_buffinit(L, &e.b);
    lquery_each(L, s, scope, on_edit_match, &e);
    xmlNode **m = (xmlNode **)(void *)luaL_buffaddr(&e.b);
    if (op == LTREE_RENAME_ALL) {
        /* the matches as (element, name) pairs, in a second buffer */
        const char *name = lua_tostring(L, 3);
        luaL_Buffer pb;
        luaL_buffinit(L, &pb); /* on top of e.b's, which takes nothing more */
        for (size_t i = 0; i < e.n; i++) {
            rename_match pair = {m[i], name};
            luaL_addlstring(&pb, (const char *)&pair, sizeof pair);
        }
        lua_pushinteger(L, rename_pairs(L, d, (const rename_match *)(void *)luaL_buffaddr(&pb), e.n));
        return 1;
    }
    if (op == LTREE_KEEP_ATTRS_ALL) {
        lua_pushinteger(L, keep_attrs_matches(L, d, m, e.n));
        return 1;
    }
    /* Every change below is then certain: the parking slots are taken
     * first, so that an out-of-memory error leaves the tree as it was. */
    if (e.n && doc_park_reserve(d, e.n) < 0)
        return luaL_error(L, "out of memory");
    int remove = op == LTREE_REMOVE_ALL;
    lua_Integer done = 0;
    for (size_t i = 0; i < e.n; i++) {
        xmlNode *n = m[i];
        if (is_root(n) || !n->parent)
            continue;
        if (!remove) {
            while (n->children) {
                xmlNode *c = n->children;
                tree_unlink(c);
                tree_insert_before(n, c);
            }
        }
        d->edits++;
        tree_unlink(n);
        (void)doc_park(d, n); /* cannot fail: reserved above */
        done++;
    }
    lua_pushinteger(L, done);
    return 1;
}

/* The bulk edits on the node's descendants (ltree_edit_all). */
static int node_edit_all(lua_State *L, int op)
{
    xmlNode *n = ltree_check_node(L, 1);
    return ltree_edit_all(L, owner_doc(L, 1), n, op);
}

/* [-0, +1, e] node:remove_all(selector) -> count: every matching descendant
 * element removed with its content (detached, as by node:remove).
 * node:unwrap_all(selector): replaced by its children (as by node:unwrap).
 * node:rename_all(selector, name) / node:rename_all(map): renamed (as by
 * node:rename).  node:keep_attrs_all(selector, name...): keeps only the
 * named attributes (as by node:keep_attrs); the count is of the elements
 * that lost one. */
static int node_remove_all(lua_State *L) { return node_edit_all(L, LTREE_REMOVE_ALL); }
static int node_unwrap_all(lua_State *L) { return node_edit_all(L, LTREE_UNWRAP_ALL); }
static int node_rename_all(lua_State *L) { return node_edit_all(L, LTREE_RENAME_ALL); }
static int node_keep_attrs_all(lua_State *L) { return node_edit_all(L, LTREE_KEEP_ATTRS_ALL); }

/* [-0, +1, e] node:set_text(s) -> node.  The children are replaced by one
 * text node (the old ones are detached, not freed).  On a text or comment
 * node, sets its content. */
static int node_set_text(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    if (!utf8_xml_text((const unsigned char *)s, len))
        return luaL_argerror(L, 2, "text must be valid UTF-8 without control characters (XML cannot hold them)");
    lode_doc *d = owner_doc(L, 1);
    d->edits++;
    if (n->type == XML_TEXT_NODE || n->type == XML_COMMENT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        /* Content of a leaf: safe to replace, nothing else points into it. */
        xmlNodeSetContentLen(n, BAD_CAST s, (int)len);
        lua_settop(L, 1);
        return 1;
    }
    check_container(L, n, "set_text");
    xmlNode *t = NULL;
    if (len) {
        t = xmlNewDocTextLen(d->xml, BAD_CAST s, (int)len);
        if (!t)
            return luaL_error(L, "out of memory");
        park_new(L, d, t);
    }
    while (n->children)
        detach(L, d, n->children);
    if (t)
        tree_append(n, t);
    lua_settop(L, 1);
    return 1;
}

/* Validates an attribute name and value from Lua. */
static void check_attr_args(lua_State *L, const char *name, const char *value, size_t vlen)
{
    if (!*name || xmlValidateName(BAD_CAST name, 0) != 0)
        luaL_argerror(L, 2, "not a valid attribute name");
    if (value && !utf8_xml_text((const unsigned char *)value, vlen))
        luaL_argerror(L, 3, "value must be valid UTF-8 without control characters (XML cannot hold them)");
}

/* xmlSetNsProp (with_ns) or xmlSetProp (a QName, HTML names), failing also
 * where libxml2 2.9.14 goes on after an allocation of its own failed: an
 * attribute without its name (a failed dictionary lookup; it is removed
 * again) or without its text. */
static xmlAttr *set_prop(xmlNode *n, int with_ns, xmlNs *ns, const char *name, const char *value)
{
    xmlAttr *a = with_ns ? xmlSetNsProp(n, ns, BAD_CAST name, BAD_CAST value)
                         : xmlSetProp(n, BAD_CAST name, BAD_CAST value);
    if (a && !a->name) {
        xmlUnlinkNode((xmlNode *)a);
        xmlFreeProp(a);
        return NULL;
    }
    if (a && *value && !a->children)
        return NULL;
    return a;
}

/* [-0, +1, e] node:set_attr(name, value) -> node.  value nil removes the
 * attribute; numbers are converted. */
static int node_set_attr(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    const char *name = luaL_checkstring(L, 2);
    check_container(L, n, "set_attr");
    owner_doc(L, 1)->edits++;
    if (lua_isnoneornil(L, 3)) {
        xmlAttr *a = find_attr(n, name);
        if (a)
            xmlRemoveProp(a);
        lua_settop(L, 1);
        return 1;
    }
    size_t vlen;
    const char *value = luaL_checklstring(L, 3, &vlen);
    check_attr_args(L, name, value, vlen);
    xmlAttr *a = find_attr(n, name);
    const char *colon = strchr(name, ':');
    if (a) {
        if (!set_prop(n, 1, a->ns, (const char *)a->name, value))
            return luaL_error(L, "out of memory");
    } else if (colon && !is_html(n)) {
        xmlNs *ns = find_ns(n->doc, n, name, colon);
        if (!ns)
            return luaL_error(L, "set_attr: namespace prefix of '%s' is not declared", name);
        if (!set_prop(n, 1, ns, colon + 1, value))
            return luaL_error(L, "out of memory");
    } else if (!set_prop(n, 0, NULL, name, value)) {
        return luaL_error(L, "out of memory");
    }
    lua_settop(L, 1);
    return 1;
}

/* [-0, +1, e] node:remove_attr(name) -> node */
static int node_remove_attr(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    const char *name = luaL_checkstring(L, 2);
    owner_doc(L, 1)->edits++;
    if (is_element(n)) {
        xmlAttr *a = find_attr(n, name);
        if (a)
            xmlRemoveProp(a);
    }
    lua_settop(L, 1);
    return 1;
}

/* [-(1+k), +1, e] node:keep_attrs(name...) -> node
 * Removes every attribute but the named ones (named as node:attr finds
 * them); with no name, all of them. */
static int node_keep_attrs(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    int top = lua_gettop(L);
    for (int i = 2; i <= top; i++)
        luaL_checkstring(L, i);
    owner_doc(L, 1)->edits++;
    if (is_element(n))
        keep_only(L, n, 2, top);
    lua_settop(L, 1);
    return 1;
}

/* [-0, +1, e] node:rename(name) -> node */
static int node_rename(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    luaL_checkstring(L, 2);
    check_container(L, n, "rename");
    owner_doc(L, 1)->edits++;
    const char *name = check_element_name(L, 2);
    const char *colon = strchr(name, ':');
    xmlNs *ns = NULL;
    if (colon && !is_html(n)) {
        ns = find_ns(n->doc, n, name, colon);
        if (!ns)
            return luaL_error(L, "rename: namespace prefix of '%s' is not declared", name);
        name = colon + 1;
    }
    xmlDict *dict = n->doc ? n->doc->dict : NULL;
    const xmlChar *nm = dict ? xmlDictLookup(dict, BAD_CAST name, -1) : xmlStrdup(BAD_CAST name);
    if (!nm)
        return luaL_error(L, "out of memory");
    if (ns)
        xmlSetNs(n, ns);
    set_name(n, nm);
    lua_settop(L, 1);
    return 1;
}

/* [-0, +1, e] node:clone() -> a deep copy, detached, in the same document */
static int node_clone(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lode_doc *d = owner_doc(L, 1);
    if (strcmp(type_name(n), "other") == 0) /* xmlDocCopyNode returns NULL for a doctype */
        return luaL_error(L, "clone: a doctype cannot be copied");
    xmlNode *c = xmlDocCopyNode(n, d->xml, 1);
    if (!c)
        return luaL_error(L, "out of memory");
    park_new(L, d, c);
    push_sibling_node(L, 1, c);
    return 1;
}

/* ------------------------------------------------------------------ */
/* constructors (also on documents: lua_doc.c)                         */
/* ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ltree_make_element(lua_State *L, int docidx, lode_doc *d, int base, xmlNode *context)
{
    const char *name = luaL_checkstring(L, base);
    xmlNode *e = new_element(L, d, name, context);
    int top = lua_gettop(L);
    int first_child = base + 1;
    if (top >= base + 1 && lua_type(L, base + 1) == LUA_TTABLE) {
        first_child = base + 2;
        /* Attributes are set in sorted order, so output does not depend on
         * Lua's table order.  The key array is a userdata (no C heap held
         * across the calls below that can raise); the key strings stay
         * anchored by the attribute table, which is not modified. */
        size_t nkeys = 0;
        lua_pushnil(L);
        while (lua_next(L, base + 1)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                luaL_error(L, "attribute names must be strings");
            nkeys++;
            lua_pop(L, 1);
        }
        const char **keys = lua_newuserdatauv(L, (nkeys ? nkeys : 1) * sizeof *keys, 0);
        size_t k = 0;
        lua_pushnil(L);
        while (lua_next(L, base + 1)) {
            keys[k++] = lua_tostring(L, -2);
            lua_pop(L, 1);
        }
        qsort(keys, nkeys, sizeof *keys, cmp_str);
        for (k = 0; k < nkeys; k++) {
            lua_getfield(L, base + 1, keys[k]);
            if (!lua_isstring(L, -1))
                luaL_error(L, "attribute '%s': string or number expected", keys[k]);
            size_t vlen;
            const char *v = lua_tolstring(L, -1, &vlen);
            check_attr_args(L, keys[k], v, vlen);
            const char *colon = strchr(keys[k], ':');
            if (colon && !is_html(e)) {
                xmlNs *ns = find_ns(d->xml, context, keys[k], colon);
                if (!ns)
                    luaL_error(L, "namespace prefix of '%s' is not declared", keys[k]);
                if (!set_prop(e, 1, ns, colon + 1, v))
                    luaL_error(L, "out of memory");
            } else if (!set_prop(e, 0, NULL, keys[k], v)) {
                luaL_error(L, "out of memory");
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1); /* the key array */
    }
    for (int i = first_child; i <= top; i++) {
        xmlNode *c = insertable(L, d, i, e);
        tree_unlink(c);
        tree_append(e, c);
    }
    ltree_push_node(L, docidx, e);
    return 1;
}

/* [-0, +1, e] node:element(name [, attrs] [, child...]) -> a new detached
 * element in the node's document (prefixes resolve at this node) */
static int node_element(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lode_doc *d = owner_doc(L, 1);
    ltree_push_owner(L, 1);
    lua_insert(L, 2);
    return ltree_make_element(L, 2, d, 3, n);
}

/* ------------------------------------------------------------------ */
/* serialisation                                                       */
/* ------------------------------------------------------------------ */

/* [-0, +1, e] node:write([format]) -> string.  format "xml" (default for
 * XML documents) or "html" (default for HTML) serialises the node itself;
 * "text", "markdown" and "json" render the node's subtree as a document. */
static int node_write(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    lode_doc *d = owner_doc(L, 1);
    const char *fmt = luaL_optstring(L, 2, is_html(n) ? "html" : "xml");
    if (strcmp(fmt, "xml") == 0 || strcmp(fmt, "html") == 0) {
        /* The text goes to a collectable buffer before anything can raise:
         * lua_pushlstring may fail (a memory error longjmps) and libxml2's
         * buffer must not be held then (HARDENING 5, longjmp hygiene). */
        buf *out = ltree_push_buf(L, &d->engine->mem);
        xmlBuffer *xb = xmlBufferCreate();
        if (!xb)
            return luaL_error(L, "out of memory");
        xmlOutputBuffer *ob = xmlOutputBufferCreateBuffer(xb, NULL);
        if (!ob) {
            xmlBufferFree(xb);
            return luaL_error(L, "out of memory");
        }
        if (fmt[0] == 'h')
            htmlNodeDumpFormatOutput(ob, d->xml, n, NULL, 0);
        else
            xmlNodeDumpOutput(ob, d->xml, n, 0, 0, NULL);
        /* a failed write (libxml2 out of memory) leaves a short text */
        int failed = xmlOutputBufferClose(ob) < 0;
        if (!failed)
            buf_put(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
        xmlBufferFree(xb);
        if (failed || !buf_ok(out))
            return luaL_error(L, "out of memory");
        lua_pushlstring(L, out->ptr ? out->ptr : "", out->len);
        buf_free(out);
        return 1;
    }
    return ltree_write_subtree(L, d, n, fmt);
}

static int node_tostring(lua_State *L)
{
    xmlNode *n = ltree_check_node(L, 1);
    if (is_element(n))
        lua_pushfstring(L, "<%s> (line %d)", (const char *)n->name, (int)xmlGetLineNo(n));
    else
        lua_pushfstring(L, "%s node (line %d)", type_name(n), (int)xmlGetLineNo(n));
    return 1;
}

static const luaL_Reg node_methods[] = {
    {"type", node_type},
    {"name", node_name},
    {"attr", node_attr},
    {"attrs", node_attrs},
    {"has_class", node_has_class},
    {"text", node_text},
    {"line", node_line},
    {"path", node_path},
    {"parent", node_parent},
    {"next", node_next},
    {"prev", node_prev},
    {"next_element", node_next_element},
    {"prev_element", node_prev_element},
    {"first_child", node_first_child},
    {"last_child", node_last_child},
    {"children", node_children},
    {"doc", node_doc},
    {"select", node_select},
    {"first", node_first},
    {"matches", node_matches},
    {"closest", node_closest},
    {"xpath", node_xpath},
    {"append", node_append},
    {"prepend", node_prepend},
    {"before", node_before},
    {"after", node_after},
    {"remove", node_remove},
    {"remove_all", node_remove_all},
    {"replace", node_replace},
    {"wrap", node_wrap},
    {"unwrap", node_unwrap},
    {"unwrap_all", node_unwrap_all},
    {"rename_all", node_rename_all},
    {"keep_attrs_all", node_keep_attrs_all},
    {"set_text", node_set_text},
    {"set_attr", node_set_attr},
    {"remove_attr", node_remove_attr}, {"keep_attrs", node_keep_attrs},
    {"rename", node_rename},
    {"clone", node_clone},
    {"element", node_element},
    {"write", node_write},
    {NULL, NULL},
};

void ltree_open_node(lua_State *L)
{
    if (luaL_newmetatable(L, LTREE_NODE)) {
        luaL_newlib(L, node_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, node_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushliteral(L, "lode.node");
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
}
