/* insert.c -- one record into its table: the record's fields are walked
 * with lode's record_next, its "shape" (table and keys) picks a cached
 * prepared INSERT (created with the table's missing columns on first
 * sight), and each value is bound with its own type. */
#include "sqlite_sink.h"

#include <stdlib.h>
#include <string.h>

/* What a field of a shape does (sq_shape.slot); bind positions are >= 1. */
enum {
    SLOT_TABLE = 0,  /* the _table field: names the table, not stored */
    SLOT_NULL = -1,  /* null and no column yet: nothing to store (NULL is the default) */
    SLOT_DROP = -2   /* its column is taken by an earlier key of the record */
};

/* Shapes kept at most; past this the cache is emptied (records whose keys
 * change all the time would otherwise keep a statement each). */
#define SHAPES_MAX 4096

/* Records per shape's table and keys (in order), with the statement that
 * inserts them. */
struct sq_shape {
    sq_shape *next; /* hash chain */
    uint64_t hash;
    char *sig; /* the signature: table part and raw keys */
    size_t sig_len;
    sq_table *t;
    size_t nfields;
    int *slot;  /* per field: bind position or SLOT_* */
    long *col;  /* per field: column index in t, or -1 */
    sqlite3_stmt *stmt;
};

static uint64_t fnv64(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

static void shape_free(sq_shape *sh)
{
    if (!sh)
        return;
    sqlite3_finalize(sh->stmt);
    free(sh->sig);
    free(sh->slot);
    free(sh->col);
    free(sh);
}

static void shapes_clear(sq_inserter *in)
{
    for (size_t i = 0; i < in->nbuckets; i++) {
        for (sq_shape *sh = in->buckets[i], *next; sh; sh = next) {
            next = sh->next;
            shape_free(sh);
        }
        in->buckets[i] = NULL;
    }
    in->nshapes = 0;
    in->last = NULL;
}

static void shape_unlink(sq_inserter *in, sq_shape *sh)
{
    sq_shape **pp = &in->buckets[sh->hash & (in->nbuckets - 1)];
    while (*pp != sh)
        pp = &(*pp)->next;
    *pp = sh->next;
    in->nshapes--;
    if (in->last == sh)
        in->last = NULL;
    shape_free(sh);
}

static int shape_insert(sq_inserter *in, sq_shape *sh)
{
    if (in->nshapes >= SHAPES_MAX)
        shapes_clear(in);
    if (in->nshapes >= in->nbuckets) {
        size_t nb = in->nbuckets ? in->nbuckets * 2 : 64;
        sq_shape **b = calloc(nb, sizeof *b);
        if (!b)
            return -1;
        for (size_t i = 0; i < in->nbuckets; i++)
            for (sq_shape *s = in->buckets[i], *next; s; s = next) {
                next = s->next;
                s->next = b[s->hash & (nb - 1)];
                b[s->hash & (nb - 1)] = s;
            }
        free(in->buckets);
        in->buckets = b;
        in->nbuckets = nb;
    }
    sh->next = in->buckets[sh->hash & (in->nbuckets - 1)];
    in->buckets[sh->hash & (in->nbuckets - 1)] = sh;
    in->nshapes++;
    return 0;
}

/* A JSON number: SQ_INTEGER with *iv when it is an integer that fits in 64
 * bits, else SQ_REAL with *dv. */
static int number_parse(const char *v, size_t n, sqlite3_int64 *iv, double *dv)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && v[i] == '-') {
        neg = 1;
        i++;
    }
    uint64_t u = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    int digits = 0, fits = 1;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
        unsigned d = (unsigned)(v[i] - '0');
        if (u > (limit - d) / 10)
            fits = 0;
        else
            u = u * 10 + d;
    }
    if (i == n && digits > 0 && fits) {
        *iv = neg ? (u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(sqlite3_int64)u) : (sqlite3_int64)u;
        return SQ_INTEGER;
    }
    char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf) {
        *dv = 0;
        return SQ_REAL;
    }
    memcpy(buf, v, n);
    buf[n] = '\0';
    *dv = strtod(buf, NULL); /* HUGE_VAL past the range of a double */
    if (buf != small)
        free(buf);
    return SQ_REAL;
}

