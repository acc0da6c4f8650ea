/* SPDX-License-Identifier: Apache-2.0 */
/* env[].valueFrom and envFrom: Kubernetes' validation, and what orc can give a container:
 * the downward API's fields (fieldRef), a resource's value (resourceFieldRef: cpu, memory and
 * ephemeral-storage), keys of ConfigMaps and Secrets (configMapKeyRef, secretKeyRef, envFrom;
 * looked up when the container starts, expand.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "decode.h"
#include "expand.h"
#include "quantity.h"
#include "strv.h"
#include "xalloc.h"

/* The fields env may name (Kubernetes' validEnvDownwardAPIFieldPathExpressions), and the
 * ones a fieldPath may name elsewhere (downward API volumes), not in env */
static const char *const env_fields[] = {"metadata.name",
                                         "metadata.namespace",
                                         "metadata.uid",
                                         "spec.nodeName",
                                         "spec.serviceAccountName",
                                         "status.hostIP",
                                         "status.hostIPs",
                                         "status.podIP",
                                         "status.podIPs",
                                         NULL};
static const char *const other_fields[] = {"metadata.annotations",
                                           "metadata.labels",
                                           "spec.restartPolicy",
                                           "spec.schedulerName",
                                           "status.phase",
                                           "spec.terminationGracePeriodSeconds",
                                           NULL};

/* Kubernetes' messages for a fieldPath env cannot use, at the fieldPath's node */
static void check_field_path(struct decoder *d, const struct ynode *at, const char *path)
{
    _cleanup_free_ char *base = NULL, *key = NULL;
    if (expand_split_subscript(path, &base, &key)) {
        bool annotation = !strcmp(base, "metadata.annotations");
        if (!annotation && strcmp(base, "metadata.labels")) {
            decoder_error(d, at, "fieldPath",
                          "Invalid value: \"%s\": error converting fieldPath: field label does "
                          "not support subscript: %s",
                          path, path);
            return;
        }
        for (char *c = key; annotation && *c; c++) /* annotation keys are checked lowercased */
            *c = (char) tolower((unsigned char) *c);
        if (!pod_qualified_key_ok(key))
            decoder_error(d, at, NULL,
                          "Invalid value: \"%s\": name part must consist of alphanumeric "
                          "characters, '-', '_' or '.', and must start and end with an "
                          "alphanumeric character (63 characters at most)",
                          key);
        return;
    }
    if (strv_contains((char *const *) env_fields, path) ||
        !strcmp(path, "spec.host")) /* the old spec.nodeName */
        return;
    if (!strv_contains((char *const *) other_fields, path)) {
        decoder_error(d, at, "fieldPath",
                      "Invalid value: \"%s\": error converting fieldPath: field label not "
                      "supported: %s",
                      path, path);
        return;
    }
    char list[512] = "";
    for (size_t i = 0; env_fields[i]; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"", i ? ", " : "",
                 env_fields[i]);
    decoder_error(d, at, "fieldPath", "Unsupported value: \"%s\": supported values: %s", path,
                  list);
}

static void decode_field_ref(struct decoder *d, const struct ynode *n, json_t *ret)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n);
    _cleanup_free_ char *api = NULL, *path = NULL;
    const struct ynode *path_node = n;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        if (strcmp(k->value, "apiVersion") && strcmp(k->value, "fieldPath")) {
            decoder_unknown_field(d, k);
            continue;
        }
        size_t saved = decoder_push_key(d, k->value);
        if (!strcmp(k->value, "apiVersion"))
            decode_string(d, v, &api);
        else if (decode_string(d, v, &path))
            path_node = v;
        decoder_pop(d, saved);
    }
    if (api && !*api) /* defaulted, as Kubernetes does */
        api = (free(api), NULL);
    if (!path || !*path)
        decoder_required(d, path_node, "fieldPath", NULL);
    else if (api && strcmp(api, "v1"))
        decoder_error(d, path_node, "fieldPath",
                      "Invalid value: \"%s\": error converting fieldPath: unsupported pod "
                      "version: %s",
                      path, api);
    else
        check_field_path(d, path_node, path);
    json_object_set_new(ret, "fieldRef",
                        json_pack("{s:s,s:s}", "apiVersion", "v1", "fieldPath", path ? path : ""));
}

/* Kubernetes' divisors: 1m and 1 for cpu; 1, 1k..1E and 1Ki..1Ei for memory and
 * ephemeral-storage (thousandths) */
static bool divisor_ok(bool cpu, int64_t milli)
{
    if (cpu)
        return milli == 1 || milli == 1000;
    /* 1 to 1P and 1Pi; 1E and 1Ei are past what thousandths of a unit hold */
    int64_t dec = 1000, bin = 1000;
    for (int i = 0; i < 6; i++) {
        if (milli == dec || milli == bin)
            return true;
        if (i < 5)
            dec *= 1000, bin *= 1024;
    }
    return false;
}

