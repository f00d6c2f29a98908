/* inputs.c -- collecting input documents (see inputs.h).
 *
 * Files are listed when added: folders are walked at once (sorted, hidden
 * entries skipped, at most 64 levels deep so a symlink loop ends), globs and
 * the shard filter are applied then, so inputs_count is the number of
 * documents the run will see.  JSON Lines files are only listed; their
 * lines are read by inputs_next, one item a line, through zlib (gzread
 * passes plain files through unchanged).
 *
 * Globs (fnmatch(3), flags 0): a pattern with a '/' is matched against the
 * whole relative path, and its '*' also matches '/' (so the pattern
 * news/STAR.xml, STAR being '*', takes every .xml file at any depth below
 * news/); a pattern without '/' is matched against the base name.  "**" is
 * not special.  An item is kept if it matches some --include (or there is
 * none) and no --exclude.  Globs apply to files found in folders and to
 * files listed by --files-from, not to files named on the command line.
 *
 * Shard keys: a file's relative path (rel); a JSON Lines document's id (a
 * string's bytes, an integer's JSON text); a JSON Lines line that fails
 * before its id is known, "FILE:LINE" -- so each failed line is reported by
 * exactly one shard. */
#include "inputs.h"
#include "harden.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/tree.h>
#include <zlib.h>

#include "buf.h"
#include "lua_json.h"
#include "split.h"

#define MAX_DEPTH 64                          /* folder levels walked */
#ifndef INPUTS_MAX_LINE /* (tests set a small one) */
#define INPUTS_MAX_LINE ((size_t)256 << 20)
#endif
#define MAX_LINE ((size_t)(INPUTS_MAX_LINE)) /* bytes in one JSON Lines line */
#define CHUNK 65536                           /* bytes per gzread */

const char *const inputs_folder_ext[] = {".xml", ".xhtml", ".html", ".htm", ".txt", ".text", ".json",
                                        ".tei", ".jats", ".dbk", NULL};
static const char *const jsonl_ext[] = {".jsonl", ".ndjson", NULL};

/* The allocator of the buf used to write meta JSON: the C library's. */
static const mem sys_mem = {mem_default_alloc, NULL};

/* The reader of the JSON Lines file being read (inputs.gz points to it). */
typedef struct jl_reader {
    gzFile gz;
    char *name;            /* for messages: the path, or "<stdin>" (owned) */
    unsigned char chunk[CHUNK];
    size_t pos, end;       /* unread bytes of chunk */
    int eof;               /* no more bytes (end of file or error) */
    char *error;           /* a read error, handed out as the next item */
    uint64_t pending;      /* bytes of skipped lines, counted into the next item */
} jl_reader;

/* ---- small helpers ------------------------------------------------------- */

/* A new string: printf-style; NULL on OOM. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Does name end in one of exts, or in one of them plus ".gz"? */
static int has_ext(const char *name, const char *const *exts)
{
    size_t n = strlen(name);
    if (n > 3 && strcasecmp(name + n - 3, ".gz") == 0)
        n -= 3;
    for (const char *const *e = exts; *e; e++) {
        size_t el = strlen(*e);
        if (n > el && strncasecmp(name + n - el, *e, el) == 0)
            return 1;
    }
    return 0;
}

static int glob_match(const char *pat, const char *rel)
{
    return fnmatch(pat, strchr(pat, '/') ? rel : base_name(rel), 0) == 0;
}

/* Do the --include/--exclude globs keep rel? */
static int wanted(const inputs *in, const char *rel)
{
    if (in->include && in->include[0]) {
        int any = 0;
        for (const char **p = in->include; *p && !any; p++)
            any = glob_match(*p, rel);
        if (!any)
            return 0;
    }
    for (const char **p = in->exclude; p && *p; p++)
        if (glob_match(*p, rel))
            return 0;
    return 1;
}

unsigned inputs_shard_of(const char *key, size_t len, unsigned nshards)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 0x100000001b3ULL; /* FNV prime */
    }
    return nshards ? (unsigned)(h % nshards) : 0;
}

static int in_shard(const inputs *in, const char *key, size_t len)
{
    return !in->nshards || inputs_shard_of(key, len, in->nshards) == in->shard;
}

/* ---- the list ------------------------------------------------------------ */

