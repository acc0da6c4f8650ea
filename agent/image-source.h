/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#include "error.h"

/* One image found in an OCI layout or a `docker save` archive, before it is verified. */
struct image_source {
    char **names;            /* normalised references */
    char *manifest_digest;   /* may be NULL (docker archives) */
    char *config_path;
    char *config_digest;     /* expected digest, NULL = compute */
    char **layer_paths;      /* lowest first */
    char **layer_digests;    /* expected digests of the blobs, NULL = compute */
};

/*
 * Reads path: an OCI image layout directory, or a tarball (docker save, or an OCI layout
 * in a tar) unpacked first into scratch_dir. Naming: a full reference in the
 * org.opencontainers.image.ref.name annotation names the image; a bare tag T names it
 * "localhost/<layout dir name>:T"; docker archives use RepoTags.
 */
int image_sources_read(const char *path, const char *scratch_dir, struct image_source **ret,
                       size_t *ret_n, orc_error_t *err);
void image_sources_free(struct image_source *s, size_t n);
