/* SPDX-License-Identifier: Apache-2.0 */
/* Private directories, files opened in them, and pids proven before they are signalled. A
 * directory of another owner needs a second uid: tests/e2e/test-hostile-neighbour.sh. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fs-util.h"
#include "private-dir.h"
#include "proc-util.h"
#include "tap.h"
#include "xalloc.h"

static char root[] = "/tmp/orc-test-private-XXXXXX";

static mode_t mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t) -1;
}

static void test_split(void)
{
    char *parent, *sub;
    orc_runtime_dir_split("/run/user/7", "orc-cni", 7, &parent, &sub);
    tap_is_str(parent, "/run/user/7", "XDG_RUNTIME_DIR is the parent");
    tap_is_str(sub, "orc-cni", "the name below it");
    free(parent), free(sub);
    orc_runtime_dir_split(NULL, "orc-cni", 7, &parent, &sub);
    tap_is_str(parent, "/tmp", "without XDG_RUNTIME_DIR: /tmp");
    tap_is_str(sub, "orc-cni-7", "named for the uid");
    free(parent), free(sub);
    _cleanup_free_ char *rel = orc_runtime_dir("run/user/7", "orc", 7);
    tap_is_str(rel, "/tmp/orc-7", "a relative XDG_RUNTIME_DIR is ignored");

    setenv("HOME", "/home/u", 1);
    setenv("XDG_DATA_HOME", "/data", 1);
    _cleanup_free_ char *set = orc_xdg_dir("XDG_DATA_HOME", ".local/share");
    tap_is_str(set, "/data", "an absolute XDG_DATA_HOME");
    setenv("XDG_DATA_HOME", "data", 1);
    _cleanup_free_ char *relative = orc_xdg_dir("XDG_DATA_HOME", ".local/share");
    tap_is_str(relative, "/home/u/.local/share", "a relative one is ignored for HOME's");
    setenv("HOME", "u", 1);
    _cleanup_free_ char *none = orc_xdg_dir("XDG_DATA_HOME", ".local/share");
    tap_ok(none == NULL, "neither absolute: none");
}

/* path under root, made by the test itself */
static char *at(const char *name)
{
    return orc_path_join(root, name);
}

static void expect_refused(const char *sub, int status, const char *want, const char *what)
{
    orc_error_t err = NULL;
    int fd = orc_private_dir_open(root, sub, &err);
    tap_is_int(fd, -status, "%s: refused", what);
    tap_ok(err && strstr(orc_error_message(err), want), "%s: message names it: %s", what,
           err ? orc_error_message(err) : "(none)");
    orc_error_release(&err);
    if (fd >= 0)
        close(fd);
}

static void test_private_dir(void)
{
    orc_error_t err = NULL;
    mode_t old = umask(0277); /* would make 0500 directories */
    int fd = orc_private_dir_open(root, "a/b", &err);
    umask(old);
    tap_ok(fd >= 0, "creates a/b");
    _cleanup_free_ char *a = at("a"), *ab = at("a/b");
    tap_is_int(mode_of(a), 0700, "a is 0700 whatever the umask");
    tap_is_int(mode_of(ab), 0700, "a/b is 0700 whatever the umask");
    struct stat st1, st2;
    tap_ok(fstat(fd, &st1) == 0 && stat(ab, &st2) == 0 && st1.st_ino == st2.st_ino,
           "the fd is a/b's");
    close(fd);
    fd = orc_private_dir_open(root, "a/b", &err);
    tap_ok(fd >= 0, "opens an existing private a/b");
    close(fd);
    tap_is_int(orc_owned_dir_check(ab, &err), 0, "owned: a/b is");
    _cleanup_free_ char *missing = at("missing");
    tap_is_int(orc_owned_dir_check(missing, &err), -ENOENT, "owned: a missing dir is ENOENT");
    tap_ok(err == NULL, "... without an error");

    tap_ok(chmod(a, 0755) == 0, "chmod 0755 a");
    expect_refused("a/b", EPERM, "its mode is 0755, not 0700", "a 0755 component");
    expect_refused("a", EPERM, "chmod 700", "a 0755 directory, with the remedy");
    tap_is_int(orc_owned_dir_check(a, &err), 0, "owned: 0755 is (no one else may write)");
    tap_ok(chmod(a, 0775) == 0, "chmod 0775 a");
    tap_is_int(orc_owned_dir_check(a, &err), -EPERM, "owned: 0775 is not");
    tap_ok(err && strstr(orc_error_message(err), "others may write in it"), "message: %s",
           err ? orc_error_message(err) : "(none)");
    orc_error_release(&err);
    tap_ok(chmod(a, 0700) == 0, "chmod 0700 a");

    _cleanup_free_ char *link = at("link");
    tap_ok(symlink(a, link) == 0, "symlink to a private dir");
    expect_refused("link", ELOOP, "is a symbolic link", "a symlink");
    tap_is_int(orc_owned_dir_check(link, &err), -ELOOP, "owned: a symlink is not");
    orc_error_release(&err);
    expect_refused("link/b", ELOOP, "is a symbolic link", "a symlink on the way");
    _cleanup_free_ char *file = at("file");
    tap_is_int(orc_write_file_atomic(file, "x", 1, 0600, &err), 0, "a regular file");
    expect_refused("file", ENOTDIR, "is not a directory", "a file");
    expect_refused("a/../a", EINVAL, "'..' in a private path", "a path with ..");
}

