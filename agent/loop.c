/* SPDX-License-Identifier: Apache-2.0 */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "cleanup.h"
#include "json-util.h"
#include "images/gc.h"
#include "log.h"
#include "notify.h"
#include "orcd.h"
#include "pods/worker.h"
#include "pods/shim-client.h"
#include "store/store.h"
#include "time-util.h"
#include "xalloc.h"

/* epoll tags for the loop's own fds; any other data.ptr is a pod worker. */
static char tag_wake, tag_signal, tag_timer, tag_watchdog;
static int signal_fd = -1, timer_fd = -1, watchdog_fd = -1;

static int epoll_add(struct orcd *o, int fd, void *ptr, orc_error_t *err)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = ptr};
    if (epoll_ctl(o->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return orc_error_make(err, errno, "epoll_ctl");
    return 0;
}

int loop_init(struct orcd *o, orc_error_t *err)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    /* main() blocked these before any thread started, so only the signalfd sees them. */
    o->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    timer_fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
    if (o->epoll_fd < 0 || signal_fd < 0 || timer_fd < 0)
        return orc_error_make(err, errno, "set up the event loop");
    if (epoll_add(o, o->wake_fd, &tag_wake, err) < 0 ||
        epoll_add(o, signal_fd, &tag_signal, err) < 0 ||
        epoll_add(o, timer_fd, &tag_timer, err) < 0)
        return -1;
    /* under systemd with WatchdogSec: a ping at half the interval, the only periodic wake-up */
    int64_t wd = notify_watchdog_ns() / 2;
    if (wd > 0) {
        watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        struct itimerspec its = {.it_value = {wd / NSEC_PER_SEC, wd % NSEC_PER_SEC},
                                 .it_interval = {wd / NSEC_PER_SEC, wd % NSEC_PER_SEC}};
        if (watchdog_fd < 0 || timerfd_settime(watchdog_fd, 0, &its, NULL) < 0 ||
            epoll_add(o, watchdog_fd, &tag_watchdog, err) < 0)
            return orc_error_make(err, errno, "watchdog timer");
    }
    return 0;
}

void loop_done(struct orcd *o)
{
    if (watchdog_fd >= 0) {
        close(watchdog_fd);
        watchdog_fd = -1;
    }
    for (size_t i = 0; i < o->n_workers; i++)
        pod_worker_free(o->workers[i]);
    free(o->workers);
    o->workers = NULL;
    o->n_workers = 0;
    signal_fd = safe_close(signal_fd);
    timer_fd = safe_close(timer_fd);
    o->epoll_fd = safe_close(o->epoll_fd);
}

void loop_watch_worker(struct orcd *o, struct pod_worker *w)
{
    orc_error_t err = NULL;
    if (epoll_add(o, shim_client_fd(w->shim), w, &err) < 0) {
        log_error("pod '%s': watch shim: %s", w->pod->name, orc_error_message(err));
        orc_error_release(&err);
    }
}

void loop_unwatch_worker(struct orcd *o, struct pod_worker *w)
{
    (void) epoll_ctl(o->epoll_fd, EPOLL_CTL_DEL, shim_client_fd(w->shim), NULL);
}

static struct pod_worker *find_worker(struct orcd *o, const char *uid)
{
    for (size_t i = 0; i < o->n_workers; i++)
        if (strcmp(o->workers[i]->uid, uid) == 0)
            return o->workers[i];
    return NULL;
}

