/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <openssl/evp.h>
#include <stdint.h>

#include "error.h"

/* Finishes a SHA-256 context as "sha256:<hex>" (allocated). */
char *image_digest_final(EVP_MD_CTX *ctx);
/* "sha256:" followed by 64 lowercase hex digits: the only digests the store accepts. */
bool image_digest_valid(const char *digest);
/* SHA-256 of a file's bytes, or (uncompressed = true) of its decompressed content, as
 * "sha256:<hex>". */
int image_file_digest(const char *path, bool uncompressed, char **ret, int64_t *ret_size,
                      orc_error_t *err);
/* Extracts a layer tarball (any compression libarchive knows) into dest, which must not
 * exist; overlay whiteouts for ".wh." entries, device nodes skipped, ownership kept where
 * the namespace maps it (chown failures ignored), no path may leave dest. In the same pass
 * the decompressed stream is hashed: with diff_id, a layer that does not match it fails. */
int image_unpack_layer(const char *blob, const char *dest, const char *diff_id, orc_error_t *err);
