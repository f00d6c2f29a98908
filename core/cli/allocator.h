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

#endif
