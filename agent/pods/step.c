/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's slow steps, run on the job pool: what each does, in order, and how it cleans up. */
#include "pods/step.h"

#include <errno.h>
#include <stdlib.h>

#include "images/images.h"
#include "json-util.h"
#include "log.h"
#include "manifest.h"
#include "pods/container-env.h"
#include "pods/network.h"
#include "pods/sandbox.h"
#include "pods/shim-client.h"
#include "pods/volumes.h"
#include "pods/sysctls.h"
#include "pods/worker.h"
#include "sys/jobs.h"
#include "strv.h"
#include "sys/paths.h"
#include "time-util.h"
#include "xalloc.h"

static const char *const kind_names[_STEP_KIND_MAX] = {
    [STEP_SANDBOX] = "sandbox",
    [STEP_ADOPT] = "adopt",
    [STEP_START] = "container start",
    [STEP_NETWORK_DOWN] = "network teardown",
    [STEP_NETWORK_CHECK] = "network check",
    [STEP_TEARDOWN] = "teardown",
    [STEP_VOLUMES] = "volumes",
    [STEP_RELEASE] = "release volumes",
};

const char *pod_step_kind_to_string(enum pod_step_kind k)
{
    return k >= 0 && k < _STEP_KIND_MAX ? kind_names[k] : NULL;
}

static struct pod *pod_copy(const struct pod *pod)
{
    json_auto_t *j = pod_to_json(pod);
    struct pod *copy = NULL;
    orc_error_t err = NULL;
    if (pod_from_json(j, &copy, &err) < 0) /* it came from pod_from_json: cannot fail */
        abort();
    return copy;
}

struct pod_step *pod_step_new(enum pod_step_kind kind, struct pod_worker *w)
{
    struct pod_step *s = xzalloc(sizeof(*s));
    s->kind = kind;
    s->worker = w;
    s->env = w->env;
    s->uid = xstrdup(w->uid);
    s->pod = pod_copy(w->pod);
    s->run_dir = orc_paths_pod_run_dir(w->env->paths, w->uid);
    s->shim_pid = w->shim_pid;
    s->cgroup = xstrdup(w->cgroup);
    s->net_result = w->net_result ? json_deep_copy(w->net_result) : NULL;
    s->volume_objects = pod_volume_objects(w->env->store, w->pod);
    s->volumes_stamp = pod_volumes_stamp(w->pod, s->volume_objects);
    return s;
}

struct pod_step *pod_step_free(struct pod_step *s)
{
    if (!s)
        return NULL;
    free(s->uid);
    pod_free(s->pod);
    free(s->run_dir);
    free(s->cgroup);
    json_decref(s->net_result);
    free(s->container);
    image_free(s->image);
    json_decref(s->env_objects);
    json_decref(s->volume_objects);
    free(s->volumes_stamp);
    orc_error_release(&s->err);
    shim_client_free(s->shim);
    json_decref(s->hello);
    json_decref(s->new_net_result);
    free(s->new_cgroup);
    json_decref(s->container_status);
    free(s->dns_warning);
    strv_free(s->warnings);
    free(s);
    return NULL;
}

int64_t pod_step_deadline(const struct pod_step *s)
{
    return orc_time_mono_ns() + s->env->config->request_timeout_ns;
}

int pod_step_timeout(struct pod_step *s, orc_error_t *err, const char *what, const char *how,
                     const char *cleanup)
{
    char d[32];
    orc_duration_format(s->env->config->request_timeout_ns, d, sizeof(d));
    s->timed_out = true;
    return orc_error_make_as(err, ETIMEDOUT, "%s: %s within %s; %s", what, how, d, cleanup);
}

static int fail(struct pod_step *s, const char *what)
{
    s->failed = what;
    s->status = -1;
    if (s->err && s->err->status == ETIMEDOUT)
        s->timed_out = true;
    return -1;
}

/* An adopted sandbox: its cgroup, and its network, which must have been committed. A crash
 * between "shim ready" and "network up" leaves a sandbox without one: set it up again. */
