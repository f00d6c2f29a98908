/* test_oom.c -- allocation failures from the host allocator at every
 * allocation point of a whole parse + rules load + run + finish + write.
 *
 * A pass runs the pipeline below on an engine whose lode_alloc_fn refuses
 * allocations by number:
 *   transient:  only the N-th allocation fails;
 *   persistent: every allocation from the N-th on fails.
 * (Frees and shrinks never fail: the lua_Alloc contract.)  For each mode, N
 * runs 1, 2, ... until a pass completes without reaching N.  Every step of
 * every pass must end with LODE_OK or a clean out-of-memory error
 * (LODE_ENOMEM, or LODE_ESCRIPT/LODE_ESANDBOX whose message says "not enough
 * memory" / "out of memory"), never a crash; after everything is freed the
 * allocator must hold 0 blocks and 0 bytes, and every free/realloc must have
 * been given the size of its block.  A pass whose steps all succeed although
 * an allocation was refused (Lua retries after an emergency collection) must
 * produce exactly the output of a pass without failures.
 *
 * The pipeline: an engine; three documents parsed from memory (the seed
 * article read with fopen/fread, a small HTML page, a small XML file); a
 * rule script (select, wrap, set_attr, append, ctx:emit, lode.text,
 * ctx.report) loaded from a string and run on each document; finish; each
 * document written in all five formats; then documents, rules, engine freed.
 * It runs twice: with the sandbox off (the default) and on (its own Lua
 * environment and allocator path).
 *
 * A sweep runs in a forked child so that a crash does not end it: the parent
 * notes the pass that crashed (N and step) and starts a new child at the next
 * N.  The child ends with exit(), so LeakSanitizer checks libxml2's side (it
 * is not injected: it uses malloc; HARDENING 1.3) under `make SAN=1`.
 *
 * Cost: about 1 ms per pass (2,000 allocation points per configuration), so
 * every point is failed.  Should the rules part (load/run/finish) grow past
 * MAX_LUA_PASSES points, it is stepped with a stride while the parse and
 * write parts stay complete; argv[1] may set the stride.  The test prints
 * "# N allocation points" and the stride.
 *
 * Usage: test_oom [STRIDE]                     the sweeps
 *        test_oom transient|persistent N [sandbox]
 *                                              one pass, every step shown
 *        LODE_OOM_DUMP=DIR with one pass: DIR/reference.out, DIR/pass.out
 * Run from the project root (tests/run.sh does). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "test_alloc.h"
#include "lode.h"

#define SEED "examples/documents/putin-kim-wladiwostok.txt"
#define MAX_LUA_PASSES 20000 /* per sweep, for the load/run/finish part */

/* ------------------------------------------------------------------ */
/* inputs                                                              */
/* ------------------------------------------------------------------ */

