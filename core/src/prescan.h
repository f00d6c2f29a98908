/* prescan.h -- one fast pass over markup bytes before libxml2 sees them.
 *
 * libxml2 2.9.14 silently drops everything after a NUL byte, and its
 * duplicate-attribute check is quadratic (60,000 attributes on one tag take
 * 45 s), with no callback before the damage is done (HARDENING 1.2).  So we
 * look first: the offset of the first NUL, and the first start tag with more
 * than a given number of attributes. */
#ifndef LODE_PRESCAN_H
#define LODE_PRESCAN_H

#include <stddef.h>

typedef struct prescan {
    size_t nul_offset;   /* offset of the first NUL, or (size_t)-1 */
    size_t attrs_offset; /* offset of the first '<' of a tag over the limit, or (size_t)-1 */
} prescan;

/* Scans len bytes.  html: skip the raw text of <script> and <style> (in XML
 * those are ordinary elements, and skipping them would let a tag with too
 * many attributes hide after a <script/>). */
void prescan_run(const unsigned char *data, size_t len, unsigned max_attributes, int html, prescan *out);

/* Called for the raw text of each <script> or <style> (html only): the
 * bytes from just after the start tag's '>' to the '<' of the first
 * "</script" or "</style" after it (matched case-insensitively), or to the
 * end of the input.  style: 0 for script, 1 for style. */
typedef void (*prescan_raw_fn)(void *ud, size_t begin, size_t end, int style);

/* prescan_run, also reporting raw text to raw (which may be NULL). */
void prescan_run_raw(const unsigned char *data, size_t len, unsigned max_attributes, int html, prescan *out,
                     prescan_raw_fn raw, void *ud);

/* 1-based line and column (in bytes) of offset. */
void prescan_position(const unsigned char *data, size_t offset, int *line, int *col);

#endif
