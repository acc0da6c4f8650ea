/* SPDX-License-Identifier: Apache-2.0 */
/* Pod documents: YAML tree -> struct pod, with Kubernetes' validation rules. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "decode.h"
#include "image-ref.h"
#include "quantity.h"
#include "security-context.h"
#include "strv.h"
#include "volume-decode.h"
#include "xalloc.h"

static void decode_port(struct decoder *d, const struct ynode *n, struct container_port *p)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    bool have_port = false;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        int64_t num;
        if (ynode_is_null(v)) {
        } else if (!strcmp(k->value, "containerPort")) {
            if (decode_int(d, v, 1, 65535, &num))
                p->container_port = (int) num;
            have_port = true;
        } else if (!strcmp(k->value, "hostPort")) {
            if (decode_int(d, v, 0, 65535, &num))
                p->host_port = (int) num;
        } else if (!strcmp(k->value, "protocol")) {
            if (decode_string(d, v, &p->protocol) && strcmp(p->protocol, "TCP") &&
                strcmp(p->protocol, "UDP") && strcmp(p->protocol, "SCTP"))
                decoder_error(d, v, NULL,
                              "Unsupported value: \"%s\": supported values: "
                              "\"SCTP\", \"TCP\", \"UDP\"",
                              p->protocol);
        } else if (!strcmp(k->value, "name")) {
            decode_string(d, v, &p->name);
        } else if (!strcmp(k->value, "hostIP")) {
            unsigned char buf[16];
            if (decode_string(d, v, &p->host_ip) && inet_pton(AF_INET, p->host_ip, buf) != 1 &&
                inet_pton(AF_INET6, p->host_ip, buf) != 1)
                decoder_error(d, v, NULL, "must be a valid IP address");
        } else {
            decoder_pop(d, saved);
            decoder_unknown_field(d, k);
            continue;
        }
        decoder_pop(d, saved);
    }
    if (!have_port)
        decoder_required(d, n, "containerPort", NULL);
    if (!p->protocol)
        p->protocol = xstrdup("TCP");
}

static void decode_env(struct decoder *d, const struct ynode *n, struct env_var *e)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    const struct ynode *value_from = NULL;
    int sources = 0;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        if (ynode_is_null(v)) {
        } else if (!strcmp(k->value, "name")) {
            decode_string(d, v, &e->name);
        } else if (!strcmp(k->value, "value")) {
            decode_string(d, v, &e->value);
        } else if (!strcmp(k->value, "valueFrom")) {
            sources = decode_value_from(d, v, &e->value_from);
            value_from = k;
        } else {
            decoder_pop(d, saved);
            decoder_unknown_field(d, k);
            continue;
        }
        decoder_pop(d, saved);
    }
    if (!e->name)
        decoder_required(d, n, "name", NULL);
    bool has_value = e->value && *e->value;
    if (value_from && has_value && sources > 0) /* Kubernetes' words */
        decoder_error(d, value_from, "valueFrom",
                      "Invalid value: \"\": may not be specified when `value` is not empty");
    else if (value_from && !has_value && sources != 1)
        decoder_error(d, value_from, "valueFrom",
                      "Invalid value: \"\": may not have more than one field specified at a "
                      "time");
    if (!e->value)
        e->value = xstrdup("");
}

/* Decodes a list of objects with one callback per item. */
#define DECODE_LIST(d, n, arr, count, fn)                                                          \
    do {                                                                                           \
        if (!expect_kind(d, n, YNODE_SEQUENCE))                                                    \
            break;                                                                                 \
        arr = xcalloc((n)->n_items, sizeof(*(arr)));                                               \
        count = (n)->n_items;                                                                      \
        for (size_t _i = 0; _i < (n)->n_items; _i++) {                                             \
            size_t _saved = decoder_push_index(d, _i);                                             \
            fn(d, (n)->items[_i], &(arr)[_i]);                                                     \
            decoder_pop(d, _saved);                                                                \
        }                                                                                          \
    } while (0)

/* One of resources.limits / resources.requests: cpu and memory quantities, and for requests
 * (storage not NULL) ephemeral-storage. */
