/* test_engine.c -- engine lifecycle, options, allocator, errors, formats,
 * document API and atomic saving. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "test_alloc.h"
#include "lode.h"

static void version_and_errors(void)
{
    CHECK_EQ_STR(lode_version(), LODE_VERSION);
    CHECK_EQ_STR(lode_strerror(LODE_OK), "not an error");
    CHECK_EQ_STR(lode_strerror(LODE_EPARSE), "malformed document");
    CHECK_EQ_STR(lode_strerror(12345), "unknown error");
    CHECK_EQ_STR(lode_errmsg(NULL), "no engine (NULL)");
    lode_engine_free(NULL);
    lode_doc_free(NULL);
    lode_free(NULL, NULL); /* the NULL frees are no-ops (a crash fails the suite) */
}

static void formats(void)
{
    lode_engine *e = lode_engine_new(NULL);
    const char *want[] = {"xml", "html", "json", "text", "markdown"};
    size_t i = 0;
    unsigned caps;
    for (const char *f; (f = lode_format_at(e, i, &caps)) != NULL; i++) {
        CHECK_EQ_STR(f, want[i]);
        CHECK(caps & LODE_FORMAT_WRITE);
    }
    CHECK_EQ_INT(i, 5);
    lode_format_at(e, 4, &caps);
    CHECK_EQ_INT(caps, LODE_FORMAT_WRITE); /* markdown is written, not read (plugin) */
    CHECK_EQ_STR(lode_format_detect(e, "a/b/page.HTM", NULL, 0), "html");
    CHECK_EQ_STR(lode_format_detect(e, "x.xhtml", NULL, 0), "xml");
    CHECK_EQ_STR(lode_format_detect(e, "notes.text", NULL, 0), "text");
    CHECK_EQ_STR(lode_format_detect(e, "noext", "  <?xml version='1.0'?><a/>", 27), "xml");
    CHECK_EQ_STR(lode_format_detect(e, "noext", "<!DOCTYPE html><p>", 18), "html");
    CHECK_EQ_STR(lode_format_detect(e, "noext", "<html><body>", 12), "html");
    CHECK_EQ_STR(lode_format_detect(e, "noext", "<TEI xmlns='x'/>", 16), "xml");
    CHECK_EQ_STR(lode_format_detect(e, NULL, "{\"lode\":\"tree\"}", 15), "json");
    CHECK_EQ_STR(lode_format_detect(e, NULL, "Hello, world\n", 13), "text");
    CHECK(lode_format_detect(e, "bin", "\x7f" "ELF\0\0", 6) == NULL);
    CHECK_EQ_INT(lode_errcode(e), LODE_EFORMAT);
    CHECK(strstr(lode_errmsg(e), "bin: cannot tell the format") != NULL);
    lode_engine_free(e);
}

static void allocator_balances(void)
{
    test_alloc c = {0};
    lode_options o;
    lode_options_init(&o);
    o.alloc = test_alloc_fn;
    o.alloc_ud = &c;
    lode_engine *e = lode_engine_new(&o);
    CHECK(e != NULL);
    lode_doc *d = NULL;
    const char *s = "<a><b>x</b></a>";
    CHECK(lode_doc_parse(e, s, strlen(s), "m.xml", NULL, &d) == LODE_OK);
    char *out = NULL;
    size_t n = 0;
    lode_write_options wo = {"xml", 0};
    CHECK(lode_doc_write_buffer(e, d, &wo, &out, &n) == LODE_OK);
    CHECK(out && n == strlen(out) && strstr(out, "<a><b>x</b></a>") != NULL);
    CHECK(c.blocks > 0);
    lode_free(e, out);
    lode_doc_free(d);
    lode_engine_free(e);
    CHECK_EQ_INT(c.blocks, 0);
    CHECK_EQ_INT(c.bytes, 0);
    CHECK_EQ_INT(c.bad_size, 0);
}

