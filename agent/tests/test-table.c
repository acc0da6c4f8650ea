/* SPDX-License-Identifier: Apache-2.0 */
/* Table responses: each kind's columns and cells as the API server's printers give them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/table.h"
#include "json-util.h"
#include "tap.h"
#include "time-util.h"

#define NOW (1700000000LL * NSEC_PER_SEC) /* 2023-11-14T22:13:20Z */

static const struct table_options opts = {"meta.k8s.io/v1", TABLE_INCLUDE_METADATA, NOW};

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j) {
        printf("# bad test JSON: %s\n", e.text);
        abort();
    }
    return j;
}

/* The cells of a one-object table, as compact JSON. */
static char *cells_of(const char *kind, const char *obj)
{
    json_auto_t *items = json_pack("[o]", load(obj));
    json_auto_t *t = table_build(kind, items, &opts);
    return json_dumps(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "cells"),
                      JSON_COMPACT);
}

static void check_cells(const char *kind, const char *obj, const char *want, const char *what)
{
    char *got = cells_of(kind, obj);
    tap_is_str(got, want, "%s: %s", kind, what);
    free(got);
}

/* "Name:0,Ready:0,..." */
static char *columns_of(const char *kind)
{
    json_auto_t *items = json_array();
    json_auto_t *t = table_build(kind, items, &opts);
    char buf[1024] = "";
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(t, "columnDefinitions"), i, c)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s:%s:%lld", i ? "," : "",
                 orc_json_str(c, "name"), orc_json_str(c, "type"), orc_json_int(c, "priority", -1));
    return strdup(buf);
}

static void check_columns(const char *kind, const char *want)
{
    char *got = columns_of(kind);
    tap_is_str(got, want, "%s: the API server's columns", kind);
    free(got);
}

#define POD_META(extra)                                                                            \
    "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"u1\","                     \
    "\"creationTimestamp\":\"2023-11-14T22:08:20Z\"" extra "}"

static void pods(void)
{
    check_columns("Pod", "Name:string:0,Ready:string:0,Status:string:0,Restarts:string:0,"
                         "Age:string:0,IP:string:1,Node:string:1,Nominated Node:string:1,"
                         "Readiness Gates:string:1");
    check_cells(
        "Pod",
        "{" POD_META(
            "") ",\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{"
                "\"phase\":\"Running\",\"nodeName\":\"host\",\"podIP\":\"10.0.2.100\","
                "\"podIPs\":[{\"ip\":\"10.0.2.100\"}],\"containerStatuses\":[{\"name\":\"c\","
                "\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}}",
        "[\"web\",\"1/1\",\"Running\",\"0\",\"5m\",\"10.0.2.100\",\"host\",\"<none>\","
        "\"<none>\"]",
        "a running pod");
    check_cells(
        "Pod",
        "{" POD_META(
            ",\"deletionTimestamp\":\"2023-11-14T22:13:10Z\"") ",\"spec\":{"
                                                               "\"nodeName\":\"n1\",\"containers\":"
                                                               "[{\"name\":\"c\"}]},\"status\":{"
                                                               "\"phase\":"
                                                               "\"Running\",\"containerStatuses\":["
                                                               "{\"name\":\"c\",\"ready\":true,"
                                                               "\"state\":{"
                                                               "\"running\":{}}}]}}",
        "[\"web\",\"1/1\",\"Terminating\",\"0\",\"5m\",\"<none>\",\"n1\",\"<none>\","
        "\"<none>\"]",
        "a pod being deleted");
    check_cells(
        "Pod",
        "{" POD_META(
            "") ",\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{"
                "\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
                "\"restartCount\":4,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\","
                "\"message\":\"back-off 40s\"}},\"lastState\":{\"terminated\":{\"exitCode\":1,"
                "\"reason\":\"Error\",\"finishedAt\":\"2023-11-14T22:10:48Z\"}}}]}}",
        "[\"web\",\"0/1\",\"CrashLoopBackOff\",\"4 (2m32s ago)\",\"5m\",\"<none>\","
        "\"<none>\",\"<none>\",\"<none>\"]",
        "a pod in CrashLoopBackOff with restarts");
    check_cells(
        "Pod",
        "{" POD_META(
            "") ",\"spec\":{\"initContainers\":[{\"name\":\"a\"},{\"name\":"
                "\"b\"}],\"containers\":[{\"name\":\"c\"}],\"readinessGates\":[{"
                "\"conditionType\":\"x/ok\"}]},\"status\":{\"phase\":\"Pending\",\"conditions\":"
                "[{\"type\":\"x/ok\",\"status\":\"True\"}],\"initContainerStatuses\":["
                "{\"name\":\"a\",\"state\":{\"terminated\":{\"exitCode\":0}}},{\"name\":\"b\","
                "\"state\":{\"running\":{}}}],\"containerStatuses\":[{\"name\":\"c\",\"state\":"
                "{\"waiting\":{\"reason\":\"PodInitializing\"}}}]}}",
        "[\"web\",\"0/1\",\"Init:1/2\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\","
        "\"1/1\"]",
        "a pod running its second init container");

    json_auto_t *items = json_pack("[o]", load("{" POD_META("") ",\"status\":{\"phase\":"
                                                                "\"Succeeded\"}}"));
    json_auto_t *t = table_build("Pod", items, &opts);
    json_t *row = json_array_get(json_object_get(t, "rows"), 0);
    json_t *cond = json_array_get(json_object_get(row, "conditions"), 0);
    tap_is_str(orc_json_str(cond, "type"), "Completed", "a succeeded pod's row is Completed");
    tap_is_str(orc_json_str(cond, "reason"), "Succeeded", "... for the reason Succeeded");
    tap_is_str(orc_json_str(t, "kind"), "Table", "the kind is Table");
    tap_is_str(orc_json_str(t, "apiVersion"), "meta.k8s.io/v1", "of meta.k8s.io/v1");
    json_t *obj = json_object_get(row, "object");
    tap_is_str(orc_json_str(obj, "kind"), "PartialObjectMetadata", "a row carries metadata");
    tap_is_str(orc_json_str(obj, "apiVersion"), "meta.k8s.io/v1", "... of the table's version");
    tap_is_str(orc_json_str(json_object_get(obj, "metadata"), "uid"), "u1", "... the pod's");
    tap_ok(!json_object_get(obj, "status"), "... and nothing else");
}

