/* md_read.c -- the "markdown" reader: CommonMark + GFM (tables,
 * strikethrough, autolinks, task lists) parsed by cmark-gfm, its AST walked
 * straight into a libxml2 tree in lode's HTML vocabulary (no HTML is
 * rendered and parsed again).
 *
 *   document        html/head(meta charset, title from the first h1)/body
 *   paragraph       p (none inside the items of a tight list, as in HTML)
 *   heading         h1..h6
 *   block quote     blockquote
 *   list            ul, or ol with start="N" when N != 1
 *   item            li; a task item starts with
 *                   <input type="checkbox" disabled="disabled"
 *                   [checked="checked"]/> and a space, like GitHub's
 *   code block      pre/code, class="language-X" from the info string's
 *                   first word
 *   HTML block      pre class="raw-html" holding the markup as text
 *   thematic break  hr
 *   table           table/thead/tr/th + tbody/tr/td, align="left|center|right"
 *   emph, strong    em, strong;  strikethrough: del
 *   link, image     a(href, title), img(src, alt, title); alt is the image
 *                   description's plain text
 *   code span       code;  hard break: br;  soft break: "\n" in the text
 *   inline HTML     text (the markup as it was written)
 *
 * Raw HTML never becomes elements: lode never runs anything, but a tree
 * handed on (to the HTML writer, to a browser) must not turn a <script> in
 * a Markdown file into a live element, and any selection of "safe" tags
 * would be a sanitiser to maintain.  So the markup stays visible text.
 *
 * Every element records its source line (cmark's start line; inline nodes
 * without one take their block's).  Input: UTF-8; a UTF-8 BOM is skipped;
 * invalid UTF-8, NUL and C0 controls other than TAB, LF, CR and FF are an
 * error naming the byte offset and line (as the text reader does), or with
 * LODE_PARSE_REPAIR each becomes U+FFFD.  Characters that cmark produces
 * from entity references but XML cannot hold (&#1;, &#xFFFE;, &#xFFFF;)
 * become U+FFFD, FF a space.  Elements nested deeper than max_depth (html and body
 * count) are refused with the line of the first one too deep. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>

#include "md.h"

static pthread_mutex_t parser_lock = PTHREAD_MUTEX_INITIALIZER;

#define HIGH_BITS 0x8080808080808080ull
#define BYTES_20 0x2020202020202020ull

typedef struct rd {
    lode_engine *e;
    const char *name;
    xmlDoc *doc;
    xmlNode *head, *body, *h1;
    unsigned max_depth;
    int err;
    char *tmp; /* scratch for sanitised strings */
    size_t tmp_cap;
    char *pend; /* text not yet in the tree, for pend_parent */
    size_t pend_len, pend_cap;
    xmlNode *pend_parent;
    const unsigned char *src; /* the input cmark parsed */
    size_t srclen;
    size_t cur_line, cur_off; /* a forward cursor: line cur_line starts at cur_off */
} rd;

/* ---- input validation --------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at p (n > 0 bytes left), or 0 if
 * it is ill-formed, with the length of its maximal subpart in *sub. */
static size_t utf8_seq(const unsigned char *p, size_t n, size_t *sub)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        *sub = 1;
        return 0;
    }
    size_t i = 1;
    for (; i <= need && i < n; i++) {
        unsigned b = p[i];
        if (i == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80)
            break;
    }
    if (i == need + 1)
        return i;
    *sub = i;
    return 0;
}

static int bad_control(unsigned c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f';
}

/* Offset of the first byte that is not acceptable input (invalid UTF-8, NUL,
 * a C0 control other than TAB LF CR FF), or len.  Eight bytes at a time while
 * they are printable ASCII. */
static size_t first_bad(const unsigned char *p, size_t len, size_t *sub)
{
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            if (!((x | ((x - BYTES_20) & ~x)) & HIGH_BITS)) {
                i += 8;
                continue;
            }
        }
        unsigned c = p[i];
        if (c < 0x80) {
            if (bad_control(c)) {
                *sub = 1;
                return i;
            }
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, len - i, sub);
        if (!n)
            return i;
        i += n;
    }
    return len;
}

