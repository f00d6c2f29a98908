/* fileio.h -- reading whole inputs with a size cap, gzip, and atomic output
 * files.
 *
 * Inputs are read by us (open + fstat + read), never by libxml2's URL/zlib-
 * aware loaders, so no URL is fetched (HARDENING 1.1).  A gzip-compressed
 * input is inflated by us too (fileio_gunzip), under the same size cap
 * counted on the decompressed bytes, so a gzip bomb stops at the cap. */
#ifndef LODE_FILEIO_H
#define LODE_FILEIO_H

#include <stdio.h>
#include "buf.h"
#include "engine.h"

/* Reads the regular file (or FIFO/character device) at path into out, at most
 * max bytes; folders and oversize files are errors naming path. */
int fileio_read_path(lode_engine *e, const char *path, size_t max, buf *out);
/* Reads fp to its end into out, at most max bytes. */
int fileio_read_fp(lode_engine *e, FILE *fp, const char *name, size_t max, buf *out);

/* Non-zero if data starts with the gzip magic bytes 1f 8b. */
int fileio_is_gzip(const void *data, size_t len);
/* Inflates the gzip data (one or more concatenated members; bytes after the
 * last member that do not start another one are ignored, as gzip does) into
 * out, at most max decompressed bytes: more gives LODE_ELIMIT.  Corrupt or
 * truncated data gives LODE_EPARSE with "name: corrupt gzip data at byte N:
 * why" (N: offset in the compressed data).  zlib's memory comes from the
 * engine's allocator. */
int fileio_gunzip(lode_engine *e, const char *name, const void *data, size_t len, size_t max, buf *out);

/* Atomic output: writes len bytes to a temporary file next to path, flushes
 * it to disk and renames it over path.  On any failure the temporary file is
 * removed and path is left as it was. */
int fileio_write_atomic(lode_engine *e, const char *path, const void *data, size_t len);
/* As fileio_write_atomic; without sync, no fsync before the rename: still
 * whole-or-nothing for readers and for a crash of the process, not for a
 * crash of the machine (the caller syncs later, e.g. once per run). */
int fileio_write_atomic_sync(lode_engine *e, const char *path, const void *data, size_t len, int sync);

#endif
