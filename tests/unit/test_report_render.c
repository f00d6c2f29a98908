/* test_report_render.c -- the report renderers (report_render.c): numbers,
 * JSON, CSV, txt and HTML from hand-made views, with hostile keys.
 *
 * Only report_render_views, report_format_for and report_number are used:
 * the views are fabricated here, so these tests pin the renderers and not
 * the aggregators.  Each format is read back by a real parser (jansson, an
 * RFC 4180 reader below, libxml2's HTML and XML parsers) rather than
 * compared with a golden file, and each allocation is failed in turn to
 * check the "out of memory" path (no leak, no partial success). */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <utf8proc.h>

#include "harness.h"
#include "test_alloc.h"

#include "buf.h"
#include "mem.h"
#include "report.h"

static const mem test_mem = {mem_default_alloc, NULL};

/* ---- fixtures ------------------------------------------------------------ */

#define K(s) {s, sizeof s - 1, 0}

static rep_entry hostile[] = {
    K("plain"),
    K("a\0b"),
    K("quote\"back\\slash"),
    K("line\nbreak\r\ttab"),
    K("ls\xE2\x80\xA8ps\xE2\x80\xA9"),
    K("</script><script>alert(1)</script>"),
    K("<b>bold</b> & 'q'"),
    K("=cmd()"),
    K("-5"),
    K("+1"),
    K("@SUM(A1)"),
    K("a,b"),
    K(""),
    K("\x01\x1b[31mred\x7f"),
    K("\xE2\x80\xAE" "evil"),
    K("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x82\xAD\xE3\x83\xBC"), /* 日本語のキー */
    K("e\xCC\x81t\xC3\xA9"),
    K("0123456789012345678901234567890123456789012345678901234567890123456789-long"),
    K("\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD"
      "\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD"
      "\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD"
      "\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD\xE5\xAE\xBD"),
    K("bad\xFFutf8"),
};
#define NHOSTILE (sizeof hostile / sizeof hostile[0])
#define BAD_INDEX (NHOSTILE - 1) /* the ill-formed key: U+FFFD in every output */

static rep_entry words[45];
static char word_text[45][16];
static rep_bin auto_bins[20];
static rep_bin fixed_bins[3] = {{0, 10, 4}, {10, 100, 7}, {100, 1000, 2}};

enum { V_HOSTILE, V_TOP, V_SUM, V_STATS, V_EMPTY_STATS, V_HIST, V_FIXED, V_EMPTY_HIST, V_EXACT,
       V_ESTIMATE, V_NAME, NVIEWS };
static rep_view views[NVIEWS];

static void make_views(void)
{
    memset(views, 0, sizeof views);
    int64_t total = 0;
    for (size_t i = 0; i < NHOSTILE; i++) {
        hostile[i].count = (int64_t)(NHOSTILE - i) * 3;
        total += hostile[i].count;
    }
    views[V_HOSTILE] = (rep_view){.name = "hostile keys", .kind = REP_COUNT, .entries = hostile,
                                  .nentries = NHOSTILE, .total = total, .nkeys = NHOSTILE};

    total = 0;
    for (size_t i = 0; i < 45; i++) {
        snprintf(word_text[i], sizeof word_text[i], "word%02zu", i);
        words[i] = (rep_entry){word_text[i], strlen(word_text[i]), (int64_t)(5000 - i * 100)};
        total += words[i].count;
    }
    total += 777; /* keys past the limit */
    views[V_TOP] = (rep_view){.name = "words", .kind = REP_TOP, .entries = words, .nentries = 45,
                              .total = total, .nkeys = 120, .limit = 45};

    views[V_SUM] = (rep_view){.name = "bytes", .kind = REP_SUM, .n = 3, .sum = 0.1 + 0.2};
    views[V_STATS] = (rep_view){.name = "length", .kind = REP_STATS, .n = 4, .sum = 1234567.0,
                                .min = -3, .max = 1e21, .mean = 1.0 / 3, .stddev = 2.5};
    views[V_EMPTY_STATS] = (rep_view){.name = "nothing", .kind = REP_STATS, .n = 0, .min = INFINITY,
                                      .max = -INFINITY, .mean = NAN};

    int64_t n = 0;
    for (size_t i = 0; i < 20; i++) {
        auto_bins[i] = (rep_bin){(double)i * 2.5, (double)(i + 1) * 2.5,
                                 (int64_t)(i < 10 ? i * i * 7 : (20 - i) * (20 - i) * 6)};
        n += auto_bins[i].count;
    }
    views[V_HIST] = (rep_view){.name = "sizes", .kind = REP_HISTOGRAM, .n = n, .min = 0, .max = 50,
                               .bins = auto_bins, .nbins = 20};
    views[V_FIXED] = (rep_view){.name = "fixed", .kind = REP_HISTOGRAM, .n = 16, .min = -4, .max = 2000,
                                .bins = fixed_bins, .nbins = 3, .under = 1, .over = 2};
    views[V_EMPTY_HIST] = (rep_view){.name = "no values", .kind = REP_HISTOGRAM};
    views[V_EXACT] = (rep_view){.name = "authors", .kind = REP_DISTINCT, .distinct = 42, .exact = 1};
    views[V_ESTIMATE] = (rep_view){.name = "urls", .kind = REP_DISTINCT, .distinct = 1234567.25};
    static rep_entry one[] = {{"x", 1, 1}};
    views[V_NAME] = (rep_view){.name = "<img src=x onerror=alert(1)>\n=evil", .kind = REP_COUNT,
                               .entries = one, .nentries = 1, .total = 1, .nkeys = 1};
}

