/* rule_index.h -- which rules of a script can match an element, without
 * testing them all.
 *
 * Every selector alternative has a key (select_key): an id, a class token or
 * a tag name its rightmost compound requires, or none.  The index files each
 * rule under the keys of its alternatives (a rule with an unkeyed
 * alternative goes to the "any" list); for an element it collects the lists
 * of the keys the element offers (select_node_keys) and returns the union in
 * rule order.  Every rule that can match is a candidate; a candidate still
 * has to be tested.  So the walk's cost per element no longer grows with the
 * number of rules that cannot match it: a script with 25,000 tag rules
 * tests one per <p>, not 25,000.
 *
 * Tag keys are filed ASCII-lowercased and looked up lowercased, a superset
 * of both HTML's case-insensitive and XML's exact comparison; ids and class
 * tokens are compared exactly, as selectors compare them. */
#ifndef LODE_RULE_INDEX_H
#define LODE_RULE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "buf.h"
#include "mem.h"
#include "select.h"
#include "strmap.h"

typedef struct rule_list {
    uint32_t *v; /* rule indices, ascending, no repeats */
    uint32_t n, cap;
} rule_list;

typedef struct rule_index {
    const mem *m;
    strmap keys;        /* kind byte + key -> list number */
    rule_list *lists;   /* lists[0]: the rules with an unkeyed alternative */
    size_t nlists, caplists;
    int attr_keys;      /* some key is an id or a class */
    /* per lookup */
    buf key;            /* the key being looked up */
    buf tmp;            /* attribute values in several text nodes */
    uint32_t *found;    /* list numbers of the element's keys */
    size_t nfound, capfound;
    uint32_t *out;      /* the union, when more than one list applies */
    size_t capout;
} rule_index;

/* Constructor: an empty index with allocations through m. */
void rule_index_init(rule_index *ix, const mem *m);

/* Files rule i under the keys of s's alternatives.  Rules must be added in
 * ascending order of i.  Returns 0, or -1 when out of memory (the index
 * then holds an unknown subset: free it). */
int rule_index_add(rule_index *ix, uint32_t i, const selector *s);

/* Destructor; ix may also be zeroed memory. */
void rule_index_free(rule_index *ix);

/* The candidate rules for element el, ascending, in *rules (valid until the
 * next call) and their number in *n.  Returns 0, or -1 when out of memory. */
int rule_index_candidates(rule_index *ix, const xmlNode *el, const uint32_t **rules, size_t *n);

#endif
