/* rules.c -- rule scripts: loading, the tree walk, ctx, records.
 *
 * A script is a Lua chunk (text only: mode "t") returning a table.  Its
 * rules are, in the order they run:
 *   1. the array part, in array order: {selector, handler} pairs;
 *   2. the selector-keyed entries, in the order their handlers appear in the
 *      script source (the line where each function is defined; Lua tables
 *      have no order of their own), ties broken by selector text.
 * A handler is a function(node, ctx), or a table {enter = fn, leave = fn}
 * (leave runs after the node's descendants).  Keys "begin", "document" and
 * "finish" are phases, not selectors.
 *
 * The walk visits elements in document order, once per document; for each
 * it tests the rules that can match it (rule_index.h: those filed under its
 * tag name, id or classes, and those without such a key; native selector
 * matching, no Lua call on a miss) and calls the handlers that match, in
 * rule order.  Edits during the walk are allowed; what is
 * visited afterwards is defined in docs/lua-api.md ("Editing during the
 * walk") and follows from three rules here: children are taken live from the
 * node after its handlers ran (unless ctx:skip() or the node left the
 * document); the next sibling is the node's live next sibling if the node is
 * still in place, else the sibling it had before its handlers ran; nodes
 * inserted before the current position are not visited.
 *
 * Every call into Lua runs under a lua_pcall with a traceback handler, so a
 * script error never unwinds through C frames holding resources: the walk
 * of a document is one protected call (walk), whose handlers are called
 * with lua_call from visit, which keeps its stacks in the lode_rules
 * object.  A failed document delivers no records; the state stays usable
 * for the next document. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "doc.h"
#include "lua_json.h"
#include "lua_lode.h"
#include "lua_query.h"
#include "lua_report.h"
#include "lua_tree.h"
#include "plugin.h"
#include "rule_index.h"
#include "rules.h"
#include "sandbox.h"
#include "tree_edit.h"

#define MAX_WALK_DEPTH 4096

struct lode_rules {
    lode_engine *e;
    sandbox sb;          /* the state's allocator and limits (must outlive L) */
    lua_State *L;
    size_t gc_kb;        /* libxml2 memory of documents done, not yet told to
                            the collector (KiB, about) */
    char *name;          /* script name for messages */
    rule *rules;
    size_t nrules;
    int root_only;       /* every rule's selector matches the root alone: the
                            walk need not go below it */
    rule_index index;    /* the rules that can match an element */
    int ref_begin, ref_document, ref_finish;
    int ref_ctx;         /* the ctx table */
    int ref_tb;          /* the traceback handler */
    int ctxidx;          /* during the walk: ctx's stack index (in walk_p's frame) */
    int fnidx;           /* during the walk: rule i's enter and leave handlers at
                            fnidx + 2i and + 2i + 1 (0: from the registry) */
    int in_handler;      /* a handler runs: an error in the walk is the script's */
    int began, finished;
    int begin_failed;    /* begin() raised: no document is run after that */
    int begin_rc;
    char begin_msg[256]; /* first line of begin()'s error */
    lode_record_fn on_record;
    void *record_ud;
    struct lode_report *report; /* ctx.report */
    /* per document */
    lode_doc *doc;
    buf records;         /* JSON records, each followed by '\n' */
    int skip;            /* ctx:skip() was called for the current node */
    int failed;
    const xmlNode *current;
    const rule *current_rule;
    const rule *failed_rule; /* the rule whose handler runs, for error messages */
    int failed_leave;
    int profile;
    double walk_seconds;
    int *leave;          /* stack of rule indices with leave handlers */
    size_t nleave, capleave;
    xmlNode **snap;      /* snapshots of child lists along the walk's path */
    size_t nsnap, capsnap;
    select_memo *memo;   /* only when a rule has :has/:contains/of S */
    unsigned long memo_edits;
    select_limit lim;    /* the sandbox's budget for matching the rules (over NULL: none) */
    int broken;          /* a Lua panic happened (llode_guarded): only lode_rules_free is left */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ */
/* ctx                                                                 */
/* ------------------------------------------------------------------ */

static lode_rules *ctx_rules(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

/* [-0, +0, e] ctx:emit(record) -- queues a record (a table) for this
 * document; records reach the output only if the whole document succeeds */
static int ctx_emit(lua_State *L)
{
    lode_rules *r = ctx_rules(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (!r->doc)
        return luaL_error(L, "ctx:emit() outside a document (in begin or finish)");
    char err[256];
    size_t mark = r->records.len;
    if (ljson_encode(L, 2, &r->records, err, sizeof err) != 0) {
        r->records.len = mark;
        return luaL_error(L, "ctx:emit: %s", err);
    }
    buf_putc(&r->records, '\n');
    if (!buf_ok(&r->records))
        return luaL_error(L, "out of memory");
    return 0;
}

/* [-0, +0, e] ctx:warn(message) -- a warning naming the document and node */
static int ctx_warn(lua_State *L)
{
    lode_rules *r = ctx_rules(L);
    const char *msg = luaL_checkstring(L, 2);
    luaL_where(L, 1);
    const char *where = lua_tostring(L, -1);
    if (r->doc && r->current)
        engine_warn(r->e, "%s:%ld: %s%s", r->doc->name, xmlGetLineNo((xmlNode *)r->current), where, msg);
    else if (r->doc)
        engine_warn(r->e, "%s: %s%s", r->doc->name, where, msg);
    else
        engine_warn(r->e, "%s%s", where, msg);
    return 0;
}

/* [-0, +0, -] ctx:skip() -- do not visit the current node's descendants */
static int ctx_skip(lua_State *L)
{
    ctx_rules(L)->skip = 1;
    return 0;
}

/* Runs in a pcall: builds the ctx table { report = ..., emit/warn/skip }. */
static int make_ctx(lua_State *L)
{
    lode_rules *r = lua_touserdata(L, 1);
    lua_newtable(L); /* ctx */
    lua_newtable(L); /* metatable */
    lua_newtable(L); /* methods */
    static const luaL_Reg methods[] = {{"emit", ctx_emit}, {"warn", ctx_warn}, {"skip", ctx_skip}, {NULL, NULL}};
    lua_pushlightuserdata(L, r);
    luaL_setfuncs(L, methods, 1);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "lode.ctx");
    lua_setfield(L, -2, "__name");
    lua_setmetatable(L, -2);
    lreport_push(L, r->report);
    lua_setfield(L, -2, "report");
    lua_pushstring(L, r->name);
    lua_setfield(L, -2, "script");
    return 1;
}

/* ------------------------------------------------------------------ */
/* loading                                                             */
/* ------------------------------------------------------------------ */

/* Sets the engine's error from the message at the top of the stack. */
static int script_error(lode_rules *r, const char *prefix)
{
    const char *msg = lua_tostring(r->L, -1);
    if (!msg)
        msg = "(error object is not a string)";
    /* Lua's own messages carry "NAME:LINE:" but not all of them: "C stack
     * overflow" from the parser, "attempt to load a binary chunk", and
     * lode's checks of the returned table name no file.  Every failure
     * names the script. */
    size_t n = strlen(r->name);
    int named = strncmp(msg, r->name, n) == 0 && msg[n] == ':';
    engine_error(r->e, LODE_ESCRIPT, "%s%s%s%s", named ? "" : r->name, named ? "" : ": ", prefix ? prefix : "", msg);
    lua_pop(r->L, 1);
    return LODE_ESCRIPT;
}

typedef struct pending {
    int ref_enter, ref_leave, line;
    unsigned char args_enter, args_leave;
    const char *src; /* borrowed from the script table (kept alive by ref) */
    size_t order;    /* array position, or SIZE_MAX for keyed rules */
} pending;

static int pending_cmp(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->src, y->src);
}

