/* tree_check.c -- structural invariants of a tree (see tree_check.h). */
#include "tree_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int valid_str(const xmlChar *s)
{
    return s && utf8_validate(s, strlen((const char *)s), NULL) == 0;
}

static int check_node(const xmlDoc *doc, const xmlNode *n, char *err, size_t errlen)
{
    switch (n->type) {
    case XML_ELEMENT_NODE:
        if (!n->name || !n->name[0] || !valid_str(n->name))
            return fail(err, errlen, "element at line %d: empty or invalid name", n->line);
        for (const xmlAttr *a = n->properties; a; a = a->next) {
            if (a->parent != n || a->doc != doc)
                return fail(err, errlen, "attribute '%s' of <%s>: wrong parent/doc", (const char *)a->name,
                            (const char *)n->name);
            if (!a->name || !a->name[0] || !valid_str(a->name))
                return fail(err, errlen, "attribute of <%s>: empty or invalid name", (const char *)n->name);
            for (const xmlNode *v = a->children; v; v = v->next)
                if (v->content && !valid_str(v->content))
                    return fail(err, errlen, "attribute '%s' of <%s>: invalid UTF-8", (const char *)a->name,
                                (const char *)n->name);
        }
        return 0;
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
    case XML_COMMENT_NODE:
    case XML_PI_NODE:
        if (n->content && !valid_str(n->content))
            return fail(err, errlen, "text at line %d: invalid UTF-8", n->line);
        if (n->type != XML_PI_NODE && n->children)
            return fail(err, errlen, "text node at line %d has children", n->line);
        return 0;
    default:
        return 0;
    }
}

static const char *name_of(const xmlNode *n)
{
    return n->name ? (const char *)n->name : "?";
}

/* One depth-first pass over the elements (entity references point into
 * the DTD and are not descended) that checks each node's links as it
 * arrives from its previous sibling or its parent, so every node is
 * visited once. */
int tree_check(const xmlDoc *doc, char *err, size_t errlen)
{
    if (!doc)
        return fail(err, errlen, "no document");
    int roots = 0;
    for (const xmlNode *c = doc->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            roots++;
    if (doc->type == XML_DOCUMENT_NODE && roots != 1)
        return fail(err, errlen, "XML document with %d root elements", roots);
    const xmlNode *parent = (const xmlNode *)doc, *prev = NULL, *n = doc->children;
    for (;;) {
        if (n) {
            if (n->parent != parent)
                return fail(err, errlen, "node '%s' (line %d): wrong parent pointer", name_of(n), n->line);
            if (n->prev != prev)
                return fail(err, errlen, "node '%s' (line %d): wrong prev pointer", name_of(n), n->line);
            if (n->doc != doc)
                return fail(err, errlen, "node '%s' (line %d): belongs to another document", name_of(n), n->line);
            if (check_node(doc, n, err, errlen) < 0)
                return -1;
            if (n->type == XML_ELEMENT_NODE && n->children) {
                parent = n;
                prev = NULL;
                n = n->children;
            } else {
                prev = n;
                n = n->next;
            }
            continue;
        }
        /* the end of parent's children */
        if (parent->last != prev)
            return fail(err, errlen, "node '%s': wrong last-child pointer",
                        parent == (const xmlNode *)doc ? "(document)" : name_of(parent));
        if (parent == (const xmlNode *)doc)
            return 0;
        prev = parent;
        n = parent->next;
        parent = parent->parent;
    }
}

/* Returns 1 if the tree nests elements deeper than limit levels (the root
 * element is level 1).  Iterative, so it cannot overflow the C stack. */
int tree_too_deep(const xmlNode *root, unsigned limit)
{
    unsigned depth = 1; /* level of n */
    const xmlNode *n = root;
    while (n) {
        if (n->type == XML_ELEMENT_NODE) {
            if (depth > limit)
                return 1;
            if (n->children) {
                n = n->children;
                depth++;
                continue;
            }
        }
        while (n && !n->next) {
            n = n->parent;
            depth--;
            if (!n || n == root)
                return 0;
        }
        n = n->next;
    }
    return 0;
}
