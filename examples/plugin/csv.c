/* csv.c -- a minimal third-party lode plugin: a reader for CSV files
 * (RFC 4180: comma-separated, fields in double quotes may hold commas,
 * quotes doubled, and line breaks) into an HTML table whose first row is
 * the header.  Built out of tree against the installed lode.h:
 *
 *     cc -std=c11 -shared -fPIC $(pkg-config --cflags lode libxml-2.0) csv.c \
 *        -o csv.so $(pkg-config --libs libxml-2.0)
 *     lode convert --plugin ./csv.so people.csv -t markdown
 *
 * It needs nothing from liblode: lode's services come through reg->api. */
#include <lode.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <string.h>

LODE_PLUGIN_DECLARE("csv", "1.0.0", "CSV files as an HTML table (example plugin)");

static const lode_api *api;
static const char *const csv_ext[] = {".csv", NULL};

/* One field of src starting at *pos: unquoted up to ',' or a line end, or
 * quoted.  Appends the field's text to out (a libxml2 buffer) and returns
 * the char that ended it (',' '\n' or 0 at the end), or -1 for an
 * unterminated quote.  Counts line breaks in *line. */
static int field(const char *src, size_t len, size_t *pos, xmlBufferPtr out, int *line)
{
    size_t i = *pos;
    if (i < len && src[i] == '"') {
        for (i++;; i++) {
            if (i >= len)
                return -1;
            if (src[i] == '"') {
                if (i + 1 < len && src[i + 1] == '"') {
                    xmlBufferAdd(out, BAD_CAST "\"", 1);
                    i++;
                    continue;
                }
                i++;
                break;
            }
            if (src[i] == '\n')
                (*line)++;
            if (src[i] != '\r')
                xmlBufferAdd(out, BAD_CAST (src + i), 1);
        }
    } else {
        size_t s = i;
        while (i < len && src[i] != ',' && src[i] != '\n' && src[i] != '\r')
            i++;
        xmlBufferAdd(out, BAD_CAST (src + s), (int)(i - s));
    }
    if (i < len && src[i] == '\r')
        i++;
    int end = i < len ? src[i] : 0;
    if (end != 0 && end != ',' && end != '\n')
        end = ','; /* text after a closing quote: take it as the next field */
    else if (end)
        i++;
    *pos = i;
    return end;
}

static int csv_read(void *ud, lode_engine *e, const char *name, const void *data, size_t len,
                    const lode_parse_options *opts, struct _xmlDoc **out)
{
    (void)ud;
    (void)opts;
    const char *src = data;
    xmlDoc *doc = htmlNewDocNoDtD(NULL, NULL);
    xmlNode *html = xmlNewDocNode(doc, NULL, BAD_CAST "html", NULL);
    xmlDocSetRootElement(doc, html);
    xmlNode *body = xmlNewChild(html, NULL, BAD_CAST "body", NULL);
    xmlNode *table = xmlNewChild(body, NULL, BAD_CAST "table", NULL);
    xmlNode *part = xmlNewChild(table, NULL, BAD_CAST "thead", NULL);
    xmlBufferPtr cell = xmlBufferCreate();
    size_t pos = 0;
    int line = 1, rows = 0;
    while (pos < len) {
        int row_line = line;
        xmlNode *tr = xmlNewChild(part, NULL, BAD_CAST "tr", NULL);
        tr->line = (unsigned short)(row_line < 65535 ? row_line : 65535);
        int end;
        do {
            xmlBufferEmpty(cell);
            end = field(src, len, &pos, cell, &line);
            if (end < 0) {
                xmlBufferFree(cell);
                xmlFreeDoc(doc);
                return api->error(e, LODE_EPARSE, "%s:%d: a quoted field is not closed", name, row_line);
            }
            const xmlChar *text = xmlBufferContent(cell);
            int n = xmlBufferLength(cell);
            if ((int)strlen((const char *)text) != n || !xmlCheckUTF8(text)) {
                xmlBufferFree(cell);
                xmlFreeDoc(doc);
                return api->error(e, LODE_EENCODING, "%s:%d: a field is not UTF-8 text", name, row_line);
            }
            xmlNode *c = xmlNewChild(tr, NULL, BAD_CAST (rows == 0 ? "th" : "td"), NULL);
            xmlNodeAddContentLen(c, text, n);
        } while (end == ',');
        line++;
        if (rows++ == 0)
            part = xmlNewChild(table, NULL, BAD_CAST "tbody", NULL);
    }
    xmlBufferFree(cell);
    *out = doc;
    return LODE_OK;
}

int lode_plugin_init(lode_registry *reg, char **errmsg);
LODE_PLUGIN_EXPORT int lode_plugin_init(lode_registry *reg, char **errmsg)
{
    (void)errmsg;
    api = reg->api;
    lode_reader r = {sizeof r, "csv", "comma-separated values (RFC 4180)", csv_ext, NULL, csv_read, NULL};
    return reg->add_reader(reg, &r);
}
