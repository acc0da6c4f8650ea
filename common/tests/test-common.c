/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "error.h"
#include "fs-util.h"
#include "strv.h"
#include "tap.h"
#include "time-util.h"
#include "xalloc.h"

static int fail_open(const char *path, orc_error_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return orc_error_make(err, errno, "open '%s'", path);
    close(fd);
    return 0;
}

static void test_errors(void)
{
    orc_error_t err = NULL;
    int r = fail_open("/nonexistent/x", &err);
    tap_is_int(r, -ENOENT, "error code is -errno");
    orc_error_wrap(&err, "load image '%s'", "busybox");
    tap_is_str(orc_error_message(err),
               "load image 'busybox': open '/nonexistent/x': No such file or directory",
               "wrap prefixes context");
    orc_error_release(&err);
    tap_ok(err == NULL, "release clears");
    r = orc_error_make(&err, 0, "plain");
    tap_is_int(r, -1, "status 0 gives -1");
    tap_is_str(orc_error_message(err), "plain", "no strerror without status");
    orc_error_release(&err);
}

static void test_fs(void)
{
    char tmpl[] = "/tmp/orc-test-XXXXXX";
    tap_ok(mkdtemp(tmpl) != NULL, "mkdtemp");
    orc_error_t err = NULL;
    _cleanup_free_ char *deep = orc_path_join(tmpl, "a/b/c");
    tap_is_int(orc_mkdir_p(deep, 0700, &err), 0, "mkdir -p");
    _cleanup_free_ char *f = orc_path_join(deep, "file");
    tap_is_int(orc_write_file_atomic(f, "hello", 5, 0600, &err), 0, "atomic write");
    _cleanup_free_ char *data = NULL;
    size_t len = 0;
    tap_is_int(orc_read_file(f, 100, &data, &len, &err), 0, "read back");
    tap_is_str(data, "hello", "content matches");
    _cleanup_free_ char *small = NULL;
    tap_ok(orc_read_file(f, 2, &small, NULL, &err) < 0, "read over max fails");
    orc_error_release(&err);
    tap_is_int(orc_rm_rf(tmpl, &err), 0, "rm -rf");
    tap_ok(access(tmpl, F_OK) < 0, "tree is gone");
    tap_is_int(orc_rm_rf(tmpl, &err), 0, "rm -rf of missing path succeeds");
    _cleanup_free_ char *j = orc_path_join("/a//", "/b");
    tap_is_str(j, "/a/b", "path join collapses slashes");
}

static void test_strv_time(void)
{
    char **v = NULL;
    v = strv_push(v, "a");
    v = strv_push(v, "b");
    tap_is_int(strv_length(v), 2, "strv length");
    tap_ok(strv_contains(v, "b") && !strv_contains(v, "c"), "strv contains");
    v = strv_free(v);
    char buf[64];
    orc_time_format_rfc3339(1700000000LL * NSEC_PER_SEC + 5, true, buf, sizeof(buf));
    tap_is_str(buf, "2023-11-14T22:13:20.000000005Z", "rfc3339 with nanos");
    int64_t ns = 0;
    tap_is_int(orc_time_parse_rfc3339(buf, &ns), 0, "parse rfc3339");
    tap_is_int(ns, 1700000000LL * NSEC_PER_SEC + 5, "round trip");
    tap_ok(orc_time_parse_rfc3339("yesterday", &ns) < 0, "garbage is rejected");
    tap_ok(orc_time_parse_rfc3339("2023-11-15T00:43:20.5+02:30", &ns) == 0 &&
               ns == 1700000000LL * NSEC_PER_SEC + NSEC_PER_SEC / 2,
           "an offset from UTC");
    tap_ok(orc_time_parse_rfc3339("2023-11-14T17:13:20-05:00", &ns) == 0 &&
               ns == 1700000000LL * NSEC_PER_SEC,
           "a negative offset");
    tap_ok(orc_time_parse_rfc3339("2023-11-14T17:13:20+05", &ns) < 0, "a cut offset is rejected");
    orc_time_format_age(150 * NSEC_PER_SEC, buf, sizeof(buf));
    tap_is_str(buf, "2m", "age in minutes");
}

int main(void)
{
    test_errors();
    test_fs();
    test_strv_time();
    return tap_done();
}
