/* test_api.c -- every public function of lode.h, through the public API only,
 * including misuse.
 *
 * Misuse (NULL engine, document, options or out pointers) must give
 * LODE_EMISUSE or a documented no-op, never a crash.  The document functions
 * (doc.c) also assert on misuse, so in a build with asserts on (the Makefile's)
 * such a call aborts on purpose: that is the contract violation being caught.
 * Those cases run in a forked child, and the check passes when the child
 * either returned LODE_EMISUSE or was stopped by SIGABRT (an assert); a
 * SIGSEGV, any other signal, another status or a sanitizer report fails it.
 * Built with -DNDEBUG only LODE_EMISUSE passes (the release behaviour).
 *
 * Run from the project root (tests/run.sh does): a few cases read
 * examples/documents/. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <lauxlib.h>
#include <lua.h>

#include "collect.h"
#include "harness.h"
#include "lode.h"

#define SEED "examples/documents/putin-kim-wladiwostok.txt"

static const char small_xml[] = "<?xml version=\"1.0\"?>\n<r>\n<p id=\"a\">one</p>\n<p>two</p>\n</r>\n";

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static lode_doc *parse(lode_engine *e, const char *s, const char *name)
{
    lode_doc *d = NULL;
    int rc = lode_doc_parse(e, s, strlen(s), name, NULL, &d);
    if (rc != LODE_OK)
        printf("# parse %s: %s\n", name, lode_errmsg(e));
    return d;
}

/* Serialises d as fmt; returns a malloc'ed copy (or NULL). */
static char *write_str(lode_engine *e, const lode_doc *d, const char *fmt)
{
    lode_write_options wo = {.format = fmt};
    char *out = NULL;
    size_t n = 0;
    if (lode_doc_write_buffer(e, d, &wo, &out, &n) != LODE_OK)
        return NULL;
    char *copy = malloc(n + 1);
    if (copy) {
        memcpy(copy, out, n);
        copy[n] = '\0';
    }
    lode_free(e, out);
    return copy;
}

static lode_rules *load(lode_engine *e, const char *src, const char *name, const lode_rules_options *ro)
{
    lode_rules *r = NULL;
    int rc = lode_rules_load_string(e, src, strlen(src), name, ro, &r);
    if (rc != LODE_OK)
        printf("# load %s: %s\n", name, lode_errmsg(e));
    return r;
}

/* ------------------------------------------------------------------ */
/* misuse in a child                                                   */
/* ------------------------------------------------------------------ */

/* The fixture a misuse case may use: a working engine, document, options,
 * output pointers and stream. */
typedef struct fixture {
    lode_engine *e;
    lode_doc *d;
    lode_write_options wo;
    lode_write_options wo_nofmt;
    char *out;
    size_t len;
    FILE *fp;
    lode_doc *dd;
} fixture;

/* Every case is an expression of the fixture f that must give LODE_EMISUSE
 * (or abort on an assert). */
#define MISUSE_CASES(X)                                                                      \
    X(parse_null_engine, lode_doc_parse(NULL, "<a/>", 4, "m.xml", NULL, &f->dd))            \
    X(parse_null_out, lode_doc_parse(f->e, "<a/>", 4, "m.xml", NULL, NULL))                  \
    X(parse_null_data_with_len, lode_doc_parse(f->e, NULL, 4, "m.xml", NULL, &f->dd))        \
    X(load_null_engine, lode_doc_load(NULL, SEED, NULL, &f->dd))                             \
    X(load_null_path, lode_doc_load(f->e, NULL, NULL, &f->dd))                               \
    X(load_null_out, lode_doc_load(f->e, SEED, NULL, NULL))                                  \
    X(read_file_null_engine, lode_doc_read_file(NULL, f->fp, "x.txt", NULL, &f->dd))         \
    X(read_file_null_fp, lode_doc_read_file(f->e, NULL, "x.txt", NULL, &f->dd))              \
    X(read_file_null_out, lode_doc_read_file(f->e, f->fp, "x.txt", NULL, NULL))              \
    X(adopt_null_engine, lode_doc_adopt(NULL, xmlReadMemory("<a/>", 4, NULL, NULL, 0), NULL, \
                                        NULL, &f->dd))                                       \
    X(adopt_null_xml, lode_doc_adopt(f->e, NULL, NULL, NULL, &f->dd))                        \
    X(adopt_null_out, lode_doc_adopt(f->e, xmlReadMemory("<a/>", 4, NULL, NULL, 0), NULL,    \
                                     NULL, NULL))                                            \
    X(write_buffer_null_engine, lode_doc_write_buffer(NULL, f->d, &f->wo, &f->out, &f->len)) \
    X(write_buffer_null_doc, lode_doc_write_buffer(f->e, NULL, &f->wo, &f->out, &f->len))    \
    X(write_buffer_null_opts, lode_doc_write_buffer(f->e, f->d, NULL, &f->out, &f->len))     \
    X(write_buffer_null_format,                                                              \
      lode_doc_write_buffer(f->e, f->d, &f->wo_nofmt, &f->out, &f->len))                     \
    X(write_buffer_null_out, lode_doc_write_buffer(f->e, f->d, &f->wo, NULL, &f->len))       \
    X(write_file_null_engine, lode_doc_write_file(NULL, f->d, &f->wo, f->fp))                \
    X(write_file_null_doc, lode_doc_write_file(f->e, NULL, &f->wo, f->fp))                   \
    X(write_file_null_opts, lode_doc_write_file(f->e, f->d, NULL, f->fp))                    \
    X(write_file_null_fp, lode_doc_write_file(f->e, f->d, &f->wo, NULL))                     \
    X(save_null_engine, lode_doc_save(NULL, f->d, &f->wo, "/tmp/lode-api-never"))            \
    X(save_null_doc, lode_doc_save(f->e, NULL, &f->wo, "/tmp/lode-api-never"))               \
    X(save_null_opts, lode_doc_save(f->e, f->d, NULL, "/tmp/lode-api-never"))                \
    X(save_null_path, lode_doc_save(f->e, f->d, &f->wo, NULL))

#define MISUSE_FN(name, expr)                                                                \
    static int misuse_##name(fixture *f) { return (expr); }
MISUSE_CASES(MISUSE_FN)

typedef struct misuse_case {
    const char *name;
    int (*fn)(fixture *);
} misuse_case;

#define MISUSE_ENTRY(name, expr) {#name, misuse_##name},
static const misuse_case misuse_cases[] = {MISUSE_CASES(MISUSE_ENTRY)};

/* Runs one case in a child.  Returns 'r' (returned LODE_EMISUSE), 'a'
 * (aborted: an assert), or 0 for anything else (described on stdout). */
static int run_misuse(const misuse_case *c)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        printf("#   fork: %s\n", strerror(errno));
        return 0;
    }
    if (pid == 0) {
        fixture f;
        memset(&f, 0, sizeof f);
        f.e = lode_engine_new(NULL);
        f.d = parse(f.e, "<a><b>x</b></a>", "fixture.xml");
        f.wo.format = "xml";
        f.wo_nofmt.format = NULL;
        f.fp = fmemopen(NULL, 4096, "w+");
        if (!f.e || !f.d || !f.fp)
            _exit(20);
        int rc = c->fn(&f);
        /* _exit: no atexit handlers (and no LeakSanitizer) in the child */
        _exit(rc == LODE_EMISUSE ? 0 : rc == LODE_OK ? 21 : 10 + (rc & 7));
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 'r';
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT)
        return 'a';
    if (WIFSIGNALED(st))
        printf("#   %s: the child died with signal %d (%s)\n", c->name, WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        printf("#   %s: the child exited with status %d (21: LODE_OK; 20: fixture failed; 1: sanitizer report)\n",
               c->name, WEXITSTATUS(st));
    return 0;
}

static void misuse_documents(void)
{
    size_t n = sizeof misuse_cases / sizeof misuse_cases[0];
    int asserted = 0, returned = 0;
    for (size_t i = 0; i < n; i++) {
        int how = run_misuse(&misuse_cases[i]);
        char what[160];
        snprintf(what, sizeof what, "misuse %s: LODE_EMISUSE or an assert, no crash", misuse_cases[i].name);
#ifdef NDEBUG
        harness_check(how == 'r', __FILE__, __LINE__, what);
#else
        harness_check(how == 'r' || how == 'a', __FILE__, __LINE__, what);
#endif
        asserted += how == 'a';
        returned += how == 'r';
    }
    printf("# %zu misuse cases: %d caught by an assert, %d returned LODE_EMISUSE\n", n, asserted, returned);
}

/* ------------------------------------------------------------------ */
/* version, status codes, options, engine                              */
/* ------------------------------------------------------------------ */

