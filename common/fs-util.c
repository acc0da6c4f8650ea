/* SPDX-License-Identifier: Apache-2.0 */
#include "fs-util.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "strv.h"
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
    /* a name of this write's own (threads write files too), created new: never a planted
     * file or symlink */
    static atomic_uint seq;
    _cleanup_free_ char *tmp =
        xasprintf("%s.tmp.%d.%u", path, (int) getpid(), atomic_fetch_add(&seq, 1));
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
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

/*
 * rm -rf by file descriptors. One directory is open at a time and each is read once: its
 * files go, its subdirectories are noted and entered in turn; going back up is ".." checked
 * against the device and inode recorded on the way down. So depth is bounded neither by
 * PATH_MAX nor by the fd limit, a wide directory costs no rescans, and a directory moved
 * meanwhile stops the walk instead of leading it elsewhere. Entries are never followed
 * (O_NOFOLLOW, unlinkat), and a directory on another file system or mount (st_dev, mount
 * id) is neither entered nor changed.
 */
struct rm_level {
    char *name; /* of this directory in its parent (NULL at the top) */
    dev_t dev;  /* of its parent, to check ".." against */
    ino_t ino;
    char **subdirs; /* to enter, from subdirs[next] on */
    size_t next;
    bool kept; /* something in it stays (a mount point, a failure): so does it */
};

struct rm_walk {
    dev_t dev;       /* of the directory the removal started in */
    uint64_t mnt_id; /* its mount, 0 = unknown (kernel before 5.8) */
    const char *top; /* for messages */
    struct rm_level *levels;
    size_t depth; /* levels[depth] is the current directory */
    orc_error_t *err;
    int status; /* of the first failure, 0 = none */
};

static const char *const MOUNT_POINT = "a mount point (another file system or mount), not entered";

/* name (in the current directory) stays; the first failure is the walk's error. */
static void rm_keep(struct rm_walk *w, int status, const char *name, const char *why)
{
    w->levels[w->depth].kept = true;
    if (w->status)
        return;
    w->status = status;
    _cleanup_free_ char *path = xstrdup(w->top);
    for (size_t i = 1; i <= w->depth; i++) {
        char *p = xasprintf("%s/%s", path, w->levels[i].name);
        free(path);
        path = p;
    }
    if (why)
        orc_error_make_as(w->err, status, "remove '%s/%s': %s", path, name, why);
    else
        orc_error_make(w->err, status, "remove '%s/%s'", path, name);
}

static int rm_statx(int fd, const char *name, int flags, struct statx *st)
{
    return statx(fd, name, flags | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
                 STATX_TYPE | STATX_MODE | STATX_INO | STATX_MNT_ID, st);
}

static bool rm_same_fs(const struct rm_walk *w, const struct statx *st)
{
    if (makedev(st->stx_dev_major, st->stx_dev_minor) != w->dev)
        return false;
    return !w->mnt_id || !(st->stx_mask & STATX_MNT_ID) || st->stx_mnt_id == w->mnt_id;
}

/* Opens the directory name below dir for reading, owner rwx added where missing (so that a
 * read-only directory's entries can go); -EXDEV when it is on another file system. */
static int rm_open_dir(const struct rm_walk *w, int dir, const char *name)
{
    _cleanup_close_ int p = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct statx st;
    if (p < 0 || rm_statx(p, "", AT_EMPTY_PATH, &st) < 0)
        return -errno;
    if (!rm_same_fs(w, &st))
        return -EXDEV;
    if ((st.stx_mode & 0700) != 0700) {
        /* an O_PATH fd cannot be fchmod()ed; its /proc link can be chmod()ed */
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p);
        (void) chmod(proc, (st.stx_mode & 07777) | 0700);
    }
    int fd = openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* Reads dir (the current directory) once: what is no directory goes, subdirectories are
 * noted for entering. */
static void rm_scan(struct rm_walk *w, int dir)
{
    struct rm_level *l = &w->levels[w->depth];
    l->subdirs = new0(char *, 1);
    int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        rm_keep(w, errno, ".", NULL);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        struct statx st;
        if (!strcmp(n, ".") || !strcmp(n, ".."))
            continue;
        if ((e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) && rm_statx(dir, n, 0, &st) == 0 &&
            S_ISDIR(st.stx_mode))
            l->subdirs = strv_push(l->subdirs, n);
        else if (unlinkat(dir, n, 0) < 0 && errno != ENOENT)
            rm_keep(w, errno, n, NULL);
    }
    closedir(d);
}

