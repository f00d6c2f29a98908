/* lua_text.c -- the `lode.text` Lua module (see lua_text.h, docs/lua-text.md).
 *
 * Every function takes UTF-8 and checks it first with lode's strict decoder
 * (utf8.h), so invalid input is refused with the 1-based byte offset of the
 * first ill-formed sequence -- except valid() and repair(), whose job is to
 * look at such input.  After that check the strings are known to be
 * well-formed, and the loops decode them without further error handling.
 *
 * Memory.  No C heap memory is ever held across a call that can raise.
 * Output is built in luaL_Buffers; normalisation works in a scratch buffer
 * that lives in a to-be-closed userdata box ("lode.text.buffer") and is
 * allocated with the lua_State's own allocator, so it counts against the
 * sandbox's memory cap and is released when the box is closed -- normally
 * right after use, on an error by the unwinding.  utf8proc_map() is not used:
 * it mallocs behind the host allocator's back.
 *
 * Complexity.  Everything is linear in the input.  utf8proc 2.8's canonical
 * reordering is a bubble sort over each run of non-starters, quadratic in
 * the run's length (HARDENING.md 3); normalisation therefore first puts the
 * text into the UAX #15 Stream-Safe Text Format, which bounds every run at
 * 30 non-starters by inserting U+034F COMBINING GRAPHEME JOINER. */
#include "lua_text.h"

#include <lauxlib.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "mem.h"
#include "utf8.h"

#if LUA_VERSION_RELEASE_NUM < 50403
#error "lua_text.c needs Lua 5.4.3 or later (lua_closeslot)"
#endif

#define TEXT_BUFFER "lode.text.buffer" /* registry name of the scratch box */

/* A scratch box: a buf and the mem (L's allocator) it allocates with. */
typedef struct text_box {
    buf b;
    mem m;
} text_box;

/* UAX #15 section 13: at most this many non-starters in a row ... */
#define STREAM_SAFE_MAX 30
/* ... or else this starter (U+034F COMBINING GRAPHEME JOINER) goes between. */
#define CGJ_UTF8 "\xCD\x8F"

/* Room for one code point's full decomposition.  The longest in Unicode 15
 * is U+FDFA's NFKD, 18 code points; full case folding gives at most 3. */
#define DECOMP_MAX 32

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* [-0, +0, v] Returns argument arg as a string and stores its length;
 * raises "bad argument #arg to 'f' (invalid UTF-8 at byte N)" unless it is
 * well-formed UTF-8 (numbers are converted, as by luaL_checklstring). */
const char *ltext_check_utf8(lua_State *L, int arg, size_t *len)
{
    const char *s = luaL_checklstring(L, arg, len);
    size_t ok = utf8_valid_len((const unsigned char *)s, *len);
    if (ok != *len)
        luaL_argerror(L, arg,
                      lua_pushfstring(L, "invalid UTF-8 at byte %I", (lua_Integer)ok + 1));
    return s;
}

/* Decodes the code point at s[*i] of a string already known to be valid
 * and advances *i past it. */
static uint32_t next_cp(const char *s, size_t len, size_t *i)
{
    uint32_t cp;
    *i += utf8_decode((const unsigned char *)s + *i, len - *i, &cp);
    return cp;
}

