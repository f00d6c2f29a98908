/* cli.c -- the lode command: dispatch, help, version, diagnostics. */
#include "cli.h"
#include "allocator.h"
#include "harden.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/xmlversion.h>
#include <utf8proc.h>

void cli_error(cli *c, const char *fmt, ...)
{
    va_list ap;
    fputs("lode: ", c->err);
    va_start(ap, fmt);
    vfprintf(c->err, fmt, ap);
    va_end(ap);
    fputc('\n', c->err);
    fflush(c->err);
    c->said++;
}

int cli_usage_error(cli *c, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(c->err, "lode%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(c->err, fmt, ap);
    va_end(ap);
    fprintf(c->err, "\nTry 'lode %s%s--help' for more information.\n", cmd ? cmd : "", cmd ? " " : "");
    fflush(c->err);
    return EXIT_USAGE;
}

int cli_exit_for(int status)
{
    switch (status) {
    case LODE_OK: return EXIT_OK;
    case LODE_ENOMEM: return EXIT_NOMEM;
    case LODE_ESANDBOX: return EXIT_DOCUMENT;
    case LODE_EMISUSE: return EXIT_INTERNAL;
    default: return EXIT_DOCUMENT;
    }
}

static void on_log(void *ud, int level, const char *msg)
{
    cli *c = ud;
    if (c->quiet || cli_warned_before(c, msg))
        return;
    fprintf(c->err, "lode: %s%s\n", level == LODE_LOG_WARNING ? "warning: " : "", msg);
}

static char exe_dir[4096];
static pthread_once_t exe_dir_once = PTHREAD_ONCE_INIT;

static void read_exe_dir(void)
{
    ssize_t r = readlink("/proc/self/exe", exe_dir, sizeof exe_dir - 1);
    exe_dir[r > 0 ? r : 0] = '\0';
    char *slash = strrchr(exe_dir, '/');
    *(slash ? slash : exe_dir) = '\0';
}

const char *cli_exe_dir(void)
{
    pthread_once(&exe_dir_once, read_exe_dir);
    return exe_dir;
}

void cli_module_path(const char *extra, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    const char *env = getenv("LODE_PATH");
    const char *parts[2] = {extra, env};
    for (int i = 0; i < 2; i++) {
        if (parts[i] && *parts[i] && len + strlen(parts[i]) + 2 < n)
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ";" : "", parts[i]);
    }
    /* the plugin folders hold Lua plugins too (':'-separated) */
    const char *pp = getenv("LODE_PLUGIN_PATH");
    while (pp && *pp) {
        size_t k = strcspn(pp, ":");
        if (k && len + k + 2 < n)
            len += (size_t)snprintf(out + len, n - len, "%s%.*s", len ? ";" : "", (int)k, pp);
        pp += k + (pp[k] == ':');
    }
    const char *exe = cli_exe_dir();
    if (!*exe)
        return;
    /* bundled scripts, then Lua plugins (FOLDER/NAME/init.lua) */
    const char *tails[] = {"/../scripts", "/../../scripts", "/../share/lode/scripts",
                           "/../plugins", "/../../plugins", "/../share/lode/plugins"};
    for (int i = 0; i < 6; i++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s%s", exe, tails[i]);
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && len + strlen(dir) + 2 < n)
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ";" : "", dir);
    }
}

int cli_sandbox_option(cli *c, const char *cmd, const char *name, const char *value)
{
    if (!strcmp(name, "sandbox")) {
        c->sandbox.enabled = 1;
        return 1;
    }
    if (strcmp(name, "max-memory") && strcmp(name, "max-steps") && strcmp(name, "timeout"))
        return 0;
    char *end;
    unsigned long long v = strtoull(value, &end, 10);
    if (!*value || *end || v == 0) {
        cli_usage_error(c, cmd, "--%s needs a positive whole number, not '%s'", name, value);
        return -1;
    }
    c->sandbox.enabled = 1; /* a limit implies the sandbox */
    if (!strcmp(name, "max-memory"))
        c->sandbox.max_memory = (size_t)v << 20;
    else if (!strcmp(name, "max-steps"))
        c->sandbox.max_steps = v;
    else
        c->sandbox.timeout_ms = (unsigned long)v;
    return 1;
}

