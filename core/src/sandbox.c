/* sandbox.c -- limits and an allow-listed environment (see sandbox.h). */
#include "sandbox.h"

#include "lua_pattern.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#define HOOK_COUNT 1000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sandbox_init(sandbox *sb, lode_engine *e)
{
    memset(sb, 0, sizeof *sb);
    sb->base = e->mem;
    sb->enabled = e->sandbox.enabled;
    sb->limit = e->sandbox.max_memory;
    sb->max_steps = e->sandbox.max_steps;
    sb->timeout_ms = e->sandbox.timeout_ms;
}

/* Counts every byte; refuses growth past the limit (never a shrink, as the
 * lua_Alloc contract requires).  A refusal also trips the sandbox, so the
 * memory error cannot be caught and ignored by the script. */
void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        sb->used -= old;
        return sb->base.fn(sb->base.ud, ptr, osize, 0);
    }
    if (sb->enabled && nsize > old && sb->used - old + nsize > sb->limit) {
        if (!sb->tripped)
            sb->tripped = SANDBOX_MEMORY;
        return NULL;
    }
    void *p = sb->base.fn(sb->base.ud, ptr, osize, nsize);
    if (p)
        sb->used = sb->used - old + nsize;
    return p;
}

const char *sandbox_message(const sandbox *sb, char *out, size_t n)
{
    switch (sb->tripped) {
    case SANDBOX_MEMORY: snprintf(out, n, "memory limit of %zu MB reached", sb->limit >> 20); break;
    case SANDBOX_STEPS: snprintf(out, n, "instruction limit of %llu reached", sb->max_steps); break;
    case SANDBOX_TIME: snprintf(out, n, "time limit of %lu ms reached", sb->timeout_ms); break;
    default: snprintf(out, n, "no limit reached"); break;
    }
    return out;
}

static sandbox *of(lua_State *L)
{
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return ud;
}

static void hook(lua_State *L, lua_Debug *ar);

/* Re-arms the hook to run on every instruction (sticky) and raises the
 * limit's error. */
static void raise_tripped(lua_State *L, sandbox *sb)
{
    char msg[96];
    lua_sethook(L, hook, LUA_MASKCOUNT | LUA_MASKCALL, 1);
    luaL_error(L, "%s", sandbox_message(sb, msg, sizeof msg));
}

/* The hook: counts instructions, checks the deadline on count and call
 * events (so a loop of expensive C calls is caught between calls), and once
 * a limit tripped, raises on every instruction. */
static void hook(lua_State *L, lua_Debug *ar)
{
    sandbox *sb = of(L);
    if (!sb->tripped) {
        if (ar->event == LUA_HOOKCOUNT)
            sb->steps += HOOK_COUNT;
        if (sb->steps > sb->max_steps)
            sb->tripped = SANDBOX_STEPS;
        else if (now() > sb->deadline)
            sb->tripped = SANDBOX_TIME;
    }
    if (sb->tripped)
        raise_tripped(L, sb);
}

/* Adds steps of C work to the budget and checks the deadline; the tripped
 * limit, if any. */
static int account(sandbox *sb, unsigned long steps)
{
    if (!sb->tripped) {
        sb->steps += steps;
        if (sb->steps > sb->max_steps)
            sb->tripped = SANDBOX_STEPS;
        else if (now() > sb->deadline)
            sb->tripped = SANDBOX_TIME;
    }
    return sb->tripped;
}

void sandbox_charge(lua_State *L, unsigned long steps)
{
    sandbox *sb = of(L);
    if (!sb->enabled)
        return;
    if (account(sb, steps))
        raise_tripped(L, sb);
}

static int select_over(void *ud, unsigned long steps)
{
    return account(ud, steps) != SANDBOX_OK;
}

void sandbox_select_limit(lua_State *L, select_limit *lim)
{
    sandbox *sb = of(L);
    lim->over = sb->enabled ? select_over : NULL;
    lim->ud = sb;
    lim->pending = 0;
    lim->stopped = 0;
}

void sandbox_start(lua_State *L, sandbox *sb)
{
    if (!sb->enabled)
        return;
    sb->steps = 0;
    sb->tripped = SANDBOX_OK;
    sb->deadline = now() + (double)sb->timeout_ms / 1000.0;
    lua_sethook(L, hook, LUA_MASKCOUNT | LUA_MASKCALL, HOOK_COUNT);
}

/* ------------------------------------------------------------------ */
/* the environment                                                     */
/* ------------------------------------------------------------------ */

/* load(chunk [, chunkname [, mode [, env]]]): text chunks given as strings
 * only; binary chunks can crash the interpreter (HARDENING 2.2). */
