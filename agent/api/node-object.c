/* SPDX-License-Identifier: Apache-2.0 */
/* The Node and its Lease as kubelet reports them (see node-object.h). Pure. */
#include "api/node-object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "quantity.h"
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

static json_t *labels(const struct node_view *v)
{
    return node_object_labels(v->name, v->architecture);
}

json_t *node_object_json(const struct node_view *v)
{
    json_t *status = json_pack(
        "{s:o,s:o,s:o,s:[{s:s,s:s},{s:s,s:s}],s:{s:{s:i}},s:o}", "capacity", resources(v),
        "allocatable", resources(v), "conditions", conditions(v), "addresses", "type", "InternalIP",
        "address", v->address, "type", "Hostname", "address", v->name, "daemonEndpoints",
        "kubeletEndpoint", "Port", v->kubelet_port, "nodeInfo", node_info(v));
    return json_pack("{s:s,s:s,s:{s:s,s:s,s:o,s:o,s:o},s:{},s:o}", "apiVersion", "v1", "kind",
                     "Node", "metadata", "name", v->name, "uid", v->uid, "resourceVersion",
                     json_sprintf("%lld", v->resource_version), "creationTimestamp",
                     ts(v->created_ns), "labels", labels(v), "spec", "status", status);
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
