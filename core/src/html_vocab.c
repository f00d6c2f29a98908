/* html_vocab.c -- the table of HTML element names (see html_vocab.h). */
#include "html_vocab.h"

#include <stddef.h>
#include <stdlib.h>

typedef struct entry {
    const char *name;
    unsigned flags;
} entry;

/* Index 0 is HTML_TAG_UNKNOWN, so entries[tag] is the tag's entry. */
static const entry entries[] = {
    {"", 0},
#define ENTRY_(id, name, flags) {name, flags},
    HTML_VOCAB_LIST(ENTRY_)
#undef ENTRY_
};

/* ASCII case folding only: HTML names are ASCII, and a locale must not
 * change what an element is. */
static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* bsearch comparator: key is the name looked up, e an entry of the sorted
 * table (whose names are lower case). */
static int compare(const void *key, const void *e)
{
    const unsigned char *a = key;
    const unsigned char *b = (const unsigned char *)((const entry *)e)->name;
    for (;; a++, b++) {
        int ca = lower(*a), cb = *b;
        if (ca != cb || ca == 0)
            return ca - cb;
    }
}

html_vocab_tag html_vocab_find(const char *name)
{
    if (!name || !*name)
        return HTML_TAG_UNKNOWN;
    const entry *hit = bsearch(name, entries + 1, HTML_TAG_COUNT - 1, sizeof entries[0], compare);
    return hit ? (html_vocab_tag)(hit - entries) : HTML_TAG_UNKNOWN;
}

unsigned html_vocab_flags(html_vocab_tag tag)
{
    return (unsigned)tag < HTML_TAG_COUNT ? entries[tag].flags : 0u;
}

const char *html_vocab_name(html_vocab_tag tag)
{
    return (unsigned)tag < HTML_TAG_COUNT ? entries[tag].name : "";
}

int html_vocab_heading_level(html_vocab_tag tag)
{
    return tag >= HTML_TAG_H1 && tag <= HTML_TAG_H6 ? (int)(tag - HTML_TAG_H1) + 1 : 0;
}

int html_vocab_is_block(const char *name)
{
    return (html_vocab_flags(html_vocab_find(name)) & HTML_VOCAB_BLOCK) != 0;
}

int html_vocab_is_void(const char *name)
{
    return (html_vocab_flags(html_vocab_find(name)) & HTML_VOCAB_VOID) != 0;
}

int html_vocab_is_skip(const char *name)
{
    return (html_vocab_flags(html_vocab_find(name)) & HTML_VOCAB_SKIP) != 0;
}
