/* SPDX-License-Identifier: Apache-2.0 */
/* hostPath volumes: the path walked by descriptors from "/", symlinks of other users refused,
 * kubelet's type checks, and only what the user may read. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "pods/volumes.h"
#include "xalloc.h"

#define MAX_SYMLINKS 40

struct walk {
    int fd;      /* the directory reached */
    char *canon; /* its path, without symlinks ("" = "/") */
    char *rest;  /* what is left to resolve */
    int links;
};

static void walk_done(struct walk *w)
{
    w->fd = safe_close(w->fd);
    free(w->canon);
    free(w->rest);
}

/* Takes the next component off w->rest into buf; false when none is left. */
static bool next_component(struct walk *w, char *buf, size_t size, bool *last)
{
    char *p = w->rest + strspn(w->rest, "/");
    if (!*p)
        return false;
    size_t n = strcspn(p, "/");
    snprintf(buf, size, "%.*s", (int) n, p);
    memmove(w->rest, p + n, strlen(p + n) + 1);
    *last = w->rest[strspn(w->rest, "/")] == '\0';
    return true;
}

/* What each checked type must be: its file type, and kubelet's words for it. */
static const struct {
    mode_t format; /* S_IFMT bits; 0: not checked */
    const char *noun;
} host_path_kinds[_HOST_PATH_TYPE_MAX] = {
    [HOST_PATH_DIRECTORY] = {S_IFDIR, "a directory"},
    [HOST_PATH_DIRECTORY_OR_CREATE] = {S_IFDIR, "a directory"},
    [HOST_PATH_FILE] = {S_IFREG, "a file"},
    [HOST_PATH_FILE_OR_CREATE] = {S_IFREG, "a file"},
    [HOST_PATH_SOCKET] = {S_IFSOCK, "a socket file"},
    [HOST_PATH_CHAR_DEVICE] = {S_IFCHR, "a character device"},
    [HOST_PATH_BLOCK_DEVICE] = {S_IFBLK, "a block device"},
};

/* NULL: the type checks nothing */
static const char *type_noun(enum host_path_type type)
{
    return type >= 0 && type < _HOST_PATH_TYPE_MAX ? host_path_kinds[type].noun : NULL;
}

static bool type_matches(enum host_path_type type, mode_t mode)
{
    return !type_noun(type) || (mode & S_IFMT) == host_path_kinds[type].format;
}

/* A missing component: made by DirectoryOrCreate (parents too), FileOrCreate (the file, in a
 * directory that exists) and, with no type, as a directory (as containerd's and CRI-O's CRI
 * make a bind mount's missing source). */