/* Appends an entry (copies of path, rel and error) unless the shard filter
 * drops it; a JSON Lines file is never dropped whole (its lines are sharded
 * one by one).  0, or -1 with errno ENOMEM. */
static int push(inputs *in, const char *path, const char *rel, uint64_t size, int jsonl, const char *error)
{
    if (!jsonl && !in->split && !in_shard(in, rel, strlen(rel)))
        return 0;
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 64;
        input *v = realloc(in->v, cap * sizeof *v);
        if (!v) {
            errno = ENOMEM;
            return -1;
        }
        in->v = v;
        in->cap = cap;
    }
    input *it = &in->v[in->n];
    it->path = strdup(path);
    it->rel = strdup(rel);
    it->error = error ? strdup(error) : NULL;
    it->size = size;
    it->jsonl = jsonl;
    it->list = 0;
    it->split = in->split != NULL && !jsonl && !error;
    if (!it->path || !it->rel || (error && !it->error)) {
        free(it->path);
        free(it->rel);
        free(it->error);
        errno = ENOMEM;
        return -1;
    }
    in->n++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks dir (rel: its path below the argument folder) in sorted order,
 * adding the files with a known extension that the globs keep.  A subfolder
 * that cannot be read is skipped, as are entries that vanish meanwhile.
 * 0, or -1 with errno set (dir unreadable, or out of memory). */
static int walk(inputs *in, const char *dir, const char *rel, int depth)
{
    if (depth > MAX_DEPTH)
        return 0; /* a symlink loop or an absurd tree: stop descending */
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden entries, . and .. */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **g = realloc(names, cap * sizeof *g);
            if (!g) {
                rc = -1;
                break;
            }
            names = g;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    const char *const *exts = in->jsonl ? jsonl_ext : inputs_folder_ext;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = str_printf("%s/%s", dir, names[i]);
        char *r = str_printf("%s%s%s", rel, *rel ? "/" : "", names[i]);
        struct stat st;
        if (!path || !r) {
            rc = -1;
        } else if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                if (walk(in, path, r, depth + 1) < 0 && errno == ENOMEM)
                    rc = -1;
            } else if (S_ISREG(st.st_mode) &&
                       (has_ext(names[i], exts) ||
                        (!in->jsonl && in->include && in->accept_file &&
                         in->accept_file(in->accept_ud, names[i]))) &&
                       wanted(in, r)) {
                rc = push(in, path, r, (uint64_t)st.st_size, in->jsonl, NULL);
            }
        }
        free(path);
        free(r);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc < 0)
        errno = ENOMEM;
    return rc;
}

/* Adds a folder: its files, relative to it. */
static int add_folder(inputs *in, const char *arg)
{
    char *dir = strdup(arg);
    if (!dir)
        return -1;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        dir[--n] = '\0';
    int rc = walk(in, dir, "", 0);
    free(dir);
    return rc;
}

int inputs_add(inputs *in, const char *arg)
{
    if (strcmp(arg, "-") == 0)
        return push(in, "-", "stdin", 0, in->jsonl, NULL);
    struct stat st;
    if (stat(arg, &st) < 0)
        return -1;
    if (S_ISDIR(st.st_mode))
        return add_folder(in, arg);
    return push(in, arg, base_name(arg), S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, in->jsonl, NULL);
}

/* The relative path of a listed path: no leading '/', no "." or empty
 * segments, ".." segments replaced by "__", so that --write DIR/rel stays
 * inside DIR.  A new string, or NULL on OOM. */
static char *list_rel(const char *path)
{
    size_t n = strlen(path);
    char *r = malloc(n + 2);
    if (!r)
        return NULL;
    size_t o = 0;
    const char *p = path;
    while (*p) {
        size_t seg = strcspn(p, "/");
        if (seg == 0 || (seg == 1 && p[0] == '.')) {
            /* empty or "." */
        } else {
            if (o)
                r[o++] = '/';
            if (seg == 2 && p[0] == '.' && p[1] == '.') {
                r[o++] = '_';
                r[o++] = '_';
            } else {
                memcpy(r + o, p, seg);
                o += seg;
            }
        }
        p += seg;
        if (*p == '/')
            p++;
    }
    if (o == 0)
        r[o++] = '_';
    r[o] = '\0';
    return r;
}

