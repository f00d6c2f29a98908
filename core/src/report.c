/* report.c -- mergeable reports: aggregators, merging, views, the partial
 * format and the public lode_report_* functions (see report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "fileio.h"
#include "lua_json.h"
#include "strmap.h"

#define HLL_P 14
#define HLL_M (1u << HLL_P)

typedef struct agg {
    char *name;
    rep_kind kind;
    strmap map;      /* count/top: key -> count; distinct: key -> 1 (while
                        exact); histogram: 8-byte double -> count */
    int64_t limit;   /* top: keys shown */
    /* sum, stats, histogram */
    int64_t n;
    double sum, comp; /* Neumaier-compensated sum: sum + comp */
    double mean, m2;  /* Welford's running mean and sum of squared deviations */
    double min, max;
    int all_int;      /* histogram: every value was an integer */
    /* histogram */
    int bins;         /* automatic: this many bins (0 with fixed edges) */
    double *edges;    /* fixed edges, or NULL */
    size_t nedges;
    int64_t *counts;  /* nedges - 1 counts for fixed edges */
    int64_t under, over;
    /* distinct */
    unsigned char *hll; /* HLL_M registers once the exact set is dropped */
    struct lode_report *owner;
} agg;

struct lode_report {
    lode_engine *e;
    agg *aggs;
    size_t n, cap;
    strmap index; /* name -> position in aggs */
    size_t bytes; /* an estimate of the memory keys take */
    size_t limit; /* cap on bytes (0: none) */
};

static const char *const kind_names[] = {"count", "top", "sum", "stats", "histogram", "distinct"};

const char *rep_kind_name(rep_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "?";
}

