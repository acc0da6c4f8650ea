/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/sandbox.h"

#include <errno.h>
#include <poll.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images/images.h"
#include "json-util.h"
#include "log.h"
#include "pods/oci-spec.h"
#include "pods/network.h"
#include "pods/scope.h"
#include "orcd.h"
#include "pods/shim-client.h"
#include "sys/spawn-util.h"
#include "sys/userns.h"
#include "xalloc.h"

#define SHIM_START_TIMEOUT_MS 20000
#define CONTAINER_START_TIMEOUT_MS 120000

static char *run_dir(const struct pod_worker *w)
{
    return orc_paths_pod_run_dir(&w->o->paths, w->uid);
}

int sandbox_adopt(struct pod_worker *w, json_t **ret_hello, orc_error_t *err)
{
    _cleanup_free_ char *dir = run_dir(w);
    _cleanup_free_ char *sock = orc_path_join(dir, "shim.sock");
    if (access(sock, F_OK) < 0)
        return -ENOENT;
    struct shim_client *c = NULL;
    if (shim_client_connect(sock, &c, err) < 0) {
        orc_error_release(err);
        return -ENOENT; /* stale socket: the shim is gone */
    }
    json_t *hello = NULL;
    if (shim_client_call(c, "hello", NULL, 5000, &hello, err) < 0) {
        shim_client_free(c);
        return orc_error_wrap(err, "adopt shim of pod '%s'", w->pod->name);
    }
    w->shim = c;
    w->shim_pid = (pid_t) orc_json_int(hello, "pid", 0);
    *ret_hello = hello;
    return 0;
}

/* Reads the shim's one-line verdict from the sync socket. */
static int read_sync(int fd, const char *pod, orc_error_t *err)
{
    char line[4096];
    size_t len = 0;
    while (len < sizeof(line) - 1) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, SHIM_START_TIMEOUT_MS);
        if (r == 0)
            return orc_error_make(err, ETIMEDOUT, "shim of pod '%s' did not start", pod);
        if (r < 0 && errno == EINTR)
            continue;
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
                          pod);
}

/* A sandbox whose set-up failed: stop its shim and wait until it is gone, so that the next
 * attempt finds the run directory free. */
static void discard_sandbox(struct pod_worker *w)
{
    int pidfd = (int) syscall(SYS_pidfd_open, w->shim_pid, 0);
    orc_error_t err = NULL;
    json_auto_t *f = json_pack("{s:i}", "grace", 0);
    if (shim_client_send(w->shim, "shutdown", f, &err) < 0)
        orc_error_release(&err);
    w->shim = shim_client_free(w->shim);
    if (pidfd >= 0) {
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        (void) poll(&p, 1, SHIM_START_TIMEOUT_MS);
        close(pidfd);
    }
    w->shim_pid = 0;
}

/* The pod's own systemd scope, when there is a user manager; without one it runs unlimited. */
static void place_in_scope(struct pod_worker *w)
{
    orc_error_t err = NULL;
    _cleanup_free_ char *desc = xasprintf("orc pod %s/%s", w->pod->namespace, w->pod->name);
    free(w->cgroup);
    w->cgroup = NULL;
    struct pod_limits limits = pod_limits_of(w->pod);
    limits.tasks_max = (uint64_t) w->o->config.pod_pids_limit;
    int r = pod_scope_create(w->uid, desc, w->shim_pid, &limits, &w->cgroup, &err);
    if (r == -ENOTCONN) /* no user bus: the agent's own delegated subtree, if it has one */
        r = pod_cgroup_create(w->uid, w->shim_pid, &limits, &w->cgroup, &err);
    if (r == 0)
        log_info("pod '%s/%s': cgroup %s", w->pod->namespace, w->pod->name, w->cgroup);
    else if (r != -ENOTCONN)
        log_warn("pod '%s/%s': no scope of its own: %s; running unlimited", w->pod->namespace,
                 w->pod->name, orc_error_message(err));
    w->dirty = true;
    orc_error_release(&err);
}

