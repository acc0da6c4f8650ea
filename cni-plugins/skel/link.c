/* SPDX-License-Identifier: Apache-2.0 */
#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

static int ifreq_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
    _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    memset(ifr->ifr_name, 0, sizeof(ifr->ifr_name));
    strncpy(ifr->ifr_name, ifname, IFNAMSIZ - 1);
    return ioctl(s, req, ifr) < 0 ? -errno : 0;
}

int link_get(const char *ifname, struct link_info *ret)
{
    struct ifreq ifr = {0};
    struct link_info li = {0};
    int r = ifreq_ioctl(ifname, SIOCGIFINDEX, &ifr);
    if (r < 0)
        return r;
    li.index = ifr.ifr_ifindex;
    if ((r = ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr)) < 0)
        return r;
    li.flags = (unsigned) (unsigned short) ifr.ifr_flags;
    if ((r = ifreq_ioctl(ifname, SIOCGIFMTU, &ifr)) < 0)
        return r;
    li.mtu = ifr.ifr_mtu;
    if ((r = ifreq_ioctl(ifname, SIOCGIFHWADDR, &ifr)) < 0)
        return r;
    memcpy(li.mac, ifr.ifr_hwaddr.sa_data, 6);
    *ret = li;
    return 0;
}

int link_set_up(const char *ifname, bool up, orc_error_t *err)
{
    struct ifreq ifr = {0};
    int r = ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr);
    if (r < 0)
        return orc_error_make(err, -r, "get flags of '%s'", ifname);
    if (up)
        ifr.ifr_flags |= IFF_UP;
    else
        ifr.ifr_flags &= ~IFF_UP;
    if ((r = ifreq_ioctl(ifname, SIOCSIFFLAGS, &ifr)) < 0)
        return orc_error_make(err, -r, "set '%s' %s", ifname, up ? "up" : "down");
    return 0;
}

int link_set_mtu(const char *ifname, int mtu, orc_error_t *err)
{
    struct ifreq ifr = {.ifr_mtu = mtu};
    int r = ifreq_ioctl(ifname, SIOCSIFMTU, &ifr);
    if (r < 0)
        return orc_error_make(err, -r, "set MTU %d on '%s'", mtu, ifname);
    return 0;
}

void link_format_mac(const unsigned char mac[6], char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
}

struct nl_req {
    struct nlmsghdr h;
    union {
        struct ifaddrmsg ifa;
        struct rtmsg rt;
    };
    char attrs[128];
};

static void nl_attr(struct nl_req *q, unsigned short type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *) ((char *) q + NLMSG_ALIGN(q->h.nlmsg_len));
    a->rta_type = type;
    a->rta_len = (unsigned short) RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends one request and reads its acknowledgement; returns 0 or -errno. */
static int nl_call(struct nl_req *q)
{
    _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -errno;
    q->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    q->h.nlmsg_seq = 1;
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (sendto(fd, q, q->h.nlmsg_len, 0, (struct sockaddr *) &sa, sizeof(sa)) < 0)
        return -errno;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0)
        return -errno;
    struct nlmsghdr *h = (struct nlmsghdr *) buf;
    if (!NLMSG_OK(h, (unsigned) n) || h->nlmsg_type != NLMSG_ERROR)
        return -EPROTO;
    return ((struct nlmsgerr *) NLMSG_DATA(h))->error;
}

static size_t addr_len(int family)
{
    return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

int link_addr_add(int ifindex, int family, const void *addr, int prefix, orc_error_t *err)
{
    struct nl_req q = {0};
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
    q.h.nlmsg_type = RTM_NEWADDR;
    q.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    q.ifa.ifa_family = (unsigned char) family;
    q.ifa.ifa_prefixlen = (unsigned char) prefix;
    q.ifa.ifa_index = (unsigned) ifindex;
    q.ifa.ifa_flags = IFA_F_NODAD;
    nl_attr(&q, IFA_LOCAL, addr, addr_len(family));
    nl_attr(&q, IFA_ADDRESS, addr, addr_len(family));
    int r = nl_call(&q);
    if (r < 0) {
        char text[INET6_ADDRSTRLEN] = "?";
        inet_ntop(family, addr, text, sizeof(text));
        return orc_error_make(err, -r, "add address %s/%d", text, prefix);
    }
    return 0;
}

int link_route_add_default(int ifindex, int family, const void *gw, orc_error_t *err)
{
    struct nl_req q = {0};
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
    q.h.nlmsg_type = RTM_NEWROUTE;
    q.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    q.rt.rtm_family = (unsigned char) family;
    q.rt.rtm_table = RT_TABLE_MAIN;
    q.rt.rtm_protocol = RTPROT_BOOT;
    q.rt.rtm_scope = RT_SCOPE_UNIVERSE;
    q.rt.rtm_type = RTN_UNICAST;
    unsigned oif = (unsigned) ifindex;
    nl_attr(&q, RTA_GATEWAY, gw, addr_len(family));
    nl_attr(&q, RTA_OIF, &oif, sizeof(oif));
    int r = nl_call(&q);
    if (r < 0)
        return orc_error_make(err, -r, "add default route (IPv%d)", family == AF_INET ? 4 : 6);
    return 0;
}

bool link_has_addr(const char *ifname, int family, const void *addr)
{
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) < 0)
        return false;
    bool found = false;
    for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != family || strcmp(i->ifa_name, ifname))
            continue;
        const void *a = family == AF_INET
                            ? (const void *) &((struct sockaddr_in *) i->ifa_addr)->sin_addr
                            : (const void *) &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr;
        found = memcmp(a, addr, addr_len(family)) == 0;
    }
    freeifaddrs(list);
    return found;
}

bool link_has_default_route4(const char *ifname, struct in_addr gw)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/net/route", "re");
    char line[256], name[IFNAMSIZ + 1];
    unsigned dst, gateway, flags;
    if (!f)
        return false;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "%16s %x %x %x", name, &dst, &gateway, &flags) == 4 &&
            !strcmp(name, ifname) && dst == 0 && gateway == gw.s_addr)
            return true;
    return false;
}