static void decode_resource_list(struct decoder *d, const struct ynode *n, bool limits,
                                 int64_t *cpu, int64_t *memory, int64_t *storage)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i))
            continue;
        bool is_cpu = !strcmp(k->value, "cpu"), is_mem = !strcmp(k->value, "memory");
        bool is_storage = storage && !strcmp(k->value, "ephemeral-storage");
        if (!is_cpu && !is_mem && !is_storage) {
            unsupported_resource(d, k, limits);
            continue;
        }
        int64_t milli = 0;
        if (v->kind != YNODE_SCALAR || quantity_parse_milli(v->value, &milli) < 0) {
            decoder_error(d, v, k->value,
                          "Invalid value: \"%s\": quantities must match the regular expression "
                          "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                          v->kind == YNODE_SCALAR ? v->value : "");
            continue;
        }
        if (milli < 0) {
            decoder_error(d, v, k->value,
                          "Invalid value: \"%s\": must be greater than or equal "
                          "to 0",
                          v->value);
            continue;
        }
        if (is_cpu)
            *cpu = milli;
        else /* whole bytes, rounded up */
            *(is_mem ? memory : storage) = milli / 1000 + (milli % 1000 != 0);
    }
}

/* A quantity of resources.limits or .requests as written ("128Mi"), for messages. */
static const char *quantity_text(const struct ynode *resources, const char *list, const char *name)
{
    const struct ynode *v = ynode_find(ynode_find(resources, list), name);
    return v && v->kind == YNODE_SCALAR ? v->value : "";
}

static void decode_resources(struct decoder *d, const struct ynode *n,
                             struct container_resources *r)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        if (!strcmp(k->value, "limits"))
            decode_resource_list(d, v, true, &r->cpu_limit, &r->memory_limit, NULL);
        else if (!strcmp(k->value, "requests"))
            decode_resource_list(d, v, false, &r->cpu_request, &r->memory_request,
                                 &r->storage_request);
        else
            decoder_warn(d, k, NULL, "not supported by orc, ignored");
        decoder_pop(d, saved);
    }
    const struct ynode *req = ynode_find(n, "requests");
    if (r->cpu_limit && r->cpu_request > r->cpu_limit)
        decoder_error(d, req ? req : n, "requests",
                      "Invalid value: \"%s\": must be less than or equal to cpu limit of %s",
                      quantity_text(n, "requests", "cpu"), quantity_text(n, "limits", "cpu"));
    if (r->memory_limit && r->memory_request > r->memory_limit)
        decoder_error(d, req ? req : n, "requests",
                      "Invalid value: \"%s\": must be less than or equal to memory limit of %s",
                      quantity_text(n, "requests", "memory"), quantity_text(n, "limits", "memory"));
    if (!r->cpu_request)
        r->cpu_request = r->cpu_limit;
    if (!r->memory_request)
        r->memory_request = r->memory_limit;
}

static bool decode_container_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                   struct container *c)
{
    const char *key = k->value;
    if (!strcmp(key, "name"))
        decode_string(d, v, &c->name);
    else if (!strcmp(key, "image"))
        decode_string(d, v, &c->image);
    else if (!strcmp(key, "imagePullPolicy")) {
        char *s = NULL;
        if (decode_string(d, v, &s) && (c->pull_policy = pull_policy_from_string(s)) < 0)
            decoder_error(d, v, NULL,
                          "Unsupported value: \"%s\": supported values: \"Always\", "
                          "\"IfNotPresent\", \"Never\"",
                          s);
        free(s);
    } else if (!strcmp(key, "command"))
        decode_strv(d, v, &c->command);
    else if (!strcmp(key, "args"))
        decode_strv(d, v, &c->args);
    else if (!strcmp(key, "workingDir"))
        decode_string(d, v, &c->working_dir);
    else if (!strcmp(key, "env"))
        DECODE_LIST(d, v, c->env, c->n_env, decode_env);
    else if (!strcmp(key, "envFrom"))
        decode_env_from(d, v, &c->env_from);
    else if (!strcmp(key, "ports"))
        DECODE_LIST(d, v, c->ports, c->n_ports, decode_port);
    else if (!strcmp(key, "resources"))
        decode_resources(d, v, &c->resources);
    else if (!strcmp(key, "volumeMounts"))
        decode_volume_mounts(d, v, c);
    else if (!strcmp(key, "securityContext"))
        decode_container_security_context(d, v, &c->security);
    else if (container_host_decode_field(d, k, v, c))
        ;
    else
        return false;
    return true;
}

