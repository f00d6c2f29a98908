/* test_write_markdown.c -- the Markdown writer (write_markdown).
 *
 * Expected outputs are exact.  They were also checked by hand against
 * CommonMark/GFM rules (what a CommonMark parser makes of the output is the
 * input again); no Markdown tool is needed to run these tests. */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "harness.h"

#include "engine.h"
#include "format.h"
#include "utf8.h"

#define WRITER_UNDER_TEST write_markdown
#include "writer_check.h"

/* A paragraph holding src, rendered. */
#define EXPECT_P(src, want) EXPECT_HTML("<p>" src "</p>", want "\n")

static void test_headings_paragraphs(void)
{
    EXPECT_HTML("<h1>Top</h1><h2>Hello <em>world</em></h2><p>Some\n  text.</p><h6>six</h6>",
                "# Top\n\n## Hello *world*\n\nSome text.\n\n###### six\n");
    EXPECT_HTML("<h3>  </h3><p></p><h4>a<br>b</h4>", "#### a b\n");
    /* a closing sequence would be stripped by a parser: escape it */
    EXPECT_HTML("<h2>Issue #</h2><h3>C#</h3><h2>#</h2><h2>Step ##</h2>",
                "## Issue \\#\n\n### C#\n\n## \\#\n\n## Step \\##\n");
}

static void test_title(void)
{
    EXPECT_HTML("<html><head><title>Only title</title></head><body><h2>Sub</h2><p>x</p></body></html>",
                "# Only title\n\n## Sub\n\nx\n");
    EXPECT_HTML("<html><head><title>Title</title></head><body><h1>Real</h1></body></html>",
                "# Real\n");
    EXPECT_HTML("<html><head><title>A *star*</title></head><body></body></html>",
                "# A \\*star\\*\n");
}

static void test_emphasis(void)
{
    EXPECT_P("<em>a</em> <i>b</i> <strong>c</strong> <b>d</b>", "*a* *b* **c** **d**");
    /* whitespace moves outside the markup; empty markup vanishes */
    EXPECT_P("x<em> spaced </em>y<strong></strong> <b> </b>z", "x *spaced* y z");
    /* adjacent runs of the same markup merge instead of fusing delimiters */
    EXPECT_P("<b>a</b><b>b</b> <em>c</em><em>d</em>", "**ab** *cd*");
    EXPECT_P("x<em>y</em>z <strong><em>both</em></strong>", "x*y*z ***both***");
    /* the same emphasis inside adds nothing */
    EXPECT_P("<em>a <em>b</em> c</em> <b>x<strong>y</strong></b>", "*a b c* **xy**");
    EXPECT_HTML("<figure><figcaption>Credit: <em>AP</em></figcaption></figure>", "*Credit: AP*\n");
    /* emphasis around a break: the break stays inside */
    EXPECT_P("<em>a<br>b</em>", "*a\\\nb*");
}

/* Delimiters that CommonMark would not accept as emphasis are moved past
 * Unicode spaces, or dropped with their partner: never a stray "*". */
static void test_emphasis_flanking(void)
{
    EXPECT_P("With <strong><em>Optilli,&nbsp;</em></strong>Balmond",
             "With ***Optilli,***\xC2\xA0" "Balmond");
    EXPECT_P("<em>&nbsp;x</em> <em>&nbsp;</em>y", "\xC2\xA0*x* \xC2\xA0y");
    /* punctuation inside, a letter outside: cannot close (or open) */
    EXPECT_P("<b>Foo:</b>Bar <b>Foo:</b> Bar", "Foo:Bar **Foo:** Bar");
    EXPECT_P("word<em>\"quoted\"</em>, x <em>\"ok\"</em>.", "word\"quoted\", x *\"ok\"*.");
    EXPECT_P("<b>a<br>b:</b>c", "a\\\nb:c");
    EXPECT_P("<b>a</b><b>b:</b>c <i>x</i><i>y</i>", "ab:c *xy*");
    EXPECT_HTML("<h2><em>Titel:</em>Sub</h2>", "## Titel:Sub\n");
    EXPECT_HTML("<table><tr><td><b>A:</b>b</td><td><b>ok</b></td></tr></table>",
                "| A:b | **ok** |\n| --- | --- |\n");
    /* Unicode punctuation counts as punctuation */
    EXPECT_P("x<em>\xE2\x80\x9Equote\xE2\x80\x9C</em>y", "x\xE2\x80\x9Equote\xE2\x80\x9Cy");
}

