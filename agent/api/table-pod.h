/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A pod's Table row, split into what its JSON gives (struct pod_row: computed once, kept while
 * the pod's text is the same) and its cells at a time (ages count to "now"). Pure.
 */
#include <jansson.h>
#include <stdint.h>

#include "pod-summary.h"

struct pod_row {
    char *name, *ip, *node, *nominated, *gates;
    struct pod_summary summary;
    int64_t created_ns;      /* metadata.creationTimestamp, 0 when unknown */
    const char *final_phase; /* "Succeeded" or "Failed" (the row is Completed), else NULL */
};

void pod_row_init(const json_t *pod, struct pod_row *ret);
void pod_row_done(struct pod_row *row);
/* Appends the row's cells at now_ns to cells. */
void pod_row_cells(const struct pod_row *row, int64_t now_ns, json_t *cells);
/* The row's conditions (a completed pod's), or NULL. */
json_t *pod_row_conditions(const struct pod_row *row);
