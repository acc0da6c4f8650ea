/* SPDX-License-Identifier: Apache-2.0 */
/* The Node and its Lease as kubelet reports them (see node-object.h). Pure. */
#include "api/node-object.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "quantity.h"
#include "selector.h"
#include "time-util.h"
#include "xalloc.h"

static const char *const condition_types[_NODE_CONDITION_MAX] = {"MemoryPressure", "DiskPressure",
                                                                 "PIDPressure", "Ready"};

/* A pressure condition: kubelet's reasons when it holds and when not. */
struct pressure {
    const char *ok_reason, *ok_message, *bad_reason, *bad_message;
    const char *ok_event, *bad_event;
};

static const struct pressure pressures[NODE_READY] = {
    [NODE_MEMORY_PRESSURE] = {"KubeletHasSufficientMemory", "orc has sufficient memory available",
                              "KubeletHasInsufficientMemory",
                              "orc has insufficient memory available", "NodeHasSufficientMemory",
                              "NodeHasInsufficientMemory"},
    [NODE_DISK_PRESSURE] = {"KubeletHasNoDiskPressure", "orc has no disk pressure",
                            "KubeletHasDiskPressure", "orc has disk pressure",
                            "NodeHasNoDiskPressure", "NodeHasDiskPressure"},
    [NODE_PID_PRESSURE] = {"KubeletHasSufficientPID", "orc has sufficient PID available",
                           "KubeletHasInsufficientPID", "orc has insufficient PID available",
                           "NodeHasSufficientPID", "NodeHasInsufficientPID"},
};

static void set_pressure(struct node_condition_state *c, enum node_condition type, bool pressure,
                         const char *detail)
{
    const struct pressure *p = &pressures[type];
    c->status = pressure ? "True" : "False";
    c->reason = pressure ? p->bad_reason : p->ok_reason;
    c->message = pressure && detail ? xasprintf("%s: %s", p->bad_message, detail)
                                    : xstrdup(pressure ? p->bad_message : p->ok_message);
}

static const char *disk_pressure(const struct node_usage *u, const struct node_health *h)
{
    if (h->disk_full)
        return "the database's file system ran full";
    if (u->storage > 0 && u->storage_available * 100 < u->storage * NODE_DISK_PRESSURE_PERCENT)
        return "less than 10% of the data directory's file system is free";
    return NULL;
}

static void set_ready(struct node_condition_state *c, const struct node_health *h)
{
    if (h->loop) { /* nothing posts for a stuck agent: the node controller's Unknown */
        c->status = "Unknown";
        c->reason = "NodeStatusUnknown";
        c->message = xasprintf("orc stopped posting node status: %s", h->loop);
    } else if (h->store || h->runtime) {
        c->status = "False";
        c->reason = "KubeletNotReady";
        c->message = xstrdup(h->store ? h->store : h->runtime);
    } else {
        c->status = "True";
        c->reason = "KubeletReady";
        c->message = xstrdup("orc is posting ready status");
    }
}

void node_conditions_eval(const struct node_usage *u, const struct node_health *h,
                          struct node_condition_state ret[_NODE_CONDITION_MAX])
{
    bool memory = u->memory_available > 0 && u->memory_available < NODE_MEMORY_PRESSURE_BYTES;
    bool pids =
        u->pid_max > 0 && (u->pid_max - u->tasks) * 100 < u->pid_max * NODE_PID_PRESSURE_PERCENT;
    const char *disk = disk_pressure(u, h);
    set_pressure(&ret[NODE_MEMORY_PRESSURE], NODE_MEMORY_PRESSURE, memory, NULL);
    set_pressure(&ret[NODE_DISK_PRESSURE], NODE_DISK_PRESSURE, disk != NULL, disk);
    set_pressure(&ret[NODE_PID_PRESSURE], NODE_PID_PRESSURE, pids, NULL);
    set_ready(&ret[NODE_READY], h);
}

void node_conditions_done(struct node_condition_state c[_NODE_CONDITION_MAX])
{
    for (int i = 0; i < _NODE_CONDITION_MAX; i++) {
        free(c[i].message);
        c[i].message = NULL;
    }
}

const char *node_condition_event_reason(enum node_condition c, const char *status)
{
    bool on = !strcmp(status, "True");
    if (c == NODE_READY)
        return on ? "NodeReady" : "NodeNotReady";
    if (c < 0 || c >= NODE_READY)
        return NULL;
    return on ? pressures[c].bad_event : pressures[c].ok_event;
}

static json_t *ts(int64_t ns)
{
    char buf[64];
    orc_time_format_rfc3339(ns, false, buf, sizeof(buf));
    return json_string(buf);
}

