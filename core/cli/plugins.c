/* plugins.c -- the command line's plugins: --plugin/--no-plugins/
 * --allow-plugins, the plugin folders, and `lode plugins`. */
#include "cli.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LODE_PLUGIN_DIR_REL
/* The installed plugin folder relative to the executable's (PREFIX/bin). */
#define LODE_PLUGIN_DIR_REL "/../lib/lode/plugins"
#endif

static int add_path(char ***list, size_t *n, const char *path)
{
    char **l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l)
        return -1;
    *list = l;
    if (!(l[*n] = strdup(path)))
        return -1;
    (*n)++;
    return 0;
}

int cli_plugin_option(cli *c, const char *cmd, const char *name, const char *value)
{
    if (!strcmp(name, "plugin")) {
        if (!*value) {
            cli_usage_error(c, cmd, "--plugin needs the path of a plugin (.so)");
            return -1;
        }
        /* "csv.so" means the file here, not a library on the dynamic
         * linker's search path (which is what dlopen would look for) */
        char here[4096];
        struct stat st;
        if (!strchr(value, '/') && stat(value, &st) == 0 &&
            (size_t)snprintf(here, sizeof here, "./%s", value) < sizeof here)
            value = here;
        if (add_path(&c->plugins, &c->nplugins, value) < 0) {
            cli_error(c, "out of memory");
            return -1;
        }
        return 1;
    }
    if (!strcmp(name, "no-plugins")) {
        c->no_plugins = 1;
        return 1;
    }
    if (!strcmp(name, "allow-plugins")) {
        c->allow_plugins_flag = 1;
        return 1;
    }
    return 0;
}

const char *cli_plugin_path(cli *c)
{
    if (c->plugin_path_made)
        return c->plugin_path;
    c->plugin_path_made = 1;
    if (c->no_plugins)
        return NULL;
    char path[16384];
    size_t len = 0;
    path[0] = '\0';
    const char *env = getenv("LODE_PLUGIN_PATH");
    if (env && *env && strlen(env) < sizeof path / 2)
        len = (size_t)snprintf(path, sizeof path, "%s", env);
    const char *exe = cli_exe_dir();
    if (*exe) {
        const char *tails[] = {"/plugins", LODE_PLUGIN_DIR_REL};
        for (int i = 0; i < 2; i++) {
            char dir[4200];
            struct stat st;
            snprintf(dir, sizeof dir, "%s%s", exe, tails[i]);
            if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && len + strlen(dir) + 2 < sizeof path)
                len += (size_t)snprintf(path + len, sizeof path - len, "%s%s", len ? ":" : "", dir);
        }
    }
    c->plugin_path = len ? strdup(path) : NULL;
    return c->plugin_path;
}

int cli_load_plugins(cli *c, lode_engine *e)
{
    if (c->sandbox.enabled && !c->allow_plugins_flag && c->nplugins) {
        cli_error(c, "%s: plugins are not loaded under --sandbox (add --allow-plugins to allow them)",
                  c->plugins[0]);
        return -1;
    }
    for (size_t i = 0; i < c->nplugins; i++) {
        if (lode_plugin_load(e, c->plugins[i]) != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(e));
            return -1;
        }
    }
    return 0;
}

static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;

int cli_warned_before(cli *c, const char *msg)
{
    if (strncmp(msg, "plugin skipped: ", 16) != 0)
        return 0;
    int seen = 0;
    pthread_mutex_lock(&warned_lock);
    for (size_t i = 0; i < c->nwarned && !seen; i++)
        seen = strcmp(c->warned[i], msg) == 0;
    if (!seen)
        add_path(&c->warned, &c->nwarned, msg);
    pthread_mutex_unlock(&warned_lock);
    return seen;
}

void cli_plugins_free(cli *c)
{
    for (size_t i = 0; i < c->nplugins; i++)
        free(c->plugins[i]);
    free(c->plugins);
    for (size_t i = 0; i < c->nwarned; i++)
        free(c->warned[i]);
    free(c->warned);
    free(c->plugin_path);
    c->plugins = c->warned = NULL;
    c->plugin_path = NULL;
    c->nplugins = c->nwarned = 0;
}

void cmd_plugins_help(FILE *fp)
{
    fputs("Usage: lode plugins [--plugin PATH]... [--no-plugins]\n"
          "\n"
          "Lists the plugins lode loads and what each provides (readers, writers,\n"
          "record sinks, Lua modules), then every format with what it can do.\n"
          "\n"
          "Plugins are loaded from --plugin PATH (an error if one fails), and from every\n"
          "*.so in the folders of $LODE_PLUGIN_PATH (':'-separated) and in the plugin\n"
          "folder of this lode (build/plugins in the source tree, PREFIX/lib/lode/plugins\n"
          "when installed) when a command first needs one (a format, extension, sink or\n"
          "Lua module that nothing loaded provides); those that fail to load are skipped\n"
          "with a warning.\n"
          "\n"
          "Options (also accepted by convert, run, query, check and merge):\n"
          "  --plugin PATH      load this plugin too (repeatable)\n"
          "  --no-plugins       load only the --plugin ones, not the plugin folders'\n"
          "  --allow-plugins    load plugins even under --sandbox (they are native code)\n"
          "  -h, --help         show this help\n",
          fp);
}

int cmd_plugins(cli *c, int argc, char **argv)
{
    static const cli_opt opts[] = {CLI_PLUGIN_OPTS, {"help", 'h', 0}, {NULL, 0, 0}};
    cli_args a = {argc, 1, argv, 0};
    const cli_opt *o;
    const char *v;
    int r;
    while ((r = cli_args_next(c, "plugins", &a, opts, &o, &v)) > 0) {
        if (!o)
            return cli_usage_error(c, "plugins", "unexpected argument '%s'", v);
        if (!strcmp(o->long_name, "help")) {
            cmd_plugins_help(c->out);
            return EXIT_OK;
        }
        if (cli_plugin_option(c, "plugins", o->long_name, v) < 0)
            return EXIT_USAGE;
    }
    if (r < 0)
        return EXIT_USAGE;
    lode_engine *e = cli_engine(c);
    if (!e)
        return c->engine_exit;
    lode_plugin_load_path(e);
    lode_plugin_desc d;
    size_t i = 0;
    for (; lode_plugin_at(e, i, &d); i++) {
        fprintf(c->out, "%s %s  %s\n  %s\n", d.name, d.version, d.summary, d.path);
        for (const char *p = d.provides; *p;) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            fprintf(c->out, "  provides %.*s\n", (int)n, p);
            p += n + (nl ? 1 : 0);
        }
    }
    if (i == 0)
        fputs("no plugins loaded\n", c->out);
    fputs("\nformats:\n", c->out);
    unsigned caps;
    const char *name;
    for (size_t k = 0; (name = lode_format_at(e, k, &caps)); k++)
        fprintf(c->out, "  %-12s %s%s\n", name, caps & LODE_FORMAT_READ ? "read " : "",
                caps & LODE_FORMAT_WRITE ? "write" : "");
    lode_engine_free(e);
    return EXIT_OK;
}
