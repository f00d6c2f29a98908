/* md_write.c -- the "gfm" writer: a tree in lode's HTML vocabulary becomes a
 * cmark-gfm AST, which cmark_render_commonmark renders (GFM tables and
 * strikethrough through their extensions).  cmark does the escaping, the
 * list markers and the code fences.
 *
 *   p h1-h6 blockquote hr         paragraph, heading, block quote, break
 *   ul / ol[start]                list; tight when no li holds a p
 *   li                            item; inline content in it is its paragraph;
 *                                 a leading <input type=checkbox> (in li or
 *                                 its first p) makes a task item "[ ]"/"[x]"
 *   pre (code.language-X)         fenced code block with info X
 *   pre.raw-html                  HTML block, markup as it was (the reader's
 *                                 form), but <script style iframe textarea
 *                                 title xmp noembed noframes plaintext> get
 *                                 their "<" as "&lt;" (GFM's tagfilter), so
 *                                 the output never carries a live one
 *   table                         GFM table: the first row is the header,
 *                                 columns padded to the widest row, align
 *                                 from the first row's align attributes;
 *                                 cell content flattened to one line
 *   em i / strong b / del s strike emphasis, strong, strikethrough
 *   code kbd samp tt              code span (its text)
 *   a[href] / img                 link, image (alt as the description)
 *   br                            hard break
 *   dl                            dt as a strong paragraph, dd's blocks
 *
 * Everything else keeps its text: block-level containers (div, section,
 * figure, ...) pass their children through as blocks, inline ones (span,
 * sup, u, ...) as inlines; head, script, style, template and the like are
 * left out.  Text in a block container outside any p becomes a paragraph.
 * "\n" in text is a soft break.  The tree is never changed. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "md.h"

/* Recursion bound: the tree's depth is bounded by the readers' max_depth,
 * but a host may build deeper trees. */
#define MAX_NEST 1000

typedef struct wr {
    lode_engine *e;
    const md_exts *x;
    int err;
    unsigned nest;
    int in_link;                /* inside a link: nested a are plain */
    int in_cell;                /* inside a table cell: one line */
    const xmlNode *skip_input;  /* a task item's checkbox, left out */
    int strip_space;            /* drop one space from the next text */
} wr;

static int is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static int in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return 1;
    return 0;
}

static const char *const block_names[] = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", NULL};

static const char *const skipped_names[] = {"head", "script", "style", "template", "noscript", "title",
                                            "meta", "link", "base", "iframe", "object", "embed",
                                            "canvas", "svg", "math", "button", "select", "textarea",
                                            NULL};

static int is_block(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE && in_list((const char *)n->name, block_names);
}

static int is_skipped(const xmlNode *n)
{
    if (n->type == XML_ELEMENT_NODE)
        return in_list((const char *)n->name, skipped_names);
    return n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE &&
           n->type != XML_ENTITY_REF_NODE;
}

