/* test_select.c -- the CSS selector engine (core/src/select.h).
 *
 * Most cases are data: tests/unit/select_cases.txt holds fixture documents
 * and selector -> expected-match lines (format at the top of that file).
 * For every match case the test also checks that select_matches agrees with
 * select_each element by element, and that the canonical form compiles back
 * to itself with the same matches.  The C functions below cover what data
 * lines cannot: the API edges, keys and explain output, limits, allocation
 * failures, fuzzed input and pathological trees.
 *
 * Tool modes (used by tests/tools/select_compare.py and for timing):
 *   test_select --count SELECTOR FILE...   match count per HTML file
 *   test_select --bench SELECTOR FILE [N]  ms per select_count (best of N) */
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "test_alloc.h"
#include "mem.h"
#include "select.h"

static const mem M = {mem_default_alloc, NULL};

/* ---- helpers ----------------------------------------------------------------- */

static xmlDoc *parse_html(const char *s, size_t n)
{
    return htmlReadMemory(s, (int)n, "fixture.html", "UTF-8",
                          HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                              HTML_PARSE_NONET);
}

static xmlDoc *parse_xml(const char *s, size_t n)
{
    return xmlReadMemory(s, (int)n, "fixture.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* The label a match prints as: its id (or xml:id), else <name>. */
static void put_label(buf *b, xmlNode *el)
{
    xmlChar *id = xmlGetNoNsProp(el, (const xmlChar *)"id");
    if (!id)
        id = xmlGetNsProp(el, (const xmlChar *)"id", XML_XML_NAMESPACE);
    if (b->len)
        buf_putc(b, ' ');
    if (id)
        buf_puts(b, (const char *)id);
    else
        buf_printf(b, "<%s>", (const char *)el->name);
    xmlFree(id);
}

static int collect(xmlNode *el, void *ud)
{
    put_label(ud, el);
    return 0;
}

/* Labels of the elements in scope's subtree for which select_matches says
 * yes, found by a walk of our own (the reference for select_each). */
static void walk_matches(const selector *s, xmlNode *n, buf *out)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (select_matches(s, n))
            put_label(out, n);
        walk_matches(s, n->children, out);
    }
}

