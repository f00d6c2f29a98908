/* read_json.c -- the reader of lode's JSON tree format (docs/json-tree.md).
 *
 * jansson parses the bytes (strict: duplicate keys, trailing garbage and
 * \u0000 are errors); we then walk the JSON values and rebuild the libxml2
 * tree that write_json() described, node for node: namespace declarations in
 * their order, prefixes resolved through the ancestors as the XML parser does,
 * attribute order, line numbers, entity declarations with their parsed
 * content, and entity references that point at them.
 *
 * The reader is strict on purpose: an unknown key, a value of the wrong type
 * or an invalid name is an error naming the JSON path and its line:column
 * (found by re-scanning the text, only when reporting), so that a typo in a
 * hand-edited tree never loses data silently.  Limits: element nesting
 * (max_depth), attributes per element (max_attributes), entity expansion
 * (max_entity_expansion, as in read_xml), and jansson's own depth of 2048.
 *
 * Memory: every node is linked into the document as soon as it exists, so on
 * any failure freeing the document frees everything. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/HTMLtree.h>
#include <libxml/SAX2.h>
#include <libxml/dict.h>
#include <libxml/entities.h>
#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>

#include "attdecl.h"
#include "format.h"
#include "utf8.h"
#include "xmlerr.h"

#define JR_DEFAULT_DEPTH 256u
#define JR_DEFAULT_ATTRS 1024u
#define JR_DEFAULT_EXPANSION ((size_t)16 << 20)
#define JR_MAX_ENTITY_NESTING 40

/* One step of the path from the top-level object to the value at hand, kept
 * on the C stack: the member name, or (key == NULL) the array index. */
typedef struct jr_path {
    const struct jr_path *up;
    const char *key;
    size_t index;
} jr_path;

/* An entity declaration whose parsed content the tree carries, with what the
 * expansion check computes for it. */
typedef struct jr_ent {
    xmlEntity *ent;
    json_t *children;    /* the "children" array (built in a second pass) */
    size_t item;         /* index in "subset", for error paths */
    size_t size;         /* bytes produced by expanding it */
    int state;           /* 0 new, 1 being measured, 2 measured */
} jr_ent;

/* The reader's state for one document. */
typedef struct jr {
    lode_engine *e;
    const char *name;
    const unsigned char *data; /* the JSON text, for locating errors */
    size_t len;
    xmlDoc *doc;
    int html;
    unsigned max_depth, max_attrs;
    int seen_root, seen_doctype;
    jr_ent *ents;
    size_t nents, cap;
} jr;

/* ------------------------------------------------------------------------ */
/* Error locations                                                           */
/* ------------------------------------------------------------------------ */

static const unsigned char *jl_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* p is at a '"': returns the position after the closing quote. */
static const unsigned char *jl_skip_string(const unsigned char *p, const unsigned char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return end;
}

/* Skips one JSON value (the text is known to be valid JSON).  Iterative:
 * containers are skipped by counting brackets outside strings. */
static const unsigned char *jl_skip_value(const unsigned char *p, const unsigned char *end)
{
    int depth = 0;
    do {
        p = jl_ws(p, end);
        if (p >= end)
            return end;
        if (*p == '"') {
            p = jl_skip_string(p, end);
        } else if (*p == '{' || *p == '[') {
            depth++;
            p++;
        } else if (*p == '}' || *p == ']') {
            depth--;
            p++;
        } else if (*p == ',' || *p == ':') {
            p++;
        } else {
            do
                p++;
            while (p < end && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\t' && *p != '\r' &&
                   *p != '\n');
        }
    } while (depth > 0);
    return p;
}

