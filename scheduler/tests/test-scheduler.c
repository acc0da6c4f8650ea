/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "scheduler.h"
#include "tap.h"

#define S 1000000000LL
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct sched_backoff_config cfg = {
    .base_ns = 10 * S, .max_ns = 300 * S, .reset_ns = 600 * S};

/* --- admission --- */

static void test_admit(void)
{
    struct pod pod = {0};
    struct sched_capacity cap = {.max_pods = 110, .running_pods = 109};
    const char *reason = "unset";
    tap_is_int(sched_admit(&cap, &pod, &reason), 0, "admit below capacity");
    tap_ok(reason == NULL, "no reason when admitted");
    cap.running_pods = 110;
    tap_is_int(sched_admit(&cap, &pod, &reason), -ENOSPC, "refuse at capacity");
    tap_is_str(reason, "OutOfpods", "kubelet's reason string");
    cap.running_pods = 111;
    reason = NULL;
    tap_is_int(sched_admit(&cap, NULL, &reason), -ENOSPC, "refuse above capacity");
    tap_is_str(reason, SCHED_REASON_OUT_OF_PODS, "reason above capacity");
    cap = (struct sched_capacity){.max_pods = 0, .running_pods = 0};
    tap_is_int(sched_admit(&cap, NULL, &reason), -ENOSPC, "max_pods 0 admits nothing");
    cap = (struct sched_capacity){.max_pods = 1, .running_pods = 0};
    tap_is_int(sched_admit(&cap, NULL, NULL), 0, "ret_reason may be NULL (admit)");
    cap.running_pods = 1;
    tap_is_int(sched_admit(&cap, NULL, NULL), -ENOSPC, "ret_reason may be NULL (refuse)");
    reason = "unset";
    tap_is_int(sched_admit(NULL, NULL, &reason), -EINVAL, "NULL capacity is -EINVAL");
    tap_is_str(reason, "unset", "reason untouched on -EINVAL");
}

/* --- restart policy --- */

static enum sched_restart decide(enum restart_policy p, const struct sched_container_run *run,
                                 int64_t now, int64_t *at, int64_t *b)
{
    *at = -1;
    *b = -1;
    return sched_restart_decide(p, run, &cfg, now, at, b);
}

static void test_policy_never(void)
{
    struct sched_container_run run = {
        .exited = true, .started_at = 100 * S, .finished_at = 101 * S, .backoff_ns = 20 * S};
    int64_t at, b;
    tap_is_int(decide(RESTART_NEVER, &run, 102 * S, &at, &b), SCHED_RESTART_NO, "Never, exit 0");
    tap_is_int(at, 0, "NO: ret_at is 0");
    tap_is_int(b, 20 * S, "NO: the window is kept");
    run.exit_code = 1;
    tap_is_int(decide(RESTART_NEVER, &run, 102 * S, &at, &b), SCHED_RESTART_NO, "Never, exit 1");
    run.exit_code = 137;
    run.backoff_ns = 0;
    tap_is_int(decide(RESTART_NEVER, &run, 102 * S, &at, &b), SCHED_RESTART_NO,
               "Never, killed (137), no window");
    tap_is_int(b, 0, "NO keeps an empty window empty");
}

static void test_policy_on_failure(void)
{
    struct sched_container_run run = {
        .exited = true, .started_at = 100 * S, .finished_at = 101 * S};
    int64_t at, b;
    tap_is_int(decide(RESTART_ON_FAILURE, &run, 102 * S, &at, &b), SCHED_RESTART_NO,
               "OnFailure, exit 0: stays down");
    tap_is_int(at, 0, "OnFailure exit 0: ret_at 0");
    run.exit_code = 1;
    tap_is_int(decide(RESTART_ON_FAILURE, &run, 102 * S, &at, &b), SCHED_RESTART_NOW,
               "OnFailure, exit 1: first restart is immediate");
    tap_is_int(at, 102 * S, "NOW: ret_at is now");
    tap_is_int(b, 10 * S, "window becomes base");
    run.exit_code = -9;
    tap_is_int(decide(RESTART_ON_FAILURE, &run, 102 * S, &at, &b), SCHED_RESTART_NOW,
               "OnFailure, negative code counts as failure");
    run.exit_code = 1;
    run.backoff_ns = 10 * S;
    tap_is_int(decide(RESTART_ON_FAILURE, &run, 102 * S, &at, &b), SCHED_RESTART_LATER,
               "OnFailure, second quick failure backs off");
    tap_is_int(at, 111 * S, "OnFailure: due at finished + 10 s");
}

