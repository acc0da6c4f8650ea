/* SPDX-License-Identifier: Apache-2.0 */
/* Watches (?watch=true): the store's change feed served as kube-apiserver serves watches. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/internal.h"
#include "api/negotiate.h"
#include "api/node-status.h"
#include "api/resources.h"
#include "api/table.h"
#include "cleanup.h"
#include "json-util.h"
#include "log.h"
#include "orcd.h"
#include "selector.h"
#include "store/feed.h"
#include "store/store.h"
#include "time-util.h"
#include "xalloc.h"

#define WATCH_BATCH 64             /* changes taken from the feed at once */
#define WATCH_CHUNK (64u * 1024)   /* most bytes handed to the connection per call */
#define MIN_REQUEST_TIMEOUT_S 1800 /* kube-apiserver's --min-request-timeout */

/* One watch: its filter, where it is in the feed, and the events not yet sent. */
struct watch {
    struct feed_watcher *w;
    const char *kind;
    char *api_version;
    char *namespace; /* NULL: every namespace */
    struct label_selector *labels;
    struct field_selector *fields;
    struct api_media media; /* the objects as they are, or as Tables or metadata */
    enum table_include include;
    bool columns_sent; /* a Table's column definitions come with the first event only */
    bool bookmarks;
    int64_t bookmark_every_ns, next_bookmark_ns, deadline_ns; /* monotonic */
    int client_fd;
    char *buf;
    size_t len, off, cap;
    bool ending; /* the last event in buf ends the stream */
    struct orcd *o;
    struct store *node_store; /* a watch of nodes: the Node made from its stored row */
};

static void watch_free(void *cls)
{
    struct watch *wt = cls;
    feed_unwatch(wt->w);
    store_close(wt->node_store);
    label_selector_free(wt->labels);
    field_selector_free(wt->fields);
    free(wt->api_version);
    free(wt->namespace);
    free(wt->buf);
    free(wt);
}

static void append(struct watch *wt, const char *data, size_t n)
{
    if (wt->len + n > wt->cap) {
        wt->cap = (wt->len + n) * 2;
        wt->buf = xrealloc(wt->buf, wt->cap);
    }
    memcpy(wt->buf + wt->len, data, n);
    wt->len += n;
}

/* {"type":TYPE,"object":OBJECT}\n */
static void append_event(struct watch *wt, const char *type, const char *object, size_t len)
{
    char head[48];
    int n = snprintf(head, sizeof(head), "{\"type\":\"%s\",\"object\":", type);
    append(wt, head, (size_t) n);
    append(wt, object, len);
    append(wt, "}\n", 2);
}

static void append_event_json(struct watch *wt, const char *type, json_t *object)
{
    _cleanup_free_ char *text = json_dumps(object, JSON_COMPACT);
    json_decref(object);
    append_event(wt, type, text, strlen(text));
}

/* The Node that its stored row (labels, annotations) stands for, as a read serves it. */
static char *node_object(struct watch *wt, const char *object, size_t len)
{
    json_auto_t *row = json_loadb(object, len, 0, NULL);
    json_auto_t *node = row ? node_status_node_json(wt->o, wt->node_store, row) : NULL;
    return node ? json_dumps(node, JSON_COMPACT) : NULL;
}

/* The object as the client asked for it: itself, a Table of one row, or its metadata. */
static void append_object_event(struct watch *wt, const char *type, const char *object, size_t len)
{
    _cleanup_free_ char *node = wt->node_store ? node_object(wt, object, len) : NULL;
    if (node) {
        object = node;
        len = strlen(node);
    }
    if (wt->media.as == API_AS_OBJECT) {
        append_event(wt, type, object, len);
        return;
    }
    json_auto_t *obj = json_loadb(object, len, 0, NULL);
    if (!obj)
        return;
    if (wt->media.as != API_AS_TABLE) {
        append_event_json(wt, type, table_partial_metadata(obj, wt->media.api_version));
        return;
    }
    struct table_options opt = {
        .api_version = wt->media.api_version, .include = wt->include, .now_ns = orc_time_now_ns()};
    json_auto_t *items = json_pack("[O]", obj);
    json_t *table = table_build(wt->kind, items, &opt);
    if (wt->columns_sent)
        json_object_del(table, "columnDefinitions");
    wt->columns_sent = true;
    json_t *rv = json_object_get(json_object_get(obj, "metadata"), "resourceVersion");
    if (rv)
        json_object_set(json_object_get(table, "metadata"), "resourceVersion", rv);
    append_event_json(wt, type, table);
}