static int adopted(struct pod_step *s)
{
    sandbox_find_scope(s);
    json_t *result = pod_network_load(s);
    if (result) {
        json_decref(s->new_net_result);
        s->new_net_result = result;
        s->net_changed = true;
        return 0;
    }
    if (s->kind == STEP_ADOPT)
        return 0;
    log_pod_warn(s->pod, "adopted sandbox has no network: setting it up");
    pod_network_teardown(s); /* whatever part of the chain ran, if any; DEL is idempotent */
    if (pod_network_setup(s, &s->err) < 0)
        return fail(s, "network");
    s->net_repaired = true;
    return 0;
}

/* The pod's volumes, before its sandbox and when their objects change (kubelet's volume
 * manager): a failure is the pod's FailedMount. */
static int prepare_volumes(struct pod_step *s)
{
    struct pod_volume_paths vols = {0};
    struct expand_facts f = container_env_facts(s->env, s->uid, NULL, s->volume_objects);
    if (pod_volumes_prepare(s->env->paths, s->uid, s->pod, &f, s->shim_pid, &vols, &s->err) < 0)
        return fail(s, "volumes");
    pod_volume_paths_done(&vols);
    return 0;
}

/* The tmpfs of the pod's memory-backed volumes, mounted by the new shim. */
static int mount_tmpfs(struct pod_step *s)
{
    json_auto_t *list = pod_volumes_tmpfs(s->env->paths, s->uid, s->pod);
    size_t i;
    json_t *req;
    json_array_foreach(list, i, req) {
        json_t *resp = NULL;
        if (shim_client_call(s->shim, "tmpfs", req, pod_step_deadline(s), job_cancel_fd(s->job),
                             &resp, &s->err) < 0)
            return fail(s, "volumes");
        json_decref(resp);
    }
    return 0;
}

static void run_sandbox(struct pod_step *s)
{
    int r = sandbox_adopt(s, &s->err);
    if (r == 0) {
        adopted(s);
        return;
    }
    if (r != -ENOENT) {
        fail(s, "adopt");
        return;
    }
    orc_error_release(&s->err);
    if (s->kind == STEP_ADOPT)
        return;
    pod_network_teardown(s); /* of a sandbox that was lost, if any */
    if (prepare_volumes(s) < 0)
        return;
    if (sandbox_create(s, &s->err) < 0) {
        fail(s, "shim start-up");
        return;
    }
    if (mount_tmpfs(s) < 0 || prepare_volumes(s) < 0) { /* now with the shim's tmpfs */
        sandbox_discard(s);
        return;
    }
    sandbox_place_in_scope(s);
    if (job_cancelled(s->job) || pod_network_setup(s, &s->err) < 0) {
        if (!s->err)
            orc_error_make_as(&s->err, ECANCELED, "cancelled");
        sandbox_discard(s);
        fail(s, "network");
        return;
    }
    if (pod_sysctls_apply(s, &s->err) < 0) {
        pod_network_teardown(s);
        sandbox_discard(s);
        fail(s, "sysctls");
    }
}

static void run_start(struct pod_step *s)
{
    if (sandbox_start_container(s, &s->err) < 0)
        fail(s, "container start");
}

static void run_teardown(struct pod_step *s)
{
    pod_network_teardown(s);
    if (s->kind == STEP_TEARDOWN && sandbox_remove_files(s, &s->err) < 0)
        fail(s, "remove files");
}

static void run_check(struct pod_step *s)
{
    if (pod_network_check(s, &s->err) < 0)
        fail(s, "network");
}

void pod_step_run(struct job *job, void *arg)
{
    struct pod_step *s = arg;
    s->job = job; /* here, not at submission: the loop does not write the step once queued */
    switch (s->kind) {
    case STEP_SANDBOX:
    case STEP_ADOPT:
        run_sandbox(s);
        break;
    case STEP_START:
        run_start(s);
        break;
    case STEP_NETWORK_DOWN:
    case STEP_TEARDOWN:
        run_teardown(s);
        break;
    case STEP_NETWORK_CHECK:
        run_check(s);
        break;
    case STEP_VOLUMES:
        (void) prepare_volumes(s);
        break;
    case STEP_RELEASE:
        if (sandbox_release_volumes(s, &s->err) < 0)
            fail(s, "release volumes");
        break;
    case _STEP_KIND_MAX:
    case _STEP_KIND_INVALID:
        abort();
    }
}
