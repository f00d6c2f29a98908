/* markdown.c -- the markdown plugin's entry point: registers the reader
 * "markdown" (CommonMark + GFM through cmark-gfm, md_read.c) and the writer
 * "gfm" (md_write.c), and registers cmark-gfm's core extensions exactly once
 * per process (engines may load the plugin on several threads at once). */
#include <pthread.h>

#include "md.h"

LODE_PLUGIN_DECLARE("markdown", "1.0.0", "CommonMark + GFM reader and gfm writer (cmark-gfm)");

const lode_api *md_api;

static pthread_once_t exts_once = PTHREAD_ONCE_INIT;
static md_exts exts;
static int exts_ok;

static void exts_init(void)
{
    cmark_gfm_core_extensions_ensure_registered();
    exts.table = cmark_find_syntax_extension("table");
    exts.strikethrough = cmark_find_syntax_extension("strikethrough");
    exts.autolink = cmark_find_syntax_extension("autolink");
    exts.tasklist = cmark_find_syntax_extension("tasklist");
    exts_ok = exts.table && exts.strikethrough && exts.autolink && exts.tasklist;
}

const md_exts *md_extensions(void)
{
    pthread_once(&exts_once, exts_init);
    return exts_ok ? &exts : NULL;
}

static const char *const md_ext[] = {".md", ".markdown", NULL};

int lode_plugin_init(lode_registry *reg, char **errmsg);
LODE_PLUGIN_EXPORT int lode_plugin_init(lode_registry *reg, char **errmsg)
{
    (void)errmsg;
    md_api = reg->api; /* the same static table for every engine */
    if (!md_extensions()) {
        reg->api->error(reg->engine, LODE_ERROR,
                        "markdown: cmark-gfm lacks the table/strikethrough/autolink/tasklist extensions");
        return 1;
    }
    /* No sniffer: any text is Markdown, so guessing from bytes would claim
     * every text file; the reader is chosen by extension or --from. */
    lode_reader r = {sizeof r, "markdown", "CommonMark + GFM (cmark-gfm)", md_ext, NULL, md_read, NULL};
    lode_writer w = {sizeof w, "gfm", "GitHub Flavored Markdown rendered by cmark-gfm", NULL, md_write,
                     NULL};
    /* no extensions: -o x.md stays the built-in markdown writer's */
    if (reg->add_reader(reg, &r) || reg->add_writer(reg, &w))
        return 1;
    return 0;
}
