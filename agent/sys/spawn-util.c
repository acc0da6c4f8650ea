/* SPDX-License-Identifier: Apache-2.0 */
#include "sys/spawn-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "xalloc.h"

static void child_stdio_null(void)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
}

/* In the grandchild: reset signals, move keep_fd to 3, close everything else, exec. */
static void exec_detached(char *const argv[], int keep_fd)
{
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    child_stdio_null();
    if (keep_fd >= 0) {
        if (keep_fd != 3 && dup2(keep_fd, 3) < 0)
            _exit(127);
        closefrom(4);
        fcntl(3, F_SETFD, 0);
    } else {
        closefrom(3);
    }
    execvp(argv[0], argv);
    _exit(127);
}

int spawn_detached(char *const argv[], int keep_fd, pid_t *ret_pid, orc_error_t *err)
{
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

int spawn_fork_wait(void (*child)(void *arg, int report_fd), void *arg, int *ret_status,
                    char **ret_report, orc_error_t *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return orc_error_make(err, errno, "pipe");
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return orc_error_make(err, errno, "fork");
    }
    if (pid == 0) {
        close(p[0]);
        child(arg, p[1]);
        _exit(127);
    }
    close(p[1]);
    char *out = NULL;
    size_t len = 0;
    if (orc_read_all(p[0], 64 * 1024, &out, &len) < 0)
        out = xstrdup("");
    close(p[0]);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
        out[--len] = '\0';
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *ret_status = status;
    *ret_report = out;
    return 0;
}

static void exec_child(void *arg, int report_fd)
{
    char *const *argv = arg;
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(report_fd, 2);
    execvp(argv[0], argv);
    dprintf(2, "cannot execute: %s", strerror(errno));
    _exit(127);
}

int spawn_wait(char *const argv[], orc_error_t *err)
{
    int status = 0;
    _cleanup_free_ char *out = NULL;
    if (spawn_fork_wait(exec_child, (void *) argv, &status, &out, err) < 0)
        return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    return orc_error_make(err, 0, "%s failed (status %d)%s%s", argv[0],
                          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                          *out ? ": " : "", out);
}
