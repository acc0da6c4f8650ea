/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#include "error.h"

/* One published port: a host address and port forwarded to the pod's address. */
struct port_mapping {
    int protocol; /* IPPROTO_TCP or IPPROTO_UDP */
    int host_port, container_port;
    char host_ip[64];             /* "" = every IPv4 address */
    struct sockaddr_storage host; /* where to listen */
    socklen_t host_len;
    struct sockaddr_in target; /* pod address and containerPort */
    int listen_fd;             /* -1 until bound */
};

/*
 * runtimeConfig.portMappings (the portMappings capability) and the pod's IPv4 address from
 * prevResult (pure). No mappings: *ret_n = 0.
 */
int port_mappings_parse(const json_t *runtime_config, const json_t *prev_result,
                        struct port_mapping **ret, size_t *ret_n, orc_error_t *err);
/* "8080/tcp on 0.0.0.0" for messages. */
void port_mapping_describe(const struct port_mapping *m, char *buf, size_t len);

/* Binds every mapping's host socket; a taken port is CNI_ERR_PORT_IN_USE. */
int port_mappings_bind(struct port_mapping *maps, size_t n, orc_error_t *err);
void port_mappings_close(struct port_mapping *maps, size_t n);

struct forwarder_args {
    struct port_mapping *maps;
    size_t n;
    int netns_fd;    /* the pod's: connections into the pod are made from inside it */
    int owner_pidfd; /* exit when readable; -1 = none */
};

/* The helper's main: forwards until SIGTERM or the pod's end. */
int forwarder_main(void *arg, orc_error_t *err);
