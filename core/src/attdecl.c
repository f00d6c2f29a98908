/* attdecl.c -- '<' in attribute-list default values (see attdecl.h). */
#include "attdecl.h"

#include <stdint.h>
#include <string.h>

#include <libxml/dict.h>
#include <libxml/xmlmemory.h>

int attdecl_escape_default(xmlAttribute *a)
{
    const xmlChar *old = a->defaultValue;
    if (!old || !strchr((const char *)old, '<'))
        return 0;
    size_t n = 0;
    for (const xmlChar *p = old; *p; p++)
        n += *p == '<' ? 5 : 1;
    xmlChar *esc = xmlMalloc(n + 1);
    if (!esc)
        return -1;
    xmlChar *q = esc;
    for (const xmlChar *p = old; *p; p++) {
        if (*p == '<') {
            memcpy(q, "&#60;", 5);
            q += 5;
        } else {
            *q++ = *p;
        }
    }
    *q = '\0';
    /* Owned as xmlFreeAttribute expects: by the document's dictionary if it
     * has one (a value the dictionary does not own is freed there). */
    xmlDict *dict = a->doc ? a->doc->dict : NULL;
    if (dict) {
        const xmlChar *v = xmlDictLookup(dict, esc, -1);
        xmlFree(esc);
        if (!v)
            return -1;
        if (!xmlDictOwns(dict, old))
            xmlFree((xmlChar *)(uintptr_t)old);
        a->defaultValue = v;
    } else {
        xmlFree((xmlChar *)(uintptr_t)old);
        a->defaultValue = esc;
    }
    return 0;
}

int attdecl_escape_defaults(xmlDtd *dtd)
{
    for (xmlNode *n = dtd ? dtd->children : NULL; n; n = n->next)
        if (n->type == XML_ATTRIBUTE_DECL && attdecl_escape_default((xmlAttribute *)n) != 0)
            return -1;
    return 0;
}
