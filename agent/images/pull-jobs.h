/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"

struct images;
struct keyring;
struct registry_options;

/*
 * Image pulls for pods, in background threads so the loop never waits on a registry. The
 * loop polls; a finished pull calls the on_done callback given at creation (from the pull's
 * thread: it must only wake the loop). One pull per reference at a time.
 */
enum pull_job_state {
    PULL_JOB_RUNNING,
    PULL_JOB_DONE,
    PULL_JOB_FAILED,
    _PULL_JOB_STATE_MAX,
    _PULL_JOB_STATE_INVALID = -22,
};

struct pull_jobs;

struct pull_jobs *pull_jobs_new(struct images *images, const struct registry_options *registry,
                                void (*on_done)(void *ctx), void *ctx);
/* Waits for running pulls (they end within the registry timeouts), then frees. */
struct pull_jobs *pull_jobs_free(struct pull_jobs *j);

/* Other pulls (the API's) count as running too, so that freeing waits for them. */
void pull_jobs_enter(struct pull_jobs *j);
void pull_jobs_leave(struct pull_jobs *j);

/* Starts a pull of ref with the credentials of keyring (a pod's imagePullSecrets, copied;
 * NULL for none) unless one with the same runs; a finished one is reported once and
 * forgotten (FAILED: *ret_err is why: its status tells a registry that could not be reached,
 * REGISTRY_UNREACHABLE, from one that answered). Pulls of one reference with different
 * credentials are different pulls, as each pod's is in kubelet. */
enum pull_job_state pull_jobs_poll(struct pull_jobs *j, const char *ref,
                                   const struct keyring *keyring, orc_error_t *ret_err);
