/* utf8.h -- lode's own strict UTF-8 decoder, validator and repairer.
 *
 * Strict means what Unicode 15 §3.9 (Table 3-7) and the WHATWG Encoding
 * standard call well-formed: no overlong forms, no surrogates (U+D800..DFFF),
 * nothing above U+10FFFF, no C0/C1/F5..FF lead bytes.  An ill-formed
 * sequence is measured as its *maximal subpart* (§3.9 D93b, "U+FFFD
 * substitution of maximal subparts"): the longest prefix of a well-formed
 * sequence, or one byte if none.  Each maximal subpart is what one U+FFFD
 * replaces, so "\xF1\x80\x80\x41" repairs to U+FFFD 'A', while "\xC0\xAF"
 * (overlong) gives two U+FFFD and "\xED\xA0\x80" (a surrogate) gives three.
 *
 * utf8proc_iterate() reports only an error code, not the subpart length,
 * which is why lode has its own (HARDENING 3).  Nothing here allocates except
 * utf8_repair(), through the buf it is given. */
#ifndef LODE_UTF8_H
#define LODE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The value utf8_decode() stores for an ill-formed sequence: above U+10FFFF,
 * so it can never be mistaken for a decoded U+FFFD. */
#define UTF8_BAD ((uint32_t)0xFFFFFFFFu)

/* U+FFFD REPLACEMENT CHARACTER encoded in UTF-8, and its length. */
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"
#define UTF8_REPLACEMENT_LEN 3

/* Decodes the sequence at the start of s (len bytes available).
 * Well-formed: stores the code point in *cp and returns its length (1..4).
 * Ill-formed: stores UTF8_BAD in *cp and returns the length of the maximal
 * subpart (1..3); a well-formed prefix cut short by the end of the input is
 * one maximal subpart.  Returns 0 (and UTF8_BAD) only when len == 0. */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Encodes cp into out (room for 4 bytes) and returns the length 1..4, or 0
 * if cp is not a Unicode scalar value (a surrogate or above U+10FFFF). */
size_t utf8_put(uint32_t cp, unsigned char out[4]);

/* Returns the length of the longest well-formed prefix of s: len when all of
 * s is valid, else the offset of the first ill-formed sequence.  Scans ASCII
 * 16 bytes at a time. */
size_t utf8_valid_len(const unsigned char *s, size_t len);

/* Returns 0 if all len bytes at s are well-formed UTF-8, else -1 and stores
 * the offset of the first ill-formed sequence in *bad_offset (may be NULL). */
int utf8_validate(const unsigned char *s, size_t len, size_t *bad_offset);

/* Appends the len bytes at s to out, replacing each maximal subpart with
 * U+FFFD (EF BF BD), and returns how many were replaced.  A failed growth of
 * out is sticky: check buf_ok(out) afterwards.  The count is right even then. */
size_t utf8_repair(buf *out, const unsigned char *s, size_t len);

/* Returns 1 if s is well-formed UTF-8 made only of characters XML 1.0 can
 * hold (no NUL or other C0 control except tab, LF, CR; no U+FFFE/U+FFFF),
 * else 0.  Text that scripts put into a tree must pass it: the XML writer
 * would otherwise drop such characters silently. */
int utf8_xml_text(const unsigned char *s, size_t len);

#endif
