/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* How a strategic merge patch treats each field: the patchStrategy and patchMergeKey tags
 * of Kubernetes' API types, for the kinds orc serves. A field not listed is merged if it is
 * an object and replaced whole if it is a list (Kubernetes' "atomic" lists). */
#include <stdbool.h>

enum patch_meta_strategy {
    PATCH_META_MERGE = 1 << 0,       /* a list merged element by element (by merge_key) or,
                                        for a list of strings or numbers, as a set */
    PATCH_META_RETAIN_KEYS = 1 << 1, /* retainKeys: what clients send $retainKeys for */
    PATCH_META_REPLACE = 1 << 2,     /* an object replaced whole */
};

struct patch_meta {
    const char *name; /* the JSON field; NULL ends a list of fields */
    unsigned strategy;
    const char *merge_key;           /* a merged list of objects: the key naming an element */
    const struct patch_meta *fields; /* of the value, or of each element of a list; NULL:
                                        none with a strategy */
};

/* The fields of an object of that kind ("Pod"); any other kind (or NULL) has those of
 * metadata only. Never NULL. */
const struct patch_meta *patch_meta_for_kind(const char *kind);
/* Whether orc knows the fields of that kind (the others get the generic rules). */
bool patch_meta_knows_kind(const char *kind);
/* The field of that name among fields (NULL: none known). */
const struct patch_meta *patch_meta_field(const struct patch_meta *fields, const char *name);
