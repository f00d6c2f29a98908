/* html5.c -- the html5 plugin: a reader "html5" that builds trees as
 * browsers do (the WHATWG tree construction algorithm, by gumbo), in the
 * vocabulary of lode's built-in HTML reader.
 *
 * The steps: choose the charset as the built-in reader does and convert to
 * UTF-8 (charset.c); refuse what the limits forbid before gumbo sees it
 * (prescan.c: gumbo is quadratic on deep nesting and many attributes);
 * parse under a guard that turns gumbo's failed assertions into an error
 * of one document (guard.c); convert gumbo's tree to libxml2's (convert.c),
 * measuring the real depth; free everything gumbo allocated.  The reader
 * has no file extensions (.html stays with the built-in reader) and no
 * sniffer: it is chosen by name. */
#include <lode.h>

#include <stdlib.h>
#include <string.h>

#include <gumbo.h>
#include <libxml/tree.h>

#include "charset.h"
#include "convert.h"
#include "guard.h"
#include "prescan.h"

LODE_PLUGIN_DECLARE("html5", "1.0.0", "HTML5 reader: browser tree construction by gumbo");

static const lode_api *api; /* lode's services: a static table, kept */

/* 1-based line and column (in bytes) of offset off in s. */
static void position(const unsigned char *s, size_t off, int *line, int *col)
{
    int l = 1;
    size_t bol = 0;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n') {
            l++;
            bol = i + 1;
        }
    *line = l;
    *col = (int)(off - bol) + 1;
}

static void warn_charset(lode_engine *e, const char *name, const h5_charset *cs, const char *forced,
                         const unsigned char *data)
{
    if (cs->forced_unknown)
        api->warn(e, "%s: unknown charset '%s' given; reading as %s", name, forced, cs->name);
    if (cs->declared_unknown)
        api->warn(e, "%s: unknown charset '%s' declared; reading as %s", name, cs->declared, cs->name);
    if (cs->invalid_utf8) {
        int line, col;
        position(data + cs->bom, cs->invalid_at, &line, &col);
        api->warn(e, "%s:%d:%d: invalid UTF-8 at byte offset %zu; bad bytes become U+FFFD", name, line, col,
                  cs->invalid_at + cs->bom);
    }
}

static int html5_read(void *ud, lode_engine *e, const char *name, const void *data, size_t len,
                      const lode_parse_options *po, struct _xmlDoc **out)
{
    (void)ud;
    *out = NULL;
    const lode_limits *lim = api->limits(e);
    const unsigned char *bytes = data;
    h5_charset cs;
    h5_charset_detect(bytes, len, po ? po->encoding : NULL, &cs);
    if (len == cs.bom)
        return api->error(e, LODE_EEMPTY, "%s: empty document", name);
    warn_charset(e, name, &cs, po ? po->encoding : NULL, bytes);
    h5_text text;
    size_t replaced;
    if (h5_charset_to_utf8(bytes, len, &cs, &text, &replaced) < 0)
        return api->error(e, LODE_ENOMEM, "%s: out of memory", name);
    if (replaced && !cs.invalid_utf8)
        api->warn(e, "%s: %zu byte sequence(s) not valid in %s became U+FFFD", name, replaced, cs.name);

    size_t off = 0;
    int rc = h5_prescan(text.data, text.len, lim->max_attributes, lim->max_depth, &off);
    if (rc != H5_PRESCAN_OK) {
        int line = 0, col = 0;
        if (rc != H5_PRESCAN_NOMEM)
            position(text.data, off, &line, &col);
        free(text.owned);
        if (rc == H5_PRESCAN_ATTRIBUTES)
            return api->error(e, LODE_ELIMIT, "%s:%d:%d: more than %u attributes on one tag (limit)", name, line,
                              col, lim->max_attributes);
        if (rc == H5_PRESCAN_DEPTH)
            return api->error(e, LODE_ELIMIT, "%s:%d:%d: elements nested deeper than %u levels (limit)", name,
                              line, col, lim->max_depth);
        return api->error(e, LODE_ENOMEM, "%s: out of memory", name);
    }

    h5_guard g;
    rc = h5_guard_parse(&g, (const char *)text.data, text.len);
    if (rc != H5_GUARD_OK) {
        h5_guard_free(&g);
        free(text.owned);
        if (rc == H5_GUARD_ABORTED)
            return api->error(e, LODE_EPARSE, "%s: gumbo failed an internal assertion on this input "
                              "(a bug of gumbo 0.10.1); --from html reads it", name);
        return api->error(e, LODE_ENOMEM, "%s: out of memory", name);
    }
    xmlDoc *doc = NULL;
    unsigned line = 0;
    /* gumbo's tree points into the text (tag names of unknown elements) */
    rc = h5_convert(g.output, lim->max_depth, &doc, &line);
    h5_guard_free(&g);
    free(text.owned);
    if (rc == H5_CONVERT_DEPTH)
        return api->error(e, LODE_ELIMIT, "%s:%u: elements nested deeper than %u levels (limit)", name, line,
                          lim->max_depth);
    if (rc != H5_CONVERT_OK)
        return api->error(e, LODE_ENOMEM, "%s: out of memory", name);
    if (strcmp(cs.name, "UTF-8") != 0)
        h5_declare_utf8(doc);
    doc->URL = xmlStrdup((const xmlChar *)name);
    *out = doc;
    return LODE_OK;
}

int lode_plugin_init(lode_registry *reg, char **errmsg);
LODE_PLUGIN_EXPORT int lode_plugin_init(lode_registry *reg, char **errmsg)
{
    (void)errmsg;
    api = reg->api;
    h5_guard_install();
    lode_reader r = {sizeof r, "html5", "HTML as browsers build it (WHATWG tree construction, gumbo)", NULL, NULL,
                     html5_read, NULL};
    return reg->add_reader(reg, &r) != LODE_OK;
}
