/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "manifest.h"
#include "pods/env.h"

struct shim_client;
struct job;

/* What the agent knows of one container of a pod (kubelet's container status). */
enum run_state {
    RUN_WAITING,
    RUN_RUNNING,
    RUN_EXITED,
    _RUN_STATE_MAX,
    _RUN_STATE_INVALID = -22,
};

struct container_run {
    char *name;
    char *image; /* the reference it runs (or will run) */
    char *image_id;
    enum run_state state;
    int restart_count;    /* also the attempt number of the current (or last) instance */
    bool started_once;    /* an instance with this restart_count was started */
    bool restarting;      /* the next instance (restart_count + 1) is being started: the
                           * count goes up once it runs, as kubelet counts */
    char *waiting_reason; /* ContainerCreating, CrashLoopBackOff, ErrImagePull, ... */
    char *waiting_message;
    int64_t started_at, finished_at;
    int exit_code;
    char *reason, *message; /* of the last termination; message: its termination message */
    bool has_last;
    int last_exit_code;
    int64_t last_started_at, last_finished_at;
    char *last_reason, *last_message;
    int64_t backoff_ns;
    int64_t restart_at;           /* 0 = no restart scheduled */
    bool done;                    /* terminated for good */
    bool replace;                 /* image changed: restart on exit */
    bool pulling;                 /* a pull for this container runs (event sent) */
    struct keyring *pull_keyring; /* the credentials it runs with (imagePullSecrets), or NULL */
    bool pulled;                  /* pulled for the next start (imagePullPolicy Always) */
    int64_t pull_started, pull_backoff_ns, pull_failed_at;
    int64_t pull_retry_at;      /* after a failed pull: ImagePullBackOff until then */
    bool config_missing;        /* waits in CreateContainerConfigError for an object or key */
    uint64_t config_generation; /* the pod_env.objects_generation it was missing at */
    int64_t config_backoff_ns;
    int64_t config_retry_at; /* OCI_SPEC_ECONFIG: CreateContainerConfigError until then */
};

enum worker_state {
    WORKER_SYNCING,
    WORKER_TERMINATING,
    WORKER_TERMINATED,
    _WORKER_STATE_MAX,
    _WORKER_STATE_INVALID = -22,
};

/* One pod's worker, after kubelet's pod_workers: sync -> terminating -> terminated. At most
 * one slow step runs for it at a time (`job`); when it is done the worker syncs again from
 * the latest desired state. */
struct pod_worker {
    struct pod_env *env;
    char *uid;
    struct pod *pod;
    long long generation;
    char *resource_version; /* of the stored object last seen */
    char *created;          /* RFC3339 */
    enum worker_state state;
    bool deleted; /* deletionTimestamp set */
    int64_t grace_s;
    struct shim_client *shim; /* the loop's connection; its fd is in the loop's epoll set */
    pid_t shim_pid;
    struct job *job;    /* the step in flight, NULL = none */
    int watched_fd;     /* the shim fd the loop has in its epoll set, -1 = none */
    bool shutdown_sent; /* terminating: the shim was told to stop everything */
    int64_t kill_at;    /* terminating: a shim still there then is killed (ns) */
    bool adopt_tried;   /* terminating: looked for a running shim already */
    bool check_due;     /* the sandbox reported a lost interface: CHECK next */
    int64_t sandbox_backoff_ns;
    struct container_run *runs;
    size_t n_runs;
    int64_t start_time;             /* ns; 0 until admitted */
    char *pod_reason, *pod_message; /* e.g. OutOfpods */
    bool rejected;                  /* refused or failed by the node: Failed, nothing restarts */
    bool failed_running;      /* failed by the node while it ran (evicted, past its deadline): its
                               * containers were stopped and show as terminated */
    int64_t fail_grace_s;     /* the grace period its containers were stopped with */
    bool volumes_released;    /* failed: its volumes' data removed (kubelet's teardown) */
    int64_t unschedulable_at; /* the node does not match its selector/affinity: Pending */
    bool elsewhere;           /* bound to another node (spec.nodeName): never run here */
    bool dirty;               /* status must be written */
    int64_t flush_at;         /* writing it failed (database locked): try again then (ns) */
    int64_t retry_at;         /* sandbox creation failed: try again then (ns) */
    json_t *net_result;       /* the CNI chain's ADD result, cached in run dir/network.json */
    char *pod_ip;             /* from net_result; NULL without a network */
    char *cgroup;             /* the pod's systemd scope (its cgroup path); NULL = unlimited */

    /* what the volumes' files showed when last written, or failed to mount (FailedMount:
     * retried at once when that changes; pods/volumes.h: pod_volumes_stamp) */
    char *volumes_stamp;
    bool mount_failed;
};

/* Builds a worker from a stored object (restoring observed status). */
struct pod_worker *pod_worker_new(struct pod_env *env, const json_t *object);
struct pod_worker *pod_worker_free(struct pod_worker *w);

/* Takes a newer stored object (deletion, image or label changes). */
void pod_worker_update(struct pod_worker *w, const json_t *object);
/* Moves the pod toward its desired state: decides, and submits at most one slow step to the
 * job pool; never waits. */
void pod_worker_sync(struct pod_worker *w);
/* The fd the loop must watch for this pod (its shim's socket), or -1. */
int pod_worker_fd(const struct pod_worker *w);
/* Whether the pod counts against --max-pods (admitted and not terminating). */
bool pod_worker_admitted(const struct pod_worker *w);
/* Whether its pod is bound to another node than orc's (spec.nodeName): kubelet runs only the
 * pods bound to its node, so such a pod stays Pending, with the status the API server gave
 * it, and only its deletion is acted on. */
bool pod_worker_bound_elsewhere(const struct pod_worker *w);
/* The shim's socket is readable. */
void pod_worker_on_shim(struct pod_worker *w);
/* Handles shim messages read while the agent waited for an answer (events queued then). */
void pod_worker_dispatch(struct pod_worker *w);
/* Deadlines passed (restarts due). */
void pod_worker_on_timer(struct pod_worker *w, int64_t now);
/* Nearest deadline in CLOCK_REALTIME ns, 0 = none. */
int64_t pod_worker_next_deadline(const struct pod_worker *w);
/*
 * The node fails the pod while it runs, as kubelet's killPodNow with a status function: phase
 * Failed with reason and message, every container stopped within grace_s seconds and never
 * restarted whatever the restartPolicy (their statuses stay, terminated), the volumes' data
 * released once the sandbox is gone; the pod stays, Failed, until it is deleted, also across
 * agent restarts (its reason is read back). The caller records the reason's event first.
 */
void pod_worker_fail(struct pod_worker *w, const char *reason, const char *message,
                     int64_t grace_s);
/* Records an event on the pod (the store's event log), as kubelet's recorder. */
void pod_worker_event(struct pod_worker *w, const char *type, const char *reason,
                      const char *message);
/* Writes status to the store if it changed. */
void pod_worker_flush_status(struct pod_worker *w);

/* status.json of a pod (Kubernetes PodStatus) from what the worker knows. */
json_t *pod_worker_status_json(const struct pod_worker *w);
/* Restores containers' observed state from a stored PodStatus. */
void pod_worker_restore_status(struct pod_worker *w, const json_t *status);
