/* SPDX-License-Identifier: Apache-2.0 */
/* The downward API's facts and the stored objects a container's environment is made from. */
#include "pods/container-env.h"

#include <errno.h>

#include "store/store.h"

struct expand_facts container_env_facts(const struct pod_env *env, const char *pod_uid,
                                        const char *pod_ip, const json_t *objects)
{
    const struct pod_config *c = env->config;
    /* the node's allocatable is what the machine has: orc reserves nothing */
    return (struct expand_facts){.pod_uid = pod_uid,
                                 .node_name = c->node_name,
                                 .pod_ip = pod_ip,
                                 .host_ip = POD_NODE_HOST_IP,
                                 .node_cpu_milli = c->node_cpu_milli,
                                 .node_memory = c->node_memory,
                                 .node_ephemeral_storage = c->node_storage,
                                 .objects = objects};
}

int container_env_objects(struct store *s, const struct pod *pod, const struct container *c,
                          json_t **ret, orc_error_t *err)
{
    json_auto_t *refs = expand_container_refs(c);
    const char *kind;
    json_t *names;
    json_object_foreach(refs, kind, names) {
        const char *name;
        json_t *slot, *tmp;
        json_object_foreach_safe(names, tmp, name, slot) {
            json_t *obj = NULL;
            int r = store_object_get(s, kind, pod->namespace, name, &obj, err);
            if (r == -ENOENT) {
                orc_error_release(err);
                json_object_del(names, name); /* absent: it does not exist */
                continue;
            }
            if (r < 0)
                return orc_error_wrap(err, "read %s %s/%s", kind, pod->namespace, name);
            json_object_set_new(names, name, obj);
        }
    }
    *ret = json_incref(refs);
    return 0;
}
