/* select.c -- matching compiled selectors against libxml2 trees, and
 * printing them (see select.h; compiling is in select_parse.c).
 *
 * Matching runs right to left: the rightmost compound is tested on the
 * element, then the combinators walk to parents and earlier siblings.
 * Nothing here allocates (but select_node_keys may grow the caller's
 * buffer); text is compared as a stream of byte segments, so
 * attribute values split into several text nodes and :contains() across
 * inline children need no concatenated copy.  Expensive tests go through a
 * caller-provided select_memo (select_each keeps one on its stack), which
 * keeps `:has(x) *` and `:contains("x") *` near-linear instead of
 * quadratic. */
#include <stdint.h>
#include <string.h>

#include "select.h"

/* Results of matching from one compound leftwards.  Beyond plain success
 * and failure they say how far the failure reaches, which lets the caller's
 * combinator loop stop early (the scheme browsers use to keep `a b c d`
 * linear):
 *   R_LOCAL     this element does not match here; others may.
 *   R_SIBLINGS  no earlier sibling of this element can match here either
 *               (all share the parent, or the earlier siblings were tried).
 *   R_COMPLETE  no ancestor of this element, nor any of their earlier
 *               siblings, can match: every candidate further out sees a
 *               subset of the ancestors already tried. */
enum { R_MATCH, R_LOCAL, R_SIBLINGS, R_COMPLETE };

/* What one match call knows besides the selector and the element. */
typedef struct mcx {
    int html;           /* the document is HTML: names fold ASCII case */
    select_memo *memo;  /* or NULL */
    select_limit *lim;  /* or NULL */
} mcx;

/* Counts one step against cx's limit; non-zero once matching must stop. */
static int over_limit(const mcx *cx)
{
    select_limit *l = cx->lim;
    if (!l)
        return 0;
    if (l->stopped)
        return 1;
    if (++l->pending >= SELECT_LIMIT_EVERY) {
        unsigned long p = l->pending;
        l->pending = 0;
        if (l->over(l->ud, p))
            l->stopped = 1;
    }
    return l->stopped;
}

static int list_ok(const mcx *cx, const sel_list *l, const xmlNode *n);

/* ---- tree helpers ----------------------------------------------------------- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_html(const xmlDoc *d)
{
    return d && d->type == XML_HTML_DOCUMENT_NODE;
}

static const xmlNode *parent_el(const xmlNode *n)
{
    n = n->parent;
    return n && n->type == XML_ELEMENT_NODE ? n : NULL;
}

static const xmlNode *prev_el(const xmlNode *n)
{
    for (n = n->prev; n && n->type != XML_ELEMENT_NODE; n = n->prev)
        ;
    return n;
}

static const xmlNode *next_el(const xmlNode *n)
{
    for (n = n->next; n && n->type != XML_ELEMENT_NODE; n = n->next)
        ;
    return n;
}

/* First element child of an element or document (never looks into entity
 * references, whose children belong to the entity declaration). */
static const xmlNode *first_el(const xmlNode *n)
{
    for (n = n->children; n && n->type != XML_ELEMENT_NODE; n = n->next)
        ;
    return n;
}

/* Next element after n in document order within root's subtree, not
 * descending below n when skip_children, or NULL. */
static const xmlNode *following(const xmlNode *root, const xmlNode *n, int skip_children)
{
    const xmlNode *c = skip_children ? NULL : first_el(n);
    if (c)
        return c;
    while (n != root) {
        const xmlNode *s = next_el(n);
        if (s)
            return s;
        n = n->parent;
    }
    return NULL;
}

/* Does name, ASCII-lowercased, equal the lowercase string low? */
static int lower_eq(const unsigned char *name, const unsigned char *low)
{
    while (*name && lower(*name) == *low)
        name++, low++;
    return lower(*name) == *low;
}

/* Name equality: exact in XML; in HTML documents ASCII-case-insensitive
 * against the selector's lowercased copy. */
static int name_eq(const xmlChar *name, const sel_simple *x, int html)
{
    if (!html)
        return strcmp((const char *)name, x->name) == 0;
    return lower_eq(name, (const unsigned char *)x->lname);
}

/* Is name "id"/"class" (ASCII-case-insensitively in HTML)? */
static int name_is(const xmlChar *name, const char *what, int html)
{
    const unsigned char *a = name;
    const char *b = what;
    while (*a && (html ? lower(*a) : *a) == *b)
        a++, b++;
    return *a == '\0' && *b == '\0';
}