static int blank(const xmlChar *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int is_checkbox(const xmlNode *n)
{
    if (!is(n, "input"))
        return 0;
    xmlChar *type = xmlGetProp(n, BAD_CAST "type");
    int yes = type && strcasecmp((const char *)type, "checkbox") == 0;
    xmlFree(type);
    return yes;
}

/* Appends child to parent; frees it if cmark refuses the pair.  Returns
 * child or NULL. */
static cmark_node *append(cmark_node *parent, cmark_node *child)
{
    if (!child)
        return NULL;
    if (!cmark_node_append_child(parent, child)) {
        cmark_node_free(child);
        return NULL;
    }
    return child;
}

static cmark_node *new_ext(cmark_node_type t, cmark_syntax_extension *ext)
{
    return cmark_node_new_with_ext(t, ext);
}

/* The text content of n, with line breaks as spaces when one_line;
 * malloc'ed, NULL when out of memory. */
static char *text_of(const xmlNode *n, int one_line)
{
    xmlChar *s = xmlNodeGetContent(n);
    if (!s)
        return NULL;
    char *c = strdup((const char *)s);
    xmlFree(s);
    if (c && one_line)
        for (char *p = c; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
    return c;
}

static void text_node(wr *w, cmark_node *parent, const char *s, size_t len)
{
    if (!len)
        return;
    char *t = malloc(len + 1);
    if (!t) {
        w->err = LODE_ENOMEM;
        return;
    }
    memcpy(t, s, len);
    t[len] = 0;
    cmark_node *n = cmark_node_new(CMARK_NODE_TEXT);
    if (n) {
        cmark_node_set_literal(n, t);
        append(parent, n);
    }
    free(t);
}

/* Text: "\n" is a soft break (a space in a table cell). */
static void inline_text(wr *w, cmark_node *parent, const char *s)
{
    if (w->strip_space) {
        if (*s == ' ')
            s++;
        if (*s)
            w->strip_space = 0;
    }
    while (*s) {
        size_t k = strcspn(s, "\r\n");
        text_node(w, parent, s, k);
        s += k;
        if (!*s)
            break;
        s += (s[0] == '\r' && s[1] == '\n') ? 2 : 1;
        if (w->in_cell)
            text_node(w, parent, " ", 1);
        else
            append(parent, cmark_node_new(CMARK_NODE_SOFTBREAK));
    }
}

static void inlines(wr *w, const xmlNode *first, cmark_node *parent);

/* An inline container (emphasis, link, ...) of type t with n's children;
 * dropped when it ends up empty (it would render as stray delimiters). */
static void inline_container(wr *w, const xmlNode *n, cmark_node *parent, cmark_node *c, int keep_empty)
{
    if (!c) {
        w->err = LODE_ENOMEM;
        return;
    }
    inlines(w, n->children, c);
    if (!cmark_node_first_child(c) && !keep_empty) {
        cmark_node_free(c);
        return;
    }
    append(parent, c);
}

static void set_str(cmark_node *c, int (*set)(cmark_node *, const char *), const xmlNode *n, const char *attr)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST attr);
    set(c, v ? (const char *)v : "");
    xmlFree(v);
}

/* One inline node n (and its subtree) appended to parent. */
static void inline_node(wr *w, const xmlNode *n, cmark_node *parent)
{
    if (w->err)
        return;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content)
            inline_text(w, parent, (const char *)n->content);
        return;
    }
    if (n->type != XML_ELEMENT_NODE || is_skipped(n))
        return;
    if (n == w->skip_input) {
        w->skip_input = NULL;
        w->strip_space = 1;
        return;
    }
    if (++w->nest > MAX_NEST) {
        w->err = LODE_ELIMIT;
        return;
    }
    const char *name = (const char *)n->name;
    w->strip_space = 0;
    if (!strcmp(name, "em") || !strcmp(name, "i") || !strcmp(name, "cite") || !strcmp(name, "dfn") ||
        !strcmp(name, "var")) {
        inline_container(w, n, parent, cmark_node_new(CMARK_NODE_EMPH), 0);
    } else if (!strcmp(name, "strong") || !strcmp(name, "b")) {
        inline_container(w, n, parent, cmark_node_new(CMARK_NODE_STRONG), 0);
    } else if (!strcmp(name, "del") || !strcmp(name, "s") || !strcmp(name, "strike")) {
        inline_container(w, n, parent, new_ext(CMARK_NODE_STRIKETHROUGH, w->x->strikethrough), 0);
    } else if (!strcmp(name, "code") || !strcmp(name, "kbd") || !strcmp(name, "samp") ||
               !strcmp(name, "tt")) {
        char *s = text_of(n, 1);
        cmark_node *c = cmark_node_new(CMARK_NODE_CODE);
        if (!s || !c) {
            w->err = LODE_ENOMEM;
            cmark_node_free(c);
        } else if (*s) {
            cmark_node_set_literal(c, s);
            append(parent, c);
        } else {
            cmark_node_free(c);
        }
        free(s);
    } else if (!strcmp(name, "a") && !w->in_link && xmlHasProp(n, BAD_CAST "href")) {
        cmark_node *c = cmark_node_new(CMARK_NODE_LINK);
        if (c) {
            set_str(c, cmark_node_set_url, n, "href");
            set_str(c, cmark_node_set_title, n, "title");
        }
        w->in_link = 1;
        inline_container(w, n, parent, c, 1);
        w->in_link = 0;
    } else if (!strcmp(name, "img")) {
        cmark_node *c = cmark_node_new(CMARK_NODE_IMAGE);
        if (!c) {
            w->err = LODE_ENOMEM;
        } else {
            set_str(c, cmark_node_set_url, n, "src");
            set_str(c, cmark_node_set_title, n, "title");
            xmlChar *alt = xmlGetProp(n, BAD_CAST "alt");
            if (alt && *alt)
                inline_text(w, c, (const char *)alt);
            xmlFree(alt);
            append(parent, c);
        }
    } else if (!strcmp(name, "br")) {
        if (w->in_cell)
            text_node(w, parent, " ", 1);
        else
            append(parent, cmark_node_new(CMARK_NODE_LINEBREAK));
    } else if (!strcmp(name, "input")) {
        /* a form control has no text */
    } else {
        inlines(w, n->children, parent); /* span, sup, u, ... and blocks met inline */
    }
    w->nest--;
}

