/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images/unpack.h"
#include "images/images.h"
#include "json-util.h"
#include "json-util.h"
#include "strv.h"
#include "tap.h"
#include "tests/test-util.h"
#include "xalloc.h"

static char dir[] = "/tmp/orc-images-XXXXXX";

static void add_entry(struct archive *a, const char *path, mode_t type, const char *data)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e, data ? (la_int64_t) strlen(data) : 0);
    archive_write_header(a, e);
    if (data)
        archive_write_data(a, data, strlen(data));
    archive_entry_free(e);
}

static void test_whiteouts(void)
{
    _cleanup_free_ char *tar = orc_path_join(dir, "wh.tar");
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, tar);
    add_entry(a, "etc/", AE_IFDIR, NULL);
    add_entry(a, "etc/keep", AE_IFREG, "kept\n");
    add_entry(a, "etc/.wh.gone", AE_IFREG, "");
    add_entry(a, "opaque/", AE_IFDIR, NULL);
    add_entry(a, "opaque/.wh..wh..opq", AE_IFREG, "");
    add_entry(a, "../escape", AE_IFREG, "x");
    archive_write_close(a);
    archive_write_free(a);

    _cleanup_free_ char *dest = orc_path_join(dir, "layer");
    orc_error_t err = NULL;
    int r = image_unpack_layer(tar, dest, NULL, 0, &err);
    tap_ok(r < 0 && strstr(orc_error_message(err), ".."), "a '..' entry is refused: %s",
           orc_error_message(err));
    orc_error_release(&err);
    (void) orc_rm_rf(dest, NULL);

    a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    archive_write_open_filename(a, tar);
    add_entry(a, "etc/keep", AE_IFREG, "kept\n");
    add_entry(a, "etc/.wh.gone", AE_IFREG, "");
    add_entry(a, "opaque/.wh..wh..opq", AE_IFREG, "");
    archive_write_close(a);
    archive_write_free(a);
    _cleanup_free_ char *diff_id = NULL;
    tap_is_int(image_file_digest(tar, true, &diff_id, NULL, &err), 0, "uncompressed digest");
    _cleanup_free_ char *wrong_dest = xasprintf("%s-wrong", dest);
    tap_ok(image_unpack_layer(
               tar, wrong_dest,
               "sha256:0000000000000000000000000000000000000000000000000000000000000000", 0,
               &err) < 0 &&
               strstr(orc_error_message(err), diff_id),
           "a layer that does not match its diff_id fails, naming what it is");
    orc_error_release(&err);
    (void) orc_rm_rf(wrong_dest, NULL);
    tap_is_int(image_unpack_layer(tar, dest, diff_id, 0, &err), 0,
               "gzip layer with whiteouts unpacks, and its diff_id checks out in the same pass");
    _cleanup_free_ char *keep = orc_path_join(dest, "etc/keep");
    _cleanup_free_ char *gone = orc_path_join(dest, "etc/gone");
    _cleanup_free_ char *opaque = orc_path_join(dest, "opaque");
    _cleanup_free_ char *marker = orc_path_join(dest, "etc/.wh.gone");
    struct stat st;
    tap_ok(stat(keep, &st) == 0 && S_ISREG(st.st_mode), "regular file extracted");
    tap_ok(stat(gone, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0),
           "whiteout is an overlay char device 0:0");
    tap_ok(access(marker, F_OK) < 0, "the .wh. file itself is not extracted");
    char v[4] = "";
    tap_ok(getxattr(opaque, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y',
           "opaque directory marked with user.overlay.opaque");
}

static char *script(void)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s", __FILE__);
    strcpy(strrchr(path, '/'), "/../../tests/e2e/build-test-image.sh");
    return xstrdup(path);
}