/* Number of code points of valid UTF-8: every byte but continuation bytes. */
static size_t count_cps(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static int is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* [-(1|2), +0, v] __gc and __close of a scratch box: frees its memory.
 * Idempotent (buf_free leaves an empty buf behind). */
static int box_release(lua_State *L)
{
    text_box *box = luaL_checkudata(L, 1, TEXT_BUFFER);
    buf_free(&box->b);
    return 0;
}

/* [-0, +1, m] Pushes a new scratch box, marked to-be-closed, and returns its
 * empty buf.  The buf allocates with L's allocator; the mem it needs lives in
 * the box behind it.  The box is complete before it gets its metatable, so
 * __gc never sees a half-made one. */
static buf *scratch(lua_State *L)
{
    text_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    box->m.fn = lua_getallocf(L, &box->m.ud);
    buf_init(&box->b, &box->m);
    luaL_setmetatable(L, TEXT_BUFFER);
    lua_toclose(L, -1);
    return &box->b;
}

/* [-1, +0, e] Replaces the scratch box at index box (below the top) by the
 * value on top of the stack, which it pops, freeing the box's memory now. */
static void scratch_done(lua_State *L, int box)
{
    lua_closeslot(L, box); /* runs box_release; the slot becomes nil */
    lua_replace(L, box);   /* move the top into the (no longer tbc) slot */
}

/* ------------------------------------------------------------------------ */
/* Normalisation                                                             */
/* ------------------------------------------------------------------------ */

/* Counts the non-starters (canonical combining class != 0) at the start
 * (*lead) and end (*trail) of cp's NFKD decomposition, and returns the
 * decomposition's length -- the three numbers UAX #15's stream-safe
 * algorithm needs. */
static utf8proc_ssize_t nfkd_nonstarters(uint32_t cp, int *lead, int *trail)
{
    const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
    if (p->decomp_seqindex == UINT16_MAX) {
        /* No decomposition table entry.  (Hangul syllables decompose
         * algorithmically, but only into starters, so 0/0 is right.) */
        *lead = *trail = p->combining_class != 0;
        return 1;
    }
    utf8proc_int32_t d[DECOMP_MAX];
    int bound = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)cp, d, DECOMP_MAX,
                                                 UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, &bound);
    if (n <= 0 || n > DECOMP_MAX) { /* cannot happen with Unicode data */
        *lead = *trail = p->combining_class != 0;
        return 1;
    }
    utf8proc_ssize_t i = 0, j = n;
    while (i < n && utf8proc_get_property(d[i])->combining_class != 0)
        i++;
    while (j > i && utf8proc_get_property(d[j - 1])->combining_class != 0)
        j--;
    *lead = (int)i;
    *trail = (int)(n - j);
    return n;
}

/* [-0, +1, m] Puts s into the Stream-Safe Text Format (UAX #15 section 13):
 * wherever more than STREAM_SAFE_MAX non-starters would follow each other
 * (counted in NFKD, as the standard says), U+034F CGJ is inserted before the
 * code point that would exceed the limit.  Returns the result and stores its
 * length in *len.  Pushes the new string, or nil when s needed no change
 * (the common case: nothing is copied, and s itself is returned). */
static const char *stream_safe(lua_State *L, const char *s, size_t *len)
{
    size_t n = *len, i = 0, copied = 0;
    utf8proc_ssize_t run = 0;
    int building = 0;
    luaL_Buffer b;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) { /* ASCII: a starter, no decomposition */
            run = 0;
            i++;
            continue;
        }
        size_t at = i;
        uint32_t cp = next_cp(s, n, &i);
        int lead, trail;
        utf8proc_ssize_t dlen = nfkd_nonstarters(cp, &lead, &trail);
        if (run + lead > STREAM_SAFE_MAX) {
            if (!building) {
                luaL_buffinit(L, &b);
                building = 1;
            }
            luaL_addlstring(&b, s + copied, at - copied);
            luaL_addlstring(&b, CGJ_UTF8, sizeof CGJ_UTF8 - 1);
            copied = at;
            run = 0;
        }
        run = lead == dlen ? run + dlen : trail;
    }
    if (!building) {
        lua_pushnil(L);
        return s;
    }
    luaL_addlstring(&b, s + copied, n - copied);
    luaL_pushresult(&b);
    return lua_tolstring(L, -1, len);
}

static void check_utf8proc(lua_State *L, utf8proc_ssize_t r)
{
    if (r < 0)
        luaL_error(L, "utf8proc: %s", utf8proc_errmsg(r));
}

/* [-0, +1, e] Pushes s (valid UTF-8, len bytes) mapped by utf8proc with
 * options opts: decomposed (and canonically reordered), then composed if
 * opts asks, and re-encoded -- what utf8proc_map does, but in a scratch box
 * instead of malloc'd memory, and after the stream-safe guard. */
