/* threads.c -- engines on many threads at once: 8 threads, each with its own
 * engine and rules, parse and run a rule script over 200 documents and write
 * them, then compare their results with a single-threaded run.  Built and
 * run under ThreadSanitizer by `make tsan`; also part of `make test`.
 *
 * usage: threads [THREADS [DOCS]]  (defaults 8 and 200) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lode.h"

static const char *script =
    "local n = 0\n"
    "return {\n"
    "  p = function(p, ctx) n = n + 1; ctx:emit{ i = n, words = select(2, p:text():gsub('%S+', '')) } end,\n"
    "  ['h1, h2'] = function(h) h:set_attr('class', 'heading') end,\n"
    "}\n";

typedef struct job {
    int id, docs;
    long records;
    unsigned long checksum;
    int failed;
} job;

static int on_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    (void)doc;
    job *j = ud;
    j->records++;
    for (size_t i = 0; i < len; i++)
        j->checksum = j->checksum * 31 + (unsigned char)json[i];
    return 0;
}

static void *work(void *arg)
{
    job *j = arg;
    lode_engine *e = lode_engine_new(NULL); /* one engine per thread */
    lode_rules_options ro = {.on_record = on_record, .record_ud = j};
    lode_rules *r = NULL;
    if (!e || lode_rules_load_string(e, script, strlen(script), "threads.lua", &ro, &r) != LODE_OK) {
        j->failed = 1;
        lode_engine_free(e);
        return NULL;
    }
    char src[512];
    for (int i = 0; i < j->docs; i++) {
        int n = snprintf(src, sizeof src,
                         " date 2019-04 Headline %d\n\nFirst paragraph of document %d.\n\n"
                         "Second \"quoted\" paragraph, with more words in it.\n",
                         i, i);
        lode_doc *d = NULL;
        if (lode_doc_parse(e, src, (size_t)n, "t.txt", NULL, &d) != LODE_OK || lode_rules_run(r, d) != LODE_OK) {
            j->failed = 1;
        } else {
            char *out = NULL;
            size_t len = 0;
            lode_write_options wo = {"markdown", 0};
            if (lode_doc_write_buffer(e, d, &wo, &out, &len) != LODE_OK)
                j->failed = 1;
            lode_free(e, out);
        }
        lode_doc_free(d);
    }
    if (lode_rules_finish(r) != LODE_OK)
        j->failed = 1;
    lode_rules_free(r);
    lode_engine_free(e);
    return NULL;
}

int main(int argc, char **argv)
{
    int nthreads = argc > 1 ? atoi(argv[1]) : 8, docs = argc > 2 ? atoi(argv[2]) : 200;
    if (nthreads < 1 || nthreads > 64 || docs < 1)
        return 2;
    job ref = {0, docs, 0, 0, 0};
    work(&ref); /* the single-threaded reference */
    job jobs[64];
    pthread_t th[64];
    for (int i = 0; i < nthreads; i++) {
        jobs[i] = (job){i, docs, 0, 0, 0};
        if (pthread_create(&th[i], NULL, work, &jobs[i]) != 0)
            return 2;
    }
    int bad = ref.failed;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        if (jobs[i].failed || jobs[i].records != ref.records || jobs[i].checksum != ref.checksum)
            bad = 1;
    }
    printf("%s - %d threads x %d documents with separate engines give the same %ld records as one thread\n",
           bad ? "not ok" : "ok", nthreads, docs, ref.records);
    return bad;
}
