/* xmlerr.h -- capturing libxml2's diagnostics for one parse.
 *
 * libxml2 reports through the parser context's structured handler, and for
 * errors raised without a context (encoding conversion) through thread-local
 * global handlers.  xmlerr_begin() installs our handler in both places and
 * saves the host's; xmlerr_end() restores them, so an embedding host's own
 * handlers are untouched after every parse (HARDENING 1.3). */
#ifndef LODE_XMLERR_H
#define LODE_XMLERR_H

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#define XMLERR_MSG_MAX 320
#define XMLERR_MAX_DIAGNOSTICS 100

typedef struct xmlerr {
    int count;            /* errors and fatal errors seen */
    int warnings;         /* warnings seen */
    int first_line, first_col, first_code;
    int have_first, first_fatal;
    int deep;             /* "Excessive depth" was reported */
    int huge;             /* a text node passed libxml2's 10,000,000-byte limit:
                             the parse stopped there, the tree is cut */
    int nomem;            /* libxml2 ran out of memory (the tree may be cut) */
    char first[XMLERR_MSG_MAX];
    /* saved thread-local handlers */
    xmlStructuredErrorFunc saved_serror;
    void *saved_sctx;
    xmlGenericErrorFunc saved_generic;
    void *saved_gctx;
} xmlerr;

/* Installs the capture on ctxt (which may be NULL) and the thread. */
void xmlerr_begin(xmlerr *x, xmlParserCtxt *ctxt);
/* Installs the capture of an xmlerr_begin(x, NULL) on ctxt, made since:
 * so that a failure to make the context is captured too. */
void xmlerr_attach(xmlerr *x, xmlParserCtxt *ctxt);
/* Restores the thread's handlers. */
void xmlerr_end(xmlerr *x);
/* A structured error handler (xmlStructuredErrorFunc) recording into the
 * xmlerr x: for xmlTextReaderSetStructuredErrorHandler. */
void xmlerr_on_error(void *x, xmlErrorPtr err);

#endif