static const char page_html[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"de\"><head><meta charset=\"utf-8\"><title>Gipfel in Wladiwostok</title>\n"
    "<meta name=\"date\" content=\"2019-04-25\"></head>\n"
    "<body><header><nav><a href=\"/\">Start</a> | <a href=\"/politik\">Politik</a></nav></header>\n"
    "<article><h1>Putin trifft Kim</h1>\n"
    "<p class=\"dateline\">WLADIWOSTOK &ndash; Russlands Pr&auml;sident Wladimir Putin und Kim Jong Un "
    "sind am Donnerstag zu ihrem ersten Gipfel zusammengetroffen.</p>\n"
    "<figure><img src=\"a.jpg\" alt=\"Handschlag\"><figcaption>Handschlag &copy; dpa</figcaption></figure>\n"
    "<p>Die Gespr&auml;che zwischen <em>Nordkorea</em> und den USA stocken. "
    "<a href=\"https://example.org/\">Mehr</a></p>\n"
    "<ul><li>Atomprogramm</li><li>Sanktionen</li></ul>\n"
    "<table><tr><th>Land</th><th>Hauptstadt</th></tr><tr><td>Russland</td><td>Moskau</td></tr></table>\n"
    "<p>Kurz.</p>\n"
    "</article><footer><p>&copy; 2019</p></footer></body></html>\n";

static const char small_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><teiHeader><fileDesc><titleStmt>"
    "<title>Ein Brief</title></titleStmt></fileDesc></teiHeader>\n"
    "<text><body><div type=\"letter\">\n"
    "<p>Liebe Eltern, ich schreibe euch aus dem Lager. Es geht mir gut, aber das Essen ist knapp.</p>\n"
    "<p rend=\"italic\">Euer <persName ref=\"#k\">Karl</persName></p>\n"
    "<p/>\n"
    "</div></body></text></TEI>\n";

/* select, edit (set_attr, wrap, append), emit, lode.text, ctx.report */
static const char rules_src[] =
    "local text = require 'lode.text'\n"
    "return {\n"
    "  begin = function(ctx) ctx.report:count('phase', 'begin') end,\n"
    "  ['p'] = function(p, ctx)\n"
    "    local t = p:text()\n"
    "    local words = 0\n"
    "    for w in text.words(t) do words = words + 1 end\n"
    "    p:set_attr('data-words', words)\n"
    "    if text.len(t) > 60 then\n"
    "      local w = p:wrap(p:element('div', { class = 'long' }))\n"
    "      w:append(p:element('span', { class = 'lead' }, text.upper(text.sub(t, 1, 12))))\n"
    "    end\n"
    "    ctx:emit{ first = text.sub(t, 1, 24), words = words, line = p:line(), tag = p:name() }\n"
    "    ctx.report:count('p', p:name())\n"
    "  end,\n"
    "  { 'h1, title', function(h, ctx)\n"
    "      ctx:emit{ title = h, nfd = text.len(text.normalize(h:text(), 'NFD')), fold = text.casefold(h:text()) }\n"
    "    end },\n"
    "  document = function(doc, ctx)\n"
    "    local first = doc:first('p')\n"
    "    ctx:emit{ ps = #doc:select('p'), longs = #doc:select('div.long'), first = first }\n"
    "  end,\n"
    "  finish = function(ctx) ctx.report:count('phase', 'finish', ctx.report:total('p')) end,\n"
    "}\n";

static const char *const formats[] = {"xml", "html", "json", "text", "markdown"};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* ------------------------------------------------------------------ */
/* a pass                                                              */
/* ------------------------------------------------------------------ */

/* Host-side output (plain malloc, not counted). */
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

static int on_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    out *o = ud;
    const char *name = lode_doc_name(doc);
    out_add(o, name, strlen(name));
    out_add(o, ": ", 2);
    out_add(o, json, len);
    out_add(o, "\n", 1);
    return 0;
}

/* Shared with the parent while a sweep runs in a child. */
typedef struct shared {
    long n;          /* the pass running */
    char step[96];   /* its step */
    int done;        /* the child finished its sweep */
    long passes, covered, hit_failures, absorbed;
    long bad, leaks, bad_sizes, wrong_output;
} shared;

static shared *sh;

static void set_step(const char *what)
{
    if (sh)
        snprintf(sh->step, sizeof sh->step, "%s", what);
}

typedef struct pass {
    int sandbox;
    int verbose;
    /* results */
    int steps, failed_steps;
    int bad;       /* a step ended with an unclean status */
    char why[600]; /* the first unclean step */
    out output;
} pass;

static int clean_failure(int rc, const char *msg)
{
    if (rc == LODE_ENOMEM)
        return 1;
    if (rc == LODE_ESCRIPT || rc == LODE_ESANDBOX)
        return strstr(msg, "not enough memory") != NULL || strstr(msg, "out of memory") != NULL;
    return 0;
}

