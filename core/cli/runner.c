/* runner.c -- worker threads and the ordered commit (see runner.h). */
#include "runner.h"
#include "allocator.h"
#include "harden.h"
#include "isolate.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "rules.h"

/* A growable byte string (malloc'd); a failed growth sets failed. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* Empties b, keeping a modest buffer for reuse. */
static void sb_reset(sbuf *b)
{
    if (b->cap > ((size_t)1 << 20)) {
        free(b->p);
        b->p = NULL;
        b->cap = 0;
    }
    b->len = 0;
    b->failed = 0;
    if (b->p)
        b->p[0] = '\0';
}

enum { SLOT_FREE, SLOT_BUSY, SLOT_DONE };

typedef struct slot {
    int state;
    input_item item;
    sbuf records, log, message;
    sbuf doc; /* --write -: the document as written */
    int rc;
    const char *stage;
    int begin_failed;
    char lost[320]; /* the message when memory ran out while it was kept */
} slot;

typedef struct worker {
    struct runner *r;
    lode_engine *e;
    lode_rules *rules;
    slot *cur; /* the slot being processed: where records and warnings go */
    pthread_t thread;
    int started;
    int begun; /* --isolate: begin() ran in this (the parent) process */
} worker;

struct runner {
    runner_config cfg;
    worker *w;
    int nw;
    /* the queue */
    pthread_mutex_t mu;
    /* --isolate: taken for writing around each fork, for reading by every
     * other thread while it allocates (isolate.h); never while holding mu */
    pthread_rwlock_t fork_lock;
    pthread_cond_t can_take; /* a slot is free (or the run ends) */
    pthread_cond_t done;     /* a slot is done (or the input ended) */
    slot *slots;
    size_t window;
    size_t taken;     /* items taken so far (the next index) */
    size_t committed; /* items committed so far */
    int eof;          /* inputs_next returned 0 or failed */
    int input_errno;  /* inputs_next failed with this */
    int stop;
    int workers_waiting;   /* workers blocked on can_take */
    int committer_waiting; /* the committer blocked on done */
    int discard; /* the commit callback stopped the run: the documents still
                    in hand are finished but not committed, so that the output
                    is the same whatever the number of workers */
    inputs *in;
};

int runner_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* Warnings of a worker's engine: into the document's slot, so that they
 * are printed in input order; outside a document, straight out. */
static void worker_log(void *ud, int level, const char *msg)
{
    worker *w = ud;
    cli *c = w->r->cfg.c;
    if (c->quiet || cli_warned_before(c, msg))
        return;
    const char *prefix = level == LODE_LOG_WARNING ? "lode: warning: " : "lode: ";
    if (!w->cur) {
        fprintf(c->err, "%s%s\n", prefix, msg);
        return;
    }
    sb_puts(&w->cur->log, prefix);
    sb_puts(&w->cur->log, msg);
    sb_put(&w->cur->log, "\n", 1);
}

static int worker_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    (void)doc;
    worker *w = ud;
    sb_put(&w->cur->records, json, len);
    sb_put(&w->cur->records, "\n", 1);
    return w->cur->records.failed ? -1 : 0;
}

static const char *ext_for(const char *fmt)
{
    if (!strcmp(fmt, "markdown"))
        return ".md";
    if (!strcmp(fmt, "text"))
        return ".txt";
    if (!strcmp(fmt, "html"))
        return ".html";
    if (!strcmp(fmt, "json"))
        return ".json";
    return ".xml";
}

/* mkdir -p for the folders of path (concurrent workers may race to create
 * the same folder: EEXIST is success). */
static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0777);
        int e = errno;
        *p = '/';
        if (rc < 0 && e != EEXIST)
            return -1;
    }
    return 0;
}

/* --write: the document after the rules, under DIR at its relative path
 * with the extension of the output format; with --write -, into the slot,
 * for the committing thread to put on standard output in input order. */
