/* SPDX-License-Identifier: Apache-2.0 */
#include "fs-util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "xalloc.h"

int orc_mkdir_p(const char *path, mode_t mode, orc_error_t *err)
{
    _cleanup_free_ char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            return orc_error_make(err, errno, "mkdir '%s'", p);
        *s = '/';
    }
    if (mkdir(p, mode) < 0 && errno != EEXIST)
        return orc_error_make(err, errno, "mkdir '%s'", p);
    return 0;
}

int orc_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                          orc_error_t *err)
{
    _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, (int) getpid());
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return orc_error_make(err, errno, "open '%s'", tmp);
    int r = orc_write_all(fd, data, len);
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (r < 0) {
        (void) unlink(tmp);
        return orc_error_make(err, -r, "write '%s'", tmp);
    }
    if (rename(tmp, path) < 0) {
        int e = errno;
        (void) unlink(tmp);
        return orc_error_make(err, e, "rename '%s'", path);
    }
    return 0;
}

int orc_read_file(const char *path, size_t max, char **ret, size_t *ret_len, orc_error_t *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return orc_error_make(err, errno, "open '%s'", path);
    int r = orc_read_all(fd, max, ret, ret_len);
    if (r < 0)
        return orc_error_make(err, -r, "read '%s'", path);
    return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) ftw;
    int r = (flag == FTW_DP) ? rmdir(p) : unlink(p);
    if (r < 0 && errno != ENOENT)
        return errno;
    return 0;
}

int orc_rm_rf(const char *path, orc_error_t *err)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return orc_error_make(err, errno, "stat '%s'", path);
    }
    /* Make every directory writable first so that read-only image dirs can be removed. */
    int r = nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    if (r != 0)
        return orc_error_make(err, r > 0 ? r : errno, "remove '%s'", path);
    return 0;
}

char *orc_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    while (la > 0 && a[la - 1] == '/')
        la--;
    while (*b == '/')
        b++;
    return xasprintf("%.*s/%s", (int) la, a, b);
}
