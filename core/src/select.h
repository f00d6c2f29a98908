/* select.h -- CSS selectors, compiled once and matched natively on libxml2
 * trees.
 *
 * Supported (Selectors Level 4 where it applies): type and universal
 * selectors with namespace prefixes (ns|E, *|E, |E), #id, .class, attribute
 * selectors [a] [a=v] [a~=v] [a|=v] [a^=v] [a$=v] [a*=v] with the i and s
 * flags, the combinators descendant, >, +, ~, selector lists, :not(), :is(),
 * :where(), :has(<relative selectors>), :first-child :last-child
 * :only-child :nth-child(An+B [of S]) :nth-last-child(An+B [of S])
 * :first-of-type :last-of-type :only-of-type :nth-of-type(An+B)
 * :nth-last-of-type(An+B) :empty :root, and the extension :contains("text").
 *
 * Case.  In an HTML document (doc->type == XML_HTML_DOCUMENT_NODE) element
 * and attribute names match ASCII-case-insensitively; everywhere else names
 * are case-sensitive.  Attribute values, ids and classes are case-sensitive
 * unless the attribute selector carries the i flag (ASCII case folding).
 * Pseudo-class names, odd/even and the n of An+B are case-insensitive.
 *
 * Namespaces.  A type selector without a prefix matches elements in any
 * namespace; an attribute selector without a prefix matches attributes in no
 * namespace only (as the spec says).  `|E` matches elements in no namespace,
 * `*|E` any.  `p|E`: without a prefix map (select_compile), p is compared
 * with the prefix the document itself uses on the element (ns->prefix), so
 * `svg|rect` finds <svg:rect> but not <rect xmlns="...svg">.  With a map
 * (select_compile_ns) prefixes are resolved to URIs at compile time and
 * compared with ns->href; an unknown prefix is a compile error, the prefix
 * "" sets a default namespace for unprefixed type selectors, and "xml" is
 * always known.
 *
 * Ids and classes.  #x matches the attribute id (and, outside HTML
 * documents, xml:id); .x matches a token of the class attribute split at
 * ASCII whitespace.  Both are attributes in no namespace.
 *
 * Text.  :contains("s") is true when the concatenated text of the element's
 * descendant text and CDATA nodes contains s (case-sensitive, no whitespace
 * normalisation); a match may span several text nodes, so
 * <p>a<b>b</b>c</p> contains "abc".  :empty means no element children and no
 * text/CDATA child of non-zero length (comments and PIs are ignored; an
 * entity reference counts as content).  Unexpanded entity references add no
 * text to :contains and no bytes to attribute values: parse with
 * LODE_PARSE_ENTITIES to have them substituted.
 *
 * Only element nodes ever match.  :root is an element whose parent is the
 * document node.
 *
 * Costs.  Matching runs right to left, never allocates and never changes
 * the tree; a selector may be shared by threads that only match.  The
 * descendant and sibling combinators stop early when no ancestor or sibling
 * can succeed, so chains like `a b c d` stay linear in the tree depth.
 * :has() searches only where its relative selector can reach (children
 * only for `> x`, the next sibling only for `+ x`).  The nth-* pseudo-classes
 * count siblings (O(siblings)); :contains walks the element's text once per
 * test, and select_memo (below) keeps such tests from being repeated on the
 * ancestors of every candidate.  Recursion depth is bounded by the number of compounds in the
 * selector (at most about SELECT_MAX_LEN / 2) plus the nesting limit; it
 * does not depend on the tree.  A compiled selector is one arena of 1 KiB
 * chunks (one chunk for typical selectors).
 *
 * Not supported (compile errors): comments inside selectors, :scope,
 * :lang() :dir() and the user-action/input pseudo-classes, pseudo-elements.
 * Not modelled: quirks-mode case-insensitive ids and classes, and HTML's
 * list of attributes whose values match case-insensitively in HTML
 * documents ([type=CHECKBOX] in a browser) -- write the i flag instead. */
#ifndef LODE_SELECT_H
#define LODE_SELECT_H

#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>

#include "buf.h"
#include "mem.h"

/* Longest selector source accepted, in bytes. */
#define SELECT_MAX_LEN 4096
/* Deepest nesting of selector arguments (:is :where :not :has, nth-* of S). */
#define SELECT_MAX_NESTING 32

/* A compiled selector list.  Opaque; made by select_compile, freed by
 * select_free. */
typedef struct selector selector;

/* Kinds of key (select_key). */
enum {
    SELECT_KEY_NONE = 0, /* the rightmost compound has no id, class or tag name */
    SELECT_KEY_TAG = 1,  /* an element local name, as written */
    SELECT_KEY_ID = 2,   /* an id value */
    SELECT_KEY_CLASS = 3 /* one class token */
};

