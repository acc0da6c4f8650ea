/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's /etc/hosts and /etc/resolv.conf (pure; see pod-dns.h). */
#include "pods/pod-dns.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strv.h"
#include "xalloc.h"

#define DNS_MAX_NAMESERVERS 3
#define DNS_MAX_SEARCHES 32
#define DNS_MAX_SEARCH_CHARS 2048

/* Appends printf output to *buf. */
static void append(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *more = xvasprintf(fmt, ap);
    va_end(ap);
    char *next = xasprintf("%s%s", *buf ? *buf : "", more);
    free(*buf);
    *buf = next;
}

char *pod_hosts_file(const struct pod *pod, const char *ip, const char *node_hosts)
{
    _cleanup_free_ char *hostname = pod_hostname(pod);
    _cleanup_free_ char *domain = pod_host_domain(pod);
    const struct pod_host *h = &pod->host;
    char *out = NULL;
    if (h->host_network) /* kubelet: the node's file, then the aliases */
        append(&out, "%s", node_hosts ? node_hosts : "");
    else
        out = xstrdup("# Kubernetes-managed hosts file.\n"
                      "127.0.0.1\tlocalhost\n"
                      "::1\tlocalhost ip6-localhost ip6-loopback\n"
                      "fe00::0\tip6-localnet\n"
                      "fe00::0\tip6-mcastprefix\n"
                      "fe00::1\tip6-allnodes\n"
                      "fe00::2\tip6-allrouters\n");
    if (!h->host_network && ip && domain)
        append(&out, "%s\t%s.%s\t%s\n", ip, hostname, domain, hostname);
    else if (!h->host_network && ip)
        append(&out, "%s\t%s\n", ip, hostname);
    if (h->n_host_aliases)
        append(&out, "\n# Entries added by HostAliases.\n");
    for (size_t i = 0; i < h->n_host_aliases; i++) {
        _cleanup_free_ char *names = strv_join(h->host_aliases[i].hostnames, "\t");
        append(&out, "%s\t%s\n", h->host_aliases[i].ip, names ? names : "");
    }
    return out;
}

bool pod_dns_missing_cluster(const struct pod *pod)
{
    /* ClusterFirst on the host's network is Default for kubelet, without a warning */
    return pod->host.dns_policy == DNS_CLUSTER_FIRST_WITH_HOST_NET ||
           (pod->host.dns_policy == DNS_CLUSTER_FIRST && !pod->host.host_network);
}

char *pod_dns_missing_cluster_message(const struct pod *pod, const char *uid)
{
    return xasprintf("pod: \"%s_%s(%s)\". kubelet does not have ClusterDNS IP configured and "
                     "cannot create Pod using \"ClusterFirst\" policy. Falling back to "
                     "\"Default\" policy.",
                     pod->name, pod->namespace, uid);
}

struct dns {
    char **servers, **searches;
    char **options; /* "name" or "name:value", one per name */
};

static void dns_clear(struct dns *d)
{
    strv_free(d->servers);
    strv_free(d->searches);
    strv_free(d->options);
}

/* One word of resolv.conf: no white space, which would add words or lines. */
static bool word_ok(const char *s)
{
    return s && *s && !strpbrk(s, " \t\r\n");
}

static void add_unique(char ***v, const char *s)
{
    if (word_ok(s) && !strv_contains(*v, s))
        *v = strv_push(*v, s);
}

/* An option replaces the one of the same name (the part before ':'), as kubelet merges. */
static void add_option(char ***v, const char *opt)
{
    if (!word_ok(opt))
        return;
    size_t len = strcspn(opt, ":");
    for (size_t i = 0; *v && (*v)[i]; i++)
        if (strcspn((*v)[i], ":") == len && !strncmp((*v)[i], opt, len)) {
            free((*v)[i]);
            (*v)[i] = xstrdup(opt);
            return;
        }
    *v = strv_push(*v, opt);
}

/* The node's resolv.conf as kubelet reads it: every nameserver, the last search line (a
 * trailing dot dropped, "." left out), options merged. */
