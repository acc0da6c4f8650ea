/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "images/unpack.h"
#include "json-util.h"
#include "images/registry-manifest.h"
#include "xalloc.h"

#define MAX_LAYERS 512
#define MAX_ENTRIES 1024
#define MAX_BLOB_SIZE (INT64_C(1) << 40)

static const struct {
    const char *type;
    enum layer_compression compression;
} layer_types[] = {
    {"application/vnd.oci.image.layer.v1.tar", LAYER_TAR},
    {"application/vnd.oci.image.layer.v1.tar+gzip", LAYER_GZIP},
    {"application/vnd.oci.image.layer.v1.tar+zstd", LAYER_ZSTD},
    {"application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER_GZIP},
    {"application/vnd.docker.image.rootfs.diff.tar", LAYER_TAR},
};

static void descriptor_done(struct descriptor *d)
{
    free(d->media_type);
    free(d->digest);
    free(d->os);
    free(d->architecture);
    free(d->variant);
}

struct registry_manifest *registry_manifest_free(struct registry_manifest *m)
{
    if (!m)
        return NULL;
    free(m->media_type);
    descriptor_done(&m->config);
    for (size_t i = 0; i < m->n_layers; i++)
        descriptor_done(&m->layers[i]);
    for (size_t i = 0; i < m->n_manifests; i++)
        descriptor_done(&m->manifests[i]);
    free(m->layers);
    free(m->manifests);
    free(m);
    return NULL;
}

static char *opt_str(const json_t *o, const char *key)
{
    const char *s = orc_json_str(o, key);
    return s ? xstrdup(s) : NULL;
}

static int parse_descriptor(const json_t *j, const char *what, struct descriptor *d,
                            orc_error_t *err)
{
    json_t *size = json_object_get(j, "size");
    const char *digest = orc_json_str(j, "digest");
    if (!json_is_object(j))
        return orc_error_make(err, EINVAL, "%s: must be an object", what);
    if (!digest || !image_digest_valid(digest))
        return orc_error_make(err, EINVAL, "%s: digest '%s' is not a sha256 digest", what,
                              digest ? digest : "");
    if (!json_is_integer(size) || json_integer_value(size) < 0 ||
        json_integer_value(size) > MAX_BLOB_SIZE)
        return orc_error_make(err, EINVAL, "%s: size must be a non-negative integer", what);
    if (json_object_get(j, "urls"))
        return orc_error_make(err, ENOTSUP, "%s: foreign layers (with urls) are not supported",
                              what);
    d->media_type = opt_str(j, "mediaType");
    d->digest = xstrdup(digest);
    d->size = json_integer_value(size);
    json_t *pf = json_object_get(j, "platform");
    d->os = opt_str(pf, "os");
    d->architecture = opt_str(pf, "architecture");
    d->variant = opt_str(pf, "variant");
    return 0;
}

static int layer_compression_of(const char *type, enum layer_compression *ret)
{
    for (size_t i = 0; i < sizeof(layer_types) / sizeof(layer_types[0]); i++)
        if (type && !strcmp(type, layer_types[i].type)) {
            *ret = layer_types[i].compression;
            return 0;
        }
    return -ENOTSUP;
}

static int parse_image(const json_t *root, struct registry_manifest *m, orc_error_t *err)
{
    json_t *layers = json_object_get(root, "layers");
    if (parse_descriptor(json_object_get(root, "config"), "config", &m->config, err) < 0)
        return -1;
    if (!json_is_array(layers) || json_array_size(layers) > MAX_LAYERS)
        return orc_error_make(err, EINVAL, "layers: must be an array of at most %d", MAX_LAYERS);
    m->layers = xcalloc(json_array_size(layers) + 1, sizeof(*m->layers));
    for (size_t i = 0; i < json_array_size(layers); i++) {
        char what[32];
        snprintf(what, sizeof(what), "layers[%zu]", i);
        struct descriptor *d = &m->layers[m->n_layers++];
        if (parse_descriptor(json_array_get(layers, i), what, d, err) < 0)
            return -1;
        if (layer_compression_of(d->media_type, &d->compression) < 0)
            return orc_error_make(err, ENOTSUP, "%s: unsupported media type '%s'", what,
                                  d->media_type ? d->media_type : "");
    }
    return 0;
}

static int parse_index(const json_t *root, struct registry_manifest *m, orc_error_t *err)
{
    json_t *list = json_object_get(root, "manifests");
    if (!json_is_array(list) || json_array_size(list) > MAX_ENTRIES)
        return orc_error_make(err, EINVAL, "manifests: must be an array of at most %d",
                              MAX_ENTRIES);
    m->manifests = xcalloc(json_array_size(list) + 1, sizeof(*m->manifests));
    for (size_t i = 0; i < json_array_size(list); i++) {
        char what[32];
        snprintf(what, sizeof(what), "manifests[%zu]", i);
        if (parse_descriptor(json_array_get(list, i), what, &m->manifests[m->n_manifests++], err) <
            0)
            return -1;
    }
    return 0;
}

/* The document's own mediaType, else the response's Content-Type, else its shape. */
static const char *kind_of(const json_t *root, const char *content_type)
{
    const char *t = orc_json_str(root, "mediaType");
    if (t)
        return t;
    if (content_type && strncmp(content_type, "application/json", 16) != 0)
        return content_type;
    return json_object_get(root, "manifests") ? MEDIA_OCI_INDEX : MEDIA_OCI_MANIFEST;
}

int registry_manifest_parse(const char *body, size_t len, const char *content_type,
                            struct registry_manifest **ret, orc_error_t *err)
{
    json_error_t jerr;
    json_auto_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root))
        return orc_error_make(err, EINVAL, "manifest is not a JSON object%s%s", root ? "" : ": ",
                              root ? "" : jerr.text);
    if (orc_json_int(root, "schemaVersion", 0) != 2)
        return orc_error_make(err, ENOTSUP, "manifest schemaVersion %lld is not supported (only 2)",
                              orc_json_int(root, "schemaVersion", 0));
    _cleanup_free_ char *ctype =
        content_type ? xstrndup(content_type, strcspn(content_type, ";")) : NULL;
    const char *kind = kind_of(root, ctype);
    struct registry_manifest *m = xzalloc(sizeof(*m));
    m->media_type = xstrdup(kind);
    int r;
    if (!strcmp(kind, MEDIA_OCI_INDEX) || !strcmp(kind, MEDIA_DOCKER_LIST)) {
        m->is_index = true;
        r = parse_index(root, m, err);
    } else if (!strcmp(kind, MEDIA_OCI_MANIFEST) || !strcmp(kind, MEDIA_DOCKER_MANIFEST)) {
        r = parse_image(root, m, err);
    } else {
        r = orc_error_make(err, ENOTSUP, "manifest media type '%s' is not supported", kind);
    }
    if (r < 0) {
        registry_manifest_free(m);
        return -1;
    }
    *ret = m;
    return 0;
}

int registry_manifest_select(const struct registry_manifest *index, const char *os,
                             const char *architecture, const char *variant,
                             const struct descriptor **ret, orc_error_t *err)
{
    const struct descriptor *best = NULL;
    for (size_t i = 0; i < index->n_manifests; i++) {
        const struct descriptor *d = &index->manifests[i];
        if (!d->os || !d->architecture || strcmp(d->os, os) ||
            strcmp(d->architecture, architecture))
            continue;
        if (variant && (!d->variant || strcmp(d->variant, variant)))
            continue;
        if (!best || (best->variant && !d->variant))
            best = d;
    }
    if (!best)
        return orc_error_make(err, ENOENT, "no image for %s/%s%s%s in the index", os, architecture,
                              variant ? "/" : "", variant ? variant : "");
    *ret = best;
    return 0;
}

const char *registry_host_architecture(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__i386__)
    return "386";
#elif defined(__arm__)
    return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return "ppc64le";
#elif defined(__s390x__)
    return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#else
    return "unknown";
#endif
}
