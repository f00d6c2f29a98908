/* test_write_text.c -- the plain-text writer (write_text) and the element
 * table it shares with the Markdown writer (html_vocab). */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>

#include "harness.h"

#include "engine.h"
#include "format.h"
#include "html_vocab.h"
#include "utf8.h"

#define WRITER_UNDER_TEST write_text
#include "writer_check.h"

/* ---- html_vocab ---------------------------------------------------------- */

static void test_vocab_table(void)
{
    /* Every name finds its own tag: fails if the table is out of order. */
    int all = 1;
    for (int t = 1; t < HTML_TAG_COUNT; t++) {
        if (html_vocab_find(html_vocab_name((html_vocab_tag)t)) != (html_vocab_tag)t) {
            printf("# not found: %s\n", html_vocab_name((html_vocab_tag)t));
            all = 0;
        }
        if (t > 1 && strcmp(html_vocab_name((html_vocab_tag)(t - 1)), html_vocab_name((html_vocab_tag)t)) >= 0)
            all = 0;
    }
    CHECK(all);
    CHECK_EQ_INT(html_vocab_find("P"), HTML_TAG_P);
    CHECK_EQ_INT(html_vocab_find("BlockQuote"), HTML_TAG_BLOCKQUOTE);
    CHECK_EQ_INT(html_vocab_find("custom-element"), HTML_TAG_UNKNOWN);
    CHECK_EQ_INT(html_vocab_find(""), HTML_TAG_UNKNOWN);
    CHECK_EQ_INT(html_vocab_find(NULL), HTML_TAG_UNKNOWN);
    CHECK_EQ_INT(html_vocab_find("aa"), HTML_TAG_UNKNOWN);
    CHECK_EQ_STR(html_vocab_name(HTML_TAG_UNKNOWN), "");
    CHECK_EQ_INT(html_vocab_flags(HTML_TAG_UNKNOWN), 0);
}

static void test_vocab_flags(void)
{
    CHECK(html_vocab_is_block("div"));
    CHECK(html_vocab_is_block("LI"));
    CHECK(!html_vocab_is_block("span"));
    CHECK(!html_vocab_is_block("unknown"));
    CHECK(html_vocab_is_void("br"));
    CHECK(html_vocab_is_void("IMG"));
    CHECK(!html_vocab_is_void("p"));
    CHECK(html_vocab_is_skip("script"));
    CHECK(html_vocab_is_skip("style"));
    CHECK(html_vocab_is_skip("noscript"));
    CHECK(html_vocab_is_skip("template"));
    CHECK(html_vocab_is_skip("meta"));
    CHECK(!html_vocab_is_skip("nav"));
    CHECK(html_vocab_flags(HTML_TAG_PRE) & HTML_VOCAB_PRESERVE);
    CHECK(html_vocab_flags(HTML_TAG_SCRIPT) & HTML_VOCAB_RAWTEXT);
    CHECK_EQ_INT(html_vocab_heading_level(HTML_TAG_H1), 1);
    CHECK_EQ_INT(html_vocab_heading_level(HTML_TAG_H6), 6);
    CHECK_EQ_INT(html_vocab_heading_level(HTML_TAG_HR), 0);
}

/* ---- blocks and inline flow --------------------------------------------- */

static void test_paragraphs(void)
{
    EXPECT_HTML("<h1>  Title  </h1><p>a\n  b\t c</p><p>  </p><p>d <b> e </b> f</p>",
                "Title\n\na b c\n\nd e f\n");
    EXPECT_HTML("<p>one</p>\n\n<p>two</p><h3>Three</h3>", "one\n\ntwo\n\nThree\n");
    /* inline markup leaves only its text; no space is invented between runs */
    EXPECT_HTML("<p><em>it</em><strong>al</strong>ic <a href='/x'>link</a>, <code>c()</code></p>",
                "italic link, c()\n");
    /* non-breaking spaces are text, not whitespace */
    EXPECT_HTML("<p>a&nbsp;&nbsp;b</p>", "a\xC2\xA0\xC2\xA0" "b\n");
}