static int create_missing(struct walk *w, const char *name, bool last, enum host_path_type type)
{
    if (type != HOST_PATH_DIRECTORY_OR_CREATE && type != HOST_PATH_FILE_OR_CREATE &&
        type != HOST_PATH_UNSET)
        return -ENOENT;
    if (!last && type == HOST_PATH_FILE_OR_CREATE) /* kubelet makes the file, not its parents */
        return -ENOENT;
    if (last && type == HOST_PATH_FILE_OR_CREATE) {
        int fd = openat(w->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            return -errno;
        safe_close(fd);
        return 0;
    }
    return mkdirat(w->fd, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* A symlink found at name: followed when it is the user's or root's. */
static int follow(struct walk *w, int link_fd, const struct stat *st, const char *name, uid_t uid,
                  orc_error_t *err)
{
    if (st->st_uid != uid && st->st_uid != 0)
        return orc_error_make_as(err, EPERM,
                                 "'%s/%s' is a symlink of uid %u, another user: not followed",
                                 w->canon, name, (unsigned) st->st_uid);
    if (++w->links > MAX_SYMLINKS)
        return orc_error_make_as(err, ELOOP, "too many levels of symbolic links");
    char target[PATH_MAX];
    ssize_t n = readlinkat(link_fd, "", target, sizeof(target) - 1);
    if (n < 0)
        return orc_error_make(err, errno, "read symlink '%s/%s'", w->canon, name);
    target[n] = '\0';
    char *rest = xasprintf("%s/%s", target, w->rest);
    free(w->rest);
    w->rest = rest;
    if (target[0] == '/') {
        safe_close(w->fd);
        w->fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        w->canon[0] = '\0';
    }
    return 0;
}

static int step_up(struct walk *w, orc_error_t *err)
{
    int up = openat(w->fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (up < 0)
        return orc_error_make(err, errno, "open '%s/..'", w->canon);
    safe_close(w->fd);
    w->fd = up;
    char *slash = strrchr(w->canon, '/');
    if (slash)
        *slash = '\0';
    return 0;
}

static int walk_one(struct walk *w, const char *name, bool last, enum host_path_type type,
                    uid_t uid, orc_error_t *err)
{
    if (!strcmp(name, "."))
        return 0;
    if (!strcmp(name, ".."))
        return step_up(w, err);
    int fd = openat(w->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        int r = create_missing(w, name, last, type);
        if (r == -ENOENT)
            return orc_error_make_as(err, ENOENT, "%s/%s does not exist", w->canon, name);
        if (r < 0)
            return orc_error_make(err, -r, "%s '%s/%s'",
                                  last && type == HOST_PATH_FILE_OR_CREATE ? "create" : "mkdir",
                                  w->canon, name);
        fd = openat(w->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0)
        return orc_error_make(err, errno, "open '%s/%s'", w->canon, name);
    _cleanup_close_ int next = fd;
    struct stat st;
    if (fstat(next, &st) < 0)
        return orc_error_make(err, errno, "stat '%s/%s'", w->canon, name);
    if (S_ISLNK(st.st_mode))
        return follow(w, next, &st, name, uid, err);
    if (!last && !S_ISDIR(st.st_mode))
        return orc_error_make_as(err, ENOTDIR, "'%s/%s' is not a directory", w->canon, name);
    char *canon = xasprintf("%s/%s", w->canon, name);
    free(w->canon);
    w->canon = canon;
    safe_close(w->fd);
    w->fd = TAKE_FD(next);
    return 0;
}

static int check_type(const struct walk *w, enum host_path_type type, orc_error_t *err)
{
    struct stat st;
    if (fstat(w->fd, &st) < 0)
        return orc_error_make(err, errno, "stat '%s'", w->canon);
    const char *path = *w->canon ? w->canon : "/";
    const char *want = type_matches(type, st.st_mode) ? NULL : type_noun(type);
    if (want)
        return orc_error_make_as(err, ENOTDIR, "hostPath type check failed: %s is not %s", path,
                                 want);
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
    int mode = S_ISDIR(st.st_mode) ? R_OK | X_OK : S_ISREG(st.st_mode) ? R_OK : F_OK;
    if (access(proc, mode) < 0)
        return orc_error_make(err, errno, "%s: orc mounts only what its user may read", path);
    return 0;
}

int host_path_resolve(const char *path, enum host_path_type type, uid_t uid, char **ret,
                      orc_error_t *err)
{
    struct walk w = {.fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC),
                     .canon = xstrdup(""),
                     .rest = xstrdup(path)};
    char name[NAME_MAX + 1];
    bool last = false;
    int r = w.fd < 0 ? orc_error_make(err, errno, "open '/'") : 0;
    while (r == 0 && next_component(&w, name, sizeof(name), &last))
        r = walk_one(&w, name, last, type, uid, err);
    if (r == -ENOENT && type == HOST_PATH_FILE_OR_CREATE) { /* its parent is missing */
        orc_error_release(err);
        r = orc_error_make(err, ENOENT, "open %s", path);
    } else if (r == -ENOENT && type_noun(type)) { /* kubelet: a missing path is not of the type */
        orc_error_release(err);
        r = orc_error_make_as(err, ENOENT, "hostPath type check failed: %s is not %s", path,
                              type_noun(type));
    }
    if (r == 0)
        r = check_type(&w, type, err);
    if (r == 0)
        *ret = xstrdup(*w.canon ? w.canon : "/");
    walk_done(&w);
    return r;
}
