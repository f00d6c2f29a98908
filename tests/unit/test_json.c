/* test_json.c -- lode's JSON tree format: exact output, lossless round trips
 * (JSON -> tree -> JSON gives the same bytes, and the XML/HTML serialisation
 * of the rebuilt tree is the same), and the reader's errors. */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "engine.h"
#include "format.h"
#include "harness.h"

static lode_engine *eng;

static xmlDoc *parse_xml(const char *s)
{
    return xmlReadMemory(s, (int)strlen(s), "t.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static xmlDoc *parse_html(const char *s)
{
    return htmlReadMemory(s, (int)strlen(s), "t.html", "UTF-8",
                          HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_RECOVER);
}

/* Writes doc as JSON; returns a malloc'd string, or NULL on failure. */
static char *to_json(xmlDoc *doc, unsigned flags)
{
    buf b;
    buf_init(&b, &eng->mem);
    lode_write_options wo = {"json", flags};
    int rc = write_json(eng, doc, &wo, &b);
    char *s = rc == LODE_OK ? strdup(b.ptr ? b.ptr : "") : NULL;
    buf_free(&b);
    return s;
}

/* Reads JSON text; stores the status in *rc. */
static xmlDoc *from_json(const char *s, int *rc)
{
    xmlDoc *doc = NULL;
    lode_parse_options po = {"json", NULL, 0};
    *rc = read_json(eng, "t.json", (const unsigned char *)s, strlen(s), &po, &doc);
    return doc;
}

/* The XML or HTML serialisation of doc (libxml2's own dump). */
static char *dump(xmlDoc *doc)
{
    xmlChar *out = NULL;
    int n = 0;
    if (doc->type == XML_HTML_DOCUMENT_NODE)
        htmlDocDumpMemory(doc, &out, &n);
    else
        xmlDocDumpMemory(doc, &out, &n);
    char *s = strdup(out ? (const char *)out : "");
    xmlFree(out);
    return s;
}

/* The round-trip contract for doc: JSON -> tree -> JSON is identical, the
 * rebuilt tree passes tree_check and (if check_dump) serialises identically,
 * and indented JSON reads back to the same tree.  Returns the rebuilt tree
 * (the caller frees it). */
static xmlDoc *roundtrip_ex(xmlDoc *doc, int check_dump)
{
    int rc;
    char *j1 = to_json(doc, 0);
    CHECK(j1 != NULL);
    if (!j1)
        return NULL;
    xmlDoc *back = from_json(j1, &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    if (rc != LODE_OK) {
        printf("#   %s\n#   json: %s", lode_errmsg(eng), j1);
        free(j1);
        return NULL;
    }
    CHECK_TREE(back);
    char *j2 = to_json(back, 0);
    CHECK_EQ_STR(j2, j1);
    char *d1 = check_dump ? dump(doc) : NULL, *d2 = check_dump ? dump(back) : NULL;
    if (check_dump)
        CHECK_EQ_STR(d2, d1);
    char *ji = to_json(doc, LODE_WRITE_INDENT);
    xmlDoc *back2 = from_json(ji, &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    if (back2) {
        char *j3 = to_json(back2, 0);
        CHECK_EQ_STR(j3, j1);
        free(j3);
        xmlFreeDoc(back2);
    }
    free(j1);
    free(j2);
    free(d1);
    free(d2);
    free(ji);
    return back;
}

static xmlDoc *roundtrip(xmlDoc *doc)
{
    return roundtrip_ex(doc, 1);
}

static void roundtrip_xml(const char *src)
{
    xmlDoc *doc = parse_xml(src);
    CHECK(doc != NULL);
    if (!doc)
        return;
    CHECK_TREE(doc);
    xmlFreeDoc(roundtrip(doc));
    xmlFreeDoc(doc);
}

static void roundtrip_html(const char *src)
{
    xmlDoc *doc = parse_html(src);
    CHECK(doc != NULL);
    if (!doc)
        return;
    CHECK_TREE(doc);
    xmlFreeDoc(roundtrip(doc));
    xmlFreeDoc(doc);
}

/* Reads json, expecting failure with code and a message containing want. */
static void expect_error(const char *json, int code, const char *want)
{
    int rc;
    xmlDoc *doc = from_json(json, &rc);
    CHECK(doc == NULL);
    CHECK_EQ_INT(rc, code);
    const char *msg = lode_errmsg(eng);
    if (!CHECK(strstr(msg, want) != NULL))
        printf("#   message: %s\n#   wanted:  %s\n", msg, want);
    xmlFreeDoc(doc);
}

/* ---- exact output -------------------------------------------------------- */

static void test_exact_small_xml(void)
{
    xmlDoc *doc = parse_xml("<a x=\"1\">t<b/></a>");
    char *j = to_json(doc, 0);
    CHECK_EQ_STR(j, "{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"xml_version\":\"1.0\",\"children\":"
                    "[{\"name\":\"a\",\"line\":1,\"attrs\":{\"x\":\"1\"},\"children\":[\"t\",{\"name\":\"b\","
                    "\"line\":1}]}]}\n");
    free(j);
    xmlFreeDoc(doc);
}

static void test_exact_indent(void)
{
    xmlDoc *doc = parse_xml("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<a>t<!--c--></a>");
    char *j = to_json(doc, LODE_WRITE_INDENT);
    CHECK_EQ_STR(j, "{\n"
                    "  \"lode\": \"tree\",\n"
                    "  \"version\": 1,\n"
                    "  \"type\": \"xml\",\n"
                    "  \"xml_version\": \"1.0\",\n"
                    "  \"encoding\": \"UTF-8\",\n"
                    "  \"standalone\": 1,\n"
                    "  \"children\": [\n"
                    "    {\n"
                    "      \"name\": \"a\",\n"
                    "      \"line\": 2,\n"
                    "      \"children\": [\n"
                    "        \"t\",\n"
                    "        {\n"
                    "          \"comment\": \"c\",\n"
                    "          \"line\": 2\n"
                    "        }\n"
                    "      ]\n"
                    "    }\n"
                    "  ]\n"
                    "}\n");
    free(j);
    xmlFreeDoc(doc);
}

static void test_exact_html(void)
{
    xmlDoc *doc = parse_html("<!DOCTYPE html><p class=x disabled foo data-e=\"\">hi<script>a<b</script>");
    char *j = to_json(doc, 0);
    CHECK_EQ_STR(j, "{\"lode\":\"tree\",\"version\":1,\"type\":\"html\",\"encoding\":\"UTF-8\",\"children\":["
                    "{\"doctype\":\"html\"},{\"name\":\"html\",\"line\":1,\"children\":[{\"name\":\"body\","
                    "\"line\":1,\"children\":[{\"name\":\"p\",\"line\":1,\"attrs\":{\"class\":\"x\","
                    "\"disabled\":\"disabled\",\"foo\":null,\"data-e\":\"\"},\"children\":[\"hi\",{\"name\":"
                    "\"script\",\"line\":1,\"children\":[{\"cdata\":\"a<b\"}]}]}]}]}]}\n");
    free(j);
    xmlDoc *back = roundtrip(doc);
    /* null and "" are different attribute values in HTML output */
    char *d = back ? dump(back) : NULL;
    CHECK(d && strstr(d, "disabled foo data-e=\"\""));
    free(d);
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
}

/* Escapes: the short forms, \u00XX for other control characters, raw UTF-8
 * (also DEL and U+2028), and '/' unescaped. */
static void test_escaping(void)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"a", NULL);
    xmlDocSetRootElement(doc, root);
    xmlAddChild(root, xmlNewDocText(doc, (const xmlChar *)"\"\\/\b\f\n\r\t\x01\x1f\x7f \xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80"));
    char *j = to_json(doc, 0);
    CHECK_EQ_STR(j, "{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"xml_version\":\"1.0\",\"children\":"
                    "[{\"name\":\"a\",\"children\":[\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9\xe2\x80\xa8"
                    "\xf0\x9f\x98\x80\"]}]}\n");
    /* The writer escapes control characters exactly; the reader refuses
     * them (XML 1.0 cannot hold them: libxml2's serialiser would silently
     * drop them), so such a tree does not round-trip by design. */
    int rc = LODE_OK;
    xmlDoc *back = j ? from_json(j, &rc) : NULL;
    CHECK(back == NULL);
    CHECK_EQ_INT(rc, LODE_EENCODING);
    CHECK(strstr(lode_errmsg(eng), "control character U+0008") != NULL); /* \b comes first */
    free(j);
    xmlFreeDoc(doc);
    /* Without them, the same escapes round-trip. */
    doc = xmlNewDoc((const xmlChar *)"1.0");
    root = xmlNewDocNode(doc, NULL, (const xmlChar *)"a", NULL);
    xmlDocSetRootElement(doc, root);
    xmlAddChild(root, xmlNewDocText(doc, (const xmlChar *)"\"\\/\n\r\t\x7f \xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80"));
    xmlFreeDoc(roundtrip_ex(doc, 1));
    xmlFreeDoc(doc);
}

/* The writer never emits invalid UTF-8: a tree holding some is an error. */
static void test_writer_invalid_utf8(void)
{
    const char *bad[] = {"a\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "x\xc3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
        xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"a", NULL);
        xmlDocSetRootElement(doc, root);
        root->line = 7;
        xmlAddChild(root, xmlNewDocText(doc, (const xmlChar *)bad[i]));
        CHECK(to_json(doc, 0) == NULL);
        CHECK_EQ_INT(lode_errcode(eng), LODE_EENCODING);
        CHECK(strstr(lode_errmsg(eng), "line 7") != NULL);
        xmlFreeDoc(doc);
    }
}

/* ---- round trips --------------------------------------------------------- */

static void test_namespaces(void)
{
    const char *src =
        "<r xmlns=\"urn:d\" xmlns:x=\"urn:x\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
        "<x:a x:k=\"1\" k=\"2\" xlink:href=\"#h\" xml:lang=\"de\"><b/></x:a>"
        "<c xmlns=\"\"><d/><x:e xmlns:x=\"urn:other\"/></c><undeclared:f/></r>";
    xmlDoc *doc = parse_xml(src);
    CHECK(doc != NULL);
    xmlDoc *back = roundtrip(doc);
    if (back) {
        xmlNode *r = xmlDocGetRootElement(back);
        CHECK(r->ns && strcmp((const char *)r->ns->href, "urn:d") == 0);
        CHECK(r->nsDef && !r->nsDef->prefix && r->nsDef->next &&
              strcmp((const char *)r->nsDef->next->prefix, "x") == 0);
        xmlNode *a = r->children;
        CHECK_EQ_STR((const char *)a->name, "a");
        CHECK(a->ns && strcmp((const char *)a->ns->href, "urn:x") == 0);
        xmlAttr *k1 = a->properties, *k2 = k1->next, *href = k2->next, *lang = href->next;
        CHECK(k1->ns && strcmp((const char *)k1->ns->href, "urn:x") == 0);
        CHECK(k2->ns == NULL);
        CHECK(href->ns && strcmp((const char *)href->ns->prefix, "xlink") == 0);
        CHECK(lang->ns && strcmp((const char *)lang->ns->href, (const char *)XML_XML_NAMESPACE) == 0);
        CHECK(a->children->ns && strcmp((const char *)a->children->ns->href, "urn:d") == 0);
        xmlNode *c = a->next;
        CHECK(c->ns == NULL && c->children->ns == NULL);
        CHECK(c->children->next->ns && strcmp((const char *)c->children->next->ns->href, "urn:other") == 0);
        xmlNode *f = c->next;
        CHECK(f->ns == NULL);
        CHECK_EQ_STR((const char *)f->name, "undeclared:f");
    }
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
}

static void test_comments_pis_cdata(void)
{
    roundtrip_xml("<?xml-stylesheet href=\"s.css\"?><!-- before --><a><!--in-->"
                  "<?pi?><?pi ?><?pi  data ?><![CDATA[ <x> & ]]><![CDATA[]]></a><!--after--><?end?>");
    xmlDoc *doc = parse_xml("<a><?p?><?p ?></a>");
    xmlDoc *back = roundtrip(doc);
    if (back) {
        xmlNode *p1 = xmlDocGetRootElement(back)->children;
        CHECK(p1->content == NULL);
        CHECK(p1->next->content != NULL && p1->next->content[0] == '\0');
    }
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
}

static void test_entities(void)
{
    const char *src = "<!DOCTYPE a [\n"
                      "<!ENTITY base \"http://example.org/\">\n"
                      "<!ENTITY site \"&base;site/\">\n"
                      "<!ENTITY tm \"&#x2122;\">\n"
                      "<!ENTITY mark \"<b>bold &tm;</b>\">\n"
                      "<!ENTITY unused \"never\">\n"
                      "<!ENTITY % pe \"<!ENTITY later 'x'>\">\n"
                      "<!ENTITY ext SYSTEM \"ext.xml\">\n"
                      "<!ENTITY pic PUBLIC \"-//P//pic\" \"pic.png\" NDATA png>\n"
                      "<!NOTATION png SYSTEM \"image/png\">\n"
                      "<!ENTITY gt \">\">\n"
                      "<!-- a comment in the subset -->\n"
                      "<?pi in the subset?>\n"
                      "]>\n"
                      "<a t=\"x &site; y\" u=\"&tm;\">&site; &mark;&tm;</a>";
    xmlDoc *doc = parse_xml(src);
    CHECK(doc != NULL);
    xmlDoc *back = roundtrip(doc);
    if (back) {
        /* references point at the rebuilt declarations and keep their text */
        xmlNode *a = xmlDocGetRootElement(back);
        xmlEntity *site = xmlGetDocEntity(back, (const xmlChar *)"site");
        CHECK(site && a->children->type == XML_ENTITY_REF_NODE && a->children->children == (xmlNode *)site);
        xmlChar *c1 = xmlNodeGetContent(xmlDocGetRootElement(doc));
        xmlChar *c2 = xmlNodeGetContent(a);
        CHECK_EQ_STR((const char *)c2, (const char *)c1);
        CHECK_EQ_STR((const char *)c2, "http://example.org/site/ bold \xe2\x84\xa2\xe2\x84\xa2");
        xmlFree(c1);
        xmlFree(c2);
        xmlChar *t = xmlGetProp(a, (const xmlChar *)"t");
        CHECK_EQ_STR((const char *)t, "x http://example.org/site/ y");
        xmlFree(t);
        xmlEntity *tm = xmlGetDocEntity(back, (const xmlChar *)"tm");
        CHECK(tm && tm->orig && strcmp((const char *)tm->orig, "&#x2122;") == 0);
        CHECK(xmlGetParameterEntity(back, (const xmlChar *)"pe") != NULL);
    }
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
    /* Several notations: libxml2 keeps them in a hash table and serialises
     * them in its (seeded) hash order, so only the JSON, which sorts them by
     * name, is compared. */
    doc = parse_xml("<!DOCTYPE a [<!NOTATION png SYSTEM \"image/png\"><!NOTATION gif PUBLIC \"-//G//gif\">"
                    "<!NOTATION jpg PUBLIC \"-//J//jpg\" \"image/jpeg\">]><a/>");
    back = roundtrip_ex(doc, 0);
    char *j = back ? to_json(back, 0) : NULL;
    CHECK(j && strstr(j, "\"notations\":[{\"notation\":\"gif\",\"public\":\"-//G//gif\"},{\"notation\":\"jpg\","
                         "\"public\":\"-//J//jpg\",\"system\":\"image/jpeg\"},{\"notation\":\"png\","
                         "\"system\":\"image/png\"}]"));
    free(j);
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
    /* a reference to an entity declared in an external DTD only */
    roundtrip_xml("<!DOCTYPE a SYSTEM \"a.dtd\"><a>&nbsp;x</a>");
}

static void test_declarations(void)
{
    roundtrip_xml("<!DOCTYPE a [\n"
                  "<!ATTLIST a id ID #IMPLIED kind (x|y) \"x\" xml:space (preserve) #FIXED \"preserve\">\n"
                  "<!ELEMENT a (#PCDATA|b)*>\n"
                  "<!ELEMENT b (c?, (d|e)+)>\n"
                  "<!ELEMENT c EMPTY>\n"
                  "]><a id=\"i\">t</a>");
    /* the declaration text is checked */
    expect_error("{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"children\":[{\"doctype\":\"a\",\"subset\":"
                 "[{\"declaration\":\"<!ELEMENT a (\"}]},{\"name\":\"a\"}]}",
                 LODE_EPARSE, "/children/0/subset/0/declaration");
    expect_error("{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"children\":[{\"doctype\":\"a\",\"subset\":"
                 "[{\"declaration\":\"<!ELEMENT a ANY><!ELEMENT b ANY>\"}]},{\"name\":\"a\"}]}",
                 LODE_EPARSE, "not one valid element or attribute-list declaration");
}

/* Writes the document lode reads from src as fmt and reads that back with
 * the same reader; returns the output (the caller frees it with lode_free). */
static char *write_read_back(const char *src, const char *fmt)
{
    lode_parse_options xp = {"xml", NULL, 0}, bp = {fmt, NULL, 0};
    lode_write_options wo = {fmt, 0};
    lode_doc *d = NULL, *back = NULL;
    char *out = NULL;
    size_t len = 0;
    CHECK_EQ_INT(lode_doc_parse(eng, src, strlen(src), "t.xml", &xp, &d), LODE_OK);
    if (d)
        CHECK_EQ_INT(lode_doc_write_buffer(eng, d, &wo, &out, &len), LODE_OK);
    if (out) {
        int rc = lode_doc_parse(eng, out, len, "back", &bp, &back);
        CHECK_EQ_INT(rc, LODE_OK);
        if (rc != LODE_OK)
            printf("#   %s\n#   %s\n", lode_errmsg(eng), out);
    }
    lode_doc_free(back);
    lode_doc_free(d);
    return out;
}

/* libxml2 keeps '<' of an attribute default as is and dumps it unescaped;
 * the reader stores it as &#60;, so both writers stay readable (fuzz_xml). */
static void test_attlist_default_lt(void)
{
    const char *src = "<!DOCTYPE r [<!ATTLIST r a CDATA \"&lt;d&amp;&#60;\">]><r/>";
    char *x = write_read_back(src, "xml");
    CHECK(x && strstr(x, "<!ATTLIST r a CDATA \"&#60;d&#38;&#60;\">"));
    lode_free(eng, x);
    char *j = write_read_back(src, "json");
    CHECK(j && strstr(j, "\"declaration\":\"<!ATTLIST r a CDATA \\\"&#60;d&#38;&#60;\\\">\""));
    lode_free(eng, j);
}

/* libxml2 writes namespace names unescaped: the XML writer refuses one
 * with '<' rather than write a document no parser reads (fuzz_xml). */
static void test_ns_name_lt(void)
{
    const char *src = "<r xmlns:p=\"x&lt;y\" xmlns=\"a&amp;b\"><p:a/></r>";
    lode_parse_options xp = {"xml", NULL, 0};
    lode_write_options wo = {"xml", 0};
    lode_doc *d = NULL;
    char *out = NULL;
    size_t len = 0;
    CHECK_EQ_INT(lode_doc_parse(eng, src, strlen(src), "t.xml", &xp, &d), LODE_OK);
    CHECK_EQ_INT(lode_doc_write_buffer(eng, d, &wo, &out, &len), LODE_EFORMAT);
    CHECK(strstr(lode_errmsg(eng), "cannot write the namespace name \"x<y\"") != NULL);
    lode_free(eng, out);
    lode_doc_free(d);
    /* "&amp;" is kept as "&#38;", which is written as it is and reads back */
    char *x = write_read_back("<r xmlns=\"a&amp;b\"/>", "xml");
    CHECK(x && strstr(x, "<r xmlns=\"a&#38;b\"/>"));
    lode_free(eng, x);
}

static void test_doctype(void)
{
    roundtrip_xml("<!--first--><!DOCTYPE a PUBLIC \"-//X//DTD x//EN\" \"x.dtd\"><!--second--><a/>");
    roundtrip_html("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
                   "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"><title>t</title>");
    roundtrip_html("<p>no doctype: libxml2 adds HTML 4.0's</p>");
    /* An HTML tree whose doctype is not its first child keeps its order,
     * although xmlCreateIntSubset would put it first. */
    int rc;
    const char *j = "{\"lode\":\"tree\",\"version\":1,\"type\":\"html\",\"children\":[{\"comment\":\"c\"},"
                    "{\"doctype\":\"html\"},{\"name\":\"html\"}]}\n";
    xmlDoc *doc = from_json(j, &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    if (doc) {
        CHECK_TREE(doc);
        CHECK(doc->children->type == XML_COMMENT_NODE && doc->children->next == (xmlNode *)doc->intSubset);
        char *again = to_json(doc, 0);
        CHECK_EQ_STR(again, j);
        free(again);
        xmlFreeDoc(doc);
    }
}

static void test_mixed_whitespace_unicode(void)
{
    roundtrip_xml("<p>Some <em>mixed</em> content, <b>bold <i>and</i></b> tail.\n  <br/>\n\t</p>");
    roundtrip_xml("<a>  <b> </b>\n\n<c>\r\n</c>&#13;&#x9;</a>");
    roundtrip_xml("<a \xc3\xa9l\xc3\xa8ve=\"\xe6\x97\xa5\xe6\x9c\xac\">\xd0\x9f\xd1\x80\xd0\xb8 \xf0\x9f\x98\x80 "
                  "\xe2\x80\xa8 \xef\xbf\xbd</a>");
    roundtrip_html("<html><body><p>caf\xc3\xa9 &amp; &nbsp;&mdash; <a href=\"?a=1&amp;b=2\">x</a></p>"
                   "<pre>\n  keep\n</pre><!-- c --><?php echo 1 ?></body></html>");
}

/* Adjacent text nodes are kept apart (xmlAddChild would merge them). */
static void test_adjacent_text(void)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"a", NULL);
    xmlDocSetRootElement(doc, root);
    xmlNode *t1 = xmlNewDocText(doc, (const xmlChar *)"one");
    xmlNode *t2 = xmlNewDocText(doc, (const xmlChar *)"two");
    xmlAddChild(root, t1);
    t1->next = t2;
    t2->prev = t1;
    t2->parent = root;
    root->last = t2;
    xmlDoc *back = roundtrip(doc);
    if (back) {
        xmlNode *c = xmlDocGetRootElement(back)->children;
        CHECK(c && c->next && c->next->type == XML_TEXT_NODE && !c->next->next);
    }
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
}

/* A namespace declaration without a name (libxml2 leaves these on entity
 * content; serialisers skip them) is null, not xmlns="". */
static void test_ns_without_href(void)
{
    xmlDoc *doc = parse_xml("<a xmlns=\"urn:a\"><b/></a>");
    xmlNode *b = xmlFirstElementChild(xmlDocGetRootElement(doc));
    xmlNewNs(b, NULL, NULL);
    char *j = to_json(doc, 0);
    CHECK(j && strstr(j, "{\"name\":\"b\",\"line\":1,\"ns\":{\"\":null}}"));
    free(j);
    xmlDoc *back = roundtrip(doc);
    if (back) {
        xmlNs *ns = xmlFirstElementChild(xmlDocGetRootElement(back))->nsDef;
        CHECK(ns && !ns->prefix && !ns->href);
    }
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
}

static void test_line_numbers(void)
{
    xmlDoc *doc = parse_xml("<a>\n<b>\n\n<c/><!--x-->\n</b><?p d?></a>");
    xmlDoc *back = roundtrip(doc);
    if (back) {
        xmlNode *a = xmlDocGetRootElement(back), *b = xmlFirstElementChild(a);
        CHECK_EQ_INT(a->line, 1);
        CHECK_EQ_INT(b->line, 2);
        CHECK_EQ_INT(xmlFirstElementChild(b)->line, 4);
        CHECK_EQ_INT(xmlFirstElementChild(b)->next->line, 4);
        CHECK_EQ_INT(b->next->line, 5);
    }
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
}

/* Attribute (and namespace declaration) order is the order of the JSON
 * object, which jansson keeps. */
static void test_attribute_order(void)
{
    const char *src = "<a xmlns:z=\"1\" xmlns:b=\"2\" xmlns:m=\"3\" zz=\"1\" aa=\"2\" mm=\"3\" b=\"4\" yy=\"5\" "
                      "c=\"6\" z:x=\"7\" b:x=\"8\"/>";
    xmlDoc *doc = parse_xml(src);
    xmlDoc *back = roundtrip(doc);
    if (back) {
        const char *want[] = {"zz", "aa", "mm", "b", "yy", "c", "x", "x"};
        size_t i = 0;
        for (xmlAttr *a = xmlDocGetRootElement(back)->properties; a && i < 8; a = a->next, i++)
            CHECK_EQ_STR((const char *)a->name, want[i]);
        CHECK_EQ_INT(i, 8);
        xmlNs *ns = xmlDocGetRootElement(back)->nsDef;
        CHECK(ns && strcmp((const char *)ns->prefix, "z") == 0 && strcmp((const char *)ns->next->prefix, "b") == 0);
    }
    xmlFreeDoc(back);
    xmlFreeDoc(doc);
    /* a hand-written tree in any key order reads; it is written in ours */
    int rc;
    doc = from_json("{\"children\":[{\"children\":[\"t\"],\"attrs\":{\"q\":\"1\",\"a\":\"2\"},\"name\":\"r\"}],"
                    "\"type\":\"xml\",\"version\":1,\"lode\":\"tree\"}", &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    char *j = doc ? to_json(doc, 0) : NULL;
    CHECK_EQ_STR(j, "{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"children\":[{\"name\":\"r\",\"attrs\":"
                    "{\"q\":\"1\",\"a\":\"2\"},\"children\":[\"t\"]}]}\n");
    free(j);
    xmlFreeDoc(doc);
}

static void test_standalone_encoding(void)
{
    roundtrip_xml("<a/>");
    roundtrip_xml("<?xml version=\"1.0\"?><a/>");
    roundtrip_xml("<?xml version=\"1.0\" standalone=\"no\"?><a/>");
    roundtrip_xml("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>");
}

/* ---- errors -------------------------------------------------------------- */

#define HEAD "{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"children\":"

static void test_errors_syntax(void)
{
    expect_error("{\"lode\":\"tree\",\n  \"version\": 1,\n  \"type\" \"xml\"}", LODE_EPARSE, "t.json:3:14:");
    expect_error(HEAD "[{\"name\":\"a\"}]} x", LODE_EPARSE, "t.json:1:");
    expect_error(HEAD "[{\"name\":\"a\",\"name\":\"b\"}]}", LODE_EPARSE, "duplicate");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[\"x\\u0000y\"]}]}", LODE_EENCODING, "control character U+0000");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[\"\xff\"]}]}", LODE_EENCODING, "t.json:1:");
    /* jansson would skip a raw NUL byte silently (even inside a string) */
    {
        static const char nul[] = HEAD "[{\"name\":\"a\",\"children\":[\"x\0y\"]}]}";
        int rc;
        xmlDoc *doc = NULL;
        lode_parse_options po = {"json", NULL, 0};
        rc = read_json(eng, "t.json", (const unsigned char *)nul, sizeof nul - 1, &po, &doc);
        CHECK(doc == NULL);
        CHECK_EQ_INT(rc, LODE_EPARSE);
        CHECK(strstr(lode_errmsg(eng), "t.json:1:79: NUL byte at byte offset 78") != NULL);
    }
    expect_error("", LODE_EEMPTY, "empty");
    expect_error("\xEF\xBB\xBF", LODE_EEMPTY, "empty");
    expect_error("[1,2]", LODE_EFORMAT, "not a lode tree");
    expect_error("{\"lode\":\"treee\"}", LODE_EFORMAT, "not a lode tree");
    expect_error("{\"lode\":\"tree\",\"version\":2}", LODE_EFORMAT, "t.json:1:26: /version: unsupported");
}

static void test_errors_shape(void)
{
    /* the message names the JSON path and its line:column */
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[\"t\",\n{\"name\":\"b\",\"atrs\":{}}]}]}", LODE_EPARSE,
                 "t.json:2:20: /children/0/children/1/atrs: unknown key \"atrs\" in an element");
    expect_error(HEAD "[{\"name\":5}]}", LODE_EPARSE, "/children/0/name: an element's \"name\" must be a string");
    expect_error(HEAD "[{\"name\":\"a\",\"attrs\":{\"x\":1}}]}", LODE_EPARSE, "/children/0/attrs/x:");
    expect_error(HEAD "[{\"name\":\"a\",\"attrs\":[]}]}", LODE_EPARSE, "/children/0/attrs: \"attrs\" must be");
    expect_error(HEAD "[{\"name\":\"a\",\"line\":70000}]}", LODE_EPARSE, "/children/0/line");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[{\"nme\":\"b\"}]}]}", LODE_EPARSE, "/children/0/children/0: unknown node");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[{\"comment\":\"c\",\"x\":1}]}]}", LODE_EPARSE,
                 "/children/0/children/0/x: unknown key");
    expect_error(HEAD "[\"text\",{\"name\":\"a\"}]}", LODE_EPARSE, "/children/0: text is not allowed at the top level");
    expect_error(HEAD "[{\"name\":\"a\"},{\"name\":\"b\"}]}", LODE_EPARSE, "/children/1: a document has only one root");
    expect_error(HEAD "[{\"comment\":\"x\"}]}", LODE_EPARSE, "needs a root element");
    expect_error(HEAD "[{\"name\":\"a\"},{\"doctype\":\"a\"}]}", LODE_EPARSE, "must come before the root");
    expect_error(HEAD "[{\"name\":\"a\",\"attrs\":{\"xmlns:p\":\"u\"}}]}", LODE_EPARSE, "belong in \"ns\"");
    expect_error(HEAD "[{\"name\":\"a\",\"ns\":{\"xml\":\"u\"}}]}", LODE_EPARSE, "/children/0/ns/xml:");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[{\"doctype\":\"a\"}]}]}", LODE_EPARSE, "only appear at the top level");
    expect_error("{\"lode\":\"tree\",\"version\":1,\"type\":\"svg\"}", LODE_EPARSE, "/type:");
    expect_error("{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"extra\":1}", LODE_EPARSE, "/extra: unknown key");
    /* paths escape '/' and '~' in member names */
    expect_error(HEAD "[{\"name\":\"a\",\"a/b~c\":1}]}", LODE_EPARSE, "/children/0/a~1b~0c:");
}

/* The shape errors of doctypes, declarations, notations and the top level
 * (found unreached by make coverage). */
#define DT(x) HEAD "[{\"doctype\":\"a\"," x "},{\"name\":\"a\"}]}"
static void test_errors_doctype(void)
{
    expect_error("{\"lode\":\"tree\",\"type\":\"xml\",\"children\":[]}", LODE_EFORMAT,
                 "\"version\" must be the integer 1");
    expect_error("{\"lode\":\"tree\",\"version\":\"1\",\"type\":\"xml\"}", LODE_EFORMAT, "/version:");
    expect_error("{\"lode\":\"tree\",\"version\":1,\"children\":[]}", LODE_EPARSE,
                 "the document needs \"type\": \"xml\" or \"html\"");
    expect_error("{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"standalone\":2,\"children\":[{\"name\":\"a\"}]}",
                 LODE_EPARSE, "\"standalone\" must be 1, 0, -1 or -2");
    expect_error("{\"lode\":\"tree\",\"version\":1,\"type\":\"xml\",\"children\":[]}", LODE_EPARSE,
                 "an XML document needs a root element");
    expect_error(HEAD "{}}", LODE_EPARSE, "\"children\" must be an array, not an object");
    expect_error(HEAD "[{\"cdata\":\"x\"},{\"name\":\"a\"}]}", LODE_EPARSE, "is not allowed at the top level");
    expect_error(HEAD "[{\"foo\":1},{\"name\":\"a\"}]}", LODE_EPARSE, "/children/0: unknown node");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[7]}]}", LODE_EPARSE,
                 "a node must be a string (text) or an object");
    expect_error(HEAD "[{\"name\":\"a\",\"ns\":[]}]}", LODE_EPARSE, "\"ns\" must be an object, not an array");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":{}}]}", LODE_EPARSE, "\"children\" must be an array");
    expect_error(HEAD "[{\"name\":\"a\",\"ns\":{\"1x\":\"u\"}}]}", LODE_EPARSE, "is not a valid namespace prefix");
    expect_error(HEAD "[{\"name\":\"a\",\"ns\":{\"p\":5}}]}", LODE_EPARSE, "must be a string or null");
    /* doctype */
    expect_error(DT("\"x\":1"), LODE_EPARSE, "/children/0/x: unknown key \"x\" in a doctype");
    expect_error(HEAD "[{\"doctype\":\"a\"},{\"doctype\":\"a\"},{\"name\":\"a\"}]}", LODE_EPARSE,
                 "a second document type declaration");
    expect_error(DT("\"subset\":{}"), LODE_EPARSE, "\"subset\" must be an array, not an object");
    expect_error(DT("\"subset\":[{\"what\":1}]"), LODE_EPARSE, "/children/0/subset/0: unknown item");
    expect_error(DT("\"subset\":[{\"declaration\":\"<!ELEMENT a ANY>\",\"x\":1}]"), LODE_EPARSE,
                 "unknown key \"x\" in a declaration");
    expect_error(DT("\"subset\":[{\"declaration\":\"<!ENTITY e 'x'>\"}]"), LODE_EPARSE,
                 "a declaration must be an <!ELEMENT ...> or <!ATTLIST ...>");
    expect_error(DT("\"subset\":[{\"declaration\":\"<!ELEMENT a ANY>\"},{\"declaration\":\"<!ELEMENT a EMPTY>\"}]"),
                 LODE_EPARSE, "the element \"a\" is declared twice");
    expect_error(DT("\"subset\":[{\"declaration\":\"<!ATTLIST a b CDATA #IMPLIED>\"},"
                    "{\"declaration\":\"<!ATTLIST a b CDATA #IMPLIED>\"}]"),
                 LODE_EPARSE, "the attribute \"b\" of \"a\" is declared twice");
    /* entity declarations */
    expect_error(DT("\"subset\":[{\"entity_decl\":\"e\",\"kind\":\"internal\",\"value\":\"v\",\"y\":1}]"),
                 LODE_EPARSE, "unknown key \"y\" in an entity declaration");
    expect_error(DT("\"subset\":[{\"entity_decl\":\"e\",\"kind\":\"internal\",\"value\":\"v\",\"children\":{}}]"),
                 LODE_EPARSE, "\"children\" must be an array");
    expect_error(DT("\"subset\":[{\"entity_decl\":\"e\",\"value\":\"v\"}]"), LODE_EPARSE,
                 "an entity declaration needs \"kind\"");
    expect_error(DT("\"subset\":[{\"entity_decl\":\"e\",\"kind\":\"internal\",\"value\":\"v\",\"system\":\"s\"}]"),
                 LODE_EPARSE, "an internal entity has a \"value\" and no");
    expect_error(DT("\"subset\":[{\"entity_decl\":\"e\",\"kind\":\"unparsed\",\"system\":\"s\"}]"), LODE_EPARSE,
                 "an unparsed entity (and only it) has a \"notation\"");
    /* notations */
    expect_error(DT("\"notations\":{}"), LODE_EPARSE, "\"notations\" must be an array, not an object");
    expect_error(DT("\"notations\":[1]"), LODE_EPARSE, "a notation must be an object, not");
    expect_error(DT("\"notations\":[{\"notation\":\"n\",\"system\":\"s\",\"z\":1}]"), LODE_EPARSE,
                 "unknown key \"z\" in a notation");
    expect_error(DT("\"notations\":[{\"notation\":\"n\"}]"), LODE_EPARSE, "a notation needs \"public\" or \"system\"");
    expect_error(DT("\"notations\":[{\"notation\":\"n\",\"system\":\"s\"},{\"notation\":\"n\",\"system\":\"t\"}]"),
                 LODE_EPARSE, "the notation \"n\" is declared twice");
}
#undef DT

