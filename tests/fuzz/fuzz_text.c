/* fuzz_text.c -- libFuzzer target: lode's text reader, then every writer.
 *
 * The first byte chooses the parse flags (bit 0: LODE_PARSE_REPAIR); the
 * rest is the document.  One engine for the process; everything made per
 * input is freed per input, so LeakSanitizer sees real leaks. */
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
    if (size < 1)
        return 0;
    lode_parse_options po = {"text", NULL, (data[0] & 1) ? LODE_PARSE_REPAIR : 0};
    lode_doc *doc = NULL;
    if (lode_doc_parse(engine, data + 1, size - 1, "fuzz.txt", &po, &doc) == LODE_OK)
        write_all(doc);
    lode_doc_free(doc);
    return 0;
}