static void push_mapped(lua_State *L, const char *s, size_t len, utf8proc_option_t opts)
{
    int base = lua_gettop(L);
    const utf8proc_uint8_t *u;
    if (opts & (UTF8PROC_COMPOSE | UTF8PROC_DECOMPOSE))
        s = stream_safe(L, s, &len); /* base + 1: the guarded copy, or nil */
    else
        lua_pushnil(L);
    u = (const utf8proc_uint8_t *)s;
    if (len > (size_t)(PTRDIFF_MAX / 8))
        luaL_error(L, "string too long");
    /* First pass: the number of code points of the result. */
    utf8proc_ssize_t n = utf8proc_decompose(u, (utf8proc_ssize_t)len, NULL, 0, opts);
    check_utf8proc(L, n);
    /* reencode writes UTF-8 in place over the code points and a NUL after
     * them: 4 bytes per code point plus one. */
    if ((size_t)n > (SIZE_MAX - 1) / sizeof(utf8proc_int32_t))
        luaL_error(L, "string too long");
    buf *w = scratch(L); /* base + 2 */
    if (buf_reserve(w, (size_t)n * sizeof(utf8proc_int32_t) + 1) < 0)
        luaL_error(L, "not enough memory");
    utf8proc_int32_t *cps = (utf8proc_int32_t *)(void *)w->ptr; /* mem_alloc aligns */
    utf8proc_ssize_t m = utf8proc_decompose(u, (utf8proc_ssize_t)len, cps, n, opts);
    check_utf8proc(L, m);
    if (m != n)
        luaL_error(L, "utf8proc: decomposition changed length (%I != %I)", (lua_Integer)m,
                   (lua_Integer)n);
    utf8proc_ssize_t bytes = utf8proc_reencode(cps, m, opts);
    check_utf8proc(L, bytes);
    lua_pushlstring(L, w->ptr, (size_t)bytes);
    scratch_done(L, base + 2);
    lua_replace(L, base + 1);
}

static const char *const form_names[] = {"NFC", "NFD", "NFKC", "NFKD", NULL};
static const utf8proc_option_t form_opts[] = {
    UTF8PROC_STABLE | UTF8PROC_COMPOSE,
    UTF8PROC_STABLE | UTF8PROC_DECOMPOSE,
    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT,
    UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT,
};

/* [-(1|2), +1, e] text.normalize(s [, form]) -> string
 * form is "NFC" (default), "NFD", "NFKC" or "NFKD".  ASCII is returned as
 * it is: it is invariant under all four forms. */
static int text_normalize(lua_State *L)
{
    size_t len;
    const char *s = ltext_check_utf8(L, 1, &len);
    int form = luaL_checkoption(L, 2, "NFC", form_names);
    if (is_ascii(s, len)) {
        lua_settop(L, 1);
        return 1;
    }
    push_mapped(L, s, len, form_opts[form]);
    return 1;
}

/* [-1, +1, e] text.strip_marks(s) -> string
 * NFD, then every nonspacing mark (category Mn) removed, then NFC. */
