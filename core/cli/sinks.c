/* sinks.c -- record sinks for `lode run` (see sinks.h). */
#define _GNU_SOURCE /* fopencookie, realpath */
#include "sinks.h"

#include "lode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>


enum { K_JSONL, K_CSV, K_TSV, K_PLUGIN };

struct sink {
    int kind;
    FILE *fp;       /* where bytes go: out, or the temporary file */
    int fd;         /* the temporary file's descriptor, -1 for a stream */
    char *target;   /* final path, NULL for a stream */
    char *tmp;      /* temporary path */
    char *held;     /* CSV/TSV: the records, each followed by '\n' */
    size_t held_len, held_cap;
    long count;
    lode_engine *pe; /* K_PLUGIN: the engine and the plugin's sink */
    lode_sink *ps;
    char msg[512];   /* the last sink_record failure */
    int own_fp;      /* fp is a device or pipe opened here: closed at the end */
};

/* The temporary file's stream hooks (fopencookie). */
static ssize_t fd_write(void *cookie, const char *p, size_t n)
{
    int fd = *(int *)cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return done ? (ssize_t)done : -1;
        done += (size_t)w;
    }
    return (ssize_t)done;
}

static int fd_close(void *cookie)
{
    int *fd = cookie;
    /* Linux has closed the descriptor even when close says EINTR */
    int r = close(*fd) < 0 && errno != EINTR ? -1 : 0;
    *fd = -1;
    return r;
}


sink *sink_open_plugin(lode_engine *e, const char *name, const char *path, const char *label, char *err,
                       size_t errlen)
{
    sink *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        lode_engine_free(e);
        return NULL;
    }
    s->kind = K_PLUGIN;
    s->pe = e;
    if (lode_sink_open(e, name, path, label, &s->ps) != LODE_OK) {
        snprintf(err, errlen, "%s", lode_errmsg(e));
        lode_engine_free(e);
        free(s);
        return NULL;
    }
    return s;
}

const char *sink_error(const sink *s)
{
    return s->msg;
}

sink *sink_open(const char *path, const char *kind, FILE *out, char *err, size_t errlen)
{
    sink *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->kind = K_JSONL;
    s->fd = -1;
    if (!path || strcmp(path, "-") == 0) {
        s->fp = out;
        return s;
    }
    const char *dot = strrchr(path, '.');
    if (kind ? !strcmp(kind, "csv") : dot && strcasecmp(dot, ".csv") == 0)
        s->kind = K_CSV;
    else if (kind ? !strcmp(kind, "tsv") : dot && strcasecmp(dot, ".tsv") == 0)
        s->kind = K_TSV;
    /* An existing target that is not a regular file (/dev/null, a named
     * pipe) is written in place: renaming over it would replace the device
     * with a file. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: is a folder, not a file", path);
            free(s);
            return NULL;
        }
        if (!(s->fp = fopen(path, "w"))) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            free(s);
            return NULL;
        }
        s->own_fp = 1;
        return s;
    }
    struct stat lst;
    char *real = NULL;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && (real = realpath(path, NULL)) != NULL)
        path = real; /* a link to a file: replace the file, keep the link */
    size_t n = strlen(path);
    s->target = strdup(path);
    free(real);
    path = s->target ? s->target : path;
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
    /* Not fdopen: glibc's stdio gives up on a write that fails with EINTR
     * (a signal without SA_RESTART) and the records would be lost; these
     * hooks retry it, and short writes too. */
    cookie_io_functions_t io = {NULL, fd_write, NULL, fd_close};
    s->fd = fd;
    s->fp = fopencookie(&s->fd, "w", io);
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
    if (s->kind == K_PLUGIN) {
        if (lode_sink_write(s->ps, json, len) == LODE_OK)
            return 0;
        snprintf(s->msg, sizeof s->msg, "%s", lode_errmsg(s->pe));
        return -1;
    }
    if (s->kind == K_JSONL) {
        /* the stream's lock around the record and its newline: on
         * standard output a handler's print, in another worker, must not
         * land between them */
        flockfile(s->fp);
        int bad = fwrite(json, 1, len, s->fp) != len || putc_unlocked('\n', s->fp) == EOF;
        if (!bad && !s->target)
            bad = fflush(s->fp) == EOF; /* a stream: each record arrives whole */
        funlockfile(s->fp);
        return bad ? -1 : 0;
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

/* Records are split with lode_record_next (record.c), so numbers keep
 * exactly the text of the JSONL output (0.1 stays 0.1) and strings may hold
 * U+0000. */
typedef lode_field field;

/* Splits the object at [p, end) into fields; returns the count (at most max). */
static size_t split_record(const char *p, const char *end, field *f, size_t max)
{
    size_t n = 0, pos = 0;
    while (n < max && lode_record_next(p, (size_t)(end - p), &pos, &f[n]))
        n++;
    return n;
}

static size_t unescape(const char *s, size_t n, char *out)
{
    return lode_json_decode(s, n, out);
}

/* Column names: the union of keys in first-seen order (raw JSON text). */
typedef struct cols {
    field *v;
    size_t n, cap;
} cols;

static int col_index(const cols *c, const char *k, size_t kl)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].key_len == kl && memcmp(c->v[i].key, k, kl) == 0)
            return (int)i;
    return -1;
}

