/* SPDX-License-Identifier: Apache-2.0 */
/* Running the OCI runtime: in the background (a container's start, reaped by the loop) or
 * to completion within a deadline (delete). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "shim.h"
#include "time-util.h"
#include "xalloc.h"

int runtime_spawn(struct shim *s, char **args, int in_fd, int out_fd, int err_fd, pid_t *ret_pid)
{
    char *argv[24] = {s->args.runtime, "--root", s->args.runtime_root};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < ELEMENTSOF(argv) - 1; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        /* a group of its own: a runtime killed at its deadline takes its children along */
        setpgid(0, 0);
        int null = open("/dev/null", O_RDWR);
        dup2(in_fd >= 0 ? in_fd : null, 0);
        dup2(out_fd >= 0 ? out_fd : null, 1);
        dup2(err_fd >= 0 ? err_fd : null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    *ret_pid = pid;
    return 0;
}

void runtime_kill(pid_t pid)
{
    (void) kill(-pid, SIGKILL);
    (void) kill(pid, SIGKILL);
}

int runtime_exec(struct shim *s, char **args, int64_t timeout_ns)
{
    pid_t pid;
    int r = runtime_spawn(s, args, -1, -1, -1, &pid);
    if (r < 0)
        return r;
    _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int64_t deadline = orc_time_mono_ns() + timeout_ns;
    bool in_time = true;
    while (pidfd >= 0) {
        int64_t left = (deadline - orc_time_mono_ns()) / NSEC_PER_MSEC;
        int n = left > 0 ? poll(&p, 1, (int) left) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0) {
            in_time = false;
            runtime_kill(pid);
        }
        break;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!in_time)
        return -ETIMEDOUT;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

char *runtime_last_error(const char *bundle)
{
    _cleanup_free_ char *path = orc_path_join(bundle, "runtime.log");
    _cleanup_free_ char *text = NULL;
    if (orc_read_file(path, 1 << 20, &text, NULL, NULL) < 0)
        return xstrdup("the OCI runtime failed (no log)");
    char *last = NULL;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        const char *msg = orc_json_str(j, "msg");
        if (msg && (!orc_json_str(j, "level") || strcmp(orc_json_str(j, "level"), "error") == 0)) {
            free(last);
            last = xstrdup(msg);
        }
        json_decref(j);
    }
    return last ? last : xstrdup("the OCI runtime failed");
}
