/* SPDX-License-Identifier: Apache-2.0 */
/* The pure half of pod networking: configuration lists, capabilities, files for containers. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json-util.h"
#include "pods/cni.h"
#include "xalloc.h"

int network_conflist_check(const json_t *list, orc_error_t *err)
{
    if (!json_is_object(list))
        return orc_error_make(err, 0, "a network configuration list must be a JSON object");
    if (!json_is_string(json_object_get(list, "cniVersion")))
        return orc_error_make(err, 0, "cniVersion: must be a string");
    const char *name = orc_json_str(list, "name");
    if (!name || !*name)
        return orc_error_make(err, 0, "name: must be a non-empty string");
    json_t *plugins = json_object_get(list, "plugins");
    if (!json_is_array(plugins) || json_array_size(plugins) == 0)
        return orc_error_make(err, 0, "plugins: must be a non-empty array");
    size_t i;
    json_t *p;
    json_array_foreach(plugins, i, p) {
        const char *type = orc_json_str(p, "type");
        if (!json_is_object(p) || !type || !*type)
            return orc_error_make(err, 0, "plugins[%zu].type: must be a non-empty string", i);
        if (strchr(type, '/') || !strcmp(type, ".") || !strcmp(type, ".."))
            return orc_error_make(err, 0, "plugins[%zu].type: '%s' is not a plain name", i, type);
        json_t *caps = json_object_get(p, "capabilities");
        if (caps && !json_is_object(caps))
            return orc_error_make(err, 0, "plugins[%zu].capabilities: must be an object", i);
    }
    return 0;
}

json_t *network_plugin_config(const json_t *list, size_t i, const json_t *prev, const json_t *caps)
{
    json_t *conf = json_deep_copy(json_array_get(json_object_get(list, "plugins"), i));
    json_object_set(conf, "cniVersion", json_object_get(list, "cniVersion"));
    json_object_set(conf, "name", json_object_get(list, "name"));
    json_object_del(conf, "runtimeConfig");
    json_t *rc = json_object();
    const char *key;
    json_t *want;
    json_object_foreach(json_object_get(conf, "capabilities"), key, want) {
        json_t *v = json_object_get(caps, key);
        if (json_is_true(want) && v)
            json_object_set(rc, key, v);
    }
    if (json_object_size(rc) > 0)
        json_object_set_new(conf, "runtimeConfig", rc);
    else
        json_decref(rc);
    if (prev)
        json_object_set(conf, "prevResult", (json_t *) prev);
    return conf;
}

json_t *network_port_mappings(const struct pod *pod)
{
    json_t *list = json_array();
    for (size_t c = 0; c < pod->n_containers; c++)
        for (size_t i = 0; i < pod->containers[c].n_ports; i++) {
            const struct container_port *p = &pod->containers[c].ports[i];
            if (p->host_port <= 0)
                continue;
            const char *proto = p->protocol && !strcmp(p->protocol, "UDP")    ? "udp"
                                : p->protocol && !strcmp(p->protocol, "SCTP") ? "sctp"
                                                                              : "tcp";
            json_t *m = json_pack("{s:i,s:i,s:s}", "hostPort", p->host_port, "containerPort",
                                  p->container_port, "protocol", proto);
            if (p->host_ip && *p->host_ip)
                json_object_set_new(m, "hostIP", json_string(p->host_ip));
            json_array_append_new(list, m);
        }
    return list;
}

json_t *network_host_result(const char *host_ip)
{
    return json_pack("{s:b,s:[{s:s+}]}", NETWORK_HOST_KEY, 1, "ips", "address", host_ip, "/32");
}

char *network_pod_ip(const json_t *result)
{
    if (json_is_true(json_object_get(result, NETWORK_HOST_KEY))) { /* the node's own address */
        const char *a = orc_json_str(json_array_get(json_object_get(result, "ips"), 0), "address");
        return a ? xstrndup(a, strcspn(a, "/")) : NULL;
    }
    json_t *ifs = json_object_get(result, "interfaces"), *ip;
    size_t i;
    json_array_foreach(json_object_get(result, "ips"), i, ip) {
        const char *addr = orc_json_str(ip, "address");
        json_t *idx = json_object_get(ip, "interface");
        const char *ifname =
            json_is_integer(idx)
                ? orc_json_str(json_array_get(ifs, (size_t) json_integer_value(idx)), "name")
                : NULL;
        if (!addr || (ifname && !strcmp(ifname, "lo")))
            continue;
        char buf[INET_ADDRSTRLEN];
        size_t n = strcspn(addr, "/");
        struct in_addr a;
        if (n >= sizeof(buf))
            continue;
        memcpy(buf, addr, n);
        buf[n] = '\0';
        if (inet_pton(AF_INET, buf, &a) == 1 && (ntohl(a.s_addr) >> 24) != 127)
            return xstrdup(buf);
    }
    return NULL;
}
