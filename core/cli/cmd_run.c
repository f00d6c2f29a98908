/* cmd_run.c -- `lode run SCRIPT INPUT...`: run a rule script over documents. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "inputs.h"
#include "rules.h"
#include "sinks.h"

void cmd_run_help(FILE *fp)
{
    fputs("Usage: lode run SCRIPT INPUT... [OPTIONS]\n"
          "\n"
          "Runs the Lua rule script SCRIPT over each input document: files, folders\n"
          "(every .xml .xhtml .html .htm .txt .text .json file below them, in sorted\n"
          "order) or - for standard input.  Records the script emits (ctx:emit) go to\n"
          "standard output as JSON Lines, or to -o FILE.  A document whose rules fail\n"
          "is reported and skipped (its records are dropped, none half-written); the\n"
          "run goes on and exits 1 at the end with a summary.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE     records to FILE: .jsonl/.json (JSON Lines), .csv, .tsv\n"
          "                        (columns: every key, in first-seen order)\n"
          "  -w, --write DIR       write each document after the rules ran under DIR,\n"
          "                        mirroring the input paths\n"
          "  -t, --to FORMAT       format for --write: xml, html, text, markdown, json\n"
          "                        (default: html for text input, else the input format)\n"
          "  -f, --from FORMAT     input format (default: by extension, else sniffed)\n"
          "  -M, --module-path DIRS  extra folders (';'-separated) searched by require\n"
          "      --keep-going      go on after a failed document (the default)\n"
          "      --fail-fast       stop at the first failed document\n"
          "      --profile         print per-rule calls and time at the end\n"
          "      --sandbox         run the script in the sandbox: no files, no os, no\n"
          "                        io, limits per document (see docs/lua-api.md)\n"
          "      --max-memory MB   sandbox: Lua memory cap (default 64)\n"
          "      --max-steps N     sandbox: instructions per document (default 100000000)\n"
          "      --timeout MS      sandbox: wall-clock time per document (default 5000)\n"
          "  -q, --quiet           no warnings\n"
          "  -h, --help            show this help\n"
          "\n"
          "Examples:\n"
          "  lode run examples/rules/quotes.lua examples/documents/putin-kim-wladiwostok.txt\n"
          "  lode run rules.lua corpus/ -o records.csv\n"
          "  lode run examples/rules/captions.lua article.txt --write out/ -t html\n",
          fp);
}

static const cli_opt run_opts[] = {
    {"output", 'o', 1}, {"write", 'w', 1},   {"to", 't', 1},         {"from", 'f', 1},
    {"module-path", 'M', 1}, {"keep-going", 0, 0}, {"fail-fast", 0, 0}, {"profile", 0, 0},
    {"quiet", 'q', 0},  {"help", 'h', 0},    {"sandbox", 0, 0},      {"max-memory", 0, 1},
    {"max-steps", 0, 1}, {"timeout", 0, 1},  {NULL, 0, 0},
};

typedef struct run_state {
    cli *c;
    sink *sink;
    int sink_failed;
} run_state;

static int on_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    (void)doc;
    run_state *rs = ud;
    if (sink_record(rs->sink, json, len) < 0) {
        rs->sink_failed = 1;
        return -1;
    }
    return 0;
}

static const char *ext_for(const char *fmt)
{
    if (!strcmp(fmt, "markdown"))
        return ".md";
    if (!strcmp(fmt, "text"))
        return ".txt";
    if (!strcmp(fmt, "html"))
        return ".html";
    if (!strcmp(fmt, "json"))
        return ".json";
    return ".xml";
}

/* mkdir -p for the folders of path. */
static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0777);
        int e = errno;
        *p = '/';
        if (rc < 0 && e != EEXIST)
            return -1;
    }
    return 0;
}

