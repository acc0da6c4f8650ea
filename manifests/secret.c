/* SPDX-License-Identifier: Apache-2.0 */
/* Secret documents: YAML tree -> normalised JSON (stringData folded into data, type filled),
 * with Kubernetes' validation rules, and the decoding of a stored Secret's values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "decode.h"
#include "objects.h"
#include "xalloc.h"

/* The keys each built-in type requires (one of them, for basic-auth), as Kubernetes
 * validates them; a JSON key's value must parse. */
static const struct secret_type {
    const char *type;
    const char *keys[3];
    bool any; /* one of the keys is enough */
    bool json;
} secret_types[] = {
    {"kubernetes.io/dockercfg", {".dockercfg"}, false, true},
    {"kubernetes.io/dockerconfigjson", {".dockerconfigjson"}, false, true},
    {"kubernetes.io/basic-auth", {"username", "password"}, true, false},
    {"kubernetes.io/ssh-auth", {"ssh-privatekey"}, false, false},
    {"kubernetes.io/tls", {"tls.crt", "tls.key"}, false, false},
};

static void data_error(struct decoder *d, const struct ynode *at, const char *key, const char *msg)
{
    size_t saved = decoder_push_key(d, "data");
    decoder_push_subscript(d, key);
    decoder_error(d, at, NULL, "%s", msg);
    decoder_pop(d, saved);
}

static void check_json_value(struct decoder *d, const struct ynode *at, const json_t *secret,
                             const char *key)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    orc_error_t err = NULL;
    if (secret_data_decode(secret, key, &text, &len, &err) < 0) {
        orc_error_release(&err);
        return;
    }
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
    if (j) {
        json_decref(j);
        return;
    }
    _cleanup_free_ char *msg =
        xasprintf("Invalid value: \"<secret contents redacted>\": %s", jerr.text);
    data_error(d, at, key, msg);
}

/* What the secret's type requires of its data. */
static void check_type(struct decoder *d, const struct ynode *at, const json_t *secret)
{
    const char *type = json_string_value(json_object_get(secret, "type"));
    const json_t *data = json_object_get(secret, "data");
    if (!strcmp(type, "kubernetes.io/service-account-token")) {
        decoder_error(d, at, "type",
                      "Unsupported value: \"%s\": orc issues no service account tokens (it "
                      "runs no token controller); keep a token in a Secret of type Opaque",
                      type);
        return;
    }
    for (size_t i = 0; i < ELEMENTSOF(secret_types); i++) {
        const struct secret_type *t = &secret_types[i];
        if (strcmp(type, t->type))
            continue;
        bool found = false;
        for (size_t k = 0; k < 3 && t->keys[k]; k++)
            found = found || json_object_get(data, t->keys[k]);
        for (size_t k = 0; k < 3 && t->keys[k]; k++) {
            if (json_object_get(data, t->keys[k]))
                continue;
            if (!t->any || !found)
                data_error(d, at, t->keys[k], "Required value");
        }
        if (t->json && json_object_get(data, t->keys[0]))
            check_json_value(d, at, secret, t->keys[0]);
    }
}

/* The size of data as stored: each value's decoded length. */
static size_t data_size(const json_t *data)
{
    size_t total = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) data, key, v) {
        size_t len = json_string_length(v);
        const char *s = json_string_value(v);
        total += len / 4 * 3 - (len && s[len - 1] == '=') - (len > 1 && s[len - 2] == '=');
    }
    return total;
}

/* stringData's values are data's, base64-encoded; they win over data's of the same key. */
static void fold_string_data(json_t *data, const json_t *string_data)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) string_data, key, v) {
        _cleanup_free_ char *b64 =
            manifest_base64_encode(json_string_value(v), json_string_length(v));
        json_object_set_new(data, key, json_string(b64));
    }
}

struct secret_fields {
    json_t *obj, *data, *string_data;
    const struct ynode *at; /* where a size error points: data, else the document */
};

/* One of the secret's own fields; false for a field it does not have. */
static bool decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v, void *ctx)
{
    struct secret_fields *f = ctx;
    json_t *obj = f->obj;
    size_t size = 0;
    bool immutable = false;
    _cleanup_free_ char *type = NULL;
    if (!strcmp(k->value, "data")) {
        decode_config_map_of(d, v, true, &f->data, &size);
        f->at = v;
    } else if (!strcmp(k->value, "stringData")) {
        decode_config_map_of(d, v, false, &f->string_data, &size);
    } else if (!strcmp(k->value, "type")) {
        if (decode_string(d, v, &type) && *type)
            json_object_set_new(obj, "type", json_string(type));
    } else if (!strcmp(k->value, "immutable")) {
        if (decode_bool(d, v, &immutable))
            json_object_set_new(obj, "immutable", json_boolean(immutable));
    } else {
        return !strcmp(k->value, "apiVersion") || !strcmp(k->value, "kind") ||
               !strcmp(k->value, "metadata");
    }
    return true;
}

json_t *decode_secret(struct decoder *d, const struct ynode *root)
{
    struct secret_fields f = {
        .obj = json_pack("{s:s,s:s,s:{}}", "apiVersion", "v1", "kind", "Secret", "metadata"),
        .at = root,
    };
    (void) decoder_each_field(d, root, decode_field, &f);
    json_t *obj = f.obj, *data = f.data, *string_data = f.string_data;
    const struct ynode *at = f.at;
    decode_object_meta(d, root, json_object_get(obj, "metadata"));
    if (!json_object_get(obj, "type"))
        json_object_set_new(obj, "type", json_string("Opaque"));
    if (!data)
        data = json_object();
    fold_string_data(data, string_data);
    json_decref(string_data);
    if (data_size(data) > OBJECT_DATA_MAX_BYTES)
        decoder_error(d, at, "data", "Too long: must have at most %d bytes", OBJECT_DATA_MAX_BYTES);
    if (json_object_size(data))
        json_object_set(obj, "data", data);
    json_decref(data);
    check_type(d, ynode_find(root, "type") ?: at, obj);
    return obj;
}

int secret_data_decode(const json_t *secret, const char *key, char **ret, size_t *ret_len,
                       orc_error_t *err)
{
    const json_t *meta = json_object_get(secret, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    const char *text = json_string_value(json_object_get(json_object_get(secret, "data"), key));
    if (!text)
        return orc_error_make_as(err, ENOENT, "secret \"%s\" has no key \"%s\"", name ? name : "",
                                 key);
    size_t bad = 0;
    if (manifest_base64_decode(text, strlen(text), ret, ret_len, &bad) < 0)
        return orc_error_make_as(err, EINVAL,
                                 "secret \"%s\": data[%s]: illegal base64 data at input byte %zu",
                                 name ? name : "", key, bad);
    return 0;
}
