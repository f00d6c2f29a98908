/* guard.h -- gumbo under a guard: its memory in an arena and its failed
 * assertions caught, so that gumbo 0.10.1's known assertion failures on
 * crafted tag soup (Debian builds it with assertions on) fail one document
 * instead of aborting the process. */
#ifndef HTML5_GUARD_H
#define HTML5_GUARD_H

#include <stddef.h>

#include <gumbo.h>

/* One guarded parse: gumbo's options (whose allocator is the arena) and
 * its output. */
typedef struct h5_guard {
    GumboOptions options;
    GumboOutput *output;
    void *arena; /* the blocks gumbo holds (internal) */
} h5_guard;

enum { H5_GUARD_OK = 0, H5_GUARD_NOMEM, H5_GUARD_ABORTED };

/* Installs the SIGABRT handler once per process (chaining to the one that
 * was there).  Call before the first parse. */
void h5_guard_install(void);

/* Parses len bytes of UTF-8 into g->output.  Returns H5_GUARD_OK, NOMEM,
 * or ABORTED when gumbo failed an assertion (its memory is then already
 * freed and g->output is NULL).  Free with h5_guard_free in every case. */
int h5_guard_parse(h5_guard *g, const char *data, size_t len);

/* Frees gumbo's output and everything gumbo allocated. */
void h5_guard_free(h5_guard *g);

#endif