/* Records the status of one step. */
static void step(pass *p, lode_engine *e, const char *what, int rc)
{
    p->steps++;
    const char *msg = lode_errmsg(e);
    if (p->verbose)
        printf("#   %-44s %s%s%.300s\n", what, rc == LODE_OK ? "ok" : lode_strerror(rc), rc ? ": " : "",
               rc ? msg : "");
    if (rc == LODE_OK)
        return;
    p->failed_steps++;
    if (!clean_failure(rc, msg) && !p->bad) {
        p->bad = 1;
        snprintf(p->why, sizeof p->why, "%s: status %d (%s), message \"%.400s\"", what, rc, lode_strerror(rc),
                 msg);
    }
}

#define NDOCS 3
static const char *const doc_names[NDOCS] = {SEED, "page.html", "letter.tei.xml"};
static const char *doc_data[NDOCS] = {NULL, page_html, small_xml};
static size_t doc_len[NDOCS] = {0, sizeof page_html - 1, sizeof small_xml - 1};

static lode_engine *new_engine(test_alloc *c, int sandbox)
{
    lode_options o;
    lode_options_init(&o);
    o.alloc = test_alloc_fn;
    o.alloc_ud = c;
    o.sandbox.enabled = sandbox;
    return lode_engine_new(&o);
}

static void run_pass(pass *p, test_alloc *c)
{
    char what[96];
    set_step("lode_engine_new");
    lode_engine *e = new_engine(c, p->sandbox);
    p->steps++;
    if (!e) {
        p->failed_steps++;
        if (p->verbose)
            printf("#   lode_engine_new                              NULL\n");
        return;
    }
    lode_doc *docs[NDOCS] = {NULL, NULL, NULL};
    for (int i = 0; i < NDOCS; i++) {
        snprintf(what, sizeof what, "parse %s", doc_names[i]);
        set_step(what);
        step(p, e, what, lode_doc_parse(e, doc_data[i], doc_len[i], doc_names[i], NULL, &docs[i]));
    }
    lode_rules_options ro;
    memset(&ro, 0, sizeof ro);
    ro.on_record = on_record;
    ro.record_ud = &p->output;
    lode_rules *r = NULL;
    set_step("lode_rules_load_string");
    step(p, e, "lode_rules_load_string",
         lode_rules_load_string(e, rules_src, sizeof rules_src - 1, "oom.lua", &ro, &r));
    if (r) {
        for (int i = 0; i < NDOCS; i++) {
            if (!docs[i])
                continue;
            snprintf(what, sizeof what, "run %s", doc_names[i]);
            set_step(what);
            step(p, e, what, lode_rules_run(r, docs[i]));
        }
        set_step("lode_rules_finish");
        step(p, e, "lode_rules_finish", lode_rules_finish(r));
    }
    for (int i = 0; i < NDOCS; i++) {
        if (!docs[i])
            continue;
        for (size_t f = 0; f < NFORMATS; f++) {
            lode_write_options wo;
            memset(&wo, 0, sizeof wo);
            wo.format = formats[f];
            char *buf = NULL;
            size_t len = 0;
            snprintf(what, sizeof what, "write %s as %s", doc_names[i], formats[f]);
            set_step(what);
            int rc = lode_doc_write_buffer(e, docs[i], &wo, &buf, &len);
            step(p, e, what, rc);
            if (rc == LODE_OK) {
                out_add(&p->output, buf, len);
                out_add(&p->output, "\n", 1);
            }
            lode_free(e, buf);
        }
    }
    /* documents first: the Lua state may still hold nodes of them */
    set_step("lode_doc_free");
    for (int i = 0; i < NDOCS; i++)
        lode_doc_free(docs[i]);
    set_step("lode_rules_free");
    lode_rules_free(r);
    set_step("lode_engine_free");
    lode_engine_free(e);
    set_step("");
}

/* ------------------------------------------------------------------ */
/* the sweeps                                                          */
/* ------------------------------------------------------------------ */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One configuration: sandbox off or on, with the allocation numbers of a
 * pass without failures. */
