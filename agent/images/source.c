/* SPDX-License-Identifier: Apache-2.0 */
#include "images/source.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images/unpack.h"
#include "images/images.h"
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
    if (!image_digest_valid(digest)) {
        orc_error_make(err, EINVAL, "unsupported digest '%s'", digest ? digest : "");
        return NULL;
    }
    return xasprintf("%s/blobs/sha256/%s", layout, digest + 7);
}

/* Reads a JSON blob of the layout after checking it against its digest. */
static int read_blob_json(const char *layout, const char *digest, char **ret_path, json_t **ret,
                          orc_error_t *err)
{
    _cleanup_free_ char *path = blob_path(layout, digest, err);
    _cleanup_free_ char *actual = NULL;
    if (!path || image_file_digest(path, false, &actual, NULL, err) < 0)
        return -1;
    if (strcmp(actual, digest) != 0)
        return orc_error_make(err, EINVAL, "blob '%s' has digest %s, expected %s", path, actual,
                              digest);
    if (read_json(path, ret, err) < 0)
        return -1;
    if (ret_path)
        *ret_path = TAKE_PTR(path);
    return 0;
}

/* GOARCH of this machine, the name OCI platforms use. */
static const char *host_arch(void)
{
    static const char *const map[][2] = {
        {"x86_64", "amd64"},    {"aarch64", "arm64"}, {"i686", "386"},       {"armv7l", "arm"},
        {"ppc64le", "ppc64le"}, {"s390x", "s390x"},   {"riscv64", "riscv64"}};
    struct utsname u;
    if (uname(&u) == 0)
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
            if (!strcmp(u.machine, map[i][0]))
                return map[i][1];
    return "amd64";
}

/* A descriptor without a platform fits any host. */
static bool platform_fits(const json_t *desc)
{
    const json_t *p = json_object_get(desc, "platform");
    return !p || (!strcmp(orc_json_str(p, "os") ?: "", "linux") &&
                  !strcmp(orc_json_str(p, "architecture") ?: "", host_arch()));
}

static bool is_index(const json_t *j)
{
    return json_is_array(json_object_get(j, "manifests"));
}

/* Follows nested indexes (bounded) to the image manifest for this host. */
static int resolve_manifest(const char *layout, const json_t *desc, int depth, char **ret_path,
                            char **ret_digest, json_t **ret, orc_error_t *err)
{
    const char *digest = orc_json_str(desc, "digest");
    json_auto_t *j = NULL;
    _cleanup_free_ char *path = NULL;
    if (read_blob_json(layout, digest, &path, &j, err) < 0)
        return -1;
    if (!is_index(j)) {
        if (!json_is_object(json_object_get(j, "config")) ||
            !json_is_array(json_object_get(j, "layers")))
            return orc_error_make(err, EINVAL, "blob %s is not an image manifest", digest);
        *ret_path = TAKE_PTR(path);
        *ret_digest = xstrdup(digest);
        *ret = TAKE_PTR(j);
        return 0;
    }
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(j, "manifests"), i, m) {
        if (depth < 4 && json_object_get(m, "platform") && platform_fits(m))
            return resolve_manifest(layout, m, depth + 1, ret_path, ret_digest, ret, err);
    }
    return orc_error_make(err, ENOENT, "index %s has no image for linux/%s", digest, host_arch());
}

/* The layout directory's name as a repository name: lowercase, other characters '-'. */
static char *repo_from_dir(const char *dir)
{
    _cleanup_free_ char *copy = xstrdup(dir);
    char *base = basename(copy);
    char *out = xstrdup(base);
    for (char *c = out; *c; c++) {
        *c = (char) tolower((unsigned char) *c);
        if (!islower((unsigned char) *c) && !isdigit((unsigned char) *c) && !strchr("._-", *c))
            *c = '-';
    }
    return out;
}

/* The image's name from its index.json descriptor. A name with a digest must name this
 * descriptor's digest (what a registry would answer for it): else a pod pinned to that
 * digest would run other content. */