static xmlNode *find_id(xmlNode *n, const char *id)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)"id");
        int hit = v && strcmp((const char *)v, id) == 0;
        xmlFree(v);
        if (hit)
            return n;
        xmlNode *r = find_id(n->children, id);
        if (r)
            return r;
    }
    return NULL;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap + 1);
    size_t got;
    while (p && (got = fread(p + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *q = realloc(p, (cap *= 2) + 1);
            if (!q) {
                free(p);
                p = NULL;
            }
            p = q;
        }
    }
    fclose(f);
    if (p)
        p[n] = '\0';
    *len = n;
    return p;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- the data-driven cases ----------------------------------------------------- */

#define MAX_DOCS 16
#define MAX_NS 16

typedef struct cases {
    const char *file;
    struct {
        char name[32];
        xmlDoc *doc;
    } docs[MAX_DOCS];
    size_t ndocs;
    xmlDoc *doc;          /* current document */
    xmlNode *scope;       /* NULL: the document */
    int include_scope;
    char *ns_store[MAX_NS * 2];
    const char *ns[MAX_NS * 2 + 1];
    size_t nns;
    int ncases;
} cases;

static int run_match(cases *c, int line, const char *sel, const char *want)
{
    char err[512], what[600];
    selector *s = NULL;
    snprintf(what, sizeof what, "line %d: %s", line, sel);
    if (select_compile_ns(&M, sel, strlen(sel), c->nns ? c->ns : NULL, &s, err, sizeof err) != 0) {
        harness_check(0, c->file, line, what);
        printf("#   compile error: %s\n", err);
        return 0;
    }
    xmlNode *scope = c->scope ? c->scope : (xmlNode *)c->doc;
    buf got, ref, canon, again;
    buf_init(&got, &M);
    buf_init(&ref, &M);
    buf_init(&canon, &M);
    buf_init(&again, &M);
    buf_puts(&got, "");
    select_each(s, scope, c->include_scope, collect, &got);
    const char *g = got.len ? got.ptr : "-";
    int ok = harness_check(strcmp(g, want) == 0, c->file, line, what);
    if (!ok)
        printf("#   got      %s\n#   expected %s\n", g, want);

    /* select_matches agrees, select_count agrees, and the canonical form
     * reads back as itself with the same matches. */
    if (c->include_scope && c->scope && select_matches(s, c->scope))
        put_label(&ref, c->scope);
    walk_matches(s, scope->type == XML_ELEMENT_NODE ? scope->children : scope->children, &ref);
    size_t count = select_count(s, scope, c->include_scope);
    select_canonical(s, &canon);
    selector *s2 = NULL;
    int rt = canon.ptr && select_compile_ns(&M, canon.ptr, canon.len, c->nns ? c->ns : NULL, &s2,
                                            err, sizeof err) == 0;
    buf rgot;
    buf_init(&rgot, &M);
    if (rt) {
        select_canonical(s2, &again);
        select_each(s2, scope, c->include_scope, collect, &rgot);
    }
    size_t words = 0;
    for (const char *p = got.ptr ? got.ptr : ""; *p; p++)
        words += *p == ' ';
    words += got.len > 0;
    int same_ref = strcmp(got.ptr ? got.ptr : "", ref.ptr ? ref.ptr : "") == 0;
    int same_rt = rt && again.ptr && strcmp(canon.ptr, again.ptr) == 0 &&
                  strcmp(got.ptr ? got.ptr : "", rgot.ptr ? rgot.ptr : "") == 0;
    snprintf(what, sizeof what, "line %d: %s (matches/count/canonical agree)", line, sel);
    if (!harness_check(same_ref && count == words && same_rt, c->file, line, what))
        printf("#   select_matches: %s\n#   count %zu\n#   canonical %s -> %s\n#   %s\n",
               ref.ptr ? ref.ptr : "", count, canon.ptr ? canon.ptr : "(none)",
               again.ptr ? again.ptr : "(none)", rt ? (rgot.ptr ? rgot.ptr : "") : err);
    buf_free(&got);
    buf_free(&ref);
    buf_free(&canon);
    buf_free(&again);
    buf_free(&rgot);
    select_free(&M, s);
    select_free(&M, s2);
    c->ncases++;
    return ok;
}

/* "! SEL => fragment @col": compile fails, the message holds fragment, the
 * first line names the column and (for short selectors) the caret sits
 * under it. */
static void run_error(cases *c, int line, const char *sel, const char *want)
{
    char err[512], what[600], frag[256];
    int col = 0;
    const char *atp = strrchr(want, '@');
    snprintf(frag, sizeof frag, "%.*s", (int)(atp ? atp - want : (long)strlen(want)), want);
    size_t fl = strlen(frag);
    while (fl && frag[fl - 1] == ' ')
        frag[--fl] = '\0';
    if (atp)
        col = atoi(atp + 1);
    selector *s = NULL;
    int rc = select_compile_ns(&M, sel, strlen(sel), c->nns ? c->ns : NULL, &s, err, sizeof err);
    snprintf(what, sizeof what, "line %d: error for %s", line, sel);
    char colstr[48];
    snprintf(colstr, sizeof colstr, " at column %d\n", col);
    const char *l2 = strchr(err, '\n');
    const char *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
    int caret_ok = 1;
    if (col && col <= 30 && l3) {
        const char *cp = strchr(l3 + 1, '^');
        caret_ok = cp && cp - (l3 + 1) == col + 1 && cp[1] == '\0';
    }
    int ok = rc == -1 && s == NULL && strstr(err, frag) && (!col || strstr(err, colstr)) &&
             l3 && caret_ok;
    if (!harness_check(ok, c->file, line, what)) {
        printf("#   rc %d, message:\n#   ", rc);
        for (const char *q = err; *q; q++)
            fputs(*q == '\n' ? "\n#   " : (char[]){*q, 0}, stdout);
        printf("\n#   expected \"%s\" at column %d\n", frag, col);
    }
    select_free(&M, s);
    c->ncases++;
}

/* "= SEL => CANONICAL" */
static void run_canonical(cases *c, int line, const char *sel, const char *want)
{
    char err[512], what[600];
    selector *s = NULL;
    buf b;
    buf_init(&b, &M);
    snprintf(what, sizeof what, "line %d: canonical form of %s", line, sel);
    if (select_compile_ns(&M, sel, strlen(sel), c->nns ? c->ns : NULL, &s, err, sizeof err) == 0)
        select_canonical(s, &b);
    else
        buf_puts(&b, err);
    if (!harness_check(b.ptr && strcmp(b.ptr, want) == 0, c->file, line, what))
        printf("#   got      %s\n#   expected %s\n", b.ptr ? b.ptr : "", want);
    buf_free(&b);
    select_free(&M, s);
    c->ncases++;
}

static void directive(cases *c, int line, char *p, char **rest)
{
    char word[32] = "", arg[256] = "", arg2[256] = "";
    sscanf(p, "%31s %255s %255s", word, arg, arg2);
    if (strcmp(word, "%doc") == 0) {
        buf text;
        buf_init(&text, &M);
        char *q = *rest;
        while (q && *q && strncmp(q, "%end", 4) != 0) {
            char *nl = strchr(q, '\n');
            size_t n = nl ? (size_t)(nl - q + 1) : strlen(q);
            buf_put(&text, q, n);
            q += n;
        }
        if (q && *q) {
            char *nl = strchr(q, '\n');
            q = nl ? nl + 1 : q + strlen(q);
        }
        *rest = q;
        xmlDoc *d = strcmp(arg2, "xml") == 0 ? parse_xml(text.ptr, text.len)
                                             : parse_html(text.ptr, text.len);
        if (!harness_check(d != NULL && c->ndocs < MAX_DOCS, c->file, line, "fixture parses")) {
            xmlFreeDoc(d);
        } else {
            snprintf(c->docs[c->ndocs].name, sizeof c->docs[0].name, "%.31s", arg);
            c->docs[c->ndocs++].doc = d;
            c->doc = d;
            c->scope = NULL;
        }
        buf_free(&text);
    } else if (strcmp(word, "%use") == 0) {
        for (size_t i = 0; i < c->ndocs; i++)
            if (strcmp(c->docs[i].name, arg) == 0)
                c->doc = c->docs[i].doc;
        c->scope = NULL;
    } else if (strcmp(word, "%scope") == 0) {
        c->scope = strcmp(arg, "-") == 0 ? NULL : find_id(c->doc->children, arg);
        c->include_scope = strcmp(arg2, "incl") == 0;
        if (strcmp(arg, "-") != 0)
            harness_check(c->scope != NULL, c->file, line, "scope element exists");
    } else if (strcmp(word, "%ns") == 0) {
        for (size_t i = 0; i < c->nns * 2; i++)
            free(c->ns_store[i]);
        c->nns = 0;
        char *save = NULL;
        for (char *t = strtok_r(p + 3, " \t", &save); t && c->nns < MAX_NS;
             t = strtok_r(NULL, " \t", &save)) {
            char *eq = strchr(t, '=');
            if (!eq)
                continue;
            c->ns_store[c->nns * 2] = strndup(t, (size_t)(eq - t));
            c->ns_store[c->nns * 2 + 1] = strdup(eq + 1);
            c->nns++;
        }
        for (size_t i = 0; i < c->nns * 2; i++)
            c->ns[i] = c->ns_store[i];
        c->ns[c->nns * 2] = NULL;
    } else {
        harness_check(0, c->file, line, "known directive");
    }
}

static void data_cases(void)
{
    /* The cases file sits next to this source file. */
    char path[512];
    const char *me = __FILE__, *slash = strrchr(me, '/');
    snprintf(path, sizeof path, "%.*sselect_cases.txt", slash ? (int)(slash - me + 1) : 0, me);
    size_t len;
    char *text = read_file(path, &len);
    if (!CHECK(text != NULL))
        return;
    cases c;
    memset(&c, 0, sizeof c);
    c.file = "select_cases.txt";
    int line = 0;
    char *p = text;
    while (*p) {
        char *nl = strchr(p, '\n');
        char *rest = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        line++;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r')
            p[--n] = '\0';
        if (p[0] == '%') {
            char *before = rest;
            directive(&c, line, p, &rest);
            for (char *q = before; q < rest; q++)
                line += *q == '\n';
        } else if (p[0] && p[0] != '#') {
            char *arrow = NULL;
            for (char *q = strstr(p, " => "); q; q = strstr(q + 1, " => "))
                arrow = q;
            if (!arrow) {
                harness_check(0, c.file, line, "case line has ' => '");
            } else {
                *arrow = '\0';
                char *want = arrow + 4;
                if (p[0] == '!')
                    run_error(&c, line, p + 2, want);
                else if (p[0] == '=')
                    run_canonical(&c, line, p + 2, want);
                else
                    run_match(&c, line, p, want);
            }
        }
        p = rest;
    }
    printf("# %d selector cases from %s\n", c.ncases, path);
    CHECK(c.ncases >= 150);
    for (size_t i = 0; i < c.ndocs; i++)
        xmlFreeDoc(c.docs[i].doc);
    for (size_t i = 0; i < c.nns * 2; i++)
        free(c.ns_store[i]);
    free(text);
}

/* ---- API edges ------------------------------------------------------------------ */

static selector *compile(const char *src)
{
    selector *s = NULL;
    char err[512];
    if (select_compile(&M, src, strlen(src), &s, err, sizeof err) != 0)
        printf("# compile %s: %s\n", src, err);
    return s;
}

static int stop_at_second(xmlNode *el, void *ud)
{
    (void)el;
    return ++*(int *)ud == 2 ? 42 : 0;
}

static void api_edges(void)
{
    const char *h = "<html><body><p id=a>x</p><p id=b>y</p><p id=c>z</p></body></html>";
    xmlDoc *d = parse_html(h, strlen(h));
    selector *s = compile("p");
    CHECK(s != NULL);
    xmlNode *body = find_id(d->children, "a")->parent;
    CHECK_EQ_INT(select_matches(s, NULL), 0);
    CHECK_EQ_INT(select_matches(NULL, body), 0);
    CHECK_EQ_INT(select_matches(s, body->children->children), 0); /* a text node */
    CHECK_EQ_INT(select_matches(s, (xmlNode *)d), 0);
    CHECK_EQ_INT(select_count(s, (xmlNode *)d, 0), 3);
    CHECK_EQ_INT(select_count(s, body, 1), 3);
    CHECK_EQ_INT(select_count(s, find_id(d->children, "a"), 0), 0);
    CHECK_EQ_INT(select_count(s, find_id(d->children, "a"), 1), 1);
    CHECK_EQ_INT(select_count(s, body->children->children, 1), 0); /* text scope */
    CHECK_EQ_INT(select_count(NULL, body, 1), 0);
    int seen = 0;
    CHECK_EQ_INT(select_each(s, (xmlNode *)d, 0, stop_at_second, &seen), 42);
    CHECK_EQ_INT(seen, 2);
    CHECK_EQ_INT(select_alternatives(s), 1);
    select_free(&M, s);
    select_free(&M, NULL);

    /* err may be NULL with errlen 0; *out is NULL after a failure. */
    s = (selector *)&seen;
    CHECK_EQ_INT(select_compile(&M, "p >", 3, &s, NULL, 0), -1);
    CHECK(s == NULL);
    /* A tiny err buffer is truncated, not overrun. */
    char small[8];
    CHECK_EQ_INT(select_compile(&M, "p >", 3, &s, small, sizeof small), -1);
    CHECK_EQ_INT(strlen(small), 7);
    /* The source need not be NUL-terminated. */
    CHECK((s = compile("p#b")) != NULL);
    select_free(&M, s);
    CHECK_EQ_INT(select_compile(&M, "p#bXYZ", 3, &s, NULL, 0), 0);
    CHECK_EQ_INT(select_count(s, (xmlNode *)d, 0), 1);
    select_free(&M, s);
    xmlFreeDoc(d);
    /* select_root_only: :root in every alternative's rightmost compound */
    static const struct {
        const char *src;
        int root_only;
    } ro[] = {
        {":root", 1},           {"html:root", 1},  {":root, :root.x", 1}, {"div :root", 1},
        {":root:has(p)", 1},    {"p, :root", 0},   {":root > p", 0},      {":not(:root)", 0},
        {":is(:root)", 0},      {"*", 0},          {":root ~ p", 0},
    };
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        CHECK((s = compile(ro[i].src)) != NULL);
        if (!CHECK(select_root_only(s) == ro[i].root_only))
            printf("#   %s\n", ro[i].src);
        select_free(&M, s);
    }
    CHECK_EQ_INT(select_root_only(NULL), 0);

    /* select_matches_all: an alternative is the universal selector alone.
     * Each answer is checked against a count over a document with
     * namespaced and plain elements: "all" must mean all of them. */
    const char *xml = "<r xmlns:s='urn:s'><a/><s:b><c xmlns='urn:d'/></s:b><a><d/></a></r>";
    xmlDoc *x = xmlReadMemory(xml, (int)strlen(xml), "all.xml", NULL, XML_PARSE_NONET);
    CHECK(x != NULL);
    static const struct {
        const char *src;
        int all;
    } ma[] = {
        {"*", 1},         {"*|*", 1},     {"p, *", 1},      {"* , *", 1},     {"p", 0},
        {"* > *", 0},     {"* *", 0},     {"*:not(p)", 0},  {"s|*", 0},       {"|*", 0},
        {"*[x]", 0},      {":root", 0},   {"*:is(*)", 0},
    };
    for (size_t i = 0; i < sizeof ma / sizeof ma[0]; i++) {
        const char *ns[] = {"s", "urn:s", NULL};
        s = NULL;
        CHECK_EQ_INT(select_compile_ns(&M, ma[i].src, strlen(ma[i].src), ns, &s, NULL, 0), 0);
        if (!CHECK(select_matches_all(s) == ma[i].all))
            printf("#   %s\n", ma[i].src);
        if (ma[i].all && !CHECK(select_count(s, (xmlNode *)x, 0) == 6))
            printf("#   %s does not match every element\n", ma[i].src);
        select_free(&M, s);
    }
    /* under a default namespace, "*" means that namespace's elements only */
    const char *dns[] = {"", "urn:d", NULL};
    s = NULL;
    CHECK_EQ_INT(select_compile_ns(&M, "*", 1, dns, &s, NULL, 0), 0);
    CHECK_EQ_INT(select_matches_all(s), 0);
    CHECK_EQ_INT(select_count(s, (xmlNode *)x, 0), 1);
    select_free(&M, s);
    s = NULL;
    CHECK_EQ_INT(select_compile_ns(&M, "*|*", 3, dns, &s, NULL, 0), 0);
    CHECK_EQ_INT(select_matches_all(s), 1);
    CHECK_EQ_INT(select_count(s, (xmlNode *)x, 0), 6);
    select_free(&M, s);
    xmlFreeDoc(x);
    CHECK_EQ_INT(select_matches_all(NULL), 0);
}