/* The declared kind a value gives a new column (SQ_NONE for null). */
static int value_kind(const lode_field *f)
{
    sqlite3_int64 iv;
    double dv;
    switch (f->type) {
    case LODE_JSON_BOOL:
        return SQ_INTEGER;
    case LODE_JSON_NUMBER:
        return number_parse(f->value, f->value_len, &iv, &dv);
    case LODE_JSON_STRING:
        return SQ_TEXT;
    case LODE_JSON_ARRAY:
    case LODE_JSON_OBJECT:
        return SQ_JSON;
    default:
        return SQ_NONE;
    }
}

/* Decodes a JSON string body into a new cleaned name. */
static char *field_name(const char *body, size_t n, int is_table, const char *fallback)
{
    char *tmp = malloc(n + 1);
    if (!tmp)
        return NULL;
    size_t dn = sq_api->json_decode(body, n, tmp);
    char *name = sq_name_clean(tmp, dn, is_table, fallback);
    free(tmp);
    return name;
}

/* Builds the shape of the current record (in->fields[0..n), _table at
 * field tf or -1): finds or creates its table and missing columns and
 * prepares its INSERT.  NULL with e's error set and *status on failure. */
static sq_shape *shape_make(sq_inserter *in, size_t n, long tf, uint64_t hash, int *status)
{
    lode_engine *e = in->e;
    sq_shape *sh = calloc(1, sizeof *sh);
    char **names = calloc(n + 1, sizeof *names), **newn = calloc(n + 1, sizeof *newn);
    int *newk = calloc(n + 1, sizeof *newk);
    char *tname = NULL;
    sq_str sql = {0};
    size_t nnew = 0;
    int rc = SQLITE_NOMEM;
    if (!sh || !names || !newn || !newk || !(sh->slot = calloc(n + 1, sizeof *sh->slot)) ||
        !(sh->col = calloc(n + 1, sizeof *sh->col)) || !(sh->sig = malloc(in->sig.len + 1)))
        goto fail;
    memcpy(sh->sig, in->sig.p, in->sig.len);
    sh->sig_len = in->sig.len;
    sh->hash = hash;
    sh->nfields = n;
    const lode_field *tfield = tf >= 0 ? &in->fields[tf] : NULL;
    tname = tfield ? field_name(tfield->value + 1, tfield->value_len - 2, 1, in->label)
                   : sq_name_clean(in->label, strlen(in->label), 1, in->label);
    if (!tname)
        goto fail;
    sq_table *t = sq_schema_table(&in->sc, tname);
    if (!t) {
        rc = sqlite3_errcode(in->sc.db);
        goto fail;
    }
    sh->t = t;
    /* map every field to a column: known, new, or none */
    size_t base = t->ncols;
    for (size_t i = 0; i < n; i++) {
        const lode_field *f = &in->fields[i];
        sh->col[i] = -1;
        if ((long)i == tf) {
            sh->slot[i] = SLOT_TABLE;
            continue;
        }
        if (!(names[i] = field_name(f->key, f->key_len, 0, NULL)))
            goto fail;
        long c = sq_table_column(t, names[i]);
        for (size_t j = 0; c < 0 && j < nnew; j++)
            if (sqlite3_stricmp(newn[j], names[i]) == 0)
                c = (long)(base + j);
        if (c < 0) {
            int k = value_kind(f);
            if (k == SQ_NONE) {
                sh->slot[i] = SLOT_NULL;
                continue;
            }
            newn[nnew] = names[i];
            newk[nnew] = k;
            c = (long)(base + nnew++);
        }
        sh->col[i] = c;
        sh->slot[i] = 1;
        for (size_t j = 0; j < i; j++)
            if (sh->col[j] == c) {
                sh->slot[i] = SLOT_DROP;
                sh->col[i] = -1;
                sq_api->warn(e, "%s: table %s: keys '%s' and '%s' name the same column (SQLite's names ignore "
                                "ASCII case): the value of '%s' is not stored",
                             in->path, t->name, names[j], names[i], names[i]);
                break;
            }
    }
    if ((nnew > 0 || !t->exists) && (rc = sq_table_add(&in->sc, t, newn, newk, nnew)) != SQLITE_OK)
        goto fail;
    /* INSERT INTO "t"("a", "b") VALUES(?1, ?2) */
    sq_str_puts(&sql, "INSERT INTO ");
    sq_str_ident(&sql, t->name);
    int nb = 0;
    for (size_t i = 0; i < n; i++) {
        if (sh->slot[i] < 1)
            continue;
        sh->slot[i] = ++nb;
        sq_str_puts(&sql, nb == 1 ? "(" : ", ");
        sq_str_ident(&sql, t->cols[sh->col[i]].name);
    }
    if (nb == 0) {
        sq_str_puts(&sql, " DEFAULT VALUES");
    } else {
        sq_str_puts(&sql, ") VALUES(");
        for (int i = 1; i <= nb; i++)
            sq_str_puts(&sql, i == 1 ? "?" : ", ?");
        sq_str_puts(&sql, ")");
    }
    rc = sql.failed ? SQLITE_NOMEM
                    : sqlite3_prepare_v3(in->sc.db, sql.p, (int)sql.len, SQLITE_PREPARE_PERSISTENT, &sh->stmt, NULL);
    if (rc != SQLITE_OK || shape_insert(in, sh) < 0)
        goto fail;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(newn);
    free(newk);
    free(tname);
    sq_str_free(&sql);
    return sh;
fail:
    if (rc == SQLITE_OK)
        rc = SQLITE_NOMEM;
    *status = sq_fail(e, in->sc.db, rc, in->path, "cannot prepare a table for a record");
    if (names)
        for (size_t i = 0; i < n; i++)
            free(names[i]);
    free(names);
    free(newn);
    free(newk);
    free(tname);
    sq_str_free(&sql);
    shape_free(sh);
    return NULL;
}

