/* textwalk.c -- the walk and line layout shared by the text and Markdown
 * writers (see textwalk.h for the model: roles, lazy blocks, prefix/lead,
 * pending inline state). */
#include "textwalk.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/entities.h>
#include <utf8proc.h>

#include "utf8.h"

#define XHTML_NS "http://www.w3.org/1999/xhtml"
#define SVG_NS "http://www.w3.org/2000/svg"

/* libxml2 itself refuses entity nesting beyond 40 levels; this only guards
 * hand-built trees. */
#define MAX_ENTITY_NESTING 64u

/* Inline elements are searched this deep for a block descendant. */
#define MAX_BLOCK_SEARCH 64u

/* Ordered list numbers stay within what CommonMark accepts (9 digits). */
#define MAX_LIST_NUMBER 999999999L

#define DEFAULT_ENTITY_BUDGET ((size_t)16 << 20)

/* What a node is to the block walk. */
enum role {
    ROLE_SKIP,      /* not rendered (comments, scripts, head, ...) */
    ROLE_INLINE,    /* text, entity references, inline elements */
    ROLE_LEAF,      /* a block whose content is one flowing paragraph */
    ROLE_CONTAINER, /* a block of blocks */
    ROLE_LIST,
    ROLE_QUOTE,
    ROLE_PRE,
    ROLE_TABLE,
    ROLE_HR
};

static void blocks(textwalk *w, xmlNode *parent);
static void block(textwalk *w, xmlNode *n, int r, html_vocab_tag tag);
static void inline_node(textwalk *w, xmlNode *n);
static void collect_node(textwalk *w, const xmlNode *n, buf *dst);

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */
/* ------------------------------------------------------------------------ */

/* HTML's ASCII whitespace; U+00A0 and other Unicode spaces are text. */
static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int name_eq(const xmlChar *a, const char *b)
{
    const unsigned char *p = a, *q = (const unsigned char *)b;
    for (; *p && lower(*p) == lower(*q); p++, q++)
        ;
    return lower(*p) == lower(*q);
}

static int is_blank_text(const xmlNode *n)
{
    if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE)
        return 0;
    for (const xmlChar *p = n->content; p && *p; p++)
        if (!is_ws(*p))
            return 0;
    return 1;
}

/* Is an element with these flags dropped with its content?  Not a void
 * element: whatever a void element holds was put there by a parser that did
 * not know it was void (see html_vocab.h), and is content that follows it. */
static int skipped(unsigned flags)
{
    return (flags & HTML_VOCAB_SKIP) && !(flags & HTML_VOCAB_VOID);
}

static int is_svg(const xmlNode *el)
{
    return el->ns && el->ns->href && xmlStrEqual(el->ns->href, BAD_CAST SVG_NS);
}

void textwalk_fail(textwalk *w, int code, const char *fmt, ...)
{
    if (w->status != LODE_OK)
        return;
    char msg[ENGINE_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->status = engine_error(w->e, code, "%s", msg);
}

/* Buffers fail silently (buf.h); this is where a failure becomes the
 * status, so that the walk stops early instead of running on empty. */
int textwalk_ok(textwalk *w)
{
    if (w->status == LODE_OK && (!buf_ok(w->out) || !buf_ok(&w->prefix) || !buf_ok(&w->lead) ||
                                 !buf_ok(&w->pairs)))
        textwalk_fail(w, LODE_ENOMEM, "out of memory");
    return w->status == LODE_OK;
}

static int check_buf(textwalk *w, const buf *b)
{
    if (!buf_ok(b))
        textwalk_fail(w, LODE_ENOMEM, "out of memory");
    return textwalk_ok(w);
}

/* Every recursion into an element or an entity goes through enter/leave, so
 * the C stack stays bounded whatever the tree looks like. */
static int enter(textwalk *w)
{
    if (!textwalk_ok(w))
        return 0;
    if (w->depth >= TEXTWALK_MAX_NESTING) {
        textwalk_fail(w, LODE_ELIMIT, "document nesting exceeds the limit of %u levels",
                      TEXTWALK_MAX_NESTING);
        return 0;
    }
    w->depth++;
    return 1;
}

static void leave(textwalk *w)
{
    w->depth--;
}

/* Counts n bytes of entity replacement text against the budget. */
static int budget(textwalk *w, size_t n)
{
    if (n > w->ent_max - w->ent_used) {
        textwalk_fail(w, LODE_ELIMIT, "entity expansion exceeds the limit of %zu bytes", w->ent_max);
        return 0;
    }
    w->ent_used += n;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Classification                                                            */
/* ------------------------------------------------------------------------ */

int textwalk_is_html(const textwalk *w, const xmlNode *el)
{
    if (!el || el->type != XML_ELEMENT_NODE)
        return 0;
    if (el->ns)
        return el->ns->href && xmlStrEqual(el->ns->href, BAD_CAST XHTML_NS);
    return w->html_doc;
}

html_vocab_tag textwalk_tag(const textwalk *w, const xmlNode *el)
{
    return textwalk_is_html(w, el) ? html_vocab_find((const char *)el->name) : HTML_TAG_UNKNOWN;
}

/* The rule for vocabularies lode does not know: text among the children
 * makes a paragraph.  Entity references count as text (they nearly always
 * stand for some). */
static int has_text(const xmlNode *el)
{
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE)
            return 1;
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && !is_blank_text(c))
            return 1;
    }
    return 0;
}

/* Does an inline element hold a block (through other inline elements, but
 * not through <a>, whose content is always flattened)?  Such an element is
 * a wrapper (<span><p>..</p></span>, custom elements), not a phrase. */
static int has_block(const textwalk *w, const xmlNode *el, unsigned depth)
{
    if (depth >= MAX_BLOCK_SEARCH)
        return 0;
    for (const xmlNode *c = el->children; c; c = c->next) {
        if (!textwalk_is_html(w, c))
            continue;
        html_vocab_tag tag = html_vocab_find((const char *)c->name);
        unsigned flags = html_vocab_flags(tag);
        if (skipped(flags))
            continue;
        if (flags & HTML_VOCAB_BLOCK)
            return 1;
        if (tag != HTML_TAG_A && has_block(w, c, depth + 1))
            return 1;
    }
    return 0;
}

