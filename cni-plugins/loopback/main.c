/* SPDX-License-Identifier: Apache-2.0 */
/* loopback: brings "lo" up in the pod's network namespace. */
#include <arpa/inet.h>
#include <net/if.h>

#include "cleanup.h"
#include "cni.h"
#include "link.h"
#include "netns.h"

static int set_lo(void *arg, int *ret_fd, orc_error_t *err)
{
    (void) ret_fd;
    return link_set_up("lo", *(bool *) arg, err);
}

static int check_lo(void *arg, int *ret_fd, orc_error_t *err)
{
    (void) arg;
    (void) ret_fd;
    struct link_info li;
    if (link_get("lo", &li) < 0 || !(li.flags & IFF_UP))
        return cni_error(err, CNI_ERR_PLUGIN, "interface 'lo' is not up");
    return 0;
}

static int with_netns(const char *path, netns_fn fn, bool up, orc_error_t *err)
{
    _cleanup_close_ int fd = -1;
    if (netns_open(path, &fd, err) < 0)
        return -1;
    return netns_run(fd, fn, &up, NULL, err);
}

static int loopback_add(const struct cni_args *a, json_t **ret, orc_error_t *err)
{
    if (with_netns(a->netns, set_lo, true, err) < 0)
        return -1;
    if (a->prev_result) { /* in a chain: pass the result on */
        *ret = cni_result_passthrough(a);
        return 0;
    }
    *ret = json_pack("{s:[{s:s,s:s,s:s}],s:[{s:s,s:i},{s:s,s:i}],s:{}}", "interfaces", "name", "lo",
                     "mac", "00:00:00:00:00:00", "sandbox", a->netns, "ips", "address",
                     "127.0.0.1/8", "interface", 0, "address", "::1/128", "interface", 0, "dns");
    return 0;
}

static int loopback_del(const struct cni_args *a, orc_error_t *err)
{
    if (!a->netns)
        return 0;
    orc_error_t e = NULL;
    if (with_netns(a->netns, set_lo, false, &e) < 0 &&
        cni_error_code(e) != CNI_ERR_UNKNOWN_CONTAINER) {
        *err = e; /* a namespace that is gone has nothing left to undo */
        return -1;
    }
    orc_error_release(&e);
    return 0;
}

static int loopback_check(const struct cni_args *a, orc_error_t *err)
{
    return with_netns(a->netns, check_lo, true, err);
}

static const struct cni_plugin plugin = {
    .name = "loopback",
    .about = "orc loopback CNI plugin: brings 'lo' up in the network namespace",
    .usage = "Configuration: {\"cniVersion\": \"1.0.0\", \"name\": NET, \"type\": \"loopback\"};\n"
             "no keys of its own.\n",
    .add = loopback_add,
    .del = loopback_del,
    .check = loopback_check,
};

int main(int argc, char **argv)
{
    return cni_main(argc, argv, &plugin);
}
