/* fuzz_partial.c -- libFuzzer target: partial reports (report.c), the one
 * input lode merge takes from other machines.  Whatever is read must render
 * in every format, and its partial written again must read back to the same
 * bytes (the state round-trips exactly).  One engine per process. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lode.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lode_engine *engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!engine && !(engine = lode_engine_new(NULL)))
        abort();
    struct lode_report *r = report_new(engine);
    if (!r)
        abort();
    char err[512];
    if (report_read_partial(r, (const char *)data, size, "fuzz", err, sizeof err) == 0) {
        static const char *const formats[] = {"json", "csv", "txt", "html"};
        for (size_t i = 0; i < 4; i++) {
            buf out;
            buf_init(&out, &engine->mem);
            if (report_render(r, formats[i], "t", &out, err, sizeof err) != 0)
                abort();
            buf_free(&out);
        }
        buf p1, p2;
        buf_init(&p1, &engine->mem);
        buf_init(&p2, &engine->mem);
        struct lode_report *again = report_new(engine);
        if (!again || report_write_partial(r, "t", &p1) != 0 ||
            report_read_partial(again, p1.ptr, p1.len, "again", err, sizeof err) != 0 ||
            report_write_partial(again, "t", &p2) != 0 || p1.len != p2.len || memcmp(p1.ptr, p2.ptr, p1.len) != 0)
            abort();
        report_free(again);
        buf_free(&p1);
        buf_free(&p2);
    }
    report_free(r);
    return 0;
}
