/* SPDX-License-Identifier: Apache-2.0 */
/* struct pod <-> normalised Kubernetes JSON (what the store keeps and compares). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "manifest.h"
#include "quantity.h"
#include "security-context.h"
#include "strv.h"
#include "xalloc.h"

/* Canonical quantities, as Kubernetes writes them back: "500m" or "2" CPUs, bytes. */
static void set_quantities(json_t *o, int64_t cpu_milli, int64_t memory)
{
    char buf[32];
    if (cpu_milli) {
        if (cpu_milli % 1000)
            snprintf(buf, sizeof(buf), "%lldm", (long long) cpu_milli);
        else
            snprintf(buf, sizeof(buf), "%lld", (long long) (cpu_milli / 1000));
        json_object_set_new(o, "cpu", json_string(buf));
    }
    if (memory) {
        snprintf(buf, sizeof(buf), "%lld", (long long) memory);
        json_object_set_new(o, "memory", json_string(buf));
    }
}

static json_t *container_json(const struct container *c)
{
    json_t *j = json_pack("{s:s,s:s,s:s}", "name", c->name, "image", c->image, "imagePullPolicy",
                          pull_policy_to_string(c->pull_policy));
    if (c->pull_policy_implied)
        json_object_set_new(j, MANIFEST_PULL_POLICY_IMPLIED, json_true());
    if (c->command)
        json_object_set_new(j, "command", orc_json_strv_array(c->command));
    if (c->args)
        json_object_set_new(j, "args", orc_json_strv_array(c->args));
    if (c->working_dir)
        json_object_set_new(j, "workingDir", json_string(c->working_dir));
    if (c->n_env) {
        json_t *env = json_array();
        for (size_t i = 0; i < c->n_env; i++) {
            const struct env_var *e = &c->env[i];
            if (e->value_from) /* Kubernetes leaves the empty value out */
                json_array_append_new(
                    env, json_pack("{s:s,s:O}", "name", e->name, "valueFrom", e->value_from));
            else
                json_array_append_new(env, json_pack("{s:s,s:s}", "name", e->name, "value",
                                                     e->value ? e->value : ""));
        }
        json_object_set_new(j, "env", env);
    }
    if (c->env_from)
        json_object_set(j, "envFrom", c->env_from);
    if (c->n_ports) {
        json_t *ports = json_array();
        for (size_t i = 0; i < c->n_ports; i++) {
            const struct container_port *p = &c->ports[i];
            json_t *pj = json_pack("{s:i,s:s}", "containerPort", p->container_port, "protocol",
                                   p->protocol ? p->protocol : "TCP");
            if (p->name)
                json_object_set_new(pj, "name", json_string(p->name));
            if (p->host_port)
                json_object_set_new(pj, "hostPort", json_integer(p->host_port));
            if (p->host_ip)
                json_object_set_new(pj, "hostIP", json_string(p->host_ip));
            json_array_append_new(ports, pj);
        }
        json_object_set_new(j, "ports", ports);
    }
    const struct container_resources *r = &c->resources;
    if (r->cpu_limit || r->cpu_request || r->memory_limit || r->memory_request ||
        r->storage_request) {
        json_t *res = json_object(), *lim = json_object(), *req = json_object();
        set_quantities(lim, r->cpu_limit, r->memory_limit);
        set_quantities(req, r->cpu_request, r->memory_request);
        if (r->storage_request)
            json_object_set_new(req, "ephemeral-storage",
                                json_sprintf("%lld", (long long) r->storage_request));
        if (json_object_size(lim))
            json_object_set(res, "limits", lim);
        if (json_object_size(req))
            json_object_set(res, "requests", req);
        json_decref(lim);
        json_decref(req);
        json_object_set_new(j, "resources", res);
    }
    if (c->n_mounts) {
        json_t *mounts = json_array();
        for (size_t i = 0; i < c->n_mounts; i++)
            json_array_append_new(mounts, volume_mount_to_json(&c->mounts[i]));
        json_object_set_new(j, "volumeMounts", mounts);
    }
    if (c->security)
        json_object_set_new(j, "securityContext", security_context_to_json(c->security));
    container_host_to_json(c, j);
    /* always written, as the API server writes its defaults */
    json_object_set_new(
        j, "terminationMessagePath",
        json_string(c->termination_message_path ?: MANIFEST_TERMINATION_MESSAGE_PATH));
    json_object_set_new(
        j, "terminationMessagePolicy",
        json_string(termination_message_policy_to_string(c->termination_message_policy)));
    return j;
}

