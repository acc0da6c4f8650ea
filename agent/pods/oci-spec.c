/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/oci-spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "expand.h"
#include "fs-util.h"
#include "images/images.h"
#include "json-util.h"
#include "pods/oci-mounts.h"
#include "pods/oci-security.h"
#include "security-context.h"
#include "strv.h"
#include "sys/userns.h"
#include "xalloc.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* A tty container's window (orc-shim's default too): 80x24, as CRI runtimes start one */
#define OCI_CONSOLE_WIDTH 80
#define OCI_CONSOLE_HEIGHT 24

static void append_json_strings(json_t *dst, const json_t *src)
{
    size_t i;
    json_t *v;
    json_array_foreach(src, i, v)
        if (json_is_string(v))
            json_array_append(dst, v);
}

static void append_strv(json_t *dst, char *const *v)
{
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(dst, json_string(v[i]));
}

/* Kubernetes: command replaces Entrypoint, args replace Cmd; $(NAME) in command and args (not
 * in the image's) is expanded against the container's env. */
static int build_args(const struct container *c, const json_t *cfg, const struct expand_env *cenv,
                      json_t **ret, orc_error_t *err)
{
    _cleanup_(strv_freep) char **command = NULL;
    _cleanup_(strv_freep) char **cargs = NULL;
    if (expand_strv(c->command, cenv, "command", &command, err) < 0 ||
        expand_strv(c->args, cenv, "args", &cargs, err) < 0)
        return orc_error_wrap(err, "container '%s'", c->name);
    json_t *args = json_array();
    if (command)
        append_strv(args, command);
    else
        append_json_strings(args, json_object_get(cfg, "Entrypoint"));
    if (cargs)
        append_strv(args, cargs);
    else if (!command)
        append_json_strings(args, json_object_get(cfg, "Cmd"));
    if (json_array_size(args) == 0) {
        json_decref(args);
        return orc_error_make(err, EINVAL, "container '%s': no command specified", c->name);
    }
    *ret = args;
    return 0;
}

/* Image Env, then the container's (expanded) env by name, PATH and HOSTNAME defaults. */
static json_t *build_env(const struct pod *pod, const struct container *c,
                         const struct expand_env *cenv, const json_t *cfg)
{
    struct expand_env env = {0};
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(cfg, "Env"), i, v)
        if (json_is_string(v))
            expand_env_put(&env, json_string_value(v));
    for (size_t k = 0; cenv->strv && cenv->strv[k]; k++)
        expand_env_put(&env, cenv->strv[k]);
    if (!expand_env_get(&env, "PATH", 4))
        expand_env_set(&env, "PATH", DEFAULT_PATH);
    if (!expand_env_get(&env, "HOSTNAME", 8)) {
        _cleanup_free_ char *hostname = pod_hostname(pod);
        expand_env_set(&env, "HOSTNAME", hostname);
    }
    if (c->tty && !expand_env_get(&env, "TERM", 4)) /* as containerd and CRI-O give a terminal */
        expand_env_set(&env, "TERM", "xterm");
    json_t *a = json_array();
    append_strv(a, env.strv);
    expand_env_done(&env);
    return a;
}

static json_t *mount_json(const char *dest, const char *type, const char *source,
                          const char *options)
{
    json_t *opts = json_array();
    _cleanup_free_ char *copy = xstrdup(options);
    char *save = NULL;
    for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
        json_array_append_new(opts, json_string(o));
    return json_pack("{s:s,s:s,s:s,s:o}", "destination", dest, "type", type, "source", source,
                     "options", opts);
}

