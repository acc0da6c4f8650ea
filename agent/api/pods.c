/* SPDX-License-Identifier: Apache-2.0 */
/* Pods: apply, list, get. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "api/pod-table.h"
#include "api/read.h"
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

/* Stores the stream's documents in one transaction: all or none. */
static int store_docs(struct request *r, const struct manifest_result *mr, json_t **ret_items,
                      orc_error_t *err)
{
    _cleanup_(store_closep) struct store *s = NULL;
    if (api_open_store(r, &s, err) < 0)
        return -1;
    _cleanup_free_ enum apply_action *acts = new0(enum apply_action, mr->n_docs + 1);
    if (store_apply(s, mr->docs, mr->n_docs, acts, err) < 0)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < mr->n_docs; i++) {
        const struct manifest_doc *d = &mr->docs[i];
        const json_t *meta = json_object_get(d->object, "metadata");
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:s,s:s}", "kind", d->kind, "namespace",
                             d->pod ? d->pod->namespace : orc_json_str(meta, "namespace") ?: "",
                             "name",
                             d->pod ? d->pod->name : orc_json_str(meta, "name"), "action",
                             apply_action_to_string(acts[i])));
        if (d->object && acts[i] != APPLY_UNCHANGED)
            orcd_objects_changed(r->o);
    }
    *ret_items = items;
    return 0;
}

/* ?skipUnsupported=true (orc apply --skip-unsupported): documents of kinds orc does not
 * serve yet are skipped with a warning instead of refusing the stream; ?namespace=NS (orc
 * apply -n): documents without a namespace go there. */
enum MHD_Result api_apply(struct request *r)
{
    const char *file = api_query(r, "filename");
    enum manifest_parse_flags flags =
        api_query_bool(r, "skipUnsupported") ? MANIFEST_SKIP_UNSUPPORTED : 0;
    _cleanup_(manifest_result_freep) struct manifest_result *mr = NULL;
    const char *ns = api_query(r, "namespace");
    manifest_parse_with(r->body ? r->body : "", r->body_len, file && *file ? file : "<stdin>",
                        ns && *ns ? ns : NULL, flags, &mr);
    if (mr->n_errors)
        return invalid(r, mr);
    orc_error_t err = NULL;
    json_t *items = NULL;
    if (store_docs(r, mr, &items, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    if (mr->n_docs)
        orcd_wake(r->o);
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:o,s:o}", "kind", "ApplyResult", "apiVersion",
                                    "orc.dev/v1", "items", items, "warnings",
                                    warnings_json(r, mr)));
}

/* The pods' texts and the resourceVersion a watch goes on from, in one read transaction. */
static int read_pods(struct store *s, const char *ns, struct store_pod_text **ret, size_t *ret_n,
                     int64_t *ret_rv, orc_error_t *err)
{
    if (store_read_begin(s, err) < 0)
        return -1;
    int rc = store_pod_texts(s, ns, ret, ret_n, err);
    if (rc == 0)
        rc = store_resource_version(s, ret_rv, err);
    store_read_end(s);
    if (rc < 0) {
        store_pod_texts_free(*ret, *ret_n);
        *ret = NULL;
    }
    return rc;
}

/* A page of pods, selected, as a list or a Table, from their texts: each pod's parsed JSON
 * and Table row are kept between requests while its text stays the same (pod-table.c), so
 * only pods that changed are parsed, and a list's items are the stored texts. */
static enum MHD_Result pods_page(struct request *r, const struct api_read *rd, struct store *s,
                                 const char *ns)
{
    orc_error_t err = NULL;
    struct store_pod_text *pods = NULL;
    size_t n = 0, remaining = 0;
    int64_t rv = 0;
    if (read_pods(s, ns, &pods, &n, &rv, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    if (list_options_check(&rd->opts, rv, &err) < 0) {
        store_pod_texts_free(pods, n);
        return api_reply_rv_error(r, &err);
    }
    _cleanup_free_ size_t *idx = new0(size_t, n + 1);
    size_t k = pod_table_select(r->pod_table, pods, n, rd, idx, &remaining);
    const struct store_pod_text *last = k ? &pods[idx[k - 1]] : NULL;
    json_t *meta =
        api_list_meta(rd, rv, last ? last->namespace : NULL, last ? last->name : NULL, remaining);
    struct text_buf out = {0};
    if (rd->media.as == API_AS_TABLE) {
        struct table_options opt = api_table_options(rd);
        pod_table_rows(r->pod_table, pods, idx, k, &opt, &out);
    } else {
        for (size_t i = 0; i < k; i++) {
            text_buf_puts(&out, i ? "," : "");
            text_buf_add(&out, pods[idx[i]].text, pods[idx[i]].len);
        }
    }
    store_pod_texts_free(pods, n);
    enum MHD_Result ret = rd->media.as == API_AS_TABLE
                              ? api_reply_table_text(r, rd, "Pod", meta, &out)
                              : api_reply_list_items(r, "Pod", meta, &out);
    text_buf_done(&out);
    return ret;
}

/* The list of pods as JSON, for the forms not built from texts (PartialObjectMetadataList). */
static enum MHD_Result pods_parsed(struct request *r, const struct api_read *rd, struct store *s,
                                   const char *ns)
{
    orc_error_t err = NULL;
    struct store_pod_text *pods = NULL;
    size_t n = 0;
    int64_t rv = 0;
    if (read_pods(s, ns, &pods, &n, &rv, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items,
                              json_loadb(pods[i].text, pods[i].len, 0, NULL) ?: json_object());
    store_pod_texts_free(pods, n);
    return api_reply_list(r, rd, "Pod", items, rv);
}

/* Lists pods: the store's text as it is when nothing is selected or cut (a list of many pods
 * is not parsed and printed again), pages and Tables from the pods' texts (pods_page). */
enum MHD_Result api_pods_list(struct request *r)
{
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, "Pod", true, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    const char *ns = r->path.namespace ?: field_selector_exact(rd.fields, "metadata.namespace");
    _cleanup_(store_closep) struct store *s = NULL;
    if (api_open_store(r, &s, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    if (rd.media.as == API_AS_PARTIAL_LIST)
        return pods_parsed(r, &rd, s, ns);
    if (!api_read_whole(&rd))
        return pods_page(r, &rd, s, ns);
    _cleanup_free_ char *items = NULL;
    size_t len = 0, n = 0;
    int64_t rv = 0;
    /* the items and the resourceVersion a watch goes on from, in one read transaction */
    if (store_read_begin(s, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    int rc = store_pod_list_text(s, ns, &items, &len, &n, &err);
    if (rc == 0)
        rc = store_resource_version(s, &rv, &err);
    store_read_end(s);
    if (rc < 0)
        return api_reply_error(r, &err, NULL, NULL);
    return api_reply_list_text(r, &rd, "Pod", TAKE_PTR(items), len, rv);
}

enum MHD_Result api_pod_get(struct request *r)
{
    const char *ns = r->path.namespace, *name = r->path.name;
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, "Pod", false, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    _cleanup_(store_closep) struct store *s = NULL;
    json_t *pod = NULL;
    if (api_open_store(r, &s, &err) < 0 || store_pod_get(s, ns, name, &pod, &err) < 0)
        return api_reply_error(r, &err, "pods", name);
    return api_reply_object(r, &rd, "Pod", pod);
}
