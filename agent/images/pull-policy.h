/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "manifest.h"

/*
 * What a pod's container does about its image before a start: kubelet's image manager, with
 * orc's rule for machines without a registry. Pure: the pod worker looks things up and acts.
 */
enum image_need {
    IMAGE_NEED_INVALID, /* no valid reference: InvalidImageName, never pulled nor retried */
    IMAGE_NEED_STORED,  /* only the store (Never, or "localhost/..." as podman): absent is
                           ErrImageNeverPull */
    IMAGE_NEED_PRESENT, /* the stored image, pulled when absent (IfNotPresent) */
    IMAGE_NEED_PULL,    /* a pull first (Always, not pulled for this start yet) */
    _IMAGE_NEED_MAX,
    _IMAGE_NEED_INVALID = -22,
};

/* pulled: the image was pulled (or its stored copy chosen) for this start already. */
enum image_need image_pull_need(const char *image, enum pull_policy policy, bool pulled);

/*
 * Whether a failed pull (its error status) may be answered with the stored image: only for
 * an Always that Kubernetes implied from the tag (":latest" or none), not one written in
 * the manifest; only when the registry could not be reached at all (name resolution,
 * connection, TLS: REGISTRY_UNREACHABLE), not when it answered (not found, unauthorized);
 * and never on a node set to kubelet's strict rule.
 */
bool image_pull_may_use_stored(enum pull_policy policy, bool policy_implied, bool strict,
                               int pull_status);