/* Does the string at idx hold a NUL byte?  (A selector is compiled from
 * its C string: "p\0x" would silently become "p".) */
static int nul_in(lua_State *L, int idx)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    return s && memchr(s, 0, len) != NULL;
}

/* Line where the function at the top of the stack is defined (0 for C). */
static int defined_line(lua_State *L)
{
    lua_Debug ar;
    lua_pushvalue(L, -1);
    if (!lua_getinfo(L, ">S", &ar))
        return 0;
    return ar.linedefined > 0 ? ar.linedefined : 0;
}

/* How many of the arguments (node, ctx) the function at the top of the
 * stack can see: its parameters, at most 2; 2 for a vararg or C function.
 * A handler that takes no node is called without one, and a node nobody
 * sees is never wrapped in a userdata: `["*"] = function() n = n + 1 end`
 * costs a call, not a userdata and a cache entry per element. */
static unsigned char handler_args(lua_State *L)
{
    lua_Debug ar;
    lua_pushvalue(L, -1);
    if (!lua_getinfo(L, ">u", &ar) || ar.isvararg)
        return 2;
    return ar.nparams < 2 ? (unsigned char)ar.nparams : 2;
}

/* Reads a handler (function or {enter=, leave=}) at the top of the stack into
 * p, taking references; pops it.  Returns 0 or -1 with an error pushed. */
