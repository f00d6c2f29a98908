/* test_isolated.c -- lode_rules_run_isolated: the rules of one document in a
 * child process under limits.  The same records, report, messages and
 * warnings as lode_rules_run; begin once; nothing the child changes comes
 * back; loops, crashes and memory bombs fail that document only. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "harness.h"
#include "lode.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static const char DOC_A[] = "<html><body><h1>Eins</h1><p>a b c</p><p>d e</p></body></html>";
static const char DOC_B[] = "<html><body><h1>Zwei</h1><p>f</p></body></html>";

static lode_doc *parse(lode_engine *e, const char *html, const char *name)
{
    lode_parse_options po = {"html", NULL, 0};
    lode_doc *d = NULL;
    if (lode_doc_parse(e, html, strlen(html), name, &po, &d) != LODE_OK)
        printf("# parse %s: %s\n", name, lode_errmsg(e));
    return d;
}

static char *render(lode_engine *e, const lode_doc *d)
{
    lode_write_options wo = {"html", 0};
    char *out = NULL;
    size_t len;
    if (lode_doc_write_buffer(e, d, &wo, &out, &len) != LODE_OK)
        return NULL;
    char *copy = strdup(out);
    lode_free(e, out);
    return copy;
}

static char *report_json(lode_rules *r)
{
    char *out = NULL;
    size_t len;
    if (lode_report_write_buffer(lode_rules_report(r), "json", "t", &out, &len) != LODE_OK)
        return NULL;
    char *copy = strdup(out);
    lode_free(lode_rules_engine(r), out);
    return copy;
}

/* Runs src over DOC_A and DOC_B, in-process or isolated; the records, the
 * log, the report and the return codes. */
typedef struct outcome {
    sink records;
    logbuf log;
    char *report;
    int rc[2];
    char msg[2][512];
} outcome;

static void run_both(const char *src, int isolated, outcome *o)
{
    memset(o, 0, sizeof *o);
    lode_options opts;
    lode_options_init(&opts);
    opts.log = on_log;
    opts.log_ud = &o->log;
    lode_engine *e = lode_engine_new(&opts);
    lode_rules_options ro = {NULL, on_record, &o->records, NULL, NULL};
    lode_rules *r = NULL;
    if (lode_rules_load_string(e, src, strlen(src), "t.lua", &ro, &r) != LODE_OK) {
        printf("# load: %s\n", lode_errmsg(e));
        lode_engine_free(e);
        return;
    }
    const char *docs[2] = {DOC_A, DOC_B}, *names[2] = {"a.html", "b.html"};
    for (int i = 0; i < 2; i++) {
        lode_doc *d = parse(e, docs[i], names[i]);
        o->rc[i] = isolated ? lode_rules_run_isolated(r, d, NULL) : lode_rules_run(r, d);
        snprintf(o->msg[i], sizeof o->msg[i], "%s", lode_errmsg(e));
        lode_doc_free(d);
    }
    lode_rules_finish(r);
    o->report = report_json(r);
    lode_rules_free(r);
    lode_engine_free(e);
}

static void same_as_in_process(void)
{
    const char *src = "return {\n"
                      "  p = function(p, ctx)\n"
                      "    ctx.report:count('paragraphs', ctx.doc.path)\n"
                      "    ctx.report:stats('length', #p:text())\n"
                      "    ctx:emit{ doc = ctx.doc.path, text = p:text() }\n"
                      "  end,\n"
                      "  h1 = function(h, ctx) ctx:warn('headline ' .. h:text()) end,\n"
                      "  document = function(doc, ctx) ctx:emit{ doc = doc.path, done = true } end,\n"
                      "}\n";
    outcome in, iso;
    run_both(src, 0, &in);
    run_both(src, 1, &iso);
    CHECK_EQ_INT(iso.rc[0], LODE_OK);
    CHECK_EQ_INT(iso.rc[1], LODE_OK);
    CHECK_EQ_INT(iso.records.count, 5);
    CHECK_EQ_STR(iso.records.text, in.records.text);
    CHECK_EQ_STR(iso.report, in.report);
    CHECK(contains(iso.report, "\"b.html\""));
    CHECK_EQ_INT(iso.log.count, 2);
    CHECK_EQ_STR(iso.log.text, in.log.text);
    free(in.report);
    free(iso.report);
}

