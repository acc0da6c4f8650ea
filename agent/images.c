/* SPDX-License-Identifier: Apache-2.0 */
/* The local, content-addressed image store (layout in images.h). */
#include "images.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "image-source.h"
#include "image-unpack.h"
#include "json-util.h"
#include "log.h"
#include "strv.h"
#include "time-util.h"
#include "userns.h"
#include "xalloc.h"

struct images {
    char *root, *blobs, *layers, *records;
    const struct userns *ns;
    pthread_mutex_t lock;
};

static const char *hex_of(const char *digest)
{
    return strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
}

int images_open(const char *storage_dir, const struct userns *ns, struct images **ret,
                orc_error_t *err)
{
    struct images *im = xzalloc(sizeof(*im));
    im->root = xstrdup(storage_dir);
    im->blobs = orc_path_join(storage_dir, "blobs/sha256");
    im->layers = orc_path_join(storage_dir, "layers");
    im->records = orc_path_join(storage_dir, "images");
    im->ns = ns;
    pthread_mutex_init(&im->lock, NULL);
    if (orc_mkdir_p(im->blobs, 0700, err) < 0 || orc_mkdir_p(im->layers, 0700, err) < 0 ||
        orc_mkdir_p(im->records, 0700, err) < 0) {
        images_close(im);
        return -1;
    }
    *ret = im;
    return 0;
}

struct images *images_close(struct images *im)
{
    if (!im)
        return NULL;
    pthread_mutex_destroy(&im->lock);
    free(im->root), free(im->blobs), free(im->layers), free(im->records);
    free(im);
    return NULL;
}

struct image *image_free(struct image *img)
{
    if (!img)
        return NULL;
    free(img->id);
    strv_free(img->names);
    free(img->manifest_digest);
    json_decref(img->config);
    strv_free(img->layers);
    free(img);
    return NULL;
}

/* Runs fn inside the user namespace when there is one (tests run without). */
static int in_userns(struct images *im, int (*fn)(void *, orc_error_t *), void *arg,
                     orc_error_t *err)
{
    return im->ns ? userns_run(im->ns, fn, arg, err) : fn(arg, err);
}

struct unpack_args {
    const char *blob, *dest;
};

static int unpack_fn(void *arg, orc_error_t *err)
{
    struct unpack_args *a = arg;
    return image_unpack_layer(a->blob, a->dest, err);
}

static int rm_fn(void *arg, orc_error_t *err)
{
    return orc_rm_rf(arg, err);
}

static int copy_file(const char *from, const char *to, orc_error_t *err)
{
    if (access(to, F_OK) == 0)
        return 0;
    _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return orc_error_make(err, errno, "open '%s'", from);
    _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", to, (int) getpid());
    _cleanup_close_ int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0)
        return orc_error_make(err, errno, "create '%s'", tmp);
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t) n) != n) {
            (void) unlink(tmp);
            return orc_error_make(err, errno, "write '%s'", tmp);
        }
    if (n < 0 || fsync(out) < 0 || rename(tmp, to) < 0) {
        (void) unlink(tmp);
        return orc_error_make(err, errno, "store '%s'", to);
    }
    return 0;
}

/* Verifies a blob against its expected digest (or computes it) and copies it into blobs/. */
static int store_blob(struct images *im, const char *path, const char *expected, char **ret,
                      int64_t *ret_size, orc_error_t *err)
{
    _cleanup_free_ char *digest = NULL;
    if (image_file_digest(path, false, &digest, ret_size, err) < 0)
        return -1;
    if (expected && strcmp(expected, digest) != 0)
        return orc_error_make(err, EINVAL, "blob '%s' has digest %s, expected %s", path, digest,
                              expected);
    _cleanup_free_ char *dest = orc_path_join(im->blobs, hex_of(digest));
    if (copy_file(path, dest, err) < 0)
        return -1;
    *ret = TAKE_PTR(digest);
    return 0;
}

/* Unpacks a stored layer blob once, checking its diff_id. */
static int store_layer(struct images *im, const char *blob_digest, const char *diff_id,
                       orc_error_t *err)
{
    _cleanup_free_ char *blob = orc_path_join(im->blobs, hex_of(blob_digest));
    _cleanup_free_ char *dest = orc_path_join(im->layers, hex_of(diff_id));
    if (access(dest, F_OK) == 0)
        return 0;
    _cleanup_free_ char *actual = NULL;
    if (image_file_digest(blob, true, &actual, NULL, err) < 0)
        return -1;
    if (strcmp(actual, diff_id) != 0)
        return orc_error_make(err, EINVAL, "layer %s unpacks to %s, but the config says %s",
                              blob_digest, actual, diff_id);
    _cleanup_free_ char *tmp = xasprintf("%s/.tmp-%s-%d", im->layers, hex_of(diff_id),
                                         (int) getpid());
    (void) in_userns(im, rm_fn, tmp, NULL);
    struct unpack_args a = {.blob = blob, .dest = tmp};
    if (in_userns(im, unpack_fn, &a, err) < 0) {
        (void) in_userns(im, rm_fn, tmp, NULL);
        return orc_error_wrap(err, "unpack layer %s", diff_id);
    }
    if (rename(tmp, dest) < 0)
        return orc_error_make(err, errno, "rename '%s'", tmp);
    return 0;
}

