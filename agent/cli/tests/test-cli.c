/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "print.h"
#include "tap.h"
#include "time-util.h"

static json_t *pod(const char *json)
{
    json_t *j = json_loads(json, 0, NULL);
    if (!j)
        abort();
    return j;
}

static void check_status(const char *json, const char *expected, const char *what)
{
    json_t *p = pod(json);
    char *s = pod_status_text(p);
    tap_is_str(s, expected, "%s", what);
    free(s);
    json_decref(p);
}

int main(void)
{
    check_status("{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"ready\":true,"
                 "\"state\":{\"running\":{}}}]}}",
                 "Running", "running pod");
    check_status("{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"state\":"
                 "{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}",
                 "CrashLoopBackOff", "waiting reason wins");
    check_status("{\"status\":{\"phase\":\"Succeeded\",\"containerStatuses\":[{\"state\":"
                 "{\"terminated\":{\"reason\":\"Completed\",\"exitCode\":0}}}]}}",
                 "Completed", "terminated reason");
    check_status("{\"metadata\":{\"deletionTimestamp\":\"x\"},\"status\":{\"phase\":\"Running\"}}",
                 "Terminating", "deletion shows Terminating");
    check_status("{\"status\":{\"phase\":\"Failed\",\"reason\":\"OutOfpods\"}}", "OutOfpods",
                 "pod reason");

    json_t *p = pod("{\"spec\":{\"containers\":[{},{}]},\"status\":{\"containerStatuses\":["
                    "{\"ready\":true,\"restartCount\":2,\"lastState\":{\"terminated\":"
                    "{\"finishedAt\":\"2023-11-14T22:13:15Z\"}}},{\"ready\":false,"
                    "\"restartCount\":1}]}}");
    char *r = pod_ready_text(p);
    tap_is_str(r, "1/2", "ready count");
    free(r);
    r = pod_restarts_text(p, 1700000000LL * NSEC_PER_SEC);
    tap_is_str(r, "3 (5s ago)", "restarts with last termination age");
    free(r);
    json_decref(p);

    struct object_name *names = NULL;
    size_t n = 0;
    const char *yaml = "kind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata:\n  name: b\n"
                       "  namespace: x\n---\nkind: Service\nmetadata: {name: s}\n";
    tap_is_int(manifest_object_names(yaml, strlen(yaml), &names, &n), 0, "names parse");
    tap_is_int(n, 2, "two pods");
    tap_ok(n == 2 && !strcmp(names[0].name, "a") && !names[0].ns && !strcmp(names[1].ns, "x"),
           "names and namespaces");
    object_names_free(names, n);

    struct table t = {0};
    const char *h[] = {"NAME", "STATUS", NULL}, *row[] = {"web-1", "Running", NULL};
    table_add(&t, h);
    table_add(&t, row);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    table_print(&t, f);
    fclose(f);
    tap_is_str(buf, "NAME    STATUS\nweb-1   Running\n", "kubectl-style columns");
    free(buf);
    table_free(&t);

    json_t *j = json_loads("{\"a\":\"true\",\"b\":[1,\"x: y\"],\"c\":{}}", 0, NULL);
    f = open_memstream(&buf, &len);
    json_print_yaml(j, f);
    fclose(f);
    tap_ok(strstr(buf, "a: 'true'") && strstr(buf, "- 1") && strstr(buf, "'x: y'"),
           "yaml output quotes what would change type: %s", buf);
    free(buf);
    json_decref(j);
    return tap_done();
}
