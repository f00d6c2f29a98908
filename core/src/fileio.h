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

/* The same, written piece by piece:
 *
 *     fileio_out o;
 *     if (fileio_out_open(e, path, &o) == LODE_OK) {
 *         ... fileio_out_write(&o, p, n) ...
 *         rc = ok ? fileio_out_commit(&o, sync) : (fileio_out_abort(&o), rc);
 *     }
 *
 * A target that exists and is not a regular file (/dev/null, a named pipe,
 * a link to one) is written in place: those pieces are gone when a later
 * step fails.  A symbolic link to a file keeps the link and replaces the
 * file. */
typedef struct fileio_out {
    lode_engine *e;
    char *path; /* the file written (a link's target) */
    char *tmp;  /* the temporary name, NULL when written in place */
    int fd;
    int err;    /* the first errno of a write (or of fchmod): commit reports it */
} fileio_out;

/* Opens the output: a temporary file beside path (0666 & ~umask) or the
 * target in place.  LODE_OK or an error naming path (nothing to abort). */
int fileio_out_open(lode_engine *e, const char *path, fileio_out *o);
/* Appends len bytes (short writes and EINTR retried); 0, or -1 with the
 * error kept for fileio_out_commit. */
int fileio_out_write(fileio_out *o, const void *data, size_t len);
/* Finishes the output: fsync when sync (temporary files only), close,
 * rename over the target.  On any failure, now or of an earlier write, the
 * temporary file is removed and the error names the target. */
int fileio_out_commit(fileio_out *o, int sync);
/* Gives the output up: closes it and removes the temporary file. */
void fileio_out_abort(fileio_out *o);

#endif