static json_t *build_mounts(const struct oci_spec_input *in)
{
    json_t *m = json_array();
    json_array_append_new(m, mount_json("/proc", "proc", "proc", "nosuid,noexec,nodev"));
    json_array_append_new(
        m, mount_json("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
    json_array_append_new(m,
                          mount_json("/dev/pts", "devpts", "devpts",
                                     userns_max_gid(in->userns) >= 5
                                         ? "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"
                                         : "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"));
    const struct pod_host *h = &in->pod->host;
    /* the host's IPC and network namespaces belong to the host's user namespace, which
     * refuses new mqueue and sysfs mounts from orc's: the host's /dev/shm and /sys are bound
     * instead; message queues need no /dev/mqueue (mq_open works without it) */
    if (h->host_ipc) {
        json_array_append_new(m, mount_json("/dev/shm", "bind", "/dev/shm", "rbind,nosuid,nodev"));
    } else {
        json_array_append_new(
            m, mount_json("/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k"));
        json_array_append_new(m,
                              mount_json("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
    }
    json_array_append_new(
        m, h->host_network ? mount_json("/sys", "bind", "/sys", "rbind,nosuid,noexec,nodev,ro")
                           : mount_json("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
    if (in->hostname_file)
        json_array_append_new(m, mount_json("/etc/hostname", "bind", in->hostname_file,
                                            "rbind,ro,nosuid,nodev,noexec"));
    /* writable, as kubelet mounts them: programs may add entries */
    if (in->hosts_file)
        json_array_append_new(
            m, mount_json("/etc/hosts", "bind", in->hosts_file, "rbind,nosuid,nodev,noexec"));
    if (in->resolv_file)
        json_array_append_new(m, mount_json("/etc/resolv.conf", "bind", in->resolv_file,
                                            "rbind,nosuid,nodev,noexec"));
    return m;
}

/* The container's limits for the runtime: only inside a delegated cgroup (a rootless runtime
 * refuses limits it cannot apply). */
static json_t *build_resources(const struct container_resources *r)
{
    json_t *res = json_object();
    if (r->memory_limit)
        json_object_set_new(res, "memory",
                            json_pack("{s:I,s:I}", "limit", (json_int_t) r->memory_limit, "swap",
                                      (json_int_t) r->memory_limit));
    json_t *cpu = json_object();
    if (r->cpu_limit) { /* thousandths of a CPU -> us per 100 ms period */
        json_object_set_new(cpu, "quota", json_integer(r->cpu_limit * 100));
        json_object_set_new(cpu, "period", json_integer(100000));
    }
    if (r->cpu_request) {
        int64_t shares = r->cpu_request * 1024 / 1000;
        json_object_set_new(cpu, "shares", json_integer(shares < 2 ? 2 : shares));
    }
    if (json_object_size(cpu))
        json_object_set_new(res, "cpu", cpu);
    else
        json_decref(cpu);
    return res;
}

/* The container's own PID namespace, or the pod's (shareProcessNamespace) by path */
static json_t *pid_namespace(const char *pid_ns_path)
{
    json_t *ns = json_pack("{s:s}", "type", "pid");
    if (pid_ns_path)
        json_object_set_new(ns, "path", json_string(pid_ns_path));
    return ns;
}

static json_t *build_linux(const char *cgroups_path, const char *pid_ns_path,
                           const struct container_resources *r)
{
    static const char *const masked[] = {"/proc/acpi",
                                         "/proc/asound",
                                         "/proc/kcore",
                                         "/proc/keys",
                                         "/proc/latency_stats",
                                         "/proc/timer_list",
                                         "/proc/timer_stats",
                                         "/proc/sched_debug",
                                         "/sys/firmware",
                                         "/proc/scsi",
                                         NULL};
    static const char *const readonly[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
    json_t *mp = json_array(), *ro = json_array();
    append_strv(mp, (char *const *) masked);
    append_strv(ro, (char *const *) readonly);
    /* only pid and mount: net, ipc, uts and user come from orc-shim */
    json_t *l = json_pack("{s:[o,{s:s}],s:o,s:o}", "namespaces", pid_namespace(pid_ns_path), "type",
                          "mount", "maskedPaths", mp, "readonlyPaths", ro);
    if (cgroups_path) { /* inside the pod's delegated scope; without one the runtime's default */
        json_object_set_new(l, "cgroupsPath", json_string(cgroups_path));
        json_object_set_new(l, "resources", build_resources(r));
    }
    return l;
}

/* process without the security context's parts (oci_security_apply adds them) */
static json_t *build_process(const struct oci_spec_input *in, json_t *user, json_t *args,
                             json_t *env)
{
    const char *cwd = in->container->working_dir ?: orc_json_str(in->image->config, "WorkingDir");
    json_t *process = json_pack("{s:b,s:o,s:o,s:o,s:s}", "terminal", in->container->tty, "user",
                                user, "args", args, "env", env, "cwd", cwd && *cwd ? cwd : "/");
    if (in->container->tty) /* the size CRI runtimes give a terminal nobody attached to */
        json_object_set_new(
            process, "consoleSize",
            json_pack("{s:i,s:i}", "height", OCI_CONSOLE_HEIGHT, "width", OCI_CONSOLE_WIDTH));
    if (in->nofile_soft && in->nofile_hard <= INT64_MAX && in->nofile_soft <= in->nofile_hard)
        json_object_set_new(process, "rlimits",
                            json_pack("[{s:s,s:I,s:I}]", "type", "RLIMIT_NOFILE", "soft",
                                      (json_int_t) in->nofile_soft, "hard",
                                      (json_int_t) in->nofile_hard));
    return process;
}

int oci_spec_build(const struct oci_spec_input *in, json_t **ret, orc_error_t *err)
{
    const json_t *cfg = in->image->config;
    const struct container *c = in->container;
    json_t *args = NULL, *user = NULL, *mounts = NULL;
    struct expand_env cenv = {0};
    struct security_context *sc = security_context_resolve(in->pod->security, c->security);
    int r = oci_user_check_non_root(in, sc, err);
    if (r == 0 && expand_container_env(in->pod, c, &in->facts, &cenv, err) < 0)
        r = orc_error_wrap(err, "container '%s'", c->name);
    if (r == 0)
        r = build_args(c, cfg, &cenv, &args, err);
    if (r == 0)
        r = oci_user_build(in, sc, &user, err);
    if (r == 0) {
        mounts = build_mounts(in);
        r = oci_mounts_build(in, &cenv, mounts, err);
    }
    if (r == 0 && in->termination_log) /* last, as kubelet: over the volumes */
        json_array_append_new(mounts, mount_json(c->termination_message_path, "bind",
                                                 in->termination_log, "rbind,rprivate"));
    if (r == 0) {
        json_t *process = build_process(in, user, args, build_env(in->pod, c, &cenv, cfg));
        json_auto_t *spec =
            json_pack("{s:s,s:o,s:{s:s,s:b},s:o,s:o}", "ociVersion", "1.0.2", "process", process,
                      "root", "path", "rootfs", "readonly", 0, "mounts", mounts, "linux",
                      build_linux(in->cgroups_path, in->pid_ns_path, &c->resources));
        args = user = mounts = NULL; /* the spec's now */
        r = oci_security_apply(in, sc, spec, err);
        if (r == 0)
            *ret = json_incref(spec);
    }
    json_decref(args);
    json_decref(user);
    json_decref(mounts);
    expand_env_done(&cenv);
    security_context_free(sc);
    return r < 0 ? -1 : 0;
}
