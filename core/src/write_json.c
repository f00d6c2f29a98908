/* write_json.c -- the writer of lode's JSON tree format (docs/json-tree.md).
 *
 * The format is a lossless picture of a libxml2 tree: read_json() rebuilds
 * the same tree, and writing that tree again gives the same bytes.  Output is
 * produced by hand straight into the buf (no JSON library, no intermediate
 * objects), with one iterative walk over the tree, so that corpus-sized HTML
 * converts at memory speed and any nesting depth is safe.
 *
 * Strings are escaped exactly: \" \\ \n \r \t \b \f, other control characters
 * as \u00XX, everything else as raw UTF-8.  The tree must hold valid UTF-8
 * (libxml2 trees do); an invalid sequence is an error rather than output,
 * since a lossless format cannot repair silently. */
#include <stdlib.h>
#include <string.h>

#include <libxml/entities.h>
#include <libxml/hash.h>
#include <libxml/tree.h>
#include <libxml/valid.h>

#include "format.h"

/* The writer's state for one document. */
typedef struct jw {
    lode_engine *e;
    buf *out;
    int indent;            /* LODE_WRITE_INDENT: newline + 2 spaces per level */
    unsigned level;        /* current indentation level */
    const xmlNode *bad;    /* the node holding invalid UTF-8, once found */
} jw;

/* Appends n bytes, copying in place when the buffer has room (the common
 * case) and leaving growth and the sticky failure flag to buf_put. */
static inline void jw_put(buf *b, const void *p, size_t n)
{
    if (!b->failed && b->cap - b->len > n) {
        memcpy(b->ptr + b->len, p, n);
        b->len += n;
        b->ptr[b->len] = '\0';
    } else {
        buf_put(b, p, n);
    }
}

static inline void jw_putc(buf *b, char c)
{
    if (!b->failed && b->cap - b->len > 1) {
        b->ptr[b->len++] = c;
        b->ptr[b->len] = '\0';
    } else {
        buf_putc(b, c);
    }
}

#define JW_LIT(w, s) jw_put((w)->out, (s), sizeof(s) - 1)

/* For each byte below 0x80: 0 if it is written as is, else the letter of its
 * short escape, or 'u' for \u00XX. */
static const char jw_escape[128] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    0,   0,   '"', 0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   '\\', 0,  0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
};

/* Returns the length (2..4) of the well-formed UTF-8 sequence starting with
 * the non-ASCII byte at p, or 0 if it is ill-formed (overlong, surrogate,
 * above U+10FFFF, stray continuation byte, or cut short by the NUL).  Never
 * reads past the terminating NUL: a NUL fails the continuation test. */
static size_t jw_utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* Appends s (NUL-terminated UTF-8; NULL is written as "") as a quoted JSON
 * string.  Runs of bytes that need no escaping are copied in one piece.
 * Returns -1 (remembering node for the message) on invalid UTF-8. */
static int jw_string(jw *w, const xmlChar *s, const xmlNode *node)
{
    static const char hex[] = "0123456789abcdef";
    buf *out = w->out;
    jw_putc(out, '"');
    if (s) {
        const unsigned char *p = s, *run = s;
        for (;;) {
            unsigned c = *p;
            if (c >= 0x80) {
                size_t n = jw_utf8_len(p);
                if (!n) {
                    w->bad = node;
                    return -1;
                }
                p += n;
                continue;
            }
            if (c == 0)
                break;
            char esc = jw_escape[c];
            if (!esc) {
                p++;
                continue;
            }
            if (p > run)
                jw_put(out, run, (size_t)(p - run));
            char seq[6] = {'\\', esc, '0', '0', hex[c >> 4], hex[c & 15]};
            jw_put(out, seq, esc == 'u' ? 6 : 2);
            run = ++p;
        }
        if (p > run)
            jw_put(out, run, (size_t)(p - run));
    }
    jw_putc(out, '"');
    return 0;
}

/* Starts a new line at the current level (indent mode only). */
static void jw_newline(jw *w)
{
    static const char spaces[] = "                                                                ";
    if (!w->indent)
        return;
    jw_putc(w->out, '\n');
    size_t n = (size_t)w->level * 2;
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        jw_put(w->out, spaces, k);
        n -= k;
    }
}

/* Writes the separator before an array item or object member. */
static void jw_sep(jw *w, int *first)
{
    if (!*first)
        jw_putc(w->out, ',');
    *first = 0;
    jw_newline(w);
}

/* Writes `"key":` (with a space after the colon when indenting), preceded by
 * the separator.  key is a literal that needs no escaping. */
