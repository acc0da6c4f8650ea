/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "manifest.h"
#include "pod-parse.h"
#include "store/store.h"
#include "tap.h"
#include "xalloc.h"

#define POD(name, image, extra)                                                                    \
    "apiVersion: v1\nkind: Pod\nmetadata: {name: " name extra "}\nspec:\n  containers: "           \
    "[{name: c, image: " image "}]\n"

static void test_schema_file(void)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s", __FILE__);
    char *slash = strrchr(path, '/');
    strcpy(slash, "/../store/schema.sql");
    _cleanup_free_ char *text = NULL;
    orc_error_t err = NULL;
    tap_is_int(orc_read_file(path, 1 << 20, &text, NULL, &err), 0, "read schema.sql");
#include "store/schema-sql.h"
    tap_is_str(text, schema_v1_sql, "embedded schema matches schema.sql");
}

static const char *rv_of(const json_t *obj)
{
    return orc_json_str(json_object_get(obj, "metadata"), "resourceVersion");
}

/* Writes of the Kubernetes API: create, replace with and without a resourceVersion, dry runs. */
static void test_write(struct store *s)
{
    orc_error_t err = NULL;
    json_t *got = NULL;
    _cleanup_free_ char *before = NULL, *after = NULL;
    struct pod *w = pod_of(POD("w", "busybox", ""));
    struct store_write create = {.mode = STORE_WRITE_CREATE, .dry_run = true};
    store_dump(s, &before, &err);
    tap_is_int(store_pod_write(s, w, &create, NULL, &got, &err), 0, "dry-run create");
    tap_ok(got && !rv_of(got), "answers the object without a resourceVersion");
    tap_is_str(orc_json_str(json_object_get(got, "metadata"), "name"), "w", "named");
    json_decref(got);
    store_dump(s, &after, &err);
    tap_is_str(after, before, "a dry run stores nothing");
    create.dry_run = false;
    enum apply_action act;
    tap_is_int(store_pod_write(s, w, &create, &act, &got, &err), 0, "create");
    tap_is_int(act, APPLY_CREATED, "created");
    _cleanup_free_ char *rv = xstrdup(rv_of(got));
    json_decref(got);
    tap_is_int(store_pod_write(s, w, &create, NULL, &got, &err), -EEXIST, "create again");
    const char *exists = "pods \"w\" already exists";
    tap_ok(!strncmp(orc_error_message(err), exists, strlen(exists)), "AlreadyExists message");
    orc_error_release(&err);

    struct pod *w2 = pod_of(POD("w", "busybox", ", labels: {a: b}"));
    struct store_write replace = {.mode = STORE_WRITE_REPLACE, .resource_version = "1"};
    tap_is_int(store_pod_write(s, w2, &replace, NULL, &got, &err), -ESTALE, "stale version");
    tap_ok(strstr(orc_error_message(err), "the object has been modified") != NULL,
           "Conflict message");
    orc_error_release(&err);
    replace.resource_version = NULL;
    replace.uid = "another";
    tap_is_int(store_pod_write(s, w2, &replace, NULL, &got, &err), -ESTALE, "another uid");
    tap_ok(strstr(orc_error_message(err), "Precondition failed: UID in precondition: another") !=
               NULL,
           "names it");
    orc_error_release(&err);
    replace.uid = NULL;
    replace.resource_version = rv;
    replace.dry_run = true;
    tap_is_int(store_pod_write(s, w2, &replace, NULL, &got, &err), 0, "dry-run replace");
    tap_is_str(rv_of(got), rv, "keeps the stored resourceVersion");
    tap_is_str(orc_json_str(json_object_get(json_object_get(got, "metadata"), "labels"), "a"), "b",
               "shows the change");
    json_decref(got);
    replace.dry_run = false;
    tap_is_int(store_pod_write(s, w2, &replace, &act, &got, &err), 0, "replace, right version");
    tap_is_int(act, APPLY_CONFIGURED, "configured");
    tap_ok(strcmp(rv_of(got), rv) != 0, "new resourceVersion");
    json_decref(got);
    replace.resource_version = NULL;
    tap_is_int(store_pod_write(s, w, &replace, NULL, &got, &err), 0, "unconditional replace");
    json_decref(got);
    struct pod *nope = pod_of(POD("nope", "busybox", ""));
    tap_is_int(store_pod_write(s, nope, &replace, NULL, &got, &err), -ENOENT, "replace absent");
    orc_error_release(&err);

    struct store_delete del = {.grace = 3, .uid = "other"};
    tap_is_int(store_pod_delete(s, "default", "w", &del, &got, &err), -ESTALE, "uid precondition");
    tap_ok(strstr(orc_error_message(err), "Precondition failed: UID in precondition: other") !=
               NULL,
           "names the uid");
    orc_error_release(&err);
    del = (struct store_delete){.grace = 3, .resource_version = "1"};
    tap_is_int(store_pod_delete(s, "default", "w", &del, &got, &err), -ESTALE, "rv precondition");
    orc_error_release(&err);
    del = (struct store_delete){.grace = 3, .dry_run = true};
    free(before);
    store_dump(s, &before, &err);
    tap_is_int(store_pod_delete(s, "default", "w", &del, &got, &err), 0, "dry-run delete");
    tap_ok(orc_json_str(json_object_get(got, "metadata"), "deletionTimestamp") != NULL,
           "answers the pod as marked");
    json_decref(got);
    free(after);
    store_dump(s, &after, &err);
    tap_is_str(after, before, "and keeps nothing");
    pod_free(w);
    pod_free(w2);
    pod_free(nope);
}

