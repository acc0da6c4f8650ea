/* SPDX-License-Identifier: Apache-2.0 */
/* spec.hostname, subdomain, hostAliases, dnsPolicy and dnsConfig, and the containers' tty, stdin
 * and stdinOnce: decoded and validated with the API server's rules and messages, and their JSON
 * both ways. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "decode.h"
#include "strv.h"
#include "xalloc.h"

#define DNS_MAX_NAMESERVERS 3
#define DNS_MAX_SEARCHES 32
#define DNS_MAX_SEARCH_CHARS 2048

#define LABEL_MESSAGE                                                                              \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "   \
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "     \
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MESSAGE                                                                          \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "   \
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "  \
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

static const char *const dns_policy_names[_DNS_POLICY_MAX] = {
    [DNS_CLUSTER_FIRST] = "ClusterFirst",
    [DNS_CLUSTER_FIRST_WITH_HOST_NET] = "ClusterFirstWithHostNet",
    [DNS_DEFAULT] = "Default",
    [DNS_NONE] = "None",
};

const char *dns_policy_to_string(enum dns_policy p)
{
    return p >= 0 && p < _DNS_POLICY_MAX ? dns_policy_names[p] : NULL;
}

enum dns_policy dns_policy_from_string(const char *s)
{
    for (int i = 0; s && i < _DNS_POLICY_MAX; i++)
        if (!strcmp(dns_policy_names[i], s))
            return (enum dns_policy) i;
    return _DNS_POLICY_INVALID;
}

void pod_host_init(struct pod_host *h)
{
    *h = (struct pod_host){.dns_policy = DNS_CLUSTER_FIRST,
                           .nameservers = new0(char *, 1),
                           .searches = new0(char *, 1)};
}

void pod_host_clear(struct pod_host *h)
{
    free(h->hostname);
    free(h->subdomain);
    for (size_t i = 0; i < h->n_host_aliases; i++) {
        free(h->host_aliases[i].ip);
        strv_free(h->host_aliases[i].hostnames);
    }
    free(h->host_aliases);
    strv_free(h->nameservers);
    strv_free(h->searches);
    for (size_t i = 0; i < h->n_dns_options; i++) {
        free(h->dns_options[i].name);
        free(h->dns_options[i].value);
    }
    free(h->dns_options);
    json_decref(h->node_selector);
    json_decref(h->node_affinity);
    *h = (struct pod_host){0};
}

static bool is_ip(const char *s)
{
    unsigned char buf[16];
    return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

static const struct ynode *item_of(const struct ynode *seq, size_t i)
{
    return seq && seq->kind == YNODE_SEQUENCE && i < seq->n_items ? seq->items[i] : seq;
}

static bool decode_alias_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                               void *ctx)
{
    struct host_alias *a = ctx;
    if (!strcmp(k->value, "ip"))
        decode_string(d, v, &a->ip);
    else if (!strcmp(k->value, "hostnames"))
        decode_strv(d, v, &a->hostnames);
    else
        return false;
    return true;
}

static void decode_alias(struct decoder *d, const struct ynode *n, struct host_alias *a)
{
    a->hostnames = new0(char *, 1);
    if (!decoder_each_field(d, n, decode_alias_field, a))
        return;
    if (!is_ip(a->ip))
        decoder_error(d, ynode_find(n, "ip") ?: n, "ip",
                      "Invalid value: \"%s\": must be a valid IP address, (e.g. 10.9.8.7 or "
                      "2001:db8::ffff)",
                      a->ip ? a->ip : "");
    const struct ynode *names = ynode_find(n, "hostnames");
    for (size_t i = 0; a->hostnames[i]; i++)
        if (!manifest_is_dns1123_subdomain(a->hostnames[i])) {
            size_t saved = decoder_push_key(d, "hostnames");
            decoder_push_index(d, i);
            decoder_error(d, item_of(names, i), NULL, "Invalid value: \"%s\": " SUBDOMAIN_MESSAGE,
                          a->hostnames[i]);
            decoder_pop(d, saved);
        }
}

static void decode_host_aliases(struct decoder *d, const struct ynode *n, struct pod_host *h)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return;
    h->host_aliases = xcalloc(n->n_items, sizeof(*h->host_aliases));
    h->n_host_aliases = n->n_items;
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        decode_alias(d, n->items[i], &h->host_aliases[i]);
        decoder_pop(d, saved);
    }
}

static bool decode_dns_option_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                    void *ctx)
{
    struct dns_option *o = ctx;
    if (!strcmp(k->value, "name"))
        decode_string(d, v, &o->name);
    else if (!strcmp(k->value, "value"))
        decode_string(d, v, &o->value);
    else
        return false;
    return true;
}

static void decode_dns_option(struct decoder *d, const struct ynode *n, struct dns_option *o)
{
    if (!decoder_each_field(d, n, decode_dns_option_field, o))
        return;
    if (!o->name || !*o->name)
        decoder_error(d, ynode_find(n, "name") ?: n, "name", "Required value: must not be empty");
    else if (strpbrk(o->name, " \t\r\n:") || (o->value && strpbrk(o->value, " \t\r\n")))
        decoder_error(d, n, NULL, "Invalid value: \"%s\": may not contain white space or ':'",
                      o->name); /* one word of resolv.conf's options line */
}

