/* read_text.c -- the plain-text reader: UTF-8 text to an HTML-vocabulary tree.
 *
 * The result is always <html><head>...</head><body>...</body></html>, with
 * <meta charset="utf-8"> first in head (the tree is written as UTF-8):
 *
 *  - Blocks of non-blank lines, separated by one or more blank lines, become
 *    <p> in body.  A blank line is empty or holds only spaces and tabs.  The
 *    lines of a block are trimmed of leading and trailing spaces/tabs and
 *    joined with one space (hard-wrapped text reads as one paragraph); inner
 *    whitespace is kept as it is.  Each <p> records the 1-based line of its
 *    first line in node->line (libxml2 keeps an unsigned short: clamped at
 *    65535).
 *  - Front matter: if line 1 is exactly "---" (trailing whitespace allowed)
 *    and a later line is "---" or "...", the lines between are "key: value"
 *    pairs that become <meta name="key" content="value"> in head; matching
 *    "..." or '...' quotes around the value are removed.  A "title" key also
 *    gives <title> (not <h1>).  Blank lines and "#" comments are skipped;
 *    other lines are ignored with a warning naming NAME:LINE.  Without a
 *    closing line there is no front matter: line 1 is ordinary text.
 *  - Date header (the news corpus's convention): if the first line after the
 *    front matter (line 1 without front matter) reads
 *    "[spaces]date YYYY-MM[-DD] Headline", it becomes
 *    <meta name="date" content="YYYY-MM[-DD]"> plus <title> in head and <h1>
 *    first in body.  Only that one line is checked.  A date with no headline
 *    gives only the meta.  If the front matter already gave a title (or a
 *    date), the header does not add a second one; the <h1> is always made.
 *
 * Input rules: a leading UTF-8 BOM is skipped; a UTF-16/UTF-32 BOM is an
 * error; LF, CRLF and CR each end one line.  Ill-formed UTF-8, NUL and the C0
 * controls other than TAB, LF, CR and FF (which an XML serialisation cannot
 * carry) are errors naming the byte offset (counted in the input as given,
 * BOM included) and line -- or, with LODE_PARSE_REPAIR, each becomes U+FFFD
 * (one per maximal subpart) and one warning gives the count.  FF (a page
 * break) is not an XML character either, so it is read as a space: a line of
 * FFs is blank, an inner FF becomes a space.
 *
 * One pass over the bytes: next_line() validates and splits at once, eight
 * bytes at a time while they are printable ASCII.  Lines are views into the
 * input (or, only for a line that needed a repair, into one reused scratch
 * buf); a paragraph is gathered in one buf and becomes one text node.  No
 * allocation per line. */
#include <stdint.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "buf.h"
#include "engine.h"
#include "format.h"
#include "utf8.h"
#include "xmlerr.h"

/* A paragraph longer than this is refused (HARDENING 5: text node <= 16 MiB);
 * in practice it means a file without blank lines. */
#define PARA_MAX ((size_t)16 << 20)
/* At most this many warnings per document (HARDENING 5: bounded diagnostics). */
#define WARN_MAX 100u

#define HIGH_BITS 0x8080808080808080ull
#define BYTES_20 0x2020202020202020ull

typedef struct line {
    const unsigned char *s; /* content without the line end; not NUL-terminated */
    size_t len;
    size_t no; /* 1-based line number */
} line;

typedef struct rd {
    lode_engine *e;
    const char *name;          /* display name for messages */
    const unsigned char *base; /* the input as given: offsets count from here */
    const unsigned char *p;    /* next unread byte */
    const unsigned char *end;
    size_t lineno; /* number of the line next_line() reads next */
    int repair;
    size_t replaced; /* sequences and control bytes replaced by U+FFFD */
    unsigned warnings;
    int err;           /* the status of the first failure, LODE_OK until then */
    buf scratch;       /* the current line, when it needed repairs */
    buf para;          /* the open paragraph's text */
    buf tmp;           /* NUL-terminated strings for attribute values */
    size_t para_start; /* line of the open paragraph's first line; 0: none open */
    int have_title, have_date;
    xmlDoc *doc;
    xmlNode *head, *body;
} rd;

static int is_ws(unsigned c)
{
    return c == ' ' || c == '\t';
}

