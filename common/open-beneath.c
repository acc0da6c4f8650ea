/* SPDX-License-Identifier: Apache-2.0 */
#include "open-beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "xalloc.h"

static int sys_openat2(int dirfd, const char *path, unsigned long long resolve)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = resolve};
    int fd = (int) syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    return fd < 0 ? -errno : fd;
}

/* One component at a time with O_NOFOLLOW: a symlink anywhere is refused (-ELOOP). */
static int walk(int dirfd, const char *rel, bool create)
{
    _cleanup_free_ char *copy = xstrdup(rel);
    int cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return -errno;
    char *save = NULL;
    for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, "."))
            continue;
        if (!strcmp(c, "..")) {
            safe_close(cur);
            return -EXDEV;
        }
        if (create && mkdirat(cur, c, 0755) < 0 && errno != EEXIST) {
            int r = -errno;
            safe_close(cur);
            return r;
        }
        int next = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        int r = -errno;
        safe_close(cur);
        if (next < 0)
            return r;
        struct stat st;
        if (fstat(next, &st) == 0 && S_ISLNK(st.st_mode)) {
            safe_close(next);
            return -ELOOP;
        }
        cur = next;
    }
    return cur;
}

#define BENEATH (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)

/* Each prefix of rel opened beneath dirfd; a missing one is made in the one before. */
static int open_creating(int dirfd, const char *rel)
{
    _cleanup_free_ char *prefix = xstrdup(rel);
    int cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return -errno;
    for (char *p = prefix;; p++) {
        if (*p && *p != '/')
            continue;
        char end = *p;
        *p = '\0';
        const char *slash = strrchr(prefix, '/'), *name = slash ? slash + 1 : prefix;
        if (*name && strcmp(name, ".")) {
            int next = sys_openat2(dirfd, prefix, BENEATH);
            if (next == -ENOENT && (mkdirat(cur, name, 0755) == 0 || errno == EEXIST))
                next = sys_openat2(dirfd, prefix, BENEATH);
            safe_close(cur);
            if (next < 0)
                return next;
            cur = next;
        }
        if (!end)
            return cur;
        *p = end;
    }
}

static int open_beneath(int dirfd, const char *rel, bool create)
{
    if (rel[0] == '/')
        return -EXDEV;
    int fd = sys_openat2(dirfd, rel, BENEATH);
    if (fd == -ENOSYS)
        return walk(dirfd, rel, create);
    if (fd != -ENOENT || !create)
        return fd;
    return open_creating(dirfd, rel);
}

int orc_open_beneath(int dirfd, const char *rel, bool create, orc_error_t *err)
{
    int fd = open_beneath(dirfd, rel, create);
    if (fd == -EXDEV || fd == -ELOOP)
        return orc_error_make_as(err, -fd, "'%s' leads out of its volume", rel);
    if (fd < 0)
        return orc_error_make(err, -fd, "open '%s'", rel);
    return fd;
}

int orc_open_no_symlinks(const char *path, orc_error_t *err)
{
    int fd = sys_openat2(AT_FDCWD, path, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd == -ENOSYS) {
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        fd = root < 0 ? -errno : walk(root, path + strspn(path, "/"), false);
    }
    if (fd == -ELOOP)
        return orc_error_make_as(err, ELOOP, "'%s' changed: a symlink is in its way", path);
    if (fd < 0)
        return orc_error_make(err, -fd, "open '%s'", path);
    return fd;
}
