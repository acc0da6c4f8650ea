/* SPDX-License-Identifier: Apache-2.0 */
#include "notify.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"

static char *notify_socket, *watchdog_usec, *watchdog_pid;

static char *take(const char *name)
{
    const char *v = getenv(name);
    char *copy = v ? strdup(v) : NULL;
    unsetenv(name);
    return copy;
}

void notify_init(void)
{
    notify_socket = take("NOTIFY_SOCKET");
    watchdog_usec = take("WATCHDOG_USEC");
    watchdog_pid = take("WATCHDOG_PID");
}

void notify_send(const char *state)
{
    const char *path = notify_socket;
    if (!path || (path[0] != '/' && path[0] != '@') ||
        strlen(path) >= sizeof(((struct sockaddr_un *) 0)->sun_path))
        return;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, path, strlen(path));
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = '\0'; /* abstract namespace */
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    socklen_t len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path));
    (void) sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *) &sa, len);
}

int64_t notify_watchdog_ns(void)
{
    const char *usec = watchdog_usec, *pid = watchdog_pid;
    if (!usec || (pid && atol(pid) != (long) getpid()))
        return 0;
    long long v = atoll(usec);
    return v > 0 ? (int64_t) v * 1000 : 0;
}
