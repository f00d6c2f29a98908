/* test_report.c -- the report aggregators (report.c): adding, merge algebra,
 * views, the partial format, HyperLogLog accuracy, the memory cap, and
 * allocation failures; through the internal API and the public one.
 *
 * The merge properties checked: split a stream of values into parts in
 * several ways, aggregate each part, merge the parts in several orders and
 * groupings: every result renders to the same bytes as aggregating the
 * whole stream at once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "harness.h"
#include "test_alloc.h"
#include "lode.h"
#include "report.h"

static char err[512];

/* A deterministic stream of operations: op i goes to every aggregator. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Feeds operation i to every aggregator of r; 0 or -1 (message in err). */
static int feed(struct lode_report *r, int i)
{
    char key[32];
    uint64_t x = rng();
    snprintf(key, sizeof key, "w%u", (unsigned)(x % 997));
    double v = (double)(x % 100000) / 7.0 - 3000.0; /* not integers: rounding matters */
    double edges[] = {-1000, 0, 1000, 5000};
    int rc = report_count(r, REP_COUNT, "count", key, strlen(key), (int64_t)(x % 5) + 1, err, sizeof err) |
             report_count(r, REP_TOP, "top", key, strlen(key), 1, err, sizeof err) |
             report_sum(r, "sum", v, err, sizeof err) | report_stats(r, "stats", v, err, sizeof err) |
             report_histogram(r, "hist", v, 20, NULL, 0, err, sizeof err) |
             report_histogram(r, "fixed", v, 0, edges, 4, err, sizeof err);
    snprintf(key, sizeof key, "d%d", i % 150001);
    rc |= report_distinct(r, "distinct", key, strlen(key), err, sizeof err);
    snprintf(key, sizeof key, "s%d", i % 300);
    rc |= report_distinct(r, "small", key, strlen(key), err, sizeof err);
    return rc ? -1 : 0;
}

static char *render(struct lode_report *r, const char *format)
{
    buf b;
    buf_init(&b, &report_engine(r)->mem);
    CHECK(report_render(r, format, "t", &b, err, sizeof err) == 0);
    size_t n;
    char *s = buf_detach(&b, &n);
    char *copy = strdup(s ? s : "");
    mem_free(&report_engine(r)->mem, s);
    return copy;
}

static void merge_algebra(void)
{
    lode_engine *e = lode_engine_new(NULL);
    enum { N = 200000, P = 4 };
    struct lode_report *whole = report_new(e), *part[P];
    for (int k = 0; k < P; k++)
        part[k] = report_new(e);
    int bad = 0;
    rng_state = 88172645463325252ull;
    for (int i = 0; i < N; i++)
        bad += feed(whole, i) < 0;
    rng_state = 88172645463325252ull;
    for (int i = 0; i < N; i++)
        bad += feed(part[(i * 7 + i / 3) % P], i) < 0; /* an uneven interleaving */
    CHECK_EQ_INT(bad, 0);
    char *want = render(whole, "json");
    CHECK(strstr(want, "\"distinct\": 150001") == NULL); /* past the exact limit: an estimate */
    /* ((0 + 1) + 2) + 3 */
    struct lode_report *a = report_new(e);
    for (int k = 0; k < P; k++)
        CHECK(report_merge(a, part[k], err, sizeof err) == 0);
    char *got = render(a, "json");
    CHECK_EQ_STR(got, want);
    free(got);
    /* (3 + 1) + (2 + 0): another order and grouping */
    struct lode_report *x = report_new(e), *y = report_new(e), *z = report_new(e);
    CHECK(report_merge(x, part[3], err, sizeof err) == 0 && report_merge(x, part[1], err, sizeof err) == 0);
    CHECK(report_merge(y, part[2], err, sizeof err) == 0 && report_merge(y, part[0], err, sizeof err) == 0);
    CHECK(report_merge(z, x, err, sizeof err) == 0 && report_merge(z, y, err, sizeof err) == 0);
    got = render(z, "json");
    CHECK_EQ_STR(got, want);
    free(got);
    /* through the partial format: write each part, read them all back */
    buf b;
    buf_init(&b, &e->mem);
    for (int k = P - 1; k >= 0; k--)
        CHECK(report_write_partial(part[k], "t", &b) == 0);
    struct lode_report *p = report_new(e);
    CHECK(report_read_partial(p, b.ptr, b.len, "parts", err, sizeof err) == 0);
    got = render(p, "json");
    CHECK_EQ_STR(got, want);
    free(got);
    /* a partial written, read and written again is the same bytes */
    buf b2, b3;
    buf_init(&b2, &e->mem);
    buf_init(&b3, &e->mem);
    CHECK(report_write_partial(p, "t", &b2) == 0);
    struct lode_report *q = report_new(e);
    CHECK(report_read_partial(q, b2.ptr, b2.len, "again", err, sizeof err) == 0);
    CHECK(report_write_partial(q, "t", &b3) == 0);
    CHECK(b2.len == b3.len && memcmp(b2.ptr, b3.ptr, b2.len) == 0);
    /* every output format agrees between whole and merged */
    const char *formats[] = {"csv", "txt", "html"};
    for (int f = 0; f < 3; f++) {
        char *w = render(whole, formats[f]), *m = render(z, formats[f]);
        CHECK(strcmp(w, m) == 0);
        free(w);
        free(m);
    }
    buf_free(&b);
    buf_free(&b2);
    buf_free(&b3);
    free(want);
    report_free(q);
    report_free(p);
    report_free(x);
    report_free(y);
    report_free(z);
    report_free(a);
    report_free(whole);
    for (int k = 0; k < P; k++)
        report_free(part[k]);
    lode_engine_free(e);
}