static int ns_ok(const xmlNs *ns, const sel_simple *x)
{
    switch (x->ns_kind) {
    case SN_NONE: return ns == NULL;
    case SN_PREFIX: return ns && ns->prefix && strcmp((const char *)ns->prefix, x->ns) == 0;
    case SN_URI: return ns && ns->href && strcmp((const char *)ns->href, x->ns) == 0;
    default: return 1;
    }
}

/* ---- streamed text comparison ------------------------------------------------ */

/* The state of one pattern test over a value that arrives in segments. */
typedef struct scan {
    const sel_pat *pt;
    size_t q;     /* matched prefix length (KMP state for SUFFIX/SUBSTR) */
    int state;    /* 0 undecided, 1 decided true, -1 decided false */
    int in_tok;   /* INCLUDES: inside a token; tok_ok: it still matches */
    int tok_ok;
    int at_end;   /* SUFFIX: the last byte completed a match */
} scan;

static void scan_init(scan *sc, const sel_pat *pt)
{
    memset(sc, 0, sizeof *sc);
    sc->pt = pt;
}

static int chunk_eq(const unsigned char *a, const char *b, size_t n, int icase)
{
    if (!icase)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != (unsigned char)b[i])
            return 0;
    return 1;
}

/* One KMP step; q < n on entry. */
static size_t kmp(const sel_pat *pt, size_t q, int c)
{
    while (q > 0 && (unsigned char)pt->s[q] != c)
        q = pt->fail[q - 1];
    return (unsigned char)pt->s[q] == c ? q + 1 : q;
}

/* Feeds n bytes; returns non-zero once the outcome is decided. */
static int scan_feed(scan *sc, const unsigned char *s, size_t n)
{
    const sel_pat *pt = sc->pt;
    size_t need;
    if (sc->state)
        return 1;
    switch (pt->op) {
    case SO_EQ:
        if (n > pt->n - sc->q || !chunk_eq(s, pt->s + sc->q, n, pt->icase))
            sc->state = -1;
        sc->q += n;
        break;
    case SO_PREFIX:
    case SO_DASH:
        need = pt->n - sc->q < n ? pt->n - sc->q : n;
        if (!chunk_eq(s, pt->s + sc->q, need, pt->icase)) {
            sc->state = -1;
            break;
        }
        sc->q += need;
        if (sc->q == pt->n && (pt->op == SO_PREFIX || need < n))
            sc->state = pt->op == SO_PREFIX || s[need] == '-' ? 1 : -1;
        break;
    case SO_INCLUDES:
        for (size_t i = 0; i < n; i++) {
            int c = pt->icase ? lower(s[i]) : s[i];
            if (is_space(c)) {
                if (sc->in_tok && sc->tok_ok && sc->q == pt->n)
                    return sc->state = 1;
                sc->in_tok = 0;
            } else {
                if (!sc->in_tok) {
                    sc->in_tok = sc->tok_ok = 1;
                    sc->q = 0;
                }
                if (sc->tok_ok && sc->q < pt->n && c == (unsigned char)pt->s[sc->q])
                    sc->q++;
                else
                    sc->tok_ok = 0;
            }
        }
        break;
    case SO_SUFFIX:
        for (size_t i = 0; i < n; i++) {
            if (sc->q == pt->n)
                sc->q = pt->fail[pt->n - 1];
            sc->q = kmp(pt, sc->q, pt->icase ? lower(s[i]) : s[i]);
        }
        break;
    case SO_SUBSTR:
        for (size_t i = 0; i < n; i++) {
            if (sc->q == 0 && !pt->icase) { /* skip to the first byte's next occurrence */
                const unsigned char *hit = memchr(s + i, (unsigned char)pt->s[0], n - i);
                if (!hit)
                    break;
                i = (size_t)(hit - s);
            }
            sc->q = kmp(pt, sc->q, pt->icase ? lower(s[i]) : s[i]);
            if (sc->q == pt->n)
                return sc->state = 1;
        }
        break;
    default:
        sc->state = 1;
        break;
    }
    return sc->state != 0;
}

/* The outcome once all bytes are in. */
static int scan_end(const scan *sc)
{
    const sel_pat *pt = sc->pt;
    if (sc->state)
        return sc->state > 0;
    switch (pt->op) {
    case SO_EQ:
    case SO_DASH: return sc->q == pt->n;
    case SO_INCLUDES: return sc->in_tok && sc->tok_ok && sc->q == pt->n;
    case SO_SUFFIX: return sc->q == pt->n;
    default: return 0;
    }
}