static void test_errors_names(void)
{
    expect_error(HEAD "[{\"name\":\"1abc\"}]}", LODE_EPARSE, "\"1abc\" is not a valid element name");
    expect_error(HEAD "[{\"name\":\"a b\"}]}", LODE_EPARSE, "is not a valid element name");
    expect_error(HEAD "[{\"name\":\"\"}]}", LODE_EPARSE, "is not a valid element name");
    expect_error(HEAD "[{\"name\":\"a\",\"attrs\":{\"<x\":\"1\"}}]}", LODE_EPARSE, "not a valid attribute name");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[{\"pi\":\"a?b\"}]}]}", LODE_EPARSE, "processing instruction target");
    expect_error(HEAD "[{\"name\":\"a\",\"children\":[{\"entity\":\"&x;\"}]}]}", LODE_EPARSE, "not a valid entity name");
    /* HTML names follow libxml2's HTML parser, which also makes ".x" names */
    int rc;
    xmlDoc *doc = from_json("{\"lode\":\"tree\",\"version\":1,\"type\":\"html\",\"children\":[{\"name\":\"p\","
                            "\"attrs\":{\".x\":\"1\"}}]}", &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    xmlFreeDoc(doc);
}

static void test_errors_entities(void)
{
    const char *dt = HEAD "[{\"doctype\":\"a\",\"subset\":[";
    char j[2048];
    snprintf(j, sizeof j, "%s{\"entity_decl\":\"e\",\"kind\":\"internal\",\"value\":\"&e;\",\"children\":"
                          "[{\"entity\":\"e\"}]}]},{\"name\":\"a\",\"children\":[{\"entity\":\"e\"}]}]}", dt);
    expect_error(j, LODE_ELIMIT, "refers to itself");
    snprintf(j, sizeof j, "%s{\"entity_decl\":\"e\",\"kind\":\"internal\",\"value\":\"x\"},"
                          "{\"entity_decl\":\"e\",\"kind\":\"internal\",\"value\":\"y\"}]},{\"name\":\"a\"}]}", dt);
    expect_error(j, LODE_EPARSE, "declared twice");
    snprintf(j, sizeof j, "%s{\"entity_decl\":\"lt\",\"kind\":\"internal\",\"value\":\"<\"}]},{\"name\":\"a\"}]}", dt);
    expect_error(j, LODE_EPARSE, "predefined entity \"lt\"");
    snprintf(j, sizeof j, "%s{\"entity_decl\":\"e\",\"kind\":\"inner\",\"value\":\"x\"}]},{\"name\":\"a\"}]}", dt);
    expect_error(j, LODE_EPARSE, "/children/0/subset/0/kind: unknown entity kind");
    snprintf(j, sizeof j, "%s{\"entity_decl\":\"e\",\"kind\":\"external\"}]},{\"name\":\"a\"}]}", dt);
    expect_error(j, LODE_EPARSE, "needs \"system\"");

    /* Entity fan-out: a 1000-byte entity referenced 200 times expands to
     * 200 kB, more than 10 times this small input. */
    size_t cap = 20000;
    char *big = malloc(cap), *p = big;
    p += sprintf(p, "%s{\"entity_decl\":\"e\",\"kind\":\"internal\",\"value\":\"x\",\"children\":[\"", dt);
    for (int i = 0; i < 1000; i++)
        *p++ = 'x';
    p += sprintf(p, "\"]}]},{\"name\":\"a\",\"children\":[");
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "%s{\"entity\":\"e\"}", i ? "," : "");
    sprintf(p, "]}]}");
    expect_error(big, LODE_ELIMIT, "entity references expand to more than");
    free(big);
}

/* Builds a JSON tree of n nested elements. */
static char *nested(unsigned n)
{
    char *s = malloc(64 + (size_t)n * 40), *p = s;
    p += sprintf(p, HEAD "[");
    for (unsigned i = 0; i < n; i++)
        p += sprintf(p, "{\"name\":\"d\"%s", i + 1 < n ? ",\"children\":[" : "");
    for (unsigned i = 0; i < n; i++)
        p += sprintf(p, "}%s", i + 1 < n ? "]" : "");
    sprintf(p, "]}");
    return s;
}

static void test_errors_depth(void)
{
    int rc;
    char *ok = nested(256), *deep = nested(257), *huge = nested(1500);
    xmlDoc *doc = from_json(ok, &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    CHECK_TREE(doc);
    xmlFreeDoc(doc);
    expect_error(deep, LODE_ELIMIT, "nested deeper than 256 levels");
    expect_error(huge, LODE_ELIMIT, "t.json:1:");
    /* the engine's max_depth applies */
    unsigned saved = eng->limits.max_depth;
    eng->limits.max_depth = 10;
    char *ten = nested(10), *eleven = nested(11);
    doc = from_json(ten, &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    xmlFreeDoc(doc);
    expect_error(eleven, LODE_ELIMIT, "nested deeper than 10 levels");
    eng->limits.max_depth = saved;
    /* and so does max_attributes */
    unsigned saved_attrs = eng->limits.max_attributes;
    eng->limits.max_attributes = 2;
    expect_error(HEAD "[{\"name\":\"a\",\"attrs\":{\"x\":\"1\",\"y\":\"2\",\"z\":\"3\"}}]}", LODE_ELIMIT,
                 "more than 2 attributes");
    eng->limits.max_attributes = saved_attrs;
    free(ok);
    free(deep);
    free(huge);
    free(ten);
    free(eleven);
}

int main(void)
{
    eng = lode_engine_new(NULL);
    if (!eng)
        return 1;
    RUN(test_exact_small_xml);
    RUN(test_exact_indent);
    RUN(test_exact_html);
    RUN(test_escaping);
    RUN(test_writer_invalid_utf8);
    RUN(test_namespaces);
    RUN(test_comments_pis_cdata);
    RUN(test_entities);
    RUN(test_declarations);
    RUN(test_attlist_default_lt);
    RUN(test_ns_name_lt);
    RUN(test_doctype);
    RUN(test_mixed_whitespace_unicode);
    RUN(test_adjacent_text);
    RUN(test_ns_without_href);
    RUN(test_line_numbers);
    RUN(test_attribute_order);
    RUN(test_standalone_encoding);
    RUN(test_errors_syntax);
    RUN(test_errors_shape);
    RUN(test_errors_names);
    RUN(test_errors_doctype);
    RUN(test_errors_entities);
    RUN(test_errors_depth);
    lode_engine_free(eng);
    return harness_done();
}
