/* SPDX-License-Identifier: Apache-2.0 */
/* A store connection's changes, recorded by temporary triggers, handed to the feed. */
#include "store/changes.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json-util.h"
#include "store/feed.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize)

#define INSERT_CHANGE                                                                              \
    "INSERT INTO feed_changes (type, kind, namespace, name, rv, object, previous, event) "
#define COUNTER "(SELECT value FROM meta WHERE key = 'resource_version')"
#define BUMP "UPDATE meta SET value = value + 1 WHERE key = 'resource_version';"
/* An inserted or updated object: its change (0 ADDED, 1 MODIFIED with the object before)
 * under its own resourceVersion. */
#define OBJECT_ROW(type, previous)                                                                 \
    INSERT_CHANGE                                                                                  \
    "VALUES (" type                                                                                \
    ", NEW.kind, NEW.namespace, NEW.name, NEW.resource_version, " STORE_OBJECT_JSON_SQL(           \
        "NEW.") ", " previous ", NULL);"
/* A deleted object (2 DELETED) has a resourceVersion of its own: the counter's next. */
#define OBJECT_GONE                                                                                \
    BUMP INSERT_CHANGE                                                                             \
        "VALUES (2, OLD.kind, OLD.namespace, OLD.name, " COUNTER                                   \
        ", json_set(" STORE_OBJECT_JSON_SQL("OLD.") ", '$.metadata.resourceVersion', "             \
                                                    "CAST(" COUNTER " AS TEXT)), NULL, NULL);"
/* An event: a copy of its row (taken before a delete, with the delete's resourceVersion). */
#define EVENT_COPY(id) "INSERT INTO feed_event_rows SELECT * FROM main.events WHERE id = " id ";"
#define EVENT_ROW(type)                                                                            \
    EVENT_COPY("NEW.id")                                                                           \
    INSERT_CHANGE "VALUES (" type ", 'Event', NEW.namespace, '', NEW.resource_version, NULL, "     \
                  "NULL, last_insert_rowid());"
#define EVENT_GONE                                                                                 \
    BUMP EVENT_COPY("OLD.id") "UPDATE feed_event_rows SET resource_version = " COUNTER             \
                              " WHERE rowid = last_insert_rowid();" INSERT_CHANGE                  \
                              "VALUES (2, 'Event', OLD.namespace, '', " COUNTER ", NULL, NULL, "   \
                              "last_insert_rowid());"
#define TRIGGER(name, on, body) "CREATE TEMP TRIGGER " name " " on " BEGIN " body " END;"
#define BUMPED " WHEN NEW.resource_version <> OLD.resource_version"

static const char triggers_sql[] =
    "CREATE TEMP TABLE feed_changes (seq INTEGER PRIMARY KEY, type INTEGER NOT NULL, "
    "kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, rv INTEGER NOT NULL, "
    "object TEXT, previous TEXT, event INTEGER);"
    "CREATE TEMP TABLE feed_event_rows AS SELECT * FROM main.events WHERE 0;"
    /* clang-format off */
    TRIGGER("feed_object_added", "AFTER INSERT ON main.objects", OBJECT_ROW("0", "NULL"))
    TRIGGER("feed_object_modified", "AFTER UPDATE ON main.objects" BUMPED,
            OBJECT_ROW("1", STORE_OBJECT_JSON_SQL("OLD.")))
    TRIGGER("feed_object_deleted", "AFTER DELETE ON main.objects", OBJECT_GONE)
    TRIGGER("feed_event_added", "AFTER INSERT ON main.events", EVENT_ROW("0"))
    TRIGGER("feed_event_modified", "AFTER UPDATE ON main.events" BUMPED, EVENT_ROW("1"))
    TRIGGER("feed_event_deleted", "BEFORE DELETE ON main.events", EVENT_GONE);
/* clang-format on */

int store_changes_install(sqlite3 *db)
{
    /* one transaction: the temporary schema is written once */
    int rc = sqlite3_exec(db, "SAVEPOINT feed_install", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, triggers_sql, NULL, NULL, NULL);
    (void) sqlite3_exec(db,
                        rc == SQLITE_OK ? "RELEASE feed_install"
                                        : "ROLLBACK TO feed_install; RELEASE feed_install",
                        NULL, NULL, NULL);
    return rc;
}

static const char *column(sqlite3_stmt *st, int i)
{
    const char *t = (const char *) sqlite3_column_text(st, i);
    return t ? t : "";
}

/* One recorded change; an event's object is made from its copied row. */
static struct feed_change *change_of(sqlite3_stmt *st, store_event_copy_fn event, void *arg)
{
    enum feed_type type = (enum feed_type) sqlite3_column_int(st, 0);
    int64_t rv = sqlite3_column_int64(st, 4);
    if (sqlite3_column_type(st, 7) == SQLITE_NULL) {
        struct feed_change *c =
            feed_change_new(type, rv, column(st, 1), column(st, 2), column(st, 3), column(st, 5),
                            (size_t) sqlite3_column_bytes(st, 5));
        if (sqlite3_column_type(st, 6) != SQLITE_NULL)
            feed_change_set_previous(c, column(st, 6), (size_t) sqlite3_column_bytes(st, 6));
        return c;
    }
    json_auto_t *e = event(arg, sqlite3_column_int64(st, 7));
    if (!e)
        return NULL;
    _cleanup_free_ char *text = json_dumps(e, JSON_COMPACT);
    const char *name = orc_json_str(json_object_get(e, "metadata"), "name");
    return feed_change_new(type, rv, "Event", column(st, 2), name ? name : "", text, strlen(text));
}

int store_changes_take(sqlite3 *db, struct feed *feed, store_event_copy_fn event, void *arg,
                       uint64_t *ret_ticket)
{
    _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT type, kind, namespace, name, rv, object, previous, event "
                                "FROM feed_changes ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    struct feed_change **changes = NULL;
    size_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct feed_change *c = change_of(st, event, arg);
        if (!c)
            continue;
        changes = xrealloc(changes, (n + 1) * sizeof(*changes));
        changes[n++] = c;
    }
    if (rc == SQLITE_DONE)
        rc = sqlite3_exec(db, "DELETE FROM feed_changes; DELETE FROM feed_event_rows;", NULL, NULL,
                          NULL);
    if (rc != SQLITE_OK) {
        for (size_t i = 0; i < n; i++)
            feed_change_unref(changes[i]);
        free(changes);
        return rc;
    }
    *ret_ticket = n ? feed_append(feed, changes, n) : 0;
    free(changes);
    return SQLITE_OK;
}

int store_changes_snapshot(sqlite3 *db, const char *kind, const char *ns,
                           void (*each)(void *arg, const char *json, size_t len), void *arg)
{
    _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        db,
        "SELECT " STORE_OBJECT_JSON_SQL("") " FROM objects "
                                            "WHERE kind = ?1 AND (?2 IS NULL OR namespace = ?2) "
                                            "ORDER BY namespace, name",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    if (ns)
        sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        each(arg, column(st, 0), (size_t) sqlite3_column_bytes(st, 0));
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
