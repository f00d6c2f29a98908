/* allocator.h -- which malloc the lode command runs on.
 *
 * The command (not the library: a host keeps its own malloc) is linked
 * with jemalloc unless built with ALLOC=system or under a sanitizer; see
 * the Makefile and docs/performance.md ("The command's allocator"). */
#ifndef LODE_CLI_ALLOCATOR_H
#define LODE_CLI_ALLOCATOR_H

#include <stddef.h>

/* Writes "jemalloc VERSION" or "system malloc" into buf (size n, n > 0)
 * and returns buf.  Found at run time, so it tells what the process
 * really uses, whatever the build meant to link. */
const char *cli_allocator(char *buf, size_t n);

/* Makes the calling thread allocate from jemalloc's first arena, the one
 * the main thread uses; does nothing on another malloc.  For --split runs:
 * there the workers take turns parsing one stream, and each element's tree
 * is made by one worker and its reader's nodes freed by another.  With an
 * arena per thread, each arena keeps the pages of the largest trees it has
 * seen: 85-118 MiB peak on a 102 MB file with -j 2, 51-66 MiB with one
 * arena (docs/performance.md). */
void cli_allocator_share_arena(void);

#endif
