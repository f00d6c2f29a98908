/* test_read_html.c -- the HTML reader and its charset decisions. */
#include <dirent.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "harness.h"
#include "html_rawtext.h"
#include "lode.h"

static lode_engine *E;

static lode_doc *parse(const char *s, size_t n, const char *enc)
{
    lode_parse_options po = {"html", enc, 0};
    lode_doc *d = NULL;
    lode_doc_parse(E, s, n, "p.html", &po, &d);
    return d;
}

/* Text content of the first element named name (depth-first). */
static const char *first_text(xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0 && n->children &&
            n->children->content)
            return (const char *)n->children->content;
        const char *t = n->type == XML_ELEMENT_NODE ? first_text(n->children, name) : NULL;
        if (t)
            return t;
    }
    return NULL;
}

static void utf8_page(void)
{
    const char *s = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Café</title></head>"
                    "<body><p>Grüße</p></body></html>";
    lode_doc *d = parse(s, strlen(s), NULL);
    CHECK(d != NULL);
    CHECK_TREE(lode_doc_xml(d));
    CHECK_EQ_STR(first_text(lode_doc_xml(d)->children, "p"), "Grüße");
    CHECK_EQ_STR(lode_doc_format(d), "html");
    lode_doc_free(d);
}

static void windows1252_declared(void)
{
    /* 0xE4 = ä and 0x80 = € in windows-1252; iso-8859-1 means windows-1252. */
    const char *s = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">"
                    "</head><body><p>K\xE4se \x80 5</p></body></html>";
    lode_doc *d = parse(s, strlen(s), NULL);
    CHECK(d != NULL);
    CHECK_EQ_STR(first_text(lode_doc_xml(d)->children, "p"), "Käse € 5");
    /* The declaration now says what the tree is written as. */
    char *out = NULL;
    size_t n;
    lode_write_options wo = {"html", 0};
    CHECK(lode_doc_write_buffer(E, d, &wo, &out, &n) == LODE_OK);
    CHECK(out && strstr(out, "charset=utf-8") != NULL && strstr(out, "iso-8859-1") == NULL);
    CHECK(out && strstr(out, "Käse € 5") != NULL);
    lode_free(E, out);
    lode_doc_free(d);
}

static void undeclared_invalid_utf8_is_1252(void)
{
    const char *s = "<html><body><p>Stra\xDF" "e</p></body></html>";
    lode_doc *d = parse(s, strlen(s), NULL);
    CHECK(d != NULL);
    CHECK_EQ_STR(first_text(lode_doc_xml(d)->children, "p"), "Straße");
    lode_doc_free(d);
}

static void one_bad_byte_does_not_flip_the_page(void)
{
    /* Declared UTF-8 with one bad byte: the rest must stay UTF-8 (libxml2 on
     * its own would switch to Latin-1 here). */
    const char *s = "<html><head><meta charset=\"utf-8\"></head><body><p>bad \xFF here</p><p>café €</p></body></html>";
    lode_doc *d = parse(s, strlen(s), NULL);
    CHECK(d != NULL);
    xmlNode *body = xmlDocGetRootElement(lode_doc_xml(d))->children->next;
    CHECK(body && strcmp((const char *)body->name, "body") == 0);
    CHECK_EQ_STR((const char *)body->children->next->children->content, "café €");
    lode_doc_free(d);
}

static void encoding_option_and_bom(void)
{
    const char *s = "<p>\xE4</p>";
    lode_doc *d = parse(s, strlen(s), "windows-1252");
    CHECK(d != NULL);
    CHECK_EQ_STR(first_text(lode_doc_xml(d)->children, "p"), "ä");
    lode_doc_free(d);
    const char *b = "\xEF\xBB\xBF<p>\xC3\xA4</p>";
    d = parse(b, strlen(b), "windows-1252"); /* a BOM wins over the option */
    CHECK(d != NULL);
    CHECK_EQ_STR(first_text(lode_doc_xml(d)->children, "p"), "ä");
    lode_doc_free(d);
}

