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
