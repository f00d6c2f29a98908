/* plugin.c -- loading plugins into an engine: the ABI check, the registry
 * handed to lode_plugin_init, and committing what it registered. */
#include "plugin.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "buf.h"
#include "format.h"

/* Sizes of the first version of each struct a plugin hands in: a smaller
 * struct cannot come from any lode.h.  Later versions append fields; a
 * plugin built before them hands in the first size and the rest of our
 * copy is zero. */
#define READER_V1_SIZE sizeof(lode_reader)
#define WRITER_V1_SIZE sizeof(lode_writer)
#define SINK_V1_SIZE sizeof(lode_sink_class)
#define INFO_V1_SIZE sizeof(lode_plugin_info)

/* Names the built-in outputs of `lode run` already use. */
static const char *const reserved_sinks[] = {"jsonl", "csv", "tsv", NULL};
static const char *const reserved_sink_ext[] = {".jsonl", ".ndjson", ".json", ".csv", ".tsv", NULL};

/* The plugin being loaded: registrations collect here and join the engine
 * only when lode_plugin_init succeeded and nothing clashed. */
typedef struct pending {
    lode_engine *e;
    plugin *p;
    plugin_item **tail;
    int failed; /* a registration failed: the load fails even if init says 0 */
} pending;

/* ---- services (the same in every registry) ------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int svc_error(lode_engine *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    engine_verror(e, code, fmt, ap);
    va_end(ap);
    return code;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void svc_warn(lode_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    engine_vwarn(e, fmt, ap);
    va_end(ap);
}

static const lode_limits *svc_limits(const lode_engine *e)
{
    return &e->limits;
}

static const lode_api services = {
    .size = sizeof(lode_api),
    .error = svc_error,
    .warn = svc_warn,
    .limits = svc_limits,
    .record_next = lode_record_next,
    .json_decode = lode_json_decode,
};

/* ---- checks --------------------------------------------------------------- */

/* Format, sink and plugin names: [a-z0-9_-]{1,32}. */
static int good_name(const char *s)
{
    if (!s || !*s || strlen(s) > 32)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* Extensions: ".x", lower case, no '/'; the array NULL-ended. */
static int good_extensions(const char *const *x)
{
    for (size_t n = 0; x && x[n]; n++) {
        if (n >= 64 || x[n][0] != '.' || !x[n][1] || strlen(x[n]) > 16)
            return 0;
        for (const char *c = x[n]; *c; c++)
            if (*c == '/' || (*c >= 'A' && *c <= 'Z'))
                return 0;
    }
    return 1;
}

static int ext_in(const char *ext, const char *const *list)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcasecmp(ext, list[i]) == 0)
            return 1;
    return 0;
}

/* Calls fn for every item of the engine's plugins and of the pending one,
 * until fn returns non-zero (that value is returned). */
static int each_item(const lode_engine *e, const pending *pd,
                     int (*fn)(const plugin_item *it, const void *arg), const void *arg)
{
    for (const plugin *p = e->plugins; p; p = p->next)
        for (const plugin_item *it = p->items; it; it = it->next) {
            int r = fn(it, arg);
            if (r)
                return r;
        }
    if (pd)
        for (const plugin_item *it = pd->p->items; it; it = it->next) {
            int r = fn(it, arg);
            if (r)
                return r;
        }
    return 0;
}

static int same_reader(const plugin_item *it, const void *name)
{
    return it->kind == ITEM_READER && strcmp(it->u.reader.name, name) == 0;
}

static int same_writer(const plugin_item *it, const void *name)
{
    return it->kind == ITEM_WRITER && strcmp(it->u.writer.name, name) == 0;
}

static int same_sink(const plugin_item *it, const void *name)
{
    return it->kind == ITEM_SINK && strcmp(it->u.sink.name, name) == 0;
}

static int sink_has_ext(const plugin_item *it, const void *ext)
{
    return it->kind == ITEM_SINK && ext_in(ext, it->u.sink.extensions);
}

static int same_module(const plugin_item *it, const void *name)
{
    return it->kind == ITEM_MODULE && strcmp(it->u.module.name, name) == 0;
}

