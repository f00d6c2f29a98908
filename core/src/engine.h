/* engine.h -- the engine's internals: options, allocator, last error.
 *
 * Every internal function that can fail takes the engine and reports through
 * engine_error(), which formats the message into the engine and returns the
 * code, so a failure path reads `return engine_error(e, LODE_EPARSE, ...)`. */
#ifndef LODE_ENGINE_H
#define LODE_ENGINE_H

#include <stdarg.h>

#include "lode.h"
#include "mem.h"

#define ENGINE_ERRMSG_MAX 4096

struct format;

struct lode_engine {
    mem mem;
    lode_log_fn log;
    void *log_ud;
    lode_limits limits;
    lode_sandbox sandbox;
    char *module_path;   /* lode_options.module_path, copied (or NULL) */
    const struct format *formats; /* the registry: format_builtin, or own_formats */
    size_t nformats;
    struct format *own_formats;   /* built-ins + plugins' formats, once a plugin loaded */
    struct plugin *plugins;       /* loaded plugins, in load order (plugin.c) */
    char *plugin_path;            /* lode_options.plugin_path, copied (or NULL) */
    int plugin_path_loaded;       /* its plugins were loaded (plugins_need) */
    size_t html_raw_min;          /* script/style text this long or longer is read by
                                   * html_rawtext.c, not libxml2; SIZE_MAX: never (tests) */
    size_t html_raw_filled;       /* spans html_rawtext.c has put back, in all (tests) */
    int errcode;
    char errmsg[ENGINE_ERRMSG_MAX];
};

/* Sets the last error (code and printf-style message) and returns code. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int engine_error(lode_engine *e, int code, const char *fmt, ...);

/* engine_error and engine_warn with a va_list. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 0)))
#endif
int engine_verror(lode_engine *e, int code, const char *fmt, va_list ap);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
void engine_vwarn(lode_engine *e, const char *fmt, va_list ap);

/* Clears the last error. */
void engine_clear_error(lode_engine *e);

/* Sends a warning line to the host's log callback (if any). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void engine_warn(lode_engine *e, const char *fmt, ...);

/* A display form of a source name for messages: the name itself, or
 * "<memory>" for NULL. */
const char *engine_srcname(const char *name);

#endif
