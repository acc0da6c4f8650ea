/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Pure helpers for the image verbs, podman's presentation (unit-tested). */

/* The 12 hex characters podman shows for "sha256:<64 hex>" (or a bare hex id). */
void image_short_id(const char *id, char buf[static 13]);
/* podman's SIZE: "1.47 MB", "512 kB", "12 B" (SI units, 3 significant digits). Caller frees. */
char *image_size_text(long long bytes);
/* podman's CREATED: "Less than a second ago", "3 minutes ago", "About an hour ago",
 * "2 days ago"... Caller frees. */
char *image_created_text(int64_t delta_ns);
/* The image of items (the agent's ImageList items) that REF names: a full name, a name
 * without the default "localhost/" or "docker.io/library/" prefix or ":latest" tag, or a
 * prefix (>= 3 hex characters) of its id. NULL when none does. */
const json_t *image_find(const json_t *items, const char *ref);
/* REPOSITORY TAG IMAGE ID CREATED SIZE, one row per name ("<none>" when untagged). */
void images_table_print(FILE *f, const json_t *items, int64_t now_ns);
