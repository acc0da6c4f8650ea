/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "manifest.h"

/* The pod of a one-document manifest, for tests: aborts when it does not parse. */
static inline struct pod *pod_of(const char *yaml)
{
    struct manifest_result *r = NULL;
    if (manifest_parse(yaml, strlen(yaml), "t.yaml", &r) < 0 || r->n_docs != 1)
        abort();
    struct pod *p = r->docs[0].pod;
    r->docs[0].pod = NULL;
    manifest_result_free(r);
    return p;
}