static void views(void)
{
    lode_engine *e = lode_engine_new(NULL);
    struct lode_report *r = report_new(e);
    /* top: 5000 keys, key k counted k % 1000 + 1 times; the top 3 */
    for (int k = 0; k < 5000; k++) {
        char key[16];
        snprintf(key, sizeof key, "k%04d", k);
        CHECK(report_count(r, REP_TOP, "t", key, strlen(key), k % 1000 + 1, err, sizeof err) == 0);
    }
    CHECK(report_top_limit(r, "t", 3, err, sizeof err) == 0);
    CHECK(report_top_limit(r, "t", 2, err, sizeof err) == 0); /* the largest asked for wins */
    rep_view v;
    CHECK(report_view(r, "t", &v) == 1);
    CHECK_EQ_INT(v.nkeys, 5000);
    CHECK_EQ_INT(v.nentries, 3);
    CHECK_EQ_INT(v.total, 5 * 500500);
    /* counts 1000 for k0999 k1999 k2999 ...: ties by key */
    CHECK(v.nentries == 3 && !strncmp(v.entries[0].key, "k0999", 5) && !strncmp(v.entries[1].key, "k1999", 5) &&
          !strncmp(v.entries[2].key, "k2999", 5) && v.entries[2].count == 1000);
    report_view_clear(r, &v);
    /* the selected top-k equals the first k of a full sort (a count's view
     * is fully sorted), on random counts with many ties */
    rng_state = 7;
    for (int k = 0; k < 20000; k++) {
        char key[16];
        snprintf(key, sizeof key, "r%u", (unsigned)(rng() % 20000));
        int64_t c = (int64_t)(rng() % 50) + 1;
        if (report_count(r, REP_TOP, "t2", key, strlen(key), 1, err, sizeof err) < 0 ||
            report_count(r, REP_COUNT, "c2", key, strlen(key), 1, err, sizeof err) < 0)
            CHECK(0);
        (void)c;
    }
    CHECK(report_top_limit(r, "t2", 57, err, sizeof err) == 0);
    rep_view t2, c2;
    CHECK(report_view(r, "t2", &t2) == 1 && report_view(r, "c2", &c2) == 1);
    int same = t2.nentries == 57 && c2.nentries == c2.nkeys && c2.nkeys > 57;
    for (size_t i = 0; same && i < 57; i++)
        same = t2.entries[i].count == c2.entries[i].count && t2.entries[i].len == c2.entries[i].len &&
               !memcmp(t2.entries[i].key, c2.entries[i].key, t2.entries[i].len);
    CHECK(same);
    report_view_clear(r, &t2);
    report_view_clear(r, &c2);
    /* stats: exact on small integers */
    for (int i = 1; i <= 4; i++)
        CHECK(report_stats(r, "s", i, err, sizeof err) == 0);
    CHECK(report_view(r, "s", &v) == 1);
    CHECK(v.n == 4 && v.min == 1 && v.max == 4 && v.mean == 2.5 && fabs(v.stddev - sqrt(5.0 / 3.0)) < 1e-12);
    report_view_clear(r, &v);
    /* automatic histogram: integers 0..99: 20 bins of width 5 */
    for (int i = 0; i < 100; i++)
        CHECK(report_histogram(r, "h", i, 20, NULL, 0, err, sizeof err) == 0);
    CHECK(report_view(r, "h", &v) == 1);
    CHECK_EQ_INT(v.nbins, 20);
    int64_t sum = 0;
    for (size_t i = 0; i < v.nbins; i++)
        sum += v.bins[i].count;
    CHECK_EQ_INT(sum, 100);
    CHECK(v.nbins == 20 && v.bins[0].lo == 0 && v.bins[0].hi == 5 && v.bins[0].count == 5 && v.bins[19].hi == 100);
    report_view_clear(r, &v);
    /* one value only: one bin */
    CHECK(report_histogram(r, "one", 7.5, 20, NULL, 0, err, sizeof err) == 0);
    CHECK(report_view(r, "one", &v) == 1 && v.nbins == 1 && v.bins[0].count == 1);
    report_view_clear(r, &v);
    /* kinds are fixed by first use; bins too */
    CHECK(report_sum(r, "t", 1, err, sizeof err) < 0);
    CHECK_EQ_STR(err, "report 't' is a top, not a sum");
    CHECK(report_histogram(r, "h", 1, 10, NULL, 0, err, sizeof err) < 0);
    CHECK(strstr(err, "bins differ") != NULL);
    double bad[] = {0, 0};
    CHECK(report_histogram(r, "e", 1, 0, bad, 2, err, sizeof err) < 0);
    CHECK(strstr(err, "strictly ascending") != NULL);
    CHECK(report_sum(r, "inf", INFINITY, err, sizeof err) < 0);
    CHECK(report_histogram(r, "hx", NAN, 10, NULL, 0, err, sizeof err) < 0);
    CHECK_EQ_STR(err, "report 'hx': histogram needs a finite number");
    CHECK(report_histogram(r, "hx", 1, 10, bad, 1, err, sizeof err) < 0);
    CHECK(strstr(err, "a histogram needs 2 to") != NULL);
    double nan_edges[] = {0, NAN};
    CHECK(report_histogram(r, "hx", 1, 0, nan_edges, 2, err, sizeof err) < 0);
    CHECK_EQ_STR(err, "report 'hx': histogram edges must be finite numbers");
    CHECK(report_histogram(r, "hx", 1, 0, NULL, 0, err, sizeof err) < 0);
    CHECK(strstr(err, "a histogram needs 1 to") != NULL);
    CHECK(report_view(r, "hx", &v) == 0); /* none of these made it */
    /* a sum or spread past the range of a double is an error that leaves
     * the aggregator as it was (never an infinity in a partial report) */
    CHECK(report_sum(r, "big", 1e308, err, sizeof err) == 0);
    CHECK(report_sum(r, "big", 1e308, err, sizeof err) < 0);
    CHECK_EQ_STR(err, "report 'big': the sum or spread of its values is beyond the range of a double");
    CHECK(report_view(r, "big", &v) == 1 && v.n == 1 && v.sum == 1e308);
    report_view_clear(r, &v);
    CHECK(report_stats(r, "spread", 1e200, err, sizeof err) == 0);
    CHECK(report_stats(r, "spread", -1e200, err, sizeof err) < 0);
    CHECK(report_histogram(r, "hbig", 1e308, 10, NULL, 0, err, sizeof err) == 0);
    CHECK(report_histogram(r, "hbig", 1e308, 10, NULL, 0, err, sizeof err) < 0);
    CHECK(report_view(r, "hbig", &v) == 1 && v.n == 1 && v.nbins == 1 && v.bins[0].count == 1);
    report_view_clear(r, &v);
    /* merged the same way */
    struct lode_report *r2 = report_new(e);
    CHECK(report_sum(r2, "big", 1e308, err, sizeof err) == 0);
    CHECK(report_merge(r, r2, err, sizeof err) < 0);
    CHECK(strstr(err, "beyond the range of a double") != NULL);
    report_free(r2);
    /* count overflow is an error, not a wrap */
    CHECK(report_count(r, REP_COUNT, "c", "x", 1, INT64_MAX, err, sizeof err) == 0);
    CHECK(report_count(r, REP_COUNT, "c", "x", 1, 1, err, sizeof err) < 0);
    CHECK(strstr(err, "overflows") != NULL);
    report_free(r);
    lode_engine_free(e);
}