static int text_strip_marks(lua_State *L)
{
    size_t len;
    const char *s = ltext_check_utf8(L, 1, &len);
    lua_settop(L, 1);
    if (is_ascii(s, len))
        return 1;
    push_mapped(L, s, len, form_opts[1]); /* 2: NFD */
    s = lua_tolstring(L, 2, &len);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t i = 0;
    while (i < len) {
        size_t at = i;
        uint32_t cp = next_cp(s, len, &i);
        if (utf8proc_category((utf8proc_int32_t)cp) != UTF8PROC_CATEGORY_MN)
            luaL_addlstring(&b, s + at, i - at);
    }
    luaL_pushresult(&b); /* 3 */
    s = lua_tolstring(L, 3, &len);
    push_mapped(L, s, len, form_opts[0]); /* 4: NFC */
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Case                                                                      */
/* ------------------------------------------------------------------------ */

enum { CASE_LOWER, CASE_UPPER, CASE_FOLD };

/* [-1, +1, e] The three case functions: maps s code point by code point.
 * lower/upper use the simple (one-to-one) mappings of UnicodeData.txt,
 * casefold the full folding of CaseFolding.txt (status C + F). */
/* The second byte of the case mapping `how` of U+00C0..U+00FF (C3 d), or 0
 * for the few whose mapping leaves Latin-1 or the two bytes: ß (upper: ẞ,
 * casefold: "ss") and ÿ (upper: Ÿ).  Unicode's simple mappings: the
 * letters C0..DE and E0..FE are pairs 0x20 apart, but for × and ÷. */
static unsigned char latin1_case(int how, unsigned char d)
{
    if (d == 0x9F) /* ß */
        return how == CASE_LOWER ? d : 0;
    if (d == 0x97 || d == 0xB7) /* × ÷ */
        return d;
    if (how == CASE_UPPER) {
        if (d == 0xBF) /* ÿ */
            return 0;
        return d >= 0xA0 ? (unsigned char)(d - 0x20) : d;
    }
    return d < 0xA0 ? (unsigned char)(d + 0x20) : d;
}

static int map_case(lua_State *L, int how)
{
    size_t len;
    const char *s = ltext_check_utf8(L, 1, &len);
    const unsigned char ascii_from = how == CASE_UPPER ? 'a' : 'A';
    const int ascii_shift = how == CASE_UPPER ? -32 : 32;
    luaL_Buffer b;
    luaL_buffinitsize(L, &b, len);
    size_t i = 0;
    while (i < len) {
        /* ASCII, and the Latin-1 letters (two bytes, C3 xx), mapped
         * straight into the buffer: no case mapping of these changes the
         * length, so the bytes left are room enough */
        char *p = luaL_prepbuffsize(&b, len - i);
        size_t k = 0;
        for (;;) {
            size_t j = i; /* the run of ASCII at i: eight bytes at a time, then one */
            while (len - j >= 8) {
                uint64_t x;
                memcpy(&x, s + j, 8);
                if (x & UINT64_C(0x8080808080808080))
                    break;
                j += 8;
            }
            while (j < len && (unsigned char)s[j] < 0x80)
                j++;
            const unsigned char *in = (const unsigned char *)s + i;
            char *o = p + k;
            for (size_t t = 0; t < j - i; t++) /* vectorised by the compiler */
                o[t] = (char)(in[t] + ((unsigned char)(in[t] - ascii_from) < 26 ? ascii_shift : 0));
            k += j - i;
            i = j;
            unsigned char d;
            if (i + 1 >= len || (unsigned char)s[i] != 0xC3 || !(d = latin1_case(how, (unsigned char)s[i + 1])))
                break;
            p[k++] = (char)0xC3;
            p[k++] = (char)d;
            i += 2;
        }
        luaL_addsize(&b, k);
        if (i >= len)
            break;
        utf8proc_int32_t out[DECOMP_MAX];
        utf8proc_ssize_t n = 1;
        utf8proc_int32_t cp = (utf8proc_int32_t)next_cp(s, len, &i);
        if (how == CASE_LOWER) {
            out[0] = utf8proc_tolower(cp);
        } else if (how == CASE_UPPER) {
            out[0] = utf8proc_toupper(cp);
        } else {
            int bound = 0;
            n = utf8proc_decompose_char(cp, out, DECOMP_MAX, UTF8PROC_CASEFOLD, &bound);
            check_utf8proc(L, n);
            if (n > DECOMP_MAX)
                luaL_error(L, "utf8proc: case folding of U+%04X too long", (unsigned)cp);
        }
        char *q = luaL_prepbuffsize(&b, (size_t)n * 4);
        size_t w = 0;
        for (utf8proc_ssize_t j = 0; j < n; j++)
            w += (size_t)utf8proc_encode_char(out[j], (utf8proc_uint8_t *)q + w);
        luaL_addsize(&b, w);
    }
    luaL_pushresult(&b);
    return 1;
}

/* [-1, +1, e] text.lower(s) -> string */
static int text_lower(lua_State *L)
{
    return map_case(L, CASE_LOWER);
}

/* [-1, +1, e] text.upper(s) -> string */
static int text_upper(lua_State *L)
{
    return map_case(L, CASE_UPPER);
}

/* [-1, +1, e] text.casefold(s) -> string */
static int text_casefold(lua_State *L)
{
    return map_case(L, CASE_FOLD);
}

/* ------------------------------------------------------------------------ */
/* Grapheme clusters                                                         */
/* ------------------------------------------------------------------------ */

/* Returns the end (byte offset) of the extended grapheme cluster that
 * starts at byte start of s.  *state is utf8proc's break state: 0 at the
 * start of the text, then carried from one cluster to the next, because the
 * rules for regional-indicator pairs and emoji ZWJ sequences look back
 * further than one code point. */
static size_t cluster_end(const char *s, size_t len, size_t start, utf8proc_int32_t *state)
{
    size_t i = start;
    utf8proc_int32_t c1 = (utf8proc_int32_t)next_cp(s, len, &i);
    while (i < len) {
        size_t at = i;
        utf8proc_int32_t c2 = (utf8proc_int32_t)next_cp(s, len, &i);
        if (utf8proc_grapheme_break_stateful(c1, c2, state))
            return at;
        c1 = c2;
    }
    return len;
}

/* [-0, +(0|2), -] The iterator of text.graphemes.  Upvalues: the string,
 * the byte offset of the next cluster, the break state.  Returns the next
 * cluster and its 1-based byte position, or nothing at the end. */
static int grapheme_next(lua_State *L)
{
    size_t len;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &len);
    size_t start = (size_t)lua_tointeger(L, lua_upvalueindex(2));
    utf8proc_int32_t state = (utf8proc_int32_t)lua_tointeger(L, lua_upvalueindex(3));
    if (start >= len)
        return 0;
    size_t end = cluster_end(s, len, start, &state);
    lua_pushinteger(L, (lua_Integer)end);
    lua_replace(L, lua_upvalueindex(2));
    lua_pushinteger(L, state);
    lua_replace(L, lua_upvalueindex(3));
    lua_pushlstring(L, s + start, end - start);
    lua_pushinteger(L, (lua_Integer)start + 1);
    return 2;
}

