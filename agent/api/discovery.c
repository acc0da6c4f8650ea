/* SPDX-License-Identifier: Apache-2.0 */
/* Discovery as kube-apiserver serves it (unaggregated): /api, /apis and each group version's
 * resource list, built from the resource table. */
#include <stdbool.h>
#include <string.h>

#include "api/resources.h"
#include "cleanup.h"
#include "json-util.h"
#include "xalloc.h"

static json_t *verbs_of(api_handler list, api_handler watch, api_handler get, api_handler create,
                        api_handler replace, api_handler patch, api_handler delete)
{
    /* apiserver's order */
    json_t *verbs = json_array();
    const struct {
        const char *verb;
        api_handler h;
    } all[] = {{"create", create}, {"delete", delete},  {"get", get},    {"list", list},
               {"patch", patch},   {"update", replace}, {"watch", watch}};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (all[i].h)
            json_array_append_new(verbs, json_string(all[i].verb));
    return verbs;
}

static json_t *strings(const char *const *list)
{
    json_t *a = json_array();
    for (size_t i = 0; list[i]; i++)
        json_array_append_new(a, json_string(list[i]));
    return a;
}

static json_t *resource_json(const struct api_resource *res)
{
    json_t *o = json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", res->name, "singularName", res->singular,
                          "namespaced", res->namespaced, "kind", res->kind, "verbs",
                          verbs_of(res->list, res->watch, res->get, res->create, res->replace,
                                   res->patch, res->delete));
    if (res->short_names[0])
        json_object_set_new(o, "shortNames", strings(res->short_names));
    if (res->categories[0])
        json_object_set_new(o, "categories", strings(res->categories));
    return o;
}

static json_t *subresource_json(const struct api_resource *res, const struct api_subresource *sub)
{
    json_t *o =
        json_pack("{s:s+++,s:s,s:b,s:s,s:o}", "name", res->name, "/", sub->name, "", "singularName",
                  "", "namespaced", res->namespaced, "kind", sub->kind, "verbs",
                  verbs_of(NULL, NULL, sub->get, sub->create, sub->replace, sub->patch, NULL));
    return o;
}

static char *group_version(const char *group, const char *version)
{
    return *group ? xasprintf("%s/%s", group, version) : xstrdup(version);
}

static enum MHD_Result resource_list(struct request *r, const char *group, const char *version)
{
    json_t *resources = json_array();
    for (const struct api_resource *res = api_resource_table; res->name; res++) {
        if (strcmp(res->group, group) || strcmp(res->version, version))
            continue;
        json_array_append_new(resources, resource_json(res));
        for (const struct api_subresource *sub = res->subresources; sub && sub->name; sub++)
            json_array_append_new(resources, subresource_json(res, sub));
    }
    if (!json_array_size(resources)) {
        json_decref(resources);
        return api_reply_status(r, 404, "NotFound",
                                "the server could not find the requested resource", NULL);
    }
    _cleanup_free_ char *gv = group_version(group, version);
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:s,s:o}", "kind", "APIResourceList", "apiVersion",
                                    "v1", "groupVersion", gv, "resources", resources));
}

static bool has_version(json_t *versions, const char *gv)
{
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v)
        if (!strcmp(orc_json_str(v, "groupVersion"), gv))
            return true;
    return false;
}

/* An APIGroup: the group's versions in the table's order, the first preferred; NULL when the
 * table has none. */
static json_t *group_json(const char *group)
{
    json_t *versions = json_array();
    for (const struct api_resource *res = api_resource_table; res->name; res++) {
        _cleanup_free_ char *gv = group_version(group, res->version);
        if (!strcmp(res->group, group) && !has_version(versions, gv))
            json_array_append_new(
                versions, json_pack("{s:s,s:s}", "groupVersion", gv, "version", res->version));
    }
    if (!json_array_size(versions)) {
        json_decref(versions);
        return NULL;
    }
    json_t *preferred = json_deep_copy(json_array_get(versions, 0));
    return json_pack("{s:s,s:s,s:s,s:o,s:o}", "kind", "APIGroup", "apiVersion", "v1", "name", group,
                     "versions", versions, "preferredVersion", preferred);
}

static enum MHD_Result group_list(struct request *r)
{
    json_t *groups = json_array();
    for (const struct api_resource *res = api_resource_table; res->name; res++) {
        if (!*res->group)
            continue;
        bool seen = false;
        for (const struct api_resource *e = api_resource_table; e < res && !seen; e++)
            seen = !strcmp(e->group, res->group);
        if (seen)
            continue;
        json_t *g = group_json(res->group);
        json_object_del(g, "kind");
        json_object_del(g, "apiVersion");
        json_array_append_new(groups, g);
    }
    return api_reply_json(
        r, 200,
        json_pack("{s:s,s:s,s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups", groups));
}

enum MHD_Result api_discovery(struct request *r)
{
    const struct k8s_path *p = &r->path;
    if (!p->group)
        return group_list(r);
    if (!*p->group && !p->version)
        return api_reply_json(r, 200,
                              json_pack("{s:s,s:[s],s:[{s:s,s:s}]}", "kind", "APIVersions",
                                        "versions", "v1", "serverAddressByClientCIDRs",
                                        "clientCIDR", "0.0.0.0/0", "serverAddress", "127.0.0.1"));
    if (!p->version) {
        json_t *g = group_json(p->group);
        if (!g)
            return api_reply_status(r, 404, "NotFound",
                                    "the server could not find the requested resource", NULL);
        return api_reply_json(r, 200, g);
    }
    return resource_list(r, p->group, p->version);
}