static void version_and_strerror(void)
{
    CHECK_EQ_STR(lode_version(), LODE_VERSION);
    CHECK_EQ_INT(LODE_VERSION_NUMBER, 100);
    static const struct {
        int code;
        const char *text;
    } codes[] = {
        {LODE_OK, "not an error"},
        {LODE_ERROR, "error"},
        {LODE_ENOMEM, "out of memory"},
        {LODE_EIO, "input/output error"},
        {LODE_EPARSE, "malformed document"},
        {LODE_EENCODING, "invalid encoding"},
        {LODE_ELIMIT, "safety limit reached"},
        {LODE_EFORMAT, "unknown or undetectable format"},
        {LODE_EMISUSE, "API misuse"},
        {LODE_EEMPTY, "empty document"},
        {LODE_ESCRIPT, "rule script error"},
        {LODE_ESANDBOX, "sandbox limit reached"},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK_EQ_INT(codes[i].code, (int)i); /* the codes are 0..11, in order */
        CHECK_EQ_STR(lode_strerror(codes[i].code), codes[i].text);
    }
    /* every message distinct, one line */
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        for (size_t j = i + 1; j < sizeof codes / sizeof codes[0]; j++)
            if (!strcmp(lode_strerror((int)i), lode_strerror((int)j)))
                CHECK(!"two status codes share a message");
    CHECK_EQ_STR(lode_strerror(-1), "unknown error");
    CHECK_EQ_STR(lode_strerror(12), "unknown error");
    CHECK_EQ_STR(lode_strerror(0x7fffffff), "unknown error");
    CHECK(lode_strerror(-2147483647 - 1) != NULL);
}

static void *refuse_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0)
        free(ptr);
    return NULL;
}

static void options_and_engine(void)
{
    lode_options o;
    memset(&o, 0xab, sizeof o);
    lode_options_init(&o);
    CHECK(o.alloc == NULL && o.alloc_ud == NULL && o.log == NULL && o.log_ud == NULL);
    CHECK(o.limits.max_input_bytes == (size_t)256 << 20);
    CHECK_EQ_INT(o.limits.max_depth, 256);
    CHECK_EQ_INT(o.limits.max_attributes, 1024);
    CHECK(o.limits.max_entity_expansion == (size_t)16 << 20);
    CHECK_EQ_INT(o.sandbox.enabled, 0);
    CHECK(o.sandbox.max_memory == (size_t)64 << 20);
    CHECK(o.sandbox.max_steps == 100000000ull);
    CHECK_EQ_INT(o.sandbox.timeout_ms, 5000);
    lode_options_init(NULL); /* no-op */

    /* NULL options, a zeroed struct and lode_options_init all work */
    lode_engine *a = lode_engine_new(NULL);
    lode_options z;
    memset(&z, 0, sizeof z);
    lode_engine *b = lode_engine_new(&z);
    lode_engine *c = lode_engine_new(&o);
    CHECK(a && b && c);
    CHECK_EQ_STR(lode_errmsg(a), "");
    CHECK_EQ_INT(lode_errcode(a), LODE_OK);
    /* options are copied: changing them later has no effect */
    o.limits.max_input_bytes = 3;
    lode_doc *d = NULL;
    CHECK_EQ_INT(lode_doc_parse(c, "<a>1234</a>", 11, "c.xml", NULL, &d), LODE_OK);
    lode_doc_free(d);
    lode_engine_free(a);
    lode_engine_free(b);
    lode_engine_free(c);
    lode_engine_free(NULL);

    /* an allocator that refuses everything: no engine, no crash */
    lode_options no;
    lode_options_init(&no);
    no.alloc = refuse_alloc;
    CHECK(lode_engine_new(&no) == NULL);

    /* engine-less calls */
    CHECK_EQ_STR(lode_errmsg(NULL), "no engine (NULL)");
    CHECK_EQ_INT(lode_errcode(NULL), LODE_EMISUSE);
    lode_free(NULL, NULL);
    CHECK(lode_format_at(NULL, 0, NULL) == NULL);
    CHECK(lode_format_detect(NULL, "a.xml", NULL, 0) == NULL);
}

static void errors_are_per_call(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = (lode_doc *)&d;
    CHECK_EQ_INT(lode_doc_parse(e, "<a><b></a>", 10, "bad.xml", NULL, &d), LODE_EPARSE);
    CHECK(d == NULL); /* on failure *out is NULL */
    CHECK_EQ_INT(lode_errcode(e), LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "bad.xml:1:"));
    /* success clears the message and the code */
    CHECK_EQ_INT(lode_doc_parse(e, "<a/>", 4, "good.xml", NULL, &d), LODE_OK);
    CHECK_EQ_STR(lode_errmsg(e), "");
    CHECK_EQ_INT(lode_errcode(e), LODE_OK);
    /* a write failure, then a write success */
    lode_write_options bad = {.format = "docx"};
    char *out = (char *)&out;
    size_t len = 99;
    CHECK_EQ_INT(lode_doc_write_buffer(e, d, &bad, &out, &len), LODE_EFORMAT);
    CHECK(out == NULL && len == 0);
    CHECK(contains(lode_errmsg(e), "docx"));
    CHECK_EQ_INT(lode_errcode(e), LODE_EFORMAT);
    lode_write_options wo = {.format = "xml"};
    CHECK_EQ_INT(lode_doc_write_buffer(e, d, &wo, &out, &len), LODE_OK);
    CHECK_EQ_STR(lode_errmsg(e), "");
    CHECK_EQ_INT(lode_errcode(e), LODE_OK);
    lode_free(e, out);
    /* rules: a failed load, then a successful one */
    lode_rules *r = (lode_rules *)&r;
    CHECK_EQ_INT(lode_rules_load_string(e, "return 1", 8, "n.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(r == NULL);
    CHECK_EQ_INT(lode_errcode(e), LODE_ESCRIPT);
    r = load(e, "return {}", "ok.lua", NULL);
    CHECK(r != NULL);
    CHECK_EQ_STR(lode_errmsg(e), "");
    CHECK_EQ_INT(lode_errcode(e), LODE_OK);
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    CHECK_EQ_STR(lode_errmsg(e), "");
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK);
    CHECK_EQ_STR(lode_errmsg(e), "");
    CHECK_EQ_INT(lode_errcode(e), LODE_OK);
    lode_rules_free(r);
    lode_doc_free(d);
    /* messages are one line of text: control characters from names are
     * replaced */
    CHECK_EQ_INT(lode_doc_parse(e, "<a>", 3, "evil\033[2J.xml", NULL, &d), LODE_EPARSE);
    CHECK(strchr(lode_errmsg(e), '\033') == NULL);
    lode_engine_free(e);
}

/* Every call that can fail clears the last error when it succeeds. */
static void fail_first(lode_engine *e)
{
    lode_doc *d = NULL;
    lode_doc_parse(e, "<a>", 3, "stale.xml", NULL, &d);
}

static int cleared(lode_engine *e, const char *call)
{
    int ok = lode_errcode(e) == LODE_OK && strcmp(lode_errmsg(e), "") == 0;
    if (!ok)
        printf("#   after a successful %s: code %d, message \"%s\"\n", call, lode_errcode(e), lode_errmsg(e));
    return ok;
}

static void success_clears_error(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = NULL, *d2 = NULL;
    lode_rules *r = NULL, *r2 = NULL;
    char tmpl[] = "/tmp/lode-api-XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);
    char path[300], rpath[300];
    snprintf(path, sizeof path, "%s/d.xml", tmpl);
    snprintf(rpath, sizeof rpath, "%s/r.lua", tmpl);
    FILE *f = fopen(rpath, "w");
    fputs("return { p = function() end }\n", f);
    fclose(f);
    lode_write_options wo = {.format = "xml"};

    fail_first(e);
    CHECK(lode_doc_parse(e, "<a/>", 4, "a.xml", NULL, &d) == LODE_OK && cleared(e, "lode_doc_parse"));
    fail_first(e);
    CHECK(lode_doc_save(e, d, &wo, path) == LODE_OK && cleared(e, "lode_doc_save"));
    fail_first(e);
    CHECK(lode_doc_load(e, path, NULL, &d2) == LODE_OK && cleared(e, "lode_doc_load"));
    lode_doc_free(d2);
    fail_first(e);
    FILE *fp = fopen(path, "r");
    CHECK(lode_doc_read_file(e, fp, "f.xml", NULL, &d2) == LODE_OK && cleared(e, "lode_doc_read_file"));
    fclose(fp);
    lode_doc_free(d2);
    fail_first(e);
    xmlDoc *x = xmlReadMemory("<r/>", 4, NULL, NULL, XML_PARSE_NONET);
    CHECK(lode_doc_adopt(e, x, NULL, NULL, &d2) == LODE_OK && cleared(e, "lode_doc_adopt"));
    lode_doc_free(d2);
    fail_first(e);
    char *out = NULL;
    CHECK(lode_doc_write_buffer(e, d, &wo, &out, NULL) == LODE_OK && cleared(e, "lode_doc_write_buffer"));
    lode_free(e, out);
    fail_first(e);
    FILE *sink_fp = fopen("/dev/null", "w");
    CHECK(lode_doc_write_file(e, d, &wo, sink_fp) == LODE_OK && cleared(e, "lode_doc_write_file"));
    fclose(sink_fp);
    fail_first(e);
    CHECK(lode_format_detect(e, "a.xml", NULL, 0) != NULL && cleared(e, "lode_format_detect"));
    fail_first(e);
    CHECK(lode_rules_load(e, rpath, NULL, &r) == LODE_OK && cleared(e, "lode_rules_load"));
    fail_first(e);
    CHECK(lode_rules_load_string(e, "return {}", 9, "s.lua", NULL, &r2) == LODE_OK &&
          cleared(e, "lode_rules_load_string"));
    fail_first(e);
    CHECK(lode_rules_run(r, d) == LODE_OK && cleared(e, "lode_rules_run"));
    fail_first(e);
    CHECK(lode_rules_finish(r) == LODE_OK && cleared(e, "lode_rules_finish"));
    lode_rules_free(r);
    lode_rules_free(r2);
    lode_doc_free(d);
    lode_engine_free(e);
    unlink(path);
    unlink(rpath);
    CHECK(rmdir(tmpl) == 0);
}