/* metav1.MicroTime: "2006-01-02T15:04:05.000000Z" */
static json_t *micro_ts(int64_t ns)
{
    char buf[64];
    orc_time_format_rfc3339(ns - ns % NSEC_PER_SEC, false, buf, sizeof(buf));
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == 'Z')
        snprintf(buf + n - 1, sizeof(buf) - (n - 1), ".%06lldZ",
                 (long long) (ns % NSEC_PER_SEC / 1000));
    return json_string(buf);
}

static json_t *quantity(int64_t bytes)
{
    _cleanup_free_ char *text = quantity_format_bytes(bytes);
    return json_string(text);
}

static json_t *resources(const struct node_view *v)
{
    const struct node_facts *f = v->facts;
    json_t *r = json_pack("{s:o,s:o,s:o,s:o}", "cpu", json_sprintf("%ld", f->cpus), "memory",
                          quantity(f->memory), "ephemeral-storage", quantity(v->usage->storage),
                          "pods", json_sprintf("%d", v->max_pods));
    for (unsigned i = 0; i < f->n_hugepages; i++) {
        _cleanup_free_ char *size = quantity_format_bytes(f->hugepages[i].page_size);
        _cleanup_free_ char *key = xasprintf("hugepages-%s", size);
        json_object_set_new(r, key, quantity(f->hugepages[i].total));
    }
    return r;
}

static json_t *conditions(const struct node_view *v)
{
    json_t *a = json_array();
    for (int i = 0; i < _NODE_CONDITION_MAX; i++) {
        const struct node_condition_state *c = &v->conditions[i];
        json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:o,s:s,s:s}", "type", condition_types[i],
                                           "status", c->status, "lastHeartbeatTime", ts(v->now_ns),
                                           "lastTransitionTime", ts(v->transitions[i]), "reason",
                                           c->reason, "message", c->message));
    }
    return a;
}

static json_t *node_info(const struct node_view *v)
{
    const struct node_facts *f = v->facts;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "machineID", f->machine_id,
                     "systemUUID", f->system_uuid, "bootID", f->boot_id, "kernelVersion",
                     f->kernel_version, "osImage", f->os_image, "containerRuntimeVersion",
                     v->runtime_version, "kubeletVersion", v->kubelet_version, "kubeProxyVersion",
                     "", "operatingSystem", "linux", "architecture", v->architecture);
}

json_t *node_object_labels(const char *name, const char *architecture)
{
    /* a label value holds at most 63 characters; a longer name is cut as kubelet would not */
    _cleanup_free_ char *host = xstrndup(name, 63);
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "beta.kubernetes.io/arch", architecture,
                     "beta.kubernetes.io/os", "linux", "kubernetes.io/arch", architecture,
                     "kubernetes.io/hostname", host, "kubernetes.io/os", "linux");
}

json_t *node_object_labels_merge(const json_t *stored, const json_t *builtin)
{
    json_t *l = json_is_object(stored) ? json_deep_copy(stored) : json_object();
    json_object_update(l, (json_t *) builtin);
    return l;
}

static json_t *labels(const struct node_view *v)
{
    return v->labels ? json_deep_copy(v->labels) : node_object_labels(v->name, v->architecture);
}

json_t *node_object_json(const struct node_view *v)
{
    json_t *status = json_pack(
        "{s:o,s:o,s:o,s:[{s:s,s:s},{s:s,s:s}],s:{s:{s:i}},s:o}", "capacity", resources(v),
        "allocatable", resources(v), "conditions", conditions(v), "addresses", "type", "InternalIP",
        "address", v->address, "type", "Hostname", "address", v->name, "daemonEndpoints",
        "kubeletEndpoint", "Port", v->kubelet_port, "nodeInfo", node_info(v));
    json_t *node =
        json_pack("{s:s,s:s,s:{s:s,s:s,s:o,s:o,s:o},s:{},s:o}", "apiVersion", "v1", "kind", "Node",
                  "metadata", "name", v->name, "uid", v->uid, "resourceVersion",
                  json_sprintf("%lld", v->resource_version), "creationTimestamp", ts(v->created_ns),
                  "labels", labels(v), "spec", "status", status);
    if (json_object_size(v->annotations))
        json_object_set_new(json_object_get(node, "metadata"), "annotations",
                            json_deep_copy(v->annotations));
    return node;
}

/* A copy of a Node without what a write may leave or send differently (see
 * node_object_update_check). */
static json_t *comparable(const json_t *node, const json_t *fallback)
{
    json_t *c = json_deep_copy(node);
    json_t *meta = json_object_get(c, "metadata");
    static const char *const passed[] = {"labels",     "annotations",   "resourceVersion",
                                         "uid",        "managedFields", "creationTimestamp",
                                         "generation", "selfLink"};
    for (size_t i = 0; i < ELEMENTSOF(passed); i++)
        json_object_del(meta, passed[i]);
    if (!json_object_get(c, "spec"))
        json_object_set_new(c, "spec", json_object());
    if (!json_object_get(c, "status") && fallback)
        json_object_set(c, "status", json_object_get(fallback, "status"));
    size_t i;
    json_t *cond;
    json_array_foreach(json_object_get(json_object_get(c, "status"), "conditions"), i, cond)
        json_object_del(cond, "lastHeartbeatTime");
    return c;
}