static void errors_as_in_process(void)
{
    /* a script error on the second document, after an emit: no record of
     * it, the same message */
    const char *src = "return {\n"
                      "  p = function(p, ctx)\n"
                      "    ctx:emit{ t = p:text() }\n"
                      "    if ctx.doc.path == 'b.html' then error('planted') end\n"
                      "  end,\n"
                      "}\n";
    outcome in, iso;
    run_both(src, 0, &in);
    run_both(src, 1, &iso);
    CHECK_EQ_INT(iso.rc[0], LODE_OK);
    CHECK_EQ_INT(iso.rc[1], LODE_ESCRIPT);
    CHECK_EQ_INT(iso.rc[1], in.rc[1]);
    CHECK_EQ_STR(iso.msg[1], in.msg[1]);
    CHECK(contains(iso.msg[1], "t.lua:4: planted"));
    CHECK_EQ_INT(iso.records.count, 2);
    CHECK_EQ_STR(iso.records.text, in.records.text);
    free(in.report);
    free(iso.report);
}

/* begin once, in this process; each child starts from its state; the tree
 * and Lua variables changed in a child do not come back */
static void state_stays_in_the_child(void)
{
    const char *src = "local begins, seen = 0, 0\n"
                      "return {\n"
                      "  begin = function() begins = begins + 1 end,\n"
                      "  p = function(p) seen = seen + 1; p:remove() end,\n"
                      "  document = function(doc, ctx) ctx:emit{ begins = begins, seen = seen } end,\n"
                      "}\n";
    sink s = {0};
    lode_engine *e = lode_engine_new(NULL);
    lode_rules_options ro = {NULL, on_record, &s, NULL, NULL};
    lode_rules *r = NULL;
    CHECK(lode_rules_load_string(e, src, strlen(src), "s.lua", &ro, &r) == LODE_OK);
    lode_doc *a = parse(e, DOC_A, "a.html");
    char *before = render(e, a);
    CHECK_EQ_INT(lode_rules_run_isolated(r, a, NULL), LODE_OK);
    CHECK_EQ_INT(lode_rules_run_isolated(r, a, NULL), LODE_OK);
    char *after = render(e, a);
    CHECK_EQ_STR(s.text, "{\"begins\":1,\"seen\":2}\n{\"begins\":1,\"seen\":2}\n");
    CHECK_EQ_STR(after, before);
    /* in-process, the same rules go on from the state begin left */
    CHECK_EQ_INT(lode_rules_run(r, a), LODE_OK);
    CHECK(contains(s.text, "{\"begins\":1,\"seen\":2}\n{\"begins\":1,\"seen\":2}\n{\"begins\":1,\"seen\":2}\n"));
    CHECK_EQ_INT(lode_rules_finish(r), LODE_OK);
    CHECK_EQ_INT(lode_rules_run_isolated(r, a, NULL), LODE_EMISUSE);
    CHECK(contains(lode_errmsg(e), "lode_rules_run_isolated: the rules were already finished"));
    CHECK_EQ_INT(lode_rules_run_isolated(NULL, a, NULL), LODE_EMISUSE);
    CHECK_EQ_INT(lode_rules_run_isolated(r, NULL, NULL), LODE_EMISUSE);
    free(before);
    free(after);
    lode_doc_free(a);
    lode_rules_free(r);
    lode_engine_free(e);
}

