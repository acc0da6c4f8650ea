/* SPDX-License-Identifier: Apache-2.0 */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cni.h"
#include "xalloc.h"

int netns_open(const char *path, int *ret_fd, orc_error_t *err)
{
    /* Only a namespace file is opened (nsfs shows them as regular files), and without
     * blocking: a FIFO or a device named by CNI_NETNS must fail at once, not hang the plugin. */
    struct stat st;
    int fd = -1;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return cni_error(err, CNI_ERR_INVALID_ENV, "'%s' is not a network namespace (%s)", path,
                             S_ISFIFO(st.st_mode)  ? "a FIFO"
                             : S_ISDIR(st.st_mode) ? "a directory"
                                                   : "not a regular file");
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno == ENOENT || errno == ESRCH)
            return cni_error(err, CNI_ERR_UNKNOWN_CONTAINER,
                             "network namespace '%s' does not exist", path);
        return orc_error_make(err, errno, "open network namespace '%s'", path);
    }
    if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
        close(fd);
        return cni_error(err, CNI_ERR_INVALID_ENV, "'%s' is not a network namespace", path);
    }
    *ret_fd = fd;
    return 0;
}

static bool same_ns(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int netns_enter(int netns_fd, orc_error_t *err)
{
    _cleanup_close_ int owner = ioctl(netns_fd, NS_GET_USERNS);
    if (owner < 0)
        return orc_error_make(err, errno, "find the user namespace owning the network namespace");
    _cleanup_close_ int mine = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (mine < 0)
        return orc_error_make(err, errno, "open /proc/self/ns/user");
    if (!same_ns(owner, mine) && setns(owner, CLONE_NEWUSER) < 0)
        return orc_error_make(err, errno, "join the user namespace owning the network namespace");
    if (setns(netns_fd, CLONE_NEWNET) < 0)
        return orc_error_make(err, errno, "join the network namespace");
    return 0;
}

/* Child → parent: one message "CODE TEXT" (code 0 = success), optionally with an fd. */
static void send_reply(int sock, orc_error_t err, int fd)
{
    _cleanup_free_ char *msg =
        err ? xasprintf("%d %s", cni_error_code(err), cni_error_text(err)) : xstrdup("0 ok");
    struct iovec iov = {.iov_base = msg, .iov_len = strlen(msg)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (!err && fd >= 0) {
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof(u.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    (void) sendmsg(sock, &mh, MSG_NOSIGNAL);
}

static int recv_reply(int sock, int *ret_fd, orc_error_t *err)
{
    char msg[4096];
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = msg, .iov_len = sizeof(msg) - 1};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return orc_error_make(err, n < 0 ? errno : 0, "namespace helper died");
    msg[n] = '\0';
    int fd = -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
    char *text = NULL;
    long code = strtol(msg, &text, 10);
    if (code != 0) {
        if (fd >= 0)
            close(fd);
        return cni_error(err, (int) code, "%s", *text ? text + 1 : "failed");
    }
    if (ret_fd)
        *ret_fd = fd;
    else if (fd >= 0)
        close(fd);
    return 0;
}

int netns_run(int netns_fd, netns_fn fn, void *arg, int *ret_fd, orc_error_t *err)
{
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return orc_error_make(err, errno, "socketpair");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(sp[0]);
        close(sp[1]);
        return orc_error_make(err, errno, "fork");
    }
    if (pid == 0) {
        close(sp[0]);
        orc_error_t cerr = NULL;
        int fd = -1;
        if (netns_enter(netns_fd, &cerr) == 0)
            (void) fn(arg, &fd, &cerr);
        send_reply(sp[1], cerr, fd);
        _exit(cerr ? 1 : 0);
    }
    close(sp[1]);
    int r = recv_reply(sp[0], ret_fd, err);
    close(sp[0]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return r;
}

pid_t netns_owner_pid(const char *path, int netns_fd)
{
    int pid = 0, end = 0;
    if (sscanf(path, "/proc/%d/ns/net%n", &pid, &end) != 1 || path[end] != '\0' || pid <= 0)
        return 0;
    _cleanup_free_ char *p = xasprintf("/proc/%d/ns/net", pid);
    _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
    return fd >= 0 && same_ns(fd, netns_fd) ? (pid_t) pid : 0;
}
