/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "pods/env.h"

/*
 * One slow step of one pod, run on the job pool (sys/jobs.h) beside the loop. Its inputs
 * are copies taken when it was submitted, so the worker may change meanwhile; run() never
 * touches the worker, and the worker reads the outputs on the loop thread in done().
 * Every external call inside a step has its own deadline (--runtime-request-timeout); a
 * step that is cancelled (its pod deleted) or runs out of time kills what it started and
 * cleans up after it before it returns.
 */
enum pod_step_kind {
    STEP_SANDBOX,       /* adopt the pod's running shim, or start one: scope, network */
    STEP_ADOPT,         /* only adopt (a terminating pod never gets a new sandbox) */
    STEP_START,         /* write a container's bundle and have the shim start it */
    STEP_NETWORK_DOWN,  /* CNI DEL for a sandbox that is gone */
    STEP_NETWORK_CHECK, /* CNI CHECK; when broken, DEL and ADD again */
    STEP_TEARDOWN,      /* CNI DEL, then the pod's files and cgroup */
    STEP_VOLUMES,       /* the files of configMap, secret, downwardAPI volumes written again */
    STEP_RELEASE,       /* a failed pod's volumes' data removed (its sandbox gone) */
    _STEP_KIND_MAX,
    _STEP_KIND_INVALID = -22,
};

struct job;
struct pod;
struct image;
struct shim_client;
struct pod_worker;

struct pod_step {
    enum pod_step_kind kind;
    struct pod_worker *worker; /* for done() on the loop thread only */
    struct job *job;
    /* inputs */
    const struct pod_env *env;
    char *uid;
    struct pod *pod; /* a copy */
    char *run_dir;
    pid_t shim_pid;     /* the sandbox's, 0 if none */
    char *cgroup;       /* the pod's, NULL if none */
    json_t *net_result; /* the cached ADD result, NULL if none */
    char *container;    /* STEP_START */
    int attempt;
    struct image *image;
    json_t *env_objects;    /* STEP_START: the ConfigMaps and Secrets its env names */
    json_t *volume_objects; /* the ConfigMaps and Secrets its volumes name (volumes.h) */
    char *volumes_stamp;    /* what the volumes show with them (pod_volumes_stamp) */
    /* outputs */
    int status; /* 0, or < 0 with err set */
    orc_error_t err;
    const char *failed; /* the step that failed, for logs and events ("shim start-up") */
    bool timed_out;
    struct shim_client *shim; /* STEP_SANDBOX/ADOPT: the loop's connection */
    json_t *hello;            /* adopted: the shim's view of its containers */
    bool adopted, net_changed, net_repaired;
    json_t *new_net_result; /* with net_changed: the result now (NULL: torn down) */
    char *new_cgroup;
    json_t *container_status; /* STEP_START */
    char *dns_warning;        /* the network's resolv.conf was cut to kubelet's limits */
    char **warnings;          /* STEP_START: what the node does not apply (events) */
};

const char *pod_step_kind_to_string(enum pod_step_kind k);

struct pod_step *pod_step_new(enum pod_step_kind kind, struct pod_worker *w);
struct pod_step *pod_step_free(struct pod_step *s);

/* The job's run(): dispatches on kind. */
void pod_step_run(struct job *job, void *arg);

/* The monotonic deadline of one external call starting now. */
int64_t pod_step_deadline(const struct pod_step *s);
/* Makes the error of a call that ran out of time: "<what>: <how> within 3s; <cleanup>". */
int pod_step_timeout(struct pod_step *s, orc_error_t *err, const char *what, const char *how,
                     const char *cleanup);
