/* xmlerr.c -- per-parse capture of libxml2 diagnostics (see xmlerr.h). */
#include "xmlerr.h"

#include <stdio.h>
#include <string.h>

/* A fatal error ends a parse that does not recover: the document is
 * refused whatever follows.  libxml2 2.9.14 parses on to the end and raises
 * every further error, and some copy the text read so far into the error
 * (a comment full of "--" copies the comment once per "--": quadratic, 15 s
 * for 240 KB).  Marking the context finished, as xmlStopParser does but
 * without freeing the input under the parser's feet, makes every later
 * error return at once and the parse loops end. */
static void stop_strict_parse(const xmlError *err)
{
    if (err->domain != XML_FROM_PARSER || !err->ctxt)
        return;
    xmlParserCtxt *ctxt = err->ctxt;
    if (ctxt->recovery)
        return;
    ctxt->disableSAX = 1;
    ctxt->instate = XML_PARSER_EOF;
}

/* Keeps the first error (the one that explains the failure), counts the
 * rest, and never prints.  Diagnostics beyond XMLERR_MAX_DIAGNOSTICS are only
 * counted: an unterminated <script> can raise hundreds of thousands. */
static void record(xmlerr *x, const xmlError *err)
{
    if (!err)
        return;
    if (err->code == XML_ERR_INTERNAL_ERROR && err->message && strstr(err->message, "Excessive depth"))
        x->deep = 1;
    /* libxml2 reports its text-node cap as a memory error and stops parsing
     * without clearing wellFormed: the document would silently end there. */
    if (err->code == XML_ERR_NO_MEMORY) {
        if (err->message && strstr(err->message, "huge text node"))
            x->huge = 1;
        else
            x->nomem = 1;
    }
    if (err->level == XML_ERR_WARNING) {
        x->warnings++;
        return;
    }
    x->count++;
    if (err->level == XML_ERR_FATAL)
        stop_strict_parse(err);
    /* Keep the first fatal error if there is one, else the first error. */
    int fatal = err->level == XML_ERR_FATAL;
    if (x->have_first && (x->first_fatal || !fatal))
        return;
    x->have_first = 1;
    x->first_fatal = fatal;
    x->first_line = err->line;
    x->first_col = err->int2;
    x->first_code = err->code;
    const char *m = err->message ? err->message : "unknown error";
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    if (n >= sizeof x->first)
        n = sizeof x->first - 1;
    memcpy(x->first, m, n);
    x->first[n] = '\0';
}

static void on_ctxt_error(void *ud, xmlErrorPtr err)
{
    xmlParserCtxt *ctxt = ud;
    if (ctxt && ctxt->_private)
        record(ctxt->_private, err);
}

static void on_thread_error(void *ud, xmlErrorPtr err)
{
    record(ud, err);
}

void xmlerr_on_error(void *x, xmlErrorPtr err)
{
    record(x, err);
}

/* Generic (unstructured) messages only need silencing: every error that
 * matters also arrives through a structured handler. */
static void on_generic(void *ud, const char *fmt, ...)
{
    (void)ud;
    (void)fmt;
}

void xmlerr_begin(xmlerr *x, xmlParserCtxt *ctxt)
{
    memset(x, 0, sizeof *x);
    x->saved_serror = xmlStructuredError;
    x->saved_sctx = xmlStructuredErrorContext;
    x->saved_generic = xmlGenericError;
    x->saved_gctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(x, on_thread_error);
    xmlSetGenericErrorFunc(x, on_generic);
    xmlerr_attach(x, ctxt);
}

void xmlerr_attach(xmlerr *x, xmlParserCtxt *ctxt)
{
    if (ctxt) {
        ctxt->_private = x;
        if (ctxt->sax) {
            ctxt->sax->serror = on_ctxt_error;
            ctxt->sax->error = NULL;
            ctxt->sax->warning = NULL;
            ctxt->sax->fatalError = NULL;
        }
        ctxt->vctxt.error = NULL;
        ctxt->vctxt.warning = NULL;
    }
}

void xmlerr_end(xmlerr *x)
{
    xmlSetStructuredErrorFunc(x->saved_sctx, x->saved_serror);
    xmlSetGenericErrorFunc(x->saved_gctx, x->saved_generic);
}
