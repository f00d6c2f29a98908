/* cmd_convert.c -- `lode convert INPUT [-f FMT] -t FMT [-o OUTPUT]`. */
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "allocator.h"
#include "cli.h"
#include "harden.h"

void cmd_convert_help(FILE *fp)
{
    fputs("Usage: lode convert INPUT [-f FORMAT] -t FORMAT [-o OUTPUT] [OPTIONS]\n"
          "\n"
          "Reads one document and writes it in another format.  INPUT '-' reads\n"
          "standard input; OUTPUT '-' (the default) writes standard output.  An output\n"
          "file is written to a temporary name and renamed when complete, so a failed\n"
          "run never leaves a half-written file.\n"
          "\n"
          "Options:\n"
          "  -f, --from FORMAT     input format: xml, html, text, json\n"
          "                        (default: by extension .xml .html .htm .xhtml .txt\n"
          "                        .text .json, else by sniffing the first bytes)\n"
          "  -t, --to FORMAT       output format: xml, html, text, markdown, json\n"
          "                        (default: from the extension of -o)\n"
          "  -o, --output FILE     write to FILE instead of standard output\n"
          "      --indent          pretty-print xml, html and json output\n"
          "      --encoding NAME   html: read the input in this charset (e.g. windows-1252)\n"
          "      --repair          text: replace invalid UTF-8 with U+FFFD instead of failing\n"
          "      --entities        xml: substitute entities declared in the document's\n"
          "                        internal subset (bounded); external ones are never loaded\n"
          "  -q, --quiet           no warnings\n"
          "  -h, --help            show this help\n"
          "\n"
          "Examples:\n"
          "  lode convert article.txt -t html\n"
          "  lode convert page.html -t markdown -o page.md\n"
          "  cat paper.xml | lode convert - -f xml -t json --indent\n",
          fp);
}

static const cli_opt convert_opts[] = {
    {"from", 'f', 1},  {"to", 't', 1},     {"output", 'o', 1},   {"indent", 0, 0},
    {"encoding", 0, 1}, {"repair", 0, 0}, {"entities", 0, 0}, {"quiet", 'q', 0},
    {"help", 'h', 0},  CLI_PLUGIN_OPTS,     {NULL, 0, 0},
};

/* The output format implied by an output file's extension, or NULL. */
static const char *format_for_output(const char *path)
{
    static const struct {
        const char *ext, *fmt;
    } map[] = {{".xml", "xml"},       {".xhtml", "xml"},  {".html", "html"}, {".htm", "html"},
               {".txt", "text"},      {".text", "text"},  {".md", "markdown"},
               {".markdown", "markdown"}, {".json", "json"}};
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(dot, map[i].ext) == 0)
            return map[i].fmt;
    return NULL;
}

/* Whether the engine can write wo's format and read po's (if given). */
static void formats_known(lode_engine *e, const lode_parse_options *po, const lode_write_options *wo,
                          int *known_to, int *known_from)
{
    unsigned caps = 0;
    const char *f;
    *known_to = 0;
    *known_from = po->format == NULL;
    for (size_t i = 0; (f = lode_format_at(e, i, &caps)); i++) {
        if (strcmp(f, wo->format) == 0 && (caps & LODE_FORMAT_WRITE))
            *known_to = 1;
        if (po->format && strcmp(f, po->format) == 0 && (caps & LODE_FORMAT_READ))
            *known_from = 1;
    }
}

int cmd_convert(cli *c, int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    lode_parse_options po = {0};
    lode_write_options wo = {0};
    cli_args a = {argc, 1, argv, 0};
    const cli_opt *o;
    const char *v;
    int r;
    while ((r = cli_args_next(c, "convert", &a, convert_opts, &o, &v)) > 0) {
        if (!o) {
            if (input)
                return cli_usage_error(c, "convert", "one INPUT at a time ('%s' is extra)", v);
            input = v;
            continue;
        }
        const char *n = o->long_name;
        int pl = cli_plugin_option(c, "convert", n, v);
        if (pl < 0)
            return EXIT_USAGE;
        if (pl)
            continue;
        if (strcmp(n, "help") == 0) {
            cmd_convert_help(c->out);
            return EXIT_OK;
        } else if (strcmp(n, "from") == 0) {
            po.format = v;
        } else if (strcmp(n, "to") == 0) {
            wo.format = v;
        } else if (strcmp(n, "output") == 0) {
            output = v;
        } else if (strcmp(n, "indent") == 0) {
            wo.flags |= LODE_WRITE_INDENT;
        } else if (strcmp(n, "encoding") == 0) {
            po.encoding = v;
        } else if (strcmp(n, "repair") == 0) {
            po.flags |= LODE_PARSE_REPAIR;
        } else if (strcmp(n, "entities") == 0) {
            po.flags |= LODE_PARSE_ENTITIES;
        } else if (strcmp(n, "quiet") == 0) {
            c->quiet = 1;
        }
    }
    if (r < 0)
        return EXIT_USAGE;
    if (!input)
        return cli_usage_error(c, "convert", "missing INPUT (a file, or - for standard input)");
    if (output && strcmp(output, "-") == 0)
        output = NULL;
    if (!wo.format && output)
        wo.format = format_for_output(output);
    if (!wo.format)
        return cli_usage_error(c, "convert", "missing -t FORMAT (xml, html, text, markdown or json)");

    lode_engine *e = cli_engine(c);
    if (!e)
        return c->engine_exit;
    /* Check the names before reading anything, so a typo costs nothing;
     * a name nothing loaded knows may be a plugin's. */
    int known_to, known_from;
    formats_known(e, &po, &wo, &known_to, &known_from);
    if ((!known_to || !known_from) && lode_plugin_load_path(e) == LODE_OK)
        formats_known(e, &po, &wo, &known_to, &known_from);
    if (!known_to || !known_from) {
        lode_engine_free(e);
        return known_to ? cli_usage_error(c, "convert", "cannot read format '%s' (xml, html, text, json, or a "
                                          "plugin's: see lode plugins)", po.format)
                        : cli_usage_error(c, "convert", "cannot write format '%s' (xml, html, text, markdown, "
                                          "json, or a plugin's: see lode plugins)", wo.format);
    }

    lode_doc *doc = NULL;
    /* a big file: its tree on huge pages (allocator.h) */
    struct stat st;
    int big = strcmp(input, "-") != 0 && stat(input, &st) == 0 && S_ISREG(st.st_mode)
                  ? cli_allocator_big_begin((unsigned long long)st.st_size)
                  : -1;
    cli_json_watch_start();
    int rc = strcmp(input, "-") == 0 ? lode_doc_read_file(e, stdin, "<stdin>", &po, &doc)
                                     : lode_doc_load(e, input, &po, &doc);
    int status = EXIT_OK;
    if (rc == LODE_OK && cli_json_watch_lost()) {
        cli_error(c, "%s: out of memory", strcmp(input, "-") ? input : "<stdin>");
        status = EXIT_NOMEM;
    } else if (rc != LODE_OK) {
        cli_error(c, "%s", lode_errmsg(e));
        status = cli_exit_for(rc);
    } else {
        rc = output ? lode_doc_save(e, doc, &wo, output) : lode_doc_write_file(e, doc, &wo, c->out);
        if (rc != LODE_OK) {
            cli_error(c, "%s", lode_errmsg(e));
            status = rc == LODE_EIO ? EXIT_OUTPUT : cli_exit_for(rc);
        }
    }
    cli_drop(c, doc);
    cli_allocator_big_end(big);
    lode_engine_free(e);
    return status;
}
