/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/*
 * A bounded pool of threads for the agent's slow steps (anything that waits on another
 * process, a socket or a file tree). The loop thread submits a job; run() executes on a
 * pool thread and may touch only what the job owns; done() then runs on the loop thread,
 * from job_pool_dispatch(), which the loop calls when job_pool_fd() is readable.
 *
 * A job may be cancelled from the loop thread: its cancel fd becomes readable, so that a
 * run() waiting in job_wait() returns -ECANCELED at once and can clean up. done() runs
 * for every submitted job, cancelled or not, exactly once; the job is freed after it.
 */
struct job_pool;
struct job;

typedef void (*job_run_fn)(struct job *job, void *arg);
typedef void (*job_done_fn)(void *arg);

int job_pool_new(unsigned threads, struct job_pool **ret, orc_error_t *err);
/* Cancels every job, waits for the running ones, then runs the done() of every job not yet
 * dispatched (run or not: their owners free what they gave) and frees the pool. */
struct job_pool *job_pool_free(struct job_pool *p);
/* Readable (EPOLLIN) when finished jobs wait for job_pool_dispatch(). */
int job_pool_fd(const struct job_pool *p);
/* Runs the done() of every finished job (loop thread). */
void job_pool_dispatch(struct job_pool *p);
/* Jobs queued or running. */
unsigned job_pool_pending(const struct job_pool *p);

/* Queues run(job, arg) for a pool thread; done(arg) follows on the loop thread. */
struct job *job_submit(struct job_pool *p, job_run_fn run, job_done_fn done, void *arg);
/* Asks the job to stop early (loop thread; the handle is valid until its done() ran). */
void job_cancel(struct job *job);

/* In run(): */
bool job_cancelled(struct job *job);
/* Readable once the job is cancelled: add it to a poll() set. */
int job_cancel_fd(struct job *job);
/* Waits until fd has events (POLLIN/POLLOUT in `events`) or the monotonic deadline
 * (ns, 0 = none) passes: 1 = ready, 0 = deadline passed, -ECANCELED = cancelled. */
int job_wait(struct job *job, int fd, short events, int64_t deadline_ns);
