/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "error.h"
#include "pods/step.h"

/* The I/O of a pod's sandbox: its shim, its containers' bundles and its files. The first
 * group runs inside a pod step (a pool thread); the last two only send and never wait. */

/* Connects to the pod's running shim and asks its view (s->shim, s->shim_pid, s->hello,
 * s->adopted). -ENOENT when no shim runs. */
int sandbox_adopt(struct pod_step *s, orc_error_t *err);
/* Starts a new shim and connects to it; a shim that does not report ready in time is killed. */
int sandbox_create(struct pod_step *s, orc_error_t *err);
/* Places the new shim in the pod's own cgroup (s->new_cgroup); without one the pod runs
 * unlimited, which the worker reports. */
void sandbox_place_in_scope(struct pod_step *s);
/* The cgroup an adopted shim sits in (s->new_cgroup). */
void sandbox_find_scope(struct pod_step *s);
/* Stops a shim whose set-up failed and waits (bounded) until it is gone. */
void sandbox_discard(struct pod_step *s);
/* Writes the bundle of s->container and has the shim start it (s->container_status). */
int sandbox_start_container(struct pod_step *s, orc_error_t *err);
/* Removes the pod's run, log and storage directories and its own cgroup. */
int sandbox_remove_files(struct pod_step *s, orc_error_t *err);
/* Removes the data of the pod's volumes (pods/<uid>/volumes; inside the user namespace when
 * files of subordinate ids are in it), once its sandbox is gone: kubelet's teardown of a
 * terminated pod's volumes. A pod that never had them: nothing to do. */
int sandbox_release_volumes(struct pod_step *s, orc_error_t *err);

struct shim_client;
/* Asks the shim to stop a container within grace seconds (the exit event follows). */
int sandbox_stop_container(struct shim_client *c, const char *name, int64_t grace,
                           orc_error_t *err);
/* Asks the shim to stop everything and exit (EOF on the socket follows). */
int sandbox_shutdown(struct shim_client *c, int64_t grace, orc_error_t *err);
