/* SPDX-License-Identifier: Apache-2.0 */
/* Containers of the pod: overlay root filesystem, the OCI runtime, logs, stop, exit. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "binds.h"
#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "json-util.h"
#include "log.h"
#include "shim.h"
#include "strv.h"
#include "termination-message.h"
#include "time-util.h"
#include "xalloc.h"

#define LOG(s, lvl, fmt, ...)                                                                      \
    log_##lvl("pod '%s/%s': " fmt, (s)->args.pod_namespace, (s)->args.pod_name, ##__VA_ARGS__)

struct ctr *ctr_find(struct shim *s, const char *name)
{
    for (size_t i = 0; name && i < s->n_ctrs; i++)
        if (!strcmp(s->ctrs[i]->name, name))
            return s->ctrs[i];
    return NULL;
}

bool ctr_any_running(const struct shim *s)
{
    for (size_t i = 0; i < s->n_ctrs; i++)
        if (s->ctrs[i]->state == CTR_RUNNING || s->ctrs[i]->state == CTR_STARTING)
            return true;
    return false;
}

json_t *ctr_status_json(const struct ctr *c)
{
    static const char *const states[_CTR_STATE_MAX] = {"created", "starting", "running", "exited"};
    json_t *j = json_pack("{s:s,s:i,s:s,s:i,s:I,s:I,s:i,s:i}", "name", c->name, "attempt",
                          c->attempt, "state", states[c->state], "pid", (int) c->pid, "startedAt",
                          (json_int_t) c->started_at, "finishedAt", (json_int_t) c->finished_at,
                          "exitCode", c->exit_code, "signal", c->signal);
    if (c->reason)
        json_object_set_new(j, "reason", json_string(c->reason));
    if (c->message)
        json_object_set_new(j, "message", json_string(c->message));
    return j;
}

static void stream_close(struct shim *s, struct cri_stream *st)
{
    if (st->fd < 0)
        return;
    (void) epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, st->fd, NULL);
    close(st->fd);
    st->fd = -1;
}

static void write_log(struct shim *s, struct ctr *c, char *data, size_t len)
{
    int r = log_file_write(&c->log, data, len);
    free(data);
    bool full = r == -ENOSPC || r == -EDQUOT;
    if (full && !c->disk_full) { /* the agent frees space (image GC) and says so */
        LOG(s, warn, "container '%s': log not written: %s", c->name, strerror(-r));
        server_broadcast(s, json_pack("{s:s,s:s,s:s}", "event", "disk-pressure", "container",
                                      c->name, "path", c->log.path ? c->log.path : ""));
    }
    c->disk_full = full;
}

void ctr_on_output(struct shim *s, struct ctr *c, struct cri_stream *st)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(st->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            char *out = NULL;
            size_t len = 0;
            cri_flush(st, orc_time_now_ns(), &out, &len);
            write_log(s, c, out, len);
            stream_close(s, st);
            return;
        }
        char *out = NULL;
        size_t len = 0;
        cri_feed(st, buf, (size_t) n, orc_time_now_ns(), &out, &len);
        write_log(s, c, out, len);
    }
}

static int mount_overlay(const char *rootfs, const json_t *lower, const char *upper,
                         const char *work, orc_error_t *err)
{
    size_t cap = 256;
    char *opts = xmalloc(cap);
    strcpy(opts, "lowerdir=");
    size_t i;
    json_t *l;
    json_array_foreach(lower, i, l) {
        const char *dir = json_string_value(l);
        if (!dir || strpbrk(dir, ":,")) {
            free(opts);
            return orc_error_make(err, EINVAL, "layer path '%s' cannot be used by overlayfs",
                                  dir ? dir : "?");
        }
        cap += strlen(dir) + 1;
        opts = xrealloc(opts, cap);
        if (i)
            strcat(opts, ":");
        strcat(opts, dir);
    }
    _cleanup_free_ char *full = xasprintf("%s,upperdir=%s,workdir=%s,userxattr", opts, upper, work);
    free(opts);
    if (mount("overlay", rootfs, "overlay", 0, full) == 0)
        return 0;
    if (errno == EINVAL) { /* kernels without userxattr */
        full[strlen(full) - strlen(",userxattr")] = '\0';
        if (mount("overlay", rootfs, "overlay", 0, full) == 0)
            return 0;
    }
    return orc_error_make(err, errno, "mount overlay on '%s'", rootfs);
}

