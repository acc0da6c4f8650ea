/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/atomic-writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "xalloc.h"

#define DATA_LINK "..data"

static void closedirp(DIR **d)
{
    if (*d)
        closedir(*d);
}
#define DATA_TMP "..data_tmp"

/* Whether dir/..data holds exactly files (contents and modes). */
static bool unchanged(int dirfd, const struct volume_files *files)
{
    _cleanup_close_ int data = openat(dirfd, DATA_LINK, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (data < 0)
        return false;
    size_t found = 0;
    for (size_t i = 0; i < files->n; i++) {
        const struct volume_file *f = &files->files[i];
        _cleanup_close_ int fd = openat(data, f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || (size_t) st.st_size != f->len ||
            (int) (st.st_mode & 07777) != f->mode)
            return false;
        _cleanup_free_ char *buf = xmalloc(f->len + 1);
        if (f->len && (read(fd, buf, f->len) != (ssize_t) f->len || memcmp(buf, f->data, f->len)))
            return false;
        found++;
    }
    /* and nothing more at the top: names the payload no longer has */
    _cleanup_(closedirp) DIR *d = fdopendir(dup(data));
    struct dirent *e;
    size_t tops = 0;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            tops++;
    size_t want = 0;
    for (size_t i = 0; i < files->n; i++) {
        size_t n = strcspn(files->files[i].path, "/");
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strncmp(files->files[k].path, files->files[i].path, n) &&
                   strcspn(files->files[k].path, "/") == n;
        want += !seen;
    }
    return found == files->n && tops == want;
}

static int write_one(int tsfd, const struct volume_file *f, orc_error_t *err)
{
    _cleanup_free_ char *dir = xstrdup(f->path);
    char *slash = strrchr(dir, '/');
    int parent = tsfd;
    _cleanup_close_ int sub = -1;
    if (slash) {
        *slash = '\0';
        for (char *p = dir;; p++) { /* each parent, 0755 */
            if (*p && *p != '/')
                continue;
            char end = *p;
            *p = '\0';
            if (mkdirat(tsfd, dir, 0755) < 0 && errno != EEXIST)
                return orc_error_make(err, errno, "mkdir '%s'", dir);
            if (!end)
                break;
            *p = end;
        }
        sub = openat(tsfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            return orc_error_make(err, errno, "open '%s'", dir);
        parent = sub;
    }
    const char *name = slash ? strrchr(f->path, '/') + 1 : f->path;
    _cleanup_close_ int fd =
        openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return orc_error_make(err, errno, "create '%s'", f->path);
    if (orc_write_all(fd, f->data, f->len) < 0 || fchmod(fd, (mode_t) f->mode) < 0)
        return orc_error_make(err, errno, "write '%s'", f->path);
    return 0;
}

/* A new ..<timestamp> directory holding the files; its name into ret. */
static int write_payload(const char *dir, const struct volume_files *files, char **ret,
                         orc_error_t *err)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[64];
    strftime(stamp, sizeof(stamp), "..%Y_%m_%d_%H_%M_%S.", &tm);
    _cleanup_free_ char *tmpl = xasprintf("%s/%s%09ldXXXXXX", dir, stamp, ts.tv_nsec);
    if (!mkdtemp(tmpl))
        return orc_error_make(err, errno, "mkdtemp in '%s'", dir);
    _cleanup_close_ int tsfd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (tsfd < 0 || fchmod(tsfd, 0755) < 0)
        return orc_error_make(err, errno, "open '%s'", tmpl);
    for (size_t i = 0; i < files->n; i++)
        if (write_one(tsfd, &files->files[i], err) < 0) {
            (void) orc_rm_rf(tmpl, NULL);
            return -1;
        }
    *ret = xstrdup(strrchr(tmpl, '/') + 1);
    return 0;
}

/* The user-visible names: a symlink to ..data/NAME for each top-level name; a symlink
 * into ..data the payload no longer has goes. */
static int update_links(int dirfd, const struct volume_files *files, orc_error_t *err)
{
    for (size_t i = 0; i < files->n; i++) {
        _cleanup_free_ char *top =
            xstrndup(files->files[i].path, strcspn(files->files[i].path, "/"));
        _cleanup_free_ char *target = xasprintf(DATA_LINK "/%s", top);
        if (symlinkat(target, dirfd, top) < 0 && errno != EEXIST)
            return orc_error_make(err, errno, "symlink '%s'", top);
    }
    _cleanup_(closedirp) DIR *d = fdopendir(dup(dirfd));
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && e->d_name[1] == '.')
            continue; /* ..data, ..<timestamp> */
        char target[PATH_MAX];
        ssize_t n = readlinkat(dirfd, e->d_name, target, sizeof(target) - 1);
        if (n < 0)
            continue;
        target[n] = '\0';
        bool wanted = false;
        for (size_t i = 0; i < files->n && !wanted; i++)
            wanted = !strncmp(files->files[i].path, e->d_name, strlen(e->d_name)) &&
                     strchr("/", files->files[i].path[strlen(e->d_name)]);
        if (!wanted && !strncmp(target, DATA_LINK "/", 7))
            (void) unlinkat(dirfd, e->d_name, 0);
    }
    return 0;
}

int atomic_write(const char *dir, const struct volume_files *files, orc_error_t *err)
{
    _cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return orc_error_make(err, errno, "open '%s'", dir);
    if (unchanged(dirfd, files))
        return 0;
    char old[PATH_MAX];
    ssize_t n = readlinkat(dirfd, DATA_LINK, old, sizeof(old) - 1);
    old[n > 0 ? n : 0] = '\0';
    _cleanup_free_ char *ts = NULL;
    if (write_payload(dir, files, &ts, err) < 0)
        return -1;
    (void) unlinkat(dirfd, DATA_TMP, 0);
    if (symlinkat(ts, dirfd, DATA_TMP) < 0 || renameat(dirfd, DATA_TMP, dirfd, DATA_LINK) < 0)
        return orc_error_make(err, errno, "point '%s/" DATA_LINK "' at '%s'", dir, ts);
    if (update_links(dirfd, files, err) < 0)
        return -1;
    if (*old && strcmp(old, ts) && old[0] == '.' && !strchr(old, '/')) {
        _cleanup_free_ char *prev = xasprintf("%s/%s", dir, old);
        (void) orc_rm_rf(prev, NULL);
    }
    return 1;
}
