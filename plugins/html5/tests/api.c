/* api.c -- the html5 reader through lode's public API: chosen by name only
 * (never by extension or sniffing), the engine's limits (max_depth,
 * max_attributes) and lode_parse_options.encoding honoured, source lines,
 * namespaces of foreign content, and the tree invariants on every result.
 * Run by plugins/html5/tests/run.sh with the plugin's path as argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "harness.h"
#include "lode.h"

static const char *plugin_path;

static lode_engine *engine(unsigned max_depth, unsigned max_attributes)
{
    lode_options o;
    lode_options_init(&o);
    if (max_depth)
        o.limits.max_depth = max_depth;
    if (max_attributes)
        o.limits.max_attributes = max_attributes;
    lode_engine *e = lode_engine_new(&o);
    CHECK_EQ_INT(lode_plugin_load(e, plugin_path), LODE_OK);
    return e;
}

static int parse(lode_engine *e, const char *src, const char *encoding, lode_doc **doc)
{
    lode_parse_options po = {"html5", encoding, 0};
    return lode_doc_parse(e, src, strlen(src), "t.html", &po, doc);
}

/* The first element named name below n (depth first), or NULL. */
static xmlNode *find(xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return n;
        xmlNode *c = n->type == XML_ELEMENT_NODE ? find(n->children, name) : NULL;
        if (c)
            return c;
    }
    return NULL;
}

static void test_chosen_by_name(void)
{
    lode_engine *e = engine(0, 0);
    CHECK_EQ_STR(lode_format_detect(e, "page.html", NULL, 0), "html");
    CHECK_EQ_STR(lode_format_detect(e, "noext", "<!DOCTYPE html><p>x", 19), "html");
    lode_doc *doc = NULL;
    CHECK_EQ_INT(parse(e, "<table><tr><td>x</table>", NULL, &doc), LODE_OK);
    CHECK_EQ_STR(lode_doc_format(doc), "html5");
    CHECK_TREE(lode_doc_xml(doc));
    CHECK(find(xmlDocGetRootElement(lode_doc_xml(doc)), "tbody") != NULL);
    lode_doc_free(doc);
    CHECK_EQ_INT(parse(e, "", NULL, &doc), LODE_EEMPTY);
    CHECK_EQ_STR(lode_errmsg(e), "t.html: empty document");
    CHECK_EQ_INT(parse(e, "\xEF\xBB\xBF", NULL, &doc), LODE_EEMPTY);
    lode_engine_free(e);
}