static int builtin_has(const char *name, int writer)
{
    for (size_t i = 0; i < format_builtin_count; i++)
        if (strcmp(format_builtin[i].name, name) == 0)
            return writer ? format_builtin[i].write != NULL : format_builtin[i].read != NULL;
    return 0;
}

/* ---- registration ----------------------------------------------------------- */

static pending *pending_of(lode_registry *reg)
{
    return reg->internal;
}

/* Fails a registration: the message names the plugin. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int reg_fail(pending *pd, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pd->failed = 1;
    return engine_error(pd->e, code, "%s: plugin '%s': %s", pd->p->path, pd->p->info->name, msg);
}

static plugin_item *new_item(pending *pd, int kind)
{
    plugin_item *it = mem_alloc(&pd->e->mem, sizeof *it);
    if (!it) {
        reg_fail(pd, LODE_ENOMEM, "out of memory");
        return NULL;
    }
    memset(it, 0, sizeof *it);
    it->kind = kind;
    *pd->tail = it;
    pd->tail = &it->next;
    return it;
}

/* Copies a struct that starts with its size: at most our size, the rest
 * zero. */
static void copy_sized(void *dst, size_t dst_size, const void *src, size_t src_size)
{
    memset(dst, 0, dst_size);
    memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
    *(size_t *)dst = dst_size;
}

static int add_reader(lode_registry *reg, const lode_reader *r)
{
    pending *pd = pending_of(reg);
    if (!r || r->size < READER_V1_SIZE)
        return reg_fail(pd, LODE_EMISUSE, "add_reader: NULL or too small a struct (set size)");
    if (!good_name(r->name))
        return reg_fail(pd, LODE_EMISUSE, "add_reader: bad format name (want [a-z0-9_-], 1-32 chars)");
    if (!r->read)
        return reg_fail(pd, LODE_EMISUSE, "add_reader %s: no read function", r->name);
    if (!good_extensions(r->extensions))
        return reg_fail(pd, LODE_EMISUSE, "add_reader %s: extensions must look like \".md\" (lower case)",
                        r->name);
    if (builtin_has(r->name, 0) || each_item(pd->e, pd, same_reader, r->name))
        return reg_fail(pd, LODE_ERROR, "a reader for format '%s' is already registered", r->name);
    plugin_item *it = new_item(pd, ITEM_READER);
    if (!it)
        return LODE_ENOMEM;
    copy_sized(&it->u.reader, sizeof it->u.reader, r, r->size);
    return LODE_OK;
}

static int add_writer(lode_registry *reg, const lode_writer *w)
{
    pending *pd = pending_of(reg);
    if (!w || w->size < WRITER_V1_SIZE)
        return reg_fail(pd, LODE_EMISUSE, "add_writer: NULL or too small a struct (set size)");
    if (!good_name(w->name))
        return reg_fail(pd, LODE_EMISUSE, "add_writer: bad format name (want [a-z0-9_-], 1-32 chars)");
    if (!w->write)
        return reg_fail(pd, LODE_EMISUSE, "add_writer %s: no write function", w->name);
    if (!good_extensions(w->extensions))
        return reg_fail(pd, LODE_EMISUSE, "add_writer %s: extensions must look like \".md\" (lower case)",
                        w->name);
    if (builtin_has(w->name, 1) || each_item(pd->e, pd, same_writer, w->name))
        return reg_fail(pd, LODE_ERROR, "a writer for format '%s' is already registered", w->name);
    plugin_item *it = new_item(pd, ITEM_WRITER);
    if (!it)
        return LODE_ENOMEM;
    copy_sized(&it->u.writer, sizeof it->u.writer, w, w->size);
    return LODE_OK;
}

