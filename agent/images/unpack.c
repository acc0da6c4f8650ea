/* SPDX-License-Identifier: Apache-2.0 */
/* Layer tarballs: digests and extraction with libarchive, overlay-style whiteouts. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images/unpack.h"
#include "log.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)

#define SPACE_CHECK_EVERY (16 << 20) /* bytes written between two looks at the disk */

char *image_digest_final(EVP_MD_CTX *ctx)
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

bool image_digest_valid(const char *digest)
{
    return digest && strncmp(digest, "sha256:", 7) == 0 && strlen(digest) == 71 &&
           strspn(digest + 7, "0123456789abcdef") == 64;
}

int image_file_digest(const char *path, bool uncompressed, char **ret, int64_t *ret_size,
                      orc_error_t *err)
{
    _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
    if (uncompressed)
        archive_read_support_filter_all(a);
    else
        archive_read_support_filter_none(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK)
        return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(a));
    char buf[1 << 16];
    int64_t size = 0;
    la_ssize_t n = 0;
    /* the raw format reports an empty file as having no entry at all */
    int h = archive_read_next_header(a, &e);
    if (h != ARCHIVE_OK && h != ARCHIVE_EOF)
        return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(a));
    while (h == ARCHIVE_OK && (n = archive_read_data(a, buf, sizeof(buf))) > 0) {
        EVP_DigestUpdate(ctx, buf, (size_t) n);
        size += n;
    }
    if (n < 0)
        return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(a));
    *ret = image_digest_final(ctx);
    if (ret_size)
        *ret_size = size;
    return 0;
}

int image_space_take(struct image_space *s, int64_t n, const char *where, orc_error_t *err)
{
    s->written += n > 0 ? n : 0;
    if (s->written - s->checked < SPACE_CHECK_EVERY && n < SPACE_CHECK_EVERY)
        return 0;
    s->checked = s->written;
    struct statvfs st;
    if (fstatvfs(s->fd, &st) < 0)
        return 0; /* no answer: the write itself will tell */
    int64_t size = (int64_t) st.f_blocks * (int64_t) st.f_frsize;
    int64_t avail = (int64_t) st.f_bavail * (int64_t) st.f_frsize;
    int64_t reserve = size / 20 < IMAGE_MIN_FREE ? size / 20 : IMAGE_MIN_FREE;
    if (avail - n >= reserve)
        return 0;
    return orc_error_make(err, ENOSPC,
                          "'%s': %lld MiB free, too little for %lld MiB more while keeping "
                          "%lld MiB free",
                          where, (long long) (avail >> 20), (long long) ((n + (1 << 20) - 1) >> 20),
                          (long long) (reserve >> 20));
}

/* An entry's path relative to the layer root: "./a", "/a" and "a" are the same file. */
static const char *relative(const char *p)
{
    for (;;) {
        if (p[0] == '/')
            p++;
        else if (p[0] == '.' && p[1] == '/')
            p += 2;
        else
            return p;
    }
}

/* Opens the directory rel below root (creating missing parts with create), never following
 * a symlink and refusing "..": whatever a whiteout or a replacement touches stays inside the
 * layer. */
static int open_dir_below(int root, const char *rel, bool create, orc_error_t *err)
{
    _cleanup_free_ char *copy = xstrdup(rel);
    _cleanup_close_ int fd = fcntl(root, F_DUPFD_CLOEXEC, 3);
    char *save = NULL;
    for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, "."))
            continue;
        if (!strcmp(c, ".."))
            return orc_error_make(err, EINVAL, "'%s' has a '..' component", rel);
        if (create && mkdirat(fd, c, 0755) < 0 && errno != EEXIST)
            return orc_error_make(err, errno, "mkdir '%s'", rel);
        int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0)
            return orc_error_make(err, errno, "below '%s' (not a plain directory)", rel);
        (void) close(fd);
        fd = next;
    }
    return TAKE_FD(fd);
}

/* ".wh.NAME" becomes an overlay whiteout (char device 0:0, which an unprivileged user may
 * create since Linux 5.8); ".wh..wh..opq" marks its directory opaque with the xattr that
 * overlay's "userxattr" mode reads. Other ".wh..wh." entries are aufs bookkeeping. */
static int whiteout(int root, const char *path, orc_error_t *err)
{
    _cleanup_free_ char *parent = xstrdup(path);
    char *slash = strrchr(parent, '/');
    const char *name = (slash ? slash + 1 : parent) + 4;
    if (slash)
        *slash = '\0';
    else
        parent[0] = '\0';
    bool opaque = !strcmp(name, ".wh..opq");
    if (!opaque && (!strncmp(name, ".wh.", 4) || !*name))
        return 0;
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return orc_error_make(err, EINVAL, "invalid whiteout '%s'", path);
    _cleanup_close_ int dir = open_dir_below(root, parent, true, err);
    if (dir < 0)
        return orc_error_wrap(err, "whiteout '%s'", path);
    if (opaque) {
        if (fsetxattr(dir, "user.overlay.opaque", "y", 1, 0) < 0)
            return orc_error_make(err, errno, "mark '%s' opaque", parent);
        return 0;
    }
    if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
        return orc_error_make(err, errno, "whiteout '%s' shadows a directory of its layer", path);
    if (mknodat(dir, name, S_IFCHR | 0000, makedev(0, 0)) < 0)
        return orc_error_make(err, errno, "create whiteout '%s'", path);
    return 0;
}

