/* harden.c -- process-wide libxml2 settings of the lode command (HARDENING
 * section 5, "CLI only"): a deny-all external entity loader and catalogs
 * off.  The library never changes libxml2's global state (a host may rely
 * on it); every parse lode makes already refuses external entities and DTDs
 * through its own context (read_xml.c), so these are a second wall, for any
 * libxml2 code path that would reach the global loader or a catalog. */
#include "harden.h"

#include <jansson.h>
#include <stdlib.h>

#include <libxml/catalog.h>
#include <libxml/globals.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlIO.h>

/* Loads nothing, whatever the URL: no file, no network, no catalog. */
static xmlParserInputPtr deny_all(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

void cli_harden_libxml(void)
{
    xmlSetExternalEntityLoader(deny_all);
#ifdef LIBXML_CATALOG_ENABLED
    xmlCatalogSetDefaults(XML_CATA_ALLOW_NONE);
#endif
    /* libxml2 2.9's buffers grow to the exact size by default: a text of
     * many entity references or nodes (string() in XPath, node contents)
     * is reallocated at every piece, and glibc's realloc of a mapped block
     * moves its page tables each time, quadratic in the text's length
     * (tests/patho, xml-fanout-8k-under-limit-xpath: 2.9x the time for 2x
     * the input).  Hybrid: exact while small, then doubling.  Per thread in
     * 2.9, so for this thread and the default of threads to come. */
    xmlSetBufferAllocationScheme(XML_BUFFER_ALLOC_HYBRID);
    xmlThrDefBufferAllocScheme(XML_BUFFER_ALLOC_HYBRID);
}

_Thread_local int cli_json_alloc_failed;

static void *json_alloc_watched(size_t n)
{
    void *p = malloc(n);
    if (!p)
        cli_json_alloc_failed = 1;
    return p;
}

void cli_watch_json_alloc(void)
{
    json_set_alloc_funcs(json_alloc_watched, free);
}