static void nul_becomes_replacement(void)
{
    const char s[] = "<p class=\"a\0b\">x\0y</p>";
    lode_doc *d = parse(s, sizeof s - 1, NULL);
    CHECK(d != NULL);
    CHECK_EQ_STR(first_text(lode_doc_xml(d)->children, "p"), "x\xEF\xBF\xBDy");
    CHECK_TREE(lode_doc_xml(d));
    lode_doc_free(d);
}

static void script_equals_are_not_attributes(void)
{
    /* 3000 '=' in a script must not trip the attribute limit. */
    static char s[8000];
    strcpy(s, "<html><head><script>if (a<b) {");
    for (int i = 0; i < 1500; i++)
        strcat(s, "x==");
    strcat(s, "}</script></head><body><p>ok</p></body></html>");
    lode_doc *d = parse(s, strlen(s), NULL);
    CHECK(d != NULL);
    lode_doc_free(d);
}

static void empty(void)
{
    CHECK(parse("", 0, NULL) == NULL);
    CHECK_EQ_INT(lode_errcode(E), LODE_EEMPTY);
    CHECK(parse("\xEF\xBB\xBF", 3, NULL) == NULL);
    CHECK_EQ_INT(lode_errcode(E), LODE_EEMPTY);
}

/* max_depth below libxml2's own 256 is honoured, as by the XML reader:
 * html/body/div/div/div/p is 6 levels. */
static void max_depth_below_256(void)
{
    static const char page[] = "<html><body><div><div><div><p>x</p></div></div></div></body></html>";
    for (unsigned limit = 5; limit <= 6; limit++) {
        lode_options o;
        lode_options_init(&o);
        o.limits.max_depth = limit;
        lode_engine *e = lode_engine_new(&o);
        lode_parse_options po = {"html", NULL, 0};
        lode_doc *d = NULL;
        int rc = lode_doc_parse(e, page, sizeof page - 1, "deep.html", &po, &d);
        if (limit == 5) {
            CHECK_EQ_INT(rc, LODE_ELIMIT);
            CHECK_EQ_STR(lode_errmsg(e), "deep.html: elements nested deeper than 5 levels (limit)");
            CHECK(d == NULL);
        } else {
            CHECK_EQ_INT(rc, LODE_OK);
            CHECK(d != NULL);
        }
        lode_doc_free(d);
        lode_engine_free(e);
    }
}


/* ---- script and style text read by html_rawtext.c ----------------------
 * Every page is read twice: with each script's and style's text read by
 * html_rawtext.c (html_raw_min 1), and by libxml2 alone (SIZE_MAX).  The two
 * trees must be the same, node for node: type, name, line, text,
 * attributes. */

typedef struct dump {
    char *p;
    size_t len, cap;
} dump;

static void put(dump *d, const void *s, size_t n)
{
    if (d->len + n + 1 > d->cap) {
        d->cap = (d->len + n + 1) * 2;
        d->p = realloc(d->p, d->cap);
        if (!d->p)
            abort();
    }
    memcpy(d->p + d->len, s, n);
    d->len += n;
    d->p[d->len] = '\0';
}

#define putf(d, fmt, a, b)                                  \
    do {                                                    \
        char t_[64];                                        \
        int n_ = snprintf(t_, sizeof t_, fmt, (long)(a), (long)(b)); \
        put(d, t_, (size_t)n_);                             \
    } while (0)

/* Type, line, name, content (length first, so no byte can fake a
 * boundary) and attributes of every node, depth first. */
static void dump_nodes(dump *d, const xmlNode *n, int depth)
{
    for (; n; n = n->next) {
        putf(d, "%ld %ld ", depth, n->type);
        putf(d, "L%ld %ld:", xmlGetLineNo(n), n->name ? (long)strlen((const char *)n->name) : -1);
        if (n->name)
            put(d, n->name, strlen((const char *)n->name));
        if (n->type != XML_ELEMENT_NODE && n->content) {
            putf(d, " %ld:%.0ld", strlen((const char *)n->content), 0);
            put(d, n->content, strlen((const char *)n->content));
        }
        if (n->type == XML_ELEMENT_NODE)
            for (const xmlAttr *a = n->properties; a; a = a->next) {
                xmlChar *v = xmlNodeListGetString(n->doc, a->children, 0);
                putf(d, " @%ld:%.0ld", strlen((const char *)a->name), 0);
                put(d, a->name, strlen((const char *)a->name));
                putf(d, "=%ld:%.0ld", v ? (long)strlen((const char *)v) : -1, 0);
                if (v)
                    put(d, v, strlen((const char *)v));
                xmlFree(v);
            }
        put(d, "\n", 1);
        if (n->type == XML_ELEMENT_NODE)
            dump_nodes(d, n->children, depth + 1);
    }
}