static int add_sink(lode_registry *reg, const lode_sink_class *s)
{
    pending *pd = pending_of(reg);
    if (!s || s->size < SINK_V1_SIZE)
        return reg_fail(pd, LODE_EMISUSE, "add_sink: NULL or too small a struct (set size)");
    if (!good_name(s->name))
        return reg_fail(pd, LODE_EMISUSE, "add_sink: bad sink name (want [a-z0-9_-], 1-32 chars)");
    if (!s->open || !s->write || !s->close)
        return reg_fail(pd, LODE_EMISUSE, "add_sink %s: open, write and close are all required", s->name);
    if (!good_extensions(s->extensions))
        return reg_fail(pd, LODE_EMISUSE, "add_sink %s: extensions must look like \".db\" (lower case)",
                        s->name);
    if (ext_in(s->name, reserved_sinks) || each_item(pd->e, pd, same_sink, s->name))
        return reg_fail(pd, LODE_ERROR, "a sink named '%s' is already registered", s->name);
    for (size_t i = 0; s->extensions && s->extensions[i]; i++)
        if (ext_in(s->extensions[i], reserved_sink_ext) || each_item(pd->e, pd, sink_has_ext, s->extensions[i]))
            return reg_fail(pd, LODE_ERROR, "add_sink %s: another sink already takes '%s'", s->name,
                            s->extensions[i]);
    plugin_item *it = new_item(pd, ITEM_SINK);
    if (!it)
        return LODE_ENOMEM;
    copy_sized(&it->u.sink, sizeof it->u.sink, s, s->size);
    return LODE_OK;
}

static int add_module(lode_registry *reg, const lode_host_module *m)
{
    pending *pd = pending_of(reg);
    if (!m || !m->name || !*m->name || strlen(m->name) > 128)
        return reg_fail(pd, LODE_EMISUSE, "add_module: NULL or empty name");
    if ((m->source != NULL) == (m->open != NULL))
        return reg_fail(pd, LODE_EMISUSE, "add_module %s: give either source or open", m->name);
    if (each_item(pd->e, pd, same_module, m->name))
        return reg_fail(pd, LODE_ERROR, "a module named '%s' is already registered", m->name);
    plugin_item *it = new_item(pd, ITEM_MODULE);
    if (!it)
        return LODE_ENOMEM;
    it->u.module = *m;
    return LODE_OK;
}

/* ---- committing --------------------------------------------------------------- */

static void free_plugin(lode_engine *e, plugin *p)
{
    if (!p)
        return;
    for (plugin_item *it = p->items, *next; it; it = next) {
        next = it->next;
        mem_free(&e->mem, it);
    }
    mem_free(&e->mem, p->provides);
    mem_free(&e->mem, p->path);
    mem_free(&e->mem, p);
}

static void put_exts(buf *b, const char *const *x)
{
    if (!x || !x[0])
        return;
    buf_puts(b, " (");
    for (size_t i = 0; x[i]; i++) {
        if (i)
            buf_putc(b, ' ');
        buf_puts(b, x[i]);
    }
    buf_putc(b, ')');
}

