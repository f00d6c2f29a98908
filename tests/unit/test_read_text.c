/* test_read_text.c -- the plain-text reader (read_text.c).
 *
 * Calls read_text() directly and checks the tree shape, source lines, error
 * messages (exact text: they are part of the interface) and warnings.  The
 * seed article is read from $CORPUS (default ../shared/corpus, as `make test`
 * passes it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "format.h"
#include "harness.h"
#include "test_alloc.h"
#include "utf8.h"

/* Warnings the engine sends to its log callback. */
typedef struct logbook {
    int n;
    char first[512];
    char last[512];
} logbook;

static void log_fn(void *ud, int level, const char *msg)
{
    logbook *lb = ud;
    (void)level;
    if (lb->n++ == 0)
        snprintf(lb->first, sizeof lb->first, "%s", msg);
    snprintf(lb->last, sizeof lb->last, "%s", msg);
}

static lode_engine *new_engine(logbook *lb)
{
    memset(lb, 0, sizeof *lb);
    lode_options o;
    lode_options_init(&o);
    o.log = log_fn;
    o.log_ud = lb;
    return lode_engine_new(&o);
}

/* Parses len bytes as "t.txt"; checks the tree invariants on success. */
static int parse(lode_engine *e, const char *s, size_t len, unsigned flags, xmlDoc **doc)
{
    lode_parse_options po;
    memset(&po, 0, sizeof po);
    po.flags = flags;
    int rc = read_text(e, "t.txt", (const unsigned char *)s, len, &po, doc);
    if (rc == LODE_OK)
        CHECK_TREE(*doc);
    else
        CHECK(*doc == NULL);
    return rc;
}

/* The same for loops that fold many parses into one check: the tree
 * invariants are still checked, and a failure clears *ok and is printed. */
static int parse_quiet(lode_engine *e, const char *s, size_t len, unsigned flags, xmlDoc **doc,
                       int *ok)
{
    lode_parse_options po;
    memset(&po, 0, sizeof po);
    po.flags = flags;
    int rc = read_text(e, "t.txt", (const unsigned char *)s, len, &po, doc);
    char err[256] = "";
    if (rc == LODE_OK ? tree_check(*doc, err, sizeof err) != 0 : *doc != NULL) {
        printf("#   tree: %s\n", err);
        *ok = 0;
    }
    return rc;
}

#define PARSE_STR(e, s, flags, doc) parse((e), (s), sizeof(s) - 1, (flags), (doc))

/* A check that a parse succeeded, usable as a condition; shows the message. */
static int parsed(lode_engine *e, int rc, int lineno, const char *what)
{
    if (!harness_check(rc == LODE_OK, __FILE__, lineno, what)) {
        printf("#   %s\n", lode_errmsg(e));
        return 0;
    }
    return 1;
}

#define PARSED(e, call) parsed((e), (call), __LINE__, #call " == LODE_OK")

static xmlNode *root(xmlDoc *doc)
{
    return xmlDocGetRootElement(doc);
}

/* The nth (0-based) element child of parent named name, or NULL. */
static xmlNode *elem(xmlNode *parent, const char *name, int nth)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0 && nth-- == 0)
            return c;
    return NULL;
}

static int count(xmlNode *parent, const char *name)
{
    int n = 0;
    while (elem(parent, name, n))
        n++;
    return n;
}

static int count_elements(xmlNode *parent)
{
    int n = 0;
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        n += c->type == XML_ELEMENT_NODE;
    return n;
}

static xmlNode *head(xmlDoc *doc)
{
    return elem(root(doc), "head", 0);
}

static xmlNode *body(xmlDoc *doc)
{
    return elem(root(doc), "body", 0);
}

/* Text of a node, or "(none)"; copied into out so the checks need no free. */
static const char *text(xmlNode *n, char *out, size_t size)
{
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
    snprintf(out, size, "%s", t ? (const char *)t : "(none)");
    xmlFree(t);
    return out;
}

static const char *attr(xmlNode *n, const char *name, char *out, size_t size)
{
    xmlChar *t = n ? xmlGetProp(n, BAD_CAST name) : NULL;
    snprintf(out, size, "%s", t ? (const char *)t : "(none)");
    xmlFree(t);
    return out;
}

