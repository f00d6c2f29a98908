/* test_tree_check.c -- tree_check finds each kind of broken tree (the core
 * runs it on every plugin reader's tree, and the tests after every reader,
 * writer and edit), and passes good ones. */
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "harness.h"
#include "tree_check.h"

/* <html><body><p>a</p><p>b<em>c</em></p></body></html> */
static xmlDoc *make(xmlNode **p1, xmlNode **p2, xmlNode **em)
{
    xmlDoc *d = htmlNewDocNoDtD(NULL, NULL);
    xmlNode *html = xmlNewDocNode(d, NULL, BAD_CAST "html", NULL);
    xmlDocSetRootElement(d, html);
    xmlNode *body = xmlNewChild(html, NULL, BAD_CAST "body", NULL);
    *p1 = xmlNewTextChild(body, NULL, BAD_CAST "p", BAD_CAST "a");
    *p2 = xmlNewTextChild(body, NULL, BAD_CAST "p", BAD_CAST "b");
    *em = xmlNewTextChild(*p2, NULL, BAD_CAST "em", BAD_CAST "c");
    return d;
}

static int broken(xmlDoc *d, const char *want)
{
    char err[256] = "";
    int rc = tree_check(d, err, sizeof err);
    int ok = rc == -1 && strstr(err, want) != NULL;
    if (!ok)
        printf("#   tree_check gave %d \"%s\", expected \"%s\"\n", rc, err, want);
    return ok;
}

static void test_good_and_broken(void)
{
    xmlNode *p1, *p2, *em;
    xmlDoc *d = make(&p1, &p2, &em);
    CHECK_TREE(d);

    xmlNode *saved = p2->prev;
    p2->prev = NULL;
    CHECK(broken(d, "wrong prev pointer"));
    p2->prev = saved;

    saved = em->parent;
    em->parent = p1;
    CHECK(broken(d, "wrong parent pointer"));
    em->parent = saved;

    saved = p2->last;
    p2->last = p2->children;
    CHECK(broken(d, "wrong last-child pointer"));
    p2->last = saved;

    xmlDoc *other = htmlNewDocNoDtD(NULL, NULL);
    em->doc = other;
    CHECK(broken(d, "belongs to another document"));
    em->doc = d;
    xmlFreeDoc(other);

    xmlNode *text = em->children;
    xmlChar *content = text->content;
    text->content = BAD_CAST "x\xC3(y";
    CHECK(broken(d, "invalid UTF-8"));
    text->content = content;

    CHECK_TREE(d); /* all restored */
    xmlFreeDoc(d);
}

static void test_xml_roots(void)
{
    xmlDoc *d = xmlNewDoc(BAD_CAST "1.0");
    CHECK(broken(d, "XML document with 0 root elements"));
    xmlNode *r = xmlNewDocNode(d, NULL, BAD_CAST "r", NULL);
    xmlDocSetRootElement(d, r);
    CHECK_TREE(d);
    xmlFreeDoc(d);
}

int main(void)
{
    RUN(test_good_and_broken);
    RUN(test_xml_roots);
    return harness_done();
}