static int write_doc(worker *w, slot *s, lode_doc *doc)
{
    const runner_config *cfg = &w->r->cfg;
    const char *f = cfg->write_format;
    if (!f)
        f = !strcmp(lode_doc_format(doc), "text") ? "html" : lode_doc_format(doc);
    if (!strcmp(cfg->write_dir, "-")) {
        lode_write_options wo = {f, 0};
        char *out = NULL;
        size_t len = 0;
        int rc = lode_doc_write_buffer(w->e, doc, &wo, &out, &len);
        if (rc != LODE_OK) {
            sb_puts(&s->message, lode_errmsg(w->e));
            return rc;
        }
        sb_put(&s->doc, out, len);
        lode_free(w->e, out);
        if (s->doc.failed) {
            sb_reset(&s->doc);
            sb_puts(&s->message, lode_doc_name(doc));
            sb_puts(&s->message, ": out of memory holding the written document");
            return LODE_ENOMEM;
        }
        return LODE_OK;
    }
    const char *rel = s->item.rel ? s->item.rel : "stdin";
    /* a.xml.gz is written as a.<ext>: drop .gz, then the extension */
    size_t rl = strlen(rel);
    if (rl > 3 && !strcmp(rel + rl - 3, ".gz"))
        rl -= 3;
    const char *slash = NULL;
    for (size_t i = 0; i < rl; i++)
        if (rel[i] == '/')
            slash = rel + i;
    const char *dot = NULL;
    for (const char *p = slash ? slash + 1 : rel; p < rel + rl; p++)
        if (*p == '.')
            dot = p;
    size_t stem = dot && dot > (slash ? slash + 1 : rel) ? (size_t)(dot - rel) : rl;
    size_t n = strlen(cfg->write_dir) + stem + 16;
    char *path = malloc(n);
    if (!path) {
        sb_puts(&s->message, "out of memory");
        return LODE_ENOMEM;
    }
    snprintf(path, n, "%s/%.*s%s", cfg->write_dir, (int)stem, rel, ext_for(f));
    int rc = LODE_OK;
    if (make_parents(path) < 0) {
        sb_puts(&s->message, path);
        sb_puts(&s->message, ": cannot create its folder: ");
        sb_puts(&s->message, strerror(errno));
        rc = LODE_EIO;
    } else {
        /* no fsync per document: one syncfs at the end of the run
         * (cmd_run.c) costs far less than 1 ms per file */
        lode_write_options wo = {f, LODE_WRITE_NOSYNC};
        rc = lode_doc_save(w->e, doc, &wo, path);
        if (rc != LODE_OK)
            sb_puts(&s->message, lode_errmsg(w->e));
    }
    free(path);
    return rc;
}

static const char *parse_stage(int rc)
{
    return rc == LODE_EIO || rc == LODE_ENOMEM ? "read" : "parse";
}