/* Adds one listed path: a folder is walked as on the command line; a file
 * is kept if the globs keep it; a path that cannot be read becomes an entry
 * carrying its error, so the run reports it in its place.  "-" in a list is
 * the file named "-", not standard input. */
static int add_listed(inputs *in, const char *path)
{
    char *rel = list_rel(path);
    if (!rel)
        return -1;
    const char *p = strcmp(path, "-") == 0 ? "./-" : path;
    struct stat st;
    int rc = 0;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
        rc = add_folder(in, p);
    } else if (wanted(in, rel)) {
        char *err = NULL;
        int ok = stat(p, &st) == 0;
        if (!ok && !(err = str_printf("%s: %s", path, strerror(errno)))) {
            free(rel);
            errno = ENOMEM;
            return -1;
        }
        /* A failed entry is a document that failed, not a file to read. */
        rc = push(in, p, rel, ok && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, ok ? in->jsonl : 0, err);
        free(err);
    }
    free(rel);
    return rc;
}

/* Counts the non-blank lines of the list file at path (an estimate of its
 * documents, for progress). */
static size_t count_lines(FILE *fp)
{
    size_t n = 0;
    int c, blank = 1;
    while ((c = getc(fp)) != EOF) {
        if (c == '\n') {
            n += !blank;
            blank = 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            blank = 0;
        }
    }
    return n + !blank;
}

int inputs_add_list(inputs *in, const char *list)
{
    int is_stdin = strcmp(list, "-") == 0;
    if (!is_stdin) {
        FILE *fp = fopen(list, "r");
        if (!fp)
            return -1;
        struct stat st;
        if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
            in->listed += count_lines(fp);
        fclose(fp);
    }
    in->inexact = 1;
    size_t before = in->n;
    /* pushed as is: a list is never sharded or globbed itself */
    unsigned ns = in->nshards;
    in->nshards = 0;
    int rc = push(in, list, "-", 0, 0, NULL);
    in->nshards = ns;
    if (rc == 0 && in->n > before)
        in->v[in->n - 1].list = 1;
    return rc;
}

/* Reads the next non-blank line of the open list into the pending entries
 * (a listed folder gives all its files).  1: entries added (maybe none, when
 * globs or the shard drop them); 0: the list ended; -1 with errno. */
static int list_line(inputs *in)
{
    FILE *fp = in->listfp;
    ssize_t got;
    errno = 0;
    while ((got = getline(&in->listbuf, &in->listcap, fp)) >= 0) {
        char *line = in->listbuf;
        size_t n = (size_t)got;
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (strspn(line, " \t") == n)
            continue; /* blank (a NUL byte ends the path early: no file name holds one) */
        /* add_listed appends to in->v: point it at the pending entries */
        input *v = in->v;
        size_t vn = in->n, vcap = in->cap;
        in->v = in->pv;
        in->n = in->pn;
        in->cap = in->pcap;
        int rc = add_listed(in, line);
        in->pv = in->v;
        in->pn = in->n;
        in->pcap = in->cap;
        in->v = v;
        in->n = vn;
        in->cap = vcap;
        return rc < 0 ? -1 : 1;
    }
    int err = ferror(fp) ? (errno ? errno : EIO) : 0;
    if (fp != stdin)
        fclose(fp);
    in->listfp = NULL;
    errno = err;
    return err ? -1 : 0;
}

static void free_entries(input *v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        free(v[i].path);
        free(v[i].rel);
        free(v[i].error);
    }
}

size_t inputs_count(const inputs *in)
{
    size_t n = 0;
    for (size_t i = 0; i < in->n; i++)
        n += !in->v[i].jsonl && !in->v[i].list && !in->v[i].split;
    size_t listed = in->nshards ? (in->listed + in->nshards - 1) / in->nshards : in->listed;
    return n + listed;
}

int inputs_count_exact(const inputs *in)
{
    for (size_t i = 0; i < in->n; i++)
        if (in->v[i].jsonl || in->v[i].list || in->v[i].split)
            return 0;
    return 1;
}

uint64_t inputs_bytes(const inputs *in)
{
    uint64_t n = 0;
    for (size_t i = 0; i < in->n; i++)
        n += in->v[i].size;
    return n;
}

/* ---- JSON Lines ---------------------------------------------------------- */

