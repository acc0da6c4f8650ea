/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cni.h"

/*
 * Long-running helper processes of plugins (slirp, port forwarding) and the state files
 * that let DEL and CHECK find them: DATADIR/<container-id>-<ifname>.json.
 */

/* A process, told apart from a later one with the same pid by its start time. */
struct helper_id {
    pid_t pid;
    unsigned long long start_time;
};

/* Where one attachment's helper is recorded: its state file and its log. The directory is
 * conf's "dataDir", else $XDG_RUNTIME_DIR/orc-cni/<plugin>, else /tmp/orc-cni-<uid>/<plugin>. */
struct helper_state {
    char *path, *log;
};
int helper_state_open(const struct cni_args *a, const char *plugin, struct helper_state *ret,
                      orc_error_t *err);
void helper_state_done(struct helper_state *s);
/* -ENOENT without a record. */
int helper_state_read(const struct helper_state *s, struct helper_id *ret);
int helper_state_write(const struct helper_state *s, const struct helper_id *id, orc_error_t *err);
/* Whether a live helper is recorded: ADD refuses to set up the same attachment twice. */
bool helper_state_busy(const struct helper_state *s);
/* DEL: stops the recorded helper, if any, and forgets it. Missing state is no error. */
int helper_state_del(const struct cni_args *a, const char *plugin, orc_error_t *err);
int helper_id_of(pid_t pid, struct helper_id *ret);
bool helper_alive(const struct helper_id *id);
/* SIGTERM, then SIGKILL after timeout_ms; returns once the process is gone. */
void helper_stop(const struct helper_id *id, int timeout_ms);

/*
 * Starts fn as a daemon: own session, stdin/stdout on /dev/null (a runtime reads the
 * plugin's stdout to its end), stderr to log_path. fn calls helper_ready() once it serves,
 * or returns an error. Waits for that verdict.
 */
typedef int (*helper_fn)(void *arg, orc_error_t *err);
int helper_spawn(helper_fn fn, void *arg, const char *log_path, struct helper_id *ret,
                 orc_error_t *err);
void helper_ready(void);
/* A signalfd for SIGTERM, SIGINT and SIGHUP (blocked): the helper's cue to exit. */
int helper_signal_fd(orc_error_t *err);

/* pidfd of the process owning a "/proc/PID/ns/net" netns path, or -1 (see netns.h). */
int helper_watch_owner(const char *netns_path, int netns_fd);