static void process(worker *w, slot *s)
{
    const runner_config *cfg = &w->r->cfg;
    const input_item *it = &s->item;
    lode_doc *doc = NULL;
    int rc, big = -1;
    w->cur = s;
    if (it->error) {
        rc = LODE_EIO;
        s->stage = "read";
        sb_puts(&s->message, it->error);
    } else {
        /* a big document: its tree on huge pages (allocator.h); the arena
         * stays set until the document is freed below */
        big = it->path ? cli_allocator_big_begin(it->bytes) : -1;
        cli_json_watch_start();
        if (it->xml) {
            /* a --split element: a standalone libxml2 document, adopted */
            rc = lode_doc_adopt(w->e, s->item.xml, it->name, "xml", &doc);
            s->item.xml = NULL; /* adopted, or freed by lode_doc_adopt on failure */
        } else if (it->path && !strcmp(it->path, "-")) {
            rc = lode_doc_read_file(w->e, stdin, "<stdin>", &cfg->parse, &doc);
        } else if (it->path) {
            rc = lode_doc_load(w->e, it->path, &cfg->parse, &doc);
        } else {
            lode_parse_options po = cfg->parse;
            po.format = it->format;
            rc = lode_doc_parse(w->e, it->data, it->len, it->name, &po, &doc);
            if (rc == LODE_OK && it->meta)
                rc = lode_doc_set_meta(w->e, doc, it->meta, it->meta_len);
        }
        if (rc == LODE_OK && cli_json_watch_lost()) {
            lode_doc_free(doc);
            doc = NULL;
            rc = LODE_ENOMEM;
            s->stage = "read";
            sb_puts(&s->message, it->path ? it->path : it->name);
            sb_puts(&s->message, ": out of memory");
        } else if (rc != LODE_OK) {
            s->stage = parse_stage(rc);
            sb_puts(&s->message, lode_errmsg(w->e));
        }
    }
    if (rc == LODE_OK) {
        rc = lode_rules_run(w->rules, doc);
        if (rc != LODE_OK) {
            s->stage = "rules";
            s->begin_failed = rules_begin_failed(w->rules);
            sb_puts(&s->message, lode_errmsg(w->e));
            s->records.len = 0; /* a failed document delivers no record */
        } else if (s->records.failed) {
            rc = LODE_ENOMEM;
            s->stage = "rules";
            sb_puts(&s->message, "out of memory collecting records");
        } else if (cfg->write_dir) {
            rc = write_doc(w, s, doc);
            if (rc != LODE_OK)
                s->stage = "write";
        }
    }
    lode_doc_free(doc);
    cli_allocator_big_end(big);
    s->rc = rc;
    w->cur = NULL;
}

/* ---- --isolate: each document in a child process (isolate.h) ---- */

static const char *const stages[] = {"", "read", "parse", "rules", "write", "isolate"};

static int stage_index(const char *stage)
{
    for (int i = 1; i < (int)(sizeof stages / sizeof *stages); i++)
        if (stage && !strcmp(stage, stages[i]))
            return i;
    return 0;
}

typedef struct iso_job {
    worker *w;
    slot *s;
} iso_job;

/* In the child: the document as process() does it, then the slot and what
 * the handlers added to ctx.report (the report starts empty in the child, so
 * this is the document's share) down the pipe:
 *   "lode-isolate 2 RC BEGIN_FAILED STAGE RECORDS LOG MESSAGE DOC REPORT\n"
 * (the last five are byte counts; DOC is the document written by --write -),
 * then those five byte strings. */
static int iso_child(void *ud, int fd)
{
    iso_job *j = ud;
    slot *s = j->s;
    lode_report *rep = lode_rules_report(j->w->rules);
    report_clear(rep);
    process(j->w, s);
    char *part = NULL;
    size_t plen = 0;
    if (report_size(rep) && lode_report_write_buffer(rep, "partial", NULL, &part, &plen) != LODE_OK)
        return 1;
    if (s->records.failed || s->log.failed || s->message.failed || s->doc.failed)
        return 1;
    char head[192];
    int hl = snprintf(head, sizeof head, "lode-isolate 2 %d %d %d %zu %zu %zu %zu %zu\n", s->rc, s->begin_failed,
                      stage_index(s->stage), s->records.len, s->log.len, s->message.len, s->doc.len, plen);
    int rc = isolate_write(fd, head, (size_t)hl) || isolate_write(fd, s->records.p, s->records.len) ||
             isolate_write(fd, s->log.p, s->log.len) || isolate_write(fd, s->message.p, s->message.len) ||
             isolate_write(fd, s->doc.p, s->doc.len) || isolate_write(fd, part, plen);
    return rc;
}

/* In the parent: the child's result into s, its report share into the
 * worker's report.  0, or -1 if the result is not whole. */