json_t *pod_to_json(const struct pod *pod)
{
    json_t *meta = json_pack("{s:s,s:s}", "name", pod->name, "namespace", pod->namespace);
    if (json_object_size(pod->labels))
        json_object_set(meta, "labels", pod->labels);
    if (json_object_size(pod->annotations))
        json_object_set(meta, "annotations", pod->annotations);
    json_t *containers = json_array();
    for (size_t i = 0; i < pod->n_containers; i++)
        json_array_append_new(containers, container_json(&pod->containers[i]));
    json_t *spec =
        json_pack("{s:o,s:s,s:I}", "containers", containers, "restartPolicy",
                  restart_policy_to_string(pod->restart_policy), "terminationGracePeriodSeconds",
                  (json_int_t) pod->termination_grace_period_seconds);
    if (pod->service_account_name) /* only when written: a stored spec stays as it was */
        json_object_set_new(spec, "serviceAccountName", json_string(pod->service_account_name));
    if (pod->node_name)
        json_object_set_new(spec, "nodeName", json_string(pod->node_name));
    pod_host_to_json(&pod->host, spec);
    if (pod->n_volumes) {
        json_t *vols = json_array();
        for (size_t i = 0; i < pod->n_volumes; i++)
            json_array_append_new(vols, volume_to_json(&pod->volumes[i]));
        json_object_set_new(spec, "volumes", vols);
    }
    if (pod->security)
        json_object_set_new(spec, "securityContext", security_context_to_json(pod->security));
    if (pod->image_pull_secrets) {
        json_t *refs = json_array();
        for (size_t i = 0; pod->image_pull_secrets[i]; i++) /* "" is omitted, as the API's */
            json_array_append_new(refs, *pod->image_pull_secrets[i]
                                            ? json_pack("{s:s}", "name", pod->image_pull_secrets[i])
                                            : json_object());
        json_object_set_new(spec, "imagePullSecrets", refs);
    }
    return json_pack("{s:s,s:s,s:o,s:o}", "apiVersion", "v1", "kind", "Pod", "metadata", meta,
                     "spec", spec);
}

static const char *str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void read_quantities(const json_t *o, int64_t *cpu, int64_t *memory)
{
    int64_t v;
    if (str(o, "cpu") && quantity_parse_milli(str(o, "cpu"), &v) == 0)
        *cpu = v;
    if (str(o, "memory") && quantity_parse_milli(str(o, "memory"), &v) == 0)
        *memory = v / 1000;
}

static int container_from_json(const json_t *j, struct container *c, orc_error_t *err)
{
    c->name = xstrdup(str(j, "name"));
    c->image = xstrdup(str(j, "image"));
    c->pull_policy = pull_policy_from_string(str(j, "imagePullPolicy"));
    c->pull_policy_implied = json_is_true(json_object_get(j, MANIFEST_PULL_POLICY_IMPLIED));
    if (!c->name || !c->image || (int) c->pull_policy < 0)
        return orc_error_make(err, EINVAL, "stored container lacks name, image or pull policy");
    c->command = orc_json_array_strv(json_object_get(j, "command"));
    c->args = orc_json_array_strv(json_object_get(j, "args"));
    c->working_dir = xstrdup(str(j, "workingDir"));
    container_host_from_json(j, c);
    json_t *env = json_object_get(j, "env");
    c->n_env = json_array_size(env);
    c->env = new0(struct env_var, c->n_env);
    for (size_t i = 0; i < c->n_env; i++) {
        const json_t *e = json_array_get(env, i), *from = json_object_get(e, "valueFrom");
        c->env[i].name = xstrdup(str(e, "name"));
        c->env[i].value = xstrdup(str(e, "value") ? str(e, "value") : "");
        c->env[i].value_from = json_is_object(from) ? json_deep_copy(from) : NULL;
        if (!c->env[i].name)
            return orc_error_make(err, EINVAL, "stored container '%s' has an env without a name",
                                  c->name);
    }
    json_t *env_from = json_object_get(j, "envFrom");
    c->env_from = json_is_array(env_from) ? json_deep_copy(env_from) : NULL;
    json_t *ports = json_object_get(j, "ports");
    c->n_ports = json_array_size(ports);
    c->ports = new0(struct container_port, c->n_ports);
    for (size_t i = 0; i < c->n_ports; i++) {
        json_t *p = json_array_get(ports, i);
        c->ports[i].name = xstrdup(str(p, "name"));
        c->ports[i].container_port = (int) json_integer_value(json_object_get(p, "containerPort"));
        c->ports[i].host_port = (int) json_integer_value(json_object_get(p, "hostPort"));
        c->ports[i].protocol = xstrdup(str(p, "protocol") ? str(p, "protocol") : "TCP");
        c->ports[i].host_ip = xstrdup(str(p, "hostIP"));
    }
    json_t *res = json_object_get(j, "resources");
    read_quantities(json_object_get(res, "limits"), &c->resources.cpu_limit,
                    &c->resources.memory_limit);
    read_quantities(json_object_get(res, "requests"), &c->resources.cpu_request,
                    &c->resources.memory_request);
    const char *storage = str(json_object_get(res, "requests"), "ephemeral-storage");
    int64_t milli;
    if (storage && quantity_parse_milli(storage, &milli) == 0)
        c->resources.storage_request = milli / 1000;
    json_t *mounts = json_object_get(j, "volumeMounts");
    c->n_mounts = json_array_size(mounts);
    c->mounts = new0(struct volume_mount, c->n_mounts);
    for (size_t i = 0; i < c->n_mounts; i++)
        if (volume_mount_from_json(json_array_get(mounts, i), &c->mounts[i], err) < 0)
            return -1;
    /* a pod stored before orc knew them has neither: the defaults */
    const char *tpath = str(j, "terminationMessagePath");
    c->termination_message_path =
        xstrdup(tpath && *tpath ? tpath : MANIFEST_TERMINATION_MESSAGE_PATH);
    const char *tpolicy = str(j, "terminationMessagePolicy");
    c->termination_message_policy =
        tpolicy ? termination_message_policy_from_string(tpolicy) : TERMINATION_MESSAGE_FILE;
    if ((int) c->termination_message_policy < 0)
        return orc_error_make(err, EINVAL,
                              "stored container '%s' has terminationMessagePolicy '%s'", c->name,
                              tpolicy);
    const json_t *sc = json_object_get(j, "securityContext");
    if (sc && security_context_from_json(sc, &c->security, err) < 0)
        return orc_error_wrap(err, "container '%s'", c->name);
    return 0;
}

