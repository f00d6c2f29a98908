/* fuzz_select.c -- libFuzzer target: lode's CSS selector compiler and
 * matcher (core/src/select.h, internal API).
 *
 * Input: selector source, then a NUL or newline, then an HTML document.
 * The selector is compiled; explain and canonical forms are printed; the
 * canonical form must compile again and select the same elements.  On the
 * parsed document select_each, select_count, select_matches and
 * select_matches_memo must all agree (abort() otherwise); the plain
 * select_matches runs under a step limit (select_matches_limit).  The rule
 * index (rule_index.h) filed with the selector must list it as a candidate
 * for every element it matches.  A document starting with "<?xml" is parsed
 * as XML (names compare exactly, xml:id is an id), anything else as HTML. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "buf.h"
#include "lode.h"
#include "mem.h"
#include "rule_index.h"
#include "select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lode_engine *engine;
static const mem M = {mem_default_alloc, NULL};

typedef struct hits {
    xmlNode **v;
    size_t n, cap;
} hits;

static int collect(xmlNode *el, void *ud)
{
    hits *h = ud;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        xmlNode **v = realloc(h->v, cap * sizeof *v);
        if (!v)
            abort();
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = el;
    return 0;
}

/* Matching is O(depth^2 x elements) for a selector like ":has(a b) *" on a
 * deep tree, and the plain select_matches on every element multiplies that
 * by the elements again: each run() works under a step limit
 * (select_*_limit, SELECT_LIMIT_EVERY steps at a time), so no input takes
 * seconds of instrumented matching.  Once the limit stops a walk, the
 * checks of that run are skipped -- after checking that a stopped match
 * said "no". */
#define RUN_STEPS 250000ul

typedef struct budget {
    unsigned long left;
} budget;

static int spend(void *ud, unsigned long steps)
{
    budget *b = ud;
    if (steps >= b->left)
        return 1;
    b->left -= steps;
    return 0;
}

static int count_one(xmlNode *el, void *ud)
{
    (void)el;
    ++*(size_t *)ud;
    return 0;
}

/* Walks every element under n in document order, checking select_matches
 * (with and without memo) against the select_each list; 1 if the walk was
 * cut short by lim. */
/* Is rule 0 among el's candidates in ix?  Checks the list's order too. */
static int candidate(rule_index *ix, const xmlNode *el)
{
    const uint32_t *c;
    size_t nc;
    if (rule_index_candidates(ix, el, &c, &nc) != 0)
        abort();
    for (size_t i = 1; i < nc; i++)
        if (c[i - 1] >= c[i])
            abort(); /* documented: ascending, no repeats */
    return nc > 0 && c[0] == 0;
}

static int check(const selector *s, xmlNode *n, const hits *h, size_t *k, select_memo *memo,
                 select_limit *lim, rule_index *ix, const char *what)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            int m1 = select_matches_limit(s, n, NULL, lim);
            int m2 = select_matches_limit(s, n, memo, lim);
            if (lim->stopped) {
                if (m2)
                    abort(); /* documented: nothing matches once stopped */
                return 1;
            }
            int listed = *k < h->n && h->v[*k] == n;
            if (listed)
                (*k)++;
            if (m1 && !candidate(ix, n)) {
                fprintf(stderr, "fuzz_select (%s): <%s> line %ld matches, but the rule index "
                        "does not list the rule\n", what, (const char *)n->name, (long)xmlGetLineNo(n));
                abort();
            }
            if (m1 != m2 || m1 != listed) {
                fprintf(stderr, "fuzz_select (%s): <%s> line %ld: matches=%d memo=%d each=%d\n",
                        what, (const char *)n->name, (long)xmlGetLineNo(n), m1, m2, listed);
                abort();
            }
        }
        if ((n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
             n->type == XML_HTML_DOCUMENT_NODE) &&
            check(s, n->children, h, k, memo, lim, ix, what))
            return 1;
    }
    return 0;
}

/* select_each into h, select_count, then the element-by-element check; 0,
 * or 1 if the step limit cut the run short (h is then incomplete). */
