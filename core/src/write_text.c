/* write_text.c -- the plain-text writer: readable text, no markup.
 *
 * The layout comes from textwalk (blocks separated by one blank line,
 * collapsed inline text, "- " and "1. " list items, nested items indented);
 * this file decides what plain text makes of the rest:
 *  - inline markup, links and images leave only their text (image alt text
 *    is dropped: it describes a picture the reader of plain text does not
 *    have, and scraped pages fill it with file names);
 *  - blockquotes are plain blocks, <hr> is dropped;
 *  - <pre> is kept verbatim, minus leading blank lines and trailing space;
 *  - a table is one line per row, non-empty cells joined by " | ";
 *  - head/title is written first unless the body's first heading says the
 *    same thing (the text reader and most articles repeat it as h1). */
#include "format.h"

#include <string.h>

#include "textwalk.h"

/* Text needs no escaping. */
static void text_run(textwalk *w, const char *s, size_t n, int next)
{
    (void)next;
    textwalk_put(w, s, n);
}

/* Verbatim lines.  Blank lines before the first text and whitespace after
 * the last are layout, not content; the indentation of the first text line
 * is kept. */
static void text_pre(textwalk *w, xmlNode *pre)
{
    buf t;
    buf_init(&t, &w->e->mem);
    textwalk_collect_pre(w, pre, &t);
    if (textwalk_ok(w) && buf_ok(&t)) {
        size_t start = 0, end = t.len;
        for (size_t i = 0; i < t.len; i++) {
            char c = t.ptr[i];
            if (c == '\n')
                start = i + 1;
            else if (c != ' ' && c != '\t' && c != '\f')
                break;
        }
        while (end > start && strchr(" \t\n\f", t.ptr[end - 1]))
            end--;
        if (end > start)
            textwalk_block_lines(w, t.ptr + start, end - start);
    }
    buf_free(&t);
}

/* One line per row; empty cells (layout spacers, mostly) are left out, and
 * so are rows without any text. */
static void text_table(textwalk *w, xmlNode *table)
{
    buf lines, cell;
    buf_init(&lines, &w->e->mem);
    buf_init(&cell, &w->e->mem);
    for (xmlNode *row = textwalk_next_row(w, table, NULL); row && textwalk_ok(w);
         row = textwalk_next_row(w, table, row)) {
        size_t row_at = lines.len;
        int cells = 0;
        for (xmlNode *c = textwalk_next_cell(w, row, NULL); c && textwalk_ok(w);
             c = textwalk_next_cell(w, row, c)) {
            textwalk_cell(w, c, &cell);
            if (!cell.len)
                continue;
            if (cells++)
                buf_puts(&lines, " | ");
            else if (row_at)
                buf_putc(&lines, '\n');
            buf_put(&lines, cell.ptr, cell.len);
        }
    }
    if (!buf_ok(&lines))
        textwalk_fail(w, LODE_ENOMEM, "out of memory");
    else
        textwalk_block_lines(w, lines.ptr, lines.len);
    buf_free(&cell);
    buf_free(&lines);
}

static const textwalk_style text_style = {
    .text = text_run,
    .inline_element = NULL,
    .pre = text_pre,
    .table = text_table,
    .hard_break = "",
    .quote = "",
    .hr = NULL,
    .hr_in_lead = NULL,
    .figcaption = NULL,
    .term = NULL,
    .atx_headings = 0,
    .alt_markers = 0,
    .cell_pipes = 0,
};

int write_text(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out)
{
    (void)wo;
    textwalk w;
    textwalk_init(&w, e, doc, out, &text_style);
    buf title, heading;
    buf_init(&title, &e->mem);
    buf_init(&heading, &e->mem);
    if (textwalk_title(&w, &title)) {
        int same = textwalk_first_heading(&w, 0, &heading) && heading.len == title.len &&
                   memcmp(heading.ptr, title.ptr, title.len) == 0;
        if (!same)
            textwalk_heading(&w, 1, title.ptr, title.len);
    }
    if (!buf_ok(&heading))
        textwalk_fail(&w, LODE_ENOMEM, "out of memory");
    buf_free(&title);
    buf_free(&heading);
    textwalk_document(&w);
    return textwalk_finish(&w);
}
