/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "image-ref.h"

struct userns;

/*
 * Content-addressed image store under $XDG_DATA_HOME/orc/storage:
 *   blobs/sha256/<hex>          manifests, configs, compressed layers (as received; a plain
 *                               tar layer compressed, under the digest of what is stored)
 *   layers/<diffid-hex>/        each layer unpacked once (inside the user namespace, so
 *                               ownership maps through it); whiteouts as overlay expects
 *   images/<image-id-hex>.json  one record per image (id = config digest): names, config,
 *                               layers; a name belongs to one image at a time
 * Thread-safe: one mutex guards the metadata.
 */
struct images;

struct image {
    char *id;     /* "sha256:<hex>" of the config */
    char **names; /* normalised references, NULL-terminated */
    char *manifest_digest;
    json_t *config;  /* the OCI image config ("config" object: Entrypoint, Cmd, Env, ...) */
    char **layers;   /* absolute unpacked layer dirs, lowest first, NULL-terminated */
    int64_t size;    /* bytes of compressed layers */
    int64_t created; /* ns since epoch, when loaded */
};

/* The user namespace op that unpacks one layer ("unpack-layer BLOB DEST DIFF_ID"): layers
 * are unpacked by orcd re-executed inside the namespace (see sys/userns.h). */
struct userns_op;
extern const struct userns_op images_op_unpack_layer;

int images_open(const char *storage_dir, const struct userns *ns, struct images **ret,
                orc_error_t *err);
struct images *images_close(struct images *im);

/* Imports an OCI image layout directory or a `docker save` tarball (format detected).
 * Returns the loaded images' names through ret_names (NULL-terminated). Atomic per image.
 * Refused (EINVAL): a blob that does not match its digest, a name whose digest is not the
 * image's (docker archives cannot prove one: their names may not carry digests); E2BIG: an
 * image with more than 100 names; EFBIG: a layer above the bound; ENOSPC: a disk that would
 * be left with less than its reserve (see images/unpack.h). */
int images_load(struct images *im, const char *path, char ***ret_names, orc_error_t *err);
/* Installs one image whose blobs are files (see images/source.h); atomic, as a load. */
struct image_source;
int images_install(struct images *im, const struct image_source *src, orc_error_t *err);
/* A fresh scratch directory name inside the store (same file system as the blobs):
 * "tmp-PREFIX-...", removed at the next images_open() if left behind. */
char *images_scratch_dir(struct images *im, const char *prefix);
/* Removes a scratch directory (in the user namespace; a failure is logged). */
void images_scratch_remove(struct images *im, const char *dir);
/* The most one layer may unpack to (bytes); IMAGES_MAX_LAYER_DEFAULT until set. A larger
 * layer, and an archive member larger than that, is refused (EFBIG). */
#define IMAGES_MAX_LAYER_DEFAULT (16LL << 30)
void images_set_max_layer_size(struct images *im, int64_t bytes);
/* The stored blob with this digest, or NULL. */
char *images_blob_path(struct images *im, const char *digest);

/* Finds an image by reference ("busybox", "busybox:1.36", "localhost/x:y", "sha256:..."
 * or an unambiguous id prefix). -ENOENT when absent. */
int images_resolve(struct images *im, const char *ref, struct image **ret, orc_error_t *err);
/* JSON array of {id, names, size, created, loaded}: created (ns since the epoch) is the
 * image's creation time from its config (when it has none: when it was stored), loaded when
 * it was stored. */
json_t *images_list(struct images *im);
/* Removes a reference; the image's data goes when no name is left. -ENOENT when absent. */
int images_remove(struct images *im, const char *ref, orc_error_t *err);
struct image *image_free(struct image *img);
/* Removes every image whose id is not in keep_ids; *ret_removed: [{id, names, size}]. */
int images_prune(struct images *im, char *const *keep_ids, json_t **ret_removed, orc_error_t *err);
/* The stored record of an image: id, names, manifestDigest, config, layers
 * [{digest, diffID}], size, created (when it was stored, ns), imageCreated (its config's
 * "created", when it has one). -ENOENT when absent. */
int images_inspect(struct images *im, const char *ref, json_t **ret, orc_error_t *err);
/* The store's root directory (for disk usage). */
const char *images_storage_dir(const struct images *im);

/* Registries a short name is also looked up in (after docker.io), as podman's
 * unqualified-search-registries. */
void images_set_search(struct images *im, char *const *registries);
