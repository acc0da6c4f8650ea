/* SPDX-License-Identifier: Apache-2.0 */
/* The local, content-addressed image store (layout in images.h). */
#include "images/images.h"

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
#include "images/blob.h"
#include "images/source.h"
#include "images/unpack.h"
#include "json-util.h"
#include "log.h"
#include "strv.h"
#include "time-util.h"
#include "sys/userns.h"
#include "xalloc.h"

struct images {
    char *root, *blobs, *layers, *records;
    const struct userns *ns;
    pthread_mutex_t lock; /* guards records, loads, and renames into blobs/ and layers/ */
    struct load *loads;   /* loads in progress */
    unsigned long seq;    /* unique scratch names */
    char **search;        /* unqualified-search registries for short names */
    int64_t max_layer;    /* bytes one layer may unpack to */
};

/* One image being stored: what it put into blobs/ and layers/ but has not recorded yet,
 * which garbage collection must leave alone. */
struct load {
    struct images *im;
    bool verified; /* the source's blobs were checked on arrival: move them in */
    char **busy;
    struct load *next;
};

#define MAX_CONFIG (4u << 20)
#define MAX_NAMES 100

static const char *hex_of(const char *digest)
{
    return strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
}

/* Removes a tree of the store inside the user namespace: layers may hold files of
 * subordinate ids, which only root of the namespace removes (as the user without one). */
static void remove_logged(struct images *im, const char *path)
{
    orc_error_t err = NULL;
    char *args[] = {(char *) path, NULL};
    int r = im->ns ? userns_exec(im->ns, userns_op_rm_rf.name, args, &err) : orc_rm_rf(path, &err);
    if (r < 0) {
        log_warn("remove '%s': %s, ignoring", path, orc_error_message(err));
        orc_error_release(&err);
    }
}

/* What an interrupted load, pull or removal left, every scratch kind: layers/.tmp-*
 * (unpacks, garbage), blobs/.tmp-* (copies), tmp-* (loads, pulls: images_scratch_dir()),
 * images/<id>.json.tmp.<pid> (records being written). Inside the user namespace: an unpack's files
 * may belong to subordinate ids. Called before anything runs in the store. */
static void remove_leftovers(struct images *im)
{
    const char *dirs[] = {im->layers, im->blobs, im->root, im->records};
    const char *marks[] = {".tmp-", ".tmp-", "tmp-", ".json.tmp."};
    for (size_t d = 0; d < ELEMENTSOF(dirs); d++) {
        DIR *dir = opendir(dirs[d]);
        struct dirent *e;
        while (dir && (e = readdir(dir))) {
            const char *at = strstr(e->d_name, marks[d]);
            if (!at || (d < 3 && at != e->d_name)) /* prefixes, but a record's suffix */
                continue;
            _cleanup_free_ char *p = orc_path_join(dirs[d], e->d_name);
            log_debug("removing leftover '%s'", p);
            remove_logged(im, p);
        }
        if (dir)
            closedir(dir);
    }
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
    im->max_layer = IMAGES_MAX_LAYER_DEFAULT;
    pthread_mutex_init(&im->lock, NULL);
    if (orc_mkdir_p(im->blobs, 0700, err) < 0 || orc_mkdir_p(im->layers, 0700, err) < 0 ||
        orc_mkdir_p(im->records, 0700, err) < 0) {
        images_close(im);
        return -1;
    }
    remove_leftovers(im);
    *ret = im;
    return 0;
}

