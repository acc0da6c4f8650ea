/* SPDX-License-Identifier: Apache-2.0 */
/* PodStatus (Kubernetes core/v1 shape) to and from what a pod worker knows. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json-util.h"
#include "pods/worker.h"
#include "scheduler.h"
#include "time-util.h"
#include "xalloc.h"

static json_t *ts_json(int64_t ns)
{
    if (ns <= 0)
        return json_null();
    char buf[64];
    orc_time_format_rfc3339(ns, false, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *terminated_json(int exit_code, const char *reason, const char *message,
                               int64_t started, int64_t finished, const char *container_id)
{
    json_t *t = json_pack("{s:i,s:s,s:o,s:o}", "exitCode", exit_code, "reason",
                          reason ? reason : (exit_code == 0 ? "Completed" : "Error"), "startedAt",
                          ts_json(started), "finishedAt", ts_json(finished));
    if (message && *message)
        json_object_set_new(t, "message", json_string(message));
    if (container_id)
        json_object_set_new(t, "containerID", json_string(container_id));
    return t;
}

static json_t *container_status_json(const struct pod_worker *w, const struct container_run *r)
{
    char cid[256];
    snprintf(cid, sizeof(cid), "orc://%s-%s", w->uid, r->name);
    json_t *state;
    if (r->state == RUN_RUNNING)
        state = json_pack("{s:{s:o}}", "running", "startedAt", ts_json(r->started_at));
    else if (r->state == RUN_EXITED && !r->waiting_reason)
        state = json_pack("{s:o}", "terminated",
                          terminated_json(r->exit_code, r->reason, r->message, r->started_at,
                                          r->finished_at, cid));
    else {
        state = json_pack("{s:{s:s}}", "waiting", "reason",
                          r->waiting_reason ? r->waiting_reason : "ContainerCreating");
        if (r->waiting_message)
            json_object_set_new(json_object_get(state, "waiting"), "message",
                                json_string(r->waiting_message));
    }
    json_t *last = json_object();
    if (r->state == RUN_EXITED && r->waiting_reason)
        json_object_set_new(last, "terminated",
                            terminated_json(r->exit_code, r->reason, r->message, r->started_at,
                                            r->finished_at, cid));
    else if (r->has_last)
        json_object_set_new(last, "terminated",
                            terminated_json(r->last_exit_code, r->last_reason, r->last_message,
                                            r->last_started_at, r->last_finished_at, cid));
    json_t *s = json_pack("{s:s,s:s,s:s,s:b,s:b,s:i,s:o,s:o}", "name", r->name, "image",
                          r->image ? r->image : "", "imageID", r->image_id ? r->image_id : "",
                          "ready", r->state == RUN_RUNNING, "started", r->state == RUN_RUNNING,
                          "restartCount", r->restart_count, "state", state, "lastState", last);
    if (r->started_once)
        json_object_set_new(s, "containerID", json_string(cid));
    return s;
}

static json_t *condition(const char *type, bool ok, int64_t when, const char *reason)
{
    json_t *c = json_pack("{s:s,s:s,s:o,s:o}", "type", type, "status", ok ? "True" : "False",
                          "lastProbeTime", json_null(), "lastTransitionTime", ts_json(when));
    if (!ok && reason)
        json_object_set_new(c, "reason", json_string(reason));
    return c;
}

static enum sched_phase worker_phase(const struct pod_worker *w, bool *ret_ready)
{
    struct sched_container_view views[w->n_runs ? w->n_runs : 1];
    for (size_t i = 0; i < w->n_runs; i++) {
        const struct container_run *r = &w->runs[i];
        views[i].state = r->state == RUN_RUNNING  ? SCHED_RUNNING
                         : r->state == RUN_EXITED ? SCHED_TERMINATED
                                                  : SCHED_WAITING;
        views[i].exit_code = r->exit_code;
        views[i].will_restart = r->state == RUN_EXITED && !r->done;
    }
    *ret_ready = w->n_runs > 0 && sched_pod_ready(views, w->n_runs);
    return sched_pod_phase(w->pod->restart_policy, views, w->n_runs);
}

json_t *pod_worker_status_json(const struct pod_worker *w)
{
    if (w->elsewhere) /* what the API server gives a pod it creates; no kubelet adds to it */
        return json_pack("{s:s,s:s}", "phase", "Pending", "qosClass", "BestEffort");
    bool ready = false;
    enum sched_phase phase = w->rejected ? SCHED_PHASE_FAILED : worker_phase(w, &ready);
    json_t *st =
        json_pack("{s:s,s:s,s:[{s:s}],s:s}", "phase", sched_phase_to_string(phase), "hostIP",
                  POD_NODE_HOST_IP, "hostIPs", "ip", POD_NODE_HOST_IP, "qosClass", "BestEffort");
    if (w->start_time > 0)
        json_object_set_new(st, "startTime", ts_json(w->start_time));
    if (w->pod_ip) {
        json_object_set_new(st, "podIP", json_string(w->pod_ip));
        json_object_set_new(st, "podIPs", json_pack("[{s:s}]", "ip", w->pod_ip));
    }
    if (w->pod_reason) {
        json_object_set_new(st, "reason", json_string(w->pod_reason));
        json_object_set_new(st, "message", json_string(w->pod_message ? w->pod_message : ""));
    }
    if (w->rejected && !w->failed_running)
        return st;             /* refused: nothing of it ran */
    if (w->unschedulable_at) { /* as the scheduler leaves a pod no node matches */
        json_t *c = condition("PodScheduled", false, w->unschedulable_at, "Unschedulable");
        json_object_set_new(c, "message", json_string(POD_NODE_MISMATCH_MESSAGE));
        json_object_set_new(st, "conditions", json_pack("[o]", c));
        return st;
    }
    int64_t t = w->start_time;
    json_t *conds = json_array();
    /* the sandbox and its network are up (kubelet's PodReadyToStartContainers); a pod is
     * Ready only with its network */
    bool sandbox = w->shim && w->net_result;
    json_array_append_new(conds, condition("PodReadyToStartContainers", sandbox, t, NULL));
    json_array_append_new(conds, condition("Initialized", true, t, NULL));
    /* a pod the node failed: kubelet's reason for a Failed pod's containers */
    const char *not_ready = w->rejected ? "PodFailed" : "ContainersNotReady";
    json_array_append_new(conds, condition("Ready", ready && sandbox, t,
                                           sandbox || w->rejected ? not_ready : "PodNotReady"));
    json_array_append_new(conds, condition("ContainersReady", ready, t, not_ready));
    json_array_append_new(conds, condition("PodScheduled", true, t, NULL));
    /* orc's own condition: whether the pod's resources can be enforced (a delegated scope) */
    json_t *lim = condition("orc.dev/LimitsEnforced", w->cgroup != NULL, t, "NoDelegatedCgroup");
    json_object_set_new(lim, "message",
                        json_string(w->cgroup ? w->cgroup
                                              : "no systemd user session with delegated cgroups: "
                                                "resources are not enforced (see 'orc check')"));
    json_array_append_new(conds, lim);
    json_object_set_new(st, "conditions", conds);
    json_t *cs = json_array();
    for (size_t i = 0; i < w->n_runs; i++)
        json_array_append_new(cs, container_status_json(w, &w->runs[i]));
    json_object_set_new(st, "containerStatuses", cs);
    return st;
}