static size_t line_at(const unsigned char *p, size_t off)
{
    size_t line = 1;
    const unsigned char *q = p, *end = p + off;
    while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
        line++;
        q++;
    }
    return line;
}

static int bad_input(rd *r, const unsigned char *p, size_t off)
{
    unsigned c = p[off];
    size_t line = line_at(p, off);
    if (c == 0)
        return md_api->error(r->e, LODE_EENCODING, "%s: NUL byte at byte offset %zu (line %zu)", r->name, off,
                             line);
    if (c < 0x20)
        return md_api->error(r->e, LODE_EENCODING, "%s: control character 0x%02X at byte offset %zu (line %zu)",
                             r->name, c, off, line);
    return md_api->error(r->e, LODE_EENCODING, "%s: invalid UTF-8 at byte offset %zu (line %zu): byte 0x%02X",
                         r->name, off, line, c);
}

/* A copy of the input with every bad byte run (maximal subpart) replaced by
 * U+FFFD; *count gets the number of replacements.  NULL when out of memory. */
static unsigned char *repaired(const unsigned char *p, size_t len, size_t *outlen, size_t *count)
{
    unsigned char *q = malloc(len * 3 + 1), *o = q;
    if (!q)
        return NULL;
    size_t i = 0, sub = 1;
    *count = 0;
    while (i < len) {
        size_t k = first_bad(p + i, len - i, &sub);
        memcpy(o, p + i, k);
        o += k;
        i += k;
        if (i < len) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += sub;
            ++*count;
        }
    }
    *outlen = (size_t)(o - q);
    return q;
}

/* ---- tree building ----------------------------------------------------- */

static int oom(rd *r)
{
    if (r->err == LODE_OK)
        r->err = md_api->error(r->e, LODE_ENOMEM, "%s: out of memory", r->name);
    return r->err;
}

/* Does s hold something XML cannot: a C0 control other than TAB LF CR, or
 * U+FFFE/U+FFFF?  Only entity references make those (the input was
 * checked), and cmark-gfm 0.29 encodes &#xFFFE; and &#xFFFF; as the single
 * bytes 0xFE and 0xFF, which are not UTF-8 at all. */
static int needs_clean(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned c = s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= 0xFE ||
            (c == 0xEF && i + 2 < len && s[i + 1] == 0xBF && (s[i + 2] & 0xFE) == 0xBE))
            return 1;
    }
    return 0;
}

/* s made fit for XML (see needs_clean: FF becomes a space, the rest U+FFFD),
 * NUL-terminated in r->tmp; NULL when out of memory. */
static const char *clean(rd *r, const char *s, size_t len, size_t *outlen)
{
    if (len * 3 + 1 > r->tmp_cap) {
        size_t cap = len * 3 + 64;
        char *t = realloc(r->tmp, cap);
        if (!t)
            return NULL;
        r->tmp = t;
        r->tmp_cap = cap;
    }
    char *o = r->tmp;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        unsigned c = u[i];
        if (c == '\f') {
            *o++ = ' ';
        } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= 0xFE) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else if (c == 0xEF && i + 2 < len && u[i + 1] == 0xBF && (u[i + 2] & 0xFE) == 0xBE) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += 2;
        } else {
            *o++ = (char)c;
        }
    }
    *o = 0;
    *outlen = (size_t)(o - r->tmp);
    return r->tmp;
}

/* Text is gathered in r->pend until something else is added (cmark splits
 * text at every special character; one text node per run). */
static void flush_text(rd *r)
{
    if (!r->pend_len || r->err) {
        r->pend_len = 0;
        return;
    }
    xmlNode *t = xmlNewDocTextLen(r->doc, BAD_CAST r->pend, (int)r->pend_len);
    if (!t || !xmlAddChild(r->pend_parent, t)) {
        xmlFreeNode(t);
        oom(r);
    }
    r->pend_len = 0;
}

