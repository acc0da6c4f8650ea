/* SPDX-License-Identifier: Apache-2.0 */
/* PersistentVolumeClaim and PersistentVolume documents: YAML tree -> normalised JSON, with
 * Kubernetes' validation rules and orc's limits (classes it can bind, sources it can mount). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "decode.h"
#include "objects.h"
#include "quantity.h"
#include "strv.h"
#include "xalloc.h"

static const char *const access_modes[] = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                           "ReadWriteOncePod", NULL};

/* Kubernetes' volume sources orc cannot give a PersistentVolume (hostPath and local it can). */
static const char *const pv_sources[] = {"awsElasticBlockStore",
                                         "azureDisk",
                                         "azureFile",
                                         "cephfs",
                                         "cinder",
                                         "csi",
                                         "fc",
                                         "flexVolume",
                                         "flocker",
                                         "gcePersistentDisk",
                                         "glusterfs",
                                         "iscsi",
                                         "nfs",
                                         "photonPersistentDisk",
                                         "portworxVolume",
                                         "quobyte",
                                         "rbd",
                                         "scaleIO",
                                         "storageos",
                                         "vsphereVolume",
                                         NULL};

/* A plain copy of a node's value (mapping, sequence, scalars as strings, booleans, numbers). */
static json_t *node_json(const struct ynode *n)
{
    if (n->kind == YNODE_MAPPING) {
        json_t *o = json_object();
        for (size_t i = 0; i < ynode_pairs(n); i++)
            json_object_set_new(o, ynode_key(n, i)->value, node_json(ynode_val(n, i)));
        return o;
    }
    if (n->kind == YNODE_SEQUENCE) {
        json_t *a = json_array();
        for (size_t i = 0; i < n->n_items; i++)
            json_array_append_new(a, node_json(n->items[i]));
        return a;
    }
    enum scalar_type t = scalar_type_of(n);
    if (t == SCALAR_NULL)
        return json_null();
    if (t == SCALAR_BOOL)
        return json_boolean(!strcasecmp(n->value, "true"));
    if (t == SCALAR_INT)
        return json_integer(strtoll(n->value, NULL, 10));
    return json_string(n->value);
}

static void decode_modes(struct decoder *d, const struct ynode *n, const struct ynode *at,
                         json_t *spec)
{
    size_t saved = decoder_push_key(d, "accessModes");
    _cleanup_(strv_freep) char **modes = NULL;
    if (n && !ynode_is_null(n) && decode_strv(d, n, &modes)) {
        json_t *a = json_array();
        for (size_t i = 0; modes[i]; i++) {
            if (!strv_contains((char *const *) access_modes, modes[i]))
                decoder_error(d, n->items[i], NULL,
                              "Unsupported value: \"%s\": supported values: \"ReadOnlyMany\", "
                              "\"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
                              modes[i]);
            json_array_append_new(a, json_string(modes[i]));
        }
        json_object_set_new(spec, "accessModes", a);
    }
    if (!modes || !modes[0])
        decoder_error(d, n ? n : at, NULL, "Required value: at least 1 access mode is required");
    decoder_pop(d, saved);
}

