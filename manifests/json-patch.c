/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON patch (RFC 6902) with JSON pointers (RFC 6901), worded as kube-apiserver words its
 * errors. Where the server is more lenient than the RFC, orc is too: a negative array index
 * counts from the end, "replace" of an object's missing member adds it. Where the RFC is
 * the more lenient ("add", "replace", "move" or "copy" to the root "" replaces the whole
 * document), the RFC.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "patch-internal.h"
#include "strv.h"
#include "xalloc.h"

#define MOVE_WORK_MAX (16 * (size_t) PATCH_MAX_NODES)

struct jp {
    json_t *doc;    /* the document being patched, owned */
    size_t copied;  /* values "copy" added */
    size_t visited; /* values measured to check the depth of "move" */
};

/* One operation's target: "path" (or "from") as written and split into tokens. */
struct target {
    const char *text;
    char **tokens; /* {} for the root */
    size_t n;
};

/* "/a/b~1c" -> {"a", "b/c"}; "" -> {}. NULL for text that is no pointer. */
static char **pointer_split(const char *s)
{
    if (*s && *s != '/')
        return NULL;
    char **tokens = xmalloc(sizeof(char *));
    size_t n = 0;
    tokens[0] = NULL;
    while (*s == '/') {
        s++;
        size_t len = strcspn(s, "/");
        char *t = xmalloc(len + 1), *o = t;
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '~' && i + 1 < len && (s[i + 1] == '0' || s[i + 1] == '1'))
                *o++ = s[++i] == '0' ? '~' : '/';
            else
                *o++ = s[i];
        }
        *o = '\0';
        tokens = xrealloc(tokens, (n + 2) * sizeof(char *));
        tokens[n++] = t;
        tokens[n] = NULL;
        s += len;
    }
    return tokens;
}

static void target_done(struct target *t)
{
    t->tokens = strv_free(t->tokens);
}

static bool target_parse(const json_t *op, const char *field, struct target *t)
{
    t->text = json_string_value(json_object_get(op, field));
    t->tokens = t->text ? pointer_split(t->text) : NULL;
    t->n = strv_length(t->tokens);
    return t->tokens != NULL;
}

static const char *target_key(const struct target *t)
{
    return t->tokens[t->n - 1];
}

/* An array index as Go's strconv.Atoi reads it (a sign allowed); false if it is none. */
static bool parse_index(const char *s, long *ret)
{
    const char *d = s + (*s == '-' || *s == '+');
    if (!*d || strspn(d, "0123456789") != strlen(d) || strlen(d) > 18)
        return false;
    *ret = strtol(s, NULL, 10);
    return true;
}

/* The element of an array an index names, negative ones counted from the end. */
static bool array_slot(const json_t *a, const char *key, size_t *ret)
{
    long i;
    long n = (long) json_array_size(a);
    if (!parse_index(key, &i) || i >= n || i < -n)
        return false;
    *ret = (size_t) (i < 0 ? i + n : i);
    return true;
}

static json_t *child(json_t *c, const char *key)
{
    size_t i;
    if (json_is_object(c))
        return json_object_get(c, key);
    if (json_is_array(c) && array_slot(c, key, &i))
        return json_array_get(c, i);
    return NULL;
}

/* The container holding the target's last token; NULL for the root or a missing path. */
static json_t *parent_of(json_t *doc, const struct target *t)
{
    json_t *c = t->n ? doc : NULL;
    for (size_t i = 0; c && i + 1 < t->n; i++)
        c = child(c, t->tokens[i]);
    return c && (json_is_object(c) || json_is_array(c)) ? c : NULL;
}

/* The value at the target, or NULL. */
static json_t *lookup(json_t *doc, const struct target *t)
{
    json_t *parent = parent_of(doc, t);
    return !t->n ? doc : parent ? child(parent, target_key(t)) : NULL;
}

static int index_error(const char *verb, const struct target *t, const char *key, orc_error_t *err)
{
    long i;
    if (!parse_index(key, &i))
        return patch_error(err, EINVAL,
                           "error in %s for path: '%s': value was not a proper "
                           "array index: '%s'",
                           verb, t->text, key);
    return patch_error(err, EINVAL,
                       "error in %s for path: '%s': Unable to access invalid "
                       "index: %ld: invalid index referenced",
                       verb, t->text, i);
}

/* Inserts val (owned) into an array: before the index, or at the end for "-". */
static int array_add(json_t *a, const char *key, json_t *val, const char *verb,
                     const struct target *t, orc_error_t *err)
{
    long i, n = (long) json_array_size(a) + 1;
    if (!strcmp(key, "-"))
        return json_array_append_new(a, val), 0;
    if (!parse_index(key, &i) || i >= n || i < -n) {
        json_decref(val);
        return index_error(verb, t, key, err);
    }
    json_array_insert_new(a, (size_t) (i < 0 ? i + n : i), val);
    return 0;
}