/* Names made by code (not the parser) may be uppercase: HTML documents
 * still match them case-insensitively, XML documents do not. */
static void built_names(void)
{
    xmlDoc *h = htmlNewDocNoDtD(NULL, NULL);
    xmlNode *root = xmlNewDocNode(h, NULL, (const xmlChar *)"HTML", NULL);
    xmlDocSetRootElement(h, root);
    xmlNode *sp = xmlNewChild(root, NULL, (const xmlChar *)"SPAN", NULL);
    xmlNewProp(sp, (const xmlChar *)"Data-X", (const xmlChar *)"V");
    xmlNewProp(sp, (const xmlChar *)"ID", (const xmlChar *)"k");
    xmlNewProp(sp, (const xmlChar *)"CLASS", (const xmlChar *)"c1 C2");
    const char *yes[] = {"span", "SPAN", "Span", "[data-x]", "[DATA-X=V]", "[data-x=v i]", "html > span",
                         "#k", ".C2", "span:first-of-type", "SPAN:only-child", "*|span"};
    const char *no[] = {"[data-x=v]", "#K", ".c2", "div"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        selector *s = compile(yes[i]);
        if (!CHECK(s && select_matches(s, sp)))
            printf("#   %s should match\n", yes[i]);
        select_free(&M, s);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        selector *s = compile(no[i]);
        if (!CHECK(s && !select_matches(s, sp)))
            printf("#   %s should not match\n", no[i]);
        select_free(&M, s);
    }
    xmlFreeDoc(h);

    xmlDoc *x = xmlNewDoc((const xmlChar *)"1.0");
    root = xmlNewDocNode(x, NULL, (const xmlChar *)"R", NULL);
    xmlDocSetRootElement(x, root);
    selector *lo = compile("r"), *up = compile("R"), *un = compile("[id]");
    CHECK(lo && !select_matches(lo, root));
    CHECK(up && select_matches(up, root));
    xmlNewProp(root, (const xmlChar *)"ID", (const xmlChar *)"1");
    CHECK(un && !select_matches(un, root));
    select_free(&M, lo);
    select_free(&M, up);
    select_free(&M, un);
    /* A detached element is not :root, and has no parent to look at. */
    xmlNode *loose = xmlNewDocNode(x, NULL, (const xmlChar *)"loose", NULL);
    selector *r = compile(":root"), *any = compile("* loose, * > loose, * + loose, * ~ loose");
    CHECK(r && select_matches(r, root) && !select_matches(r, loose));
    CHECK(any && !select_matches(any, loose));
    select_free(&M, r);
    select_free(&M, any);
    xmlFreeNode(loose);
    xmlFreeDoc(x);
}

