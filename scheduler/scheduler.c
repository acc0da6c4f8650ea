/* SPDX-License-Identifier: Apache-2.0 */
#include "scheduler.h"

#include <errno.h>
#include <string.h>

int sched_admit(const struct sched_capacity *cap, const struct pod *pod, const char **ret_reason)
{
    (void) pod; /* nothing in a pod limits admission yet: no resource requests, no host ports */
    if (!cap)
        return -EINVAL;
    if (cap->running_pods >= cap->max_pods) {
        if (ret_reason)
            *ret_reason = SCHED_REASON_OUT_OF_PODS;
        return -ENOSPC;
    }
    if (ret_reason)
        *ret_reason = NULL;
    return 0;
}

static bool policy_restarts(enum restart_policy policy, int exit_code)
{
    switch (policy) {
    case RESTART_ALWAYS:
        return true;
    case RESTART_ON_FAILURE:
        return exit_code != 0;
    case RESTART_NEVER:
    case _RESTART_POLICY_MAX:
    case _RESTART_POLICY_INVALID:
        break;
    }
    return false;
}

static bool backoff_config_valid(const struct sched_backoff_config *cfg)
{
    return cfg && cfg->base_ns > 0 && cfg->max_ns >= cfg->base_ns;
}

/* min(2 * w, max) without overflowing; w is already within [base, max]. */
static int64_t backoff_double(int64_t w, int64_t max)
{
    return w > max / 2 ? max : w * 2;
}

static bool ran_long_enough(const struct sched_container_run *run,
                            const struct sched_backoff_config *cfg)
{
    return cfg->reset_ns > 0 && run->started_at > 0 && run->finished_at >= run->started_at &&
           run->finished_at - run->started_at >= cfg->reset_ns;
}

static enum sched_restart restart_answer(enum sched_restart d, int64_t at, int64_t window,
                                         int64_t *ret_at, int64_t *ret_backoff_ns)
{
    if (ret_at)
        *ret_at = at;
    if (ret_backoff_ns)
        *ret_backoff_ns = window;
    return d;
}

enum sched_restart sched_restart_decide(enum restart_policy policy,
                                        const struct sched_container_run *run,
                                        const struct sched_backoff_config *cfg, int64_t now,
                                        int64_t *ret_at, int64_t *ret_backoff_ns)
{
    if (!run || !run->exited || !backoff_config_valid(cfg) || policy < 0 ||
        policy >= _RESTART_POLICY_MAX)
        return _SCHED_RESTART_INVALID;

    if (!policy_restarts(policy, run->exit_code))
        return restart_answer(SCHED_RESTART_NO, 0, run->backoff_ns, ret_at, ret_backoff_ns);

    /* A fresh series: the first restart, or the first after a long healthy run. */
    if (run->backoff_ns <= 0 || ran_long_enough(run, cfg))
        return restart_answer(SCHED_RESTART_NOW, now, cfg->base_ns, ret_at, ret_backoff_ns);

    int64_t w = run->backoff_ns;
    if (w < cfg->base_ns)
        w = cfg->base_ns; /* the configuration changed since the window was stored */
    if (w > cfg->max_ns)
        w = cfg->max_ns;
    int64_t next = backoff_double(w, cfg->max_ns);
    /* finished_at is a wall-clock-sized ns count and w <= max, so this does not overflow
     * for any sane configuration; saturate anyway rather than wrap. */
    int64_t due = run->finished_at > INT64_MAX - w ? INT64_MAX : run->finished_at + w;
    if (now < due)
        return restart_answer(SCHED_RESTART_LATER, due, next, ret_at, ret_backoff_ns);
    return restart_answer(SCHED_RESTART_NOW, now, next, ret_at, ret_backoff_ns);
}

static const char *const phase_names[_SCHED_PHASE_MAX] = {
    [SCHED_PHASE_PENDING] = "Pending",
    [SCHED_PHASE_RUNNING] = "Running",
    [SCHED_PHASE_SUCCEEDED] = "Succeeded",
    [SCHED_PHASE_FAILED] = "Failed",
};

const char *sched_phase_to_string(enum sched_phase p)
{
    return (p >= 0 && p < _SCHED_PHASE_MAX) ? phase_names[p] : "Unknown";
}

enum sched_phase sched_phase_from_string(const char *s)
{
    if (!s)
        return _SCHED_PHASE_INVALID;
    for (int i = 0; i < _SCHED_PHASE_MAX; i++)
        if (strcmp(s, phase_names[i]) == 0)
            return (enum sched_phase) i;
    return _SCHED_PHASE_INVALID;
}