/* A list as the API server prints an invalid one: []string{"a", "b"} */
static char *go_strv(char *const *v)
{
    _cleanup_free_ char *inner = strv_join(v, "\", \"");
    return xasprintf("[]string{\"%s\"}", inner);
}

static void check_nameservers(struct decoder *d, const struct ynode *n, char **servers)
{
    if (strv_length(servers) > DNS_MAX_NAMESERVERS) {
        _cleanup_free_ char *list = go_strv(servers);
        decoder_error(d, ynode_find(n, "nameservers"), "nameservers",
                      "Invalid value: %s: must not have more than %d nameservers", list,
                      DNS_MAX_NAMESERVERS);
    }
    const struct ynode *seq = ynode_find(n, "nameservers");
    for (size_t i = 0; servers[i]; i++)
        if (!is_ip(servers[i])) {
            size_t saved = decoder_push_key(d, "nameservers");
            decoder_push_index(d, i);
            decoder_error(d, item_of(seq, i), NULL,
                          "Invalid value: \"%s\": must be valid IP address", servers[i]);
            decoder_pop(d, saved);
        }
}

static void check_searches(struct decoder *d, const struct ynode *n, char **searches)
{
    size_t chars = 0, count = strv_length(searches);
    for (size_t i = 0; searches[i]; i++)
        chars += strlen(searches[i]) + (i > 0);
    _cleanup_free_ char *list = count ? go_strv(searches) : NULL;
    if (count > DNS_MAX_SEARCHES)
        decoder_error(d, ynode_find(n, "searches"), "searches",
                      "Invalid value: %s: must not have more than %d search paths", list,
                      DNS_MAX_SEARCHES);
    if (chars > DNS_MAX_SEARCH_CHARS)
        decoder_error(d, ynode_find(n, "searches"), "searches",
                      "Invalid value: %s: must not have more than %d characters (including "
                      "spaces) in the search list",
                      list, DNS_MAX_SEARCH_CHARS);
    const struct ynode *seq = ynode_find(n, "searches");
    for (size_t i = 0; searches[i]; i++) {
        _cleanup_free_ char *name = xstrdup(searches[i]); /* a trailing dot is allowed */
        size_t len = strlen(name);
        if (len > 1 && name[len - 1] == '.')
            name[len - 1] = '\0';
        if (manifest_is_dns1123_subdomain(name))
            continue;
        size_t saved = decoder_push_key(d, "searches");
        decoder_push_index(d, i);
        decoder_error(d, item_of(seq, i), NULL, "Invalid value: \"%s\": " SUBDOMAIN_MESSAGE,
                      searches[i]);
        decoder_pop(d, saved);
    }
}

static bool decode_dns_config_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                    void *ctx)
{
    struct pod_host *h = ctx;
    if (!strcmp(k->value, "nameservers"))
        decode_strv(d, v, &h->nameservers);
    else if (!strcmp(k->value, "searches"))
        decode_strv(d, v, &h->searches);
    else if (!strcmp(k->value, "options")) {
        if (!expect_kind(d, v, YNODE_SEQUENCE))
            return true;
        h->dns_options = xcalloc(v->n_items, sizeof(*h->dns_options));
        h->n_dns_options = v->n_items;
        for (size_t j = 0; j < v->n_items; j++) {
            size_t s = decoder_push_index(d, j);
            decode_dns_option(d, v->items[j], &h->dns_options[j]);
            decoder_pop(d, s);
        }
    } else
        return false;
    return true;
}

static void decode_dns_config(struct decoder *d, const struct ynode *n, struct pod_host *h)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    h->has_dns_config = true;
    (void) decoder_each_field(d, n, decode_dns_config_field, h);
    check_nameservers(d, n, h->nameservers);
    check_searches(d, n, h->searches);
}

