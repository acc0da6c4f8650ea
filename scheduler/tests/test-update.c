/* SPDX-License-Identifier: Apache-2.0 */
/* The pod-update rule and the plain back-off, as pure decisions. */
#include <jansson.h>

#include "scheduler.h"
#include "tap.h"

static enum sched_pod_update check(const char *old_spec, const char *new_spec)
{
    json_t *a = json_loads(old_spec, 0, NULL), *b = json_loads(new_spec, 0, NULL);
    enum sched_pod_update u = sched_pod_update_check(a, b);
    json_decref(a);
    json_decref(b);
    return u;
}

int main(void)
{
    const char *base = "{\"containers\":[{\"name\":\"c\",\"image\":\"a:1\","
                       "\"imagePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":\"Always\"}";
    tap_is_int(check(base, base), SCHED_UPDATE_NONE, "same spec: nothing to update");
    tap_is_int(check(base, "{\"containers\":[{\"name\":\"c\",\"image\":\"a:latest\","
                           "\"imagePullPolicy\":\"Always\"}],\"restartPolicy\":\"Always\"}"),
               SCHED_UPDATE_ALLOWED, "image and its defaulted pull policy may change");
    const char *implied = "{\"containers\":[{\"name\":\"c\",\"image\":\"a\","
                          "\"imagePullPolicy\":\"Always\",\"orc.dev/imagePullPolicyImplied\":"
                          "true}],\"restartPolicy\":\"Always\"}";
    tap_is_int(check(implied, base), SCHED_UPDATE_ALLOWED,
               "from an implied policy to a written one, with the image");
    tap_is_int(check(base, implied), SCHED_UPDATE_ALLOWED, "and back");
    tap_is_int(check(base, "{\"containers\":[{\"name\":\"c\",\"image\":\"a:1\","
                           "\"imagePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":\"Never\"}"),
               SCHED_UPDATE_FORBIDDEN, "restartPolicy may not change");
    tap_is_int(check(base, "{\"containers\":[{\"name\":\"d\",\"image\":\"a:1\","
                           "\"imagePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":\"Always\"}"),
               SCHED_UPDATE_FORBIDDEN, "a container's name may not change");
    tap_is_int(check(base, "{\"containers\":[],\"restartPolicy\":\"Always\"}"),
               SCHED_UPDATE_FORBIDDEN, "containers may not be removed");
    /* a pod stored before orc knew the termination message fields */
    const char *defaults = "{\"containers\":[{\"name\":\"c\",\"image\":\"a:1\","
                           "\"imagePullPolicy\":\"IfNotPresent\",\"terminationMessagePath\":"
                           "\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\"}],"
                           "\"restartPolicy\":\"Always\"}";
    tap_is_int(check(base, defaults), SCHED_UPDATE_NONE,
               "a stored spec without the termination message fields has their defaults");
    tap_is_int(check(defaults, base), SCHED_UPDATE_NONE, "and the other way round");
    tap_is_int(check(base, "{\"containers\":[{\"name\":\"c\",\"image\":\"a:2\","
                           "\"imagePullPolicy\":\"IfNotPresent\",\"terminationMessagePath\":"
                           "\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\"}],"
                           "\"restartPolicy\":\"Always\"}"),
               SCHED_UPDATE_ALLOWED, "with them, its image may change");
    tap_is_int(check(base, "{\"containers\":[{\"name\":\"c\",\"image\":\"a:1\","
                           "\"imagePullPolicy\":\"IfNotPresent\",\"terminationMessagePath\":"
                           "\"/dev/termination-log\",\"terminationMessagePolicy\":"
                           "\"FallbackToLogsOnError\"}],\"restartPolicy\":\"Always\"}"),
               SCHED_UPDATE_FORBIDDEN, "terminationMessagePolicy may not change");
    tap_is_int(check(defaults, "{\"containers\":[{\"name\":\"c\",\"image\":\"a:1\","
                               "\"imagePullPolicy\":\"IfNotPresent\",\"terminationMessagePath\":"
                               "\"/tmp/msg\",\"terminationMessagePolicy\":\"File\"}],"
                               "\"restartPolicy\":\"Always\"}"),
               SCHED_UPDATE_FORBIDDEN, "nor terminationMessagePath");

    struct sched_backoff_config cfg = SCHED_BACKOFF_CONFIG_DEFAULT;
    int64_t s = 1000000000LL;
    tap_ok(sched_backoff_next(0, &cfg) == 10 * s, "first failure waits the base");
    tap_ok(sched_backoff_next(10 * s, &cfg) == 20 * s, "then doubles");
    tap_ok(sched_backoff_next(160 * s, &cfg) == 300 * s, "up to the cap");
    tap_ok(sched_backoff_next(300 * s, &cfg) == 300 * s, "and stays there");
    tap_ok(sched_backoff_next(s, &cfg) == 10 * s, "never below the base");
    return tap_done();
}
