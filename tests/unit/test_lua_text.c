/* test_lua_text.c -- the lode.text Lua module (core/src/lua_text.c).
 *
 * Runs tests/lua/text.lua (unit cases, every example of docs/lua-text.md,
 * Unicode's NormalizationTest.txt and GraphemeBreakTest.txt) in a fresh
 * lua_State, with check()/note() reporting through harness.h; then, in C:
 * the time of every normalisation form on 100,000 combining marks (the
 * stream-safe guard), and allocation failures at every allocation of each
 * function (an error, never a crash or a leak).
 *
 * Run from the project root (tests/run.sh does); argv[1] may name another
 * script instead of tests/lua/text.lua. */
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "harness.h"
#include "test_alloc.h"
#include "lua_text.h"

static const char *script = "tests/lua/text.lua";

/* [-(2|3|4), +0, -] check(ok, name [, detail [, level]]): one TAP check,
 * reported at the line of the Lua function `level` frames up (1: the caller
 * of check). */
static int t_check(lua_State *L)
{
    int ok = lua_toboolean(L, 1);
    const char *name = luaL_checkstring(L, 2);
    const char *detail = luaL_optstring(L, 3, NULL);
    int level = (int)luaL_optinteger(L, 4, 1);
    lua_Debug ar;
    char file[LUA_IDSIZE] = "?";
    int line = 0;
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar)) {
        memcpy(file, ar.short_src, sizeof file);
        line = ar.currentline;
    }
    if (!harness_check(ok, file, line, name) && detail)
        printf("#   %s\n", detail);
    return 0;
}

/* [-1, +0, -] note(msg): a TAP comment line. */
static int t_note(lua_State *L)
{
    printf("# %s\n", luaL_checkstring(L, 1));
    fflush(stdout);
    return 0;
}

/* [-1, +1, m] Message handler for lua_pcall: adds a traceback. */
static int t_traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
    return 1;
}

/* [-0, +0, m] Makes `require "lode.text"` work, as a host does. */
static void preload_text(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, ltext_open);
    lua_setfield(L, -2, LTEXT_NAME);
    lua_pop(L, 1); /* pop preload table */
}

static void lua_script(void)
{
    lua_State *L = luaL_newstate();
    CHECK(L != NULL);
    if (!L)
        return;
    luaL_openlibs(L);
    preload_text(L);
    lua_register(L, "check", t_check);
    lua_register(L, "note", t_note);
    lua_pushcfunction(L, t_traceback);
    int status = luaL_loadfilex(L, script, "t");
    if (status == LUA_OK)
        status = lua_pcall(L, 0, 0, 1);
    if (!harness_check(status == LUA_OK, __FILE__, __LINE__, script))
        printf("#   %s\n", lua_tostring(L, -1));
    lua_close(L);
}

/* The module table itself, from C. */
static void open_from_c(void)
{
    lua_State *L = luaL_newstate();
    lua_pushcfunction(L, ltext_open);
    lua_call(L, 0, 1);
    CHECK(lua_istable(L, -1));
    CHECK_EQ_INT(lua_getfield(L, -1, "normalize"), LUA_TFUNCTION);
    lua_pop(L, 1);
    CHECK_EQ_INT(lua_getfield(L, -1, "unicode_version"), LUA_TSTRING);
    CHECK_EQ_STR(lua_tostring(L, -1), utf8proc_unicode_version());
    lua_pop(L, 1);
    CHECK_EQ_INT(lua_gettop(L), 1);
    /* Opening twice gives two working tables (the metatable is shared). */
    lua_pushcfunction(L, ltext_open);
    lua_call(L, 0, 1);
    CHECK(lua_istable(L, -1) && !lua_rawequal(L, -1, -2));
    lua_close(L);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Pushes "a" followed by n combining marks: all U+0301 (one class), or
 * alternating U+0301 (class 230) and U+0316 (class 220), which makes an
 * unguarded canonical reordering swap at every step -- the worst case. */
static void push_marks(lua_State *L, size_t n, int alternating)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addchar(&b, 'a');
    for (size_t i = 0; i < n; i++)
        luaL_addstring(&b, alternating && (i & 1) ? "\xCC\x96" : "\xCC\x81");
    luaL_pushresult(&b);
}

/* UAX #15 stream-safe guard: every form on 100,000 marks is linear.
 * Unguarded, utf8proc 2.8 needs ~1 s for 20,000 alternating marks and ~20 s
 * of CPU for 100,000 (measured with utf8proc_NFC). */
