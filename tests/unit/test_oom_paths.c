/* test_oom_paths.c -- allocation failures on the paths the CLI takes:
 * documents loaded from files (XML, HTML, text, JSON tree, gzip), written in
 * every format and saved; shipped rule scripts and an editing script (tree
 * edits, doc:write/node:write in every format, records, every report kind)
 * run over documents, their reports rendered in every format, saved, read
 * back and merged.  (tests/unit/test_oom.c covers parsing from memory and a
 * script loaded from a string, in and out of the sandbox.)
 *
 * A pass runs one path on an engine whose allocations are refused by
 * number: transient (only the N-th) or persistent (the N-th and every one
 * after it).  For each path and mode, N runs 1, 2, ... until a pass does not
 * reach N -- with a stride that keeps it to MAX_PASSES passes, or every N
 * with LODE_OOM_FULL=1 (make faultcheck).  Every step must end with LODE_OK
 * or a clean out-of-memory error (LODE_ENOMEM saying "out of memory", or
 * LODE_ESCRIPT/LODE_ESANDBOX saying "not enough memory"/"out of memory");
 * after everything is freed, lode's allocator holds 0 blocks and libxml2
 * as many as before the pass; a pass whose steps all succeeded although an
 * allocation was refused gives exactly the output of a pass without
 * failures; nothing is written to standard error.  Sweeps run in a forked
 * child, so a crash or a hang (a pass longer than PASS_SECONDS) is reported
 * with its N and step and the sweep goes on after it.
 *
 * libxml2 allocates through xmlMalloc, which this test process (never the
 * library) points at the same counting allocator with xmlMemSetup: its
 * blocks are counted, so lode leaking a libxml2 object on an error path is
 * caught.  They are failed too only with LODE_OOM_XML=1: libxml2 2.9.14 is
 * not malloc-failure safe (HARDENING 1.3) -- its HTML parser loops forever
 * after some failures, and it drops nodes silently -- so that mode is for
 * exploring, not a gate.
 *
 * Usage: test_oom_paths                         every path (LODE_OOM_PATH=NAME:
 *                                               that one), both modes
 *        test_oom_paths PATH transient|persistent N [xml]
 *                                               one pass, every step shown
 *                                               (LODE_OOM_TRACE=1: and the
 *                                               stacks of refused allocations)
 * Run from the project root (tests/run.sh does). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, mkdtemp */
#include <errno.h>
#include <execinfo.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

#include "harness.h"
#include "lode.h"

#define DOCS "examples/documents/"
#define MAX_PASSES 150  /* per path and mode, in make test (LODE_OOM_FULL=1: all) */
#define PASS_SECONDS 20 /* a pass that takes longer hangs */

/* ------------------------------------------------------------------ */
/* the counting, failing allocator (lode's, Lua's and libxml2's)       */
/* ------------------------------------------------------------------ */

#define HDR sizeof(max_align_t)
#define MAGIC_LODE 0x10de10deu
#define MAGIC_XML 0x0a110ca7u

typedef struct counter {
    long blocks[2];     /* live blocks: lode, libxml2 */
    long calls;         /* allocations and growths that may fail */
    long fail_at;       /* 0: never fail */
    int persistent;     /* fail every allocation from fail_at on */
    int fail_xml;       /* libxml2's calls count (and fail) too */
    long refused;
    long bad_size;      /* lode: a free/realloc whose osize is not the block's */
    long bad_magic;     /* a block freed by the wrong allocator */
} counter;

typedef struct header {
    size_t size;
    unsigned magic;
} header;

static counter G;

static int trace; /* one pass: print the stack of each refused allocation */

static int refuse(counter *c)
{
    c->calls++;
    if (c->fail_at && (c->calls == c->fail_at || (c->persistent && c->calls > c->fail_at))) {
        if (trace && c->refused < 3) {
            void *frames[24];
            printf("# refused allocation %ld:\n", c->calls);
            fflush(stdout);
            backtrace_symbols_fd(frames, backtrace(frames, 24), 1);
        }
        c->refused++;
        return 1;
    }
    return 0;
}

