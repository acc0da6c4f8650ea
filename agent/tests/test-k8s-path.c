/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes API paths split as kube-apiserver's request info does. */
#include <string.h>

#include "api/k8s-path.h"
#include "tap.h"

static int parse(const char *path, struct k8s_path *p)
{
    static char buf[256];
    static char *segs[16];
    size_t n = 0;
    strcpy(buf, path);
    for (char *save = NULL, *s = strtok_r(buf, "/", &save); s; s = strtok_r(NULL, "/", &save))
        segs[n++] = s;
    return k8s_path_parse(segs, n, p);
}

#define S(x) ((x) ? (x) : "(none)")

static void expect(const char *path, const char *group, const char *version, const char *ns,
                   const char *resource, const char *name, const char *sub)
{
    struct k8s_path p;
    tap_ok(parse(path, &p) == 0, "%s parses", path);
    tap_is_str(S(p.group), S(group), "%s: group", path);
    tap_is_str(S(p.version), S(version), "%s: version", path);
    tap_is_str(S(p.namespace), S(ns), "%s: namespace", path);
    tap_is_str(S(p.resource), S(resource), "%s: resource", path);
    tap_is_str(S(p.name), S(name), "%s: name", path);
    tap_is_str(S(p.subresource), S(sub), "%s: subresource", path);
}

int main(void)
{
    expect("/api", "", NULL, NULL, NULL, NULL, NULL);
    expect("/api/v1", "", "v1", NULL, NULL, NULL, NULL);
    expect("/apis", NULL, NULL, NULL, NULL, NULL, NULL);
    expect("/apis/events.k8s.io", "events.k8s.io", NULL, NULL, NULL, NULL, NULL);
    expect("/apis/events.k8s.io/v1", "events.k8s.io", "v1", NULL, NULL, NULL, NULL);
    expect("/api/v1/pods", "", "v1", NULL, "pods", NULL, NULL);
    expect("/api/v1/nodes/n1", "", "v1", NULL, "nodes", "n1", NULL);
    expect("/api/v1/namespaces/default/pods", "", "v1", "default", "pods", NULL, NULL);
    expect("/api/v1/namespaces/default/pods/web/log", "", "v1", "default", "pods", "web", "log");
    expect("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1",
           "coordination.k8s.io", "v1", "kube-node-lease", "leases", "n1", NULL);
    /* the namespace itself and its own subresources */
    expect("/api/v1/namespaces", "", "v1", NULL, "namespaces", NULL, NULL);
    expect("/api/v1/namespaces/default", "", "v1", NULL, "namespaces", "default", NULL);
    expect("/api/v1/namespaces/default/status", "", "v1", NULL, "namespaces", "default", "status");
    expect("/api/v1/namespaces/default/finalize", "", "v1", NULL, "namespaces", "default",
           "finalize");

    struct k8s_path p;
    tap_ok(parse("/version", &p) < 0, "/version is not a resource path");
    tap_ok(parse("/healthz", &p) < 0, "/healthz is not a resource path");
    tap_ok(parse("/api/v1/namespaces/a/pods/b/log/extra", &p) < 0, "too deep a path is refused");
    tap_ok(parse("/api/v1/pods/a/b/c", &p) < 0, "too deep a cluster path is refused");
    return tap_done();
}
