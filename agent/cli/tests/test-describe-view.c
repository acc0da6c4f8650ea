/* SPDX-License-Identifier: Apache-2.0 */
/* orc describe pod's text, from canned API objects, as kubectl describe prints it. */
#include <stdlib.h>
#include <string.h>

#include "describe-view.h"
#include "tap.h"
#include "time-util.h"

#define NOW (1700000000LL * NSEC_PER_SEC) /* 2023-11-14T22:13:20Z */

/* a finished pod whose containers set no resources, in a cgroup nobody delegated */
static const char completed[] =
    "{\"metadata\":{\"name\":\"done\",\"namespace\":\"default\"},"
    "\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}"
    ","
    "\"status\":{\"phase\":\"Succeeded\",\"conditions\":["
    "{\"type\":\"PodReadyToStartContainers\",\"status\":\"False\"},"
    "{\"type\":\"Initialized\",\"status\":\"True\"},"
    "{\"type\":\"Ready\",\"status\":\"False\"},"
    "{\"type\":\"orc.dev/LimitsEnforced\",\"status\":\"False\"}],"
    "\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,\"restartCount\":0,"
    "\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}}";

/* a running pod deleted 5 s ago, with limits and requests */
static const char terminating[] =
    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
    "\"deletionTimestamp\":\"2023-11-14T22:13:15Z\",\"deletionGracePeriodSeconds\":30},"
    "\"spec\":{\"restartPolicy\":\"Always\",\"containers\":[{\"name\":\"app\",\"image\":"
    "\"busybox\","
    "\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"134217728\"},"
    "\"requests\":{\"cpu\":\"250m\",\"memory\":\"67108864\"}}},"
    "{\"name\":\"side\",\"image\":\"busybox\",\"resources\":{\"requests\":{\"cpu\":\"2\"}}},"
    "{\"name\":\"plain\",\"image\":\"busybox\"}]},"
    "\"status\":{\"phase\":\"Running\",\"conditions\":["
    "{\"type\":\"orc.dev/LimitsEnforced\",\"status\":\"False\"}]}}";

/* a pod with volumes, mounts and variables from objects and fields */
static const char with_volumes[] =
    "{\"metadata\":{\"name\":\"vols\",\"namespace\":\"default\"},"
    "\"spec\":{\"restartPolicy\":\"Always\",\"containers\":[{\"name\":\"c\",\"image\":"
    "\"busybox\","
    "\"envFrom\":[{\"configMapRef\":{\"name\":\"cfg\"}},{\"secretRef\":{\"name\":\"sec\","
    "\"optional\":true},\"prefix\":\"S_\"}],"
    "\"env\":[{\"name\":\"A\",\"value\":\"1\"},"
    "{\"name\":\"B\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"cfg\",\"key\":\"b\"}}},"
    "{\"name\":\"C\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"sec\",\"key\":\"c\","
    "\"optional\":true}}},"
    "{\"name\":\"D\",\"valueFrom\":{\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":"
    "\"metadata.name\"}}},"
    "{\"name\":\"E\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.cpu\"}}}],"
    "\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/z\"},"
    "{\"name\":\"cfg\",\"mountPath\":\"/etc/cfg\",\"readOnly\":true,\"subPath\":\"k\"}]}],"
    "\"volumes\":[{\"name\":\"data\",\"emptyDir\":{\"sizeLimit\":\"1Mi\"}},"
    "{\"name\":\"host\",\"hostPath\":{\"path\":\"/srv\",\"type\":\"Directory\"}},"
    "{\"name\":\"cfg\",\"configMap\":{\"name\":\"cfg\"}},"
    "{\"name\":\"sec\",\"secret\":{\"secretName\":\"sec\",\"optional\":true}},"
    "{\"name\":\"claim\",\"persistentVolumeClaim\":{\"claimName\":\"pvc\"}},"
    "{\"name\":\"info\",\"downwardAPI\":{\"items\":[{\"path\":\"labels\",\"fieldRef\":"
    "{\"fieldPath\":\"metadata.labels\"}}]}},"
    "{\"name\":\"all\",\"projected\":{\"sources\":[{\"secret\":{\"name\":\"sec\"}},"
    "{\"configMap\":{\"name\":\"cfg\",\"optional\":false}},{\"downwardAPI\":{}}]}}]},"
    "\"status\":{\"phase\":\"Pending\"}}";
/* a container that wrote its termination message, restarted (kubectl shows the message with
 * the newline it ends with) */
static const char with_message[] =
    "{\"metadata\":{\"name\":\"termination-demo\",\"namespace\":\"default\"},"
    "\"spec\":{\"restartPolicy\":\"Always\",\"containers\":[{\"name\":\"c\",\"image\":"
    "\"debian\"}]},"
    "\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\","
    "\"ready\":true,\"restartCount\":1,\"state\":{\"running\":{}},\"lastState\":"
    "{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\",\"message\":"
    "\"Sleep expired\\n\"}}}]}}";

