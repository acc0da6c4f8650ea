/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A YAML document as a small tree with source marks, built from libyaml's events. Aliases
 * point at their anchored node (the tree is a DAG), so expansion costs no memory; the
 * expanded size is counted and bounded instead. Merge keys (<<: *base) are resolved while
 * the tree is built: a mapping holds the merged pairs, never a << key. */
#include <stdbool.h>
#include <stddef.h>

enum ynode_kind {
    YNODE_SCALAR,
    YNODE_SEQUENCE,
    YNODE_MAPPING,
    _YNODE_KIND_MAX,
    _YNODE_KIND_INVALID = -22,
};

struct ynode {
    enum ynode_kind kind;
    int line, column;     /* 1-based */
    char *value;          /* scalar text */
    bool plain;           /* unquoted scalar without a tag: subject to implicit typing */
    bool str_tag;         /* explicitly tagged !!str */
    bool merge;           /* YAML's merge key: a plain << or one tagged !!merge */
    struct ynode **items; /* sequence items; mapping keys and values interleaved */
    size_t n_items;
    size_t weight; /* nodes after alias expansion */
    struct ynode *next_alloc;
};

struct ydoc {
    struct ynode *root; /* NULL for an empty document */
    int line;
};

struct ystream {
    struct ydoc *docs;
    size_t n_docs;
    struct ynode *allocs; /* every node, for freeing */
};

/* Parses a whole stream. On error returns -EINVAL and fills *ret_line, *ret_col, *ret_msg
 * (allocated). Bounds: depth, expanded node count. */
int ystream_parse(const char *buf, size_t len, struct ystream *ret, int *ret_line, int *ret_col,
                  char **ret_msg);
void ystream_free(struct ystream *s);

/* Mapping helpers: number of pairs, key/value by index. */
static inline size_t ynode_pairs(const struct ynode *n)
{
    return n->n_items / 2;
}
static inline struct ynode *ynode_key(const struct ynode *n, size_t i)
{
    return n->items[2 * i];
}
static inline struct ynode *ynode_val(const struct ynode *n, size_t i)
{
    return n->items[2 * i + 1];
}

/* Validates UTF-8; returns the byte offset of the first bad sequence or -1. */
long utf8_first_invalid(const char *buf, size_t len);