static void hyperloglog(void)
{
    lode_engine *e = lode_engine_new(NULL);
    struct lode_report *r = report_new(e);
    const int n = 1000000;
    for (int i = 0; i < n; i++) {
        char key[24];
        int len = snprintf(key, sizeof key, "key-%d", i);
        if (report_distinct(r, "d", key, (size_t)len, err, sizeof err) < 0) {
            CHECK(0);
            break;
        }
    }
    rep_view v;
    CHECK(report_view(r, "d", &v) == 1);
    CHECK(!v.exact);
    double rel = fabs(v.distinct - n) / n;
    printf("# HyperLogLog: %d keys estimated as %.0f (%.2f %% off)\n", n, v.distinct, 100 * rel);
    CHECK(rel < 0.03); /* 0.8 % standard error: 3 % is > 3.5 sigma */
    report_view_clear(r, &v);
    /* below the limit: exact */
    for (int i = 0; i < 1000; i++) {
        char key[24];
        int len = snprintf(key, sizeof key, "%d", i % 777);
        CHECK(report_distinct(r, "small", key, (size_t)len, err, sizeof err) == 0);
    }
    CHECK(report_view(r, "small", &v) == 1 && v.exact && v.distinct == 777);
    report_view_clear(r, &v);
    report_free(r);
    lode_engine_free(e);
}

