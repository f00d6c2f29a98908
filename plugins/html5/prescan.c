/* prescan.c -- attribute count and depth estimate before parsing (see
 * prescan.h).
 *
 * The estimate need not be exact: the reader measures the real depth of
 * gumbo's tree afterwards and refuses it too.  It exists so that gumbo
 * never runs on a document whose open-element stack or list of active
 * formatting elements grows past the limit, which is where its running time
 * turns quadratic.  Every step is bounded by the limit (the stack holds at
 * most max_depth + a few entries), so the scan is linear in the input. */
#include "prescan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Classes of tags (bits). */
enum {
    C_VOID = 1 << 0,       /* no end tag, never open */
    C_RAW = 1 << 1,        /* raw text or RCDATA up to </name> */
    C_CLOSES_P = 1 << 2,   /* closes an open <p> in button scope */
    C_FORMAT = 1 << 3,     /* a formatting element (reconstructed) */
    C_MARKER = 1 << 4,     /* puts a marker on the formatting list */
    C_BOUNDARY = 1 << 5,   /* the end of a scope search */
    C_ROOT = 1 << 6,       /* html, head, body: merged, never nested */
    C_LIST = 1 << 7,       /* ul ol dl menu: the end of an li/dd/dt search */
    C_FOREIGN = 1 << 8,    /* svg, math: self-closing tags inside are empty */
    C_HEADING = 1 << 9,
    C_PLAINTEXT = 1 << 10, /* the rest of the input is text */
    C_TABLE = 1 << 11,     /* table, template: the end of a row/cell search */
    C_BREAKOUT = 1 << 12,  /* an HTML tag that ends foreign content (<svg><p>) */
    C_INTEGRATION = 1 << 13, /* foreign content whose children are HTML again */
    C_SPECIAL = 1 << 14,   /* "special" in the HTML standard: stops an end tag's search */
    C_ITEM_PASS = 1 << 15, /* address, div, p: an li/dd/dt search goes past them */
};

/* Tags with a kind of their own: ids for the implied end tag rules. */
enum { T_OTHER, T_P, T_LI, T_DD, T_DT, T_TR, T_TD, T_TH, T_OPTION, T_OPTGROUP, T_A, T_NOBR,
       T_TABLE, T_TBODY, T_THEAD, T_TFOOT, T_SELECT, T_ENDS_SELECT, T_IN_SELECT, T_FRAMESET, T_FRAME, T_HEADISH };

typedef struct tagdef {
    const char *name;
    unsigned cls;
    int id;
} tagdef;