static int role(const textwalk *w, const xmlNode *n, html_vocab_tag *tagp)
{
    *tagp = HTML_TAG_UNKNOWN;
    switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
    case XML_ENTITY_REF_NODE:
        return ROLE_INLINE;
    case XML_ELEMENT_NODE:
        break;
    default:
        return ROLE_SKIP;
    }
    if (!textwalk_is_html(w, n)) {
        if (is_svg(n))
            return ROLE_SKIP;
        return has_text(n) ? ROLE_LEAF : ROLE_CONTAINER;
    }
    html_vocab_tag tag = html_vocab_find((const char *)n->name);
    unsigned flags = html_vocab_flags(tag);
    *tagp = tag;
    if (skipped(flags))
        return ROLE_SKIP;
    switch (tag) {
    case HTML_TAG_P:
    case HTML_TAG_H1:
    case HTML_TAG_H2:
    case HTML_TAG_H3:
    case HTML_TAG_H4:
    case HTML_TAG_H5:
    case HTML_TAG_H6:
    case HTML_TAG_DT:
    case HTML_TAG_CAPTION:
    case HTML_TAG_SUMMARY:
    case HTML_TAG_LEGEND:
    case HTML_TAG_FIGCAPTION:
        return ROLE_LEAF;
    case HTML_TAG_UL:
    case HTML_TAG_OL:
    case HTML_TAG_MENU:
    case HTML_TAG_DIR:
        return ROLE_LIST;
    case HTML_TAG_BLOCKQUOTE:
        return ROLE_QUOTE;
    case HTML_TAG_PRE:
    case HTML_TAG_LISTING:
    case HTML_TAG_PLAINTEXT:
    case HTML_TAG_XMP:
        return ROLE_PRE;
    case HTML_TAG_TABLE:
        return ROLE_TABLE;
    case HTML_TAG_HR:
        return ROLE_HR;
    default:
        break;
    }
    if (flags & HTML_VOCAB_BLOCK)
        return ROLE_CONTAINER;
    if (tag != HTML_TAG_A && has_block(w, n, 0))
        return ROLE_CONTAINER;
    return ROLE_INLINE;
}

/* ------------------------------------------------------------------------ */
/* Output: lines, separators, pending inline state                           */
/* ------------------------------------------------------------------------ */

void textwalk_put(textwalk *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!w->pipes) {
        utf8_repair(w->out, p, n);
        return;
    }
    size_t i = 0;
    while (i < n) {
        const unsigned char *bar = memchr(p + i, '|', n - i);
        size_t j = bar ? (size_t)(bar - p) : n;
        utf8_repair(w->out, p + i, j - i);
        if (!bar)
            break;
        buf_put(w->out, "\\|", 2);
        i = j + 1;
    }
}

/* The first n bytes of prefix without trailing spaces: what starts an
 * otherwise empty line (a blank line inside a quote is ">", not "> "). */
static void put_trimmed_prefix(textwalk *w, size_t n)
{
    while (n && w->prefix.ptr[n - 1] == ' ')
        n--;
    buf_put(w->out, w->prefix.ptr, n);
}

/* The first content of a block has arrived: separate it from what came
 * before (a newline, plus a blank line unless the context is tight), then
 * write the container prefix, the pending markers and the block's own
 * marker. */
static void first_line(textwalk *w)
{
    if (!w->flat) {
        size_t at = w->lead.len ? w->lead_at : w->prefix.len;
        int tight = w->sep_once >= 0 ? w->sep_once : w->tight;
        w->sep_once = -1;
        if (w->out->len > w->base) {
            buf_putc(w->out, '\n');
            if (!tight) {
                put_trimmed_prefix(w, at);
                buf_putc(w->out, '\n');
            }
        }
        buf_put(w->out, w->prefix.ptr, at);
        buf_put(w->out, w->lead.ptr, w->lead.len);
        w->lead.len = 0;
        if (w->marker)
            buf_puts(w->out, w->marker);
        w->line_start = 1;
    } else {
        w->line_start = 0; /* a cell holds inline content only: no block syntax to fear */
    }
    w->started = 1;
    w->esc = 0;
    w->last_list = 0;
    w->space = 0;
    w->breaks = 0;
    w->content_at = w->out->len;
}

/* Writes the markup of the spans waiting for content.  If the output ends
 * with an emphasis closer and the first waiting span opens the same ("**a**"
 * then "**b"), the two cancel and the span continues the closed one:
 * adjacent delimiter runs would otherwise fuse and break emphasis.
 * Emphasis openers leave a line start a line start: the text after them is
 * escaped as if they were not there, because fix_emphasis may remove them
 * ("**# x" must not become "# x", a heading). */
static void open_markup(textwalk *w)
{
    unsigned first = w->nspans - w->waiting;
    for (unsigned i = first; i < w->nspans; i++) {
        textwalk_span *sp = &w->spans[i];
        size_t n = strlen(sp->markup);
        if (i == first && sp->emphasis && w->close_markup && w->close_end == w->out->len &&
            strcmp(w->close_markup, sp->markup) == 0 && w->out->len >= n &&
            w->pairs.len >= sizeof(textwalk_pair)) {
            w->out->len -= n;
            w->out->ptr[w->out->len] = '\0';
            w->pairs.len -= sizeof(textwalk_pair); /* the closed pair goes on */
            sp->at = w->close_open_at;
        } else {
            sp->at = w->out->len;
            buf_put(w->out, sp->markup, n);
        }
        sp->written = 1;
        if (!sp->emphasis)
            w->line_start = 0;
    }
    w->waiting = 0;
    w->close_markup = NULL;
}

/* Everything that waits for content: the block's first line, hard breaks or
 * a space, opening markup. */
static void flush(textwalk *w)
{
    if (!w->started) {
        first_line(w);
    } else if (w->breaks) {
        const char *hb = w->style->hard_break;
        for (unsigned i = 0; i < w->breaks; i++) {
            buf_puts(w->out, hb);
            buf_putc(w->out, '\n');
            if (i + 1 < w->breaks && !*hb)
                put_trimmed_prefix(w, w->prefix.len);
            else
                buf_put(w->out, w->prefix.ptr, w->prefix.len);
        }
        w->breaks = 0;
        w->space = 0;
        w->line_start = 1;
        w->esc = 0;
    } else if (w->space) {
        if (!w->line_start)
            buf_putc(w->out, ' ');
        w->space = 0;
        w->esc = 0;
    }
    if (w->waiting)
        open_markup(w);
}

