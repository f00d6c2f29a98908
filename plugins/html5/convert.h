/* convert.h -- gumbo's tree into a libxml2 HTML document in lode's HTML
 * vocabulary (see README.md for the mapping). */
#ifndef HTML5_CONVERT_H
#define HTML5_CONVERT_H

#include <gumbo.h>
#include <libxml/tree.h>

enum { H5_CONVERT_OK = 0, H5_CONVERT_DEPTH, H5_CONVERT_NOMEM };

/* Builds a new document from g (borrowed; free it with
 * gumbo_destroy_output afterwards).  Returns H5_CONVERT_OK with the
 * document in *out (free with xmlFreeDoc), or DEPTH with the source line of
 * the first element deeper than max_depth (<html> is level 1) in *line, or
 * NOMEM.  Attributes whose names are not XML names (debris of broken
 * markup: <p "style="x">) are left out, as libxml2's HTML parser does. */
int h5_convert(const GumboOutput *g, unsigned max_depth, xmlDoc **out, unsigned *line);

/* Makes <meta charset> and <meta http-equiv=content-type> in <head> say
 * UTF-8: the tree of a page decoded from another charset is written as
 * UTF-8 (as the built-in HTML reader does). */
void h5_declare_utf8(xmlDoc *doc);

#endif
