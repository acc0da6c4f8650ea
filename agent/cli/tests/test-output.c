/* SPDX-License-Identifier: Apache-2.0 */
/* kubectl's pod columns and output formats from canned API objects. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "tap.h"
#include "time-util.h"

#define NOW (1700000000LL * NSEC_PER_SEC) /* 2023-11-14T22:13:20Z */

static json_t *load(const char *json)
{
    json_error_t e;
    json_t *j = json_loads(json, 0, &e);
    if (!j) {
        printf("# bad test JSON: %s\n", e.text);
        abort();
    }
    return j;
}

static void check_status(const char *json, const char *expected, const char *what)
{
    json_t *p = load(json);
    char *s = pod_status_text(p);
    tap_is_str(s, expected, "STATUS: %s", what);
    free(s);
    json_decref(p);
}

static char *capture(void (*fn)(FILE *, const json_t *), const json_t *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f, arg);
    fclose(f);
    return buf;
}

static void status_tests(void)
{
    check_status("{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"ready\":true,"
                 "\"state\":{\"running\":{}}}]}}",
                 "Running", "running pod");
    check_status("{\"status\":{\"phase\":\"Pending\"}}", "Pending", "phase without statuses");
    check_status("{\"status\":{}}", "", "no phase at all: empty, as printPod leaves it");
    check_status("{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"state\":"
                 "{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}",
                 "CrashLoopBackOff", "waiting reason wins over the phase");
    check_status("{\"status\":{\"phase\":\"Pending\",\"containerStatuses\":[{\"state\":"
                 "{\"waiting\":{\"reason\":\"ContainerCreating\"}}}]}}",
                 "ContainerCreating", "creating");
    check_status("{\"status\":{\"phase\":\"Succeeded\",\"containerStatuses\":[{\"state\":"
                 "{\"terminated\":{\"reason\":\"Completed\",\"exitCode\":0}}}]}}",
                 "Completed", "terminated reason");
    check_status("{\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"state\":"
                 "{\"terminated\":{\"exitCode\":3}}}]}}",
                 "ExitCode:3", "exit code without reason");
    check_status("{\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"state\":"
                 "{\"terminated\":{\"exitCode\":137,\"signal\":9}}}]}}",
                 "Signal:9", "signal");
    /* the first container (in kubectl's reverse walk, the last one seen) decides */
    check_status("{\"status\":{\"phase\":\"Running\",\"containerStatuses\":["
                 "{\"state\":{\"terminated\":{\"reason\":\"Error\",\"exitCode\":1}}},"
                 "{\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}",
                 "Error", "first container's reason wins");
    check_status("{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\","
                 "\"status\":\"False\"}],\"containerStatuses\":[{\"state\":{\"terminated\":"
                 "{\"reason\":\"Completed\"}}},{\"ready\":true,\"state\":{\"running\":{}}}]}}",
                 "NotReady", "Completed next to a running container, pod not ready");
    check_status("{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\","
                 "\"status\":\"True\"}],\"containerStatuses\":[{\"state\":{\"terminated\":"
                 "{\"reason\":\"Completed\"}}},{\"ready\":true,\"state\":{\"running\":{}}}]}}",
                 "Running", "Completed next to a running container, pod ready");
    check_status("{\"metadata\":{\"deletionTimestamp\":\"2023-11-14T22:13:20Z\"},"
                 "\"status\":{\"phase\":\"Running\"}}",
                 "Terminating", "deletion");
    check_status("{\"status\":{\"phase\":\"Failed\",\"reason\":\"OutOfMemory\"}}", "OutOfMemory",
                 "the pod's own reason");
}

static void init_status_tests(void)
{
    const char *spec = "\"spec\":{\"initContainers\":[{},{}],\"containers\":[{}]}";
    char buf[1024];
    snprintf(buf, sizeof(buf),
             "{%s,\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
             "{\"state\":{\"terminated\":{\"exitCode\":0}}},{\"state\":{\"running\":{}}}],"
             "\"containerStatuses\":[{\"state\":{\"waiting\":{\"reason\":\"PodInitializing\"}}}]}}",
             spec);
    check_status(buf, "Init:1/2", "second init container running");
    snprintf(buf, sizeof(buf),
             "{%s,\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
             "{\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}",
             spec);
    check_status(buf, "Init:CrashLoopBackOff", "init container in back-off");
    snprintf(buf, sizeof(buf),
             "{%s,\"status\":{\"phase\":\"Failed\",\"initContainerStatuses\":["
             "{\"state\":{\"terminated\":{\"exitCode\":2}}}]}}",
             spec);
    check_status(buf, "Init:ExitCode:2", "failed init container");
    snprintf(buf, sizeof(buf),
             "{%s,\"status\":{\"phase\":\"Failed\",\"initContainerStatuses\":["
             "{\"state\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\"}}}]}}",
             spec);
    check_status(buf, "Init:Error", "failed init container with a reason");
    snprintf(buf, sizeof(buf),
             "{%s,\"status\":{\"phase\":\"Running\",\"initContainerStatuses\":["
             "{\"state\":{\"terminated\":{\"exitCode\":0}}},{\"state\":{\"terminated\":"
             "{\"exitCode\":0}}}],\"containerStatuses\":[{\"ready\":true,\"state\":"
             "{\"running\":{}}}]}}",
             spec);
    check_status(buf, "Running", "init done, app running");
}

