/* lua_pool.h -- the small blocks of one Lua state, cut from big ones.
 *
 * A Lua state takes thousands of small blocks (strings, tables, closures,
 * upvalues): opening the standard libraries alone takes about a thousand, and
 * a run calls the allocator for every string a rule makes.  Through the C
 * library each costs a malloc and a free; from a pool it costs a few
 * instructions, and closing the state returns a handful of chunks.
 *
 * Blocks of up to POOL_MAX bytes are rounded up to a multiple of POOL_GRAIN
 * and served from that size's free list, or cut from the current chunk
 * (8 KiB, then 16, 32 and 64 KiB each, taken from the engine's allocator).
 * Bigger blocks go to the engine's allocator unchanged.  A freed small block
 * goes back to its size's list, for the same state to reuse; the chunks go
 * back when the state is closed (pool_fini).
 *
 * The rules use a pool only with lode's default allocator: a host that gives
 * lode_options.alloc sees every block Lua takes, as lode.h promises (and
 * test_oom fails each of them in turn).
 *
 * Under AddressSanitizer a free block and a chunk's uncut tail are poisoned,
 * so a use after free inside a pool is still reported (all but the free
 * list's link, the block's first 8 bytes). */
#ifndef LODE_LUA_POOL_H
#define LODE_LUA_POOL_H

#include <stddef.h>

#include "mem.h"

#define POOL_GRAIN 16
#define POOL_MAX 256
#define POOL_CLASSES (POOL_MAX / POOL_GRAIN)

typedef struct pool {
    mem base;                   /* where chunks and big blocks come from */
    void *free[POOL_CLASSES];   /* per size: freed blocks, linked through their first word */
    char *next, *end;           /* the current chunk's uncut part */
    void *chunks;               /* every chunk, linked through its first word */
    unsigned nchunks;
} pool;

/* An empty pool over base (takes nothing yet). */
void pool_init(pool *p, mem base);

/* lua_Alloc over the pool: ptr NULL allocates nsize bytes (osize is then
 * Lua's type tag, ignored), nsize 0 frees ptr (of osize bytes), otherwise
 * resizes ptr from osize to nsize bytes.  NULL when memory runs out (the
 * block unchanged); a small block that shrinks within the pool never fails. */
void *pool_alloc(pool *p, void *ptr, size_t osize, size_t nsize);

/* Returns every chunk to the base allocator.  Call after lua_close: blocks
 * still cut from the pool become invalid.  The pool is empty again. */
void pool_fini(pool *p);

#endif