int rep_kind_parse(const char *s)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
        if (!strcmp(s, kind_names[i]))
            return (int)i;
    return -1;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t errn, const char *fmt, ...)
{
    if (err && errn) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errn, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int nomem(char *err, size_t errn)
{
    return fail(err, errn, "out of memory");
}

struct lode_report *report_new(lode_engine *e)
{
    struct lode_report *r = mem_alloc(&e->mem, sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    r->e = e;
    strmap_init(&r->index, &e->mem);
    return r;
}

static void agg_free(const mem *m, agg *a)
{
    mem_free(m, a->name);
    strmap_free(&a->map);
    mem_free(m, a->edges);
    mem_free(m, a->counts);
    mem_free(m, a->hll);
}

void report_free(struct lode_report *r)
{
    if (!r)
        return;
    const mem *m = &r->e->mem;
    for (size_t i = 0; i < r->n; i++)
        agg_free(m, &r->aggs[i]);
    mem_free(m, r->aggs);
    strmap_free(&r->index);
    mem_free(m, r);
}

void report_clear(struct lode_report *r)
{
    const mem *m = &r->e->mem;
    for (size_t i = 0; i < r->n; i++)
        agg_free(m, &r->aggs[i]);
    r->n = 0;
    strmap_free(&r->index);
    r->bytes = 0;
}

size_t report_size(const struct lode_report *r)
{
    return r->n;
}

void report_set_limit(struct lode_report *r, size_t bytes)
{
    r->limit = bytes;
}

lode_engine *report_engine(const struct lode_report *r)
{
    return r->e;
}

static agg *find(const struct lode_report *r, const char *name)
{
    strmap_slot *s = strmap_find(&r->index, name, strlen(name));
    return s ? &r->aggs[s->value] : NULL;
}

/* The aggregator called name, created with kind if new; NULL with err set
 * when it exists with another kind. */
static agg *get(struct lode_report *r, const char *name, rep_kind kind, char *err, size_t errn)
{
    agg *a = find(r, name);
    if (a) {
        if (a->kind != kind) {
            fail(err, errn, "report '%s' is a %s, not a %s", name, rep_kind_name(a->kind), rep_kind_name(kind));
            return NULL;
        }
        return a;
    }
    const mem *m = &r->e->mem;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        agg *v = mem_realloc(m, r->aggs, cap * sizeof *v);
        if (!v) {
            nomem(err, errn);
            return NULL;
        }
        r->aggs = v;
        r->cap = cap;
    }
    a = &r->aggs[r->n];
    memset(a, 0, sizeof *a);
    a->name = mem_strdup(m, name);
    int added;
    strmap_slot *s = a->name ? strmap_upsert(&r->index, name, strlen(name), &added) : NULL;
    if (!s) {
        mem_free(m, a->name);
        nomem(err, errn);
        return NULL;
    }
    s->value = (int64_t)r->n;
    a->kind = kind;
    a->owner = r;
    strmap_init(&a->map, m);
    a->min = INFINITY;
    a->max = -INFINITY;
    a->all_int = 1;
    a->limit = 0; /* top: no n asked for yet (REPORT_TOP_DEFAULT) */
    r->n++;
    return a;
}

/* Accounts for a new key; -1 past the report's memory cap. */
static int charge(agg *a, size_t len, char *err, size_t errn)
{
    struct lode_report *r = a->owner;
    r->bytes += len + 2 * sizeof(strmap_slot);
    if (r->limit && r->bytes > r->limit)
        return fail(err, errn, "report '%s': report memory limit reached (%zu MB)", a->name, r->limit >> 20);
    return 0;
}

/* Adds n to key's count; hash: the key's strmap hash if known (merging),
 * else 0 to compute it. */
static int add_count_h(agg *a, const char *key, size_t len, int64_t n, const uint32_t *hash, char *err,
                       size_t errn)
{
    int added;
    if (a->owner->limit && a->owner->bytes > a->owner->limit && !strmap_find(&a->map, key, len))
        return fail(err, errn, "report '%s': report memory limit reached", a->name);
    strmap_slot *s = hash ? strmap_upsert_hashed(&a->map, key, len, *hash, &added)
                          : strmap_upsert(&a->map, key, len, &added);
    if (!s)
        return len > UINT32_MAX ? fail(err, errn, "key too long") : nomem(err, errn);
    if (added && charge(a, len, err, errn) < 0) {
        s->value += n; /* keep the map consistent; the caller reports the error */
        return -1;
    }
    if ((n > 0 && s->value > INT64_MAX - n) || (n < 0 && s->value < INT64_MIN - n))
        return fail(err, errn, "report '%s': count overflows", a->name);
    s->value += n;
    return 0;
}

static int add_count(agg *a, const char *key, size_t len, int64_t n, char *err, size_t errn)
{
    return add_count_h(a, key, len, n, NULL, err, errn);
}

int report_count(struct lode_report *r, rep_kind kind, const char *name, const char *key, size_t len, int64_t n,
                 char *err, size_t errn)
{
    agg *a = get(r, name, kind, err, errn);
    return a ? add_count(a, key, len, n, err, errn) : -1;
}

long report_agg(struct lode_report *r, rep_kind kind, const char *name, char *err, size_t errn)
{
    agg *a = get(r, name, kind, err, errn);
    return a ? (long)(a - r->aggs) : -1;
}

int report_count_at(struct lode_report *r, long at, const char *key, size_t len, int64_t n, char *err,
                    size_t errn)
{
    return add_count(&r->aggs[at], key, len, n, err, errn);
}

int report_top_limit(struct lode_report *r, const char *name, int64_t limit, char *err, size_t errn)
{
    agg *a = get(r, name, REP_TOP, err, errn);
    if (!a)
        return -1;
    if (limit < 1)
        return fail(err, errn, "report '%s': top needs a limit of at least 1", name);
    if (limit > a->limit)
        a->limit = limit;
    return 0;
}

/* Neumaier's compensated summation: sum + comp holds the exact sum far
 * better than a plain running sum, so merge order barely matters. */
static void kahan_add(double *sum, double *comp, double x)
{
    double t = *sum + x;
    if (fabs(*sum) >= fabs(x))
        *comp += (*sum - t) + x;
    else
        *comp += (x - t) + *sum;
    *sum = t;
}

/* The running values (n to all_int) of sum, stats and histogram are
 * updated on a copy of the aggregator (values_add, values_merge), checked,
 * and only then stored (set_values): a sum or a spread that would leave
 * the range of a double is an error and leaves the report as it was, never
 * an infinity that a partial report could not hold. */
static void set_values(agg *a, const agg *t)
{
    a->n = t->n;
    a->sum = t->sum;
    a->comp = t->comp;
    a->mean = t->mean;
    a->m2 = t->m2;
    a->min = t->min;
    a->max = t->max;
    a->all_int = t->all_int;
}

static int values_fit(const agg *t, char *err, size_t errn)
{
    if (isfinite(t->sum) && isfinite(t->comp) && isfinite(t->mean) && isfinite(t->m2))
        return 0;
    return fail(err, errn, "report '%s': the sum or spread of its values is beyond the range of a double",
                t->name);
}

/* Adds x to t's running values (t: a copy; see set_values). */
static int values_add(agg *t, double x, char *err, size_t errn)
{
    if (t->n == INT64_MAX)
        return fail(err, errn, "report '%s': count overflows", t->name);
    t->n++;
    kahan_add(&t->sum, &t->comp, x);
    double d = x - t->mean;
    t->mean += d / (double)t->n;
    t->m2 += d * (x - t->mean);
    if (x < t->min)
        t->min = x;
    if (x > t->max)
        t->max = x;
    if (x != floor(x))
        t->all_int = 0;
    return values_fit(t, err, errn);
}

/* sum and stats keep the same state (add_value); only output differs. */
static int add_number(struct lode_report *r, rep_kind kind, const char *name, double x, char *err, size_t errn)
{
    if (!isfinite(x))
        return fail(err, errn, "report '%s': %s needs a finite number", name, rep_kind_name(kind));
    agg *a = get(r, name, kind, err, errn);
    if (!a)
        return -1;
    agg t = *a;
    if (values_add(&t, x, err, errn) < 0)
        return -1;
    set_values(a, &t);
    return 0;
}

int report_sum(struct lode_report *r, const char *name, double x, char *err, size_t errn)
{
    return add_number(r, REP_SUM, name, x, err, errn);
}

int report_stats(struct lode_report *r, const char *name, double x, char *err, size_t errn)
{
    return add_number(r, REP_STATS, name, x, err, errn);
}

/* x to 4 significant digits: the key automatic histograms keep. */
static double round4(double x)
{
    if (x == 0)
        return 0;
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.3e", x);
    return strtod(tmp, NULL);
}

static int hist_put(agg *a, double v, int64_t n, char *err, size_t errn)
{
    if (v == 0)
        v = 0; /* -0 and 0 are one key */
    char key[sizeof v];
    memcpy(key, &v, sizeof v);
    return add_count(a, key, sizeof key, n, err, errn);
}

/* Index of the fixed bin holding x, -1 under, -2 over. */
static long fixed_bin(const agg *a, double x)
{
    if (x < a->edges[0])
        return -1;
    if (x > a->edges[a->nedges - 1])
        return -2;
    size_t lo = 0, hi = a->nedges - 1; /* edges[lo] <= x, find last such lo < nedges-1 */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->edges[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

static int same_shape(const agg *a, int bins, const double *edges, size_t nedges)
{
    if (!edges)
        return !a->edges && a->bins == bins;
    if (!a->edges || a->nedges != nedges)
        return 0;
    return memcmp(a->edges, edges, nedges * sizeof *edges) == 0;
}

static int set_shape(const mem *m, agg *a, int bins, const double *edges, size_t nedges, char *err, size_t errn)
{
    if (!edges) {
        a->bins = bins;
        return 0;
    }
    a->edges = mem_alloc(m, nedges * sizeof *edges);
    a->counts = mem_alloc(m, (nedges - 1) * sizeof *a->counts);
    if (!a->edges || !a->counts) {
        /* both or neither: a histogram with edges but no counts would be
         * written through NULL by the next value, and the next call would
         * overwrite (leak) a lone counts block */
        mem_free(m, a->edges);
        mem_free(m, a->counts);
        a->edges = NULL;
        a->counts = NULL;
        return nomem(err, errn);
    }
    memcpy(a->edges, edges, nedges * sizeof *edges);
    memset(a->counts, 0, (nedges - 1) * sizeof *a->counts);
    a->nedges = nedges;
    return 0;
}

static int check_shape(const char *name, int bins, const double *edges, size_t nedges, char *err, size_t errn)
{
    if (edges) {
        if (nedges < 2 || nedges > REPORT_MAX_EDGES)
            return fail(err, errn, "report '%s': a histogram needs 2 to %d edges", name, REPORT_MAX_EDGES);
        for (size_t i = 0; i < nedges; i++) {
            if (!isfinite(edges[i]))
                return fail(err, errn, "report '%s': histogram edges must be finite numbers", name);
            if (i && !(edges[i] > edges[i - 1]))
                return fail(err, errn, "report '%s': histogram edges must be strictly ascending", name);
        }
        return 0;
    }
    if (bins < 1 || bins > REPORT_MAX_BINS)
        return fail(err, errn, "report '%s': a histogram needs 1 to %d bins", name, REPORT_MAX_BINS);
    return 0;
}

int report_histogram(struct lode_report *r, const char *name, double x, int bins, const double *edges,
                     size_t nedges, char *err, size_t errn)
{
    if (!isfinite(x))
        return fail(err, errn, "report '%s': histogram needs a finite number", name);
    if (check_shape(name, bins, edges, nedges, err, errn) < 0)
        return -1;
    agg *a = get(r, name, REP_HISTOGRAM, err, errn);
    if (!a)
        return -1;
    if (a->n == 0 && !a->edges && !a->bins) {
        if (set_shape(&r->e->mem, a, bins, edges, nedges, err, errn) < 0)
            return -1;
    } else if (!same_shape(a, bins, edges, nedges)) {
        return fail(err, errn, "report '%s': histogram bins differ from its first use", name);
    }
    agg t = *a;
    if (values_add(&t, x, err, errn) < 0)
        return -1;
    if (a->edges) { /* no bin count can pass n, which values_add checked */
        long b = fixed_bin(a, x);
        if (b == -1)
            a->under++;
        else if (b == -2)
            a->over++;
        else
            a->counts[b]++;
    } else if (hist_put(a, round4(x), 1, err, errn) < 0) {
        return -1;
    }
    set_values(a, &t);
    return 0;
}

static void hll_add(unsigned char *reg, uint64_t h)
{
    unsigned idx = (unsigned)(h >> (64 - HLL_P));
    uint64_t w = (h << HLL_P) | ((uint64_t)1 << (HLL_P - 1)); /* a guard bit caps the run */
    unsigned rho = (unsigned)__builtin_clzll(w) + 1;
    if (rho > reg[idx])
        reg[idx] = (unsigned char)rho;
}

static double hll_estimate(const unsigned char *reg)
{
    double m = HLL_M, sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < HLL_M; i++) {
        sum += ldexp(1.0, -(int)reg[i]);
        zeros += reg[i] == 0;
    }
    double alpha = 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros)
        e = m * log(m / zeros); /* linear counting for small cardinalities */
    return e;
}

/* Drops the exact set of a distinct aggregator for HyperLogLog registers. */
static int to_hll(const mem *m, agg *a, char *err, size_t errn)
{
    a->hll = mem_alloc(m, HLL_M);
    if (!a->hll)
        return nomem(err, errn);
    memset(a->hll, 0, HLL_M);
    for (size_t i = 0; i < a->map.cap; i++)
        if (a->map.slots[i].key)
            hll_add(a->hll, strmap_hash(a->map.slots[i].key, a->map.slots[i].len));
    strmap_free(&a->map);
    return 0;
}

static int distinct_add_h(const mem *m, agg *a, const char *key, size_t len, const uint32_t *hash, char *err,
                          size_t errn)
{
    if (a->hll) {
        hll_add(a->hll, strmap_hash(key, len));
        return 0;
    }
    int added;
    if (a->owner->limit && a->owner->bytes > a->owner->limit && !strmap_find(&a->map, key, len))
        return fail(err, errn, "report '%s': report memory limit reached", a->name);
    strmap_slot *s = hash ? strmap_upsert_hashed(&a->map, key, len, *hash, &added)
                          : strmap_upsert(&a->map, key, len, &added);
    if (!s)
        return nomem(err, errn);
    s->value = 1;
    if (added && charge(a, len, err, errn) < 0)
        return -1;
    if (a->map.n > REPORT_DISTINCT_EXACT)
        return to_hll(m, a, err, errn);
    return 0;
}

static int distinct_add(const mem *m, agg *a, const char *key, size_t len, char *err, size_t errn)
{
    return distinct_add_h(m, a, key, len, NULL, err, errn);
}

int report_distinct(struct lode_report *r, const char *name, const char *key, size_t len, char *err,
                    size_t errn)
{
    agg *a = get(r, name, REP_DISTINCT, err, errn);
    return a ? distinct_add(&r->e->mem, a, key, len, err, errn) : -1;
}

/* ------------------------------------------------------------------ */
/* merging                                                             */
/* ------------------------------------------------------------------ */

/* Merges b's running values into t (a copy; see set_values): Chan et
 * al.'s pairwise update of n, mean and M2, plus sum/min/max. */
static int values_merge(agg *t, const agg *b, char *err, size_t errn)
{
    if (!b->n)
        return 0;
    if (!t->n) {
        set_values(t, b);
        return 0;
    }
    if (b->n > INT64_MAX - t->n)
        return fail(err, errn, "report '%s': count overflows", t->name);
    double na = (double)t->n, nb = (double)b->n, n = na + nb;
    double d = b->mean - t->mean;
    t->mean = t->mean + d * nb / n;
    t->m2 = t->m2 + b->m2 + d * d * na * nb / n;
    t->n += b->n;
    kahan_add(&t->sum, &t->comp, b->sum);
    t->comp += b->comp;
    if (b->min < t->min)
        t->min = b->min;
    if (b->max > t->max)
        t->max = b->max;
    t->all_int = t->all_int && b->all_int;
    return values_fit(t, err, errn);
}

/* Whether c + d fits (bin counts, never negative). */
static int count_fits(int64_t c, int64_t d)
{
    return d <= INT64_MAX - c;
}

static int merge_agg(const mem *m, agg *a, const agg *b, char *err, size_t errn)
{
    switch (a->kind) {
    case REP_TOP:
        if (b->limit > a->limit)
            a->limit = b->limit;
        /* fall through */
    case REP_COUNT:
        for (size_t i = 0; i < b->map.cap; i++) {
            const strmap_slot *s = &b->map.slots[i];
            if (s->key && add_count_h(a, s->key, s->len, s->value, &s->hash, err, errn) < 0)
                return -1;
        }
        return 0;
    case REP_SUM:
    case REP_STATS: {
        agg t = *a;
        if (values_merge(&t, b, err, errn) < 0)
            return -1;
        set_values(a, &t);
        return 0;
    }
    case REP_HISTOGRAM: {
        if (!a->n && !a->edges && !a->bins) {
            if (set_shape(m, a, b->bins, b->edges, b->nedges, err, errn) < 0)
                return -1;
        } else if (b->n || b->edges || b->bins) {
            if (!same_shape(a, b->bins, b->edges, b->nedges))
                return fail(err, errn, "report '%s': histograms with different bins cannot be merged", a->name);
        }
        agg t = *a;
        if (values_merge(&t, b, err, errn) < 0)
            return -1;
        if (a->edges && b->edges) { /* b without edges is empty (same_shape) */
            int fits = count_fits(a->under, b->under) && count_fits(a->over, b->over);
            for (size_t i = 0; fits && i + 1 < a->nedges; i++)
                fits = count_fits(a->counts[i], b->counts[i]);
            if (!fits)
                return fail(err, errn, "report '%s': count overflows", a->name);
            for (size_t i = 0; i + 1 < a->nedges; i++)
                a->counts[i] += b->counts[i];
            a->under += b->under;
            a->over += b->over;
        } else if (!a->edges) {
            for (size_t i = 0; i < b->map.cap; i++) {
                const strmap_slot *s = &b->map.slots[i];
                if (s->key && add_count(a, s->key, s->len, s->value, err, errn) < 0)
                    return -1;
            }
        }
        set_values(a, &t);
        return 0;
    }
    case REP_DISTINCT:
        if (b->hll && !a->hll && to_hll(m, a, err, errn) < 0)
            return -1;
        if (b->hll) {
            for (unsigned i = 0; i < HLL_M; i++)
                if (b->hll[i] > a->hll[i])
                    a->hll[i] = b->hll[i];
            return 0;
        }
        for (size_t i = 0; i < b->map.cap; i++) {
            const strmap_slot *s = &b->map.slots[i];
            if (s->key && distinct_add_h(m, a, s->key, s->len, &s->hash, err, errn) < 0)
                return -1;
        }
        return 0;
    }
    return 0;
}

int report_merge(struct lode_report *into, const struct lode_report *from, char *err, size_t errn)
{
    for (size_t i = 0; i < from->n; i++) {
        const agg *b = &from->aggs[i];
        agg *a = get(into, b->name, b->kind, err, errn);
        if (!a || merge_agg(&into->e->mem, a, b, err, errn) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* views                                                               */
/* ------------------------------------------------------------------ */

static int entry_cmp(const void *x, const void *y)
{
    const rep_entry *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->key, b->key, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Moves the k entries that sort first to v[0..k) (in any order):
 * quickselect with Hoare's partition around the lower middle element, which
 * always splits [lo, hi) into two non-empty parts; O(n) on average, so a
 * top-30 of a million keys does not sort the million. */
static void select_first(rep_entry *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the boundary k lies in (lo, hi) */
    while (k > lo && k < hi && hi - lo > 1) {
        rep_entry pivot = v[lo + (hi - 1 - lo) / 2];
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (entry_cmp(&v[i], &pivot) < 0)
                i++;
            while (entry_cmp(&v[j], &pivot) > 0)
                j--;
            if (i >= j)
                break;
            rep_entry t = v[i];
            v[i] = v[j];
            v[j] = t;
            i++;
            j--;
        }
        /* v[lo..j] sort before or equal to v[j+1..hi), both non-empty */
        if (k <= j + 1)
            hi = j + 1;
        else
            lo = j + 1;
    }
}

/* A "nice" bin width (1, 2 or 5 times a power of ten) at least w. */
static double nice_step(double w)
{
    double p = pow(10, floor(log10(w)));
    const double steps[] = {1, 2, 5, 10};
    for (size_t i = 0; i < 4; i++)
        if (steps[i] * p >= w * (1 - 1e-12))
            return steps[i] * p;
    return 10 * p;
}

/* a + b, held at INT64_MAX or INT64_MIN where it would overflow: each
 * count is checked when added, but a total over many keys (or a partial
 * from elsewhere) can exceed int64 range. */
static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static int hist_view(const mem *m, const agg *a, rep_view *v)
{
    if (a->edges) {
        v->nbins = a->nedges - 1;
        v->bins = mem_alloc(m, v->nbins * sizeof *v->bins);
        if (!v->bins)
            return -1;
        for (size_t i = 0; i < v->nbins; i++)
            v->bins[i] = (rep_bin){a->edges[i], a->edges[i + 1], a->counts[i]};
        v->under = a->under;
        v->over = a->over;
        return 0;
    }
    if (!a->n)
        return 0;
    double lo = a->min, hi = a->max, step;
    size_t nb;
    if (hi == lo) {
        step = a->all_int ? 1 : 0;
        nb = 1;
    } else {
        step = nice_step((hi - lo) / a->bins);
        if (a->all_int && step < 1)
            step = 1;
        lo = floor(a->min / step) * step;
        double span = (hi - lo) / step;
        if (!(span >= 0)) { /* NaN: a range wider than a double holds (-1e308 .. 1e308) */
            nb = 1; /* one bin from min to max */
            step = 0;
            lo = a->min;
        } else if (span >= (double)REPORT_MAX_BINS) {
            nb = REPORT_MAX_BINS;
        } else {
            nb = (size_t)floor(span) + 1;
            if (floor(span) == span && nb > 1)
                nb--; /* max on the last edge: it belongs to the closed last bin */
        }
    }
    v->bins = mem_alloc(m, nb * sizeof *v->bins);
    if (!v->bins)
        return -1;
    for (size_t i = 0; i < nb; i++) {
        v->bins[i].lo = step ? lo + (double)i * step : lo;
        v->bins[i].hi = step ? lo + (double)(i + 1) * step : hi;
        v->bins[i].count = 0;
    }
    v->nbins = nb;
    for (size_t i = 0; i < a->map.cap; i++) {
        const strmap_slot *s = &a->map.slots[i];
        if (!s->key)
            continue;
        double x;
        memcpy(&x, s->key, sizeof x);
        size_t b = 0;
        if (step) {
            double f = floor((x - lo) / step);
            b = f >= (double)nb ? nb - 1 : f > 0 ? (size_t)f : 0; /* NaN: bin 0 */
        }
        v->bins[b].count = sat_add(v->bins[b].count, s->value);
    }
    return 0;
}

/* first: of a count's entries only the first `first` are wanted in order
 * (0: all of them; REPORT_VIEW_UNORDERED: none). */
static int make_view(const struct lode_report *r, const agg *a, rep_view *v, size_t first)
{
    const mem *m = &r->e->mem;
    memset(v, 0, sizeof *v);
    v->name = a->name;
    v->kind = a->kind;
    v->n = a->n;
    v->sum = a->sum + a->comp;
    v->min = a->n ? a->min : NAN;
    v->max = a->n ? a->max : NAN;
    v->mean = a->n ? v->sum / (double)a->n : NAN;
    v->stddev = a->n > 1 ? sqrt(fmax(a->m2, 0) / (double)(a->n - 1)) : 0;
    switch (a->kind) {
    case REP_COUNT:
    case REP_TOP: {
        size_t n = a->map.n;
        v->entries = mem_alloc(m, (n ? n : 1) * sizeof *v->entries);
        if (!v->entries)
            return -1;
        size_t k = 0;
        for (size_t i = 0; i < a->map.cap; i++) {
            const strmap_slot *s = &a->map.slots[i];
            if (!s->key)
                continue;
            v->entries[k++] = (rep_entry){s->key, s->len, s->value};
            v->total = sat_add(v->total, s->value);
        }
        v->nkeys = k;
        v->nentries = k;
        v->limit = a->limit ? a->limit : REPORT_TOP_DEFAULT;
        if (first == REPORT_VIEW_UNORDERED) {
            if (a->kind == REP_TOP && (int64_t)k > v->limit)
                v->nentries = (size_t)v->limit; /* which ones: unspecified */
        } else if (a->kind == REP_TOP && (int64_t)k > v->limit) {
            /* only the first `limit` are shown: select them, sort those;
             * the rest follow unsorted (Lua's get() reads them as a map) */
            v->nentries = (size_t)v->limit;
            select_first(v->entries, k, v->nentries);
            qsort(v->entries, v->nentries, sizeof *v->entries, entry_cmp);
        } else if (first && first < k) {
            /* entries(name, n) of a count: the same, for n */
            select_first(v->entries, k, first);
            qsort(v->entries, first, sizeof *v->entries, entry_cmp);
        } else {
            qsort(v->entries, k, sizeof *v->entries, entry_cmp);
        }
        return 0;
    }
    case REP_HISTOGRAM:
        return hist_view(m, a, v);
    case REP_DISTINCT:
        v->exact = a->hll == NULL;
        v->distinct = a->hll ? round(hll_estimate(a->hll)) : (double)a->map.n;
        return 0;
    default:
        return 0;
    }
}

void report_view_clear(const struct lode_report *r, rep_view *v)
{
    mem_free(&r->e->mem, v->entries);
    mem_free(&r->e->mem, v->bins);
    memset(v, 0, sizeof *v);
}

void report_views_free(const struct lode_report *r, rep_view *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        report_view_clear(r, &v[i]);
    mem_free(&r->e->mem, v);
}

static int agg_name_cmp(const void *x, const void *y)
{
    return strcmp((*(const agg *const *)x)->name, (*(const agg *const *)y)->name);
}

/* The aggregators in name order (an array from mem_alloc). */
static const agg **sorted(const struct lode_report *r)
{
    const agg **v = mem_alloc(&r->e->mem, (r->n ? r->n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < r->n; i++)
        v[i] = &r->aggs[i];
    qsort(v, r->n, sizeof *v, agg_name_cmp);
    return v;
}

const char *report_name_at(const struct lode_report *r, size_t i)
{
    if (i >= r->n)
        return NULL;
    const agg **s = sorted(r);
    if (!s)
        return NULL;
    const char *name = s[i]->name;
    mem_free(&r->e->mem, s);
    return name;
}

int report_kind_of(const struct lode_report *r, const char *name)
{
    const agg *a = find(r, name);
    return a ? (int)a->kind : -1;
}

int report_get_count(const struct lode_report *r, const char *name, const char *key, size_t len, int64_t *out)
{
    *out = 0;
    const agg *a = find(r, name);
    if (!a)
        return 0;
    if (a->kind != REP_COUNT && a->kind != REP_TOP)
        return -1;
    const strmap_slot *s = strmap_find(&a->map, key, len);
    *out = s ? s->value : 0;
    return 0;
}

int report_views(const struct lode_report *r, rep_view **out, size_t *n)
{
    const mem *m = &r->e->mem;
    *out = NULL;
    *n = 0;
    const agg **s = sorted(r);
    rep_view *v = s ? mem_alloc(m, (r->n ? r->n : 1) * sizeof *v) : NULL;
    if (!v) {
        mem_free(m, s);
        return -1;
    }
    memset(v, 0, (r->n ? r->n : 1) * sizeof *v);
    for (size_t i = 0; i < r->n; i++) {
        if (make_view(r, s[i], &v[i], 0) < 0) {
            report_views_free(r, v, i + 1);
            mem_free(m, s);
            return -1;
        }
    }
    mem_free(m, s);
    *out = v;
    *n = r->n;
    return 0;
}

int report_view(const struct lode_report *r, const char *name, rep_view *out)
{
    return report_view_first(r, name, 0, out);
}

int report_view_first(const struct lode_report *r, const char *name, size_t first, rep_view *out)
{
    const agg *a = find(r, name);
    if (!a)
        return 0;
    if (make_view(r, a, out, first) < 0) {
        report_view_clear(r, out);
        return -1;
    }
    return 1;
}

int report_each_key(const struct lode_report *r, const char *name,
                    int (*fn)(void *ud, const char *key, size_t len, int64_t count), void *ud)
{
    const agg *a = find(r, name);
    if (!a || a->kind == REP_SUM || a->kind == REP_STATS || a->kind == REP_HISTOGRAM || a->hll)
        return 0;
    for (size_t i = 0; i < a->map.cap; i++) {
        const strmap_slot *s = &a->map.slots[i];
        if (s->key && fn(ud, s->key, s->len, s->value))
            return 0;
    }
    return 0;
}

int report_render(const struct lode_report *r, const char *format, const char *title, buf *out, char *err,
                  size_t errn)
{
    if (!strcmp(format, "partial"))
        return report_write_partial(r, title, out) < 0 ? nomem(err, errn) : 0;
    rep_view *v;
    size_t n;
    if (report_views(r, &v, &n) < 0)
        return nomem(err, errn);
    int rc = report_render_views(v, n, format, title, out, err, errn);
    report_views_free(r, v, n);
    return rc;
}

/* ------------------------------------------------------------------ */
/* the partial format                                                  */
/* ------------------------------------------------------------------ */

/* Doubles exactly (17 significant digits round-trip). */
static void put_double(buf *out, double x)
{
    if (x == floor(x) && fabs(x) < 9007199254740992.0)
        buf_printf(out, "%.0f", x == 0 ? 0.0 : x);
    else
        buf_printf(out, "%.17g", x);
}

static int slot_cmp(const void *x, const void *y)
{
    const strmap_slot *a = *(const strmap_slot *const *)x, *b = *(const strmap_slot *const *)y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->key, b->key, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* The map's slots sorted by key (for deterministic partials). */
static const strmap_slot **sorted_slots(const mem *m, const strmap *s)
{
    const strmap_slot **v = mem_alloc(m, (s->n ? s->n : 1) * sizeof *v);
    if (!v)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].key)
            v[k++] = &s->slots[i];
    qsort(v, k, sizeof *v, slot_cmp);
    return v;
}

static int put_values(buf *out, const agg *a)
{
    buf_printf(out, ",\"n\":%lld,\"sum\":", (long long)a->n);
    put_double(out, a->sum);
    buf_puts(out, ",\"comp\":");
    put_double(out, a->comp);
    buf_puts(out, ",\"mean\":");
    put_double(out, a->mean);
    buf_puts(out, ",\"m2\":");
    put_double(out, a->m2);
    if (a->n) {
        buf_puts(out, ",\"min\":");
        put_double(out, a->min);
        buf_puts(out, ",\"max\":");
        put_double(out, a->max);
    }
    buf_printf(out, ",\"all_int\":%s", a->all_int ? "true" : "false");
    return 0;
}

int report_write_partial(const struct lode_report *r, const char *script, buf *out)
{
    const mem *m = &r->e->mem;
    const agg **s = sorted(r);
    if (!s)
        return -1;
    buf_printf(out, "{\"lode_report\":%d,\"script\":", REPORT_PARTIAL_VERSION);
    if (script)
        ljson_string(out, script, strlen(script));
    else
        buf_puts(out, "null");
    buf_puts(out, ",\"aggregators\":[");
    for (size_t i = 0; i < r->n; i++) {
        const agg *a = s[i];
        if (i)
            buf_putc(out, ',');
        buf_puts(out, "{\"name\":");
        ljson_string(out, a->name, strlen(a->name));
        buf_printf(out, ",\"kind\":\"%s\"", rep_kind_name(a->kind));
        if (a->kind == REP_TOP)
            buf_printf(out, ",\"limit\":%lld", (long long)a->limit);
        if (a->kind == REP_SUM || a->kind == REP_STATS || a->kind == REP_HISTOGRAM)
            put_values(out, a);
        if (a->kind == REP_HISTOGRAM) {
            if (a->edges) {
                buf_puts(out, ",\"edges\":[");
                for (size_t k = 0; k < a->nedges; k++) {
                    if (k)
                        buf_putc(out, ',');
                    put_double(out, a->edges[k]);
                }
                buf_puts(out, "],\"counts\":[");
                for (size_t k = 0; k + 1 < a->nedges; k++)
                    buf_printf(out, "%s%lld", k ? "," : "", (long long)a->counts[k]);
                buf_printf(out, "],\"under\":%lld,\"over\":%lld", (long long)a->under, (long long)a->over);
            } else {
                buf_printf(out, ",\"bins\":%d", a->bins);
            }
        }
        if (a->kind == REP_DISTINCT && a->hll) {
            static const char hex[] = "0123456789abcdef";
            buf_puts(out, ",\"hll\":\"");
            for (unsigned k = 0; k < HLL_M; k++) {
                buf_putc(out, hex[a->hll[k] >> 4]);
                buf_putc(out, hex[a->hll[k] & 15]);
            }
            buf_putc(out, '"');
        } else if (a->kind == REP_COUNT || a->kind == REP_TOP || a->kind == REP_DISTINCT ||
                   (a->kind == REP_HISTOGRAM && !a->edges)) {
            const strmap_slot **ks = sorted_slots(m, &a->map);
            if (!ks) {
                mem_free(m, s);
                return -1;
            }
            buf_puts(out, a->kind == REP_DISTINCT ? ",\"keys\":[" : a->kind == REP_HISTOGRAM ? ",\"values\":["
                                                                                              : ",\"entries\":[");
            for (size_t k = 0; k < a->map.n; k++) {
                if (k)
                    buf_putc(out, ',');
                if (a->kind == REP_DISTINCT) {
                    ljson_string(out, ks[k]->key, ks[k]->len);
                    continue;
                }
                buf_putc(out, '[');
                if (a->kind == REP_HISTOGRAM) {
                    double x;
                    memcpy(&x, ks[k]->key, sizeof x);
                    put_double(out, x);
                } else {
                    ljson_string(out, ks[k]->key, ks[k]->len);
                }
                buf_printf(out, ",%lld]", (long long)ks[k]->value);
            }
            buf_putc(out, ']');
            mem_free(m, ks);
        }
        buf_putc(out, '}');
    }
    buf_puts(out, "]}\n");
    mem_free(m, s);
    return buf_ok(out) ? 0 : -1;
}

/* Reading partials: every field is checked, so a damaged or hand-edited
 * file is an error naming the line and the aggregator, never a wrong
 * report. */
typedef struct pread {
    const char *name;
    long line;
    char *err;
    size_t errn;
    const char *agg;
} pread;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int pfail(pread *p, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->agg)
        return fail(p->err, p->errn, "%s:%ld: aggregator '%s': %s", p->name, p->line, p->agg, msg);
    return fail(p->err, p->errn, "%s:%ld: %s", p->name, p->line, msg);
}

static int num(pread *p, json_t *o, const char *key, double *out, int required)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            return pfail(p, "missing \"%s\"", key);
        return 0;
    }
    if (!json_is_number(v))
        return pfail(p, "\"%s\" must be a number", key);
    *out = json_number_value(v);
    return isfinite(*out) ? 0 : pfail(p, "\"%s\" must be finite", key);
}

static int integer(pread *p, json_t *o, const char *key, int64_t *out, int64_t min)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        return pfail(p, "\"%s\" must be an integer", key);
    *out = json_integer_value(v);
    return *out >= min ? 0 : pfail(p, "\"%s\" must be at least %lld", key, (long long)min);
}

