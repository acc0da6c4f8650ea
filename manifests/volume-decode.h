/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Decoding of spec.volumes and containers[].volumeMounts (volume-decode.c, mount-decode.c). */
#include "decode.h"

/* spec.volumes into pod->volumes: each validated, names unique. */
void decode_volumes(struct decoder *d, const struct ynode *n, struct pod *pod);
/* containers[].volumeMounts into c->mounts: each validated alone. */
void decode_volume_mounts(struct decoder *d, const struct ynode *n, struct container *c);
/* After the whole spec: each mount names a volume, mount paths are unique per container.
 * cnode is the container's node (for positions); the path is the container's. */
void validate_volume_mounts(struct decoder *d, const struct ynode *cnode, const struct pod *pod,
                            const struct container *c);