static void add_text(rd *r, xmlNode *parent, const char *s, size_t len)
{
    if (!len || r->err)
        return;
    if (needs_clean((const unsigned char *)s, len) && !(s = clean(r, s, len, &len))) {
        oom(r);
        return;
    }
    if (r->pend_parent != parent) {
        flush_text(r);
        r->pend_parent = parent;
    }
    if (r->pend_len + len + 1 > r->pend_cap) {
        size_t cap = r->pend_cap ? r->pend_cap : 256;
        while (cap < r->pend_len + len + 1)
            cap *= 2;
        char *p = realloc(r->pend, cap);
        if (!p) {
            oom(r);
            return;
        }
        r->pend = p;
        r->pend_cap = cap;
    }
    memcpy(r->pend + r->pend_len, s, len);
    r->pend_len += len;
}

static void set_attr(rd *r, xmlNode *el, const char *name, const char *value)
{
    if (r->err)
        return;
    size_t len = strlen(value);
    if (needs_clean((const unsigned char *)value, len) && !(value = clean(r, value, len, &len))) {
        oom(r);
        return;
    }
    if (!xmlNewProp(el, BAD_CAST name, BAD_CAST value))
        oom(r);
}

static unsigned short clamp_line(int line)
{
    return (unsigned short)(line < 0 ? 0 : line > 65535 ? 65535 : line);
}

/* A new element name under parent (at depth depth + 1), with the line of
 * node n (or the parent's).  NULL on failure (r->err set). */
static xmlNode *add_elem(rd *r, xmlNode *parent, unsigned depth, const char *name, cmark_node *n)
{
    int line = n ? cmark_node_get_start_line(n) : 0;
    if (depth + 1 > r->max_depth) {
        r->err = md_api->error(r->e, LODE_ELIMIT, "%s:%d: elements nested deeper than %u levels (max_depth)",
                               r->name, line ? line : parent->line, r->max_depth);
        return NULL;
    }
    flush_text(r);
    xmlNode *el = xmlNewDocNode(r->doc, NULL, BAD_CAST name, NULL);
    if (!el || !xmlAddChild(parent, el)) {
        xmlFreeNode(el);
        oom(r);
        return NULL;
    }
    el->line = line > 0 ? clamp_line(line) : parent->line;
    return el;
}

/* The plain text of an image description (the alt attribute), as cmark's
 * HTML renderer makes it: the literal text of its inlines, breaks as
 * spaces. */
static char *plain_text(cmark_node *img)
{
    size_t cap = 64, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    cmark_iter *it = cmark_iter_new(img);
    cmark_event_type ev;
    while (it && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER || n == img)
            continue;
        cmark_node_type t = cmark_node_get_type(n);
        const char *lit = NULL;
        if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_HTML_INLINE)
            lit = cmark_node_get_literal(n);
        else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
            lit = " ";
        size_t k = lit ? strlen(lit) : 0;
        if (len + k + 1 > cap) {
            while (len + k + 1 > cap)
                cap *= 2;
            char *t2 = realloc(s, cap);
            if (!t2) {
                free(s);
                s = NULL;
                break;
            }
            s = t2;
        }
        memcpy(s + len, lit ? lit : "", k);
        len += k;
    }
    cmark_iter_free(it);
    if (s)
        s[len] = 0;
    return s;
}

/* An HTML block that is one HTML comment an XML comment can hold (no "--"
 * inside, not ending in "-"): -1; "<!-- end list -->" or "<!-- -->", which
 * cmark's and pandoc's Markdown renderers put between two lists or code
 * blocks to keep them apart (and the gfm writer makes again): 1; anything
 * else: 0. */
static int html_comment(const char *s)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len < 7 || memcmp(s, "<!--", 4) != 0 || memcmp(s + len - 3, "-->", 3) != 0)
        return 0;
    const char *body = s + 4;
    size_t blen = len - 7;
    if ((blen == 10 && memcmp(body, " end list ", 10) == 0) || (blen == 1 && body[0] == ' '))
        return 1;
    if (blen && (body[0] == '>' || body[blen - 1] == '-'))
        return 0;
    if (blen >= 2 && body[0] == '-' && body[1] == '>')
        return 0;
    for (size_t i = 0; i + 1 < blen; i++)
        if (body[i] == '-' && body[i + 1] == '-')
            return 0;
    return -1;
}