static void parse_host(const char *text, struct dns *d)
{
    _cleanup_free_ char *copy = xstrdup(text ? text : "");
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (*line == '#' || *line == ';')
            continue;
        char *wsave = NULL, *key = strtok_r(line, " \t\r", &wsave);
        if (!key)
            continue;
        bool search = !strcmp(key, "search");
        if (search)
            d->searches = strv_free(d->searches);
        for (char *w = strtok_r(NULL, " \t\r", &wsave); w; w = strtok_r(NULL, " \t\r", &wsave)) {
            size_t n = strlen(w);
            if (!strcmp(key, "nameserver")) {
                add_unique(&d->servers, w);
                break; /* one address a line */
            } else if (search && strcmp(w, ".")) {
                if (n > 1 && w[n - 1] == '.')
                    w[n - 1] = '\0';
                add_unique(&d->searches, w);
            } else if (!strcmp(key, "options")) {
                add_option(&d->options, w);
            }
        }
    }
}

static void add_json_words(char ***v, const json_t *a, bool option)
{
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        if (option)
            add_option(v, json_string_value(e));
        else
            add_unique(v, json_string_value(e));
    }
}

/* Default: the node's file, with the pod network's resolver instead of its nameservers. */
static void base_default(const json_t *result, const char *host_text, struct dns *d)
{
    parse_host(host_text, d);
    const json_t *dns = json_object_get(result, "dns");
    char **own = NULL;
    add_json_words(&own, json_object_get(dns, "nameservers"), false);
    if (own) {
        strv_free(d->servers);
        d->servers = own;
    }
    add_json_words(&d->searches, json_object_get(dns, "search"), false);
    add_json_words(&d->options, json_object_get(dns, "options"), true);
}

static void append_config(const struct pod_host *h, struct dns *d)
{
    for (size_t i = 0; h->nameservers && h->nameservers[i]; i++)
        add_unique(&d->servers, h->nameservers[i]);
    for (size_t i = 0; h->searches && h->searches[i]; i++)
        add_unique(&d->searches, h->searches[i]);
    for (size_t i = 0; i < h->n_dns_options; i++) {
        const struct dns_option *o = &h->dns_options[i];
        _cleanup_free_ char *opt =
            o->value ? xasprintf("%s:%s", o->name, o->value) : xstrdup(o->name);
        add_option(&d->options, opt);
    }
}

/* kubelet's formDNSConfigFitsLimits: at most 3 nameservers and 32 search domains of 2048
 * characters in all; what was cut is said in *warning. */
static void fit_limits(struct dns *d, char **warning)
{
    if (strv_length(d->servers) > DNS_MAX_NAMESERVERS) {
        for (size_t i = DNS_MAX_NAMESERVERS; d->servers[i]; i++)
            d->servers[i] = (free(d->servers[i]), NULL);
        _cleanup_free_ char *line = strv_join(d->servers, " ");
        append(warning,
               "Nameserver limits were exceeded, some nameservers have been omitted, the applied "
               "nameserver line is: %s",
               line);
    }
    size_t n = 0, chars = 0;
    for (; d->searches && d->searches[n]; n++) {
        size_t more = strlen(d->searches[n]) + (n > 0);
        if (n == DNS_MAX_SEARCHES || chars + more > DNS_MAX_SEARCH_CHARS)
            break;
        chars += more;
    }
    if (d->searches && d->searches[n]) {
        for (size_t i = n; d->searches[i]; i++)
            d->searches[i] = (free(d->searches[i]), NULL);
        _cleanup_free_ char *line = strv_join(d->searches, " ");
        append(warning,
               "%sSearch Line limits were exceeded, some search paths have been "
               "omitted, the applied search line is: %s",
               *warning ? "; " : "", line);
    }
}

char *pod_resolv_conf(const struct pod *pod, const json_t *result, const char *host_text,
                      char **ret_warning)
{
    struct dns d = {0};
    if (pod->host.dns_policy != DNS_NONE) /* the cluster-first policies fall back to Default */
        base_default(result, host_text, &d);
    append_config(&pod->host, &d);
    _cleanup_free_ char *warning = NULL;
    fit_limits(&d, &warning);
    char *out = xstrdup("");
    for (size_t i = 0; d.servers && d.servers[i]; i++)
        append(&out, "nameserver %s\n", d.servers[i]);
    _cleanup_free_ char *search = strv_length(d.searches) ? strv_join(d.searches, " ") : NULL;
    _cleanup_free_ char *options = strv_length(d.options) ? strv_join(d.options, " ") : NULL;
    if (search)
        append(&out, "search %s\n", search);
    if (options)
        append(&out, "options %s\n", options);
    dns_clear(&d);
    if (ret_warning)
        *ret_warning = TAKE_PTR(warning);
    return out;
}