static unsigned jl_hex4(const unsigned char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* p is at the '"' of an object key: returns 1 if its decoded text equals key
 * (of klen bytes), and stores the position after the closing quote. */
static int jl_key_equals(const unsigned char *p, const unsigned char *end, const char *key, size_t klen,
                         const unsigned char **after)
{
    const unsigned char *k = (const unsigned char *)key, *kend = k + klen;
    int same = 1;
    p++;
    while (p < end && *p != '"') {
        unsigned char enc[4];
        size_t n = 1;
        if (*p != '\\') {
            enc[0] = *p++;
        } else if (p + 1 < end && p[1] != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *f = strchr(from, p[1]);
            enc[0] = f ? (unsigned char)to[f - from] : p[1];
            p += 2;
        } else if (p + 6 <= end) {
            uint32_t cp = jl_hex4(p + 2);
            p += 6;
            if (cp >= 0xD800 && cp < 0xDC00 && p + 6 <= end && p[0] == '\\' && p[1] == 'u') {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (jl_hex4(p + 2) - 0xDC00);
                p += 6;
            }
            n = utf8_put(cp, enc);
            if (n == 0)
                same = 0;
        } else {
            break;
        }
        if (same && (size_t)(kend - k) >= n && memcmp(k, enc, n) == 0)
            k += n;
        else
            same = 0;
    }
    *after = p < end ? p + 1 : end;
    return same && k == kend;
}

/* Returns the position of the value that path names, or NULL. */
static const unsigned char *jl_find(const unsigned char *data, const unsigned char *end, const jr_path *path)
{
    if (!path)
        return jl_ws(data, end);
    const unsigned char *p = jl_find(data, end, path->up);
    if (!p)
        return NULL;
    if (path->key) {
        if (*p != '{')
            return NULL;
        size_t klen = strlen(path->key);
        p = jl_ws(p + 1, end);
        while (p < end && *p == '"') {
            const unsigned char *after;
            int match = jl_key_equals(p, end, path->key, klen, &after);
            p = jl_ws(after, end);
            if (p < end && *p == ':')
                p = jl_ws(p + 1, end);
            if (match)
                return p;
            p = jl_ws(jl_skip_value(p, end), end);
            if (p < end && *p == ',')
                p = jl_ws(p + 1, end);
        }
        return NULL;
    }
    if (*p != '[')
        return NULL;
    p = jl_ws(p + 1, end);
    for (size_t i = 0; i < path->index; i++) {
        p = jl_ws(jl_skip_value(p, end), end);
        if (p >= end || *p != ',')
            return NULL;
        p = jl_ws(p + 1, end);
    }
    return p < end && *p != ']' ? p : NULL;
}

/* Line and column (1-based; the column counts characters, as jansson's
 * do) of the byte at in data. */
static void jl_position(const unsigned char *data, const unsigned char *at, long *line, long *col)
{
    long l = 1, c = 1;
    for (const unsigned char *p = data; p < at; p++) {
        if (*p == '\n') {
            l++;
            c = 1;
        } else if ((*p & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Line and column of the value path names.  Returns 0, or -1 if it cannot
 * be found. */
static int jr_locate(const jr *r, const jr_path *path, long *line, long *col)
{
    const unsigned char *at = jl_find(r->data, r->data + r->len, path);
    if (!at)
        return -1;
    jl_position(r->data, at, line, col);
    return 0;
}

/* Writes the path as a JSON pointer ("/children/3/attrs/class") into out.
 * Member names are escaped (~0 ~1), cut at 40 bytes, and stripped of control
 * characters; a path too long for out keeps its end, after "...". */
static void jr_path_str(const jr_path *path, char *out, size_t cap)
{
    char tmp[480];
    size_t pos = sizeof tmp - 1;
    tmp[pos] = '\0';
    for (const jr_path *p = path; p; p = p->up) {
        char seg[100];
        size_t n = 0;
        seg[n++] = '/';
        if (p->key) {
            const unsigned char *k = (const unsigned char *)p->key;
            size_t i;
            for (i = 0; k[i] && i < 40; i++) {
                if (k[i] == '~' || k[i] == '/') {
                    seg[n++] = '~';
                    seg[n++] = k[i] == '~' ? '0' : '1';
                } else {
                    seg[n++] = k[i] < 0x20 || k[i] == 0x7f ? '?' : (char)k[i];
                }
            }
            if (k[i]) {
                /* do not cut a UTF-8 sequence in the middle */
                while (n > 1 && ((unsigned char)seg[n - 1] & 0xC0) == 0x80)
                    n--;
                if (n > 1 && ((unsigned char)seg[n - 1] & 0xC0) == 0xC0)
                    n--;
                memcpy(seg + n, "...", 3);
                n += 3;
            }
        } else {
            n += (size_t)snprintf(seg + n, sizeof seg - n, "%zu", p->index);
        }
        if (n + 3 > pos) {
            pos -= 3;
            memcpy(tmp + pos, "...", 3);
            break;
        }
        pos -= n;
        memcpy(tmp + pos, seg, n);
    }
    snprintf(out, cap, "%s", tmp + pos);
}

/* Reports a problem with the value at path: "NAME:LINE:COL: PATH: message". */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int jr_fail(jr *r, const jr_path *path, int code, const char *fmt, ...)
{
    char msg[400], where[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jr_path_str(path, where, sizeof where);
    long line, col;
    if (jr_locate(r, path, &line, &col) == 0)
        return engine_error(r->e, code, "%s:%ld:%ld: %s%s%s", r->name, line, col, where, *where ? ": " : "",
                            msg);
    return engine_error(r->e, code, "%s: %s%s%s", r->name, where, *where ? ": " : "", msg);
}

static int jr_nomem(jr *r)
{
    return engine_error(r->e, LODE_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */
/* ------------------------------------------------------------------------ */

static const char *jr_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Gets the string at v (path names it) or fails with "WHAT must be a string". */
static int jr_string(jr *r, const json_t *v, const jr_path *path, const char *what, const char **out)
{
    if (!json_is_string(v))
        return jr_fail(r, path, LODE_EPARSE, "%s must be a string, not %s", what, jr_type_name(v));
    *out = json_string_value(v);
    return LODE_OK;
}

/* As jr_string, but null is allowed and gives NULL. */
static int jr_string_or_null(jr *r, const json_t *v, const jr_path *path, const char *what, const char **out)
{
    if (json_is_null(v)) {
        *out = NULL;
        return LODE_OK;
    }
    if (!json_is_string(v))
        return jr_fail(r, path, LODE_EPARSE, "%s must be a string or null, not %s", what, jr_type_name(v));
    *out = json_string_value(v);
    return LODE_OK;
}

/* Gets a source line number: an integer 0..65535 (libxml2 keeps 16 bits). */
static int jr_line(jr *r, const json_t *v, const jr_path *path, unsigned short *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535)
        return jr_fail(r, path, LODE_EPARSE, "\"line\" must be an integer from 0 to 65535");
    *out = (unsigned short)json_integer_value(v);
    return LODE_OK;
}

/* The common case of a name, checked without libxml2: an ASCII letter or
 * '_', then letters, digits, '-', '.' or '_' (valid as Name and Nmtoken). */
static int jr_plain_name(const char *s)
{
    unsigned char c = (unsigned char)*s;
    if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_'))
        return 0;
    while ((c = (unsigned char)*++s) != '\0')
        if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_'))
            return 0;
    return 1;
}

/* XML 1.0 fifth edition name characters (the rules libxml2 2.9's parser
 * applies to documents; xmlValidateName still uses the fourth edition's
 * tables, which would refuse names the parser accepted, e.g. with U+FEFF). */
static int name_start5(uint32_t c)
{
    return c == ':' || (c >= 'A' && c <= 'Z') || c == '_' || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0xD6) ||
           (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
           (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) || (c >= 0x2070 && c <= 0x218F) ||
           (c >= 0x2C00 && c <= 0x2FEF) || (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
           (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static int name_char5(uint32_t c)
{
    return name_start5(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') || c == 0xB7 ||
           (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

/* 1 if s is a Name (nmtoken == 0) or an Nmtoken (nmtoken == 1) by the fifth
 * edition's rules. */
static int xml5_name(const char *s, int nmtoken)
{
    size_t len = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    int first = 1;
    while (len) {
        uint32_t c;
        size_t n = utf8_decode(p, len, &c);
        if (c == UTF8_BAD)
            return 0;
        if (first && !nmtoken ? !name_start5(c) : !name_char5(c))
            return 0;
        first = 0;
        p += n;
        len -= n;
    }
    return !first;
}

/* 1 if the attribute name key is one libxml2's XML parser takes as a
 * namespace declaration: "xmlns", or "xmlns:" and a character that can start
 * an NCName.  Anything else after "xmlns:" ("xmlns:-", "xmlns:", "xmlns::a")
 * is a namespace error the parser recovers from by keeping a plain
 * attribute of that whole name, which a lode tree must carry in "attrs". */
static int ns_decl_name(const char *key)
{
    if (strcmp(key, "xmlns") == 0)
        return 1;
    if (strncmp(key, "xmlns:", 6) != 0 || key[6] == '\0')
        return 0;
    uint32_t c;
    utf8_decode((const unsigned char *)key + 6, strlen(key + 6), &c);
    return c != UTF8_BAD && c != ':' && name_start5(c);
}

/* Element and attribute names: an XML Name in an XML document; in an HTML
 * document libxml2's HTML parser also makes names like ".bar" (an Nmtoken). */
static int jr_check_name(jr *r, const char *s, const jr_path *path, const char *what)
{
    if (jr_plain_name(s))
        return LODE_OK;
    int bad = r->html ? xmlValidateNMToken((const xmlChar *)s, 0) != 0 && !xml5_name(s, 1) : !xml5_name(s, 0);
    if (*s == '\0' || bad)
        return jr_fail(r, path, LODE_EPARSE, "\"%.80s\" is not a valid %s", s, what);
    return LODE_OK;
}

/* Targets, entity and notation names: always an XML Name. */
static int jr_check_xml_name(jr *r, const char *s, const jr_path *path, const char *what)
{
    if (*s == '\0' || !xml5_name(s, 0))
        return jr_fail(r, path, LODE_EPARSE, "\"%.80s\" is not a valid %s", s, what);
    return LODE_OK;
}

/* Appends child as the last child of parent (any node kind that has a child
 * list: document, DTD, element, attribute, entity).  Unlike xmlAddChild it
 * never merges adjacent text nodes, so the tree keeps exactly its shape. */
static void jr_append(xmlNode *parent, xmlNode *child)
{
    child->parent = parent;
    child->prev = parent->last;
    child->next = NULL;
    if (parent->last)
        parent->last->next = child;
    else
        parent->children = child;
    parent->last = child;
}

/* ------------------------------------------------------------------------ */
/* Namespaces                                                                */
/* ------------------------------------------------------------------------ */

/* The nearest declaration of prefix (plen bytes; NULL: the default
 * namespace) on node or its element ancestors. */
static xmlNs *jr_find_ns(xmlNode *node, const char *prefix, size_t plen)
{
    for (; node && node->type == XML_ELEMENT_NODE; node = node->parent) {
        for (xmlNs *ns = node->nsDef; ns; ns = ns->next) {
            if (!prefix) {
                if (!ns->prefix)
                    return ns;
            } else if (ns->prefix && strncmp((const char *)ns->prefix, prefix, plen) == 0 &&
                       ns->prefix[plen] == '\0') {
                return ns;
            }
        }
    }
    return NULL;
}

/* Resolves the prefix of qname as the XML parser does: through the
 * declarations in scope at node (plus the predefined "xml" prefix in XML
 * documents).  An unprefixed element takes the default namespace (none if
 * it is undeclared with xmlns=""); an unprefixed attribute has none.  A
 * prefix that is not declared is not a prefix: the name stays as written.
 * Stores the namespace (or NULL) and the name to give the node. */
static int jr_resolve(jr *r, xmlNode *node, const char *qname, int is_attr, xmlNs **ns, const char **local)
{
    const char *colon = strchr(qname, ':');
    *ns = NULL;
    *local = qname;
    if (!colon || colon == qname || colon[1] == '\0') {
        if (!is_attr) {
            xmlNs *d = jr_find_ns(node, NULL, 0);
            if (d && d->href && d->href[0])
                *ns = d;
        }
        return LODE_OK;
    }
    size_t plen = (size_t)(colon - qname);
    xmlNs *found = jr_find_ns(node, qname, plen);
    if (!found && !r->html && plen == 3 && memcmp(qname, "xml", 3) == 0) {
        found = xmlSearchNs(r->doc, node, (const xmlChar *)"xml");
        if (!found)
            return jr_nomem(r);
    }
    if (found) {
        *ns = found;
        *local = colon + 1;
    }
    return LODE_OK;
}

/* Would prefix (plen bytes) of qname resolve at an element whose own
 * declarations are the JSON object jns and whose parent is parent? */
static int jr_will_resolve(jr *r, xmlNode *parent, const json_t *jns, const char *qname)
{
    const char *colon = strchr(qname, ':');
    if (!colon || colon == qname || colon[1] == '\0')
        return 0;
    size_t plen = (size_t)(colon - qname);
    if (jns && json_object_getn(jns, qname, plen))
        return 1;
    if (jr_find_ns(parent, qname, plen))
        return 1;
    return !r->html && plen == 3 && memcmp(qname, "xml", 3) == 0;
}

/* ------------------------------------------------------------------------ */
/* Nodes                                                                     */
/* ------------------------------------------------------------------------ */

static int jr_content(jr *r, const json_t *arr, xmlNode *parent, const jr_path *path, unsigned depth);

/* Reads {"comment"}, {"cdata"}, {"pi", "data"} or {"entity"} (kind is the
 * discriminating key) with an optional "line", and returns the new node
 * (not yet linked) in *out. */
static int jr_leaf(jr *r, const json_t *obj, const char *kind, const jr_path *path, xmlNode **out)
{
    const char *key, *text = NULL, *data = NULL;
    const json_t *v;
    unsigned short line = 0;
    int rc;
    *out = NULL;
    json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
        jr_path kp = {path, key, 0};
        if (strcmp(key, kind) == 0) {
            rc = jr_string(r, v, &kp, kind[0] == 'p' ? "a processing instruction's target" : kind, &text);
        } else if (strcmp(key, "line") == 0) {
            rc = jr_line(r, v, &kp, &line);
        } else if (strcmp(key, "data") == 0 && strcmp(kind, "pi") == 0) {
            rc = jr_string(r, v, &kp, "\"data\"", &data);
        } else {
            rc = jr_fail(r, &kp, LODE_EPARSE, "unknown key \"%.80s\" in a %s node", key,
                         strcmp(kind, "pi") == 0 ? "processing instruction" : kind);
        }
        if (rc != LODE_OK)
            return rc;
    }
    jr_path kp = {path, kind, 0};
    xmlNode *n;
    if (strcmp(kind, "comment") == 0) {
        n = xmlNewDocComment(r->doc, (const xmlChar *)text);
    } else if (strcmp(kind, "cdata") == 0) {
        n = xmlNewCDataBlock(r->doc, (const xmlChar *)text, (int)json_string_length(json_object_get(obj, kind)));
    } else if (strcmp(kind, "pi") == 0) {
        if ((rc = jr_check_xml_name(r, text, &kp, "processing instruction target")) != LODE_OK)
            return rc;
        n = xmlNewDocPI(r->doc, (const xmlChar *)text, (const xmlChar *)data);
    } else {
        if ((rc = jr_check_xml_name(r, text, &kp, "entity name")) != LODE_OK)
            return rc;
        n = xmlNewReference(r->doc, (const xmlChar *)text);
    }
    if (!n)
        return jr_nomem(r);
    n->line = line;
    *out = n;
    return LODE_OK;
}

/* Reads an attribute value -- a string, null, or an array of strings and
 * {"entity": name} -- into the children of a. */
static int jr_attr_value(jr *r, xmlAttr *a, const json_t *v, const jr_path *path)
{
    if (json_is_null(v))
        return LODE_OK;
    if (json_is_string(v)) {
        xmlNode *t = xmlNewDocTextLen(r->doc, (const xmlChar *)json_string_value(v), (int)json_string_length(v));
        if (!t)
            return jr_nomem(r);
        jr_append((xmlNode *)a, t);
        return LODE_OK;
    }
    if (!json_is_array(v))
        return jr_fail(r, path, LODE_EPARSE,
                       "an attribute value must be a string, null or an array, not %s", jr_type_name(v));
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
        jr_path ip = {path, NULL, i};
        xmlNode *n;
        if (json_is_string(item)) {
            n = xmlNewDocTextLen(r->doc, (const xmlChar *)json_string_value(item), (int)json_string_length(item));
            if (!n)
                return jr_nomem(r);
        } else if (json_is_object(item) && json_object_get(item, "entity")) {
            int rc = jr_leaf(r, item, "entity", &ip, &n);
            if (rc != LODE_OK)
                return rc;
        } else {
            return jr_fail(r, &ip, LODE_EPARSE,
                           "a part of an attribute value must be a string or {\"entity\": name}");
        }
        jr_append((xmlNode *)a, n);
    }
    return LODE_OK;
}

/* Reads the "attrs" object of element node, in order. */
static int jr_attrs(jr *r, xmlNode *node, const json_t *attrs, const jr_path *path)
{
    if (!json_is_object(attrs))
        return jr_fail(r, path, LODE_EPARSE, "\"attrs\" must be an object, not %s", jr_type_name(attrs));
    if (json_object_size(attrs) > r->max_attrs)
        return jr_fail(r, path, LODE_ELIMIT, "more than %u attributes on one element (limit)", r->max_attrs);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)attrs, key, v) {
        jr_path kp = {path, key, 0};
        int rc = jr_check_name(r, key, &kp, "attribute name");
        if (rc != LODE_OK)
            return rc;
        if (!r->html && ns_decl_name(key))
            return jr_fail(r, &kp, LODE_EPARSE, "namespace declarations belong in \"ns\", not in \"attrs\"");
        xmlNs *ns;
        const char *local;
        if ((rc = jr_resolve(r, node, key, 1, &ns, &local)) != LODE_OK)
            return rc;
        /* A plain string goes through xmlNewNsProp's value, as when parsing,
         * so that ID attributes (xml:id, HTML id) are registered. */
        const xmlChar *value = json_is_string(v) ? (const xmlChar *)json_string_value(v) : NULL;
        xmlAttr *a = xmlNewNsProp(node, ns, (const xmlChar *)local, value);
        /* libxml2 2.9.14 goes on without the name (a failed dictionary
         * lookup) or the text it could not allocate */
        if (!a || !a->name || (value && *value && !a->children))
            return jr_nomem(r);
        if (!value && (rc = jr_attr_value(r, a, v, &kp)) != LODE_OK)
            return rc;
    }
    return LODE_OK;
}

/* Reads the "ns" object: namespace declarations of node, in order. */
static int jr_ns_decls(jr *r, xmlNode *node, const json_t *jns, const jr_path *path)
{
    const char *prefix;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)jns, prefix, v) {
        jr_path kp = {path, prefix, 0};
        const char *href = NULL;
        int rc = jr_string_or_null(r, v, &kp, "a namespace name", &href);
        if (rc != LODE_OK)
            return rc;
        /* A Name, not only an NCName: libxml2 keeps a declaration like
         * xmlns:a:b (a namespace error it recovers from) with the prefix
         * "a:b", and a lode tree must round-trip whatever the reader built. */
        if (*prefix && !xml5_name(prefix, 0))
            return jr_fail(r, &kp, LODE_EPARSE, "\"%.80s\" is not a valid namespace prefix", prefix);
        if (strcmp(prefix, "xml") == 0 || strcmp(prefix, "xmlns") == 0)
            return jr_fail(r, &kp, LODE_EPARSE, "the prefix \"%s\" is predefined and cannot be declared", prefix);
        if (!xmlNewNs(node, (const xmlChar *)href, *prefix ? (const xmlChar *)prefix : NULL))
            return jr_nomem(r);
    }
    return LODE_OK;
}

/* Reads an element object and appends the new element to parent.  depth is
 * the element's nesting level (1 for the root). */
static int jr_element(jr *r, const json_t *obj, xmlNode *parent, const jr_path *path, unsigned depth)
{
    const json_t *jname = NULL, *jline = NULL, *jns = NULL, *jattrs = NULL, *jkids = NULL;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
        if (strcmp(key, "name") == 0)
            jname = v;
        else if (strcmp(key, "line") == 0)
            jline = v;
        else if (strcmp(key, "ns") == 0)
            jns = v;
        else if (strcmp(key, "attrs") == 0)
            jattrs = v;
        else if (strcmp(key, "children") == 0)
            jkids = v;
        else {
            jr_path kp = {path, key, 0};
            return jr_fail(r, &kp, LODE_EPARSE, "unknown key \"%.80s\" in an element", key);
        }
    }
    if (depth > r->max_depth)
        return jr_fail(r, path, LODE_ELIMIT, "elements nested deeper than %u levels (limit)", r->max_depth);
    jr_path np = {path, "name", 0}, lp = {path, "line", 0}, sp = {path, "ns", 0}, ap = {path, "attrs", 0},
            cp = {path, "children", 0};
    const char *name = NULL;
    unsigned short line = 0;
    int rc = jr_string(r, jname, &np, "an element's \"name\"", &name);
    if (rc == LODE_OK)
        rc = jr_check_name(r, name, &np, "element name");
    if (rc == LODE_OK && jline)
        rc = jr_line(r, jline, &lp, &line);
    if (rc == LODE_OK && jns && !json_is_object(jns))
        rc = jr_fail(r, &sp, LODE_EPARSE, "\"ns\" must be an object, not %s", jr_type_name(jns));
    if (rc == LODE_OK && jkids && !json_is_array(jkids))
        rc = jr_fail(r, &cp, LODE_EPARSE, "\"children\" must be an array, not %s", jr_type_name(jkids));
    if (rc != LODE_OK)
        return rc;

    /* The node's name is its local name when the prefix resolves, which
     * depends on its own declarations: decide before creating it. */
    const char *colon = strchr(name, ':');
    const char *given = jr_will_resolve(r, parent, jns, name) ? colon + 1 : name;
    xmlNode *node = xmlNewDocNode(r->doc, NULL, (const xmlChar *)given, NULL);
    if (node && !node->name) { /* libxml2 2.9.14 makes it without its name then */
        xmlFreeNode(node);
        node = NULL;
    }
    if (!node)
        return jr_nomem(r);
    jr_append(parent, node);
    node->line = line;
    if (jns && (rc = jr_ns_decls(r, node, jns, &sp)) != LODE_OK)
        return rc;
    xmlNs *ns;
    const char *local;
    if ((rc = jr_resolve(r, node, name, 0, &ns, &local)) != LODE_OK)
        return rc;
    node->ns = ns;
    if (jattrs && (rc = jr_attrs(r, node, jattrs, &ap)) != LODE_OK)
        return rc;
    if (jkids)
        return jr_content(r, jkids, node, &cp, depth);
    return LODE_OK;
}

/* Reads the items of a "children" array of an element or entity (depth is
 * the nesting level of parent) and appends them to parent. */
static int jr_content(jr *r, const json_t *arr, xmlNode *parent, const jr_path *path, unsigned depth)
{
    size_t i;
    const json_t *item;
    json_array_foreach(arr, i, item) {
        jr_path ip = {path, NULL, i};
        int rc;
        if (json_is_string(item)) {
            xmlNode *t = xmlNewDocTextLen(r->doc, (const xmlChar *)json_string_value(item),
                                          (int)json_string_length(item));
            if (!t)
                return jr_nomem(r);
            jr_append(parent, t);
            continue;
        }
        if (!json_is_object(item))
            return jr_fail(r, &ip, LODE_EPARSE, "a node must be a string (text) or an object, not %s",
                           jr_type_name(item));
        if (json_object_get(item, "name")) {
            rc = jr_element(r, item, parent, &ip, depth + 1);
        } else {
            static const char *const kinds[] = {"comment", "cdata", "pi", "entity"};
            const char *kind = NULL;
            for (size_t k = 0; k < sizeof kinds / sizeof *kinds && !kind; k++)
                if (json_object_get(item, kinds[k]))
                    kind = kinds[k];
            if (!kind)
                return jr_fail(r, &ip, LODE_EPARSE,
                               json_object_get(item, "doctype")
                                   ? "a document type declaration may only appear at the top level"
                                   : "unknown node: expected a string or an object with \"name\", \"comment\", "
                                     "\"cdata\", \"pi\" or \"entity\"");
            xmlNode *n;
            rc = jr_leaf(r, item, kind, &ip, &n);
            if (rc == LODE_OK)
                jr_append(parent, n);
        }
        if (rc != LODE_OK)
            return rc;
    }
    return LODE_OK;
}

/* ------------------------------------------------------------------------ */
/* Document type declaration                                                 */
/* ------------------------------------------------------------------------ */

/* libxml2 accepts a redeclaration of a predefined entity (lt gt amp apos
 * quot) only in the forms XML 1.0 section 4.6 allows: the character itself
 * for > ' ", or a character reference to it.  Checked here so that libxml2
 * is never asked (it would print a warning and fail). */
static int jr_predefined_ok(const xmlEntity *pre, int type, const char *value)
{
    if (type != XML_INTERNAL_GENERAL_ENTITY || !value)
        return 0;
    unsigned c = pre->content[0];
    if ((unsigned char)value[0] == c && value[1] == '\0' && (c == '>' || c == '\'' || c == '"'))
        return 1;
    if (value[0] != '&' || value[1] != '#')
        return 0;
    char want[8];
    if (value[2] == 'x') {
        snprintf(want, sizeof want, "%02X;", c);
        return xmlStrcasecmp((const xmlChar *)value + 3, (const xmlChar *)want) == 0;
    }
    snprintf(want, sizeof want, "%02u;", c % 100);
    return strcmp(value + 2, want) == 0;
}

static int jr_remember_entity(jr *r, xmlEntity *ent, const json_t *children, size_t item)
{
    if (r->nents == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        jr_ent *v = mem_realloc(&r->e->mem, r->ents, cap * sizeof *v);
        if (!v)
            return jr_nomem(r);
        r->ents = v;
        r->cap = cap;
    }
    r->ents[r->nents++] = (jr_ent){ent, (json_t *)(uintptr_t)children, item, 0, 0};
    return LODE_OK;
}

/* Reads an entity declaration of the internal subset (item is its index in
 * "subset").  Its parsed content ("children") is read later, once every
 * entity exists, because it may refer to entities declared after it. */
static int jr_entity_decl(jr *r, xmlDtd *dtd, const json_t *obj, const jr_path *path, size_t item)
{
    static const char *const kinds[] = {"internal", "external", "unparsed", "parameter", "external_parameter"};
    static const int types[] = {XML_INTERNAL_GENERAL_ENTITY, XML_EXTERNAL_GENERAL_PARSED_ENTITY,
                                XML_EXTERNAL_GENERAL_UNPARSED_ENTITY, XML_INTERNAL_PARAMETER_ENTITY,
                                XML_EXTERNAL_PARAMETER_ENTITY};
    const char *name = NULL, *kind = NULL, *pub = NULL, *sys = NULL, *notation = NULL, *value = NULL,
               *literal = NULL;
    int has_literal = 0, rc = LODE_OK;
    const json_t *children = NULL;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
        jr_path kp = {path, key, 0};
        if (strcmp(key, "entity_decl") == 0)
            rc = jr_string(r, v, &kp, "an entity's name", &name);
        else if (strcmp(key, "kind") == 0)
            rc = jr_string(r, v, &kp, "\"kind\"", &kind);
        else if (strcmp(key, "public") == 0)
            rc = jr_string(r, v, &kp, "\"public\"", &pub);
        else if (strcmp(key, "system") == 0)
            rc = jr_string(r, v, &kp, "\"system\"", &sys);
        else if (strcmp(key, "notation") == 0)
            rc = jr_string(r, v, &kp, "\"notation\"", &notation);
        else if (strcmp(key, "value") == 0)
            rc = jr_string(r, v, &kp, "\"value\"", &value);
        else if (strcmp(key, "literal") == 0) {
            rc = jr_string_or_null(r, v, &kp, "\"literal\"", &literal);
            has_literal = 1;
        } else if (strcmp(key, "children") == 0) {
            children = v;
            if (!json_is_array(v))
                rc = jr_fail(r, &kp, LODE_EPARSE, "\"children\" must be an array, not %s", jr_type_name(v));
        } else
            rc = jr_fail(r, &kp, LODE_EPARSE, "unknown key \"%.80s\" in an entity declaration", key);
        if (rc != LODE_OK)
            return rc;
    }
    jr_path np = {path, "entity_decl", 0}, kp = {path, "kind", 0};
    if ((rc = jr_check_xml_name(r, name, &np, "entity name")) != LODE_OK)
        return rc;
    if (!kind)
        return jr_fail(r, path, LODE_EPARSE, "an entity declaration needs \"kind\"");
    size_t k = 0;
    while (k < 5 && strcmp(kind, kinds[k]) != 0)
        k++;
    if (k == 5)
        return jr_fail(r, &kp, LODE_EPARSE,
                       "unknown entity kind \"%.40s\" (internal, external, unparsed, parameter, "
                       "external_parameter)", kind);
    int type = types[k];
    int internal = type == XML_INTERNAL_GENERAL_ENTITY || type == XML_INTERNAL_PARAMETER_ENTITY;
    if (internal && (!value || pub || sys || notation))
        return jr_fail(r, path, LODE_EPARSE, "an internal entity has a \"value\" and no \"public\", \"system\" "
                                             "or \"notation\"");
    if (!internal && !sys)
        return jr_fail(r, path, LODE_EPARSE, "an external entity needs \"system\"");
    if (type == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY ? (!notation || value) : notation != NULL)
        return jr_fail(r, path, LODE_EPARSE, "an unparsed entity (and only it) has a \"notation\" and no \"value\"");
    int general = type != XML_INTERNAL_PARAMETER_ENTITY && type != XML_EXTERNAL_PARAMETER_ENTITY;
    xmlHashTablePtr table = general ? dtd->entities : dtd->pentities;
    if (table && xmlHashLookup(table, (const xmlChar *)name))
        return jr_fail(r, &np, LODE_EPARSE, "the entity \"%.80s\" is declared twice", name);
    const xmlEntity *pre = general ? xmlGetPredefinedEntity((const xmlChar *)name) : NULL;
    if (pre && !jr_predefined_ok(pre, type, value))
        return jr_fail(r, &np, LODE_EPARSE, "invalid redeclaration of the predefined entity \"%s\"", name);
    xmlEntity *ent = xmlAddDocEntity(r->doc, (const xmlChar *)name, type, (const xmlChar *)pub,
                                     (const xmlChar *)sys, (const xmlChar *)(notation ? notation : value));
    if (!ent)
        return jr_nomem(r);
    if (!has_literal)
        literal = internal ? value : NULL;
    if (literal && !(ent->orig = xmlStrdup((const xmlChar *)literal)))
        return jr_nomem(r);
    if (children && json_array_size(children) > 0) {
        ent->owner = 1;
        return jr_remember_entity(r, ent, children, item);
    }
    return LODE_OK;
}

/* libxml2 2.9.14's xmlCopyDocElementContent (which xmlAddElementDecl uses)
 * leaves some nested particles with a wrong parent pointer, and its dumper
 * walks those pointers, so "(c?, (d | e)+)" would be written back as
 * "(c? , (d)".  Sets every particle's parent again, iteratively (a long
 * sequence is a long c2 chain). */
static void jr_fix_content(xmlElementContent *root)
{
    xmlElementContent *cur = root, *from = NULL;
    int down = 1;
    while (cur) {
        if (down) {
            if (cur->c1)
                cur->c1->parent = cur;
            if (cur->c2)
                cur->c2->parent = cur;
            xmlElementContent *next = cur->c1 ? cur->c1 : cur->c2;
            if (next) {
                cur = next;
                continue;
            }
        } else if (from == cur->c1 && cur->c2) {
            cur = cur->c2;
            down = 1;
            continue;
        }
        if (cur == root)
            break;
        from = cur;
        cur = cur->parent;
        down = 0;
    }
}

static void jr_silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* The document whose subset is being read, for jr_get_entity (per thread:
 * engines on other threads read JSON at the same time). */
static _Thread_local xmlDoc *jr_decl_doc;

/* The parser's entity lookup while a declaration is parsed alone: the
 * throwaway document's own (the predefined ones), else an entity declared
 * earlier in the subset being read -- an attribute's default value may
 * refer to one ("d&e;"), as it could in the document the JSON came from. */
static xmlEntityPtr jr_get_entity(void *ctx, const xmlChar *name)
{
    xmlEntityPtr e = xmlSAX2GetEntity(ctx, name);
    if (!e && jr_decl_doc)
        e = xmlGetDocEntity(jr_decl_doc, name);
    return e;
}

/* Reads an element or attribute-list declaration, given as its text: libxml2
 * parses it alone in a throwaway document (no network, no external
 * entities; entity references resolve to those declared before it in the
 * subset), and the parsed declaration is added to dtd with the same calls
 * the parser makes. */
static int jr_declaration(jr *r, xmlDtd *dtd, const json_t *obj, const jr_path *path)
{
    const char *key, *text = NULL;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
        jr_path kp = {path, key, 0};
        int rc = strcmp(key, "declaration") == 0
                     ? jr_string(r, v, &kp, "\"declaration\"", &text)
                     : jr_fail(r, &kp, LODE_EPARSE, "unknown key \"%.80s\" in a declaration", key);
        if (rc != LODE_OK)
            return rc;
    }
    jr_path dp = {path, "declaration", 0};
    if (strncmp(text, "<!ELEMENT", 9) != 0 && strncmp(text, "<!ATTLIST", 9) != 0)
        return jr_fail(r, &dp, LODE_EPARSE, "a declaration must be an <!ELEMENT ...> or <!ATTLIST ...>");
    size_t tlen = json_string_length(json_object_get(obj, "declaration"));
    static const char head[] = "<!DOCTYPE d [", tail[] = "]><d/>";
    size_t n = sizeof head - 1 + tlen + sizeof tail - 1;
    if (n > INT_MAX)
        return jr_fail(r, &dp, LODE_ELIMIT, "declaration too long");
    char *src = mem_alloc(&r->e->mem, n + 1);
    if (!src)
        return jr_nomem(r);
    memcpy(src, head, sizeof head - 1);
    memcpy(src + sizeof head - 1, text, tlen);
    memcpy(src + sizeof head - 1 + tlen, tail, sizeof tail);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        mem_free(&r->e->mem, src);
        return jr_nomem(r);
    }
    xmlerr x;
    xmlerr_begin(&x, ctxt);
    if (ctxt->sax)
        ctxt->sax->getEntity = jr_get_entity;
    jr_decl_doc = dtd->doc;
    xmlDoc *tmp = xmlCtxtReadMemory(ctxt, src, (int)n, NULL, "UTF-8",
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    jr_decl_doc = NULL;
    int ok = tmp && ctxt->wellFormed;
    xmlFreeParserCtxt(ctxt);
    mem_free(&r->e->mem, src);
    xmlNode *decl = ok && tmp->intSubset ? tmp->intSubset->children : NULL;
    if (!decl || decl->next || tmp->intSubset->notations || tmp->intSubset->entities ||
        tmp->intSubset->pentities || (decl->type != XML_ELEMENT_DECL && decl->type != XML_ATTRIBUTE_DECL)) {
        xmlerr_end(&x);
        xmlFreeDoc(tmp);
        return jr_fail(r, &dp, LODE_EPARSE, "not one valid element or attribute-list declaration%s%s",
                       x.have_first ? ": " : "", x.have_first ? x.first : "");
    }
    xmlValidCtxt vctxt;
    memset(&vctxt, 0, sizeof vctxt);
    vctxt.error = jr_silent;
    vctxt.warning = jr_silent;
    int rc = LODE_OK;
    if (decl->type == XML_ELEMENT_DECL) {
        xmlElement *el = (xmlElement *)decl;
        xmlElement *old = xmlGetDtdQElementDesc(dtd, el->name, el->prefix);
        xmlChar *qname = el->prefix ? xmlBuildQName(el->name, el->prefix, NULL, 0) : xmlStrdup(el->name);
        xmlElement *added = NULL;
        if (old && old->etype != XML_ELEMENT_TYPE_UNDEFINED)
            rc = jr_fail(r, &dp, LODE_EPARSE, "the element \"%.80s\" is declared twice", (const char *)el->name);
        else if (!qname || !(added = xmlAddElementDecl(&vctxt, dtd, qname, el->etype, el->content)))
            rc = jr_nomem(r);
        else if (added->content)
            jr_fix_content(added->content);
        xmlFree(qname);
    } else {
        xmlAttribute *a = (xmlAttribute *)decl;
        if (xmlGetDtdQAttrDesc(dtd, a->elem, a->name, a->prefix)) {
            rc = jr_fail(r, &dp, LODE_EPARSE, "the attribute \"%.80s\" of \"%.80s\" is declared twice",
                         (const char *)a->name, (const char *)a->elem);
        } else {
            xmlEnumeration *tree = a->tree ? xmlCopyEnumeration(a->tree) : NULL;
            xmlAttribute *added = NULL;
            if ((a->tree && !tree) ||
                !(added = xmlAddAttributeDecl(&vctxt, dtd, a->elem, a->name, a->prefix, a->atype, a->def,
                                              a->defaultValue, tree)) ||
                attdecl_escape_default(added) != 0)
                rc = jr_nomem(r);
        }
    }
    xmlerr_end(&x);
    xmlFreeDoc(tmp);
    return rc;
}

/* Reads the "notations" array of the doctype. */
static int jr_notations(jr *r, xmlDtd *dtd, const json_t *arr, const jr_path *path)
{
    if (!json_is_array(arr))
        return jr_fail(r, path, LODE_EPARSE, "\"notations\" must be an array, not %s", jr_type_name(arr));
    size_t i;
    const json_t *item;
    json_array_foreach(arr, i, item) {
        jr_path ip = {path, NULL, i};
        const char *name = NULL, *pub = NULL, *sys = NULL, *key;
        const json_t *v;
        int rc = LODE_OK;
        if (!json_is_object(item))
            return jr_fail(r, &ip, LODE_EPARSE, "a notation must be an object, not %s", jr_type_name(item));
        json_object_foreach((json_t *)(uintptr_t)item, key, v) {
            jr_path kp = {&ip, key, 0};
            if (strcmp(key, "notation") == 0)
                rc = jr_string(r, v, &kp, "a notation's name", &name);
            else if (strcmp(key, "public") == 0)
                rc = jr_string(r, v, &kp, "\"public\"", &pub);
            else if (strcmp(key, "system") == 0)
                rc = jr_string(r, v, &kp, "\"system\"", &sys);
            else
                rc = jr_fail(r, &kp, LODE_EPARSE, "unknown key \"%.80s\" in a notation", key);
            if (rc != LODE_OK)
                return rc;
        }
        jr_path np = {&ip, "notation", 0};
        if ((rc = jr_check_xml_name(r, name ? name : "", &np, "notation name")) != LODE_OK)
            return rc;
        if (!pub && !sys)
            return jr_fail(r, &ip, LODE_EPARSE, "a notation needs \"public\" or \"system\"");
        if (dtd->notations && xmlHashLookup(dtd->notations, (const xmlChar *)name))
            return jr_fail(r, &np, LODE_EPARSE, "the notation \"%.80s\" is declared twice", name);
        if (!xmlAddNotationDecl(NULL, dtd, (const xmlChar *)name, (const xmlChar *)pub, (const xmlChar *)sys))
            return jr_nomem(r);
    }
    return LODE_OK;
}

/* Reads the doctype object and appends the DTD node to the document. */
static int jr_doctype(jr *r, const json_t *obj, const jr_path *path)
{
    const char *name = NULL, *pub = NULL, *sys = NULL, *key;
    const json_t *notations = NULL, *subset = NULL, *v;
    int rc = LODE_OK;
    json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
        jr_path kp = {path, key, 0};
        if (strcmp(key, "doctype") == 0)
            rc = jr_string_or_null(r, v, &kp, "the doctype's name", &name);
        else if (strcmp(key, "public") == 0)
            rc = jr_string(r, v, &kp, "\"public\"", &pub);
        else if (strcmp(key, "system") == 0)
            rc = jr_string(r, v, &kp, "\"system\"", &sys);
        else if (strcmp(key, "notations") == 0)
            notations = v;
        else if (strcmp(key, "subset") == 0)
            subset = v;
        else
            rc = jr_fail(r, &kp, LODE_EPARSE, "unknown key \"%.80s\" in a doctype", key);
        if (rc != LODE_OK)
            return rc;
    }
    jr_path np = {path, "doctype", 0}, sp = {path, "subset", 0}, ntp = {path, "notations", 0};
    if (name && (rc = jr_check_name(r, name, &np, "document type name")) != LODE_OK)
        return rc;
    if (r->seen_doctype)
        return jr_fail(r, path, LODE_EPARSE, "a second document type declaration");
    if (r->seen_root)
        return jr_fail(r, path, LODE_EPARSE, "the document type declaration must come before the root element");
    if (subset && !json_is_array(subset))
        return jr_fail(r, &sp, LODE_EPARSE, "\"subset\" must be an array, not %s", jr_type_name(subset));
    r->seen_doctype = 1;
    xmlDtd *dtd = xmlCreateIntSubset(r->doc, (const xmlChar *)name, (const xmlChar *)pub, (const xmlChar *)sys);
    if (!dtd)
        return jr_nomem(r);
    /* xmlCreateIntSubset puts an HTML doctype first; keep the tree's order. */
    if ((xmlNode *)dtd != r->doc->last) {
        xmlUnlinkNode((xmlNode *)dtd);
        r->doc->intSubset = dtd;
        jr_append((xmlNode *)r->doc, (xmlNode *)dtd);
    }
    if (notations && (rc = jr_notations(r, dtd, notations, &ntp)) != LODE_OK)
        return rc;
    if (!subset)
        return LODE_OK;
    size_t i;
    const json_t *item;
    json_array_foreach(subset, i, item) {
        jr_path ip = {&sp, NULL, i};
        if (!json_is_object(item))
            return jr_fail(r, &ip, LODE_EPARSE, "an item of \"subset\" must be an object, not %s",
                           jr_type_name(item));
        if (json_object_get(item, "entity_decl")) {
            rc = jr_entity_decl(r, dtd, item, &ip, i);
        } else if (json_object_get(item, "declaration")) {
            rc = jr_declaration(r, dtd, item, &ip);
        } else if (json_object_get(item, "comment") || json_object_get(item, "pi")) {
            xmlNode *n;
            rc = jr_leaf(r, item, json_object_get(item, "comment") ? "comment" : "pi", &ip, &n);
            if (rc == LODE_OK)
                jr_append((xmlNode *)dtd, n);
        } else {
            rc = jr_fail(r, &ip, LODE_EPARSE, "unknown item: expected an object with \"entity_decl\", "
                                              "\"declaration\", \"comment\" or \"pi\"");
        }
        if (rc != LODE_OK)
            return rc;
    }
    /* Second pass: the parsed content of entities. */
    for (size_t k = 0; k < r->nents; k++) {
        jr_path ip = {&sp, NULL, r->ents[k].item}, cp = {&ip, "children", 0};
        if ((rc = jr_content(r, r->ents[k].children, (xmlNode *)r->ents[k].ent, &cp, 0)) != LODE_OK)
            return rc;
    }
    return LODE_OK;
}

/* ------------------------------------------------------------------------ */
/* Entity expansion budget                                                   */
/* ------------------------------------------------------------------------ */

static int jr_ent_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const jr_ent *)a)->ent, y = (uintptr_t)((const jr_ent *)b)->ent;
    return x < y ? -1 : x > y;
}

