/* SPDX-License-Identifier: Apache-2.0 */
/* port-forward: publishes the portMappings capability's ports from user space. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"
#include "cni.h"
#include "helper.h"
#include "netns.h"
#include "port-forward.h"

static int start(const struct cni_args *a, struct port_mapping *maps, size_t n,
                 const struct helper_state *s, orc_error_t *err)
{
    _cleanup_close_ int netns_fd = -1;
    if (netns_open(a->netns, &netns_fd, err) < 0 || port_mappings_bind(maps, n, err) < 0)
        return -1;
    struct forwarder_args fa = {.maps = maps,
                                .n = n,
                                .netns_fd = netns_fd,
                                .owner_pidfd = helper_watch_owner(a->netns, netns_fd)};
    struct orc_proc_id id;
    int r = helper_spawn(forwarder_main, &fa, s, &id, err);
    if (fa.owner_pidfd >= 0)
        close(fa.owner_pidfd);
    if (r < 0)
        return -1;
    if (helper_state_write(s, &id, err) < 0) {
        helper_stop(&id, 1000);
        return -1;
    }
    return 0;
}

static int pf_add(const struct cni_args *a, json_t **ret, orc_error_t *err)
{
    struct port_mapping *maps = NULL;
    size_t n = 0;
    struct helper_state s = {.dir_fd = -1};
    int r = -1;
    if (port_mappings_parse(a->runtime_config, a->prev_result, &maps, &n, err) < 0)
        return -1;
    if (n > 0) {
        if (helper_state_open(a, "port-forward", &s, err) < 0)
            goto out;
        if (helper_state_busy(&s)) {
            cni_error(err, CNI_ERR_PLUGIN, "ports of container '%s' are already published",
                      a->container_id);
            goto out;
        }
        if (start(a, maps, n, &s, err) < 0)
            goto out;
    }
    *ret = cni_result_passthrough(a);
    r = 0;
out:
    port_mappings_close(maps, n);
    free(maps);
    helper_state_done(&s);
    return r;
}

static int pf_del(const struct cni_args *a, orc_error_t *err)
{
    return helper_state_del(a, "port-forward", err); /* the host ports close with the helper */
}

static int pf_check(const struct cni_args *a, orc_error_t *err)
{
    struct port_mapping *maps = NULL;
    size_t n = 0;
    struct helper_state s = {.dir_fd = -1};
    struct orc_proc_id id;
    int r = -1;
    if (port_mappings_parse(a->runtime_config, a->prev_result, &maps, &n, err) < 0)
        return -1;
    if (n == 0) {
        r = 0;
        goto out;
    }
    if (helper_state_open(a, "port-forward", &s, err) < 0)
        goto out;
    if (helper_state_read(&s, &id) < 0 || !helper_alive(&id)) {
        cni_error(err, CNI_ERR_PLUGIN, "the port forwarder of container '%s' is not running",
                  a->container_id);
        goto out;
    }
    r = 0;
out:
    free(maps);
    helper_state_done(&s);
    return r;
}

static const struct cni_plugin plugin = {
    .name = "port-forward",
    .about = "orc port-forward CNI plugin: publishes portMappings from user space",
    .usage =
        "Configuration: {\"cniVersion\": \"1.0.0\", \"name\": NET, \"type\": \"port-forward\",\n"
        "  \"capabilities\": {\"portMappings\": true}}, and from the runtime:\n"
        "  runtimeConfig.portMappings  at most 1024 of {hostPort, containerPort (1-65535),\n"
        "                              protocol (tcp, the default, or udp), hostIP (an\n"
        "                              address to listen on; default every IPv4 one)}\n"
        "  dataDir                     string ($XDG_RUNTIME_DIR/orc-cni/port-forward):\n"
        "                              state and helper logs\n",
    .add = pf_add,
    .del = pf_del,
    .check = pf_check,
};

int main(int argc, char **argv)
{
    return cni_main(argc, argv, &plugin);
}
