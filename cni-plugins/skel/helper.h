/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cni.h"
#include "proc-util.h"

/*
 * Long-running helper processes of plugins (slirp, port forwarding) and the state files
 * that let DEL and CHECK find them: DATADIR/<container-id>-<ifname>.json.
 */

/* Where one attachment's helper is recorded: its state file and its log, by name in the
 * state directory. That directory is conf's "dataDir", else $XDG_RUNTIME_DIR/orc-cni/<plugin>,
 * else /tmp/orc-cni-<uid>/<plugin>; each of its components below the trusted parent
 * (dataDir's parent, $XDG_RUNTIME_DIR, /tmp) must be this user's with mode 0700, or the
 * plugin refuses to work (see orc_private_dir_open). Files in it are opened through dir_fd,
 * never through a symlink. */
struct helper_state {
    int dir_fd;       /* O_PATH */
    char *dir;        /* its path, for messages */
    char *file, *log; /* "<id>-<ifname>.json", "<id>-<ifname>.log" */
};
int helper_state_open(const struct cni_args *a, const char *plugin, struct helper_state *ret,
                      orc_error_t *err);
void helper_state_done(struct helper_state *s);
/* -ENOENT without a record (or with one that is not a regular file). */
int helper_state_read(const struct helper_state *s, struct orc_proc_id *ret);
int helper_state_write(const struct helper_state *s, const struct orc_proc_id *id,
                       orc_error_t *err);
/* Whether a live helper is recorded: ADD refuses to set up the same attachment twice. */
bool helper_state_busy(const struct helper_state *s);
/* DEL: stops the recorded helper, if any, and forgets it. Missing state is no error. */
int helper_state_del(const struct cni_args *a, const char *plugin, orc_error_t *err);

/* Whether the helper recorded as id runs. A pid is taken for our helper only when the
 * process behind it started at the recorded time, runs as this user and runs this plugin's
 * executable: a state file naming any other process (one whose pid was reused, or one
 * planted there) never gets it stopped. */
bool helper_alive(const struct orc_proc_id *id);
/* SIGTERM, then SIGKILL after timeout_ms, through a pidfd of the process proven to be the
 * helper (as helper_alive); returns once it is gone. Another process is left alone, with a
 * warning on stderr. */
void helper_stop(const struct orc_proc_id *id, int timeout_ms);

/*
 * Starts fn as a daemon: own session, stdin/stdout on /dev/null (a runtime reads the
 * plugin's stdout to its end), stderr appended to the attachment's log (s->log). fn calls
 * helper_ready() once it serves, or returns an error. Waits for that verdict.
 */
typedef int (*helper_fn)(void *arg, orc_error_t *err);
int helper_spawn(helper_fn fn, void *arg, const struct helper_state *s, struct orc_proc_id *ret,
                 orc_error_t *err);
void helper_ready(void);
/* A signalfd for SIGTERM, SIGINT and SIGHUP (blocked): the helper's cue to exit. */
int helper_signal_fd(orc_error_t *err);

/* pidfd of the process owning a "/proc/PID/ns/net" netns path, or -1 (see netns.h). */
int helper_watch_owner(const char *netns_path, int netns_fd);