static size_t jr_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static int jr_measure(jr *r, jr_ent *je, unsigned level);

/* The bytes the entity reference n stands for (0 if its entity has no
 * parsed content), measuring the entity on first use. */
static int jr_ref_size(jr *r, const xmlNode *n, unsigned level, size_t *size)
{
    *size = 0;
    if (!n->children || n->children->type != XML_ENTITY_DECL || r->nents == 0)
        return LODE_OK;
    jr_ent key = {(xmlEntity *)n->children, NULL, 0, 0, 0};
    jr_ent *je = bsearch(&key, r->ents, r->nents, sizeof *r->ents, jr_ent_cmp);
    if (!je)
        return LODE_OK;
    int rc = jr_measure(r, je, level + 1);
    *size = je->size;
    return rc;
}

/* Adds up what the nodes below top produce when every entity reference is
 * expanded: their text, plus the expansion of each reference.  With
 * refs_only, only the references count (for the document itself). */
static int jr_sum(jr *r, const xmlNode *top, int refs_only, unsigned level, size_t *total)
{
    const xmlNode *n = top->children;
    size_t sum = 0, s;
    int rc;
    while (n) {
        if (n->type == XML_ENTITY_REF_NODE) {
            if ((rc = jr_ref_size(r, n, level, &s)) != LODE_OK)
                return rc;
            sum = jr_add(sum, s);
        } else if (n->type == XML_ELEMENT_NODE) {
            for (const xmlAttr *a = n->properties; a; a = a->next)
                for (const xmlNode *c = a->children; c; c = c->next) {
                    if (c->type == XML_ENTITY_REF_NODE) {
                        if ((rc = jr_ref_size(r, c, level, &s)) != LODE_OK)
                            return rc;
                        sum = jr_add(sum, s);
                    } else if (!refs_only && c->content) {
                        sum = jr_add(sum, strlen((const char *)c->content));
                    }
                }
            if (n->children) {
                n = n->children;
                continue;
            }
        } else if (!refs_only && n->type != XML_DTD_NODE && n->content) {
            sum = jr_add(sum, strlen((const char *)n->content));
        }
        while (!n->next) {
            n = n->parent;
            if (!n || n == top) {
                *total = sum;
                return LODE_OK;
            }
        }
        n = n->next;
    }
    *total = sum;
    return LODE_OK;
}