static void decode_label(struct decoder *d, const struct ynode *v, char **ret)
{
    if (decode_string(d, v, ret) && **ret && !manifest_is_dns1123_label(*ret))
        decoder_error(d, v, NULL, "Invalid value: \"%s\": " LABEL_MESSAGE, *ret);
    if (*ret && !**ret) /* "" is not written */
        *ret = (free(*ret), NULL);
}

static void decode_flag(struct decoder *d, const struct ynode *v, bool *ret)
{
    if (v->kind != YNODE_SCALAR || scalar_type_of(v) != SCALAR_BOOL)
        decoder_error(d, v, NULL, "expected boolean, got %s",
                      v->kind == YNODE_SCALAR ? v->value : "a collection");
    else
        *ret = strcasecmp(v->value, "true") == 0;
}

/* terminationMessagePath: "" is the default, as the API server fills it in; kubelet binds a
 * file there, which only an absolute path names. */
static void decode_termination_path(struct decoder *d, const struct ynode *v, char **ret)
{
    if (!decode_string(d, v, ret))
        return;
    if (!**ret)
        *ret = (free(*ret), NULL);
    else if (**ret != '/')
        decoder_error(d, v, NULL, "Invalid value: \"%s\": must be an absolute path", *ret);
}

static void decode_termination_policy(struct decoder *d, const struct ynode *v,
                                      enum termination_message_policy *ret)
{
    _cleanup_free_ char *s = NULL;
    if (!decode_string(d, v, &s) || !*s) /* "": the default */
        return;
    enum termination_message_policy p = termination_message_policy_from_string(s);
    if (p < 0)
        decoder_error(d, v, NULL,
                      "Unsupported value: \"%s\": supported values: \"File\", "
                      "\"FallbackToLogsOnError\"",
                      s);
    else
        *ret = p;
}

bool container_host_decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                 struct container *c)
{
    if (!strcmp(k->value, "terminationMessagePath")) {
        free(c->termination_message_path);
        c->termination_message_path = NULL;
        decode_termination_path(d, v, &c->termination_message_path);
    } else if (!strcmp(k->value, "terminationMessagePolicy")) {
        decode_termination_policy(d, v, &c->termination_message_policy);
    } else if (!strcmp(k->value, "tty")) {
        decode_flag(d, v, &c->tty);
    } else if (!strcmp(k->value, "stdin")) {
        decode_flag(d, v, &c->stdin_open);
    } else if (!strcmp(k->value, "stdinOnce")) {
        decode_flag(d, v, &c->stdin_once);
    } else
        return false;
    return true;
}

void container_host_to_json(const struct container *c, json_t *j)
{
    if (c->stdin_open)
        json_object_set_new(j, "stdin", json_true());
    if (c->stdin_once)
        json_object_set_new(j, "stdinOnce", json_true());
    if (c->tty)
        json_object_set_new(j, "tty", json_true());
}

void container_host_from_json(const json_t *j, struct container *c)
{
    c->stdin_open = json_is_true(json_object_get(j, "stdin"));
    c->stdin_once = json_is_true(json_object_get(j, "stdinOnce"));
    c->tty = json_is_true(json_object_get(j, "tty"));
}

bool pod_host_decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                           struct pod_host *h)
{
    const char *key = k->value;
    if (node_affinity_decode_field(d, k, v, h))
        return true;
    if (!strcmp(key, "shareProcessNamespace"))
        decode_flag(d, v, &h->share_process_namespace);
    else if (!strcmp(key, "hostNetwork"))
        decode_flag(d, v, &h->host_network);
    else if (!strcmp(key, "hostIPC"))
        decode_flag(d, v, &h->host_ipc);
    else if (!strcmp(key, "activeDeadlineSeconds"))
        decode_int(d, v, 1, INT32_MAX, &h->active_deadline_seconds);
    else if (!strcmp(key, "automountServiceAccountToken")) {
        bool mount = false;
        decode_flag(d, v, &mount);
        if (mount)
            decoder_warn(d, k, NULL, "orc has no service accounts yet: no token is mounted");
    } else if (!strcmp(key, "hostPID")) {
        bool host_pid = false;
        decode_flag(d, v, &host_pid);
        if (host_pid)
            decoder_error(d, v, NULL,
                          "Forbidden: orc does not give pods the host's PID namespace: their "
                          "containers could signal and trace every process of the user, orcd "
                          "included; refused rather than run the pod in a PID namespace of its "
                          "own");
    } else if (!strcmp(key, "hostname"))
        decode_label(d, v, &h->hostname);
    else if (!strcmp(key, "subdomain"))
        decode_label(d, v, &h->subdomain);
    else if (!strcmp(key, "hostAliases"))
        decode_host_aliases(d, v, h);
    else if (!strcmp(key, "dnsConfig"))
        decode_dns_config(d, v, h);
    else if (!strcmp(key, "dnsPolicy")) {
        _cleanup_free_ char *s = NULL;
        if (decode_string(d, v, &s) && (h->dns_policy = dns_policy_from_string(s)) < 0)
            decoder_error(d, v, NULL,
                          "Unsupported value: \"%s\": supported values: "
                          "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"",
                          s);
    } else
        return false;
    return true;
}

