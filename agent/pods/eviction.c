/* SPDX-License-Identifier: Apache-2.0 */
/* Local storage eviction: emptyDir volumes measured against their sizeLimit (eviction.h). */
#include "pods/eviction.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "disk-usage.h"
#include "log.h"
#include "pods/volumes.h"
#include "pods/worker.h"
#include "scheduler.h"
#include "sys/jobs.h"
#include "sys/userns.h"
#include "time-util.h"
#include "xalloc.h"

struct usage_item {
    char *uid, *volume, *path;
    bool measured;
    struct orc_disk_usage usage;
    char *error; /* the walk failed: why */
};

struct volume_usage {
    const struct pod_env *env;
    struct usage_item *items;
    size_t n;
};

/* A pod whose volumes may grow (kubelet's active pods): its sandbox up, neither deleted nor
 * failed, and not terminal (some container runs or will run again). */
static bool measured_pod(const struct pod_worker *w)
{
    if (w->state != WORKER_SYNCING || w->deleted || w->rejected || !w->shim)
        return false;
    for (size_t i = 0; i < w->n_runs; i++)
        if (!w->runs[i].done)
            return true;
    return false;
}

/* A volume kubelet's eviction manager would evict for: a disk emptyDir with a limit. */
static bool limited_disk_volume(const struct volume *v)
{
    return v->type == VOLUME_EMPTY_DIR && !v->memory && v->size_limit > 0;
}

bool volume_usage_wanted(struct pod_worker *const *workers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct pod_worker *w = workers[i];
        for (size_t k = 0; measured_pod(w) && k < w->pod->n_volumes; k++)
            if (limited_disk_volume(&w->pod->volumes[k]))
                return true;
    }
    return false;
}

struct volume_usage *volume_usage_new(const struct pod_env *env, struct pod_worker *const *workers,
                                      size_t n)
{
    struct volume_usage *u = xzalloc(sizeof(*u));
    u->env = env;
    for (size_t i = 0; i < n; i++) {
        const struct pod_worker *w = workers[i];
        for (size_t k = 0; measured_pod(w) && k < w->pod->n_volumes; k++) {
            const struct volume *v = &w->pod->volumes[k];
            if (!limited_disk_volume(v))
                continue;
            u->items = xrealloc(u->items, (u->n + 1) * sizeof(*u->items));
            u->items[u->n++] = (struct usage_item){
                .uid = xstrdup(w->uid),
                .volume = xstrdup(v->name),
                .path = pod_volume_dir(env->paths, w->uid, v),
            };
        }
    }
    return u->n ? u : volume_usage_free(u);
}

struct volume_usage *volume_usage_free(struct volume_usage *u)
{
    if (!u)
        return NULL;
    for (size_t i = 0; i < u->n; i++) {
        free(u->items[i].uid);
        free(u->items[i].volume);
        free(u->items[i].path);
        free(u->items[i].error);
    }
    free(u->items);
    free(u);
    return NULL;
}

/* One volume's walk, in orcd re-executed inside the user namespace. */
static int measure(const struct volume_usage *u, struct job *job, struct usage_item *it,
                   orc_error_t *err)
{
    char *args[] = {it->path, NULL};
    _cleanup_free_ char *out = NULL;
    int64_t deadline = orc_time_mono_ns() + u->env->config->request_timeout_ns;
    if (userns_exec_output(u->env->userns, pod_op_disk_usage.name, args, deadline,
                           job_cancel_fd(job), &out, err) < 0)
        return -1;
    struct orc_disk_usage d = {0};
    if (sscanf(out, "%" SCNu64 " %" SCNu64 " %" SCNu64, &d.bytes, &d.inodes, &d.skipped) != 3)
        return orc_error_make_as(err, EPROTO, "disk usage of '%s': unexpected output '%s'",
                                 it->path, out);
    it->usage = d;
    return 0;
}

void volume_usage_run(struct job *job, void *arg)
{
    struct volume_usage *u = arg;
    for (size_t i = 0; i < u->n && !job_cancelled(job); i++) {
        struct usage_item *it = &u->items[i];
        if (access(it->path, F_OK) < 0)
            continue; /* not made yet (or gone with its pod): nothing in it */
        orc_error_t err = NULL;
        if (measure(u, job, it, &err) < 0) {
            it->error = xstrdup(orc_error_message(err));
            orc_error_release(&err);
            continue;
        }
        it->measured = true;
    }
}

static struct pod_worker *find(struct pod_worker *const *workers, size_t n, const char *uid)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(workers[i]->uid, uid))
            return workers[i];
    return NULL;
}

void volume_usage_apply(const struct volume_usage *u, struct pod_worker *const *workers, size_t n)
{
    for (size_t i = 0; i < u->n; i++) {
        const struct usage_item *it = &u->items[i];
        struct pod_worker *w = find(workers, n, it->uid);
        if (!w || !measured_pod(w))
            continue; /* deleted, or failed (evicted for another of its volumes) meanwhile */
        const struct volume *v = volume_find(w->pod->volumes, w->pod->n_volumes, it->volume);
        if (it->error) {
            log_pod_warn(w->pod, "usage of volume '%s' not measured: %s", it->volume, it->error);
            continue;
        }
        if (!it->measured || !v)
            continue;
        log_pod_debug(w->pod, "volume '%s' uses %" PRIu64 " bytes (%" PRIu64 " entries%s)",
                      it->volume, it->usage.bytes, it->usage.inodes,
                      it->usage.skipped ? ", some unreadable: at least that" : "");
        if (it->usage.bytes > INT64_MAX ||
            !sched_empty_dir_over_limit(v, (int64_t) it->usage.bytes))
            continue;
        _cleanup_free_ char *msg = sched_empty_dir_eviction_message(v);
        pod_worker_event(w, "Warning", SCHED_REASON_EVICTED, msg);
        pod_worker_fail(w, SCHED_REASON_EVICTED, msg, SCHED_EVICTION_GRACE_SECONDS);
    }
}

static int disk_usage_op(char **args, orc_error_t *err)
{
    struct orc_disk_usage u = {0};
    if (orc_disk_usage(args[0], &u, err) < 0)
        return -1;
    printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", u.bytes, u.inodes, u.skipped);
    if (fflush(stdout) != 0)
        return orc_error_make(err, errno, "disk usage of '%s': write the result", args[0]);
    return 0;
}

const struct userns_op pod_op_disk_usage = {"disk-usage", 1, disk_usage_op};
