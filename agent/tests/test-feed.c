/* SPDX-License-Identifier: Apache-2.0 */
/* The change feed: its ring alone, then fed by store connections. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "manifest.h"
#include "pod-parse.h"
#include "store/feed.h"
#include "store/store.h"
#include "tap.h"
#include "xalloc.h"

static struct feed_change *change(int64_t rv, const char *name)
{
    char text[64];
    snprintf(text, sizeof(text), "{\"rv\":%lld}", (long long) rv);
    return feed_change_new(FEED_MODIFIED, rv, "Pod", "default", name, text, strlen(text));
}

/* Appends and commits changes rv from..to, one ticket. */
static void publish(struct feed *f, int64_t from, int64_t to)
{
    struct feed_change *c[64];
    size_t n = 0;
    for (int64_t rv = from; rv <= to; rv++)
        c[n++] = change(rv, "p");
    feed_commit(f, feed_append(f, c, n), true);
}

/* The rvs feed_next returns, as text "3 4 5", or "stale N" / "shutdown". */
static char *next_text(struct feed_watcher *w)
{
    struct feed_change *out[256];
    int64_t oldest = -1;
    ssize_t n = feed_next(w, out, 256, &oldest);
    if (n == -ESTALE)
        return xasprintf("stale %lld", (long long) oldest);
    if (n == -ESHUTDOWN)
        return xstrdup("shutdown");
    char *s = xstrdup("");
    for (ssize_t i = 0; i < n; i++) {
        char *t = xasprintf("%s%s%lld", s, i ? " " : "", (long long) out[i]->rv);
        free(s);
        s = t;
        feed_change_unref(out[i]);
    }
    return s;
}

#define NEXT_IS(w, expected, ...)                                                                  \
    do {                                                                                           \
        _cleanup_free_ char *_t = next_text(w);                                                    \
        tap_is_str(_t, expected, __VA_ARGS__);                                                     \
    } while (0)

static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

static void test_ring(void)
{
    struct feed *f = feed_new(4, 1 << 20);
    feed_reset(f, 10);
    struct feed_watcher *w = NULL, *old = NULL, *future = NULL;
    tap_is_int(feed_watch(f, 10, &w), 0, "watch from the store's resourceVersion");
    tap_is_int(feed_watch(f, 9, &old), 0, "and from one before it");
    tap_is_int(feed_watch(f, 20, &future), 0, "and from one not reached yet");
    NEXT_IS(w, "", "nothing yet");
    NEXT_IS(old, "stale 10", "before the feed began: too old (410)");
    tap_ok(!readable(feed_watcher_fd(w)), "the watcher's fd is quiet");
    publish(f, 11, 13);
    tap_ok(readable(feed_watcher_fd(w)), "a commit wakes the waiting watcher");
    NEXT_IS(w, "11 12 13", "changes in order");
    tap_ok(!readable(feed_watcher_fd(w)), "feed_next drained the fd");
    tap_is_int(feed_watcher_rv(w), 13, "the position moved");
    NEXT_IS(future, "", "a future position waits");
    publish(f, 14, 16); /* wraps: 13..16 kept, 11 and 12 dropped */
    NEXT_IS(w, "14 15 16", "after the wrap-around");
    struct feed_watcher *resume = NULL;
    feed_watch(f, 12, &resume);
    NEXT_IS(resume, "13 14 15 16", "from the oldest position kept");
    feed_watcher_seek(resume, 11);
    NEXT_IS(resume, "stale 12", "one change older than the ring: 410 with the oldest position");
    publish(f, 17, 22);
    NEXT_IS(future, "21 22", "the future position reached");
    feed_unwatch(resume);
    feed_unwatch(old);
    feed_unwatch(future);
    tap_is_int(feed_watchers(f), 1, "watchers counted");
    feed_shutdown(f);
    tap_ok(readable(feed_watcher_fd(w)), "shutdown wakes the watcher");
    NEXT_IS(w, "shutdown", "and ends it");
    feed_unwatch(w);
    feed_free(f);
}

