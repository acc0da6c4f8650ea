/* SPDX-License-Identifier: Apache-2.0 */
/* Container logs: CRI files written by orc-shim, streamed as kubelet serves them. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/internal.h"
#include "api/log-options.h"
#include "api/log-reader.h"
#include "cleanup.h"
#include "json-util.h"
#include "orcd.h"
#include "store/store.h"
#include "time-util.h"
#include "xalloc.h"

static const json_t *container_status(const json_t *pod, const char *name)
{
    size_t i;
    json_t *cs;
    json_array_foreach(json_object_get(json_object_get(pod, "status"), "containerStatuses"), i, cs)
        if (!strcmp(orc_json_str(cs, "name") ?: "", name))
            return cs;
    return NULL;
}

/* One response: the file read through a log_reader; when following, until the container
 * instance is over, reopening the file when it was rotated. */
struct log_stream {
    struct orcd *o;
    struct log_reader *reader;
    bool follow;
    char *path, *uid, *container;
    int attempt;
    int inotify_fd;
    int client_fd;         /* the connection's socket: a follower that hung up ends the stream */
    long long limit_bytes; /* bytes still to send (?limitBytes), -1: no limit */
};

/* The followed container instance is over: pod gone, restarted, or not running. */
static bool follow_done(struct log_stream *ls)
{
    _cleanup_(store_closep) struct store *s = NULL;
    json_auto_t *pod = NULL;
    if (store_open(ls->o->paths.db, ls->o->feed, &s, NULL) < 0)
        return false;
    if (store_pod_get_by_uid(s, ls->uid, &pod, NULL) < 0)
        return true;
    const json_t *cs = container_status(pod, ls->container);
    if (!cs || orc_json_int(cs, "restartCount", 0) != ls->attempt)
        return true;
    return !json_object_get(json_object_get(cs, "state"), "running");
}

/* After the file read to its end: a new file at its path (rotated away) or a shorter one
 * (truncated) is read from its start; true when the reader switched. */
static bool follow_rotated(struct log_stream *ls)
{
    struct stat now, ours;
    int fd = log_reader_fd(ls->reader);
    if (stat(ls->path, &now) < 0 || fstat(fd, &ours) < 0)
        return false;
    off_t pos = lseek(fd, 0, SEEK_CUR);
    if (now.st_ino == ours.st_ino && now.st_dev == ours.st_dev && now.st_size >= pos)
        return false;
    int nfd = open(ls->path, O_RDONLY | O_CLOEXEC);
    if (nfd < 0)
        return false;
    log_reader_switch(ls->reader, nfd);
    (void) inotify_add_watch(ls->inotify_fd, ls->path, IN_MODIFY | IN_CLOSE_WRITE);
    return true;
}

/* Waits (at most a second) for the file or its directory to change; false when the client
 * has gone (the stream would otherwise hold its thread until the container exits). */
static bool follow_wait(struct log_stream *ls)
{
    struct pollfd p[2] = {{.fd = ls->inotify_fd, .events = POLLIN},
                          {.fd = ls->client_fd, .events = POLLRDHUP}};
    if (poll(p, 2, 1000) <= 0)
        return true;
    if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
        return false;
    if (p[0].revents & POLLIN) {
        char ev[4096];
        (void) !read(ls->inotify_fd, ev, sizeof(ev));
    }
    return true;
}

