/* cmd_run.c -- `lode run SCRIPT INPUT...`: run a rule script over documents
 * on every core (runner.c), records and messages in input order, reports
 * merged across workers (--report) or kept mergeable (--partial). */
#define _GNU_SOURCE /* syncfs */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "inputs.h"
#include "progress.h"
#include "report.h"
#include "runner.h"
#include "sinks.h"

void cmd_run_help(FILE *fp)
{
    fputs("Usage: lode run SCRIPT INPUT... [OPTIONS]\n"
          "\n"
          "Runs the Lua rule script SCRIPT over each input document: files, folders\n"
          "(every",
          fp);
    for (const char *const *e = inputs_folder_ext; *e; e++)
        fprintf(fp, " %s", *e);
    fputs(" file below\n"
          "them, also .gz, in sorted order; a plugin reader's with --include) or -\n"
          "for standard input, on all cores.  Records the script emits (ctx:emit) go\n"
          "to standard output as JSON Lines, or to -o FILE, in input order whatever\n"
          "-j is.  A document whose rules fail is reported and skipped (its records\n"
          "are dropped, none half-written); the run goes on and exits 1 at the end\n"
          "with a summary.  Inputs that hold no document give a warning, and exit 0.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE     records to FILE: .jsonl/.json (JSON Lines), .csv, .tsv\n"
          "                        (columns: every key, in first-seen order)\n"
          "  -j, --jobs N          worker threads (default: the number of CPUs)\n"
          "  -r, --report FILE     write the merged ctx.report after finish() to FILE:\n"
          "                        .json, .csv, .txt (aligned tables) or .html (charts)\n"
          "      --partial FILE    write the mergeable report state instead (finish()\n"
          "                        runs in `lode merge`); - for standard output\n"
          "  -w, --write DIR       write each document after the rules ran under DIR,\n"
          "                        mirroring the input paths; - writes them one\n"
          "                        after the other to standard output, in input order\n"
          "  -t, --to FORMAT       format for --write: xml, html, text, markdown, json\n"
          "                        (default: html for text input, else the input format)\n"
          "  -f, --from FORMAT     input format (default: by extension, else sniffed);\n"
          "                        jsonl: inputs are JSON Lines of documents\n"
          "      --include GLOB    in folders and lists, only files matching GLOB\n"
          "      --exclude GLOB    in folders and lists, skip files matching GLOB\n"
          "      --files-from FILE read input paths from FILE, one a line (- for stdin)\n"
          "      --split ELEMENT   stream each XML input: every ELEMENT (e.g. page) is a\n"
          "                        document of its own, in memory that does not grow\n"
          "      --shard I/N       process only shard I of N (1 <= I <= N): a fixed\n"
          "                        share of the inputs, chosen by a hash of their names\n"
          "      --errors FILE     one JSON object per failed document (path, stage,\n"
          "                        message, line)\n"
          "  -M, --module-path DIRS  extra folders (';'-separated) searched by require\n"
          "      --keep-going      go on after a failed document (the default)\n"
          "      --fail-fast       stop at the first failed document\n"
          "      --progress        show the progress line even if stderr is no terminal\n"
          "      --no-progress     never show it (default: on when stderr is a terminal)\n"
          "      --profile         print per-rule calls and time at the end\n"
          "      --sandbox         run the script in the sandbox: no files, no os, no\n"
          "                        io, limits per document (see docs/lua-api.md)\n"
          "      --max-memory MB   sandbox: Lua memory cap (default 64)\n"
          "      --max-steps N     sandbox: instructions per document (default 100000000)\n"
          "      --timeout MS      sandbox: wall-clock time per document (default 5000)\n"
          "      --isolate         each document in a process of its own, killed when it\n"
          "                        passes a limit: a crash or hang fails that document only\n"
          "      --isolate-time S  --isolate: CPU and wall-clock seconds (default 60)\n"
          "      --isolate-memory MB  --isolate: memory a document may add (default 2048)\n"
          "  -q, --quiet           no warnings, no progress line\n"
          "  -h, --help            show this help\n"
          "\n"
          "Examples:\n"
          "  lode run examples/rules/quotes.lua examples/documents/putin-kim-wladiwostok.txt\n"
          "  lode run rules.lua corpus/ -o records.csv\n"
          "  lode run scripts/corpus-report.lua corpus/ --report report.html\n"
          "  lode run rules.lua corpus/ --shard 2/4 --partial part-2.json\n"
          "  lode run examples/rules/captions.lua article.txt --write out/ -t html\n",
          fp);
}

