/* SPDX-License-Identifier: Apache-2.0 */
/* The payloads of kubelet's configMap, secret, downwardAPI and projected volume plugins. */
#include "volume-files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "xalloc.h"

bool volume_has_files(const struct volume *v)
{
    return v->type == VOLUME_CONFIG_MAP || v->type == VOLUME_SECRET ||
           v->type == VOLUME_DOWNWARD_API || v->type == VOLUME_PROJECTED;
}

static const char *str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void add_ref(json_t *refs, const char *kind, const char *name)
{
    if (!name)
        return;
    json_t *names = json_object_get(refs, kind);
    if (!names)
        json_object_set_new(refs, kind, names = json_object());
    json_object_set_new(names, name, json_null());
}

json_t *volume_object_refs(const struct pod *pod)
{
    json_t *refs = json_object();
    for (size_t i = 0; i < pod->n_volumes; i++) {
        const struct volume *v = &pod->volumes[i];
        if (v->type == VOLUME_CONFIG_MAP)
            add_ref(refs, "ConfigMap", str(v->source, "name"));
        else if (v->type == VOLUME_SECRET)
            add_ref(refs, "Secret", str(v->source, "secretName"));
        else if (v->type != VOLUME_PROJECTED)
            continue;
        size_t k;
        const json_t *src;
        json_array_foreach(json_object_get(v->source, "sources"), k, src) {
            add_ref(refs, "ConfigMap", str(json_object_get(src, "configMap"), "name"));
            add_ref(refs, "Secret", str(json_object_get(src, "secret"), "name"));
        }
    }
    return refs;
}

static void add_file(struct volume_files *out, const char *path, char *data, size_t len, int mode)
{
    for (size_t i = 0; i < out->n; i++) /* a later one of the same path wins, as kubelet's */
        if (!strcmp(out->files[i].path, path)) {
            free(out->files[i].data);
            out->files[i].data = data;
            out->files[i].len = len;
            out->files[i].mode = mode;
            return;
        }
    out->files = xrealloc(out->files, sizeof(*out->files) * (out->n + 1));
    out->files[out->n++] = (struct volume_file){xstrdup(path), data, len, mode};
}

/* key's bytes in obj (data, or binaryData; a Secret's data base64): 1, 0 when it has none */
static int key_value(const json_t *obj, bool secret, const char *key, char **ret, size_t *len)
{
    const char *v = str(json_object_get(obj, "data"), key);
    bool encoded = secret;
    if (!v && !secret) {
        v = str(json_object_get(obj, "binaryData"), key);
        encoded = true;
    }
    if (!v)
        return 0;
    if (!encoded) {
        *ret = xstrdup(v);
        *len = strlen(v);
        return 1;
    }
    return orc_base64_decode(v, ret, len) < 0 ? -EINVAL : 1;
}

static int object_files(const json_t *obj, bool secret, const json_t *src, int mode,
                        struct volume_files *out, orc_error_t *err)
{
    const json_t *items = json_object_get(src, "items");
    const char *kind = secret ? "secret" : "configmap";
    bool optional = json_is_true(json_object_get(src, "optional"));
    size_t i;
    const json_t *it;
    if (!json_array_size(items)) { /* every key */
        const char *lists[] = {"data", secret ? NULL : "binaryData"};
        for (int l = 0; l < 2 && lists[l]; l++) {
            const char *key;
            const json_t *val;
            json_object_foreach(json_object_get(obj, lists[l]), key, val) {
                char *data = NULL;
                size_t len = 0;
                if (key_value(obj, secret, key, &data, &len) < 0)
                    return orc_error_make_as(err, EINVAL, "%s key %s is no base64", kind, key);
                add_file(out, key, data, len, mode);
            }
        }
        return 0;
    }
    json_array_foreach(items, i, it) {
        const char *key = str(it, "key"), *path = str(it, "path");
        const json_t *m = json_object_get(it, "mode");
        char *data = NULL;
        size_t len = 0;
        int r = key && path ? key_value(obj, secret, key, &data, &len) : -EINVAL;
        if (r == 0 && optional)
            continue;
        if (r == 0)
            return orc_error_make_as(err, ENOENT, "%s references non-existent %s key: %s", kind,
                                     secret ? "secret" : "config", key);
        if (r < 0)
            return orc_error_make_as(err, EINVAL, "%s key %s is no base64", kind, key ? key : "");
        add_file(out, path, data, len, json_is_integer(m) ? (int) json_integer_value(m) : mode);
    }
    return 0;
}