/* [-1, +1, e] text.graphemes(s) -> iterator yielding cluster, position */
static int text_graphemes(lua_State *L)
{
    size_t len;
    ltext_check_utf8(L, 1, &len);
    lua_settop(L, 1);
    lua_pushinteger(L, 0); /* next offset */
    lua_pushinteger(L, 0); /* break state */
    lua_pushcclosure(L, grapheme_next, 3);
    return 1;
}

/* [-(1|2), +1, e] text.len(s [, unit]) -> integer
 * unit is "codepoints" (default) or "graphemes". */
static int text_len(lua_State *L)
{
    static const char *const units[] = {"codepoints", "graphemes", NULL};
    size_t len;
    const char *s = ltext_check_utf8(L, 1, &len);
    int unit = luaL_checkoption(L, 2, "codepoints", units);
    size_t n = 0;
    if (unit == 0) {
        n = count_cps(s, len);
    } else {
        utf8proc_int32_t state = 0;
        for (size_t i = 0; i < len; n++)
            i = cluster_end(s, len, i, &state);
    }
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Words                                                                     */
/* ------------------------------------------------------------------------ */

/* What a code point is to the word scanner (docs/lua-text.md, words). */
enum { W_OTHER, W_CORE, W_MARK, W_JOIN };

static int word_class(uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
            return W_CORE;
        return cp == '\'' || cp == '-' ? W_JOIN : W_OTHER;
    }
    switch (cp) {
    case 0x2019: /* RIGHT SINGLE QUOTATION MARK, the typographic apostrophe */
    case 0x2010: /* HYPHEN */
    case 0x2011: /* NON-BREAKING HYPHEN */
        return W_JOIN;
    case 0x200C: /* ZERO WIDTH NON-JOINER, inside Persian and Indic words */
    case 0x200D: /* ZERO WIDTH JOINER */
        return W_MARK;
    default:
        break;
    }
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return W_CORE;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return W_MARK;
    default:
        return W_OTHER;
    }
}

