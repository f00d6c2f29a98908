/* rules.h -- internals of lode_rules shared with the command line (profile,
 * explain). */
#ifndef LODE_RULES_H
#define LODE_RULES_H

#include <stddef.h>

#include "lode.h"
#include "select.h"

typedef struct rule {
    char *src;          /* selector source */
    selector *sel;
    int enter_ref;      /* registry refs of the handlers, LUA_NOREF if none */
    int leave_ref;
    unsigned char enter_args; /* how many of (node, ctx) each handler can see: */
    unsigned char leave_args; /* its parameters (2 if vararg or C) */
    unsigned char all;  /* the selector matches every element: not tested */
    int line;           /* line where the handler is defined (0: unknown) */
    long calls;         /* profile */
    double seconds;
} rule;

/* Turns per-rule timing on (off by default: it costs two clock reads per
 * handler call). */
void rules_set_profile(lode_rules *r, int on);
/* The i-th rule, or NULL. */
const rule *rules_at(const lode_rules *r, size_t i);
/* Seconds spent in the phases (begin, document, finish) and the walk. */
double rules_walk_seconds(const lode_rules *r);
/* 1 if begin() raised: lode_rules_run then refuses every document. */
int rules_begin_failed(const lode_rules *r);
/* Runs begin(ctx) now if it has not run (lode_rules_run runs it before the
 * first document): for a caller that copies the rules' state, as `lode run
 * --isolate` does with fork, so that begin runs once and not in every copy.
 * LODE_OK, or begin's error (which every later run repeats). */
int rules_begin(lode_rules *r);
/* LODE_OK if documents can be run (the rules are neither finished nor
 * broken), else that error, set on the engine with fn's name. */
int rules_runnable(lode_rules *r, const char *fn);
/* Replaces the record consumer (lode_rules_options.on_record) and returns
 * the old one in *old_fn, *old_ud (either may be NULL). */
void rules_swap_record_fn(lode_rules *r, lode_record_fn fn, void *ud, lode_record_fn *old_fn, void **old_ud);
/* Whether the script defines begin/document/finish. */
int rules_has_phase(const lode_rules *r, const char *name);

#endif
