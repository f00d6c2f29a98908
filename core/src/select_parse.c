/* select_parse.c -- compiling CSS selector text into the form select.c
 * matches (see select.h).
 *
 * A hand-written recursive-descent parser over the raw bytes, following the
 * token rules of CSS Syntax Level 3 where they matter for selectors:
 * identifiers with escapes (\31 23, \:), strings with escapes and line
 * continuations, the An+B microsyntax with its whitespace rules.  Comments
 * are not supported.  Recursion follows the nesting of selector arguments,
 * which is capped at SELECT_MAX_NESTING.
 *
 * Memory: every piece of the compiled form comes from one arena of chunks
 * owned by the selector, so select_free is a walk over the chunk list and a
 * failed compile frees everything the same way. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "select.h"
#include "utf8.h"

struct sel_chunk {
    sel_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define CHUNK_BYTES 1024u
#define ALIGN_TO (sizeof(max_align_t))

typedef struct parser {
    const mem *m;
    selector *sel;
    const unsigned char *s;
    size_t len, pos;
    unsigned depth;         /* nesting of selector arguments */
    unsigned in_has;        /* inside :has() */
    unsigned expensive;     /* expensive tests so far (select_memo ways) */
    const char *const *ns;  /* prefix map or NULL */
    char *scratch;          /* decoding room for one identifier or string */
    char *err;
    size_t errlen;
    int failed;
} parser;

/* ---- errors ---------------------------------------------------------------- */

/* Appends to a fixed buffer, truncating silently. */
typedef struct sink {
    char *p;
    size_t len, cap;
} sink;

static void sink_put(sink *k, const char *s, size_t n)
{
    if (k->cap == 0)
        return;
    size_t room = k->cap - 1 - k->len;
    if (n > room)
        n = room;
    memcpy(k->p + k->len, s, n);
    k->len += n;
    k->p[k->len] = '\0';
}

/* The length of the character at s[i] (a maximal subpart if ill-formed). */
static size_t char_len(const unsigned char *s, size_t len, size_t i)
{
    uint32_t cp;
    size_t n = utf8_decode(s + i, len - i, &cp);
    return n ? n : 1;
}

/* Records the first error: "<what> at column N", then the selector (a window
 * of about 70 characters around the spot) and a caret under byte offset at.
 * Columns count characters, so the caret lines up for UTF-8 text; control
 * characters print as spaces and ill-formed bytes as '?'. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_error(parser *p, size_t at, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    if (!p->err || p->errlen == 0)
        return;
    sink k = {p->err, 0, p->errlen};
    p->err[0] = '\0';
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sink_put(&k, msg, strlen(msg));

    size_t col = 1; /* characters before at, plus one */
    for (size_t i = 0; i < at && i < p->len; i += char_len(p->s, p->len, i))
        col++;
    char num[48];
    snprintf(num, sizeof num, " at column %zu\n  ", col);
    sink_put(&k, num, strlen(num));

    /* Window: up to 30 characters before the caret, 40 after. */
    size_t from = 0, skipped = col - 1 > 30 ? col - 1 - 30 : 0;
    for (size_t c = 0; c < skipped; c++)
        from += char_len(p->s, p->len, from);
    size_t caret = 0;
    if (skipped) {
        sink_put(&k, "...", 3);
        caret = 3;
    }
    size_t i = from, shown = 0;
    while (i < p->len && shown < 70) {
        uint32_t cp;
        size_t n = utf8_decode(p->s + i, p->len - i, &cp);
        if (i < at)
            caret++;
        if (cp == UTF8_BAD)
            sink_put(&k, "?", 1);
        else if (cp < 0x20 || cp == 0x7F)
            sink_put(&k, " ", 1);
        else
            sink_put(&k, (const char *)p->s + i, n);
        i += n;
        shown++;
    }
    if (i < p->len)
        sink_put(&k, "...", 3);
    sink_put(&k, "\n  ", 3);
    for (size_t c = 0; c < caret; c++)
        sink_put(&k, " ", 1);
    sink_put(&k, "^", 1);
}

/* ---- arena --------------------------------------------------------------- */

/* Returns n zeroed bytes from the selector's arena.  The first chunk is
 * sized from the source (a short selector like "p" takes about 200 bytes,
 * and a script may hold tens of thousands of them); later ones are at least
 * CHUNK_BYTES, so a typical selector lives in one or two blocks. */
static void *arena(parser *p, size_t n)
{
    n = (n + ALIGN_TO - 1) / ALIGN_TO * ALIGN_TO;
    sel_chunk *c = p->sel->chunks;
    if (!c || c->cap - c->used < n) {
        size_t want = c ? CHUNK_BYTES : p->len < (CHUNK_BYTES - 256) / 32 ? 256 + 32 * p->len : CHUNK_BYTES;
        size_t cap = n > want ? n : want;
        c = mem_alloc(p->m, sizeof *c + cap);
        if (!c) {
            set_error(p, p->pos, "out of memory");
            return NULL;
        }
        c->used = 0;
        c->cap = cap;
        c->next = p->sel->chunks;
        p->sel->chunks = c;
    }
    void *r = (char *)c->data + c->used;
    c->used += n;
    memset(r, 0, n);
    return r;
}

