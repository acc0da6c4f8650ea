/* SPDX-License-Identifier: Apache-2.0 */
/* Pure parts of the plugins: CNI environment and configuration, slirp keys, port mappings. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "../../port-forward/port-forward.h"
#include "../../slirp/slirp-plugin.h"
#include "tap.h"

static const char *env_vals[16][2];

static const char *fake_env(const char *name)
{
    for (size_t i = 0; i < 16 && env_vals[i][0]; i++)
        if (!strcmp(env_vals[i][0], name))
            return env_vals[i][1];
    return NULL;
}

static void set_env(const char *cmd, const char *cid, const char *netns, const char *ifname)
{
    memset(env_vals, 0, sizeof(env_vals));
    const char *v[][2] = {{"CNI_COMMAND", cmd},
                          {"CNI_CONTAINERID", cid},
                          {"CNI_NETNS", netns},
                          {"CNI_IFNAME", ifname}};
    size_t k = 0;
    for (size_t i = 0; i < 4; i++)
        if (v[i][1]) {
            env_vals[k][0] = v[i][0];
            env_vals[k++][1] = v[i][1];
        }
}

/* Parses conf under the current environment; returns the CNI code (0 = parsed). */
static int parse_code(const char *conf)
{
    struct cni_args a;
    orc_error_t err = NULL;
    if (cni_args_parse(fake_env, conf, conf ? strlen(conf) : 0, &a, &err) < 0) {
        int code = cni_error_code(err);
        orc_error_release(&err);
        return code;
    }
    cni_args_done(&a);
    return 0;
}

#define NET "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slirp\""

static void test_env(void)
{
    set_env("ADD", "c1", "/proc/1/ns/net", "eth0");
    tap_is_int(parse_code(NET "}"), 0, "complete ADD parses");
    set_env(NULL, "c1", "/x", "eth0");
    tap_is_int(parse_code(NET "}"), CNI_ERR_INVALID_ENV, "missing CNI_COMMAND is code 4");
    set_env("FROB", "c1", "/x", "eth0");
    tap_is_int(parse_code(NET "}"), CNI_ERR_INVALID_ENV, "unknown command is code 4");
    set_env("ADD", NULL, "/x", "eth0");
    tap_is_int(parse_code(NET "}"), CNI_ERR_INVALID_ENV, "missing container id is code 4");
    set_env("ADD", "-bad", "/x", "eth0");
    tap_is_int(parse_code(NET "}"), CNI_ERR_INVALID_ENV, "container id must start alphanumeric");
    set_env("ADD", "c1", NULL, "eth0");
    tap_is_int(parse_code(NET "}"), CNI_ERR_INVALID_ENV, "ADD needs CNI_NETNS");
    set_env("DEL", "c1", NULL, "eth0");
    tap_is_int(parse_code(NET "}"), 0, "DEL does not need CNI_NETNS");
    set_env("ADD", "c1", "/x", "a-very-long-interface");
    tap_is_int(parse_code(NET "}"), CNI_ERR_INVALID_ENV, "interface names are at most 15 bytes");
    set_env("ADD", "c1", "/x", "et/h0");
    tap_is_int(parse_code(NET "}"), CNI_ERR_INVALID_ENV, "interface names have no '/'");
    set_env("ADD", "c1", "/x", "..");
    tap_is_int(parse_code(NET "}"), CNI_ERR_INVALID_ENV, "'..' is no interface name");
}