/* word_class of each ASCII character. */
#define W_ASCII_ROW(base) \
    W_A(base + 0), W_A(base + 1), W_A(base + 2), W_A(base + 3), W_A(base + 4), W_A(base + 5), W_A(base + 6), \
        W_A(base + 7)
#define W_A(c)                                                                                               \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9') ? W_CORE        \
     : (c) == '\'' || (c) == '-'                                                                  ? W_JOIN \
                                                                                                 : W_OTHER)
static const unsigned char ascii_class[128] = {
    W_ASCII_ROW(0),  W_ASCII_ROW(8),  W_ASCII_ROW(16), W_ASCII_ROW(24), W_ASCII_ROW(32),  W_ASCII_ROW(40),
    W_ASCII_ROW(48), W_ASCII_ROW(56), W_ASCII_ROW(64), W_ASCII_ROW(72), W_ASCII_ROW(80),  W_ASCII_ROW(88),
    W_ASCII_ROW(96), W_ASCII_ROW(104), W_ASCII_ROW(112), W_ASCII_ROW(120),
};
#undef W_A
#undef W_ASCII_ROW

/* The class of the code point at *i, which it steps over; ASCII without
 * decoding (most text of most corpora). */
static inline int next_class(const char *s, size_t len, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        ++*i;
        return ascii_class[c];
    }
    if (c == 0xC3 && *i + 1 < len && s[*i + 1] != '\x97' && s[*i + 1] != '\xB7') {
        *i += 2; /* U+00C0..U+00FF but × and ÷: letters (Lu, Ll) */
        return W_CORE;
    }
    return word_class(next_cp(s, len, i));
}

int ltext_check_words_mode(lua_State *L, int arg)
{
    static const char *const modes[] = {"words", "alnum", NULL};
    return luaL_checkoption(L, arg, "words", modes);
}

/* Finds the next word of s[0, len) at or after *i: 1 with the word in
 * [*start, *end) and *i where scanning resumes, or 0 (*i = len).  s is
 * valid UTF-8.  LTEXT_WORDS_RULES: a word starts at a letter or digit and
 * continues over letters, digits and marks, and over one joiner (apostrophe
 * or hyphen) when a letter or digit follows it.  LTEXT_WORDS_ALNUM: a word is a
 * maximal run of letters and digits. */
int ltext_next_word(const char *s, size_t len, size_t *i, int mode, size_t *start, size_t *end)
{
    size_t at = *i;
    while (at < len) { /* skip to the first letter or digit */
        unsigned char c = (unsigned char)s[at];
        if (c < 0x80 && ascii_class[c] != W_CORE) {
            at++;
            continue;
        }
        size_t j = at;
        if (next_class(s, len, &j) == W_CORE) {
            *start = at;
            *end = j;
            break;
        }
        at = j;
    }
    if (at >= len) {
        *i = len;
        return 0;
    }
    size_t j = *end;
    while (j < len) {
        unsigned char c = (unsigned char)s[j];
        if (c < 0x80 && ascii_class[c] == W_CORE) { /* the common case, in a tight loop */
            *end = ++j;
            continue;
        }
        int k = next_class(s, len, &j);
        if (k == W_CORE) {
            *end = j;
        } else if (mode == LTEXT_WORDS_ALNUM) {
            break;
        } else if (k == W_MARK) {
            *end = j;
        } else if (k == W_JOIN && j < len && next_class(s, len, &j) == W_CORE) {
            *end = j;
        } else {
            break;
        }
    }
    /* resume after the word: what ended it is not a letter or digit, or
     * (a joiner) is rescanned harmlessly */
    *i = *end;
    return 1;
}

/* [-0, +(0|2), -] The iterator of text.words.  Upvalues: the string, the
 * byte offset where scanning resumes, the mode. */
static int word_next(lua_State *L)
{
    size_t len, start, end;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &len);
    size_t i = (size_t)lua_tointeger(L, lua_upvalueindex(2));
    int mode = (int)lua_tointeger(L, lua_upvalueindex(3));
    int found = ltext_next_word(s, len, &i, mode, &start, &end);
    lua_pushinteger(L, (lua_Integer)i);
    lua_replace(L, lua_upvalueindex(2));
    if (!found)
        return 0;
    lua_pushlstring(L, s + start, end - start);
    lua_pushinteger(L, (lua_Integer)start + 1);
    return 2;
}