/* realloc-like core: base is the header of a block (or NULL). */
static void *block(counter *c, int who, unsigned magic, void *ptr, size_t nsize, int may_fail)
{
    char *base = ptr ? (char *)ptr - HDR : NULL;
    header h = {0, 0};
    if (base)
        memcpy(&h, base, sizeof h);
    if (base && h.magic != magic)
        c->bad_magic++;
    if (nsize == 0) {
        if (base) {
            c->blocks[who]--;
            free(base);
        }
        return NULL;
    }
    int grow = !ptr || nsize > h.size;
    if (grow && may_fail && refuse(c))
        return NULL;
    if (nsize > SIZE_MAX - HDR)
        return NULL;
    char *q = realloc(base, nsize + HDR);
    if (!q) {
        if (!grow) { /* a shrink never fails */
            h.size = nsize;
            memcpy(base, &h, sizeof h);
            return ptr;
        }
        return NULL;
    }
    if (!ptr)
        c->blocks[who]++;
    h.size = nsize;
    h.magic = magic;
    memcpy(q, &h, sizeof h);
    return q + HDR;
}

static void *lode_side(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter *c = ud;
    if (ptr) {
        header h;
        memcpy(&h, (char *)ptr - HDR, sizeof h);
        if (h.size != osize)
            c->bad_size++;
    }
    return block(c, 0, MAGIC_LODE, ptr, nsize, 1);
}

static void *xml_malloc(size_t n)
{
    return block(&G, 1, MAGIC_XML, NULL, n ? n : 1, G.fail_xml);
}

static void *xml_realloc(void *p, size_t n)
{
    return block(&G, 1, MAGIC_XML, p, n ? n : 1, G.fail_xml);
}

static void xml_free(void *p)
{
    block(&G, 1, MAGIC_XML, p, 0, 0);
}

static char *xml_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xml_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* ------------------------------------------------------------------ */
/* host-side output (plain malloc: neither counted nor failed)         */
/* ------------------------------------------------------------------ */

typedef struct out {
    char *p;
    size_t len, cap;
} out;

static void out_add(out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *g = realloc(o->p, cap);
        if (!g)
            abort();
        o->p = g;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void out_str(out *o, const char *s)
{
    out_add(o, s, strlen(s));
}

static int slurp(const char *path, out *o)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        out_add(o, chunk, n);
    fclose(f);
    return 0;
}

/* ------------------------------------------------------------------ */
/* passes                                                              */
/* ------------------------------------------------------------------ */

/* Shared with the parent while a sweep runs in a child. */
typedef struct shared {
    long n;
    char step[256];
    int done;
    long passes, covered, hit_failures, absorbed;
    long bad, leaks, bad_sizes, wrong_output;
} shared;

static shared *sh;
static char tmpdir[64];

typedef struct pass {
    int verbose;
    int steps, failed_steps;
    int bad;
    char why[700];
    out output;
    lode_engine *e;
} pass;

static void set_step(const char *what)
{
    if (sh)
        snprintf(sh->step, sizeof sh->step, "%s", what);
}

static int clean_failure(int rc, const char *msg)
{
    if (rc == LODE_ENOMEM)
        return strstr(msg, "out of memory") != NULL;
    if (rc == LODE_ESCRIPT || rc == LODE_ESANDBOX)
        return strstr(msg, "not enough memory") != NULL || strstr(msg, "out of memory") != NULL;
    return 0;
}

/* Records the status of one step; returns rc. */
static int step(pass *p, const char *what, int rc)
{
    p->steps++;
    const char *msg = lode_errmsg(p->e);
    if (p->verbose)
        printf("#   %-50s %s%s%.300s\n", what, rc == LODE_OK ? "ok" : lode_strerror(rc), rc ? ": " : "",
               rc ? msg : "");
    if (rc == LODE_OK)
        return rc;
    p->failed_steps++;
    if (!clean_failure(rc, msg) && !p->bad) {
        p->bad = 1;
        snprintf(p->why, sizeof p->why, "%s: status %d (%s), message \"%.500s\"", what, rc, lode_strerror(rc), msg);
    }
    return rc;
}

static int on_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    out *o = ud;
    out_str(o, lode_doc_name(doc));
    out_add(o, ": ", 2);
    out_add(o, json, len);
    out_add(o, "\n", 1);
    return 0;
}

