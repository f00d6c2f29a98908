/* test_lua_panic.c -- Lua panics (errors raised outside every lua_pcall):
 * under llode_guarded they return to the guard with their message instead
 * of aborting the process (nested guards each catch their own); without a
 * guard lode's handler says what happened before Lua aborts.  Internal API
 * (core/src/lua_lode.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "harness.h"
#include "engine.h"
#include "lua_lode.h"
#include "sandbox.h"

static int raise_unprotected(void *ud)
{
    lua_State *L = ud;
    lua_pushstring(L, "boom outside pcall");
    return lua_error(L); /* no pcall around: a panic */
}

static int returns_seven(void *ud)
{
    (void)ud;
    return 7;
}

static int inner_panics(void *ud)
{
    lua_State *L = ud;
    char msg[64] = "";
    int rc = llode_guarded(L, raise_unprotected, L, msg, sizeof msg);
    return rc == -1 && strcmp(msg, "boom outside pcall") == 0 ? 42 : 0;
}

static void guard_catches_panics(void)
{
    lode_engine *e = lode_engine_new(NULL);
    sandbox sb;
    sandbox_init(&sb, e);
    lua_State *L = llode_newstate(e, NULL, &sb);
    CHECK(L != NULL);
    if (!L) {
        lode_engine_free(e);
        return;
    }
    char msg[64] = "";
    CHECK_EQ_INT(llode_guarded(L, returns_seven, L, msg, sizeof msg), 7);
    CHECK_EQ_INT(llode_guarded(L, raise_unprotected, L, msg, sizeof msg), -1);
    CHECK_EQ_STR(msg, "boom outside pcall");
    /* a guard inside a guard: the inner one catches, the outer goes on */
    CHECK_EQ_INT(llode_guarded(L, inner_panics, L, msg, sizeof msg), 42);
    /* a truncated message stays terminated */
    char tiny[5];
    CHECK_EQ_INT(llode_guarded(L, raise_unprotected, L, tiny, sizeof tiny), -1);
    CHECK_EQ_STR(tiny, "boom");
    lua_close(L); /* closing after a panic is what the caller does */
    lode_engine_free(e);
}

static void unguarded_panic_says_why(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        signal(SIGABRT, SIG_DFL);
        lode_engine *e = lode_engine_new(NULL);
        sandbox sb;
        sandbox_init(&sb, e);
        lua_State *L = llode_newstate(e, NULL, &sb);
        if (L)
            raise_unprotected(L);
        _exit(0);
    }
    close(fds[1]);
    char out[512] = "";
    size_t n = 0;
    ssize_t k;
    while (n + 1 < sizeof out && (k = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = '\0';
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    CHECK(strstr(out, "lode: unprotected Lua error (a bug in lode): boom outside pcall") != NULL);
}

int main(void)
{
    RUN(guard_catches_panics);
    RUN(unguarded_panic_says_why);
    return harness_done();
}
