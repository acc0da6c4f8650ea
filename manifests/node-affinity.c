/* SPDX-License-Identifier: Apache-2.0 */
/* spec.nodeSelector and spec.affinity's required node affinity: decoded and validated as the
 * API server does, kept as Kubernetes JSON, and matched against a node's labels and name as
 * the scheduler's NodeAffinity filter matches them (pure). Preferences, pod (anti-)affinity
 * and tolerations only warn: on orc's one node there is nothing to prefer or tolerate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "decode.h"
#include "strv.h"
#include "xalloc.h"

static const char *const operators[] = {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", NULL};

static bool is_int(const char *s)
{
    char *end = NULL;
    errno = 0;
    (void) strtoll(s, &end, 10);
    return *s && end && !*end && !errno;
}

static void check_values(struct decoder *d, const struct ynode *n, const char *op, char **values,
                         bool field)
{
    size_t count = strv_length(values);
    const struct ynode *at = ynode_find(n, "values") ?: n;
    bool set = !strcmp(op, "In") || !strcmp(op, "NotIn");
    if (field && set && count != 1)
        decoder_error(d, at, "values",
                      "Required value: must be only one value when `operator` is 'In' or "
                      "'NotIn' for node field selector");
    else if (field && !set)
        decoder_error(d, ynode_find(n, "operator") ?: n, "operator",
                      "Invalid value: \"%s\": not a valid selector operator", op);
    else if (set && count == 0)
        decoder_error(d, at, "values",
                      "Required value: must be specified when `operator` is 'In' or 'NotIn'");
    else if ((!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) && count > 0)
        decoder_error(d, at, "values",
                      "Forbidden: may not be specified when `operator` is 'Exists' or "
                      "'DoesNotExist'");
    else if ((!strcmp(op, "Gt") || !strcmp(op, "Lt")) && (count != 1 || !is_int(values[0])))
        decoder_error(d, at, "values",
                      "Required value: must be specified single value when `operator` is 'Lt' "
                      "or 'Gt'");
}

struct requirement {
    char *key, *op, **values;
};

static bool decode_requirement_field(struct decoder *d, const struct ynode *k,
                                     const struct ynode *v, void *ctx)
{
    struct requirement *r = ctx;
    if (!strcmp(k->value, "key"))
        decode_string(d, v, &r->key);
    else if (!strcmp(k->value, "operator"))
        decode_string(d, v, &r->op);
    else if (!strcmp(k->value, "values"))
        decode_strv(d, v, &r->values);
    else
        return false;
    return true;
}

/* One {key, operator, values} of matchExpressions (field: of matchFields). */
static json_t *decode_requirement(struct decoder *d, const struct ynode *n, bool field)
{
    struct requirement req = {0};
    bool mapping = decoder_each_field(d, n, decode_requirement_field, &req);
    _cleanup_free_ char *key = req.key, *op = req.op;
    _cleanup_(strv_freep) char **values = req.values;
    if (!mapping)
        return NULL;
    if (!key)
        decoder_required(d, n, "key", NULL);
    else if (field && strcmp(key, "metadata.name"))
        decoder_error(d, ynode_find(n, "key"), "key",
                      "Invalid value: \"%s\": not a valid field selector key", key);
    else if (!field && !pod_qualified_key_ok(key))
        decoder_error(d, ynode_find(n, "key"), "key",
                      "Invalid value: \"%s\": name part must consist of alphanumeric characters, "
                      "'-', '_' or '.', and must start and end with an alphanumeric character",
                      key);
    if (!op)
        decoder_required(d, n, "operator", NULL);
    else if (!strv_contains((char *const *) operators, op))
        decoder_error(d, ynode_find(n, "operator"), "operator",
                      "Invalid value: \"%s\": not a valid selector operator", op);
    else
        check_values(d, n, op, values, field);
    if (!key || !op)
        return NULL;
    json_t *r = json_pack("{s:s,s:s}", "key", key, "operator", op);
    if (values && values[0]) {
        json_t *a = json_array();
        for (size_t i = 0; values[i]; i++)
            json_array_append_new(a, json_string(values[i]));
        json_object_set_new(r, "values", a);
    }
    return r;
}

static json_t *decode_requirements(struct decoder *d, const struct ynode *n, bool field)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        json_t *r = decode_requirement(d, n->items[i], field);
        if (r)
            json_array_append_new(a, r);
        decoder_pop(d, saved);
    }
    return a;
}

static json_t *decode_term(struct decoder *d, const struct ynode *n)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return NULL;
    (void) decoder_check_keys(d, n);
    json_t *term = json_object();
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        bool field = !strcmp(k->value, "matchFields");
        if (!field && strcmp(k->value, "matchExpressions")) {
            decoder_unknown_field(d, k);
            continue;
        }
        size_t saved = decoder_push_key(d, k->value);
        json_t *reqs = decode_requirements(d, v, field);
        if (reqs)
            json_object_set_new(term, k->value, reqs);
        decoder_pop(d, saved);
    }
    return term;
}