/* The dump of page read with html_raw_min = min ("" if it failed, with the
 * error); *filled: spans html_rawtext.c put back. */
static char *read_dump(const char *page, size_t n, size_t min, const char *enc, size_t *filled)
{
    lode_engine *e = lode_engine_new(NULL);
    if (!e)
        abort();
    e->html_raw_min = min;
    lode_parse_options po = {"html", enc, 0};
    lode_doc *doc = NULL;
    dump d = {NULL, 0, 0};
    put(&d, "", 0);
    if (lode_doc_parse(e, page, n, "r.html", &po, &doc) == LODE_OK) {
        dump_nodes(&d, lode_doc_xml(doc)->children, 0);
        CHECK_TREE(lode_doc_xml(doc));
    } else {
        put(&d, "error: ", 7);
        put(&d, lode_errmsg(e), strlen(lode_errmsg(e)));
    }
    *filled = e->html_raw_filled;
    lode_doc_free(doc);
    lode_engine_free(e);
    return d.p;
}

/* Reads page both ways; checks the trees are equal and that html_rawtext.c
 * put back `expect` spans (-1: any number, for pages where it may or may
 * not apply).  Returns the spans put back. */
static size_t same_tree(const char *what, const char *page, size_t n, const char *enc, long expect)
{
    size_t fast_n, slow_n;
    char *fast = read_dump(page, n, 1, enc, &fast_n);
    char *slow = read_dump(page, n, SIZE_MAX, enc, &slow_n);
    int ok = strcmp(fast, slow) == 0;
    if (!harness_check(ok, __FILE__, __LINE__, what))
        printf("#   with html_rawtext:\n%s#   by libxml2:\n%s", fast, slow);
    CHECK_EQ_INT(slow_n, 0);
    if (expect >= 0 && !harness_check((long)fast_n == expect, __FILE__, __LINE__, what))
        printf("#   spans put back: %zu, expected %ld\n", fast_n, expect);
    free(fast);
    free(slow);
    return fast_n;
}

#define STR_(x) #x
#define STR(x) STR_(x)
#define SAME(page, expect) same_tree("same tree, line " STR(__LINE__), page, sizeof page - 1, NULL, expect)