/* Renders all views; the caller frees the returned string with free(). */
static char *render(const char *format, size_t *len)
{
    buf b;
    buf_init(&b, &test_mem);
    char err[128] = "";
    int rc = report_render_views(views, NVIEWS, format, "Report <&> \"t\"", &b, err, sizeof err);
    if (rc != 0)
        printf("# render %s: %s\n", format, err);
    size_t n = 0;
    char *p = buf_detach(&b, &n);
    char *copy = p ? malloc(n + 1) : NULL;
    if (copy) {
        memcpy(copy, p, n + 1);
        *len = n;
    }
    mem_free(&test_mem, p);
    return rc == 0 ? copy : (free(copy), NULL);
}

static size_t count_str(const char *s, size_t len, const char *needle)
{
    size_t n = 0, nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++)
        if (memcmp(s + i, needle, nl) == 0)
            n++;
    return n;
}

/* ---- numbers ------------------------------------------------------------- */

static char numtext[64];
static const char *num(double x)
{
    buf b;
    buf_init(&b, &test_mem);
    report_number(&b, x);
    snprintf(numtext, sizeof numtext, "%s", b.ptr ? b.ptr : "(oom)");
    buf_free(&b);
    return numtext;
}

static void test_numbers(void)
{
    volatile double a = 0.1, b = 0.2; /* no constant folding surprises */
    CHECK_EQ_STR(num(a + b), "0.3");
    CHECK_EQ_STR(num(1e21), "1e+21");
    CHECK_EQ_STR(num(-1e21), "-1e+21");
    CHECK_EQ_STR(num(1234567), "1234567");
    CHECK_EQ_STR(num(-1234567), "-1234567");
    CHECK_EQ_STR(num(1e15), "1000000000000000");
    CHECK_EQ_STR(num(NAN), "null");
    CHECK_EQ_STR(num(INFINITY), "null");
    CHECK_EQ_STR(num(-INFINITY), "null");
    CHECK_EQ_STR(num(-0.0), "0");
    CHECK_EQ_STR(num(0.0), "0");
    CHECK_EQ_STR(num(0.5), "0.5");
    CHECK_EQ_STR(num(-2.25), "-2.25");
    CHECK_EQ_STR(num(1.0 / 3), "0.333333333333");
    CHECK_EQ_STR(num(1e-7), "1e-07");
    CHECK_EQ_STR(num(0.000123), "0.000123");
    CHECK_EQ_STR(num(1e100), "1e+100");
    /* 12 significant digits: a sum that differs in the last bits by merge
     * order prints the same, and rounds to an integer when it is one */
    CHECK_EQ_STR(num(0.30000000000000004), "0.3");
    CHECK_EQ_STR(num(2.9999999999999996), "3");
    /* integral values below 2^53 are exact in a double and printed whole */
    CHECK_EQ_STR(num(123456789012345.0), "123456789012345");
    CHECK_EQ_STR(num(9007199254740991.0), "9007199254740991"); /* 2^53 - 1 */
    CHECK_EQ_STR(num(9007199254740992.0), "9007199254740000"); /* 2^53: 12 digits again */
    CHECK_EQ_STR(num(18014398509481984.0), "1.80143985095e+16"); /* 2^54 */
    CHECK_EQ_STR(num(1234567.891), "1234567.891");
    /* Not locale-dependent: a comma locale still gets '.', if one is
     * installed (the check is skipped otherwise). */
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
        CHECK_EQ_STR(num(0.5), "0.5");
        CHECK_EQ_STR(num(1.5e-7), "1.5e-07");
        setlocale(LC_NUMERIC, "C");
    }
}

