/* test_read_xml.c -- the hardened XML reader. */
#include <libxml/tree.h>
#include <string.h>

#include "harness.h"
#include "lode.h"

static lode_engine *E;

static lode_doc *parse(const char *s, unsigned flags)
{
    lode_parse_options po = {"xml", NULL, flags};
    lode_doc *d = NULL;
    lode_doc_parse(E, s, strlen(s), "t.xml", &po, &d);
    return d;
}

static void well_formed(void)
{
    lode_doc *d = parse("<?xml version=\"1.0\"?>\n<a x=\"1\">\n  <b>text &amp; more</b>\n</a>\n", 0);
    CHECK(d != NULL);
    CHECK_EQ_STR(lode_doc_format(d), "xml");
    CHECK_EQ_STR(lode_doc_name(d), "t.xml");
    xmlDoc *x = lode_doc_xml(d);
    CHECK_TREE(x);
    xmlNode *root = xmlDocGetRootElement(x);
    CHECK_EQ_STR((const char *)root->name, "a");
    xmlNode *b = root->children->next;
    CHECK_EQ_STR((const char *)b->name, "b");
    CHECK_EQ_INT(b->line, 3);
    lode_doc_free(d);
}

static void errors_have_positions(void)
{
    CHECK(parse("<a>\n<b></c>\n</a>", 0) == NULL);
    CHECK_EQ_INT(lode_errcode(E), LODE_EPARSE);
    CHECK(strstr(lode_errmsg(E), "t.xml:2:") == lode_errmsg(E));
    CHECK(strstr(lode_errmsg(E), "Opening and ending tag mismatch") != NULL);
    CHECK(parse("<a>unterminated", 0) == NULL);
    CHECK(strstr(lode_errmsg(E), "t.xml:1:") != NULL);
    CHECK(parse("", 0) == NULL);
    CHECK_EQ_INT(lode_errcode(E), LODE_EEMPTY);
    CHECK(parse("<a>\xff</a>", 0) == NULL);
    CHECK_EQ_INT(lode_errcode(E), LODE_EENCODING);
}

static void entities_kept_unless_asked(void)
{
    const char *src = "<!DOCTYPE a [<!ENTITY who \"<b>World</b>\">]><a>Hello &who;!</a>";
    lode_doc *d = parse(src, 0);
    CHECK(d != NULL);
    xmlNode *root = xmlDocGetRootElement(lode_doc_xml(d));
    CHECK(root->children && root->children->next && root->children->next->type == XML_ENTITY_REF_NODE);
    CHECK_TREE(lode_doc_xml(d));
    lode_doc_free(d);

    d = parse(src, LODE_PARSE_ENTITIES);
    CHECK(d != NULL);
    root = xmlDocGetRootElement(lode_doc_xml(d));
    xmlNode *b = root->children ? root->children->next : NULL;
    CHECK(b && b->type == XML_ELEMENT_NODE && strcmp((const char *)b->name, "b") == 0);
    CHECK_TREE(lode_doc_xml(d));
    xmlChar *all = xmlNodeGetContent(root); /* safe here: expansion is done and small */
    CHECK_EQ_STR((const char *)all, "Hello World!");
    xmlFree(all);
    lode_doc_free(d);
}

static void external_entities_refused(void)
{
    CHECK(parse("<!DOCTYPE a [<!ENTITY x SYSTEM \"/etc/hostname\">]><a>&x;</a>", 0) == NULL);
    CHECK_EQ_INT(lode_errcode(E), LODE_ELIMIT);
    CHECK(strstr(lode_errmsg(E), "external entity '&x;'") != NULL);
    CHECK(parse("<!DOCTYPE a [<!ENTITY % p SYSTEM \"x.dtd\"> %p;]><a/>", 0) == NULL);
    CHECK(strstr(lode_errmsg(E), "external parameter entity '%p'") != NULL);
    /* Declared but unused external entities and external DTDs are fine. */
    lode_doc *d = parse("<!DOCTYPE a SYSTEM \"http://example.org/a.dtd\" [<!ENTITY x SYSTEM \"y\">]><a/>", 0);
    CHECK(d != NULL);
    lode_doc_free(d);
}

