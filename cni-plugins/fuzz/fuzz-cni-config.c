/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what a CNI plugin reads from stdin, through every command and through
 * the slirp and port-forward configuration parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "port-forward.h"
#include "slirp-plugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *command;

static const char *fake_env(const char *name)
{
    if (!strcmp(name, "CNI_COMMAND"))
        return command;
    if (!strcmp(name, "CNI_CONTAINERID"))
        return "fuzz";
    if (!strcmp(name, "CNI_NETNS"))
        return "/proc/1/ns/net";
    if (!strcmp(name, "CNI_IFNAME"))
        return "eth0";
    return NULL;
}

/* What the parsers promise about what they accept; a broken promise is a crash. */
static void check_slirp(const struct slirp_conf *c)
{
    if (c->mtu < 1280 || c->mtu > SLIRP_MTU_MAX)
        abort();
    if (c->has_upstream && (c->upstream.sin_family != AF_INET || c->upstream.sin_port == 0))
        abort();
}

static void check_mappings(const struct port_mapping *maps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct port_mapping *m = &maps[i];
        if (m->protocol != IPPROTO_TCP && m->protocol != IPPROTO_UDP)
            abort();
        if (m->host_port < 1 || m->host_port > 65535 || m->container_port < 1 ||
            m->container_port > 65535 || m->listen_fd != -1)
            abort();
        if (m->target.sin_family != AF_INET ||
            (m->host.ss_family != AF_INET && m->host.ss_family != AF_INET6))
            abort();
        if (!memchr(m->host_ip, '\0', sizeof(m->host_ip)))
            abort();
        char d[96];
        port_mapping_describe(m, d, sizeof(d));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const commands[] = {"ADD", "DEL", "CHECK", "VERSION"};
    for (size_t c = 0; c < 4; c++) {
        command = commands[c];
        struct cni_args a;
        orc_error_t err = NULL;
        if (cni_args_parse(fake_env, (const char *) data, size, &a, &err) < 0) {
            if (!err || cni_error_code(err) <= 0 || !cni_error_text(err))
                abort(); /* every refusal carries a code and a message */
            json_decref(cni_error_json(NULL, err));
            orc_error_release(&err);
            continue;
        }
        struct slirp_conf sc;
        if (a.conf && slirp_conf_parse(a.conf, &sc, &err) < 0)
            orc_error_release(&err);
        else if (a.conf)
            check_slirp(&sc);
        struct port_mapping *maps = NULL;
        size_t n = 0;
        if (port_mappings_parse(a.runtime_config, a.prev_result, &maps, &n, &err) < 0)
            orc_error_release(&err);
        else
            check_mappings(maps, n);
        free(maps);
        if (a.conf && a.command == CNI_ADD) {
            json_t *r = cni_result_passthrough(&a);
            json_decref(cni_result_for_version(r, a.cni_version));
        }
        cni_args_done(&a);
    }
    return 0;
}