struct images *images_close(struct images *im)
{
    if (!im)
        return NULL;
    pthread_mutex_destroy(&im->lock);
    free(im->root), free(im->blobs), free(im->layers), free(im->records);
    strv_free(im->search);
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

static char *scratch_name(struct images *im, const char *dir, const char *prefix)
{
    pthread_mutex_lock(&im->lock);
    unsigned long seq = ++im->seq;
    pthread_mutex_unlock(&im->lock);
    return xasprintf("%s/%s%d-%lu", dir, prefix, (int) getpid(), seq);
}

/* Renames a verified file or directory into the store and marks it busy until the load
 * records it, so that a concurrent removal's garbage collection leaves it alone. Losing a
 * race against an identical load is fine: content-addressed names hold the same bytes. */
static int publish(struct load *ld, const char *tmp, const char *dest, bool dir, orc_error_t *err)
{
    struct images *im = ld->im;
    pthread_mutex_lock(&im->lock);
    ld->busy = strv_push(ld->busy, strrchr(dest, '/') + 1);
    int r = rename(tmp, dest);
    int e = errno;
    pthread_mutex_unlock(&im->lock);
    if (r == 0)
        return 0;
    if (dir && (e == EEXIST || e == ENOTEMPTY)) {
        remove_logged(im, tmp);
        return 0;
    }
    if (!dir)
        (void) unlink(tmp);
    return orc_error_make(err, e, "rename '%s'", tmp);
}

static int unpack_op(char **args, orc_error_t *err)
{
    return image_unpack_layer(args[0], args[1], args[2], strtoll(args[3], NULL, 10), err);
}

const struct userns_op images_op_unpack_layer = {"unpack-layer", 4, unpack_op};

/* Copies a blob into blobs/ while hashing it (compressed, with compress); refuses it unless
 * what it read matches expected. */
static int copy_verified(struct load *ld, const char *path, const char *expected, bool compress,
                         char **ret, int64_t *ret_size, orc_error_t *err)
{
    struct images *im = ld->im;
    _cleanup_free_ char *tmp = scratch_name(im, im->blobs, ".tmp-");
    _cleanup_close_ int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0)
        return orc_error_make(err, errno, "create '%s'", tmp);
    _cleanup_free_ char *read_digest = NULL, *digest = NULL;
    int64_t size = 0;
    if (image_blob_copy(path, out, tmp, compress, &read_digest, &digest, &size, err) < 0) {
        (void) unlink(tmp);
        return -1;
    }
    if (expected && strcmp(expected, read_digest) != 0) {
        (void) unlink(tmp);
        return orc_error_make(err, EINVAL, "blob '%s' has digest %s, expected %s", path,
                              read_digest, expected);
    }
    _cleanup_free_ char *dest = orc_path_join(im->blobs, hex_of(digest));
    if (publish(ld, tmp, dest, false, err) < 0)
        return -1;
    *ret = TAKE_PTR(digest);
    if (ret_size)
        *ret_size = size;
    return 0;
}

/* A verified blob moved into blobs/, or found there already (content-addressed). */
static int move_blob(struct load *ld, const char *path, const char *digest, int64_t *ret_size,
                     orc_error_t *err)
{
    struct images *im = ld->im;
    _cleanup_free_ char *dest = orc_path_join(im->blobs, hex_of(digest));
    struct stat st;
    pthread_mutex_lock(&im->lock);
    bool present = stat(dest, &st) == 0;
    if (present)
        ld->busy = strv_push(ld->busy, hex_of(digest));
    pthread_mutex_unlock(&im->lock);
    if (!present) {
        if (stat(path, &st) < 0)
            return orc_error_make(err, errno, "stat '%s'", path);
        if (publish(ld, path, dest, false, err) < 0)
            return -1;
    }
    if (ret_size)
        *ret_size = st.st_size;
    return 0;
}

/* Stores a blob (verified against expected, or named by its computed digest). A layer that
 * came as a plain tar (docker archives, uncompressed OCI layers) is stored compressed, under
 * the digest of what is stored. */
static int store_blob(struct load *ld, const char *path, const char *expected, bool layer,
                      char **ret, int64_t *ret_size, orc_error_t *err)
{
    if (expected && !*expected)
        expected = NULL;
    if (expected && !image_digest_valid(expected))
        return orc_error_make(err, EINVAL, "unsupported digest '%s'", expected);
    bool plain = false;
    if (layer && image_blob_is_plain(path, &plain, err) < 0)
        return -1;
    if (expected && ld->verified && !plain) {
        if (move_blob(ld, path, expected, ret_size, err) < 0)
            return -1;
        *ret = xstrdup(expected);
        return 0;
    }
    return copy_verified(ld, path, expected, plain, ret, ret_size, err);
}

