/* names.c -- table and column names: cleaning keys into names SQLite
 * accepts, and quoting them in SQL. */
#include "sqlite_sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a, 32 bits: the suffix that keeps cut names apart. */
static uint32_t fnv32(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

char *sq_name_clean(const char *s, size_t n, int is_table, const char *fallback)
{
    if (is_table && n == 0) {
        s = fallback && *fallback ? fallback : "records";
        n = strlen(s);
    }
    int prefix = is_table && n >= 7 && sqlite3_strnicmp(s, "sqlite_", 7) == 0;
    size_t keep = n, suffix = 0;
    if (n + (size_t)prefix > SQ_NAME_MAX) {
        suffix = 9; /* "~" and 8 hex digits */
        keep = SQ_NAME_MAX - suffix - (size_t)prefix;
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
            keep--; /* do not cut a UTF-8 sequence */
    }
    char *out = malloc((size_t)prefix + keep + suffix + 1);
    if (!out)
        return NULL;
    char *o = out;
    if (prefix)
        *o++ = '_';
    for (size_t i = 0; i < keep; i++)
        *o++ = s[i] ? s[i] : '_';
    if (suffix) {
        snprintf(o, 10, "~%08x", (unsigned)fnv32(s, n));
        o += suffix;
    }
    *o = '\0';
    return out;
}

void sq_str_put(sq_str *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sq_str_puts(sq_str *b, const char *s)
{
    sq_str_put(b, s, strlen(s));
}

void sq_str_ident(sq_str *b, const char *name)
{
    sq_str_put(b, "\"", 1);
    for (const char *q; (q = strchr(name, '"')) != NULL; name = q + 1) {
        sq_str_put(b, name, (size_t)(q - name) + 1);
        sq_str_put(b, "\"", 1); /* a quote inside is doubled */
    }
    sq_str_puts(b, name);
    sq_str_put(b, "\"", 1);
}

void sq_str_free(sq_str *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