/* Tests an attribute's value (its text children; entity references add
 * nothing) against pt. */
static int value_ok(const sel_pat *pt, const xmlNode *t)
{
    if (pt->op == SO_EXISTS)
        return 1;
    if (pt->n == 0 && pt->op != SO_EQ && pt->op != SO_DASH)
        return 0; /* [a^=""] [a$=""] [a*=""] [a~=""] match nothing */
    scan sc;
    scan_init(&sc, pt);
    for (; t; t = t->next)
        if (t->type == XML_TEXT_NODE && t->content &&
            scan_feed(&sc, t->content, strlen((const char *)t->content)))
            break;
    return scan_end(&sc);
}

/* :contains(): feeds the element's descendant text and CDATA, in document
 * order, through one KMP state, so matches may span text nodes.  Walks
 * iteratively with parent pointers. */
static int contains_ok(const mcx *cx, const sel_pat *pt, const xmlNode *n)
{
    if (pt->n == 0)
        return 1;
    scan sc;
    scan_init(&sc, pt);
    const xmlNode *c = n->children;
    while (c) {
        if (over_limit(cx))
            return 0;
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content && scan_feed(&sc, c->content, strlen((const char *)c->content)))
                return 1;
        } else if (c->type == XML_ELEMENT_NODE && c->children) {
            c = c->children;
            continue;
        }
        while (!c->next) {
            c = c->parent;
            if (c == n)
                return 0;
        }
        c = c->next;
    }
    return 0;
}

/* ---- simple selectors ------------------------------------------------------ */

static int attr_ok(const sel_simple *x, const xmlNode *n, int html)
{
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (!name_eq(a->name, x, html))
            continue;
        if (x->ns_kind == SN_DEFAULT ? a->ns != NULL : !ns_ok(a->ns, x))
            continue;
        if (value_ok(&x->pat, a->children))
            return 1;
    }
    return 0;
}

/* #id: the id attribute, and xml:id outside HTML. */
static int id_ok(const sel_simple *x, const xmlNode *n, int html)
{
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        int is_id = a->ns ? !html && a->ns->href &&
                                strcmp((const char *)a->ns->href, (const char *)XML_XML_NAMESPACE) == 0 &&
                                strcmp((const char *)a->name, "id") == 0
                          : name_is(a->name, "id", html);
        if (is_id && value_ok(&x->pat, a->children))
            return 1;
    }
    return 0;
}

static int class_ok(const sel_simple *x, const xmlNode *n, int html)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (!a->ns && name_is(a->name, "class", html) && value_ok(&x->pat, a->children))
            return 1;
    return 0;
}

static int empty_ok(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE || c->type == XML_ENTITY_REF_NODE)
            return 0;
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content &&
            c->content[0])
            return 0;
    }
    return 1;
}

/* Same element type for the *-of-type pseudo-classes: local name and
 * namespace. */
static int same_type(const xmlNode *a, const xmlNode *b, int html)
{
    if (html) {
        const unsigned char *p = a->name, *q = b->name;
        while (*p && lower(*p) == lower(*q))
            p++, q++;
        if (lower(*p) != lower(*q))
            return 0;
    } else if (strcmp((const char *)a->name, (const char *)b->name) != 0) {
        return 0;
    }
    if (!a->ns || !b->ns)
        return a->ns == b->ns;
    return a->ns->href && b->ns->href &&
           strcmp((const char *)a->ns->href, (const char *)b->ns->href) == 0;
}

/* The 1-based position of n among its element siblings (from the end when
 * last), counting only those of n's type (of_type) or matching of. */
static long position(const mcx *cx, const xmlNode *n, int last, int of_type, const sel_list *of)
{
    long i = 1;
    for (const xmlNode *s = last ? next_el(n) : prev_el(n); s && !over_limit(cx); s = last ? next_el(s) : prev_el(s))
        if ((!of_type || same_type(s, n, cx->html)) && (!of || list_ok(cx, of, s)))
            i++;
    return i;
}

/* Is there an n >= 0 with a*n + b == i? */
static int nth_ok(long a, long b, long i)
{
    long long d = (long long)i - b;
    if (a == 0)
        return d == 0;
    return d % a == 0 && d / a >= 0;
}

