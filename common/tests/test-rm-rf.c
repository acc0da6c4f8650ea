/* SPDX-License-Identifier: Apache-2.0 */
/* orc_rm_rf: deeper than PATH_MAX, symlinks to outside, read-only directories, mounts. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fd-util.h"
#include "fs-util.h"
#include "tap.h"
#include "tests/test-util.h"
#include "xalloc.h"

static char dir[] = "/tmp/orc-rm-rf-XXXXXX";

/* dir/deep/d/d/.../d/file, by file descriptors: the path is longer than PATH_MAX. */
static int make_deep(const char *top, int levels)
{
    if (mkdir(top, 0755) < 0)
        return -1;
    int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; fd >= 0 && i < levels; i++) {
        if (mkdirat(fd, "d", 0755) < 0)
            return -1;
        int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (i % 500 == 250) /* some read-only levels on the way */
            (void) fchmod(fd, 0555);
        close(fd);
        fd = next;
    }
    if (fd < 0)
        return -1;
    int f = openat(fd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    close(fd);
    return f < 0 ? -1 : close(f);
}

static void test_deep(void)
{
    _cleanup_free_ char *top = orc_path_join(dir, "deep");
    int levels = PATH_MAX / 2 + 100; /* "d/" each: 4296 bytes below top */
    tap_is_int(make_deep(top, levels), 0, "a tree %d directories deep", levels);
    orc_error_t err = NULL;
    int r = orc_rm_rf(top, &err);
    tap_is_int(r, 0, "a path longer than PATH_MAX is removed: %s", err ? err->msg : "");
    orc_error_release(&err);
    tap_ok(access(top, F_OK) < 0 && errno == ENOENT, "the deep tree is gone");
}

static void test_symlinks_and_modes(void)
{
    _cleanup_free_ char *top = orc_path_join(dir, "tree");
    _cleanup_free_ char *outside = orc_path_join(dir, "outside");
    tap_is_int(test_sh("set -e; cd '%s'; mkdir -p outside/sub tree/a/b tree/ro tree/none/x; "
                       "echo keep > outside/precious; echo keep > outside/sub/precious; "
                       "chmod 0555 outside/sub; "
                       "ln -s ../outside tree/dirlink; ln -s ../outside/precious tree/filelink; "
                       "ln -s ../../outside tree/a/b/up; echo x > tree/ro/f; chmod 0555 tree/ro; "
                       "echo x > tree/none/x/f; chmod 0 tree/none/x tree/none; mkfifo tree/fifo",
                       dir),
               0, "a tree with symlinks to outside, read-only and unreadable directories");
    orc_error_t err = NULL;
    tap_is_int(orc_rm_rf(top, &err), 0, "removed: %s", err ? err->msg : "");
    orc_error_release(&err);
    tap_ok(access(top, F_OK) < 0, "the tree is gone");
    tap_is_int(test_sh("cd '%s' && test \"$(cat outside/precious outside/sub/precious)\" = \"keep\n"
                       "keep\" && test \"$(stat -c %%a outside/sub)\" = 555",
                       dir),
               0, "what the symlinks point to is untouched, its mode too");
    _cleanup_free_ char *link = orc_path_join(dir, "link-to-outside");
    tap_is_int(symlink(outside, link), 0, "a symlink as the path itself");
    tap_is_int(orc_rm_rf(link, &err), 0, "removed");
    tap_ok(access(link, F_OK) < 0 && access(outside, F_OK) == 0, "the link went, its target stays");
    _cleanup_free_ char *missing = orc_path_join(dir, "missing/x");
    tap_is_int(orc_rm_rf(missing, &err), 0, "a missing path is success");
}

/* In a user and mount namespace of its own: a tmpfs and a bind mount inside the tree.
 * Returns a bit per check that failed, 0x80 when no namespace could be made. */
static int mounts_child(void)
{
    if (test_unshare_user_mount() < 0)
        return 0x80;
    _cleanup_free_ char *top = orc_path_join(dir, "mounts");
    _cleanup_free_ char *tmpfs = orc_path_join(top, "a/tmpfs");
    _cleanup_free_ char *bind = orc_path_join(top, "bind");
    _cleanup_free_ char *vol = orc_path_join(dir, "volume");
    if (test_sh("mkdir -p '%s' '%s' '%s/data' && echo v > '%s/data/f' && echo y > '%s/a/other'",
                tmpfs, bind, vol, vol, top) != 0 ||
        mount("tmpfs", tmpfs, "tmpfs", 0, "size=1m") < 0 ||
        mount(vol, bind, NULL, MS_BIND, NULL) < 0 || test_sh("echo t > '%s/f'", tmpfs) != 0)
        return 0x80;
    int failed = 0;
    orc_error_t err = NULL;
    /* the mount point itself: refused, nothing on it touched */
    if (orc_rm_rf(tmpfs, &err) != -EBUSY || !strstr(err->msg, "mount point"))
        failed |= 1;
    orc_error_release(&err);
    if (orc_rm_rf(top, &err) != -EBUSY || !strstr(err->msg, "mount point"))
        failed |= 2;
    if (err)
        printf("# %s\n", err->msg), fflush(stdout);
    orc_error_release(&err);
    if (test_sh("test \"$(cat '%s/f')\" = t", tmpfs) != 0)
        failed |= 4; /* the tmpfs keeps its file */
    if (test_sh("test \"$(cat '%s/data/f')\" = v && test -d '%s/data'", bind, vol) != 0)
        failed |= 8; /* a bind mount of the same file system is not entered either */
    if (test_sh("test ! -e '%s/a/other'", top) != 0)
        failed |= 16; /* the rest went */
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
    tap_ok(!(r & 1), "a mount point as the path is refused (EBUSY), its files stay");
    tap_ok(!(r & 2), "a tree with mounts in it: the removal fails with EBUSY naming them");
    tap_ok(!(r & 4), "a tmpfs mounted in the tree keeps its files");
    tap_ok(!(r & 8), "a bind mount of the same file system is not entered either");
    tap_ok(!(r & 16), "everything else went");
}

static void test_split(void)
{
    const char *cases[][3] = {{"/a/b/", "/a", "b"}, {"b", ".", "b"},     {"/b", "/", "b"},
                              {"/", "/", ""},       {"a/..", "a", ".."}, {"a//b", "a/", "b"}};
    for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
        _cleanup_free_ char *parent = NULL, *name = NULL;
        orc_path_split(cases[i][0], &parent, &name);
        tap_ok(!strcmp(parent, cases[i][1]) && !strcmp(name, cases[i][2]),
               "split '%s': '%s' and '%s'", cases[i][0], parent, name);
    }
}

int main(void)
{
    test_split();
    if (!mkdtemp(dir))
        return 1;
    test_deep();
    test_symlinks_and_modes();
    test_mounts();
    (void) test_sh("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
    return tap_done();
}
