/* test_alloc.h -- the unit tests' allocator: counts, checks and refuses.
 *
 * A lode_alloc_fn (and the library's internal mem function) for tests that
 * check lode's memory handling:
 *   - every block carries a header with its size, so a realloc or free whose
 *     osize is not the block's size is counted in bad_size;
 *   - live blocks and bytes are counted, so a test can check that everything
 *     was freed (test_alloc_clean);
 *   - allocations and growing reallocs are counted in calls; the fail_at-th
 *     is refused, and with persistent every one after it too.  Shrinks and
 *     frees never fail (Lua requires that of its allocator).
 *
 * Use: test_alloc a = {0}; a.fail_at = N; o.alloc = test_alloc_fn;
 * o.alloc_ud = &a; ... CHECK(test_alloc_clean(&a));
 * test_alloc_fail_in arms it relative to the allocations already made. */
#ifndef LODE_TEST_ALLOC_H
#define LODE_TEST_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TEST_ALLOC_HDR sizeof(max_align_t)
#define TEST_ALLOC_MAGIC 0x10de10deu

typedef struct test_alloc {
    long calls;      /* allocations and growths so far */
    long fail_at;    /* refuse the fail_at-th (0: never) */
    int persistent;  /* ... and every one after it */
    long refused;    /* how many were refused */
    long blocks;     /* live blocks */
    long long bytes; /* live bytes, as the callers count them */
    long bad_size;   /* reallocs/frees whose osize was not the block's size */
} test_alloc;

typedef struct test_alloc_header {
    size_t size;
    unsigned magic;
} test_alloc_header;

static inline void *test_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    test_alloc *a = ud;
    test_alloc_header h;
    char *base = ptr ? (char *)ptr - TEST_ALLOC_HDR : NULL;
    if (base) {
        memcpy(&h, base, sizeof h);
        if (h.magic != TEST_ALLOC_MAGIC || h.size != osize)
            a->bad_size++;
    }
    if (nsize == 0) {
        if (base) {
            a->blocks--;
            a->bytes -= (long long)osize;
            free(base);
        }
        return NULL;
    }
    int grow = !ptr || nsize > osize;
    if (grow) {
        a->calls++;
        if (a->fail_at && (a->calls == a->fail_at || (a->persistent && a->calls > a->fail_at))) {
            a->refused++;
            return NULL;
        }
    }
    if (nsize > SIZE_MAX - TEST_ALLOC_HDR)
        return NULL;
    char *q = realloc(base, nsize + TEST_ALLOC_HDR);
    if (!q) {
        if (!grow) { /* a shrink never fails: keep the bigger block */
            h.size = nsize;
            h.magic = TEST_ALLOC_MAGIC;
            memcpy(base, &h, sizeof h);
            a->bytes += (long long)nsize - (long long)osize;
            return ptr;
        }
        return NULL;
    }
    if (!ptr)
        a->blocks++;
    else
        a->bytes -= (long long)osize;
    a->bytes += (long long)nsize;
    h.size = nsize;
    h.magic = TEST_ALLOC_MAGIC;
    memcpy(q, &h, sizeof h);
    return q + TEST_ALLOC_HDR;
}

/* Refuse the n-th allocation or growth from now on (n >= 1; 0: none), and
 * with persistent every later one; clears the count of refusals. */
static inline void test_alloc_fail_in(test_alloc *a, long n, int persistent)
{
    a->fail_at = n > 0 ? a->calls + n : 0;
    a->persistent = persistent;
    a->refused = 0;
}

/* Everything allocated was freed, always with its own size. */
static inline int test_alloc_clean(const test_alloc *a)
{
    return a->blocks == 0 && a->bytes == 0 && a->bad_size == 0;
}

#endif
