/* SPDX-License-Identifier: Apache-2.0 */
/* The Node, its Lease and conditions, and events.k8s.io Events, built from canned facts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/event-object.h"
#include "api/node-object.h"
#include "cleanup.h"
#include "json-util.h"
#include "sys/node-facts.h"
#include "tap.h"
#include "time-util.h"
#include "xalloc.h"

static const struct node_usage calm = {.memory_available = 8LL << 30,
                                       .storage = 100LL << 30,
                                       .storage_available = 50LL << 30,
                                       .tasks = 500,
                                       .pid_max = 4194304};

static const char *status_of(const struct node_condition_state *c, enum node_condition i)
{
    return c[i].status;
}

static void test_conditions(void)
{
    struct node_condition_state c[_NODE_CONDITION_MAX] = {0};
    node_conditions_eval(&calm, &(struct node_health){0}, c);
    tap_is_str(status_of(c, NODE_MEMORY_PRESSURE), "False", "no memory pressure");
    tap_is_str(c[NODE_MEMORY_PRESSURE].reason, "KubeletHasSufficientMemory", "kubelet's reason");
    tap_is_str(c[NODE_DISK_PRESSURE].reason, "KubeletHasNoDiskPressure", "no disk pressure");
    tap_is_str(c[NODE_PID_PRESSURE].reason, "KubeletHasSufficientPID", "no PID pressure");
    tap_is_str(status_of(c, NODE_READY), "True", "ready");
    tap_is_str(c[NODE_READY].reason, "KubeletReady", "ready's reason");
    tap_is_str(c[NODE_READY].message, "orc is posting ready status", "ready's message");
    node_conditions_done(c);

    struct node_usage tight = calm;
    tight.memory_available = 50LL << 20;
    tight.storage_available = 5LL << 30; /* 5% */
    tight.tasks = tight.pid_max - 10;
    node_conditions_eval(&tight, &(struct node_health){.store = "database is locked"}, c);
    tap_is_str(status_of(c, NODE_MEMORY_PRESSURE), "True", "memory below 100Mi: pressure");
    tap_is_str(c[NODE_MEMORY_PRESSURE].reason, "KubeletHasInsufficientMemory", "its reason");
    tap_is_str(status_of(c, NODE_DISK_PRESSURE), "True", "less than 10%% free: disk pressure");
    tap_ok(strstr(c[NODE_DISK_PRESSURE].message, "10%") != NULL, "says why: %s",
           c[NODE_DISK_PRESSURE].message);
    tap_is_str(status_of(c, NODE_PID_PRESSURE), "True", "pids nearly used up: PID pressure");
    tap_is_str(status_of(c, NODE_READY), "False", "a failing store: not ready");
    tap_is_str(c[NODE_READY].reason, "KubeletNotReady", "its reason");
    tap_is_str(c[NODE_READY].message, "database is locked", "and the check's message");
    node_conditions_done(c);

    node_conditions_eval(&calm, &(struct node_health){.disk_full = true}, c);
    tap_is_str(status_of(c, NODE_DISK_PRESSURE), "True", "the store's reserve used: pressure");
    tap_is_str(c[NODE_DISK_PRESSURE].reason, "KubeletHasDiskPressure", "its reason");
    node_conditions_done(c);

    node_conditions_eval(&calm, &(struct node_health){.loop = "busy for 3.0s", .store = "x"}, c);
    tap_is_str(status_of(c, NODE_READY), "Unknown", "a stuck loop posts nothing: Unknown");
    tap_is_str(c[NODE_READY].reason, "NodeStatusUnknown", "the node controller's reason");
    node_conditions_done(c);

    node_conditions_eval(&calm, &(struct node_health){.runtime = "holder gone"}, c);
    tap_is_str(status_of(c, NODE_READY), "False", "no user namespace: not ready");
    node_conditions_done(c);

    tap_is_str(node_condition_event_reason(NODE_READY, "True"), "NodeReady", "event NodeReady");
    tap_is_str(node_condition_event_reason(NODE_READY, "Unknown"), "NodeNotReady",
               "event NodeNotReady");
    tap_is_str(node_condition_event_reason(NODE_DISK_PRESSURE, "True"), "NodeHasDiskPressure",
               "event NodeHasDiskPressure");
    tap_is_str(node_condition_event_reason(NODE_MEMORY_PRESSURE, "False"),
               "NodeHasSufficientMemory", "event NodeHasSufficientMemory");
    tap_is_str(node_condition_event_reason(NODE_PID_PRESSURE, "False"), "NodeHasSufficientPID",
               "event NodeHasSufficientPID");
}

