/* lua_report.c -- ctx.report in Lua: adders and readers over a C report.
 *
 * The userdata holds a borrowed lode_report (owned by the lode_rules whose
 * Lua state this is; the state is closed before the report is freed).
 * Aggregation happens in C so that reports merge across worker threads and
 * processes without going back through Lua. */
#include "lua_report.h"
#include "lua_text.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "utf8.h"

#define LREPORT "lode.report"

static struct lode_report *check(lua_State *L)
{
    struct lode_report **p = luaL_checkudata(L, 1, LREPORT);
    return *p;
}

static const char *check_name(lua_State *L, int arg)
{
    size_t len;
    if (lua_type(L, arg) != LUA_TSTRING)
        luaL_typeerror(L, arg, "string");
    const char *name = lua_tolstring(L, arg, &len);
    if (len == 0 || strlen(name) != len)
        luaL_argerror(L, arg, "a report name must be a non-empty string without NUL");
    return name;
}

/* The key at arg as UTF-8 text: strings (ill-formed bytes replaced by
 * U+FFFD), numbers and booleans (as tostring writes them). */
static int is_key_type(int t)
{
    return t == LUA_TSTRING || t == LUA_TNUMBER || t == LUA_TBOOLEAN;
}

/* The value at arg (a string, number or boolean) replaced by its text. */
static const char *key_text(lua_State *L, int arg, size_t *len)
{
    const char *s;
    if (lua_type(L, arg) == LUA_TSTRING) {
        s = lua_tolstring(L, arg, len);
    } else {
        s = luaL_tolstring(L, arg, len); /* pushes the text */
        lua_replace(L, arg);
    }
    if (utf8_valid_len((const unsigned char *)s, *len) == *len)
        return s;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    const unsigned char *p = (const unsigned char *)s, *end = p + *len;
    while (p < end) {
        uint32_t cp;
        size_t n = utf8_decode(p, (size_t)(end - p), &cp);
        if (cp == UTF8_BAD)
            luaL_addlstring(&b, UTF8_REPLACEMENT, UTF8_REPLACEMENT_LEN);
        else
            luaL_addlstring(&b, (const char *)p, n);
        p += n;
    }
    luaL_pushresult(&b);
    lua_replace(L, arg);
    return lua_tolstring(L, arg, len);
}

static const char *check_key(lua_State *L, int arg, size_t *len)
{
    if (!is_key_type(lua_type(L, arg)))
        luaL_typeerror(L, arg, "string key");
    return key_text(L, arg, len);
}

static double check_finite(lua_State *L, int arg)
{
    double x = (double)luaL_checknumber(L, arg);
    if (!isfinite(x))
        luaL_argerror(L, arg, "a finite number expected");
    return x;
}

static int failed(lua_State *L, const char *err)
{
    if (!strcmp(err, "out of memory"))
        return luaL_error(L, "not enough memory"), 0;
    return luaL_error(L, "%s", err);
}

/* report:count(name, {key = n, ...}): adds each pair, in the table's order
 * (the result does not depend on it); a bad pair raises, the pairs before
 * it stay added. */
static int count_table(lua_State *L, struct lode_report *r, const char *name)
{
    luaL_argcheck(L, lua_isnone(L, 4), 4,
                  "no n with a table of counts; put a call returning more values in parentheses");
    lua_settop(L, 3);
    char err[300];
    size_t len;
    long at = report_agg(r, REP_COUNT, name, err, sizeof err);
    if (at < 0)
        return failed(L, err);
    lua_pushnil(L);
    while (lua_next(L, 3)) { /* key at 4, value at 5 */
        int isint = 0;
        lua_Integer n = 0;
        if (lua_type(L, 5) == LUA_TNUMBER)
            n = lua_tointegerx(L, 5, &isint);
        if (!is_key_type(lua_type(L, 4)) || !isint)
            return luaL_error(L, "report:count: the table of counts holds a %s key with a %s value; "
                              "keys must be strings, numbers or booleans, values integers",
                              luaL_typename(L, 4), luaL_typename(L, 5));
        lua_pushvalue(L, 4); /* lua_next needs the key itself untouched */
        const char *key = key_text(L, 6, &len);
        if (report_count_at(r, at, key, len, (int64_t)n, err, sizeof err) < 0)
            return failed(L, err);
        lua_settop(L, 4);
    }
    return 0;
}

