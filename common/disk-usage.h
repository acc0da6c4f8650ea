/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "error.h"

/* What a tree holds on the disk. */
struct orc_disk_usage {
    uint64_t bytes;   /* blocks allocated, st_blocks * 512 (du's, kubelet's volume usage) */
    uint64_t inodes;  /* entries counted, the top directory included */
    uint64_t skipped; /* entries that could not be read (a lower bound then) */
};

/*
 * `du -s -x -B1` of path, as kubelet measures an emptyDir volume: the blocks allocated to
 * everything beneath it and to path itself. A symlink counts as itself and is never followed;
 * a file of several hard links counts once; nothing on another file system or mount (st_dev,
 * statx mount id) is counted or entered. It walks by file descriptors with a constant number
 * of them, at any depth (paths longer than PATH_MAX); entries that vanish meanwhile are not
 * counted, and what cannot be read, or a directory moved away during the walk (".." checked
 * against what was recorded on the way down), is counted in `skipped` and the rest goes on:
 * the result is then a lower bound. Fails only when path itself cannot be opened.
 */
int orc_disk_usage(const char *path, struct orc_disk_usage *ret, orc_error_t *err);
