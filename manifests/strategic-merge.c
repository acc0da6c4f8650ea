/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strategic merge patch, applied as kube-apiserver applies one (apimachinery's
 * strategicpatch with its server-side options): a merge patch whose lists of objects are
 * merged by each field's merge key, whose lists of primitives tagged "merge" are sets, and
 * whose directives say more:
 *   {"$patch": "replace"|"delete"} in an object: the object replaced by the rest, or emptied;
 *   {"$patch": "delete", KEY: V} in a merged list: the elements whose merge key is V removed;
 *   {"$patch": "replace"} in a merged list: the list replaced by the patch's other elements;
 *   "$retainKeys": [...]: the object's other keys cleared;
 *   "$setElementOrder/F": [...]: the order of list F;
 *   "$deleteFromPrimitiveList/F": [...]: values removed from list F of primitives;
 *   null: the key removed.
 * The order of a merged list: the patch's elements in the patch's order (or
 * $setElementOrder's), the original's others kept where they were relative to them; a new
 * element that leads the patch comes first.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "patch-internal.h"
#include "xalloc.h"

#define DIRECTIVE "$patch"
#define RETAIN_KEYS "$retainKeys"
#define SET_ELEMENT_ORDER "$setElementOrder"
#define DELETE_FROM_PRIMITIVE_LIST "$deleteFromPrimitiveList"

enum elem_kind {
    ELEM_NONE,
    ELEM_OBJECT,
    ELEM_STRING,
    ELEM_NUMBER,
    ELEM_BOOL,
};

static int merge_map(json_t *orig, const json_t *patch, const struct patch_meta *fields,
                     json_t **ret, orc_error_t *err);

static int no_merge_key(const json_t *m, const char *key, orc_error_t *err)
{
    _cleanup_free_ char *s = patch_json_go(m);
    return patch_error(err, EINVAL, "map: %s does not contain declared merge key: %s", s, key);
}

static int bad_arg_type(const char *expected, const json_t *actual, orc_error_t *err)
{
    return patch_error(err, EINVAL, "expected a %s, but received a %s", expected,
                       patch_go_type(actual));
}

static int bad_patch_type(const json_t *directive, const json_t *m, orc_error_t *err)
{
    _cleanup_free_ char *d = patch_json_go(directive), *s = patch_json_go(m);
    return patch_error(err, EINVAL, "unknown patch type: %s in map: %s", d, s);
}

static bool has_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* The field a "$setElementOrder/F" or "$deleteFromPrimitiveList/F" key names, or NULL. */
static const char *directive_field(const char *key, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(key, prefix, n) && key[n] == '/' ? key + n + 1 : NULL;
}

/* What identifies a list's element: its merge key's value, or itself (primitives). */
static const json_t *identity(const json_t *elem, const char *merge_key)
{
    return merge_key ? json_object_get(elem, merge_key) : elem;
}

/* The first position of each identity in list, as an object from patch_scalar_key to the
 * position; elements without one (no merge key, or not a primitive) are left out. */
static json_t *positions(const json_t *list, const char *merge_key)
{
    json_t *idx = json_object();
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *id = identity(json_array_get(list, i), merge_key);
        _cleanup_free_ char *k = id ? patch_scalar_key(id) : NULL;
        if (k && !json_object_get(idx, k))
            json_object_set_new(idx, k, json_integer((json_int_t) i));
    }
    return idx;
}

static long position(const json_t *idx, const json_t *elem, const char *merge_key)
{
    const json_t *id = identity(elem, merge_key);
    _cleanup_free_ char *k = id ? patch_scalar_key(id) : NULL;
    const json_t *p = k ? json_object_get(idx, k) : NULL;
    return p ? (long) json_integer_value(p) : -1;
}

static enum elem_kind kind_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return ELEM_OBJECT;
    case JSON_STRING:
        return ELEM_STRING;
    case JSON_INTEGER:
    case JSON_REAL:
        return ELEM_NUMBER;
    case JSON_TRUE:
    case JSON_FALSE:
        return ELEM_BOOL;
    case JSON_ARRAY:
    case JSON_NULL:
        break;
    }
    return ELEM_NONE;
}