static void block_begin(textwalk *w, const char *marker, int atx)
{
    w->started = 0;
    w->marker = marker;
    w->atx = atx;
    w->space = 0;
    w->breaks = 0;
    w->nspans = 0;
    w->waiting = 0;
    w->pairs.len = 0;
    w->close_markup = NULL;
}

/* CommonMark strips a closing sequence (" ###") from an ATX heading; a
 * heading whose text ends that way gets its first '#' escaped. */
static void heading_tail(textwalk *w)
{
    buf *b = w->out;
    size_t end = b->len, j = end;
    if (!buf_ok(b))
        return;
    while (j > w->content_at && b->ptr[j - 1] == '#')
        j--;
    if (j == end || (j > w->content_at && b->ptr[j - 1] != ' '))
        return;
    if (buf_reserve(b, 1) < 0)
        return;
    memmove(b->ptr + j + 1, b->ptr + j, end - j);
    b->ptr[j] = '\\';
    b->len++;
    b->ptr[b->len] = '\0';
}

/* ---- Emphasis flanking (CommonMark 0.30, section 6.2) ---- */

enum { CH_SPACE, CH_PUNCT, CH_OTHER };

/* Unicode whitespace: Zs, tab, LF, FF, CR. */
static int is_uspace(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\f' || cp == '\r' || cp == 0xA0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

/* ASCII punctuation or a Unicode P* category. */
static int is_upunct(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) ||
               (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        return 1;
    default:
        return 0;
    }
}

static int classify(uint32_t cp)
{
    return cp == UTF8_BAD ? CH_OTHER : is_uspace(cp) ? CH_SPACE : is_upunct(cp) ? CH_PUNCT : CH_OTHER;
}

/* The code point ending at i (not before lo); sets *len to its length. */
static uint32_t cp_before(const buf *b, size_t lo, size_t i, size_t *len)
{
    size_t j = i;
    while (j > lo && i - j < 4 && ((unsigned char)b->ptr[j - 1] & 0xC0) == 0x80)
        j--;
    if (j > lo)
        j--;
    uint32_t cp;
    size_t n = utf8_decode((const unsigned char *)b->ptr + j, i - j, &cp);
    if (n != i - j)
        cp = UTF8_BAD;
    *len = i - j;
    return cp;
}

/* What precedes offset i of the block's content [lo, hi): line starts and
 * line breaks count as whitespace. */
static int class_before(const buf *b, size_t lo, size_t i)
{
    size_t len;
    return i <= lo ? CH_SPACE : classify(cp_before(b, lo, i, &len));
}

static int class_after(const buf *b, size_t i, size_t hi)
{
    uint32_t cp;
    if (i >= hi)
        return CH_SPACE;
    utf8_decode((const unsigned char *)b->ptr + i, hi - i, &cp);
    return classify(cp);
}

/* Length of the non-ASCII Unicode space (U+00A0, ...) at i, or 0.  ASCII
 * whitespace next to a delimiter can only be a line break, which a
 * delimiter must not cross. */
static size_t space_at(const buf *b, size_t i, size_t hi)
{
    uint32_t cp;
    size_t n = i < hi ? utf8_decode((const unsigned char *)b->ptr + i, hi - i, &cp) : 0;
    return n && cp >= 0x80 && is_uspace(cp) ? n : 0;
}

static size_t space_before(const buf *b, size_t lo, size_t i)
{
    size_t len;
    uint32_t cp = i > lo ? cp_before(b, lo, i, &len) : UTF8_BAD;
    return cp != UTF8_BAD && cp >= 0x80 && is_uspace(cp) ? len : 0;
}

/* Swaps the adjacent ranges [a, a+n) and [a+n, a+n+m). */
static void swap_ranges(char *p, size_t a, size_t n, size_t m)
{
    char tmp[8]; /* n <= 3: a delimiter */
    memcpy(tmp, p + a, n);
    memmove(p + a, p + a + n, m);
    memcpy(p + a + m, tmp, n);
}

enum { FLANK_LEFT = 1, FLANK_RIGHT = 2, FLANK_PUNCT = 4 };

/* How the delimiter run around [at, at+len) flanks: FLANK_LEFT (it can
 * open), FLANK_RIGHT (it can close), both or neither; FLANK_PUNCT if it
 * stands between two punctuation characters.  The run extends over
 * neighbouring unescaped '*'. */
static int flanking(const buf *b, size_t lo, size_t hi, size_t at, size_t len)
{
    size_t l = at, r = at + len;
    while (l > lo && b->ptr[l - 1] == '*' && !(l - 1 > lo && b->ptr[l - 2] == '\\'))
        l--;
    while (r < hi && b->ptr[r] == '*')
        r++;
    int before = class_before(b, lo, l), after = class_after(b, r, hi);
    int f = 0;
    if (after != CH_SPACE && (after != CH_PUNCT || before != CH_OTHER))
        f |= FLANK_LEFT;
    if (before != CH_SPACE && (before != CH_PUNCT || after != CH_OTHER))
        f |= FLANK_RIGHT;
    if (before == CH_PUNCT && after == CH_PUNCT)
        f |= FLANK_PUNCT;
    return f;
}

/* Is pair k nested in another pair of the block, or another in it?  Past
 * 64 pairs the answer is a conservative yes (this is quadratic). */
static int nested(const textwalk_pair *pr, size_t npairs, size_t k)
{
    if (npairs > 64)
        return 1;
    for (size_t i = 0; i < npairs; i++) {
        if (i == k)
            continue;
        if ((pr[i].open_at < pr[k].open_at && pr[i].close_at > pr[k].close_at) ||
            (pr[k].open_at < pr[i].open_at && pr[k].close_at > pr[i].close_at))
            return 1;
    }
    return 0;
}

static int by_offset_desc(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0;
}

