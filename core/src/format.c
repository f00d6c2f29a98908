/* format.c -- the format registry (built-ins and plugins' readers and
 * writers), detection by name and sniffing, and dispatch. */
#include "format.h"

#include <string.h>
#include <strings.h>

#include "plugin.h"
#include "tree_check.h"

static const char *const xml_ext[] = {".xml", ".xhtml", ".tei", ".jats", ".dbk", ".svg", ".rss", ".atom", NULL};
static const char *const html_ext[] = {".html", ".htm", NULL};
static const char *const text_ext[] = {".txt", ".text", NULL};
static const char *const json_ext[] = {".json", NULL};
static const char *const md_ext[] = {".md", ".markdown", NULL};

/* Sniffing order matters: json before text (any UTF-8 is text), html before
 * xml (an XHTML page starting "<?xml" is still XML: sniff_html refuses it). */
const format format_builtin[] = {
    {"xml", xml_ext, read_xml, write_xml, sniff_xml, NULL, NULL, 1},
    {"html", html_ext, read_html, write_html, sniff_html, NULL, NULL, 1},
    {"json", json_ext, read_json, write_json, sniff_json, NULL, NULL, 1},
    {"text", text_ext, read_text, write_text, sniff_text, NULL, NULL, 0},
    {"markdown", md_ext, NULL, write_markdown, NULL, NULL, NULL, 0},
};
const size_t format_builtin_count = sizeof format_builtin / sizeof format_builtin[0];

const format *format_find(const lode_engine *e, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < e->nformats; i++)
        if (strcmp(e->formats[i].name, name) == 0)
            return &e->formats[i];
    /* Common aliases people type. */
    if (strcmp(name, "md") == 0)
        return format_find(e, "markdown");
    if (strcmp(name, "txt") == 0)
        return format_find(e, "text");
    if (strcmp(name, "htm") == 0 || strcmp(name, "xhtml") == 0)
        return format_find(e, strcmp(name, "xhtml") == 0 ? "xml" : "html");
    return NULL;
}

const format *format_for_read(lode_engine *e, const char *name)
{
    const format *f = format_find(e, name);
    if ((!f || !format_readable(f)) && plugins_need(e))
        f = format_find(e, name);
    return f && format_readable(f) ? f : NULL;
}

const format *format_for_write(lode_engine *e, const char *name)
{
    const format *f = format_find(e, name);
    if ((!f || !format_writable(f)) && plugins_need(e))
        f = format_find(e, name);
    return f && format_writable(f) ? f : NULL;
}

const char *lode_format_at(const lode_engine *e, size_t i, unsigned *caps)
{
    if (!e || i >= e->nformats)
        return NULL;
    if (caps)
        *caps = (format_readable(&e->formats[i]) ? LODE_FORMAT_READ : 0u) |
                (format_writable(&e->formats[i]) ? LODE_FORMAT_WRITE : 0u);
    return e->formats[i].name;
}

/* Skips a UTF-8 BOM and ASCII whitespace. */
static const unsigned char *skip_lead(const unsigned char *p, const unsigned char *end)
{
    if (end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

static int starts_ci(const unsigned char *p, const unsigned char *end, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(end - p) >= n && strncasecmp((const char *)p, s, n) == 0;
}

/* HTML: a doctype html, or an <html/<head/<body tag, or a comment followed by
 * one of them, near the start.  Looks at most 1 KiB. */
int sniff_html(const unsigned char *data, size_t len)
{
    const unsigned char *end = data + (len > 1024 ? 1024 : len);
    const unsigned char *p = skip_lead(data, end);
    if (starts_ci(p, end, "<!doctype html"))
        return 1;
    for (; p < end; p++) {
        if (*p != '<')
            continue;
        if (starts_ci(p, end, "<html") || starts_ci(p, end, "<head") || starts_ci(p, end, "<body") ||
            starts_ci(p, end, "<meta") || starts_ci(p, end, "<title"))
            return 1;
        if (starts_ci(p, end, "<?xml"))
            return 0;
    }
    return 0;
}

int sniff_xml(const unsigned char *data, size_t len)
{
    const unsigned char *end = data + len;
    const unsigned char *p = skip_lead(data, end);
    if (starts_ci(p, end, "<?xml"))
        return 1;
    if (p < end && *p == '<' && !sniff_html(data, len))
        return 1;
    return 0;
}

int sniff_json(const unsigned char *data, size_t len)
{
    const unsigned char *end = data + len;
    const unsigned char *p = skip_lead(data, end);
    if (p >= end || *p != '{')
        return 0;
    /* A lode tree names itself in its first key. */
    p++;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return starts_ci(p, end, "\"lode\"");
}

/* Anything without NUL bytes in its first 4 KiB is taken as text; the text
 * reader then validates the encoding properly. */
int sniff_text(const unsigned char *data, size_t len)
{
    size_t n = len > 4096 ? 4096 : len;
    return memchr(data, 0, n) == NULL;
}

/* Whether name has an extension (after looking through ".gz"). */
static int has_extension(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    size_t n = strlen(base);
    if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0)
        n -= 3;
    for (size_t i = n; i-- > 1;)
        if (base[i] == '.')
            return 1;
    return 0;
}

/* The format of a file name's extension; a trailing ".gz" is looked
 * through ("a.xml.gz" is xml: lode_doc_load inflates gzip data), so only a
 * bare "a.gz" is left to sniffing. */
static const format *by_extension(const lode_engine *e, const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    size_t n = strlen(base);
    if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0)
        n -= 3;
    const char *dot = NULL;
    for (size_t i = n; i-- > 0;)
        if (base[i] == '.') {
            dot = base + i;
            break;
        }
    if (!dot || dot == base)
        return NULL;
    size_t xl = n - (size_t)(dot - base);
    for (size_t i = 0; i < e->nformats; i++) {
        const format *f = &e->formats[i];
        if (!format_readable(f) || !f->extensions)
            continue;
        for (const char *const *x = f->extensions; *x; x++)
            if (strlen(*x) == xl && strncasecmp(dot, *x, xl) == 0)
                return f;
    }
    return NULL;
}

