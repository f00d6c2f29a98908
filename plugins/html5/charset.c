/* charset.c -- charset choice and conversion to UTF-8 (see charset.h).
 *
 * The choice follows core/src/read_html.c (the built-in HTML reader) rule
 * for rule, so that `--from html5` and `--from html` read a page in the same
 * charset.  The conversion is our own because gumbo takes UTF-8 only:
 * valid UTF-8 is used in place; invalid sequences become U+FFFD (never a
 * switch of the whole rest of the page to Latin-1, the libxml2 trap of
 * HARDENING 1.1); windows-1252 is decoded with the WHATWG table (0x81, 0x8D,
 * 0x8F, 0x90, 0x9D are C1 controls there, where glibc's iconv fails); any
 * other charset goes through iconv, an undecodable byte becoming U+FFFD. */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const unsigned char REPLACEMENT[3] = {0xEF, 0xBF, 0xBD};

size_t h5_utf8_valid_len(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            n = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* nothing above U+10FFFF */
        } else
            return i;
        if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += n;
    }
    return len;
}

/* Copies the charset value at p (after "charset", '=' and optional quotes)
 * into out. */
static void take_charset(const unsigned char *p, const unsigned char *end, char *out, size_t outlen)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '='))
        p++;
    if (p < end && (*p == '"' || *p == '\''))
        p++;
    size_t n = 0;
    while (p < end && n + 1 < outlen &&
           ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '_' || *p == ':' || *p == '.'))
        out[n++] = (char)*p++;
    out[n] = '\0';
}

/* The WHATWG prescan, simplified as the built-in reader simplifies it: the
 * first "charset=" inside a <meta tag in the first 1024 bytes. */
static void declared_charset(const unsigned char *data, size_t len, char *out, size_t outlen)
{
    out[0] = '\0';
    const unsigned char *end = data + (len < 1024 ? len : 1024);
    for (const unsigned char *p = data; p + 5 < end; p++) {
        if (*p != '<' || strncasecmp((const char *)p + 1, "meta", 4) != 0)
            continue;
        const unsigned char *q = p + 5;
        const unsigned char *tag_end = memchr(q, '>', (size_t)(end - q));
        if (!tag_end)
            tag_end = end;
        for (; q + 7 <= tag_end; q++) {
            if (strncasecmp((const char *)q, "charset", 7) != 0)
                continue;
            const unsigned char *v = q + 7;
            while (v < tag_end && (*v == ' ' || *v == '\t'))
                v++;
            if (v < tag_end && *v == '=') {
                take_charset(v + 1, tag_end, out, outlen);
                if (out[0])
                    return;
            }
        }
    }
}

/* Maps a label to the name we decode with; NULL for "". */
static const char *normalize_label(const char *label)
{
    static const char *const cp1252[] = {"iso-8859-1", "iso8859-1", "latin1",       "l1",
                                         "us-ascii",   "ascii",     "windows-1252", "cp1252",
                                         "x-cp1252",   "iso_8859-1", NULL};
    if (!label[0])
        return NULL;
    if (strcasecmp(label, "utf-8") == 0 || strcasecmp(label, "utf8") == 0 ||
        strcasecmp(label, "unicode-1-1-utf-8") == 0)
        return "UTF-8";
    for (const char *const *p = cp1252; *p; p++)
        if (strcasecmp(label, *p) == 0)
            return "windows-1252";
    /* A page cannot really be UTF-16 if its meta tag was readable as ASCII. */
    if (strncasecmp(label, "utf-16", 6) == 0)
        return "UTF-8";
    return label;
}

static int iconv_knows(const char *name)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return 0;
    iconv_close(cd);
    return 1;
}

void h5_charset_detect(const unsigned char *data, size_t len, const char *forced, h5_charset *cs)
{
    memset(cs, 0, sizeof *cs);
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        cs->name = "UTF-8";
        cs->bom = 3;
    } else if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
        cs->name = "UTF-16LE";
        cs->bom = 2;
    } else if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
        cs->name = "UTF-16BE";
        cs->bom = 2;
    }
    data += cs->bom;
    len -= cs->bom;
    if (cs->name)
        return;
    if (forced && forced[0]) {
        const char *n = normalize_label(forced);
        if (n && (strcmp(n, "UTF-8") == 0 || strcmp(n, "windows-1252") == 0 || iconv_knows(n))) {
            cs->name = n;
            if (strcmp(n, "UTF-8") == 0) {
                size_t ok = h5_utf8_valid_len(data, len);
                cs->invalid_utf8 = ok < len;
                cs->invalid_at = ok;
                cs->valid_utf8 = ok == len;
            }
            return;
        }
        cs->forced_unknown = 1;
    }
    declared_charset(data, len, cs->declared, sizeof cs->declared);
    const char *enc = normalize_label(cs->declared);
    size_t ok = h5_utf8_valid_len(data, len);
    int valid = ok == len;
    cs->valid_utf8 = valid;
    if (enc && strcmp(enc, "UTF-8") == 0 && !valid) {
        cs->invalid_utf8 = 1;
        cs->invalid_at = ok;
    }
    if (enc && strcmp(enc, "UTF-8") != 0 && strcmp(enc, "windows-1252") != 0 && !iconv_knows(enc)) {
        cs->declared_unknown = 1;
        enc = NULL;
    }
    cs->name = enc ? enc : valid ? "UTF-8" : "windows-1252";
}