/* Checks the block's emphasis pairs now that both sides of each delimiter
 * are written.  Delimiters are first moved past Unicode whitespace inside
 * the emphasis (ASCII whitespace was already moved out by the pending
 * space).  A pair is then removed (its text stays) if its opener cannot
 * open or its closer cannot close -- or if one of them stands between two
 * punctuation characters (so it could do both) and the pair is nested with
 * another: CommonMark would then match delimiters across the pairs
 * ("*a \\<**`c`**\\>*").  Between letters ("**a*b*c**") the "rule of 3"
 * keeps nested pairs apart, so those stay. */
static void fix_emphasis(textwalk *w)
{
    buf *b = w->out;
    size_t lo = w->content_at, hi = b->len;
    size_t npairs = w->pairs.len / sizeof(textwalk_pair);
    if (!buf_ok(b) || !buf_ok(&w->pairs))
        return;
    textwalk_pair *pr = (textwalk_pair *)(void *)w->pairs.ptr;
    buf cuts; /* (offset, length) of the delimiters to remove */
    buf_init(&cuts, &w->e->mem);
    for (size_t k = 0; k < npairs; k++) {
        textwalk_pair *p = &pr[k];
        size_t m;
        while ((m = space_at(b, p->open_at + p->open_len, hi)) &&
               p->open_at + p->open_len + m < p->close_at) {
            swap_ranges(b->ptr, p->open_at, p->open_len, m);
            p->open_at += m;
        }
        while ((m = space_before(b, p->open_at + p->open_len, p->close_at))) {
            swap_ranges(b->ptr, p->close_at - m, m, p->close_len);
            p->close_at -= m;
        }
    }
    for (size_t k = 0; k < npairs; k++) {
        textwalk_pair *p = &pr[k];
        int fo = flanking(b, lo, hi, p->open_at, p->open_len);
        int fc = flanking(b, lo, hi, p->close_at, p->close_len);
        int amb = FLANK_LEFT | FLANK_RIGHT | FLANK_PUNCT;
        if (!(fo & FLANK_LEFT) || !(fc & FLANK_RIGHT) ||
            ((fo == amb || fc == amb) && nested(pr, npairs, k))) {
            size_t c[4] = {p->close_at, p->close_len, p->open_at, p->open_len};
            buf_put(&cuts, c, sizeof c);
        }
    }
    size_t ncuts = cuts.len / (2 * sizeof(size_t));
    if (ncuts && buf_ok(&cuts)) {
        size_t *c = (size_t *)(void *)cuts.ptr;
        qsort(c, ncuts, 2 * sizeof(size_t), by_offset_desc);
        for (size_t k = 0; k < ncuts; k++) {
            size_t at = c[2 * k], len = c[2 * k + 1];
            memmove(b->ptr + at, b->ptr + at + len, b->len - at - len);
            b->len -= len;
        }
        b->ptr[b->len] = '\0';
    }
    if (!buf_ok(&cuts))
        textwalk_fail(w, LODE_ENOMEM, "out of memory");
    buf_free(&cuts);
    w->pairs.len = 0;
}

/* Ends a block; trailing spaces and <br> are dropped with the pending state,
 * and a block that never started leaves no trace. */
static void block_end(textwalk *w)
{
    if (w->started && w->pairs.len)
        fix_emphasis(w);
    if (w->started && w->atx)
        heading_tail(w);
    block_begin(w, NULL, 0);
}

void textwalk_markup(textwalk *w, const char *s, size_t n)
{
    flush(w);
    textwalk_put(w, s, n);
    w->line_start = 0;
    w->esc = 0;
}

void textwalk_text(textwalk *w, const char *s, size_t n)
{
    if (w->status != LODE_OK)
        return;
    if (w->ent_depth && !budget(w, n))
        return;
    size_t i = 0;
    while (i < n) {
        if (is_ws((unsigned char)s[i])) {
            w->space = 1;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !is_ws((unsigned char)s[j]))
            j++;
        flush(w);
        w->style->text(w, s + i, j - i, j < n ? ' ' : 0);
        w->line_start = 0;
        i = j;
    }
}

void textwalk_space(textwalk *w)
{
    w->space = 1;
}

/* <br>: a hard break where lines exist, a word boundary elsewhere. */
static void hard_break(textwalk *w)
{
    if (w->no_breaks || w->flat) {
        w->space = 1;
        return;
    }
    w->breaks++;
    w->space = 0;
}

int textwalk_open(textwalk *w, const char *markup, int emphasis)
{
    if (w->nspans >= TEXTWALK_MAX_SPANS)
        return -1;
    textwalk_span *sp = &w->spans[w->nspans];
    sp->markup = markup;
    sp->at = 0;
    sp->written = 0;
    sp->emphasis = emphasis;
    w->waiting++;
    return (int)w->nspans++;
}

int textwalk_in_span(const textwalk *w, const char *markup)
{
    for (unsigned i = 0; i < w->nspans; i++)
        if (strcmp(w->spans[i].markup, markup) == 0)
            return 1;
    return 0;
}

int textwalk_close(textwalk *w, int span, const char *closer)
{
    if (span < 0 || (unsigned)span >= w->nspans)
        return 0;
    textwalk_span *sp = &w->spans[span];
    w->nspans = (unsigned)span;
    if (!sp->written) {
        w->waiting--;
        return 0;
    }
    if (closer) {
        textwalk_pair pr = {sp->at, strlen(sp->markup), w->out->len, strlen(closer)};
        buf_put(w->out, closer, pr.close_len);
        if (sp->emphasis) {
            buf_put(&w->pairs, &pr, sizeof pr);
            w->close_markup = closer;
            w->close_end = w->out->len;
            w->close_open_at = sp->at;
        }
    }
    w->line_start = 0;
    w->esc = 0;
    return 1;
}

void textwalk_block_lines(textwalk *w, const char *s, size_t n)
{
    if (!n || !textwalk_ok(w))
        return;
    block_begin(w, NULL, 0);
    flush(w);
    size_t i = 0;
    for (;;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t j = nl ? (size_t)(nl - s) : n;
        textwalk_put(w, s + i, j - i);
        if (!nl)
            break;
        i = j + 1;
        buf_putc(w->out, '\n');
        if (i < n && s[i] != '\n')
            buf_put(w->out, w->prefix.ptr, w->prefix.len);
        else
            put_trimmed_prefix(w, w->prefix.len);
    }
    block_end(w);
}