/* ------------------------------------------------------------------ */
/* formats                                                             */
/* ------------------------------------------------------------------ */

static void formats(void)
{
    lode_engine *e = lode_engine_new(NULL);
    size_t i = 0;
    unsigned caps = 0;
    int seen_read = 0;
    while (lode_format_at(e, i, &caps))
        seen_read += (caps & LODE_FORMAT_READ) != 0, i++;
    CHECK_EQ_INT(i, 5);
    CHECK_EQ_INT(seen_read, 4);
    CHECK(lode_format_at(e, 0, NULL) != NULL); /* caps may be NULL */
    /* past the end: NULL, caps untouched */
    caps = 0x5a5a;
    CHECK(lode_format_at(e, 5, &caps) == NULL);
    CHECK(lode_format_at(e, 1000, &caps) == NULL);
    CHECK(lode_format_at(e, (size_t)-1, &caps) == NULL);
    CHECK_EQ_INT(caps, 0x5a5a);
    /* detection */
    CHECK_EQ_STR(lode_format_detect(e, "a.json", NULL, 0), "json");
    CHECK_EQ_STR(lode_format_detect(e, "dir.x/a.TXT", NULL, 0), "text");
    CHECK_EQ_STR(lode_format_detect(e, NULL, "<r/>", 4), "xml");
    CHECK_EQ_STR(lode_format_detect(e, "a.md", "<r/>", 4), "xml"); /* markdown is not readable: sniffed */
    CHECK(lode_format_detect(e, NULL, NULL, 0) == NULL);
    CHECK_EQ_INT(lode_errcode(e), LODE_EFORMAT);
    CHECK(contains(lode_errmsg(e), "<memory>: cannot tell the format"));
    CHECK(lode_format_detect(e, "x.bin", "\0\0\0", 3) == NULL);
    CHECK(contains(lode_errmsg(e), "x.bin"));
    lode_engine_free(e);
}

/* ------------------------------------------------------------------ */
/* documents                                                           */
/* ------------------------------------------------------------------ */

