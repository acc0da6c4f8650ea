/* SPDX-License-Identifier: Apache-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "image-unpack.h"
#include "images.h"
#include "strv.h"
#include "tap.h"
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
    int r = image_unpack_layer(tar, dest, &err);
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
    tap_is_int(image_unpack_layer(tar, dest, &err), 0, "gzip layer with whiteouts unpacks");
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

    _cleanup_free_ char *bad = xasprintf("cp -r '%s/oci' '%s/bad' && f=$(ls -S '%s'/bad/blobs/sha256 "
                                         "| head -n1) && echo x >> '%s'/bad/blobs/sha256/$f",
                                         dir, dir, dir, dir);
    tap_is_int(system(bad), 0, "corrupted copy made");
    _cleanup_free_ char *badp = orc_path_join(dir, "bad");
    tap_ok(images_load(im, badp, &names, &err) < 0 && strstr(orc_error_message(err), "digest"),
           "corrupted blob refused");
    orc_error_release(&err);

    json_t *list = images_list(im);
    tap_is_int(json_array_size(list), 1, "identical content is one image");
    json_decref(list);
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

static void test_refs(void)
{
    const char *cases[][2] = {
        {"busybox", "docker.io/library/busybox:latest"},
        {"busybox:1.36", "docker.io/library/busybox:1.36"},
        {"user/app", "docker.io/user/app:latest"},
        {"localhost/x", "localhost/x:latest"},
        {"localhost:5000/a", "localhost:5000/a:latest"},
        {"reg.example:5000/a/b@sha256:00", "reg.example:5000/a/b@sha256:00"},
        {"UPPER/case", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *n = image_ref_normalize(cases[i][0]);
        if (cases[i][1])
            tap_is_str(n, cases[i][1], "normalise %s", cases[i][0]);
        else
            tap_ok(n == NULL, "refuse %s", cases[i][0]);
        free(n);
    }
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_refs();
    test_whiteouts();
    test_store();
    orc_rm_rf(dir, NULL);
    return tap_done();
}