/* Measures one entity's expansion, refusing reference loops and nesting
 * deeper than libxml2's parser allows. */
static int jr_measure(jr *r, jr_ent *je, unsigned level)
{
    if (je->state == 2)
        return LODE_OK;
    if (je->state == 1)
        return engine_error(r->e, LODE_ELIMIT, "%s: the entity '%s' refers to itself", r->name,
                            (const char *)je->ent->name);
    if (level > JR_MAX_ENTITY_NESTING)
        return engine_error(r->e, LODE_ELIMIT, "%s: entity references nested deeper than %d levels (limit)",
                            r->name, JR_MAX_ENTITY_NESTING);
    je->state = 1;
    int rc = jr_sum(r, (const xmlNode *)je->ent, 0, level, &je->size);
    je->state = 2;
    return rc;
}

/* Consumers of the tree (text writers, scripts) expand entity references,
 * so a small JSON file with a big entity referenced many times would
 * amplify.  The total expansion is held to the same budget read_xml uses:
 * max_entity_expansion, and at most 10 times the input size. */
static int jr_check_expansion(jr *r)
{
    if (r->nents == 0)
        return LODE_OK;
    qsort(r->ents, r->nents, sizeof *r->ents, jr_ent_cmp);
    for (size_t k = 0; k < r->nents; k++) {
        int rc = jr_measure(r, &r->ents[k], 0);
        if (rc != LODE_OK)
            return rc;
    }
    size_t total, budget = r->e->limits.max_entity_expansion ? r->e->limits.max_entity_expansion
                                                              : JR_DEFAULT_EXPANSION;
    if (budget / 10 > r->len)
        budget = r->len * 10;
    int rc = jr_sum(r, (const xmlNode *)r->doc, 1, 0, &total);
    if (rc != LODE_OK)
        return rc;
    if (total > budget)
        return engine_error(r->e, LODE_ELIMIT, "%s: entity references expand to more than %zu bytes (limit)",
                            r->name, budget);
    return LODE_OK;
}

