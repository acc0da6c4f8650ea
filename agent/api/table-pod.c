/* SPDX-License-Identifier: Apache-2.0 */
/* The pod's columns: NAME READY STATUS RESTARTS AGE, and IP NODE NOMINATED NODE READINESS GATES
 * with -o wide, as the API server's printPod fills them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/table-pod.h"
#include "api/table.h"
#include "json-util.h"
#include "pod-summary.h"
#include "time-util.h"
#include "xalloc.h"

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

static char *nonempty_dup(const char *a, const char *b)
{
    return xstrdup(a && *a ? a : b && *b ? b : "<none>");
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
static char *readiness_gates_text(const json_t *pod)
{
    const json_t *gates = json_object_get(json_object_get(pod, "spec"), "readinessGates");
    const json_t *conds = json_object_get(json_object_get(pod, "status"), "conditions");
    if (!json_array_size(gates))
        return xstrdup("<none>");
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
    return xasprintf("%zu/%zu", n_true, json_array_size(gates));
}

static const char *final_phase(const json_t *pod)
{
    const char *phase = orc_json_str(json_object_get(pod, "status"), "phase") ?: "";
    return !strcmp(phase, "Succeeded") ? "Succeeded" : !strcmp(phase, "Failed") ? "Failed" : NULL;
}

void pod_row_init(const json_t *pod, struct pod_row *ret)
{
    const json_t *meta = json_object_get(pod, "metadata"), *st = json_object_get(pod, "status");
    struct pod_row row = {
        .name = xstrdup(orc_json_str(meta, "name") ?: ""),
        /* the first of podIPs; orc's status.nodeName stands in for spec.nodeName */
        .ip = nonempty_dup(orc_json_str(json_array_get(json_object_get(st, "podIPs"), 0), "ip"),
                           orc_json_str(st, "podIP")),
        .node = nonempty_dup(orc_json_str(json_object_get(pod, "spec"), "nodeName"),
                             orc_json_str(st, "nodeName")),
        .nominated = nonempty_dup(orc_json_str(st, "nominatedNodeName"), NULL),
        .gates = readiness_gates_text(pod),
        .final_phase = final_phase(pod),
    };
    pod_summarize(pod, &row.summary);
    if (orc_time_parse_rfc3339(orc_json_str(meta, "creationTimestamp") ?: "", &row.created_ns) < 0)
        row.created_ns = 0;
    *ret = row;
}

void pod_row_done(struct pod_row *row)
{
    free(row->name);
    free(row->ip);
    free(row->node);
    free(row->nominated);
    free(row->gates);
    *row = (struct pod_row){0};
}

void pod_row_cells(const struct pod_row *row, int64_t now_ns, json_t *cells)
{
    json_array_append_new(cells, json_string(row->name));
    json_array_append_new(cells, json_sprintf("%u/%u", row->summary.ready, row->summary.total));
    json_array_append_new(cells, json_string(row->summary.reason));
    json_array_append_new(cells, restarts_cell(&row->summary, now_ns));
    json_array_append_new(cells, table_age_ns(row->created_ns, now_ns));
    json_array_append_new(cells, json_string(row->ip));
    json_array_append_new(cells, json_string(row->node));
    json_array_append_new(cells, json_string(row->nominated));
    json_array_append_new(cells, json_string(row->gates));
}

json_t *pod_row_conditions(const struct pod_row *row)
{
    if (!row->final_phase)
        return NULL;
    bool ok = !strcmp(row->final_phase, "Succeeded");
    return json_pack("[{s:s,s:s,s:s,s:s}]", "type", "Completed", "status", "True", "reason",
                     row->final_phase, "message",
                     ok ? "The pod has completed successfully." : "The pod failed.");
}

static void pod_cells(const json_t *pod, int64_t now_ns, json_t *cells)
{
    struct pod_row row;
    pod_row_init(pod, &row);
    pod_row_cells(&row, now_ns, cells);
    pod_row_done(&row);
}

/* A pod whose phase is final is a completed row. */
static json_t *pod_conditions(const json_t *pod)
{
    struct pod_row row = {.final_phase = final_phase(pod)};
    return pod_row_conditions(&row);
}

const struct table_printer table_pod_printer = {
    .kind = "Pod",
    .columns = pod_columns,
    .n_columns = ELEMENTSOF(pod_columns),
    .cells = pod_cells,
    .conditions = pod_conditions,
};