static void limits(void)
{
    char big[9000];
    strcpy(big, "<a");
    size_t n = 2;
    for (int i = 0; i < 1100; i++)
        n += (size_t)sprintf(big + n, " b%d=\"\"", i);
    strcpy(big + n, "/>");
    CHECK(parse(big, 0) == NULL);
    CHECK_EQ_INT(lode_errcode(E), LODE_ELIMIT);
    CHECK(strstr(lode_errmsg(E), "more than 1024 attributes") != NULL);
    /* '=' inside comments, CDATA and quoted values do not count. */
    strcpy(big, "<a><!--");
    for (int i = 0; i < 2000; i++)
        strcat(big, "=");
    strcat(big, "--><![CDATA[====]]><b c=\"====\"/></a>");
    lode_doc *d = parse(big, 0);
    CHECK(d != NULL);
    lode_doc_free(d);

    lode_parse_options po = {"xml", NULL, 0};
    lode_doc *z = NULL;
    CHECK(lode_doc_parse(E, "<a>ok</a>\n\0<b/>", 16, "t.xml", &po, &z) == LODE_EENCODING);
    CHECK(strstr(lode_errmsg(E), "NUL byte at byte offset 10") != NULL);

    /* A lower depth limit from the options. */
    lode_options o;
    lode_options_init(&o);
    o.limits.max_depth = 3;
    lode_engine *e2 = lode_engine_new(&o);
    CHECK(lode_doc_parse(e2, "<a><b><c><d/></c></b></a>", 25, "deep.xml", &po, &z) == LODE_ELIMIT);
    CHECK(strstr(lode_errmsg(e2), "deeper than 3") != NULL);
    CHECK(lode_doc_parse(e2, "<a><b><c/></b></a>", 18, "ok.xml", &po, &z) == LODE_OK);
    lode_doc_free(z);
    lode_engine_free(e2);
}

static void entity_budget(void)
{
    /* 100 references to a 1000-byte entity: 100 KB expanded from ~1.2 KB of
     * input is over 10x the input, so --entities refuses it. */
    char src[4096];
    strcpy(src, "<!DOCTYPE a [<!ENTITY e \"");
    for (int i = 0; i < 1000; i++)
        strcat(src, "x");
    strcat(src, "\">]><a>");
    for (int i = 0; i < 100; i++)
        strcat(src, "&e;");
    strcat(src, "</a>");
    CHECK(parse(src, LODE_PARSE_ENTITIES) == NULL);
    CHECK_EQ_INT(lode_errcode(E), LODE_ELIMIT);
    CHECK(strstr(lode_errmsg(E), "entity expansion exceeds") != NULL);
    lode_doc *d = parse(src, 0); /* kept as references: fine */
    CHECK(d != NULL);
    lode_doc_free(d);
}

static void host_error_handlers_untouched(void)
{
    /* A host's thread-local libxml2 handler must be the same after a parse. */
    xmlStructuredErrorFunc before = xmlStructuredError;
    void *ctx_before = xmlStructuredErrorContext;
    lode_doc *d = parse("<a><b></a>", 0);
    CHECK(d == NULL);
    CHECK(xmlStructuredError == before);
    CHECK(xmlStructuredErrorContext == ctx_before);
}

int main(void)
{
    E = lode_engine_new(NULL);
    RUN(well_formed);
    RUN(errors_have_positions);
    RUN(entities_kept_unless_asked);
    RUN(external_entities_refused);
    RUN(limits);
    RUN(entity_budget);
    RUN(host_error_handlers_untouched);
    lode_engine_free(E);
    return harness_done();
}