static void test_format_for(void)
{
    CHECK_EQ_STR(report_format_for("r.json"), "json");
    CHECK_EQ_STR(report_format_for("out/r.CSV"), "csv");
    CHECK_EQ_STR(report_format_for("r.txt"), "txt");
    CHECK_EQ_STR(report_format_for("a.b/r.Html"), "html");
    CHECK_EQ_STR(report_format_for("r.htm"), "html");
    CHECK(report_format_for("r.xml") == NULL);
    CHECK(report_format_for("json") == NULL);
    CHECK(report_format_for("dir.json/r") == NULL);
    CHECK(report_format_for("r.jsonl") == NULL);
    CHECK(report_format_for("r.") == NULL);
    CHECK(report_format_for(NULL) == NULL);
}

static void test_unknown_format(void)
{
    buf b;
    buf_init(&b, &test_mem);
    char err[128] = "";
    CHECK_EQ_INT(report_render_views(views, NVIEWS, "xml", "t", &b, err, sizeof err), -1);
    CHECK_EQ_STR(err, "unknown report format 'xml' (json, csv, txt, html)");
    CHECK_EQ_INT(report_render_views(views, NVIEWS, "JSON", "t", &b, err, sizeof err), -1);
    CHECK_EQ_INT(report_render_views(views, NVIEWS, "partial", "t", &b, NULL, 0), -1);
    CHECK_EQ_INT(b.len, 0);
    buf_free(&b);
}

/* ---- json ---------------------------------------------------------------- */

static void test_json(void)
{
    size_t len = 0;
    char *s = render("json", &len);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK(len > 0 && s[len - 1] == '\n');
    const char *head = "{\n  \"title\": \"Report <&> \\\"t\\\"\",\n  \"aggregators\": [\n    {\n";
    CHECK(strncmp(s, head, strlen(head)) == 0);
    CHECK(strstr(s, "a\\u0000b") != NULL);
    CHECK(strstr(s, "line\\u000Abreak\\u000D\\u0009tab") != NULL);
    CHECK(strstr(s, "quote\\\"back\\\\slash") != NULL);
    CHECK(strstr(s, "ls\\u2028ps\\u2029") != NULL);
    CHECK(strstr(s, "\xE2\x80\xA8") == NULL); /* no raw U+2028 anywhere */
    CHECK(strstr(s, "</script") == NULL);
    CHECK(strstr(s, "<\\/script>") != NULL);
    CHECK(memchr(s, '\0', len) == NULL);
    CHECK(strstr(s, "\"sum\": 0.3") != NULL);
    CHECK(strstr(s, "\"max\": 1e+21") != NULL);

    json_error_t jerr;
    json_t *root = json_loadb(s, len, JSON_ALLOW_NUL, &jerr);
    if (!CHECK(root != NULL))
        printf("#   %s at line %d col %d\n", jerr.text, jerr.line, jerr.column);
    if (root) {
        CHECK_EQ_STR(json_string_value(json_object_get(root, "title")), "Report <&> \"t\"");
        json_t *aggs = json_object_get(root, "aggregators");
        CHECK_EQ_INT(json_array_size(aggs), NVIEWS);

        json_t *h = json_array_get(aggs, V_HOSTILE);
        CHECK_EQ_STR(json_string_value(json_object_get(h, "name")), "hostile keys");
        CHECK_EQ_STR(json_string_value(json_object_get(h, "kind")), "count");
        CHECK_EQ_INT(json_integer_value(json_object_get(h, "keys")), NHOSTILE);
        CHECK(json_object_get(h, "limit") == NULL);
        json_t *entries = json_object_get(h, "entries");
        CHECK_EQ_INT(json_array_size(entries), NHOSTILE);
        int same = 1;
        for (size_t i = 0; i < NHOSTILE; i++) {
            json_t *e = json_array_get(entries, i);
            json_t *k = json_object_get(e, "key");
            const char *want = hostile[i].key;
            size_t wlen = hostile[i].len;
            if (i == BAD_INDEX) {
                want = "bad\xEF\xBF\xBDutf8";
                wlen = strlen(want);
            }
            if (json_string_length(k) != wlen || memcmp(json_string_value(k), want, wlen) != 0 ||
                json_integer_value(json_object_get(e, "count")) != hostile[i].count) {
                printf("#   key %zu does not round-trip\n", i);
                same = 0;
            }
        }
        CHECK(same);

        json_t *top = json_array_get(aggs, V_TOP);
        CHECK_EQ_STR(json_string_value(json_object_get(top, "kind")), "top");
        CHECK_EQ_INT(json_integer_value(json_object_get(top, "limit")), 45);
        CHECK_EQ_INT(json_integer_value(json_object_get(top, "keys")), 120);
        CHECK_EQ_INT(json_array_size(json_object_get(top, "entries")), 45);

        json_t *sum = json_array_get(aggs, V_SUM);
        CHECK_EQ_INT(json_integer_value(json_object_get(sum, "n")), 3);
        CHECK(json_real_value(json_object_get(sum, "sum")) == 0.3);

        json_t *st = json_array_get(aggs, V_STATS);
        CHECK(json_number_value(json_object_get(st, "min")) == -3);
        CHECK(json_number_value(json_object_get(st, "max")) == 1e21);
        CHECK(json_number_value(json_object_get(st, "stddev")) == 2.5);
        CHECK(json_is_integer(json_object_get(st, "sum"))); /* 1234567, not 1.234567e+06 */

        json_t *es = json_array_get(aggs, V_EMPTY_STATS);
        CHECK(json_is_null(json_object_get(es, "min")));
        CHECK(json_is_null(json_object_get(es, "max")));
        CHECK(json_is_null(json_object_get(es, "mean")));
        CHECK_EQ_INT(json_integer_value(json_object_get(es, "n")), 0);

        json_t *fx = json_array_get(aggs, V_FIXED);
        json_t *bins = json_object_get(fx, "bins");
        CHECK_EQ_INT(json_array_size(bins), 3);
        CHECK(json_number_value(json_object_get(json_array_get(bins, 1), "lo")) == 10);
        CHECK(json_number_value(json_object_get(json_array_get(bins, 1), "hi")) == 100);
        CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(bins, 2), "count")), 2);
        CHECK_EQ_INT(json_integer_value(json_object_get(fx, "under")), 1);
        CHECK_EQ_INT(json_integer_value(json_object_get(fx, "over")), 2);

        json_t *eh = json_array_get(aggs, V_EMPTY_HIST);
        CHECK(json_is_null(json_object_get(eh, "min")));
        CHECK_EQ_INT(json_array_size(json_object_get(eh, "bins")), 0);

        CHECK(json_is_true(json_object_get(json_array_get(aggs, V_EXACT), "exact")));
        CHECK(json_is_false(json_object_get(json_array_get(aggs, V_ESTIMATE), "exact")));
        CHECK(json_number_value(json_object_get(json_array_get(aggs, V_ESTIMATE), "distinct")) == 1234567.25);
        CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(aggs, V_NAME), "name")),
                     "<img src=x onerror=alert(1)>\n=evil");
        json_decref(root);
    }
    free(s);
}