static const char *const formats[] = {"xml", "html", "json", "text", "markdown"};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* Writes doc in every format to the output, and saves it as xml. */
static void write_all(pass *p, lode_doc *doc, const char *label)
{
    char what[160];
    for (size_t f = 0; f < NFORMATS; f++) {
        lode_write_options wo;
        memset(&wo, 0, sizeof wo);
        wo.format = formats[f];
        wo.flags = f == 0 ? LODE_WRITE_INDENT : 0;
        char *b = NULL;
        size_t len = 0;
        snprintf(what, sizeof what, "write %s as %s", label, formats[f]);
        set_step(what);
        if (step(p, what, lode_doc_write_buffer(p->e, doc, &wo, &b, &len)) == LODE_OK) {
            out_add(&p->output, b, len);
            out_add(&p->output, "\n", 1);
        }
        lode_free(p->e, b);
    }
    char path[128];
    snprintf(path, sizeof path, "%s/saved.json", tmpdir);
    lode_write_options wo;
    memset(&wo, 0, sizeof wo);
    wo.format = "json";
    wo.flags = LODE_WRITE_NOSYNC;
    snprintf(what, sizeof what, "save %s as json", label);
    set_step(what);
    if (step(p, what, lode_doc_save(p->e, doc, &wo, path)) == LODE_OK)
        slurp(path, &p->output);
    unlink(path);
}

/* ---- the paths ---- */

typedef struct path {
    const char *name;
    const char *file;    /* a document to load, or a rule script */
    int is_rules;
    const char *module_path;
} path;

static const char *const run_docs[] = {DOCS "putin-kim-wladiwostok.txt", DOCS "sample-news-page.html",
                                       DOCS "soldatenbrief-013.tei.xml"};
#define NRUN (sizeof run_docs / sizeof run_docs[0])

static char json_doc[128], gz_doc[128], edit_script[128], script_page[128];

static const char edit_src[] =
    "local text = require 'lode.text'\n"
    "return {\n"
    "  begin = function(ctx) ctx.report:count('phase', 'begin') end,\n"
    "  ['b, i, em'] = function(el, ctx) el:rename('strong'); ctx.report:count('renamed', el:name()) end,\n"
    "  ['a[href]'] = function(a, ctx)\n"
    "    ctx:emit{ href = a:attr('href'), text = a:text('normalize') }\n"
    "    a:set_attr('rel', 'nofollow'); a:remove_attr('target')\n"
    "  end,\n"
    "  ['nav, footer, script'] = function(el, ctx) el:remove(); ctx.report:count('removed', el:name()) end,\n"
    "  p = function(p, ctx)\n"
    "    local t = p:text()\n"
    "    local n = 0\n"
    "    for _ in text.words(t) do n = n + 1 end\n"
    "    ctx.report:stats('words per p', n)\n"
    "    ctx.report:histogram('p length', #t, { 0, 100, 500 })\n"
    "    ctx.report:top('first words', text.sub(t, 1, 10), 5)\n"
    "    ctx.report:distinct('lines', tostring(p:line()))\n"
    "    if n > 40 then\n"
    "      local w = p:wrap(p:element('div', { class = 'long' }))\n"
    "      w:prepend(p:element('span', { class = 'lead' }, text.upper(text.sub(t, 1, 12))))\n"
    "      p:after(p:clone())\n"
    "    elseif n < 5 then\n"
    "      p:set_text(text.normalize(t, 'NFD'))\n"
    "    end\n"
    "  end,\n"
    "  document = function(doc, ctx)\n"
    "    ctx.report:sum('bytes', #doc:write('xml'))\n"
    "    for _, f in ipairs{ 'html', 'text', 'markdown', 'json' } do\n"
    "      ctx:emit{ format = f, len = #doc:write(f) }\n"
    "    end\n"
    "    local r = doc:root()\n"
    "    ctx:emit{ title = doc:title(), root = r and r:name(), first = doc:first('p') and doc:first('p'):write() }\n"
    "    for _, d in ipairs(doc:select('div.long')) do d:unwrap() end\n"
    "  end,\n"
    "  finish = function(ctx) ctx.report:count('phase', 'finish', ctx.report:total('removed')) end,\n"
    "}\n";