struct layer {
    struct archive *in, *out;
    const char *dest; /* canonical: libarchive refuses to extract through symlinks */
    int root;
    bool chown_logged;
    struct image_space space;
};

/* docker's unpacker replaces whatever is in an entry's way but a directory by a directory;
 * libarchive's "unlink" removes files and empty directories only. So a directory in the way
 * of anything else goes here: below the layer root, never through a symlink, never following
 * one inside it. Where the parent is no plain directory, libarchive refuses the entry. */
static int clear_directory(struct layer *l, const char *path, orc_error_t *err)
{
    _cleanup_free_ char *parent = xstrdup(path);
    char *slash = strrchr(parent, '/');
    const char *name = slash ? slash + 1 : parent;
    if (slash)
        *slash = '\0';
    _cleanup_close_ int dir = open_dir_below(l->root, slash ? parent : "", false, NULL);
    struct stat st;
    if (dir < 0 || !*name || !strcmp(name, "..") ||
        fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (orc_rm_rf_at(dir, name, err) < 0)
        return orc_error_wrap(err, "replace directory '%s'", path);
    return 0;
}

static int copy_data(struct layer *l, const char *path, orc_error_t *err)
{
    const void *buf;
    size_t size;
    la_int64_t off;
    int r;
    while ((r = archive_read_data_block(l->in, &buf, &size, &off)) == ARCHIVE_OK)
        if (archive_write_data_block(l->out, buf, size, off) < ARCHIVE_WARN)
            return orc_error_make(err, EIO, "write '%s': %s", path, archive_error_string(l->out));
    if (r != ARCHIVE_EOF)
        return orc_error_make(err, EIO, "read '%s': %s", path, archive_error_string(l->in));
    return 0;
}

static int extract_entry(struct layer *l, struct archive_entry *e, orc_error_t *err)
{
    /* copies: setting the entry's pathname below frees the originals */
    _cleanup_free_ char *copy = xstrdup(archive_entry_pathname(e));
    const char *path = relative(copy);
    if (!*path || !strcmp(path, ".") || !strcmp(path, "./"))
        return 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strncmp(base, ".wh.", 4))
        return whiteout(l->root, path, err);
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFCHR || type == AE_IFBLK) {
        log_debug("layer entry '%s' is a device node, skipped", path);
        return 0; /* a user namespace cannot create them; rootless podman skips them too */
    }
    if (type != AE_IFDIR && clear_directory(l, path, err) < 0)
        return -1;
    if (type == AE_IFREG && image_space_take(&l->space, archive_entry_size(e), l->dest, err) < 0)
        return -1;
    _cleanup_free_ char *full = orc_path_join(l->dest, path);
    const char *link = archive_entry_hardlink(e);
    _cleanup_free_ char *full_link = link ? orc_path_join(l->dest, relative(link)) : NULL;
    archive_entry_set_pathname(e, full);
    if (full_link)
        archive_entry_set_hardlink(e, full_link);
    if (archive_write_header(l->out, e) < ARCHIVE_WARN)
        return orc_error_make(err, EIO, "extract '%s': %s", path, archive_error_string(l->out));
    if (archive_entry_size(e) > 0 && !full_link && copy_data(l, path, err) < 0)
        return -1;
    /* chown fails for ids the namespace does not map: keep the file (ignore_chown_errors) */
    int r = archive_write_finish_entry(l->out);
    if (r < ARCHIVE_WARN)
        return orc_error_make(err, EIO, "extract '%s': %s", path, archive_error_string(l->out));
    if (r == ARCHIVE_WARN && !l->chown_logged) {
        log_debug("layer '%s': %s, ignoring", l->dest, archive_error_string(l->out));
        l->chown_logged = true;
    }
    return 0;
}

/* The tar reader reads the decompressed stream through here, so that one pass both
 * extracts the layer and hashes it for its diff_id. */
struct tee {
    struct archive *raw; /* the blob, decompressed (format raw) */
    EVP_MD_CTX *md;
    int64_t size, max; /* bytes decompressed so far, and the bound (0 = none) */
    char buf[1 << 16];
};

static bool tee_over(const struct tee *t)
{
    return t->max && t->size > t->max;
}

/* The next block of the decompressed stream, counted and hashed: its length, 0 at the end,
 * -EIO when it cannot be read, -EFBIG past the bound. */
