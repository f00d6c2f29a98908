/* utf8.c -- strict UTF-8 decoding, validation and repair (see utf8.h). */
#include "utf8.h"

#include <string.h>

#define HIGH_BITS 0x8080808080808080ull

/* One function decides well-formedness for everyone (validator, repairer,
 * the text reader), so they cannot disagree about what a maximal subpart is.
 * The lead byte fixes the number of continuation bytes and the allowed range
 * of the *first* one; narrowing that range is what rejects overlongs (E0, F0),
 * surrogates (ED) and code points above U+10FFFF (F4) without decoding first
 * and checking afterwards -- and it makes the byte at which we stop exactly
 * the end of the maximal subpart (Unicode Table 3-7). */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    *cp = UTF8_BAD;
    if (len == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    uint32_t v;
    if (c < 0xC2) { /* a continuation byte, or C0/C1 (always overlong) */
        return 1;
    } else if (c < 0xE0) {
        need = 1;
        v = c & 0x1F;
    } else if (c < 0xF0) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* below is an overlong 3-byte form */
        else if (c == 0xED)
            hi = 0x9F; /* above are the surrogates */
    } else if (c < 0xF5) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* below is an overlong 4-byte form */
        else if (c == 0xF4)
            hi = 0x8F; /* above is beyond U+10FFFF */
    } else {
        return 1; /* F5..FF never start a sequence */
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= len || s[i] < lo || s[i] > hi)
            return i; /* the prefix s[0..i) is the maximal subpart */
        v = (v << 6) | (s[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return need + 1;
}

size_t utf8_put(uint32_t cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return 0;
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        out[0] = (unsigned char)(0xF0 | (cp >> 18));
        out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (unsigned char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

/* Most text lode reads is ASCII with a few multi-byte letters, so the loop
 * first tests 16 bytes at once for a set high bit (memcpy into uint64_t: no
 * alignment or aliasing assumptions; compilers turn it into plain loads) and
 * only decodes where one is set.  After each multi-byte sequence it tries the
 * wide test again. */
size_t utf8_valid_len(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (len - i >= 16) {
            uint64_t a, b;
            memcpy(&a, s + i, 8);
            memcpy(&b, s + i + 8, 8);
            if (!((a | b) & HIGH_BITS)) {
                i += 16;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (cp == UTF8_BAD)
            return i;
        i += n;
    }
    return i;
}

int utf8_validate(const unsigned char *s, size_t len, size_t *bad_offset)
{
    size_t n = utf8_valid_len(s, len);
    if (n == len)
        return 0;
    if (bad_offset)
        *bad_offset = n;
    return -1;
}

/* Copies valid runs in one buf_put each, so clean input costs one validation
 * pass plus one memcpy. */
size_t utf8_repair(buf *out, const unsigned char *s, size_t len)
{
    size_t count = 0, i = 0;
    while (i < len) {
        size_t n = utf8_valid_len(s + i, len - i);
        buf_put(out, s + i, n);
        i += n;
        if (i == len)
            break;
        uint32_t cp;
        i += utf8_decode(s + i, len - i, &cp);
        buf_put(out, UTF8_REPLACEMENT, UTF8_REPLACEMENT_LEN);
        count++;
    }
    return count;
}

/* XML 1.0 Char: tab, LF, CR and everything from U+0020 up except the
 * surrogates (already excluded by well-formed UTF-8) and U+FFFE/U+FFFF. */
int utf8_xml_text(const unsigned char *s, size_t len)
{
    if (utf8_validate(s, len, NULL) != 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return 0;
        if (c == 0xEF && i + 2 < len && s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF))
            return 0;
    }
    return 1;
}