static void trim(const unsigned char **s, size_t *len)
{
    const unsigned char *a = *s, *b = *s + *len;
    while (a < b && is_ws(*a))
        a++;
    while (b > a && is_ws(b[-1]))
        b--;
    *s = a;
    *len = (size_t)(b - a);
}

static int oom(rd *r)
{
    if (r->err == LODE_OK)
        r->err = engine_error(r->e, LODE_ENOMEM, "%s: out of memory", r->name);
    return r->err;
}

static void warn(rd *r, size_t lineno, const char *what)
{
    if (r->warnings < WARN_MAX)
        engine_warn(r->e, "%s:%zu: %s", r->name, lineno, what);
    else if (r->warnings == WARN_MAX)
        engine_warn(r->e, "%s: further warnings suppressed", r->name);
    r->warnings++;
}

/* The message for the first bad byte when not repairing.  Offsets are into
 * the input as given, so `cmp`/`xxd` on the file find the byte. */
static int bad_byte(rd *r, const unsigned char *p)
{
    size_t off = (size_t)(p - r->base);
    unsigned c = *p;
    if (c == 0)
        r->err = engine_error(r->e, LODE_EENCODING, "%s: NUL byte at byte offset %zu (line %zu)",
                              r->name, off, r->lineno);
    else if (c < 0x20)
        r->err = engine_error(r->e, LODE_EENCODING,
                              "%s: control character 0x%02X at byte offset %zu (line %zu)", r->name,
                              c, off, r->lineno);
    else
        r->err = engine_error(r->e, LODE_EENCODING,
                              "%s: invalid UTF-8 at byte offset %zu (line %zu): byte 0x%02X",
                              r->name, off, r->lineno, c);
    return -1;
}

/* Reads the next line into *ln: 1 if there is one, 0 at the end of input,
 * -1 on failure (r->err set).  Validation and the search for the line end
 * are one loop: while eight bytes are all printable ASCII (no byte < 0x20,
 * none >= 0x80: the SWAR test below has no false negatives) they are skipped
 * together; otherwise one byte or one UTF-8 sequence is looked at.  A line
 * that needs a change (repair, FF) is copied into r->scratch from its first
 * change on; all other lines are views into the input. */
static int next_line(rd *r, line *ln)
{
    const unsigned char *p = r->p, *end = r->end;
    const unsigned char *start = p, *seg = p; /* seg: start of the part not yet copied */
    int copied = 0;
    if (p >= end)
        return 0;
    while (p < end) {
        if (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            if (!((x | ((x - BYTES_20) & ~x)) & HIGH_BITS)) {
                p += 8;
                continue;
            }
        }
        unsigned c = *p;
        if ((c >= 0x20 && c < 0x80) || c == '\t') {
            p++;
            continue;
        }
        if (c == '\n' || c == '\r')
            break;
        /* the common well-formed 2- and 3-byte forms without a call (Table
         * 3-7: after C2..DF, E1..EC and EE..EF any continuation byte fits) */
        if (c >= 0xC2 && c <= 0xDF && end - p >= 2 && (p[1] & 0xC0) == 0x80) {
            p += 2;
            continue;
        }
        if (c >= 0xE1 && c <= 0xEF && c != 0xED && end - p >= 3 && (p[1] & 0xC0) == 0x80 &&
            (p[2] & 0xC0) == 0x80) {
            p += 3;
            continue;
        }
        size_t n = 1;
        if (c >= 0x80) {
            uint32_t cp;
            n = utf8_decode(p, (size_t)(end - p), &cp);
            if (cp != UTF8_BAD) {
                p += n;
                continue;
            }
        }
        if (c != '\f' && !r->repair)
            return bad_byte(r, p);
        if (!copied) {
            buf_reset(&r->scratch);
            copied = 1;
        }
        buf_put(&r->scratch, seg, (size_t)(p - seg));
        if (c == '\f') {
            buf_putc(&r->scratch, ' ');
        } else {
            buf_put(&r->scratch, UTF8_REPLACEMENT, UTF8_REPLACEMENT_LEN);
            r->replaced++;
        }
        p += n;
        seg = p;
    }
    ln->no = r->lineno++;
    if (copied) {
        buf_put(&r->scratch, seg, (size_t)(p - seg));
        if (!buf_ok(&r->scratch)) {
            oom(r);
            return -1;
        }
        ln->s = (const unsigned char *)r->scratch.ptr;
        ln->len = r->scratch.len;
    } else {
        ln->s = start;
        ln->len = (size_t)(p - start);
    }
    if (p < end)
        p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
    r->p = p;
    return 1;
}