/* An empty report is still one valid document in every format. */
static void test_empty_report(void)
{
    const char *formats[] = {"json", "csv", "txt", "html"};
    for (size_t f = 0; f < 4; f++) {
        buf b;
        buf_init(&b, &test_mem);
        char err[128] = "";
        CHECK_EQ_INT(report_render_views(NULL, 0, formats[f], NULL, &b, err, sizeof err), 0);
        CHECK(b.len > 0);
        if (f == 0 && b.ptr) {
            json_t *root = json_loadb(b.ptr, b.len, 0, NULL);
            CHECK(root && json_is_null(json_object_get(root, "title")) &&
                  json_array_size(json_object_get(root, "aggregators")) == 0);
            json_decref(root);
        }
        if (f == 1 && b.ptr)
            CHECK_EQ_STR(b.ptr, "name,kind,key,value\r\n");
        buf_free(&b);
    }
}

/* ---- csv ----------------------------------------------------------------- */

#define CSV_MAXF 8
typedef struct csv_rec {
    char *f[CSV_MAXF];
    size_t flen[CSV_MAXF];
    int n;
} csv_rec;

/* A strict RFC 4180 reader: records end in CRLF, quoted fields double their
 * quotes, an unquoted field may not hold '"', CR or LF.  Returns the record
 * count, or -1 on a syntax error.  Fields are malloc'd (free_csv). */
