/* SPDX-License-Identifier: Apache-2.0 */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "images/gc.h"
#include "pods/eviction.h"
#include "json-util.h"
#include "log.h"
#include "notify.h"
#include "orcd.h"
#include "pods/worker.h"
#include "store/store.h"
#include "sys/jobs.h"
#include "sys/userns.h"
#include "time-util.h"
#include "xalloc.h"

/* epoll tags for the loop's own fds; any other data.ptr is a pod worker. */
static char tag_wake, tag_signal, tag_timer, tag_watchdog, tag_jobs, tag_holder;

static int epoll_add(struct loop *l, int fd, void *ptr, orc_error_t *err)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = ptr};
    if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return orc_error_make(err, errno, "epoll_ctl");
    return 0;
}

static int watchdog_init(struct loop *l, orc_error_t *err)
{
    /* under systemd with WatchdogSec: a ping at half the interval, the only periodic wake-up;
     * it comes from this thread, so a loop that stops turning stops the pings */
    int64_t wd = notify_watchdog_ns() / 2;
    if (wd <= 0)
        return 0;
    l->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    struct itimerspec its = {.it_value = {wd / NSEC_PER_SEC, wd % NSEC_PER_SEC},
                             .it_interval = {wd / NSEC_PER_SEC, wd % NSEC_PER_SEC}};
    if (l->watchdog_fd < 0 || timerfd_settime(l->watchdog_fd, 0, &its, NULL) < 0 ||
        epoll_add(l, l->watchdog_fd, &tag_watchdog, err) < 0)
        return orc_error_make(err, errno, "watchdog timer");
    return 0;
}

/* Watches the namespace holder: when it dies, a new one is started (holder_lost). */
static void watch_holder(struct orcd *o)
{
    struct loop *l = &o->loop;
    l->holder_fd = safe_close(l->holder_fd);
    l->holder_fd = (int) syscall(SYS_pidfd_open, userns_holder_pid(&o->userns), 0);
    orc_error_t err = NULL;
    if (l->holder_fd < 0 || epoll_add(l, l->holder_fd, &tag_holder, &err) < 0) {
        log_warn("cannot watch the user namespace holder (pid %d): %s, ignoring",
                 (int) userns_holder_pid(&o->userns),
                 err ? orc_error_message(err) : strerror(errno));
        orc_error_release(&err);
    }
}

int loop_init(struct orcd *o, orc_error_t *err)
{
    struct loop *l = &o->loop;
    l->config = &o->config.pod;
    l->env = (struct pod_env){.config = &o->config.pod,
                              .store = o->store,
                              .images = o->images,
                              .network = o->network,
                              .paths = &o->paths,
                              .userns = &o->userns,
                              .pulls = o->pulls,
                              .jobs = o->jobs};
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    /* main() blocked these before any thread started, so only the signalfd sees them. */
    l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    l->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    l->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
    if (l->epoll_fd < 0 || l->signal_fd < 0 || l->timer_fd < 0)
        return orc_error_make(err, errno, "set up the event loop");
    if (epoll_add(l, l->wake_fd, &tag_wake, err) < 0 ||
        epoll_add(l, l->signal_fd, &tag_signal, err) < 0 ||
        epoll_add(l, l->timer_fd, &tag_timer, err) < 0 ||
        epoll_add(l, job_pool_fd(o->jobs), &tag_jobs, err) < 0)
        return -1;
    watch_holder(o);
    return watchdog_init(l, err);
}

void loop_done(struct orcd *o)
{
    struct loop *l = &o->loop;
    /* steps in flight are cancelled and waited for; what they made is found by the next
     * orcd (a shim adopted, a network record read) */
    l->env.stopping = true;
    o->jobs = job_pool_free(o->jobs);
    for (size_t i = 0; i < l->n_workers; i++)
        pod_worker_free(l->workers[i]);
    free(l->workers);
    l->workers = NULL;
    l->n_workers = 0;
    l->watchdog_fd = safe_close(l->watchdog_fd);
    l->holder_fd = safe_close(l->holder_fd);
    l->signal_fd = safe_close(l->signal_fd);
    l->timer_fd = safe_close(l->timer_fd);
    l->epoll_fd = safe_close(l->epoll_fd);
}

static struct pod_worker *find_worker(struct loop *l, const char *uid)
{
    for (size_t i = 0; i < l->n_workers; i++)
        if (strcmp(l->workers[i]->uid, uid) == 0)
            return l->workers[i];
    return NULL;
}

