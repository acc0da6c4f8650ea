/* SPDX-License-Identifier: Apache-2.0 */
#include "store/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <sys/statvfs.h>
#include <fcntl.h>

#include "cleanup.h"
#include "json-util.h"
#include "scheduler.h"
#include "store/changes.h"
#include "store/feed.h"
#include "store/internal.h"
#include "store/schema-sql.h"
#include "text-buf.h"
#include "time-util.h"
#include "xalloc.h"

#define STORE_SCHEMA_VERSION 3

/* Room kept on the database's file system for writes when the disk is full: deleting a pod
 * or recording a status must work exactly then. */
#define RESERVE_BYTES (8 << 20)

/* Forward migrations: entry i brings user_version i to i + 1. */
static const char *const migrations[] = {
    schema_v1_sql,
    /* 2: events carry a resourceVersion (watches of events) */
    "ALTER TABLE events ADD COLUMN resource_version INTEGER NOT NULL DEFAULT 0;"
    "UPDATE events SET resource_version = "
    "(SELECT value FROM meta WHERE key = 'resource_version');",
    /* 3: an event names the kind of its object (rows before are pods') and has a uid */
    "ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'Pod';"
    "ALTER TABLE events ADD COLUMN event_uid TEXT;",
};

const char *apply_action_to_string(enum apply_action a)
{
    static const char *const names[_APPLY_ACTION_MAX] = {"created", "configured", "unchanged"};
    return a >= 0 && a < _APPLY_ACTION_MAX ? names[a] : "unknown";
}

/* The last statement failed for want of space (a full disk or a quota). */
static bool is_full(struct store *s)
{
    int rc = sqlite3_extended_errcode(s->db);
    int sys = sqlite3_system_errno(s->db);
    return (rc & 0xff) == SQLITE_FULL ||
           ((rc & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT));
}

/* Gives the reserve back to the file system; true if there was one to give. */
static bool release_reserve(struct store *s)
{
    return s->reserve && unlink(s->reserve) == 0;
}