/* ------------------------------------------------------------------------ */
/* Document                                                                  */
/* ------------------------------------------------------------------------ */

/* Reads the top-level "children": doctype, comments, processing
 * instructions and the root element. */
static int jr_top(jr *r, const json_t *arr, const jr_path *path)
{
    if (!json_is_array(arr))
        return jr_fail(r, path, LODE_EPARSE, "\"children\" must be an array, not %s", jr_type_name(arr));
    size_t i;
    const json_t *item;
    json_array_foreach(arr, i, item) {
        jr_path ip = {path, NULL, i};
        int rc;
        if (!json_is_object(item))
            return jr_fail(r, &ip, LODE_EPARSE, "%s is not allowed at the top level of a document",
                           json_is_string(item) ? "text" : jr_type_name(item));
        if (json_object_get(item, "name")) {
            if (r->seen_root)
                return jr_fail(r, &ip, LODE_EPARSE, "a document has only one root element");
            r->seen_root = 1;
            rc = jr_element(r, item, (xmlNode *)r->doc, &ip, 1);
        } else if (json_object_get(item, "doctype")) {
            rc = jr_doctype(r, item, &ip);
        } else if (json_object_get(item, "comment") || json_object_get(item, "pi")) {
            xmlNode *n;
            rc = jr_leaf(r, item, json_object_get(item, "comment") ? "comment" : "pi", &ip, &n);
            if (rc == LODE_OK)
                jr_append((xmlNode *)r->doc, n);
        } else if (json_object_get(item, "cdata") || json_object_get(item, "entity")) {
            return jr_fail(r, &ip, LODE_EPARSE, "%s is not allowed at the top level of a document",
                           json_object_get(item, "cdata") ? "a CDATA section" : "an entity reference");
        } else {
            return jr_fail(r, &ip, LODE_EPARSE, "unknown node: expected an object with \"name\", \"doctype\", "
                                                "\"comment\" or \"pi\"");
        }
        if (rc != LODE_OK)
            return rc;
    }
    return LODE_OK;
}

