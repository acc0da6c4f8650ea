/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "manifest.h"

/*
 * The pod's /etc/hosts and /etc/resolv.conf, as kubelet makes them (pure). orc serves no
 * cluster DNS, so ClusterFirst (and ClusterFirstWithHostNet) fall back to Default, with
 * kubelet's MissingClusterDNS warning (ClusterFirst on the host's network is Default
 * without it, as for kubelet). Default is the node's resolv.conf (its search domains and
 * options) with the pod network's resolver as nameserver when the CNI result names one
 * (slirp's 10.0.2.3 forwards to the host's resolver, which a loopback address like 127.0.0.53 in
 * the host's file could not be reached at from the pod's network); None starts empty.
 * spec.dnsConfig is appended (nameservers and searches without duplicates, options merged by name),
 * and the result cut to 3 nameservers and 32 search domains (2048 characters), with kubelet's
 * DNSConfigForming message.
 */

/* Kubelet's hosts file: localhost lines, the pod's address with its FQDN and hostname (ip
 * NULL: none), then spec.hostAliases under "# Entries added by HostAliases."; on the host's
 * network the node's file (node_hosts) instead of the lines before the aliases. */
char *pod_hosts_file(const struct pod *pod, const char *ip, const char *node_hosts);

/* True when the pod asks for cluster DNS, which orc does not have (MissingClusterDNS). */
bool pod_dns_missing_cluster(const struct pod *pod);
/* The message of that event, as kubelet words it for the pod. Caller frees. */
char *pod_dns_missing_cluster_message(const struct pod *pod, const char *uid);

/* resolv.conf: result is the CNI ADD result (its "dns"), host_text the node's resolv.conf
 * (NULL: none). *ret_warning (may be NULL) gets the DNSConfigForming message when limits cut
 * the configuration, else NULL. Caller frees both. */
char *pod_resolv_conf(const struct pod *pod, const json_t *result, const char *host_text,
                      char **ret_warning);
