/* test_cli_harden.c -- the lode command's process-wide libxml2 settings
 * (core/cli/harden.c): after cli_harden_libxml() libxml2's global external
 * entity loader opens nothing -- a local file the default loader reads is
 * refused -- and catalogs are off.  The library itself changes neither
 * (checked first, through lode_engine_new and a parse). */
#include "../../core/cli/harden.c"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "harness.h"
#include "lode.h"

static char canary[] = "/tmp/lode-harden-XXXXXX";

/* Whether libxml2's global loader opens the canary file. */
static int loader_opens_canary(void)
{
    char url[64];
    snprintf(url, sizeof url, "file://%s", canary);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return -1;
    xmlParserInputPtr in = xmlLoadExternalEntity(url, NULL, ctxt);
    int opened = in != NULL;
    if (in)
        xmlFreeInputStream(in);
    xmlFreeParserCtxt(ctxt);
    return opened;
}

static void library_leaves_globals(void)
{
    xmlExternalEntityLoader before = xmlGetExternalEntityLoader();
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = NULL;
    CHECK(e && lode_doc_parse(e, "<a>x</a>", 8, "a.xml", NULL, &d) == LODE_OK);
    lode_doc_free(d);
    lode_engine_free(e);
    CHECK(xmlGetExternalEntityLoader() == before);
    CHECK_EQ_INT(loader_opens_canary(), 1); /* the test can see an open */
#ifdef LIBXML_CATALOG_ENABLED
    CHECK(xmlCatalogGetDefaults() != XML_CATA_ALLOW_NONE);
#endif
}

static void command_denies_all(void)
{
    cli_harden_libxml();
    CHECK(xmlGetExternalEntityLoader() == deny_all);
    CHECK_EQ_INT(loader_opens_canary(), 0);
#ifdef LIBXML_CATALOG_ENABLED
    CHECK(xmlCatalogGetDefaults() == XML_CATA_ALLOW_NONE);
#endif
}

int main(void)
{
    int fd = mkstemp(canary);
    if (fd < 0 || write(fd, "<secret/>", 9) != 9) {
        printf("not ok 1 - cannot write %s\n", canary);
        return 1;
    }
    close(fd);
    xmlInitParser();
    RUN(library_leaves_globals);
    RUN(command_denies_all);
    unlink(canary);
    return harness_done();
}
