/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One pod's life, after kubelet's pod_workers: sync (start sandbox and containers, restart
 * them per policy) -> terminating (shim stops everything within the grace period) ->
 * terminated (files and the stored object removed). Decisions come from scheduler/; every
 * slow step runs on the job pool as a pod step (step.c), one at a time per pod, and its
 * outcome is applied here, on the loop thread, before the pod syncs again.
 */
#include "pods/worker.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "images/images.h"
#include "images/keyring.h"
#include "images/pull-jobs.h"
#include "images/pull-policy.h"
#include "json-util.h"
#include "log.h"
#include "pods/cni.h"
#include "pods/container-env.h"
#include "pods/pod-dns.h"
#include "pods/pull-secrets.h"
#include "pods/oci-spec.h"
#include "pods/sandbox.h"
#include "pods/shim-client.h"
#include "pods/step.h"
#include "pods/volumes.h"
#include "scheduler.h"
#include "store/store.h"
#include "strv.h"
#include "sys/jobs.h"
#include "time-util.h"
#include "xalloc.h"

/* a terminating shim gets its grace period, then this long to exit before it is killed */
#define SHUTDOWN_MARGIN_NS (10 * NSEC_PER_SEC)

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
    struct store_event_ref ref = {"Pod", w->pod->namespace, w->pod->name, w->uid};
    if (store_event_add(w->env->store, &ref, type, reason, msg, &err) < 0) {
        log_pod_warn(w->pod, "record event: %s, ignoring", orc_error_message(err));
        orc_error_release(&err);
    }
}

void pod_worker_event(struct pod_worker *w, const char *type, const char *reason,
                      const char *message)
{
    event(w, type, reason, "%s", message);
}

static struct sched_backoff_config backoff_config(const struct pod_worker *w)
{
    const struct pod_config *c = w->env->config;
    return (struct sched_backoff_config){.base_ns = c->backoff_base_ns,
                                         .max_ns = c->backoff_max_ns,
                                         .reset_ns = c->backoff_reset_ns};
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
        job_cancel(w->job); /* a step under way gives up and cleans up: the pod goes */
    }
}

struct pod_worker *pod_worker_new(struct pod_env *env, const json_t *object)
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
    w->env = env;
    w->watched_fd = -1;
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
    bool evicted = reason && !strcmp(reason, SCHED_REASON_EVICTED);
    w->failed_running = evicted || (reason && !strcmp(reason, "DeadlineExceeded"));
    if (w->failed_running || (reason && (!strcmp(reason, SCHED_REASON_OUT_OF_PODS) ||
                                         !strcmp(reason, "LimitsNotEnforced")))) {
        w->rejected = true;
        set_str(&w->pod_reason, reason);
        set_str(&w->pod_message, orc_json_str(status, "message"));
        w->fail_grace_s =
            evicted ? SCHED_EVICTION_GRACE_SECONDS : pod->termination_grace_period_seconds;
    }
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
    free(r->last_message);
    keyring_free(r->pull_keyring);
}

struct pod_worker *pod_worker_free(struct pod_worker *w)
{
    if (!w)
        return NULL;
    assert(!w->job); /* the loop frees workers only without a step in flight */
    for (size_t i = 0; i < w->n_runs; i++)
        run_clear(&w->runs[i]);
    free(w->runs);
    shim_client_free(w->shim);
    json_decref(w->net_result);
    free(w->pod_ip);
    free(w->cgroup);
    free(w->volumes_stamp);
    pod_free(w->pod);
    free(w->uid);
    free(w->created);
    free(w->resource_version);
    free(w->pod_reason);
    free(w->pod_message);
    free(w);
    return NULL;
}

int pod_worker_fd(const struct pod_worker *w)
{
    return w->shim ? shim_client_fd(w->shim) : -1;
}

bool pod_worker_admitted(const struct pod_worker *w)
{
    return w->start_time > 0 && !w->rejected && w->state == WORKER_SYNCING;
}

bool pod_worker_bound_elsewhere(const struct pod_worker *w)
{
    const char *node = w->env->config->node_name;
    return w->pod->node_name && node && strcmp(w->pod->node_name, node) != 0;
}

void pod_worker_flush_status(struct pod_worker *w)
{
    if (!w->dirty || w->state == WORKER_TERMINATED)
        return;
    json_auto_t *st = pod_worker_status_json(w);
    orc_error_t err = NULL;
    if (store_pod_set_status(w->env->store, w->uid, st, &err) < 0) {
        log_pod_warn(w->pod, "write status: %s; trying again in 1s", orc_error_message(err));
        if (err->status == ENOSPC)
            w->env->disk_pressure = true;
        orc_error_release(&err);
        w->flush_at = orc_time_now_ns() + NSEC_PER_SEC;
        return;
    }
    w->dirty = false;
    w->flush_at = 0;
}

static struct container_run *find_run(struct pod_worker *w, const char *name)
{
    for (size_t i = 0; name && i < w->n_runs; i++)
        if (strcmp(w->runs[i].name, name) == 0)
            return &w->runs[i];
    return NULL;
}