static int take_handler(lode_rules *r, pending *p, const char *src)
{
    lua_State *L = r->L;
    p->ref_enter = p->ref_leave = LUA_NOREF;
    p->args_enter = p->args_leave = 2;
    if (lua_type(L, -1) == LUA_TFUNCTION) {
        p->line = defined_line(L);
        p->args_enter = handler_args(L);
        p->ref_enter = luaL_ref(L, LUA_REGISTRYINDEX);
        return 0;
    }
    if (lua_type(L, -1) == LUA_TTABLE) {
        int t = lua_gettop(L);
        int ok = 1;
        p->line = 0;
        /* a misspelt key ({ enter = f, leve = g }) would drop a handler
         * without a word: only enter and leave are allowed */
        lua_pushnil(L);
        while (lua_next(L, t)) {
            lua_pop(L, 1);
            const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
            if (!k || (strcmp(k, "enter") && strcmp(k, "leave"))) {
                if (k)
                    lua_pushfstring(L, "rule '%s': the handler table has a key '%s'; its keys are enter and leave",
                                    src, k);
                else
                    lua_pushfstring(L, "rule '%s': the handler table has a %s key; its keys are enter and leave",
                                    src, luaL_typename(L, -1));
                lua_replace(L, t); /* the message in the handler's place */
                lua_settop(L, t);
                return -1;
            }
        }
        lua_getfield(L, t, "enter");
        if (lua_type(L, -1) == LUA_TFUNCTION) {
            p->line = defined_line(L);
            p->args_enter = handler_args(L);
            p->ref_enter = luaL_ref(L, LUA_REGISTRYINDEX);
        } else {
            ok = lua_isnil(L, -1);
            lua_pop(L, 1);
        }
        lua_getfield(L, t, "leave");
        if (lua_type(L, -1) == LUA_TFUNCTION) {
            if (!p->line)
                p->line = defined_line(L);
            p->args_leave = handler_args(L);
            p->ref_leave = luaL_ref(L, LUA_REGISTRYINDEX);
        } else {
            ok = ok && lua_isnil(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (ok && (p->ref_enter != LUA_NOREF || p->ref_leave != LUA_NOREF))
            return 0;
        lua_pushfstring(L, "rule '%s': a handler table needs enter and/or leave functions", src);
        return -1;
    }
    lua_pushfstring(L, "rule '%s': handler must be a function or {enter=, leave=}, not a %s", src,
                    luaL_typename(L, -1));
    lua_remove(L, -2);
    return -1;
}

static void free_rules(lode_rules *r)
{
    for (size_t i = 0; i < r->nrules; i++) {
        select_free(&r->e->mem, r->rules[i].sel);
        mem_free(&r->e->mem, r->rules[i].src);
    }
    mem_free(&r->e->mem, r->rules);
    r->rules = NULL;
    r->nrules = 0;
    rule_index_free(&r->index);
}

/* Does the selector source use a test that select_memo speeds up (:has,
 * :contains, nth-*(... of S))?  Pseudo-class names are ASCII
 * case-insensitive; a false positive only costs memo resets. */
static int expensive(const char *src)
{
    static const char *const needles[] = {":has(", ":contains(", " of "};
    for (size_t k = 0; k < 3; k++) {
        size_t n = strlen(needles[k]);
        for (const char *p = src; *p; p++)
            if (strncasecmp(p, needles[k], n) == 0)
                return 1;
    }
    return 0;
}

/* Compiles the rules of the script table at the top of the stack. */
static int read_table(lode_rules *r)
{
    lua_State *L = r->L;
    int t = lua_gettop(L);
    size_t cap = 16, n = 0;
    /* The pending list is a userdata (collected by Lua), because luaL_ref
     * below can raise a memory error: read_table runs in a protected call
     * and must not hold C heap memory across it (STYLE 10). */
    pending *ps = lua_newuserdatauv(L, cap * sizeof *ps, 0);
    lua_insert(L, t); /* below the table: the table is at t + 1 now */
    t++;
    int rc = LODE_OK;
    char err[1200];
    /* phases */
    const char *phases[] = {"begin", "document", "finish"};
    int *refs[] = {&r->ref_begin, &r->ref_document, &r->ref_finish};
    for (int i = 0; i < 3; i++) {
        lua_getfield(L, t, phases[i]);
        if (lua_type(L, -1) == LUA_TFUNCTION)
            *refs[i] = luaL_ref(L, LUA_REGISTRYINDEX);
        else if (lua_isnil(L, -1))
            lua_pop(L, 1);
        else {
            rc = engine_error(r->e, LODE_ESCRIPT, "%s: '%s' must be a function, not a %s", r->name, phases[i],
                              luaL_typename(L, -1));
            lua_pop(L, 1);
            goto out;
        }
    }
    lua_pushnil(L);
    while (lua_next(L, t)) {
        pending p;
        memset(&p, 0, sizeof p);
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -2);
            if (!strcmp(k, "begin") || !strcmp(k, "document") || !strcmp(k, "finish")) {
                lua_pop(L, 1);
                continue;
            }
            p.src = k;
            p.order = (size_t)-1;
            if (nul_in(L, -2)) {
                rc = engine_error(r->e, LODE_ESCRIPT, "%s: rule '%s': bad selector: a NUL byte inside it", r->name, k);
                lua_pop(L, 2);
                goto out;
            }
            if (take_handler(r, &p, k) < 0) {
                rc = script_error(r, "");
                lua_pop(L, 1);
                goto out;
            }
        } else if (lua_isinteger(L, -2) && lua_type(L, -1) == LUA_TTABLE) {
            p.order = (size_t)lua_tointeger(L, -2);
            int pair = lua_gettop(L);
            lua_rawgeti(L, pair, 1);
            if (lua_type(L, -1) != LUA_TSTRING) {
                rc = engine_error(r->e, LODE_ESCRIPT, "%s: rule #%zu: {selector, handler} expected", r->name, p.order);
                lua_pop(L, 3);
                goto out;
            }
            p.src = lua_tostring(L, -1); /* kept alive: the pair table is referenced by the script table */
            if (nul_in(L, -1)) {
                rc = engine_error(r->e, LODE_ESCRIPT, "%s: rule #%zu '%s': bad selector: a NUL byte inside it",
                                  r->name, p.order, p.src);
                lua_pop(L, 3);
                goto out;
            }
            lua_pop(L, 1);
            /* { "p", f, leave = g } would never call g: a pair is two values */
            lua_pushnil(L);
            while (lua_next(L, pair)) {
                lua_pop(L, 1);
                if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > 2) {
                    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
                    if (k)
                        rc = engine_error(r->e, LODE_ESCRIPT, "%s: rule #%zu '%s': {selector, handler} holds a key "
                                          "'%.100s' too; for enter and leave handlers write "
                                          "{selector, {enter = f, leave = g}}", r->name, p.order, p.src, k);
                    else
                        rc = engine_error(r->e, LODE_ESCRIPT, "%s: rule #%zu '%s': {selector, handler} holds more "
                                          "than its two values", r->name, p.order, p.src);
                    lua_pop(L, 3);
                    goto out;
                }
            }
            lua_rawgeti(L, pair, 2);
            if (take_handler(r, &p, p.src) < 0) {
                rc = script_error(r, "");
                lua_pop(L, 2);
                goto out;
            }
            lua_pop(L, 1); /* the pair */
        } else {
            rc = engine_error(r->e, LODE_ESCRIPT, "%s: the script's table holds a %s key; keys are CSS selectors, "
                              "'begin', 'document', 'finish', or list positions of {selector, handler} pairs",
                              r->name, luaL_typename(L, -2));
            lua_pop(L, 2);
            goto out;
        }
        if (n == cap) {
            pending *grown = lua_newuserdatauv(L, 2 * cap * sizeof *ps, 0);
            memcpy(grown, ps, n * sizeof *ps);
            lua_replace(L, t - 1); /* the old list goes to the collector */
            ps = grown;
            cap *= 2;
        }
        ps[n++] = p;
    }
    qsort(ps, n, sizeof *ps, pending_cmp);
    if (n > UINT32_MAX) {
        rc = engine_error(r->e, LODE_ELIMIT, "%s: more than %lu rules", r->name, (unsigned long)UINT32_MAX);
        goto out;
    }
    rule_index_init(&r->index, &r->e->mem);
    r->rules = mem_alloc(&r->e->mem, (n ? n : 1) * sizeof *r->rules);
    if (!r->rules) {
        rc = engine_error(r->e, LODE_ENOMEM, "out of memory");
        goto out;
    }
    memset(r->rules, 0, (n ? n : 1) * sizeof *r->rules);
    for (size_t i = 0; i < n; i++) {
        rule *ru = &r->rules[i];
        ru->enter_ref = ps[i].ref_enter;
        ru->leave_ref = ps[i].ref_leave;
        ru->enter_args = ps[i].args_enter;
        ru->leave_args = ps[i].args_leave;
        ru->line = ps[i].line;
        ru->src = mem_strdup(&r->e->mem, ps[i].src);
        r->nrules = i + 1;
        if (!ru->src) {
            rc = engine_error(r->e, LODE_ENOMEM, "out of memory");
            goto out;
        }
        if (select_compile(&r->e->mem, ps[i].src, strlen(ps[i].src), &ru->sel, err, sizeof err) != 0) {
            /* The selector is quoted up to 200 bytes: the reason must not
             * be pushed out of the message by a megabyte of selector. */
            size_t sl = strlen(ps[i].src), cut = sl > 200 ? 200 : sl;
            while (cut < sl && cut > 0 && ((unsigned char)ps[i].src[cut] & 0xC0) == 0x80)
                cut--; /* not inside a UTF-8 sequence */
            rc = engine_error(r->e, LODE_ESCRIPT, "%s:%d: rule '%.*s%s': bad selector: %s", r->name, ru->line,
                              (int)cut, ps[i].src, cut < sl ? "..." : "", err);
            goto out;
        }
        /* Expensive tests get a memo, so a rule like ':has(img) p' stays
         * linear in the document (false positives only cost a reset). */
        if (!r->memo && expensive(ps[i].src)) {
            r->memo = mem_alloc(&r->e->mem, sizeof *r->memo);
            if (!r->memo) {
                rc = engine_error(r->e, LODE_ENOMEM, "out of memory");
                goto out;
            }
            select_memo_reset(r->memo);
        }
        r->root_only = (i == 0 || r->root_only) && select_root_only(ru->sel);
        ru->all = (unsigned char)select_matches_all(ru->sel);
        if (rule_index_add(&r->index, (uint32_t)i, ru->sel) != 0) {
            rc = engine_error(r->e, LODE_ENOMEM, "out of memory");
            goto out;
        }
    }
out:
    return rc;
}

/* read_table in a protected call: (table, r) -> status. */
static int read_table_p(lua_State *L)
{
    lode_rules *r = lua_touserdata(L, 2);
    lua_settop(L, 1);
    lua_pushinteger(L, read_table(r));
    return 1;
}

/* luaL_ref in a protected call: (value) -> ref. */
static int ref_p(lua_State *L)
{
    lua_settop(L, 1);
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    return 1;
}

/* Takes a registry reference to the value at the top (popped); LUA_NOREF
 * on a memory error. */
static int safe_ref(lua_State *L)
{
    lua_pushcfunction(L, ref_p);
    lua_insert(L, -2);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        return LUA_NOREF;
    }
    int ref = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return ref;
}

/* host.NAME -> the host's C function, with its ud. */
typedef struct host_box {
    lode_host_fn fn;
    void *ud;
} host_box;