static void consumer_stops(void)
{
    const char *src = "return { p = function(p, ctx) ctx:emit{ t = p:text() } end }\n";
    sink s = {0};
    s.stop_at = 1;
    lode_engine *e = lode_engine_new(NULL);
    lode_rules_options ro = {NULL, on_record, &s, NULL, NULL};
    lode_rules *r = NULL;
    CHECK(lode_rules_load_string(e, src, strlen(src), "c.lua", &ro, &r) == LODE_OK);
    lode_doc *a = parse(e, DOC_A, "a.html");
    CHECK_EQ_INT(lode_rules_run_isolated(r, a, NULL), LODE_ERROR);
    CHECK(contains(lode_errmsg(e), "a.html: the record consumer stopped the run"));
    CHECK_EQ_INT(s.count, 1);
    lode_doc_free(a);
    lode_rules_free(r);
    lode_engine_free(e);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* What the sandbox cannot stop (it is off here): a loop, a crash, a memory
 * bomb.  Each fails its document only; the rules run the next one. */
static void failures_stay_in_the_child(void)
{
    const char *src = "return {\n"
                      "  h1 = function(h, ctx)\n"
                      "    local t = h:text()\n"
                      "    if t == 'loop' then while true do end end\n"
                      "    if t == 'crash' then os.execute('kill -SEGV $PPID') end\n"
                      "    if t == 'memory' then local x = {} for i = 1, 1e9 do x[i] = ('x'):rep(1 << 20) .. i end end\n"
                      "    ctx:emit{ ok = t }\n"
                      "  end,\n"
                      "}\n";
    sink s = {0};
    lode_engine *e = lode_engine_new(NULL);
    lode_rules_options ro = {NULL, on_record, &s, NULL, NULL};
    lode_rules *r = NULL;
    CHECK(lode_rules_load_string(e, src, strlen(src), "f.lua", &ro, &r) == LODE_OK);
    lode_isolate lim = {300, (size_t)64 << 20};

    lode_doc *d = parse(e, "<h1>loop</h1>", "loop.html");
    double t0 = now();
    CHECK_EQ_INT(lode_rules_run_isolated(r, d, &lim), LODE_ELIMIT);
    double took = now() - t0;
    CHECK(contains(lode_errmsg(e), "loop.html: the process for this document was killed after the time limit of 300 ms"));
    CHECK(took < 5);
    lode_doc_free(d);

    d = parse(e, "<h1>crash</h1>", "crash.html");
    CHECK_EQ_INT(lode_rules_run_isolated(r, d, &lim), LODE_ELIMIT);
#ifdef UNDER_ASAN
    /* AddressSanitizer reports the SIGSEGV itself and exits 1 */
    CHECK(contains(lode_errmsg(e), "crash.html: the process for this document "));
#else
    CHECK(contains(lode_errmsg(e), "crash.html: the process for this document crashed: signal 11"));
#endif
    lode_doc_free(d);

#ifndef UNDER_ASAN
    /* the memory limit: Lua's allocation fails in the child, a script
     * error there ("not enough memory"); under AddressSanitizer an
     * allocation past RLIMIT_AS aborts instead */
    lode_isolate roomy = {20000, (size_t)64 << 20};
    d = parse(e, "<h1>memory</h1>", "memory.html");
    CHECK_EQ_INT(lode_rules_run_isolated(r, d, &roomy), LODE_ESCRIPT);
    CHECK(contains(lode_errmsg(e), "not enough memory"));
    lode_doc_free(d);
#endif

    d = parse(e, "<h1>fine</h1>", "fine.html");
    CHECK_EQ_INT(lode_rules_run_isolated(r, d, &lim), LODE_OK);
    CHECK_EQ_STR(s.text, "{\"ok\":\"fine\"}\n");
    lode_doc_free(d);
    lode_rules_free(r);
    lode_engine_free(e);
}

/* A host's signal handler does not run in the child: there the signal
 * has its default action. */
static int marker_fd = -1;

static void host_handler(int sig)
{
    (void)sig;
    if (write(marker_fd, "h", 1) < 0) { /* nothing to do in a handler */
    }
}

static void host_handlers_stay_out(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    marker_fd = fds[1];
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = host_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, &old);
    const char *src = "return { h1 = function() os.execute('kill -USR1 $PPID') end }\n";
    lode_engine *e = lode_engine_new(NULL);
    lode_rules *r = NULL;
    CHECK(lode_rules_load_string(e, src, strlen(src), "sig.lua", NULL, &r) == LODE_OK);
    lode_doc *d = parse(e, "<h1>x</h1>", "sig.html");
    CHECK_EQ_INT(lode_rules_run_isolated(r, d, NULL), LODE_ELIMIT);
    CHECK(contains(lode_errmsg(e), "sig.html: the process for this document crashed: signal 10"));
    char c;
    CHECK(read(fds[0], &c, 1) < 0); /* the host's handler never ran */
    sigaction(SIGUSR1, &old, NULL);
    close(fds[0]);
    close(fds[1]);
    lode_doc_free(d);
    lode_rules_free(r);
    lode_engine_free(e);
}

/* The sandbox still applies inside the child. */
static void sandbox_in_the_child(void)
{
    const char *src = "return { h1 = function() while true do end end }\n";
    lode_options opts;
    lode_options_init(&opts);
    opts.sandbox.enabled = 1;
    opts.sandbox.max_steps = 1000000;
    lode_engine *e = lode_engine_new(&opts);
    lode_rules *r = NULL;
    CHECK(lode_rules_load_string(e, src, strlen(src), "sb.lua", NULL, &r) == LODE_OK);
    lode_doc *d = parse(e, "<h1>x</h1>", "x.html");
    CHECK_EQ_INT(lode_rules_run_isolated(r, d, NULL), LODE_ESANDBOX);
    CHECK(contains(lode_errmsg(e), "x.html"));
    CHECK(!strstr(lode_errmsg(e), "the process for this document"));
    lode_doc_free(d);
    lode_rules_free(r);
    lode_engine_free(e);
}

int main(void)
{
    RUN(same_as_in_process);
    RUN(errors_as_in_process);
    RUN(state_stays_in_the_child);
    RUN(consumer_stops);
    RUN(failures_stay_in_the_child);
    RUN(host_handlers_stay_out);
    RUN(sandbox_in_the_child);
    return harness_done();
}
