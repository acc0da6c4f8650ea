/* SPDX-License-Identifier: Apache-2.0 */
#include "pod-summary.h"

#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "time-util.h"

static const json_t *status_of(const json_t *pod, const char *key)
{
    return json_object_get(json_object_get(pod, "status"), key);
}

static const char *nonempty(const json_t *obj, const char *key)
{
    const char *s = orc_json_str(obj, key);
    return s && *s ? s : NULL;
}

static bool is(const char *a, const char *b)
{
    return a && !strcmp(a, b);
}

/* The condition's status is "True" (condition absent: false). */
static bool condition_true(const json_t *pod, const char *type)
{
    size_t i;
    json_t *c;
    json_array_foreach(status_of(pod, "conditions"), i, c)
        if (is(orc_json_str(c, "type"), type))
            return is(orc_json_str(c, "status"), "True");
    return false;
}

static bool scheduling_gated(const json_t *pod)
{
    size_t i;
    json_t *c;
    json_array_foreach(status_of(pod, "conditions"), i, c)
        if (is(orc_json_str(c, "type"), "PodScheduled") &&
            is(orc_json_str(c, "reason"), "SchedulingGated"))
            return true;
    return false;
}

/* An init container that keeps running beside the app (a sidecar). */
static bool restartable_init(const json_t *pod, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(pod, "spec"), "initContainers"), i, c)
        if (is(orc_json_str(c, "name"), name ?: ""))
            return is(orc_json_str(c, "restartPolicy"), "Always");
    return false;
}

static void count_restarts(const json_t *cs, long long *restarts, int64_t *last)
{
    *restarts += orc_json_int(cs, "restartCount", 0);
    const char *f =
        orc_json_str(json_object_get(json_object_get(cs, "lastState"), "terminated"), "finishedAt");
    int64_t ns;
    if (f && orc_time_parse_rfc3339(f, &ns) == 0 && ns > *last)
        *last = ns;
}

/* A terminated state's reason, or "ExitCode:N" / "Signal:N" without one; prefix "Init:". */
static void terminated_reason(char *buf, size_t size, const char *prefix, const json_t *t)
{
    long long sig = orc_json_int(t, "signal", 0);
    if (nonempty(t, "reason"))
        snprintf(buf, size, "%s%s", prefix, nonempty(t, "reason"));
    else if (sig)
        snprintf(buf, size, "%sSignal:%lld", prefix, sig);
    else
        snprintf(buf, size, "%sExitCode:%lld", prefix, orc_json_int(t, "exitCode", 0));
}

/* Init containers in order; true while the pod is still initialising. Sidecars' restarts are
 * counted apart: they go on counting once the pod is initialised. */
static bool summarize_init(const json_t *pod, struct pod_summary *s, long long *side_restarts,
                           int64_t *side_last)
{
    size_t n_init =
        json_array_size(json_object_get(json_object_get(pod, "spec"), "initContainers"));
    size_t i;
    json_t *c;
    json_array_foreach(status_of(pod, "initContainerStatuses"), i, c) {
        const json_t *state = json_object_get(c, "state");
        const json_t *t = json_object_get(state, "terminated"),
                     *w = json_object_get(state, "waiting");
        bool sidecar = restartable_init(pod, orc_json_str(c, "name"));
        count_restarts(c, &s->restarts, &s->last_restart_ns);
        if (sidecar)
            count_restarts(c, side_restarts, side_last);
        if (t && orc_json_int(t, "exitCode", 0) == 0)
            continue;
        if (sidecar && json_is_true(json_object_get(c, "started"))) {
            s->ready += json_is_true(json_object_get(c, "ready"));
            continue;
        }
        if (t)
            terminated_reason(s->reason, sizeof(s->reason), "Init:", t);
        else if (nonempty(w, "reason") && !is(nonempty(w, "reason"), "PodInitializing"))
            snprintf(s->reason, sizeof(s->reason), "Init:%s", nonempty(w, "reason"));
        else
            snprintf(s->reason, sizeof(s->reason), "Init:%zu/%zu", i, n_init);
        return true;
    }
    return false;
}

/* App containers, last to first: the first one's reason is the one left standing. */
static void summarize_containers(const json_t *pod, struct pod_summary *s)
{
    const json_t *cs = status_of(pod, "containerStatuses");
    bool has_running = false;
    for (size_t i = json_array_size(cs); i > 0; i--) {
        const json_t *c = json_array_get(cs, i - 1), *state = json_object_get(c, "state");
        const json_t *w = json_object_get(state, "waiting"),
                     *t = json_object_get(state, "terminated");
        count_restarts(c, &s->restarts, &s->last_restart_ns);
        if (nonempty(w, "reason")) {
            snprintf(s->reason, sizeof(s->reason), "%s", nonempty(w, "reason"));
        } else if (t) {
            terminated_reason(s->reason, sizeof(s->reason), "", t);
        } else if (json_is_true(json_object_get(c, "ready")) && json_object_get(state, "running")) {
            has_running = true;
            s->ready++;
        }
    }
    if (is(s->reason, "Completed") && has_running)
        snprintf(s->reason, sizeof(s->reason), "%s",
                 condition_true(pod, "Ready") ? "Running" : "NotReady");
}

static size_t count_sidecars(const json_t *pod)
{
    size_t n = 0, i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(pod, "spec"), "initContainers"), i, c)
        n += is(orc_json_str(c, "restartPolicy"), "Always");
    return n;
}

void pod_summarize(const json_t *pod, struct pod_summary *s)
{
    const json_t *st = json_object_get(pod, "status");
    const char *phase = orc_json_str(st, "phase");
    memset(s, 0, sizeof(*s));
    s->total =
        (unsigned) (json_array_size(json_object_get(json_object_get(pod, "spec"), "containers")) +
                    count_sidecars(pod));
    snprintf(s->reason, sizeof(s->reason), "%s", nonempty(st, "reason") ?: phase ?: "");
    if (scheduling_gated(pod))
        snprintf(s->reason, sizeof(s->reason), "SchedulingGated");
    long long side_restarts = 0;
    int64_t side_last = 0;
    bool initializing = summarize_init(pod, s, &side_restarts, &side_last);
    if (!initializing || condition_true(pod, "Initialized")) {
        s->restarts = side_restarts;
        s->last_restart_ns = side_last;
        summarize_containers(pod, s);
    }
    if (nonempty(json_object_get(pod, "metadata"), "deletionTimestamp")) {
        if (is(orc_json_str(st, "reason"), "NodeLost"))
            snprintf(s->reason, sizeof(s->reason), "Unknown");
        else if (!is(phase, "Succeeded") && !is(phase, "Failed"))
            snprintf(s->reason, sizeof(s->reason), "Terminating");
    }
}
