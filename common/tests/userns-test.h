/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* For tests that mount (a tmpfs, a bind mount) without privileges. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

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