static void jw_key(jw *w, int *first, const char *key)
{
    size_t n = strlen(key);
    char tmp[32];
    jw_sep(w, first);
    tmp[0] = '"';
    memcpy(tmp + 1, key, n);
    memcpy(tmp + 1 + n, "\": ", 3);
    jw_put(w->out, tmp, n + (w->indent ? 4 : 3));
}

/* Opens an object or array: writes c and goes one level deeper. */
static void jw_open(jw *w, char c)
{
    jw_putc(w->out, c);
    w->level++;
}

/* Closes an object or array that has at least one member. */
static void jw_close(jw *w, char c)
{
    w->level--;
    jw_newline(w);
    jw_putc(w->out, c);
}

/* Writes a member whose value is a string (NULL: the JSON null). */
static int jw_member_str(jw *w, int *first, const char *key, const xmlChar *value, const xmlNode *node)
{
    jw_key(w, first, key);
    if (!value) {
        JW_LIT(w, "null");
        return 0;
    }
    return jw_string(w, value, node);
}

static void jw_member_int(jw *w, int *first, const char *key, long value)
{
    jw_key(w, first, key);
    buf_printf(w->out, "%ld", value);
}

/* Writes a qualified name: prefix ':' name, or name alone without a prefix. */
static int jw_qname(jw *w, const xmlNs *ns, const xmlChar *name, const xmlNode *node)
{
    if (!ns || !ns->prefix)
        return jw_string(w, name, node);
    size_t lp = strlen((const char *)ns->prefix), ln = strlen((const char *)name);
    char small[128];
    char *q = lp + ln + 2 <= sizeof small ? small : mem_alloc(&w->e->mem, lp + ln + 2);
    if (!q) {
        w->out->failed = 1;
        return 0;
    }
    memcpy(q, ns->prefix, lp);
    q[lp] = ':';
    memcpy(q + lp + 1, name, ln + 1);
    int rc = jw_string(w, (const xmlChar *)q, node);
    if (q != small)
        mem_free(&w->e->mem, q);
    return rc;
}

/* Writes an attribute's value: null (no children: an HTML attribute written
 * without "="), a string (one text child), or an array of strings and
 * {"entity": name} objects (text mixed with entity references). */
static int jw_attr_value(jw *w, const xmlAttr *a)
{
    const xmlNode *c = a->children;
    if (!c) {
        JW_LIT(w, "null");
        return 0;
    }
    if (c->type == XML_TEXT_NODE && !c->next)
        return jw_string(w, c->content, (const xmlNode *)a->parent);
    int first = 1;
    jw_open(w, '[');
    for (; c; c = c->next) {
        jw_sep(w, &first);
        if (c->type == XML_TEXT_NODE) {
            if (jw_string(w, c->content, (const xmlNode *)a->parent) < 0)
                return -1;
        } else if (c->type == XML_ENTITY_REF_NODE) {
            JW_LIT(w, "{\"entity\":");
            if (jw_string(w, c->name, (const xmlNode *)a->parent) < 0)
                return -1;
            jw_putc(w->out, '}');
        } else {
            return engine_error(w->e, LODE_EFORMAT,
                                "json: attribute '%s' (line %d) holds a node of type %d, which has no JSON form",
                                (const char *)a->name, a->parent ? a->parent->line : 0, (int)c->type);
        }
    }
    jw_close(w, ']');
    return 0;
}

/* Writes an element's members before "children": name, line, ns, attrs. */
static int jw_element_head(jw *w, const xmlNode *n, int *first)
{
    jw_key(w, first, "name");
    if (jw_qname(w, n->ns, n->name, n) < 0)
        return -1;
    if (n->line)
        jw_member_int(w, first, "line", n->line);
    if (n->nsDef) {
        int f2 = 1;
        jw_key(w, first, "ns");
        jw_open(w, '{');
        for (const xmlNs *ns = n->nsDef; ns; ns = ns->next) {
            jw_sep(w, &f2);
            if (jw_string(w, ns->prefix ? ns->prefix : (const xmlChar *)"", n) < 0)
                return -1;
            jw_putc(w->out, ':');
            if (w->indent)
                jw_putc(w->out, ' ');
            /* libxml2 can leave a declaration without a namespace name (in
             * entity content parsed in a namespace scope); serialisers skip
             * it, and it is written as null, unlike xmlns="" */
            if (!ns->href)
                JW_LIT(w, "null");
            else if (jw_string(w, ns->href, n) < 0)
                return -1;
        }
        jw_close(w, '}');
    }
    if (n->properties) {
        int f2 = 1;
        jw_key(w, first, "attrs");
        jw_open(w, '{');
        for (const xmlAttr *a = n->properties; a; a = a->next) {
            jw_sep(w, &f2);
            if (jw_qname(w, a->ns, a->name, n) < 0)
                return -1;
            jw_putc(w->out, ':');
            if (w->indent)
                jw_putc(w->out, ' ');
            int rc = jw_attr_value(w, a);
            if (rc != 0)
                return rc;
        }
        jw_close(w, '}');
    }
    return 0;
}