static void documents_parse(void)
{
    logbuf lg;
    memset(&lg, 0, sizeof lg);
    lode_options o;
    lode_options_init(&o);
    o.log = on_log;
    o.log_ud = &lg;
    lode_engine *e = lode_engine_new(&o);
    lode_doc *d = NULL;

    /* each reader, detected and forced */
    CHECK_EQ_INT(lode_doc_parse(e, small_xml, strlen(small_xml), "s.xml", NULL, &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_format(d), "xml");
    CHECK_EQ_STR(lode_doc_name(d), "s.xml");
    CHECK(lode_doc_xml(d) != NULL && xmlDocGetRootElement(lode_doc_xml(d)) != NULL);
    CHECK_TREE(lode_doc_xml(d));
    lode_doc_free(d);
    const char *html = "<!DOCTYPE html><title>T</title><p>caf\xe9</p>";
    lode_parse_options po = {.format = "html", .encoding = "windows-1252"};
    CHECK_EQ_INT(lode_doc_parse(e, html, strlen(html), NULL, &po, &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_format(d), "html");
    CHECK_EQ_STR(lode_doc_name(d), "<memory>");
    char *t = write_str(e, d, "text");
    CHECK(contains(t, "caf\xc3\xa9"));
    free(t);
    lode_doc_free(d);
    CHECK_EQ_INT(lode_doc_parse(e, "Title\n\nBody.\n", 13, "t.txt", NULL, &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_format(d), "text");
    char *json = write_str(e, d, "json");
    CHECK(contains(json, "\"lode\""));
    lode_doc_free(d);
    d = NULL;
    if (json) {
        CHECK_EQ_INT(lode_doc_parse(e, json, strlen(json), "t.json", NULL, &d), LODE_OK);
        CHECK_EQ_STR(lode_doc_format(d), "json");
        lode_doc_free(d);
    }
    free(json);

    /* empty input, NULL data with len 0 */
    d = (lode_doc *)&d;
    CHECK_EQ_INT(lode_doc_parse(e, "", 0, "e.xml", NULL, &d), LODE_EEMPTY);
    CHECK(d == NULL);
    CHECK_EQ_INT(lode_doc_parse(e, NULL, 0, "e", NULL, &d), LODE_EEMPTY);
    lode_parse_options px = {.format = "xml"};
    int rc = lode_doc_parse(e, NULL, 0, "e.xml", &px, &d);
    CHECK(rc == LODE_EEMPTY || rc == LODE_EPARSE);
    CHECK(d == NULL);
    /* unreadable formats */
    lode_parse_options pm = {.format = "markdown"};
    CHECK_EQ_INT(lode_doc_parse(e, "# x", 3, "x.md", &pm, &d), LODE_EFORMAT);
    lode_parse_options pz = {.format = "zip"};
    CHECK_EQ_INT(lode_doc_parse(e, "x", 1, "x", &pz, &d), LODE_EFORMAT);
    /* encoding: invalid UTF-8 fails, or is repaired with a warning */
    CHECK_EQ_INT(lode_doc_parse(e, "ab\xff\xfe" "cd\n", 7, "bad.txt", NULL, &d), LODE_EENCODING);
    CHECK(contains(lode_errmsg(e), "bad.txt"));
    lode_parse_options pr = {.flags = LODE_PARSE_REPAIR};
    CHECK_EQ_INT(lode_doc_parse(e, "ab\xff\xfe" "cd\n", 7, "bad.txt", &pr, &d), LODE_OK);
    CHECK(lg.count >= 1 && lg.level == LODE_LOG_WARNING);
    CHECK(contains(lg.text, "bad.txt"));
    lode_doc_free(d);
    /* entities only with the flag */
    const char *ent = "<!DOCTYPE r [<!ENTITY w \"world\">]><r>hello &w;</r>";
    CHECK_EQ_INT(lode_doc_parse(e, ent, strlen(ent), "ent.xml", NULL, &d), LODE_OK);
    t = write_str(e, d, "xml"); /* the reference stays (the text writer would resolve it) */
    CHECK(contains(t, "hello &w;"));
    free(t);
    lode_doc_free(d);
    lode_parse_options pe = {.flags = LODE_PARSE_ENTITIES};
    CHECK_EQ_INT(lode_doc_parse(e, ent, strlen(ent), "ent.xml", &pe, &d), LODE_OK);
    t = write_str(e, d, "text");
    CHECK(contains(t, "hello world"));
    free(t);
    lode_doc_free(d);
    lode_engine_free(e);
}

static void documents_limits(void)
{
    lode_options o;
    lode_options_init(&o);
    o.limits.max_depth = 4;
    o.limits.max_attributes = 2;
    o.limits.max_input_bytes = 64;
    o.limits.max_entity_expansion = 100;
    lode_engine *e = lode_engine_new(&o);
    lode_doc *d = NULL;
    CHECK_EQ_INT(lode_doc_parse(e, "<a><b><c/></b></a>", 18, "ok.xml", NULL, &d), LODE_OK);
    lode_doc_free(d);
    CHECK_EQ_INT(lode_doc_parse(e, "<a><b><c><d><e/></d></c></b></a>", 32, "deep.xml", NULL, &d), LODE_ELIMIT);
    CHECK(contains(lode_errmsg(e), "deep.xml"));
    CHECK_EQ_INT(lode_doc_parse(e, "<a x='1' y='2' z='3'/>", 22, "attrs.xml", NULL, &d), LODE_ELIMIT);
    CHECK(contains(lode_errmsg(e), "attrs.xml"));
    const char *big = "<a>0123456789012345678901234567890123456789012345678901234567890123456789</a>";
    CHECK_EQ_INT(lode_doc_parse(e, big, strlen(big), "big.xml", NULL, &d), LODE_ELIMIT);
    /* the input limit on every way in: a regular file (refused by its
     * size, before reading), a stream, and a pipe (no size: refused as it
     * grows past the limit) */
    CHECK_EQ_INT(lode_doc_load(e, SEED, NULL, &d), LODE_ELIMIT);
    CHECK(d == NULL && contains(lode_errmsg(e), SEED ": ") &&
          contains(lode_errmsg(e), "bytes is larger than the input limit of 64 bytes"));
    FILE *fp = tmpfile();
    CHECK(fp != NULL);
    if (fp) {
        fputs(big, fp);
        rewind(fp);
        CHECK_EQ_INT(lode_doc_read_file(e, fp, "stream.xml", NULL, &d), LODE_ELIMIT);
        CHECK(d == NULL && contains(lode_errmsg(e), "stream.xml: larger than the input limit of 64 bytes"));
        fclose(fp);
    }
    int fds[2];
    CHECK(pipe(fds) == 0);
    CHECK(write(fds[1], big, strlen(big)) == (ssize_t)strlen(big));
    close(fds[1]);
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", fds[0]);
    CHECK_EQ_INT(lode_doc_load(e, fdpath, NULL, &d), LODE_ELIMIT);
    CHECK(d == NULL && contains(lode_errmsg(e), "larger than the input limit of 64 bytes"));
    close(fds[0]);
    const char *bomb = "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><r>&b;&b;</r>";
    lode_options_init(&o);
    o.limits.max_entity_expansion = 100;
    lode_engine *e2 = lode_engine_new(&o);
    lode_parse_options pe = {.flags = LODE_PARSE_ENTITIES};
    CHECK_EQ_INT(lode_doc_parse(e2, bomb, strlen(bomb), "bomb.xml", &pe, &d), LODE_ELIMIT);
    CHECK(d == NULL);
    lode_engine_free(e2);
    lode_engine_free(e);
}

/* A host may allow documents whose entities stand for more than 16 MiB of
 * text (max_entity_expansion); reading such a node's text from a script
 * (node:text(), a node in a record) still stops at 16 MiB with a clear
 * error instead of building the string.  Here: 290 references to a
 * 60,000-byte entity (17.4 MB) behind one element, references kept (no
 * LODE_PARSE_ENTITIES).  (node_text reads entities under 64 KiB only, and
 * libxml2 refuses a larger fan-out from a smaller source as an "entity
 * reference loop".) */
static void entity_text_limit(void)
{
    lode_options o;
    lode_options_init(&o);
    o.limits.max_entity_expansion = (size_t)64 << 20;
    lode_engine *e = lode_engine_new(&o);
    const size_t ent = 60000, refs = 290;
    char *src = malloc(ent + 4 * refs + 256);
    CHECK(src != NULL);
    if (!src) {
        lode_engine_free(e);
        return;
    }
    size_t n = (size_t)sprintf(src, "<!DOCTYPE r [<!ENTITY s \"xyz\"><!ENTITY a \"");
    memset(src + n, 'x', ent);
    n += ent;
    n += (size_t)sprintf(src + n, "\">]><r><e>");
    for (size_t i = 0; i < refs; i++)
        n += (size_t)sprintf(src + n, "&a;");
    sprintf(src + n, "</e><f>&s;</f></r>");
    lode_doc *d = parse(e, src, "ent.xml");
    CHECK(d != NULL);
    sink s;
    memset(&s, 0, sizeof s);
    lode_rules_options ro = {.on_record = on_record, .record_ud = &s};
    /* node:text() raises; the script can catch it */
    lode_rules *r = load(e,
                         "return { e = function(n, ctx) local ok, err = pcall(n.text, n); ctx:emit{ok = ok, err = err} end,"
                         "         f = function(n, ctx) ctx:emit{len = #n:text()} end }",
                         "text.lua", &ro);
    CHECK(r != NULL);
    if (r && d) {
        CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
        CHECK(contains(s.text, "\"ok\":false"));
        CHECK(contains(s.text, "text: entity references in the node expand to more than 16 MiB (limit)"));
        CHECK(contains(s.text, "{\"len\":3}")); /* a small one is read as always */
    }
    lode_rules_free(r);
    /* a node in a record: the document fails, naming the field */
    r = load(e, "return { e = function(n, ctx) ctx:emit{t = n} end }", "emit.lua", &ro);
    CHECK(r != NULL);
    if (r && d) {
        CHECK_EQ_INT(lode_rules_run(r, d), LODE_ESCRIPT);
        CHECK(contains(lode_errmsg(e), "field 't': entity references in the node expand to more than 16 MiB (limit)"));
    }
    lode_rules_free(r);
    lode_doc_free(d);
    free(src);
    lode_engine_free(e);
}

static void documents_files(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = NULL;
    /* load */
    CHECK_EQ_INT(lode_doc_load(e, SEED, NULL, &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_name(d), SEED);
    CHECK_EQ_STR(lode_doc_format(d), "text");
    lode_doc_free(d);
    CHECK_EQ_INT(lode_doc_load(e, "/nonexistent/a.xml", NULL, &d), LODE_EIO);
    CHECK(d == NULL);
    /* read_file: a file stream, read to its end and not closed */
    FILE *fp = tmpfile();
    CHECK(fp != NULL);
    fputs(small_xml, fp);
    rewind(fp);
    CHECK_EQ_INT(lode_doc_read_file(e, fp, "stream.xml", NULL, &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_name(d), "stream.xml");
    CHECK(fgetc(fp) == EOF && fclose(fp) == 0);
    lode_doc_free(d);
    d = NULL;
    /* a stream the host has already read from: the bytes stdio buffered
     * (here: all of them, after one fgetc/ungetc to sniff) belong to the
     * document */
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    CHECK(write(pfd[1], small_xml, strlen(small_xml)) == (ssize_t)strlen(small_xml));
    close(pfd[1]);
    fp = fdopen(pfd[0], "r");
    int c0 = fgetc(fp);
    CHECK(c0 == '<' && ungetc(c0, fp) == '<');
    CHECK_EQ_INT(lode_doc_read_file(e, fp, "sniffed.xml", NULL, &d), LODE_OK);
    if (d) {
        char *sx = write_str(e, d, "xml");
        CHECK(contains(sx, "<p id=\"a\">one</p>"));
        free(sx);
    }
    fclose(fp);
    lode_doc_free(d);
    d = NULL;
    /* a stream without a file descriptor (fmemopen) */
    fp = fmemopen((void *)small_xml, strlen(small_xml), "r");
    CHECK(fp != NULL);
    CHECK_EQ_INT(lode_doc_read_file(e, fp, NULL, NULL, &d), LODE_OK);
    if (d)
        CHECK_EQ_STR(lode_doc_name(d), "<memory>");
    fclose(fp);
    lode_doc_free(d);
    d = parse(e, "<r><p id=\"a\">one</p><p>two</p></r>", NULL);
    /* write_file */
    lode_write_options wo = {.format = "xml", .flags = LODE_WRITE_INDENT};
    char mem[4096] = "";
    FILE *out = fmemopen(mem, sizeof mem, "w");
    CHECK_EQ_INT(lode_doc_write_file(e, d, &wo, out), LODE_OK);
    fclose(out);
    CHECK(contains(mem, "<r>\n  <p id=\"a\">one</p>"));
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        CHECK_EQ_INT(lode_doc_write_file(e, d, &wo, full), LODE_EIO);
        CHECK(contains(lode_errmsg(e), "<memory>"));
        fclose(full);
    }
    lode_write_options bad = {.format = "pdf"};
    CHECK_EQ_INT(lode_doc_write_file(e, d, &bad, stdout), LODE_EFORMAT);
    /* save */
    char dir[] = "/tmp/lode-api-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[300];
    snprintf(path, sizeof path, "%s/o.md", dir);
    lode_write_options md = {.format = "markdown"};
    CHECK_EQ_INT(lode_doc_save(e, d, &md, path), LODE_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 0);
    unlink(path);
    CHECK(rmdir(dir) == 0);
    lode_doc_free(d);
    lode_engine_free(e);
}

static void documents_write_buffer(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = parse(e, small_xml, "s.xml");
    static const char *const fmts[] = {"xml", "html", "text", "markdown", "json", "md", "txt"};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        lode_write_options wo = {.format = fmts[i]};
        char *out = NULL;
        size_t len = 0;
        CHECK_EQ_INT(lode_doc_write_buffer(e, d, &wo, &out, &len), LODE_OK);
        CHECK(out && len == strlen(out) && len > 0);
        lode_free(e, out);
    }
    /* len may be NULL: the buffer is still NUL-terminated */
    lode_write_options wo = {.format = "text"};
    char *out = NULL;
    CHECK_EQ_INT(lode_doc_write_buffer(e, d, &wo, &out, NULL), LODE_OK);
    CHECK(contains(out, "one"));
    lode_free(e, out);
    lode_free(e, NULL); /* no-op */
    /* indentation */
    lode_write_options wi = {.format = "json", .flags = LODE_WRITE_INDENT};
    CHECK_EQ_INT(lode_doc_write_buffer(e, d, &wi, &out, NULL), LODE_OK);
    CHECK(contains(out, "\n  "));
    lode_free(e, out);
    lode_doc_free(d);
    lode_doc_free(NULL); /* no-op */
    /* accessors of NULL: NULL, no crash */
    CHECK(lode_doc_xml(NULL) == NULL);
    CHECK(lode_doc_name(NULL) == NULL);
    CHECK(lode_doc_format(NULL) == NULL);
    lode_engine_free(e);
}

static void documents_adopt(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = NULL;
    xmlDoc *x = xmlReadMemory("<r><p>x</p></r>", 15, NULL, NULL, XML_PARSE_NONET);
    CHECK_EQ_INT(lode_doc_adopt(e, x, NULL, NULL, &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_name(d), "<memory>");
    CHECK_EQ_STR(lode_doc_format(d), "xml");
    CHECK(lode_doc_xml(d) == x);
    /* the caller may change the tree */
    xmlNewTextChild(xmlDocGetRootElement(x), NULL, BAD_CAST "q", BAD_CAST "added");
    char *s = write_str(e, d, "xml");
    CHECK(contains(s, "<q>added</q>"));
    free(s);
    lode_doc_free(d);
    x = xmlReadMemory("<r/>", 4, NULL, NULL, XML_PARSE_NONET);
    CHECK_EQ_INT(lode_doc_adopt(e, x, "as.html", "html", &d), LODE_OK);
    CHECK_EQ_STR(lode_doc_format(d), "html");
    lode_doc_free(d);
    lode_engine_free(e);
}

/* ------------------------------------------------------------------ */
/* rules                                                               */
/* ------------------------------------------------------------------ */

static const char rules_main[] =
    "local text = require 'lode.text'\n"
    "return {\n"
    "  begin = function(ctx) ctx:warn('begin') end,\n"
    "  ['p'] = function(p, ctx)\n"
    "    p:set_attr('data-n', text.len(p:text()))\n"
    "    ctx:emit{ p = p, up = text.upper(p:text()) }\n"
    "  end,\n"
    "  { 'r', function(r, ctx) r:append(r:element('p', {}, 'three')) end },\n"
    "  document = function(doc, ctx) ctx:emit{ n = #doc:select('p') } end,\n"
    "  finish = function(ctx) ctx:warn('finish') end,\n"
    "}\n";

static void rules_basic(void)
{
    logbuf lg;
    memset(&lg, 0, sizeof lg);
    lode_options o;
    lode_options_init(&o);
    o.log = on_log;
    o.log_ud = &lg;
    lode_engine *e = lode_engine_new(&o);
    sink s;
    memset(&s, 0, sizeof s);
    lode_rules_options ro = {.on_record = on_record, .record_ud = &s};
    lode_rules *r = load(e, rules_main, "main.lua", &ro);
    CHECK(r != NULL);
    if (!r) {
        lode_engine_free(e);
        return;
    }
    CHECK_EQ_INT(lode_rules_count(r), 2);
    CHECK_EQ_STR(lode_rules_selector(r, 0), "r"); /* the array part first */
    CHECK_EQ_STR(lode_rules_selector(r, 1), "p");
    CHECK(lode_rules_selector(r, 2) == NULL);
    CHECK(lode_rules_selector(r, (size_t)-1) == NULL);
    lode_doc *d = parse(e, small_xml, "s.xml");
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    CHECK_EQ_INT(lg.count, 1); /* begin */
    CHECK(contains(lg.text, "begin"));
    CHECK_EQ_INT(s.count, 4); /* one, two, three (appended, then visited), the document's */
    CHECK(s.last_doc == d);
    CHECK(contains(s.text, "{\"p\":\"one\",\"up\":\"ONE\"}\n"));
    CHECK(contains(s.text, "{\"p\":\"three\",\"up\":\"THREE\"}\n"));
    CHECK(contains(s.text, "{\"n\":3}\n"));
    char *x = write_str(e, d, "xml");
    CHECK(contains(x, "<p id=\"a\" data-n=\"3\">one</p>"));
    CHECK(contains(x, "<p data-n=\"5\">three</p>"));
    free(x);
    CHECK_TREE(lode_doc_xml(d));
    /* a second document: begin does not run again */
    lode_doc *d2 = parse(e, "<r/>", "empty.xml");
    CHECK_EQ_INT(lode_rules_run(r, d2), LODE_OK);
    CHECK_EQ_INT(lg.count, 1);
    lode_doc_free(d2);
    /* finish once; twice is a no-op */
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK);
    CHECK_EQ_INT(lg.count, 2);
    CHECK(contains(lg.text, "finish"));
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK);
    CHECK_EQ_INT(lg.count, 2);
    /* run after finish: not defined by lode.h; must not crash, and must be
     * either refused (LODE_EMISUSE) or a normal run */
    s.count = 0;
    int rc = lode_rules_run(r, d);
    CHECK(rc == LODE_OK || rc == LODE_EMISUSE);
    printf("# lode_rules_run after lode_rules_finish: %s (%s)\n", lode_strerror(rc), lode_errmsg(e));
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK);
    CHECK_EQ_INT(lg.count, 2);
    /* misuse */
    CHECK_EQ_INT(lode_rules_run(r, NULL), LODE_EMISUSE);
    CHECK_EQ_INT(lode_errcode(e), LODE_EMISUSE);
    CHECK(contains(lode_errmsg(e), "lode_rules_run"));
    CHECK_EQ_INT(lode_rules_run(NULL, d), LODE_EMISUSE);
    CHECK_EQ_INT(lode_rules_finish(NULL), LODE_EMISUSE);
    CHECK_EQ_INT(lode_rules_count(NULL), 0);
    CHECK(lode_rules_selector(NULL, 0) == NULL);
    lode_rules_free(r);
    lode_rules_free(NULL);
    /* the document outlives the rules, and the rules may outlive a document
     * whose nodes they keep */
    lode_doc_free(d);
    lode_engine_free(e);
}

static void rules_keep_nodes(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_rules *r = load(e,
                         "local kept = {}\n"
                         "return { p = function(p) kept[#kept + 1] = p end,\n"
                         "  document = function() if #kept > 2 then ctx_n = #kept end end }\n",
                         "keep.lua", NULL);
    lode_doc *d = parse(e, small_xml, "s.xml");
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    lode_doc_free(d); /* the script still holds two nodes of it */
    d = parse(e, small_xml, "s2.xml");
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    lode_rules_free(r); /* frees the first tree too (ASan would see a leak) */
    lode_doc_free(d);
    lode_engine_free(e);
}

static void rules_load_errors(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_rules *r = (lode_rules *)&r;
    /* a syntax error: name:line */
    const char *syn = "return {\n  p = function(p)\n    local = 1\n  end }\n";
    CHECK_EQ_INT(lode_rules_load_string(e, syn, strlen(syn), "syn.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(r == NULL);
    CHECK_EQ_INT(lode_errcode(e), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "syn.lua:3:"));
    /* the name defaults */
    CHECK_EQ_INT(lode_rules_load_string(e, "return {", 8, NULL, NULL, &r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "<rules>:1:"));
    /* a runtime error while loading */
    const char *boom = "\n\nerror('boom')\n";
    CHECK_EQ_INT(lode_rules_load_string(e, boom, strlen(boom), "boom.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "boom.lua:3: boom"));
    /* not a table */
    CHECK_EQ_INT(lode_rules_load_string(e, "return 42", 9, "num.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "num.lua: a rule script must return a table of rules (it returned a number)"));
    CHECK_EQ_INT(lode_rules_load_string(e, "", 0, "empty.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "(it returned a nil)"));
    /* a bad selector: name:line of its handler */
    const char *sel = "return {\n\n  ['p[['] = function() end,\n}\n";
    CHECK_EQ_INT(lode_rules_load_string(e, sel, strlen(sel), "sel.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "sel.lua:3: rule 'p[[': bad selector"));
    /* a handler that is not a function, a phase that is not a function */
    CHECK_EQ_INT(lode_rules_load_string(e, "return { p = 1 }", 16, "h.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "rule 'p': handler must be a function"));
    CHECK_EQ_INT(lode_rules_load_string(e, "return { begin = 'x' }", 22, "b.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "'begin' must be a function"));
    /* the list form: {selector, handler} pairs, and keys of no meaning */
    static const struct {
        const char *src, *want;
    } lists[] = {
        {"return { { 1, function() end } }", "l.lua: rule #1: {selector, handler} expected"},
        {"return { { 'p', function() end }, { function() end } }", "l.lua: rule #2: {selector, handler} expected"},
        {"return { { 'p\\0q', function() end } }", "l.lua: rule #1 'p': bad selector: a NUL byte inside it"},
        {"return { [true] = function() end }", "l.lua: the script's table holds a boolean key; keys are CSS selectors"},
        {"return { [2.5] = function() end }", "l.lua: the script's table holds a number key"},
        /* keys that would be ignored: a handler never called */
        {"return { { 'p', function() end, leave = function() end } }",
         "l.lua: rule #1 'p': {selector, handler} holds a key 'leave' too; for enter and leave handlers write "
         "{selector, {enter = f, leave = g}}"},
        {"return { { 'p', function() end, function() end } }",
         "l.lua: rule #1 'p': {selector, handler} holds more than its two values"},
        {"return { p = { enter = function() end, leve = function() end } }",
         "l.lua: rule 'p': the handler table has a key 'leve'; its keys are enter and leave"},
        {"return { { 'li', { function() end } } }",
         "l.lua: rule 'li': the handler table has a number key; its keys are enter and leave"},
    };
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        r = NULL;
        CHECK_EQ_INT(lode_rules_load_string(e, lists[i].src, strlen(lists[i].src), "l.lua", NULL, &r), LODE_ESCRIPT);
        CHECK(r == NULL);
        if (!contains(lode_errmsg(e), lists[i].want)) {
            CHECK(!"list-form message");
            printf("#   %s: %s\n", lists[i].src, lode_errmsg(e));
        }
    }
    /* bytecode is refused */
    CHECK_EQ_INT(lode_rules_load_string(e, "\x1bLua", 4, "bc.lua", NULL, &r), LODE_ESCRIPT);
    CHECK(r == NULL);
    /* files */
    CHECK_EQ_INT(lode_rules_load(e, "/nonexistent/r.lua", NULL, &r), LODE_EIO);
    CHECK(r == NULL);
    CHECK(contains(lode_errmsg(e), "/nonexistent/r.lua"));
    /* misuse */
    CHECK_EQ_INT(lode_rules_load(NULL, "x.lua", NULL, &r), LODE_EMISUSE);
    CHECK_EQ_INT(lode_rules_load(e, NULL, NULL, &r), LODE_EMISUSE);
    CHECK_EQ_INT(lode_errcode(e), LODE_EMISUSE);
    CHECK_EQ_INT(lode_rules_load(e, "x.lua", NULL, NULL), LODE_EMISUSE);
    CHECK_EQ_INT(lode_rules_load_string(NULL, "return {}", 9, "x", NULL, &r), LODE_EMISUSE);
    CHECK_EQ_INT(lode_rules_load_string(e, NULL, 9, "x", NULL, &r), LODE_EMISUSE);
    CHECK_EQ_INT(lode_rules_load_string(e, "return {}", 9, "x", NULL, NULL), LODE_EMISUSE);
    CHECK_EQ_INT(lode_errcode(e), LODE_EMISUSE);
    lode_engine_free(e);
}

static void rules_from_files(void)
{
    char dir[] = "/tmp/lode-api-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sub[300], main_path[300], mod_path[300], lib_path[300];
    snprintf(sub, sizeof sub, "%s/lib", dir);
    snprintf(main_path, sizeof main_path, "%s/main.lua", dir);
    snprintf(mod_path, sizeof mod_path, "%s/near.lua", dir);
    snprintf(lib_path, sizeof lib_path, "%s/lib/far.lua", dir);
    CHECK(mkdir(sub, 0700) == 0);
    FILE *f = fopen(main_path, "w");
    fputs("local near = require 'near'\nlocal far = require 'far'\n"
          "return { p = function(p, ctx) ctx:emit{ v = near .. far } end }\n",
          f);
    fclose(f);
    f = fopen(mod_path, "w");
    fputs("return 'N'\n", f);
    fclose(f);
    f = fopen(lib_path, "w");
    fputs("return 'F'\n", f);
    fclose(f);
    lode_engine *e = lode_engine_new(NULL);
    sink s;
    memset(&s, 0, sizeof s);
    lode_rules *r = NULL;
    /* the script's folder is searched; lib/ only through module_path */
    lode_rules_options ro = {.on_record = on_record, .record_ud = &s};
    CHECK_EQ_INT(lode_rules_load(e, main_path, &ro, &r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "far"));
    ro.module_path = sub;
    CHECK_EQ_INT(lode_rules_load(e, main_path, &ro, &r), LODE_OK);
    lode_doc *d = parse(e, "<r><p/></r>", "m.xml");
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    CHECK_EQ_STR(s.text, "{\"v\":\"NF\"}\n");
    lode_rules_free(r);
    lode_doc_free(d);
    lode_engine_free(e);
    unlink(main_path);
    unlink(mod_path);
    unlink(lib_path);
    rmdir(sub);
    CHECK(rmdir(dir) == 0);
}

static void rules_run_errors(void)
{
    lode_engine *e = lode_engine_new(NULL);
    sink s;
    memset(&s, 0, sizeof s);
    lode_rules_options ro = {.on_record = on_record, .record_ud = &s};
    /* records of a failed document are not delivered */
    lode_rules *r = load(e,
                         "return {\n"
                         "  p = function(p, ctx)\n"
                         "    ctx:emit{ t = p }\n"
                         "    if p:attr('id') == 'bad' then error('bad paragraph') end\n"
                         "  end,\n"
                         "}\n",
                         "fail.lua", &ro);
    lode_doc *bad = parse(e, "<r>\n<p>a</p>\n<p id='bad'>b</p>\n</r>", "bad.xml");
    lode_doc *good = parse(e, "<r><p>a</p><p>b</p></r>", "good.xml");
    CHECK_EQ_INT(lode_rules_run(r, bad), LODE_ESCRIPT);
    CHECK_EQ_INT(s.count, 0);
    CHECK_EQ_INT(lode_errcode(e), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "bad.xml:3:"));  /* line:column of the error */
    CHECK(contains(lode_errmsg(e), "fail.lua:4: bad paragraph"));
    CHECK(contains(lode_errmsg(e), "rule 'p'"));
    /* the rules stay usable */
    CHECK_EQ_INT(lode_rules_run(r, good), LODE_OK);
    CHECK_EQ_INT(s.count, 2);
    CHECK_EQ_STR(s.text, "{\"t\":\"a\"}\n{\"t\":\"b\"}\n");
    CHECK_EQ_STR(lode_errmsg(e), "");
    /* a consumer that stops the run */
    memset(&s, 0, sizeof s);
    s.stop_at = 1;
    CHECK_EQ_INT(lode_rules_run(r, good), LODE_ERROR);
    CHECK_EQ_INT(s.count, 1); /* no record after the refusal */
    CHECK_EQ_INT(lode_errcode(e), LODE_ERROR);
    CHECK(contains(lode_errmsg(e), "good.xml: the record consumer stopped the run"));
    s.stop_at = 0;
    s.count = 0;
    CHECK_EQ_INT(lode_rules_run(r, good), LODE_OK);
    CHECK_EQ_INT(s.count, 2);
    lode_rules_free(r);
    /* an error object that is not a string */
    r = load(e, "return { p = function() error({}) end }", "tbl.lua", NULL);
    CHECK_EQ_INT(lode_rules_run(r, good), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "error object is a table value"));
    lode_rules_free(r);
    /* begin fails: every later run fails at once */
    r = load(e, "return { begin = function() error('no setup') end, p = function() end }", "begin.lua", NULL);
    CHECK_EQ_INT(lode_rules_run(r, good), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "no setup"));
    CHECK_EQ_INT(lode_rules_run(r, good), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "begin() failed earlier"));
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK);
    lode_rules_free(r);
    /* finish fails */
    r = load(e, "return { finish = function() error('at the end') end }", "fin.lua", NULL);
    CHECK_EQ_INT(lode_rules_finish(r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "at the end"));
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK); /* once */
    lode_rules_free(r);
    /* emit outside a document */
    r = load(e, "return { finish = function(ctx) ctx:emit{ a = 1 } end }", "emit.lua", NULL);
    CHECK_EQ_INT(lode_rules_finish(r), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "outside a document"));
    lode_rules_free(r);
    lode_doc_free(bad);
    lode_doc_free(good);
    lode_engine_free(e);
}

static lode_engine *sandbox_engine(size_t max_memory, unsigned long long max_steps, unsigned long timeout_ms)
{
    lode_options o;
    lode_options_init(&o);
    o.sandbox.enabled = 1;
    o.sandbox.max_memory = max_memory;
    o.sandbox.max_steps = max_steps;
    o.sandbox.timeout_ms = timeout_ms;
    return lode_engine_new(&o);
}

static const char hostile[] =
    "return {\n"
    "  p = function(p, ctx)\n"
    "    local how = p:attr('id')\n"
    "    if how == 'loop' then while true do end end\n"
    "    if how == 'pcall' then\n"
    "      for i = 1, 10 do pcall(function() while true do end end) end\n"
    "    end\n"
    "    if how == 'mem' then\n"
    "      local t = {}\n"
    "      for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end\n"
    "    end\n"
    "    ctx:emit{ t = p }\n"
    "  end,\n"
    "}\n";

static void sandbox_limit(lode_engine *e, const char *how, const char *expect)
{
    sink s;
    memset(&s, 0, sizeof s);
    lode_rules_options ro = {.on_record = on_record, .record_ud = &s};
    lode_rules *r = load(e, hostile, "hostile.lua", &ro);
    CHECK(r != NULL);
    if (!r)
        return;
    char src[100];
    snprintf(src, sizeof src, "<r><p>before</p><p id='%s'>x</p></r>", how);
    lode_doc *bad = parse(e, src, "hostile.xml");
    lode_doc *good = parse(e, "<r><p>fine</p></r>", "next.xml");
    CHECK_EQ_INT(lode_rules_run(r, bad), LODE_ESANDBOX);
    CHECK_EQ_INT(lode_errcode(e), LODE_ESANDBOX);
    CHECK(contains(lode_errmsg(e), "hostile.lua: document hostile.xml: "));
    CHECK(contains(lode_errmsg(e), expect));
    CHECK_EQ_INT(s.count, 0);
    /* the next document runs */
    CHECK_EQ_INT(lode_rules_run(r, good), LODE_OK);
    CHECK_EQ_STR(s.text, "{\"t\":\"fine\"}\n");
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK);
    lode_rules_free(r);
    lode_doc_free(bad);
    lode_doc_free(good);
}

static void rules_sandbox(void)
{
    lode_engine *e = sandbox_engine(0, 50000, 0);
    sandbox_limit(e, "loop", "instruction limit of 50000 reached");
    sandbox_limit(e, "pcall", "instruction limit of 50000 reached");
    lode_engine_free(e);
    e = sandbox_engine((size_t)4 << 20, 0, 0);
    sandbox_limit(e, "mem", "memory limit of 4 MB reached");
    lode_engine_free(e);
    e = sandbox_engine(0, 0, 50);
    sandbox_limit(e, "loop", "time limit of 50 ms reached");
    lode_engine_free(e);
    /* the environment: no io, no os.execute; lode.text allowed */
    e = sandbox_engine(0, 0, 0);
    lode_rules *r = load(e, "return { p = function() io.write('x') end }", "io.lua", NULL);
    lode_doc *d = parse(e, "<r><p/></r>", "io.xml");
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "global 'io'"));
    lode_rules_free(r);
    r = load(e, "return { p = function() os.execute('true') end }", "os.lua", NULL);
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "execute"));
    lode_rules_free(r);
    r = load(e, "local t = require 'lode.text'\nreturn { p = function(p) p:set_attr('u', t.upper('x')) end }",
             "text.lua", NULL);
    CHECK(r != NULL);
    CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
    lode_rules_free(r);
    /* a limit while loading */
    r = (lode_rules *)&r;
    lode_engine *e2 = sandbox_engine(0, 20000, 0);
    const char *spin = "while true do end";
    CHECK_EQ_INT(lode_rules_load_string(e2, spin, strlen(spin), "spin.lua", NULL, &r), LODE_ESANDBOX);
    CHECK(r == NULL);
    CHECK(contains(lode_errmsg(e2), "spin.lua: instruction limit of 20000 reached while loading"));
    lode_engine_free(e2);
    lode_doc_free(d);
    lode_engine_free(e);
}

/* host modules: Lua source and a C opener, in and out of the sandbox */
static int greet(struct lua_State *L, void *ud)
{
    (void)ud;
    lua_pushfstring(L, "hello, %s", luaL_checkstring(L, 1));
    return 1;
}

static int open_people(struct lua_State *L, void *ud)
{
    lua_newtable(L);
    lua_pushstring(L, (const char *)ud);
    lua_setfield(L, -2, "boss");
    return 1;
}

static int open_nothing(struct lua_State *L, void *ud)
{
    (void)L;
    (void)ud;
    return 0;
}

static void host_modules_and_paths(void)
{
    static const char style[] = "local name = ... local M = {} function M.shout(s) return s:upper() .. '!' end "
                                "M.name = name return M";
    lode_host_function fns[] = {{"greet", greet, NULL}, {NULL, NULL, NULL}};
    lode_host_module mods[] = {
        {.name = "cms.style", .source = style, .len = sizeof style - 1},
        {.name = "cms.people", .open = open_people, .ud = (void *)"Ada"},
        {.name = "cms.broken", .open = open_nothing},
        {NULL, NULL, 0, NULL, NULL},
    };
    const char *src = "local st = require 'cms.style'\n"
                      "local people = require 'cms.people'\n"
                      "return { document = function(doc, ctx)\n"
                      "  ctx:emit{ a = st.shout(host.greet(people.boss)), name = st.name,\n"
                      "            same = require('cms.style') == st,\n"
                      "            broken = select(2, pcall(require, 'cms.broken')) }\n"
                      "end }";
    for (int sandboxed = 0; sandboxed < 2; sandboxed++) {
        lode_options o;
        lode_options_init(&o);
        o.sandbox.enabled = sandboxed;
        lode_engine *e = lode_engine_new(&o);
        sink s;
        memset(&s, 0, sizeof s);
        lode_rules_options ro = {.on_record = on_record, .record_ud = &s, .host_functions = fns, .host_modules = mods};
        lode_rules *r = load(e, src, "mods.lua", &ro);
        CHECK(r != NULL);
        lode_doc *d = parse(e, "<p/>", "m.xml");
        if (r && d) {
            CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
            CHECK(contains(s.text, "\"a\":\"HELLO, ADA!\""));
            CHECK(contains(s.text, "\"name\":\"cms.style\""));
            CHECK(contains(s.text, "\"same\":true"));
            CHECK(contains(s.text, "its opener pushed no value"));
            CHECK(lode_rules_engine(r) == e);
        }
        lode_doc_free(d);
        lode_rules_free(r);
        /* a module with both or neither of source and open is refused */
        lode_host_module bad[] = {{.name = "x", .source = "return 1", .len = 8, .open = open_people}, {0}};
        lode_rules_options rb = {.host_modules = bad};
        lode_rules *rr = NULL;
        CHECK_EQ_INT(lode_rules_load_string(e, "return {}", 9, "b.lua", &rb, &rr), LODE_ESCRIPT);
        CHECK(contains(lode_errmsg(e), "host module 'x' needs either source or open"));
        CHECK(rr == NULL);
        lode_engine_free(e);
    }
    /* lode_options.module_path: every script of the engine finds modules
     * there (not in the sandbox, which reads no files) */
    char dir[] = "/tmp/lode-modpath.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/shared_util.lua", dir);
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs("return { answer = 42 }\n", fp);
        fclose(fp);
    }
    for (int sandboxed = 0; sandboxed < 2; sandboxed++) {
        lode_options o;
        lode_options_init(&o);
        o.module_path = dir;
        o.sandbox.enabled = sandboxed;
        lode_engine *e = lode_engine_new(&o);
        const char *msrc = "local ok, u = pcall(require, 'shared_util') "
                           "return { document = function(d, ctx) ctx:emit{ ok = ok, v = ok and u.answer or 0 } end }";
        sink s;
        memset(&s, 0, sizeof s);
        lode_rules_options ro = {.on_record = on_record, .record_ud = &s};
        lode_rules *r = load(e, msrc, "m.lua", &ro);
        lode_doc *d = parse(e, "<p/>", "m.xml");
        if (r && d) {
            CHECK_EQ_INT(lode_rules_run(r, d), LODE_OK);
            CHECK(contains(s.text, sandboxed ? "\"ok\":false" : "{\"ok\":true,\"v\":42}"));
        }
        lode_doc_free(d);
        lode_rules_free(r);
        lode_engine_free(e);
    }
    remove(path);
    rmdir(dir);
}