static void test_escaping(void)
{
    EXPECT_P("a*b*c [link] &lt;tag&gt; \\back `tick`", "a\\*b\\*c \\[link\\] \\<tag\\> \\\\back \\`tick\\`");
    EXPECT_P("_x_ snake_case_name a_ _b", "\\_x\\_ snake_case_name a\\_ \\_b");
    EXPECT_P("AT&amp;T &amp;amp; &amp;#39; &amp;#x27; &amp;copy; &amp; x", "AT&T \\&amp; \\&#39; \\&#x27; \\&copy; & x");
    /* ordinary punctuation inside a line stays as it is */
    EXPECT_P("Atomwaffen- und Raketenprogramm! Es ist 1. Mai, #1 - 2 + 3 = 6 ~ ok.",
             "Atomwaffen- und Raketenprogramm! Es ist 1. Mai, #1 - 2 + 3 = 6 ~ ok.");
    /* German news text keeps its umlauts and quotes */
    EXPECT_P("\xE2\x80\x9E" "Fl\xC3\xBC" "chtlinge\xE2\x80\x9C sagte er.",
             "\xE2\x80\x9E" "Fl\xC3\xBC" "chtlinge\xE2\x80\x9C sagte er.");
}

static void test_escaping_line_start(void)
{
    EXPECT_HTML("<p>- not a list</p><p>+ nor this</p><p>* nor</p><p>-5 Grad</p><p>--- rule</p>"
                "<p>-</p><p># hash</p><p>#hashtag</p><p>&gt; quote</p><p>= x</p><p>~~~ f</p>",
                "\\- not a list\n\n\\+ nor this\n\n\\* nor\n\n-5 Grad\n\n\\--- rule\n\n\\-\n\n"
                "\\# hash\n\n\\#hashtag\n\n\\> quote\n\n\\= x\n\n\\~~~ f\n");
    EXPECT_HTML("<p>1. Mai</p><p>1) one</p><p>2019. Jahr</p><p>12345678901. long</p><p>3.5 kg</p>"
                "<p>1.</p>",
                "1\\. Mai\n\n1\\) one\n\n2019\\. Jahr\n\n12345678901. long\n\n3.5 kg\n\n1\\.\n");
    /* a number split over two nodes is still a number */
    EXPECT_P("1<span>. x</span>", "1\\. x");
    /* after a hard break every line start is one */
    EXPECT_P("a<br>===<br>---<br>- item<br>1. x<br># h", "a\\\n\\===\\\n\\---\\\n\\- item\\\n1\\. x\\\n\\# h");
    /* not at a line start: nothing to escape; right after emphasis at a line
     * start, escaped all the same (the emphasis could be dropped) */
    EXPECT_P("<b>- x</b> <em># y</em>", "**\\- x** *# y*");
    EXPECT_P("<b>#:</b>x", "\\#:x");
}

static void test_code(void)
{
    EXPECT_P("call <code>f(x)</code> now", "call `f(x)` now");
    EXPECT_P("<code>a`b</code> <code>``x</code> <code>`</code>", "``a`b`` ``` ``x ``` `` ` ``");
    EXPECT_P("x<code>  lead and trail  </code>y", "x `lead and trail` y");
    EXPECT_P("<code>*not* &lt;em&gt; \\</code>", "`*not* <em> \\`");
    EXPECT_P("<kbd>Ctrl</kbd>+<samp>out</samp> <code><b>bold</b> in code</code>",
             "`Ctrl`+`out` `bold in code`");
    EXPECT_P("<code> </code>x", "x");
    /* touching code spans would fuse their fences: they become one */
    EXPECT_P("<code>a</code><code>b`</code><!-- c --><kbd>c</kbd> <code>d</code>", "``ab`c`` `d`");
    EXPECT_P("<code>a</code><span><code>b</code></span>", "`a` `b`");
    /* blocks inside code are word boundaries */
    EXPECT_XML("<html xmlns='http://www.w3.org/1999/xhtml'><body><p><code>a:<div>b</div>c</code></p>"
               "</body></html>",
               "`a: b c`\n");
}