/* The comment of an HTML block html_comment() accepted. */
static void add_comment(rd *r, xmlNode *parent, unsigned depth, const char *lit, cmark_node *n)
{
    if (depth + 1 > r->max_depth) {
        add_elem(r, parent, depth, "x", n); /* reports the depth error */
        return;
    }
    size_t len = strlen(lit);
    while (len && lit[len - 1] != '>')
        len--;
    size_t blen = len - 7;
    const char *body = lit + 4;
    if (needs_clean((const unsigned char *)body, blen) && !(body = clean(r, body, blen, &blen))) {
        oom(r);
        return;
    }
    char *z = strndup(body, blen);
    flush_text(r);
    xmlNode *c = z ? xmlNewDocComment(r->doc, BAD_CAST z) : NULL;
    free(z);
    if (!c || !xmlAddChild(parent, c)) {
        xmlFreeNode(c);
        oom(r);
        return;
    }
    int line = cmark_node_get_start_line(n);
    c->line = line > 0 ? clamp_line(line) : parent->line;
}

static int in_tight_item(cmark_node *para)
{
    cmark_node *item = cmark_node_parent(para);
    if (!item || cmark_node_get_type(item) != CMARK_NODE_ITEM)
        return 0;
    cmark_node *list = cmark_node_parent(item);
    return list && cmark_node_get_list_tight(list);
}

static const char *const heading_names[] = {"h1", "h1", "h2", "h3", "h4", "h5", "h6"};

/* Is the task item checked?  cmark-gfm 0.29's tasklist extension says yes
 * when "[x]" occurs anywhere on the item's first line ("- [ ] see [x]"), so
 * the box is read here from the source: after the item's list marker at its
 * start line and column.  Items come in document order, so a forward cursor
 * finds the line.  Falls back to cmark's answer if the source does not look
 * as expected. */
static int task_checked(rd *r, cmark_node *item)
{
    size_t line = (size_t)cmark_node_get_start_line(item), col = (size_t)cmark_node_get_start_column(item);
    if (line < r->cur_line) {
        r->cur_line = 1;
        r->cur_off = 0;
    }
    while (r->cur_line < line) {
        const unsigned char *nl = memchr(r->src + r->cur_off, '\n', r->srclen - r->cur_off);
        if (!nl)
            return cmark_gfm_extensions_get_tasklist_item_checked(item);
        r->cur_off = (size_t)(nl - r->src) + 1;
        r->cur_line++;
    }
    const unsigned char *p = r->src + r->cur_off + (col ? col - 1 : 0), *end = r->src + r->srclen;
    if (p >= end)
        return cmark_gfm_extensions_get_tasklist_item_checked(item);
    if (*p == '-' || *p == '+' || *p == '*') {
        p++;
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p < end && (*p == '.' || *p == ')'))
            p++;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (end - p >= 3 && p[0] == '[' && p[2] == ']')
        return p[1] == 'x' || p[1] == 'X';
    return cmark_gfm_extensions_get_tasklist_item_checked(item);
}

/* The task-list checkbox (and the space after it, as GitHub renders it). */
static void add_checkbox(rd *r, xmlNode *parent, unsigned depth, cmark_node *item)
{
    xmlNode *in = add_elem(r, parent, depth, "input", item);
    if (!in)
        return;
    set_attr(r, in, "type", "checkbox");
    set_attr(r, in, "disabled", "disabled");
    if (task_checked(r, item))
        set_attr(r, in, "checked", "checked");
    add_text(r, parent, " ", 1);
}

/* Walks the subtree of one top-level block of cmark's AST (iteratively: no
 * recursion however deep the input) into body. */