/* Puts val (owned, height containers deep) at the target: the root, an object's member, or
 * an array's element (inserted, or replaced in place when replacing). */
static int put(struct jp *jp, const struct target *t, json_t *val, size_t height, bool replacing,
               const char *verb, orc_error_t *err)
{
    json_auto_t *owned = val;
    size_t slot;
    if (t->n + height > PATCH_MAX_DEPTH)
        return patch_error(err, E2BIG,
                           "%s operation for path '%s' would nest the object "
                           "deeper than %d levels",
                           verb, t->text, PATCH_MAX_DEPTH);
    if (!t->n) {
        json_decref(jp->doc);
        jp->doc = TAKE_PTR(owned);
        return 0;
    }
    json_t *parent = parent_of(jp->doc, t);
    if (!parent)
        return patch_error(err, EINVAL,
                           "%s operation does not apply: doc is missing path: "
                           "\"%s\": missing value",
                           verb, t->text);
    const char *key = target_key(t);
    if (json_is_object(parent))
        return json_object_set_new(parent, key, TAKE_PTR(owned)), 0;
    if (!replacing)
        return array_add(parent, key, TAKE_PTR(owned), verb, t, err);
    if (!array_slot(parent, key, &slot))
        return patch_error(err, EINVAL,
                           "replace operation does not apply: doc is missing "
                           "key: %s: missing value",
                           t->text);
    json_array_set_new(parent, slot, TAKE_PTR(owned));
    return 0;
}

/* A copy of a value of the patch and its height. */
static json_t *patch_value(const json_t *v, size_t *ret_height)
{
    size_t nodes = 0;
    *ret_height = patch_json_height(v, PATCH_MAX_DEPTH, &nodes);
    return json_deep_copy(v);
}

/* Removes the value at the target from the document. */
static int remove_at(struct jp *jp, const struct target *t, const char *verb, orc_error_t *err)
{
    json_t *parent = parent_of(jp->doc, t);
    size_t slot;
    if (!parent)
        return patch_error(err, EINVAL,
                           "%s operation does not apply: doc is missing %spath: "
                           "\"%s\": missing value",
                           verb, strcmp(verb, "remove") ? "from " : "", t->text);
    const char *key = target_key(t);
    if (json_is_object(parent)) {
        if (json_object_del(parent, key) < 0)
            return patch_error(err, EINVAL,
                               "error in %s for path: '%s': Unable to remove "
                               "nonexistent key: %s: missing value",
                               verb, t->text, key);
        return 0;
    }
    if (!array_slot(parent, key, &slot))
        return index_error(verb, t, key, err);
    json_array_remove(parent, slot);
    return 0;
}

static const json_t *value_of(const json_t *op, const char *verb, orc_error_t *err)
{
    const json_t *v = json_object_get(op, "value");
    if (!v)
        patch_error(err, EINVAL, "%s operation does not apply: missing value field", verb);
    return v;
}

static int op_add(struct jp *jp, const json_t *op, const struct target *path, orc_error_t *err)
{
    const json_t *v = value_of(op, "add", err);
    if (!v)
        return -EINVAL;
    /* the value first: the order in which a call's arguments are evaluated is unspecified */
    size_t height = 0;
    json_t *val = patch_value(v, &height);
    return put(jp, path, val, height, false, "add", err);
}

static int op_remove(struct jp *jp, const json_t *op, const struct target *path, orc_error_t *err)
{
    (void) op;
    return remove_at(jp, path, "remove", err);
}

static int op_replace(struct jp *jp, const json_t *op, const struct target *path, orc_error_t *err)
{
    const json_t *v = value_of(op, "replace", err);
    if (!v)
        return -EINVAL;
    /* the value first: the order in which a call's arguments are evaluated is unspecified */
    size_t height = 0;
    json_t *val = patch_value(v, &height);
    return put(jp, path, val, height, true, "replace", err);
}

static bool is_proper_prefix(const char *from, const char *path)
{
    size_t n = strlen(from);
    return strlen(path) > n && !strncmp(from, path, n) && path[n] == '/';
}

/* The value at "from" of a move or copy. */
static int from_value(struct jp *jp, const json_t *op, const char *verb, struct target *from,
                      json_t **ret, orc_error_t *err)
{
    if (!target_parse(op, "from", from))
        return patch_error(err, EINVAL, "%s operation failed to decode from: missing value", verb);
    *ret = lookup(jp->doc, from);
    if (!*ret)
        return patch_error(err, EINVAL,
                           "%s operation does not apply: doc is missing from "
                           "path: %s: missing value",
                           verb, from->text);
    return 0;
}

