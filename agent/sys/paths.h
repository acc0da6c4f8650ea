/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"

/* Every location orcd uses, from the XDG base directories (see ARCHITECTURE.md). */
struct orc_paths {
    char *config_dir; /* $XDG_CONFIG_HOME/orc */
    char *data_dir;   /* $XDG_DATA_HOME/orc */
    char *db;         /* data_dir/orc.db */
    char *storage;    /* data_dir/storage */
    char *logs;       /* data_dir/logs */
    char *data_lock;  /* data_dir/orcd.lock: one agent per data directory, whatever its run dir */
    char *run_dir;    /* $XDG_RUNTIME_DIR/orc or /tmp/orc-UID (ours, 0700) */
    char *socket;     /* run_dir/orcd.sock (0600) */
    char *lock;       /* run_dir/orcd.lock */
    char *userns;     /* run_dir/userns.json */
    char *pods;       /* run_dir/pods */
    char *runc_root;  /* run_dir/runc */
};

/* Fills paths from the environment (XDG_* with the spec's fallbacks; XDG_RUNTIME_DIR
 * falls back to /tmp/orc-$UID with a warning by the caller). Creates nothing. */
int orc_paths_init(struct orc_paths *p, orc_error_t *err);
/* Creates the directories with private modes. The run dir and its pods/ and runc/ must be
 * this user's with mode 0700 (see orc_private_dir_open): another one is refused. */
int orc_paths_create(const struct orc_paths *p, orc_error_t *err);
void orc_paths_done(struct orc_paths *p);

/* Per-pod locations. Caller frees. */
char *orc_paths_pod_run_dir(const struct orc_paths *p, const char *pod_uid);
/* data_dir/pods/<uid>: the pod's volumes (volumes/<plugin>/<name>), removed with it */
char *orc_paths_pod_data_dir(const struct orc_paths *p, const char *pod_uid);
char *orc_paths_pod_log_dir(const struct orc_paths *p, const char *ns, const char *name,
                            const char *pod_uid);
