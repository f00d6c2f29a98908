/* strmap.h -- a hash map from byte strings to 64-bit integers.
 *
 * Open addressing with linear probing over a power-of-two table of slots;
 * keys are copied into chunks of one arena (freed with the map), so adding
 * a key costs no allocation of its own most of the time.  Keys may hold NUL
 * bytes.  There is no removal: reports only ever add.  All memory comes
 * from the given mem (the engine's allocator). */
#ifndef LODE_STRMAP_H
#define LODE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct strmap_slot {
    const char *key; /* NULL: empty slot */
    uint32_t len;
    uint32_t hash;
    int64_t value;
} strmap_slot;

typedef struct strmap_chunk strmap_chunk;

typedef struct strmap {
    const mem *m;
    strmap_slot *slots;
    size_t cap;  /* slots (a power of two, or 0) */
    size_t n;    /* keys */
    strmap_chunk *chunks;
    size_t bytes; /* key bytes stored */
} strmap;

void strmap_init(strmap *s, const mem *m);
void strmap_free(strmap *s);

/* The 64-bit hash lode uses for keys (FNV-1a, then a final avalanche). */
uint64_t strmap_hash(const char *key, size_t len);

/* The slot holding key, adding it with value 0 if absent (*added set to 1
 * then).  NULL when out of memory or the key is longer than 4 GiB - 1.  The
 * pointer is valid until the next strmap_slot call. */
strmap_slot *strmap_upsert(strmap *s, const char *key, size_t len, int *added);
/* As strmap_upsert, with the key's hash already known (the hash field of
 * a slot of another strmap): merging maps then hashes nothing. */
strmap_slot *strmap_upsert_hashed(strmap *s, const char *key, size_t len, uint32_t hash, int *added);
/* The slot holding key, or NULL. */
strmap_slot *strmap_find(const strmap *s, const char *key, size_t len);

/* Iteration: for (size_t i = 0; i < s->cap; i++) if (s->slots[i].key) ... */

#endif