/* Whether the watch's selectors take the object (JSON text). */
static bool selected(const struct watch *wt, const char *object)
{
    if (!wt->labels && !wt->fields)
        return true;
    json_auto_t *obj = json_loads(object, 0, NULL);
    return obj && (!wt->labels || label_selector_matches_object(wt->labels, obj)) &&
           (!wt->fields || field_selector_matches(wt->fields, obj));
}

/* A change of the watched kind and namespace as the API server's watch cache sends it: with
 * selectors, an object that comes to match them is ADDED, and one that stops matching them is
 * DELETED (its state before, under the change's resourceVersion). */
static void append_change(struct watch *wt, const struct feed_change *c)
{
    if (strcmp(c->kind, wt->kind) || (wt->namespace && strcmp(c->namespace, wt->namespace)))
        return;
    bool now = selected(wt, c->object);
    bool before = c->previous && (wt->labels || wt->fields) ? selected(wt, c->previous) : now;
    if (now) {
        append_object_event(wt, before ? feed_type_to_string(c->type) : "ADDED", c->object,
                            c->object_len);
        return;
    }
    json_auto_t *prev = before && c->previous ? json_loads(c->previous, 0, NULL) : NULL;
    if (!prev)
        return;
    json_object_set_new(json_object_get(prev, "metadata"), "resourceVersion",
                        json_sprintf("%lld", (long long) c->rv));
    _cleanup_free_ char *text = json_dumps(prev, JSON_COMPACT);
    append_object_event(wt, "DELETED", text, strlen(text));
}

/* A BOOKMARK: the position, from which a new watch would miss nothing (as an object of the
 * watched kind with nothing but it; a Table without rows). */
static void append_bookmark(struct watch *wt, bool initial_end)
{
    bool table = wt->media.as == API_AS_TABLE;
    json_t *obj =
        json_pack("{s:s,s:s,s:{s:o}}", "kind", table ? "Table" : wt->kind, "apiVersion",
                  table ? wt->media.api_version : wt->api_version, "metadata", "resourceVersion",
                  json_sprintf("%lld", (long long) feed_watcher_rv(wt->w)));
    if (table)
        json_object_set_new(obj, "rows", json_array());
    if (initial_end)
        json_object_set_new(json_object_get(obj, "metadata"), "annotations",
                            json_pack("{s:s}", "k8s.io/initial-events-end", "true"));
    append_event_json(wt, "BOOKMARK", obj);
}

/* 410 Gone as a watch reports it: an ERROR event with an Expired Status, then the end. */
static void append_expired(struct watch *wt, int64_t oldest)
{
    _cleanup_free_ char *msg = xasprintf("too old resource version: %lld (%lld)",
                                         (long long) feed_watcher_rv(wt->w), (long long) oldest);
    append_event_json(wt, "ERROR",
                      json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind", "Status", "apiVersion",
                                "v1", "metadata", "status", "Failure", "message", msg, "reason",
                                "Expired", "code", 410));
    wt->ending = true;
}

/* Takes what the feed has after the position into buf: > 0 when the feed had something (it
 * may all have been filtered out), 0 when not, < 0 when the stream ends (-ESHUTDOWN). */
static ssize_t take_changes(struct watch *wt)
{
    struct feed_change *changes[WATCH_BATCH];
    int64_t oldest = 0;
    ssize_t n = feed_next(wt->w, changes, WATCH_BATCH, &oldest);
    if (n == -ESTALE) {
        append_expired(wt, oldest);
        return 1;
    }
    for (ssize_t i = 0; i < n; i++) {
        append_change(wt, changes[i]);
        feed_change_unref(changes[i]);
    }
    return n;
}

