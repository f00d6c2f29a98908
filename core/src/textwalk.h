/* textwalk.h -- the tree walk and line layout shared by the plain-text and
 * Markdown writers.
 *
 * Both writers turn a libxml2 tree into lines of text in the same shape:
 * blocks separated by one blank line, inline content collapsed into one
 * flowing line per block, list items behind markers, nested containers
 * indented.  textwalk does all of that once; a writer supplies a
 * textwalk_style: how a run of text is written (Markdown escapes it), how
 * the few constructs whose syntax differs are rendered (inline markup,
 * <pre>, tables) and a handful of marker strings.
 *
 * What is a block.  The document is walked as HTML where it is HTML (an HTML
 * document, an XML document whose root is <html>, or elements in the XHTML
 * namespace); html_vocab decides what each known element is.  Inline content
 * between blocks becomes an anonymous paragraph, as in CSS.  An inline
 * element that contains blocks is treated as a transparent container, except
 * <a>, whose content is flattened so that a teaser wrapped in a link stays one
 * link.  Elsewhere (TEI, JATS, DocBook, any unknown vocabulary) an element
 * with non-whitespace text (or an entity reference) among its children is a
 * block whose whole text content is one paragraph; an element with element
 * children only is a container.
 *
 * Line layout.  Output is produced lazily: a block emits its separator, the
 * pending list/quote markers ("lead") and its own marker only when its first
 * content arrives, so empty paragraphs, items and headings vanish.  prefix is
 * what every continuation line inside the current containers starts with;
 * lead holds the markers for the first line of the next block, which replace
 * the tail of prefix from lead_at on ("- " where prefix has "  ").
 *
 * Inline flow.  Whitespace runs collapse to one pending space, dropped at
 * line starts and ends.  Opening markup ("*", "[") waits in its span until
 * content follows, so whitespace moves outside emphasis and an element with
 * no content leaves no markup; <br> is pending too, so a trailing <br> is
 * dropped.  Emphasis delimiters are checked against CommonMark's flanking
 * rules when their block ends (they can only be judged with the characters
 * on both sides written): delimiters next to Unicode whitespace (U+00A0...)
 * are moved past it, and a pair that still could not open or close ("x*"a"*"
 * after a letter, "**Foo:**Bar") is removed, so that no stray "*" shows up
 * as text.
 *
 * Safety.  Text from entity references is counted against
 * limits.max_entity_expansion (LODE_ELIMIT beyond it); nothing calls
 * xmlNodeGetContent or xmlGetProp, whose entity expansion is unbounded.  The
 * recursion is bounded (LODE_ELIMIT beyond TEXTWALK_MAX_NESTING levels of
 * elements and entities).  Every byte written is valid UTF-8 (ill-formed
 * sequences in the tree become U+FFFD). */
#ifndef LODE_TEXTWALK_H
#define LODE_TEXTWALK_H

#include <stddef.h>
#include <libxml/tree.h>

#include "buf.h"
#include "engine.h"
#include "html_vocab.h"

/* Elements plus entity references nested deeper than this fail with
 * LODE_ELIMIT (parsed trees are at most 256 deep; this guards the stack
 * against hand-built trees and entity chains). */
#define TEXTWALK_MAX_NESTING 1024u

/* Cells that table padding (colspan, short header rows) may add per
 * document; beyond it colspans are no longer expanded.  Keeps a hostile
 * table from multiplying its size in the output. */
#define TEXTWALK_MAX_PADDING ((size_t)1 << 20)

/* Inline elements with markup open at once (deeper ones get none). */
#define TEXTWALK_MAX_SPANS 64u

typedef struct textwalk textwalk;

/* An open inline element with markup. */
typedef struct textwalk_span {
    const char *markup; /* its opening markup (a static string) */
    size_t at;          /* offset of the opening markup in out, once written */
    int written;        /* the opening markup has been written */
    int emphasis;       /* CommonMark's flanking rules apply */
} textwalk_span;

/* A written pair of emphasis delimiters in the current block. */
typedef struct textwalk_pair {
    size_t open_at, open_len, close_at, close_len;
} textwalk_pair;

