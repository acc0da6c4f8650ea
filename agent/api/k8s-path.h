/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/*
 * A Kubernetes API path split into what it names, as kube-apiserver's request info does:
 *   /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]
 *   /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]
 * /api/v1/namespaces/NS is the namespace NS itself, and .../namespaces/NS/status and
 * /finalize its subresources. Pure: the fields point into the segments given.
 */
struct k8s_path {
    const char *group;       /* "" for the core group; NULL for /apis (the group list) */
    const char *version;     /* NULL: /api or /apis/GROUP (discovery) */
    const char *namespace;   /* NULL: every namespace, or a cluster-scoped resource */
    const char *resource;    /* NULL: the group version's resource list (discovery) */
    const char *name;        /* NULL: the collection */
    const char *subresource; /* NULL, "log", "status", ... */
};

/* Parses segs[0..n) (the path split at '/'); -EINVAL when it is not a Kubernetes API path
 * (does not start with "api" or "apis", or has too many segments). */
int k8s_path_parse(char *const *segs, size_t n, struct k8s_path *ret);
