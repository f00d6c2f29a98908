/* lua_doc.c -- the document userdata ("lode.document").
 *
 * Fields: doc.path (source name), doc.format (the format it was read from).
 * Methods: root, select, first, xpath, meta, title, element, text_node,
 * comment, write.  The userdata holds one reference to its lode_doc
 * (lode_doc_free drops it in __gc), and its user value 1 is the weak-valued
 * node cache of lua_tree.h. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#include <lauxlib.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "buf.h"
#include "format.h"
#include "lua_query.h"
#include "lua_tree.h"
#include "tree_edit.h"
#include "utf8.h"

lode_doc *ltree_check_doc(lua_State *L, int idx)
{
    ltree_doc *u = luaL_checkudata(L, idx, LTREE_DOC);
    if (!u->doc)
        luaL_error(L, "the document was closed");
    return u->doc;
}

void ltree_push_doc(lua_State *L, lode_doc *d)
{
    ltree_doc *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->doc = NULL;
    luaL_setmetatable(L, LTREE_DOC);
    lua_newtable(L); /* the node cache, weak values */
    lua_newtable(L);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setiuservalue(L, -2, 1);
    doc_retain(d);
    u->doc = d;
}

/* __gc: drops the document's reference (idempotent).  There is no __close:
 * nodes pin the userdata, not the lode_doc, so only the collector may
 * decide that no node of the document is reachable any more. */
static int doc_gc(lua_State *L)
{
    ltree_doc *u = luaL_checkudata(L, 1, LTREE_DOC);
    if (u->doc) {
        lode_doc *d = u->doc;
        u->doc = NULL;
        lode_doc_free(d);
    }
    return 0;
}

/* [-0, +1, -] doc:root() -> the root element, or nil */
static int doc_root(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    ltree_push_node(L, 1, xmlDocGetRootElement(d->xml));
    return 1;
}

/* [-0, +1, e] doc:select(selector) -> array of matching elements */
static int doc_select(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    return ltree_select(L, (xmlNode *)d->xml, 1, 0);
}

/* [-0, +1, e] doc:remove_all(selector), doc:unwrap_all(selector),
 * doc:rename_all(selector, name | map), doc:keep_attrs_all(selector,
 * name...) -> count: node:remove_all ... over the whole document (the root
 * element is never removed or unwrapped, but may be renamed or lose
 * attributes) */
static int doc_edit_all(lua_State *L, int op)
{
    lode_doc *d = ltree_check_doc(L, 1);
    return ltree_edit_all(L, d, (xmlNode *)d->xml, op);
}

static int doc_remove_all(lua_State *L) { return doc_edit_all(L, LTREE_REMOVE_ALL); }
static int doc_unwrap_all(lua_State *L) { return doc_edit_all(L, LTREE_UNWRAP_ALL); }
static int doc_rename_all(lua_State *L) { return doc_edit_all(L, LTREE_RENAME_ALL); }
static int doc_keep_attrs_all(lua_State *L) { return doc_edit_all(L, LTREE_KEEP_ATTRS_ALL); }

/* [-0, +1, e] doc:first(selector) -> the first matching element or nil */
static int doc_first(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    return ltree_select(L, (xmlNode *)d->xml, 1, 1);
}

/* [-0, +1, e] doc:xpath(expr [, namespaces]) -> nodes | string | number | boolean */
static int doc_xpath(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    return lquery_xpath(L, (xmlNode *)d->xml, 2, 3, 1);
}

/* The <head> element of an HTML-vocabulary document, or NULL. */
static xmlNode *head_of(xmlDoc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || xmlStrcasecmp(root->name, BAD_CAST "html") != 0)
        return NULL;
    for (xmlNode *c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcasecmp(c->name, BAD_CAST "head") == 0)
            return c;
    return NULL;
}

/* Pushes the value of attribute name of el and returns 1, or returns 0.
 * Reads the attribute's text children directly: no libxml2 allocation is
 * held while Lua may raise. */