/* Sorted by name (bsearch). */
static const tagdef tags[] = {
    {"a", C_FORMAT, T_A},
    {"address", C_CLOSES_P | C_SPECIAL | C_ITEM_PASS, 0},
    {"annotation-xml", C_INTEGRATION | C_SPECIAL, 0},
    {"applet", C_MARKER | C_BOUNDARY | C_SPECIAL, 0},
    {"area", C_VOID | C_SPECIAL, 0},
    {"article", C_CLOSES_P | C_SPECIAL, 0},
    {"aside", C_CLOSES_P | C_SPECIAL, 0},
    {"b", C_FORMAT | C_BREAKOUT, 0},
    {"base", C_VOID | C_SPECIAL, T_HEADISH},
    {"basefont", C_VOID | C_SPECIAL, 0},
    {"bgsound", C_VOID | C_SPECIAL, 0},
    {"big", C_FORMAT | C_BREAKOUT, 0},
    {"blockquote", C_CLOSES_P | C_BREAKOUT | C_SPECIAL, 0},
    {"body", C_ROOT | C_BREAKOUT | C_SPECIAL, T_HEADISH},
    {"br", C_VOID | C_BREAKOUT | C_SPECIAL, 0},
    {"button", C_BOUNDARY | C_SPECIAL, 0},
    {"caption", C_MARKER | C_BOUNDARY | C_SPECIAL, T_ENDS_SELECT},
    {"center", C_CLOSES_P | C_BREAKOUT | C_SPECIAL, 0},
    {"code", C_FORMAT | C_BREAKOUT, 0},
    {"col", C_VOID | C_SPECIAL, 0},
    {"colgroup", C_SPECIAL, 0},
    {"dd", C_CLOSES_P | C_BREAKOUT | C_SPECIAL, T_DD},
    {"desc", C_INTEGRATION | C_SPECIAL, 0},
    {"details", C_CLOSES_P | C_SPECIAL, 0},
    {"dialog", C_CLOSES_P, 0},
    {"dir", C_CLOSES_P | C_LIST | C_SPECIAL, 0},
    {"div", C_CLOSES_P | C_BREAKOUT | C_SPECIAL | C_ITEM_PASS, 0},
    {"dl", C_CLOSES_P | C_LIST | C_BREAKOUT | C_SPECIAL, 0},
    {"dt", C_CLOSES_P | C_BREAKOUT | C_SPECIAL, T_DT},
    {"em", C_FORMAT | C_BREAKOUT, 0},
    {"embed", C_VOID | C_BREAKOUT | C_SPECIAL, 0},
    {"fieldset", C_CLOSES_P | C_SPECIAL, 0},
    {"figcaption", C_CLOSES_P | C_SPECIAL, 0},
    {"figure", C_CLOSES_P | C_SPECIAL, 0},
    {"font", C_FORMAT | C_BREAKOUT, 0},
    {"footer", C_CLOSES_P | C_SPECIAL, 0},
    {"foreignobject", C_BOUNDARY | C_INTEGRATION | C_SPECIAL, 0},
    {"form", C_CLOSES_P | C_SPECIAL, 0},
    {"frame", C_VOID | C_SPECIAL, T_FRAME},
    {"frameset", C_SPECIAL, T_FRAMESET},
    {"h1", C_CLOSES_P | C_HEADING | C_BREAKOUT | C_SPECIAL, 0},
    {"h2", C_CLOSES_P | C_HEADING | C_BREAKOUT | C_SPECIAL, 0},
    {"h3", C_CLOSES_P | C_HEADING | C_BREAKOUT | C_SPECIAL, 0},
    {"h4", C_CLOSES_P | C_HEADING | C_BREAKOUT | C_SPECIAL, 0},
    {"h5", C_CLOSES_P | C_HEADING | C_BREAKOUT | C_SPECIAL, 0},
    {"h6", C_CLOSES_P | C_HEADING | C_BREAKOUT | C_SPECIAL, 0},
    {"head", C_ROOT | C_BREAKOUT | C_SPECIAL, T_HEADISH},
    {"header", C_CLOSES_P | C_SPECIAL, 0},
    {"hgroup", C_CLOSES_P | C_SPECIAL, 0},
    {"hr", C_VOID | C_CLOSES_P | C_BREAKOUT | C_SPECIAL, 0},
    {"html", C_ROOT | C_SPECIAL, T_HEADISH},
    {"i", C_FORMAT | C_BREAKOUT, 0},
    {"iframe", C_RAW | C_SPECIAL, 0},
    {"image", C_VOID, 0},
    {"img", C_VOID | C_BREAKOUT | C_SPECIAL, 0},
    {"input", C_VOID | C_SPECIAL, T_ENDS_SELECT},
    {"keygen", C_VOID | C_SPECIAL, T_ENDS_SELECT},
    {"li", C_CLOSES_P | C_BREAKOUT | C_SPECIAL, T_LI},
    {"link", C_VOID | C_SPECIAL, T_HEADISH},
    {"listing", C_CLOSES_P | C_BREAKOUT | C_SPECIAL, 0},
    {"main", C_CLOSES_P | C_SPECIAL, 0},
    {"marquee", C_MARKER | C_BOUNDARY | C_SPECIAL, 0},
    {"math", C_FOREIGN | C_BOUNDARY, 0},
    {"menu", C_CLOSES_P | C_LIST | C_BREAKOUT | C_SPECIAL, 0},
    {"meta", C_VOID | C_BREAKOUT | C_SPECIAL, T_HEADISH},
    {"mi", C_INTEGRATION | C_SPECIAL, 0},
    {"mn", C_INTEGRATION | C_SPECIAL, 0},
    {"mo", C_INTEGRATION | C_SPECIAL, 0},
    {"ms", C_INTEGRATION | C_SPECIAL, 0},
    {"mtext", C_INTEGRATION | C_SPECIAL, 0},
    {"nav", C_CLOSES_P | C_SPECIAL, 0},
    {"nobr", C_FORMAT | C_BREAKOUT, T_NOBR},
    {"noembed", C_RAW | C_SPECIAL, 0},
    {"noframes", C_RAW | C_SPECIAL, T_HEADISH},
    {"noscript", C_SPECIAL, T_HEADISH},
    {"object", C_MARKER | C_BOUNDARY | C_SPECIAL, 0},
    {"ol", C_CLOSES_P | C_LIST | C_BREAKOUT | C_SPECIAL, 0},
    {"optgroup", 0, T_OPTGROUP},
    {"option", 0, T_OPTION},
    {"p", C_CLOSES_P | C_BREAKOUT | C_SPECIAL | C_ITEM_PASS, T_P},
    {"param", C_VOID | C_SPECIAL, 0},
    {"plaintext", C_CLOSES_P | C_PLAINTEXT | C_SPECIAL, 0},
    {"pre", C_CLOSES_P | C_BREAKOUT | C_SPECIAL, 0},
    {"ruby", C_BREAKOUT, 0},
    {"s", C_FORMAT | C_BREAKOUT, 0},
    {"script", C_RAW | C_SPECIAL, T_IN_SELECT},
    {"section", C_CLOSES_P | C_SPECIAL, 0},
    {"select", C_SPECIAL, T_SELECT},
    {"small", C_FORMAT | C_BREAKOUT, 0},
    {"source", C_VOID | C_SPECIAL, 0},
    {"span", C_BREAKOUT, 0},
    {"strike", C_FORMAT | C_BREAKOUT, 0},
    {"strong", C_FORMAT | C_BREAKOUT, 0},
    {"style", C_RAW | C_SPECIAL, T_HEADISH},
    {"sub", C_BREAKOUT, 0},
    {"summary", C_CLOSES_P | C_SPECIAL, 0},
    {"sup", C_BREAKOUT, 0},
    {"svg", C_FOREIGN | C_BOUNDARY, 0},
    {"table", C_CLOSES_P | C_BOUNDARY | C_TABLE | C_BREAKOUT | C_SPECIAL, T_TABLE},
    {"tbody", C_SPECIAL, T_TBODY},
    {"td", C_MARKER | C_BOUNDARY | C_SPECIAL, T_TD},
    {"template", C_MARKER | C_BOUNDARY | C_TABLE | C_SPECIAL, T_IN_SELECT},
    {"textarea", C_RAW | C_SPECIAL, T_ENDS_SELECT},
    {"tfoot", C_SPECIAL, T_TFOOT},
    {"th", C_MARKER | C_BOUNDARY | C_SPECIAL, T_TH},
    {"thead", C_SPECIAL, T_THEAD},
    {"title", C_RAW | C_INTEGRATION | C_SPECIAL, T_HEADISH},
    {"tr", C_SPECIAL, T_TR},
    {"track", C_VOID | C_SPECIAL, 0},
    {"tt", C_FORMAT | C_BREAKOUT, 0},
    {"u", C_FORMAT | C_BREAKOUT, 0},
    {"ul", C_CLOSES_P | C_LIST | C_BREAKOUT | C_SPECIAL, 0},
    {"var", C_BREAKOUT, 0},
    {"wbr", C_VOID | C_SPECIAL, 0},
    {"xmp", C_CLOSES_P | C_RAW | C_SPECIAL, 0},
};