static int nth(const mcx *cx, const sel_simple *x, const xmlNode *n)
{
    int last = x->kind == SK_NTH_LAST_CHILD || x->kind == SK_NTH_LAST_OF_TYPE;
    int of_type = x->kind == SK_NTH_OF_TYPE || x->kind == SK_NTH_LAST_OF_TYPE;
    if (x->arg && !list_ok(cx, x->arg, n))
        return 0;
    return nth_ok(x->a, x->b, position(cx, n, last, of_type, x->arg));
}

static int has_ok(const mcx *cx, const sel_list *l, const xmlNode *n);

/* One simple selector on n, without the memo. */
static int simple_test(const mcx *cx, const sel_simple *x, const xmlNode *n, const xmlNode *anchor)
{
    const xmlNode *s;
    int html = cx->html;
    switch (x->kind) {
    case SK_TYPE: return (!x->name || name_eq(n->name, x, html)) && ns_ok(n->ns, x);
    case SK_ID: return id_ok(x, n, html);
    case SK_CLASS: return class_ok(x, n, html);
    case SK_ATTR: return attr_ok(x, n, html);
    case SK_ANCHOR: return n == anchor;
    case SK_ROOT:
        return n->parent && (n->parent->type == XML_DOCUMENT_NODE ||
                             n->parent->type == XML_HTML_DOCUMENT_NODE);
    case SK_EMPTY: return empty_ok(n);
    case SK_FIRST_CHILD: return !prev_el(n);
    case SK_LAST_CHILD: return !next_el(n);
    case SK_ONLY_CHILD: return !prev_el(n) && !next_el(n);
    case SK_FIRST_OF_TYPE:
    case SK_ONLY_OF_TYPE:
        for (s = prev_el(n); s && !over_limit(cx); s = prev_el(s))
            if (same_type(s, n, html))
                return 0;
        if (x->kind == SK_FIRST_OF_TYPE)
            return 1;
        /* fall through */
    case SK_LAST_OF_TYPE:
        for (s = next_el(n); s && !over_limit(cx); s = next_el(s))
            if (same_type(s, n, html))
                return 0;
        return 1;
    case SK_NTH_CHILD:
    case SK_NTH_LAST_CHILD:
    case SK_NTH_OF_TYPE:
    case SK_NTH_LAST_OF_TYPE: return nth(cx, x, n);
    case SK_IS:
    case SK_WHERE: return list_ok(cx, x->arg, n);
    case SK_NOT: return !list_ok(cx, x->arg, n);
    case SK_CONTAINS: return contains_ok(cx, &x->pat, n);
    case SK_HAS: return has_ok(cx, x->arg, n);
    default: return 0;
    }
}

/* Tests whose cost grows with the subtree or the siblings.  Their results
 * depend only on (test, element, tree), so they may be memoised. */
static int expensive(const sel_simple *x)
{
    return x->kind == SK_HAS || x->kind == SK_CONTAINS || (x->kind >= SK_NTH_CHILD && x->arg);
}

/* One simple selector on n, through the memo for expensive tests.  The slot
 * is (the test's way, depth of n): the elements a descendant or child
 * combinator visits all have different depths, and the tests of one
 * selector have different ways (up to SELECT_MEMO_WAYS of them). */
static int simple_ok(const mcx *cx, const sel_simple *x, const xmlNode *n, const xmlNode *anchor)
{
    if (!cx->memo || !expensive(x))
        return simple_test(cx, x, n, anchor);
    unsigned depth = 0;
    for (const xmlNode *p = n->parent; p; p = p->parent)
        depth++;
    struct select_memo_entry *e =
        &cx->memo->e[(size_t)x->way * SELECT_MEMO_DEPTHS + depth % SELECT_MEMO_DEPTHS];
    if (e->node == n && (e->who & ~(uintptr_t)1) == (uintptr_t)x)
        return (int)(e->who & 1);
    int r = simple_test(cx, x, n, anchor);
    e->node = n;
    e->who = (uintptr_t)x | (uintptr_t)(r != 0);
    return r;
}

/* ---- compounds and combinators ---------------------------------------------- */

/* Matches compound c on n and then everything left of it (see the R_*
 * results).  Recursion depth is the number of compounds to the left. */