static int op_move(struct jp *jp, const json_t *op, const struct target *path, orc_error_t *err)
{
    _cleanup_(target_done) struct target from = {0};
    json_t *v;
    int r = from_value(jp, op, "move", &from, &v, err);
    if (r < 0 || !strcmp(from.text, path->text))
        return r;
    if (is_proper_prefix(from.text, path->text))
        return patch_error(err, EINVAL,
                           "move operation does not apply: '%s' cannot be moved "
                           "into its own child '%s'",
                           from.text, path->text);
    size_t height = 0; /* moved no deeper, it stays within the limit */
    if (path->n > from.n) {
        height = patch_json_height(v, PATCH_MAX_DEPTH, &jp->visited);
        if (jp->visited > MOVE_WORK_MAX)
            return patch_error(err, E2BIG, "the patch moves more than %zu values deeper",
                               MOVE_WORK_MAX);
    }
    json_t *moved = json_incref(v);
    r = remove_at(jp, &from, "move", err);
    if (r < 0) {
        json_decref(moved);
        return r;
    }
    return put(jp, path, moved, height, false, "move", err);
}

static int op_copy(struct jp *jp, const json_t *op, const struct target *path, orc_error_t *err)
{
    _cleanup_(target_done) struct target from = {0};
    json_t *v;
    int r = from_value(jp, op, "copy", &from, &v, err);
    if (r < 0)
        return r;
    size_t height = patch_json_height(v, SIZE_MAX, &jp->copied);
    if (jp->copied > PATCH_MAX_NODES)
        return patch_error(err, E2BIG,
                           "copy operations of the patch would add more than %u "
                           "values",
                           PATCH_MAX_NODES);
    return put(jp, path, json_deep_copy(v), height, false, "copy", err);
}

static int op_test(struct jp *jp, const json_t *op, const struct target *path, orc_error_t *err)
{
    const json_t *want = value_of(op, "test", err);
    if (!want)
        return -EINVAL;
    json_t *v = lookup(jp->doc, path);
    if (!v)
        return patch_error(err, EINVAL,
                           "test operation does not apply: is missing path: %s: "
                           "missing value",
                           path->text);
    if (!patch_json_equal(v, want))
        return patch_error(err, EINVAL, "testing value %s failed: test failed", path->text);
    return 0;
}

typedef int (*op_fn)(struct jp *jp, const json_t *op, const struct target *path, orc_error_t *err);

static const struct {
    const char *name;
    op_fn fn;
} ops_table[] = {
    {"add", op_add},   {"remove", op_remove}, {"replace", op_replace},
    {"move", op_move}, {"copy", op_copy},     {"test", op_test},
};

static int apply_op(struct jp *jp, const json_t *op, orc_error_t *err)
{
    const char *kind = json_string_value(json_object_get(op, "op"));
    op_fn fn = NULL;
    for (size_t i = 0; kind && i < ELEMENTSOF(ops_table); i++)
        if (!strcmp(kind, ops_table[i].name))
            fn = ops_table[i].fn;
    if (!fn)
        return patch_error(err, EINVAL, "Unexpected kind: %s", kind ? kind : "unknown");
    _cleanup_(target_done) struct target path = {0};
    bool ok = target_parse(op, "path", &path);
    if (!ok && !path.text)
        return patch_error(err, EINVAL, "%s operation failed to decode path: missing value", kind);
    if (!ok)
        return patch_error(err, EINVAL,
                           "%s operation does not apply: doc is missing path: "
                           "\"%s\": missing value",
                           kind, path.text);
    return fn(jp, op, &path, err);
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_NULL:
        break;
    }
    return "null";
}

int json_patch_apply(const json_t *doc, const json_t *ops, json_t **ret, orc_error_t *err)
{
    if (!json_is_array(ops))
        return patch_error(err, EBADMSG,
                           "json: cannot unmarshal %s into Go value of type "
                           "jsonpatch.Patch",
                           json_kind(ops));
    size_t n = json_array_size(ops);
    if (n > PATCH_MAX_JSON_OPS)
        return patch_error(err, E2BIG,
                           "The allowed maximum operations in a JSON patch is %d, "
                           "got %zu",
                           PATCH_MAX_JSON_OPS, n);
    for (size_t i = 0; i < n; i++) {
        const json_t *op = json_array_get(ops, i);
        if (!json_is_object(op) && !json_is_null(op))
            return patch_error(err, EBADMSG,
                               "json: cannot unmarshal %s into Go value of type "
                               "jsonpatch.Operation",
                               json_kind(op));
    }
    struct jp jp = {.doc = json_deep_copy(doc)};
    for (size_t i = 0; i < n; i++) {
        int r = apply_op(&jp, json_array_get(ops, i), err);
        if (r < 0) {
            json_decref(jp.doc);
            return r;
        }
    }
    *ret = jp.doc;
    return 0;
}
