/* split.h -- internals of lode_split shared with the command line. */
#ifndef LODE_SPLIT_H
#define LODE_SPLIT_H

#include "lode.h"

/* As lode_split_next, but hands out the bare libxml2 document (the caller
 * frees it with xmlFreeDoc, or gives it to lode_doc_adopt of any engine: it
 * shares nothing with the reader) and the element's source line.  *out is
 * NULL at the end. */
int split_next_xml(lode_split *s, struct _xmlDoc **out, long *line);

#endif