/* On the host's network a container's port is the host's: hostPort defaults to it and may
 * not differ, as the API server defaults and validates. */
static void validate_host_network_ports(struct decoder *d, const struct ynode *spec,
                                        struct pod *pod)
{
    const struct ynode *cs = ynode_find(spec, "containers");
    for (size_t i = 0; i < pod->n_containers; i++) {
        struct container *c = &pod->containers[i];
        const struct ynode *ps = ynode_find(item_of(cs, i), "ports");
        for (size_t j = 0; j < c->n_ports; j++) {
            struct container_port *p = &c->ports[j];
            if (!p->host_port)
                p->host_port = p->container_port;
            if (p->host_port == p->container_port)
                continue;
            size_t saved = decoder_push_key(d, "spec");
            decoder_push_key(d, "containers");
            decoder_push_index(d, i);
            decoder_push_key(d, "ports");
            decoder_push_index(d, j);
            decoder_error(d, ynode_find(item_of(ps, j), "hostPort") ?: spec, "hostPort",
                          "Invalid value: %d: must match `containerPort` when `hostNetwork` is "
                          "true",
                          p->host_port);
            decoder_pop(d, saved);
        }
    }
}

void pod_host_validate(struct decoder *d, const struct ynode *spec, struct pod *pod)
{
    struct pod_host *h = &pod->host;
    if (h->host_network)
        validate_host_network_ports(d, spec, pod);
    if ((int) h->dns_policy < 0) {
        h->dns_policy = DNS_CLUSTER_FIRST;
        return;
    }
    if (h->dns_policy != DNS_NONE)
        return;
    if (!h->has_dns_config)
        decoder_error(d, ynode_find(spec, "dnsPolicy") ?: spec, "spec.dnsConfig",
                      "Required value: must provide `dnsConfig` when `dnsPolicy` is None");
    else if (!strv_length(h->nameservers))
        decoder_error(d, ynode_find(spec, "dnsConfig") ?: spec, "spec.dnsConfig.nameservers",
                      "Required value: must provide at least one DNS nameserver when "
                      "`dnsPolicy` is None");
}

