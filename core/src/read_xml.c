/* read_xml.c -- the hardened XML reader.
 *
 * Rules (HARDENING 1.1-1.3): parse from memory through our own context; no
 * network; never XML_PARSE_NOENT/DTDLOAD/DTDVALID/XINCLUDE/HUGE/RECOVER;
 * the context's entity resolver and external-subset hook refuse everything,
 * so no file outside the input is ever opened, whatever the document says;
 * NUL bytes and tags with too many attributes are refused before libxml2
 * sees them; entities are substituted only on request, by us, under a byte
 * budget; the first error is reported as NAME:LINE:COL: libxml2's reason. */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/entities.h>
#include <libxml/hash.h>

#include "attdecl.h"
#include "format.h"
#include "prescan.h"
#include "tree_edit.h"
#include "tree_check.h"
#include "xmlerr.h"

/* Refuses every external entity and DTD: returning NULL makes libxml2 report
 * the reference as unloadable without ever opening it. */
static xmlParserInputPtr deny_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
    (void)ctx;
    (void)public_id;
    (void)system_id;
    return NULL;
}

static void no_external_subset(void *ctx, const xmlChar *name, const xmlChar *ext_id, const xmlChar *system_id)
{
    (void)ctx;
    (void)name;
    (void)ext_id;
    (void)system_id;
}

/* Entity declarations found in the internal subset (xmlHashScan callback). */
typedef struct ent_scan {
    const xmlEntity *external_pe;    /* first external parameter entity */
    int external_general;            /* any external parsed general entity */
} ent_scan;

static void scan_entity(void *payload, void *data, const xmlChar *name)
{
    (void)name;
    const xmlEntity *ent = payload;
    ent_scan *sc = data;
    if (ent->etype == XML_EXTERNAL_PARAMETER_ENTITY && !sc->external_pe)
        sc->external_pe = ent;
    if (ent->etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY)
        sc->external_general = 1;
}

/* Finds the first reference to an external parsed entity (iterative walk). */
static const xmlNode *find_external_ref(xmlDoc *doc)
{
    const xmlNode *n = doc->children;
    while (n) {
        if (n->type == XML_ENTITY_REF_NODE) {
            const xmlEntity *ent = xmlGetDocEntity(doc, n->name);
            if (ent && ent->etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY)
                return n;
        } else if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            if (!n || n == (const xmlNode *)doc)
                return NULL;
        }
        if (n)
            n = n->next;
    }
    return NULL;
}

/* lode never loads external entities.  Declaring one is harmless (real
 * DocBook files do), but a document that *uses* one, or that declares an
 * external parameter entity (the out-of-band XXE pattern), cannot be read
 * faithfully without fetching a file, so it is refused with a message that
 * says why. */
static int refuse_external(lode_engine *e, const char *name, xmlDoc *doc)
{
    if (!doc->intSubset)
        return LODE_OK;
    ent_scan sc = {NULL, 0};
    if (doc->intSubset->pentities)
        xmlHashScan(doc->intSubset->pentities, scan_entity, &sc);
    if (doc->intSubset->entities)
        xmlHashScan(doc->intSubset->entities, scan_entity, &sc);
    if (sc.external_pe)
        return engine_error(e, LODE_ELIMIT,
                            "%s: external parameter entity '%%%s' (SYSTEM \"%s\") refused: "
                            "lode never loads external entities",
                            name, (const char *)sc.external_pe->name,
                            sc.external_pe->SystemID ? (const char *)sc.external_pe->SystemID : "");
    if (sc.external_general) {
        const xmlNode *ref = find_external_ref(doc);
        if (ref) {
            const xmlEntity *ent = xmlGetDocEntity(doc, ref->name);
            unsigned line = ref->line ? ref->line : ref->parent ? ref->parent->line : 0;
            return engine_error(e, LODE_ELIMIT,
                                "%s:%u: reference to external entity '&%s;' (SYSTEM \"%s\") refused: "
                                "lode never loads external entities",
                                name, line, (const char *)ref->name,
                                ent && ent->SystemID ? (const char *)ent->SystemID : "");
        }
    }
    return LODE_OK;
}

typedef struct expand {
    lode_engine *e;
    const char *name;
    size_t used, budget;
} expand;

