/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/sysctls.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "manifest.h"
#include "pods/step.h"
#include "security-context.h"
#include "sys/userns.h"
#include "xalloc.h"

int pod_sysctls_apply(struct pod_step *s, orc_error_t *err)
{
    const struct security_context *sc = s->pod->security;
    if (!sc || sc->n_sysctls == 0)
        return 0;
    _cleanup_free_ char *list = xstrdup("");
    for (size_t i = 0; i < sc->n_sysctls; i++) {
        _cleanup_free_ char *name = security_sysctl_normalize(sc->sysctls[i].name);
        char *next = xasprintf("%s%s=%s\n", list, name, sc->sysctls[i].value);
        free(list);
        list = next;
    }
    char pid[16];
    snprintf(pid, sizeof(pid), "%d", (int) s->shim_pid);
    char *args[] = {pid, list, NULL};
    if (userns_exec(s->env->userns, pod_op_sysctl.name, args, err) < 0)
        return orc_error_wrap(err, "sysctls");
    return 0;
}

static int join(const char *pid, const char *ns, int type, orc_error_t *err)
{
    _cleanup_free_ char *path = xasprintf("/proc/%s/ns/%s", pid, ns);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, type) < 0)
        return orc_error_make(err, errno, "join the pod's %s namespace (%s)", ns, path);
    return 0;
}

/* /proc/sys/ path of a normalised name: '.' separates, a '/' stands for a '.' in a part */
static char *sysctl_path(const char *name)
{
    char *p = xasprintf("/proc/sys/%s", name);
    for (char *c = p + 10; *c; c++)
        *c = *c == '.' ? '/' : *c == '/' ? '.' : *c;
    return p;
}

static int write_sysctl(const char *name, const char *value, orc_error_t *err)
{
    _cleanup_free_ char *path = sysctl_path(name);
    if (strstr(path, "/../") || strstr(path, "/./"))
        return orc_error_make(err, EINVAL, "sysctl \"%s\": not a sysctl name", name);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return orc_error_make(err, errno, "sysctl \"%s\" (%s)", name, path);
    if (orc_write_all(fd, value, strlen(value)) < 0)
        return orc_error_make(err, errno, "sysctl \"%s\" = \"%s\"", name, value);
    return 0;
}

static int sysctl_op(char **args, orc_error_t *err)
{
    if (join(args[0], "net", CLONE_NEWNET, err) < 0 || join(args[0], "ipc", CLONE_NEWIPC, err) < 0)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(args[1], "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq)
            return orc_error_make(err, EINVAL, "sysctl \"%s\": no value", line);
        *eq = '\0';
        if (write_sysctl(line, eq + 1, err) < 0)
            return -1;
    }
    return 0;
}

const struct userns_op pod_op_sysctl = {"sysctl", 2, sysctl_op};
