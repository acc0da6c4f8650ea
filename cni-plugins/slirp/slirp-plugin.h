/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The pod side of the network is fixed, as slirp4netns and rootless podman have it. */
#define SLIRP_NETWORK "10.0.2.0"
#define SLIRP_POD_ADDR "10.0.2.100"
#define SLIRP_GATEWAY "10.0.2.2"
#define SLIRP_DNS "10.0.2.3"
#define SLIRP_PREFIX6 "fd00::"
#define SLIRP_POD_ADDR6 "fd00::100"
#define SLIRP_GATEWAY6 "fd00::2"
#define SLIRP_DNS6 "fd00::3"
#define SLIRP_MTU_DEFAULT 65520
#define SLIRP_MTU_MAX 65520

struct slirp_conf {
    int mtu;
    bool host_loopback; /* 10.0.2.2 reaches the host's 127.0.0.1 */
    bool ipv6;
    bool has_upstream; /* DNS goes to this server instead of the host's resolver */
    struct sockaddr_in upstream;
};

/* Reads the plugin's keys from a network configuration (pure). */
int slirp_conf_parse(const json_t *conf, struct slirp_conf *ret, orc_error_t *err);

struct slirp_helper_args {
    struct slirp_conf conf;
    int tap_fd;
    int owner_pidfd; /* exit when it becomes readable; -1 = none */
};

/* The helper's main: runs libslirp for one pod until SIGTERM or the pod's end. */
int slirp_helper_main(void *arg, orc_error_t *err);

/* DNS forwarding to a configured upstream, answered straight into the tap device. */
struct dns_proxy;
int dns_proxy_new(const struct sockaddr_in *upstream, struct dns_proxy **ret, orc_error_t *err);
struct dns_proxy *dns_proxy_free(struct dns_proxy *p);
int dns_proxy_fd(const struct dns_proxy *p);
/* Takes a frame from the pod if it is a DNS query to SLIRP_DNS; true if consumed. */
bool dns_proxy_intercept(struct dns_proxy *p, const uint8_t *frame, size_t len);
/* Reads upstream answers and writes them to the pod as frames. */
void dns_proxy_on_readable(struct dns_proxy *p, int tap_fd);
