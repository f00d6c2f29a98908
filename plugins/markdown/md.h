/* md.h -- shared declarations of the markdown plugin: the reader
 * (md_read.c), the writer (md_write.c) and the GFM extensions they share
 * (markdown.c). */
#ifndef LODE_MD_H
#define LODE_MD_H

#include <stdbool.h>
#include <stdint.h>

#include <cmark-gfm.h>
/* Debian installs the extension API under cmark-gfm/ only */
#include <cmark-gfm/cmark-gfm-extension_api.h>
#include <libxml/tree.h>
#include <lode.h>

/* libcmark-gfm-extensions' API.  Debian 12's libcmark-gfm-dev ships the
 * library but not its header (cmark-gfm-core-extensions.h), so the few
 * functions and node types used here are declared from it (same
 * signatures as in 0.29.0.gfm.x). */
void cmark_gfm_core_extensions_ensure_registered(void);
uint16_t cmark_gfm_extensions_get_table_columns(cmark_node *node);
int cmark_gfm_extensions_set_table_columns(cmark_node *node, uint16_t n_columns);
uint8_t *cmark_gfm_extensions_get_table_alignments(cmark_node *node);
int cmark_gfm_extensions_set_table_alignments(cmark_node *node, uint16_t ncols, uint8_t *alignments);
int cmark_gfm_extensions_get_table_row_is_header(cmark_node *node);
int cmark_gfm_extensions_set_table_row_is_header(cmark_node *node, int is_header);
bool cmark_gfm_extensions_get_tasklist_item_checked(cmark_node *node);
extern cmark_node_type CMARK_NODE_TABLE, CMARK_NODE_TABLE_ROW, CMARK_NODE_TABLE_CELL,
    CMARK_NODE_STRIKETHROUGH;

/* The GFM syntax extensions, looked up once per process. */
typedef struct md_exts {
    cmark_syntax_extension *table, *strikethrough, *autolink, *tasklist;
} md_exts;

/* lode's services (reg->api), kept by lode_plugin_init. */
extern const lode_api *md_api;

/* The extensions, registered with cmark-gfm on the first call (thread-safe);
 * NULL if cmark-gfm lacks one of them. */
const md_exts *md_extensions(void);

/* The reader "markdown" and the writer "gfm" (lode_reader.read and
 * lode_writer.write). */
int md_read(void *ud, lode_engine *engine, const char *name, const void *data, size_t len,
            const lode_parse_options *opts, xmlDoc **out);
int md_write(void *ud, lode_engine *engine, const xmlDoc *doc, const lode_write_options *opts,
             lode_emit_fn emit, void *emit_ud);

#endif