/* ------------------------------------------------------------------------ */
/* Text content: entities, collecting, attributes                            */
/* ------------------------------------------------------------------------ */

/* An entity reference node.  Internal entities are expanded from the
 * parsed replacement (ent->children, so markup inside renders like markup
 * elsewhere) or, failing that, the replacement text; everything they produce
 * counts against the budget.  Anything else (undeclared, external) is kept
 * as the reference itself.  With dst, text goes to dst (collecting);
 * without, into the inline flow. */
static void entity(textwalk *w, const xmlNode *ref, buf *dst)
{
    xmlEntity *ent = ref->name ? xmlGetDocEntity(w->doc, ref->name) : NULL;
    if (!ent || (ent->etype != XML_INTERNAL_GENERAL_ENTITY &&
                 ent->etype != XML_INTERNAL_PREDEFINED_ENTITY)) {
        const char *name = ref->name ? (const char *)ref->name : "";
        if (dst) {
            buf_putc(dst, '&');
            buf_puts(dst, name);
            buf_putc(dst, ';');
            return;
        }
        buf lit;
        buf_init(&lit, &w->e->mem);
        buf_putc(&lit, '&');
        buf_puts(&lit, name);
        buf_putc(&lit, ';');
        if (check_buf(w, &lit))
            textwalk_text(w, lit.ptr, lit.len);
        buf_free(&lit);
        return;
    }
    if (w->ent_depth >= MAX_ENTITY_NESTING) {
        textwalk_fail(w, LODE_ELIMIT, "entity references nested deeper than %u levels",
                      MAX_ENTITY_NESTING);
        return;
    }
    if (!enter(w))
        return;
    w->ent_depth++;
    if (ent->children) {
        for (xmlNode *c = ent->children; c && textwalk_ok(w); c = c->next) {
            if (dst)
                collect_node(w, c, dst);
            else
                inline_node(w, c);
        }
    } else if (ent->content) {
        size_t n = strlen((const char *)ent->content);
        if (!dst)
            textwalk_text(w, (const char *)ent->content, n);
        else if (budget(w, n))
            buf_put(dst, ent->content, n);
    }
    w->ent_depth--;
    leave(w);
}

/* Collected text ends a line here (a block boundary inside code or a
 * title), unless it is empty or already at a line end. */
static void line_end(buf *dst)
{
    if (dst->len && dst->ptr[dst->len - 1] != '\n')
        buf_putc(dst, '\n');
}

static void collect_node(textwalk *w, const xmlNode *n, buf *dst)
{
    switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (n->content) {
            size_t len = strlen((const char *)n->content);
            if (!w->ent_depth || budget(w, len))
                buf_put(dst, n->content, len);
        }
        return;
    case XML_ENTITY_REF_NODE:
        entity(w, n, dst);
        return;
    case XML_ELEMENT_NODE:
        break;
    default:
        return;
    }
    if (is_svg(n))
        return;
    int blk = 0;
    if (textwalk_is_html(w, n)) {
        html_vocab_tag tag = html_vocab_find((const char *)n->name);
        unsigned flags = html_vocab_flags(tag);
        if (skipped(flags))
            return;
        if (tag == HTML_TAG_BR) {
            buf_putc(dst, '\n');
            return;
        }
        blk = (flags & HTML_VOCAB_BLOCK) != 0;
    }
    if (!enter(w))
        return;
    if (blk)
        line_end(dst);
    for (const xmlNode *c = n->children; c && textwalk_ok(w); c = c->next)
        collect_node(w, c, dst);
    if (blk)
        line_end(dst);
    leave(w);
}

void textwalk_collect(textwalk *w, xmlNode *el, buf *dst)
{
    for (const xmlNode *c = el->children; c && textwalk_ok(w); c = c->next)
        collect_node(w, c, dst);
    check_buf(w, dst);
}

void textwalk_collect_pre(textwalk *w, xmlNode *pre, buf *dst)
{
    buf_reset(dst);
    textwalk_collect(w, pre, dst);
    if (!buf_ok(dst) || !dst->len)
        return;
    size_t o = 0;
    for (size_t i = 0; i < dst->len; i++) {
        char c = dst->ptr[i];
        if (c == '\r') {
            if (i + 1 < dst->len && dst->ptr[i + 1] == '\n')
                continue;
            c = '\n';
        }
        dst->ptr[o++] = c;
    }
    size_t skip = o && dst->ptr[0] == '\n';
    memmove(dst->ptr, dst->ptr + skip, o - skip);
    dst->len = o - skip;
    dst->ptr[dst->len] = '\0';
}

int textwalk_attr(textwalk *w, const xmlNode *el, const char *name, buf *dst)
{
    buf_reset(dst);
    if (el->type != XML_ELEMENT_NODE)
        return 0;
    for (const xmlAttr *a = el->properties; a; a = a->next) {
        if (a->ns || !a->name || !name_eq(a->name, name))
            continue;
        for (const xmlNode *c = a->children; c && textwalk_ok(w); c = c->next) {
            if (c->type == XML_TEXT_NODE && c->content)
                buf_puts(dst, (const char *)c->content);
            else if (c->type == XML_ENTITY_REF_NODE)
                entity(w, c, dst);
        }
        check_buf(w, dst);
        return 1;
    }
    return 0;
}

int textwalk_collapse(buf *b)
{
    int cut = 0, sp = 0;
    size_t o = 0;
    for (size_t i = 0; i < b->len; i++) {
        char c = b->ptr[i];
        if (is_ws((unsigned char)c)) {
            if (o == 0)
                cut |= TEXTWALK_LEADING_SPACE;
            sp = 1;
            continue;
        }
        if (sp && o)
            b->ptr[o++] = ' ';
        sp = 0;
        b->ptr[o++] = c;
    }
    if (sp)
        cut |= TEXTWALK_TRAILING_SPACE;
    b->len = o;
    if (b->ptr)
        b->ptr[o] = '\0';
    return cut;
}

/* ------------------------------------------------------------------------ */
/* Inline walk                                                               */
/* ------------------------------------------------------------------------ */