static void keys_and_explain(void)
{
    selector *s = compile("div.a > p#x.y, a.b.c, :is(p), li[title], *|svg, ns|rect");
    if (!CHECK(s != NULL))
        return;
    CHECK_EQ_INT(select_alternatives(s), 6);
    const char *want[][2] = {{"2", "x"}, {"3", "b"}, {"0", NULL}, {"1", "li"}, {"1", "svg"}, {"1", "rect"}};
    for (size_t i = 0; i < 6; i++) {
        int kind = -1;
        const char *v = "unset";
        CHECK_EQ_INT(select_key(s, i, &kind, &v), 0);
        CHECK_EQ_INT(kind, atoi(want[i][0]));
        CHECK(want[i][1] ? v && strcmp(v, want[i][1]) == 0 : v == NULL);
    }
    int kind;
    const char *v;
    CHECK_EQ_INT(select_key(s, 6, &kind, &v), -1);
    select_free(&M, s);

    s = compile("body  div.a>p:nth-child( odd ) ~ a[href$='.pdf' i] , :has(+ b)");
    buf b;
    buf_init(&b, &M);
    select_explain(s, &b);
    CHECK_EQ_STR(b.ptr,
                 "alternative 1 of 2, key tag \"a\": body div.a > p:nth-child(2n+1) ~ a[href$=\".pdf\" i]\n"
                 "  body\n"
                 "  descendant div.a\n"
                 "  child p:nth-child(2n+1)\n"
                 "  subsequent-sibling a[href$=\".pdf\" i]\n"
                 "alternative 2 of 2, key none: :has(+ b)\n"
                 "  :has(+ b)\n");
    buf_free(&b);
    select_free(&M, s);
}

