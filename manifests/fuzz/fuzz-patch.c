/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the three patch types. The input is JSON: an object with "original" and
 * "patch" (a case of testdata/patch/), or an array of them; each is applied as every type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void apply_all(const json_t *c)
{
    const json_t *original = json_object_get(c, "original");
    const json_t *patch = json_object_get(c, "patch");
    if (!original || !patch)
        return;
    char *before = json_dumps(original, JSON_ENCODE_ANY);
    for (int t = 0; t < _PATCH_TYPE_MAX; t++) {
        json_t *result = NULL;
        orc_error_t err = NULL;
        if (patch_apply(t, json_string_value(json_object_get(c, "kind")), original, patch, &result,
                        &err) == 0 &&
            !json_is_object(result))
            abort(); /* a result is always an object */
        json_decref(result);
        orc_error_release(&err);
    }
    char *after = json_dumps(original, JSON_ENCODE_ANY);
    if (!before || !after || strcmp(before, after))
        abort(); /* the input is never modified */
    free(before);
    free(after);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    if (patch_decode((const char *) data, size, NULL, &j, NULL) < 0)
        return 0;
    if (json_is_array(j))
        for (size_t i = 0; i < json_array_size(j); i++)
            apply_all(json_array_get(j, i));
    else
        apply_all(j);
    json_decref(j);
    return 0;
}