static void inlines(wr *w, const xmlNode *first, cmark_node *parent)
{
    for (const xmlNode *c = first; c && !w->err; c = c->next)
        inline_node(w, c, parent);
}

/* ---- blocks ------------------------------------------------------------- */

static void blocks_range(wr *w, const xmlNode *first, const xmlNode *stop, cmark_node *container);

/* HTML markup made safe for an HTML block: the "<" of GFM's tagfilter tags
 * (opening or closing, any case) becomes "&lt;". */
static char *tagfilter(const char *s)
{
    static const char *const tags[] = {"title", "textarea", "style", "xmp", "iframe", "noembed",
                                       "noframes", "script", "plaintext", NULL};
    size_t len = strlen(s), n = 0;
    char *out = malloc(len * 4 + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '<') {
            size_t j = i + 1 + (s[i + 1] == '/');
            for (const char *const *t = tags; *t; t++) {
                size_t k = strlen(*t);
                char after = s[j + k < len ? j + k : len];
                if (j + k <= len && strncasecmp(s + j, *t, k) == 0 &&
                    (after == 0 || after == '>' || after == '/' || after == ' ' || after == '\t' ||
                     after == '\n' || after == '\r' || after == '\f')) {
                    memcpy(out + n, "&lt;", 4);
                    n += 4;
                    goto next;
                }
            }
        }
        out[n++] = s[i];
    next:;
    }
    out[n] = 0;
    return out;
}

static int has_class(const xmlNode *n, const char *cls, char **rest)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST "class");
    int found = 0;
    if (v) {
        size_t k = strlen(cls);
        for (const char *p = (const char *)v; *p;) {
            p += strspn(p, " \t\n");
            size_t m = strcspn(p, " \t\n");
            if (m >= k && strncmp(p, cls, k) == 0 && (rest ? 1 : m == k)) {
                found = 1;
                if (rest)
                    *rest = strndup(p + k, m - k);
                break;
            }
            p += m;
        }
    }
    xmlFree(v);
    return found;
}

static void code_block(wr *w, const xmlNode *pre, cmark_node *container)
{
    if (has_class(pre, "raw-html", NULL)) {
        char *s = text_of(pre, 0), *f = s ? tagfilter(s) : NULL;
        cmark_node *c = cmark_node_new(CMARK_NODE_HTML_BLOCK);
        if (f && c) {
            cmark_node_set_literal(c, f);
            append(container, c);
        } else {
            w->err = LODE_ENOMEM;
            cmark_node_free(c);
        }
        free(s);
        free(f);
        return;
    }
    /* the info string: code's (or pre's) class "language-X" */
    char *info = NULL;
    const xmlNode *code = NULL;
    for (const xmlNode *c = pre->children; c; c = c->next)
        if (is(c, "code")) {
            code = c;
            break;
        }
    if (!(code && (has_class(code, "language-", &info) || has_class(code, "lang-", &info))))
        has_class(pre, "language-", &info);
    char *s = text_of(pre, 0);
    cmark_node *c = cmark_node_new(CMARK_NODE_CODE_BLOCK);
    if (s && c) {
        cmark_node_set_literal(c, s);
        cmark_node_set_fence_info(c, info ? info : "");
        cmark_node_set_fenced(c, 1, 3, 0, '`');
        append(container, c);
    } else {
        w->err = LODE_ENOMEM;
        cmark_node_free(c);
    }
    free(s);
    free(info);
}

