/* charset.h -- the html5 reader's character encoding: which charset a page
 * is in (chosen as lode's built-in HTML reader chooses it) and its
 * conversion to the UTF-8 that gumbo requires. */
#ifndef HTML5_CHARSET_H
#define HTML5_CHARSET_H

#include <stddef.h>

/* A byte buffer in UTF-8, owned (ptr from malloc) or borrowed. */
typedef struct h5_text {
    const unsigned char *data;
    size_t len;
    unsigned char *owned; /* free() this; NULL if data is the caller's */
} h5_text;

/* Why the charset was chosen, for warnings. */
typedef struct h5_charset {
    const char *name;     /* "UTF-8", "windows-1252", "UTF-16LE", or a declared label */
    size_t bom;           /* bytes of byte order mark skipped */
    char declared[64];    /* the label of <meta charset>, "" if none */
    int declared_unknown; /* a charset was declared that iconv does not know */
    int forced_unknown;   /* the forced label is unknown: detected as if none */
    int invalid_utf8;     /* declared (or forced) UTF-8 with invalid bytes */
    size_t invalid_at;    /* then: offset of the first invalid byte (after the BOM) */
    int valid_utf8;       /* the bytes were found valid UTF-8 (no need to look again) */
} h5_charset;

/* Chooses the charset of len bytes at data: a byte order mark; else the
 * forced label (lode_parse_options.encoding, may be NULL); else a charset
 * declared in a <meta> tag of the first 1024 bytes, with ISO-8859-1 and
 * US-ASCII meaning windows-1252 (WHATWG); else UTF-8 if the bytes are valid
 * UTF-8, else windows-1252. */
void h5_charset_detect(const unsigned char *data, size_t len, const char *forced, h5_charset *cs);

/* Converts data (after the BOM) from cs->name to UTF-8 into *out.  Valid
 * UTF-8 is borrowed, not copied.  Invalid UTF-8 sequences and bytes that
 * cs->name cannot decode become U+FFFD; *replaced counts them.  Returns 0,
 * or -1 when out of memory. */
int h5_charset_to_utf8(const unsigned char *data, size_t len, const h5_charset *cs, h5_text *out,
                       size_t *replaced);

/* Length of the longest valid UTF-8 prefix (no overlongs, surrogates or
 * code points above U+10FFFF) of len bytes at s. */
size_t h5_utf8_valid_len(const unsigned char *s, size_t len);

#endif
