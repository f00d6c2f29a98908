/* cmd_query.c -- `lode query SELECTOR INPUT...` / `lode query --xpath EXPR
 * INPUT...`: print what a CSS selector or an XPath expression finds.
 *
 * Runs natively (no Lua): the selector engine or libxml2's XPath straight
 * on the tree, so it is as fast as the parse. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "allocator.h"
#include "cli.h"
#include "doc.h"
#include "inputs.h"
#include "lua_json.h"
#include "node_text.h"
#include "select.h"
#include "xmlerr.h"

void cmd_query_help(FILE *fp)
{
    fputs("Usage: lode query SELECTOR INPUT... [OPTIONS]\n"
          "       lode query --xpath EXPR INPUT... [OPTIONS]\n"
          "\n"
          "Prints the elements a CSS selector (or an XPath expression) finds in each\n"
          "input: files, folders (recursively) or - for standard input.\n"
          "\n"
          "Options:\n"
          "  -x, --xpath EXPR      use an XPath 1.0 expression instead of a selector;\n"
          "                        a number, string or boolean result is printed as is\n"
          "      --text            print each match's text (whitespace normalised)\n"
          "  -a, --attr NAME       print each match's attribute NAME (if it has one)\n"
          "  -c, --count           print the number of matches (FILE:COUNT with several inputs)\n"
          "      --json            print one JSON object per match: file, line, name, attrs, text\n"
          "  -f, --from FORMAT     input format (default: by extension, else sniffed)\n"
          "  -q, --quiet           no warnings\n"
          "  -h, --help            show this help\n"
          "\n"
          "Default output: each match serialised as HTML (XML for XML documents), one\n"
          "per line.\n"
          "\n"
          "Examples:\n"
          "  lode query 'p' article.txt --count\n"
          "  lode query 'h1' article.txt --text\n"
          "  lode query 'a[href^=\"http\"]' page.html --attr href\n"
          "  lode query --xpath 'count(//p)' article.txt\n",
          fp);
}

static const cli_opt query_opts[] = {
    {"xpath", 'x', 1}, {"text", 0, 0},  {"attr", 'a', 1},  {"count", 'c', 0}, {"json", 0, 0},
    {"from", 'f', 1},  {"quiet", 'q', 0}, {"help", 'h', 0}, CLI_PLUGIN_OPTS,  {NULL, 0, 0},
};

enum { OUT_MARKUP, OUT_TEXT, OUT_ATTR, OUT_COUNT, OUT_JSON };

typedef struct query {
    cli *c;
    int mode;
    const char *attr;
    const char *file;
    long count;
    buf line; /* scratch for one output line */
} query;

static void print_markup(query *q, xmlNode *n)
{
    xmlOutputBufferPtr ob = xmlOutputBufferCreateFile(q->c->out, NULL);
    if (!ob)
        return;
    if (n->doc->type == XML_HTML_DOCUMENT_NODE)
        htmlNodeDumpFormatOutput(ob, n->doc, n, NULL, 0);
    else
        xmlNodeDumpOutput(ob, n->doc, n, 0, 0, NULL);
    xmlOutputBufferClose(ob);
    fputc('\n', q->c->out);
}

static int on_match(xmlNode *n, void *ud)
{
    query *q = ud;
    q->count++;
    switch (q->mode) {
    case OUT_COUNT:
        break;
    case OUT_MARKUP:
        print_markup(q, n);
        break;
    case OUT_TEXT:
        buf_reset(&q->line);
        node_text_append(n, &q->line, 1);
        fwrite(q->line.ptr ? q->line.ptr : "", 1, q->line.len, q->c->out);
        fputc('\n', q->c->out);
        break;
    case OUT_ATTR: {
        if (n->type != XML_ELEMENT_NODE)
            break;
        xmlChar *v = xmlGetProp(n, BAD_CAST q->attr);
        if (v) {
            fputs((const char *)v, q->c->out);
            fputc('\n', q->c->out);
            xmlFree(v);
        }
        break;
    }
    case OUT_JSON: {
        buf *b = &q->line;
        buf_reset(b);
        buf_puts(b, "{\"file\":");
        ljson_string(b, q->file, strlen(q->file));
        buf_printf(b, ",\"line\":%ld,\"name\":", xmlGetLineNo(n));
        const char *name = n->type == XML_ELEMENT_NODE ? (const char *)n->name : "#text";
        ljson_string(b, name, strlen(name));
        if (n->type == XML_ELEMENT_NODE && n->properties) {
            buf_puts(b, ",\"attrs\":{");
            for (xmlAttr *a = n->properties; a; a = a->next) {
                if (a != n->properties)
                    buf_putc(b, ',');
                ljson_string(b, (const char *)a->name, strlen((const char *)a->name));
                buf_putc(b, ':');
                xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
                ljson_string(b, v ? (const char *)v : "", v ? strlen((const char *)v) : 0);
                xmlFree(v);
            }
            buf_putc(b, '}');
        }
        buf_puts(b, ",\"text\":");
        buf t;
        buf_init(&t, b->m);
        node_text_append(n, &t, 1);
        ljson_string(b, t.ptr ? t.ptr : "", t.len);
        buf_free(&t);
        buf_puts(b, "}\n");
        fwrite(b->ptr, 1, b->len, q->c->out);
        break;
    }
    }
    return 0;
}

