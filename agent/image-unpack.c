/* SPDX-License-Identifier: Apache-2.0 */
/* Layer tarballs: digests and extraction with libarchive, overlay-style whiteouts. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
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
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)

static char *hex_digest(EVP_MD_CTX *ctx)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    char *out = xmalloc(7 + 2 * n + 1);
    strcpy(out, "sha256:");
    for (unsigned i = 0; i < n; i++)
        sprintf(out + 7 + 2 * i, "%02x", md[i]);
    return out;
}

int image_file_digest(const char *path, bool uncompressed, char **ret, int64_t *ret_size,
                      orc_error_t *err)
{
    _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
    if (uncompressed) {
        archive_read_support_filter_all(a);
    } else {
        archive_read_support_filter_none(a);
    }
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK)
        return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(a));
    char buf[1 << 16];
    int64_t size = 0;
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
        EVP_DigestUpdate(ctx, buf, (size_t) n);
        size += n;
    }
    if (n < 0)
        return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(a));
    *ret = hex_digest(ctx);
    if (ret_size)
        *ret_size = size;
    return 0;
}

/* ".wh.NAME" becomes an overlay whiteout; ".wh..wh..opq" marks its directory opaque. */
static int whiteout(const char *dest, const char *path, orc_error_t *err)
{
    _cleanup_free_ char *full = orc_path_join(dest, path);
    char *base = strrchr(full, '/');
    *base = '\0';
    const char *name = base + 1 + 4;
    if (orc_mkdir_p(full, 0755, err) < 0)
        return -1;
    if (!strcmp(name, ".wh..opq")) {
        if (setxattr(full, "user.overlay.opaque", "y", 1, 0) < 0)
            return orc_error_make(err, errno, "mark '%s' opaque", full);
        return 0;
    }
    _cleanup_free_ char *target = orc_path_join(full, name);
    (void) unlink(target);
    if (mknod(target, S_IFCHR | 0000, makedev(0, 0)) < 0)
        return orc_error_make(err, errno, "create whiteout '%s'", target);
    return 0;
}

static int extract_entry(struct archive *in, struct archive *out, struct archive_entry *e,
                         const char *dest, orc_error_t *err)
{
    /* a copy: setting the entry's pathname below frees the original */
    _cleanup_free_ char *copy = xstrdup(archive_entry_pathname(e));
    const char *path = copy;
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    while (path[0] == '/')
        path++;
    if (!*path || !strcmp(path, "."))
        return 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strncmp(base, ".wh.", 4))
        return whiteout(dest, path, err);
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFCHR || type == AE_IFBLK)
        return 0; /* device nodes cannot be created in a user namespace */
    _cleanup_free_ char *full = orc_path_join(dest, path);
    archive_entry_set_pathname(e, full);
    const char *link = archive_entry_hardlink(e);
    _cleanup_free_ char *full_link = link ? orc_path_join(dest, link) : NULL;
    if (full_link)
        archive_entry_set_hardlink(e, full_link);
    int r = archive_write_header(out, e);
    if (r < ARCHIVE_WARN)
        return orc_error_make(err, EIO, "extract '%s': %s", path, archive_error_string(out));
    if (archive_entry_size(e) > 0 && !full_link) {
        const void *buf;
        size_t size;
        la_int64_t off;
        while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
            if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
                return orc_error_make(err, EIO, "write '%s': %s", path,
                                      archive_error_string(out));
        if (r != ARCHIVE_EOF)
            return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(in));
    }
    /* chown fails for ids the namespace does not map: keep the file (ignore_chown_errors) */
    (void) archive_write_finish_entry(out);
    return 0;
}

int image_unpack_layer(const char *blob, const char *dest, orc_error_t *err)
{
    if (mkdir(dest, 0755) < 0)
        return orc_error_make(err, errno, "mkdir '%s'", dest);
    _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
    struct archive *out = archive_write_disk_new();
    archive_read_support_filter_all(in);
    archive_read_support_format_tar(in);
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
                                            ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
                                            ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                            ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                            ARCHIVE_EXTRACT_UNLINK);
    int r = 0;
    if (archive_read_open_filename(in, blob, 1 << 16) != ARCHIVE_OK)
        r = orc_error_make(err, EIO, "open layer '%s': %s", blob, archive_error_string(in));
    struct archive_entry *e;
    int rc = ARCHIVE_OK;
    while (r == 0 && (rc = archive_read_next_header(in, &e)) == ARCHIVE_OK)
        r = extract_entry(in, out, e, dest, err);
    if (r == 0 && rc != ARCHIVE_EOF)
        r = orc_error_make(err, EIO, "layer '%s': %s", blob, archive_error_string(in));
    archive_write_close(out);
    archive_write_free(out);
    return r;
}