static const char *path_str(const json_t *j, const char *path)
{
    _cleanup_free_ char *copy = xstrdup(path);
    char *save = NULL;
    const json_t *v = j;
    for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, strtoul(k, NULL, 10)) : json_object_get(v, k);
    return json_string_value(v);
}

static void test_node(void)
{
    struct node_facts f = {.hostname = "Build-01.example.org",
                           .name = "build-01.example.org",
                           .machine_id = "0123456789abcdef0123456789abcdef",
                           .system_uuid = "",
                           .boot_id = "b00710d0-0000-4000-8000-000000000001",
                           .kernel_version = "6.1.0-18-amd64",
                           .os_image = "Debian GNU/Linux 12 (bookworm)",
                           .cpus = 6,
                           .memory = 16318132LL * 1024,
                           .hugepages = {{2 << 20, 0}, {1 << 30, 2LL << 30}},
                           .n_hugepages = 2};
    struct node_condition_state c[_NODE_CONDITION_MAX] = {0};
    node_conditions_eval(&calm, &(struct node_health){0}, c);
    int64_t t[_NODE_CONDITION_MAX] = {1 * NSEC_PER_SEC, 2 * NSEC_PER_SEC, 3 * NSEC_PER_SEC,
                                      4 * NSEC_PER_SEC};
    struct node_view v = {.name = f.name,
                          .uid = "5f0c2b3e-0000-4000-8000-000000000002",
                          .created_ns = 0,
                          .resource_version = 7,
                          .facts = &f,
                          .usage = &calm,
                          .architecture = "amd64",
                          .kubelet_version = "v1.32.0-orc.0.1.0",
                          .runtime_version = "orc://0.1.0",
                          .address = "127.0.0.1",
                          .max_pods = 110,
                          .kubelet_port = 0,
                          .conditions = c,
                          .transitions = t,
                          .now_ns = 60 * NSEC_PER_SEC};
    json_auto_t *n = node_object_json(&v);
    tap_is_str(path_str(n, "kind"), "Node", "kind");
    tap_is_str(path_str(n, "metadata.name"), "build-01.example.org", "name");
    tap_is_str(path_str(n, "metadata.resourceVersion"), "7", "resourceVersion");
    tap_is_str(path_str(n, "metadata.creationTimestamp"), "1970-01-01T00:00:00Z", "created");
    json_t *labels = json_object_get(json_object_get(n, "metadata"), "labels");
    tap_is_str(orc_json_str(labels, "kubernetes.io/hostname"), "build-01.example.org",
               "hostname label");
    tap_is_str(orc_json_str(labels, "kubernetes.io/os"), "linux", "os label");
    tap_is_str(orc_json_str(labels, "kubernetes.io/arch"), "amd64", "arch label");
    tap_is_str(orc_json_str(labels, "beta.kubernetes.io/arch"), "amd64", "beta arch label");
    tap_is_str(orc_json_str(labels, "beta.kubernetes.io/os"), "linux", "beta os label");
    tap_is_str(path_str(n, "status.capacity.cpu"), "6", "cpu");
    tap_is_str(path_str(n, "status.capacity.memory"), "16318132Ki", "memory as kubelet writes it");
    tap_is_str(path_str(n, "status.capacity.ephemeral-storage"), "100Gi", "ephemeral-storage");
    tap_is_str(path_str(n, "status.capacity.pods"), "110", "pods");
    tap_is_str(path_str(n, "status.capacity.hugepages-2Mi"), "0", "no 2Mi huge pages");
    tap_is_str(path_str(n, "status.capacity.hugepages-1Gi"), "2Gi", "two 1Gi huge pages");
    tap_ok(json_equal(json_object_get(json_object_get(n, "status"), "capacity"),
                      json_object_get(json_object_get(n, "status"), "allocatable")),
           "allocatable is capacity: orc reserves nothing");
    const char *types[] = {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"};
    for (int i = 0; i < 4; i++) {
        char key[64];
        snprintf(key, sizeof(key), "status.conditions.%d.type", i);
        tap_is_str(path_str(n, key), types[i], "condition %d in kubelet's order", i);
    }
    tap_is_str(path_str(n, "status.conditions.3.lastHeartbeatTime"), "1970-01-01T00:01:00Z",
               "heartbeat: now");
    tap_is_str(path_str(n, "status.conditions.3.lastTransitionTime"), "1970-01-01T00:00:04Z",
               "transition: when it took its status");
    tap_is_str(path_str(n, "status.addresses.0.type"), "InternalIP", "InternalIP");
    tap_is_str(path_str(n, "status.addresses.0.address"), "127.0.0.1", "the pods' hostIP");
    tap_is_str(path_str(n, "status.addresses.1.type"), "Hostname", "Hostname");
    tap_is_str(path_str(n, "status.addresses.1.address"), "build-01.example.org", "its name");
    tap_is_str(path_str(n, "status.nodeInfo.osImage"), "Debian GNU/Linux 12 (bookworm)", "osImage");
    tap_is_str(path_str(n, "status.nodeInfo.containerRuntimeVersion"), "orc://0.1.0", "runtime");
    tap_is_str(path_str(n, "status.nodeInfo.kubeletVersion"), "v1.32.0-orc.0.1.0", "version");
    tap_is_str(path_str(n, "status.nodeInfo.operatingSystem"), "linux", "operatingSystem");
    tap_is_str(path_str(n, "status.nodeInfo.architecture"), "amd64", "architecture");
    tap_is_str(path_str(n, "status.nodeInfo.machineID"), f.machine_id, "machineID");
    tap_is_str(path_str(n, "status.nodeInfo.bootID"), f.boot_id, "bootID");
    tap_is_str(path_str(n, "status.nodeInfo.kernelVersion"), "6.1.0-18-amd64", "kernelVersion");
    json_t *port = json_object_get(
        json_object_get(json_object_get(json_object_get(n, "status"), "daemonEndpoints"),
                        "kubeletEndpoint"),
        "Port");
    tap_ok(json_is_integer(port) && json_integer_value(port) == 0, "no kubelet port");
    node_conditions_done(c);
}

static void test_lease(void)
{
    struct lease_view v = {.node_name = "n1",
                           .node_uid = "node-uid",
                           .uid = "lease-uid",
                           .created_ns = 0,
                           .resource_version = 3,
                           .renew_ns = 90 * NSEC_PER_SEC + 123456789};
    json_auto_t *l = node_lease_json(&v);
    tap_is_str(path_str(l, "apiVersion"), "coordination.k8s.io/v1", "Lease's group");
    tap_is_str(path_str(l, "metadata.namespace"), "kube-node-lease", "in kube-node-lease");
    tap_is_str(path_str(l, "metadata.name"), "n1", "named after the node");
    tap_is_str(path_str(l, "metadata.ownerReferences.0.uid"), "node-uid", "owned by the node");
    tap_is_str(path_str(l, "spec.holderIdentity"), "n1", "held by the node");
    tap_is_int(orc_json_int(json_object_get(l, "spec"), "leaseDurationSeconds", 0), 40,
               "kubelet's 40 s");
    tap_is_str(path_str(l, "spec.renewTime"), "1970-01-01T00:01:30.123456Z",
               "renewTime in microseconds");
}

static void test_events_v1(void)
{
    json_auto_t *core = json_loads(
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"p.1\","
        "\"namespace\":\"default\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},"
        "\"reason\":\"Started\",\"message\":\"Started container c\",\"type\":\"Normal\","
        "\"count\":2,\"firstTimestamp\":\"1970-01-01T00:00:01Z\",\"lastTimestamp\":"
        "\"1970-01-01T00:00:02Z\",\"eventTime\":null,\"source\":{\"component\":\"kubelet\","
        "\"host\":\"n1\"},\"reportingComponent\":\"kubelet\",\"reportingInstance\":\"n1\"}",
        0, NULL);
    json_auto_t *e = event_object_events_v1(core);
    tap_is_str(path_str(e, "apiVersion"), "events.k8s.io/v1", "events.k8s.io");
    tap_is_str(path_str(e, "regarding.name"), "p", "regarding");
    tap_is_str(path_str(e, "note"), "Started container c", "note");
    tap_is_str(path_str(e, "reportingController"), "kubelet", "reportingController");
    tap_is_str(path_str(e, "reportingInstance"), "n1", "reportingInstance");
    tap_is_str(path_str(e, "deprecatedSource.host"), "n1", "deprecatedSource");
    tap_is_str(path_str(e, "deprecatedFirstTimestamp"), "1970-01-01T00:00:01Z", "first");
    tap_is_str(path_str(e, "deprecatedLastTimestamp"), "1970-01-01T00:00:02Z", "last");
    tap_is_int(orc_json_int(e, "deprecatedCount", 0), 2, "deprecatedCount");
    tap_ok(json_is_null(json_object_get(e, "eventTime")), "eventTime null");
    tap_ok(!json_object_get(e, "message") && !json_object_get(e, "involvedObject"),
           "no core/v1 names");
    tap_is_str(path_str(e, "metadata.name"), "p.1", "metadata kept");
}

static void test_name(void)
{
    _cleanup_free_ char *a = node_facts_name("Build-01.Example.ORG");
    tap_is_str(a, "build-01.example.org", "lowercased, as kubelet's default");
    _cleanup_free_ char *b = node_facts_name("my_host");
    tap_is_str(b, "my-host", "no '_' in a DNS subdomain");
    _cleanup_free_ char *c = node_facts_name("");
    tap_is_str(c, "localhost", "empty: localhost");
}

/* node_object_update_check of cur and cur changed by the jq-like edit made with json_loads. */
static char *update_error(const json_t *cur, const char *next_text)
{
    json_auto_t *builtin = node_object_labels("n1", "amd64");
    json_auto_t *next = json_loads(next_text, 0, NULL);
    orc_error_t err = NULL;
    if (!next)
        return xstrdup("(test: bad JSON)");
    if (node_object_update_check(cur, next, builtin, &err) == 0)
        return NULL;
    char *msg = xstrdup(orc_error_message(err));
    tap_is_int(err->status, EINVAL, "Invalid");
    orc_error_release(&err);
    return msg;
}

#define NODE_META                                                                                  \
    "\"apiVersion\": \"v1\", \"kind\": \"Node\", "                                                 \
    "\"spec\": {}, \"metadata\": {\"name\": \"n1\", \"uid\": \"u1\", \"resourceVersion\": \"7\", " \
    "\"creationTimestamp\": \"1970-01-01T00:00:00Z\", \"labels\": {"                               \
    "\"beta.kubernetes.io/arch\": \"amd64\", \"beta.kubernetes.io/os\": \"linux\", "               \
    "\"kubernetes.io/arch\": \"amd64\", \"kubernetes.io/hostname\": \"n1\", "                      \
    "\"kubernetes.io/os\": \"linux\"%s}%s}"
#define NODE_STATUS                                                                                \
    "\"status\": {\"conditions\": [{\"type\": \"Ready\", \"status\": \"%s\", "                     \
    "\"lastHeartbeatTime\": \"%s\"}]}"

static char *node_text(const char *labels, const char *meta, const char *status, const char *beat)
{
    _cleanup_free_ char *m = xasprintf(NODE_META, labels, meta);
    _cleanup_free_ char *st = xasprintf(NODE_STATUS, status, beat);
    return xasprintf("{%s, %s}", m, st);
}

#define CHECK_UPDATE(next, want, ...)                                                              \
    do {                                                                                           \
        _cleanup_free_ char *_e = update_error(cur, next);                                         \
        if (want)                                                                                  \
            tap_is_str(_e, want, __VA_ARGS__);                                                     \
        else                                                                                       \
            tap_ok(!_e, __VA_ARGS__);                                                              \
        if (_e && !(want))                                                                         \
            printf("#   %s\n", _e);                                                                \
    } while (0)

static void test_update(void)
{
    _cleanup_free_ char *cur_text = node_text("", "", "True", "1970-01-01T00:01:00Z");
    json_auto_t *cur = json_loads(cur_text, 0, NULL);
    const char *no = NULL;
    _cleanup_free_ char *added =
        node_text(", \"disktype\": \"ssd\"", "", "True", "1970-01-01T00:01:00Z");
    CHECK_UPDATE(added, no, "a label added");
    _cleanup_free_ char *later =
        node_text(", \"disktype\": \"ssd\"", ", \"annotations\": {\"a\": \"b\"}", "True",
                  "1970-01-01T00:09:00Z");
    CHECK_UPDATE(later, no, "an annotation, and the status read later (another heartbeat)");
    _cleanup_free_ char *no_status = xasprintf("{" NODE_META "}", ", \"disktype\": \"ssd\"", "");
    CHECK_UPDATE(no_status, no, "a PUT without status");
    _cleanup_free_ char *stale = xasprintf("{" NODE_META "}", "", ", \"resourceVersion\": \"3\"");
    CHECK_UPDATE(stale, no, "the resourceVersion is the store's to check");

    _cleanup_free_ char *host = xstrdup(cur_text);
    char *at = strstr(host, "\"kubernetes.io/hostname\": \"n1\"");
    memcpy(at + strlen("\"kubernetes.io/hostname\": \""), "n2", 2);
    CHECK_UPDATE(host,
                 "Node \"n1\" is invalid: metadata.labels[kubernetes.io/hostname]: Forbidden: orc "
                 "sets this label of its node, as kubelet sets it: it cannot be changed or removed",
                 "a built-in label changed");
    json_auto_t *gone = json_deep_copy(cur);
    json_object_del(json_object_get(json_object_get(gone, "metadata"), "labels"),
                    "kubernetes.io/os");
    _cleanup_free_ char *gone_text = json_dumps(gone, 0);
    CHECK_UPDATE(gone_text,
                 "Node \"n1\" is invalid: metadata.labels[kubernetes.io/os]: Forbidden: orc sets "
                 "this label of its node, as kubelet sets it: it cannot be changed or removed",
                 "a built-in label removed");

    json_auto_t *cordon = json_deep_copy(cur);
    json_object_set_new(json_object_get(cordon, "spec"), "unschedulable", json_true());
    _cleanup_free_ char *cordon_text = json_dumps(cordon, 0);
    CHECK_UPDATE(
        cordon_text,
        "Node \"n1\" is invalid: spec.unschedulable: Forbidden: orc's node takes writes of "
        "metadata.labels and metadata.annotations only (its spec and status are orc's, as "
        "kubelet's node's are kubelet's)",
        "spec.unschedulable (kubectl cordon)");
    _cleanup_free_ char *not_ready = node_text("", "", "False", "1970-01-01T00:01:00Z");
    CHECK_UPDATE(not_ready,
                 "Node \"n1\" is invalid: status.conditions[0].status: Forbidden: orc's node takes "
                 "writes of metadata.labels and metadata.annotations only (its spec and status are "
                 "orc's, as kubelet's node's are kubelet's)",
                 "a condition");
    _cleanup_free_ char *fin =
        node_text("", ", \"finalizers\": [\"x\"]", "True", "1970-01-01T00:01:00Z");
    CHECK_UPDATE(fin,
                 "Node \"n1\" is invalid: metadata.finalizers: Forbidden: orc's node takes writes "
                 "of metadata.labels and metadata.annotations only (its spec and status are orc's, "
                 "as kubelet's node's are kubelet's)",
                 "other metadata");
    _cleanup_free_ char *bad_key =
        node_text(", \"-bad\": \"x\"", "", "True", "1970-01-01T00:01:00Z");
    CHECK_UPDATE(bad_key,
                 "Node \"n1\" is invalid: metadata.labels: Invalid value: \"-bad\": name part must "
                 "consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                 "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
                 "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                 "a label key as the API validates it");
    _cleanup_free_ char *bad_value =
        node_text(", \"disk\": \"a b\"", "", "True", "1970-01-01T00:01:00Z");
    CHECK_UPDATE(bad_value,
                 "Node \"n1\" is invalid: metadata.labels: Invalid value: \"a b\": a valid label "
                 "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                 "'my_value',  or '12345', regex used for validation is "
                 "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                 "a label value as the API validates it");
    _cleanup_free_ char *bad_note =
        node_text("", ", \"annotations\": {\"a/b/c\": \"x\"}", "True", "1970-01-01T00:01:00Z");
    _cleanup_free_ char *e = update_error(cur, bad_note);
    tap_ok(e && strstr(e, "metadata.annotations: Invalid value: \"a/b/c\": a qualified name"),
           "an annotation key as the API validates it: %s", e ? e : "(none)");

    json_auto_t *builtin = node_object_labels("n1", "amd64");
    json_auto_t *stored = json_pack("{s:s,s:s}", "disktype", "ssd", "kubernetes.io/arch", "arm64");
    json_auto_t *merged = node_object_labels_merge(stored, builtin);
    tap_is_str(orc_json_str(merged, "disktype"), "ssd", "merge keeps the users' labels");
    tap_is_str(orc_json_str(merged, "kubernetes.io/arch"), "amd64", "and sets the built-in ones");
    json_auto_t *fresh = node_object_labels_merge(NULL, builtin);
    tap_ok(json_equal(fresh, builtin), "nothing stored: the built-in ones");
}

int main(void)
{
    test_update();
    test_conditions();
    test_node();
    test_lease();
    test_events_v1();
    test_name();
    return tap_done();
}
