/* SPDX-License-Identifier: Apache-2.0 */
/* Container logs: CRI files written by orc-shim, read as kubelet serves them. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "api/internal.h"
#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "orcd.h"
#include "store/store.h"
#include "xalloc.h"

#define MAX_LOG_READ (256u << 20)

size_t cri_to_text(const char *in, size_t len, char **out, size_t *out_len)
{
    size_t used = 0;
    while (used < len) {
        const char *line = in + used;
        const char *nl = memchr(line, '\n', len - used);
        if (!nl)
            break;
        used = (size_t) (nl - in) + 1;
        const char *sp1 = memchr(line, ' ', (size_t) (nl - line));
        const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t) (nl - sp1 - 1)) : NULL;
        if (!sp2 || sp2 + 2 > nl)
            continue; /* not a CRI line */
        bool partial = sp2[1] == 'P';
        const char *text = sp2 + 2 < nl && sp2[2] == ' ' ? sp2 + 3 : nl;
        size_t n = (size_t) (nl - text);
        *out = xrealloc(*out, *out_len + n + 2);
        memcpy(*out + *out_len, text, n);
        *out_len += n;
        if (!partial)
            (*out)[(*out_len)++] = '\n';
        (*out)[*out_len] = '\0';
    }
    return used;
}

/* Keeps the last n lines of text. */
static const char *tail_lines(const char *text, size_t len, long n)
{
    if (n < 0)
        return text;
    const char *p = text + len;
    if (p > text && p[-1] == '\n')
        p--;
    while (p > text && n > 0) {
        p--;
        if (*p == '\n')
            n--;
    }
    return n == 0 ? p + 1 : text;
}

static const json_t *container_status(const json_t *pod, const char *name)
{
    size_t i;
    json_t *cs;
    json_array_foreach(json_object_get(json_object_get(pod, "status"), "containerStatuses"), i, cs)
        if (!strcmp(orc_json_str(cs, "name") ?: "", name))
            return cs;
    return NULL;
}

struct follow {
    struct orcd *o;
    char *ns, *name, *container, *uid;
    int attempt;
    int fd, inotify_fd;
    char *buf;
    size_t len;
};

/* The followed container instance is over: pod gone, restarted, or not running. */
static bool follow_done(struct follow *f)
{
    _cleanup_(store_closep) struct store *s = NULL;
    json_auto_t *pod = NULL;
    if (store_open(f->o->paths.db, &s, NULL) < 0)
        return false;
    if (store_pod_get_by_uid(s, f->uid, &pod, NULL) < 0)
        return true;
    const json_t *cs = container_status(pod, f->container);
    if (!cs || orc_json_int(cs, "restartCount", 0) != f->attempt)
        return true;
    return !json_object_get(json_object_get(cs, "state"), "running");
}

static ssize_t follow_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void) pos;
    struct follow *f = cls;
    for (;;) {
        char chunk[16384];
        ssize_t n = read(f->fd, chunk, sizeof(chunk));
        if (n > 0) {
            f->buf = xrealloc(f->buf, f->len + (size_t) n);
            memcpy(f->buf + f->len, chunk, (size_t) n);
            f->len += (size_t) n;
            char *text = NULL;
            size_t tlen = 0;
            size_t used = cri_to_text(f->buf, f->len, &text, &tlen);
            memmove(f->buf, f->buf + used, f->len - used);
            f->len -= used;
            if (tlen == 0)
                continue;
            size_t k = tlen < max ? tlen : max; /* lines longer than max are cut, rare */
            memcpy(out, text, k);
            free(text);
            return (ssize_t) k;
        }
        if (follow_done(f)) {
            /* one last read: the shim drains pipes before reporting the exit */
            n = read(f->fd, chunk, 1);
            if (n > 0) {
                (void) lseek(f->fd, -1, SEEK_CUR);
                continue;
            }
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        struct pollfd p = {.fd = f->inotify_fd, .events = POLLIN};
        if (poll(&p, 1, 1000) > 0) {
            char ev[4096];
            (void) !read(f->inotify_fd, ev, sizeof(ev));
        }
    }
}

static void follow_free(void *cls)
{
    struct follow *f = cls;
    safe_close(f->fd);
    safe_close(f->inotify_fd);
    free(f->ns), free(f->name), free(f->container), free(f->uid), free(f->buf);
    free(f);
}

static enum MHD_Result serve_follow(struct request *r, const char *path, const char *uid,
                                    const char *ns, const char *name, const char *container,
                                    int attempt)
{
    struct follow *f = xzalloc(sizeof(*f));
    f->o = r->o;
    f->ns = xstrdup(ns), f->name = xstrdup(name), f->container = xstrdup(container);
    f->uid = xstrdup(uid);
    f->attempt = attempt;
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    f->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (f->fd < 0 || f->inotify_fd < 0 ||
        inotify_add_watch(f->inotify_fd, path, IN_MODIFY | IN_CLOSE_WRITE) < 0) {
        follow_free(f);
        return api_reply_status(r, 500, "InternalError", "cannot follow the log file", NULL);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, follow_read, f, follow_free);
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
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

enum MHD_Result api_logs(struct request *r, const char *ns, const char *name)
{
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    json_auto_t *pod = NULL;
    if (api_open_store(r, &s, &err) < 0 || store_pod_get(s, ns, name, &pod, &err) < 0)
        return api_reply_error(r, &err, "pods", name);
    enum MHD_Result ret = MHD_NO;
    const char *container = pick_container(r, pod, name, &ret);
    if (!container)
        return ret;
    const json_t *cs = container_status(pod, container);
    int attempt = (int) orc_json_int(cs, "restartCount", 0);
    bool previous = api_query_bool(r, "previous");
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
    if (access(path, F_OK) < 0) {
        const char *reason =
            orc_json_str(json_object_get(json_object_get(cs, "state"), "waiting"), "reason");
        _cleanup_free_ char *msg =
            xasprintf("container \"%s\" in pod \"%s\" is waiting to start: %s", container, name,
                      reason ? reason : "ContainerCreating");
        return api_reply_status(r, 400, "BadRequest", msg, NULL);
    }
    if (api_query_bool(r, "follow") && !previous)
        return serve_follow(r, path, uid, ns, name, container, attempt);
    _cleanup_free_ char *raw = NULL, *text = NULL;
    size_t len = 0, tlen = 0;
    if (orc_read_file(path, MAX_LOG_READ, &raw, &len, &err) < 0)
        return api_reply_error(r, &err, NULL, NULL);
    cri_to_text(raw, len, &text, &tlen);
    const char *tl = api_query(r, "tailLines");
    return api_reply_text(r, 200, text ? tail_lines(text, tlen, tl ? atol(tl) : -1) : "");
}