int store_db_error(struct store *s, orc_error_t *err, const char *what)
{
    if (is_full(s)) {
        (void) release_reserve(s); /* the next try has room */
        return orc_error_make_as(err, ENOSPC, "%s: the disk is full (%s)", what,
                                 sqlite3_errmsg(s->db));
    }
    return orc_error_make(err, 0, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* Steps a write that runs on its own; on a full disk once more with the reserve released. */
bool store_step_write(struct store *s, sqlite3_stmt *st)
{
    if (sqlite3_step(st) == SQLITE_DONE)
        return true;
    if (!is_full(s) || !release_reserve(s))
        return false;
    sqlite3_reset(st);
    return sqlite3_step(st) == SQLITE_DONE;
}

/* COMMIT; a commit that finds the disk full is tried again with the reserve released while
 * SQLite keeps the transaction pending; when SQLite rolled it back, or the second try fails,
 * the error is ENOSPC (the caller may try its whole transaction again, with the room given
 * back); another failure rolls the transaction back.
 * The transaction's changes go to the feed first, pending, while the write lock is held
 * (so the feed is in resourceVersion order), and are committed there after COMMIT. */
int store_commit(struct store *s, orc_error_t *err)
{
    uint64_t ticket = 0;
    if (s->recording &&
        store_changes_take(s->db, s->feed, store_event_copy_json, s, &ticket) != SQLITE_OK) {
        int r = store_db_error(s, err, "record changes");
        (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    bool ok = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    bool full = !ok && is_full(s);
    if (full && release_reserve(s) && !sqlite3_get_autocommit(s->db))
        ok = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    if (ticket)
        feed_commit(s->feed, ticket, ok);
    if (ok)
        return 0;
    int r = full ? orc_error_make_as(err, ENOSPC, "commit: the disk is full")
                 : store_db_error(s, err, "commit");
    (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

/* Ends the transaction a write began: committed when it succeeded (r >= 0) and is to be kept,
 * else rolled back (a failure, or a dry run that only checked what the write would do). */
int store_end_transaction(struct store *s, int r, bool keep, orc_error_t *err)
{
    if (r < 0 || !keep) {
        (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    return store_commit(s, err);
}

void store_keep_reserve(struct store *s)
{
    if (!s->reserve || access(s->reserve, F_OK) == 0)
        return;
    _cleanup_free_ char *dir = xstrdup(s->reserve);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    struct statvfs fs;
    if (statvfs(slash ? dir : ".", &fs) < 0 ||
        (unsigned long long) fs.f_bavail * fs.f_frsize < 4ULL * RESERVE_BYTES)
        return; /* not while the disk is short: it is made again once there is room */
    int fd = open(s->reserve, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    if (posix_fallocate(fd, 0, RESERVE_BYTES) != 0)
        (void) unlink(s->reserve);
    close(fd);
}

bool store_reserve_used(struct store *s)
{
    return s->reserve && access(s->reserve, F_OK) < 0;
}

/* Writes of objects and events run in transactions begun with BEGIN IMMEDIATE and ended by
 * store_commit(): the first such transaction of a connection with a feed makes its triggers
 * (store/changes.h), which readers never pay for. */
int store_exec(struct store *s, const char *sql, orc_error_t *err)
{
    if (s->feed && !s->recording && !strcmp(sql, "BEGIN IMMEDIATE")) {
        if (store_changes_install(s->db) != SQLITE_OK)
            return store_db_error(s, err, "record changes");
        s->recording = true;
    }
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int r = orc_error_make(err, 0, "database: %s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

int store_prepare(struct store *s, const char *sql, sqlite3_stmt **ret, orc_error_t *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, ret, NULL) != SQLITE_OK)
        return store_db_error(s, err, "prepare");
    return 0;
}

static int migrate(struct store *s, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, "PRAGMA user_version", &st, err) < 0 || sqlite3_step(st) != SQLITE_ROW)
        return store_db_error(s, err, "read schema version");
    int version = sqlite3_column_int(st, 0);
    if (version > STORE_SCHEMA_VERSION)
        return orc_error_make(err, 0,
                              "database schema version %d is newer than this orcd "
                              "understands (%d)",
                              version, STORE_SCHEMA_VERSION);
    for (; version < STORE_SCHEMA_VERSION; version++) {
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d;", version + 1);
        if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
            return -1;
        if (store_exec(s, migrations[version], err) < 0 || store_exec(s, pragma, err) < 0) {
            (void) store_exec(s, "ROLLBACK", NULL);
            return orc_error_wrap(err, "migrate database to version %d", version + 1);
        }
        if (store_commit(s, err) < 0)
            return -1;
    }
    return 0;
}

int store_open(const char *path, struct feed *feed, struct store **ret, orc_error_t *err)
{
    struct store *s = xzalloc(sizeof(*s));
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int r = orc_error_make(err, 0, "open database '%s': %s", path, sqlite3_errmsg(s->db));
        store_close(s);
        return r;
    }
    sqlite3_busy_timeout(s->db, 5000);
    s->reserve = xasprintf("%s.reserve", path);
    if (store_exec(
            s,
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; "
            "PRAGMA foreign_keys = ON;",
            err) < 0 ||
        migrate(s, err) < 0) {
        store_close(s);
        return orc_error_wrap(err, "database '%s'", path);
    }
    s->feed = feed;
    store_keep_reserve(s);
    *ret = s;
    return 0;
}

void store_set_busy_timeout(struct store *s, int ms)
{
    sqlite3_busy_timeout(s->db, ms);
}

int store_ping(struct store *s, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, "INSERT OR REPLACE INTO meta (key, value) VALUES ('health', ?)", &st,
                      err) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64) orc_time_now_ns());
    if (!store_step_write(s, st))
        return store_db_error(s, err, "write");
    return 0;
}

struct store *store_close(struct store *s)
{
    if (!s)
        return NULL;
    sqlite3_close(s->db);
    free(s->reserve);
    free(s->node_name);
    free(s->claims_dir);
    free(s);
    return NULL;
}

int store_next_rv(struct store *s, long long *ret, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "UPDATE meta SET value = value + 1 WHERE key = 'resource_version' "
                      "RETURNING value",
                      &st, err) < 0)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW)
        return store_db_error(s, err, "bump resourceVersion");
    *ret = sqlite3_column_int64(st, 0);
    return 0;
}