static int cmp_tag(const void *key, const void *elem)
{
    return strcmp(key, ((const tagdef *)elem)->name);
}

/* An open element of the estimate. */
typedef struct open_el {
    uint32_t hash; /* of the lower-cased name */
    unsigned cls;
    int id;
    unsigned serial; /* non-zero for formatting elements: their list entry */
    int foreign;     /* in SVG or MathML (set on svg, math and what they hold) */
    int sel;         /* a select, or an option or optgroup in one */
} open_el;

/* An entry of the list of active formatting elements. */
typedef struct fmt_el {
    uint32_t hash, attrs; /* name; raw attribute bytes (Noah's Ark) */
    unsigned serial;      /* 0: a marker */
    int open;             /* on the stack (else reconstructed at the next content) */
    int id;
} fmt_el;

typedef struct scan {
    open_el *stack;
    size_t depth, cap;
    fmt_el *list;
    size_t nlist, closed; /* closed: entries not open */
    int content;          /* seen body content: a <frameset> is ignored now */
    unsigned serial;
} scan;

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static uint32_t fnv(uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}

/* Removes list entry i. */
static void list_remove(scan *sc, size_t i)
{
    if (sc->list[i].serial && !sc->list[i].open)
        sc->closed--;
    memmove(sc->list + i, sc->list + i + 1, (sc->nlist - i - 1) * sizeof *sc->list);
    sc->nlist--;
}

