/* api_bench.c -- embedding costs, measured in-process (a benchmark that
 * prints figures, not a test):
 *   1. creating and freeing an engine (mean over many);
 *   2. a trivial rule script through the API over many tiny in-memory
 *      documents (documents/s on one core), without and with the sandbox;
 *   3. the sandbox's cost on real pages: the same counting script over the
 *      files of LIST, sandbox off and on (CPU seconds, ratio).
 *
 * usage: api_bench [LIST] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lode.h"

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *trivial = "local n = 0\nreturn { p = function(p, ctx) n = n + 1; ctx:emit{ n = n } end }\n";
static const char *count10 =
    "local c = 0\nlocal function f() c = c + 1 end\nreturn { {'p', f}, {'a', f}, {'h1', f}, {'h2', f}, {'li', f},"
    " {'img', f}, {'div.content', f}, {'table td', f}, {'meta[name]', f}, {'span > a', f} }\n";

static int drop(void *ud, const lode_doc *d, const char *j, size_t n)
{
    (void)d;
    (void)j;
    (void)n;
    ++*(long *)ud;
    return 0;
}

static double tiny_docs(int sandbox, int ndocs, long *records)
{
    lode_options o;
    lode_options_init(&o);
    o.sandbox.enabled = sandbox;
    lode_engine *e = lode_engine_new(&o);
    lode_rules_options ro = {.on_record = drop, .record_ud = records};
    lode_rules *r = NULL;
    if (lode_rules_load_string(e, trivial, strlen(trivial), "trivial.lua", &ro, &r) != LODE_OK) {
        fprintf(stderr, "%s\n", lode_errmsg(e));
        exit(1);
    }
    const char *src = "<html><body><p>Hello</p><p>world</p></body></html>";
    lode_parse_options po = {"html", NULL, 0};
    double t0 = cpu();
    for (int i = 0; i < ndocs; i++) {
        lode_doc *d = NULL;
        if (lode_doc_parse(e, src, strlen(src), "tiny.html", &po, &d) != LODE_OK || lode_rules_run(r, d) != LODE_OK)
            exit(1);
        lode_doc_free(d);
    }
    double t = cpu() - t0;
    lode_rules_free(r);
    lode_engine_free(e);
    return t;
}

static double pages(int sandbox, char **paths, int n)
{
    lode_options o;
    lode_options_init(&o);
    o.sandbox.enabled = sandbox;
    lode_engine *e = lode_engine_new(&o);
    lode_rules *r = NULL;
    if (lode_rules_load_string(e, count10, strlen(count10), "count10.lua", NULL, &r) != LODE_OK)
        exit(1);
    /* parse outside the timed part: the sandbox only affects the rules */
    double t = 0;
    for (int i = 0; i < n; i++) {
        lode_doc *d = NULL;
        if (lode_doc_load(e, paths[i], NULL, &d) != LODE_OK)
            continue;
        double t0 = cpu();
        lode_rules_run(r, d);
        t += cpu() - t0;
        lode_doc_free(d);
    }
    lode_rules_free(r);
    lode_engine_free(e);
    return t;
}

int main(int argc, char **argv)
{
    int rounds = 2000;
    double t0 = cpu();
    for (int i = 0; i < rounds; i++)
        lode_engine_free(lode_engine_new(NULL));
    double eng = (cpu() - t0) / rounds;
    printf("engine new+free:                 %8.2f us\n", eng * 1e6);

    int ndocs = 50000;
    long recs = 0;
    double off = tiny_docs(0, ndocs, &recs);
    double on = tiny_docs(1, ndocs, &recs);
    printf("tiny documents, trivial script:  %8.0f docs/s (sandbox off), %.0f docs/s (sandbox on), %ld records\n",
           ndocs / off, ndocs / on, recs);

    if (argc > 1) {
        FILE *fp = fopen(argv[1], "r");
        char line[4096];
        char **paths = NULL;
        int n = 0;
        while (fp && fgets(line, sizeof line, fp)) {
            line[strcspn(line, "\n")] = 0;
            paths = realloc(paths, (size_t)(n + 1) * sizeof *paths);
            paths[n++] = strdup(line);
        }
        if (fp)
            fclose(fp);
        double a = pages(0, paths, n), b = pages(1, paths, n);
        double a2 = pages(0, paths, n), b2 = pages(1, paths, n);
        if (a2 < a)
            a = a2;
        if (b2 < b)
            b = b2;
        printf("10 counting rules on %d pages:  %8.3f s sandbox off, %.3f s on: sandbox checks cost %+.1f%%\n", n, a, b,
               100.0 * (b - a) / a);
        for (int i = 0; i < n; i++)
            free(paths[i]);
        free(paths);
    }
    return 0;
}