int main(void)
{
    char dir[] = "/tmp/orc-store-XXXXXX";
    mkdtemp(dir);
    _cleanup_free_ char *db = orc_path_join(dir, "orc.db");
    orc_error_t err = NULL;
    struct store *s = NULL;
    tap_is_int(store_open(db, NULL, &s, &err), 0, "open creates the database");

    struct pod *a = pod_of(POD("a", "busybox", "")), *b = pod_of(POD("b", "busybox", ""));
    struct pod *pods[] = {a, b};
    enum apply_action act[2];
    tap_is_int(store_apply_pods(s, pods, 2, act, &err), 0, "apply two pods");
    tap_ok(act[0] == APPLY_CREATED && act[1] == APPLY_CREATED, "both created");
    tap_is_int(store_apply_pods(s, pods, 2, act, &err), 0, "apply again");
    tap_ok(act[0] == APPLY_UNCHANGED && act[1] == APPLY_UNCHANGED, "both unchanged");

    json_t *got = NULL;
    tap_is_int(store_pod_get(s, "default", "a", &got, &err), 0, "get a");
    json_t *meta = json_object_get(got, "metadata");
    tap_ok(orc_json_str(meta, "uid") && strlen(orc_json_str(meta, "uid")) == 36, "uid is a UUID");
    tap_is_str(orc_json_str(json_object_get(got, "status"), "phase"), "Pending", "no status yet");
    _cleanup_free_ char *uid = xstrdup(orc_json_str(meta, "uid"));
    _cleanup_free_ char *rv1 = xstrdup(orc_json_str(meta, "resourceVersion"));
    json_decref(got);

    struct pod *a2 = pod_of(POD("a", "busybox:1.36", ", labels: {x: y}"));
    tap_is_int(store_apply_pods(s, &a2, 1, act, &err), 0, "image + label change");
    tap_is_int(act[0], APPLY_CONFIGURED, "configured");
    store_pod_get(s, "default", "a", &got, &err);
    meta = json_object_get(got, "metadata");
    tap_is_int(orc_json_int(meta, "generation", 0), 2, "generation bumped");
    tap_ok(strcmp(orc_json_str(meta, "resourceVersion"), rv1) != 0, "resourceVersion changed");
    tap_is_str(orc_json_str(meta, "uid"), uid, "uid kept");
    json_decref(got);

    _cleanup_free_ char *before = NULL, *after = NULL;
    store_dump(s, &before, &err);
    struct pod *c = pod_of(POD("c", "busybox", ""));
    struct pod *a3 = pod_of("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  "
                            "restartPolicy: Never\n  containers: [{name: c, image: busybox}]\n");
    struct pod *mixed[] = {c, a3};
    tap_ok(store_apply_pods(s, mixed, 2, act, &err) < 0, "forbidden spec change refused");
    tap_ok(strstr(orc_error_message(err), "Forbidden") != NULL, "with Kubernetes' message");
    orc_error_release(&err);
    store_dump(s, &after, &err);
    tap_is_str(after, before, "all or nothing: c was not stored");

    json_t *status = json_pack("{s:s}", "phase", "Running");
    tap_is_int(store_pod_set_status(s, uid, status, &err), 0, "set status");
    json_decref(status);
    tap_is_int(store_pod_delete(s, "default", "a", &(struct store_delete){.grace = -1}, &got, &err),
               0, "mark deleted");
    tap_ok(orc_json_str(json_object_get(got, "metadata"), "deletionTimestamp") != NULL,
           "deletionTimestamp set");
    tap_is_int(orc_json_int(json_object_get(got, "metadata"), "deletionGracePeriodSeconds", -1), 30,
               "grace from the spec");
    json_decref(got);
    tap_is_int(store_pod_delete(s, "default", "a", &(struct store_delete){.grace = 5}, &got, &err),
               0, "idempotent");
    json_decref(got);
    tap_ok(store_apply_pods(s, &a, 1, act, &err) == -EBUSY, "apply over a deleting pod refused");
    orc_error_release(&err);

    struct store_event_ref ref = {"Pod", "default", "a", uid};
    for (int i = 0; i < 3; i++)
        store_event_add(s, &ref, "Normal", "Started", "Started container c", &err);
    store_event_add(s, &ref, "Warning", "BackOff", "Back-off", &err);
    json_t *events = NULL;
    tap_is_int(store_event_list(s, "default", "a", &events, &err), 0, "list events");
    tap_is_int(json_array_size(events), 2, "identical events are folded");
    tap_is_int(orc_json_int(json_array_get(events, 0), "count", 0), 3, "with a count");
    const char *ev_name =
        orc_json_str(json_object_get(json_array_get(events, 0), "metadata"), "name");
    tap_ok(ev_name && strlen(ev_name) == strlen("a.") + 16 && !strncmp(ev_name, "a.", 2),
           "an event is named POD.ID, 16 hex digits: %s", ev_name ? ev_name : "(none)");
    json_decref(events);

    struct store *s2 = NULL;
    tap_is_int(store_open(db, NULL, &s2, &err), 0, "second connection");
    json_t *list = NULL;
    tap_is_int(store_pod_list(s2, NULL, &list, &err), 0, "list from the second connection");
    tap_is_int(json_array_size(list), 2, "two pods");
    /* the API's spliced text is the same list: one pod with a status, one without */
    char *text = NULL;
    size_t text_len = 0, n_items = 0;
    tap_is_int(store_pod_list_text(s2, NULL, &text, &text_len, &n_items, &err), 0, "list as text");
    tap_is_int(n_items, 2, "of two pods");
    json_t *parsed = text ? json_loadb(text, text_len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    tap_ok(parsed && json_equal(parsed, list), "the text is the list, key for key");
    tap_ok(text && text_len == strlen(text), "its length is right");
    struct store_pod_text *rows = NULL;
    size_t n_rows = 0;
    tap_is_int(store_pod_texts(s2, NULL, &rows, &n_rows, &err), 0, "each pod's text");
    tap_is_int(n_rows, 2, "... of both pods");
    for (size_t i = 0; i < n_rows; i++) {
        json_t *one = json_loadb(rows[i].text, rows[i].len, JSON_REJECT_DUPLICATES, NULL);
        const json_t *m = json_object_get(one, "metadata");
        tap_ok(one && json_equal(one, json_array_get(list, i)), "pod %zu's text is its object", i);
        tap_ok(!strcmp(rows[i].uid, orc_json_str(m, "uid")) &&
                   !strcmp(rows[i].name, orc_json_str(m, "name")) &&
                   !strcmp(rows[i].namespace, orc_json_str(m, "namespace")),
               "... with its uid, name and namespace");
        json_decref(one);
    }
    store_pod_texts_free(rows, n_rows);
    json_decref(parsed);
    free(text);
    tap_is_int(store_pod_list_text(s2, "nowhere", &text, &text_len, &n_items, &err), 0,
               "empty namespace");
    tap_is_str(text, "[]", "an empty array");
    free(text);
    json_decref(list);
    tap_is_int(store_pod_remove(s, uid, &err), 0, "remove");
    tap_ok(store_pod_get(s2, "default", "a", &got, &err) == -ENOENT, "gone for the other reader");
    orc_error_release(&err);
    store_close(s2);
    store_close(s);
    tap_is_int(store_open(db, NULL, &s, &err), 0, "reopen");
    tap_ok(store_pod_get(s, "default", "b", &got, &err) == 0, "persisted");
    json_decref(got);
    store_close(s);
    tap_is_int(store_open(db, NULL, &s, &err), 0, "reopen for writes");
    test_write(s);
    store_close(s);
    test_schema_file();
    pod_free(a), pod_free(b), pod_free(a2), pod_free(c), pod_free(a3);
    orc_rm_rf(dir, NULL);
    return tap_done();
}