static void reader_close(inputs *in)
{
    jl_reader *r = in->gz;
    if (!r)
        return;
    if (r->gz)
        gzclose(r->gz);
    free(r->error);
    free(r->name);
    free(r);
    in->gz = NULL;
}

/* Opens the JSON Lines file of entry e.  1: open; 0: it cannot be read (the
 * message in *err); -1: out of memory. */
static int reader_open(inputs *in, const input *e, char **err)
{
    *err = NULL;
    int is_stdin = strcmp(e->path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : e->path;
    int fd;
    if (is_stdin) {
        fd = dup(STDIN_FILENO); /* gzclose closes it, not standard input */
    } else {
        do
            fd = open(e->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        while (fd < 0 && errno == EINTR);
    }
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        *err = str_printf("%s: is a folder, not a JSON Lines file", name);
        return *err ? 0 : -1;
    }
    if (fd < 0) {
        *err = str_printf("%s: cannot open: %s", name, strerror(errno));
        return *err ? 0 : -1;
    }
    jl_reader *r = calloc(1, sizeof *r);
    char *copy = r ? strdup(name) : NULL;
    gzFile gz = copy ? gzdopen(fd, "rb") : NULL;
    if (!gz) {
        close(fd);
        free(copy);
        free(r);
        errno = ENOMEM;
        return -1;
    }
    r->gz = gz;
    r->name = copy;
    in->gz = r;
    in->line = 0;
    return 1;
}

/* zlib's message without the "<fd:N>: " it puts first for a descriptor. */
static const char *gz_message(gzFile gz, int *errnum)
{
    const char *msg = gzerror(gz, errnum);
    if (!msg)
        return "unknown error";
    if (strncmp(msg, "<fd:", 4) == 0) {
        const char *colon = strstr(msg, ">: ");
        if (colon)
            msg = colon + 3;
    }
    return *msg ? msg : "unknown error";
}

/* Refills the chunk.  Returns the bytes now available (0 at the end or on
 * an error, which is kept in r->error). */
static size_t refill(jl_reader *r)
{
    if (r->eof)
        return 0;
    int n = gzread(r->gz, r->chunk, CHUNK);
    if (n > 0) {
        r->pos = 0;
        r->end = (size_t)n;
        return (size_t)n;
    }
    r->eof = 1;
    int err = errno;
    int errnum = Z_OK;
    const char *msg = gz_message(r->gz, &errnum);
    if (errnum == Z_ERRNO)
        r->error = str_printf("%s: read failed: %s", r->name, strerror(err));
    else if (errnum == Z_MEM_ERROR)
        r->error = str_printf("%s: out of memory", r->name);
    else if (n < 0 || (errnum != Z_OK && errnum != Z_STREAM_END))
        r->error = str_printf("%s: corrupt gzip data: %s", r->name, msg);
    if ((n < 0 || errnum != Z_OK) && !r->error)
        r->error = strdup("out of memory"); /* the best we can say (may be NULL: then just the end) */
    return 0;
}

/* Reads the next line (without its '\n') into in->linebuf.  Returns 1 (a
 * line; *toolong set if it passed MAX_LINE, then only its start is kept), 0
 * at the end of the file (or on a read error, kept in r->error), -1 out of
 * memory. */
static int read_line(inputs *in, jl_reader *r, size_t *len, int *toolong)
{
    size_t n = 0;
    int any = 0;
    *toolong = 0;
    for (;;) {
        if (r->pos == r->end && !refill(r)) {
            if (r->error)
                return 0; /* a partial line before an error is dropped */
            break;
        }
        any = 1;
        unsigned char *start = r->chunk + r->pos;
        size_t avail = r->end - r->pos;
        unsigned char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        r->pos += take + (nl ? 1 : 0);
        r->pending += take + (nl ? 1 : 0);
        size_t keep = take;
        if (n + keep > MAX_LINE) {
            *toolong = 1;
            keep = MAX_LINE - n;
        }
        if (keep) {
            if (n + keep + 1 > in->linecap) {
                size_t cap = in->linecap ? in->linecap : 4096;
                while (cap < n + keep + 1)
                    cap *= 2;
                if (cap > MAX_LINE + 1)
                    cap = MAX_LINE + 1; /* enough: n + keep <= MAX_LINE */
                char *g = realloc(in->linebuf, cap);
                if (!g) {
                    errno = ENOMEM;
                    return -1;
                }
                in->linebuf = g;
                in->linecap = cap;
            }
            memcpy(in->linebuf + n, start, keep);
            n += keep;
        }
        if (nl)
            break;
    }
    if (!any)
        return 0;
    *len = n;
    return 1;
}

/* ---- writing the meta object -------------------------------------------- */

typedef struct jkey {
    const char *s;
    size_t len;
    json_t *v;
} jkey;

static int jkey_cmp(const void *a, const void *b)
{
    const jkey *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Appends v as compact JSON, object keys sorted by their bytes, strings as
 * UTF-8, numbers as the input had them where JSON allows no doubt (integers
 * exactly, reals in the shortest form that reads back the same: jansson's
 * own dump writes 0.1 as 0.10000000000000001).  The nesting is bounded by
 * jansson's parser (2048 levels).  0, or -1 on OOM. */
static int dump_json(buf *b, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        jkey *keys = n ? malloc(n * sizeof *keys) : NULL;
        if (n && !keys)
            return -1;
        const char *k;
        size_t kl;
        json_t *x;
        json_object_keylen_foreach(v, k, kl, x) {
            if (i < n)
                keys[i++] = (jkey){k, kl, x};
        }
        if (i > 1) /* qsort(NULL, 0, ...) is undefined */
            qsort(keys, i, sizeof *keys, jkey_cmp);
        buf_putc(b, '{');
        int rc = 0;
        for (size_t j = 0; j < i && rc == 0; j++) {
            if (j)
                buf_putc(b, ',');
            ljson_string(b, keys[j].s, keys[j].len);
            buf_putc(b, ':');
            rc = dump_json(b, keys[j].v);
        }
        buf_putc(b, '}');
        free(keys);
        return rc;
    }
    case JSON_ARRAY:
        buf_putc(b, '[');
        for (size_t j = 0; j < json_array_size(v); j++) {
            if (j)
                buf_putc(b, ',');
            if (dump_json(b, json_array_get(v, j)) < 0)
                return -1;
        }
        buf_putc(b, ']');
        return 0;
    case JSON_STRING:
        ljson_string(b, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER:
        buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return 0;
    case JSON_REAL: {
        double d = json_real_value(v);
        char tmp[40];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*g", prec, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
        buf_puts(b, tmp);
        return 0;
    }
    case JSON_TRUE:
        buf_puts(b, "true");
        return 0;
    case JSON_FALSE:
        buf_puts(b, "false");
        return 0;
    default:
        buf_puts(b, "null");
        return 0;
    }
}

/* ---- JSON Lines documents ------------------------------------------------ */

/* The id made safe as a relative file name: '/', '\\', control characters
 * and a leading '.' become '_'; "" becomes "_". */
static char *safe_rel(const char *id, size_t len)
{
    char *r = malloc(len + 2);
    if (!r)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        r[i] = (c == '/' || c == '\\' || c < 0x20 || c == 0x7f || (i == 0 && c == '.')) ? '_' : (char)c;
    }
    if (len == 0)
        r[len++] = '_';
    r[len] = '\0';
    return r;
}

