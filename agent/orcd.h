/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sys/paths.h"
#include "images/registries-conf.h"
#include "images/registry-client.h"
#include "sys/userns.h"

struct images;
struct store;
struct api;
struct pod_worker;
struct network;
struct pull_jobs;

/* Agent configuration: $XDG_CONFIG_HOME/orc/config.yaml, overridden by flags. */
struct orcd_config {
    char *runtime;            /* OCI runtime binary, default "runc" */
    char *shim_path;          /* orc-shim, default: next to orcd, then $PATH */
    int64_t backoff_base_ns;  /* restart back-off start, default 10 s */
    int64_t backoff_max_ns;   /* cap, default 300 s */
    int64_t backoff_reset_ns; /* running this long resets back-off, default 600 s */
    int max_pods;             /* admission capacity, default 110 */
    bool require_limits;      /* pods whose resources cannot be enforced fail */
    int64_t pod_pids_limit;   /* TasksMax of each pod's scope, 0 = none (kubelet's podPidsLimit) */
    int image_gc_high;        /* disk use (%) that starts image garbage collection, 85 */
    int image_gc_low;         /* and where it stops, 80 */
    char *cni_conf;           /* network configuration list; NULL = built in */
    char *cni_bin_dir;        /* CNI_PATH: plugin directories, ':'-separated */
    char **insecure_registries; /* spoken to over HTTP */
    char *registries_conf;      /* containers-registries.conf(5); NULL = podman's places */
};

/* The agent's state, passed explicitly; the loop thread owns everything but `api`. */
struct orcd {
    struct orcd_config config;
    struct orc_paths paths;
    struct userns userns;
    struct store *store;               /* the loop thread's connection */
    struct images *images;             /* thread-safe */
    struct network *network;           /* the pods' CNI chain */
    struct registry_options registry;  /* insecure registries, auth files */
    struct registries_conf registries; /* registries.conf: search, mirrors, insecure */
    struct pull_jobs *pulls;           /* image pulls for pods, in background threads */
    _Atomic bool gc_due;               /* a pull finished: check the disk (loop thread) */
    struct api *api;
    int wake_fd; /* eventfd: the API writes 1 after committing a change */
    int lock_fd; /* flock on paths.lock: one agent per user */
    /* loop state lives in loop.c / pods/worker.c */
    struct pod_worker **workers;
    size_t n_workers;
    int epoll_fd;
    bool stopping;
};

/* Wakes the reconcile loop (safe from any thread). */
void orcd_wake(struct orcd *o);
