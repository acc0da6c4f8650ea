/* SPDX-License-Identifier: Apache-2.0 */
/* spec.volumes from YAML: each source's fields type-checked into normalised JSON through one
 * table per source, then Kubernetes' rules checked with their messages. Sources orc cannot
 * provide (network and cloud storage, service account tokens) are refused, naming them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "decode.h"
#include "quantity.h"
#include "strv.h"
#include "volume-decode.h"
#include "xalloc.h"

enum field_type {
    FT_STRING,
    FT_BOOL,
    FT_MODE, /* a file mode, 0-0777 */
    FT_QUANTITY,
    FT_OBJECT,
    FT_LIST, /* of objects */
    FT_REFUSED,
    _FT_MAX,
    _FT_INVALID = -22,
};

struct field {
    const char *name;
    enum field_type type;
    const struct field *sub; /* FT_OBJECT, FT_LIST */
    const char *why;         /* FT_REFUSED */
};

#define END                                                                                        \
    {                                                                                              \
        .name = NULL                                                                               \
    }

static const struct field key_to_path[] = {
    {.name = "key", .type = FT_STRING},
    {.name = "path", .type = FT_STRING},
    {.name = "mode", .type = FT_MODE},
    END,
};
static const struct field config_map_fields[] = {
    {.name = "name", .type = FT_STRING},
    {.name = "items", .type = FT_LIST, .sub = key_to_path},
    {.name = "defaultMode", .type = FT_MODE},
    {.name = "optional", .type = FT_BOOL},
    END,
};
static const struct field secret_fields[] = {
    {.name = "secretName", .type = FT_STRING},
    {.name = "items", .type = FT_LIST, .sub = key_to_path},
    {.name = "defaultMode", .type = FT_MODE},
    {.name = "optional", .type = FT_BOOL},
    END,
};
static const struct field field_ref[] = {
    {.name = "apiVersion", .type = FT_STRING},
    {.name = "fieldPath", .type = FT_STRING},
    END,
};
static const struct field resource_field_ref[] = {
    {.name = "containerName", .type = FT_STRING},
    {.name = "resource", .type = FT_STRING},
    {.name = "divisor", .type = FT_QUANTITY},
    END,
};
static const struct field downward_item[] = {
    {.name = "path", .type = FT_STRING},
    {.name = "fieldRef", .type = FT_OBJECT, .sub = field_ref},
    {.name = "resourceFieldRef", .type = FT_OBJECT, .sub = resource_field_ref},
    {.name = "mode", .type = FT_MODE},
    END,
};
static const struct field downward_fields[] = {
    {.name = "items", .type = FT_LIST, .sub = downward_item},
    {.name = "defaultMode", .type = FT_MODE},
    END,
};
static const struct field projected_config_map[] = {
    {.name = "name", .type = FT_STRING},
    {.name = "items", .type = FT_LIST, .sub = key_to_path},
    {.name = "optional", .type = FT_BOOL},
    END,
};
static const struct field projected_downward[] = {
    {.name = "items", .type = FT_LIST, .sub = downward_item},
    END,
};
static const struct field projection[] = {
    {.name = "configMap", .type = FT_OBJECT, .sub = projected_config_map},
    {.name = "secret", .type = FT_OBJECT, .sub = projected_config_map},
    {.name = "downwardAPI", .type = FT_OBJECT, .sub = projected_downward},
    {.name = "serviceAccountToken",
     .type = FT_REFUSED,
     .why = "orc has no service accounts and issues no tokens"},
    {.name = "clusterTrustBundle", .type = FT_REFUSED, .why = "orc serves no ClusterTrustBundles"},
    END,
};
static const struct field projected_fields[] = {
    {.name = "sources", .type = FT_LIST, .sub = projection},
    {.name = "defaultMode", .type = FT_MODE},
    END,
};
static const struct field empty_dir_fields[] = {
    {.name = "medium", .type = FT_STRING},
    {.name = "sizeLimit", .type = FT_QUANTITY},
    END,
};
static const struct field host_path_fields[] = {
    {.name = "path", .type = FT_STRING},
    {.name = "type", .type = FT_STRING},
    END,
};
static const struct field claim_fields[] = {
    {.name = "claimName", .type = FT_STRING},
    {.name = "readOnly", .type = FT_BOOL},
    END,
};