typedef struct config {
    int sandbox;
    long total;            /* allocations of a whole pass */
    long lua_first, lua_last; /* the load/run/finish part */
    long stride;
    out reference;
} config;

/* A pass without failures, then the same pipeline in pieces to find where
 * the rules part begins and ends. */
static void reference_pass(config *cf)
{
    test_alloc c;
    memset(&c, 0, sizeof c);
    pass p;
    memset(&p, 0, sizeof p);
    p.sandbox = cf->sandbox;
    run_pass(&p, &c);
    CHECK_EQ_INT(p.failed_steps, 0);
    CHECK(test_alloc_clean(&c));
    CHECK(p.output.len > 0 && strstr(p.output.p, "\"longs\":") != NULL);
    cf->total = c.calls;
    cf->reference = p.output;

    test_alloc c2;
    memset(&c2, 0, sizeof c2);
    lode_engine *e = new_engine(&c2, cf->sandbox);
    lode_doc *docs[NDOCS];
    for (int i = 0; i < NDOCS; i++)
        lode_doc_parse(e, doc_data[i], doc_len[i], doc_names[i], NULL, &docs[i]);
    cf->lua_first = c2.calls + 1;
    lode_rules_options ro;
    memset(&ro, 0, sizeof ro);
    lode_rules *r = NULL;
    lode_rules_load_string(e, rules_src, sizeof rules_src - 1, "oom.lua", &ro, &r);
    for (int i = 0; i < NDOCS; i++)
        lode_rules_run(r, docs[i]);
    lode_rules_finish(r);
    long before = c2.calls;
    for (int i = 0; i < NDOCS; i++)
        for (size_t f = 0; f < NFORMATS; f++) {
            lode_write_options wo;
            memset(&wo, 0, sizeof wo);
            wo.format = formats[f];
            char *buf = NULL;
            lode_doc_write_buffer(e, docs[i], &wo, &buf, NULL);
            lode_free(e, buf);
        }
    long writes = c2.calls - before;
    cf->lua_last = cf->total - writes;
    for (int i = 0; i < NDOCS; i++)
        lode_doc_free(docs[i]);
    lode_rules_free(r);
    lode_engine_free(e);
    printf("# sandbox %s: %ld allocations in a pass: %ld before the rules load, %ld in load/run/finish, "
           "%ld in the writes\n",
           cf->sandbox ? "on" : "off", cf->total, cf->lua_first - 1, cf->lua_last - cf->lua_first + 1, writes);
}

static long next_n(const config *cf, long n)
{
    return n + ((n >= cf->lua_first && n < cf->lua_last && cf->stride > 1) ? cf->stride : 1);
}

static void report_first(long *count, const char *what, long n, const char *detail)
{
    if (++*count <= 5) {
        printf("#   %s: N=%ld: %s\n", what, n, detail);
        fflush(stdout);
    }
}

