/* SPDX-License-Identifier: Apache-2.0 */
/* The pod sandbox: the shared user namespace, then the pod's own mount, network, IPC and UTS
 * namespaces (the host's network and UTS with --host-network, its IPC with --host-ipc), which
 * every container of the pod inherits through the OCI runtime; with --share-pid a PID
 * namespace whose init is the pause process, which the containers join. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "shim.h"
#include "xalloc.h"

static int loopback_up(orc_error_t *err)
{
    _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return orc_error_make(err, errno, "socket");
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
        return orc_error_make(err, errno, "get flags of 'lo'");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
        return orc_error_make(err, errno, "bring 'lo' up");
    return 0;
}

/* The pod's PID namespace: a child cloned into a new one, its PID 1, exec'd as "/pause".
 * Containers join it by path (/proc/PID/ns/pid, PID recorded in DIR/pause.pid). */
static int start_pause(const struct shim_args *a, orc_error_t *err)
{
    pid_t pid = (pid_t) syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid < 0)
        return orc_error_make(err, errno, "create the pod's PID namespace");
    if (pid == 0) { /* the shim is single-threaded here: a plain fork's child */
        char *argv[] = {"/pause", NULL};
        (void) syscall(SYS_close_range, 3, ~0U, 0); /* the sync fd is inherited, not CLOEXEC */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
            _exit(127);
        execve("/proc/self/exe", argv, (char *[]){NULL});
        _exit(127);
    }
    _cleanup_free_ char *path = orc_path_join(a->run_dir, "pause.pid");
    _cleanup_free_ char *text = xasprintf("%d\n", (int) pid);
    return orc_write_file_atomic(path, text, strlen(text), 0600, err);
}

int pause_main(void)
{
    (void) prctl(PR_SET_NAME, "pause"); /* not "exe": ps shows "/pause" as Kubernetes' does */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    for (;;) {
        int sig = 0;
        if (sigwait(&mask, &sig) != 0)
            continue;
        if (sig != SIGCHLD)
            return 0;
        while (waitpid(-1, NULL, WNOHANG) > 0) /* orphans of the containers */
            ;
    }
}

int sandbox_setup(const struct shim_args *a, orc_error_t *err)
{
    _cleanup_close_ int ns = open(a->userns, O_RDONLY | O_CLOEXEC);
    if (ns < 0)
        return orc_error_make(err, errno, "open user namespace '%s'", a->userns);
    if (setns(ns, CLONE_NEWUSER) < 0)
        return orc_error_make(err, errno, "join user namespace '%s'", a->userns);
    int flags = CLONE_NEWNS | (a->host_network ? 0 : CLONE_NEWNET | CLONE_NEWUTS) |
                (a->host_ipc ? 0 : CLONE_NEWIPC);
    if (unshare(flags) < 0)
        return orc_error_make(err, errno, "create the pod's namespaces");
    /* slaves: the host's later mounts reach the pod (mountPropagation HostToContainer), the
     * pod's never reach the host */
    if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        return orc_error_make(err, errno, "make mounts slaves");
    char host[HOST_NAME_MAX + 1] = "";
    const char *hostname = a->hostname ? a->hostname : a->pod_name;
    if (a->host_network) { /* the host's name, as its UTS namespace has it */
        if (gethostname(host, sizeof(host) - 1) < 0)
            return orc_error_make(err, errno, "get the host's name");
        hostname = host;
    } else if (sethostname(hostname, strlen(hostname)) < 0)
        return orc_error_make(err, errno, "set hostname '%s'", hostname);
    if (!a->host_network && loopback_up(err) < 0)
        return -1;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        return orc_error_make(err, errno, "become a subreaper");
    if (a->share_pid && start_pause(a, err) < 0)
        return -1;
    _cleanup_free_ char *path = orc_path_join(a->run_dir, "hostname");
    _cleanup_free_ char *text = xasprintf("%s\n", hostname);
    return orc_write_file_atomic(path, text, strlen(text), 0644, err);
}
