/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "images/registries-conf.h"
#include "images/registry-client.h"
#include "loop.h"
#include "pods/env.h"
#include "sys/paths.h"
#include "sys/userns.h"

struct images;
struct store;
struct api;
struct api_tls;
struct network;
struct pull_jobs;
struct job_pool;
struct feed;
struct node_status;

/* Agent configuration, from flags. */
struct orcd_config {
    struct pod_config pod;          /* what pod workers need */
    unsigned parallel_pods;         /* pods whose slow steps run at once (the job pool's threads) */
    bool debug_hooks;               /* POST /debug/block-loop, for tests */
    int64_t api_idle_timeout_ns;    /* an API connection idle this long is closed */
    unsigned watch_cache_size;      /* changes kept for watches to resume from */
    int64_t watch_bookmark_ns;      /* a watch with bookmarks gets one this often */
    int secure_port;                /* the API's HTTPS port on 127.0.0.1; 0 = none */
    int image_gc_high;              /* disk use (%) that starts image garbage collection, 85 */
    int image_gc_low;               /* and where it stops, 80 */
    int64_t image_max_layer;        /* bytes one layer may unpack to */
    int64_t image_pull_deadline_ns; /* registry requests without progress this long fail */
    char *cni_conf;                 /* network configuration list; NULL = built in */
    char *cni_bin_dir;              /* CNI_PATH: plugin directories, ':'-separated */
    char **insecure_registries;     /* spoken to over HTTP */
    char *registries_conf;          /* containers-registries.conf(5); NULL = podman's places */
};

/* The agent's state, passed explicitly. The loop thread owns the loop and `store`; the API's
 * threads use their own store connections; the job pool's threads only what a job owns. */
struct orcd {
    struct orcd_config config;
    struct orc_paths paths;
    struct userns userns;
    struct store *store;               /* the loop thread's connection */
    struct feed *feed;                 /* every store connection's committed changes */
    struct images *images;             /* thread-safe */
    struct network *network;           /* the pods' CNI chain, read-only */
    struct registry_options registry;  /* insecure registries, auth files */
    struct registries_conf registries; /* registries.conf: search, mirrors, insecure */
    struct pull_jobs *pulls;           /* image pulls for pods, in background threads */
    struct job_pool *jobs;             /* the pods' slow steps */
    struct api *api;
    struct node_status *node; /* this machine as a Kubernetes Node */
    struct api_tls *tls;      /* the TCP listener's socket and credentials; NULL = none */
    struct loop loop;
    int lock_fd;      /* flock on paths.lock: one agent per run directory */
    int data_lock_fd; /* flock on paths.data_lock: one agent per data directory */
};

/* Wakes the reconcile loop (safe from any thread). */
void orcd_wake(struct orcd *o);
/* An object pods may use (a ConfigMap, a Secret) was written or deleted and committed: wakes
 * the loop with the mark that makes every pod worker check its references again
 * (pod_env.objects_generation). Safe from any thread. */
void orcd_objects_changed(struct orcd *o);
/* The Node's labels were written and committed: wakes the loop, which reads them again from
 * its store (pod_config.node_labels) before its workers sync. Safe from any thread. */
void orcd_node_changed(struct orcd *o);