static void test_store(void)
{
    _cleanup_free_ char *sh = script();
    _cleanup_free_ char *cmd = xasprintf("sh '%s' '%s/oci' localhost/a:1 --docker-archive "
                                         "'%s/docker.tar' && sh '%s' '%s/b' b-tag",
                                         sh, dir, dir, sh, dir);
    tap_is_int(system(cmd), 0, "test images built");
    _cleanup_free_ char *storage = orc_path_join(dir, "storage");
    struct images *im = NULL;
    orc_error_t err = NULL;
    tap_is_int(images_open(storage, NULL, &im, &err), 0, "open store");
    char **names = NULL;
    _cleanup_free_ char *oci = orc_path_join(dir, "oci");
    tap_is_int(images_load(im, oci, &names, &err), 0, "load OCI layout");
    tap_ok(names && names[0] && !strcmp(names[0], "localhost/a:1"), "named from ref.name");
    names = strv_free(names);
    _cleanup_free_ char *b = orc_path_join(dir, "b");
    tap_is_int(images_load(im, b, &names, &err), 0, "load layout with a bare tag");
    tap_ok(names && names[0] && !strcmp(names[0], "localhost/b:b-tag"),
           "bare tag named after the layout dir: %s", names && names[0] ? names[0] : "");
    names = strv_free(names);

    struct image *img = NULL;
    tap_is_int(images_resolve(im, "localhost/a:1", &img, &err), 0, "resolve by name");
    tap_is_int(strv_length(img->layers), 1, "one layer");
    _cleanup_free_ char *sh_path = orc_path_join(img->layers[0], "bin/sh");
    struct stat st;
    tap_ok(lstat(sh_path, &st) == 0 && S_ISLNK(st.st_mode), "layer unpacked");
    _cleanup_free_ char *prefix = xstrndup(img->id + 7, 12);
    struct image *by_id = NULL;
    tap_is_int(images_resolve(im, prefix, &by_id, &err), 0, "resolve by id prefix");
    image_free(by_id);
    image_free(img);
    tap_ok(images_resolve(im, "localhost/none", &img, &err) == -ENOENT, "unknown image");
    orc_error_release(&err);

    _cleanup_free_ char *docker = orc_path_join(dir, "docker.tar");
    tap_is_int(images_load(im, docker, &names, &err), 0, "load docker archive: %s",
               err ? orc_error_message(err) : "");
    names = strv_free(names);

    _cleanup_free_ char *bad =
        xasprintf("cp -r '%s/oci' '%s/bad' && f=$(ls -S '%s'/bad/blobs/sha256 "
                  "| head -n1) && echo x >> '%s'/bad/blobs/sha256/$f",
                  dir, dir, dir, dir);
    tap_is_int(system(bad), 0, "corrupted copy made");
    _cleanup_free_ char *badp = orc_path_join(dir, "bad");
    tap_ok(images_load(im, badp, &names, &err) < 0 && strstr(orc_error_message(err), "digest"),
           "corrupted blob refused");
    orc_error_release(&err);

    json_t *list = images_list(im);
    tap_is_int(json_array_size(list), 1, "identical content is one image");
    json_t *first = json_array_get(list, 0);
    tap_ok(orc_json_int(first, "created", -1) == 0 && orc_json_int(first, "loaded", 0) > 0,
           "created: the config's (1970 for the test image), as podman shows it; loaded: when "
           "it was stored");
    json_decref(list);
    /* a record written before the config's time was kept reads it from the config blob */
    _cleanup_free_ char *strip =
        xasprintf("cd '%s/images' && for f in *.json; do jq -c 'del(.imageCreated)' \"$f\" "
                  ">\"$f.new\" && mv \"$f.new\" \"$f\"; done && ! grep -q imageCreated *.json",
                  storage);
    tap_is_int(system(strip), 0, "imageCreated taken out of the records");
    list = images_list(im);
    tap_ok(orc_json_int(json_array_get(list, 0), "created", -1) == 0,
           "an old record: created from the config blob");
    json_decref(list);
    json_t *rec = NULL;
    tap_is_int(images_inspect(im, "localhost/a:1", &rec, &err), 0, "inspect");
    tap_is_str(orc_json_str(rec, "imageCreated"), "1970-01-01T00:00:00Z", "inspect: imageCreated");
    json_decref(rec);
    tap_is_int(images_remove(im, "localhost/a:1", &err), 0, "remove one name");
    tap_is_int(images_resolve(im, "localhost/b:b-tag", &img, &err), 0, "other name kept");
    image_free(img);
    _cleanup_free_ char *layers = orc_path_join(storage, "layers");
    tap_is_int(images_remove(im, "localhost/b:b-tag", &err), 0, "remove the last name");
    tap_is_int(images_remove(im, "localhost/a:1", &err), -ENOENT, "gone");
    orc_error_release(&err);
    list = images_list(im);
    tap_is_int(json_array_size(list), 0, "no image left (the archive carried the same name)");
    json_decref(list);
    _cleanup_free_ char *ls = xasprintf("test -z \"$(ls '%s')\"", layers);
    tap_is_int(system(ls), 0, "unused layers garbage-collected");
    images_close(im);
}

