/* SPDX-License-Identifier: Apache-2.0 */
/* orc kubeconfig: the file kubectl would write, read as YAML, orc's entries merged in. */
#include "kubeconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "decode.h"
#include "fs-util.h"
#include "xalloc.h"
#include "yaml-tree.h"

char *kubeconfig_path(const char *flag, const char *env, const char *home,
                      bool (*exists)(const char *path))
{
    if (flag && *flag)
        return xstrdup(flag);
    if (env && *env) {
        _cleanup_free_ char *copy = xstrdup(env), *last = NULL;
        char *save = NULL;
        for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
            if (exists(p))
                return xstrdup(p);
            free(last);
            last = xstrdup(p);
        }
        if (last)
            return TAKE_PTR(last);
    }
    if (!home || *home != '/')
        return NULL;
    return orc_path_join(home, ".kube/config");
}

static json_t *scalar_to_json(const struct ynode *n)
{
    switch (scalar_type_of(n)) {
    case SCALAR_NULL:
        return json_null();
    case SCALAR_BOOL:
        return json_boolean(n->value[0] == 't' || n->value[0] == 'T');
    case SCALAR_INT: {
        errno = 0;
        long long v = strtoll(n->value, NULL, 10);
        if (errno == 0)
            return json_integer(v);
        break;
    }
    case SCALAR_FLOAT:
        return json_real(strtod(n->value, NULL));
    case SCALAR_STRING:
    case _SCALAR_TYPE_MAX:
    case _SCALAR_TYPE_INVALID:
        break;
    }
    return json_string(n->value);
}

static json_t *node_to_json(const struct ynode *n)
{
    switch (n->kind) {
    case YNODE_SCALAR:
        return scalar_to_json(n);
    case YNODE_SEQUENCE: {
        json_t *a = json_array();
        for (size_t i = 0; i < n->n_items; i++)
            json_array_append_new(a, node_to_json(n->items[i]));
        return a;
    }
    case YNODE_MAPPING: {
        json_t *o = json_object();
        for (size_t i = 0; i < ynode_pairs(n); i++) {
            const struct ynode *k = ynode_key(n, i);
            json_object_set_new(o, k->kind == YNODE_SCALAR ? k->value : "",
                                node_to_json(ynode_val(n, i)));
        }
        return o;
    }
    case _YNODE_KIND_MAX:
    case _YNODE_KIND_INVALID:
        break;
    }
    return json_null();
}

int kubeconfig_parse(const char *text, size_t len, const char *name, json_t **ret, orc_error_t *err)
{
    struct ystream s = {0};
    int line = 0, col = 0;
    _cleanup_free_ char *msg = NULL;
    if (ystream_parse(text, len, &s, &line, &col, &msg) < 0)
        return orc_error_make_as(err, EINVAL, "'%s' is not valid YAML: line %d, column %d: %s",
                                 name, line, col, msg ? msg : "syntax error");
    int r = 0;
    if (s.n_docs > 1)
        r = orc_error_make_as(err, EINVAL, "'%s' holds %zu YAML documents, not one kubeconfig",
                              name, s.n_docs);
    else if (s.n_docs == 0 || !s.docs[0].root || ynode_is_null(s.docs[0].root))
        *ret = json_object();
    else if (s.docs[0].root->kind != YNODE_MAPPING)
        r = orc_error_make_as(err, EINVAL, "'%s' is not a kubeconfig: not a mapping", name);
    else
        *ret = node_to_json(s.docs[0].root);
    ystream_free(&s);
    return r;
}

/* config's list `key` (made when missing or null), after checking that every item is an
 * object with a string name. */
static json_t *named_list(json_t *config, const char *key, orc_error_t *err)
{
    json_t *list = json_object_get(config, key);
    if (!list || json_is_null(list)) {
        list = json_array();
        json_object_set_new(config, key, list);
    }
    if (!json_is_array(list))
        return orc_error_make_as(err, EINVAL, "its %s is not a list", key), NULL;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
        if (!json_is_string(json_object_get(item, "name")))
            return orc_error_make_as(err, EINVAL, "its %s[%zu] has no name", key, i), NULL;
    return list;
}

static json_t *find_named(json_t *list, const char *name)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
        if (!strcmp(json_string_value(json_object_get(item, "name")), name))
            return item;
    return NULL;
}

static int merge_list(json_t *config, const json_t *ours, const char *key, orc_error_t *err)
{
    json_t *list = named_list(config, key, err);
    if (!list)
        return -1;
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(ours, key), i, entry) {
        const char *name = json_string_value(json_object_get(entry, "name"));
        if (!name)
            continue;
        json_t *copy = json_deep_copy(entry), *old = find_named(list, name);
        json_t *ns = old ? json_object_get(json_object_get(old, "context"), "namespace") : NULL;
        json_t *ctx = json_object_get(copy, "context");
        if (json_is_string(ns) && json_is_object(ctx))
            json_object_set(ctx, "namespace", ns);
        if (old) {
            json_object_clear(old);
            json_object_update(old, copy);
        } else {
            json_array_append(list, copy);
        }
        json_decref(copy);
    }
    return 0;
}

int kubeconfig_merge(json_t *config, const json_t *ours, bool set_current, bool *ret_switched,
                     orc_error_t *err)
{
    const char *lists[] = {"clusters", "users", "contexts"};
    for (size_t i = 0; i < ELEMENTSOF(lists); i++)
        if (!named_list(config, lists[i], err))
            return -1;
    for (size_t i = 0; i < ELEMENTSOF(lists); i++)
        if (merge_list(config, ours, lists[i], err) < 0)
            return -1;
    if (!json_object_get(config, "apiVersion"))
        json_object_set_new(config, "apiVersion", json_string("v1"));
    if (!json_object_get(config, "kind"))
        json_object_set_new(config, "kind", json_string("Config"));
    if (!json_is_object(json_object_get(config, "preferences")))
        json_object_set_new(config, "preferences", json_object());
    const char *current = json_string_value(json_object_get(config, "current-context"));
    const char *want = json_string_value(json_object_get(ours, "current-context"));
    *ret_switched = false;
    if (want && (set_current || !current || !*current) && (!current || strcmp(current, want))) {
        json_object_set_new(config, "current-context", json_string(want));
        *ret_switched = true;
    }
    return 0;
}
