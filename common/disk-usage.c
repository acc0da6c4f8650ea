/* SPDX-License-Identifier: Apache-2.0 */
/*
 * du by file descriptors, after orc_rm_rf's walk (fs-util.c): one directory is open at a time
 * and each is read once; its entries are counted, its subdirectories noted and entered in
 * turn; going back up is ".." checked against the device and inode recorded on the way down.
 */
#include "disk-usage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

struct du_level {
    dev_t dev; /* of its parent, to check ".." against */
    ino_t ino;
    char **subdirs; /* to enter, from subdirs[next] on */
    size_t n, cap, next;
};

/* Inodes of files with several links, counted already: an open-addressed set. */
struct inode_set {
    uint64_t *slots; /* 0 = empty; inode numbers are never 0 */
    size_t cap, n;
};

struct du_walk {
    dev_t dev;       /* of the top directory */
    uint64_t mnt_id; /* its mount, 0 = unknown (kernel before 5.8) */
    struct du_level *levels;
    size_t depth, levels_cap;
    struct inode_set linked;
    struct orc_disk_usage usage;
};

static bool inode_set_add(struct inode_set *s, uint64_t ino)
{
    if (!ino)
        ino = UINT64_MAX;
    if ((s->n + 1) * 2 > s->cap) {
        struct inode_set bigger = {.cap = s->cap ? s->cap * 2 : 1024};
        bigger.slots = new0(uint64_t, bigger.cap);
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i])
                (void) inode_set_add(&bigger, s->slots[i]);
        free(s->slots);
        *s = bigger;
    }
    size_t i = (size_t) ((ino * 0x9E3779B97F4A7C15ULL) % s->cap);
    for (; s->slots[i]; i = (i + 1) % s->cap)
        if (s->slots[i] == ino)
            return false;
    s->slots[i] = ino;
    s->n++;
    return true;
}

static int du_statx(int fd, const char *name, int flags, struct statx *st)
{
    return statx(fd, name, flags | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
                 STATX_TYPE | STATX_INO | STATX_NLINK | STATX_BLOCKS | STATX_MNT_ID, st);
}

static bool du_same_fs(const struct du_walk *w, const struct statx *st)
{
    if (makedev(st->stx_dev_major, st->stx_dev_minor) != w->dev)
        return false;
    return !w->mnt_id || !(st->stx_mask & STATX_MNT_ID) || st->stx_mnt_id == w->mnt_id;
}

static void level_push(struct du_level *l, const char *name)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->subdirs = xrealloc(l->subdirs, l->cap * sizeof(*l->subdirs));
    }
    l->subdirs[l->n++] = xstrdup(name);
}

static void level_done(struct du_level *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->subdirs[i]);
    free(l->subdirs);
}

/* Counts one entry of the current directory; a directory of this file system is noted. */
static void du_entry(struct du_walk *w, int dir, const char *name)
{
    struct statx st;
    if (du_statx(dir, name, 0, &st) < 0) {
        w->usage.skipped += errno != ENOENT; /* gone meanwhile: nothing to count */
        return;
    }
    if (!du_same_fs(w, &st))
        return; /* a mount point: neither counted nor entered, as du -x */
    if (!S_ISDIR(st.stx_mode) && st.stx_nlink > 1 && !inode_set_add(&w->linked, st.stx_ino))
        return; /* another link of a file counted already */
    w->usage.bytes += st.stx_blocks * 512;
    w->usage.inodes++;
    if (S_ISDIR(st.stx_mode))
        level_push(&w->levels[w->depth], name);
}

/* Reads dir (the current directory) once. */
static void du_scan(struct du_walk *w, int dir)
{
    int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        w->usage.skipped++;
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            du_entry(w, dir, e->d_name);
    closedir(d);
}

/* Enters the next subdirectory of dir: its fd, or -1 when it cannot be (it is skipped). */
static int du_down(struct du_walk *w, int dir)
{
    struct du_level *l = &w->levels[w->depth];
    const char *sub = l->subdirs[l->next++];
    struct stat here;
    struct statx st;
    int fd = openat(dir, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 && (fstat(dir, &here) < 0 || du_statx(fd, "", AT_EMPTY_PATH, &st) < 0 ||
                    !du_same_fs(w, &st))) {
        close(fd);
        fd = -1;
        errno = EXDEV;
    }
    if (fd < 0) {
        w->usage.skipped += errno != ENOENT;
        return -1;
    }
    if (w->depth + 2 > w->levels_cap) {
        w->levels_cap *= 2;
        w->levels = xrealloc(w->levels, w->levels_cap * sizeof(*w->levels));
    }
    w->levels[++w->depth] = (struct du_level){.dev = here.st_dev, .ino = here.st_ino};
    du_scan(w, fd);
    return fd;
}

/* Leaves dir for its parent: the parent's fd, or -1 when it is not the one it came from. */
static int du_up(struct du_walk *w, int dir)
{
    struct du_level *l = &w->levels[w->depth];
    int parent = openat(dir, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (parent >= 0 && (fstat(parent, &st) < 0 || st.st_dev != l->dev || st.st_ino != l->ino)) {
        close(parent);
        parent = -1;
    }
    if (parent < 0)
        w->usage.skipped++; /* moved during the walk: what was not counted yet stays so */
    level_done(l);
    w->depth--;
    return parent;
}

static void du_walk(struct du_walk *w, int top)
{
    w->levels_cap = 16;
    w->levels = new0(struct du_level, w->levels_cap);
    w->depth = 0;
    int dir = fcntl(top, F_DUPFD_CLOEXEC, 3);
    if (dir >= 0)
        du_scan(w, dir);
    while (dir >= 0) {
        struct du_level *l = &w->levels[w->depth];
        int next;
        if (l->next < l->n) {
            next = du_down(w, dir);
            if (next < 0)
                continue;
        } else {
            next = w->depth > 0 ? du_up(w, dir) : -1;
        }
        close(dir);
        dir = next;
    }
    for (size_t i = 0; i <= w->depth; i++)
        level_done(&w->levels[i]);
    free(w->levels);
    free(w->linked.slots);
}

int orc_disk_usage(const char *path, struct orc_disk_usage *ret, orc_error_t *err)
{
    _cleanup_close_ int top = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct statx st;
    if (top < 0 || du_statx(top, "", AT_EMPTY_PATH, &st) < 0)
        return orc_error_make(err, errno, "disk usage of '%s'", path);
    struct du_walk w = {
        .dev = makedev(st.stx_dev_major, st.stx_dev_minor),
        .mnt_id = (st.stx_mask & STATX_MNT_ID) ? st.stx_mnt_id : 0,
        .usage = {.bytes = st.stx_blocks * 512, .inodes = 1},
    };
    du_walk(&w, top);
    *ret = w.usage;
    return 0;
}