/* Desired state from the store: new pods get workers, changed ones are updated. */
/* The last steps of deletions that wait for pods: a claim no pod uses any more, a Terminating
 * namespace whose objects are all gone, are removed (tried again at the next turn that may
 * have removed a pod). */
static void finish_namespaces(struct loop *l)
{
    orc_error_t err = NULL;
    if (store_claims_finish(l->env.store, &err) < 0) { /* claims first: a namespace waits */
        log_warn("remove deleted claims: %s, ignoring", orc_error_message(err));
        orc_error_release(&err);
    }
    if (store_namespaces_finish(l->env.store, &err) < 0) {
        log_warn("remove terminated namespaces: %s, ignoring", orc_error_message(err));
        orc_error_release(&err);
    }
}

static void reconcile_store(struct loop *l)
{
    json_auto_t *items = NULL;
    orc_error_t err = NULL;
    if (store_pod_list(l->env.store, NULL, &items, &err) < 0) {
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
        struct pod_worker *w = uid ? find_worker(l, uid) : NULL;
        if (!uid)
            continue;
        if (!w) {
            w = pod_worker_new(&l->env, obj);
            if (!w)
                continue;
            l->workers = xrealloc(l->workers, sizeof(*l->workers) * (l->n_workers + 1));
            l->workers[l->n_workers++] = w;
        } else if (rv && (!w->resource_version || strcmp(rv, w->resource_version) != 0)) {
            pod_worker_update(w, obj);
        }
    }
    finish_namespaces(l);
}

/* Keeps the epoll set equal to the workers' shim sockets (the loop calls down; workers
 * only say which fd is theirs). Removals first: a closed socket's number may already belong
 * to another worker's new one. */
static void watch_workers(struct loop *l)
{
    for (size_t i = 0; i < l->n_workers; i++) {
        struct pod_worker *w = l->workers[i];
        if (w->watched_fd >= 0 && w->watched_fd != pod_worker_fd(w)) {
            (void) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, w->watched_fd, NULL);
            w->watched_fd = -1;
        }
    }
    for (size_t i = 0; i < l->n_workers; i++) {
        struct pod_worker *w = l->workers[i];
        int fd = pod_worker_fd(w);
        if (fd < 0 || fd == w->watched_fd)
            continue;
        orc_error_t err = NULL;
        if (epoll_add(l, fd, w, &err) < 0) {
            log_pod_error(w->pod, "watch shim: %s", orc_error_message(err));
            orc_error_release(&err);
            continue;
        }
        w->watched_fd = fd;
    }
}

/* The next round of emptyDir usage measurement: one interval after the last one ended, while
 * some pod has such a volume (none due otherwise: an idle agent wakes for nothing). */
static int64_t usage_due(struct loop *l)
{
    if (l->usage_job)
        return 0; /* its end schedules the next */
    if (!volume_usage_wanted(l->workers, l->n_workers))
        l->usage_at = 0;
    else if (!l->usage_at)
        l->usage_at = orc_time_now_ns() + l->env.config->volume_usage_interval_ns;
    return l->usage_at;
}

