/* SPDX-License-Identifier: Apache-2.0 */
/* slirp: a tap device in the pod's netns, backed by a libslirp helper on the host side. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cleanup.h"
#include "cni.h"
#include "fs-util.h"
#include "helper.h"
#include "json-util.h"
#include "link.h"
#include "netns.h"
#include "slirp-plugin.h"
#include "xalloc.h"

struct tap_request {
    const char *ifname;
    const struct slirp_conf *conf;
};

static int configure_tap(const struct tap_request *q, orc_error_t *err)
{
    struct link_info li;
    struct in_addr addr, gw;
    struct in6_addr addr6, gw6;
    inet_pton(AF_INET, SLIRP_POD_ADDR, &addr);
    inet_pton(AF_INET, SLIRP_GATEWAY, &gw);
    inet_pton(AF_INET6, SLIRP_POD_ADDR6, &addr6);
    inet_pton(AF_INET6, SLIRP_GATEWAY6, &gw6);
    if (link_set_mtu(q->ifname, q->conf->mtu, err) < 0 || link_set_up(q->ifname, true, err) < 0)
        return -1;
    if (link_get(q->ifname, &li) < 0)
        return orc_error_make(err, 0, "interface '%s' vanished", q->ifname);
    if (link_addr_add(li.index, AF_INET, &addr, 24, err) < 0 ||
        link_route_add_default(li.index, AF_INET, &gw, err) < 0)
        return -1;
    if (q->conf->ipv6 && (link_addr_add(li.index, AF_INET6, &addr6, 64, err) < 0 ||
                          link_route_add_default(li.index, AF_INET6, &gw6, err) < 0))
        return -1;
    return 0;
}

/* In the pod's namespaces: create and configure the tap; its fd goes back to the plugin. */
static int create_tap(void *arg, int *ret_fd, orc_error_t *err)
{
    const struct tap_request *q = arg;
    struct link_info li;
    if (link_get(q->ifname, &li) == 0)
        return cni_error(err, CNI_ERR_PLUGIN, "interface '%s' already exists", q->ifname);
    _cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return orc_error_make(err, errno, "open /dev/net/tun");
    struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
    strncpy(ifr.ifr_name, q->ifname, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        return orc_error_make(err, errno, "create tap device '%s'", q->ifname);
    if (configure_tap(q, err) < 0)
        return orc_error_wrap(err, "configure '%s'", q->ifname);
    *ret_fd = TAKE_FD(fd);
    return 0;
}

static json_t *result_of(const struct cni_args *a, const struct slirp_conf *c, const char *mac)
{
    json_t *r = cni_result_passthrough(a);
    json_t *ifs = json_object_get(r, "interfaces"), *ips = json_object_get(r, "ips");
    json_t *routes = json_object_get(r, "routes");
    if (!json_is_array(ifs))
        json_object_set_new(r, "interfaces", ifs = json_array());
    if (!json_is_array(ips))
        json_object_set_new(r, "ips", ips = json_array());
    if (!json_is_array(routes))
        json_object_set_new(r, "routes", routes = json_array());
    int idx = (int) json_array_size(ifs);
    json_array_append_new(ifs, json_pack("{s:s,s:s,s:i,s:s}", "name", a->ifname, "mac", mac, "mtu",
                                         c->mtu, "sandbox", a->netns));
    json_array_append_new(ips, json_pack("{s:s,s:s,s:i}", "address", SLIRP_POD_ADDR "/24",
                                         "gateway", SLIRP_GATEWAY, "interface", idx));
    json_array_append_new(routes, json_pack("{s:s,s:s}", "dst", "0.0.0.0/0", "gw", SLIRP_GATEWAY));
    if (c->ipv6) {
        json_array_append_new(ips, json_pack("{s:s,s:s,s:i}", "address", SLIRP_POD_ADDR6 "/64",
                                             "gateway", SLIRP_GATEWAY6, "interface", idx));
        json_array_append_new(routes, json_pack("{s:s,s:s}", "dst", "::/0", "gw", SLIRP_GATEWAY6));
    }
    json_object_set_new(r, "dns", json_pack("{s:[s]}", "nameservers", SLIRP_DNS));
    return r;
}

static int spawn_helper(const struct cni_args *a, const struct slirp_conf *c, int netns_fd, int tap,
                        const struct helper_state *s, orc_error_t *err)
{
    struct slirp_helper_args h = {
        .conf = *c, .tap_fd = tap, .owner_pidfd = helper_watch_owner(a->netns, netns_fd)};
    struct orc_proc_id id;
    int r = helper_spawn(slirp_helper_main, &h, s, &id, err);
    if (h.owner_pidfd >= 0)
        close(h.owner_pidfd);
    if (r < 0)
        return -1;
    if (helper_state_write(s, &id, err) < 0) {
        helper_stop(&id, 1000);
        return -1;
    }
    return 0;
}

static int slirp_add(const struct cni_args *a, json_t **ret, orc_error_t *err)
{
    struct slirp_conf c;
    if (slirp_conf_parse(a->conf, &c, err) < 0)
        return -1;
    struct helper_state s = {.dir_fd = -1};
    _cleanup_close_ int netns_fd = -1, tap = -1;
    int r = -1;
    if (helper_state_open(a, "slirp", &s, err) < 0)
        goto out;
    if (helper_state_busy(&s)) {
        cni_error(err, CNI_ERR_PLUGIN, "'%s' of container '%s' is already set up", a->ifname,
                  a->container_id);
        goto out;
    }
    struct tap_request q = {.ifname = a->ifname, .conf = &c};
    if (netns_open(a->netns, &netns_fd, err) < 0 ||
        netns_run(netns_fd, create_tap, &q, &tap, err) < 0)
        goto out;
    struct ifreq ifr = {0};
    char mac[18] = "";
    if (ioctl(tap, SIOCGIFHWADDR, &ifr) == 0)
        link_format_mac((unsigned char *) ifr.ifr_hwaddr.sa_data, mac);
    if (spawn_helper(a, &c, netns_fd, tap, &s, err) < 0)
        goto out;
    *ret = result_of(a, &c, mac);
    r = 0;
out:
    helper_state_done(&s);
    return r;
}

static int slirp_del(const struct cni_args *a, orc_error_t *err)
{
    return helper_state_del(a, "slirp", err); /* the tap device goes with the helper */
}

static int check_tap(void *arg, int *ret_fd, orc_error_t *err)
{
    const struct tap_request *q = arg;
    struct link_info li;
    struct in_addr addr, gw;
    (void) ret_fd;
    inet_pton(AF_INET, SLIRP_POD_ADDR, &addr);
    inet_pton(AF_INET, SLIRP_GATEWAY, &gw);
    if (link_get(q->ifname, &li) < 0)
        return cni_error(err, CNI_ERR_PLUGIN, "interface '%s' is missing", q->ifname);
    if (!(li.flags & IFF_UP))
        return cni_error(err, CNI_ERR_PLUGIN, "interface '%s' is down", q->ifname);
    /* the MTU is not compared: a later plugin of the chain (tuning) may set its own */
    if (!link_has_addr(q->ifname, AF_INET, &addr))
        return cni_error(err, CNI_ERR_PLUGIN, "interface '%s' lacks %s", q->ifname, SLIRP_POD_ADDR);
    if (!link_has_default_route4(q->ifname, gw))
        return cni_error(err, CNI_ERR_PLUGIN, "no default route through %s", SLIRP_GATEWAY);
    return 0;
}

static int slirp_check(const struct cni_args *a, orc_error_t *err)
{
    struct slirp_conf c;
    struct helper_state s = {.dir_fd = -1};
    struct orc_proc_id id;
    _cleanup_close_ int netns_fd = -1;
    int r = -1;
    if (slirp_conf_parse(a->conf, &c, err) < 0 || helper_state_open(a, "slirp", &s, err) < 0)
        goto out;
    if (helper_state_read(&s, &id) < 0) {
        cni_error(err, CNI_ERR_PLUGIN, "no slirp network for container '%s'", a->container_id);
        goto out;
    }
    if (!helper_alive(&id)) {
        cni_error(err, CNI_ERR_PLUGIN, "the slirp helper (pid %d) is not running", (int) id.pid);
        goto out;
    }
    struct tap_request q = {.ifname = a->ifname, .conf = &c};
    if (netns_open(a->netns, &netns_fd, err) < 0 ||
        netns_run(netns_fd, check_tap, &q, NULL, err) < 0)
        goto out;
    r = 0;
out:
    helper_state_done(&s);
    return r;
}

static const struct cni_plugin plugin = {
    .name = "slirp",
    .about = "orc slirp CNI plugin: a tap device in the pod, libslirp on the host side",
    .usage = "Configuration keys (null: the default):\n"
             "  mtu           integer 1280-65520 (65520): of the tap device and libslirp\n"
             "  hostLoopback  boolean (true): 10.0.2.2 reaches the host's loopback\n"
             "  enableIPv6    boolean (false): also fd00::100/64, gateway fd00::2, DNS fd00::3\n"
             "  dnsUpstream   \"IPv4[:port]\" (the host's resolver): where DNS queries to\n"
             "                10.0.2.3 go, port 53 when omitted\n"
             "  dataDir       string ($XDG_RUNTIME_DIR/orc-cni/slirp): state and helper logs\n",
    .add = slirp_add,
    .del = slirp_del,
    .check = slirp_check,
};

int main(int argc, char **argv)
{
    return cni_main(argc, argv, &plugin);
}
