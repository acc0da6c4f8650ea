/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's /etc/hosts and /etc/resolv.conf as kubelet makes them (pods/pod-dns.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "pods/pod-dns.h"
#include "tap.h"
#include "xalloc.h"

static struct pod *parse_pod(const char *spec_lines)
{
    char *text = xasprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: team}\n"
                           "spec:\n  containers: [{name: c, image: busybox}]\n%s",
                           spec_lines);
    struct manifest_result *r = NULL;
    int rc = manifest_parse(text, strlen(text), "t.yaml", &r);
    free(text);
    if (rc < 0 || r->n_docs != 1) {
        for (size_t i = 0; r && i < r->n_errors; i++)
            fprintf(stderr, "# %s: %s\n", r->errors[i].path, r->errors[i].message);
        manifest_result_free(r);
        return NULL;
    }
    struct pod *pod = r->docs[0].pod;
    r->docs[0].pod = NULL;
    manifest_result_free(r);
    return pod;
}

static const char hosts_head[] = "# Kubernetes-managed hosts file.\n"
                                 "127.0.0.1\tlocalhost\n"
                                 "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                 "fe00::0\tip6-localnet\n"
                                 "fe00::0\tip6-mcastprefix\n"
                                 "fe00::1\tip6-allnodes\n"
                                 "fe00::2\tip6-allrouters\n";

static void test_hosts(void)
{
    struct pod *pod = parse_pod("");
    char *hosts = pod_hosts_file(pod, "10.0.2.100", NULL);
    char *want = xasprintf("%s10.0.2.100\tweb\n", hosts_head);
    tap_is_str(hosts, want, "hosts: kubelet's lines, the pod's name on its address");
    free(hosts);
    free(want);
    hosts = pod_hosts_file(pod, NULL, NULL);
    tap_is_str(hosts, hosts_head, "no address: no line of the pod's own");
    free(hosts);
    pod_free(pod);

    pod = parse_pod("  hostname: db-0\n  subdomain: db\n"
                    "  hostAliases:\n"
                    "  - ip: 127.0.0.1\n    hostnames: [foo.local, bar.local]\n"
                    "  - ip: 10.1.2.3\n    hostnames: [foo.remote, bar.remote]\n");
    tap_ok(pod != NULL, "hostname, subdomain and hostAliases parse");
    hosts = pod_hosts_file(pod, "10.0.2.100", NULL);
    want = xasprintf("%s10.0.2.100\tdb-0.db.team.svc.cluster.local\tdb-0\n"
                     "\n# Entries added by HostAliases.\n"
                     "127.0.0.1\tfoo.local\tbar.local\n"
                     "10.1.2.3\tfoo.remote\tbar.remote\n",
                     hosts_head);
    tap_is_str(hosts, want, "hosts: FQDN and hostname, then the aliases under kubelet's comment");
    free(hosts);
    free(want);
    char *name = pod_hostname(pod);
    tap_is_str(name, "db-0", "the hostname is spec.hostname");
    free(name);
    pod_free(pod);

    pod = parse_pod("  hostNetwork: true\n"
                    "  hostAliases: [{ip: 10.1.2.3, hostnames: [foo.remote]}]\n");
    hosts = pod_hosts_file(pod, "127.0.0.1", "127.0.0.1 localhost\n192.0.2.7 node\n");
    tap_is_str(hosts,
               "127.0.0.1 localhost\n192.0.2.7 node\n"
               "\n# Entries added by HostAliases.\n10.1.2.3\tfoo.remote\n",
               "host network: the node's hosts file, then the aliases");
    free(hosts);
    tap_ok(!pod_dns_missing_cluster(pod), "ClusterFirst on the host's network is Default");
    json_t *none = json_loads("{}", 0, NULL);
    char *resolv = pod_resolv_conf(pod, none, "nameserver 127.0.0.53\nsearch lan\n", NULL);
    tap_is_str(resolv, "nameserver 127.0.0.53\nsearch lan\n",
               "host network: the node's resolv.conf (its resolver is reachable)");
    free(resolv);
    json_decref(none);
    pod_free(pod);

    pod = parse_pod("");
    free(pod->name);
    pod->name = xstrdup("a123456789b123456789c123456789d123456789e123456789f123456789g12-.x");
    name = pod_hostname(pod);
    tap_is_str(name, "a123456789b123456789c123456789d123456789e123456789f123456789g12",
               "a long pod name is cut to 63 characters, without a trailing '-' or '.'");
    free(name);
    pod_free(pod);
}

