/* runner.h -- `lode run`'s engine room: worker threads, one Lua state each,
 * documents handed out through a bounded queue, results committed in input
 * order.
 *
 * Each worker has its own lode_engine and its own lode_rules (the script is
 * loaded once per worker, before any document is read).  Workers take the
 * next input item under a lock, process it without one (read, parse, run
 * the rules, write the document with --write) and leave the result --
 * records, warnings, error -- in the item's slot.  The committing thread
 * (the caller of runner_run) takes the slots strictly in input order and
 * hands them to the commit callback, so records, messages and failures
 * come out in the same order and as the same bytes whatever the number of
 * workers.  At most `window` items are in flight, which bounds memory
 * whatever the number of documents.  With one worker there is no thread:
 * the calling thread processes each document and commits it at once. */
#ifndef LODE_RUNNER_H
#define LODE_RUNNER_H

#include <signal.h>
#include <stddef.h>

#include "cli.h"
#include "inputs.h"
#include "isolate.h"

/* A finished document, in input order. */
typedef struct run_result {
    const input_item *item;
    const char *records; /* JSON Lines (each record ends with '\n'); only when rc == LODE_OK */
    size_t records_len;
    const char *log;     /* warnings, each line "lode: ...\n", to print as they are */
    size_t log_len;
    int rc;              /* LODE_OK, or the status of the failed stage */
    const char *stage;   /* when failed: "read", "parse", "rules" or "write" */
    const char *message; /* when failed: the full message (may span lines) */
    int begin_failed;    /* the script's begin() failed: nothing can run */
    const char *doc;     /* --write -: the document as written; only when rc == LODE_OK */
    size_t doc_len;
} run_result;

typedef struct runner_config {
    cli *c;
    int jobs;                  /* worker threads (>= 1) */
    const char *script;
    const char *module_path;
    lode_parse_options parse;
    const char *write_dir;     /* --write DIR, "-" for standard output, or NULL */
    const char *write_format;  /* -t FORMAT, or NULL */
    int profile;
    /* Called on the committing thread for each document in input order;
     * return non-zero to stop the run: no new document is started, and those
     * in hand are finished but not committed (so that --fail-fast gives the
     * same output whatever the number of workers).  An interruption, in
     * contrast, commits the documents in hand. */
    int (*commit)(void *ud, const run_result *res);
    /* Called on the committing thread about ten times a second. */
    void (*tick)(void *ud);
    void *ud;
    volatile sig_atomic_t *interrupted; /* polled: non-zero stops the run */
    int share_arena;           /* workers allocate from one jemalloc arena (--split) */
    int isolated;              /* --isolate: each document in a child process ... */
    isolate_limits isolate;    /* ... under these limits (isolate.h) */
} runner_config;

typedef struct runner runner;

/* Creates the workers' engines and loads the script into each.  On failure
 * prints the error and returns an exit status (EXIT_USAGE for a script that
 * does not compile), else EXIT_OK with *out set. */
int runner_new(const runner_config *cfg, runner **out);

/* Processes every item of in.  Returns EXIT_OK, or EXIT_NOMEM/EXIT_INTERNAL
 * when the run could not go on (a thread could not start, reading the list
 * of inputs failed); failed documents are not errors here. */
int runner_run(runner *r, inputs *in);

/* Whether the run stopped early (commit asked, or interrupted). */
int runner_stopped(const runner *r);

/* Merges the workers' reports into the first worker's rules and returns
 * those rules (for lode_rules_report / lode_rules_finish), or NULL with a
 * message printed. */
lode_rules *runner_merged(runner *r);

/* Prints --profile's table: per-rule calls and time, summed over workers. */
void runner_print_profile(runner *r, FILE *fp);

void runner_free(runner *r);

/* The online CPUs (at least 1). */
int runner_cpus(void);

#endif