static int write_record(struct images *im, const char *id, json_t *rec, orc_error_t *err)
{
    _cleanup_free_ char *path = xasprintf("%s/%s.json", im->records, hex_of(id));
    _cleanup_free_ char *text = json_dumps(rec, JSON_INDENT(1) | JSON_SORT_KEYS);
    return orc_write_file_atomic(path, text, strlen(text), 0600, err);
}

static json_t *read_record_file(const char *path)
{
    return json_load_file(path, 0, NULL);
}

/* Every image record (array). */
static json_t *all_records(struct images *im)
{
    json_t *all = json_array();
    DIR *d = opendir(im->records);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        _cleanup_free_ char *p = orc_path_join(im->records, e->d_name);
        json_t *r = read_record_file(p);
        if (r)
            json_array_append_new(all, r);
    }
    if (d)
        closedir(d);
    return all;
}

/* A name belongs to one image: take it from any other. */
static void take_names(struct images *im, const char *id, char **names)
{
    json_auto_t *all = all_records(im);
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r) {
        if (!strcmp(orc_json_str(r, "id") ?: "", id))
            continue;
        json_t *rn = json_object_get(r, "names");
        bool changed = false;
        for (size_t k = json_array_size(rn); k > 0; k--)
            if (strv_contains(names, json_string_value(json_array_get(rn, k - 1)))) {
                json_array_remove(rn, k - 1);
                changed = true;
            }
        if (changed)
            (void) write_record(im, orc_json_str(r, "id"), r, NULL);
    }
}

static int install(struct images *im, const struct image_source *src, orc_error_t *err)
{
    _cleanup_free_ char *config_digest = NULL;
    int64_t size = 0, sz;
    if (store_blob(im, src->config_path, src->config_digest, &config_digest, NULL, err) < 0)
        return -1;
    json_auto_t *config = json_load_file(src->config_path, 0, NULL);
    json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    size_t n = strv_length(src->layer_paths);
    if (!config || json_array_size(diff_ids) != n)
        return orc_error_make(err, EINVAL, "image config %s does not list one diff_id per layer",
                              config_digest);
    json_t *layers = json_array();
    json_auto_t *rec = json_pack("{s:s,s:o,s:O,s:o}", "id", config_digest, "names", json_array(),
                            "config", json_object_get(config, "config") ?: json_object(),
                            "layers", layers);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *digest = NULL;
        const char *diff_id = json_string_value(json_array_get(diff_ids, i));
        if (store_blob(im, src->layer_paths[i], src->layer_digests ? src->layer_digests[i] : NULL,
                       &digest, &sz, err) < 0 ||
            !diff_id || store_layer(im, digest, diff_id, err) < 0)
            return err && *err ? -1 : orc_error_make(err, EINVAL, "layer %zu lacks a diff_id", i);
        size += sz;
        json_array_append_new(layers, json_pack("{s:s,s:s}", "digest", digest, "diffID", diff_id));
    }
    _cleanup_free_ char *old_path = xasprintf("%s/%s.json", im->records, hex_of(config_digest));
    json_auto_t *old = read_record_file(old_path);
    json_t *names = json_object_get(rec, "names");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(old, "names"), i, v) json_array_append(names, v);
    for (size_t k = 0; src->names && src->names[k]; k++)
        if (json_array_size(names) < 100) {
            bool have = false;
            json_array_foreach(names, i, v) have |= !strcmp(json_string_value(v), src->names[k]);
            if (!have)
                json_array_append_new(names, json_string(src->names[k]));
        }
    json_object_set_new(rec, "size", json_integer(size));
    json_object_set_new(rec, "created", json_integer(old ? orc_json_int(old, "created", 0)
                                                         : orc_time_now_ns()));
    if (src->manifest_digest)
        json_object_set_new(rec, "manifestDigest", json_string(src->manifest_digest));
    take_names(im, config_digest, src->names);
    return write_record(im, config_digest, rec, err);
}

int images_load(struct images *im, const char *path, char ***ret_names, orc_error_t *err)
{
    _cleanup_free_ char *scratch = xasprintf("%s/tmp-load-%d-%lld", im->root, (int) getpid(),
                                             (long long) orc_time_mono_ns());
    struct image_source *srcs = NULL;
    size_t n = 0;
    pthread_mutex_lock(&im->lock);
    int r = image_sources_read(path, scratch, &srcs, &n, err);
    char **names = new0(char *, 1);
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = install(im, &srcs[i], err);
        for (size_t k = 0; r == 0 && srcs[i].names[k]; k++)
            names = strv_push(names, srcs[i].names[k]);
    }
    pthread_mutex_unlock(&im->lock);
    image_sources_free(srcs, n);
    (void) orc_rm_rf(scratch, NULL);
    if (r < 0) {
        strv_free(names);
        return orc_error_wrap(err, "load '%s'", path);
    }
    *ret_names = names;
    return 0;
}

