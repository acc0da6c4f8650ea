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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "json-util.h"
#include "netns.h"
#include "xalloc.h"

static int ready_fd = -1;

static int state_dir(const json_t *conf, const char *plugin, char **ret, orc_error_t *err)
{
    const char *dir = NULL;
    if (cni_conf_string(conf, "dataDir", &dir, err) < 0)
        return -1;
    char *path;
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (dir)
        path = xstrdup(dir);
    else if (xdg && *xdg == '/')
        path = xasprintf("%s/orc-cni/%s", xdg, plugin);
    else
        path = xasprintf("/tmp/orc-cni-%u/%s", (unsigned) getuid(), plugin);
    if (orc_mkdir_p(path, 0700, err) < 0) {
        free(path);
        return orc_error_wrap(err, "state directory");
    }
    *ret = path;
    return 0;
}

int helper_state_open(const struct cni_args *a, const char *plugin, struct helper_state *ret,
                      orc_error_t *err)
{
    _cleanup_free_ char *dir = NULL;
    if (state_dir(a->conf, plugin, &dir, err) < 0)
        return -1;
    ret->path = xasprintf("%s/%s-%s.json", dir, a->container_id, a->ifname);
    ret->log = xasprintf("%s/%s-%s.log", dir, a->container_id, a->ifname);
    return 0;
}

void helper_state_done(struct helper_state *s)
{
    free(s->path);
    free(s->log);
    *s = (struct helper_state){0};
}

int helper_state_read(const struct helper_state *s, struct helper_id *ret)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (orc_read_file(s->path, 65536, &text, &len, NULL) < 0)
        return -ENOENT;
    json_auto_t *j = json_loadb(text, len, 0, NULL);
    *ret = (struct helper_id){.pid = (pid_t) orc_json_int(j, "pid", 0),
                              .start_time = (unsigned long long) orc_json_int(j, "startTime", 0)};
    return 0;
}

int helper_state_write(const struct helper_state *s, const struct helper_id *id, orc_error_t *err)
{
    json_auto_t *j =
        json_pack("{s:i,s:I}", "pid", (int) id->pid, "startTime", (json_int_t) id->start_time);
    _cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);
    return orc_write_file_atomic(s->path, text, strlen(text), 0600, err);
}

bool helper_state_busy(const struct helper_state *s)
{
    struct helper_id id;
    return helper_state_read(s, &id) == 0 && helper_alive(&id);
}

int helper_state_del(const struct cni_args *a, const char *plugin, orc_error_t *err)
{
    struct helper_state s = {0};
    struct helper_id id;
    if (helper_state_open(a, plugin, &s, err) < 0)
        return -1;
    if (helper_state_read(&s, &id) == 0)
        helper_stop(&id, 2000);
    (void) unlink(s.path);
    helper_state_done(&s);
    return 0;
}

/* Reads /proc/PID/stat: start time (field 22) and state (field 3). */
static int read_stat(pid_t pid, unsigned long long *ret_start, char *ret_state)
{
    _cleanup_free_ char *path = xasprintf("/proc/%d/stat", (int) pid);
    _cleanup_free_ char *text = NULL;
    if (orc_read_file(path, 4096, &text, NULL, NULL) < 0)
        return -ESRCH;
    const char *p = strrchr(text, ')'); /* the command name may contain anything */
    if (!p || sscanf(p + 2,
                     "%c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
                     "%*s %*s %*s %llu",
                     ret_state, ret_start) != 2)
        return -EINVAL;
    return 0;
}

int helper_id_of(pid_t pid, struct helper_id *ret)
{
    unsigned long long start;
    char state;
    int r = read_stat(pid, &start, &state);
    if (r < 0)
        return r;
    *ret = (struct helper_id){.pid = pid, .start_time = start};
    return 0;
}

bool helper_alive(const struct helper_id *id)
{
    unsigned long long start;
    char state;
    /* a zombie is dead: its parent may be an init that never reaps */
    return id->pid > 0 && read_stat(id->pid, &start, &state) == 0 && start == id->start_time &&
           state != 'Z' && state != 'X';
}

static int pidfd_open_(pid_t pid)
{
    return (int) syscall(SYS_pidfd_open, pid, 0);
}

void helper_stop(const struct helper_id *id, int timeout_ms)
{
    if (!helper_alive(id))
        return;
    _cleanup_close_ int pfd = pidfd_open_(id->pid);
    if (pfd < 0 || !helper_alive(id)) /* gone, or the pid was reused before we held it */
        return;
    (void) syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0);
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0) {
        (void) syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
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
static void run_helper(helper_fn fn, void *arg, const char *log_path, int fd)
{
    orc_error_t err = NULL;
    (void) setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
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

int helper_spawn(helper_fn fn, void *arg, const char *log_path, struct helper_id *ret,
                 orc_error_t *err)
{
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
            run_helper(fn, arg, log_path, p[1]);
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
    if (pid <= 0 || helper_id_of(pid, ret) < 0)
        return orc_error_make(err, 0, "helper exited right after start-up (see '%s')", log_path);
    return 0;
}

int helper_watch_owner(const char *netns_path, int netns_fd)
{
    pid_t pid = netns_owner_pid(netns_path, netns_fd);
    if (pid <= 0)
        return -1;
    int pfd = pidfd_open_(pid);
    if (pfd >= 0 && netns_owner_pid(netns_path, netns_fd) != pid) {
        close(pfd);
        return -1;
    }
    return pfd;
}
