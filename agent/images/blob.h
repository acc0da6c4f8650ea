/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Whether a layer blob is a plain tar: no compression libarchive knows (gzip, zstd, ...). */
int image_blob_is_plain(const char *path, bool *ret, orc_error_t *err);

/*
 * Copies the file path into the open file out (named out_name in messages), hashing what it
 * reads and what it writes; with compress, what it writes is path's content compressed (zstd,
 * gzip where libarchive lacks zstd), the same bytes for the same input. The copy keeps the
 * store's file system from filling up (image_space_take: ENOSPC). *ret_in_digest and
 * *ret_out_digest ("sha256:<hex>") and *ret_out_size describe both sides.
 */
int image_blob_copy(const char *path, int out, const char *out_name, bool compress,
                    char **ret_in_digest, char **ret_out_digest, int64_t *ret_out_size,
                    orc_error_t *err);