/* Clears the list up to and including the last marker. */
static void clear_to_marker(scan *sc)
{
    while (sc->nlist > 0) {
        int marker = sc->list[sc->nlist - 1].serial == 0;
        list_remove(sc, sc->nlist - 1);
        if (marker)
            break;
    }
}

/* Pops the top element. */
static void pop(scan *sc)
{
    open_el *el = &sc->stack[--sc->depth];
    if (el->cls & C_MARKER)
        clear_to_marker(sc);
    if (el->serial)
        for (size_t i = sc->nlist; i-- > 0;)
            if (sc->list[i].serial == el->serial) {
                sc->list[i].open = 0;
                sc->closed++;
                break;
            }
}

/* Pops through the nearest open element with id (or hash), searching down
 * to the first element of class stop; returns whether one was found. */
static int pop_through(scan *sc, int id, uint32_t hash, unsigned stop)
{
    for (size_t i = sc->depth; i-- > 0;) {
        if (id ? sc->stack[i].id == id : sc->stack[i].hash == hash) {
            while (sc->depth > i)
                pop(sc);
            return 1;
        }
        if (sc->stack[i].cls & stop)
            return 0;
    }
    return 0;
}

/* The <li>, <dd>, <dt> rule: closes the nearest open id1/id2 unless a
 * special element other than address, div and p comes first. */
static void close_item(scan *sc, int id1, int id2)
{
    for (size_t i = sc->depth; i-- > 0;) {
        const open_el *el = &sc->stack[i];
        if (el->id == id1 || (id2 && el->id == id2)) {
            while (sc->depth > i)
                pop(sc);
            return;
        }
        if ((el->cls & C_SPECIAL) && !(el->cls & C_ITEM_PASS))
            return;
    }
}

/* Removes stack entry i, leaving the ones above it open (the adoption
 * agency moves them elsewhere, keeping their depth about the same). */
static void remove_at(scan *sc, size_t i)
{
    memmove(sc->stack + i, sc->stack + i + 1, (sc->depth - i - 1) * sizeof *sc->stack);
    sc->depth--;
}

/* Would a row or cell tag be honoured: is a table part open, or a
 * template whose first child this is?  (Elsewhere they are ignored.) */
static int in_table(const scan *sc)
{
    for (size_t i = sc->depth; i-- > 0;) {
        int id = sc->stack[i].id;
        if (id == T_TABLE || id == T_TBODY || id == T_THEAD || id == T_TFOOT || id == T_TR || id == T_TD ||
            id == T_TH)
            return 1;
        if (sc->stack[i].cls & C_TABLE) /* template */
            return i == sc->depth - 1;
    }
    return 0;
}

