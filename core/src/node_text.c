/* node_text.c -- the text of a subtree (see node_text.h). */
#include "node_text.h"

#include <libxml/entities.h>

typedef struct collect {
    buf *out;
    int normalize;
    size_t start; /* out->len when we began: trimming is relative to it */
    int space;    /* a whitespace run is pending */
    size_t entity_bytes; /* entity text added so far */
    int over;            /* entity text passed NODE_TEXT_ENTITY_MAX */
} collect;

static int is_ws(xmlChar b)
{
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f';
}

/* Whitespace (normalized): the five ASCII spaces and U+00A0 (C2 A0). */
static size_t ws_len(const xmlChar *p)
{
    if (is_ws(p[0]))
        return 1;
    return p[0] == 0xC2 && p[1] == 0xA0 ? 2 : 0;
}

static void put(collect *c, const xmlChar *s)
{
    if (!c->normalize) {
        buf_puts(c->out, (const char *)s);
        return;
    }
    /* runs of non-space bytes are copied whole; a space run becomes one
     * space, written only before more text (so none leads or trails) */
    const xmlChar *p = s;
    while (*p) {
        const xmlChar *run = p;
        while (*p && !ws_len(p))
            p++;
        if (p > run) {
            if (c->space) {
                buf_putc(c->out, ' ');
                c->space = 0;
            }
            buf_put(c->out, run, (size_t)(p - run));
        }
        size_t w;
        while ((w = ws_len(p)) != 0) {
            p += w;
            c->space = c->out->len > c->start;
        }
    }
}

static void walk(collect *c, const xmlNode *n, int depth)
{
    switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (n->content)
            put(c, n->content);
        return;
    case XML_ENTITY_REF_NODE: {
        /* Bounded: internal entities only, small ones, not nested deeply, so
         * entity fan-out cannot amplify (HARDENING 1.2). */
        const xmlEntity *ent = xmlGetDocEntity(n->doc, n->name);
        if (c->over || !ent || !ent->content)
            return;
        if (ent->etype == XML_INTERNAL_PREDEFINED_ENTITY) {
            put(c, ent->content);
        } else if (ent->etype == XML_INTERNAL_GENERAL_ENTITY && depth < 8 && ent->length < 65536) {
            /* ... and all of them together bounded per call */
            if ((size_t)ent->length > NODE_TEXT_ENTITY_MAX - c->entity_bytes) {
                c->over = 1;
                return;
            }
            c->entity_bytes += (size_t)ent->length;
            put(c, ent->content);
        }
        return;
    }
    case XML_ELEMENT_NODE:
        if (depth > 4096)
            return;
        for (const xmlNode *k = n->children; k; k = k->next)
            walk(c, k, depth + 1);
        return;
    default:
        return;
    }
}

int node_text_append(const xmlNode *n, buf *out, int normalize)
{
    collect c = {out, normalize, out->len, 0, 0, 0};
    if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
        if (n->content)
            put(&c, n->content);
        return 0;
    }
    walk(&c, n, 0);
    return c.over ? -1 : 0;
}