static const cli_opt run_opts[] = {
    {"output", 'o', 1},      {"write", 'w', 1},      {"to", 't', 1},          {"from", 'f', 1},
    {"module-path", 'M', 1}, {"keep-going", 0, 0},   {"fail-fast", 0, 0},     {"profile", 0, 0},
    {"quiet", 'q', 0},       {"help", 'h', 0},       {"sandbox", 0, 0},       {"max-memory", 0, 1},
    {"max-steps", 0, 1},     {"timeout", 0, 1},      {"jobs", 'j', 1},        {"report", 'r', 1},
    {"partial", 0, 1},       {"include", 0, 1},      {"exclude", 0, 1},       {"files-from", 0, 1},
    {"shard", 0, 1},         {"errors", 0, 1},       {"progress", 0, 0},      {"no-progress", 0, 0},
    {"split", 0, 1},         {"sink", 0, 1},          {"isolate", 0, 0},       {"isolate-time", 0, 1},
    {"isolate-memory", 0, 1}, CLI_PLUGIN_OPTS,        {NULL, 0, 0},
};

#define MAX_LISTED 20 /* failures listed in the end summary */

typedef struct run_state {
    cli *c;
    sink *records;
    sink *errors;
    const char *output, *errors_path;
    int fail_fast;
    progress prog;
    size_t failed, done, write_failed;
    size_t listed;
    char *list[MAX_LISTED];
    int status;
    int begin_failed;
    int sink_failed;
} run_state;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

/* A JSON string literal of s (malloc'd), or NULL.  s is UTF-8 except where a
 * message quotes bad input: bytes >= 0x80 that are not valid UTF-8 cannot be
 * told apart cheaply here, so every byte >= 0x80 is kept and the records
 * sink's reader must be lenient; control characters are escaped. */
static void json_str(char **p, size_t *len, size_t *cap, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t need = *len + strlen(s) * 6 + 3; /* quotes, NUL */
    if (need > *cap) {
        char *q = realloc(*p, need);
        if (!q)
            return;
        *p = q;
        *cap = need;
    }
    char *o = *p + *len;
    *o++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *o++ = '\\';
            *o++ = (char)*c;
        } else if (*c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (*c < 0x20 || *c == 0x7f) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[*c >> 4];
            o[5] = hex[*c & 15];
            o += 6;
        } else {
            *o++ = (char)*c;
        }
    }
    *o++ = '"';
    *o = '\0';
    *len = (size_t)(o - *p);
}

/* The line number in a message "NAME:LINE[:COL]: ...", or 0. */
static long message_line(const char *msg, const char *name)
{
    size_t n = strlen(name);
    const char *at = name && n ? strstr(msg, name) : NULL;
    if (!at || at[n] != ':')
        return 0;
    char *end;
    long line = strtol(at + n + 1, &end, 10);
    return end > at + n + 1 && *end == ':' && line > 0 ? line : 0;
}

static void write_error_record(run_state *rs, const run_result *res)
{
    if (!rs->errors)
        return;
    const input_item *it = res->item;
    const char *name = it->name ? it->name : it->path ? it->path : "<stdin>";
    char *p = NULL;
    size_t len = 0, cap = 0;
    char tmp[64];
    json_str(&p, &len, &cap, name);
    if (!p)
        return;
    /* keys in sorted order, like every record lode writes */
    char *line = NULL;
    size_t ll = 0, lc = 0;
    const char *parts[] = {"{\"line\":", NULL, ",\"message\":", NULL, ",\"path\":", NULL, ",\"stage\":", NULL, "}"};
    long ln = message_line(res->message, name);
    if (ln)
        snprintf(tmp, sizeof tmp, "%ld", ln);
    else
        snprintf(tmp, sizeof tmp, "null");
    parts[1] = tmp;
    char *m = NULL, *st = NULL;
    size_t ml = 0, mc = 0, sl = 0, sc = 0;
    json_str(&m, &ml, &mc, res->message);
    json_str(&st, &sl, &sc, res->stage ? res->stage : "rules");
    if (m && st) {
        parts[3] = m;
        parts[5] = p;
        parts[7] = st;
        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
            size_t n = strlen(parts[i]);
            if (ll + n + 1 > lc) {
                lc = (ll + n + 1) * 2;
                char *q = realloc(line, lc);
                if (!q)
                    break;
                line = q;
            }
            memcpy(line + ll, parts[i], n);
            ll += n;
        }
        if (line && sink_record(rs->errors, line, ll) < 0)
            rs->sink_failed = 1;
    }
    free(line);
    free(m);
    free(st);
    free(p);
}