/* Depth in gumbo's terms: html and body come first. */
static int too_deep(const scan *sc, unsigned max_depth)
{
    return sc->depth + 2 > max_depth;
}

static int push_el(scan *sc, uint32_t hash, unsigned cls, int id, unsigned serial, int foreign)
{
    if (sc->depth == sc->cap)
        return -1;
    sc->stack[sc->depth++] = (open_el){hash, cls, id, serial, foreign, id == T_SELECT};
    return 0;
}

static int push(scan *sc, uint32_t hash, unsigned cls, int id, unsigned serial)
{
    return push_el(sc, hash, cls, id, serial, 0);
}

/* Is the current node SVG or MathML that does not hold HTML? */
static int in_foreign(const scan *sc)
{
    return sc->depth && sc->stack[sc->depth - 1].foreign && !(sc->stack[sc->depth - 1].cls & C_INTEGRATION);
}

/* Reopens the formatting elements closed by something else than their end
 * tag (the "reconstruct the active formatting elements" step). */
static int reconstruct(scan *sc)
{
    if (!sc->closed)
        return 0;
    for (size_t i = 0; i < sc->nlist; i++) {
        fmt_el *f = &sc->list[i];
        if (!f->serial || f->open)
            continue;
        f->serial = ++sc->serial;
        f->open = 1;
        sc->closed--;
        if (push(sc, f->hash, C_FORMAT, f->id, f->serial) < 0)
            return -1;
    }
    return 0;
}

/* Adds a formatting element; at most three equal ones after the last
 * marker (Noah's Ark).  Returns -1 when the list is over the cap. */
static int list_add(scan *sc, uint32_t hash, uint32_t attrs, int id, unsigned serial)
{
    size_t same = 0, first = 0;
    for (size_t i = sc->nlist; i-- > 0 && sc->list[i].serial;)
        if (sc->list[i].hash == hash && sc->list[i].attrs == attrs) {
            same++;
            first = i;
        }
    if (same >= 3)
        list_remove(sc, first);
    if (sc->nlist == sc->cap)
        return -1;
    sc->list[sc->nlist++] = (fmt_el){hash, attrs, serial, 1, id};
    return 0;
}

static int list_add_marker(scan *sc)
{
    if (sc->nlist == sc->cap)
        return -1;
    sc->list[sc->nlist++] = (fmt_el){0, 0, 0, 1, 0};
    return 0;
}

/* The formatting end tag's entry after the last marker, or -1. */
static long list_find(const scan *sc, uint32_t hash)
{
    for (size_t i = sc->nlist; i-- > 0 && sc->list[i].serial;)
        if (sc->list[i].hash == hash)
            return (long)i;
    return -1;
}

/* Skips raw text up to "</name" (case-insensitive); returns the position
 * of the '<' or end. */
static const unsigned char *skip_raw(const unsigned char *p, const unsigned char *end, const char *name,
                                     size_t nlen)
{
    while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        if ((size_t)(end - p) >= nlen + 2 && p[1] == '/') {
            size_t k = 0;
            while (k < nlen && (p[2 + k] | 0x20) == (unsigned char)name[k])
                k++;
            if (k == nlen)
                return p;
        }
        p++;
    }
    return end;
}

/* A start tag's attributes: counts them, hashes their bytes, finds the
 * '>' (returns the position after it) and whether it is self-closing. */
static const unsigned char *attributes(const unsigned char *p, const unsigned char *end, unsigned *count,
                                       uint32_t *hash, int *self_closing)
{
    unsigned n = 0;
    uint32_t h = 2166136261u;
    *self_closing = 0;
    const unsigned char *start = p;
    while (p < end) {
        while (p < end && (is_space(*p) || *p == '/')) {
            if (*p == '/' && p + 1 < end && p[1] == '>')
                *self_closing = 1;
            p++;
        }
        if (p >= end || *p == '>')
            break;
        n++; /* a name, whose first character may even be '=' */
        p++;
        while (p < end && !is_space(*p) && *p != '/' && *p != '>' && *p != '=')
            p++;
        while (p < end && is_space(*p))
            p++;
        if (p < end && *p == '=') {
            p++;
            while (p < end && is_space(*p))
                p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                const unsigned char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
                p = q ? q + 1 : end;
            } else {
                while (p < end && !is_space(*p) && *p != '>')
                    p++;
            }
        }
    }
    for (const unsigned char *q = start; q < p; q++)
        h = fnv(h, *q);
    *count = n;
    *hash = h;
    return p < end ? p + 1 : end;
}