/* Reports through the public API: merge, save (atomic), read, misuse. */
static void reports_api(void)
{
    lode_engine *e = lode_engine_new(NULL), *e2 = lode_engine_new(NULL);
    const char *src = "return { p = function(p, ctx) ctx.report:count('p', p:text()) end }";
    lode_rules *a = load(e, src, "a.lua", NULL), *b = load(e2, src, "b.lua", NULL);
    lode_doc *d1 = parse(e, "<r><p>x</p><p>y</p></r>", "1.xml"), *d2 = parse(e2, "<r><p>x</p></r>", "2.xml");
    CHECK(a && b && d1 && d2);
    if (!(a && b && d1 && d2))
        return;
    CHECK_EQ_INT(lode_rules_run(a, d1), LODE_OK);
    CHECK_EQ_INT(lode_rules_run(b, d2), LODE_OK);
    lode_report *total = NULL;
    CHECK_EQ_INT(lode_report_new(e, &total), LODE_OK);
    CHECK_EQ_INT(lode_report_merge(total, lode_rules_report(a)), LODE_OK);
    CHECK_EQ_INT(lode_report_merge(total, lode_rules_report(b)), LODE_OK); /* another engine's */
    char dir[] = "/tmp/lode-report.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/r.csv", dir);
    CHECK_EQ_INT(lode_report_save(total, NULL, "t", path), LODE_OK);
    FILE *fp = fopen(path, "r");
    char text[512] = "";
    if (fp) {
        size_t n = fread(text, 1, sizeof text - 1, fp);
        text[n] = 0;
        fclose(fp);
    }
    CHECK(contains(text, "p,count,x,2"));
    CHECK(contains(text, "p,count,y,1"));
    snprintf(path, sizeof path, "%s/r.pdf", dir);
    CHECK_EQ_INT(lode_report_save(total, NULL, "t", path), LODE_EMISUSE); /* no format from .pdf */
    CHECK(contains(lode_errmsg(e), "cannot tell the report format"));
    /* LODE_WRITE_NOSYNC: the same bytes, renamed into place, no temporary left */
    snprintf(path, sizeof path, "%s/d.xml", dir);
    lode_write_options nosync = {"xml", LODE_WRITE_NOSYNC};
    CHECK_EQ_INT(lode_doc_save(e, d1, &nosync, path), LODE_OK);
    char *want = write_str(e, d1, "xml");
    fp = fopen(path, "r");
    char got[512] = "";
    if (fp) {
        size_t n = fread(got, 1, sizeof got - 1, fp);
        got[n] = 0;
        fclose(fp);
    }
    CHECK(want && !strcmp(got, want));
    free(want);
    remove(path);
    snprintf(path, sizeof path, "%s/no/such/folder/r.json", dir);
    CHECK(lode_report_save(total, NULL, "t", path) != LODE_OK); /* nothing written, no temp file */
    /* one name, two kinds: refused */
    lode_rules *c = load(e, "return { p = function(p, ctx) ctx.report:sum('p', 1) end }", "c.lua", NULL);
    if (c) {
        CHECK_EQ_INT(lode_rules_run(c, d1), LODE_OK);
        CHECK_EQ_INT(lode_report_merge(total, lode_rules_report(c)), LODE_ERROR);
        CHECK(contains(lode_errmsg(e), "report 'p' is a count, not a sum"));
    }
    /* misuse */
    lode_report *z = NULL;
    CHECK_EQ_INT(lode_report_new(NULL, &z), LODE_EMISUSE);
    CHECK(z == NULL);
    CHECK_EQ_INT(lode_report_new(e, NULL), LODE_EMISUSE);
    CHECK_EQ_INT(lode_report_merge(NULL, lode_rules_report(a)), LODE_EMISUSE);
    CHECK_EQ_INT(lode_report_merge(z, NULL), LODE_EMISUSE);
    CHECK_EQ_INT(lode_report_read(NULL, "x", 1, "n"), LODE_EMISUSE);
    CHECK(lode_rules_report(NULL) == NULL);
    CHECK(lode_rules_engine(NULL) == NULL);
    char *out = NULL;
    CHECK_EQ_INT(lode_report_write_buffer(NULL, "json", NULL, &out, NULL), LODE_EMISUSE);
    CHECK_EQ_INT(lode_report_save(NULL, "json", NULL, "/tmp/x.json"), LODE_EMISUSE);
    lode_report_free(NULL);
    snprintf(path, sizeof path, "%s/r.csv", dir);
    remove(path);
    rmdir(dir);
    lode_report_free(total);
    lode_rules_free(c);
    lode_doc_free(d1);
    lode_doc_free(d2);
    lode_rules_free(a);
    lode_rules_free(b);
    lode_engine_free(e);
    lode_engine_free(e2);
}

