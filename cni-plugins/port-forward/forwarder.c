/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The forwarder helper. Host sockets were bound by the plugin before it started; the
 * helper then joins the pod's network namespace, so every socket it opens toward the pod is
 * inside it. TCP is spliced through pipes (no copy into user space); UDP is relayed per
 * client address, flows expiring after a minute without traffic.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cni.h"
#include "helper.h"
#include "netns.h"
#include "port-forward.h"
#include "xalloc.h"

#define PIPE_SIZE (1 << 20)
#define MAX_CONNS 4096
#define MAX_FLOWS 1024
#define FLOW_IDLE_S 60
#define UDP_MAX 65536

enum source_kind { SRC_CONTROL, SRC_LISTEN, SRC_CONN, SRC_FLOW };

struct source {
    enum source_kind kind;
    void *obj;
    int side; /* SRC_CONN: 0 = the host's client, 1 = the pod */
};

struct conn {
    struct source src[2];
    int fd[2];
    int pipe[2][2]; /* pipe[d] carries what fd[d] sent toward fd[!d] */
    size_t queued[2];
    bool eof[2], shut[2], connecting, closed;
    uint32_t events[2];
    struct conn *prev, *next;
};

struct flow {
    struct source src;
    struct port_mapping *m;
    struct sockaddr_storage client;
    socklen_t client_len;
    int fd;
    time_t last;
    bool closed;
    struct flow *next;
};

struct fwd {
    int ep, timer;
    struct conn *conns;
    size_t n_conns;
    struct flow *flows;
    size_t n_flows;
    size_t pipe_size;
    /* Closed but not yet freed: a later event of the same epoll batch may still point at
     * them, so they are freed only when the batch is done. */
    struct conn *closed_conns;
    struct flow *closed_flows;
};

static void watch(struct fwd *f, int fd, uint32_t events, struct source *s, int op)
{
    struct epoll_event ev = {.events = events, .data.ptr = s};
    (void) epoll_ctl(f->ep, op, fd, &ev);
}

static void conn_close(struct fwd *f, struct conn *c)
{
    for (int d = 0; d < 2; d++) {
        if (c->fd[d] >= 0)
            close(c->fd[d]);
        for (int k = 0; k < 2; k++)
            if (c->pipe[d][k] >= 0)
                close(c->pipe[d][k]);
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        f->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    f->n_conns--;
    c->closed = true;
    c->next = f->closed_conns;
    f->closed_conns = c;
}

/* The caller has unlinked the flow from f->flows. */
static void flow_close(struct fwd *f, struct flow *fl)
{
    close(fl->fd);
    f->n_flows--;
    fl->closed = true;
    fl->next = f->closed_flows;
    f->closed_flows = fl;
}

static void free_closed(struct fwd *f)
{
    while (f->closed_conns) {
        struct conn *c = f->closed_conns;
        f->closed_conns = c->next;
        free(c);
    }
    while (f->closed_flows) {
        struct flow *fl = f->closed_flows;
        f->closed_flows = fl->next;
        free(fl);
    }
}

/* Moves what can move in direction d; returns -1 on a broken connection. */
static int pump(struct fwd *f, struct conn *c, int d)
{
    for (;;) {
        bool progress = false;
        if (!c->eof[d] && c->queued[d] < f->pipe_size) {
            ssize_t n = splice(c->fd[d], NULL, c->pipe[d][1], NULL, f->pipe_size - c->queued[d],
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                c->queued[d] += (size_t) n;
                progress = true;
            } else if (n == 0) {
                c->eof[d] = true;
            } else if (errno != EAGAIN && errno != EINTR) {
                return -1;
            }
        }
        if (c->queued[d] > 0) {
            ssize_t n = splice(c->pipe[d][0], NULL, c->fd[!d], NULL, c->queued[d],
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                c->queued[d] -= (size_t) n;
                progress = true;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                return -1;
            }
        }
        if (!progress)
            break;
    }
    if (c->eof[d] && c->queued[d] == 0 && !c->shut[d]) {
        (void) shutdown(c->fd[!d], SHUT_WR);
        c->shut[d] = true;
    }
    return 0;
}

static void conn_update(struct fwd *f, struct conn *c)
{
    for (int s = 0; s < 2; s++) {
        uint32_t ev = 0;
        if (c->connecting)
            ev = s == 1 ? EPOLLOUT : 0;
        else {
            if (!c->eof[s] && c->queued[s] < f->pipe_size)
                ev |= EPOLLIN;
            if (c->queued[!s] > 0)
                ev |= EPOLLOUT;
        }
        if (ev != c->events[s]) {
            watch(f, c->fd[s], ev, &c->src[s], EPOLL_CTL_MOD);
            c->events[s] = ev;
        }
    }
}

static void on_conn(struct fwd *f, struct conn *c, uint32_t events)
{
    if (c->connecting) {
        int e = 0;
        socklen_t len = sizeof(e);
        if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &e, &len) < 0 || e != 0 ||
            (events & (EPOLLERR | EPOLLHUP))) {
            conn_close(f, c); /* nothing listens in the pod: the client sees a reset */
            return;
        }
        c->connecting = false;
    }
    /* after an error or a hang-up nothing more can move on that socket */
    if (pump(f, c, 0) < 0 || pump(f, c, 1) < 0 || (c->shut[0] && c->shut[1]) ||
        (events & (EPOLLERR | EPOLLHUP))) {
        conn_close(f, c);
        return;
    }
    conn_update(f, c);
}