static void console_close_socket(struct ctr *c)
{
    if (c->console_sock < 0)
        return;
    c->console_sock = safe_close(c->console_sock);
    (void) unlink(c->console_path);
}

/* Forgets a previous instance of the container: runtime state and root filesystem mount. */
static void ctr_release(struct shim *s, struct ctr *c)
{
    if (c->id) {
        char *args[] = {"delete", "--force", c->id, NULL};
        (void) runtime_exec(s, args, s->runtime_timeout_ns);
    }
    if (c->mounted && c->bundle) {
        _cleanup_free_ char *rootfs = orc_path_join(c->bundle, "rootfs");
        if (umount2(rootfs, MNT_DETACH) < 0)
            LOG(s, warn, "umount '%s': %m, ignoring", rootfs);
        c->mounted = false;
    }
    stream_close(s, &c->out);
    stream_close(s, &c->err);
    console_close_socket(c);
    c->console_fd = safe_close(c->console_fd); /* the terminal hangs up with its container */
    c->stdin_fd = safe_close(c->stdin_fd);
    log_file_close(&c->log);
}

static struct ctr *ctr_slot(struct shim *s, const char *name)
{
    struct ctr *c = ctr_find(s, name);
    if (c) {
        ctr_release(s, c);
        free(c->id), free(c->bundle), free(c->log_path), free(c->reason), free(c->message);
        free(c->start_failure), free(c->console_path), free(c->termination_log);
        free(c->out.partial), free(c->err.partial);
        char *keep = c->name;
        memset(c, 0, sizeof(*c));
        c->name = keep;
    } else {
        c = xzalloc(sizeof(*c));
        c->name = xstrdup(name);
        s->ctrs = xrealloc(s->ctrs, sizeof(*s->ctrs) * (s->n_ctrs + 1));
        s->ctrs[s->n_ctrs++] = c;
    }
    c->log.fd = c->out.fd = c->err.fd = -1;
    c->console_fd = c->console_sock = c->stdin_fd = -1;
    c->out.kind = c->err.kind = WATCH_STREAM;
    c->out.owner = c->err.owner = c;
    c->out.name = "stdout";
    c->err.name = "stderr";
    return c;
}

static int open_log(struct ctr *c, orc_error_t *err)
{
    return log_file_open(&c->log, c->log_path, c->log_max_size, c->log_max_files, err);
}

static int open_stream(struct shim *s, struct cri_stream *st, int *ret_write, orc_error_t *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return orc_error_make(err, errno, "pipe");
    st->fd = p[0];
    orc_set_nonblock(st->fd, true);
    *ret_write = p[1];
    return server_watch(s, st->fd, st) < 0 ? orc_error_make(err, errno, "epoll_ctl") : 0;
}

/* stdin: true without a terminal: a pipe whose write end the shim keeps, so the container's
 * reads wait (for an attach, which orc does not serve yet) instead of meeting EOF. */
static int open_stdin(struct ctr *c, int *ret_read, orc_error_t *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return orc_error_make(err, errno, "pipe");
    *ret_read = p[0];
    c->stdin_fd = p[1];
    return 0;
}

/* tty: true: a socket for the runtime's --console-socket in the pod's run directory, named
 * after the container's place in the shim, "tty<N>": a socket's path is limited (108 bytes)
 * and this name is no longer than the control socket's, "shim.sock", beside it. */
static int open_console_socket(struct shim *s, struct ctr *c, orc_error_t *err)
{
    size_t i = 0;
    while (i < s->n_ctrs && s->ctrs[i] != c)
        i++;
    free(c->console_path);
    c->console_path = xasprintf("%s/tty%zu", s->args.run_dir, i);
    int fd = console_listen(c->console_path, err);
    if (fd < 0)
        return -1;
    c->console_sock = fd;
    return 0;
}

