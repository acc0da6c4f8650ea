/* SPDX-License-Identifier: Apache-2.0 */
/* orc_disk_usage: du -s -x -B1 by file descriptors: hard links once, symlinks not followed,
 * mounts not entered, deeper than PATH_MAX. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "disk-usage.h"
#include "error.h"
#include "fs-util.h"
#include "tap.h"
#include "tests/test-util.h"
#include "xalloc.h"

static char dir[] = "/tmp/orc-disk-usage-XXXXXX";

/* What lstat says the entries below top take, each name once. */
static uint64_t blocks_of(const char *top, const char *const *names)
{
    uint64_t sum = 0;
    for (size_t i = 0; names[i]; i++) {
        _cleanup_free_ char *p = orc_path_join(top, names[i]);
        struct stat st;
        if (lstat(p, &st) == 0)
            sum += (uint64_t) st.st_blocks * 512;
        else
            printf("# lstat '%s': %s\n", p, strerror(errno));
    }
    return sum;
}

static void test_tree(void)
{
    _cleanup_free_ char *top = orc_path_join(dir, "tree");
    _cleanup_free_ char *outside = orc_path_join(dir, "outside");
    int r = test_sh("mkdir -p '%s/sub/sub2' '%s' && head -c 10000 /dev/urandom > '%s/a' && "
                    "head -c 100000 /dev/urandom > '%s/sub/b' && "
                    "head -c 5000 /dev/urandom > '%s/sub/sub2/c' && ln '%s/a' '%s/sub/a-link' && "
                    "ln -s /etc/passwd '%s/sub/sym' && head -c 1048576 /dev/zero > '%s/big' && "
                    "ln -s '%s/big' '%s/sym-big' && : > '%s/empty'",
                    top, outside, top, top, top, top, top, top, outside, outside, top, top);
    tap_is_int(r, 0, "a tree with files, a hard link and symlinks");
    const char *const counted[] = {".",          "a",       "sub",     "sub/b", "sub/sub2",
                                   "sub/sub2/c", "sub/sym", "sym-big", "empty", NULL};
    struct orc_disk_usage u = {0};
    orc_error_t err = NULL;
    tap_is_int(orc_disk_usage(top, &u, &err), 0, "measured: %s", err ? err->msg : "");
    orc_error_release(&err);
    tap_is_int(u.bytes, blocks_of(top, counted),
               "the blocks of every entry, the directories' own and the top's included; the "
               "second link of a file not again; a symlink's own, not its target's");
    tap_is_int(u.inodes, 9, "nine entries counted");
    tap_is_int(u.skipped, 0, "nothing skipped");
    tap_ok(u.bytes >= 115000 && u.bytes < 1048576, "the megabyte outside is not counted (%llu)",
           (unsigned long long) u.bytes);

    _cleanup_free_ char *closed = orc_path_join(top, "sub/closed");
    if (getuid() != 0 && test_sh("mkdir '%s' && head -c 50000 /dev/urandom > '%s/x' && "
                                 "chmod 0 '%s'",
                                 closed, closed, closed) == 0) {
        struct orc_disk_usage v = {0};
        tap_is_int(orc_disk_usage(top, &v, &err), 0, "a directory that cannot be read");
        tap_ok(v.skipped == 1 && v.bytes < u.bytes + 50000,
               "is counted as skipped, the rest measured (a lower bound)");
        (void) test_sh("chmod 0700 '%s'", closed);
    }

    _cleanup_free_ char *missing = orc_path_join(dir, "missing");
    tap_is_int(orc_disk_usage(missing, &u, &err), -ENOENT, "a missing path fails");
    orc_error_release(&err);
    _cleanup_free_ char *sym = orc_path_join(top, "sym-big");
    tap_ok(orc_disk_usage(sym, &u, &err) < 0, "a symlink as the path is not followed");
    orc_error_release(&err);
}

/* dir/deep/d/d/.../d/file: the path is longer than PATH_MAX. */
static void test_deep(void)
{
    _cleanup_free_ char *top = orc_path_join(dir, "deep");
    int levels = PATH_MAX / 2 + 100, ok = mkdir(top, 0755) == 0;
    int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; ok && fd >= 0 && i < levels; i++) {
        ok = mkdirat(fd, "d", 0755) == 0;
        int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(fd);
        fd = next;
    }
    int f = fd >= 0 ? openat(fd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) : -1;
    char buf[65536] = {1};
    ok = ok && f >= 0 && write(f, buf, sizeof(buf)) == (ssize_t) sizeof(buf);
    if (f >= 0)
        close(f);
    if (fd >= 0)
        close(fd);
    tap_ok(ok, "a tree %d directories deep with a 64 KiB file at the bottom", levels);
    struct orc_disk_usage u = {0};
    orc_error_t err = NULL;
    tap_is_int(orc_disk_usage(top, &u, &err), 0, "measured: %s", err ? err->msg : "");
    orc_error_release(&err);
    tap_ok(u.inodes == (uint64_t) levels + 2 && u.skipped == 0 && u.bytes >= sizeof(buf),
           "every level and the file counted (%llu entries, %llu bytes)",
           (unsigned long long) u.inodes, (unsigned long long) u.bytes);
}

/* In a user and mount namespace of its own: a tmpfs and a bind mount inside the tree are
 * neither counted nor entered. Returns a bit per check that failed, 0x80 when no namespace
 * could be made. */
static int mounts_child(void)
{
    if (test_unshare_user_mount() < 0)
        return 0x80;
    _cleanup_free_ char *top = orc_path_join(dir, "mounts");
    _cleanup_free_ char *vol = orc_path_join(dir, "volume");
    if (test_sh("mkdir -p '%s/tmpfs' '%s/bind' '%s' && head -c 20000 /dev/urandom > '%s/f' && "
                "head -c 300000 /dev/urandom > '%s/data'",
                top, top, vol, top, vol) != 0)
        return 0x80;
    struct orc_disk_usage before = {0}, after = {0};
    orc_error_t err = NULL;
    if (orc_disk_usage(top, &before, &err) < 0)
        return 1;
    _cleanup_free_ char *tmpfs = orc_path_join(top, "tmpfs");
    _cleanup_free_ char *bind = orc_path_join(top, "bind");
    if (mount("tmpfs", tmpfs, "tmpfs", 0, "size=1m") < 0 ||
        mount(vol, bind, NULL, MS_BIND, NULL) < 0 ||
        test_sh("head -c 500000 /dev/zero > '%s/big'", tmpfs) != 0)
        return 0x80;
    if (orc_disk_usage(top, &after, &err) < 0)
        return 2;
    int failed = 0;
    /* the two mount points' own directories are not counted either (du -x) */
    if (after.bytes >= before.bytes || after.inodes != before.inodes - 2 || after.skipped)
        failed |= 4;
    return failed;
}

static void test_mounts(void)
{
    fflush(stdout); /* the child prints too */
    pid_t pid = fork();
    if (pid == 0)
        _exit(mounts_child());
    int st = 0;
    waitpid(pid, &st, 0);
    int r = WIFEXITED(st) ? WEXITSTATUS(st) : 0xff;
    if (r == 0x80) {
        printf("# no user and mount namespace here: mount checks skipped\n");
        return;
    }
    tap_ok(!(r & 3), "measured with mounts in the tree");
    tap_ok(!(r & 4), "a tmpfs and a bind mount in the tree are neither counted nor entered");
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_tree();
    test_deep();
    test_mounts();
    (void) test_sh("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
    return tap_done();
}
