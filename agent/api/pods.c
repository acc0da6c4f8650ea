/* SPDX-License-Identifier: Apache-2.0 */
/* Pods: apply, list, get; events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "cleanup.h"
#include "json-util.h"
#include "manifest.h"
#include "orcd.h"
#include "store/store.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct manifest_result *, manifest_result_free)

static enum MHD_Result invalid(struct request *r, const struct manifest_result *mr)
{
    json_t *causes = json_array();
    for (size_t i = 0; i < mr->n_errors; i++) {
        _cleanup_free_ char *text = manifest_diag_format(&mr->errors[i]);
        json_array_append_new(causes, json_pack("{s:s,s:s,s:s}", "reason", "FieldValueInvalid",
                                                "field", mr->errors[i].path, "message", text));
    }
    _cleanup_free_ char *first = manifest_diag_format(&mr->errors[0]);
    bool syntax = mr->n_errors == 1 && !*mr->errors[0].path;
    return api_reply_status(r, syntax ? 400 : 422, syntax ? "BadRequest" : "Invalid", first,
                            json_pack("{s:o}", "causes", causes));
}

/* The warnings as the result's list, and as Warning headers for Kubernetes clients. */
static json_t *warnings_json(struct request *r, const struct manifest_result *mr)
{
    json_t *w = json_array();
    for (size_t i = 0; i < mr->n_warnings; i++) {
        _cleanup_free_ char *text = manifest_diag_format(&mr->warnings[i]);
        json_array_append_new(w, json_string(text));
        api_warn(r, text);
    }
    return w;
}

/* Stores the stream's pods in one transaction: all or none. */
static int store_pods(struct request *r, const struct manifest_result *mr, json_t **ret_items,
                      orc_error_t *err)
{
    _cleanup_(store_closep) struct store *s = NULL;
    if (api_open_store(r, &s, err) < 0)
        return -1;
    _cleanup_free_ struct pod **pods = new0(struct pod *, mr->n_docs + 1);
    _cleanup_free_ enum apply_action *acts = new0(enum apply_action, mr->n_docs + 1);
    for (size_t i = 0; i < mr->n_docs; i++)
        pods[i] = mr->docs[i].pod;
    if (store_apply_pods(s, pods, mr->n_docs, acts, err) < 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < mr->n_docs; i++)
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s}", "kind", "Pod", "namespace",
                                               pods[i]->namespace, "name", pods[i]->name, "action",
                                               apply_action_to_string(acts[i])));
    *ret_items = items;
    return 0;
}

/* ?skipUnsupported=true (orc apply --skip-unsupported): documents of kinds orc does not
 * serve yet are skipped with a warning instead of refusing the stream. */
enum MHD_Result api_apply(struct request *r)
{
    const char *file = api_query(r, "filename");
    enum manifest_parse_flags flags =
        api_query_bool(r, "skipUnsupported") ? MANIFEST_SKIP_UNSUPPORTED : 0;
    _cleanup_(manifest_result_freep) struct manifest_result *mr = NULL;
    manifest_parse_with(r->body ? r->body : "", r->body_len, file && *file ? file : "<stdin>",
                        flags, &mr);
    if (mr->n_errors)
        return invalid(r, mr);
    orc_error_t err = NULL;
    json_t *items = NULL;
    if (store_pods(r, mr, &items, &err) < 0)
        return api_reply_error(r, &err, "pods", NULL);
    if (mr->n_docs)
        orcd_wake(r->o);
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:o,s:o}", "kind", "ApplyResult", "apiVersion",
                                    "orc.dev/v1", "items", items, "warnings",
                                    warnings_json(r, mr)));
}

enum MHD_Result api_pods_list(struct request *r)
{
    const char *ns = r->path.namespace;
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    _cleanup_free_ char *items = NULL;
    size_t len = 0;
    int64_t rv = 0;
    if (api_open_store(r, &s, &err) < 0 || store_read_begin(s, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    /* the items and the resourceVersion a watch goes on from, in one read transaction */
    int rc = store_pod_list_text(s, ns, &items, &len, &err);
    if (rc == 0)
        rc = store_resource_version(s, &rv, &err);
    store_read_end(s);
    if (rc < 0)
        return api_reply_error(r, &err, NULL, NULL);
    _cleanup_free_ char *head = xasprintf(
        "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"%lld\"},"
        "\"items\":",
        (long long) rv);
    size_t hl = strlen(head);
    char *text = xmalloc(hl + len + 3);
    memcpy(text, head, hl);
    memcpy(text + hl, items, len);
    memcpy(text + hl + len, "}\n", 3);
    return api_reply_json_text(r, 200, text, hl + len + 2);
}

enum MHD_Result api_pod_get(struct request *r)
{
    const char *ns = r->path.namespace, *name = r->path.name;
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    json_t *pod = NULL;
    if (api_open_store(r, &s, &err) < 0 || store_pod_get(s, ns, name, &pod, &err) < 0)
        return api_reply_error(r, &err, "pods", name);
    return api_reply_json(r, 200, pod);
}

enum MHD_Result api_events(struct request *r)
{
    const char *ns = r->path.namespace;
    const char *sel = api_query(r, "fieldSelector");
    const char *prefix = "involvedObject.name=";
    const char *name = sel && !strncmp(sel, prefix, strlen(prefix)) ? sel + strlen(prefix) : NULL;
    if (sel && !name)
        return api_reply_status(r, 400, "BadRequest",
                                "only the field selector involvedObject.name=NAME is supported",
                                NULL);
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    json_t *items = NULL;
    int64_t rv = 0;
    if (api_open_store(r, &s, &err) < 0 || store_read_begin(s, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    int rc = store_event_list(s, ns, name, &items, &err);
    if (rc == 0)
        rc = store_resource_version(s, &rv, &err);
    store_read_end(s);
    if (rc < 0) {
        json_decref(items);
        return api_reply_error(r, &err, NULL, NULL);
    }
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:{s:o},s:o}", "kind", "EventList", "apiVersion",
                                    "v1", "metadata", "resourceVersion",
                                    json_sprintf("%lld", (long long) rv), "items", items));
}