static void partial_errors(void)
{
    /* a distinct aggregator whose registers are not hex */
    static char hll_bad[200 + 2 * 16384];
    snprintf(hll_bad, sizeof hll_bad,
             "{\"lode_report\":1,\"aggregators\":[{\"name\":\"e12\",\"kind\":\"distinct\",\"hll\":\"%0*d\"}]}",
             2 * 16384, 0);
    memset(strstr(hll_bad, "\"hll\":\"") + 7, 'z', 2);
    lode_engine *e = lode_engine_new(NULL);
    lode_report *r;
    CHECK(lode_report_new(e, &r) == LODE_OK);
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"not json\n", "p:1: "},
        {"{\"aggregators\":[]}\n", "no \"lode_report\" version"},
        {"{\"lode_report\":9,\"aggregators\":[]}", "version 9; this lode reads version 1"},
        {"\n\n{\"lode_report\":1,\"aggregators\":[{\"name\":\"x\",\"kind\":\"nope\"}]}", "p:3: aggregator 0 needs"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"c\",\"kind\":\"count\",\"entries\":[[\"a\",\"b\"]]}]}",
         "aggregator 'c': \"entries\"[0] must be [key, count]"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"d\",\"kind\":\"distinct\",\"hll\":\"00\"}]}",
         "\"hll\" must be 32768 hex digits"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"s\",\"kind\":\"stats\",\"n\":1}]}", "missing \"sum\""},
        {"   \n", "no partial report in it"},
        /* merging two lines would leave the range of a double or of n */
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"s1\",\"kind\":\"sum\",\"n\":1,\"sum\":1e308,\"comp\":0,\"mean\":1e308,\"m2\":0,\"min\":1e308,\"max\":1e308,\"all_int\":false}]}\n{\"lode_report\":1,\"aggregators\":[{\"name\":\"s1\",\"kind\":\"sum\",\"n\":1,\"sum\":1e308,\"comp\":0,\"mean\":1e308,\"m2\":0,\"min\":1e308,\"max\":1e308,\"all_int\":false}]}\n", "p:2: aggregator 's1': the sum or spread of its values is beyond the range of a double"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"s2\",\"kind\":\"stats\",\"n\":1,\"sum\":1e200,\"comp\":0,\"mean\":1e200,\"m2\":0,\"min\":1e200,\"max\":1e200,\"all_int\":false}]}\n{\"lode_report\":1,\"aggregators\":[{\"name\":\"s2\",\"kind\":\"stats\",\"n\":1,\"sum\":-1e200,\"comp\":0,\"mean\":-1e200,\"m2\":0,\"min\":-1e200,\"max\":-1e200,\"all_int\":false}]}\n", "p:2: aggregator 's2': the sum or spread"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"s3\",\"kind\":\"sum\",\"n\":9223372036854775807,\"sum\":0,\"comp\":0,\"mean\":0,\"m2\":0,\"min\":0,\"max\":0,\"all_int\":false}]}\n{\"lode_report\":1,\"aggregators\":[{\"name\":\"s3\",\"kind\":\"sum\",\"n\":1,\"sum\":0,\"comp\":0,\"mean\":0,\"m2\":0,\"min\":0,\"max\":0,\"all_int\":false}]}\n", "p:2: aggregator 's3': count overflows"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"h1\",\"kind\":\"histogram\",\"n\":9223372036854775807,\"sum\":0,\"comp\":0,\"mean\":0,\"m2\":0,\"min\":0,\"max\":0,\"all_int\":false,\"edges\":[0,1],\"counts\":[9223372036854775807],\"under\":0,\"over\":0}]}\n{\"lode_report\":1,\"aggregators\":[{\"name\":\"h1\",\"kind\":\"histogram\",\"n\":1,\"sum\":0,\"comp\":0,\"mean\":0,\"m2\":0,\"min\":0,\"max\":0,\"all_int\":false,\"edges\":[0,1],\"counts\":[1],\"under\":0,\"over\":0}]}\n", "p:2: aggregator 'h1': count overflows"},
        /* values that no run can have written */
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"s4\",\"kind\":\"sum\",\"n\":0,\"sum\":5,\"comp\":0,\"mean\":0,\"m2\":0,\"min\":0,\"max\":0,\"all_int\":false}]}", "aggregator 's4': \"n\" is 0 but the other values are not"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"s5\",\"kind\":\"stats\",\"n\":2,\"sum\":2,\"comp\":0,\"mean\":1,\"m2\":-1,\"min\":1,\"max\":1,\"all_int\":false}]}", "aggregator 's5': \"m2\" must not be negative"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"h2\",\"kind\":\"histogram\",\"n\":3,\"sum\":3,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"edges\":[0,2],\"counts\":[2],\"under\":0,\"over\":0}]}", "aggregator 'h2': \"counts\", \"under\" and \"over\" do not add up to \"n\""},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"h3\",\"kind\":\"histogram\",\"n\":3,\"sum\":3,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"bins\":20,\"values\":[[1,2]]}]}", "aggregator 'h3': \"values\" do not add up to \"n\""},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"h4\",\"kind\":\"histogram\",\"n\":3,\"sum\":3,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"bins\":20,\"values\":[[1,9223372036854775807],[2,1]]}]}", "aggregator 'h4': \"values\" add up to more than \"n\""},
        /* one case for each check of the reader */
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e1\",\"kind\":\"sum\",\"n\":1,\"sum\":\"1\",\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false}]}",
         "aggregator 'e1': \"sum\" must be a number"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e2\",\"kind\":\"sum\",\"n\":1.5,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false}]}",
         "aggregator 'e2': \"n\" must be an integer"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e3\",\"kind\":\"sum\",\"n\":-1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false}]}",
         "aggregator 'e3': \"n\" must be at least 0"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e4\",\"kind\":\"stats\",\"n\":2,\"sum\":3,\"comp\":0,\"mean\":1.5,\"m2\":0.5,\"min\":2,\"max\":1,\"all_int\":false}]}",
         "aggregator 'e4': \"min\" is greater than \"max\""},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e5\",\"kind\":\"sum\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":1}]}",
         "aggregator 'e5': \"all_int\" must be true or false"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e6\",\"kind\":\"histogram\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"edges\":[0,1,2],\"counts\":[1],\"under\":0,\"over\":0}]}",
         "aggregator 'e6': \"edges\" and \"counts\" do not fit together"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e7\",\"kind\":\"histogram\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"edges\":[0,2],\"counts\":[-1],\"under\":1,\"over\":1}]}",
         "aggregator 'e7': \"counts\" must hold counts"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e8\",\"kind\":\"histogram\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"edges\":[2,0],\"counts\":[1],\"under\":0,\"over\":0}]}",
         "report 'e8': histogram edges must be strictly ascending"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e9\",\"kind\":\"histogram\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"bins\":100000,\"values\":[[1,1]]}]}",
         "aggregator 'e9': \"bins\" is above"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e10\",\"kind\":\"histogram\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"bins\":20,\"values\":{}}]}",
         "aggregator 'e10': \"values\" must be an array"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e11\",\"kind\":\"histogram\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"bins\":20,\"values\":[[1,-1]]}]}",
         "aggregator 'e11': \"values\"[0] must be [number, count]"},
        {NULL,
         "aggregator 'e12': \"hll\" holds a bad register"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e13\",\"kind\":\"distinct\",\"keys\":\"x\"}]}",
         "aggregator 'e13': \"keys\" must be an array"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e14\",\"kind\":\"distinct\",\"keys\":[\"x\",1]}]}",
         "aggregator 'e14': \"keys\"[1] must be a string"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e15\",\"kind\":\"count\",\"entries\":{}}]}",
         "aggregator 'e15': \"entries\" must be an array"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e16\",\"kind\":\"top\",\"limit\":-1,\"entries\":[]}]}",
         "aggregator 'e16': \"limit\" must be at least 0"},
        {"{\"lode_report\":1,\"aggregators\":{}}",
         "p:1: \"aggregators\" must be an array"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e17\",\"kind\":\"sum\",\"n\":1,\"sum\":1e999,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false}]}",
         "p:1: "},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e18\",\"kind\":\"histogram\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"edges\":[0,2],\"counts\":[1],\"under\":0,\"over\":0}]}\n{\"lode_report\":1,\"aggregators\":[{\"name\":\"e18\",\"kind\":\"histogram\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false,\"bins\":20,\"values\":[[1,1]]}]}",
         "p:2: aggregator 'e18': histograms with different bins cannot be merged"},
        {"{\"lode_report\":1,\"aggregators\":[{\"name\":\"e19\",\"kind\":\"sum\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false}]}\n{\"lode_report\":1,\"aggregators\":[{\"name\":\"e19\",\"kind\":\"stats\",\"n\":1,\"sum\":1,\"comp\":0,\"mean\":1,\"m2\":0,\"min\":1,\"max\":1,\"all_int\":false}]}",
         "p:2: aggregator 'e19': "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *text = cases[i].text ? cases[i].text : hll_bad;
        int rc = lode_report_read(r, text, strlen(text), "p");
        CHECK_EQ_INT(rc, LODE_EPARSE);
        if (!strstr(lode_errmsg(e), cases[i].want)) {
            CHECK(!"message");
            printf("#   case %zu: %s\n", i, lode_errmsg(e));
        }
    }
    /* the public API round trip: write_buffer "partial", read back */

    lode_rules *rules;
    const char *src = "return { document = function(doc, ctx) ctx.report:count('k', doc:title() or 'x') "
                      "ctx.report:stats('n', 3) end }";
    CHECK(lode_rules_load_string(e, src, strlen(src), "r.lua", NULL, &rules) == LODE_OK);
    lode_doc *doc;
    CHECK(lode_doc_parse(e, "<html><head><title>T</title></head></html>", 42, "d", NULL, &doc) == LODE_OK);
    CHECK(lode_rules_run(rules, doc) == LODE_OK);
    CHECK(lode_rules_run(rules, doc) == LODE_OK);
    char *out;
    size_t len;
    CHECK(lode_report_write_buffer(lode_rules_report(rules), "partial", "r.lua", &out, &len) == LODE_OK);
    CHECK(lode_report_read(r, out, len, "mem") == LODE_OK);
    CHECK(lode_report_read(r, out, len, "mem") == LODE_OK);
    lode_free(e, out);
    CHECK(lode_report_write_buffer(r, "json", NULL, &out, &len) == LODE_OK);
    CHECK(strstr(out, "\"key\": \"T\",\n          \"count\": 4") != NULL);
    lode_free(e, out);
    CHECK(lode_report_write_buffer(r, "pdf", NULL, &out, &len) == LODE_EMISUSE);
    CHECK(strstr(lode_errmsg(e), "unknown report format 'pdf'") != NULL);
    lode_doc_free(doc);
    lode_rules_free(rules);
    lode_report_free(r);
    lode_engine_free(e);
}