static long read_csv(const char *s, size_t len, csv_rec *recs, size_t maxrecs)
{
    size_t i = 0;
    long nrec = 0;
    while (i < len) {
        if ((size_t)nrec == maxrecs)
            return -1;
        csv_rec *r = &recs[nrec++];
        r->n = 0;
        for (;;) {
            if (r->n == CSV_MAXF)
                return -1;
            char *f = malloc(len + 1);
            size_t fl = 0;
            r->f[r->n] = f;
            r->flen[r->n] = 0;
            r->n++;
            if (i < len && s[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len)
                        return -1;
                    if (s[i] == '"') {
                        if (i + 1 < len && s[i + 1] == '"') {
                            f[fl++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    f[fl++] = s[i++];
                }
            } else {
                while (i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n') {
                    if (s[i] == '"')
                        return -1;
                    f[fl++] = s[i++];
                }
            }
            f[fl] = '\0';
            r->flen[r->n - 1] = fl;
            if (i < len && s[i] == ',') {
                i++;
                continue;
            }
            if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n') {
                i += 2;
                break;
            }
            return -1; /* a bare CR or LF, or no CRLF at the end */
        }
    }
    return nrec;
}

static void free_csv(csv_rec *recs, long n)
{
    for (long r = 0; r < n; r++)
        for (int f = 0; f < recs[r].n; f++)
            free(recs[r].f[f]);
}

static const csv_rec *csv_find(const csv_rec *recs, long n, const char *name, const char *key)
{
    for (long r = 0; r < n; r++)
        if (recs[r].n == 4 && strcmp(recs[r].f[0], name) == 0 && strcmp(recs[r].f[2], key) == 0)
            return &recs[r];
    return NULL;
}

static long csv_rows_of(const csv_rec *recs, long n, const char *name)
{
    long k = 0;
    for (long r = 0; r < n; r++)
        if (recs[r].n > 0 && strcmp(recs[r].f[0], name) == 0)
            k++;
    return k;
}

static void test_csv(void)
{
    size_t len = 0;
    char *s = render("csv", &len);
    CHECK(s != NULL);
    if (!s)
        return;
    static csv_rec recs[400];
    memset(recs, 0, sizeof recs);
    long n = read_csv(s, len, recs, 400);
    CHECK(n > 0);
    if (n <= 0) {
        free(s);
        return;
    }
    CHECK(recs[0].n == 4 && strcmp(recs[0].f[0], "name") == 0 && strcmp(recs[0].f[1], "kind") == 0 &&
          strcmp(recs[0].f[2], "key") == 0 && strcmp(recs[0].f[3], "value") == 0);
    int four = 1;
    for (long r = 0; r < n; r++)
        four &= recs[r].n == 4;
    CHECK(four);
    CHECK(memchr(s, '\0', len) == NULL);

    /* rows per aggregator */
    CHECK_EQ_INT(csv_rows_of(recs, n, "hostile keys"), NHOSTILE);
    CHECK_EQ_INT(csv_rows_of(recs, n, "words"), 45);
    CHECK_EQ_INT(csv_rows_of(recs, n, "bytes"), 2);
    CHECK_EQ_INT(csv_rows_of(recs, n, "length"), 6);
    CHECK_EQ_INT(csv_rows_of(recs, n, "nothing"), 6);
    CHECK_EQ_INT(csv_rows_of(recs, n, "sizes"), 20);
    CHECK_EQ_INT(csv_rows_of(recs, n, "fixed"), 5); /* 3 bins, under, over */
    CHECK_EQ_INT(csv_rows_of(recs, n, "no values"), 0);
    CHECK_EQ_INT(csv_rows_of(recs, n, "authors"), 2);
    CHECK_EQ_INT(csv_rows_of(recs, n, "urls"), 2);
    CHECK_EQ_INT(n, 1 + NHOSTILE + 45 + 2 + 6 + 6 + 20 + 5 + 0 + 2 + 2 + 1);

    /* escaping and the formula guard */
    const csv_rec *r;
    char want[32];
    snprintf(want, sizeof want, "%lld", (long long)hostile[11].count);
    CHECK((r = csv_find(recs, n, "hostile keys", "a,b")) && strcmp(r->f[3], want) == 0);
    CHECK(csv_find(recs, n, "hostile keys", "quote\"back\\slash") != NULL);
    CHECK(csv_find(recs, n, "hostile keys", "line\nbreak\r\ttab") != NULL);
    CHECK(csv_find(recs, n, "hostile keys", "'=cmd()") != NULL);
    CHECK(csv_find(recs, n, "hostile keys", "'-5") != NULL);
    CHECK(csv_find(recs, n, "hostile keys", "'+1") != NULL);
    CHECK(csv_find(recs, n, "hostile keys", "'@SUM(A1)") != NULL);
    CHECK(csv_find(recs, n, "hostile keys", "=cmd()") == NULL);
    CHECK(csv_find(recs, n, "hostile keys", "a\xEF\xBF\xBD" "b") != NULL); /* NUL -> U+FFFD */
    CHECK(csv_find(recs, n, "hostile keys", "bad\xEF\xBF\xBDutf8") != NULL);
    CHECK(csv_find(recs, n, "hostile keys", "<b>bold</b> & 'q'") != NULL);
    CHECK(csv_find(recs, n, "hostile keys", "") != NULL);
    CHECK(strstr(s, "\r\n\"hostile keys\"") == NULL); /* only quoted when needed */
    CHECK(strstr(s, "\"line\nbreak\r\ttab\"") != NULL);
    CHECK(csv_find(recs, n, "'<img src=x onerror=alert(1)>\n=evil", "x") == NULL); /* starts with '<' */
    CHECK(csv_find(recs, n, "<img src=x onerror=alert(1)>\n=evil", "x") != NULL);
    /* numbers are never guarded */
    CHECK((r = csv_find(recs, n, "length", "min")) && strcmp(r->f[3], "-3") == 0);
    CHECK((r = csv_find(recs, n, "length", "sum")) && strcmp(r->f[3], "1234567") == 0);
    CHECK((r = csv_find(recs, n, "length", "max")) && strcmp(r->f[3], "1e+21") == 0);
    CHECK((r = csv_find(recs, n, "length", "mean")) && strcmp(r->f[3], "0.333333333333") == 0);
    CHECK((r = csv_find(recs, n, "bytes", "sum")) && strcmp(r->f[3], "0.3") == 0);
    CHECK((r = csv_find(recs, n, "nothing", "min")) && strcmp(r->f[3], "null") == 0);
    CHECK((r = csv_find(recs, n, "fixed", "[0,10)")) && strcmp(r->f[3], "4") == 0);
    CHECK((r = csv_find(recs, n, "fixed", "[100,1000]")) && strcmp(r->f[3], "2") == 0);
    CHECK((r = csv_find(recs, n, "fixed", "under")) && strcmp(r->f[3], "1") == 0);
    CHECK((r = csv_find(recs, n, "fixed", "over")) && strcmp(r->f[3], "2") == 0);
    CHECK((r = csv_find(recs, n, "sizes", "[47.5,50]")) != NULL);
    CHECK((r = csv_find(recs, n, "authors", "distinct")) && strcmp(r->f[3], "42") == 0 &&
          strcmp(r->f[1], "distinct") == 0);
    CHECK((r = csv_find(recs, n, "authors", "exact")) && strcmp(r->f[3], "true") == 0);
    CHECK((r = csv_find(recs, n, "urls", "exact")) && strcmp(r->f[3], "false") == 0);
    CHECK((r = csv_find(recs, n, "urls", "distinct")) && strcmp(r->f[3], "1234567.25") == 0);
    free_csv(recs, n);
    free(s);
}

/* ---- txt ----------------------------------------------------------------- */

/* Display columns of s: code points, East Asian wide as 2 (utf8proc). */
static size_t columns(const char *s, size_t len)
{
    size_t w = 0, i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return SIZE_MAX;
        int cw = utf8proc_charwidth(cp);
        w += cw > 0 ? (size_t)cw : 0;
        i += (size_t)n;
    }
    return w;
}