static int count_entries(const char *path)
{
    _cleanup_free_ char *cmd = xasprintf("exit $(ls -A '%s' | wc -l)", path);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void add_link(struct archive *a, const char *path, mode_t type, const char *target)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, 0777);
    if (type == AE_IFLNK)
        archive_entry_set_symlink(e, target);
    else
        archive_entry_set_hardlink(e, target);
    archive_write_header(a, e);
    archive_entry_free(e);
}

static struct archive *new_tar(const char *path)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, path);
    return a;
}

static void close_tar(struct archive *a)
{
    archive_write_close(a);
    archive_write_free(a);
}

static void test_layer_entries(void)
{
    _cleanup_free_ char *tar = orc_path_join(dir, "entries.tar");
    struct archive *a = new_tar(tar);
    add_entry(a, "./bin/", AE_IFDIR, NULL);
    add_entry(a, "./bin/tool", AE_IFREG, "#!/bin/sh\n");
    add_link(a, "./bin/tool-link", AE_IFREG, "./bin/tool");
    add_link(a, "bin/sym", AE_IFLNK, "tool");
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "bin/suid");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 04755);
    archive_entry_set_uid(e, getuid()); /* an owner this test may set, even unprivileged */
    archive_entry_set_gid(e, getgid());
    archive_write_header(a, e);
    archive_entry_clear(e);
    archive_entry_set_pathname(e, "dev/null");
    archive_entry_set_filetype(e, AE_IFCHR);
    archive_entry_set_perm(e, 0666);
    archive_entry_set_rdev(e, makedev(1, 3));
    archive_write_header(a, e);
    archive_entry_free(e);
    close_tar(a);
    _cleanup_free_ char *dest = orc_path_join(dir, "entries");
    orc_error_t err = NULL;
    tap_is_int(image_unpack_layer(tar, dest, NULL, 0, &err), 0,
               "layer with links, setuid file, device");
    _cleanup_free_ char *tool = orc_path_join(dest, "bin/tool");
    _cleanup_free_ char *hard = orc_path_join(dest, "bin/tool-link");
    _cleanup_free_ char *suid = orc_path_join(dest, "bin/suid");
    _cleanup_free_ char *dev = orc_path_join(dest, "dev/null");
    struct stat st1, st2;
    tap_ok(stat(tool, &st1) == 0 && stat(hard, &st2) == 0 && st1.st_ino == st2.st_ino &&
               st1.st_nlink == 2,
           "hard link inside the layer");
    tap_ok(stat(suid, &st1) == 0 && (st1.st_mode & 07777) == 04755, "setuid bit kept");
    _cleanup_free_ char *sym = orc_path_join(dest, "bin/sym");
    char target[16] = "";
    tap_ok(readlink(sym, target, sizeof(target) - 1) == 4 && !strcmp(target, "tool"),
           "symlink kept with its target");
    tap_ok(lstat(dev, &st1) < 0 && errno == ENOENT, "device node skipped");
}

/* Whiteouts must not reach outside the layer, through ".." or a symlink. */
static void test_whiteout_escapes(void)
{
    _cleanup_free_ char *victim = orc_path_join(dir, "victim");
    _cleanup_free_ char *precious = orc_path_join(victim, "precious");
    tap_is_int(test_sh("mkdir -p '%s' && echo x > '%s'", victim, precious), 0, "victim made");
    _cleanup_free_ char *tar = orc_path_join(dir, "escape.tar");
    struct archive *a = new_tar(tar);
    add_link(a, "out", AE_IFLNK, victim);
    add_entry(a, "out/.wh.precious", AE_IFREG, "");
    close_tar(a);
    _cleanup_free_ char *dest = orc_path_join(dir, "escape1");
    orc_error_t err = NULL;
    tap_ok(image_unpack_layer(tar, dest, NULL, 0, &err) < 0,
           "whiteout through a symlink refused: %s", err ? orc_error_message(err) : "");
    orc_error_release(&err);
    struct stat st;
    tap_ok(stat(precious, &st) == 0 && S_ISREG(st.st_mode), "file behind the symlink untouched");

    a = new_tar(tar);
    add_entry(a, "a/", AE_IFDIR, NULL);
    add_entry(a, "a/../../victim/.wh.precious", AE_IFREG, "");
    close_tar(a);
    _cleanup_free_ char *dest2 = orc_path_join(dir, "escape2");
    tap_ok(image_unpack_layer(tar, dest2, NULL, 0, &err) < 0, "whiteout with '..' refused: %s",
           err ? orc_error_message(err) : "");
    orc_error_release(&err);
    tap_ok(stat(precious, &st) == 0 && S_ISREG(st.st_mode), "file outside untouched");
}

