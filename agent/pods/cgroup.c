/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Without a user bus, the agent may still sit in a delegated cgroup v2 subtree (started by
 * `systemd-run --user -p Delegate=yes`, or by a batch system): then it manages that subtree
 * itself. Its own processes move to an "agent" leaf (no processes may stay where
 * controllers are enabled for children), and each pod gets orc-pod-<uid>/ with the limits a
 * systemd scope would have, its shim in orc-pod-<uid>/shim.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "pods/scope.h"
#include "xalloc.h"

#define CGROUP2_MAGIC 0x63677270

static int write_text(const char *dir, const char *file, const char *text)
{
    _cleanup_free_ char *path = xasprintf("/sys/fs/cgroup%s/%s", dir, file);
    FILE *f = fopen(path, "we");
    if (!f)
        return -errno;
    int ok = fputs(text, f) >= 0;
    ok &= fclose(f) == 0;
    return ok ? 0 : -errno;
}

/* The agent's own cgroup, if it is cgroup v2 and writable by the agent. */
static char *own_cgroup(void)
{
    struct statfs fs;
    if (statfs("/sys/fs/cgroup", &fs) < 0 || (long) fs.f_type != CGROUP2_MAGIC)
        return NULL;
    _cleanup_free_ char *text = NULL;
    if (orc_read_file("/proc/self/cgroup", 4096, &text, NULL, NULL) < 0)
        return NULL;
    char *p = strstr(text, "0::");
    if (!p)
        return NULL;
    p += 3;
    p[strcspn(p, "\n")] = '\0';
    size_t n = strlen(p);
    if (n > 6 && !strcmp(p + n - 6, "/agent")) /* moved already */
        p[n - 6] = '\0';
    _cleanup_free_ char *procs = xasprintf("/sys/fs/cgroup%s/cgroup.procs", p);
    if (!strcmp(p, "/") || access(procs, W_OK) < 0)
        return NULL;
    return xstrdup(p);
}

/* Moves every process of dir into dir/agent and enables the controllers for children. */
static int take_subtree(const char *dir)
{
    _cleanup_free_ char *leaf = xasprintf("/sys/fs/cgroup%s/agent", dir);
    if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
        return -errno;
    _cleanup_free_ char *procs = xasprintf("/sys/fs/cgroup%s/cgroup.procs", dir);
    _cleanup_free_ char *list = NULL;
    if (orc_read_file(procs, 1 << 20, &list, NULL, NULL) < 0)
        return -EIO;
    _cleanup_free_ char *agent = xasprintf("%s/agent", dir);
    for (char *s = list, *line; (line = strsep(&s, "\n"));)
        if (*line)
            (void) write_text(agent, "cgroup.procs", line);
    return write_text(dir, "cgroup.subtree_control", "+cpu +memory +pids");
}

static void set_limits(const char *pod, const struct pod_limits *l)
{
    char buf[64];
    if (l->memory_max) {
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) l->memory_max);
        (void) write_text(pod, "memory.max", buf);
        (void) write_text(pod, "memory.swap.max", "0");
    }
    if (l->cpu_quota_usec) { /* per second -> per 100 ms period */
        snprintf(buf, sizeof(buf), "%llu 100000", (unsigned long long) l->cpu_quota_usec / 10);
        (void) write_text(pod, "cpu.max", buf);
    }
    if (l->cpu_weight) {
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) l->cpu_weight);
        (void) write_text(pod, "cpu.weight", buf);
    }
    if (l->tasks_max) {
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) l->tasks_max);
        (void) write_text(pod, "pids.max", buf);
    }
}

int pod_cgroup_create(const char *pod_uid, pid_t shim_pid, const struct pod_limits *limits,
                      char **ret_cgroup, orc_error_t *err)
{
    _cleanup_free_ char *own = own_cgroup();
    if (!own)
        return -ENOTCONN;
    int r = take_subtree(own);
    if (r < 0)
        return orc_error_make(err, -r, "take the delegated cgroup %s", own);
    _cleanup_free_ char *pod = xasprintf("%s/orc-pod-%s", own, pod_uid);
    _cleanup_free_ char *dir = xasprintf("/sys/fs/cgroup%s/shim", pod);
    _cleanup_free_ char *pid = xasprintf("%d", (int) shim_pid);
    if (orc_mkdir_p(dir, 0755, err) < 0)
        return -1;
    _cleanup_free_ char *shim = xasprintf("%s/shim", pod);
    if ((r = write_text(shim, "cgroup.procs", pid)) < 0)
        return orc_error_make(err, -r, "move the shim into %s", shim);
    (void) write_text(pod, "cgroup.subtree_control", "+cpu +memory +pids");
    set_limits(pod, limits);
    *ret_cgroup = xstrdup(pod);
    return 0;
}

void pod_cgroup_remove(const char *cgroup)
{
    if (!cgroup)
        return;
    _cleanup_free_ char *shim = xasprintf("/sys/fs/cgroup%s/shim", cgroup);
    _cleanup_free_ char *pod = xasprintf("/sys/fs/cgroup%s", cgroup);
    (void) rmdir(shim); /* fails while something lives there, or under systemd's scope */
    (void) rmdir(pod);
}
