/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes API paths: which group, version, namespace, resource, name and subresource. */
#include "api/k8s-path.h"

#include <errno.h>
#include <string.h>

static int parse_rest(char *const *s, size_t n, struct k8s_path *p)
{
    if (n >= 2 && !strcmp(s[0], "namespaces")) {
        p->namespace = s[1];
        /* namespaces/NS/status and /finalize are the namespace's own subresources */
        if (n >= 3 && strcmp(s[2], "status") && strcmp(s[2], "finalize")) {
            s += 2;
            n -= 2;
        } else {
            p->namespace = NULL;
        }
    }
    if (n > 3)
        return -EINVAL;
    p->resource = n > 0 ? s[0] : NULL;
    p->name = n > 1 ? s[1] : NULL;
    p->subresource = n > 2 ? s[2] : NULL;
    return 0;
}

int k8s_path_parse(char *const *segs, size_t n, struct k8s_path *ret)
{
    struct k8s_path p = {0};
    size_t head;
    if (n >= 1 && !strcmp(segs[0], "api")) {
        p.group = "";
        head = 2;
    } else if (n >= 1 && !strcmp(segs[0], "apis")) {
        p.group = n >= 2 ? segs[1] : NULL; /* NULL: /apis, the group list */
        head = 3;
    } else {
        return -EINVAL;
    }
    if (n >= head) {
        p.version = segs[head - 1];
        if (parse_rest(segs + head, n - head, &p) < 0)
            return -EINVAL;
    }
    *ret = p;
    return 0;
}
