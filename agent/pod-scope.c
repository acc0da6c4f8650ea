/* SPDX-License-Identifier: Apache-2.0 */
#include "pod-scope.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "time-util.h"
#include "xalloc.h"

#define JOB_TIMEOUT_NS (10 * NSEC_PER_SEC)

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

static int start_unit(sd_bus *bus, const char *unit, const char *description, pid_t pid,
                      char **ret_job, orc_error_t *err)
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
        r = sd_bus_message_append(m, "a(sv)", 4, "PIDs", "au", 1, (uint32_t) pid, "Delegate", "b",
                                  1, "Description", "s", description, "CollectMode", "s",
                                  "inactive-or-failed");
    if (r >= 0)
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
    if (r < 0)
        return orc_error_make(err, -r, "build StartTransientUnit");
    r = sd_bus_call(bus, m, 0, &e, &reply);
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

int pod_scope_create(const char *pod_uid, const char *description, pid_t shim_pid,
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
    if (start_unit(bus, unit, description, shim_pid, &job, err) < 0)
        return -1;
    w.path = job;
    int64_t deadline = orc_time_mono_ns() + JOB_TIMEOUT_NS;
    while (!w.result && orc_time_mono_ns() < deadline) {
        int r = sd_bus_process(bus, NULL);
        if (r < 0)
            break;
        if (r == 0)
            (void) sd_bus_wait(bus, 100000);
    }
    _cleanup_free_ char *result = w.result;
    if (!result || strcmp(result, "done") != 0)
        return orc_error_make(err, 0, "scope %s: job %s", unit, result ? result : "timed out");
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
