/* SPDX-License-Identifier: Apache-2.0 */
/* The resources served through Kubernetes API paths, and routing to their handlers. */
#include "api/resources.h"

#include <stdbool.h>
#include <string.h>

#include "api/write.h"

static const struct api_subresource pod_subresources[] = {
    {.name = "log", .kind = "Pod", .get = api_logs},
    {.name = "status", .kind = "Pod", .get = api_pod_get},
    {0},
};

const struct api_resource api_resource_table[] = {
    {
        .group = "",
        .version = "v1",
        .name = "pods",
        .singular = "pod",
        .kind = "Pod",
        .namespaced = true,
        .short_names = {"po"},
        .categories = {"all"},
        .list = api_pods_list,
        .watch = api_watch,
        .get = api_pod_get,
        .create = api_pod_create,
        .replace = api_pod_replace,
        .patch = api_pod_patch,
        .delete = api_pod_delete,
        .subresources = pod_subresources,
    },
    {
        .group = "",
        .version = "v1",
        .name = "events",
        .singular = "event",
        .kind = "Event",
        .namespaced = true,
        .short_names = {"ev"},
        .list = api_events_list,
        .watch = api_watch,
        .get = api_event_get,
    },
    {
        .group = "",
        .version = "v1",
        .name = "nodes",
        .singular = "node",
        .kind = "Node",
        .short_names = {"no"},
        .list = api_nodes_list,
        .watch = api_watch,
        .get = api_node_get,
        .replace = api_node_replace,
        .patch = api_node_patch,
    },
    {
        .group = "",
        .version = "v1",
        .name = "namespaces",
        .singular = "namespace",
        .kind = "Namespace",
        .short_names = {"ns"},
        .list = api_namespaces_list,
        .watch = api_watch,
        .get = api_namespace_get,
        .create = api_namespace_create,
        .delete = api_namespace_delete,
    },
    {
        .group = "",
        .version = "v1",
        .name = "configmaps",
        .singular = "configmap",
        .kind = "ConfigMap",
        .namespaced = true,
        .short_names = {"cm"},
        .list = api_objects_list,
        .watch = api_watch,
        .get = api_object_get,
        .create = api_object_create,
        .replace = api_object_replace,
        .patch = api_object_patch,
        .delete = api_object_delete,
    },
    {
        .group = "",
        .version = "v1",
        .name = "secrets",
        .singular = "secret",
        .kind = "Secret",
        .namespaced = true,
        .list = api_objects_list,
        .watch = api_watch,
        .get = api_object_get,
        .create = api_object_create,
        .replace = api_object_replace,
        .patch = api_object_patch,
        .delete = api_object_delete,
    },
    {
        .group = "",
        .version = "v1",
        .name = "persistentvolumeclaims",
        .singular = "persistentvolumeclaim",
        .kind = "PersistentVolumeClaim",
        .namespaced = true,
        .short_names = {"pvc"},
        .list = api_objects_list,
        .watch = api_watch,
        .get = api_object_get,
        .create = api_object_create,
        .replace = api_object_replace,
        .patch = api_object_patch,
        .delete = api_object_delete,
    },
    {
        .group = "",
        .version = "v1",
        .name = "persistentvolumes",
        .singular = "persistentvolume",
        .kind = "PersistentVolume",
        .short_names = {"pv"},
        .list = api_objects_list,
        .watch = api_watch,
        .get = api_object_get,
        .create = api_object_create,
        .replace = api_object_replace,
        .patch = api_object_patch,
        .delete = api_object_delete,
    },
    {
        .group = "coordination.k8s.io",
        .version = "v1",
        .name = "leases",
        .singular = "lease",
        .kind = "Lease",
        .namespaced = true,
        .list = api_leases_list,
        .get = api_lease_get,
    },
    {
        .group = "events.k8s.io",
        .version = "v1",
        .name = "events",
        .singular = "event",
        .kind = "Event",
        .namespaced = true,
        .short_names = {"ev"},
        .list = api_events_list,
        .get = api_event_get,
    },
    {0},
};

const struct api_resource *api_resource_find(const char *group, const char *version,
                                             const char *name)
{
    for (const struct api_resource *res = api_resource_table; res->name; res++)
        if (!strcmp(res->group, group) && !strcmp(res->version, version) &&
            !strcmp(res->name, name))
            return res;
    return NULL;
}

const struct api_subresource *api_subresource_find(const struct api_resource *res, const char *name)
{
    for (const struct api_subresource *sub = res->subresources; sub && sub->name; sub++)
        if (!strcmp(sub->name, name))
            return sub;
    return NULL;
}

static enum MHD_Result not_found(struct request *r)
{
    return api_reply_status(r, 404, "NotFound", "the server could not find the requested resource",
                            NULL);
}

static enum MHD_Result serve(struct request *r, api_handler handler)
{
    if (!handler)
        return api_reply_status(r, 405, "MethodNotAllowed",
                                "the server does not allow this method on the requested resource",
                                NULL);
    return handler(r);
}

static bool is_method(const struct request *r, const char *m)
{
    return !strcmp(r->method, m);
}

static enum MHD_Result serve_subresource(struct request *r)
{
    const struct api_subresource *sub = api_subresource_find(r->res, r->path.subresource);
    if (!sub)
        return not_found(r);
    return serve(r, is_method(r, "GET")     ? sub->get
                    : is_method(r, "POST")  ? sub->create
                    : is_method(r, "PUT")   ? sub->replace
                    : is_method(r, "PATCH") ? sub->patch
                                            : NULL);
}

static enum MHD_Result serve_collection(struct request *r)
{
    const struct api_resource *res = r->res;
    if (is_method(r, "GET"))
        return serve(r, api_query_bool(r, "watch") ? res->watch : res->list);
    return serve(r, is_method(r, "POST") ? res->create : NULL);
}

enum MHD_Result api_resource_route(struct request *r)
{
    const struct k8s_path *p = &r->path;
    if (!p->version || !p->resource)
        return is_method(r, "GET") ? api_discovery(r) : serve(r, NULL);
    r->res = api_resource_find(p->group, p->version, p->resource);
    if (!r->res)
        return not_found(r);
    /* a namespaced resource's objects are only reached through their namespace; a
     * cluster-scoped resource has none */
    if (p->namespace && !r->res->namespaced)
        return not_found(r);
    if (p->name && r->res->namespaced && !p->namespace)
        return not_found(r);
    if (p->subresource)
        return serve_subresource(r);
    if (!p->name)
        return serve_collection(r);
    return serve(r, is_method(r, "GET")      ? r->res->get
                    : is_method(r, "PUT")    ? r->res->replace
                    : is_method(r, "PATCH")  ? r->res->patch
                    : is_method(r, "DELETE") ? r->res->delete
                                             : NULL);
}