static char *repeat(const char *s, size_t n, const char *tail)
{
    size_t l = strlen(s), t = strlen(tail);
    char *b = malloc(l * n + t + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(b + i * l, s, l);
    memcpy(b + l * n, tail, t + 1);
    return b;
}

static void test_max_depth(void)
{
    lode_engine *e = engine(10, 0);
    lode_doc *doc = NULL;
    /* html, body and 8 divs: 10 levels */
    char *ok = repeat("<div>", 8, "x");
    CHECK_EQ_INT(parse(e, ok, NULL, &doc), LODE_OK);
    CHECK_TREE(lode_doc_xml(doc));
    lode_doc_free(doc);
    char *deep = repeat("<div>", 9, "x");
    CHECK_EQ_INT(parse(e, deep, NULL, &doc), LODE_ELIMIT);
    CHECK_EQ_STR(lode_errmsg(e), "t.html:1:41: elements nested deeper than 10 levels (limit)");
    CHECK(doc == NULL);
    /* implied end tags do not count: 100 paragraphs and list items */
    char *flat = repeat("<p>a<li>b", 100, "");
    CHECK_EQ_INT(parse(e, flat, NULL, &doc), LODE_OK);
    lode_doc_free(doc);
    /* formatting elements reopened in each paragraph count where they are */
    char *fmt = repeat("<b>", 6, "<p>x</p><p>y</p>");
    CHECK_EQ_INT(parse(e, fmt, NULL, &doc), LODE_OK);
    lode_doc_free(doc);
    char *fmt2 = repeat("<p><b>x</p>", 9, "<p>y");
    CHECK_EQ_INT(parse(e, fmt2, NULL, &doc), LODE_ELIMIT);
    free(ok);
    free(deep);
    free(flat);
    free(fmt);
    free(fmt2);
    lode_engine_free(e);
}

static void test_max_attributes(void)
{
    lode_engine *e = engine(0, 5);
    lode_doc *doc = NULL;
    CHECK_EQ_INT(parse(e, "<p a=1 b c='>' d=\"4\" e>x", NULL, &doc), LODE_OK);
    CHECK_TREE(lode_doc_xml(doc));
    xmlNode *p = find(xmlDocGetRootElement(lode_doc_xml(doc)), "p");
    xmlChar *c = p ? xmlGetProp(p, (const xmlChar *)"c") : NULL;
    CHECK_EQ_STR((const char *)c, ">");
    xmlFree(c);
    lode_doc_free(doc);
    const char *many = "<p>x</p>\n<p a b c d e f>";
    CHECK_EQ_INT(parse(e, many, NULL, &doc), LODE_ELIMIT);
    CHECK_EQ_STR(lode_errmsg(e), "t.html:2:1: more than 5 attributes on one tag (limit)");
    /* '=' in a script or a comment is no attribute */
    CHECK_EQ_INT(parse(e, "<script>a=1,b=2,c=3,d=4,e=5,f=6</script><!-- <p a b c d e f> -->", NULL, &doc),
                 LODE_OK);
    lode_doc_free(doc);
    lode_engine_free(e);
}

static void test_encoding(void)
{
    lode_engine *e = engine(0, 0);
    lode_doc *doc = NULL;
    /* forced: Latin-1 means windows-1252 (0x80 is the euro sign) */
    CHECK_EQ_INT(parse(e, "<p>caf\xE9 \x80</p>", "iso-8859-1", &doc), LODE_OK);
    xmlChar *t = xmlNodeGetContent(find(xmlDocGetRootElement(lode_doc_xml(doc)), "p"));
    CHECK_EQ_STR((const char *)t, "caf\xC3\xA9 \xE2\x82\xAC");
    xmlFree(t);
    lode_doc_free(doc);
    /* forced UTF-8 wins over the declaration */
    CHECK_EQ_INT(parse(e, "<meta charset=windows-1252><p>\xC3\xA9</p>", "utf-8", &doc), LODE_OK);
    t = xmlNodeGetContent(find(xmlDocGetRootElement(lode_doc_xml(doc)), "p"));
    CHECK_EQ_STR((const char *)t, "\xC3\xA9");
    xmlFree(t);
    lode_doc_free(doc);
    /* a converted page: names of unknown and SVG elements come from the
     * converted text, which must outlive gumbo's tree (ASan) */
    CHECK_EQ_INT(parse(e, "<x-Foo>\xE9</x-Foo><svg><clipPath/></svg>", "windows-1252", &doc), LODE_OK);
    xmlNode *root = xmlDocGetRootElement(lode_doc_xml(doc));
    CHECK(find(root, "x-foo") != NULL);
    CHECK(find(root, "clipPath") != NULL);
    lode_doc_free(doc);
    lode_engine_free(e);
}

static void test_lines_and_namespaces(void)
{
    lode_engine *e = engine(0, 0);
    lode_doc *doc = NULL;
    const char *src = "<title>t</title>\n\n<p>x\n<svg><circle/></svg>\n<table><tr><td>c</table>";
    CHECK_EQ_INT(parse(e, src, NULL, &doc), LODE_OK);
    xmlNode *root = xmlDocGetRootElement(lode_doc_xml(doc));
    CHECK_EQ_INT(xmlGetLineNo(find(root, "title")), 1);
    CHECK_EQ_INT(xmlGetLineNo(find(root, "p")), 3);
    xmlNode *svg = find(root, "svg"), *circle = find(root, "circle");
    CHECK_EQ_INT(xmlGetLineNo(svg), 4);
    CHECK(svg && svg->ns && strcmp((const char *)svg->ns->href, "http://www.w3.org/2000/svg") == 0);
    CHECK(circle && circle->ns == svg->ns);
    CHECK(find(root, "p")->ns == NULL);
    /* the implied tbody has the line of the tag that implied it */
    CHECK_EQ_INT(xmlGetLineNo(find(root, "tbody")), 5);
    lode_doc_free(doc);
    lode_engine_free(e);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH/html5.so\n", argv[0]);
        return 2;
    }
    plugin_path = argv[1];
    RUN(test_chosen_by_name);
    RUN(test_max_depth);
    RUN(test_max_attributes);
    RUN(test_encoding);
    RUN(test_lines_and_namespaces);
    return harness_done();
}