/* A front matter fence: exactly `mark` (3 bytes) at the start of the line,
 * then nothing but whitespace.  Works on raw bytes too (used before the
 * lines are validated), hence FF counts as whitespace here. */
static int is_fence(const unsigned char *s, size_t len, const char *mark)
{
    if (len < 3 || memcmp(s, mark, 3) != 0)
        return 0;
    for (size_t i = 3; i < len; i++)
        if (!is_ws(s[i]) && s[i] != '\f')
            return 0;
    return 1;
}

/* Looks ahead (raw bytes, same line splitting as next_line) for the line
 * that closes front matter.  Returns 1 and the number of lines before it, or
 * 0 if there is none -- then the opening "---" was ordinary text.  Only runs
 * when line 1 is "---", and at most once. */
static int find_fence(const unsigned char *p, const unsigned char *end, size_t *nlines)
{
    size_t n = 0;
    while (p < end) {
        const unsigned char *q = p;
        while (q < end && *q != '\n' && *q != '\r')
            q++;
        if (is_fence(p, (size_t)(q - p), "---") || is_fence(p, (size_t)(q - p), "..."))
            break;
        n++;
        p = q;
        if (p < end)
            p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
    }
    if (p >= end)
        return 0;
    *nlines = n;
    return 1;
}

static unsigned short line16(size_t no)
{
    return no > 65535 ? 65535 : (unsigned short)no;
}

/* Appends a new element to parent.  NULL on OOM (nothing leaks: an element
 * that could not be linked is freed here). */
static xmlNode *add_elem(rd *r, xmlNode *parent, const char *name, size_t lineno)
{
    xmlNode *n = xmlNewDocNode(r->doc, NULL, BAD_CAST name, NULL);
    if (!n)
        return NULL;
    n->line = line16(lineno);
    if (!xmlAddChild(parent, n)) {
        xmlFreeNode(n);
        return NULL;
    }
    return n;
}

/* Gives an empty element one text node (none for empty text).  Content is
 * taken literally: unlike the content argument of xmlNewDocNode/xmlNewChild,
 * xmlNewDocTextLen does not interpret "&...;". */
static int add_text(rd *r, xmlNode *el, const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    xmlNode *t = xmlNewDocTextLen(r->doc, s, (int)len);
    if (!t)
        return -1;
    if (!xmlAddChild(el, t)) {
        xmlFreeNode(t);
        return -1;
    }
    return 0;
}

static int add_title(rd *r, const unsigned char *s, size_t len, size_t lineno)
{
    xmlNode *t = add_elem(r, r->head, "title", lineno);
    if (!t || add_text(r, t, s, len) < 0)
        return oom(r);
    r->have_title = 1;
    return LODE_OK;
}

/* <meta name=key content=value>; the two strings are made NUL-terminated in
 * r->tmp ("key\0value\0") for xmlNewProp, which copies them. */
static int add_meta(rd *r, const unsigned char *k, size_t kl, const unsigned char *v, size_t vl,
                    size_t lineno)
{
    buf_reset(&r->tmp);
    buf_put(&r->tmp, k, kl);
    buf_putc(&r->tmp, '\0');
    buf_put(&r->tmp, v, vl);
    if (!buf_ok(&r->tmp))
        return oom(r);
    xmlNode *m = add_elem(r, r->head, "meta", lineno);
    const xmlChar *name = BAD_CAST r->tmp.ptr, *content = BAD_CAST(r->tmp.ptr + kl + 1);
    /* m is already in the tree: on failure the doc frees it */
    if (!m || !xmlNewProp(m, BAD_CAST "name", name) || !xmlNewProp(m, BAD_CAST "content", content))
        return oom(r);
    return LODE_OK;
}

/* One line inside front matter.  Keys are whatever precedes the first ':'
 * (trimmed, non-empty, the line not indented): YAML's nesting, lists and
 * multi-line values are out of scope and are reported, not guessed at. */