static int read_values(pread *p, json_t *o, agg *a)
{
    if (integer(p, o, "n", &a->n, 0) < 0 || num(p, o, "sum", &a->sum, 1) < 0 || num(p, o, "comp", &a->comp, 1) < 0 ||
        num(p, o, "mean", &a->mean, 1) < 0 || num(p, o, "m2", &a->m2, 1) < 0)
        return -1;
    if (a->n && (num(p, o, "min", &a->min, 1) < 0 || num(p, o, "max", &a->max, 1) < 0))
        return -1;
    if (a->n && a->min > a->max)
        return pfail(p, "\"min\" is greater than \"max\"");
    if (!a->n && (a->sum != 0 || a->comp != 0 || a->mean != 0 || a->m2 != 0))
        return pfail(p, "\"n\" is 0 but the other values are not");
    if (a->m2 < 0)
        return pfail(p, "\"m2\" must not be negative");
    json_t *ai = json_object_get(o, "all_int");
    if (!json_is_boolean(ai))
        return pfail(p, "\"all_int\" must be true or false");
    a->all_int = json_is_true(ai);
    return 0;
}

static int read_agg(pread *p, const mem *m, json_t *o, agg *a)
{
    char *err = p->err;
    size_t errn = p->errn;
    if (a->kind == REP_TOP && integer(p, o, "limit", &a->limit, 0) < 0)
        return -1;
    if ((a->kind == REP_SUM || a->kind == REP_STATS || a->kind == REP_HISTOGRAM) && read_values(p, o, a) < 0)
        return -1;
    if (a->kind == REP_HISTOGRAM) {
        json_t *edges = json_object_get(o, "edges");
        if (edges) {
            size_t ne = json_array_size(edges);
            json_t *counts = json_object_get(o, "counts");
            if (!json_is_array(edges) || ne < 2 || ne > REPORT_MAX_EDGES || !json_is_array(counts) ||
                json_array_size(counts) != ne - 1)
                return pfail(p, "\"edges\" and \"counts\" do not fit together");
            double *ev = mem_alloc(m, ne * sizeof *ev);
            if (!ev)
                return nomem(err, errn);
            for (size_t i = 0; i < ne; i++)
                ev[i] = json_is_number(json_array_get(edges, i)) ? json_number_value(json_array_get(edges, i)) : NAN;
            int rc = check_shape(a->name, 0, ev, ne, err, errn);
            if (rc == 0)
                rc = set_shape(m, a, 0, ev, ne, err, errn);
            mem_free(m, ev);
            if (rc < 0)
                return rc;
            for (size_t i = 0; i + 1 < ne; i++) {
                json_t *c = json_array_get(counts, i);
                if (!json_is_integer(c) || json_integer_value(c) < 0)
                    return pfail(p, "\"counts\" must hold counts");
                a->counts[i] = json_integer_value(c);
            }
            if (integer(p, o, "under", &a->under, 0) < 0 || integer(p, o, "over", &a->over, 0) < 0)
                return -1;
            int64_t total = a->under;
            int fits = count_fits(total, a->over);
            total += fits ? a->over : 0;
            for (size_t i = 0; fits && i + 1 < ne; i++) {
                fits = count_fits(total, a->counts[i]);
                total += fits ? a->counts[i] : 0;
            }
            if (!fits || total != a->n)
                return pfail(p, "\"counts\", \"under\" and \"over\" do not add up to \"n\"");
        } else {
            int64_t bins;
            if (integer(p, o, "bins", &bins, 1) < 0)
                return -1;
            if (bins > REPORT_MAX_BINS)
                return pfail(p, "\"bins\" is above %d", REPORT_MAX_BINS);
            a->bins = (int)bins;
            json_t *vals = json_object_get(o, "values");
            if (!json_is_array(vals))
                return pfail(p, "\"values\" must be an array");
            size_t i;
            json_t *pair;
            int64_t total = 0;
            json_array_foreach(vals, i, pair) {
                json_t *x = json_array_get(pair, 0), *c = json_array_get(pair, 1);
                if (json_array_size(pair) != 2 || !json_is_number(x) || !json_is_integer(c) ||
                    json_integer_value(c) < 0 || !isfinite(json_number_value(x)))
                    return pfail(p, "\"values\"[%zu] must be [number, count]", i);
                if (!count_fits(total, json_integer_value(c)))
                    return pfail(p, "\"values\" add up to more than \"n\"");
                total += json_integer_value(c);
                if (hist_put(a, json_number_value(x), json_integer_value(c), err, errn) < 0)
                    return -1;
            }
            if (total != a->n)
                return pfail(p, "\"values\" do not add up to \"n\"");
        }
        return 0;
    }
    if (a->kind == REP_DISTINCT) {
        json_t *hll = json_object_get(o, "hll");
        if (hll) {
            const char *h = json_string_value(hll);
            if (!h || json_string_length(hll) != 2 * HLL_M)
                return pfail(p, "\"hll\" must be %u hex digits", 2 * HLL_M);
            if (to_hll(m, a, err, errn) < 0)
                return -1;
            for (unsigned i = 0; i < HLL_M; i++) {
                char two[3] = {h[2 * i], h[2 * i + 1], 0}, *end;
                unsigned long v = strtoul(two, &end, 16);
                if (*end || v > 64 - HLL_P + 1)
                    return pfail(p, "\"hll\" holds a bad register");
                a->hll[i] = (unsigned char)v;
            }
            return 0;
        }
        json_t *keys = json_object_get(o, "keys");
        if (!json_is_array(keys))
            return pfail(p, "\"keys\" must be an array");
        size_t i;
        json_t *k;
        json_array_foreach(keys, i, k) {
            if (!json_is_string(k))
                return pfail(p, "\"keys\"[%zu] must be a string", i);
            if (distinct_add(m, a, json_string_value(k), json_string_length(k), err, errn) < 0)
                return -1;
        }
        return 0;
    }
    if (a->kind == REP_COUNT || a->kind == REP_TOP) {
        json_t *entries = json_object_get(o, "entries");
        if (!json_is_array(entries))
            return pfail(p, "\"entries\" must be an array");
        size_t i;
        json_t *pair;
        json_array_foreach(entries, i, pair) {
            json_t *k = json_array_get(pair, 0), *c = json_array_get(pair, 1);
            if (json_array_size(pair) != 2 || !json_is_string(k) || !json_is_integer(c))
                return pfail(p, "\"entries\"[%zu] must be [key, count]", i);
            if (add_count(a, json_string_value(k), json_string_length(k), json_integer_value(c), err, errn) < 0)
                return -1;
        }
    }
    return 0;
}