/* The one kind of the elements of two lists (either may be NULL); ELEM_NONE if empty. */
static int element_kind(const json_t *a, const json_t *b, enum elem_kind *ret, orc_error_t *err)
{
    enum elem_kind kind = ELEM_NONE;
    const json_t *lists[] = {a, b};
    for (size_t l = 0; l < ELEMENTSOF(lists); l++)
        for (size_t i = 0; i < json_array_size(lists[l]); i++) {
            const json_t *e = json_array_get(lists[l], i);
            if (json_is_array(e))
                return patch_error(err, EINVAL, "lists of lists are not supported");
            enum elem_kind k = kind_of(e);
            if (kind != ELEM_NONE && k == kind)
                continue;
            if (kind != ELEM_NONE || k == ELEM_NONE) {
                _cleanup_free_ char *sa = patch_json_go(a), *sb = patch_json_go(b);
                return patch_error(err, EINVAL, "list element types are not identical: [%s %s]", sa,
                                   sb);
            }
            kind = k;
        }
    *ret = kind;
    return 0;
}

/* Every element of list is an object with the merge key. */
static int check_merge_keys(const json_t *list, const char *merge_key, orc_error_t *err)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        if (!json_is_object(e))
            return bad_arg_type("map[string]interface {}", e, err);
        if (!json_object_get(e, merge_key))
            return no_merge_key(e, merge_key, err);
    }
    return 0;
}

struct placed {
    json_t *v;
    long pos;    /* in the list ordering its part; -1 not there */
    long server; /* in server_order; -1 not there */
    size_t seq;
};

static int placed_cmp(const void *a, const void *b)
{
    const struct placed *x = a, *y = b;
    long px = x->pos < 0 ? LONG_MAX : x->pos, py = y->pos < 0 ? LONG_MAX : y->pos;
    if (px != py)
        return px < py ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The final order of a merged list: its elements that patch_order names, in that order,
 * interleaved with the others kept in server_order's order: an element of the first kind
 * goes before one of the second unless both are in server_order and the second came first
 * there.
 */
static int order_list(const json_t *merged, const json_t *patch_order, const json_t *server_order,
                      const char *merge_key, json_t **ret, orc_error_t *err)
{
    int r = 0;
    if (merge_key && ((r = check_merge_keys(merged, merge_key, err)) < 0 ||
                      (r = check_merge_keys(patch_order, merge_key, err)) < 0 ||
                      (r = check_merge_keys(server_order, merge_key, err)) < 0))
        return r;
    json_auto_t *pidx = positions(patch_order, merge_key);
    json_auto_t *sidx = positions(server_order, merge_key);
    size_t n = json_array_size(merged), np = 0, ns = 0;
    _cleanup_free_ struct placed *from_patch = xmalloc((n + 1) * sizeof(struct placed));
    _cleanup_free_ struct placed *server_only = xmalloc((n + 1) * sizeof(struct placed));
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(merged, i);
        long p = position(pidx, v, merge_key), s = position(sidx, v, merge_key);
        if (p >= 0)
            from_patch[np++] = (struct placed){v, p, s, i};
        else
            server_only[ns++] = (struct placed){v, s, s, i};
    }
    qsort(from_patch, np, sizeof(struct placed), placed_cmp);
    qsort(server_only, ns, sizeof(struct placed), placed_cmp);
    json_t *out = json_array();
    size_t i = 0, j = 0;
    while (i < ns || j < np) {
        bool left = j >= np;
        if (i < ns && j < np) {
            long li = server_only[i].server, ri = from_patch[j].server;
            left = li >= 0 && ri >= 0 && li < ri;
        }
        json_array_append(out, left ? server_only[i++].v : from_patch[j++].v);
    }
    *ret = out;
    return 0;
}

/* Lists of primitives: a set union in the order above, or, for a deletion list, the
 * original without the values listed. */
static int merge_primitives(const json_t *orig, const json_t *patch, bool deleting, json_t **ret,
                            orc_error_t *err)
{
    if (deleting) {
        json_auto_t *drop = positions(patch, NULL);
        json_t *out = json_array();
        for (size_t i = 0; i < json_array_size(orig); i++)
            if (position(drop, json_array_get(orig, i), NULL) < 0)
                json_array_append(out, json_array_get(orig, i));
        *ret = out;
        return 0;
    }
    json_auto_t *both = json_array(), *seen = json_object();
    const json_t *lists[] = {orig, patch};
    for (size_t l = 0; l < ELEMENTSOF(lists); l++)
        for (size_t i = 0; i < json_array_size(lists[l]); i++) {
            json_t *v = json_array_get(lists[l], i);
            _cleanup_free_ char *k = patch_scalar_key(v);
            if (json_object_get(seen, k))
                continue;
            json_object_set_new(seen, k, json_true());
            json_array_append_new(both, json_deep_copy(v));
        }
    return order_list(both, patch, orig, NULL, ret, err);
}

