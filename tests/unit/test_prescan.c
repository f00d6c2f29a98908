/* test_prescan.c -- the pre-scan for NUL bytes and start tags with too many
 * attributes (prescan.h).
 *
 * The scan inside a tag looks at sixteen bytes a step where SSE2 is there
 * and one byte a step for the rest, so every case is tried at every offset
 * of a 16-byte block, with names and values long and short enough to end
 * inside a block, on its last byte and past it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prescan.h"

static prescan scan(const char *s, unsigned max, int html)
{
    prescan ps;
    prescan_run((const unsigned char *)s, strlen(s), max, html, &ps);
    return ps;
}

/* pad bytes of text, then a tag with k attributes named with namelen
 * letters, values quoted (q: '"', '\'' or 0 for none) of vallen bytes. */
static char *make_tag(size_t pad, unsigned k, size_t namelen, size_t vallen, char q)
{
    size_t cap = pad + 16 + (size_t)k * (namelen + vallen + 8);
    char *s = malloc(cap);
    if (!s)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < pad; i++)
        s[n++] = 'x';
    memcpy(s + n, "<div", 4);
    n += 4;
    for (unsigned a = 0; a < k; a++) {
        s[n++] = ' ';
        for (size_t i = 0; i < namelen; i++)
            s[n++] = (char)('a' + (a + i) % 26);
        s[n++] = '=';
        if (q)
            s[n++] = q;
        for (size_t i = 0; i < vallen; i++)
            s[n++] = q ? (i % 5 == 0 ? '=' : i % 7 == 0 ? '>' : 'v') : 'v'; /* '=' and '>' inside quotes */
        if (q)
            s[n++] = q;
    }
    memcpy(s + n, ">t</div>", 9);
    return s;
}

static void test_limit_at_every_offset(void)
{
    static const size_t names[] = {1, 3, 15, 16, 17, 40};
    static const size_t vals[] = {0, 1, 14, 15, 16, 33};
    static const char quotes[] = {'"', '\'', 0};
    int bad = 0, cases = 0;
    for (size_t pad = 0; pad < 20; pad++)
        for (size_t ni = 0; ni < sizeof names / sizeof *names; ni++)
            for (size_t vi = 0; vi < sizeof vals / sizeof *vals; vi++)
                for (size_t qi = 0; qi < sizeof quotes; qi++)
                    for (unsigned k = 0; k <= 5; k++) {
                        if (!quotes[qi] && vals[vi] == 0)
                            continue; /* a=: still one '=' */
                        char *s = make_tag(pad, k, names[ni], vals[vi], quotes[qi]);
                        prescan at = scan(s, k, 1), over = scan(s, k ? k - 1 : 0, 1);
                        cases++;
                        if (at.attrs_offset != (size_t)-1 || (k && over.attrs_offset != pad) ||
                            at.nul_offset != (size_t)-1) {
                            if (bad++ < 5)
                                printf("#   pad %zu, %u attributes, name %zu, value %zu, quote %d: %zu / %zu\n",
                                       pad, k, names[ni], vals[vi], quotes[qi], at.attrs_offset,
                                       over.attrs_offset);
                        }
                        free(s);
                    }
    CHECK(cases > 5000);
    CHECK_EQ_INT(bad, 0);
}

