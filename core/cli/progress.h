/* progress.h -- the progress line of long runs, on standard error.
 *
 * "lode: 1234/100000 docs  45.6 MB/s  0:12 elapsed  ETA 1:40  2 failed",
 * redrawn in place (carriage return + erase to end of line) at most ten
 * times a second and erased at the end, so that it never mixes with the
 * lines printed between redraws: progress_clear() before printing, the next
 * tick redraws.  On when standard error is a terminal, unless forced. */
#ifndef LODE_PROGRESS_H
#define LODE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct progress {
    FILE *fp;
    int on;
    int shown;         /* a line is on the screen */
    double start, last;
    size_t done, total; /* documents (total 0: unknown) */
    size_t failed;
    uint64_t bytes, total_bytes;
} progress;

/* mode: 1 on, 0 off, -1 automatic (on when fp is a terminal). */
void progress_init(progress *p, FILE *fp, int mode, size_t total, uint64_t total_bytes);
/* Counts one committed document. */
void progress_doc(progress *p, uint64_t bytes, int failed);
/* Redraws the line if on and at least 0.1 s passed since the last draw. */
void progress_tick(progress *p);
/* Erases the line (before other output, and at the end). */
void progress_clear(progress *p);
/* Seconds since progress_init. */
double progress_elapsed(const progress *p);

#endif