/* A merge's message ("report 'NAME': what") with the file, line and
 * aggregator in front instead of the "report 'NAME': " of its own.  "out
 * of memory" stays as it is: lode_report_read tells it by its text. */
static int merge_failed(pread *p)
{
    if (!p->errn || !strcmp(p->err, "out of memory"))
        return -1;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", p->err);
    size_t n = strlen(p->agg);
    const char *what = msg;
    if (!strncmp(msg, "report '", 8) && !strncmp(msg + 8, p->agg, n) && !strncmp(msg + 8 + n, "': ", 3))
        what += 8 + n + 3;
    return pfail(p, "%s", what);
}

static int read_line(struct lode_report *r, pread *p, const char *line, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!root)
        return pfail(p, "%d: not JSON: %s", je.column, je.text);
    int rc = 0;
    json_t *ver = json_object_get(root, "lode_report");
    json_t *aggs = json_object_get(root, "aggregators");
    if (!json_is_integer(ver)) {
        rc = pfail(p, "not a lode partial report (no \"lode_report\" version)");
    } else if (json_integer_value(ver) != REPORT_PARTIAL_VERSION) {
        rc = pfail(p, "partial report version %lld; this lode reads version %d", (long long)json_integer_value(ver),
                   REPORT_PARTIAL_VERSION);
    } else if (!json_is_array(aggs)) {
        rc = pfail(p, "\"aggregators\" must be an array");
    }
    const mem *m = &r->e->mem;
    size_t i;
    json_t *o;
    if (rc == 0) {
        json_array_foreach(aggs, i, o) {
            p->agg = NULL;
            const char *name = json_string_value(json_object_get(o, "name"));
            const char *kind = json_string_value(json_object_get(o, "kind"));
            int k = kind ? rep_kind_parse(kind) : -1;
            if (!name || k < 0 || strlen(name) != json_string_length(json_object_get(o, "name"))) {
                rc = pfail(p, "aggregator %zu needs a \"name\" and a known \"kind\"", i);
                break;
            }
            p->agg = name;
            /* read into a fresh aggregator, then merge: the same code path as
             * merging reports, with all its checks */
            struct lode_report *one = report_new(r->e);
            agg *a = one ? get(one, name, (rep_kind)k, p->err, p->errn) : NULL;
            if (!a)
                rc = one ? -1 : nomem(p->err, p->errn);
            else if (read_agg(p, m, o, a) < 0)
                rc = -1;
            else if (report_merge(r, one, p->err, p->errn) < 0)
                rc = merge_failed(p);
            report_free(one);
            if (rc < 0)
                break;
        }
    }
    json_decref(root);
    return rc;
}