/* A start tag (its name's hash and class, a hash of its attributes).
 * Returns 1 if it was foreign content (no raw text), 0, or -1 when the
 * estimate is over the cap. */
static int start_tag(scan *sc, uint32_t hash, const tagdef *def, uint32_t attrs, int self_closing)
{
    unsigned cls = def ? def->cls : 0;
    int id = def ? def->id : 0;
    if (in_foreign(sc)) {
        if (!(cls & C_BREAKOUT)) {
            if (self_closing)
                return 1;
            /* in foreign content every tag is an element of its own */
            return push_el(sc, hash, cls & (C_INTEGRATION | C_BOUNDARY), T_OTHER, 0, 1) < 0 ? -1 : 1;
        }
        while (in_foreign(sc)) /* <p> inside <svg> closes the SVG */
            pop(sc);
    }
    if (sc->depth && sc->stack[sc->depth - 1].sel) {
        /* "in select": options nest nothing, most tags are ignored */
        switch (id) {
        case T_OPTION:
        case T_OPTGROUP:
            if (sc->stack[sc->depth - 1].id == T_OPTION)
                pop(sc);
            if (id == T_OPTGROUP && sc->stack[sc->depth - 1].id == T_OPTGROUP)
                pop(sc);
            if (push(sc, hash, cls, id, 0) < 0)
                return -1;
            sc->stack[sc->depth - 1].sel = 1;
            return 1;
        case T_SELECT:
            pop_through(sc, T_SELECT, 0, 0);
            return 1;
        case T_IN_SELECT:
            break;
        case T_ENDS_SELECT:
        case T_TABLE:
        case T_TBODY:
        case T_THEAD:
        case T_TFOOT:
        case T_TR:
        case T_TD:
        case T_TH:
            pop_through(sc, T_SELECT, 0, 0);
            break;
        default:
            return 1;
        }
    }
    /* a frameset holds framesets and frames; it replaces the body only
     * before any content */
    if (sc->depth && sc->stack[sc->depth - 1].id == T_FRAMESET) {
        if (id == T_FRAMESET)
            return push(sc, hash, cls, id, 0) < 0 ? -1 : 1;
        return id == T_HEADISH ? 0 : 1; /* noframes is raw text; the rest is ignored */
    }
    if (id == T_FRAMESET) {
        if (sc->depth || sc->content)
            return 1;
        return push(sc, hash, cls, id, 0) < 0 ? -1 : 1;
    }
    if (id != T_HEADISH && id != T_IN_SELECT)
        sc->content = 1;
    if (cls & C_ROOT)
        return 0;
    if ((id == T_TR || id == T_TD || id == T_TH || id == T_TBODY || id == T_THEAD || id == T_TFOOT) &&
        !in_table(sc))
        return 1; /* ignored outside tables */
    if ((cls & C_CLOSES_P) && id != T_LI && id != T_DD && id != T_DT)
        pop_through(sc, T_P, 0, C_BOUNDARY);
    switch (id) {
    case T_LI:
        close_item(sc, T_LI, 0);
        pop_through(sc, T_P, 0, C_BOUNDARY);
        break;
    case T_DD:
    case T_DT:
        close_item(sc, T_DD, T_DT);
        pop_through(sc, T_P, 0, C_BOUNDARY);
        break;
    case T_OPTION:
    case T_OPTGROUP:
        if (sc->depth && sc->stack[sc->depth - 1].id == T_OPTION)
            pop(sc);
        break;
    case T_TR:
        pop_through(sc, T_TR, 0, C_TABLE);
        break;
    case T_TD:
    case T_TH:
        if (!pop_through(sc, T_TD, 0, C_TABLE))
            pop_through(sc, T_TH, 0, C_TABLE);
        break;
    case T_TBODY:
    case T_THEAD:
    case T_TFOOT:
        if (!pop_through(sc, T_TBODY, 0, C_TABLE) && !pop_through(sc, T_THEAD, 0, C_TABLE))
            pop_through(sc, T_TFOOT, 0, C_TABLE);
        break;
    case T_A:
    case T_NOBR: {
        long i = list_find(sc, hash);
        if (i >= 0) { /* the adoption agency closes the open one */
            unsigned serial = sc->list[i].serial;
            if (sc->list[i].open)
                for (size_t k = sc->depth; k-- > 0;)
                    if (sc->stack[k].serial == serial) {
                        while (sc->depth > k)
                            pop(sc);
                        break;
                    }
            i = list_find(sc, hash);
            if (i >= 0)
                list_remove(sc, (size_t)i);
        }
        break;
    }
    default:
        break;
    }
    if ((cls & C_HEADING) && sc->depth && (sc->stack[sc->depth - 1].cls & C_HEADING))
        pop(sc);
    if (cls & C_VOID)
        return reconstruct(sc);
    if (reconstruct(sc) < 0)
        return -1;
    if (cls & C_FOREIGN) /* svg, math */
        return self_closing ? 1 : push_el(sc, hash, cls & ~(unsigned)C_INTEGRATION, T_OTHER, 0, 1) < 0 ? -1 : 1;
    /* cells and rows without their parents get implied ones */
    int top = sc->depth ? sc->stack[sc->depth - 1].id : T_OTHER;
    if ((id == T_TR || id == T_TD || id == T_TH) && top == T_TABLE && push(sc, 0, 0, T_TBODY, 0) < 0)
        return -1;
    if ((id == T_TD || id == T_TH) && top != T_TR && push(sc, 0, 0, T_TR, 0) < 0)
        return -1;
    unsigned serial = (cls & C_FORMAT) ? ++sc->serial : 0;
    if (push(sc, hash, cls, id, serial) < 0)
        return -1;
    if ((cls & C_FORMAT) && list_add(sc, hash, attrs, id, serial) < 0)
        return -1;
    if ((cls & C_MARKER) && list_add_marker(sc) < 0)
        return -1;
    return 0;
}

