/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/*
 * The one user namespace shared by all pods, held open by an `orc-shim holder` process so
 * that a restarted agent rejoins it. Root inside maps to the user; 1..N to the subordinate
 * range when /etc/subuid and /etc/subgid have one (single-uid mapping otherwise).
 */
struct userns {
    pid_t holder_pid;
    unsigned long long holder_start; /* /proc/PID/stat starttime: guards against pid reuse */
    unsigned long long ns_inode;     /* of /proc/PID/ns/user: which namespace it is */
    uid_t host_uid;
    gid_t host_gid;
    uid_t subuid_start, subuid_count; /* count 0 = single-uid mapping */
    gid_t subgid_start, subgid_count;
};

/*
 * Adopts the holder recorded in state_file if still alive. Else starts a new one with
 * shim_path and records it: inside the recorded namespace when one of members (pids of pods'
 * shims) still lives in it, so that there is never a second namespace beside pods in the
 * first; in a new namespace otherwise.
 */
int userns_ensure(struct userns *ns, const char *state_file, const char *shim_path,
                  const pid_t *members, size_t n_members, orc_error_t *err);
/* The same for a holder that died while orcd ran: *ret is the new state (old is left alone:
 * other threads read it until the loop takes the new one). */
int userns_new_holder(const struct userns *old, const char *state_file, const char *shim_path,
                      const pid_t *members, size_t n_members, struct userns *ret, orc_error_t *err);
/* When no pod's shim lives (members as below): stops the holder, proven to be ours, and
 * removes state_file, so that a stopped agent with no pods leaves no process behind (the
 * next one starts a new namespace). Returns whether it did. */
bool userns_release_unused(const struct userns *ns, const char *state_file, const pid_t *members,
                           size_t n_members);
/* Pids of pods' shims from their run directories' shim.pid (candidates for the above). */
size_t userns_find_members(const char *pods_dir, pid_t *ret, size_t max);
/* Takes a new holder's state (the loop thread, while other threads may read ns). */
void userns_update(struct userns *ns, const struct userns *src);
/* The holder's pid. Readers use these accessors: the holder can be replaced meanwhile. */
pid_t userns_holder_pid(const struct userns *ns);
/* Whether the holder still runs (the same process: its start time is checked). */
bool userns_holder_alive(const struct userns *ns);
/* "/proc/PID/ns/user" of the holder. Caller frees. */
char *userns_path(const struct userns *ns);
/* Highest uid/gid mapped inside (0 for a single-uid mapping). */
uid_t userns_max_uid(const struct userns *ns);
gid_t userns_max_gid(const struct userns *ns);

/*
 * Work as root of the namespace (unpacking layers, removing files of subordinate ids) runs
 * in a fresh process: orcd itself re-executed as `orcd --userns-op USERNS NAME ARGS...`,
 * which joins the namespace and runs the op NAME from the table main() hands to
 * userns_op_main(). So the threaded agent never runs code in a forked copy of itself.
 */
#define USERNS_OP_FLAG "--userns-op"
struct userns_op {
    const char *name;
    int n_args;
    int (*fn)(char **args, orc_error_t *err);
};
/* Runs op with args (NULL-terminated) inside the namespace; its error comes back, message
 * and errno (the op's exit status carries it). */
int userns_exec(const struct userns *ns, const char *op, char *const args[], orc_error_t *err);
/* The same for an op with a result, which it writes on stdout (*ret_output, up to 64 KiB),
 * within deadline_ns (CLOCK_MONOTONIC, 0 = none; ETIMEDOUT) unless cancel_fd (-1 = none)
 * becomes readable first (ECANCELED): the op's process is killed then. */
int userns_exec_output(const struct userns *ns, const char *op, char *const args[],
                       int64_t deadline_ns, int cancel_fd, char **ret_output, orc_error_t *err);
/* main() of `orcd --userns-op`; ops ends with a zeroed entry. Returns the exit status. */
int userns_op_main(int argc, char **argv, const struct userns_op *ops);
/* The op "rm-rf PATH". */
extern const struct userns_op userns_op_rm_rf;
