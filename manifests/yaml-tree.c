/* SPDX-License-Identifier: Apache-2.0 */
#include "yaml-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cleanup.h"
#include "manifest.h"
#include "xalloc.h"

#define YAML_MERGE_TAG "tag:yaml.org,2002:merge"

struct anchor {
    char *name;
    struct ynode *node;
};

struct builder {
    yaml_parser_t parser;
    struct ystream *out;
    struct anchor *anchors;
    size_t n_anchors;
    size_t total_weight;
    int depth;
    int err_line, err_col;
    char *err_msg;
};

static int fail(struct builder *b, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct builder *b, int line, int col, const char *fmt, ...)
{
    if (!b->err_msg) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&b->err_msg, fmt, ap) < 0)
            abort();
        va_end(ap);
        b->err_line = line;
        b->err_col = col;
    }
    return -EINVAL;
}

/* libyaml's own diagnosis of a syntax error, with its position. */
static int syntax_error(struct builder *b)
{
    return fail(b, (int) b->parser.problem_mark.line + 1, (int) b->parser.problem_mark.column + 1,
                "%s", b->parser.problem ? b->parser.problem : "YAML syntax error");
}

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, const yaml_mark_t *m)
{
    struct ynode *n = xzalloc(sizeof(*n));
    n->kind = kind;
    n->line = (int) m->line + 1;
    n->column = (int) m->column + 1;
    n->weight = 1;
    n->next_alloc = b->out->allocs;
    b->out->allocs = n;
    return n;
}

static void remember_anchor(struct builder *b, const yaml_char_t *anchor, struct ynode *n)
{
    if (!anchor)
        return;
    b->anchors = xrealloc(b->anchors, sizeof(*b->anchors) * (b->n_anchors + 1));
    b->anchors[b->n_anchors].name = xstrdup((const char *) anchor);
    b->anchors[b->n_anchors].node = n;
    b->n_anchors++;
}

static struct ynode *find_anchor(struct builder *b, const char *name)
{
    for (size_t i = b->n_anchors; i > 0; i--) /* a later anchor of the same name wins */
        if (strcmp(b->anchors[i - 1].name, name) == 0)
            return b->anchors[i - 1].node;
    return NULL;
}

static int parse_node(struct builder *b, yaml_event_t *ev, struct ynode **ret);

static int add_child(struct builder *b, struct ynode *parent, struct ynode *child,
                     const yaml_mark_t *m)
{
    parent->items = xrealloc(parent->items, sizeof(*parent->items) * (parent->n_items + 1));
    parent->items[parent->n_items++] = child;
    parent->weight += child->weight;
    if (parent->weight > MANIFEST_MAX_NODES || child->weight > MANIFEST_MAX_NODES)
        return fail(b, (int) m->line + 1, (int) m->column + 1,
                    "document expands to more than %u nodes (alias bomb?)", MANIFEST_MAX_NODES);
    return 0;
}

/* Reads children until the collection's end event. */
static int parse_children(struct builder *b, struct ynode *n, yaml_event_type_t end)
{
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&b->parser, &ev))
            return syntax_error(b);
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return 0;
        }
        yaml_mark_t mark = ev.start_mark;
        struct ynode *child = NULL;
        int r = parse_node(b, &ev, &child);
        yaml_event_delete(&ev);
        if (r < 0 || add_child(b, n, child, &mark) < 0)
            return -EINVAL;
    }
}

/* A pair of a mapping being resolved: explicit pairs come first, then merged ones in the
 * order their merge keys name them, so that the lower order wins. */
struct pair_ref {
    struct ynode *key, *value;
    size_t order;
    bool merged;
};

static bool same_key(const struct pair_ref *a, const struct pair_ref *b)
{
    return a->key->kind == YNODE_SCALAR && b->key->kind == YNODE_SCALAR &&
           strcmp(a->key->value, b->key->value) == 0;
}

