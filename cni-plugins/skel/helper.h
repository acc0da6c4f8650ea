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

/* conf's "dataDir", else $XDG_RUNTIME_DIR/orc-cni/<plugin>, else /tmp/orc-cni-<uid>/<plugin>. */
int helper_state_dir(const json_t *conf, const char *plugin, char **ret, orc_error_t *err);
char *helper_state_path(const char *dir, const struct cni_args *a);

/* A process, told apart from a later one with the same pid by its start time. */
struct helper_id {
    pid_t pid;
    unsigned long long start_time;
};
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

/* pidfd of the process owning a "/proc/PID/ns/net" netns path, or -1 (see netns.h). */
int helper_watch_owner(const char *netns_path, int netns_fd);
