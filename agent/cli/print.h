/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Pure presentation helpers (unit-tested): kubectl's columns and formats. */

/* kubectl's STATUS column for a pod. Caller frees. */
char *pod_status_text(const json_t *pod);
/* "ready/total" */
char *pod_ready_text(const json_t *pod);
/* Total restarts, with " (5s ago)" when a container terminated before. Caller frees. */
char *pod_restarts_text(const json_t *pod, int64_t now_ns);
/* Short age of an RFC3339 timestamp, "<unknown>" when missing. Caller frees. */
char *age_text(const char *rfc3339, int64_t now_ns);

/* Aligned columns, three spaces apart, as kubectl's tabwriter. */
struct table {
    char ***rows;
    size_t n_rows, n_cols;
};
void table_add(struct table *t, const char *const *cells);
void table_print(struct table *t, FILE *f);
void table_free(struct table *t);

/* JSON as block-style YAML (kubectl -o yaml). */
int json_print_yaml(const json_t *j, FILE *f);
