/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/sandbox.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images/images.h"
#include "json-util.h"
#include "log.h"
#include "manifest.h"
#include "pods/cni.h"
#include "pods/container-env.h"
#include "pods/network.h"
#include "pods/oci-spec.h"
#include "pods/scope.h"
#include "pods/shim-client.h"
#include "pods/termination-log.h"
#include "pods/volumes.h"
#include "sys/jobs.h"
#include "sys/paths.h"
#include "sys/spawn-util.h"
#include "sys/userns.h"
#include "time-util.h"
#include "xalloc.h"

#define HELLO_TIMEOUT_NS (5 * NSEC_PER_SEC)
#define DISCARD_TIMEOUT_NS (10 * NSEC_PER_SEC)
/* the shim enforces the runtime's deadline itself and answers then: this much later, the
 * shim itself is taken for stuck */
#define SHIM_ANSWER_MARGIN_NS (10 * NSEC_PER_SEC)

static char *run_file(const struct pod_step *s, const char *name)
{
    return orc_path_join(s->run_dir, name);
}

int sandbox_adopt(struct pod_step *s, orc_error_t *err)
{
    _cleanup_free_ char *sock = run_file(s, "shim.sock");
    if (access(sock, F_OK) < 0)
        return -ENOENT;
    struct shim_client *c = NULL;
    if (shim_client_connect(sock, &c, err) < 0) {
        orc_error_release(err);
        return -ENOENT; /* stale socket: the shim is gone */
    }
    json_t *hello = NULL;
    int64_t deadline = orc_time_mono_ns() + HELLO_TIMEOUT_NS;
    if (shim_client_call(c, "hello", NULL, deadline, job_cancel_fd(s->job), &hello, err) < 0) {
        shim_client_free(c);
        return orc_error_wrap(err, "adopt the shim of pod '%s'", s->pod->name);
    }
    s->shim = c;
    s->shim_pid = (pid_t) orc_json_int(hello, "pid", shim_client_pid(c));
    s->hello = hello;
    s->adopted = true;
    return 0;
}

/* Reads the shim's one-line verdict from the sync socket, within the step's deadline. */
static int read_sync(struct pod_step *s, int fd, orc_error_t *err)
{
    char line[4096];
    size_t len = 0;
    int64_t deadline = pod_step_deadline(s);
    while (len < sizeof(line) - 1) {
        int r = job_wait(s->job, fd, POLLIN, deadline);
        if (r == 0)
            return pod_step_timeout(s, err, "shim start-up", "no ready line",
                                    "the shim was killed");
        if (r < 0)
            return orc_error_make(err, -r, "shim start-up");
        ssize_t n = read(fd, line + len, sizeof(line) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t) n;
        if (memchr(line, '\n', len))
            break;
    }
    line[len] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (strcmp(line, "ok") == 0)
        return 0;
    if (strncmp(line, "error: ", 7) == 0)
        return orc_error_make(err, 0, "%s", line + 7);
    return orc_error_make(err, 0, "shim of pod '%s' exited during start-up (see its shim.log)",
                          s->pod->name);
}