/* Inline content.  Elements of unknown vocabularies are transparent (their
 * text simply flows); HTML blocks met here (a <div> inside <a>, a table in
 * a cell) are flattened with a word boundary on each side. */
static void inline_node(textwalk *w, xmlNode *n)
{
    switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (n->content)
            textwalk_text(w, (const char *)n->content, strlen((const char *)n->content));
        return;
    case XML_ENTITY_REF_NODE:
        entity(w, n, NULL);
        return;
    case XML_ELEMENT_NODE:
        break;
    default:
        return;
    }
    if (!enter(w))
        return;
    if (!textwalk_is_html(w, n)) {
        if (!is_svg(n))
            textwalk_inlines(w, n);
    } else {
        html_vocab_tag tag = html_vocab_find((const char *)n->name);
        unsigned flags = html_vocab_flags(tag);
        if (skipped(flags)) {
            /* nothing */
        } else if (tag == HTML_TAG_BR) {
            hard_break(w);
        } else if (w->style->inline_element && w->style->inline_element(w, n, tag)) {
            /* rendered by the style */
        } else if (flags & HTML_VOCAB_BLOCK) {
            w->space = 1;
            textwalk_inlines(w, n);
            w->space = 1;
        } else {
            textwalk_inlines(w, n);
        }
    }
    leave(w);
}

void textwalk_inlines(textwalk *w, xmlNode *el)
{
    for (xmlNode *c = el->children; c && textwalk_ok(w); c = c->next)
        inline_node(w, c);
}

/* ------------------------------------------------------------------------ */
/* Block walk                                                                */
/* ------------------------------------------------------------------------ */

/* A block whose content is one paragraph: p, headings, dt, captions, and
 * every element with text in unknown vocabularies. */
static void leaf(textwalk *w, xmlNode *n, html_vocab_tag tag)
{
    char marker[8];
    int level = html_vocab_heading_level(tag);
    int atx = level && w->style->atx_headings;
    if (atx) {
        memset(marker, '#', (size_t)level);
        marker[level] = ' ';
        marker[level + 1] = '\0';
    }
    block_begin(w, atx ? marker : NULL, atx);
    int nb = w->no_breaks;
    if (level)
        w->no_breaks = 1;
    const char *wrap = tag == HTML_TAG_FIGCAPTION ? w->style->figcaption
                       : tag == HTML_TAG_DT       ? w->style->term
                                                  : NULL;
    int span = wrap ? textwalk_open(w, wrap, 1) : -1;
    textwalk_inlines(w, n);
    textwalk_close(w, span, wrap);
    w->no_breaks = nb;
    block_end(w);
}

void textwalk_heading(textwalk *w, int level, const char *s, size_t n)
{
    char marker[8];
    if (level < 1)
        level = 1;
    if (level > 6)
        level = 6;
    int atx = w->style->atx_headings;
    if (atx) {
        memset(marker, '#', (size_t)level);
        marker[level] = ' ';
        marker[level + 1] = '\0';
    }
    block_begin(w, atx ? marker : NULL, atx);
    textwalk_text(w, s, n);
    block_end(w);
}

/* Markers of list items and quotes.  push_marker queues m for the first line
 * of the next block and indents continuation lines by as much (or by m
 * itself when indent is 0: "> "); pop_marker undoes both and says whether
 * anything was written in between (the marker was consumed). */
typedef struct marker_mark {
    size_t lead, prefix;
} marker_mark;

static marker_mark push_marker(textwalk *w, const char *m, int indent)
{
    marker_mark k = {w->lead.len, w->prefix.len};
    size_t n = strlen(m);
    if (!w->lead.len)
        w->lead_at = w->prefix.len;
    buf_put(&w->lead, m, n);
    if (indent) {
        for (size_t i = 0; i < n; i++)
            buf_putc(&w->prefix, ' ');
    } else {
        buf_put(&w->prefix, m, n);
    }
    return k;
}

static int pop_marker(textwalk *w, marker_mark k)
{
    int produced = w->lead.len <= k.lead;
    if (!produced)
        w->lead.len = k.lead;
    w->prefix.len = k.prefix;
    return produced;
}

static void quote(textwalk *w, xmlNode *n)
{
    const char *q = w->style->quote;
    if (!q || !*q) {
        blocks(w, n);
        return;
    }
    int tight = w->tight, sep = w->sep_once;
    w->sep_once = sep >= 0 ? sep : tight;
    w->tight = 0;
    marker_mark k = push_marker(w, q, 0);
    blocks(w, n);
    if (!pop_marker(w, k))
        w->sep_once = sep;
    w->tight = tight;
}

static long list_start(textwalk *w, const xmlNode *list)
{
    long start = 1;
    if (textwalk_tag(w, list) != HTML_TAG_OL)
        return 1;
    buf v;
    buf_init(&v, &w->e->mem);
    if (textwalk_attr(w, list, "start", &v) && v.len && buf_ok(&v)) {
        char *end;
        long n = strtol(v.ptr, &end, 10);
        while (*end && is_ws((unsigned char)*end))
            end++;
        if (end != v.ptr && !*end)
            start = n < 0 ? 0 : n > MAX_LIST_NUMBER ? MAX_LIST_NUMBER : n;
    }
    buf_free(&v);
    return start;
}

/* An item fits a tight list if it holds at most one paragraph (an inline
 * run or one <p>), first, followed only by lists -- and no ordered list
 * starting at another number than 1 after the paragraph (such a list
 * cannot interrupt a paragraph in CommonMark and would be swallowed). */
static int item_tight(textwalk *w, const xmlNode *li)
{
    int para = 0, run = 0, lists = 0;
    for (const xmlNode *c = li->children; c; c = c->next) {
        html_vocab_tag t;
        int r = role(w, c, &t);
        if (r == ROLE_SKIP)
            continue;
        if (r == ROLE_INLINE) {
            if (is_blank_text(c))
                continue;
            if (lists)
                return 0;
            if (!run) {
                if (para)
                    return 0;
                para = run = 1;
            }
            continue;
        }
        run = 0;
        if (r == ROLE_LEAF && t == HTML_TAG_P) {
            if (para || lists)
                return 0;
            para = 1;
        } else if (r == ROLE_LIST) {
            if (para && t == HTML_TAG_OL && list_start(w, c) != 1)
                return 0;
            lists = 1;
        } else {
            return 0;
        }
    }
    return 1;
}