static const struct field *const source_fields[_VOLUME_TYPE_MAX] = {
    [VOLUME_EMPTY_DIR] = empty_dir_fields,
    [VOLUME_HOST_PATH] = host_path_fields,
    [VOLUME_CONFIG_MAP] = config_map_fields,
    [VOLUME_SECRET] = secret_fields,
    [VOLUME_DOWNWARD_API] = downward_fields,
    [VOLUME_PROJECTED] = projected_fields,
    [VOLUME_PVC] = claim_fields,
};

/* Kubernetes' other volume sources: what each would need */
static const struct {
    const char *name, *why;
} other_sources[] = {
    {"nfs", "orc mounts no network file systems (an unprivileged user cannot)"},
    {"iscsi", "orc attaches no block storage"},
    {"fc", "orc attaches no block storage"},
    {"rbd", "orc attaches no block storage"},
    {"cephfs", "orc mounts no network file systems (an unprivileged user cannot)"},
    {"glusterfs", "orc mounts no network file systems (an unprivileged user cannot)"},
    {"csi", "orc runs no CSI drivers"},
    {"flexVolume", "orc runs no volume plugins"},
    {"ephemeral", "orc provisions no volumes from storage classes; use an emptyDir"},
    {"image", "orc mounts no images as volumes"},
    {"gitRepo", "gitRepo is deprecated; clone the repository in an init container into an "
                "emptyDir"},
    {"gcePersistentDisk", "orc attaches no cloud disks"},
    {"awsElasticBlockStore", "orc attaches no cloud disks"},
    {"azureDisk", "orc attaches no cloud disks"},
    {"azureFile", "orc mounts no cloud file shares"},
    {"cinder", "orc attaches no cloud disks"},
    {"vsphereVolume", "orc attaches no cloud disks"},
    {"photonPersistentDisk", "orc attaches no cloud disks"},
    {"portworxVolume", "orc attaches no cloud disks"},
    {"scaleIO", "orc attaches no cloud disks"},
    {"storageos", "orc attaches no cloud disks"},
    {"quobyte", "orc mounts no network file systems (an unprivileged user cannot)"},
    {"flocker", "orc runs no volume plugins"},
};

static void decode_fields(struct decoder *d, const struct ynode *n, const struct field *fields,
                          json_t *out);

static json_t *decode_bool_json(struct decoder *d, const struct ynode *v)
{
    bool b;
    return decode_bool(d, v, &b) ? json_boolean(b) : NULL;
}

static json_t *decode_quantity(struct decoder *d, const struct ynode *v)
{
    int64_t milli;
    if (v->kind != YNODE_SCALAR || quantity_parse_milli(v->value, &milli) < 0) {
        decoder_error(d, v, NULL,
                      "Invalid value: \"%s\": quantities must match the regular expression "
                      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                      v->kind == YNODE_SCALAR ? v->value : "");
        return NULL;
    }
    if (milli < 0) {
        decoder_error(d, v, NULL, "Invalid value: \"%s\": must be greater than or equal to 0",
                      v->value);
        return NULL;
    }
    return json_string(v->value);
}

/* An integer as YAML 1.1 reads it (Kubernetes' YAML): 0644 is octal, as modes are written. */
static bool decode_mode(struct decoder *d, const struct ynode *v, int64_t *ret)
{
    if (scalar_type_of(v) != SCALAR_INT || v->value[0] != '0' || !v->value[1])
        return decode_int(d, v, INT32_MIN, INT32_MAX, ret);
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v->value, &end, 8);
    if (errno || *end) {
        decoder_error(d, v, NULL, "expected integer, got \"%s\"", v->value);
        return false;
    }
    *ret = n;
    return true;
}