bool sched_pod_ready(const struct sched_container_view *c, size_t n)
{
    if (!c || n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (c[i].state != SCHED_RUNNING)
            return false;
    return true;
}

const char *sched_pod_not_ready_reason(enum sched_phase phase, const struct sched_container_view *c,
                                       size_t n)
{
    if (phase == SCHED_PHASE_SUCCEEDED)
        return "PodCompleted";
    return sched_pod_ready(c, n) ? NULL : "ContainersNotReady";
}

/* kubelet's per-container counters in getPhase. */
struct phase_counts {
    size_t waiting, running, stopped, succeeded, unknown;
};

static void phase_count(const struct sched_container_view *v, struct phase_counts *k)
{
    switch (v->state) {
    case SCHED_RUNNING:
        k->running++;
        return;
    case SCHED_TERMINATED:
        k->stopped++;
        if (v->exit_code == 0)
            k->succeeded++;
        return;
    case SCHED_WAITING:
        /* Waiting after a termination (back-off) is stopped but never "succeeded". */
        if (v->will_restart)
            k->stopped++;
        else
            k->waiting++;
        return;
    case _SCHED_CONTAINER_STATE_MAX:
    case _SCHED_CONTAINER_STATE_INVALID:
        break;
    }
    k->unknown++;
}

enum sched_phase sched_pod_phase(enum restart_policy policy, const struct sched_container_view *c,
                                 size_t n)
{
    struct phase_counts k = {0};
    if (!c || n == 0)
        return SCHED_PHASE_PENDING;
    for (size_t i = 0; i < n; i++)
        phase_count(&c[i], &k);

    if (k.waiting > 0 || k.unknown > 0)
        return SCHED_PHASE_PENDING;
    if (k.running > 0)
        return SCHED_PHASE_RUNNING;
    /* Every container has stopped (k.stopped == n > 0). */
    if (policy != RESTART_ON_FAILURE && policy != RESTART_NEVER)
        return SCHED_PHASE_RUNNING; /* Always: all of them are restarting */
    if (k.stopped == k.succeeded)
        return SCHED_PHASE_SUCCEEDED;
    if (policy == RESTART_NEVER)
        return SCHED_PHASE_FAILED;
    return SCHED_PHASE_RUNNING; /* OnFailure: the failed ones are restarting */
}

int64_t sched_backoff_next(int64_t prev_ns, const struct sched_backoff_config *cfg)
{
    if (prev_ns <= 0 || cfg->max_ns < cfg->base_ns)
        return cfg->base_ns;
    if (prev_ns >= cfg->max_ns / 2)
        return cfg->max_ns;
    return prev_ns * 2 < cfg->base_ns ? cfg->base_ns : prev_ns * 2;
}

/* Fields a spec stored before orc knew them lacks: their defaults, so that the same manifest
 * applied again is no change. */
static void fill_later_defaults(json_t *spec)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(spec, "containers"), i, c) {
        if (!json_object_get(c, "terminationMessagePath"))
            json_object_set_new(c, "terminationMessagePath",
                                json_string(MANIFEST_TERMINATION_MESSAGE_PATH));
        if (!json_object_get(c, "terminationMessagePolicy"))
            json_object_set_new(
                c, "terminationMessagePolicy",
                json_string(termination_message_policy_to_string(TERMINATION_MESSAGE_FILE)));
    }
}

enum sched_pod_update sched_pod_update_check(const json_t *old_spec, const json_t *new_spec_in)
{
    if (json_equal(old_spec, new_spec_in))
        return SCHED_UPDATE_NONE;
    json_auto_t *new_spec = json_deep_copy(new_spec_in);
    json_t *copy = json_deep_copy(old_spec);
    fill_later_defaults(copy);
    fill_later_defaults(new_spec);
    if (json_equal(copy, new_spec)) {
        json_decref(copy);
        return SCHED_UPDATE_NONE;
    }
    json_t *oc = json_object_get(copy, "containers"), *nc = json_object_get(new_spec, "containers");
    bool same_shape = json_array_size(oc) == json_array_size(nc);
    for (size_t i = 0; same_shape && i < json_array_size(oc); i++) {
        /* the image may change; the pull policy defaulted from its tag follows it */
        json_t *n = json_array_get(nc, i), *o = json_array_get(oc, i);
        json_object_set(o, "image", json_object_get(n, "image"));
        json_object_set(o, "imagePullPolicy", json_object_get(n, "imagePullPolicy"));
        json_t *implied = json_object_get(n, MANIFEST_PULL_POLICY_IMPLIED);
        if (implied)
            json_object_set(o, MANIFEST_PULL_POLICY_IMPLIED, implied);
        else
            json_object_del(o, MANIFEST_PULL_POLICY_IMPLIED);
    }
    bool allowed = same_shape && json_equal(copy, new_spec);
    json_decref(copy);
    return allowed ? SCHED_UPDATE_ALLOWED : SCHED_UPDATE_FORBIDDEN;
}
