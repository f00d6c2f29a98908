/* convert.c -- gumbo's tree into libxml2's (see convert.h).
 *
 * Elements and attributes keep the names gumbo gives them: lower case for
 * HTML (as libxml2's HTML parser makes them), the HTML5 spellings for SVG
 * (foreignObject, viewBox) and MathML (definitionURL).  HTML elements carry
 * no namespace, as in the built-in reader's trees; SVG and MathML elements
 * are in their namespaces, declared as the default namespace on the
 * outermost element of each foreign subtree, and an HTML element inside
 * foreign content (in foreignObject, annotation-xml) is put back into the
 * XHTML namespace so that XML output keeps it HTML.  xlink:* and xml:*
 * attributes are in their namespaces; xmlns attributes of foreign elements
 * are left out (they are the declarations the tree already has).  The text
 * of script and style is a CDATA section, as libxml2's HTML parser makes
 * it.  Source lines are gumbo's (libxml2 keeps at most 65535).  The walk
 * is iterative: no recursion on hostile nesting. */
#include "convert.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>

#define NS_XHTML "http://www.w3.org/1999/xhtml"
#define NS_SVG "http://www.w3.org/2000/svg"
#define NS_MATHML "http://www.w3.org/1998/Math/MathML"
#define NS_XLINK "http://www.w3.org/1999/xlink"

static unsigned short line_of(unsigned line)
{
    return (unsigned short)(line > 65535 ? 65535 : line);
}

/* Is s an XML Name made of the ASCII characters HTML names usually have
 * (the fast path), or else one libxml2 accepts? */
static int valid_name(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int ascii = ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || *p == '_';
    for (; ascii && *p; p++)
        if (!(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_' || *p == '.' || *p == ':'))
            ascii = 0;
    if (ascii)
        return 1;
    return s[0] && xmlValidateName((const xmlChar *)s, 0) == 0;
}

/* A tag name from the source text of its tag ("<foo:Bar x=1>"): the
 * characters up to a space, '/' or '>', ASCII lower-cased, into a new
 * string; an empty one gives "unknown".  A name that is not an XML name
 * gets '_' for each offending byte. */
static char *name_from_source(const GumboStringPiece *tag, int svg)
{
    const char *p = tag->data, *end = p ? p + tag->length : NULL;
    if (p && p < end && *p == '<')
        p++;
    if (p && p < end && *p == '/')
        p++;
    const char *q = p;
    while (q && q < end && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' && *q != '\f' && *q != '/' &&
           *q != '>')
        q++;
    size_t n = p ? (size_t)(q - p) : 0;
    if (svg && n) {
        GumboStringPiece piece = {p, n};
        const char *adjusted = gumbo_normalize_svg_tagname(&piece);
        if (adjusted)
            return strdup(adjusted);
    }
    if (!n)
        return strdup("unknown");
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        s[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] | 0x20 : p[i]);
    s[n] = '\0';
    if (!valid_name(s)) {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
                s[i] = '_';
        }
        if (s[0] >= '0' && s[0] <= '9')
            s[0] = '_';
    }
    return s;
}

/* The namespace an element of namespace gns gets below a parent whose
 * namespace is pns: the parent's if it is the same, else a new declaration
 * on el.  HTML elements outside foreign content get none. */
static xmlNs *element_ns(xmlNode *el, GumboNamespaceEnum gns, xmlNs *pns)
{
    const char *href = gns == GUMBO_NAMESPACE_SVG ? NS_SVG : gns == GUMBO_NAMESPACE_MATHML ? NS_MATHML : NULL;
    xmlNs *ns = pns;
    if (!href) {
        if (pns && strcmp((const char *)pns->href, NS_XHTML) != 0)
            ns = xmlNewNs(el, (const xmlChar *)NS_XHTML, NULL);
    } else if (!pns || strcmp((const char *)pns->href, href) != 0)
        ns = xmlNewNs(el, (const xmlChar *)href, NULL);
    if (ns)
        xmlSetNs(el, ns);
    return ns;
}

/* Adds gumbo's attributes to el, leaving out those whose names are not XML
 * names (they could not be written as XML); returns -1 when out of memory. */
static int add_attributes(xmlDoc *doc, xmlNode *el, const GumboVector *attrs)
{
    for (unsigned i = 0; i < attrs->length; i++) {
        const GumboAttribute *a = attrs->data[i];
        xmlNs *ns = NULL;
        switch (a->attr_namespace) {
        case GUMBO_ATTR_NAMESPACE_XMLNS:
            continue;
        case GUMBO_ATTR_NAMESPACE_XLINK:
            ns = xmlSearchNsByHref(doc, el, (const xmlChar *)NS_XLINK);
            if (!ns)
                ns = xmlNewNs(el, (const xmlChar *)NS_XLINK, (const xmlChar *)"xlink");
            break;
        case GUMBO_ATTR_NAMESPACE_XML:
            ns = xmlSearchNsByHref(doc, el, XML_XML_NAMESPACE);
            break;
        default:
            break;
        }
        if (!valid_name(a->name) || (a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE && !ns))
            continue; /* debris of broken markup such as <p "style="x">; libxml2 drops it too */
        if (!xmlNewNsProp(el, ns, (const xmlChar *)a->name, (const xmlChar *)a->value))
            return -1;
    }
    return 0;
}