static size_t text_bytes(const xmlNode *n)
{
    size_t total = 0;
    for (; n; n = n->next) {
        if (n->content && n->type != XML_ENTITY_REF_NODE)
            total += strlen((const char *)n->content);
        if (n->type == XML_ELEMENT_NODE)
            total += 16 + text_bytes(n->children);
    }
    return total;
}

/* Replaces each reference to an internal general entity among n and its
 * following siblings (up to stop, exclusive) and their descendants by a copy
 * of the entity's parsed content, counting every copied byte against the
 * budget (so entity fan-out cannot amplify a small file into gigabytes).
 * The copy is spliced in before the reference first, with links that never
 * merge text nodes (tree_edit.c), and then expanded in place, so no node is
 * used after a nested expansion freed it.  References to external or
 * undeclared entities are kept as references. */
static int expand_refs(expand *x, xmlDoc *doc, xmlNode *n, xmlNode *stop, int depth)
{
    if (depth > 64)
        return engine_error(x->e, LODE_ELIMIT, "%s: entities nested too deeply", x->name);
    while (n && n != stop) {
        xmlNode *next = n->next;
        if (n->type == XML_ENTITY_REF_NODE) {
            xmlEntity *ent = xmlGetDocEntity(doc, n->name);
            if (ent && ent->etype == XML_INTERNAL_GENERAL_ENTITY) {
                xmlNode *copy = NULL;
                if (ent->children)
                    copy = xmlDocCopyNodeList(doc, ent->children);
                else if (ent->content)
                    copy = xmlNewDocText(doc, ent->content);
                if (!copy && (ent->children || ent->content))
                    return engine_error(x->e, LODE_ENOMEM, "%s: out of memory", x->name);
                size_t add = text_bytes(copy);
                if (add > x->budget - x->used) {
                    xmlFreeNodeList(copy);
                    return engine_error(x->e, LODE_ELIMIT,
                                        "%s:%u: entity expansion exceeds the limit of %zu bytes (entity '%s')",
                                        x->name, (unsigned)(n->line ? n->line : n->parent ? n->parent->line : 0),
                                        x->budget, (const char *)n->name);
                }
                x->used += add;
                xmlNode *first = copy;
                for (xmlNode *c = copy; c;) {
                    xmlNode *cn = c->next;
                    c->next = c->prev = NULL;
                    c->parent = NULL;
                    tree_insert_before(n, c);
                    c = cn;
                }
                tree_unlink(n);
                xmlFreeNode(n);
                if (first) {
                    int rc = expand_refs(x, doc, first, next, depth + 1);
                    if (rc != LODE_OK)
                        return rc;
                }
            }
        } else if (n->type == XML_ELEMENT_NODE && n->children) {
            int rc = expand_refs(x, doc, n->children, NULL, depth);
            if (rc != LODE_OK)
                return rc;
        }
        n = next;
    }
    return LODE_OK;
}

/* Entity references are kept in the tree unless --entities asks for them
 * to be substituted, but every consumer that reads text through them
 * (XPath's string(), libxml2's xmlNodeGetContent/xmlNodeListGetString, a
 * writer) pays for the expansion -- and libxml2 joins the pieces of an
 * attribute value with xmlStrcat, which is quadratic in the number of
 * references (30,000 references in one attribute: 55 s).  So, once per
 * document: the text all references stand for, nested entities included,
 * must stay within the engine's expansion limit, and one attribute value
 * may hold at most ATTR_REFS_MAX references. */
#define ATTR_REFS_MAX 64

typedef struct ent_load {
    xmlHashTablePtr memo; /* entity name -> expanded size + 1 */
    size_t total, budget;
    int failed_oom;
} ent_load;

static size_t list_size(ent_load *el, xmlDoc *doc, const xmlNode *n, int depth);

/* Bytes the entity stands for, saturating just above the budget. */
static size_t entity_size(ent_load *el, xmlDoc *doc, const xmlEntity *ent, int depth)
{
    if (ent->etype == XML_INTERNAL_PREDEFINED_ENTITY)
        return 1;
    if (ent->etype != XML_INTERNAL_GENERAL_ENTITY)
        return 0; /* external: refused elsewhere, never loaded */
    if (depth > 40)
        return el->budget + 1;
    uintptr_t m = (uintptr_t)xmlHashLookup(el->memo, ent->name);
    if (m)
        return (size_t)(m - 1);
    size_t n = ent->children ? list_size(el, doc, ent->children, depth + 1) : (size_t)ent->length;
    if (xmlHashAddEntry(el->memo, ent->name, (void *)(uintptr_t)(n + 1)) < 0)
        el->failed_oom = 1;
    return n;
}

