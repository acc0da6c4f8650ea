/* SPDX-License-Identifier: Apache-2.0 */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "json-util.h"
#include "netns.h"
#include "private-dir.h"
#include "xalloc.h"

static int ready_fd = -1;

/* PARENT and SUB of the state directory: dataDir split at its last component, or the
 * runtime directory's orc-cni/<plugin>. Only SUB's components are checked to be private. */
static int state_dir_of(const json_t *conf, const char *plugin, char **ret_parent, char **ret_sub,
                        orc_error_t *err)
{
    const char *dir = NULL;
    if (cni_conf_string(conf, "dataDir", &dir, err) < 0)
        return -1;
    if (!dir) {
        _cleanup_free_ char *base = NULL;
        orc_runtime_dir_split(getenv("XDG_RUNTIME_DIR"), "orc-cni", (unsigned) getuid(), ret_parent,
                              &base);
        *ret_sub = orc_path_join(base, plugin);
        return 0;
    }
    _cleanup_free_ char *d = xstrdup(dir);
    size_t len = strlen(d);
    while (len > 0 && d[len - 1] == '/')
        d[--len] = '\0';
    char *slash = strrchr(d, '/');
    const char *base = slash ? slash + 1 : d;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return cni_error(err, CNI_ERR_INVALID_CONFIG, "dataDir '%s' names no directory of its own",
                         dir);
    *ret_parent = !slash       ? xstrdup(".")
                  : slash == d ? xstrdup("/")
                               : xstrndup(d, (size_t) (slash - d));
    *ret_sub = xstrdup(base);
    return 0;
}

int helper_state_open(const struct cni_args *a, const char *plugin, struct helper_state *ret,
                      orc_error_t *err)
{
    _cleanup_free_ char *parent = NULL, *sub = NULL;
    if (state_dir_of(a->conf, plugin, &parent, &sub, err) < 0)
        return -1;
    int fd = orc_private_dir_open(parent, sub, err);
    if (fd < 0)
        return orc_error_wrap(err, "state directory");
    *ret = (struct helper_state){.dir_fd = fd,
                                 .dir = orc_path_join(parent, sub),
                                 .file = xasprintf("%s-%s.json", a->container_id, a->ifname),
                                 .log = xasprintf("%s-%s.log", a->container_id, a->ifname)};
    return 0;
}

void helper_state_done(struct helper_state *s)
{
    safe_close(s->dir_fd);
    free(s->dir);
    free(s->file);
    free(s->log);
    *s = (struct helper_state){.dir_fd = -1};
}

int helper_state_read(const struct helper_state *s, struct orc_proc_id *ret)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (orc_read_file_at(s->dir_fd, s->file, 65536, &text, &len) < 0)
        return -ENOENT;
    json_auto_t *j = json_loadb(text, len, 0, NULL);
    *ret = (struct orc_proc_id){.pid = (pid_t) orc_json_int(j, "pid", 0),
                                .start_time = (unsigned long long) orc_json_int(j, "startTime", 0)};
    return 0;
}

int helper_state_write(const struct helper_state *s, const struct orc_proc_id *id, orc_error_t *err)
{
    json_auto_t *j =
        json_pack("{s:i,s:I}", "pid", (int) id->pid, "startTime", (json_int_t) id->start_time);
    _cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);
    if (orc_write_file_atomic_at(s->dir_fd, s->file, text, strlen(text), 0600, err) < 0)
        return orc_error_wrap(err, "state directory '%s'", s->dir);
    return 0;
}

bool helper_state_busy(const struct helper_state *s)
{
    struct orc_proc_id id;
    return helper_state_read(s, &id) == 0 && helper_alive(&id);
}

int helper_state_del(const struct cni_args *a, const char *plugin, orc_error_t *err)
{
    struct helper_state s = {.dir_fd = -1};
    struct orc_proc_id id;
    if (helper_state_open(a, plugin, &s, err) < 0)
        return -1;
    if (helper_state_read(&s, &id) == 0)
        helper_stop(&id, 2000);
    (void) unlinkat(s.dir_fd, s.file, 0);
    /* a helper writes to its log only what went wrong: an empty one goes, one that says
     * something stays for the user to read */
    struct stat st;
    if (fstatat(s.dir_fd, s.log, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        st.st_size == 0)
        (void) unlinkat(s.dir_fd, s.log, 0);
    helper_state_done(&s);
    return 0;
}

/* A pidfd of the helper recorded as id: -ESRCH when it is gone, -EPERM (err set) when the
 * pid names a process that is not this plugin's helper. */
static int helper_open(const struct orc_proc_id *id, orc_error_t *err)
{
    _cleanup_free_ char *exe = orc_proc_exe(0); /* a helper is a fork of its plugin */
    if (!exe)
        return orc_error_make(err, errno, "readlink /proc/self/exe");
    return orc_proc_open_expected(id, getuid(), exe, err);
}

bool helper_alive(const struct orc_proc_id *id)
{
    orc_error_t err = NULL;
    int fd = helper_open(id, &err);
    orc_error_release(&err);
    safe_close(fd);
    return fd >= 0;
}

void helper_stop(const struct orc_proc_id *id, int timeout_ms)
{
    orc_error_t err = NULL;
    _cleanup_close_ int pfd = helper_open(id, &err);
    if (pfd < 0) {
        if (err) /* on stderr, which a runtime logs: DEL itself succeeds */
            fprintf(stderr, "not stopping pid %d, which is not this plugin's helper: %s\n",
                    (int) id->pid, orc_error_message(err));
        orc_error_release(&err);
        return;
    }
    (void) orc_pidfd_signal(pfd, SIGTERM);
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0) {
        (void) orc_pidfd_signal(pfd, SIGKILL);
        (void) poll(&p, 1, 2000);
    }
}