/* --write -: one document on standard output, whole (under the stream's
 * lock, so that a handler's print in another worker cannot land inside it),
 * and flushed, as each record is.  0, or -1 with errno set. */
static int write_out(cli *c, const char *p, size_t n)
{
    flockfile(c->out);
    int bad = fwrite(p, 1, n, c->out) != n || fflush(c->out) == EOF;
    int e = errno;
    funlockfile(c->out);
    errno = bad && !e ? EIO : e;
    return bad ? -1 : 0;
}

static int on_commit(void *ud, const run_result *res)
{
    run_state *rs = ud;
    cli *c = rs->c;
    if (res->log_len || res->rc != LODE_OK)
        progress_clear(&rs->prog);
    if (res->log_len)
        fwrite(res->log, 1, res->log_len, c->err);
    progress_doc(&rs->prog, res->item->bytes, res->rc != LODE_OK && !(res->stage && !strcmp(res->stage, "write")));
    rs->done++;
    if (res->rc != LODE_OK && res->begin_failed) {
        /* begin() failed: the script is not set up, so nothing is run */
        cli_error(c, "%s", res->message);
        cli_error(c, "begin() failed: no document was processed");
        rs->begin_failed = 1;
        return 1;
    }
    if (res->rc == LODE_OK) {
        const char *p = res->records, *end = res->records + res->records_len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (sink_record(rs->records, p, (size_t)(nl - p)) < 0) {
                if (*sink_error(rs->records))
                    cli_error(c, "%s", sink_error(rs->records));
                else
                    cli_error(c, "%s: cannot write records", rs->output ? rs->output : "standard output");
                rs->status = EXIT_OUTPUT;
                return 1;
            }
            p = nl + 1;
        }
        if (res->doc_len && write_out(c, res->doc, res->doc_len) < 0) {
            cli_error(c, "standard output: cannot write the document %s: %s", res->item->name ? res->item->name : "<stdin>",
                      strerror(errno));
            rs->status = EXIT_OUTPUT;
            return 1;
        }
        return 0;
    }
    cli_error(c, "%s", res->message);
    write_error_record(rs, res);
    if (res->rc == LODE_ENOMEM)
        rs->status = EXIT_NOMEM;
    if (res->stage && !strcmp(res->stage, "write")) {
        rs->write_failed++;
        if (rs->status == EXIT_OK)
            rs->status = EXIT_OUTPUT;
    } else {
        if (rs->listed < MAX_LISTED) {
            size_t n = strcspn(res->message, "\n");
            rs->list[rs->listed] = strndup(res->message, n);
            if (rs->list[rs->listed])
                rs->listed++;
        }
        rs->failed++;
    }
    if (rs->sink_failed) {
        cli_error(c, "%s: cannot write errors", rs->errors_path);
        rs->status = EXIT_OUTPUT;
        return 1;
    }
    return rs->fail_fast;
}

/* inputs' accept_file: does a reader (a plugin's: .md, .csv) take files
 * with this name's extension?  Loads the plugin path on the first unknown
 * extension. */
static int plugin_reads(void *ud, const char *name)
{
    return strchr(name, '.') && lode_format_detect(ud, name, NULL, 0) != NULL;
}

/* Where records go: a built-in sink (JSON Lines, CSV, TSV; by --sink or
 * the extension), or a plugin's (by --sink NAME, or when a loaded plugin
 * takes the extension of -o).  A database extension that no plugin takes
 * is an error rather than JSON Lines in a file named .sqlite. */
