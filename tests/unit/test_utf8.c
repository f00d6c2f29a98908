/* test_utf8.c -- the strict UTF-8 decoder, validator and repairer (utf8.h).
 *
 * Besides the cases of Unicode §3.9 (Table 3-8 and the maximal-subpart
 * examples), every 1-, 2- and 3-byte input and every 4-byte input that starts
 * with a 4-byte lead is checked against a reference built only from the
 * encoder: the set of prefixes of all well-formed encodings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "utf8.h"

static const mem test_mem = {mem_default_alloc, NULL};

/* Repairs s and compares with want; also checks the count. */
static void check_repair(const char *s, size_t len, const char *want, size_t want_count)
{
    buf b;
    buf_init(&b, &test_mem);
    size_t n = utf8_repair(&b, (const unsigned char *)s, len);
    CHECK(buf_ok(&b));
    CHECK_EQ_INT(n, want_count);
    int same = b.len == strlen(want) && memcmp(b.ptr ? b.ptr : "", want, b.len) == 0;
    if (!CHECK(same)) {
        printf("#   got:");
        for (size_t i = 0; i < b.len; i++)
            printf(" %02X", (unsigned char)b.ptr[i]);
        printf("\n");
    }
    buf_free(&b);
}

#define R UTF8_REPLACEMENT

static void test_table_3_8(void)
{
    /* Unicode 15, Table 3-8: U+FFFD for maximal subparts. */
    check_repair("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 13,
                 "a" R R R "b" R "c" R R "d", 6);
    /* the examples of §3.9 */
    check_repair("\xF1\x80\x80\x41", 4, R "A", 1);
    check_repair("\xC0\xAF", 2, R R, 2);                   /* overlong '/' */
    check_repair("\xE0\x80\xAF", 3, R R R, 3);             /* overlong, 3 bytes */
    check_repair("\xF0\x80\x80\xAF", 4, R R R R, 4);       /* overlong, 4 bytes */
    check_repair("\xED\xA0\x80", 3, R R R, 3);             /* surrogate D800 */
    check_repair("\xED\xBF\xBF", 3, R R R, 3);             /* surrogate DFFF */
    check_repair("\xF4\x90\x80\x80", 4, R R R R, 4);       /* U+110000 */
    check_repair("\xF5\x80\x80\x80", 4, R R R R, 4);       /* F5 lead */
    check_repair("\xF8\x88\x80\x80\x80", 5, R R R R R, 5); /* old 5-byte form */
    check_repair("\xC1\xBF", 2, R R, 2);
    check_repair("\xFE\xFF", 2, R R, 2);
    check_repair("\x80\xBF", 2, R R, 2); /* lone continuations */
}

