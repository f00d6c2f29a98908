/* buf.c -- growable byte buffer (see buf.h). */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void buf_init(buf *b, const mem *m)
{
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->m = m;
    b->failed = 0;
    b->spill = NULL;
    b->spill_ud = NULL;
}

void buf_init_spill(buf *b, const mem *m, size_t cap, buf_spill_fn spill, void *ud)
{
    buf_init(b, m);
    if (cap > 1)
        buf_reserve(b, cap - 1);
    b->spill = spill;
    b->spill_ud = ud;
}

int buf_spill_rest(buf *b)
{
    if (b->failed)
        return -1;
    if (b->spill && b->len) {
        if (b->spill(b->spill_ud, b->ptr, b->len) < 0) {
            b->failed = 1;
            return -1;
        }
        b->len = 0;
        b->ptr[0] = '\0';
    }
    return 0;
}

void buf_free(buf *b)
{
    mem_free(b->m, b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

int buf_reserve(buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra >= SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    if (b->spill && b->len) {
        if (buf_spill_rest(b) < 0)
            return -1;
        need = extra + 1;
        if (need <= b->cap)
            return 0;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = mem_realloc(b->m, b->ptr, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->ptr = p;
    b->cap = cap;
    p[b->len] = '\0'; /* the content is always terminated, even when empty */
    return 0;
}

void buf_put(buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void buf_putc(buf *b, int c)
{
    if (buf_reserve(b, 1) < 0)
        return;
    b->ptr[b->len++] = (char)c;
    b->ptr[b->len] = '\0';
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_put(b, small, (size_t)n);
        return;
    }
    if (buf_reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

void buf_rtrim(buf *b, const char *set)
{
    while (b->len && strchr(set, b->ptr[b->len - 1]))
        b->len--;
    if (b->ptr)
        b->ptr[b->len] = '\0';
}

char *buf_detach(buf *b, size_t *len)
{
    if (b->failed) {
        buf_free(b);
        b->failed = 0;
        return NULL;
    }
    if (!b->ptr && buf_reserve(b, 0) < 0)
        return NULL;
    char *p = b->ptr;
    if (len)
        *len = b->len;
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}