/* report:count(name, key [, n]) -- adds n (an integer, default 1) to key;
 * report:count(name, t) adds t's key -> n pairs */
static int r_count(lua_State *L)
{
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    if (lua_type(L, 3) == LUA_TTABLE)
        return count_table(L, r, name);
    size_t len;
    const char *key = check_key(L, 3, &len);
    lua_Integer n = luaL_optinteger(L, 4, 1);
    char err[300];
    if (report_count(r, REP_COUNT, name, key, len, (int64_t)n, err, sizeof err) < 0)
        return failed(L, err);
    return 0;
}

/* report:count_words(name, s [, mode]) -> n -- adds 1 to name's count of
 * each word of s, as text.words(s, mode) finds them, without making a Lua
 * string of any; n: the words counted.  A failure (a kind clash, the
 * sandbox's report memory) raises, the words before it stay counted. */
static int r_count_words(lua_State *L)
{
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    size_t len, i = 0, start, end;
    const char *s = ltext_check_utf8(L, 3, &len);
    int mode = ltext_check_words_mode(L, 4);
    char err[300];
    long at = report_agg(r, REP_COUNT, name, err, sizeof err);
    if (at < 0)
        return failed(L, err);
    lua_Integer n = 0;
    while (ltext_next_word(s, len, &i, mode, &start, &end)) {
        if (report_count_at(r, at, s + start, end - start, 1, err, sizeof err) < 0)
            return failed(L, err);
        n++;
    }
    lua_pushinteger(L, n);
    return 1;
}

/* report:top(name, key [, n]) -- counts key; shows the n (default 10) most
 * frequent keys in the output */
static int r_top(lua_State *L)
{
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    size_t len;
    const char *key = check_key(L, 3, &len);
    char err[300];
    if (!lua_isnoneornil(L, 4)) {
        lua_Integer n = luaL_checkinteger(L, 4);
        luaL_argcheck(L, n >= 1, 4, "at least 1 expected");
        if (report_top_limit(r, name, (int64_t)n, err, sizeof err) < 0)
            return failed(L, err);
    }
    if (report_count(r, REP_TOP, name, key, len, 1, err, sizeof err) < 0)
        return failed(L, err);
    return 0;
}

/* report:sum(name, x), report:stats(name, x) */
static int add_number(lua_State *L, int (*add)(struct lode_report *, const char *, double, char *, size_t))
{
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    double x = check_finite(L, 3);
    char err[300];
    if (add(r, name, x, err, sizeof err) < 0)
        return failed(L, err);
    return 0;
}

static int r_sum(lua_State *L)
{
    return add_number(L, report_sum);
}

static int r_stats(lua_State *L)
{
    return add_number(L, report_stats);
}

/* report:histogram(name, x [, bins]) -- bins: a number of bins (default
 * 20) or a list of ascending edges */
static int r_histogram(lua_State *L)
{
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    double x = check_finite(L, 3);
    char err[300];
    int rc;
    if (lua_type(L, 4) == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, 4);
        luaL_argcheck(L, n >= 2 && n <= REPORT_MAX_EDGES, 4, "2 to 1000 edges expected");
        double edges[REPORT_MAX_EDGES];
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, 4, i);
            int isnum;
            edges[i - 1] = (double)lua_tonumberx(L, -1, &isnum);
            lua_pop(L, 1);
            if (!isnum)
                luaL_argerror(L, 4, "edges must be numbers");
        }
        rc = report_histogram(r, name, x, 0, edges, (size_t)n, err, sizeof err);
    } else {
        lua_Integer bins = luaL_optinteger(L, 4, REPORT_BINS_DEFAULT);
        luaL_argcheck(L, bins >= 1 && bins <= REPORT_MAX_BINS, 4, "1 to 1000 bins expected");
        rc = report_histogram(r, name, x, (int)bins, NULL, 0, err, sizeof err);
    }
    if (rc < 0)
        return failed(L, err);
    return 0;
}

