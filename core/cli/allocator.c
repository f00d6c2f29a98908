/* allocator.c -- which malloc the lode command runs on (see allocator.h). */
#include "allocator.h"

#include <dlfcn.h>
#include <stdio.h>

typedef int (*mallctl_fn)(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

const char *cli_allocator(char *buf, size_t n)
{
    snprintf(buf, n, "system malloc");
    /* the process's global scope: the command and the libraries it links */
    void *self = dlopen(NULL, RTLD_LAZY);
    if (!self)
        return buf;
    mallctl_fn mallctl;
    *(void **)&mallctl = dlsym(self, "mallctl"); /* POSIX's way to convert it */
    const char *version = NULL;
    size_t len = sizeof version;
    if (mallctl && mallctl("version", &version, &len, NULL, 0) == 0 && version)
        snprintf(buf, n, "jemalloc %s", version);
    dlclose(self);
    return buf;
}