static void walk(rd *r, cmark_node *root, const md_exts *x)
{
    cmark_iter *it = cmark_iter_new(root);
    if (!it) {
        oom(r);
        return;
    }
    xmlNode *cur = r->body;
    unsigned depth = 2;  /* of cur: html 1, body 2 */
    unsigned col = 0;    /* the next cell's column in the current table row */
    int pending_box = 0; /* a task item's checkbox goes into its first p */
    cmark_event_type ev;
    while (!r->err && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_DOCUMENT)
            continue;
        if (ev == CMARK_EVENT_EXIT) {
            if (t == CMARK_NODE_PARAGRAPH && in_tight_item(n))
                continue;
            if (t == CMARK_NODE_TABLE_ROW) { /* tr, then thead/tbody */
                cur = cur->parent;
                depth--;
            }
            cur = cur->parent;
            depth--;
            continue;
        }
        xmlNode *el = NULL;
        const char *lit;
        switch (t) {
        case CMARK_NODE_PARAGRAPH:
            if (in_tight_item(n))
                continue;
            el = add_elem(r, cur, depth, "p", n);
            if (el && pending_box) {
                add_checkbox(r, el, depth + 1, cmark_node_parent(n));
                pending_box = 0;
            }
            break;
        case CMARK_NODE_HEADING: {
            int level = cmark_node_get_heading_level(n);
            el = add_elem(r, cur, depth, heading_names[level >= 1 && level <= 6 ? level : 1], n);
            if (el && level == 1 && !r->h1)
                r->h1 = el;
            break;
        }
        case CMARK_NODE_BLOCK_QUOTE:
            el = add_elem(r, cur, depth, "blockquote", n);
            break;
        case CMARK_NODE_LIST:
            if (cmark_node_get_list_type(n) == CMARK_ORDERED_LIST) {
                el = add_elem(r, cur, depth, "ol", n);
                int start = cmark_node_get_list_start(n);
                if (el && start != 1) {
                    char num[24];
                    snprintf(num, sizeof num, "%d", start);
                    set_attr(r, el, "start", num);
                }
            } else {
                el = add_elem(r, cur, depth, "ul", n);
            }
            break;
        case CMARK_NODE_ITEM:
            el = add_elem(r, cur, depth, "li", n);
            pending_box = 0;
            if (el && cmark_node_get_syntax_extension(n) == x->tasklist) {
                cmark_node *first = cmark_node_first_child(n);
                if (first && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH && !in_tight_item(first))
                    pending_box = 1;
                else
                    add_checkbox(r, el, depth + 1, n);
            }
            break;
        case CMARK_NODE_CODE_BLOCK: {
            xmlNode *pre = add_elem(r, cur, depth, "pre", n);
            xmlNode *code = pre ? add_elem(r, pre, depth + 1, "code", n) : NULL;
            const char *info = cmark_node_get_fence_info(n);
            if (code && info && *info) {
                size_t k = strcspn(info, " \t\r\n");
                char *cls = malloc(k + 10);
                if (!cls) {
                    oom(r);
                    break;
                }
                memcpy(cls, "language-", 9);
                memcpy(cls + 9, info, k);
                cls[9 + k] = 0;
                set_attr(r, code, "class", cls);
                free(cls);
            }
            if (code && (lit = cmark_node_get_literal(n)) != NULL)
                add_text(r, code, lit, strlen(lit));
            continue; /* a leaf: no exit event */
        }
        case CMARK_NODE_HTML_BLOCK: {
            lit = cmark_node_get_literal(n);
            int c = lit ? html_comment(lit) : 0;
            if (c > 0) /* "<!-- end list -->": a renderer's list separator */
                continue;
            if (c < 0) {
                add_comment(r, cur, depth, lit, n);
                continue;
            }
            xmlNode *pre = add_elem(r, cur, depth, "pre", n);
            if (pre) {
                set_attr(r, pre, "class", "raw-html");
                if (lit)
                    add_text(r, pre, lit, strlen(lit));
            }
            continue;
        }
        case CMARK_NODE_THEMATIC_BREAK:
            add_elem(r, cur, depth, "hr", n);
            continue;
        case CMARK_NODE_TEXT:
        case CMARK_NODE_HTML_INLINE:
            if ((lit = cmark_node_get_literal(n)) != NULL)
                add_text(r, cur, lit, strlen(lit));
            continue;
        case CMARK_NODE_SOFTBREAK:
            add_text(r, cur, "\n", 1);
            continue;
        case CMARK_NODE_LINEBREAK:
            add_elem(r, cur, depth, "br", n);
            continue;
        case CMARK_NODE_CODE:
            if ((el = add_elem(r, cur, depth, "code", n)) != NULL && (lit = cmark_node_get_literal(n)) != NULL)
                add_text(r, el, lit, strlen(lit));
            continue;
        case CMARK_NODE_EMPH:
            el = add_elem(r, cur, depth, "em", n);
            break;
        case CMARK_NODE_STRONG:
            el = add_elem(r, cur, depth, "strong", n);
            break;
        case CMARK_NODE_LINK:
            if ((el = add_elem(r, cur, depth, "a", n)) != NULL) {
                const char *url = cmark_node_get_url(n), *title = cmark_node_get_title(n);
                set_attr(r, el, "href", url ? url : "");
                if (title && *title)
                    set_attr(r, el, "title", title);
            }
            break;
        case CMARK_NODE_IMAGE:
            if ((el = add_elem(r, cur, depth, "img", n)) != NULL) {
                const char *url = cmark_node_get_url(n), *title = cmark_node_get_title(n);
                char *alt = plain_text(n);
                if (!alt) {
                    oom(r);
                    break;
                }
                set_attr(r, el, "src", url ? url : "");
                set_attr(r, el, "alt", alt);
                free(alt);
                if (title && *title)
                    set_attr(r, el, "title", title);
            }
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT); /* the description is in alt */
            continue;
        default:
            if (t == CMARK_NODE_STRIKETHROUGH) {
                el = add_elem(r, cur, depth, "del", n);
            } else if (t == CMARK_NODE_TABLE) {
                el = add_elem(r, cur, depth, "table", n);
            } else if (t == CMARK_NODE_TABLE_ROW) {
                /* cur is the table: the header row goes into thead, the
                 * others into one tbody */
                col = 0;
                int header = cmark_gfm_extensions_get_table_row_is_header(n);
                xmlNode *group = cur->last;
                if (header || !group || group->type != XML_ELEMENT_NODE ||
                    strcmp((const char *)group->name, "tbody") != 0)
                    group = add_elem(r, cur, depth, header ? "thead" : "tbody", n);
                if (group) {
                    el = add_elem(r, group, depth + 1, "tr", n);
                    if (el) {
                        cur = group;
                        depth++;
                    }
                }
            } else if (t == CMARK_NODE_TABLE_CELL) {
                cmark_node *row = cmark_node_parent(n), *table = row ? cmark_node_parent(row) : NULL;
                int header = cmark_gfm_extensions_get_table_row_is_header(row);
                el = add_elem(r, cur, depth, header ? "th" : "td", n);
                uint16_t ncols = table ? cmark_gfm_extensions_get_table_columns(table) : 0;
                uint8_t *al = table ? cmark_gfm_extensions_get_table_alignments(table) : NULL;
                if (el && al && col < ncols && al[col]) {
                    const char *a = al[col] == 'l' ? "left" : al[col] == 'c' ? "center" : "right";
                    set_attr(r, el, "align", a);
                }
                col++;
            } else {
                /* a node type of an extension not enabled here: kept as a
                 * neutral container */
                el = add_elem(r, cur, depth, (cmark_node_get_type(n) & CMARK_NODE_TYPE_MASK) ==
                                                     CMARK_NODE_TYPE_INLINE ? "span" : "div", n);
            }
            break;
        }
        if (!el)
            break; /* r->err is set */
        cur = el;  /* a container: its children follow, then its exit event */
        depth++;
    }
    cmark_iter_free(it);
}

