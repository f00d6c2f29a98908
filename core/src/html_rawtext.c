/* html_rawtext.c -- script and style text kept out of libxml2's character
 * loop (see html_rawtext.h). */
#include "html_rawtext.h"

#include <stdint.h>
#include <string.h>

#include <libxml/xmlmemory.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct rawtext_span {
    size_t begin, end; /* the span's bytes in the page */
    size_t newlines;   /* '\n' bytes in it (the placeholder repeats them) */
    int style;         /* 0 <script>, 1 <style> */
    xmlNode *node;     /* its placeholder's CDATA node, once found */
} rawtext_span;

/* DEL is a character XML allows, so libxml2 keeps it in raw text. */
#define MARK "\x7flode-raw\x7f"
#define MARK_LEN (sizeof MARK - 1)

void rawtext_init(rawtext *r, const mem *m, const unsigned char *data, size_t min)
{
    buf_init(&r->spans, m);
    r->data = data;
    r->n = 0;
    r->min = min ? min : 1;
    r->failed = 0;
}

void rawtext_free(rawtext *r)
{
    buf_free(&r->spans);
    r->n = 0;
}

void rawtext_collect(void *ud, size_t begin, size_t end, int style)
{
    rawtext *r = ud;
    /* libxml2 looks at the first bytes of raw text before it reads it as
     * such: "</" is taken for an end tag, and "<body" or "<frameset" close
     * the script.  A placeholder begins with DEL, so it would skip what the
     * page's own bytes do there: such a span is left to libxml2. */
    if (end - begin < r->min || r->data[begin] == '<')
        return;
    rawtext_span s = {begin, end, 0, style, NULL};
    buf_put(&r->spans, &s, sizeof s);
    if (!buf_ok(&r->spans))
        r->failed = 1;
    else
        r->n++;
}

static rawtext_span *span_at(rawtext *r, size_t i)
{
    return (rawtext_span *)(void *)r->spans.ptr + i;
}

static size_t count_newlines(const unsigned char *p, const unsigned char *end)
{
    size_t n = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* The placeholder of span i without its newlines: MARK, i in decimal, DEL. */
static size_t placeholder_head(char *out, size_t i)
{
    char digits[24];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    memcpy(out, MARK, MARK_LEN);
    size_t len = MARK_LEN;
    while (nd)
        out[len++] = digits[--nd];
    out[len++] = '\x7f';
    return len;
}

/* How many bytes of the character at p (p < end) libxml2 drops: 0 if it
 * keeps it. */
static size_t dropped(const unsigned char *p, const unsigned char *end)
{
    if (*p < 0x20)
        return *p == '\t' || *p == '\n' || *p == '\r' ? 0 : 1;
    if (*p == 0xef && end - p >= 3 && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
        return 3;
    return 0;
}

/* Does the marker begin at p, counting the characters libxml2 drops from
 * raw text (which could join its pieces into one)? */
static int holds_mark(const unsigned char *p, const unsigned char *end)
{
    size_t j = 0;
    while (j < MARK_LEN && p < end) {
        if (*p == (unsigned char)MARK[j]) {
            j++;
            p++;
            continue;
        }
        size_t d = dropped(p, end);
        if (!d)
            break;
        p += d;
    }
    return j == MARK_LEN;
}

int rawtext_hollow(rawtext *r, const unsigned char *data, size_t len, buf *out)
{
    if (r->failed)
        return -1;
    if (r->n == 0)
        return 0;
    /* A page that holds the marker could plant a placeholder of its own. */
    for (const unsigned char *p = data, *end = data + len;
         (p = memchr(p, '\x7f', (size_t)(end - p))) != NULL; p++)
        if (holds_mark(p, end))
            return 0;
    size_t pos = 0;
    for (size_t i = 0; i < r->n; i++) {
        rawtext_span *s = span_at(r, i);
        s->newlines = count_newlines(data + s->begin, data + s->end);
        char head[MARK_LEN + 24];
        size_t hl = placeholder_head(head, i);
        buf_put(out, data + pos, s->begin - pos);
        buf_put(out, head, hl);
        if (buf_reserve(out, s->newlines) == 0) {
            memset(out->ptr + out->len, '\n', s->newlines);
            out->len += s->newlines;
            out->ptr[out->len] = '\0';
        }
        pos = s->end;
    }
    buf_put(out, data + pos, len - pos);
    return buf_ok(out) ? 1 : -1;
}

/* Is n, a CDATA node whose text begins with MARK, a placeholder alone in
 * the element it stands for?  Returns its span's number, or SIZE_MAX. */
static size_t placeholder_of(rawtext *r, const xmlNode *n)
{
    const char *c = (const char *)n->content;
    size_t i = 0, nd = 0;
    for (c += MARK_LEN; *c >= '0' && *c <= '9' && nd < 20; c++, nd++) {
        if (i > (SIZE_MAX - 9) / 10)
            return SIZE_MAX;
        i = i * 10 + (size_t)(*c - '0');
    }
    if (nd == 0 || *c != '\x7f' || i >= r->n)
        return SIZE_MAX;
    rawtext_span *s = span_at(r, i);
    char head[MARK_LEN + 24];
    if (s->node || nd != placeholder_head(head, i) - MARK_LEN - 1)
        return SIZE_MAX; /* a second copy, or leading zeros */
    c++;
    for (size_t k = 0; k < s->newlines; k++, c++)
        if (*c != '\n')
            return SIZE_MAX;
    if (*c != '\0')
        return SIZE_MAX;
    const xmlNode *e = n->parent;
    if (!e || e->type != XML_ELEMENT_NODE || e->children != n || e->last != n || n->prev || n->next ||
        !xmlStrEqual(e->name, BAD_CAST(s->style ? "style" : "script")))
        return SIZE_MAX;
    return i;
}

/* Does p[0..n) hold a byte libxml2 drops from raw text?  Those are the
 * characters XML does not allow: C0 controls other than tab, newline and
 * carriage return (NUL never reaches here), and U+FFFE and U+FFFF
 * (EF BF BE, EF BF BF).  Scans for a control byte or 0xEF. */
static const unsigned char *next_suspect(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
    const __m128i c1f = _mm_set1_epi8(0x1f), ef = _mm_set1_epi8((char)0xef);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f); /* v <= 0x1f */
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(v, ef)));
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (p < end && *p >= 0x20 && *p != 0xef)
        p++;
    return p;
}