/* The runtime has started a tty container: its init sent the terminal's master already. The
 * master is kept for the container's life; a duplicate is read into the log as "stdout". */
static int take_console(struct shim *s, struct ctr *c, orc_error_t *err)
{
    int r = console_receive(c->console_sock, &c->console_fd, err);
    console_close_socket(c);
    if (r < 0)
        return orc_error_wrap(err, "container '%s': terminal", c->name);
    if (console_default_size(c->console_fd, CONSOLE_COLS, CONSOLE_ROWS) < 0)
        LOG(s, warn, "container '%s': terminal size: %m, ignoring", c->name);
    c->out.fd = fcntl(c->console_fd, F_DUPFD_CLOEXEC, 3);
    if (c->out.fd < 0)
        return orc_error_make(err, errno, "container '%s': terminal: dup", c->name);
    c->out.crlf = true;
    return server_watch(s, c->out.fd, &c->out) < 0 ? orc_error_make(err, errno, "epoll_ctl") : 0;
}

static void remember_dir(struct shim *s, const char *upper)
{
    _cleanup_free_ char *dir = xstrdup(upper);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if (!strv_contains(s->writable_dirs, dir))
        s->writable_dirs = strv_push(s->writable_dirs, dir);
}

/* Starts the runtime for a prepared container: the pipes' other ends go to the container
 * (the runtime passes its stdio on), or, for a terminal, the console socket's path. */
static int launch(struct shim *s, struct ctr *c, orc_error_t *err)
{
    _cleanup_close_ int in_r = -1, out_w = -1, err_w = -1;
    if (open_log(c, err) < 0)
        return -1;
    if (c->tty ? open_console_socket(s, c, err) < 0
               : open_stream(s, &c->out, &out_w, err) < 0 ||
                     open_stream(s, &c->err, &err_w, err) < 0 ||
                     (c->stdin_open && open_stdin(c, &in_r, err) < 0))
        return -1;
    _cleanup_free_ char *pidfile = orc_path_join(c->bundle, "pid");
    _cleanup_free_ char *rtlog = orc_path_join(c->bundle, "runtime.log");
    (void) unlink(pidfile);
    (void) unlink(rtlog);
    /* --log must precede the command. No session keyring per container: the kernel allows
     * a user 200 keys (kernel.keys.maxkeys), so a keyring each would cap a user's pods */
    char *args[16] = {"--log", rtlog,      "--log-format",    "json",
                      "run",   "--detach", "--no-new-keyring"};
    size_t n = 7;
    if (c->tty) {
        args[n++] = "--console-socket";
        args[n++] = c->console_path;
    }
    char *rest[] = {"--pid-file", pidfile, "--bundle", c->bundle, c->id, NULL};
    memcpy(args + n, rest, sizeof(rest));
    int r = runtime_spawn(s, args, in_r, out_w, err_w, &c->runtime_pid);
    if (r < 0)
        return orc_error_make(err, -r, "run the runtime '%s'", s->args.runtime);
    c->state = CTR_STARTING;
    c->start_deadline = orc_time_mono_ns() + s->runtime_timeout_ns;
    return 0;
}

static void start_failed(struct shim *s, struct ctr *c, const char *msg)
{
    int64_t now = orc_time_now_ns();
    c->state = CTR_EXITED;
    c->started_at = c->finished_at = now;
    c->exit_code = 128;
    free(c->reason);
    free(c->message);
    c->reason = xstrdup("StartError");
    c->message = xstrdup(msg);
    LOG(s, warn, "container '%s' failed to start: %s", c->name, c->message);
    ctr_release(s, c);
}

static void answer_start(struct ctr *c, json_t *fields, const char *error)
{
    if (c->start_client)
        server_reply(c->start_client, c->start_id, fields, error);
    else
        json_decref(fields);
    c->start_client = NULL;
}