static size_t add_sat(size_t a, size_t b, size_t cap)
{
    return a > cap || b > cap - a ? cap + 1 : a + b;
}

/* Text bytes of n and its following siblings, entities expanded. */
static size_t list_size(ent_load *el, xmlDoc *doc, const xmlNode *n, int depth)
{
    size_t total = 0;
    for (; n && total <= el->budget; n = n->next) {
        if (n->type == XML_ENTITY_REF_NODE) {
            const xmlEntity *ent = xmlGetDocEntity(doc, n->name);
            if (ent)
                total = add_sat(total, entity_size(el, doc, ent, depth), el->budget);
        } else if (n->type == XML_ELEMENT_NODE) {
            total = add_sat(total, list_size(el, doc, n->children, depth), el->budget);
        } else if (n->content) {
            total = add_sat(total, strlen((const char *)n->content), el->budget);
        }
    }
    return total;
}

/* Checks the document's references (content and attribute values).
 * Iterative over the tree; entity bodies are sized once each. */
static int check_entity_load(lode_engine *e, const char *name, xmlDoc *doc, xmlNode *root)
{
    ent_load el = {NULL, 0, e->limits.max_entity_expansion, 0};
    const xmlNode *n = root;
    int rc = LODE_OK;
    while (n && rc == LODE_OK) {
        const xmlNode *ref = NULL;
        size_t add = 0;
        if (n->type == XML_ENTITY_REF_NODE) {
            ref = n;
        } else if (n->type == XML_ELEMENT_NODE) {
            for (const xmlAttr *a = n->properties; a && rc == LODE_OK; a = a->next) {
                unsigned refs = 0;
                for (const xmlNode *c = a->children; c; c = c->next) {
                    if (c->type != XML_ENTITY_REF_NODE)
                        continue;
                    if (++refs > ATTR_REFS_MAX) {
                        rc = engine_error(e, LODE_ELIMIT,
                                          "%s:%u: more than %d entity references in the value of attribute '%s' "
                                          "(limit)", name, n->line, ATTR_REFS_MAX, (const char *)a->name);
                        break;
                    }
                    if (!el.memo && !(el.memo = xmlHashCreate(16)))
                        el.failed_oom = 1;
                    const xmlEntity *ent = xmlGetDocEntity(doc, c->name);
                    if (ent && el.memo)
                        add = add_sat(add, entity_size(&el, doc, ent, 0), el.budget);
                    if (add_sat(el.total, add, el.budget) > el.budget) {
                        ref = c;
                        break;
                    }
                }
            }
        }
        if (rc != LODE_OK)
            break;
        if (n->type == XML_ENTITY_REF_NODE) {
            const xmlEntity *ent = xmlGetDocEntity(doc, n->name);
            if (!el.memo && !(el.memo = xmlHashCreate(16)))
                el.failed_oom = 1;
            if (ent && el.memo)
                add = add_sat(add, entity_size(&el, doc, ent, 0), el.budget);
        }
        el.total = add_sat(el.total, add, el.budget);
        if (el.failed_oom) {
            rc = engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
            break;
        }
        if (el.total > el.budget) {
            if (!ref)
                ref = n;
            unsigned line = ref->line ? ref->line : ref->parent ? ref->parent->line : n->line;
            rc = engine_error(e, LODE_ELIMIT,
                              "%s:%u: entity expansion exceeds the limit of %zu bytes (entity '%s'; "
                              "the references in the document stand for more text than that)",
                              name, line, el.budget, (const char *)ref->name);
            break;
        }
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            if (!n || n == root)
                n = NULL;
        }
        if (n)
            n = n->next;
    }
    if (el.memo)
        xmlHashFree(el.memo, NULL);
    return rc;
}

/* The longest text node lode accepts (HARDENING 5), as for a paragraph of
 * the text reader. */
#define TEXT_NODE_MAX ((size_t)16 << 20)

/* Returns the first text or CDATA node longer than max bytes, or NULL.
 * Iterative; only called for inputs longer than max. */
static const xmlNode *long_text(const xmlNode *root, size_t max)
{
    const xmlNode *n = root;
    while (n) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content &&
            strnlen((const char *)n->content, max + 1) > max)
            return n;
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            if (!n || n == root)
                return NULL;
        }
        if (n)
            n = n->next;
    }
    return NULL;
}