#define CHECK_TEXT(node, want)                                                                     \
    do {                                                                                           \
        char tb_[4096];                                                                            \
        CHECK_EQ_STR(text((node), tb_, sizeof tb_), (want));                                       \
    } while (0)

#define CHECK_ATTR(node, name, want)                                                               \
    do {                                                                                           \
        char tb_[1024];                                                                            \
        CHECK_EQ_STR(attr((node), (name), tb_, sizeof tb_), (want));                               \
    } while (0)

/* The <meta name=key>, or NULL. */
static xmlNode *meta(xmlDoc *doc, const char *key)
{
    char v[256];
    for (int i = 0; elem(head(doc), "meta", i); i++) {
        xmlNode *m = elem(head(doc), "meta", i);
        if (strcmp(attr(m, "name", v, sizeof v), key) == 0)
            return m;
    }
    return NULL;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            char *q = realloc(p, cap = cap ? cap * 2 : 65536);
            if (!q) {
                free(p);
                fclose(f);
                return NULL;
            }
            p = q;
        }
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *len = n;
    return p;
}

static void test_seed(void)
{
    const char *corpus = getenv("CORPUS") ? getenv("CORPUS") : "../shared/corpus";
    char path[1024];
    snprintf(path, sizeof path, "%s/seed/putin-kim-wladiwostok.txt", corpus);
    size_t len = 0;
    char *data = slurp(path, &len);
    if (!CHECK(data != NULL)) {
        printf("#   cannot read %s (set CORPUS)\n", path);
        return;
    }
    logbook lb;
    lode_engine *e = new_engine(&lb);
    xmlDoc *doc = NULL;
    if (PARSED(e, parse(e, data, len, 0, &doc))) {
        xmlNode *h = head(doc), *b = body(doc);
        CHECK_EQ_STR((const char *)root(doc)->name, "html");
        CHECK(h && b && h->next == b);
        CHECK_ATTR(meta(doc, "date"), "content", "2019-04");
        CHECK_EQ_INT(count(h, "meta"), 2); /* charset + date */
        CHECK_ATTR(elem(h, "meta", 0), "charset", "utf-8");
        CHECK_TEXT(elem(h, "title", 0), "Nordkoreas Machthaber trifft Kremlchef Putin");
        CHECK_TEXT(elem(b, "h1", 0), "Nordkoreas Machthaber trifft Kremlchef Putin");
        CHECK(elem(b, "h1", 0) == xmlFirstElementChild(b));
        CHECK_EQ_INT(xmlGetLineNo(elem(b, "h1", 0)), 1);
        CHECK_EQ_INT(count(b, "p"), 19);
        CHECK_EQ_INT(count_elements(b), 20);
        CHECK_EQ_INT(xmlGetLineNo(elem(b, "p", 0)), 3);
        CHECK_EQ_INT(xmlGetLineNo(elem(b, "p", 1)), 5);
        CHECK_EQ_INT(xmlGetLineNo(elem(b, "p", 18)), 51);
        char t[4096];
        text(elem(b, "p", 0), t, sizeof t);
        static const char start[] = "WLADIWOSTOK - Russlands Präsident Wladimir Putin und";
        CHECK(strncmp(t, start, sizeof start - 1) == 0);
        text(elem(b, "p", 18), t, sizeof t);
        CHECK(strstr(t, "Medwedew getroffen.") != NULL);
        CHECK(t[strlen(t) - 1] == '.'); /* trailing newlines are not text */
        CHECK_EQ_INT(lb.n, 0);
    }
    xmlFreeDoc(doc);
    lode_engine_free(e);
    free(data);
}