/* Fills it as a failed item: its message, the id if known (else
 * "FILE:LINE") as name and shard key.  Returns 1 (an item), 0 (the item
 * belongs to another shard) or -1 (OOM). */
static int line_error(inputs *in, jl_reader *r, input_item *it, const char *id, char *msg)
{
    if (!msg) {
        errno = ENOMEM;
        return -1;
    }
    char *key = id ? strdup(id) : str_printf("%s:%ld", r->name, in->line);
    if (!key) {
        free(msg);
        errno = ENOMEM;
        return -1;
    }
    if (!in_shard(in, key, strlen(key))) {
        free(key);
        free(msg);
        return 0;
    }
    it->name = key;
    it->rel = safe_rel(key, strlen(key));
    it->error = msg;
    it->bytes = r->pending;
    r->pending = 0;
    if (!it->rel) {
        input_item_clear(it);
        errno = ENOMEM;
        return -1;
    }
    return 1;
}

/* Turns the line in in->linebuf into an item.  1: *it is filled; 0: the
 * line is blank or in another shard (skipped); -1: out of memory. */
static int parse_line(inputs *in, jl_reader *r, size_t len, int toolong, input_item *it)
{
    const char *s = in->linebuf;
    if (toolong)
        return line_error(in, r, it, NULL,
                          MAX_LINE % ((size_t)1 << 20) == 0
                              ? str_printf("%s:%ld: line longer than %zu MiB", r->name, in->line, MAX_LINE >> 20)
                              : str_printf("%s:%ld: line longer than %zu bytes", r->name, in->line, MAX_LINE));
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    if (i == len)
        return 0; /* blank */
    json_error_t jerr;
    cli_json_alloc_failed = 0;
    json_t *obj = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (obj && cli_json_alloc_failed) { /* a string may have lost a byte (harden.h) */
        json_decref(obj);
        errno = ENOMEM;
        return -1;
    }
    if (!obj) {
        /* an allocation that failed inside the lexer shows as a bogus
         * syntax error: it is out of memory all the same */
        if (json_error_code(&jerr) == json_error_out_of_memory || cli_json_alloc_failed) {
            errno = ENOMEM;
            return -1;
        }
        return line_error(in, r, it, NULL,
                          str_printf("%s:%ld:%d: %s", r->name, in->line, jerr.column > 0 ? jerr.column : 1, jerr.text));
    }
    int rc;
    char idtext[32];
    const char *id = NULL;
    size_t idlen = 0;
    json_t *jid = json_is_object(obj) ? json_object_get(obj, "id") : NULL;
    if (!json_is_object(obj)) {
        rc = line_error(in, r, it, NULL, str_printf("%s:%ld: not a JSON object", r->name, in->line));
        goto done;
    }
    if (!jid) {
        rc = line_error(in, r, it, NULL, str_printf("%s:%ld: missing \"id\"", r->name, in->line));
        goto done;
    }
    if (json_is_string(jid)) {
        id = json_string_value(jid);
        idlen = json_string_length(jid);
        if (memchr(id, '\0', idlen)) {
            rc = line_error(in, r, it, NULL, str_printf("%s:%ld: \"id\" holds a NUL character", r->name, in->line));
            goto done;
        }
    } else if (json_is_integer(jid)) {
        snprintf(idtext, sizeof idtext, "%" JSON_INTEGER_FORMAT, json_integer_value(jid));
        id = idtext;
        idlen = strlen(idtext);
    } else {
        rc = line_error(in, r, it, NULL,
                        str_printf("%s:%ld: \"id\" must be a string or an integer", r->name, in->line));
        goto done;
    }
    static const char *const kinds[] = {"text", "html", "xml"};
    const char *format = NULL;
    json_t *content = NULL;
    int nkinds = 0;
    for (size_t k = 0; k < 3; k++) {
        json_t *c = json_object_get(obj, kinds[k]);
        if (c) {
            nkinds++;
            format = kinds[k];
            content = c;
        }
    }
    if (nkinds == 0) {
        rc = line_error(in, r, it, id, str_printf("%s:%ld: no \"text\", \"html\" or \"xml\" field", r->name, in->line));
        goto done;
    }
    if (nkinds > 1) {
        rc = line_error(in, r, it, id,
                        str_printf("%s:%ld: more than one of \"text\", \"html\", \"xml\"", r->name, in->line));
        goto done;
    }
    if (!json_is_string(content)) {
        rc = line_error(in, r, it, id, str_printf("%s:%ld: \"%s\" must be a string", r->name, in->line, format));
        goto done;
    }
    if (!in_shard(in, id, idlen)) {
        rc = 0;
        goto done;
    }
    size_t clen = json_string_length(content);
    it->name = strdup(id);
    it->rel = safe_rel(id, idlen);
    it->data = malloc(clen + 1);
    rc = it->name && it->rel && it->data ? 1 : -1;
    if (rc == 1) {
        memcpy(it->data, json_string_value(content), clen);
        it->data[clen] = '\0';
        it->len = clen;
        it->format = format;
        json_object_del(obj, "id");
        json_object_del(obj, format);
        if (json_object_size(obj) > 0) {
            buf b;
            buf_init(&b, &sys_mem);
            if (dump_json(&b, obj) < 0 || !buf_ok(&b) || !(it->meta = malloc(b.len + 1))) {
                rc = -1;
            } else {
                /* a copy: buf memory carries mem.c's header, items are malloc'ed */
                memcpy(it->meta, b.ptr, b.len + 1);
                it->meta_len = b.len;
            }
            buf_free(&b);
        }
    }
    if (rc < 0) {
        input_item_clear(it);
        errno = ENOMEM;
    } else {
        it->bytes = r->pending;
        r->pending = 0;
    }
done:
    json_decref(obj);
    return rc;
}

