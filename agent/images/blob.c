/* SPDX-License-Identifier: Apache-2.0 */
/* Blobs copied into the store: hashed on both sides, layers kept compressed. */
#include "images/blob.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "images/unpack.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)

int image_blob_is_plain(const char *path, bool *ret, orc_error_t *err)
{
    _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK)
        return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(a));
    /* the raw format reports an empty file as having no entry at all */
    int h = archive_read_next_header(a, &e);
    if (h != ARCHIVE_OK && h != ARCHIVE_EOF)
        return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(a));
    /* the filters found, outermost first; "none" is always the last one */
    *ret = archive_filter_count(a) <= 1;
    return 0;
}

/* The destination side: the file, its hash, and the space it takes. */
struct blob_out {
    int fd;
    const char *name;
    EVP_MD_CTX *md;
    int64_t size;
    struct image_space space;
    orc_error_t err;
};

static int out_write(struct blob_out *o, const void *buf, size_t n)
{
    if (!o->err && image_space_take(&o->space, (int64_t) n, o->name, &o->err) == 0) {
        int r = orc_write_all(o->fd, buf, n);
        if (r < 0)
            orc_error_make(&o->err, -r, "write '%s'", o->name);
    }
    if (o->err)
        return -1;
    EVP_DigestUpdate(o->md, buf, n);
    o->size += (int64_t) n;
    return 0;
}

static la_ssize_t compressed_write(struct archive *a, void *cls, const void *buf, size_t n)
{
    if (out_write(cls, buf, n) < 0) {
        archive_set_error(a, EIO, "write failed");
        return -1;
    }
    return (la_ssize_t) n;
}

/* A writer of one compressed stream (the raw format: the data alone, no padding). */
static struct archive *compressor_new(struct blob_out *o, orc_error_t *err)
{
    struct archive *a = archive_write_new();
    if (archive_write_add_filter_zstd(a) != ARCHIVE_OK)
        archive_write_add_filter_gzip(a);
    archive_write_set_format_raw(a);
    archive_write_set_bytes_in_last_block(a, 1);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "layer");
    archive_entry_set_filetype(e, AE_IFREG);
    if (archive_write_open(a, o, NULL, compressed_write, NULL) != ARCHIVE_OK ||
        archive_write_header(a, e) != ARCHIVE_OK) {
        orc_error_make(err, EIO, "compress '%s': %s", o->name, archive_error_string(a));
        archive_write_free(a);
        a = NULL;
    }
    archive_entry_free(e);
    return a;
}

int image_blob_copy(const char *path, int out, const char *out_name, bool compress,
                    char **ret_in_digest, char **ret_out_digest, int64_t *ret_out_size,
                    orc_error_t *err)
{
    _cleanup_close_ int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return orc_error_make(err, errno, "open '%s'", path);
    _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *in_md = EVP_MD_CTX_new();
    _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *out_md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(in_md, EVP_sha256(), NULL);
    EVP_DigestInit_ex(out_md, EVP_sha256(), NULL);
    struct blob_out o = {.fd = out, .name = out_name, .md = out_md, .space = {.fd = out}};
    struct archive *z = compress ? compressor_new(&o, err) : NULL;
    if (compress && !z)
        return -1;
    char buf[1 << 16];
    ssize_t n = 0;
    while (!o.err && (n = read(in, buf, sizeof(buf))) > 0) {
        EVP_DigestUpdate(in_md, buf, (size_t) n);
        if (!z)
            (void) out_write(&o, buf, (size_t) n);
        else if (archive_write_data(z, buf, (size_t) n) != n && !o.err)
            orc_error_make(&o.err, EIO, "compress: %s", archive_error_string(z));
    }
    if (!o.err && n < 0)
        orc_error_make(&o.err, errno, "read");
    if (z && archive_write_close(z) != ARCHIVE_OK && !o.err)
        orc_error_make(&o.err, EIO, "compress: %s", archive_error_string(z));
    if (z)
        archive_write_free(z);
    if (o.err) {
        orc_error_wrap(&o.err, "copy '%s' into the store", path);
        int r = orc_error_code(o.err);
        if (err)
            *err = o.err;
        else
            orc_error_release(&o.err);
        return r;
    }
    if (fsync(out) < 0)
        return orc_error_make(err, errno, "copy '%s' into the store", path);
    *ret_in_digest = image_digest_final(in_md);
    *ret_out_digest = image_digest_final(out_md);
    *ret_out_size = o.size;
    return 0;
}
