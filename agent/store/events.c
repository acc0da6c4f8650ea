/* SPDX-License-Identifier: Apache-2.0 */
/* The bounded event log, read back as core/v1 Events as kubelet records them (see store.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "store/internal.h"
#include "store/store.h"
#include "time-util.h"
#include "xalloc.h"

#define STORE_MAX_EVENTS 10000

/* An event's columns: namespace, object name, object uid, type, reason, message, kind. A
 * repeated one has its count and lastTimestamp bumped, with a new resourceVersion: 1, or 0
 * when there is none to bump. */
static int event_repeat(struct store *s, const char *const vals[7], long long rv, int64_t now,
                        orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *up = NULL;
    if (store_prepare(s,
                      "UPDATE events SET count = count + 1, last_ns = ?1, resource_version = ?6 "
                      "WHERE id = (SELECT id FROM events WHERE uid = ?2 AND reason = ?3 AND "
                      "message = ?4 AND type = ?5 ORDER BY id DESC LIMIT 1)",
                      &up, err) < 0)
        return -1;
    sqlite3_bind_int64(up, 1, now);
    sqlite3_bind_text(up, 2, vals[2], -1, SQLITE_STATIC); /* uid */
    sqlite3_bind_text(up, 3, vals[4], -1, SQLITE_STATIC); /* reason */
    sqlite3_bind_text(up, 4, vals[5], -1, SQLITE_STATIC); /* message */
    sqlite3_bind_text(up, 5, vals[3], -1, SQLITE_STATIC); /* type */
    sqlite3_bind_int64(up, 6, rv);
    if (sqlite3_step(up) != SQLITE_DONE) /* a full disk: the whole event is tried again */
        return store_db_error(s, err, "record event");
    return sqlite3_changes(s->db) > 0;
}

static int event_insert(struct store *s, const char *const vals[7], long long rv, int64_t now,
                        orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "INSERT INTO events (namespace, name, uid, type, reason, message, kind, "
                      "event_uid, first_ns, last_ns, resource_version) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
                      &st, err) < 0)
        return -1;
    _cleanup_free_ char *uid = store_new_uid();
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, uid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    sqlite3_bind_int64(st, 10, rv);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "record event");
    /* bounded log: drop the oldest beyond the cap */
    char sql[160];
    snprintf(sql, sizeof(sql), "DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - %d",
             STORE_MAX_EVENTS);
    return store_exec(s, sql, err);
}

/* The event's transaction, once. */
static int event_add(struct store *s, const char *const vals[7], orc_error_t *err)
{
    long long rv = 0;
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    int r = store_next_rv(s, &rv, err);
    if (r == 0)
        r = event_repeat(s, vals, rv, orc_time_now_ns(), err);
    if (r == 0)
        r = event_insert(s, vals, rv, orc_time_now_ns(), err);
    if (r < 0) {
        (void) store_exec(s, "ROLLBACK", NULL);
        return -1;
    }
    return store_commit(s, err);
}

int store_event_add(struct store *s, const struct store_event_ref *ref, const char *type,
                    const char *reason, const char *message, orc_error_t *err)
{
    /* an event of a cluster-scoped object is kept in "default", as the API server does */
    const char *ns = ref->namespace && *ref->namespace ? ref->namespace : "default";
    const char *const vals[7] = {ns, ref->name, ref->uid, type, reason, message, ref->kind};
    orc_error_t first = NULL;
    if (event_add(s, vals, &first) == 0)
        return 0;
    /* a full disk: SQLite may have rolled back the whole transaction where one statement
     * failed (a statement tried again alone would run outside it), and the reserve is given
     * back now; the event is often the disk's news, so the whole transaction is tried again */
    if (orc_error_code(first) != -ENOSPC) {
        *err = first;
        return -1;
    }
    orc_error_release(&first);
    return event_add(s, vals, err);
}

/* An events row (EVENT_COLUMNS) as a core/v1 Event. */
#define EVENT_COLUMNS                                                                              \
    "id, namespace, name, uid, type, reason, message, count, first_ns, last_ns, "                  \
    "resource_version, kind, event_uid"

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *) sqlite3_column_text(st, i);
}

/* A row as kubelet's recorder writes an Event, named OBJECT.ID (16 hex digits); the object's
 * namespace is empty for a cluster-scoped one. */
