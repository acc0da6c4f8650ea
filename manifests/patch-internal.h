/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What the three patch appliers share (patch-util.c), and their entry points. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "patch-meta.h"
#include "patch.h"

/* A patch error: status as listed in patch.h, the message as written (no strerror). */
#define patch_error(err, status, ...) orc_error_make_as(err, status, __VA_ARGS__)

/* JSON equality with numbers compared by value (1 equals 1.0), as RFC 6902's test. */
bool patch_json_equal(const json_t *a, const json_t *b);

/* A string, number or boolean as text that two values share exactly when Go's == on their
 * decoded forms holds ("s" + the string, "n" + the number, "t", "f"); NULL for null, an
 * object or an array. Caller frees. */
char *patch_scalar_key(const json_t *v);

/* A value as Go's %v prints a decoded one (map[k:v k2:v2], [a b], 1e+06), cut after about a
 * kilobyte, for messages that say what apimachinery says. Caller frees. */
char *patch_json_go(const json_t *v);
/* The Go type of a decoded value: "map[string]interface {}", "[]interface {}", "string",
 * "float64", "bool", "<nil>". */
const char *patch_go_type(const json_t *v);

/* The number of containers nested in v (a scalar: 0, [] or {}: 1); counting stops past
 * limit (the result is then limit + 1). Adds the nodes visited to *nodes. */
size_t patch_json_height(const json_t *v, size_t limit, size_t *nodes);

/* Copies of a patch's values for the result. PATCH_CLEAN_STRIP leaves out null members of
 * objects and the directive keys ($patch, $retainKeys, $setElementOrder/...,
 * $deleteFromPrimitiveList/...), which an API server's typed decoding drops;
 * PATCH_CLEAN_DROP also leaves out every object that has a $patch key (NULL when v is
 * one), as apimachinery does with a value the original lacks. */
enum patch_clean {
    PATCH_CLEAN_STRIP,
    PATCH_CLEAN_DROP,
};
json_t *patch_clean_copy(const json_t *v, enum patch_clean mode);
bool patch_is_directive_key(const char *key);

int json_patch_apply(const json_t *doc, const json_t *ops, json_t **ret, orc_error_t *err);
json_t *merge_patch_apply(const json_t *target, const json_t *patch);
int strategic_merge_apply(const struct patch_meta *schema, const json_t *doc, const json_t *patch,
                          json_t **ret, orc_error_t *err);