static json_t *decode_value(struct decoder *d, const struct ynode *k, const struct ynode *v,
                            const struct field *f)
{
    char *s = NULL;
    int64_t num;
    json_t *j;
    switch (f->type) {
    case FT_STRING:
        if (!decode_string(d, v, &s))
            return NULL;
        j = json_string(s);
        free(s);
        return j;
    case FT_BOOL:
        return decode_bool_json(d, v);
    case FT_MODE:
        if (!decode_mode(d, v, &num))
            return NULL;
        if (num < 0 || num > 0777) {
            decoder_error(d, v, NULL,
                          "Invalid value: %lld: must be a number between 0 and 0777 (octal), "
                          "both inclusive",
                          (long long) num);
            return NULL;
        }
        return json_integer(num);
    case FT_QUANTITY:
        return decode_quantity(d, v);
    case FT_OBJECT:
        if (!expect_kind(d, v, YNODE_MAPPING))
            return NULL;
        j = json_object();
        decode_fields(d, v, f->sub, j);
        return j;
    case FT_LIST:
        if (!expect_kind(d, v, YNODE_SEQUENCE))
            return NULL;
        j = json_array();
        for (size_t i = 0; i < v->n_items; i++) {
            size_t saved = decoder_push_index(d, i);
            json_t *item = json_object();
            if (expect_kind(d, v->items[i], YNODE_MAPPING))
                decode_fields(d, v->items[i], f->sub, item);
            json_array_append_new(j, item);
            decoder_pop(d, saved);
        }
        return j;
    case FT_REFUSED:
        decoder_error(d, k, NULL, "not supported by orc: %s", f->why);
        return NULL;
    case _FT_MAX:
    case _FT_INVALID:
        break;
    }
    abort();
}

static void decode_fields(struct decoder *d, const struct ynode *n, const struct field *fields,
                          json_t *out)
{
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        const struct field *f = fields;
        while (f->name && strcmp(f->name, k->value))
            f++;
        if (!f->name) {
            decoder_unknown_field(d, k);
            continue;
        }
        size_t saved = decoder_push_key(d, k->value);
        json_t *j = decode_value(d, k, v, f);
        if (j)
            json_object_set_new(out, k->value, j);
        decoder_pop(d, saved);
    }
}

/* Kubernetes' IsConfigMapKey */
static bool config_key_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253 || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == n;
}

static const char *json_str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A path beneath the volume for a file of it (validateLocalNonReservedPath). */
static void check_item_path(struct decoder *d, const struct ynode *item, const json_t *j)
{
    const char *path = json_str(j, "path");
    const struct ynode *at = ynode_find(item, "path");
    if (!path || !*path) {
        decoder_required(d, at ? at : item, "path", NULL);
        return;
    }
    const char *why = volume_relative_path_error(path);
    if (!why && !strncmp(path, "..", 2))
        why = "must not start with '..'";
    if (why)
        decoder_error(d, at, "path", "Invalid value: \"%s\": %s", path, why);
}

static void check_key_items(struct decoder *d, const struct ynode *src, const json_t *j)
{
    const json_t *items = json_object_get(j, "items");
    const struct ynode *yitems = ynode_find(src, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *it = json_array_get(items, i);
        const struct ynode *y = yitems && i < yitems->n_items ? yitems->items[i] : src;
        size_t saved = decoder_push_key(d, "items");
        decoder_push_index(d, i);
        const char *key = json_str(it, "key");
        if (!key || !*key)
            decoder_required(d, ynode_find(y, "key") ?: y, "key", NULL);
        else if (!config_key_ok(key))
            decoder_error(d, ynode_find(y, "key"), "key",
                          "Invalid value: \"%s\": a valid config key must consist of "
                          "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
                          "'KEY_NAME',  or 'key-name', regex used for validation is "
                          "'[-._a-zA-Z0-9]+')",
                          key);
        check_item_path(d, y, it);
        decoder_pop(d, saved);
    }
}