static int push_attr(lua_State *L, xmlNode *el, const char *name)
{
    for (xmlAttr *a = el->properties; a; a = a->next) {
        if (a->ns || xmlStrcasecmp(a->name, BAD_CAST name) != 0)
            continue;
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (xmlNode *c = a->children; c; c = c->next)
            if (c->content)
                luaL_addstring(&b, (const char *)c->content);
        luaL_pushresult(&b);
        return 1;
    }
    return 0;
}

/* Pushes the JSON value v as a Lua value: strings, numbers (integers stay
 * integers), booleans, objects and arrays as tables; null as nil (an array
 * with nulls gets holes).  v is owned by the document, which the userdata at
 * stack index 1 keeps alive, so raising here leaks nothing.  jansson's
 * parser caps nesting at 2048 levels, which bounds the recursion. */
static void push_json(lua_State *L, const json_t *v)
{
    luaL_checkstack(L, 3, "document metadata nested too deeply");
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        lua_createtable(L, 0, (int)json_object_size(v));
        const char *k;
        size_t kl;
        json_t *x;
        json_object_keylen_foreach((json_t *)(uintptr_t)v, k, kl, x) {
            if (json_is_null(x))
                continue;
            lua_pushlstring(L, k, kl);
            push_json(L, x);
            lua_rawset(L, -3);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        lua_createtable(L, n > INT_MAX ? INT_MAX : (int)n, 0);
        for (size_t i = 0; i < n; i++) {
            const json_t *x = json_array_get(v, i);
            if (json_is_null(x))
                continue;
            push_json(L, x);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    }
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)json_integer_value(v));
        break;
    case JSON_REAL:
        lua_pushnumber(L, (lua_Number)json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        lua_pushboolean(L, json_is_true(v));
        break;
    default:
        lua_pushnil(L);
        break;
    }
}

/* [-0, +1, e] doc:meta([name]) -> with a name: the value of field name of
 * the metadata set by lode_doc_set_meta (a JSON Lines line's extra fields)
 * if it has one that is not null, else the content of head/meta[name=NAME]
 * (or [property=NAME]), else nil; without: a table of all of both (the JSON
 * metadata wins on equal names) */
static int doc_meta(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    size_t wantlen = 0;
    const char *want = luaL_optlstring(L, 2, NULL, &wantlen);
    if (want && d->meta && strlen(want) == wantlen) {
        const json_t *v = json_object_get(d->meta, want);
        if (v && !json_is_null(v)) {
            push_json(L, v);
            return 1;
        }
    }
    xmlNode *head = head_of(d->xml);
    if (!want)
        lua_newtable(L);
    int top = lua_gettop(L);
    for (xmlNode *m = head ? head->children : NULL; m; m = m->next) {
        lua_settop(L, top);
        if (m->type != XML_ELEMENT_NODE || xmlStrcasecmp(m->name, BAD_CAST "meta") != 0)
            continue;
        if (!push_attr(L, m, "name") && !push_attr(L, m, "property"))
            continue;
        if (!push_attr(L, m, "content"))
            continue;
        if (want) {
            if (strcmp(lua_tostring(L, -2), want) == 0)
                return 1;
            continue;
        }
        lua_settable(L, top); /* all[name] = content */
    }
    lua_settop(L, top);
    if (want) {
        lua_pushnil(L);
        return 1;
    }
    if (d->meta) {
        /* The JSON fields over the head's: merged into the same table. */
        push_json(L, d->meta); /* all, json */
        lua_pushnil(L);
        while (lua_next(L, -2)) { /* all, json, k, v */
            lua_pushvalue(L, -2);
            lua_insert(L, -2);  /* all, json, k, k, v */
            lua_rawset(L, top); /* all[k] = v */
        }
        lua_pop(L, 1); /* json */
    }
    return 1;
}

