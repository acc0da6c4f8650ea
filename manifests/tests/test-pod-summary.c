/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's STATUS, READY and RESTARTS as the API server's printer computes them. */
#include <stdlib.h>

#include "pod-summary.h"
#include "tap.h"
#include "time-util.h"

static struct pod_summary summarize(const char *text)
{
    json_error_t e;
    json_t *pod = json_loads(text, 0, &e);
    if (!pod) {
        printf("# bad test JSON: %s\n", e.text);
        abort();
    }
    struct pod_summary s;
    pod_summarize(pod, &s);
    json_decref(pod);
    return s;
}

static void sidecars(void)
{
    /* a sidecar (restartPolicy Always) that started counts in READY and RESTARTS after init */
    struct pod_summary s = summarize(
        "{\"spec\":{\"initContainers\":[{\"name\":\"log\",\"restartPolicy\":\"Always\"},"
        "{\"name\":\"setup\"}],\"containers\":[{\"name\":\"app\"}]},"
        "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Initialized\","
        "\"status\":\"True\"}],\"initContainerStatuses\":["
        "{\"name\":\"log\",\"started\":true,\"ready\":true,\"restartCount\":2,"
        "\"state\":{\"running\":{}},\"lastState\":{\"terminated\":{\"finishedAt\":"
        "\"2023-11-14T22:00:00Z\"}}},"
        "{\"name\":\"setup\",\"restartCount\":1,\"state\":{\"terminated\":{\"exitCode\":0}}}],"
        "\"containerStatuses\":[{\"name\":\"app\",\"ready\":true,\"restartCount\":1,"
        "\"state\":{\"running\":{}}}]}}");
    tap_is_str(s.reason, "Running", "sidecar pod: Running");
    tap_is_int(s.ready, 2, "sidecar pod: the sidecar is ready too");
    tap_is_int(s.total, 2, "sidecar pod: the sidecar counts as a container");
    tap_is_int(s.restarts, 3, "sidecar pod: the sidecar's and the app's restarts, not setup's");
    int64_t want;
    orc_time_parse_rfc3339("2023-11-14T22:00:00Z", &want);
    tap_ok(s.last_restart_ns == want, "sidecar pod: the sidecar's last termination");
}

static void initialising(void)
{
    struct pod_summary s = summarize(
        "{\"spec\":{\"initContainers\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
        "\"containers\":[{\"name\":\"app\"}]},\"status\":{\"phase\":\"Pending\","
        "\"initContainerStatuses\":[{\"name\":\"a\",\"state\":{\"terminated\":{\"exitCode\":0}}},"
        "{\"name\":\"b\",\"restartCount\":4,\"state\":{\"waiting\":{\"reason\":"
        "\"CrashLoopBackOff\"}},\"lastState\":{\"terminated\":{\"exitCode\":1,\"finishedAt\":"
        "\"2023-11-14T22:10:00Z\"}}}],\"containerStatuses\":[{\"name\":\"app\",\"state\":"
        "{\"waiting\":{\"reason\":\"PodInitializing\"}}}]}}");
    tap_is_str(s.reason, "Init:CrashLoopBackOff", "an init container in back-off");
    tap_is_int(s.restarts, 4, "while initialising, RESTARTS are the init containers'");
    tap_is_int(s.ready, 0, "nothing ready while initialising");
    s = summarize("{\"spec\":{\"initContainers\":[{\"name\":\"a\"}],\"containers\":[{}]},"
                  "\"status\":{\"phase\":\"Failed\",\"initContainerStatuses\":[{\"name\":\"a\","
                  "\"state\":{\"terminated\":{\"exitCode\":137,\"signal\":9}}}]}}");
    tap_is_str(s.reason, "Init:Signal:9", "an init container killed by a signal");
}

static void others(void)
{
    struct pod_summary s = summarize(
        "{\"spec\":{\"containers\":[{}]},\"status\":{\"phase\":\"Pending\",\"conditions\":["
        "{\"type\":\"PodScheduled\",\"status\":\"False\",\"reason\":\"SchedulingGated\"}]}}");
    tap_is_str(s.reason, "SchedulingGated", "a gated pod");
    s = summarize("{\"metadata\":{\"deletionTimestamp\":\"2023-11-14T22:13:20Z\"},"
                  "\"spec\":{\"containers\":[{}]},\"status\":{\"phase\":\"Succeeded\","
                  "\"containerStatuses\":[{\"state\":{\"terminated\":{\"exitCode\":0,"
                  "\"reason\":\"Completed\"}}}]}}");
    tap_is_str(s.reason, "Completed", "a finished pod being deleted is not Terminating");
    s = summarize("{\"metadata\":{\"deletionTimestamp\":\"2023-11-14T22:13:20Z\"},"
                  "\"spec\":{\"containers\":[{}]},\"status\":{\"phase\":\"Running\","
                  "\"containerStatuses\":[{\"ready\":true,\"state\":{\"running\":{}}}]}}");
    tap_is_str(s.reason, "Terminating", "a running pod being deleted");
    tap_is_int(s.ready, 1, "... still counts its ready container");
    s = summarize("{\"metadata\":{\"deletionTimestamp\":\"2023-11-14T22:13:20Z\"},"
                  "\"status\":{\"phase\":\"Running\",\"reason\":\"NodeLost\"}}");
    tap_is_str(s.reason, "Unknown", "a pod on a lost node being deleted");
    s = summarize("{\"spec\":{\"containers\":[{},{}]},\"status\":{\"phase\":\"Running\","
                  "\"containerStatuses\":[{\"restartCount\":5,\"state\":{\"waiting\":"
                  "{\"reason\":\"CrashLoopBackOff\"}},\"lastState\":{\"terminated\":"
                  "{\"finishedAt\":\"2023-11-14T22:08:20Z\"}}},{\"ready\":true,\"state\":"
                  "{\"running\":{}}}]}}");
    tap_is_str(s.reason, "CrashLoopBackOff", "a container in back-off");
    tap_is_int(s.ready, 1, "one of two ready");
    tap_is_int(s.total, 2, "two containers");
    tap_is_int(s.restarts, 5, "its restarts");
    tap_ok(s.last_restart_ns == 1699999700LL * NSEC_PER_SEC, "its last termination");
}

int main(void)
{
    sidecars();
    initialising();
    others();
    return tap_done();
}