/* A configMap or secret source: its object from f->objects. */
static int source_files(const struct pod *pod, const json_t *src, bool secret, int mode,
                        const struct expand_facts *f, struct volume_files *out, orc_error_t *err)
{
    const char *name = str(src, secret && str(src, "secretName") ? "secretName" : "name");
    const json_t *obj =
        json_object_get(json_object_get(f->objects, secret ? "Secret" : "ConfigMap"), name);
    (void) pod;
    if (!json_is_object(obj)) {
        if (json_is_true(json_object_get(src, "optional")))
            return 0;
        return orc_error_make_as(err, ENOENT, "%s \"%s\" not found",
                                 secret ? "secret" : "configmap", name ? name : "");
    }
    return object_files(obj, secret, src, mode, out, err);
}

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* kubelet's FormatMap: sorted key="value" lines (Go's %q), no newline after the last */
static char *format_map(const json_t *map)
{
    json_auto_t *keys = json_array();
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *) map, key, val)
        json_array_append_new(keys, json_string(key));
    size_t n = json_array_size(keys);
    const char **sorted = new0(const char *, n + 1);
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_string_value(json_array_get(keys, i));
    if (n)
        qsort(sorted, n, sizeof(*sorted), strcmp_ptr);
    char *out = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        json_auto_t *quoted = json_string(json_string_value(json_object_get(map, sorted[i])));
        _cleanup_free_ char *q = json_dumps(quoted, JSON_ENCODE_ANY);
        char *next = xasprintf("%s%s%s=%s", out, i ? "\n" : "", sorted[i], q);
        free(out);
        out = next;
    }
    free(sorted);
    return out;
}

/* A downwardAPI item's value: a field of the pod or a container's resource. */
static int item_value(const struct pod *pod, const json_t *it, const struct expand_facts *f,
                      char **ret, orc_error_t *err)
{
    const json_t *rref = json_object_get(it, "resourceFieldRef");
    if (rref)
        return expand_resource_field(pod, rref, f, ret, err);
    const char *path = str(json_object_get(it, "fieldRef"), "fieldPath");
    _cleanup_free_ char *base = NULL, *key = NULL;
    if (!path)
        return orc_error_make_as(err, EINVAL, "downwardAPI item without a field");
    if (!strcmp(path, "metadata.labels") || !strcmp(path, "metadata.annotations")) {
        *ret = format_map(path[9] == 'l' ? pod->labels : pod->annotations);
        return 0;
    }
    if (expand_split_subscript(path, &base, &key)) {
        const json_t *map = !strcmp(base, "metadata.labels") ? pod->labels : pod->annotations;
        *ret = xstrdup(str(map, key) ?: "");
        return 0;
    }
    const char *v = !strcmp(path, "metadata.name")        ? pod->name
                    : !strcmp(path, "metadata.namespace") ? pod->namespace
                    : !strcmp(path, "metadata.uid")       ? f->pod_uid
                                                          : NULL;
    if (!v)
        return orc_error_make_as(err, EINVAL, "unsupported fieldPath %s", path);
    *ret = xstrdup(v);
    return 0;
}

static int downward_files(const struct pod *pod, const json_t *src, int mode,
                          const struct expand_facts *f, struct volume_files *out, orc_error_t *err)
{
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(src, "items"), i, it) {
        char *value = NULL;
        if (item_value(pod, it, f, &value, err) < 0)
            return -1;
        const json_t *m = json_object_get(it, "mode");
        add_file(out, str(it, "path") ?: "", value, strlen(value),
                 json_is_integer(m) ? (int) json_integer_value(m) : mode);
    }
    return 0;
}

static int projected_files(const struct pod *pod, const json_t *src, int mode,
                           const struct expand_facts *f, struct volume_files *out, orc_error_t *err)
{
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(src, "sources"), i, p) {
        const json_t *sub;
        int r = 0;
        if ((sub = json_object_get(p, "configMap")))
            r = source_files(pod, sub, false, mode, f, out, err);
        else if ((sub = json_object_get(p, "secret")))
            r = source_files(pod, sub, true, mode, f, out, err);
        else if ((sub = json_object_get(p, "downwardAPI")))
            r = downward_files(pod, sub, mode, f, out, err);
        if (r < 0)
            return r;
    }
    return 0;
}

int volume_files_build(const struct pod *pod, const struct volume *v, const struct expand_facts *f,
                       struct volume_files *ret, orc_error_t *err)
{
    struct volume_files out = {0};
    const json_t *dm = json_object_get(v->source, "defaultMode");
    int mode = json_is_integer(dm) ? (int) json_integer_value(dm) : 0644;
    int r = 0;
    switch (v->type) {
    case VOLUME_CONFIG_MAP:
    case VOLUME_SECRET:
        r = source_files(pod, v->source, v->type == VOLUME_SECRET, mode, f, &out, err);
        break;
    case VOLUME_DOWNWARD_API:
        r = downward_files(pod, v->source, mode, f, &out, err);
        break;
    case VOLUME_PROJECTED:
        r = projected_files(pod, v->source, mode, f, &out, err);
        break;
    case VOLUME_EMPTY_DIR:
    case VOLUME_HOST_PATH:
    case VOLUME_PVC:
    case _VOLUME_TYPE_MAX:
    case _VOLUME_TYPE_INVALID:
        break;
    }
    if (r < 0) {
        volume_files_done(&out);
        return r;
    }
    *ret = out;
    return 0;
}

void volume_files_done(struct volume_files *files)
{
    for (size_t i = 0; i < files->n; i++) {
        free(files->files[i].path);
        free(files->files[i].data);
    }
    free(files->files);
    *files = (struct volume_files){0};
}