/* lode_split: one document per element, errors in place, gzip, misuse */
static void split_stream(void)
{
    char dir[] = "/tmp/lode-split.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char path[128], bad[128], nul[128];
    snprintf(path, sizeof path, "%s/d.xml", dir);
    snprintf(bad, sizeof bad, "%s/bad.xml", dir);
    snprintf(nul, sizeof nul, "%s/nul.xml", dir);
    FILE *fp = fopen(path, "w");
    fputs("<?xml version=\"1.0\"?>\n<set xmlns=\"urn:x\"><meta/>\n<art n=\"1\"><t>a</t></art>\n"
          "<wrap><art n=\"2\"><art n=\"inner\"/></art></wrap>\n<art n=\"3\">&amp;</art></set>\n", fp);
    fclose(fp);
    fp = fopen(bad, "w");
    /* libxml2's reader parses ahead by 512-byte chunks: the elements before
     * the chunk holding the error are handed out */
    fputs("<set>", fp);
    for (int i = 0; i < 3; i++) {
        fputs("<art>", fp);
        for (int k = 0; k < 700; k++)
            fputc('x', fp);
        fputs("</art>\n", fp);
    }
    fputs("<art>4</oops></set>\n", fp);
    fclose(fp);
    fp = fopen(nul, "w");
    fputs("<set><art>1</art>", fp);
    fputc(0, fp);
    fputs("<art>2</art></set>", fp);
    fclose(fp);
    lode_engine *e = lode_engine_new(NULL);
    lode_split *s = NULL;
    CHECK_EQ_INT(lode_split_open(e, path, "art", &s), LODE_OK);
    const char *want[] = {"1", "2", "3"};
    int n = 0;
    lode_doc *d = NULL;
    while (s && lode_split_next(s, &d) == LODE_OK && d) {
        xmlNode *root = xmlDocGetRootElement(lode_doc_xml(d));
        xmlChar *v = root ? xmlGetProp(root, BAD_CAST "n") : NULL;
        if (n < 3)
            CHECK_EQ_STR((const char *)v, want[n]); /* a nested art stays inside its parent's document */
        CHECK(root && root->ns && !strcmp((const char *)root->ns->href, "urn:x")); /* namespace kept */
        CHECK_TREE(lode_doc_xml(d));
        xmlFree(v);
        n++;
        lode_doc_free(d);
    }
    CHECK_EQ_INT(n, 3);
    CHECK(d == NULL);
    CHECK_EQ_INT(lode_split_next(s, &d), LODE_OK); /* stays at the end */
    CHECK(d == NULL);
    lode_split_free(s);
    /* an error after two good elements: those come first, then the error */
    CHECK_EQ_INT(lode_split_open(e, bad, "art", &s), LODE_OK);
    n = 0;
    int rc;
    while ((rc = lode_split_next(s, &d)) == LODE_OK && d) {
        n++;
        lode_doc_free(d);
    }
    CHECK(n >= 2 && n <= 3); /* the third ends in the chunk that holds the error */
    CHECK_EQ_INT(rc, LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "bad.xml:4:"));  /* line:column of the error */
    CHECK(contains(lode_errmsg(e), "mismatch"));
    lode_split_free(s);
    /* a NUL byte is refused, not silently truncated */
    CHECK_EQ_INT(lode_split_open(e, nul, "art", &s), LODE_OK);
    while ((rc = lode_split_next(s, &d)) == LODE_OK && d)
        lode_doc_free(d);
    CHECK_EQ_INT(rc, LODE_EPARSE);
    CHECK(contains(lode_errmsg(e), "NUL byte"));
    lode_split_free(s);
    /* the same xml:id in two elements is no error: each is its own document */
    fp = fopen(bad, "w");
    fputs("<set><art xml:id=\"a\"/><art xml:id=\"a\"><p xml:id=\"b\"/></art><art xml:id=\"b\"/></set>", fp);
    fclose(fp);
    CHECK_EQ_INT(lode_split_open(e, bad, "art", &s), LODE_OK);
    n = 0;
    while ((rc = lode_split_next(s, &d)) == LODE_OK && d) {
        n++;
        lode_doc_free(d);
    }
    CHECK_EQ_INT(rc, LODE_OK);
    CHECK_EQ_INT(n, 3);
    lode_split_free(s);
    /* misuse and a missing file */
    CHECK_EQ_INT(lode_split_open(e, "/nonexistent/x.xml", "art", &s), LODE_EIO);
    CHECK(s == NULL);
    CHECK_EQ_INT(lode_split_open(e, path, "", &s), LODE_EMISUSE);
    CHECK_EQ_INT(lode_split_open(NULL, path, "art", &s), LODE_EMISUSE);
    CHECK_EQ_INT(lode_split_next(NULL, &d), LODE_EMISUSE);
    lode_split_free(NULL);
    remove(path);
    remove(bad);
    remove(nul);
    rmdir(dir);
    lode_engine_free(e);
}

