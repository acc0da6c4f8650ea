/* SPDX-License-Identifier: Apache-2.0 */
/* `orc-shim holder`: holds the user namespace all pods share open, and does nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

/* join: /proc/PID/ns/user of a process in the namespace to hold (a pod's shim, when the
 * previous holder died), or NULL for a new namespace that the agent then maps. */
int holder_main(int sync_fd, const char *join)
{
    int fd = join ? open(join, O_RDONLY | O_CLOEXEC) : -1;
    if (join ? fd < 0 || setns(fd, CLONE_NEWUSER) < 0 : unshare(CLONE_NEWUSER) < 0) {
        (void) !write(sync_fd, "0", 1);
        return 1;
    }
    if (fd >= 0)
        close(fd);
    if (write(sync_fd, "1", 1) != 1)
        return 1;
    /* wait for the agent to write the uid/gid maps */
    char buf[16];
    ssize_t n;
    size_t got = 0;
    while ((n = read(sync_fd, buf + got, sizeof(buf) - 1 - got)) > 0) {
        got += (size_t) n;
        buf[got] = '\0';
        if (strchr(buf, '\n'))
            break;
    }
    close(sync_fd);
    if (got == 0 || strncmp(buf, "mapped", 6) != 0)
        return 1;
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sig = 0;
    while (sigwait(&mask, &sig) != 0 && errno == EINTR)
        ;
    return 0;
}