/* Evaluates expr on doc; node sets go through on_match, other results are
 * printed.  Returns 0 or -1 (message printed). */
static int run_xpath(query *q, xmlDoc *doc, const char *expr, int many)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    if (!ctx)
        return -1;
    xmlNode *root = xmlDocGetRootElement(doc);
    for (xmlNode *a = root; a; a = NULL)
        for (xmlNs *ns = a->nsDef; ns; ns = ns->next)
            if (ns->prefix)
                xmlXPathRegisterNs(ctx, ns->prefix, ns->href);
    xmlerr x;
    xmlerr_begin(&x, NULL);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    xmlerr_end(&x);
    if (!o) {
        cli_error(q->c, "bad XPath expression '%s': %s", expr, x.count ? x.first : "evaluation error");
        xmlXPathFreeContext(ctx);
        return -1;
    }
    if (o->type == XPATH_NODESET) {
        int n = o->nodesetval ? o->nodesetval->nodeNr : 0;
        for (int i = 0; i < n; i++) {
            xmlNode *m = o->nodesetval->nodeTab[i];
            if (m->type == XML_ATTRIBUTE_NODE) {
                q->count++;
                if (q->mode != OUT_COUNT) {
                    xmlChar *v = xmlNodeGetContent(m);
                    fprintf(q->c->out, "%s\n", v ? (const char *)v : "");
                    xmlFree(v);
                }
            } else if (m->type == XML_ELEMENT_NODE || m->type == XML_TEXT_NODE || m->type == XML_CDATA_SECTION_NODE ||
                       m->type == XML_COMMENT_NODE) {
                if (m->type != XML_ELEMENT_NODE && (q->mode == OUT_MARKUP || q->mode == OUT_ATTR)) {
                    q->count++;
                    xmlChar *v = xmlNodeGetContent(m);
                    if (q->mode == OUT_MARKUP)
                        fprintf(q->c->out, "%s\n", v ? (const char *)v : "");
                    xmlFree(v);
                } else {
                    on_match(m, q);
                }
            }
        }
        if (q->mode == OUT_COUNT) {
            if (many)
                fprintf(q->c->out, "%s:%ld\n", q->file, q->count);
            else
                fprintf(q->c->out, "%ld\n", q->count);
        }
    } else {
        if (many)
            fprintf(q->c->out, "%s:", q->file);
        if (o->type == XPATH_NUMBER) {
            double d = o->floatval;
            if (d != d)
                fputs("NaN\n", q->c->out); /* XPath's own spelling */
            else if (d > -9e15 && d < 9e15 && d == (double)(long long)d) /* range first */
                fprintf(q->c->out, "%lld\n", (long long)d);
            else if (d > 1e308 || d < -1e308)
                fputs(d > 0 ? "Infinity\n" : "-Infinity\n", q->c->out);
            else
                fprintf(q->c->out, "%.17g\n", d);
        } else if (o->type == XPATH_BOOLEAN) {
            fprintf(q->c->out, "%s\n", o->boolval ? "true" : "false");
        } else if (o->type == XPATH_STRING) {
            fprintf(q->c->out, "%s\n", o->stringval ? (const char *)o->stringval : "");
        }
    }
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return 0;
}

