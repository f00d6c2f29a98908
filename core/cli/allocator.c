/* allocator.c -- which malloc the lode command runs on (see allocator.h). */
/* for madvise(MADV_HUGEPAGE), a Linux extension */
#define _DEFAULT_SOURCE
#include "allocator.h"

#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* jemalloc's options, read by jemalloc when it starts (its documented
 * malloc_conf; the MALLOC_CONF variable still overrides them); an unused
 * variable on another malloc.
 *
 * oversize_threshold:0 -- no dedicated arena for blocks of 8 MiB and
 * more.  That arena returns every freed block to the kernel at once, so a
 * string grown past 8 MiB by realloc (an XPath string(), a long node:text())
 * faults in its pages again at every step: 27,371 page faults for a 16 MB
 * result against 10,848 for 8 MB, time growing 2.5x for 2x the input
 * (tests/patho, xml-fanout-8k-under-limit-xpath).  Without it, 21,455
 * against 10,830.  Freed blocks are then returned after jemalloc's decay
 * time, as all others. */
extern const char *malloc_conf;
__attribute__((visibility("default"))) const char *malloc_conf = "oversize_threshold:0";

/* jemalloc's mallctl, or NULL when the process does not run on jemalloc: a
 * weak reference, bound by the dynamic linker to whatever library of the
 * process defines it (the linked or an LD_PRELOADed jemalloc).  Not
 * dlopen(NULL) + dlsym: that costs a tiny run some 40 page faults. */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));

const char *cli_allocator(char *buf, size_t n)
{
    snprintf(buf, n, "system malloc");
    const char *version = NULL;
    size_t len = sizeof version;
    if (mallctl && mallctl("version", &version, &len, NULL, 0) == 0 && version)
        snprintf(buf, n, "jemalloc %s", version);
#ifdef LODE_JEMALLOC_PRELOAD
    else
        snprintf(buf, n, "system malloc; jemalloc for big runs");
#endif
    return buf;
}

void cli_allocator_share_arena(void)
{
    unsigned first = 0;
    if (mallctl)
        (void)mallctl("thread.arena", NULL, NULL, &first, sizeof first); /* best effort */
}

/* ---- big documents on transparent huge pages ----
 *
 * jemalloc's extent hooks, as its manual documents them ("arena.<i>.
 * extent_hooks"): a table of nine functions through which an arena gets and
 * gives back its memory.  Declared here rather than taken from
 * <jemalloc/jemalloc.h>, which the ALLOC=system builds do not need. */
typedef struct extent_hooks_s extent_hooks_t;
struct extent_hooks_s {
    void *(*alloc)(extent_hooks_t *, void *new_addr, size_t size, size_t alignment, bool *zero, bool *commit,
                   unsigned arena_ind);
    bool (*dalloc)(extent_hooks_t *, void *addr, size_t size, bool committed, unsigned arena_ind);
    void (*destroy)(extent_hooks_t *, void *addr, size_t size, bool committed, unsigned arena_ind);
    bool (*commit)(extent_hooks_t *, void *addr, size_t size, size_t offset, size_t length, unsigned arena_ind);
    bool (*decommit)(extent_hooks_t *, void *addr, size_t size, size_t offset, size_t length, unsigned arena_ind);
    bool (*purge_lazy)(extent_hooks_t *, void *addr, size_t size, size_t offset, size_t length,
                       unsigned arena_ind);
    bool (*purge_forced)(extent_hooks_t *, void *addr, size_t size, size_t offset, size_t length,
                         unsigned arena_ind);
    bool (*split)(extent_hooks_t *, void *addr, size_t size, size_t size_a, size_t size_b, bool committed,
                  unsigned arena_ind);
    bool (*merge)(extent_hooks_t *, void *addr_a, size_t size_a, void *addr_b, size_t size_b, bool committed,
                  unsigned arena_ind);
};

/* jemalloc's own hooks (read once from arena 0), and ours: the same, except
 * that memory the arena maps is advised for huge pages.  jemalloc's default
 * functions do not use their first argument, so the copied ones may be
 * called with ours. */
static extent_hooks_t *default_hooks;
static extent_hooks_t thp_hooks;
static pthread_once_t thp_once = PTHREAD_ONCE_INIT;

static void *thp_alloc(extent_hooks_t *h, void *new_addr, size_t size, size_t alignment, bool *zero, bool *commit,
                       unsigned arena_ind)
{
    (void)h;
    void *p = default_hooks->alloc(default_hooks, new_addr, size, alignment, zero, commit, arena_ind);
#ifdef MADV_HUGEPAGE
    if (p)
        (void)madvise(p, size, MADV_HUGEPAGE); /* advice: a no-op where THP is off */
#endif
    return p;
}

