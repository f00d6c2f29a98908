/* test_lua_pool.c -- the small-block pool of a Lua state (lua_pool.h).
 *
 * A random sequence of allocations, resizes and frees runs against the pool
 * and against a model (each live block's size and a fill byte): every block
 * must keep its bytes across resizes, live blocks must never overlap, and
 * after the last free pool_fini must hand every chunk back (the counting base
 * allocator then holds nothing).  Then the base allocator refuses chunks:
 * allocations fail cleanly, a small block that shrinks stays where it is,
 * and nothing leaks.  Finally a real Lua state runs on a pool. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "harness.h"
#include "lua_pool.h"

/* the base allocator: counts blocks and bytes, refuses when told to */
typedef struct counting {
    long blocks;
    long long bytes;
    int refuse;  /* refuse every allocation or growth */
    int bad_size; /* a free or resize was given a size that was not its block's */
} counting;

typedef struct hdr {
    size_t size;
    size_t pad;
} hdr;

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counting *c = ud;
    hdr *h = ptr ? (hdr *)ptr - 1 : NULL;
    if (h && h->size != osize)
        c->bad_size = 1;
    if (nsize == 0) {
        if (h) {
            c->blocks--;
            c->bytes -= (long long)osize;
            free(h);
        }
        return NULL;
    }
    if (c->refuse && (!ptr || nsize > osize))
        return NULL;
    hdr *n = realloc(h, sizeof *n + nsize);
    if (!n)
        return NULL;
    if (!h)
        c->blocks++;
    c->bytes += (long long)nsize - (long long)(h ? osize : 0);
    n->size = nsize;
    return n + 1;
}

#define LIVE 600

typedef struct block {
    unsigned char *p;
    size_t n;
    unsigned char fill;
} block;

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* sizes: mostly small (the pool's), some around POOL_MAX, some big */
static size_t some_size(void)
{
    uint64_t r = next() % 100;
    if (r < 70)
        return 1 + next() % 64;
    if (r < 90)
        return POOL_MAX - 24 + next() % 48;
    return 300 + next() % 5000;
}

static int intact(const block *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->p[i] != b->fill)
            return 0;
    return 1;
}

static void fill(block *b)
{
    b->fill = (unsigned char)(1 + next() % 255);
    memset(b->p, b->fill, b->n);
}

static int cmp_block(const void *a, const void *b)
{
    const block *x = a, *y = b;
    return x->p < y->p ? -1 : x->p > y->p;
}

static void random_ops(void)
{
    counting c = {0};
    pool p;
    pool_init(&p, (mem){count_alloc, &c});
    static block live[LIVE];
    memset(live, 0, sizeof live);
    int damaged = 0, failed = 0;
    for (int step = 0; step < 200000; step++) {
        block *b = &live[next() % LIVE];
        if (!b->p) {
            b->n = some_size();
            b->p = pool_alloc(&p, NULL, 4 /* Lua's type tag */, b->n);
            if (!b->p) {
                failed++;
                continue;
            }
            fill(b);
        } else if (next() % 3 == 0) {
            damaged += !intact(b);
            damaged += pool_alloc(&p, b->p, b->n, 0) != NULL;
            b->p = NULL;
        } else {
            damaged += !intact(b);
            size_t n = some_size();
            unsigned char *q = pool_alloc(&p, b->p, b->n, n);
            if (!q) {
                failed++;
                continue;
            }
            b->p = q;
            size_t keep = b->n < n ? b->n : n;
            b->n = keep;
            damaged += !intact(b); /* the bytes that were there are still there */
            b->n = n;
            fill(b);
        }
        if (step % 20000 == 0) {
            /* no two live blocks overlap */
            block sorted[LIVE];
            int k = 0;
            for (int i = 0; i < LIVE; i++)
                if (live[i].p)
                    sorted[k++] = live[i];
            qsort(sorted, (size_t)k, sizeof *sorted, cmp_block);
            int overlap = 0;
            for (int i = 1; i < k; i++)
                overlap += sorted[i - 1].p + sorted[i - 1].n > sorted[i].p;
            CHECK_EQ_INT(overlap, 0);
        }
    }
    CHECK_EQ_INT(damaged, 0);
    CHECK_EQ_INT(failed, 0);
    /* big blocks were the base allocator's own; small ones came from chunks,
     * which are fewer than the blocks cut from them */
    for (int i = 0; i < LIVE; i++)
        if (live[i].p) {
            damaged += !intact(&live[i]);
            pool_alloc(&p, live[i].p, live[i].n, 0);
        }
    CHECK_EQ_INT(damaged, 0);
    CHECK(c.blocks > 0 && (unsigned)c.blocks == p.nchunks); /* only chunks are left */
    pool_fini(&p);
    CHECK_EQ_INT(c.blocks, 0);
    CHECK_EQ_INT(c.bytes, 0);
    CHECK_EQ_INT(c.bad_size, 0);
    CHECK(p.chunks == NULL && p.nchunks == 0);
}