/* Waits until the process behind pidfd is gone, at most until deadline; then kills it. */
static void wait_gone(int pidfd, int64_t deadline)
{
    if (pidfd < 0)
        return;
    int64_t left = (deadline - orc_time_mono_ns()) / NSEC_PER_MSEC;
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    if (left <= 0 || poll(&p, 1, (int) left) <= 0) {
        (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        (void) poll(&p, 1, 1000);
    }
}

int sandbox_create(struct pod_step *s, orc_error_t *err)
{
    const struct pod_env *env = s->env;
    if (orc_mkdir_p(s->run_dir, 0700, err) < 0)
        return -1;
    _cleanup_free_ char *userns = userns_path(env->userns);
    const char *level = log_get_level() >= LOG_LEVEL_DEBUG ? "debug" : "info";
    _cleanup_free_ char *hostname = pod_hostname(s->pod);
    char *argv[] = {env->config->shim_path,
                    "run",
                    "--pod-uid",
                    s->uid,
                    "--pod-name",
                    s->pod->name,
                    "--pod-namespace",
                    s->pod->namespace,
                    "--run-dir",
                    s->run_dir,
                    "--userns",
                    userns,
                    "--runtime",
                    env->config->runtime,
                    "--runtime-root",
                    env->paths->runc_root,
                    "--sync-fd",
                    "3",
                    "--log-level",
                    (char *) level,
                    "--hostname",
                    hostname,
                    NULL,
                    NULL,
                    NULL,
                    NULL};
    size_t n = ELEMENTSOF(argv) - 4; /* the first NULL: the pod's namespace flags follow */
    const struct pod_host *h = &s->pod->host;
    if (h->share_process_namespace)
        argv[n++] = "--share-pid";
    if (h->host_network)
        argv[n++] = "--host-network";
    if (h->host_ipc)
        argv[n++] = "--host-ipc";
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return orc_error_make(err, errno, "socketpair");
    _cleanup_close_ int mine = sp[0];
    _cleanup_close_ int theirs = sp[1];
    pid_t pid;
    if (spawn_detached(argv, theirs, &pid, err) < 0)
        return -1;
    theirs = safe_close(theirs);
    _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    s->shim_pid = pid;
    _cleanup_free_ char *sock = run_file(s, "shim.sock");
    if (read_sync(s, mine, err) < 0 || shim_client_connect(sock, &s->shim, err) < 0) {
        /* a shim that did not get ready in time, or was cancelled, is not waited for */
        (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        wait_gone(pidfd, orc_time_mono_ns() + DISCARD_TIMEOUT_NS);
        s->shim_pid = 0;
        return -1;
    }
    log_pod_info(s->pod, "sandbox started (shim pid %d)", (int) pid);
    return 0;
}

void sandbox_discard(struct pod_step *s)
{
    if (!s->shim)
        return;
    int pidfd = (int) syscall(SYS_pidfd_open, s->shim_pid, 0);
    orc_error_t err = NULL;
    if (sandbox_shutdown(s->shim, 0, &err) < 0)
        orc_error_release(&err);
    s->shim = shim_client_free(s->shim);
    wait_gone(pidfd, orc_time_mono_ns() + DISCARD_TIMEOUT_NS);
    safe_close(pidfd);
    s->shim_pid = 0;
}

void sandbox_place_in_scope(struct pod_step *s)
{
    orc_error_t err = NULL;
    _cleanup_free_ char *desc = xasprintf("orc pod %s/%s", s->pod->namespace, s->pod->name);
    struct pod_limits limits = pod_limits_of(s->pod);
    limits.tasks_max = (uint64_t) s->env->config->pod_pids_limit;
    int r = pod_scope_create(s->uid, desc, s->shim_pid, &limits, pod_step_deadline(s),
                             job_cancel_fd(s->job), &s->new_cgroup, &err);
    if (r == -ENOTCONN) /* no user bus: the agent's own delegated subtree, if it has one */
        r = pod_cgroup_create(s->uid, s->shim_pid, &limits, &s->new_cgroup, &err);
    if (r == 0)
        log_pod_info(s->pod, "cgroup %s", s->new_cgroup);
    else if (r != -ENOTCONN)
        log_pod_warn(s->pod, "no cgroup of its own: %s; running unlimited", orc_error_message(err));
    orc_error_release(&err);
}

void sandbox_find_scope(struct pod_step *s)
{
    _cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", (int) s->shim_pid);
    _cleanup_free_ char *text = NULL;
    if (orc_read_file(path, 4096, &text, NULL, NULL) < 0)
        return;
    char *line = strstr(text, "0::");
    if (!line)
        return;
    line += 3;
    line[strcspn(line, "\n")] = '\0';
    size_t n = strlen(line);
    if (n > 5 && !strcmp(line + n - 5, "/shim") && strstr(line, "/orc-pod-"))
        s->new_cgroup = xstrndup(line, n - 5);
}

/* The pod's PID namespace: its init's, which the shim records in pause.pid. */
static int pause_pid_ns(struct pod_step *s, char **ret, orc_error_t *err)
{
    _cleanup_free_ char *path = run_file(s, "pause.pid");
    _cleanup_free_ char *text = NULL;
    if (orc_read_file(path, 64, &text, NULL, err) < 0)
        return orc_error_wrap(err, "the pod's PID namespace");
    int pid = atoi(text);
    if (pid <= 0)
        return orc_error_make(err, EINVAL, "the pod's PID namespace: '%s' holds no pid", path);
    *ret = xasprintf("/proc/%d/ns/pid", pid);
    return 0;
}

static int write_bundle(struct pod_step *s, const struct container *c, const char *bundle,
                        json_t *binds, const char *termination_log, orc_error_t *err)
{
    _cleanup_(pod_volume_paths_done) struct pod_volume_paths vols = {0};
    struct expand_facts vf = container_env_facts(s->env, s->uid, NULL, s->volume_objects);
    if (pod_volumes_prepare(s->env->paths, s->uid, s->pod, &vf, s->shim_pid, &vols, err) < 0)
        return -1;
    _cleanup_free_ char *mounts_dir = orc_path_join(bundle, "mounts");
    _cleanup_free_ char *hostname_file = run_file(s, "hostname");
    _cleanup_free_ char *rootfs = orc_path_join(bundle, "rootfs");
    _cleanup_free_ char *hosts = s->net_result ? run_file(s, "hosts") : NULL;
    _cleanup_free_ char *resolv = s->net_result ? run_file(s, "resolv.conf") : NULL;
    _cleanup_free_ char *cgpath = s->cgroup ? xasprintf("%s/%s", s->cgroup, c->name) : NULL;
    if (orc_mkdir_p(rootfs, 0700, err) < 0)
        return -1;
    _cleanup_free_ char *pod_ip = s->net_result ? network_pod_ip(s->net_result) : NULL;
    _cleanup_free_ char *pid_ns = NULL;
    if (s->pod->host.share_process_namespace && pause_pid_ns(s, &pid_ns, err) < 0)
        return -1;
    const struct pod_config *cfg = s->env->config;
    struct oci_security_node node = {.seccomp_default = cfg->seccomp_default,
                                     .seccomp_dir = cfg->seccomp_dir,
                                     .apparmor_enabled = cfg->apparmor_enabled,
                                     .selinux_enabled = cfg->selinux_enabled,
                                     .cap_last = cfg->cap_last};
    struct oci_spec_input in = {.pod = s->pod,
                                .container = c,
                                .image = s->image,
                                .userns = s->env->userns,
                                .hostname_file = hostname_file,
                                .hosts_file = hosts,
                                .resolv_file = resolv,
                                .cgroups_path = cgpath,
                                .pid_ns_path = pid_ns,
                                .facts =
                                    container_env_facts(s->env, s->uid, pod_ip, s->env_objects),
                                .volume_paths = vols.paths,
                                .n_volume_paths = vols.n,
                                .mounts_dir = mounts_dir,
                                .binds = binds,
                                .termination_log = termination_log,
                                .security = &node,
                                .warnings = &s->warnings};
    spawn_child_nofile(&in.nofile_soft, &in.nofile_hard);
    json_auto_t *spec = NULL;
    if (oci_spec_build(&in, &spec, err) < 0)
        return -1;
    _cleanup_free_ char *text = json_dumps(spec, JSON_INDENT(2));
    _cleanup_free_ char *path = orc_path_join(bundle, "config.json");
    return orc_write_file_atomic(path, text, strlen(text), 0600, err);
}

static json_t *start_request(struct pod_step *s, const struct container *c, const char *bundle,
                             json_t *binds, const char *termination_log)
{
    const struct orc_paths *paths = s->env->paths;
    json_t *lower = json_array();
    size_t n = 0;
    while (s->image->layers[n])
        n++;
    for (size_t i = n; i > 0; i--) /* the shim wants the top layer first */
        json_array_append_new(lower, json_string(s->image->layers[i - 1]));
    _cleanup_free_ char *wdir =
        xasprintf("%s/containers/%s/%s-%d", paths->storage, s->uid, s->container, s->attempt);
    _cleanup_free_ char *upper = orc_path_join(wdir, "upper");
    _cleanup_free_ char *work = orc_path_join(wdir, "work");
    _cleanup_free_ char *logdir =
        orc_paths_pod_log_dir(paths, s->pod->namespace, s->pod->name, s->uid);
    _cleanup_free_ char *log = xasprintf("%s/%s/%d.log", logdir, s->container, s->attempt);
    json_int_t timeout_ms = (json_int_t) (s->env->config->request_timeout_ns / NSEC_PER_MSEC);
    const struct pod_config *cfg = s->env->config;
    json_t *req =
        json_pack("{s:{s:s,s:s,s:o,s:s,s:s,s:s,s:i,s:I,s:i,s:O,s:b,s:b},s:I}", "container", "name",
                  s->container, "bundle", bundle, "lower", lower, "upper_dir", upper, "work_dir",
                  work, "log", log, "attempt", s->attempt, "log_max_size",
                  (json_int_t) cfg->log_max_size, "log_max_files", cfg->log_max_files, "binds",
                  binds, "tty", c->tty, "stdin", c->stdin_open, "timeout_ms", timeout_ms);
    json_t *ctr = json_object_get(req, "container");
    if (termination_log)
        json_object_set_new(ctr, "termination_log", json_string(termination_log));
    json_object_set_new(ctr, "termination_fallback",
                        json_boolean(c->termination_message_policy ==
                                     TERMINATION_MESSAGE_FALLBACK_TO_LOGS_ON_ERROR));
    json_object_set_new(ctr, "termination_max",
                        json_integer((json_int_t) termination_message_max(s->pod)));
    return req;
}

int sandbox_start_container(struct pod_step *s, orc_error_t *err)
{
    const struct container *c = pod_find_container(s->pod, s->container);
    _cleanup_free_ char *bundle = orc_path_join(s->run_dir, s->container);
    _cleanup_free_ char *cdir = xasprintf("%s/containers/%s", s->env->paths->storage, s->uid);
    if (!c)
        return orc_error_make(err, ENOENT, "no container '%s'", s->container);
    json_auto_t *binds = json_array();
    if (orc_mkdir_p(cdir, 0700, err) < 0)
        return -1;
    _cleanup_free_ char *tlog = NULL;
    orc_error_t terr = NULL;
    if (termination_log_prepare(s->env->paths, s->uid, c->name, &tlog, &terr) < 0) {
        /* as kubelet: the container starts, without the file (its message stays empty) */
        log_pod_warn(s->pod, "container '%s': %s, ignoring", c->name, orc_error_message(terr));
        orc_error_release(&terr);
    }
    if (write_bundle(s, c, bundle, binds, tlog, err) < 0)
        return -1;
    json_auto_t *req = start_request(s, c, bundle, binds, tlog);
    json_auto_t *resp = NULL;
    _cleanup_free_ char *sock = run_file(s, "shim.sock");
    struct shim_client *shim = NULL;
    if (shim_client_connect(sock, &shim, err) < 0)
        return -1;
    int64_t deadline = pod_step_deadline(s) + SHIM_ANSWER_MARGIN_NS;
    int r = shim_client_call(shim, "start", req, deadline, job_cancel_fd(s->job), &resp, err);
    if (r < 0 && (*err)->status == ETIMEDOUT) {
        /* the shim answers at the runtime's deadline: a shim silent past it is stuck itself */
        (void) shim_client_kill(shim);
        orc_error_release(err);
        r = pod_step_timeout(s, err, "container start", "the shim did not answer",
                             "the shim was killed");
    }
    shim_client_free(shim);
    if (r < 0)
        return -1;
    s->container_status = json_incref(json_object_get(resp, "container"));
    return 0;
}

int sandbox_stop_container(struct shim_client *c, const char *name, int64_t grace, orc_error_t *err)
{
    json_auto_t *f = json_pack("{s:s,s:I}", "container", name, "grace", (json_int_t) grace);
    return shim_client_send(c, "stop", f, err);
}

int sandbox_shutdown(struct shim_client *c, int64_t grace, orc_error_t *err)
{
    json_auto_t *f = json_pack("{s:I}", "grace", (json_int_t) grace);
    return shim_client_send(c, "shutdown", f, err);
}

int sandbox_remove_files(struct pod_step *s, orc_error_t *err)
{
    const struct pod_env *env = s->env;
    pod_cgroup_remove(s->cgroup);
    _cleanup_free_ char *logdir =
        orc_paths_pod_log_dir(env->paths, s->pod->namespace, s->pod->name, s->uid);
    _cleanup_free_ char *cdir = xasprintf("%s/containers/%s", env->paths->storage, s->uid);
    _cleanup_free_ char *vdir = orc_paths_pod_data_dir(env->paths, s->uid);
    if (orc_rm_rf(s->run_dir, err) < 0 || orc_rm_rf(logdir, err) < 0)
        return -1;
    /* Writable layers and volumes may hold files of subordinate ids: those are removed
     * inside the namespace. */
    const char *dirs[] = {cdir, vdir};
    for (size_t i = 0; i < 2; i++) {
        char *args[] = {(char *) dirs[i], NULL};
        if (access(dirs[i], F_OK) == 0 && orc_rm_rf(dirs[i], NULL) < 0 &&
            userns_exec(env->userns, userns_op_rm_rf.name, args, err) < 0)
            return -1;
    }
    return 0;
}

int sandbox_release_volumes(struct pod_step *s, orc_error_t *err)
{
    _cleanup_free_ char *pod_dir = orc_paths_pod_data_dir(s->env->paths, s->uid);
    _cleanup_free_ char *dir = xasprintf("%s/volumes", pod_dir);
    char *args[] = {dir, NULL};
    if (access(dir, F_OK) < 0 || orc_rm_rf(dir, NULL) == 0)
        return 0;
    return userns_exec(s->env->userns, userns_op_rm_rf.name, args, err);
}
