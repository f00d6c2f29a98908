/* sandbox.h -- limits and an allow-listed environment for rule scripts.
 *
 * Every rule state allocates through sandbox_alloc (so its memory is counted
 * and, when the sandbox is on, capped), and a sandboxed state runs under a
 * count+call hook that enforces an instruction budget and a wall-clock
 * deadline per document.  Limits are sticky: once one trips, the hook
 * re-arms itself to run on every instruction and raises each time, so a
 * script's pcall cannot swallow it (HARDENING 2.3).  The allocator's user
 * data is the sandbox itself, so the hook finds it with lua_getallocf. */
#ifndef LODE_SANDBOX_H
#define LODE_SANDBOX_H

#include <lua.h>

#include "engine.h"
#include "select.h"

enum { SANDBOX_OK = 0, SANDBOX_MEMORY, SANDBOX_STEPS, SANDBOX_TIME };

typedef struct sandbox {
    mem base;                 /* the engine's allocator */
    int enabled;
    size_t used, limit;       /* bytes of Lua memory; limit only when enabled */
    unsigned long long steps, max_steps;
    unsigned long timeout_ms;
    double deadline;          /* CLOCK_MONOTONIC seconds */
    int tripped;              /* SANDBOX_* of the first limit hit in this run */
} sandbox;

/* Fills sb from the engine's options. */
void sandbox_init(sandbox *sb, lode_engine *e);

/* lua_Alloc for rule states; ud is the sandbox. */
void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* Opens the allow-listed libraries into L (instead of luaL_openlibs).  Runs
 * inside a protected call. */
void sandbox_open(lua_State *L);

/* Resets the per-run budget (steps, deadline, tripped) and arms the hook.
 * Call before every document and phase.  No-op when the sandbox is off. */
void sandbox_start(lua_State *L, sandbox *sb);

/* Charges steps of work done in C (the pattern matcher) to the instruction
 * budget and checks the deadline; raises the sticky limit error when a
 * limit is (or already was) reached.  No-op when the sandbox is off. */
void sandbox_charge(lua_State *L, unsigned long steps);

/* Sets lim up to charge selector matching (select_*_limit) to L's budget
 * and deadline, as sandbox_charge does; lim->over is NULL (no limit) when
 * the sandbox is off.  Matching stops when a limit trips; the caller then
 * raises it with sandbox_charge(L, 0). */
void sandbox_select_limit(lua_State *L, select_limit *lim);

/* Describes the tripped limit, e.g. "memory limit of 64 MB reached". */
const char *sandbox_message(const sandbox *sb, char *out, size_t n);

#endif