static void test_paragraphs(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    xmlDoc *doc = NULL;
    /* hard-wrapped lines join; blank and whitespace-only lines separate;
     * leading and trailing blank lines vanish; no final newline needed */
    static const char s[] = "\n \nThe first\n  paragraph,   wrapped  \n\tin three lines.\n"
                            " \t \n\n  Second  one.\n\n\n";
    if (PARSED(e, PARSE_STR(e, s, 0, &doc))) {
        xmlNode *b = body(doc);
        CHECK_EQ_INT(count_elements(b), 2);
        CHECK_TEXT(elem(b, "p", 0), "The first paragraph,   wrapped in three lines.");
        CHECK_TEXT(elem(b, "p", 1), "Second  one.");
        CHECK_EQ_INT(xmlGetLineNo(elem(b, "p", 0)), 3);
        CHECK_EQ_INT(xmlGetLineNo(elem(b, "p", 1)), 8);
        CHECK_EQ_INT(count_elements(head(doc)), 1); /* only <meta charset> */
        CHECK(elem(elem(b, "p", 0), "p", 0) == NULL);
        CHECK(elem(b, "p", 0)->children == elem(b, "p", 0)->last); /* one text node */
    }
    xmlFreeDoc(doc);
    doc = NULL;
    if (PARSED(e, PARSE_STR(e, "last line without newline", 0, &doc)))
        CHECK_TEXT(elem(body(doc), "p", 0), "last line without newline");
    xmlFreeDoc(doc);
    lode_engine_free(e);
}

static void test_line_ends(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    static const char *const inputs[] = {"a\r\nb\r\n\r\nc\r\n", "a\rb\r\rc", "a\nb\r\n\rc\n",
                                         "a\rb\n\r\nc"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        xmlDoc *doc = NULL;
        if (PARSED(e, parse(e, inputs[i], strlen(inputs[i]), 0, &doc))) {
            xmlNode *b = body(doc);
            CHECK_EQ_INT(count(b, "p"), 2);
            CHECK_TEXT(elem(b, "p", 0), "a b");
            CHECK_TEXT(elem(b, "p", 1), "c");
            CHECK_EQ_INT(xmlGetLineNo(elem(b, "p", 1)), 4);
        }
        xmlFreeDoc(doc);
    }
    lode_engine_free(e);
}