static void alignment(void)
{
    counting c = {0};
    pool p;
    pool_init(&p, (mem){count_alloc, &c});
    int misaligned = 0;
    void *kept[64];
    for (int i = 0; i < 64; i++) {
        kept[i] = pool_alloc(&p, NULL, 0, (size_t)(1 + i * 4));
        misaligned += kept[i] == NULL || (uintptr_t)kept[i] % 16 != 0;
    }
    CHECK_EQ_INT(misaligned, 0);
    /* a freed block is reused for the next block of its size */
    void *again = NULL;
    pool_alloc(&p, kept[10], 41, 0);
    again = pool_alloc(&p, NULL, 0, 48);
    CHECK(again == kept[10]);
    /* a resize within the block's size class keeps the block */
    CHECK(pool_alloc(&p, again, 48, 33) == again);
    kept[10] = again;
    for (int i = 0; i < 64; i++)
        pool_alloc(&p, kept[i], i == 10 ? 33 : (size_t)(1 + i * 4), 0);
    pool_fini(&p);
    CHECK_EQ_INT(c.blocks, 0);
}

static void refused(void)
{
    counting c = {0};
    pool p;
    pool_init(&p, (mem){count_alloc, &c});
    /* fill the first chunk with 256-byte blocks, then refuse new chunks */
    void *b[64];
    int n = 0;
    while (n < 64 && p.nchunks <= 1) {
        b[n] = pool_alloc(&p, NULL, 0, POOL_MAX);
        if (!b[n])
            break;
        n++;
    }
    CHECK(p.nchunks == 2); /* the last one opened a second chunk */
    /* drain the second chunk too */
    c.refuse = 1;
    void *extra[64];
    int m = 0;
    while (m < 64 && (extra[m] = pool_alloc(&p, NULL, 0, POOL_MAX)) != NULL)
        m++;
    CHECK(m < 64);
    CHECK(pool_alloc(&p, NULL, 0, POOL_MAX) == NULL);       /* no chunk: NULL */
    CHECK(pool_alloc(&p, NULL, 0, 5000) == NULL);           /* no big block: NULL */
    /* a small block shrinking into an empty size class stays where it is */
    memset(b[0], 'x', POOL_MAX);
    void *s = pool_alloc(&p, b[0], POOL_MAX, 20);
    CHECK(s == b[0] && ((char *)s)[19] == 'x');
    /* a small block growing past POOL_MAX needs the base: NULL, block intact */
    void *g = pool_alloc(&p, b[1], POOL_MAX, 1000);
    CHECK(g == NULL);
    c.refuse = 0;
    pool_alloc(&p, s, 20, 0); /* freed with the size Lua knows */
    for (int i = 1; i < n; i++)
        pool_alloc(&p, b[i], POOL_MAX, 0);
    for (int i = 0; i < m; i++)
        pool_alloc(&p, extra[i], POOL_MAX, 0);
    pool_fini(&p);
    CHECK_EQ_INT(c.blocks, 0);
    CHECK_EQ_INT(c.bad_size, 0);
}

static void *lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    return pool_alloc(ud, ptr, osize, nsize);
}

/* a Lua state on a pool: the libraries, a script that makes and drops
 * strings and tables, a full collection, lua_close, then pool_fini */
static void lua_on_pool(void)
{
    counting c = {0};
    pool p;
    pool_init(&p, (mem){count_alloc, &c});
    lua_State *L = lua_newstate(lua_alloc, &p);
    CHECK(L != NULL);
    if (!L)
        return;
    luaL_openlibs(L);
    const char *script =
        "local t = {}\n"
        "for i = 1, 20000 do t[i] = ('x'):rep(i % 300) .. i end\n"
        "local n = 0\n"
        "for i = 1, #t do n = n + #t[i] end\n"
        "t = nil; collectgarbage()\n"
        "local s = {}\n"
        "for i = 1, 1000 do s[#s + 1] = { i, tostring(i), { i } } end\n"
        "return n + #s\n";
    int rc = luaL_dostring(L, script);
    CHECK_EQ_INT(rc, LUA_OK);
    CHECK_EQ_INT(lua_tointeger(L, -1), 3069094 + 1000); /* sum of i % 300 + #tostring(i) */
    lua_close(L);
    pool_fini(&p);
    CHECK_EQ_INT(c.blocks, 0);
    CHECK_EQ_INT(c.bytes, 0);
    CHECK_EQ_INT(c.bad_size, 0);
}

int main(void)
{
    RUN(random_ops);
    RUN(alignment);
    RUN(refused);
    RUN(lua_on_pool);
    return harness_done();
}
