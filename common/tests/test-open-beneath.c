/* SPDX-License-Identifier: Apache-2.0 */
/* orc_open_beneath and orc_open_no_symlinks: symlinks inside a volume followed, out of it
 * refused, missing directories made beneath, and a symlink swapped in while the path is
 * opened never leads out (kubelet's CVE-2017-1002101 / CVE-2021-25741). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "open-beneath.h"
#include "tap.h"
#include "tests/test-util.h"
#include "xalloc.h"

static char dir[] = "/tmp/orc-open-beneath-XXXXXX";
static atomic_bool stop;

static ino_t ino_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static ino_t ino_of(const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

static ino_t fd_ino(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* vol/a is a directory or a symlink to dir/outside, exchanged as fast as it goes. */
static void *swapper(void *arg)
{
    const char *vol = arg;
    _cleanup_free_ char *a = xasprintf("%s/a", vol), *b = xasprintf("%s/swap", vol);
    while (!atomic_load(&stop))
        (void) renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
    return NULL;
}

static void test_basics(const char *vol, int vfd)
{
    orc_error_t err = NULL;
    int fd = orc_open_beneath(vfd, "in/f", false, &err);
    tap_ok(fd >= 0 && fd_ino(fd) == ino_of("%s/real/f", vol),
           "a symlink inside the volume is followed");
    safe_close(fd);
    fd = orc_open_beneath(vfd, "out/secret", false, &err);
    tap_ok(fd < 0 && err && err->status == EXDEV, "a symlink out of the volume is refused");
    orc_error_release(&err);
    fd = orc_open_beneath(vfd, "abs", false, &err);
    tap_ok(fd < 0 && err && err->status == EXDEV, "an absolute symlink is refused");
    orc_error_release(&err);
    fd = orc_open_beneath(vfd, "new/a/b", true, &err);
    struct stat st;
    tap_ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
               fd_ino(fd) == ino_of("%s/new/a/b", vol),
           "missing directories are made beneath");
    safe_close(fd);
    fd = orc_open_beneath(vfd, "out/x/y", true, &err);
    tap_ok(fd < 0 && test_sh("test -e %s/outside/x", dir) != 0,
           "nothing is made through a symlink out of the volume");
    orc_error_release(&err);
    _cleanup_free_ char *in = xasprintf("%s/in", vol), *real = xasprintf("%s/real", vol);
    fd = orc_open_no_symlinks(in, &err);
    tap_ok(fd < 0 && err && err->status == ELOOP, "a path with a symlink is refused");
    orc_error_release(&err);
    fd = orc_open_no_symlinks(real, &err);
    tap_ok(fd >= 0, "a path without one opens");
    safe_close(fd);
}

static void test_race(const char *vol, int vfd)
{
    ino_t inside = ino_of("%s/a/target", vol);
    ino_t outside = ino_of("%s/outside/target", dir);
    pthread_t t;
    pthread_create(&t, NULL, swapper, (void *) vol);
    int in = 0, out = 0, refused = 0;
    for (int i = 0; i < 20000; i++) {
        orc_error_t err = NULL;
        int fd = orc_open_beneath(vfd, "a/target", false, &err);
        if (fd < 0) {
            refused++;
            orc_error_release(&err);
            continue;
        }
        ino_t got = fd_ino(fd);
        in += got == inside;
        out += got == outside;
        safe_close(fd);
    }
    atomic_store(&stop, true);
    pthread_join(t, NULL);
    printf("# %d inside, %d refused, %d outside\n", in, refused, out);
    tap_ok(out == 0, "a symlink swapped in never leads out (%d of 20000 did)", out);
    tap_ok(in > 0 && refused > 0, "the race was run: both states were met");
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    _cleanup_free_ char *vol = xasprintf("%s/vol", dir);
    test_sh("mkdir -p %s/outside %s/real %s/a && echo s > %s/outside/secret && "
            "echo t > %s/outside/target && echo t > %s/a/target && echo f > %s/real/f && "
            "ln -s real %s/in && ln -s ../outside %s/out && ln -s /etc %s/abs && "
            "ln -s ../outside %s/swap",
            dir, vol, vol, dir, dir, vol, vol, vol, vol, vol, vol);
    int vfd = open(vol, O_PATH | O_DIRECTORY | O_CLOEXEC);
    test_basics(vol, vfd);
    test_race(vol, vfd);
    close(vfd);
    test_sh("rm -rf %s", dir);
    return tap_done();
}
