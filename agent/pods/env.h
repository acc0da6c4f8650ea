/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * What pod workers get from the loop that owns them: configuration and the services they
 * use. Pods never reach up into the loop; the loop calls down into them (sync, events, job
 * completions) and reads back what they expose (their shim's fd, their next deadline).
 */
/* The node's address in pods' status (hostIP, hostIPs) and the downward API. */
#define POD_NODE_HOST_IP "127.0.0.1"

struct pod_config {
    char *runtime;                 /* OCI runtime binary, default "runc" */
    char *shim_path;               /* orc-shim */
    int64_t backoff_base_ns;       /* restart back-off start, default 10 s */
    int64_t backoff_max_ns;        /* cap, default 300 s */
    int64_t backoff_reset_ns;      /* running this long resets back-off, default 600 s */
    int max_pods;                  /* admission capacity, default 110 */
    bool require_limits;           /* pods whose resources cannot be enforced fail */
    int64_t pod_pids_limit;        /* TasksMax of each pod's scope, 0 = none */
    int64_t request_timeout_ns;    /* deadline of each external step, default 2 min */
    int64_t log_max_size;          /* a container log is rotated beyond this, default 10 MiB */
    int log_max_files;             /* and this many files of it are kept, default 5 */
    bool strict_image_pull_policy; /* an implied Always never falls back to the stored image */
    char *node_name;               /* the node's name (spec.nodeName of every pod) */
    json_t *node_labels;           /* the Node's labels, for nodeSelector and node affinity */
    int64_t node_cpu_milli;        /* the node's allocatable cpu (thousandths), memory and */
    int64_t node_memory;           /* ephemeral-storage (bytes): a limit not set, for the */
    int64_t node_storage;          /* downward API */
    bool seccomp_default;          /* --seccomp-default: RuntimeDefault for pods naming none */
    char *seccomp_dir;             /* Localhost seccomp profiles: $XDG_CONFIG_HOME/orc/seccomp */
    bool apparmor_enabled;         /* the machine's security modules and last capability, */
    bool selinux_enabled;          /* read when orcd starts (oci_security_probe) */
    int cap_last;
    int64_t volume_usage_interval_ns; /* disk emptyDirs with a sizeLimit measured this often
                                       * (eviction.h), default 10 s (ORC_VOLUME_USAGE_MS) */
};

struct store;
struct images;
struct network;
struct orc_paths;
struct userns;
struct pull_jobs;
struct job_pool;

struct pod_env {
    const struct pod_config *config;
    struct store *store;     /* the loop thread's connection: never used by jobs */
    struct images *images;   /* thread-safe */
    struct network *network; /* read-only after start-up */
    const struct orc_paths *paths;
    const struct userns *userns;
    struct pull_jobs *pulls;
    struct job_pool *jobs; /* where slow steps run */
    unsigned admitted;     /* pods admitted and not terminating, counted by the loop */
    bool stopping;         /* orcd stops: steps that finish now change nothing */
    bool disk_pressure;    /* a write found the disk full: the loop collects images */
    /* Bumped (on the loop thread, before every worker's sync) each time a ConfigMap, Secret,
     * PersistentVolumeClaim or PersistentVolume was written or deleted: a worker whose pod
     * uses such objects (env, volumes) compares it with the value it last acted on and, when
     * it changed, reads them again in that sync. Every worker syncs on every turn. */
    uint64_t objects_generation;
};
