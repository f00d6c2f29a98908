/* sqlite_sink.h -- the sqlite plugin's internal declarations: identifier
 * rules (names.c), tables and columns (schema.c), the insert path with its
 * statement cache (insert.c), publishing a finished run (publish.c) and the
 * sink's lifecycle (sink.c).  See plugins/sqlite/README.md for the rules
 * these files implement. */
#ifndef LODE_SQLITE_SINK_H
#define LODE_SQLITE_SINK_H

#include <lode.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* lode's services (kept from lode_plugin_init; a static table). */
extern const lode_api *sq_api;

/* ---- names.c ---------------------------------------------------------------- */

/* Longest table or column name the sink creates, in bytes; longer names are
 * cut and get a hash suffix (see sq_name_clean). */
#define SQ_NAME_MAX 255

/* Cleans a decoded key or table name of n bytes into a new NUL-ended string
 * (malloc'd; the caller frees it), or NULL when out of memory.  NUL bytes
 * become '_'; a name longer than SQ_NAME_MAX bytes is cut at a UTF-8
 * boundary and ends in "~" and 8 hex digits of a hash of the whole name.
 * For a table (is_table): an empty name becomes fallback, and a name
 * starting with "sqlite_" (any case; reserved by SQLite) gets a leading
 * '_'. */
char *sq_name_clean(const char *s, size_t n, int is_table, const char *fallback);

/* A growable NUL-ended string for building SQL; a failed growth sets
 * failed (and later appends do nothing). */
typedef struct sq_str {
    char *p;
    size_t len, cap;
    int failed;
} sq_str;
void sq_str_put(sq_str *b, const char *s, size_t n);
void sq_str_puts(sq_str *b, const char *s);
/* Appends name as a quoted SQL identifier: "a""b" for a"b. */
void sq_str_ident(sq_str *b, const char *name);
void sq_str_free(sq_str *b);

/* ---- schema.c --------------------------------------------------------------- */

/* Declared column types, from a column's first non-null value. */
enum { SQ_NONE, SQ_INTEGER, SQ_REAL, SQ_TEXT, SQ_JSON };

/* The SQL type name of an SQ_* kind ("" for SQ_NONE). */
const char *sq_type_name(int kind);
/* The SQ_* kind of a declared type name as this sink writes them (others:
 * SQ_NONE, which never warns). */
int sq_type_kind(const char *decl);

typedef struct sq_column {
    char *name;
    int kind;   /* SQ_*: declared type */
    int warned; /* a value of another kind was reported once */
} sq_column;

typedef struct sq_table {
    char *name; /* cleaned, as created */
    sq_column *cols;
    size_t ncols, cap;
    int exists; /* the table is in the database */
} sq_table;

/* The tables one connection writes to (schema "main"). */
typedef struct sq_schema {
    sqlite3 *db;
    sq_table **tables;
    size_t ntables, cap;
} sq_schema;

/* Finds the table named name (compared as SQLite does: ASCII case folded),
 * loading its columns from the database (PRAGMA table_info) the first time,
 * or makes a new entry (not yet created in the database).  NULL when out of
 * memory or the database failed (an SQLite error on db). */
sq_table *sq_schema_table(sq_schema *sc, const char *name);
/* The index of t's column name (ASCII case folded), or -1. */
long sq_table_column(const sq_table *t, const char *name);
/* Adds columns to t: the table is created with them if it does not exist
 * yet (with a column "_" if there are none), else each is added with ALTER
 * TABLE ADD COLUMN.  names/kinds: n new columns, none of them in t yet.
 * Returns SQLITE_OK or an SQLite error code (message on sc->db). */
int sq_table_add(sq_schema *sc, sq_table *t, char *const *names, const int *kinds, size_t n);
void sq_schema_free(sq_schema *sc);

/* ---- insert.c --------------------------------------------------------------- */

typedef struct sq_shape sq_shape;

/* The insert path: a cache of prepared INSERT statements, one per table and
 * set of keys ("shape"), and the scratch memory of one record. */
typedef struct sq_inserter {
    sq_schema sc;
    lode_engine *e;
    const char *label; /* default table name */
    const char *path;  /* for messages */
    sq_shape **buckets;
    size_t nbuckets, nshapes;
    sq_shape *last;
    lode_field *fields;
    size_t fields_cap;
    char *scratch; /* decoded strings of the current record */
    size_t scratch_cap;
    sq_str sig;
    long long records;
} sq_inserter;

/* Inserts one record (a JSON object of len bytes) into its table, creating
 * the table and missing columns.  Returns LODE_OK or a status set with
 * sq_api->error. */
int sq_insert(sq_inserter *in, const char *json, size_t len);
/* Finalizes every cached statement and frees the cache and the schema
 * (the connection is the caller's). */
void sq_inserter_free(sq_inserter *in);

/* ---- publish.c -------------------------------------------------------------- */

/* Adds every table of the finished database at tmp to the existing database
 * at path, in one IMMEDIATE transaction on path (waiting up to
 * SQ_BUSY_MS for other writers): missing tables are created, missing
 * columns added, rows copied in their order.  On failure path is left as it
 * was.  Returns LODE_OK or a status set with sq_api->error. */
int sq_merge(lode_engine *e, const char *path, const char *tmp);

/* How long a connection waits for another writer (sqlite3_busy_timeout). */
#define SQ_BUSY_MS 120000

/* Sets e's error for the SQLite result rc (db's message, or "out of
 * memory" for SQLITE_NOMEM): "path: what: message"; returns the lode
 * status (LODE_ENOMEM or LODE_EIO). */
int sq_fail(lode_engine *e, sqlite3 *db, int rc, const char *path, const char *what);

/* ---- sink.c ----------------------------------------------------------------- */

int sq_sink_open(void *ud, lode_engine *e, const char *path, const char *label, void **state);
int sq_sink_write(void *state, lode_engine *e, const char *json, size_t len);
int sq_sink_close(void *state, lode_engine *e, int commit);

#endif /* LODE_SQLITE_SINK_H */
