/* SPDX-License-Identifier: Apache-2.0 */
#include "image-source.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images.h"
#include "json-util.h"
#include "strv.h"
#include "xalloc.h"

#define MAX_JSON (4u << 20)

static int read_json(const char *path, json_t **ret, orc_error_t *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (orc_read_file(path, MAX_JSON, &text, &len, err) < 0 ||
        orc_json_parse(text, len, ret, err) < 0)
        return orc_error_wrap(err, "'%s'", path);
    return 0;
}

static char *blob_path(const char *layout, const char *digest, orc_error_t *err)
{
    if (!digest || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 71 ||
        strspn(digest + 7, "0123456789abcdef") != 64) {
        orc_error_make(err, EINVAL, "unsupported digest '%s'", digest ? digest : "");
        return NULL;
    }
    return xasprintf("%s/blobs/sha256/%s", layout, digest + 7);
}

static bool is_index(const json_t *desc)
{
    const char *mt = orc_json_str(desc, "mediaType");
    return mt && (strstr(mt, "image.index") || strstr(mt, "manifest.list"));
}

/* In a nested index, the manifest for linux/amd64 (the host's arch on these machines). */
static const json_t *pick_platform(const json_t *index)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(index, "manifests"), i, m) {
        json_t *p = json_object_get(m, "platform");
        if (!p || (!strcmp(orc_json_str(p, "os") ?: "", "linux") &&
                   !strcmp(orc_json_str(p, "architecture") ?: "", "amd64")))
            return m;
    }
    return NULL;
}

static char **names_for(const char *layout, const json_t *desc)
{
    const char *ref = orc_json_str(json_object_get(desc, "annotations"),
                                   "org.opencontainers.image.ref.name");
    char **names = new0(char *, 1);
    if (!ref)
        return names;
    _cleanup_free_ char *full = NULL;
    if (strchr(ref, '/') || strchr(ref, ':') || strchr(ref, '@')) {
        full = image_ref_normalize(ref);
    } else {
        _cleanup_free_ char *copy = xstrdup(layout);
        full = xasprintf("localhost/%s:%s", basename(copy), ref);
        char *norm = image_ref_normalize(full);
        free(full);
        full = norm;
    }
    if (full)
        names = strv_push(names, full);
    return names;
}

static int source_from_manifest(const char *layout, const json_t *desc, struct image_source *s,
                                 orc_error_t *err)
{
    _cleanup_free_ char *mpath = blob_path(layout, orc_json_str(desc, "digest"), err);
    json_auto_t *manifest = NULL;
    if (!mpath || read_json(mpath, &manifest, err) < 0)
        return -1;
    s->manifest_digest = xstrdup(orc_json_str(desc, "digest"));
    json_t *cfg = json_object_get(manifest, "config");
    s->config_digest = xstrdup(orc_json_str(cfg, "digest"));
    s->config_path = blob_path(layout, s->config_digest, err);
    if (!s->config_path)
        return -1;
    s->layer_paths = new0(char *, 1);
    s->layer_digests = new0(char *, 1);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(manifest, "layers"), i, l) {
        _cleanup_free_ char *p = blob_path(layout, orc_json_str(l, "digest"), err);
        if (!p)
            return -1;
        s->layer_paths = strv_push(s->layer_paths, p);
        s->layer_digests = strv_push(s->layer_digests, orc_json_str(l, "digest"));
    }
    return 0;
}

static int read_oci_layout(const char *layout, const char *name_dir, struct image_source **ret,
                           size_t *ret_n, orc_error_t *err)
{
    _cleanup_free_ char *ipath = orc_path_join(layout, "index.json");
    json_auto_t *index = NULL;
    if (read_json(ipath, &index, err) < 0)
        return -1;
    size_t n = json_array_size(json_object_get(index, "manifests"));
    struct image_source *srcs = new0(struct image_source, n ? n : 1);
    size_t i, k = 0;
    json_t *desc;
    json_array_foreach(json_object_get(index, "manifests"), i, desc) {
        const json_t *m = desc;
        json_auto_t *nested = NULL;
        if (is_index(desc)) {
            _cleanup_free_ char *p = blob_path(layout, orc_json_str(desc, "digest"), err);
            if (!p || read_json(p, &nested, err) < 0 || !(m = pick_platform(nested))) {
                image_sources_free(srcs, k);
                return orc_error_make(err, ENOENT, "no linux/amd64 image in '%s'", layout);
            }
        }
        srcs[k].names = names_for(name_dir, desc);
        if (source_from_manifest(layout, m, &srcs[k++], err) < 0) {
            image_sources_free(srcs, k);
            return -1;
        }
    }
    *ret = srcs;
    *ret_n = k;
    return 0;
}