static void decode_container(struct decoder *d, const struct ynode *n, struct container *c)
{
    c->pull_policy = _PULL_POLICY_INVALID;
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i))
            continue;
        if (ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        bool known = decode_container_field(d, k, v, c);
        decoder_pop(d, saved);
        if (!known && !unsupported_field(d, k, v, FIELDS_CONTAINER))
            decoder_unknown_field(d, k);
    }
    if (!c->termination_message_path)
        c->termination_message_path = xstrdup(MANIFEST_TERMINATION_MESSAGE_PATH);
}

/* serviceAccountName or the older serviceAccount into *ret: orc mounts no token, but the
 * downward API reports the name. */
static void decode_service_account(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                   char **ret)
{
    if (decode_string(d, v, ret) && **ret && !manifest_is_dns1123_subdomain(*ret))
        decoder_error(d, v, NULL,
                      "Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of "
                      "lower case alphanumeric characters, '-' or '.', and must start and end "
                      "with an alphanumeric character",
                      *ret);
    decoder_warn(d, k, NULL,
                 "orc has no service accounts yet: no token is mounted; only "
                 "valueFrom.fieldRef spec.serviceAccountName reports the name");
}

/* spec.nodeName: the agent binds pods to its node; one written must name a valid node. */
static void decode_node_name(struct decoder *d, const struct ynode *v, char **ret)
{
    if (decode_string(d, v, ret) && **ret && !manifest_is_dns1123_subdomain(*ret))
        decoder_error(d, v, NULL,
                      "Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of "
                      "lower case alphanumeric characters, '-' or '.', and must start and end "
                      "with an alphanumeric character",
                      *ret);
    if (*ret && !**ret) /* "" is not written */
        *ret = (free(*ret), NULL);
}

static bool decode_pull_secret_field(struct decoder *d, const struct ynode *k,
                                     const struct ynode *v, void *ctx)
{
    char **name = ctx;
    if (strcmp(k->value, "name") != 0)
        return false;
    free(*name);
    *name = NULL;
    decode_string(d, v, name);
    return true;
}

/* spec.imagePullSecrets: LocalObjectReferences, only a name each (which may be empty: the API
 * keeps such an entry and kubelet passes over it). */
static void decode_image_pull_secrets(struct decoder *d, const struct ynode *n, char ***ret)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return;
    char **v = new0(char *, 1);
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        _cleanup_free_ char *name = NULL;
        (void) decoder_each_field(d, n->items[i], decode_pull_secret_field, &name);
        v = strv_push(v, name ? name : "");
        decoder_pop(d, saved);
    }
    strv_free(*ret);
    *ret = v;
}

static void decode_spec(struct decoder *d, const struct ynode *n, struct pod *pod)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    _cleanup_free_ char *deprecated_account = NULL;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i))
            continue;
        if (ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        if (!strcmp(k->value, "containers")) {
            DECODE_LIST(d, v, pod->containers, pod->n_containers, decode_container);
        } else if (!strcmp(k->value, "restartPolicy")) {
            char *s = NULL;
            if (decode_string(d, v, &s) &&
                (pod->restart_policy = restart_policy_from_string(s)) < 0)
                decoder_error(d, v, NULL,
                              "Unsupported value: \"%s\": supported values: "
                              "\"Always\", \"OnFailure\", \"Never\"",
                              s);
            free(s);
        } else if (!strcmp(k->value, "terminationGracePeriodSeconds")) {
            decode_int(d, v, 0, INT32_MAX, &pod->termination_grace_period_seconds);
        } else if (!strcmp(k->value, "serviceAccountName")) {
            decode_service_account(d, k, v, &pod->service_account_name);
        } else if (!strcmp(k->value, "serviceAccount")) {
            decode_service_account(d, k, v, &deprecated_account);
        } else if (!strcmp(k->value, "nodeName")) {
            decode_node_name(d, v, &pod->node_name);
        } else if (!strcmp(k->value, "volumes")) {
            decode_volumes(d, v, pod);
        } else if (!strcmp(k->value, "imagePullSecrets")) {
            decode_image_pull_secrets(d, v, &pod->image_pull_secrets);
        } else if (pod_host_decode_field(d, k, v, &pod->host)) {
        } else if (!strcmp(k->value, "securityContext")) {
            decode_pod_security_context(d, v, &pod->security);
        } else {
            decoder_pop(d, saved);
            if (!unsupported_field(d, k, v, FIELDS_POD_SPEC))
                decoder_unknown_field(d, k);
            continue;
        }
        decoder_pop(d, saved);
    }
    if (pod->service_account_name && !*pod->service_account_name) /* "" is not written */
        pod->service_account_name = (free(pod->service_account_name), NULL);
    if (!pod->service_account_name && deprecated_account && *deprecated_account)
        pod->service_account_name = TAKE_PTR(deprecated_account);
}