static void submit(struct pod_worker *w, struct pod_step *s);
static void stop_sandbox(struct pod_worker *w, int64_t grace_s);

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

static void set_net_result(struct pod_worker *w, json_t *result)
{
    json_decref(w->net_result);
    free(w->pod_ip);
    w->net_result = result;
    w->pod_ip = result ? network_pod_ip(result) : NULL;
    w->dirty = true;
}

/* A pull finished badly: ErrImagePull now, ImagePullBackOff until the back-off passes. */
static void pull_failed(struct pod_worker *w, struct container_run *r, const char *image,
                        const char *msg)
{
    struct sched_backoff_config cfg = backoff_config(w);
    r->pull_backoff_ns = sched_backoff_next(r->pull_backoff_ns, &cfg);
    r->pull_failed_at = orc_time_now_ns();
    r->pull_retry_at = r->pull_failed_at + r->pull_backoff_ns;
    set_waiting(r, "ErrImagePull", msg);
    event(w, "Warning", "Failed", "Failed to pull image \"%s\": %s", image, msg);
    event(w, "Warning", "Failed", "Error: ErrImagePull");
}

/* A pull that found no registry, of an Always only implied by the tag: the stored image,
 * with a Warning that says so (images/pull-policy.h). */
static bool use_stored_offline(struct pod_worker *w, struct container_run *r,
                               const struct container *c, orc_error_t failure)
{
    struct image *img = NULL;
    orc_error_t err = NULL;
    if (!image_pull_may_use_stored(c->pull_policy, c->pull_policy_implied,
                                   w->env->config->strict_image_pull_policy,
                                   failure ? failure->status : 0))
        return false;
    if (images_resolve(w->env->images, c->image, &img, &err) < 0) {
        orc_error_release(&err);
        return false;
    }
    event(w, "Warning", "UsingStoredImage",
          "Failed to pull image \"%s\": %s; the registry cannot be reached: using the stored "
          "image %.19s (imagePullPolicy Always is implied by the tag, not written; orcd "
          "--strict-image-pull-policy would wait for the registry)",
          c->image, orc_error_message(failure), img->id);
    image_free(img);
    r->pulled = true;
    r->pull_backoff_ns = 0;
    return true;
}

/* The credentials of the pod's imagePullSecrets for a pull about to start, into
 * r->pull_keyring; as kubelet, a missing Secret is a warning and the pull goes on without it.
 * False when a Secret cannot be read as docker's configuration: the pull fails with that. */
static bool pull_credentials(struct pod_worker *w, struct container_run *r,
                             const struct container *c)
{
    char **missing = NULL;
    orc_error_t err = NULL;
    r->pull_keyring = keyring_free(r->pull_keyring);
    if (pull_secrets_keyring(w->env->store, w->pod, &r->pull_keyring, &missing, &err) < 0) {
        pull_failed(w, r, c->image, orc_error_message(err));
        orc_error_release(&err);
        return false;
    }
    if (missing) {
        _cleanup_free_ char *names = strv_join(missing, ", ");
        event(w, "Warning", "FailedToRetrieveImagePullSecret",
              "Unable to retrieve some image pull secrets (%s); attempting to pull the image may "
              "not succeed.",
              names);
        strv_free(missing);
    }
    return true;
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
    if (!r->pulling && !pull_credentials(w, r, c))
        return false;
    orc_error_t failure = NULL;
    switch (pull_jobs_poll(w->env->pulls, c->image, r->pull_keyring, &failure)) {
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
        r->pull_keyring = keyring_free(r->pull_keyring);
        r->pulled = true;
        r->pull_backoff_ns = 0;
        return true;
    case PULL_JOB_FAILED:
    case _PULL_JOB_STATE_MAX:
    case _PULL_JOB_STATE_INVALID:
        break;
    }
    r->pulling = false;
    r->pull_keyring = keyring_free(r->pull_keyring);
    bool stored = use_stored_offline(w, r, c, failure);
    if (!stored)
        pull_failed(w, r, c->image, failure ? orc_error_message(failure) : "pull failed");
    orc_error_release(&failure);
    return stored;
}