static int iso_take(worker *w, slot *s, const char *data, size_t len)
{
    int rc, begin_failed, stage, used = 0;
    size_t nrec, nlog, nmsg, ndoc, nrep;
    if (sscanf(data, "lode-isolate 2 %d %d %d %zu %zu %zu %zu %zu\n%n", &rc, &begin_failed, &stage, &nrec, &nlog,
               &nmsg, &ndoc, &nrep, &used) != 8 || used <= 0 || stage < 0 ||
        stage >= (int)(sizeof stages / sizeof *stages))
        return -1;
    const char *p = data + used;
    size_t left = len - (size_t)used;
    if (nrec > left || nlog > left - nrec || nmsg > left - nrec - nlog || ndoc > left - nrec - nlog - nmsg ||
        nrep != left - nrec - nlog - nmsg - ndoc)
        return -1;
    sb_put(&s->records, p, nrec);
    sb_put(&s->log, p + nrec, nlog);
    sb_put(&s->message, p + nrec + nlog, nmsg);
    sb_put(&s->doc, p + nrec + nlog + nmsg, ndoc);
    s->rc = rc;
    s->begin_failed = begin_failed;
    s->stage = stage ? stages[stage] : NULL;
    if (nrep && lode_report_read(lode_rules_report(w->rules), p + nrec + nlog + nmsg + ndoc, nrep,
                                 s->item.name) != LODE_OK) {
        if (s->rc == LODE_OK) {
            s->rc = LODE_ERROR;
            s->stage = "isolate";
            s->records.len = 0;
            s->doc.len = 0;
            sb_puts(&s->message, lode_errmsg(w->e));
        }
    }
    return 0;
}