static void include_object(void)
{
    tap_is_int(table_include_from_string(NULL), TABLE_INCLUDE_METADATA, "Metadata by default");
    tap_is_int(table_include_from_string("Object"), TABLE_INCLUDE_OBJECT, "Object");
    tap_is_int(table_include_from_string("None"), TABLE_INCLUDE_NONE, "None");
    tap_is_int(table_include_from_string("all"), -EINVAL, "anything else is refused");
    struct table_options o = {"meta.k8s.io/v1beta1", TABLE_INCLUDE_OBJECT, NOW};
    json_auto_t *items = json_pack("[{s:s,s:{s:s}}]", "kind", "Pod", "metadata", "name", "x");
    json_auto_t *t = table_build("Pod", items, &o);
    json_t *row = json_array_get(json_object_get(t, "rows"), 0);
    tap_ok(json_object_get(row, "object") == json_array_get(items, 0), "Object: the object");
    tap_is_str(orc_json_str(t, "apiVersion"), "meta.k8s.io/v1beta1", "the version asked for");
    o.include = TABLE_INCLUDE_NONE;
    json_auto_t *t2 = table_build("Pod", items, &o);
    row = json_array_get(json_object_get(t2, "rows"), 0);
    tap_ok(json_is_null(json_object_get(row, "object")), "None: a null object");
}

