/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A container's termination message, as kubelet gets it: a file of the pod's directory,
 * bound at the container's terminationMessagePath, which orc-shim reads when the container
 * exits (with FallbackToLogsOnError, after a failure with the file empty, the tail of its log).
 */
#include <stddef.h>

#include "error.h"

struct orc_paths;
struct pod;

/* kubelet's MaxPodTerminationMessageLogLength: all the containers' messages together. */
#define POD_TERMINATION_MESSAGE_MAX (12 * 1024)

/* The bytes each message of the pod's containers may have: the pod's share, divided equally
 * among them, as kubelet's status manager cuts them. Pure. */
size_t termination_message_max(const struct pod *pod);

/* Makes the container's file empty for a new instance: $XDG_DATA_HOME/orc/pods/UID/
 * containers/NAME/termination-log, mode 0666 as kubelet makes it, so that the container's
 * process may write it whatever its user. Made anew (a container's root may have changed the
 * old file's owner or mode). Returns its path in *ret_path. */
int termination_log_prepare(const struct orc_paths *paths, const char *pod_uid,
                            const char *container, char **ret_path, orc_error_t *err);