/* A new element for gumbo's element e (not yet linked). */
static xmlNode *new_element(xmlDoc *doc, const GumboElement *e)
{
    if (e->tag != GUMBO_TAG_UNKNOWN && e->tag_namespace != GUMBO_NAMESPACE_SVG)
        return xmlNewDocNode(doc, NULL, (const xmlChar *)gumbo_normalized_tagname(e->tag), NULL);
    if (e->tag != GUMBO_TAG_UNKNOWN && !e->original_tag.length)
        return xmlNewDocNode(doc, NULL, (const xmlChar *)gumbo_normalized_tagname(e->tag), NULL);
    char *name = name_from_source(&e->original_tag, e->tag_namespace == GUMBO_NAMESPACE_SVG);
    if (!name)
        return NULL;
    xmlNode *el = xmlNewDocNode(doc, NULL, (const xmlChar *)name, NULL);
    free(name);
    return el;
}

/* One open level of the walk. */
typedef struct level {
    const GumboVector *children;
    unsigned next;
    xmlNode *node; /* the libxml2 parent */
    xmlNs *ns;     /* its namespace */
} level;

/* Is the level's element an HTML script or style?  Their text becomes a
 * CDATA section, as in libxml2's HTML trees. */
static int raw_text_parent(const level *lv)
{
    const xmlNode *p = lv->node;
    return p->type == XML_ELEMENT_NODE && !p->ns &&
           (strcmp((const char *)p->name, "script") == 0 || strcmp((const char *)p->name, "style") == 0);
}

int h5_convert(const GumboOutput *g, unsigned max_depth, xmlDoc **out, unsigned *line)
{
    *out = NULL;
    *line = 0;
    xmlDoc *doc = htmlNewDocNoDtD(NULL, NULL);
    if (!doc)
        return H5_CONVERT_NOMEM;
    const GumboDocument *gd = &g->document->v.document;
    if (gd->has_doctype) {
        const char *pub = gd->public_identifier && gd->public_identifier[0] ? gd->public_identifier : NULL;
        const char *sys = gd->system_identifier && gd->system_identifier[0] ? gd->system_identifier : NULL;
        const char *dname = gd->name && gd->name[0] && valid_name(gd->name) ? gd->name : "html";
        if (!xmlCreateIntSubset(doc, (const xmlChar *)dname, (const xmlChar *)pub, (const xmlChar *)sys))
            goto nomem;
    }
    size_t cap = 64, depth = 0;
    level *lv = malloc(cap * sizeof *lv);
    if (!lv)
        goto nomem;
    lv[0] = (level){&gd->children, 0, (xmlNode *)doc, NULL};
    int oom = 0;
    while (!oom) {
        level *cur = &lv[depth];
        if (cur->next >= cur->children->length) {
            if (depth == 0)
                break;
            depth--;
            continue;
        }
        const GumboNode *gn = cur->children->data[cur->next++];
        xmlNode *n = NULL;
        switch (gn->type) {
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE: {
            const GumboElement *e = &gn->v.element;
            if (depth + 1 > max_depth) {
                *line = e->start_pos.line;
                free(lv);
                xmlFreeDoc(doc);
                return H5_CONVERT_DEPTH;
            }
            n = new_element(doc, e);
            if (!n) {
                oom = 1;
                break;
            }
            /* implied elements have the position of what implied them */
            n->line = line_of(e->start_pos.line ? e->start_pos.line : depth ? cur->node->line : 1);
            xmlAddChild(cur->node, n);
            xmlNs *ns = element_ns(n, e->tag_namespace, cur->ns);
            if (add_attributes(doc, n, &e->attributes) < 0) {
                oom = 1;
                break;
            }
            if (e->children.length) {
                if (depth + 1 == cap) {
                    level *bigger = realloc(lv, 2 * cap * sizeof *lv);
                    if (!bigger) {
                        oom = 1;
                        break;
                    }
                    lv = bigger;
                    cap *= 2;
                }
                lv[++depth] = (level){&e->children, 0, n, ns};
            }
            continue;
        }
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_CDATA:
            if (raw_text_parent(cur)) {
                const char *t = gn->v.text.text;
                n = xmlNewCDataBlock(doc, (const xmlChar *)t, (int)strlen(t));
            } else
                n = xmlNewDocText(doc, (const xmlChar *)gn->v.text.text);
            break;
        case GUMBO_NODE_COMMENT:
            n = xmlNewDocComment(doc, (const xmlChar *)gn->v.text.text);
            break;
        default:
            continue;
        }
        if (oom || !n) {
            oom = 1;
            break;
        }
        n->line = line_of(gn->v.text.start_pos.line);
        xmlAddChild(cur->node, n); /* a text node may merge into its text sibling */
    }
    free(lv);
    if (oom)
        goto nomem;
    doc->encoding = xmlStrdup((const xmlChar *)"UTF-8");
    *out = doc;
    return H5_CONVERT_OK;
nomem:
    xmlFreeDoc(doc);
    return H5_CONVERT_NOMEM;
}

void h5_declare_utf8(xmlDoc *doc)
{
    xmlNode *html = xmlDocGetRootElement(doc);
    if (!html)
        return;
    for (xmlNode *head = html->children; head; head = head->next) {
        if (head->type != XML_ELEMENT_NODE || xmlStrcmp(head->name, (const xmlChar *)"head") != 0)
            continue;
        for (xmlNode *m = head->children; m; m = m->next) {
            if (m->type != XML_ELEMENT_NODE || xmlStrcmp(m->name, (const xmlChar *)"meta") != 0)
                continue;
            if (xmlHasProp(m, (const xmlChar *)"charset"))
                xmlSetProp(m, (const xmlChar *)"charset", (const xmlChar *)"utf-8");
            xmlChar *equiv = xmlGetProp(m, (const xmlChar *)"http-equiv");
            if (equiv && xmlStrcasecmp(equiv, (const xmlChar *)"content-type") == 0)
                xmlSetProp(m, (const xmlChar *)"content", (const xmlChar *)"text/html; charset=utf-8");
            xmlFree(equiv);
        }
    }
}