/* Writes a node that has no children of its own (text, CDATA, comment,
 * processing instruction, entity reference) as one array item. */
static int jw_leaf(jw *w, const xmlNode *n)
{
    int first = 1;
    switch (n->type) {
    case XML_TEXT_NODE:
        return jw_string(w, n->content, n);
    case XML_CDATA_SECTION_NODE:
        jw_open(w, '{');
        if (jw_member_str(w, &first, "cdata", n->content ? n->content : (const xmlChar *)"", n) < 0)
            return -1;
        break;
    case XML_COMMENT_NODE:
        jw_open(w, '{');
        if (jw_member_str(w, &first, "comment", n->content ? n->content : (const xmlChar *)"", n) < 0)
            return -1;
        break;
    case XML_PI_NODE:
        jw_open(w, '{');
        if (jw_member_str(w, &first, "pi", n->name, n) < 0)
            return -1;
        if (n->content && jw_member_str(w, &first, "data", n->content, n) < 0)
            return -1;
        break;
    case XML_ENTITY_REF_NODE:
        jw_open(w, '{');
        if (jw_member_str(w, &first, "entity", n->name, n) < 0)
            return -1;
        break;
    default:
        return engine_error(w->e, LODE_EFORMAT, "json: a node of type %d (line %d) has no JSON form",
                            (int)n->type, n->line);
    }
    if (n->line)
        jw_member_int(w, &first, "line", n->line);
    jw_close(w, '}');
    return 0;
}

static int jw_doctype(jw *w, const xmlDtd *dtd);

/* Writes the items of the array of top's children (top is the document, an
 * element or an entity declaration), descending into elements.  The walk is
 * iterative -- it follows parent/next pointers -- so the tree's depth costs
 * no C stack.  The caller has written "[" and writes "]". */
static int jw_children(jw *w, const xmlNode *top)
{
    const xmlNode *n = top->children;
    int first = 1, rc;
    while (n) {
        jw_sep(w, &first);
        if (n->type == XML_ELEMENT_NODE) {
            int f2 = 1;
            jw_open(w, '{');
            rc = jw_element_head(w, n, &f2);
            if (rc != 0)
                return rc;
            if (n->children) {
                jw_key(w, &f2, "children");
                jw_open(w, '[');
                first = 1;
                n = n->children;
                continue;
            }
            jw_close(w, '}');
        } else if (n->type == XML_DTD_NODE) {
            if (top->type != XML_DOCUMENT_NODE && top->type != XML_HTML_DOCUMENT_NODE)
                return engine_error(w->e, LODE_EFORMAT, "json: a document type declaration inside an element");
            rc = jw_doctype(w, (const xmlDtd *)n);
            if (rc != 0)
                return rc;
        } else {
            rc = jw_leaf(w, n);
            if (rc != 0)
                return rc;
        }
        if (!buf_ok(w->out))
            return 0;
        /* Climb out of finished elements, closing their arrays and objects. */
        while (!n->next) {
            n = n->parent;
            if (!n || n == top)
                return 0;
            jw_close(w, ']');
            jw_close(w, '}');
        }
        n = n->next;
    }
    return 0;
}

