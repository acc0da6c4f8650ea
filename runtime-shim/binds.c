/* SPDX-License-Identifier: Apache-2.0 */
#include "binds.h"

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

static int bind_one(const json_t *b, orc_error_t *err)
{
    const char *source = orc_json_str(b, "source"), *target = orc_json_str(b, "target");
    const char *sub = orc_json_str(b, "sub_path"), *rro = orc_json_str(b, "recursive_read_only");
    if (!source || !target)
        return orc_error_make(err, EINVAL, "start: a bind needs source and target");
    _cleanup_close_ int vol = orc_open_no_symlinks(source, err);
    if (vol < 0)
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
