/* mem.c -- the allocation wrapper (see mem.h). */
#include "mem.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The size header keeps the user block aligned for any type. */
#define HDR (sizeof(max_align_t) > sizeof(size_t) ? sizeof(max_align_t) : sizeof(size_t))

void *mem_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

void *mem_alloc(const mem *m, size_t n)
{
    if (n > SIZE_MAX - HDR)
        return NULL;
    char *p = m->fn(m->ud, NULL, 0, n + HDR);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    return p + HDR;
}

void *mem_realloc(const mem *m, void *p, size_t n)
{
    if (!p)
        return mem_alloc(m, n);
    if (n > SIZE_MAX - HDR)
        return NULL;
    char *base = (char *)p - HDR;
    size_t old;
    memcpy(&old, base, sizeof old);
    char *q = m->fn(m->ud, base, old + HDR, n + HDR);
    if (!q)
        return NULL;
    memcpy(q, &n, sizeof n);
    return q + HDR;
}

void mem_free(const mem *m, void *p)
{
    if (!p)
        return;
    char *base = (char *)p - HDR;
    size_t old;
    memcpy(&old, base, sizeof old);
    m->fn(m->ud, base, old + HDR, 0);
}

char *mem_strndup(const mem *m, const char *s, size_t n)
{
    char *d = mem_alloc(m, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *mem_strdup(const mem *m, const char *s)
{
    return mem_strndup(m, s, strlen(s));
}
