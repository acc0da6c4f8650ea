/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes of the Node: PATCH (the three patch types) and PUT, of its labels and annotations
 * only (node_object_update_check). They are kept in the store's row of the Node, which
 * watches of nodes follow; the loop is told, so that pods' nodeSelector and node affinity are
 * matched against the new labels.
 */
#include <string.h>

#include "api/internal.h"
#include "api/node-object.h"
#include "api/node-status.h"
#include "api/write.h"
#include "cleanup.h"
#include "json-util.h"
#include "orcd.h"
#include "patch.h"
#include "store/store.h"
#include "xalloc.h"

static const char *meta_str(const json_t *obj, const char *key)
{
    return orc_json_str(json_object_get(obj, "metadata"), key);
}

/* The Node the path names as it is served now (*ret_cur) and the store's connection. */
static int current(struct request *r, struct store **ret_store, json_t **ret_cur,
                   json_t **ret_status)
{
    orc_error_t err = NULL;
    if (strcmp(r->path.name, node_status_name(r->o->node)) != 0) {
        _cleanup_free_ char *msg = xasprintf("nodes \"%s\" not found", r->path.name);
        *ret_status = api_status_new(404, "NotFound", msg,
                                     json_pack("{s:s,s:s}", "name", r->path.name, "kind", "nodes"));
        return -1;
    }
    if (api_open_store(r, ret_store, &err) < 0) {
        *ret_status = api_status_from_error(&err, "nodes", r->path.name);
        return -1;
    }
    *ret_cur = node_status_node_json(r->o, *ret_store, NULL);
    return 0;
}

/* next, the whole new Node, checked against cur and its labels and annotations stored. */
static int write_node(struct request *r, struct store *s, const json_t *cur, const json_t *next,
                      const struct api_write *w, json_t **ret, json_t **ret_status)
{
    const char *name = meta_str(next, "name");
    if (!name || strcmp(name, r->path.name) != 0) {
        _cleanup_free_ char *msg =
            xasprintf("the name of the object (%s) does not match the name on the URL (%s)",
                      name ? name : "", r->path.name);
        *ret_status = api_status_new(400, "BadRequest", msg, NULL);
        return -1;
    }
    orc_error_t err = NULL;
    if (node_object_update_check(cur, next, node_status_builtin_labels(r->o->node), &err) < 0) {
        *ret_status = api_status_from_error(&err, "nodes", name);
        return -1;
    }
    const json_t *meta = json_object_get(next, "metadata");
    json_auto_t *row = json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "v1", "kind", "Node",
                                 "metadata", "name", name);
    json_t *labels = json_object_get(meta, "labels"), *notes = json_object_get(meta, "annotations");
    json_object_set(json_object_get(row, "metadata"), "labels", labels);
    if (json_object_size(notes))
        json_object_set(json_object_get(row, "metadata"), "annotations", notes);
    struct store_write sw = {.mode = STORE_WRITE_REPLACE,
                             .resource_version = meta_str(next, "resourceVersion"),
                             .uid = meta_str(next, "uid"),
                             .dry_run = w->dry_run};
    json_auto_t *stored = NULL;
    if (store_object_write(s, row, &sw, NULL, &stored, &err) < 0) {
        *ret_status = api_status_from_error(&err, "nodes", name);
        return -1;
    }
    if (!w->dry_run)
        orcd_node_changed(r->o);
    *ret = node_status_node_json(r->o, s, stored);
    return 0;
}

/* One read, patch and write; *ret_retry when the write lost a race the patch did not ask to
 * detect. */
static int patch_once(struct request *r, enum patch_type type, const json_t *patch,
                      const struct api_write *w, json_t **ret, json_t **ret_status, bool *ret_retry)
{
    _cleanup_(store_closep) struct store *s = NULL;
    json_auto_t *cur = NULL, *patched = NULL;
    orc_error_t err = NULL;
    if (current(r, &s, &cur, ret_status) < 0)
        return -1;
    if (patch_apply(type, "Node", cur, patch, &patched, &err) < 0) {
        *ret_status = api_patch_status(&err);
        return -1;
    }
    if (write_node(r, s, cur, patched, w, ret, ret_status) < 0) {
        const char *reason = orc_json_str(*ret_status, "reason");
        *ret_retry = reason && !strcmp(reason, "Conflict") &&
                     !strcmp(meta_str(patched, "resourceVersion") ?: "",
                             meta_str(cur, "resourceVersion") ?: "");
        return -1;
    }
    return 0;
}

enum MHD_Result api_node_patch(struct request *r)
{
    return api_patch_serve(r, patch_once);
}

enum MHD_Result api_node_replace(struct request *r)
{
    struct api_write w = {.mode = STORE_WRITE_REPLACE};
    json_t *status = NULL, *out = NULL;
    json_auto_t *body = NULL, *cur = NULL;
    _cleanup_(store_closep) struct store *s = NULL;
    if (api_write_options(r, "UpdateOptions", &w, &status) < 0 ||
        api_write_body(r, "Node", w.validation, &body, &status) < 0 ||
        current(r, &s, &cur, &status) < 0 || write_node(r, s, cur, body, &w, &out, &status) < 0)
        return api_reply_status_json(r, status);
    return api_reply_json(r, 200, out);
}
