/* cmd_check.c -- `lode check SCRIPT [--explain]`: load a rule script without
 * running it, validate every selector, list the rules in the order they run. */
#include <string.h>

#include <lauxlib.h>

#include "buf.h"
#include "cli.h"
#include "engine.h"
#include "rules.h"

void cmd_check_help(FILE *fp)
{
    fputs("Usage: lode check SCRIPT [--explain]\n"
          "\n"
          "Compiles the rule script, validates every selector and lists the rules in\n"
          "the order they run, with the line where each handler is defined.  Exit 0\n"
          "when the script is fine, 2 with the error (file:line) when it is not.\n"
          "\n"
          "Options:\n"
          "  -M, --module-path DIRS  extra folders (';'-separated) searched by require\n"
          "      --explain         also print each selector's compiled form\n"
          "      --sandbox         load the script as lode run --sandbox would\n"
          "  -h, --help            show this help\n",
          fp);
}

static const cli_opt check_opts[] = {
    {"explain", 0, 0}, {"module-path", 'M', 1}, {"help", 'h', 0}, {"sandbox", 0, 0},
    {"max-memory", 0, 1}, {"max-steps", 0, 1}, {"timeout", 0, 1}, CLI_PLUGIN_OPTS,     {NULL, 0, 0},
};

int cmd_check(cli *c, int argc, char **argv)
{
    const char *script = NULL, *modpath = NULL;
    int explain = 0;
    cli_args a = {argc, 1, argv, 0};
    const cli_opt *o;
    const char *v;
    int r;
    while ((r = cli_args_next(c, "check", &a, check_opts, &o, &v)) > 0) {
        if (!o) {
            if (script)
                return cli_usage_error(c, "check", "one SCRIPT at a time ('%s' is extra)", v);
            script = v;
        } else if ((r = cli_sandbox_option(c, "check", o->long_name, v)) != 0 ||
                   (r = cli_plugin_option(c, "check", o->long_name, v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
        } else if (!strcmp(o->long_name, "help")) {
            cmd_check_help(c->out);
            return EXIT_OK;
        } else if (!strcmp(o->long_name, "explain")) {
            explain = 1;
        } else if (!strcmp(o->long_name, "module-path")) {
            modpath = v;
        }
    }
    if (r < 0)
        return EXIT_USAGE;
    if (!script)
        return cli_usage_error(c, "check", "missing SCRIPT");
    lode_engine *e = cli_engine(c);
    if (!e)
        return c->engine_exit;
    char mpath[16384];
    cli_module_path(modpath, mpath, sizeof mpath);
    lode_rules_options ro = {mpath, NULL, NULL, NULL, NULL};
    lode_rules *rules = NULL;
    if (lode_rules_load(e, script, &ro, &rules) != LODE_OK) {
        cli_error(c, "%s", lode_errmsg(e));
        int code = lode_errcode(e) == LODE_EIO ? EXIT_DOCUMENT : EXIT_USAGE;
        lode_engine_free(e);
        return code;
    }
    size_t n = lode_rules_count(rules);
    fprintf(c->out, "%s: %zu rule%s", script, n, n == 1 ? "" : "s");
    const char *phases[] = {"begin", "document", "finish"};
    int any = 0;
    for (int i = 0; i < 3; i++)
        if (rules_has_phase(rules, phases[i]))
            fprintf(c->out, "%s%s", any++ ? ", " : "; phases: ", phases[i]);
    fputc('\n', c->out);
    buf b;
    buf_init(&b, &e->mem);
    for (size_t i = 0; i < n; i++) {
        const rule *ru = rules_at(rules, i);
        const char *kind = ru->enter_ref != LUA_NOREF && ru->leave_ref != LUA_NOREF ? "enter+leave" : ru->leave_ref != LUA_NOREF ? "leave" : "enter";
        if (ru->line)
            fprintf(c->out, "%4zu  %-40s line %-5d %s\n", i + 1, ru->src, ru->line, kind);
        else
            fprintf(c->out, "%4zu  %-40s %-10s %s\n", i + 1, ru->src, "", kind);
        if (explain) {
            buf_reset(&b);
            select_explain(ru->sel, &b);
            const char *p = b.ptr ? b.ptr : "";
            while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                fprintf(c->out, "        %.*s\n", (int)len, p);
                p = nl ? nl + 1 : p + len;
            }
        }
    }
    buf_free(&b);
    lode_rules_free(rules);
    lode_engine_free(e);
    return EXIT_OK;
}