/* resourceFieldRef: {containerName, resource, divisor}, stored with the divisor as written */
static void decode_resource_field_ref(struct decoder *d, const struct ynode *n, json_t *ret)
{
    static const char *const served[] = {"limits.cpu",
                                         "limits.ephemeral-storage",
                                         "limits.memory",
                                         "requests.cpu",
                                         "requests.ephemeral-storage",
                                         "requests.memory",
                                         NULL};
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n);
    _cleanup_free_ char *container = NULL, *resource = NULL, *divisor = NULL;
    const struct ynode *resource_node = n, *divisor_node = n;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        bool is_divisor = !strcmp(k->value, "divisor");
        if (strcmp(k->value, "containerName") && strcmp(k->value, "resource") && !is_divisor) {
            decoder_unknown_field(d, k);
            continue;
        }
        size_t saved = decoder_push_key(d, k->value);
        if (!strcmp(k->value, "containerName"))
            decode_string(d, v, &container);
        else if (!is_divisor && decode_string(d, v, &resource))
            resource_node = v;
        else if (is_divisor && v->kind == YNODE_SCALAR) /* a quantity: 1, "1m", 1Mi */
            divisor = xstrdup(v->value), divisor_node = v;
        else if (is_divisor)
            decoder_error(d, v, NULL, "expected a quantity");
        decoder_pop(d, saved);
    }
    if (!resource || !*resource) {
        decoder_required(d, resource_node, "resource", NULL);
        return;
    }
    if (!strncmp(resource, "limits.hugepages-", 17) ||
        !strncmp(resource, "requests.hugepages-", 19)) {
        decoder_error(d, resource_node, "resource",
                      "Invalid value: \"%s\": not supported yet by orc (only cpu, memory and "
                      "ephemeral-storage): refused rather than run the container with this "
                      "variable empty",
                      resource);
        return;
    }
    if (!strv_contains((char *const *) served, resource)) {
        decoder_error(d, resource_node, "resource",
                      "Unsupported value: \"%s\": supported values: \"limits.cpu\", "
                      "\"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", "
                      "\"requests.ephemeral-storage\", \"requests.memory\"",
                      resource);
        return;
    }
    bool cpu = strstr(resource, ".cpu") != NULL;
    int64_t milli = 1000;
    if (divisor && (quantity_parse_milli(divisor, &milli) < 0 || !divisor_ok(cpu, milli))) {
        decoder_error(d, divisor_node, "divisor",
                      cpu ? "Invalid value: \"%s\": only divisor's values 1m and 1 are supported "
                            "with the cpu resource"
                      : strstr(resource, ".memory")
                          ? "Invalid value: \"%s\": only divisor's values 1, 1k, 1M, 1G, 1T, "
                            "1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the "
                            "memory resource"
                          : "Invalid value: \"%s\": only divisor's values 1, 1k, 1M, 1G, 1T, "
                            "1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local "
                            "ephemeral storage resource",
                      divisor);
        return;
    }
    json_t *ref = json_pack("{s:s,s:s}", "resource", resource, "divisor", divisor ? divisor : "1");
    if (container && *container)
        json_object_set_new(ref, "containerName", json_string(container));
    json_object_set_new(ret, "resourceFieldRef", ref);
}

#define SUBDOMAIN_RULE                                                                             \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "   \
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "  \
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define CONFIG_KEY_RULE                                                                            \
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "           \
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"

/* A ConfigMap's or Secret's name, as ValidateConfigMapName and ValidateSecretName check it */
static void check_object_name(struct decoder *d, const struct ynode *at, const char *name)
{
    if (strlen(name) > 253)
        decoder_error(d, at, "name", "Invalid value: \"%s\": must be no more than 253 characters",
                      name);
    else if (!manifest_is_dns1123_subdomain(name))
        decoder_error(d, at, "name", "Invalid value: \"%s\": " SUBDOMAIN_RULE, name);
}