static void thp_init(void)
{
    extent_hooks_t *h = NULL;
    size_t len = sizeof h;
    if (mallctl("arena.0.extent_hooks", &h, &len, NULL, 0) != 0 || !h || !h->alloc)
        return;
    default_hooks = h;
    thp_hooks = *h;
    thp_hooks.alloc = thp_alloc;
}

/* The calling thread's huge-page arena (created at its first big document;
 * one per worker thread, so that workers do not contend), 0: none yet. */
static _Thread_local unsigned thp_arena;

int cli_allocator_big_begin(unsigned long long bytes)
{
    if (bytes < CLI_BIG_DOCUMENT || !mallctl)
        return -1;
    pthread_once(&thp_once, thp_init);
    if (!default_hooks)
        return -1;
    if (!thp_arena) {
        unsigned ind = 0;
        size_t len = sizeof ind;
        extent_hooks_t *hp = &thp_hooks;
        if (mallctl("arenas.create", &ind, &len, &hp, sizeof hp) != 0 || ind == 0)
            return -1;
        thp_arena = ind;
    }
    unsigned old = 0;
    size_t len = sizeof old;
    if (mallctl("thread.arena", &old, &len, &thp_arena, sizeof thp_arena) != 0)
        return -1;
    return (int)old;
}

void cli_allocator_big_end(int prev)
{
    if (prev < 0 || !mallctl)
        return;
    unsigned ind = (unsigned)prev;
    (void)mallctl("thread.arena", NULL, NULL, &ind, sizeof ind);
}

/* ---- jemalloc for big runs only ----
 *
 * jemalloc sets itself up when it is loaded, before main: some 110 page
 * faults and 0.2-0.3 ms, a fifth of a run over one tiny page, for a malloc
 * that only pays off on many or big documents (15-25% of T1 and T2).  So the
 * command is linked with the C library's malloc, and a run that looks big
 * executes itself again with jemalloc preloaded (LD_PRELOAD, the way
 * jemalloc documents for programs not linked with it): about 2 ms more, once.
 * What is big is judged from the arguments alone, before anything is read
 * or opened. */
#ifdef LODE_JEMALLOC_PRELOAD
#define REEXEC_MARK "LODE_REEXEC_JEMALLOC"

/* A run over a folder, a list, a stream, a --split file, more than
 * CLI_BIG_RUN_FILES files or CLI_BIG_RUN_BYTES bytes in all.  Option values
 * that name files (-o, -r) count too: that errs towards jemalloc. */
static int big_run(int argc, char **argv)
{
    static const char *const cmds[] = {"run", "convert", "query", "merge"};
    int known = 0;
    for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof *cmds; i++)
        known |= !strcmp(argv[1], cmds[i]);
    if (!known)
        return 0;
    unsigned long long bytes = 0;
    int files = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-") || !strncmp(a, "--files-from", 12) || !strncmp(a, "--split", 7))
            return 1;
        struct stat st;
        if (a[0] == '-' || stat(a, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            return 1;
        if (!S_ISREG(st.st_mode))
            return 1; /* a pipe or a device: a stream of unknown length */
        bytes += (unsigned long long)st.st_size;
        files++;
    }
    return bytes >= CLI_BIG_RUN_BYTES || files > CLI_BIG_RUN_FILES;
}

void cli_allocator_choose(int argc, char **argv)
{
    if (getenv(REEXEC_MARK)) {
        /* executed again: what follows (a script's os.execute) gets the
         * environment the user gave, which had no LD_PRELOAD */
        unsetenv(REEXEC_MARK);
        unsetenv("LD_PRELOAD");
        return;
    }
    if (mallctl)
        return; /* already on jemalloc */
    const char *want = getenv("LODE_MALLOC");
    if (want && !strcmp(want, "system"))
        return;
    if (!(want && !strcmp(want, "jemalloc")) && !big_run(argc, argv))
        return;
    const char *pre = getenv("LD_PRELOAD");
    if (pre && *pre)
        return; /* valgrind, a fault injector, the user's own: theirs */
    if (access(LODE_JEMALLOC_PRELOAD, R_OK) != 0)
        return;
    if (setenv("LD_PRELOAD", LODE_JEMALLOC_PRELOAD, 1) != 0 || setenv(REEXEC_MARK, "1", 1) != 0) {
        unsetenv("LD_PRELOAD");
        unsetenv(REEXEC_MARK);
        return;
    }
    /* the file itself, not the /proc/self/exe link: the process's name
     * (ps, top, pkill) comes from the name executed */
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        execv(self, argv);
    }
    /* no /proc, or exec refused: go on with the C library's malloc */
    unsetenv("LD_PRELOAD");
    unsetenv(REEXEC_MARK);
}
#else
void cli_allocator_choose(int argc, char **argv)
{
    (void)argc;
    (void)argv;
}
#endif
