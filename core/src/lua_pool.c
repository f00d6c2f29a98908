/* lua_pool.c -- the small blocks of one Lua state (see lua_pool.h). */
#include "lua_pool.h"

#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#endif

#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* A chunk begins with its link; blocks follow, POOL_GRAIN-aligned as the
 * base allocator's blocks are (malloc's 16 bytes on x86-64). */
#define CHUNK_HEAD POOL_GRAIN
#define CHUNK_FIRST 8192
#define CHUNK_MAX 65536 /* below glibc's mmap threshold: chunks come from the heap */

static size_t class_of(size_t n)
{
    return (n - 1) / POOL_GRAIN; /* 1..POOL_MAX -> 0..POOL_CLASSES-1 */
}

void pool_init(pool *p, mem base)
{
    memset(p, 0, sizeof *p);
    p->base = base;
}

static void put(pool *p, void *b, size_t c)
{
    UNPOISON(b, sizeof(void *));
    *(void **)b = p->free[c];
    p->free[c] = b;
    POISON((char *)b + sizeof(void *), (c + 1) * POOL_GRAIN - sizeof(void *));
}

/* A new chunk; what is left of the current one goes to the free list of the
 * biggest size that fits in it. */
static int grow(pool *p)
{
    size_t left = (size_t)(p->end - p->next);
    if (left >= POOL_GRAIN) {
        size_t c = class_of(left < POOL_MAX ? left - left % POOL_GRAIN : POOL_MAX);
        UNPOISON(p->next, (c + 1) * POOL_GRAIN);
        put(p, p->next, c);
        p->next += (c + 1) * POOL_GRAIN;
    }
    unsigned shift = p->nchunks < 3 ? p->nchunks : 3;
    size_t size = (size_t)CHUNK_FIRST << shift;
    if (size > CHUNK_MAX)
        size = CHUNK_MAX;
    char *ch = p->base.fn(p->base.ud, NULL, 0, size);
    if (!ch)
        return -1;
    *(void **)ch = p->chunks;
    p->chunks = ch;
    p->nchunks++;
    p->next = ch + CHUNK_HEAD;
    p->end = ch + size;
    POISON(p->next, (size_t)(p->end - p->next));
    return 0;
}

static void *take(pool *p, size_t n)
{
    if (n > POOL_MAX)
        return p->base.fn(p->base.ud, NULL, 0, n);
    size_t c = class_of(n), size = (c + 1) * POOL_GRAIN;
    void *b = p->free[c];
    if (b) {
        UNPOISON(b, size);
        p->free[c] = *(void **)b;
        return b;
    }
    if ((size_t)(p->end - p->next) < size && grow(p) < 0)
        return NULL;
    b = p->next;
    p->next += size;
    UNPOISON(b, size);
    return b;
}

static void release(pool *p, void *b, size_t n)
{
    if (n > POOL_MAX)
        p->base.fn(p->base.ud, b, n, 0);
    else
        put(p, b, class_of(n));
}

void *pool_alloc(pool *p, void *ptr, size_t osize, size_t nsize)
{
    if (!ptr)
        return nsize ? take(p, nsize) : NULL;
    if (nsize == 0) {
        release(p, ptr, osize);
        return NULL;
    }
    if (osize > POOL_MAX && nsize > POOL_MAX)
        return p->base.fn(p->base.ud, ptr, osize, nsize);
    if (osize <= POOL_MAX && nsize <= POOL_MAX && class_of(osize) == class_of(nsize))
        return ptr;
    void *q = take(p, nsize);
    if (!q) {
        /* A small block stays where it is when it shrinks: it is at least
         * as big as the size Lua will free it with. */
        return osize <= POOL_MAX && nsize < osize ? ptr : NULL;
    }
    memcpy(q, ptr, osize < nsize ? osize : nsize);
    release(p, ptr, osize);
    return q;
}

void pool_fini(pool *p)
{
    void *ch = p->chunks;
    while (ch) {
        void *next = *(void **)ch;
        /* the chunk's size, from its number (see grow) */
        unsigned k = --p->nchunks, shift = k < 3 ? k : 3;
        size_t size = (size_t)CHUNK_FIRST << shift;
        if (size > CHUNK_MAX)
            size = CHUNK_MAX;
        UNPOISON(ch, size);
        p->base.fn(p->base.ud, ch, size, 0);
        ch = next;
    }
    pool_init(p, p->base);
}
