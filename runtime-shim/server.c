/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's event loop and control socket: newline-delimited JSON (ARCHITECTURE.md). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "binds.h"
#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "json-util.h"
#include "line-buf.h"
#include "log.h"
#include "shim.h"
#include "time-util.h"
#include "xalloc.h"

#define MAX_REQUEST (1024 * 1024)

struct client {
    int kind; /* WATCH_CLIENT */
    int fd;
    struct orc_line_buf in;
};

static int kind_listen = WATCH_LISTEN, kind_signal = WATCH_SIGNAL, kind_timer = WATCH_TIMER,
           kind_link = WATCH_LINK;

int server_watch(struct shim *s, int fd, void *ptr)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = ptr};
    return epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

static void send_json(struct client *c, json_t *msg)
{
    /* a client that went away reconnects and asks for status */
    (void) orc_json_send_line(c->fd, msg);
}

void server_broadcast(struct shim *s, json_t *msg)
{
    for (size_t i = 0; i < s->n_clients; i++)
        send_json(s->clients[i], msg);
    json_decref(msg);
}

void server_reply(struct client *c, long long id, json_t *fields, const char *error)
{
    json_t *r = fields ? fields : json_object();
    json_object_set_new(r, "id", json_integer(id));
    json_object_set_new(r, "ok", json_boolean(!error));
    if (error)
        json_object_set_new(r, "error", json_string(error));
    send_json(c, r);
    json_decref(r);
}

static json_t *containers_json(struct shim *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_ctrs; i++)
        json_array_append_new(a, ctr_status_json(s->ctrs[i]));
    return a;
}

/* Everything is stopped: clean up, answer the shutdown request and leave. */
static void finish_shutdown(struct shim *s)
{
    ctr_cleanup_all(s);
    _cleanup_free_ char *sock = orc_path_join(s->args.run_dir, "shim.sock");
    _cleanup_free_ char *pidf = orc_path_join(s->args.run_dir, "shim.pid");
    (void) unlink(sock);
    (void) unlink(pidf);
    if (s->shutdown_client)
        server_reply(s->shutdown_client, s->shutdown_id, NULL, NULL);
    log_info("pod '%s/%s': sandbox shut down", s->args.pod_namespace, s->args.pod_name);
    exit(0);
}

static void begin_shutdown(struct shim *s, struct client *c, long long id, int64_t grace)
{
    if (c && !s->shutdown_client) {
        s->shutdown_client = c;
        s->shutdown_id = id;
    } else if (c) {
        server_reply(c, id, NULL,
                     NULL); /* a repeated request: the first one gets the final answer */
    }
    s->shutting_down = true;
    ctr_abort_starts(s, "the sandbox is shutting down");
    for (size_t i = 0; i < s->n_ctrs; i++)
        if (s->ctrs[i]->state == CTR_RUNNING)
            ctr_stop(s, s->ctrs[i], grace);
    if (!ctr_any_running(s))
        finish_shutdown(s);
}

static void handle_request(struct shim *s, struct client *c, json_t *req)
{
    long long id = orc_json_int(req, "id", 0);
    const char *op = orc_json_str(req, "op");
    if (!op) {
        server_reply(c, id, NULL, "missing \"op\"");
    } else if (!strcmp(op, "hello") || !strcmp(op, "status")) {
        json_t *r = json_pack("{s:{s:s,s:s,s:s},s:i,s:o}", "pod", "uid", s->args.pod_uid, "name",
                              s->args.pod_name, "namespace", s->args.pod_namespace, "pid",
                              (int) getpid(), "containers", containers_json(s));
        server_reply(c, id, r, NULL);
    } else if (!strcmp(op, "start")) {
        orc_error_t err = NULL;
        int64_t timeout_ms = orc_json_int(req, "timeout_ms", 0);
        if (timeout_ms > 0) /* the agent's --runtime-request-timeout */
            s->runtime_timeout_ns = timeout_ms * NSEC_PER_MSEC;
        if (s->shutting_down)
            server_reply(c, id, NULL, "the sandbox is shutting down");
        else if (ctr_start(s, json_object_get(req, "container"), c, id, &err) < 0) {
            server_reply(c, id, NULL, orc_error_message(err));
            orc_error_release(&err);
        } /* else answered once the runtime is done */
    } else if (!strcmp(op, "stop")) {
        struct ctr *ctr = ctr_find(s, orc_json_str(req, "container"));
        if (!ctr)
            server_reply(c, id, NULL, "no such container");
        else {
            ctr_stop(s, ctr, orc_json_int(req, "grace", 30));
            server_reply(c, id, NULL, NULL);
        }
    } else if (!strcmp(op, "shutdown")) {
        begin_shutdown(s, c, id, orc_json_int(req, "grace", 30));
    } else if (!strcmp(op, "tmpfs")) {
        orc_error_t err = NULL;
        if (binds_tmpfs(&s->tmpfs_dirs, req, &err) < 0) {
            server_reply(c, id, NULL, orc_error_message(err));
            orc_error_release(&err);
        } else
            server_reply(c, id, NULL, NULL);
    } else {
        server_reply(c, id, NULL, "unknown op");
    }
}

static void drop_client(struct shim *s, size_t i)
{
    struct client *c = s->clients[i];
    if (s->shutdown_client == c)
        s->shutdown_client = NULL;
    ctr_forget_client(s, c);
    close(c->fd);
    orc_line_buf_done(&c->in);
    free(c);
    s->clients[i] = s->clients[--s->n_clients];
}

