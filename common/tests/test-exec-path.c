/* SPDX-License-Identifier: Apache-2.0 */
/* orc_find_program() and orc_self_dir(). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "exec-path.h"
#include "fs-util.h"
#include "tap.h"
#include "xalloc.h"

static void make_file(const char *dir, const char *name, mode_t mode)
{
    _cleanup_free_ char *p = orc_path_join(dir, name);
    orc_error_t err = NULL;
    tap_ok(orc_write_file_atomic(p, "#!/bin/sh\n", 10, mode, &err) == 0, "create %s", name);
    orc_error_release(&err);
}

static void test_find(const char *tmp)
{
    _cleanup_free_ char *a = orc_path_join(tmp, "a"), *b = orc_path_join(tmp, "b");
    (void) mkdir(a, 0700);
    (void) mkdir(b, 0700);
    make_file(a, "plain", 0644); /* not executable: skipped */
    make_file(b, "plain", 0755);
    make_file(a, "first", 0755);
    make_file(b, "first", 0755);
    _cleanup_free_ char *sub = orc_path_join(a, "adir"); /* a directory is no program */
    (void) mkdir(sub, 0755);
    _cleanup_free_ char *dirs = xasprintf("::%s::%s:", a, b);
    _cleanup_free_ char *want_plain = orc_path_join(b, "plain");
    _cleanup_free_ char *want_first = orc_path_join(a, "first");

    orc_error_t err = NULL;
    char *p = NULL;
    tap_is_int(orc_find_program("plain", dirs, &p, &err), 0, "found past a non-executable file");
    tap_is_str(p, want_plain, "in the second directory");
    free(p);
    p = NULL;
    tap_is_int(orc_find_program("first", dirs, &p, &err), 0, "found");
    tap_is_str(p, want_first, "the first directory wins");
    free(p);
    p = NULL;
    tap_is_int(orc_find_program("adir", dirs, &p, &err), -ENOENT, "a directory is not a program");
    tap_ok(p == NULL, "nothing written on failure");
    tap_ok(err && strstr(orc_error_message(err), "find 'adir' in '"), "the message: %s",
           err ? orc_error_message(err) : "(none)");
    orc_error_release(&err);
    tap_is_int(orc_find_program("nope", dirs, &p, NULL), -ENOENT, "err may be NULL");
    tap_is_int(orc_find_program("", dirs, &p, NULL), -ENOENT, "an empty name is never found");

    /* a name with a '/' is not searched */
    _cleanup_free_ char *abs = orc_path_join(a, "first");
    tap_is_int(orc_find_program(abs, "/nonexistent", &p, &err), 0, "a path is taken as it is");
    tap_is_str(p, abs, "the same path");
    free(p);
    p = NULL;
    _cleanup_free_ char *noexec = orc_path_join(a, "plain");
    tap_is_int(orc_find_program(noexec, NULL, &p, &err), -EACCES, "a path must be executable");
    orc_error_release(&err);

    /* NULL: $PATH */
    _cleanup_free_ char *old = getenv("PATH") ? xstrdup(getenv("PATH")) : NULL;
    setenv("PATH", b, 1);
    tap_is_int(orc_find_program("plain", NULL, &p, &err), 0, "searched in $PATH");
    tap_is_str(p, want_plain, "from $PATH");
    free(p);
    p = NULL;
    if (old)
        setenv("PATH", old, 1);
    else
        unsetenv("PATH");
}

static void test_self_dir(void)
{
    orc_error_t err = NULL;
    _cleanup_free_ char *dir = NULL;
    tap_is_int(orc_self_dir(&dir, &err), 0, "self dir");
    _cleanup_free_ char *me = dir ? orc_path_join(dir, "test-exec-path") : NULL;
    tap_ok(me && access(me, X_OK) == 0, "this test is in '%s'", dir ? dir : "(null)");
}

/* The test binary is in BUILD/common/: its neighbour test-line-buf and a missing one. */
static void test_self_find(void)
{
    const char *const tries[] = {"no-such-program", "test-line-buf", NULL};
    char *found = NULL;
    tap_is_int(orc_self_find_program(tries, &found, NULL), 0, "a neighbour is found");
    tap_ok(found && strstr(found, "/test-line-buf") && found[0] == '/', "as an absolute path: %s",
           found ? found : "(null)");
    free(found);
    const char *const none[] = {"no-such-program", "../no/such", NULL};
    found = NULL;
    tap_is_int(orc_self_find_program(none, &found, NULL), -ENOENT, "none there: ENOENT");
    tap_ok(found == NULL, "and nothing returned");
}

int main(void)
{
    char tmp[] = "/tmp/orc-test-exec-XXXXXX";
    if (!mkdtemp(tmp))
        tap_skip_all("mkdtemp failed");
    test_find(tmp);
    test_self_dir();
    test_self_find();
    (void) orc_rm_rf(tmp, NULL);
    return tap_done();
}