static void test_conf(void)
{
    set_env("ADD", "c1", "/x", "eth0");
    tap_is_int(parse_code("{"), CNI_ERR_DECODE, "truncated JSON is code 6");
    tap_is_int(parse_code(""), CNI_ERR_DECODE, "empty stdin is code 6");
    tap_is_int(parse_code("[1]"), CNI_ERR_DECODE, "an array is code 6");
    tap_is_int(parse_code("{\"name\":\"n\",\"type\":\"t\"}"), CNI_ERR_DECODE, "no cniVersion");
    tap_is_int(parse_code("{\"cniVersion\":\"9.9.9\",\"name\":\"n\",\"type\":\"t\"}"),
               CNI_ERR_INCOMPATIBLE_VERSION, "unknown version is code 1");
    tap_is_int(parse_code("{\"cniVersion\":\"1.0.0\",\"type\":\"t\"}"), CNI_ERR_INVALID_CONFIG,
               "missing name is code 7");
    tap_is_int(parse_code(NET ",\"prevResult\":3}"), CNI_ERR_DECODE,
               "prevResult must be an object");
    tap_is_int(parse_code(NET ",\"runtimeConfig\":[]}"), CNI_ERR_DECODE,
               "runtimeConfig must be an object");
    tap_is_int(parse_code(NET ",\"name\":\"x\"}"), CNI_ERR_DECODE, "duplicate keys are refused");
    set_env("CHECK", "c1", "/x", "eth0");
    tap_is_int(parse_code("{\"cniVersion\":\"0.3.1\",\"name\":\"n\",\"type\":\"t\"}"),
               CNI_ERR_INCOMPATIBLE_VERSION, "CHECK needs 0.4.0 or later");
    set_env("VERSION", NULL, NULL, NULL);
    tap_is_int(parse_code(NULL), 0, "VERSION needs no configuration");
    tap_is_int(parse_code("{\"cniVersion\":\"9.9.9\"}"), 0, "VERSION takes any version");
}

static void test_result_version(void)
{
    json_t *r = json_pack("{s:[{s:s},{s:s}]}", "ips", "address", "10.0.2.100/24", "address",
                          "fd00::100/64");
    cni_result_for_version(r, "0.4.0");
    tap_is_str(
        json_string_value(json_object_get(json_array_get(json_object_get(r, "ips"), 1), "version")),
        "6", "0.4.0 results carry ips[].version");
    cni_result_for_version(r, "1.0.0");
    tap_ok(!json_object_get(json_array_get(json_object_get(r, "ips"), 0), "version"),
           "1.0.0 results do not");
    tap_is_str(json_string_value(json_object_get(r, "cniVersion")), "1.0.0", "cniVersion set");
    json_decref(r);
}

static int slirp_code(const char *text, struct slirp_conf *c)
{
    json_t *j = json_loads(text, 0, NULL);
    orc_error_t err = NULL;
    int r = slirp_conf_parse(j, c, &err);
    int code = r < 0 ? cni_error_code(err) : 0;
    orc_error_release(&err);
    json_decref(j);
    return code;
}

static void test_slirp_conf(void)
{
    struct slirp_conf c;
    tap_is_int(slirp_code("{}", &c), 0, "empty slirp config");
    tap_is_int(c.mtu, 65520, "default MTU 65520");
    tap_ok(c.host_loopback && !c.ipv6 && !c.has_upstream, "defaults: loopback on, no v6");
    tap_is_int(slirp_code("{\"mtu\":\"big\"}", &c), CNI_ERR_INVALID_CONFIG, "mtu must be a number");
    tap_is_int(slirp_code("{\"mtu\":70000}", &c), CNI_ERR_INVALID_CONFIG, "mtu at most 65520");
    tap_is_int(slirp_code("{\"mtu\":1500,\"hostLoopback\":false}", &c), 0, "mtu and loopback");
    tap_ok(c.mtu == 1500 && !c.host_loopback, "values taken");
    tap_is_int(slirp_code("{\"hostLoopback\":\"no\"}", &c), CNI_ERR_INVALID_CONFIG,
               "hostLoopback must be boolean");
    tap_is_int(slirp_code("{\"dnsUpstream\":\"127.0.0.1:5353\"}", &c), 0, "upstream with port");
    tap_ok(c.has_upstream && ntohs(c.upstream.sin_port) == 5353, "upstream port 5353");
    tap_is_int(slirp_code("{\"dnsUpstream\":\"127.0.0.1\"}", &c), 0, "upstream without port");
    tap_is_int(ntohs(c.upstream.sin_port), 53, "port 53 by default");
    tap_is_int(slirp_code("{\"dnsUpstream\":\"localhost\"}", &c), CNI_ERR_INVALID_CONFIG,
               "upstream must be an address");
    tap_is_int(slirp_code("{\"dnsUpstream\":\"1.2.3.4:0\"}", &c), CNI_ERR_INVALID_CONFIG,
               "upstream port 0 refused");
    tap_is_int(slirp_code("{\"dnsUpstream\":\"1.2.3.4:\"}", &c), CNI_ERR_INVALID_CONFIG,
               "empty upstream port refused");
}

