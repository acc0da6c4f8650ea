/* SPDX-License-Identifier: Apache-2.0 */
/* containers[].volumeMounts from YAML, with Kubernetes' rules and messages. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "volume-decode.h"
#include "xalloc.h"

static void decode_bool_field(struct decoder *d, const struct ynode *v, bool *ret)
{
    (void) decode_bool(d, v, ret); /* reported there */
}

static void decode_propagation(struct decoder *d, const struct ynode *v, struct volume_mount *m)
{
    _cleanup_free_ char *s = NULL;
    if (!decode_string(d, v, &s))
        return;
    int p = mount_propagation_from_string(s);
    if (!strcmp(s, "Bidirectional"))
        decoder_error(d, v, NULL,
                      "not supported by orc: Bidirectional propagation shares the container's "
                      "mounts with the host's mount namespace, which an unprivileged user "
                      "cannot write to");
    else if (p < 0)
        decoder_error(d, v, NULL,
                      "Unsupported value: \"%s\": supported values: \"Bidirectional\", "
                      "\"HostToContainer\", \"None\"",
                      s);
    else {
        m->propagation = p;
        m->propagation_written = true;
    }
}

static void decode_recursive_read_only(struct decoder *d, const struct ynode *v,
                                       struct volume_mount *m)
{
    _cleanup_free_ char *s = NULL;
    if (!decode_string(d, v, &s))
        return;
    int r = recursive_read_only_from_string(s);
    if (r < 0)
        decoder_error(d, v, NULL,
                      "Unsupported value: \"%s\": supported values: \"Disabled\", \"Enabled\", "
                      "\"IfPossible\"",
                      s);
    else {
        m->recursive_read_only = r;
        m->recursive_read_only_written = true;
    }
}

static bool decode_mount_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                               void *ctx)
{
    struct volume_mount *m = ctx;
    const char *key = k->value;
    if (!strcmp(key, "name"))
        decode_string(d, v, &m->name);
    else if (!strcmp(key, "mountPath"))
        decode_string(d, v, &m->mount_path);
    else if (!strcmp(key, "readOnly"))
        decode_bool_field(d, v, &m->read_only);
    else if (!strcmp(key, "subPath"))
        decode_string(d, v, &m->sub_path);
    else if (!strcmp(key, "subPathExpr"))
        decode_string(d, v, &m->sub_path_expr);
    else if (!strcmp(key, "mountPropagation"))
        decode_propagation(d, v, m);
    else if (!strcmp(key, "recursiveReadOnly"))
        decode_recursive_read_only(d, v, m);
    else
        return false;
    return true;
}

/* A subPath or subPathExpr: relative, no ".." (validateLocalDescendingPath). */
static void check_sub_path(struct decoder *d, const struct ynode *n, const char *field,
                           const char *path)
{
    const char *why = path ? volume_relative_path_error(path) : NULL;
    if (why)
        decoder_error(d, ynode_find(n, field), field, "Invalid value: \"%s\": %s", path, why);
}

static void check_mount(struct decoder *d, const struct ynode *n, struct volume_mount *m)
{
    if (!m->name || !*m->name)
        decoder_required(d, ynode_find(n, "name") ?: n, "name", NULL);
    if (!m->mount_path || !*m->mount_path)
        decoder_required(d, ynode_find(n, "mountPath") ?: n, "mountPath", NULL);
    else if (m->mount_path[0] != '/')
        decoder_error(d, ynode_find(n, "mountPath"), "mountPath",
                      "Invalid value: \"%s\": must be an absolute path", m->mount_path);
    if (m->sub_path && !*m->sub_path) /* "" is not written */
        m->sub_path = (free(m->sub_path), NULL);
    if (m->sub_path_expr && !*m->sub_path_expr)
        m->sub_path_expr = (free(m->sub_path_expr), NULL);
    check_sub_path(d, n, "subPath", m->sub_path);
    check_sub_path(d, n, "subPathExpr", m->sub_path_expr);
    if (m->sub_path && m->sub_path_expr)
        decoder_error(d, ynode_find(n, "subPathExpr"), "subPathExpr",
                      "Invalid value: \"%s\": subPathExpr and subPath are mutually exclusive",
                      m->sub_path_expr);
    if (m->recursive_read_only == RRO_DISABLED)
        return;
    if (!m->read_only)
        decoder_error(d, ynode_find(n, "recursiveReadOnly"), "recursiveReadOnly",
                      "Forbidden: may only be specified when readOnly is true");
    if (m->propagation != PROPAGATION_NONE)
        decoder_error(d, ynode_find(n, "recursiveReadOnly"), "recursiveReadOnly",
                      "Forbidden: may only be specified when mountPropagation is None or not "
                      "specified");
}

static void decode_mount(struct decoder *d, const struct ynode *n, struct volume_mount *m)
{
    if (decoder_each_field(d, n, decode_mount_field, m))
        check_mount(d, n, m);
}

void decode_volume_mounts(struct decoder *d, const struct ynode *n, struct container *c)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return;
    c->mounts = xcalloc(n->n_items, sizeof(*c->mounts));
    c->n_mounts = n->n_items;
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        decode_mount(d, n->items[i], &c->mounts[i]);
        decoder_pop(d, saved);
    }
}

void validate_volume_mounts(struct decoder *d, const struct ynode *cnode, const struct pod *pod,
                            const struct container *c)
{
    const struct ynode *list = ynode_find(cnode, "volumeMounts");
    for (size_t i = 0; i < c->n_mounts; i++) {
        const struct volume_mount *m = &c->mounts[i];
        const struct ynode *at = list && i < list->n_items ? list->items[i] : cnode;
        size_t saved = decoder_push_key(d, "volumeMounts");
        decoder_push_index(d, i);
        if (m->name && *m->name && !volume_find(pod->volumes, pod->n_volumes, m->name))
            decoder_error(d, ynode_find(at, "name"), "name", "Not found: \"%s\"", m->name);
        for (size_t k = 0; m->mount_path && k < i; k++)
            if (c->mounts[k].mount_path && !strcmp(c->mounts[k].mount_path, m->mount_path)) {
                decoder_error(d, ynode_find(at, "mountPath"), "mountPath",
                              "Invalid value: \"%s\": must be unique", m->mount_path);
                break;
            }
        decoder_pop(d, saved);
    }
}
