/* test_read_html.c -- the HTML reader and its charset decisions. */
#include <libxml/tree.h>
#include <string.h>

#include "harness.h"
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
    lode_engine_free(E);
    return harness_done();
}
