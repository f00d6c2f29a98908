/* format.h -- the format registry: readers and writers by name.
 *
 * Readers build a libxml2 tree from bytes; writers serialise a tree into a
 * buf.  Both report failures through engine_error() with the source name (and
 * line:col or byte offset where known) at the start of the message. */
#ifndef LODE_FORMAT_H
#define LODE_FORMAT_H

#include <stddef.h>
#include <libxml/tree.h>
#include "buf.h"
#include "engine.h"

/* Reads len bytes at data.  name: display name (never NULL here).  On success
 * stores a new tree in *out and returns LODE_OK. */
typedef int (*format_read_fn)(lode_engine *e, const char *name, const unsigned char *data,
                              size_t len, const lode_parse_options *po, xmlDoc **out);
/* Appends the serialised doc to out. */
typedef int (*format_write_fn)(lode_engine *e, xmlDoc *doc, const lode_write_options *wo,
                               buf *out);
/* Returns non-zero if the first bytes look like this format. */
typedef int (*format_sniff_fn)(const unsigned char *data, size_t len);

typedef struct format {
    const char *name;
    const char *const *extensions; /* NULL-terminated, lower case, with the dot */
    format_read_fn read;           /* NULL: not readable (unless reader) */
    format_write_fn write;         /* NULL: not writable (unless writer) */
    format_sniff_fn sniff;         /* NULL: never sniffed (unless reader->sniff) */
    const lode_reader *reader;     /* a plugin's reader (then read is NULL) */
    const lode_writer *writer;     /* a plugin's writer (then write is NULL) */
    int streams;                   /* write only appends to its buf (it may spill) */
} format;

/* Whether f can be read / written, through lode's code or a plugin's. */
#define format_readable(f) ((f)->read != NULL || (f)->reader != NULL)
#define format_writable(f) ((f)->write != NULL || (f)->writer != NULL)
/* Whether f's writer only appends, so its output can go out in pieces as it
 * is made (buf_init_spill): the xml, html and json writers, and plugins'
 * (their emit callback appends). */
#define format_streams(f) ((f)->write ? (f)->streams : (f)->writer != NULL)

/* Reads with f (built in or plugin); same contract as format_read_fn.  A
 * plugin's tree is checked: a reader that returns LODE_OK without a tree
 * (or with a tree but an error) is reported as a bug of the plugin. */
int format_read(lode_engine *e, const format *f, const char *name, const unsigned char *data,
                size_t len, const lode_parse_options *po, xmlDoc **out);
/* Writes with f (built in or plugin) into out. */
int format_write(lode_engine *e, const format *f, xmlDoc *doc, const lode_write_options *wo,
                 buf *out);

/* The built-in formats, in sniffing order. */
extern const format format_builtin[];
extern const size_t format_builtin_count;

/* The format called name (or a common alias: md, txt, htm, xhtml), or
 * NULL.  Looks only at what is loaded. */
const format *format_find(const lode_engine *e, const char *name);
/* The format called name that can be read / written, loading the engine's
 * plugin path first if what is loaded has none; NULL if none. */
const format *format_for_read(lode_engine *e, const char *name);
const format *format_for_write(lode_engine *e, const char *name);

/* Readers (read_*.c). */
int read_xml(lode_engine *e, const char *name, const unsigned char *data, size_t len,
             const lode_parse_options *po, xmlDoc **out);
int read_html(lode_engine *e, const char *name, const unsigned char *data, size_t len,
              const lode_parse_options *po, xmlDoc **out);
int read_text(lode_engine *e, const char *name, const unsigned char *data, size_t len,
              const lode_parse_options *po, xmlDoc **out);
int read_json(lode_engine *e, const char *name, const unsigned char *data, size_t len,
              const lode_parse_options *po, xmlDoc **out);

/* Writers (write_*.c). */
int write_xml(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out);
int write_html(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out);
int write_text(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out);
int write_markdown(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out);
int write_json(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out);

/* Sniffers. */
int sniff_xml(const unsigned char *data, size_t len);
int sniff_html(const unsigned char *data, size_t len);
int sniff_json(const unsigned char *data, size_t len);
int sniff_text(const unsigned char *data, size_t len);

#endif