/* Unpacks a stored layer blob once into layers/<diff-id hex>, checking its diff_id. */
static int store_layer(struct load *ld, const char *blob_digest, const char *diff_id,
                       orc_error_t *err)
{
    struct images *im = ld->im;
    _cleanup_free_ char *blob = orc_path_join(im->blobs, hex_of(blob_digest));
    _cleanup_free_ char *dest = orc_path_join(im->layers, hex_of(diff_id));
    pthread_mutex_lock(&im->lock);
    bool present = access(dest, F_OK) == 0;
    if (present)
        ld->busy = strv_push(ld->busy, hex_of(diff_id));
    pthread_mutex_unlock(&im->lock);
    if (present)
        return 0;
    /* one pass: the diff_id is checked while unpacking, the result kept only if it matches */
    _cleanup_free_ char *tmp = scratch_name(im, im->layers, ".tmp-");
    /* inside the namespace, so that files keep their owners; without one (tests) as the user,
     * chown errors ignored */
    _cleanup_free_ char *max = xasprintf("%lld", (long long) im->max_layer);
    char *args[] = {blob, tmp, (char *) diff_id, max, NULL};
    int r = im->ns ? userns_exec(im->ns, images_op_unpack_layer.name, args, err)
                   : image_unpack_layer(blob, tmp, diff_id, im->max_layer, err);
    if (r < 0) {
        remove_logged(im, tmp);
        return orc_error_wrap(err, "unpack layer %s", blob_digest);
    }
    return publish(ld, tmp, dest, true, err);
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

/* The stored config blob: its "rootfs.diff_ids" must name one valid digest per layer. */
static int load_config(struct images *im, const char *digest, size_t n_layers, json_t **ret,
                       orc_error_t *err)
{
    _cleanup_free_ char *path = orc_path_join(im->blobs, hex_of(digest));
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    json_auto_t *config = NULL;
    if (orc_read_file(path, MAX_CONFIG, &text, &len, err) < 0 ||
        orc_json_parse(text, len, &config, err) < 0)
        return orc_error_wrap(err, "image config %s", digest);
    json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    if (json_array_size(diff_ids) != n_layers)
        return orc_error_make(err, EINVAL, "image config %s lists %zu diff_ids for %zu layers",
                              digest, json_array_size(diff_ids), n_layers);
    for (size_t i = 0; i < n_layers; i++)
        if (!image_digest_valid(json_string_value(json_array_get(diff_ids, i))))
            return orc_error_make(err, EINVAL, "image config %s: invalid diff_id %zu", digest, i);
    *ret = TAKE_PTR(config);
    return 0;
}

/* Verifies and stores everything an image needs; fills rec's layers, size and digests. */
static int store_image(struct load *ld, const struct image_source *src, json_t *rec,
                       orc_error_t *err)
{
    _cleanup_free_ char *config_digest = NULL, *manifest_digest = NULL;
    if (src->manifest_path && store_blob(ld, src->manifest_path, src->manifest_digest, false,
                                         &manifest_digest, NULL, err) < 0)
        return -1;
    json_auto_t *config = NULL;
    size_t n = strv_length(src->layer_paths);
    if (store_blob(ld, src->config_path, src->config_digest, false, &config_digest, NULL, err) <
            0 ||
        load_config(ld->im, config_digest, n, &config, err) < 0)
        return -1;
    json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
    json_t *layers = json_array();
    json_object_set_new(rec, "layers", layers);
    int64_t size = 0, sz = 0;
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *digest = NULL;
        const char *diff_id = json_string_value(json_array_get(diff_ids, i));
        if (store_blob(ld, src->layer_paths[i], src->layer_digests ? src->layer_digests[i] : NULL,
                       true, &digest, &sz, err) < 0 ||
            store_layer(ld, digest, diff_id, err) < 0)
            return -1;
        size += sz;
        json_array_append_new(layers, json_pack("{s:s,s:s}", "digest", digest, "diffID", diff_id));
    }
    json_object_set_new(rec, "id", json_string(config_digest));
    json_object_set(rec, "config", json_object_get(config, "config") ?: json_object());
    if (json_is_string(json_object_get(config, "created")))
        json_object_set(rec, "imageCreated", json_object_get(config, "created"));
    json_object_set_new(rec, "size", json_integer(size));
    if (manifest_digest)
        json_object_set_new(rec, "manifestDigest", json_string(manifest_digest));
    return 0;
}

