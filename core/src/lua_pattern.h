/* lua_pattern.h -- Lua's pattern functions with a step budget, for the
 * sandbox.
 *
 * string.find, string.match, string.gmatch and string.gsub run their
 * backtracking matcher in C, where no hook reaches: ("a"):rep(300) searched
 * for ".-.-.-b" takes about 10 s whatever the sandbox's time limit, and a
 * plain find of a long needle is O(subject x needle) (HARDENING 2.2).  These
 * replacements follow Lua 5.4's semantics (the same pattern language,
 * captures, position captures, %b, %f, gsub replacement strings, tables
 * and functions, the same error messages) and charge every matcher step to
 * the sandbox's instruction budget, checking its deadline as they go, so a
 * pattern bomb stops with the usual sticky limit error. */
#ifndef LODE_LUA_PATTERN_H
#define LODE_LUA_PATTERN_H

#include <lua.h>

/* Replaces find, match, gmatch and gsub in the table at index t (the string
 * library).  Runs inside a protected call. */
void lpattern_open(lua_State *L, int t);

#endif
