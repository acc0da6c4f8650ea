/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/network.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "log.h"
#include "manifest.h"
#include "pods/cni.h"
#include "pods/pod-dns.h"
#include "sys/jobs.h"
#include "xalloc.h"

#define HOST_RESOLV_MAX 65536

static char *run_file(const struct pod_step *s, const char *name)
{
    return orc_path_join(s->run_dir, name);
}

static struct network_pod pod_of(const struct pod_step *s, const char *netns, json_t *ports,
                                 bool cancellable)
{
    return (struct network_pod){.id = s->uid,
                                .netns = netns,
                                .ns = s->pod->namespace,
                                .name = s->pod->name,
                                .port_mappings = ports,
                                .timeout_ns = s->env->config->request_timeout_ns,
                                .cancel_fd = cancellable ? job_cancel_fd(s->job) : -1};
}

static void set_result(struct pod_step *s, json_t *result)
{
    json_decref(s->new_net_result);
    s->new_net_result = result;
    s->net_changed = true;
}

static int write_files(struct pod_step *s, const json_t *result, orc_error_t *err)
{
    _cleanup_free_ char *host_resolv = NULL, *host_hosts = NULL;
    (void) orc_read_file("/etc/resolv.conf", HOST_RESOLV_MAX, &host_resolv, NULL, NULL);
    if (s->pod->host.host_network)
        (void) orc_read_file("/etc/hosts", HOST_RESOLV_MAX, &host_hosts, NULL, NULL);
    _cleanup_free_ char *ip = network_pod_ip(result);
    _cleanup_free_ char *hosts = pod_hosts_file(s->pod, ip, host_hosts);
    free(s->dns_warning);
    _cleanup_free_ char *resolv = pod_resolv_conf(s->pod, result, host_resolv, &s->dns_warning);
    _cleanup_free_ char *text = json_dumps(result, JSON_COMPACT);
    _cleanup_free_ char *hosts_path = run_file(s, "hosts");
    _cleanup_free_ char *resolv_path = run_file(s, "resolv.conf");
    _cleanup_free_ char *result_path = run_file(s, "network.json");
    /* 0644: read inside the user namespace by whatever uid the container runs as; the result
     * last: it commits the set-up */
    if (orc_write_file_atomic(hosts_path, hosts, strlen(hosts), 0644, err) < 0 ||
        orc_write_file_atomic(resolv_path, resolv, strlen(resolv), 0644, err) < 0 ||
        orc_write_file_atomic(result_path, text, strlen(text), 0600, err) < 0)
        return -1;
    return 0;
}

/* The host's network: no CNI, only the files, and the node's address as the pod's. */
static int host_network_setup(struct pod_step *s, orc_error_t *err)
{
    json_t *result = network_host_result(POD_NODE_HOST_IP);
    if (write_files(s, result, err) < 0) {
        json_decref(result);
        return -1;
    }
    set_result(s, result);
    log_pod_info(s->pod, "on the host's network");
    return 0;
}

int pod_network_setup(struct pod_step *s, orc_error_t *err)
{
    if (s->pod->host.host_network)
        return host_network_setup(s, err);
    const struct network *n = s->env->network;
    _cleanup_free_ char *netns = xasprintf("/proc/%d/ns/net", (int) s->shim_pid);
    json_auto_t *ports = network_port_mappings(s->pod);
    struct network_pod p = pod_of(s, netns, ports, true);
    /* recorded before the chain runs: if orcd dies during it, the next one knows that some
     * of it may have run and deletes it (DEL without a result) before any new ADD */
    _cleanup_free_ char *adding = run_file(s, "network.adding");
    if (orc_write_file_atomic(adding, "", 0, 0600, err) < 0)
        return orc_error_wrap(err, "network '%s'", network_name(n));
    json_t *result = NULL;
    if (network_add(n, &p, &result, err) < 0) {
        (void) unlink(adding); /* the chain undid itself */
        return orc_error_wrap(err, "network '%s'", network_name(n));
    }
    if (write_files(s, result, err) < 0) {
        orc_error_t e = NULL;
        struct network_pod undo = pod_of(s, netns, ports, false);
        if (network_del(n, &undo, result, &e) < 0)
            orc_error_release(&e);
        else
            (void) unlink(adding);
        json_decref(result);
        return -1;
    }
    (void) unlink(adding);
    set_result(s, result);
    _cleanup_free_ char *ip = network_pod_ip(result);
    log_pod_info(s->pod, "network '%s' up, address %s", network_name(n), ip ? ip : "none");
    return 0;
}

json_t *pod_network_load(const struct pod_step *s)
{
    _cleanup_free_ char *path = run_file(s, "network.json");
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (orc_read_file(path, 1 << 20, &text, &len, NULL) < 0)
        return NULL;
    json_t *result = json_loadb(text, len, 0, NULL);
    if (json_is_object(result))
        return result;
    json_decref(result);
    return NULL;
}

void pod_network_teardown(struct pod_step *s)
{
    const json_t *result = s->net_changed ? s->new_net_result : s->net_result;
    json_auto_t *loaded = result ? NULL : pod_network_load(s);
    if (!result)
        result = loaded;
    _cleanup_free_ char *adding = run_file(s, "network.adding");
    if (!result && access(adding, F_OK) < 0)
        return; /* never set up, or torn down already */
    if (json_is_true(json_object_get(result, NETWORK_HOST_KEY))) { /* no CNI ran */
        _cleanup_free_ char *path = run_file(s, "network.json");
        (void) unlink(path);
        set_result(s, NULL);
        return;
    }
    /* without a result (the chain was cut short by a crash): DEL of the whole chain, which
     * each plugin takes as "whatever you did for this container" */
    orc_error_t err = NULL;
    _cleanup_free_ char *netns =
        s->shim_pid > 0 ? xasprintf("/proc/%d/ns/net", (int) s->shim_pid) : NULL;
    if (netns && access(netns, F_OK) < 0) {
        free(netns); /* the sandbox is gone: DEL without a namespace */
        netns = NULL;
    }
    json_auto_t *ports = network_port_mappings(s->pod);
    /* never cancelled: a teardown is what cancelling leads to */
    struct network_pod p = pod_of(s, netns, ports, false);
    if (network_del(s->env->network, &p, result, &err) < 0) {
        log_pod_warn(s->pod, "network teardown: %s, ignoring", orc_error_message(err));
        orc_error_release(&err);
    }
    _cleanup_free_ char *path = run_file(s, "network.json");
    (void) unlink(path);
    (void) unlink(adding);
    set_result(s, NULL);
}

int pod_network_check(struct pod_step *s, orc_error_t *err)
{
    if (!s->net_result || s->shim_pid <= 0 ||
        json_is_true(json_object_get(s->net_result, NETWORK_HOST_KEY)))
        return 0;
    _cleanup_free_ char *netns = xasprintf("/proc/%d/ns/net", (int) s->shim_pid);
    json_auto_t *ports = network_port_mappings(s->pod);
    struct network_pod p = pod_of(s, netns, ports, true);
    orc_error_t check = NULL;
    if (network_check(s->env->network, &p, s->net_result, &check) == 0)
        return 0; /* a stale report: the network is whole */
    log_pod_warn(s->pod, "network broken (%s); setting it up again", orc_error_message(check));
    orc_error_release(&check);
    pod_network_teardown(s);
    if (pod_network_setup(s, err) < 0)
        return -1;
    s->net_repaired = true;
    return 0;
}
