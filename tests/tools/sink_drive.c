/* sink_drive.c -- drives a plugin's record sink through the public API
 * (lode_plugin_load, lode_sink_open/write/close): the sqlite plugin's tests
 * and its benchmark use it, and it serves any other sink.
 *
 *   sink_drive PLUGIN.so OUT [LABEL [commit|rollback]] < records.jsonl
 *       one record per input line; warnings and errors go to stderr;
 *       exit status 0, or 1 when the sink failed (message on stderr)
 *   sink_drive --bench N PLUGIN.so OUT
 *       pushes N pre-built records (eight fields of mixed types, like a
 *       typical script's) and prints "N records in S s (CPU C s): R records/s,
 *       P records per CPU second" (wall clock, and this process's CPU time,
 *       which a busy machine disturbs less) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lode.h"

static void log_line(void *ud, int level, const char *msg)
{
    (void)ud;
    (void)level;
    fprintf(stderr, "warning: %s\n", msg);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static lode_engine *engine_with(const char *plugin)
{
    lode_options o;
    lode_options_init(&o);
    o.log = log_line;
    lode_engine *e = lode_engine_new(&o);
    if (!e || lode_plugin_load(e, plugin) != LODE_OK) {
        fprintf(stderr, "sink_drive: %s\n", e ? lode_errmsg(e) : "cannot make an engine");
        lode_engine_free(e);
        return NULL;
    }
    return e;
}

static int fail(lode_engine *e, lode_sink *s)
{
    fprintf(stderr, "sink_drive: %s\n", lode_errmsg(e));
    lode_sink_close(s, 0);
    lode_engine_free(e);
    return 1;
}

/* N records of eight fields, built before the clock starts. */
static int bench(long n, const char *plugin, const char *out)
{
    lode_engine *e = engine_with(plugin);
    if (!e)
        return 1;
    enum { DISTINCT = 1000 };
    char *recs[DISTINCT];
    size_t lens[DISTINCT];
    static const char *const kinds[] = {"speech", "term"};
    for (int i = 0; i < DISTINCT; i++) {
        char buf[512];
        int len = snprintf(buf, sizeof buf,
                           "{\"cue\":\"sagte\",\"doc\":\"corpus/news-de/10kgnad-test/%05d.txt\",\"kind\":\"%s\","
                           "\"line\":%d,\"mark\":\"\\u201e\",\"n\":%d,\"quote\":\"Wir haben das %d. Mal "
                           "gepr\\u00fcft, und es bleibt dabei\",\"speaker\":\"Anna Beispiel %d\"}",
                           i, kinds[i % 2], 10 + i % 90, 1 + i % 7, i, i % 50);
        recs[i] = strdup(buf);
        lens[i] = (size_t)len;
    }
    lode_sink *s = NULL;
    double t0 = now(), c0 = cpu();
    if (lode_sink_open(e, NULL, out, "bench", &s) != LODE_OK)
        return fail(e, NULL);
    for (long i = 0; i < n; i++)
        if (lode_sink_write(s, recs[i % DISTINCT], lens[i % DISTINCT]) != LODE_OK)
            return fail(e, s);
    if (lode_sink_close(s, 1) != LODE_OK)
        return fail(e, NULL);
    double t = now() - t0, c = cpu() - c0;
    printf("%ld records in %.3f s (CPU %.3f s): %.0f records/s, %.0f records per CPU second\n", n, t, c,
           (double)n / t, (double)n / c);
    for (int i = 0; i < DISTINCT; i++)
        free(recs[i]);
    lode_engine_free(e);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--bench") == 0)
        return bench(atol(argv[2]), argv[3], argv[4]);
    if (argc < 3 || argc > 5 || (argc == 5 && strcmp(argv[4], "commit") && strcmp(argv[4], "rollback"))) {
        fprintf(stderr, "usage: sink_drive PLUGIN.so OUT [LABEL [commit|rollback]] < records.jsonl\n"
                        "       sink_drive --bench N PLUGIN.so OUT\n");
        return 2;
    }
    lode_engine *e = engine_with(argv[1]);
    if (!e)
        return 1;
    lode_sink *s = NULL;
    if (lode_sink_open(e, NULL, argv[2], argc > 3 ? argv[3] : "records", &s) != LODE_OK)
        return fail(e, NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > 0 && lode_sink_write(s, line, (size_t)len) != LODE_OK) {
            free(line);
            return fail(e, s);
        }
    }
    free(line);
    int commit = !(argc == 5 && strcmp(argv[4], "rollback") == 0);
    if (lode_sink_close(s, commit) != LODE_OK)
        return fail(e, NULL);
    lode_engine_free(e);
    return 0;
}