static int host_call(lua_State *L)
{
    host_box *b = lua_touserdata(L, lua_upvalueindex(1));
    return b->fn(L, b->ud);
}

/* package.preload loader of a host module given as Lua source: the source
 * (a copy, upvalue 1) is compiled as a text chunk named after the module
 * and run with the module name, as require runs a file. */
static int host_module_source(lua_State *L)
{
    size_t len;
    const char *src = lua_tolstring(L, lua_upvalueindex(1), &len);
    const char *name = luaL_checkstring(L, 1);
    lua_pushfstring(L, "=%s", name);
    if (luaL_loadbufferx(L, src, len, lua_tostring(L, -1), "t") != LUA_OK)
        return lua_error(L);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    return 1;
}

/* package.preload loader of a host module with a C opener. */
static int host_module_open(lua_State *L)
{
    host_box *b = lua_touserdata(L, lua_upvalueindex(1));
    int base = lua_gettop(L);
    int n = b->fn(L, b->ud);
    if (n < 1 || lua_gettop(L) < base + 1)
        return luaL_error(L, "host module '%s': its opener pushed no value", luaL_optstring(L, 1, "?"));
    lua_settop(L, base + 1);
    return 1;
}

/* Runs in a pcall: builds the global table `host` from the options and
 * puts the host's modules in package.preload (require finds them first,
 * also in the sandbox: providing one is the host's decision). */
typedef struct host_setup {
    const lode_rules_options *opts;
    lode_engine *e;
} host_setup;

/* Pushes the package.preload loader of a plugin's module. */
static void push_plugin_loader(lua_State *L, const lode_host_module *pm)
{
    if (pm->source) {
        lua_pushlstring(L, pm->source, pm->len);
        lua_pushcclosure(L, host_module_source, 1);
    } else {
        host_box *b = lua_newuserdatauv(L, sizeof *b, 0);
        b->fn = pm->open;
        b->ud = pm->ud;
        lua_pushcclosure(L, host_module_open, 1);
    }
}

/* The last package.searchers entry, for plugins' modules,
 * including those of the plugin path, which it loads on the first miss. */
static int plugin_searcher(lua_State *L)
{
    lode_engine *e = lua_touserdata(L, lua_upvalueindex(1));
    const char *name = luaL_checkstring(L, 1);
    const plugin_item *it = plugin_find_module(e, name);
    if (!it && plugins_need(e))
        it = plugin_find_module(e, name);
    if (!it) {
        lua_pushfstring(L, "no module '%s' in lode's plugins", name);
        return 1;
    }
    push_plugin_loader(L, &it->u.module);
    lua_pushstring(L, name);
    return 2;
}

static int install_host(lua_State *L)
{
    const host_setup *hs = lua_touserdata(L, 1);
    const lode_rules_options *o = hs->opts;
    const lode_host_function *h = o ? o->host_functions : NULL;
    lua_newtable(L);
    for (; h && h->name; h++) {
        if (!h->fn)
            return luaL_error(L, "host function '%s' has no C function", h->name);
        host_box *b = lua_newuserdatauv(L, sizeof *b, 0);
        b->fn = h->fn;
        b->ud = h->ud;
        lua_pushcclosure(L, host_call, 1);
        lua_setfield(L, -2, h->name);
    }
    lua_setglobal(L, "host");
    const lode_host_module *m = o ? o->host_modules : NULL;
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    for (; m && m->name; m++) {
        if ((m->source != NULL) == (m->open != NULL))
            return luaL_error(L, "host module '%s' needs either source or open", m->name);
        if (m->source) {
            lua_pushlstring(L, m->source, m->len);
            lua_pushcclosure(L, host_module_source, 1);
        } else {
            host_box *b = lua_newuserdatauv(L, sizeof *b, 0);
            b->fn = m->open;
            b->ud = m->ud;
            lua_pushcclosure(L, host_module_open, 1);
        }
        lua_setfield(L, -2, m->name);
    }
    /* Plugins' modules, unless the host gave one of the same name; in the
     * sandbox only if the host allowed plugins, and then the plugin path
     * is loaded now: the sandbox's require looks only in preload. */
    lode_engine *e = hs->e;
    if (e->sandbox.enabled && !e->sandbox.allow_plugins) {
        lua_pop(L, 1);
        return 0;
    }
    if (e->sandbox.enabled)
        plugins_need(e);
    for (const plugin_item *it = plugin_next_module(e, NULL); it; it = plugin_next_module(e, it)) {
        const lode_host_module *pm = &it->u.module;
        if (lua_getfield(L, -1, pm->name) != LUA_TNIL) {
            lua_pop(L, 1);
            continue;
        }
        lua_pop(L, 1);
        push_plugin_loader(L, pm);
        lua_setfield(L, -2, pm->name);
    }
    lua_pop(L, 1);
    if (!e->sandbox.enabled && e->plugin_path && !e->plugin_path_loaded) {
        /* table.insert(package.searchers, plugin_searcher): last, so
         * the plugin path is loaded only when no other searcher (preload,
         * package.path, package.cpath) found the module. */
        lua_getglobal(L, "package");
        if (lua_getfield(L, -1, "searchers") == LUA_TTABLE) {
            lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
            lua_pushlightuserdata(L, e);
            lua_pushcclosure(L, plugin_searcher, 1);
            lua_rawseti(L, -2, n + 1);
        }
        lua_pop(L, 2);
    }
    return 0;
}

/* The Lua part of loading: host functions, the chunk, its rule table and
 * ctx; LODE_OK or an error (message set). */
static int load_body(lode_rules *r, const char *src, size_t len, const lode_rules_options *opts)
{
    lode_engine *e = r->e;
    lua_State *L = r->L;
    int rc;
    host_setup hs = {opts, e};
    lua_pushcfunction(L, install_host);
    lua_pushlightuserdata(L, &hs);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        rc = script_error(r, "host functions and modules: ");
        return rc;
    }
    lua_pushcfunction(L, llode_traceback);
    r->ref_tb = safe_ref(L);
    if (r->ref_tb == LUA_NOREF) {
        rc = engine_error(e, LODE_ENOMEM, "%s: out of memory", r->name);
        return rc;
    }
    /* the chunk: text only, never bytecode */
    char chunkname[512];
    snprintf(chunkname, sizeof chunkname, "@%s", r->name);
    if (luaL_loadbufferx(L, src, len, chunkname, "t") != LUA_OK) {
        rc = script_error(r, "");
        return rc;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_tb);
    lua_insert(L, -2);
    sandbox_start(L, &r->sb); /* the chunk itself runs under the limits */
    if (lua_pcall(L, 0, 1, -2) != LUA_OK) {
        if (r->sb.tripped) {
            char lim[96];
            lua_pop(L, 2);
            rc = engine_error(e, LODE_ESANDBOX, "%s: %s while loading", r->name,
                              sandbox_message(&r->sb, lim, sizeof lim));
            return rc;
        }
        rc = script_error(r, "");
        lua_pop(L, 1);
        return rc;
    }
    lua_remove(L, -2); /* the traceback handler */
    if (lua_type(L, -1) != LUA_TTABLE) {
        rc = engine_error(e, LODE_ESCRIPT, "%s: a rule script must return a table of rules (it returned a %s)",
                          r->name, luaL_typename(L, -1));
        lua_pop(L, 1);
        return rc;
    }
    lua_pushcfunction(L, read_table_p);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, r);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        rc = engine_error(e, LODE_ENOMEM, "%s: out of memory", r->name);
        return rc;
    }
    rc = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (rc != LODE_OK)
        return rc;
    lua_pushcfunction(L, make_ctx);
    lua_pushlightuserdata(L, r);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        rc = script_error(r, "cannot create ctx: ");
        return rc;
    }
    r->ref_ctx = safe_ref(L);
    if (r->ref_ctx == LUA_NOREF) {
        rc = engine_error(e, LODE_ENOMEM, "%s: out of memory", r->name);
        return rc;
    }
    return LODE_OK;
}