static void test_policy_always(void)
{
    struct sched_container_run run = {
        .exited = true, .started_at = 100 * S, .finished_at = 101 * S, .restart_count = 7};
    int64_t at, b;
    tap_is_int(decide(RESTART_ALWAYS, &run, 102 * S, &at, &b), SCHED_RESTART_NOW,
               "Always, exit 0, no window: immediate");
    tap_is_int(b, 10 * S, "window becomes base (restart_count plays no part)");
    run.exit_code = 2;
    tap_is_int(decide(RESTART_ALWAYS, &run, 102 * S, &at, &b), SCHED_RESTART_NOW,
               "Always, exit 2, no window: immediate");
    run.exit_code = 0;
    run.backoff_ns = 10 * S;
    tap_is_int(decide(RESTART_ALWAYS, &run, 102 * S, &at, &b), SCHED_RESTART_LATER,
               "Always backs off after exit 0 too");
}

/*
 * A container that crashes 1 s after each start, restarted exactly when told: the waits
 * must be 0, 10, 20, 40, 80, 160, 300, 300 s and the stored windows 10 ... 300.
 */
static void test_backoff_series(void)
{
    const int64_t waits[] = {0, 10, 20, 40, 80, 160, 300, 300, 300};
    const int64_t windows[] = {10, 20, 40, 80, 160, 300, 300, 300, 300};
    struct sched_container_run run = {.exited = true, .exit_code = 1};
    int64_t start = 1000 * S;
    for (size_t i = 0; i < ARRAY_LEN(waits); i++) {
        run.started_at = start;
        run.finished_at = start + S;
        run.restart_count = (int) i;
        int64_t at, b, now = run.finished_at;
        enum sched_restart d = decide(RESTART_ALWAYS, &run, now, &at, &b);
        tap_is_int(d, waits[i] ? SCHED_RESTART_LATER : SCHED_RESTART_NOW, "crash %zu: %s", i,
                   waits[i] ? "LATER" : "NOW");
        tap_is_int(at - run.finished_at, waits[i] * S, "crash %zu waits %llds", i,
                   (long long) waits[i]);
        tap_is_int(b, windows[i] * S, "crash %zu: window to remember %llds", i,
                   (long long) windows[i]);
        run.backoff_ns = b;
        start = at; /* restarted when due */
    }
}

static void test_backoff_deadline(void)
{
    struct sched_container_run run = {.exited = true,
                                      .exit_code = 1,
                                      .started_at = 100 * S,
                                      .finished_at = 105 * S,
                                      .backoff_ns = 40 * S};
    int64_t at, b;
    tap_is_int(decide(RESTART_ALWAYS, &run, 145 * S - 1, &at, &b), SCHED_RESTART_LATER,
               "1 ns before finished + window: LATER");
    tap_is_int(at, 145 * S, "LATER: due at finished + window");
    tap_is_int(b, 80 * S, "LATER: the window doubles for the next exit");
    tap_is_int(decide(RESTART_ALWAYS, &run, 145 * S, &at, &b), SCHED_RESTART_NOW,
               "exactly at the deadline: NOW");
    tap_is_int(at, 145 * S, "NOW at the deadline: ret_at is now");
    tap_is_int(b, 80 * S, "NOW after a window: the window still doubles");
    tap_is_int(decide(RESTART_ALWAYS, &run, 500 * S, &at, &b), SCHED_RESTART_NOW,
               "long past the deadline (agent was down): NOW");
    tap_is_int(at, 500 * S, "past the deadline: ret_at is now");
    tap_is_int(b, 80 * S, "past the deadline: window doubles");
    tap_is_int(decide(RESTART_ALWAYS, &run, 0, &at, &b), SCHED_RESTART_LATER,
               "now before finished_at (clock skew): still LATER");
}

