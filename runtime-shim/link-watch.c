/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod's network lives in the shim's network namespace, but its interfaces are made by
 * CNI plugins whose helpers run elsewhere: a slirp tap disappears when its helper dies. The
 * shim, sitting in the namespace, hears that from the kernel and tells the agent, which
 * checks and repairs the network. No polling: a netlink multicast group.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "json-util.h"
#include "log.h"
#include "shim.h"

int link_watch_open(struct shim *s, orc_error_t *err)
{
    s->link_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (s->link_fd < 0)
        return orc_error_make(err, errno, "netlink socket");
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
    if (bind(s->link_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
        return orc_error_make(err, errno, "netlink bind");
    return 0;
}

static void on_dellink(struct shim *s, struct nlmsghdr *h)
{
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    if (ifi->ifi_flags & IFF_LOOPBACK)
        return;
    const char *name = "";
    int len = (int) IFLA_PAYLOAD(h);
    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == IFLA_IFNAME)
            name = RTA_DATA(a);
    log_info("pod '%s/%s': interface '%s' removed", s->args.pod_namespace, s->args.pod_name, name);
    /* server_broadcast takes the reference */
    json_t *ev = json_pack("{s:s,s:s,s:i}", "event", "link-removed", "ifname", name, "ifindex",
                           ifi->ifi_index);
    server_broadcast(s, ev);
}

void link_watch_on_readable(struct shim *s)
{
    char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        ssize_t n = recv(s->link_fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* EAGAIN; ENOBUFS (overrun) loses only reports the agent re-checks anyway */
        for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (unsigned) n);
             h = NLMSG_NEXT(h, n))
            if (h->nlmsg_type == RTM_DELLINK &&
                h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg)))
                on_dellink(s, h);
    }
}
