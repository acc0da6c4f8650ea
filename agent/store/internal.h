/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What the store's files share: the connection and its SQL helpers (not for other rooms). */
#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "cleanup.h"
#include "error.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize)
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)

struct feed;

struct store {
    sqlite3 *db;
    struct feed *feed; /* where committed changes go; NULL: nowhere */
    bool recording;    /* the connection's triggers record its changes for the feed */
    char *reserve;     /* DB.reserve: RESERVE_BYTES, removed when a write finds the disk full */
    char *node_name;   /* pods created through this connection are bound to it (spec.nodeName) */
};

/* An error from the last statement; on a full disk the reserve is given back (ENOSPC). */
int store_db_error(struct store *s, orc_error_t *err, const char *what);
/* Steps a write that runs on its own; on a full disk once more with the reserve released. */
bool store_step_write(struct store *s, sqlite3_stmt *st);
/* COMMIT, retried with the reserve released on a full disk; else rolled back. The
 * transaction's changes go to the feed. */
int store_commit(struct store *s, orc_error_t *err);
/* Ends a write's transaction: committed when r >= 0 and keep, else rolled back. */
int store_end_transaction(struct store *s, int r, bool keep, orc_error_t *err);
/* Runs sql; a connection with a feed makes its triggers at its first BEGIN IMMEDIATE. */
int store_exec(struct store *s, const char *sql, orc_error_t *err);
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **ret, orc_error_t *err);
/* The store-wide resourceVersion counter, bumped. */
int store_next_rv(struct store *s, long long *ret, orc_error_t *err);
/* A random (version 4) UUID. */
char *store_new_uid(void);
/* RFC 3339 text of a time in ns since the epoch, to the second. */
json_t *store_ts_json(long long ns);
/* events.c: a copy of an events row taken for the feed (store/changes.h), as an Event. */
json_t *store_event_copy_json(void *arg, sqlite3_int64 rowid);
