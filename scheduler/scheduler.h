/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Pure decisions for the reconcile loop: no I/O, no clocks (callers pass "now").
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

/* --- admission --- */
struct sched_capacity {
    int max_pods;     /* kubelet's default is 110 */
    int running_pods; /* admitted pods not yet terminated */
};
/*
 * 0 = admit (*ret_reason = NULL). -ENOSPC with *ret_reason = "OutOfpods" (kubelet's reason,
 * "OutOf" + the resource) when running_pods >= max_pods, so max_pods <= 0 admits nothing.
 * -EINVAL when cap is NULL. pod may be NULL (nothing in it limits admission yet);
 * ret_reason may be NULL. The reason is a static string.
 */
#define SCHED_REASON_OUT_OF_PODS "OutOfpods"
int sched_admit(const struct sched_capacity *cap, const struct pod *pod, const char **ret_reason);

/* --- restart back-off (kubelet) --- */
struct sched_backoff_config {
    int64_t base_ns;  /* 10 s */
    int64_t max_ns;   /* 300 s */
    int64_t reset_ns; /* 600 s; <= 0 disables the reset */
};
#define SCHED_BACKOFF_BASE_NS (10LL * 1000000000LL)
#define SCHED_BACKOFF_MAX_NS (300LL * 1000000000LL)
#define SCHED_BACKOFF_RESET_NS (600LL * 1000000000LL)
#define SCHED_BACKOFF_CONFIG_DEFAULT                                                               \
    ((struct sched_backoff_config){.base_ns = SCHED_BACKOFF_BASE_NS,                               \
                                   .max_ns = SCHED_BACKOFF_MAX_NS,                                 \
                                   .reset_ns = SCHED_BACKOFF_RESET_NS})

/* What the loop knows of one container's last run. */
struct sched_container_run {
    bool exited;
    int exit_code;
    int restart_count;   /* restarts so far */
    int64_t started_at;  /* ns, 0 = never started */
    int64_t finished_at; /* ns */
    int64_t backoff_ns;  /* current back-off window; 0 = none yet */
};

enum sched_restart {
    SCHED_RESTART_NO, /* terminated for good */
    SCHED_RESTART_NOW,
    SCHED_RESTART_LATER, /* *ret_at says when; show CrashLoopBackOff meanwhile */
    _SCHED_RESTART_MAX,
    _SCHED_RESTART_INVALID = -22,
};

/*
 * Decides whether an exited container restarts, and when (kubelet's container back-off).
 * Call it once per exit and act on the answer. W = run->backoff_ns, the window remembered
 * from the previous decision (0 = none yet).
 *
 * 1. Policy: Never -> NO; OnFailure with exit_code == 0 -> NO; otherwise (Always, or
 *    OnFailure with any non-zero code, negative ones included) the container restarts.
 *    NO sets *ret_at = 0 and leaves the window as it was (*ret_backoff_ns = W).
 * 2. Reset: a run that lasted long enough (started_at > 0, reset_ns > 0 and
 *    finished_at - started_at >= reset_ns) starts the series over: NOW, window = base.
 * 3. First restart (W <= 0): NOW, window = base.
 * 4. Later exits: W is clamped into [base, max]; the restart is due at finished_at + W.
 *    now < due -> LATER with *ret_at = due (the container shows CrashLoopBackOff
 *    meanwhile); now >= due -> NOW. Either way that restart uses W up, so the window to
 *    remember is min(2 * W, max). A container that crashes at once therefore waits
 *    0, 10, 20, 40, 80, 160, 300, 300 ... s with the default configuration.
 *
 * *ret_at is "now" for NOW. *ret_backoff_ns is what to store in run->backoff_ns for the
 * next decision; it is NOT the current wait (that is *ret_at - finished_at for LATER).
 * restart_count is informational. Returns _SCHED_RESTART_INVALID, writing nothing, when
 * run or cfg is NULL, !run->exited, the policy is unknown, base <= 0 or max < base.
 * ret_at and ret_backoff_ns may be NULL.
 */
enum sched_restart sched_restart_decide(enum restart_policy policy,
                                        const struct sched_container_run *run,
                                        const struct sched_backoff_config *cfg, int64_t now,
                                        int64_t *ret_at, int64_t *ret_backoff_ns);

/*
 * The next window of a plain exponential back-off (image pulls, sandbox creation): base for
 * the first failure (prev_ns <= 0), then doubling, capped at max. Uses base_ns and max_ns of
 * cfg; returns base_ns when max < base.
 */
int64_t sched_backoff_next(int64_t prev_ns, const struct sched_backoff_config *cfg);

/* --- pod phase (Kubernetes' getPhase) --- */
enum sched_container_state {
    SCHED_WAITING,
    SCHED_RUNNING,
    SCHED_TERMINATED,
    _SCHED_CONTAINER_STATE_MAX,
    _SCHED_CONTAINER_STATE_INVALID = -22,
};

