/* SPDX-License-Identifier: Apache-2.0 */
/* A container log's rotation (kubelet's containerLogMaxSize/MaxFiles) and a full disk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "shim.h"
#include "tap.h"
#include "xalloc.h"

static int count_rotated(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += !strncmp(e->d_name, "0.log.", 6);
    if (d)
        closedir(d);
    return n;
}

/* The size of the largest file in dir. */
static long long largest_file(const char *dir)
{
    long long max = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) && st.st_size > max)
            max = st.st_size;
    }
    if (d)
        closedir(d);
    return max;
}

int main(void)
{
    char dir[] = "/tmp/orc-test-log-XXXXXX";
    if (!mkdtemp(dir))
        tap_skip_all("mkdtemp failed");
    char *path = xasprintf("%s/c/0.log", dir);
    struct log_file l;
    tap_is_int(log_file_open(&l, path, 100, 3, NULL), 0, "open (directory made)");
    char line[64];
    for (int i = 0; i < 20; i++) {
        snprintf(line, sizeof(line), "line %02d .......................", i);
        line[29] = '\n';
        tap_is_int(log_file_write(&l, line, 30), 0, "write %d", i);
    }
    struct stat st;
    tap_ok(stat(path, &st) == 0 && st.st_size <= 100, "the current file stays within 100 bytes");
    char *cdir = xasprintf("%s/c", dir);
    tap_is_int(count_rotated(cdir), 2, "3 files in all: the current one and 2 rotated");
    char *text = NULL;
    tap_is_int(orc_read_file(path, 4096, &text, NULL, NULL), 0, "read the current file");
    tap_ok(text && strstr(text, "line 19"), "it holds the newest line");
    free(text);

    /* one write of many lines (a pipe's worth) is split at lines: no file grows past 100 */
    char many[400];
    for (int i = 0; i < 10; i++) {
        snprintf(many + i * 40, 41, "many %02d ...............................", i);
        many[i * 40 + 39] = '\n';
    }
    tap_is_int(log_file_write(&l, many, sizeof(many)), 0, "write 400 bytes at once");
    tap_ok(largest_file(cdir) <= 100, "every file stays within 100 bytes (largest %lld)",
           largest_file(cdir));
    tap_is_int(orc_read_file(path, 4096, &text, NULL, NULL), 0, "read the current file");
    tap_ok(text && strstr(text, "many 09") && !strstr(text, "many 07"),
           "it holds the newest lines, those that fit");
    free(text);
    log_file_close(&l);

    /* a full disk: the write fails with ENOSPC, nothing blocks */
    tap_is_int(log_file_open(&l, path, 0, 1, NULL), 0, "reopen without rotation");
    close(l.fd);
    l.fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    tap_is_int(log_file_write(&l, "x\n", 2), -ENOSPC, "a full disk is -ENOSPC");
    log_file_close(&l);

    /* a planted symlink is not followed */
    char *link = xasprintf("%s/c/1.log", dir);
    char *target = xasprintf("%s/target", dir);
    tap_is_int(symlink(target, link), 0, "plant a symlink");
    tap_ok(log_file_open(&l, link, 0, 1, NULL) < 0, "a log that is a symlink is refused");
    tap_ok(access(target, F_OK) < 0, "and its target is not created");
    free(link), free(target), free(cdir), free(path);
    (void) orc_rm_rf(dir, NULL);
    return tap_done();
}
