/* fuzz_xml.c -- libFuzzer target: lode's XML reader (the first byte's bit 0
 * turns on LODE_PARSE_ENTITIES), every writer, and the JSON round trip:
 * write json -> parse json -> write json must give identical bytes.
 * One engine for the process; everything else is freed per input. */
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
        {"markdown", 0}, {"json", LODE_WRITE_INDENT},
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
    }
    lode_doc_free(doc);
    return 0;
}
