/* guard.c -- gumbo under a guard (see guard.h).
 *
 * gumbo 0.10.1 is unmaintained, and random tag soup makes it fail internal
 * assertions, e.g. handle_in_body's "node_html_tag_is(body,
 * GUMBO_TAG_BODY)" on <math><tr><mi><table><table><td></td><a><select>
 * <tbody></body>; assert() then calls abort(), which would end a whole
 * `lode run` over a corpus.  abort() raises SIGABRT in the calling thread,
 * so a handler can return control to the parse that failed: each guarded
 * parse sets a thread-local jump buffer, and the handler, finding one set
 * on its thread, jumps back (glibc's abort() releases its lock before it
 * raises the signal, expecting that applications may catch it).  Everything
 * gumbo allocated lives in an arena (a list of blocks through gumbo's
 * allocator hooks), freed at once after the jump.  A SIGABRT that is not
 * from inside a guarded parse goes to the previous handler, or, if there
 * was none, gets the default action (the process ends as before).  Only
 * SIGABRT is caught: a crash of another kind is not papered over. */
#include "guard.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* A block of the arena, before the bytes handed to gumbo. */
typedef union block {
    struct {
        union block *prev, *next;
    } link;
    max_align_t align;
} block;

static void *arena_alloc(void *ud, size_t size)
{
    block *head = ud;
    if (size > (size_t)-1 - sizeof(block))
        return NULL;
    block *b = malloc(sizeof(block) + size);
    if (!b)
        return NULL; /* gumbo 0.10.1 does not check: it crashes on NULL anyway */
    b->link.prev = head;
    b->link.next = head->link.next;
    head->link.next->link.prev = b;
    head->link.next = b;
    return b + 1;
}

static void arena_free(void *ud, void *ptr)
{
    (void)ud;
    if (!ptr)
        return;
    block *b = (block *)ptr - 1;
    b->link.prev->link.next = b->link.next;
    b->link.next->link.prev = b->link.prev;
    free(b);
}

static void arena_free_all(block *head)
{
    block *b = head->link.next;
    while (b != head) {
        block *next = b->link.next;
        free(b);
        b = next;
    }
    head->link.next = head->link.prev = head;
}

static _Thread_local sigjmp_buf *trap; /* set while this thread is in gumbo */
static struct sigaction previous;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void on_abort(int sig, siginfo_t *info, void *context)
{
    sigjmp_buf *t = trap;
    if (t) {
        trap = NULL;
        siglongjmp(*t, 1);
    }
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) {
            previous.sa_sigaction(sig, info, context);
            return;
        }
    } else if (previous.sa_handler == SIG_IGN) {
        return;
    } else if (previous.sa_handler != SIG_DFL) {
        previous.sa_handler(sig);
        return;
    }
    /* the default action: end the process as it would have ended */
    sigaction(SIGABRT, &previous, NULL);
    raise(sig);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_abort;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGABRT, &sa, &previous);
}

void h5_guard_install(void)
{
    pthread_once(&once, install);
}

/* The jump target; nothing here changes between sigsetjmp and the jump
 * but memory reached through g. */
static int parse(h5_guard *g, const char *data, size_t len)
{
    sigjmp_buf here;
    if (sigsetjmp(here, 1)) {
        g->output = NULL;
        return H5_GUARD_ABORTED;
    }
    trap = &here;
    g->output = gumbo_parse_with_options(&g->options, data, len);
    trap = NULL;
    return g->output ? H5_GUARD_OK : H5_GUARD_NOMEM;
}

int h5_guard_parse(h5_guard *g, const char *data, size_t len)
{
    block *head = malloc(sizeof *head);
    memset(g, 0, sizeof *g);
    if (!head)
        return H5_GUARD_NOMEM;
    head->link.prev = head->link.next = head;
    g->arena = head;
    g->options = kGumboDefaultOptions;
    g->options.allocator = arena_alloc;
    g->options.deallocator = arena_free;
    g->options.userdata = head;
    g->options.max_errors = 0; /* lode reports no HTML5 parse errors: do not collect them */
    int rc = parse(g, data, len);
    if (rc != H5_GUARD_OK)
        arena_free_all(head);
    return rc;
}

void h5_guard_free(h5_guard *g)
{
    if (!g->arena)
        return;
    if (g->output)
        gumbo_destroy_output(&g->options, g->output);
    arena_free_all(g->arena); /* nothing, unless gumbo forgot a block */
    free(g->arena);
    g->arena = NULL;
    g->output = NULL;
}