static void test_pre(void)
{
    EXPECT_HTML("<pre class='language-c'>\nint x;\n  y();\n</pre>",
                "```c\nint x;\n  y();\n```\n");
    EXPECT_HTML("<pre><code class='language-sh extra'>echo ```\n</code></pre>",
                "````sh\necho ```\n````\n");
    EXPECT_HTML("<pre>a\n\nb</pre><p>after</p>", "```\na\n\nb\n```\n\nafter\n");
    EXPECT_HTML("<pre class='language-x`y'>a</pre>", "```\na\n```\n");
    EXPECT_HTML("<pre>  \n </pre>", "");
    /* verbatim: no escaping, <br> and markup inside give their text */
    EXPECT_HTML("<pre>*a* <b>[b]</b><br>&lt;c&gt;</pre>", "```\n*a* [b]\n<c>\n```\n");
}

static void test_links(void)
{
    EXPECT_P("see <a href='http://x.org/a'>the site</a>.", "see [the site](http://x.org/a).");
    EXPECT_P("<a href='http://x.y/a b'>s</a> <a href='a(b)c'>p</a> <a href='x<y'>l</a>",
             "[s](<http://x.y/a b>) [p](<a(b)c>) [l](<x\\<y>)");
    EXPECT_P("<a href='/p?a=1&amp;b=2'>q</a> <a href='/p?x&amp;copy;y'>e</a> <a href='c:\\d'>w</a>",
             "[q](/p?a=1&b=2) [e](/p?x&amp;copy;y) [w](c:\\\\d)");
    EXPECT_P("<a href='/t' title='Say \"hi\"'>t</a>", "[t](/t \"Say \\\"hi\\\"\")");
    /* an empty destination is written <> so that a title can follow */
    EXPECT_P("<a href='' title='T'>e</a>", "[e](<> \"T\")");
    EXPECT_P("<a href=' /trim\n '>t</a>", "[t](/trim)");
    /* no href: just text; no text: nothing */
    EXPECT_P("<a name='top'>anchor</a> x<a href='/e'></a>y <a href='/s'> </a>z", "anchor xy z");
    /* link text keeps its markup and escapes */
    EXPECT_P("<a href='/x'><b>bold</b> [1]</a>", "[**bold** \\[1\\]](/x)");
    /* a link around blocks is one link */
    EXPECT_HTML("<div><a href='/x'><div><h3>Head</h3><p>teaser</p></div></a></div>",
                "[Head teaser](/x)\n");
    /* links cannot nest (built through XML: the HTML parser splits them) */
    EXPECT_XML("<html xmlns='http://www.w3.org/1999/xhtml'><body><p><a href='/o'>out <a href='/i'>in</a>"
               "</a></p></body></html>",
               "[out in](/o)\n");
}

static void test_images(void)
{
    EXPECT_P("<img src='a.png' alt='An *image* [1]'>", "![An \\*image\\* \\[1\\]](a.png)");
    EXPECT_P("x <img src='b c.png' title='T'> <img alt='no src'> <img src=''>y",
             "x ![](<b c.png> \"T\") y");
    EXPECT_P("<a href='/big'><img src='s.png' alt='thumb'></a>", "[![thumb](s.png)](/big)");
}

static void test_figure(void)
{
    EXPECT_HTML("<figure><img src='p.jpg' alt='Putin'><figcaption>Putin in <b>Wladiwostok</b> "
                "(Foto: AP)</figcaption></figure><p>text</p>",
                "![Putin](p.jpg)\n\n*Putin in **Wladiwostok** (Foto: AP)*\n\ntext\n");
    EXPECT_HTML("<figure><picture><source srcset='a.webp'><img src='a.jpg' alt=''></picture>"
                "<figcaption> </figcaption></figure>",
                "![](a.jpg)\n");
}

static void test_breaks(void)
{
    EXPECT_P("a<br>b", "a\\\nb");
    EXPECT_P("<br>a <br> b<br><br>", "a\\\nb");
    EXPECT_P("a<br><br>b", "a\\\n\\\nb");
}

