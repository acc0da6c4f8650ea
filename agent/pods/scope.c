/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/scope.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "cleanup.h"
#include "manifest.h"
#include "fs-util.h"
#include "time-util.h"
#include "xalloc.h"

#define POD_OVERHEAD_BYTES (32u << 20)

struct job_wait {
    const char *path;
    char *result;
};

static int on_job_removed(sd_bus_message *m, void *arg, sd_bus_error *e)
{
    (void) e;
    struct job_wait *w = arg;
    uint32_t id;
    const char *path, *unit, *result;
    if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) >= 0 && w->path &&
        !strcmp(path, w->path))
        w->result = xstrdup(result);
    return 0;
}

struct pod_limits pod_limits_of(const struct pod *pod)
{
    struct pod_limits l = {0};
    bool all_mem = pod->n_containers > 0, all_cpu = pod->n_containers > 0;
    int64_t requests = 0;
    for (size_t i = 0; i < pod->n_containers; i++) {
        const struct container_resources *r = &pod->containers[i].resources;
        all_mem &= r->memory_limit > 0;
        all_cpu &= r->cpu_limit > 0;
        l.memory_max += (uint64_t) r->memory_limit;
        l.cpu_quota_usec += (uint64_t) r->cpu_limit * 1000; /* thousandths of a CPU -> us/s */
        requests += r->cpu_request;
    }
    if (!all_mem)
        l.memory_max = 0;
    else /* room for the shim and the runtime, which live in the pod's cgroup too (kubelet's
          * pod overhead): the containers reach their own limits first, so the OOM killer
          * picks inside a container, never the shim */
        l.memory_max += POD_OVERHEAD_BYTES;
    if (!all_cpu)
        l.cpu_quota_usec = 0;
    if (requests > 0) { /* kubelet's shares (1024 per CPU) mapped onto cgroup v2's weight */
        uint64_t shares = (uint64_t) requests * 1024 / 1000;
        shares = shares < 2 ? 2 : shares > 262144 ? 262144 : shares;
        l.cpu_weight = 1 + ((shares - 2) * 9999) / 262142;
    }
    return l;
}

static int append_limits(sd_bus_message *m, const struct pod_limits *l)
{
    int r = 0;
    if (l && l->memory_max)
        r = sd_bus_message_append(m, "(sv)", "MemoryMax", "t", l->memory_max);
    if (r >= 0 && l && l->memory_max)
        r = sd_bus_message_append(m, "(sv)", "MemorySwapMax", "t", (uint64_t) 0);
    if (r >= 0 && l && l->cpu_quota_usec)
        r = sd_bus_message_append(m, "(sv)", "CPUQuotaPerSecUSec", "t", l->cpu_quota_usec);
    if (r >= 0 && l && l->cpu_weight)
        r = sd_bus_message_append(m, "(sv)", "CPUWeight", "t", l->cpu_weight);
    if (r >= 0 && l && l->tasks_max)
        r = sd_bus_message_append(m, "(sv)", "TasksMax", "t", l->tasks_max);
    return r;
}

static int start_unit(sd_bus *bus, const char *unit, const char *description, pid_t pid,
                      const struct pod_limits *limits, uint64_t timeout_usec, char **ret_job,
                      orc_error_t *err)
{
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    const char *job;
    int r = sd_bus_message_new_method_call(
        bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
        "org.freedesktop.systemd1.Manager", "StartTransientUnit");
    if (r >= 0)
        r = sd_bus_message_append(m, "ss", unit, "fail");
    if (r >= 0)
        r = sd_bus_message_open_container(m, 'a', "(sv)");
    if (r >= 0)
        r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)", "PIDs", "au", 1, (uint32_t) pid,
                                  "Delegate", "b", 1, "Description", "s", description,
                                  "CollectMode", "s", "inactive-or-failed");
    if (r >= 0)
        r = append_limits(m, limits);
    if (r >= 0)
        r = sd_bus_message_close_container(m);
    if (r >= 0)
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
    if (r < 0)
        return orc_error_make(err, -r, "build StartTransientUnit");
    r = sd_bus_call(bus, m, timeout_usec, &e, &reply);
    if (r < 0) {
        orc_error_make(err, 0, "StartTransientUnit %s: %s", unit,
                       e.message ? e.message : strerror(-r));
        sd_bus_error_free(&e);
        return -1;
    }
    if (sd_bus_message_read(reply, "o", &job) < 0)
        return orc_error_make(err, EPROTO, "StartTransientUnit %s: no job", unit);
    *ret_job = xstrdup(job);
    return 0;
}