char *store_new_uid(void)
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != sizeof(b))
        abort();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                     b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                     b[13], b[14], b[15]);
}

json_t *store_ts_json(long long ns)
{
    char buf[64];
    orc_time_format_rfc3339(ns, false, buf, sizeof(buf));
    return json_string(buf);
}

void stored_clear(struct stored *o)
{
    free(o->uid);
    json_decref(o->object);
    memset(o, 0, sizeof(*o));
}

static int find_object(struct store *s, const char *ns, const char *name, struct stored *ret,
                       orc_error_t *err)
{
    return store_find_object(s, "Pod", ns, name, ret, err);
}

int store_find_object(struct store *s, const char *kind, const char *ns, const char *name,
                      struct stored *ret, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT uid, generation, deleted_ns, object FROM objects "
                      "WHERE kind = ? AND namespace = ? AND name = ?",
                      &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return -ENOENT;
    if (rc != SQLITE_ROW)
        return store_db_error(s, err, "read object");
    ret->uid = xstrdup((const char *) sqlite3_column_text(st, 0));
    ret->generation = sqlite3_column_int64(st, 1);
    ret->deleted_ns = sqlite3_column_int64(st, 2);
    const char *text = (const char *) sqlite3_column_text(st, 3);
    if (orc_json_parse(text, strlen(text), &ret->object, err) < 0) {
        free(ret->uid);
        return orc_error_wrap(err, "stored %s '%s/%s'", kind, ns, name);
    }
    return 0;
}

static int write_object(struct store *s, const char *sql, const char *uid, const json_t *obj,
                        long long rv, long long gen, orc_error_t *err)
{
    json_t *meta = json_object_get(obj, "metadata");
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    _cleanup_free_ char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    if (store_prepare(s, sql, &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, orc_json_str(meta, "namespace"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, orc_json_str(meta, "name"), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, rv);
    sqlite3_bind_int64(st, 5, gen);
    sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(st) >= 7)
        sqlite3_bind_int64(st, 7, orc_time_now_ns());
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "write pod");
    return 0;
}

static int insert_pod(struct store *s, json_t *obj, orc_error_t *err)
{
    json_t *meta = json_object_get(obj, "metadata"), *spec = orc_json_obj(obj, "spec");
    long long rv;
    if (store_namespace_ensure(s, orc_json_str(meta, "namespace"), err) < 0)
        return orc_error_wrap(err, "pods \"%s\" is forbidden", orc_json_str(meta, "name"));
    if (store_next_rv(s, &rv, err) < 0)
        return -1;
    _cleanup_free_ char *uid = store_new_uid();
    int64_t now = orc_time_now_ns();
    json_object_set_new(meta, "uid", json_string(uid));
    json_object_set_new(meta, "resourceVersion", json_sprintf("%lld", rv));
    json_object_set_new(meta, "generation", json_integer(1));
    json_object_set_new(meta, "creationTimestamp", store_ts_json(now));
    /* bound to this node, as the scheduler binds a pod; one bound to another node is stored
     * as the API server stores it, and never runs here (no kubelet of that name runs) */
    if (s->node_name && !orc_json_str(spec, "nodeName"))
        json_object_set_new(spec, "nodeName", json_string(s->node_name));
    return write_object(s,
                        "INSERT INTO objects (uid, namespace, name, resource_version, generation, "
                        "object, created_ns, kind) VALUES (?, ?, ?, ?, ?, ?, ?, 'Pod')",
                        uid, obj, rv, 1, err);
}

/* json_equal() calls two missing values different; here they are the same. */
static bool same(const json_t *a, const json_t *b)
{
    return (!a && !b) || (a && b && json_equal(a, b));
}

