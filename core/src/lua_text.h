/* lua_text.h -- the `lode.text` Lua module: Unicode text functions on
 * utf8proc (normalisation, case mapping, grapheme clusters, words, width,
 * categories, UTF-8 validation and repair, code point substrings).
 *
 * The module keeps no state outside the lua_State it is opened in: no C
 * globals, no caches.  Scratch memory comes from that state's allocator (the
 * sandbox's memory cap applies) and is always owned by Lua -- userdata or
 * luaL_Buffer -- so an error raised at any point leaks nothing.
 * docs/lua-text.md is the reference for the Lua side. */
#ifndef LODE_LUA_TEXT_H
#define LODE_LUA_TEXT_H

#include <lua.h>

/* The name under which hosts register the module (package.preload or
 * package.loaded), so that scripts `require "lode.text"`. */
#define LTEXT_NAME "lode.text"

/* [-0, +1, m] Opens the module, luaopen-style: registers the metatable of
 * its scratch buffers (idempotent) and pushes a new module table.  Usable as
 * a lua_CFunction, e.g. as package.preload["lode.text"]. */
int ltext_open(lua_State *L);

/* How words are found (text.words' mode argument): text.words' rules, or
 * maximal runs of letters and digits. */
enum { LTEXT_WORDS_RULES, LTEXT_WORDS_ALNUM };

/* [-0, +0, v] The mode argument at arg ("words", the default, or "alnum"). */
int ltext_check_words_mode(lua_State *L, int arg);

/* [-0, +0, v] The string at arg, raising "invalid UTF-8 at byte N" unless
 * it is valid UTF-8. */
const char *ltext_check_utf8(lua_State *L, int arg, size_t *len);

/* Finds the next word of s[0, len) (valid UTF-8) at or after *i, as
 * text.words(s, mode) does: 1 with the word in [*start, *end) and *i where
 * scanning resumes, or 0 (*i = len). */
int ltext_next_word(const char *s, size_t len, size_t *i, int mode, size_t *start, size_t *end);

#endif