/* Reports once per column a value whose type differs from the column's
 * declared one: SQLite's column affinity may convert it (README.md). */
static void kind_check(sq_inserter *in, sq_shape *sh, size_t i, int vk)
{
    sq_column *c = &sh->t->cols[sh->col[i]];
    int numeric = (vk == SQ_INTEGER || vk == SQ_REAL) && (c->kind == SQ_INTEGER || c->kind == SQ_REAL);
    if (c->warned || c->kind == SQ_NONE || vk == SQ_NONE || vk == c->kind || numeric)
        return;
    c->warned = 1;
    static const char *const what[] = {"null", "an integer", "a real", "a string", "a JSON array or object"};
    sq_api->warn(in->e, "%s: table %s: column '%s' is %s (its first value) but got %s: SQLite's type affinity "
                        "may convert such values",
                 in->path, sh->t->name, c->name, sq_type_name(c->kind), what[vk]);
}

/* Binds the record's values to sh's statement.  Returns 1 when done, 0 when
 * a field without a column (null so far) has a value: the shape is then
 * stale and must be made again; -1 on an SQLite error. */
static int bind_all(sq_inserter *in, sq_shape *sh)
{
    sqlite3_stmt *st = sh->stmt;
    size_t used = 0;
    for (size_t i = 0; i < sh->nfields; i++) {
        int p = sh->slot[i];
        const lode_field *f = &in->fields[i];
        if (p == SLOT_NULL && f->type != LODE_JSON_NULL)
            return 0;
        if (p < 1)
            continue;
        int rc;
        sqlite3_int64 iv;
        double dv;
        int vk = SQ_NONE;
        switch (f->type) {
        case LODE_JSON_NULL:
            rc = sqlite3_bind_null(st, p);
            break;
        case LODE_JSON_BOOL:
            vk = SQ_INTEGER;
            rc = sqlite3_bind_int(st, p, f->value[0] == 't');
            break;
        case LODE_JSON_NUMBER:
            vk = number_parse(f->value, f->value_len, &iv, &dv);
            rc = vk == SQ_INTEGER ? sqlite3_bind_int64(st, p, iv) : sqlite3_bind_double(st, p, dv);
            break;
        case LODE_JSON_STRING: {
            vk = SQ_TEXT;
            char *out = in->scratch + used;
            size_t dn = sq_api->json_decode(f->value + 1, f->value_len - 2, out);
            used += dn;
            rc = sqlite3_bind_text64(st, p, out, dn, SQLITE_STATIC, SQLITE_UTF8);
            break;
        }
        default: /* array or object: its JSON text, as the record has it */
            vk = SQ_JSON;
            rc = sqlite3_bind_text64(st, p, f->value, f->value_len, SQLITE_STATIC, SQLITE_UTF8);
            break;
        }
        if (rc != SQLITE_OK)
            return -1;
        kind_check(in, sh, i, vk);
    }
    return 1;
}

