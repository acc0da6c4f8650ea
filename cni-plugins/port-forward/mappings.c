/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cni.h"
#include "json-util.h"
#include "port-forward.h"
#include "xalloc.h"

#define MAX_MAPPINGS 1024

void port_mapping_describe(const struct port_mapping *m, char *buf, size_t len)
{
    snprintf(buf, len, "%d/%s on %s", m->host_port, m->protocol == IPPROTO_UDP ? "udp" : "tcp",
             m->host_ip[0] ? m->host_ip : "0.0.0.0");
}

/* The pod's IPv4 address in prevResult: the first outside 127.0.0.0/8 (loopback's own
 * result may come first in a chain), else the first. */
static int pod_address(const json_t *prev, struct in_addr *ret, orc_error_t *err)
{
    size_t i;
    json_t *ip;
    bool found = false;
    json_array_foreach(json_object_get(prev, "ips"), i, ip) {
        const char *text = orc_json_str(ip, "address");
        char buf[INET_ADDRSTRLEN];
        size_t n = text ? strcspn(text, "/") : 0;
        if (n == 0 || n >= sizeof(buf))
            continue;
        memcpy(buf, text, n);
        buf[n] = '\0';
        struct in_addr a;
        if (inet_pton(AF_INET, buf, &a) != 1)
            continue;
        if ((ntohl(a.s_addr) >> 24) != 127) {
            *ret = a;
            return 0;
        }
        if (!found)
            *ret = a;
        found = true;
    }
    if (found)
        return 0;
    return cni_error(err, CNI_ERR_INVALID_CONFIG,
                     "prevResult: an IPv4 address of the pod is needed to forward ports to");
}

static int host_address(struct port_mapping *m, const char *ip, orc_error_t *err)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *) &m->host;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &m->host;
    memset(&m->host, 0, sizeof(m->host));
    if (!ip || !*ip || !strcmp(ip, "0.0.0.0")) {
        in4->sin_family = AF_INET;
        m->host_len = sizeof(*in4);
    } else if (inet_pton(AF_INET, ip, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        m->host_len = sizeof(*in4);
    } else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        m->host_len = sizeof(*in6);
    } else {
        return cni_error(err, CNI_ERR_INVALID_CONFIG,
                         "portMappings: hostIP '%s' is not an IP address", ip);
    }
    if (ip && strlen(ip) < sizeof(m->host_ip))
        snprintf(m->host_ip, sizeof(m->host_ip), "%s", ip);
    in4->sin_port = htons((uint16_t) m->host_port); /* same offset in both families */
    return 0;
}

static int parse_one(const json_t *j, size_t i, struct port_mapping *m, orc_error_t *err)
{
    json_t *hp = json_object_get(j, "hostPort"), *cp = json_object_get(j, "containerPort");
    json_t *proto = json_object_get(j, "protocol"), *ip = json_object_get(j, "hostIP");
    if (!json_is_object(j))
        return cni_error(err, CNI_ERR_DECODE, "portMappings[%zu]: must be an object", i);
    if (!json_is_integer(hp) || json_integer_value(hp) < 1 || json_integer_value(hp) > 65535)
        return cni_error(err, CNI_ERR_INVALID_CONFIG, "portMappings[%zu].hostPort: must be 1-65535",
                         i);
    if (!json_is_integer(cp) || json_integer_value(cp) < 1 || json_integer_value(cp) > 65535)
        return cni_error(err, CNI_ERR_INVALID_CONFIG,
                         "portMappings[%zu].containerPort: must be 1-65535", i);
    if ((proto && !json_is_string(proto)) || (ip && !json_is_null(ip) && !json_is_string(ip)))
        return cni_error(err, CNI_ERR_DECODE, "portMappings[%zu]: protocol and hostIP are strings",
                         i);
    const char *p = proto ? json_string_value(proto) : "tcp";
    *m = (struct port_mapping){.host_port = (int) json_integer_value(hp),
                               .container_port = (int) json_integer_value(cp),
                               .listen_fd = -1};
    if (!strcasecmp(p, "tcp") || !*p)
        m->protocol = IPPROTO_TCP;
    else if (!strcasecmp(p, "udp"))
        m->protocol = IPPROTO_UDP;
    else
        return cni_error(err, CNI_ERR_UNSUPPORTED_FIELD,
                         "portMappings[%zu].protocol: '%s' is not supported (tcp, udp)", i, p);
    return host_address(m, json_is_string(ip) ? json_string_value(ip) : NULL, err);
}

int port_mappings_parse(const json_t *rc, const json_t *prev, struct port_mapping **ret,
                        size_t *ret_n, orc_error_t *err)
{
    json_t *list = json_object_get(rc, "portMappings");
    if (!list || json_is_null(list) || (json_is_array(list) && json_array_size(list) == 0)) {
        *ret = NULL;
        *ret_n = 0;
        return 0;
    }
    if (!json_is_array(list))
        return cni_error(err, CNI_ERR_DECODE, "runtimeConfig.portMappings: must be an array");
    if (json_array_size(list) > MAX_MAPPINGS)
        return cni_error(err, CNI_ERR_INVALID_CONFIG, "portMappings: more than %d entries",
                         MAX_MAPPINGS);
    struct in_addr pod = {0};
    if (pod_address(prev, &pod, err) < 0)
        return -1;
    size_t n = json_array_size(list);
    struct port_mapping *maps = xcalloc(n, sizeof(*maps));
    for (size_t i = 0; i < n; i++) {
        if (parse_one(json_array_get(list, i), i, &maps[i], err) < 0) {
            free(maps);
            return -1;
        }
        maps[i].target = (struct sockaddr_in){.sin_family = AF_INET,
                                              .sin_addr = pod,
                                              .sin_port = htons((uint16_t) maps[i].container_port)};
        for (size_t k = 0; k < i; k++)
            if (maps[k].protocol == maps[i].protocol && maps[k].host_port == maps[i].host_port &&
                !strcmp(maps[k].host_ip, maps[i].host_ip)) {
                char d[96];
                port_mapping_describe(&maps[i], d, sizeof(d));
                free(maps);
                return cni_error(err, CNI_ERR_INVALID_CONFIG, "portMappings: %s listed twice", d);
            }
    }
    *ret = maps;
    *ret_n = n;
    return 0;
}

int port_mappings_bind(struct port_mapping *maps, size_t n, orc_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        struct port_mapping *m = &maps[i];
        int tcp = m->protocol == IPPROTO_TCP;
        int fd = socket(m->host.ss_family,
                        (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int one = 1;
        char d[96];
        port_mapping_describe(m, d, sizeof(d));
        if (fd < 0)
            return orc_error_make(err, errno, "socket for %s", d);
        m->listen_fd = fd;
        if (tcp)
            (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *) &m->host, m->host_len) < 0) {
            if (errno == EADDRINUSE)
                return cni_error(err, CNI_ERR_PORT_IN_USE, "hostPort %s is already in use", d);
            return orc_error_make(err, errno, "bind hostPort %s", d);
        }
        if (tcp && listen(fd, 512) < 0)
            return orc_error_make(err, errno, "listen on hostPort %s", d);
    }
    return 0;
}

void port_mappings_close(struct port_mapping *maps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (maps[i].listen_fd >= 0) {
            close(maps[i].listen_fd);
            maps[i].listen_fd = -1;
        }
}