/* The next item from the open JSON Lines reader: 1 (an item), 0 (the file
 * is done; the reader is closed), -1 (OOM). */
static int next_line(inputs *in, input_item *it)
{
    jl_reader *r = in->gz;
    for (;;) {
        size_t len = 0;
        int toolong = 0;
        int got = read_line(in, r, &len, &toolong);
        if (got < 0)
            return -1;
        if (got == 0) {
            if (r->error) {
                /* The file cannot be read on: one failed item, then the next
                 * input. */
                char *msg = r->error;
                r->error = NULL;
                in->line++;
                int rc = line_error(in, r, it, NULL, msg);
                if (rc != 0) {
                    reader_close(in);
                    return rc;
                }
            }
            reader_close(in); /* inputs_next moved past the entry already */
            return 0;
        }
        in->line++;
        int rc = parse_line(in, r, len, toolong, it);
        if (rc != 0)
            return rc;
    }
}

/* ---- iteration ----------------------------------------------------------- */

/* The item of entry e (a file, or a JSON Lines file that cannot be
 * opened).  1: *it filled; 0: e gave nothing here (a JSON Lines reader was
 * opened, or its failure falls in another shard); -1 with errno. */
static int split_open(inputs *in, const input *e, input_item *it);

static int entry_item(inputs *in, const input *e, input_item *it)
{
    if (e->split) {
        int rc = split_open(in, e, it);
        return rc < 0 ? -1 : rc == 0 ? 1 : 0;
    }
    if (e->jsonl && !e->error) {
        char *err = NULL;
        int rc = reader_open(in, e, &err);
        if (rc < 0)
            return -1;
        if (rc > 0)
            return 0;
        /* cannot be opened: one failed item (sharded by its rel) */
        if (!in_shard(in, e->rel, strlen(e->rel))) {
            free(err);
            return 0;
        }
        it->error = err;
        it->name = strdup(strcmp(e->path, "-") == 0 ? "<stdin>" : e->path);
        it->rel = strdup(e->rel);
        if (!it->name || !it->rel) {
            input_item_clear(it);
            errno = ENOMEM;
            return -1;
        }
        return 1;
    }
    it->path = strdup(e->path);
    it->rel = strdup(e->rel);
    it->name = strdup(strcmp(e->path, "-") == 0 ? "<stdin>" : e->path);
    it->error = e->error ? strdup(e->error) : NULL;
    it->bytes = e->size;
    if (!it->path || !it->rel || !it->name || (e->error && !it->error)) {
        input_item_clear(it);
        errno = ENOMEM;
        return -1;
    }
    return 1;
}

