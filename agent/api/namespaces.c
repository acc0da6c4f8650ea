/* SPDX-License-Identifier: Apache-2.0 */
/* namespaces: the built-in ones and every one a pod was created in (read-only). */
#include "api/internal.h"
#include "api/read.h"
#include "cleanup.h"
#include "store/store.h"

enum MHD_Result api_namespaces_list(struct request *r)
{
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, "Namespace", true, &rd, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    _cleanup_(store_closep) struct store *s = NULL;
    json_t *items = NULL;
    int64_t rv = 0;
    if (api_open_store(r, &s, &err) < 0 || store_read_begin(s, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    int rc = store_object_list(s, "Namespace", NULL, &items, &err);
    if (rc == 0)
        rc = store_resource_version(s, &rv, &err);
    store_read_end(s);
    if (rc < 0) {
        json_decref(items);
        return api_reply_error(r, &err, NULL, NULL);
    }
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
