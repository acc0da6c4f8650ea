/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tty container's terminal. The OCI runtime (`--console-socket PATH`) connects to a socket
 * of ours and the container's init sends the pty master over it (SCM_RIGHTS, with the
 * device's name as data) before the runtime's `run --detach` returns; the shim keeps the
 * master for the container's life: closing it would hang the terminal up (SIGHUP, EIO).
 * Nothing here blocks: the socket and the master are non-blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "shim.h"

int console_listen(const char *path, orc_error_t *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path))
        return orc_error_make(err, ENAMETOOLONG, "console socket path '%s' is too long", path);
    strcpy(addr.sun_path, path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return orc_error_make(err, errno, "console socket");
    (void) unlink(path);
    if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
        return orc_error_make(err, errno, "bind console socket '%s'", path);
    if (chmod(path, 0600) < 0 || listen(fd, 1) < 0) {
        int e = errno;
        (void) unlink(path);
        return orc_error_make(err, e, "listen on console socket '%s'", path);
    }
    return TAKE_FD(fd);
}

/* The descriptors of an SCM_RIGHTS message: the first is returned, any other closed. */
static int take_fd(struct msghdr *msg)
{
    int fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int got;
            memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (fd < 0)
                fd = got;
            else
                close(got);
        }
    }
    return fd;
}

int console_receive(int listen_fd, int *ret_master, orc_error_t *err)
{
    _cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (conn < 0)
        return orc_error_make(err, errno == EAGAIN ? ENOTCONN : errno,
                              "the runtime did not connect to the console socket");
    char name[256];
    struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    ssize_t n;
    while ((n = recvmsg(conn, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        return orc_error_make(err, errno == EAGAIN ? ENOMSG : errno,
                              "no terminal on the console socket");
    _cleanup_close_ int master = take_fd(&msg);
    int ptn;
    if (master < 0 || ioctl(master, TIOCGPTN, &ptn) < 0) /* only a pty master has a number */
        return orc_error_make(err, EBADMSG, "the console socket gave no pty master");
    if (orc_set_nonblock(master, true) < 0)
        return orc_error_make(err, errno, "console: O_NONBLOCK");
    *ret_master = TAKE_FD(master);
    return 0;
}

int console_default_size(int master, unsigned short cols, unsigned short rows)
{
    struct winsize ws;
    if (ioctl(master, TIOCGWINSZ, &ws) < 0)
        return -errno;
    if (ws.ws_col && ws.ws_row) /* the runtime set it (the OCI config's consoleSize) */
        return 0;
    ws = (struct winsize){.ws_row = rows, .ws_col = cols};
    return ioctl(master, TIOCSWINSZ, &ws) < 0 ? -errno : 1;
}
