/* SPDX-License-Identifier: Apache-2.0 */
#include "binds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "open-beneath.h"
#include "strv.h"
#include "xalloc.h"

static void closedirp(DIR **d)
{
    if (*d)
        closedir(*d);
}

/* An empty directory or file at target, of the kind the source is. */
static int make_target(const char *target, bool dir, orc_error_t *err)
{
    (void) umount2(target, MNT_DETACH); /* a previous instance's */
    struct stat st;
    if (lstat(target, &st) == 0 && S_ISDIR(st.st_mode) != dir) {
        if ((S_ISDIR(st.st_mode) ? rmdir(target) : unlink(target)) < 0)
            return orc_error_make(err, errno, "remove '%s'", target);
    }
    if (dir)
        return mkdir(target, 0700) < 0 && errno != EEXIST
                   ? orc_error_make(err, errno, "mkdir '%s'", target)
                   : 0;
    int fd = open(target, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return orc_error_make(err, errno, "create '%s'", target);
    safe_close(fd);
    return 0;
}

static int make_read_only(const char *target, const char *rro, orc_error_t *err)
{
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    if (syscall(SYS_mount_setattr, AT_FDCWD, target, AT_RECURSIVE, &attr, sizeof(attr)) == 0)
        return 0;
    if (!strcmp(rro, "IfPossible") && (errno == ENOSYS || errno == EPERM || errno == EINVAL))
        return 0;
    return orc_error_make(err, errno, "make '%s' recursively read-only", target);
}

#define FS_GROUP_MAX_DEPTH 256

/* kubelet's SetVolumeOwnership below dirfd: group gid, group read (and write unless
 * read_only) on files, and setgid, group rwx on directories; symlinks are not followed (their
 * own group is set) and nothing below another mount is touched. */
static int own_tree(int dirfd, gid_t gid, bool read_only, int depth)
{
    struct stat top;
    if (depth > FS_GROUP_MAX_DEPTH || fstat(dirfd, &top) < 0)
        return -ELOOP;
    _cleanup_(closedirp) DIR *d = fdopendir(fcntl(dirfd, F_DUPFD_CLOEXEC, 3));
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        /* by a descriptor of what is there now: a container may swap a name for a symlink
         * meanwhile, and nothing may be changed through one */
        _cleanup_close_ int fd = openat(dirfd, e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != top.st_dev)
            continue;
        (void) fchownat(fd, "", (uid_t) -1, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
        if (S_ISLNK(st.st_mode))
            continue;
        mode_t add = S_ISDIR(st.st_mode) ? S_ISGID | (read_only ? 0050 : 0070)
                     : read_only         ? 0040
                                         : 0060;
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        (void) chmod(proc, (st.st_mode & 07777) | add);
        if (S_ISDIR(st.st_mode)) {
            _cleanup_close_ int sub = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sub >= 0)
                (void) own_tree(sub, gid, read_only, depth + 1);
        }
    }
    return 0;
}

/* fsGroup on the volume's directory (vol, O_PATH) and everything below it. */
static int apply_fs_group(int vol, const json_t *b, orc_error_t *err)
{
    gid_t gid = (gid_t) orc_json_int(b, "fs_group", 0);
    bool read_only = json_is_true(json_object_get(b, "fs_group_read_only"));
    _cleanup_close_ int dir = openat(vol, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (dir < 0 || fstat(dir, &st) < 0)
        return 0; /* a file: nothing to own */
    mode_t want = S_ISGID | (read_only ? 0050 : 0070);
    if (json_is_true(json_object_get(b, "fs_group_on_root_mismatch")) && st.st_gid == gid &&
        (st.st_mode & want) == want)
        return 0; /* OnRootMismatch: the root is right, the rest is taken to be */
    if (fchown(dir, (uid_t) -1, gid) < 0)
        return orc_error_make(err, errno, "fsGroup %u on the volume", (unsigned) gid);
    (void) fchmod(dir, (st.st_mode & 07777) | want);
    own_tree(dir, gid, read_only, 0);
    return 0;
}

static int bind_one(const json_t *b, orc_error_t *err)
{
    const char *source = orc_json_str(b, "source"), *target = orc_json_str(b, "target");
    const char *sub = orc_json_str(b, "sub_path"), *rro = orc_json_str(b, "recursive_read_only");
    if (!source || !target)
        return orc_error_make(err, EINVAL, "start: a bind needs source and target");
    _cleanup_close_ int vol = orc_open_no_symlinks(source, err);
    if (vol < 0)
        return -1;
    if (json_object_get(b, "fs_group") && apply_fs_group(vol, b, err) < 0)
        return -1;
    _cleanup_close_ int fd = sub ? orc_open_beneath(vol, sub, true, err) : TAKE_FD(vol);
    if (fd < 0)
        return orc_error_wrap(err, "subPath");
    struct stat st;
    if (fstat(fd, &st) < 0)
        return orc_error_make(err, errno, "stat '%s'", source);
    if (make_target(target, S_ISDIR(st.st_mode), err) < 0)
        return -1;
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (mount(proc, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        return orc_error_make(err, errno, "bind '%s%s%s' on '%s'", source, sub ? "/" : "",
                              sub ? sub : "", target);
    return rro ? make_read_only(target, rro, err) : 0;
}

int binds_tmpfs(char ***mounted, const json_t *req, orc_error_t *err)
{
    const char *path = orc_json_str(req, "path");
    int64_t size = orc_json_int(req, "size", 0), mode = orc_json_int(req, "mode", 0755);
    if (!path || path[0] != '/' || size < 0 || mode < 0 || mode > 07777)
        return orc_error_make(err, EINVAL, "tmpfs: needs an absolute path, size and mode");
    if (strv_contains(*mounted, path))
        return 0;
    _cleanup_free_ char *opts =
        size > 0 ? xasprintf("mode=%04o,size=%lld", (unsigned) mode, (long long) size)
                 : xasprintf("mode=%04o", (unsigned) mode);
    if (orc_mkdir_p(path, 0700, err) < 0)
        return -1;
    if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
        return orc_error_make(err, errno, "mount a tmpfs on '%s'", path);
    *mounted = strv_push(*mounted, path);
    return 0;
}

int binds_make(const json_t *binds, orc_error_t *err)
{
    size_t i;
    const json_t *b;
    json_array_foreach(binds, i, b) {
        if (i == 0) {
            _cleanup_free_ char *dir = xstrdup(orc_json_str(b, "target") ?: "");
            char *slash = strrchr(dir, '/');
            if (slash) {
                *slash = '\0';
                if (orc_mkdir_p(dir, 0700, err) < 0)
                    return -1;
            }
        }
        if (bind_one(b, err) < 0)
            return orc_error_wrap(err, "volume mount %zu", i);
    }
    return 0;
}