/* Writes one entity declaration of the internal subset. */
static int jw_entity_decl(jw *w, const xmlEntity *ent)
{
    static const char *const kinds[] = {NULL, "internal", "external", "unparsed",
                                        "parameter", "external_parameter"};
    int first = 1;
    const xmlNode *node = (const xmlNode *)ent;
    if (ent->etype < XML_INTERNAL_GENERAL_ENTITY || ent->etype > XML_EXTERNAL_PARAMETER_ENTITY)
        return engine_error(w->e, LODE_EFORMAT, "json: entity '%s' has an unknown kind (%d)",
                            (const char *)ent->name, (int)ent->etype);
    int internal = ent->etype == XML_INTERNAL_GENERAL_ENTITY || ent->etype == XML_INTERNAL_PARAMETER_ENTITY;
    jw_open(w, '{');
    if (jw_member_str(w, &first, "entity_decl", ent->name, node) < 0)
        return -1;
    jw_key(w, &first, "kind");
    jw_putc(w->out, '"');
    buf_puts(w->out, kinds[ent->etype]);
    jw_putc(w->out, '"');
    if (ent->ExternalID && jw_member_str(w, &first, "public", ent->ExternalID, node) < 0)
        return -1;
    if (ent->SystemID && jw_member_str(w, &first, "system", ent->SystemID, node) < 0)
        return -1;
    if (ent->content &&
        jw_member_str(w, &first, ent->etype == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY ? "notation" : "value",
                      ent->content, node) < 0)
        return -1;
    /* orig is the literal as written (character references unexpanded); it is
     * what the XML serialiser prints.  Absent means: the same as "value" for
     * internal entities, none for external ones. */
    const xmlChar *dflt = internal ? ent->content : NULL;
    int same = (!ent->orig && !dflt) || (ent->orig && dflt && strcmp((const char *)ent->orig, (const char *)dflt) == 0);
    if (!same && jw_member_str(w, &first, "literal", ent->orig, node) < 0)
        return -1;
    /* The parsed content, which libxml2 builds at the first reference; only
     * when the entity owns it (never a subtree of the document itself). */
    if (ent->children && ent->children->parent == node) {
        jw_key(w, &first, "children");
        jw_open(w, '[');
        int rc = jw_children(w, node);
        if (rc != 0)
            return rc;
        jw_close(w, ']');
    }
    jw_close(w, '}');
    return 0;
}

/* Writes an element or attribute-list declaration as its declaration text,
 * e.g. "<!ELEMENT para (#PCDATA | emphasis)*>", using libxml2's own dump. */
static int jw_declaration(jw *w, const xmlNode *n)
{
    xmlBufferPtr b = xmlBufferCreate();
    if (!b) {
        w->out->failed = 1;
        return 0;
    }
    if (n->type == XML_ELEMENT_DECL)
        xmlDumpElementDecl(b, (xmlElementPtr)(uintptr_t)n);
    else
        xmlDumpAttributeDecl(b, (xmlAttributePtr)(uintptr_t)n);
    int len = xmlBufferLength(b);
    xmlChar *text = (xmlChar *)(uintptr_t)xmlBufferContent(b);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
        text[--len] = '\0';
    int first = 1, rc = 0;
    jw_open(w, '{');
    if (len == 0)
        rc = engine_error(w->e, LODE_EFORMAT, "json: cannot write the declaration '%s'", (const char *)n->name);
    else if (jw_member_str(w, &first, "declaration", text, n) < 0)
        rc = -1;
    xmlBufferFree(b);
    if (rc == 0)
        jw_close(w, '}');
    return rc;
}

/* Collects the notation declarations of a DTD (xmlHashScan callback). */
typedef struct jw_notes {
    const xmlNotation **v;
    size_t n, cap;
    int failed;
    const mem *m;
} jw_notes;

static void jw_collect_notation(void *payload, void *data, const xmlChar *name)
{
    (void)name;
    jw_notes *ns = data;
    if (ns->failed)
        return;
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 8;
        const xmlNotation **v = mem_realloc(ns->m, (void *)ns->v, cap * sizeof *v);
        if (!v) {
            ns->failed = 1;
            return;
        }
        ns->v = v;
        ns->cap = cap;
    }
    ns->v[ns->n++] = payload;
}

static int jw_notation_cmp(const void *a, const void *b)
{
    const xmlNotation *x = *(const xmlNotation *const *)a, *y = *(const xmlNotation *const *)b;
    return strcmp((const char *)x->name, (const char *)y->name);
}

/* Writes the "notations" member: libxml2 keeps notations in a hash table,
 * not in the DTD's child list, so they are written sorted by name. */