/* An adopted shim's scope: the parent of the "shim" leaf it sits in. */
void sandbox_find_scope(struct pod_worker *w)
{
    _cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", (int) w->shim_pid);
    _cleanup_free_ char *text = NULL;
    free(w->cgroup);
    w->cgroup = NULL;
    if (orc_read_file(path, 4096, &text, NULL, NULL) < 0)
        return;
    char *line = strstr(text, "0::");
    if (!line)
        return;
    line += 3;
    line[strcspn(line, "\n")] = '\0';
    size_t n = strlen(line);
    if (n > 5 && !strcmp(line + n - 5, "/shim") && strstr(line, "/orc-pod-"))
        w->cgroup = xstrndup(line, n - 5);
}

int sandbox_create(struct pod_worker *w, orc_error_t *err)
{
    struct orcd *o = w->o;
    _cleanup_free_ char *dir = run_dir(w);
    if (orc_mkdir_p(dir, 0700, err) < 0)
        return -1;
    _cleanup_free_ char *userns = userns_path(&o->userns);
    const char *level = log_get_level() >= LOG_LEVEL_DEBUG ? "debug" : "info";
    char *argv[] = {o->config.shim_path,
                    "run",
                    "--pod-uid",
                    w->uid,
                    "--pod-name",
                    w->pod->name,
                    "--pod-namespace",
                    w->pod->namespace,
                    "--run-dir",
                    dir,
                    "--userns",
                    userns,
                    "--runtime",
                    o->config.runtime,
                    "--runtime-root",
                    o->paths.runc_root,
                    "--sync-fd",
                    "3",
                    "--log-level",
                    (char *) level,
                    NULL};
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return orc_error_make(err, errno, "socketpair");
    _cleanup_close_ int mine = sp[0];
    _cleanup_close_ int theirs = sp[1];
    pid_t pid;
    if (spawn_detached(argv, theirs, &pid, err) < 0)
        return -1;
    theirs = safe_close(theirs);
    if (read_sync(mine, w->pod->name, err) < 0)
        return -1;
    _cleanup_free_ char *sock = orc_path_join(dir, "shim.sock");
    if (shim_client_connect(sock, &w->shim, err) < 0)
        return -1;
    w->shim_pid = pid;
    log_info("pod '%s/%s': sandbox started (shim pid %d)", w->pod->namespace, w->pod->name,
             (int) pid);
    place_in_scope(w);
    if (pod_network_setup(w, err) < 0) {
        discard_sandbox(w);
        return -1;
    }
    return 0;
}

static int write_bundle(struct pod_worker *w, const struct container *c, const struct image *img,
                        const char *bundle, orc_error_t *err)
{
    _cleanup_free_ char *dir = run_dir(w);
    _cleanup_free_ char *hostname_file = orc_path_join(dir, "hostname");
    _cleanup_free_ char *rootfs = orc_path_join(bundle, "rootfs");
    _cleanup_free_ char *hosts = pod_network_hosts_path(w);
    _cleanup_free_ char *resolv = pod_network_resolv_path(w);
    _cleanup_free_ char *cgpath = w->cgroup ? xasprintf("%s/%s", w->cgroup, c->name) : NULL;
    if (orc_mkdir_p(rootfs, 0700, err) < 0)
        return -1;
    struct oci_spec_input in = {.pod = w->pod,
                                .container = c,
                                .image = img,
                                .userns = &w->o->userns,
                                .hostname_file = hostname_file,
                                .hosts_file = hosts,
                                .resolv_file = resolv,
                                .cgroups_path = cgpath};
    json_auto_t *spec = NULL;
    if (oci_spec_build(&in, &spec, err) < 0)
        return -1;
    _cleanup_free_ char *text = json_dumps(spec, JSON_INDENT(2));
    _cleanup_free_ char *path = orc_path_join(bundle, "config.json");
    return orc_write_file_atomic(path, text, strlen(text), 0600, err);
}