static int match_from(const mcx *cx, const sel_compound *c, const xmlNode *n,
                      const xmlNode *anchor)
{
    if (over_limit(cx))
        return R_COMPLETE; /* stopped: no match, and no further ancestors */
    for (const sel_simple *x = c->first; x; x = x->next)
        if (!simple_ok(cx, x, n, anchor))
            return R_LOCAL;
    const sel_compound *left = c->prev;
    if (!left)
        return R_MATCH;
    const xmlNode *m;
    int r;
    switch (c->comb) {
    case SC_DESC:
        for (m = parent_el(n); m; m = parent_el(m)) {
            r = match_from(cx, left, m, anchor);
            if (r == R_MATCH || r == R_COMPLETE)
                return r;
        }
        return R_COMPLETE;
    case SC_CHILD:
        if (!(m = parent_el(n)))
            return R_COMPLETE;
        r = match_from(cx, left, m, anchor);
        return r == R_LOCAL ? R_SIBLINGS : r;
    case SC_NEXT:
        if (!(m = prev_el(n)))
            return R_SIBLINGS;
        return match_from(cx, left, m, anchor);
    default: /* SC_LATER */
        for (m = prev_el(n); m; m = prev_el(m)) {
            r = match_from(cx, left, m, anchor);
            if (r != R_LOCAL)
                return r;
        }
        return R_SIBLINGS;
    }
}

/* Is n's name in the list's type set (ASCII-case-insensitively in HTML)? */
static int in_type_set(const mcx *cx, const sel_list *l, const xmlNode *n)
{
    const unsigned char *name = n->name;
    uint32_t h = sel_name_hash(name, cx->html);
    const sel_type_slot *v = cx->html ? l->ltypes : l->types;
    for (size_t i = h & l->tmask; v[i].name; i = (i + 1) & l->tmask) {
        if (v[i].hash != h)
            continue;
        if (cx->html ? lower_eq(name, (const unsigned char *)v[i].name)
                     : strcmp((const char *)name, v[i].name) == 0)
            return 1;
    }
    return 0;
}

static int list_ok(const mcx *cx, const sel_list *l, const xmlNode *n)
{
    if (l->tmask) {
        /* the bare types at once, then the other alternatives */
        if (in_type_set(cx, l, n))
            return 1;
        for (size_t i = 0; i < l->nothers; i++)
            if (match_from(cx, l->others[i]->right, n, NULL) == R_MATCH)
                return 1;
        return 0;
    }
    for (const sel_complex *x = l->first; x; x = x->next) {
        if (x->bare) {
            /* match_from's work for one type test, without its generality:
             * a list of a few names ("td, th") over every element */
            const sel_simple *y = x->right->first;
            if (over_limit(cx))
                return 0;
            if (name_eq(n->name, y, cx->html) && ns_ok(n->ns, y))
                return 1;
            continue;
        }
        if (match_from(cx, x->right, n, NULL) == R_MATCH)
            return 1;
    }
    return 0;
}

/* Searches root's descendants down to depth levels for an element that
 * matches the relative selector x anchored at anchor. */
static int has_below(const mcx *cx, const sel_complex *x, const xmlNode *root, unsigned depth,
                     const xmlNode *anchor)
{
    if (depth == 0)
        return 0;
    unsigned d = 1;
    const xmlNode *n = first_el(root);
    while (n) {
        if (match_from(cx, x->right, n, anchor) == R_MATCH)
            return 1;
        if (cx->lim && cx->lim->stopped)
            return 0;
        const xmlNode *c = d < depth ? first_el(n) : NULL;
        if (c) {
            n = c;
            d++;
            continue;
        }
        for (;;) {
            const xmlNode *s = next_el(n);
            if (s) {
                n = s;
                break;
            }
            n = n->parent;
            d--;
            if (n == root)
                return 0;
        }
    }
    return 0;
}

/* :has(): each relative selector is tried on the elements it can reach from
 * n (set_region in select_parse.c), anchored at n. */
static int has_ok(const mcx *cx, const sel_list *l, const xmlNode *n)
{
    for (const sel_complex *x = l->first; x; x = x->next) {
        if (!x->side) {
            if (has_below(cx, x, n, x->depth, n))
                return 1;
            continue;
        }
        unsigned hop = 0;
        for (const xmlNode *s = next_el(n); s; s = next_el(s)) {
            hop++;
            if (x->hops && hop < x->hops)
                continue;
            if (match_from(cx, x->right, s, n) == R_MATCH || has_below(cx, x, s, x->depth, n))
                return 1;
            if (x->hops)
                break;
        }
    }
    return 0;
}

/* ---- entry points ------------------------------------------------------------ */

void select_memo_reset(select_memo *memo)
{
    memset(memo, 0, sizeof *memo);
}