/* Constructor.  Compiles len bytes of UTF-8 at src (need not be
 * NUL-terminated) with allocations through m.  On success stores the
 * selector in *out and returns 0; free it with select_free(m, ...).  On
 * failure stores NULL and returns -1 with a message in err (errlen bytes,
 * truncated, always NUL-terminated; err may be NULL when errlen is 0): the
 * first line says what is wrong and at which column (1-based, in code
 * points), then the selector (a window of it when long) and a caret under
 * the offending character:
 *     unexpected ')' at column 7
 *       div > )
 *             ^
 * Errors: empty selector, unknown pseudo-class, pseudo-elements, unbalanced
 * () [] or quotes, bad An+B, a dangling or doubled combinator, :has() inside
 * :has(), a selector longer than SELECT_MAX_LEN or nested deeper than
 * SELECT_MAX_NESTING, invalid UTF-8, "out of memory".  Strict where the
 * spec is forgiving: an invalid item in :is()/:where() is an error. */
int select_compile(const mem *m, const char *src, size_t len, selector **out, char *err,
                   size_t errlen);

/* Constructor.  As select_compile, with namespace prefixes resolved through
 * ns: a NULL-terminated array of (prefix, URI) string pairs, borrowed for the
 * call only; prefix "" declares the default namespace for type selectors.
 * ns == NULL behaves as select_compile (document prefixes, see above). */
int select_compile_ns(const mem *m, const char *src, size_t len, const char *const *ns,
                      selector **out, char *err, size_t errlen);

/* Destructor.  Frees s, which m allocated.  select_free(m, NULL) is a no-op. */
void select_free(const mem *m, selector *s);

/* Method of selector.  1 if the element n matches s, else 0 (also for NULL
 * and for nodes that are not elements).  n's document type decides name case
 * sensitivity.  Combinators may look at any ancestor and sibling. */
int select_matches(const selector *s, const xmlNode *n);

/* A memo of the expensive tests (:has(), :contains(), nth-*(An+B of S)) for
 * matching many elements of one unchanged tree.  Without it a compound such
 * as `:has(img)` or `:contains("x")` left of a descendant combinator is
 * re-evaluated on every ancestor of every candidate, and near the root each
 * evaluation scans most of the document: O(n^2).  Entries are keyed by (test,
 * element) and placed by the element's depth and the test's way (the k-th
 * expensive test of a selector has way k mod SELECT_MEMO_WAYS), so the
 * ancestors on one path never evict each other; beyond SELECT_MEMO_DEPTHS
 * levels slots wrap, and tests of different selectors may share ways.  It
 * lives wherever the caller puts it (about 8 KiB, no allocation); results
 * go stale when the tree changes, so reset it after every edit.  One memo
 * may serve any number of selectors. */
#define SELECT_MEMO_WAYS 4
#define SELECT_MEMO_DEPTHS 128

typedef struct select_memo {
    struct select_memo_entry {
        const xmlNode *node; /* NULL: empty */
        uintptr_t who;       /* the test (a compiled simple selector) | result bit */
    } e[SELECT_MEMO_WAYS * SELECT_MEMO_DEPTHS];
} select_memo;

/* Empties memo (before first use and after any change to the tree). */
void select_memo_reset(select_memo *memo);

/* Method of selector.  select_matches with results of expensive tests
 * remembered in memo (which may be NULL: no memo). */
int select_matches_memo(const selector *s, const xmlNode *n, select_memo *memo);

/* A bound on the work of matching, for selectors and documents that are
 * not trusted (the sandbox): one step is one element tried against one
 * compound (and one element visited by :has()).  Every SELECT_LIMIT_EVERY
 * steps over(ud, steps) is asked; once it returns non-zero, matching stops
 * -- nothing matches from then on -- and stopped is set, for the caller to
 * report (it must: a stopped match is not a "no").  Without a limit
 * (NULL, or over NULL) matching is not counted. */
#define SELECT_LIMIT_EVERY 4096

typedef struct select_limit {
    int (*over)(void *ud, unsigned long steps);
    void *ud;
    unsigned long pending; /* steps not yet passed to over */
    int stopped;
} select_limit;

/* Method of selector.  select_matches_memo under lim (NULL: none). */
int select_matches_limit(const selector *s, const xmlNode *n, select_memo *memo, select_limit *lim);