static void on_client(struct shim *s, struct client *c)
{
    size_t idx = 0;
    while (idx < s->n_clients && s->clients[idx] != c)
        idx++;
    ssize_t n = orc_line_buf_read(&c->in, c->fd, MAX_REQUEST);
    if (n == -EINTR || n == -EAGAIN)
        return;
    if (n <= 0 && n != -EMSGSIZE) {
        drop_client(s, idx);
        return;
    }
    size_t pos = 0, len;
    const char *line;
    while (orc_line_buf_next(&c->in, &pos, &line, &len)) {
        json_t *req = json_loadb(line, len, 0, NULL);
        if (req)
            handle_request(s, c, req);
        else
            server_reply(c, 0, NULL, "invalid JSON request");
        json_decref(req);
    }
    orc_line_buf_drop(&c->in, 0, pos);
    if (c->in.len >= MAX_REQUEST) {
        server_reply(c, 0, NULL, "request too long");
        drop_client(s, idx);
    }
}

static void on_listen(struct shim *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    struct client *c = xzalloc(sizeof(*c));
    c->kind = WATCH_CLIENT;
    c->fd = fd;
    s->clients = xrealloc(s->clients, sizeof(*s->clients) * (s->n_clients + 1));
    s->clients[s->n_clients++] = c;
    (void) server_watch(s, fd, c);
}

static void on_signal(struct shim *s)
{
    struct signalfd_siginfo si;
    while (read(s->signal_fd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGCHLD) {
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                ctr_reap(s, pid, status);
            if (s->shutting_down && !ctr_any_running(s))
                finish_shutdown(s);
        } else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            log_info("pod '%s/%s': signal %u, shutting down", s->args.pod_namespace,
                     s->args.pod_name, si.ssi_signo);
            begin_shutdown(s, NULL, 0, 30);
        }
    }
}

static void arm_timer(struct shim *s)
{
    int64_t next = ctr_next_deadline(s);
    struct itimerspec its = {0};
    if (next) {
        its.it_value.tv_sec = next / NSEC_PER_SEC;
        its.it_value.tv_nsec = next % NSEC_PER_SEC;
    }
    (void) timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int listen_socket(struct shim *s, orc_error_t *err)
{
    _cleanup_free_ char *path = orc_path_join(s->args.run_dir, "shim.sock");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path))
        return orc_error_make(err, ENAMETOOLONG, "socket path '%s'", path);
    strcpy(addr.sun_path, path);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0)
        return orc_error_make(err, errno, "socket");
    (void) unlink(path);
    if (bind(s->listen_fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || chmod(path, 0600) < 0 ||
        listen(s->listen_fd, 16) < 0)
        return orc_error_make(err, errno, "listen on '%s'", path);
    return 0;
}

static int setup(struct shim *s, orc_error_t *err)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    s->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (s->epoll_fd < 0 || s->signal_fd < 0 || s->timer_fd < 0)
        return orc_error_make(err, errno, "set up the event loop");
    if (listen_socket(s, err) < 0)
        return -1;
    if (server_watch(s, s->listen_fd, &kind_listen) < 0 ||
        server_watch(s, s->signal_fd, &kind_signal) < 0 ||
        server_watch(s, s->timer_fd, &kind_timer) < 0)
        return orc_error_make(err, errno, "epoll_ctl");
    /* the host's network is no pod's to watch */
    if (!s->args.host_network &&
        (link_watch_open(s, err) < 0 || server_watch(s, s->link_fd, &kind_link) < 0))
        return orc_error_wrap(err, "watch network interfaces");
    _cleanup_free_ char *pidf = orc_path_join(s->args.run_dir, "shim.pid");
    _cleanup_free_ char *pid = xasprintf("%d\n", (int) getpid());
    return orc_write_file_atomic(pidf, pid, strlen(pid), 0600, err);
}

int server_run(struct shim *s, orc_error_t *err)
{
    if (setup(s, err) < 0)
        return -1;
    if (s->args.sync_fd >= 0) {
        (void) orc_write_all(s->args.sync_fd, "ok\n", 3);
        close(s->args.sync_fd);
        s->args.sync_fd = -1;
    }
    log_info("pod '%s/%s': sandbox ready (pid %d)", s->args.pod_namespace, s->args.pod_name,
             (int) getpid());
    for (;;) {
        struct epoll_event evs[16];
        int n = epoll_wait(s->epoll_fd, evs, 16, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return orc_error_make(err, errno, "epoll_wait");
        for (int i = 0; i < n; i++) {
            int kind = *(int *) evs[i].data.ptr;
            if (kind == WATCH_LISTEN)
                on_listen(s);
            else if (kind == WATCH_SIGNAL)
                on_signal(s);
            else if (kind == WATCH_TIMER) {
                uint64_t v;
                (void) !read(s->timer_fd, &v, sizeof(v));
                ctr_kill_due(s, orc_time_mono_ns());
            } else if (kind == WATCH_LINK)
                link_watch_on_readable(s);
            else if (kind == WATCH_CLIENT)
                on_client(s, evs[i].data.ptr);
            else if (kind == WATCH_STREAM) {
                struct cri_stream *st = evs[i].data.ptr;
                if (st->fd >= 0)
                    ctr_on_output(s, st->owner, st);
            }
        }
        arm_timer(s);
    }
}
