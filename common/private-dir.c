/* SPDX-License-Identifier: Apache-2.0 */
#include "private-dir.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "xalloc.h"

void orc_runtime_dir_split(const char *xdg_runtime_dir, const char *name, unsigned uid,
                           char **ret_parent, char **ret_sub)
{
    if (xdg_runtime_dir && xdg_runtime_dir[0] == '/') {
        *ret_parent = xstrdup(xdg_runtime_dir);
        *ret_sub = xstrdup(name);
    } else {
        *ret_parent = xstrdup("/tmp");
        *ret_sub = xasprintf("%s-%u", name, uid);
    }
}

char *orc_runtime_dir(const char *xdg_runtime_dir, const char *name, unsigned uid)
{
    _cleanup_free_ char *parent = NULL, *sub = NULL;
    orc_runtime_dir_split(xdg_runtime_dir, name, uid, &parent, &sub);
    return orc_path_join(parent, sub);
}

char *orc_xdg_dir(const char *var, const char *fallback)
{
    const char *v = getenv(var), *home = getenv("HOME");
    if (v && v[0] == '/')
        return xstrdup(v);
    return home && home[0] == '/' ? orc_path_join(home, fallback) : NULL;
}

char *orc_describe_uid(uid_t uid)
{
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
        return xasprintf("uid %u (%s)", (unsigned) uid, found->pw_name);
    return xasprintf("uid %u", (unsigned) uid);
}

/* The verdict on one directory, from lstat-like data: private (0700), or only owned (no one
 * else may write in it). */
static int check_dir(const struct stat *st, const char *path, bool private, orc_error_t *err)
{
    if (S_ISLNK(st->st_mode))
        return orc_error_make_as(err, ELOOP, "refusing '%s': it is a symbolic link", path);
    if (!S_ISDIR(st->st_mode))
        return orc_error_make_as(err, ENOTDIR, "refusing '%s': it is not a directory", path);
    if (st->st_uid != geteuid()) {
        _cleanup_free_ char *owner = orc_describe_uid(st->st_uid),
                            *me = orc_describe_uid(geteuid());
        return orc_error_make_as(err, EPERM,
                                 "refusing '%s': it belongs to %s, not to you (%s); another user "
                                 "may have created it to read or redirect what you keep there",
                                 path, owner, me);
    }
    if (private && (st->st_mode & 0777) != 0700)
        return orc_error_make_as(err, EPERM,
                                 "refusing '%s': its mode is %04o, not 0700 (if you made it, "
                                 "'chmod 700 %s')",
                                 path, (unsigned) (st->st_mode & 07777), path);
    if (st->st_mode & 0022)
        return orc_error_make_as(err, EPERM,
                                 "refusing '%s': its mode is %04o, others may write in it (if you "
                                 "made it, 'chmod go-w %s')",
                                 path, (unsigned) (st->st_mode & 07777), path);
    return 0;
}

/* Gives a directory made here mode 0700 whatever the umask (through its O_PATH fd). */
static int fix_mode(int fd, const char *path, orc_error_t *err)
{
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (chmod(proc, 0700) < 0)
        return orc_error_make(err, errno, "chmod '%s'", path);
    return 0;
}

/* One component: made 0700 if missing, then opened without following and checked. */
static int private_step(int dirfd, const char *name, const char *path, orc_error_t *err)
{
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return orc_error_make_as(err, EINVAL, "refusing '%s': '%s' in a private path", path, name);
    bool created = mkdirat(dirfd, name, 0700) == 0;
    if (!created && errno != EEXIST)
        return orc_error_make(err, errno, "mkdir '%s'", path);
    _cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return orc_error_make(err, errno, "open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return orc_error_make(err, errno, "stat '%s'", path);
    if (created && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 0777) != 0700) {
        if (fix_mode(fd, path, err) < 0)
            return -1;
        st.st_mode = (st.st_mode & ~(mode_t) 07777) | 0700;
    }
    int r = check_dir(&st, path, true, err);
    return r < 0 ? r : TAKE_FD(fd);
}

int orc_private_dir_open(const char *parent, const char *sub, orc_error_t *err)
{
    int r = orc_mkdir_p(parent, 0700, err);
    if (r < 0)
        return r;
    _cleanup_close_ int fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return orc_error_make(err, errno, "open '%s'", parent);
    _cleanup_free_ char *path = xstrdup(parent), *rest = xstrdup(sub);
    char *save = NULL;
    for (char *c = strtok_r(rest, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        char *next = orc_path_join(path, c);
        free(path);
        path = next;
        int sub_fd = private_step(fd, c, path, err);
        if (sub_fd < 0)
            return sub_fd;
        close(fd);
        fd = sub_fd;
    }
    return TAKE_FD(fd);
}

int orc_owned_dir_check(const char *path, orc_error_t *err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? -ENOENT : orc_error_make(err, errno, "stat '%s'", path);
    return check_dir(&st, path, false, err);
}

int orc_openat_regular(int dirfd, const char *name, int flags, mode_t mode)
{
    int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode);
    if (fd < 0)
        return -errno;
    struct stat st;
    int r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
    if (r < 0) {
        close(fd);
        return r;
    }
    if (!(flags & O_NONBLOCK))
        (void) orc_set_nonblock(fd, false);
    return fd;
}

int orc_read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len)
{
    _cleanup_close_ int fd = orc_openat_regular(dirfd, name, O_RDONLY, 0);
    if (fd < 0)
        return fd;
    return orc_read_all(fd, max, ret, ret_len);
}

/* Creates a temporary file beside NAME that did not exist before; *ret_tmp names it. */
static int create_tmp(int dirfd, const char *name, mode_t mode, char **ret_tmp)
{
    static atomic_uint counter;
    for (int tries = 0; tries < 100; tries++) {
        _cleanup_free_ char *tmp =
            xasprintf(".%s.tmp-%d-%u", name, (int) getpid(), atomic_fetch_add(&counter, 1));
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0) {
            *ret_tmp = TAKE_PTR(tmp);
            return fd;
        }
        if (errno != EEXIST)
            return -errno;
    }
    return -EEXIST;
}

int orc_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                             orc_error_t *err)
{
    _cleanup_free_ char *tmp = NULL;
    _cleanup_close_ int fd = create_tmp(dirfd, name, mode, &tmp);
    if (fd < 0)
        return orc_error_make(err, -fd, "create a temporary file for '%s'", name);
    int r = orc_write_all(fd, data, len);
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
        r = -errno;
    if (r < 0) {
        (void) unlinkat(dirfd, tmp, 0);
        return orc_error_make(err, -r, "write '%s'", name);
    }
    return 0;
}
