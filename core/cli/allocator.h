/* allocator.h -- which malloc the lode command runs on.
 *
 * The command (not the library: a host keeps its own malloc) runs big runs
 * on jemalloc, preloaded by executing itself again, and small ones on the C
 * library's malloc, unless built with ALLOC=system or under a sanitizer
 * (then always the C library's); see the Makefile and docs/performance.md
 * ("The command's allocator"). */
#ifndef LODE_CLI_ALLOCATOR_H
#define LODE_CLI_ALLOCATOR_H

#include <stddef.h>

/* Writes "jemalloc VERSION" or "system malloc" into buf (size n, n > 0)
 * and returns buf.  Found at run time, so it tells what the process
 * really uses, whatever the build meant to link. */
const char *cli_allocator(char *buf, size_t n);

/* A run is big, and worth jemalloc, over more than this many files ... */
#define CLI_BIG_RUN_FILES 16
/* ... or this many bytes of files in all (or a folder, a list, a stream). */
#define CLI_BIG_RUN_BYTES ((unsigned long long)1 << 20)

/* Called first in main().  When the build has jemalloc (ALLOC=jemalloc,
 * the default) and the process is not on it yet: if the arguments make a
 * big run (above), or LODE_MALLOC=jemalloc, executes its own file again
 * with the same arguments and jemalloc in LD_PRELOAD; returns (on the C
 * library's malloc) when LODE_MALLOC=system, when LD_PRELOAD is already
 * set (valgrind, a fault injector, the user's), or when that exec fails.
 * In the process executed again, takes LD_PRELOAD out of the environment
 * and returns.  Does nothing in other builds. */
void cli_allocator_choose(int argc, char **argv);

/* Makes the calling thread allocate from jemalloc's first arena, the one
 * the main thread uses; does nothing on another malloc.  For --split runs:
 * there the workers take turns parsing one stream, and each element's tree
 * is made by one worker and its reader's nodes freed by another.  With an
 * arena per thread, each arena keeps the pages of the largest trees it has
 * seen: 85-118 MiB peak on a 102 MB file with -j 2, 51-66 MiB with one
 * arena (docs/performance.md). */
void cli_allocator_share_arena(void);

/* Documents of at least this many bytes are read and processed between
 * cli_allocator_big_begin and _end on a huge-page arena. */
#define CLI_BIG_DOCUMENT ((unsigned long long)4 << 20)

/* For a document of `bytes` bytes (0: unknown): if that is at least
 * CLI_BIG_DOCUMENT, makes the calling thread allocate, until
 * cli_allocator_big_end, from a jemalloc arena of its own whose memory is
 * advised for transparent huge pages (madvise MADV_HUGEPAGE).  A 50 MB
 * text's tree is some 19,000 first-touch page faults on 4 KiB pages, and
 * those cost 12-30 us each on some VMs (docs/performance.md): 1.09 s
 * against 0.33 s for the same run on huge pages.  Small documents keep
 * the normal arenas, whose pages are reused from document to document and
 * which would only grow the resident memory on huge pages.  Returns what
 * to hand to cli_allocator_big_end: the arena to go back to, or -1 when
 * nothing was changed (a smaller document, another malloc, or jemalloc
 * refused). */
int cli_allocator_big_begin(unsigned long long bytes);
void cli_allocator_big_end(int prev);

#endif
