/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* A process, told apart from a later one with the same pid by its start time. */
struct orc_proc_id {
    pid_t pid;
    unsigned long long start_time; /* field 22 of /proc/PID/stat, clock ticks after boot */
};

/* Reads /proc/PID/stat: the start time and the state letter (either may be NULL).
 * -ESRCH when the process is gone. */
int orc_proc_stat(pid_t pid, unsigned long long *ret_start, char *ret_state);
/* The id of a process that runs now. */
int orc_proc_id_of(pid_t pid, struct orc_proc_id *ret);
/* Whether the process recorded as id still runs (a zombie does not). */
bool orc_proc_alive(const struct orc_proc_id *id);
/* The executable a process runs (pid 0: this one), without the " (deleted)" an upgrade
 * leaves; NULL when unreadable (another user's process). Caller frees. */
char *orc_proc_exe(pid_t pid);

/*
 * A pid read from a state file, acted on only once proven to be ours: opens a pidfd for
 * id->pid first, then checks that the process behind the pid runs (not a zombie), started
 * at id->start_time, has real and effective uid `uid` and runs the executable `exe` (when
 * not NULL). A signal sent through the returned pidfd reaches that process or none, never
 * one that took its pid later.
 * Returns the pidfd; -ESRCH when the process is gone (or its pid now names another one);
 * -EPERM, with *err saying why, when a live process of that start time is not the one
 * expected (another owner, another program).
 */
int orc_proc_open_expected(const struct orc_proc_id *id, uid_t uid, const char *exe,
                           orc_error_t *err);
/* pidfd_open(2): the fd or -errno. */
int orc_pidfd_open(pid_t pid);
/* Sends sig through a pidfd: 0 or -errno. */
int orc_pidfd_signal(int pidfd, int sig);