typedef struct load_call {
    lode_rules *r;
    const char *src;
    size_t len;
    const lode_rules_options *opts;
} load_call;

static int load_cb(void *ud)
{
    load_call *c = ud;
    return load_body(c->r, c->src, c->len, c->opts);
}

static int common_load(lode_engine *e, const char *src, size_t len, const char *name, const char *dir,
                       const lode_rules_options *opts, lode_rules **out)
{
    *out = NULL;
    engine_clear_error(e);
    lode_rules *r = mem_alloc(&e->mem, sizeof *r);
    if (!r)
        return engine_error(e, LODE_ENOMEM, "out of memory");
    memset(r, 0, sizeof *r);
    r->e = e;
    r->ref_begin = r->ref_document = r->ref_finish = r->ref_ctx = r->ref_tb = LUA_NOREF;
    buf_init(&r->records, &e->mem);
    if (opts) {
        r->on_record = opts->on_record;
        r->record_ud = opts->record_ud;
    }
    r->name = mem_strdup(&e->mem, name ? name : "<rules>");
    /* require looks next to the script first, then in the module path */
    buf path;
    buf_init(&path, &e->mem);
    if (dir && *dir)
        buf_puts(&path, dir);
    if (opts && opts->module_path) {
        if (path.len)
            buf_putc(&path, ';');
        buf_puts(&path, opts->module_path);
    }
    if (e->module_path) {
        if (path.len)
            buf_putc(&path, ';');
        buf_puts(&path, e->module_path);
    }
    buf_putc(&path, '\0');
    if (!r->name || !buf_ok(&path)) {
        buf_free(&path);
        lode_rules_free(r);
        return engine_error(e, LODE_ENOMEM, "out of memory");
    }
    r->report = report_new(e);
    if (!r->report) {
        buf_free(&path);
        lode_rules_free(r);
        return engine_error(e, LODE_ENOMEM, "out of memory");
    }
    if (e->sandbox.enabled)
        report_set_limit(r->report, e->sandbox.max_memory);
    sandbox_init(&r->sb, e);
    r->L = llode_newstate(e, path.ptr, &r->sb);
    buf_free(&path);
    if (!r->L) {
        lode_rules_free(r);
        return engine_error(e, LODE_ENOMEM, "%s: cannot create a Lua state (out of memory)", name);
    }
    load_call lc = {r, src, len, opts};
    char panic[256];
    int rc = llode_guarded(r->L, load_cb, &lc, panic, sizeof panic);
    if (rc == -1)
        rc = engine_error(e, LODE_ERROR, "%s: internal error: a Lua error outside protection (%s)", r->name, panic);
    if (rc != LODE_OK)
        goto fail;
    *out = r;
    return LODE_OK;
fail:
    {
        char msg[ENGINE_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", e->errmsg);
        lode_rules_free(r);
        engine_error(e, rc, "%s", msg);
    }
    return rc;
}

int lode_rules_load_string(lode_engine *e, const char *src, size_t len, const char *name,
                           const lode_rules_options *opts, lode_rules **out)
{
    if (!e || !src || !out)
        return e ? engine_error(e, LODE_EMISUSE, "lode_rules_load_string: NULL argument") : LODE_EMISUSE;
    return common_load(e, src, len, name, NULL, opts, out);
}

#include "fileio.h"

int lode_rules_load(lode_engine *e, const char *path, const lode_rules_options *opts, lode_rules **out)
{
    if (!e || !path || !out)
        return e ? engine_error(e, LODE_EMISUSE, "lode_rules_load: NULL argument") : LODE_EMISUSE;
    *out = NULL;
    buf b;
    buf_init(&b, &e->mem);
    int rc = fileio_read_path(e, path, (size_t)16 << 20, &b);
    if (rc != LODE_OK) {
        buf_free(&b);
        return rc;
    }
    /* the script's folder, for require */
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) < sizeof dir) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    } else {
        strcpy(dir, ".");
    }
    rc = common_load(e, b.ptr ? b.ptr : "", b.len, path, dir, opts, out);
    buf_free(&b);
    return rc;
}

void lode_rules_free(lode_rules *r)
{
    if (!r)
        return;
    if (r->L)
        lua_close(r->L);
    free_rules(r);
    report_free(r->report);
    buf_free(&r->records);
    mem_free(&r->e->mem, r->leave);
    mem_free(&r->e->mem, r->memo);
    mem_free(&r->e->mem, r->snap);
    mem_free(&r->e->mem, r->name);
    mem_free(&r->e->mem, r);
}

size_t lode_rules_count(const lode_rules *r)
{
    return r ? r->nrules : 0;
}

const char *lode_rules_selector(const lode_rules *r, size_t i)
{
    return r && i < r->nrules ? r->rules[i].src : NULL;
}

const rule *rules_at(const lode_rules *r, size_t i)
{
    return r && i < r->nrules ? &r->rules[i] : NULL;
}

void rules_set_profile(lode_rules *r, int on)
{
    r->profile = on;
}

double rules_walk_seconds(const lode_rules *r)
{
    return r->walk_seconds;
}

int rules_has_phase(const lode_rules *r, const char *name)
{
    if (!strcmp(name, "begin"))
        return r->ref_begin != LUA_NOREF;
    if (!strcmp(name, "document"))
        return r->ref_document != LUA_NOREF;
    if (!strcmp(name, "finish"))
        return r->ref_finish != LUA_NOREF;
    return 0;
}

/* ------------------------------------------------------------------ */
/* running                                                             */
/* ------------------------------------------------------------------ */

/* A failed call into the script (the message or traceback on
 * top of the stack): sets the engine's message -- document, node line,
 * what (NULL: the rule in r->failed_rule), then Lua's message and
 * traceback -- and returns LODE_ESANDBOX (a limit) or LODE_ESCRIPT. */