static void process_isolated(worker *w, slot *s)
{
    struct runner *r = w->r;
    w->cur = s;
    if (!w->begun) {
        /* begin() once, here, so that every child starts from its state */
        w->begun = 1;
        pthread_rwlock_rdlock(&r->fork_lock);
        int rc = rules_begin(w->rules);
        pthread_rwlock_unlock(&r->fork_lock);
        if (rc != LODE_OK) {
            s->rc = rc;
            s->stage = "rules";
            s->begin_failed = rules_begin_failed(w->rules);
            sb_puts(&s->message, lode_errmsg(w->e));
            w->cur = NULL;
            return;
        }
    }
    iso_job job = {w, s};
    char *out = NULL, why[200];
    size_t len = 0;
    int rc = isolate_run(&r->cfg.isolate, &r->fork_lock, NULL, iso_child, &job, &out, &len, why, sizeof why);
    pthread_rwlock_rdlock(&r->fork_lock);
    if (rc == 0 && iso_take(w, s, out, len) == 0) {
        free(out);
        pthread_rwlock_unlock(&r->fork_lock);
        w->cur = NULL;
        return;
    }
    if (rc == 0)
        snprintf(why, sizeof why, "ended without a whole result (%zu bytes)", len);
    free(out);
    sb_reset(&s->records);
    sb_reset(&s->message);
    sb_reset(&s->doc);
    s->rc = LODE_ELIMIT;
    s->stage = "isolate";
    s->begin_failed = 0;
    char msg[400];
    snprintf(msg, sizeof msg, "%s: the process for this document %s; the document is skipped (--isolate)",
             s->item.name ? s->item.name : "<stdin>", why);
    sb_puts(&s->message, msg);
    pthread_rwlock_unlock(&r->fork_lock);
    w->cur = NULL;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    struct runner *r = w->r;
    if (r->cfg.share_arena)
        cli_allocator_share_arena();
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->stop && !r->eof && r->taken >= r->committed + r->window) {
            r->workers_waiting++;
            pthread_cond_wait(&r->can_take, &r->mu);
            r->workers_waiting--;
        }
        if (r->stop || r->eof)
            break;
        slot *s = &r->slots[r->taken % r->window];
        /* inputs_next allocates and, with --split, holds libxml2's locks:
         * not during a fork (the order is mu, then fork_lock) */
        pthread_rwlock_rdlock(&r->fork_lock);
        int got = inputs_next(r->in, &s->item);
        pthread_rwlock_unlock(&r->fork_lock);
        if (got <= 0) {
            r->eof = 1;
            if (got < 0)
                r->input_errno = errno ? errno : EIO;
            pthread_cond_broadcast(&r->done);
            pthread_cond_broadcast(&r->can_take);
            break;
        }
        s->state = SLOT_BUSY;
        r->taken++;
        pthread_mutex_unlock(&r->mu);
        if (r->cfg.isolated)
            process_isolated(w, s);
        else
            process(w, s);
        pthread_mutex_lock(&r->mu);
        s->state = SLOT_DONE;
        /* Wake the committer only when the slot it waits for is done and
         * there is a batch to commit (half the window), or the input has
         * ended: a wake-up per document costs more than the hand-over
         * itself. */
        if (r->committer_waiting && r->slots[r->committed % r->window].state == SLOT_DONE &&
            (r->eof || r->stop || r->taken - r->committed >= r->window / 2))
            pthread_cond_signal(&r->done);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int runner_new(const runner_config *cfg, runner **out)
{
    *out = NULL;
    runner *r = calloc(1, sizeof *r);
    if (!r) {
        cli_error(cfg->c, "out of memory");
        return EXIT_NOMEM;
    }
    r->cfg = *cfg;
    r->nw = cfg->jobs < 1 ? 1 : cfg->jobs;
    r->window = (size_t)r->nw * 8 + 8; /* room to run ahead of a slow document */
    r->w = calloc((size_t)r->nw, sizeof *r->w);
    r->slots = calloc(r->window, sizeof *r->slots);
    if (!r->w || !r->slots) {
        runner_free(r);
        cli_error(cfg->c, "out of memory");
        return EXIT_NOMEM;
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_rwlock_init(&r->fork_lock, NULL);
    pthread_cond_init(&r->can_take, NULL);
    pthread_cond_init(&r->done, NULL);
    for (int i = 0; i < r->nw; i++) {
        worker *w = &r->w[i];
        w->r = r;
        w->e = cli_engine_log(cfg->c, worker_log, w);
        if (!w->e) {
            runner_free(r);
            return cfg->c->engine_exit;
        }
        lode_rules_options ro = {cfg->module_path, worker_record, w, NULL, NULL};
        if (lode_rules_load(w->e, cfg->script, &ro, &w->rules) != LODE_OK) {
            /* A script that does not load is a usage error: no document is read. */
            cli_error(cfg->c, "%s", lode_errmsg(w->e));
            int code = lode_errcode(w->e) == LODE_EIO ? EXIT_DOCUMENT
                       : lode_errcode(w->e) == LODE_ENOMEM ? EXIT_NOMEM
                                                           : EXIT_USAGE;
            runner_free(r);
            return code;
        }
        rules_set_profile(w->rules, cfg->profile);
    }
    *out = r;
    return EXIT_OK;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void slot_clear(slot *s)
{
    input_item_clear(&s->item);
    memset(&s->item, 0, sizeof s->item);
    sb_reset(&s->records);
    sb_reset(&s->log);
    sb_reset(&s->message);
    sb_reset(&s->doc);
    s->rc = LODE_OK;
    s->stage = NULL;
    s->begin_failed = 0;
    s->state = SLOT_FREE;
}

/* The result in slot s, for the commit callback.  A failed document whose
 * message could not be kept (memory ran out as it was written) still gets
 * one, from a buffer that needs no allocation. */
static run_result slot_result(slot *s)
{
    const char *msg = s->message.p && !s->message.failed ? s->message.p : "";
    if (s->rc != LODE_OK && !*msg) {
        const char *name = s->item.name ? s->item.name : s->item.path ? s->item.path : "<input>";
        snprintf(s->lost, sizeof s->lost, "%s: out of memory (the document's error message was lost)", name);
        msg = s->lost;
    }
    run_result res = {&s->item,
                      s->records.p ? s->records.p : "",
                      s->records.len,
                      s->log.p ? s->log.p : "",
                      s->log.len,
                      s->rc,
                      s->stage,
                      msg,
                      s->begin_failed,
                      s->rc == LODE_OK && s->doc.p ? s->doc.p : "",
                      s->rc == LODE_OK ? s->doc.len : 0};
    return res;
}

/* One worker: the documents one after the other on the calling thread,
 * each committed as soon as it is done.  No thread to start, and on
 * jemalloc no second arena and thread cache to build: a run over one tiny
 * document costs about 60 page faults less (docs/performance.md).  The
 * output is the same as with a worker thread. */
static int run_inline(runner *r)
{
    worker *w = &r->w[0];
    slot *s = &r->slots[0];
    if (r->cfg.share_arena)
        cli_allocator_share_arena();
    /* As on a worker thread, a write to a broken pipe in the rules fails
     * with EPIPE instead of killing the run: SIGPIPE is blocked while a
     * document is processed, and one it raised is taken off afterwards. */
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    double last_tick = now();
    if (r->cfg.tick)
        r->cfg.tick(r->cfg.ud); /* the progress line from the start */
    while (!(r->cfg.interrupted && *r->cfg.interrupted)) {
        int got = inputs_next(r->in, &s->item);
        if (got <= 0) {
            r->eof = 1;
            if (got < 0)
                r->input_errno = errno ? errno : EIO;
            break;
        }
        r->taken++;
        pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
        if (r->cfg.isolated)
            process_isolated(w, s);
        else
            process(w, s);
        sigset_t pending;
        int sig;
        if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE))
            (void)sigwait(&pipe_set, &sig);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        run_result res = slot_result(s);
        int stop = r->cfg.commit(r->cfg.ud, &res);
        slot_clear(s);
        r->committed++;
        if (stop) {
            r->stop = r->discard = 1;
            break;
        }
        double t = now();
        if (r->cfg.tick && t - last_tick >= 0.1) {
            last_tick = t;
            r->cfg.tick(r->cfg.ud);
        }
    }
    if (!r->eof)
        r->stop = 1;
    if (r->input_errno) {
        cli_error(r->cfg.c, "reading the inputs: %s", strerror(r->input_errno));
        return r->input_errno == ENOMEM ? EXIT_NOMEM : EXIT_DOCUMENT;
    }
    return EXIT_OK;
}

