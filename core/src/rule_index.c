/* rule_index.c -- which rules of a script can match an element (see
 * rule_index.h). */
#include "rule_index.h"

#include <stdlib.h>
#include <string.h>

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

void rule_index_init(rule_index *ix, const mem *m)
{
    memset(ix, 0, sizeof *ix);
    ix->m = m;
    strmap_init(&ix->keys, m);
    buf_init(&ix->key, m);
    buf_init(&ix->tmp, m);
}

void rule_index_free(rule_index *ix)
{
    if (!ix->m)
        return;
    for (size_t i = 0; i < ix->nlists; i++)
        mem_free(ix->m, ix->lists[i].v);
    mem_free(ix->m, ix->lists);
    mem_free(ix->m, ix->found);
    mem_free(ix->m, ix->out);
    strmap_free(&ix->keys);
    buf_free(&ix->key);
    buf_free(&ix->tmp);
    memset(ix, 0, sizeof *ix);
}

/* Grows *p (of *cap elements of size sz) to hold at least need. */
static int grow(const mem *m, void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    void *q = mem_realloc(m, *p, c * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* The lookup key in ix->key: the kind byte, then the value (lowercased for
 * tags).  Returns 0, or -1 when out of memory. */
static int make_key(rule_index *ix, int kind, const char *v, size_t len)
{
    buf_reset(&ix->key);
    if (buf_reserve(&ix->key, len + 1) != 0)
        return -1;
    char *k = ix->key.ptr;
    k[0] = (char)kind;
    if (kind == SELECT_KEY_TAG)
        for (size_t i = 0; i < len; i++)
            k[i + 1] = (char)lower((unsigned char)v[i]);
    else
        memcpy(k + 1, v, len);
    ix->key.len = len + 1;
    return 0;
}

static int append(rule_index *ix, rule_list *l, uint32_t i)
{
    if (l->n && l->v[l->n - 1] == i)
        return 0; /* two alternatives with one key: "p, p.x" */
    size_t cap = l->cap;
    if (grow(ix->m, (void **)&l->v, &cap, (size_t)l->n + 1, sizeof *l->v) != 0)
        return -1;
    l->cap = (uint32_t)cap;
    l->v[l->n++] = i;
    return 0;
}

/* The list number for key (kind, v), made if absent; -1 out of memory. */
static long list_for(rule_index *ix, int kind, const char *v)
{
    if (kind == SELECT_KEY_NONE)
        return 0;
    if (make_key(ix, kind, v, strlen(v)) != 0)
        return -1;
    int added;
    strmap_slot *sl = strmap_upsert(&ix->keys, ix->key.ptr, ix->key.len, &added);
    if (!sl)
        return -1;
    if (!added)
        return (long)sl->value;
    if (grow(ix->m, (void **)&ix->lists, &ix->caplists, ix->nlists + 1, sizeof *ix->lists) != 0)
        return -1;
    memset(&ix->lists[ix->nlists], 0, sizeof *ix->lists);
    sl->value = (int64_t)ix->nlists;
    return (long)ix->nlists++;
}

int rule_index_add(rule_index *ix, uint32_t i, const selector *s)
{
    if (!ix->nlists) { /* list 0: the unkeyed rules */
        if (grow(ix->m, (void **)&ix->lists, &ix->caplists, 1, sizeof *ix->lists) != 0)
            return -1;
        memset(ix->lists, 0, sizeof *ix->lists);
        ix->nlists = 1;
    }
    size_t n = select_alternatives(s);
    for (size_t alt = 0; alt < n; alt++) {
        int kind;
        const char *value;
        if (select_key(s, alt, &kind, &value) != 0)
            continue;
        if (kind == SELECT_KEY_ID || kind == SELECT_KEY_CLASS)
            ix->attr_keys = 1;
        long l = list_for(ix, kind, value);
        if (l < 0 || append(ix, &ix->lists[l], i) != 0)
            return -1;
    }
    return 0;
}

/* select_node_keys callback: notes the list of each key the index has. */
static int found_key(void *ud, int kind, const char *v, size_t len)
{
    rule_index *ix = ud;
    if (make_key(ix, kind, v, len) != 0)
        return -1;
    strmap_slot *sl = strmap_find(&ix->keys, ix->key.ptr, ix->key.len);
    if (!sl)
        return 0;
    if (grow(ix->m, (void **)&ix->found, &ix->capfound, ix->nfound + 1, sizeof *ix->found) != 0)
        return -1;
    ix->found[ix->nfound++] = (uint32_t)sl->value;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int rule_index_candidates(rule_index *ix, const xmlNode *el, const uint32_t **rules, size_t *n)
{
    *rules = NULL;
    *n = 0;
    if (ix->nlists <= 1) { /* no keys: every rule is a candidate */
        if (ix->nlists)
            *rules = ix->lists[0].v, *n = ix->lists[0].n;
        return 0;
    }
    ix->nfound = 0;
    if (ix->lists[0].n) {
        if (grow(ix->m, (void **)&ix->found, &ix->capfound, 1, sizeof *ix->found) != 0)
            return -1;
        ix->found[ix->nfound++] = 0;
    }
    if (select_node_keys(el, ix->attr_keys, &ix->tmp, found_key, ix) != 0)
        return -1;
    if (ix->nfound == 0)
        return 0;
    if (ix->nfound == 1) {
        *rules = ix->lists[ix->found[0]].v;
        *n = ix->lists[ix->found[0]].n;
        return 0;
    }
    size_t total = 0;
    for (size_t k = 0; k < ix->nfound; k++)
        total += ix->lists[ix->found[k]].n;
    if (grow(ix->m, (void **)&ix->out, &ix->capout, total, sizeof *ix->out) != 0)
        return -1;
    uint32_t *o = ix->out;
    size_t m = 0;
    if (ix->nfound == 2) { /* the usual case: unkeyed rules and the tag's */
        const rule_list *a = &ix->lists[ix->found[0]], *b = &ix->lists[ix->found[1]];
        uint32_t i = 0, j = 0;
        while (i < a->n || j < b->n) {
            uint32_t v = j == b->n || (i < a->n && a->v[i] <= b->v[j]) ? a->v[i] : b->v[j];
            i += i < a->n && a->v[i] == v;
            j += j < b->n && b->v[j] == v;
            o[m++] = v;
        }
    } else {
        for (size_t k = 0; k < ix->nfound; k++) {
            const rule_list *l = &ix->lists[ix->found[k]];
            memcpy(o + m, l->v, l->n * sizeof *o);
            m += l->n;
        }
        qsort(o, m, sizeof *o, cmp_u32);
        size_t w = 0;
        for (size_t r = 0; r < m; r++)
            if (w == 0 || o[w - 1] != o[r])
                o[w++] = o[r];
        m = w;
    }
    *rules = o;
    *n = m;
    return 0;
}
