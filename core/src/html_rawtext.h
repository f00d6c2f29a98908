/* html_rawtext.h -- the raw text of <script> and <style> kept out of
 * libxml2's character loop.
 *
 * libxml2 2.9.14 reads a script's text one character at a time
 * (htmlParseScript: a UTF-8 decode, a check and a copy for each), and
 * gathers it in 1,000-byte blocks that are appended to one CDATA node.  On
 * news pages, where scripts and styles are 44% of the bytes, that loop was a
 * third of all the work of parsing them.  It does nothing with the text but
 * drop the characters XML forbids, so we can do it ourselves, with memchr
 * speed:
 *
 *   1. prescan reports each raw-text span (prescan_run_raw);
 *   2. rawtext_hollow copies the page with each long span replaced by a
 *      placeholder: a marker that does not occur in the page, the span's
 *      number, and as many newlines as the span had (so line numbers stay);
 *   3. libxml2 parses the copy;
 *   4. rawtext_fill finds every placeholder in the tree and puts the span's
 *      text in its place, as libxml2 would have.
 *
 * Step 4 checks that each placeholder is, alone and whole, the one CDATA
 * child of a <script> (or <style>) element: then libxml2 began that
 * element's raw text exactly where the span begins and ended it exactly
 * where the span ends.  The parse up to the span was the parse of the same
 * bytes; at its start libxml2 decides on the first two bytes whether the
 * raw text begins there, so a span that begins with '<' (an end tag, or a
 * tag that closes the script) is never hollowed; inside it, libxml2 stops
 * only at "</script" (or "</style"), which the span does not hold; after
 * it, the bytes are the page's again.  So the tree is the one the page
 * itself gives.  If any placeholder is missing or out of place (a prescan
 * that read a malformed tag otherwise than libxml2 did), the caller parses
 * the page itself instead.  The differential fuzz target (fuzz_html) and
 * test_read_html compare both ways on every input. */
#ifndef LODE_HTML_RAWTEXT_H
#define LODE_HTML_RAWTEXT_H

#include <stddef.h>

#include <libxml/tree.h>

#include "buf.h"

/* Spans shorter than this are left to libxml2 (a placeholder is ~16 bytes). */
#define RAWTEXT_MIN_DEFAULT 128

typedef struct rawtext {
    const unsigned char *data; /* the page prescan reads */
    buf spans;      /* rawtext_span[], in document order */
    size_t n;       /* spans kept (at least min bytes long) */
    size_t min;     /* the shortest span to hollow */
    int failed;     /* out of memory while collecting */
} rawtext;

void rawtext_init(rawtext *r, const mem *m, const unsigned char *data, size_t min);
void rawtext_free(rawtext *r);

/* A prescan_raw_fn: keeps a span of at least r->min bytes. */
void rawtext_collect(void *r, size_t begin, size_t end, int style);

/* Writes data with the kept spans hollowed into out (initialised by the
 * caller).  Returns 1 if out holds the copy to parse, 0 if there is nothing
 * to gain or the page contains the marker (parse data itself), -1 out of
 * memory. */
int rawtext_hollow(rawtext *r, const unsigned char *data, size_t len, buf *out);

/* Puts the spans of data back into doc, parsed from rawtext_hollow's copy.
 * Returns 1 done, 0 a placeholder was not where it must be (doc is
 * untouched: free it and parse data itself), -1 out of memory (doc may be
 * partly filled: free it). */
int rawtext_fill(rawtext *r, xmlDoc *doc, const unsigned char *data);

#endif
