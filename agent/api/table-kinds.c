/* SPDX-License-Identifier: Apache-2.0 */
/* The columns of events, nodes, namespaces and leases, as the API server's printers fill them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/table.h"
#include "json-util.h"
#include "strv.h"
#include "xalloc.h"

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static const struct table_column event_columns[] = {
    {"Last Seen", "string", "",
     "The time at which the most recent occurrence of this event was recorded.", 0},
    {"Type", "string", "",
     "Type of this event (Normal, Warning), new types could be added in the future", 0},
    {"Reason", "string", "",
     "This should be a short, machine understandable string that gives the reason for the "
     "transition into the object's current status.",
     0},
    {"Object", "string", "", "The object that this event is about.", 0},
    {"Subobject", "string", "",
     "If referring to a piece of an object instead of an entire object, this string should "
     "contain a valid JSON/Go field access statement, such as "
     "desiredState.manifest.containers[2]. For example, if the object reference is to a "
     "container within a pod, this would take on a value like: \"spec.containers{name}\" "
     "(where \"name\" refers to the name of the container that triggered the event) or if no "
     "container name is specified \"spec.containers[2]\" (container with index 2 in this "
     "pod). This syntax is chosen only to have some well-defined way of referencing a part of "
     "an object.",
     1},
    {"Source", "string", "",
     "The component reporting this event. Should be a short machine understandable string.", 1},
    {"Message", "string", "", "A human-readable description of the status of this operation.", 0},
    {"First Seen", "string", "",
     "The time at which the event was first recorded. (Time of server receipt is in "
     "TypeMeta.)",
     1},
    {"Count", "string", "", "The number of times this event has occurred.", 1},
    {"Name", "string", "name", TABLE_NAME_DESCRIPTION, 1},
};

/* "pod/web", or the kind alone for an object without a name */
static json_t *event_object_cell(const json_t *ev)
{
    const json_t *io = json_object_get(ev, "involvedObject");
    _cleanup_free_ char *kind = xstrdup(orc_json_str(io, "kind") ?: "");
    for (char *c = kind; *c; c++)
        *c = (char) tolower((unsigned char) *c);
    const char *name = nonempty(orc_json_str(io, "name"));
    return name ? json_sprintf("%s/%s", kind, name) : json_string(kind);
}

/* "component, host", each from the reporting fields when the source has none */
static json_t *event_source_cell(const json_t *ev)
{
    const json_t *src = json_object_get(ev, "source");
    const char *component = nonempty(orc_json_str(src, "component"))
                                ?: orc_json_str(ev, "reportingComponent") ?: "";
    const char *host =
        nonempty(orc_json_str(src, "host")) ?: nonempty(orc_json_str(ev, "reportingInstance"));
    return host ? json_sprintf("%s, %s", component, host) : json_string(component);
}

static json_t *trimmed(const char *s)
{
    s = s ?: "";
    while (isspace((unsigned char) *s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char) s[n - 1]))
        n--;
    return json_stringn(s, n);
}

static void event_cells(const json_t *ev, int64_t now_ns, json_t *cells)
{
    const json_t *series = json_object_get(ev, "series");
    const char *first_ts = nonempty(orc_json_str(ev, "firstTimestamp"));
    json_t *first = table_age(first_ts ?: nonempty(orc_json_str(ev, "eventTime")), now_ns);
    const char *last_ts = nonempty(orc_json_str(ev, "lastTimestamp"));
    json_t *last = last_ts ? table_age(last_ts, now_ns) : json_incref(first);
    long long count = orc_json_int(ev, "count", 0);
    if (series) {
        json_decref(last);
        last = table_age(nonempty(orc_json_str(series, "lastObservedTime")), now_ns);
        count = orc_json_int(series, "count", 0);
    } else if (count == 0) {
        count = 1; /* a singleton event of the new API has no count */
    }
    json_array_append_new(cells, last);
    json_array_append_new(cells, table_str(ev, "type"));
    json_array_append_new(cells, table_str(ev, "reason"));
    json_array_append_new(cells, event_object_cell(ev));
    json_array_append_new(cells, table_str(json_object_get(ev, "involvedObject"), "fieldPath"));
    json_array_append_new(cells, event_source_cell(ev));
    json_array_append_new(cells, trimmed(orc_json_str(ev, "message")));
    json_array_append_new(cells, first);
    json_array_append_new(cells, json_integer(count));
    json_array_append_new(cells, table_str(json_object_get(ev, "metadata"), "name"));
}

const struct table_printer table_event_printer = {
    .kind = "Event",
    .columns = event_columns,
    .n_columns = ELEMENTSOF(event_columns),
    .cells = event_cells,
};

#define NODE_ADDRESSES_DESCRIPTION                                                                 \
    "List of addresses reachable to the node. Queried from cloud provider, if available. More "    \
    "info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is "  \
    "declared as mergeable, but the merge key is not sufficiently unique, which can cause data "   \
    "corruption when it is merged. Callers should instead use a full-replacement patch. See "      \
    "https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change "   \
    "during the lifetime of a Node. However, there are some exceptions where this may not be "     \
    "possible, such as Pods that inherit a Node's address in its own status or consumers of the "  \
    "downward API (status.hostIP)."

