/* SPDX-License-Identifier: Apache-2.0 */
/* A container's variables from ConfigMaps and Secrets (envFrom, configMapKeyRef, secretKeyRef),
 * as kubelet's makeEnvironmentVariables reads them: what is missing and not optional stops the
 * container with kubelet's message; keys envFrom cannot use as names are skipped and listed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "env-sources.h"
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

static int sextet(unsigned char c)
{
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

/* Standard base64 (padded) as a Secret's data holds it; NULL when it is not, or when the
 * bytes hold a NUL, which no variable can carry. */
static char *base64_text(const char *s)
{
    size_t n = strlen(s);
    if (n % 4)
        return NULL;
    char *out = xmalloc(n / 4 * 3 + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = s[i + k] == '=' && i + 4 == n && k >= 2 ? 0 : sextet((unsigned char) s[i + k]);
        bool pad2 = s[i + 2] == '=' && i + 4 == n, pad3 = s[i + 3] == '=' && i + 4 == n;
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 || (pad2 && !pad3)) {
            free(out);
            return NULL;
        }
        unsigned bits = (unsigned) (v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
        out[len++] = (char) (bits >> 16);
        if (!pad2)
            out[len++] = (char) (bits >> 8 & 0xff);
        if (!pad3)
            out[len++] = (char) (bits & 0xff);
    }
    out[len] = '\0';
    if (strlen(out) != len) {
        free(out);
        return NULL;
    }
    return out;
}

/* The value of key in the object's data (a Secret's decoded); NULL when it has no such key. */
static int data_value(const json_t *obj, bool secret, const char *ns, const char *key, char **ret,
                      orc_error_t *err)
{
    const char *v = json_string_value(json_object_get(json_object_get(obj, "data"), key));
    if (!v) {
        *ret = NULL;
        return 0;
    }
    if (!secret) {
        *ret = xstrdup(v);
        return 0;
    }
    *ret = base64_text(v);
    if (!*ret)
        return orc_error_make_as(
            err, EINVAL,
            "couldn't use key %s in Secret %s/%s: its value is no base64 or "
            "holds a NUL byte, which no environment variable can carry",
            key, ns, json_string_value(json_object_get(json_object_get(obj, "metadata"), "name")));
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