/* Moves every pod forward, writes statuses, drops finished workers, re-arms the timer. */
static void sync_all(struct loop *l)
{
    l->env.admitted = 0;
    for (size_t i = 0; i < l->n_workers; i++)
        l->env.admitted += pod_worker_admitted(l->workers[i]);
    for (size_t i = 0; i < l->n_workers; i++) {
        pod_worker_sync(l->workers[i]);
        pod_worker_dispatch(l->workers[i]); /* events that came with the answers to sends */
        pod_worker_flush_status(l->workers[i]);
    }
    watch_workers(l);
    size_t k = 0;
    int64_t next = 0;
    bool removed = false;
    for (size_t i = 0; i < l->n_workers; i++) {
        struct pod_worker *w = l->workers[i];
        if (w->state == WORKER_TERMINATED && !w->job) {
            pod_worker_free(w); /* without a shim: nothing of it is in the epoll set */
            removed = true;
            continue;
        }
        int64_t d = pod_worker_next_deadline(w);
        if (d && (!next || d < next))
            next = d;
        l->workers[k++] = w;
    }
    l->n_workers = k;
    if (removed) /* the last pod of a Terminating namespace may have gone */
        finish_namespaces(l);
    int64_t usage = usage_due(l);
    if (usage && (!next || usage < next))
        next = usage;
    struct itimerspec its = {0};
    if (next) {
        its.it_value.tv_sec = next / NSEC_PER_SEC;
        its.it_value.tv_nsec = next % NSEC_PER_SEC;
    }
    (void) timerfd_settime(l->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

struct gc_step {
    struct orcd *o;
    int removed;
    orc_error_t err;
};

/* On a pool thread, with a store connection of its own (connections stay in one thread). */
static void gc_run(struct job *job, void *arg)
{
    struct gc_step *g = arg;
    struct orcd *o = g->o;
    (void) job;
    _cleanup_(store_closep) struct store *s = NULL;
    if (store_open(o->paths.db, o->feed, &s, &g->err) < 0)
        return;
    (void) image_gc_run(o->images, s, o->config.image_gc_high, o->config.image_gc_low, &g->removed,
                        &g->err);
}

static void gc_done(void *arg)
{
    struct gc_step *g = arg;
    g->o->loop.gc_job = NULL;
    if (g->err) {
        log_warn("image garbage collection: %s, ignoring", orc_error_message(g->err));
        orc_error_release(&g->err);
    }
    free(g);
}

/* After a pull: kubelet's image garbage collection, if the disk is above the threshold. */
static void collect_images(struct orcd *o)
{
    struct loop *l = &o->loop;
    if (l->gc_job || !atomic_exchange(&l->gc_due, false))
        return;
    struct gc_step *g = xzalloc(sizeof(*g));
    g->o = o;
    l->gc_job = job_submit(o->jobs, gc_run, gc_done, g);
}

struct usage_step {
    struct loop *loop;
    struct volume_usage *usage;
};

static void usage_run(struct job *job, void *arg)
{
    volume_usage_run(job, ((struct usage_step *) arg)->usage);
}

static void usage_done(void *arg)
{
    struct usage_step *u = arg;
    struct loop *l = u->loop;
    l->usage_job = NULL;
    l->usage_at = 0; /* the next sync schedules the next round */
    if (!l->env.stopping)
        volume_usage_apply(u->usage, l->workers, l->n_workers);
    volume_usage_free(u->usage);
    free(u);
}

/* A round of emptyDir usage measurement is due: kubelet's eviction manager's, as a job. */
static void measure_volumes(struct orcd *o)
{
    struct loop *l = &o->loop;
    l->usage_at = 0;
    struct volume_usage *usage = volume_usage_new(&l->env, l->workers, l->n_workers);
    if (!usage || l->usage_job) {
        volume_usage_free(usage);
        return;
    }
    struct usage_step *u = xzalloc(sizeof(*u));
    *u = (struct usage_step){.loop = l, .usage = usage};
    l->usage_job = job_submit(o->jobs, usage_run, usage_done, u);
}

struct holder_step {
    struct orcd *o;
    pid_t *members; /* live pods' shims when the holder died */
    size_t n_members;
    struct userns result;
    orc_error_t err;
};

static void holder_run(struct job *job, void *arg)
{
    struct holder_step *h = arg;
    struct orcd *o = h->o;
    (void) job;
    (void) userns_new_holder(&o->userns, o->paths.userns, o->config.pod.shim_path, h->members,
                             h->n_members, &h->result, &h->err);
}

static void holder_done(void *arg)
{
    struct holder_step *h = arg;
    struct orcd *o = h->o;
    o->loop.holder_job = NULL;
    if (h->err) {
        log_error("user namespace: %s; new pods cannot start until orcd restarts",
                  orc_error_message(h->err));
        orc_error_release(&h->err);
    } else {
        userns_update(&o->userns, &h->result);
        watch_holder(o);
    }
    free(h->members);
    free(h);
}

/* The holder died: a new one, inside the pods' namespace while any pod's shim lives in it. */
static void holder_lost(struct orcd *o)
{
    struct loop *l = &o->loop;
    l->holder_fd = safe_close(l->holder_fd);
    if (l->holder_job)
        return;
    log_warn("the user namespace holder (pid %d) exited; starting a new one",
             (int) userns_holder_pid(&o->userns));
    struct holder_step *h = xzalloc(sizeof(*h));
    h->o = o;
    h->members = new0(pid_t, l->n_workers ? l->n_workers : 1);
    for (size_t i = 0; i < l->n_workers; i++)
        if (l->workers[i]->shim)
            h->members[h->n_members++] = l->workers[i]->shim_pid;
    l->holder_job = job_submit(o->jobs, holder_run, holder_done, h);
}

static void handle_signal(struct loop *l)
{
    struct signalfd_siginfo si;
    while (read(l->signal_fd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGHUP)
            continue;
        log_info("received signal %u: stopping; pods keep running", si.ssi_signo);
        l->stopping = true;
    }
}

static void drain(int fd)
{
    uint64_t v;
    while (read(fd, &v, sizeof(v)) == sizeof(v))
        ;
}

/* The Node's labels as stored now, for the workers' next sync (a pod Pending for its
 * nodeSelector starts once they match, as the scheduler's retry would start it). */
static void reload_node_labels(struct loop *l)
{
    json_auto_t *row = NULL;
    orc_error_t err = NULL;
    if (store_object_get(l->env.store, "Node", "", l->config->node_name, &row, &err) < 0) {
        log_warn("read the node's labels: %s; keeping the ones read before",
                 orc_error_message(err));
        orc_error_release(&err);
        return;
    }
    json_t *labels = json_object_get(json_object_get(row, "metadata"), "labels");
    if (!json_is_object(labels) || json_equal(labels, l->config->node_labels))
        return;
    json_decref(l->config->node_labels);
    l->config->node_labels = json_incref(labels);
    log_info("node labels changed: pods are matched against them again");
}

static void handle_event(struct orcd *o, void *ptr)
{
    struct loop *l = &o->loop;
    if (ptr == &tag_wake) {
        drain(l->wake_fd);
        int64_t block = atomic_exchange(&l->block_ns, 0);
        if (block > 0) { /* debug hook: what a step stuck on this thread would do */
            log_warn("debug hook: blocking the loop for %.1fs", (double) block / 1e9);
            struct timespec ts = {block / NSEC_PER_SEC, block % NSEC_PER_SEC};
            while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        }
        /* every worker syncs after this turn: those that use objects see the new mark */
        l->env.objects_generation = atomic_load(&l->objects_changed);
        if (atomic_exchange(&l->node_changed, false))
            reload_node_labels(l);
        reconcile_store(l);
        collect_images(o);
    } else if (ptr == &tag_signal) {
        handle_signal(l);
    } else if (ptr == &tag_watchdog) {
        drain(l->watchdog_fd);
        notify_send("WATCHDOG=1"); /* the loop turns: the agent is alive */
    } else if (ptr == &tag_timer) {
        drain(l->timer_fd);
        int64_t now = orc_time_now_ns();
        for (size_t i = 0; i < l->n_workers; i++)
            pod_worker_on_timer(l->workers[i], now);
        if (l->usage_at && l->usage_at <= now && !l->usage_job)
            measure_volumes(o);
    } else if (ptr == &tag_jobs) {
        job_pool_dispatch(o->jobs);
    } else if (ptr == &tag_holder) {
        holder_lost(o);
    } else {
        pod_worker_on_shim(ptr);
    }
}

int loop_run(struct orcd *o, orc_error_t *err)
{
    struct loop *l = &o->loop;
    reconcile_store(l);
    sync_all(l);
    while (!l->stopping) {
        struct epoll_event evs[32];
        atomic_store(&l->busy_since, 0);
        int n = epoll_wait(l->epoll_fd, evs, (int) ELEMENTSOF(evs), -1);
        atomic_store(&l->busy_since, orc_time_mono_ns());
        atomic_fetch_add(&l->turns, 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return orc_error_make(err, errno, "epoll_wait");
        }
        for (int i = 0; i < n; i++)
            handle_event(o, evs[i].data.ptr);
        sync_all(l);
        if (l->env.disk_pressure) { /* kubelet's answer to disk pressure: image GC */
            l->env.disk_pressure = false;
            atomic_store(&l->gc_due, true);
            collect_images(o);
        }
        if (store_reserve_used(l->env.store))
            store_keep_reserve(l->env.store); /* made again once there is room */
    }
    return 0;
}

void loop_wake(struct loop *l)
{
    uint64_t one = 1;
    (void) !write(l->wake_fd, &one, sizeof(one));
}

int64_t loop_busy_ns(const struct loop *l)
{
    int64_t since = atomic_load(&l->busy_since);
    return since ? orc_time_mono_ns() - since : 0;
}

void loop_block(struct loop *l, int64_t ns)
{
    atomic_store(&l->block_ns, ns);
    loop_wake(l);
}

void orcd_wake(struct orcd *o)
{
    loop_wake(&o->loop);
}

void orcd_objects_changed(struct orcd *o)
{
    atomic_fetch_add(&o->loop.objects_changed, 1);
    loop_wake(&o->loop);
}

void orcd_node_changed(struct orcd *o)
{
    atomic_store(&o->loop.node_changed, true);
    loop_wake(&o->loop);
}