/* A growing output buffer. */
typedef struct obuf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} obuf;

static void put(obuf *b, const void *data, size_t n)
{
    if (b->oom)
        return;
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = 1;
                return;
            }
            cap *= 2;
        }
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_cp(obuf *b, uint32_t cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    put(b, u, n);
}

/* Bytes of the invalid sequence at s: a lead byte with the continuation
 * bytes that fit it (the "maximal subpart" of Unicode 3.9), else one byte. */
static size_t bad_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 1;
    size_t k = 1;
    if (k < len && s[k] >= lo && s[k] <= hi)
        for (k++; k < n && k < len && (s[k] & 0xC0) == 0x80; k++)
            ;
    return k;
}

/* Each invalid sequence becomes one U+FFFD. */
static size_t repair_utf8(obuf *b, const unsigned char *s, size_t len)
{
    size_t count = 0, i = 0;
    while (i < len) {
        size_t n = h5_utf8_valid_len(s + i, len - i);
        put(b, s + i, n);
        i += n;
        if (i == len)
            break;
        put(b, REPLACEMENT, sizeof REPLACEMENT);
        i += bad_len(s + i, len - i);
        count++;
    }
    return count;
}

/* windows-1252 as the WHATWG Encoding Standard defines it. */
static const uint16_t cp1252_80[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

static void decode_cp1252(obuf *b, const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] < 0x80)
            j++;
        put(b, s + i, j - i);
        if (j == len)
            break;
        unsigned char c = s[j];
        put_cp(b, c < 0xA0 ? cp1252_80[c - 0x80] : c);
        i = j + 1;
    }
}

/* Through iconv; a byte it cannot decode becomes U+FFFD and is skipped. */
static size_t decode_iconv(obuf *b, const unsigned char *s, size_t len, const char *name)
{
    iconv_t cd = iconv_open("UTF-8", name);
    size_t count = 0;
    if (cd == (iconv_t)-1) { /* detect() checked; cannot happen but be safe */
        return repair_utf8(b, s, len);
    }
    char *in = (char *)(uintptr_t)s;
    size_t inleft = len;
    char chunk[16384];
    while (inleft > 0 && !b->oom) {
        char *outp = chunk;
        size_t outleft = sizeof chunk;
        size_t r = iconv(cd, &in, &inleft, &outp, &outleft);
        put(b, chunk, (size_t)(outp - chunk));
        if (r != (size_t)-1 || errno == E2BIG)
            continue;
        /* EILSEQ: an undecodable byte; EINVAL: a cut sequence at the end */
        put(b, REPLACEMENT, sizeof REPLACEMENT);
        count++;
        if (errno == EINVAL)
            break;
        in++;
        inleft--;
        iconv(cd, NULL, NULL, NULL, NULL); /* back to the initial shift state */
    }
    iconv_close(cd);
    return count;
}

int h5_charset_to_utf8(const unsigned char *data, size_t len, const h5_charset *cs, h5_text *out,
                       size_t *replaced)
{
    *replaced = 0;
    memset(out, 0, sizeof *out);
    data += cs->bom;
    len -= cs->bom;
    int utf8 = strcmp(cs->name, "UTF-8") == 0;
    if (utf8 && (cs->valid_utf8 || h5_utf8_valid_len(data, len) == len)) {
        out->data = data;
        out->len = len;
        return 0;
    }
    obuf b = {NULL, 0, 0, 0};
    if (utf8)
        *replaced = repair_utf8(&b, data, len);
    else if (strcmp(cs->name, "windows-1252") == 0)
        decode_cp1252(&b, data, len);
    else
        *replaced = decode_iconv(&b, data, len, cs->name);
    put(&b, "", 1); /* a NUL after the text, not counted */
    if (b.oom) {
        free(b.p);
        return -1;
    }
    out->owned = b.p;
    out->data = b.p;
    out->len = b.len - 1;
    return 0;
}