static void test_txt(void)
{
    size_t len = 0;
    char *s = render("txt", &len);
    CHECK(s != NULL);
    if (!s)
        return;
    const char *head = "Report <&> \"t\"\n==============\n\n";
    CHECK(strncmp(s, head, strlen(head)) == 0);
    /* No raw control character but the line ends: keys cannot break rows. */
    int clean = 1;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
            clean = 0;
    CHECK(clean);
    CHECK(strstr(s, "\xE2\x80\xA8") == NULL && strstr(s, "\xE2\x80\xAE") == NULL);
    CHECK(strstr(s, "line\\nbreak\\r\\ttab") != NULL);
    CHECK(strstr(s, "a\\x00b") != NULL);
    CHECK(strstr(s, "\\x01\\x1B[31mred\\x7F") != NULL);
    CHECK(strstr(s, "\\u202Eevil") != NULL);
    CHECK(strstr(s, "ls\\u2028ps\\u2029") != NULL);
    CHECK(strstr(s, "bad\xEF\xBF\xBDutf8") != NULL);
    /* the 76-column key is cut to 59 columns plus an ellipsis */
    CHECK(strstr(s, "01234567890123456789012345678901234567890123456789012345678\xE2\x80\xA6 ") != NULL);
    CHECK(strstr(s, "-long") == NULL);
    CHECK(strstr(s, "\n<img src=x onerror=alert(1)>\\n=evil (count)\n") != NULL);
    CHECK(strstr(s, "(75 other keys)") != NULL);
    CHECK(strstr(s, "\nurls (distinct)\n  distinct  1234567.25  (estimate, HyperLogLog \xC2\xB1" "0.8 %)\n") != NULL);
    CHECK(strstr(s, "\nauthors (distinct)\n  distinct  42  (exact)\n") != NULL);
    CHECK(strstr(s, "\n  (empty)  ") != NULL);

    /* Sections: a heading "name (kind)", then table rows up to a blank
     * line; every row of a section has the same display width. */
    size_t sections = 0, bad_width = 0, rows = 0;
    const char *p = strstr(s, "\n\n");
    while (p && *p) {
        p += 2;
        const char *end = strstr(p, "\n\n");
        if (!end)
            end = s + len;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        CHECK(nl > p && nl[-1] == ')'); /* "name (kind)" */
        sections++;
        size_t width = SIZE_MAX;
        for (const char *line = nl + 1; line < end;) {
            const char *e = memchr(line, '\n', (size_t)(end - line));
            if (!e)
                e = end;
            size_t w = columns(line, (size_t)(e - line));
            if (width == SIZE_MAX)
                width = w;
            else if (w != width) {
                bad_width++;
                printf("#   width %zu, not %zu: %.*s\n", w, width, (int)(e - line), line);
            }
            CHECK(strncmp(line, "  ", 2) == 0);
            rows++;
            line = e + 1;
        }
        p = end;
    }
    CHECK_EQ_INT(sections, NVIEWS);
    CHECK_EQ_INT(bad_width, 0);
    CHECK(rows > NHOSTILE + 45);
    CHECK(strstr(s, "  total: 120 keys  ") != NULL);
    free(s);
}