/* ---- limits and hostile input ----------------------------------------------------- */

static int compile_err(const char *src, size_t len, char *err, size_t errlen)
{
    selector *s = NULL;
    int rc = select_compile(&M, src, len, &s, err, errlen);
    select_free(&M, s);
    return rc;
}

static void limits(void)
{
    char err[512];
    buf b;
    buf_init(&b, &M);
    /* Nesting: 32 levels compile, 33 do not. */
    for (int depth = 32; depth <= 33; depth++) {
        buf_reset(&b);
        for (int i = 0; i < depth; i++)
            buf_puts(&b, i % 3 == 0 ? ":is(" : i % 3 == 1 ? ":not(" : ":nth-child(2n of ");
        buf_puts(&b, "p");
        for (int i = 0; i < depth; i++)
            buf_putc(&b, ')');
        int rc = compile_err(b.ptr, b.len, err, sizeof err);
        CHECK_EQ_INT(rc, depth == 32 ? 0 : -1);
        if (depth == 33)
            CHECK(strstr(err, "nested more than 32 levels") != NULL);
    }
    /* Length: 4096 bytes compile, 4097 do not. */
    buf_reset(&b);
    while (b.len < 4094)
        buf_puts(&b, "a ");
    while (b.len < 4096)
        buf_putc(&b, 'b');
    CHECK_EQ_INT(compile_err(b.ptr, b.len, err, sizeof err), 0);
    buf_putc(&b, 'c');
    CHECK_EQ_INT(compile_err(b.ptr, b.len, err, sizeof err), -1);
    CHECK(strstr(err, "selector too long (4097 bytes, at most 4096)") != NULL);
    /* A long selector's error shows a window with the caret in it. */
    buf_reset(&b);
    for (int i = 0; i < 100; i++)
        buf_puts(&b, "div ");
    buf_puts(&b, "> )");
    CHECK_EQ_INT(compile_err(b.ptr, b.len, err, sizeof err), -1);
    CHECK(strstr(err, "unexpected ')' at column 403\n  ...") == err);
    const char *l3 = strrchr(err, '\n');
    CHECK(l3 && l3[1 + 2 + 3 + 30] == '^');
    /* Invalid UTF-8, NUL, control characters. */
    CHECK_EQ_INT(compile_err("p.\xC3\xA9\xFF", 5, err, sizeof err), -1);
    CHECK(strstr(err, "invalid UTF-8 at column 4") == err);
    CHECK_EQ_INT(compile_err("p\0q", 3, err, sizeof err), -1);
    CHECK(strstr(err, "NUL character in selector at column 2") == err);
    CHECK_EQ_INT(compile_err("p\x01", 2, err, sizeof err), -1);
    CHECK(strstr(err, "unexpected control character 0x01 at column 2") == err);
    /* Columns count characters: the caret sits under the ')' after é. */
    CHECK_EQ_INT(compile_err(".\xC3\xA9)", 4, err, sizeof err), -1);
    CHECK_EQ_STR(err, "unexpected ')' at column 3\n  .\xC3\xA9)\n    ^");
    buf_free(&b);
}

