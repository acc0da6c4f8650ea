/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

#include "error.h"
#include "manifest.h"

/*
 * Pod networking: the agent is a CNI runtime. It runs the plugin chain of one network
 * configuration list (manifests/cni/orc.conflist built in, or the user's) for every pod:
 * ADD after the sandbox exists, CHECK when the sandbox reports a lost interface, DEL when
 * the pod ends. The last ADD result is cached in the pod's run directory.
 */
struct network;

/* conflist_path NULL: the built-in list. bin_path: CNI_PATH (dirs separated by ':'). */
int network_load(const char *conflist_path, const char *bin_path, struct network **ret,
                 orc_error_t *err);
struct network *network_free(struct network *n);
const char *network_name(const struct network *n);

struct network_pod {
    const char *id;        /* CNI_CONTAINERID: the pod's uid */
    const char *netns;     /* /proc/PID/ns/net of the pod's shim; NULL for a late DEL */
    const char *ns, *name; /* for CNI_ARGS K8S_POD_* */
    json_t *port_mappings; /* the portMappings capability, borrowed */
    int64_t timeout_ns;    /* of each plugin call: a plugin still running then is killed */
    int cancel_fd;         /* readable: kill the running plugin and stop (-1 = none) */
};

int network_add(const struct network *n, const struct network_pod *p, json_t **ret_result,
                orc_error_t *err);
int network_check(const struct network *n, const struct network_pod *p, const json_t *result,
                  orc_error_t *err);
/* Runs every plugin's DEL, the last first; reports the first failure after trying all. */
int network_del(const struct network *n, const struct network_pod *p, const json_t *result,
                orc_error_t *err);

/* Pure helpers (cni-config.c). */

/* Validates a configuration list: cniVersion, name, plugins[] with a plain type each. */
int network_conflist_check(const json_t *list, orc_error_t *err);
/* The configuration plugin i receives: its object with cniVersion and name, the
 * capabilities it declares filled from caps (runtimeConfig), and prevResult. */
json_t *network_plugin_config(const json_t *list, size_t i, const json_t *prev, const json_t *caps);
/* hostPorts of a pod as CNI portMappings (lower-case protocols); an empty array if none. */
json_t *network_port_mappings(const struct pod *pod);
/* First IPv4 address of a result outside loopback, without its prefix length; NULL if none.
 * A host network's result: its address (the node's). */
char *network_pod_ip(const json_t *result);
/* The result recorded for a pod on the host's network (no CNI ran): NETWORK_HOST_KEY true and
 * the node's address. */
#define NETWORK_HOST_KEY "orc.dev/hostNetwork"
json_t *network_host_result(const char *host_ip);