static json_t *start_request(struct pod_worker *w, const struct container_run *r,
                             const struct image *img, const char *bundle)
{
    struct orcd *o = w->o;
    json_t *lower = json_array();
    size_t n = 0;
    while (img->layers[n])
        n++;
    for (size_t i = n; i > 0; i--) /* the shim wants the top layer first */
        json_array_append_new(lower, json_string(img->layers[i - 1]));
    _cleanup_free_ char *wdir =
        xasprintf("%s/containers/%s/%s-%d", o->paths.storage, w->uid, r->name, r->restart_count);
    _cleanup_free_ char *upper = orc_path_join(wdir, "upper");
    _cleanup_free_ char *work = orc_path_join(wdir, "work");
    _cleanup_free_ char *logdir =
        orc_paths_pod_log_dir(&o->paths, w->pod->namespace, w->pod->name, w->uid);
    _cleanup_free_ char *log = xasprintf("%s/%s/%d.log", logdir, r->name, r->restart_count);
    return json_pack("{s:{s:s,s:s,s:o,s:s,s:s,s:s,s:i}}", "container", "name", r->name, "bundle",
                     bundle, "lower", lower, "upper_dir", upper, "work_dir", work, "log", log,
                     "attempt", r->restart_count);
}

int sandbox_start_container(struct pod_worker *w, struct container_run *r, const struct image *img,
                            json_t **ret_status, orc_error_t *err)
{
    struct orcd *o = w->o;
    const struct container *c = pod_find_container(w->pod, r->name);
    _cleanup_free_ char *dir = run_dir(w);
    _cleanup_free_ char *bundle = orc_path_join(dir, r->name);
    _cleanup_free_ char *cdir = xasprintf("%s/containers/%s", o->paths.storage, w->uid);
    if (orc_mkdir_p(cdir, 0700, err) < 0 || write_bundle(w, c, img, bundle, err) < 0)
        return -1;
    json_auto_t *req = start_request(w, r, img, bundle);
    json_auto_t *resp = NULL;
    if (shim_client_call(w->shim, "start", req, CONTAINER_START_TIMEOUT_MS, &resp, err) < 0)
        return -1;
    *ret_status = json_incref(json_object_get(resp, "container"));
    return 0;
}

int sandbox_stop_container(struct pod_worker *w, const char *name, int64_t grace, orc_error_t *err)
{
    json_auto_t *f = json_pack("{s:s,s:I}", "container", name, "grace", (json_int_t) grace);
    return shim_client_send(w->shim, "stop", f, err);
}

int sandbox_shutdown(struct pod_worker *w, int64_t grace, orc_error_t *err)
{
    json_auto_t *f = json_pack("{s:I}", "grace", (json_int_t) grace);
    return shim_client_send(w->shim, "shutdown", f, err);
}

static int rm_rf_fn(void *arg, orc_error_t *err)
{
    return orc_rm_rf(arg, err);
}

int sandbox_remove_files(struct pod_worker *w, orc_error_t *err)
{
    pod_cgroup_remove(w->cgroup);
    struct orcd *o = w->o;
    _cleanup_free_ char *dir = run_dir(w);
    _cleanup_free_ char *logdir =
        orc_paths_pod_log_dir(&o->paths, w->pod->namespace, w->pod->name, w->uid);
    _cleanup_free_ char *cdir = xasprintf("%s/containers/%s", o->paths.storage, w->uid);
    if (orc_rm_rf(dir, err) < 0 || orc_rm_rf(logdir, err) < 0)
        return -1;
    /* Writable layers may hold files of subordinate ids: remove them inside the namespace. */
    if (access(cdir, F_OK) == 0 && orc_rm_rf(cdir, NULL) < 0)
        return userns_run(&o->userns, rm_rf_fn, cdir, err);
    return 0;
}
