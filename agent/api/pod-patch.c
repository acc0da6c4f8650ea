/* SPDX-License-Identifier: Apache-2.0 */
/* PATCH of a pod: one of the three patch types (manifests' patch.h) applied to the stored
 * object, then the write path every write takes (write.c). */
#include <errno.h>
#include <string.h>

#include "api/write.h"
#include "cleanup.h"
#include "json-util.h"
#include "manifest.h"
#include "patch.h"
#include "xalloc.h"

json_t *api_patch_status(orc_error_t *err)
{
    int status = *err ? (*err)->status : 0;
    const char *msg = orc_error_message(*err);
    json_t *st;
    if (status == EBADMSG)
        st = api_status_new(400, "BadRequest", msg, NULL);
    else if (status == E2BIG) {
        _cleanup_free_ char *m = xasprintf("Request entity too large: %s", msg);
        st = api_status_new(413, "RequestEntityTooLarge", m, NULL);
    } else if (status == EOPNOTSUPP)
        st = api_status_new(415, "UnsupportedMediaType", msg, NULL);
    else if (status == EINVAL)
        st = api_status_new(422, "Invalid", msg, NULL);
    else
        st = api_status_new(500, "InternalError", msg, NULL);
    orc_error_release(err);
    return st;
}

static const char *resource_version(const json_t *obj)
{
    const char *rv = orc_json_str(json_object_get(obj, "metadata"), "resourceVersion");
    return rv ? rv : "";
}

/* The stored pod the path names. */
static int stored_pod(struct request *r, json_t **ret, json_t **ret_status)
{
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_pod_get(s, r->path.namespace, r->path.name, ret, &err) < 0) {
        *ret_status = api_status_from_error(&err, "pods", r->path.name);
        return -1;
    }
    return 0;
}

static json_t *find_container(const json_t *containers, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(containers, i, c)
        if (name && orc_json_str(c, "name") && !strcmp(orc_json_str(c, "name"), name))
            return c;
    return NULL;
}

/*
 * The stored pod marks a container whose imagePullPolicy orc implied (a key no client writes,
 * MANIFEST_PULL_POLICY_IMPLIED). The patched pod goes through the parser as a body does,
 * without the key: a policy the patch left as it was is removed, so that it stays implied
 * (defaulted again from the image, which may be new, as orc apply does); one the patch
 * changed is written.
 */
static void keep_implied_policies(const json_t *cur, json_t *patched)
{
    const json_t *before = json_object_get(json_object_get(cur, "spec"), "containers");
    json_t *after = json_object_get(json_object_get(patched, "spec"), "containers");
    size_t i;
    json_t *c;
    json_array_foreach(after, i, c) {
        if (!json_is_object(c))
            continue;
        json_object_del(c, MANIFEST_PULL_POLICY_IMPLIED);
        const json_t *old = find_container(before, orc_json_str(c, "name"));
        const json_t *policy = json_object_get(c, "imagePullPolicy");
        if (old && json_is_true(json_object_get(old, MANIFEST_PULL_POLICY_IMPLIED)) && policy &&
            json_equal((json_t *) policy, json_object_get(old, "imagePullPolicy")))
            json_object_del(c, "imagePullPolicy");
    }
}

void api_pod_keep_implied_policies(struct request *r, json_t *obj)
{
    bool marked = false;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(obj, "spec"), "containers"), i, c)
        marked = marked || json_object_get(c, MANIFEST_PULL_POLICY_IMPLIED);
    if (!marked)
        return;
    json_auto_t *cur = NULL;
    json_t *status = NULL;
    if (stored_pod(r, &cur, &status) < 0)
        json_decref(status); /* none stored: the write answers for it */
    keep_implied_policies(cur, obj);
}

/* One read, patch and write; *ret_retry when the write lost a race the patch did not ask to
 * detect (it left the resourceVersion it read as it was). */
static int patch_once(struct request *r, enum patch_type type, const json_t *patch,
                      const struct api_write *w, json_t **ret, json_t **ret_status, bool *ret_retry)
{
    json_auto_t *cur = NULL, *patched = NULL;
    orc_error_t err = NULL;
    if (stored_pod(r, &cur, ret_status) < 0)
        return -1;
    if (patch_apply(type, "Pod", cur, patch, &patched, &err) < 0) {
        *ret_status = api_patch_status(&err);
        return -1;
    }
    keep_implied_policies(cur, patched);
    if (api_pod_write(r, patched, w, ret, ret_status) < 0) {
        const char *reason = orc_json_str(*ret_status, "reason");
        *ret_retry = reason && !strcmp(reason, "Conflict") &&
                     !strcmp(resource_version(patched), resource_version(cur));
        return -1;
    }
    return 0;
}

int api_patch_begin(struct request *r, struct api_write *w, enum patch_type *ret_type,
                    json_t **ret_patch, json_t **ret_status)
{
    orc_error_t err = NULL;
    *w = (struct api_write){.mode = STORE_WRITE_REPLACE};
    if (api_write_options(r, "PatchOptions", w, ret_status) < 0)
        return -1;
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    _cleanup_free_ char *duplicate = NULL;
    int type = patch_type_from_content_type(ct, &err);
    if (type < 0 ||
        patch_decode(r->body ? r->body : "", r->body_len, &duplicate, ret_patch, &err) < 0) {
        *ret_status = api_patch_status(&err);
        return -1;
    }
    if (duplicate && w->validation == API_FIELD_VALIDATION_STRICT) {
        _cleanup_free_ char *msg = xasprintf("strict decoding error: %s", duplicate);
        json_decref(TAKE_PTR(*ret_patch));
        *ret_status = api_status_new(422, "Invalid", msg, NULL);
        return -1;
    }
    if (duplicate && w->validation == API_FIELD_VALIDATION_WARN)
        api_warn(r, duplicate);
    *ret_type = type;
    return 0;
}

enum MHD_Result api_patch_serve(struct request *r, api_patch_once_fn once)
{
    struct api_write w;
    json_t *status = NULL, *out = NULL;
    json_auto_t *patch = NULL;
    enum patch_type type;
    if (api_patch_begin(r, &w, &type, &patch, &status) < 0)
        return api_reply_status_json(r, status);
    for (int attempt = 0;; attempt++) {
        bool retry = false;
        if (once(r, type, patch, &w, &out, &status, &retry) == 0)
            return api_reply_json(r, 200, out);
        if (!retry || attempt == PATCH_CONFLICT_RETRIES)
            return api_reply_status_json(r, status);
        json_decref(status);
        status = NULL;
    }
}

enum MHD_Result api_pod_patch(struct request *r)
{
    return api_patch_serve(r, patch_once);
}