static int call_failed(lode_rules *r, const char *what)
{
    lua_State *L = r->L;
    char whatbuf[300];
    if (!what) {
        /* a rule handler: name it only now that it failed (formatting it
         * before every call cost ~1% of a run) */
        snprintf(whatbuf, sizeof whatbuf, "rule '%.200s'%s", r->failed_rule ? r->failed_rule->src : "?",
                 r->failed_leave ? " (leave)" : "");
        what = whatbuf;
    }
    if (r->sb.tripped) {
        /* a limit: not the script's own error, and not catchable by it */
        char lim[96];
        sandbox_message(&r->sb, lim, sizeof lim);
        if (r->doc)
            engine_error(r->e, LODE_ESANDBOX, "%s: document %s: %s (in %s)", r->name, r->doc->name, lim, what);
        else
            engine_error(r->e, LODE_ESANDBOX, "%s: %s (in %s)", r->name, lim, what);
        return LODE_ESANDBOX;
    }
    const char *msg = lua_tostring(L, -1);
    if (!msg)
        msg = "(error object is not a string)";
    if (r->doc && r->current)
        engine_error(r->e, LODE_ESCRIPT, "%s:%ld: %s: %s", r->doc->name, xmlGetLineNo((xmlNode *)r->current),
                     what, msg);
    else if (r->doc)
        engine_error(r->e, LODE_ESCRIPT, "%s: %s: %s", r->doc->name, what, msg);
    else
        engine_error(r->e, LODE_ESCRIPT, "%s: %s", what, msg);
    return LODE_ESCRIPT;
}

/* Pushes the arguments (arg at argidx or nothing, ctx), of which only the
 * first `args` (0, 1 or 2: handler_args); ctx from stack index ctxidx, or
 * from the registry when ctxidx is 0.  Returns how many were pushed. */
static int push_args(lode_rules *r, int argidx, int args, int ctxidx)
{
    lua_State *L = r->L;
    int nargs = 0;
    if (argidx && args > 0) {
        lua_pushvalue(L, argidx);
        nargs = 1;
    }
    if (nargs < args) {
        if (ctxidx)
            lua_pushvalue(L, ctxidx);
        else
            lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_ctx);
        nargs++;
    }
    return nargs;
}

/* Calls the function ref with push_args's arguments in a protected call;
 * what names it in a message (call_failed). */
static int call(lode_rules *r, int ref, int argidx, int args, const char *what)
{
    lua_State *L = r->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_tb);
    int tb = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    int nargs = push_args(r, argidx, args, 0);
    int rc = lua_pcall(L, nargs, 0, tb) == LUA_OK ? LODE_OK : call_failed(r, what);
    lua_settop(L, tb - 1);
    return rc;
}

static int push_leave(lode_rules *r, int i)
{
    if (r->nleave == r->capleave) {
        size_t cap = r->capleave ? r->capleave * 2 : 64;
        int *g = mem_realloc(&r->e->mem, r->leave, cap * sizeof *g);
        if (!g)
            return engine_error(r->e, LODE_ENOMEM, "out of memory");
        r->leave = g;
        r->capleave = cap;
    }
    r->leave[r->nleave++] = i;
    return LODE_OK;
}

/* Calls the handler of rule i on n (pushed at nodeidx) and ctx (at
 * r->ctxidx).  Runs inside the walk's one protected call (walk_p): a
 * handler's error unwinds to it, past visit's frames, which hold nothing
 * that needs freeing (the walk's stacks live in r and are reset for each
 * document). */
static void run_handler(lode_rules *r, size_t i, int ref, int nodeidx, int leave)
{
    lua_State *L = r->L;
    int args = leave ? r->rules[i].leave_args : r->rules[i].enter_args;
    r->current_rule = &r->rules[i];
    r->failed_rule = &r->rules[i];
    r->failed_leave = leave;
    if (r->fnidx)
        lua_pushvalue(L, r->fnidx + 2 * (int)i + leave);
    else
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    int nargs = push_args(r, nodeidx, args, r->ctxidx);
    r->in_handler = 1;
    if (r->profile) {
        double t0 = now();
        lua_call(L, nargs, 0);
        r->rules[i].calls++;
        r->rules[i].seconds += now() - t0;
    } else {
        lua_call(L, nargs, 0);
    }
    r->in_handler = 0;
    r->current_rule = NULL;
}

/* Pushes n's userdata (raises on a memory error: the walk's protected
 * call reports it). */
static void push_node(lode_rules *r, int docidx, xmlNode *n)
{
    ltree_push_node(r->L, docidx, n);
}

/* Matching rule i's selector ran into the sandbox's step or time limit. */
static int limit_error(lode_rules *r, size_t i)
{
    char lim[96];
    sandbox_message(&r->sb, lim, sizeof lim);
    return engine_error(r->e, LODE_ESANDBOX, "%s: document %s: %s (matching the selector of rule '%.200s')",
                        r->name, r->doc->name, lim, r->rules[i].src);
}

