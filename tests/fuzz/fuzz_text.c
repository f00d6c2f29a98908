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

static lode_engine *engine;

static void write_all(const lode_doc *doc)
{
    static const struct { const char *fmt; unsigned flags; } w[] = {
        {"xml", 0}, {"xml", LODE_WRITE_INDENT}, {"html", 0}, {"text", 0},
        {"markdown", 0}, {"json", 0}, {"json", LODE_WRITE_INDENT},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        lode_write_options wo = {w[i].fmt, w[i].flags};
        char *out = NULL;
        size_t len = 0;
        if (lode_doc_write_buffer(engine, doc, &wo, &out, &len) == LODE_OK && out[len] != '\0'
#ifdef FUZZ_SKIP_EMPTY_NUL /* only while the empty-output bug is open */
            && len > 0
#endif
        ) {
            /* lode.h: the buffer is NUL-terminated, the NUL not counted */
            fprintf(stderr, "writer %s (flags %u): %zu bytes, byte [len] is 0x%02x, not NUL\n",
                    w[i].fmt, w[i].flags, len, (unsigned char)out[len]);
            abort();
        }
        lode_free(engine, out);
    }
}

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