static char *describe(const char *json)
{
    json_t *pod = json_loads(json, 0, NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    describe_pod_print(f, pod, NOW);
    fclose(f);
    json_decref(pod);
    return buf;
}

static void memory_case(const char *bytes, const char *want)
{
    char *s = describe_memory_text(bytes);
    tap_is_str(s, want, "memory %s is %s", bytes, want);
    free(s);
}

int main(void)
{
    char *d = describe(completed);
    tap_ok(strstr(d, "\nStatus:       Succeeded\n") != NULL,
           "Status is the phase, not get's STATUS column (Completed):\n%s", d);
    tap_ok(strstr(d, "Conditions:\n"
                     "  Type                        Status\n"
                     "  PodReadyToStartContainers   False\n"
                     "  Initialized                 True\n"
                     "  Ready                       False\n"
                     "  orc.dev/LimitsEnforced      False\n") != NULL,
           "conditions in columns as wide as the longest type");
    tap_ok(strstr(d, "\nLimits:") == NULL, "no word on limits for a pod that sets none");
    tap_ok(strstr(d, "    Limits:") == NULL && strstr(d, "    Requests:") == NULL,
           "nor for its container");
    free(d);

    d = describe(with_message);
    tap_ok(strstr(d, "    Last State:        Terminated\n"
                     "      Reason:          Completed\n"
                     "      Message:         Sleep expired\n"
                     "\n"
                     "      Exit Code:       0\n") != NULL,
           "a terminated state's message, between its reason and exit code:\n%s", d);
    free(d);

    d = describe(terminating);
    tap_ok(strstr(d, "\nStatus:       Terminating (lasts 5s)\n"
                     "Termination Grace Period:  30s\n") != NULL,
           "a pod being deleted is Terminating, with its grace period:\n%s", d);
    tap_ok(strstr(d, "\nLimits:       not enforced: no delegated cgroup (see 'orc check')\n") !=
               NULL,
           "whether the limits hold, for a pod with resources");
    tap_ok(strstr(d, "    Restart Count:     0\n"
                     "    Limits:\n"
                     "      cpu:     500m\n"
                     "      memory:  128Mi\n"
                     "    Requests:\n"
                     "      cpu:     250m\n"
                     "      memory:  64Mi\n"
                     "    Environment:") != NULL,
           "a container's limits and requests, after its restart count");
    tap_ok(strstr(d, "  side:\n") && strstr(strstr(d, "  side:\n"), "    Requests:\n"
                                                                    "      cpu:     2\n"
                                                                    "    Environment:"),
           "requests only");
    tap_ok(!strstr(strstr(d, "  plain:\n"), "Limits:") &&
               !strstr(strstr(d, "  plain:\n"), "Requests:"),
           "nothing for a container without resources");
    free(d);

    d = describe(with_volumes);
    tap_ok(strstr(d, "    Environment Variables from:\n"
                     "      cfg  ConfigMap  Optional: false\n"
                     "      sec  Secret with prefix 'S_'  Optional: true\n"
                     "    Environment:       \n"
                     "      A:  1\n"
                     "      B:  <set to the key 'b' of config map 'cfg'>  Optional: false\n"
                     "      C:  <set to the key 'c' in secret 'sec'>  Optional: true\n"
                     "      D:   (v1:metadata.name)\n"
                     "      E:   (limits.cpu)\n"
                     "    Mounts:            \n"
                     "      /etc/cfg from cfg (ro,path=\"k\")\n"
                     "      /z from data (rw)\n") != NULL,
           "variables' sources and mounts sorted by path, in kubectl's words:\n%s", d);
    tap_ok(strstr(d,
                  "Volumes:\n"
                  "  data:\n"
                  "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n"
                  "    Medium:     \n"
                  "    SizeLimit:  1Mi\n"
                  "  host:\n"
                  "    Type:          HostPath (bare host directory volume)\n"
                  "    Path:          /srv\n"
                  "    HostPathType:  Directory\n"
                  "  cfg:\n"
                  "    Type:      ConfigMap (a volume populated by a ConfigMap)\n"
                  "    Name:      cfg\n"
                  "    Optional:  false\n"
                  "  sec:\n"
                  "    Type:        Secret (a volume populated by a Secret)\n"
                  "    SecretName:  sec\n"
                  "    Optional:    true\n"
                  "  claim:\n"
                  "    Type:       PersistentVolumeClaim (a reference to a "
                  "PersistentVolumeClaim in the same namespace)\n"
                  "    ClaimName:  pvc\n"
                  "    ReadOnly:   false\n"
                  "  info:\n"
                  "    Type:    DownwardAPI (a volume populated by information about the pod)\n"
                  "    Items:\n"
                  "      metadata.labels -> labels\n"
                  "  all:\n"
                  "    Type:                Projected (a volume that contains injected "
                  "data from multiple sources)\n"
                  "    SecretName:          sec\n"
                  "    SecretOptionalName:  <nil>\n"
                  "    ConfigMapName:       cfg\n"
                  "    ConfigMapOptional:   false\n"
                  "    DownwardAPI:         true\n"
                  "Restart Policy:") != NULL,
           "each volume as kubectl describes it");
    free(d);
    d = describe(completed);
    tap_ok(strstr(d, "    Mounts:            <none>\n") && strstr(d, "\nVolumes:         <none>\n"),
           "no mounts, no volumes: <none>");
    free(d);

    memory_case("134217728", "128Mi");
    memory_case("1073741824", "1Gi");
    memory_case("1000000000", "1G");
    memory_case("1024000", "1000Ki");
    memory_case("1500", "1500");
    memory_case("lots", "lots");
    return tap_done();
}
