/* sinks.h -- where `lode run` sends records: JSON Lines (streamed), CSV or
 * TSV (columns are the union of all records' keys in first-seen order, so
 * they are written at the end).  A file sink writes to a temporary file
 * next to the target and renames it only when the run is complete. */
#ifndef LODE_SINKS_H
#define LODE_SINKS_H

#include <stdio.h>

typedef struct sink sink;

/* Opens a sink for path (NULL or "-": JSON Lines on out).  The kind comes
 * from the extension: .csv, .tsv, anything else JSON Lines.  Returns NULL
 * with a message in err on failure. */
sink *sink_open(const char *path, FILE *out, char *err, size_t errlen);
/* Takes one record (a JSON object without newline).  0 or -1. */
int sink_record(sink *s, const char *json, size_t len);
/* Finishes: with commit, writes what is buffered and renames the file into
 * place; without, removes the temporary file.  Frees s.  0 or -1 (err). */
int sink_close(sink *s, int commit, char *err, size_t errlen);
/* Records taken so far. */
long sink_count(const sink *s);

#endif
