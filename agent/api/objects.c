/* SPDX-License-Identifier: Apache-2.0 */
/* ConfigMaps and Secrets (and every stored kind besides pods that users write): list, get,
 * create, replace, patch, delete; the kind is the routed resource's (r->res). */
#include <string.h>

#include "api/read.h"
#include "api/resources.h"
#include "api/write.h"
#include "cleanup.h"
#include "json-util.h"
#include "manifest.h"
#include "orcd.h"
#include "patch.h"
#include "store/store.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct manifest_result *, manifest_result_free)

enum MHD_Result api_objects_list(struct request *r)
{
    orc_error_t err = NULL;
    const char *kind = r->res->kind;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, kind, true, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    const char *ns = r->path.namespace ?: field_selector_exact(rd.fields, "metadata.namespace");
    _cleanup_(store_closep) struct store *s = NULL;
    json_t *items = NULL;
    int64_t rv = 0;
    if (api_open_store(r, &s, &err) < 0 ||
        store_list_read(s, kind, ns, NULL, &items, &rv, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    return api_reply_list(r, &rd, kind, items, rv);
}

enum MHD_Result api_object_get(struct request *r)
{
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, r->res->kind, false, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    _cleanup_(store_closep) struct store *s = NULL;
    json_t *obj = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_object_get(s, r->res->kind, r->path.namespace ?: "", r->path.name, &obj, &err) < 0)
        return api_reply_error(r, &err, r->res->name, r->path.name);
    return api_reply_object(r, &rd, r->res->kind, obj);
}

/* A committed change of an object pods may use: the loop is woken with the mark that makes
 * every pod worker look at its references again. */
static void changed(struct request *r, bool dry_run)
{
    if (!dry_run)
        orcd_objects_changed(r->o);
}

/* obj (the whole new object) checked, decoded and stored: *ret as stored. */
static int write_object(struct request *r, json_t *obj, const struct api_write *w, json_t **ret,
                        json_t **ret_status)
{
    _cleanup_(manifest_result_freep) struct manifest_result *mr = NULL;
    if (api_write_decode(r, obj, r->res->kind, w, &mr, ret_status) < 0)
        return -1;
    const json_t *meta = json_object_get(obj, "metadata");
    struct store_write sw = {
        .mode = w->mode,
        .resource_version = orc_json_str(meta, "resourceVersion"),
        .uid = w->mode == STORE_WRITE_REPLACE ? orc_json_str(meta, "uid") : NULL,
        .dry_run = w->dry_run,
    };
    const json_t *decoded = mr->docs[0].object;
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_object_write(s, decoded, &sw, NULL, ret, &err) < 0) {
        *ret_status = api_status_from_error(&err, r->res->name, orc_json_str(meta, "name"));
        return -1;
    }
    changed(r, w->dry_run);
    return 0;
}

static enum MHD_Result write_request(struct request *r, enum store_write_mode mode)
{
    struct api_write w = {.mode = mode};
    json_t *status = NULL, *out = NULL;
    json_auto_t *obj = NULL;
    if (api_write_options(r, mode == STORE_WRITE_CREATE ? "CreateOptions" : "UpdateOptions", &w,
                          &status) < 0 ||
        api_write_body_typed(r, r->res->kind, w.validation, &obj, &status) < 0 ||
        write_object(r, obj, &w, &out, &status) < 0)
        return api_reply_status_json(r, status);
    return api_reply_json(r, mode == STORE_WRITE_CREATE ? 201 : 200, out);
}

enum MHD_Result api_object_create(struct request *r)
{
    return write_request(r, STORE_WRITE_CREATE);
}

enum MHD_Result api_object_replace(struct request *r)
{
    return write_request(r, STORE_WRITE_REPLACE);
}

static const char *resource_version(const json_t *obj)
{
    return orc_json_str(json_object_get(obj, "metadata"), "resourceVersion") ?: "";
}

/* One read, patch and write; *ret_retry when the write lost a race the patch did not ask to
 * detect. */
static int patch_once(struct request *r, enum patch_type type, const json_t *patch,
                      const struct api_write *w, json_t **ret, json_t **ret_status, bool *ret_retry)
{
    json_auto_t *cur = NULL, *patched = NULL;
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_object_get(s, r->res->kind, r->path.namespace ?: "", r->path.name, &cur, &err) < 0) {
        *ret_status = api_status_from_error(&err, r->res->name, r->path.name);
        return -1;
    }
    if (patch_apply(type, r->res->kind, cur, patch, &patched, &err) < 0) {
        *ret_status = api_patch_status(&err);
        return -1;
    }
    if (write_object(r, patched, w, ret, ret_status) < 0) {
        const char *reason = orc_json_str(*ret_status, "reason");
        *ret_retry = reason && !strcmp(reason, "Conflict") &&
                     !strcmp(resource_version(patched), resource_version(cur));
        return -1;
    }
    return 0;
}

enum MHD_Result api_object_patch(struct request *r)
{
    return api_patch_serve(r, patch_once);
}

/* DELETE: removed at once; kube-apiserver answers a Status of success naming it. */
enum MHD_Result api_object_delete(struct request *r)
{
    struct store_delete d;
    json_auto_t *body = NULL, *gone = NULL;
    json_t *status = NULL;
    if (api_delete_options(r, &d, &body, &status) < 0)
        return api_reply_status_json(r, status);
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_object_delete(s, r->res->kind, r->path.namespace ?: "", r->path.name, &d, &gone,
                            &err) < 0)
        return api_reply_error(r, &err, r->res->name, r->path.name);
    changed(r, d.dry_run);
    const char *uid = orc_json_str(json_object_get(gone, "metadata"), "uid");
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:{},s:s,s:{s:s,s:s,s:s}}", "kind", "Status",
                                    "apiVersion", "v1", "metadata", "status", "Success", "details",
                                    "name", r->path.name, "kind", r->res->name, "uid",
                                    uid ? uid : ""));
}