int pod_from_json(const json_t *j, struct pod **ret, orc_error_t *err)
{
    const json_t *meta = json_object_get(j, "metadata"), *spec = json_object_get(j, "spec");
    struct pod *pod = xzalloc(sizeof(*pod));
    pod->name = xstrdup(str(meta, "name"));
    pod->namespace = xstrdup(str(meta, "namespace") ? str(meta, "namespace") : "default");
    json_t *l = json_object_get(meta, "labels"), *a = json_object_get(meta, "annotations");
    pod->labels = json_is_object(l) ? json_deep_copy(l) : json_object();
    pod->annotations = json_is_object(a) ? json_deep_copy(a) : json_object();
    pod->restart_policy = restart_policy_from_string(str(spec, "restartPolicy"));
    pod->service_account_name = xstrdup(str(spec, "serviceAccountName"));
    pod->node_name = xstrdup(str(spec, "nodeName"));
    pod_host_from_json(spec, &pod->host);
    const json_t *refs = json_object_get(spec, "imagePullSecrets"), *ref;
    size_t k;
    if (json_is_array(refs)) {
        pod->image_pull_secrets = new0(char *, 1);
        json_array_foreach(refs, k, ref)
            pod->image_pull_secrets = strv_push(pod->image_pull_secrets, str(ref, "name") ?: "");
    }
    json_t *g = json_object_get(spec, "terminationGracePeriodSeconds");
    pod->termination_grace_period_seconds = json_is_integer(g) ? json_integer_value(g) : 30;
    json_t *cs = json_object_get(spec, "containers");
    pod->n_containers = json_array_size(cs);
    pod->containers = new0(struct container, pod->n_containers);
    int r = 0;
    const json_t *sc = json_object_get(spec, "securityContext");
    if (sc && security_context_from_json(sc, &pod->security, err) < 0)
        r = -1;
    else if (!pod->name || (int) pod->restart_policy < 0 || pod->n_containers == 0)
        r = orc_error_make(err, EINVAL, "stored pod lacks name, restart policy or containers");
    for (size_t i = 0; r == 0 && i < pod->n_containers; i++)
        r = container_from_json(json_array_get(cs, i), &pod->containers[i], err);
    json_t *vols = json_object_get(spec, "volumes");
    pod->n_volumes = json_array_size(vols);
    pod->volumes = new0(struct volume, pod->n_volumes);
    for (size_t i = 0; r == 0 && i < pod->n_volumes; i++)
        r = volume_from_json(json_array_get(vols, i), &pod->volumes[i], err);
    if (r < 0) {
        pod_free(pod);
        return r;
    }
    *ret = pod;
    return 0;
}