/* Reads the top-level object into r->doc (created here). */
static int jr_document(jr *r, const json_t *root)
{
    if (!json_is_object(root))
        return jr_fail(r, NULL, LODE_EFORMAT, "not a lode tree: the top level is not an object");
    const json_t *lode = json_object_get(root, "lode"), *version = json_object_get(root, "version");
    if (!json_is_string(lode) || strcmp(json_string_value(lode), "tree") != 0)
        return jr_fail(r, NULL, LODE_EFORMAT, "not a lode tree: no \"lode\": \"tree\" member");
    jr_path vp = {NULL, "version", 0};
    if (!json_is_integer(version))
        return jr_fail(r, version ? &vp : NULL, LODE_EFORMAT, "\"version\" must be the integer 1");
    if (json_integer_value(version) != 1)
        return jr_fail(r, &vp, LODE_EFORMAT, "unsupported lode tree version %lld (this lode reads version 1)",
                       (long long)json_integer_value(version));
    const json_t *type = NULL, *xml_version = NULL, *encoding = NULL, *standalone = NULL, *children = NULL;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)root, key, v) {
        if (strcmp(key, "type") == 0)
            type = v;
        else if (strcmp(key, "xml_version") == 0)
            xml_version = v;
        else if (strcmp(key, "encoding") == 0)
            encoding = v;
        else if (strcmp(key, "standalone") == 0)
            standalone = v;
        else if (strcmp(key, "children") == 0)
            children = v;
        else if (strcmp(key, "lode") != 0 && strcmp(key, "version") != 0) {
            jr_path kp = {NULL, key, 0};
            return jr_fail(r, &kp, LODE_EPARSE, "unknown key \"%.80s\" in the document", key);
        }
    }
    jr_path tp = {NULL, "type", 0}, xp = {NULL, "xml_version", 0}, ep = {NULL, "encoding", 0},
            sp = {NULL, "standalone", 0}, cp = {NULL, "children", 0};
    const char *t = NULL;
    int rc;
    if (!type)
        return jr_fail(r, NULL, LODE_EPARSE, "the document needs \"type\": \"xml\" or \"html\"");
    if ((rc = jr_string(r, type, &tp, "\"type\"", &t)) != LODE_OK)
        return rc;
    if (strcmp(t, "xml") != 0 && strcmp(t, "html") != 0)
        return jr_fail(r, &tp, LODE_EPARSE, "\"type\" must be \"xml\" or \"html\"");
    const char *xv = NULL, *enc = NULL;
    if (xml_version && (rc = jr_string(r, xml_version, &xp, "\"xml_version\"", &xv)) != LODE_OK)
        return rc;
    if (encoding && (rc = jr_string(r, encoding, &ep, "\"encoding\"", &enc)) != LODE_OK)
        return rc;
    r->html = t[0] == 'h';
    int sa = r->html ? 1 : -1;
    if (standalone) {
        if (!json_is_integer(standalone) || json_integer_value(standalone) < -2 ||
            json_integer_value(standalone) > 1)
            return jr_fail(r, &sp, LODE_EPARSE, "\"standalone\" must be 1, 0, -1 or -2");
        sa = (int)json_integer_value(standalone);
    }
    r->doc = r->html ? htmlNewDocNoDtD(NULL, NULL) : xmlNewDoc((const xmlChar *)"1.0");
    if (!r->doc)
        return jr_nomem(r);
    /* Names go into a dictionary, as the parsers do: one copy per distinct
     * name, fewer allocations (xmlFreeDoc frees it). */
    if (!(r->doc->dict = xmlDictCreate()))
        return jr_nomem(r);
    xmlFree((xmlChar *)(uintptr_t)r->doc->version);
    r->doc->version = NULL;
    if ((xv && !(r->doc->version = xmlStrdup((const xmlChar *)xv))) ||
        (enc && !(r->doc->encoding = xmlStrdup((const xmlChar *)enc))) ||
        !(r->doc->URL = xmlStrdup((const xmlChar *)r->name)))
        return jr_nomem(r);
    r->doc->standalone = sa;
    if (children && (rc = jr_top(r, children, &cp)) != LODE_OK)
        return rc;
    if (!r->html && !r->seen_root)
        return jr_fail(r, children ? &cp : NULL, LODE_EPARSE, "an XML document needs a root element");
    return jr_check_expansion(r);
}

