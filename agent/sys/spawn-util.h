/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/*
 * How orcd starts processes. orcd has threads (the API's, the pool's), so a child does
 * nothing between fork and exec but async-signal-safe calls: posix_spawn where the child
 * is ours, a double fork that only execs where it must not be.
 */

/* orcd raises its own open-files limit (many API connections, pods' sockets); children get
 * the limit orcd was started with: set it once, at start-up. */
void spawn_set_child_nofile(unsigned long long soft_limit);
/* Gives an already started child that limit (posix_spawn cannot set it). */
void spawn_restore_limits(pid_t pid);
/* The open-files limit children get: soft (as orcd was started) and hard. */
void spawn_child_nofile(unsigned long long *ret_soft, unsigned long long *ret_hard);

/*
 * Starts argv[0] fully detached from the agent: double fork, new session, stdin/stdout/stderr
 * on /dev/null, every fd closed except keep_fd (moved to fd 3 when >= 0). The agent never
 * has long-lived children, so it needs no SIGCHLD handling and pods outlive it.
 * *ret_pid is the detached process.
 */
int spawn_detached(char *const argv[], int keep_fd, pid_t *ret_pid, orc_error_t *err);

/* Runs argv (searched in $PATH without a '/') to completion, stdin and stdout on /dev/null,
 * stderr captured (up to 64 KiB) into the error message on failure. deadline_ns
 * (CLOCK_MONOTONIC, 0 = none): the process is killed when it passes (ETIMEDOUT). */
int spawn_wait(char *const argv[], int64_t deadline_ns, orc_error_t *err);
/* The same, but a process that ran is no failure whatever its exit: *ret_status is its exit
 * status (128 + the signal that killed it), *ret_stderr what it wrote on stderr (trailing
 * newlines dropped). Fails only when it cannot run or misses the deadline. */
int spawn_run(char *const argv[], int64_t deadline_ns, int *ret_status, char **ret_stderr,
              orc_error_t *err);
/* The same with stdout captured too (up to 64 KiB, as written) into *ret_stdout when that is
 * not NULL, and cancel_fd (-1 = none): when it becomes readable (a job cancelled) the process
 * is killed and the call fails with ECANCELED. */
int spawn_run_output(char *const argv[], int64_t deadline_ns, int cancel_fd, int *ret_status,
                     char **ret_stdout, char **ret_stderr, orc_error_t *err);