/* Writes the record of a stored image: names merged with an existing record's. */
static int record_image(struct images *im, json_t *rec, char **names, orc_error_t *err)
{
    const char *id = orc_json_str(rec, "id");
    _cleanup_free_ char *old_path = xasprintf("%s/%s.json", im->records, hex_of(id));
    json_auto_t *old = read_record_file(old_path);
    json_t *all = json_array();
    json_object_set_new(rec, "names", all);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(old, "names"), i, v)
        json_array_append(all, v);
    for (size_t k = 0; names && names[k]; k++) {
        bool have = false;
        json_array_foreach(all, i, v)
            have |= !strcmp(json_string_value(v), names[k]);
        if (!have)
            json_array_append_new(all, json_string(names[k]));
    }
    if (json_array_size(all) > MAX_NAMES)
        return orc_error_make_as(err, E2BIG,
                                 "image %s would have %zu names, more than the %d one image may "
                                 "have: remove some with 'orc rmi NAME'",
                                 id, json_array_size(all), MAX_NAMES);
    json_object_set_new(rec, "created",
                        json_integer(old ? orc_json_int(old, "created", 0) : orc_time_now_ns()));
    take_names(im, id, names);
    return write_record(im, id, rec, err);
}

static char **collect_garbage(struct images *im);
static void remove_trash(struct images *im, char **trash);

/* Stores one image without holding the lock (unpacking takes long), then records it. */
int images_install(struct images *im, const struct image_source *src, orc_error_t *err)
{
    json_auto_t *rec = json_object();
    struct load ld = {.im = im, .verified = src->verified};
    pthread_mutex_lock(&im->lock);
    ld.next = im->loads;
    im->loads = &ld;
    pthread_mutex_unlock(&im->lock);
    int r = store_image(&ld, src, rec, err);
    pthread_mutex_lock(&im->lock);
    if (r == 0)
        r = record_image(im, rec, src->names, err);
    for (struct load **p = &im->loads; *p; p = &(*p)->next)
        if (*p == &ld) {
            *p = ld.next;
            break;
        }
    strv_free(ld.busy);
    char **trash = r < 0 ? collect_garbage(im) : NULL; /* nothing of a refused image stays */
    pthread_mutex_unlock(&im->lock);
    remove_trash(im, trash);
    return r;
}

char *images_scratch_dir(struct images *im, const char *prefix)
{
    _cleanup_free_ char *p = xasprintf("tmp-%s-", prefix);
    return scratch_name(im, im->root, p);
}

char *images_blob_path(struct images *im, const char *digest)
{
    _cleanup_free_ char *p = orc_path_join(im->blobs, hex_of(digest));
    return access(p, F_OK) == 0 ? TAKE_PTR(p) : NULL;
}

void images_scratch_remove(struct images *im, const char *dir)
{
    remove_logged(im, dir);
}

void images_set_max_layer_size(struct images *im, int64_t bytes)
{
    im->max_layer = bytes;
}

int images_load(struct images *im, const char *path, char ***ret_names, orc_error_t *err)
{
    _cleanup_free_ char *scratch = images_scratch_dir(im, "load");
    struct image_source *srcs = NULL;
    size_t n = 0;
    int r = image_sources_read(path, scratch, im->max_layer, &srcs, &n, err);
    char **names = new0(char *, 1);
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = images_install(im, &srcs[i], err);
        for (size_t k = 0; r == 0 && srcs[i].names[k]; k++)
            names = strv_push(names, srcs[i].names[k]);
    }
    image_sources_free(srcs, n);
    images_scratch_remove(im, scratch);
    if (r < 0) {
        strv_free(names);
        return orc_error_wrap(err, "load '%s'", path);
    }
    *ret_names = names;
    return 0;
}