lode_engine *cli_engine(cli *c)
{
    return cli_engine_log(c, on_log, c);
}

lode_engine *cli_engine_log(cli *c, lode_log_fn log, void *log_ud)
{
    lode_options o;
    lode_options_init(&o);
    o.log = log;
    o.log_ud = log_ud;
    if (c->sandbox.enabled) {
        o.sandbox.enabled = 1;
        if (c->sandbox.max_memory)
            o.sandbox.max_memory = c->sandbox.max_memory;
        if (c->sandbox.max_steps)
            o.sandbox.max_steps = c->sandbox.max_steps;
        if (c->sandbox.timeout_ms)
            o.sandbox.timeout_ms = c->sandbox.timeout_ms;
    }
    if (c->allow_plugins_flag)
        o.sandbox.allow_plugins = 1;
    o.plugin_path = cli_plugin_path(c);
    lode_engine *e = lode_engine_new(&o);
    if (!e) {
        cli_error(c, "out of memory");
        c->engine_exit = EXIT_NOMEM;
        return NULL;
    }
    if (cli_load_plugins(c, e) != 0) {
        lode_engine_free(e);
        c->engine_exit = EXIT_USAGE;
        return NULL;
    }
    return e;
}

int cli_args_next(cli *c, const char *cmd, cli_args *a, const cli_opt *opts, const cli_opt **opt,
                  const char **value)
{
    *opt = NULL;
    *value = NULL;
    if (a->i >= a->argc)
        return 0;
    char *arg = a->argv[a->i++];
    if (a->only_positionals || arg[0] != '-' || strcmp(arg, "-") == 0) {
        *value = arg;
        return 1;
    }
    if (strcmp(arg, "--") == 0) {
        a->only_positionals = 1;
        return cli_args_next(c, cmd, a, opts, opt, value);
    }
    const char *inline_val = NULL;
    const cli_opt *o = NULL;
    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        for (const cli_opt *p = opts; p->long_name; p++)
            if (strlen(p->long_name) == n && strncmp(p->long_name, name, n) == 0)
                o = p;
        if (!o) {
            cli_usage_error(c, cmd, "unknown option '%.*s'", (int)(n + 2), arg);
            return -1;
        }
        if (eq) {
            if (!o->takes_value) {
                cli_usage_error(c, cmd, "option '--%s' takes no value", o->long_name);
                return -1;
            }
            inline_val = eq + 1;
        }
    } else {
        for (const cli_opt *p = opts; p->long_name; p++)
            if (p->short_name && p->short_name == arg[1])
                o = p;
        if (!o) {
            cli_usage_error(c, cmd, "unknown option '-%c'", arg[1]);
            return -1;
        }
        if (arg[2]) {
            if (!o->takes_value) {
                cli_usage_error(c, cmd, "option '-%c' takes no value (write options separately)", arg[1]);
                return -1;
            }
            inline_val = arg + 2;
        }
    }
    *opt = o;
    if (o->takes_value) {
        if (inline_val) {
            *value = inline_val;
        } else if (a->i < a->argc) {
            *value = a->argv[a->i++];
        } else {
            cli_usage_error(c, cmd, "option '--%s' needs a value", o->long_name);
            return -1;
        }
    }
    return 1;
}

static void main_help(FILE *fp)
{
    fputs("Usage: lode COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "lode loads documents (XML, HTML, plain-text articles, lode JSON trees) into one\n"
          "tree, runs Lua rule scripts over it, and writes it out again as XML, HTML,\n"
          "plain text, Markdown or JSON.\n"
          "\n"
          "Commands:\n"
          "  convert INPUT -t FORMAT   convert a document to another format\n"
          "  run SCRIPT INPUT...       run a Lua rule script over documents\n"
          "  query SELECTOR INPUT...   print what a CSS selector (or --xpath) finds\n"
          "  check SCRIPT              compile a rule script and list its rules\n"
          "  merge SCRIPT PARTIAL...   merge partial reports of sharded runs, run finish()\n"
          "  plugins                   list the plugins found and what each provides\n"
          "  help [COMMAND]            show help for lode or for a command\n"
          "\n"
          "Options:\n"
          "  -h, --help                show this help\n"
          "  -V, --version             show the version of lode and its libraries\n"
          "\n"
          "Exit status: 0 ok, 1 document error, 2 usage error, 3 output error,\n"
          "4 out of memory, 5 internal error.  Manual: docs/cli.md, man lode.\n",
          fp);
}