/* Kubernetes' validVolumeDownwardAPIFieldPathExpressions */
static void check_field_ref(struct decoder *d, const struct ynode *y, const json_t *ref)
{
    static const char *const fields[] = {"metadata.annotations", "metadata.labels", "metadata.name",
                                         "metadata.namespace",   "metadata.uid",    NULL};
    const char *path = json_str(ref, "fieldPath");
    const struct ynode *at = ynode_find(y, "fieldPath");
    size_t saved = decoder_push_key(d, "fieldRef");
    if (!path || !*path)
        decoder_required(d, at ? at : y, "fieldPath", NULL);
    else if (strv_contains((char *const *) fields, path))
        ;
    else if ((!strncmp(path, "metadata.labels['", 17) ||
              !strncmp(path, "metadata.annotations['", 22)) &&
             !strcmp(path + strlen(path) - 2, "']"))
        ;
    else
        decoder_error(d, at, "fieldPath",
                      "Unsupported value: \"%s\": supported values: \"metadata.annotations\", "
                      "\"metadata.labels\", \"metadata.name\", \"metadata.namespace\", "
                      "\"metadata.uid\"",
                      path);
    if (!json_str(ref, "apiVersion"))
        json_object_set_new((json_t *) ref, "apiVersion", json_string("v1"));
    decoder_pop(d, saved);
}

static void check_resource_ref(struct decoder *d, const struct ynode *y, const json_t *ref)
{
    static const char *const served[] = {"limits.cpu", "limits.memory", "requests.cpu",
                                         "requests.memory", NULL};
    size_t saved = decoder_push_key(d, "resourceFieldRef");
    const char *res = json_str(ref, "resource");
    if (!json_str(ref, "containerName") || !*json_str(ref, "containerName"))
        decoder_required(d, ynode_find(y, "containerName") ?: y, "containerName", NULL);
    if (!res || !*res)
        decoder_required(d, ynode_find(y, "resource") ?: y, "resource", NULL);
    else if (!strv_contains((char *const *) served, res))
        decoder_error(d, ynode_find(y, "resource"), "resource",
                      "Unsupported value: \"%s\": supported values: \"limits.cpu\", "
                      "\"limits.memory\", \"requests.cpu\", \"requests.memory\"",
                      res);
    decoder_pop(d, saved);
}

static void check_downward_items(struct decoder *d, const struct ynode *src, const json_t *j)
{
    const json_t *items = json_object_get(j, "items");
    const struct ynode *yitems = ynode_find(src, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *it = json_array_get(items, i);
        const struct ynode *y = yitems && i < yitems->n_items ? yitems->items[i] : src;
        size_t saved = decoder_push_key(d, "items");
        decoder_push_index(d, i);
        check_item_path(d, y, it);
        const json_t *fref = json_object_get(it, "fieldRef");
        const json_t *rref = json_object_get(it, "resourceFieldRef");
        if (fref && rref)
            decoder_error(d, y, NULL,
                          "Invalid value: \"resource\": fieldRef and resourceFieldRef can not "
                          "be specified simultaneously");
        else if (!fref && !rref)
            decoder_required(d, y, NULL, "one of fieldRef and resourceFieldRef is required");
        if (fref)
            check_field_ref(d, ynode_find(y, "fieldRef"), fref);
        if (rref)
            check_resource_ref(d, ynode_find(y, "resourceFieldRef"), rref);
        decoder_pop(d, saved);
    }
}

