/* SPDX-License-Identifier: Apache-2.0 */
#include "exec-path.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "xalloc.h"

static int executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    return access(path, X_OK) < 0 ? -errno : 0;
}

int orc_find_program(const char *name, const char *dirs, char **ret_path, orc_error_t *err)
{
    if (!*name)
        return orc_error_make(err, ENOENT, "empty program name");
    if (strchr(name, '/')) {
        int r = executable(name);
        if (r < 0)
            return orc_error_make(err, -r, "'%s'", name);
        *ret_path = xstrdup(name);
        return 0;
    }
    if (!dirs)
        dirs = getenv("PATH") ?: ORC_DEFAULT_PATH;
    for (const char *d = dirs; *d;) {
        size_t n = strcspn(d, ":");
        if (n > 0) {
            _cleanup_free_ char *p = xasprintf("%.*s/%s", (int) n, d, name);
            if (executable(p) == 0) {
                *ret_path = TAKE_PTR(p);
                return 0;
            }
        }
        d += n + (d[n] == ':');
    }
    return orc_error_make(err, ENOENT, "find '%s' in '%s'", name, dirs);
}

int orc_self_dir(char **ret_dir, orc_error_t *err)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0)
        return orc_error_make(err, errno, "readlink '/proc/self/exe'");
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return orc_error_make(err, EINVAL, "'/proc/self/exe' is '%s'", self);
    *ret_dir = slash == self ? xstrdup("/") : xstrndup(self, (size_t) (slash - self));
    return 0;
}

int orc_self_path(const char *rel, char **ret_path, orc_error_t *err)
{
    _cleanup_free_ char *dir = NULL;
    if (orc_self_dir(&dir, err) < 0)
        return -1;
    _cleanup_free_ char *path = orc_path_join(dir, rel);
    char *real = realpath(path, NULL);
    if (!real)
        return orc_error_make(err, errno, "'%s'", path);
    *ret_path = real;
    return 0;
}

int orc_self_find_program(const char *const tries[], char **ret_path, orc_error_t *err)
{
    for (size_t i = 0; tries[i]; i++) {
        char *path = NULL, *found = NULL;
        int r = orc_self_path(tries[i], &path, NULL);
        if (r == 0)
            r = orc_find_program(path, NULL, &found, NULL);
        free(path);
        if (r == 0) {
            *ret_path = found;
            return 0;
        }
    }
    return orc_error_make(err, ENOENT, "none of the programs expected next to this one");
}