/* In the child: passes from N = start on, until one does not reach N. */
static void child_sweep(const config *cf, int persistent, long start)
{
    for (long n = start;; n = next_n(cf, n)) {
        sh->n = n;
        test_alloc c;
        memset(&c, 0, sizeof c);
        c.fail_at = n;
        c.persistent = persistent;
        pass p;
        memset(&p, 0, sizeof p);
        p.sandbox = cf->sandbox;
        run_pass(&p, &c);
        sh->passes++;
        int reached = c.calls >= n;
        sh->covered += reached;
        sh->hit_failures += p.failed_steps > 0;
        if (p.bad)
            report_first(&sh->bad, "unclean status", n, p.why);
        if (c.blocks != 0 || c.bytes != 0) {
            char d[120];
            snprintf(d, sizeof d, "%ld blocks, %lld bytes still allocated after everything was freed", c.blocks,
                     c.bytes);
            report_first(&sh->leaks, "leak", n, d);
        }
        if (c.bad_size)
            report_first(&sh->bad_sizes, "wrong size", n, "a free or realloc gave a size that is not the block's");
        if (reached && c.refused && !p.failed_steps) {
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

/* Counts the lines the children wrote to standard error, shows the first
 * few, and passes on everything but libxml2's repeated "I/O error" lines to
 * the real standard error (where tests/run.sh looks for sanitizer reports). */
static long stderr_lines(FILE *f)
{
    if (!f)
        return 0;
    rewind(f);
    char line[1024];
    long n = 0, io = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strncmp(line, "I/O error", 9) == 0)
            io++;
        else
            fputs(line, stderr);
        if (n <= 3)
            printf("#   standard error: %s%s", line, strchr(line, '\n') ? "" : "\n");
    }
    fclose(f);
    if (n)
        printf("#   %ld lines on standard error, %ld of them libxml2's \"I/O error : ...\"\n", n, io);
    return n;
}

static void sweep(const config *cf, int persistent)
{
    const char *mode = persistent ? "persistent" : "transient";
    char label[64];
    snprintf(label, sizeof label, "%s, sandbox %s", mode, cf->sandbox ? "on" : "off");
    harness_current = label;
    memset(sh, 0, sizeof *sh);
    double t0 = now();
    long start = 1, crashes = 0, exits = 0;
    FILE *errs = tmpfile(); /* the children's standard error */
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
        int ok_exit = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (sh->done) {
            if (!ok_exit) {
                exits++;
                printf("#   the sweep's process ended with status %d after its last pass "
                       "(a LeakSanitizer report?)\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
            }
            break;
        }
        crashes++;
        if (crashes <= 10) {
            if (WIFSIGNALED(st))
                printf("#   crash: N=%ld, in %s: signal %d (%s)\n", sh->n, sh->step, WTERMSIG(st),
                       strsignal(WTERMSIG(st)));
            else
                printf("#   crash: N=%ld, in %s: exit status %d (a sanitizer report?)\n", sh->n, sh->step,
                       WEXITSTATUS(st));
        }
        /* go on after the pass that crashed; its N counts as covered */
        sh->passes++;
        sh->covered++;
        start = next_n(cf, sh->n);
    }
    double secs = now() - t0;
    long err_lines = stderr_lines(errs);
    printf("# %s: %ld passes, %ld allocation points failed, %ld passes ended with an error, %ld absorbed the "
           "failure, %ld crashed, %.1f s\n",
           label, sh->passes, sh->covered, sh->hit_failures, sh->absorbed, crashes, secs);
    harness_check(crashes == 0, __FILE__, __LINE__, "no pass crashes");
    harness_check(sh->bad == 0, __FILE__, __LINE__,
                  "every step ends with LODE_OK or a clean out-of-memory error");
    harness_check(sh->leaks == 0, __FILE__, __LINE__, "0 blocks and 0 bytes left after every pass");
    harness_check(sh->bad_sizes == 0, __FILE__, __LINE__, "every free and realloc is given its block's size");
    harness_check(sh->wrong_output == 0, __FILE__, __LINE__,
                  "a pass that absorbed a refused allocation gives the reference output");
    harness_check(exits == 0, __FILE__, __LINE__, "the sweep's process exits cleanly (no LeakSanitizer report)");
    harness_check(err_lines == 0, __FILE__, __LINE__, "the library writes nothing to the host's standard error");
    /* Lua hashes node pointers (light userdata keys), so with ASLR the
     * number of allocations may differ by a few from the reference pass */
    long expected = cf->total / (cf->stride > 1 ? cf->stride : 1);
    harness_check(sh->covered >= expected - expected / 10 && sh->hit_failures > 0,
                  __FILE__, __LINE__, "failures were injected at the allocation points and reported");
}

static int read_seed(void)
{
    FILE *f = fopen(SEED, "rb");
    if (!f)
        return -1;
    out o;
    memset(&o, 0, sizeof o);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        out_add(&o, chunk, n);
    fclose(f);
    doc_data[0] = o.p;
    doc_len[0] = o.len;
    return o.p ? 0 : -1;
}

static void dump(const char *dir, const char *name, const out *o)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fwrite(o->p, 1, o->len, f);
        fclose(f);
    }
}

