/* lua_json.c -- Lua values to JSON (see lua_json.h). */
#include "lua_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <libxml/tree.h>

#include "lua_tree.h"
#include "node_text.h"
#include "utf8.h"

#define MAX_DEPTH 32

void ljson_string(buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_put(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': buf_put(out, "\\\"", 2); break;
        case '\\': buf_put(out, "\\\\", 2); break;
        case '\n': buf_put(out, "\\n", 2); break;
        case '\r': buf_put(out, "\\r", 2); break;
        case '\t': buf_put(out, "\\t", 2); break;
        case '\b': buf_put(out, "\\b", 2); break;
        case '\f': buf_put(out, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_put(out, u, 6);
        }
        }
    }
    buf_put(out, s + run, len - run);
    buf_putc(out, '"');
}

static void put_number(lua_State *L, int idx, buf *out)
{
    if (lua_isinteger(L, idx)) {
        buf_printf(out, "%lld", (long long)lua_tointeger(L, idx));
        return;
    }
    double d = lua_tonumber(L, idx);
    if (!isfinite(d)) {
        buf_puts(out, "null");
        return;
    }
    char tmp[40];
    /* the shortest of %.15g..%.17g that reads back exactly */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    buf_puts(out, tmp);
    /* JSON has no "inf"; but also make integral floats look like numbers */
}

typedef struct key {
    const char *s;
    size_t len;
} key;

static int key_cmp(const void *a, const void *b)
{
    const key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int encode(lua_State *L, int idx, buf *out, char *err, size_t errlen, const char *field, int depth);

/* Is the table at idx a sequence 1..n with n >= 1 and no other keys? */
static lua_Integer sequence_len(lua_State *L, int idx)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (n == 0)
        return 0;
    lua_Integer count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1)) {
            lua_pop(L, 1);
            return 0;
        }
        lua_Integer k = lua_tointeger(L, -1);
        if (k < 1 || k > n) {
            lua_pop(L, 1);
            return 0;
        }
        count++;
    }
    return count == n ? n : 0;
}

static int encode_table(lua_State *L, int idx, buf *out, char *err, size_t errlen, const char *field,
                        int depth)
{
    if (depth > MAX_DEPTH) {
        snprintf(err, errlen, "field '%s': tables nested deeper than %d (a cycle?)", field, MAX_DEPTH);
        return -1;
    }
    if (!lua_checkstack(L, 6)) {
        snprintf(err, errlen, "field '%s': Lua stack exhausted", field);
        return -1;
    }
    lua_Integer n = sequence_len(L, idx);
    if (n > 0) {
        buf_putc(out, '[');
        for (lua_Integer i = 1; i <= n; i++) {
            if (i > 1)
                buf_putc(out, ',');
            lua_rawgeti(L, idx, i);
            int rc = encode(L, lua_gettop(L), out, err, errlen, field, depth + 1);
            lua_pop(L, 1);
            if (rc < 0)
                return -1;
        }
        buf_putc(out, ']');
        return 0;
    }
    /* Collect the string keys, sort them, then write key:value pairs.  The
     * key strings stay valid: they are keys of the table, which is on the
     * stack and not modified while we look at it. */
    size_t nkeys = 0, cap = 16;
    buf keys;
    buf_init(&keys, out->m);
    if (buf_reserve(&keys, cap * sizeof(key)) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 1);
            buf_free(&keys);
            snprintf(err, errlen, "field '%s': a record's keys must be strings (or 1..n for a list)", field);
            return -1;
        }
        key k;
        k.s = lua_tolstring(L, -1, &k.len);
        if (buf_reserve(&keys, sizeof k) < 0) {
            lua_pop(L, 1);
            buf_free(&keys);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        memcpy(keys.ptr + keys.len, &k, sizeof k);
        keys.len += sizeof k;
        nkeys++;
    }
    key *ks = (key *)(void *)keys.ptr;
    qsort(ks, nkeys, sizeof *ks, key_cmp);
    buf_putc(out, '{');
    int rc = 0;
    for (size_t i = 0; i < nkeys && rc == 0; i++) {
        if (utf8_validate((const unsigned char *)ks[i].s, ks[i].len, NULL) != 0) {
            snprintf(err, errlen, "a key is not valid UTF-8");
            rc = -1;
            break;
        }
        if (i)
            buf_putc(out, ',');
        ljson_string(out, ks[i].s, ks[i].len);
        buf_putc(out, ':');
        lua_pushlstring(L, ks[i].s, ks[i].len);
        lua_rawget(L, idx);
        char fname[128];
        snprintf(fname, sizeof fname, "%.*s", (int)(ks[i].len < 100 ? ks[i].len : 100), ks[i].s);
        rc = encode(L, lua_gettop(L), out, err, errlen, fname, depth + 1);
        lua_pop(L, 1);
    }
    buf_free(&keys);
    if (rc == 0)
        buf_putc(out, '}');
    return rc;
}

static int encode(lua_State *L, int idx, buf *out, char *err, size_t errlen, const char *field, int depth)
{
    switch (lua_type(L, idx)) {
    case LUA_TNIL: buf_puts(out, "null"); return 0;
    case LUA_TBOOLEAN: buf_puts(out, lua_toboolean(L, idx) ? "true" : "false"); return 0;
    case LUA_TNUMBER: put_number(L, idx, out); return 0;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (utf8_validate((const unsigned char *)s, len, NULL) != 0) {
            snprintf(err, errlen, "field '%s': string is not valid UTF-8", field);
            return -1;
        }
        ljson_string(out, s, len);
        return 0;
    }
    case LUA_TTABLE: return encode_table(L, idx, out, err, errlen, field, depth);
    case LUA_TUSERDATA: {
        ltree_node *u = luaL_testudata(L, idx, LTREE_NODE);
        if (u) {
            /* The node's document may already be gone (a finalizer emitting
             * a node of an earlier document): check before reading it. */
            lua_getiuservalue(L, idx, 1);
            ltree_doc *owner = lua_touserdata(L, -1);
            lua_pop(L, 1);
            if (!owner || !owner->doc) {
                snprintf(err, errlen, "field '%s': the node's document was already freed", field);
                return -1;
            }
            buf t;
            buf_init(&t, out->m);
            if (node_text_append(u->node, &t, 1) < 0) {
                buf_free(&t);
                snprintf(err, errlen, "field '%s': entity references in the node expand to more than %d MiB (limit)",
                         field, (int)(NODE_TEXT_ENTITY_MAX >> 20));
                return -1;
            }
            if (!buf_ok(&t)) {
                buf_free(&t);
                snprintf(err, errlen, "field '%s': out of memory", field);
                return -1;
            }
            ljson_string(out, t.ptr ? t.ptr : "", t.len);
            buf_free(&t);
            return 0;
        }
    }
    /* fall through */
    default:
        snprintf(err, errlen, "field '%s': a %s cannot be written as JSON", field, luaL_typename(L, idx));
        return -1;
    }
}

int ljson_encode(lua_State *L, int idx, buf *out, char *err, size_t errlen)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE) {
        snprintf(err, errlen, "a record must be a table, not a %s", luaL_typename(L, idx));
        return -1;
    }
    return encode(L, idx, out, err, errlen, "(record)", 0);
}