static int names_for(const char *layout, const json_t *desc, char ***ret, orc_error_t *err)
{
    const char *ref =
        orc_json_str(json_object_get(desc, "annotations"), "org.opencontainers.image.ref.name");
    _cleanup_free_ char *full = NULL;
    if (ref && (strchr(ref, '/') || strchr(ref, ':') || strchr(ref, '@'))) {
        full = orc_image_ref_normalize(ref);
    } else if (ref) {
        _cleanup_free_ char *repo = repo_from_dir(layout);
        _cleanup_free_ char *guess = xasprintf("localhost/%s:%s", repo, ref);
        full = orc_image_ref_normalize(guess);
    }
    const char *at = full ? strchr(full, '@') : NULL;
    const char *digest = orc_json_str(desc, "digest");
    if (at && (!digest || strcmp(at + 1, digest) != 0))
        return orc_error_make_as(err, EINVAL,
                                 "the name '%s' carries a digest, but index.json gives the "
                                 "image digest %s",
                                 ref, digest ? digest : "(none)");
    *ret = new0(char *, 1);
    if (full)
        *ret = strv_push(*ret, full);
    return 0;
}

static int source_from_manifest(const char *layout, const json_t *desc, struct image_source *s,
                                orc_error_t *err)
{
    json_auto_t *manifest = NULL;
    if (resolve_manifest(layout, desc, 0, &s->manifest_path, &s->manifest_digest, &manifest, err) <
        0)
        return -1;
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

/* Every image of index.json that fits this host (a layout may hold several). */
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
        if (!platform_fits(desc))
            continue;
        int r = names_for(name_dir, desc, &srcs[k].names, err);
        if (r == 0)
            r = source_from_manifest(layout, desc, &srcs[k], err);
        k++; /* freed with the others, even half-made */
        if (r < 0) {
            image_sources_free(srcs, k);
            return orc_error_wrap(err, "'%s'", layout);
        }
    }
    if (k == 0) {
        free(srcs);
        return orc_error_make(err, ENOENT, "'%s' holds no image for linux/%s", layout, host_arch());
    }
    *ret = srcs;
    *ret_n = k;
    return 0;
}

/* The digest a docker archive's file name carries ("<hex>.json", "blobs/sha256/<hex>"),
 * or "" when it carries none ("<v1-id>/layer.tar"). */
static char *digest_in_name(const char *rel)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    size_t n = strspn(base, "0123456789abcdef");
    if (n == 64 && (!base[64] || !strcmp(base + 64, ".json")))
        return xasprintf("sha256:%.64s", base);
    return xstrdup("");
}

/* dir/rel, which must stay inside dir even through the archive's symlinks. */
static char *member_path(const char *dir, const char *rel, orc_error_t *err)
{
    char canon_dir[PATH_MAX], canon[PATH_MAX];
    _cleanup_free_ char *p = rel ? orc_path_join(dir, rel) : NULL;
    if (!p || !realpath(dir, canon_dir) || !realpath(p, canon) ||
        strncmp(canon, canon_dir, strlen(canon_dir)) != 0 || canon[strlen(canon_dir)] != '/') {
        orc_error_make(err, EINVAL, "archive member '%s' is missing or outside the archive",
                       rel ? rel : "");
        return NULL;
    }
    return TAKE_PTR(p);
}