/* test_oom transient|persistent N [sandbox]: one pass, every step shown. */
static void one_pass(int persistent, long n, int sandbox)
{
    test_alloc rc0, c;
    memset(&rc0, 0, sizeof rc0);
    memset(&c, 0, sizeof c);
    c.persistent = persistent;
    c.fail_at = n;
    pass ref, p;
    memset(&ref, 0, sizeof ref);
    memset(&p, 0, sizeof p);
    ref.sandbox = p.sandbox = sandbox;
    run_pass(&ref, &rc0);
    p.verbose = 1;
    run_pass(&p, &c);
    printf("# %s N=%ld: %ld allocations, %ld refused, %ld blocks / %lld bytes left\n",
           persistent ? "persistent" : "transient", n, c.calls, c.refused, c.blocks, c.bytes);
    CHECK(!p.bad);
    if (p.bad)
        printf("#   %s\n", p.why);
    CHECK(test_alloc_clean(&c));
    if (!p.failed_steps) {
        int same = p.output.len == ref.output.len && memcmp(p.output.p, ref.output.p, ref.output.len) == 0;
        CHECK(same);
        if (!same) {
            size_t k = 0;
            while (k < p.output.len && k < ref.output.len && p.output.p[k] == ref.output.p[k])
                k++;
            printf("# the output differs from the reference at byte %zu\n", k);
        }
    }
    const char *dir = getenv("LODE_OOM_DUMP");
    if (dir) {
        dump(dir, "reference.out", &ref.output);
        dump(dir, "pass.out", &p.output);
    }
    free(ref.output.p);
    free(p.output.p);
}

int main(int argc, char **argv)
{
    harness_current = "setup";
    if (!CHECK(read_seed() == 0)) {
        printf("# cannot read %s (run from the project root)\n", SEED);
        return harness_done();
    }
    if (argc >= 3) {
        harness_current = "one pass";
        one_pass(strcmp(argv[1], "persistent") == 0, atol(argv[2]), argc > 3 && !strcmp(argv[3], "sandbox"));
        free((char *)doc_data[0]);
        return harness_done();
    }
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(sh != MAP_FAILED))
        return harness_done();
    double t0 = now();
    config cfs[2];
    memset(cfs, 0, sizeof cfs);
    long points = 0;
    for (int k = 0; k < 2; k++) {
        config *cf = &cfs[k];
        cf->sandbox = k;
        harness_current = k ? "reference, sandbox on" : "reference, sandbox off";
        reference_pass(cf);
        long lua_points = cf->lua_last - cf->lua_first + 1;
        cf->stride = argc == 2 ? atol(argv[1]) : (lua_points + MAX_LUA_PASSES - 1) / MAX_LUA_PASSES;
        if (cf->stride < 1)
            cf->stride = 1;
        long covered = (cf->total - lua_points) + (lua_points + cf->stride - 1) / cf->stride;
        printf("# sandbox %s: stride %ld over load/run/finish, 1 elsewhere: %ld of %ld allocation points "
               "failed per mode\n",
               cf->sandbox ? "on" : "off", cf->stride, covered, cf->total);
        points += covered;
    }
    printf("# %ld allocation points (sandbox off and on), each failed transiently and persistently\n", points);
    fflush(stdout);
    for (int k = 0; k < 2; k++) {
        sweep(&cfs[k], 0);
        sweep(&cfs[k], 1);
    }
    printf("# all sweeps: %.1f s\n", now() - t0);
    for (int k = 0; k < 2; k++)
        free(cfs[k].reference.p);
    munmap(sh, sizeof *sh);
    free((char *)doc_data[0]);
    return harness_done();
}
