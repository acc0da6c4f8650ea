/* SPDX-License-Identifier: Apache-2.0 */
/* `orc-shim holder`: owns the user namespace all pods share, and does nothing else. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

int holder_main(int sync_fd)
{
    if (unshare(CLONE_NEWUSER) < 0) {
        (void) !write(sync_fd, "0", 1);
        return 1;
    }
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
