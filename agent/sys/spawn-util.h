/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

#include "error.h"

/*
 * Starts argv[0] fully detached from the agent: double fork, new session, stdin/stdout/stderr
 * on /dev/null, every fd closed except keep_fd (moved to fd 3 when >= 0). The agent never
 * has long-lived children, so it needs no SIGCHLD handling and pods outlive it.
 * *ret_pid is the detached process.
 */
int spawn_detached(char *const argv[], int keep_fd, pid_t *ret_pid, orc_error_t *err);

/* Forks and runs child(arg, report_fd) in the child, which must _exit(); whatever it writes
 * to report_fd (up to 64 KiB) comes back in *ret_report. Returns the child's wait status. */
int spawn_fork_wait(void (*child)(void *arg, int report_fd), void *arg, int *ret_status,
                    char **ret_report, orc_error_t *err);

/* Runs argv to completion (stdin /dev/null); captures up to 4 KiB of stderr into the error
 * message on failure. */
int spawn_wait(char *const argv[], orc_error_t *err);