static int docker_entry(const char *dir, const json_t *e, struct image_source *s, orc_error_t *err)
{
    const char *cfg = orc_json_str(e, "Config");
    s->names = new0(char *, 1);
    s->layer_paths = new0(char *, 1);
    s->layer_digests = new0(char *, 1);
    if (!(s->config_path = member_path(dir, cfg, err)))
        return -1;
    s->config_digest = digest_in_name(cfg);
    if (!*s->config_digest)
        s->config_digest = (free(s->config_digest), NULL);
    size_t k;
    json_t *v;
    json_array_foreach(json_object_get(e, "RepoTags"), k, v) {
        _cleanup_free_ char *norm = orc_image_ref_normalize(json_string_value(v));
        /* the archive holds no manifest, so nothing proves a digest: a pod pinned to one
         * would run whatever was loaded under it */
        if (norm && strchr(norm, '@'))
            return orc_error_make_as(err, EINVAL,
                                     "'%s' carries a digest, which a docker archive cannot "
                                     "prove (it holds no manifest): name it by tag, or load "
                                     "an OCI layout",
                                     json_string_value(v));
        if (norm && !strv_contains(s->names, norm))
            s->names = strv_push(s->names, norm);
    }
    json_array_foreach(json_object_get(e, "Layers"), k, v) {
        _cleanup_free_ char *p = member_path(dir, json_string_value(v), err);
        _cleanup_free_ char *d = p ? digest_in_name(json_string_value(v)) : NULL;
        if (!p)
            return -1;
        s->layer_paths = strv_push(s->layer_paths, p);
        s->layer_digests = strv_push(s->layer_digests, d);
    }
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
    if (n == 0)
        return orc_error_make(err, EINVAL, "'%s' lists no image", mpath);
    struct image_source *srcs = new0(struct image_source, n);
    for (size_t i = 0; i < n; i++)
        if (docker_entry(dir, json_array_get(m, i), &srcs[i], err) < 0) {
            image_sources_free(srcs, n);
            return orc_error_wrap(err, "'%s' entry %zu", mpath, i);
        }
    *ret = srcs;
    *ret_n = n;
    return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)

/* A member above the bound of one layer is refused before it is written; and the disk
 * keeps its reserve. */
static int member_fits(const char *path, struct archive_entry *e, int64_t max,
                       struct image_space *space, orc_error_t *err)
{
    int64_t size = archive_entry_size(e);
    if (max && size > max)
        return orc_error_make_as(err, EFBIG,
                                 "'%s': member '%s' is %lld MiB, more than one layer may "
                                 "unpack to (%lld MiB, orcd --image-max-layer-size)",
                                 path, archive_entry_pathname(e), (long long) (size >> 20),
                                 (long long) (max >> 20));
    return image_space_take(space, size, path, err);
}

/* Unpacks an image archive into dir: files, directories and the symlinks older `docker save`
 * writes between layer directories (member_path() keeps their targets inside dir). */
static int extract_archive(const char *path, const char *dir, int64_t max, orc_error_t *err)
{
    _cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return orc_error_make(err, errno, "open '%s'", dir);
    struct image_space space = {.fd = dir_fd};
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
        if ((t != AE_IFREG && t != AE_IFDIR && t != AE_IFLNK) || archive_entry_hardlink(e))
            continue;
        if (t == AE_IFREG && member_fits(path, e, max, &space, err) < 0) {
            r = -1;
            break;
        }
        _cleanup_free_ char *full = orc_path_join(dir, archive_entry_pathname(e));
        archive_entry_set_pathname(e, full);
        if (archive_write_header(out, e) < ARCHIVE_WARN)
            r = orc_error_make(err, EIO, "extract '%s': %s", path, archive_error_string(out));
        const void *buf;
        size_t size;
        la_int64_t off;
        while (r == 0 && t == AE_IFREG &&
               archive_read_data_block(a, &buf, &size, &off) == ARCHIVE_OK)
            if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
                r = orc_error_make(err, EIO, "extract '%s': %s", path, archive_error_string(out));
    }
    if (r == 0 && rc != ARCHIVE_EOF)
        r = orc_error_make(err, EIO, "'%s' is not a readable image archive: %s", path,
                           archive_error_string(a));
    archive_write_free(out);
    return r;
}

int image_sources_read(const char *path, const char *scratch_dir, int64_t max_member,
                       struct image_source **ret, size_t *ret_n, orc_error_t *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return orc_error_make(err, errno, "'%s'", path);
    if (S_ISDIR(st.st_mode)) {
        _cleanup_free_ char *marker = orc_path_join(path, "oci-layout");
        if (access(marker, F_OK) < 0)
            return orc_error_make(err, EINVAL,
                                  "'%s' is not an OCI image layout (no oci-layout "
                                  "file)",
                                  path);
        return read_oci_layout(path, path, ret, ret_n, err);
    }
    if (orc_mkdir_p(scratch_dir, 0700, err) < 0 ||
        extract_archive(path, scratch_dir, max_member, err) < 0)
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
        free(s[i].manifest_path);
        free(s[i].config_path);
        free(s[i].config_digest);
        strv_free(s[i].layer_paths);
        strv_free(s[i].layer_digests);
    }
    free(s);
}
