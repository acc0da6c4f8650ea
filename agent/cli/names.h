/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/* kind Pod documents' metadata.name/namespace, for `orc delete -f` (pure, unit-tested). */
struct object_name {
    char *name;
    char *ns; /* NULL when the document names none */
};

int manifest_object_names(const char *buf, size_t len, struct object_name **ret, size_t *ret_n);
void object_names_free(struct object_name *n, size_t count);
