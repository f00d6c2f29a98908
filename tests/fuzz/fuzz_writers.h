/* fuzz_writers.h -- shared by the reader targets: one engine for the
 * process, and every writer run on each document read, with the check that
 * each output is NUL-terminated as lode.h promises. */
#ifndef LODE_FUZZ_WRITERS_H
#define LODE_FUZZ_WRITERS_H

#include <stdio.h>
#include <stdlib.h>

#include "lode.h"

static lode_engine *engine;

static void write_all(const lode_doc *doc)
{
    static const struct {
        const char *fmt;
        unsigned flags;
    } w[] = {
        {"xml", 0},      {"xml", LODE_WRITE_INDENT}, {"html", 0}, {"text", 0},
        {"markdown", 0}, {"json", 0},               {"json", LODE_WRITE_INDENT},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        lode_write_options wo = {w[i].fmt, w[i].flags};
        char *out = NULL;
        size_t len = 0;
        if (lode_doc_write_buffer(engine, doc, &wo, &out, &len) == LODE_OK && out[len] != '\0') {
            /* lode.h: the buffer is NUL-terminated, the NUL not counted */
            fprintf(stderr, "writer %s (flags %u): %zu bytes, byte [len] is 0x%02x, not NUL\n", w[i].fmt,
                    w[i].flags, len, (unsigned char)out[len]);
            abort();
        }
        lode_free(engine, out);
    }
}

#endif