/* A list's items; tight when no li has a p child. */
static void list(wr *w, const xmlNode *n, cmark_node *container)
{
    cmark_node *l = cmark_node_new(CMARK_NODE_LIST);
    if (!l) {
        w->err = LODE_ENOMEM;
        return;
    }
    int tight = 1;
    for (const xmlNode *li = n->children; li; li = li->next)
        for (const xmlNode *c = li->children; c && is(li, "li"); c = c->next)
            if (is(c, "p"))
                tight = 0;
    if (is(n, "ol")) {
        cmark_node_set_list_type(l, CMARK_ORDERED_LIST);
        cmark_node_set_list_delim(l, CMARK_PERIOD_DELIM);
        xmlChar *start = xmlGetProp(n, BAD_CAST "start");
        long v = start ? strtol((const char *)start, NULL, 10) : 1;
        xmlFree(start);
        cmark_node_set_list_start(l, v >= 0 && v <= 999999999 ? (int)v : 1);
    } else {
        cmark_node_set_list_type(l, CMARK_BULLET_LIST);
    }
    cmark_node_set_list_tight(l, tight);
    for (const xmlNode *li = n->children; li && !w->err; li = li->next) {
        if (li->type == XML_TEXT_NODE && blank(li->content))
            continue;
        if (is_skipped(li) && li->type != XML_TEXT_NODE)
            continue;
        cmark_node *item = cmark_node_new(CMARK_NODE_ITEM);
        if (!item) {
            w->err = LODE_ENOMEM;
            break;
        }
        if (!is(li, "li")) { /* stray content between items: an item of its own */
            blocks_range(w, li, li->next, item);
        } else {
            /* a task item: the checkbox first in li, or first in its first p */
            const xmlNode *box = NULL, *p = li->children;
            while (p && p->type == XML_TEXT_NODE && blank(p->content))
                p = p->next;
            int checked = 0;
            if (p && is(p, "p")) {
                const xmlNode *q = p->children;
                while (q && q->type == XML_TEXT_NODE && blank(q->content))
                    q = q->next;
                p = q;
            }
            if (p && is_checkbox(p)) {
                box = p;
                checked = xmlHasProp(box, BAD_CAST "checked") != NULL;
            }
            w->skip_input = box;
            blocks_range(w, li->children, NULL, item);
            w->skip_input = NULL;
            w->strip_space = 0;
            cmark_node *para = cmark_node_first_child(item);
            if (box && para && cmark_node_get_type(para) == CMARK_NODE_PARAGRAPH &&
                cmark_node_first_child(para)) {
                /* "[x] " as raw text: cmark's tasklist renderer always writes
                 * "- ", which would turn an ordered list into a bullet one */
                cmark_node *mark = cmark_node_new(CMARK_NODE_HTML_INLINE);
                if (mark) {
                    cmark_node_set_literal(mark, checked ? "[x] " : "[ ] ");
                    if (!cmark_node_prepend_child(para, mark))
                        cmark_node_free(mark);
                }
            }
        }
        append(l, item);
    }
    if (cmark_node_first_child(l))
        append(container, l);
    else
        cmark_node_free(l);
}

/* The cells (th, td) of a row. */
static size_t count_cells(const xmlNode *tr)
{
    size_t k = 0;
    for (const xmlNode *c = tr->children; c; c = c->next)
        if (is(c, "th") || is(c, "td"))
            k++;
    return k;
}

#define MAX_COLS 4096 /* columns kept of a table */

