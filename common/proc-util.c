/* SPDX-License-Identifier: Apache-2.0 */
#include "proc-util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "xalloc.h"

int orc_proc_stat(pid_t pid, unsigned long long *ret_start, char *ret_state)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
    _cleanup_free_ char *text = NULL;
    if (pid <= 0 || orc_read_file(path, 4096, &text, NULL, NULL) < 0)
        return -ESRCH;
    const char *p = strrchr(text, ')'); /* the command name may contain anything */
    unsigned long long start;
    char state;
    if (!p || sscanf(p + 2,
                     "%c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
                     "%*s %*s %*s %llu",
                     &state, &start) != 2)
        return -EINVAL;
    if (ret_start)
        *ret_start = start;
    if (ret_state)
        *ret_state = state;
    return 0;
}

int orc_proc_id_of(pid_t pid, struct orc_proc_id *ret)
{
    unsigned long long start;
    int r = orc_proc_stat(pid, &start, NULL);
    if (r < 0)
        return r;
    *ret = (struct orc_proc_id){.pid = pid, .start_time = start};
    return 0;
}

bool orc_proc_alive(const struct orc_proc_id *id)
{
    unsigned long long start;
    char state;
    /* a zombie is dead: its parent may be an init that never reaps */
    return orc_proc_stat(id->pid, &start, &state) == 0 && start == id->start_time && state != 'Z' &&
           state != 'X';
}

char *orc_proc_exe(pid_t pid)
{
    char path[64], buf[PATH_MAX + 16];
    if (pid > 0)
        snprintf(path, sizeof(path), "/proc/%d/exe", (int) pid);
    else
        snprintf(path, sizeof(path), "/proc/self/exe");
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    static const char deleted[] = " (deleted)";
    size_t len = (size_t) n, dl = sizeof(deleted) - 1;
    if (len > dl && !strcmp(buf + len - dl, deleted))
        buf[len - dl] = '\0';
    return xstrdup(buf);
}

/* Real and effective uid from /proc/PID/status. */
static int proc_uids(pid_t pid, uid_t *ret_real, uid_t *ret_effective)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
    _cleanup_free_ char *text = NULL;
    if (orc_read_file(path, 16384, &text, NULL, NULL) < 0)
        return -ESRCH;
    const char *line = strstr(text, "\nUid:");
    unsigned real, effective;
    if (!line || sscanf(line + 5, "%u %u", &real, &effective) != 2)
        return -EINVAL;
    *ret_real = (uid_t) real;
    *ret_effective = (uid_t) effective;
    return 0;
}

/* Whether the (alive, right start time) process pid is the expected one; sets *err if not. */
static int check_identity(pid_t pid, uid_t uid, const char *exe, orc_error_t *err)
{
    uid_t real, effective;
    if (proc_uids(pid, &real, &effective) < 0)
        return -ESRCH;
    if (real != uid || effective != uid)
        return orc_error_make_as(err, EPERM, "pid %d belongs to uid %u, not to uid %u", (int) pid,
                                 (unsigned) (real != uid ? real : effective), (unsigned) uid);
    if (!exe)
        return 0;
    _cleanup_free_ char *actual = orc_proc_exe(pid);
    if (!actual || strcmp(actual, exe) != 0)
        return orc_error_make_as(err, EPERM, "pid %d runs '%s', not '%s'", (int) pid,
                                 actual ? actual : "(unreadable)", exe);
    return 0;
}

int orc_proc_open_expected(const struct orc_proc_id *id, uid_t uid, const char *exe,
                           orc_error_t *err)
{
    if (id->pid <= 0)
        return -ESRCH;
    /* held first: whatever the checks below prove holds for the process this fd names */
    _cleanup_close_ int pidfd = orc_pidfd_open(id->pid);
    if (pidfd < 0)
        return pidfd == -ESRCH ? -ESRCH
                               : orc_error_make(err, -pidfd, "pidfd_open %d", (int) id->pid);
    if (!orc_proc_alive(id))
        return -ESRCH;
    int r = check_identity(id->pid, uid, exe, err);
    if (r < 0)
        return r;
    return TAKE_FD(pidfd);
}

int orc_pidfd_open(pid_t pid)
{
    int fd = (int) syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : fd;
}

int orc_pidfd_signal(int pidfd, int sig)
{
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}