/* A layout whose index.json points at a nested index listing two platforms. */
static void make_multi_arch(const char *base, const char *out)
{
    tap_is_int(
        test_sh("set -e; cp -r '%s' '%s'; cd '%s'; m=$(jq -c '.manifests[0] | del(.annotations)' "
                "index.json); "
                "printf '{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci."
                "image.manifest.v1+json\",\"digest\":\"sha256:%s\",\"size\":1,\"platform\":{"
                "\"os\":\"linux\",\"architecture\":\"s390x\"}},%%s]}' \"$(echo \"$m\" | jq -c "
                "'. + {platform: {os: \"linux\", architecture: \"amd64\"}}')\" > nested; "
                "d=$(sha256sum nested | cut -c1-64); mv nested blobs/sha256/$d; "
                "printf '{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd."
                "oci.image.index.v1+json\",\"digest\":\"sha256:%%s\",\"size\":1,\"annotations\":"
                "{\"org.opencontainers.image.ref.name\":\"multi\"}}]}' $d > index.json",
                base, out, out, "0000000000000000000000000000000000000000000000000000000000000000"),
        0, "multi-platform layout made");
}

static void *load_thread(void *arg)
{
    void **a = arg;
    char **names = NULL;
    orc_error_t err = NULL;
    intptr_t r = images_load(a[0], a[1], &names, &err);
    if (r < 0)
        fprintf(stderr, "# concurrent load: %s\n", orc_error_message(err));
    orc_error_release(&err);
    strv_free(names);
    return (void *) r;
}

struct store2 {
    struct images *im;
    char *storage, *layers, *blobs, *base;
};

/* Concurrent loads of one image, then a two-layer image sharing its base layer. */
static void test_shared_layers(struct store2 *st2)
{
    struct images *im = st2->im;
    const char *layers = st2->layers, *blobs = st2->blobs;
    orc_error_t err = NULL;
    void *args[] = {im, st2->base};
    pthread_t t1, t2;
    void *r1 = NULL, *r2 = NULL;
    pthread_create(&t1, NULL, load_thread, args);
    pthread_create(&t2, NULL, load_thread, args);
    pthread_join(t1, &r1);
    pthread_join(t2, &r2);
    tap_ok(r1 == NULL && r2 == NULL, "concurrent loads of one image both succeed");
    json_t *list = images_list(im);
    tap_is_int(json_array_size(list), 1, "one record");
    json_decref(list);
    tap_is_int(count_entries(layers), 1, "one layer, no scratch left");
    tap_is_int(count_entries(blobs), 3, "manifest, config and layer blobs");

    char **names = NULL;
    _cleanup_free_ char *top_tar = xasprintf("%s/top.tar", dir);
    tap_is_int(images_load(im, top_tar, &names, &err), 0, "two-layer docker archive: %s",
               err ? orc_error_message(err) : "");
    tap_ok(names && names[0] && !strcmp(names[0], "localhost/top:1"), "named by RepoTags");
    names = strv_free(names);
    tap_is_int(count_entries(layers), 2, "the base layer is shared");
    struct image *img = NULL;
    tap_is_int(images_resolve(im, "localhost/top:1", &img, &err), 0, "resolve the top image");
    tap_ok(img && strv_length(img->layers) == 2 && strstr(img->layers[0], "/layers/"),
           "two layer dirs, lowest first");
    _cleanup_free_ char *motd = img ? orc_path_join(img->layers[1], "etc/motd") : NULL;
    tap_ok(motd && access(motd, F_OK) == 0, "upper layer holds the added file");
    _cleanup_free_ char *full_id = img ? xstrdup(img->id) : NULL;
    img = image_free(img);
    tap_is_int(images_resolve(im, full_id, &img, &err), 0, "resolve by full id");
    img = image_free(img);

    tap_is_int(images_remove(im, "localhost/top:1", &err), 0, "remove the two-layer image");
    tap_is_int(count_entries(layers), 1, "shared base layer kept, its own layer removed");
    tap_is_int(images_resolve(im, "localhost/base:1", &img, &err), 0, "base image intact");
    _cleanup_free_ char *bin = img ? orc_path_join(img->layers[0], "bin/busybox") : NULL;
    tap_ok(bin && access(bin, X_OK) == 0, "base layer content intact");
    img = image_free(img);
}