/* The next text of the log; when following, waits for more until the instance is over. */
static ssize_t stream_next(struct log_stream *ls, char *out, size_t max)
{
    for (;;) {
        ssize_t n = log_reader_read(ls->reader, out, max);
        if (n > 0)
            return n;
        if (n < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (!ls->follow)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (follow_rotated(ls))
            continue;
        if (follow_done(ls)) {
            /* one last read: the shim drains pipes before reporting the exit */
            n = log_reader_read(ls->reader, out, max);
            return n > 0 ? n : MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (!follow_wait(ls))
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
}

/* Up to ?limitBytes: the output stops there, within a line if it must (as kubelet's). */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void) pos;
    struct log_stream *ls = cls;
    if (ls->limit_bytes == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (ls->limit_bytes > 0 && (unsigned long long) ls->limit_bytes < max)
        max = (size_t) ls->limit_bytes;
    ssize_t n = stream_next(ls, out, max);
    if (n > 0 && ls->limit_bytes > 0)
        ls->limit_bytes -= n;
    return n;
}

static void stream_free(void *cls)
{
    struct log_stream *ls = cls;
    log_reader_free(ls->reader);
    safe_close(ls->inotify_fd);
    free(ls->path), free(ls->uid), free(ls->container);
    free(ls);
}

static int follow_watch(struct log_stream *ls)
{
    _cleanup_free_ char *dir = xstrdup(ls->path);
    *strrchr(dir, '/') = '\0';
    ls->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (ls->inotify_fd < 0 ||
        inotify_add_watch(ls->inotify_fd, ls->path, IN_MODIFY | IN_CLOSE_WRITE) < 0 ||
        inotify_add_watch(ls->inotify_fd, dir, IN_CREATE | IN_MOVED_TO) < 0)
        return -errno;
    return 0;
}

static int client_fd(struct request *r)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

/* Streams the file from offset (takes fd) as o asks; with follow, until the instance is
 * over. */
static enum MHD_Result serve_log(struct request *r, int fd, off_t offset, const char *path,
                                 const char *uid, int attempt, const struct log_options *o)
{
    struct log_stream *ls = xzalloc(sizeof(*ls));
    bool follow = o->follow && !o->previous;
    *ls = (struct log_stream){.o = r->o,
                              .reader = log_reader_new(fd, offset),
                              .follow = follow,
                              .path = xstrdup(path),
                              .uid = xstrdup(uid),
                              .container = xstrdup(o->container),
                              .attempt = attempt,
                              .inotify_fd = -1,
                              .client_fd = client_fd(r),
                              .limit_bytes = o->limit_bytes};
    log_reader_set_options(ls->reader, o->since_ns, o->timestamps);
    /* a followed stream is never idle, however quiet its container: the idle timeout is
     * off for it, and a client that hangs up is noticed by follow_wait */
    if (follow)
        (void) MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
    if (follow && follow_watch(ls) < 0) {
        stream_free(ls);
        return api_reply_status(r, 500, "InternalError", "cannot follow the log file", NULL);
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, LOG_READER_CHUNK, stream_read, ls, stream_free);
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    return api_queue_response(r, 200, resp);
}

/* Picks the container (the only one when not named) or answers the error. */
static const char *pick_container(struct request *r, const json_t *pod, const char *name,
                                  enum MHD_Result *ret)
{
    const char *c = api_query(r, "container");
    json_t *cs = json_object_get(json_object_get(pod, "spec"), "containers");
    if (c) {
        size_t i;
        json_t *v;
        json_array_foreach(cs, i, v)
            if (!strcmp(orc_json_str(v, "name") ?: "", c))
                return c;
        _cleanup_free_ char *msg = xasprintf("container %s is not valid for pod %s", c, name);
        *ret = api_reply_status(r, 400, "BadRequest", msg, NULL);
        return NULL;
    }
    if (json_array_size(cs) == 1)
        return orc_json_str(json_array_get(cs, 0), "name");
    _cleanup_free_ char *list = xstrdup("");
    size_t i;
    json_t *v;
    json_array_foreach(cs, i, v) {
        char *l = xasprintf("%s%s%s", list, i ? " " : "", orc_json_str(v, "name"));
        free(list);
        list = l;
    }
    _cleanup_free_ char *msg =
        xasprintf("a container name must be specified for pod %s, choose one of: [%s]", name, list);
    *ret = api_reply_status(r, 400, "BadRequest", msg, NULL);
    return NULL;
}

/* The latest instance's termination, when it failed to start (StartError): kubelet's
 * state.terminated, or lastState.terminated while it waits to be started again. */
static const json_t *start_failure(const json_t *cs)
{
    const json_t *state = json_object_get(cs, "state");
    const json_t *t = json_object_get(state, "terminated");
    if (!t && json_object_get(state, "waiting"))
        t = json_object_get(json_object_get(cs, "lastState"), "terminated");
    return t && !strcmp(orc_json_str(t, "reason") ?: "", "StartError") ? t : NULL;
}

/* A container with no output to show: why (it failed to start, or waits to). */
static enum MHD_Result not_started(struct request *r, const json_t *cs, const char *container,
                                   const char *name)
{
    const json_t *waiting = json_object_get(json_object_get(cs, "state"), "waiting");
    const char *reason = orc_json_str(waiting, "reason");
    const char *message = orc_json_str(waiting, "message");
    const json_t *failed = start_failure(cs);
    _cleanup_free_ char *msg = NULL;
    if (failed)
        msg =
            xasprintf("container \"%s\" in pod \"%s\" failed to start: %s%s%s%s", container, name,
                      orc_json_str(failed, "message") ?: "StartError",
                      reason ? " (waiting to start again: " : "", reason ?: "", reason ? ")" : "");
    else
        msg = xasprintf("container \"%s\" in pod \"%s\" is waiting to start: %s%s%s", container,
                        name, reason ?: "ContainerCreating", message ? ": " : "", message ?: "");
    return api_reply_status(r, 400, "BadRequest", msg, NULL);
}

static const char *query_value(void *arg, const char *key)
{
    struct request *r = arg;
    const char *v = api_query(r, key);
    return v ? v : api_query_has(r, key) ? "" : NULL;
}

/* The request's PodLogOptions, or the reply that refuses them (kube-apiserver's). */
static int parse_options(struct request *r, struct log_options *ret, enum MHD_Result *reply)
{
    orc_error_t err = NULL;
    if (log_options_parse(query_value, r, orc_time_now_ns(), ret, &err) == 0)
        return 0;
    if (orc_error_code(err) == -EBADMSG) {
        *reply = api_reply_status(r, 400, "BadRequest", orc_error_message(err), NULL);
    } else {
        _cleanup_free_ char *msg =
            xasprintf("PodLogOptions \"%s\" is invalid: %s", r->path.name, orc_error_message(err));
        *reply =
            api_reply_status(r, 422, "Invalid", msg,
                             json_pack("{s:s,s:s}", "name", r->path.name, "kind", "PodLogOptions"));
    }
    orc_error_release(&err);
    return -1;
}

enum MHD_Result api_logs(struct request *r)
{
    const char *ns = r->path.namespace, *name = r->path.name;
    enum MHD_Result ret = MHD_NO;
    struct log_options opts;
    if (parse_options(r, &opts, &ret) < 0)
        return ret;
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    json_auto_t *pod = NULL;
    if (api_open_store(r, &s, &err) < 0 || store_pod_get(s, ns, name, &pod, &err) < 0)
        return api_reply_error(r, &err, "pods", name);
    const char *container = pick_container(r, pod, name, &ret);
    if (!container)
        return ret;
    opts.container = container;
    const json_t *cs = container_status(pod, container);
    int latest = (int) orc_json_int(cs, "restartCount", 0), attempt = latest;
    bool previous = opts.previous;
    if (previous && attempt == 0) {
        _cleanup_free_ char *msg = xasprintf(
            "previous terminated container \"%s\" in pod \"%s\" not found", container, name);
        return api_reply_status(r, 400, "BadRequest", msg, NULL);
    }
    if (previous)
        attempt--;
    const char *uid = orc_json_str(json_object_get(pod, "metadata"), "uid");
    _cleanup_free_ char *dir = orc_paths_pod_log_dir(&r->o->paths, ns, name, uid);
    _cleanup_free_ char *path = xasprintf("%s/%s/%d.log", dir, container, attempt);
    if (access(path, F_OK) < 0 && !previous && attempt > 0) {
        /* waiting for its restart: the last instance is the container's, as kubelet shows */
        free(path);
        path = xasprintf("%s/%s/%d.log", dir, container, --attempt);
    }
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 && errno != ENOENT && errno != ENOTDIR) { /* else: there is no log */
        orc_error_make(&err, errno, "open the log of container '%s'", container);
        return api_reply_error(r, &err, NULL, NULL);
    }
    /* no output, and the latest instance failed to start: say why rather than nothing */
    bool empty = fd < 0 || (fstat(fd, &st) == 0 && st.st_size == 0);
    if (fd < 0 || (empty && !previous && attempt == latest && start_failure(cs)))
        return not_started(r, cs, container, name);
    off_t offset = 0;
    int e = opts.tail_lines >= 0 ? log_tail_offset(fd, opts.tail_lines, &offset) : 0;
    if (e < 0) {
        orc_error_make(&err, -e, "read the log of container '%s'", container);
        return api_reply_error(r, &err, NULL, NULL);
    }
    return serve_log(r, TAKE_FD(fd), offset, path, uid, attempt, &opts);
}