static void test_cases(void)
{
    /* '=' in a quoted value is not an attribute, '>' in one does not end the tag */
    CHECK_EQ_INT(scan("<a href=\"x=y>z\" b=c>", 2, 1).attrs_offset, (size_t)-1);
    CHECK_EQ_INT(scan("<a href=\"x=y>z\" b=c>", 1, 1).attrs_offset, 0);
    /* an unclosed quote runs to the end: its '=' signs are not counted */
    CHECK_EQ_INT(scan("<p a=1 b='=====", 2, 1).attrs_offset, (size_t)-1);
    CHECK_EQ_INT(scan("<p a=1 b='=====", 1, 1).attrs_offset, 0);
    /* '<' inside a tag ends it (malformed markup): the next tag counts alone */
    CHECK_EQ_INT(scan("<p a=1 b=2 <i c=3 d=4 e=5>", 2, 1).attrs_offset, 11);
    CHECK_EQ_INT(scan("<p a=1 b=2 <i c=3 d=4>", 2, 1).attrs_offset, (size_t)-1);
    /* comments, CDATA, processing instructions, script and style text: skipped */
    CHECK_EQ_INT(scan("<!-- <p a=1 b=2> --><p>", 1, 1).attrs_offset, (size_t)-1);
    CHECK_EQ_INT(scan("<?pi a=1 b=2?><p>", 1, 1).attrs_offset, (size_t)-1);
    CHECK_EQ_INT(scan("<![CDATA[<p a=1 b=2>]]><p>", 1, 1).attrs_offset, (size_t)-1);
    CHECK_EQ_INT(scan("<script>if (a==b && c==d) x='<p a=1 b=2>'</script><p>", 1, 1).attrs_offset,
                 (size_t)-1);
    CHECK_EQ_INT(scan("<STYLE>a[x=\"1\"], b[y=\"2\"] {}</Style><p a=1 b=2>", 1, 1).attrs_offset, 36);
    /* ... but not in XML, and not after <script/> */
    CHECK_EQ_INT(scan("<script><p a=1 b=2></script>", 1, 0).attrs_offset, 8);
    CHECK_EQ_INT(scan("<script/><p a=1 b=2>", 1, 1).attrs_offset, 9);
    /* a tag running past the end of the input */
    CHECK_EQ_INT(scan("<div a=1 b=2 c=3", 2, 1).attrs_offset, 0);
    CHECK_EQ_INT(scan("<div a=1 b=2 c=3", 3, 1).attrs_offset, (size_t)-1);
    /* NUL: the first one, wherever it is */
    static const char nul[] = "<p a=1>ab\0cd\0";
    prescan ps;
    prescan_run((const unsigned char *)nul, sizeof nul - 1, 10, 1, &ps);
    CHECK_EQ_INT(ps.nul_offset, 9);
    CHECK_EQ_INT(ps.attrs_offset, (size_t)-1);
}

/* With no more '=' in the page than the limit the tags are not walked (no
 * tag can pass it); with more, they are, and only a tag over the limit is
 * reported, wherever the '=' signs are (text, quoted values, other tags). */
static void test_equals_total(void)
{
    for (unsigned max = 3; max <= 40; max += 37) {
        for (size_t pad = 0; pad < 20; pad++) {
            char s[4096];
            size_t n = 0;
            for (size_t i = 0; i < pad; i++)
                s[n++] = 'x';
            /* max '=' in text and values, then tags of max attributes each */
            for (unsigned i = 0; i < max; i++)
                s[n++] = '=';
            for (int t = 0; t < 3; t++) {
                n += (size_t)sprintf(s + n, "<p title=\"a=b\"");
                for (unsigned a = 1; a < max; a++)
                    n += (size_t)sprintf(s + n, " a%u=%u", a, a);
                s[n++] = '>';
            }
            s[n] = '\0';
            CHECK_EQ_INT(scan(s, max, 0).attrs_offset, (size_t)-1);
            CHECK_EQ_INT(scan(s, max, 1).attrs_offset, (size_t)-1);
            /* one attribute more on the last tag */
            size_t last = (size_t)(strrchr(s, '<') - s);
            strcpy(s + n - 1, " z=1>");
            CHECK_EQ_INT(scan(s, max, 0).attrs_offset, last);
            CHECK_EQ_INT(scan(s, max, 1).attrs_offset, last);
        }
        /* exactly max '=' in all, max on one tag: not over */
        char t[512];
        size_t n = (size_t)sprintf(t, "<p");
        for (unsigned a = 0; a < max; a++)
            n += (size_t)sprintf(t + n, " a%u=1", a);
        strcpy(t + n, ">x</p>");
        CHECK_EQ_INT(scan(t, max, 0).attrs_offset, (size_t)-1);
        strcpy(t + n, " b=2>x</p>");
        CHECK_EQ_INT(scan(t, max, 0).attrs_offset, 0);
    }
}

static void test_position(void)
{
    int line, col;
    const char *s = "ab\ncd\n\nefg";
    prescan_position((const unsigned char *)s, 0, &line, &col);
    CHECK(line == 1 && col == 1);
    prescan_position((const unsigned char *)s, 4, &line, &col);
    CHECK(line == 2 && col == 2);
    prescan_position((const unsigned char *)s, 9, &line, &col);
    CHECK(line == 4 && col == 3);
}

int main(void)
{
    RUN(test_limit_at_every_offset);
    RUN(test_cases);
    RUN(test_equals_total);
    RUN(test_position);
    return harness_done();
}
