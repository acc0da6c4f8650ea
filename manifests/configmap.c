/* SPDX-License-Identifier: Apache-2.0 */
/* ConfigMap documents: YAML tree -> normalised JSON, with Kubernetes' validation rules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "decode.h"
#include "objects.h"
#include "xalloc.h"

/* A key in both maps: refused at the data's key, as Kubernetes does. */
static void check_overlap(struct decoder *d, const struct ynode *data_node, const json_t *data,
                          const json_t *binary)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) data, key, v) {
        if (!json_object_get(binary, key))
            continue;
        size_t saved = decoder_push_key(d, "data");
        decoder_push_subscript(d, key);
        decoder_error(d, ynode_find(data_node, key), NULL,
                      "Invalid value: \"%s\": duplicate of key present in binaryData", key);
        decoder_pop(d, saved);
    }
}

struct configmap_fields {
    json_t *obj, *data, *binary;
    const struct ynode *data_node;
    size_t size; /* of data and binaryData together */
};

static bool decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v, void *ctx)
{
    struct configmap_fields *f = ctx;
    bool immutable = false;
    if (!strcmp(k->value, "data")) {
        decode_config_map_of(d, v, false, &f->data, &f->size);
        f->data_node = v;
    } else if (!strcmp(k->value, "binaryData")) {
        decode_config_map_of(d, v, true, &f->binary, &f->size);
    } else if (!strcmp(k->value, "immutable")) {
        if (decode_bool(d, v, &immutable))
            json_object_set_new(f->obj, "immutable", json_boolean(immutable));
    } else {
        return !strcmp(k->value, "apiVersion") || !strcmp(k->value, "kind") ||
               !strcmp(k->value, "metadata");
    }
    return true;
}

json_t *decode_configmap(struct decoder *d, const struct ynode *root)
{
    struct configmap_fields f = {
        .obj = json_pack("{s:s,s:s,s:{}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata"),
    };
    (void) decoder_each_field(d, root, decode_field, &f);
    json_t *obj = f.obj, *data = f.data, *binary = f.binary;
    const struct ynode *data_node = f.data_node, *at = data_node ? data_node : root;
    size_t size = f.size;
    decode_object_meta(d, root, json_object_get(obj, "metadata"));
    check_overlap(d, data_node, data, binary);
    if (size > OBJECT_DATA_MAX_BYTES)
        decoder_error(d, at, "data", "Too long: must have at most %d bytes", OBJECT_DATA_MAX_BYTES);
    if (json_object_size(data))
        json_object_set(obj, "data", data);
    if (json_object_size(binary))
        json_object_set(obj, "binaryData", binary);
    json_decref(data);
    json_decref(binary);
    return obj;
}

int configmap_value(const json_t *configmap, const char *key, char **ret, size_t *ret_len,
                    orc_error_t *err)
{
    const json_t *meta = json_object_get(configmap, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    const char *text = json_string_value(json_object_get(json_object_get(configmap, "data"), key));
    if (text) {
        *ret = xstrdup(text);
        if (ret_len)
            *ret_len = strlen(text);
        return 0;
    }
    text = json_string_value(json_object_get(json_object_get(configmap, "binaryData"), key));
    if (!text)
        return orc_error_make_as(err, ENOENT, "configmap \"%s\" has no key \"%s\"",
                                 name ? name : "", key);
    size_t bad = 0;
    if (manifest_base64_decode(text, strlen(text), ret, ret_len, &bad) < 0)
        return orc_error_make_as(err, EINVAL,
                                 "configmap \"%s\": binaryData[%s]: illegal base64 data at input "
                                 "byte %zu",
                                 name ? name : "", key, bad);
    return 0;
}