static path paths[] = {
    {"load xml", DOCS "soldatenbrief-013.tei.xml", 0, NULL},
    {"load html", DOCS "sample-news-page.html", 0, NULL},
    {"load html with long scripts", script_page, 0, NULL}, /* html_rawtext.c */
    {"load text", DOCS "putin-kim-wladiwostok.txt", 0, NULL},
    {"load json", json_doc, 0, NULL},
    {"load gzip", gz_doc, 0, NULL},
    {"run edits", edit_script, 1, NULL},
    {"run news-credits", "scripts/news-credits.lua", 1, "scripts"},
    {"run links", "examples/rules/links.lua", 1, NULL},
    {"run rename", "examples/rules/rename.lua", 1, NULL},
    {"run simplify", "examples/bench/t3_simplify.lua", 1, NULL}, /* the bulk edits */
    {"run quotes", "examples/rules/quotes.lua", 1, NULL},
};
#define NPATHS (sizeof paths / sizeof paths[0])

static lode_engine *new_engine(counter *c)
{
    lode_options o;
    lode_options_init(&o);
    o.alloc = lode_side;
    o.alloc_ud = c;
    return lode_engine_new(&o);
}

static const char *const report_formats[] = {"json", "csv", "txt", "html", "partial"};
#define NREPORT (sizeof report_formats / sizeof report_formats[0])

static void run_rules(pass *p, const path *pa)
{
    char what[200];
    lode_doc *docs[NRUN] = {NULL};
    for (size_t i = 0; i < NRUN; i++) {
        snprintf(what, sizeof what, "load %s", run_docs[i]);
        set_step(what);
        step(p, what, lode_doc_load(p->e, run_docs[i], NULL, &docs[i]));
    }
    lode_rules_options ro;
    memset(&ro, 0, sizeof ro);
    ro.on_record = on_record;
    ro.record_ud = &p->output;
    ro.module_path = pa->module_path;
    lode_rules *r = NULL;
    set_step("lode_rules_load");
    step(p, "lode_rules_load", lode_rules_load(p->e, pa->file, &ro, &r));
    if (r) {
        for (size_t i = 0; i < NRUN; i++) {
            if (!docs[i])
                continue;
            snprintf(what, sizeof what, "run on %s", run_docs[i]);
            set_step(what);
            step(p, what, lode_rules_run(r, docs[i]));
        }
        set_step("lode_rules_finish");
        step(p, "lode_rules_finish", lode_rules_finish(r));
        lode_report *rep = lode_rules_report(r);
        char *partial = NULL;
        size_t partial_len = 0;
        for (size_t f = 0; f < NREPORT; f++) {
            char *b = NULL;
            size_t len = 0;
            snprintf(what, sizeof what, "report as %s", report_formats[f]);
            set_step(what);
            if (step(p, what, lode_report_write_buffer(rep, report_formats[f], "oom", &b, &len)) == LODE_OK) {
                out_add(&p->output, b, len);
                if (!strcmp(report_formats[f], "partial")) {
                    partial = b;
                    partial_len = len;
                    continue;
                }
            }
            lode_free(p->e, b);
        }
        char rpath[128];
        snprintf(rpath, sizeof rpath, "%s/report.json", tmpdir);
        set_step("lode_report_save");
        if (step(p, "lode_report_save", lode_report_save(rep, NULL, "oom", rpath)) == LODE_OK)
            slurp(rpath, &p->output);
        unlink(rpath);
        if (partial) {
            lode_report *back = NULL;
            set_step("lode_report_new");
            if (step(p, "lode_report_new", lode_report_new(p->e, &back)) == LODE_OK) {
                set_step("lode_report_read");
                if (step(p, "lode_report_read", lode_report_read(back, partial, partial_len, "partial")) == LODE_OK) {
                    set_step("lode_report_merge");
                    if (step(p, "lode_report_merge", lode_report_merge(back, rep)) == LODE_OK) {
                        char *b = NULL;
                        size_t len = 0;
                        set_step("merged report as json");
                        if (step(p, "merged report as json", lode_report_write_buffer(back, "json", NULL, &b, &len))
                            == LODE_OK)
                            out_add(&p->output, b, len);
                        lode_free(p->e, b);
                    }
                }
            }
            lode_report_free(back);
            lode_free(p->e, partial);
        }
    }
    for (size_t i = 0; i < NRUN; i++)
        if (docs[i]) {
            snprintf(what, sizeof what, "edited %s", run_docs[i]);
            write_all(p, docs[i], what);
        }
    set_step("lode_doc_free");
    for (size_t i = 0; i < NRUN; i++)
        lode_doc_free(docs[i]);
    set_step("lode_rules_free");
    lode_rules_free(r);
}

