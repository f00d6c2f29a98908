/* lode_readall.c -- the lode side of the read benchmarks (tests/bench/).
 *
 * usage: lode_readall [--from FMT] [--write FMT] [--indent] [--passes N] [--quiet] LISTFILE
 *
 * One engine; every path in LISTFILE (one per line; empty lines skipped; '-'
 * reads the list from standard input) is loaded with lode_doc_load -- the
 * format by extension, else by sniffing, or FMT with --from -- and freed.
 * With --write FMT each document is also serialised into a buffer with
 * lode_doc_write_buffer (to measure a writer), and the buffer freed.
 * Nothing is written to standard output.  A summary goes to standard error:
 *
 *   lode_readall: docs=N bytes=B failures=F warnings=W written=O load_cpu_s=L write_cpu_s=S
 *
 * (bytes: sum of the input files' sizes as read from the file system; written:
 * sum of the output sizes; load_cpu_s and write_cpu_s: the process CPU time
 * spent inside lode_doc_load/lode_doc_parse and inside lode_doc_write_buffer,
 * summed over the documents -- CPU time, so that other load on the machine
 * hardly moves it), preceded by the messages of the first few failures unless
 * --quiet.
 *
 * --passes N measures the reader alone, in-process: each file is read into
 * memory once by this tool, then parsed N times with lode_doc_parse (each
 * tree freed before the next pass; --write applies to every pass), and the
 * summary line adds the parse time (wall clock, summed over the files) of the
 * first pass (a cold heap: the tree's pages are touched for the first time)
 * and of the fastest pass (a warm heap):
 *
 *   ... parse_first_s=T1 parse_best_s=T2  A document that fails to load or to write counts
 * as a failure and the run goes on: the exit status is 0 whenever the list
 * could be read (2 on a usage error or an unreadable list), so that a timed
 * run measures the same work whatever the reader decides about one file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lode.h"

#define SHOW_FAILURES 10
#define MAX_PASSES 1000

static void usage(FILE *fp)
{
    fputs("usage: lode_readall [--from FMT] [--write FMT] [--indent] [--passes N] [--quiet] LISTFILE\n"
          "  loads every file named in LISTFILE (one path per line, '-': stdin) with\n"
          "  lode_doc_load and frees it; --write FMT also serialises each document to\n"
          "  a buffer (xml, html, text, markdown, json); --passes N reads each file\n"
          "  into memory once and parses it N times with lode_doc_parse, timing the\n"
          "  first and the fastest pass.  Summary on stderr.\n",
          fp);
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static double cpu_now(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* Reads the whole file into a new malloc'd block (*len bytes); NULL on
 * failure with errno set. */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *p = NULL;
    if (fstat(fd, &st) == 0 && (p = malloc((size_t)st.st_size + 1)) != NULL) {
        size_t got = 0, want = (size_t)st.st_size;
        while (got < want) {
            ssize_t n = read(fd, p + got, want - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        *len = got;
    }
    close(fd);
    return p;
}

/* Counts the warnings lode would log (charset fallbacks, repairs). */
static void count_warning(void *ud, int level, const char *msg)
{
    (void)level;
    (void)msg;
    (*(unsigned long *)ud)++;
}

int main(int argc, char **argv)
{
    const char *from = NULL, *to = NULL, *list = NULL;
    int quiet = 0, passes = 0;
    unsigned wflags = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--from") == 0 || strcmp(a, "-f") == 0) && i + 1 < argc) {
            from = argv[++i];
        } else if ((strcmp(a, "--write") == 0 || strcmp(a, "-t") == 0) && i + 1 < argc) {
            to = argv[++i];
        } else if (strcmp(a, "--passes") == 0 && i + 1 < argc) {
            passes = atoi(argv[++i]);
            if (passes < 1 || passes > MAX_PASSES) {
                fprintf(stderr, "lode_readall: --passes takes 1..%d\n", MAX_PASSES);
                return 2;
            }
        } else if (strcmp(a, "--indent") == 0) {
            wflags |= LODE_WRITE_INDENT;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "lode_readall: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        } else if (!list) {
            list = a;
        } else {
            fprintf(stderr, "lode_readall: one LISTFILE only ('%s' is extra)\n", a);
            return 2;
        }
    }
    if (!list) {
        usage(stderr);
        return 2;
    }
    FILE *fl = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
    if (!fl) {
        perror(list);
        return 2;
    }

    unsigned long warnings = 0;
    lode_options opts;
    lode_options_init(&opts);
    opts.log = count_warning;
    opts.log_ud = &warnings;
    lode_engine *e = lode_engine_new(&opts);
    if (!e) {
        fputs("lode_readall: out of memory\n", stderr);
        return 2;
    }

    lode_parse_options po;
    memset(&po, 0, sizeof po);
    po.format = from;
    lode_write_options wo;
    memset(&wo, 0, sizeof wo);
    wo.format = to;
    wo.flags = wflags;

    unsigned long docs = 0, failures = 0;
    unsigned long long bytes = 0, written = 0;
    double first_s = 0, best_s = 0, load_cpu = 0, write_cpu = 0;
    char *path = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&path, &cap, fl)) >= 0) {
        while (n > 0 && (path[n - 1] == '\n' || path[n - 1] == '\r'))
            path[--n] = '\0';
        if (n == 0)
            continue;
        docs++;
        struct stat st;
        if (stat(path, &st) == 0)
            bytes += (unsigned long long)st.st_size;
        char *data = NULL;
        size_t len = 0;
        if (passes) {
            data = slurp(path, &len);
            if (!data) {
                if (!quiet && failures < SHOW_FAILURES)
                    fprintf(stderr, "lode_readall: %s: cannot read: %s\n", path, strerror(errno));
                failures++;
                continue;
            }
        }
        double best = -1;
        for (int pass = 0; pass < (passes ? passes : 1); pass++) {
            lode_doc *doc = NULL;
            double t0 = now(), c0 = cpu_now();
            int rc = passes ? lode_doc_parse(e, data, len, path, &po, &doc) : lode_doc_load(e, path, &po, &doc);
            double dt = now() - t0, c1 = cpu_now();
            if (pass == 0)
                load_cpu += c1 - c0;
            if (pass == 0)
                first_s += dt;
            if (best < 0 || dt < best)
                best = dt;
            if (rc == LODE_OK && to) {
                char *out = NULL;
                size_t olen = 0;
                rc = lode_doc_write_buffer(e, doc, &wo, &out, &olen);
                if (pass == 0)
                    write_cpu += cpu_now() - c1;
                if (rc == LODE_OK && pass == 0)
                    written += olen;
                lode_free(e, out);
            }
            lode_doc_free(doc);
            if (rc != LODE_OK) {
                if (!quiet && failures < SHOW_FAILURES)
                    fprintf(stderr, "lode_readall: %s: %s\n", lode_strerror(rc), lode_errmsg(e));
                failures++;
                break;
            }
        }
        best_s += best;
        free(data);
    }
    free(path);
    if (fl != stdin)
        fclose(fl);
    lode_engine_free(e);
    if (!quiet && failures > SHOW_FAILURES)
        fprintf(stderr, "lode_readall: ... %lu more failures\n", failures - SHOW_FAILURES);
    fprintf(stderr, "lode_readall: docs=%lu bytes=%llu failures=%lu warnings=%lu written=%llu load_cpu_s=%.6f",
            docs, bytes, failures, warnings, written, load_cpu);
    if (to)
        fprintf(stderr, " write_cpu_s=%.6f", write_cpu);
    if (passes)
        fprintf(stderr, " parse_first_s=%.6f parse_best_s=%.6f", first_s, best_s);
    fputc('\n', stderr);
    return 0;
}