/* head: <meta charset="utf-8"> and, from the first h1, <title>. */
static void fill_head(rd *r)
{
    xmlNode *meta = add_elem(r, r->head, 2, "meta", NULL);
    if (meta)
        set_attr(r, meta, "charset", "utf-8");
    if (!r->h1 || r->err)
        return;
    xmlChar *s = xmlNodeGetContent(r->h1);
    if (!s) {
        oom(r);
        return;
    }
    /* one line: soft breaks become spaces */
    for (xmlChar *p = s; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    xmlNode *title = add_elem(r, r->head, 2, "title", NULL);
    if (title) {
        title->line = r->h1->line;
        add_text(r, title, (const char *)s, strlen((const char *)s));
    }
    xmlFree(s);
}

int md_read(void *ud, lode_engine *e, const char *name, const void *data, size_t len,
            const lode_parse_options *opts, xmlDoc **out)
{
    (void)ud;
    *out = NULL;
    rd r = {0};
    r.e = e;
    r.name = name ? name : "(markdown)";
    const lode_limits *lim = md_api->limits(e);
    r.max_depth = lim && lim->max_depth ? lim->max_depth : 256;
    const md_exts *x = md_extensions();
    if (!x)
        return md_api->error(e, LODE_ERROR, "%s: cmark-gfm's GFM extensions are missing", r.name);

    const unsigned char *p = data;
    size_t skip = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, sub = 1;
    size_t bad = skip + first_bad(p + skip, len - skip, &sub);
    unsigned char *fixed = NULL;
    const unsigned char *src = p + skip;
    size_t srclen = len - skip;
    if (bad < len) {
        if (!(opts && (opts->flags & LODE_PARSE_REPAIR)))
            return bad_input(&r, p, bad);
        size_t count = 0;
        if (!(fixed = repaired(src, srclen, &srclen, &count)))
            return md_api->error(e, LODE_ENOMEM, "%s: out of memory", r.name);
        src = fixed;
        md_api->warn(e, "%s: replaced %zu invalid UTF-8 sequence(s) or control character(s) with U+FFFD",
                     r.name, count);
    }

    /* cmark-gfm 0.29 keeps the inline parser's special characters in one
     * process-wide table: attaching an extension adds '~' and the other
     * triggers, and freeing a parser removes them -- also under a parser
     * running on another thread, which then reads ~~x~~ as text (seen with
     * lode run -j 2).  So parsers live one at a time; turning the AST into
     * the tree, most of the work, runs outside the lock. */
    pthread_mutex_lock(&parser_lock);
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
    if (!parser) {
        pthread_mutex_unlock(&parser_lock);
        free(fixed);
        return md_api->error(e, LODE_ENOMEM, "%s: out of memory", r.name);
    }
    cmark_parser_attach_syntax_extension(parser, x->table);
    cmark_parser_attach_syntax_extension(parser, x->strikethrough);
    cmark_parser_attach_syntax_extension(parser, x->autolink);
    cmark_parser_attach_syntax_extension(parser, x->tasklist);
    cmark_parser_feed(parser, (const char *)src, srclen);
    r.src = src;
    r.srclen = srclen;
    r.cur_line = 1;
    cmark_node *root = cmark_parser_finish(parser);
    cmark_parser_free(parser);
    pthread_mutex_unlock(&parser_lock);
    if (!root) {
        free(fixed);
        return md_api->error(e, LODE_ENOMEM, "%s: out of memory", r.name);
    }

    r.doc = htmlNewDocNoDtD(NULL, NULL);
    /* element and attribute names from a dictionary, as libxml2's parsers
     * do: no allocation per name */
    if (r.doc && !r.doc->dict)
        r.doc->dict = xmlDictCreate();
    xmlNode *html = r.doc && r.doc->dict ? xmlNewDocNode(r.doc, NULL, BAD_CAST "html", NULL) : NULL;
    if (!html) {
        oom(&r);
    } else {
        xmlDocSetRootElement(r.doc, html);
        html->line = 1;
        r.head = add_elem(&r, html, 1, "head", NULL);
        r.body = r.head ? add_elem(&r, html, 1, "body", NULL) : NULL;
        if (r.body) {
            r.head->line = r.body->line = 1;
            /* one top-level block at a time, each freed once it is in the
             * tree: malloc then reuses the AST's memory for the tree (fresh
             * pages are what costs most) */
            cmark_node *blk = cmark_node_first_child(root);
            while (blk && !r.err) {
                cmark_node *next = cmark_node_next(blk);
                walk(&r, blk, x);
                cmark_node_free(blk);
                blk = next;
            }
            flush_text(&r);
            fill_head(&r);
            flush_text(&r);
        }
    }
    cmark_node_free(root);
    free(fixed);
    free(r.tmp);
    free(r.pend);
    if (r.err) {
        xmlFreeDoc(r.doc);
        return r.err;
    }
    *out = r.doc;
    return LODE_OK;
}
