/* tree_edit.c -- pointer-level edits that never free or merge (tree_edit.h). */
#include "tree_edit.h"

void tree_unlink(xmlNode *n)
{
    /* xmlUnlinkNode frees nothing and merges nothing; it also keeps
     * doc->children/last and the parent's children/last right. */
    xmlUnlinkNode(n);
}

static void set_parent(xmlNode *n, xmlNode *parent)
{
    n->parent = parent;
}

void tree_append(xmlNode *parent, xmlNode *n)
{
    set_parent(n, parent);
    n->next = NULL;
    n->prev = parent->last;
    if (parent->last)
        parent->last->next = n;
    else
        parent->children = n;
    parent->last = n;
}

void tree_prepend(xmlNode *parent, xmlNode *n)
{
    set_parent(n, parent);
    n->prev = NULL;
    n->next = parent->children;
    if (parent->children)
        parent->children->prev = n;
    else
        parent->last = n;
    parent->children = n;
}

void tree_insert_before(xmlNode *ref, xmlNode *n)
{
    xmlNode *parent = ref->parent;
    set_parent(n, parent);
    n->next = ref;
    n->prev = ref->prev;
    if (ref->prev)
        ref->prev->next = n;
    else if (parent)
        parent->children = n;
    ref->prev = n;
}

void tree_insert_after(xmlNode *ref, xmlNode *n)
{
    xmlNode *parent = ref->parent;
    set_parent(n, parent);
    n->prev = ref;
    n->next = ref->next;
    if (ref->next)
        ref->next->prev = n;
    else if (parent)
        parent->last = n;
    ref->next = n;
}

int tree_attached(const xmlNode *n)
{
    while (n && n->type != XML_DOCUMENT_NODE && n->type != XML_HTML_DOCUMENT_NODE)
        n = n->parent;
    return n != NULL;
}

int tree_is_ancestor(const xmlNode *a, const xmlNode *n)
{
    for (; n; n = n->parent)
        if (n == a)
            return 1;
    return 0;
}

unsigned tree_depth(const xmlNode *n)
{
    unsigned d = 0;
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        d++;
    return d;
}
