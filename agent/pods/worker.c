/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One pod's life, after kubelet's pod_workers: sync (start sandbox and containers, restart
 * them per policy) -> terminating (shim stops everything within the grace period) ->
 * terminated (files and the stored object removed). Decisions come from scheduler/.
 */
#include "pods/worker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "images/images.h"
#include "json-util.h"
#include "log.h"
#include "loop.h"
#include "orcd.h"
#include "pods/network.h"
#include "pods/sandbox.h"
#include "images/pull-jobs.h"
#include "scheduler.h"
#include "pods/shim-client.h"
#include "store/store.h"
#include "time-util.h"
#include "xalloc.h"

static void set_str(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

static void event(struct pod_worker *w, const char *type, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void event(struct pod_worker *w, const char *type, const char *reason, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    orc_error_t err = NULL;
    if (store_event_add(w->o->store, w->pod->namespace, w->pod->name, w->uid, type, reason, msg,
                        &err) < 0) {
        log_warn("pod '%s/%s': record event: %s, ignoring", w->pod->namespace, w->pod->name,
                 orc_error_message(err));
        orc_error_release(&err);
    }
}

static void apply_object(struct pod_worker *w, const json_t *object, struct pod *pod)
{
    json_t *meta = json_object_get(object, "metadata");
    pod_free(w->pod);
    w->pod = pod;
    w->generation = orc_json_int(meta, "generation", 1);
    set_str(&w->resource_version, orc_json_str(meta, "resourceVersion"));
    set_str(&w->created, orc_json_str(meta, "creationTimestamp"));
    if (orc_json_str(meta, "deletionTimestamp")) {
        w->deleted = true;
        w->grace_s =
            orc_json_int(meta, "deletionGracePeriodSeconds", pod->termination_grace_period_seconds);
    }
}

struct pod_worker *pod_worker_new(struct orcd *o, const json_t *object)
{
    orc_error_t err = NULL;
    struct pod *pod = NULL;
    if (pod_from_json(object, &pod, &err) < 0) {
        log_error("stored pod '%s' is unreadable: %s",
                  orc_json_str(json_object_get(object, "metadata"), "name"),
                  orc_error_message(err));
        orc_error_release(&err);
        return NULL;
    }
    struct pod_worker *w = xzalloc(sizeof(*w));
    w->o = o;
    w->uid = xstrdup(orc_json_str(json_object_get(object, "metadata"), "uid"));
    apply_object(w, object, pod);
    w->n_runs = pod->n_containers;
    w->runs = new0(struct container_run, w->n_runs);
    for (size_t i = 0; i < w->n_runs; i++) {
        w->runs[i].name = xstrdup(pod->containers[i].name);
        w->runs[i].image = xstrdup(pod->containers[i].image);
    }
    json_t *status = json_object_get(object, "status");
    if (status)
        pod_worker_restore_status(w, status);
    const char *reason = orc_json_str(status, "reason");
    if (reason && (!strcmp(reason, "OutOfpods") || !strcmp(reason, "LimitsNotEnforced")))
        w->rejected = true;
    return w;
}

static void run_clear(struct container_run *r)
{
    free(r->name);
    free(r->image);
    free(r->image_id);
    free(r->waiting_reason);
    free(r->waiting_message);
    free(r->reason);
    free(r->message);
    free(r->last_reason);
}

struct pod_worker *pod_worker_free(struct pod_worker *w)
{
    if (!w)
        return NULL;
    for (size_t i = 0; i < w->n_runs; i++)
        run_clear(&w->runs[i]);
    free(w->runs);
    shim_client_free(w->shim);
    json_decref(w->net_result);
    free(w->pod_ip);
    free(w->cgroup);
    pod_free(w->pod);
    free(w->uid);
    free(w->created);
    free(w->resource_version);
    free(w->pod_reason);
    free(w->pod_message);
    free(w);
    return NULL;
}

void pod_worker_flush_status(struct pod_worker *w)
{
    if (!w->dirty || w->state == WORKER_TERMINATED)
        return;
    json_auto_t *st = pod_worker_status_json(w);
    orc_error_t err = NULL;
    if (store_pod_set_status(w->o->store, w->uid, st, &err) < 0) {
        log_warn("pod '%s/%s': write status: %s, ignoring", w->pod->namespace, w->pod->name,
                 orc_error_message(err));
        orc_error_release(&err);
        return;
    }
    w->dirty = false;
}

static struct container_run *find_run(struct pod_worker *w, const char *name)
{
    for (size_t i = 0; name && i < w->n_runs; i++)
        if (strcmp(w->runs[i].name, name) == 0)
            return &w->runs[i];
    return NULL;
}

static void decide_restart(struct pod_worker *w, struct container_run *r);

static bool is_enoent(orc_error_t err)
{
    return err && err->status == ENOENT;
}

/* Adopts the pod's shim if it runs, else creates one. */
static int ensure_sandbox(struct pod_worker *w, orc_error_t *err);

static void mark_exited(struct container_run *r, int code, const char *reason, const char *msg,
                        int64_t started, int64_t finished)
{
    r->state = RUN_EXITED;
    r->exit_code = code;
    r->started_at = started;
    r->finished_at = finished;
    set_str(&r->reason, reason ? reason : (code == 0 ? "Completed" : "Error"));
    set_str(&r->message, msg);
    set_str(&r->waiting_reason, NULL);
    set_str(&r->waiting_message, NULL);
}

static void set_waiting(struct container_run *r, const char *reason, const char *message)
{
    r->state = RUN_WAITING;
    set_str(&r->waiting_reason, reason);
    set_str(&r->waiting_message, message);
}

/* A pull finished badly: ErrImagePull now, ImagePullBackOff until the back-off passes. */
static void pull_failed(struct pod_worker *w, struct container_run *r, const char *image,
                        const char *msg)
{
    const struct orcd_config *cfg = &w->o->config;
    r->pull_backoff_ns = r->pull_backoff_ns ? r->pull_backoff_ns * 2 : cfg->backoff_base_ns;
    if (r->pull_backoff_ns > cfg->backoff_max_ns)
        r->pull_backoff_ns = cfg->backoff_max_ns;
    r->pull_failed_at = orc_time_now_ns();
    r->pull_retry_at = r->pull_failed_at + r->pull_backoff_ns;
    set_waiting(r, "ErrImagePull", msg);
    event(w, "Warning", "Failed", "Failed to pull image \"%s\": %s", image, msg);
    event(w, "Warning", "Failed", "Error: ErrImagePull");
}

/* Polls the pull of c's image; true once it is in the store. */
static bool pull_done(struct pod_worker *w, struct container_run *r, const struct container *c)
{
    int64_t now = orc_time_now_ns();
    if (r->pull_retry_at > now) {
        char *msg = xasprintf("Back-off pulling image \"%s\"", c->image);
        if (!r->waiting_reason || strcmp(r->waiting_reason, "ImagePullBackOff") != 0)
            event(w, "Normal", "BackOff", "%s", msg);
        set_waiting(r, "ImagePullBackOff", msg);
        free(msg);
        return false;
    }
    char *msg = NULL;
    switch (pull_jobs_poll(w->o, c->image, &msg)) {
    case PULL_JOB_RUNNING:
        if (!r->pulling) {
            r->pulling = true;
            r->pull_started = now;
            event(w, "Normal", "Pulling", "Pulling image \"%s\"", c->image);
            set_waiting(r, "ContainerCreating", NULL);
        }
        return false;
    case PULL_JOB_DONE:
        event(w, "Normal", "Pulled", "Successfully pulled image \"%s\" in %.3fs", c->image,
              r->pulling ? (double) (now - r->pull_started) / 1e9 : 0.0);
        r->pulling = false;
        r->pulled = true;
        r->pull_backoff_ns = 0;
        return true;
    case PULL_JOB_FAILED:
    case _PULL_JOB_STATE_MAX:
    case _PULL_JOB_STATE_INVALID:
        break;
    }
    r->pulling = false;
    pull_failed(w, r, c->image, msg ? msg : "pull failed");
    free(msg);
    return false;
}

/* The container's image per imagePullPolicy, pulling it when needed; NULL while waiting. */
static struct image *container_image(struct pod_worker *w, struct container_run *r,
                                     const struct container *c)
{
    orc_error_t err = NULL;
    struct image *img = NULL;
    /* "localhost/..." names images loaded or built here, as in podman: never pulled */
    bool local = !strncmp(c->image, "localhost/", 10);
    bool must_pull = c->pull_policy == PULL_ALWAYS && !r->pulled && !local;
    /* a pull under way is seen through (its result, its Pulled event) even if the image
     * arrived meanwhile */
    if (!must_pull && !r->pulling) {
        if (images_resolve(w->o->images, c->image, &img, &err) == 0)
            return img;
        if (!is_enoent(err)) {
            char *msg = xasprintf("image \"%s\": %s", c->image, orc_error_message(err));
            set_waiting(r, "ErrImagePull", msg);
            event(w, "Warning", "Failed", "Failed to pull image \"%s\": %s", c->image, msg);
            free(msg);
            orc_error_release(&err);
            return NULL;
        }
        orc_error_release(&err);
    }
    if (c->pull_policy == PULL_NEVER || local) {
        char *msg = local ? xasprintf("Container image \"%s\" is not present: localhost/ names "
                                      "images loaded with 'orc image load', never pulled",
                                      c->image)
                          : xasprintf("Container image \"%s\" is not present with pull policy "
                                      "of Never",
                                      c->image);
        if (!r->waiting_reason || strcmp(r->waiting_reason, "ErrImageNeverPull") != 0)
            event(w, "Warning", "ErrImageNeverPull", "%s", msg);
        set_waiting(r, "ErrImageNeverPull", msg);
        free(msg);
        return NULL;
    }
    if (!pull_done(w, r, c))
        return NULL;
    if (images_resolve(w->o->images, c->image, &img, &err) < 0) {
        pull_failed(w, r, c->image, orc_error_message(err));
        orc_error_release(&err);
        return NULL;
    }
    return img;
}

static void start_container(struct pod_worker *w, struct container_run *r)
{
    orc_error_t err = NULL;
    const struct container *c = pod_find_container(w->pod, r->name);
    w->dirty = true;
    struct image *img = container_image(w, r, c);
    if (!img)
        return;
    r->pulled = false; /* Always pulls again for the next start */
    set_str(&r->image_id, img->id);
    json_t *st = NULL;
    int r_ = ensure_sandbox(w, &err);
    if (r_ >= 0)
        r_ = sandbox_start_container(w, r, img, &st, &err);
    image_free(img);
    r->started_once = true;
    int64_t now = orc_time_now_ns();
    if (r_ < 0) {
        log_warn("pod '%s/%s': start container '%s': %s", w->pod->namespace, w->pod->name, r->name,
                 orc_error_message(err));
        event(w, "Warning", "Failed", "Error: %s", orc_error_message(err));
        mark_exited(r, 128, "StartError", orc_error_message(err), now, now);
        orc_error_release(&err);
        decide_restart(w, r);
        return;
    }
    r->state = RUN_RUNNING;
    r->started_at = orc_json_int(st, "startedAt", now);
    set_str(&r->waiting_reason, NULL);
    set_str(&r->waiting_message, NULL);
    json_decref(st);
    event(w, "Normal", "Created", "Created container %s", r->name);
    event(w, "Normal", "Started", "Started container %s", r->name);
    log_info("pod '%s/%s': container '%s' started (attempt %d)", w->pod->namespace, w->pod->name,
             r->name, r->restart_count);
}

static void restart_container(struct pod_worker *w, struct container_run *r)
{
    r->has_last = true;
    r->last_exit_code = r->exit_code;
    r->last_started_at = r->started_at;
    r->last_finished_at = r->finished_at;
    set_str(&r->last_reason, r->reason);
    r->restart_count++;
    r->restart_at = 0;
    start_container(w, r);
}

static void decide_restart(struct pod_worker *w, struct container_run *r)
{
    struct orcd *o = w->o;
    w->dirty = true;
    if (w->deleted)
        return;
    if (r->replace) {
        r->replace = false;
        restart_container(w, r);
        return;
    }
    struct sched_container_run run = {.exited = true,
                                      .exit_code = r->exit_code,
                                      .restart_count = r->restart_count,
                                      .started_at = r->started_at,
                                      .finished_at = r->finished_at,
                                      .backoff_ns = r->backoff_ns};
    struct sched_backoff_config cfg = {.base_ns = o->config.backoff_base_ns,
                                       .max_ns = o->config.backoff_max_ns,
                                       .reset_ns = o->config.backoff_reset_ns};
    int64_t at = 0, backoff = 0;
    enum sched_restart d =
        sched_restart_decide(w->pod->restart_policy, &run, &cfg, orc_time_now_ns(), &at, &backoff);
    r->backoff_ns = backoff;
    switch (d) {
    case SCHED_RESTART_NOW:
        restart_container(w, r);
        break;
    case SCHED_RESTART_LATER:
        r->restart_at = at;
        set_str(&r->waiting_reason, "CrashLoopBackOff");
        char *msg = xasprintf("back-off %llds restarting failed container=%s pod=%s_%s(%s)",
                              (long long) ((at - r->finished_at) / NSEC_PER_SEC), r->name,
                              w->pod->name, w->pod->namespace, w->uid);
        set_str(&r->waiting_message, msg);
        free(msg);
        event(w, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)",
              r->name, w->pod->name, w->pod->namespace, w->uid);
        break;
    case SCHED_RESTART_NO:
    case _SCHED_RESTART_MAX:
    case _SCHED_RESTART_INVALID:
        r->done = true;
        break;
    }
}

/* An exit reported by the shim (event, or found in its status after an agent restart). */
static void on_container_exit(struct pod_worker *w, const json_t *st)
{
    struct container_run *r = find_run(w, orc_json_str(st, "name"));
    if (!r || orc_json_int(st, "attempt", -1) != r->restart_count)
        return; /* an older instance: already accounted for */
    int64_t finished = orc_json_int(st, "finishedAt", 0);
    if (r->state == RUN_EXITED && r->finished_at == finished)
        return;
    int code = (int) orc_json_int(st, "exitCode", 0);
    mark_exited(r, code, orc_json_str(st, "reason"), orc_json_str(st, "message"),
                orc_json_int(st, "startedAt", r->started_at), finished);
    log_info("pod '%s/%s': container '%s' exited with %d", w->pod->namespace, w->pod->name, r->name,
             code);
    decide_restart(w, r);
}

/* Takes the shim's view after (re)connecting. */
static void adopt_status(struct pod_worker *w, const json_t *hello)
{
    size_t i;
    json_t *st;
    json_array_foreach(json_object_get(hello, "containers"), i, st) {
        struct container_run *r = find_run(w, orc_json_str(st, "name"));
        int attempt = (int) orc_json_int(st, "attempt", 0);
        if (!r || attempt < r->restart_count)
            continue;
        r->restart_count = attempt;
        r->started_once = true;
        const char *state = orc_json_str(st, "state");
        if (state && strcmp(state, "running") == 0) {
            r->state = RUN_RUNNING;
            r->started_at = orc_json_int(st, "startedAt", r->started_at);
            set_str(&r->waiting_reason, NULL);
        } else {
            on_container_exit(w, st);
        }
    }
    w->dirty = true;
}

static bool pod_has_resources(const struct pod *pod)
{
    for (size_t i = 0; i < pod->n_containers; i++) {
        const struct container_resources *r = &pod->containers[i].resources;
        if (r->cpu_limit || r->cpu_request || r->memory_limit || r->memory_request)
            return true;
    }
    return false;
}

/* A pod with resources but no delegated cgroup: said in an event; with --require-limits
 * the pod fails instead of running unlimited. */
static int limits_unavailable(struct pod_worker *w, orc_error_t *err)
{
    const char *why = "no systemd user session with delegated cgroups (see 'orc check')";
    if (!w->o->config.require_limits) {
        event(w, "Warning", "LimitsNotEnforced", "Resource limits are not enforced: %s", why);
        return 0;
    }
    event(w, "Warning", "LimitsNotEnforced",
          "Pod refused: its resource limits cannot be "
          "enforced (%s) and orcd runs with --require-limits",
          why);
    w->rejected = true;
    set_str(&w->pod_reason, "LimitsNotEnforced");
    char *msg = xasprintf("resource limits cannot be enforced: %s", why);
    set_str(&w->pod_message, msg);
    free(msg);
    w->dirty = true;
    if (sandbox_shutdown(w, 0, err) < 0) /* the shim goes; on_shim_lost drops it quietly */
        orc_error_release(err);
    return 0;
}

static int ensure_sandbox(struct pod_worker *w, orc_error_t *err)
{
    if (w->shim)
        return 0;
    json_t *hello = NULL;
    int r = sandbox_adopt(w, &hello, err);
    if (r == 0) {
        loop_watch_worker(w->o, w);
        log_info("pod '%s/%s': adopted running shim (pid %d)", w->pod->namespace, w->pod->name,
                 (int) w->shim_pid);
        pod_network_restore(w);
        sandbox_find_scope(w);
        adopt_status(w, hello);
        json_decref(hello);
        return 0;
    }
    if (r != -ENOENT)
        return r;
    /* No shim: whatever ran in the old sandbox is gone; the next sync restarts it per policy. */
    for (size_t i = 0; i < w->n_runs; i++)
        if (w->runs[i].state == RUN_RUNNING) {
            int64_t now = orc_time_now_ns();
            mark_exited(&w->runs[i], 137, "Error", "the pod sandbox was lost",
                        w->runs[i].started_at, now);
            w->dirty = true;
        }
    pod_network_teardown(w); /* of the sandbox that was lost, if any */
    if (sandbox_create(w, err) < 0) {
        event(w, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: %s",
              orc_error_message(*err));
        return -1;
    }
    loop_watch_worker(w->o, w);
    if (!w->cgroup && pod_has_resources(w->pod))
        return limits_unavailable(w, err);
    return 0;
}

static void finalize(struct pod_worker *w)
{
    orc_error_t err = NULL;
    if (w->shim) {
        loop_unwatch_worker(w->o, w);
        w->shim = shim_client_free(w->shim);
    }
    pod_network_teardown(w);
    if (sandbox_remove_files(w, &err) < 0) {
        log_warn("pod '%s/%s': remove files: %s, ignoring", w->pod->namespace, w->pod->name,
                 orc_error_message(err));
        orc_error_release(&err);
    }
    if (store_pod_remove(w->o->store, w->uid, &err) < 0) {
        log_error("pod '%s/%s': remove from store: %s", w->pod->namespace, w->pod->name,
                  orc_error_message(err));
        orc_error_release(&err);
        return; /* stays terminating; retried on the next sync */
    }
    w->state = WORKER_TERMINATED;
    log_info("pod '%s/%s': deleted", w->pod->namespace, w->pod->name);
}

static void begin_termination(struct pod_worker *w)
{
    orc_error_t err = NULL;
    if (w->state == WORKER_TERMINATING && w->shim)
        return;
    w->state = WORKER_TERMINATING;
    for (size_t i = 0; i < w->n_runs; i++) {
        w->runs[i].restart_at = 0;
        if (w->runs[i].state == RUN_RUNNING)
            event(w, "Normal", "Killing", "Stopping container %s", w->runs[i].name);
    }
    if (!w->shim) {
        json_t *hello = NULL;
        if (sandbox_adopt(w, &hello, &err) == 0) {
            json_decref(hello);
            loop_watch_worker(w->o, w);
        }
        orc_error_release(&err);
    }
    if (!w->shim) {
        finalize(w);
        return;
    }
    log_info("pod '%s/%s': terminating (grace %llds)", w->pod->namespace, w->pod->name,
             (long long) w->grace_s);
    if (sandbox_shutdown(w, w->grace_s, &err) < 0) {
        log_warn("pod '%s/%s': %s", w->pod->namespace, w->pod->name, orc_error_message(err));
        orc_error_release(&err);
        finalize(w);
    }
}

static bool admit(struct pod_worker *w)
{
    struct orcd *o = w->o;
    struct sched_capacity cap = {.max_pods = o->config.max_pods};
    for (size_t i = 0; i < o->n_workers; i++)
        if (o->workers[i] != w && o->workers[i]->start_time > 0 && !o->workers[i]->rejected &&
            o->workers[i]->state == WORKER_SYNCING)
            cap.running_pods++;
    const char *reason = NULL;
    if (sched_admit(&cap, w->pod, &reason) < 0) {
        w->rejected = true;
        set_str(&w->pod_reason, reason);
        char *msg = xasprintf("Pod was rejected: the node has reached its capacity of %d pods",
                              cap.max_pods);
        set_str(&w->pod_message, msg);
        event(w, "Warning", reason, "%s", msg);
        free(msg);
        w->dirty = true;
        return false;
    }
    char host[256] = "localhost";
    (void) gethostname(host, sizeof(host) - 1);
    w->start_time = orc_time_now_ns();
    event(w, "Normal", "Scheduled", "Successfully assigned %s/%s to %s", w->pod->namespace,
          w->pod->name, host);
    w->dirty = true;
    return true;
}

void pod_worker_sync(struct pod_worker *w)
{
    if (w->state == WORKER_TERMINATED)
        return;
    if (w->deleted) {
        begin_termination(w);
        return;
    }
    if (w->rejected || (w->start_time == 0 && !admit(w)))
        return;
    if (w->retry_at && w->retry_at > orc_time_now_ns())
        return;
    bool needs_sandbox = false;
    for (size_t i = 0; i < w->n_runs; i++)
        if (!w->runs[i].done && w->runs[i].state != RUN_EXITED)
            needs_sandbox = true;
    if (needs_sandbox && !w->shim) {
        orc_error_t err = NULL;
        if (ensure_sandbox(w, &err) < 0) {
            log_error("pod '%s/%s': %s", w->pod->namespace, w->pod->name, orc_error_message(err));
            orc_error_release(&err);
            w->retry_at = orc_time_now_ns() + 10 * NSEC_PER_SEC;
            return;
        }
        if (w->rejected)
            return;
    }
    for (size_t i = 0; i < w->n_runs && !w->deleted; i++) {
        struct container_run *r = &w->runs[i];
        if (r->state == RUN_WAITING && r->restart_at == 0)
            start_container(w, r);
        else if (r->state == RUN_EXITED && !r->done && r->restart_at == 0)
            decide_restart(w, r); /* restored from the store after an agent restart */
    }
}

static void on_shim_lost(struct pod_worker *w)
{
    loop_unwatch_worker(w->o, w);
    w->shim = shim_client_free(w->shim);
    if (w->rejected && w->state == WORKER_SYNCING) {
        pod_network_teardown(w); /* a refused pod's sandbox, shut down on purpose */
        return;
    }
    if (w->state == WORKER_TERMINATING) {
        finalize(w);
        return;
    }
    log_warn("pod '%s/%s': shim exited unexpectedly; containers restart per restartPolicy",
             w->pod->namespace, w->pod->name);
    event(w, "Warning", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
    pod_network_teardown(w);
    int64_t now = orc_time_now_ns();
    for (size_t i = 0; i < w->n_runs; i++)
        if (w->runs[i].state == RUN_RUNNING)
            mark_exited(&w->runs[i], 137, "Error", "the pod sandbox exited unexpectedly",
                        w->runs[i].started_at, now);
    w->dirty = true;
}

/* An interface vanished from the sandbox, e.g. with a network helper that died. */
static void on_link_removed(struct pod_worker *w, const char *ifname)
{
    orc_error_t err = NULL;
    bool repaired = false;
    if (pod_network_repair(w, &repaired, &err) < 0) {
        event(w, "Warning", "NetworkNotReady",
              "Pod network lost ('%s') and could not be set up again: %s; the sandbox will be "
              "re-created",
              ifname ? ifname : "?", orc_error_message(err));
        orc_error_release(&err);
        if (sandbox_shutdown(w, 0, &err) < 0) /* on_shim_lost follows, then a new sandbox */
            orc_error_release(&err);
        return;
    }
    if (repaired)
        event(w, "Normal", "NetworkRestored", "Pod network lost ('%s' vanished) and set up again",
              ifname ? ifname : "?");
}

/* Handles the shim's messages already read. A request the agent made (shim_client_call)
 * reads whatever arrives before its answer, events included; those wait in the client's
 * buffer, where no readiness of the socket would ever announce them again. */
void pod_worker_dispatch(struct pod_worker *w)
{
    json_t *msg;
    while (w->shim && (msg = shim_client_next(w->shim))) {
        const char *ev = orc_json_str(msg, "event");
        if (ev && strcmp(ev, "exit") == 0 && !w->deleted)
            on_container_exit(w, json_object_get(msg, "container"));
        else if (ev && strcmp(ev, "link-removed") == 0 && !w->deleted)
            on_link_removed(w, orc_json_str(msg, "ifname"));
        else if (!ev && !json_is_true(json_object_get(msg, "ok")))
            log_warn("pod '%s/%s': shim: %s", w->pod->namespace, w->pod->name,
                     orc_json_str(msg, "error") ?: "request failed");
        json_decref(msg);
    }
}

void pod_worker_on_shim(struct pod_worker *w)
{
    if (!w->shim)
        return;
    orc_error_t err = NULL;
    int r = shim_client_receive(w->shim, &err);
    pod_worker_dispatch(w);
    if (r < 0) {
        log_warn("pod '%s/%s': %s", w->pod->namespace, w->pod->name, orc_error_message(err));
        orc_error_release(&err);
    }
    if (r <= 0 && w->shim)
        on_shim_lost(w);
}

void pod_worker_update(struct pod_worker *w, const json_t *object)
{
    orc_error_t err = NULL;
    struct pod *pod = NULL;
    if (pod_from_json(object, &pod, &err) < 0) {
        orc_error_release(&err);
        return;
    }
    apply_object(w, object, pod);
    for (size_t i = 0; i < w->n_runs; i++) {
        struct container_run *r = &w->runs[i];
        const struct container *c = pod_find_container(pod, r->name);
        if (!c || strcmp(c->image, r->image) == 0)
            continue;
        set_str(&r->image, c->image);
        event(w, "Normal", "Killing", "Container %s definition changed, will be restarted",
              r->name);
        if (r->state == RUN_RUNNING && w->shim) {
            r->replace = true;
            if (sandbox_stop_container(w, r->name, pod->termination_grace_period_seconds, &err) <
                0) {
                log_warn("pod '%s/%s': %s", pod->namespace, pod->name, orc_error_message(err));
                orc_error_release(&err);
            }
        } else if (r->state == RUN_EXITED) {
            r->done = false;
            r->restart_at = 0;
            r->replace = true;
        }
    }
    w->dirty = true;
}

void pod_worker_on_timer(struct pod_worker *w, int64_t now)
{
    if (w->state != WORKER_SYNCING || w->deleted)
        return;
    if (w->retry_at && w->retry_at <= now)
        w->retry_at = 0;
    for (size_t i = 0; i < w->n_runs; i++) {
        struct container_run *r = &w->runs[i];
        if (r->restart_at && r->restart_at <= now)
            restart_container(w, r);
        if (r->pull_retry_at && r->pull_retry_at <= now)
            r->pull_retry_at = 0; /* the next sync pulls again */
    }
}

int64_t pod_worker_next_deadline(const struct pod_worker *w)
{
    int64_t next = w->retry_at;
    for (size_t i = 0; i < w->n_runs; i++) {
        const struct container_run *r = &w->runs[i];
        /* ErrImagePull turns into ImagePullBackOff a second after the failure */
        bool err_shown =
            r->pull_retry_at && r->waiting_reason && !strcmp(r->waiting_reason, "ErrImagePull");
        int64_t at[] = {r->restart_at, r->pull_retry_at,
                        err_shown ? r->pull_failed_at + NSEC_PER_SEC : 0};
        for (size_t k = 0; k < 3; k++)
            if (at[k] && (!next || at[k] < next))
                next = at[k];
    }
    return next;
}
