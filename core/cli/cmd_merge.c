/* cmd_merge.c -- `lode merge SCRIPT PARTIAL... --report FILE`: merges the
 * partial reports of runs over shards of a corpus (lode run --partial) and
 * runs the script's finish() on the whole, as one run would have. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "harden.h"
#include "report.h"

void cmd_merge_help(FILE *fp)
{
    fputs("Usage: lode merge SCRIPT PARTIAL... [OPTIONS]\n"
          "\n"
          "Merges partial reports written by `lode run SCRIPT ... --partial FILE` (one\n"
          "JSON object a line; a file may hold many, - reads standard input), runs\n"
          "SCRIPT's finish() on the merged report and writes it.  Merging is exact and\n"
          "in any order: 4 shards merged give the report of one run over all inputs.\n"
          "\n"
          "Options:\n"
          "  -r, --report FILE     the merged report: .json, .csv, .txt or .html\n"
          "      --partial FILE    write the merged state as a partial again (for merging\n"
          "                        in stages; finish() is not run), - for standard output\n"
          "  -M, --module-path DIRS  extra folders (';'-separated) searched by require\n"
          "  -q, --quiet           no warnings\n"
          "  -h, --help            show this help\n"
          "\n"
          "Examples:\n"
          "  lode merge report.lua part-*.json --report report.html\n"
          "  cat parts/*.json | lode merge report.lua - --report report.txt\n",
          fp);
}

static const cli_opt merge_opts[] = {
    {"report", 'r', 1}, {"partial", 0, 1}, {"module-path", 'M', 1}, {"quiet", 'q', 0}, {"help", 'h', 0},
    CLI_PLUGIN_OPTS,    {NULL, 0, 0},
};

/* Reads a whole partial file ("-": stdin) into a malloc'd buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    while (p) {
        if (n == cap) {
            char *q = cap < ((size_t)1 << 32) ? realloc(p, cap * 2) : NULL;
            if (!q) {
                free(p);
                p = NULL;
                errno = ENOMEM;
                break;
            }
            p = q;
            cap *= 2;
        }
        size_t got = fread(p + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp)) {
                free(p);
                p = NULL;
            }
            break;
        }
    }
    int e = errno;
    if (fp != stdin)
        fclose(fp);
    errno = e;
    *len = n;
    return p;
}

int cmd_merge(cli *c, int argc, char **argv)
{
    const char *script = NULL, *report = NULL, *partial = NULL, *modpath = NULL;
    cli_args a = {argc, 1, argv, 0};
    const cli_opt *o;
    const char *v;
    int r;
    char **parts = calloc((size_t)argc + 1, sizeof *parts);
    size_t nparts = 0;
    if (!parts)
        return EXIT_NOMEM;
    while ((r = cli_args_next(c, "merge", &a, merge_opts, &o, &v)) > 0) {
        if (!o) {
            if (!script)
                script = v;
            else
                parts[nparts++] = (char *)v;
            continue;
        }
        const char *n = o->long_name;
        int pl = cli_plugin_option(c, "merge", n, v);
        if (pl < 0) {
            free(parts);
            return EXIT_USAGE;
        }
        if (pl)
            continue;
        if (!strcmp(n, "help")) {
            cmd_merge_help(c->out);
            free(parts);
            return EXIT_OK;
        }
        if (!strcmp(n, "report")) report = v;
        else if (!strcmp(n, "partial")) partial = v;
        else if (!strcmp(n, "module-path")) modpath = v;
        else if (!strcmp(n, "quiet")) c->quiet = 1;
    }
    int status = EXIT_OK;
    if (r < 0)
        status = EXIT_USAGE;
    else if (!script)
        status = cli_usage_error(c, "merge", "missing SCRIPT (the rule script the partials came from)");
    else if (!nparts)
        status = cli_usage_error(c, "merge", "missing PARTIAL (files written by lode run --partial)");
    else if (!report && !partial)
        status = cli_usage_error(c, "merge", "say where the result goes: --report FILE or --partial FILE");
    else if (report && partial)
        status = cli_usage_error(c, "merge", "--report and --partial exclude each other");
    else if (report && !report_format_for(report))
        status = cli_usage_error(c, "merge", "--report %s: the name must end in .json, .csv, .txt or .html", report);
    if (status != EXIT_OK) {
        free(parts);
        return status;
    }
    lode_engine *e = cli_engine(c);
    if (!e) {
        free(parts);
        return c->engine_exit;
    }
    char mpath[16384];
    cli_module_path(modpath, mpath, sizeof mpath);
    lode_rules_options ro = {mpath, NULL, NULL, NULL, NULL};
    lode_rules *rules = NULL;
    if (lode_rules_load(e, script, &ro, &rules) != LODE_OK) {
        cli_error(c, "%s", lode_errmsg(e));
        status = lode_errcode(e) == LODE_EIO ? EXIT_DOCUMENT : EXIT_USAGE;
        lode_engine_free(e);
        free(parts);
        return status;
    }
    lode_report *rep = lode_rules_report(rules);
    for (size_t i = 0; i < nparts && status == EXIT_OK; i++) {
        const char *name = strcmp(parts[i], "-") ? parts[i] : "<stdin>";
        size_t len;
        char *data = slurp(parts[i], &len);
        if (!data) {
            cli_error(c, "%s: %s", name, strerror(errno));
            status = errno == ENOMEM ? EXIT_NOMEM : EXIT_DOCUMENT;
        } else {
            cli_json_watch_start();
            if (lode_report_read(rep, data, len, name) != LODE_OK) {
                cli_error(c, "%s", lode_errmsg(e));
                status = lode_errcode(e) == LODE_ENOMEM ? EXIT_NOMEM : EXIT_DOCUMENT;
            } else if (cli_json_watch_lost()) {
                cli_error(c, "%s: out of memory", name);
                status = EXIT_NOMEM;
            }
        }
        free(data);
    }
    const char *slash = strrchr(script, '/');
    const char *title = slash ? slash + 1 : script;
    if (status == EXIT_OK && partial) {
        if (!strcmp(partial, "-")) {
            char *out;
            size_t len;
            if (lode_report_write_buffer(rep, "partial", title, &out, &len) != LODE_OK) {
                cli_error(c, "%s", lode_errmsg(e));
                status = EXIT_NOMEM;
            } else {
                if (fwrite(out, 1, len, c->out) != len)
                    status = EXIT_OUTPUT;
                lode_free(e, out);
            }
        } else if (lode_report_save(rep, "partial", title, partial) != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(e));
            status = EXIT_OUTPUT;
        }
    } else if (status == EXIT_OK) {
        if (lode_rules_finish(rules) != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(e));
            status = EXIT_DOCUMENT;
        }
        /* finish() failing still leaves a merged report worth writing */
        if (lode_report_save(rep, NULL, title, report) != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(e));
            status = EXIT_OUTPUT;
        }
    }
    lode_rules_free(rules);
    lode_engine_free(e);
    free(parts);
    return status;
}
