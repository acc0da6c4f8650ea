/* SPDX-License-Identifier: Apache-2.0 */
/* A container's variables from ConfigMaps and Secrets (envFrom, configMapKeyRef, secretKeyRef),
 * as kubelet's makeEnvironmentVariables reads them: what is missing and not optional stops the
 * container with kubelet's message; keys envFrom cannot use as names are skipped and listed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "env-sources.h"
#include "objects.h"
#include "strv.h"
#include "xalloc.h"

static const char *kind_of(bool secret)
{
    return secret ? "Secret" : "ConfigMap";
}

static void add_ref(json_t *refs, bool secret, const json_t *ref)
{
    const char *name = json_string_value(json_object_get(ref, "name"));
    if (!name)
        return;
    json_t *names = json_object_get(refs, kind_of(secret));
    if (!names) {
        names = json_object();
        json_object_set_new(refs, kind_of(secret), names);
    }
    json_object_set_new(names, name, json_null());
}

json_t *expand_container_refs(const struct container *c)
{
    json_t *refs = json_object();
    size_t i;
    json_t *item;
    json_array_foreach(c->env_from, i, item) {
        add_ref(refs, false, json_object_get(item, "configMapRef"));
        add_ref(refs, true, json_object_get(item, "secretRef"));
    }
    for (size_t k = 0; k < c->n_env; k++) {
        add_ref(refs, false, json_object_get(c->env[k].value_from, "configMapKeyRef"));
        add_ref(refs, true, json_object_get(c->env[k].value_from, "secretKeyRef"));
    }
    return refs;
}

static const json_t *find_object(const struct expand_facts *f, bool secret, const char *name)
{
    const json_t *o = json_object_get(json_object_get(f->objects, kind_of(secret)), name);
    return json_is_object(o) ? o : NULL;
}

/* kubelet's error for an object that does not exist (the API's NotFound of its resource) */
static int not_found(bool secret, const char *name, orc_error_t *err)
{
    return orc_error_make_as(err, ENOENT, "%s \"%s\" not found", secret ? "secret" : "configmap",
                             name);
}

/* The value of key in the object's data (a Secret's decoded); NULL when it has no such key. */
static int data_value(const json_t *obj, bool secret, const char *ns, const char *key, char **ret,
                      orc_error_t *err)
{
    if (!secret) {
        const char *v = json_string_value(json_object_get(json_object_get(obj, "data"), key));
        *ret = v ? xstrdup(v) : NULL;
        return 0;
    }
    size_t len = 0;
    int r = secret_data_decode(obj, key, ret, &len, err);
    if (r == -ENOENT) {
        orc_error_release(err);
        *ret = NULL;
        return 0;
    }
    if (r < 0)
        return -1;
    if (strlen(*ret) != len) {
        *ret = (free(*ret), NULL);
        return orc_error_make_as(
            err, EINVAL,
            "couldn't use key %s in Secret %s/%s: its value holds a NUL "
            "byte, which no environment variable can carry",
            key, ns, json_string_value(json_object_get(json_object_get(obj, "metadata"), "name")));
    }
    return 0;
}

int env_source_key(const struct expand_facts *f, const char *ns, const json_t *value_from,
                   char **ret, orc_error_t *err)
{
    const json_t *ref = json_object_get(value_from, "secretKeyRef");
    bool secret = ref != NULL;
    if (!ref)
        ref = json_object_get(value_from, "configMapKeyRef");
    const char *name = json_string_value(json_object_get(ref, "name"));
    const char *key = json_string_value(json_object_get(ref, "key"));
    bool optional = json_is_true(json_object_get(ref, "optional"));
    const json_t *obj = name ? find_object(f, secret, name) : NULL;
    *ret = NULL;
    if (!obj)
        return optional ? 0 : not_found(secret, name ? name : "", err);
    if (data_value(obj, secret, ns, key ? key : "", ret, err) < 0)
        return -1;
    if (!*ret && !optional)
        return orc_error_make_as(err, ENOENT, "couldn't find key %s in %s %s/%s", key ? key : "",
                                 kind_of(secret), ns, name);
    return 0;
}

/* kubelet's InvalidEnvironmentVariableNames message: the skipped names sorted */
static char *skipped_message(char **names, bool secret, const char *ns, const char *name)
{
    strv_sort(names);
    _cleanup_free_ char *list = strv_join(names, ", ");
    return xasprintf("Keys [%s] from the EnvFrom %s %s/%s were skipped since they are "
                     "considered invalid environment variable names.",
                     list, secret ? "secret" : "configMap", ns, name);
}

int env_source_all(const struct expand_facts *f, const char *ns, const json_t *item,
                   struct expand_env *env, size_t *total, orc_error_t *err)
{
    const json_t *ref = json_object_get(item, "secretRef");
    bool secret = ref != NULL;
    if (!ref)
        ref = json_object_get(item, "configMapRef");
    const char *name = json_string_value(json_object_get(ref, "name"));
    const char *prefix = json_string_value(json_object_get(item, "prefix"));
    const json_t *obj = name ? find_object(f, secret, name) : NULL;
    if (!obj)
        return json_is_true(json_object_get(ref, "optional"))
                   ? 0
                   : not_found(secret, name ? name : "", err);
    _cleanup_(strv_freep) char **skipped = NULL;
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(obj, "data"), key, v) {
        _cleanup_free_ char *var = xasprintf("%s%s", prefix ? prefix : "", key);
        _cleanup_free_ char *value = NULL;
        if (!manifest_is_env_var_name(var)) {
            skipped = strv_push(skipped, var);
            continue;
        }
        if (data_value(obj, secret, ns, key, &value, err) < 0)
            return -1;
        if (strlen(value) > EXPAND_MAX_STRING || strlen(value) > EXPAND_MAX_TOTAL - *total)
            return orc_error_make_as(err, E2BIG,
                                     "envFrom %s %s: key %s is longer than %u bytes, or all "
                                     "values together than %u: Linux would not start the program",
                                     kind_of(secret), name, key, EXPAND_MAX_STRING,
                                     EXPAND_MAX_TOTAL);
        *total += strlen(value);
        expand_env_set(env, var, value);
    }
    if (skipped) {
        _cleanup_free_ char *msg = skipped_message(skipped, secret, ns, name);
        env->skipped = strv_push(env->skipped, msg);
    }
    return 0;
}