/* A refused load leaves nothing behind; other formats; escaping archive members. */
static void test_refused_and_formats(struct store2 *st2)
{
    struct images *im = st2->im;
    const char *layers = st2->layers, *blobs = st2->blobs;
    orc_error_t err = NULL;
    char **names = NULL;
    int before = count_entries(blobs);
    _cleanup_free_ char *bad = orc_path_join(dir, "bad2");
    tap_is_int(test_sh("cp -r '%s/top' '%s' && f=$(ls -S '%s'/blobs/sha256 | sed -n 2p) && "
                       "printf x >> '%s'/blobs/sha256/$f",
                       dir, bad, bad, bad),
               0, "layout with a corrupted second layer");
    tap_ok(images_load(im, bad, &names, &err) < 0, "refused: %s",
           err ? orc_error_message(err) : "");
    orc_error_release(&err);
    tap_is_int(count_entries(blobs), before, "no blob of the refused image stays");
    tap_is_int(count_entries(layers), 1, "no layer of the refused image stays");

    /* an OCI layout inside a tarball, and a nested multi-platform index */
    _cleanup_free_ char *oci_tar = orc_path_join(dir, "base-oci.tar");
    tap_is_int(images_load(im, oci_tar, &names, &err), 0, "OCI layout in a tar");
    names = strv_free(names);
    _cleanup_free_ char *multi = orc_path_join(dir, "Multi_Arch");
    make_multi_arch(st2->base, multi);
    tap_is_int(images_load(im, multi, &names, &err), 0, "nested index: %s",
               err ? orc_error_message(err) : "");
    tap_ok(names && names[0] && !strcmp(names[0], "localhost/multi_arch:multi"),
           "host platform picked, bare tag named after the lowercased dir: %s",
           names && names[0] ? names[0] : "");
    names = strv_free(names);
    json_t *list = images_list(im);
    tap_is_int(json_array_size(list), 1, "still one image (same config)");
    json_decref(list);

    /* a docker archive whose member points outside it */
    _cleanup_free_ char *evil = orc_path_join(dir, "evil");
    tap_is_int(
        test_sh("mkdir -p '%s' && cd '%s' && ln -s /etc/passwd layer.tar && "
                "echo '[{\"Config\":\"c.json\",\"Layers\":[\"layer.tar\"]}]' > manifest.json && "
                "echo '{}' > c.json && tar -cf ../evil.tar .",
                evil, evil),
        0, "archive with an escaping symlink");
    _cleanup_free_ char *evil_tar = orc_path_join(dir, "evil.tar");
    tap_ok(images_load(im, evil_tar, &names, &err) < 0 &&
               strstr(orc_error_message(err), "outside the archive"),
           "member outside the archive refused: %s", err ? orc_error_message(err) : "");
    orc_error_release(&err);
}