/* [-(1|2), +1, e] text.words(s [, mode]) -> iterator yielding word, position */
static int text_words(lua_State *L)
{
    size_t len;
    ltext_check_utf8(L, 1, &len);
    int mode = ltext_check_words_mode(L, 2);
    lua_settop(L, 1);
    lua_pushinteger(L, 0);
    lua_pushinteger(L, mode);
    lua_pushcclosure(L, word_next, 3);
    return 1;
}

/* [-(1|2|3), +2, e] text.count_words(s [, counts [, mode]]) -> counts, n
 * Adds 1 to counts[w] (raw access) for each word w of s, as text.words(s,
 * mode) finds them; counts is a new table when nil.  n: the words added. */
static int text_count_words(lua_State *L)
{
    size_t len, start, end, i = 0;
    const char *s = ltext_check_utf8(L, 1, &len);
    if (lua_isnoneornil(L, 2)) {
        lua_settop(L, 3);
        lua_newtable(L);
        lua_replace(L, 2);
    } else {
        luaL_checktype(L, 2, LUA_TTABLE);
    }
    int mode = ltext_check_words_mode(L, 3);
    lua_settop(L, 2);
    lua_Integer n = 0;
    while (ltext_next_word(s, len, &i, mode, &start, &end)) {
        lua_pushlstring(L, s + start, end - start);
        lua_pushvalue(L, -1);
        lua_Integer c = 0;
        int t = lua_rawget(L, 2);
        if (t != LUA_TNIL) {
            int isint = 0;
            if (t == LUA_TNUMBER)
                c = lua_tointegerx(L, -1, &isint);
            if (!isint) {
                char msg[128];
                snprintf(msg, sizeof msg, "counts[\"%.60s%s\"] is a %s, not an integer", s + start,
                         end - start > 60 ? "..." : "", luaL_typename(L, -1));
                return luaL_argerror(L, 2, msg);
            }
        }
        lua_pop(L, 1);
        lua_pushinteger(L, (lua_Integer)((lua_Unsigned)c + 1u)); /* wraps like Lua's + */
        lua_rawset(L, 2);
        n++;
    }
    lua_pushinteger(L, n);
    return 2;
}

/* ------------------------------------------------------------------------ */
/* Properties                                                                */
/* ------------------------------------------------------------------------ */

/* [-1, +1, e] text.width(s) -> integer
 * The sum of utf8proc_charwidth over the code points. */
static int text_width(lua_State *L)
{
    size_t len;
    const char *s = ltext_check_utf8(L, 1, &len);
    lua_Integer w = 0;
    size_t i = 0;
    while (i < len)
        w += utf8proc_charwidth((utf8proc_int32_t)next_cp(s, len, &i));
    lua_pushinteger(L, w);
    return 1;
}

/* [-1, +1, e] text.category(cp_or_char) -> string
 * cp_or_char is an integer code point 0..0x10FFFF (surrogates included:
 * "Cs") or a string of exactly one code point. */
