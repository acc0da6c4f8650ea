/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What `kubectl get pods` shows of a pod, computed from its JSON as the API server's printer
 * does (kubernetes pkg/printers/internalversion printPod): the STATUS reason, READY and
 * RESTARTS. Pure: no I/O.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct pod_summary {
    char reason[128];        /* STATUS: "Running", "Init:1/2", "CrashLoopBackOff", ... */
    unsigned ready, total;   /* READY "ready/total" (sidecars count as containers) */
    long long restarts;      /* RESTARTS */
    int64_t last_restart_ns; /* the latest lastState.terminated.finishedAt counted, 0 = none */
};

/*
 * STATUS is the pod's reason or phase; "SchedulingGated"; while initialising the first init
 * container not done ("Init:N/M", "Init:REASON", "Init:ExitCode:N", "Init:Signal:N"); then the
 * first app container's waiting or terminated reason (or "ExitCode:N", "Signal:N"), "Completed"
 * turned back to "Running" or "NotReady" while another container runs; "Terminating" for a pod
 * being deleted whose phase is not final. READY counts ready running containers and started
 * ready sidecars (init containers with restartPolicy Always); RESTARTS sums the containers'
 * restart counts (the init containers' while initialising).
 */
void pod_summarize(const json_t *pod, struct pod_summary *ret);
