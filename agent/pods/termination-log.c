/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/termination-log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "manifest.h"
#include "sys/paths.h"
#include "xalloc.h"

size_t termination_message_max(const struct pod *pod)
{
    size_t n = pod->n_containers;
    return n > 0 ? POD_TERMINATION_MESSAGE_MAX / n : POD_TERMINATION_MESSAGE_MAX;
}

int termination_log_prepare(const struct orc_paths *paths, const char *pod_uid,
                            const char *container, char **ret_path, orc_error_t *err)
{
    _cleanup_free_ char *pod_dir = orc_paths_pod_data_dir(paths, pod_uid);
    _cleanup_free_ char *dir = xasprintf("%s/containers/%s", pod_dir, container);
    if (orc_mkdir_p(dir, 0700, err) < 0)
        return orc_error_wrap(err, "termination message file");
    _cleanup_free_ char *path = orc_path_join(dir, "termination-log");
    if (unlink(path) < 0 && errno != ENOENT)
        return orc_error_make(err, errno, "remove termination message file '%s'", path);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return orc_error_make(err, errno, "create termination message file '%s'", path);
    if (fchmod(fd, 0666) < 0) /* whatever the umask */
        return orc_error_make(err, errno, "chmod termination message file '%s'", path);
    *ret_path = TAKE_PTR(path);
    return 0;
}
