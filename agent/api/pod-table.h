/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Lists of pods from their stored texts. Each pod's parsed JSON (for selectors), its Table row
 * (what its JSON gives, and its metadata's text for the row's PartialObjectMetadata) are made
 * once and kept while the pod's text stays the same: listing many pods, selected or as a
 * Table, parses only those that changed. One cache for all the API's threads (locked: the
 * kept JSON is only read under the lock).
 */
#include <stddef.h>

#include "api/read.h"
#include "api/table.h"
#include "store/store.h"
#include "text-buf.h"

struct pod_table;

struct pod_table *pod_table_new(void);
struct pod_table *pod_table_free(struct pod_table *t);
/* The page of pods[0..n) (in the order of namespace and name) a list asks for: those after
 * where a continued list resumes that match its selectors, at most its limit. Their indices go
 * to ret_idx (room for n); *ret_remaining counts the matching pods after the page (with
 * selectors it stops at the first: 1). Returns how many. */
size_t pod_table_select(struct pod_table *t, const struct store_pod_text *pods, size_t n,
                        const struct api_read *rd, size_t *ret_idx, size_t *ret_remaining);
/* Appends the Table rows of pods[idx[0..n)] to out ("{...},{...}"), as table_build() makes
 * them. */
void pod_table_rows(struct pod_table *t, const struct store_pod_text *pods, const size_t *idx,
                    size_t n, const struct table_options *opt, struct text_buf *out);
