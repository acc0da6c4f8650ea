/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"
#include "pods/worker.h"

/* The I/O half of a pod worker: its shim, its containers' bundles and its files. */

/* Connects to the pod's running shim, if any. 0 = connected, -ENOENT = no shim. */
int sandbox_adopt(struct pod_worker *w, json_t **ret_hello, orc_error_t *err);
/* Finds the systemd scope of an adopted shim (w->cgroup). */
void sandbox_find_scope(struct pod_worker *w);
/* Starts a new shim for the pod and connects to it. */
int sandbox_create(struct pod_worker *w, orc_error_t *err);
/* Writes the bundle and asks the shim to start one container (attempt = restart_count). */
struct image;
int sandbox_start_container(struct pod_worker *w, struct container_run *r, const struct image *img,
                            json_t **ret_status, orc_error_t *err);
/* Asks the shim to stop a container within grace seconds (asynchronous). */
int sandbox_stop_container(struct pod_worker *w, const char *name, int64_t grace, orc_error_t *err);
/* Asks the shim to stop everything and exit (asynchronous: EOF on the socket follows). */
int sandbox_shutdown(struct pod_worker *w, int64_t grace, orc_error_t *err);
/* Removes the pod's run, log and storage directories. */
int sandbox_remove_files(struct pod_worker *w, orc_error_t *err);