/* What the line-based cases file cannot hold: newlines inside selectors. */
static void newlines(void)
{
    char err[512];
    const char *src[][2] = {
        {"[title=\"a\\\nb\"]", "[title=\"ab\"]"},       /* line continuation in a string */
        {"[title='a\\\r\nb']", "[title=\"ab\"]"},
        {"#\\31\r\n23", "#\\31 23"},                     /* CRLF ends a hex escape */
        {"div\n>\tp\r\n,\fa", "div > p, a"},               /* all CSS whitespace */
    };
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
        selector *s = NULL;
        buf b;
        buf_init(&b, &M);
        if (select_compile(&M, src[i][0], strlen(src[i][0]), &s, err, sizeof err) == 0)
            select_canonical(s, &b);
        else
            buf_puts(&b, err);
        CHECK_EQ_STR(b.ptr, src[i][1]);
        buf_free(&b);
        select_free(&M, s);
    }
    CHECK_EQ_INT(compile_err("p[a=\"x\ny\"]", 10, err, sizeof err), -1);
    CHECK_EQ_STR(err, "newline in string at column 7\n  p[a=\"x y\"]\n        ^");
}

static void alloc_failures(void)
{
    const char *src = "div.a > p:nth-child(2n+1 of .x), :has(> img, + p) ~ a[href$='.pdf' i],"
                      " :is(ul, ol) li:not(.done):contains(\"todo\")"
                      " , x y z w v u t s r q p o n m l k j i h g f e d c b a";
    int failures = 0, successes = 0, leaks = 0;
    for (int n = 0; n < 200; n++) {
        test_alloc f = {.fail_at = n + 1};
        mem fm = {test_alloc_fn, &f};
        selector *s = NULL;
        char err[256];
        int rc = select_compile(&fm, src, strlen(src), &s, err, sizeof err);
        if (rc == 0) {
            successes++;
            select_free(&fm, s);
            leaks += !test_alloc_clean(&f);
            break;
        }
        leaks += !test_alloc_clean(&f);
        failures++;
        if (!strstr(err, "out of memory"))
            printf("# n=%d: %s\n", n, err);
    }
    CHECK(failures > 3);
    CHECK_EQ_INT(successes, 1);
    CHECK_EQ_INT(leaks, 0);
}

/* Random edits of a pool of selectors: compiling never crashes, and
 * whatever compiles has a canonical form that reads back to itself with the
 * same matches. */
