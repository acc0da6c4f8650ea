/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Pod-level fields about the pod's host and sandbox: its hostname and domain, /etc/hosts
 * entries, DNS, which namespaces its containers share, and how long it may run; the
 * containers' terminal and termination message. Parsed and validated in pod-host.c as the
 * API server does; stored as Kubernetes JSON, written only when not the default, so a pod
 * stored before orc knew a field compares equal to the same manifest applied again. (The
 * termination message's fields are the container's, always written with their defaults as
 * the API server writes them: to-json.c, and sched_pod_update_check() fills them in for a
 * pod stored before.)
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The cluster domain of orc's pods' names (kubelet's --cluster-domain). */
#define POD_CLUSTER_DOMAIN "cluster.local"

enum dns_policy {
    DNS_CLUSTER_FIRST, /* the default */
    DNS_CLUSTER_FIRST_WITH_HOST_NET,
    DNS_DEFAULT,
    DNS_NONE,
    _DNS_POLICY_MAX,
    _DNS_POLICY_INVALID = -22,
};

struct host_alias {
    char *ip;
    char **hostnames; /* NULL-terminated, never NULL */
};

struct dns_option {
    char *name;
    char *value; /* NULL = none */
};

struct pod_host {
    char *hostname;  /* spec.hostname, NULL = the pod's name */
    char *subdomain; /* spec.subdomain, NULL = none */
    struct host_alias *host_aliases;
    size_t n_host_aliases;
    enum dns_policy dns_policy;
    bool has_dns_config; /* spec.dnsConfig written (None requires it) */
    char **nameservers;  /* dnsConfig.nameservers, NULL-terminated, never NULL */
    char **searches;     /* dnsConfig.searches, likewise */
    struct dns_option *dns_options;
    size_t n_dns_options;
    bool share_process_namespace;    /* one PID namespace for the pod, its init a pause process */
    bool host_network;               /* the host's network (and UTS) namespace: no CNI */
    bool host_ipc;                   /* the host's IPC namespace */
    int64_t active_deadline_seconds; /* 0 = none */
    json_t *node_selector;           /* spec.nodeSelector, NULL = none */
    json_t *node_affinity;           /* requiredDuringSchedulingIgnoredDuringExecution of
                                        spec.affinity.nodeAffinity: {"nodeSelectorTerms": [...]},
                                        NULL = none */
};

const char *dns_policy_to_string(enum dns_policy p);
enum dns_policy dns_policy_from_string(const char *s);

void pod_host_init(struct pod_host *h);
void pod_host_clear(struct pod_host *h);
/* Adds the fields that are not the default to a pod's spec JSON, and reads them back. */
void pod_host_to_json(const struct pod_host *h, json_t *spec);
void pod_host_from_json(const json_t *spec, struct pod_host *h);

struct pod;
struct container;
/* A container's tty, stdin and stdinOnce, written only when true (as the API server). */
void container_host_to_json(const struct container *c, json_t *j);
void container_host_from_json(const json_t *j, struct container *c);
/* The pod's hostname as kubelet makes it: spec.hostname or the pod's name, cut to 63
 * characters without a trailing '-' or '.'. Caller frees. */
char *pod_hostname(const struct pod *pod);
/* "<subdomain>.<namespace>.svc.cluster.local" with a subdomain, else NULL. Caller frees. */
char *pod_host_domain(const struct pod *pod);
/* Whether a node with these labels and this name meets the pod's nodeSelector and required
 * node affinity, as the scheduler's NodeAffinity filter decides (node-affinity.c). */
bool pod_node_matches(const struct pod *pod, const json_t *labels, const char *node_name);
/* The scheduler's message when it does not. */
#define POD_NODE_MISMATCH_MESSAGE                                                                  \
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."
