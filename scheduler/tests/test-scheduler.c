/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "scheduler.h"
#include "tap.h"

#define S 1000000000LL

static const struct sched_backoff_config cfg = {.base_ns = 10 * S, .max_ns = 300 * S,
                                                .reset_ns = 600 * S};

static void test_admit(void)
{
    struct sched_capacity cap = {.max_pods = 2, .running_pods = 1};
    const char *reason = NULL;
    tap_is_int(sched_admit(&cap, NULL, &reason), 0, "admit below capacity");
    cap.running_pods = 2;
    tap_is_int(sched_admit(&cap, NULL, &reason), -ENOSPC, "refuse at capacity");
    tap_is_str(reason, "OutOfpods", "kubelet's reason");
}

static void test_policies(void)
{
    struct sched_container_run run = {.exited = true, .exit_code = 0, .started_at = 100 * S,
                                      .finished_at = 101 * S};
    int64_t at, b;
    tap_is_int(sched_restart_decide(RESTART_NEVER, &run, &cfg, 102 * S, &at, &b),
               SCHED_RESTART_NO, "Never does not restart");
    tap_is_int(sched_restart_decide(RESTART_ON_FAILURE, &run, &cfg, 102 * S, &at, &b),
               SCHED_RESTART_NO, "OnFailure: exit 0 stays down");
    run.exit_code = 1;
    tap_is_int(sched_restart_decide(RESTART_ON_FAILURE, &run, &cfg, 102 * S, &at, &b),
               SCHED_RESTART_NOW, "OnFailure: exit 1 restarts at once the first time");
    tap_is_int(b, 10 * S, "window becomes base");
    run.exit_code = 0;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &cfg, 102 * S, &at, &b),
               SCHED_RESTART_NOW, "Always restarts after exit 0");
    run.exited = false;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &cfg, 102 * S, &at, &b),
               SCHED_RESTART_NO, "a running container is not restarted");
}

static void test_backoff(void)
{
    struct sched_container_run run = {.exited = true, .exit_code = 1};
    int64_t expect[] = {10, 20, 40, 80, 160, 300};
    int64_t t = 1000 * S;
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        run.backoff_ns = expect[i] * S;
        run.started_at = t;
        run.finished_at = t + S;
        int64_t at, b;
        enum sched_restart d = sched_restart_decide(RESTART_ALWAYS, &run, &cfg, t + S, &at, &b);
        tap_is_int(d, SCHED_RESTART_LATER, "crash %zu waits", i);
        tap_is_int(at, t + S + run.backoff_ns, "crash %zu restarts at finish + window", i);
        tap_is_int(b, expect[i] * 2 > 300 ? 300 * S : expect[i] * 2 * S,
                   "window doubles, capped at 5 min");
        t += 1000 * S;
    }
    run.backoff_ns = 40 * S;
    run.started_at = 0 + S;
    run.finished_at = 5 * S;
    int64_t at, b;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &cfg, 100 * S, &at, &b),
               SCHED_RESTART_NOW, "deadline already past: restart now");
    run.started_at = 1 * S;
    run.finished_at = 700 * S;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &cfg, 700 * S, &at, &b),
               SCHED_RESTART_NOW, "a 10-minute run resets the back-off");
    tap_is_int(b, 10 * S, "window back to base");
}

static void test_phase(void)
{
    struct sched_container_view run = {SCHED_RUNNING, 0, false};
    struct sched_container_view ok = {SCHED_TERMINATED, 0, false};
    struct sched_container_view bad = {SCHED_TERMINATED, 3, false};
    struct sched_container_view wait = {SCHED_WAITING, 0, false};
    struct sched_container_view backoff = {SCHED_WAITING, 1, true};
    struct sched_container_view v1[] = {run, ok};
    tap_is_str(sched_phase_to_string(sched_pod_phase(RESTART_NEVER, v1, 2)), "Running",
               "one running -> Running");
    struct sched_container_view v2[] = {ok, ok};
    tap_is_str(sched_phase_to_string(sched_pod_phase(RESTART_NEVER, v2, 2)), "Succeeded",
               "all succeeded -> Succeeded");
    struct sched_container_view v3[] = {ok, bad};
    tap_is_str(sched_phase_to_string(sched_pod_phase(RESTART_NEVER, v3, 2)), "Failed",
               "Never with a failure -> Failed");
    tap_is_str(sched_phase_to_string(sched_pod_phase(RESTART_ON_FAILURE, v3, 2)), "Running",
               "OnFailure with a failure -> Running (restarting)");
    tap_is_str(sched_phase_to_string(sched_pod_phase(RESTART_ALWAYS, v2, 2)), "Running",
               "Always, all stopped -> Running");
    struct sched_container_view v4[] = {run, wait};
    tap_is_str(sched_phase_to_string(sched_pod_phase(RESTART_ALWAYS, v4, 2)), "Pending",
               "one waiting to start -> Pending");
    struct sched_container_view v5[] = {backoff};
    tap_is_str(sched_phase_to_string(sched_pod_phase(RESTART_ALWAYS, v5, 1)), "Running",
               "CrashLoopBackOff -> Running");
    tap_ok(sched_pod_ready(v1, 1) && !sched_pod_ready(v1, 2), "ready only when all run");
    tap_ok(!sched_pod_ready(v1, 0), "no containers is not ready");
}

int main(void)
{
    test_admit();
    test_policies();
    test_backoff();
    test_phase();
    return tap_done();
}