static int visit(lode_rules *r, xmlNode *n, int docidx, unsigned depth)
{
    lua_State *L = r->L;
    if (depth > MAX_WALK_DEPTH)
        return engine_error(r->e, LODE_ELIMIT, "%s: elements nested deeper than %d levels", r->doc->name,
                            MAX_WALK_DEPTH);
    if (!lua_checkstack(L, 8))
        return engine_error(r->e, LODE_ENOMEM, "%s: Lua stack exhausted", r->doc->name);
    xmlNode *parent = n->parent;
    size_t leave_from = r->nleave;
    r->skip = 0;
    int pushed = 0;
    if (r->memo && r->memo_edits != r->doc->edits) {
        select_memo_reset(r->memo); /* a handler changed the tree */
        r->memo_edits = r->doc->edits;
    }
    /* The candidates are the rules that can match n as it is now; a handler
     * that edits the tree may change n's name, id or classes, so after an
     * edit they are looked up again and the loop goes on after rule i. */
    const uint32_t *cand;
    size_t ncand;
    unsigned long edits = r->doc->edits;
    if (rule_index_candidates(&r->index, n, &cand, &ncand) != 0)
        return engine_error(r->e, LODE_ENOMEM, "%s: out of memory", r->doc->name);
    for (size_t k = 0; k < ncand;) {
        size_t i = cand[k++];
        if (!r->rules[i].all && !select_matches_limit(r->rules[i].sel, n, r->memo, &r->lim)) {
            if (r->lim.stopped)
                return limit_error(r, i);
            continue;
        }
        if (!pushed && r->rules[i].enter_ref != LUA_NOREF && r->rules[i].enter_args > 0) {
            push_node(r, docidx, n);
            pushed = lua_gettop(L);
        }
        r->current = n;
        if (r->rules[i].enter_ref != LUA_NOREF)
            run_handler(r, i, r->rules[i].enter_ref, pushed, 0);
        if (r->rules[i].leave_ref != LUA_NOREF && push_leave(r, (int)i) != LODE_OK)
            return LODE_ENOMEM;
        if (r->doc->edits != edits) {
            edits = r->doc->edits;
            if (rule_index_candidates(&r->index, n, &cand, &ncand) != 0)
                return engine_error(r->e, LODE_ENOMEM, "%s: out of memory", r->doc->name);
            for (k = 0; k < ncand && cand[k] <= i; k++)
                ;
        }
    }
    int skip = r->skip;
    int attached = n->parent == parent || tree_attached(n);
    if (attached && !skip && n->children && !r->root_only) {
        /* Snapshot the element children first: if a handler removes a
         * child together with its next sibling, the walk resumes at the
         * first later child that is still here.  Indices, not pointers, into
         * r->snap: deeper levels may grow (move) it. */
        size_t base = r->nsnap;
        for (xmlNode *c = n->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            if (r->nsnap == r->capsnap) {
                size_t cap = r->capsnap ? r->capsnap * 2 : 256;
                xmlNode **g = mem_realloc(&r->e->mem, r->snap, cap * sizeof *g);
                if (!g) {
                    r->nsnap = base;
                    return engine_error(r->e, LODE_ENOMEM, "%s: out of memory", r->doc->name);
                }
                r->snap = g;
                r->capsnap = cap;
            }
            r->snap[r->nsnap++] = c;
        }
        size_t end = r->nsnap, pos = base;
        xmlNode *c = n->children;
        int rc = LODE_OK;
        while (c && rc == LODE_OK) {
            if (c->type == XML_ELEMENT_NODE) {
                /* where c is in the snapshot; a child inserted during the
                 * walk is not there, and leaves pos where it was */
                size_t k = pos;
                while (k < end && r->snap[k] != c)
                    k++;
                if (k < end)
                    pos = k;
                rc = visit(r, c, docidx, depth + 1);
            }
            if (c->parent == n) {
                c = c->next;
                continue;
            }
            /* c left n: go on with the first later child still in n */
            xmlNode *next = NULL;
            for (size_t k = pos < end ? pos + 1 : end; k < end; k++) {
                if (r->snap[k]->parent == n) {
                    next = r->snap[k];
                    break;
                }
            }
            c = next;
        }
        r->nsnap = base;
        if (rc != LODE_OK)
            return rc;
    }
    if (r->nleave > leave_from) {
        for (size_t k = leave_from; k < r->nleave; k++) {
            size_t i = (size_t)r->leave[k];
            if (!pushed && r->rules[i].leave_args > 0) {
                push_node(r, docidx, n);
                pushed = lua_gettop(L);
            }
            r->current = n;
            run_handler(r, i, r->rules[i].leave_ref, pushed, 1);
        }
        r->nleave = leave_from;
    }
    if (pushed)
        lua_settop(L, pushed - 1);
    return LODE_OK;
}

/* The walk of one document, in one protected call. */
typedef struct walk_call {
    lode_rules *r;
    xmlNode *root;
    int rc;
} walk_call;

/* Up to this many rules, the walk puts their handlers on its stack first
 * (two pushes a rule and document); with more, each call looks its
 * handler up, so that thousands of rules over small documents do not pay
 * for handlers that are never called. */
#define WALK_STACK_RULES 256

/* (walk_call, doc, ctx): visits the tree from the root, with the rules'
 * handlers on the stack (a push from a stack slot is a quarter of the cost
 * of a registry lookup) when they are few and there is room. */
static int walk_p(lua_State *L)
{
    walk_call *w = lua_touserdata(L, 1);
    lode_rules *r = w->r;
    r->ctxidx = 3;
    r->fnidx = 0;
    if (r->nrules <= WALK_STACK_RULES && lua_checkstack(L, (int)(2 * r->nrules) + 8)) {
        r->fnidx = 4;
        for (size_t i = 0; i < r->nrules; i++) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, r->rules[i].enter_ref);
            lua_rawgeti(L, LUA_REGISTRYINDEX, r->rules[i].leave_ref);
        }
    }
    w->rc = visit(r, w->root, 2, 1);
    r->fnidx = 0;
    return 0;
}

/* The walk's message handler: the traceback, less its last line, which is
 * walk_p's own frame ("[C]: in ?") and would only puzzle the script's
 * author. */
static int walk_traceback(lua_State *L)
{
    llode_traceback(L);
    size_t len;
    const char *tb = lua_tolstring(L, -1, &len);
    static const char tail[] = "\n\t[C]: in ?";
    size_t tl = sizeof tail - 1;
    if (tb && len >= tl && memcmp(tb + len - tl, tail, tl) == 0)
        lua_pushlstring(L, tb, len - tl);
    return 1;
}

/* Visits the document (its userdata at docidx) from root, calling the
 * handlers with lua_call inside one lua_pcall: a protected call per handler
 * was a third of the cost of a handler that does little. */
static int walk(lode_rules *r, xmlNode *root, int docidx)
{
    lua_State *L = r->L;
    int base = lua_gettop(L);
    walk_call w = {r, root, LODE_OK};
    r->nsnap = 0;
    r->in_handler = 0;
    if (!lua_checkstack(L, 5))
        return engine_error(r->e, LODE_ENOMEM, "%s: Lua stack exhausted", r->doc->name);
    lua_pushcfunction(L, walk_traceback);
    lua_pushcfunction(L, walk_p);
    lua_pushlightuserdata(L, &w);
    lua_pushvalue(L, docidx);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_ctx);
    int st = lua_pcall(L, 3, 0, base + 1);
    int rc = w.rc;
    if (st != LUA_OK) {
        if (r->in_handler)
            rc = call_failed(r, NULL);
        else if (r->sb.tripped)
            rc = call_failed(r, "the walk");
        else
            rc = engine_error(r->e, LODE_ENOMEM, "%s: out of memory", r->doc->name);
        /* the walk stopped where it was */
        r->nsnap = 0;
        r->nleave = 0;
        r->in_handler = 0;
        r->fnidx = 0;
        r->current_rule = NULL;
    }
    lua_settop(L, base);
    return rc;
}

/* Runs in a pcall: sets ctx.doc to the document at index 1. */
static int set_ctx_doc(lua_State *L)
{
    lode_rules *r = lua_touserdata(L, 2);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref_ctx);
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "doc");
    return 0;
}

/* Runs in a pcall: pushes a document userdata for r->doc. */
static int push_doc(lua_State *L)
{
    lode_rules *r = lua_touserdata(L, 1);
    ltree_push_doc(L, r->doc);
    return 1;
}

/* Runs begin(ctx) once.  If it fails, the script's setup is missing, so
 * every later run fails at once with the same reason rather than walking
 * documents with a half-initialised script. */