/* Tight lists put items on consecutive lines; a list is loose (blank lines
 * between items and between the blocks inside them) as soon as one item
 * needs more than a paragraph plus sublists. */
static int list_tight(textwalk *w, const xmlNode *list)
{
    for (const xmlNode *c = list->children; c; c = c->next) {
        html_vocab_tag t;
        int r = role(w, c, &t);
        if (r == ROLE_SKIP || r == ROLE_INLINE)
            continue;
        if (t == HTML_TAG_LI) {
            if (!item_tight(w, c))
                return 0;
        } else if (!(r == ROLE_LEAF && t == HTML_TAG_P) && r != ROLE_LIST) {
            return 0;
        }
    }
    return 1;
}

/* A list: each li (or stray content directly in the list) becomes an item
 * behind "- " or "N. ".  Items that write nothing are dropped and do not
 * use up a number.  The first item is separated from what precedes the list
 * as the enclosing context wants, later ones as the list's own tightness. */
static void list(textwalk *w, xmlNode *n, html_vocab_tag tag)
{
    int ordered = tag == HTML_TAG_OL;
    long num = ordered ? list_start(w, n) : 0;
    int ch;
    if (ordered)
        ch = w->style->alt_markers && w->last_list == '.' ? ')' : '.';
    else
        ch = w->style->alt_markers && w->last_list == '-' ? '*' : '-';
    int tight = w->tight, sep = w->sep_once, any = 0;
    w->sep_once = sep >= 0 ? sep : tight;
    w->tight = list_tight(w, n);
    xmlNode *c = n->children;
    while (c && textwalk_ok(w)) {
        html_vocab_tag t;
        int r = role(w, c, &t);
        if (r == ROLE_SKIP || is_blank_text(c)) {
            c = c->next;
            continue;
        }
        char m[32];
        if (ordered)
            snprintf(m, sizeof m, "%ld%c ", num, ch);
        else
            snprintf(m, sizeof m, "%c ", ch);
        marker_mark k = push_marker(w, m, 1);
        if (r == ROLE_INLINE) {
            /* Loose inline content in the list: one item per run. */
            block_begin(w, NULL, 0);
            for (; c; c = c->next) {
                r = role(w, c, &t);
                if (r == ROLE_SKIP)
                    continue;
                if (r != ROLE_INLINE)
                    break;
                inline_node(w, c);
            }
            block_end(w);
        } else {
            block(w, c, r, t);
            c = c->next;
        }
        if (pop_marker(w, k)) {
            any = 1;
            if (num < MAX_LIST_NUMBER)
                num++;
        }
    }
    w->tight = tight;
    if (any)
        w->last_list = ch;
    else
        w->sep_once = sep;
}

static void hr(textwalk *w)
{
    const char *s = w->lead.len && w->style->hr_in_lead ? w->style->hr_in_lead : w->style->hr;
    if (s)
        textwalk_block_lines(w, s, strlen(s));
}

static int contains_table(const textwalk *w, const xmlNode *n, unsigned depth)
{
    if (depth >= TEXTWALK_MAX_NESTING)
        return 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (textwalk_tag(w, c) == HTML_TAG_TABLE || contains_table(w, c, depth + 1))
            return 1;
    }
    return 0;
}

/* Tables used for page layout (a table inside, or cells holding several
 * blocks) cannot be a grid of one-line cells; they are walked as plain
 * containers instead, so their paragraphs stay paragraphs. */
static int layout_table(textwalk *w, const xmlNode *table)
{
    if (contains_table(w, table, 0))
        return 1;
    for (const xmlNode *row = textwalk_next_row(w, table, NULL); row;
         row = textwalk_next_row(w, table, row)) {
        for (const xmlNode *cell = textwalk_next_cell(w, row, NULL); cell;
             cell = textwalk_next_cell(w, row, cell)) {
            int count = 0;
            for (const xmlNode *c = cell->children; c; c = c->next) {
                html_vocab_tag t;
                int r = role(w, c, &t);
                if (r != ROLE_SKIP && r != ROLE_INLINE && ++count > 1)
                    return 1;
            }
        }
    }
    return 0;
}

static void table(textwalk *w, xmlNode *t)
{
    if (layout_table(w, t)) {
        blocks(w, t);
        return;
    }
    for (xmlNode *c = t->children; c; c = c->next)
        if (textwalk_tag(w, c) == HTML_TAG_CAPTION)
            leaf(w, c, HTML_TAG_CAPTION);
    w->style->table(w, t);
}

static void block(textwalk *w, xmlNode *n, int r, html_vocab_tag tag)
{
    if (!enter(w))
        return;
    switch (r) {
    case ROLE_LEAF:
        leaf(w, n, tag);
        break;
    case ROLE_CONTAINER:
        blocks(w, n);
        break;
    case ROLE_LIST:
        list(w, n, tag);
        break;
    case ROLE_QUOTE:
        quote(w, n);
        break;
    case ROLE_PRE:
        w->style->pre(w, n);
        break;
    case ROLE_TABLE:
        table(w, n);
        break;
    case ROLE_HR:
        hr(w);
        break;
    default:
        break;
    }
    leave(w);
}

/* The children of a container: blocks in turn, consecutive inline nodes
 * gathered into one anonymous paragraph (comments and skipped elements do
 * not interrupt it). */