const char *lode_format_detect(lode_engine *e, const char *name, const void *data, size_t len)
{
    if (!e)
        return NULL;
    engine_clear_error(e);
    const format *f = name ? by_extension(e, name) : NULL;
    /* An extension no loaded reader claims: maybe a plugin's (.md, .csv). */
    if (!f && name && has_extension(name) && plugins_need(e))
        f = by_extension(e, name);
    if (f)
        return f->name;
    if (data) {
        /* Plugins' sniffers first: the built-in text sniffer takes anything
         * without NUL bytes.  They see at most 4 KiB. */
        for (size_t i = 0; i < e->nformats; i++) {
            const lode_reader *r = e->formats[i].reader;
            if (r && r->sniff && r->sniff(r->ud, data, len > 4096 ? 4096 : len))
                return e->formats[i].name;
        }
        for (size_t i = 0; i < e->nformats; i++)
            if (e->formats[i].read && e->formats[i].sniff && e->formats[i].sniff(data, len))
                return e->formats[i].name;
    }
    engine_error(e, LODE_EFORMAT, "%s: cannot tell the format (use --from xml|html|text|json)",
                 engine_srcname(name));
    return NULL;
}

int format_read(lode_engine *e, const format *f, const char *name, const unsigned char *data,
                size_t len, const lode_parse_options *po, xmlDoc **out)
{
    *out = NULL;
    if (f->read)
        return f->read(e, name, data, len, po, out);
    const lode_reader *r = f->reader;
    xmlDoc *doc = NULL;
    int rc = r->read(r->ud, e, name, data, len, po, &doc);
    if (rc != LODE_OK) {
        xmlFreeDoc(doc);
        if (e->errcode == LODE_OK)
            engine_error(e, rc, "%s: the %s reader failed (%s)", name, f->name, lode_strerror(rc));
        return rc;
    }
    if (!doc)
        return engine_error(e, LODE_ERROR, "%s: the %s reader returned no tree (a bug of its plugin)",
                            name, f->name);
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ERROR, "%s: the %s reader returned a tree without a root element "
                            "(a bug of its plugin)", name, f->name);
    }
    /* A broken tree from native code would crash lode far from its cause:
     * check the links once (one walk, cheap next to any parse). */
    char why[256];
    if (tree_check(doc, why, sizeof why) != 0) {
        xmlFreeDoc(doc);
        return engine_error(e, LODE_ERROR, "%s: the %s reader built an inconsistent tree (a bug of its "
                            "plugin): %s", name, f->name, why);
    }
    *out = doc;
    return LODE_OK;
}

/* The plugin writer's emit callback: appends to a buf. */
static int emit_buf(void *ud, const void *data, size_t len)
{
    buf *b = ud;
    buf_put(b, data, len);
    return buf_ok(b) ? 0 : -1;
}

int format_write(lode_engine *e, const format *f, xmlDoc *doc, const lode_write_options *wo,
                 buf *out)
{
    if (f->write)
        return f->write(e, doc, wo, out);
    const lode_writer *w = f->writer;
    int rc = w->write(w->ud, e, doc, wo, emit_buf, out);
    if (rc == LODE_OK && !buf_ok(out))
        return engine_error(e, LODE_ENOMEM, "out of memory while writing %s", f->name);
    if (rc != LODE_OK && e->errcode == LODE_OK)
        engine_error(e, rc, "the %s writer failed (%s)", f->name, lode_strerror(rc));
    return rc;
}