static void test_anonymous_blocks(void)
{
    /* inline content between blocks becomes a paragraph of its own */
    EXPECT_HTML("<div>intro <b>x</b><p>para</p>tail</div>", "intro x\n\npara\n\ntail\n");
    EXPECT_HTML("<body>loose text<div>in div</div></body>", "loose text\n\nin div\n");
    /* a span wrapping blocks is a container, a link wrapping blocks is flat */
    EXPECT_HTML("<span><p>a</p><p>b</p></span>", "a\n\nb\n");
    EXPECT_HTML("<div><a href='/x'><div><h3>Head</h3><p>teaser</p></div></a></div>",
                "Head teaser\n");
}

static void test_breaks(void)
{
    EXPECT_HTML("<p>a<br>b<br></p>", "a\nb\n");
    EXPECT_HTML("<p><br>a <br> b</p>", "a\nb\n");
    EXPECT_HTML("<h2>one<br>two</h2>", "one two\n");
}

static void test_title(void)
{
    EXPECT_HTML("<html><head><title> The  Title </title><meta name='x' content='y'>"
                "<style>p{color:red}</style><script>var x;</script></head>"
                "<body><p>body</p></body></html>",
                "The Title\n\nbody\n");
    /* not repeated when the first heading says the same */
    EXPECT_HTML("<html><head><title>Same</title></head><body><div><h2>Same</h2></div><p>x</p>"
                "</body></html>",
                "Same\n\nx\n");
    EXPECT_HTML("<html><head><title>Site - Story</title></head><body><h1>Story</h1></body></html>",
                "Site - Story\n\nStory\n");
    EXPECT_HTML("<html><head><title></title></head><body><p>x</p></body></html>", "x\n");
}

static void test_skipped(void)
{
    EXPECT_HTML("<body><script>alert(1)</script><p>a<!-- comment -->b</p><noscript>no js</noscript>"
                "<template><p>t</p></template><style>x{}</style><p>c<script>y()</script>d</p>"
                "<iframe src='/f'>frame</iframe><select><option>opt</option></select></body>",
                "ab\n\ncd\n");
    EXPECT_HTML("<nav><ul><li><a href='/'>Home</a></li></ul></nav><p>x</p>", "- Home\n\nx\n");
}

static void test_pre(void)
{
    EXPECT_HTML("<pre>\n  x  y\n\n z\n</pre>", "  x  y\n\n z\n");
    EXPECT_HTML("<pre>\n\n   \n  first\n  second  \n\n</pre><p>after</p>", "  first\n  second\n\nafter\n");
    EXPECT_HTML("<pre><code>a<b>b</b>\nc<br>d</code></pre>", "ab\nc\nd\n");
    EXPECT_HTML("<pre>   </pre><p>x</p>", "x\n");
    EXPECT_HTML("<ul><li>item<pre>code\n  more</pre></li></ul>", "- item\n\n  code\n    more\n");
}

static void test_lists(void)
{
    EXPECT_HTML("<ul><li>a</li><li>b<ol><li>c</li><li>d</li></ol></li></ul>"
                "<ol start='7'><li>x</li><li>y</li></ol>",
                "- a\n- b\n  1. c\n  2. d\n\n7. x\n8. y\n");
    /* loose: items with several paragraphs */
    EXPECT_HTML("<ol><li><p>one</p><p>more</p></li><li>two</li></ol>",
                "1. one\n\n   more\n\n2. two\n");
    /* empty items vanish without using up a number */
    EXPECT_HTML("<ol><li>a</li><li> </li><li><script>x</script></li><li>b</li></ol>", "1. a\n2. b\n");
    /* a list right after a paragraph is set off by a blank line */
    EXPECT_HTML("<p>intro</p><ul><li>a</li></ul><p>outro</p>", "intro\n\n- a\n\noutro\n");
    /* ten and more: wider marker, wider indentation */
    EXPECT_HTML("<ol start='10'><li>a<ul><li>b</li></ul></li></ol>", "10. a\n    - b\n");
    /* odd start values */
    EXPECT_HTML("<ol start='-3'><li>a</li></ol><ol start='zz'><li>b</li></ol>", "0. a\n\n1. b\n");
}