static void columns_tests(void)
{
    json_t *p =
        load("{\"spec\":{\"containers\":[{},{},{}]},\"status\":{\"containerStatuses\":["
             "{\"ready\":true,\"restartCount\":2,\"state\":{\"running\":{}},"
             "\"lastState\":{\"terminated\":{\"finishedAt\":\"2023-11-14T22:13:15Z\"}}},"
             "{\"ready\":true,\"restartCount\":1,\"state\":{\"waiting\":{\"reason\":\"X\"}},"
             "\"lastState\":{\"terminated\":{\"finishedAt\":\"2023-11-14T22:10:00Z\"}}},"
             "{\"ready\":false,\"state\":{\"running\":{}}}]}}");
    char *r = pod_ready_text(p);
    tap_is_str(r, "1/3", "READY counts ready running containers of spec.containers");
    free(r);
    r = pod_restarts_text(p, NOW);
    tap_is_str(r, "3 (5s ago)", "RESTARTS: sum with the latest termination's age");
    free(r);
    json_decref(p);
    p = load("{\"status\":{\"containerStatuses\":[{\"restartCount\":0}]}}");
    r = pod_restarts_text(p, NOW);
    tap_is_str(r, "0", "RESTARTS without restarts");
    free(r);
    json_decref(p);
    r = age_text("2023-11-14T21:13:20Z", NOW);
    tap_is_str(r, "60m", "AGE one hour: kubectl's short form");
    free(r);
    r = age_text(NULL, NOW);
    tap_is_str(r, "<unknown>", "AGE without a timestamp");
    free(r);
}

static void table_tests(void)
{
    struct table t = {0};
    const char *h[] = {"NAME", "STATUS", "X", NULL}, *row[] = {"web-1", "Running", "1", NULL};
    table_add(&t, h);
    table_add(&t, row);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    table_print(&t, f);
    fclose(f);
    tap_is_str(buf, "NAME    STATUS    X\nweb-1   Running   1\n",
               "columns three spaces apart, no trailing blanks");
    free(buf);
    table_free(&t);
    tap_ok(t.rows == NULL && t.n_rows == 0, "table_free resets the table");
}

static const char two_pods[] =
    "[{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"creationTimestamp\":"
    "\"2023-11-14T22:12:20Z\"},\"spec\":{\"containers\":[{}]},\"status\":{\"phase\":\"Running\","
    "\"podIP\":\"10.0.2.100\",\"containerStatuses\":[{\"ready\":true,\"state\":{\"running\":{}}}]}}"
    ","
    "{\"metadata\":{\"name\":\"batch-job\",\"namespace\":\"team\",\"creationTimestamp\":"
    "\"2023-11-14T20:13:20Z\"},\"spec\":{\"containers\":[{}]},\"status\":{\"phase\":\"Pending\"}}]";

static void print_fmt(FILE *f, const json_t *pods, enum output_format fmt, bool all_ns)
{
    pods_print(f, pods, false, fmt, all_ns, NOW, "host1");
}

static void p_table(FILE *f, const json_t *p)
{
    print_fmt(f, p, OUTPUT_TABLE, false);
}
static void p_all(FILE *f, const json_t *p)
{
    print_fmt(f, p, OUTPUT_TABLE, true);
}
static void p_wide(FILE *f, const json_t *p)
{
    print_fmt(f, p, OUTPUT_WIDE, false);
}
static void p_name(FILE *f, const json_t *p)
{
    print_fmt(f, p, OUTPUT_NAME, false);
}
static void p_json(FILE *f, const json_t *p)
{
    print_fmt(f, p, OUTPUT_JSON, false);
}
static void p_single(FILE *f, const json_t *p)
{
    pods_print(f, p, true, OUTPUT_JSON, false, NOW, "host1");
}