static void blocks(textwalk *w, xmlNode *parent)
{
    int para = 0;
    for (xmlNode *c = parent->children; c && textwalk_ok(w); c = c->next) {
        html_vocab_tag tag;
        int r = role(w, c, &tag);
        if (r == ROLE_SKIP)
            continue;
        if (r == ROLE_INLINE) {
            if (!para) {
                block_begin(w, NULL, 0);
                para = 1;
            }
            inline_node(w, c);
            continue;
        }
        if (para) {
            block_end(w);
            para = 0;
        }
        block(w, c, r, tag);
    }
    if (para)
        block_end(w);
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                    */
/* ------------------------------------------------------------------------ */

xmlNode *textwalk_next_row(const textwalk *w, const xmlNode *table, const xmlNode *row)
{
    const xmlNode *parent = row ? row->parent : table;
    xmlNode *c = row ? row->next : table->children;
    for (;;) {
        for (; c; c = c->next) {
            html_vocab_tag tag = textwalk_tag(w, c);
            if (tag == HTML_TAG_TR)
                return c;
            if (parent == table && c->children &&
                (tag == HTML_TAG_THEAD || tag == HTML_TAG_TBODY || tag == HTML_TAG_TFOOT))
                break;
        }
        if (c) { /* descend into a row group */
            parent = c;
            c = c->children;
            continue;
        }
        if (parent == table)
            return NULL;
        c = parent->next; /* leave the row group */
        parent = table;
    }
}

xmlNode *textwalk_next_cell(const textwalk *w, const xmlNode *row, const xmlNode *cell)
{
    for (xmlNode *c = cell ? cell->next : row->children; c; c = c->next) {
        html_vocab_tag tag = textwalk_tag(w, c);
        if (tag == HTML_TAG_TD || tag == HTML_TAG_TH)
            return c;
    }
    return NULL;
}

/* A cell is rendered as a flat block of its own into dst: inline content
 * only, <br> and nested blocks as spaces, '|' escaped if the style says so.
 * The walker's state is saved around it (tables are blocks, so the inline
 * state is idle; the output target and flags are what changes). */
void textwalk_cell(textwalk *w, xmlNode *cell, buf *dst)
{
    buf *out = w->out;
    int flat = w->flat, nb = w->no_breaks, pipes = w->pipes, ls = w->line_start, esc = w->esc;
    size_t ca = w->content_at;
    buf_reset(dst);
    w->out = dst;
    w->flat = 1;
    w->no_breaks = 1;
    w->pipes = w->style->cell_pipes;
    block_begin(w, NULL, 0);
    textwalk_inlines(w, cell);
    block_end(w);
    check_buf(w, dst);
    w->out = out;
    w->flat = flat;
    w->no_breaks = nb;
    w->pipes = pipes;
    w->line_start = ls;
    w->esc = esc;
    w->content_at = ca;
}

/* ------------------------------------------------------------------------ */
/* Document                                                                  */
/* ------------------------------------------------------------------------ */

static int detect_html(const xmlDoc *doc)
{
    if (doc->type == XML_HTML_DOCUMENT_NODE)
        return 1;
    const xmlNode *root = xmlDocGetRootElement(doc);
    return root && root->name && name_eq(root->name, "html") &&
           (!root->ns || (root->ns->href && xmlStrEqual(root->ns->href, BAD_CAST XHTML_NS)));
}

void textwalk_init(textwalk *w, lode_engine *e, xmlDoc *doc, buf *out, const textwalk_style *style)
{
    memset(w, 0, sizeof *w);
    w->e = e;
    w->doc = doc;
    w->style = style;
    w->out = out;
    w->base = out->len;
    w->status = LODE_OK;
    w->html_doc = doc ? detect_html(doc) : 0;
    w->ent_max = e->limits.max_entity_expansion ? e->limits.max_entity_expansion
                                                : DEFAULT_ENTITY_BUDGET;
    w->pad_left = TEXTWALK_MAX_PADDING;
    w->sep_once = -1;
    buf_init(&w->prefix, &e->mem);
    buf_init(&w->lead, &e->mem);
    buf_init(&w->pairs, &e->mem);
}

int textwalk_finish(textwalk *w)
{
    if (textwalk_ok(w) && w->out->len > w->base) {
        buf_putc(w->out, '\n');
        textwalk_ok(w);
    }
    buf_free(&w->prefix);
    buf_free(&w->lead);
    buf_free(&w->pairs);
    if (w->status != LODE_OK && buf_ok(w->out) && w->out->ptr) {
        w->out->len = w->base;
        w->out->ptr[w->base] = '\0';
    }
    return w->status;
}

void textwalk_document(textwalk *w)
{
    if (w->doc)
        blocks(w, (xmlNode *)w->doc);
}

static xmlNode *child_tag(const textwalk *w, const xmlNode *parent, html_vocab_tag tag)
{
    for (xmlNode *c = parent->children; c; c = c->next)
        if (textwalk_tag(w, c) == tag)
            return c;
    return NULL;
}

int textwalk_title(textwalk *w, buf *dst)
{
    buf_reset(dst);
    xmlNode *root = w->doc ? xmlDocGetRootElement(w->doc) : NULL;
    if (!root || textwalk_tag(w, root) != HTML_TAG_HTML)
        return 0;
    xmlNode *head = child_tag(w, root, HTML_TAG_HEAD);
    xmlNode *title = head ? child_tag(w, head, HTML_TAG_TITLE) : NULL;
    if (!title)
        return 0;
    textwalk_collect(w, title, dst);
    textwalk_collapse(dst);
    return textwalk_ok(w) && dst->len > 0;
}

/* An iterative pre-order walk of the body (or the root element when there
 * is no body), not entering skipped elements or entity references. */
int textwalk_first_heading(textwalk *w, int h1_only, buf *dst)
{
    xmlNode *top = w->doc ? xmlDocGetRootElement(w->doc) : NULL;
    if (!top)
        return 0;
    if (textwalk_tag(w, top) == HTML_TAG_HTML) {
        xmlNode *body = child_tag(w, top, HTML_TAG_BODY);
        if (body)
            top = body;
    }
    xmlNode *n = top->children;
    while (n) {
        if (n->type == XML_ELEMENT_NODE) {
            html_vocab_tag tag = textwalk_tag(w, n);
            int level = html_vocab_heading_level(tag);
            if (level && (!h1_only || level == 1)) {
                if (dst) {
                    buf_reset(dst);
                    textwalk_collect(w, n, dst);
                    textwalk_collapse(dst);
                }
                return 1;
            }
            if (n->children && !is_svg(n) && !skipped(html_vocab_flags(tag))) {
                n = n->children;
                continue;
            }
        }
        while (n != top && !n->next)
            n = n->parent;
        if (n == top)
            break;
        n = n->next;
    }
    return 0;
}