static void test_tables(void)
{
    EXPECT_HTML("<table><caption>Cap</caption><tr><th>A</th><th>B</th></tr>"
                "<tr><td>1</td><td></td><td>3</td></tr><tr><td> </td></tr></table>",
                "Cap\n\nA | B\n1 | 3\n");
    EXPECT_HTML("<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>x<br>y</td><td>a|b</td></tr>"
                "</tbody></table>",
                "h\nx y | a|b\n");
    /* a layout table (a table inside) is walked as blocks */
    EXPECT_HTML("<table><tr><td><p>left</p></td><td><table><tr><td>in</td></tr></table></td></tr>"
                "</table>",
                "left\n\nin\n");
}

static void test_figure_quote_dl(void)
{
    EXPECT_HTML("<figure><img src='a.png' alt='Alt text'><figcaption>The <em>caption</em>"
                "</figcaption></figure><p>x <img src='b.png' alt='inline'> y</p>",
                "The caption\n\nx y\n");
    EXPECT_HTML("<blockquote><p>q1</p><p>q2</p></blockquote><p>after</p>", "q1\n\nq2\n\nafter\n");
    EXPECT_HTML("<dl><dt>Term</dt><dd>Def <i>one</i></dd><dt>T2</dt><dd><p>D2</p></dd></dl>",
                "Term\n\nDef one\n\nT2\n\nD2\n");
    EXPECT_HTML("<p>a</p><hr><p>b</p>", "a\n\nb\n");
}

static void test_empty(void)
{
    EXPECT_HTML("<html><body></body></html>", "");
    EXPECT_HTML("<p> </p><div>\n</div><!-- c -->", "");
    EXPECT_XML("<d/>", "");
    EXPECT_XML("<d>  <e/>  </d>", "");
}

/* ---- XML vocabularies ----------------------------------------------------- */

static void test_xml_generic(void)
{
    EXPECT_XML("<?xml version='1.0'?><?pi data?><doc><title>T</title><!-- c --><sec>"
               "<p>Hello <hi rend='b'>big</hi>\n   world</p><note>  </note></sec></doc>",
               "T\n\nHello big world\n");
    EXPECT_XML("<TEI xmlns='http://www.tei-c.org/ns/1.0'><text><body><div><head>Head</head>"
               "<p>x<lb/>y <list><item>i</item></list></p></div></body></text></TEI>",
               "Head\n\nxy i\n");
    EXPECT_XML("<d><p><![CDATA[x < y & z]]></p></d>", "x < y & z\n");
    /* XHTML is HTML */
    EXPECT_XML("<html xmlns='http://www.w3.org/1999/xhtml'><head><title>X</title></head>"
               "<body><p>a<br/>b</p><ul><li>i</li></ul></body></html>",
               "X\n\na\nb\n\n- i\n");
}

static void test_entities(void)
{
    EXPECT_XML("<!DOCTYPE d [<!ENTITY e 'hi <b>there</b>'><!ENTITY f 'F&e;'>]>"
               "<d><p>a &e; b &f;</p><p>&e;</p></d>",
               "a hi there b Fhi there\n\nhi there\n");
    /* external entities are never loaded: the reference stays as written */
    EXPECT_XML("<!DOCTYPE d [<!ENTITY ext SYSTEM 'file:///etc/hostname'>]><d><p>x &ext; y</p></d>",
               "x &ext; y\n");
    /* a reference to an undeclared entity (a hand-built tree) */
    xmlDoc *doc = parse_xml("<d><p>x </p></d>");
    xmlNode *p = xmlDocGetRootElement(doc)->children;
    xmlAddChild(p, xmlNewReference(doc, BAD_CAST "unknown"));
    EXPECT(doc, "x &unknown;\n");
}

