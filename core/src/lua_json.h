/* lua_json.h -- Lua values to JSON text, for records (ctx:emit). */
#ifndef LODE_LUA_JSON_H
#define LODE_LUA_JSON_H

#include <stddef.h>
#include <lua.h>

#include "buf.h"

/* Appends the value at idx as JSON to out.  Tables with only the keys
 * 1..n (n >= 1) become arrays; other tables objects with their keys sorted
 * (byte order), so output is deterministic although Lua tables are not
 * ordered; an empty table is {}.  Strings must be valid UTF-8; integers are
 * written exactly, floats with the shortest form that reads back the same
 * (NaN and infinities become null); nodes become their normalised text.
 * Never raises.  Returns 0, or -1 with a message in err naming the field
 * ("field 'quote': string is not valid UTF-8"); out may then hold a partial
 * value. */
int ljson_encode(lua_State *L, int idx, buf *out, char *err, size_t errlen);

/* Appends s (len bytes of UTF-8) as a JSON string literal. */
void ljson_string(buf *out, const char *s, size_t len);

#endif
