/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One image found in an OCI layout or a `docker save` archive, before it is verified. */
struct image_source {
    char **names;          /* normalised references */
    char *manifest_digest; /* may be NULL (docker archives) */
    char *manifest_path;   /* verified manifest blob, NULL with manifest_digest */
    char *config_path;
    char *config_digest;  /* expected digest, NULL = compute */
    char **layer_paths;   /* lowest first */
    char **layer_digests; /* expected digests of the blobs; NULL or "" = compute */
    bool verified;        /* every blob was checked against its digest on arrival (pulls):
                             the store moves them in instead of copying */
};

/*
 * Reads path: an OCI image layout directory (index.json, nested indexes followed to the
 * image for this host's linux/<arch>, every JSON blob checked against its digest), or a
 * tarball (docker save, or an OCI layout in a tar) unpacked first into scratch_dir (no member
 * above max_member bytes, 0 = no bound; the disk keeps its reserve). Naming: a full
 * reference in the org.opencontainers.image.ref.name annotation names the image (one with a
 * digest must give its index.json descriptor's digest); a bare tag T names it
 * "localhost/<layout dir name, lowercased>:T"; docker archives use RepoTags, which may not
 * carry digests (nothing in the archive proves one). Layer and config blobs are checked
 * later, by the store, against the digests given here (or, in docker archives, the digests
 * their file names carry: "<hex>.json", "blobs/sha256/<hex>").
 */
int image_sources_read(const char *path, const char *scratch_dir, int64_t max_member,
                       struct image_source **ret, size_t *ret_n, orc_error_t *err);
void image_sources_free(struct image_source *s, size_t n);