static void end_tag(scan *sc, uint32_t hash, const tagdef *def)
{
    unsigned cls = def ? def->cls : 0;
    if (cls & (C_ROOT | C_VOID))
        return;
    if (cls & C_FORMAT) {
        long i = list_find(sc, hash);
        if (i >= 0) { /* the adoption agency */
            unsigned serial = sc->list[i].serial;
            int open = sc->list[i].open;
            list_remove(sc, (size_t)i);
            if (!open)
                return;
            for (size_t k = sc->depth; k-- > 0;) {
                if (sc->stack[k].serial != serial)
                    continue;
                sc->stack[k].serial = 0; /* its entry is gone */
                size_t block = k + 1;
                while (block < sc->depth && !(sc->stack[block].cls & C_SPECIAL))
                    block++;
                if (block == sc->depth) { /* no furthest block: pop through it */
                    while (sc->depth > k)
                        pop(sc);
                } else {
                    remove_at(sc, k);
                }
                break;
            }
            return;
        }
    }
    /* a special element's end tag closes it if it is in scope */
    if (cls & C_SPECIAL) {
        pop_through(sc, 0, hash, (cls & C_BOUNDARY) ? 0 : C_BOUNDARY);
        return;
    }
    /* any other end tag: closes the nearest open element of its name
     * unless a special element comes first */
    for (size_t i = sc->depth; i-- > 0;) {
        if (sc->stack[i].hash == hash) {
            while (sc->depth > i)
                pop(sc);
            return;
        }
        if (sc->stack[i].cls & C_SPECIAL)
            return;
    }
}

