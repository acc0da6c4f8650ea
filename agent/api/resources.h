/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "api/internal.h"

/*
 * The resources orcd serves through the Kubernetes API paths: one table drives routing and
 * discovery. A verb is served when its handler is set; the handler finds what the path named
 * in r->path (namespace, name, subresource) and the resource in r->res.
 */
typedef enum MHD_Result (*api_handler)(struct request *r);

struct api_subresource {
    const char *name; /* "log", "status" */
    const char *kind; /* the kind discovery shows for it */
    api_handler get, create, replace, patch;
};

struct api_resource {
    const char *group; /* "" for the core group */
    const char *version;
    const char *name; /* plural, as in paths: "pods" */
    const char *singular;
    const char *kind;
    bool namespaced;
    const char *short_names[4]; /* NULL-terminated */
    const char *categories[4];
    api_handler list, watch, get, create, replace, patch, delete;
    const struct api_subresource *subresources; /* ends with a NULL name */
};

/* The table, ending with a NULL name. */
extern const struct api_resource api_resource_table[];

const struct api_resource *api_resource_find(const char *group, const char *version,
                                             const char *name);
const struct api_subresource *api_subresource_find(const struct api_resource *res,
                                                   const char *name);
/* Routes a parsed Kubernetes path (r->path) by method: discovery, or the resource's handler;
 * 404 for what is not served, 405 for a verb the resource does not have. */
enum MHD_Result api_resource_route(struct request *r);

/* discovery.c: /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION */
enum MHD_Result api_discovery(struct request *r);
