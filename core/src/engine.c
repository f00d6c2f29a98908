/* engine.c -- engine lifecycle, options, last error, version. */
#include "engine.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>

#include <libxml/parser.h>

#include "format.h"
#include "html_rawtext.h"
#include "plugin.h"

#define DEFAULT_MAX_INPUT ((size_t)256 << 20)
#define DEFAULT_MAX_DEPTH 256u
#define DEFAULT_MAX_ATTRIBUTES 1024u
#define DEFAULT_MAX_ENTITY ((size_t)16 << 20)

const char *lode_version(void)
{
    return LODE_VERSION;
}

const char *lode_strerror(int code)
{
    switch (code) {
    case LODE_OK: return "not an error";
    case LODE_ERROR: return "error";
    case LODE_ENOMEM: return "out of memory";
    case LODE_EIO: return "input/output error";
    case LODE_EPARSE: return "malformed document";
    case LODE_EENCODING: return "invalid encoding";
    case LODE_ELIMIT: return "safety limit reached";
    case LODE_EFORMAT: return "unknown or undetectable format";
    case LODE_EMISUSE: return "API misuse";
    case LODE_EEMPTY: return "empty document";
    case LODE_ESCRIPT: return "rule script error";
    case LODE_ESANDBOX: return "sandbox limit reached";
    default: return "unknown error";
    }
}

void lode_options_init(lode_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->limits.max_input_bytes = DEFAULT_MAX_INPUT;
    opts->limits.max_depth = DEFAULT_MAX_DEPTH;
    opts->limits.max_attributes = DEFAULT_MAX_ATTRIBUTES;
    opts->limits.max_entity_expansion = DEFAULT_MAX_ENTITY;
    opts->sandbox.max_memory = (size_t)64 << 20;
    opts->sandbox.max_steps = 100000000ull;
    opts->sandbox.timeout_ms = 5000;
}

/* libxml2 must be initialised once before any thread uses it (HARDENING 1.3);
 * call_once makes that safe when hosts create engines from several threads. */
static once_flag xml_once = ONCE_FLAG_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

lode_engine *lode_engine_new(const lode_options *opts)
{
    lode_options o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    if (!o.alloc)
        o.alloc = mem_default_alloc;
    if (!o.limits.max_input_bytes || o.limits.max_input_bytes > (size_t)INT_MAX - 1)
        o.limits.max_input_bytes = o.limits.max_input_bytes ? (size_t)INT_MAX - 1 : DEFAULT_MAX_INPUT;
    if (!o.limits.max_depth)
        o.limits.max_depth = DEFAULT_MAX_DEPTH;
    if (!o.limits.max_attributes)
        o.limits.max_attributes = DEFAULT_MAX_ATTRIBUTES;
    if (!o.limits.max_entity_expansion)
        o.limits.max_entity_expansion = DEFAULT_MAX_ENTITY;
    if (!o.sandbox.max_memory)
        o.sandbox.max_memory = (size_t)64 << 20;
    if (!o.sandbox.max_steps)
        o.sandbox.max_steps = 100000000ull;
    if (!o.sandbox.timeout_ms)
        o.sandbox.timeout_ms = 5000;

    call_once(&xml_once, xml_init);

    lode_engine *e = o.alloc(o.alloc_ud, NULL, 0, sizeof *e);
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    e->mem.fn = o.alloc;
    e->mem.ud = o.alloc_ud;
    e->log = o.log;
    e->log_ud = o.log_ud;
    e->limits = o.limits;
    e->sandbox = o.sandbox;
    e->html_raw_min = RAWTEXT_MIN_DEFAULT;
    e->formats = format_builtin;
    e->nformats = format_builtin_count;
    if (o.module_path) {
        e->module_path = mem_strdup(&e->mem, o.module_path);
        if (!e->module_path) {
            e->mem.fn(e->mem.ud, e, sizeof *e, 0);
            return NULL;
        }
    }
    if (o.plugin_path && *o.plugin_path) {
        e->plugin_path = mem_strdup(&e->mem, o.plugin_path);
        if (!e->plugin_path) {
            mem_free(&e->mem, e->module_path);
            e->mem.fn(e->mem.ud, e, sizeof *e, 0);
            return NULL;
        }
    }
    return e;
}

void lode_engine_free(lode_engine *e)
{
    if (!e)
        return;
    plugins_free(e);
    mem_free(&e->mem, e->plugin_path);
    mem_free(&e->mem, e->module_path);
    e->mem.fn(e->mem.ud, e, sizeof *e, 0);
}

const char *lode_errmsg(const lode_engine *e)
{
    return e ? e->errmsg : "no engine (NULL)";
}

int lode_errcode(const lode_engine *e)
{
    return e ? e->errcode : LODE_EMISUSE;
}

void lode_free(lode_engine *e, void *ptr)
{
    if (e && ptr)
        mem_free(&e->mem, ptr);
}

/* Messages are cut at ENGINE_ERRMSG_MAX; control characters (which could
 * come from file names or document bytes) are replaced by '?' so that a
 * message cannot move the terminal's cursor.  Newlines and tabs stay: a
 * script error carries a Lua traceback on the lines after the first. */
static void clean_line(char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f)
            *s = '?';
}

int engine_verror(lode_engine *e, int code, const char *fmt, va_list ap)
{
    vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
    clean_line(e->errmsg);
    e->errcode = code;
    return code;
}

int engine_error(lode_engine *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    engine_verror(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void engine_clear_error(lode_engine *e)
{
    e->errcode = LODE_OK;
    e->errmsg[0] = '\0';
}

void engine_vwarn(lode_engine *e, const char *fmt, va_list ap)
{
    if (!e->log)
        return;
    char msg[ENGINE_ERRMSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    clean_line(msg);
    e->log(e->log_ud, LODE_LOG_WARNING, msg);
}

void engine_warn(lode_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    engine_vwarn(e, fmt, ap);
    va_end(ap);
}

const char *engine_srcname(const char *name)
{
    return name ? name : "<memory>";
}
