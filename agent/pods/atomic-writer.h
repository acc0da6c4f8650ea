/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * kubelet's AtomicWriter: a volume's files written so that a container never sees half of
 * an update. The files go into a new directory `..<timestamp>` of dir; the symlink `..data`
 * is pointed at it by rename (atomic); each top-level name of the payload is a symlink
 * `name -> ..data/name`; then the previous timestamped directory and the names no longer in
 * the payload go. A payload equal to what `..data` holds writes nothing. dir is the pod's
 * own (0700 above it), mounted read-only into containers.
 */
#include "error.h"
#include "volume-files.h"

/* 1 when the files were written, 0 when they were already there. */
int atomic_write(const char *dir, const struct volume_files *files, orc_error_t *err);