static int read_docker_archive(const char *dir, struct image_source **ret, size_t *ret_n,
                               orc_error_t *err)
{
    _cleanup_free_ char *mpath = orc_path_join(dir, "manifest.json");
    json_auto_t *m = NULL;
    if (read_json(mpath, &m, err) < 0)
        return -1;
    size_t n = json_array_size(m);
    struct image_source *srcs = new0(struct image_source, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(m, i);
        const char *cfg = orc_json_str(e, "Config");
        if (!cfg || strstr(cfg, "..")) {
            image_sources_free(srcs, n);
            return orc_error_make(err, EINVAL, "'%s': entry %zu has no valid Config", mpath, i);
        }
        srcs[i].config_path = orc_path_join(dir, cfg);
        srcs[i].names = new0(char *, 1);
        srcs[i].layer_paths = new0(char *, 1);
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(e, "RepoTags"), k, v) {
            _cleanup_free_ char *norm = image_ref_normalize(json_string_value(v));
            if (norm)
                srcs[i].names = strv_push(srcs[i].names, norm);
        }
        json_array_foreach(json_object_get(e, "Layers"), k, v) {
            const char *rel = json_string_value(v);
            if (!rel || strstr(rel, "..")) {
                image_sources_free(srcs, n);
                return orc_error_make(err, EINVAL, "'%s': invalid layer path", mpath);
            }
            _cleanup_free_ char *p = orc_path_join(dir, rel);
            srcs[i].layer_paths = strv_push(srcs[i].layer_paths, p);
        }
    }
    *ret = srcs;
    *ret_n = n;
    return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)

/* Unpacks an image archive (plain files only) into dir. */
static int extract_archive(const char *path, const char *dir, orc_error_t *err)
{
    _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK)
        return orc_error_make(err, EIO, "open '%s': %s", path, archive_error_string(a));
    struct archive *out = archive_write_disk_new();
    /* entries are re-rooted below dir, so ".." and symlinks are what must be refused */
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                            ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    struct archive_entry *e;
    int rc, r = 0;
    while (r == 0 && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        mode_t t = archive_entry_filetype(e);
        if (t != AE_IFREG && t != AE_IFDIR)
            continue;
        _cleanup_free_ char *full = orc_path_join(dir, archive_entry_pathname(e));
        archive_entry_set_pathname(e, full);
        if (archive_write_header(out, e) < ARCHIVE_WARN)
            r = orc_error_make(err, EIO, "extract '%s': %s", path, archive_error_string(out));
        const void *buf;
        size_t size;
        la_int64_t off;
        while (t == AE_IFREG && archive_read_data_block(a, &buf, &size, &off) == ARCHIVE_OK)
            if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
                r = orc_error_make(err, EIO, "extract '%s': %s", path, archive_error_string(out));
    }
    if (r == 0 && rc != ARCHIVE_EOF)
        r = orc_error_make(err, EIO, "'%s' is not a readable image archive: %s", path,
                           archive_error_string(a));
    archive_write_free(out);
    return r;
}

int image_sources_read(const char *path, const char *scratch_dir, struct image_source **ret,
                       size_t *ret_n, orc_error_t *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return orc_error_make(err, errno, "'%s'", path);
    if (S_ISDIR(st.st_mode)) {
        _cleanup_free_ char *marker = orc_path_join(path, "oci-layout");
        if (access(marker, F_OK) < 0)
            return orc_error_make(err, EINVAL, "'%s' is not an OCI image layout (no oci-layout "
                                               "file)", path);
        return read_oci_layout(path, path, ret, ret_n, err);
    }
    if (orc_mkdir_p(scratch_dir, 0700, err) < 0 || extract_archive(path, scratch_dir, err) < 0)
        return -1;
    _cleanup_free_ char *marker = orc_path_join(scratch_dir, "oci-layout");
    _cleanup_free_ char *manifest = orc_path_join(scratch_dir, "manifest.json");
    if (access(manifest, F_OK) == 0)
        return read_docker_archive(scratch_dir, ret, ret_n, err);
    if (access(marker, F_OK) == 0) {
        _cleanup_free_ char *name = xstrdup(path);
        char *dot = strrchr(name, '.');
        if (dot && strchr(dot, '/') == NULL)
            *dot = '\0';
        return read_oci_layout(scratch_dir, name, ret, ret_n, err);
    }
    return orc_error_make(err, EINVAL, "'%s' is neither a docker-save archive nor an OCI layout",
                          path);
}

void image_sources_free(struct image_source *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        strv_free(s[i].names);
        free(s[i].manifest_digest);
        free(s[i].config_path);
        free(s[i].config_digest);
        strv_free(s[i].layer_paths);
        strv_free(s[i].layer_digests);
    }
    free(s);
}