typedef struct textwalk_style {
    /* Writes one run of non-whitespace text (n > 0 bytes).  next is the byte
     * after the run: ' ' when whitespace follows in the same text node, 0
     * when the run ends the node (the next byte is unknown).  Writes with
     * textwalk_put; w->line_start says whether the run starts a line. */
    void (*text)(textwalk *w, const char *s, size_t n, int next);
    /* Renders an inline HTML element itself and returns 1, or returns 0 to
     * let the walker treat it as transparent.  May be NULL. */
    int (*inline_element)(textwalk *w, xmlNode *el, html_vocab_tag tag);
    /* Renders <pre> (and listing/plaintext/xmp) as a block. */
    void (*pre)(textwalk *w, xmlNode *pre);
    /* Renders a data table (not a layout table) as a block; the caption has
     * been written already. */
    void (*table)(textwalk *w, xmlNode *table);
    const char *hard_break; /* written before the newline of a <br> */
    const char *quote;      /* blockquote marker, "" for none */
    const char *hr;         /* a thematic break line; NULL drops <hr> */
    const char *hr_in_lead; /* the same when it shares a line with list markers */
    const char *figcaption; /* markup around figcaption text, NULL for none */
    const char *term;       /* markup around dt text, NULL for none */
    int atx_headings;       /* headings start with "# " .. "###### " */
    int alt_markers;        /* adjacent lists alternate "-"/"*" and "."/")" */
    int cell_pipes;         /* escape '|' in table cells */
} textwalk_style;

struct textwalk {
    lode_engine *e;
    xmlDoc *doc;
    const textwalk_style *style;
    buf *out;       /* where bytes go now: the document, or one table cell */
    size_t base;    /* the document buffer's length when writing began */
    int status;     /* LODE_OK, or the first failure (engine message set) */
    int html_doc;   /* elements without a namespace are HTML */
    unsigned depth; /* current nesting of elements and entity references */
    unsigned ent_depth;
    size_t ent_used, ent_max;
    size_t pad_left; /* table padding cells still allowed */

    /* Block layout. */
    buf prefix;         /* continuation-line start inside the open containers */
    buf lead;           /* markers for the first line of the next block */
    size_t lead_at;     /* lead replaces prefix from this offset on */
    int tight;          /* blocks are separated by a newline, not a blank line */
    int sep_once;       /* -1, or the tightness for the next block's separator */
    int flat;           /* rendering a table cell: no lines, no markers */
    int last_list;      /* marker character of a list that just ended, or 0 */
    int started;        /* the current block has written its first line */
    int atx;            /* the current block is an ATX heading */
    int no_breaks;      /* <br> is a space (headings, table cells) */
    int pipes;          /* textwalk_put escapes '|' */
    const char *marker; /* the current block's own marker ("## ") */
    size_t content_at;  /* offset of the current block's content in out */

    /* Inline flow. */
    int space;          /* a collapsed space is pending */
    unsigned breaks;    /* hard line breaks pending */
    textwalk_span spans[TEXTWALK_MAX_SPANS];
    unsigned nspans;    /* open spans */
    unsigned waiting;   /* the innermost spans whose markup waits for content */
    buf pairs;          /* textwalk_pair records of the current block */
    const char *close_markup; /* the last emphasis closer, if nothing followed it */
    size_t close_end;   /* out->len right after it */
    size_t close_open_at; /* where its opener is */
    int line_start;     /* the next byte written starts a line */
    int esc;            /* state of style->text across runs (Markdown: digits) */
    int in_link;
};

/* Prepares w to append doc to out.  Cannot fail; textwalk_finish releases. */
void textwalk_init(textwalk *w, lode_engine *e, xmlDoc *doc, buf *out,
                   const textwalk_style *style);

/* Ends the output with one newline (if anything was written), releases w's
 * buffers and returns the status: LODE_OK, LODE_ENOMEM (engine message set),
 * or the first error.  On failure out is cut back to its initial length. */
int textwalk_finish(textwalk *w);

/* Writes the document's content (everything but <head>). */
void textwalk_document(textwalk *w);

/* Stores the collapsed text of head/title in dst (reset first) and returns
 * 1 if it is non-empty; 0 for a document without one. */
int textwalk_title(textwalk *w, buf *dst);

/* Finds the first heading (h1..h6, or only h1 if h1_only) of the body in
 * document order.  Returns 1 if there is one and, if dst is not NULL, stores
 * its collapsed text in dst (reset first). */
int textwalk_first_heading(textwalk *w, int h1_only, buf *dst);

