/* SPDX-License-Identifier: Apache-2.0 */
/* The pod's columns: NAME READY STATUS RESTARTS AGE, and IP NODE NOMINATED NODE READINESS GATES
 * with -o wide, as the API server's printPod fills them. */
#include <stdio.h>
#include <string.h>

#include "api/table.h"
#include "json-util.h"
#include "pod-summary.h"
#include "time-util.h"

static const struct table_column pod_columns[] = {
    TABLE_NAME_COLUMN,
    {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0},
    {"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
    {"Restarts", "string", "",
     "The number of times the containers in this pod have been restarted and when the last "
     "container in this pod has restarted.",
     0},
    TABLE_AGE_COLUMN,
    {"IP", "string", "",
     "podIP address allocated to the pod. Routable at least within the cluster. Empty if not "
     "yet allocated.",
     1},
    {"Node", "string", "",
     "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate "
     "for scheduling by the scheduler defined in schedulerName. Once this field is set, the "
     "kubelet for this node becomes responsible for the lifecycle of this pod. This field "
     "should not be used to express a desire for the pod to be scheduled on a specific node. "
     "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
     1},
    {"Nominated Node", "string", "",
     "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
     "cannot be scheduled right away as preemption victims receive their graceful termination "
     "periods. This field does not guarantee that the pod will be scheduled on this node. "
     "Scheduler may decide to place the pod elsewhere if other nodes become available sooner. "
     "Scheduler may also decide to give the resources on this node to a higher priority pod "
     "that is created after preemption. As a result, this field may be different than "
     "PodSpec.nodeName when the pod is scheduled.",
     1},
    {"Readiness Gates", "string", "",
     "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready "
     "when all its containers are ready AND all conditions specified in the readiness gates "
     "have status equal to \"True\" More info: "
     "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
     1},
};

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* "2 (5m ago)" when a container restarted, else the count. */
static json_t *restarts_cell(const struct pod_summary *s, int64_t now_ns)
{
    if (s->restarts == 0 || !s->last_restart_ns)
        return json_sprintf("%lld", s->restarts);
    char ago[32];
    orc_time_format_human(now_ns - s->last_restart_ns, ago, sizeof(ago));
    return json_sprintf("%lld (%s ago)", s->restarts, ago);
}

/* "true/total" of the readiness gates' conditions, "<none>" without gates. */
static json_t *readiness_gates_cell(const json_t *pod)
{
    const json_t *gates = json_object_get(json_object_get(pod, "spec"), "readinessGates");
    const json_t *conds = json_object_get(json_object_get(pod, "status"), "conditions");
    if (!json_array_size(gates))
        return json_string("<none>");
    size_t n_true = 0, i, k;
    const json_t *g, *c;
    json_array_foreach(gates, i, g) {
        const char *type = orc_json_str(g, "conditionType") ?: "";
        json_array_foreach(conds, k, c)
            if (!strcmp(orc_json_str(c, "type") ?: "", type)) {
                n_true += !strcmp(orc_json_str(c, "status") ?: "", "True");
                break;
            }
    }
    return json_sprintf("%zu/%zu", n_true, json_array_size(gates));
}

static void pod_cells(const json_t *pod, int64_t now_ns, json_t *cells)
{
    const json_t *meta = json_object_get(pod, "metadata"), *st = json_object_get(pod, "status");
    struct pod_summary s;
    pod_summarize(pod, &s);
    json_array_append_new(cells, table_str(meta, "name"));
    json_array_append_new(cells, json_sprintf("%u/%u", s.ready, s.total));
    json_array_append_new(cells, json_string(s.reason));
    json_array_append_new(cells, restarts_cell(&s, now_ns));
    json_array_append_new(cells, table_age(orc_json_str(meta, "creationTimestamp"), now_ns));
    /* the first of podIPs; orc's status.nodeName stands in for spec.nodeName */
    const char *ip = nonempty(orc_json_str(json_array_get(json_object_get(st, "podIPs"), 0), "ip"));
    const char *node = nonempty(orc_json_str(json_object_get(pod, "spec"), "nodeName"));
    json_array_append_new(cells, json_string(ip ?: nonempty(orc_json_str(st, "podIP")) ?: "<none>"));
    json_array_append_new(cells, json_string(node ?: nonempty(orc_json_str(st, "nodeName")) ?: "<none>"));
    json_array_append_new(cells, json_string(nonempty(orc_json_str(st, "nominatedNodeName")) ?: "<none>"));
    json_array_append_new(cells, readiness_gates_cell(pod));
}

/* A pod whose phase is final is a completed row. */
static json_t *pod_conditions(const json_t *pod)
{
    const char *phase = orc_json_str(json_object_get(pod, "status"), "phase") ?: "";
    bool ok = !strcmp(phase, "Succeeded");
    if (!ok && strcmp(phase, "Failed"))
        return NULL;
    return json_pack("[{s:s,s:s,s:s,s:s}]", "type", "Completed", "status", "True", "reason",
                     phase, "message", ok ? "The pod has completed successfully." : "The pod failed.");
}

const struct table_printer table_pod_printer = {
    .kind = "Pod",
    .columns = pod_columns,
    .n_columns = ELEMENTSOF(pod_columns),
    .cells = pod_cells,
    .conditions = pod_conditions,
};