static void allocation_failures_are_clean(void)
{
    /* Fail each allocation in turn: every call must fail cleanly (an error
     * code, no crash) or succeed, and nothing may leak. */
    const char *s = " date 2019-04 Headline\n\nPara one.\n\nPara two.\n";
    int failures_seen = 0, all_clean = 1;
    for (long n = 2; n < 40; n++) {
        test_alloc c = {.fail_at = n};
        lode_options o;
        lode_options_init(&o);
        o.alloc = test_alloc_fn;
        o.alloc_ud = &c;
        lode_engine *e = lode_engine_new(&o); /* allocation 1 */
        if (!e)
            continue;
        lode_doc *d = NULL;
        int rc = lode_doc_parse(e, s, strlen(s), "a.txt", NULL, &d);
        if (rc == LODE_OK) {
            char *out = NULL;
            lode_write_options wo = {"json", 0};
            rc = lode_doc_write_buffer(e, d, &wo, &out, NULL);
            lode_free(e, out);
        }
        if (rc != LODE_OK) {
            failures_seen++;
            if (rc != LODE_ENOMEM)
                all_clean = 0;
        }
        lode_doc_free(d);
        lode_engine_free(e);
        if (!test_alloc_clean(&c))
            all_clean = 0;
    }
    CHECK(failures_seen > 0);
    CHECK(all_clean);
}

static void adopt_and_accessors(void)
{
    lode_engine *e = lode_engine_new(NULL);
    xmlDoc *x = xmlReadMemory("<r/>", 4, "host.xml", NULL, XML_PARSE_NONET);
    lode_doc *d = NULL;
    CHECK(lode_doc_adopt(e, x, "host.xml", NULL, &d) == LODE_OK);
    CHECK(lode_doc_xml(d) == x);
    CHECK_EQ_STR(lode_doc_format(d), "xml");
    CHECK_EQ_STR(lode_doc_name(d), "host.xml");
    lode_doc_free(d); /* frees x too: ASan would report a leak otherwise */
    x = xmlReadMemory("<r/>", 4, "host.xml", NULL, XML_PARSE_NONET);
    CHECK(lode_doc_adopt(e, x, NULL, "nonsense", &d) == LODE_EFORMAT); /* x freed on failure */
    CHECK(d == NULL);
    lode_engine_free(e);
}

static void save_is_atomic(void)
{
    lode_engine *e = lode_engine_new(NULL);
    char dir[] = "/tmp/lode-unit-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/out.html", dir);
    lode_doc *d = NULL;
    CHECK(lode_doc_parse(e, "Hello\n", 6, "h.txt", NULL, &d) == LODE_OK);
    lode_write_options wo = {"html", 0};
    CHECK(lode_doc_save(e, d, &wo, path) == LODE_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 0);
    /* An unknown writer fails before touching the file. */
    lode_write_options bad = {"docx", 0};
    CHECK(lode_doc_save(e, d, &bad, path) == LODE_EFORMAT);
    CHECK(stat(path, &st) == 0 && st.st_size > 0);
    /* A folder that does not exist: EIO, and nothing left behind. */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such.html", dir);
    CHECK(lode_doc_save(e, d, &wo, missing) == LODE_EIO);
    CHECK(strstr(lode_errmsg(e), "no/such.html") != NULL);
    unlink(path);
    CHECK(rmdir(dir) == 0); /* empty: no temporary file was left */
    lode_doc_free(d);
    lode_engine_free(e);
}

static void load_errors(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = (lode_doc *)1;
    CHECK(lode_doc_load(e, "/nonexistent/x.xml", NULL, &d) == LODE_EIO);
    CHECK(d == NULL);
    CHECK(strstr(lode_errmsg(e), "/nonexistent/x.xml: cannot open") != NULL);
    CHECK(lode_doc_load(e, "/tmp", NULL, &d) == LODE_EIO);
    CHECK(strstr(lode_errmsg(e), "is a folder") != NULL);
    lode_options o;
    lode_options_init(&o);
    o.limits.max_input_bytes = 10;
    lode_engine *small = lode_engine_new(&o);
    CHECK(lode_doc_parse(small, "<a>0123456789</a>", 17, "big.xml", NULL, &d) == LODE_ELIMIT);
    CHECK(strstr(lode_errmsg(small), "input limit of 10 bytes") != NULL);
    lode_engine_free(small);
    lode_parse_options po = {"pdf", NULL, 0};
    CHECK(lode_doc_parse(e, "x", 1, "a.pdf", &po, &d) == LODE_EFORMAT);
    lode_engine_free(e);
}

int main(void)
{
    RUN(version_and_errors);
    RUN(formats);
    RUN(allocator_balances);
    RUN(allocation_failures_are_clean);
    RUN(adopt_and_accessors);
    RUN(save_is_atomic);
    RUN(load_errors);
    return harness_done();
}