/* The path of the first place where a and b differ (appended to path), or false. */
static bool first_difference(const json_t *a, const json_t *b, char **path)
{
    if (json_equal((json_t *) a, (json_t *) b))
        return false;
    if (json_is_object(a) && json_is_object(b)) {
        json_auto_t *keys = json_object();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) a, k, v)
            json_object_set(keys, k, json_null());
        json_object_foreach((json_t *) b, k, v)
            json_object_set(keys, k, json_null());
        json_object_foreach(keys, k, v) {
            const json_t *x = json_object_get(a, k), *y = json_object_get(b, k);
            if (x && y && json_equal((json_t *) x, (json_t *) y))
                continue;
            char *p = xasprintf("%s%s%s", *path, **path ? "." : "", k);
            free(*path);
            *path = p;
            if (x && y)
                first_difference(x, y, path);
            return true;
        }
        return false;
    }
    if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (json_equal(json_array_get(a, i), json_array_get(b, i)))
                continue;
            char *p = xasprintf("%s[%zu]", *path, i);
            free(*path);
            *path = p;
            first_difference(json_array_get(a, i), json_array_get(b, i), path);
            return true;
        }
    }
    return true;
}

static int builtin_labels_kept(const char *name, const json_t *next, const json_t *builtin,
                               orc_error_t *err)
{
    const json_t *labels = json_object_get(json_object_get(next, "metadata"), "labels");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) builtin, key, v) {
        if (json_equal(v, json_object_get(labels, key)))
            continue;
        return orc_error_make_as(err, EINVAL,
                                 "Node \"%s\" is invalid: metadata.labels[%s]: Forbidden: orc "
                                 "sets this label of its node, as kubelet sets it: it cannot be "
                                 "changed or removed",
                                 name, key);
    }
    return 0;
}

int node_object_update_check(const json_t *cur, const json_t *next, const json_t *builtin,
                             orc_error_t *err)
{
    const json_t *meta = json_object_get(next, "metadata");
    const char *name = json_string_value(json_object_get(json_object_get(cur, "metadata"), "name"));
    json_auto_t *a = comparable(cur, NULL), *b = comparable(next, cur);
    _cleanup_free_ char *path = xstrdup("");
    if (first_difference(a, b, &path))
        return orc_error_make_as(err, EINVAL,
                                 "Node \"%s\" is invalid: %s: Forbidden: orc's node takes writes "
                                 "of metadata.labels and metadata.annotations only (its spec and "
                                 "status are orc's, as kubelet's node's are kubelet's)",
                                 name, path);
    if (!json_is_object(meta))
        return orc_error_make_as(err, EINVAL, "Node \"%s\" is invalid: metadata: Required value",
                                 name);
    static const char *const maps[] = {"labels", "annotations"};
    for (size_t i = 0; i < ELEMENTSOF(maps); i++) {
        const json_t *m = json_object_get(meta, maps[i]);
        if (m && !json_is_object(m) && !json_is_null(m))
            return orc_error_make_as(err, EINVAL,
                                     "Node \"%s\" is invalid: metadata.%s: Invalid value: must be "
                                     "an object of strings",
                                     name, maps[i]);
    }
    _cleanup_free_ char *bad =
        label_meta_check(json_object_get(meta, "labels"), json_object_get(meta, "annotations"));
    if (bad)
        return orc_error_make_as(err, EINVAL, "Node \"%s\" is invalid: %s", name, bad);
    return builtin_labels_kept(name, next, builtin, err);
}

json_t *node_lease_json(const struct lease_view *v)
{
    return json_pack("{s:s,s:s,s:{s:s,s:s,s:s,s:o,s:o,s:[{s:s,s:s,s:s,s:s}]},s:{s:s,s:i,s:o}}",
                     "apiVersion", "coordination.k8s.io/v1", "kind", "Lease", "metadata", "name",
                     v->node_name, "namespace", "kube-node-lease", "uid", v->uid, "resourceVersion",
                     json_sprintf("%lld", v->resource_version), "creationTimestamp",
                     ts(v->created_ns), "ownerReferences", "apiVersion", "v1", "kind", "Node",
                     "name", v->node_name, "uid", v->node_uid, "spec", "holderIdentity",
                     v->node_name, "leaseDurationSeconds", NODE_LEASE_SECONDS, "renewTime",
                     micro_ts(v->renew_ns));
}
