/* writer_check.h -- shared helpers of the writer unit tests
 * (test_write_text.c, test_write_markdown.c).  Define WRITER_UNDER_TEST as
 * the writer function before including this file. */
#ifndef LODE_WRITER_CHECK_H
#define LODE_WRITER_CHECK_H

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "format.h"
#include "harness.h"
#include "utf8.h"

static lode_engine *eng;

static xmlDoc *parse_html(const char *src)
{
    return htmlReadMemory(src, (int)strlen(src), NULL, "UTF-8",
                          HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
}

/* No XML_PARSE_NOENT: entity references stay in the tree as nodes. */
static xmlDoc *parse_xml(const char *src)
{
    return xmlReadMemory(src, (int)strlen(src), NULL, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Writes doc with engine e; returns a malloc'd copy of the output (NULL if
 * the writer failed) and the status in *rc.  Checks the output contract on
 * the way: valid UTF-8, no NUL, one final newline. */
static char *write_with(lode_engine *e, xmlDoc *doc, int *rc)
{
    buf b;
    buf_init(&b, &e->mem);
    *rc = WRITER_UNDER_TEST(e, doc, NULL, &b);
    char *s = NULL;
    if (*rc == LODE_OK) {
        const char *p = b.ptr ? b.ptr : "";
        CHECK(utf8_validate((const unsigned char *)p, b.len, NULL) == 0);
        CHECK(strlen(p) == b.len);
        CHECK(b.len == 0 || (p[b.len - 1] == '\n' && (b.len == 1 || p[b.len - 2] != '\n')));
        s = malloc(b.len + 1);
        memcpy(s, p, b.len + 1);
    }
    buf_free(&b);
    return s;
}

/* Writes doc (then frees it), checking that the writer did not change it. */
static char *render_of(xmlDoc *doc)
{
    int rc;
    char *s = write_with(eng, doc, &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    CHECK_TREE(doc);
    xmlFreeDoc(doc);
    return s;
}

#define EXPECT(doc, want)                                                                    \
    do {                                                                                     \
        char *got_ = render_of(doc);                                                         \
        CHECK_EQ_STR(got_, want);                                                            \
        free(got_);                                                                          \
    } while (0)
#define EXPECT_HTML(src, want) EXPECT(parse_html(src), want)
#define EXPECT_XML(src, want) EXPECT(parse_xml(src), want)

#endif
