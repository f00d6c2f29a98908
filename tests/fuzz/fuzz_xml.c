/* fuzz_xml.c -- libFuzzer target: lode's XML reader (the first byte's bit 0
 * turns on LODE_PARSE_ENTITIES), every writer, and the JSON round trip:
 * write json -> parse json -> write json must give identical bytes; the
 * XML writer's output must read back.
 * One engine for the process; everything else is freed per input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fuzz_writers.h"

static void json_round_trip(const lode_doc *doc)
{
    lode_write_options wo = {"json", 0};
    char *j1 = NULL, *j2 = NULL;
    size_t n1 = 0, n2 = 0;
    if (lode_doc_write_buffer(engine, doc, &wo, &j1, &n1) != LODE_OK)
        return; /* a limit or an unwritable tree: not a round-trip question */
    lode_parse_options po = {"json", NULL, 0};
    lode_doc *back = NULL;
    int rc = lode_doc_parse(engine, j1, n1, "roundtrip.json", &po, &back);
    if (rc != LODE_OK) {
        fprintf(stderr, "fuzz_xml: lode cannot read its own JSON (%s): %s\n%.*s\n",
                lode_strerror(rc), lode_errmsg(engine), (int)(n1 > 2000 ? 2000 : n1), j1);
        abort();
    }
    if (lode_doc_write_buffer(engine, back, &wo, &j2, &n2) != LODE_OK) {
        fprintf(stderr, "fuzz_xml: second JSON write failed: %s\n", lode_errmsg(engine));
        abort();
    }
    if (n1 != n2 || memcmp(j1, j2, n1) != 0) {
        fprintf(stderr, "fuzz_xml: JSON round trip differs\n--- first\n%.*s\n--- second\n%.*s\n",
                (int)(n1 > 2000 ? 2000 : n1), j1, (int)(n2 > 2000 ? 2000 : n2), j2);
        abort();
    }
    lode_free(engine, j1);
    lode_free(engine, j2);
    lode_doc_free(back);
}

/* What the XML writer makes of a document lode read must read back. */
static void xml_reads_back(const lode_doc *doc, unsigned flags)
{
    lode_write_options wo = {"xml", 0};
    char *x = NULL;
    size_t n = 0;
    if (lode_doc_write_buffer(engine, doc, &wo, &x, &n) != LODE_OK)
        return;
    lode_parse_options po = {"xml", NULL, flags};
    lode_doc *back = NULL;
    int rc = lode_doc_parse(engine, x, n, "again.xml", &po, &back);
    if (rc != LODE_OK) {
        fprintf(stderr, "fuzz_xml: lode cannot read its own XML (%s): %s\n%.*s\n", lode_strerror(rc),
                lode_errmsg(engine), (int)(n > 2000 ? 2000 : n), x);
        abort();
    }
    lode_doc_free(back);
    lode_free(engine, x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine && !(engine = lode_engine_new(NULL)))
        abort();
    if (size < 1)
        return 0;
    lode_parse_options po = {"xml", NULL, (data[0] & 1) ? LODE_PARSE_ENTITIES : 0};
    lode_doc *doc = NULL;
    if (lode_doc_parse(engine, data + 1, size - 1, "fuzz.xml", &po, &doc) == LODE_OK) {
        write_all(doc);
        json_round_trip(doc);
        xml_reads_back(doc, po.flags);
    }
    lode_doc_free(doc);
    return 0;
}