/* deleting_ok: a pod being deleted may still change (its labels, say), as a replace of the
 * Kubernetes API allows; apply refuses it, as kubectl's create would. */
static int update_pod(struct store *s, struct stored *old, json_t *obj, bool deleting_ok,
                      enum apply_action *ret, orc_error_t *err)
{
    json_t *om = json_object_get(old->object, "metadata"), *nm = json_object_get(obj, "metadata");
    json_t *os = json_object_get(old->object, "spec"), *ns = json_object_get(obj, "spec");
    const char *name = orc_json_str(nm, "name");
    if (old->deleted_ns && !deleting_ok)
        return orc_error_make(err, EBUSY, "object is being deleted: pods \"%s\" already exists",
                              name);
    json_t *node = json_object_get(os, "nodeName");
    if (node && !json_object_get(ns, "nodeName")) /* the binding is the server's */
        json_object_set(ns, "nodeName", node);
    enum sched_pod_update update = sched_pod_update_check(os, ns);
    bool spec_changed = update != SCHED_UPDATE_NONE;
    bool meta_changed =
        !same(json_object_get(om, "labels"), json_object_get(nm, "labels")) ||
        !same(json_object_get(om, "annotations"), json_object_get(nm, "annotations"));
    if (update == SCHED_UPDATE_FORBIDDEN)
        return orc_error_make(err, EINVAL,
                              "Pod \"%s\" is invalid: spec: Forbidden: pod updates may not "
                              "change fields other than `spec.containers[*].image` (delete and "
                              "re-create the pod to change them)",
                              name);
    if (!spec_changed && !meta_changed) {
        *ret = APPLY_UNCHANGED;
        return 0;
    }
    long long rv, gen = old->generation + (spec_changed ? 1 : 0);
    if (store_next_rv(s, &rv, err) < 0)
        return -1;
    /* keep what the server owns, take what the user owns */
    json_t *meta = json_deep_copy(om);
    json_object_del(meta, "labels");
    json_object_del(meta, "annotations");
    if (json_object_get(nm, "labels"))
        json_object_set(meta, "labels", json_object_get(nm, "labels"));
    if (json_object_get(nm, "annotations"))
        json_object_set(meta, "annotations", json_object_get(nm, "annotations"));
    json_object_set_new(meta, "resourceVersion", json_sprintf("%lld", rv));
    json_object_set_new(meta, "generation", json_integer(gen));
    json_object_set_new(obj, "metadata", meta);
    *ret = APPLY_CONFIGURED;
    return write_object(s,
                        "UPDATE objects SET namespace = ?2, name = ?3, resource_version = ?4, "
                        "generation = ?5, object = ?6 "
                        "WHERE uid = ?1",
                        old->uid, obj, rv, gen, err);
}

int store_apply_pod_locked(struct store *s, const struct pod *pod, enum apply_action *ret,
                           orc_error_t *err)
{
    json_auto_t *obj = pod_to_json(pod);
    struct stored old = {0};
    int r = find_object(s, pod->namespace, pod->name, &old, err);
    if (r == -ENOENT) {
        *ret = APPLY_CREATED;
        return insert_pod(s, obj, err);
    }
    if (r < 0)
        return r;
    r = update_pod(s, &old, obj, false, ret, err);
    stored_clear(&old);
    return r;
}

int store_apply_pods(struct store *s, struct pod *const *pods, size_t n,
                     enum apply_action *ret_actions, orc_error_t *err)
{
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (store_apply_pod_locked(s, pods[i], &ret_actions[i], err) < 0) {
            (void) store_exec(s, "ROLLBACK", NULL);
            return orc_error_code(*err);
        }
    return store_commit(s, err);
}

static int write_check(const struct pod *pod, const struct stored *old, const struct store_write *w,
                       orc_error_t *err)
{
    return store_write_check("pods", pod->name, old, w, err);
}