static void rawtext_same_tree(void)
{
    /* markup, references and comments in raw text stay text */
    SAME("<html><head><script>if (a < b && c > d) { x = '</div><p>&amp;<!-- no -->'; }</script>"
         "<style>p > a { content: '&lt;' }</style></head><body><p>x</p></body></html>", 2);
    /* characters XML forbids are dropped; tab, CR, LF, DEL stay; CRLF stays */
    SAME("<script>a\x01" "b\x0b" "c\x0c" "d\x1f" "e\t\r\n\x7f" "f\xef\xbf\xbe" "g\xef\xbf\xbf" "h\xef\xbf\xbd"
         "i\r\nj</script><p>after</p>", 1);
    /* nothing left: libxml2 makes no text node at all */
    SAME("<script>\x01\x02\x03\xef\xbf\xbe</script><p>x</p>", 1);
    /* multibyte text longer than libxml2's 1,000-byte blocks */
    {
        static char page[20000];
        strcpy(page, "<body><script>");
        for (int i = 0; i < 600; i++)
            strcat(page, "var \xc3\xa4 = '\xf0\x9f\x98\x80'; // \xe2\x82\xac\n");
        strcat(page, "</script><style>");
        for (int i = 0; i < 100; i++)
            strcat(page, ".a\xc3\xa9 { x: y }\r\n");
        strcat(page, "</style><p>end</p></body>");
        same_tree("multibyte, long", page, strlen(page), NULL, 2);
    }
    /* end tags: any case, blanks, attributes; "</scriptx>" does not end a
     * script for libxml2, so the page is read by libxml2 alone */
    SAME("<script>a = 1;</SCRIPT  ><p>x</p><style>b{}</StYlE foo=bar><p>y</p>", 2);
    SAME("<script>a</scriptx>b</script><p>x</p>", 0);
    SAME("<style>a</style2>b</style><p>x</p>", 0);
    /* raw text that begins with '<' is left to libxml2, which reads an end
     * tag there, or closes the script at <body> */
    SAME("<p><script src=x></s1=\"1\" cript></head>\n<body><script>var a;</script><p>y</p>", 0);
    SAME("<head><script></p>var a;</script><p>y</p>", 0);
    SAME("<head><script><body>var a;</script><p>y</p>", 0);
    SAME("<head><style><frameset>p{}</style><p>y</p>", 0);
    SAME("<head><script><p>var a;</script><p>y</p>", 0);
    /* unterminated: the text runs to the end of the page */
    SAME("<p>x</p><script>var a = 1;\n var b = '<p>';\n", 1);
    SAME("<p>x</p><style>a { }", 1);
    /* not raw text: in a comment, in an attribute value, self-closed */
    SAME("<!-- <script>var a;</script> --><p title=\"<script>x</script>\">y</p><script/><p>z</p>", 0);
    SAME("<script src=x /><p>y</p><script src=\"a\"/>var q;</script>", -1);
    /* in title, textarea, table, svg, after </html>, nested, after a cut tag */
    SAME("<title><script>var t;</script></title><textarea><script>var u;</script></textarea>", -1);
    SAME("<table><script>var v;</script><tr><td>x</td></tr><style>td{}</style></table>", -1);
    SAME("<svg><style>circle { fill: red }</style><script>var w;</script></svg>", -1);
    SAME("<html><body></body></html><script>var late;</script>", -1);
    SAME("<script><script>var n;</script></script><p>x</p>", -1);
    SAME("<script <p>var cut;</script><p>x</p>", -1);
    SAME("<script data-x=\"a>b\" async>var q = 1;</script><p>x</p>", 1);
    SAME("<SCRIPT TYPE=\"text/template\">\n<div class=\"a\">{{x}}</div></SCRIPT><p>x</p>", 1);
    SAME("<SCRIPT TYPE=\"text/template\"><div class=\"a\">{{x}}</div></SCRIPT><p>x</p>", 0);
    /* a page holding the placeholder marker is read by libxml2 alone */
    SAME("<script>\x7flode-raw\x7f" "0\x7f</script><script>var a;</script>", 0);
    /* ... also when characters libxml2 drops would join its pieces */
    SAME("<script></x>\x7flode-\x01raw\x7f" "0\x7f</script><script>var a;</script>", 0);
    SAME("<script></x>\x7f\xef\xbf\xbflode-raw\x7f" "0\x7f</script><script>var a;</script>", 0);
    /* with a NUL (replaced by U+FFFD first) too */
    {
        static const char page[] = "<script>var a;\0</script><p>x\0</p>";
        same_tree("NUL", page, sizeof page - 1, NULL, 0);
    }
    /* windows-1252: libxml2 converts, and reads the text itself */
    SAME("<meta charset=windows-1252><script>var e = '\xe9';</script><p>\xe9</p>", 0);
    /* an encoding given by the caller, UTF-8 or not */
    same_tree("--encoding utf-8", "<script>var a = 1;</script>", 27, "utf-8", 1);
    same_tree("--encoding latin1", "<script>var a = 1;</script>", 27, "iso-8859-1", 0);
}

/* Lines after a script are the page's lines (the placeholder keeps the
 * script's newlines). */