static int jw_notations(jw *w, const xmlDtd *dtd, int *first)
{
    jw_notes ns = {NULL, 0, 0, 0, &w->e->mem};
    xmlHashScan((xmlHashTablePtr)dtd->notations, jw_collect_notation, &ns);
    if (ns.failed) {
        mem_free(&w->e->mem, (void *)ns.v);
        w->out->failed = 1;
        return 0;
    }
    if (ns.n == 0)
        return 0;
    qsort((void *)ns.v, ns.n, sizeof *ns.v, jw_notation_cmp);
    int rc = 0, f2 = 1;
    jw_key(w, first, "notations");
    jw_open(w, '[');
    for (size_t i = 0; i < ns.n && rc == 0; i++) {
        const xmlNotation *nt = ns.v[i];
        int f3 = 1;
        jw_sep(w, &f2);
        jw_open(w, '{');
        if (jw_member_str(w, &f3, "notation", nt->name, (const xmlNode *)dtd) < 0 ||
            (nt->PublicID && jw_member_str(w, &f3, "public", nt->PublicID, (const xmlNode *)dtd) < 0) ||
            (nt->SystemID && jw_member_str(w, &f3, "system", nt->SystemID, (const xmlNode *)dtd) < 0))
            rc = -1;
        else
            jw_close(w, '}');
    }
    if (rc == 0)
        jw_close(w, ']');
    mem_free(&w->e->mem, (void *)ns.v);
    return rc;
}

/* Writes the document type declaration with its internal subset. */
static int jw_doctype(jw *w, const xmlDtd *dtd)
{
    int first = 1, rc;
    const xmlNode *node = (const xmlNode *)dtd;
    jw_open(w, '{');
    if (jw_member_str(w, &first, "doctype", dtd->name, node) < 0)
        return -1;
    if (dtd->ExternalID && jw_member_str(w, &first, "public", dtd->ExternalID, node) < 0)
        return -1;
    if (dtd->SystemID && jw_member_str(w, &first, "system", dtd->SystemID, node) < 0)
        return -1;
    if (dtd->notations && (rc = jw_notations(w, dtd, &first)) != 0)
        return rc;
    if (dtd->children) {
        int f2 = 1;
        jw_key(w, &first, "subset");
        jw_open(w, '[');
        for (const xmlNode *c = dtd->children; c; c = c->next) {
            jw_sep(w, &f2);
            switch (c->type) {
            case XML_ENTITY_DECL:
                rc = jw_entity_decl(w, (const xmlEntity *)c);
                break;
            case XML_ELEMENT_DECL:
            case XML_ATTRIBUTE_DECL:
                rc = jw_declaration(w, c);
                break;
            case XML_COMMENT_NODE:
            case XML_PI_NODE:
                rc = jw_leaf(w, c);
                break;
            default:
                rc = engine_error(w->e, LODE_EFORMAT,
                                  "json: a node of type %d in the document type declaration has no JSON form",
                                  (int)c->type);
                break;
            }
            if (rc != 0)
                return rc;
        }
        jw_close(w, ']');
    }
    jw_close(w, '}');
    return 0;
}

int write_json(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out)
{
    jw w = {e, out, (wo->flags & LODE_WRITE_INDENT) != 0, 0, NULL};
    int html = doc->type == XML_HTML_DOCUMENT_NODE;
    int first = 1, rc = 0;
    jw_open(&w, '{');
    jw_key(&w, &first, "lode");
    JW_LIT(&w, "\"tree\"");
    jw_member_int(&w, &first, "version", 1);
    jw_key(&w, &first, "type");
    if (html)
        JW_LIT(&w, "\"html\"");
    else
        JW_LIT(&w, "\"xml\"");
    if (doc->version)
        rc = jw_member_str(&w, &first, "xml_version", doc->version, NULL);
    if (rc == 0 && doc->encoding)
        rc = jw_member_str(&w, &first, "encoding", doc->encoding, NULL);
    if (rc == 0 && doc->standalone != (html ? 1 : -1))
        jw_member_int(&w, &first, "standalone", doc->standalone);
    if (rc == 0 && doc->children) {
        jw_key(&w, &first, "children");
        jw_open(&w, '[');
        rc = jw_children(&w, (const xmlNode *)doc);
        if (rc == 0)
            jw_close(&w, ']');
    }
    if (rc == 0) {
        jw_close(&w, '}');
        jw_putc(out, '\n');
    }
    if (rc < 0) {
        const xmlNode *b = w.bad;
        while (b && b->type != XML_ELEMENT_NODE && b->parent && b->parent->type == XML_ELEMENT_NODE && !b->line)
            b = b->parent;
        if (b && b->type != XML_DTD_NODE && b->type != XML_ENTITY_DECL && b->type != XML_ELEMENT_DECL &&
            b->type != XML_ATTRIBUTE_DECL && b->line)
            return engine_error(e, LODE_EENCODING, "json: invalid UTF-8 in the tree (near line %d)", b->line);
        return engine_error(e, LODE_EENCODING, "json: invalid UTF-8 in the tree");
    }
    if (rc != 0)
        return rc;
    if (!buf_ok(out))
        return engine_error(e, LODE_ENOMEM, "out of memory");
    return LODE_OK;
}