enum match {
    MATCH_NONE,
    MATCH_NAME,
    MATCH_ID,
    MATCH_PREFIX,
};

static enum match record_matches(const json_t *r, const char *ref, const char *norm)
{
    const char *id = orc_json_str(r, "id");
    if (!id)
        return MATCH_NONE;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "names"), i, v) {
        if (norm && !strcmp(json_string_value(v), norm))
            return MATCH_NAME;
    }
    if (!strcmp(id, ref) || !strcmp(hex_of(id), ref))
        return MATCH_ID;
    size_t n = strlen(ref);
    if (n >= 3 && strspn(ref, "0123456789abcdef") == n && !strncmp(hex_of(id), ref, n))
        return MATCH_PREFIX;
    return MATCH_NONE;
}

/* The record ref names: an exact name or id wins over an id prefix, which must be unique.
 * -ENOENT when none, -EINVAL when a prefix is ambiguous. Called with the lock held. */
static int find_record(struct images *im, const char *ref, json_t **ret, enum match *ret_how,
                       orc_error_t *err)
{
    _cleanup_free_ char *norm = orc_image_ref_normalize(ref);
    json_auto_t *all = all_records(im);
    json_t *found = NULL;
    enum match how = MATCH_NONE;
    size_t i, n_prefix = 0;
    json_t *r;
    json_array_foreach(all, i, r) {
        enum match m = record_matches(r, ref, norm);
        if (m == MATCH_NONE || (how != MATCH_NONE && how != MATCH_PREFIX && m == MATCH_PREFIX))
            continue;
        n_prefix += m == MATCH_PREFIX;
        if (how == MATCH_NONE || how == MATCH_PREFIX) {
            found = r;
            how = m;
        }
    }
    if (!found)
        return orc_error_make(err, ENOENT, "image '%s' not known", ref);
    if (how == MATCH_PREFIX && n_prefix > 1)
        return orc_error_make(err, EINVAL, "image id prefix '%s' is ambiguous", ref);
    *ret = json_incref(found);
    if (ret_how)
        *ret_how = how;
    return 0;
}

/* A short name ("busybox", "team/app") is looked up as is (docker.io), then in each
 * unqualified-search registry, as podman does. Called with the lock held. */
static int find_record_searched(struct images *im, const char *ref, json_t **ret, orc_error_t *err)
{
    int rc = find_record(im, ref, ret, NULL, err);
    for (size_t i = 0; rc == -ENOENT && orc_image_ref_is_short(ref) && im->search && im->search[i];
         i++) {
        _cleanup_free_ char *cand = xasprintf("%s/%s", im->search[i], ref);
        if (find_record(im, cand, ret, NULL, NULL) == 0) {
            orc_error_release(err);
            rc = 0;
        }
    }
    return rc;
}

void images_set_search(struct images *im, char *const *registries)
{
    pthread_mutex_lock(&im->lock);
    strv_free(im->search);
    im->search = registries ? strv_copy(registries) : NULL;
    pthread_mutex_unlock(&im->lock);
}

int images_resolve(struct images *im, const char *ref, struct image **ret, orc_error_t *err)
{
    json_auto_t *r = NULL;
    pthread_mutex_lock(&im->lock);
    int rc = find_record_searched(im, ref, &r, err);
    pthread_mutex_unlock(&im->lock);
    if (rc < 0)
        return rc;
    struct image *img = xzalloc(sizeof(*img));
    img->id = xstrdup(orc_json_str(r, "id"));
    img->manifest_digest = xstrdup(orc_json_str(r, "manifestDigest"));
    img->config = json_incref(json_object_get(r, "config"));
    if (!img->config)
        img->config = json_object();
    img->size = orc_json_int(r, "size", 0);
    img->created = orc_json_int(r, "created", 0);
    img->names = new0(char *, 1);
    img->layers = new0(char *, 1);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "names"), i, v)
        img->names = strv_push(img->names, json_string_value(v));
    json_array_foreach(json_object_get(r, "layers"), i, v) {
        _cleanup_free_ char *dir = orc_path_join(im->layers, hex_of(orc_json_str(v, "diffID")));
        img->layers = strv_push(img->layers, dir);
    }
    *ret = img;
    return 0;
}

