/* fuzz_html.c -- libFuzzer target: lode's HTML reader (no forced encoding,
 * so BOM / <meta charset> / UTF-8-else-windows-1252 sniffing runs), then
 * every writer.  One engine for the process; everything else per input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fuzz_writers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine && !(engine = lode_engine_new(NULL)))
        abort();
    lode_parse_options po = {"html", NULL, 0};
    lode_doc *doc = NULL;
    if (lode_doc_parse(engine, data, size, "fuzz.html", &po, &doc) == LODE_OK)
        write_all(doc);
    lode_doc_free(doc);
    return 0;
}