static int64_t ts_parse(const json_t *obj, const char *key)
{
    int64_t ns = 0;
    const char *s = orc_json_str(obj, key);
    return s && orc_time_parse_rfc3339(s, &ns) == 0 ? ns : 0;
}

static void restore_run(struct container_run *r, const json_t *cs)
{
    r->restart_count = (int) orc_json_int(cs, "restartCount", 0);
    r->started_once = json_object_get(cs, "containerID") != NULL;
    const char *image_id = orc_json_str(cs, "imageID");
    if (image_id && *image_id) { /* what the running instance was started from */
        free(r->image_id);
        r->image_id = xstrdup(image_id);
    }
    json_t *state = json_object_get(cs, "state");
    json_t *running = json_object_get(state, "running");
    json_t *term = json_object_get(state, "terminated");
    json_t *wait = json_object_get(state, "waiting");
    json_t *lterm = json_object_get(json_object_get(cs, "lastState"), "terminated");
    if (running) {
        r->state = RUN_RUNNING;
        r->started_at = ts_parse(running, "startedAt");
    } else if (term || (wait && lterm)) {
        json_t *t = term ? term : lterm;
        r->state = RUN_EXITED;
        r->exit_code = (int) orc_json_int(t, "exitCode", 0);
        r->started_at = ts_parse(t, "startedAt");
        r->finished_at = ts_parse(t, "finishedAt");
        free(r->reason);
        r->reason = xstrdup(orc_json_str(t, "reason"));
        free(r->message);
        r->message = xstrdup(orc_json_str(t, "message"));
        if (wait) {
            free(r->waiting_reason);
            r->waiting_reason = xstrdup(orc_json_str(wait, "reason"));
        }
    }
    if (!term && !wait && lterm) {
        r->has_last = true;
        r->last_exit_code = (int) orc_json_int(lterm, "exitCode", 0);
        r->last_started_at = ts_parse(lterm, "startedAt");
        r->last_finished_at = ts_parse(lterm, "finishedAt");
        r->last_reason = xstrdup(orc_json_str(lterm, "reason"));
        r->last_message = xstrdup(orc_json_str(lterm, "message"));
    }
}

void pod_worker_restore_status(struct pod_worker *w, const json_t *status)
{
    w->start_time = ts_parse(status, "startTime");
    json_t *list = json_object_get(status, "containerStatuses");
    size_t i;
    json_t *cs;
    json_array_foreach(list, i, cs) {
        const char *name = orc_json_str(cs, "name");
        for (size_t k = 0; name && k < w->n_runs; k++)
            if (strcmp(w->runs[k].name, name) == 0)
                restore_run(&w->runs[k], cs);
    }
}
