/* write_markdown.c -- the Markdown writer: CommonMark (plus GFM tables) from
 * the HTML vocabulary.
 *
 * textwalk lays out the blocks (blank lines, "- "/"1. " items with nested
 * indentation, "> " quotes, "#" headings); this file adds the Markdown
 * syntax and the escaping that makes text come back as the same text.
 *
 * Choices:
 *  - Emphasis is "*" and strong "**" (intraword-safe, unlike "_"); the same
 *    emphasis nested inside itself is not repeated, and delimiters that
 *    CommonMark could not read as emphasis (after a letter and before
 *    punctuation, next to U+00A0) are fixed or dropped by textwalk, so a
 *    stray "*" never reaches the reader.  Adjacent lists alternate
 *    "-"/"*" and "."/")" so that they stay two lists.
 *  - A figure is its image as "![alt](src)" in a paragraph, then the
 *    figcaption as a paragraph in italics: CommonMark has no captions, and a
 *    separate italic line is how captions are usually written by hand.
 *  - dt is a bold paragraph, dd its paragraphs (CommonMark has no
 *    definition lists).
 *  - Tables become GFM tables when every cell is one line of inline content;
 *    layout tables (nested tables, cells of several blocks) are walked as
 *    containers.  colspan repeats an empty cell so columns stay aligned.
 *  - Text escaping (md_run): always \ ` * [ ] < >, "_" unless between two
 *    ASCII letters or digits, "&" before something that reads as an entity
 *    reference; at the start of a line "#", "=", "~", "|", "-" and "+"
 *    before a space, "-" before "-", "|" or ":", ":" before "-" (GFM table
 *    delimiter rows), and the "." or ")" of a number that would start an
 *    ordered list.  Hyphens, dots, "#", "!" and the like inside a
 *    line are left alone ("Atomwaffen- und Raketenprogramm" stays).  In
 *    table cells "|" becomes "\|" (textwalk_put), inside code spans too, as
 *    GFM requires. */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textwalk.h"

static int is_alnum(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Would "&" followed by the n bytes at p be read as an entity or numeric
 * character reference ("&amp;", "&#39;", "&#x27;")?  next is the byte after
 * them (0: unknown); when the bytes run out mid-way, an unknown next means
 * "assume it would". */
static int entity_like(const char *p, size_t n, int next)
{
    size_t i = 0, count = 0;
    if (n && p[0] == '#') {
        i = 1;
        int hex = i < n && (p[i] == 'x' || p[i] == 'X');
        if (hex)
            i++;
        while (i < n && (hex ? is_hex((unsigned char)p[i]) : is_digit((unsigned char)p[i]))) {
            i++;
            count++;
        }
    } else {
        if (n && !is_alpha((unsigned char)p[0]))
            return 0;
        while (i < n && is_alnum((unsigned char)p[i])) {
            i++;
            count++;
        }
    }
    if (i == n)
        return next == 0;
    return count > 0 && p[i] == ';';
}

/* Writes a run of text with the escapes listed at the top.  w->esc counts
 * the digits of a number at the start of a line, across runs of text that
 * follow each other without a space ("1" "." from two nodes). */
static void md_run(textwalk *w, const char *s, size_t n, int next)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        int nx = i + 1 < n ? (unsigned char)s[i + 1] : next;
        int esc = 0;
        if (i == 0 && w->line_start) {
            switch (c) {
            case '#':
            case '=':
            case '~':
                esc = 1;
                break;
            case '|': /* a GFM table delimiter row after a hard break */
                esc = 1;
                break;
            case ':':
                esc = nx == '-' || nx == 0;
                break;
            case '-':
                esc = nx == ' ' || nx == 0 || nx == '-' || nx == '|' || nx == ':';
                break;
            case '+':
                esc = nx == ' ' || nx == 0;
                break;
            default:
                w->esc = c >= '0' && c <= '9';
                break;
            }
        } else if (w->esc) {
            if (c >= '0' && c <= '9' && w->esc < 9) {
                w->esc++;
            } else {
                esc = (c == '.' || c == ')') && (nx == ' ' || nx == 0);
                w->esc = 0;
            }
        }
        switch (c) {
        case '\\':
        case '`':
        case '*':
        case '[':
        case ']':
        case '<':
        case '>':
            esc = 1;
            break;
        case '_': {
            int prev = i ? (unsigned char)s[i - 1]
                         : (w->out->len && !w->line_start ? (unsigned char)w->out->ptr[w->out->len - 1] : 0);
            esc = !(is_alnum(prev) && is_alnum(nx));
            break;
        }
        case '&':
            esc = entity_like(s + i + 1, n - i - 1, next) || esc;
            break;
        default:
            break;
        }
        if (esc) {
            textwalk_put(w, s + from, i - from);
            textwalk_put(w, "\\", 1);
            from = i;
        }
    }
    textwalk_put(w, s + from, n - from);
    w->line_start = 0;
}