static void events(void)
{
    check_columns("Event", "Last Seen:string:0,Type:string:0,Reason:string:0,Object:string:0,"
                           "Subobject:string:1,Source:string:1,Message:string:0,"
                           "First Seen:string:1,Count:string:1,Name:string:1");
    check_cells("Event",
                "{\"metadata\":{\"name\":\"web.17\"},\"involvedObject\":{\"kind\":\"Pod\","
                "\"name\":\"web\",\"fieldPath\":\"spec.containers{c}\"},\"reason\":\"BackOff\","
                "\"message\":\" Back-off restarting failed container\\n\",\"type\":\"Warning\","
                "\"count\":7,\"source\":{\"component\":\"kubelet\",\"host\":\"host\"},"
                "\"firstTimestamp\":\"2023-11-14T21:13:20Z\",\"lastTimestamp\":"
                "\"2023-11-14T22:13:00Z\"}",
                "[\"20s\",\"Warning\",\"BackOff\",\"pod/web\",\"spec.containers{c}\","
                "\"kubelet, host\",\"Back-off restarting failed container\",\"60m\",7,"
                "\"web.17\"]",
                "a repeated event");
    check_cells("Event",
                "{\"metadata\":{\"name\":\"e\"},\"involvedObject\":{\"kind\":\"Node\"},"
                "\"reason\":\"Starting\",\"type\":\"Normal\",\"eventTime\":"
                "\"2023-11-14T22:13:15.000000Z\",\"reportingComponent\":\"orcd\","
                "\"reportingInstance\":\"host\"}",
                "[\"5s\",\"Normal\",\"Starting\",\"node\",\"\",\"orcd, host\",\"\",\"5s\",1,"
                "\"e\"]",
                "an event of the new API (eventTime, no count)");
    check_cells("Event",
                "{\"metadata\":{\"name\":\"e\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":"
                "\"p\"},\"eventTime\":\"2023-11-14T22:00:00Z\",\"series\":{\"count\":3,"
                "\"lastObservedTime\":\"2023-11-14T22:12:20Z\"}}",
                "[\"60s\",\"\",\"\",\"pod/p\",\"\",\"\",\"\",\"13m\",3,\"e\"]", "an event series");
}

static void nodes(void)
{
    check_columns("Node", "Name:string:0,Status:string:0,Roles:string:0,Age:string:0,"
                          "Version:string:0,Internal-IP:string:1,External-IP:string:1,"
                          "OS-Image:string:1,Kernel-Version:string:1,Container-Runtime:string:1");
    check_cells("Node",
                "{\"metadata\":{\"name\":\"host\",\"creationTimestamp\":\"2023-11-12T19:13:20Z\","
                "\"labels\":{\"kubernetes.io/hostname\":\"host\"}},\"spec\":{},\"status\":{"
                "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],\"addresses\":[{"
                "\"type\":\"InternalIP\",\"address\":\"192.168.1.5\"},{\"type\":\"Hostname\","
                "\"address\":\"host\"}],\"nodeInfo\":{\"kubeletVersion\":\"v1.32.0-orc\","
                "\"osImage\":\"Debian GNU/Linux 12 (bookworm)\",\"kernelVersion\":\"6.1.0\","
                "\"containerRuntimeVersion\":\"runc://1.1.5\"}}}",
                "[\"host\",\"Ready\",\"<none>\",\"2d3h\",\"v1.32.0-orc\",\"192.168.1.5\","
                "\"<none>\",\"Debian GNU/Linux 12 (bookworm)\",\"6.1.0\",\"runc://1.1.5\"]",
                "a ready node");
    check_cells("Node",
                "{\"metadata\":{\"name\":\"n\",\"labels\":{\"node-role.kubernetes.io/worker\":"
                "\"\",\"node-role.kubernetes.io/control-plane\":\"\",\"kubernetes.io/role\":"
                "\"worker\"}},\"spec\":{\"unschedulable\":true},\"status\":{\"conditions\":[{"
                "\"type\":\"Ready\",\"status\":\"Unknown\"}]}}",
                "[\"n\",\"NotReady,SchedulingDisabled\",\"control-plane,worker\",\"<unknown>\","
                "\"\",\"<none>\",\"<none>\",\"<unknown>\",\"<unknown>\",\"<unknown>\"]",
                "a cordoned node that is not ready, with roles");
    check_cells("Node", "{\"metadata\":{\"name\":\"n\"}}",
                "[\"n\",\"Unknown\",\"<none>\",\"<unknown>\",\"\",\"<none>\",\"<none>\","
                "\"<unknown>\",\"<unknown>\",\"<unknown>\"]",
                "a node without conditions");
}