int read_xml(lode_engine *e, const char *name, const unsigned char *data, size_t len,
             const lode_parse_options *po, xmlDoc **out)
{
    *out = NULL;
    if (len == 0 || (len == 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0))
        return engine_error(e, LODE_EEMPTY, "%s: empty document", name);
    prescan ps;
    prescan_run(data, len, e->limits.max_attributes, 0, &ps);
    if (ps.nul_offset != (size_t)-1 &&
        !(len >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF)))) {
        int line, col;
        prescan_position(data, ps.nul_offset, &line, &col);
        return engine_error(e, LODE_EENCODING, "%s:%d:%d: NUL byte at byte offset %zu (not allowed in XML)",
                            name, line, col, ps.nul_offset);
    }
    if (ps.attrs_offset != (size_t)-1) {
        int line, col;
        prescan_position(data, ps.attrs_offset, &line, &col);
        return engine_error(e, LODE_ELIMIT, "%s:%d:%d: more than %u attributes on one tag (limit)", name,
                            line, col, e->limits.max_attributes);
    }

    xmlerr x;
    xmlerr_begin(&x, NULL); /* a failed xmlNewParserCtxt reports too */
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        xmlerr_end(&x);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
    }
    ctxt->sax->resolveEntity = deny_entity;
    ctxt->sax->externalSubset = no_external_subset;
    xmlerr_attach(&x, ctxt);
    int opts = XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES | XML_PARSE_NOERROR |
               XML_PARSE_NOWARNING;
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)len, name, NULL, opts);
    int well_formed = ctxt->wellFormed;
    xmlerr_end(&x);
    xmlFreeParserCtxt(ctxt);

    if (x.nomem) { /* whatever else went wrong followed from it */
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
    }
    if (doc && x.huge) {
        /* libxml2 stopped early but kept wellFormed: the tree is cut. */
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ELIMIT, "%s: a text node longer than 10000000 bytes (libxml2's limit; "
                            "the document would be cut there)", name);
    }
    if (!doc || !well_formed) {
        xmlFreeDoc(doc);
        if (x.count == 0)
            return engine_error(e, LODE_EPARSE, "%s: not a well-formed XML document", name);
        if (x.deep)
            return engine_error(e, LODE_ELIMIT, "%s:%d:%d: elements nested deeper than 256 levels (limit)",
                                name, x.first_line, x.first_col);
        int code = LODE_EPARSE;
        if (x.first_code == XML_ERR_ENTITY_LOOP || strstr(x.first, "amplification") || strstr(x.first, "loop"))
            code = LODE_ELIMIT;
        if (x.first_code == XML_ERR_INVALID_CHAR || x.first_code == XML_ERR_INVALID_ENCODING)
            code = LODE_EENCODING;
        return engine_error(e, code, "%s:%d:%d: %s", name, x.first_line, x.first_col, x.first);
    }
    int rc = refuse_external(e, name, doc);
    if (rc != LODE_OK) {
        xmlFreeDoc(doc);
        return rc;
    }
    if (attdecl_escape_defaults(doc->intSubset) != 0) {
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (root && doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities)) {
        rc = check_entity_load(e, name, doc, root);
        if (rc != LODE_OK) {
            xmlFreeDoc(doc);
            return rc;
        }
    }
    const xmlNode *big = root && len > TEXT_NODE_MAX ? long_text(root, TEXT_NODE_MAX) : NULL;
    if (big) {
        unsigned line = big->line ? big->line : big->parent ? big->parent->line : 0;
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ELIMIT, "%s:%u: a text node longer than 16 MiB (limit)", name, line);
    }
    if (root && tree_too_deep(root, e->limits.max_depth)) {
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ELIMIT, "%s: elements nested deeper than %u levels (limit)", name,
                            e->limits.max_depth);
    }
    if (po->flags & LODE_PARSE_ENTITIES) {
        expand ex = {e, name, 0, e->limits.max_entity_expansion};
        if (ex.budget / 10 > len)
            ex.budget = len * 10;
        rc = expand_refs(&ex, doc, doc->children, NULL, 0);
        if (rc != LODE_OK) {
            xmlFreeDoc(doc);
            return rc;
        }
    }
    *out = doc;
    return LODE_OK;
}