static int pair_by_key(const void *pa, const void *pb)
{
    const struct pair_ref *a = pa, *b = pb;
    bool sa = a->key->kind == YNODE_SCALAR, sb = b->key->kind == YNODE_SCALAR;
    int c = sa != sb ? (sa ? -1 : 1) : sa ? strcmp(a->key->value, b->key->value) : 0;
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int pair_by_order(const void *pa, const void *pb)
{
    const struct pair_ref *a = pa, *b = pb;
    return (a->order > b->order) - (a->order < b->order);
}

static void add_pair(struct pair_ref **pairs, size_t *n, struct ynode *key, struct ynode *value,
                     bool merged)
{
    *pairs = xrealloc(*pairs, sizeof(**pairs) * (*n + 1));
    (*pairs)[*n] = (struct pair_ref){.key = key, .value = value, .order = *n, .merged = merged};
    (*n)++;
}

/* The pairs a merge key's value brings: a mapping's, or those of each mapping of a sequence.
 * Their number is bounded: the value's own weight was checked when it was added. */
static int collect_merged(struct builder *b, struct ynode *value, struct pair_ref **pairs,
                          size_t *n)
{
    bool seq = value->kind == YNODE_SEQUENCE;
    size_t n_sources = seq ? value->n_items : 1;
    for (size_t i = 0; i < n_sources; i++) {
        const struct ynode *src = seq ? value->items[i] : value;
        if (src->kind != YNODE_MAPPING)
            return fail(b, src->line, src->column,
                        "merge key \"<<\" needs a mapping or a sequence of mappings (such as "
                        "*base), got a %s",
                        src->kind == YNODE_SCALAR ? "scalar" : "sequence");
        for (size_t k = 0; k < ynode_pairs(src); k++)
            add_pair(pairs, n, ynode_key(src, k), ynode_val(src, k), true);
    }
    return 0;
}

static bool has_merge_key(const struct ynode *map)
{
    for (size_t i = 0; i < ynode_pairs(map); i++)
        if (ynode_key(map, i)->merge)
            return true;
    return false;
}

/* Resolves YAML's merge keys as kubectl does: "<<: *base" adds the pairs of base that the
 * mapping does not have itself (explicit keys win wherever they stand; of several merged
 * mappings the first wins). Explicit duplicates stay, for the decoder to report. */
static int resolve_merge_keys(struct builder *b, struct ynode *map)
{
    if (!has_merge_key(map))
        return 0;
    _cleanup_free_ struct pair_ref *pairs = NULL;
    size_t n = 0, kept = 0;
    for (size_t i = 0; i < ynode_pairs(map); i++)
        if (!ynode_key(map, i)->merge)
            add_pair(&pairs, &n, ynode_key(map, i), ynode_val(map, i), false);
    for (size_t i = 0; i < ynode_pairs(map); i++)
        if (ynode_key(map, i)->merge && collect_merged(b, ynode_val(map, i), &pairs, &n) < 0)
            return -EINVAL;
    if (n > 0)
        qsort(pairs, n, sizeof(*pairs), pair_by_key);
    for (size_t i = 0; i < n; i++)
        if (!pairs[i].merged || i == 0 || !same_key(&pairs[i - 1], &pairs[i]))
            pairs[kept++] = pairs[i];
    if (kept > 0)
        qsort(pairs, kept, sizeof(*pairs), pair_by_order);
    map->items = xrealloc(map->items, sizeof(*map->items) * (2 * kept + 1));
    map->n_items = 2 * kept;
    map->weight = 1;
    for (size_t i = 0; i < kept; i++) {
        map->items[2 * i] = pairs[i].key;
        map->items[2 * i + 1] = pairs[i].value;
        map->weight += pairs[i].key->weight + pairs[i].value->weight;
        if (map->weight > MANIFEST_MAX_NODES)
            return fail(b, map->line, map->column,
                        "document expands to more than %u nodes (alias bomb?)", MANIFEST_MAX_NODES);
    }
    return 0;
}

static int parse_collection(struct builder *b, yaml_event_t *ev, struct ynode **ret)
{
    bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
    struct ynode *n = node_new(b, seq ? YNODE_SEQUENCE : YNODE_MAPPING, &ev->start_mark);
    const yaml_char_t *anchor =
        seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
    if (++b->depth > MANIFEST_MAX_DEPTH)
        return fail(b, n->line, n->column, "nesting deeper than %d levels", MANIFEST_MAX_DEPTH);
    int r = parse_children(b, n, seq ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT);
    b->depth--;
    if (r >= 0 && !seq)
        r = resolve_merge_keys(b, n);
    if (r < 0)
        return r;
    remember_anchor(b, anchor, n);
    *ret = n;
    return 0;
}

static int parse_node(struct builder *b, yaml_event_t *ev, struct ynode **ret)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        struct ynode *n = node_new(b, YNODE_SCALAR, &ev->start_mark);
        n->value = xstrndup((const char *) ev->data.scalar.value, ev->data.scalar.length);
        const char *tag = (const char *) ev->data.scalar.tag;
        n->str_tag = tag && strcmp(tag, YAML_STR_TAG) == 0;
        n->plain = ev->data.scalar.plain_implicit && !tag;
        n->merge =
            (n->plain && strcmp(n->value, "<<") == 0) || (tag && strcmp(tag, YAML_MERGE_TAG) == 0);
        remember_anchor(b, ev->data.scalar.anchor, n);
        *ret = n;
        return 0;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return parse_collection(b, ev, ret);
    case YAML_ALIAS_EVENT: {
        struct ynode *target = find_anchor(b, (const char *) ev->data.alias.anchor);
        if (!target)
            return fail(b, (int) ev->start_mark.line + 1, (int) ev->start_mark.column + 1,
                        "unknown alias '%s'", (const char *) ev->data.alias.anchor);
        *ret = target;
        return 0;
    }
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        break;
    }
    return fail(b, (int) ev->start_mark.line + 1, (int) ev->start_mark.column + 1,
                "unexpected YAML event");
}

