/* SPDX-License-Identifier: Apache-2.0 */
/* $(NAME) references in a container's env, command and args, by kubelet's rules. */
#include "expand.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
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

int expand_container_env(const struct container *c, struct expand_env *ret, orc_error_t *err)
{
    struct expand_env env = {0};
    size_t total = 0;
    for (size_t i = 0; i < c->n_env; i++) {
        const struct env_var *e = &c->env[i];
        _cleanup_free_ char *value = NULL;
        if (expand_refs(e->value ? e->value : "", &env, room(total), &value) < 0) {
            expand_env_done(&env);
            return orc_error_make_as(err, E2BIG,
                                     "env[%zu] '%s': the value expands to more than %u bytes, "
                                     "or all values to more than %u: Linux would not start "
                                     "the program",
                                     i, e->name, EXPAND_MAX_STRING, EXPAND_MAX_TOTAL);
        }
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