static char *arena_str(parser *p, const char *s, size_t n)
{
    char *r = arena(p, n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static char *arena_lower(parser *p, const char *s)
{
    size_t n = strlen(s);
    char *r = arena_str(p, s, n);
    if (r)
        for (size_t i = 0; i < n; i++)
            r[i] = (char)lower((unsigned char)r[i]);
    return r;
}

/* "unexpected 'c'" for the character at pos, or "unexpected end". */
static void *unexpected(parser *p)
{
    if (p->pos >= p->len) {
        set_error(p, p->pos, "unexpected end of selector");
    } else {
        size_t n = char_len(p->s, p->len, p->pos);
        int c = p->s[p->pos];
        if (c < 0x20 || c == 0x7F)
            set_error(p, p->pos, "unexpected control character 0x%02X", (unsigned)c);
        else
            set_error(p, p->pos, "unexpected '%.*s'", (int)n, (const char *)p->s + p->pos);
    }
    return NULL;
}

/* ---- characters and tokens ------------------------------------------------ */

static int cur(const parser *p)
{
    return p->pos < p->len ? p->s[p->pos] : -1;
}

static int at(const parser *p, size_t i)
{
    return i < p->len ? p->s[i] : -1;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_namestart(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_name(int c)
{
    return is_namestart(c) || is_digit(c) || c == '-';
}

static size_t skip_ws(parser *p)
{
    size_t start = p->pos;
    while (is_ws(cur(p)))
        p->pos++;
    return p->pos - start;
}

/* A backslash at i that starts an escape (not one before a newline).  A
 * backslash at the very end counts, so that it is reported as incomplete. */
static int valid_escape(const parser *p, size_t i)
{
    int c = at(p, i + 1);
    return at(p, i) == '\\' && c != '\n' && c != '\r' && c != '\f';
}

/* CSS Syntax 4.3.9: would the characters at i start an identifier? */
static int starts_ident(const parser *p, size_t i)
{
    int c = at(p, i);
    if (c == '-') {
        int d = at(p, i + 1);
        return is_namestart(d) || d == '-' || valid_escape(p, i + 1);
    }
    return is_namestart(c) || valid_escape(p, i);
}

/* Decodes the escape at pos (a backslash) onto the scratch buffer at *o.
 * Hex escapes take up to six digits and one following whitespace; zero,
 * surrogates and values above U+10FFFF become U+FFFD. */
static int read_escape(parser *p, size_t *o)
{
    size_t start = p->pos++;
    if (p->pos >= p->len) {
        set_error(p, start, "incomplete escape");
        return -1;
    }
    if (is_hex(cur(p))) {
        uint32_t cp = 0;
        for (int k = 0; k < 6 && is_hex(cur(p)); k++, p->pos++) {
            int c = cur(p);
            cp = cp * 16 + (uint32_t)(is_digit(c) ? c - '0' : lower(c) - 'a' + 10);
        }
        if (cur(p) == '\r' && at(p, p->pos + 1) == '\n')
            p->pos += 2;
        else if (is_ws(cur(p)))
            p->pos++;
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            cp = 0xFFFD;
        *o += utf8_put(cp, (unsigned char *)p->scratch + *o);
        return 0;
    }
    size_t n = char_len(p->s, p->len, p->pos);
    memcpy(p->scratch + *o, p->s + p->pos, n);
    *o += n;
    p->pos += n;
    return 0;
}

/* Reads name characters and escapes from pos (the caller has checked that
 * an identifier starts here) into the arena. */
static char *read_ident(parser *p)
{
    size_t o = 0;
    for (;;) {
        int c = cur(p);
        if (c >= 0 && is_name(c)) {
            p->scratch[o++] = (char)c;
            p->pos++;
        } else if (c == '\\' && valid_escape(p, p->pos)) {
            if (read_escape(p, &o) < 0)
                return NULL;
        } else {
            break;
        }
    }
    return arena_str(p, p->scratch, o);
}

/* Reads a quoted string at pos into the arena.  An unescaped newline or the
 * end of the selector before the closing quote is an error. */
static char *read_string(parser *p)
{
    size_t start = p->pos, o = 0;
    int q = p->s[p->pos++];
    for (;;) {
        int c = cur(p);
        if (c < 0) {
            set_error(p, start, "unterminated string");
            return NULL;
        }
        if (c == q) {
            p->pos++;
            break;
        }
        if (c == '\n' || c == '\r' || c == '\f') {
            set_error(p, p->pos, "newline in string");
            return NULL;
        }
        if (c == '\\') {
            int d = at(p, p->pos + 1);
            if (d < 0) {
                set_error(p, start, "unterminated string");
                return NULL;
            }
            if (d == '\n' || d == '\f' || d == '\r') { /* line continuation */
                p->pos += 2;
                if (d == '\r' && cur(p) == '\n')
                    p->pos++;
                continue;
            }
            if (read_escape(p, &o) < 0)
                return NULL;
            continue;
        }
        p->scratch[o++] = (char)c;
        p->pos++;
    }
    return arena_str(p, p->scratch, o);
}

/* Case-insensitive comparison of a decoded identifier with a keyword. */
static int ident_is(const char *s, const char *kw)
{
    for (; *s && *kw; s++, kw++)
        if (lower((unsigned char)*s) != *kw)
            return 0;
    return *s == *kw;
}

/* ---- compiled pieces ------------------------------------------------------- */

/* The rank of a simple selector in its compound's evaluation order: cheap
 * tests that reject most elements first, searches last. */
static int sel_rank(const sel_simple *x)
{
    switch (x->kind) {
    case SK_ANCHOR: return 0;
    case SK_TYPE: return 1;
    case SK_ID: return 2;
    case SK_CLASS: return 3;
    case SK_ATTR: return 4;
    case SK_ROOT: case SK_EMPTY: case SK_FIRST_CHILD: case SK_LAST_CHILD: case SK_ONLY_CHILD:
        return 5;
    case SK_FIRST_OF_TYPE: case SK_LAST_OF_TYPE: case SK_ONLY_OF_TYPE:
    case SK_NTH_OF_TYPE: case SK_NTH_LAST_OF_TYPE:
        return 6;
    case SK_NTH_CHILD: case SK_NTH_LAST_CHILD:
        return x->arg ? 8 : 6;
    case SK_IS: case SK_WHERE: case SK_NOT: return 7;
    case SK_CONTAINS: return 9;
    default: return 10; /* SK_HAS */
    }
}

/* Inserts x into c's list by rank, after any of equal rank (stable). */
static void add_simple(sel_compound *c, sel_simple *x)
{
    sel_simple **pp = &c->first;
    while (*pp && sel_rank(*pp) <= sel_rank(x))
        pp = &(*pp)->next;
    x->next = *pp;
    *pp = x;
}

static sel_simple *new_simple(parser *p, sel_compound *c, int kind)
{
    sel_simple *x = arena(p, sizeof *x);
    if (x) {
        x->kind = (unsigned char)kind;
        add_simple(c, x);
    }
    return x;
}

/* Prepares value for matching with op: folds it for the i flag and builds
 * the KMP failure function for the searches that run over streamed text. */
static int set_pat(parser *p, sel_simple *x, int op, int icase)
{
    sel_pat *pt = &x->pat;
    pt->op = (unsigned char)op;
    pt->icase = (unsigned char)icase;
    pt->n = x->value ? strlen(x->value) : 0;
    pt->s = x->value;
    if (icase && x->value && !(pt->s = arena_lower(p, x->value)))
        return -1;
    if ((op == SO_SUFFIX || op == SO_SUBSTR) && pt->n > 0) {
        unsigned *f = arena(p, pt->n * sizeof *f);
        if (!f)
            return -1;
        f[0] = 0;
        for (size_t i = 1, k = 0; i < pt->n; i++) {
            while (k > 0 && pt->s[i] != pt->s[k])
                k = f[k - 1];
            if (pt->s[i] == pt->s[k])
                k++;
            f[i] = (unsigned)k;
        }
        pt->fail = f;
    }
    return 0;
}

/* Resolves a written prefix through the map into x (SN_URI), or keeps it
 * for comparison with document prefixes (SN_PREFIX). */
static int set_prefix(parser *p, sel_simple *x, const char *prefix, size_t where)
{
    x->ns_written = prefix;
    if (!p->ns) {
        x->ns_kind = SN_PREFIX;
        x->ns = prefix;
        return 0;
    }
    for (const char *const *q = p->ns; q[0] && q[1]; q += 2) {
        if (q[0][0] && strcmp(q[0], prefix) == 0) {
            x->ns_kind = SN_URI;
            return (x->ns = arena_str(p, q[1], strlen(q[1]))) ? 0 : -1;
        }
    }
    if (strcmp(prefix, "xml") == 0) {
        x->ns_kind = SN_URI;
        x->ns = "http://www.w3.org/XML/1998/namespace";
        return 0;
    }
    set_error(p, where, "unknown namespace prefix '%s'", prefix);
    return -1;
}

/* The map's default namespace ("" prefix), or NULL. */
static const char *default_ns(const parser *p)
{
    if (p->ns)
        for (const char *const *q = p->ns; q[0] && q[1]; q += 2)
            if (!q[0][0])
                return q[1];
    return NULL;
}

/* ---- grammar --------------------------------------------------------------- */

static sel_list *parse_list(parser *p, int relative, int nested);

/* [prefix|](name|*) at the start of a compound.  The universal selector
 * without a namespace constraint adds nothing and is dropped. */
static int parse_type(parser *p, sel_compound *c)
{
    size_t start = p->pos;
    const char *first = NULL;
    int star = 0;
    if (cur(p) == '*') {
        star = 1;
        p->pos++;
    } else if (cur(p) != '|') {
        if (!(first = read_ident(p)))
            return -1;
    }
    int ns_kind = SN_DEFAULT;
    const char *prefix = NULL;
    if (cur(p) == '|' && at(p, p->pos + 1) != '=') {
        p->pos++;
        ns_kind = star ? SN_ANY : first ? SN_PREFIX : SN_NONE;
        prefix = first;
        first = NULL;
        if (cur(p) == '*') {
            p->pos++;
        } else if (starts_ident(p, p->pos)) {
            if (!(first = read_ident(p)))
                return -1;
        } else {
            set_error(p, p->pos, "expected an element name or '*' after '|'");
            return -1;
        }
    } else if (!first && !star) {
        unexpected(p);
        return -1;
    }
    const char *dns = ns_kind == SN_DEFAULT ? default_ns(p) : NULL;
    if (!first && ((ns_kind == SN_ANY && !default_ns(p)) || (ns_kind == SN_DEFAULT && !dns)))
        return 0; /* plain * or *|* (kept when it overrides a default namespace) */
    sel_simple *x = new_simple(p, c, SK_TYPE);
    if (!x)
        return -1;
    x->ns_kind = (unsigned char)ns_kind;
    if (first && (!(x->name = first) || !(x->lname = arena_lower(p, first))))
        return -1;
    if (ns_kind == SN_PREFIX)
        return set_prefix(p, x, prefix, start);
    if (dns) {
        x->ns_kind = SN_URI;
        if (!(x->ns = arena_str(p, dns, strlen(dns))))
            return -1;
    }
    return 0;
}

/* [ [prefix|]name [op value [i|s]] ] */
static int parse_attr(parser *p, sel_compound *c)
{
    size_t open = p->pos++;
    skip_ws(p);
    sel_simple *x = new_simple(p, c, SK_ATTR);
    if (!x)
        return -1;
    size_t name_at = p->pos;
    const char *prefix = NULL;
    int ns_kind = SN_DEFAULT;
    if (cur(p) == '*' && at(p, p->pos + 1) == '|' && at(p, p->pos + 2) != '=') {
        ns_kind = SN_ANY;
        p->pos += 2;
    } else if (cur(p) == '|' && at(p, p->pos + 1) != '=') {
        ns_kind = SN_NONE;
        p->pos++;
    }
    if (!starts_ident(p, p->pos)) {
        if (cur(p) < 0)
            set_error(p, open, "missing ']'");
        else
            set_error(p, p->pos, "expected an attribute name");
        return -1;
    }
    if (!(x->name = read_ident(p)))
        return -1;
    if (ns_kind == SN_DEFAULT && cur(p) == '|' && at(p, p->pos + 1) != '=') {
        prefix = x->name;
        p->pos++;
        if (!starts_ident(p, p->pos)) {
            set_error(p, p->pos, "expected an attribute name after '|'");
            return -1;
        }
        if (!(x->name = read_ident(p)))
            return -1;
    }
    if (!(x->lname = arena_lower(p, x->name)))
        return -1;
    x->ns_kind = (unsigned char)ns_kind;
    if (prefix && set_prefix(p, x, prefix, name_at) < 0)
        return -1;
    skip_ws(p);
    int op, icase = 0;
    switch (cur(p)) {
    case ']': p->pos++; return set_pat(p, x, SO_EXISTS, 0);
    case '=': op = SO_EQ; break;
    case '~': op = SO_INCLUDES; break;
    case '|': op = SO_DASH; break;
    case '^': op = SO_PREFIX; break;
    case '$': op = SO_SUFFIX; break;
    case '*': op = SO_SUBSTR; break;
    case -1: set_error(p, open, "missing ']'"); return -1;
    default: unexpected(p); return -1;
    }
    if (op != SO_EQ) {
        if (at(p, p->pos + 1) != '=') {
            p->pos++;
            unexpected(p);
            return -1;
        }
        p->pos++;
    }
    p->pos++;
    skip_ws(p);
    if (cur(p) == '"' || cur(p) == '\'') {
        x->value = read_string(p);
    } else if (starts_ident(p, p->pos)) {
        x->value = read_ident(p);
    } else {
        set_error(p, p->pos, "expected an identifier or a quoted string as attribute value");
        return -1;
    }
    if (!x->value)
        return -1;
    skip_ws(p);
    if (starts_ident(p, p->pos)) {
        size_t flag_at = p->pos;
        const char *f = read_ident(p);
        if (!f)
            return -1;
        if (ident_is(f, "i")) {
            icase = 1;
        } else if (!ident_is(f, "s")) {
            set_error(p, flag_at, "unknown attribute flag '%s' (expected i or s)", f);
            return -1;
        }
        x->flag = icase ? 'i' : 's';
        skip_ws(p);
    }
    if (cur(p) != ']') {
        if (cur(p) < 0)
            set_error(p, open, "missing ']'");
        else
            unexpected(p);
        return -1;
    }
    p->pos++;
    return set_pat(p, x, op, icase);
}

/* Do the raw bytes at pos spell kw (lowercase), ignoring ASCII case? */
static int word_at(const parser *p, const char *kw)
{
    for (size_t i = 0; kw[i]; i++)
        if (lower(at(p, p->pos + i)) != kw[i])
            return 0;
    return 1;
}

/* Reads an unsigned integer for An+B; more than nine digits is an error. */
static int anb_int(parser *p, long *v)
{
    size_t start = p->pos;
    long r = 0;
    while (is_digit(cur(p))) {
        if (p->pos - start >= 9) {
            set_error(p, start, "number too large in An+B");
            return -1;
        }
        r = r * 10 + (cur(p) - '0');
        p->pos++;
    }
    *v = r;
    return 0;
}

/* The An+B microsyntax (CSS Syntax 6): odd, even, B, An, An+B with the
 * token-level whitespace rules -- no space inside "2n" or between a sign and
 * its n or number, optional spaces around the binary + or -. */
static int parse_anb(parser *p, long *a, long *b)
{
    size_t start = p->pos;
    int sign = 0;
    long d = 0;
    int have_d = 0;
    if (cur(p) == '+' || cur(p) == '-')
        sign = p->s[p->pos++];
    if (is_digit(cur(p))) {
        if (anb_int(p, &d) < 0)
            return -1;
        have_d = 1;
    }
    if (cur(p) == 'n' || cur(p) == 'N') {
        p->pos++;
        *a = (have_d ? d : 1) * (sign == '-' ? -1 : 1);
        *b = 0;
        if (cur(p) == '-') { /* n-3, n- 3 */
            p->pos++;
            skip_ws(p);
            if (!is_digit(cur(p)))
                goto bad;
            if (anb_int(p, &d) < 0)
                return -1;
            *b = -d;
        } else {
            size_t save = p->pos;
            skip_ws(p);
            if (cur(p) == '+' || cur(p) == '-') {
                int s2 = p->s[p->pos++];
                skip_ws(p);
                if (!is_digit(cur(p)))
                    goto bad;
                if (anb_int(p, &d) < 0)
                    return -1;
                *b = s2 == '-' ? -d : d;
            } else {
                p->pos = save;
            }
        }
    } else if (have_d) {
        *a = 0;
        *b = sign == '-' ? -d : d;
    } else if (!sign && is_namestart(cur(p))) {
        size_t n = 0;
        while (is_name(at(p, p->pos + n)))
            n++;
        if (n == 3 && word_at(p, "odd")) {
            *a = 2;
            *b = 1;
        } else if (n == 4 && word_at(p, "even")) {
            *a = 2;
            *b = 0;
        } else {
            goto bad;
        }
        p->pos += n;
    } else {
        goto bad;
    }
    if (is_name(cur(p)) || cur(p) == '\\')
        goto bad;
    return 0;
bad:
    if (p->pos == start || cur(p) < 0 || cur(p) == ')')
        set_error(p, start, "invalid An+B");
    else
        set_error(p, p->pos, "invalid An+B");
    return -1;
}

/* ---- pseudo-classes -------------------------------------------------------- */

enum { A_NONE, A_LIST, A_REL, A_NTH, A_NTH_OF, A_TEXT };

static const struct pseudo {
    const char *name;
    unsigned char kind, args;
} pseudos[] = {
    {"root", SK_ROOT, A_NONE},
    {"empty", SK_EMPTY, A_NONE},
    {"first-child", SK_FIRST_CHILD, A_NONE},
    {"last-child", SK_LAST_CHILD, A_NONE},
    {"only-child", SK_ONLY_CHILD, A_NONE},
    {"first-of-type", SK_FIRST_OF_TYPE, A_NONE},
    {"last-of-type", SK_LAST_OF_TYPE, A_NONE},
    {"only-of-type", SK_ONLY_OF_TYPE, A_NONE},
    {"nth-child", SK_NTH_CHILD, A_NTH_OF},
    {"nth-last-child", SK_NTH_LAST_CHILD, A_NTH_OF},
    {"nth-of-type", SK_NTH_OF_TYPE, A_NTH},
    {"nth-last-of-type", SK_NTH_LAST_OF_TYPE, A_NTH},
    {"is", SK_IS, A_LIST},
    {"where", SK_WHERE, A_LIST},
    {"not", SK_NOT, A_LIST},
    {"has", SK_HAS, A_REL},
    {"contains", SK_CONTAINS, A_TEXT},
};

/* Parses a selector list argument up to (not past) its ')', counting the
 * nesting. */
static sel_list *nested_list(parser *p, int relative, size_t where)
{
    if (p->depth >= SELECT_MAX_NESTING) {
        set_error(p, where, "selectors nested more than %d levels deep", SELECT_MAX_NESTING);
        return NULL;
    }
    p->depth++;
    sel_list *l = parse_list(p, relative, 1);
    p->depth--;
    return l;
}

/* :name or :name(argument). */
static int parse_pseudo(parser *p, sel_compound *c)
{
    size_t colon = p->pos++;
    if (cur(p) == ':') {
        set_error(p, colon, "pseudo-elements are not supported");
        return -1;
    }
    if (!starts_ident(p, p->pos)) {
        set_error(p, p->pos, "expected a pseudo-class name after ':'");
        return -1;
    }
    const char *name = read_ident(p);
    if (!name)
        return -1;
    const struct pseudo *ps = NULL;
    for (size_t i = 0; i < sizeof pseudos / sizeof pseudos[0]; i++)
        if (ident_is(name, pseudos[i].name))
            ps = &pseudos[i];
    int fn = cur(p) == '(';
    if (!ps) {
        set_error(p, colon, "unknown pseudo-class ':%s%s'", name, fn ? "()" : "");
        return -1;
    }
    if (ps->args == A_NONE && fn) {
        set_error(p, p->pos, "':%s' takes no argument", ps->name);
        return -1;
    }
    if (ps->args != A_NONE && !fn) {
        set_error(p, p->pos, "':%s()' needs an argument in parentheses", ps->name);
        return -1;
    }
    sel_simple *x = new_simple(p, c, ps->kind);
    if (!x)
        return -1;
    if (!fn)
        return 0;
    p->pos++;
    skip_ws(p);
    switch (ps->args) {
    case A_LIST:
        if (!(x->arg = nested_list(p, 0, colon)))
            return -1;
        break;
    case A_REL:
        if (p->in_has) {
            set_error(p, colon, "':has()' cannot be nested inside ':has()'");
            return -1;
        }
        p->in_has = 1;
        x->arg = nested_list(p, 1, colon);
        p->in_has = 0;
        if (!x->arg)
            return -1;
        break;
    case A_NTH:
    case A_NTH_OF:
        if (parse_anb(p, &x->a, &x->b) < 0)
            return -1;
        if (skip_ws(p) && word_at(p, "of") && !is_name(at(p, p->pos + 2)) &&
            at(p, p->pos + 2) != '\\') {
            if (ps->args != A_NTH_OF) {
                set_error(p, p->pos, "'of S' is allowed only in :nth-child() and :nth-last-child()");
                return -1;
            }
            p->pos += 2;
            skip_ws(p);
            if (!(x->arg = nested_list(p, 0, colon)))
                return -1;
        } else if (cur(p) >= 0 && cur(p) != ')') {
            set_error(p, p->pos, "invalid An+B");
            return -1;
        }
        break;
    default: /* A_TEXT */
        if (cur(p) == '"' || cur(p) == '\'') {
            x->value = read_string(p);
        } else if (starts_ident(p, p->pos)) {
            x->value = read_ident(p);
        } else {
            set_error(p, p->pos, "expected a quoted string in ':contains()'");
            return -1;
        }
        if (!x->value || set_pat(p, x, SO_SUBSTR, 0) < 0)
            return -1;
        skip_ws(p);
        break;
    }
    if (cur(p) != ')') {
        if (cur(p) < 0)
            set_error(p, p->pos, "missing ')'");
        else
            unexpected(p);
        return -1;
    }
    p->pos++;
    if (x->kind == SK_HAS || x->kind == SK_CONTAINS || x->arg)
        x->way = (unsigned char)(p->expensive++ % SELECT_MEMO_WAYS);
    return 0;
}

/* ---- compounds, complex selectors, lists ---------------------------------- */

/* One compound: an optional type selector, then #id .class [attr] :pseudo
 * in any number, at least one thing in all. */
static sel_compound *parse_compound(parser *p)
{
    sel_compound *c = arena(p, sizeof *c);
    if (!c)
        return NULL;
    int any = 0;
    if (cur(p) == '*' || cur(p) == '|' || starts_ident(p, p->pos)) {
        if (parse_type(p, c) < 0)
            return NULL;
        any = 1;
    }
    const char *dns = any ? NULL : default_ns(p);
    if (dns) { /* the implied universal selector is dns|* */
        sel_simple *x = new_simple(p, c, SK_TYPE);
        if (!x || !(x->ns = arena_str(p, dns, strlen(dns))))
            return NULL;
        x->ns_kind = SN_URI;
    }
    for (;;) {
        int ch = cur(p), rc;
        if (ch == '#' || ch == '.') {
            p->pos++;
            if (!starts_ident(p, p->pos)) {
                set_error(p, p->pos, ch == '#' ? "expected an identifier after '#'"
                                               : "expected a class name after '.'");
                return NULL;
            }
            sel_simple *x = new_simple(p, c, ch == '#' ? SK_ID : SK_CLASS);
            rc = x && (x->value = read_ident(p)) ? set_pat(p, x, ch == '#' ? SO_EQ : SO_INCLUDES, 0)
                                                 : -1;
        } else if (ch == '[') {
            rc = parse_attr(p, c);
        } else if (ch == ':') {
            rc = parse_pseudo(p, c);
        } else {
            break;
        }
        if (rc < 0)
            return NULL;
        any = 1;
    }
    return any ? c : unexpected(p);
}

static int comb_of(int ch)
{
    return ch == '>' ? SC_CHILD : ch == '+' ? SC_NEXT : ch == '~' ? SC_LATER : SC_NONE;
}

/* Where a relative selector's matches can lie, seen from the :has()
 * element (sel_complex in select.h). */
static void set_region(sel_complex *x)
{
    const sel_compound *first = x->left->next;
    if (!first)
        return; /* cannot happen: parse_complex always adds a compound */
    unsigned depth = 0, hops = 0;
    int all_next = 1, down = 0;
    for (const sel_compound *c = first; c; c = c->next) {
        switch (c->comb) {
        case SC_DESC: depth = UINT_MAX; down = 1; break;
        case SC_CHILD: if (depth != UINT_MAX) depth++; down = 1; break;
        case SC_NEXT: if (!down) hops++; break;
        default: if (!down) all_next = 0; break;
        }
    }
    x->side = first->comb == SC_NEXT || first->comb == SC_LATER;
    x->depth = depth;
    x->hops = x->side && all_next ? hops : 0;
}

/* Compounds joined by combinators.  Ends (after skipping whitespace) at the
 * end, a ',' or a ')'.  A relative selector (:has) starts with an anchor
 * compound and an optional leading combinator. */
static sel_complex *parse_complex(parser *p, int relative, int nested)
{
    sel_complex *x = arena(p, sizeof *x);
    if (!x)
        return NULL;
    int comb = SC_NONE;
    size_t comb_at = SIZE_MAX; /* an explicit combinator still waiting for its right side */
    if (relative) {
        sel_compound *anchor = arena(p, sizeof *anchor);
        if (!anchor || !new_simple(p, anchor, SK_ANCHOR))
            return NULL;
        x->left = x->right = anchor;
        x->relative = 1;
        comb = SC_DESC;
        if (comb_of(cur(p))) {
            comb = comb_of(cur(p));
            comb_at = p->pos++;
            skip_ws(p);
        }
    }
    for (;;) {
        int ch = cur(p);
        if (!(ch == '*' || ch == '|' || ch == '#' || ch == '.' || ch == '[' || ch == ':' ||
              starts_ident(p, p->pos))) {
            int end = ch < 0 || ch == ',' || (nested && ch == ')');
            if (end && comb_at != SIZE_MAX)
                set_error(p, comb_at, "dangling combinator '%c'", p->s[comb_at]);
            else if (end)
                set_error(p, p->pos, "expected a selector");
            else
                unexpected(p);
            return NULL;
        }
        sel_compound *c = parse_compound(p);
        if (!c)
            return NULL;
        c->comb = (unsigned char)comb;
        c->prev = x->right;
        if (x->right)
            x->right->next = c;
        else
            x->left = c;
        x->right = c;
        comb_at = SIZE_MAX;
        size_t ws = skip_ws(p);
        ch = cur(p);
        if (comb_of(ch)) {
            comb = comb_of(ch);
            comb_at = p->pos++;
            skip_ws(p);
            continue;
        }
        if (ch < 0 || ch == ',' || ch == ')')
            break;
        if (!ws)
            return unexpected(p);
        comb = SC_DESC;
    }
    if (relative)
        set_region(x);
    return x;
}

static int bare_type(const sel_complex *x)
{
    const sel_simple *y = x->right->first;
    return !x->relative && x->left == x->right && y && !y->next && y->kind == SK_TYPE && y->name &&
           y->ns_kind == SN_DEFAULT;
}

/* Puts name in the open-addressed set v (mask + 1 slots), once. */
static void set_add(sel_type_slot *v, size_t mask, const char *name)
{
    uint32_t h = sel_name_hash((const unsigned char *)name, 0);
    size_t i = h & mask;
    for (; v[i].name; i = (i + 1) & mask)
        if (v[i].hash == h && strcmp(v[i].name, name) == 0)
            return;
    v[i].hash = h;
    v[i].name = name;
}

/* The list's type sets (sel_list.types); a list with fewer bare type
 * alternatives keeps none.  0, or -1 out of memory. */
static int type_sets(parser *p, sel_list *l)
{
    size_t k = 0;
    for (sel_complex *x = l->first; x; x = x->next)
        k += x->bare = (unsigned char)bare_type(x);
    if (k < SEL_TYPE_SET)
        return 0;
    size_t slots = 8;
    while (slots < 2 * k) /* at most half full: short probes */
        slots *= 2;
    sel_type_slot *t = arena(p, slots * sizeof *t);
    sel_type_slot *lt = arena(p, slots * sizeof *lt);
    if (!t || !lt)
        return -1;
    memset(t, 0, slots * sizeof *t);
    memset(lt, 0, slots * sizeof *lt);
    const sel_complex **others = NULL;
    if (l->n > k && !(others = arena(p, (l->n - k) * sizeof *others)))
        return -1;
    for (sel_complex *x = l->first; x; x = x->next) {
        if (!x->bare) {
            others[l->nothers++] = x;
            continue;
        }
        set_add(t, slots - 1, x->right->first->name);
        set_add(lt, slots - 1, x->right->first->lname);
    }
    l->others = others;
    l->types = t;
    l->ltypes = lt;
    l->tmask = slots - 1;
    return 0;
}

/* Complex selectors separated by commas.  A nested list stops at its ')'
 * (left for the caller); the top-level list must end the input. */
static sel_list *parse_list(parser *p, int relative, int nested)
{
    sel_list *l = arena(p, sizeof *l);
    if (!l)
        return NULL;
    sel_complex **tail = &l->first;
    for (;;) {
        skip_ws(p);
        sel_complex *x = parse_complex(p, relative, nested);
        if (!x)
            return NULL;
        *tail = x;
        tail = &x->next;
        l->n++;
        if (cur(p) != ',')
            break;
        p->pos++;
    }
    if (nested && cur(p) < 0) {
        set_error(p, p->pos, "missing ')'");
        return NULL;
    }
    if (!nested && cur(p) >= 0)
        return unexpected(p);
    if (type_sets(p, l) < 0)
        return NULL;
    return l;
}

/* ---- entry points ---------------------------------------------------------- */

int select_compile_ns(const mem *m, const char *src, size_t len, const char *const *ns,
                      selector **out, char *err, size_t errlen)
{
    parser P;
    memset(&P, 0, sizeof P);
    P.m = m;
    P.s = (const unsigned char *)src;
    P.len = len;
    P.ns = ns;
    P.err = err;
    P.errlen = err ? errlen : 0;
    if (P.errlen)
        err[0] = '\0';
    *out = NULL;
    size_t bad;
    const void *nul = len ? memchr(src, 0, len) : NULL;
    if (len > SELECT_MAX_LEN) {
        P.len = SELECT_MAX_LEN;
        set_error(&P, SELECT_MAX_LEN, "selector too long (%zu bytes, at most %d)", len,
                  SELECT_MAX_LEN);
        return -1;
    }
    if (utf8_validate(P.s, len, &bad) < 0) {
        set_error(&P, bad, "invalid UTF-8");
        return -1;
    }
    if (nul) {
        set_error(&P, (size_t)((const char *)nul - src), "NUL character in selector");
        return -1;
    }
    skip_ws(&P);
    if (P.pos == len) {
        set_error(&P, 0, "empty selector");
        return -1;
    }
    P.pos = 0;
    P.sel = mem_alloc(m, sizeof *P.sel);
    P.scratch = mem_alloc(m, 2 * len + 8);
    if (!P.sel || !P.scratch) {
        mem_free(m, P.sel);
        mem_free(m, P.scratch);
        set_error(&P, 0, "out of memory");
        return -1;
    }
    memset(P.sel, 0, sizeof *P.sel);
    P.sel->list = parse_list(&P, 0, 0);
    mem_free(m, P.scratch);
    if (!P.sel->list) {
        select_free(m, P.sel);
        return -1;
    }
    *out = P.sel;
    return 0;
}

int select_compile(const mem *m, const char *src, size_t len, selector **out, char *err,
                   size_t errlen)
{
    return select_compile_ns(m, src, len, NULL, out, err, errlen);
}

void select_free(const mem *m, selector *s)
{
    if (!s)
        return;
    for (sel_chunk *c = s->chunks, *next; c; c = next) {
        next = c->next;
        mem_free(m, c);
    }
    mem_free(m, s);
}
