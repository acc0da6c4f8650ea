/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Image manifests and indexes as registries serve them (OCI and Docker schema 2); pure. */

#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
/* The Accept header of a manifest request, preferred first. */
#define MANIFEST_ACCEPT                                                                            \
    MEDIA_OCI_INDEX ", " MEDIA_DOCKER_LIST ", " MEDIA_OCI_MANIFEST ", " MEDIA_DOCKER_MANIFEST

enum layer_compression {
    LAYER_TAR,
    LAYER_GZIP,
    LAYER_ZSTD,
    _LAYER_COMPRESSION_MAX,
    _LAYER_COMPRESSION_INVALID = -22,
};

struct descriptor {
    char *media_type;
    char *digest; /* "sha256:<64 hex>" */
    int64_t size;
    char *os, *architecture, *variant;  /* index entries only, may be NULL */
    enum layer_compression compression; /* layers only */
};

struct registry_manifest {
    bool is_index;
    char *media_type;
    struct descriptor config;  /* images */
    struct descriptor *layers; /* images, lowest first */
    size_t n_layers;
    struct descriptor *manifests; /* indexes */
    size_t n_manifests;
};

/* Parses a manifest or index; content_type (the response's, may be NULL) decides when the
 * document names no mediaType. Schema 1 and foreign layers are refused with a reason. */
int registry_manifest_parse(const char *body, size_t len, const char *content_type,
                            struct registry_manifest **ret, orc_error_t *err);
struct registry_manifest *registry_manifest_free(struct registry_manifest *m);

/* The index entry for os/architecture[/variant] (variant NULL: any, preferring none). */
int registry_manifest_select(const struct registry_manifest *index, const char *os,
                             const char *architecture, const char *variant,
                             const struct descriptor **ret, orc_error_t *err);

/* This machine's platform as OCI names it: "amd64", "arm64", ... and its variant or NULL. */
const char *registry_host_architecture(void);