static int run_indexed(const selector *s, xmlDoc *x, hits *h, rule_index *ix, const char *what)
{
    budget b = {RUN_STEPS};
    select_limit lim = {spend, &b, 0, 0};
    h->n = 0;
    select_each_limit(s, (xmlNode *)x, 0, collect, h, &lim);
    if (lim.stopped)
        return 1;
    size_t count = 0;
    select_each_limit(s, (xmlNode *)x, 0, count_one, &count, &lim);
    if (lim.stopped)
        return 1;
    if (count != h->n) {
        fprintf(stderr, "fuzz_select (%s): select_count %zu, select_each %zu\n", what, count, h->n);
        abort();
    }
    if (h->n < 64 && select_count(s, (xmlNode *)x, 0) != count)
        abort(); /* the unlimited entry point agrees */
    select_memo memo;
    select_memo_reset(&memo);
    size_t k = 0;
    if (check(s, x->children, h, &k, &memo, &lim, ix, what))
        return 1;
    if (k != h->n) {
        fprintf(stderr, "fuzz_select (%s): select_each gave %zu elements, walk found %zu\n", what,
                h->n, k);
        abort();
    }
    return 0;
}

/* run_indexed with an index holding s as rule 0. */
static int run(const selector *s, xmlDoc *x, hits *h, const char *what)
{
    rule_index ix;
    rule_index_init(&ix, &M);
    if (rule_index_add(&ix, 0, s) != 0)
        abort();
    int rc = run_indexed(s, x, h, &ix, what);
    rule_index_free(&ix);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine && !(engine = lode_engine_new(NULL)))
        abort();
    size_t cut = 0;
    while (cut < size && data[cut] != 0 && data[cut] != '\n')
        cut++;
    const char *src = (const char *)data;
    char err[512];
    selector *s = NULL;
    if (select_compile(&M, src, cut, &s, err, sizeof err) != 0) {
        if (s)
            abort(); /* documented: NULL on failure */
        return 0;
    }
    buf b;
    buf_init(&b, &M);
    select_explain(s, &b);
    buf_reset(&b);
    select_canonical(s, &b);
    for (size_t i = 0; i < select_alternatives(s); i++) {
        int kind;
        const char *value;
        if (select_key(s, i, &kind, &value) != 0)
            abort();
    }
    selector *s2 = NULL;
    if (buf_ok(&b) && select_compile(&M, b.ptr ? b.ptr : "", b.len, &s2, err, sizeof err) != 0) {
        /* The canonical form is documented as valid selector syntax. */
        if (b.len <= SELECT_MAX_LEN) {
            fprintf(stderr, "fuzz_select: canonical form does not compile\n  source: %.*s\n"
                    "  canonical: %.*s\n  error: %s\n", (int)cut, src, (int)b.len, b.ptr, err);
            abort();
        }
    }

    lode_doc *doc = NULL;
    size_t off = cut < size ? cut + 1 : size;
    lode_parse_options po = {size - off >= 5 && memcmp(data + off, "<?xml", 5) == 0 ? "xml" : "html", NULL, 0};
    if (lode_doc_parse(engine, data + off, size - off, "fuzz", &po, &doc) == LODE_OK) {
        xmlDoc *x = lode_doc_xml(doc);
        hits h1 = {0}, h2 = {0};
        int cut1 = run(s, x, &h1, "source");
        if (s2 && !cut1 && !run(s2, x, &h2, "canonical")) {
            if (h1.n != h2.n || (h1.n && memcmp(h1.v, h2.v, h1.n * sizeof *h1.v) != 0)) {
                fprintf(stderr, "fuzz_select: canonical form selects %zu elements, source %zu\n"
                        "  source: %.*s\n  canonical: %.*s\n", h2.n, h1.n, (int)cut, src,
                        (int)b.len, b.ptr);
                abort();
            }
        }
        free(h1.v);
        free(h2.v);
    }
    lode_doc_free(doc);
    select_free(&M, s2);
    select_free(&M, s);
    buf_free(&b);
    return 0;
}