static void test_bom_and_empty(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    xmlDoc *doc = NULL;
    static const char bom_header[] = "\xEF\xBB\xBF"
                                     "date 2020-02 Hi\n\nx\n";
    if (PARSED(e, PARSE_STR(e, bom_header, 0, &doc))) {
        CHECK_ATTR(meta(doc, "date"), "content", "2020-02");
        CHECK_TEXT(elem(body(doc), "h1", 0), "Hi");
        CHECK_TEXT(elem(body(doc), "p", 0), "x");
    }
    xmlFreeDoc(doc);

    CHECK_EQ_INT(PARSE_STR(e, "", 0, &doc), LODE_EEMPTY);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: empty document");
    CHECK_EQ_INT(PARSE_STR(e, "\xEF\xBB\xBF", 0, &doc), LODE_EEMPTY);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: empty document");

    /* whitespace only: a document with an empty body */
    if (PARSED(e, PARSE_STR(e, " \n\t\r\n\n", 0, &doc))) {
        CHECK(head(doc) != NULL);
        CHECK(body(doc) != NULL && body(doc)->children == NULL);
        CHECK_EQ_INT(count_elements(root(doc)), 2);
    }
    xmlFreeDoc(doc);

    CHECK_EQ_INT(PARSE_STR(e, "\xFF\xFEh\0i\0", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: UTF-16 text is not supported (convert it to UTF-8)");
    CHECK_EQ_INT(PARSE_STR(e, "\xFE\xFF\0h", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: UTF-16 text is not supported (convert it to UTF-8)");
    CHECK_EQ_INT(PARSE_STR(e, "\xFF\xFE\0\0h\0\0\0", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: UTF-32 text is not supported (convert it to UTF-8)");
    CHECK_EQ_INT(PARSE_STR(e, "\0\0\xFE\xFF", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: UTF-32 text is not supported (convert it to UTF-8)");
    /* a NULL name is "<memory>" */
    CHECK_EQ_INT(read_text(e, NULL, (const unsigned char *)"", 0, NULL, &doc), LODE_EEMPTY);
    CHECK_EQ_STR(lode_errmsg(e), "<memory>: empty document");
    lode_engine_free(e);
}

static void test_invalid_utf8(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    xmlDoc *doc = NULL;
    CHECK_EQ_INT(PARSE_STR(e, "line one\nab\xC3(x\n", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: invalid UTF-8 at byte offset 11 (line 2): byte 0xC3");
    /* the offset counts the BOM: it is an offset into the file */
    CHECK_EQ_INT(PARSE_STR(e, "\xEF\xBB\xBF\xC3\xA4\r\n\r\n\xED\xA0\x80", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: invalid UTF-8 at byte offset 9 (line 3): byte 0xED");
    /* cut at the end of the input */
    CHECK_EQ_INT(PARSE_STR(e, "abc\xE2\x82", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: invalid UTF-8 at byte offset 3 (line 1): byte 0xE2");
    CHECK_EQ_INT(lb.n, 0);
    lode_engine_free(e);
}

static void test_repair(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    xmlDoc *doc = NULL;
    /* Table 3-8 style: one U+FFFD per maximal subpart */
    static const char s[] = "a\xF1\x80\x80\x41 \xC0\xAF \n\nb\xED\xA0\x80\n\n \x80 \n\nend\xE2\x82";
    if (PARSED(e, PARSE_STR(e, s, LODE_PARSE_REPAIR, &doc))) {
        xmlNode *b = body(doc);
        CHECK_EQ_INT(count(b, "p"), 4);
        CHECK_TEXT(elem(b, "p", 0), "a\xEF\xBF\xBD"
                                    "A \xEF\xBF\xBD\xEF\xBF\xBD");
        CHECK_TEXT(elem(b, "p", 1), "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
        CHECK_TEXT(elem(b, "p", 2), "\xEF\xBF\xBD");
        CHECK_TEXT(elem(b, "p", 3), "end\xEF\xBF\xBD");
        CHECK_EQ_INT(xmlGetLineNo(elem(b, "p", 3)), 7);
    }
    xmlFreeDoc(doc);
    CHECK_EQ_INT(lb.n, 1);
    CHECK_EQ_STR(lb.last, "t.txt: replaced 8 invalid UTF-8 sequence(s) with U+FFFD");

    /* a repaired line is still a date header */
    lb.n = 0;
    if (PARSED(e, PARSE_STR(e, "date 2019-04 Caf\xE9 \xFF\n", LODE_PARSE_REPAIR, &doc)))
        CHECK_TEXT(elem(body(doc), "h1", 0), "Caf\xEF\xBF\xBD \xEF\xBF\xBD");
    xmlFreeDoc(doc);
    CHECK_EQ_STR(lb.last, "t.txt: replaced 2 invalid UTF-8 sequence(s) with U+FFFD");

    /* clean input: no warning */
    lb.n = 0;
    if (PARSED(e, PARSE_STR(e, "Grüße\n", LODE_PARSE_REPAIR, &doc)))
        CHECK_TEXT(elem(body(doc), "p", 0), "Grüße");
    xmlFreeDoc(doc);
    CHECK_EQ_INT(lb.n, 0);
    lode_engine_free(e);
}

static void test_controls(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    xmlDoc *doc = NULL;
    CHECK_EQ_INT(PARSE_STR(e, "ok\nab\0c", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: NUL byte at byte offset 5 (line 2)");
    CHECK_EQ_INT(PARSE_STR(e, "a\x1b[0mb", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: control character 0x1B at byte offset 1 (line 1)");
    CHECK_EQ_INT(PARSE_STR(e, "a\vb", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: control character 0x0B at byte offset 1 (line 1)");

    if (PARSED(e, PARSE_STR(e, "ab\0c\x01\n", LODE_PARSE_REPAIR, &doc)))
        CHECK_TEXT(elem(body(doc), "p", 0), "ab\xEF\xBF\xBD"
                                            "c\xEF\xBF\xBD");
    xmlFreeDoc(doc);
    CHECK_EQ_STR(lb.last, "t.txt: replaced 2 invalid UTF-8 sequence(s) with U+FFFD");

    /* FF is a space: inner FF kept as a space, a line of FFs is blank */
    lb.n = 0;
    if (PARSED(e, PARSE_STR(e, "\fa\fb\f\n\f\nc\td\n", 0, &doc))) {
        CHECK_EQ_INT(count(body(doc), "p"), 2);
        CHECK_TEXT(elem(body(doc), "p", 0), "a b");
        CHECK_TEXT(elem(body(doc), "p", 1), "c\td");
        CHECK_EQ_INT(xmlGetLineNo(elem(body(doc), "p", 1)), 3);
    }
    xmlFreeDoc(doc);
    CHECK_EQ_INT(lb.n, 0);
    lode_engine_free(e);
}

/* Bad bytes at every offset of a long line: the eight-byte fast path must
 * hand over to the byte loop wherever they fall. */
static void test_fast_path_offsets(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    char s[48], want[80];
    int ok = 1, tree_ok = 1;
    for (size_t pos = 1; pos + 2 < sizeof s; pos++) {
        xmlDoc *doc = NULL;
        char msg[160];
        memset(s, 'x', sizeof s);
        memcpy(s + pos, "\xC3\xA4", 2);
        if (parse_quiet(e, s, sizeof s, 0, &doc, &tree_ok) != LODE_OK)
            ok = 0;
        else if (strlen(text(elem(body(doc), "p", 0), want, sizeof want)) != sizeof s ||
                 memcmp(want, s, sizeof s) != 0)
            ok = 0;
        xmlFreeDoc(doc);
        doc = NULL;
        memset(s, 'x', sizeof s);
        s[pos] = (char)0xC0;
        snprintf(msg, sizeof msg, "t.txt: invalid UTF-8 at byte offset %zu (line 1): byte 0xC0",
                 pos);
        if (parse_quiet(e, s, sizeof s, 0, &doc, &tree_ok) != LODE_EENCODING ||
            strcmp(lode_errmsg(e), msg) != 0)
            ok = 0;
        s[pos] = 0x7;
        snprintf(msg, sizeof msg, "t.txt: control character 0x07 at byte offset %zu (line 1)", pos);
        if (parse_quiet(e, s, sizeof s, 0, &doc, &tree_ok) != LODE_EENCODING ||
            strcmp(lode_errmsg(e), msg) != 0)
            ok = 0;
        s[pos] = '\n';
        if (parse_quiet(e, s, sizeof s, 0, &doc, &tree_ok) != LODE_OK ||
            count(body(doc), "p") != 1 || xmlGetLineNo(elem(body(doc), "p", 0)) != 1)
            ok = 0;
        xmlFreeDoc(doc);
        if (!ok) {
            printf("#   at offset %zu\n", pos);
            break;
        }
    }
    CHECK(ok);
    CHECK(tree_ok);
    lode_engine_free(e);
}

/* The reader has its own inline path for common sequences; it must agree
 * with utf8.c on every lead byte, in strict and in repair mode. */
static void test_agrees_with_utf8(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    static const unsigned char probe[] = {0x41, 0x7F, 0x80, 0x8F, 0x90,
                                          0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    const mem m = {mem_default_alloc, NULL};
    int ok = 1, tree_ok = 1;
    for (unsigned lead = 0x80; lead <= 0xFF && ok; lead++) {
        for (size_t i = 0; i < sizeof probe && ok; i++) {
            for (size_t j = 0; j < sizeof probe && ok; j++) {
                /* NUL-terminated for the comparisons; parsed without the NUL */
                unsigned char s[] = {'x', 'x', (unsigned char)lead, probe[i], probe[j], 'y',
                                     'y', 0};
                size_t len = sizeof s - 1, bad = 0;
                int valid = utf8_validate(s, len, &bad) == 0;
                xmlDoc *doc = NULL;
                char got[64], msg[128];
                int rc = parse_quiet(e, (const char *)s, len, 0, &doc, &tree_ok);
                if (valid) {
                    ok = rc == LODE_OK && strcmp(text(elem(body(doc), "p", 0), got, sizeof got),
                                                 (const char *)s) == 0;
                } else {
                    snprintf(msg, sizeof msg,
                             "t.txt: invalid UTF-8 at byte offset %zu (line 1): byte 0x%02X", bad,
                             s[bad]);
                    ok = rc == LODE_EENCODING && strcmp(lode_errmsg(e), msg) == 0;
                }
                xmlFreeDoc(doc);
                doc = NULL;
                buf want;
                buf_init(&want, &m);
                utf8_repair(&want, s, len);
                rc = parse_quiet(e, (const char *)s, len, LODE_PARSE_REPAIR, &doc, &tree_ok);
                if (ok && rc == LODE_OK)
                    ok = buf_ok(&want) &&
                         strcmp(text(elem(body(doc), "p", 0), got, sizeof got), want.ptr) == 0;
                else
                    ok = 0;
                xmlFreeDoc(doc);
                buf_free(&want);
                if (!ok)
                    printf("#   %02X %02X %02X\n", lead, probe[i], probe[j]);
            }
        }
    }
    CHECK(ok);
    CHECK(tree_ok);
    lode_engine_free(e);
}

static void test_front_matter(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    xmlDoc *doc = NULL;
    static const char s[] = "---  \n"
                            "title: \"Hello & <world>\"\n"
                            "author:  'X Y'  \n"
                            "date: 2020-01-02\n"
                            "bogus line\n"
                            "  indented: x\n"
                            "\n"
                            "# comment\n"
                            "url: http://example.org/a:b\n"
                            "empty:\n"
                            "---\n"
                            "\n"
                            "Body text\n";
    if (PARSED(e, PARSE_STR(e, s, 0, &doc))) {
        CHECK_EQ_INT(count(head(doc), "meta"), 6) /* charset + 5 */;
        CHECK_ATTR(meta(doc, "title"), "content", "Hello & <world>");
        CHECK_ATTR(meta(doc, "author"), "content", "X Y");
        CHECK_ATTR(meta(doc, "date"), "content", "2020-01-02");
        CHECK_ATTR(meta(doc, "url"), "content", "http://example.org/a:b");
        CHECK_ATTR(meta(doc, "empty"), "content", "");
        CHECK_TEXT(elem(head(doc), "title", 0), "Hello & <world>");
        CHECK_EQ_INT(count(body(doc), "h1"), 0);
        CHECK_EQ_INT(count(body(doc), "p"), 1);
        CHECK_TEXT(elem(body(doc), "p", 0), "Body text");
        CHECK_EQ_INT(xmlGetLineNo(elem(body(doc), "p", 0)), 13);
        CHECK_EQ_INT(xmlGetLineNo(meta(doc, "author")), 3);
    }
    xmlFreeDoc(doc);
    CHECK_EQ_INT(lb.n, 2);
    CHECK_EQ_STR(lb.first, "t.txt:5: front matter line is not 'key: value', ignored");
    CHECK_EQ_STR(lb.last, "t.txt:6: front matter line is not 'key: value', ignored");

    /* "..." closes too; CRLF; then the date header on the next line */
    lb.n = 0;
    if (PARSED(e, PARSE_STR(e, "---\r\nk: v\r\n...\r\n date 2021-03-04  Head line \r\n\r\nText", 0,
                            &doc))) {
        CHECK_ATTR(meta(doc, "k"), "content", "v");
        CHECK_ATTR(meta(doc, "date"), "content", "2021-03-04");
        CHECK_TEXT(elem(head(doc), "title", 0), "Head line");
        CHECK_TEXT(elem(body(doc), "h1", 0), "Head line");
        CHECK_EQ_INT(xmlGetLineNo(elem(body(doc), "h1", 0)), 4);
        CHECK_EQ_INT(xmlGetLineNo(elem(body(doc), "p", 0)), 6);
    }
    xmlFreeDoc(doc);

    /* front matter title and date win over the header's: no duplicates */
    if (PARSED(e, PARSE_STR(e, "---\ntitle: T\ndate: 2000-01\n---\ndate 2019-04 H\n", 0, &doc))) {
        CHECK_EQ_INT(count(head(doc), "title"), 1);
        CHECK_TEXT(elem(head(doc), "title", 0), "T");
        CHECK_EQ_INT(count(head(doc), "meta"), 3) /* charset + 2 */;
        CHECK_ATTR(meta(doc, "date"), "content", "2000-01");
        CHECK_TEXT(elem(body(doc), "h1", 0), "H");
    }
    xmlFreeDoc(doc);

    /* no closing fence: ordinary text */
    if (PARSED(e, PARSE_STR(e, "---\na: b\n\nc\n", 0, &doc))) {
        CHECK_EQ_INT(count_elements(head(doc)), 1); /* only <meta charset> */
        CHECK_TEXT(elem(body(doc), "p", 0), "--- a: b");
        CHECK_TEXT(elem(body(doc), "p", 1), "c");
    }
    xmlFreeDoc(doc);
    /* " ---" and "----" do not open front matter */
    if (PARSED(e, PARSE_STR(e, " ---\na: b\n---\n", 0, &doc)))
        CHECK_EQ_INT(count_elements(head(doc)), 1); /* only <meta charset> */
    xmlFreeDoc(doc);
    if (PARSED(e, PARSE_STR(e, "----\na: b\n---\n", 0, &doc)))
        CHECK_EQ_INT(count_elements(head(doc)), 1); /* only <meta charset> */
    xmlFreeDoc(doc);
    /* empty front matter; nothing after it */
    if (PARSED(e, PARSE_STR(e, "---\n---", 0, &doc))) {
        CHECK_EQ_INT(count_elements(head(doc)), 1); /* only <meta charset> */
        CHECK_EQ_INT(count_elements(body(doc)), 0);
    }
    xmlFreeDoc(doc);
    /* bad bytes inside front matter are found too */
    CHECK_EQ_INT(PARSE_STR(e, "---\nk: \xFF\n---\n", 0, &doc), LODE_EENCODING);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt: invalid UTF-8 at byte offset 7 (line 2): byte 0xFF");
    CHECK_EQ_INT(lb.n, 0);
    lode_engine_free(e);
}

static void test_date_header(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    static const struct {
        const char *in;
        const char *date; /* NULL: not a header */
        const char *title;
    } cases[] = {
        {" date 2019-04 Nordkoreas Machthaber", "2019-04", "Nordkoreas Machthaber"},
        {"date 2019-04-25 X", "2019-04-25", "X"},
        {"date  2019-04-01\tTab  and  spaces \t", "2019-04-01", "Tab  and  spaces"},
        {"\t date 2019-04", "2019-04", NULL},
        {"date 2019-04   ", "2019-04", NULL},
        {"date 2019-04-12", "2019-04-12", NULL},
        {"date 2019-04x Foo", NULL, NULL},
        {"date 2019-04-1 Foo", NULL, NULL},
        {"date 2019-4 Foo", NULL, NULL},
        {"date 201-04 Foo", NULL, NULL},
        {"Date 2019-04 Foo", NULL, NULL},
        {"xdate 2019-04 Foo", NULL, NULL},
        {"date2019-04 Foo", NULL, NULL},
        {"date", NULL, NULL},
        {"date 2019-04-123 Foo", NULL, NULL},
    };
    int ok = 1, tree_ok = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xmlDoc *doc = NULL;
        char t[256];
        if (parse_quiet(e, cases[i].in, strlen(cases[i].in), 0, &doc, &tree_ok) != LODE_OK) {
            ok = 0;
            continue;
        }
        xmlNode *m = meta(doc, "date"), *h1 = elem(body(doc), "h1", 0);
        xmlNode *title = elem(head(doc), "title", 0);
        int good;
        if (!cases[i].date)
            good = !m && !h1 && !title && count(body(doc), "p") == 1;
        else
            good = m && strcmp(attr(m, "content", t, sizeof t), cases[i].date) == 0 &&
                   (cases[i].title
                        ? h1 && title && strcmp(text(h1, t, sizeof t), cases[i].title) == 0 &&
                              strcmp(text(title, t, sizeof t), cases[i].title) == 0
                        : !h1 && !title) &&
                   count(body(doc), "p") == 0;
        if (!good) {
            printf("#   case %zu: \"%s\"\n", i, cases[i].in);
            ok = 0;
        }
        xmlFreeDoc(doc);
    }
    CHECK(ok);
    CHECK(tree_ok);

    /* only the first line; a header line is followed by text at once */
    xmlDoc *doc = NULL;
    if (PARSED(e, PARSE_STR(e, "foo\ndate 2019-04 Bar\n", 0, &doc))) {
        CHECK(meta(doc, "date") == NULL);
        CHECK_TEXT(elem(body(doc), "p", 0), "foo date 2019-04 Bar");
    }
    xmlFreeDoc(doc);
    if (PARSED(e, PARSE_STR(e, "date 2019-04 T\nBody\n", 0, &doc))) {
        CHECK_EQ_INT(count_elements(body(doc)), 2);
        CHECK_EQ_INT(xmlGetLineNo(elem(body(doc), "p", 0)), 2);
    }
    xmlFreeDoc(doc);
    /* the header must be line 1: a blank line before it makes it text */
    if (PARSED(e, PARSE_STR(e, "\ndate 2019-04 T\n", 0, &doc)))
        CHECK(meta(doc, "date") == NULL);
    xmlFreeDoc(doc);
    lode_engine_free(e);
}

/* Lines past 65535 are clamped (libxml2 keeps an unsigned short). */
static void test_line_clamp(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    size_t n = 70000;
    char *s = malloc(n + 1);
    xmlDoc *doc = NULL;
    if (!CHECK(s != NULL))
        return;
    memset(s, '\n', n);
    s[n - 10] = 'a';
    s[n - 1000] = 'b';
    s[5] = 'c';
    if (PARSED(e, parse(e, s, n, 0, &doc))) {
        CHECK_EQ_INT(count(body(doc), "p"), 3);
        CHECK_EQ_INT(elem(body(doc), "p", 0)->line, 6);
        CHECK_EQ_INT(elem(body(doc), "p", 1)->line, 65535);
        CHECK_EQ_INT(elem(body(doc), "p", 2)->line, 65535);
    }
    xmlFreeDoc(doc);
    free(s);
    lode_engine_free(e);
}

/* A paragraph over 16 MiB (a file without blank lines) is refused. */
static void test_paragraph_limit(void)
{
    logbook lb;
    lode_engine *e = new_engine(&lb);
    size_t n = ((size_t)16 << 20) + 100;
    char *s = malloc(n);
    xmlDoc *doc = NULL;
    if (!CHECK(s != NULL))
        return;
    memset(s, 'a', n);
    for (size_t i = 100; i < n; i += 100)
        s[i] = '\n';
    CHECK_EQ_INT(parse(e, s, n, 0, &doc), LODE_ELIMIT);
    CHECK_EQ_STR(lode_errmsg(e), "t.txt:1: paragraph longer than 16 MiB (no blank line ends it)");
    s[n / 2] = '\n';
    s[n / 2 + 1] = '\n';
    if (PARSED(e, parse(e, s, n, 0, &doc)))
        CHECK_EQ_INT(count(body(doc), "p"), 2);
    xmlFreeDoc(doc);
    free(s);
    lode_engine_free(e);
}

/* Every failure of our allocations ends in a clean LODE_ENOMEM, no tree and
 * (under ASan) no leak -- with front matter, a header, a repair and
 * paragraphs long enough to make the bufs grow. */
static void test_out_of_memory(void)
{
    test_alloc f = {0};
    lode_options o;
    lode_options_init(&o);
    o.alloc = test_alloc_fn;
    o.alloc_ud = &f;
    lode_engine *e = lode_engine_new(&o);
    if (!CHECK(e != NULL))
        return;
    char s[4096];
    size_t n = (size_t)snprintf(s, sizeof s, "---\ntitle: T\n---\ndate 2019-04 H\xFF\n\n");
    for (; n < sizeof s - 2; n++)
        s[n] = (n % 97 == 0) ? '\n' : 'w';
    int ok = 1, done = 0;
    for (long i = 0; i < 1000 && !done; i++) {
        xmlDoc *doc = NULL;
        test_alloc_fail_in(&f, i + 1, 0);
        int rc = parse_quiet(e, s, n, LODE_PARSE_REPAIR, &doc, &ok);
        if (rc == LODE_OK)
            done = 1;
        else if (rc != LODE_ENOMEM || strcmp(lode_errmsg(e), "t.txt: out of memory") != 0)
            ok = 0;
        xmlFreeDoc(doc);
    }
    test_alloc_fail_in(&f, 0, 0);
    CHECK(done);
    CHECK(ok);
    lode_engine_free(e);
    CHECK(test_alloc_clean(&f));
}

int main(void)
{
    RUN(test_seed);
    RUN(test_paragraphs);
    RUN(test_line_ends);
    RUN(test_bom_and_empty);
    RUN(test_invalid_utf8);
    RUN(test_repair);
    RUN(test_controls);
    RUN(test_fast_path_offsets);
    RUN(test_agrees_with_utf8);
    RUN(test_front_matter);
    RUN(test_date_header);
    RUN(test_line_clamp);
    RUN(test_paragraph_limit);
    RUN(test_out_of_memory);
    return harness_done();
}
