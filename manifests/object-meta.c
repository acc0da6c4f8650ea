/* SPDX-License-Identifier: Apache-2.0 */
/* What documents of every stored kind share: their metadata and their maps of config keys. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "decode.h"
#include "objects.h"
#include "strv.h"
#include "xalloc.h"

/* Fields of metadata the server owns: taken from the stored object, never from a document. */
const char *const object_meta_server_fields[] = {"uid",
                                                 "resourceVersion",
                                                 "generation",
                                                 "creationTimestamp",
                                                 "deletionTimestamp",
                                                 "deletionGracePeriodSeconds",
                                                 "managedFields",
                                                 "selfLink",
                                                 "ownerReferences",
                                                 "finalizers",
                                                 "generateName",
                                                 NULL};

const struct ynode *ynode_find(const struct ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAPPING)
        return NULL;
    for (size_t i = 0; i < ynode_pairs(map); i++)
        if (ynode_key(map, i)->kind == YNODE_SCALAR && !strcmp(ynode_key(map, i)->value, key))
            return ynode_val(map, i);
    return NULL;
}

const char *manifest_config_key_error(const char *key)
{
    size_t n = strlen(key);
    if (n > OBJECT_CONFIG_KEY_MAX)
        return "must be no more than 253 characters";
    if (!strcmp(key, "."))
        return "must not be '.'";
    if (!strcmp(key, ".."))
        return "must not be '..'";
    if (!strncmp(key, "..", 2)) /* the atomic writer's own names (..data) */
        return "must not start with '..'";
    if (n == 0 ||
        strspn(key, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n)
        return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
               "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
               "'[-._a-zA-Z0-9]+')";
    return NULL;
}

static bool decode_meta_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                              void *ctx)
{
    json_t *meta = ctx;
    if (!strcmp(k->value, "name") || !strcmp(k->value, "namespace")) {
        _cleanup_free_ char *text = NULL;
        if (decode_string(d, v, &text))
            json_object_set_new(meta, k->value, json_string(text));
    } else if (!strcmp(k->value, "labels") || !strcmp(k->value, "annotations")) {
        json_auto_t *map = json_object();
        if (decode_string_map(d, v, &map) && json_object_size(map))
            json_object_set(meta, k->value, map);
    } else
        return strv_contains((char *const *) object_meta_server_fields, k->value);
    return true;
}

static void decode_meta_fields(struct decoder *d, const struct ynode *n, json_t *meta)
{
    (void) decoder_each_field(d, n, decode_meta_field, meta);
}

/* Labels' and annotations' keys and values, as for pods. */
static void validate_meta_map(struct decoder *d, const struct ynode *node, const json_t *map,
                              bool labels)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *) map, key, val) {
        const struct ynode *at = ynode_find(node, key);
        const char *v = json_string_value(val);
        size_t n = strlen(v);
        if (!pod_qualified_key_ok(key))
            decoder_error(d, at, key,
                          "name part must consist of alphanumeric characters, '-', '_' or '.', "
                          "and must start and end with an alphanumeric character (63 characters "
                          "at most)");
        else if (labels && n && (n > 63 || !manifest_is_label_name(v, n)))
            decoder_error(d, at, key,
                          "a valid label value must be 63 characters or less and must be empty "
                          "or begin and end with an alphanumeric character, with '-', '_', '.' "
                          "between");
    }
}

void decode_object_meta(struct decoder *d, const struct ynode *root, json_t *meta)
{
    const struct ynode *m = ynode_find(root, "metadata");
    size_t saved = decoder_push_key(d, "metadata");
    if (m && !ynode_is_null(m))
        decode_meta_fields(d, m, meta);
    const char *name = json_string_value(json_object_get(meta, "name"));
    const char *ns = json_string_value(json_object_get(meta, "namespace"));
    if (!name || !*name)
        decoder_required(d, m ? m : root, "name", "name or generateName is required");
    else if (!manifest_is_dns1123_subdomain(name))
        decoder_error(d, ynode_find(m, "name"), "name",
                      "Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of "
                      "lower case alphanumeric characters, '-' or '.', and must start and end "
                      "with an alphanumeric character",
                      name);
    const struct ynode *kind = ynode_find(root, "kind");
    bool namespaced = !kind || kind->kind != YNODE_SCALAR || manifest_kind_namespaced(kind->value);
    if (!ns || !*ns)
        json_object_set_new(meta, "namespace", json_string(decoder_default_namespace(d)));
    else if (!manifest_is_dns1123_label(ns))
        decoder_error(d, ynode_find(m, "namespace"), "namespace",
                      "Invalid value: \"%s\": a lowercase RFC 1123 label must consist of lower "
                      "case alphanumeric characters or '-'",
                      ns);
    else if (namespaced)
        (void) decoder_namespace_matches(d, ynode_find(m, "namespace"), ns);
    const char *maps[] = {"labels", "annotations"};
    for (size_t i = 0; i < 2; i++) {
        size_t s = decoder_push_key(d, maps[i]);
        validate_meta_map(d, ynode_find(m, maps[i]), json_object_get(meta, maps[i]), i == 0);
        decoder_pop(d, s);
    }
    decoder_pop(d, saved);
}

/* One value of a map of config keys: a string; base64 checked, its decoded size counted. */
static void decode_config_value(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                bool base64, json_t *map, size_t *size)
{
    _cleanup_free_ char *text = NULL;
    if (ynode_is_null(v)) {
        json_object_set_new(map, k->value, json_string(""));
        return;
    }
    if (!decode_string(d, v, &text))
        return;
    size_t len = strlen(text), bad = 0, dlen = len;
    _cleanup_free_ char *decoded = NULL;
    if (base64 && manifest_base64_decode(text, len, &decoded, &dlen, &bad) < 0) {
        decoder_error(d, v, NULL, "Invalid value: illegal base64 data at input byte %zu", bad);
        return;
    }
    *size += dlen;
    if (!base64) {
        json_object_set_new(map, k->value, json_string(text));
        return;
    }
    /* as the API server stores it: decoded, and encoded again when shown */
    _cleanup_free_ char *again = manifest_base64_encode(decoded, dlen);
    json_object_set_new(map, k->value, json_string(again));
}

void decode_config_map_of(struct decoder *d, const struct ynode *n, bool base64, json_t **ret,
                          size_t *size)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n);
    if (!*ret)
        *ret = json_object();
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (k->kind != YNODE_SCALAR || ynode_key_repeats(n, i))
            continue;
        size_t saved = decoder_push_subscript(d, k->value);
        const char *why = manifest_config_key_error(k->value);
        if (why)
            decoder_error(d, k, NULL, "Invalid value: \"%s\": %s", k->value, why);
        else
            decode_config_value(d, k, v, base64, *ret, size);
        decoder_pop(d, saved);
    }
}
