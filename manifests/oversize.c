/* SPDX-License-Identifier: Apache-2.0 */
/* Input over the size limit: which document makes it so, found from libyaml's events alone
 * (no tree is built, so a large input costs no more than its largest scalar). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cleanup.h"
#include "decode.h"
#include "manifest.h"
#include "xalloc.h"

#define SCAN_LEVELS 3 /* the root mapping, metadata, and below: all that names an object */

struct scan_level {
    bool mapping;
    size_t children;
    char key[16]; /* the last key if it is one we look for ("kind", "metadata", "name") */
    bool metadata;
};

struct doc_info {
    size_t start, size;
    int line;
    bool object; /* its root is a collection (not empty, not a scalar) */
    char *kind, *name;
};

struct scan {
    struct scan_level levels[SCAN_LEVELS + 1]; /* levels[1] is the document's root */
    int depth;
    struct doc_info cur, largest;
    size_t n_docs;
};

static void doc_info_clear(struct doc_info *d)
{
    free(d->kind);
    free(d->name);
    *d = (struct doc_info){0};
}

/* A node inside the collection at the current depth: a key or a value of a mapping. text is
 * a scalar's, NULL for other nodes. */
static void on_node(struct scan *s, const char *text)
{
    if (s->depth < 1 || s->depth > SCAN_LEVELS)
        return;
    struct scan_level *l = &s->levels[s->depth];
    bool is_key = l->mapping && l->children++ % 2 == 0;
    if (is_key) {
        snprintf(l->key, sizeof(l->key), "%s", text && strlen(text) < sizeof(l->key) ? text : "");
        return;
    }
    if (!l->mapping || !text)
        return;
    if (s->depth == 1 && !strcmp(l->key, "kind") && !s->cur.kind)
        s->cur.kind = xstrdup(text);
    else if (s->depth == 2 && l->metadata && !strcmp(l->key, "name") && !s->cur.name)
        s->cur.name = xstrdup(text);
}

static void open_collection(struct scan *s, bool mapping)
{
    /* the value of the root's "metadata" key: its key was the last child */
    const struct scan_level *root = &s->levels[1];
    bool metadata =
        s->depth == 1 && root->mapping && root->children % 2 == 1 && !strcmp(root->key, "metadata");
    if (s->depth == 0)
        s->cur.object = true;
    on_node(s, NULL);
    if (++s->depth <= SCAN_LEVELS)
        s->levels[s->depth] = (struct scan_level){.mapping = mapping, .metadata = metadata};
}

static void end_document(struct scan *s, size_t end)
{
    s->cur.size = end - s->cur.start;
    if (s->cur.object && (s->n_docs++ == 0 || s->cur.size > s->largest.size)) {
        doc_info_clear(&s->largest);
        s->largest = s->cur;
        s->cur = (struct doc_info){0};
    }
    doc_info_clear(&s->cur);
}

/* Feeds one event; false at the end of the stream. */
static bool scan_event(struct scan *s, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        doc_info_clear(&s->cur);
        s->cur.start = ev->start_mark.index;
        s->cur.line = (int) ev->start_mark.line + 1;
        s->depth = 0;
        break;
    case YAML_DOCUMENT_END_EVENT:
        end_document(s, ev->end_mark.index);
        break;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        open_collection(s, ev->type == YAML_MAPPING_START_EVENT);
        break;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        s->depth--;
        break;
    case YAML_SCALAR_EVENT:
        on_node(s, (const char *) ev->data.scalar.value);
        break;
    case YAML_ALIAS_EVENT:
        on_node(s, NULL);
        break;
    case YAML_STREAM_END_EVENT:
        return false;
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
        break;
    }
    return true;
}

/* The largest document of buf (stops quietly at a syntax error: then what was seen). */
static void scan_documents(const char *buf, size_t len, struct scan *s)
{
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *) buf, len);
    for (bool more = true; more;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev))
            break;
        more = scan_event(s, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    doc_info_clear(&s->cur);
}

static char *describe_object(const struct doc_info *d)
{
    if (d->kind && d->name)
        return xasprintf("%s \"%s\"", d->kind, d->name);
    if (d->kind)
        return xasprintf("a %s without a name", d->kind);
    return xstrdup("a document");
}

int manifest_oversize(const char *buf, size_t len, int *ret_line, char **ret_msg)
{
    if (len <= MANIFEST_MAX_BYTES)
        return 0;
    struct scan s = {0};
    scan_documents(buf, len, &s);
    _cleanup_free_ char *what = describe_object(&s.largest);
    char *msg;
    if (s.n_docs == 0)
        msg = xasprintf("input is %zu bytes, more than the limit of %u bytes (3 MiB)", len,
                        MANIFEST_MAX_BYTES);
    else if (s.largest.size > MANIFEST_MAX_BYTES || s.n_docs == 1)
        msg = xasprintf("input is %zu bytes, more than the limit of %u bytes (3 MiB) for one "
                        "apply: %s alone is %zu bytes",
                        len, MANIFEST_MAX_BYTES, what, s.largest.size);
    else
        msg = xasprintf("input is %zu bytes, more than the limit of %u bytes (3 MiB) for one "
                        "apply: apply its %zu documents in several files (the largest, %s, is "
                        "%zu bytes)",
                        len, MANIFEST_MAX_BYTES, s.n_docs, what, s.largest.size);
    *ret_line = s.n_docs ? s.largest.line : 0;
    *ret_msg = msg;
    doc_info_clear(&s.largest);
    return 1;
}

char *manifest_check_size(const char *buf, size_t len, const char *file)
{
    int line = 0;
    _cleanup_free_ char *msg = NULL;
    if (!manifest_oversize(buf, len, &line, &msg))
        return NULL;
    struct manifest_diag d = {
        .file = (char *) file, .line = line, .column = line ? 1 : 0, .message = msg};
    return manifest_diag_format(&d);
}