/* Desired state from the store: new pods get workers, changed ones are updated. */
static void reconcile_store(struct orcd *o)
{
    json_auto_t *items = NULL;
    orc_error_t err = NULL;
    if (store_pod_list(o->store, NULL, &items, &err) < 0) {
        log_error("list pods: %s", orc_error_message(err));
        orc_error_release(&err);
        return;
    }
    size_t i;
    json_t *obj;
    json_array_foreach(items, i, obj) {
        json_t *meta = json_object_get(obj, "metadata");
        const char *uid = orc_json_str(meta, "uid");
        const char *rv = orc_json_str(meta, "resourceVersion");
        struct pod_worker *w = uid ? find_worker(o, uid) : NULL;
        if (!uid)
            continue;
        if (!w) {
            w = pod_worker_new(o, obj);
            if (!w)
                continue;
            o->workers = xrealloc(o->workers, sizeof(*o->workers) * (o->n_workers + 1));
            o->workers[o->n_workers++] = w;
        } else if (rv && (!w->resource_version || strcmp(rv, w->resource_version) != 0)) {
            pod_worker_update(w, obj);
        }
    }
}

/* Moves every pod forward, writes statuses, drops finished workers, re-arms the timer. */
static void sync_all(struct orcd *o)
{
    for (size_t i = 0; i < o->n_workers; i++) {
        pod_worker_sync(o->workers[i]);
        pod_worker_dispatch(o->workers[i]); /* events that came with the answers to requests */
        pod_worker_flush_status(o->workers[i]);
    }
    size_t k = 0;
    int64_t next = 0;
    for (size_t i = 0; i < o->n_workers; i++) {
        struct pod_worker *w = o->workers[i];
        if (w->state == WORKER_TERMINATED) {
            pod_worker_free(w);
            continue;
        }
        int64_t d = pod_worker_next_deadline(w);
        if (d && (!next || d < next))
            next = d;
        o->workers[k++] = w;
    }
    o->n_workers = k;
    struct itimerspec its = {0};
    if (next) {
        its.it_value.tv_sec = next / NSEC_PER_SEC;
        its.it_value.tv_nsec = next % NSEC_PER_SEC;
    }
    (void) timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* After a pull: kubelet's image garbage collection, if the disk is above the threshold. */
static void collect_images(struct orcd *o)
{
    o->gc_due = false;
    int removed = 0;
    orc_error_t err = NULL;
    if (image_gc_run(o->images, o->store, o->config.image_gc_high, o->config.image_gc_low, &removed,
                     &err) < 0) {
        log_warn("image garbage collection: %s, ignoring", orc_error_message(err));
        orc_error_release(&err);
    }
}

static void handle_signal(struct orcd *o)
{
    struct signalfd_siginfo si;
    while (read(signal_fd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGHUP)
            continue;
        log_info("received signal %u: stopping; pods keep running", si.ssi_signo);
        o->stopping = true;
    }
}

static void handle_event(struct orcd *o, void *ptr)
{
    uint64_t v;
    if (ptr == &tag_wake) {
        while (read(o->wake_fd, &v, sizeof(v)) == sizeof(v))
            ;
        reconcile_store(o);
        if (o->gc_due)
            collect_images(o);
    } else if (ptr == &tag_signal) {
        handle_signal(o);
    } else if (ptr == &tag_watchdog) {
        while (read(watchdog_fd, &v, sizeof(v)) == sizeof(v))
            ;
        notify_send("WATCHDOG=1"); /* the loop turns: the agent is alive */
    } else if (ptr == &tag_timer) {
        while (read(timer_fd, &v, sizeof(v)) == sizeof(v))
            ;
        int64_t now = orc_time_now_ns();
        for (size_t i = 0; i < o->n_workers; i++)
            pod_worker_on_timer(o->workers[i], now);
    } else {
        pod_worker_on_shim(ptr);
    }
}

int loop_run(struct orcd *o, orc_error_t *err)
{
    reconcile_store(o);
    sync_all(o);
    while (!o->stopping) {
        struct epoll_event evs[32];
        int n = epoll_wait(o->epoll_fd, evs, (int) ELEMENTSOF(evs), -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return orc_error_make(err, errno, "epoll_wait");
        }
        for (int i = 0; i < n; i++)
            handle_event(o, evs[i].data.ptr);
        sync_all(o);
    }
    return 0;
}

void orcd_wake(struct orcd *o)
{
    uint64_t one = 1;
    (void) !write(o->wake_fd, &one, sizeof(one));
}
