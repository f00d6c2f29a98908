/* attdecl.h -- attribute-list declarations whose default value holds '<'.
 *
 * libxml2 2.9.14 keeps an <!ATTLIST> default value with character references
 * already replaced (except &#38;, which it keeps as text), and its dump
 * (xmlDumpAttributeDecl, xmlSaveDoc) writes the value back between quotes
 * without escaping '<'.  So <!ATTLIST r a CDATA "&lt;d"> comes out as
 * <!ATTLIST r a CDATA "<d">, which is not well-formed: the XML writer would
 * make a document no XML parser reads, and the JSON writer a "declaration"
 * the JSON reader refuses.  The readers store '<' as "&#60;" instead, the
 * form libxml2 itself uses for '&', which the dump writes unchanged and
 * every parser reads back as '<'. */
#ifndef LODE_ATTDECL_H
#define LODE_ATTDECL_H

#include <libxml/tree.h>

/* Rewrites '<' in the default value of a (an XML_ATTRIBUTE_DECL) as
 * "&#60;".  Returns 0, or -1 out of memory (a is unchanged then). */
int attdecl_escape_default(xmlAttribute *a);

/* The same for every attribute-list declaration of dtd (NULL: none). */
int attdecl_escape_defaults(xmlDtd *dtd);

#endif