static void test_entity_budget(void)
{
    lode_options o;
    lode_options_init(&o);
    o.limits.max_entity_expansion = 1000;
    lode_engine *e = lode_engine_new(&o);
    /* 100 bytes x 9 references fit; x 11 do not */
    const char *ent = "<!DOCTYPE d [<!ENTITY e '0123456789012345678901234567890123456789"
                      "012345678901234567890123456789012345678901234567890123456789'>]>";
    char src[2048];
    int rc;
    snprintf(src, sizeof src, "%s<d><p>&e;&e;&e;&e;&e;&e;&e;&e;&e;</p></d>", ent);
    xmlDoc *doc = parse_xml(src);
    char *s = write_with(e, doc, &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    CHECK(s && strlen(s) == 901);
    free(s);
    xmlFreeDoc(doc);

    snprintf(src, sizeof src, "%s<d><p>&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;</p></d>", ent);
    doc = parse_xml(src);
    buf b;
    buf_init(&b, &e->mem);
    buf_puts(&b, "kept");
    rc = write_text(e, doc, NULL, &b);
    CHECK_EQ_INT(rc, LODE_ELIMIT);
    CHECK_EQ_STR(lode_errmsg(e), "entity expansion exceeds the limit of 1000 bytes");
    CHECK_EQ_STR(b.ptr, "kept"); /* a failed write leaves the buffer as it was */
    buf_free(&b);
    xmlFreeDoc(doc);
    lode_engine_free(e);
}

/* A host-built tree may hold any bytes; the output is still UTF-8. */
static void test_bad_utf8_in_tree(void)
{
    xmlDoc *doc = parse_html("<p>x</p>");
    xmlNode *p = xmlDocGetRootElement(doc)->children->children;
    xmlAddChild(p, xmlNewText(BAD_CAST " a\xff" "b\xe2\x82"));
    int rc;
    char *s = write_with(eng, doc, &rc);
    CHECK_EQ_INT(rc, LODE_OK);
    CHECK_EQ_STR(s, "x a\xEF\xBF\xBD" "b\xEF\xBF\xBD\n");
    free(s);
    xmlFreeDoc(doc);
}

static void test_nesting_limit(void)
{
    xmlDoc *doc = parse_xml("<d/>");
    xmlNode *n = xmlDocGetRootElement(doc);
    for (int i = 0; i < 2000; i++)
        n = xmlNewChild(n, NULL, BAD_CAST "x", NULL);
    xmlNodeAddContent(n, BAD_CAST "deep");
    int rc;
    char *s = write_with(eng, doc, &rc);
    CHECK_EQ_INT(rc, LODE_ELIMIT);
    CHECK(s == NULL);
    xmlFreeDoc(doc);

    /* 250 levels (what the parsers allow) are fine */
    doc = parse_xml("<d/>");
    n = xmlDocGetRootElement(doc);
    for (int i = 0; i < 250; i++)
        n = xmlNewChild(n, NULL, BAD_CAST "x", NULL);
    xmlNodeAddContent(n, BAD_CAST "deep");
    EXPECT(doc, "deep\n");
}

static void test_appends(void)
{
    xmlDoc *doc = parse_html("<p>a</p>");
    buf b;
    buf_init(&b, &eng->mem);
    buf_puts(&b, "before\n");
    CHECK_EQ_INT(write_text(eng, doc, NULL, &b), LODE_OK);
    CHECK_EQ_STR(b.ptr, "before\na\n");
    buf_free(&b);
    xmlFreeDoc(doc);
}

int main(void)
{
    eng = lode_engine_new(NULL);
    RUN(test_vocab_table);
    RUN(test_vocab_flags);
    RUN(test_paragraphs);
    RUN(test_anonymous_blocks);
    RUN(test_breaks);
    RUN(test_title);
    RUN(test_skipped);
    RUN(test_pre);
    RUN(test_lists);
    RUN(test_tables);
    RUN(test_figure_quote_dl);
    RUN(test_empty);
    RUN(test_xml_generic);
    RUN(test_entities);
    RUN(test_entity_budget);
    RUN(test_bad_utf8_in_tree);
    RUN(test_nesting_limit);
    RUN(test_appends);
    lode_engine_free(eng);
    return harness_done();
}
