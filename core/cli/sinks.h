/* sinks.h -- where `lode run` sends records: JSON Lines (streamed), CSV or
 * TSV (columns are the union of all records' keys in first-seen order, so
 * they are written at the end).  A file sink writes to a temporary file
 * next to the target and renames it only when the run is complete. */
#ifndef LODE_SINKS_H
#define LODE_SINKS_H

#include <stdio.h>

#include "lode.h"

typedef struct sink sink;

/* Opens a sink for path (NULL or "-": JSON Lines on out).  kind "jsonl",
 * "csv" or "tsv", or NULL for the extension's: .csv, .tsv, anything else
 * JSON Lines.  Returns NULL with a message in err on failure. */
sink *sink_open(const char *path, const char *kind, FILE *out, char *err, size_t errlen);
/* Opens a plugin's record sink (lode_sink_open: by name, or by path's
 * extension when name is NULL) writing to path; label names the records'
 * source.  Takes ownership of e (the engine the plugin is loaded in), also
 * on failure. */
sink *sink_open_plugin(lode_engine *e, const char *name, const char *path, const char *label, char *err,
                       size_t errlen);
/* The message of the last failed sink_record, or "". */
const char *sink_error(const sink *s);
/* Takes one record (a JSON object without newline).  0 or -1. */
int sink_record(sink *s, const char *json, size_t len);
/* Finishes: with commit, writes what is buffered and renames the file into
 * place; without, removes the temporary file.  Frees s.  0 or -1 (err). */
int sink_close(sink *s, int commit, char *err, size_t errlen);
/* Records taken so far. */
long sink_count(const sink *s);

#endif