int report_read_partial(struct lode_report *r, const char *data, size_t len, const char *name, char *err,
                        size_t errn)
{
    pread p = {name ? name : "<partial>", 0, err, errn, NULL};
    size_t pos = 0;
    int any = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        p.line++;
        size_t a = pos, b = end;
        while (a < b && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r'))
            a++;
        if (a < b) {
            any = 1;
            p.agg = NULL;
            if (read_line(r, &p, data + a, b - a) < 0)
                return -1;
        }
        pos = end + 1;
    }
    if (!any)
        return fail(err, errn, "%s: no partial report in it", p.name);
    return 0;
}

/* ------------------------------------------------------------------ */
/* public API                                                          */
/* ------------------------------------------------------------------ */

int lode_report_new(lode_engine *engine, lode_report **out)
{
    if (!out)
        return LODE_EMISUSE;
    *out = NULL;
    if (!engine)
        return LODE_EMISUSE;
    *out = report_new(engine);
    if (!*out)
        return engine_error(engine, LODE_ENOMEM, "out of memory");
    return LODE_OK;
}

void lode_report_free(lode_report *report)
{
    report_free(report);
}

static int report_status(lode_engine *e, const char *err)
{
    return engine_error(e, !strcmp(err, "out of memory") ? LODE_ENOMEM : LODE_ERROR, "%s", err);
}

