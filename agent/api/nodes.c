/* SPDX-License-Identifier: Apache-2.0 */
/* nodes and leases: this machine, and its lease in kube-node-lease (read-only). */
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "api/node-status.h"
#include "api/read.h"
#include "cleanup.h"
#include "json-util.h"
#include "orcd.h"
#include "store/store.h"
#include "xalloc.h"

static enum MHD_Result not_found(struct request *r, const char *resource, const char *name)
{
    _cleanup_free_ char *msg = xasprintf("%s \"%s\" not found", resource, name);
    return api_reply_status(r, 404, "NotFound", msg,
                            json_pack("{s:s,s:s}", "name", name, "kind", resource));
}

/* The node now; its resourceVersion is the list's (the store's is not its status'). */
static json_t *node_json(struct request *r, int64_t *ret_rv)
{
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    if (api_open_store(r, &s, &err) < 0 || store_resource_version(s, ret_rv, &err) < 0) {
        orc_error_release(&err); /* the Ready condition says the store fails */
        s = store_close(s);
    }
    return node_status_node_json(r->o, s, NULL);
}

/* A list or get of kind through read.c: the one object, or the list holding it or nothing. */
static enum MHD_Result serve(struct request *r, const char *kind, bool list, json_t *obj,
                             int64_t rv)
{
    orc_error_t err = NULL;
    _cleanup_(api_read_done) struct api_read rd = {0};
    if (api_read_parse(r, kind, list, &rd, &err) < 0) {
        json_decref(obj);
        return api_reply_error(r, &err, NULL, NULL);
    }
    if (!list)
        return api_reply_object(r, &rd, kind, obj);
    return api_reply_list(r, &rd, kind, obj ? json_pack("[o]", obj) : json_array(), rv);
}

enum MHD_Result api_nodes_list(struct request *r)
{
    int64_t rv = 0;
    json_t *node = node_json(r, &rv);
    return serve(r, "Node", true, node, rv);
}

enum MHD_Result api_node_get(struct request *r)
{
    if (strcmp(r->path.name, node_status_name(r->o->node)) != 0)
        return not_found(r, "nodes", r->path.name);
    int64_t rv = 0;
    return serve(r, "Node", false, node_json(r, &rv), rv);
}

static bool lease_namespace(const char *ns)
{
    return !ns || !strcmp(ns, STORE_NODE_LEASE_NAMESPACE);
}

static int64_t store_rv(struct request *r)
{
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    int64_t rv = 0;
    if (api_open_store(r, &s, &err) < 0 || store_resource_version(s, &rv, &err) < 0)
        orc_error_release(&err);
    return rv;
}

enum MHD_Result api_leases_list(struct request *r)
{
    json_t *lease = lease_namespace(r->path.namespace) ? node_status_lease_json(r->o) : NULL;
    return serve(r, "Lease", true, lease, store_rv(r));
}

enum MHD_Result api_lease_get(struct request *r)
{
    if (!lease_namespace(r->path.namespace) ||
        strcmp(r->path.name, node_status_name(r->o->node)) != 0)
        return not_found(r, "leases.coordination.k8s.io", r->path.name);
    return serve(r, "Lease", false, node_status_lease_json(r->o), 0);
}