static void test_store_more(void)
{
    _cleanup_free_ char *script_path = script();
    _cleanup_free_ char *extra = orc_path_join(dir, "extra");
    tap_is_int(test_sh("mkdir -p '%s/etc' && echo hi > '%s/etc/motd' && sh '%s' '%s/base' "
                       "localhost/base:1 && sh '%s' '%s/top' localhost/top:1 --add-layer '%s' "
                       "--docker-archive '%s/top.tar' && tar -C '%s/base' -cf '%s/base-oci.tar' .",
                       extra, extra, script_path, dir, script_path, dir, extra, dir, dir, dir),
               0, "base and two-layer images built");
    _cleanup_free_ char *storage = orc_path_join(dir, "storage2");
    _cleanup_free_ char *layers = orc_path_join(storage, "layers");
    _cleanup_free_ char *blobs = orc_path_join(storage, "blobs/sha256");
    _cleanup_free_ char *base = orc_path_join(dir, "base");
    struct images *im = NULL;
    orc_error_t err = NULL;
    tap_is_int(images_open(storage, NULL, &im, &err), 0, "open a second store");
    struct store2 st2 = {
        .im = im, .storage = storage, .layers = layers, .blobs = blobs, .base = base};
    test_shared_layers(&st2);
    test_refused_and_formats(&st2);
    int before = count_entries(blobs);

    /* leftovers of an interrupted load go at the next open */
    images_close(im);
    tap_is_int(test_sh("cd '%s' && mkdir -p layers/.tmp-1-1/x tmp-load-1-1/ro tmp-pull-1-3/d && "
                       "touch blobs/sha256/.tmp-1-2 tmp-load-1-1/ro/f tmp-pull-1-3/d/blob "
                       "images/0123.json.tmp.42 && chmod 0555 tmp-load-1-1/ro && chmod 0 "
                       "tmp-pull-1-3/d",
                       storage),
               0, "leftovers made: a load's with a read-only directory, a killed pull's");
    tap_is_int(images_open(storage, NULL, &im, &err), 0, "reopen");
    tap_is_int(count_entries(layers), 1, "scratch layer dir removed");
    tap_is_int(count_entries(blobs), before, "scratch blob removed");
    tap_is_int(test_sh("cd '%s' && test -z \"$(ls -d tmp-* images/*.tmp.* 2>/dev/null)\"", storage),
               0, "scratch dirs of loads and pulls and a record's temporary file removed");
    images_close(im);
}

/* A layer that puts a file where a non-empty directory is: replaced, as docker's unpacker
 * does; what is outside the layer never is. */
static void test_replace_directory(void)
{
    _cleanup_free_ char *victim = orc_path_join(dir, "victim2");
    tap_is_int(test_sh("mkdir -p '%s/sub' && echo x > '%s/sub/precious'", victim, victim), 0,
               "a directory outside the layer");
    _cleanup_free_ char *tar = orc_path_join(dir, "replace.tar");
    struct archive *a = new_tar(tar);
    add_entry(a, "d/", AE_IFDIR, NULL);
    add_entry(a, "d/sub/", AE_IFDIR, NULL);
    add_entry(a, "d/sub/f", AE_IFREG, "old\n");
    add_link(a, "d/out", AE_IFLNK, victim);
    add_entry(a, "d", AE_IFREG, "now a file\n");
    add_entry(a, "e/", AE_IFDIR, NULL);
    add_entry(a, "e/f", AE_IFREG, "x");
    add_link(a, "e", AE_IFLNK, "d");
    add_entry(a, "keep/", AE_IFDIR, NULL);
    add_entry(a, "keep/a", AE_IFREG, "a");
    add_entry(a, "keep/", AE_IFDIR, NULL);
    add_entry(a, "keep/b", AE_IFREG, "b");
    close_tar(a);
    _cleanup_free_ char *dest = orc_path_join(dir, "replace");
    orc_error_t err = NULL;
    tap_is_int(image_unpack_layer(tar, dest, NULL, 0, &err), 0,
               "a file and a symlink replace non-empty directories: %s",
               err ? orc_error_message(err) : "");
    orc_error_release(&err);
    tap_is_int(test_sh("cd '%s' && test -f d && test \"$(cat d)\" = 'now a file' && test -L e && "
                       "test \"$(readlink e)\" = d && test -f keep/a && test -f keep/b",
                       dest),
               0, "the later entries won; a directory merges into a directory");
    tap_is_int(test_sh("test -f '%s/sub/precious'", victim), 0,
               "the replaced directory's symlink to outside was not followed");

    /* the way to the replaced directory leads through a symlink: refused, nothing outside
     * touched */
    a = new_tar(tar);
    add_link(a, "out", AE_IFLNK, dir);
    add_entry(a, "out/victim2", AE_IFREG, "overwritten");
    close_tar(a);
    _cleanup_free_ char *dest2 = orc_path_join(dir, "replace2");
    tap_is_int(image_unpack_layer(tar, dest2, NULL, 0, &err), 0,
               "a symlink in the way of a path is replaced by a directory: %s",
               err ? orc_error_message(err) : "");
    orc_error_release(&err);
    tap_is_int(test_sh("test -f '%s/sub/precious' && test -f '%s/out/victim2'", victim, dest2), 0,
               "the file landed inside the layer, the directory outside stays");
}