int runner_run(runner *r, inputs *in)
{
    r->in = in;
    if (r->nw == 1)
        return run_inline(r);
    /* The progress line from the start, before the threads: however fast
     * the documents are done, a line asked for is drawn. */
    if (r->cfg.tick)
        r->cfg.tick(r->cfg.ud);
    /* Workers never see SIGINT/SIGTERM: the committing thread polls the
     * flag the handler sets, and a worker in the middle of a document
     * finishes it. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, (size_t)16 << 20); /* deep documents, deep Lua */
    int status = EXIT_OK;
    for (int i = 0; i < r->nw; i++) {
        if (pthread_create(&r->w[i].thread, &attr, worker_main, &r->w[i]) != 0) {
            cli_error(r->cfg.c, "cannot start a worker thread: %s", strerror(errno));
            status = EXIT_INTERNAL;
            break;
        }
        r->w[i].started = 1;
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (status != EXIT_OK) {
        pthread_mutex_lock(&r->mu);
        r->stop = 1;
        pthread_cond_broadcast(&r->can_take);
        pthread_mutex_unlock(&r->mu);
    }
    double last_tick = now();
    pthread_mutex_lock(&r->mu);
    for (;;) {
        slot *s = &r->slots[r->committed % r->window];
        if (r->committed < r->taken && s->state == SLOT_DONE) {
            pthread_mutex_unlock(&r->mu);
            run_result res = slot_result(s);
            pthread_rwlock_rdlock(&r->fork_lock);
            int stop = r->discard ? 0 : r->cfg.commit(r->cfg.ud, &res);
            slot_clear(s);
            pthread_rwlock_unlock(&r->fork_lock);
            pthread_mutex_lock(&r->mu);
            r->committed++;
            if (stop)
                r->stop = r->discard = 1;
            if (r->workers_waiting || stop)
                pthread_cond_broadcast(&r->can_take);
            continue;
        }
        if (r->committed == r->taken && (r->eof || r->stop))
            break;
        if (r->cfg.interrupted && *r->cfg.interrupted && !r->stop) {
            r->stop = 1;
            pthread_cond_broadcast(&r->can_take);
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        r->committer_waiting = 1;
        pthread_cond_timedwait(&r->done, &r->mu, &ts);
        r->committer_waiting = 0;
        double t = now();
        if (r->cfg.tick && t - last_tick >= 0.1) {
            last_tick = t;
            pthread_mutex_unlock(&r->mu);
            pthread_rwlock_rdlock(&r->fork_lock);
            r->cfg.tick(r->cfg.ud);
            pthread_rwlock_unlock(&r->fork_lock);
            pthread_mutex_lock(&r->mu);
        }
    }
    r->stop = 1;
    pthread_cond_broadcast(&r->can_take);
    int input_errno = r->input_errno;
    pthread_mutex_unlock(&r->mu);
    for (int i = 0; i < r->nw; i++) {
        if (r->w[i].started)
            pthread_join(r->w[i].thread, NULL);
        r->w[i].started = 0;
    }
    if (input_errno && status == EXIT_OK) {
        cli_error(r->cfg.c, "reading the inputs: %s", strerror(input_errno));
        status = input_errno == ENOMEM ? EXIT_NOMEM : EXIT_DOCUMENT;
    }
    return status;
}

int runner_stopped(const runner *r)
{
    return r->stop && !r->eof;
}

lode_rules *runner_merged(runner *r)
{
    lode_report *into = lode_rules_report(r->w[0].rules);
    for (int i = 1; i < r->nw; i++) {
        if (lode_report_merge(into, lode_rules_report(r->w[i].rules)) != LODE_OK) {
            cli_error(r->cfg.c, "merging the workers' reports: %s", lode_errmsg(r->w[0].e));
            return NULL;
        }
    }
    return r->w[0].rules;
}

void runner_print_profile(runner *r, FILE *fp)
{
    double total = 0;
    for (int k = 0; k < r->nw; k++)
        total += rules_walk_seconds(r->w[k].rules);
    fprintf(fp, "lode: profile (%.3f s in the rules' walks%s)\n", total, r->nw > 1 ? ", all workers" : "");
    fprintf(fp, "  %-4s %-40s %10s %12s %12s %7s\n", "#", "rule", "calls", "total ms", "mean us", "share");
    size_t n = lode_rules_count(r->w[0].rules);
    for (size_t i = 0; i < n; i++) {
        long calls = 0;
        double secs = 0;
        for (int k = 0; k < r->nw; k++) {
            const rule *ru = rules_at(r->w[k].rules, i);
            calls += ru->calls;
            secs += ru->seconds;
        }
        fprintf(fp, "  %-4zu %-40.40s %10ld %12.3f %12.3f %6.1f%%\n", i + 1, rules_at(r->w[0].rules, i)->src, calls,
                secs * 1e3, calls ? secs * 1e6 / (double)calls : 0.0, total > 0 ? 100.0 * secs / total : 0.0);
    }
}

void runner_free(runner *r)
{
    if (!r)
        return;
    for (int i = 0; r->w && i < r->nw; i++) {
        lode_rules_free(r->w[i].rules);
        lode_engine_free(r->w[i].e);
    }
    for (size_t i = 0; r->slots && i < r->window; i++) {
        input_item_clear(&r->slots[i].item);
        free(r->slots[i].records.p);
        free(r->slots[i].log.p);
        free(r->slots[i].message.p);
        free(r->slots[i].doc.p);
    }
    if (r->w && r->slots) {
        pthread_mutex_destroy(&r->mu);
        pthread_rwlock_destroy(&r->fork_lock);
        pthread_cond_destroy(&r->can_take);
        pthread_cond_destroy(&r->done);
    }
    free(r->w);
    free(r->slots);
    free(r);
}