int lode_report_merge(lode_report *into, const lode_report *from)
{
    if (!into || !from)
        return LODE_EMISUSE;
    char err[600];
    if (report_merge(into, from, err, sizeof err) < 0)
        return report_status(into->e, err);
    return LODE_OK;
}

int lode_report_read(lode_report *into, const void *data, size_t len, const char *name)
{
    if (!into || (!data && len))
        return LODE_EMISUSE;
    char err[800];
    if (report_read_partial(into, data ? data : "", len, name, err, sizeof err) < 0) {
        int code = !strcmp(err, "out of memory") ? LODE_ENOMEM : LODE_EPARSE;
        return engine_error(into->e, code, "%s", err);
    }
    return LODE_OK;
}

int lode_report_write_buffer(const lode_report *report, const char *format, const char *title, char **out,
                             size_t *len)
{
    if (!report || !format || !out)
        return LODE_EMISUSE;
    *out = NULL;
    buf b;
    buf_init(&b, &report->e->mem);
    char err[256];
    if (report_render(report, format, title, &b, err, sizeof err) < 0 || !buf_ok(&b)) {
        buf_free(&b);
        if (!strcmp(err, "out of memory") || !buf_ok(&b))
            return engine_error(report->e, LODE_ENOMEM, "out of memory");
        return engine_error(report->e, LODE_EMISUSE, "%s", err);
    }
    size_t n;
    *out = buf_detach(&b, &n);
    if (!*out)
        return engine_error(report->e, LODE_ENOMEM, "out of memory");
    if (len)
        *len = n;
    return LODE_OK;
}

int lode_report_save(const lode_report *report, const char *format, const char *title, const char *path)
{
    if (!report || !path)
        return LODE_EMISUSE;
    if (!format)
        format = report_format_for(path);
    if (!format)
        return engine_error(report->e, LODE_EMISUSE,
                            "%s: cannot tell the report format from the name (.json .csv .txt .html)", path);
    char *data;
    size_t len;
    int rc = lode_report_write_buffer(report, format, title, &data, &len);
    if (rc != LODE_OK)
        return rc;
    rc = fileio_write_atomic(report->e, path, data, len);
    mem_free(&report->e->mem, data);
    return rc;
}