/* Runs fn in a user and mount namespace of its own, with a small tmpfs at dir/small.
 * Returns fn's result, 77 when no namespace can be made here. */
static int in_small_fs(int (*fn)(const char *small))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        _cleanup_free_ char *small = orc_path_join(dir, "small");
        if (test_unshare_user_mount() < 0 || mkdir(small, 0755) < 0 ||
            mount("tmpfs", small, "tmpfs", 0, "size=24m") < 0)
            _exit(77);
        _exit(fn(small));
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A layer of 64 MiB of zeros, 64 KiB compressed. */
static char *zero_layer(void)
{
    char *tar = orc_path_join(dir, "zeros.tar.gz");
    if (access(tar, F_OK) < 0 &&
        test_sh("cd '%s' && mkdir -p zeros && head -c 64M /dev/zero > zeros/z && "
                "tar -C zeros -cf - . | gzip -1 > zeros.tar.gz",
                dir) != 0)
        return NULL;
    return tar;
}

static int unpack_in_small(const char *small)
{
    _cleanup_free_ char *tar = zero_layer();
    _cleanup_free_ char *dest = orc_path_join(small, "layer");
    orc_error_t err = NULL;
    int r = image_unpack_layer(tar, dest, NULL, 0, &err);
    printf("# %s\n", err ? orc_error_message(err) : "unpacked");
    fflush(stdout);
    bool ours = r < 0 && err->status == ENOSPC && strstr(orc_error_message(err), "MiB free");
    orc_error_release(&err);
    return ours ? 0 : 1;
}

/* Decompression bombs: a bound on one layer, the disk's reserve, blobs kept compressed. */
static void test_bombs(void)
{
    _cleanup_free_ char *tar = zero_layer();
    tap_ok(tar != NULL, "a 64 MiB layer of zeros");
    _cleanup_free_ char *dest = orc_path_join(dir, "bomb");
    orc_error_t err = NULL;
    int r = image_unpack_layer(tar, dest, NULL, 32 << 20, &err);
    tap_ok(r == -EFBIG && strstr(orc_error_message(err), "more than 32 MiB"),
           "a layer above the bound is refused: %s", err ? orc_error_message(err) : "");
    orc_error_release(&err);
    (void) orc_rm_rf(dest, NULL);
    r = in_small_fs(unpack_in_small);
    if (r == 77)
        printf("# no user and mount namespace here: the free-space check is not tried\n");
    else
        tap_is_int(r, 0, "unpacking stops before the file system is full (ENOSPC, ours)");

    /* a docker archive: its plain tar layers are stored compressed */
    _cleanup_free_ char *storage = orc_path_join(dir, "storage3");
    struct images *im = NULL;
    tap_is_int(images_open(storage, NULL, &im, &err), 0, "open a third store");
    char **names = NULL;
    _cleanup_free_ char *archive = orc_path_join(dir, "docker.tar");
    tap_is_int(images_load(im, archive, &names, &err), 0, "docker archive loaded");
    names = strv_free(names);
    tap_is_int(
        test_sh("l=$(tar -xOf '%s' --wildcards '*/layer.tar' | wc -c) && "
                "cd '%s/blobs/sha256' && for f in *; do [ $(stat -c %%s $f) -lt $((l / 3 * 2)) ] "
                "|| exit 1; done",
                archive, storage),
        0, "no stored blob is the plain layer: it is kept compressed");
    struct image *img = NULL;
    tap_is_int(images_resolve(im, "localhost/a:1", &img, &err), 0, "and the image resolves");
    _cleanup_free_ char *bb = img ? orc_path_join(img->layers[0], "bin/busybox") : NULL;
    tap_ok(bb && access(bb, X_OK) == 0, "its layer unpacked from the compressed blob");
    image_free(img);

    /* an archive member above the bound, before anything is written */
    images_set_max_layer_size(im, 1 << 20);
    tap_ok(images_load(im, archive, &names, &err) == -EFBIG &&
               strstr(orc_error_message(err), "more than one layer may unpack to"),
           "an archive member above the bound is refused: %s", err ? orc_error_message(err) : "");
    orc_error_release(&err);
    images_close(im);
}

/* Names with digests: a docker archive cannot prove one; an OCI layout's must be its
 * index.json digest. More than 100 names are refused, not dropped. */