int select_matches_limit(const selector *s, const xmlNode *n, select_memo *memo, select_limit *lim)
{
    if (!s || !n || n->type != XML_ELEMENT_NODE)
        return 0;
    mcx cx = {is_html(n->doc), memo, lim && lim->over ? lim : NULL};
    return list_ok(&cx, s->list, n) && !(cx.lim && cx.lim->stopped);
}

int select_matches_memo(const selector *s, const xmlNode *n, select_memo *memo)
{
    return select_matches_limit(s, n, memo, NULL);
}

int select_matches(const selector *s, const xmlNode *n)
{
    return select_matches_memo(s, n, NULL);
}

int select_each(const selector *s, xmlNode *scope, int include_scope,
                int (*cb)(xmlNode *el, void *ud), void *ud)
{
    return select_each_limit(s, scope, include_scope, cb, ud, NULL);
}

int select_each_limit(const selector *s, xmlNode *scope, int include_scope,
                      int (*cb)(xmlNode *el, void *ud), void *ud, select_limit *lim)
{
    if (!s || !scope)
        return 0;
    if (scope->type != XML_ELEMENT_NODE && scope->type != XML_DOCUMENT_NODE &&
        scope->type != XML_HTML_DOCUMENT_NODE && scope->type != XML_DOCUMENT_FRAG_NODE)
        return 0;
    select_memo memo;
    select_memo_reset(&memo);
    mcx cx = {is_html(scope->doc), &memo, lim && lim->over ? lim : NULL};
    int rc;
    if (include_scope && scope->type == XML_ELEMENT_NODE && list_ok(&cx, s->list, scope) &&
        !(cx.lim && cx.lim->stopped) && (rc = cb(scope, ud)) != 0)
        return rc == SELECT_SKIP_BELOW ? 0 : rc;
    for (const xmlNode *n = first_el(scope); n;) {
        int skip = 0;
        if (list_ok(&cx, s->list, n)) {
            if (cx.lim && cx.lim->stopped)
                return 0;
            if ((rc = cb((xmlNode *)(uintptr_t)n, ud)) != 0) {
                if (rc != SELECT_SKIP_BELOW)
                    return rc;
                skip = 1;
            }
        } else if (cx.lim && cx.lim->stopped) {
            return 0;
        }
        n = following(scope, n, skip);
    }
    return 0;
}

static int count_one(xmlNode *el, void *ud)
{
    (void)el;
    ++*(size_t *)ud;
    return 0;
}

size_t select_count(const selector *s, xmlNode *scope, int include_scope)
{
    size_t n = 0;
    select_each(s, scope, include_scope, count_one, &n);
    return n;
}

int select_root_only(const selector *s)
{
    if (!s || !s->list->first)
        return 0;
    for (const sel_complex *x = s->list->first; x; x = x->next) {
        int root = 0;
        for (const sel_simple *y = x->right->first; y; y = y->next)
            root |= y->kind == SK_ROOT;
        if (!root || x->relative)
            return 0;
    }
    return 1;
}

int select_matches_all(const selector *s)
{
    for (const sel_complex *x = s ? s->list->first : NULL; x; x = x->next) {
        if (x->relative || x->left != x->right)
            continue;
        int all = 1; /* a plain "*" leaves the compound empty */
        for (const sel_simple *y = x->right->first; y && all; y = y->next)
            all = y->kind == SK_TYPE && !y->name && (y->ns_kind == SN_DEFAULT || y->ns_kind == SN_ANY);
        if (all)
            return 1;
    }
    return 0;
}

size_t select_alternatives(const selector *s)
{
    return s ? s->list->n : 0;
}

static const sel_complex *alternative(const selector *s, size_t alt)
{
    const sel_complex *x = s ? s->list->first : NULL;
    for (; x && alt; alt--)
        x = x->next;
    return x;
}

int select_key(const selector *s, size_t alt, int *kind, const char **value)
{
    const sel_complex *x = alternative(s, alt);
    *kind = SELECT_KEY_NONE;
    *value = NULL;
    if (!x)
        return -1;
    for (const sel_simple *y = x->right->first; y; y = y->next) {
        if (y->kind == SK_ID) {
            *kind = SELECT_KEY_ID;
            *value = y->value;
            return 0;
        }
        if (y->kind == SK_CLASS && *kind != SELECT_KEY_CLASS) {
            *kind = SELECT_KEY_CLASS;
            *value = y->value;
        } else if (y->kind == SK_TYPE && y->name && *kind == SELECT_KEY_NONE) {
            *kind = SELECT_KEY_TAG;
            *value = y->name;
        }
    }
    return 0;
}