static char *describe(lode_engine *e, const plugin *p)
{
    buf b;
    buf_init(&b, &e->mem);
    for (const plugin_item *it = p->items; it; it = it->next) {
        switch (it->kind) {
        case ITEM_READER:
            buf_printf(&b, "reader %s", it->u.reader.name);
            put_exts(&b, it->u.reader.extensions);
            break;
        case ITEM_WRITER:
            buf_printf(&b, "writer %s", it->u.writer.name);
            put_exts(&b, it->u.writer.extensions);
            break;
        case ITEM_SINK:
            buf_printf(&b, "sink %s", it->u.sink.name);
            put_exts(&b, it->u.sink.extensions);
            break;
        case ITEM_MODULE:
            buf_printf(&b, "module %s", it->u.module.name);
            break;
        }
        buf_putc(&b, '\n');
    }
    buf_putc(&b, '\0');
    if (!buf_ok(&b)) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

static format *find_own(format *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return &f[i];
    return NULL;
}

/* Builds the format registry with p's readers and writers added; on
 * success replaces the engine's. */
static int rebuild_formats(lode_engine *e, const plugin *p)
{
    size_t extra = 0;
    for (const plugin_item *it = p->items; it; it = it->next)
        if (it->kind == ITEM_READER || it->kind == ITEM_WRITER)
            extra++;
    if (!extra)
        return LODE_OK;
    if (extra > SIZE_MAX / sizeof(format) - e->nformats)
        return LODE_ENOMEM;
    format *f = mem_alloc(&e->mem, (e->nformats + extra) * sizeof *f);
    if (!f)
        return LODE_ENOMEM;
    memcpy(f, e->formats, e->nformats * sizeof *f);
    size_t n = e->nformats;
    for (const plugin_item *it = p->items; it; it = it->next) {
        if (it->kind != ITEM_READER && it->kind != ITEM_WRITER)
            continue;
        const char *name = it->kind == ITEM_READER ? it->u.reader.name : it->u.writer.name;
        format *x = find_own(f, n, name);
        if (!x) {
            x = &f[n++];
            memset(x, 0, sizeof *x);
            x->name = name;
        }
        if (it->kind == ITEM_READER) {
            x->reader = &it->u.reader;
            if (it->u.reader.extensions && it->u.reader.extensions[0])
                x->extensions = it->u.reader.extensions;
        } else {
            x->writer = &it->u.writer;
            if (!x->extensions)
                x->extensions = it->u.writer.extensions;
        }
    }
    mem_free(&e->mem, e->own_formats);
    e->own_formats = f;
    e->formats = f;
    e->nformats = n;
    return LODE_OK;
}

void plugins_free(lode_engine *e)
{
    for (plugin *p = e->plugins, *next; p; p = next) {
        next = p->next;
        free_plugin(e, p);
    }
    e->plugins = NULL;
    mem_free(&e->mem, e->own_formats);
    e->own_formats = NULL;
    e->formats = format_builtin;
    e->nformats = format_builtin_count;
}

const plugin_item *plugin_next_module(const lode_engine *e, const plugin_item *prev)
{
    const plugin *p = e->plugins;
    const plugin_item *it = NULL;
    if (prev) {
        /* find prev's plugin, continue after prev */
        for (; p; p = p->next) {
            for (it = p->items; it && it != prev; it = it->next)
                ;
            if (it)
                break;
        }
        if (!p)
            return NULL;
        it = prev->next;
    } else if (p) {
        it = p->items;
    }
    for (;;) {
        for (; it; it = it->next)
            if (it->kind == ITEM_MODULE)
                return it;
        if (!p || !(p = p->next))
            return NULL;
        it = p->items;
    }
}

/* ---- loading ------------------------------------------------------------------ */

int lode_plugin_load(lode_engine *e, const char *path)
{
    if (!e || !path || !*path)
        return e ? engine_error(e, LODE_EMISUSE, "lode_plugin_load: NULL or empty path") : LODE_EMISUSE;
    engine_clear_error(e);
    if (e->sandbox.enabled && !e->sandbox.allow_plugins)
        return engine_error(e, LODE_ESANDBOX, "%s: plugins are not loaded in the sandbox "
                            "(the host allows them with sandbox.allow_plugins)", path);
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return engine_error(e, LODE_EIO, "%s: cannot load the plugin: %s", path, why ? why : "dlopen failed");
    }
    const lode_plugin_info *info = dlsym(h, "lode_plugin");
    if (!info || !dlsym(h, "lode_plugin_init")) {
        dlclose(h);
        return engine_error(e, LODE_ERROR, "%s: not a lode plugin (it must define LODE_PLUGIN_DECLARE "
                            "and lode_plugin_init; see docs/plugins.md)", path);
    }
    if (info->abi != LODE_PLUGIN_ABI) {
        /* Read only the first field: the rest may be laid out otherwise. */
        unsigned abi = info->abi;
        char name[40] = "?";
        if (info->size == INFO_V1_SIZE && good_name(info->name))
            snprintf(name, sizeof name, "%s", info->name); /* before dlclose unmaps it */
        dlclose(h);
        return engine_error(e, LODE_ERROR, "%s: plugin '%s' was built for plugin ABI %u; this lode has "
                            "ABI %u: rebuild it against this lode's lode.h", path, name, abi,
                            (unsigned)LODE_PLUGIN_ABI);
    }
    if (info->size < INFO_V1_SIZE || !good_name(info->name)) {
        dlclose(h);
        return engine_error(e, LODE_ERROR, "%s: the plugin's lode_plugin declaration is damaged "
                            "(size %zu, name not [a-z0-9_-]{1,32})", path, info->size);
    }
    for (const plugin *q = e->plugins; q; q = q->next)
        if (strcmp(q->info->name, info->name) == 0) {
            dlclose(h); /* the first stays; dlopen counted this one */
            return LODE_OK;
        }
    lode_plugin_init_fn init;
    void *sym = dlsym(h, "lode_plugin_init");
    memcpy(&init, &sym, sizeof init); /* object to function pointer (POSIX guarantees it works) */

    plugin *p = mem_alloc(&e->mem, sizeof *p);
    if (!p) {
        dlclose(h);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", path);
    }
    memset(p, 0, sizeof *p);
    p->info = info;
    p->handle = h;
    p->path = mem_strdup(&e->mem, path);
    if (!p->path) {
        free_plugin(e, p);
        dlclose(h);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", path);
    }
    pending pd = {e, p, &p->items, 0};
    lode_registry reg = {
        .abi = LODE_PLUGIN_ABI,
        .size = sizeof(lode_registry),
        .engine = e,
        .internal = &pd,
        .api = &services,
        .add_reader = add_reader,
        .add_writer = add_writer,
        .add_sink = add_sink,
        .add_module = add_module,
    };
    char *msg = NULL;
    int rc = init(&reg, &msg);
    if (rc != 0 || pd.failed) {
        if (!pd.failed)
            engine_error(e, LODE_ERROR, "%s: plugin '%s' failed to initialise: %s", path, info->name,
                         msg && *msg ? msg : "no reason given");
        free(msg);
        free_plugin(e, p);
        /* Not dlclose-d: init may have left state in the libraries it
         * uses; the object stays mapped, unused. */
        return e->errcode ? e->errcode : LODE_ERROR;
    }
    free(msg);
    p->provides = describe(e, p);
    if (!p->provides || rebuild_formats(e, p) != LODE_OK) {
        free_plugin(e, p);
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", path);
    }
    plugin **tail = &e->plugins;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
    return LODE_OK;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every regular *.so of dir, in name order; failures are warnings. */
static int load_dir(lode_engine *e, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 4 || de->d_name[0] == '.' || strcmp(de->d_name + l - 3, ".so") != 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            char **g = mem_realloc(&e->mem, names, nc * sizeof *g);
            if (!g)
                break;
            names = g;
            cap = nc;
        }
        if (!(names[n] = mem_strdup(&e->mem, de->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_name);
    int loaded = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) < sizeof path &&
            stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            plugin *before = e->plugins;
            size_t count = 0;
            for (plugin *p = before; p; p = p->next)
                count++;
            if (lode_plugin_load(e, path) != LODE_OK) {
                engine_warn(e, "plugin skipped: %s", e->errmsg);
            } else {
                size_t after = 0;
                for (plugin *p = e->plugins; p; p = p->next)
                    after++;
                loaded |= after > count;
            }
        }
        mem_free(&e->mem, names[i]);
    }
    mem_free(&e->mem, names);
    return loaded;
}