static void rawtext_lines(void)
{
    static const char page[] = "<html>\n<head>\n<script>\nvar a;\n\nvar b;\n</script>\n</head>\n"
                               "<body>\n<p>x</p>\n</body></html>\n";
    lode_parse_options po = {"html", NULL, 0};
    lode_doc *d = NULL;
    size_t before = E->html_raw_filled;
    CHECK_EQ_INT(lode_doc_parse(E, page, sizeof page - 1, "l.html", &po, &d), LODE_OK);
    CHECK_EQ_INT(E->html_raw_filled - before, 0); /* shorter than the default minimum */
    lode_doc_free(d);
    size_t fast_n = 0;
    char *fast = read_dump(page, sizeof page - 1, 1, NULL, &fast_n);
    CHECK_EQ_INT(fast_n, 1);
    CHECK(strstr(fast, "L10 1:p\n") != NULL); /* <p> is on line 10 */
    free(fast);
}

/* Many spans, and the default minimum: short scripts are left to libxml2. */
static void rawtext_many(void)
{
    dump page = {NULL, 0, 0};
    put(&page, "<html><head>", 12);
    for (int i = 0; i < 300; i++) {
        char t[400];
        int n = snprintf(t, sizeof t, "<script id=s%d>var x%d = %d;%s</script>", i, i, i,
                         i % 2 ? " /* a comment long enough to pass the minimum of one hundred and twenty-eight "
                                 "bytes, which this one does, by a little */" : "");
        put(&page, t, (size_t)n);
    }
    put(&page, "</head><body><p>x</p></body></html>", 35);
    same_tree("300 scripts", page.p, page.len, NULL, 300);
    lode_parse_options po = {"html", NULL, 0};
    lode_doc *d = NULL;
    size_t before = E->html_raw_filled;
    CHECK_EQ_INT(lode_doc_parse(E, page.p, page.len, "m.html", &po, &d), LODE_OK);
    CHECK_EQ_INT(E->html_raw_filled - before, 150); /* the long half */
    lode_doc_free(d);
    free(page.p);
}

/* rawtext_fill puts text back only where every placeholder is, alone and
 * whole, the CDATA child of its element; anything else is refused (and the
 * page is then parsed as it is).  Each case is a document built by hand
 * around a variant of span 0's real placeholder. */
static void *fail_malloc(size_t n)
{
    (void)n;
    return NULL;
}

static int fill_case(const char *content, size_t clen, const char *parent, int sibling, int twice,
                     int fail_alloc)
{
    static const unsigned char page[] = "<script>var a;\nvar b;</script>";
    mem m = {mem_default_alloc, NULL};
    rawtext r;
    rawtext_init(&r, &m, page, 1);
    rawtext_collect(&r, 8, 21, 0); /* "var a;\nvar b;" */
    buf hollow;
    buf_init(&hollow, &m);
    if (rawtext_hollow(&r, page, sizeof page - 1, &hollow) != 1)
        abort();
    xmlDoc *doc = htmlNewDocNoDtD(NULL, NULL);
    xmlNode *html = xmlNewNode(NULL, BAD_CAST "html");
    xmlDocSetRootElement(doc, html);
    for (int k = 0; k < (twice ? 2 : 1); k++) {
        xmlNode *el = xmlNewChild(html, NULL, BAD_CAST parent, NULL);
        xmlNode *c = xmlNewCDataBlock(doc, BAD_CAST content, (int)clen);
        xmlAddChild(el, c);
        if (sibling)
            xmlAddChild(el, xmlNewText(BAD_CAST "x"));
    }
    xmlMallocFunc fr;
    xmlReallocFunc rr;
    xmlStrdupFunc sr;
    xmlFreeFunc ff;
    xmlMemGet(&ff, &fr, &rr, &sr);
    if (fail_alloc)
        xmlMemSetup(ff, fail_malloc, rr, sr);
    int rc = rawtext_fill(&r, doc, page);
    if (fail_alloc)
        xmlMemSetup(ff, fr, rr, sr);
    if (rc == 1) {
        /* the text is back, and is the span's */
        xmlNode *c = html->children->children;
        if (!c || strcmp((const char *)c->content, "var a;\nvar b;") != 0)
            rc = 2;
    }
    xmlFreeDoc(doc);
    buf_free(&hollow);
    rawtext_free(&r);
    return rc;
}