int store_write_check(const char *resource, const char *name, const struct stored *old,
                      const struct store_write *w, orc_error_t *err)
{
    const char *rv = old->object
                         ? orc_json_str(json_object_get(old->object, "metadata"), "resourceVersion")
                         : NULL;
    if (old->object && w->mode == STORE_WRITE_CREATE)
        return orc_error_make(err, EEXIST, "%s \"%s\" already exists", resource, name);
    if (!old->object && w->mode == STORE_WRITE_REPLACE)
        return orc_error_make(err, ENOENT, "%s \"%s\" not found", resource, name);
    if (old->object && w->uid && *w->uid && strcmp(w->uid, old->uid))
        return orc_error_make(err, ESTALE,
                              "Operation cannot be fulfilled on %s \"%s\": Precondition failed: "
                              "UID in precondition: %s, UID in object meta: %s",
                              resource, name, w->uid, old->uid);
    if (old->object && w->resource_version && *w->resource_version &&
        strcmp(w->resource_version, rv ? rv : ""))
        return orc_error_make(err, ESTALE,
                              "Operation cannot be fulfilled on %s \"%s\": the object has been "
                              "modified; please apply your changes to the latest version and try "
                              "again",
                              resource, name);
    return 0;
}

/* What a dry run answers: the object as it would be, without the resourceVersion a write
 * would have given it (a create has none yet, a replace keeps the stored one). */
void store_dry_run_version(json_t *obj, const struct stored *old)
{
    json_t *meta = json_object_get(obj, "metadata");
    if (!old->object)
        json_object_del(meta, "resourceVersion");
    else
        json_object_set(
            meta, "resourceVersion",
            json_object_get(json_object_get(old->object, "metadata"), "resourceVersion"));
}

int store_pod_write(struct store *s, const struct pod *pod, const struct store_write *w,
                    enum apply_action *ret_action, json_t **ret, orc_error_t *err)
{
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    struct stored old = {0};
    json_auto_t *obj = pod_to_json(pod);
    json_t *result = NULL;
    enum apply_action action = APPLY_CREATED;
    int r = find_object(s, pod->namespace, pod->name, &old, err);
    if (r == -ENOENT)
        r = 0;
    if (r == 0)
        r = write_check(pod, &old, w, err);
    if (r == 0)
        r = old.object ? update_pod(s, &old, obj, true, &action, err) : insert_pod(s, obj, err);
    if (r == 0)
        r = store_pod_get(s, pod->namespace, pod->name, &result, err);
    if (r == 0 && w->dry_run)
        store_dry_run_version(result, &old);
    r = store_end_transaction(s, r, !w->dry_run, err);
    stored_clear(&old);
    if (r < 0) {
        json_decref(result);
        return r;
    }
    if (ret_action)
        *ret_action = action;
    *ret = result;
    return 0;
}

static json_t *row_object(sqlite3_stmt *st, int obj_col)
{
    const char *text = (const char *) sqlite3_column_text(st, obj_col);
    const char *status = (const char *) sqlite3_column_text(st, obj_col + 1);
    json_t *obj = json_loads(text, 0, NULL);
    if (!obj)
        return NULL;
    json_t *stj = status ? json_loads(status, 0, NULL) : NULL;
    json_object_set_new(obj, "status", stj ? stj : json_pack("{s:s}", "phase", "Pending"));
    return obj;
}

static int get_where(struct store *s, const char *where, const char *a, const char *b, json_t **ret,
                     orc_error_t *err)
{
    _cleanup_free_ char *sql = xasprintf("SELECT object, status FROM objects WHERE %s", where);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, sql, &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return orc_error_make(err, ENOENT, "pods \"%s\" not found", b ? b : a);
    if (rc != SQLITE_ROW)
        return store_db_error(s, err, "read pod");
    *ret = row_object(st, 0);
    return *ret ? 0 : orc_error_make(err, EIO, "stored pod is not valid JSON");
}

int store_pod_get(struct store *s, const char *ns, const char *name, json_t **ret, orc_error_t *err)
{
    return get_where(s, "kind = 'Pod' AND namespace = ?1 AND name = ?2", ns, name, ret, err);
}

