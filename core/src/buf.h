/* buf.h -- a growable byte buffer with a sticky failure flag.
 *
 * Writers append without checking every call: the first failed growth sets
 * b->failed and later appends do nothing, so the caller checks once at the
 * end (buf_ok).  The content is always NUL-terminated when b->ptr != NULL. */
#ifndef LODE_BUF_H
#define LODE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "mem.h"

/* Where a spilling buffer's content goes (0, or -1: the buffer fails). */
typedef int (*buf_spill_fn)(void *ud, const char *data, size_t len);

typedef struct buf {
    char *ptr;
    size_t len;
    size_t cap;
    const mem *m;
    int failed;
    buf_spill_fn spill; /* NULL: the buffer only grows */
    void *spill_ud;
} buf;

void buf_init(buf *b, const mem *m);
/* A buffer of cap bytes that, when an append does not fit, first hands its
 * content to spill and starts again empty (it grows only for one append
 * larger than cap).  For writers that only append -- never look back at or
 * trim what they wrote.  buf_spill_rest hands over the rest; 0 or -1 (also
 * when the buffer failed before). */
void buf_init_spill(buf *b, const mem *m, size_t cap, buf_spill_fn spill, void *ud);
int buf_spill_rest(buf *b);
void buf_free(buf *b);
/* Ensures room for extra more bytes plus a NUL; 0 or -1 (sets failed). */
int buf_reserve(buf *b, size_t extra);
void buf_put(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, int c);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void buf_printf(buf *b, const char *fmt, ...);
/* Drops the content, keeps the memory. */
void buf_reset(buf *b);
/* Removes trailing bytes in set (e.g. " \n"). */
void buf_rtrim(buf *b, const char *set);
/* Hands the content (NUL-terminated, from mem_alloc) to the caller and resets
 * b; returns NULL if b failed (and frees it). */
char *buf_detach(buf *b, size_t *len);
static inline int buf_ok(const buf *b) { return !b->failed; }

#endif
