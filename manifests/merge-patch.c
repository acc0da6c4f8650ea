/* SPDX-License-Identifier: Apache-2.0 */
/* JSON merge patch (RFC 7386): objects merged member by member, null removes a member,
 * anything else (arrays included) replaces the target. */
#include "patch-internal.h"

/* Merges patch into target (owned, may be NULL); returns the result (owned). */
static json_t *merge_into(json_t *target, const json_t *patch)
{
    if (!json_is_object(patch)) {
        json_decref(target);
        return json_deep_copy(patch);
    }
    if (!json_is_object(target)) {
        json_decref(target);
        target = json_object();
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *) patch, k, v) {
        if (json_is_null(v)) {
            json_object_del(target, k);
            continue;
        }
        json_t *cur = json_object_get(target, k);
        json_object_set_new(target, k, merge_into(json_incref(cur), v));
    }
    return target;
}

json_t *merge_patch_apply(const json_t *target, const json_t *patch)
{
    return merge_into(json_deep_copy(target), patch);
}