static int parse_document(struct builder *b, const yaml_mark_t *start)
{
    struct ydoc doc = {.line = (int) start->line + 1};
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&b->parser, &ev))
            return syntax_error(b);
        if (ev.type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        int r = parse_node(b, &ev, &doc.root);
        yaml_event_delete(&ev);
        if (r < 0)
            return r;
    }
    struct ystream *s = b->out;
    s->docs = xrealloc(s->docs, sizeof(*s->docs) * (s->n_docs + 1));
    s->docs[s->n_docs++] = doc;
    /* anchors are local to a document */
    for (size_t i = 0; i < b->n_anchors; i++)
        free(b->anchors[i].name);
    b->n_anchors = 0;
    return 0;
}

static int parse_stream(struct builder *b)
{
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&b->parser, &ev))
            return syntax_error(b);
        yaml_event_type_t type = ev.type;
        yaml_mark_t mark = ev.start_mark;
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            return 0;
        if (type == YAML_DOCUMENT_START_EVENT && parse_document(b, &mark) < 0)
            return -EINVAL;
    }
}

int ystream_parse(const char *buf, size_t len, struct ystream *ret, int *ret_line, int *ret_col,
                  char **ret_msg)
{
    struct builder b = {.out = ret};
    memset(ret, 0, sizeof(*ret));
    yaml_parser_initialize(&b.parser);
    yaml_parser_set_input_string(&b.parser, (const unsigned char *) buf, len);
    int r = parse_stream(&b);
    yaml_parser_delete(&b.parser);
    for (size_t i = 0; i < b.n_anchors; i++)
        free(b.anchors[i].name);
    free(b.anchors);
    if (r < 0) {
        *ret_line = b.err_line;
        *ret_col = b.err_col;
        *ret_msg = b.err_msg ? b.err_msg : xstrdup("YAML syntax error");
        ystream_free(ret);
        return -EINVAL;
    }
    return 0;
}

void ystream_free(struct ystream *s)
{
    struct ynode *n = s->allocs;
    while (n) {
        struct ynode *next = n->next_alloc;
        free(n->value);
        free(n->items);
        free(n);
        n = next;
    }
    free(s->docs);
    memset(s, 0, sizeof(*s));
}

long utf8_first_invalid(const char *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *) buf;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned min;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return (long) i;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
                return (long) i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return (long) i;
        i += n + 1;
    }
    return -1;
}
