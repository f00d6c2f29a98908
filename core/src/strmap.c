/* strmap.c -- a hash map from byte strings to 64-bit integers (strmap.h). */
#include "strmap.h"

#include <string.h>

#define CHUNK_MIN 4096u

struct strmap_chunk {
    strmap_chunk *next;
    size_t used, cap;
    char data[];
};

void strmap_init(strmap *s, const mem *m)
{
    memset(s, 0, sizeof *s);
    s->m = m;
}

void strmap_free(strmap *s)
{
    strmap_chunk *c = s->chunks;
    while (c) {
        strmap_chunk *next = c->next;
        mem_free(s->m, c);
        c = next;
    }
    mem_free(s->m, s->slots);
    const mem *m = s->m;
    strmap_init(s, m);
}

uint64_t strmap_hash(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    const unsigned char *p = (const unsigned char *)key;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    /* FNV's low bits are weak for short keys: finish with a mixer
     * (splitmix64's) so that both table indices and HyperLogLog's bits are
     * well spread. */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

static const char *store_key(strmap *s, const char *key, size_t len)
{
    strmap_chunk *c = s->chunks;
    if (!c || c->cap - c->used < len) {
        size_t cap = len > CHUNK_MIN ? len : CHUNK_MIN;
        if (c && c->cap * 2 > cap && c->cap < ((size_t)1 << 20))
            cap = c->cap * 2 > len ? c->cap * 2 : len;
        strmap_chunk *n = mem_alloc(s->m, sizeof *n + cap);
        if (!n)
            return NULL;
        n->next = s->chunks;
        n->used = 0;
        n->cap = cap;
        s->chunks = n;
        c = n;
    }
    char *p = c->data + c->used;
    if (len)
        memcpy(p, key, len);
    c->used += len;
    s->bytes += len;
    return p;
}

static int grow(strmap *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    strmap_slot *slots = mem_alloc(s->m, cap * sizeof *slots);
    if (!slots)
        return -1;
    memset(slots, 0, cap * sizeof *slots);
    for (size_t i = 0; i < s->cap; i++) {
        const strmap_slot *o = &s->slots[i];
        if (!o->key)
            continue;
        size_t j = o->hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *o;
    }
    mem_free(s->m, s->slots);
    s->slots = slots;
    s->cap = cap;
    return 0;
}

strmap_slot *strmap_find(const strmap *s, const char *key, size_t len)
{
    if (!s->cap || len > UINT32_MAX)
        return NULL;
    uint32_t h = (uint32_t)strmap_hash(key, len);
    for (size_t j = h & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
        strmap_slot *sl = &s->slots[j];
        if (!sl->key)
            return NULL;
        if (sl->hash == h && sl->len == len && memcmp(sl->key, key, len) == 0)
            return sl;
    }
}

strmap_slot *strmap_upsert(strmap *s, const char *key, size_t len, int *added)
{
    if (len > UINT32_MAX) {
        *added = 0;
        return NULL;
    }
    return strmap_upsert_hashed(s, key, len, (uint32_t)strmap_hash(key, len), added);
}

strmap_slot *strmap_upsert_hashed(strmap *s, const char *key, size_t len, uint32_t h, int *added)
{
    *added = 0;
    if (len > UINT32_MAX)
        return NULL;
    /* keep the load factor at most 0.7: linear probing stays short (about
     * 2 probes for a hit), and a table of n keys takes at most 2.9 n slots
     * rather than 4 n at 1/2 */
    if ((s->n + 1) * 10 > s->cap * 7 && grow(s) < 0)
        return NULL;
    size_t j = h & (s->cap - 1);
    for (;; j = (j + 1) & (s->cap - 1)) {
        strmap_slot *sl = &s->slots[j];
        if (!sl->key)
            break;
        if (sl->hash == h && sl->len == len && memcmp(sl->key, key, len) == 0)
            return sl;
    }
    /* An empty key still needs a non-NULL pointer: the map's own address
     * stands in (never dereferenced for 0 bytes). */
    const char *k = len ? store_key(s, key, len) : (const char *)s;
    if (!k)
        return NULL;
    strmap_slot *sl = &s->slots[j];
    sl->key = k;
    sl->len = (uint32_t)len;
    sl->hash = h;
    sl->value = 0;
    s->n++;
    *added = 1;
    return sl;
}