static void format_tests(void)
{
    json_t *pods = load(two_pods);
    char *s = capture(p_table, pods);
    tap_is_str(s,
               "NAME        READY   STATUS    RESTARTS   AGE\n"
               "web         1/1     Running   0          60s\n"
               "batch-job   0/1     Pending   0          2h\n",
               "get pods table");
    free(s);
    s = capture(p_all, pods);
    tap_ok(!strncmp(s, "NAMESPACE   NAME        READY", 29) && strstr(s, "\nteam        batch-job"),
           "-A puts NAMESPACE first: %s", s);
    free(s);
    s = capture(p_wide, pods);
    tap_ok(strstr(s, "AGE   IP           NODE    NOMINATED NODE   READINESS GATES\n") &&
               strstr(s, "60s   10.0.2.100   host1   <none>           <none>\n") &&
               strstr(s, "2h    <none>       host1"),
           "-o wide: IP, NODE (the host), NOMINATED NODE, READINESS GATES: %s", s);
    free(s);
    s = capture(p_name, pods);
    tap_is_str(s, "pod/web\npod/batch-job\n", "-o name");
    free(s);
    s = capture(p_json, pods);
    json_t *list = load(s);
    tap_ok(!strcmp(json_string_value(json_object_get(list, "kind")), "List") &&
               json_array_size(json_object_get(list, "items")) == 2 &&
               !strcmp(json_string_value(json_object_get(list, "apiVersion")), "v1") &&
               json_object_get(json_object_get(list, "metadata"), "resourceVersion"),
           "-o json of a list is kubectl's List");
    tap_ok(!strncmp(s, "{\n    \"apiVersion\": \"v1\",\n    \"items\"", 34),
           "List keys in kubectl's order, four-space indent");
    json_decref(list);
    free(s);
    s = capture(p_single, pods);
    tap_ok(strstr(s, "\"name\": \"web\"") && !strstr(s, "\"List\"") && !strstr(s, "batch-job"),
           "-o json of one pod is the Pod");
    free(s);
    json_decref(pods);
    tap_is_int(output_format_from_string(NULL), OUTPUT_TABLE, "no -o: the table");
    tap_is_int(output_format_from_string("yaml"), OUTPUT_YAML, "-o yaml");
    tap_is_int(output_format_from_string("xml"), _OUTPUT_FORMAT_INVALID, "-o xml is rejected");
    tap_is_int(output_format_from_string(""), _OUTPUT_FORMAT_INVALID, "-o '' is rejected");
}

/* What get -w prints of the pods at the indexes of order (ending with -1), one a change. */
static char *watch_output(const json_t *pods, const int *order, enum output_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct watch_print w = {0};
    for (size_t i = 0; order[i] >= 0; i++)
        pod_watch_print(f, json_array_get(pods, (size_t) order[i]), fmt, &w, false, NOW, "host1");
    fclose(f);
    return buf;
}

static void watch_tests(void)
{
    json_t *pods = load(two_pods);
    char *s = watch_output(pods, (const int[]){0, 1, 0, -1}, OUTPUT_TABLE);
    tap_is_str(s,
               "NAME   READY   STATUS    RESTARTS   AGE\n"
               "web    1/1     Running   0          60s\n"
               "batch-job   0/1     Pending   0          2h\n"
               "web         1/1     Running   0          60s\n",
               "get -w: one header, each column as wide as its widest cell so far");
    free(s);
    s = watch_output(pods, (const int[]){0, 1, -1}, OUTPUT_NAME);
    tap_is_str(s, "pod/web\npod/batch-job\n", "get -w -o name");
    free(s);
    s = watch_output(pods, (const int[]){0, 1, -1}, OUTPUT_YAML);
    tap_ok(strncmp(s, "---", 3) && strstr(s, "\n---\n") && !strstr(strstr(s, "---") + 3, "---"),
           "get -w -o yaml: documents apart by one ---");
    free(s);
    json_decref(pods);
}

static void time_tests(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    char *s = describe_time_text("2023-11-14T22:13:20Z");
    tap_is_str(s, "Tue, 14 Nov 2023 22:13:20 +0000", "describe time: kubectl's RFC1123Z");
    free(s);
    s = describe_time_text(NULL);
    tap_is_str(s, "<unset>", "describe time missing");
    free(s);
    s = describe_time_text("yesterday");
    tap_is_str(s, "yesterday", "an unparsable time is shown as is");
    free(s);
}

int main(void)
{
    time_tests();
    watch_tests();
    status_tests();
    init_status_tests();
    columns_tests();
    table_tests();
    format_tests();
    return tap_done();
}