/* Output larger than the 64 KiB pieces that xml, html and json (and
 * plugins') output goes out in: lode_doc_save and lode_doc_write_file give
 * the bytes of lode_doc_write_buffer in every format (multi-byte letters
 * across the piece boundaries), and a write error is LODE_EIO. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 20, n = 0, k;
    char *s = malloc(cap);
    while (s && (k = fread(s + n, 1, cap - n, fp)) > 0) {
        n += k;
        if (n == cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                s = NULL;
            }
            s = t;
        }
    }
    fclose(fp);
    *len = n;
    return s;
}

static void documents_streamed_output(void)
{
    lode_engine *e = lode_engine_new(NULL);
    CHECK(e != NULL);
    if (!e)
        return;
    size_t cap = 600000, n = 0;
    char *src = malloc(cap);
    if (!src) {
        lode_engine_free(e);
        return;
    }
    n += (size_t)snprintf(src, cap, "<doc>");
    for (int i = 0; n + 200 < cap; i++)
        n += (size_t)snprintf(src + n, cap - n, "<p n=\"%d\">Grüße aus Wladiwostok – %d &amp; € ✓</p>\n", i, i);
    n += (size_t)snprintf(src + n, cap - n, "</doc>");
    lode_doc *d = NULL;
    CHECK_EQ_INT(lode_doc_parse(e, src, n, "big.xml", NULL, &d), LODE_OK);
    free(src);
    char dir[] = "/tmp/lode-stream.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/out", dir);
    const char *fmts[] = {"xml", "html", "json", "text", "markdown"};
    for (size_t i = 0; d && i < sizeof fmts / sizeof fmts[0]; i++) {
        lode_write_options wo = {.format = fmts[i], .flags = LODE_WRITE_NOSYNC};
        char *want = NULL;
        size_t wlen = 0, glen = 0;
        CHECK_EQ_INT(lode_doc_write_buffer(e, d, &wo, &want, &wlen), LODE_OK);
        CHECK(wlen > 4 * 65536);
        CHECK_EQ_INT(lode_doc_save(e, d, &wo, path), LODE_OK);
        char *got = slurp(path, &glen);
        CHECK(got && glen == wlen && memcmp(got, want, wlen) == 0);
        free(got);
        FILE *fp = fopen(path, "wb");
        CHECK(fp != NULL);
        if (fp) {
            CHECK_EQ_INT(lode_doc_write_file(e, d, &wo, fp), LODE_OK);
            fclose(fp);
        }
        got = slurp(path, &glen);
        CHECK(got && glen == wlen && memcmp(got, want, wlen) == 0);
        free(got);
        lode_free(e, want);
        /* a device that fills up: LODE_EIO, after some pieces went out */
        fp = fopen("/dev/full", "wb");
        if (fp) {
            CHECK_EQ_INT(lode_doc_write_file(e, d, &wo, fp), LODE_EIO);
            CHECK(contains(lode_errmsg(e), "big.xml: cannot write output"));
            fclose(fp);
        }
        CHECK_EQ_INT(lode_doc_save(e, d, &wo, "/dev/full"), LODE_EIO);
        CHECK(contains(lode_errmsg(e), "/dev/full: cannot write: No space left on device"));
    }
    remove(path);
    CHECK(rmdir(dir) == 0); /* no temporary file left */
    lode_doc_free(d);
    lode_engine_free(e);
}

int main(void)
{
    RUN(version_and_strerror);
    RUN(options_and_engine);
    RUN(errors_are_per_call);
    RUN(success_clears_error);
    RUN(formats);
    RUN(documents_parse);
    RUN(documents_limits);
    RUN(entity_text_limit);
    RUN(documents_files);
    RUN(documents_write_buffer);
    RUN(documents_streamed_output);
    RUN(documents_adopt);
    RUN(misuse_documents);
    RUN(rules_basic);
    RUN(rules_keep_nodes);
    RUN(rules_load_errors);
    RUN(rules_from_files);
    RUN(rules_run_errors);
    RUN(rules_sandbox);
    RUN(host_modules_and_paths);
    RUN(reports_api);
    RUN(split_stream);
    return harness_done();
}
