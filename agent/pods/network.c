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
#include "pods/cni.h"
#include "orcd.h"
#include "xalloc.h"

#define HOST_RESOLV_MAX 65536

static char *run_file(const struct pod_worker *w, const char *name)
{
    _cleanup_free_ char *dir = orc_paths_pod_run_dir(&w->o->paths, w->uid);
    return orc_path_join(dir, name);
}

char *pod_network_hosts_path(const struct pod_worker *w)
{
    return w->net_result ? run_file(w, "hosts") : NULL;
}

char *pod_network_resolv_path(const struct pod_worker *w)
{
    return w->net_result ? run_file(w, "resolv.conf") : NULL;
}

static void set_result(struct pod_worker *w, json_t *result)
{
    json_decref(w->net_result);
    free(w->pod_ip);
    w->net_result = result;
    w->pod_ip = result ? network_pod_ip(result) : NULL;
    w->dirty = true;
}

static struct network_pod pod_of(const struct pod_worker *w, const char *netns, json_t *ports)
{
    return (struct network_pod){.id = w->uid,
                                .netns = netns,
                                .ns = w->pod->namespace,
                                .name = w->pod->name,
                                .port_mappings = ports};
}

static int write_files(struct pod_worker *w, orc_error_t *err)
{
    _cleanup_free_ char *host_resolv = NULL;
    (void) orc_read_file("/etc/resolv.conf", HOST_RESOLV_MAX, &host_resolv, NULL, NULL);
    _cleanup_free_ char *hosts = network_hosts_file(w->pod->name, w->pod_ip);
    _cleanup_free_ char *resolv = network_resolv_conf(w->net_result, host_resolv);
    _cleanup_free_ char *text = json_dumps(w->net_result, JSON_COMPACT);
    _cleanup_free_ char *hosts_path = run_file(w, "hosts");
    _cleanup_free_ char *resolv_path = run_file(w, "resolv.conf");
    _cleanup_free_ char *result_path = run_file(w, "network.json");
    /* 0644: read inside the user namespace by whatever uid the container runs as */
    if (orc_write_file_atomic(hosts_path, hosts, strlen(hosts), 0644, err) < 0 ||
        orc_write_file_atomic(resolv_path, resolv, strlen(resolv), 0644, err) < 0 ||
        orc_write_file_atomic(result_path, text, strlen(text), 0600, err) < 0)
        return -1;
    return 0;
}

int pod_network_setup(struct pod_worker *w, orc_error_t *err)
{
    _cleanup_free_ char *netns = xasprintf("/proc/%d/ns/net", (int) w->shim_pid);
    json_auto_t *ports = network_port_mappings(w->pod);
    struct network_pod p = pod_of(w, netns, ports);
    json_t *result = NULL;
    if (network_add(w->o->network, &p, &result, err) < 0)
        return orc_error_wrap(err, "network '%s'", network_name(w->o->network));
    set_result(w, result);
    if (write_files(w, err) < 0) {
        pod_network_teardown(w);
        return -1;
    }
    log_info("pod '%s/%s': network '%s' up, address %s", w->pod->namespace, w->pod->name,
             network_name(w->o->network), w->pod_ip ? w->pod_ip : "none");
    return 0;
}

void pod_network_restore(struct pod_worker *w)
{
    _cleanup_free_ char *path = run_file(w, "network.json");
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (orc_read_file(path, 1 << 20, &text, &len, NULL) < 0)
        return;
    json_t *result = json_loadb(text, len, 0, NULL);
    if (json_is_object(result))
        set_result(w, result);
    else
        json_decref(result);
}

void pod_network_teardown(struct pod_worker *w)
{
    if (!w->net_result)
        pod_network_restore(w);
    if (!w->net_result)
        return; /* never set up, or torn down already */
    orc_error_t err = NULL;
    _cleanup_free_ char *netns =
        w->shim_pid > 0 ? xasprintf("/proc/%d/ns/net", (int) w->shim_pid) : NULL;
    if (netns && access(netns, F_OK) < 0) {
        free(netns); /* the sandbox is gone: DEL without a namespace */
        netns = NULL;
    }
    json_auto_t *ports = network_port_mappings(w->pod);
    struct network_pod p = pod_of(w, netns, ports);
    if (network_del(w->o->network, &p, w->net_result, &err) < 0) {
        log_warn("pod '%s/%s': network teardown: %s, ignoring", w->pod->namespace, w->pod->name,
                 orc_error_message(err));
        orc_error_release(&err);
    }
    _cleanup_free_ char *path = run_file(w, "network.json");
    (void) unlink(path);
    set_result(w, NULL);
}

int pod_network_repair(struct pod_worker *w, bool *ret_repaired, orc_error_t *err)
{
    *ret_repaired = false;
    if (!w->net_result || w->shim_pid <= 0)
        return 0;
    _cleanup_free_ char *netns = xasprintf("/proc/%d/ns/net", (int) w->shim_pid);
    json_auto_t *ports = network_port_mappings(w->pod);
    struct network_pod p = pod_of(w, netns, ports);
    orc_error_t check = NULL;
    if (network_check(w->o->network, &p, w->net_result, &check) == 0)
        return 0; /* a stale report: the network is whole */
    log_warn("pod '%s/%s': network broken (%s); setting it up again", w->pod->namespace,
             w->pod->name, orc_error_message(check));
    orc_error_release(&check);
    pod_network_teardown(w);
    if (pod_network_setup(w, err) < 0)
        return -1;
    *ret_repaired = true;
    return 0;
}
