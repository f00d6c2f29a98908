/* fileio.h -- reading whole inputs with a size cap, and atomic output files.
 *
 * Inputs are read by us (open + fstat + read), never by libxml2's URL/zlib-
 * aware loaders, so no URL is fetched and no file is silently decompressed
 * (HARDENING 1.1). */
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

/* Atomic output: writes len bytes to a temporary file next to path, flushes
 * it to disk and renames it over path.  On any failure the temporary file is
 * removed and path is left as it was. */
int fileio_write_atomic(lode_engine *e, const char *path, const void *data, size_t len);

#endif