/*
 * One regular container as getPhase sees it. How it counts (kubelet's counters):
 *   RUNNING                    -> running
 *   TERMINATED                 -> stopped; also succeeded when exit_code == 0
 *   WAITING and will_restart   -> stopped, not succeeded: it ran before and waits for its
 *                                 restart (kubelet: waiting with lastState.terminated)
 *   WAITING and !will_restart  -> waiting: not started yet (pulling, creating)
 *   any other state value      -> unknown
 * For TERMINATED, will_restart does not change the phase (kubelet ignores it too).
 */
struct sched_container_view {
    enum sched_container_state state;
    int exit_code;     /* when terminated */
    bool will_restart; /* per restart policy */
};

enum sched_phase {
    SCHED_PHASE_PENDING,
    SCHED_PHASE_RUNNING,
    SCHED_PHASE_SUCCEEDED,
    SCHED_PHASE_FAILED,
    _SCHED_PHASE_MAX,
    _SCHED_PHASE_INVALID = -22,
};
/* "Pending", "Running", "Succeeded", "Failed"; "Unknown" (Kubernetes' PodUnknown) otherwise. */
const char *sched_phase_to_string(enum sched_phase p);
/* The inverse for the four phases; _SCHED_PHASE_INVALID otherwise (NULL included). */
enum sched_phase sched_phase_from_string(const char *s);

/*
 * The pod's Ready and ContainersReady conditions: true when n > 0 and every container is
 * RUNNING (there are no readiness probes yet, so a running container is ready).
 * False for c == NULL.
 */
bool sched_pod_ready(const struct sched_container_view *c, size_t n);
/*
 * The reason kubelet gives while those conditions are False: NULL when ready,
 * "PodCompleted" when the phase is Succeeded, "ContainersNotReady" otherwise.
 */
const char *sched_pod_not_ready_reason(enum sched_phase phase, const struct sched_container_view *c,
                                       size_t n);

/*
 * Kubernetes' getPhase (kubelet_pods.go) for regular containers, no init containers, pod
 * not terminal. With the counters above:
 *   n == 0 or c == NULL                  -> Pending
 *   waiting > 0                          -> Pending   (something has not started yet)
 *   running > 0 and unknown == 0         -> Running
 *   running == 0, stopped > 0, unknown == 0:
 *     policy Always                      -> Running   (all of them are restarting)
 *     stopped == succeeded               -> Succeeded (OnFailure or Never, all exited 0)
 *     policy Never                       -> Failed    (at least one failed)
 *     policy OnFailure                   -> Running   (the failed ones restart)
 *   otherwise (some unknown)             -> Pending
 * An unknown policy counts as Always (the manifest default).
 */
enum sched_phase sched_pod_phase(enum restart_policy policy, const struct sched_container_view *c,
                                 size_t n);

/* --- updates of a stored pod (the API server's rule) --- */

enum sched_pod_update {
    SCHED_UPDATE_NONE,      /* spec unchanged */
    SCHED_UPDATE_ALLOWED,   /* only containers' images (and the pull policy they default) */
    SCHED_UPDATE_FORBIDDEN, /* any other spec field: delete and re-create the pod */
    _SCHED_POD_UPDATE_MAX,
    _SCHED_POD_UPDATE_INVALID = -22,
};
/* Compares two normalised pod specs (JSON, as stored) as Kubernetes validates a pod update. */
enum sched_pod_update sched_pod_update_check(const json_t *old_spec, const json_t *new_spec);

/* --- local storage eviction (kubelet's eviction manager) --- */

/* The status reason of a pod the node evicted (kubelet's eviction.Reason). */
#define SCHED_REASON_EVICTED "Evicted"
/* The grace period of a local storage eviction (kubelet's immediateEvictionGracePeriodSeconds):
 * the pod's own terminationGracePeriodSeconds is not waited for. */
#define SCHED_EVICTION_GRACE_SECONDS 1

/*
 * kubelet's emptyDirLimitEviction for one volume: true when v is an emptyDir whose sizeLimit
 * is above 0 and `used` bytes are strictly more than it (the limit compared exactly, a
 * fraction of a byte included). A volume without a limit never is. Whether the usage can be
 * measured (a disk emptyDir, not a tmpfs one, which its size bounds) is the caller's concern.
 */
bool sched_empty_dir_over_limit(const struct volume *v, int64_t used);
/*
 * kubelet's message for that eviction, its trailing space included:
 * `Usage of EmptyDir volume "NAME" exceeds the limit "SIZE". `, SIZE the limit as Kubernetes
 * prints the quantity (quantity_canonical: "1024Ki" is "1Mi"). Allocated.
 */
char *sched_empty_dir_eviction_message(const struct volume *v);