static int scalar_identity(const json_t *m, const char *merge_key, char **ret, orc_error_t *err)
{
    const json_t *v = json_object_get(m, merge_key);
    if (!v)
        return no_merge_key(m, merge_key, err);
    *ret = patch_scalar_key(v);
    if (!*ret) {
        _cleanup_free_ char *s = patch_json_go(m);
        return patch_error(err, EINVAL,
                           "merge key %s of map: %s is not a string, number or "
                           "boolean",
                           merge_key, s);
    }
    return 0;
}

/* The $patch elements of a merged list: deletions (by merge key), replace; the others are
 * returned in *ret_plain. */
static int special_elements(const json_t *patch, const char *merge_key, json_t *ret_deleted,
                            bool *ret_replace, json_t *ret_plain, orc_error_t *err)
{
    for (size_t i = 0; i < json_array_size(patch); i++) {
        json_t *p = json_array_get(patch, i);
        const json_t *d = json_object_get(p, DIRECTIVE);
        const char *ds = json_string_value(d);
        if (!d) {
            json_array_append(ret_plain, p);
        } else if (ds && !strcmp(ds, "delete")) {
            _cleanup_free_ char *k = NULL;
            int r = scalar_identity(p, merge_key, &k, err);
            if (r < 0)
                return r;
            json_object_set_new(ret_deleted, k, json_true());
        } else if (ds && !strcmp(ds, "replace")) {
            *ret_replace = true;
        } else if (ds && !strcmp(ds, "merge")) {
            return patch_error(err, EINVAL, "merging lists cannot yet be specified in the patch");
        } else {
            return bad_patch_type(d, p, err);
        }
    }
    return 0;
}

/* Lists of objects, merged element by element by merge key. */
static int merge_objects(const json_t *orig, const json_t *patch, const struct patch_meta *meta,
                         json_t **ret, orc_error_t *err)
{
    const char *key = meta ? meta->merge_key : NULL;
    if (!key)
        return patch_error(err, EINVAL, "cannot merge lists without merge key for %s",
                           meta ? meta->name : "a list of objects");
    json_auto_t *deleted = json_object(), *plain = json_array(), *base = json_array();
    bool replace = false;
    int r = special_elements(patch, key, deleted, &replace, plain, err);
    if (r < 0)
        return r;
    if (replace) {
        json_decref(base);
        base = patch_clean_copy(plain, PATCH_CLEAN_STRIP);
        json_array_clear(plain);
    } else {
        for (size_t i = 0; i < json_array_size(orig); i++)
            if (position(deleted, json_array_get(orig, i), key) < 0)
                json_array_append(base, json_array_get(orig, i));
    }
    json_auto_t *server_order = json_copy(base), *idx = positions(base, key);
    for (size_t i = 0; i < json_array_size(plain); i++) {
        json_t *p = json_array_get(plain, i), *merged;
        _cleanup_free_ char *k = NULL;
        if ((r = scalar_identity(p, key, &k, err)) < 0)
            return r;
        const json_t *at = json_object_get(idx, k);
        if (!at) {
            json_object_set_new(idx, k, json_integer((json_int_t) json_array_size(base)));
            json_array_append_new(base, patch_clean_copy(p, PATCH_CLEAN_STRIP));
            continue;
        }
        size_t pos = (size_t) json_integer_value(at);
        if ((r = merge_map(json_array_get(base, pos), p, meta->fields, &merged, err)) < 0)
            return r;
        json_array_set_new(base, pos, merged);
    }
    return order_list(base, plain, server_order, key, ret, err);
}

/* A list field of the original merged with the patch's value as its strategy says:
 * replaced (atomic lists) or merged; deletion lists are merged whatever the strategy. */
static int merge_list(json_t *orig, const json_t *patch, const struct patch_meta *meta,
                      bool deleting, json_t **ret, orc_error_t *err)
{
    if (!deleting && !(meta && (meta->strategy & PATCH_META_MERGE))) {
        *ret = patch_clean_copy(patch, PATCH_CLEAN_STRIP);
        return 0;
    }
    if (json_array_size(orig) == 0 && json_array_size(patch) == 0) {
        *ret = json_incref(orig);
        return 0;
    }
    enum elem_kind kind;
    int r = element_kind(orig, patch, &kind, err);
    if (r < 0)
        return r;
    if (kind != ELEM_OBJECT)
        return merge_primitives(orig, patch, deleting, ret, err);
    return merge_objects(orig, patch, meta, ret, err);
}