/* Enters the next subdirectory of dir; its fd, or -1 when it stays (it is noted). */
static int rm_down(struct rm_walk *w, int dir)
{
    struct rm_level *l = &w->levels[w->depth];
    const char *sub = l->subdirs[l->next++];
    struct stat here;
    int fd = rm_open_dir(w, dir, sub);
    if (fd >= 0 && fstat(dir, &here) < 0)
        fd = (close(fd), -errno);
    if (fd < 0) {
        rm_keep(w, fd == -EXDEV ? EBUSY : -fd, sub, fd == -EXDEV ? MOUNT_POINT : NULL);
        return -1;
    }
    w->levels = xrealloc(w->levels, (w->depth + 2) * sizeof(*w->levels));
    w->levels[++w->depth] =
        (struct rm_level){.name = xstrdup(sub), .dev = here.st_dev, .ino = here.st_ino};
    rm_scan(w, fd);
    return fd;
}

static void rm_level_done(struct rm_level *l)
{
    free(l->name);
    strv_free(l->subdirs);
}

/* Leaves dir (emptied but for what stays) for its parent, and removes it there; the
 * parent's fd, or -1 when the walk must stop. */
static int rm_up(struct rm_walk *w, int dir)
{
    struct rm_level l = w->levels[w->depth];
    int parent = openat(dir, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (parent >= 0 && (fstat(parent, &st) < 0 || st.st_dev != l.dev || st.st_ino != l.ino)) {
        close(parent);
        parent = -1;
    }
    w->depth--;
    if (parent < 0)
        rm_keep(w, EBUSY, l.name, "moved during the removal");
    else if (l.kept) /* the reason was given down there */
        w->levels[w->depth].kept = true;
    else if (unlinkat(parent, l.name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        rm_keep(w, errno, l.name, NULL);
    rm_level_done(&l);
    return parent;
}

/* Empties the directory top, depth first. */
static void rm_walk(struct rm_walk *w, int top)
{
    w->levels = xzalloc(sizeof(*w->levels));
    w->depth = 0;
    int dir = fcntl(top, F_DUPFD_CLOEXEC, 3);
    if (dir >= 0)
        rm_scan(w, dir);
    while (dir >= 0) {
        struct rm_level *l = &w->levels[w->depth];
        int next;
        if (l->subdirs[l->next]) {
            next = rm_down(w, dir);
            if (next < 0)
                continue; /* that one stays: the next */
        } else {
            next = w->depth > 0 ? rm_up(w, dir) : -1;
        }
        close(dir);
        dir = next;
    }
    for (size_t i = 0; i <= w->depth; i++)
        rm_level_done(&w->levels[i]);
    free(w->levels);
}

/* name in dirfd; shown as path in messages. */
static int rm_rf_at(int dirfd, const char *name, const char *path, orc_error_t *err)
{
    struct statx parent, st;
    if (rm_statx(dirfd, "", AT_EMPTY_PATH, &parent) < 0)
        return orc_error_make(err, errno, "remove '%s'", path);
    if (rm_statx(dirfd, name, 0, &st) < 0)
        return errno == ENOENT ? 0 : orc_error_make(err, errno, "remove '%s'", path);
    if (!S_ISDIR(st.stx_mode)) {
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
            return orc_error_make(err, errno, "remove '%s'", path);
        return 0;
    }
    struct rm_walk w = {
        .dev = makedev(parent.stx_dev_major, parent.stx_dev_minor),
        .mnt_id = (parent.stx_mask & STATX_MNT_ID) ? parent.stx_mnt_id : 0,
        .top = path,
        .err = err,
    };
    int fd = rm_open_dir(&w, dirfd, name);
    if (fd < 0)
        return fd == -EXDEV ? orc_error_make_as(err, EBUSY, "remove '%s': %s", path, MOUNT_POINT)
                            : orc_error_make(err, -fd, "remove '%s'", path);
    rm_walk(&w, fd);
    close(fd);
    if (w.status)
        return -w.status;
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return orc_error_make(err, errno, "remove '%s'", path);
    return 0;
}

int orc_rm_rf_at(int dirfd, const char *name, orc_error_t *err)
{
    return rm_rf_at(dirfd, name, name, err);
}

int orc_rm_rf(const char *path, orc_error_t *err)
{
    _cleanup_free_ char *parent = NULL, *name = NULL;
    orc_path_split(path, &parent, &name);
    if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
        return orc_error_make(err, EINVAL, "remove '%s': not a removable name", path);
    _cleanup_close_ int dir = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return errno == ENOENT ? 0 : orc_error_make(err, errno, "remove '%s'", path);
    return rm_rf_at(dir, name, path, err);
}

void orc_path_split(const char *path, char **ret_parent, char **ret_name)
{
    _cleanup_free_ char *copy = xstrdup(path);
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    char *slash = strrchr(copy, '/');
    *ret_name = xstrdup(slash ? slash + 1 : copy);
    if (slash && slash != copy)
        *slash = '\0';
    *ret_parent = xstrdup(!slash ? "." : slash == copy ? "/" : copy);
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
