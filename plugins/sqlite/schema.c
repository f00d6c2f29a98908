/* schema.c -- the tables and columns a connection writes to: found in the
 * database (PRAGMA table_info) or created as records need them. */
#include "sqlite_sink.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"", "INTEGER", "REAL", "TEXT", "JSON"};

const char *sq_type_name(int kind)
{
    return kind > SQ_NONE && kind <= SQ_JSON ? type_names[kind] : "";
}

int sq_type_kind(const char *decl)
{
    for (int k = SQ_INTEGER; k <= SQ_JSON; k++)
        if (decl && sqlite3_stricmp(decl, type_names[k]) == 0)
            return k;
    return SQ_NONE;
}

static int column_push(sq_table *t, const char *name, int kind)
{
    if (t->ncols == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        sq_column *c = realloc(t->cols, cap * sizeof *c);
        if (!c)
            return -1;
        t->cols = c;
        t->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    t->cols[t->ncols++] = (sq_column){copy, kind, 0};
    return 0;
}

static void table_free(sq_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i].name);
    free(t->cols);
    free(t->name);
    free(t);
}

/* Loads t's columns from the database; t->exists tells whether it has any
 * (a table always has at least one). */
static int table_load(sqlite3 *db, sq_table *t)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info(?1, 'main')", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        if (column_push(t, name ? name : "", sq_type_kind(type)) < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rc;
    t->exists = t->ncols > 0;
    return SQLITE_OK;
}

sq_table *sq_schema_table(sq_schema *sc, const char *name)
{
    for (size_t i = 0; i < sc->ntables; i++)
        if (sqlite3_stricmp(sc->tables[i]->name, name) == 0)
            return sc->tables[i];
    if (sc->ntables == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 8;
        sq_table **p = realloc(sc->tables, cap * sizeof *p);
        if (!p)
            return NULL;
        sc->tables = p;
        sc->cap = cap;
    }
    sq_table *t = calloc(1, sizeof *t);
    if (!t || !(t->name = strdup(name)) || table_load(sc->db, t) != SQLITE_OK) {
        table_free(t);
        return NULL;
    }
    sc->tables[sc->ntables++] = t;
    return t;
}

long sq_table_column(const sq_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (sqlite3_stricmp(t->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Appends `"name" TYPE` to b. */
static void column_def(sq_str *b, const char *name, int kind)
{
    sq_str_ident(b, name);
    if (kind != SQ_NONE) {
        sq_str_put(b, " ", 1);
        sq_str_puts(b, sq_type_name(kind));
    }
}

int sq_table_add(sq_schema *sc, sq_table *t, char *const *names, const int *kinds, size_t n)
{
    sq_str b = {0};
    int rc = SQLITE_OK;
    if (!t->exists) {
        sq_str_puts(&b, "CREATE TABLE ");
        sq_str_ident(&b, t->name);
        sq_str_put(&b, "(", 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                sq_str_put(&b, ", ", 2);
            column_def(&b, names[i], kinds[i]);
        }
        if (n == 0)
            sq_str_puts(&b, "\"_\""); /* a table needs a column: a record without fields */
        sq_str_put(&b, ")", 1);
        rc = b.failed ? SQLITE_NOMEM : sqlite3_exec(sc->db, b.p, NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            t->exists = 1;
            if (n == 0 && column_push(t, "_", SQ_NONE) < 0)
                rc = SQLITE_NOMEM;
        }
        for (size_t i = 0; i < n && rc == SQLITE_OK; i++)
            if (column_push(t, names[i], kinds[i]) < 0)
                rc = SQLITE_NOMEM;
    } else {
        for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
            b.len = 0;
            sq_str_puts(&b, "ALTER TABLE ");
            sq_str_ident(&b, t->name);
            sq_str_puts(&b, " ADD COLUMN ");
            column_def(&b, names[i], kinds[i]);
            rc = b.failed ? SQLITE_NOMEM : sqlite3_exec(sc->db, b.p, NULL, NULL, NULL);
            if (rc == SQLITE_OK && column_push(t, names[i], kinds[i]) < 0)
                rc = SQLITE_NOMEM;
        }
    }
    sq_str_free(&b);
    return rc;
}

void sq_schema_free(sq_schema *sc)
{
    for (size_t i = 0; i < sc->ntables; i++)
        table_free(sc->tables[i]);
    free(sc->tables);
    sc->tables = NULL;
    sc->ntables = sc->cap = 0;
}
