/* lua_lode.c -- the `lode` Lua module and the creation of lode's Lua states.
 *
 *   lode.load(path [, format]) -> doc | nil, message
 *   lode.parse(string, format [, name]) -> doc | nil, message
 *   lode.version -> "0.1.0"
 *
 * load and parse are "expected failure" functions: a missing file or a
 * malformed document returns nil plus the reader's message (which names the
 * source and line:column), so scripts can test and go on. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "doc.h"
#include "lua_lode.h"
#include "lua_query.h"
#include "lua_text.h"
#include "lua_tree.h"
#include "sandbox.h"

/* Pushes the new document, or nil and the engine's message. */
static int push_result(lua_State *L, lode_engine *e, int rc, lode_doc *d)
{
    if (rc != LODE_OK) {
        luaL_pushfail(L);
        lua_pushstring(L, lode_errmsg(e));
        return 2;
    }
    ltree_push_doc(L, d); /* takes its own reference */
    lode_doc_free(d);        /* drop ours: the userdata owns it now */
    return 1;
}

/* Pushing the result can raise (memory); the doc would then leak with one
 * reference.  A box owns it until the userdata exists. */
typedef struct doc_box {
    lode_doc *d;
} doc_box;

static int doc_box_gc(lua_State *L)
{
    doc_box *b = lua_touserdata(L, 1);
    lode_doc_free(b->d);
    b->d = NULL;
    return 0;
}

