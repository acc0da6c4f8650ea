/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The store's change feed: every committed change of an object (ADDED, MODIFIED, DELETED,
 * with its resourceVersion and the object as a watcher sees it) in a bounded ring, from
 * which watches read. One feed per agent (struct orcd), shared by every store connection.
 *
 * Writers append a transaction's changes while they hold the database's write lock, before
 * COMMIT (so the ring is in resourceVersion order), marked pending; after COMMIT they mark
 * them committed (or remove them when the commit failed). Readers never see past a pending
 * change. Appending and committing take the feed's mutex for bounded work only (copying
 * pointers, waking waiting watchers through their eventfds): a writer never waits for a
 * reader, and the ring drops its oldest changes beyond its size or byte budget.
 *
 * A watcher has a position (a resourceVersion: every change up to it has been returned);
 * feed_next() returns the changes after it, or -ESTALE when some of them were dropped
 * already (the apiserver's 410 Gone, "too old resource version").
 */
enum feed_type {
    FEED_ADDED,
    FEED_MODIFIED,
    FEED_DELETED,
    _FEED_TYPE_MAX,
    _FEED_TYPE_INVALID = -22,
};
/* "ADDED", "MODIFIED", "DELETED" */
const char *feed_type_to_string(enum feed_type t);

/* One change; immutable once made, shared by reference. */
struct feed_change {
    enum feed_type type;
    int64_t rv;
    char *kind;      /* "Pod", "Event" */
    char *namespace; /* "" for a cluster-scoped object */
    char *name;
    char *object; /* the object's JSON text, as a watcher sees it */
    size_t object_len;
    char *previous; /* MODIFIED: the object before the change (a watch with selectors tells
                     * objects that leave or enter them); else NULL */
    size_t previous_len;
};

struct feed_change *feed_change_new(enum feed_type type, int64_t rv, const char *kind,
                                    const char *ns, const char *name, const char *object,
                                    size_t object_len);
/* Adds the object before the change (before the change is appended). */
void feed_change_set_previous(struct feed_change *c, const char *previous, size_t len);
struct feed_change *feed_change_ref(struct feed_change *c);
void feed_change_unref(struct feed_change *c);

struct feed;

/* A ring of at most max_changes changes taking at most max_bytes (of object text). */
struct feed *feed_new(size_t max_changes, size_t max_bytes);
/* Frees the feed; its watchers must be gone (feed_shutdown() ends them). */
struct feed *feed_free(struct feed *f);
/* Empties the ring: every change after rv (the store's resourceVersion) will be appended. */
void feed_reset(struct feed *f, int64_t rv);
/* Watchers end: feed_next() returns -ESHUTDOWN from now on. */
void feed_shutdown(struct feed *f);
/* At most n watchers at once (0: no limit). */
void feed_set_max_watchers(struct feed *f, unsigned n);

/* Writers: appends changes (in resourceVersion order, taking the references), pending;
 * returns a ticket for feed_commit(). */
uint64_t feed_append(struct feed *f, struct feed_change *const *changes, size_t n);
/* The ticket's changes were committed (readers may see them), or not (they are removed). */
void feed_commit(struct feed *f, uint64_t ticket, bool committed);

struct feed_watcher;

/* A watcher positioned at rv; -EMFILE when the feed has its most watchers, -ESHUTDOWN after
 * feed_shutdown(). */
int feed_watch(struct feed *f, int64_t rv, struct feed_watcher **ret);
struct feed_watcher *feed_unwatch(struct feed_watcher *w);
/* Moves the watcher to rv (a snapshot's resourceVersion, read after feed_watch()). */
void feed_watcher_seek(struct feed_watcher *w, int64_t rv);
/* The watcher's position: every change up to it has been returned. */
int64_t feed_watcher_rv(const struct feed_watcher *w);
/* Readable (POLLIN) when feed_next() may have more to return; feed_next() drains it. */
int feed_watcher_fd(const struct feed_watcher *w);
/*
 * Up to max changes after the watcher's position, oldest first (references for the caller
 * to unref), moving the position past them; 0 when there is none yet. -ESTALE when changes
 * after the position were dropped (*ret_oldest: the position the ring goes back to),
 * -ESHUTDOWN after feed_shutdown().
 */
ssize_t feed_next(struct feed_watcher *w, struct feed_change **out, size_t max,
                  int64_t *ret_oldest);
/* Watchers now. */
unsigned feed_watchers(struct feed *f);
