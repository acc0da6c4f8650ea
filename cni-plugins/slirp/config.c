/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "slirp-plugin.h"

/* "IP" or "IP:PORT" (IPv4). */
static int parse_upstream(const char *s, struct sockaddr_in *ret, orc_error_t *err)
{
    char host[INET_ADDRSTRLEN] = "";
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t) (colon - s) : strlen(s);
    long port = 53;
    if (colon) {
        char *end = NULL;
        port = strtol(colon + 1, &end, 10);
        if (!colon[1] || *end || port < 1 || port > 65535)
            return cni_error(err, CNI_ERR_INVALID_CONFIG,
                             "dnsUpstream: port of '%s' must be 1-65535", s);
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    if (n < sizeof(host)) {
        memcpy(host, s, n);
        host[n] = '\0';
    }
    if (n >= sizeof(host) || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return cni_error(err, CNI_ERR_INVALID_CONFIG,
                         "dnsUpstream: '%s' is not an IPv4 address with an optional :port", s);
    *ret = sa;
    return 0;
}

int slirp_conf_parse(const json_t *conf, struct slirp_conf *ret, orc_error_t *err)
{
    struct slirp_conf c = {0};
    long long mtu;
    const char *upstream = NULL;
    if (cni_conf_int(conf, "mtu", SLIRP_MTU_DEFAULT, 1280, SLIRP_MTU_MAX, &mtu, err) < 0 ||
        cni_conf_bool(conf, "hostLoopback", true, &c.host_loopback, err) < 0 ||
        cni_conf_bool(conf, "enableIPv6", false, &c.ipv6, err) < 0 ||
        cni_conf_string(conf, "dnsUpstream", &upstream, err) < 0)
        return -1;
    c.mtu = (int) mtu;
    if (upstream) {
        if (parse_upstream(upstream, &c.upstream, err) < 0)
            return -1;
        c.has_upstream = true;
    }
    *ret = c;
    return 0;
}
