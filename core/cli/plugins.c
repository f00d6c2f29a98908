/* plugins.c -- the command line's plugins: --plugin/--no-plugins/
 * --allow-plugins, the plugin folders, and `lode plugins`. */
#include "cli.h"

#include <dirent.h>
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds every regular *.so file of dir, sorted by name. */
static void scan_dir(cli *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 4 || strcmp(de->d_name + l - 3, ".so") != 0 || de->d_name[0] == '.')
            continue;
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path)
            continue;
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (add_path(&names, &n, path) < 0)
            break;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (add_path(&c->found, &c->nfound, names[i]) < 0)
            break;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Fills c->found from $LODE_PLUGIN_PATH and the folder next to the
 * executable, once. */
static void scan(cli *c)
{
    if (c->scanned)
        return;
    c->scanned = 1;
    const char *env = getenv("LODE_PLUGIN_PATH");
    if (env && *env) {
        char *copy = strdup(env);
        for (char *save = NULL, *tok = copy ? strtok_r(copy, ":", &save) : NULL; tok;
             tok = strtok_r(NULL, ":", &save))
            scan_dir(c, tok);
        free(copy);
    }
    char exe[4096];
    ssize_t r = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (r <= 0)
        return;
    exe[r] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    const char *tails[] = {"/plugins", LODE_PLUGIN_DIR_REL};
    for (int i = 0; i < 2; i++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s%s", exe, tails[i]);
        scan_dir(c, dir);
    }
}

int cli_load_plugins(cli *c, lode_engine *e)
{
    if (c->sandbox.enabled && !c->allow_plugins_flag) {
        if (c->nplugins) {
            cli_error(c, "%s: plugins are not loaded under --sandbox (add --allow-plugins to allow them)",
                      c->plugins[0]);
            return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < c->nplugins; i++) {
        if (lode_plugin_load(e, c->plugins[i]) != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(e));
            return -1;
        }
    }
    if (c->no_plugins)
        return 0;
    scan(c);
    for (size_t i = 0; i < c->nfound; i++) {
        if (lode_plugin_load(e, c->found[i]) != LODE_OK && !c->engines_made && !c->quiet)
            fprintf(c->err, "lode: warning: plugin skipped: %s\n", lode_errmsg(e));
    }
    return 0;
}

void cli_plugins_free(cli *c)
{
    for (size_t i = 0; i < c->nplugins; i++)
        free(c->plugins[i]);
    free(c->plugins);
    for (size_t i = 0; i < c->nfound; i++)
        free(c->found[i]);
    free(c->found);
    c->plugins = c->found = NULL;
    c->nplugins = c->nfound = 0;
}

void cmd_plugins_help(FILE *fp)
{
    fputs("Usage: lode plugins [--plugin PATH]... [--no-plugins]\n"
          "\n"
          "Lists the plugins lode loads and what each provides (readers, writers,\n"
          "record sinks, Lua modules), then every format with what it can do.\n"
          "\n"
          "Plugins are loaded from --plugin PATH (an error if one fails), then from every\n"
          "*.so in the folders of $LODE_PLUGIN_PATH (':'-separated) and in the plugin\n"
          "folder of this lode (build/plugins in the source tree, PREFIX/lib/lode/plugins\n"
          "when installed); those that fail to load are skipped with a warning.\n"
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
