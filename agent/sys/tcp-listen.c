/* SPDX-License-Identifier: Apache-2.0 */
/* A loopback TCP listener, and who holds its port when it is taken. */
#include "sys/tcp-listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "private-dir.h"
#include "xalloc.h"

#define TCP_LISTEN 0x0A /* the kernel's TCP_LISTEN state in /proc/net/tcp */

static const char *next_line(const char *line)
{
    const char *nl = strchr(line, '\n');
    return nl ? nl + 1 : NULL;
}

bool tcp_port_owner_parse(const char *text, uint16_t port, uid_t *ret_uid)
{
    bool found = false;
    for (const char *line = text; line && *line; line = next_line(line)) {
        char local[65], remote[65];
        unsigned lport, rport, state, uid;
        if (sscanf(line, " %*u: %64[0-9A-Fa-f]:%x %64[0-9A-Fa-f]:%x %x %*x:%*x %*x:%*x %*x %u",
                   local, &lport, remote, &rport, &state, &uid) != 6 ||
            lport != port)
            continue;
        if (!found || state == TCP_LISTEN)
            *ret_uid = (uid_t) uid;
        found = true;
        if (state == TCP_LISTEN)
            break;
    }
    return found;
}

static bool port_owner(uint16_t port, uid_t *ret_uid)
{
    const char *files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (size_t i = 0; i < ELEMENTSOF(files); i++) {
        _cleanup_free_ char *text = NULL;
        orc_error_t err = NULL;
        if (orc_read_file(files[i], 16 << 20, &text, NULL, &err) < 0) {
            orc_error_release(&err);
            continue;
        }
        if (tcp_port_owner_parse(text, port, ret_uid))
            return true;
    }
    return false;
}

static int in_use(uint16_t port, const char *flag, orc_error_t *err)
{
    uid_t uid;
    _cleanup_free_ char *who = NULL;
    if (!port_owner(port, &uid))
        who = xstrdup("another process (perhaps another user's: this user cannot see it)");
    else if (uid == geteuid())
        who = xstrdup("another process of yours (another orcd, with another data directory?)");
    else {
        _cleanup_free_ char *owner = orc_describe_uid(uid);
        who = xasprintf("%s, another user", owner);
    }
    return orc_error_make_as(err, EADDRINUSE,
                             "cannot serve the API on 127.0.0.1:%u: the port is held by %s; every "
                             "user of this machine shares the loopback ports, so choose another "
                             "one with %s PORT (then write kubeconfigs again with "
                             "'orc kubeconfig'), or serve only the unix socket with %s 0",
                             port, who, flag, flag);
}

int tcp_listen_loopback(uint16_t port, const char *flag, orc_error_t *err)
{
    _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return orc_error_make(err, errno, "socket");
    int one = 1;
    /* a restart finds the last agent's connections in TIME_WAIT: no reason to wait */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        return orc_error_make(err, errno, "SO_REUSEADDR");
    struct sockaddr_in addr = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        if (errno == EADDRINUSE)
            return in_use(port, flag, err);
        if (errno == EACCES)
            return orc_error_make_as(err, EACCES,
                                     "cannot serve the API on 127.0.0.1:%u: ports below %u need "
                                     "privileges; choose another one with %s PORT",
                                     port, 1024, flag);
        return orc_error_make(err, errno, "bind 127.0.0.1:%u", port);
    }
    if (listen(fd, 64) < 0)
        return errno == EADDRINUSE ? in_use(port, flag, err)
                                   : orc_error_make(err, errno, "listen on 127.0.0.1:%u", port);
    return TAKE_FD(fd);
}