/* The records of a run, joined (one at a time here). */
static char *collected;

static int collect_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    (void)ud;
    (void)doc;
    free(collected);
    collected = malloc(len + 1);
    if (collected) {
        memcpy(collected, json, len);
        collected[len] = '\0';
    }
    return 0;
}

/* The sandbox caps a report's memory like the script's. */
static void memory_cap(void)
{
    lode_options o;
    lode_options_init(&o);
    o.sandbox.enabled = 1;
    o.sandbox.max_memory = (size_t)4 << 20;
    lode_engine *e = lode_engine_new(&o);
    const char *src = "return { document = function(doc, ctx) for i = 1, 1e7 do "
                      "ctx.report:count('k', ('%d'):format(i) .. ('x'):rep(40)) end end }";
    lode_rules *rules;
    CHECK(lode_rules_load_string(e, src, strlen(src), "r.lua", NULL, &rules) == LODE_OK);
    lode_doc *doc;
    CHECK(lode_doc_parse(e, "<p/>", 4, "d", NULL, &doc) == LODE_OK);
    int rc = lode_rules_run(rules, doc);
    CHECK(rc != LODE_OK);
    CHECK(strstr(lode_errmsg(e), "report memory limit reached") != NULL);
    lode_doc_free(doc);
    lode_rules_free(rules);
    /* Once over the cap (the error caught by the script), no aggregator
     * takes a new key -- counts and distinct sets alike -- while a key
     * already there may still be counted. */
    const char *src2 = "return { document = function(doc, ctx) local r = ctx.report\n"
                       "  local ok, err = true, nil\n"
                       "  for i = 1, 1e7 do ok, err = pcall(r.count, r, 'k', ('%d'):format(i) .. ('x'):rep(40))\n"
                       "    if not ok then break end end\n"
                       "  local ok2, err2 = pcall(r.count, r, 'k2', 'new key')\n"
                       "  local ok3, err3 = pcall(r.distinct, r, 'd', 'new key')\n"
                       "  local ok4 = pcall(r.count, r, 'k', '1' .. ('x'):rep(40))\n"
                       "  ctx:emit{ first = err, count = err2, distinct = err3, old_key = ok4, ok2 = ok2, ok3 = ok3 }\n"
                       "end }";
    CHECK(lode_doc_parse(e, "<p/>", 4, "d", NULL, &doc) == LODE_OK);
    lode_rules_options ro = {NULL, collect_record, NULL, NULL, NULL};
    CHECK(lode_rules_load_string(e, src2, strlen(src2), "r2.lua", &ro, &rules) == LODE_OK);
    CHECK_EQ_INT(lode_rules_run(rules, doc), LODE_OK);
    CHECK(collected && strstr(collected, "report 'k': report memory limit reached (4 MB)"));
    CHECK(collected && strstr(collected, "\"count\":\"report 'k2': report memory limit reached\""));
    CHECK(collected && strstr(collected, "\"distinct\":\"report 'd': report memory limit reached\""));
    CHECK(collected && strstr(collected, "\"old_key\":true"));
    CHECK(collected && strstr(collected, "\"ok2\":false") && strstr(collected, "\"ok3\":false"));
    if (collected)
        printf("#   %s\n", collected);
    free(collected);
    collected = NULL;
    lode_doc_free(doc);
    lode_rules_free(rules);
    lode_engine_free(e);
}