/* The hop into the pod never leaves this machine: there is no congestion to find on it, and
 * a pacing algorithm chosen for real links (BBR) would cap it far below what the kernel can
 * move between two local sockets. Reno is built in and allowed to every user. */
static void local_congestion_control(int fd)
{
    static const char reno[] = "reno";
    (void) setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, reno, sizeof(reno) - 1);
}

static int make_pipe(int p[2], size_t size)
{
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    (void) fcntl(p[0], F_SETPIPE_SZ, (int) size);
    return 0;
}

static void on_accept(struct fwd *f, struct port_mapping *m)
{
    for (;;) {
        int client = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0)
            return;
        if (f->n_conns >= MAX_CONNS) {
            close(client);
            continue;
        }
        struct conn *c = xcalloc(1, sizeof(*c));
        c->fd[0] = client;
        c->fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->fd[1] >= 0)
            local_congestion_control(c->fd[1]);
        c->pipe[0][0] = c->pipe[0][1] = c->pipe[1][0] = c->pipe[1][1] = -1;
        c->next = f->conns;
        if (f->conns)
            f->conns->prev = c;
        f->conns = c;
        f->n_conns++;
        if (c->fd[1] < 0 || make_pipe(c->pipe[0], f->pipe_size) < 0 ||
            make_pipe(c->pipe[1], f->pipe_size) < 0 ||
            (connect(c->fd[1], (struct sockaddr *) &m->target, sizeof(m->target)) < 0 &&
             errno != EINPROGRESS)) {
            conn_close(f, c);
            continue;
        }
        c->connecting = true;
        for (int s = 0; s < 2; s++) {
            c->src[s] = (struct source){.kind = SRC_CONN, .obj = c, .side = s};
            c->events[s] = s == 1 ? EPOLLOUT : 0;
            watch(f, c->fd[s], c->events[s], &c->src[s], EPOLL_CTL_ADD);
        }
    }
}

static struct flow *flow_find(struct fwd *f, struct port_mapping *m,
                              const struct sockaddr_storage *a, socklen_t len)
{
    for (struct flow *fl = f->flows; fl; fl = fl->next)
        if (fl->m == m && fl->client_len == len && !memcmp(&fl->client, a, len))
            return fl;
    if (f->n_flows >= MAX_FLOWS)
        return NULL;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &m->target, sizeof(m->target)) < 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    struct flow *fl = xcalloc(1, sizeof(*fl));
    *fl = (struct flow){.m = m, .client_len = len, .fd = fd, .next = f->flows};
    memcpy(&fl->client, a, len);
    fl->src = (struct source){.kind = SRC_FLOW, .obj = fl};
    watch(f, fd, EPOLLIN, &fl->src, EPOLL_CTL_ADD);
    f->flows = fl;
    if (f->n_flows++ == 0) {
        struct itimerspec its = {.it_value = {FLOW_IDLE_S, 0}, .it_interval = {FLOW_IDLE_S, 0}};
        (void) timerfd_settime(f->timer, 0, &its, NULL);
    }
    return fl;
}

