/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"

struct orcd;
struct pod_worker;

/*
 * The reconcile loop: epoll over the wake eventfd (API writes), signals (signalfd), one
 * timerfd for the nearest deadline, and each pod's shim socket. It blocks in epoll_wait
 * when nothing is due: an idle agent uses no CPU.
 */
int loop_init(struct orcd *o, orc_error_t *err);
int loop_run(struct orcd *o, orc_error_t *err);
void loop_done(struct orcd *o);

/* Adds/removes a worker's shim socket to/from the epoll set. */
void loop_watch_worker(struct orcd *o, struct pod_worker *w);
void loop_unwatch_worker(struct orcd *o, struct pod_worker *w);