/* Collects the rows of a table (tr directly or in thead/tbody/tfoot, in
 * document order) into rows (n of them, at most cap). */
static size_t table_rows(const xmlNode *table, const xmlNode **rows, size_t cap)
{
    size_t n = 0;
    for (const xmlNode *c = table->children; c; c = c->next) {
        if (is(c, "tr")) {
            if (n < cap)
                rows[n] = c;
            n++;
        } else if (is(c, "thead") || is(c, "tbody") || is(c, "tfoot")) {
            for (const xmlNode *r = c->children; r; r = r->next)
                if (is(r, "tr")) {
                    if (n < cap)
                        rows[n] = r;
                    n++;
                }
        }
    }
    return n;
}

static uint8_t align_of(const xmlNode *cell)
{
    xmlChar *a = xmlGetProp(cell, BAD_CAST "align");
    uint8_t r = 0;
    if (a) {
        r = !strcasecmp((const char *)a, "left")     ? 'l'
            : !strcasecmp((const char *)a, "center") ? 'c'
            : !strcasecmp((const char *)a, "right")  ? 'r'
                                                     : 0;
        xmlFree(a);
        return r;
    }
    xmlChar *st = xmlGetProp(cell, BAD_CAST "style");
    if (st) {
        const char *p = strstr((const char *)st, "text-align:");
        if (p) {
            p += 11;
            p += strspn(p, " ");
            r = !strncmp(p, "left", 4) ? 'l' : !strncmp(p, "center", 6) ? 'c' : !strncmp(p, "right", 5) ? 'r' : 0;
        }
        xmlFree(st);
    }
    return r;
}

/* A GFM table: the first row is the header; every row gets as many cells as
 * the widest; a cell's content is flattened to one line of inlines. */
static void table(wr *w, const xmlNode *t, cmark_node *container)
{
    size_t nrows = table_rows(t, NULL, 0);
    if (!nrows)
        return;
    const xmlNode **rows = malloc(nrows * sizeof *rows);
    if (!rows) {
        w->err = LODE_ENOMEM;
        return;
    }
    table_rows(t, rows, nrows);
    size_t ncols = 0;
    for (size_t i = 0; i < nrows; i++) {
        size_t k = count_cells(rows[i]);
        if (k > ncols)
            ncols = k;
    }
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    uint8_t *al = calloc(ncols ? ncols : 1, 1);
    cmark_node *tab = new_ext(CMARK_NODE_TABLE, w->x->table);
    if (!al || !tab || !ncols) {
        if (ncols)
            w->err = LODE_ENOMEM;
        free(rows);
        free(al);
        cmark_node_free(tab);
        return;
    }
    size_t k = 0;
    for (const xmlNode *c = rows[0]->children; c && k < ncols; c = c->next)
        if (is(c, "th") || is(c, "td"))
            al[k++] = align_of(c);
    cmark_gfm_extensions_set_table_columns(tab, (uint16_t)ncols);
    cmark_gfm_extensions_set_table_alignments(tab, (uint16_t)ncols, al);
    for (size_t i = 0; i < nrows && !w->err; i++) {
        cmark_node *row = new_ext(CMARK_NODE_TABLE_ROW, w->x->table);
        if (!row) {
            w->err = LODE_ENOMEM;
            break;
        }
        if (i == 0)
            cmark_gfm_extensions_set_table_row_is_header(row, 1);
        size_t col = 0;
        const xmlNode *c = rows[i]->children;
        while (col < ncols && !w->err) {
            while (c && !(is(c, "th") || is(c, "td")))
                c = c->next;
            /* made without the extension, then given it: cmark-gfm 0.29
             * allocates a cell's private data when the node is made with
             * the extension but never frees it */
            cmark_node *cell = cmark_node_new(CMARK_NODE_TABLE_CELL);
            if (cell)
                cmark_node_set_syntax_extension(cell, w->x->table);
            if (!cell) {
                w->err = LODE_ENOMEM;
                break;
            }
            if (c) {
                w->in_cell = 1;
                inlines(w, c->children, cell);
                w->in_cell = 0;
                c = c->next;
            }
            append(row, cell);
            col++;
        }
        append(tab, row);
    }
    append(container, tab);
    free(rows);
    free(al);
}