static void pathological_timing(void)
{
    static const char *const forms[] = {"NFC", "NFD", "NFKC", "NFKD"};
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lua_pushcfunction(L, ltext_open);
    lua_call(L, 0, 1); /* 1: module */
    for (int alternating = 0; alternating <= 1; alternating++) {
        push_marks(L, 100000, alternating); /* 2 */
        for (int f = 0; f < 4; f++) {
            lua_getfield(L, 1, "normalize");
            lua_pushvalue(L, 2);
            lua_pushstring(L, forms[f]);
            double t0 = now();
            int status = lua_pcall(L, 2, 1, 0);
            double ms = (now() - t0) * 1000;
            printf("# %s of \"a\" + 100,000 combining marks (%s): %.1f ms\n", forms[f],
                   alternating ? "alternating classes 230/220" : "all U+0301", ms);
            CHECK(status == LUA_OK);
            /* 100,000 marks + 3,333 CGJs; NFC/NFKC compose the first mark. */
            size_t want = 1 + 2 * 100000 + 2 * 3333 + (f % 2 == 0 ? 1 - 2 : 0);
            CHECK_EQ_INT(lua_rawlen(L, -1), want);
            /* Generous: under ASan the guarded run takes ~20 ms. */
            CHECK(ms < 1000);
            lua_pop(L, 1);
        }
        const char *others[] = {"strip_marks", "casefold", "width"};
        for (size_t k = 0; k < sizeof others / sizeof *others; k++) {
            lua_getfield(L, 1, others[k]);
            lua_pushvalue(L, 2);
            double t0 = now();
            int status = lua_pcall(L, 1, 1, 0);
            double ms = (now() - t0) * 1000;
            printf("# %s of 100,000 marks: %.1f ms\n", others[k], ms);
            CHECK(status == LUA_OK && ms < 1000);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_close(L);
}

/* Calls text.<fn>(arg [, i]) (i only if i != 0) with the n-th allocation
 * from now on refused, and every later one (one refusal is not enough: Lua
 * retries after an emergency collection), for n = 1, 2, ... until a call
 * succeeds.  Every failed call must raise (never crash), every state must
 * free all its blocks, and the successful call's result must equal an
 * unconstrained run's. */
static void alloc_failures_of(const char *fn, const char *arg, size_t arglen, lua_Integer i)
{
    int failures = 0, bad_errors = 0, leaks = 0, succeeded = 0;
    for (long n = 1; n < 10000 && !succeeded; n++) {
        test_alloc c = {0};
        lua_State *L = lua_newstate(test_alloc_fn, &c);
        if (!L)
            break;
        lua_pushcfunction(L, ltext_open);
        lua_call(L, 0, 1);
        lua_getfield(L, -1, fn);
        lua_pushlstring(L, arg, arglen);
        if (i != 0)
            lua_pushinteger(L, i);
        test_alloc_fail_in(&c, n, 1);
        int status = lua_pcall(L, i != 0 ? 2 : 1, 1, 0);
        test_alloc_fail_in(&c, 0, 0);
        if (status == LUA_OK) {
            succeeded = 1;
        } else {
            failures++;
            const char *msg = lua_tostring(L, -1);
            if (!(status == LUA_ERRMEM || (msg && strstr(msg, "not enough memory")))) {
                bad_errors++;
                printf("#   %s, allocation %ld: status %d: %s\n", fn, n, status, msg ? msg : "?");
            }
        }
        lua_close(L);
        if (!test_alloc_clean(&c))
            leaks++;
    }
    printf("# %s: %d failing allocations tried\n", fn, failures);
    harness_current = fn;
    CHECK(succeeded);
    CHECK(failures > 0);
    CHECK_EQ_INT(bad_errors, 0);
    CHECK_EQ_INT(leaks, 0);
}

static void alloc_failures(void)
{
    /* Long runs of marks take the stream-safe copy and the scratch box. */
    lua_State *L = luaL_newstate();
    push_marks(L, 200, 1);
    size_t len;
    const char *marks = lua_tolstring(L, -1, &len);
    alloc_failures_of("normalize", marks, len, 0);
    alloc_failures_of("strip_marks", marks, len, 0);
    alloc_failures_of("casefold", marks, len, 0);
    alloc_failures_of("graphemes", marks, len, 0);
    lua_close(L);
    static const char bad[] = "caf\xE9 \xF1\x80\x80 \xC0\xAF and more text to copy";
    alloc_failures_of("repair", bad, sizeof bad - 1, 0);
    alloc_failures_of("upper", "stra\xC3\x9F" "e", 7, 0);
    alloc_failures_of("sub", "gr\xC3\xBC\xC3\x9F" "e", 7, 2);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        script = argv[1];
    RUN(lua_script);
    RUN(open_from_c);
    RUN(pathological_timing);
    RUN(alloc_failures);
    return harness_done();
}