int ctr_start(struct shim *s, const json_t *spec, struct client *client, long long id,
              orc_error_t *err)
{
    const char *name = orc_json_str(spec, "name"), *bundle = orc_json_str(spec, "bundle");
    const char *upper = orc_json_str(spec, "upper_dir"), *work = orc_json_str(spec, "work_dir");
    const char *log = orc_json_str(spec, "log");
    json_t *lower = json_object_get(spec, "lower");
    if (!name || !bundle || !upper || !work || !log || !json_array_size(lower))
        return orc_error_make(err, EINVAL,
                              "start: container needs name, bundle, lower, "
                              "upper_dir, work_dir and log");
    struct ctr *found = ctr_find(s, name);
    if (found && found->state == CTR_STARTING)
        return orc_error_make(err, EBUSY, "container '%s' is being started already", name);
    struct ctr *c = ctr_slot(s, name);
    c->attempt = (int) orc_json_int(spec, "attempt", 0);
    c->id = xasprintf("%s-%s", s->args.pod_uid, name);
    c->bundle = xstrdup(bundle);
    c->log_path = xstrdup(log);
    c->log_max_size = orc_json_int(spec, "log_max_size", 10 << 20); /* kubelet's defaults */
    c->log_max_files = (int) orc_json_int(spec, "log_max_files", 5);
    c->tty = json_is_true(json_object_get(spec, "tty"));
    c->stdin_open = json_is_true(json_object_get(spec, "stdin"));
    c->termination_log = xstrdup(orc_json_str(spec, "termination_log"));
    c->termination_fallback = json_is_true(json_object_get(spec, "termination_fallback"));
    c->termination_max = (size_t) orc_json_int(spec, "termination_max", 0);
    _cleanup_free_ char *rootfs = orc_path_join(bundle, "rootfs");
    _cleanup_free_ char *stale = orc_path_join(s->args.runtime_root, c->id);
    if (access(stale, F_OK) == 0) { /* left by a shim of this pod that died */
        char *args[] = {"delete", "--force", c->id, NULL};
        (void) runtime_exec(s, args, s->runtime_timeout_ns);
    }
    remember_dir(s, upper);
    int r = orc_mkdir_p(upper, 0755, err);
    if (r >= 0)
        r = orc_mkdir_p(work, 0755, err);
    if (r >= 0)
        r = orc_mkdir_p(rootfs, 0755, err);
    if (r >= 0 && (r = mount_overlay(rootfs, lower, upper, work, err)) >= 0)
        c->mounted = true;
    if (r >= 0)
        r = binds_make(json_object_get(spec, "binds"), err);
    if (r >= 0)
        r = launch(s, c, err);
    if (r < 0) {
        start_failed(s, c, orc_error_message(*err));
        return -1;
    }
    c->start_client = client;
    c->start_id = id;
    return 0;
}

static bool take_early_exit(struct shim *s, pid_t pid, int *ret_status)
{
    for (size_t i = 0; i < s->n_early; i++)
        if (s->early[i].pid == pid) {
            *ret_status = s->early[i].status;
            s->early[i] = s->early[--s->n_early];
            return true;
        }
    return false;
}

static void keep_early_exit(struct shim *s, pid_t pid, int status)
{
    if (s->n_early == ELEMENTSOF(s->early)) /* the oldest is someone else's, long gone */
        memmove(s->early, s->early + 1, sizeof(s->early[0]) * --s->n_early);
    s->early[s->n_early++] = (struct early_exit){pid, status};
}

static void container_exited(struct shim *s, struct ctr *c, int status);

