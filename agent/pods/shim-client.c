/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/shim-client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "json-util.h"
#include "line-buf.h"
#include "time-util.h"
#include "xalloc.h"

#define SHIM_MAX_LINE (4u * 1024 * 1024)

struct shim_client {
    int fd;
    pid_t pid;
    int pidfd; /* of the peer, -1 if unknown */
    struct orc_line_buf in;
    long long next_id;
    bool eof;
};

int shim_client_connect(const char *socket_path, struct shim_client **ret, orc_error_t *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof(addr.sun_path))
        return orc_error_make(err, ENAMETOOLONG, "socket path '%s'", socket_path);
    strcpy(addr.sun_path, socket_path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return orc_error_make(err, errno, "socket");
    if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
        return orc_error_make(err, errno, "connect to shim '%s'", socket_path);
    struct ucred cred = {0};
    socklen_t len = sizeof(cred);
    struct shim_client *c = xzalloc(sizeof(*c));
    c->pidfd = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid > 0) {
        c->pid = cred.pid;
        c->pidfd = (int) syscall(SYS_pidfd_open, cred.pid, 0);
    }
    c->fd = TAKE_FD(fd);
    c->next_id = 1;
    *ret = c;
    return 0;
}

pid_t shim_client_pid(const struct shim_client *c)
{
    return c->pid;
}

int shim_client_kill(struct shim_client *c)
{
    if (c->pidfd < 0)
        return -ESRCH;
    if (syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0) < 0)
        return -errno;
    return 0;
}

struct shim_client *shim_client_free(struct shim_client *c)
{
    if (!c)
        return NULL;
    safe_close(c->fd);
    safe_close(c->pidfd);
    orc_line_buf_done(&c->in);
    free(c);
    return NULL;
}

int shim_client_fd(const struct shim_client *c)
{
    return c->fd;
}

static int send_request(struct shim_client *c, const char *op, const json_t *fields,
                        long long *ret_id, orc_error_t *err)
{
    json_auto_t *req = fields ? json_deep_copy(fields) : json_object();
    long long id = c->next_id++;
    json_object_set_new(req, "id", json_integer(id));
    json_object_set_new(req, "op", json_string(op));
    /* Requests are small: a full socket buffer means a shim that does not read. */
    int r = orc_json_send_line(c->fd, req);
    if (r == -EAGAIN)
        return orc_error_make(err, EAGAIN, "send '%s' to shim: it does not read", op);
    if (r < 0)
        return orc_error_make(err, -r, "send '%s' to shim", op);
    *ret_id = id;
    return 0;
}

int shim_client_send(struct shim_client *c, const char *op, const json_t *fields, orc_error_t *err)
{
    long long id;
    return send_request(c, op, fields, &id, err);
}

int shim_client_receive(struct shim_client *c, orc_error_t *err)
{
    if (c->eof)
        return 0;
    bool got = false;
    for (;;) {
        ssize_t n = orc_line_buf_read(&c->in, c->fd, SHIM_MAX_LINE);
        if (n == -EINTR)
            continue;
        if (n == -EAGAIN)
            return 1;
        if (n == -EMSGSIZE)
            return orc_error_make(err, EMSGSIZE, "shim message too long");
        if (n < 0)
            return orc_error_make(err, (int) -n, "read from shim");
        if (n == 0) {
            c->eof = true;
            return got ? 1 : 0;
        }
        got = true;
    }
}

json_t *shim_client_next(struct shim_client *c)
{
    size_t pos = 0, len;
    const char *line;
    json_t *msg = NULL;
    while (!msg && orc_line_buf_next(&c->in, &pos, &line, &len))
        msg = json_loadb(line, len, 0, NULL);
    orc_line_buf_drop(&c->in, 0, pos);
    return msg;
}

/* Takes the response with this id out of the buffer, leaving other messages queued. */
static json_t *take_response(struct shim_client *c, long long id)
{
    size_t start = 0, pos = 0, len;
    const char *line;
    while (orc_line_buf_next(&c->in, &pos, &line, &len)) {
        json_t *msg = json_loadb(line, len, 0, NULL);
        if (msg && orc_json_int(msg, "id", -1) == id && !json_object_get(msg, "event")) {
            orc_line_buf_drop(&c->in, start, pos - start);
            return msg;
        }
        json_decref(msg);
        start = pos;
    }
    return NULL;
}

int shim_client_call(struct shim_client *c, const char *op, const json_t *fields,
                     int64_t deadline_ns, int cancel_fd, json_t **ret_response, orc_error_t *err)
{
    long long id;
    if (send_request(c, op, fields, &id, err) < 0)
        return -1;
    for (;;) {
        json_t *resp = take_response(c, id);
        if (resp) {
            if (!json_is_true(json_object_get(resp, "ok"))) {
                int r = orc_error_make(err, 0, "%s", orc_json_str(resp, "error") ?: "shim error");
                json_decref(resp);
                return r;
            }
            if (ret_response)
                *ret_response = resp;
            else
                json_decref(resp);
            return 0;
        }
        if (c->eof)
            return orc_error_make(err, EPIPE, "shim closed the connection during '%s'", op);
        int64_t left = (deadline_ns - orc_time_mono_ns()) / NSEC_PER_MSEC;
        if (left <= 0)
            return orc_error_make_as(err, ETIMEDOUT, "shim did not answer '%s'", op);
        struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN}, {.fd = cancel_fd, .events = POLLIN}};
        int r = poll(p, cancel_fd >= 0 ? 2 : 1, (int) left);
        if (r < 0 && errno != EINTR)
            return orc_error_make(err, errno, "poll shim");
        if (r > 0 && cancel_fd >= 0 && p[1].revents)
            return orc_error_make_as(err, ECANCELED, "'%s' cancelled", op);
        if (r > 0 && shim_client_receive(c, err) < 0)
            return -1;
    }
}