static const char cni_result[] = "{\"dns\":{\"nameservers\":[\"10.0.2.3\"]}}";
static const char host_resolv[] = "# generated\n"
                                  "nameserver 127.0.0.53\n"
                                  "search old.example\n"
                                  "search corp.example. lab.example .\n"
                                  "options edns0 trust-ad\n"
                                  "options ndots:1\n";

static void check_resolv(const char *spec, const char *host, const char *want, const char *what)
{
    struct pod *pod = parse_pod(spec);
    json_t *res = json_loads(cni_result, 0, NULL);
    char *warning = NULL;
    char *resolv = pod ? pod_resolv_conf(pod, res, host, &warning) : NULL;
    tap_is_str(resolv, want, "%s", what);
    tap_ok(warning == NULL, "%s: nothing cut", what);
    free(resolv);
    free(warning);
    json_decref(res);
    pod_free(pod);
}

static void test_resolv(void)
{
    check_resolv("", host_resolv,
                 "nameserver 10.0.2.3\nsearch corp.example lab.example\n"
                 "options edns0 trust-ad ndots:1\n",
                 "ClusterFirst falls back to Default: the node's search and options, the pod "
                 "network's resolver");
    check_resolv("  dnsPolicy: Default\n", "nameserver 192.0.2.1\n", "nameserver 10.0.2.3\n",
                 "Default");
    check_resolv("  dnsPolicy: None\n"
                 "  dnsConfig:\n"
                 "    nameservers: [192.0.2.1]\n"
                 "    searches: [ns1.svc.cluster-domain.example, my.dns.search.suffix]\n"
                 "    options: [{name: ndots, value: \"2\"}, {name: edns0}]\n",
                 host_resolv,
                 "nameserver 192.0.2.1\nsearch ns1.svc.cluster-domain.example "
                 "my.dns.search.suffix\noptions ndots:2 edns0\n",
                 "None: only dnsConfig (the docs' custom-dns example)");
    check_resolv("  dnsConfig:\n"
                 "    nameservers: [10.0.2.3, 192.0.2.9]\n"
                 "    searches: [lab.example, extra.example]\n"
                 "    options: [{name: ndots, value: \"5\"}, {name: rotate}]\n",
                 host_resolv,
                 "nameserver 10.0.2.3\nnameserver 192.0.2.9\n"
                 "search corp.example lab.example extra.example\n"
                 "options edns0 trust-ad ndots:5 rotate\n",
                 "dnsConfig appended: duplicates left out, options merged by name");

    struct pod *pod =
        parse_pod("  dnsConfig:\n    nameservers: [192.0.2.1, 192.0.2.2, 192.0.2.3]\n");
    json_t *res = json_loads(cni_result, 0, NULL);
    char *warning = NULL;
    char *resolv = pod_resolv_conf(pod, res, NULL, &warning);
    tap_is_str(resolv, "nameserver 10.0.2.3\nnameserver 192.0.2.1\nnameserver 192.0.2.2\n",
               "at most 3 nameservers");
    tap_is_str(warning,
               "Nameserver limits were exceeded, some nameservers have been omitted, the applied "
               "nameserver line is: 10.0.2.3 192.0.2.1 192.0.2.2",
               "kubelet's DNSConfigForming message");
    free(resolv);
    free(warning);
    json_decref(res);
    pod_free(pod);

    pod = parse_pod("");
    json_t *evil = json_loads("{\"dns\":{\"nameservers\":[\"1.1.1.1\\nnameserver 6.6.6.6\"],"
                              "\"search\":[\"a b\"]}}",
                              0, NULL);
    resolv = pod_resolv_conf(pod, evil, "nameserver 192.0.2.1\n", NULL);
    tap_is_str(resolv, "nameserver 192.0.2.1\n", "a value with white space cannot add words");
    free(resolv);
    json_decref(evil);
    resolv = pod_resolv_conf(pod, NULL, NULL, NULL);
    tap_is_str(resolv, "", "nothing known: an empty file");
    free(resolv);

    tap_ok(pod_dns_missing_cluster(pod), "ClusterFirst asks for cluster DNS");
    char *msg = pod_dns_missing_cluster_message(pod, "u-1");
    tap_is_str(msg,
               "pod: \"web_team(u-1)\". kubelet does not have ClusterDNS IP configured and cannot "
               "create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy.",
               "MissingClusterDNS as kubelet words it");
    free(msg);
    pod_free(pod);
    pod = parse_pod("  dnsPolicy: Default\n");
    tap_ok(!pod_dns_missing_cluster(pod), "Default does not");
    pod_free(pod);
}

int main(void)
{
    test_hosts();
    test_resolv();
    return tap_done();
}