/* A top's limit is at least 1: report:top checks its argument (a Lua
 * error), and report_top_limit, which it calls, refuses on its own. */
static void top_limit(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_report *r = NULL;
    CHECK(lode_report_new(e, &r) == LODE_OK);
    char msg[300] = "";
    CHECK_EQ_INT(report_top_limit(r, "t", 0, msg, sizeof msg), -1);
    CHECK(strstr(msg, "report 't': top needs a limit of at least 1") != NULL);
    CHECK_EQ_INT(report_top_limit(r, "t", 3, msg, sizeof msg), 0);
    lode_report_free(r);
    const char *src = "return { document = function(doc, ctx) ctx.report:top('t', 'k', 0) end }";
    lode_rules *rules;
    CHECK(lode_rules_load_string(e, src, strlen(src), "t.lua", NULL, &rules) == LODE_OK);
    lode_doc *doc;
    CHECK(lode_doc_parse(e, "<p/>", 4, "d", NULL, &doc) == LODE_OK);
    CHECK_EQ_INT(lode_rules_run(rules, doc), LODE_ESCRIPT);
    CHECK(strstr(lode_errmsg(e), "bad argument #3 to 'top' (at least 1 expected)") != NULL);
    lode_doc_free(doc);
    lode_rules_free(rules);
    lode_engine_free(e);
}