/* The runtime's `run --detach` ended: the container runs, or its start failed. */
static void start_done(struct shim *s, struct ctr *c, int status)
{
    c->runtime_pid = 0;
    c->start_deadline = 0;
    _cleanup_free_ char *pidfile = orc_path_join(c->bundle, "pid");
    _cleanup_free_ char *pid = NULL;
    orc_error_t err = NULL;
    if (c->start_failure || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        orc_read_file(pidfile, 64, &pid, NULL, NULL) < 0 || atoi(pid) <= 0 ||
        (c->tty && take_console(s, c, &err) < 0)) {
        _cleanup_free_ char *msg = c->start_failure ? xstrdup(c->start_failure)
                                   : err            ? xstrdup(orc_error_message(err))
                                                    : runtime_last_error(c->bundle);
        orc_error_release(&err);
        start_failed(s, c, msg); /* a container without its terminal is deleted (killed) */
        answer_start(c, NULL, msg);
        return;
    }
    c->pid = (pid_t) atoi(pid);
    c->started_at = orc_time_now_ns();
    c->state = CTR_RUNNING;
    LOG(s, info, "container '%s' started (pid %d, attempt %d)", c->name, (int) c->pid, c->attempt);
    answer_start(c, json_pack("{s:o}", "container", ctr_status_json(c)), NULL);
    server_broadcast(s,
                     json_pack("{s:s,s:o}", "event", "started", "container", ctr_status_json(c)));
    int early = 0;
    if (take_early_exit(s, c->pid, &early)) /* it ended before we knew its pid */
        container_exited(s, c, early);
}

void ctr_forget_client(struct shim *s, struct client *client)
{
    for (size_t i = 0; i < s->n_ctrs; i++)
        if (s->ctrs[i]->start_client == client)
            s->ctrs[i]->start_client = NULL;
}

static void abort_start(struct shim *s, struct ctr *c, const char *why)
{
    if (c->state != CTR_STARTING || c->start_failure)
        return;
    LOG(s, warn, "container '%s': %s", c->name, why);
    c->start_failure = xstrdup(why);
    runtime_kill(c->runtime_pid); /* its exit, reaped by the loop, ends the start */
}

void ctr_abort_starts(struct shim *s, const char *why)
{
    for (size_t i = 0; i < s->n_ctrs; i++)
        abort_start(s, s->ctrs[i], why);
}

/* Whether the kernel's OOM killer struck in the container's cgroup (cgroup v2
 * memory.events, oom_kill > 0); the cgroup is the bundle's linux.cgroupsPath. */
static bool oom_killed(const struct ctr *c)
{
    _cleanup_free_ char *cfg = orc_path_join(c->bundle, "config.json");
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (orc_read_file(cfg, 1 << 20, &text, &len, NULL) < 0)
        return false;
    json_auto_t *j = json_loadb(text, len, 0, NULL);
    const char *cg = orc_json_str(json_object_get(j, "linux"), "cgroupsPath");
    if (!cg || cg[0] != '/' || strstr(cg, ".."))
        return false;
    _cleanup_free_ char *path = xasprintf("/sys/fs/cgroup%s/memory.events", cg);
    _cleanup_free_ char *events = NULL;
    if (orc_read_file(path, 4096, &events, NULL, NULL) < 0)
        return false;
    const char *k = strstr(events, "oom_kill ");
    return k && strtoll(k + 9, NULL, 10) > 0;
}

/* As kubelet: the file's message; after a failure with FallbackToLogsOnError and nothing in
 * the file, the end of the log (written whole by now). */
static void read_termination_message(struct ctr *c)
{
    bool fallback = c->termination_fallback && c->exit_code != 0;
    if (!c->termination_log && !fallback)
        return;
    size_t len = 0;
    _cleanup_free_ char *text = tmsg_read(c->termination_log, fallback, c->log_path, &len);
    char *msg = tmsg_compose(c->message, text, len, c->termination_max);
    if (!msg)
        return;
    free(c->message);
    c->message = msg;
}

