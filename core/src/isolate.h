/* isolate.h -- one document's work in a child process under a CPU, memory
 * and wall-clock limit (HARDENING.md 2.3, item 7): `lode run --isolate` and
 * lode_rules_run_isolated.
 *
 * The sandbox bounds a script's instructions, time and memory inside the
 * process; what it cannot bound -- a loop in C that never returns to Lua,
 * a bug in a library that crashes or eats memory -- takes the whole run
 * down with it.  isolate_run forks: the child does the work and writes its
 * result to a pipe; the parent reads it and waits, and kills the child when
 * the time is up.  A child that crashes, is killed or ends without a whole
 * result is a failed document, described in words; the run goes on.
 *
 * The child is a copy of the worker as it was: whatever the work changes in
 * memory (Lua variables, caches) is gone when it ends.  Only what it writes
 * to the pipe comes back. */
#ifndef LODE_ISOLATE_H
#define LODE_ISOLATE_H

#include <pthread.h>
#include <stddef.h>

#include "mem.h"

typedef struct isolate_limits {
    unsigned long ms;         /* wall-clock time, and (rounded up, plus a
                                 second) CPU time (0: none) */
    unsigned long long bytes; /* address space the child may add (0: none) */
    int default_handlers;     /* 1: the child sets every signal the process
                                 handles back to its default action (a host's
                                 handler must not run in its copy); 0: it keeps
                                 them (the command's, which let a child finish
                                 its document on SIGINT) */
} isolate_limits;

/* The work, in the child: writes its result to fd (isolate_write) and
 * returns 0, or non-zero if it could not. */
typedef int (*isolate_fn)(void *ud, int fd);

/* Runs work(ud, fd) in a child process under lim.  fork_lock (may be NULL)
 * is taken for writing around the fork, and for reading around this
 * function's own allocations: a process whose other threads allocate only
 * while holding it for reading never forks in the middle of a malloc or a
 * library's lock, whatever its allocator (the sanitizers' do not lock
 * themselves across fork; glibc's and jemalloc do).  On return *out holds
 * everything the child wrote (NUL-terminated, *len bytes, from m -- free it
 * with mem_free -- or with NULL from realloc -- free it with free).
 * Returns 0 when the child ended normally with status 0; else -1 with a
 * reason in why, a predicate ("was killed after the time limit of 30 s",
 * "crashed: signal 11 (Segmentation fault)", "ended with status 3",
 * "could not start (fork: ...)"), and
 * *out may hold a partial result.  The caller must hold no lock the child
 * needs: the child has only the calling thread. */
int isolate_run(const isolate_limits *lim, pthread_rwlock_t *fork_lock, const mem *m, isolate_fn work, void *ud,
                char **out, size_t *len, char *why, size_t whyn);

/* Writes n bytes to fd, retrying on EINTR and short writes; 0 or -1. */
int isolate_write(int fd, const void *p, size_t n);

#endif