/* Method of selector.  Calls cb(el, ud) for every element in the subtree of
 * scope (scope itself only if include_scope) that matches s, in document
 * order, each once.  scope may be an element or a document node.
 * Combinators may look outside scope, as querySelectorAll does.  When cb
 * returns SELECT_SKIP_BELOW the walk goes on after el's subtree (el's
 * descendants are neither tested nor passed to cb); any other non-zero
 * value stops the walk and is returned; returns 0 after the last match.
 * cb must not change the tree (collect first, then edit).  Uses a
 * select_memo on its own stack. */
#define SELECT_SKIP_BELOW (-0x7e1f)
int select_each(const selector *s, xmlNode *scope, int include_scope,
                int (*cb)(xmlNode *el, void *ud), void *ud);
/* Method of selector.  select_each under lim (NULL: none); a stopped walk
 * returns 0 with lim->stopped set. */
int select_each_limit(const selector *s, xmlNode *scope, int include_scope,
                      int (*cb)(xmlNode *el, void *ud), void *ud, select_limit *lim);

/* Method of selector.  The number of elements select_each would visit. */
size_t select_count(const selector *s, xmlNode *scope, int include_scope);

/* Method of selector.  Appends a readable, normalised form to out: for each
 * alternative a header line with its key and canonical source, then one
 * line per compound, left to right, with its combinator spelled out:
 *     alternative 1 of 1, key tag "p": div.a > p:nth-child(2n+1)
 *       div.a
 *       child p:nth-child(2n+1)
 * Failed growth is sticky in out (buf_ok). */
void select_explain(const selector *s, buf *out);

/* Method of selector.  Appends the canonical source of s (one line, valid
 * selector syntax: identifiers and strings re-escaped, An+B normalised) to
 * out. */
void select_canonical(const selector *s, buf *out);

/* Method of selector.  Whether it can match the root element only: every
 * alternative has :root in its rightmost compound (":root", "html:root",
 * "div, :root" is not). */
int select_root_only(const selector *s);

/* Method of selector.  Whether it matches every element: an alternative is
 * the universal selector alone ("*", "*|*", "*, p"), so that a caller can
 * skip the test. */
int select_matches_all(const selector *s);

/* Method of selector.  The number of alternatives in the selector list
 * (2 for "a, b"). */
size_t select_alternatives(const selector *s);

/* Method of selector.  The key of alternative alt (0-based): a cheap
 * necessary condition on the element its rightmost compound matches, for
 * bucketing rules in one walk.  The order of preference is id, then class,
 * then tag name.  Stores a SELECT_KEY_* in *kind and the value in *value
 * (borrowed, NUL-terminated, valid while s lives; NULL for NONE).  Tag keys
 * are as written: compare them ASCII-case-insensitively for HTML documents.
 * Returns 0, or -1 if alt is out of range. */
int select_key(const selector *s, size_t alt, int *kind, const char **value);

/* The keys element n offers, the other half of select_key: a selector
 * alternative whose key is (kind, value) can match n only if n offers that
 * key (tag keys compared ASCII-case-insensitively, as select_key says).
 * Calls cb(ud, kind, value, len) once for n's local name (SELECT_KEY_TAG, as
 * stored), once per id attribute's value (SELECT_KEY_ID: the attributes #id
 * tests), once per token of each class attribute (SELECT_KEY_CLASS, split
 * at the whitespace ~= splits at).  A value held in several text children
 * is joined in tmp; value bytes are valid only during the call.  ids and
 * classes are skipped when want_attrs is 0.  Returns 0, cb's first non-zero
 * return, or -1 when tmp cannot grow. */
int select_node_keys(const xmlNode *n, int want_attrs, buf *tmp,
                     int (*cb)(void *ud, int kind, const char *value, size_t len), void *ud);

/* ------------------------------------------------------------------------ */
/* The compiled form.  Shared by select_parse.c (which builds it) and       */
/* select.c (which matches and prints it); everyone else treats selector as */
/* opaque.  Everything lives in one arena owned by the selector.            */
/* ------------------------------------------------------------------------ */

/* Simple selector kinds.  The order of a compound's simple selectors is the
 * evaluation order, cheapest first (sel_rank in select_parse.c). */
enum {
    SK_TYPE, SK_ID, SK_CLASS, SK_ATTR,
    SK_ANCHOR, /* the :has() element a relative selector starts from */
    SK_ROOT, SK_EMPTY, SK_FIRST_CHILD, SK_LAST_CHILD, SK_ONLY_CHILD,
    SK_FIRST_OF_TYPE, SK_LAST_OF_TYPE, SK_ONLY_OF_TYPE,
    SK_NTH_CHILD, SK_NTH_LAST_CHILD, SK_NTH_OF_TYPE, SK_NTH_LAST_OF_TYPE,
    SK_IS, SK_WHERE, SK_NOT, SK_CONTAINS, SK_HAS
};