static void run_pass(pass *p, const path *pa, counter *c)
{
    set_step("lode_engine_new");
    p->e = new_engine(c);
    p->steps++;
    if (!p->e) {
        p->failed_steps++;
        if (p->verbose)
            printf("#   lode_engine_new                                    NULL\n");
        return;
    }
    if (pa->is_rules) {
        run_rules(p, pa);
    } else {
        lode_doc *doc = NULL;
        set_step("lode_doc_load");
        if (step(p, "lode_doc_load", lode_doc_load(p->e, pa->file, NULL, &doc)) == LODE_OK)
            write_all(p, doc, pa->file);
        set_step("lode_doc_free");
        lode_doc_free(doc);
    }
    set_step("lode_engine_free");
    lode_engine_free(p->e);
    p->e = NULL;
    /* libxml2 keeps a copy of the last error (message and file name) */
    xmlResetLastError();
    set_step("");
}

/* ------------------------------------------------------------------ */
/* sweeps                                                              */
/* ------------------------------------------------------------------ */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct config {
    const path *pa;
    long total;  /* allocation points of a pass */
    long stride;
    long xml_base; /* libxml2 blocks alive between passes */
    out reference;
} config;

static void report_first(long *count, const char *what, long n, const char *detail)
{
    if (++*count <= 5) {
        printf("#   %s: N=%ld: %s\n", what, n, detail);
        fflush(stdout);
    }
}

static void child_sweep(const config *cf, int persistent, long start)
{
    for (long n = start;; n += cf->stride) {
        sh->n = n;
        long xml_blocks = G.blocks[1];
        G.calls = 0;
        G.refused = 0;
        G.bad_size = G.bad_magic = 0;
        G.blocks[0] = 0;
        G.fail_at = n;
        G.persistent = persistent;
        pass p;
        memset(&p, 0, sizeof p);
        alarm(PASS_SECONDS); /* a hang ends the child with SIGALRM */
        run_pass(&p, cf->pa, &G);
        alarm(0);
        G.fail_at = 0;
        sh->passes++;
        int reached = G.calls >= n;
        sh->covered += reached;
        sh->hit_failures += p.failed_steps > 0;
        if (p.bad)
            report_first(&sh->bad, "unclean status", n, p.why);
        if (G.blocks[0] != 0 || G.blocks[1] != xml_blocks) {
            char d[160];
            snprintf(d, sizeof d, "%ld lode blocks and %ld libxml2 blocks more than before the pass", G.blocks[0],
                     G.blocks[1] - xml_blocks);
            report_first(&sh->leaks, "leak", n, d);
        }
        if (G.bad_size || G.bad_magic)
            report_first(&sh->bad_sizes, "wrong size", n, "a free or realloc gave a wrong size or allocator");
        if (reached && G.refused && !p.failed_steps) {
            sh->absorbed++;
            if (p.output.len != cf->reference.len || memcmp(p.output.p, cf->reference.p, cf->reference.len) != 0)
                report_first(&sh->wrong_output, "wrong output", n,
                             "every step succeeded after a refused allocation, but the output differs");
        }
        free(p.output.p);
        if (!reached)
            break;
    }
    sh->done = 1;
}

static long stderr_lines(FILE *f)
{
    if (!f)
        return 0;
    rewind(f);
    char line[1024];
    long n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "news-credits: ", 14) == 0) /* its finish() says what it found */
            continue;
        fputs(line, stderr); /* tests/run.sh looks for sanitizer reports there */
        if (++n <= 3)
            printf("#   standard error: %s%s", line, strchr(line, '\n') ? "" : "\n");
    }
    fclose(f);
    if (n)
        printf("#   %ld lines on standard error\n", n);
    return n;
}

