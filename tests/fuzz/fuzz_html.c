/* fuzz_html.c -- libFuzzer target: lode's HTML reader (no forced encoding,
 * so BOM / <meta charset> / UTF-8-else-windows-1252 sniffing runs), then
 * every writer.  One engine for the process; everything else per input.
 *
 * Differential: the engine reads every script and style span, however
 * short, itself (html_rawtext.c, html_raw_min 1).  When it did put text
 * back, the input is read again by a second engine that leaves all of it to
 * libxml2 (html_raw_min SIZE_MAX), and both must give the same result: the
 * same error, or the same tree as lode's JSON (names, lines, text, CDATA,
 * attributes).  When it did not, its parse was libxml2's own. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "lode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fuzz_writers.h"

static lode_engine *slow;

static char *as_json(lode_engine *e, const lode_doc *doc, size_t *len)
{
    lode_write_options wo = {"json", 0};
    char *out = NULL;
    if (lode_doc_write_buffer(e, doc, &wo, &out, len) != LODE_OK)
        return NULL;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine) {
        if (!(engine = lode_engine_new(NULL)) || !(slow = lode_engine_new(NULL)))
            abort();
        engine->html_raw_min = 1;
        slow->html_raw_min = SIZE_MAX;
    }
    lode_parse_options po = {"html", NULL, 0};
    lode_doc *doc = NULL, *ref = NULL;
    size_t filled = engine->html_raw_filled;
    int rc = lode_doc_parse(engine, data, size, "fuzz.html", &po, &doc);
    if (engine->html_raw_filled == filled) {
        /* no text was put back: this was libxml2's own parse of the page */
        if (rc == LODE_OK)
            write_all(doc);
        lode_doc_free(doc);
        return 0;
    }
    int rc_ref = lode_doc_parse(slow, data, size, "fuzz.html", &po, &ref);
    if (rc != rc_ref || (rc != LODE_OK && strcmp(lode_errmsg(engine), lode_errmsg(slow)) != 0)) {
        fprintf(stderr, "raw text read by lode: %d %s\nby libxml2: %d %s\n", rc, lode_errmsg(engine), rc_ref,
                lode_errmsg(slow));
        abort();
    }
    if (rc == LODE_OK) {
        size_t n1 = 0, n2 = 0;
        char *j1 = as_json(engine, doc, &n1), *j2 = as_json(slow, ref, &n2);
        if (j1 && j2 && (n1 != n2 || memcmp(j1, j2, n1) != 0)) {
            fprintf(stderr, "raw text read by lode:\n%s\nby libxml2:\n%s\n", j1, j2);
            abort();
        }
        lode_free(engine, j1);
        lode_free(slow, j2);
        write_all(doc);
    }
    lode_doc_free(doc);
    lode_doc_free(ref);
    return 0;
}
