/* SPDX-License-Identifier: Apache-2.0 */
/* The console socket as an OCI runtime uses it: a pty master sent with SCM_RIGHTS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "shim.h"
#include "tap.h"
#include "xalloc.h"

static int connect_to(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
        abort();
    return fd;
}

/* What runc's init does: the device's name as data, the descriptor as SCM_RIGHTS. */
static void send_fd(int sock, int fd)
{
    char name[] = "/dev/ptmx";
    struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    if (sendmsg(sock, &msg, 0) < 0)
        abort();
}

static int receive_status(int listen_fd, int *ret_master)
{
    orc_error_t err = NULL;
    if (console_receive(listen_fd, ret_master, &err) == 0)
        return 0;
    int status = err->status;
    orc_error_release(&err);
    return status;
}

int main(void)
{
    char dir[] = "/tmp/test-console-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    char *path = xasprintf("%s/tty0", dir);
    orc_error_t err = NULL;
    int ls = console_listen(path, &err);
    tap_ok(ls >= 0, "listen");
    struct stat st;
    tap_ok(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600,
           "a socket only the user can reach");
    int master = -1;
    tap_is_int(receive_status(ls, &master), ENOTCONN, "nobody connected: no wait, ENOTCONN");

    int ptm = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (ptm < 0 || grantpt(ptm) < 0 || unlockpt(ptm) < 0)
        abort();
    char *pts = xstrdup(ptsname(ptm));
    int client = connect_to(path);
    send_fd(client, ptm);
    close(client); /* the runtime may be gone by the time the shim looks */
    tap_is_int(receive_status(ls, &master), 0, "the master sent is received");
    tap_ok(master >= 0 && master != ptm, "as a descriptor of our own");
    char *got = master >= 0 ? ptsname(master) : NULL;
    tap_is_str(got, pts, "the same terminal");
    tap_ok(master >= 0 && (fcntl(master, F_GETFL) & O_NONBLOCK) &&
               (fcntl(master, F_GETFD) & FD_CLOEXEC),
           "non-blocking and close-on-exec");

    tap_is_int(console_default_size(master, CONSOLE_COLS, CONSOLE_ROWS), 1,
               "a terminal without a size gets one");
    struct winsize ws = {0};
    (void) ioctl(master, TIOCGWINSZ, &ws);
    tap_ok(ws.ws_col == 80 && ws.ws_row == 24, "80x24: %ux%u", ws.ws_col, ws.ws_row);
    ws = (struct winsize){.ws_row = 50, .ws_col = 132};
    (void) ioctl(master, TIOCSWINSZ, &ws);
    tap_is_int(console_default_size(master, CONSOLE_COLS, CONSOLE_ROWS), 0,
               "a size the runtime set stays");
    (void) ioctl(master, TIOCGWINSZ, &ws);
    tap_ok(ws.ws_col == 132 && ws.ws_row == 50, "still 132x50");

    /* what the container writes comes out of the master, "\n" as "\r\n" (ONLCR) */
    int slave = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
    tap_ok(slave >= 0, "the slave opens");
    char buf[64];
    tap_is_int((int) read(master, buf, sizeof(buf)), -1, "nothing yet: the read does not wait");
    if (write(slave, "hi\n", 3) != 3)
        abort();
    close(slave);
    ssize_t n = -1;
    for (int i = 0; i < 100 && n < 0; i++) { /* the pty's buffer is pushed by a work queue */
        n = read(master, buf, sizeof(buf));
        if (n < 0 && errno == EAGAIN)
            usleep(10000);
    }
    tap_ok(n == 4 && !memcmp(buf, "hi\r\n", 4), "the output, after the slave closed");
    errno = 0;
    tap_ok(read(master, buf, sizeof(buf)) < 0 && errno == EIO, "then EIO: nobody holds the slave");

    /* a peer that sends no pty master, or nothing */
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        abort();
    client = connect_to(path);
    send_fd(client, p[0]);
    int other = -1;
    tap_is_int(receive_status(ls, &other), EBADMSG, "a pipe is refused");
    close(client);
    client = connect_to(path);
    tap_is_int(receive_status(ls, &other), ENOMSG, "a connection without a message: no wait");
    tap_is_int(other, -1, "nothing returned on failure");
    close(client);

    close(p[0]), close(p[1]);
    close(master), close(ptm), close(ls);
    (void) unlink(path);
    (void) rmdir(dir);
    free(pts);
    free(path);
    return tap_done();
}