static int r_distinct(lua_State *L)
{
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    size_t len;
    const char *key = check_key(L, 3, &len);
    char err[300];
    if (report_distinct(r, name, key, len, err, sizeof err) < 0)
        return failed(L, err);
    return 0;
}

/* ---- readers ---- */

static void set_num(lua_State *L, const char *k, double x)
{
    if (x == floor(x) && fabs(x) < 9007199254740992.0)
        lua_pushinteger(L, (lua_Integer)x);
    else
        lua_pushnumber(L, x);
    lua_setfield(L, -2, k);
}

/* Pushes the view as a Lua value (see docs/lua-api.md, report:get). */
static void push_view(lua_State *L, const rep_view *v)
{
    switch (v->kind) {
    case REP_COUNT:
    case REP_TOP:
        lua_createtable(L, 0, (int)(v->nkeys < 1000000 ? v->nkeys : 1000000));
        for (size_t i = 0; i < v->nkeys; i++) {
            lua_pushlstring(L, v->entries[i].key, v->entries[i].len);
            lua_pushinteger(L, (lua_Integer)v->entries[i].count);
            lua_rawset(L, -3);
        }
        return;
    case REP_SUM:
        if (v->sum == floor(v->sum) && fabs(v->sum) < 9007199254740992.0)
            lua_pushinteger(L, (lua_Integer)v->sum);
        else
            lua_pushnumber(L, v->sum);
        return;
    case REP_DISTINCT:
        lua_pushinteger(L, (lua_Integer)v->distinct);
        return;
    case REP_STATS:
    case REP_HISTOGRAM:
        lua_createtable(L, 0, 8);
        lua_pushinteger(L, (lua_Integer)v->n);
        lua_setfield(L, -2, "n");
        set_num(L, "sum", v->sum);
        if (v->n) {
            set_num(L, "min", v->min);
            set_num(L, "max", v->max);
            lua_pushnumber(L, v->mean);
            lua_setfield(L, -2, "mean");
            lua_pushnumber(L, v->stddev);
            lua_setfield(L, -2, "stddev");
        }
        if (v->kind == REP_HISTOGRAM) {
            lua_createtable(L, (int)v->nbins, 0);
            for (size_t i = 0; i < v->nbins; i++) {
                lua_createtable(L, 0, 3);
                set_num(L, "lo", v->bins[i].lo);
                set_num(L, "hi", v->bins[i].hi);
                lua_pushinteger(L, (lua_Integer)v->bins[i].count);
                lua_setfield(L, -2, "count");
                lua_rawseti(L, -2, (lua_Integer)i + 1);
            }
            lua_setfield(L, -2, "bins");
            lua_pushinteger(L, (lua_Integer)v->under);
            lua_setfield(L, -2, "under");
            lua_pushinteger(L, (lua_Integer)v->over);
            lua_setfield(L, -2, "over");
        }
        return;
    }
}

typedef struct build {
    const rep_view *v;
    int mode; /* 0: get, 1: entries */
    lua_Integer n;
} build;

/* Runs in a protected call, so that a memory error while pushing cannot
 * leak the view's arrays (they come from the engine's allocator). */