static void test_pending(void)
{
    struct feed *f = feed_new(100, 1 << 20);
    feed_reset(f, 0);
    struct feed_watcher *w = NULL;
    feed_watch(f, 0, &w);
    struct feed_change *a[] = {change(1, "a"), change(2, "a")};
    uint64_t ta = feed_append(f, a, 2);
    struct feed_change *b[] = {change(3, "b")};
    uint64_t tb = feed_append(f, b, 1);
    feed_commit(f, tb, true);
    NEXT_IS(w, "", "a later commit waits for an earlier pending one");
    feed_commit(f, ta, true);
    NEXT_IS(w, "1 2 3", "then all in order");
    struct feed_change *c[] = {change(4, "c")};
    uint64_t tc = feed_append(f, c, 1);
    feed_commit(f, tc, false);
    struct feed_change *d[] = {change(4, "d")};
    feed_commit(f, feed_append(f, d, 1), true);
    struct feed_change *out[4];
    tap_is_int(feed_next(w, out, 4, NULL), 1, "a failed commit's change is gone");
    tap_is_str(out[0]->name, "d", "its resourceVersion taken by the next");
    feed_change_unref(out[0]);
    struct feed_watcher *seek = NULL;
    feed_watch(f, 0, &seek);
    feed_watcher_seek(seek, 2);
    NEXT_IS(seek, "3 4", "a watcher moved to a snapshot's resourceVersion");
    feed_unwatch(seek);
    feed_unwatch(w);
    feed_free(f);
}

static void test_budget(void)
{
    struct feed *f = feed_new(100, 30); /* each change is 8-9 bytes of text */
    feed_reset(f, 0);
    feed_set_max_watchers(f, 1);
    struct feed_watcher *w = NULL, *w2 = NULL;
    feed_watch(f, 0, &w);
    tap_is_int(feed_watch(f, 0, &w2), -EMFILE, "beyond the most watchers");
    publish(f, 1, 5);
    NEXT_IS(w, "stale 2", "the byte budget drops the oldest");
    feed_watcher_seek(w, 2);
    NEXT_IS(w, "3 4 5", "what the budget keeps");
    feed_unwatch(w);
    feed_free(f);
}

/* Many watchers waiting in poll() while a writer publishes: every one sees every change. */
struct waiter {
    struct feed *f;
    int64_t last;
    int seen;
    bool ordered;
};

static void *wait_all(void *arg)
{
    struct waiter *wt = arg;
    struct feed_watcher *w = NULL;
    if (feed_watch(wt->f, 0, &w) < 0)
        return NULL;
    wt->ordered = true;
    for (;;) {
        struct feed_change *out[16];
        ssize_t n = feed_next(w, out, 16, NULL);
        if (n < 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            wt->ordered = wt->ordered && out[i]->rv == wt->last + 1;
            wt->last = out[i]->rv;
            wt->seen++;
            feed_change_unref(out[i]);
        }
        if (n == 0) {
            struct pollfd p = {.fd = feed_watcher_fd(w), .events = POLLIN};
            (void) poll(&p, 1, 5000);
        }
    }
    feed_unwatch(w);
    return NULL;
}

static void test_many_waiters(void)
{
    enum { WAITERS = 64, CHANGES = 2000 };
    struct feed *f = feed_new(CHANGES, 1 << 24);
    feed_reset(f, 0);
    pthread_t th[WAITERS];
    struct waiter wt[WAITERS];
    for (int i = 0; i < WAITERS; i++) {
        wt[i] = (struct waiter){.f = f};
        pthread_create(&th[i], NULL, wait_all, &wt[i]);
    }
    while (feed_watchers(f) < WAITERS)
        usleep(1000);
    for (int64_t rv = 1; rv <= CHANGES; rv += 4) {
        publish(f, rv, rv + 3);
        if (rv % 200 == 1)
            usleep(100);
    }
    for (int tries = 0; tries < 5000; tries++) {
        bool all = true;
        for (int i = 0; i < WAITERS; i++)
            all = all && __atomic_load_n(&wt[i].seen, __ATOMIC_SEQ_CST) == CHANGES;
        if (all)
            break;
        usleep(1000);
    }
    feed_shutdown(f);
    bool all_seen = true, ordered = true;
    for (int i = 0; i < WAITERS; i++) {
        pthread_join(th[i], NULL);
        all_seen = all_seen && wt[i].seen == CHANGES;
        ordered = ordered && wt[i].ordered;
    }
    tap_ok(all_seen, "%d waiters each saw all %d changes", WAITERS, CHANGES);
    tap_ok(ordered, "each in order, none twice");
    feed_free(f);
}

/* "TYPE kind/name rv" of each change, and checks that rvs increase and that the object
 * carries the change's resourceVersion. */
static char *drain(struct feed_watcher *w, bool *ret_ok)
{
    struct feed_change *out[64];
    ssize_t n = feed_next(w, out, 64, NULL);
    char *s = xstrdup("");
    int64_t last = 0;
    for (ssize_t i = 0; i < n; i++) {
        json_auto_t *o = json_loads(out[i]->object, 0, NULL);
        const char *rv = orc_json_str(json_object_get(o, "metadata"), "resourceVersion");
        if (!rv || atoll(rv) != out[i]->rv || out[i]->rv <= last)
            *ret_ok = false;
        last = out[i]->rv;
        char *t = xasprintf("%s%s%s %s/%s", s, i ? ", " : "", feed_type_to_string(out[i]->type),
                            out[i]->kind, out[i]->name);
        free(s);
        s = t;
        feed_change_unref(out[i]);
    }
    return s;
}