static void test_backoff_reset(void)
{
    struct sched_container_run run = {.exited = true,
                                      .exit_code = 1,
                                      .started_at = 1000 * S,
                                      .finished_at = 1600 * S,
                                      .backoff_ns = 300 * S};
    int64_t at, b;
    tap_is_int(decide(RESTART_ALWAYS, &run, 1600 * S, &at, &b), SCHED_RESTART_NOW,
               "ran exactly 10 min: back-off resets, immediate");
    tap_is_int(b, 10 * S, "reset: window back to base");
    tap_is_int(at, 1600 * S, "reset: ret_at is now");
    run.finished_at = 1600 * S - 1;
    tap_is_int(decide(RESTART_ALWAYS, &run, 1600 * S, &at, &b), SCHED_RESTART_LATER,
               "ran 1 ns short of 10 min: still backs off");
    tap_is_int(at, 1900 * S - 1, "short of reset: due at finished + 300 s");
    tap_is_int(b, 300 * S, "short of reset: window stays at the cap");
    run.started_at = 0;
    run.finished_at = 5000 * S;
    tap_is_int(decide(RESTART_ALWAYS, &run, 5000 * S, &at, &b), SCHED_RESTART_LATER,
               "never started (started_at 0): no reset");
    run.started_at = 6000 * S; /* finished before started: bogus, not a long run */
    tap_is_int(decide(RESTART_ALWAYS, &run, 5000 * S, &at, &b), SCHED_RESTART_LATER,
               "finished before started: no reset");
    struct sched_backoff_config noreset = cfg;
    noreset.reset_ns = 0;
    run.started_at = 1 * S;
    run.finished_at = 100000 * S;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &noreset, run.finished_at, &at, &b),
               SCHED_RESTART_LATER, "reset_ns 0 disables the reset");
    run.exit_code = 0;
    tap_is_int(decide(RESTART_ON_FAILURE, &run, run.finished_at, &at, &b), SCHED_RESTART_NO,
               "a long run that succeeded under OnFailure stays down");
}

static void test_backoff_clamp(void)
{
    struct sched_container_run run = {.exited = true,
                                      .exit_code = 1,
                                      .started_at = 100 * S,
                                      .finished_at = 101 * S,
                                      .backoff_ns = 1000 * S};
    int64_t at, b;
    tap_is_int(decide(RESTART_ALWAYS, &run, 101 * S, &at, &b), SCHED_RESTART_LATER,
               "stored window above max");
    tap_is_int(at, 401 * S, "a window above max waits max");
    tap_is_int(b, 300 * S, "a window above max is remembered as max");
    run.backoff_ns = 3 * S;
    tap_is_int(decide(RESTART_ALWAYS, &run, 101 * S, &at, &b), SCHED_RESTART_LATER,
               "stored window below base");
    tap_is_int(at, 111 * S, "a window below base waits base");
    tap_is_int(b, 20 * S, "and doubles from base");
    run.backoff_ns = 200 * S;
    decide(RESTART_ALWAYS, &run, 101 * S, &at, &b);
    tap_is_int(b, 300 * S, "200 s doubles to the 300 s cap, not 400 s");

    /* Extremes must saturate, not overflow (UBSan checks this build). */
    struct sched_backoff_config huge = {.base_ns = 1, .max_ns = INT64_MAX, .reset_ns = 0};
    run.backoff_ns = INT64_MAX - 5;
    run.finished_at = INT64_MAX - 10;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &huge, 0, &at, &b), SCHED_RESTART_LATER,
               "huge window: LATER");
    tap_is_int(at, INT64_MAX, "huge window: due saturates");
    tap_is_int(b, INT64_MAX, "huge window: doubling saturates at max");
}

static void test_restart_invalid(void)
{
    struct sched_container_run run = {.exited = true, .exit_code = 1, .backoff_ns = 10 * S};
    int64_t at = 42, b = 43;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, NULL, &cfg, 0, &at, &b), _SCHED_RESTART_INVALID,
               "NULL run");
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, NULL, 0, &at, &b), _SCHED_RESTART_INVALID,
               "NULL config");
    tap_is_int(sched_restart_decide(_RESTART_POLICY_INVALID, &run, &cfg, 0, &at, &b),
               _SCHED_RESTART_INVALID, "invalid policy");
    tap_is_int(sched_restart_decide(_RESTART_POLICY_MAX, &run, &cfg, 0, &at, &b),
               _SCHED_RESTART_INVALID, "policy _MAX");
    struct sched_backoff_config bad = {.base_ns = 0, .max_ns = 10 * S, .reset_ns = 0};
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &bad, 0, &at, &b), _SCHED_RESTART_INVALID,
               "base 0");
    bad = (struct sched_backoff_config){.base_ns = 10 * S, .max_ns = 5 * S};
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &bad, 0, &at, &b), _SCHED_RESTART_INVALID,
               "max below base");
    run.exited = false;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &cfg, 0, &at, &b), _SCHED_RESTART_INVALID,
               "a container that has not exited");
    tap_ok(at == 42 && b == 43, "out-params untouched on INVALID");
    run.exited = true;
    tap_is_int(sched_restart_decide(RESTART_ALWAYS, &run, &cfg, 0, NULL, NULL), SCHED_RESTART_LATER,
               "NULL out-params are allowed");
}