/* The value of attribute a as value_ok sees it: its text children, joined
 * in tmp only when there is more than one. */
static const char *attr_text(const xmlAttr *a, buf *tmp, size_t *len)
{
    const xmlNode *t = a->children, *only = NULL;
    size_t count = 0;
    for (; t; t = t->next)
        if (t->type == XML_TEXT_NODE && t->content)
            only = t, count++;
    if (count <= 1) {
        *len = only ? strlen((const char *)only->content) : 0;
        return only ? (const char *)only->content : "";
    }
    buf_reset(tmp);
    for (t = a->children; t; t = t->next)
        if (t->type == XML_TEXT_NODE && t->content)
            buf_puts(tmp, (const char *)t->content);
    if (!buf_ok(tmp))
        return NULL;
    *len = tmp->len;
    return tmp->ptr ? tmp->ptr : "";
}

int select_node_keys(const xmlNode *n, int want_attrs, buf *tmp,
                     int (*cb)(void *ud, int kind, const char *value, size_t len), void *ud)
{
    int rc = cb(ud, SELECT_KEY_TAG, (const char *)n->name, strlen((const char *)n->name));
    if (rc || !want_attrs)
        return rc;
    int html = is_html(n->doc);
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        int is_id = a->ns ? !html && a->ns->href &&
                                strcmp((const char *)a->ns->href, (const char *)XML_XML_NAMESPACE) == 0 &&
                                strcmp((const char *)a->name, "id") == 0
                          : name_is(a->name, "id", html);
        int is_class = !a->ns && name_is(a->name, "class", html);
        if (!is_id && !is_class)
            continue;
        size_t len;
        const char *v = attr_text(a, tmp, &len);
        if (!v)
            return -1;
        if (is_id) {
            if ((rc = cb(ud, SELECT_KEY_ID, v, len)) != 0)
                return rc;
            continue;
        }
        for (size_t i = 0; i < len;) {
            while (i < len && is_space((unsigned char)v[i]))
                i++;
            size_t start = i;
            while (i < len && !is_space((unsigned char)v[i]))
                i++;
            if (i > start && (rc = cb(ud, SELECT_KEY_CLASS, v + start, i - start)) != 0)
                return rc;
        }
    }
    return 0;
}

/* ---- printing ------------------------------------------------------------- */

static int is_name_byte(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c >= 0x80;
}

/* CSSOM "serialize an identifier": escapes what would not read back as the
 * same identifier. */
static void put_ident(buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] == '-' && p[1] == '\0') {
        buf_puts(b, "\\-");
        return;
    }
    for (size_t i = 0; p[i]; i++) {
        int c = p[i];
        if (c < 0x20 || c == 0x7F || (c >= '0' && c <= '9' && (i == 0 || (i == 1 && p[0] == '-'))))
            buf_printf(b, "\\%x ", (unsigned)c);
        else if (is_name_byte(c))
            buf_putc(b, c);
        else {
            buf_putc(b, '\\');
            buf_putc(b, c);
        }
    }
}

static void put_string(buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            buf_printf(b, "\\%x ", (unsigned)*p);
        else {
            if (*p == '"' || *p == '\\')
                buf_putc(b, '\\');
            buf_putc(b, *p);
        }
    }
    buf_putc(b, '"');
}

static void put_ns(buf *b, const sel_simple *x)
{
    if (x->ns_kind == SN_ANY)
        buf_puts(b, "*|");
    else if (x->ns_kind == SN_NONE)
        buf_puts(b, "|");
    else if (x->ns_written) {
        put_ident(b, x->ns_written);
        buf_putc(b, '|');
    }
}

static void put_anb(buf *b, long a, long c)
{
    if (a == 0) {
        buf_printf(b, "%ld", c);
        return;
    }
    if (a == 1)
        buf_putc(b, 'n');
    else if (a == -1)
        buf_puts(b, "-n");
    else
        buf_printf(b, "%ldn", a);
    if (c > 0)
        buf_printf(b, "+%ld", c);
    else if (c < 0)
        buf_printf(b, "%ld", c);
}

static void put_list(buf *b, const sel_list *l);

