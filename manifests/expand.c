/* SPDX-License-Identifier: Apache-2.0 */
/* $(NAME) references in a container's env, command and args, by kubelet's rules. */
#include "expand.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "env-sources.h"
#include "quantity.h"
#include "strv.h"
#include "xalloc.h"

void expand_env_set(struct expand_env *env, const char *name, const char *value)
{
    if (!env->index)
        env->index = json_object();
    char *kv = xasprintf("%s=%s", name, value);
    json_t *at = json_object_get(env->index, name);
    if (at) {
        size_t i = (size_t) json_integer_value(at);
        free(env->strv[i]);
        env->strv[i] = kv;
        return;
    }
    size_t n = strv_length(env->strv);
    env->strv = xrealloc(env->strv, (n + 2) * sizeof(char *));
    env->strv[n] = kv;
    env->strv[n + 1] = NULL;
    json_object_set_new(env->index, name, json_integer((json_int_t) n));
}

void expand_env_put(struct expand_env *env, const char *kv)
{
    const char *eq = strchr(kv, '=');
    _cleanup_free_ char *name = eq ? xstrndup(kv, (size_t) (eq - kv)) : xstrdup(kv);
    expand_env_set(env, name, eq ? eq + 1 : "");
}

const char *expand_env_get(const struct expand_env *env, const char *name, size_t n)
{
    if (!env || !env->index)
        return NULL;
    _cleanup_free_ char *key = xstrndup(name, n);
    json_t *at = json_object_get(env->index, key);
    return at ? env->strv[json_integer_value(at)] + n + 1 : NULL;
}

void expand_env_done(struct expand_env *env)
{
    env->strv = strv_free(env->strv);
    env->skipped = strv_free(env->skipped);
    json_decref(env->index);
    env->index = NULL;
}

struct out {
    char *buf;
    size_t len, cap, max;
};

static bool out_put(struct out *o, const char *s, size_t n)
{
    if (n > o->max - o->len)
        return false;
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->buf = xrealloc(o->buf, o->cap);
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
    return true;
}

int expand_refs(const char *input, const struct expand_env *env, size_t max, char **ret)
{
    struct out o = {.max = max};
    const char *p = input;
    bool ok = out_put(&o, "", 0);
    while (ok && *p) {
        const char *dollar = strchr(p, '$');
        if (!dollar || !dollar[1]) { /* a '$' that ends the input stays */
            ok = out_put(&o, p, strlen(p));
            break;
        }
        ok = out_put(&o, p, (size_t) (dollar - p));
        const char *next = dollar + 1, *close = NULL;
        if (*next == '$') { /* "$$" is one '$', never the start of a reference */
            ok = ok && out_put(&o, "$", 1);
            p = next + 1;
        } else if (*next == '(' && (close = strchr(next + 1, ')'))) {
            const char *value = expand_env_get(env, next + 1, (size_t) (close - next - 1));
            ok = ok && (value ? out_put(&o, value, strlen(value))
                              : out_put(&o, dollar, (size_t) (close + 1 - dollar)));
            p = close + 1;
        } else { /* "$(" never closed, or "$" and another character: as written */
            ok = ok && out_put(&o, dollar, 2);
            p = next + 1;
        }
    }
    if (!ok) {
        free(o.buf);
        return -E2BIG;
    }
    *ret = o.buf;
    return 0;
}

/* What is left of the budget for the next string. */
static size_t room(size_t total)
{
    size_t left = EXPAND_MAX_TOTAL - total;
    return left < EXPAND_MAX_STRING ? left : EXPAND_MAX_STRING;
}

