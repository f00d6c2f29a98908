/* lua_lode.h -- Lua states for lode: creation and the `lode` module. */
#ifndef LODE_LUA_LODE_H
#define LODE_LUA_LODE_H

#include <lua.h>

#include "engine.h"

/* Creates a Lua state whose allocations go through e's allocator, with the
 * standard libraries, the global `lode` (also `require "lode"`) and
 * `require "lode.text"`,
 * e recorded in the registry, and package.path extended with the folders of
 * module_path (a ';'-separated list of folders, may be NULL) so that
 * `require "lode.news"` finds FOLDER/lode/news.lua.  Allocations go through
 * sandbox_alloc with sb as its user data (sb must outlive the state); if
 * sb->enabled the state gets the sandbox's allow-listed environment instead
 * (no file access, no lode.load, require of lode's own modules only).
 * Returns NULL on OOM. */
struct sandbox;
lua_State *llode_newstate(lode_engine *e, const char *module_path, struct sandbox *sb);

/* Runs body(ud) with a recovery point for a Lua panic (an error raised
 * outside every lua_pcall -- a bug in lode, as lode makes every call that
 * can raise inside one): llode_newstate's states have a panic handler that
 * jumps back here instead of letting Lua abort() the host.  Returns
 * body's result, or -1 after a panic with its message in msg (n bytes);
 * the state is then unusable and must only be closed.  Nests. */
int llode_guarded(lua_State *L, int (*body)(void *ud), void *ud, char *msg, size_t n);

/* Opens the `lode` module (pushes its table). */
int llode_open(lua_State *L);

/* Message handler for lua_pcall: appends a traceback to string errors and
 * describes other error values without calling their metamethods. */
int llode_traceback(lua_State *L);

#endif