static sink *open_records(cli *c, const char *output, const char *sink_name, const char *script, char *err,
                          size_t errlen)
{
    static const char *const builtin[] = {"jsonl", "csv", "tsv"};
    for (size_t i = 0; sink_name && i < 3; i++)
        if (!strcmp(sink_name, builtin[i]))
            return sink_open(output, sink_name, c->out, err, errlen);
    const char *slash = output ? strrchr(output, '/') : NULL;
    const char *dot = output ? strrchr(slash ? slash + 1 : output, '.') : NULL;
    int plain = !dot || !strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".ndjson") || !strcasecmp(dot, ".json") ||
                !strcasecmp(dot, ".csv") || !strcasecmp(dot, ".tsv") || !strcasecmp(dot, ".txt");
    if (!sink_name && (!output || !strcmp(output, "-") || plain))
        return sink_open(output, NULL, c->out, err, errlen);
    if (!output || !strcmp(output, "-")) {
        snprintf(err, errlen, "--sink %s writes to a file: give -o FILE", sink_name);
        return NULL;
    }
    lode_engine *e = cli_engine(c);
    if (!e) {
        snprintf(err, errlen, "cannot open the record sink");
        return NULL;
    }
    if (!sink_name && !lode_sink_detect(e, output)) {
        lode_engine_free(e);
        if (!strcasecmp(dot, ".sqlite") || !strcasecmp(dot, ".sqlite3") || !strcasecmp(dot, ".db")) {
            snprintf(err, errlen, "%s: no loaded plugin writes '%s' files (see `lode plugins`; "
                     "the sqlite plugin does)", output, dot);
            return NULL;
        }
        return sink_open(output, NULL, c->out, err, errlen);
    }
    /* label: the script's file name without folder and .lua */
    char label[256];
    const char *base = strrchr(script, '/');
    snprintf(label, sizeof label, "%s", base ? base + 1 : script);
    size_t ln = strlen(label);
    if (ln > 4 && !strcmp(label + ln - 4, ".lua"))
        label[ln - 4] = '\0';
    return sink_open_plugin(e, sink_name, output, label, err, errlen);
}

static void on_tick(void *ud)
{
    run_state *rs = ud;
    progress_tick(&rs->prog);
}