bool expand_split_subscript(const char *path, char **ret_path, char **ret_key)
{
    size_t n = strlen(path);
    const char *open = strstr(path, "['");
    if (n < 2 || strcmp(path + n - 2, "']") || !open || open == path || open + 2 > path + n - 2)
        return false;
    *ret_path = xstrndup(path, (size_t) (open - path));
    *ret_key = xstrndup(open + 2, (size_t) (path + n - 2 - (open + 2)));
    return true;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* The value of a downward-API field for env, as kubelet gives it; NULL for one it does not
 * know. A pod has one address and the node one, so the lists are single. */
static char *field_value(const struct pod *pod, const struct expand_facts *f, const char *path)
{
    _cleanup_free_ char *base = NULL, *key = NULL;
    if (expand_split_subscript(path, &base, &key)) {
        json_t *map = !strcmp(base, "metadata.labels")        ? pod->labels
                      : !strcmp(base, "metadata.annotations") ? pod->annotations
                                                              : NULL;
        return map ? xstrdup(or_empty(json_string_value(json_object_get(map, key)))) : NULL;
    }
    const char *v = !strcmp(path, "metadata.name")        ? pod->name
                    : !strcmp(path, "metadata.namespace") ? pod->namespace
                    : !strcmp(path, "metadata.uid")       ? or_empty(f->pod_uid)
                    : !strcmp(path, "spec.nodeName")      ? or_empty(f->node_name)
                    : !strcmp(path, "spec.host")          ? or_empty(f->node_name)
                    : !strcmp(path, "spec.serviceAccountName")
                        ? (pod->service_account_name ? pod->service_account_name : "default")
                    : !strcmp(path, "status.hostIP")  ? or_empty(f->host_ip)
                    : !strcmp(path, "status.hostIPs") ? or_empty(f->host_ip)
                    : !strcmp(path, "status.podIP")   ? or_empty(f->pod_ip)
                    : !strcmp(path, "status.podIPs")  ? or_empty(f->pod_ip)
                                                      : NULL;
    return v ? xstrdup(v) : NULL;
}

/* kubelet's value of a resourceFieldRef: the quantity divided by the divisor, rounded up */
static int resource_value(const struct pod *pod, const struct container *c, const json_t *ref,
                          const struct expand_facts *f, char **ret, orc_error_t *err)
{
    const char *name = json_string_value(json_object_get(ref, "containerName"));
    const char *resource = or_empty(json_string_value(json_object_get(ref, "resource")));
    const char *divisor = json_string_value(json_object_get(ref, "divisor"));
    if (name && *name) {
        c = NULL;
        for (size_t i = 0; i < pod->n_containers && !c; i++)
            if (!strcmp(pod->containers[i].name, name))
                c = &pod->containers[i];
        if (!c)
            return orc_error_make_as(err, EINVAL, "resourceFieldRef: the pod has no container '%s'",
                                     name);
    }
    const struct container_resources *r = &c->resources;
    bool cpu = strstr(resource, ".cpu") != NULL;
    bool storage = strstr(resource, ".ephemeral-storage") != NULL;
    /* orc refuses an ephemeral-storage limit: it is not set */
    int64_t value = !strcmp(resource, "limits.cpu")                   ? r->cpu_limit
                    : !strcmp(resource, "requests.cpu")               ? r->cpu_request
                    : !strcmp(resource, "limits.memory")              ? r->memory_limit
                    : !strcmp(resource, "requests.memory")            ? r->memory_request
                    : !strcmp(resource, "limits.ephemeral-storage")   ? 0
                    : !strcmp(resource, "requests.ephemeral-storage") ? r->storage_request
                                                                      : -1;
    int64_t div = 0;
    if (value < 0 || quantity_parse_milli(divisor ? divisor : "1", &div) < 0 || div <= 0)
        return orc_error_make_as(err, EINVAL, "unsupported resourceFieldRef '%s' (divisor %s)",
                                 resource, or_empty(divisor));
    if (!value && !strncmp(resource, "limits.", 7)) /* no limit: the node's allocatable */
        value = cpu ? f->node_cpu_milli : storage ? f->node_ephemeral_storage : f->node_memory;
    if (!cpu) /* bytes, divisors in thousandths of a byte */
        div = div / 1000 + (div % 1000 != 0);
    *ret = xasprintf("%lld", (long long) (value / div + (value % div != 0)));
    return 0;
}

int expand_resource_field(const struct pod *pod, const json_t *ref, const struct expand_facts *f,
                          char **ret, orc_error_t *err)
{
    const char *name = json_string_value(json_object_get(ref, "containerName"));
    if (!name || !*name)
        return orc_error_make_as(err, EINVAL, "resourceFieldRef: no containerName");
    return resource_value(pod, NULL, ref, f, ret, err);
}

/* One variable's value: expanded, from its field or resource, or NULL when it is left out. */
static int env_value(const struct pod *pod, const struct container *c, const struct env_var *e,
                     const struct expand_facts *f, const struct expand_env *env, size_t max,
                     char **ret, orc_error_t *err)
{
    const json_t *field = json_object_get(e->value_from, "fieldRef");
    const json_t *resource = json_object_get(e->value_from, "resourceFieldRef");
    if ((e->value && *e->value) || !e->value_from) {
        if (expand_refs(e->value ? e->value : "", env, max, ret) < 0)
            return orc_error_make_as(err, E2BIG,
                                     "the value expands to more than %u bytes, or all values "
                                     "to more than %u: Linux would not start the program",
                                     EXPAND_MAX_STRING, EXPAND_MAX_TOTAL);
        return 0;
    }
    if (resource)
        return resource_value(pod, c, resource, f, ret, err);
    if (!field) {
        if (env_source_key(f, pod->namespace, e->value_from, ret, err) < 0)
            return -1;
        if (*ret && strlen(*ret) > max) {
            *ret = (free(*ret), NULL);
            return orc_error_make_as(err, E2BIG, "its value is longer than %zu bytes", max);
        }
        return 0;
    }
    const char *path = json_string_value(json_object_get(field, "fieldPath"));
    char *v = path ? field_value(pod, f, path) : NULL;
    if (!v)
        return orc_error_make_as(err, EINVAL, "unsupported fieldPath '%s'", or_empty(path));
    if (strlen(v) > max) {
        free(v);
        return orc_error_make_as(err, E2BIG, "its field is longer than %zu bytes", max);
    }
    *ret = v;
    return 0;
}

int expand_container_env(const struct pod *pod, const struct container *c,
                         const struct expand_facts *facts, struct expand_env *ret, orc_error_t *err)
{
    static const struct expand_facts none = {0};
    const struct expand_facts *f = facts ? facts : &none;
    struct expand_env env = {0};
    size_t total = 0, i;
    json_t *item;
    json_array_foreach(c->env_from, i, item)
        if (env_source_all(f, pod->namespace, item, &env, &total, err) < 0) {
            expand_env_done(&env);
            return -1;
        }
    for (i = 0; i < c->n_env; i++) {
        const struct env_var *e = &c->env[i];
        _cleanup_free_ char *value = NULL;
        if (env_value(pod, c, e, f, &env, room(total), &value, err) < 0) {
            expand_env_done(&env);
            if ((*err)->status == ENOENT) /* kubelet's message, as it is */
                return -1;
            return orc_error_wrap(err, "env[%zu] '%s'", i, e->name);
        }
        if (!value)
            continue;
        total += strlen(value);
        expand_env_set(&env, e->name, value);
    }
    *ret = env;
    return 0;
}

int expand_strv(char *const *v, const struct expand_env *env, const char *what, char ***ret,
                orc_error_t *err)
{
    if (!v) {
        *ret = NULL;
        return 0;
    }
    char **out = new0(char *, strv_length(v) + 1);
    size_t total = 0;
    for (size_t i = 0; v[i]; i++) {
        if (expand_refs(v[i], env, room(total), &out[i]) < 0) {
            strv_free(out);
            return orc_error_make_as(err, E2BIG,
                                     "%s[%zu]: it expands to more than %u bytes, or the list "
                                     "to more than %u: Linux would not start the program",
                                     what, i, EXPAND_MAX_STRING, EXPAND_MAX_TOTAL);
        }
        total += strlen(out[i]);
    }
    *ret = out;
    return 0;
}
