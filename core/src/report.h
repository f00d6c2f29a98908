/* report.h -- mergeable reports: named aggregators filled by ctx.report.
 *
 * A report maps names to aggregators of one kind each:
 *   count      exact count per key (all keys are output)
 *   top        exact count per key (the top `limit` keys are output)
 *   sum        n and the sum of numbers
 *   stats      n, min, max, mean, stddev (Welford; merged with Chan et al.)
 *   histogram  values kept to 4 significant digits, binned at output into
 *              `bins` equal-width bins over [min, max], or into fixed edges
 *   distinct   exact set of keys up to REPORT_DISTINCT_EXACT, then a
 *              HyperLogLog estimate (p = 14: about 0.8 % standard error)
 * Keys are UTF-8 (invalid bytes are replaced by U+FFFD when added) and may
 * hold NUL bytes: they always travel with their length.
 *
 * Merging is exact for count/top/distinct/histogram/n/min/max and
 * associative and commutative; float sums, means and deviations are equal
 * up to rounding whatever the order, and every output but the partial
 * format prints them to 12 significant digits, so one run, -j N and shards
 * + merge give the same bytes (docs/lua-api.md, "Reports").
 *
 * The partial format (report_write_partial) is one line of JSON documented
 * in docs/reports.md; report_read_partial merges such lines into a report. */
#ifndef LODE_REPORT_H
#define LODE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "engine.h"

#define REPORT_PARTIAL_VERSION 1
#define REPORT_DISTINCT_EXACT 100000
#define REPORT_TOP_DEFAULT 10
#define REPORT_BINS_DEFAULT 20
#define REPORT_MAX_BINS 1000
#define REPORT_MAX_EDGES 1000

typedef enum rep_kind {
    REP_COUNT,
    REP_TOP,
    REP_SUM,
    REP_STATS,
    REP_HISTOGRAM,
    REP_DISTINCT
} rep_kind;

/* The name of a kind ("count", "top", ...), and back (-1 if unknown). */
const char *rep_kind_name(rep_kind k);
int rep_kind_parse(const char *s);

struct lode_report; /* lode.h: typedef struct lode_report lode_report */

/* Constructor/destructor (the public lode_report_new/free wrap these). */
struct lode_report *report_new(lode_engine *e);
void report_free(struct lode_report *r);
/* Empties r: no aggregator left (its limit stays). */
void report_clear(struct lode_report *r);

/* Adding.  Each returns 0, or -1 with a one-line message in err: the name
 * already holds another kind, a histogram's bins differ from its first
 * call, a count overflows int64, out of memory.  key is len bytes. */
int report_count(struct lode_report *r, rep_kind kind /* REP_COUNT or REP_TOP */, const char *name,
                 const char *key, size_t len, int64_t n, char *err, size_t errn);
/* report_count in two steps, for adding many keys to one aggregator:
 * report_agg finds (or makes) the aggregator and returns its index (-1 with
 * err, as report_count), which stays valid while no other name is added;
 * report_count_at adds to it. */
long report_agg(struct lode_report *r, rep_kind kind /* REP_COUNT or REP_TOP */, const char *name, char *err,
                size_t errn);
int report_count_at(struct lode_report *r, long at, const char *key, size_t len, int64_t n, char *err,
                    size_t errn);
/* top: the number of keys shown is the largest limit any call asked for
 * (REPORT_TOP_DEFAULT if none did). */
int report_top_limit(struct lode_report *r, const char *name, int64_t limit, char *err, size_t errn);
int report_sum(struct lode_report *r, const char *name, double x, char *err, size_t errn);
int report_stats(struct lode_report *r, const char *name, double x, char *err, size_t errn);
/* bins > 0: that many equal-width bins over the values' range; edges (n >=
 * 2, strictly ascending) instead: fixed bins [e0,e1) ... [e(n-2),e(n-1)],
 * values outside counted as under/overflow. */
int report_histogram(struct lode_report *r, const char *name, double x, int bins, const double *edges,
                     size_t nedges, char *err, size_t errn);
int report_distinct(struct lode_report *r, const char *name, const char *key, size_t len, char *err,
                    size_t errn);

/* Merges every aggregator of from into into (kinds must agree).  0 or -1. */
int report_merge(struct lode_report *into, const struct lode_report *from, char *err, size_t errn);

/* ------------------------------------------------------------------ */
/* Reading a report: views, the form renderers and Lua read from.      */
/* ------------------------------------------------------------------ */

typedef struct rep_entry {
    const char *key; /* borrowed from the report; UTF-8, may hold NUL */
    size_t len;
    int64_t count;
} rep_entry;

typedef struct rep_bin {
    double lo, hi; /* [lo, hi); the last bin is [lo, hi] */
    int64_t count;
} rep_bin;

