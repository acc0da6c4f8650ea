/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct feed;

/*
 * Changes of a store connection for its feed (store.c only). Temporary triggers of the
 * connection record every change of objects and events in temporary tables: an insert is
 * ADDED, an update that bumped the resourceVersion MODIFIED, a delete DELETED (the row's
 * last state under a resourceVersion of its own, which the trigger takes from the
 * store-wide counter). An object is recorded as a watcher sees it; an event as a copy of its
 * row (temp.feed_event_rows, the columns of main.events), which the store turns into an
 * Event. Before COMMIT the transaction's changes are taken from the tables and appended to
 * the feed, pending; the caller commits the ticket.
 */

/* An objects row as a watcher sees it (JSON text): the stored object (compact, without
 * status) with its status last; a pod without one is Pending. p is the row's prefix ("",
 * "NEW.", "OLD."). */
#define STORE_OBJECT_JSON_SQL(p)                                                                   \
    "CASE WHEN " p "status IS NULL AND " p "kind <> 'Pod' THEN " p "object ELSE substr(" p         \
    "object, 1, length(" p "object) - 1) || ',\"status\":' || coalesce(" p                         \
    "status, '{\"phase\":\"Pending\"}') || '}' END"

/* Creates the connection's triggers and tables; an SQLite result code. */
int store_changes_install(sqlite3 *db);
/* The Event of the copied events row rowid (NULL when there is none). */
typedef json_t *(*store_event_copy_fn)(void *arg, sqlite3_int64 rowid);
/* Takes the transaction's changes into the feed (pending): *ret_ticket, 0 when there were
 * none. An SQLite result code. */
int store_changes_take(sqlite3 *db, struct feed *feed, store_event_copy_fn event, void *arg,
                       uint64_t *ret_ticket);
/* The objects of kind in namespace ns (NULL: every one) as watchers see them, in a list's
 * order: each(arg, json, len). In the caller's transaction. */
int store_changes_snapshot(sqlite3 *db, const char *kind, const char *ns,
                           void (*each)(void *arg, const char *json, size_t len), void *arg);