static void fuzz(void)
{
    static const char *pool[] = {
        "div.a > p:nth-child(2n+1 of .x)", ":has(> img, + p) ~ a[href$='.pdf' i]",
        ":is(ul, ol) li:not(.done):contains(\"todo\")", "svg|rect, *|*, |a", "#\\31 23.a\\:b",
        "p:nth-last-of-type(-n+3)", "[lang|=en], [title~=x s]", "a:where(:first-child, :empty)",
        "html:root > body ~ *", "p:has(~ p:only-child)"};
    static const char alphabet[] = "ab*|#.[]=~^$:()\"'\\ ,>+-n0123 ix";
    const char *h = "<html><body><div class=a><p class=x>todo</p><p><img></p><a href=x.pdf>l</a></div>"
                    "<ul><li>todo</li><li class=done>x</li></ul></body></html>";
    xmlDoc *d = parse_html(h, strlen(h));
    uint32_t seed = 12345;
    int compiled = 0, bad = 0;
    char src[128], err[512];
    for (int iter = 0; iter < 20000; iter++) {
        seed = seed * 1103515245u + 12345u;
        const char *base = pool[(seed >> 16) % (sizeof pool / sizeof pool[0])];
        size_t n = strlen(base);
        memcpy(src, base, n + 1);
        for (int edits = 1 + (int)((seed >> 8) % 3); edits > 0; edits--) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 16) % (n + 1);
            char ch = alphabet[(seed >> 4) % (sizeof alphabet - 1)];
            switch ((seed >> 24) % 3) {
            case 0: if (n < sizeof src - 2) { memmove(src + at + 1, src + at, n - at + 1); src[at] = ch; n++; } break;
            case 1: if (at < n) { memmove(src + at, src + at + 1, n - at); n--; } break;
            default: if (at < n) src[at] = ch; break;
            }
        }
        selector *s = NULL;
        if (select_compile(&M, src, n, &s, err, sizeof err) != 0) {
            bad += strstr(err, " at column ") == NULL;
            continue;
        }
        compiled++;
        buf c1, c2;
        buf_init(&c1, &M);
        buf_init(&c2, &M);
        select_canonical(s, &c1);
        selector *s2 = NULL;
        if (select_compile(&M, c1.ptr, c1.len, &s2, err, sizeof err) != 0) {
            bad++;
            printf("# %s -> %s: %s\n", src, c1.ptr, err);
        } else {
            select_canonical(s2, &c2);
            if (strcmp(c1.ptr, c2.ptr) != 0 ||
                select_count(s, (xmlNode *)d, 0) != select_count(s2, (xmlNode *)d, 0)) {
                bad++;
                printf("# %s -> %s -> %s\n", src, c1.ptr, c2.ptr);
            }
        }
        buf_free(&c1);
        buf_free(&c2);
        select_free(&M, s);
        select_free(&M, s2);
    }
    printf("# fuzz: %d of 20000 mutations compiled\n", compiled);
    CHECK(compiled > 1000);
    CHECK_EQ_INT(bad, 0);
    xmlFreeDoc(d);
}

/* A 256-deep chain of divs with 200 siblings at the bottom: descendant
 * chains and :has() must not go exponential or quadratic per element. */
static void pathological_trees(void)
{
    xmlDoc *d = htmlNewDocNoDtD(NULL, NULL);
    xmlNode *n = xmlNewDocNode(d, NULL, (const xmlChar *)"div", NULL);
    xmlDocSetRootElement(d, n);
    for (int i = 1; i < 256; i++)
        n = xmlNewChild(n, NULL, (const xmlChar *)"div", NULL);
    for (int i = 0; i < 200; i++)
        xmlNewChild(n, NULL, (const xmlChar *)"p", (const xmlChar *)"t");
    struct {
        const char *sel;
        size_t want;
    } t[] = {
        {"div div div div div div div div div div div div div div div div p", 200},
        {"div div div div div div div div div div div div div div div div span", 0},
        {"section div div div div div div div div div p", 0},
        {"div > div > div > div > div > div > div > div > p", 200},
        {"p ~ p ~ p ~ p ~ p ~ p ~ p ~ p", 193},
        {"p ~ p ~ p ~ p ~ p ~ p ~ p ~ span", 0},
        {"div:has(p)", 256},
        {"div:has(span)", 0},
        {"p:has(~ span)", 0},
        {"p:has(+ p)", 199},
        {":contains(\"tttt\")", 256},
        {"p:nth-child(odd):nth-last-child(even)", 100},
        {"div:not(:has(> div))", 1},
        /* Expensive tests left of a descendant combinator (the memo). */
        {":has(span) *", 0},
        {":has(p) *", 455},
        {":contains(\"tttt\") *", 455},
        {":contains(\"zz\") *", 0},
        {":has(p):has(div):has(p + p):contains(\"t\") *", 455},
        {"p:nth-child(odd of :has(span), p) ~ *", 199},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        selector *s = compile(t[i].sel);
        double t0 = now_ms();
        size_t got = select_count(s, (xmlNode *)d, 0);
        double ms = now_ms() - t0;
        char what[200];
        snprintf(what, sizeof what, "%s on a 256-deep tree: %zu matches", t[i].sel, t[i].want);
        if (!harness_check(got == t[i].want, __FILE__, __LINE__, what))
            printf("#   got %zu\n", got);
        if (ms > 500)
            printf("# slow: %s took %.1f ms\n", t[i].sel, ms);
        select_free(&M, s);
    }
    xmlFreeDoc(d);
}