static void split_close(inputs *in)
{
    lode_split_free(in->splitter);
    in->splitter = NULL;
    free(in->split_rel);
    free(in->split_path);
    in->split_rel = in->split_path = NULL;
}

/* Opens the splitter of entry e; 1 open, 0 failed (an item with the error
 * in *it), -1 out of memory. */
static int split_open(inputs *in, const input *e, input_item *it)
{
    lode_split *sp = NULL;
    if (lode_split_open(in->split_engine, e->path, in->split, &sp) != LODE_OK) {
        it->error = strdup(lode_errmsg(in->split_engine));
        it->name = strdup(strcmp(e->path, "-") == 0 ? "<stdin>" : e->path);
        it->rel = strdup(e->rel);
        if (!it->error || !it->name || !it->rel) {
            input_item_clear(it);
            errno = ENOMEM;
            return -1;
        }
        return 0;
    }
    in->splitter = sp;
    in->split_n = 0;
    in->split_path = strdup(strcmp(e->path, "-") == 0 ? "<stdin>" : e->path);
    /* rel without .gz and extension: documents go to REL/N.xml */
    size_t rl = strlen(e->rel);
    if (rl > 3 && !strcmp(e->rel + rl - 3, ".gz"))
        rl -= 3;
    const char *slash = NULL, *dot = NULL;
    for (size_t i = 0; i < rl; i++) {
        if (e->rel[i] == '/')
            slash = e->rel + i, dot = NULL;
        else if (e->rel[i] == '.')
            dot = e->rel + i;
    }
    if (dot && dot > (slash ? slash + 1 : e->rel))
        rl = (size_t)(dot - e->rel);
    in->split_rel = strndup(e->rel, rl);
    if (!in->split_path || !in->split_rel) {
        split_close(in);
        errno = ENOMEM;
        return -1;
    }
    return 1;
}

