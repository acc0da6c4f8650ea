/* SPDX-License-Identifier: Apache-2.0 */
/* Patch strategies and merge keys of the API types orc serves, from the patchStrategy and
 * patchMergeKey tags of k8s.io/api (core/v1 types.go, meta/v1 ObjectMeta) as of 1.32. */
#include <string.h>

#include "patch-meta.h"

#define MERGE PATCH_META_MERGE
#define RETAIN_KEYS PATCH_META_RETAIN_KEYS
#define END                                                                                        \
    {                                                                                              \
        NULL, 0, NULL, NULL                                                                        \
    }

static const struct patch_meta object_meta[] = {
    {"ownerReferences", MERGE, "uid", NULL},
    {"finalizers", MERGE, NULL, NULL},
    END,
};

/* Container and EphemeralContainer; envFrom, resizePolicy, resources.claims: atomic */
static const struct patch_meta container[] = {
    {"ports", MERGE, "containerPort", NULL}, /* not containerPort+protocol: the tag's key */
    {"env", MERGE, "name", NULL},
    {"volumeMounts", MERGE, "mountPath", NULL},
    {"volumeDevices", MERGE, "devicePath", NULL},
    END,
};

/* tolerations, readinessGates, os, dnsConfig lists: atomic */
static const struct patch_meta pod_spec[] = {
    {"volumes", MERGE | RETAIN_KEYS, "name", NULL},
    {"initContainers", MERGE, "name", container},
    {"containers", MERGE, "name", container},
    {"ephemeralContainers", MERGE, "name", container},
    {"imagePullSecrets", MERGE, "name", NULL},
    {"hostAliases", MERGE, "ip", NULL},
    {"topologySpreadConstraints", MERGE, "topologyKey", NULL},
    {"schedulingGates", MERGE, "name", NULL},
    {"resourceClaims", MERGE | RETAIN_KEYS, "name", NULL},
    END,
};

/* containerStatuses and the others: atomic */
static const struct patch_meta pod_status[] = {
    {"conditions", MERGE, "type", NULL},
    {"hostIPs", MERGE, "ip", NULL},
    {"podIPs", MERGE, "ip", NULL},
    {"resourceClaimStatuses", MERGE | RETAIN_KEYS, "name", NULL},
    END,
};

static const struct patch_meta pod[] = {
    {"metadata", 0, NULL, object_meta},
    {"spec", 0, NULL, pod_spec},
    {"status", 0, NULL, pod_status},
    END,
};

/* taints: atomic */
static const struct patch_meta node_spec[] = {
    {"podCIDRs", MERGE, NULL, NULL},
    END,
};

/* images, volumesAttached, volumesInUse: atomic */
static const struct patch_meta node_status[] = {
    {"conditions", MERGE, "type", NULL},
    {"addresses", MERGE, "type", NULL},
    END,
};

static const struct patch_meta node[] = {
    {"metadata", 0, NULL, object_meta},
    {"spec", 0, NULL, node_spec},
    {"status", 0, NULL, node_status},
    END,
};

static const struct patch_meta namespace_status[] = {
    {"conditions", MERGE, "type", NULL},
    END,
};

static const struct patch_meta namespace[] = {
    {"metadata", 0, NULL, object_meta},
    {"status", 0, NULL, namespace_status},
    END,
};

/* ConfigMap and Secret (data maps merged key by key), Event (v1 and events.k8s.io/v1),
 * coordination.k8s.io Lease: no field of theirs but metadata's has a strategy */
static const struct patch_meta metadata_only[] = {
    {"metadata", 0, NULL, object_meta},
    END,
};

static const struct patch_meta kinds[] = {
    {"Pod", 0, NULL, pod},
    {"Node", 0, NULL, node},
    {"Namespace", 0, NULL, namespace},
    {"ConfigMap", 0, NULL, metadata_only},
    {"Secret", 0, NULL, metadata_only},
    {"Event", 0, NULL, metadata_only},
    {"Lease", 0, NULL, metadata_only},
    END,
};

const struct patch_meta *patch_meta_field(const struct patch_meta *fields, const char *name)
{
    for (const struct patch_meta *f = fields; f && f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

bool patch_meta_knows_kind(const char *kind)
{
    return kind && patch_meta_field(kinds, kind);
}

const struct patch_meta *patch_meta_for_kind(const char *kind)
{
    const struct patch_meta *k = kind ? patch_meta_field(kinds, kind) : NULL;
    return k ? k->fields : metadata_only;
}
