/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What the store's files share: the connection and its SQL helpers (not for other rooms). */
#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "cleanup.h"
#include "error.h"
#include "store/store.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize)
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)

struct feed;

struct store {
    sqlite3 *db;
    struct feed *feed; /* where committed changes go; NULL: nowhere */
    bool recording;    /* the connection's triggers record its changes for the feed */
    char *reserve;     /* DB.reserve: RESERVE_BYTES, removed when a write finds the disk full */
    char *node_name;   /* pods created through this connection are bound to it (spec.nodeName) */
    char *claims_dir;  /* where claims of orc's class get their directories (claims.c) */
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

/* A stored object as a write finds it. */
struct stored {
    char *uid;
    long long generation;
    long long deleted_ns;
    json_t *object;
};
void stored_clear(struct stored *o);
/* The object of kind named ns/name: 0 found, -ENOENT absent. */
int store_find_object(struct store *s, const char *kind, const char *ns, const char *name,
                      struct stored *ret, orc_error_t *err);
/* A create or replace against what is stored (old->object NULL: nothing), as kube-apiserver
 * words its refusals ("configmaps \"x\" already exists"); resource: "pods". */
int store_write_check(const char *resource, const char *name, const struct stored *old,
                      const struct store_write *w, orc_error_t *err);
/* A delete's preconditions against the stored object, as kube-apiserver words them. */
int store_delete_check(const char *resource, const struct stored *old, const char *name,
                       const struct store_delete *d, orc_error_t *err);
/* What a dry run answers: the object without the resourceVersion a write would have given it
 * (a create has none yet, a replace keeps the stored one). */
void store_dry_run_version(json_t *obj, const struct stored *old);
/* cluster.c: inserts an object the caller made (the caller holds a transaction), setting its
 * name, namespace (ns "" for a cluster-scoped one), uid, resourceVersion and
 * creationTimestamp; status NULL for none. */
int store_insert_object(struct store *s, const char *kind, const char *ns, const char *name,
                        json_t *obj, const char *status, orc_error_t *err);
/* store_apply_pods() of one pod, within the caller's transaction. */
int store_apply_pod_locked(struct store *s, const struct pod *pod, enum apply_action *ret,
                           orc_error_t *err);
/* Sets an object's deletionTimestamp and deletionGracePeriodSeconds (grace -1: a pod's own). */
int store_mark_deleted(struct store *s, struct stored *old, long long grace, orc_error_t *err);
/* claims.c: a claim's delete within the caller's transaction: removed (its volume released)
 * when no pod uses it, else Terminating until store_claims_finish() finds its pods gone. */
int store_claim_delete_locked(struct store *s, struct stored *old, orc_error_t *err);
