/* mem.h -- every allocation lode makes goes through here.
 *
 * The host's lode_alloc_fn (lua_Alloc contract) does the work.  Blocks handed
 * out by mem_alloc carry a small size header so that mem_free does not need
 * the size (the host allocator still receives exact sizes).  One wrapper for
 * everything is also what fault injection hooks into (tests fail the N-th
 * allocation). */
#ifndef LODE_MEM_H
#define LODE_MEM_H

#include <stddef.h>
#include "lode.h"

typedef struct mem {
    lode_alloc_fn fn;
    void *ud;
} mem;

/* The default allocator: realloc/free. */
void *mem_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* Returns n bytes (n may be 0: a valid unique block) or NULL. */
void *mem_alloc(const mem *m, size_t n);
/* Grows or shrinks a block from mem_alloc; NULL on failure (block unchanged). */
void *mem_realloc(const mem *m, void *p, size_t n);
/* Frees a block from mem_alloc/mem_realloc; NULL is a no-op. */
void mem_free(const mem *m, void *p);
/* Returns a NUL-terminated copy of n bytes at s, or NULL. */
char *mem_strndup(const mem *m, const char *s, size_t n);
char *mem_strdup(const mem *m, const char *s);

#endif