/* ---- html ---------------------------------------------------------------- */

static int html_errors;
static void on_xml_error(void *ud, xmlErrorPtr e)
{
    (void)ud;
    /* libxml2's HTML parser knows HTML 4 only: <section>, <svg> and the
     * like are "invalid tags" to it, which is no fault of the page. */
    if (e->code == XML_HTML_UNKNOWN_TAG || e->level < XML_ERR_ERROR)
        return;
    html_errors++;
    printf("#   libxml2: line %d: %s", e->line, e->message ? e->message : "?\n");
}

static void test_html(void)
{
    size_t len = 0;
    char *s = render("html", &len);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK(strncmp(s, "<!DOCTYPE html>\n", 16) == 0);
    CHECK(strstr(s, "<meta charset=\"utf-8\"/>") != NULL);
    /* no script anywhere, in any case */
    int script = 0;
    for (size_t i = 0; i + 7 <= len; i++)
        if (s[i] == '<' && strncasecmp(s + i + 1, "script", 6) == 0)
            script = 1;
    CHECK(!script);
    CHECK(strstr(s, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
    CHECK(strstr(s, "&lt;b&gt;bold&lt;/b&gt; &amp; &#39;q&#39;") != NULL);
    CHECK(strstr(s, "<b>") == NULL);
    CHECK(strstr(s, "<img") == NULL);
    CHECK(strstr(s, "&lt;img src=x onerror=alert(1)&gt;\\n=evil") != NULL);
    CHECK(strstr(s, "<title>Report &lt;&amp;&gt; &quot;t&quot; &#8212; lode report</title>") != NULL);
    CHECK(strstr(s, "a\\x00b") != NULL);
    CHECK(memchr(s, '\0', len) == NULL);
    /* self-contained: no external resource, no web font */
    CHECK(strstr(s, "src=\"") == NULL);
    CHECK(strstr(s, "href=\"#") != NULL && strstr(s, "href=\"h") == NULL);
    CHECK(strstr(s, "url(") == NULL);
    CHECK(strstr(s, "@import") == NULL);
    CHECK(strstr(s, "@font-face") == NULL);
    CHECK(count_str(s, len, "http:") + count_str(s, len, "https:") ==
          count_str(s, len, "xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(strstr(s, "Content-Security-Policy") != NULL);
    /* one chart per count, top and histogram view, even the empty one */
    CHECK_EQ_INT(count_str(s, len, "<svg"), 6);
    CHECK_EQ_INT(count_str(s, len, "<section"), NVIEWS);
    CHECK_EQ_INT(count_str(s, len, "<a href=\"#agg-"), NVIEWS);
    CHECK(strstr(s, "The chart shows the first 30 of 45 entries") != NULL);
    /* thousands separators in the tables */
    CHECK(strstr(s, "<td class=\"n\">5,000</td>") != NULL);
    CHECK(strstr(s, "1,234,567.25<span>(estimate, HyperLogLog \xC2\xB1" "0.8 %)</span>") != NULL);
    CHECK(strstr(s, "42<span>(exact)</span>") != NULL);
    CHECK(strstr(s, ">1e+21<") != NULL);

    /* libxml2's HTML parser reads it without an error ... */
    html_errors = 0;
    xmlSetStructuredErrorFunc(NULL, on_xml_error);
    htmlDocPtr hd = htmlReadMemory(s, (int)len, "report.html", "UTF-8", HTML_PARSE_NONET);
    CHECK(hd != NULL);
    CHECK_EQ_INT(html_errors, 0);
    xmlFreeDoc(hd);
    /* ... and the page is well-formed XML too (every element closed) */
    html_errors = 0;
    xmlDocPtr xd = xmlReadMemory(s, (int)len, "report.xhtml", "UTF-8", XML_PARSE_NONET);
    CHECK(xd != NULL);
    CHECK_EQ_INT(html_errors, 0);
    if (xd) {
        xmlNodePtr root = xmlDocGetRootElement(xd);
        CHECK(root && xmlStrcmp(root->name, BAD_CAST "html") == 0);
    }
    xmlFreeDoc(xd);
    xmlSetStructuredErrorFunc(NULL, NULL);
    free(s);
}

/* A big histogram (1000 bins) and a long top list still render. */
static void test_html_large(void)
{
    static rep_bin bins[1000];
    int64_t n = 0;
    for (size_t i = 0; i < 1000; i++) {
        bins[i] = (rep_bin){-1e6 + (double)i * 2000.5, -1e6 + (double)(i + 1) * 2000.5, (int64_t)(i % 37)};
        n += bins[i].count;
    }
    rep_view v = {.name = "wide", .kind = REP_HISTOGRAM, .n = n, .min = -1e6, .max = 1000500,
                  .bins = bins, .nbins = 1000};
    buf b;
    buf_init(&b, &test_mem);
    CHECK_EQ_INT(report_render_views(&v, 1, "html", "big", &b, NULL, 0), 0);
    CHECK_EQ_INT(count_str(b.ptr, b.len, "<svg"), 1);
    CHECK(strstr(b.ptr, "-1,000,000</text>") != NULL); /* the first edge's label */
    CHECK(strstr(b.ptr, "1,000,500</text>") != NULL);   /* the last edge's label */
    CHECK(count_str(b.ptr, b.len, "</text>") < 30);     /* ticks thinned out */
    buf_free(&b);
}

/* Extreme values render in every format without overflow (run under
 * UBSan by make test SAN=1). */
static void test_extremes(void)
{
    static rep_entry big[] = {{"max", 3, INT64_MAX}, {"min", 3, INT64_MIN}, {"zero", 4, 0}, {"neg", 3, -5}};
    static rep_bin bins[] = {{-1e308, 0, INT64_MAX}, {0, 1e308, INT64_MAX - 1}};
    rep_view v[] = {
        {.name = "big", .kind = REP_COUNT, .entries = big, .nentries = 4, .total = INT64_MAX, .nkeys = 9},
        {.name = "top", .kind = REP_TOP, .entries = big, .nentries = 4, .total = INT64_MIN, .nkeys = (size_t)INT64_MAX,
         .limit = INT64_MAX},
        {.name = "hist", .kind = REP_HISTOGRAM, .n = INT64_MAX, .min = -1e308, .max = 1e308, .bins = bins,
         .nbins = 2, .under = INT64_MIN, .over = INT64_MAX},
        {.name = "nan", .kind = REP_STATS, .n = 1, .sum = NAN, .min = -INFINITY, .max = INFINITY, .mean = NAN,
         .stddev = 1e-300},
        {.name = "d", .kind = REP_DISTINCT, .distinct = 1e300},
    };
    const char *formats[] = {"json", "csv", "txt", "html"};
    for (size_t f = 0; f < 4; f++) {
        buf b;
        buf_init(&b, &test_mem);
        CHECK_EQ_INT(report_render_views(v, 5, formats[f], "x", &b, NULL, 0), 0);
        if (f == 0 && b.ptr) {
            json_t *root = json_loadb(b.ptr, b.len, 0, NULL);
            CHECK(root != NULL);
            json_t *e = json_array_get(json_object_get(json_array_get(json_object_get(root, "aggregators"), 0),
                                                       "entries"), 1);
            CHECK(json_integer_value(json_object_get(e, "count")) == INT64_MIN);
            json_decref(root);
            CHECK(strstr(b.ptr, "\"sum\": null") != NULL);
        }
        if (f == 3 && b.ptr) {
            CHECK(strstr(b.ptr, "9,223,372,036,854,775,807") != NULL);
            CHECK(strstr(b.ptr, "-9,223,372,036,854,775,808") != NULL);
        }
        buf_free(&b);
    }
}

/* ---- out of memory ---------------------------------------------------------- */

/* Rendering with k allocations let through and every later one refused,
 * for k = 0, 1, ... until a render succeeds: each failure says "out of
 * memory" and frees what it took. */
static void test_oom(void)
{
    static test_alloc fa;
    static const mem failing = {test_alloc_fn, &fa};
    const char *formats[] = {"json", "csv", "txt", "html"};
    for (size_t f = 0; f < 4; f++) {
        int all = 1;
        long k;
        for (k = 0; k < 10000; k++) {
            buf b;
            buf_init(&b, &failing);
            char err[64] = "";
            fa = (test_alloc){.fail_at = k + 1, .persistent = 1};
            int rc = report_render_views(views, NVIEWS, formats[f], "t", &b, err, sizeof err);
            test_alloc_fail_in(&fa, 0, 0);
            buf_free(&b);
            if (!test_alloc_clean(&fa))
                all = 0;
            if (rc == 0)
                break;
            if (strcmp(err, "out of memory") != 0)
                all = 0;
        }
        if (!CHECK(all && k > 0 && k < 10000))
            printf("#   %s: %ld failing runs\n", formats[f], k);
    }
}

int main(void)
{
    make_views();
    RUN(test_numbers);
    RUN(test_format_for);
    RUN(test_unknown_format);
    RUN(test_json);
    RUN(test_empty_report);
    RUN(test_csv);
    RUN(test_txt);
    RUN(test_html);
    RUN(test_html_large);
    RUN(test_extremes);
    RUN(test_oom);
    return harness_done();
}