/* A paragraph of n's inline children. */
static void paragraph(wr *w, const xmlNode *n, cmark_node *container, cmark_node_type t, int level)
{
    cmark_node *p = cmark_node_new(t);
    if (!p) {
        w->err = LODE_ENOMEM;
        return;
    }
    if (t == CMARK_NODE_HEADING)
        cmark_node_set_heading_level(p, level);
    inlines(w, n->children, p);
    if (t == CMARK_NODE_PARAGRAPH && !cmark_node_first_child(p))
        cmark_node_free(p); /* an empty paragraph does not survive Markdown */
    else
        append(container, p);
}

/* A comment between blocks: an HTML block "<!--...-->" (the reader's
 * form of one), unless its text could end the comment early. */
static void comment(wr *w, const xmlNode *n, cmark_node *container)
{
    const char *t = n->content ? (const char *)n->content : "";
    if (strstr(t, "--") || t[0] == '>')
        return; /* not an HTML comment the reader would give back */
    size_t len = strlen(t);
    char *s = malloc(len + 9);
    cmark_node *c = cmark_node_new(CMARK_NODE_HTML_BLOCK);
    if (!s || !c) {
        free(s);
        cmark_node_free(c);
        w->err = LODE_ENOMEM;
        return;
    }
    memcpy(s, "<!--", 4);
    memcpy(s + 4, t, len);
    memcpy(s + 4 + len, "-->\n", 5);
    cmark_node_set_literal(c, s);
    append(container, c);
    free(s);
}

/* The nodes from first up to stop (exclusive; NULL: all siblings) as blocks
 * of container.  Inline content between blocks is gathered into
 * paragraphs. */
static void blocks_range(wr *w, const xmlNode *first, const xmlNode *stop, cmark_node *container)
{
    cmark_node *para = NULL; /* the open paragraph of loose inline content */
    if (++w->nest > MAX_NEST) {
        w->err = LODE_ELIMIT;
        return;
    }
    for (const xmlNode *n = first; n && n != stop && !w->err; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (!para && blank(n->content))
                continue;
        } else if (n->type == XML_COMMENT_NODE) {
            para = NULL;
            comment(w, n, container);
            continue;
        } else if (is_skipped(n)) {
            continue;
        }
        if (!is_block(n)) {
            if (!para) {
                if (!(para = append(container, cmark_node_new(CMARK_NODE_PARAGRAPH)))) {
                    w->err = LODE_ENOMEM;
                    break;
                }
            }
            inline_node(w, n, para);
            continue;
        }
        if (para && !cmark_node_first_child(para)) {
            cmark_node_unlink(para);
            cmark_node_free(para);
        }
        para = NULL;
        const char *name = (const char *)n->name;
        if (!strcmp(name, "p")) {
            paragraph(w, n, container, CMARK_NODE_PARAGRAPH, 0);
        } else if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
            paragraph(w, n, container, CMARK_NODE_HEADING, name[1] - '0');
        } else if (!strcmp(name, "blockquote")) {
            cmark_node *q = append(container, cmark_node_new(CMARK_NODE_BLOCK_QUOTE));
            if (q)
                blocks_range(w, n->children, NULL, q);
        } else if (!strcmp(name, "ul") || !strcmp(name, "ol") || !strcmp(name, "menu") ||
                   !strcmp(name, "dir")) {
            list(w, n, container);
        } else if (!strcmp(name, "pre")) {
            code_block(w, n, container);
        } else if (!strcmp(name, "hr")) {
            append(container, cmark_node_new(CMARK_NODE_THEMATIC_BREAK));
        } else if (!strcmp(name, "table")) {
            table(w, n, container);
        } else if (!strcmp(name, "dt")) {
            cmark_node *p = cmark_node_new(CMARK_NODE_PARAGRAPH);
            cmark_node *s = cmark_node_new(CMARK_NODE_STRONG);
            if (p && s && append(p, s)) {
                inlines(w, n->children, s);
                if (cmark_node_first_child(s))
                    append(container, p);
                else
                    cmark_node_free(p);
            } else {
                cmark_node_free(p);
            }
        } else {
            /* div, section, li outside a list, dd, td outside a table, ...:
             * their content as blocks here */
            blocks_range(w, n->children, NULL, container);
        }
    }
    if (para && !cmark_node_first_child(para)) {
        cmark_node_unlink(para);
        cmark_node_free(para);
    }
    w->nest--;
}

