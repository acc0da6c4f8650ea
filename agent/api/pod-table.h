/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Tables of pods from their stored texts. Each pod's row (what its JSON gives, and its
 * metadata's text for the row's PartialObjectMetadata) is computed once and kept while the
 * pod's text stays the same: listing many pods as a Table parses only those that changed.
 * One cache for all the API's threads (locked).
 */
#include <stddef.h>

#include "api/table.h"
#include "store/store.h"
#include "text-buf.h"

struct pod_table;

struct pod_table *pod_table_new(void);
struct pod_table *pod_table_free(struct pod_table *t);
/* Appends the Table rows of pods[0..n) to out ("{...},{...}"), as table_build() makes them. */
void pod_table_rows(struct pod_table *t, const struct store_pod_text *pods, size_t n,
                    const struct table_options *opt, struct text_buf *out);