/* The image's creation time as its config says it ("created", RFC 3339), which the record
 * keeps as "imageCreated"; a record written before it was kept has it read from the config
 * blob. NULL when the config has none. */
static char *image_created(struct images *im, const json_t *rec)
{
    const char *kept = orc_json_str(rec, "imageCreated");
    if (kept)
        return xstrdup(kept);
    _cleanup_free_ char *path = orc_path_join(im->blobs, hex_of(orc_json_str(rec, "id") ?: ""));
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    json_auto_t *config = NULL;
    orc_error_t err = NULL;
    if (orc_read_file(path, MAX_CONFIG, &text, &len, &err) < 0 ||
        orc_json_parse(text, len, &config, &err) < 0) {
        orc_error_release(&err);
        return NULL;
    }
    const char *created = orc_json_str(config, "created");
    return created ? xstrdup(created) : NULL;
}

json_t *images_list(struct images *im)
{
    pthread_mutex_lock(&im->lock);
    json_t *all = all_records(im);
    pthread_mutex_unlock(&im->lock);
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(all, i, r) {
        _cleanup_free_ char *text = image_created(im, r);
        int64_t created = 0;
        if (!text || orc_time_parse_rfc3339(text, &created) < 0)
            created = orc_json_int(r, "created", 0); /* unknown: when it was stored */
        json_array_append_new(out,
                              json_pack("{s:O,s:O,s:O,s:I,s:O}", "id", json_object_get(r, "id"),
                                        "names", json_object_get(r, "names"), "size",
                                        json_object_get(r, "size"), "created", (json_int_t) created,
                                        "loaded", json_object_get(r, "created")));
    }
    json_decref(all);
    return out;
}

/* Hex names that records or loads in progress use. Called with the lock held. */
static char **in_use(struct images *im)
{
    json_auto_t *all = all_records(im);
    char **keep = new0(char *, 1);
    size_t i, k;
    json_t *r, *l;
    json_array_foreach(all, i, r) {
        keep = strv_push(keep, hex_of(orc_json_str(r, "id") ?: ""));
        keep = strv_push(keep, hex_of(orc_json_str(r, "manifestDigest") ?: ""));
        json_array_foreach(json_object_get(r, "layers"), k, l) {
            keep = strv_push(keep, hex_of(orc_json_str(l, "digest") ?: ""));
            keep = strv_push(keep, hex_of(orc_json_str(l, "diffID") ?: ""));
        }
    }
    for (struct load *ld = im->loads; ld; ld = ld->next)
        for (size_t b = 0; ld->busy && ld->busy[b]; b++)
            keep = strv_push(keep, ld->busy[b]);
    return keep;
}

/* Deletes blobs no image uses and moves such layers aside (fast, under the lock); returns
 * the moved layer dirs, which remove_trash() deletes after the lock is released. */
static char **collect_garbage(struct images *im)
{
    char **keep = in_use(im);
    char **trash = new0(char *, 1);
    const char *dirs[] = {im->layers, im->blobs};
    for (size_t d = 0; d < ELEMENTSOF(dirs); d++) {
        DIR *dir = opendir(dirs[d]);
        struct dirent *e;
        while (dir && (e = readdir(dir))) {
            if (e->d_name[0] == '.' || strv_contains(keep, e->d_name))
                continue;
            _cleanup_free_ char *p = orc_path_join(dirs[d], e->d_name);
            if (d == 1) {
                if (unlink(p) < 0)
                    log_warn("remove blob '%s': %s, ignoring", p, strerror(errno));
                continue;
            }
            im->seq++;
            _cleanup_free_ char *t =
                xasprintf("%s/.tmp-gc-%d-%lu", im->layers, (int) getpid(), im->seq);
            if (rename(p, t) < 0)
                log_warn("remove layer '%s': %s, ignoring", p, strerror(errno));
            else
                trash = strv_push(trash, t);
        }
        if (dir)
            closedir(dir);
    }
    strv_free(keep);
    return trash;
}