static void sweep(const config *cf, int persistent)
{
    char label[96];
    snprintf(label, sizeof label, "%s, %s", cf->pa->name, persistent ? "persistent" : "transient");
    harness_current = label;
    memset(sh, 0, sizeof *sh);
    double t0 = now();
    long start = 1, crashes = 0, exits = 0;
    FILE *errs = tmpfile();
    for (int restarts = 0; restarts < 1000; restarts++) {
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) {
            printf("#   fork: %s\n", strerror(errno));
            crashes++;
            break;
        }
        if (pid == 0) {
            if (errs)
                dup2(fileno(errs), 2);
            child_sweep(cf, persistent, start);
            fflush(stdout);
            exit(0); /* exit, not _exit: LeakSanitizer runs at exit */
        }
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        if (sh->done) {
            if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
                exits++;
                printf("#   the sweep's process ended with status %d after its last pass\n",
                       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
            }
            break;
        }
        crashes++;
        if (crashes <= 10) {
            if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
                printf("#   hang: N=%ld, in %s: no end after %d s\n", sh->n, sh->step, PASS_SECONDS);
            else
                printf("#   crash: N=%ld, in %s: %s %d\n", sh->n, sh->step,
                       WIFSIGNALED(st) ? "signal" : "exit status", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        }
        sh->passes++;
        sh->covered++;
        start = sh->n + cf->stride;
    }
    long err_lines = stderr_lines(errs);
    printf("# %s: %ld passes (stride %ld), %ld ended with an error, %ld absorbed the failure, %ld crashed, %.1f s\n",
           label, sh->passes, cf->stride, sh->hit_failures, sh->absorbed, crashes, now() - t0);
    harness_check(crashes == 0, __FILE__, __LINE__, "no pass crashes");
    harness_check(sh->bad == 0, __FILE__, __LINE__, "every step ends with LODE_OK or a clean out-of-memory error");
    harness_check(sh->leaks == 0, __FILE__, __LINE__, "nothing left allocated after a pass");
    harness_check(sh->bad_sizes == 0, __FILE__, __LINE__, "every free and realloc is given its block's size");
    harness_check(sh->wrong_output == 0, __FILE__, __LINE__,
                  "a pass that absorbed a refused allocation gives the reference output");
    harness_check(exits == 0, __FILE__, __LINE__, "the sweep's process exits cleanly (no LeakSanitizer report)");
    harness_check(err_lines == 0, __FILE__, __LINE__, "nothing on standard error");
    long expected = cf->total / cf->stride;
    harness_check(sh->covered >= expected - expected / 10 - 1 && sh->hit_failures > 0, __FILE__, __LINE__,
                  "failures were injected at the allocation points and reported");
}

/* A pass without failures: the reference output and the number of points. */
static int reference(config *cf)
{
    G.calls = 0;
    G.blocks[0] = 0;
    long xml_before = G.blocks[1];
    pass p;
    memset(&p, 0, sizeof p);
    run_pass(&p, cf->pa, &G);
    cf->total = G.calls;
    cf->reference = p.output;
    int ok = p.failed_steps == 0 && G.blocks[0] == 0 && G.blocks[1] == xml_before && !G.bad_size && !G.bad_magic;
    if (!ok)
        printf("# reference pass of %s: %d steps failed, %ld/%ld blocks left%s\n", cf->pa->name, p.failed_steps,
               G.blocks[0], G.blocks[1] - xml_before, p.bad ? p.why : "");
    return ok;
}

static int setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/lode-oom-paths.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(json_doc, sizeof json_doc, "%s/letter.json", tmpdir);
    snprintf(gz_doc, sizeof gz_doc, "%s/page.html.gz", tmpdir);
    snprintf(edit_script, sizeof edit_script, "%s/edits.lua", tmpdir);
    snprintf(script_page, sizeof script_page, "%s/scripts.html", tmpdir);
    /* script and style text long enough for html_rawtext.c (128 bytes) */
    FILE *sp = fopen(script_page, "w");
    if (!sp)
        return -1;
    fputs("<html><head><style>", sp);
    for (int i = 0; i < 20; i++)
        fprintf(sp, ".c%d { color: red }\n", i);
    fputs("</style><script>", sp);
    for (int i = 0; i < 40; i++)
        fprintf(sp, "var v%d = '<p>' + %d;\x01\n", i, i);
    fputs("</script></head><body><p>text</p><script>\n", sp);
    for (int i = 0; i < 40; i++)
        fprintf(sp, "if (a < %d) { b = \"</div>\"; }\n", i);
    fputs("</script></body></html>\n", sp);
    if (fclose(sp) != 0)
        return -1;
    /* the JSON tree is made by the library itself, on an engine of its own */
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *d = NULL;
    lode_write_options wo = {"json", 0};
    int rc = e ? lode_doc_load(e, DOCS "soldatenbrief-013.tei.xml", NULL, &d) : -1;
    if (rc == LODE_OK)
        rc = lode_doc_save(e, d, &wo, json_doc);
    lode_doc_free(d);
    lode_engine_free(e);
    if (rc != LODE_OK)
        return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "gzip -c %s > %s", DOCS "sample-news-page.html", gz_doc);
    if (system(cmd) != 0)
        return -1;
    FILE *f = fopen(edit_script, "w");
    if (!f)
        return -1;
    fwrite(edit_src, 1, sizeof edit_src - 1, f);
    return fclose(f) == 0 ? 0 : -1;
}

