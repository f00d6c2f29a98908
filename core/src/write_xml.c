/* write_xml.c -- the XML and HTML writers: libxml2's serialisers, streaming
 * straight into our buffer (no intermediate xmlBuffer copy), always UTF-8.
 *
 * HTML goes through htmlDocContentDumpFormatOutput rather than xmlSaveDoc:
 * for HTML documents xmlSaveDoc calls htmlSetMetaEncoding, which *inserts or
 * edits <meta> elements in the tree* -- a writer must never change the
 * document it writes.  The readers already make charset declarations in the
 * tree say UTF-8 (read_html.c), which is what we write. */
#include <ctype.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/xmlsave.h>

#include "format.h"
#include "xmlerr.h"

static int sink(void *ud, const char *data, int len)
{
    buf *b = ud;
    buf_put(b, data, (size_t)len);
    return buf_ok(b) ? len : -1;
}

static int sink_close(void *ud)
{
    (void)ud;
    return 0;
}

/* 1 if href can be written between quotes as it is: no '<', and every '&'
 * starts a reference ("&#38;" is how libxml2's parser keeps "&amp;"). */
static int writable_href(const char *s)
{
    if (strchr(s, '<'))
        return 0;
    for (const char *p = strchr(s, '&'); p; p = strchr(p + 1, '&')) {
        const unsigned char *q = (const unsigned char *)p + 1, *name;
        if (*q == '#')
            q++;
        for (name = q; *q >= 0x80 || (*q && (isalnum(*q) || strchr("_:.-", *q))); q++)
            ;
        if (q == name || *q != ';')
            return 0;
    }
    return 1;
}

/* The first namespace declaration whose name cannot be written, or NULL.
 * libxml2 2.9.14 writes namespace names between quotes unescaped
 * (xmlNsDumpOutput), so a name "a<b" or "a&b" (from a JSON tree, or
 * xmlns="a&lt;b") would make a document no parser reads.  Iterative: an
 * edited tree may be deep. */
static const xmlNs *unwritable_ns(xmlDoc *doc)
{
    xmlNode *n = doc->children;
    while (n) {
        if (n->type == XML_ELEMENT_NODE) {
            for (const xmlNs *ns = n->nsDef; ns; ns = ns->next)
                if (ns->href && !writable_href((const char *)ns->href))
                    return ns;
            if (n->children) {
                n = n->children;
                continue;
            }
        }
        while (!n->next) {
            n = n->parent;
            if (!n || n == (xmlNode *)doc)
                return NULL;
        }
        n = n->next;
    }
    return NULL;
}

int write_xml(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out)
{
    const xmlNs *bad = unwritable_ns(doc);
    if (bad)
        return engine_error(e, LODE_EFORMAT,
                            "xml: cannot write the namespace name \"%.80s\" ('<', or '&' not starting a reference)",
                            (const char *)bad->href);
    int options = XML_SAVE_AS_XML;
    if (wo->flags & LODE_WRITE_INDENT)
        options |= XML_SAVE_FORMAT;
    /* libxml2 reports output errors (our buffer failing to grow) on the
     * thread's generic handler: capture them, never print on the host's
     * stderr */
    xmlerr x;
    xmlerr_begin(&x, NULL);
    xmlSaveCtxtPtr ctx = xmlSaveToIO(sink, sink_close, out, "UTF-8", options);
    if (!ctx) {
        xmlerr_end(&x);
        return engine_error(e, LODE_ENOMEM, "out of memory");
    }
    long rc = xmlSaveDoc(ctx, doc);
    int closed = xmlSaveClose(ctx);
    xmlerr_end(&x);
    /* x.nomem: libxml2 ran out of memory and may have left text out */
    if (!buf_ok(out) || x.nomem)
        return engine_error(e, LODE_ENOMEM, "out of memory");
    if (rc < 0 || closed < 0)
        return engine_error(e, LODE_ERROR, "cannot serialise the document as XML");
    return LODE_OK;
}

int write_html(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out)
{
    /* No encoder: the tree's UTF-8 goes out as is. */
    xmlerr x;
    xmlerr_begin(&x, NULL);
    xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(sink, sink_close, out, NULL);
    if (!ob) {
        xmlerr_end(&x);
        return engine_error(e, LODE_ENOMEM, "out of memory");
    }
    /* libxml2's HTML formatting (format=1, as htmlDocDumpMemory uses) puts a
     * line break after block-level elements only, which changes no rendered
     * content; it is lode's HTML output with or without --indent. */
    (void)wo;
    htmlDocContentDumpFormatOutput(ob, doc, "UTF-8", 1);
    int rc = xmlOutputBufferClose(ob);
    xmlerr_end(&x);
    if (!buf_ok(out) || x.nomem)
        return engine_error(e, LODE_ENOMEM, "out of memory");
    if (rc < 0)
        return engine_error(e, LODE_ERROR, "cannot serialise the document as HTML");
    return LODE_OK;
}