/* Copies jansson's message into out, replacing any byte that is not part of
 * well-formed UTF-8 (it may quote the input) with '?'. */
static void jr_clean_message(const char *msg, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)msg;
    size_t len = strlen(msg), o = 0;
    while (len > 0 && o + 5 < cap) {
        uint32_t cp;
        size_t n = utf8_decode(s, len, &cp);
        if (cp == UTF8_BAD || cp < 0x20 || cp == 0x7f) {
            out[o++] = '?';
        } else {
            memcpy(out + o, s, n);
            o += n;
        }
        s += n;
        len -= n;
    }
    out[o] = '\0';
}

int read_json(lode_engine *e, const char *name, const unsigned char *data, size_t len,
              const lode_parse_options *po, xmlDoc **out)
{
    (void)po;
    *out = NULL;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (len == 0)
        return engine_error(e, LODE_EEMPTY, "%s: empty document", name);
    /* jansson skips raw NUL bytes in a buffer without a word (even inside
     * strings), which would change the data: refuse them first. */
    const unsigned char *nul = memchr(data, 0, len);
    if (nul) {
        long line, col;
        jl_position(data, nul, &line, &col);
        return engine_error(e, LODE_EPARSE, "%s:%ld:%ld: NUL byte at byte offset %zu (not allowed in JSON)", name,
                            line, col, (size_t)(nul - data));
    }
    /* Control characters other than tab, LF and CR cannot be written as
     * XML 1.0 (libxml2's serialiser silently drops them), so a tree must not
     * hold them: in JSON they can only arrive as \u00XX escapes. */
    for (size_t i = 0; i + 1 < len; i++) {
        if (data[i] != '\\')
            continue;
        if (data[i + 1] == 'b' || data[i + 1] == 'f') {
            long line, col;
            jl_position(data, data + i, &line, &col);
            return engine_error(e, LODE_EENCODING,
                                "%s:%ld:%ld: control character U+%04X (not allowed in a document tree)", name, line,
                                col, data[i + 1] == 'b' ? 8u : 12u);
        }
        if (data[i + 1] == 'u' && i + 5 < len && data[i + 2] == '0' && data[i + 3] == '0' &&
            (data[i + 4] == '0' || data[i + 4] == '1')) {
            int lo = data[i + 5];
            int v = (data[i + 4] - '0') * 16 +
                    (lo >= '0' && lo <= '9' ? lo - '0' : (lo | 0x20) >= 'a' && (lo | 0x20) <= 'f' ? (lo | 0x20) - 'a' + 10 : -1);
            if (v >= 0 && v != 9 && v != 10 && v != 13) {
                long line, col;
                jl_position(data, data + i, &line, &col);
                return engine_error(e, LODE_EENCODING,
                                    "%s:%ld:%ld: control character U+%04X (not allowed in a document tree)", name,
                                    line, col, (unsigned)v);
            }
        }
        i++; /* skip the escaped character */
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        int code;
        switch (json_error_code(&jerr)) {
        case json_error_out_of_memory: return engine_error(e, LODE_ENOMEM, "out of memory");
        case json_error_stack_overflow: code = LODE_ELIMIT; break;
        case json_error_invalid_utf8: code = LODE_EENCODING; break;
        default: code = LODE_EPARSE; break;
        }
        char msg[JSON_ERROR_TEXT_LENGTH * 2];
        jr_clean_message(jerr.text, msg, sizeof msg);
        return engine_error(e, code, "%s:%d:%d: %s", name, jerr.line > 0 ? jerr.line : 1,
                            jerr.column > 0 ? jerr.column : 1, msg);
    }
    jr r;
    memset(&r, 0, sizeof r);
    r.e = e;
    r.name = name;
    r.data = data;
    r.len = len;
    r.max_depth = e->limits.max_depth ? e->limits.max_depth : JR_DEFAULT_DEPTH;
    r.max_attrs = e->limits.max_attributes ? e->limits.max_attributes : JR_DEFAULT_ATTRS;
    /* Nothing below should make libxml2 print; if it tries, the message is
     * swallowed and the host's handlers are restored afterwards. */
    xmlerr x;
    xmlerr_begin(&x, NULL);
    int rc = jr_document(&r, root);
    xmlerr_end(&x);
    if (rc == LODE_OK && x.nomem) /* a libxml2 call left something out */
        rc = engine_error(e, LODE_ENOMEM, "%s: out of memory", name);
    json_decref(root);
    mem_free(&e->mem, r.ents);
    if (rc != LODE_OK) {
        xmlFreeDoc(r.doc);
        return rc;
    }
    *out = r.doc;
    return LODE_OK;
}
