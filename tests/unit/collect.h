/* collect.h -- what lode hands a host, collected for the unit tests: the
 * records of lode_rules_options.on_record as lines, the warnings of
 * lode_options.log, and a substring check that says what it missed. */
#ifndef LODE_TEST_COLLECT_H
#define LODE_TEST_COLLECT_H

#include <stdio.h>
#include <string.h>

#include "lode.h"

/* Records as lines ("JSON\n"), NUL-terminated; what does not fit is
 * counted but not kept.  Zero it before use. */
typedef struct sink {
    char text[16384];
    size_t len;
    int count;
    int stop_at;              /* return non-zero at the stop_at-th record (1-based; 0: never) */
    const lode_doc *last_doc; /* the doc of the last record */
} sink;

static inline int on_record(void *ud, const lode_doc *doc, const char *json, size_t len)
{
    sink *s = ud;
    s->count++;
    s->last_doc = doc;
    if (s->len + len + 2 < sizeof s->text) {
        memcpy(s->text + s->len, json, len);
        s->len += len;
        s->text[s->len++] = '\n';
        s->text[s->len] = '\0';
    }
    return s->stop_at && s->count == s->stop_at;
}

/* Warnings as lines, and the level of the last one.  Zero it before use. */
typedef struct logbuf {
    char text[4096];
    int count;
    int level;
} logbuf;

static inline void on_log(void *ud, int level, const char *msg)
{
    logbuf *l = ud;
    l->count++;
    l->level = level;
    size_t have = strlen(l->text);
    snprintf(l->text + have, sizeof l->text - have, "%s\n", msg);
}

/* Whether needle is in s; if not, says so on a TAP comment line. */
static inline int contains(const char *s, const char *needle)
{
    int ok = s && strstr(s, needle) != NULL;
    if (!ok)
        printf("#   \"%s\" not found in \"%s\"\n", needle, s ? s : "(null)");
    return ok;
}

#endif
