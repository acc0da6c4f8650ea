/* SPDX-License-Identifier: Apache-2.0 */
/* Volumes and volume mounts: names of their enums, JSON both ways, and freeing. */
#include "volumes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "xalloc.h"

static const char *const type_names[_VOLUME_TYPE_MAX] = {
    [VOLUME_EMPTY_DIR] = "emptyDir",        [VOLUME_HOST_PATH] = "hostPath",
    [VOLUME_CONFIG_MAP] = "configMap",      [VOLUME_SECRET] = "secret",
    [VOLUME_DOWNWARD_API] = "downwardAPI",  [VOLUME_PROJECTED] = "projected",
    [VOLUME_PVC] = "persistentVolumeClaim",
};

static const char *const host_path_names[_HOST_PATH_TYPE_MAX] = {
    [HOST_PATH_UNSET] = "",
    [HOST_PATH_DIRECTORY_OR_CREATE] = "DirectoryOrCreate",
    [HOST_PATH_DIRECTORY] = "Directory",
    [HOST_PATH_FILE_OR_CREATE] = "FileOrCreate",
    [HOST_PATH_FILE] = "File",
    [HOST_PATH_SOCKET] = "Socket",
    [HOST_PATH_CHAR_DEVICE] = "CharDevice",
    [HOST_PATH_BLOCK_DEVICE] = "BlockDevice",
};

static const char *const propagation_names[_PROPAGATION_MAX] = {"None", "HostToContainer"};
static const char *const rro_names[_RRO_MAX] = {"Disabled", "IfPossible", "Enabled"};

static int lookup(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(names[i], s))
            return i;
    return -EINVAL;
}

const char *volume_type_to_string(enum volume_type t)
{
    return t >= 0 && t < _VOLUME_TYPE_MAX ? type_names[t] : NULL;
}

enum volume_type volume_type_from_string(const char *s)
{
    return lookup(type_names, _VOLUME_TYPE_MAX, s);
}

const char *host_path_type_to_string(enum host_path_type t)
{
    return t >= 0 && t < _HOST_PATH_TYPE_MAX ? host_path_names[t] : NULL;
}

enum host_path_type host_path_type_from_string(const char *s)
{
    return lookup(host_path_names, _HOST_PATH_TYPE_MAX, s);
}

void volume_clear(struct volume *v)
{
    free(v->name);
    json_decref(v->source);
    free(v->path);
    free(v->claim_name);
    *v = (struct volume){0};
}

void volume_mount_clear(struct volume_mount *m)
{
    free(m->name);
    free(m->mount_path);
    free(m->sub_path);
    free(m->sub_path_expr);
    *m = (struct volume_mount){0};
}

const struct volume *volume_find(const struct volume *vols, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (vols[i].name && !strcmp(vols[i].name, name))
            return &vols[i];
    return NULL;
}

const char *volume_relative_path_error(const char *path)
{
    if (path[0] == '/')
        return "must be a relative path";
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return "must not contain '..'";
        p += n;
        if (*p == '/')
            p++;
    }
    return NULL;
}

static const char *str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *volume_to_json(const struct volume *v)
{
    return json_pack("{s:s,s:O}", "name", v->name, volume_type_to_string(v->type), v->source);
}

int volume_fill_typed(struct volume *v, orc_error_t *err)
{
    const json_t *s = v->source;
    int64_t milli;
    switch (v->type) {
    case VOLUME_EMPTY_DIR:
        v->memory = str(s, "medium") && !strcmp(str(s, "medium"), "Memory");
        if (str(s, "sizeLimit") && quantity_parse_milli(str(s, "sizeLimit"), &milli) == 0)
            v->size_limit = milli / 1000 + (milli % 1000 != 0);
        break;
    case VOLUME_HOST_PATH:
        v->path = xstrdup(str(s, "path"));
        v->host_path_type = host_path_type_from_string(str(s, "type") ? str(s, "type") : "");
        if (!v->path || (int) v->host_path_type < 0)
            return orc_error_make(err, EINVAL, "volume '%s': hostPath lacks a path or type",
                                  v->name);
        break;
    case VOLUME_PVC:
        v->claim_name = xstrdup(str(s, "claimName"));
        v->read_only = json_is_true(json_object_get(s, "readOnly"));
        if (!v->claim_name)
            return orc_error_make(err, EINVAL, "volume '%s': claim without a name", v->name);
        break;
    case VOLUME_CONFIG_MAP:
    case VOLUME_SECRET:
    case VOLUME_DOWNWARD_API:
    case VOLUME_PROJECTED:
    case _VOLUME_TYPE_MAX:
    case _VOLUME_TYPE_INVALID:
        break;
    }
    return 0;
}

int volume_from_json(const json_t *j, struct volume *v, orc_error_t *err)
{
    v->name = xstrdup(str(j, "name"));
    v->type = _VOLUME_TYPE_INVALID;
    for (int t = 0; t < _VOLUME_TYPE_MAX; t++)
        if (json_is_object(json_object_get(j, type_names[t]))) {
            v->type = t;
            v->source = json_deep_copy(json_object_get(j, type_names[t]));
        }
    if (!v->name || (int) v->type < 0)
        return orc_error_make(err, EINVAL, "stored volume lacks a name or a source");
    return volume_fill_typed(v, err);
}

json_t *volume_mount_to_json(const struct volume_mount *m)
{
    json_t *j = json_pack("{s:s,s:s}", "name", m->name, "mountPath", m->mount_path);
    if (m->read_only)
        json_object_set_new(j, "readOnly", json_true());
    if (m->sub_path)
        json_object_set_new(j, "subPath", json_string(m->sub_path));
    if (m->sub_path_expr)
        json_object_set_new(j, "subPathExpr", json_string(m->sub_path_expr));
    if (m->propagation_written)
        json_object_set_new(j, "mountPropagation",
                            json_string(mount_propagation_to_string(m->propagation)));
    if (m->recursive_read_only_written)
        json_object_set_new(j, "recursiveReadOnly",
                            json_string(recursive_read_only_to_string(m->recursive_read_only)));
    return j;
}

int volume_mount_from_json(const json_t *j, struct volume_mount *m, orc_error_t *err)
{
    m->name = xstrdup(str(j, "name"));
    m->mount_path = xstrdup(str(j, "mountPath"));
    m->read_only = json_is_true(json_object_get(j, "readOnly"));
    m->sub_path = xstrdup(str(j, "subPath"));
    m->sub_path_expr = xstrdup(str(j, "subPathExpr"));
    int p = mount_propagation_from_string(str(j, "mountPropagation"));
    int r = recursive_read_only_from_string(str(j, "recursiveReadOnly"));
    m->propagation_written = p >= 0;
    m->propagation = p >= 0 ? p : PROPAGATION_NONE;
    m->recursive_read_only_written = r >= 0;
    m->recursive_read_only = r >= 0 ? r : RRO_DISABLED;
    if (!m->name || !m->mount_path)
        return orc_error_make(err, EINVAL, "stored volume mount lacks a name or mountPath");
    return 0;
}

const char *mount_propagation_to_string(enum mount_propagation p)
{
    return p >= 0 && p < _PROPAGATION_MAX ? propagation_names[p] : NULL;
}

enum mount_propagation mount_propagation_from_string(const char *s)
{
    return lookup(propagation_names, _PROPAGATION_MAX, s);
}

const char *recursive_read_only_to_string(enum recursive_read_only r)
{
    return r >= 0 && r < _RRO_MAX ? rro_names[r] : NULL;
}

enum recursive_read_only recursive_read_only_from_string(const char *s)
{
    return lookup(rro_names, _RRO_MAX, s);
}