/* Writes text that is already collapsed (alt, title) with md_run's escapes,
 * outside line starts. */
static void put_escaped(textwalk *w, const buf *b, int next)
{
    if (!b->len)
        return;
    w->line_start = 0;
    w->esc = 0;
    md_run(w, b->ptr, b->len, next);
    w->esc = 0;
}

static size_t longest_run(const char *s, size_t n, char c)
{
    size_t best = 0, cur = 0;
    for (size_t i = 0; i < n; i++) {
        cur = s[i] == c ? cur + 1 : 0;
        if (cur > best)
            best = cur;
    }
    return best;
}

static void put_repeat(buf *b, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_putc(b, c);
}

/* A link destination.  Tabs and newlines are dropped (as URL parsers do),
 * other control bytes percent-encoded; a destination with spaces, parens or
 * angle brackets is written as <...>, where < and > are escaped.
 * CommonMark decodes backslash escapes and entity references inside
 * destinations, so backslashes are doubled and an "&" before an entity-like
 * sequence is written "&amp;" (not "\&": cmark decodes entities before
 * escapes there, which would turn "\&copy;" into "\(c)"). */
static void md_url(textwalk *w, const buf *u)
{
    const char *s = u->ptr ? u->ptr : "";
    size_t n = u->len;
    while (n && is_ws((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (n && is_ws((unsigned char)s[n - 1]))
        n--;
    int pointy = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] && strchr(" ()<>", s[i]))
            pointy = 1;
    buf b;
    buf_init(&b, &w->e->mem);
    if (pointy || !n)
        buf_putc(&b, '<');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c < 0x20 || c == 0x7f)
            buf_printf(&b, "%%%02X", c);
        else if (c == '&' && entity_like(s + i + 1, n - i - 1, ' '))
            buf_puts(&b, "&amp;");
        else if (c == '\\' || c == '<' || c == '>') {
            buf_putc(&b, '\\');
            buf_putc(&b, (char)c);
        } else {
            buf_putc(&b, (char)c);
        }
    }
    if (pointy || !n)
        buf_putc(&b, '>');
    if (buf_ok(&b))
        textwalk_put(w, b.ptr ? b.ptr : "", b.len);
    else
        textwalk_fail(w, LODE_ENOMEM, "out of memory");
    buf_free(&b);
}

/* The optional title of a link or image: ` "title"`, whitespace collapsed,
 * with " and \ escaped and "&" as in md_url. */
static void md_title(textwalk *w, const xmlNode *el)
{
    buf t, b;
    buf_init(&t, &w->e->mem);
    buf_init(&b, &w->e->mem);
    if (textwalk_attr(w, el, "title", &t)) {
        textwalk_collapse(&t);
        if (t.len) {
            buf_puts(&b, " \"");
            for (size_t i = 0; i < t.len; i++) {
                char c = t.ptr[i];
                if (c == '&' && entity_like(t.ptr + i + 1, t.len - i - 1, ' ')) {
                    buf_puts(&b, "&amp;");
                    continue;
                }
                if (c == '"' || c == '\\')
                    buf_putc(&b, '\\');
                buf_putc(&b, c);
            }
            buf_putc(&b, '"');
        }
    }
    if (buf_ok(&t) && buf_ok(&b))
        textwalk_put(w, b.ptr ? b.ptr : "", b.len);
    else
        textwalk_fail(w, LODE_ENOMEM, "out of memory");
    buf_free(&t);
    buf_free(&b);
}

/* Emphasis and strong emphasis: markup that appears only around content.
 * Inside the same emphasis (em in em, b in strong, an em in a figcaption)
 * it adds nothing a reader would see, and "*a *b* c*" is fragile: the
 * inner element is left transparent. */
static void md_wrap(textwalk *w, xmlNode *el, const char *markup)
{
    if (textwalk_in_span(w, markup)) {
        textwalk_inlines(w, el);
        return;
    }
    int span = textwalk_open(w, markup, 1);
    textwalk_inlines(w, el);
    textwalk_close(w, span, markup);
}

static int is_code(textwalk *w, const xmlNode *n)
{
    html_vocab_tag t = textwalk_tag(w, n);
    return t == HTML_TAG_CODE || t == HTML_TAG_KBD || t == HTML_TAG_SAMP || t == HTML_TAG_TT;
}