/* Layer files belong to subordinate ids: delete them inside the user namespace. */
static void remove_trash(struct images *im, char **trash)
{
    for (size_t i = 0; trash && trash[i]; i++)
        remove_logged(im, trash[i]);
    strv_free(trash);
}

/* By name: drops that name, and the image once no name is left (podman's untag + rmi).
 * By id or id prefix: drops the image with all its names. */
int images_remove(struct images *im, const char *ref, orc_error_t *err)
{
    json_auto_t *r = NULL;
    enum match how = MATCH_NONE;
    char **trash = NULL;
    pthread_mutex_lock(&im->lock);
    int rc = find_record(im, ref, &r, &how, err);
    if (rc == 0) {
        _cleanup_free_ char *norm = orc_image_ref_normalize(ref);
        json_t *names = json_object_get(r, "names");
        for (size_t k = json_array_size(names); how == MATCH_NAME && k > 0; k--)
            if (!strcmp(json_string_value(json_array_get(names, k - 1)), norm))
                json_array_remove(names, k - 1);
        const char *id = orc_json_str(r, "id");
        if (how != MATCH_NAME || json_array_size(names) == 0) {
            _cleanup_free_ char *path = xasprintf("%s/%s.json", im->records, hex_of(id));
            if (unlink(path) < 0)
                rc = orc_error_make(err, errno, "remove '%s'", path);
            else
                trash = collect_garbage(im);
        } else {
            rc = write_record(im, id, r, err);
        }
    }
    pthread_mutex_unlock(&im->lock);
    remove_trash(im, trash);
    return rc;
}

int images_prune(struct images *im, char *const *keep_ids, json_t **ret_removed, orc_error_t *err)
{
    json_t *removed = json_array();
    pthread_mutex_lock(&im->lock);
    json_auto_t *all = all_records(im);
    size_t i;
    json_t *r;
    int rc = 0;
    json_array_foreach(all, i, r) {
        const char *id = orc_json_str(r, "id");
        if (!id || strv_contains(keep_ids, id))
            continue;
        _cleanup_free_ char *path = xasprintf("%s/%s.json", im->records, hex_of(id));
        if (unlink(path) < 0) {
            rc = orc_error_make(err, errno, "remove '%s'", path);
            break;
        }
        json_array_append_new(removed, json_pack("{s:s,s:O,s:I}", "id", id, "names",
                                                 json_object_get(r, "names") ?: json_null(), "size",
                                                 (json_int_t) orc_json_int(r, "size", 0)));
    }
    char **trash = json_array_size(removed) ? collect_garbage(im) : NULL;
    pthread_mutex_unlock(&im->lock);
    remove_trash(im, trash);
    if (rc < 0) {
        json_decref(removed);
        return rc;
    }
    *ret_removed = removed;
    return 0;
}

const char *images_storage_dir(const struct images *im)
{
    return im->root;
}

int images_inspect(struct images *im, const char *ref, json_t **ret, orc_error_t *err)
{
    json_t *r = NULL;
    enum match how = MATCH_NONE;
    pthread_mutex_lock(&im->lock);
    int rc = find_record(im, ref, &r, &how, err);
    pthread_mutex_unlock(&im->lock);
    if (rc < 0)
        return rc;
    if (!json_object_get(r, "imageCreated")) {
        _cleanup_free_ char *created = image_created(im, r);
        if (created)
            json_object_set_new(r, "imageCreated", json_string(created));
    }
    *ret = r;
    return 0;
}
