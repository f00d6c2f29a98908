/* publish.c -- appending a finished run to an existing database: its
 * tables are copied into the target in one transaction, so the target sees
 * the whole run or nothing, and other writers wait at most that long. */
#include "sqlite_sink.h"

#include <stdlib.h>
#include <string.h>

/* The columns of the run's table name (schema lode_run) that main's table
 * t lacks, added to t (which is created if need be). */
static int add_missing(sq_schema *sc, sq_table *t, const char *name, sq_str *cols)
{
    sqlite3_stmt *st = NULL;
    char **names = NULL;
    int *kinds = NULL;
    size_t n = 0, cap = 0;
    int rc = sqlite3_prepare_v2(sc->db, "SELECT name, type FROM pragma_table_info(?1, 'lode_run')", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cn = (const char *)sqlite3_column_text(st, 0);
        const char *ct = (const char *)sqlite3_column_text(st, 1);
        if (!cn) {
            rc = SQLITE_NOMEM;
            break;
        }
        sq_str_puts(cols, cols->len ? ", " : "");
        sq_str_ident(cols, cn);
        rc = SQLITE_OK;
        if (sq_table_column(t, cn) >= 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            int *nk = nn ? realloc(kinds, cap * sizeof *nk) : NULL;
            if (nn)
                names = nn;
            if (nk)
                kinds = nk;
            if (!nn || !nk) {
                rc = SQLITE_NOMEM;
                break;
            }
        }
        if (!(names[n] = strdup(cn))) {
            rc = SQLITE_NOMEM;
            break;
        }
        kinds[n++] = sq_type_kind(ct);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        rc = cols->failed ? SQLITE_NOMEM : SQLITE_OK;
    if (rc == SQLITE_OK && (n > 0 || !t->exists))
        rc = sq_table_add(sc, t, names, kinds, n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(kinds);
    return rc;
}

/* Copies every table of lode_run into main, in the transaction begun.  On
 * failure *msg is SQLite's message (malloc'd), taken before finalizing the
 * listing resets it. */
static int copy_tables(sqlite3 *db, char **msg)
{
    sqlite3_stmt *st = NULL;
    sq_schema sc = {.db = db};
    int rc = sqlite3_prepare_v2(db,
                                "SELECT name FROM lode_run.sqlite_master WHERE type = 'table' AND "
                                "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        sq_table *t = name ? sq_schema_table(&sc, name) : NULL;
        if (!t) {
            rc = name ? sqlite3_errcode(db) : SQLITE_NOMEM;
            if (rc == SQLITE_OK || rc == SQLITE_ROW)
                rc = SQLITE_NOMEM;
            break;
        }
        sq_str cols = {0}, sql = {0};
        rc = add_missing(&sc, t, name, &cols);
        /* INSERT INTO main."t"(cols) SELECT cols FROM lode_run."t" ORDER BY rowid */
        sq_str_puts(&sql, "INSERT INTO main.");
        sq_str_ident(&sql, t->name);
        sq_str_puts(&sql, "(");
        sq_str_put(&sql, cols.p ? cols.p : "", cols.len);
        sq_str_puts(&sql, ") SELECT ");
        sq_str_put(&sql, cols.p ? cols.p : "", cols.len);
        sq_str_puts(&sql, " FROM lode_run.");
        sq_str_ident(&sql, name);
        sq_str_puts(&sql, " ORDER BY rowid");
        if (rc == SQLITE_OK)
            rc = sql.failed || cols.failed ? SQLITE_NOMEM : sqlite3_exec(db, sql.p, NULL, NULL, NULL);
        sq_str_free(&cols);
        sq_str_free(&sql);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_NOMEM)
        *msg = strdup(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sq_schema_free(&sc);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int sq_merge(lode_engine *e, const char *path, const char *tmp)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    const char *what = "cannot open it to append";
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, SQ_BUSY_MS);
        /* WAL, as the sink's own databases; a database other connections
         * hold open in rollback mode stays so (not an error).  FULL: the
         * one COMMIT below is synced, so the append is durable. */
        sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        rc = sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "ATTACH ?1 AS lode_run", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        sqlite3_finalize(st);
    }
    char *msg = NULL;
    if (rc == SQLITE_OK) {
        what = "cannot append the run";
        rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            rc = copy_tables(db, &msg);
            if (rc == SQLITE_OK)
                rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
            if (rc != SQLITE_OK && !msg && rc != SQLITE_NOMEM)
                msg = strdup(sqlite3_errmsg(db));
            if (!sqlite3_get_autocommit(db)) /* failed: the target stays as it was */
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    int status = rc == SQLITE_OK ? LODE_OK
                 : msg           ? sq_api->error(e, LODE_EIO, "%s: %s: %s", path, what, msg)
                                 : sq_fail(e, db, rc, path, what);
    free(msg);
    sqlite3_exec(db, "DETACH lode_run", NULL, NULL, NULL);
    sqlite3_close(db);
    return status;
}
