/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Local storage eviction, as kubelet's eviction manager does it for emptyDir volumes: the
 * usage of each disk emptyDir with a sizeLimit is measured periodically (every
 * pod_config.volume_usage_interval_ns) and a pod whose volume holds more than its limit is
 * evicted (scheduler.h: sched_empty_dir_over_limit, kubelet's message): a Warning `Evicted`
 * event, its containers stopped within 1 s (kubelet's immediate eviction grace), phase
 * Failed with reason Evicted, never restarted, its volumes' data released
 * (pod_worker_fail). An emptyDir of medium Memory is a tmpfs of that size: it cannot grow
 * past it, and is not measured.
 *
 * A round is one job of the pool: the loop collects the volumes on its thread, the job walks
 * each directory (du by descriptors, common/disk-usage.h) in orcd re-executed inside the user
 * namespace (`--userns-op disk-usage PATH`: containers' files of subordinate ids in 0700
 * directories are readable there only), each walk within --runtime-request-timeout; the
 * results are applied on the loop thread to the pods that are still there.
 */
#include <stdbool.h>
#include <stddef.h>

#include "pods/env.h"

struct pod_worker;
struct job;
struct userns_op;
struct volume_usage;

/* Whether any pod has a volume to measure now (its sandbox runs, it is not failing). */
bool volume_usage_wanted(struct pod_worker *const *workers, size_t n);
/* A round over those volumes; NULL when there are none. */
struct volume_usage *volume_usage_new(const struct pod_env *env, struct pod_worker *const *workers,
                                      size_t n);
struct volume_usage *volume_usage_free(struct volume_usage *u);
/* The job's run(): measures each volume (a pool thread). */
void volume_usage_run(struct job *job, void *arg);
/* On the loop thread: evicts each pod (of workers, found by uid) whose volume is over its
 * limit; a pod deleted or failed meanwhile is left alone. */
void volume_usage_apply(const struct volume_usage *u, struct pod_worker *const *workers, size_t n);

/* The op: "disk-usage PATH", which prints "BYTES INODES SKIPPED" on stdout. */
extern const struct userns_op pod_op_disk_usage;
