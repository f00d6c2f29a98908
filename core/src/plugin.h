/* plugin.h -- plugins: shared objects that add readers, writers, record
 * sinks and Lua modules to one engine (lode_plugin_load, lode.h).
 *
 * A plugin's registrations are copied into items owned by the engine; the
 * format registry (engine->formats) then points into them.  The shared
 * object itself is never unloaded: the strings and callbacks the items
 * borrow live in it, and it may have registered state with the libraries
 * it uses. */
#ifndef LODE_PLUGIN_H
#define LODE_PLUGIN_H

#include "engine.h"

/* One registration of a plugin. */
typedef struct plugin_item {
    struct plugin_item *next;
    enum { ITEM_READER, ITEM_WRITER, ITEM_SINK, ITEM_MODULE } kind;
    union {
        lode_reader reader;
        lode_writer writer;
        lode_sink_class sink;
        lode_host_module module;
    } u;
} plugin_item;

typedef struct plugin {
    struct plugin *next;
    char *path;
    const lode_plugin_info *info;
    void *handle;        /* from dlopen; kept open */
    plugin_item *items;  /* in registration order */
    char *provides;      /* lode_plugin_desc.provides */
} plugin;

/* Frees the engine's plugin records and its own format array (the shared
 * objects stay loaded). */
void plugins_free(lode_engine *e);

/* Loads the plugins of the engine's plugin path if that has not been done
 * (and the sandbox allows it): called when a lookup misses.  Returns 1 if
 * it loaded something, so the caller looks again; 0 otherwise.  Keeps the
 * engine's last error as it was. */
int plugins_need(lode_engine *e);

/* The item of the plugin module called name, or NULL. */
const plugin_item *plugin_find_module(const lode_engine *e, const char *name);

/* Iterates the Lua modules of the engine's plugins: pass NULL first, then
 * the previous item; returns NULL after the last. */
const plugin_item *plugin_next_module(const lode_engine *e, const plugin_item *prev);

#endif