static void others(void)
{
    check_columns("Namespace", "Name:string:0,Status:string:0,Age:string:0");
    check_cells("Namespace",
                "{\"metadata\":{\"name\":\"default\",\"creationTimestamp\":"
                "\"2023-11-14T19:13:20Z\"},\"status\":{\"phase\":\"Active\"}}",
                "[\"default\",\"Active\",\"3h\"]", "a namespace");
    check_columns("Lease", "Name:string:0,Holder:string:0,Age:string:0");
    check_cells("Lease",
                "{\"metadata\":{\"name\":\"host\",\"creationTimestamp\":\"2023-11-14T22:13:19Z\"},"
                "\"spec\":{\"holderIdentity\":\"host\"}}",
                "[\"host\",\"host\",\"1s\"]", "a node's lease");
    check_columns("ConfigMap", "Name:string:0,Data:string:0,Age:string:0");
    check_cells("ConfigMap",
                "{\"metadata\":{\"name\":\"cfg\",\"creationTimestamp\":"
                "\"2023-11-14T22:13:10Z\"},\"data\":{\"a\":\"1\"},\"binaryData\":{\"b\":\"\"}}",
                "[\"cfg\",2,\"10s\"]", "a ConfigMap: data and binaryData counted");
    check_columns("Secret", "Name:string:0,Type:string:0,Data:string:0,Age:string:0");
    check_cells("Secret",
                "{\"metadata\":{\"name\":\"s\",\"creationTimestamp\":"
                "\"2023-11-14T22:13:10Z\"},\"type\":\"Opaque\",\"data\":{\"a\":\"\"}}",
                "[\"s\",\"Opaque\",1,\"10s\"]", "a Secret");
    check_columns("PersistentVolumeClaim",
                  "Name:string:0,Status:string:0,Volume:string:0,Capacity:string:0,Access "
                  "Modes:string:0,StorageClass:string:0,VolumeAttributesClass:string:0,Age:string:"
                  "0,VolumeMode:string:1");
    check_cells("PersistentVolumeClaim",
                "{\"metadata\":{\"name\":\"c\",\"creationTimestamp\":\"2023-11-14T22:13:10Z\"},"
                "\"spec\":{\"volumeName\":\"v\",\"storageClassName\":\"manual\",\"volumeMode\":"
                "\"Filesystem\"},\"status\":{\"phase\":\"Bound\",\"capacity\":{\"storage\":"
                "\"10Gi\"},\"accessModes\":[\"ReadWriteOnce\",\"ReadOnlyMany\"]}}",
                "[\"c\",\"Bound\",\"v\",\"10Gi\",\"RWO,ROX\",\"manual\",\"<unset>\",\"10s\","
                "\"Filesystem\"]",
                "a bound claim");
    check_cells("PersistentVolume",
                "{\"metadata\":{\"name\":\"v\",\"creationTimestamp\":\"2023-11-14T22:13:10Z\","
                "\"deletionTimestamp\":\"2023-11-14T22:13:11Z\"},\"spec\":{\"capacity\":{"
                "\"storage\":\"1Gi\"},\"accessModes\":[\"ReadWriteOncePod\"],"
                "\"persistentVolumeReclaimPolicy\":\"Retain\",\"claimRef\":{\"namespace\":\"d\","
                "\"name\":\"c\"},\"storageClassName\":\"manual\"},\"status\":{\"phase\":"
                "\"Bound\"}}",
                "[\"v\",\"1Gi\",\"RWOP\",\"Retain\",\"Terminating\",\"d/c\",\"manual\","
                "\"<unset>\",\"\",\"10s\",\"\"]",
                "a volume being deleted");
    check_columns("Service", "Name:string:0,Created At:date:0");
    check_cells("Service",
                "{\"metadata\":{\"name\":\"cfg\",\"creationTimestamp\":"
                "\"2023-11-14T23:13:20+01:00\"}}",
                "[\"cfg\",\"2023-11-14T22:13:20Z\"]", "a kind without printer, time in UTC");
    check_cells("Service", "{\"metadata\":{\"name\":\"cfg\"}}",
                "[\"cfg\",\"0001-01-01T00:00:00Z\"]", "without a creation time: Go's zero time");
}

int main(void)
{
    pods();
    include_object();
    events();
    nodes();
    others();
    return tap_done();
}
