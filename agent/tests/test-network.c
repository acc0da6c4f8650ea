/* SPDX-License-Identifier: Apache-2.0 */
/* The pure half of pod networking: configuration lists, capabilities, files for containers. */
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "manifest.h"
#include "pods/cni.h"
#include "tap.h"
#include "xalloc.h"

static int check_list(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    orc_error_t err = NULL;
    int r = network_conflist_check(j, &err);
    orc_error_release(&err);
    json_decref(j);
    return r;
}

static void test_conflist(void)
{
    tap_ok(check_list(
               "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"slirp\"}]}") == 0,
           "a minimal list");
    tap_ok(check_list("[]") < 0, "a list is an object");
    tap_ok(check_list("{\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}") < 0, "cniVersion needed");
    tap_ok(check_list("{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"x\"}]}") < 0,
           "name needed");
    tap_ok(check_list("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}") < 0,
           "at least one plugin");
    tap_ok(check_list(
               "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../x\"}]}") < 0,
           "a type is a plain file name, not a path");
    tap_ok(check_list("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"mtu\":1}]}") < 0,
           "every plugin has a type");
    tap_ok(check_list("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"x\","
                      "\"capabilities\":true}]}") < 0,
           "capabilities is an object");
    struct network *n = NULL;
    orc_error_t err = NULL;
    tap_ok(network_load(NULL, "/nonexistent", &n, &err) == 0, "the built-in list loads");
    tap_is_str(n ? network_name(n) : NULL, "orc", "and is called orc");
    network_free(n);
    tap_ok(network_load("/nonexistent.conflist", "/x", &n, &err) < 0 && err,
           "a missing file fails");
    orc_error_release(&err);
}

static void test_plugin_config(void)
{
    json_t *list = json_loads("{\"cniVersion\":\"1.0.0\",\"name\":\"orc\",\"plugins\":["
                              "{\"type\":\"slirp\",\"mtu\":1500},"
                              "{\"type\":\"port-forward\",\"capabilities\":{\"portMappings\":true,"
                              "\"bandwidth\":false}}]}",
                              0, NULL);
    json_t *caps = json_loads("{\"portMappings\":[{\"hostPort\":1}],\"bandwidth\":{}}", 0, NULL);
    json_t *prev = json_loads("{\"ips\":[]}", 0, NULL);
    json_t *c0 = network_plugin_config(list, 0, NULL, caps);
    tap_is_str(orc_json_str(c0, "cniVersion"), "1.0.0", "cniVersion copied in");
    tap_is_str(orc_json_str(c0, "name"), "orc", "name copied in");
    tap_is_int((int) orc_json_int(c0, "mtu", 0), 1500, "the plugin's own keys stay");
    tap_ok(!json_object_get(c0, "runtimeConfig"), "no capability declared: no runtimeConfig");
    tap_ok(!json_object_get(c0, "prevResult"), "first plugin: no prevResult");
    json_t *c1 = network_plugin_config(list, 1, prev, caps);
    json_t *rc = json_object_get(c1, "runtimeConfig");
    tap_ok(json_is_array(json_object_get(rc, "portMappings")), "declared capability passed");
    tap_ok(!json_object_get(rc, "bandwidth"), "a capability declared false is not");
    tap_ok(json_equal(json_object_get(c1, "prevResult"), prev), "prevResult passed");
    json_decref(c0);
    json_decref(c1);
    json_decref(list);
    json_decref(caps);
    json_decref(prev);
}

static struct pod *parse_pod(const char *containers)
{
    char *yaml = xasprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                           "  containers:\n%s",
                           containers);
    struct manifest_result *r = NULL;
    if (manifest_parse(yaml, strlen(yaml), "t.yaml", &r) < 0)
        abort();
    struct pod *p = r->docs[0].pod;
    r->docs[0].pod = NULL;
    manifest_result_free(r);
    free(yaml);
    return p;
}

static void test_port_mappings(void)
{
    struct pod *p = parse_pod("  - name: a\n    image: busybox\n    ports:\n"
                              "    - {containerPort: 80}\n"
                              "    - {containerPort: 81, hostPort: 8080}\n"
                              "  - name: b\n    image: busybox\n    ports:\n"
                              "    - {containerPort: 53, hostPort: 5353, protocol: UDP, "
                              "hostIP: 127.0.0.1}\n");
    json_t *m = network_port_mappings(p);
    tap_is_int((int) json_array_size(m), 2, "only ports with a hostPort are published");
    json_t *a = json_array_get(m, 0), *b = json_array_get(m, 1);
    tap_ok(orc_json_int(a, "hostPort", 0) == 8080 && orc_json_int(a, "containerPort", 0) == 81,
           "ports of the first mapping");
    tap_is_str(orc_json_str(a, "protocol"), "tcp", "protocol in lower case");
    tap_ok(!json_object_get(a, "hostIP"), "no hostIP when none was given");
    tap_is_str(orc_json_str(b, "protocol"), "udp", "UDP");
    tap_is_str(orc_json_str(b, "hostIP"), "127.0.0.1", "hostIP passed");
    json_decref(m);
    pod_free(p);
}

static void test_files(void)
{
    json_t *res = json_loads("{\"interfaces\":[{\"name\":\"lo\"},{\"name\":\"eth0\"}],"
                             "\"ips\":[{\"address\":\"127.0.0.1/8\",\"interface\":0},"
                             "{\"address\":\"fd00::100/64\",\"interface\":1},"
                             "{\"address\":\"10.0.2.100/24\",\"interface\":1}],"
                             "\"dns\":{\"nameservers\":[\"10.0.2.3\"],\"search\":[\"a.test\","
                             "\"b.test\"],\"options\":[\"ndots:2\"]}}",
                             0, NULL);
    char *ip = network_pod_ip(res);
    tap_is_str(ip, "10.0.2.100", "pod IP: first IPv4 outside loopback");
    json_t *none = json_loads("{\"ips\":[{\"address\":\"127.0.0.1/8\"}]}", 0, NULL);
    tap_ok(network_pod_ip(none) == NULL, "loopback only: no pod IP");
    json_decref(none);
    free(ip);
    json_decref(res);
}

int main(void)
{
    test_conflist();
    test_plugin_config();
    test_port_mappings();
    test_files();
    return tap_done();
}