int h5_prescan(const unsigned char *s, size_t len, unsigned max_attributes, unsigned max_depth,
               size_t *offset)
{
    scan sc = {0};
    /* each start tag (3 bytes at least) opens at most three elements */
    sc.cap = ((size_t)max_depth < len ? (size_t)max_depth : len) + 16;
    sc.stack = malloc(sc.cap * sizeof *sc.stack);
    sc.list = malloc(sc.cap * sizeof *sc.list);
    int rc = H5_PRESCAN_OK;
    if (!sc.stack || !sc.list) {
        rc = H5_PRESCAN_NOMEM;
        goto done;
    }
    const unsigned char *p = s, *end = s + len;
    while (p < end) {
        const unsigned char *lt = memchr(p, '<', (size_t)(end - p));
        const unsigned char *text_end = lt ? lt : end;
        /* non-blank text reopens closed formatting elements */
        if (!sc.content)
            for (const unsigned char *q = p; q < text_end && !sc.content; q++)
                sc.content = !is_space(*q);
        if (sc.closed) {
            for (const unsigned char *q = p; q < text_end; q++)
                if (!is_space(*q)) {
                    if (reconstruct(&sc) < 0 || too_deep(&sc, max_depth)) {
                        *offset = (size_t)(q - s);
                        rc = H5_PRESCAN_DEPTH;
                        goto done;
                    }
                    break;
                }
        }
        if (!lt)
            break;
        p = lt;
        const unsigned char *tag = p;
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const unsigned char *q = p + 4;
            while (q < end && (q = memchr(q, '>', (size_t)(end - q))) != NULL && !(q - p >= 6 && q[-1] == '-' && q[-2] == '-'))
                q++;
            p = q && q < end ? q + 1 : end;
            continue;
        }
        if (end - p >= 2 && (p[1] == '!' || p[1] == '?' || (p[1] == '/' && (end - p < 3 || !is_alpha(p[2]))))) {
            const unsigned char *q = memchr(p, '>', (size_t)(end - p));
            p = q ? q + 1 : end;
            continue;
        }
        int is_end = end - p >= 2 && p[1] == '/';
        const unsigned char *n = p + 1 + is_end;
        if (n >= end || !is_alpha(*n)) {
            p++;
            continue;
        }
        char lname[16];
        size_t nl = 0;
        uint32_t hash = 2166136261u;
        while (n < end && !is_space(*n) && *n != '/' && *n != '>') {
            unsigned char c = (unsigned char)(*n >= 'A' && *n <= 'Z' ? *n | 0x20 : *n);
            hash = fnv(hash, c);
            if (nl < sizeof lname - 1)
                lname[nl] = (char)c;
            nl++;
            n++;
        }
        lname[nl < sizeof lname ? nl : sizeof lname - 1] = '\0';
        const tagdef *def = nl < sizeof lname ? bsearch(lname, tags, sizeof tags / sizeof tags[0], sizeof tags[0],
                                                        cmp_tag)
                                              : NULL;
        unsigned count;
        uint32_t attrs;
        int self_closing;
        p = attributes(n, end, &count, &attrs, &self_closing);
        if (is_end) {
            end_tag(&sc, hash, def);
            continue;
        }
        if (count > max_attributes) {
            *offset = (size_t)(tag - s);
            rc = H5_PRESCAN_ATTRIBUTES;
            goto done;
        }
        int foreign = start_tag(&sc, hash, def, attrs, self_closing);
        if (foreign < 0 || too_deep(&sc, max_depth)) {
            *offset = (size_t)(tag - s);
            rc = H5_PRESCAN_DEPTH;
            goto done;
        }
        if (foreign)
            continue;
        if (def && (def->cls & C_PLAINTEXT))
            break;
        if (def && (def->cls & C_RAW)) {
            p = skip_raw(p, end, def->name, strlen(def->name));
            /* the raw element ends with its end tag, parsed next round */
        }
    }
done:
    free(sc.stack);
    free(sc.list);
    return rc;
}
