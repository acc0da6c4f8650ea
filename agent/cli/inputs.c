/* SPDX-License-Identifier: Apache-2.0 */
/* -f FILE|DIR|-: what apply and delete read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "fd-util.h"
#include "fs-util.h"
#include "xalloc.h"

#define MAX_INPUT_BYTES (64u << 20) /* the agent refuses more than 3 MiB; it says so precisely */

static int add(struct input_file **files, size_t *n, const char *name, int fd, orc_error_t *err)
{
    char *data = NULL;
    size_t len = 0;
    int r = orc_read_all(fd, MAX_INPUT_BYTES, &data, &len);
    if (r < 0)
        return orc_error_make(err, -r, "read '%s'", name);
    *files = xrealloc(*files, sizeof(**files) * (*n + 1));
    (*files)[*n] = (struct input_file){.name = xstrdup(name), .data = data, .len = len};
    (*n)++;
    return 0;
}

static int has_manifest_suffix(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml")) ||
           (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int cli_read_inputs(const char *arg, struct input_file **files, size_t *n, orc_error_t *err)
{
    if (!strcmp(arg, "-"))
        return add(files, n, "<stdin>", 0, err);
    struct stat st;
    if (stat(arg, &st) < 0)
        return orc_error_make(err, ENOENT, "the path \"%s\" does not exist", arg);
    if (!S_ISDIR(st.st_mode)) {
        _cleanup_close_ int fd = open(arg, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return orc_error_make(err, errno, "open '%s'", arg);
        return add(files, n, arg, fd, err);
    }
    struct dirent **list = NULL;
    int count = scandir(arg, &list, NULL, name_cmp);
    if (count < 0)
        return orc_error_make(err, errno, "read directory '%s'", arg);
    int r = 0;
    for (int i = 0; i < count; i++) {
        if (r == 0 && has_manifest_suffix(list[i]->d_name)) {
            _cleanup_free_ char *p = orc_path_join(arg, list[i]->d_name);
            _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
            r = fd < 0 ? orc_error_make(err, errno, "open '%s'", p) : add(files, n, p, fd, err);
        }
        free(list[i]);
    }
    free(list);
    return r;
}

void cli_inputs_free(struct input_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i].name);
        free(files[i].data);
    }
    free(files);
}
