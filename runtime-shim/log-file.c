/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's CRI log with kubelet's rotation (containerLogMaxSize, containerLogMaxFiles):
 * before a line would take the file past its size, it is renamed PATH.<time> and a new one
 * begins (a write of many lines is split between the two); of the rotated files the newest
 * max_files - 1 are kept. A full disk (or quota) drops what cannot be written instead of blocking
 * the container; the caller learns it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "shim.h"
#include "strv.h"
#include "time-util.h"
#include "xalloc.h"

int log_file_open(struct log_file *l, const char *path, int64_t max_size, int max_files,
                  orc_error_t *err)
{
    _cleanup_free_ char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        if (orc_mkdir_p(dir, 0700, err) < 0)
            return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return orc_error_make(err, errno, "open log '%s'", path);
    struct stat st;
    *l = (struct log_file){.path = xstrdup(path),
                           .fd = fd,
                           .size = fstat(fd, &st) == 0 ? st.st_size : 0,
                           .max_size = max_size,
                           .max_files = max_files < 1 ? 1 : max_files};
    return 0;
}

void log_file_close(struct log_file *l)
{
    l->fd = safe_close(l->fd);
    free(l->path);
    l->path = NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Removes the oldest rotated files beyond max_files - 1 (names sort by their time). */
static void prune(struct log_file *l)
{
    _cleanup_free_ char *dir = xstrdup(l->path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return;
    *slash = '\0';
    const char *base = slash + 1;
    size_t blen = strlen(base);
    char **rotated = NULL;
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, base, blen) && e->d_name[blen] == '.') {
            rotated = strv_push(rotated, e->d_name);
            n++;
        }
    if (d)
        closedir(d);
    if (n)
        qsort(rotated, n, sizeof(*rotated), cmp_str);
    for (size_t i = 0; i + (size_t) (l->max_files - 1) < n; i++) {
        _cleanup_free_ char *p = orc_path_join(dir, rotated[i]);
        (void) unlink(p);
    }
    strv_free(rotated);
}

static void rotate(struct log_file *l)
{
    int64_t now = orc_time_now_ns();
    time_t sec = (time_t) (now / NSEC_PER_SEC);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char stamp[64];
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    /* kubelet's suffix, with nanoseconds: two rotations in one second keep their order */
    _cleanup_free_ char *to =
        xasprintf("%s.%s.%09lld", l->path, stamp, (long long) (now % NSEC_PER_SEC));
    if (l->max_files <= 1 || rename(l->path, to) < 0)
        (void) unlink(l->path);
    int fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        safe_close(l->fd);
        l->fd = fd;
        l->size = 0;
    }
    prune(l);
}

static int write_chunk(struct log_file *l, const char *data, size_t len)
{
    int r = orc_write_all(l->fd, data, len);
    if (r < 0) {
        /* what was written of a partial line stays; the rest is lost, as on kubelet's */
        struct stat st;
        if (fstat(l->fd, &st) == 0)
            l->size = st.st_size;
        return r;
    }
    l->size += (int64_t) len;
    return 0;
}

/* How much of data (whole lines) goes into the current file before it rotates: all of it
 * when it fits, else the lines that fit; 0 when none does and the file holds something. A
 * file begun anew takes at least one line, however long. */
static size_t fitting(const struct log_file *l, const char *data, size_t len)
{
    if (l->max_size <= 0 || l->size + (int64_t) len <= l->max_size)
        return len;
    size_t room = l->size < l->max_size ? (size_t) (l->max_size - l->size) : 0;
    const char *cut = room ? memrchr(data, '\n', room) : NULL;
    if (cut)
        return (size_t) (cut - data) + 1;
    if (l->size > 0)
        return 0;
    cut = memchr(data, '\n', len);
    return cut ? (size_t) (cut - data) + 1 : len;
}

int log_file_write(struct log_file *l, const char *data, size_t len)
{
    if (l->fd < 0)
        return 0;
    while (len) {
        size_t n = fitting(l, data, len);
        if (n == 0) {
            rotate(l);
            if (l->size > 0) /* no new file: the old one takes it */
                n = len;
            else
                continue;
        }
        int r = write_chunk(l, data, n);
        if (r < 0)
            return r;
        data += n;
        len -= n;
    }
    return 0;
}