static void decode_metadata(struct decoder *d, const struct ynode *n, struct pod *pod)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, n); /* reported there; the first value of a repeated key stands */
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i))
            continue;
        if (ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        if (!strcmp(k->value, "name"))
            decode_string(d, v, &pod->name);
        else if (!strcmp(k->value, "namespace"))
            decode_string(d, v, &pod->namespace);
        else if (!strcmp(k->value, "labels"))
            decode_string_map(d, v, &pod->labels);
        else if (!strcmp(k->value, "annotations"))
            decode_string_map(d, v, &pod->annotations);
        else if (!strv_contains((char *const *) object_meta_server_fields, k->value)) {
            decoder_pop(d, saved);
            decoder_unknown_field(d, k);
            continue;
        }
        decoder_pop(d, saved);
    }
}

static bool label_name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n <= max && manifest_is_label_name(s, n);
}

bool pod_qualified_key_ok(const char *key)
{
    const char *slash = strchr(key, '/');
    if (!slash)
        return label_name_ok(key, 63);
    char prefix[254];
    size_t plen = (size_t) (slash - key);
    if (plen == 0 || plen >= sizeof(prefix))
        return false;
    memcpy(prefix, key, plen);
    prefix[plen] = '\0';
    return manifest_is_dns1123_subdomain(prefix) && label_name_ok(slash + 1, 63);
}

static void validate_map(struct decoder *d, const struct ynode *node, json_t *map, bool labels)
{
    const char *key;
    json_t *val;
    json_object_foreach(map, key, val) {
        const struct ynode *at = ynode_find(node, key);
        if (!pod_qualified_key_ok(key))
            decoder_error(d, at, key,
                          "name part must consist of alphanumeric characters, '-', "
                          "'_' or '.', and must start and end with an alphanumeric "
                          "character (63 characters at most)");
        const char *v = json_string_value(val);
        if (labels && *v && !label_name_ok(v, 63))
            decoder_error(d, at, key,
                          "a valid label value must be 63 characters or less and "
                          "must be empty or begin and end with an alphanumeric "
                          "character, with '-', '_', '.' between");
    }
}

void validate_label_map(struct decoder *d, const struct ynode *node, json_t *map)
{
    validate_map(d, node, map, true);
}

/* Kubernetes' TotalAnnotationSizeLimitB: the keys and values of all annotations together. */
#define ANNOTATIONS_MAX_BYTES (256 * 1024)

static void validate_annotations_size(struct decoder *d, const struct ynode *at, json_t *map)
{
    size_t total = 0;
    const char *key;
    json_t *val;
    json_object_foreach(map, key, val)
        total += strlen(key) + json_string_length(val);
    if (total > ANNOTATIONS_MAX_BYTES)
        decoder_error(d, at, NULL, "Too long: must have at most %d bytes", ANNOTATIONS_MAX_BYTES);
}

static bool image_ref_ok(const char *image)
{
    char *norm = orc_image_ref_normalize(image);
    bool ok = norm != NULL;
    free(norm);
    return ok;
}

/* Kubernetes' default: Always for ":latest" or no tag (without a digest), else IfNotPresent. */
static enum pull_policy default_pull_policy(const char *image)
{
    if (strchr(image, '@'))
        return PULL_IF_NOT_PRESENT;
    const char *slash = strrchr(image, '/');
    const char *colon = strrchr(slash ? slash : image, ':');
    if (!colon || !strcmp(colon, ":latest"))
        return PULL_ALWAYS;
    return PULL_IF_NOT_PRESENT;
}