/* Every allocation failure while adding, merging, viewing and writing
 * gives an error, never a crash or a leak. */

/* An engine whose allocator lets n allocations through and fails every one
 * after them (f: its counter, which the caller keeps); NULL if that failure
 * hit its making. */
static lode_engine *failing_engine(test_alloc *f, long n)
{
    *f = (test_alloc){.fail_at = n + 1, .persistent = 1};
    lode_options o;
    lode_options_init(&o);
    o.alloc = test_alloc_fn;
    o.alloc_ud = f;
    return lode_engine_new(&o);
}

static void oom(void)
{
    /* fail allocation n, for n = 0, 1, 2 ... until a run never reaches its
     * failure: then every allocation point has been failed once */
    long n, failures = 0, leaks = 0;
    int finished = 0;
    for (n = 0; n < 20000 && !finished; n++) {
        test_alloc f;
        lode_engine *e = failing_engine(&f, n);
        if (!e) {
            failures++;
            continue;
        }
        struct lode_report *a = report_new(e), *b = report_new(e);
        int ok = a && b;
        snprintf(err, sizeof err, "%s", ok ? "" : "out of memory");
        for (int i = 0; ok && i < 300; i++) {
            char key[16];
            snprintf(key, sizeof key, "k%d", i % 97);
            ok = report_count(a, REP_TOP, "t", key, strlen(key), 1, err, sizeof err) == 0 &&
                 report_distinct(b, "d", key, strlen(key), err, sizeof err) == 0 &&
                 report_histogram(b, "h", i, 20, NULL, 0, err, sizeof err) == 0;
        }
        if (ok)
            ok = report_merge(a, b, err, sizeof err) == 0;
        if (ok) {
            buf out;
            buf_init(&out, &e->mem);
            ok = report_render(a, "html", "t", &out, err, sizeof err) == 0 && buf_ok(&out) &&
                 report_write_partial(a, "t", &out) == 0 && buf_ok(&out);
            if (!buf_ok(&out) || (!ok && !*err))
                snprintf(err, sizeof err, "out of memory"); /* a buffer's growth failed */
            buf_free(&out);
        }
        if (!ok) {
            failures++;
            if (strcmp(err, "out of memory") != 0 && !strstr(err, "out of memory"))
                printf("#   allocation %ld: unexpected message '%s'\n", n, err);
        }
        finished = f.refused == 0; /* the failure point was never reached */
        report_free(a);
        report_free(b);
        lode_engine_free(e);
        leaks += !test_alloc_clean(&f);
    }
    printf("# %ld allocation points failed in turn, %ld runs ended in a clean error\n", n - 1, failures);
    CHECK(finished);
    CHECK(n > 20);
    CHECK(failures > 0);
    CHECK_EQ_INT(leaks, 0);
}