/* Splits a record into *f, growing it as needed; returns the count or
 * (size_t)-1 on OOM. */
static size_t split_all(const char *p, const char *end, field **f, size_t *cap)
{
    for (;;) {
        size_t n = split_record(p, end, *f, *cap);
        if (n < *cap)
            return n;
        field *g = realloc(*f, *cap * 2 * sizeof *g);
        if (!g)
            return (size_t)-1;
        *f = g;
        *cap *= 2;
    }
}

static int write_table(sink *s)
{
    cols c = {NULL, 0, 0};
    size_t fcap = 64;
    field *f = malloc(fcap * sizeof *f);
    char *scratch = malloc(s->held_len + 1);
    const char **cell = NULL;
    size_t *cell_len = NULL;
    int *cell_str = NULL;
    int rc = -1;
    if (!f || !scratch)
        goto out;
    char *end = s->held + s->held_len;
    for (char *p = s->held; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t nf = split_all(p, nl, &f, &fcap);
        if (nf == (size_t)-1)
            goto out;
        for (size_t i = 0; i < nf; i++) {
            if (col_index(&c, f[i].key, f[i].key_len) >= 0)
                continue;
            if (c.n == c.cap) {
                size_t cap = c.cap ? c.cap * 2 : 32;
                field *g = realloc(c.v, cap * sizeof *g);
                if (!g)
                    goto out;
                c.v = g;
                c.cap = cap;
            }
            c.v[c.n++] = f[i];
        }
        p = nl + 1;
    }
    char sep = s->kind == K_CSV ? ',' : '\t';
    const char *eol = s->kind == K_CSV ? "\r\n" : "\n";
    if (c.n) {
        cell = malloc(c.n * sizeof *cell);
        cell_len = malloc(c.n * sizeof *cell_len);
        cell_str = malloc(c.n * sizeof *cell_str);
        if (!cell || !cell_len || !cell_str)
            goto out;
        for (size_t i = 0; i < c.n; i++) {
            if (i)
                fputc(sep, s->fp);
            put_field(s->fp, s->kind, scratch, unescape(c.v[i].key, c.v[i].key_len, scratch));
        }
        fputs(eol, s->fp);
        for (char *p = s->held; p < end;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t nf = split_record(p, nl, f, fcap); /* fcap fits every record (first pass) */
            for (size_t i = 0; i < c.n; i++)
                cell[i] = NULL;
            for (size_t i = 0; i < nf; i++) {
                int k = col_index(&c, f[i].key, f[i].key_len);
                cell[k] = f[i].value;
                cell_len[k] = f[i].value_len;
                cell_str[k] = f[i].type == LODE_JSON_STRING;
            }
            for (size_t i = 0; i < c.n; i++) {
                if (i)
                    fputc(sep, s->fp);
                if (!cell[i] || (cell_len[i] == 4 && memcmp(cell[i], "null", 4) == 0))
                    continue; /* absent or null: empty cell */
                if (cell_str[i])
                    put_field(s->fp, s->kind, scratch, unescape(cell[i] + 1, cell_len[i] - 2, scratch));
                else
                    put_field(s->fp, s->kind, cell[i], cell_len[i]); /* numbers, booleans, nested JSON as written */
            }
            fputs(eol, s->fp);
            p = nl + 1;
        }
    }
    rc = 0;
out:
    free(cell);
    free(cell_len);
    free(cell_str);
    free(c.v);
    free(f);
    free(scratch);
    return rc;
}

int sink_close(sink *s, int commit, char *err, size_t errlen)
{
    int rc = 0;
    if (s->kind == K_PLUGIN) {
        if (lode_sink_close(s->ps, commit) != LODE_OK) {
            snprintf(err, errlen, "%s", lode_errmsg(s->pe));
            rc = -1;
        }
        lode_engine_free(s->pe);
        free(s);
        return rc;
    }
    if (commit && s->kind != K_JSONL && write_table(s) < 0) {
        snprintf(err, errlen, "%s: cannot write the table (out of memory)", s->target ? s->target : "output");
        rc = -1;
    }
    if (s->target) {
        int bad = fflush(s->fp) != 0 || ferror(s->fp);
        if (!bad) {
            int r;
            do
                r = fsync(s->fd);
            while (r < 0 && errno == EINTR);
            bad = r < 0;
        }
        int why = bad ? errno : 0;
        if (fclose(s->fp) != 0 && !bad) {
            bad = 1;
            why = errno;
        }
        if (commit && rc == 0 && !bad) {
            int r;
            do
                r = rename(s->tmp, s->target);
            while (r < 0 && errno == EINTR);
            bad = r < 0;
            why = errno;
        }
        if (commit && rc == 0 && !bad) {
            /* done */
        } else {
            if (commit && rc == 0) {
                snprintf(err, errlen, "%s: cannot write: %s", s->target, strerror(why ? why : EIO));
                rc = -1;
            }
            unlink(s->tmp);
        }
    } else if (s->own_fp) {
        int bad = fflush(s->fp) != 0 || ferror(s->fp);
        if (fclose(s->fp) != 0)
            bad = 1;
        if (bad && rc == 0) {
            snprintf(err, errlen, "cannot write the records: %s", strerror(errno));
            rc = -1;
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
