/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>

#include "error.h"

/* Interface configuration in the current network namespace (ioctl and rtnetlink). */

struct link_info {
    int index;
    unsigned flags; /* IFF_* */
    int mtu;
    unsigned char mac[6];
};

/* -ENODEV when there is no such interface. */
int link_get(const char *ifname, struct link_info *ret);
int link_set_up(const char *ifname, bool up, orc_error_t *err);
int link_set_mtu(const char *ifname, int mtu, orc_error_t *err);
/* "aa:bb:cc:dd:ee:ff" into buf[18]. */
void link_format_mac(const unsigned char mac[6], char buf[18]);

/* Adds ADDR/PREFIX (AF_INET or AF_INET6, no duplicate address detection). */
int link_addr_add(int ifindex, int family, const void *addr, int prefix, orc_error_t *err);
/* Whether the interface carries the address. */
bool link_has_addr(const char *ifname, int family, const void *addr);
/* Adds a default route through gw on the interface. */
int link_route_add_default(int ifindex, int family, const void *gw, orc_error_t *err);
/* Whether an IPv4 default route through gw exists on the interface. */
bool link_has_default_route4(const char *ifname, struct in_addr gw);