int store_pod_get_by_uid(struct store *s, const char *uid, json_t **ret, orc_error_t *err)
{
    return get_where(s, "uid = ?1", uid, NULL, ret, err);
}

int store_pod_list(struct store *s, const char *ns, json_t **ret, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(
            s,
            ns ? "SELECT object, status FROM objects WHERE kind = 'Pod' AND namespace = ? "
                 "ORDER BY namespace, name"
               : "SELECT object, status FROM objects WHERE kind = 'Pod' "
                 "ORDER BY namespace, name",
            &st, err) < 0)
        return -1;
    if (ns)
        sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    json_t *items = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = row_object(st, 0);
        if (o)
            json_array_append_new(items, o);
    }
    if (rc != SQLITE_DONE) {
        json_decref(items);
        return store_db_error(s, err, "list pods");
    }
    *ret = items;
    return 0;
}

/* A pod's text: objects are stored compact, sorted and without status, so "{...}" takes it
 * last (a pod the loop has not seen yet is Pending). */
static void pod_text(struct text_buf *b, const char *obj, const char *status)
{
    static const char pending[] = "{\"phase\":\"Pending\"}";
    text_buf_add(b, obj, strlen(obj) - 1);
    text_buf_puts(b, ",\"status\":");
    text_buf_puts(b, status && *status ? status : pending);
    text_buf_puts(b, "}");
}

static bool object_text(const char *obj)
{
    size_t n = obj ? strlen(obj) : 0;
    return n >= 2 && obj[0] == '{' && obj[n - 1] == '}';
}

static const char *const pod_list_sql[] = {
    "SELECT object, status, uid, namespace, name FROM objects WHERE kind = 'Pod' "
    "ORDER BY namespace, name",
    "SELECT object, status, uid, namespace, name FROM objects WHERE kind = 'Pod' AND "
    "namespace = ? ORDER BY namespace, name",
};

/* The pods' texts spliced into one array, or each with its uid, namespace and name. */
static int pod_texts(struct store *s, sqlite3_stmt *st, struct text_buf *list,
                     struct store_pod_text **rows, size_t *ret_n, orc_error_t *err)
{
    size_t n = 0;
    int rc;
    if (list)
        text_buf_puts(list, "[");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *obj = (const char *) sqlite3_column_text(st, 0);
        const char *status = (const char *) sqlite3_column_text(st, 1);
        if (!object_text(obj))
            continue;
        if (list) {
            if (n)
                text_buf_puts(list, ",");
            pod_text(list, obj, status);
        } else {
            *rows = xrealloc(*rows, (n + 1) * sizeof(**rows));
            struct text_buf b = {0};
            pod_text(&b, obj, status);
            struct store_pod_text *row = &(*rows)[n];
            row->text = text_buf_steal(&b, &row->len);
            row->uid = xstrdup((const char *) sqlite3_column_text(st, 2));
            row->namespace = xstrdup((const char *) sqlite3_column_text(st, 3));
            row->name = xstrdup((const char *) sqlite3_column_text(st, 4));
        }
        n++;
    }
    if (list)
        text_buf_puts(list, "]");
    *ret_n = n;
    return rc == SQLITE_DONE ? 0 : store_db_error(s, err, "list pods");
}

/* The pods of namespace ns (NULL: all): spliced into list, or rows. */
static int pod_list(struct store *s, const char *ns, struct text_buf *list,
                    struct store_pod_text **rows, size_t *ret_n, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, pod_list_sql[ns != NULL], &st, err) < 0)
        return -1;
    if (ns)
        sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
    return pod_texts(s, st, list, rows, ret_n, err);
}

int store_pod_texts(struct store *s, const char *ns, struct store_pod_text **ret, size_t *ret_n,
                    orc_error_t *err)
{
    struct store_pod_text *rows = NULL;
    size_t n = 0;
    if (pod_list(s, ns, NULL, &rows, &n, err) < 0) {
        store_pod_texts_free(rows, n);
        return -1;
    }
    *ret = rows;
    *ret_n = n;
    return 0;
}