/* [-0, +1, e] doc:title() -> the normalised text of head/title, or nil */
static int doc_title(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    xmlNode *head = head_of(d->xml);
    for (xmlNode *t = head ? head->children : NULL; t; t = t->next) {
        if (t->type == XML_ELEMENT_NODE && xmlStrcasecmp(t->name, BAD_CAST "title") == 0) {
            ltree_push_node(L, 1, t);
            lua_getfield(L, -1, "text");
            lua_insert(L, -2);
            lua_pushliteral(L, "normalize");
            lua_call(L, 2, 1);
            return 1;
        }
    }
    lua_pushnil(L);
    return 1;
}

/* [-0, +1, e] doc:element(name [, attrs] [, child...]) -> a new detached element */
static int doc_element(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    return ltree_make_element(L, 1, d, 2, xmlDocGetRootElement(d->xml));
}

/* Checks the string at idx for use as node content. */
static const char *content_arg(lua_State *L, int idx, size_t *len)
{
    const char *s = luaL_checklstring(L, idx, len);
    if (!utf8_xml_text((const unsigned char *)s, *len))
        luaL_argerror(L, idx, "text must be valid UTF-8 without control characters (XML cannot hold them)");
    return s;
}

/* [-0, +1, e] doc:text_node(s) / doc:comment(s) -> a new detached node */
static int make_leaf(lua_State *L, int comment)
{
    lode_doc *d = ltree_check_doc(L, 1);
    size_t len;
    const char *s = content_arg(L, 2, &len);
    if (comment && (strstr(s, "--") || (len && s[len - 1] == '-')))
        return luaL_argerror(L, 2, "a comment cannot contain '--' or end with '-'");
    xmlNode *n = comment ? xmlNewDocComment(d->xml, BAD_CAST s) : xmlNewDocTextLen(d->xml, BAD_CAST s, (int)len);
    if (!n || doc_park(d, n) < 0) {
        xmlFreeNode(n);
        return luaL_error(L, "out of memory");
    }
    ltree_push_node(L, 1, n);
    return 1;
}

static int doc_text_node(lua_State *L) { return make_leaf(L, 0); }
static int doc_comment(lua_State *L) { return make_leaf(L, 1); }

/* A buf owned by a userdata box, so a Lua error cannot leak it. */
typedef struct buf_box {
    buf b;
} buf_box;

static int buf_box_gc(lua_State *L)
{
    buf_box *bb = luaL_checkudata(L, 1, "lode.buf");
    buf_free(&bb->b);
    return 0;
}

/* The state's scratch buffer: memory from the state's own allocator (so
 * it is counted, and capped in the sandbox), kept between calls. */
typedef struct scratch_box {
    mem m;
    buf b;
    int closed; /* its __gc ran: the state is closing */
} scratch_box;

static const char scratch_key = 's';

static int scratch_gc(lua_State *L)
{
    scratch_box *sb = lua_touserdata(L, 1);
    buf_free(&sb->b);
    sb->closed = 1; /* a later finalizer's node:text() must not refill it */
    return 0;
}

buf *ltree_scratch_buf(lua_State *L)
{
    scratch_box *sb;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &scratch_key) == LUA_TUSERDATA) {
        sb = lua_touserdata(L, -1);
        lua_pop(L, 1);
        if (sb->closed)
            return NULL;
    } else {
        lua_pop(L, 1);
        sb = lua_newuserdatauv(L, sizeof *sb, 0);
        sb->m.fn = lua_getallocf(L, &sb->m.ud);
        sb->closed = 0;
        buf_init(&sb->b, &sb->m);
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, scratch_gc);
        lua_setfield(L, -2, "__gc");
        lua_setmetatable(L, -2);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &scratch_key);
    }
    if (sb->b.failed || sb->b.cap > ((size_t)1 << 20)) { /* do not hold on to a big one */
        buf_free(&sb->b);
        buf_init(&sb->b, &sb->m);
    }
    buf_reset(&sb->b);
    return &sb->b;
}