static int version(cli *c)
{
    char alloc[96];
    fprintf(c->out, "lode %s\nlibxml2 %s, utf8proc %s, jansson %s\nallocator: %s\n", lode_version(),
            LIBXML_DOTTED_VERSION, utf8proc_version(), JANSSON_VERSION, cli_allocator(alloc, sizeof alloc));
    return EXIT_OK;
}

static int help(cli *c, const char *topic)
{
    if (!topic) {
        main_help(c->out);
        return EXIT_OK;
    }
    static const struct {
        const char *name;
        void (*help)(FILE *);
    } topics[] = {{"convert", cmd_convert_help}, {"run", cmd_run_help}, {"query", cmd_query_help},
                  {"check", cmd_check_help}, {"merge", cmd_merge_help}, {"plugins", cmd_plugins_help}};
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        if (strcmp(topic, topics[i].name) == 0) {
            topics[i].help(c->out);
            return EXIT_OK;
        }
    }
    if (strcmp(topic, "help") == 0) {
        fputs("Usage: lode help [COMMAND]\n\nShows the help of lode or of COMMAND.\n", c->out);
        return EXIT_OK;
    }
    return cli_usage_error(c, NULL, "no help for '%s': not a command", topic);
}

static int run_main(int argc, char **argv, FILE *out, FILE *err, int exits)
{
    cli c;
    memset(&c, 0, sizeof c);
    c.out = out;
    c.err = err;
    c.exits = exits;
    if (argc < 2) {
        main_help(err);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    int rc;
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
        rc = help(&c, NULL);
    else if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0)
        rc = version(&c);
    else if (strcmp(cmd, "help") == 0)
        rc = argc > 3 ? cli_usage_error(&c, "help", "too many arguments") : help(&c, argc > 2 ? argv[2] : NULL);
    else if (strcmp(cmd, "convert") == 0)
        rc = cmd_convert(&c, argc - 1, argv + 1);
    else if (strcmp(cmd, "run") == 0)
        rc = cmd_run(&c, argc - 1, argv + 1);
    else if (strcmp(cmd, "query") == 0)
        rc = cmd_query(&c, argc - 1, argv + 1);
    else if (strcmp(cmd, "check") == 0)
        rc = cmd_check(&c, argc - 1, argv + 1);
    else if (strcmp(cmd, "merge") == 0)
        rc = cmd_merge(&c, argc - 1, argv + 1);
    else if (strcmp(cmd, "plugins") == 0)
        rc = cmd_plugins(&c, argc - 1, argv + 1);
    else if (cmd[0] == '-')
        rc = cli_usage_error(&c, NULL, "unknown option '%s'", cmd);
    else
        rc = cli_usage_error(&c, NULL, "'%s' is not a lode command", cmd);
    /* many allocation failures return EXIT_NOMEM at once: say it once */
    if (rc == EXIT_NOMEM && !c.said)
        cli_error(&c, "out of memory");
    cli_plugins_free(&c);
    if (fflush(out) != 0 && rc == EXIT_OK) {
        fputs("lode: cannot write to standard output\n", err);
        rc = EXIT_OUTPUT;
    }
    return rc;
}

int cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    return run_main(argc, argv, out, err, 0);
}

int cli_main_exits(int argc, char **argv, FILE *out, FILE *err)
{
    cli_harden_libxml(); /* the process is ours */
    cli_watch_json_alloc();
    return run_main(argc, argv, out, err, 1);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CHECKED_BUILD 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CHECKED_BUILD 1
#endif

void cli_drop(cli *c, lode_doc *doc)
{
#ifndef CHECKED_BUILD
    static lode_doc *kept; /* reachable until exit: not a leak */
    const char *v = getenv("LODE_FREE_AT_EXIT");
    if (doc && c->exits && !kept && !(v && *v && strcmp(v, "0") != 0)) {
        kept = doc;
        return;
    }
#else
    (void)c;
#endif
    lode_doc_free(doc);
}