/* The span's text as libxml2 keeps it, in a fresh xmlMalloc'd string. */
static xmlChar *span_text(const unsigned char *p, const unsigned char *end, size_t *outlen)
{
    xmlChar *t = xmlMalloc((size_t)(end - p) + 1);
    if (!t)
        return NULL;
    size_t len = 0;
    while (p < end) {
        const unsigned char *q = next_suspect(p, end);
        size_t d = q < end ? dropped(q, end) : 0;
        size_t keep = (size_t)(q - p) + (q < end && d == 0 ? 1 : 0);
        memcpy(t + len, p, keep);
        len += keep;
        p += keep + d;
    }
    t[len] = '\0';
    *outlen = len;
    return t;
}

int rawtext_fill(rawtext *r, xmlDoc *doc, const unsigned char *data)
{
    size_t found = 0;
    xmlNode *n = doc->children;
    while (n) {
        if (n->type == XML_CDATA_SECTION_NODE && n->content &&
            strncmp((const char *)n->content, MARK, MARK_LEN) == 0) {
            size_t i = placeholder_of(r, n);
            if (i == SIZE_MAX)
                return 0;
            span_at(r, i)->node = n;
            found++;
        }
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            if (n && n->type != XML_ELEMENT_NODE)
                n = NULL; /* the document */
        }
        if (n)
            n = n->next;
    }
    if (found != r->n)
        return 0;
    for (size_t i = 0; i < r->n; i++) {
        rawtext_span *s = span_at(r, i);
        size_t len;
        xmlChar *t = span_text(data + s->begin, data + s->end, &len);
        if (!t)
            return -1;
        xmlNode *c = s->node;
        s->node = NULL;
        if (len == 0) {
            /* libxml2 makes no node for text it drops whole */
            xmlFree(t);
            xmlUnlinkNode(c);
            xmlFreeNode(c);
            continue;
        }
        xmlFree(c->content);
        c->content = t;
    }
    return 1;
}