static json_t *event_json(sqlite3_stmt *st, const char *node)
{
    const char *ns = col(st, 1), *name = col(st, 2), *kind = col(st, 11);
    long long id = sqlite3_column_int64(st, 0);
    _cleanup_free_ char *uid =
        col(st, 12) ? xstrdup(col(st, 12)) : xasprintf("00000000-0000-4000-8000-%012llx", id);
    json_t *e = json_pack(
        "{s:s,s:s,s:{s:o,s:s,s:s,s:o,s:o},s:{s:s,s:s,s:s,s:s},s:s,s:s,s:s,s:I,s:o,s:o,s:o,"
        "s:{s:s},s:s}",
        "apiVersion", "v1", "kind", "Event", "metadata", "name",
        json_sprintf("%s.%016llx", name, id), "namespace", ns, "uid", uid, "resourceVersion",
        json_sprintf("%lld", (long long) sqlite3_column_int64(st, 10)), "creationTimestamp",
        store_ts_json(sqlite3_column_int64(st, 8)), "involvedObject", "kind", kind, "apiVersion",
        "v1", "name", name, "uid", col(st, 3), "type", col(st, 4), "reason", col(st, 5), "message",
        col(st, 6), "count", (json_int_t) sqlite3_column_int64(st, 7), "firstTimestamp",
        store_ts_json(sqlite3_column_int64(st, 8)), "lastTimestamp",
        store_ts_json(sqlite3_column_int64(st, 9)), "eventTime", json_null(), "source", "component",
        "kubelet", "reportingComponent", "kubelet");
    if (strcmp(kind, "Node") != 0)
        json_object_set_new(json_object_get(e, "involvedObject"), "namespace", json_string(ns));
    if (node) {
        json_object_set_new(json_object_get(e, "source"), "host", json_string(node));
        json_object_set_new(e, "reportingInstance", json_string(node));
    }
    return e;
}

static int read_events(struct store *s, sqlite3_stmt *st, json_t **ret, orc_error_t *err)
{
    json_t *items = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, event_json(st, s->node_name));
    if (rc != SQLITE_DONE) {
        json_decref(items);
        return store_db_error(s, err, "list events");
    }
    *ret = items;
    return 0;
}

int store_event_list(struct store *s, const char *ns, const char *name, json_t **ret,
                     orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    /* in the order of the events' names (OBJECT.ID), as the API server lists by key */
    if (store_prepare(s,
                      "SELECT " EVENT_COLUMNS " FROM events WHERE (?1 IS NULL OR namespace = ?1) "
                      "AND (?2 IS NULL OR name = ?2) ORDER BY namespace, "
                      "printf('%s.%016x', name, id)",
                      &st, err) < 0)
        return -1;
    if (ns)
        sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    if (name)
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    return read_events(s, st, ret, err);
}

int store_event_get(struct store *s, const char *ns, const char *event_name, json_t **ret,
                    orc_error_t *err)
{
    /* OBJECT.ID: the object's name and the row's id, 16 hex digits */
    const char *dot = strrchr(event_name, '.');
    char *end = NULL;
    unsigned long long id = dot && strlen(dot + 1) == 16 ? strtoull(dot + 1, &end, 16) : 0;
    json_t *items = NULL;
    if (end && !*end) {
        _cleanup_free_ char *name = xstrndup(event_name, (size_t) (dot - event_name));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "SELECT " EVENT_COLUMNS " FROM events WHERE namespace = ?1 AND "
                          "name = ?2 AND id = ?3",
                          &st, err) < 0)
            return -1;
        sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64) id);
        if (read_events(s, st, &items, err) < 0)
            return -1;
    }
    if (json_array_size(items) == 0) {
        json_decref(items);
        return orc_error_make(err, ENOENT, "events \"%s\" not found", event_name);
    }
    *ret = json_incref(json_array_get(items, 0));
    json_decref(items);
    return 0;
}

json_t *store_event_copy_json(void *arg, sqlite3_int64 rowid)
{
    struct store *s = arg;
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, "SELECT " EVENT_COLUMNS " FROM temp.feed_event_rows WHERE rowid = ?", &st,
                      NULL) < 0)
        return NULL;
    sqlite3_bind_int64(st, 1, rowid);
    return sqlite3_step(st) == SQLITE_ROW ? event_json(st, s->node_name) : NULL;
}