void helper_ready(void)
{
    if (ready_fd >= 0) {
        char msg[32];
        int n = snprintf(msg, sizeof(msg), "0 %d", (int) getpid());
        (void) !write(ready_fd, msg, (size_t) n);
        close(ready_fd);
        ready_fd = -1;
    }
}

int helper_signal_fd(orc_error_t *err)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0)
        return orc_error_make(err, errno, "signalfd");
    return fd;
}

static void report(int fd, orc_error_t err)
{
    _cleanup_free_ char *msg = xasprintf("%d %s", cni_error_code(err), cni_error_text(err));
    (void) !write(fd, msg, strlen(msg));
}

/* In the grandchild: detach, run, and never return. */
static void run_helper(helper_fn fn, void *arg, int log, int fd)
{
    orc_error_t err = NULL;
    (void) setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(log >= 0 ? log : null, STDERR_FILENO);
    }
    signal(SIGPIPE, SIG_IGN);
    ready_fd = fd;
    int r = fn(arg, &err);
    if (r < 0 && ready_fd >= 0)
        report(ready_fd, err);
    else if (r < 0)
        fprintf(stderr, "%s\n", cni_error_text(err));
    _exit(r < 0 ? 1 : 0);
}

/* The attachment's log, appended to; never through a symlink. */
static int open_log(const struct helper_state *s, orc_error_t *err)
{
    int fd = orc_openat_regular(s->dir_fd, s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd == -ELOOP || fd == -EINVAL)
        return orc_error_make_as(err, -fd, "refusing the log '%s/%s': it is %s", s->dir, s->log,
                                 fd == -ELOOP ? "a symbolic link" : "not a regular file");
    if (fd < 0)
        return orc_error_make(err, -fd, "open the log '%s/%s'", s->dir, s->log);
    return fd;
}

int helper_spawn(helper_fn fn, void *arg, const struct helper_state *s, struct orc_proc_id *ret,
                 orc_error_t *err)
{
    _cleanup_close_ int log = open_log(s, err);
    if (log < 0)
        return -1;
    _cleanup_free_ char *log_path = orc_path_join(s->dir, s->log);
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return orc_error_make(err, errno, "pipe");
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        close(p[0]);
        close(p[1]);
        return orc_error_make(err, errno, "fork");
    }
    if (child == 0) {
        close(p[0]);
        pid_t grandchild = fork(); /* reparented away from the runtime: never its zombie */
        if (grandchild == 0)
            run_helper(fn, arg, log, p[1]);
        _exit(grandchild < 0 ? 1 : 0);
    }
    close(p[1]);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    _cleanup_free_ char *msg = NULL;
    int r = orc_read_all(p[0], 4096, &msg, NULL);
    close(p[0]);
    if (r < 0 || !msg || !*msg)
        return orc_error_make(err, 0, "helper exited during start-up (see '%s')", log_path);
    char *text = NULL;
    long code = strtol(msg, &text, 10);
    if (code != 0)
        return cni_error(err, (int) code, "%s", *text ? text + 1 : "helper failed");
    pid_t pid = (pid_t) strtol(text, NULL, 10);
    if (pid <= 0 || orc_proc_id_of(pid, ret) < 0)
        return orc_error_make(err, 0, "helper exited right after start-up (see '%s')", log_path);
    return 0;
}

int helper_watch_owner(const char *netns_path, int netns_fd)
{
    pid_t pid = netns_owner_pid(netns_path, netns_fd);
    if (pid <= 0)
        return -1;
    int pfd = orc_pidfd_open(pid);
    if (pfd >= 0 && netns_owner_pid(netns_path, netns_fd) != pid) {
        close(pfd);
        return -1;
    }
    return pfd;
}