static int sb_load(lua_State *L)
{
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    if (!s)
        return luaL_argerror(L, 1, "the sandbox loads strings only");
    const char *name = luaL_optstring(L, 2, s);
    int env = !lua_isnone(L, 4) ? 4 : 0;
    if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

/* setmetatable(t, mt): refuses metatables with __gc -- finalizers run with
 * hooks off, outside every limit (HARDENING 2.2). */
static int sb_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc finalizers are not allowed in the sandbox");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* string.rep(s, n [, sep]): bounded by the memory still available, and
 * immediate for empty strings (5.4.4 loops n times in C even then). */
static int sb_rep(lua_State *L)
{
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || (l == 0 && lsep == 0)) {
        lua_pushliteral(L, "");
        return 1;
    }
    sandbox *sb = of(L);
    double total = (double)l * (double)n + (double)lsep * (double)(n - 1);
    if (total > (double)(sb->limit - (sb->used < sb->limit ? sb->used : sb->limit)))
        return luaL_error(L, "string.rep: a result of %f bytes exceeds the sandbox's memory", (lua_Number)total);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* table.move(a1, f, e, t [, a2]): at most 2^24 elements per call (a huge
 * range loops in C, out of the hook's reach). */
static int sb_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    if (e >= f && (lua_Unsigned)e - (lua_Unsigned)f >= ((lua_Unsigned)1 << 24))
        return luaL_error(L, "table.move: more than 16777216 elements in the sandbox");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* Replaces t[name] by a C closure whose upvalue is the original. */
static void wrap_field(lua_State *L, int t, const char *name, lua_CFunction fn)
{
    lua_getfield(L, t, name);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, t, name);
}

/* xpcall(f, handler, ...): the handler runs after the stack is unwound, with
 * the hook active.  (Lua runs message handlers inside the hook that raised
 * the error, where hooks are off: a looping handler would run unbounded.) */
static int sb_xpcall(lua_State *L)
{
    luaL_checktype(L, 2, LUA_TFUNCTION);
    int n = lua_gettop(L);
    lua_pushvalue(L, 1);
    for (int i = 3; i <= n; i++)
        lua_pushvalue(L, i);
    int st = lua_pcall(L, n - 2, LUA_MULTRET, 0);
    if (st == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_replace(L, n); /* reuse a slot: true, results... */
        return lua_gettop(L) - n + 1;
    }
    /* error object on top: call the handler on it, now under the hook */
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

/* require(name): only modules lode provides (registered in the registry's
 * preload table by the state's setup); nothing is read from disk. */
static int sb_require(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    if (lua_getfield(L, -1, name) != LUA_TFUNCTION)
        return luaL_error(L, "module '%s' not available in the sandbox (only lode's own modules are)", name);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -4, name); /* _LOADED[name] */
    return 1;
}

void sandbox_open(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},     {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math}, {LUA_UTF8LIBNAME, luaopen_utf8},
        {NULL, NULL},
    };
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    /* os: the clock functions only */
    luaL_requiref(L, "lode.os_full", luaopen_os, 0);
    lua_newtable(L);
    const char *keep[] = {"time", "clock", "date", "difftime"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        lua_getfield(L, -2, keep[i]);
        lua_setfield(L, -2, keep[i]);
    }
    lua_setglobal(L, "os");
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushnil(L);
    lua_setfield(L, -2, "lode.os_full"); /* the full os library is gone */
    lua_pop(L, 1);
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    const char *drop[] = {"dofile", "loadfile", "print", "collectgarbage", "warn", "require"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++) {
        lua_pushnil(L);
        lua_setfield(L, g, drop[i]);
    }
    lua_pushcfunction(L, sb_require);
    lua_setfield(L, g, "require");
    lua_pushcfunction(L, sb_load);
    lua_setfield(L, g, "load");
    lua_pushcfunction(L, sb_xpcall);
    lua_setfield(L, g, "xpcall");
    wrap_field(L, g, "setmetatable", sb_setmetatable);
    lua_getglobal(L, "string");
    int str = lua_gettop(L);
    lua_pushnil(L);
    lua_setfield(L, str, "dump");
    wrap_field(L, str, "rep", sb_rep);
    lpattern_open(L, str); /* find, match, gmatch, gsub under the budget */
    lua_pop(L, 1);
    lua_getglobal(L, "table");
    wrap_field(L, lua_gettop(L), "move", sb_move);
    lua_pop(L, 1);
    /* the string metatable cannot be fetched and changed */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "string");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    lua_pop(L, 1); /* _G */
}
