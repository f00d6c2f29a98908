/* rules_isolated.c -- lode_rules_run_isolated: one document's rules in a
 * child process under time and memory limits (see lode.h and isolate.h).
 *
 * The child runs lode_rules_run with the record consumer and the engine's
 * log callback replaced by collectors, and the report emptied, then sends
 *   "lode-isolated 1 RC RECORDS LOG MESSAGE REPORT\n"
 * (RC the return code, the rest byte counts) and those four byte strings:
 * the records, one a line; the log, each entry "LEVEL LENGTH\n" and the
 * message; the error message; the report's additions as a partial.  The
 * parent hands the records to the host's consumer, replays the log and
 * merges the partial. */
#include "lode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "doc.h"
#include "engine.h"
#include "isolate.h"
#include "report.h"
#include "rules.h"

#define ISOLATE_DEFAULT_MS 60000UL
#define ISOLATE_DEFAULT_BYTES ((size_t)2 << 30)

typedef struct iso_child {
    lode_rules *rules;
    lode_doc *doc;
    buf records;
    buf log;
} iso_child;

static int collect_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    (void)doc;
    iso_child *c = ud;
    buf_put(&c->records, json, len);
    buf_putc(&c->records, '\n');
    return buf_ok(&c->records) ? 0 : -1;
}

static void collect_log(void *ud, int level, const char *msg)
{
    iso_child *c = ud;
    buf_printf(&c->log, "%d %zu\n", level, strlen(msg));
    buf_puts(&c->log, msg);
}

/* In the child. */
static int child_work(void *ud, int fd)
{
    iso_child *c = ud;
    lode_engine *e = lode_rules_engine(c->rules);
    lode_report *rep = lode_rules_report(c->rules);
    report_clear(rep); /* what comes back is this document's share */
    rules_swap_record_fn(c->rules, collect_record, c, NULL, NULL);
    e->log = collect_log;
    e->log_ud = c;
    int rc = lode_rules_run(c->rules, c->doc);
    const char *msg = rc == LODE_OK ? "" : lode_errmsg(e);
    char *part = NULL;
    size_t plen = 0;
    if (report_size(rep) && lode_report_write_buffer(rep, "partial", NULL, &part, &plen) != LODE_OK)
        return 1;
    if (!buf_ok(&c->records) || !buf_ok(&c->log))
        return 1;
    char head[128];
    int hl = snprintf(head, sizeof head, "lode-isolated 1 %d %zu %zu %zu %zu\n", rc, c->records.len, c->log.len,
                      strlen(msg), plen);
    return isolate_write(fd, head, (size_t)hl) || isolate_write(fd, c->records.ptr, c->records.len) ||
           isolate_write(fd, c->log.ptr, c->log.len) || isolate_write(fd, msg, strlen(msg)) ||
           isolate_write(fd, part, plen);
    /* part and the buffers go with the process */
}

/* Replays the child's log entries to the host's callback. */
static void replay_log(lode_engine *e, const char *p, size_t n)
{
    while (n) {
        int level, used = 0;
        size_t len;
        if (sscanf(p, "%d %zu\n%n", &level, &len, &used) != 2 || used <= 0 || (size_t)used > n ||
            len > n - (size_t)used)
            return;
        p += used;
        n -= (size_t)used;
        if (e->log) {
            char *msg = mem_strndup(&e->mem, p, len);
            if (msg)
                e->log(e->log_ud, level, msg);
            mem_free(&e->mem, msg);
        }
        p += len;
        n -= len;
    }
}

/* In the parent: the child's whole result.  Returns the child's code
 * (its message set on the engine), or -1 if the result is not whole. */
static int take_result(lode_rules *r, lode_doc *doc, const char *data, size_t len, lode_record_fn on_record,
                       void *record_ud)
{
    lode_engine *e = lode_rules_engine(r);
    int rc, used = 0;
    size_t nrec, nlog, nmsg, nrep;
    if (sscanf(data, "lode-isolated 1 %d %zu %zu %zu %zu\n%n", &rc, &nrec, &nlog, &nmsg, &nrep, &used) != 5 ||
        used <= 0)
        return -1;
    const char *p = data + used;
    size_t left = len - (size_t)used;
    if (nrec > left || nlog > left - nrec || nmsg > left - nrec - nlog || nrep != left - nrec - nlog - nmsg)
        return -1;
    const char *rec = p, *log = p + nrec, *msg = log + nlog, *part = msg + nmsg;
    replay_log(e, log, nlog);
    /* the report first: a record consumer that stops the run does not
     * take back what the handlers counted, as in lode_rules_run */
    if (nrep && lode_report_read(lode_rules_report(r), part, nrep, doc->name ? doc->name : "<memory>") != LODE_OK)
        return rc == LODE_OK ? lode_errcode(e) : engine_error(e, rc, "%.*s", (int)nmsg, msg);
    if (rc != LODE_OK)
        return engine_error(e, rc, "%.*s", (int)nmsg, msg);
    for (const char *q = rec, *end = rec + nrec; on_record && q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        if (!nl)
            return -1;
        if (on_record(record_ud, doc, q, (size_t)(nl - q)) != 0)
            return engine_error(e, LODE_ERROR, "%s: the record consumer stopped the run", engine_srcname(doc->name));
        q = nl + 1;
    }
    return LODE_OK;
}

int lode_rules_run_isolated(lode_rules *r, lode_doc *doc, const lode_isolate *opts)
{
    if (!r || !doc)
        return r ? engine_error(lode_rules_engine(r), LODE_EMISUSE, "lode_rules_run_isolated: NULL argument")
                 : LODE_EMISUSE;
    lode_engine *e = lode_rules_engine(r);
    int rc = rules_runnable(r, "lode_rules_run_isolated");
    if (rc != LODE_OK)
        return rc;
    /* begin() here, once: every child starts from the state it leaves */
    rc = rules_begin(r);
    if (rc != LODE_OK)
        return rc;
    isolate_limits lim = {opts && opts->timeout_ms ? opts->timeout_ms : ISOLATE_DEFAULT_MS,
                          opts && opts->max_memory ? opts->max_memory : ISOLATE_DEFAULT_BYTES, 1};
    /* the host's consumer, taken out for the fork (the child puts in its
     * collector) and put back after it */
    lode_record_fn on_record;
    void *record_ud;
    rules_swap_record_fn(r, NULL, NULL, &on_record, &record_ud);
    iso_child c = {r, doc, {0}, {0}};
    buf_init(&c.records, &e->mem);
    buf_init(&c.log, &e->mem);
    char *out = NULL, why[200];
    size_t len = 0;
    int got = isolate_run(&lim, NULL, &e->mem, child_work, &c, &out, &len, why, sizeof why);
    rules_swap_record_fn(r, on_record, record_ud, NULL, NULL);
    buf_free(&c.records); /* untouched in this process */
    buf_free(&c.log);
    int code = LODE_ELIMIT;
    if (got == 0) {
        rc = take_result(r, doc, out, len, on_record, record_ud);
        if (rc != -1) {
            mem_free(&e->mem, out);
            return rc;
        }
        snprintf(why, sizeof why, "ended without a whole result (%zu bytes)", len);
    } else if (!strncmp(why, "could not start", 15)) {
        code = LODE_ERROR; /* no child: not a limit */
    }
    mem_free(&e->mem, out);
    return engine_error(e, code, "%s: the process for this document %s", engine_srcname(doc->name), why);
}