static const struct table_column node_columns[] = {
    TABLE_NAME_COLUMN,
    {"Status", "string", "", "The status of the node", 0},
    {"Roles", "string", "", "The roles of the node", 0},
    TABLE_AGE_COLUMN,
    {"Version", "string", "", "Kubelet Version reported by the node.", 0},
    {"Internal-IP", "string", "", NODE_ADDRESSES_DESCRIPTION, 1},
    {"External-IP", "string", "", NODE_ADDRESSES_DESCRIPTION, 1},
    {"OS-Image", "string", "",
     "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1},
    {"Kernel-Version", "string", "",
     "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1},
    {"Container-Runtime", "string", "",
     "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
     "containerd://1.4.2).",
     1},
};

/* "Ready", "NotReady" or "Unknown" from the Ready condition; ",SchedulingDisabled" when
 * cordoned */
static json_t *node_status_cell(const json_t *node)
{
    const char *ready = "Unknown";
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(json_object_get(node, "status"), "conditions"), i, c)
        if (!strcmp(orc_json_str(c, "type") ?: "", "Ready"))
            ready = !strcmp(orc_json_str(c, "status") ?: "", "True") ? "Ready" : "NotReady";
    bool cordoned = json_is_true(json_object_get(json_object_get(node, "spec"), "unschedulable"));
    return json_sprintf("%s%s", ready, cordoned ? ",SchedulingDisabled" : "");
}

/* node-role.kubernetes.io/ROLE labels and kubernetes.io/role=ROLE, sorted, or "<none>" */
static json_t *node_roles_cell(const json_t *node)
{
    static const char prefix[] = "node-role.kubernetes.io/";
    _cleanup_(strv_freep) char **roles = NULL;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *) json_object_get(json_object_get(node, "metadata"), "labels"),
                        key, v) {
        const char *role = !strncmp(key, prefix, strlen(prefix)) ? key + strlen(prefix)
                           : !strcmp(key, "kubernetes.io/role")  ? json_string_value(v)
                                                                 : NULL;
        if (nonempty(role) && !strv_contains(roles, role))
            roles = strv_push(roles, role);
    }
    if (!roles)
        return json_string("<none>");
    strv_sort(roles);
    _cleanup_free_ char *text = strv_join(roles, ",");
    return json_string(text);
}

static json_t *node_address(const json_t *node, const char *type)
{
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(json_object_get(node, "status"), "addresses"), i, a)
        if (!strcmp(orc_json_str(a, "type") ?: "", type))
            return table_str(a, "address");
    return json_string("<none>");
}

static void node_cells(const json_t *node, int64_t now_ns, json_t *cells)
{
    const json_t *meta = json_object_get(node, "metadata");
    const json_t *info = json_object_get(json_object_get(node, "status"), "nodeInfo");
    json_array_append_new(cells, table_str(meta, "name"));
    json_array_append_new(cells, node_status_cell(node));
    json_array_append_new(cells, node_roles_cell(node));
    json_array_append_new(cells, table_age(orc_json_str(meta, "creationTimestamp"), now_ns));
    json_array_append_new(cells, table_str(info, "kubeletVersion"));
    json_array_append_new(cells, node_address(node, "InternalIP"));
    json_array_append_new(cells, node_address(node, "ExternalIP"));
    static const char *const keys[] = {"osImage", "kernelVersion", "containerRuntimeVersion"};
    for (size_t i = 0; i < ELEMENTSOF(keys); i++)
        json_array_append_new(cells,
                              json_string(nonempty(orc_json_str(info, keys[i])) ?: "<unknown>"));
}

const struct table_printer table_node_printer = {
    .kind = "Node",
    .columns = node_columns,
    .n_columns = ELEMENTSOF(node_columns),
    .cells = node_cells,
};

static const struct table_column namespace_columns[] = {
    TABLE_NAME_COLUMN,
    {"Status", "string", "", "The status of the namespace", 0},
    TABLE_AGE_COLUMN,
};

/* NAME, one field of section, AGE */
static void name_field_age(const json_t *obj, const char *section, const char *key, int64_t now_ns,
                           json_t *cells)
{
    const json_t *meta = json_object_get(obj, "metadata");
    json_array_append_new(cells, table_str(meta, "name"));
    json_array_append_new(cells, table_str(json_object_get(obj, section), key));
    json_array_append_new(cells, table_age(orc_json_str(meta, "creationTimestamp"), now_ns));
}

static void namespace_cells(const json_t *ns, int64_t now_ns, json_t *cells)
{
    name_field_age(ns, "status", "phase", now_ns, cells);
}

const struct table_printer table_namespace_printer = {
    .kind = "Namespace",
    .columns = namespace_columns,
    .n_columns = ELEMENTSOF(namespace_columns),
    .cells = namespace_cells,
};

static const struct table_column lease_columns[] = {
    TABLE_NAME_COLUMN,
    {"Holder", "string", "",
     "holderIdentity contains the identity of the holder of a current lease. If Coordinated "
     "Leader Election is used, the holder identity must be equal to the elected "
     "LeaseCandidate.metadata.name field.",
     0},
    TABLE_AGE_COLUMN,
};

static void lease_cells(const json_t *lease, int64_t now_ns, json_t *cells)
{
    name_field_age(lease, "spec", "holderIdentity", now_ns, cells);
}

const struct table_printer table_lease_printer = {
    .kind = "Lease",
    .columns = lease_columns,
    .n_columns = ELEMENTSOF(lease_columns),
    .cells = lease_cells,
};