static void test_backoff_defaults(void)
{
    struct sched_backoff_config d = SCHED_BACKOFF_CONFIG_DEFAULT;
    tap_is_int(d.base_ns, 10 * S, "default base 10 s");
    tap_is_int(d.max_ns, 300 * S, "default max 5 min");
    tap_is_int(d.reset_ns, 600 * S, "default reset 10 min");
}

/* --- phase and readiness --- */

#define RUN                                                                                        \
    {                                                                                              \
        SCHED_RUNNING, 0, false                                                                    \
    }
#define OK                                                                                         \
    {                                                                                              \
        SCHED_TERMINATED, 0, false                                                                 \
    }
#define BAD                                                                                        \
    {                                                                                              \
        SCHED_TERMINATED, 3, false                                                                 \
    }
#define SIG                                                                                        \
    {                                                                                              \
        SCHED_TERMINATED, -9, false                                                                \
    }
#define OK_RESTART                                                                                 \
    {                                                                                              \
        SCHED_TERMINATED, 0, true                                                                  \
    }
#define BAD_RESTART                                                                                \
    {                                                                                              \
        SCHED_TERMINATED, 1, true                                                                  \
    }
#define WAIT                                                                                       \
    {                                                                                              \
        SCHED_WAITING, 0, false                                                                    \
    }
#define BACKOFF                                                                                    \
    {                                                                                              \
        SCHED_WAITING, 1, true                                                                     \
    }
#define BACKOFF0                                                                                   \
    {                                                                                              \
        SCHED_WAITING, 0, true                                                                     \
    }
#define JUNK                                                                                       \
    {                                                                                              \
        (enum sched_container_state) 7, 0, false                                                   \
    }

struct phase_case {
    const char *what;
    struct sched_container_view c[3];
    size_t n;
    enum sched_phase always, on_failure, never;
};

/* Expected phase per policy: Always, OnFailure, Never. */
#define PEND SCHED_PHASE_PENDING
#define RUNG SCHED_PHASE_RUNNING
#define SUCC SCHED_PHASE_SUCCEEDED
#define FAIL SCHED_PHASE_FAILED

static const struct phase_case phase_cases[] = {
    {"no containers", {RUN}, 0, PEND, PEND, PEND},
    {"one waiting", {WAIT}, 1, PEND, PEND, PEND},
    {"one running", {RUN}, 1, RUNG, RUNG, RUNG},
    {"running + waiting", {RUN, WAIT}, 2, PEND, PEND, PEND},
    {"succeeded + waiting", {OK, WAIT}, 2, PEND, PEND, PEND},
    {"running + succeeded", {RUN, OK}, 2, RUNG, RUNG, RUNG},
    {"running + failed", {RUN, BAD}, 2, RUNG, RUNG, RUNG},
    {"one succeeded", {OK}, 1, RUNG, SUCC, SUCC},
    {"one failed", {BAD}, 1, RUNG, RUNG, FAIL},
    {"one killed (negative code)", {SIG}, 1, RUNG, RUNG, FAIL},
    {"succeeded + failed", {OK, BAD}, 2, RUNG, RUNG, FAIL},
    {"all succeeded", {OK, OK, OK}, 3, RUNG, SUCC, SUCC},
    {"terminated 0, will restart", {OK_RESTART}, 1, RUNG, SUCC, SUCC},
    {"terminated 1, will restart", {BAD_RESTART, OK}, 2, RUNG, RUNG, FAIL},
    {"CrashLoopBackOff", {BACKOFF}, 1, RUNG, RUNG, FAIL},
    {"waiting to restart is never succeeded", {BACKOFF0, OK}, 2, RUNG, RUNG, FAIL},
    {"CrashLoopBackOff + running", {BACKOFF, RUN}, 2, RUNG, RUNG, RUNG},
    {"CrashLoopBackOff + not started", {BACKOFF, WAIT}, 2, PEND, PEND, PEND},
    {"unknown state", {JUNK}, 1, PEND, PEND, PEND},
    {"running + unknown", {RUN, JUNK}, 2, PEND, PEND, PEND},
    {"succeeded + unknown", {OK, JUNK}, 2, PEND, PEND, PEND},
};

