/* fuzz_jsonl.c -- libFuzzer target: JSON Lines input of `lode run --from
 * jsonl` (core/cli/inputs.c: line splitting, the id/content/meta checks,
 * gzip through zlib), then each document parsed with its reader and its
 * metadata attached.  The input reaches inputs.c as a file (a memfd seen
 * through /proc/self/fd), as lode run gives it one.  One engine per
 * process. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "inputs.h"
#include "lode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lode_engine *engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine && !(engine = lode_engine_new(NULL)))
        abort();
    int fd = memfd_create("fuzz.jsonl", 0);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    inputs in;
    memset(&in, 0, sizeof in);
    in.jsonl = 1;
    if (inputs_add(&in, path) == 0) {
        input_item it;
        int n = 0;
        /* at most 1000 items; the count is tested first, so an item taken
         * is always cleared */
        while (n < 1000 && inputs_next(&in, &it) > 0) {
            n++;
            if (!it.error && it.data) {
                lode_parse_options po = {it.format, NULL, 0};
                lode_doc *doc = NULL;
                if (lode_doc_parse(engine, it.data, it.len, it.name, &po, &doc) == LODE_OK && it.meta &&
                    lode_doc_set_meta(engine, doc, it.meta, it.meta_len) != LODE_OK)
                    abort(); /* inputs.c hands out only well-formed meta objects */
                lode_doc_free(doc);
            }
            input_item_clear(&it);
        }
    }
    inputs_free(&in);
    close(fd);
    return 0;
}
