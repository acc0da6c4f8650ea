/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * spec.volumes and containers[].volumeMounts: Kubernetes' validation, orc's refusals, and
 * the normalised JSON both ways. Pure. A volume keeps its source as normalised Kubernetes
 * JSON (defaults filled: a configMap's defaultMode 420, a hostPath's type ""); the fields
 * the agent needs to prepare it are read from that JSON into typed fields.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

enum volume_type {
    VOLUME_EMPTY_DIR,
    VOLUME_HOST_PATH,
    VOLUME_CONFIG_MAP,
    VOLUME_SECRET,
    VOLUME_DOWNWARD_API,
    VOLUME_PROJECTED,
    VOLUME_PVC,
    _VOLUME_TYPE_MAX,
    _VOLUME_TYPE_INVALID = -22,
};

/* hostPath.type, as kubelet checks it */
enum host_path_type {
    HOST_PATH_UNSET, /* "": nothing checked */
    HOST_PATH_DIRECTORY_OR_CREATE,
    HOST_PATH_DIRECTORY,
    HOST_PATH_FILE_OR_CREATE,
    HOST_PATH_FILE,
    HOST_PATH_SOCKET,
    HOST_PATH_CHAR_DEVICE,
    HOST_PATH_BLOCK_DEVICE,
    _HOST_PATH_TYPE_MAX,
    _HOST_PATH_TYPE_INVALID = -22,
};

enum mount_propagation {
    PROPAGATION_NONE, /* also when not written */
    PROPAGATION_HOST_TO_CONTAINER,
    _PROPAGATION_MAX,
    _PROPAGATION_INVALID = -22,
};

enum recursive_read_only {
    RRO_DISABLED, /* also when not written */
    RRO_IF_POSSIBLE,
    RRO_ENABLED,
    _RRO_MAX,
    _RRO_INVALID = -22,
};

struct volume {
    char *name;
    enum volume_type type;
    json_t *source; /* the value under the type's key, normalised */
    /* emptyDir */
    bool memory;        /* medium: Memory */
    int64_t size_limit; /* bytes, 0 = none */
    /* hostPath */
    char *path;
    enum host_path_type host_path_type;
    /* persistentVolumeClaim */
    char *claim_name;
    bool read_only;
};

struct volume_mount {
    char *name;
    char *mount_path;
    bool read_only;
    char *sub_path;      /* NULL = none */
    char *sub_path_expr; /* NULL = none; $(VAR) from the container's env */
    enum mount_propagation propagation;
    bool propagation_written; /* kept as written in the JSON */
    enum recursive_read_only recursive_read_only;
    bool recursive_read_only_written;
};

/* "emptyDir", "hostPath", ... (the source's key in the JSON) */
const char *volume_type_to_string(enum volume_type t);
enum volume_type volume_type_from_string(const char *s);
/* "", "DirectoryOrCreate", ... */
const char *host_path_type_to_string(enum host_path_type t);
enum host_path_type host_path_type_from_string(const char *s);

void volume_clear(struct volume *v);
void volume_mount_clear(struct volume_mount *m);
const struct volume *volume_find(const struct volume *vols, size_t n, const char *name);

/* A path kubelet accepts beneath a volume (items' paths, subPath): relative, no ".."
 * component; NULL when fine, else Kubernetes' message ("must not contain '..'"). */
const char *volume_relative_path_error(const char *path);

/* The typed fields (memory, size_limit, path, ...) read from v->source. */
int volume_fill_typed(struct volume *v, orc_error_t *err);
const char *mount_propagation_to_string(enum mount_propagation p);
enum mount_propagation mount_propagation_from_string(const char *s);
const char *recursive_read_only_to_string(enum recursive_read_only r);
enum recursive_read_only recursive_read_only_from_string(const char *s);

/* JSON both ways: {"name", "<type>": source} and a mount as Kubernetes writes it. */
json_t *volume_to_json(const struct volume *v);
int volume_from_json(const json_t *j, struct volume *v, orc_error_t *err);
json_t *volume_mount_to_json(const struct volume_mount *m);
int volume_mount_from_json(const json_t *j, struct volume_mount *m, orc_error_t *err);