/* Attribute operators; SO_SUBSTR is also :contains(). */
enum { SO_EXISTS, SO_EQ, SO_INCLUDES, SO_DASH, SO_PREFIX, SO_SUFFIX, SO_SUBSTR };

/* Namespace constraints: none written (any element namespace; no namespace
 * for attributes), *|, |, a prefix compared with the node's ns->prefix, a
 * URI compared with ns->href (prefix map). */
enum { SN_DEFAULT, SN_ANY, SN_NONE, SN_PREFIX, SN_URI };

/* Combinators: between a compound and the one on its left. */
enum { SC_NONE, SC_DESC, SC_CHILD, SC_NEXT, SC_LATER };

/* A string to look for in a stream of bytes. */
typedef struct sel_pat {
    const char *s;        /* NUL-terminated; ASCII-lowercased when icase */
    size_t n;
    const unsigned *fail; /* KMP failure function (SO_SUFFIX, SO_SUBSTR), else NULL */
    unsigned char op;     /* SO_* */
    unsigned char icase;  /* compare ASCII-case-insensitively */
} sel_pat;

struct sel_list;

typedef struct sel_simple {
    struct sel_simple *next;
    unsigned char kind;    /* SK_* */
    unsigned char ns_kind; /* SN_*, for SK_TYPE and SK_ATTR */
    unsigned char flag;    /* attribute flag as written: 0, 'i' or 's' */
    unsigned char way;     /* select_memo way of an expensive test (:has, :contains, of S) */
    const char *ns;        /* prefix (SN_PREFIX) or URI (SN_URI) */
    const char *ns_written; /* the prefix as written (for printing), or NULL */
    const char *name;      /* SK_TYPE/SK_ATTR local name as written; NULL for * */
    const char *lname;     /* name ASCII-lowercased, for HTML documents */
    const char *value;     /* SK_ID/SK_CLASS/SK_ATTR/SK_CONTAINS value as written */
    sel_pat pat;           /* how value is matched */
    long a, b;             /* An+B */
    struct sel_list *arg;  /* :is :where :not :has, nth-* of S; else NULL */
} sel_simple;

typedef struct sel_compound {
    struct sel_compound *prev, *next; /* the compounds left and right of this one */
    sel_simple *first;                /* NULL: the universal selector alone */
    unsigned char comb;               /* SC_* between prev and this one */
} sel_compound;

/* One slot of a list's type set: a name and its sel_name_hash; name NULL
 * for an empty slot (linear probing). */
typedef struct sel_type_slot {
    uint32_t hash;
    const char *name;
} sel_type_slot;

/* FNV-1a of a NUL-terminated name, ASCII-lowercased first when fold. */
static inline uint32_t sel_name_hash(const unsigned char *s, int fold)
{
    uint32_t h = 2166136261u;
    if (fold) {
        for (; *s; s++)
            h = (h ^ (uint32_t)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s)) * 16777619u;
    } else {
        for (; *s; s++)
            h = (h ^ *s) * 16777619u;
    }
    return h;
}

typedef struct sel_complex {
    struct sel_complex *next;
    sel_compound *left, *right;
    /* Relative selectors (:has): left holds only SK_ANCHOR.  Where matches
     * of right can lie, seen from the anchor: among its descendants (side
     * == 0) or among its following siblings and their descendants (side ==
     * 1); hops > 0 means only the hops-th next element sibling; depth is how
     * many levels below that start matches can be (UINT_MAX: any). */
    unsigned char relative, side;
    unsigned char bare;  /* a bare type selector ("p"): list_ok tests the name alone */
    unsigned hops, depth;
} sel_complex;

typedef struct sel_list {
    sel_complex *first;
    size_t n;
    /* When at least SEL_TYPE_SET alternatives are a bare type selector
     * ("p", no namespace, nothing else), their names as two hash sets,
     * tested with one lookup instead of one match per alternative
     * ("p, ul, ol, li, ..." and :not(h1, h2, ...) over every element): a
     * name that is not in the set usually costs one pass over its bytes
     * and no string comparison. */
    const sel_type_slot *types;  /* as written: XML documents */
    const sel_type_slot *ltypes; /* ASCII-lowercased: HTML documents */
    size_t tmask;                /* slots - 1 (a power of two less one); 0: no set */
    const sel_complex **others;  /* with a set: the alternatives not in it, in order */
    size_t nothers;
} sel_list;

#define SEL_TYPE_SET 4

typedef struct sel_chunk sel_chunk;

struct selector {
    sel_chunk *chunks; /* the arena holding everything below */
    sel_list *list;
};

#endif