#define DRAIN_IS(w, expected, ...)                                                                 \
    do {                                                                                           \
        bool _fine = true;                                                                         \
        _cleanup_free_ char *_t = drain(w, &_fine);                                                \
        tap_is_str(_t, expected, __VA_ARGS__);                                                     \
        tap_ok(_fine, "resourceVersions increase and are the objects' own");                       \
    } while (0)

static void test_store(const char *db)
{
    struct feed *f = feed_new(100, 1 << 20);
    orc_error_t err = NULL;
    struct store *s = NULL;
    int64_t rv = -1;
    tap_is_int(store_open(db, f, &s, &err), 0, "a connection with a feed");
    tap_is_int(store_resource_version(s, &rv, &err), 0, "the store's resourceVersion");
    feed_reset(f, rv);
    struct feed_watcher *w = NULL;
    feed_watch(f, rv, &w);
    struct pod *a = pod_of("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  "
                           "containers: [{name: c, image: busybox}]\n");
    enum apply_action act;
    store_apply_pods(s, &a, 1, &act, &err);
    DRAIN_IS(w, "ADDED Namespace/default, ADDED Pod/a", "apply: ADDED (its namespace made first)");
    store_apply_pods(s, &a, 1, &act, &err);
    DRAIN_IS(w, "", "an unchanged apply: nothing");
    json_auto_t *got = NULL;
    store_pod_get(s, "default", "a", &got, &err);
    const char *uid = orc_json_str(json_object_get(got, "metadata"), "uid");
    json_auto_t *st = json_pack("{s:s}", "phase", "Running");
    tap_is_int(store_pod_set_status(s, uid, st, &err), 0, "status written");
    struct feed_change *one[4];
    tap_is_int(feed_next(w, one, 4, NULL), 1, "a status: one change");
    tap_ok(one[0]->type == FEED_MODIFIED && strstr(one[0]->object, "\"Running\"") &&
               one[0]->previous && strstr(one[0]->previous, "\"Pending\""),
           "MODIFIED, with the object before it");
    feed_change_unref(one[0]);
    tap_is_int(store_pod_set_status(s, uid, st, &err), 0, "the same status again");
    DRAIN_IS(w, "", "the same status again: no change, no new resourceVersion");
    struct store_event_ref ref = {"Pod", "default", "a", uid};
    store_event_add(s, &ref, "Normal", "Started", "Started", &err);
    store_event_add(s, &ref, "Normal", "Started", "Started", &err);
    bool ok = true;
    _cleanup_free_ char *ev = drain(w, &ok);
    tap_ok(ok && !strncmp(ev, "ADDED Event/a.", 14) && strstr(ev, ", MODIFIED Event/a."),
           "an event, then its repetition: ADDED, MODIFIED (%s)", ev);
    json_t *del = NULL;
    struct store_delete d = {.grace = 0};
    store_pod_delete(s, "default", "a", &d, &del, &err);
    json_decref(del);
    DRAIN_IS(w, "MODIFIED Pod/a", "deletionTimestamp: MODIFIED");
    struct store *s2 = NULL;
    store_open(db, f, &s2, &err);
    int64_t before = 0, after = 0;
    store_resource_version(s2, &before, &err);
    tap_is_int(store_pod_remove(s2, uid, &err), 0, "removed through another connection");
    store_resource_version(s2, &after, &err);
    _cleanup_free_ char *gone = drain(w, &ok);
    tap_ok(ok && !strncmp(gone, "DELETED Pod/a, DELETED Event/a.", 31), "DELETED: %s", gone);
    tap_is_int(after - before, 2, "each deletion has a resourceVersion of its own");
    store_close(s2);
    json_auto_t *list = NULL;
    store_event_list(s, NULL, NULL, &list, &err);
    tap_is_int(json_array_size(list), 0, "the events went with the pod");
    feed_unwatch(w);
    store_close(s);
    pod_free(a);
    feed_free(f);
}

int main(void)
{
    test_ring();
    test_pending();
    test_budget();
    test_many_waiters();
    char dir[] = "/tmp/orc-feed-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    _cleanup_free_ char *db = orc_path_join(dir, "orc.db");
    test_store(db);
    (void) orc_rm_rf(dir, NULL);
    return tap_done();
}