/* lode_report_read of partials that merge (a name on two lines, into a
 * report that has it), failing allocation n for every n: each ends in
 * LODE_OK or LODE_ENOMEM, never another status for a memory failure (the
 * status is told by the message, which a merge error rewrites). */
static void oom_read(void)
{
    const char *text =
        "{\"lode_report\":1,\"aggregators\":[{\"name\":\"c\",\"kind\":\"count\",\"entries\":[[\"a\",1],[\"b\",2]]},"
        "{\"name\":\"d\",\"kind\":\"distinct\",\"keys\":[\"x\",\"y\"]}]}\n"
        "{\"lode_report\":1,\"aggregators\":[{\"name\":\"c\",\"kind\":\"count\",\"entries\":[[\"c\",1],[\"d\",2]]},"
        "{\"name\":\"d\",\"kind\":\"distinct\",\"keys\":[\"z\",\"w\",\"v\"]}]}\n";
    long n, nomem = 0, other = 0, leaks = 0;
    int finished = 0;
    for (n = 0; n < 20000 && !finished; n++) {
        test_alloc f;
        lode_engine *e = failing_engine(&f, n);
        if (!e)
            continue;
        lode_report *r;
        if (lode_report_new(e, &r) == LODE_OK) {
            int rc = lode_report_read(r, text, strlen(text), "p");
            if (rc == LODE_ENOMEM)
                nomem++;
            else if (rc != LODE_OK) {
                if (!other)
                    printf("#   allocation %ld: status %d, '%s'\n", n, rc, lode_errmsg(e));
                other++;
            }
            lode_report_free(r);
        }
        finished = f.refused == 0;
        lode_engine_free(e);
        leaks += !test_alloc_clean(&f);
    }
    printf("# read: %ld allocation points failed in turn, %ld out of memory\n", n - 1, nomem);
    CHECK(finished);
    CHECK(nomem > 10);
    CHECK_EQ_INT(other, 0);
    CHECK_EQ_INT(leaks, 0);
}

int main(void)
{
    RUN(merge_algebra);
    RUN(views);
    RUN(hyperloglog);
    RUN(partial_errors);
    RUN(memory_cap);
    RUN(top_limit);
    RUN(oom);
    RUN(oom_read);
    return harness_done();
}