static void cleanup(void)
{
    unlink(json_doc);
    unlink(gz_doc);
    unlink(edit_script);
    unlink(script_page);
    rmdir(tmpdir);
}

static const path *find_path(const char *name)
{
    for (size_t i = 0; i < NPATHS; i++)
        if (!strcmp(paths[i].name, name))
            return &paths[i];
    return NULL;
}

int main(int argc, char **argv)
{
    /* before libxml2 allocates anything: every block it hands out is ours */
    if (xmlMemSetup(xml_free, xml_malloc, xml_realloc, xml_strdup) != 0) {
        printf("not ok 1 - xmlMemSetup failed\n");
        return 1;
    }
    G.fail_xml = getenv("LODE_OOM_XML") && !strcmp(getenv("LODE_OOM_XML"), "1");
    harness_current = "setup";
    if (!CHECK(setup() == 0)) {
        printf("# cannot prepare the inputs (run from the project root)\n");
        return harness_done();
    }
    if (argc >= 4) {
        const path *pa = find_path(argv[1]);
        if (!pa) {
            printf("# unknown path '%s'\n", argv[1]);
            cleanup();
            return 2;
        }
        if (argc > 4 && !strcmp(argv[4], "xml"))
            G.fail_xml = 1;
        config cf;
        memset(&cf, 0, sizeof cf);
        cf.pa = pa;
        harness_current = pa->name;
        reference(&cf);
        free(cf.reference.p);
        CHECK(reference(&cf));
        long xml_blocks = G.blocks[1];
        G.calls = 0;
        G.refused = 0;
        G.fail_at = atol(argv[3]);
        G.persistent = !strcmp(argv[2], "persistent");
        trace = getenv("LODE_OOM_TRACE") != NULL;
        pass p;
        memset(&p, 0, sizeof p);
        p.verbose = 1;
        run_pass(&p, pa, &G);
        printf("# %s N=%ld: %ld allocations, %ld refused, %ld lode blocks, %ld libxml2 blocks left\n", argv[2],
               G.fail_at, G.calls, G.refused, G.blocks[0], G.blocks[1] - xml_blocks);
        CHECK(!p.bad);
        if (p.bad)
            printf("#   %s\n", p.why);
        CHECK(G.blocks[0] == 0 && G.blocks[1] == xml_blocks);
        if (!p.failed_steps)
            CHECK(p.output.len == cf.reference.len && !memcmp(p.output.p, cf.reference.p, p.output.len));
        free(p.output.p);
        free(cf.reference.p);
        cleanup();
        return harness_done();
    }
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(sh != MAP_FAILED))
        return harness_done();
    int full = getenv("LODE_OOM_FULL") && !strcmp(getenv("LODE_OOM_FULL"), "1");
    double t0 = now();
    const char *only = getenv("LODE_OOM_PATH");
    for (size_t i = 0; i < NPATHS; i++) {
        if (only && strcmp(only, paths[i].name) != 0)
            continue;
        config cf;
        memset(&cf, 0, sizeof cf);
        cf.pa = &paths[i];
        harness_current = paths[i].name;
        /* twice: the first pass also makes libxml2's lazy globals */
        reference(&cf);
        free(cf.reference.p);
        if (!CHECK(reference(&cf)))
            continue;
        cf.stride = full ? 1 : (cf.total + MAX_PASSES - 1) / MAX_PASSES;
        if (cf.stride < 1)
            cf.stride = 1;
        printf("# %s: %ld allocation points (libxml2's %s), stride %ld\n", cf.pa->name, cf.total,
               G.fail_xml ? "included" : "not failed", cf.stride);
        sweep(&cf, 0);
        sweep(&cf, 1);
        free(cf.reference.p);
    }
    printf("# all paths: %.1f s\n", now() - t0);
    munmap(sh, sizeof *sh);
    cleanup();
    return harness_done();
}