/* A key of a ConfigMap or Secret, as IsConfigMapKey checks it (each rule broken, one error) */
static void check_config_key(struct decoder *d, const struct ynode *at, const char *key)
{
    if (strlen(key) > 253)
        decoder_error(d, at, "key", "Invalid value: \"%s\": must be no more than 253 characters",
                      key);
    if (strspn(key, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") !=
        strlen(key))
        decoder_error(d, at, "key", "Invalid value: \"%s\": " CONFIG_KEY_RULE, key);
    if (!strcmp(key, ".") || !strcmp(key, ".."))
        decoder_error(d, at, "key", "Invalid value: \"%s\": must not be '%s'", key, key);
    else if (!strncmp(key, "..", 2))
        decoder_error(d, at, "key", "Invalid value: \"%s\": must not start with '..'", key);
}

/* configMapKeyRef, secretKeyRef ({name, key, optional}) and envFrom's configMapRef, secretRef
 * ({name, optional}), validated as the API server does; returned as stored (optional only
 * when written). */
static json_t *decode_object_ref(struct decoder *d, const struct ynode *n, bool with_key)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return NULL;
    (void) decoder_check_keys(d, n);
    _cleanup_free_ char *name = NULL, *key = NULL;
    const struct ynode *name_node = n, *key_node = n, *optional_node = NULL;
    bool optional = false;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *kk = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, kk->value);
        if (!strcmp(kk->value, "name") && decode_string(d, v, &name))
            name_node = v;
        else if (with_key && !strcmp(kk->value, "key") && decode_string(d, v, &key))
            key_node = v;
        else if (!strcmp(kk->value, "optional") && decode_bool(d, v, &optional))
            optional_node = v;
        else if (strcmp(kk->value, "name") && strcmp(kk->value, "optional") &&
                 (!with_key || strcmp(kk->value, "key"))) {
            decoder_pop(d, saved);
            decoder_unknown_field(d, kk);
            continue;
        }
        decoder_pop(d, saved);
    }
    if (!name || !*name)
        decoder_required(d, name_node, "name", NULL);
    else
        check_object_name(d, name_node, name);
    if (with_key && (!key || !*key))
        decoder_required(d, key_node, "key", NULL);
    else if (with_key)
        check_config_key(d, key_node, key);
    json_t *ref = json_pack("{s:s}", "name", name ? name : "");
    if (with_key)
        json_object_set_new(ref, "key", json_string(key ? key : ""));
    if (optional_node)
        json_object_set_new(ref, "optional", json_boolean(optional));
    return ref;
}

int decode_value_from(struct decoder *d, const struct ynode *n, json_t **ret)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return 0;
    (void) decoder_check_keys(d, n);
    json_t *vf = json_object();
    int sources = 0;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        bool secret = !strcmp(k->value, "secretKeyRef");
        if (!strcmp(k->value, "fieldRef")) {
            decode_field_ref(d, v, vf);
        } else if (secret || !strcmp(k->value, "configMapKeyRef")) {
            json_t *ref = decode_object_ref(d, v, true);
            if (ref)
                json_object_set_new(vf, k->value, ref);
        } else if (!strcmp(k->value, "resourceFieldRef")) {
            decode_resource_field_ref(d, v, vf);
        } else {
            decoder_pop(d, saved);
            decoder_unknown_field(d, k);
            continue;
        }
        sources++;
        decoder_pop(d, saved);
    }
    json_decref(*ret);
    *ret = json_object_size(vf) ? vf : (json_decref(vf), NULL);
    return sources;
}

#define ENV_NAME_RULE                                                                              \
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "  \
    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "         \
    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"

/* One envFrom[] item: {prefix, configMapRef | secretRef}, as ValidateEnvFrom checks it */
static json_t *decode_env_from_item(struct decoder *d, const struct ynode *n, int *ret_sources)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return NULL;
    (void) decoder_check_keys(d, n);
    json_t *item = json_object();
    int sources = 0;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        _cleanup_free_ char *prefix = NULL;
        bool ref = !strcmp(k->value, "secretRef") || !strcmp(k->value, "configMapRef");
        if (!strcmp(k->value, "prefix") && decode_string(d, v, &prefix)) {
            if (*prefix && !manifest_is_env_var_name(prefix))
                decoder_error(d, v, NULL, "Invalid value: \"%s\": " ENV_NAME_RULE, prefix);
            if (*prefix)
                json_object_set_new(item, "prefix", json_string(prefix));
        } else if (ref) {
            json_t *r = decode_object_ref(d, v, false);
            if (r)
                json_object_set_new(item, k->value, r);
            sources++;
        } else if (strcmp(k->value, "prefix")) {
            decoder_pop(d, saved);
            decoder_unknown_field(d, k);
            continue;
        }
        decoder_pop(d, saved);
    }
    *ret_sources = sources;
    return item;
}

void decode_env_from(struct decoder *d, const struct ynode *n, json_t **ret)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return;
    json_t *list = json_array();
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        int sources = 1;
        json_t *item = decode_env_from_item(d, n->items[i], &sources);
        if (item)
            json_array_append_new(list, item);
        decoder_pop(d, saved);
        if (sources == 0) /* Kubernetes reports these at envFrom itself */
            decoder_error(d, n->items[i], NULL,
                          "Invalid value: \"\": must specify one of: `configMapRef` or "
                          "`secretRef`");
        else if (sources > 1)
            decoder_error(d, n->items[i], NULL,
                          "Invalid value: \"\": may not have more than one field specified at "
                          "a time");
    }
    json_decref(*ret);
    *ret = list;
}