int cmd_query(cli *c, int argc, char **argv)
{
    const char *xpath = NULL, *selector_src = NULL, *from = NULL;
    query q;
    memset(&q, 0, sizeof q);
    q.c = c;
    q.mode = OUT_MARKUP;
    int modes = 0;
    cli_args a = {argc, 1, argv, 0};
    const cli_opt *o;
    const char *v;
    int r;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    size_t nargs = 0;
    if (!args)
        return EXIT_NOMEM;
    while ((r = cli_args_next(c, "query", &a, query_opts, &o, &v)) > 0) {
        if (!o) {
            args[nargs++] = (char *)v;
            continue;
        }
        const char *n = o->long_name;
        int pl = cli_plugin_option(c, "query", n, v);
        if (pl < 0) {
            free(args);
            return EXIT_USAGE;
        }
        if (pl)
            continue;
        if (!strcmp(n, "help")) {
            cmd_query_help(c->out);
            free(args);
            return EXIT_OK;
        }
        if (!strcmp(n, "xpath")) xpath = v;
        else if (!strcmp(n, "text")) { q.mode = OUT_TEXT; modes++; }
        else if (!strcmp(n, "attr")) { q.mode = OUT_ATTR; q.attr = v; modes++; }
        else if (!strcmp(n, "count")) { q.mode = OUT_COUNT; modes++; }
        else if (!strcmp(n, "json")) { q.mode = OUT_JSON; modes++; }
        else if (!strcmp(n, "from")) from = v;
        else if (!strcmp(n, "quiet")) c->quiet = 1;
    }
    int status = EXIT_OK;
    size_t first_input = 0;
    if (r < 0)
        status = EXIT_USAGE;
    else if (modes > 1)
        status = cli_usage_error(c, "query", "choose one of --text, --attr, --count, --json");
    else if (!xpath && nargs < 1)
        status = cli_usage_error(c, "query", "missing SELECTOR");
    if (status == EXIT_OK && !xpath) {
        selector_src = args[0];
        first_input = 1;
    }
    if (status == EXIT_OK && nargs <= first_input)
        status = cli_usage_error(c, "query", "missing INPUT (files, folders, or - for standard input)");
    lode_engine *e = status == EXIT_OK ? cli_engine(c) : NULL;
    if (status == EXIT_OK && !e)
        status = c->engine_exit;
    selector *sel = NULL;
    if (status == EXIT_OK && selector_src) {
        char err[1024];
        if (select_compile(&e->mem, selector_src, strlen(selector_src), &sel, err, sizeof err) != 0) {
            fprintf(c->err, "lode query: bad selector: %s\n", err);
            status = EXIT_USAGE;
        }
    }
    inputs in = {0};
    for (size_t i = first_input; status == EXIT_OK && i < nargs; i++) {
        if (inputs_add(&in, args[i]) < 0) {
            cli_error(c, "%s: %s", args[i], strerror(errno));
            status = EXIT_DOCUMENT;
        }
    }
    free(args);
    if (status == EXIT_OK || status == EXIT_DOCUMENT) {
        buf_init(&q.line, &e->mem);
        lode_parse_options po = {from, NULL, 0};
        int many = inputs_count(&in) > 1;
        input_item it;
        int nr;
        while ((nr = inputs_next(&in, &it)) > 0) {
            if (it.error) {
                cli_error(c, "%s", it.error);
                status = EXIT_DOCUMENT;
                input_item_clear(&it);
                continue;
            }
            lode_doc *doc = NULL;
            const char *path = it.path ? it.path : it.name;
            int rc;
            /* a big document: its tree on huge pages (allocator.h) */
            int big = it.path ? cli_allocator_big_begin(it.bytes) : -1;
            if (!it.path) {
                lode_parse_options jpo = {it.format, NULL, 0};
                rc = lode_doc_parse(e, it.data, it.len, it.name, &jpo, &doc);
            } else if (!strcmp(it.path, "-")) {
                rc = lode_doc_read_file(e, stdin, "<stdin>", &po, &doc);
            } else {
                rc = lode_doc_load(e, it.path, &po, &doc);
            }
            if (rc != LODE_OK) {
                cli_allocator_big_end(big);
                cli_error(c, "%s", lode_errmsg(e));
                status = EXIT_DOCUMENT;
                input_item_clear(&it);
                continue;
            }
            q.file = path;
            q.count = 0;
            if (xpath) {
                if (run_xpath(&q, lode_doc_xml(doc), xpath, many) < 0) {
                    lode_doc_free(doc);
                    cli_allocator_big_end(big);
                    input_item_clear(&it);
                    status = EXIT_USAGE;
                    break;
                }
            } else {
                select_each(sel, (xmlNode *)lode_doc_xml(doc), 0, on_match, &q);
                if (q.mode == OUT_COUNT) {
                    if (many)
                        fprintf(c->out, "%s:%ld\n", path, q.count);
                    else
                        fprintf(c->out, "%ld\n", q.count);
                }
            }
            lode_doc_free(doc);
            cli_allocator_big_end(big);
            input_item_clear(&it);
        }
        if (nr < 0) {
            int err = errno;
            cli_error(c, "reading the inputs: %s", strerror(err));
            status = err == ENOMEM ? EXIT_NOMEM : EXIT_DOCUMENT;
        }
        buf_free(&q.line);
    }
    if (sel)
        select_free(&e->mem, sel);
    inputs_free(&in);
    lode_engine_free(e);
    return status;
}
