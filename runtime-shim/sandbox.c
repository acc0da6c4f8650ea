/* SPDX-License-Identifier: Apache-2.0 */
/* The pod sandbox: the shared user namespace, then the pod's own mount, network, IPC and UTS
 * namespaces, which every container of the pod inherits through the OCI runtime. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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

int sandbox_setup(const struct shim_args *a, orc_error_t *err)
{
    _cleanup_close_ int ns = open(a->userns, O_RDONLY | O_CLOEXEC);
    if (ns < 0)
        return orc_error_make(err, errno, "open user namespace '%s'", a->userns);
    if (setns(ns, CLONE_NEWUSER) < 0)
        return orc_error_make(err, errno, "join user namespace '%s'", a->userns);
    if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
        return orc_error_make(err, errno, "create the pod's namespaces");
    /* slaves: the host's later mounts reach the pod (mountPropagation HostToContainer), the
     * pod's never reach the host */
    if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        return orc_error_make(err, errno, "make mounts slaves");
    const char *hostname = a->hostname ? a->hostname : a->pod_name;
    if (sethostname(hostname, strlen(hostname)) < 0)
        return orc_error_make(err, errno, "set hostname '%s'", hostname);
    if (loopback_up(err) < 0)
        return -1;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        return orc_error_make(err, errno, "become a subreaper");
    _cleanup_free_ char *path = orc_path_join(a->run_dir, "hostname");
    _cleanup_free_ char *text = xasprintf("%s\n", hostname);
    return orc_write_file_atomic(path, text, strlen(text), 0644, err);
}