static json_t *strv_json(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *dns_config_json(const struct pod_host *h)
{
    json_t *c = json_object();
    if (strv_length(h->nameservers))
        json_object_set_new(c, "nameservers", strv_json(h->nameservers));
    if (strv_length(h->searches))
        json_object_set_new(c, "searches", strv_json(h->searches));
    if (h->n_dns_options) {
        json_t *opts = json_array();
        for (size_t i = 0; i < h->n_dns_options; i++) {
            json_t *o = json_pack("{s:s}", "name", h->dns_options[i].name);
            if (h->dns_options[i].value)
                json_object_set_new(o, "value", json_string(h->dns_options[i].value));
            json_array_append_new(opts, o);
        }
        json_object_set_new(c, "options", opts);
    }
    return c;
}

void pod_host_to_json(const struct pod_host *h, json_t *spec)
{
    if (h->hostname)
        json_object_set_new(spec, "hostname", json_string(h->hostname));
    if (h->subdomain)
        json_object_set_new(spec, "subdomain", json_string(h->subdomain));
    if (h->n_host_aliases) {
        json_t *a = json_array();
        for (size_t i = 0; i < h->n_host_aliases; i++) {
            json_t *e = json_pack("{s:s}", "ip", h->host_aliases[i].ip);
            if (strv_length(h->host_aliases[i].hostnames))
                json_object_set_new(e, "hostnames", strv_json(h->host_aliases[i].hostnames));
            json_array_append_new(a, e);
        }
        json_object_set_new(spec, "hostAliases", a);
    }
    if (h->dns_policy != DNS_CLUSTER_FIRST)
        json_object_set_new(spec, "dnsPolicy", json_string(dns_policy_to_string(h->dns_policy)));
    if (h->has_dns_config)
        json_object_set_new(spec, "dnsConfig", dns_config_json(h));
    if (h->share_process_namespace)
        json_object_set_new(spec, "shareProcessNamespace", json_true());
    if (h->host_network)
        json_object_set_new(spec, "hostNetwork", json_true());
    if (h->host_ipc)
        json_object_set_new(spec, "hostIPC", json_true());
    if (h->active_deadline_seconds)
        json_object_set_new(spec, "activeDeadlineSeconds",
                            json_integer(h->active_deadline_seconds));
    if (json_object_size(h->node_selector))
        json_object_set(spec, "nodeSelector", h->node_selector);
    if (h->node_affinity)
        json_object_set_new(spec, "affinity",
                            json_pack("{s:{s:O}}", "nodeAffinity",
                                      "requiredDuringSchedulingIgnoredDuringExecution",
                                      h->node_affinity));
}

static const char *str_of(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static char **strv_of(const json_t *a)
{
    char **v = new0(char *, 1);
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
        if (json_is_string(e))
            v = strv_push(v, json_string_value(e));
    return v;
}

void pod_host_from_json(const json_t *spec, struct pod_host *h)
{
    pod_host_clear(h);
    pod_host_init(h);
    h->hostname = xstrdup(str_of(spec, "hostname"));
    h->share_process_namespace = json_is_true(json_object_get(spec, "shareProcessNamespace"));
    h->host_network = json_is_true(json_object_get(spec, "hostNetwork"));
    h->host_ipc = json_is_true(json_object_get(spec, "hostIPC"));
    h->active_deadline_seconds = json_integer_value(json_object_get(spec, "activeDeadlineSeconds"));
    const json_t *sel = json_object_get(spec, "nodeSelector");
    h->node_selector = json_is_object(sel) ? json_deep_copy(sel) : NULL;
    const json_t *req =
        json_object_get(json_object_get(json_object_get(spec, "affinity"), "nodeAffinity"),
                        "requiredDuringSchedulingIgnoredDuringExecution");
    h->node_affinity = json_is_object(req) ? json_deep_copy(req) : NULL;
    h->subdomain = xstrdup(str_of(spec, "subdomain"));
    const json_t *aliases = json_object_get(spec, "hostAliases");
    h->n_host_aliases = json_array_size(aliases);
    h->host_aliases = new0(struct host_alias, h->n_host_aliases);
    for (size_t i = 0; i < h->n_host_aliases; i++) {
        const json_t *a = json_array_get(aliases, i);
        h->host_aliases[i].ip = xstrdup(str_of(a, "ip") ?: "");
        h->host_aliases[i].hostnames = strv_of(json_object_get(a, "hostnames"));
    }
    enum dns_policy p = dns_policy_from_string(str_of(spec, "dnsPolicy"));
    h->dns_policy = (int) p < 0 ? DNS_CLUSTER_FIRST : p;
    const json_t *c = json_object_get(spec, "dnsConfig");
    h->has_dns_config = json_is_object(c);
    strv_free(h->nameservers);
    strv_free(h->searches);
    h->nameservers = strv_of(json_object_get(c, "nameservers"));
    h->searches = strv_of(json_object_get(c, "searches"));
    const json_t *opts = json_object_get(c, "options");
    h->n_dns_options = json_array_size(opts);
    h->dns_options = new0(struct dns_option, h->n_dns_options);
    for (size_t i = 0; i < h->n_dns_options; i++) {
        const json_t *o = json_array_get(opts, i);
        h->dns_options[i].name = xstrdup(str_of(o, "name") ?: "");
        h->dns_options[i].value = xstrdup(str_of(o, "value"));
    }
}

char *pod_hostname(const struct pod *pod)
{
    const char *name = pod->host.hostname ? pod->host.hostname : pod->name;
    size_t len = strlen(name);
    if (len > 63)
        len = 63;
    while (len > 1 && (name[len - 1] == '-' || name[len - 1] == '.'))
        len--;
    return xstrndup(name, len);
}

char *pod_host_domain(const struct pod *pod)
{
    if (!pod->host.subdomain)
        return NULL;
    return xasprintf("%s.%s.svc.%s", pod->host.subdomain, pod->namespace, POD_CLUSTER_DOMAIN);
}
