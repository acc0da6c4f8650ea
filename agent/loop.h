/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "pods/env.h"

struct pod_worker;
struct job;

/*
 * The reconcile loop: one thread, epoll over the wake eventfd (API writes, finished pulls),
 * signals (signalfd), one timerfd for the nearest deadline, the job pool's completions and
 * each pod's shim socket. It only decides and records; every slow step runs on the job
 * pool (ARCHITECTURE.md, "The loop never waits"). It blocks in epoll_wait when nothing is
 * due: an idle agent uses no CPU.
 */
struct loop {
    struct pod_env env; /* what pod workers get */
    int epoll_fd, wake_fd, signal_fd, timer_fd, watchdog_fd;
    int holder_fd;          /* pidfd of the user namespace's holder */
    struct job *holder_job; /* a new holder being started */
    struct pod_worker **workers;
    size_t n_workers;
    struct job *gc_job;            /* image garbage collection in flight */
    struct job *usage_job;         /* a round of emptyDir usage measurement in flight */
    int64_t usage_at;              /* the next round (CLOCK_REALTIME ns), 0 = none due */
    atomic_bool gc_due;            /* a pull finished: check the disk */
    atomic_llong busy_since;       /* CLOCK_MONOTONIC ns the current turn began; 0 while idle */
    atomic_llong block_ns;         /* debug hook: sleep this long on the loop thread, once */
    atomic_ullong turns;           /* turns taken, for tests and health */
    atomic_ullong objects_changed; /* bumped by orcd_objects_changed(); the loop copies it into
                                      env.objects_generation when woken */
    atomic_bool node_changed;      /* set by orcd_node_changed(): read the Node's labels */
    struct pod_config *config;     /* env.config, which the loop owns: the node's labels */
    bool stopping;
};

struct orcd;
int loop_init(struct orcd *o, orc_error_t *err);
int loop_run(struct orcd *o, orc_error_t *err);
void loop_done(struct orcd *o);

/* Wakes the loop (safe from any thread). */
void loop_wake(struct loop *l);
/* How long the current turn has taken (0 while the loop waits for events): a loop that
 * never waits stays near 0. Safe from any thread. */
int64_t loop_busy_ns(const struct loop *l);
/* Debug hook: the loop thread sleeps for ns on its next turn (safe from any thread). */
void loop_block(struct loop *l, int64_t ns);
