/* allocator.c -- which malloc the lode command runs on (see allocator.h). */
#include "allocator.h"

#include <dlfcn.h>
#include <stdio.h>

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

typedef int (*mallctl_fn)(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

/* jemalloc's mallctl when the process runs on jemalloc, else NULL.  Looked
 * up in the process's global scope (the command and the libraries it
 * links), so it names what is really there. */
static mallctl_fn find_mallctl(void)
{
    void *self = dlopen(NULL, RTLD_LAZY);
    if (!self)
        return NULL;
    mallctl_fn mallctl;
    *(void **)&mallctl = dlsym(self, "mallctl"); /* POSIX's way to convert it */
    dlclose(self); /* the main program's handle: the symbol stays valid */
    return mallctl;
}

const char *cli_allocator(char *buf, size_t n)
{
    snprintf(buf, n, "system malloc");
    mallctl_fn mallctl = find_mallctl();
    const char *version = NULL;
    size_t len = sizeof version;
    if (mallctl && mallctl("version", &version, &len, NULL, 0) == 0 && version)
        snprintf(buf, n, "jemalloc %s", version);
    return buf;
}

void cli_allocator_share_arena(void)
{
    mallctl_fn mallctl = find_mallctl();
    unsigned first = 0;
    if (mallctl)
        (void)mallctl("thread.arena", NULL, NULL, &first, sizeof first); /* best effort */
}