static void container_exited(struct shim *s, struct ctr *c, int status)
{
    /* drain what the container wrote before telling anyone it exited */
    if (c->out.fd >= 0)
        ctr_on_output(s, c, &c->out);
    if (c->err.fd >= 0)
        ctr_on_output(s, c, &c->err);
    char *out = NULL;
    size_t len = 0;
    cri_flush(&c->out, orc_time_now_ns(), &out, &len);
    cri_flush(&c->err, orc_time_now_ns(), &out, &len);
    write_log(s, c, out, len);
    c->state = CTR_EXITED;
    c->finished_at = orc_time_now_ns();
    c->kill_at = 0;
    if (WIFSIGNALED(status)) {
        c->signal = WTERMSIG(status);
        c->exit_code = 128 + c->signal;
    } else {
        c->exit_code = WEXITSTATUS(status);
    }
    bool oom = c->exit_code != 0 && oom_killed(c);
    free(c->reason);
    c->reason = xstrdup(oom ? "OOMKilled" : c->exit_code == 0 ? "Completed" : "Error");
    read_termination_message(c);
    LOG(s, info, "container '%s' exited with %d%s", c->name, c->exit_code,
        oom ? " (OOM killed)" : "");
    ctr_release(s, c); /* after reading memory.events: the runtime removes the cgroup */
    server_broadcast(s, json_pack("{s:s,s:o}", "event", "exit", "container", ctr_status_json(c)));
}

bool ctr_reap(struct shim *s, pid_t pid, int status)
{
    for (size_t i = 0; i < s->n_ctrs; i++) {
        struct ctr *c = s->ctrs[i];
        if (c->state == CTR_STARTING && c->runtime_pid == pid) {
            start_done(s, c, status);
            return true;
        }
        if (c->state == CTR_RUNNING && c->pid == pid) {
            container_exited(s, c, status);
            return true;
        }
    }
    /* while a start is under way: perhaps its container, which ended before the pid file
     * was read; kept until the start claims it (bounded) */
    for (size_t i = 0; i < s->n_ctrs; i++)
        if (s->ctrs[i]->state == CTR_STARTING) {
            keep_early_exit(s, pid, status);
            break;
        }
    return false;
}

void ctr_stop(struct shim *s, struct ctr *c, int64_t grace_s)
{
    if (c->state != CTR_RUNNING)
        return;
    LOG(s, info, "stopping container '%s' (grace %llds)", c->name, (long long) grace_s);
    int64_t at = orc_time_mono_ns() + grace_s * NSEC_PER_SEC;
    if (grace_s <= 0) {
        (void) kill(c->pid, SIGKILL);
        return;
    }
    (void) kill(c->pid, SIGTERM);
    if (!c->kill_at || at < c->kill_at)
        c->kill_at = at;
}

void ctr_kill_due(struct shim *s, int64_t now)
{
    for (size_t i = 0; i < s->n_ctrs; i++) {
        struct ctr *c = s->ctrs[i];
        if (c->state == CTR_STARTING && c->start_deadline && c->start_deadline <= now) {
            char d[32];
            orc_duration_format(s->runtime_timeout_ns, d, sizeof(d));
            _cleanup_free_ char *why =
                xasprintf("container start: the runtime '%s' did not start container '%s' "
                          "within %s; killed",
                          s->args.runtime, c->name, d);
            c->start_deadline = 0;
            abort_start(s, c, why);
        }
        if (c->state == CTR_RUNNING && c->kill_at && c->kill_at <= now) {
            LOG(s, info, "container '%s' outlived its grace period: SIGKILL", c->name);
            (void) kill(c->pid, SIGKILL);
            c->kill_at = 0;
        }
    }
}

int64_t ctr_next_deadline(const struct shim *s)
{
    int64_t next = 0;
    for (size_t i = 0; i < s->n_ctrs; i++) {
        const struct ctr *c = s->ctrs[i];
        int64_t at = c->state == CTR_RUNNING    ? c->kill_at
                     : c->state == CTR_STARTING ? c->start_deadline
                                                : 0;
        if (at && (!next || at < next))
            next = at;
    }
    return next;
}

void ctr_cleanup_all(struct shim *s)
{
    for (size_t i = 0; i < s->n_ctrs; i++)
        ctr_release(s, s->ctrs[i]);
    for (size_t i = 0; s->writable_dirs && s->writable_dirs[i]; i++) {
        orc_error_t err = NULL;
        if (orc_rm_rf(s->writable_dirs[i], &err) < 0) {
            LOG(s, warn, "%s, ignoring", orc_error_message(err));
            orc_error_release(&err);
        }
    }
}