static void validate_ports(struct decoder *d, const struct ynode *cnode, struct container *c)
{
    const struct ynode *pnode = ynode_find(cnode, "ports");
    for (size_t j = 0; j < c->n_ports; j++) {
        struct container_port *p = &c->ports[j];
        const struct ynode *at = pnode && j < pnode->n_items ? pnode->items[j] : cnode;
        size_t saved = decoder_push_key(d, "ports");
        decoder_push_index(d, j);
        if (p->name && (strlen(p->name) > 15 || !manifest_is_dns1123_label(p->name)))
            decoder_error(d, ynode_find(at, "name"), "name",
                          "must be no more than 15 characters, lowercase alphanumeric or '-'");
        for (size_t k = 0; k < j; k++)
            if (c->ports[k].container_port == p->container_port && p->protocol &&
                c->ports[k].protocol && !strcmp(c->ports[k].protocol, p->protocol))
                decoder_error(d, at, NULL, "Duplicate value: \"%d/%s\"", p->container_port,
                              p->protocol);
        if (p->host_port > 0 && p->protocol && !strcmp(p->protocol, "SCTP"))
            decoder_warn(d, ynode_find(at, "hostPort"), "hostPort",
                         "SCTP host ports are not supported by orc's port forwarder: the pod's "
                         "network will not start");
        decoder_pop(d, saved);
    }
}

static bool same_host_port(const struct container_port *a, const struct container_port *b)
{
    const char *ia = a->host_ip ? a->host_ip : "", *ib = b->host_ip ? b->host_ip : "";
    return a->host_port > 0 && a->host_port == b->host_port && a->protocol && b->protocol &&
           !strcmp(a->protocol, b->protocol) && !strcmp(ia, ib);
}

/* A host port (with protocol and address) may be claimed once per pod, as in Kubernetes. */
static void validate_host_ports(struct decoder *d, const struct ynode *cs, struct pod *pod)
{
    for (size_t i = 0; i < pod->n_containers; i++) {
        const struct container *c = &pod->containers[i];
        const struct ynode *cnode = cs && i < cs->n_items ? cs->items[i] : NULL;
        const struct ynode *pnode = cnode ? ynode_find(cnode, "ports") : NULL;
        for (size_t j = 0; j < c->n_ports; j++) {
            bool dup = false;
            for (size_t ci = 0; ci <= i && !dup; ci++)
                for (size_t k = 0; k < (ci == i ? j : pod->containers[ci].n_ports) && !dup; k++)
                    dup = same_host_port(&pod->containers[ci].ports[k], &c->ports[j]);
            if (!dup)
                continue;
            const struct ynode *at = pnode && j < pnode->n_items ? pnode->items[j] : cs;
            size_t saved = decoder_push_key(d, "spec");
            decoder_push_key(d, "containers");
            decoder_push_index(d, i);
            decoder_push_key(d, "ports");
            decoder_push_index(d, j);
            decoder_error(d, ynode_find(at, "hostPort"), "hostPort", "Duplicate value: \"%d/%s\"",
                          c->ports[j].host_port, c->ports[j].protocol);
            decoder_pop(d, saved);
        }
    }
}

static void validate_container(struct decoder *d, const struct ynode *cnode, struct pod *pod,
                               size_t i)
{
    struct container *c = &pod->containers[i];
    if (!c->name)
        decoder_required(d, cnode, "name", NULL);
    else if (!manifest_is_dns1123_label(c->name))
        decoder_error(d, ynode_find(cnode, "name"), "name",
                      "Invalid value: \"%s\": a lowercase RFC 1123 label must consist of lower "
                      "case alphanumeric characters or '-', and must start and end with an "
                      "alphanumeric character (63 characters at most)",
                      c->name);
    for (size_t k = 0; c->name && k < i; k++)
        if (pod->containers[k].name && !strcmp(pod->containers[k].name, c->name))
            decoder_error(d, ynode_find(cnode, "name"), "name", "Duplicate value: \"%s\"", c->name);
    if (!c->image || !*c->image)
        decoder_required(d, c->image ? ynode_find(cnode, "image") : cnode, "image", NULL);
    else if (strpbrk(c->image, " \t\r\n"))
        decoder_error(d, ynode_find(cnode, "image"), "image",
                      "Invalid value: \"%s\": must not have leading or trailing whitespace",
                      c->image);
    else if (!image_ref_ok(c->image)) /* Kubernetes accepts it; kubelet never starts it */
        decoder_warn(d, ynode_find(cnode, "image"), "image",
                     "Invalid value: \"%s\": invalid reference format: the container will wait "
                     "with InvalidImageName",
                     c->image);
    if ((int) c->pull_policy < 0) {
        c->pull_policy = c->image ? default_pull_policy(c->image) : PULL_IF_NOT_PRESENT;
        c->pull_policy_implied = true;
    }
    const struct ynode *enode = ynode_find(cnode, "env");
    for (size_t k = 0; k < c->n_env; k++)
        if (c->env[k].name && !manifest_is_env_var_name(c->env[k].name)) {
            size_t saved = decoder_push_key(d, "env");
            decoder_push_index(d, k);
            decoder_error(d, enode && k < enode->n_items ? enode->items[k] : cnode, "name",
                          "Invalid value: \"%s\": a valid environment variable name must "
                          "consist of alphabetic characters, digits, '_', '-', or '.', and must "
                          "not start with a digit",
                          c->env[k].name);
            decoder_pop(d, saved);
        }
    validate_ports(d, cnode, c);
    validate_volume_mounts(d, cnode, pod, c);
}

