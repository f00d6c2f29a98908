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

#endif