static void rawtext_fill_checks(void)
{
    /* the real placeholder: MARK, "0", DEL, one newline (the span has one) */
    static const char ph[] = "\x7flode-raw\x7f" "0\x7f\n";
#define PH(s) s, sizeof s - 1
    CHECK_EQ_INT(fill_case(PH(ph), "script", 0, 0, 0), 1);
    CHECK_EQ_INT(fill_case(PH("\x7flode-raw\x7f" "00\x7f\n"), "script", 0, 0, 0), 0); /* a leading zero */
    CHECK_EQ_INT(fill_case(PH("\x7flode-raw\x7f" "1\x7f\n"), "script", 0, 0, 0), 0);  /* no span 1 */
    CHECK_EQ_INT(fill_case(PH("\x7flode-raw\x7f" "\x7f\n"), "script", 0, 0, 0), 0);   /* no number */
    CHECK_EQ_INT(fill_case(PH("\x7flode-raw\x7f" "99999999999999999999999\x7f\n"), "script", 0, 0, 0), 0);
    CHECK_EQ_INT(fill_case(PH("\x7flode-raw\x7f" "0\x7f"), "script", 0, 0, 0), 0);     /* a newline short */
    CHECK_EQ_INT(fill_case(PH("\x7flode-raw\x7f" "0\x7f\nx"), "script", 0, 0, 0), 0); /* text after it */
    CHECK_EQ_INT(fill_case(PH(ph), "style", 0, 0, 0), 0);  /* a script's span in a style */
    CHECK_EQ_INT(fill_case(PH(ph), "script", 1, 0, 0), 0); /* not alone */
    CHECK_EQ_INT(fill_case(PH(ph), "script", 0, 1, 0), 0); /* twice */
    CHECK_EQ_INT(fill_case(PH("var a;"), "script", 0, 0, 0), 0); /* no placeholder at all */
    CHECK_EQ_INT(fill_case(PH(ph), "script", 0, 0, 1), -1); /* no memory for the text */
#undef PH
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    dump d = {NULL, 0, 0};
    char t[65536];
    size_t n;
    put(&d, "", 0);
    while ((n = fread(t, 1, sizeof t, f)) > 0)
        put(&d, t, n);
    fclose(f);
    *len = d.len;
    return d.p;
}

/* Every page of the html-news corpus: the same tree both ways, and the fast
 * way taken on most of them. */
static size_t corpus_pages, corpus_fast, corpus_same;

static void corpus_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            corpus_dir(path);
            continue;
        }
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 5, ".html") != 0)
            continue;
        size_t len;
        char *page = slurp(path, &len);
        if (!page)
            continue;
        size_t fast_n, slow_n;
        char *fast = read_dump(page, len, 1, NULL, &fast_n);
        char *slow = read_dump(page, len, SIZE_MAX, NULL, &slow_n);
        corpus_pages++;
        corpus_fast += fast_n > 0;
        if (strcmp(fast, slow) == 0)
            corpus_same++;
        else
            printf("#   differs: %s\n", path);
        free(fast);
        free(slow);
        free(page);
    }
    closedir(dp);
}

static void rawtext_corpus(void)
{
    const char *corpus = getenv("CORPUS") ? getenv("CORPUS") : "../shared/corpus";
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/html-news", corpus);
    corpus_dir(dir);
    if (corpus_pages == 0) {
        printf("# %s absent: corpus comparison skipped\n", dir);
        return;
    }
    printf("# %zu pages, %zu read the fast way\n", corpus_pages, corpus_fast);
    CHECK_EQ_INT(corpus_same, corpus_pages);
    CHECK(corpus_fast * 10 >= corpus_pages * 9);
}

int main(void)
{
    E = lode_engine_new(NULL);
    RUN(max_depth_below_256);
    RUN(utf8_page);
    RUN(windows1252_declared);
    RUN(undeclared_invalid_utf8_is_1252);
    RUN(one_bad_byte_does_not_flip_the_page);
    RUN(encoding_option_and_bom);
    RUN(nul_becomes_replacement);
    RUN(script_equals_are_not_attributes);
    RUN(empty);
    RUN(rawtext_same_tree);
    RUN(rawtext_lines);
    RUN(rawtext_many);
    RUN(rawtext_fill_checks);
    RUN(rawtext_corpus);
    lode_engine_free(E);
    return harness_done();
}