static void validate_pod(struct decoder *d, const struct ynode *root, struct pod *pod)
{
    const struct ynode *meta = ynode_find(root, "metadata");
    if (!pod->name)
        decoder_required(d, meta ? meta : root, "metadata.name", "name is required");
    else if (strlen(pod->name) > 253 || !manifest_is_dns1123_subdomain(pod->name))
        decoder_error(d, ynode_find(meta, "name"), "metadata.name",
                      "Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of "
                      "lower case alphanumeric characters, '-' or '.', and must start and end "
                      "with an alphanumeric character",
                      pod->name);
    if (!pod->namespace)
        pod->namespace = xstrdup(decoder_default_namespace(d));
    else if (!manifest_is_dns1123_label(pod->namespace))
        decoder_error(d, ynode_find(meta, "namespace"), "metadata.namespace",
                      "Invalid value: \"%s\": a lowercase RFC 1123 label must consist of lower "
                      "case alphanumeric characters or '-'",
                      pod->namespace);
    else {
        size_t at = decoder_push_key(d, "metadata");
        (void) decoder_namespace_matches(d, ynode_find(meta, "namespace"), pod->namespace);
        decoder_pop(d, at);
    }
    size_t saved = decoder_push_key(d, "metadata");
    decoder_push_key(d, "labels");
    validate_map(d, ynode_find(meta, "labels"), pod->labels, true);
    decoder_pop(d, saved);
    decoder_push_key(d, "metadata");
    decoder_push_key(d, "annotations");
    validate_map(d, ynode_find(meta, "annotations"), pod->annotations, false);
    validate_annotations_size(d, ynode_find(meta, "annotations") ?: meta, pod->annotations);
    decoder_pop(d, saved);
    const struct ynode *spec = ynode_find(root, "spec");
    if (!spec) {
        decoder_required(d, root, "spec", NULL);
        return;
    }
    const struct ynode *cs = ynode_find(spec, "containers");
    if (pod->n_containers == 0)
        decoder_required(d, cs ? cs : spec, "spec.containers", NULL);
    for (size_t i = 0; i < pod->n_containers; i++) {
        size_t s = decoder_push_key(d, "spec");
        decoder_push_key(d, "containers");
        decoder_push_index(d, i);
        validate_container(d, cs && i < cs->n_items ? cs->items[i] : spec, pod, i);
        decoder_pop(d, s);
    }
    validate_host_ports(d, cs, pod);
    security_context_check_host(d, ynode_find(spec, "securityContext"), pod);
    pod_host_validate(d, spec, pod);
}

struct pod *decode_pod(struct decoder *d, const struct ynode *root)
{
    struct pod *pod = xzalloc(sizeof(*pod));
    pod->labels = json_object();
    pod->annotations = json_object();
    pod->restart_policy = RESTART_ALWAYS;
    pod->termination_grace_period_seconds = 30;
    pod_host_init(&pod->host);
    (void) decoder_check_keys(d, root);
    for (size_t i = 0; i < ynode_pairs(root); i++) {
        const struct ynode *k = ynode_key(root, i), *v = ynode_val(root, i);
        if (ynode_key_repeats(root, i))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        if (!strcmp(k->value, "metadata"))
            decode_metadata(d, v, pod);
        else if (!strcmp(k->value, "spec"))
            decode_spec(d, v, pod);
        else if (strcmp(k->value, "apiVersion") && strcmp(k->value, "kind") &&
                 strcmp(k->value, "status")) {
            decoder_pop(d, saved);
            decoder_unknown_field(d, k);
            continue;
        }
        decoder_pop(d, saved);
    }
    validate_pod(d, root, pod);
    return pod;
}