static void check_named(struct decoder *d, const struct ynode *src, const json_t *j,
                        const char *key)
{
    const char *name = json_str(j, key);
    if (!name || !*name)
        decoder_required(d, ynode_find(src, key) ?: src, key, NULL);
    else if (!manifest_is_dns1123_subdomain(name))
        decoder_error(d, ynode_find(src, key), key,
                      "Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of "
                      "lower case alphanumeric characters, '-' or '.', and must start and end "
                      "with an alphanumeric character",
                      name);
}

static void check_projected(struct decoder *d, const struct ynode *src, const json_t *j)
{
    const json_t *sources = json_object_get(j, "sources");
    const struct ynode *ys = ynode_find(src, "sources");
    for (size_t i = 0; i < json_array_size(sources); i++) {
        const json_t *p = json_array_get(sources, i);
        const struct ynode *y = ys && i < ys->n_items ? ys->items[i] : src;
        size_t saved = decoder_push_key(d, "sources");
        decoder_push_index(d, i);
        const char *key;
        json_t *sub;
        size_t n = 0;
        json_object_foreach((json_t *) p, key, sub) {
            size_t s2 = decoder_push_key(d, key);
            if (n++)
                decoder_error(d, ynode_find(y, key), NULL,
                              "Forbidden: may not specify more than 1 volume type per source");
            else if (!strcmp(key, "downwardAPI"))
                check_downward_items(d, ynode_find(y, key), sub);
            else {
                check_named(d, ynode_find(y, key), sub, "name");
                check_key_items(d, ynode_find(y, key), sub);
            }
            decoder_pop(d, s2);
        }
        if (n == 0 && !ynode_find(y, "serviceAccountToken") && !ynode_find(y, "clusterTrustBundle"))
            decoder_required(d, y, NULL,
                             "must specify exactly 1 of: configMap, secret, "
                             "downwardAPI");
        decoder_pop(d, saved);
    }
}

static void check_host_path(struct decoder *d, const struct ynode *src, json_t *j)
{
    const char *path = json_str(j, "path"), *type = json_str(j, "type");
    const struct ynode *at = ynode_find(src, "path");
    if (!path || !*path)
        decoder_required(d, at ?: src, "path", NULL);
    else if (path[0] != '/')
        decoder_error(d, at, "path", "Invalid value: \"%s\": must be an absolute path", path);
    else if (volume_relative_path_error(path + 1))
        decoder_error(d, at, "path", "Invalid value: \"%s\": must not contain '..'", path);
    if (type && (int) host_path_type_from_string(type) < 0)
        decoder_error(d, ynode_find(src, "type"), "type",
                      "Unsupported value: \"%s\": supported values: \"\", \"BlockDevice\", "
                      "\"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", "
                      "\"FileOrCreate\", \"Socket\"",
                      type);
    if (!type)
        json_object_set_new(j, "type", json_string("")); /* Kubernetes' default */
}

static void check_empty_dir(struct decoder *d, const struct ynode *src, const json_t *j)
{
    const char *medium = json_str(j, "medium");
    if (medium && *medium && strcmp(medium, "Memory"))
        decoder_error(d, ynode_find(src, "medium"), "medium",
                      "not supported by orc: \"%s\": supported values: \"\", \"Memory\"", medium);
}

/* Rules of the source's JSON, with defaults filled as the API server fills them. */
static void check_source(struct decoder *d, enum volume_type t, const struct ynode *src, json_t *j)
{
    switch (t) {
    case VOLUME_EMPTY_DIR:
        check_empty_dir(d, src, j);
        break;
    case VOLUME_HOST_PATH:
        check_host_path(d, src, j);
        break;
    case VOLUME_CONFIG_MAP:
    case VOLUME_SECRET:
        check_named(d, src, j, t == VOLUME_SECRET ? "secretName" : "name");
        check_key_items(d, src, j);
        break;
    case VOLUME_DOWNWARD_API:
        check_downward_items(d, src, j);
        break;
    case VOLUME_PROJECTED:
        check_projected(d, src, j);
        break;
    case VOLUME_PVC:
        if (!json_str(j, "claimName") || !*json_str(j, "claimName"))
            decoder_required(d, ynode_find(src, "claimName") ?: src, "claimName", NULL);
        break;
    case _VOLUME_TYPE_MAX:
    case _VOLUME_TYPE_INVALID:
        break;
    }
    if (t == VOLUME_CONFIG_MAP || t == VOLUME_SECRET || t == VOLUME_DOWNWARD_API ||
        t == VOLUME_PROJECTED) {
        if (!json_object_get(j, "defaultMode"))
            json_object_set_new(j, "defaultMode", json_integer(0644));
    }
}