int sq_insert(sq_inserter *in, const char *json, size_t len)
{
    lode_engine *e = in->e;
    size_t k = 0;
    while (k < len && (json[k] == ' ' || json[k] == '\t' || json[k] == '\r' || json[k] == '\n'))
        k++;
    if (k == len || json[k] != '{')
        return sq_api->error(e, LODE_EPARSE, "%s: record %lld is not a JSON object", in->path, in->records + 1);
    /* the fields, and the _table field if any */
    size_t pos = 0, n = 0;
    long tf = -1;
    lode_field f;
    while (sq_api->record_next(json, len, &pos, &f)) {
        if (n == in->fields_cap) {
            size_t cap = in->fields_cap ? in->fields_cap * 2 : 32;
            lode_field *p = realloc(in->fields, cap * sizeof *p);
            if (!p)
                return sq_api->error(e, LODE_ENOMEM, "%s: out of memory", in->path);
            in->fields = p;
            in->fields_cap = cap;
        }
        if (f.key_len == 6 && memcmp(f.key, "_table", 6) == 0) {
            if (f.type != LODE_JSON_STRING)
                return sq_api->error(e, LODE_EPARSE, "%s: record %lld: _table must be a string (a table name)",
                                     in->path, in->records + 1);
            tf = (long)n;
        }
        in->fields[n++] = f;
    }
    if (len + 1 > in->scratch_cap) {
        size_t cap = in->scratch_cap ? in->scratch_cap : 4096;
        while (cap < len + 1)
            cap *= 2;
        char *p = realloc(in->scratch, cap);
        if (!p)
            return sq_api->error(e, LODE_ENOMEM, "%s: out of memory", in->path);
        in->scratch = p;
        in->scratch_cap = cap;
    }
    /* the signature: table part, then each raw key, NUL-separated (a JSON
     * string body holds no raw NUL) */
    sq_str *sig = &in->sig;
    sig->len = 0;
    if (tf >= 0) {
        sq_str_put(sig, "T", 1);
        sq_str_put(sig, in->fields[tf].value, in->fields[tf].value_len);
    } else {
        sq_str_put(sig, "L", 1);
    }
    for (size_t i = 0; i < n; i++) {
        sq_str_put(sig, "", 1);
        sq_str_put(sig, in->fields[i].key, in->fields[i].key_len);
    }
    if (sig->failed)
        return sq_api->error(e, LODE_ENOMEM, "%s: out of memory", in->path);
    uint64_t hash = fnv64(sig->p, sig->len);
    sq_shape *sh = in->last;
    if (!sh || sh->hash != hash || sh->sig_len != sig->len || memcmp(sh->sig, sig->p, sig->len) != 0) {
        sh = NULL;
        if (in->nbuckets)
            for (sq_shape *s = in->buckets[hash & (in->nbuckets - 1)]; s; s = s->next)
                if (s->hash == hash && s->sig_len == sig->len && memcmp(s->sig, sig->p, sig->len) == 0) {
                    sh = s;
                    break;
                }
        int status;
        if (!sh && !(sh = shape_make(in, n, tf, hash, &status)))
            return status;
    }
    int b;
    while ((b = bind_all(in, sh)) == 0) {
        /* a field that was null so far has a value: its column is made now */
        shape_unlink(in, sh);
        int status;
        if (!(sh = shape_make(in, n, tf, hash, &status)))
            return status;
    }
    int rc = b < 0 ? sqlite3_errcode(in->sc.db) : sqlite3_step(sh->stmt);
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_reset(sh->stmt);
    if (rc != SQLITE_OK)
        return sq_fail(e, in->sc.db, rc, in->path, "cannot insert a record");
    in->last = sh;
    in->records++;
    return LODE_OK;
}

void sq_inserter_free(sq_inserter *in)
{
    shapes_clear(in);
    free(in->buckets);
    in->buckets = NULL;
    in->nbuckets = 0;
    sq_schema_free(&in->sc);
    free(in->fields);
    free(in->scratch);
    sq_str_free(&in->sig);
    in->fields = NULL;
    in->scratch = NULL;
    in->fields_cap = in->scratch_cap = 0;
}