static doc_box *new_doc_box(lua_State *L)
{
    doc_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->d = NULL;
    if (luaL_newmetatable(L, "lode.docbox")) {
        lua_pushcfunction(L, doc_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

/* [-0, +1|2, e] lode.load(path [, format]) -> doc | nil, message */
static int lode_load_l(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *fmt = luaL_optstring(L, 2, NULL);
    lode_engine *e = lquery_engine(L);
    doc_box *b = new_doc_box(L);
    lode_parse_options po = {fmt, NULL, 0};
    int rc = lode_doc_load(e, path, &po, &b->d);
    lode_doc *d = b->d;
    b->d = NULL;
    return push_result(L, e, rc, d);
}

/* [-0, +1|2, e] lode.parse(s, format [, name]) -> doc | nil, message */
static int lode_parse_l(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *fmt = luaL_checkstring(L, 2);
    const char *name = luaL_optstring(L, 3, "<string>");
    lode_engine *e = lquery_engine(L);
    doc_box *b = new_doc_box(L);
    lode_parse_options po = {fmt, NULL, 0};
    int rc = lode_doc_parse(e, s, len, name, &po, &b->d);
    lode_doc *d = b->d;
    b->d = NULL;
    return push_result(L, e, rc, d);
}

static const luaL_Reg lode_funcs[] = {
    {"load", lode_load_l},
    {"parse", lode_parse_l},
    {NULL, NULL},
};

int llode_open(lua_State *L)
{
    ltree_open(L);
    luaL_newlib(L, lode_funcs);
    lua_pushstring(L, LODE_VERSION);
    lua_setfield(L, -2, "version");
    return 1;
}

int llode_traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        /* A non-string error object: describe it without running any of
         * its metamethods (HARDENING 2.3, item 4). */
        if (lua_isnoneornil(L, 1))
            msg = "error object is nil";
        else
            msg = lua_pushfstring(L, "error object is a %s value", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Appends "DIR/?.lua;DIR/?/init.lua;" for each folder of list to b. */
static void add_folders(luaL_Buffer *b, const char *list)
{
    while (list && *list) {
        const char *end = strchr(list, ';');
        size_t n = end ? (size_t)(end - list) : strlen(list);
        if (n) {
            luaL_addlstring(b, list, n);
            luaL_addstring(b, "/?.lua;");
            luaL_addlstring(b, list, n);
            luaL_addstring(b, "/?/init.lua;");
        }
        list = end ? end + 1 : NULL;
    }
}

/* os.exit in a rule script: an error instead (HARDENING 5: a script cannot
 * end the process -- in an embedding host that would be the host's
 * process, with its unsaved work). */
static int no_exit(lua_State *L)
{
    return luaL_error(L, "os.exit: a rule script cannot end the process (raise an error instead)");
}

/* print, writing its line with one fwrite: Lua's own print writes each
 * argument and the newline separately, so two workers printing at once
 * interleave inside a line.  One call to stdio is atomic with respect to
 * the other threads' calls on the same stream. */
static int print_line(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    size_t len;
    const char *line = lua_tolstring(L, -1, &len);
    fwrite(line, 1, len, stdout);
    fflush(stdout);
    return 0;
}

/* Runs inside lua_pcall: everything that can raise while setting up. */
static int setup(lua_State *L)
{
    const char *module_path = lua_touserdata(L, 1);
    sandbox *sb = lua_touserdata(L, 3);
    lua_pushvalue(L, 2);
    lua_setfield(L, LUA_REGISTRYINDEX, LQUERY_ENGINE);
    if (sb->enabled)
        sandbox_open(L);
    else {
        luaL_openlibs(L);
        lua_getglobal(L, "os");
        lua_pushcfunction(L, no_exit);
        lua_setfield(L, -2, "exit");
        lua_pop(L, 1);
        lua_pushcfunction(L, print_line);
        lua_setglobal(L, "print");
    }
    /* lode's modules, for require; `lode` is also a global, as `pandoc` is
     * in pandoc's filters */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, llode_open);
    lua_setfield(L, -2, "lode");
    lua_pushcfunction(L, ltext_open);
    lua_setfield(L, -2, "lode.text");
    lua_pop(L, 1);
    luaL_requiref(L, "lode", llode_open, 1);
    if (sb->enabled) {
        lua_pushnil(L);
        lua_setfield(L, -2, "load"); /* no file access from the sandbox */
        lua_pop(L, 1);
        ltree_open(L);
        return 0; /* and no package library: require is the sandbox's own */
    }
    lua_pop(L, 1);
    lua_getglobal(L, "package");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    add_folders(&b, module_path);
    lua_getfield(L, -2, "path");
    luaL_addvalue(&b);
    luaL_pushresult(&b);
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
    ltree_open(L);
    return 0;
}

/* The recovery point of the innermost llode_guarded call lives in the
 * state's extra space (LUA_EXTRASPACE: one pointer), so the handler needs
 * no global.  Without one (a panic outside every guard) it says what
 * happened before Lua aborts, as Lua's own handler would. */
typedef struct guard {
    jmp_buf jb;
    char *msg;
    size_t n;
} guard;

static int on_panic(lua_State *L)
{
    guard *g = *(guard **)lua_getextraspace(L);
    const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(error object is not a string)";
    if (g) {
        snprintf(g->msg, g->n, "%s", m);
        longjmp(g->jb, 1);
    }
    fprintf(stderr, "lode: unprotected Lua error (a bug in lode): %s\n", m);
    fflush(stderr);
    return 0; /* Lua aborts */
}

int llode_guarded(lua_State *L, int (*body)(void *ud), void *ud, char *msg, size_t n)
{
    guard **slot = lua_getextraspace(L);
    guard *prev = *slot;
    guard g;
    g.msg = msg;
    g.n = n;
    if (setjmp(g.jb)) {
        *slot = prev;
        return -1;
    }
    *slot = &g;
    int rc = body(ud);
    *slot = prev;
    return rc;
}

lua_State *llode_newstate(lode_engine *e, const char *module_path, sandbox *sb)
{
    lua_State *L = lua_newstate(sandbox_alloc, sb);
    if (!L)
        return NULL;
    *(guard **)lua_getextraspace(L) = NULL;
    lua_atpanic(L, on_panic);
    /* These pushes cannot fail: a new state has LUA_MINSTACK free slots
     * and pushing a C function or light userdata allocates nothing. */
    lua_pushcfunction(L, setup);
    lua_pushlightuserdata(L, (void *)module_path);
    lua_pushlightuserdata(L, e);
    lua_pushlightuserdata(L, sb);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        lua_close(L);
        return NULL;
    }
    return L;
}
