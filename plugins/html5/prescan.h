/* prescan.h -- the html5 reader's byte pre-scan, run before gumbo: it
 * refuses start tags with too many attributes and documents nested too
 * deeply, because gumbo 0.10.1 takes quadratic time on both (60,000
 * attributes: ~50 s; 100,000 nested <div>: > 60 s; 100,000 <b>: 8 s) and
 * has no limit of its own. */
#ifndef HTML5_PRESCAN_H
#define HTML5_PRESCAN_H

#include <stddef.h>

enum { H5_PRESCAN_OK = 0, H5_PRESCAN_ATTRIBUTES, H5_PRESCAN_DEPTH, H5_PRESCAN_NOMEM };

/* Scans len bytes of UTF-8 at s as an HTML5 tokenizer would at the coarse
 * level (tags, attributes, comments, raw text of script/style/...), and
 * estimates the depth of the tree gumbo will build by replaying the tree
 * construction rules that decide depth: void elements, implied end tags
 * (<p> before blocks, <li>, <dd>/<dt>, <tr>, <td>, <option>, headings),
 * end tags closing what they match, and the reconstruction of open
 * formatting elements with the Noah's Ark clause.  Returns H5_PRESCAN_OK,
 * or ATTRIBUTES (a start tag has more than max_attributes attributes) or
 * DEPTH (the estimate passes max_depth, <html> being level 1) with the
 * offending tag's byte offset in *offset, or NOMEM. */
int h5_prescan(const unsigned char *s, size_t len, unsigned max_attributes, unsigned max_depth,
               size_t *offset);

#endif