/* The sibling before (forward == 0) or after n that writes something:
 * comments, processing instructions and skipped elements write nothing. */
static xmlNode *md_sibling(textwalk *w, const xmlNode *n, int forward)
{
    for (xmlNode *c = forward ? n->next : n->prev; c; c = forward ? c->next : c->prev) {
        if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
            continue;
        unsigned f = html_vocab_flags(textwalk_tag(w, c));
        if ((f & HTML_VOCAB_SKIP) && !(f & HTML_VOCAB_VOID))
            continue;
        return c;
    }
    return NULL;
}

/* A code span.  Its text is taken literally (markup inside is dropped),
 * whitespace collapsed; surrounding whitespace moves outside.  The fence is
 * one backtick longer than the longest run inside, and content that starts
 * or ends with a backtick is padded with a space (which CommonMark strips).
 * Code elements right next to each other (<code>a</code><code>b</code>)
 * become one span: two spans cannot touch, their fences would fuse into one
 * longer run.  Touching spans that are not siblings get a space between. */
static void md_code(textwalk *w, xmlNode *el)
{
    xmlNode *prev = md_sibling(w, el, 0);
    if (prev && is_code(w, prev))
        return; /* written with prev */
    buf t;
    buf_init(&t, &w->e->mem);
    textwalk_collect(w, el, &t);
    for (xmlNode *n = md_sibling(w, el, 1); n && is_code(w, n) && textwalk_ok(w); n = md_sibling(w, n, 1))
        textwalk_collect(w, n, &t);
    int cut = textwalk_collapse(&t);
    if (cut & TEXTWALK_LEADING_SPACE)
        textwalk_space(w);
    if (t.len && textwalk_ok(w)) {
        size_t fence = longest_run(t.ptr, t.len, '`') + 1;
        int pad = t.ptr[0] == '`' || t.ptr[t.len - 1] == '`';
        buf b;
        buf_init(&b, &w->e->mem);
        textwalk_markup(w, "", 0);
        if (w->out->len && w->out->ptr[w->out->len - 1] == '`')
            buf_putc(&b, ' '); /* a span just closed (nested deeper): keep the fences apart */
        put_repeat(&b, '`', fence);
        if (pad)
            buf_putc(&b, ' ');
        buf_put(&b, t.ptr, t.len);
        if (pad)
            buf_putc(&b, ' ');
        put_repeat(&b, '`', fence);
        if (buf_ok(&b))
            textwalk_markup(w, b.ptr, b.len);
        else
            textwalk_fail(w, LODE_ENOMEM, "out of memory");
        buf_free(&b);
    }
    if (cut & TEXTWALK_TRAILING_SPACE)
        textwalk_space(w);
    buf_free(&t);
}

/* [text](url "title").  A link without href, or inside another link
 * (CommonMark links cannot nest), is just its text; a link without text
 * disappears. */
static int md_link(textwalk *w, xmlNode *el)
{
    if (w->in_link)
        return 0;
    buf href;
    buf_init(&href, &w->e->mem);
    if (!textwalk_attr(w, el, "href", &href)) {
        buf_free(&href);
        return 0;
    }
    int span = textwalk_open(w, "[", 0);
    w->in_link = 1;
    textwalk_inlines(w, el);
    w->in_link = 0;
    if (textwalk_close(w, span, NULL)) {
        textwalk_put(w, "](", 2);
        md_url(w, &href);
        md_title(w, el);
        textwalk_put(w, ")", 1);
    }
    buf_free(&href);
    return 1;
}

/* ![alt](src "title"); an image without src is left out. */
static void md_image(textwalk *w, xmlNode *el)
{
    buf src, alt;
    buf_init(&src, &w->e->mem);
    buf_init(&alt, &w->e->mem);
    if (textwalk_attr(w, el, "src", &src)) {
        textwalk_collapse(&src);
        if (src.len) {
            textwalk_attr(w, el, "alt", &alt);
            textwalk_collapse(&alt);
            textwalk_markup(w, "![", 2);
            put_escaped(w, &alt, ']');
            textwalk_put(w, "](", 2);
            md_url(w, &src);
            md_title(w, el);
            textwalk_put(w, ")", 1);
        }
    }
    buf_free(&src);
    buf_free(&alt);
}