/* "I/N" with 1 <= I <= N; 0 or -1. */
static int parse_shard(const char *v, unsigned *i, unsigned *n)
{
    char *end;
    unsigned long a = strtoul(v, &end, 10);
    if (end == v || *end != '/')
        return -1;
    const char *q = end + 1;
    unsigned long b = strtoul(q, &end, 10);
    if (end == q || *end || b < 1 || b > 1000000 || a < 1 || a > b)
        return -1;
    *i = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

/* Writes the partial report to path ("-": standard output). */
static int write_partial(cli *c, lode_rules *rules, const char *title, const char *path)
{
    lode_report *rep = lode_rules_report(rules);
    if (strcmp(path, "-") != 0) {
        if (lode_report_save(rep, "partial", title, path) != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(lode_rules_engine(rules)));
            return lode_errcode(lode_rules_engine(rules)) == LODE_ENOMEM ? EXIT_NOMEM : EXIT_OUTPUT;
        }
        return EXIT_OK;
    }
    char *data = NULL;
    size_t len = 0;
    if (lode_report_write_buffer(rep, "partial", title, &data, &len) != LODE_OK) {
        cli_error(c, "out of memory writing the partial report");
        return EXIT_NOMEM;
    }
    int ok = fwrite(data, 1, len, c->out) == len && fflush(c->out) == 0;
    lode_free(lode_rules_engine(rules), data);
    if (!ok) {
        cli_error(c, "standard output: cannot write the partial report");
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int cmd_run(cli *c, int argc, char **argv)
{
    const char *sink_name = NULL;
    const char *script = NULL, *output = NULL, *write_dir = NULL, *to = NULL, *from = NULL, *modpath = NULL;
    const char *report = NULL, *partial = NULL, *errors = NULL, *files_from = NULL, *split = NULL;
    int fail_fast = 0, profile = 0, jobs = 0, progress_mode = -1, isolated = 0;
    isolate_limits iso = {60000, 2048ULL << 20, 0};
    unsigned shard = 0, nshards = 0;
    cli_args a = {argc, 1, argv, 0};
    const cli_opt *o;
    const char *v;
    int r;
    inputs in = {0};
    char **args = calloc((size_t)argc + 1, sizeof *args);
    const char **incl = calloc((size_t)argc + 1, sizeof *incl);
    const char **excl = calloc((size_t)argc + 1, sizeof *excl);
    size_t nargs = 0, nincl = 0, nexcl = 0;
    int status = EXIT_OK;
    if (!args || !incl || !excl) {
        free(args);
        free(incl);
        free(excl);
        return EXIT_NOMEM;
    }
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
        if (!sb)
            sb = cli_plugin_option(c, "run", n, v);
        if (sb < 0) {
            status = EXIT_USAGE;
            break;
        }
        if (sb)
            continue;
        if (!strcmp(n, "help")) {
            cmd_run_help(c->out);
            free(args);
            free(incl);
            free(excl);
            return EXIT_OK;
        }
        if (!strcmp(n, "output")) output = v;
        else if (!strcmp(n, "sink")) sink_name = v;
        else if (!strcmp(n, "write")) write_dir = v;
        else if (!strcmp(n, "to")) to = v;
        else if (!strcmp(n, "from")) from = v;
        else if (!strcmp(n, "module-path")) modpath = v;
        else if (!strcmp(n, "fail-fast")) fail_fast = 1;
        else if (!strcmp(n, "keep-going")) fail_fast = 0;
        else if (!strcmp(n, "profile")) profile = 1;
        else if (!strcmp(n, "quiet")) c->quiet = 1, progress_mode = 0;
        else if (!strcmp(n, "progress")) progress_mode = 1;
        else if (!strcmp(n, "no-progress")) progress_mode = 0;
        else if (!strcmp(n, "report")) report = v;
        else if (!strcmp(n, "partial")) partial = v;
        else if (!strcmp(n, "errors")) errors = v;
        else if (!strcmp(n, "files-from")) files_from = v;
        else if (!strcmp(n, "split")) split = v;
        else if (!strcmp(n, "include")) incl[nincl++] = v;
        else if (!strcmp(n, "exclude")) excl[nexcl++] = v;
        else if (!strcmp(n, "isolate")) isolated = 1;
        else if (!strcmp(n, "isolate-time") || !strcmp(n, "isolate-memory")) {
            char *end;
            unsigned long x = strtoul(v, &end, 10);
            if (!*v || *end || x == 0 || x > 1000000) {
                status = cli_usage_error(c, "run", "--%s needs a whole number from 1 to 1000000, not '%s'", n, v);
                break;
            }
            isolated = 1; /* a limit implies --isolate */
            if (!strcmp(n, "isolate-time"))
                iso.ms = (unsigned long)x * 1000;
            else
                iso.bytes = (unsigned long long)x << 20;
        } else if (!strcmp(n, "jobs")) {
            char *end;
            long j = strtol(v, &end, 10);
            if (!*v || *end || j < 1 || j > 256) {
                status = cli_usage_error(c, "run", "-j/--jobs needs a number from 1 to 256, not '%s'", v);
                break;
            }
            jobs = (int)j;
        } else if (!strcmp(n, "shard")) {
            if (parse_shard(v, &shard, &nshards) < 0) {
                status = cli_usage_error(c, "run", "--shard needs I/N with 1 <= I <= N (e.g. 2/4), not '%s'", v);
                break;
            }
        }
    }
    if (r < 0)
        status = EXIT_USAGE;
    else if (status != EXIT_OK)
        ;
    else if (!script)
        status = cli_usage_error(c, "run", "missing SCRIPT (a Lua rule script)");
    else if (!nargs && !files_from)
        status = cli_usage_error(c, "run", "missing INPUT (files, folders, or - for standard input)");
    else if (to && !write_dir)
        status = cli_usage_error(c, "run", "-t/--to goes with --write DIR (or --write -)");
    else if (isolated && profile)
        status = cli_usage_error(c, "run", "--profile does not go with --isolate (the timings stay in the documents' processes)");
    else if (report && partial)
        status = cli_usage_error(c, "run", "--report and --partial exclude each other (merge partials with `lode merge`)");
    else if (report && !report_format_for(report))
        status = cli_usage_error(c, "run", "--report %s: the name must end in .json, .csv, .txt or .html", report);
    else if (partial && !strcmp(partial, "-") && (!output || !strcmp(output, "-")))
        status = cli_usage_error(c, "run", "--partial - and the records would share standard output: give -o FILE");
    else if (partial && !strcmp(partial, "-") && write_dir && !strcmp(write_dir, "-"))
        status = cli_usage_error(c, "run", "--partial - and --write - would share standard output");
    int jsonl = from && !strcasecmp(from, "jsonl");
    if (status == EXIT_OK && split && (jsonl || (from && strcasecmp(from, "xml"))))
        status = cli_usage_error(c, "run", "--split streams XML: it does not go with --from %s", from);
    if (status != EXIT_OK) {
        free(args);
        free(incl);
        free(excl);
        return status;
    }
    /* The inputs' own engine: the streaming reader of --split reports to
     * it, and folder walks ask it which extensions plugins read; used only
     * under the inputs' lock */
    lode_engine *split_engine = cli_engine(c);
    if (!split_engine) {
        free(args);
        free(incl);
        free(excl);
        return c->engine_exit;
    }
    in.include = nincl ? incl : NULL;
    in.exclude = nexcl ? excl : NULL;
    in.jsonl = jsonl;
    in.split = split;
    in.split_engine = split_engine;
    if (!from && !jsonl) {
        in.accept_file = plugin_reads;
        in.accept_ud = split_engine;
    }
    if (nshards) {
        in.shard = shard - 1;
        in.nshards = nshards;
    }
    if (files_from && inputs_add_list(&in, files_from) < 0) {
        cli_error(c, "%s: %s", strcmp(files_from, "-") ? files_from : "standard input", strerror(errno));
        status = EXIT_DOCUMENT;
    }
    for (size_t i = 0; i < nargs; i++) {
        if (inputs_add(&in, args[i]) < 0) {
            cli_error(c, "%s: %s", args[i], strerror(errno));
            status = EXIT_DOCUMENT;
        }
    }
    free(args);

    char mpath[16384];
    cli_module_path(modpath, mpath, sizeof mpath);
    run_state rs = {0};
    rs.c = c;
    rs.output = output;
    rs.errors_path = errors;
    rs.fail_fast = fail_fast;
    rs.status = status;
    /* No more workers than documents: each worker loads the script and
     * runs begin(), which is wasted on a worker that gets nothing. */
    int one = inputs_count_exact(&in) && inputs_count(&in) <= 1; /* no need to ask for the CPUs */
    int nj = jobs ? jobs : one ? 1 : runner_cpus();
    if (inputs_count_exact(&in) && inputs_count(&in) < (size_t)nj)
        nj = inputs_count(&in) ? (int)inputs_count(&in) : 1;
    runner_config cfg = {c,         nj, script, mpath, {jsonl ? NULL : from, NULL, 0},
                         write_dir, to, profile, on_commit, on_tick, &rs, &interrupted, split != NULL,
                         isolated,  iso};
    runner *run = NULL;
    int rc = runner_new(&cfg, &run);
    if (rc != EXIT_OK) {
        inputs_free(&in);
        lode_engine_free(split_engine);
        free(incl);
        free(excl);
        return rc;
    }
    char err[1024];
    rs.records = open_records(c, output, sink_name, script, err, sizeof err);
    if (rs.records && errors) {
        rs.errors = sink_open(errors, "jsonl", c->out, err, sizeof err);
        if (!rs.errors) {
            sink_close(rs.records, 0, err, sizeof err);
            rs.records = NULL;
        }
    }
    if (!rs.records) {
        cli_error(c, "%s", err);
        runner_free(run);
        inputs_free(&in);
        lode_engine_free(split_engine);
        free(incl);
        free(excl);
        return EXIT_OUTPUT;
    }
    /* totals for the ETA: bytes when every input's size is known, else
     * documents (estimated for lists), else none */
    progress_init(&rs.prog, c->err, c->quiet ? 0 : progress_mode, in.jsonl ? 0 : inputs_count(&in),
                  inputs_count_exact(&in) ? inputs_bytes(&in) : 0);

    /* SIGINT/SIGTERM: finish the documents in hand, write what there is,
     * say so; a second signal kills at once (SA_RESETHAND), and output files
     * are still only ever under their temporary names then. */
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = (int)(SA_RESETHAND | SA_RESTART); /* no EINTR in zlib's reads, which cannot retry */
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    rc = runner_run(run, &in);
    if (rc != EXIT_OK && rs.status == EXIT_OK)
        rs.status = rc;
    progress_clear(&rs.prog);
    int sig = interrupted;

    int finish_failed = 0;
    lode_rules *rules = rs.begin_failed ? NULL : runner_merged(run);
    if (!rs.begin_failed && !rules)
        rs.status = EXIT_NOMEM;
    const char *title = base_name(script);
    if (rules && partial) {
        int prc = write_partial(c, rules, title, partial);
        if (prc != EXIT_OK)
            rs.status = prc;
    } else if (rules) {
        if (lode_rules_finish(rules) != LODE_OK) {
            /* finish is not a document: report it, exit 1, but count no document */
            cli_error(c, "%s", lode_errmsg(lode_rules_engine(rules)));
            finish_failed = 1;
        }
        if (report && lode_report_save(lode_rules_report(rules), NULL, title, report) != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(lode_rules_engine(rules)));
            rs.status = EXIT_OUTPUT;
        }
    }
    if (write_dir && strcmp(write_dir, "-") && rs.done) {
        /* the documents were renamed into place without an fsync each:
         * make them durable with one sync of their file system */
        int fd = open(write_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            if (syncfs(fd) < 0) {
                cli_error(c, "%s: cannot sync the written documents: %s", write_dir, strerror(errno));
                rs.status = EXIT_OUTPUT;
            }
            close(fd);
        }
    }
    if (profile)
        runner_print_profile(run, c->err);
    int commit = rs.status != EXIT_OUTPUT || rs.write_failed;
    if (sink_close(rs.records, commit, err, sizeof err) < 0) {
        cli_error(c, "%s", err);
        rs.status = EXIT_OUTPUT;
    }
    if (rs.errors && sink_close(rs.errors, 1, err, sizeof err) < 0) {
        cli_error(c, "%s", err);
        rs.status = EXIT_OUTPUT;
    }
    size_t total = inputs_count_exact(&in) ? inputs_count(&in) : rs.done;
    if (rs.failed) {
        fprintf(c->err, "lode: %zu of %zu document%s failed%s\n", rs.failed, total, total == 1 ? "" : "s",
                fail_fast && !sig ? " (stopped: --fail-fast)" : ":");
        for (size_t i = 0; i < rs.listed; i++)
            fprintf(c->err, "  %s\n", rs.list[i]);
        if (rs.failed > rs.listed)
            fprintf(c->err, "  ... and %zu more%s%s\n", rs.failed - rs.listed, errors ? ": see " : "",
                    errors ? errors : "");
        if (rs.status == EXIT_OK)
            rs.status = EXIT_DOCUMENT;
    }
    if (rs.prog.on && !sig) {
        double el = progress_elapsed(&rs.prog);
        fprintf(c->err, "lode: %zu document%s, %zu failed, %.1f MB in %.1f s\n", rs.done, rs.done == 1 ? "" : "s",
                rs.failed, (double)rs.prog.bytes / 1e6, el);
    }
    if (!rs.done && !sig && !rs.begin_failed && !c->quiet && status == EXIT_OK) /* (not after an input error) */
        /* an empty folder, a wrong --include or a shard with nothing in it:
         * not an error (the outputs are complete and empty), but never
         * silent, because it is so often a mistake */
        fprintf(c->err, "lode: warning: no documents in the inputs%s\n",
                in.jsonl ? "" : " (a folder gives the files of the extensions 'lode run --help' lists)");
    if (sig) {
        fprintf(c->err, "lode: interrupted by %s after %zu document%s; the outputs hold those documents\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM", rs.done, rs.done == 1 ? "" : "s");
        rs.status = 128 + sig;
    }
    if ((finish_failed || rs.begin_failed) && rs.status == EXIT_OK)
        rs.status = EXIT_DOCUMENT;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    for (size_t i = 0; i < rs.listed; i++)
        free(rs.list[i]);
    runner_free(run);
    inputs_free(&in);
    lode_engine_free(split_engine);
    free(incl);
    free(excl);
    return rs.status;
}