/* The next element of the open splitter: 1 an item, 0 the file is done
 * (closed), -1 out of memory. */
static int split_item(inputs *in, input_item *it)
{
    for (;;) {
        struct _xmlDoc *xml = NULL;
        long line = 0;
        int rc = split_next_xml(in->splitter, &xml, &line);
        if (rc != LODE_OK) {
            it->error = strdup(lode_errmsg(in->split_engine));
            it->name = strdup(in->split_path);
            it->rel = strdup(in->split_rel);
            split_close(in);
            if (!it->error || !it->name || !it->rel) {
                input_item_clear(it);
                errno = ENOMEM;
                return -1;
            }
            return 1; /* a failed item, then the next input */
        }
        if (!xml) {
            split_close(in);
            return 0;
        }
        in->split_n++;
        char name[64];
        snprintf(name, sizeof name, ":%ld", line);
        size_t pl = strlen(in->split_path), rl = strlen(in->split_rel);
        it->name = malloc(pl + strlen(name) + 1);
        it->rel = malloc(rl + 32);
        if (!it->name || !it->rel) {
            xmlFreeDoc(xml);
            input_item_clear(it);
            errno = ENOMEM;
            return -1;
        }
        memcpy(it->name, in->split_path, pl);
        strcpy(it->name + pl, name);
        snprintf(it->rel, rl + 32, "%s/%ld.xml", in->split_rel, in->split_n);
        if (!in_shard(in, it->rel, strlen(it->rel))) {
            xmlFreeDoc(xml);
            input_item_clear(it);
            continue;
        }
        it->xml = xml;
        return 1;
    }
}

int inputs_next(inputs *in, input_item *it)
{
    memset(it, 0, sizeof *it);
    for (;;) {
        if (in->splitter) {
            int rc = split_item(in, it);
            if (rc != 0)
                return rc;
            continue;
        }
        if (in->gz) {
            int rc = next_line(in, it);
            if (rc != 0)
                return rc;
            continue;
        }
        if (in->pnext < in->pn) { /* entries of the current list line */
            int rc = entry_item(in, &in->pv[in->pnext++], it);
            if (in->pnext == in->pn) {
                free_entries(in->pv, 0, in->pn);
                in->pn = in->pnext = 0;
            }
            if (rc != 0)
                return rc;
            continue;
        }
        if (in->listfp) {
            int rc = list_line(in);
            if (rc < 0)
                return -1;
            continue;
        }
        if (in->next >= in->n)
            return 0;
        const input *e = &in->v[in->next++];
        if (e->list) {
            in->listfp = strcmp(e->path, "-") == 0 ? stdin : fopen(e->path, "r");
            if (!in->listfp)
                return -1;
            continue;
        }
        int rc = entry_item(in, e, it);
        if (rc != 0)
            return rc;
    }
}

void input_item_clear(input_item *it)
{
    if (it->xml)
        xmlFreeDoc(it->xml);
    free(it->path);
    free(it->rel);
    free(it->name);
    free(it->data);
    free(it->meta);
    free(it->error);
    memset(it, 0, sizeof *it);
}

void inputs_free(inputs *in)
{
    reader_close(in);
    split_close(in);
    if (in->listfp && in->listfp != stdin)
        fclose(in->listfp);
    in->listfp = NULL;
    free_entries(in->v, 0, in->n);
    free_entries(in->pv, 0, in->pn);
    free(in->pv);
    free(in->listbuf);
    in->listbuf = NULL;
    in->listcap = 0;
    in->pv = NULL;
    in->pn = in->pcap = in->pnext = 0;
    free(in->v);
    free(in->linebuf);
    in->v = NULL;
    in->linebuf = NULL;
    in->n = in->cap = in->next = in->linecap = 0;
    in->line = 0;
}
