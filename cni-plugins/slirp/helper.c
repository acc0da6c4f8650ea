/* SPDX-License-Identifier: Apache-2.0 */
/* The slirp helper: one per pod, on the host side, moving frames between tap and libslirp. */
#include <arpa/inet.h>
#include <errno.h>
#include <libslirp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cni.h"
#include "fd-util.h"
#include "helper.h"
#include "slirp-plugin.h"
#include "xalloc.h"

#define FRAME_MAX 65536

struct timer {
    SlirpTimerId id;
    void *cb_opaque;
    int64_t expire_ms; /* -1 = not armed */
    struct timer *next;
};

struct loop {
    Slirp *slirp;
    int tap;
    struct pollfd *fds;
    size_t n_fds, cap_fds;
    struct timer *timers;
    struct dns_proxy *dns;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct loop *l = opaque;
    ssize_t n = write(l->tap, buf, len);
    return n < 0 ? -errno : n;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void) opaque;
    fprintf(stderr, "slirp: guest error: %s\n", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void) opaque;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    struct loop *l = opaque;
    struct timer *t = xmalloc(sizeof(*t));
    *t = (struct timer){.id = id, .cb_opaque = cb_opaque, .expire_ms = -1, .next = l->timers};
    l->timers = t;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    struct loop *l = opaque;
    for (struct timer **p = &l->timers; *p; p = &(*p)->next)
        if (*p == timer) {
            *p = (*p)->next;
            free(timer);
            return;
        }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void) opaque;
    ((struct timer *) timer)->expire_ms = expire_ms;
}

static void cb_noop_fd(int fd, void *opaque)
{
    (void) fd;
    (void) opaque;
}

