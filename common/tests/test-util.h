/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Helpers of unit tests: shell commands, and mounts (a tmpfs, a bind mount) without
 * privileges. */
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs a shell command made from fmt; its exit status (-1 when it did not exit). */
static inline int test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int test_sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = NULL;
    if (vasprintf(&cmd, fmt, ap) < 0)
        abort();
    va_end(ap);
    int st = system(cmd);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline int test_write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t) strlen(text);
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

/* Moves the calling (single-threaded) process into a user namespace of its own, as root
 * there (mapped to its own ids), and a private mount namespace. -1 where that is not
 * allowed. */
static inline int test_unshare_user_mount(void)
{
    char uid_map[32], gid_map[32];
    snprintf(uid_map, sizeof(uid_map), "0 %u 1\n", (unsigned) getuid());
    snprintf(gid_map, sizeof(gid_map), "0 %u 1\n", (unsigned) getgid());
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 ||
        test_write_file("/proc/self/uid_map", uid_map) < 0 ||
        test_write_file("/proc/self/setgroups", "deny") < 0 ||
        test_write_file("/proc/self/gid_map", gid_map) < 0)
        return -1;
    return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}