static void test_truncated(void)
{
    check_repair("\xE2\x82", 2, R, 1);              /* € cut after 2 of 3 */
    check_repair("abc\xF0\x9F\x98", 6, "abc" R, 1); /* 😀 cut after 3 of 4 */
    check_repair("\xC3", 1, R, 1);
    check_repair("\xE2\x82x", 3, R "x", 1); /* cut by an ASCII byte */
    check_repair("\xF0\x9F\xC3\xA4", 4, R "\xC3\xA4", 1);
    uint32_t cp = 0;
    CHECK_EQ_INT(utf8_decode((const unsigned char *)"\xF0\x9F\x98", 3, &cp), 3);
    CHECK(cp == UTF8_BAD);
    CHECK_EQ_INT(utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    CHECK_EQ_INT(cp, 0x1F600);
    CHECK_EQ_INT(utf8_decode((const unsigned char *)"", 0, &cp), 0);
    CHECK(cp == UTF8_BAD);
}

/* Every boundary of Table 3-7, plus the last scalar values before and after
 * the surrogates, through encode, decode and validate. */
static void test_boundaries(void)
{
    static const uint32_t cps[] = {0x0,     0x7F,    0x80,    0x7FF,    0x800,   0xFFF,  0x1000,
                                   0xCFFF,  0xD000,  0xD7FF,  0xE000,   0xFFFD,  0xFFFF, 0x10000,
                                   0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF};
    static const size_t lens[] = {1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        unsigned char b[4];
        uint32_t cp = 0;
        size_t n = utf8_put(cps[i], b);
        CHECK_EQ_INT(n, lens[i]);
        CHECK_EQ_INT(utf8_decode(b, n, &cp), n);
        CHECK_EQ_INT(cp, cps[i]);
        CHECK_EQ_INT(utf8_validate(b, n, NULL), 0);
    }
    unsigned char b[4];
    CHECK_EQ_INT(utf8_put(0xD800, b), 0);
    CHECK_EQ_INT(utf8_put(0xDFFF, b), 0);
    CHECK_EQ_INT(utf8_put(0x110000, b), 0);
    CHECK_EQ_INT(utf8_put(0xFFFFFFFFu, b), 0);
}

/* All scalar values round-trip; all surrogates are refused by the encoder. */
static void test_all_scalars(void)
{
    unsigned long bad = 0;
    for (uint32_t c = 0; c <= 0x10FFFF; c++) {
        unsigned char b[4];
        uint32_t cp = 0;
        size_t n = utf8_put(c, b);
        int surrogate = c >= 0xD800 && c <= 0xDFFF;
        if (surrogate) {
            bad += n != 0;
            continue;
        }
        if (n == 0 || utf8_decode(b, n, &cp) != n || cp != c || utf8_valid_len(b, n) != n)
            bad++;
        /* every proper prefix is one maximal subpart */
        for (size_t k = 1; k < n; k++)
            if (utf8_decode(b, k, &cp) != k || cp != UTF8_BAD)
                bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

/* The reference: which byte strings of length 1..3 are prefixes of some
 * well-formed encoding (a bitmap indexed by the bytes, big-endian). */
typedef struct ref {
    unsigned char p1[256];
    unsigned char p2[65536];
    unsigned char *p3; /* 1 << 24 bits */
} ref;

static int ref_p3(const ref *rf, unsigned a, unsigned b, unsigned c)
{
    uint32_t k = (a << 16) | (b << 8) | c;
    return (rf->p3[k >> 3] >> (k & 7)) & 1;
}

static int ref_build(ref *rf)
{
    memset(rf->p1, 0, sizeof rf->p1);
    memset(rf->p2, 0, sizeof rf->p2);
    rf->p3 = calloc((size_t)1 << 21, 1);
    if (!rf->p3)
        return -1;
    for (uint32_t c = 0; c <= 0x10FFFF; c++) {
        unsigned char b[4];
        size_t n = utf8_put(c, b);
        if (n >= 1)
            rf->p1[b[0]] = 1;
        if (n >= 2)
            rf->p2[(b[0] << 8) | b[1]] = 1;
        if (n >= 3) {
            uint32_t k = ((uint32_t)b[0] << 16) | ((uint32_t)b[1] << 8) | b[2];
            rf->p3[k >> 3] |= (unsigned char)(1u << (k & 7));
        }
    }
    return 0;
}

/* Expected decode length of s by the reference: the longest prefix that is
 * also a prefix of a well-formed encoding (at least 1); *valid if that
 * prefix is a whole encoding (for 4 bytes: if it round-trips). */
static size_t ref_len(const ref *rf, const unsigned char *s, size_t len, int *valid)
{
    unsigned char enc[4];
    size_t k = 0;
    if (len >= 1 && rf->p1[s[0]])
        k = 1;
    if (k == 1 && len >= 2 && rf->p2[(s[0] << 8) | s[1]])
        k = 2;
    if (k == 2 && len >= 3 && ref_p3(rf, s[0], s[1], s[2]))
        k = 3;
    *valid = 0;
    if (k == 0)
        return 1;
    /* is the prefix a complete encoding?  Try every length the lead allows */
    size_t want = s[0] < 0x80 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
    if (want == 4 && k == 3 && len >= 4) {
        uint32_t c = ((uint32_t)(s[0] & 7) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3Fu);
        if (utf8_put(c, enc) == 4 && memcmp(enc, s, 4) == 0) {
            *valid = 1;
            return 4;
        }
    }
    if (k == want)
        *valid = 1;
    return k;
}

static void test_exhaustive(void)
{
    ref rf;
    if (!CHECK(ref_build(&rf) == 0))
        return;
    unsigned long bad = 0, n_valid = 0;
    unsigned char s[4];
    uint32_t cp;
    for (uint32_t x = 0; x < (1u << 24); x++) {
        s[0] = (unsigned char)(x >> 16);
        s[1] = (unsigned char)(x >> 8);
        s[2] = (unsigned char)x;
        for (size_t len = 1; len <= 3; len++) {
            /* shorter lengths repeat for each x; test them once */
            if ((len == 1 && (x & 0xFFFF)) || (len == 2 && (x & 0xFF)))
                continue;
            int valid;
            size_t want = ref_len(&rf, s, len, &valid);
            size_t got = utf8_decode(s, len, &cp);
            if (got != want || (cp != UTF8_BAD) != valid) {
                if (bad < 5)
                    printf("#   %02X %02X %02X len %zu: got %zu, expected %zu\n", s[0], s[1], s[2],
                           len, got, want);
                bad++;
            }
            n_valid += valid && want == len;
        }
        if (s[0] >= 0xF0 && s[0] <= 0xF4 && ref_p3(&rf, s[0], s[1], s[2])) {
            for (unsigned d = 0; d < 256; d++) {
                s[3] = (unsigned char)d;
                int valid;
                size_t want = ref_len(&rf, s, 4, &valid);
                size_t got = utf8_decode(s, 4, &cp);
                if (got != want || (cp != UTF8_BAD) != valid)
                    bad++;
                n_valid += valid && want == 4;
            }
        }
    }
    free(rf.p3);
    CHECK_EQ_INT(bad, 0);
    /* 128 + 1920 + 61440 + 1048576 whole sequences: one per scalar value */
    CHECK_EQ_INT(n_valid, 0x110000 - 0x800);
}

/* The 16-byte fast path must hand over at every offset. */
static void test_validate_offsets(void)
{
    unsigned char s[64];
    int ok = 1;
    for (size_t pos = 0; pos + 2 <= sizeof s; pos++) {
        size_t off = 99;
        memset(s, 'a', sizeof s);
        memcpy(s + pos, "\xC3\xA4", 2);
        if (utf8_validate(s, sizeof s, &off) != 0)
            ok = 0;
        s[pos] = 0xFF;
        if (utf8_validate(s, sizeof s, &off) != -1 || off != pos)
            ok = 0;
        s[pos] = 0xE2; /* E2 A4 is a valid prefix, 'a' ends it */
        if (utf8_validate(s, sizeof s, &off) != -1 || off != pos ||
            utf8_valid_len(s, pos + 1) != pos)
            ok = 0;
        memset(s, 'a', sizeof s);
        s[pos] = 0xC3; /* truncated by the end of the range */
        if (utf8_valid_len(s, pos + 1) != pos)
            ok = 0;
    }
    CHECK(ok);
    size_t off = 99;
    CHECK_EQ_INT(utf8_validate((const unsigned char *)"", 0, &off), 0);
    CHECK_EQ_INT(off, 99);
    CHECK_EQ_INT(utf8_validate((const unsigned char *)"abc\xFF", 4, &off), -1);
    CHECK_EQ_INT(off, 3);
    /* NUL is valid UTF-8 (the text reader refuses it separately) */
    CHECK_EQ_INT(utf8_validate((const unsigned char *)"a\0b", 3, NULL), 0);
}

static void test_repair_clean(void)
{
    const char *s = "Grüße, 世界 😀 ok";
    check_repair(s, strlen(s), s, 0);
    check_repair("", 0, "", 0);
}

int main(void)
{
    RUN(test_table_3_8);
    RUN(test_truncated);
    RUN(test_boundaries);
    RUN(test_all_scalars);
    RUN(test_exhaustive);
    RUN(test_validate_offsets);
    RUN(test_repair_clean);
    return harness_done();
}