static int front_matter_line(rd *r, const line *ln)
{
    const unsigned char *s = ln->s;
    size_t len = ln->len;
    trim(&s, &len);
    if (len == 0 || s[0] == '#')
        return LODE_OK;
    const unsigned char *colon = memchr(s, ':', len);
    const unsigned char *k = s, *v = colon ? colon + 1 : NULL;
    size_t kl = colon ? (size_t)(colon - s) : 0, vl = colon ? (size_t)(s + len - v) : 0;
    trim(&k, &kl);
    if (!colon || kl == 0 || is_ws(ln->s[0])) {
        warn(r, ln->no, "front matter line is not 'key: value', ignored");
        return LODE_OK;
    }
    trim(&v, &vl);
    if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
        v++;
        vl -= 2;
    }
    if (add_meta(r, k, kl, v, vl, ln->no) != LODE_OK)
        return r->err;
    if (kl == 4 && memcmp(k, "date", 4) == 0)
        r->have_date = 1;
    if (kl == 5 && memcmp(k, "title", 5) == 0 && vl > 0 && !r->have_title)
        return add_title(r, v, vl, ln->no);
    return LODE_OK;
}

static int is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static int digits(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* Matches "[ws]date ws+ YYYY-MM[-DD] (ws rest | end)".  On a match stores the
 * date and the trimmed rest (possibly empty) and returns 1.  "-DD" is taken
 * only when a whitespace or the line end follows it, as a regex would. */
static int date_header(const line *ln, const unsigned char **date, size_t *dl,
                       const unsigned char **rest, size_t *rl)
{
    const unsigned char *s = ln->s;
    size_t n = ln->len, i = 0;
    while (i < n && is_ws(s[i]))
        i++;
    if (n - i < 5 || memcmp(s + i, "date", 4) != 0 || !is_ws(s[i + 4]))
        return 0;
    i += 4;
    while (i < n && is_ws(s[i]))
        i++;
    size_t d = i;
    if (n - i < 7 || !digits(s + i, 4) || s[i + 4] != '-' || !digits(s + i + 5, 2))
        return 0;
    i += 7;
    if (n - i >= 3 && s[i] == '-' && digits(s + i + 1, 2) && (n - i == 3 || is_ws(s[i + 3])))
        i += 3;
    if (i < n && !is_ws(s[i]))
        return 0;
    *date = s + d;
    *dl = i - d;
    *rest = s + i;
    *rl = n - i;
    trim(rest, rl);
    return 1;
}

static int emit_date_header(rd *r, const line *ln, const unsigned char *date, size_t dl,
                            const unsigned char *rest, size_t rl)
{
    if (!r->have_date && add_meta(r, (const unsigned char *)"date", 4, date, dl, ln->no) != LODE_OK)
        return r->err;
    r->have_date = 1;
    if (rl == 0)
        return LODE_OK;
    if (!r->have_title && add_title(r, rest, rl, ln->no) != LODE_OK)
        return r->err;
    xmlNode *h1 = add_elem(r, r->body, "h1", ln->no);
    if (!h1 || add_text(r, h1, rest, rl) < 0)
        return oom(r);
    return LODE_OK;
}

/* Ends the open paragraph, if any: one <p>, one text node. */
static int para_flush(rd *r)
{
    if (!r->para_start)
        return LODE_OK;
    if (!buf_ok(&r->para))
        return oom(r);
    xmlNode *p = add_elem(r, r->body, "p", r->para_start);
    if (!p || add_text(r, p, (const unsigned char *)r->para.ptr, r->para.len) < 0)
        return oom(r);
    buf_reset(&r->para);
    r->para_start = 0;
    return LODE_OK;
}

/* A body line: blank ends the open paragraph, anything else joins it. */
static int para_line(rd *r, const line *ln)
{
    const unsigned char *s = ln->s;
    size_t len = ln->len;
    trim(&s, &len);
    if (len == 0)
        return para_flush(r);
    if (r->para_start) {
        buf_putc(&r->para, ' ');
    } else {
        r->para_start = ln->no;
    }
    buf_put(&r->para, s, len);
    if (r->para.len > PARA_MAX) {
        r->err = engine_error(r->e, LODE_ELIMIT,
                              "%s:%zu: paragraph longer than %zu MiB (no blank line ends it)",
                              r->name, r->para_start, PARA_MAX >> 20);
        return r->err;
    }
    return LODE_OK;
}

/* Everything after the BOM checks: html/head/body, then front matter, the
 * date header and the paragraphs, in input order. */
static int build(rd *r)
{
    xmlNode *html = xmlNewDocNode(r->doc, NULL, BAD_CAST "html", NULL);
    if (!html)
        return oom(r);
    xmlDocSetRootElement(r->doc, html);
    r->head = add_elem(r, html, "head", 1);
    r->body = r->head ? add_elem(r, html, "body", 1) : NULL;
    if (!r->body)
        return oom(r);
    /* The tree is Unicode and lode writes UTF-8: say so, so that a browser
     * opening the HTML output does not guess another charset. */
    xmlNode *charset = add_elem(r, r->head, "meta", 1);
    if (!charset || !xmlNewProp(charset, BAD_CAST "charset", BAD_CAST "utf-8"))
        return oom(r);

    line ln;
    int st = next_line(r, &ln);
    size_t nfm;
    if (st > 0 && is_fence(ln.s, ln.len, "---") && find_fence(r->p, r->end, &nfm)) {
        for (size_t i = 0; i < nfm; i++) {
            if (next_line(r, &ln) < 0 || front_matter_line(r, &ln) != LODE_OK)
                return r->err;
        }
        if (next_line(r, &ln) < 0) /* the closing fence */
            return r->err;
        st = next_line(r, &ln);
    }
    if (st > 0) {
        const unsigned char *date, *rest;
        size_t dl, rl;
        int rc = date_header(&ln, &date, &dl, &rest, &rl)
                     ? emit_date_header(r, &ln, date, dl, rest, rl)
                     : para_line(r, &ln);
        if (rc != LODE_OK)
            return rc;
        while ((st = next_line(r, &ln)) > 0)
            if (para_line(r, &ln) != LODE_OK)
                return r->err;
    }
    if (st < 0)
        return r->err;
    return para_flush(r);
}

int read_text(lode_engine *e, const char *name, const unsigned char *data, size_t len,
              const lode_parse_options *po, xmlDoc **out)
{
    const char *nm = engine_srcname(name);
    *out = NULL;
    /* lode_doc_parse checks this too; here it also keeps every length handed
     * to libxml2 (an int) in range for direct callers */
    if (len > e->limits.max_input_bytes)
        return engine_error(e, LODE_ELIMIT,
                            "%s: %zu bytes is larger than the input limit of %zu bytes", nm, len,
                            e->limits.max_input_bytes);
    if ((len >= 4 && memcmp(data, "\x00\x00\xFE\xFF", 4) == 0) ||
        (len >= 4 && memcmp(data, "\xFF\xFE\x00\x00", 4) == 0))
        return engine_error(e, LODE_EENCODING,
                            "%s: UTF-32 text is not supported (convert it to UTF-8)", nm);
    if (len >= 2 && (memcmp(data, "\xFE\xFF", 2) == 0 || memcmp(data, "\xFF\xFE", 2) == 0))
        return engine_error(e, LODE_EENCODING,
                            "%s: UTF-16 text is not supported (convert it to UTF-8)", nm);
    size_t skip = (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    if (len == skip)
        return engine_error(e, LODE_EEMPTY, "%s: empty document", nm);

    rd r;
    memset(&r, 0, sizeof r);
    r.e = e;
    r.name = nm;
    r.base = data;
    r.p = data + skip;
    r.end = data + len;
    r.lineno = 1;
    r.repair = po && (po->flags & LODE_PARSE_REPAIR);
    r.err = LODE_OK;
    buf_init(&r.scratch, &e->mem);
    buf_init(&r.para, &e->mem);
    buf_init(&r.tmp, &e->mem);
    /* libxml2 reports its own allocation failures (some of which it goes
     * on after, e.g. a node without its name) on the thread's handlers:
     * capture them, never print, and fail the read on one */
    xmlerr x;
    xmlerr_begin(&x, NULL);
    r.doc = htmlNewDocNoDtD(NULL, NULL);
    int rc = r.doc ? build(&r) : oom(&r);
    xmlerr_end(&x);
    if (rc == LODE_OK && x.nomem)
        rc = oom(&r);
    buf_free(&r.scratch);
    buf_free(&r.para);
    buf_free(&r.tmp);
    if (rc != LODE_OK) {
        xmlFreeDoc(r.doc);
        return rc;
    }
    if (r.replaced)
        engine_warn(e, "%s: replaced %zu invalid UTF-8 sequence(s) with U+FFFD", nm, r.replaced);
    *out = r.doc;
    return LODE_OK;
}