static int md_inline(textwalk *w, xmlNode *el, html_vocab_tag tag)
{
    switch (tag) {
    case HTML_TAG_EM:
    case HTML_TAG_I:
        md_wrap(w, el, "*");
        return 1;
    case HTML_TAG_STRONG:
    case HTML_TAG_B:
        md_wrap(w, el, "**");
        return 1;
    case HTML_TAG_CODE:
    case HTML_TAG_KBD:
    case HTML_TAG_SAMP:
    case HTML_TAG_TT:
        md_code(w, el);
        return 1;
    case HTML_TAG_A:
        return md_link(w, el);
    case HTML_TAG_IMG:
        md_image(w, el);
        return 1;
    default:
        return 0;
    }
}

/* The info string of a code block: "x" from class="language-x" on the pre
 * or on its code child.  Left out if it holds a backtick (not allowed after
 * a backtick fence). */
static void md_lang(textwalk *w, xmlNode *pre, buf *dst)
{
    buf cls;
    buf_init(&cls, &w->e->mem);
    xmlNode *code = NULL;
    for (xmlNode *c = pre->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (textwalk_tag(w, c) == HTML_TAG_CODE)
                code = c;
            break;
        }
    }
    xmlNode *cand[2] = {pre, code};
    for (int k = 0; k < 2 && !dst->len; k++) {
        if (!cand[k] || !textwalk_attr(w, cand[k], "class", &cls) || !cls.len)
            continue;
        const char *p = cls.ptr, *end = cls.ptr + cls.len;
        while (p < end) {
            while (p < end && is_ws((unsigned char)*p))
                p++;
            const char *q = p;
            while (q < end && !is_ws((unsigned char)*q))
                q++;
            size_t len = (size_t)(q - p);
            if (len > 9 && memcmp(p, "language-", 9) == 0 && !memchr(p + 9, '`', len - 9)) {
                buf_put(dst, p + 9, len - 9);
                break;
            }
            p = q;
        }
    }
    buf_free(&cls);
}

/* A fenced code block: fence longer than any backtick run inside (at least
 * three), info string from the class, content verbatim.  One trailing
 * newline of the content belongs to the last line. */
static void md_pre(textwalk *w, xmlNode *pre)
{
    buf t, b, lang;
    buf_init(&t, &w->e->mem);
    buf_init(&b, &w->e->mem);
    buf_init(&lang, &w->e->mem);
    textwalk_collect_pre(w, pre, &t);
    if (t.len && t.ptr[t.len - 1] == '\n')
        t.len--;
    int blank = 1;
    for (size_t i = 0; i < t.len && blank; i++)
        blank = is_ws((unsigned char)t.ptr[i]);
    if (!blank && textwalk_ok(w) && buf_ok(&t)) {
        size_t fence = longest_run(t.ptr, t.len, '`') + 1;
        if (fence < 3)
            fence = 3;
        md_lang(w, pre, &lang);
        put_repeat(&b, '`', fence);
        buf_put(&b, lang.ptr, lang.len);
        buf_putc(&b, '\n');
        buf_put(&b, t.ptr, t.len);
        buf_putc(&b, '\n');
        put_repeat(&b, '`', fence);
        if (buf_ok(&b) && buf_ok(&lang))
            textwalk_block_lines(w, b.ptr, b.len);
        else
            textwalk_fail(w, LODE_ENOMEM, "out of memory");
    }
    buf_free(&t);
    buf_free(&b);
    buf_free(&lang);
}

/* colspan, within what HTML allows (1..1000). */
static size_t md_colspan(textwalk *w, const xmlNode *cell, buf *tmp)
{
    size_t span = 1;
    if (textwalk_attr(w, cell, "colspan", tmp) && tmp->len && buf_ok(tmp)) {
        long v = strtol(tmp->ptr, NULL, 10);
        span = v < 1 ? 1 : v > 1000 ? 1000 : (size_t)v;
    }
    return span;
}

/* ASCII case-insensitive comparison of b with a lower-case word. */
static int word_is(const buf *b, const char *word)
{
    size_t n = strlen(word);
    if (b->len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)b->ptr[i];
        if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != word[i])
            return 0;
    }
    return 1;
}

/* The delimiter cell for a header cell's align attribute. */
static const char *md_align(textwalk *w, const xmlNode *cell, buf *tmp)
{
    if (cell && textwalk_attr(w, cell, "align", tmp) && buf_ok(tmp)) {
        textwalk_collapse(tmp);
        if (word_is(tmp, "left"))
            return " :--- |";
        if (word_is(tmp, "right"))
            return " ---: |";
        if (word_is(tmp, "center"))
            return " :---: |";
    }
    return " --- |";
}

/* The width of a row in columns: its cells plus colspan repeats, the repeats
 * only up to 1000 columns. */