static int text_category(lua_State *L)
{
    lua_Integer cp;
    if (lua_type(L, 1) == LUA_TNUMBER) {
        cp = luaL_checkinteger(L, 1);
        luaL_argcheck(L, cp >= 0 && cp <= 0x10FFFF, 1, "code point out of range");
    } else if (lua_type(L, 1) == LUA_TSTRING) {
        size_t len, i = 0;
        const char *s = ltext_check_utf8(L, 1, &len);
        luaL_argcheck(L, len > 0, 1, "one character expected, got an empty string");
        cp = next_cp(s, len, &i);
        luaL_argcheck(L, i == len, 1, "one character expected, got several");
    } else {
        return luaL_typeerror(L, 1, "integer or string");
    }
    lua_pushstring(L, utf8proc_category_string((utf8proc_int32_t)cp));
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Validation and repair                                                     */
/* ------------------------------------------------------------------------ */

/* [-1, +(1|2), e] text.valid(s) -> true | false, position
 * position: 1-based byte offset of the first ill-formed sequence. */
static int text_valid(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    size_t ok = utf8_valid_len((const unsigned char *)s, len);
    lua_pushboolean(L, ok == len);
    if (ok == len)
        return 1;
    lua_pushinteger(L, (lua_Integer)ok + 1);
    return 2;
}

/* [-1, +2, e] text.repair(s) -> string, count
 * Each maximal subpart of an ill-formed sequence becomes U+FFFD; count is
 * how many were replaced.  Valid input is returned as it is, with 0. */
static int text_repair(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_settop(L, 1);
    if (utf8_valid_len((const unsigned char *)s, len) == len) {
        lua_pushinteger(L, 0);
        return 2;
    }
    buf *b = scratch(L); /* 2 */
    size_t n = utf8_repair(b, (const unsigned char *)s, len);
    if (!buf_ok(b))
        return luaL_error(L, "not enough memory");
    lua_pushlstring(L, b->ptr, b->len);
    scratch_done(L, 2);
    lua_pushinteger(L, (lua_Integer)n);
    return 2;
}

/* ------------------------------------------------------------------------ */
/* Substrings                                                                */
/* ------------------------------------------------------------------------ */

/* string.sub's rules for the start and end positions, in code points. */
static lua_Integer start_pos(lua_Integer pos, lua_Integer n)
{
    if (pos > 0)
        return pos;
    if (pos == 0 || pos < -n)
        return 1;
    return n + pos + 1;
}

static lua_Integer end_pos(lua_Integer pos, lua_Integer n)
{
    if (pos > n)
        return n;
    if (pos >= 0)
        return pos;
    if (pos < -n)
        return 0;
    return n + pos + 1;
}

/* [-(2|3), +1, e] text.sub(s, i [, j]) -> string
 * Code points i..j (j defaults to -1), with string.sub's treatment of
 * negative, zero and out-of-range positions. */
static int text_sub(lua_State *L)
{
    size_t len;
    const char *s = ltext_check_utf8(L, 1, &len);
    lua_Integer n = (lua_Integer)count_cps(s, len);
    lua_Integer i = start_pos(luaL_checkinteger(L, 2), n);
    lua_Integer j = end_pos(luaL_optinteger(L, 3, -1), n);
    if (i > j) {
        lua_pushliteral(L, "");
        return 1;
    }
    /* Walk to the first byte of code point i and past code point j. */
    size_t at = 0, from = 0;
    lua_Integer k = 0;
    while (at < len) {
        if (((unsigned char)s[at] & 0xC0) != 0x80) {
            k++;
            if (k == i)
                from = at;
            else if (k == j + 1)
                break;
        }
        at++;
    }
    lua_pushlstring(L, s + from, at - from);
    return 1;
}

/* ------------------------------------------------------------------------ */
/* The module                                                                */
/* ------------------------------------------------------------------------ */

static const luaL_Reg text_funcs[] = {
    {"normalize", text_normalize},
    {"casefold", text_casefold},
    {"lower", text_lower},
    {"upper", text_upper},
    {"len", text_len},
    {"graphemes", text_graphemes},
    {"words", text_words},
    {"count_words", text_count_words},
    {"width", text_width},
    {"category", text_category},
    {"valid", text_valid},
    {"repair", text_repair},
    {"strip_marks", text_strip_marks},
    {"sub", text_sub},
    {NULL, NULL},
};

static const luaL_Reg box_meta[] = {
    {"__gc", box_release},
    {"__close", box_release},
    {NULL, NULL},
};

int ltext_open(lua_State *L)
{
    if (luaL_newmetatable(L, TEXT_BUFFER))
        luaL_setfuncs(L, box_meta, 0);
    lua_pop(L, 1); /* pop metatable */
    luaL_newlib(L, text_funcs);
    lua_pushstring(L, utf8proc_unicode_version());
    lua_setfield(L, -2, "unicode_version");
    return 1;
}