static int mismatched_order(const json_t *plist, const json_t *order, orc_error_t *err)
{
    _cleanup_free_ char *p = patch_json_go(plist), *o = patch_json_go(order);
    return patch_error(err, EINVAL, "The order in patch list:\n%s\n doesn't match %s list:\n%s\n",
                       p, SET_ELEMENT_ORDER, o);
}

static int same_identity(const json_t *a, const json_t *b, const char *merge_key, bool *ret,
                         orc_error_t *err)
{
    if (merge_key) {
        const json_t *both[] = {a, b};
        for (size_t i = 0; i < ELEMENTSOF(both); i++) {
            if (!json_is_object(both[i]))
                return bad_arg_type("map[string]interface {}", both[i], err);
            if (!json_object_get(both[i], merge_key))
                return no_merge_key(both[i], merge_key, err);
        }
    }
    _cleanup_free_ char *ka = patch_scalar_key(identity(a, merge_key));
    _cleanup_free_ char *kb = patch_scalar_key(identity(b, merge_key));
    *ret = ka && kb && !strcmp(ka, kb);
    return 0;
}

/* The patch's list names its elements (deletions aside) in $setElementOrder's order. */
static int check_order(const json_t *plist, const json_t *order, const char *merge_key,
                       orc_error_t *err)
{
    size_t n = json_array_size(plist), m = json_array_size(order), pi = 0, si = 0;
    if (!n || !m)
        return 0;
    while (pi < n && si < m) {
        const json_t *p = json_array_get(plist, pi);
        if (merge_key && !json_is_object(p))
            return bad_arg_type("map[string]interface {}", p, err);
        if (json_is_object(p) && json_object_get(p, DIRECTIVE)) {
            pi++;
            continue;
        }
        bool same = false;
        int r = same_identity(p, json_array_get(order, si), merge_key, &same, err);
        if (r < 0)
            return r;
        pi += same;
        si++;
    }
    return pi < n ? mismatched_order(plist, order, err) : 0;
}

/* "$setElementOrder/F": merges the patch's list F (if any) and orders the result. */
static int set_element_order(json_t *orig, json_t *work, const char *key, const json_t *order,
                             const struct patch_meta *fields, orc_error_t *err)
{
    if (!json_is_array(order))
        return bad_arg_type("[]interface {}", order, err);
    const char *field = directive_field(key, SET_ELEMENT_ORDER);
    if (!field)
        return patch_error(err, EBADMSG, "invalid patch format of setElementOrder list");
    json_t *olist = json_object_get(orig, field);
    const json_t *plist = json_object_get(work, field);
    if (olist && !json_is_array(olist))
        return bad_arg_type("[]interface {}", olist, err);
    if (plist && !json_is_array(plist))
        return bad_arg_type("[]interface {}", plist, err);
    const struct patch_meta *meta = patch_meta_field(fields, field);
    const char *merge_key = meta ? meta->merge_key : NULL;
    int r = check_order(plist, order, merge_key, err);
    if (r < 0)
        return r;
    json_auto_t *merged = NULL;
    if (olist && plist) {
        if ((r = merge_list(olist, plist, meta, false, &merged, err)) < 0)
            return r;
    } else if (olist || plist) {
        merged = olist ? json_incref(olist) : patch_clean_copy(plist, PATCH_CLEAN_DROP);
    } else {
        return 0;
    }
    enum elem_kind kind;
    json_t *result = NULL;
    if ((r = element_kind(olist, plist, &kind, err)) < 0)
        return r;
    if (kind == ELEM_NONE || (kind == ELEM_OBJECT && !merge_key)) /* nothing to order by */
        result = json_incref(merged);
    else if ((r = order_list(merged, order, olist, kind == ELEM_OBJECT ? merge_key : NULL, &result,
                             err)) < 0)
        return r;
    json_object_set_new(orig, field, result);
    json_object_del(work, field);
    return 0;
}

/* "$retainKeys": the original keeps only the keys listed, and the patch may set no other. */
static int retain_keys(json_t *orig, json_t *work, orc_error_t *err)
{
    json_auto_t *list = json_incref(json_object_get(work, RETAIN_KEYS));
    if (!list)
        return 0;
    json_object_del(work, RETAIN_KEYS);
    if (!json_is_array(list))
        return patch_error(err, EBADMSG, "invalid patch format of retainKeys");
    json_auto_t *keep = json_object();
    for (size_t i = 0; i < json_array_size(list); i++)
        if (json_is_string(json_array_get(list, i)))
            json_object_set(keep, json_string_value(json_array_get(list, i)), json_true());
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach(work, k, v)
        if (!json_is_null(v) && !has_prefix(k, DELETE_FROM_PRIMITIVE_LIST) &&
            !has_prefix(k, SET_ELEMENT_ORDER) && !json_object_get(keep, k))
            return patch_error(err, EBADMSG, "invalid patch format of retainKeys");
    json_object_foreach_safe(orig, tmp, k, v)
        if (!json_object_get(keep, k))
            json_object_del(orig, k);
    return 0;
}