/* Waits for the feed, the next bookmark or the deadline; false when the client hung up. */
static bool wait_for_more(struct watch *wt, int64_t until_ns)
{
    int64_t left = until_ns - orc_time_mono_ns();
    int ms = left <= 0 ? 0 : (int) ((left + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
    struct pollfd p[2] = {{.fd = feed_watcher_fd(wt->w), .events = POLLIN},
                          {.fd = wt->client_fd, .events = POLLRDHUP}};
    if (poll(p, wt->client_fd >= 0 ? 2 : 1, ms) <= 0)
        return true;
    return !(p[1].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

/* Fills buf with the next events; false at the end of the stream. */
static bool next_events(struct watch *wt, bool *ret_gone)
{
    for (;;) {
        if (wt->ending)
            return false;
        ssize_t n = take_changes(wt);
        if (n < 0)
            return false;
        if (wt->len)
            return true;
        if (n > 0)
            continue; /* all filtered out: there may be more */
        int64_t now = orc_time_mono_ns();
        if (now >= wt->deadline_ns)
            return false;
        if (wt->bookmarks && now >= wt->next_bookmark_ns) {
            wt->next_bookmark_ns = now + wt->bookmark_every_ns;
            append_bookmark(wt, false);
            return true;
        }
        int64_t until = wt->bookmarks && wt->next_bookmark_ns < wt->deadline_ns
                            ? wt->next_bookmark_ns
                            : wt->deadline_ns;
        if (!wait_for_more(wt, until)) {
            *ret_gone = true;
            return false;
        }
    }
}

static ssize_t watch_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void) pos;
    struct watch *wt = cls;
    if (wt->off == wt->len) {
        wt->off = wt->len = 0;
        bool gone = false;
        if (!next_events(wt, &gone))
            return gone ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = wt->len - wt->off < max ? wt->len - wt->off : max;
    memcpy(out, wt->buf + wt->off, n);
    wt->off += n;
    return (ssize_t) n;
}

/* The snapshot's objects, as ADDED events. */
static void add_existing(void *arg, const char *json, size_t len)
{
    struct watch *wt = arg;
    if (selected(wt, json))
        append_object_event(wt, "ADDED", json, len);
}

/* ?timeoutSeconds=N; none or 0: kube-apiserver's, between 1 and 2 min-request-timeouts. */
static int timeout_query(struct request *r, int64_t *ret_ns)
{
    const char *t = api_query(r, "timeoutSeconds");
    char *end = NULL;
    long long s = t ? strtoll(t, &end, 10) : 0;
    if (t && (!*t || *end || s < 0))
        return -EINVAL;
    if (s == 0) {
        unsigned short x = 0;
        (void) !getrandom(&x, sizeof(x), 0);
        *ret_ns =
            (MIN_REQUEST_TIMEOUT_S + (int64_t) MIN_REQUEST_TIMEOUT_S * x / 65536) * NSEC_PER_SEC;
    } else {
        *ret_ns = s * NSEC_PER_SEC;
    }
    return 0;
}

/* ?resourceVersion=N: -1 for none (or "0": from the current state), else N. */
static int rv_query(struct request *r, int64_t *ret)
{
    const char *v = api_query(r, "resourceVersion");
    char *end = NULL;
    long long n = v && *v ? strtoll(v, &end, 10) : 0;
    if (v && *v && (*end || n < 0))
        return -EINVAL;
    *ret = n > 0 ? n : -1;
    return 0;
}

/* The request's options into wt; a message for a 400 (406 in *ret_code: nothing acceptable),
 * freed by the caller, or NULL. */
static char *watch_options(struct request *r, struct watch *wt, int64_t *ret_rv, unsigned *ret_code)
{
    orc_error_t err = NULL;
    int64_t timeout = 0;
    if (rv_query(r, ret_rv) < 0)
        return xasprintf("invalid resource version: %s", api_query(r, "resourceVersion"));
    if (timeout_query(r, &timeout) < 0)
        return xstrdup("timeoutSeconds must be a non-negative integer");
    if (api_negotiate(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept"), &wt->media) <
        0) {
        *ret_code = 406;
        return xstrdup("only JSON is served: application/json, with as=Table or "
                       "as=PartialObjectMetadata of meta.k8s.io v1 or v1beta1");
    }
    wt->include = table_include_from_string(api_query(r, "includeObject"));
    if ((int) wt->include < 0)
        return xasprintf("invalid includeObject: %s", api_query(r, "includeObject"));
    const char *ls = api_query(r, "labelSelector"), *fs = api_query(r, "fieldSelector");
    if ((ls && *ls && label_selector_parse(ls, &wt->labels, &err) < 0) ||
        (fs && *fs && field_selector_parse(fs, wt->kind, &wt->fields, &err) < 0)) {
        char *msg = xstrdup(orc_error_message(err));
        orc_error_release(&err);
        return msg;
    }
    int64_t now = orc_time_mono_ns();
    wt->deadline_ns = now + timeout;
    wt->bookmarks = api_query_bool(r, "allowWatchBookmarks");
    wt->bookmark_every_ns = r->o->config.watch_bookmark_ns;
    wt->next_bookmark_ns = now + wt->bookmark_every_ns;
    return NULL;
}

static int client_socket(struct request *r)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

static struct watch *watch_new(struct request *r)
{
    const struct api_resource *res = r->res;
    struct watch *wt = xzalloc(sizeof(*wt));
    wt->kind = res->kind;
    wt->api_version =
        *res->group ? xasprintf("%s/%s", res->group, res->version) : xstrdup(res->version);
    wt->namespace = r->path.namespace ? xstrdup(r->path.namespace) : NULL;
    wt->client_fd = client_socket(r);
    wt->o = r->o;
    return wt;
}

/* Without a resourceVersion (or "0"), and with sendInitialEvents: ADDED for every object
 * there is, then the changes after them. */
static int start_from_snapshot(struct request *r, struct watch *wt, orc_error_t *err)
{
    _cleanup_(store_closep) struct store *s = NULL;
    int64_t rv = 0;
    if (api_open_store(r, &s, err) < 0 ||
        store_snapshot(s, wt->kind, wt->namespace, add_existing, wt, &rv, err) < 0)
        return -1;
    feed_watcher_seek(wt->w, rv);
    if (wt->bookmarks && api_query_bool(r, "sendInitialEvents"))
        append_bookmark(wt, true);
    return 0;
}

enum MHD_Result api_watch(struct request *r)
{
    struct watch *wt = watch_new(r);
    int64_t rv = -1;
    unsigned code = 400;
    _cleanup_free_ char *bad = watch_options(r, wt, &rv, &code);
    if (bad) {
        watch_free(wt);
        return api_reply_status(r, code, code == 406 ? "NotAcceptable" : "BadRequest", bad, NULL);
    }
    orc_error_t err = NULL;
    if (!strcmp(wt->kind, "Node") && api_open_store(r, &wt->node_store, &err) < 0) {
        watch_free(wt);
        return api_reply_error(r, &err, NULL, NULL);
    }
    int e = feed_watch(r->o->feed, rv < 0 ? 0 : rv, &wt->w);
    if (e < 0) {
        watch_free(wt);
        return e == -EMFILE ? api_reply_status(r, 429, "TooManyRequests",
                                               "too many watches: try again later", NULL)
                            : api_reply_status(r, 503, "ServiceUnavailable",
                                               "the agent is shutting down", NULL);
    }
    if ((rv < 0 || api_query_bool(r, "sendInitialEvents")) &&
        start_from_snapshot(r, wt, &err) < 0) {
        watch_free(wt);
        return api_reply_error(r, &err, NULL, NULL);
    }
    /* a watch is never idle however quiet its objects: no idle timeout; a client that hangs
     * up is noticed while waiting for changes */
    (void) MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WATCH_CHUNK,
                                                                  watch_read, wt, watch_free);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}