static int begin_if_needed(lode_rules *r)
{
    if (r->begin_failed)
        return engine_error(r->e, r->begin_rc, "begin() failed earlier (%s); the rules are not run", r->begin_msg);
    if (r->began)
        return LODE_OK;
    r->began = 1;
    if (r->ref_begin == LUA_NOREF)
        return LODE_OK;
    sandbox_start(r->L, &r->sb);
    int rc = call(r, r->ref_begin, 0, 2, "begin");
    if (rc != LODE_OK) {
        r->begin_failed = 1;
        r->begin_rc = rc;
        size_t len = strcspn(r->e->errmsg, "\n");
        snprintf(r->begin_msg, sizeof r->begin_msg, "%.*s", (int)len, r->e->errmsg);
    }
    return rc;
}

int rules_begin_failed(const lode_rules *r)
{
    return r->begin_failed;
}

static int run_body(lode_rules *r, lode_doc *doc)
{
    lode_engine *e = r->e;
    lua_State *L = r->L;
    int base = lua_gettop(L);
    int rc = begin_if_needed(r);
    if (rc != LODE_OK)
        return rc;
    double t0 = now();
    sandbox_start(L, &r->sb); /* a fresh budget for each document */
    sandbox_select_limit(L, &r->lim);
    r->doc = doc;
    buf_reset(&r->records);
    r->nleave = 0;
    r->current = NULL;
    lua_pushcfunction(L, push_doc);
    lua_pushlightuserdata(L, r);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        lua_settop(L, base);
        r->doc = NULL;
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", doc->name);
    }
    int docidx = lua_gettop(L);
    lua_pushcfunction(L, set_ctx_doc);
    lua_pushvalue(L, docidx);
    lua_pushlightuserdata(L, r);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        lua_settop(L, base);
        r->doc = NULL;
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", doc->name);
    }
    xmlNode *root = xmlDocGetRootElement(doc->xml);
    if (r->memo) {
        select_memo_reset(r->memo);
        r->memo_edits = doc->edits;
    }
    if (root && r->nrules)
        rc = walk(r, root, docidx);
    r->current = NULL;
    if (rc == LODE_OK && r->ref_document != LUA_NOREF)
        rc = call(r, r->ref_document, docidx, 2, "document");
    r->walk_seconds += now() - t0;
    /* records: all of the document's or none */
    if (rc == LODE_OK && r->on_record && r->records.len) {
        const char *p = r->records.ptr, *end = r->records.ptr + r->records.len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (r->on_record(r->record_ud, doc, p, (size_t)(nl - p)) != 0) {
                rc = engine_error(e, LODE_ERROR, "%s: the record consumer stopped the run", doc->name);
                break;
            }
            p = nl + 1;
        }
    }
    buf_reset(&r->records);
    /* ctx.doc = nil, so the document can go as soon as no node of it is
     * reachable; tell the collector about the memory libxml2 holds, which
     * Lua does not see, so documents do not pile up between collections. */
    lua_pushcfunction(L, set_ctx_doc);
    lua_pushnil(L);
    lua_pushlightuserdata(L, r);
    lua_pcall(L, 2, 0, 0);
    lua_settop(L, base);
    r->doc = NULL;
    /* A tree takes roughly 4x its source.  Told in steps of 64 KiB or
     * more: a step that small can finish a cycle over a small heap, which
     * for one tiny page was as much work as its whole walk. */
    r->gc_kb += doc->bytes / 256;
    if (r->gc_kb >= 64) {
        size_t kb = r->gc_kb > (1u << 20) ? (1u << 20) : r->gc_kb;
        r->gc_kb = 0;
        lua_gc(L, LUA_GCSTEP, (int)kb);
    }
    return rc;
}

void rules_swap_record_fn(lode_rules *r, lode_record_fn fn, void *ud, lode_record_fn *old_fn, void **old_ud)
{
    if (old_fn)
        *old_fn = r->on_record;
    if (old_ud)
        *old_ud = r->record_ud;
    r->on_record = fn;
    r->record_ud = ud;
}

lode_engine *lode_rules_engine(const lode_rules *r)
{
    return r ? r->e : NULL;
}

lode_report *lode_rules_report(lode_rules *r)
{
    return r ? r->report : NULL;
}

/* lode_rules_run and lode_rules_finish run their Lua under llode_guarded:
 * a Lua error outside every lua_pcall (a bug of lode's) becomes an error
 * of the call, and the rules object is left to be freed, instead of Lua
 * aborting the host process. */
typedef struct guarded_call {
    lode_rules *r;
    lode_doc *doc;
} guarded_call;

static int run_cb(void *ud)
{
    guarded_call *g = ud;
    return run_body(g->r, g->doc);
}

static int finish_body(lode_rules *r);

static int finish_cb(void *ud)
{
    return finish_body(((guarded_call *)ud)->r);
}

static int guarded(lode_rules *r, int (*body)(void *), lode_doc *doc)
{
    char msg[256];
    guarded_call g = {r, doc};
    int rc = llode_guarded(r->L, body, &g, msg, sizeof msg);
    if (rc == -1) {
        r->broken = 1;
        return engine_error(r->e, LODE_ERROR, "%s: internal error: a Lua error outside protection (%s); "
                            "these rules cannot be used any more", r->name, msg);
    }
    return rc;
}

static int broken_error(lode_rules *r, const char *fn)
{
    return engine_error(r->e, LODE_ERROR, "%s: %s: an internal error made these rules unusable", r->name, fn);
}

static int begin_cb(void *ud)
{
    return begin_if_needed(((guarded_call *)ud)->r);
}

int rules_begin(lode_rules *r)
{
    engine_clear_error(r->e);
    if (r->broken)
        return broken_error(r, "begin");
    return guarded(r, begin_cb, NULL);
}

int rules_runnable(lode_rules *r, const char *fn)
{
    engine_clear_error(r->e);
    if (r->finished)
        return engine_error(r->e, LODE_EMISUSE, "%s: the rules were already finished", fn);
    if (r->broken)
        return broken_error(r, fn);
    return LODE_OK;
}

int lode_rules_run(lode_rules *r, lode_doc *doc)
{
    if (!r || !doc)
        return r ? engine_error(r->e, LODE_EMISUSE, "lode_rules_run: NULL argument") : LODE_EMISUSE;
    int rc = rules_runnable(r, "lode_rules_run");
    if (rc != LODE_OK)
        return rc;
    return guarded(r, run_cb, doc);
}

int lode_rules_finish(lode_rules *r)
{
    if (!r)
        return LODE_EMISUSE;
    engine_clear_error(r->e);
    if (r->finished || r->begin_failed)
        return LODE_OK;
    if (r->broken)
        return broken_error(r, "lode_rules_finish");
    return guarded(r, finish_cb, NULL);
}

static int finish_body(lode_rules *r)
{
    r->finished = 1;
    int rc = begin_if_needed(r);
    if (rc == LODE_OK && r->ref_finish != LUA_NOREF) {
        sandbox_start(r->L, &r->sb);
        rc = call(r, r->ref_finish, 0, 2, "finish");
    }
    return rc;
}