static int maps_code(const char *rc, const char *prev, size_t *n)
{
    json_t *r = json_loads(rc, 0, NULL), *p = prev ? json_loads(prev, 0, NULL) : NULL;
    struct port_mapping *m = NULL;
    orc_error_t err = NULL;
    int code = port_mappings_parse(r, p, &m, n, &err) < 0 ? cni_error_code(err) : 0;
    orc_error_release(&err);
    free(m);
    json_decref(r);
    json_decref(p);
    return code;
}

#define PREV "{\"ips\":[{\"address\":\"10.0.2.100/24\"}]}"

static void test_mappings(void)
{
    size_t n = 99;
    tap_is_int(maps_code("{}", NULL, &n), 0, "no mappings");
    tap_is_int((int) n, 0, "zero mappings");
    tap_is_int(maps_code("{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80}]}", PREV, &n),
               0, "one TCP mapping");
    tap_is_int((int) n, 1, "one mapping");
    tap_is_int(maps_code("{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80}]}", NULL, &n),
               CNI_ERR_INVALID_CONFIG, "a pod address is needed");
    tap_is_int(maps_code("{\"portMappings\":[{\"hostPort\":0,\"containerPort\":80}]}", PREV, &n),
               CNI_ERR_INVALID_CONFIG, "hostPort 0 refused");
    tap_is_int(
        maps_code("{\"portMappings\":[{\"hostPort\":1,\"containerPort\":\"80\"}]}", PREV, &n),
        CNI_ERR_INVALID_CONFIG, "containerPort must be a number");
    tap_is_int(maps_code("{\"portMappings\":[{\"hostPort\":1,\"containerPort\":8,\"protocol\":"
                         "\"sctp\"}]}",
                         PREV, &n),
               CNI_ERR_UNSUPPORTED_FIELD, "sctp is unsupported (code 2)");
    tap_is_int(maps_code("{\"portMappings\":[{\"hostPort\":1,\"containerPort\":8,\"hostIP\":"
                         "\"nope\"}]}",
                         PREV, &n),
               CNI_ERR_INVALID_CONFIG, "hostIP must be an address");
    tap_is_int(maps_code("{\"portMappings\":[{\"hostPort\":5,\"containerPort\":8,\"protocol\":"
                         "\"UDP\",\"hostIP\":\"::1\"}]}",
                         PREV, &n),
               0, "UDP on ::1");
    tap_is_int(maps_code("{\"portMappings\":[{\"hostPort\":5,\"containerPort\":8},"
                         "{\"hostPort\":5,\"containerPort\":9}]}",
                         PREV, &n),
               CNI_ERR_INVALID_CONFIG, "the same host port twice");
    tap_is_int(maps_code("{\"portMappings\":[{\"hostPort\":5,\"containerPort\":8},"
                         "{\"hostPort\":5,\"containerPort\":9,\"protocol\":\"udp\"}]}",
                         PREV, &n),
               0, "TCP and UDP may share a number");
    tap_is_int(maps_code("{\"portMappings\":{}}", PREV, &n), CNI_ERR_DECODE, "must be an array");

    /* a chain with loopback first: 127.0.0.1 comes before the pod's address */
    json_t *rc = json_loads("{\"portMappings\":[{\"hostPort\":1,\"containerPort\":8}]}", 0, NULL);
    json_t *prev = json_loads("{\"ips\":[{\"address\":\"127.0.0.1/8\"},{\"address\":\"::1/128\"},"
                              "{\"address\":\"10.0.2.100/24\"}]}",
                              0, NULL);
    struct port_mapping *m = NULL;
    orc_error_t err = NULL;
    tap_ok(port_mappings_parse(rc, prev, &m, &n, &err) == 0 &&
               m[0].target.sin_addr.s_addr == htonl(0x0a000264),
           "the pod's address, not loopback's, even when loopback's result comes first");
    free(m);
    json_decref(prev);
    prev = json_loads("{\"ips\":[{\"address\":\"127.0.0.1/8\"}]}", 0, NULL);
    tap_ok(port_mappings_parse(rc, prev, &m, &n, &err) == 0 &&
               m[0].target.sin_addr.s_addr == htonl(0x7f000001),
           "loopback alone: loopback");
    free(m);
    json_decref(prev);
    json_decref(rc);
}

int main(void)
{
    test_env();
    test_conf();
    test_result_version();
    test_slirp_conf();
    test_mappings();
    return tap_done();
}