static int set_element_orders(json_t *orig, json_t *work, const struct patch_meta *fields,
                              orc_error_t *err)
{
    json_auto_t *keys = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(work, k, v)
        if (has_prefix(k, SET_ELEMENT_ORDER))
            json_array_append_new(keys, json_string(k));
    for (size_t i = 0; i < json_array_size(keys); i++) {
        const char *key = json_string_value(json_array_get(keys, i));
        json_auto_t *order = json_incref(json_object_get(work, key));
        json_object_del(work, key);
        int r = set_element_order(orig, work, key, order, fields, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Go's types of decoded values: the two numbers are one (float64), true and false one. */
static bool same_type(const json_t *a, const json_t *b)
{
    if (json_is_number(a) || json_is_boolean(a))
        return json_is_number(a) ? json_is_number(b) : json_is_boolean(b);
    return json_typeof(a) == json_typeof(b);
}

static void set_or_remove(json_t *obj, const char *field, json_t *v)
{
    if (v)
        json_object_set_new(obj, field, v);
    else
        json_object_del(obj, field);
}

/* One key of the patch (after the directives above) merged into the original. */
static int merge_field(json_t *orig, const char *key, const json_t *v,
                       const struct patch_meta *fields, orc_error_t *err)
{
    const char *field = key;
    bool deleting = has_prefix(key, DELETE_FROM_PRIMITIVE_LIST);
    if (deleting && !(field = directive_field(key, DELETE_FROM_PRIMITIVE_LIST)))
        return patch_error(err, EBADMSG, "invalid patch format of primitive list");
    if (json_is_null(v)) {
        json_object_del(orig, field);
        return 0;
    }
    json_t *ov = json_object_get(orig, field), *merged = NULL;
    if (!ov || !same_type(ov, v)) {
        if (!deleting)
            set_or_remove(orig, field, patch_clean_copy(v, PATCH_CLEAN_DROP));
        return 0;
    }
    const struct patch_meta *meta = patch_meta_field(fields, field);
    int r = 0;
    if (json_is_object(v) && meta && (meta->strategy & PATCH_META_REPLACE))
        merged = patch_clean_copy(v, PATCH_CLEAN_STRIP);
    else if (json_is_object(v))
        r = merge_map(ov, v, meta ? meta->fields : NULL, &merged, err);
    else if (json_is_array(v))
        r = merge_list(ov, v, meta, deleting, &merged, err);
    else
        merged = json_deep_copy(v);
    if (r < 0)
        return r;
    json_object_set_new(orig, field, merged);
    return 0;
}

static int map_directive(const json_t *directive, const json_t *patch, json_t **ret,
                         orc_error_t *err)
{
    const char *d = json_string_value(directive);
    if (d && !strcmp(d, "replace")) {
        *ret = patch_clean_copy(patch, PATCH_CLEAN_STRIP);
        return 0;
    }
    if (d && !strcmp(d, "delete")) {
        *ret = json_object();
        return 0;
    }
    return bad_patch_type(directive, patch, err);
}

/* Merges patch (an object) into orig (an object of the result being built); *ret is orig
 * or what replaces it. */
static int merge_map(json_t *orig, const json_t *patch, const struct patch_meta *fields,
                     json_t **ret, orc_error_t *err)
{
    const json_t *directive = json_object_get(patch, DIRECTIVE);
    if (directive)
        return map_directive(directive, patch, ret, err);
    json_auto_t *work = json_copy((json_t *) patch); /* its keys are taken as they are done */
    int r;
    if ((r = retain_keys(orig, work, err)) < 0 ||
        (r = set_element_orders(orig, work, fields, err)) < 0)
        return r;
    const char *k;
    json_t *v;
    json_object_foreach(work, k, v)
        if ((r = merge_field(orig, k, v, fields, err)) < 0)
            return r;
    *ret = json_incref(orig);
    return 0;
}

int strategic_merge_apply(const struct patch_meta *schema, const json_t *doc, const json_t *patch,
                          json_t **ret, orc_error_t *err)
{
    json_auto_t *orig = json_deep_copy(doc);
    return merge_map(orig, patch, schema, ret, err);
}