buf *ltree_push_buf(lua_State *L, const mem *m)
{
    buf_box *bb = lua_newuserdatauv(L, sizeof *bb, 0);
    buf_init(&bb->b, m);
    if (luaL_newmetatable(L, "lode.buf")) {
        lua_pushcfunction(L, buf_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return &bb->b;
}

int ltree_write_subtree(lua_State *L, lode_doc *d, xmlNode *n, const char *fmt)
{
    lode_engine *e = d->engine;
    const format *f = format_for_write(e, fmt);
    if (!f)
        return luaL_error(L, "'%s' is not a writable format (xml, html, text, markdown, json)", fmt);
    buf *out = ltree_push_buf(L, &e->mem);
    xmlDoc *target = d->xml;
    xmlDoc *tmp = NULL;
    if (n && n != xmlDocGetRootElement(d->xml)) {
        /* A subtree is rendered as a document of its own. */
        tmp = d->xml->type == XML_HTML_DOCUMENT_NODE ? (xmlDoc *)htmlNewDocNoDtD(NULL, NULL) : xmlNewDoc(BAD_CAST "1.0");
        xmlNode *copy = tmp ? xmlDocCopyNode(n, tmp, 1) : NULL;
        if (!copy) {
            xmlFreeDoc(tmp);
            return luaL_error(L, "out of memory");
        }
        if (copy->type == XML_ELEMENT_NODE)
            xmlDocSetRootElement(tmp, copy);
        else
            xmlAddChild((xmlNode *)tmp, copy);
        target = tmp;
    }
    lode_write_options wo = {f->name, 0};
    int rc = format_write(e, f, target, &wo, out);
    xmlFreeDoc(tmp);
    if (rc != LODE_OK)
        return luaL_error(L, "write %s: %s", f->name, lode_errmsg(e));
    if (!buf_ok(out))
        return luaL_error(L, "out of memory");
    lua_pushlstring(L, out->ptr ? out->ptr : "", out->len);
    buf_free(out);
    return 1;
}

/* [-0, +1, e] doc:write([format]) -> string (default: the format it was read
 * from; "text" documents default to "html") */
static int doc_write(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    const char *def = strcmp(d->format, "text") == 0 || strcmp(d->format, "json") == 0 ? "html" : d->format;
    const char *fmt = luaL_optstring(L, 2, def);
    return ltree_write_subtree(L, d, NULL, fmt);
}

static int doc_index(lua_State *L)
{
    lode_doc *d = ltree_check_doc(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "path") == 0) {
        lua_pushstring(L, d->name);
        return 1;
    }
    if (strcmp(k, "format") == 0) {
        lua_pushstring(L, d->format);
        return 1;
    }
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "methods");
    lua_getfield(L, -1, k);
    return 1;
}

static int doc_tostring(lua_State *L)
{
    ltree_doc *u = luaL_checkudata(L, 1, LTREE_DOC);
    if (u->doc)
        lua_pushfstring(L, "document %s (%s)", u->doc->name, u->doc->format);
    else
        lua_pushliteral(L, "document (closed)");
    return 1;
}

static const luaL_Reg doc_methods[] = {
    {"root", doc_root},       {"select", doc_select},   {"first", doc_first},
    {"xpath", doc_xpath},     {"meta", doc_meta},       {"title", doc_title},
    {"element", doc_element}, {"text_node", doc_text_node}, {"comment", doc_comment},
    {"write", doc_write},     {"remove_all", doc_remove_all}, {"unwrap_all", doc_unwrap_all},
    {"rename_all", doc_rename_all}, {"keep_attrs_all", doc_keep_attrs_all},
    {NULL, NULL},
};

void ltree_open_doc(lua_State *L)
{
    if (luaL_newmetatable(L, LTREE_DOC)) {
        luaL_newlib(L, doc_methods);
        lua_setfield(L, -2, "methods");
        lua_pushcfunction(L, doc_index);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, doc_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, doc_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushliteral(L, "lode.document");
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
}

void ltree_open(lua_State *L)
{
    ltree_open_doc(L); /* the node metatable comes with the first node (ltree_push_node) */
}
