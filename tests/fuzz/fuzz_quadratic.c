/* fuzz_quadratic.c -- libFuzzer target after cmark-gfm's fuzz_quadratic:
 * a short input names a slice of itself to repeat, so the fuzzer can build
 * large documents (up to MAX_DOC bytes) from a few bytes and find inputs
 * whose reading or writing time grows faster than their size.  A slow input
 * shows up as a libFuzzer timeout (-timeout=10 in run.sh), never as a
 * wrong result, so this target checks nothing else.
 *
 * Input: a 5-byte header, then text T.
 *   byte 0      reader: bits 0-1 choose text, xml, html, json; bit 2 turns
 *               on LODE_PARSE_REPAIR (text) or LODE_PARSE_ENTITIES (xml)
 *   byte 1      prefix length P (clamped to |T|)
 *   byte 2      slice length S (clamped to |T| - P)
 *   bytes 3-4   repeat count N, big-endian (clamped so the document stays
 *               within MAX_DOC bytes)
 * The document is T[0,P) + N x T[P,P+S) + T[P+S,|T|), read with the chosen
 * reader and written with every writer.  One engine per process. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fuzz_writers.h"

#define MAX_DOC (512u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine && !(engine = lode_engine_new(NULL)))
        abort();
    if (size < 5)
        return 0;
    static const char *const formats[] = {"text", "xml", "html", "json"};
    unsigned fmt = data[0] & 3;
    unsigned flags = 0;
    if (data[0] & 4)
        flags = fmt == 0 ? LODE_PARSE_REPAIR : fmt == 1 ? LODE_PARSE_ENTITIES : 0;
    const uint8_t *t = data + 5;
    size_t tlen = size - 5;
    size_t p = data[1] < tlen ? data[1] : tlen;
    size_t s = data[2] < tlen - p ? data[2] : tlen - p;
    size_t n = ((size_t)data[3] << 8) | data[4];
    size_t room = tlen < MAX_DOC ? MAX_DOC - tlen : 0;
    if (s == 0)
        n = 0;
    else if (n > room / s)
        n = room / s;

    size_t len = tlen - s + n * s;
    uint8_t *doc_bytes = malloc(len ? len : 1);
    if (!doc_bytes)
        abort();
    memcpy(doc_bytes, t, p);
    for (size_t i = 0; i < n; i++)
        memcpy(doc_bytes + p + i * s, t + p, s);
    memcpy(doc_bytes + p + n * s, t + p + s, tlen - p - s);

    lode_parse_options po = {formats[fmt], NULL, flags};
    lode_doc *doc = NULL;
    if (lode_doc_parse(engine, doc_bytes, len, "fuzz", &po, &doc) == LODE_OK)
        write_all(doc);
    lode_doc_free(doc);
    free(doc_bytes);
    return 0;
}
