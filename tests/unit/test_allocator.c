/* test_allocator.c -- the lode command's allocator hooks (core/cli/allocator.c).
 *
 * Linked like the command: with jemalloc in the default build, with the C
 * library's malloc under ALLOC=system and the sanitizers.
 *
 *  - cli_allocator names what the process runs on;
 *  - on jemalloc, cli_allocator_big_begin moves the calling thread to an
 *    arena of its own, whose memory is advised for transparent huge pages
 *    (the VMA of a block from it is "THPeligible" where the kernel's THP mode
 *    is "madvise"; a block of the normal arena is not), and _end moves it
 *    back; the arena is made once per thread and reused, another thread gets
 *    its own; blocks cross the boundary both ways (made inside, freed outside
 *    and the reverse);
 *  - on another malloc both are no-ops. */
#include "../../core/cli/allocator.c"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static int on_jemalloc(void)
{
    char b[128];
    return strncmp(cli_allocator(b, sizeof b), "jemalloc ", 9) == 0;
}

static unsigned thread_arena(void)
{
    unsigned a = 0;
    size_t len = sizeof a;
    if (!mallctl || mallctl("thread.arena", &a, &len, NULL, 0) != 0)
        return (unsigned)-1;
    return a;
}

static unsigned narenas(void)
{
    unsigned n = 0;
    size_t len = sizeof n;
    if (!mallctl || mallctl("arenas.narenas", &n, &len, NULL, 0) != 0)
        return (unsigned)-1;
    return n;
}

/* The kernel's THP mode: "always", "madvise", "never", or "" if unknown. */
static const char *thp_mode(void)
{
    static char mode[16];
    char line[128] = "";
    FILE *fp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (fp) {
        if (!fgets(line, sizeof line, fp))
            line[0] = '\0';
        fclose(fp);
    }
    char *l = strchr(line, '['), *r = l ? strchr(l, ']') : NULL;
    mode[0] = '\0';
    if (l && r && (size_t)(r - l - 1) < sizeof mode) {
        memcpy(mode, l + 1, (size_t)(r - l - 1));
        mode[r - l - 1] = '\0';
    }
    return mode;
}

/* The "THPeligible" value of the mapping that holds p in /proc/self/smaps:
 * 1 or 0, -1 if not found. */
static int thp_eligible(const void *p)
{
    FILE *fp = fopen("/proc/self/smaps", "r");
    if (!fp)
        return -1;
    char line[512];
    int in = 0, v = -1;
    uintptr_t a = (uintptr_t)p;
    while (fgets(line, sizeof line, fp)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = a >= lo && a < hi;
            continue;
        }
        if (in && sscanf(line, "THPeligible: %d", &v) == 1)
            break;
    }
    fclose(fp);
    return v;
}

static void names_the_allocator(void)
{
    char b[128];
    const char *s = cli_allocator(b, sizeof b);
    CHECK(s == b);
    CHECK(!strcmp(s, "system malloc") || !strncmp(s, "jemalloc ", 9));
    CHECK((mallctl != NULL) == on_jemalloc());
}

static void no_op_elsewhere(void)
{
    if (on_jemalloc()) {
        CHECK(1); /* covered by the tests below */
        return;
    }
    int prev = cli_allocator_big_begin(CLI_BIG_DOCUMENT);
    CHECK_EQ_INT(prev, -1);
    void *p = malloc(1 << 20);
    CHECK(p != NULL);
    free(p);
    cli_allocator_big_end(prev); /* harmless */
    cli_allocator_big_end(-1);
}

/* blocks made while a thread is on its huge-page arena */
enum { NBIG = 48, NSMALL = 4000 };

static void big_arena(void)
{
    if (!on_jemalloc()) {
        printf("# system malloc: the huge-page arena is jemalloc's; skipped\n");
        CHECK(1);
        return;
    }
    unsigned before = thread_arena();
    /* a document under the threshold, or of unknown size, stays where it is */
    CHECK_EQ_INT(cli_allocator_big_begin(CLI_BIG_DOCUMENT - 1), -1);
    CHECK_EQ_INT(cli_allocator_big_begin(0), -1);
    CHECK_EQ_INT(thread_arena(), before);
    void *outside = malloc(100); /* from the normal arena, freed inside */
    CHECK(outside != NULL);
    int prev = cli_allocator_big_begin(CLI_BIG_DOCUMENT);
    CHECK_EQ_INT(prev, (int)before);
    unsigned big = thread_arena();
    CHECK(big != before && big != (unsigned)-1);
    unsigned n1 = narenas();

    void *large[NBIG], *small[NSMALL];
    for (int i = 0; i < NBIG; i++)
        large[i] = malloc((size_t)64 << 10);
    for (int i = 0; i < NSMALL; i++)
        small[i] = malloc(48);
    int all = 1;
    for (int i = 0; i < NBIG; i++)
        all &= large[i] != NULL;
    for (int i = 0; i < NSMALL; i++)
        all &= small[i] != NULL;
    CHECK(all);
    free(outside);

    const char *mode = thp_mode();
    if (thp_eligible(large[0]) < 0) {
        printf("# /proc/self/smaps has no THPeligible field (kernel < 5.x): eligibility not checked\n");
        mode = "";
    }
    if (!strcmp(mode, "madvise") || !strcmp(mode, "always")) {
        CHECK_EQ_INT(thp_eligible(large[NBIG / 2]), 1);
        CHECK_EQ_INT(thp_eligible(small[NSMALL / 2]), 1);
    } else {
        printf("# THP mode '%s': eligibility not checked\n", mode);
    }

    cli_allocator_big_end(prev);
    CHECK_EQ_INT(thread_arena(), before);
    void *normal = malloc((size_t)64 << 10);
    CHECK(normal != NULL);
    if (!strcmp(mode, "madvise")) /* "always": every mapping is eligible */
        CHECK_EQ_INT(thp_eligible(normal), 0);
    free(normal);
    /* made inside, freed outside */
    for (int i = 0; i < NBIG; i++)
        free(large[i]);
    for (int i = 0; i < NSMALL; i++)
        free(small[i]);

    /* the next big document reuses the thread's arena */
    prev = cli_allocator_big_begin(CLI_BIG_DOCUMENT);
    CHECK_EQ_INT(thread_arena(), big);
    CHECK_EQ_INT(narenas(), n1);
    cli_allocator_big_end(prev);
    CHECK_EQ_INT(thread_arena(), before);
}

static void *other_thread(void *arg)
{
    unsigned *got = arg;
    int prev = cli_allocator_big_begin(CLI_BIG_DOCUMENT);
    got[0] = thread_arena();
    void *p = malloc(1000);
    free(p);
    cli_allocator_big_end(prev);
    got[1] = thread_arena();
    got[2] = prev >= 0;
    return NULL;
}

static void arena_per_thread(void)
{
    if (!on_jemalloc()) {
        CHECK(1);
        return;
    }
    int prev = cli_allocator_big_begin(CLI_BIG_DOCUMENT);
    unsigned mine = thread_arena();
    cli_allocator_big_end(prev);
    unsigned got[3] = {0, 0, 0};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, other_thread, got) == 0);
    pthread_join(t, NULL);
    CHECK(got[2]);
    CHECK(got[0] != mine && got[0] != (unsigned)-1);
    CHECK(got[1] != got[0]);
}

int main(void)
{
    RUN(names_the_allocator);
    RUN(no_op_elsewhere);
    RUN(big_arena);
    RUN(arena_per_thread);
    return harness_done();
}