static void test_lists(void)
{
    EXPECT_HTML("<ul><li>a</li><li>b<ul><li>c</li><li>d</li></ul></li><li>e</li></ul>",
                "- a\n- b\n  - c\n  - d\n- e\n");
    EXPECT_HTML("<ol start='3'><li>x</li><li>y<ol><li>z</li></ol></li></ol>",
                "3. x\n4. y\n   1. z\n");
    /* a sub-list starting elsewhere than 1 cannot follow the item's text
     * directly: the list becomes loose */
    EXPECT_HTML("<ul><li>a<ol start='5'><li>five</li></ol></li></ul>", "- a\n\n  5. five\n");
    EXPECT_HTML("<ol><li><p>one</p><p>more</p></li><li>two</li></ol><p>after</p>",
                "1. one\n\n   more\n\n2. two\n\nafter\n");
    /* <p> in every item alone keeps the list tight */
    EXPECT_HTML("<ul><li><p>a</p></li><li><p>b</p></li></ul>", "- a\n- b\n");
    /* an item whose first block is a list */
    EXPECT_HTML("<ul><li><ul><li>deep</li></ul></li></ul>", "- - deep\n");
    /* adjacent lists alternate their markers so they stay apart */
    EXPECT_HTML("<ul><li>a</li></ul><ul><li>b</li></ul><ul><li>c</li></ul><ol><li>d</li></ol>"
                "<ol><li>e</li></ol><p>p</p><ul><li>f</li></ul>",
                "- a\n\n* b\n\n- c\n\n1. d\n\n1) e\n\np\n\n- f\n");
    /* a rule in an item would make "- ---", itself a rule */
    EXPECT_HTML("<ul><li><hr></li></ul>", "- ***\n");
    /* empty items are dropped */
    EXPECT_HTML("<ol><li>a</li><li></li><li>b</li></ol>", "1. a\n2. b\n");
    /* code and quotes inside items are indented */
    EXPECT_HTML("<ol><li>run<pre>make\n</pre></li><li><blockquote>q</blockquote></li></ol>",
                "1. run\n\n   ```\n   make\n   ```\n\n2. > q\n");
}

static void test_blockquote(void)
{
    EXPECT_HTML("<blockquote><p>a</p><p>b</p></blockquote><p>c</p>", "> a\n>\n> b\n\nc\n");
    EXPECT_HTML("<blockquote><p>a</p><blockquote><p>b<br>c</p></blockquote></blockquote>",
                "> a\n>\n> > b\\\n> > c\n");
    EXPECT_HTML("<blockquote><ul><li>x</li><li>y</li></ul></blockquote>", "> - x\n> - y\n");
    EXPECT_HTML("<blockquote> </blockquote><p>x</p>", "x\n");
    EXPECT_HTML("<blockquote><h2>H</h2><pre>c</pre></blockquote>", "> ## H\n>\n> ```\n> c\n> ```\n");
}

static void test_hr(void)
{
    EXPECT_HTML("<p>a</p><hr><p>b</p>", "a\n\n---\n\nb\n");
}

static void test_tables(void)
{
    EXPECT_HTML("<table><thead><tr><th>A</th><th align='right'>B</th><th align='center'>C</th></tr>"
                "</thead><tbody><tr><td>1</td><td>2</td><td>3</td></tr></tbody></table>",
                "| A | B | C |\n| --- | ---: | :---: |\n| 1 | 2 | 3 |\n");
    /* no thead: the first row is the header; pipes escaped everywhere;
     * newlines in cells become spaces */
    EXPECT_HTML("<table><tr><td>x|y</td><td><code>a|b</code></td></tr>"
                "<tr><td>multi<br>line</td><td><p>para</p></td></tr></table>",
                "| x\\|y | `a\\|b` |\n| --- | --- |\n| multi line | para |\n");
    /* the header is padded to the widest row; colspan repeats empty cells */
    EXPECT_HTML("<table><tr><th>h</th></tr><tr><td colspan='2'>wide</td><td>z</td></tr>"
                "<tr><td></td></tr></table>",
                "| h | | |\n| --- | --- | --- |\n| wide | | z |\n| |\n");
    /* caption first, then the grid; inline markup and links in cells */
    EXPECT_HTML("<table><caption>Results</caption><tr><th><b>N</b></th><th>Link</th></tr>"
                "<tr><td><em>1</em></td><td><a href='/a|b'>go</a></td></tr></table>",
                "Results\n\n| **N** | Link |\n| --- | --- |\n| *1* | [go](/a\\|b) |\n");
    EXPECT_HTML("<table><tr></tr></table><p>x</p>", "x\n");
    /* colspan is capped as in HTML: 1000 columns at most */
    {
        char *got = render_of(parse_html("<table><tr><td colspan='99999'>x</td></tr></table>"));
        size_t bars = 0;
        for (const char *p = got; p && *p && *p != '\n'; p++)
            bars += *p == '|';
        CHECK_EQ_INT(bars, 1001);
        free(got);
    }
    /* a layout table is a sequence of blocks */
    EXPECT_HTML("<table><tr><td><h2>Nav</h2><p>x</p></td><td>y</td></tr></table>",
                "## Nav\n\nx\n\ny\n");
}

