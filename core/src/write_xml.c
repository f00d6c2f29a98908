/* write_xml.c -- the XML and HTML writers: libxml2's serialisers, streaming
 * straight into our buffer (no intermediate xmlBuffer copy), always UTF-8.
 *
 * HTML goes through htmlDocContentDumpFormatOutput rather than xmlSaveDoc:
 * for HTML documents xmlSaveDoc calls htmlSetMetaEncoding, which *inserts or
 * edits <meta> elements in the tree* -- a writer must never change the
 * document it writes.  The readers already make charset declarations in the
 * tree say UTF-8 (read_html.c), which is what we write. */
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

int write_xml(lode_engine *e, xmlDoc *doc, const lode_write_options *wo, buf *out)
{
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
