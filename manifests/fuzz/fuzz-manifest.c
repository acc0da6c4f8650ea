/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the YAML parser, validation and the JSON round trip. */
#include <stdint.h>
#include <stdlib.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct manifest_result *r = NULL;
    if (manifest_parse((const char *) data, size, "fuzz.yaml", &r) == 0) {
        for (size_t i = 0; i < r->n_docs; i++) {
            if (!r->docs[i].pod) { /* another kind: its object is the JSON itself */
                if (!json_is_object(r->docs[i].object))
                    abort();
                continue;
            }
            json_t *j = pod_to_json(r->docs[i].pod);
            struct pod *back = NULL;
            orc_error_t err = NULL;
            if (pod_from_json(j, &back, &err) < 0)
                abort(); /* a validated pod must survive the round trip */
            json_t *again = pod_to_json(back);
            if (!json_equal(j, again))
                abort();
            json_decref(again);
            pod_free(back);
            json_decref(j);
        }
    }
    for (size_t i = 0; r && i < r->n_errors; i++)
        free(manifest_diag_format(&r->errors[i]));
    manifest_result_free(r);
    return 0;
}
