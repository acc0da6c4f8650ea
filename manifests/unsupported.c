/* SPDX-License-Identifier: Apache-2.0 */
/* Pod fields orc does not implement yet. One that restricts a pod (security settings, limits,
 * deadlines) or stores its data (volumes) is refused: running the pod without it would fail
 * open. The others are warned about and ignored. manifests/README.md lists them all. */
#include <string.h>
#include <strings.h>

#include "decode.h"

enum field_class {
    FIELD_IGNORED, /* warned about: running without it neither opens nor loses anything */
    FIELD_REFUSED, /* refused unless its value asks for what orc does anyway */
    FIELD_OBJECT,  /* an object whose fields are classified one by one */
    _FIELD_CLASS_MAX,
    _FIELD_CLASS_INVALID = -22,
};

struct field_rule {
    const char *name;
    enum field_class class;
    /* FIELD_REFUSED: what orc would do if it ran the pod anyway */
    const char *consequence;
    /* FIELD_REFUSED: a value that asks for what orc does anyway; NULL: only an empty one */
    bool (*harmless)(const struct ynode *v);
    const struct field_rule *fields; /* FIELD_OBJECT */
};

/* null, [] or {}: nothing asked for */
static bool is_empty(const struct ynode *v)
{
    return ynode_is_null(v) || (v->kind != YNODE_SCALAR && v->n_items == 0);
}

#define IGNORED(n)                                                                                 \
    {                                                                                              \
        .name = n, .class = FIELD_IGNORED                                                          \
    }
#define REFUSED(n, c, h)                                                                           \
    {                                                                                              \
        .name = n, .class = FIELD_REFUSED, .consequence = c, .harmless = h                         \
    }

static const struct field_rule pod_spec_fields[] = {
    REFUSED("initContainers", "start the containers without running their init containers", NULL),
    REFUSED("runtimeClassName", "run the pod with orc's runtime instead of the one named", NULL),
    REFUSED("resources", "run the pod without these limits", NULL),
    IGNORED("ephemeralContainers"),
    IGNORED("priorityClassName"),
    IGNORED("priority"),
    IGNORED("schedulerName"),
    IGNORED("enableServiceLinks"),
    IGNORED("topologySpreadConstraints"),
    IGNORED("readinessGates"),
    IGNORED("overhead"),
    IGNORED("preemptionPolicy"),
    IGNORED("setHostnameAsFQDN"),
    IGNORED("os"),
    IGNORED("hostUsers"),
    IGNORED("schedulingGates"),
    IGNORED("resourceClaims"),
    {0},
};

static const struct field_rule container_fields[] = {
    REFUSED("volumeDevices", "run the container without its block devices", NULL),
    IGNORED("livenessProbe"),
    IGNORED("readinessProbe"),
    IGNORED("startupProbe"),
    IGNORED("lifecycle"),
    IGNORED("resizePolicy"),
    IGNORED("restartPolicy"),
    {0},
};

static const struct field_rule *const scope_fields[_FIELD_SCOPE_MAX] = {
    [FIELDS_POD_SPEC] = pod_spec_fields,
    [FIELDS_CONTAINER] = container_fields,
};

static const struct field_rule *find_rule(const struct field_rule *rules, const char *name)
{
    for (; rules->name; rules++)
        if (strcmp(rules->name, name) == 0)
            return rules;
    return NULL;
}

static void apply_rule(struct decoder *d, const struct field_rule *rule, const struct ynode *k,
                       const struct ynode *v);

static void decode_object(struct decoder *d, const struct ynode *map,
                          const struct field_rule *rules)
{
    if (!expect_kind(d, map, YNODE_MAPPING))
        return;
    (void) decoder_check_keys(d, map); /* reported there; the first value stands */
    for (size_t i = 0; i < ynode_pairs(map); i++) {
        const struct ynode *k = ynode_key(map, i), *v = ynode_val(map, i);
        if (ynode_key_repeats(map, i))
            continue;
        const struct field_rule *rule = find_rule(rules, k->value);
        if (rule)
            apply_rule(d, rule, k, v);
        else
            decoder_unknown_field(d, k);
    }
}

static void apply_rule(struct decoder *d, const struct field_rule *rule, const struct ynode *k,
                       const struct ynode *v)
{
    if (is_empty(v))
        return; /* asks for nothing */
    switch (rule->class) {
    case FIELD_IGNORED:
        decoder_warn(d, k, k->value, "not supported yet by orc, ignored");
        break;
    case FIELD_REFUSED:
        if (!rule->harmless || !rule->harmless(v))
            decoder_error(d, k, k->value, "not supported yet by orc: refused rather than %s",
                          rule->consequence);
        break;
    case FIELD_OBJECT: {
        size_t saved = decoder_push_key(d, k->value);
        decode_object(d, v, rule->fields);
        decoder_pop(d, saved);
        break;
    }
    case _FIELD_CLASS_MAX:
    case _FIELD_CLASS_INVALID:
        break;
    }
}

bool unsupported_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                       enum field_scope scope)
{
    const struct field_rule *rule = find_rule(scope_fields[scope], k->value);
    if (!rule)
        return false;
    apply_rule(d, rule, k, v);
    return true;
}

void unsupported_resource(struct decoder *d, const struct ynode *k, bool limit)
{
    /* limits on the node's own resources restrict; extended resources (devices) and requests
     * only ask for something, which orc does not provide */
    bool restricts = !strcmp(k->value, "ephemeral-storage") || !strncmp(k->value, "hugepages-", 10);
    if (limit && restricts)
        decoder_error(d, k, k->value,
                      "not supported yet by orc: refused rather than run the container without "
                      "this limit");
    else
        decoder_warn(d, k, k->value, "not supported by orc, ignored");
}
