/* prescan.c -- NUL and attribute-count pre-scan (see prescan.h). */
#include "prescan.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Counts attributes in the start tag at p[0] == '<' by counting '=' signs
 * outside quoted values, which over-counts nothing in well-formed markup and
 * cannot be fooled by '>' inside a quoted value.  Returns the tag's end. */
/* The bytes tag_end stops at; everything else inside a tag is skipped by
 * one table lookup a byte. */
static const unsigned char tag_special[256] = {
    ['"'] = 1, ['\''] = 1, ['='] = 1, ['>'] = 1, ['<'] = 1,
};

/* The first byte at or after p that tag_special marks, or end.  With SSE2
 * (every x86-64), sixteen bytes a step: the scan of every start tag of a
 * page was 1.5% of a run that parses it and edits it with rules. */
static const unsigned char *next_special(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
    const __m128i dq = _mm_set1_epi8('"'), sq = _mm_set1_epi8('\''), eq = _mm_set1_epi8('='),
                  gt = _mm_set1_epi8('>'), lt = _mm_set1_epi8('<');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, sq)),
                                 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, eq), _mm_cmpeq_epi8(v, gt)),
                                              _mm_cmpeq_epi8(v, lt)));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (p < end && !tag_special[*p])
        p++;
    return p;
}

static const unsigned char *tag_end(const unsigned char *p, const unsigned char *end, unsigned *attrs)
{
    unsigned n = 0;
    for (p++; p < end; p++) {
        p = next_special(p, end);
        if (p >= end)
            break;
        unsigned char c = *p;
        if (c == '"' || c == '\'') {
            /* jump over the quoted value to its closing quote */
            const unsigned char *q = memchr(p + 1, c, (size_t)(end - p - 1));
            if (!q) {
                p = end;
                break;
            }
            p = q;
        } else if (c == '=') {
            n++;
        } else {
            break; /* '>', or '<' in malformed markup: the parser reports it */
        }
    }
    *attrs = n;
    return p;
}

/* Finds needle (ASCII, matched case-insensitively) at or after p. */
static const unsigned char *find_ci(const unsigned char *p, const unsigned char *end, const char *needle)
{
    size_t n = strlen(needle);
    while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        if ((size_t)(end - p) >= n && strncasecmp((const char *)p, needle, n) == 0)
            return p;
        p++;
    }
    return end;
}

static const unsigned char *find_str(const unsigned char *p, const unsigned char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p < end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p));
        if (!p)
            return end;
        if ((size_t)(end - p) >= n && memcmp(p, needle, n) == 0)
            return p + n;
    }
    return end;
}

/* Is the tag at p (p[0] == '<') named name (case-insensitive, whole name)? */
static int tag_is(const unsigned char *p, const unsigned char *end, const char *name)
{
    size_t n = strlen(name);
    if ((size_t)(end - p) < n + 2 || strncasecmp((const char *)p + 1, name, n) != 0)
        return 0;
    unsigned char c = p[1 + n];
    return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Walks the markup the way a tokenizer would at the coarsest level: start
 * tags are counted; comments, CDATA sections, processing instructions and
 * the raw text of <script>/<style> are skipped, so that '=' signs in
 * JavaScript or comments are never taken for attributes. */
void prescan_run(const unsigned char *data, size_t len, unsigned max_attributes, int html, prescan *out)
{
    prescan_run_raw(data, len, max_attributes, html, out, NULL, NULL);
}

/* The number of '=' bytes in data, up to limit + 1. */
static size_t count_equals(const unsigned char *p, size_t len, size_t limit)
{
    const unsigned char *end = p + len;
    size_t n = 0;
#ifdef __SSE2__
    /* 64 bytes a step; '=' is rare, so the bits are counted only in a step
     * that has one */
    const __m128i eq = _mm_set1_epi8('=');
    while (end - p >= 64 && n <= limit) {
        __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), eq);
        __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), eq);
        __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), eq);
        __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), eq);
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)))) {
            uint64_t bits = (uint64_t)(unsigned)_mm_movemask_epi8(a) |
                            (uint64_t)(unsigned)_mm_movemask_epi8(b) << 16 |
                            (uint64_t)(unsigned)_mm_movemask_epi8(c) << 32 |
                            (uint64_t)(unsigned)_mm_movemask_epi8(d) << 48;
            for (; bits; bits &= bits - 1)
                n++;
        }
        p += 64;
    }
#endif
    for (; p < end && n <= limit; p++)
        n += *p == '=';
    return n;
}

void prescan_run_raw(const unsigned char *data, size_t len, unsigned max_attributes, int html, prescan *out,
                     prescan_raw_fn raw, void *ud)
{
    out->nul_offset = (size_t)-1;
    out->attrs_offset = (size_t)-1;
    const unsigned char *z = memchr(data, 0, len);
    if (z)
        out->nul_offset = (size_t)(z - data);
    /* A tag's attributes are counted by its '=' signs: with no more of them
     * in the whole page than the limit, no tag can pass it, and unless raw
     * text is wanted there is nothing else to look for.  Most documents
     * end here, at a fraction of the cost of the walk over their tags. */
    if (!raw && count_equals(data, len, max_attributes) <= max_attributes)
        return;
    const unsigned char *p = data, *end = data + len;
    while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        if (p + 1 >= end)
            break;
        unsigned char c = p[1];
        if (c == '!') {
            if (end - p >= 4 && p[2] == '-' && p[3] == '-')
                p = find_str(p + 4, end, "-->");
            else if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
                p = find_str(p + 9, end, "]]>");
            else
                p = find_str(p + 2, end, ">");
        } else if (c == '?') {
            p = find_str(p + 2, end, "?>");
        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
            unsigned n;
            const unsigned char *q = tag_end(p, end, &n);
            if (n > max_attributes) {
                out->attrs_offset = (size_t)(p - data);
                return;
            }
            /* raw text follows <script> and <style>, but not <script/> */
            int self_closing = q < end && q > p && q[-1] == '/';
            if (html && (c | 0x20) == 's' && !self_closing) {
                int style = -1;
                const unsigned char *text = q < end ? q + 1 : end;
                if (tag_is(p, end, "script")) {
                    style = 0;
                    q = find_ci(q, end, "</script");
                } else if (tag_is(p, end, "style")) {
                    style = 1;
                    q = find_ci(q, end, "</style");
                }
                /* only after a whole start tag ('>', not a '<' that cut it) */
                if (raw && style >= 0 && text < end && text[-1] == '>')
                    raw(ud, (size_t)(text - data), (size_t)(q - data), style);
            }
            p = q;
        } else {
            p++;
        }
    }
}

void prescan_position(const unsigned char *data, size_t offset, int *line, int *col)
{
    int l = 1;
    size_t last = 0;
    for (size_t i = 0; i < offset; i++)
        if (data[i] == '\n') {
            l++;
            last = i + 1;
        }
    *line = l;
    *col = (int)(offset - last) + 1;
}