/* Writes doc under dir at rel with the extension of fmt. */
static int write_doc(cli *c, lode_engine *e, lode_doc *doc, const char *dir, const char *rel, const char *fmt)
{
    const char *f = fmt;
    if (!f)
        f = !strcmp(lode_doc_format(doc), "text") ? "html" : lode_doc_format(doc);
    size_t n = strlen(dir) + strlen(rel) + 16;
    char *path = malloc(n);
    if (!path)
        return EXIT_NOMEM;
    const char *slash = strrchr(rel, '/');
    const char *dot = strrchr(slash ? slash + 1 : rel, '.');
    size_t stem = dot ? (size_t)(dot - rel) : strlen(rel);
    snprintf(path, n, "%s/%.*s%s", dir, (int)stem, rel, ext_for(f));
    int rc = EXIT_OK;
    if (make_parents(path) < 0) {
        cli_error(c, "%s: cannot create its folder: %s", path, strerror(errno));
        rc = EXIT_OUTPUT;
    } else {
        lode_write_options wo = {f, 0};
        if (lode_doc_save(e, doc, &wo, path) != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(e));
            rc = EXIT_OUTPUT;
        }
    }
    free(path);
    return rc;
}

static void print_profile(cli *c, lode_rules *r)
{
    double total = rules_walk_seconds(r);
    fprintf(c->err, "lode: profile (%.3f s in the rules' walks)\n", total);
    fprintf(c->err, "  %-4s %-40s %10s %12s %12s %7s\n", "#", "rule", "calls", "total ms", "mean us", "share");
    for (size_t i = 0; i < lode_rules_count(r); i++) {
        const rule *ru = rules_at(r, i);
        double ms = ru->seconds * 1e3;
        fprintf(c->err, "  %-4zu %-40.40s %10ld %12.3f %12.3f %6.1f%%\n", i + 1, ru->src, ru->calls, ms,
                ru->calls ? ru->seconds * 1e6 / (double)ru->calls : 0.0, total > 0 ? 100.0 * ru->seconds / total : 0.0);
    }
}

/* First line of msg, for the summary. */
static void first_line(const char *msg, char *out, size_t n)
{
    size_t len = strcspn(msg, "\n");
    if (len >= n)
        len = n - 1;
    memcpy(out, msg, len);
    out[len] = '\0';
}