static int build_fn(lua_State *L)
{
    const build *b = lua_touserdata(L, 1);
    const rep_view *v = b->v;
    if (b->mode == 0) {
        push_view(L, v);
        return 1;
    }
    size_t n = v->kind == REP_TOP ? v->nentries : v->nkeys;
    if (b->n >= 0 && (size_t)b->n < n)
        n = (size_t)b->n;
    lua_createtable(L, (int)(n < 1000000 ? n : 1000000), 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 2);
        lua_pushlstring(L, v->entries[i].key, v->entries[i].len);
        lua_setfield(L, -2, "key");
        lua_pushinteger(L, (lua_Integer)v->entries[i].count);
        lua_setfield(L, -2, "count");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int with_view(lua_State *L, int mode, lua_Integer n)
{
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    rep_view v;
    /* entries(name, n): only the first n need sorting */
    size_t first = mode == 0 ? REPORT_VIEW_UNORDERED : n > 0 ? (size_t)n : 0;
    int found = report_view_first(r, name, first, &v);
    if (found < 0)
        return luaL_error(L, "not enough memory");
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    if (mode == 1 && v.kind != REP_COUNT && v.kind != REP_TOP) {
        rep_kind kind = v.kind; /* report_view_clear zeroes v */
        report_view_clear(r, &v);
        return luaL_error(L, "report '%s' is a %s: entries() reads count and top", name, rep_kind_name(kind));
    }
    build b = {&v, mode, n};
    lua_pushcfunction(L, build_fn);
    lua_pushlightuserdata(L, &b);
    int rc = lua_pcall(L, 1, 1, 0);
    report_view_clear(r, &v);
    if (rc != LUA_OK)
        return lua_error(L);
    return 1;
}

/* report:get(name [, key]) */
static int r_get(lua_State *L)
{
    if (lua_isnoneornil(L, 3))
        return with_view(L, 0, -1);
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    size_t len;
    const char *key = check_key(L, 3, &len);
    int64_t c = 0;
    int rc = report_get_count(r, name, key, len, &c);
    if (rc < 0)
        return luaL_error(L, "report '%s' is not a count or top: get(name, key) reads those", name);
    lua_pushinteger(L, (lua_Integer)c);
    return 1;
}

/* report:entries(name [, n]) */
static int r_entries(lua_State *L)
{
    lua_Integer n = luaL_optinteger(L, 3, -1);
    return with_view(L, 1, n);
}

/* report:total(name) (size 0): count/top: the sum of the counts; sum,
 * stats, histogram: how many values; distinct: the number of keys.
 * report:size(name) (size 1): count/top/distinct: the number of keys; 0
 * for the other kinds.  Both 0 for an unknown name. */
static int view_number(lua_State *L, int size)
{
    struct lode_report *r = check(L);
    const char *name = check_name(L, 2);
    rep_view v;
    int found = report_view_first(r, name, REPORT_VIEW_UNORDERED, &v);
    if (found < 0)
        return luaL_error(L, "not enough memory");
    lua_Integer t = 0;
    if (found) {
        if (v.kind == REP_COUNT || v.kind == REP_TOP)
            t = size ? (lua_Integer)v.nkeys : (lua_Integer)v.total;
        else if (v.kind == REP_DISTINCT)
            t = (lua_Integer)v.distinct;
        else if (!size)
            t = (lua_Integer)v.n;
        report_view_clear(r, &v);
    }
    lua_pushinteger(L, t);
    return 1;
}

static int r_total(lua_State *L)
{
    return view_number(L, 0);
}

static int r_size(lua_State *L)
{
    return view_number(L, 1);
}

static int r_kind(lua_State *L)
{
    struct lode_report *r = check(L);
    int k = report_kind_of(r, check_name(L, 2));
    if (k < 0)
        lua_pushnil(L);
    else
        lua_pushstring(L, rep_kind_name((rep_kind)k));
    return 1;
}

static int r_names(lua_State *L)
{
    struct lode_report *r = check(L);
    size_t n = report_size(r);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, report_name_at(r, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int r_tostring(lua_State *L)
{
    struct lode_report *r = check(L);
    lua_pushfstring(L, "lode.report (%d aggregators)", (int)report_size(r));
    return 1;
}

void lreport_push(lua_State *L, struct lode_report *r)
{
    struct lode_report **p = lua_newuserdatauv(L, sizeof *p, 0);
    *p = r;
    if (luaL_newmetatable(L, LREPORT)) {
        static const luaL_Reg methods[] = {
            {"count", r_count}, {"count_words", r_count_words}, {"top", r_top},       {"sum", r_sum},         {"stats", r_stats},
            {"histogram", r_histogram}, {"distinct", r_distinct}, {"get", r_get}, {"entries", r_entries},
            {"total", r_total}, {"size", r_size}, {"kind", r_kind},     {"names", r_names},     {NULL, NULL},
        };
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, r_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushliteral(L, "locked");
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
}