typedef struct rep_view {
    const char *name;
    rep_kind kind;
    /* count, top: entries sorted by count descending, then key bytewise;
     * for top only the first `limit` of them (nentries <= limit).
     * total: sum of all counts (held at INT64_MAX/MIN rather than
     * overflow); nkeys: number of distinct keys. */
    rep_entry *entries;
    size_t nentries;
    int64_t total;
    size_t nkeys;
    int64_t limit;
    /* sum: n, sum.  stats: n, sum, min, max, mean, stddev (sample, n - 1;
     * 0 when n < 2).  histogram: n, min, max too.  n = 0: no values. */
    int64_t n;
    double sum, min, max, mean, stddev;
    /* histogram: bins in ascending order; under/over: values outside fixed
     * edges (always 0 for automatic bins). */
    rep_bin *bins;
    size_t nbins;
    int64_t under, over;
    /* distinct: the number of distinct keys, exact when exact != 0. */
    double distinct;
    int exact;
} rep_view;

/* The aggregators sorted by name, as views (allocated from r's engine).
 * Returns 0 or -1 (out of memory). */
int report_views(const struct lode_report *r, rep_view **out, size_t *n);
/* One view by name: 1 found, 0 not found, -1 out of memory. */
int report_view(const struct lode_report *r, const char *name, rep_view *out);
/* As report_view, when only the first `first` entries of a count are read
 * (0: all): those are in order, the rest follow in no order -- O(keys)
 * instead of sorting every key for a top 100. */
int report_view_first(const struct lode_report *r, const char *name, size_t first, rep_view *out);
/* report_view_first's first when no entry needs to be in order (reading a
 * count as a map, or only its totals): nothing is sorted. */
#define REPORT_VIEW_UNORDERED ((size_t)-1)
void report_view_clear(const struct lode_report *r, rep_view *v);
void report_views_free(const struct lode_report *r, rep_view *v, size_t n);
/* All keys of a count/top/distinct-exact aggregator, unsorted. Calls fn for
 * each; stops when fn returns non-zero.  0 if name is unknown. */
int report_each_key(const struct lode_report *r, const char *name,
                    int (*fn)(void *ud, const char *key, size_t len, int64_t count), void *ud);
size_t report_size(const struct lode_report *r); /* number of aggregators */
/* The name of aggregator i in name order (0 <= i < report_size), borrowed. */
const char *report_name_at(const struct lode_report *r, size_t i);
/* The kind of the aggregator called name, or -1. */
int report_kind_of(const struct lode_report *r, const char *name);
/* The count of key in a count/top aggregator: 0 with *out set (0 when the
 * name or key is unknown), -1 when name is another kind. */
int report_get_count(const struct lode_report *r, const char *name, const char *key, size_t len, int64_t *out);
/* Caps the memory the report's keys and tables may take (0: no cap; the
 * sandbox sets its max_memory).  Past it, adders fail with "report memory
 * limit reached". */
void report_set_limit(struct lode_report *r, size_t bytes);
lode_engine *report_engine(const struct lode_report *r);

/* ------------------------------------------------------------------ */
/* Writing and reading                                                  */
/* ------------------------------------------------------------------ */

/* Renders n views (as report_views gives them) as "json", "csv", "txt" or
 * "html" (report_render.c).  title names the report (the script) in
 * json/txt/html.  Returns 0, or -1 with err set (unknown format). */
int report_render_views(const rep_view *v, size_t n, const char *format, const char *title, buf *out,
                        char *err, size_t errn);

/* Renders r as "json", "csv", "txt" or "html" (report_render_views) or as
 * "partial" (the mergeable state, one JSON line).  title names the report
 * (the script) in json/txt/html.  Returns 0, or -1 with err set. */
int report_render(const struct lode_report *r, const char *format, const char *title, buf *out, char *err,
                  size_t errn);
/* The output format for a file name by its extension (.json .csv .txt
 * .html .htm), or NULL. */
const char *report_format_for(const char *path);

/* The partial format (report.c). */
int report_write_partial(const struct lode_report *r, const char *script, buf *out);
/* Merges every partial in data (one JSON object a line; blank lines are
 * skipped) into r.  name is used in messages ("NAME:LINE: ...").  Returns
 * 0, or -1 with err set; r may then hold part of the data. */
int report_read_partial(struct lode_report *r, const char *data, size_t len, const char *name, char *err,
                        size_t errn);

/* Number formatting shared by the renderers: 12 significant digits, an
 * integer-valued double without a fraction, NaN/inf as null (JSON) -- the
 * shortest text that is the same for every merge order. */
void report_number(buf *out, double x);

#endif
