/* allocator.c -- which malloc the lode command runs on (see allocator.h). */
#include "allocator.h"

#include <dlfcn.h>
#include <stdio.h>

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
