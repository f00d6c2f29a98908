/* harness.h -- a tiny test harness for lode's C unit tests.
 *
 * Each tests/unit/test_*.c is its own program: it calls CHECK/CHECK_EQ_STR in
 * functions run through RUN(fn) and ends main with `return harness_done();`.
 * Every check prints a TAP line ("ok N - ..." / "not ok N - ..."); tests/run.sh
 * counts them across all programs and prints the closing "N passed, N failed".
 * The tree invariant checker (tree_check) is run by CHECK_TREE after every
 * reader/writer/mutation step. */
#ifndef LODE_TEST_HARNESS_H
#define LODE_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "tree_check.h"

static int harness_n, harness_failed;
static const char *harness_current = "";

static int harness_check(int ok, const char *file, int line, const char *what)
{
    harness_n++;
    if (ok) {
        printf("ok %d - %s: %s\n", harness_n, harness_current, what);
    } else {
        harness_failed++;
        printf("not ok %d - %s: %s\n#   at %s:%d\n", harness_n, harness_current, what, file, line);
    }
    fflush(stdout);
    return ok;
}

#define CHECK(cond) harness_check(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_EQ_INT(a, b)                                                                   \
    do {                                                                                     \
        long long ha_ = (long long)(a), hb_ = (long long)(b);                                \
        if (!harness_check(ha_ == hb_, __FILE__, __LINE__, #a " == " #b))                    \
            printf("#   got %lld, expected %lld\n", ha_, hb_);                               \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                   \
    do {                                                                                     \
        const char *ha_ = (a), *hb_ = (b);                                                   \
        int ok_ = ha_ && hb_ && strcmp(ha_, hb_) == 0;                                       \
        if (!harness_check(ok_, __FILE__, __LINE__, #a " == " #b))                           \
            printf("#   got \"%s\"\n#   expected \"%s\"\n", ha_ ? ha_ : "(null)",             \
                   hb_ ? hb_ : "(null)");                                                    \
    } while (0)

/* Checks the libxml2 tree invariants of doc (see tree_check.h). */
#define CHECK_TREE(doc)                                                                      \
    do {                                                                                     \
        char ht_[256] = "";                                                                  \
        if (!harness_check(tree_check((doc), ht_, sizeof ht_) == 0, __FILE__, __LINE__,      \
                           "tree invariants of " #doc))                                      \
            printf("#   %s\n", ht_);                                                         \
    } while (0)

#define RUN(fn)                                                                              \
    do {                                                                                     \
        harness_current = #fn;                                                               \
        fn();                                                                                \
    } while (0)

static int harness_done(void)
{
    printf("# %d passed, %d failed\n", harness_n - harness_failed, harness_failed);
    return harness_failed ? 1 : 0;
}

#endif
