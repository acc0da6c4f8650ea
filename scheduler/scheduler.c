/* SPDX-License-Identifier: Apache-2.0 */
#include "scheduler.h"

#include <errno.h>

int sched_admit(const struct sched_capacity *cap, const struct pod *pod, const char **ret_reason)
{
    (void) pod;
    if (cap->running_pods >= cap->max_pods) {
        *ret_reason = "OutOfpods";
        return -ENOSPC;
    }
    return 0;
}

enum sched_restart sched_restart_decide(enum restart_policy policy,
                                        const struct sched_container_run *run,
                                        const struct sched_backoff_config *cfg, int64_t now,
                                        int64_t *ret_at, int64_t *ret_backoff_ns)
{
    *ret_at = 0;
    *ret_backoff_ns = run->backoff_ns;
    if (!run->exited || policy == RESTART_NEVER ||
        (policy == RESTART_ON_FAILURE && run->exit_code == 0))
        return SCHED_RESTART_NO;
    bool long_run = run->started_at > 0 && run->finished_at - run->started_at >= cfg->reset_ns;
    if (run->backoff_ns <= 0 || long_run) {
        *ret_backoff_ns = cfg->base_ns;
        return SCHED_RESTART_NOW;
    }
    int64_t at = run->finished_at + run->backoff_ns;
    int64_t next = run->backoff_ns * 2;
    *ret_backoff_ns = next > cfg->max_ns ? cfg->max_ns : next;
    if (now >= at)
        return SCHED_RESTART_NOW;
    *ret_at = at;
    return SCHED_RESTART_LATER;
}

const char *sched_phase_to_string(enum sched_phase p)
{
    static const char *const names[_SCHED_PHASE_MAX] = {"Pending", "Running", "Succeeded",
                                                        "Failed"};
    return (p >= 0 && p < _SCHED_PHASE_MAX) ? names[p] : "Unknown";
}

bool sched_pod_ready(const struct sched_container_view *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].state != SCHED_RUNNING)
            return false;
    return n > 0;
}

/* kubelet's getPhase for regular containers. */
enum sched_phase sched_pod_phase(enum restart_policy policy, const struct sched_container_view *c,
                                 size_t n)
{
    size_t waiting = 0, running = 0, stopped = 0, succeeded = 0;
    for (size_t i = 0; i < n; i++) {
        switch (c[i].state) {
        case SCHED_RUNNING:
            running++;
            break;
        case SCHED_TERMINATED:
            stopped++;
            if (c[i].exit_code == 0)
                succeeded++;
            break;
        case SCHED_WAITING:
        case _SCHED_CONTAINER_STATE_MAX:
        case _SCHED_CONTAINER_STATE_INVALID:
            /* a container waiting to restart after a termination counts as stopped */
            if (c[i].will_restart)
                stopped++;
            else
                waiting++;
            break;
        }
    }
    if (n == 0 || waiting > 0)
        return SCHED_PHASE_PENDING;
    if (running > 0)
        return SCHED_PHASE_RUNNING;
    /* all stopped */
    if (policy == RESTART_ALWAYS)
        return SCHED_PHASE_RUNNING;
    if (stopped == succeeded)
        return SCHED_PHASE_SUCCEEDED;
    if (policy == RESTART_NEVER)
        return SCHED_PHASE_FAILED;
    return SCHED_PHASE_RUNNING; /* OnFailure: the failed ones restart */
}