/* The scope's cgroup from its ControlGroup property, e.g. "/user.slice/.../orc-pod-X.scope". */
static int unit_cgroup(sd_bus *bus, const char *unit, char **ret, orc_error_t *err)
{
    _cleanup_free_ char *escaped = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &escaped) < 0)
        return orc_error_make(err, ENOMEM, "unit path");
    char *cg = NULL;
    int r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", escaped,
                                       "org.freedesktop.systemd1.Scope", "ControlGroup", &e, &cg);
    if (r < 0 || !cg || !*cg) {
        orc_error_make(err, 0, "ControlGroup of %s: %s", unit, e.message ? e.message : "none");
        sd_bus_error_free(&e);
        free(cg);
        return -1;
    }
    *ret = cg;
    return 0;
}

/* Moves the shim into <scope>/shim: processes only in leaves, so containers can have
 * sibling cgroups with controllers enabled. */
static int shim_leaf(const char *cgroup, pid_t pid, orc_error_t *err)
{
    _cleanup_free_ char *leaf = xasprintf("/sys/fs/cgroup%s/shim", cgroup);
    _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", leaf);
    _cleanup_free_ char *p = xasprintf("%d\n", (int) pid);
    if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
        return orc_error_make(err, errno, "mkdir '%s'", leaf);
    FILE *f = fopen(procs, "we");
    if (!f)
        return orc_error_make(err, errno, "open '%s'", procs);
    int ok = fputs(p, f) >= 0;
    ok &= fclose(f) == 0;
    return ok ? 0 : orc_error_make(err, errno, "move the shim into '%s'", leaf);
}

static bool cancelled(int cancel_fd)
{
    struct pollfd p = {.fd = cancel_fd, .events = POLLIN};
    return cancel_fd >= 0 && poll(&p, 1, 0) > 0;
}

/* Waits for the job's JobRemoved; a job still pending at the deadline is cancelled, so that
 * systemd does not start the scope after the pod gave up on it. */
static int wait_job(sd_bus *bus, struct job_wait *w, const char *unit, int64_t deadline_ns,
                    int cancel_fd, orc_error_t *err)
{
    while (!w->result) {
        int64_t left = deadline_ns - orc_time_mono_ns();
        bool stop = cancelled(cancel_fd);
        if (left <= 0 || stop) {
            (void) sd_bus_call_method(bus, "org.freedesktop.systemd1", w->path,
                                      "org.freedesktop.systemd1.Job", "Cancel", NULL, NULL, "");
            return orc_error_make_as(err, stop ? ECANCELED : ETIMEDOUT, "scope %s: job %s", unit,
                                     stop ? "cancelled" : "not done in time; cancelled");
        }
        int r = sd_bus_process(bus, NULL);
        if (r < 0)
            return orc_error_make(err, -r, "scope %s: bus", unit);
        if (r == 0) /* short waits: the cancel fd is looked at in between */
            (void) sd_bus_wait(bus, left < 100 * NSEC_PER_MSEC ? (uint64_t) left / 1000 : 100000);
    }
    if (strcmp(w->result, "done") != 0)
        return orc_error_make(err, 0, "scope %s: job %s", unit, w->result);
    return 0;
}

int pod_scope_create(const char *pod_uid, const char *description, pid_t shim_pid,
                     const struct pod_limits *limits, int64_t deadline_ns, int cancel_fd,
                     char **ret_cgroup, orc_error_t *err)
{
    _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
    if (sd_bus_open_user(&bus) < 0)
        return -ENOTCONN;
    _cleanup_free_ char *unit = xasprintf("orc-pod-%s.scope", pod_uid);
    struct job_wait w = {0};
    _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
    _cleanup_free_ char *job = NULL;
    if (sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                            "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed,
                            &w) < 0 ||
        sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                           "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, "") < 0)
        return -ENOTCONN; /* a bus without systemd behind it */
    int64_t left = deadline_ns - orc_time_mono_ns();
    if (start_unit(bus, unit, description, shim_pid, limits, left > 0 ? (uint64_t) left / 1000 : 1,
                   &job, err) < 0)
        return -1;
    w.path = job;
    _cleanup_free_ char *result = NULL;
    int r = wait_job(bus, &w, unit, deadline_ns, cancel_fd, err);
    result = w.result;
    if (r < 0)
        return r;
    char *cg = NULL;
    if (unit_cgroup(bus, unit, &cg, err) < 0)
        return -1;
    if (shim_leaf(cg, shim_pid, err) < 0) {
        free(cg);
        return -1;
    }
    *ret_cgroup = cg;
    return 0;
}
