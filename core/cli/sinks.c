/* sinks.c -- record sinks for `lode run` (see sinks.h). */
#include "sinks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

enum { K_JSONL, K_CSV, K_TSV };

struct sink {
    int kind;
    FILE *fp;       /* where bytes go: out, or the temporary file */
    char *target;   /* final path, NULL for a stream */
    char *tmp;      /* temporary path */
    char *held;     /* CSV/TSV: the records, each followed by '\n' */
    size_t held_len, held_cap;
    long count;
};

sink *sink_open(const char *path, FILE *out, char *err, size_t errlen)
{
    sink *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->kind = K_JSONL;
    if (!path || strcmp(path, "-") == 0) {
        s->fp = out;
        return s;
    }
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".csv") == 0)
        s->kind = K_CSV;
    else if (dot && strcasecmp(dot, ".tsv") == 0)
        s->kind = K_TSV;
    size_t n = strlen(path);
    s->target = strdup(path);
    s->tmp = malloc(n + 16);
    if (!s->target || !s->tmp) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    snprintf(s->tmp, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(s->tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file: %s", path, strerror(errno));
        free(s->tmp);
        s->tmp = NULL;
        goto fail;
    }
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) < 0) { /* mkstemp makes 0600 */
    }
    s->fp = fdopen(fd, "w");
    if (!s->fp) {
        close(fd);
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    return s;
fail:
    if (s->tmp)
        unlink(s->tmp);
    free(s->tmp);
    free(s->target);
    free(s);
    return NULL;
}

int sink_record(sink *s, const char *json, size_t len)
{
    s->count++;
    if (s->kind == K_JSONL) {
        if (fwrite(json, 1, len, s->fp) != len || fputc('\n', s->fp) == EOF)
            return -1;
        if (!s->target)
            fflush(s->fp); /* a stream: each record arrives whole */
        return 0;
    }
    if (s->held_len + len + 1 > s->held_cap) {
        size_t cap = s->held_cap ? s->held_cap : 65536;
        while (cap < s->held_len + len + 1)
            cap *= 2;
        char *g = realloc(s->held, cap);
        if (!g)
            return -1;
        s->held = g;
        s->held_cap = cap;
    }
    memcpy(s->held + s->held_len, json, len);
    s->held[s->held_len + len] = '\n';
    s->held_len += len + 1;
    return 0;
}

long sink_count(const sink *s)
{
    return s->count;
}

/* Writes one CSV field (RFC 4180: quoted when needed, quotes doubled) or
 * TSV field (backslash escapes for tab, newline, carriage return, backslash). */
static void put_field(FILE *fp, int kind, const char *v, size_t n)
{
    if (kind == K_TSV) {
        for (size_t i = 0; i < n; i++) {
            switch (v[i]) {
            case '\t': fputs("\\t", fp); break;
            case '\n': fputs("\\n", fp); break;
            case '\r': fputs("\\r", fp); break;
            case '\\': fputs("\\\\", fp); break;
            default: fputc(v[i], fp);
            }
        }
        return;
    }
    int quote = n > 0 && (v[0] == ' ' || v[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        if (v[i] == ',' || v[i] == '"' || v[i] == '\n' || v[i] == '\r')
            quote = 1;
    if (!quote) {
        fwrite(v, 1, n, fp);
        return;
    }
    fputc('"', fp);
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '"')
            fputc('"', fp);
        fputc(v[i], fp);
    }
    fputc('"', fp);
}

/* The text of a JSON value in a cell: strings as they are, null empty,
 * everything else as compact JSON. */
static void put_value(FILE *fp, int kind, json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (json_is_string(v)) {
        put_field(fp, kind, json_string_value(v), json_string_length(v));
        return;
    }
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (t) {
        put_field(fp, kind, t, strlen(t));
        free(t);
    }
}

static int write_table(sink *s)
{
    /* columns: the union of keys in first-seen order */
    json_t *cols = json_array(), *seen = json_object();
    json_t **rows = calloc((size_t)s->count + 1, sizeof *rows);
    long nrows = 0;
    int rc = cols && seen && rows ? 0 : -1;
    for (char *p = s->held, *end = s->held + s->held_len; rc == 0 && p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        json_t *o = json_loadb(p, (size_t)(nl - p), 0, NULL);
        if (!o) {
            rc = -1;
            break;
        }
        rows[nrows++] = o;
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            (void)v;
            if (!json_object_get(seen, k)) {
                json_object_set_new(seen, k, json_true());
                json_array_append_new(cols, json_string(k));
            }
        }
        p = nl + 1;
    }
    char sep = s->kind == K_CSV ? ',' : '\t';
    const char *eol = s->kind == K_CSV ? "\r\n" : "\n";
    size_t ncols = rc == 0 ? json_array_size(cols) : 0;
    if (rc == 0 && ncols) {
        for (size_t c = 0; c < ncols; c++) {
            if (c)
                fputc(sep, s->fp);
            json_t *name = json_array_get(cols, c);
            put_field(s->fp, s->kind, json_string_value(name), json_string_length(name));
        }
        fputs(eol, s->fp);
        for (long r = 0; r < nrows; r++) {
            for (size_t c = 0; c < ncols; c++) {
                if (c)
                    fputc(sep, s->fp);
                put_value(s->fp, s->kind, json_object_get(rows[r], json_string_value(json_array_get(cols, c))));
            }
            fputs(eol, s->fp);
        }
    }
    for (long r = 0; r < nrows; r++)
        json_decref(rows[r]);
    free(rows);
    json_decref(cols);
    json_decref(seen);
    return rc;
}

int sink_close(sink *s, int commit, char *err, size_t errlen)
{
    int rc = 0;
    if (commit && s->kind != K_JSONL && write_table(s) < 0) {
        snprintf(err, errlen, "%s: cannot write the table (out of memory)", s->target ? s->target : "output");
        rc = -1;
    }
    if (s->target) {
        int bad = fflush(s->fp) != 0 || ferror(s->fp) || fsync(fileno(s->fp)) != 0;
        if (fclose(s->fp) != 0)
            bad = 1;
        if (commit && rc == 0 && !bad && rename(s->tmp, s->target) == 0) {
            /* done */
        } else {
            if (commit && rc == 0) {
                snprintf(err, errlen, "%s: cannot write: %s", s->target, strerror(errno));
                rc = -1;
            }
            unlink(s->tmp);
        }
    } else if (fflush(s->fp) != 0) {
        snprintf(err, errlen, "cannot write to standard output");
        rc = -1;
    }
    free(s->target);
    free(s->tmp);
    free(s->held);
    free(s);
    return rc;
}