static const char *other_source(const char *key)
{
    for (size_t i = 0; i < sizeof(other_sources) / sizeof(other_sources[0]); i++)
        if (!strcmp(other_sources[i].name, key))
            return other_sources[i].why;
    return NULL;
}

/* One source key of a volume: decoded into v when it is the first. */
static void decode_source(struct decoder *d, const struct ynode *k, const struct ynode *v,
                          struct volume *vol, bool *have_source)
{
    enum volume_type t = volume_type_from_string(k->value);
    const char *why = (int) t < 0 ? other_source(k->value) : NULL;
    size_t saved = decoder_push_key(d, k->value);
    if (*have_source && ((int) t >= 0 || why))
        decoder_error(d, k, NULL, "Forbidden: may not specify more than 1 volume type");
    else if (why)
        decoder_error(d, k, NULL, "not supported by orc: %s", why);
    else if (expect_kind(d, v, YNODE_MAPPING)) {
        json_t *j = json_object();
        decode_fields(d, v, source_fields[t], j);
        check_source(d, t, v, j);
        vol->type = t;
        vol->source = j;
    }
    if ((int) t >= 0 || why)
        *have_source = true;
    decoder_pop(d, saved);
}

static void decode_volume(struct decoder *d, const struct ynode *n, struct volume *vol)
{
    vol->type = _VOLUME_TYPE_INVALID;
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n);
    bool have_source = false;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        if (!strcmp(k->value, "name")) {
            size_t saved = decoder_push_key(d, "name");
            decode_string(d, v, &vol->name);
            decoder_pop(d, saved);
        } else if ((int) volume_type_from_string(k->value) >= 0 || other_source(k->value)) {
            decode_source(d, k, v, vol, &have_source);
        } else {
            decoder_unknown_field(d, k);
        }
    }
    if (!vol->name || !*vol->name)
        decoder_required(d, ynode_find(n, "name") ?: n, "name", NULL);
    else if (!manifest_is_dns1123_label(vol->name))
        decoder_error(d, ynode_find(n, "name"), "name",
                      "Invalid value: \"%s\": a lowercase RFC 1123 label must consist of lower "
                      "case alphanumeric characters or '-', and must start and end with an "
                      "alphanumeric character (63 characters at most)",
                      vol->name);
    if (!have_source)
        decoder_required(d, n, NULL, "must specify a volume type");
    orc_error_t err = NULL;
    if (vol->source && volume_fill_typed(vol, &err) < 0)
        orc_error_release(&err); /* reported above */
}

void decode_volumes(struct decoder *d, const struct ynode *n, struct pod *pod)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return;
    pod->volumes = xcalloc(n->n_items, sizeof(*pod->volumes));
    pod->n_volumes = n->n_items;
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        decode_volume(d, n->items[i], &pod->volumes[i]);
        const char *name = pod->volumes[i].name;
        for (size_t k = 0; name && k < i; k++)
            if (pod->volumes[k].name && !strcmp(pod->volumes[k].name, name)) {
                decoder_error(d, ynode_find(n->items[i], "name"), "name", "Duplicate value: \"%s\"",
                              name);
                break;
            }
        decoder_pop(d, saved);
    }
}
