/* SPDX-License-Identifier: Apache-2.0 */
/* namespaces: the built-in ones, every one a pod was created in, and those created. */
#include <string.h>

#include "api/internal.h"
#include "api/read.h"
#include "api/write.h"
#include "cleanup.h"
#include "json-util.h"
#include "manifest.h"
#include "orcd.h"
#include "store/store.h"
#include "xalloc.h"

enum MHD_Result api_namespaces_list(struct request *r)
{
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, "Namespace", true, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    _cleanup_(store_closep) struct store *s = NULL;
    json_t *items = NULL;
    int64_t rv = 0;
    if (api_open_store(r, &s, &err) < 0 ||
        store_list_read(s, "Namespace", NULL, NULL, &items, &rv, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    return api_reply_list(r, &rd, "Namespace", items, rv);
}

enum MHD_Result api_namespace_get(struct request *r)
{
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, "Namespace", false, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    _cleanup_(store_closep) struct store *s = NULL;
    json_t *ns = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_object_get(s, "Namespace", NULL, r->path.name, &ns, &err) < 0)
        return api_reply_error(r, &err, "namespaces", r->path.name);
    return api_reply_object(r, &rd, "Namespace", ns);
}

/* What of the body a namespace takes (its name, labels, annotations), or the Status that
 * refuses it, worded as kube-apiserver's. */
static json_t *check_namespace(const json_t *obj, const char **ret_name)
{
    const char *api = orc_json_str(obj, "apiVersion"), *kind = orc_json_str(obj, "kind");
    if ((api && *api && strcmp(api, "v1")) || (kind && *kind && strcmp(kind, "Namespace"))) {
        _cleanup_free_ char *msg =
            xasprintf("the object provided is unrecognized (must be of type Namespace): %s/%s",
                      api ? api : "", kind ? kind : "");
        return api_status_new(400, "BadRequest", msg, NULL);
    }
    const json_t *meta = json_object_get(obj, "metadata");
    const char *name = orc_json_str(meta, "name");
    const json_t *labels = json_object_get(meta, "labels"),
                 *ann = json_object_get(meta, "annotations");
    if ((labels && !json_is_object(labels)) || (ann && !json_is_object(ann)))
        return api_status_new(400, "BadRequest",
                              "the object provided is unrecognized (must be of type Namespace): "
                              "metadata.labels and metadata.annotations are maps of strings",
                              NULL);
    const char *why = NULL;
    _cleanup_free_ char *detail = NULL;
    if (!name || !*name)
        why = "metadata.name: Required value: name or generateName is required";
    else if (!manifest_is_dns1123_label(name))
        why = detail = xasprintf(
            "metadata.name: Invalid value: \"%s\": a lowercase RFC 1123 label must consist of "
            "lower case alphanumeric characters or '-', and must start and end with an "
            "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation "
            "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            name);
    if (why) {
        _cleanup_free_ char *msg =
            xasprintf("Namespace \"%s\" is invalid: %s", name ? name : "", why);
        return api_status_new(
            422, "Invalid", msg,
            json_pack("{s:s,s:s}", "name", name ? name : "", "kind", "Namespace"));
    }
    *ret_name = name;
    return NULL;
}

/* POST: a namespace of the user's (dryRun as for pods); 201 with it, 409 when it exists. */
enum MHD_Result api_namespace_create(struct request *r)
{
    struct api_write w = {.mode = STORE_WRITE_CREATE};
    json_t *status = NULL, *created = NULL;
    json_auto_t *obj = NULL;
    const char *name = NULL;
    if (api_write_options(r, "CreateOptions", &w, &status) < 0 ||
        api_write_body_typed(r, "Namespace", w.validation, &obj, &status) < 0 ||
        (status = check_namespace(obj, &name)))
        return api_reply_status_json(r, status);
    const json_t *meta = json_object_get(obj, "metadata");
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_namespace_create(s, name, json_object_get(meta, "labels"),
                               json_object_get(meta, "annotations"), w.dry_run, &created, &err) < 0)
        return api_reply_error(r, &err, "namespaces", name);
    return api_reply_json(r, 201, created);
}

/* DELETE: the namespace Terminating, what it holds deleted (its pods gracefully); the loop
 * removes it once its pods are gone. kube-apiserver answers the namespace as it is now. */
enum MHD_Result api_namespace_delete(struct request *r)
{
    struct store_delete d;
    json_auto_t *body = NULL;
    json_t *status = NULL, *ns = NULL;
    if (api_delete_options(r, &d, &body, &status) < 0)
        return api_reply_status_json(r, status);
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    if (api_open_store(r, &s, &err) < 0 ||
        store_namespace_delete(s, r->path.name, &d, &ns, &err) < 0)
        return api_reply_error(r, &err, "namespaces", r->path.name);
    if (!d.dry_run)
        orcd_objects_changed(r->o);
    return api_reply_json(r, 200, ns);
}