void store_pod_texts_free(struct store_pod_text *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].uid);
        free(rows[i].namespace);
        free(rows[i].name);
        free(rows[i].text);
    }
    free(rows);
}

int store_pod_list_text(struct store *s, const char *ns, char **ret, size_t *ret_len, size_t *ret_n,
                        orc_error_t *err)
{
    struct text_buf list = {0};
    if (pod_list(s, ns, &list, NULL, ret_n, err) < 0) {
        text_buf_done(&list);
        return -1;
    }
    *ret = text_buf_steal(&list, ret_len);
    return 0;
}

/* Precondition checks of a delete against the stored pod, as kube-apiserver words them. */
static int delete_check(const struct stored *old, const char *name, const struct store_delete *d,
                        orc_error_t *err)
{
    return store_delete_check("pods", old, name, d, err);
}

int store_delete_check(const char *resource, const struct stored *old, const char *name,
                       const struct store_delete *d, orc_error_t *err)
{
    const char *rv = orc_json_str(json_object_get(old->object, "metadata"), "resourceVersion");
    if (d->uid && strcmp(d->uid, old->uid))
        return orc_error_make(err, ESTALE,
                              "Operation cannot be fulfilled on %s \"%s\": Precondition failed: "
                              "UID in precondition: %s, UID in object meta: %s",
                              resource, name, d->uid, old->uid);
    if (d->resource_version && strcmp(d->resource_version, rv ? rv : ""))
        return orc_error_make(err, ESTALE,
                              "Operation cannot be fulfilled on %s \"%s\": Precondition failed: "
                              "ResourceVersion in precondition: %s, ResourceVersion in object "
                              "meta: %s",
                              resource, name, d->resource_version, rv ? rv : "");
    return 0;
}

/* Sets deletionTimestamp and deletionGracePeriodSeconds of a pod not being deleted yet. */
int store_mark_deleted(struct store *s, struct stored *old, long long grace, orc_error_t *err)
{
    json_t *meta = json_object_get(old->object, "metadata");
    if (grace < 0)
        grace = json_integer_value(
            json_object_get(json_object_get(old->object, "spec"), "terminationGracePeriodSeconds"));
    int64_t now = orc_time_now_ns();
    long long rv = 0;
    if (store_next_rv(s, &rv, err) < 0)
        return -1;
    json_object_set_new(meta, "deletionTimestamp", store_ts_json(now));
    json_object_set_new(meta, "deletionGracePeriodSeconds", json_integer(grace));
    json_object_set_new(meta, "resourceVersion", json_sprintf("%lld", rv));
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    _cleanup_free_ char *text = json_dumps(old->object, JSON_COMPACT | JSON_SORT_KEYS);
    if (store_prepare(
            s,
            "UPDATE objects SET deleted_ns = ?, grace = ?, resource_version = ?, object = ? "
            "WHERE uid = ?",
            &st, err) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, grace);
    sqlite3_bind_int64(st, 3, rv);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, old->uid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "mark pod deleted");
    return 0;
}

int store_pod_delete(struct store *s, const char *ns, const char *name,
                     const struct store_delete *d, json_t **ret, orc_error_t *err)
{
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    struct stored old = {0};
    json_t *obj = NULL;
    int r = find_object(s, ns, name, &old, err);
    if (r == -ENOENT)
        r = orc_error_make(err, ENOENT, "pods \"%s\" not found", name);
    if (r == 0)
        r = delete_check(&old, name, d, err);
    if (r == 0 && !old.deleted_ns)
        r = store_mark_deleted(s, &old, d->grace, err);
    if (r == 0)
        r = store_pod_get_by_uid(s, old.uid, &obj, err);
    r = store_end_transaction(s, r, !d->dry_run, err);
    stored_clear(&old);
    if (r < 0) {
        json_decref(obj);
        return r;
    }
    *ret = obj;
    return 0;
}