static void on_datagram(struct fwd *f, struct port_mapping *m)
{
    static char buf[UDP_MAX];
    for (int i = 0; i < 256; i++) {
        struct sockaddr_storage from;
        socklen_t len = sizeof(from);
        ssize_t n = recvfrom(m->listen_fd, buf, sizeof(buf), 0, (struct sockaddr *) &from, &len);
        if (n < 0)
            return;
        struct flow *fl = flow_find(f, m, &from, len);
        if (!fl)
            continue;
        fl->last = time(NULL);
        (void) send(fl->fd, buf, (size_t) n, 0);
    }
}

static void on_flow(struct flow *fl)
{
    static char buf[UDP_MAX];
    for (int i = 0; i < 256; i++) {
        ssize_t n = recv(fl->fd, buf, sizeof(buf), 0);
        if (n < 0)
            return;
        fl->last = time(NULL);
        (void) sendto(fl->m->listen_fd, buf, (size_t) n, 0, (struct sockaddr *) &fl->client,
                      fl->client_len);
    }
}

static void expire_flows(struct fwd *f)
{
    uint64_t ticks;
    (void) !read(f->timer, &ticks, sizeof(ticks));
    time_t now = time(NULL);
    for (struct flow **p = &f->flows; *p;) {
        struct flow *fl = *p;
        if (now - fl->last < FLOW_IDLE_S) {
            p = &fl->next;
            continue;
        }
        *p = fl->next;
        flow_close(f, fl);
    }
    if (f->n_flows == 0) {
        struct itimerspec off = {0};
        (void) timerfd_settime(f->timer, 0, &off, NULL);
    }
}

static void serve(struct fwd *f, struct source *control, struct source *timer)
{
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(f->ep, evs, 64, -1);
        if (n < 0 && errno != EINTR)
            return;
        for (int i = 0; i < n; i++) {
            struct source *s = evs[i].data.ptr;
            if (s == control)
                return; /* a signal, or the pod's end */
            if (s == timer)
                expire_flows(f);
            else if (s->kind == SRC_LISTEN) {
                struct port_mapping *m = s->obj;
                if (m->protocol == IPPROTO_TCP)
                    on_accept(f, m);
                else
                    on_datagram(f, m);
            } else if (s->kind == SRC_CONN) {
                struct conn *c = s->obj;
                if (!c->closed)
                    on_conn(f, c, evs[i].events);
            } else if (s->kind == SRC_FLOW) {
                struct flow *fl = s->obj;
                if (!fl->closed)
                    on_flow(fl);
            }
        }
        free_closed(f);
    }
}

int forwarder_main(void *arg, orc_error_t *err)
{
    struct forwarder_args *a = arg;
    struct fwd f = {.pipe_size = PIPE_SIZE};
    _cleanup_close_ int sig = helper_signal_fd(err);
    _cleanup_close_ int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (sig < 0)
        return -1;
    if (timer < 0)
        return orc_error_make(err, errno, "timerfd");
    if (netns_enter(a->netns_fd, err) < 0)
        return -1;
    f.ep = epoll_create1(EPOLL_CLOEXEC);
    f.timer = timer;
    if (f.ep < 0)
        return orc_error_make(err, errno, "epoll");
    struct source control = {.kind = SRC_CONTROL}, tick = {.kind = SRC_CONTROL};
    struct source *listen = xcalloc(a->n, sizeof(*listen));
    watch(&f, sig, EPOLLIN, &control, EPOLL_CTL_ADD);
    watch(&f, timer, EPOLLIN, &tick, EPOLL_CTL_ADD);
    if (a->owner_pidfd >= 0)
        watch(&f, a->owner_pidfd, EPOLLIN, &control, EPOLL_CTL_ADD);
    for (size_t i = 0; i < a->n; i++) {
        listen[i] = (struct source){.kind = SRC_LISTEN, .obj = &a->maps[i]};
        watch(&f, a->maps[i].listen_fd, EPOLLIN, &listen[i], EPOLL_CTL_ADD);
    }
    helper_ready();
    serve(&f, &control, &tick);
    while (f.conns)
        conn_close(&f, f.conns);
    while (f.flows) {
        struct flow *fl = f.flows;
        f.flows = fl->next;
        flow_close(&f, fl);
    }
    free_closed(&f);
    free(listen);
    close(f.ep);
    return 0;
}