int cmd_run(cli *c, int argc, char **argv)
{
    const char *script = NULL, *output = NULL, *write_dir = NULL, *to = NULL, *from = NULL, *modpath = NULL;
    int fail_fast = 0, profile = 0;
    cli_args a = {argc, 1, argv, 0};
    const cli_opt *o;
    const char *v;
    int r;
    inputs in = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    size_t nargs = 0;
    if (!args)
        return EXIT_NOMEM;
    while ((r = cli_args_next(c, "run", &a, run_opts, &o, &v)) > 0) {
        if (!o) {
            if (!script)
                script = v;
            else
                args[nargs++] = (char *)v;
            continue;
        }
        const char *n = o->long_name;
        int sb = cli_sandbox_option(c, "run", n, v);
        if (sb < 0) {
            free(args);
            return EXIT_USAGE;
        }
        if (sb)
            continue;
        if (!strcmp(n, "help")) {
            cmd_run_help(c->out);
            free(args);
            return EXIT_OK;
        }
        if (!strcmp(n, "output")) output = v;
        else if (!strcmp(n, "write")) write_dir = v;
        else if (!strcmp(n, "to")) to = v;
        else if (!strcmp(n, "from")) from = v;
        else if (!strcmp(n, "module-path")) modpath = v;
        else if (!strcmp(n, "fail-fast")) fail_fast = 1;
        else if (!strcmp(n, "keep-going")) fail_fast = 0;
        else if (!strcmp(n, "profile")) profile = 1;
        else if (!strcmp(n, "quiet")) c->quiet = 1;
    }
    int status = EXIT_OK;
    if (r < 0)
        status = EXIT_USAGE;
    else if (!script)
        status = cli_usage_error(c, "run", "missing SCRIPT (a Lua rule script)");
    else if (!nargs)
        status = cli_usage_error(c, "run", "missing INPUT (files, folders, or - for standard input)");
    else if (to && !write_dir)
        status = cli_usage_error(c, "run", "-t/--to goes with --write DIR");
    if (status != EXIT_OK) {
        free(args);
        return status;
    }
    for (size_t i = 0; i < nargs; i++) {
        if (inputs_add(&in, args[i]) < 0) {
            cli_error(c, "%s: %s", args[i], strerror(errno));
            status = EXIT_DOCUMENT;
        }
    }
    free(args);

    lode_engine *e = cli_engine(c);
    if (!e) {
        inputs_free(&in);
        return EXIT_NOMEM;
    }
    run_state rs = {c, NULL, 0};
    char err[1024];
    char mpath[16384];
    cli_module_path(modpath, mpath, sizeof mpath);
    lode_rules_options ro = {mpath, on_record, &rs, NULL};
    lode_rules *rules = NULL;
    if (lode_rules_load(e, script, &ro, &rules) != LODE_OK) {
        /* A script that does not load is a usage error: no document is read. */
        cli_error(c, "%s", lode_errmsg(e));
        int code = lode_errcode(e) == LODE_EIO ? EXIT_DOCUMENT : EXIT_USAGE;
        lode_engine_free(e);
        inputs_free(&in);
        return code;
    }
    rules_set_profile(rules, profile);
    rs.sink = sink_open(output, c->out, err, sizeof err);
    if (!rs.sink) {
        cli_error(c, "%s", err);
        lode_rules_free(rules);
        lode_engine_free(e);
        inputs_free(&in);
        return EXIT_OUTPUT;
    }
    lode_parse_options po = {from, NULL, 0};
    size_t failed = 0, done = 0;
    int begin_failed = 0;
    char **failures = calloc(in.n + 1, sizeof *failures);
    for (size_t i = 0; i < in.n; i++) {
        lode_doc *doc = NULL;
        const char *path = in.v[i].path;
        int rc = !strcmp(path, "-") ? lode_doc_read_file(e, stdin, "<stdin>", &po, &doc)
                                    : lode_doc_load(e, path, &po, &doc);
        if (rc == LODE_OK)
            rc = lode_rules_run(rules, doc);
        if (rc != LODE_OK && rules_begin_failed(rules)) {
            /* begin() failed: the script is not set up, so nothing is run */
            cli_error(c, "%s", lode_errmsg(e));
            cli_error(c, "begin() failed: no document was processed");
            lode_doc_free(doc);
            begin_failed = 1;
            break;
        }
        if (rc != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(e));
            char line[512];
            first_line(lode_errmsg(e), line, sizeof line);
            if (failures)
                failures[failed] = strdup(line);
            failed++;
            if (rc == LODE_ENOMEM)
                status = EXIT_NOMEM;
        } else if (write_dir) {
            int wrc = write_doc(c, e, doc, write_dir, in.v[i].rel, to);
            if (wrc != EXIT_OK)
                status = wrc;
        }
        done++;
        lode_doc_free(doc);
        if (rs.sink_failed) {
            cli_error(c, "%s: cannot write records", output ? output : "standard output");
            status = EXIT_OUTPUT;
            break;
        }
        if (failed && fail_fast)
            break;
    }
    int finish_failed = 0;
    if (lode_rules_finish(rules) != LODE_OK) {
        /* finish is not a document: report it, exit 1, but count no document */
        cli_error(c, "%s", lode_errmsg(e));
        finish_failed = 1;
    }
    if (profile)
        print_profile(c, rules);
    int commit = status != EXIT_OUTPUT;
    if (sink_close(rs.sink, commit, err, sizeof err) < 0) {
        cli_error(c, "%s", err);
        status = EXIT_OUTPUT;
    }
    if (failed) {
        fprintf(c->err, "lode: %zu of %zu document%s failed%s\n", failed, in.n, in.n == 1 ? "" : "s",
                fail_fast && done < in.n ? " (stopped: --fail-fast)" : ":");
        for (size_t i = 0; failures && i < failed && failures[i]; i++)
            fprintf(c->err, "  %s\n", failures[i]);
        if (status == EXIT_OK)
            status = EXIT_DOCUMENT;
    }
    if ((finish_failed || begin_failed) && status == EXIT_OK)
        status = EXIT_DOCUMENT;
    for (size_t i = 0; failures && i < in.n; i++)
        free(failures[i]);
    free(failures);
    lode_rules_free(rules);
    lode_engine_free(e);
    inputs_free(&in);
    return status;
}