/* Would cmark render this code block indented?  (Its rule: no info
 * string, more than two bytes, not starting with a space or ending with two,
 * not first in a list item.) */
static int indented(cmark_node *n)
{
    const char *info = cmark_node_get_fence_info(n), *code = cmark_node_get_literal(n);
    size_t len = code ? strlen(code) : 0;
    cmark_node *parent = cmark_node_parent(n);
    if ((info && *info) || len <= 2 || strchr(" \t\r\n\f\v", code[0]))
        return 0;
    if (strchr(" \t\r\n\f\v", code[len - 1]) && strchr(" \t\r\n\f\v", code[len - 2]))
        return 0;
    return !(cmark_node_previous(n) == NULL && parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM);
}

/* cmark's renderer writes two indented code blocks in a row as one: put
 * "<!-- -->" between them (pandoc's separator, which the reader drops). */
static void separate_code_blocks(wr *w, cmark_node *root)
{
    cmark_iter *it = cmark_iter_new(root);
    if (!it) {
        w->err = LODE_ENOMEM;
        return;
    }
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it), *prev = cmark_node_previous(n);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK || !prev ||
            cmark_node_get_type(prev) != CMARK_NODE_CODE_BLOCK || !indented(n) || !indented(prev))
            continue;
        cmark_node *sep = cmark_node_new(CMARK_NODE_HTML_BLOCK);
        if (!sep) {
            w->err = LODE_ENOMEM;
            break;
        }
        cmark_node_set_literal(sep, "<!-- -->\n");
        if (!cmark_node_insert_before(n, sep))
            cmark_node_free(sep);
    }
    cmark_iter_free(it);
}

/* The element whose content is the document: body, else the root. */
static const xmlNode *content_root(const xmlDoc *doc)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (root && is(root, "html"))
        for (const xmlNode *c = root->children; c; c = c->next)
            if (is(c, "body"))
                return c;
    return root;
}

int md_write(void *ud, lode_engine *e, const xmlDoc *doc, const lode_write_options *opts, lode_emit_fn emit,
             void *emit_ud)
{
    (void)ud;
    (void)opts;
    wr w = {0};
    w.e = e;
    if (!(w.x = md_extensions()))
        return md_api->error(e, LODE_ERROR, "gfm: cmark-gfm's GFM extensions are missing");
    cmark_node *root = cmark_node_new(CMARK_NODE_DOCUMENT);
    if (!root)
        return md_api->error(e, LODE_ENOMEM, "gfm: out of memory");
    const xmlNode *body = content_root(doc);
    if (body)
        blocks_range(&w, body->children, NULL, root);
    if (!w.err)
        separate_code_blocks(&w, root);
    int rc = LODE_OK;
    if (w.err == LODE_ELIMIT) {
        rc = md_api->error(e, LODE_ELIMIT, "gfm: the tree is nested deeper than %d levels", MAX_NEST);
    } else if (w.err) {
        rc = md_api->error(e, w.err, "gfm: out of memory");
    } else {
        cmark_mem *mem = cmark_get_default_mem_allocator();
        char *out = cmark_render_commonmark_with_mem(root, CMARK_OPT_DEFAULT, 0, mem);
        if (!out)
            rc = md_api->error(e, LODE_ENOMEM, "gfm: out of memory");
        else if (emit(emit_ud, out, strlen(out)))
            rc = md_api->error(e, LODE_EIO, "gfm: the output failed");
        if (out)
            mem->free(out);
    }
    cmark_node_free(root);
    return rc;
}