/* Writes a heading block of the given level (1..6) whose content is the
 * plain text s (collapsed and escaped like any text). */
void textwalk_heading(textwalk *w, int level, const char *s, size_t n);

/* --- For styles ----------------------------------------------------------- */

/* Sets the first error (an engine_error message) unless one is set. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void textwalk_fail(textwalk *w, int code, const char *fmt, ...);

/* Non-zero while nothing has failed (including the output buffer). */
int textwalk_ok(textwalk *w);

/* Non-zero if el is an element of the HTML vocabulary in this document. */
int textwalk_is_html(const textwalk *w, const xmlNode *el);

/* The html_vocab tag of el, HTML_TAG_UNKNOWN for non-HTML elements. */
html_vocab_tag textwalk_tag(const textwalk *w, const xmlNode *el);

/* Appends bytes to the current output as they are, except that ill-formed
 * UTF-8 becomes U+FFFD and, in a Markdown table cell, '|' becomes "\|". */
void textwalk_put(textwalk *w, const char *s, size_t n);

/* Writes pending separators, breaks, space and opening markup, then markup s
 * (not text: never escaped).  The line is no longer at its start. */
void textwalk_markup(textwalk *w, const char *s, size_t n);

/* Collapsing text sink: whitespace runs become one pending space, other runs
 * go to style->text.  Counts toward the entity budget inside entities. */
void textwalk_text(textwalk *w, const char *s, size_t n);

/* A pending space (a word boundary). */
void textwalk_space(textwalk *w);

/* Renders el's children as inline content of the current block. */
void textwalk_inlines(textwalk *w, xmlNode *el);

/* Opens a span: markup (a static string) is written when content follows.
 * emphasis: markup and closer are CommonMark emphasis delimiters ("*",
 * "**"), checked for flanking at the end of the block.  Returns the span
 * for textwalk_close, or -1 when too many are open (the element then gets no
 * markup). */
int textwalk_open(textwalk *w, const char *markup, int emphasis);

/* Non-zero if a span with this markup is open. */
int textwalk_in_span(const textwalk *w, const char *markup);

/* Closes the innermost span.  If no content came, drops its opening markup
 * and returns 0.  Otherwise writes closer (a static string, or NULL for the
 * caller to write its own) and returns 1.  An emphasis closer immediately
 * followed by the same opener is merged away ("**a**" "**b**" -> "**ab**"). */
int textwalk_close(textwalk *w, int span, const char *closer);

/* Writes a block of verbatim lines (split at '\n'), each line after the
 * first starting with the container prefix.  Nothing for n == 0. */
void textwalk_block_lines(textwalk *w, const char *s, size_t n);

/* Appends the raw text content of el's children to dst (no collapsing):
 * text, CDATA and bounded entity expansions; <br> and the boundaries of
 * HTML blocks as '\n'; skipped HTML elements and comments left out. */
void textwalk_collect(textwalk *w, xmlNode *el, buf *dst);

/* The text of a <pre> into dst (reset first): collected as above, line
 * ends normalised to '\n', and the one newline that HTML ignores right
 * after the start tag removed. */
void textwalk_collect_pre(textwalk *w, xmlNode *pre, buf *dst);

/* Stores the value of el's attribute name (no namespace, ASCII
 * case-insensitive) in dst (reset first), expanding entity references within
 * the budget.  Returns 1 if el has the attribute. */
int textwalk_attr(textwalk *w, const xmlNode *el, const char *name, buf *dst);

/* Collapses whitespace runs in b to one space and trims both ends.  Returns
 * TEXTWALK_LEADING_SPACE and/or TEXTWALK_TRAILING_SPACE for what was cut. */
enum { TEXTWALK_LEADING_SPACE = 1, TEXTWALK_TRAILING_SPACE = 2 };
int textwalk_collapse(buf *b);

/* Table rows in document order: the tr children of table and of its
 * thead/tbody/tfoot.  Pass row NULL for the first; NULL after the last. */
xmlNode *textwalk_next_row(const textwalk *w, const xmlNode *table, const xmlNode *row);

/* The td/th children of a row: cell NULL for the first; NULL after the last. */
xmlNode *textwalk_next_cell(const textwalk *w, const xmlNode *row, const xmlNode *cell);

/* Renders a cell's content as one line into dst (reset first). */
void textwalk_cell(textwalk *w, xmlNode *cell, buf *dst);

#endif
