/* fuzz_json.c -- libFuzzer target: lode's JSON tree reader (docs/json-tree.md),
 * then every writer; a document read from JSON must also survive
 * json -> parse -> json unchanged.  One engine per process. */
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
    lode_parse_options po = {"json", NULL, 0};
    lode_doc *doc = NULL;
    if (lode_doc_parse(engine, data, size, "fuzz.json", &po, &doc) == LODE_OK)
        write_all(doc);
    lode_doc_free(doc);
    return 0;
}
