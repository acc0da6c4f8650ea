/* SPDX-License-Identifier: Apache-2.0 */
#include "sys/spawn-util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "time-util.h"
#include "xalloc.h"

#define STDERR_MAX (64 * 1024)

extern char **environ;

/* 0 = not changed by orcd: children inherit its own. Written once before any thread. */
static rlim_t child_nofile;

void spawn_set_child_nofile(unsigned long long soft_limit)
{
    child_nofile = (rlim_t) soft_limit;
}

void spawn_restore_limits(pid_t pid)
{
    struct rlimit rl;
    if (child_nofile && prlimit(pid, RLIMIT_NOFILE, NULL, &rl) == 0) {
        rl.rlim_cur = child_nofile;
        (void) prlimit(pid, RLIMIT_NOFILE, &rl, NULL);
    }
}

void spawn_child_nofile(unsigned long long *ret_soft, unsigned long long *ret_hard)
{
    struct rlimit rl = {0};
    (void) getrlimit(RLIMIT_NOFILE, &rl);
    *ret_soft = child_nofile ? child_nofile : rl.rlim_cur;
    *ret_hard = rl.rlim_max;
}

static void child_stdio_null(void)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
}

/* In the grandchild: reset signals, move keep_fd to 3, close everything else, exec.
 * Only async-signal-safe calls: the parent has threads. */
static void exec_detached(char *const argv[], int keep_fd)
{
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    child_stdio_null();
    struct rlimit rl;
    if (child_nofile && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = child_nofile;
        (void) setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (keep_fd >= 0) {
        if (keep_fd != 3 && dup2(keep_fd, 3) < 0)
            _exit(127);
        closefrom(4);
        fcntl(3, F_SETFD, 0);
    } else {
        closefrom(3);
    }
    execve(argv[0], argv, environ);
    _exit(127);
}

int spawn_detached(char *const argv[], int keep_fd, pid_t *ret_pid, orc_error_t *err)
{
    if (!strchr(argv[0], '/'))
        return orc_error_make(err, EINVAL, "start '%s': not a path", argv[0]);
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return orc_error_make(err, errno, "pipe");
    pid_t mid = fork();
    if (mid < 0) {
        close(p[0]);
        close(p[1]);
        return orc_error_make(err, errno, "fork");
    }
    if (mid == 0) {
        setsid();
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            close(p[1]);
            exec_detached(argv, keep_fd);
        }
        (void) !write(p[1], &pid, sizeof(pid));
        _exit(pid < 0 ? 1 : 0);
    }
    close(p[1]);
    pid_t pid = -1;
    ssize_t n = read(p[0], &pid, sizeof(pid));
    close(p[0]);
    while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
        ;
    if (n != sizeof(pid) || pid <= 0)
        return orc_error_make(err, EAGAIN, "start '%s'", argv[0]);
    *ret_pid = pid;
    return 0;
}

/* Appends what one read of fd gives to *buf (up to STDERR_MAX); false at its end. */
static bool read_some(int fd, char **buf, size_t *len)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    size_t take = *len + (size_t) n > STDERR_MAX ? STDERR_MAX - *len : (size_t) n;
    *buf = xrealloc(*buf, *len + take + 1);
    memcpy(*buf + *len, chunk, take);
    *len += take;
    (*buf)[*len] = '\0';
    return true;
}

/* What the child writes on its pipes (fds[i] -1 = none) until both close: 0; -ETIMEDOUT when
 * the deadline passes first, -ECANCELED when cancel_fd (-1 = none) becomes readable. */
static int collect(int fds[2], int64_t deadline_ns, int cancel_fd, char *bufs[2], size_t lens[2])
{
    for (;;) {
        struct pollfd p[3] = {{.fd = fds[0], .events = POLLIN},
                              {.fd = fds[1], .events = POLLIN},
                              {.fd = cancel_fd, .events = POLLIN}};
        if (fds[0] < 0 && fds[1] < 0)
            return 0;
        int timeout = -1;
        if (deadline_ns) {
            int64_t left = deadline_ns - orc_time_mono_ns();
            if (left <= 0)
                return -ETIMEDOUT;
            timeout = (int) ((left + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
        }
        int r = poll(p, 3, timeout);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return -ETIMEDOUT;
        if (p[2].revents)
            return -ECANCELED;
        for (int i = 0; i < 2; i++)
            if (p[i].revents && !read_some(fds[i], &bufs[i], &lens[i]))
                fds[i] = -1; /* closed: poll() ignores a negative fd */
    }
}

static void trim(char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
        s[--len] = '\0';
}

int spawn_run(char *const argv[], int64_t deadline_ns, int *ret_status, char **ret_stderr,
              orc_error_t *err)
{
    return spawn_run_output(argv, deadline_ns, -1, ret_status, NULL, ret_stderr, err);
}

int spawn_run_output(char *const argv[], int64_t deadline_ns, int cancel_fd, int *ret_status,
                     char **ret_stdout, char **ret_stderr, orc_error_t *err)
{
    int p[2][2] = {{-1, -1}, {-1, -1}}; /* stdout (when asked for), stderr */
    if ((ret_stdout && pipe2(p[0], O_CLOEXEC) < 0) || pipe2(p[1], O_CLOEXEC) < 0) {
        int e = errno;
        safe_close(p[0][0]), safe_close(p[0][1]);
        return orc_error_make(err, e, "pipe");
    }
    _cleanup_close_ int rd_out = p[0][0], rd_err = p[1][0];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (ret_stdout)
        posix_spawn_file_actions_adddup2(&fa, p[0][1], 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1][1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    /* the agent blocks signals for its signalfd and ignores SIGPIPE: children get neither */
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    safe_close(p[0][1]);
    safe_close(p[1][1]);
    if (r != 0)
        return orc_error_make(err, r, "cannot execute '%s'", argv[0]);
    spawn_restore_limits(pid);
    char *bufs[2] = {xstrdup(""), xstrdup("")};
    size_t lens[2] = {0, 0};
    int fds[2] = {rd_out, rd_err};
    int c = collect(fds, deadline_ns, cancel_fd, bufs, lens);
    if (c < 0)
        (void) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    _cleanup_free_ char *out = bufs[0], *errs = bufs[1];
    trim(errs, lens[1]);
    if (c == -ECANCELED)
        return orc_error_make_as(err, ECANCELED, "%s: cancelled", argv[0]);
    if (c < 0)
        return orc_error_make_as(err, ETIMEDOUT, "%s did not finish in time%s%s", argv[0],
                                 *errs ? ": " : "", errs);
    *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (ret_stdout)
        *ret_stdout = TAKE_PTR(out);
    *ret_stderr = TAKE_PTR(errs);
    return 0;
}

int spawn_wait(char *const argv[], int64_t deadline_ns, orc_error_t *err)
{
    int status = 0;
    _cleanup_free_ char *out = NULL;
    if (spawn_run(argv, deadline_ns, &status, &out, err) < 0)
        return -1;
    if (status == 0)
        return 0;
    return orc_error_make(err, 0, "%s failed (status %d)%s%s", argv[0], status, *out ? ": " : "",
                          out);
}