/* map[storage] of a resource list: a positive quantity, kept as written. */
static void decode_storage(struct decoder *d, const struct ynode *map, const struct ynode *at,
                           const char *path, json_t *into)
{
    const struct ynode *q = ynode_find(map, "storage");
    _cleanup_free_ char *text = NULL;
    int64_t milli = 0;
    size_t saved = decoder_push_key(d, path);
    decoder_push_subscript(d, "storage");
    if (!q || ynode_is_null(q))
        decoder_error(d, map ? map : at, NULL, "Required value");
    else if (q->kind != YNODE_SCALAR || !(text = xstrdup(q->value)) ||
             quantity_parse_milli(text, &milli) < 0)
        decoder_error(d, q, NULL,
                      "Invalid value: \"%s\": quantities must match the regular "
                      "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                      q->kind == YNODE_SCALAR ? q->value : "");
    else if (milli <= 0)
        decoder_error(d, q, NULL, "Invalid value: \"%s\": must be greater than zero", text);
    else
        json_object_set_new(into, "storage", json_string(text));
    decoder_pop(d, saved);
}

static void forbid(struct decoder *d, const struct ynode *k, const char *why)
{
    decoder_error(d, k, k->value, "Forbidden: %s", why);
}

static void decode_claim_spec(struct decoder *d, const struct ynode *spec, json_t *out)
{
    if (!expect_kind(d, spec, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, spec);
    decode_modes(d, ynode_find(spec, "accessModes"), spec, out);
    const struct ynode *res = ynode_find(spec, "resources");
    json_t *requests = json_object();
    decode_storage(d, ynode_find(res, "requests"), res ? res : spec, "resources", requests);
    json_object_set_new(out, "resources", json_pack("{s:o}", "requests", requests));
    for (size_t i = 0; i < ynode_pairs(spec); i++) {
        const struct ynode *k = ynode_key(spec, i), *v = ynode_val(spec, i);
        _cleanup_free_ char *text = NULL;
        if (ynode_key_repeats(spec, i) || ynode_is_null(v) || !strcmp(k->value, "accessModes") ||
            !strcmp(k->value, "resources"))
            continue;
        if (!strcmp(k->value, "storageClassName") || !strcmp(k->value, "volumeName") ||
            !strcmp(k->value, "volumeMode")) {
            size_t saved = decoder_push_key(d, k->value);
            if (decode_string(d, v, &text))
                json_object_set_new(out, k->value, json_string(text));
            decoder_pop(d, saved);
        } else if (!strcmp(k->value, "selector")) {
            forbid(d, k, "orc binds a claim by class, size and access modes, not by labels");
        } else if (!strcmp(k->value, "dataSource") || !strcmp(k->value, "dataSourceRef")) {
            forbid(d, k, "orc cannot fill a claim from another object");
        } else if (!strcmp(k->value, "volumeAttributesClassName")) {
            forbid(d, k, "orc has no VolumeAttributesClasses");
        } else {
            decoder_unknown_field(d, k);
        }
    }
}

/* What a claim's class and mode may be: orc's own class, static volumes', none. */
static void check_claim(struct decoder *d, const struct ynode *spec, json_t *s)
{
    const char *cls = json_string_value(json_object_get(s, "storageClassName"));
    const char *mode = json_string_value(json_object_get(s, "volumeMode"));
    if (cls && *cls && strcmp(cls, OBJECT_STORAGE_CLASS) && strcmp(cls, OBJECT_STATIC_CLASS))
        decoder_error(d, ynode_find(spec, "storageClassName"), "spec.storageClassName",
                      "Unsupported value: \"%s\": supported values: \"%s\" (a directory orc "
                      "makes, the default), \"%s\" or \"\" (a PersistentVolume of that class)",
                      cls, OBJECT_STORAGE_CLASS, OBJECT_STATIC_CLASS);
    if (mode && strcmp(mode, "Filesystem"))
        decoder_error(d, ynode_find(spec, "volumeMode"), "spec.volumeMode",
                      "Unsupported value: \"%s\": supported values: \"Filesystem\" (orc "
                      "gives no block devices)",
                      mode);
    if (!mode)
        json_object_set_new(s, "volumeMode", json_string("Filesystem"));
}

/* The root's fields besides spec: apiVersion, kind, metadata, status (the server's). */
static json_t *decode_root(struct decoder *d, const struct ynode *root, const char *kind,
                           const struct ynode **ret_spec)
{
    json_t *obj = json_pack("{s:s,s:s,s:{}}", "apiVersion", "v1", "kind", kind, "metadata");
    (void) decoder_check_keys(d, root);
    *ret_spec = NULL;
    for (size_t i = 0; i < ynode_pairs(root); i++) {
        const struct ynode *k = ynode_key(root, i);
        if (ynode_key_repeats(root, i))
            continue;
        if (!strcmp(k->value, "spec"))
            *ret_spec = ynode_val(root, i);
        else if (strcmp(k->value, "apiVersion") && strcmp(k->value, "kind") &&
                 strcmp(k->value, "metadata") && strcmp(k->value, "status"))
            decoder_unknown_field(d, k);
    }
    if (!*ret_spec || ynode_is_null(*ret_spec))
        decoder_required(d, root, "spec", NULL);
    return obj;
}

json_t *decode_persistent_volume_claim(struct decoder *d, const struct ynode *root)
{
    const struct ynode *spec = NULL;
    json_t *obj = decode_root(d, root, "PersistentVolumeClaim", &spec);
    decode_object_meta(d, root, json_object_get(obj, "metadata"));
    json_t *s = json_object();
    json_object_set_new(obj, "spec", s);
    if (!spec || ynode_is_null(spec))
        return obj;
    size_t saved = decoder_push_key(d, "spec");
    decode_claim_spec(d, spec, s);
    decoder_pop(d, saved);
    check_claim(d, spec, s);
    return obj;
}

/* hostPath {path, type} or local {path}: an absolute path. */
static void decode_pv_source(struct decoder *d, const struct ynode *k, const struct ynode *v,
                             json_t *out)
{
    size_t saved = decoder_push_key(d, k->value);
    const struct ynode *p = ynode_find(v, "path");
    if (expect_kind(d, v, YNODE_MAPPING)) {
        if (!p || p->kind != YNODE_SCALAR || p->value[0] != '/')
            decoder_error(d, p ? p : v, "path",
                          p ? "Invalid value: must be an absolute path" : "Required value");
        json_object_set_new(out, k->value, node_json(v));
    }
    decoder_pop(d, saved);
}

static void decode_pv_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                            json_t *out, int *sources)
{
    if (!strcmp(k->value, "hostPath") || !strcmp(k->value, "local")) {
        decode_pv_source(d, k, v, out);
        (*sources)++;
    } else if (strv_contains((char *const *) pv_sources, k->value)) {
        forbid(d, k, "orc binds PersistentVolumes of hostPath and local only");
        (*sources)++;
    } else if (!strcmp(k->value, "claimRef")) {
        forbid(d, k,
               "orc binds volumes to claims itself (name the volume in the claim's "
               "spec.volumeName instead)");
    } else if (!strcmp(k->value, "mountOptions")) {
        forbid(d, k, "orc bind-mounts a volume's directory: it has no mount options");
    } else if (!strcmp(k->value, "storageClassName") ||
               !strcmp(k->value, "persistentVolumeReclaimPolicy") ||
               !strcmp(k->value, "volumeMode")) {
        _cleanup_free_ char *text = NULL;
        size_t saved = decoder_push_key(d, k->value);
        if (decode_string(d, v, &text))
            json_object_set_new(out, k->value, json_string(text));
        decoder_pop(d, saved);
    } else if (!strcmp(k->value, "nodeAffinity")) {
        json_object_set_new(out, k->value, node_json(v)); /* one node: it is this one */
    } else if (strcmp(k->value, "capacity") && strcmp(k->value, "accessModes")) {
        decoder_unknown_field(d, k);
    }
}

json_t *decode_persistent_volume(struct decoder *d, const struct ynode *root)
{
    const struct ynode *spec = NULL;
    json_t *obj = decode_root(d, root, "PersistentVolume", &spec);
    json_t *meta = json_object_get(obj, "metadata");
    decode_object_meta(d, root, meta);
    json_object_del(meta, "namespace"); /* cluster-scoped */
    json_t *s = json_object();
    json_object_set_new(obj, "spec", s);
    if (!spec || ynode_is_null(spec) || !expect_kind(d, spec, YNODE_MAPPING))
        return obj;
    size_t saved = decoder_push_key(d, "spec");
    (void) decoder_check_keys(d, spec);
    decode_modes(d, ynode_find(spec, "accessModes"), spec, s);
    json_t *capacity = json_object();
    decode_storage(d, ynode_find(spec, "capacity"), spec, "capacity", capacity);
    json_object_set_new(s, "capacity", capacity);
    int sources = 0;
    for (size_t i = 0; i < ynode_pairs(spec); i++)
        if (!ynode_key_repeats(spec, i) && !ynode_is_null(ynode_val(spec, i)))
            decode_pv_field(d, ynode_key(spec, i), ynode_val(spec, i), s, &sources);
    if (sources == 0)
        decoder_error(d, spec, NULL,
                      "Required value: must specify a volume type (orc binds "
                      "hostPath and local)");
    else if (sources > 1)
        decoder_error(d, spec, NULL, "Forbidden: may not specify more than 1 volume type");
    decoder_pop(d, saved);
    const char *policy = json_string_value(json_object_get(s, "persistentVolumeReclaimPolicy"));
    if (!policy)
        json_object_set_new(s, "persistentVolumeReclaimPolicy", json_string("Retain"));
    else if (strcmp(policy, "Retain"))
        decoder_error(d, ynode_find(spec, "persistentVolumeReclaimPolicy"),
                      "spec.persistentVolumeReclaimPolicy",
                      "Unsupported value: \"%s\": supported values: \"Retain\" (orc never "
                      "removes the data of a volume it did not make)",
                      policy);
    if (!json_object_get(s, "volumeMode"))
        json_object_set_new(s, "volumeMode", json_string("Filesystem"));
    return obj;
}