static int exec_uid(struct store *s, const char *sql, const char *uid, const char *text,
                    orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, sql, &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return store_db_error(s, err, "write");
    return 0;
}

int store_pod_remove(struct store *s, const char *uid, orc_error_t *err)
{
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    if (exec_uid(s, "DELETE FROM objects WHERE uid = ?", uid, NULL, err) < 0 ||
        exec_uid(s, "DELETE FROM events WHERE uid = ?", uid, NULL, err) < 0) {
        (void) store_exec(s, "ROLLBACK", NULL);
        return -1;
    }
    return store_commit(s, err);
}

/* A new status is a new resourceVersion of the pod, as in Kubernetes (watchers see it). */
int store_pod_set_status(struct store *s, const char *uid, const json_t *status, orc_error_t *err)
{
    _cleanup_free_ char *text = json_dumps(status, JSON_COMPACT | JSON_SORT_KEYS);
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    long long rv = 0;
    if (store_exec(s, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    if (store_next_rv(s, &rv, err) < 0 ||
        store_prepare(s,
                      "UPDATE objects SET status = ?2, resource_version = ?3, "
                      "object = json_set(object, '$.metadata.resourceVersion', CAST(?3 AS TEXT)) "
                      "WHERE uid = ?1 AND status IS NOT ?2",
                      &st, err) < 0) {
        (void) store_exec(s, "ROLLBACK", NULL);
        return -1;
    }
    sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rv);
    if (!store_step_write(s, st)) {
        int r = store_db_error(s, err, "write status");
        (void) store_exec(s, "ROLLBACK", NULL);
        return r;
    }
    /* removed meanwhile, or the same status again: no new version, nothing for watchers
     * (kubelet writes a status only when it changed) */
    if (sqlite3_changes(s->db) == 0) {
        (void) store_exec(s, "ROLLBACK", NULL);
        return 0;
    }
    return store_commit(s, err);
}

int store_resource_version(struct store *s, int64_t *ret, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s, "SELECT value FROM meta WHERE key = 'resource_version'", &st, err) < 0)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW)
        return store_db_error(s, err, "read resourceVersion");
    *ret = sqlite3_column_int64(st, 0);
    return 0;
}

int store_read_begin(struct store *s, orc_error_t *err)
{
    return store_exec(s, "BEGIN", err);
}

void store_read_end(struct store *s)
{
    (void) store_exec(s, "COMMIT", NULL);
}

int store_snapshot(struct store *s, const char *kind, const char *ns,
                   void (*each)(void *arg, const char *json, size_t len), void *arg,
                   int64_t *ret_rv, orc_error_t *err)
{
    if (store_read_begin(s, err) < 0)
        return -1;
    json_t *events = NULL;
    int r = store_resource_version(s, ret_rv, err);
    if (r == 0 && !strcmp(kind, "Event"))
        r = store_event_list(s, ns, NULL, &events, err);
    else if (r == 0 && store_changes_snapshot(s->db, kind, ns, each, arg) != SQLITE_OK)
        r = store_db_error(s, err, "list objects");
    store_read_end(s);
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e) {
        _cleanup_free_ char *text = json_dumps(e, JSON_COMPACT);
        each(arg, text, strlen(text));
    }
    json_decref(events);
    return r;
}

int store_dump(struct store *s, char **ret, orc_error_t *err)
{
    _cleanup_stmt_ sqlite3_stmt *st = NULL;
    if (store_prepare(s,
                      "SELECT uid, resource_version, generation, object FROM objects ORDER BY uid",
                      &st, err) < 0)
        return -1;
    size_t len = 0;
    char *buf = NULL;
    FILE *f = open_memstream(&buf, &len);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(f, "%s %lld %lld %s\n", sqlite3_column_text(st, 0),
                (long long) sqlite3_column_int64(st, 1), (long long) sqlite3_column_int64(st, 2),
                sqlite3_column_text(st, 3));
    fclose(f);
    *ret = buf;
    return 0;
}