static void test_files(void)
{
    orc_error_t err = NULL;
    _cleanup_close_ int dir = orc_private_dir_open(root, "files", &err);
    tap_ok(dir >= 0, "files dir");
    tap_is_int(orc_write_file_atomic_at(dir, "state.json", "{}", 2, 0600, &err), 0, "atomic write");
    tap_is_int(orc_write_file_atomic_at(dir, "state.json", "{1}", 3, 0600, &err), 0, "rewrite");
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    tap_is_int(orc_read_file_at(dir, "state.json", 100, &text, &len), 0, "read back");
    tap_is_str(text, "{1}", "content");
    _cleanup_free_ char *state = at("files/state.json");
    tap_is_int(mode_of(state), 0600, "mode 0600");

    _cleanup_free_ char *victim = at("victim"), *link = at("files/planted.log");
    tap_is_int(orc_write_file_atomic(victim, "keep", 4, 0600, &err), 0, "a victim file");
    tap_ok(symlink(victim, link) == 0, "planted symlink to it");
    tap_is_int(orc_openat_regular(dir, "planted.log", O_WRONLY | O_CREAT | O_APPEND, 0600), -ELOOP,
               "a symlink is not opened for writing");
    char *t = NULL;
    tap_is_int(orc_read_file_at(dir, "planted.log", 100, &t, NULL), -ELOOP, "nor for reading");
    _cleanup_free_ char *kept = NULL;
    tap_ok(orc_read_file(victim, 100, &kept, NULL, &err) == 0 && !strcmp(kept, "keep"),
           "the victim is untouched");
    tap_is_int(orc_write_file_atomic_at(dir, "planted.log", "new", 3, 0600, &err), 0,
               "an atomic write replaces the symlink itself");
    _cleanup_free_ char *kept2 = NULL;
    tap_ok(orc_read_file(victim, 100, &kept2, NULL, &err) == 0 && !strcmp(kept2, "keep"),
           "... and the victim stays untouched");

    _cleanup_free_ char *fifo = at("files/fifo.json");
    tap_ok(mkfifo(fifo, 0600) == 0, "a planted FIFO");
    tap_is_int(orc_read_file_at(dir, "fifo.json", 100, &t, NULL), -EINVAL,
               "a FIFO is refused at once, not waited on");
    tap_is_int(orc_openat_regular(dir, "fifo.json", O_WRONLY | O_APPEND, 0), -ENXIO,
               "nor opened for writing without a reader");
    tap_is_int(orc_read_file_at(dir, "nothing.json", 100, &t, NULL), -ENOENT, "missing: ENOENT");
}

static void test_proc(void)
{
    orc_error_t err = NULL;
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    struct orc_proc_id id;
    tap_is_int(orc_proc_id_of(child, &id), 0, "id of a child");
    tap_ok(orc_proc_alive(&id), "it is alive");
    _cleanup_free_ char *exe = orc_proc_exe(0);
    tap_ok(exe && exe[0] == '/', "own executable: %s", exe ? exe : "(null)");
    int fd = orc_proc_open_expected(&id, getuid(), exe, &err);
    tap_ok(fd >= 0, "our child, our program: a pidfd");
    struct orc_proc_id later = {.pid = child, .start_time = id.start_time + 1};
    tap_is_int(orc_proc_open_expected(&later, getuid(), exe, &err), -ESRCH,
               "another start time: as good as gone");
    tap_ok(err == NULL, "... without an error");
    tap_is_int(orc_proc_open_expected(&id, getuid() + 1, exe, &err), -EPERM,
               "another uid: refused");
    tap_ok(err && strstr(orc_error_message(err), "belongs to uid"), "message: %s",
           err ? orc_error_message(err) : "(none)");
    orc_error_release(&err);
    tap_is_int(orc_proc_open_expected(&id, getuid(), "/usr/bin/sleep", &err), -EPERM,
               "another program: refused");
    tap_ok(err && strstr(orc_error_message(err), "not '/usr/bin/sleep'"), "message: %s",
           err ? orc_error_message(err) : "(none)");
    orc_error_release(&err);
    tap_is_int(orc_pidfd_signal(fd, SIGTERM), 0, "signal through the pidfd");
    int status;
    tap_ok(waitpid(child, &status, 0) == child && WIFSIGNALED(status), "the child ended");
    tap_ok(!orc_proc_alive(&id), "not alive any more");
    tap_is_int(orc_pidfd_signal(fd, SIGTERM), -ESRCH, "the pidfd never reaches another process");
    close(fd);
    tap_is_int(orc_proc_open_expected(&id, getuid(), exe, &err), -ESRCH, "gone: ESRCH");
}

int main(void)
{
    if (!mkdtemp(root))
        return 1;
    test_split();
    test_private_dir();
    test_files();
    test_proc();
    orc_error_t err = NULL;
    (void) orc_rm_rf(root, &err);
    orc_error_release(&err);
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}
