/* SPDX-License-Identifier: Apache-2.0 */
#include "sys/paths.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "private-dir.h"
#include "xalloc.h"

static int xdg_dir(const char *var, const char *fallback, char **ret, orc_error_t *err)
{
    *ret = orc_xdg_dir(var, fallback);
    return *ret ? 0 : orc_error_make(err, 0, "neither %s nor HOME is set to an absolute path", var);
}

int orc_paths_init(struct orc_paths *p, orc_error_t *err)
{
    memset(p, 0, sizeof(*p));
    _cleanup_free_ char *config = NULL, *data = NULL;
    if (xdg_dir("XDG_CONFIG_HOME", ".config", &config, err) < 0 ||
        xdg_dir("XDG_DATA_HOME", ".local/share", &data, err) < 0)
        return -1;
    p->run_dir = orc_runtime_dir(getenv("XDG_RUNTIME_DIR"), "orc", (unsigned) getuid());
    p->config_dir = orc_path_join(config, "orc");
    p->data_dir = orc_path_join(data, "orc");
    p->db = orc_path_join(p->data_dir, "orc.db");
    p->storage = orc_path_join(p->data_dir, "storage");
    p->logs = orc_path_join(p->data_dir, "logs");
    p->data_lock = orc_path_join(p->data_dir, "orcd.lock");
    p->socket = orc_path_join(p->run_dir, "orcd.sock");
    p->lock = orc_path_join(p->run_dir, "orcd.lock");
    p->userns = orc_path_join(p->run_dir, "userns.json");
    p->pods = orc_path_join(p->run_dir, "pods");
    p->runc_root = orc_path_join(p->run_dir, "runc");
    return 0;
}

int orc_paths_create(const struct orc_paths *p, orc_error_t *err)
{
    const char *dirs[] = {p->config_dir, p->data_dir, p->storage, p->logs};
    for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
        if (orc_mkdir_p(dirs[i], 0700, err) < 0)
            return -1;
    /* The socket, the lock and the pid files of the holder and the shims live below the run
     * dir: it must be this user's and private (in /tmp someone else may have made it first).
     * run_dir is $XDG_RUNTIME_DIR/orc or /tmp/orc-UID: its parent is trusted, not checked. */
    const char *base = strrchr(p->run_dir, '/');
    _cleanup_free_ char *parent = xstrndup(p->run_dir, (size_t) (base - p->run_dir));
    const char *subs[] = {"pods", "runc"};
    for (size_t i = 0; i < ELEMENTSOF(subs); i++) {
        _cleanup_free_ char *rel = orc_path_join(base + 1, subs[i]);
        int fd = orc_private_dir_open(*parent ? parent : "/", rel, err);
        if (fd < 0)
            return orc_error_wrap(err, "run directory");
        close(fd);
    }
    return 0;
}

void orc_paths_done(struct orc_paths *p)
{
    char **fields[] = {&p->config_dir, &p->data_dir, &p->db,        &p->storage,
                       &p->logs,       &p->run_dir,  &p->socket,    &p->lock,
                       &p->userns,     &p->pods,     &p->runc_root, &p->data_lock};
    for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

char *orc_paths_pod_run_dir(const struct orc_paths *p, const char *pod_uid)
{
    return orc_path_join(p->pods, pod_uid);
}

char *orc_paths_pod_data_dir(const struct orc_paths *p, const char *pod_uid)
{
    return xasprintf("%s/pods/%s", p->data_dir, pod_uid);
}

char *orc_paths_pod_log_dir(const struct orc_paths *p, const char *ns, const char *name,
                            const char *pod_uid)
{
    return xasprintf("%s/%s_%s_%s", p->logs, ns, name, pod_uid);
}