static bool record_matches(const json_t *r, const char *ref, const char *norm)
{
    const char *id = orc_json_str(r, "id");
    if (!id)
        return false;
    if (!strcmp(id, ref))
        return true;
    size_t n = strlen(ref);
    if (n >= 3 && strspn(ref, "0123456789abcdef") == n && !strncmp(hex_of(id), ref, n))
        return true;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "names"), i, v) if (norm &&
                                                               !strcmp(json_string_value(v), norm))
        return true;
    return false;
}

/* The one record ref names; -ENOENT when none, -EINVAL when an id prefix is ambiguous. */
static int find_record(struct images *im, const char *ref, json_t **ret, orc_error_t *err)
{
    _cleanup_free_ char *norm = image_ref_normalize(ref);
    json_auto_t *all = all_records(im);
    json_t *found = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r) {
        if (!record_matches(r, ref, norm))
            continue;
        if (found)
            return orc_error_make(err, EINVAL, "image reference '%s' is ambiguous", ref);
        found = r;
    }
    if (!found)
        return orc_error_make(err, ENOENT, "image '%s' not known", ref);
    *ret = json_incref(found);
    return 0;
}

int images_resolve(struct images *im, const char *ref, struct image **ret, orc_error_t *err)
{
    json_auto_t *r = NULL;
    pthread_mutex_lock(&im->lock);
    int rc = find_record(im, ref, &r, err);
    pthread_mutex_unlock(&im->lock);
    if (rc < 0)
        return rc;
    struct image *img = xzalloc(sizeof(*img));
    img->id = xstrdup(orc_json_str(r, "id"));
    img->manifest_digest = xstrdup(orc_json_str(r, "manifestDigest"));
    img->config = json_incref(json_object_get(r, "config"));
    img->size = orc_json_int(r, "size", 0);
    img->created = orc_json_int(r, "created", 0);
    img->names = new0(char *, 1);
    img->layers = new0(char *, 1);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "names"), i, v) img->names =
        strv_push(img->names, json_string_value(v));
    json_array_foreach(json_object_get(r, "layers"), i, v) {
        _cleanup_free_ char *dir = orc_path_join(im->layers, hex_of(orc_json_str(v, "diffID")));
        img->layers = strv_push(img->layers, dir);
    }
    *ret = img;
    return 0;
}

json_t *images_list(struct images *im)
{
    pthread_mutex_lock(&im->lock);
    json_t *all = all_records(im);
    pthread_mutex_unlock(&im->lock);
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r) json_array_append_new(
        out, json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(r, "id"), "names",
                       json_object_get(r, "names"), "size", json_object_get(r, "size"), "created",
                       json_object_get(r, "created")));
    json_decref(all);
    return out;
}

/* Deletes layers and blobs no remaining image uses. */
static void collect_garbage(struct images *im)
{
    json_auto_t *all = all_records(im);
    char **keep = NULL;
    size_t i, k;
    json_t *r, *l;
    json_array_foreach(all, i, r) {
        keep = strv_push(keep, hex_of(orc_json_str(r, "id") ?: ""));
        json_array_foreach(json_object_get(r, "layers"), k, l) {
            keep = strv_push(keep, hex_of(orc_json_str(l, "digest") ?: ""));
            keep = strv_push(keep, hex_of(orc_json_str(l, "diffID") ?: ""));
        }
    }
    const char *dirs[] = {im->layers, im->blobs};
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        struct dirent *e;
        while (dir && (e = readdir(dir))) {
            if (e->d_name[0] == '.' || strv_contains(keep, e->d_name))
                continue;
            _cleanup_free_ char *p = orc_path_join(dirs[d], e->d_name);
            orc_error_t err = NULL;
            if ((d == 0 ? in_userns(im, rm_fn, p, &err) : orc_rm_rf(p, &err)) < 0) {
                log_warn("remove '%s': %s, ignoring", p, orc_error_message(err));
                orc_error_release(&err);
            }
        }
        if (dir)
            closedir(dir);
    }
    strv_free(keep);
}

int images_remove(struct images *im, const char *ref, orc_error_t *err)
{
    json_auto_t *r = NULL;
    pthread_mutex_lock(&im->lock);
    int rc = find_record(im, ref, &r, err);
    if (rc == 0) {
        _cleanup_free_ char *norm = image_ref_normalize(ref);
        json_t *names = json_object_get(r, "names");
        for (size_t k = json_array_size(names); norm && k > 0; k--)
            if (!strcmp(json_string_value(json_array_get(names, k - 1)), norm))
                json_array_remove(names, k - 1);
        const char *id = orc_json_str(r, "id");
        bool by_id = !norm || !strcmp(id, ref) || strncmp(hex_of(id), ref, strlen(ref)) == 0;
        if (json_array_size(names) == 0 || by_id) {
            _cleanup_free_ char *path = xasprintf("%s/%s.json", im->records, hex_of(id));
            if (unlink(path) < 0)
                rc = orc_error_make(err, errno, "remove '%s'", path);
            else
                collect_garbage(im);
        } else {
            rc = write_record(im, id, r, err);
        }
    }
    pthread_mutex_unlock(&im->lock);
    return rc;
}