int plugins_need(lode_engine *e)
{
    if (!e->plugin_path || e->plugin_path_loaded)
        return 0;
    e->plugin_path_loaded = 1;
    if (e->sandbox.enabled && !e->sandbox.allow_plugins)
        return 0;
    int code = e->errcode;
    char saved[ENGINE_ERRMSG_MAX];
    memcpy(saved, e->errmsg, sizeof saved);
    int loaded = 0;
    for (const char *p = e->plugin_path; *p;) {
        size_t k = strcspn(p, ":");
        if (k > 0 && k < 4096) {
            char dir[4096];
            memcpy(dir, p, k);
            dir[k] = '\0';
            loaded |= load_dir(e, dir);
        }
        p += k + (p[k] == ':');
    }
    e->errcode = code;
    memcpy(e->errmsg, saved, sizeof saved);
    return loaded;
}

int lode_plugin_load_path(lode_engine *e)
{
    if (!e)
        return LODE_EMISUSE;
    engine_clear_error(e);
    if (e->plugin_path && e->sandbox.enabled && !e->sandbox.allow_plugins)
        return engine_error(e, LODE_ESANDBOX, "plugins are not loaded in the sandbox "
                            "(the host allows them with sandbox.allow_plugins)");
    plugins_need(e);
    return LODE_OK;
}

const plugin_item *plugin_find_module(const lode_engine *e, const char *name)
{
    for (const plugin *p = e->plugins; p; p = p->next)
        for (const plugin_item *it = p->items; it; it = it->next)
            if (it->kind == ITEM_MODULE && strcmp(it->u.module.name, name) == 0)
                return it;
    return NULL;
}

