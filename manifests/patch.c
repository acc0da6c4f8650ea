/* SPDX-License-Identifier: Apache-2.0 */
/* The patch types by content type, the limits, and patch_apply's dispatch. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "patch-internal.h"
#include "xalloc.h"

static const char *const content_types[_PATCH_TYPE_MAX] = {
    [PATCH_JSON] = "application/json-patch+json",
    [PATCH_MERGE] = "application/merge-patch+json",
    [PATCH_STRATEGIC] = "application/strategic-merge-patch+json",
};

const char *patch_type_to_content_type(enum patch_type t)
{
    return t >= 0 && t < _PATCH_TYPE_MAX ? content_types[t] : NULL;
}

int patch_type_from_content_type(const char *content_type, orc_error_t *err)
{
    const char *s = content_type ? content_type : "";
    s += strspn(s, " \t");
    size_t len = strcspn(s, ";");
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    for (int t = 0; t < _PATCH_TYPE_MAX; t++)
        if (strlen(content_types[t]) == len && !strncasecmp(s, content_types[t], len))
            return t;
    if (!strncasecmp(s, "application/apply-patch+", strlen("application/apply-patch+")))
        return patch_error(err, EOPNOTSUPP,
                           "server-side apply is not supported: use kubectl "
                           "apply without --server-side, or kubectl patch");
    return patch_error(err, EOPNOTSUPP,
                       "the body of the request was in an unknown format - "
                       "accepted media types include: %s, %s, %s",
                       content_types[PATCH_JSON], content_types[PATCH_MERGE],
                       content_types[PATCH_STRATEGIC]);
}

/* jansson names a repeated key in its message: duplicate object key near '"name"'. */
static char *duplicate_text(const json_error_t *e)
{
    const char *q = strstr(e->text, "near '");
    size_t n = q ? strlen(q + 6) : 0;
    return n > 1 ? xasprintf("duplicate field %.*s", (int) (n - 1), q + 6)
                 : xstrdup("duplicate field");
}

int patch_decode(const char *body, size_t len, char **ret_duplicate, json_t **ret, orc_error_t *err)
{
    json_error_t e;
    _cleanup_free_ char *duplicate = NULL;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    if (!j && ret_duplicate && json_error_code(&e) == json_error_duplicate_key) {
        duplicate = duplicate_text(&e);
        j = json_loadb(body, len, JSON_DECODE_ANY, &e);
    }
    if (!j)
        return patch_error(err, EBADMSG, "error decoding patch: %s (at byte %d)", e.text,
                           e.position);
    if (ret_duplicate)
        *ret_duplicate = TAKE_PTR(duplicate);
    *ret = j;
    return 0;
}

/* Depth and size of an input within the limits; extra is the patch's own nesting (the
 * operations' array and objects of a JSON patch). */
static int check_limits(const json_t *v, const char *what, size_t extra, orc_error_t *err)
{
    size_t nodes = 0;
    if (patch_json_height(v, PATCH_MAX_DEPTH + extra, &nodes) > PATCH_MAX_DEPTH + extra)
        return patch_error(err, E2BIG, "the %s nests deeper than %d levels", what, PATCH_MAX_DEPTH);
    if (nodes > PATCH_MAX_NODES)
        return patch_error(err, E2BIG, "the %s has more than %u values", what, PATCH_MAX_NODES);
    return 0;
}

static int apply(enum patch_type type, const char *kind, const json_t *original,
                 const json_t *patch, json_t **ret, orc_error_t *err)
{
    switch (type) {
    case PATCH_JSON:
        return json_patch_apply(original, patch, ret, err);
    case PATCH_MERGE:
        if (json_is_null(patch))
            return patch_error(err, EBADMSG, "Invalid JSON Patch");
        *ret = merge_patch_apply(original, patch);
        return 0;
    case PATCH_STRATEGIC:
        if (!json_is_object(patch))
            return patch_error(err, EBADMSG,
                               "json: cannot unmarshal %s into Go value of type "
                               "map[string]interface {}",
                               json_is_array(patch) ? "array" : "non-object");
        return strategic_merge_apply(patch_meta_for_kind(kind), original, patch, ret, err);
    case _PATCH_TYPE_MAX:
    case _PATCH_TYPE_INVALID:
        break;
    }
    return patch_error(err, EOPNOTSUPP, "unknown patch type %d", (int) type);
}

int patch_apply(enum patch_type type, const char *kind, const json_t *original, const json_t *patch,
                json_t **ret_result, orc_error_t *err)
{
    int r;
    if (!json_is_object(original))
        return patch_error(err, EINVAL, "the object to patch is not a JSON object");
    if ((r = check_limits(original, "object", 0, err)) < 0 ||
        (r = check_limits(patch, "patch", type == PATCH_JSON ? 2 : 0, err)) < 0)
        return r;
    json_auto_t *result = NULL;
    if ((r = apply(type, kind, original, patch, &result, err)) < 0)
        return r;
    if (!json_is_object(result))
        return patch_error(err, EINVAL, "the patched object is not a JSON object");
    *ret_result = TAKE_PTR(result);
    return 0;
}