/* select_matches_memo: right with and without a memo, and after a reset
 * following an edit. */
static void memo(void)
{
    const char *h = "<html><body><div id=a><p id=p>x</p></div><div id=b><p id=q>y</p></div></body></html>";
    xmlDoc *d = parse_html(h, strlen(h));
    selector *s = compile(":has(img) p, :contains(\"zz\") p");
    xmlNode *p = find_id(d->children, "p"), *q = find_id(d->children, "q");
    select_memo *m = malloc(sizeof *m);
    select_memo_reset(m);
    CHECK_EQ_INT(select_matches_memo(s, p, m), 0);
    CHECK_EQ_INT(select_matches_memo(s, q, m), 0);
    xmlNewChild(find_id(d->children, "a"), NULL, (const xmlChar *)"img", NULL);
    xmlNodeAddContent(q, (const xmlChar *)"zz");
    select_memo_reset(m); /* the tree changed: cached results may be stale */
    CHECK_EQ_INT(select_matches_memo(s, p, m), 1);
    CHECK_EQ_INT(select_matches_memo(s, q, m), 1);
    CHECK_EQ_INT(select_matches_memo(s, q, NULL), 1);
    CHECK_EQ_INT(select_count(s, (xmlNode *)d, 0), 2);
    free(m);
    select_free(&M, s);
    xmlFreeDoc(d);
}

/* Attribute values split by entity references are compared as streams;
 * the references themselves add nothing. */
static void split_values(void)
{
    const char *x = "<!DOCTYPE r [<!ENTITY e \"X\">]><r a=\"ab&e;cd\"><t>12&e;34</t></r>";
    xmlDoc *d = parse_xml(x, strlen(x));
    const char *yes[] = {"[a=abcd]", "[a^=abc]", "[a$=bcd]", "[a*=bc]", "[a*=abcd]", "[a|=abcd]",
                         "[a~=abcd]", "[a=ABCD i]", "[a$=BCD i]", "t:contains(\"1234\")"};
    const char *no[] = {"[a=ab]", "[a*=X]", "[a^=abcde]", "[a$=abc]", "t:contains(\"X\")"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        selector *s = compile(yes[i]);
        if (!CHECK(s && select_count(s, (xmlNode *)d, 0) == 1))
            printf("#   %s should match once\n", yes[i]);
        select_free(&M, s);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        selector *s = compile(no[i]);
        if (!CHECK(s && select_count(s, (xmlNode *)d, 0) == 0))
            printf("#   %s should not match\n", no[i]);
        select_free(&M, s);
    }
    xmlFreeDoc(d);
}

/* ---- tool modes --------------------------------------------------------------------- */

static xmlDoc *read_html_file(const char *path)
{
    return htmlReadFile(path, NULL,
                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                            HTML_PARSE_NONET);
}

static int tool(int argc, char **argv)
{
    char err[512];
    selector *s = NULL;
    if (argc < 4) {
        fprintf(stderr, "usage: %s --count SELECTOR FILE... | --bench SELECTOR FILE [N]\n", argv[0]);
        return 2;
    }
    if (select_compile(&M, argv[2], strlen(argv[2]), &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    int rc = 0;
    if (strcmp(argv[1], "--count") == 0) {
        for (int i = 3; i < argc; i++) {
            xmlDoc *d = read_html_file(argv[i]);
            if (!d) {
                fprintf(stderr, "%s: cannot parse\n", argv[i]);
                rc = 1;
                continue;
            }
            size_t n = select_count(s, (xmlNode *)d, 0);
            if (argc > 4)
                printf("%s:%zu\n", argv[i], n);
            else
                printf("%zu\n", n);
            xmlFreeDoc(d);
        }
    } else {
        int runs = argc > 4 ? atoi(argv[4]) : 20;
        double t0 = now_ms();
        xmlDoc *d = read_html_file(argv[3]);
        double parse = now_ms() - t0, best = 1e9;
        size_t n = 0, elements = 0;
        selector *all = compile("*");
        elements = select_count(all, (xmlNode *)d, 0);
        select_free(&M, all);
        for (int i = 0; i < (runs > 0 ? runs : 1); i++) {
            t0 = now_ms();
            n = select_count(s, (xmlNode *)d, 0);
            double ms = now_ms() - t0;
            if (ms < best)
                best = ms;
        }
        printf("%s: %zu elements, parse %.2f ms; '%s': %zu matches, %.3f ms (best of %d)\n", argv[3],
               elements, parse, argv[2], n, best, runs);
        xmlFreeDoc(d);
    }
    select_free(&M, s);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--count") == 0 || strcmp(argv[1], "--bench") == 0))
        return tool(argc, argv);
    RUN(data_cases);
    RUN(api_edges);
    RUN(built_names);
    RUN(keys_and_explain);
    RUN(limits);
    RUN(newlines);
    RUN(alloc_failures);
    RUN(fuzz);
    RUN(pathological_trees);
    RUN(split_values);
    RUN(memo);
    xmlCleanupParser();
    return harness_done();
}