int lode_plugin_at(const lode_engine *e, size_t i, lode_plugin_desc *desc)
{
    if (!e || !desc)
        return 0;
    const plugin *p = e->plugins;
    for (; p && i; p = p->next, i--)
        ;
    if (!p)
        return 0;
    desc->name = p->info->name;
    desc->version = p->info->version ? p->info->version : "";
    desc->summary = p->info->summary ? p->info->summary : "";
    desc->path = p->path;
    desc->provides = p->provides;
    return 1;
}

/* ---- sinks ---------------------------------------------------------------------- */

struct lode_sink {
    lode_engine *e;
    const lode_sink_class *cls;
    void *state;
};

static const lode_sink_class *sink_by_ext(const lode_engine *e, const char *path)
{
    if (!path)
        return NULL;
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot)
        return NULL;
    for (const plugin *p = e->plugins; p; p = p->next)
        for (const plugin_item *it = p->items; it; it = it->next)
            if (it->kind == ITEM_SINK && ext_in(dot, it->u.sink.extensions))
                return &it->u.sink;
    return NULL;
}

const char *lode_sink_detect(lode_engine *e, const char *path)
{
    if (!e)
        return NULL;
    const lode_sink_class *c = sink_by_ext(e, path);
    if (!c && plugins_need(e))
        c = sink_by_ext(e, path);
    return c ? c->name : NULL;
}

static const lode_sink_class *sink_by_name(const lode_engine *e, const char *name)
{
    for (const plugin *p = e->plugins; p; p = p->next)
        for (const plugin_item *it = p->items; it; it = it->next)
            if (it->kind == ITEM_SINK && strcmp(it->u.sink.name, name) == 0)
                return &it->u.sink;
    return NULL;
}

int lode_sink_open(lode_engine *e, const char *name, const char *path, const char *label, lode_sink **out)
{
    if (!e || !path || !out)
        return e ? engine_error(e, LODE_EMISUSE, "lode_sink_open: NULL argument") : LODE_EMISUSE;
    *out = NULL;
    engine_clear_error(e);
    const lode_sink_class *cls = NULL;
    if (name) {
        if (!(cls = sink_by_name(e, name)) && plugins_need(e))
            cls = sink_by_name(e, name);
        if (!cls)
            return engine_error(e, LODE_EFORMAT, "%s: no record sink named '%s' (is its plugin loaded?)", path,
                                name);
    } else if (!(cls = sink_by_ext(e, path)) && !(plugins_need(e) && (cls = sink_by_ext(e, path)))) {
        return engine_error(e, LODE_EFORMAT, "%s: no record sink for this file name's extension", path);
    }
    lode_sink *s = mem_alloc(&e->mem, sizeof *s);
    if (!s)
        return engine_error(e, LODE_ENOMEM, "%s: out of memory", path);
    s->e = e;
    s->cls = cls;
    s->state = NULL;
    int rc = cls->open(cls->ud, e, path, label ? label : "records", &s->state);
    if (rc != LODE_OK) {
        mem_free(&e->mem, s);
        if (e->errcode == LODE_OK)
            engine_error(e, rc, "%s: the %s sink cannot open it (%s)", path, cls->name, lode_strerror(rc));
        return rc;
    }
    *out = s;
    return LODE_OK;
}

int lode_sink_write(lode_sink *s, const char *json, size_t len)
{
    if (!s || !json)
        return s ? engine_error(s->e, LODE_EMISUSE, "lode_sink_write: NULL record") : LODE_EMISUSE;
    int rc = s->cls->write(s->state, s->e, json, len);
    if (rc != LODE_OK && s->e->errcode == LODE_OK)
        engine_error(s->e, rc, "the %s sink failed to take a record (%s)", s->cls->name, lode_strerror(rc));
    return rc;
}

int lode_sink_close(lode_sink *s, int commit)
{
    if (!s)
        return LODE_OK;
    lode_engine *e = s->e;
    int rc = s->cls->close(s->state, e, commit);
    if (rc != LODE_OK && e->errcode == LODE_OK)
        engine_error(e, rc, "the %s sink failed to %s (%s)", s->cls->name, commit ? "commit" : "roll back",
                     lode_strerror(rc));
    mem_free(&e->mem, s);
    return rc;
}