static const char *const pseudo_names[] = {
    [SK_ROOT] = "root", [SK_EMPTY] = "empty", [SK_FIRST_CHILD] = "first-child",
    [SK_LAST_CHILD] = "last-child", [SK_ONLY_CHILD] = "only-child",
    [SK_FIRST_OF_TYPE] = "first-of-type", [SK_LAST_OF_TYPE] = "last-of-type",
    [SK_ONLY_OF_TYPE] = "only-of-type", [SK_NTH_CHILD] = "nth-child",
    [SK_NTH_LAST_CHILD] = "nth-last-child", [SK_NTH_OF_TYPE] = "nth-of-type",
    [SK_NTH_LAST_OF_TYPE] = "nth-last-of-type", [SK_IS] = "is", [SK_WHERE] = "where",
    [SK_NOT] = "not", [SK_CONTAINS] = "contains", [SK_HAS] = "has",
};

static void put_simple(buf *b, const sel_simple *x)
{
    static const char *const ops[] = {"", "=", "~=", "|=", "^=", "$=", "*="};
    switch (x->kind) {
    case SK_ANCHOR: return;
    case SK_TYPE:
        put_ns(b, x);
        if (x->name)
            put_ident(b, x->name);
        else
            buf_putc(b, '*');
        return;
    case SK_ID:
    case SK_CLASS:
        buf_putc(b, x->kind == SK_ID ? '#' : '.');
        put_ident(b, x->value);
        return;
    case SK_ATTR:
        buf_putc(b, '[');
        put_ns(b, x);
        put_ident(b, x->name);
        if (x->pat.op != SO_EXISTS) {
            buf_puts(b, ops[x->pat.op]);
            put_string(b, x->value);
            if (x->flag)
                buf_printf(b, " %c", x->flag);
        }
        buf_putc(b, ']');
        return;
    default: break;
    }
    buf_putc(b, ':');
    buf_puts(b, pseudo_names[x->kind]);
    switch (x->kind) {
    case SK_NTH_CHILD:
    case SK_NTH_LAST_CHILD:
    case SK_NTH_OF_TYPE:
    case SK_NTH_LAST_OF_TYPE:
        buf_putc(b, '(');
        put_anb(b, x->a, x->b);
        if (x->arg) {
            buf_puts(b, " of ");
            put_list(b, x->arg);
        }
        buf_putc(b, ')');
        break;
    case SK_IS:
    case SK_WHERE:
    case SK_NOT:
    case SK_HAS:
        buf_putc(b, '(');
        put_list(b, x->arg);
        buf_putc(b, ')');
        break;
    case SK_CONTAINS:
        buf_putc(b, '(');
        put_string(b, x->value);
        buf_putc(b, ')');
        break;
    default: break;
    }
}

static void put_compound(buf *b, const sel_compound *c)
{
    const sel_simple *x = c->first;
    if (!x)
        buf_putc(b, '*');
    for (; x; x = x->next)
        put_simple(b, x);
}

static const char *const comb_syms[] = {"", " ", " > ", " + ", " ~ "};
static const char *const comb_words[] = {"", "descendant", "child", "next-sibling",
                                         "subsequent-sibling"};

static void put_complex(buf *b, const sel_complex *x)
{
    const sel_compound *c = x->left;
    if (x->relative) {
        c = c->next;
        if (c->comb != SC_DESC)
            buf_puts(b, comb_syms[c->comb] + 1);
        put_compound(b, c);
        c = c->next;
    }
    for (; c; c = c->next) {
        buf_puts(b, comb_syms[c->comb]);
        put_compound(b, c);
    }
}

static void put_list(buf *b, const sel_list *l)
{
    for (const sel_complex *x = l->first; x; x = x->next) {
        if (x != l->first)
            buf_puts(b, ", ");
        put_complex(b, x);
    }
}

void select_canonical(const selector *s, buf *out)
{
    if (s)
        put_list(out, s->list);
}

void select_explain(const selector *s, buf *out)
{
    static const char *const kinds[] = {"none", "tag", "id", "class"};
    if (!s)
        return;
    size_t i = 0;
    for (const sel_complex *x = s->list->first; x; x = x->next, i++) {
        int kind;
        const char *value;
        select_key(s, i, &kind, &value);
        buf_printf(out, "alternative %zu of %zu, key %s", i + 1, s->list->n, kinds[kind]);
        if (value) {
            buf_putc(out, ' ');
            put_string(out, value);
        }
        buf_puts(out, ": ");
        put_complex(out, x);
        buf_putc(out, '\n');
        for (const sel_compound *c = x->left; c; c = c->next) {
            buf_puts(out, "  ");
            if (c->comb != SC_NONE) {
                buf_puts(out, comb_words[c->comb]);
                buf_putc(out, ' ');
            }
            put_compound(out, c);
            buf_putc(out, '\n');
        }
    }
}
