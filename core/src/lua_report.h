/* lua_report.h -- ctx.report: the Lua face of a C report (report.h). */
#ifndef LODE_LUA_REPORT_H
#define LODE_LUA_REPORT_H

#include <lua.h>

#include "report.h"

/* Pushes a userdata with the report methods (docs/lua-api.md, "ctx.report")
 * over r, which is borrowed: it must outlive the Lua state.  May raise a
 * memory error. */
void lreport_push(lua_State *L, struct lode_report *r);

#endif