static void cb_notify(void *opaque)
{
    (void) opaque;
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_noop_fd,
    .unregister_poll_fd = cb_noop_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

static int add_fd(struct loop *l, int fd, short events)
{
    if (l->n_fds == l->cap_fds) {
        l->cap_fds = l->cap_fds ? l->cap_fds * 2 : 16;
        l->fds = xrealloc(l->fds, l->cap_fds * sizeof(*l->fds));
    }
    l->fds[l->n_fds] = (struct pollfd){.fd = fd, .events = events};
    return (int) l->n_fds++;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
    short e = 0;
    e |= (events & SLIRP_POLL_IN) ? POLLIN : 0;
    e |= (events & SLIRP_POLL_OUT) ? POLLOUT : 0;
    e |= (events & SLIRP_POLL_PRI) ? POLLPRI : 0;
    return add_fd(opaque, fd, e);
}

static int cb_get_revents(int idx, void *opaque)
{
    struct loop *l = opaque;
    short r = l->fds[idx].revents;
    int e = 0;
    e |= (r & POLLIN) ? SLIRP_POLL_IN : 0;
    e |= (r & POLLOUT) ? SLIRP_POLL_OUT : 0;
    e |= (r & POLLPRI) ? SLIRP_POLL_PRI : 0;
    e |= (r & POLLERR) ? SLIRP_POLL_ERR : 0;
    e |= (r & POLLHUP) ? SLIRP_POLL_HUP : 0;
    return e;
}

static uint32_t timers_timeout(const struct loop *l)
{
    int64_t now = now_ms(), best = -1;
    for (const struct timer *t = l->timers; t; t = t->next)
        if (t->expire_ms >= 0 && (best < 0 || t->expire_ms < best))
            best = t->expire_ms;
    if (best < 0)
        return UINT32_MAX;
    return best <= now ? 0 : (uint32_t) (best - now);
}

static void timers_run(struct loop *l)
{
    int64_t now = now_ms();
    bool fired;
    do { /* a callback may free or re-arm timers: rescan after each */
        fired = false;
        for (struct timer *t = l->timers; t; t = t->next)
            if (t->expire_ms >= 0 && t->expire_ms <= now) {
                t->expire_ms = -1;
                slirp_handle_timer(l->slirp, t->id, t->cb_opaque);
                fired = true;
                break;
            }
    } while (fired);
}

static void read_tap(struct loop *l)
{
    static uint8_t frame[FRAME_MAX];
    for (int i = 0; i < 64; i++) { /* bounded, so the sockets get their turn */
        ssize_t n = read(l->tap, frame, sizeof(frame));
        if (n <= 0)
            return;
        if (l->dns && dns_proxy_intercept(l->dns, frame, (size_t) n))
            continue;
        slirp_input(l->slirp, frame, (int) n);
    }
}

static void slirp_config_of(const struct slirp_conf *c, SlirpConfig *cfg)
{
    *cfg = (SlirpConfig){.version = 4,
                         .in_enabled = true,
                         .if_mtu = (size_t) c->mtu,
                         .if_mru = (size_t) c->mtu,
                         .disable_host_loopback = !c->host_loopback,
                         .disable_dhcp = true,
                         .in6_enabled = c->ipv6,
                         .vprefix_len = 64};
    inet_pton(AF_INET, SLIRP_NETWORK, &cfg->vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg->vnetmask);
    inet_pton(AF_INET, SLIRP_GATEWAY, &cfg->vhost);
    inet_pton(AF_INET, "10.0.2.15", &cfg->vdhcp_start);
    inet_pton(AF_INET, SLIRP_DNS, &cfg->vnameserver);
    inet_pton(AF_INET6, SLIRP_PREFIX6, &cfg->vprefix_addr6);
    inet_pton(AF_INET6, SLIRP_GATEWAY6, &cfg->vhost6);
    inet_pton(AF_INET6, SLIRP_DNS6, &cfg->vnameserver6);
}

/* One turn: poll everything, feed libslirp; false once the helper should exit. */
static bool turn(struct loop *l, int sig, int owner)
{
    l->n_fds = 0;
    int i_tap = add_fd(l, l->tap, POLLIN);
    int i_sig = add_fd(l, sig, POLLIN);
    int i_owner = owner >= 0 ? add_fd(l, owner, POLLIN) : -1;
    int i_dns = l->dns ? add_fd(l, dns_proxy_fd(l->dns), POLLIN) : -1;
    uint32_t timeout = timers_timeout(l);
    slirp_pollfds_fill(l->slirp, &timeout, cb_add_poll, l);
    int r = poll(l->fds, l->n_fds, timeout == UINT32_MAX ? -1 : (int) timeout);
    if (r < 0 && errno != EINTR) {
        fprintf(stderr, "slirp: poll: %s\n", strerror(errno));
        return false;
    }
    if (r > 0 && (l->fds[i_sig].revents || (i_owner >= 0 && l->fds[i_owner].revents)))
        return false;
    if (r > 0 && (l->fds[i_tap].revents & (POLLERR | POLLHUP | POLLNVAL)))
        return false; /* the tap device is gone with its namespace */
    if (r > 0 && (l->fds[i_tap].revents & POLLIN))
        read_tap(l);
    if (i_dns >= 0 && r > 0 && (l->fds[i_dns].revents & POLLIN))
        dns_proxy_on_readable(l->dns, l->tap);
    slirp_pollfds_poll(l->slirp, r < 0, cb_get_revents, l);
    timers_run(l);
    return true;
}

int slirp_helper_main(void *arg, orc_error_t *err)
{
    struct slirp_helper_args *h = arg;
    struct loop l = {.tap = h->tap_fd};
    _cleanup_close_ int sig = helper_signal_fd(err);
    if (sig < 0)
        return -1;
    if (h->conf.has_upstream && dns_proxy_new(&h->conf.upstream, &l.dns, err) < 0)
        return -1;
    orc_set_nonblock(l.tap, true);
    SlirpConfig cfg;
    slirp_config_of(&h->conf, &cfg);
    l.slirp = slirp_new(&cfg, &callbacks, &l);
    if (!l.slirp)
        return cni_error(err, CNI_ERR_PLUGIN, "libslirp refused its configuration");
    helper_ready();
    while (turn(&l, sig, h->owner_pidfd))
        ;
    slirp_cleanup(l.slirp);
    while (l.timers) {
        struct timer *t = l.timers;
        l.timers = t->next;
        free(t);
    }
    dns_proxy_free(l.dns);
    free(l.fds);
    return 0;
}