static void test_phase_table(void)
{
    static const enum restart_policy policies[] = {RESTART_ALWAYS, RESTART_ON_FAILURE,
                                                   RESTART_NEVER};
    static const char *const names[] = {"Always", "OnFailure", "Never"};
    for (size_t i = 0; i < ARRAY_LEN(phase_cases); i++) {
        const struct phase_case *t = &phase_cases[i];
        const enum sched_phase want[] = {t->always, t->on_failure, t->never};
        for (size_t p = 0; p < ARRAY_LEN(policies); p++)
            tap_is_int(sched_pod_phase(policies[p], t->c, t->n), want[p], "%s, %s -> %s", t->what,
                       names[p], sched_phase_to_string(want[p]));
    }
}

static void test_phase_edges(void)
{
    struct sched_container_view ok[] = {OK};
    tap_is_int(sched_pod_phase(RESTART_NEVER, NULL, 3), SCHED_PHASE_PENDING, "NULL views: Pending");
    tap_is_int(sched_pod_phase(_RESTART_POLICY_INVALID, ok, 1), SCHED_PHASE_RUNNING,
               "unknown policy counts as Always");
}

static void test_phase_strings(void)
{
    static const char *const want[] = {"Pending", "Running", "Succeeded", "Failed"};
    for (int p = 0; p < _SCHED_PHASE_MAX; p++) {
        tap_is_str(sched_phase_to_string((enum sched_phase) p), want[p], "phase %d name", p);
        tap_is_int(sched_phase_from_string(want[p]), p, "'%s' parses back", want[p]);
    }
    tap_is_str(sched_phase_to_string(_SCHED_PHASE_INVALID), "Unknown", "invalid -> Unknown");
    tap_is_str(sched_phase_to_string(_SCHED_PHASE_MAX), "Unknown", "_MAX -> Unknown");
    tap_is_int(sched_phase_from_string("Unknown"), _SCHED_PHASE_INVALID, "'Unknown' is no phase");
    tap_is_int(sched_phase_from_string("running"), _SCHED_PHASE_INVALID, "case matters");
    tap_is_int(sched_phase_from_string(""), _SCHED_PHASE_INVALID, "empty string");
    tap_is_int(sched_phase_from_string(NULL), _SCHED_PHASE_INVALID, "NULL");
}

static void test_ready(void)
{
    struct sched_container_view all[] = {RUN, RUN, RUN};
    struct sched_container_view one_waiting[] = {RUN, WAIT};
    struct sched_container_view backoff[] = {RUN, BACKOFF};
    struct sched_container_view done[] = {OK, OK};
    tap_ok(sched_pod_ready(all, 3), "all running: ready");
    tap_ok(sched_pod_ready(all, 1), "the single running container: ready");
    tap_ok(!sched_pod_ready(one_waiting, 2), "one waiting: not ready");
    tap_ok(!sched_pod_ready(backoff, 2), "one in back-off: not ready");
    tap_ok(!sched_pod_ready(done, 2), "all exited: not ready");
    tap_ok(!sched_pod_ready(all, 0), "no containers: not ready");
    tap_ok(!sched_pod_ready(NULL, 2), "NULL: not ready");

    tap_ok(sched_pod_not_ready_reason(SCHED_PHASE_RUNNING, all, 3) == NULL, "ready: no reason");
    tap_is_str(sched_pod_not_ready_reason(SCHED_PHASE_PENDING, one_waiting, 2),
               "ContainersNotReady", "waiting: ContainersNotReady");
    tap_is_str(sched_pod_not_ready_reason(SCHED_PHASE_RUNNING, backoff, 2), "ContainersNotReady",
               "back-off: ContainersNotReady");
    tap_is_str(sched_pod_not_ready_reason(SCHED_PHASE_SUCCEEDED, done, 2), "PodCompleted",
               "succeeded: PodCompleted");
    tap_is_str(sched_pod_not_ready_reason(SCHED_PHASE_FAILED, done, 2), "ContainersNotReady",
               "failed: ContainersNotReady");
}

int main(void)
{
    test_admit();
    test_policy_never();
    test_policy_on_failure();
    test_policy_always();
    test_backoff_series();
    test_backoff_deadline();
    test_backoff_reset();
    test_backoff_clamp();
    test_restart_invalid();
    test_backoff_defaults();
    test_phase_table();
    test_phase_edges();
    test_phase_strings();
    test_ready();
    return tap_done();
}