static void test_definition_lists(void)
{
    EXPECT_HTML("<dl><dt>Term</dt><dd>Definition <i>one</i></dd><dt>Two</dt><dd><p>D2</p><p>D3</p></dd></dl>",
                "**Term**\n\nDefinition *one*\n\n**Two**\n\nD2\n\nD3\n");
}

static void test_skipped(void)
{
    EXPECT_HTML("<html><head><meta charset='utf-8'><style>p{}</style><script>x</script></head><body>"
                "<script>alert(1)</script><noscript>js!</noscript><template><p>t</p></template>"
                "<p>a<!-- c -->b</p><svg><title>icon</title></svg></body></html>",
                "ab\n");
}

static void test_xml_generic(void)
{
    EXPECT_XML("<article><front><title>The *Title*</title></front><body><sec><title>1. Intro</title>"
               "<p>See <xref>Fig 1</xref>_a.</p></sec></body></article>",
               "The \\*Title\\*\n\n1\\. Intro\n\nSee Fig 1_a.\n");
    EXPECT_XML("<!DOCTYPE d [<!ENTITY e 'x*y'>]><d><p>&e; &lt; &amp;e;</p></d>", "x\\*y \\< \\&e;\n");
    EXPECT_XML("<!DOCTYPE d [<!ENTITY ext SYSTEM 'x.txt'>]><d><p>&ext;</p></d>", "\\&ext;\n");
    /* XHTML through the XML parser */
    EXPECT_XML("<html xmlns='http://www.w3.org/1999/xhtml'><body><h1>H</h1><p><em>e</em></p></body></html>",
               "# H\n\n*e*\n");
}

static void test_entity_budget(void)
{
    lode_options o;
    lode_options_init(&o);
    o.limits.max_entity_expansion = 50;
    lode_engine *e = lode_engine_new(&o);
    /* attribute values count too (alt is read) */
    xmlDoc *doc = parse_xml("<!DOCTYPE html [<!ENTITY e '0123456789'>]>"
                            "<html xmlns='http://www.w3.org/1999/xhtml'><body><p>"
                            "<img src='a' alt='&e;&e;&e;&e;&e;&e;'/></p></body></html>");
    int rc;
    char *s = write_with(e, doc, &rc);
    CHECK_EQ_INT(rc, LODE_ELIMIT);
    CHECK(s == NULL);
    CHECK_EQ_STR(lode_errmsg(e), "entity expansion exceeds the limit of 50 bytes");
    xmlFreeDoc(doc);
    lode_engine_free(e);
}

/* A small article like the ones the text reader builds. */
static void test_article(void)
{
    EXPECT_HTML("<html><head><meta name='date' content='2019-04'><title>Putin trifft Kim</title></head>"
                "<body><h1>Putin trifft Kim</h1><p>Wladiwostok \xE2\x80\x93 Der russische Pr\xC3\xA4sident "
                "hat Nordkoreas Machthaber empfangen. Es geht um das Atomwaffen- und "
                "Raketenprogramm.</p><p>Beide sprachen am 25. April.</p></body></html>",
                "# Putin trifft Kim\n\nWladiwostok \xE2\x80\x93 Der russische Pr\xC3\xA4sident hat "
                "Nordkoreas Machthaber empfangen. Es geht um das Atomwaffen- und "
                "Raketenprogramm.\n\nBeide sprachen am 25. April.\n");
}

int main(void)
{
    eng = lode_engine_new(NULL);
    RUN(test_headings_paragraphs);
    RUN(test_title);
    RUN(test_emphasis);
    RUN(test_emphasis_flanking);
    RUN(test_escaping);
    RUN(test_escaping_line_start);
    RUN(test_code);
    RUN(test_pre);
    RUN(test_links);
    RUN(test_images);
    RUN(test_figure);
    RUN(test_breaks);
    RUN(test_lists);
    RUN(test_blockquote);
    RUN(test_hr);
    RUN(test_tables);
    RUN(test_definition_lists);
    RUN(test_skipped);
    RUN(test_xml_generic);
    RUN(test_entity_budget);
    RUN(test_article);
    lode_engine_free(eng);
    return harness_done();
}
