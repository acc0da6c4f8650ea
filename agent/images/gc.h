/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

#include "error.h"

struct images;
struct store;

/* Ids of the images pods use: their containers' imageID, and what their spec images name. */
int image_gc_in_use(struct images *im, struct store *s, char ***ret_ids, orc_error_t *err);

/* kubelet's image garbage collection: when the store's file system is more than high %
 * full, removes images no pod uses, oldest first, until it is below low %. *ret_removed
 * counts them. */
int image_gc_run(struct images *im, struct store *s, int high, int low, int *ret_removed,
                 orc_error_t *err);

/* Which images to remove to go from used to target bytes: unused ones, oldest first (pure).
 * images: [{id, loaded, size}] (oldest: loaded first); returns the ids (NULL-terminated). */
char **image_gc_plan(const json_t *images, char *const *in_use, long long used, long long target);
