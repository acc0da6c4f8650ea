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
 * the namespace maps it (chown failures ignored), no path may leave dest; an entry replaces
 * what is in its way, a directory included, as docker's unpacker does (a directory only
 * merges into a directory). In the same pass the decompressed stream is hashed: with
 * diff_id, a layer that does not match it fails. A layer that decompresses to more than
 * max_size bytes (0 = no bound) fails with EFBIG, one that would leave its file system with
 * less than its reserve free (image_space_take) with ENOSPC. */
int image_unpack_layer(const char *blob, const char *dest, const char *diff_id, int64_t max_size,
                       orc_error_t *err);

/* What the store keeps free on its file system: 5 % of it, at most this. */
#define IMAGE_MIN_FREE (1LL << 30)
/* Accounting of what one unpack or copy writes on the file system of fd. */
struct image_space {
    int fd;
    int64_t written, checked; /* bytes so far, and when the disk was last looked at */
};
/* Takes n more bytes about to be written: fails with ENOSPC (naming where) when they would
 * leave the file system with less than its reserve free. Looks at the disk every few MiB
 * and for every large n. */
int image_space_take(struct image_space *s, int64_t n, const char *where, orc_error_t *err);
