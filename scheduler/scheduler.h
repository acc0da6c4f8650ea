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
/* 0 = admit; -ENOSPC with *ret_reason = "OutOfpods"-style static string otherwise. */
int sched_admit(const struct sched_capacity *cap, const struct pod *pod, const char **ret_reason);

/* --- restart back-off (kubelet) --- */
struct sched_backoff_config {
    int64_t base_ns;  /* 10 s */
    int64_t max_ns;   /* 300 s */
    int64_t reset_ns; /* 600 s */
};

/* What the loop knows of one container's last run. */
struct sched_container_run {
    bool exited;
    int exit_code;
    int restart_count;     /* restarts so far */
    int64_t started_at;    /* ns, 0 = never started */
    int64_t finished_at;   /* ns */
    int64_t backoff_ns;    /* current back-off window; 0 = none yet */
};

enum sched_restart {
    SCHED_RESTART_NO,    /* terminated for good */
    SCHED_RESTART_NOW,
    SCHED_RESTART_LATER, /* *ret_at says when; show CrashLoopBackOff meanwhile */
    _SCHED_RESTART_MAX,
    _SCHED_RESTART_INVALID = -22,
};

/*
 * Decides whether an exited container restarts, and when (kubelet's container back-off):
 * Never -> no; OnFailure -> no after exit code 0; Always -> yes. With no window yet, or
 * after a run of at least reset_ns, the restart is immediate and the window becomes base.
 * Otherwise the restart waits until finished_at + window, and the window for the next
 * decision doubles, capped at max. *ret_backoff_ns is the window to remember.
 */
enum sched_restart sched_restart_decide(enum restart_policy policy,
                                        const struct sched_container_run *run,
                                        const struct sched_backoff_config *cfg, int64_t now,
                                        int64_t *ret_at, int64_t *ret_backoff_ns);

/* --- pod phase (Kubernetes' getPhase) --- */
enum sched_container_state {
    SCHED_WAITING,
    SCHED_RUNNING,
    SCHED_TERMINATED,
    _SCHED_CONTAINER_STATE_MAX,
    _SCHED_CONTAINER_STATE_INVALID = -22,
};

struct sched_container_view {
    enum sched_container_state state;
    int exit_code;         /* when terminated */
    bool will_restart;     /* per restart policy */
};

enum sched_phase {
    SCHED_PHASE_PENDING,
    SCHED_PHASE_RUNNING,
    SCHED_PHASE_SUCCEEDED,
    SCHED_PHASE_FAILED,
    _SCHED_PHASE_MAX,
    _SCHED_PHASE_INVALID = -22,
};
const char *sched_phase_to_string(enum sched_phase p); /* "Pending", ... */

/* All containers running (the pod's Ready and ContainersReady conditions). */
bool sched_pod_ready(const struct sched_container_view *c, size_t n);

enum sched_phase sched_pod_phase(enum restart_policy policy, const struct sched_container_view *c,
                                 size_t n);