/* The container's image per imagePullPolicy, pulling it when needed; NULL while waiting. */
static struct image *container_image(struct pod_worker *w, struct container_run *r,
                                     const struct container *c)
{
    orc_error_t err = NULL;
    struct image *img = NULL;
    enum image_need need = image_pull_need(c->image, c->pull_policy, r->pulled);
    if (need == IMAGE_NEED_INVALID) { /* as kubelet: never pulled, never retried */
        char *msg = xasprintf("Failed to apply default image tag \"%s\": couldn't parse image "
                              "reference \"%s\": invalid reference format",
                              c->image, c->image);
        if (!r->waiting_reason || strcmp(r->waiting_reason, "InvalidImageName") != 0)
            event(w, "Warning", "InspectFailed", "%s", msg);
        set_waiting(r, "InvalidImageName", msg);
        free(msg);
        return NULL;
    }
    bool must_pull = need == IMAGE_NEED_PULL;
    /* a pull under way is seen through (its result, its Pulled event) even if the image
     * arrived meanwhile */
    if (!must_pull && !r->pulling) {
        if (images_resolve(w->env->images, c->image, &img, &err) == 0)
            return img;
        if (err->status != ENOENT) {
            /* not "missing" (a full fd table, an I/O error): kubelet's ImageInspectError,
             * looked at again in a second rather than taken for an absent image */
            char *msg =
                xasprintf("Failed to inspect image \"%s\": %s", c->image, orc_error_message(err));
            if (!r->waiting_reason || strcmp(r->waiting_reason, "ImageInspectError") != 0)
                event(w, "Warning", "InspectFailed", "%s", msg);
            set_waiting(r, "ImageInspectError", msg);
            free(msg);
            orc_error_release(&err);
            w->retry_at = orc_time_now_ns() + NSEC_PER_SEC;
            return NULL;
        }
        orc_error_release(&err);
    }
    if (need == IMAGE_NEED_STORED) {
        bool local = c->pull_policy != PULL_NEVER; /* "localhost/...", as podman */
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
    if (images_resolve(w->env->images, c->image, &img, &err) < 0) {
        pull_failed(w, r, c->image, orc_error_message(err));
        orc_error_release(&err);
        return NULL;
    }
    return img;
}

/* kubelet's generateContainerConfig: the container's environment from the ConfigMaps and
 * Secrets stored now. One that is missing keeps it waiting in CreateContainerConfigError
 * until an object changes (pod_env.objects_generation: a write wakes the loop, and that sync
 * looks again); *ret_objects the objects found, for the start step to make the same
 * environment from. */
static bool container_config(struct pod_worker *w, struct container_run *r,
                             const struct container *c, json_t **ret_objects)
{
    if (r->config_missing && r->config_generation == w->env->objects_generation &&
        r->waiting_reason && !strcmp(r->waiting_reason, "CreateContainerConfigError"))
        return false; /* nothing it reads has changed */
    orc_error_t err = NULL;
    json_t *objects = NULL;
    struct expand_env env = {0};
    if (container_env_objects(w->env->store, w->pod, c, &objects, &err) == 0) {
        struct expand_facts f = container_env_facts(w->env, w->uid, w->pod_ip, objects);
        (void) expand_container_env(w->pod, c, &f, &env, &err);
    }
    if (err) {
        const char *msg = orc_error_message(err);
        if (!r->waiting_reason || strcmp(r->waiting_reason, "CreateContainerConfigError") ||
            strcmp(r->waiting_message ? r->waiting_message : "", msg))
            event(w, "Warning", "Failed", "Error: %s", msg);
        set_waiting(r, "CreateContainerConfigError", msg);
        /* a missing object or key; anything else (the store busy) is tried at the next sync */
        r->config_missing = err->status == ENOENT;
        r->config_generation = w->env->objects_generation;
        orc_error_release(&err);
        json_decref(objects);
        return false;
    }
    r->config_missing = false;
    for (size_t i = 0; env.skipped && env.skipped[i]; i++)
        event(w, "Warning", "InvalidEnvironmentVariableNames", "%s", env.skipped[i]);
    expand_env_done(&env);
    *ret_objects = objects;
    return true;
}

/* Submits the start of r's current attempt once its image is there; true if submitted. */
static bool start_container(struct pod_worker *w, struct container_run *r)
{
    const struct container *c = pod_find_container(w->pod, r->name);
    w->dirty = true;
    struct image *img = container_image(w, r, c);
    json_t *objects = NULL;
    if (!img)
        return false;
    if (!container_config(w, r, c, &objects)) {
        image_free(img);
        return false;
    }
    r->pulled = false; /* Always pulls again for the next start */
    set_str(&r->image_id, img->id);
    struct pod_step *s = pod_step_new(STEP_START, w);
    s->container = xstrdup(r->name);
    s->attempt = r->restart_count + (r->restarting ? 1 : 0);
    s->image = img;
    s->env_objects = objects;
    submit(w, s);
    return true;
}

/* The next attempt of r: bookkeeping only; the sync that follows starts it. */
static void restart_container(struct container_run *r)
{
    r->has_last = true;
    r->last_exit_code = r->exit_code;
    r->last_started_at = r->started_at;
    r->last_finished_at = r->finished_at;
    set_str(&r->last_reason, r->reason);
    set_str(&r->last_message, r->message);
    r->restarting = true;
    r->restart_at = 0;
    set_waiting(r, "ContainerCreating", NULL);
}

static void decide_restart(struct pod_worker *w, struct container_run *r)
{
    w->dirty = true;
    if (w->deleted)
        return;
    if (w->rejected) { /* failed by the node: nothing restarts */
        r->done = true;
        return;
    }
    if (r->replace) {
        r->replace = false;
        restart_container(r);
        return;
    }
    struct sched_container_run run = {.exited = true,
                                      .exit_code = r->exit_code,
                                      .restart_count = r->restart_count,
                                      .started_at = r->started_at,
                                      .finished_at = r->finished_at,
                                      .backoff_ns = r->backoff_ns};
    struct sched_backoff_config cfg = backoff_config(w);
    int64_t at = 0, backoff = 0;
    enum sched_restart d =
        sched_restart_decide(w->pod->restart_policy, &run, &cfg, orc_time_now_ns(), &at, &backoff);
    r->backoff_ns = backoff;
    switch (d) {
    case SCHED_RESTART_NOW:
        restart_container(r);
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
    int attempt = (int) orc_json_int(st, "attempt", -1);
    if (r && r->restarting && attempt == r->restart_count + 1) {
        r->restart_count = attempt; /* it exited before its start was answered */
        r->restarting = false;
    }
    if (!r || attempt != r->restart_count)
        return; /* an older instance: already accounted for */
    int64_t finished = orc_json_int(st, "finishedAt", 0);
    if (r->state == RUN_EXITED && r->finished_at == finished)
        return;
    int code = (int) orc_json_int(st, "exitCode", 0);
    mark_exited(r, code, orc_json_str(st, "reason"), orc_json_str(st, "message"),
                orc_json_int(st, "startedAt", r->started_at), finished);
    r->started_once = true;
    log_pod_info(w->pod, "container '%s' exited with %d", r->name, code);
    decide_restart(w, r);
}

/* The shim saw a container's runtime through (also for starts this agent did not ask for:
 * an agent that restarted meanwhile). */
static void on_container_started(struct pod_worker *w, const json_t *st)
{
    struct container_run *r = find_run(w, orc_json_str(st, "name"));
    int attempt = (int) orc_json_int(st, "attempt", -1);
    if (!r || r->state == RUN_RUNNING || attempt < r->restart_count ||
        (r->state == RUN_EXITED && attempt == r->restart_count))
        return;
    r->restart_count = attempt;
    r->restarting = false;
    r->started_once = true;
    r->state = RUN_RUNNING;
    r->started_at = orc_json_int(st, "startedAt", orc_time_now_ns());
    set_str(&r->waiting_reason, NULL);
    set_str(&r->waiting_message, NULL);
    w->dirty = true;
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
        r->restarting = false;
        r->started_once = true;
        const char *state = orc_json_str(st, "state");
        if (state && strcmp(state, "running") == 0) {
            r->state = RUN_RUNNING;
            r->started_at = orc_json_int(st, "startedAt", r->started_at);
            set_str(&r->waiting_reason, NULL);
        } else if (state && strcmp(state, "exited") == 0) {
            on_container_exit(w, st);
        } /* "starting": its "started" or "exit" event follows */
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
static void limits_unavailable(struct pod_worker *w)
{
    const char *why = "no systemd user session with delegated cgroups (see 'orc check')";
    if (!w->env->config->require_limits) {
        event(w, "Warning", "LimitsNotEnforced", "Resource limits are not enforced: %s", why);
        return;
    }
    event(w, "Warning", "LimitsNotEnforced",
          "Pod refused: its resource limits cannot be enforced (%s) and orcd runs with "
          "--require-limits",
          why);
    w->rejected = true;
    set_str(&w->pod_reason, "LimitsNotEnforced");
    char *msg = xasprintf("resource limits cannot be enforced: %s", why);
    set_str(&w->pod_message, msg);
    free(msg);
    w->dirty = true;
    stop_sandbox(w, 0); /* the shim goes; on_shim_lost follows */
}

/* Whatever ran in a sandbox that is gone ended with it. */
static void sandbox_lost(struct pod_worker *w, const char *why)
{
    int64_t now = orc_time_now_ns();
    for (size_t i = 0; i < w->n_runs; i++)
        if (w->runs[i].state == RUN_RUNNING) {
            mark_exited(&w->runs[i], 137, "Error", why, w->runs[i].started_at, now);
            w->dirty = true;
        }
}

/* A failed pod's sandbox is gone (stopped, or not found after an agent restart): what still
 * shows as running ended with it, and nothing restarts. */
static void rejected_sandbox_gone(struct pod_worker *w)
{
    w->adopt_tried = true;
    sandbox_lost(w, "the pod sandbox was stopped");
    for (size_t i = 0; i < w->n_runs; i++)
        w->runs[i].done = true;
}

static void sandbox_failed(struct pod_worker *w, struct pod_step *s)
{
    const char *msg = orc_error_message(s->err);
    if (s->err && s->err->status == ECANCELED)
        return; /* the pod is going away */
    log_pod_error(w->pod, "%s: %s", s->failed ? s->failed : "sandbox", msg);
    w->mount_failed = s->failed && !strcmp(s->failed, "volumes");
    if (w->mount_failed) { /* kubelet's volume manager's words */
        set_str(&w->volumes_stamp, s->volumes_stamp);
        event(w, "Warning", "FailedMount", "%s", msg);
    } else
        event(w, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: %s", msg);
    struct sched_backoff_config cfg = backoff_config(w);
    w->sandbox_backoff_ns = sched_backoff_next(w->sandbox_backoff_ns, &cfg);
    w->retry_at = orc_time_now_ns() + w->sandbox_backoff_ns;
}

/* A new sandbox's DNS, as kubelet reports it when it creates one. */
static void dns_events(struct pod_worker *w, const struct pod_step *s)
{
    if (pod_dns_missing_cluster(w->pod)) {
        _cleanup_free_ char *msg = pod_dns_missing_cluster_message(w->pod, w->uid);
        event(w, "Warning", "MissingClusterDNS", "%s", msg);
    }
    if (s->dns_warning)
        event(w, "Warning", "DNSConfigForming", "%s", s->dns_warning);
}

static void on_sandbox_done(struct pod_worker *w, struct pod_step *s)
{
    if (s->net_changed)
        set_net_result(w, TAKE_PTR(s->new_net_result));
    if (s->status < 0) {
        sandbox_failed(w, s);
        return;
    }
    if (!s->shim) { /* STEP_ADOPT found none */
        w->adopt_tried = true;
        if (w->rejected)
            rejected_sandbox_gone(w);
        return;
    }
    w->shim = TAKE_PTR(s->shim);
    w->shim_pid = s->shim_pid;
    w->mount_failed = false;
    if (!s->adopted) /* an adopted one is brought up to date by the next sync */
        set_str(&w->volumes_stamp, s->volumes_stamp);
    free(w->cgroup);
    w->cgroup = TAKE_PTR(s->new_cgroup);
    w->sandbox_backoff_ns = 0;
    w->dirty = true;
    if (s->adopted) {
        log_pod_info(w->pod, "adopted running shim (pid %d)", (int) w->shim_pid);
        if (s->net_repaired)
            event(w, "Normal", "NetworkRestored",
                  "Pod network set up again: its setup was interrupted (orcd stopped)");
        adopt_status(w, s->hello);
        return;
    }
    sandbox_lost(w, "the pod sandbox was lost");
    if (!w->cgroup && pod_has_resources(w->pod))
        limits_unavailable(w);
    dns_events(w, s);
}

/* The container's configuration could not be made (kubelet's CreateContainerConfigError): it
 * waits, and is tried again with back-off. */
static void config_failed(struct pod_worker *w, struct container_run *r, const char *msg)
{
    struct sched_backoff_config cfg = backoff_config(w);
    r->config_backoff_ns = sched_backoff_next(r->config_backoff_ns, &cfg);
    r->config_retry_at = orc_time_now_ns() + r->config_backoff_ns;
    log_pod_warn(w->pod, "container '%s': %s", r->name, msg);
    if (!r->waiting_message || strcmp(r->waiting_message, msg) != 0)
        event(w, "Warning", "Failed", "Error: %s", msg);
    set_waiting(r, "CreateContainerConfigError", msg);
    w->dirty = true;
}

static void on_start_done(struct pod_worker *w, struct pod_step *s)
{
    struct container_run *r = find_run(w, s->container);
    if (!r || r->restart_count + (r->restarting ? 1 : 0) != s->attempt || r->state == RUN_EXITED)
        return; /* superseded, or its exit was reported first */
    for (size_t i = 0; s->warnings && s->warnings[i]; i++)
        if (!r->started_once)
            event(w, "Warning", "SecurityContext", "%s", s->warnings[i]);
    if (s->status < 0 && s->err && s->err->status == OCI_SPEC_ECONFIG) {
        config_failed(w, r, orc_error_message(s->err));
        return;
    }
    r->config_backoff_ns = 0;
    int64_t now = orc_time_now_ns();
    r->restart_count = s->attempt;
    r->restarting = false;
    r->started_once = true;
    w->dirty = true;
    if (s->status < 0) {
        const char *msg = orc_error_message(s->err);
        log_pod_warn(w->pod, "start container '%s': %s", r->name, msg);
        event(w, "Warning", "Failed", "Error: %s", msg);
        mark_exited(r, 128, "StartError", msg, now, now);
        decide_restart(w, r);
        return;
    }
    r->state = RUN_RUNNING;
    r->started_at = orc_json_int(s->container_status, "startedAt", now);
    set_str(&r->waiting_reason, NULL);
    set_str(&r->waiting_message, NULL);
    event(w, "Normal", "Created", "Created container %s", r->name);
    event(w, "Normal", "Started", "Started container %s", r->name);
    log_pod_info(w->pod, "container '%s' started (attempt %d)", r->name, r->restart_count);
}

static void on_check_done(struct pod_worker *w, struct pod_step *s)
{
    if (s->net_changed)
        set_net_result(w, TAKE_PTR(s->new_net_result));
    if (s->status < 0) {
        event(w, "Warning", "NetworkNotReady",
              "Pod network lost and could not be set up again: %s; the sandbox will be "
              "re-created",
              orc_error_message(s->err));
        orc_error_t err = NULL;
        if (w->shim && sandbox_shutdown(w->shim, 0, &err) < 0) /* a new sandbox follows */
            orc_error_release(&err);
    } else if (s->net_repaired) {
        event(w, "Normal", "NetworkRestored", "Pod network lost and set up again");
    }
}

static void on_teardown_done(struct pod_worker *w, struct pod_step *s)
{
    orc_error_t err = NULL;
    if (s->net_changed)
        set_net_result(w, TAKE_PTR(s->new_net_result));
    if (s->status < 0)
        log_pod_warn(w->pod, "%s: %s, ignoring", s->failed, orc_error_message(s->err));
    if (s->kind != STEP_TEARDOWN)
        return;
    if (store_pod_remove(w->env->store, w->uid, &err) < 0) {
        log_pod_error(w->pod, "remove from store: %s", orc_error_message(err));
        orc_error_release(&err);
        return; /* stays terminating; retried on the next sync */
    }
    w->state = WORKER_TERMINATED;
    log_pod_info(w->pod, "deleted");
}

/* A failed pod's volumes were released. */
static void on_release_done(struct pod_worker *w, struct pod_step *s)
{
    w->volumes_released = true; /* tried once; the teardown removes what stays */
    if (s->status < 0)
        log_pod_warn(w->pod, "release volumes: %s, ignoring", orc_error_message(s->err));
}

/* Files of volumes written again after their objects changed. */
static void on_volumes_done(struct pod_worker *w, struct pod_step *s)
{
    set_str(&w->volumes_stamp, s->volumes_stamp);
    if (s->status < 0) {
        log_pod_warn(w->pod, "volumes: %s", orc_error_message(s->err));
        event(w, "Warning", "FailedMount", "%s", orc_error_message(s->err));
    }
}

/* Whether what the pod's volumes show changed since they were written (or failed). */
static bool volumes_changed(struct pod_worker *w)
{
    json_auto_t *objects = pod_volume_objects(w->env->store, w->pod);
    _cleanup_free_ char *stamp = pod_volumes_stamp(w->pod, objects);
    return stamp && (!w->volumes_stamp || strcmp(stamp, w->volumes_stamp));
}

static void step_done(void *arg)
{
    struct pod_step *s = arg;
    struct pod_worker *w = s->worker;
    w->job = NULL;
    if (w->env->stopping) { /* orcd stops: what the step made is found again by the next one */
        pod_step_free(s);
        return;
    }
    switch (s->kind) {
    case STEP_SANDBOX:
    case STEP_ADOPT:
        on_sandbox_done(w, s);
        break;
    case STEP_START:
        on_start_done(w, s);
        break;
    case STEP_NETWORK_CHECK:
        on_check_done(w, s);
        break;
    case STEP_NETWORK_DOWN:
    case STEP_TEARDOWN:
        on_teardown_done(w, s);
        break;
    case STEP_VOLUMES:
        on_volumes_done(w, s);
        break;
    case STEP_RELEASE:
        on_release_done(w, s);
        break;
    case _STEP_KIND_MAX:
    case _STEP_KIND_INVALID:
        break;
    }
    pod_step_free(s);
}

static void submit(struct pod_worker *w, struct pod_step *s)
{
    log_pod_debug(w->pod, "step: %s", pod_step_kind_to_string(s->kind));
    w->job = job_submit(w->env->jobs, pod_step_run, step_done, s);
}

/* Tells the shim to stop every container within grace_s and exit (once); a shim still there
 * past the grace period and the runtime's deadline is killed. EOF on its socket follows. */
static void stop_sandbox(struct pod_worker *w, int64_t grace_s)
{
    if (!w->shim || w->shutdown_sent)
        return;
    orc_error_t err = NULL;
    if (sandbox_shutdown(w->shim, grace_s, &err) < 0) {
        log_pod_warn(w->pod, "%s; killing the shim", orc_error_message(err));
        orc_error_release(&err);
        (void) shim_client_kill(w->shim);
    }
    w->shutdown_sent = true;
    w->kill_at = orc_time_now_ns() + grace_s * NSEC_PER_SEC + w->env->config->request_timeout_ns +
                 SHUTDOWN_MARGIN_NS;
}

static void terminate(struct pod_worker *w)
{
    if (w->state != WORKER_TERMINATING) {
        w->state = WORKER_TERMINATING;
        for (size_t i = 0; i < w->n_runs; i++) {
            w->runs[i].restart_at = 0;
            if (w->runs[i].state == RUN_RUNNING)
                event(w, "Normal", "Killing", "Stopping container %s", w->runs[i].name);
        }
        log_pod_info(w->pod, "terminating (grace %llds)", (long long) w->grace_s);
    }
    if (w->shim) {
        stop_sandbox(w, w->grace_s);
        return;
    }
    submit(w, pod_step_new(w->adopt_tried ? STEP_TEARDOWN : STEP_ADOPT, w));
}

/* nodeSelector and required node affinity against the node's labels: a pod that does not
 * match stays Pending, unschedulable, as the scheduler leaves it. */
static bool node_matches(struct pod_worker *w)
{
    const struct pod_config *cfg = w->env->config;
    if (pod_node_matches(w->pod, cfg->node_labels, cfg->node_name)) {
        w->unschedulable_at = 0; /* the node's labels came to match: scheduled now */
        return true;
    }
    if (!w->unschedulable_at) {
        w->unschedulable_at = orc_time_now_ns();
        event(w, "Warning", "FailedScheduling", "%s", POD_NODE_MISMATCH_MESSAGE);
        w->dirty = true;
    }
    return false;
}

static bool admit(struct pod_worker *w)
{
    struct pod_env *env = w->env;
    if (!node_matches(w))
        return false;
    struct sched_capacity cap = {.max_pods = env->config->max_pods,
                                 .running_pods = (int) env->admitted};
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
    w->start_time = orc_time_now_ns();
    env->admitted++;
    event(w, "Normal", "Scheduled", "Successfully assigned %s/%s to %s", w->pod->namespace,
          w->pod->name, env->config->node_name);
    w->dirty = true;
    return true;
}

static bool needs_sandbox(const struct pod_worker *w)
{
    for (size_t i = 0; i < w->n_runs; i++)
        if (!w->runs[i].done && w->runs[i].state != RUN_EXITED)
            return true;
    return false;
}

/* A pod the node failed after admitting it: its sandbox stopped (also one an earlier agent
 * left running), then its network torn down (above) and its volumes' data released, as
 * kubelet tears a terminated pod's volumes down; the pod itself stays until deleted. */
static void settle_rejected(struct pod_worker *w)
{
    if (w->start_time == 0)
        return; /* refused at admission: nothing was made */
    if (w->shim)
        stop_sandbox(w, w->fail_grace_s);
    else if (!w->adopt_tried)
        submit(w, pod_step_new(STEP_ADOPT, w));
    else if (!w->volumes_released)
        submit(w, pod_step_new(STEP_RELEASE, w));
}

void pod_worker_sync(struct pod_worker *w)
{
    if (w->state == WORKER_TERMINATED || w->job)
        return;
    if (w->deleted) {
        terminate(w);
        return;
    }
    if (!w->shim && w->net_result) { /* the sandbox went: its network goes too */
        submit(w, pod_step_new(STEP_NETWORK_DOWN, w));
        return;
    }
    if (w->start_time == 0 && pod_worker_bound_elsewhere(w)) {
        if (!w->elsewhere) { /* its status is written once: Pending, as the API server made it */
            w->elsewhere = true;
            w->dirty = true;
            log_pod_info(w->pod, "bound to node '%s', not this one ('%s'): not run here",
                         w->pod->node_name, w->env->config->node_name);
        }
        return;
    }
    if (w->rejected) {
        settle_rejected(w);
        return;
    }
    if (w->start_time == 0 && !admit(w))
        return;
    if (w->retry_at && w->mount_failed && volumes_changed(w))
        w->retry_at = 0; /* what it waited for may be there now */
    if (w->retry_at && w->retry_at > orc_time_now_ns())
        return;
    if (w->check_due && w->shim) {
        w->check_due = false;
        submit(w, pod_step_new(STEP_NETWORK_CHECK, w));
        return;
    }
    if (needs_sandbox(w) && !w->shim) {
        submit(w, pod_step_new(STEP_SANDBOX, w));
        return;
    }
    if (w->shim && volumes_changed(w)) { /* kubelet's periodic remount, on the change */
        submit(w, pod_step_new(STEP_VOLUMES, w));
        return;
    }
    for (size_t i = 0; i < w->n_runs; i++) {
        struct container_run *r = &w->runs[i];
        if (r->state == RUN_EXITED && !r->done && r->restart_at == 0)
            decide_restart(w, r); /* restored from the store after an agent restart */
        if (r->state == RUN_WAITING && r->restart_at == 0 && r->config_retry_at == 0 && w->shim &&
            start_container(w, r))
            return; /* one step at a time: the next container after this one */
    }
}

static void on_shim_lost(struct pod_worker *w)
{
    w->shim = shim_client_free(w->shim);
    w->shutdown_sent = false;
    w->kill_at = 0;
    if (w->state == WORKER_TERMINATING) {
        w->adopt_tried = true; /* it was ours: nothing to adopt; the teardown follows */
        return;
    }
    if (w->rejected) { /* a failed pod's sandbox, shut down on purpose */
        rejected_sandbox_gone(w);
        return;
    }
    log_pod_warn(w->pod, "shim exited unexpectedly; containers restart per restartPolicy");
    event(w, "Warning", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
    sandbox_lost(w, "the pod sandbox exited unexpectedly");
}

/* Handles the shim's messages already read. Events may also wait in the client's buffer
 * after a send, where no readiness of the socket would ever announce them again. */
void pod_worker_dispatch(struct pod_worker *w)
{
    json_t *msg;
    while (w->shim && (msg = shim_client_next(w->shim))) {
        const char *ev = orc_json_str(msg, "event");
        if (ev && strcmp(ev, "exit") == 0 && !w->deleted)
            on_container_exit(w, json_object_get(msg, "container"));
        else if (ev && strcmp(ev, "disk-pressure") == 0) {
            w->env->disk_pressure = true;
            event(w, "Warning", "DiskPressure",
                  "The disk holding the log of container %s is full: its output is lost until "
                  "there is room (unused images are being removed)",
                  orc_json_str(msg, "container") ?: "?");
        } else if (ev && strcmp(ev, "started") == 0 && !w->deleted)
            on_container_started(w, json_object_get(msg, "container"));
        else if (ev && strcmp(ev, "link-removed") == 0 && !w->deleted) {
            /* not a warning yet: the agent's own DEL before an ADD (a repair) is reported
             * too; the check warns when the network is broken */
            log_pod_debug(w->pod, "interface '%s' left the sandbox; checking the network",
                          orc_json_str(msg, "ifname") ?: "?");
            w->check_due = true;
        } else if (!ev && !json_is_true(json_object_get(msg, "ok")))
            log_pod_warn(w->pod, "shim: %s", orc_json_str(msg, "error") ?: "request failed");
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
        log_pod_warn(w->pod, "%s", orc_error_message(err));
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
            if (sandbox_stop_container(w->shim, r->name, pod->termination_grace_period_seconds,
                                       &err) < 0) {
                log_pod_warn(pod, "%s", orc_error_message(err));
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

/* activeDeadlineSeconds after its admission the pod is killed and Failed, as kubelet's
 * active deadline handler does; 0 = none (or passed already). */
static int64_t active_deadline(const struct pod_worker *w)
{
    int64_t secs = w->pod->host.active_deadline_seconds;
    return secs > 0 && w->start_time > 0 && !w->rejected ? w->start_time + secs * NSEC_PER_SEC : 0;
}

static void deadline_exceeded(struct pod_worker *w)
{
    static const char msg[] = "Pod was active on the node longer than the specified deadline";
    event(w, "Normal", "DeadlineExceeded", "%s", msg);
    pod_worker_fail(w, "DeadlineExceeded", msg, w->pod->termination_grace_period_seconds);
}

void pod_worker_fail(struct pod_worker *w, const char *reason, const char *message, int64_t grace_s)
{
    w->rejected = true;
    w->failed_running = true;
    w->fail_grace_s = grace_s;
    set_str(&w->pod_reason, reason);
    set_str(&w->pod_message, message);
    w->dirty = true;
    for (size_t i = 0; i < w->n_runs; i++) {
        struct container_run *r = &w->runs[i];
        r->restart_at = 0;
        r->done = r->state != RUN_RUNNING; /* a running one is done once it exits */
        if (r->state == RUN_EXITED) {      /* no CrashLoopBackOff: it stays terminated */
            set_str(&r->waiting_reason, NULL);
            set_str(&r->waiting_message, NULL);
        }
        if (r->state == RUN_RUNNING)
            event(w, "Normal", "Killing", "Stopping container %s", r->name);
    }
    log_pod_info(w->pod, "failed: %s: %s", reason, message);
    stop_sandbox(w, grace_s);
}

void pod_worker_on_timer(struct pod_worker *w, int64_t now)
{
    if (w->kill_at && w->kill_at <= now && w->shim) {
        log_pod_warn(w->pod, "the shim did not exit in time; killing it");
        (void) shim_client_kill(w->shim);
        w->kill_at = 0;
    }
    if (w->state != WORKER_SYNCING || w->deleted)
        return;
    if (active_deadline(w) && active_deadline(w) <= now)
        deadline_exceeded(w);
    if (w->retry_at && w->retry_at <= now)
        w->retry_at = 0;
    for (size_t i = 0; i < w->n_runs; i++) {
        struct container_run *r = &w->runs[i];
        if (r->restart_at && r->restart_at <= now)
            restart_container(r); /* the sync that follows starts it */
        if (r->pull_retry_at && r->pull_retry_at <= now)
            r->pull_retry_at = 0; /* the next sync pulls again */
        if (r->config_retry_at && r->config_retry_at <= now)
            r->config_retry_at = 0; /* the next sync tries to start it again */
    }
}

int64_t pod_worker_next_deadline(const struct pod_worker *w)
{
    int64_t next = w->retry_at;
    if (w->kill_at && (!next || w->kill_at < next))
        next = w->kill_at;
    if (w->dirty && w->flush_at && (!next || w->flush_at < next))
        next = w->flush_at;
    if (active_deadline(w) && (!next || active_deadline(w) < next))
        next = active_deadline(w);
    for (size_t i = 0; i < w->n_runs; i++) {
        const struct container_run *r = &w->runs[i];
        /* ErrImagePull turns into ImagePullBackOff a second after the failure */
        bool err_shown =
            r->pull_retry_at && r->waiting_reason && !strcmp(r->waiting_reason, "ErrImagePull");
        int64_t at[] = {r->restart_at, r->pull_retry_at,
                        err_shown ? r->pull_failed_at + NSEC_PER_SEC : 0, r->config_retry_at};
        for (size_t k = 0; k < 4; k++)
            if (at[k] && (!next || at[k] < next))
                next = at[k];
    }
    return next;
}