static la_ssize_t tee_next(struct tee *t)
{
    la_ssize_t n = archive_read_data(t->raw, t->buf, sizeof(t->buf));
    if (n < 0)
        return -EIO;
    t->size += n;
    if (tee_over(t))
        return -EFBIG;
    EVP_DigestUpdate(t->md, t->buf, (size_t) n);
    return n;
}

static la_ssize_t tee_read(struct archive *a, void *cls, const void **out)
{
    struct tee *t = cls;
    la_ssize_t n = tee_next(t);
    if (n < 0) {
        archive_set_error(a, (int) -n, "%s",
                          n == -EFBIG ? "larger than the bound" : archive_error_string(t->raw));
        return -1;
    }
    *out = t->buf;
    return n;
}

static int open_raw(struct tee *t, const char *blob, orc_error_t *err)
{
    struct archive_entry *e;
    archive_read_support_filter_all(t->raw);
    archive_read_support_format_raw(t->raw);
    if (archive_read_open_filename(t->raw, blob, 1 << 16) != ARCHIVE_OK)
        return orc_error_make(err, EIO, "open layer '%s': %s", blob, archive_error_string(t->raw));
    int h = archive_read_next_header(t->raw, &e);
    if (h != ARCHIVE_OK)
        return orc_error_make(err, EIO, "layer '%s': %s", blob,
                              h == ARCHIVE_EOF ? "empty" : archive_error_string(t->raw));
    return 0;
}

static int too_big(const struct tee *t, const char *blob, orc_error_t *err)
{
    orc_error_release(err);
    return orc_error_make_as(err, EFBIG,
                             "layer '%s' unpacks to more than %lld MiB, the bound for one "
                             "layer (orcd --image-max-layer-size)",
                             blob, (long long) (t->max >> 20));
}

/* Hashes what the tar reader left (end blocks, padding) and compares with expected. */
static int check_diff_id(struct tee *t, const char *blob, const char *expected, orc_error_t *err)
{
    la_ssize_t n;
    while ((n = tee_next(t)) > 0)
        ;
    if (n == -EFBIG)
        return too_big(t, blob, err);
    if (n < 0)
        return orc_error_make(err, EIO, "layer '%s': %s", blob, archive_error_string(t->raw));
    _cleanup_free_ char *actual = image_digest_final(t->md);
    if (expected && strcmp(actual, expected) != 0)
        return orc_error_make(err, EINVAL, "layer unpacks to %s, but the image config says %s",
                              actual, expected);
    return 0;
}

int image_unpack_layer(const char *blob, const char *dest, const char *diff_id, int64_t max_size,
                       orc_error_t *err)
{
    if (mkdir(dest, 0755) < 0)
        return orc_error_make(err, errno, "mkdir '%s'", dest);
    char canon[PATH_MAX];
    if (!realpath(dest, canon))
        return orc_error_make(err, errno, "resolve '%s'", dest);
    _cleanup_close_ int root = open(canon, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (root < 0)
        return orc_error_make(err, errno, "open '%s'", canon);
    _cleanup_(archive_read_freep) struct archive *raw = archive_read_new();
    _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
    _cleanup_free_ struct tee *t = xzalloc(sizeof(*t));
    *t = (struct tee){.raw = raw, .md = md, .max = max_size};
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
    struct layer l = {.in = in,
                      .out = archive_write_disk_new(),
                      .dest = canon,
                      .root = root,
                      .space = {.fd = root}};
    archive_read_support_filter_none(in);
    archive_read_support_format_tar(in);
    /* Paths are re-rooted below dest (absolute), so NOABSOLUTEPATHS cannot apply; ".." and
     * symlinks along the path are what libarchive must refuse. */
    archive_write_disk_set_options(
        l.out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                   ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                   ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_UNLINK);
    int r = open_raw(t, blob, err);
    if (r == 0 && archive_read_open(in, t, NULL, tee_read, NULL) != ARCHIVE_OK)
        r = orc_error_make(err, EIO, "open layer '%s': %s", blob, archive_error_string(in));
    struct archive_entry *e;
    int rc = ARCHIVE_OK;
    while (r == 0 && (rc = archive_read_next_header(in, &e)) == ARCHIVE_OK)
        r = extract_entry(&l, e, err);
    if (r == 0 && rc != ARCHIVE_EOF)
        r = orc_error_make(err, EIO, "layer '%s': %s", blob, archive_error_string(in));
    if (tee_over(t))
        r = too_big(t, blob, err); /* whatever the tar reader made of it */
    if (archive_write_close(l.out) < ARCHIVE_WARN && r == 0)
        r = orc_error_make(err, EIO, "finish layer '%s': %s", blob, archive_error_string(l.out));
    archive_write_free(l.out);
    if (r == 0)
        r = check_diff_id(t, blob, diff_id, err);
    return r;
}