static json_t *decode_required(struct decoder *d, const struct ynode *n)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return NULL;
    (void) decoder_check_keys(d, n);
    const struct ynode *terms = NULL;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i);
        if (ynode_key_repeats(n, i))
            continue;
        if (!strcmp(k->value, "nodeSelectorTerms"))
            terms = ynode_val(n, i);
        else
            decoder_unknown_field(d, k);
    }
    size_t saved = decoder_push_key(d, "nodeSelectorTerms");
    json_t *a = json_array();
    if (terms && !ynode_is_null(terms) && expect_kind(d, terms, YNODE_SEQUENCE))
        for (size_t i = 0; i < terms->n_items; i++) {
            size_t s = decoder_push_index(d, i);
            json_t *t = decode_term(d, terms->items[i]);
            if (t)
                json_array_append_new(a, t);
            decoder_pop(d, s);
        }
    if (json_array_size(a) == 0)
        decoder_error(d, terms ?: n, NULL,
                      "Required value: must have at least one node selector term");
    decoder_pop(d, saved);
    return json_pack("{s:o}", "nodeSelectorTerms", a);
}

static bool decode_node_affinity_field(struct decoder *d, const struct ynode *k,
                                       const struct ynode *v, void *ctx)
{
    json_t **ret = ctx;
    if (!strcmp(k->value, "requiredDuringSchedulingIgnoredDuringExecution")) {
        json_decref(*ret);
        *ret = decode_required(d, v);
    } else if (!strcmp(k->value, "preferredDuringSchedulingIgnoredDuringExecution")) {
        decoder_warn(d, k, NULL, "orc runs pods on its one node: node preferences are ignored");
    } else
        return false;
    return true;
}

static bool decode_affinity_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                  void *ctx)
{
    struct pod_host *h = ctx;
    if (!strcmp(k->value, "nodeAffinity"))
        (void) decoder_each_field(d, v, decode_node_affinity_field, &h->node_affinity);
    else if (!strcmp(k->value, "podAffinity") || !strcmp(k->value, "podAntiAffinity"))
        decoder_warn(d, k, NULL, "orc runs pods on its one node: pod (anti-)affinity is ignored");
    else
        return false;
    return true;
}

bool node_affinity_decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                struct pod_host *h)
{
    if (!strcmp(k->value, "nodeSelector")) {
        json_decref(h->node_selector);
        h->node_selector = json_object();
        if (decode_string_map(d, v, &h->node_selector))
            validate_label_map(d, v, h->node_selector);
    } else if (!strcmp(k->value, "affinity"))
        (void) decoder_each_field(d, v, decode_affinity_field, h);
    else if (!strcmp(k->value, "tolerations"))
        decoder_warn(d, k, NULL, "orc's node has no taints: tolerations are ignored");
    else
        return false;
    return true;
}

static bool in_values(const json_t *values, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v)
        if (s && json_is_string(v) && !strcmp(json_string_value(v), s))
            return true;
    return false;
}

static bool requirement_matches(const json_t *r, const char *value)
{
    const char *op = json_string_value(json_object_get(r, "operator"));
    const json_t *values = json_object_get(r, "values");
    if (!op)
        return false;
    if (!strcmp(op, "In"))
        return in_values(values, value);
    if (!strcmp(op, "NotIn"))
        return !in_values(values, value);
    if (!strcmp(op, "Exists"))
        return value != NULL;
    if (!strcmp(op, "DoesNotExist"))
        return value == NULL;
    const char *want = json_string_value(json_array_get(values, 0));
    if (!value || !want || !is_int(value) || !is_int(want))
        return false;
    long long have = strtoll(value, NULL, 10), limit = strtoll(want, NULL, 10);
    return !strcmp(op, "Gt") ? have > limit : !strcmp(op, "Lt") && have < limit;
}

/* A term matches when all its requirements do; one without any matches no node. */
static bool term_matches(const json_t *term, const json_t *labels, const char *node_name)
{
    const json_t *exprs = json_object_get(term, "matchExpressions");
    const json_t *fields = json_object_get(term, "matchFields");
    if (json_array_size(exprs) + json_array_size(fields) == 0)
        return false;
    size_t i;
    json_t *r;
    json_array_foreach(exprs, i, r) {
        const char *key = json_string_value(json_object_get(r, "key"));
        if (!requirement_matches(r, json_string_value(json_object_get(labels, key ? key : ""))))
            return false;
    }
    json_array_foreach(fields, i, r)
        if (!requirement_matches(r, node_name))
            return false;
    return true;
}

bool pod_node_matches(const struct pod *pod, const json_t *labels, const char *node_name)
{
    const char *key;
    json_t *v;
    json_object_foreach(pod->host.node_selector, key, v) {
        const char *have = json_string_value(json_object_get(labels, key));
        if (!have || strcmp(have, json_string_value(v)))
            return false;
    }
    const json_t *required = json_object_get(pod->host.node_affinity, "nodeSelectorTerms");
    if (!pod->host.node_affinity)
        return true;
    size_t i;
    json_t *term;
    json_array_foreach(required, i, term) /* terms are ORed */
        if (term_matches(term, labels, node_name))
            return true;
    return false;
}