static size_t md_row_width(textwalk *w, const xmlNode *row, buf *tmp)
{
    size_t cols = 0;
    for (xmlNode *c = textwalk_next_cell(w, row, NULL); c; c = textwalk_next_cell(w, row, c)) {
        size_t span = md_colspan(w, c, tmp);
        cols++;
        for (size_t i = 1; i < span && cols < 1000; i++)
            cols++;
    }
    return cols;
}

/* One table row as "| a | b |".  Padding cells (colspan repeats, and for
 * the header row the columns up to ncols) draw on w->pad_left.  With sep,
 * the delimiter row is built alongside (the header's alignments). */
static void md_row(textwalk *w, xmlNode *row, size_t ncols, buf *line, buf *sep, buf *cell,
                   buf *tmp)
{
    size_t cols = 0;
    buf_putc(line, '|');
    if (sep)
        buf_putc(sep, '|');
    for (xmlNode *c = textwalk_next_cell(w, row, NULL); c && textwalk_ok(w);
         c = textwalk_next_cell(w, row, c)) {
        textwalk_cell(w, c, cell);
        if (cell->len) {
            buf_putc(line, ' ');
            buf_put(line, cell->ptr, cell->len);
        }
        buf_puts(line, " |");
        const char *align = sep ? md_align(w, c, tmp) : NULL;
        if (sep)
            buf_puts(sep, align);
        cols++;
        size_t span = md_colspan(w, c, tmp);
        for (size_t i = 1; i < span && cols < 1000 && w->pad_left; i++, cols++, w->pad_left--) {
            buf_puts(line, " |");
            if (sep)
                buf_puts(sep, align);
        }
    }
    for (; cols < ncols && w->pad_left; cols++, w->pad_left--) {
        buf_puts(line, " |");
        if (sep)
            buf_puts(sep, " --- |");
    }
}

/* A GFM table: the header is the first row of thead, else the first row;
 * it is padded to the widest row (GFM drops cells beyond the header's
 * count).  Other rows follow in document order. */
static void md_table(textwalk *w, xmlNode *table)
{
    buf lines, sep, cell, tmp;
    buf_init(&lines, &w->e->mem);
    buf_init(&sep, &w->e->mem);
    buf_init(&cell, &w->e->mem);
    buf_init(&tmp, &w->e->mem);
    xmlNode *head = NULL, *first = NULL;
    size_t ncols = 0;
    for (xmlNode *row = textwalk_next_row(w, table, NULL); row; row = textwalk_next_row(w, table, row)) {
        size_t width = md_row_width(w, row, &tmp);
        if (!width)
            continue;
        if (!first)
            first = row;
        if (!head && textwalk_tag(w, row->parent) == HTML_TAG_THEAD)
            head = row;
        if (width > ncols)
            ncols = width;
    }
    if (first && textwalk_ok(w)) {
        if (!head)
            head = first;
        md_row(w, head, ncols, &lines, &sep, &cell, &tmp);
        buf_putc(&lines, '\n');
        buf_put(&lines, sep.ptr, sep.len);
        for (xmlNode *row = textwalk_next_row(w, table, NULL); row && textwalk_ok(w);
             row = textwalk_next_row(w, table, row)) {
            if (row == head || !textwalk_next_cell(w, row, NULL))
                continue;
            buf_putc(&lines, '\n');
            md_row(w, row, 0, &lines, NULL, &cell, &tmp);
        }
        if (buf_ok(&lines) && buf_ok(&sep) && buf_ok(&tmp))
            textwalk_block_lines(w, lines.ptr, lines.len);
        else
            textwalk_fail(w, LODE_ENOMEM, "out of memory");
    }
    buf_free(&lines);
    buf_free(&sep);
    buf_free(&cell);
    buf_free(&tmp);
}

static const textwalk_style md_style = {
    .text = md_run,
    .inline_element = md_inline,
    .pre = md_pre,
    .table = md_table,
    .hard_break = "\\",
    .quote = "> ",
    .hr = "---",
    .hr_in_lead = "***", /* "- ---" would be a thematic break, not an item */
    .figcaption = "*",
    .term = "**",
    .atx_headings = 1,
    .alt_markers = 1,
    .cell_pipes = 1,
};

int write_markdown(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out)
{
    (void)wo;
    textwalk w;
    textwalk_init(&w, e, doc, out, &md_style);
    buf title;
    buf_init(&title, &e->mem);
    if (textwalk_title(&w, &title) && !textwalk_first_heading(&w, 1, NULL))
        textwalk_heading(&w, 1, title.ptr, title.len);
    buf_free(&title);
    textwalk_document(&w);
    return textwalk_finish(&w);
}