static void test_names(void)
{
    _cleanup_free_ char *storage = orc_path_join(dir, "storage4");
    struct images *im = NULL;
    orc_error_t err = NULL;
    tap_is_int(images_open(storage, NULL, &im, &err), 0, "open a fourth store");
    char **names = NULL;
    tap_is_int(test_sh("set -e; cd '%s'; rm -rf dn && mkdir dn && tar -C dn -xf docker.tar && "
                       "jq -c '.[0].RepoTags = [\"alpine@sha256:%s\"]' dn/manifest.json > m && "
                       "mv m dn/manifest.json && tar -C dn -cf digest-name.tar .",
                       dir, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
               0, "a docker archive naming a digest");
    _cleanup_free_ char *dn = orc_path_join(dir, "digest-name.tar");
    tap_ok(images_load(im, dn, &names, &err) == -EINVAL &&
               strstr(orc_error_message(err), "cannot prove"),
           "refused: %s", err ? orc_error_message(err) : "");
    orc_error_release(&err);
    json_t *list = images_list(im);
    tap_is_int(json_array_size(list), 0, "nothing stored");
    json_decref(list);

    tap_is_int(test_sh("set -e; cd '%s'; rm -rf od-ok od-bad; cp -r oci od-ok; cp -r oci od-bad; "
                       "d=$(jq -r '.manifests[0].digest' oci/index.json); "
                       "jq -c --arg n \"localhost/pinned@$d\" "
                       "'.manifests[0].annotations[\"org.opencontainers.image.ref.name\"] = $n' "
                       "oci/index.json > od-ok/index.json; "
                       "jq -c '.manifests[0].annotations[\"org.opencontainers.image.ref.name\"] = "
                       "\"localhost/pinned@sha256:%s\"' oci/index.json > od-bad/index.json",
                       dir, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
               0, "OCI layouts naming their own digest and another one");
    _cleanup_free_ char *bad = orc_path_join(dir, "od-bad");
    tap_ok(images_load(im, bad, &names, &err) == -EINVAL &&
               strstr(orc_error_message(err), "index.json gives the image digest"),
           "another digest is refused: %s", err ? orc_error_message(err) : "");
    orc_error_release(&err);
    _cleanup_free_ char *ok = orc_path_join(dir, "od-ok");
    tap_is_int(images_load(im, ok, &names, &err), 0, "its own digest is accepted: %s",
               err ? orc_error_message(err) : "");
    tap_ok(names && names[0] && strstr(names[0], "localhost/pinned@sha256:"), "named so");
    tap_is_int(images_remove(im, names && names[0] ? names[0] : "", &err), 0, "removed again");
    names = strv_free(names);

    tap_is_int(test_sh("set -e; cd '%s'; rm -rf many && mkdir many && tar -C many -xf docker.tar; "
                       "for n in 100 101; do jq -c --argjson n $n "
                       "'.[0].RepoTags = [range($n) | \"localhost/many:\\(.)\"]' "
                       "many/manifest.json > m$n; cp m$n many/manifest.json; "
                       "tar -C many -cf many$n.tar .; done",
                       dir),
               0, "docker archives with 100 and 101 names");
    _cleanup_free_ char *many101 = orc_path_join(dir, "many101.tar");
    tap_ok(images_load(im, many101, &names, &err) == -E2BIG &&
               strstr(orc_error_message(err), "101 names"),
           "101 names are refused, none dropped silently: %s", err ? orc_error_message(err) : "");
    orc_error_release(&err);
    _cleanup_free_ char *many100 = orc_path_join(dir, "many100.tar");
    tap_is_int(images_load(im, many100, &names, &err), 0, "100 names are fine: %s",
               err ? orc_error_message(err) : "");
    tap_is_int(strv_length(names), 100, "all reported");
    names = strv_free(names);
    json_t *rec = NULL;
    tap_is_int(images_inspect(im, "localhost/many:99", &rec, &err), 0, "the 100th is stored");
    tap_is_int(json_array_size(json_object_get(rec, "names")), 100, "all stored");
    json_decref(rec);
    images_close(im);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_whiteouts();
    test_store();
    test_layer_entries();
    test_whiteout_escapes();
    test_store_more();
    test_replace_directory();
    test_bombs();
    test_names();
    orc_rm_rf(dir, NULL);
    return tap_done();
}
